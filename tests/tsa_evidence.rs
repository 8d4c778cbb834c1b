//! Trusted time used: tokens from a real TSA (`liuhen dev-tsa`, answered by `openssl ts`) over
//! stored checkpoints become proven-before evidence in `liuhen verify --tsa-root` and `liuhen log
//! --tsa-root`; a forged or misplaced token is tampering (exit 1).
//!
//! Needs `openssl`; without it these tests fail saying so (CI installs it).
mod common;

use std::path::Path;

use common::cli::{finding_kinds, json, liuhen, stdout};
use common::dir::{tmp_dir, AuditedDir};
use common::tsa::DevTsa;
use liuhen::timestamp::stored_tokens;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A ledger made by `liuhen init`, stamped once with `liuhen timestamp` by a dev TSA.
fn stamped(name: &str) -> (std::path::PathBuf, AuditedDir, DevTsa) {
    let root = tmp_dir(name);
    let dir = AuditedDir::init(root.join("ledger"));
    let tsa = DevTsa::start(&root.join("tsa"), "ec");
    stamp(&dir.dir, &tsa);
    (root, dir, tsa)
}

/// `liuhen timestamp DIR` against the dev TSA: its latest checkpoint stamped, the token stored.
fn stamp(dir: &Path, tsa: &DevTsa) {
    let root = tsa.root();
    let args = [
        "timestamp",
        s(dir),
        "--tsa",
        &tsa.url,
        "--tsa-root",
        s(&root),
    ];
    let out = liuhen(args);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

fn token_path(dir: &AuditedDir) -> std::path::PathBuf {
    let mut t = stored_tokens(&dir.dir).unwrap();
    assert_eq!(t.len(), 1);
    t.remove(0).path
}

#[test]
fn verify_with_tsa_root_reports_proven_before_from_the_tsa() {
    let (_root, dir, tsa) = stamped("tsaev-verify");
    let out = dir.verify(&["--tsa-root", s(&tsa.root()), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v = json(&stdout(&out));
    assert_eq!(v["timestamps"]["verified"], 1, "{v}");
    assert_eq!(v["timestamps"]["checked"], true, "{v}");
    let pb = &v["proven_before"];
    assert_eq!(pb["latest"]["source"]["kind"], "timestamp", "{v}");
    assert_eq!(
        pb["latest"]["source"]["tsa"], "CN=liuhen development TSA",
        "{v}"
    );
    assert_eq!(pb["timestamps"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(pb["entries"], dir.size(), "{v}");

    let text = stdout(&dir.verify(&["--tsa-root", s(&tsa.root())]));
    assert!(text.contains("1 stored, 1 verified"), "{text}");
    assert!(
        text.contains("TSA CN=liuhen development TSA token"),
        "{text}"
    );

    // Without the root the token proves nothing, and the report says so.
    let out = dir.verify(&["--json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v = json(&stdout(&out));
    assert_eq!(v["timestamps"]["checked"], false, "{v}");
    assert!(v["timestamps"]["reason"]
        .as_str()
        .unwrap()
        .contains("--tsa-root"));
    assert!(v.get("proven_before").is_none(), "{v}");
}

#[test]
fn log_with_tsa_root_shows_the_tsa_time() {
    let (_root, dir, tsa) = stamped("tsaev-log");
    let out = liuhen(["log", s(&dir.dir), "--tsa-root", s(&tsa.root())]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.contains("proven before") && text.contains("TSA CN=liuhen development TSA token"),
        "{text}"
    );
    let out = liuhen(["log", s(&dir.dir), "--json", "--tsa-root", s(&tsa.root())]);
    let first = stdout(&out);
    let first = json(first.lines().next().unwrap());
    assert_eq!(
        first["proven_before"]["source"]["kind"], "timestamp",
        "{first}"
    );
    // Without the root: no time.
    let text = stdout(&liuhen(["log", s(&dir.dir)]));
    assert!(!text.contains("proven before"), "{text}");
}

/// `verify DIR --tsa-root … --json` exits 1 with a `bad_timestamp` finding; the report.
fn expect_bad_timestamp(dir: &AuditedDir, tsa: &DevTsa) -> serde_json::Value {
    let out = dir.verify(&["--tsa-root", s(&tsa.root()), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v = json(&stdout(&out));
    let kinds = finding_kinds(&v);
    assert!(kinds.contains(&"bad_timestamp".to_owned()), "{v}");
    v
}

#[test]
fn token_with_a_flipped_byte_is_tampering() {
    let (_root, dir, tsa) = stamped("tsaev-flip");
    let path = token_path(&dir);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = common::tsa::gen_time_offset(&bytes);
    bytes[at + 3] ^= 0x01; // genTime moved: the signed digest no longer matches.
    std::fs::write(&path, bytes).unwrap();
    let v = expect_bad_timestamp(&dir, &tsa);
    assert_eq!(v["timestamps"]["forged"], 1, "{v}");
}

#[test]
fn token_planted_for_another_checkpoint_is_tampering() {
    let (root, dir, tsa) = stamped("tsaev-planted");
    // A genuine token of another ledger's checkpoint, renamed as if it were this ledger's.
    let other = AuditedDir::init(root.join("other"));
    stamp(&other.dir, &tsa);
    let foreign = std::fs::read(token_path(&other)).unwrap();
    let mine = token_path(&dir);
    let planted = mine.with_file_name(format!(
        "{}-1.tsr",
        mine.file_stem().unwrap().to_str().unwrap()
    ));
    std::fs::write(&planted, foreign).unwrap();
    let v = expect_bad_timestamp(&dir, &tsa);
    // The genuine token still counts; the planted one is named as stamping no stored checkpoint.
    assert_eq!(v["timestamps"]["verified"], 1, "{v}");
    assert!(v.to_string().contains("no stored checkpoint"), "{v}");
}

#[test]
fn token_of_an_untrusted_tsa_is_unverified_not_tampering() {
    let (root, dir, _tsa) = stamped("tsaev-untrusted");
    let other = DevTsa::start(&root.join("tsa2"), "ec");
    let out = dir.verify(&["--tsa-root", s(&other.root()), "--json"]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let v = json(&stdout(&out));
    assert!(
        finding_kinds(&v).contains(&"timestamp_unverified".to_owned()),
        "{v}"
    );
}

// ---- Bundles: the tokens travel with the case, and a court checks them offline. ----

const CASE: &str = "金民执〔2026〕77号";

/// A staffed ledger with one sealed case, stamped by a dev TSA.
fn stamped_case(name: &str) -> (common::dir::StaffedDir, DevTsa) {
    let t = common::dir::StaffedDir::init(tmp_dir(name), false);
    t.append_json(
        &t.officer,
        &[serde_json::json!({ "CaseOpened": {
            "case_no": CASE, "act": "Inspection", "matter": "年度检查",
            "unit": "社会组织管理科", "subject": "0000000000000000000000000000000000000000000000000000000000000000",
        }})],
    );
    t.seal_ok();
    let tsa = DevTsa::start(&t.root.join("tsa"), "ec");
    stamp(&t.dir, &tsa);
    (t, tsa)
}

fn export(t: &common::dir::StaffedDir, name: &str) -> std::path::PathBuf {
    let bundle = t.root.join(name);
    let out = t.bundle_export(
        CASE,
        &t.officer,
        &["--to", "大连市中级人民法院", "-o", s(&bundle)],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    bundle
}

fn bundle_verify(
    t: &common::dir::StaffedDir,
    bundle: &Path,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec!["bundle", "verify", s(bundle), "--vkey", s(&t.vkey)];
    args.extend_from_slice(extra);
    liuhen(args)
}

#[test]
fn bundle_carries_the_token_and_states_the_proven_before_time() {
    let (t, tsa) = stamped_case("tsaev-bundle");
    let bundle = export(&t, "case.bundle");
    let out = bundle_verify(&t, &bundle, &["--tsa-root", s(&tsa.root()), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let r = json(&stdout(&out));
    let ts = r["timestamps"].as_array().unwrap();
    assert_eq!(ts.len(), 1, "{r}");
    assert_eq!(ts[0]["checked"], true);
    assert_eq!(ts[0]["tsa"], "CN=liuhen development TSA");
    assert_eq!(r["proven_before"]["source"]["kind"], "timestamp", "{r}");
    assert_eq!(r["proven_before"]["time"], ts[0]["gen_time"], "{r}");
    assert_eq!(r["proven_before"]["size"], r["checkpoint"]["size"], "{r}");

    let text = stdout(&bundle_verify(&t, &bundle, &["--tsa-root", s(&tsa.root())]));
    assert!(
        text.contains("every entry of this bundle existed before")
            && text.contains("TSA CN=liuhen development TSA token"),
        "{text}"
    );

    // A court, independently: `openssl ts -verify` on the token the report exposes, over the
    // bundle's checkpoint.
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD
        .decode(ts[0]["token"].as_str().unwrap())
        .unwrap();
    let note = r["checkpoint"]["note"].as_str().unwrap();
    let cp = liuhen::checkpoint::SignedCheckpoint::parse(note.as_bytes())
        .unwrap()
        .checkpoint()
        .clone();
    std::fs::write(
        t.root.join("cp.msg"),
        liuhen::timestamp::stamped_message(&cp),
    )
    .unwrap();
    std::fs::write(t.root.join("token.tst"), &token).unwrap();
    let said = common::tsa::openssl(
        &t.root,
        &[
            "ts",
            "-verify",
            "-data",
            "cp.msg",
            "-in",
            "token.tst",
            "-token_in",
            "-CAfile",
            s(&tsa.root()),
        ],
    );
    assert!(said.contains("Verification: OK"), "{said}");

    // Without the root the tokens prove nothing, and both the report and stderr say so.
    let out = bundle_verify(&t, &bundle, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let r = json(&stdout(&out));
    assert!(r.get("proven_before").is_none(), "{r}");
    assert!(common::cli::stderr(&out).contains("--tsa-root"), "{out:?}");
    assert!(
        r["limitations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("timestamp tokens")),
        "{r}"
    );
}

#[test]
fn bundle_whose_token_bytes_are_altered_is_tampered() {
    let (t, tsa) = stamped_case("tsaev-bundle-altered");
    let bundle = export(&t, "case.bundle");
    let token = std::fs::read(token_path(&t)).unwrap();
    let mut bytes = std::fs::read(&bundle).unwrap();
    let at = bytes
        .windows(token.len())
        .position(|w| w == token.as_slice())
        .expect("the token is in the bundle");
    let g = common::tsa::gen_time_offset(&token);
    bytes[at + g + 3] ^= 0x01; // the token's genTime, back-dated or forward by a digit
    let altered = t.root.join("altered.bundle");
    std::fs::write(&altered, bytes).unwrap();
    let out = bundle_verify(&t, &altered, &["--tsa-root", s(&tsa.root()), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let r = json(&stdout(&out));
    assert!(
        finding_kinds(&r).contains(&"bad_timestamp".to_owned()),
        "{r}"
    );
    assert!(r.get("proven_before").is_none(), "{r}");
}

#[test]
fn version_1_bundle_without_tokens_still_verifies() {
    let (t, tsa) = stamped_case("tsaev-bundle-v1");
    let bundle = export(&t, "case.bundle");
    let bytes = std::fs::read(&bundle).unwrap();
    let manifest = liuhen::bundle::BundleManifest::read(&mut bytes.as_slice()).unwrap();
    let len = u64::from_be_bytes(bytes[16..24].try_into().unwrap()) as usize;
    // The version-1 encoding: the same fields without `timestamps` (postcard: fields in order).
    let v1 = liuhen::encoding::encode(
        liuhen::bundle::MANIFEST_LABEL,
        &(
            &manifest.case_no,
            &manifest.vkey,
            &manifest.checkpoint,
            &manifest.entries,
            &manifest.openings,
            &manifest.media,
        ),
    )
    .unwrap();
    let mut file = liuhen::bundle::BUNDLE_MAGIC_V1.to_vec();
    file.extend_from_slice(&(v1.len() as u64).to_be_bytes());
    file.extend_from_slice(&v1);
    file.extend_from_slice(&bytes[24 + len..]);
    let old = t.root.join("v1.bundle");
    std::fs::write(&old, file).unwrap();
    for extra in [
        &["--json"][..],
        &["--json", "--tsa-root", s(&tsa.root())][..],
    ] {
        let out = bundle_verify(&t, &old, extra);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let r = json(&stdout(&out));
        assert_eq!(r["verdict"], "verified", "{r}");
        assert!(r.get("timestamps").is_none(), "{r}");
        assert!(r.get("proven_before").is_none(), "{r}");
    }
}

#[test]
fn bundle_proven_before_is_the_earliest_of_witness_and_tsa_times() {
    use common::cosign::{cosign_latest, policy_text, write_policy, Witness, COSIGNED_AT};
    let (t, tsa) = stamped_case("tsaev-bundle-witness");
    // The witness cosigns the same checkpoint (its cosignature time is 2026-01-01, before the
    // TSA's genTime of now): the earlier of the two is the proven-before time.
    let w = Witness::new("w1", 0x71);
    cosign_latest(&t.dir, &[&w]);
    let log = liuhen::keyfile::read_verifier_key(&t.vkey).unwrap();
    let policy = write_policy(
        &t.root.join("auditor.policy"),
        &policy_text(Some(&log), &[("w1", &w)], &[], "w1"),
    );
    let bundle = export(&t, "case.bundle");
    let out = bundle_verify(
        &t,
        &bundle,
        &["--policy", &policy, "--tsa-root", s(&tsa.root()), "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let r = json(&stdout(&out));
    assert_eq!(r["timestamps"][0]["checked"], true, "{r}");
    assert!(r["timestamps"][0]["gen_time"].is_i64(), "{r}");
    let p = &r["proven_before"];
    assert_eq!(p["source"]["kind"], "cosignature", "{r}");
    assert_eq!(p["source"]["witness"], "w1", "{r}");
    assert_eq!(p["time"], COSIGNED_AT as i64 * 1000, "{r}");
    let text = stdout(&bundle_verify(
        &t,
        &bundle,
        &["--policy", &policy, "--tsa-root", s(&tsa.root())],
    ));
    assert!(
        text.contains("existed before 2026-01-01T00:00:00") && text.contains("witness w1"),
        "{text}"
    );
}
