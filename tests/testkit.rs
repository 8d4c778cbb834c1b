//! The shared test kit (tests/common) checked against what it stands in for: a ledger
//! directory made by the kit is laid out as `liuhen init` lays one out and verifies with the
//! real binary; a built ledger holds exactly what the builder was asked for.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::cli::{expect_code, liuhen, scratch};
use common::dir::TestDir;
use common::{LedgerBuilder, ORIGIN};
use liuhen::model::{Event, Role};
use liuhen::{Signer, Verdict, VerifyOptions};

/// Every path under `root`, relative to it.
fn tree(root: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            out.insert(path.strip_prefix(root).unwrap().to_path_buf());
            if path.is_dir() {
                todo.push(path);
            }
        }
    }
    out
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn kit_ledger_directory_is_laid_out_as_liuhen_init_lays_it_out() {
    let root = scratch("testkit-layout");
    let by_binary = TestDir::init_with_binary(&root.join("init"), ORIGIN);
    let (by_kit, built) = TestDir::create(&root.join("kit"), LedgerBuilder::new());
    drop(built);
    assert_eq!(tree(by_kit.root()), tree(by_binary.root()));
    #[cfg(unix)]
    for made in [&by_kit, &by_binary] {
        assert_eq!(mode(&made.key_file), 0o600, "{}", made.key_file.display());
        assert_eq!(mode(made.key_file.parent().unwrap()), 0o700);
    }
    // The kit's directory is a ledger the binary verifies with its own verifier key, and its
    // key file holds the fixed ledger key.
    let vkey = by_kit.dir.vkey_path();
    let out = liuhen([
        "verify".as_ref(),
        by_kit.root().as_os_str(),
        "--vkey".as_ref(),
        vkey.as_os_str(),
    ]);
    expect_code(&out, 0);
    assert_eq!(
        by_kit.ledger_key().public_key(),
        common::keys().ledger.public_key()
    );
}

#[test]
fn built_ledger_holds_what_was_asked_for() {
    let b = LedgerBuilder::new()
        .at(common::T0 - 5_000)
        .then_at(common::T0)
        .v1()
        .officer()
        .device()
        .sealed()
        .build();
    assert_eq!(b.ledger.format().unwrap(), liuhen::FormatVersion::V1);
    assert_eq!(b.ledger.size(), 3);
    assert_eq!(
        b.ledger.entry(0).unwrap().logged_at.millis(),
        common::T0 - 5_000
    );
    let authorized: Vec<(liuhen::PublicKey, Role, String)> = (1..3)
        .map(
            |seq| match b.ledger.entry(seq).unwrap().statement.statement.event {
                Event::KeyAuthorized { key, role, holder } => (key, role, holder),
                other => panic!("entry {seq}: {other:?}"),
            },
        )
        .collect();
    assert_eq!(
        authorized,
        vec![
            (
                b.k.officer.public_key(),
                Role::Officer,
                common::OFFICER_ID.to_owned()
            ),
            (
                b.k.device.public_key(),
                Role::Device,
                common::DEVICE_ID.to_owned()
            ),
        ]
    );
    assert_eq!(b.ledger.entry(2).unwrap().logged_at.millis(), common::T0);
    let report = liuhen::verify_store(
        b.ledger.store(),
        &VerifyOptions {
            trusted_key: Some(b.ledger.verifier_key().unwrap()),
            ..VerifyOptions::default()
        },
    );
    assert_eq!(report.verdict, Verdict::Verified, "{:#?}", report.findings);
}
