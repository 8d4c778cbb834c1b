//! Group commit: many threads append at once; every acknowledged entry is there, refused
//! statements fail alone, and the ledger verifies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use liuhen::entry::SignedStatement;
use liuhen::model::{Event, RecordRef, Timestamp};
use liuhen::store::file::FileStore;
use liuhen::store::StoreRead;
use liuhen::verify::{Verdict, VerifyOptions};
use liuhen::{LedgerError, SharedLedger, Signer};

fn viewed(thread: usize, i: usize) -> Event {
    Event::RecordViewed {
        subject: RecordRef::Case(format!("金民执〔2026〕{thread}号")),
        by: format!("21020{thread:03}"),
        purpose: format!("review {i}"),
    }
}

#[test]
fn concurrent_appends_share_syncs_and_all_land() {
    let dir = std::env::temp_dir().join(format!("liuhen-group-commit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let common::Built {
        ledger,
        k,
        clock: _,
    } = common::LedgerBuilder::new()
        .file_store(&dir)
        // Format v1: statements here are signed outside the ledger, bound to no ledger.
        .v1()
        .officer()
        .device()
        .build();
    let shared = Arc::new(SharedLedger::new(ledger));
    const THREADS: usize = 8;
    const PER_THREAD: usize = 25;
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                let k = common::keys();
                let mut acknowledged = Vec::new();
                for i in 0..PER_THREAD {
                    // Every fifth statement of thread 0 is by an unregistered key: refused alone.
                    let author = if t == 0 && i % 5 == 0 {
                        &k.outsider
                    } else {
                        &k.officer
                    };
                    let st =
                        SignedStatement::sign(Timestamp(common::T0), viewed(t, i), author).unwrap();
                    match shared.append(st) {
                        Ok(r) => acknowledged.push((r.seq, r.leaf_hash)),
                        Err(LedgerError::Refused { index: 0, .. }) => assert!(t == 0 && i % 5 == 0),
                        Err(e) => panic!("thread {t} statement {i}: {e}"),
                    }
                }
                acknowledged
            })
        })
        .collect();
    let mut all: Vec<(u64, liuhen::Digest)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort_by_key(|(seq, _)| *seq);
    let refused = PER_THREAD / 5;
    assert_eq!(all.len(), THREADS * PER_THREAD - refused);
    // Sequence numbers are dense and unique: 3.. (after genesis and two authorizations).
    for (i, (seq, _)) in all.iter().enumerate() {
        assert_eq!(*seq, 3 + i as u64);
    }
    let shared = Arc::try_unwrap(shared).unwrap();
    shared.with(|l| l.seal(&k.ledger).unwrap()).unwrap();
    let ledger = shared.into_inner().unwrap();
    for (seq, leaf) in &all {
        let bytes = ledger.store().entry_bytes(*seq).unwrap();
        assert_eq!(
            liuhen::hash::TreeHasher::hash_leaf(&liuhen::hash::Sha256TreeHasher, &bytes),
            *leaf
        );
    }
    let options = VerifyOptions {
        trusted_key: Some(ledger.verifier_key().unwrap()),
        ..VerifyOptions::default()
    };
    drop(ledger);
    let reader = FileStore::open_read_only(&dir).unwrap();
    let report = liuhen::verify_store(&reader, &options);
    assert_eq!(report.verdict, Verdict::Verified, "{:#?}", report.findings);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn append_each_refuses_individually_and_batch_refuses_all() {
    let (mut ledger, k) = common::small_ledger(1, &[]);
    let size = ledger.size();
    let good = ledger
        .sign(&k.officer, Timestamp(common::T0), viewed(1, 1))
        .unwrap();
    let outsider = SignedStatement::sign(Timestamp(common::T0), viewed(1, 2), &k.outsider).unwrap();
    let mut forged = good.clone();
    forged.statement.time = Timestamp(common::T0 + 1);
    let outcomes = ledger
        .append_each(
            vec![good.clone(), outsider.clone(), forged.clone(), good.clone()],
            true,
        )
        .unwrap();
    assert_eq!(outcomes.len(), 4);
    assert_eq!(outcomes[0].as_ref().unwrap().seq, size);
    assert!(matches!(
        outcomes[1],
        Err(LedgerError::Refused { index: 1, .. })
    ));
    assert!(matches!(
        outcomes[2],
        Err(LedgerError::BadSignature { index: 2, .. })
    ));
    // The same statement again is a replay (format v2), refused alone.
    assert!(matches!(
        &outcomes[3],
        Err(LedgerError::Inadmissible {
            index: 3,
            source,
        }) if matches!(**source, liuhen::admission::Refusal::Replay { .. })
    ));
    assert_eq!(ledger.size(), size + 1);
    assert!(ledger.append_batch(vec![good, outsider]).is_err());
    assert_eq!(ledger.size(), size + 1);
    let _ = k.ledger.public_key();
}

#[test]
fn shared_ledger_refuses_a_bad_signature_in_the_callers_thread() {
    let (ledger, k) = common::small_ledger(1, &[]);
    let shared = SharedLedger::new(ledger);
    let mut forged =
        SignedStatement::sign(Timestamp(common::T0), viewed(0, 0), &k.officer).unwrap();
    forged.statement.time = Timestamp(common::T0 + 5);
    assert!(matches!(
        shared.append(forged),
        Err(LedgerError::BadSignature { index: 0, .. })
    ));
    let size = shared.with(|l| l.size()).unwrap();
    assert_eq!(size, 4);
}
