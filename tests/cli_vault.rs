//! End to end, with the real binary: personal data through `liuhen vault` and `liuhen bundle
//! export` — sealed into the vault, viewed and disclosed only with a trace in the ledger
//! (RecordViewed, RecordDisclosed), erased lawfully (refused under a preservation order or a
//! retention period), gone from every file of the ledger directory afterwards, and certified.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::cli::{
    describe, expect_code, expect_stderr, json, liuhen, path_str as s, scratch, stderr,
    wait_or_kill,
};
use common::dir::{files_containing, StaffedDir};
use liuhen::model::{Event, RecordRef, Sealed};
use liuhen::store::file::FileStore;
use serde_json::Value;

const CASE: &str = "金民执〔2026〕31号";
const OTHER_CASE: &str = "金民执〔2026〕32号";
/// The party of CASE: what must be gone from every file after erasure.
const PARTY: &str = "大连某某贸易有限公司 王某某";
/// The party of OTHER_CASE, which is never disclosed with CASE and never erased.
const OTHER_PARTY: &str = "金普新区某某协会 李某";
const RECIPIENT: &str = "大连市中级人民法院 第三审判庭";

fn now_ms() -> i64 {
    liuhen::Clock::now(&liuhen::SystemClock).millis()
}

/// A ledger directory made with `liuhen init` (the ledger's vkey kept outside it), an
/// authorized officer key, an unauthorized key and a data-protection approver's key (the
/// approver of destruction certificates must be a key the ledger knows).
fn setup(name: &str) -> StaffedDir {
    StaffedDir::init(scratch(name), true)
}

/// A request for the records of CASE by `requester` (a commitment), on `basis`.
fn access_requested(request: &str, requester: &str, basis: &str) -> Value {
    serde_json::json!({ "AccessRequested": {
        "request": request, "case_no": CASE, "requester": requester, "basis": basis,
    }})
}

fn access_decided(request: &str, granted: bool, reason: &str) -> Value {
    serde_json::json!({ "AccessDecided": {
        "request": request, "granted": granted, "reason": reason,
    }})
}

/// `liuhen vault check-certificate CERT --vkey VKEY EXTRA...`.
fn check_certificate(cert: &Path, vkey: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["vault", "check-certificate", s(cert), "--vkey", vkey];
    args.extend_from_slice(extra);
    liuhen(args)
}

/// `liuhen vault certificate DIR --commitment C... --key-file KEY EXTRA...`.
fn certificate(
    t: &StaffedDir,
    commitments: &[&str],
    key: &Path,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec!["vault", "certificate", s(&t.dir), "--commitment"];
    args.extend_from_slice(commitments);
    args.extend_from_slice(&["--key-file", s(key)]);
    args.extend_from_slice(extra);
    liuhen(args)
}

/// Files a document of `case_no`: digested with `liuhen digest`, stored in DIR/media, recorded
/// with a `DocumentFiled` statement (a case closed without any record is an Art. 9 violation,
/// which `liuhen verify` reports). Returns its digest.
fn file_document(t: &StaffedDir, case_no: &str, name: &str) -> liuhen::Digest {
    let path = t.root.join(name);
    std::fs::write(
        &path,
        format!("现场检查笔录 inspection record of {case_no}"),
    )
    .unwrap();
    let out = liuhen(["digest", s(&path), "--json", "--mime", "application/pdf"]);
    let media = json(&expect_code(&out, 0));
    let reference: liuhen::model::MediaRef = serde_json::from_value(media.clone()).unwrap();
    liuhen::media::MediaStore::open(t.dir.join("media"))
        .unwrap()
        .put_file(&path, &reference)
        .unwrap();
    t.append_json(
        &t.officer,
        &[serde_json::json!({ "DocumentFiled": {
            "case_no": case_no,
            "stage": "Investigation",
            "kind": "InvestigationRecord",
            "media": media,
            "officers": ["21020001", "21020002"],
        }})],
    );
    reference.digest
}

fn case_opened(case_no: &str, subject: &str) -> Value {
    serde_json::json!({ "CaseOpened": {
        "case_no": case_no,
        "act": "Inspection",
        "matter": "年度检查 annual inspection",
        "unit": "社会组织管理科",
        "subject": subject,
    }})
}

#[test]
fn personal_data_is_sealed_viewed_disclosed_and_erased_with_a_trace() {
    let t = setup("vault-flow");
    let dir = &t.dir;

    // ---- seal: the value from standard input, the commitment on stdout, never the value.
    let out = t.vault_stdin("seal", "party.name", format!("{PARTY}\n").as_bytes(), &[]);
    let party = expect_code(&out, 0).trim().to_owned();
    assert_eq!(party.len(), 64, "{}", describe(&out));
    assert!(party.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(!stderr(&out).contains(PARTY));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("vault"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }
    // The other case's party from a file, with JSON output.
    let value_file = t.root.join("other-party.txt");
    std::fs::write(&value_file, OTHER_PARTY).unwrap();
    let out = liuhen([
        "vault",
        "seal",
        s(dir),
        "--field",
        "party.name",
        "--value-file",
        s(&value_file),
        "--json",
    ]);
    let v = json(&expect_code(&out, 0));
    assert_eq!(v["field"], "party.name");
    let other_party = v["commitment"].as_str().unwrap().to_owned();
    assert_ne!(other_party, party);
    assert!(!expect_code(&out, 0).contains(OTHER_PARTY));

    // ---- the commitments go into statements.
    t.append_json(
        &t.officer,
        &[
            case_opened(CASE, &party),
            case_opened(OTHER_CASE, &other_party),
        ],
    );
    let document = file_document(&t, CASE, "检查笔录-31.pdf");
    file_document(&t, OTHER_CASE, "检查笔录-32.pdf");
    let hits = files_containing(&dir.join("ledger"), PARTY.as_bytes());
    assert!(hits.is_empty(), "the ledger holds the value in {hits:?}");

    // ---- show: an unauthorized key sees nothing and leaves the ledger as it was.
    let before = t.size();
    let out = t.vault_show(CASE, &t.stranger, "好奇 curiosity", &[]);
    expect_code(&out, 3);
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    assert!(
        stderr(&out).contains("not an authorized key"),
        "{}",
        describe(&out)
    );
    assert!(
        stderr(&out).contains("nothing was shown"),
        "{}",
        describe(&out)
    );
    assert!(!stderr(&out).contains(PARTY));
    assert_eq!(t.size(), before);

    // The officer's view is recorded first, then shown.
    let out = t.vault_show(CASE, &t.officer, "复核 review", &["--json"]);
    let v = json(&expect_code(&out, 0));
    assert_eq!(v["case_no"], CASE);
    let openings = v["openings"].as_array().unwrap();
    assert_eq!(openings.len(), 1, "{v}");
    assert_eq!(openings[0]["field"], "party.name");
    assert_eq!(openings[0]["value"], PARTY);
    assert_eq!(openings[0]["commitment"], party.as_str());
    assert!(v["erased"].as_array().unwrap().is_empty());
    assert!(v["missing"].as_array().unwrap().is_empty());
    let viewed = v["viewed"]["seq"].as_u64().unwrap();
    assert_eq!(viewed, before);
    assert_eq!(t.size(), before + 1);
    assert_eq!(v["viewed"]["by"], "21020001");
    match t.event_at(viewed) {
        Event::RecordViewed {
            subject: RecordRef::Case(c),
            by,
            purpose,
        } => {
            assert_eq!(c, CASE);
            assert_eq!(by, "21020001");
            assert_eq!(purpose, "复核 review");
        }
        other => panic!("entry {viewed} is {}", other.name()),
    }
    // The human form says the same.
    let out = t.vault_show(CASE, &t.officer, "复核 review", &[]);
    let text = expect_code(&out, 0);
    assert!(text.contains(&format!("party.name = {PARTY}")), "{text}");
    assert!(
        text.contains(&format!("RecordViewed, entry {}", viewed + 1)),
        "{text}"
    );

    // ---- the court asks for the case's records (Art. 19), and the request is granted.
    let requester = t.commit_value("seal", "requester.name", RECIPIENT);
    t.append_json(
        &t.officer,
        &[
            access_requested(
                "REQ-2026-031",
                &requester,
                "行政诉讼调卷 court file request",
            ),
            access_decided("REQ-2026-031", true, "依法准予 granted"),
        ],
    );

    // ---- bundle export: the disclosure is recorded, signed by the discloser.
    t.seal_ok();
    let bundle = t.root.join("case-31.bundle");
    let before = t.size();
    let out = t.bundle_export_stdin(
        CASE,
        &t.stranger,
        &["--to-file", "-", "-o", s(&bundle)],
        RECIPIENT.as_bytes(),
    );
    expect_stderr(&out, 3, &["may not record the disclosure"]);
    assert!(!bundle.exists());
    assert_eq!(t.size(), before);

    let out = t.bundle_export_stdin(
        CASE,
        &t.officer,
        &[
            "--request",
            "REQ-2026-031",
            "--to-file",
            "-",
            "--with-media",
            "-o",
            s(&bundle),
            "--json",
        ],
        RECIPIENT.as_bytes(),
    );
    let v = json(&expect_code(&out, 0));
    let bytes = std::fs::read(&bundle).unwrap();
    let digest = liuhen::hash::blake3(&bytes);
    assert_eq!(v["blake3"], digest.to_hex());
    assert_eq!(v["bytes"], bytes.len() as u64);
    // The party and the requester: the case's sealed fields, no other case's.
    assert_eq!(v["openings"], 2);
    assert_eq!(v["openings_from"], "vault");
    assert_eq!(v["disclosure"]["recipient"], "requester");
    assert_eq!(v["disclosure"]["request"], "REQ-2026-031");
    assert_eq!(v["disclosure"]["holder"], "21020001");
    assert_eq!(v["media_included"], 1);
    assert!(!PathBuf::from(format!("{}.partial", s(&bundle))).exists());
    let disclosed = v["disclosure"]["seq"].as_u64().unwrap();
    assert_eq!(disclosed, before);
    assert_eq!(t.size(), before + 1);
    let recipient = match t.event_at(disclosed) {
        Event::RecordDisclosed { case_no, to, what } => {
            assert_eq!(case_no, CASE);
            assert_eq!(
                what,
                vec![digest, document],
                "what: the bundle's BLAKE3, then the media it carries"
            );
            assert_eq!(v["disclosure"]["to"], to.0.to_hex());
            // The disclosure names the requester's commitment: tied to the request.
            assert_eq!(to.0.to_hex(), requester);
            to
        }
        other => panic!("entry {disclosed} is {}", other.name()),
    };
    // The recipient is in the ledger only as a commitment.
    assert!(files_containing(&dir.join("ledger"), RECIPIENT.as_bytes()).is_empty());

    // The bundle verifies and holds exactly that case's openings.
    let out = liuhen([
        "bundle",
        "verify",
        s(&bundle),
        "--vkey",
        s(&t.vkey),
        "--json",
    ]);
    let r = json(&expect_code(&out, 0));
    assert_eq!(r["verdict"], "verified");
    assert_eq!(r["case_no"], CASE);
    let opened = r["openings"].as_array().unwrap();
    let opened: Vec<(&str, &str, &str)> = opened
        .iter()
        .map(|o| {
            (
                o["field"].as_str().unwrap(),
                o["value"].as_str().unwrap(),
                o["commitment"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        opened,
        vec![
            ("party.name", PARTY, party.as_str()),
            ("requester.name", RECIPIENT, requester.as_str()),
        ]
    );
    let needle = |n: &str| bytes.windows(n.len()).any(|w| w == n.as_bytes());
    assert!(needle(PARTY));
    assert!(!needle(OTHER_PARTY), "another case's party was disclosed");

    // ---- close both cases: CASE with a retention already over, OTHER_CASE permanently; then
    // a preservation order on CASE.
    let past = now_ms() - 86_400_000;
    let seqs = t.append_json(
        &t.officer,
        &[
            serde_json::json!({ "CaseClosed": {
                "case_no": CASE, "outcome": "检查合格 passed",
                "file_retention": { "Until": past },
            }}),
            serde_json::json!({ "CaseClosed": {
                "case_no": OTHER_CASE, "outcome": "责令改正 ordered to correct",
                "file_retention": "Permanent",
            }}),
            serde_json::json!({ "PreservationOrdered": {
                "case_no": CASE, "trigger": "PartyObjection",
            }}),
        ],
    );
    let (permanent, order) = (seqs[1], seqs[2]);

    let erase = |commitment: &str, json_out: bool| {
        let mut args = vec![
            "vault".to_owned(),
            "erase".into(),
            s(dir).into(),
            "--commitment".into(),
            commitment.into(),
            "--authority".into(),
            "个人信息保护负责人".into(),
            "--key-file".into(),
            s(&t.officer).into(),
        ];
        if json_out {
            args.push("--json".into());
        }
        liuhen(args)
    };
    let before = t.size();
    let out = erase(&party, false);
    expect_code(&out, 3);
    let err = stderr(&out);
    assert!(err.contains("preservation order"), "{err}");
    assert!(err.contains(&format!("entry {order}")), "{err}");
    assert!(err.contains(CASE), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert_eq!(t.size(), before);
    assert!(dir.join("vault").join(&party).exists());

    // A retention period that still runs refuses too, naming the case and the entry.
    let out = erase(&other_party, false);
    expect_code(&out, 3);
    let err = stderr(&out);
    assert!(err.contains(OTHER_CASE), "{err}");
    assert!(err.contains(&format!("entry {permanent}")), "{err}");
    assert!(err.contains("Art. 17"), "{err}");
    // A commitment the ledger never names.
    let out = erase(&"ab".repeat(32), false);
    expect_stderr(&out, 3, &["appears in no ledger entry"]);
    assert_eq!(t.size(), before);

    // Released: the erasure is recorded, then done; again is harmless.
    t.append_json(
        &t.officer,
        &[serde_json::json!({ "PreservationReleased": {
            "case_no": CASE, "approved_by": "局长办公会",
        }})],
    );
    let out = erase(&party, true);
    let v = json(&expect_code(&out, 0));
    let erased_party = v["seq"].as_u64().unwrap();
    assert_eq!(v["appended"], true);
    assert_eq!(v["commitment"], party.as_str());
    match t.event_at(erased_party) {
        Event::Erased {
            commitment,
            authority,
        } => {
            assert_eq!(commitment.0.to_hex(), party);
            assert_eq!(authority, "个人信息保护负责人");
        }
        other => panic!("entry {erased_party} is {}", other.name()),
    }
    let out = erase(&party, true);
    let v = json(&expect_code(&out, 0));
    assert_eq!(v["seq"], erased_party);
    assert_eq!(v["appended"], false);
    let out = erase(&recipient.0.to_hex(), false);
    let text = expect_code(&out, 0);
    assert!(text.contains("Erased"), "{text}");
    let erased_recipient = t.size() - 1;

    // ---- nothing of the erased values is left in any file of the ledger directory.
    for value in [PARTY, RECIPIENT] {
        let hits = files_containing(dir, value.as_bytes());
        assert!(hits.is_empty(), "{value:?} is still in {hits:?}");
    }
    // (The search works: the other case's party is still in the vault.)
    assert!(!files_containing(dir, OTHER_PARTY.as_bytes()).is_empty());
    let out = liuhen(["vault", "complete", s(dir), "--json"]);
    assert_eq!(json(&expect_code(&out, 0))["completed"], 0);

    // The vault says erased, with the entries.
    let out = t.vault_show(CASE, &t.officer, "核对删除 check the erasure", &["--json"]);
    let v = json(&expect_code(&out, 0));
    assert!(v["openings"].as_array().unwrap().is_empty(), "{v}");
    let mut erased: Vec<u64> = v["erased"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    erased.sort_unstable();
    assert_eq!(erased, vec![erased_party, erased_recipient]);

    // ---- the ledger still verifies against the independently kept key. (Integrity only: the
    // case closed with a retention already over, for the erasure above, is an Art. 17 audit
    // finding.)
    t.seal_ok();
    let out = liuhen(["verify", s(dir), "--vkey", s(&t.vkey), "--no-audit"]);
    expect_code(&out, 0);

    // ---- a destruction certificate, issued and checked.
    let cert = t.root.join("erasure.cert");
    let out = certificate(
        &t,
        &[&party, &recipient.0.to_hex()],
        t.approver(),
        &["-o", s(&cert)],
    );
    let text = expect_code(&out, 0);
    assert!(text.contains("2 erasure(s)"), "{text}");
    let note = std::fs::read_to_string(&cert).unwrap();
    assert!(
        note.starts_with("liuhen destruction certificate v1\n"),
        "{note}"
    );
    assert!(!note.contains(PARTY) && !note.contains(RECIPIENT));
    let approver_vkey = format!("{}.vkey", s(t.approver()));
    let out = check_certificate(&cert, &approver_vkey, &["--ledger", s(dir)]);
    let text = expect_code(&out, 0);
    assert!(text.starts_with("VERIFIED"), "{text}");
    assert!(text.contains("agrees with the ledger"), "{text}");
    let out = check_certificate(&cert, &approver_vkey, &["--json"]);
    let v = json(&expect_code(&out, 0));
    assert_eq!(v["verified"], true);
    assert_eq!(v["ledger_checked"], false);
    assert_eq!(v["approver"], "dpo-jinpu");
    assert_eq!(v["items"][0]["commitment"], party.as_str());
    assert_eq!(v["items"][0]["seq"], erased_party);
    assert_eq!(v["items"][1]["seq"], erased_recipient);

    // A certificate signed by a key the ledger never authorized verifies as a note, but not
    // against the ledger (1).
    let stray = t.root.join("stray.cert");
    let out = certificate(&t, &[&party], &t.stranger, &["-o", s(&stray)]);
    expect_code(&out, 0);
    let stranger_vkey = format!("{}.vkey", s(&t.stranger));
    let out = check_certificate(&stray, &stranger_vkey, &[]);
    expect_code(&out, 0);
    let out = check_certificate(&stray, &stranger_vkey, &["--ledger", s(dir)]);
    let text = expect_code(&out, 1);
    assert!(text.contains("not registered"), "{text}");

    // Another key: does not verify (1).
    let officer_vkey = format!("{}.vkey", s(&t.officer));
    let out = check_certificate(&cert, &officer_vkey, &[]);
    let text = expect_code(&out, 1);
    assert!(text.starts_with("NOT VERIFIED"), "{text}");
    let out = check_certificate(&cert, &officer_vkey, &["--json"]);
    assert_eq!(json(&expect_code(&out, 1))["verified"], false);
    // An altered certificate: does not verify (1).
    let altered = t.root.join("altered.cert");
    std::fs::write(&altered, note.replace("个人信息保护负责人", "局长")).unwrap();
    let out = check_certificate(&altered, &approver_vkey, &[]);
    expect_code(&out, 1);
    // A genuine certificate against another ledger disagrees (1).
    let other = setup("vault-flow-other-ledger");
    let out = check_certificate(&cert, &approver_vkey, &["--ledger", s(&other.dir)]);
    let text = expect_code(&out, 1);
    assert!(text.contains("NOT VERIFIED"), "{text}");

    // A commitment that was never erased cannot be certified.
    let out = certificate(&t, &[&other_party], t.approver(), &[]);
    expect_stderr(&out, 3, &["records no erasure"]);
}

#[test]
fn disclosure_answering_a_request_names_the_requester() {
    let t = setup("vault-request");
    let dir = &t.dir;
    let party = t.commit_value("seal", "party.name", PARTY);
    let requester = t.commit_value("seal", "requester.name", "张三");
    t.append_json(
        &t.officer,
        &[
            case_opened(CASE, &party),
            access_requested("REQ-2026-007", &requester, "当事人申请 the party's request"),
        ],
    );
    t.seal_ok();
    let export = |request: &str, output: &Path| {
        t.bundle_export(
            CASE,
            &t.officer,
            &[
                "--request",
                request,
                "--no-openings",
                "-o",
                s(output),
                "--json",
            ],
        )
    };
    let bundle = t.root.join("req.bundle");
    // Not decided yet, unknown, or refused: nothing is written or appended.
    let before = t.size();
    let out = export("REQ-2026-007", &bundle);
    expect_stderr(&out, 3, &["has not been decided"]);
    let out = export("REQ-2026-404", &bundle);
    expect_stderr(&out, 3, &["no AccessRequested"]);
    assert!(!bundle.exists());
    assert_eq!(t.size(), before);

    t.append_json(
        &t.officer,
        &[access_decided("REQ-2026-007", true, "依法准予 granted")],
    );
    t.seal_ok();
    // If the disclosure cannot be recorded (here: another writer holds the ledger's lock),
    // the bundle, already written, is removed: no disclosure without a trace.
    let writer = FileStore::open(dir.join("ledger")).unwrap();
    let before = t.size();
    let out = export("REQ-2026-007", &bundle);
    expect_stderr(&out, 3, &["the bundle was removed"]);
    assert!(!bundle.exists());
    assert!(!t.root.join("req.bundle.partial").exists());
    drop(writer);
    assert_eq!(t.size(), before);

    let out = export("REQ-2026-007", &bundle);
    let v = json(&expect_code(&out, 0));
    assert_eq!(v["openings"], 0);
    assert_eq!(v["openings_from"], "none");
    assert_eq!(v["disclosure"]["recipient"], "requester");
    assert_eq!(v["disclosure"]["request"], "REQ-2026-007");
    let seq = v["disclosure"]["seq"].as_u64().unwrap();
    match t.event_at(seq) {
        Event::RecordDisclosed { to, what, .. } => {
            assert_eq!(to, Sealed(liuhen::Digest::from_hex(&requester).unwrap()));
            assert_eq!(
                what,
                vec![liuhen::hash::blake3(&std::fs::read(&bundle).unwrap())]
            );
        }
        other => panic!("entry {seq} is {}", other.name()),
    }
    // No opening was disclosed: the bundle carries commitments only.
    let bytes = std::fs::read(&bundle).unwrap();
    assert!(!bytes.windows(PARTY.len()).any(|w| w == PARTY.as_bytes()));

    // The disclosure is an entry of the case after the checkpoint: seal before exporting again.
    let again = t.root.join("again.bundle");
    let out = export("REQ-2026-007", &again);
    expect_stderr(&out, 3, &["seal first"]);
    assert!(!again.exists());

    // Under cover of the request, only the requester may receive the records.
    t.seal_ok();
    let before = t.size();
    let out = t.bundle_export(
        CASE,
        &t.officer,
        &["--request", "REQ-2026-007", "--to", "李四", "-o", s(&again)],
    );
    expect_stderr(&out, 3, &["made by someone other than the recipient"]);
    // A refused request discloses nothing.
    let other = t.commit_value("seal", "requester.name", "王五");
    t.append_json(
        &t.officer,
        &[
            access_requested("REQ-2026-008", &other, "第三人申请 a third party's request"),
            access_decided("REQ-2026-008", false, "非当事人 not a party"),
        ],
    );
    t.seal_ok();
    let before_refused = t.size();
    let out = export("REQ-2026-008", &again);
    expect_stderr(&out, 3, &["was refused"]);
    assert!(!again.exists());
    assert_eq!(t.size(), before_refused);
    assert_eq!(before_refused, before + 2);

    // Without a request, another recipient is sealed into the vault as recipient.name.
    let court = t.root.join("court.txt");
    std::fs::write(&court, "大连市人民检察院\n").unwrap();
    let out = t.bundle_export(
        CASE,
        &t.officer,
        &[
            "--to-file",
            s(&court),
            "--no-openings",
            "-o",
            s(&again),
            "--json",
        ],
    );
    let v = json(&expect_code(&out, 0));
    assert_eq!(v["disclosure"]["recipient"], "new");
    assert_eq!(v["disclosure"]["request"], Value::Null);
    assert!(files_containing(&dir.join("ledger"), "大连市人民检察院".as_bytes()).is_empty());
    let out = t.vault_show(
        CASE,
        &t.officer,
        "核对披露 check the disclosure",
        &["--json"],
    );
    let v2 = json(&expect_code(&out, 0));
    let recipient = v2["openings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["commitment"] == v["disclosure"]["to"])
        .unwrap_or_else(|| panic!("the recipient is not in the vault: {v2}"));
    assert_eq!(recipient["field"], "recipient.name");
    assert_eq!(recipient["value"], "大连市人民检察院");
}

#[test]
fn bad_arguments_are_usage_errors() {
    let t = setup("vault-usage");
    let dir = &t.dir;
    let not_a_ledger = t.root.join("not-a-ledger");
    std::fs::create_dir(&not_a_ledger).unwrap();
    let unknown = "ab".repeat(32);
    let missing = t.root.join("missing.cert");
    let show = [
        "vault",
        "show",
        s(dir),
        "--case",
        CASE,
        "--key-file",
        s(&t.officer),
    ];
    let export = [
        "bundle",
        "export",
        s(dir),
        "--case",
        CASE,
        "--key-file",
        s(&t.officer),
    ];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        // No value at all, and both forms at once.
        (vec!["vault", "seal", s(dir), "--field", "party.name"], ""),
        (
            vec![
                "vault",
                "seal",
                s(dir),
                "--field",
                "party.name",
                "--value",
                "x",
                "--value-file",
                "-",
            ],
            "",
        ),
        (
            vec!["vault", "seal", s(dir), "--field", "", "--value", "x"],
            "not a field name",
        ),
        (
            vec![
                "vault",
                "seal",
                s(&not_a_ledger),
                "--field",
                "party.name",
                "--value",
                "x",
            ],
            "not a liuhen ledger directory",
        ),
        (show.to_vec(), ""),
        (
            [&show[..], &["--purpose", "x"]].concat(),
            "links no sealed field",
        ),
        (
            vec![
                "vault",
                "erase",
                s(dir),
                "--commitment",
                "xyz",
                "--authority",
                "a",
                "--key-file",
                s(&t.officer),
            ],
            "not a commitment",
        ),
        (
            vec![
                "vault",
                "certificate",
                s(dir),
                "--commitment",
                &unknown,
                "--key-file",
                s(t.approver()),
                "--approver",
                "someone-else",
            ],
            "--approver",
        ),
        (
            vec![
                "vault",
                "check-certificate",
                s(&missing),
                "--vkey",
                s(&t.vkey),
            ],
            "cannot read",
        ),
        (
            vec![
                "vault",
                "check-certificate",
                s(&t.vkey),
                "--vkey",
                "nonsense",
            ],
            "no such file",
        ),
        (
            vec![
                "bundle",
                "export",
                s(dir),
                "--case",
                CASE,
                "--to",
                "x",
                "-o",
                "x.bundle",
            ],
            "--key-file",
        ),
        ([&export[..], &["-o", "x.bundle"]].concat(), ""),
        (
            [
                &export[..],
                &[
                    "--to",
                    "x",
                    "--no-openings",
                    "--openings",
                    "o.jsonl",
                    "-o",
                    "x.bundle",
                ],
            ]
            .concat(),
            "cannot be used with",
        ),
    ];
    let before = t.size();
    for (args, says) in cases {
        let out = liuhen(&args);
        expect_code(&out, 3);
        assert!(
            stderr(&out).contains(says),
            "{args:?} should say {says:?}\n{}",
            describe(&out)
        );
    }
    assert_eq!(t.size(), before);
    assert!(!not_a_ledger.join("vault").exists());
    // A file that is not a signed note is unreadable (3), not a failed verification (1).
    let garbage = t.root.join("garbage.cert");
    std::fs::write(&garbage, b"\x00\x01 not a note").unwrap();
    let out = check_certificate(&garbage, &format!("{}.vkey", s(t.approver())), &[]);
    expect_stderr(&out, 3, &["not a signed note"]);
}

/// Runs `liuhen ARGS` and kills it if it has not finished within a generous watchdog (a FIFO
/// planted in the vault must not make a command block forever).
fn liuhen_watched(args: &[String]) -> std::process::Output {
    let child = common::cli::spawn(args, std::process::Stdio::null());
    wait_or_kill(
        child,
        std::time::Duration::from_secs(120),
        &format!("liuhen {args:?}"),
    )
}

/// Issue 11 item 7: `vault erase` followed a symbolic link planted in `vault/` in place of a
/// record and zero-filled its target (the ledger key). The vault never follows, overwrites or
/// reads through a file it did not write — a symbolic link, a hard link to a file elsewhere, a
/// directory, a FIFO: the erasure is refused as tampering (exit 1) before anything is appended,
/// and nothing outside the vault is touched.
#[test]
fn vault_erase_refuses_a_symlink_planted_in_the_vault() {
    let t = setup("vault-planted");
    let dir = &t.dir;
    let names = ["symlink", "hardlink", "directory", "fifo"];
    let mut commitments = Vec::new();
    for (i, what) in names.iter().enumerate() {
        let c = t.commit_value("seal", "party.name", &format!("当事人 {what}\n"));
        let case_no = format!("金民执〔2026〕{}号", 70 + i);
        let past = now_ms() - 86_400_000;
        t.append_json(
            &t.officer,
            &[
                case_opened(&case_no, &c),
                serde_json::json!({ "CaseClosed": {
                    "case_no": case_no, "outcome": "检查合格 passed",
                    "file_retention": { "Until": past },
                }}),
            ],
        );
        commitments.push(c);
    }
    let ledger_key = dir.join("keys/ledger.key");
    let key_bytes = std::fs::read(&ledger_key).unwrap();
    let victim = t.root.join("victim.txt");
    std::fs::write(&victim, b"a file outside the vault").unwrap();
    let record = |c: &str| dir.join("vault").join(c);

    // What an intruder with write access to vault/ plants in place of each record.
    std::fs::remove_file(record(&commitments[0])).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&ledger_key, record(&commitments[0])).unwrap();
    std::fs::remove_file(record(&commitments[1])).unwrap();
    std::fs::hard_link(&victim, record(&commitments[1])).unwrap();
    std::fs::remove_file(record(&commitments[2])).unwrap();
    std::fs::create_dir(record(&commitments[2])).unwrap();
    std::fs::remove_file(record(&commitments[3])).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(record(&commitments[3]))
        .status()
        .map(|s| s.success())
        .unwrap_or(false);

    for (what, c) in names.iter().zip(&commitments) {
        if *what == "fifo" && !fifo {
            continue;
        }
        let before = t.size();
        let args: Vec<String> = [
            "vault",
            "erase",
            s(dir),
            "--commitment",
            c.as_str(),
            "--authority",
            "个人信息保护负责人",
            "--key-file",
            s(&t.officer),
        ]
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
        let out = liuhen_watched(&args);
        expect_code(&out, 1);
        let err = stderr(&out);
        assert!(err.contains("tampered"), "{what}: {err}");
        assert!(err.contains(c.as_str()), "{what}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{what}: {err}");
        assert_eq!(t.size(), before, "{what}: an erasure was appended");
        // Showing the case does not read through the planted file either.
        let case_no = format!(
            "金民执〔2026〕{}号",
            70 + names.iter().position(|n| n == what).unwrap()
        );
        let out = liuhen_watched(
            &[
                "vault",
                "show",
                s(dir),
                "--case",
                &case_no,
                "--key-file",
                s(&t.officer),
                "--purpose",
                "核对 check",
            ]
            .map(str::to_owned),
        );
        expect_code(&out, 1);
        // Exporting the case's bundle (which takes its openings from the vault) is refused as
        // tampering too, and nothing is written or appended.
        let before = t.size();
        let bundle = t.root.join(format!("planted-{what}.bundle"));
        let out = liuhen_watched(
            &[
                "bundle",
                "export",
                s(dir),
                "--case",
                &case_no,
                "--key-file",
                s(&t.officer),
                "--to",
                "监督科 supervision section",
                "-o",
                s(&bundle),
            ]
            .map(str::to_owned),
        );
        expect_code(&out, 1);
        assert!(
            stderr(&out).contains("tampered"),
            "{what}: {}",
            stderr(&out)
        );
        assert!(!bundle.exists(), "{what}: a bundle was written");
        assert_eq!(t.size(), before, "{what}: a disclosure was appended");
    }
    // Nothing outside the vault was touched; the planted files are left for the investigation.
    assert_eq!(std::fs::read(&ledger_key).unwrap(), key_bytes);
    assert_eq!(
        std::fs::read(&victim).unwrap(),
        b"a file outside the vault".to_vec()
    );
    assert!(std::fs::symlink_metadata(record(&commitments[0]))
        .unwrap()
        .file_type()
        .is_symlink());
    // The ledger still verifies: nothing was appended.
    let out = liuhen(["verify", s(dir), "--vkey", s(&t.vkey)]);
    assert_ne!(out.status.code(), Some(1), "{}", describe(&out));
}
