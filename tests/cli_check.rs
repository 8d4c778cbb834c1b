//! `liuhen verify` and `liuhen audit` on the one check pass (`liuhen::check`), through the real
//! binary: the `liuhen-verify/1` JSON keeps its members, a destroyed store gives no audit, and
//! (with `LIUHEN_BASELINE_BIN` naming a build of the previous main) the JSON is the same as the
//! previous verifier's, member for member.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::cli::{expect_code, liuhen, scratch, VERIFY_1_MEMBERS};
use common::dir::AuditedDir;

/// A ledger directory as an agency builds it with the binary: init, an officer key authorized,
/// a case opened and viewed (an audit finds nothing), sealed.
fn agency_ledger(name: &str) -> PathBuf {
    let d = AuditedDir::init(scratch(name));
    let officer = d.keygen("21020001", "officer.key");
    d.authorize(&officer, "officer", "21020001");
    let mut events = vec![serde_json::json!({"CaseOpened": {
        "case_no": "金民执〔2026〕12号", "act": "Inspection", "matter": "年度检查",
        "unit": "社会组织管理科",
        "subject": "0ee0882e75ff6ef9fd3c15ee9f6cc61969cda319cd93c88838cf31dc46ece6f2"}})];
    for i in 0..20 {
        events.push(serde_json::json!({"RecordViewed": {
            "subject": {"Case": "金民执〔2026〕12号"}, "by": "21020001",
            "purpose": format!("复核 {i}")}}));
    }
    d.append_json(&officer, &events);
    d.seal_ok();
    d.dir
}

fn verify_json(bin: Option<&Path>, dir: &Path, code: i32) -> serde_json::Value {
    let vkey = dir.join("ledger.vkey");
    let args = [
        "-q",
        "verify",
        dir.to_str().unwrap(),
        "--vkey",
        vkey.to_str().unwrap(),
        "--json",
    ];
    let out = match bin {
        Some(b) => Command::new(b).args(args).output().unwrap(),
        None => liuhen(args),
    };
    serde_json::from_str(&expect_code(&out, code)).unwrap()
}

fn keys(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn verify_json_keeps_the_liuhen_verify_1_members() {
    let dir = agency_ledger("check-schema");
    let json = verify_json(None, &dir, 0);
    let mut members = VERIFY_1_MEMBERS.to_vec();
    members.push("audit");
    assert_eq!(keys(&json), set(&members));
    assert_eq!(json["schema"], "liuhen-verify/1");
    assert_eq!(json["verdict"], "verified");
    assert_eq!(json["exit_code"], 0);
    assert_eq!(json["entries"], 23);
    assert_eq!(keys(&json["media"]), set(&["checked", "dir", "reason"]));
    assert_eq!(
        keys(&json["store"]),
        set(&[
            "entries_indexed",
            "tampering",
            "tampering_omitted",
            "torn_bytes",
            "dropped_records"
        ])
    );
    assert_eq!(
        keys(&json["audit"]),
        set(&[
            "profile",
            "as_of",
            "violations",
            "warnings",
            "notices",
            "violations_by_article"
        ])
    );
    assert_eq!(json["audit"]["violations"], 0);
    assert_eq!(keys(&json["trust_anchor"]), set(&["file", "vkey"]));
    assert_eq!(
        keys(&json["latest_verified"]),
        set(&["size", "root", "note"])
    );
}

/// Set `LIUHEN_BASELINE_BIN` to a `liuhen` built from the previous main to compare the whole
/// output; without it this test only checks that two runs of this binary agree.
#[test]
fn verify_json_is_what_the_previous_verifier_printed() {
    let dir = agency_ledger("check-baseline");
    let baseline = std::env::var_os("LIUHEN_BASELINE_BIN").map(PathBuf::from);
    let mut before = verify_json(baseline.as_deref(), &dir, 0);
    let mut after = verify_json(None, &dir, 0);
    // The audit is as of now: the only member that differs from run to run.
    for v in [&mut before, &mut after] {
        v["audit"]["as_of"] = serde_json::Value::Null;
    }
    assert_eq!(before, after);
}

#[test]
fn a_destroyed_store_is_tampered_and_not_audited() {
    let dir = agency_ledger("check-destroyed");
    std::fs::remove_file(dir.join("ledger").join("entries.idx")).unwrap();
    let json = verify_json(None, &dir, 1);
    assert_eq!(json["verdict"], "tampered");
    assert_eq!(json["exit_code"], 1);
    assert!(json["audit"].is_null(), "{json}");
    assert_eq!(json["findings"][0]["kind"], "store_file_missing");
    assert_eq!(json["findings"][0]["article"], "Art. 21(5)");
    let out = liuhen(["-q", "audit", dir.to_str().unwrap()]);
    let text = expect_code(&out, 1);
    assert!(text.contains("TAMPERED"), "{text}");
}
