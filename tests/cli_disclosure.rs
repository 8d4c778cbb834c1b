//! Through the real binary: a disclosure whose trace cannot be appended discloses nothing (no
//! value printed, no bundle in place), personal values outside the rules are refused before
//! anything is stored, and `vault seal` keeps working as the old name of `vault commit`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::cli::{describe, expect_code, liuhen, liuhen_stdin, scratch};
use liuhen::store::file::FileStore;
use liuhen::store::Store;
use liuhen::Entry;
use serde_json::Value;

const CASE: &str = "金民执〔2026〕51号";
const PARTY: &str = "大连某某建材有限公司 孙某某";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn size(dir: &Path) -> u64 {
    FileStore::open_read_only(dir.join("ledger"))
        .unwrap()
        .size()
}

fn vault_records(dir: &Path) -> usize {
    match std::fs::read_dir(dir.join("vault")) {
        Ok(entries) => entries.count(),
        Err(_) => 0,
    }
}

/// A ledger directory with an authorized officer key, an unauthorized key and one case whose
/// party is committed through `liuhen vault commit`; sealed.
struct Setup {
    root: PathBuf,
    dir: PathBuf,
    officer: PathBuf,
    stranger: PathBuf,
}

fn setup(name: &str) -> Setup {
    let root = scratch(name);
    let dir = root.join("jinpu");
    expect_code(
        &liuhen(["init", s(&dir), "--origin", common::ORIGIN, "--json"]),
        0,
    );
    let keygen = |name: &str, file: &str| {
        let path = root.join(file);
        expect_code(&liuhen(["keygen", "--name", name, s(&path)]), 0);
        path
    };
    let officer = keygen("officer-21020001", "officer.key");
    let stranger = keygen("stranger", "stranger.key");
    let ledger_key = dir.join("keys/ledger.key");
    let out = liuhen([
        "authorize",
        s(&dir),
        "--key-file",
        s(&ledger_key),
        "--vkey-of",
        &format!("{}.vkey", s(&officer)),
        "--role",
        "officer",
        "--holder",
        "21020001",
    ]);
    expect_code(&out, 0);
    let out = liuhen_stdin(
        [
            "vault",
            "commit",
            s(&dir),
            "--field",
            "party.name",
            "--value-file",
            "-",
        ],
        format!("{PARTY}\n").as_bytes(),
    );
    let party = expect_code(&out, 0).trim().to_owned();
    let event = serde_json::json!({ "event": { "CaseOpened": {
        "case_no": CASE, "act": "Inspection", "matter": "年度检查",
        "unit": "社会组织管理科", "subject": party,
    }}});
    let out = liuhen_stdin(
        ["append", s(&dir), "--sign-with", s(&officer), "-"],
        format!("{event}\n").as_bytes(),
    );
    expect_code(&out, 0);
    expect_code(&liuhen(["seal", s(&dir), "--key-file", s(&ledger_key)]), 0);
    Setup {
        root,
        dir,
        officer,
        stranger,
    }
}

#[test]
fn vault_show_whose_trace_cannot_be_appended_prints_no_value() {
    let t = setup("disclosure-show-locked");
    let before = size(&t.dir);
    // Another writer holds the ledger: the RecordViewed cannot be appended.
    let writer = FileStore::open(t.dir.join("ledger")).unwrap();
    let out = liuhen([
        "vault",
        "show",
        s(&t.dir),
        "--case",
        CASE,
        "--key-file",
        s(&t.officer),
        "--purpose",
        "复核 review",
    ]);
    assert_ne!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    assert!(!stderr(&out).contains(PARTY), "{}", describe(&out));
    drop(writer);
    assert_eq!(size(&t.dir), before);

    // Unlocked, the same command shows the value, with its trace.
    let out = liuhen([
        "vault",
        "show",
        s(&t.dir),
        "--case",
        CASE,
        "--key-file",
        s(&t.officer),
        "--purpose",
        "复核 review",
    ]);
    assert!(expect_code(&out, 0).contains(PARTY));
    assert_eq!(size(&t.dir), before + 1);
}

fn export(t: &Setup, key: &Path, output: &Path) -> std::process::Output {
    liuhen([
        "bundle",
        "export",
        s(&t.dir),
        "--case",
        CASE,
        "--key-file",
        s(key),
        "--to",
        "大连市中级人民法院",
        "-o",
        s(output),
        "--json",
    ])
}

fn partial(output: &Path) -> PathBuf {
    PathBuf::from(format!("{}.partial", s(output)))
}

#[test]
fn bundle_export_whose_trace_cannot_be_appended_leaves_no_bundle() {
    let t = setup("disclosure-export-locked");
    let output = t.root.join("case-51.bundle");
    let before = size(&t.dir);
    let writer = FileStore::open(t.dir.join("ledger")).unwrap();
    let out = export(&t, &t.officer, &output);
    expect_code(&out, 3);
    assert!(
        stderr(&out).contains("the bundle was removed"),
        "{}",
        describe(&out)
    );
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    assert!(!output.exists(), "a bundle is in place without its trace");
    assert!(!partial(&output).exists());
    drop(writer);
    assert_eq!(size(&t.dir), before);
}

#[test]
fn bundle_export_by_a_key_that_may_not_disclose_writes_nothing() {
    let t = setup("disclosure-export-stranger");
    let output = t.root.join("case-51.bundle");
    let before = size(&t.dir);
    let out = export(&t, &t.stranger, &output);
    expect_code(&out, 3);
    assert!(
        stderr(&out).contains("may not record the disclosure"),
        "{}",
        describe(&out)
    );
    assert!(!output.exists() && !partial(&output).exists());
    assert_eq!(size(&t.dir), before);
}

#[test]
fn bundle_export_appends_its_disclosure_naming_the_bundle_in_place() {
    let t = setup("disclosure-export-traced");
    let output = t.root.join("case-51.bundle");
    let before = size(&t.dir);
    let v = json(&expect_code(&export(&t, &t.officer, &output), 0));
    assert_eq!(size(&t.dir), before + 1);
    let bytes = std::fs::read(&output).unwrap();
    let digest = liuhen::hash::blake3(&bytes);
    assert_eq!(v["blake3"], digest.to_hex());
    let store = FileStore::open_read_only(t.dir.join("ledger")).unwrap();
    let entry = Entry::from_bytes(&store.entry_bytes(before).unwrap()).unwrap();
    match entry.statement.statement.event {
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
        let out = liuhen_stdin(
            [
                "vault",
                "commit",
                s(&t.dir),
                "--field",
                "party.name",
                "--value-file",
                "-",
            ],
            input.as_bytes(),
        );
        expect_code(&out, 3);
        assert!(stderr(&out).contains(says), "{}", describe(&out));
        assert!(out.stdout.is_empty());
    }
    let out = liuhen([
        "vault",
        "commit",
        s(&t.dir),
        "--field",
        "party\u{7}name",
        "--value",
        "王某",
    ]);
    expect_code(&out, 3);
    assert!(
        stderr(&out).contains("not a field name"),
        "{}",
        describe(&out)
    );
    assert_eq!(vault_records(&t.dir), before, "nothing was stored");
}

#[test]
fn vault_seal_is_still_the_old_name_of_vault_commit() {
    let t = setup("disclosure-seal-alias");
    let out = liuhen_stdin(
        [
            "vault",
            "seal",
            s(&t.dir),
            "--field",
            "party.id",
            "--value-file",
            "-",
            "--json",
        ],
        b"210213197001011234\n",
    );
    let v = json(&expect_code(&out, 0));
    assert_eq!(v["field"], "party.id");
    assert_eq!(v["commitment"].as_str().unwrap().len(), 64);
    assert!(!stdout(&out).contains("210213197001011234"));
}
