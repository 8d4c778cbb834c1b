//! Attacks on the file store found by the second attack review, through the real binary where
//! a user meets them (docs/STORE.md rules R4, R11, R12, R13; docs/THREAT-MODEL.md):
//!
//! 1. a forged `index.mark` claiming no registry records must not make the writer truncate
//!    `registry.idx` and refuse writes forever (derived data is never trusted over the frames);
//! 2. a one-byte cut of the sealed last entry must not be "recovered" by the writer (dropping
//!    the entry and appending over its place), and `verify` reports the destruction;
//! 3. `liuhen seal` refuses to sign over a store whose older checkpoint record is damaged;
//! 4. a damaged `ledger/header` is tampering (exit 1), not an I/O error (exit 3);
//! 5. an `entries.idx` inflated to a sparse 4 GB is tampering found from its length alone,
//!    without walking the claimed records.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use common::cli::{describe, expect_code, finding_kinds, fork_guard, scratch};
use common::dir::AuditedDir;
use common::events::{case_viewed, officer_authorized, penalty_opened};
use common::tamper::{flip_byte, truncate};
use liuhen::commitment::commit_with_salt;
use liuhen::store::file::FileStore;
use liuhen::store::StoreRead;
use liuhen::{SecretKey, Signer};
use serde_json::Value;
use sha2::Digest as _;

const CASE: &str = "金民罚〔2026〕7号";

fn officer() -> SecretKey {
    SecretKey::from_seed(&[0x22; 32])
}

/// A ledger made by `liuhen init`, with an officer authorized and a case opened, sealed (size
/// 3), one more entry, sealed again (size 4): checkpoints at sizes 1, 3 and 4; the last entry is
/// covered by the last checkpoint.
fn fixture(name: &str) -> AuditedDir {
    let f = AuditedDir::init(scratch(name));
    let (party, _) = commit_with_salt("party.name", "某民办非企业单位", [8; 32]);
    let authorized = officer_authorized(officer().public_key());
    f.append(vec![
        (&f.ledger_key(), authorized),
        (&officer(), penalty_opened(CASE, party)),
    ]);
    f.seal_ok();
    append_viewed(&f);
    f.seal_ok();
    f
}

/// Appends one `RecordViewed` of the case through an in-process writer.
fn append_viewed(f: &AuditedDir) {
    let viewed = case_viewed(CASE, "21020001", "investigation");
    f.append(vec![(&officer(), viewed)]);
}

/// `DIR/ledger/NAME`.
fn store_file(f: &AuditedDir, name: &str) -> PathBuf {
    f.dir.join("ledger").join(name)
}

/// Runs `verify --json`, checks its exit code (and the human form's), returns the report.
fn verify_json(f: &AuditedDir, code: i32) -> Value {
    expect_code(&f.verify(&[]), code);
    let out = f.verify(&["--json"]);
    let text = expect_code(&out, code);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {}", describe(&out)))
}

/// The finding of `kind` whose message mentions `needle`, or a panic showing the report.
fn finding<'a>(report: &'a Value, kind: &str, needle: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind && f["message"].as_str().unwrap().contains(needle))
        .unwrap_or_else(|| panic!("no {kind} finding mentioning {needle:?} in {report:#}"))
}

/// One slot of `index.mark` as docs/STORE.md ("Index mark") lays it out.
fn mark_slot(generation: u64, entries: u64, registry: u64) -> Vec<u8> {
    let mut body = b"LHIDXMK1".to_vec();
    body.extend_from_slice(&generation.to_le_bytes());
    body.extend_from_slice(&entries.to_le_bytes());
    body.extend_from_slice(&registry.to_le_bytes());
    let sum = sha2::Sha256::digest(&body);
    body.extend_from_slice(&sum);
    body
}

#[test]
fn forged_index_mark_claiming_no_registry_records_does_not_stop_the_writer() {
    let f = fixture("store-attack-forged-mark");
    let registry = store_file(&f, "registry.idx");
    let before = std::fs::read(&registry).unwrap();
    assert_eq!(before.len(), 16, "genesis and the officer's authorization");
    // The newest slot (largest generation) claims: all 4 entries durable, 0 registry records.
    let mut mark = vec![0u8; 128];
    mark[64..].copy_from_slice(&mark_slot(u64::MAX, 4, 0));
    std::fs::write(store_file(&f, "index.mark"), &mark).unwrap();

    expect_code(&f.verify(&[]), 0);
    // The seal is a writer: it must open, not cut registry.idx, and sign.
    expect_code(&f.seal(), 0);
    assert_eq!(
        std::fs::read(&registry).unwrap(),
        before,
        "the registry index is derived from the frames, never truncated from a forged mark"
    );
    // Appends keep working, and the ledger verifies.
    append_viewed(&f);
    expect_code(&f.seal(), 0);
    let report = verify_json(&f, 0);
    assert_eq!(report["entries"], 5, "{report:#}");
    assert_eq!(std::fs::read(&registry).unwrap(), before);
}

#[test]
fn one_byte_cut_of_the_sealed_last_entry_is_not_recovered_over_by_the_writer() {
    let f = fixture("store-attack-sealed-entry-cut");
    let entries = store_file(&f, "entries.log");
    // The last frame loses its last byte (and the preallocated zeros after it go too).
    truncate(&entries, common::tamper::frames_end_of(&entries) - 1);
    let before: Vec<Vec<u8>> = ["entries.log", "entries.idx", "checkpoints.log"]
        .iter()
        .map(|n| std::fs::read(store_file(&f, n)).unwrap())
        .collect();
    let report = verify_json(&f, 1);
    finding(&report, "store_files_damaged", "cut off");

    // Every writer refuses and cuts nothing: the seal (exit 1, nothing signed) ...
    let out = f.seal();
    expect_code(&out, 1);
    // ... and a writer opened in-process.
    {
        let _guard = fork_guard();
        let store = FileStore::open(f.dir.join("ledger")).unwrap();
        assert!(
            store
                .refusal()
                .is_some_and(|r| r.contains("covered by a stored checkpoint")),
            "{:?}",
            store.refusal()
        );
        assert!(!store.recovery().applied);
        assert_eq!(store.recovery().entries.dropped, 1);
    }
    // ... and the core's one way to open a writer, which every adapter uses, says tampering.
    {
        let _guard = fork_guard();
        match liuhen::LedgerDir::new(&f.dir).open_writer() {
            Ok(_) => panic!("a writer was opened on a store whose sealed entry was cut"),
            Err(e) => {
                assert!(
                    matches!(e, liuhen::DirError::Damaged { .. }) && e.is_tampering(),
                    "{e}"
                );
                assert!(liuhen::Error::from(e).is_tampering());
            }
        }
    }
    let after: Vec<Vec<u8>> = ["entries.log", "entries.idx", "checkpoints.log"]
        .iter()
        .map(|n| std::fs::read(store_file(&f, n)).unwrap())
        .collect();
    assert!(after == before, "nothing cut, nothing written");
    // The destruction is still reported as tampering.
    let report = verify_json(&f, 1);
    assert_eq!(report["verdict"], "tampered", "{report:#}");
    finding(&report, "store_files_damaged", "a sealed record destroyed");
}

#[test]
fn seal_refuses_a_store_whose_older_checkpoint_record_is_damaged() {
    let f = fixture("store-attack-older-checkpoint");
    let log = store_file(&f, "checkpoints.log");
    let before = std::fs::read(&log).unwrap();
    // A byte of the first checkpoint's note (its origin line), not the last checkpoint.
    flip_byte(&log, 10, 0x20);
    let damaged = std::fs::read(&log).unwrap();
    let out = f.seal();
    expect_code(&out, 1);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("checkpoint 0"),
        "{}",
        describe(&out)
    );
    assert_eq!(
        std::fs::read(&log).unwrap(),
        damaged,
        "nothing signed or stored"
    );
    assert_ne!(damaged, before);
    let report = verify_json(&f, 1);
    assert_eq!(report["verdict"], "tampered", "{report:#}");
}

#[test]
fn damaged_store_header_is_tampering_not_an_io_error() {
    let header_len = {
        let f = fixture("store-attack-header-len");
        std::fs::metadata(store_file(&f, "header")).unwrap().len() as usize
    };
    // A byte of the origin, of the checksum, of the magic; the header cut short.
    for (name, at) in [
        ("origin", Some(20)),
        ("checksum", Some(header_len - 1)),
        ("magic", Some(0)),
        ("cut", None),
    ] {
        let f = fixture(&format!("store-attack-header-{name}"));
        let header = store_file(&f, "header");
        match at {
            Some(at) => flip_byte(&header, at, 0x20),
            None => truncate(&header, header_len as u64 - 1),
        }
        let report = verify_json(&f, 1);
        assert_eq!(report["verdict"], "tampered", "{name}: {report:#}");
        finding(&report, "store_files_damaged", "header");
        // The writer does not open it either.
        expect_code(&f.seal(), 1);
    }
}

#[test]
fn sparse_4_gb_entry_index_is_tampering_found_from_its_length() {
    let f = fixture("store-attack-sparse-index");
    let index = store_file(&f, "entries.idx");
    truncate(&index, 4 << 30);
    let report = verify_json(&f, 1);
    assert_eq!(report["verdict"], "tampered", "{report:#}");
    finding(&report, "store_files_damaged", "entries.idx");
    // The store shows no more records than the log can hold.
    let store = FileStore::open_read_only(f.dir.join("ledger")).unwrap();
    let log_len = std::fs::metadata(store_file(&f, "entries.log"))
        .unwrap()
        .len();
    assert!(store.size() <= log_len / 37 + 1, "{}", store.size());
    assert!(store.recovery().is_tampered());
    drop(store);
    // The writer refuses and changes nothing.
    expect_code(&f.seal(), 1);
    assert_eq!(std::fs::metadata(&index).unwrap().len(), 4 << 30);
}

#[test]
fn sparse_checkpoint_index_is_tampering_found_from_its_length() {
    let f = fixture("store-attack-sparse-checkpoint-index");
    truncate(&store_file(&f, "checkpoints.idx"), 4 << 30);
    let report = verify_json(&f, 1);
    assert_eq!(report["verdict"], "tampered", "{report:#}");
    assert!(
        finding_kinds(&report).contains(&"store_files_damaged".to_owned()),
        "{report:#}"
    );
    let store = FileStore::open_read_only(f.dir.join("ledger")).unwrap();
    assert!(
        store.checkpoint_count() < 100,
        "{}",
        store.checkpoint_count()
    );
}

#[test]
fn registry_index_edited_below_a_forged_mark_is_reported_as_the_writer_refuses_it() {
    // The records below the mark are trusted by the store; with a forged mark covering them an
    // outsider can edit one. The writer's `Ledger::open` compares them with the frames and
    // refuses; `verify` must then not say VERIFIED.
    let f = fixture("store-attack-registry-below-mark");
    let mut mark = vec![0u8; 128];
    mark[64..].copy_from_slice(&mark_slot(u64::MAX, 4, 2));
    std::fs::write(store_file(&f, "index.mark"), &mark).unwrap();
    let mut records = 0u64.to_le_bytes().to_vec();
    records.extend_from_slice(&3u64.to_le_bytes());
    std::fs::write(store_file(&f, "registry.idx"), &records).unwrap();

    expect_code(&f.seal(), 1);
    let report = verify_json(&f, 1);
    assert_eq!(report["verdict"], "tampered", "{report:#}");
    finding(&report, "store_files_damaged", "registry");
    assert_eq!(
        std::fs::read(store_file(&f, "registry.idx")).unwrap(),
        records
    );
}
