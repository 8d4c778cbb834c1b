//! The signed writer state (docs/STORE.md, "The writer on open"; docs/FORMAT.md §22): an open
//! after a seal reads only the entries since and reaches the state a read of every frame
//! reaches; an outsider who deletes, replaces or rolls back the state file gains nothing but a
//! slower open, and one who rolls the store back under a seal is refused by the writer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::sync::Arc;

use common::builder::LedgerBuilder;
use common::cli::{describe, expect_code, fork_guard, liuhen_stdin, scratch};
use common::dir::{AuditedDir, TestDir};
use common::events::{case_viewed, document_filed};
use common::tamper::copy_dir;
use liuhen::hash::{labels, Sha256TreeHasher, TreeHasher};
use liuhen::ledger::OpenedFrom;
use liuhen::model::Event;
use liuhen::store::file::{FileStore, WRITER_STATE_FILE};
use liuhen::store::StoreRead;
use liuhen::{FormatVersion, LedgerDir, LedgerOptions, Signer};

const CASE: &str = "金民执〔2026〕12号";

/// The admission state as JSON (each map in its canonical order): equal JSON, equal state.
fn admission_json<S: liuhen::store::Store>(ledger: &liuhen::Ledger<S>) -> serde_json::Value {
    serde_json::to_value(ledger.admission()).unwrap()
}

fn open_at(dir: &Path, clock: Arc<dyn liuhen::Clock>) -> liuhen::Ledger<FileStore> {
    LedgerDir::new(dir)
        .open_writer_with(clock, LedgerOptions::default())
        .unwrap()
}

#[test]
fn an_open_after_a_seal_reads_only_the_entries_since_and_reaches_the_same_state() {
    for format in [FormatVersion::V1, FormatVersion::V2] {
        let root = scratch(&format!("writer-state-resume-{format:?}"));
        let (dir, mut b) = TestDir::create(&root, LedgerBuilder::new().format(format));
        common::play_scenario(&mut b);
        let sealed = b.ledger.size();
        let k = b.k.clone();
        b.append_after(
            1_000,
            &k.officer,
            document_filed(CASE, common::media("after-the-seal.pdf", "application/pdf")),
        );
        b.append_after(1_000, &k.officer, case_viewed(CASE, "21020001", "review"));
        let (size, root_hash, state) =
            (b.ledger.size(), b.ledger.root(), admission_json(&b.ledger));
        let clock = b.clock.clone();
        drop(b);

        let _guard = fork_guard();
        // With the state the last seal saved: only the two entries since are read.
        let resumed = open_at(dir.dir.root(), clock.clone());
        assert_eq!(
            resumed.opened_from(),
            &OpenedFrom::WriterState { size: sealed },
            "{format:?}"
        );
        assert_eq!((resumed.size(), resumed.root()), (size, root_hash));
        assert_eq!(admission_json(&resumed), state, "{format:?}");
        drop(resumed);

        // Without it (a copy with the file removed): every frame is read, to the same state.
        let copy = scratch(&format!("writer-state-resume-{format:?}-copy"));
        let _ = std::fs::remove_dir_all(&copy);
        copy_dir(dir.dir.root(), &copy);
        std::fs::remove_file(copy.join("ledger").join(WRITER_STATE_FILE)).unwrap();
        let full = open_at(&copy, clock);
        assert_eq!(full.opened_from(), &OpenedFrom::Frames { ignored: None });
        assert_eq!((full.size(), full.root()), (size, root_hash));
        assert_eq!(admission_json(&full), state, "{format:?}");
    }
}

#[test]
fn the_writer_state_bytes_are_pinned_for_the_golden_ledger() {
    // The golden v2 ledger (fixed keys, clock and nonce) ends with a seal: the state it saved.
    let b = common::golden_built(FormatVersion::V2);
    let bytes = b
        .ledger
        .store()
        .writer_state()
        .unwrap()
        .expect("a seal saves the state");
    assert!(bytes.starts_with(labels::WRITER_STATE));
    assert!(bytes.starts_with(b"liuhen/v1/writer-state\0"));
    // The signature (the last 64 bytes) is the ledger key's over everything before it.
    let (message, signature) = bytes.split_at(bytes.len() - 64);
    b.k.ledger
        .public_key()
        .verify_strict(
            message,
            &liuhen::Signature::Ed25519(signature.try_into().unwrap()),
        )
        .unwrap();
    // Its genesis leaf hash follows the label: entry 0's (the ledger id).
    let genesis = b.ledger.store().entry_bytes(0).unwrap();
    let after_label = &bytes[labels::WRITER_STATE.len()..];
    assert_eq!(
        &after_label[..32],
        Sha256TreeHasher.hash_leaf(&genesis).as_bytes()
    );
    // Pinned: the canonical encoding of the whole state (docs/FORMAT.md §22). A change here
    // is a change of the signed bytes: a new label version and a decision record.
    let digest = Sha256TreeHasher.hash_leaf(&bytes);
    assert_eq!(
        digest.to_hex(),
        "0596d1237723cb3ca8ed4ec02bbe674aa0a216b8482a5ae7bb4ccf0752d9db90",
        "{} bytes",
        bytes.len()
    );
}

/// An officer key made by `liuhen keygen` and registered by `liuhen authorize`.
fn staffed(name: &str) -> (AuditedDir, std::path::PathBuf) {
    let f = AuditedDir::init(scratch(name));
    let officer = f.keygen("21020001", "officer.key");
    f.authorize(&officer, "officer", "21020001");
    (f, officer)
}

fn viewed(n: usize) -> serde_json::Value {
    serde_json::to_value(case_viewed(CASE, "21020001", &format!("review {n}"))).unwrap()
}

/// `liuhen append DIR --sign-with KEY --json -` of one viewing: the run.
fn append_one(f: &AuditedDir, key: &Path, n: usize) -> std::process::Output {
    let line = format!("{}\n", serde_json::json!({ "event": viewed(n) }));
    let _guard = fork_guard();
    liuhen_stdin(
        [
            "append".as_ref(),
            f.dir.as_os_str(),
            "--sign-with".as_ref(),
            key.as_os_str(),
            "--json".as_ref(),
            "-".as_ref(),
        ],
        line.as_bytes(),
    )
}

/// The store's files but the writer state and the lock: what an outsider restores.
fn store_files(f: &AuditedDir) -> Vec<(std::ffi::OsString, Vec<u8>)> {
    std::fs::read_dir(f.dir.join("ledger"))
        .unwrap()
        .map(Result::unwrap)
        .filter(|e| e.file_name() != WRITER_STATE_FILE && e.file_name() != "lock")
        .map(|e| (e.file_name(), std::fs::read(e.path()).unwrap()))
        .collect()
}

#[test]
fn a_store_rolled_back_under_a_seal_is_refused_by_the_next_append() {
    let (f, officer) = staffed("writer-state-rollback");
    f.append_json(&officer, &[viewed(1)]);
    f.seal_ok();
    let before = store_files(&f);
    let kept = f.size();
    f.append_json(&officer, &[viewed(2), viewed(3)]);
    f.seal_ok();
    // The outsider puts the older store back (its files consistent among themselves: the
    // store finds nothing wrong), deleting the two sealed entries.
    for (name, bytes) in &before {
        std::fs::write(f.dir.join("ledger").join(name), bytes).unwrap();
    }
    assert_eq!(f.size(), kept);
    assert!(!f.store().recovery().is_tampered());
    // The writer refuses to write a second history on top: tampering, exit 1.
    let out = append_one(&f, &officer, 4);
    let err = expect_code(&out, 1);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("entries were removed after a seal"),
        "{err}{}",
        describe(&out)
    );
    assert_eq!(f.size(), kept, "nothing was written");
}

#[test]
fn a_writer_state_deleted_garbled_or_of_another_ledger_only_slows_the_open() {
    let (f, officer) = staffed("writer-state-replaced");
    let other = AuditedDir::init(scratch("writer-state-replaced-other"));
    f.append_json(&officer, &[viewed(1)]);
    f.seal_ok();
    let path = f.dir.join("ledger").join(WRITER_STATE_FILE);
    let mut garbled = std::fs::read(&path).unwrap();
    let middle = garbled.len() / 2;
    garbled[middle] ^= 1;
    let foreign = std::fs::read(other.dir.join("ledger").join(WRITER_STATE_FILE)).unwrap();
    for (n, (what, bytes)) in [
        ("garbled", Some(garbled)),
        ("another ledger's", Some(foreign)),
        ("deleted", None),
    ]
    .into_iter()
    .enumerate()
    {
        match &bytes {
            Some(bytes) => std::fs::write(&path, bytes).unwrap(),
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
        let opened = {
            let _guard = fork_guard();
            f.writer().opened_from().clone()
        };
        match (&bytes, opened) {
            (None, OpenedFrom::Frames { ignored: None }) => {}
            (Some(_), OpenedFrom::Frames { ignored: Some(why) }) => {
                assert!(why.contains("signature does not verify"), "{what}: {why}")
            }
            (_, other) => panic!("{what}: opened from {other:?}"),
        }
        expect_code(&append_one(&f, &officer, 10 + n), 0);
    }
}

#[test]
fn an_older_writer_state_put_back_does_not_readmit_a_revoked_officer() {
    let (f, officer) = staffed("writer-state-older");
    f.append_json(&officer, &[viewed(1)]);
    f.seal_ok();
    let path = f.dir.join("ledger").join(WRITER_STATE_FILE);
    let older = std::fs::read(&path).unwrap();
    let older_size = f.size();
    let public = liuhen::keyfile::read_secret_key(&officer)
        .unwrap()
        .1
        .public_key();
    f.append(vec![(
        &f.ledger_key(),
        Event::KeyRevoked {
            key: public,
            reason: "left the bureau".into(),
        },
    )]);
    f.seal_ok();
    // The state saved after the revocation knows it; the outsider puts the older one back.
    std::fs::write(&path, older).unwrap();
    let opened = {
        let _guard = fork_guard();
        f.writer().opened_from().clone()
    };
    assert_eq!(opened, OpenedFrom::WriterState { size: older_size });
    // The revocation lies after the older state: it is read from the frames, and the revoked
    // officer stays refused.
    let out = append_one(&f, &officer, 2);
    expect_code(&out, 3);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("revoked"),
        "{}",
        describe(&out)
    );
}

#[test]
fn a_bit_flipped_in_a_sealed_entry_is_found_by_verify_and_not_blessed_by_a_seal() {
    let (f, officer) = staffed("writer-state-sealed-flip");
    let seqs = f.append_json(&officer, &[viewed(1), viewed(2)]);
    f.seal_ok();
    // A writer that made its indexes durable before it stopped (as one does every 512 entries):
    // the store's own open then checks nothing before this point (rule R2a).
    {
        let _guard = fork_guard();
        FileStore::open(f.dir.join("ledger"))
            .unwrap()
            .sync_index()
            .unwrap();
    }
    // Flip a byte of the first viewing, which the seal's writer state covers (not its last
    // entry): the writer's open no longer reads it (decision 0010).
    common::tamper::flip_first(&f.dir.join("ledger").join("entries.log"), b"review 1");
    let tampered = |when: &str| {
        let out = f.verify(&["--json"]);
        let text = expect_code(&out, 1);
        let report = common::cli::json(&text);
        assert_eq!(report["verdict"], "tampered", "{when}: {report:#}");
        assert!(
            text.contains(&format!("\"seq\":{}", seqs[0]))
                || text.contains(&format!("\"seq\": {}", seqs[0])),
            "{when}: the finding names entry {}: {report:#}",
            seqs[0]
        );
    };
    tampered("after the flip");
    // Neither the store's open nor the writer's reads it again: the append goes on, and the
    // seal signs the tree of the signed state and the entries after it, not of the damage.
    expect_code(&append_one(&f, &officer, 3), 0);
    tampered("after an append");
    expect_code(&f.seal(), 0);
    tampered("after a seal");
}

/// The golden v2 ledger (sealed at 29) with one more entry after its seal.
fn golden_with_a_tail() -> common::builder::Built {
    let mut b = common::golden_built(FormatVersion::V2);
    let k = b.k.clone();
    b.append_after(
        1_000,
        &k.officer,
        case_viewed(CASE, "21020001", "after the seal"),
    );
    b
}

#[test]
fn a_backend_that_keeps_states_resumes_and_one_that_keeps_none_reads_every_frame() {
    let b = golden_with_a_tail();
    let (size, root_hash, state) = (b.ledger.size(), b.ledger.root(), admission_json(&b.ledger));
    let clock: Arc<dyn liuhen::Clock> = b.clock.clone();
    let store = b.ledger.into_store();
    // A copy of the entries and checkpoints only, behind a backend that keeps no writer state
    // (the trait's defaults): what a backend without the feature gives.
    let (none, _) = common::forge::FullDisk::switched(common::forge::copy_store(&store));
    let resumed = liuhen::Ledger::open(store, clock.clone(), LedgerOptions::default()).unwrap();
    assert_eq!(resumed.opened_from(), &OpenedFrom::WriterState { size: 29 });
    let full = liuhen::Ledger::open(none, clock, LedgerOptions::default()).unwrap();
    assert_eq!(full.opened_from(), &OpenedFrom::Frames { ignored: None });
    for ledger_state in [
        (resumed.size(), resumed.root(), admission_json(&resumed)),
        (full.size(), full.root(), admission_json(&full)),
    ] {
        assert_eq!(ledger_state, (size, root_hash, state.clone()));
    }
}

#[test]
fn a_refused_batch_is_undone_by_resuming_from_the_writer_state() {
    let mut b = golden_with_a_tail();
    let k = b.k.clone();
    let now = b.ledger.now();
    // The first statement is admissible and taken into the admission state; the second, by a
    // key the registry does not know, refuses the whole batch.
    let first = b
        .ledger
        .sign(&k.officer, now, case_viewed(CASE, "21020001", "undone"))
        .unwrap();
    let second =
        liuhen::SignedStatement::sign(now, case_viewed(CASE, "x", "y"), &k.outsider).unwrap();
    assert!(b.ledger.append_batch(vec![first, second]).is_err());
    // The next append rebuilds the state (from the state of the seal and the entry after it):
    // the undone statement's counter is free again.
    let again = b
        .ledger
        .sign(&k.officer, now, case_viewed(CASE, "21020001", "again"))
        .unwrap();
    b.ledger.append(again).unwrap();
    // The state reached equals the one a read of every frame reaches.
    let clock: Arc<dyn liuhen::Clock> = b.clock.clone();
    let appended = admission_json(&b.ledger);
    let store = b.ledger.into_store();
    let copy = common::forge::copy_store(&store);
    let full = liuhen::Ledger::open(copy, clock, LedgerOptions::default()).unwrap();
    assert_eq!(full.opened_from(), &OpenedFrom::Frames { ignored: None });
    assert_eq!(admission_json(&full), appended);
}

/// Writes the fuzz seed of `fuzz/fuzz_targets/writer_state.rs`: the body of the golden
/// ledger's writer state (what the target signs itself). `cargo test --test writer_state --
/// --ignored write_fuzz_seed`.
#[test]
#[ignore = "writes fuzz/corpus/writer_state/golden-body"]
fn write_fuzz_seed() {
    let b = common::golden_built(FormatVersion::V2);
    let bytes = b.ledger.store().writer_state().unwrap().unwrap();
    let body = &bytes[labels::WRITER_STATE.len()..bytes.len() - 64];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/writer_state");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("golden-body"), body).unwrap();
}
