//! SharedLedger as an application uses it from several threads: sign-and-append under the lock
//! (format-v2 counters right however the threads interleave), recording segments that arrive
//! out of order (refused by admission, never stored), a store that fails under a group commit
//! (a typed error for every caller of the group), poisoning, and seal + proof checked against
//! the signed checkpoint.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Built, LedgerBuilder};

use std::sync::atomic::Ordering;
use std::sync::Arc;

use liuhen::admission::Refusal;
use liuhen::entry::{SignedStatement, Statement};
use liuhen::hash::Sha256TreeHasher;
use liuhen::model::{ActKind, CaptureMethod, Event, Location, RecordRef, Timestamp};
use liuhen::store::{MemoryStore, Store, StoreError, StoreRead};
use liuhen::verify::{verify_store, Verdict, VerifyOptions};
use liuhen::{Ledger, LedgerError, ManualClock, SharedError, SharedLedger, Signer};

const CASE: &str = "金民执〔2026〕12号";
const SESSION: &str = "BWC-7731-20260101-0900";

/// A format-v2 ledger (the default) with the officer and the device authorized and a case open,
/// its clock an hour after the ledger began so that statements dated within that hour are
/// admitted.
fn v2_ledger<S: Store>(store: S, k: &common::Keys) -> (Ledger<S>, Arc<ManualClock>) {
    let Built {
        mut ledger, clock, ..
    } = LedgerBuilder::new()
        .keys(k.clone())
        .store(store)
        .then_at(common::T0 + 3_600_000)
        .officer()
        .device()
        .build();
    let (party, _) =
        liuhen::commitment::commit_with_salt("party.name", "大连某某社会组织", [1; 32]);
    ledger
        .sign_and_append(
            &k.officer,
            Event::CaseOpened {
                case_no: CASE.into(),
                act: ActKind::Inspection,
                matter: "年度检查 annual inspection".into(),
                unit: "社会组织管理科".into(),
                subject: party,
            },
        )
        .unwrap();
    (ledger, clock)
}

fn viewed(thread: usize, i: usize) -> Event {
    Event::RecordViewed {
        subject: RecordRef::Case(CASE.into()),
        by: format!("21020{thread:03}"),
        purpose: format!("review {i}"),
    }
}

/// The device's statements of one recording session, signed on the device with its bindings
/// counted on from the ledger's `next_binding`: started, three chained segments, stopped.
fn recording(
    shared: &SharedLedger<impl Store>,
    device: &dyn Signer,
) -> (SignedStatement, Vec<SignedStatement>, SignedStatement) {
    let binding = shared.next_binding(&device.public_key()).unwrap();
    let (mut rec, started) = liuhen::media::Recording::start_bound(
        liuhen::media::RecordingStart {
            session: SESSION.into(),
            case_no: CASE.into(),
            method: CaptureMethod::BodyWornRecorder,
            location: Location {
                place: "金普新区某街道1号".into(),
                landmark: None,
            },
            matter: "现场检查 on-site inspection".into(),
            officers: vec!["21020001".into()],
            party: None,
        },
        device,
        Timestamp(common::T0 + 60_000),
        binding,
    )
    .unwrap();
    let segments = (0..3)
        .map(|i| {
            let start = common::T0 + 61_000 + i * 100_000;
            rec.segment(
                common::media(&format!("seg-{i:04}.mp4"), "video/mp4"),
                Timestamp(start),
                Timestamp(start + 90_000),
            )
            .unwrap()
        })
        .collect();
    let stopped = rec.stop(Timestamp(common::T0 + 400_000)).unwrap();
    (started, segments, stopped)
}

fn verified(store: &impl Store, ledger_key: &dyn Signer) {
    let options = VerifyOptions {
        trusted_key: Some(
            liuhen::checkpoint::NoteVerifier::for_key(common::ORIGIN, ledger_key.public_key())
                .unwrap(),
        ),
        ..Default::default()
    };
    let report = verify_store(store, &options);
    assert_eq!(report.verdict, Verdict::Verified, "{:#?}", report.findings);
}

#[test]
fn sign_and_append_from_many_threads_binds_each_statement_to_the_next_counter() {
    let k = common::keys();
    let (ledger, _clock) = v2_ledger(MemoryStore::new(), &k);
    let before = ledger.size();
    let shared = Arc::new(SharedLedger::new(ledger));
    const THREADS: usize = 6;
    const PER_THREAD: usize = 10;
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let shared = Arc::clone(&shared);
            let officer = &k.officer;
            scope.spawn(move || {
                for i in 0..PER_THREAD {
                    // Every thread signs with the same officer key: a counter taken outside the
                    // lock would be taken twice and one of the two refused as a replay.
                    shared.sign_and_append(officer, viewed(t, i)).unwrap();
                }
            });
        }
    });
    let shared = Arc::into_inner(shared).unwrap();
    let size = shared.size().unwrap();
    assert_eq!(size, before + (THREADS * PER_THREAD) as u64);
    let sealed = shared.seal_checked(&k.ledger, None).unwrap();
    assert_eq!(sealed.checkpoint.checkpoint().size, size);
    let ledger = shared.into_inner().unwrap();
    verified(ledger.store(), &k.ledger);
}

/// Asserts that `err` refuses statement `at` of its batch as segment `index` of a session
/// that expected segment `expected` next.
fn assert_segment_missing(err: &SharedError, at: usize, index: u64, expected: u64) {
    assert!(
        matches!(
            err,
            SharedError::Ledger(LedgerError::Inadmissible { index: i, source })
                if *i == at && matches!(
                    **source,
                    Refusal::SegmentMissing { index: j, expected: e, .. } if j == index && e == expected
                )
        ),
        "{err}"
    );
}

/// A recording's start, segments and stop.
type Recording = (SignedStatement, Vec<SignedStatement>, SignedStatement);

/// A shared v2 ledger and the statements of one recording by the device (not appended).
fn shared_recording() -> (common::Keys, SharedLedger<MemoryStore>, Recording) {
    let k = common::keys();
    let (ledger, _clock) = v2_ledger(MemoryStore::new(), &k);
    let shared = SharedLedger::new(ledger);
    let recording = recording(&shared, &k.device);
    (k, shared, recording)
}

#[test]
fn an_out_of_order_segment_is_refused_by_admission_and_not_stored() {
    let (k, shared, (started, segments, stopped)) = shared_recording();
    shared.append_signed(started).unwrap();
    let size = shared.size().unwrap();
    // Two upload threads raced: segment 1 reaches the ledger before segment 0.
    let err = shared.append_signed(segments[1].clone()).unwrap_err();
    assert_segment_missing(&err, 0, 1, 0);
    assert!(!err.is_tampering(), "a refusal is not tampering: {err}");
    assert_eq!(shared.size().unwrap(), size, "nothing of it was stored");
    // The session's statements appended in segment order, as one all-or-nothing batch.
    let mut rest = segments.clone();
    rest.push(stopped);
    let receipts = shared.append_batch(rest).unwrap();
    assert_eq!(receipts.len(), 4);
    assert_eq!(receipts[0].seq, size);
    // The late segment 1, sent again, is now a replay of what is stored: refused again.
    assert!(shared.append_signed(segments[1].clone()).is_err());
    shared.seal_checked(&k.ledger, None).unwrap();
    let ledger = shared.into_inner().unwrap();
    verified(ledger.store(), &k.ledger);
}

#[test]
fn a_batch_with_segments_out_of_order_is_refused_whole() {
    let (_k, shared, (started, segments, stopped)) = shared_recording();
    let size = shared.size().unwrap();
    let batch = vec![
        started,
        segments[0].clone(),
        segments[2].clone(),
        segments[1].clone(),
        stopped,
    ];
    let err = shared.append_batch(batch).unwrap_err();
    assert_segment_missing(&err, 2, 2, 1);
    assert_eq!(shared.size().unwrap(), size, "all or nothing");
}

#[test]
fn a_store_failure_under_group_commit_is_a_typed_error_for_every_caller() {
    let k = common::keys();
    // A memory store whose appends fail while `fail` is set, as a full disk would.
    let (store, fail) = common::forge::FullDisk::switched(MemoryStore::new());
    let (ledger, _clock) = v2_ledger(store, &k);
    let shared = SharedLedger::new(ledger);
    let size = shared.size().unwrap();
    fail.store(true, Ordering::SeqCst);
    let binding = shared.next_binding(&k.officer.public_key()).unwrap();
    let statement = SignedStatement::sign_statement(
        Statement {
            time: Timestamp(common::T0 + 1_000),
            author: k.officer.public_key(),
            event: viewed(0, 0),
            binding,
        },
        &k.officer,
    )
    .unwrap();
    let err = shared.append_signed(statement.clone()).unwrap_err();
    match &err {
        SharedError::GroupCommit { group: 1, source } => assert!(
            matches!(**source, LedgerError::Store(StoreError::Io { .. })),
            "{source}"
        ),
        other => panic!("expected a group-commit failure, got {other}"),
    }
    assert!(!err.is_tampering(), "a full disk is not tampering");
    let app: liuhen::Error = err.into();
    assert!(app.to_string().contains("no space left on device"), "{app}");
    assert_eq!(shared.size().unwrap(), size);
    // The disk has room again: the same statement goes in.
    fail.store(false, Ordering::SeqCst);
    let receipt = shared.append_signed(statement).unwrap();
    assert_eq!(receipt.seq, size);
}

#[test]
fn a_panic_while_holding_the_ledger_poisons_it_for_every_later_call() {
    let k = common::keys();
    let (ledger, _clock) = v2_ledger(MemoryStore::new(), &k);
    let shared = SharedLedger::new(ledger);
    let size = shared.size().unwrap();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        shared.with(|_| panic!("an application bug while holding the ledger"))
    }));
    assert!(panicked.is_err());
    assert!(matches!(
        shared.sign_and_append(&k.officer, viewed(0, 0)),
        Err(SharedError::Poisoned)
    ));
    // Reads go through the store's reader, not the poisoned ledger: the store holds exactly
    // what it acknowledged, which a panic above it cannot half change.
    assert_eq!(shared.size().unwrap(), size);
    assert!(matches!(
        shared.seal_checked(&k.ledger, None),
        Err(SharedError::Poisoned)
    ));
    assert!(matches!(shared.into_inner(), Err(SharedError::Poisoned)));
}

#[test]
fn a_proof_from_the_shared_ledger_checks_against_the_signed_checkpoint() {
    let k = common::keys();
    let (ledger, _clock) = v2_ledger(MemoryStore::new(), &k);
    let shared = SharedLedger::new(ledger);
    let receipt = shared.sign_and_append(&k.officer, viewed(0, 0)).unwrap();
    let first = shared.size().unwrap();
    shared.seal_checked(&k.ledger, None).unwrap();
    shared.sign_and_append(&k.officer, viewed(0, 1)).unwrap();
    // What a relying party gets: the stored checkpoint, verified with the vkey it trusts.
    let vkey = shared.verifier_key().unwrap();
    let checkpoint = shared
        .latest_checkpoint()
        .unwrap()
        .unwrap()
        .verify(&vkey)
        .unwrap();
    assert_eq!(checkpoint.size(), first);
    let proof = shared
        .prove_inclusion(receipt.seq, checkpoint.size())
        .unwrap();
    proof
        .verify(&Sha256TreeHasher, &receipt.leaf_hash, checkpoint.root())
        .unwrap();
    // A proof for a size the ledger does not have is an error, not a panic.
    assert!(shared.prove_inclusion(0, first + 10).is_err());
    // The next signed checkpoint extends the first: checked between the two signed roots.
    let second = shared
        .seal_checked(&k.ledger, None)
        .unwrap()
        .checkpoint
        .verify(&vkey)
        .unwrap();
    shared
        .prove_consistency(first, second.size())
        .unwrap()
        .verify(&Sha256TreeHasher, checkpoint.root(), second.root())
        .unwrap();
}

/// The example program (crates/liuhen/examples/agency.rs), run as a test: an agency system
/// embedding the library end to end must keep working as the library changes.
#[allow(dead_code)]
#[path = "../crates/liuhen/examples/agency.rs"]
mod agency;

#[test]
fn the_agency_example_runs_to_a_verified_ledger() {
    let work = std::env::temp_dir().join(format!("liuhen-agency-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let outcome = agency::run(&work);
    let dir = liuhen::LedgerDir::new(work.join("jinpu"));
    let size = dir.open_read_only().map(|s| s.size());
    let traces: Vec<&str> = match dir.open_read_only() {
        Ok(store) => (14..18)
            .filter_map(|seq| store.entry_bytes(seq).ok())
            .filter_map(|bytes| liuhen::Entry::from_bytes(&bytes).ok())
            .map(|e| e.statement.statement.event.name())
            .collect(),
        Err(_) => Vec::new(),
    };
    let bundle_in_place = work.join("case-bundle.liuhen").is_file();
    std::fs::remove_dir_all(&work).unwrap();
    outcome.unwrap();
    // Genesis, 2 keys, case, 3 case-system statements, notice, start, 4 segments, stop, then the
    // traced view, request, decision and the traced disclosure of the exported bundle.
    assert_eq!(size.unwrap(), 18);
    assert_eq!(
        traces,
        [
            "RecordViewed",
            "AccessRequested",
            "AccessDecided",
            "RecordDisclosed"
        ]
    );
    assert!(bundle_in_place, "the disclosed bundle is in place");
}
