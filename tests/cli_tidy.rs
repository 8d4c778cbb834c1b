//! Writer commands on a store whose files show tampering: `liuhen append`, `liuhen authorize`
//! and `liuhen seal` refuse to build on it and say so as tampering (exit 1, a sentence naming
//! `liuhen verify`), never as an I/O error (exit 3) — destroying evidence is tampering.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::cli::{
    authorize, describe, expect_code, fork_guard, liuhen_guarded, path_str, scratch, stderr, Whom,
};
use common::dir::{write_key_file, TestDir};
use common::tamper::{copy_dir, flip_byte, truncate};
use common::LedgerBuilder;
use liuhen::store::file::FileStore;
use liuhen::Signer;

const EXIT_TAMPERED: i32 = 1;

/// A sealed ledger directory (genesis, the officer's authorization, a checkpoint) with the
/// officer's key file beside it; returns the directory and the officer key file.
fn bureau(root: &Path) -> (TestDir, PathBuf) {
    let _guard = fork_guard();
    let (made, built) = TestDir::create(
        &root.join("bureau"),
        LedgerBuilder::new().officer().sealed(),
    );
    let officer = root.join("officer.key");
    write_key_file(&officer, "officer", &built.k.officer);
    drop(built);
    (made, officer)
}

/// A statement the officer may append to the undamaged ledger, as `liuhen append` reads it.
fn statement() -> Vec<u8> {
    let (subject, _) = liuhen::commitment::commit_with_salt("party.name", "大连某某协会", [9; 32]);
    let event = common::events::case_opened("金民执〔2026〕7号", subject);
    let mut line = serde_json::json!({ "event": event }).to_string();
    line.push('\n');
    line.into_bytes()
}

fn append(dir: &Path, officer: &Path) -> std::process::Output {
    let _guard = fork_guard();
    // A refusing writer stops before reading its input: the pipe may close.
    common::cli::liuhen_stdin_may_close(
        &["append", path_str(dir), "--sign-with", path_str(officer)],
        statement(),
    )
}

/// The number of entries the store holds (read-only; never repairs anything).
fn size(dir: &Path) -> u64 {
    FileStore::open_read_only(dir.join("ledger"))
        .unwrap()
        .size()
}

/// The damages an insider does to a committed record, each to a fresh copy of `original`.
fn damaged_copies(original: &Path, root: &Path) -> Vec<(&'static str, PathBuf)> {
    let mut copies = Vec::new();
    let mut copy = |what: &'static str, damage: &dyn Fn(&Path)| {
        let to = root.join(what.replace(' ', "-"));
        copy_dir(original, &to);
        damage(&to.join("ledger"));
        copies.push((what, to));
    };
    copy("entry frame edited", &|store| {
        let log = store.join("entries.log");
        let len = common::tamper::frames_end_of(&log);
        flip_byte(&log, usize::try_from(len).unwrap() - 40, 0x01);
    });
    copy("checkpoint cut off", &|store| {
        let log = store.join("checkpoints.log");
        let len = std::fs::metadata(&log).unwrap().len();
        truncate(&log, len - 7);
    });
    copy("entry index edited", &|store| {
        let idx = store.join("entries.idx");
        let len = std::fs::metadata(&idx).unwrap().len();
        flip_byte(&idx, usize::try_from(len).unwrap() - 3, 0x01);
    });
    copies
}

#[test]
fn append_to_a_store_whose_records_were_damaged_is_refused_as_tampering() {
    let root = scratch("tidy-append-damaged");
    let (made, officer) = bureau(&root);
    let original = made.root().to_path_buf();
    let copies = damaged_copies(&original, &root);

    for (what, dir) in &copies {
        let before = std::fs::read(dir.join("ledger/entries.log")).unwrap();
        let out = append(dir, &officer);
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(EXIT_TAMPERED),
            "{what}: {}",
            describe(&out)
        );
        assert!(
            err.contains("liuhen verify") && err.contains("nothing was appended"),
            "{what}: {}",
            describe(&out)
        );
        assert_eq!(
            err.lines().count(),
            1,
            "{what}: one sentence: {}",
            describe(&out)
        );
        assert_eq!(
            std::fs::read(dir.join("ledger/entries.log")).unwrap(),
            before,
            "{what}: nothing appended"
        );
    }

    // The same statement on the undamaged ledger is appended: the refusals were the damage's.
    let out = append(&original, &officer);
    expect_code(&out, 0);
    assert_eq!(size(&original), 3);
}

/// `liuhen seal` and `liuhen authorize` (which appends through the same writer) on the same
/// damaged copies: refused as tampering, nothing signed or appended.
#[test]
fn seal_and_authorize_on_a_store_whose_records_were_damaged_are_refused_as_tampering() {
    let root = scratch("tidy-seal-damaged");
    let (made, _) = bureau(&root);
    let original = made.root().to_path_buf();
    let key_file = made.key_file.clone();
    let device = liuhen::SecretKey::from_seed(&[0x55; 32])
        .public_key()
        .to_string();
    for (what, dir) in damaged_copies(&original, &root) {
        let before = [
            std::fs::read(dir.join("ledger/entries.log")).unwrap(),
            std::fs::read(dir.join("ledger/checkpoints.log")).unwrap(),
        ];
        let sealed = liuhen_guarded(["seal", path_str(&dir), "--key-file", path_str(&key_file)]);
        let authorized = {
            let _guard = fork_guard();
            authorize(
                path_str(&dir),
                path_str(&key_file),
                Whom::Public(&device),
                "device",
                "DV-0001",
                &[],
            )
        };
        for (out, not_done) in [
            (&sealed, "nothing was signed"),
            (&authorized, "nothing was written"),
        ] {
            let err = stderr(out);
            assert_eq!(
                out.status.code(),
                Some(EXIT_TAMPERED),
                "{what}: {}",
                describe(out)
            );
            assert!(
                err.contains("liuhen verify") && err.contains(not_done),
                "{what}: {}",
                describe(out)
            );
            assert_eq!(err.lines().count(), 1, "{what}: {}", describe(out));
        }
        let after = [
            std::fs::read(dir.join("ledger/entries.log")).unwrap(),
            std::fs::read(dir.join("ledger/checkpoints.log")).unwrap(),
        ];
        assert!(after == before, "{what}: nothing written");
    }
    // Both work on the undamaged ledger.
    expect_code(
        &liuhen_guarded([
            "seal",
            path_str(&original),
            "--key-file",
            path_str(&key_file),
        ]),
        0,
    );
}

/// The writer's refusal of a statement dated beyond the clock skew carries the skew the ledger
/// was configured with (what `liuhen append` quotes), not the default.
#[test]
fn a_future_statement_is_refused_with_the_configured_skew() {
    let skew = 2_000;
    let mut built = LedgerBuilder::new()
        .officer()
        .options(liuhen::LedgerOptions {
            max_future_skew_ms: skew,
            ..liuhen::LedgerOptions::default()
        })
        .build();
    let now = liuhen::Clock::now(&*built.clock).millis();
    let statement = liuhen::entry::SignedStatement::sign(
        liuhen::Timestamp(now + skew + 1),
        common::events::case_viewed("c-1", "21020001", "review"),
        &built.k.officer,
    )
    .unwrap();
    match built.ledger.append(statement) {
        Err(liuhen::LedgerError::FutureStatement { max_skew_ms, .. }) => {
            assert_eq!(max_skew_ms, skew)
        }
        other => panic!("{other:?}"),
    }
}
