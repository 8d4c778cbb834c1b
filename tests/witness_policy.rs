//! Verification with a witness policy, through the real binary: `liuhen verify --policy`,
//! `check-proof --policy` and `bundle verify --policy` (C2SP tlog-policy files; cosignatures
//! made by the test kit's stand-in witness, `common::cosign`).
//!
//! The attack the policy exists for: the bureau, holding the ledger key, removes an entry,
//! rebuilds the tree and re-signs every checkpoint. Without witnesses `verify` says VERIFIED;
//! with the policy it cannot, and a bundle exported before the rewrite proves the split view.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::cli::{expect_code, fork_guard, json, liuhen_guarded, scratch, stderr};
use common::cosign::{
    cosign_latest, latest_checkpoint, policy_text, store_checkpoint, write_policy, Witness,
};
use common::dir::StaffedDir;
use common::{forge, ORIGIN};
use liuhen::checkpoint::{NoteVerifier, SignedCheckpoint};
use liuhen::store::file::FileStore;
use liuhen::{Entry, StoreRead, StoreWrite};
use serde_json::{json, Value};

const CASE: &str = "金民执〔2026〕61号";

/// A ledger directory with an officer, one case of four entries, sealed.
fn ledger(name: &str) -> StaffedDir {
    let t = StaffedDir::init(scratch(name), false);
    let party = t.commit_value("commit", "party.name", "大连某某社会组织\n");
    t.append_json(
        &t.officer,
        &[
            json!({ "CaseOpened": {
                "case_no": CASE, "act": "Inspection", "matter": "年度检查",
                "unit": "社会组织管理科", "subject": party,
            }}),
            viewed("复核 review"),
            viewed("质证 cross-examination"),
            json!({ "CircumstanceReported": {
                "case_no": CASE, "trigger": "PartyObjection", "summary": "当事人提出异议",
            }}),
        ],
    );
    t.seal_ok();
    t
}

fn viewed(purpose: &str) -> Value {
    json!({ "RecordViewed": { "subject": { "Case": CASE }, "by": "21020009", "purpose": purpose } })
}

fn log_vkey(t: &StaffedDir) -> NoteVerifier {
    liuhen::keyfile::read_verifier_key(&t.vkey).unwrap()
}

/// `verify DIR --vkey … --no-audit --policy POLICY EXTRA… --json`, expecting `code`.
fn verify_json(t: &StaffedDir, policy: &str, extra: &[&str], code: i32) -> Value {
    let mut args = vec!["--policy", policy, "--json"];
    args.extend_from_slice(extra);
    json(&expect_code(&t.verify(&args), code))
}

fn kinds(r: &Value) -> Vec<String> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_owned())
        .collect()
}

fn finding<'a>(r: &'a Value, kind: &str) -> &'a Value {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} finding in {r:#}"))
}

fn one_witness_policy(t: &StaffedDir, w: &Witness) -> String {
    let text = policy_text(Some(&log_vkey(t)), &[("w1", w)], &[], "w1");
    write_policy(&t.root.join("auditor.policy"), &text)
}

#[test]
fn a_witnessed_ledger_verifies_with_the_policy_and_new_entries_are_unwitnessed() {
    let t = ledger("policy-witnessed");
    let w = Witness::new("w1", 0x71);
    let policy = one_witness_policy(&t, &w);
    // Sealed but not cosigned: unverified, saying why.
    let r = verify_json(&t, &policy, &[], 4);
    assert_eq!(kinds(&r), ["unwitnessed"], "{r:#}");
    let size = t.size();
    let message = finding(&r, "unwitnessed")["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "the checkpoint of size {size} is cosigned by 0 of the 1 witnesses the quorum needs"
        )),
        "{message}"
    );
    assert_eq!(finding(&r, "unwitnessed")["severity"], "unverified");

    // Cosigned: verified, with who cosigned and when.
    cosign_latest(&t.dir, &[&w]);
    let r = verify_json(&t, &policy, &[], 0);
    assert_eq!(r["witnesses"]["witnessed_size"], size);
    assert_eq!(
        r["witnesses"]["latest_witnessed"]["cosigners"][0]["witness"],
        "w1"
    );
    assert_eq!(
        r["witnesses"]["latest_witnessed"]["cosigners"][0]["timestamp"],
        common::cosign::COSIGNED_AT
    );
    assert_eq!(r["split_views"], json!([]));
    let text = expect_code(&t.verify(&["--policy", &policy]), 0);
    assert!(text.contains("meets the quorum witness w1"), "{text}");
    assert!(text.contains("w1 at 2026-01-01T00:00:00"), "{text}");

    // New entries sealed after the witnessed checkpoint: unwitnessed, like unsealed ones.
    t.append_json(&t.officer, &[viewed("归档 filing")]);
    t.seal_ok();
    let r = verify_json(&t, &policy, &[], 4);
    assert_eq!(kinds(&r), ["unwitnessed"], "{r:#}");
    let f = finding(&r, "unwitnessed");
    assert_eq!(f["seq"], size);
    assert!(
        f["message"].as_str().unwrap().contains(&format!(
            "come after the latest witnessed checkpoint (size {size})"
        )),
        "{f}"
    );
    // The auditor's saved checkpoint, which the ledger extends, vouches for what it covers.
    let saved = t.root.join("saved.txt");
    std::fs::write(&saved, latest_checkpoint(&t.dir)).unwrap();
    verify_json(&t, &policy, &["--checkpoint", saved.to_str().unwrap()], 0);
}

#[test]
fn without_a_policy_nothing_changes_but_the_report_says_so() {
    let t = ledger("policy-none-given");
    let text = expect_code(&t.verify(&[]), 0);
    assert!(text.contains("no witness policy given"), "{text}");
    let r = json(&expect_code(&t.verify(&["--json"]), 0));
    // The JSON has exactly the members it had before.
    assert!(
        r.get("witnesses").is_none() && r.get("split_views").is_none(),
        "{r:#}"
    );
    // A copy of a policy inside the directory is not used, but pointed at.
    let w = Witness::new("w1", 0x71);
    let text = policy_text(None, &[("w1", &w)], &[], "w1");
    write_policy(&t.dir.join("witness.policy"), &text);
    let out = t.verify(&[]);
    expect_code(&out, 0);
    assert!(stderr(&out).contains("--policy"), "{}", stderr(&out));
}

#[test]
fn quorum_none_behaves_as_before() {
    let t = ledger("policy-quorum-none");
    let policy = write_policy(
        &t.root.join("none.policy"),
        &policy_text(Some(&log_vkey(&t)), &[], &[], "none"),
    );
    let r = verify_json(&t, &policy, &[], 0);
    assert_eq!(r["witnesses"]["quorum"], "none");
    let text = expect_code(&t.verify(&["--policy", &policy]), 0);
    assert!(text.contains("requires no cosignature"), "{text}");
}

#[test]
fn quorum_two_of_three_and_nested_groups() {
    let t = ledger("policy-quorum-groups");
    let x: Vec<Witness> = (1..=3)
        .map(|i| Witness::new(&format!("x{i}"), 0x80 + i))
        .collect();
    let y: Vec<Witness> = (1..=3)
        .map(|i| Witness::new(&format!("y{i}"), 0x90 + i))
        .collect();
    let two_of_three = write_policy(
        &t.root.join("2of3.policy"),
        &policy_text(
            None,
            &[("X1", &x[0]), ("X2", &x[1]), ("X3", &x[2])],
            &["X 2 X1 X2 X3"],
            "X",
        ),
    );
    let nested = write_policy(
        &t.root.join("nested.policy"),
        &policy_text(
            Some(&log_vkey(&t)),
            &[
                ("X1", &x[0]),
                ("X2", &x[1]),
                ("X3", &x[2]),
                ("Y1", &y[0]),
                ("Y2", &y[1]),
                ("Y3", &y[2]),
            ],
            &[
                "X-witnesses 2 X1 X2 X3",
                "Y-witnesses any Y1 Y2 Y3",
                "X-and-Y all X-witnesses Y-witnesses",
            ],
            "X-and-Y",
        ),
    );
    let size = t.size();
    cosign_latest(&t.dir, &[&x[1]]);
    let r = verify_json(&t, &two_of_three, &[], 4);
    assert!(
        finding(&r, "unwitnessed")["message"]
            .as_str()
            .unwrap()
            .contains(&format!(
            "the checkpoint of size {size} is cosigned by 1 of the 2 witnesses the quorum needs"
        )),
        "{r:#}"
    );
    cosign_latest(&t.dir, &[&x[1], &x[2]]);
    verify_json(&t, &two_of_three, &[], 0);
    // Two X but no Y: not met.
    let r = verify_json(&t, &nested, &[], 4);
    assert!(
        finding(&r, "unwitnessed")["message"]
            .as_str()
            .unwrap()
            .contains("cosigned by 2 of the 3 witnesses the quorum needs"),
        "{r:#}"
    );
    cosign_latest(&t.dir, &[&x[0], &x[2], &y[1]]);
    let r = verify_json(&t, &nested, &[], 0);
    let cosigners: Vec<&str> = r["witnesses"]["latest_witnessed"]["cosigners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["witness"].as_str().unwrap())
        .collect();
    assert_eq!(cosigners, ["X1", "X2", "X3", "Y2"]);
}

#[test]
fn a_bad_cosignature_from_a_policy_witness_is_forged_and_an_unknown_one_is_ignored() {
    let t = ledger("policy-bad-cosignature");
    let w = Witness::new("w1", 0x71);
    let stranger = Witness::new("stranger", 0x72);
    let policy = one_witness_policy(&t, &w);
    // A cosignature by a key the policy does not list: ignored (still unwitnessed).
    cosign_latest(&t.dir, &[&stranger]);
    let r = verify_json(&t, &policy, &[], 4);
    assert_eq!(kinds(&r), ["unwitnessed"], "{r:#}");
    // A line under the listed witness's name and key id that does not verify: forged.
    let mut signed = SignedCheckpoint::parse(latest_checkpoint(&t.dir).as_bytes()).unwrap();
    signed.add_signature(w.forged_line()).unwrap();
    store_checkpoint(&t.dir, &signed.to_string());
    let r = verify_json(&t, &policy, &[], 1);
    let f = finding(&r, "bad_cosignature");
    assert_eq!(f["severity"], "tampering");
    assert!(f["message"].as_str().unwrap().contains("witness w1"), "{f}");
}

/// What the bureau does with its key: `drop` entry `drop` from the ledger, re-chains the rest,
/// re-signs a checkpoint after genesis and one at the end, and swaps the store in. With
/// `witnesses`, the rewritten latest checkpoint is cosigned by them (witnesses that never saw
/// the original); with `keep_cosignatures`, the cosignature lines of the original latest note
/// are copied onto the rewritten one.
fn rewrite(t: &StaffedDir, drop: u64, witnesses: &[&Witness], keep_cosignatures: bool) {
    let original = SignedCheckpoint::parse(latest_checkpoint(&t.dir).as_bytes()).unwrap();
    let key = t.ledger_key();
    {
        let _guard = fork_guard();
        let old = FileStore::open_read_only(t.dir.join("ledger")).unwrap();
        let fresh = t.root.join("rewritten");
        let mut new = FileStore::create(&fresh, ORIGIN).unwrap();
        for seq in 0..old.size() {
            if seq == drop {
                continue;
            }
            let entry = Entry::from_bytes(&old.entry_bytes(seq).unwrap()).unwrap();
            forge::inject(&mut new, entry.statement, entry.logged_at);
            if seq == 0 {
                forge::seal(&mut new, ORIGIN, &key);
            }
        }
        forge::seal(&mut new, ORIGIN, &key);
        if keep_cosignatures || !witnesses.is_empty() {
            let note = new.checkpoint(new.checkpoint_count() - 1).unwrap();
            let mut signed = SignedCheckpoint::parse(note.as_bytes()).unwrap();
            if keep_cosignatures {
                for line in original.note().signatures().iter().skip(1) {
                    signed.add_signature(line.clone()).unwrap();
                }
            }
            for w in witnesses {
                signed
                    .add_signature(w.cosignature(&signed, common::cosign::COSIGNED_AT + 60))
                    .unwrap();
            }
            new.append_checkpoint(&signed.to_string()).unwrap();
        }
        drop_store(old);
        drop_store(new);
        std::fs::rename(t.dir.join("ledger"), t.root.join("original-ledger")).unwrap();
        std::fs::rename(&fresh, t.dir.join("ledger")).unwrap();
    }
}

fn drop_store(s: FileStore) {
    std::mem::drop(s);
}

/// `bundle export` of the case (its party's name disclosed to a court), then the bundle's
/// checkpoint note as `bundle verify --json` reports it, saved to a file.
fn export_bundle(t: &StaffedDir) -> (PathBuf, PathBuf) {
    let bundle = t.root.join("case-61.bundle");
    let out = t.bundle_export(
        CASE,
        &t.officer,
        &["--to", "大连市中级人民法院", "-o", bundle.to_str().unwrap()],
    );
    expect_code(&out, 0);
    let r = bundle_verify(t, &bundle, &[], 0);
    let saved = t.root.join("bundle-checkpoint.txt");
    std::fs::write(&saved, r["checkpoint"]["note"].as_str().unwrap()).unwrap();
    (bundle, saved)
}

/// `bundle verify BUNDLE --vkey … --json EXTRA…`, expecting `code`.
fn bundle_verify(t: &StaffedDir, bundle: &Path, extra: &[&str], code: i32) -> Value {
    let mut args = vec![
        "bundle",
        "verify",
        bundle.to_str().unwrap(),
        "--vkey",
        t.vkey.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    json(&expect_code(&liuhen_guarded(args), code))
}

/// `check-proof PROOF --vkey … EXTRA…`.
fn check_proof(t: &StaffedDir, proof: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "check-proof",
        proof.to_str().unwrap(),
        "--vkey",
        t.vkey.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    liuhen_guarded(args)
}

#[test]
fn bureau_with_key_rewrite_is_caught_by_the_policy_and_by_a_bundle_exported_before() {
    let t = ledger("policy-bureau-rewrite");
    let w = Witness::new("w1", 0x71);
    let policy = one_witness_policy(&t, &w);
    cosign_latest(&t.dir, &[&w]);
    let (bundle, saved) = export_bundle(&t);
    // The export's RecordDisclosed, sealed and witnessed.
    t.seal_ok();
    cosign_latest(&t.dir, &[&w]);
    verify_json(&t, &policy, &[], 0);
    assert_eq!(
        bundle_verify(&t, &bundle, &["--policy", &policy], 0)["witnesses"]["met"],
        true
    );
    let size = t.size();

    // Entry 5, the first RecordViewed of the case, goes; every checkpoint is re-signed.
    rewrite(&t, size - 4, &[], false);
    // Without witnesses the rewrite is self-consistent: the gap the policy closes.
    expect_code(&t.verify(&[]), 0);
    // With the policy: unverified, saying why.
    let r = verify_json(&t, &policy, &[], 4);
    assert_eq!(kinds(&r), ["unwitnessed"], "{r:#}");
    assert!(
        finding(&r, "unwitnessed")["message"]
            .as_str()
            .unwrap()
            .contains(&format!(
                "no checkpoint meets the witness policy, so entries 0..{} are not witnessed",
                size - 2
            )),
        "{r:#}"
    );

    // The bundle exported before still verifies, offline, and its checkpoint is witnessed.
    bundle_verify(&t, &bundle, &["--policy", &policy], 0);
    // Its checkpoint given to verify: the split view, with both notes as proof.
    let saved_arg = saved.to_str().unwrap();
    let r = verify_json(&t, &policy, &["--checkpoint", saved_arg], 1);
    assert!(kinds(&r).contains(&"split_view".to_owned()), "{r:#}");
    let split = &r["split_views"][0];
    let bundle_note = std::fs::read_to_string(&saved).unwrap();
    assert_eq!(split["checkpoints"][0]["source"], "trusted checkpoint");
    assert_eq!(split["checkpoints"][0]["note"], bundle_note.as_str());
    assert_eq!(split["checkpoints"][0]["witnessed"], true);
    assert_eq!(split["checkpoints"][1]["witnessed"], false);
    let rewritten = latest_checkpoint(&t.dir);
    assert_eq!(split["checkpoints"][1]["note"], rewritten.as_str());
    // Both notes verify with the ledger's vkey: the proof holds for anyone.
    for c in split["checkpoints"].as_array().unwrap() {
        SignedCheckpoint::parse(c["note"].as_str().unwrap().as_bytes())
            .unwrap()
            .verify(&log_vkey(&t))
            .unwrap();
    }
    let text = expect_code(
        &t.verify(&["--policy", &policy, "--checkpoint", saved_arg]),
        1,
    );
    assert!(text.contains("split view 1:"), "{text}");
    for line in bundle_note.lines().chain(rewritten.lines()) {
        assert!(
            text.contains(&format!("    {line}")),
            "{line} not in {text}"
        );
    }
}

#[test]
fn rewrite_keeping_the_old_cosignature_lines_is_a_forged_cosignature() {
    let t = ledger("policy-rewrite-keeps-lines");
    let w = Witness::new("w1", 0x71);
    let policy = one_witness_policy(&t, &w);
    cosign_latest(&t.dir, &[&w]);
    let size = t.size();
    rewrite(&t, size - 2, &[], true);
    let r = verify_json(&t, &policy, &[], 1);
    assert!(kinds(&r).contains(&"bad_cosignature".to_owned()), "{r:#}");
}

#[test]
fn split_view_with_both_checkpoints_witnessed() {
    let t = ledger("policy-split-view-both");
    let (w1, w2) = (Witness::new("w1", 0x71), Witness::new("w2", 0x72));
    let policy = write_policy(
        &t.root.join("any.policy"),
        &policy_text(
            Some(&log_vkey(&t)),
            &[("w1", &w1), ("w2", &w2)],
            &["g any w1 w2"],
            "g",
        ),
    );
    cosign_latest(&t.dir, &[&w1]);
    let saved = t.root.join("saved.txt");
    std::fs::write(&saved, latest_checkpoint(&t.dir)).unwrap();
    // One more entry, then the first RecordViewed removed: a rewritten history of the saved
    // size, shown to another witness, which never saw the first.
    t.append_json(&t.officer, &[viewed("归档 filing")]);
    t.seal_ok();
    let size = t.size();
    rewrite(&t, size - 4, &[&w2], false);
    // Alone, the rewritten ledger looks witnessed.
    verify_json(&t, &policy, &[], 0);
    // Against the auditor's saved checkpoint: a split view, both sides witnessed.
    let r = verify_json(&t, &policy, &["--checkpoint", saved.to_str().unwrap()], 1);
    let split = &r["split_views"][0];
    assert_eq!(split["checkpoints"][0]["witnessed"], true, "{r:#}");
    assert_eq!(split["checkpoints"][1]["witnessed"], true, "{r:#}");
}

#[test]
fn check_proof_and_bundle_verify_with_a_policy() {
    let t = ledger("policy-proof-bundle");
    let w = Witness::new("w1", 0x71);
    let policy = one_witness_policy(&t, &w);
    let proof = t.root.join("entry-5.proof.json");
    let prove = |proof: &Path| {
        expect_code(
            &liuhen_guarded([
                "prove",
                "inclusion",
                t.dir.to_str().unwrap(),
                "--seq",
                "5",
                "-o",
                proof.to_str().unwrap(),
            ]),
            0,
        );
    };
    let check = |proof: &Path, code: i32| {
        expect_code(&check_proof(&t, proof, &["--policy", &policy]), code)
    };
    prove(&proof);
    // Not cosigned: exit 4, saying why.
    let text = check(&proof, 4);
    assert!(
        text.contains("NOT WITNESSED") && text.contains("cosigned by 0 of the 1"),
        "{text}"
    );
    // Without the policy the proof verifies as before.
    expect_code(&check_proof(&t, &proof, &[]), 0);
    // Cosigned, a new proof carries the cosigned checkpoint.
    cosign_latest(&t.dir, &[&w]);
    let proof2 = t.root.join("entry-5-witnessed.proof.json");
    prove(&proof2);
    assert!(check(&proof2, 0).contains("witnessed: cosigned by w1 at 2026-01-01T00:00:00"));
    let out = check_proof(&t, &proof2, &["--policy", &policy, "--json"]);
    let r = json(&expect_code(&out, 0));
    assert_eq!(r["witnesses"]["met"], true);
    assert_eq!(r["exit_code"], 0);

    // A bundle of the unwitnessed checkpoint: exit 4; of the witnessed one: 0.
    let t2 = ledger("policy-bundle-unwitnessed");
    let policy2 = one_witness_policy(&t2, &w);
    let (bundle, _) = export_bundle(&t2);
    let r = bundle_verify(&t2, &bundle, &["--policy", &policy2], 4);
    assert_eq!(r["verdict"], "unverified");
    assert!(
        finding(&r, "unwitnessed")["message"]
            .as_str()
            .unwrap()
            .contains("cosigned by 0 of the 1 witnesses"),
        "{r:#}"
    );
}

#[test]
fn a_bad_policy_file_is_a_usage_error_naming_the_line() {
    let t = ledger("policy-bad-file");
    let bad = write_policy(&t.root.join("bad.policy"), "quorum none\nquorum none\n");
    let out = t.verify(&["--policy", &bad]);
    expect_code(&out, 3);
    assert!(stderr(&out).contains("line 2"), "{}", stderr(&out));
    let missing = t.root.join("missing.policy");
    expect_code(&t.verify(&["--policy", missing.to_str().unwrap()]), 3);
}

#[test]
fn the_spec_example_policy_parses_through_the_binary() {
    let t = ledger("policy-spec-example");
    let ws: Vec<Witness> = (0..6)
        .map(|i| Witness::new(&format!("s{i}"), 0xa0 + i))
        .collect();
    let text = format!(
        "log {}\n\nwitness X1 {}\nwitness X2 {}\nwitness X3 {}\ngroup X-witnesses 2 X1 X2 X3\n\nwitness Y1 {}\nwitness Y2 {}\nwitness Y3 {}\ngroup Y-witnesses any Y1 Y2 Y3\n\ngroup X-and-Y all X-witnesses Y-witnesses\nquorum X-and-Y\n",
        log_vkey(&t),
        ws[0].vkey(),
        ws[1].vkey(),
        ws[2].vkey(),
        ws[3].vkey(),
        ws[4].vkey(),
        ws[5].vkey()
    );
    let policy = write_policy(&t.root.join("spec.policy"), &text);
    let r = verify_json(&t, &policy, &[], 4);
    assert_eq!(
        r["witnesses"]["quorum"],
        "X-and-Y (all of X-witnesses (2 of X1, X2, X3), Y-witnesses (any of Y1, Y2, Y3))"
    );
    cosign_latest(&t.dir, &[&ws[0], &ws[1], &ws[5]]);
    verify_json(&t, &policy, &[], 0);
}

#[test]
fn a_witnessed_saved_checkpoint_the_rewritten_ledger_does_not_extend_is_a_split_view() {
    let t = ledger("policy-split-view-extend");
    let w = Witness::new("w1", 0x71);
    let policy = one_witness_policy(&t, &w);
    cosign_latest(&t.dir, &[&w]);
    let saved = t.root.join("saved.txt");
    std::fs::write(&saved, latest_checkpoint(&t.dir)).unwrap();
    let saved_size = t.size();
    t.append_json(
        &t.officer,
        &[viewed("归档 filing"), viewed("移送 transfer")],
    );
    t.seal_ok();
    // The first RecordViewed removed: the rewritten ledger is longer than the saved checkpoint
    // but does not extend it.
    rewrite(&t, t.size() - 5, &[], false);
    let r = verify_json(&t, &policy, &["--checkpoint", saved.to_str().unwrap()], 1);
    let k = kinds(&r);
    assert!(k.contains(&"split_view".to_owned()), "{r:#}");
    assert!(
        k.contains(&"trusted_checkpoint_mismatch".to_owned()),
        "{r:#}"
    );
    let split = &r["split_views"][0];
    assert!(
        split["reason"].as_str().unwrap().contains(&format!(
            "does not extend the trusted checkpoint (size {saved_size})"
        )),
        "{split:#}"
    );
    assert_eq!(split["checkpoints"][0]["size"], saved_size);
    assert_eq!(split["checkpoints"][0]["witnessed"], true);
    assert_eq!(split["checkpoints"][1]["size"], saved_size + 1);
    assert_eq!(
        split["checkpoints"][1]["note"],
        latest_checkpoint(&t.dir).as_str()
    );
}
