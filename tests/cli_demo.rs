//! End to end: `liuhen demo` builds a ledger directory that the library verifies, catches every
//! tampering it stages, and refuses to write into a directory that holds anything.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::Path;

use common::cli::{describe, expect_code, liuhen, scratch};
use liuhen::media::{verify_media, MediaStore, MediaVerifyOptions};
use liuhen::store::file::FileStore;
use liuhen::store::Store;
use liuhen::verify::{Verdict, VerifyOptions};

/// Verifies the ledger directory at `dir` with the library alone: the file store against the
/// verifier key, then the segment chains and every media file.
fn verify_with_library(dir: &Path) -> liuhen::Report {
    let vkey = liuhen::keyfile::read_verifier_key(&dir.join("ledger.vkey")).unwrap();
    let store = FileStore::open_read_only(dir.join("ledger")).unwrap();
    let options = VerifyOptions {
        trusted_key: Some(vkey),
        ..VerifyOptions::default()
    };
    let mut report = liuhen::verify_store(&store, &options);
    let media = MediaStore::open(dir.join("media")).unwrap();
    report.add_findings(verify_media(
        &store,
        Some(&media),
        &MediaVerifyOptions::default(),
    ));
    report
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn demo_writes_a_verified_ledger_directory_and_catches_every_tampering() {
    let dir = scratch("demo").join("jinpu");
    let out = liuhen(["demo".as_ref(), dir.as_os_str()]);
    let story = expect_code(&out, 0);

    // Every act was told, and every tampering was reported caught, none missed.
    for act in 1..=8 {
        assert!(
            story.contains(&format!("Act {act} ·")),
            "act {act} missing:\n{story}"
        );
    }
    for (label, kind) in [
        ("(a)", "malformed"),
        ("(a)", "bad_signature"),
        ("(b)", "malformed"),
        ("(b)", "sequence"),
        ("(c)", "media_swapped"),
        ("(d)", "media_missing"),
    ] {
        assert!(
            story.contains(label),
            "tampering {label} not told:\n{story}"
        );
        assert!(
            story
                .lines()
                .any(|l| l.contains("✓ caught") && l.contains(kind)),
            "no line says {kind} was caught:\n{story}"
        );
    }
    assert_eq!(story.matches("✓ caught").count(), 6, "{story}");
    assert!(!story.contains('✗'), "{story}");
    assert!(
        story.lines().count() <= 66,
        "the story is too long:\n{story}"
    );
    // The lapses are told as lapses, with the articles an audit will cite.
    for article in ["Art. 14(1)", "Art. 16", "Art. 18(1)"] {
        assert!(
            story
                .lines()
                .any(|l| l.trim_start().starts_with('!') && l.contains(article)),
            "no lapse under {article}:\n{story}"
        );
    }
    // The story ends with what to run next and where the files are.
    assert!(
        story.contains(&format!("liuhen verify {}", dir.display())),
        "{story}"
    );
    assert!(story.contains("--case"), "{story}");

    // The directory is a ledger directory in the CLI layout.
    assert!(dir.join("ledger").join("entries.log").is_file());
    assert!(dir.join("media").is_dir());
    assert!(dir.join("ledger.vkey").is_file());
    assert!(dir.join("checkpoint.txt").is_file());
    assert!(dir.join("report.json").is_file());
    assert!(fs::read_dir(dir.join("proofs")).unwrap().count() >= 2);

    // Secret keys and vault openings are readable by the owner only.
    let keys: Vec<_> = fs::read_dir(dir.join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(keys.len() >= 5, "{keys:?}");
    let openings = dir.join("vault").join("openings.jsonl");
    #[cfg(unix)]
    for path in keys.iter().chain([&openings]) {
        assert_eq!(mode(path), 0o600, "{}", path.display());
    }
    for key in &keys {
        liuhen::keyfile::read_secret_key(key).unwrap();
    }

    // The vault holds one opening per line, each 64 hex digits of salt.
    let text = fs::read_to_string(&openings).unwrap();
    assert!(text.lines().count() >= 4, "{text}");
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["field"].is_string() && v["value"].is_string(), "{line}");
        let salt = v["salt"].as_str().unwrap();
        assert!(
            salt.len() == 64 && salt.bytes().all(|b| b.is_ascii_hexdigit()),
            "{line}"
        );
    }

    // The library, given only the verifier key, verifies the directory clean: every entry,
    // checkpoint, segment chain and media file, the lapses of act 6 notwithstanding.
    let report = verify_with_library(&dir);
    assert_eq!(report.verdict, Verdict::Verified, "{:#?}", report.findings);
    assert!(report.entries > 40, "{}", report.entries);
    assert_eq!(report.checkpoints_verified, report.checkpoints);
    let store = FileStore::open_read_only(dir.join("ledger")).unwrap();
    assert_eq!(
        report.latest_verified.as_ref().map(|c| c.size),
        Some(store.size()),
        "the last checkpoint covers every entry"
    );

    // Every media file the ledger references is in the media store, and nothing else is.
    let media = MediaStore::open(dir.join("media")).unwrap();
    let mut referenced = std::collections::HashSet::new();
    for seq in 0..store.size() {
        let entry = liuhen::Entry::from_bytes(&store.entry_bytes(seq).unwrap()).unwrap();
        use liuhen::model::Event;
        match entry.statement.statement.event {
            Event::DocumentFiled { media: m, .. } | Event::SegmentSealed { media: m, .. } => {
                referenced.insert(m.digest);
            }
            Event::DecisionMade { document, .. } => {
                referenced.insert(document.digest);
            }
            Event::DerivativeMade { derivative, .. } => {
                referenced.insert(derivative.digest);
            }
            _ => {}
        }
    }
    for digest in &referenced {
        assert!(media.contains(digest), "media {digest} is not stored");
    }
    let stored = fs::read_dir(dir.join("media"))
        .unwrap()
        .map(|shard| fs::read_dir(shard.unwrap().path()).unwrap().count())
        .sum::<usize>();
    assert_eq!(stored, referenced.len());

    // The tampered copies are where the story says, and each one fails verification.
    for copy in [
        "a-edited-entry",
        "a-edited-entry-rebuilt",
        "b-deleted-entry",
        "b-deleted-entry-rebuilt",
        "c-swapped-segments",
        "d-deleted-media",
    ] {
        let path = dir.join("tampered").join(copy);
        let report = verify_with_library(&path);
        assert_eq!(report.verdict, Verdict::Tampered, "{copy}");
    }
}

#[test]
fn demo_refuses_a_directory_that_is_not_empty() {
    let dir = scratch("demo-not-empty");
    fs::write(dir.join("notes.txt"), "mine").unwrap();
    let out = liuhen(["demo".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&dir.display().to_string()) && err.contains("not empty"),
        "{err}"
    );
    // Nothing was written next to the file that was there.
    let names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["notes.txt"]);
    assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
}

#[test]
fn demo_into_an_empty_directory_works_and_twice_does_not() {
    let dir = scratch("demo-twice");
    let first = liuhen(["demo".as_ref(), dir.as_os_str()]);
    expect_code(&first, 0);
    let second = liuhen(["demo".as_ref(), dir.as_os_str()]);
    assert_eq!(second.status.code(), Some(3), "{}", describe(&second));
    // The first run's ledger is untouched by the refused second run.
    assert_eq!(verify_with_library(&dir).verdict, Verdict::Verified);
}
