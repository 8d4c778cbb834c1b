//! Through the real binary: a disclosure whose trace cannot be appended discloses nothing (no
//! value printed, no bundle in place), personal values outside the rules are refused before
//! anything is stored, and `vault seal` keeps working as the old name of `vault commit`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::cli::{describe, expect_code, expect_stderr, json, liuhen, scratch, stderr, stdout};
use common::dir::StaffedDir;
use liuhen::store::file::FileStore;

const CASE: &str = "金民执〔2026〕51号";
const PARTY: &str = "大连某某建材有限公司 孙某某";

fn vault_records(dir: &Path) -> usize {
    match std::fs::read_dir(dir.join("vault")) {
        Ok(entries) => entries.count(),
        Err(_) => 0,
    }
}

/// A ledger directory with an authorized officer key, an unauthorized key and one case whose
/// party is committed through `liuhen vault commit`; sealed.
fn setup(name: &str) -> StaffedDir {
    let t = StaffedDir::init(scratch(name), false);
    let party = t.commit_value("commit", "party.name", &format!("{PARTY}\n"));
    t.append_json(
        &t.officer,
        &[serde_json::json!({ "CaseOpened": {
            "case_no": CASE, "act": "Inspection", "matter": "年度检查",
            "unit": "社会组织管理科", "subject": party,
        }})],
    );
    t.seal_ok();
    t
}

/// [`setup`], where the case's bundle goes, and the ledger's size before the export.
fn setup_export(name: &str) -> (StaffedDir, PathBuf, u64) {
    let t = setup(name);
    let output = t.root.join("case-51.bundle");
    let before = t.size();
    (t, output, before)
}

#[test]
fn vault_show_whose_trace_cannot_be_appended_prints_no_value() {
    let t = setup("disclosure-show-locked");
    let before = t.size();
    // Another writer holds the ledger: the RecordViewed cannot be appended.
    let writer = FileStore::open(t.dir.join("ledger")).unwrap();
    let out = t.vault_show(CASE, &t.officer, "复核 review", &[]);
    assert_ne!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    assert!(!stderr(&out).contains(PARTY), "{}", describe(&out));
    drop(writer);
    assert_eq!(t.size(), before);

    // Unlocked, the same command shows the value, with its trace.
    let out = t.vault_show(CASE, &t.officer, "复核 review", &[]);
    assert!(expect_code(&out, 0).contains(PARTY));
    assert_eq!(t.size(), before + 1);
}

fn export(t: &StaffedDir, key: &Path, output: &Path) -> std::process::Output {
    let output = output.to_str().unwrap();
    t.bundle_export(
        CASE,
        key,
        &["--to", "大连市中级人民法院", "-o", output, "--json"],
    )
}

fn partial(output: &Path) -> PathBuf {
    PathBuf::from(format!("{}.partial", output.display()))
}

#[test]
fn bundle_export_whose_trace_cannot_be_appended_leaves_no_bundle() {
    let (t, output, before) = setup_export("disclosure-export-locked");
    let writer = FileStore::open(t.dir.join("ledger")).unwrap();
    let out = export(&t, &t.officer, &output);
    expect_stderr(&out, 3, &["the bundle was removed"]);
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    assert!(!output.exists(), "a bundle is in place without its trace");
    assert!(!partial(&output).exists());
    drop(writer);
    assert_eq!(t.size(), before);
}

#[test]
fn bundle_export_by_a_key_that_may_not_disclose_writes_nothing() {
    let (t, output, before) = setup_export("disclosure-export-stranger");
    let out = export(&t, &t.stranger, &output);
    expect_stderr(&out, 3, &["may not record the disclosure"]);
    assert!(!output.exists() && !partial(&output).exists());
    assert_eq!(t.size(), before);
}

#[test]
fn bundle_export_appends_its_disclosure_naming_the_bundle_in_place() {
    let (t, output, before) = setup_export("disclosure-export-traced");
    let v = json(&expect_code(&export(&t, &t.officer, &output), 0));
    assert_eq!(t.size(), before + 1);
    let bytes = std::fs::read(&output).unwrap();
    let digest = liuhen::hash::blake3(&bytes);
    assert_eq!(v["blake3"], digest.to_hex());
    match t.event_at(before) {
        liuhen::Event::RecordDisclosed { case_no, what, .. } => {
            assert_eq!(case_no, CASE);
            assert_eq!(what.first(), Some(&digest));
        }
        other => panic!("expected RecordDisclosed, got {}", other.name()),
    }
    assert_eq!(v["openings"], 1);
}

#[test]
fn vault_commit_refuses_values_outside_the_rules_and_stores_nothing() {
    let t = setup("disclosure-value-rules");
    let before = vault_records(&t.dir);
    let too_long = "字".repeat(6_000); // 18 000 bytes
    for (input, says) in [
        ("\n".to_owned(), "empty"),
        (format!("{too_long}\n"), "longer than 16384 bytes"),
    ] {
        let out = t.vault_stdin("commit", "party.name", input.as_bytes(), &[]);
        expect_stderr(&out, 3, &[says]);
        assert!(out.stdout.is_empty());
    }
    let out = liuhen([
        "vault",
        "commit",
        common::cli::path_str(&t.dir),
        "--field",
        "party\u{7}name",
        "--value",
        "王某",
    ]);
    expect_stderr(&out, 3, &["not a field name"]);
    assert_eq!(vault_records(&t.dir), before, "nothing was stored");
}

#[test]
fn vault_seal_is_still_the_old_name_of_vault_commit() {
    let t = setup("disclosure-seal-alias");
    let out = t.vault_stdin("seal", "party.id", b"210213197001011234\n", &["--json"]);
    let v = json(&expect_code(&out, 0));
    assert_eq!(v["field"], "party.id");
    assert_eq!(v["commitment"].as_str().unwrap().len(), 64);
    assert!(!stdout(&out).contains("210213197001011234"));
}
