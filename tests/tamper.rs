//! The verifier against tampering: every single-byte flip, deletion, swap, truncation below a
//! checkpoint and insertion by an unauthorized key must be reported as tampering.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use liuhen::entry::{Entry, SignedStatement};
use liuhen::hash::{Digest, Sha256TreeHasher, TreeHasher};
use liuhen::model::{Event, Timestamp};
use liuhen::verify::{verify_parts, FindingKind, Report, Verdict, VerifyOptions};
use liuhen::Signer;

use common::events::case_viewed;
use proptest::prelude::*;

fn options(ledger: &liuhen::Ledger<liuhen::MemoryStore>) -> VerifyOptions {
    VerifyOptions {
        trusted_key: Some(ledger.verifier_key().unwrap()),
        ..VerifyOptions::default()
    }
}

fn run(entries: &[Vec<u8>], checkpoints: &[String], options: &VerifyOptions) -> Report {
    verify_parts(entries.iter().cloned().map(Ok), checkpoints, options)
}

#[test]
fn untouched_ledgers_verify() {
    for n in [0, 1, 5, 20] {
        let (ledger, _) = common::small_ledger(n, &[0, 3]);
        let report = liuhen::verify_store(ledger.store(), &options(&ledger));
        assert_eq!(
            report.verdict,
            Verdict::Verified,
            "n={n}: {:#?}",
            report.findings
        );
        assert!(report.findings.is_empty());
    }
}

#[test]
fn every_single_byte_flip_of_every_entry_is_detected() {
    let (ledger, _) = common::small_ledger(4, &[1]);
    let opts = options(&ledger);
    let (entries, checkpoints) = ledger.into_store().into_parts();
    let mut flips = 0;
    for seq in 0..entries.len() {
        for offset in 0..entries[seq].len() {
            let mut tampered = entries.clone();
            tampered[seq][offset] ^= 0x01;
            let report = run(&tampered, &checkpoints, &opts);
            assert_eq!(
                report.verdict,
                Verdict::Tampered,
                "flip of entry {seq} byte {offset} not detected: {:#?}",
                report.findings
            );
            flips += 1;
        }
    }
    assert!(flips > 1000, "only {flips} flips tried");
}

#[test]
fn unsealed_tail_is_reported_not_passed() {
    let (mut ledger, k) = common::small_ledger(3, &[]);
    ledger
        .sign_and_append(&k.officer, common::scenario(&k).swap_remove(2).0)
        .unwrap();
    let report = liuhen::verify_store(ledger.store(), &options(&ledger));
    assert_eq!(report.verdict, Verdict::Unverified);
    assert!(report.has(FindingKind::Unsealed));
}

#[test]
fn missing_trust_anchor_is_reported() {
    let (ledger, _) = common::small_ledger(2, &[]);
    let report = liuhen::verify_store(ledger.store(), &VerifyOptions::default());
    assert_eq!(report.verdict, Verdict::Unverified);
    assert!(report.has(FindingKind::NoTrustAnchor));
}

#[test]
fn wrong_trusted_key_is_tampering() {
    let (ledger, k) = common::small_ledger(2, &[]);
    let other =
        liuhen::checkpoint::NoteVerifier::for_key(common::ORIGIN, k.outsider.public_key()).unwrap();
    let opts = VerifyOptions {
        trusted_key: Some(other),
        ..VerifyOptions::default()
    };
    let report = liuhen::verify_store(ledger.store(), &opts);
    assert!(report.has(FindingKind::WrongLedgerKey));
    assert!(report.has(FindingKind::BadCheckpoint));
    assert_eq!(report.verdict, Verdict::Tampered);
}

#[test]
fn rollback_and_fork_against_trusted_checkpoint() {
    let (ledger, _) = common::small_ledger(6, &[]);
    let opts = options(&ledger);
    let trusted = ledger.latest_checkpoint().unwrap().unwrap();
    let (entries, checkpoints) = ledger.into_store().into_parts();
    let with_state = VerifyOptions {
        trusted_checkpoint: Some(trusted),
        ..opts.clone()
    };
    // Same ledger: fine.
    assert_eq!(
        run(&entries, &checkpoints, &with_state).verdict,
        Verdict::Verified
    );
    // Rolled back: the last two entries and the last checkpoint are gone.
    let report = run(
        &entries[..entries.len() - 2],
        &checkpoints[..checkpoints.len() - 1],
        &with_state,
    );
    assert!(report.has(FindingKind::Rollback), "{:#?}", report.findings);
    // A different history of the same length (a fork): rebuild with other content.
    let (other, _) = common::small_ledger_variant(7, &[], "forked");
    let (other_entries, other_checkpoints) = other.into_store().into_parts();
    let report = run(
        &other_entries[..entries.len()],
        &other_checkpoints[..1],
        &with_state,
    );
    assert!(
        report.has(FindingKind::TrustedCheckpointMismatch),
        "{:#?}",
        report.findings
    );
}

#[test]
fn future_dated_and_time_reversed_entries_are_reported() {
    // Built by hand, as only a forger would write them: the ledger refuses both on append.
    let (ledger, k) = common::small_ledger(1, &[]);
    let (mut entries, _) = ledger.into_store().into_parts();
    let last = Entry::from_bytes(entries.last().unwrap()).unwrap();
    let forged = Entry {
        seq: last.seq + 1,
        prev: Sha256TreeHasher.hash_leaf(entries.last().unwrap()),
        logged_at: Timestamp(last.logged_at.0 - 10),
        case_prev: None,
        statement: SignedStatement::sign(
            Timestamp(last.logged_at.0 + 3_600_000),
            case_viewed("x", "21020001", "p"),
            &k.officer,
        )
        .unwrap(),
    };
    entries.push(forged.to_bytes().unwrap());
    let report = run(&entries, &[], &VerifyOptions::default());
    assert!(report.has(FindingKind::TimeReversal));
    assert!(report.has(FindingKind::FutureStatement));
}

/// Rebuilds `entries` into a consistent chain (renumbering seq and recomputing prev) after a
/// structural change: the strongest forger, who rewrites everything but cannot forge signatures.
fn rechain(entries: &mut [Vec<u8>]) {
    let mut prev = Digest::ZERO;
    for (i, bytes) in entries.iter_mut().enumerate() {
        let mut e = Entry::from_bytes(bytes).unwrap();
        e.seq = i as u64;
        e.prev = prev;
        *bytes = e.to_bytes().unwrap();
        prev = Sha256TreeHasher.hash_leaf(bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_byte_flip_is_detected(n in 1usize..24, seal in 0usize..24, pick in any::<prop::sample::Index>(), byte in any::<prop::sample::Index>(), mask in 1u8..=255) {
        let (ledger, _) = common::small_ledger(n, &[seal]);
        let opts = options(&ledger);
        let (mut entries, checkpoints) = ledger.into_store().into_parts();
        let seq = pick.index(entries.len());
        let offset = byte.index(entries[seq].len());
        entries[seq][offset] ^= mask;
        let report = run(&entries, &checkpoints, &opts);
        prop_assert_eq!(report.verdict, Verdict::Tampered, "entry {} byte {}: {:#?}", seq, offset, report.findings);
    }

    #[test]
    fn any_deletion_is_detected(n in 1usize..24, seal in 0usize..24, pick in any::<prop::sample::Index>(), rechained in any::<bool>()) {
        let (ledger, _) = common::small_ledger(n, &[seal]);
        let opts = options(&ledger);
        let (mut entries, checkpoints) = ledger.into_store().into_parts();
        let seq = pick.index(entries.len());
        entries.remove(seq);
        if rechained && seq > 0 {
            rechain(&mut entries);
        }
        let report = run(&entries, &checkpoints, &opts);
        prop_assert_eq!(report.verdict, Verdict::Tampered, "deleting {}: {:#?}", seq, report.findings);
    }

    #[test]
    fn any_swap_is_detected(n in 2usize..24, a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>(), rechained in any::<bool>()) {
        let (ledger, _) = common::small_ledger(n, &[]);
        let opts = options(&ledger);
        let (mut entries, checkpoints) = ledger.into_store().into_parts();
        let (i, j) = (a.index(entries.len()), b.index(entries.len()));
        prop_assume!(i != j && entries[i] != entries[j]);
        entries.swap(i, j);
        if rechained && i > 0 && j > 0 {
            rechain(&mut entries);
        }
        let report = run(&entries, &checkpoints, &opts);
        prop_assert_eq!(report.verdict, Verdict::Tampered, "swapping {} and {}: {:#?}", i, j, report.findings);
    }

    #[test]
    fn truncation_below_a_checkpoint_is_detected(n in 1usize..24, seal in 0usize..24, cut in any::<prop::sample::Index>()) {
        let (ledger, _) = common::small_ledger(n, &[seal]);
        let opts = options(&ledger);
        let (entries, checkpoints) = ledger.into_store().into_parts();
        // Keep 0..len-1 entries: always below the final checkpoint.
        let keep = cut.index(entries.len());
        let report = run(&entries[..keep], &checkpoints, &opts);
        prop_assert!(report.has(FindingKind::Truncated), "keeping {}: {:#?}", keep, report.findings);
        prop_assert_eq!(report.verdict, Verdict::Tampered);
    }

    #[test]
    fn insertion_by_an_unauthorized_key_is_detected(n in 1usize..24, at in any::<prop::sample::Index>(), rechained in any::<bool>()) {
        let (ledger, k) = common::small_ledger(n, &[]);
        let opts = options(&ledger);
        let (mut entries, checkpoints) = ledger.into_store().into_parts();
        let pos = 1 + at.index(entries.len());
        let statement = SignedStatement::sign(
            Timestamp(common::T0 + 500),
            case_viewed("金民执〔2026〕1号", "intruder", "backdated insertion"),
            &k.outsider,
        ).unwrap();
        let entry = Entry { seq: pos as u64, prev: Digest::ZERO, logged_at: Timestamp(common::T0), case_prev: None, statement };
        entries.insert(pos.min(entries.len()), entry.to_bytes().unwrap());
        if rechained {
            rechain(&mut entries);
        }
        let report = run(&entries, &checkpoints, &opts);
        prop_assert!(report.has(FindingKind::Unauthorized), "{:#?}", report.findings);
        prop_assert_eq!(report.verdict, Verdict::Tampered);
    }
}

#[test]
fn ledger_refuses_unauthorized_and_revoked_authors() {
    let (mut ledger, k) = common::small_ledger(1, &[]);
    let event = case_viewed("c", "x", "p");
    let err = ledger
        .sign_and_append(&k.outsider, event.clone())
        .unwrap_err();
    assert!(
        matches!(err, liuhen::LedgerError::Refused { index: 0, .. }),
        "{err}"
    );
    ledger
        .sign_and_append(
            &k.ledger,
            Event::KeyRevoked {
                key: k.officer.public_key(),
                reason: "lost".into(),
            },
        )
        .unwrap();
    let err = ledger.sign_and_append(&k.officer, event).unwrap_err();
    assert!(err.to_string().contains("revoked"), "{err}");
}

#[test]
fn batch_is_all_or_nothing() {
    let (mut ledger, k) = common::small_ledger(1, &[]);
    let size = ledger.size();
    let view = case_viewed("c", "x", "p");
    let ok = ledger
        .sign(&k.officer, Timestamp(common::T0), view.clone())
        .unwrap();
    let mut bad = ok.clone();
    bad.statement.time = Timestamp(common::T0 + 1);
    let err = ledger.append_batch(vec![ok.clone(), bad]).unwrap_err();
    assert!(
        matches!(err, liuhen::LedgerError::BadSignature { index: 1, .. }),
        "{err}"
    );
    assert_eq!(ledger.size(), size);
    // The same statement twice is a replay (format v2): the batch is refused whole.
    assert!(matches!(
        ledger.append_batch(vec![ok.clone(), ok.clone()]),
        Err(liuhen::LedgerError::Inadmissible {
            index: 1,
            source,
        }) if matches!(*source, liuhen::admission::Refusal::Replay { .. })
    ));
    assert_eq!(ledger.size(), size);
    let mut next = ok.statement.clone();
    if let Some(b) = next.binding.as_mut() {
        b.counter += 1;
    }
    let next = SignedStatement::sign_statement(next, &k.officer).unwrap();
    let receipts = ledger.append_batch(vec![ok, next]).unwrap();
    assert_eq!(receipts.len(), 2);
    assert_eq!(receipts[1].seq, size + 1);
}

#[test]
fn chunking_does_not_change_the_report() {
    let (ledger, _) = common::small_ledger(9, &[2, 5]);
    let opts = options(&ledger);
    let (mut entries, checkpoints) = ledger.into_store().into_parts();
    entries[4][40] ^= 0x10;
    entries.remove(7);
    let reference = run(&entries, &checkpoints, &opts);
    assert_eq!(reference.verdict, Verdict::Tampered);
    for chunk_size in [1, 2, 3, 4, 7, 11, 64] {
        let report = run(
            &entries,
            &checkpoints,
            &VerifyOptions {
                chunk_size,
                ..opts.clone()
            },
        );
        assert_eq!(
            report.findings, reference.findings,
            "chunk size {chunk_size}"
        );
        assert_eq!(report.checkpoints_verified, reference.checkpoints_verified);
    }
}

#[test]
fn read_error_mid_stream_is_reported() {
    let (ledger, _) = common::small_ledger(5, &[]);
    let opts = VerifyOptions {
        chunk_size: 2,
        ..options(&ledger)
    };
    let (entries, checkpoints) = ledger.into_store().into_parts();
    let stream = entries.into_iter().enumerate().map(|(i, e)| {
        if i == 4 {
            Err(liuhen::StoreError::OutOfRange { seq: 4, size: 4 })
        } else {
            Ok(e)
        }
    });
    let report = verify_parts(stream, &checkpoints, &opts);
    assert!(report.has(FindingKind::ReadError), "{:#?}", report.findings);
    assert_eq!(report.entries, 4);
    assert_ne!(report.verdict, Verdict::Verified);
}

#[test]
fn findings_are_bounded() {
    let (ledger, _) = common::small_ledger(20, &[]);
    let opts = VerifyOptions {
        max_findings: 3,
        ..options(&ledger)
    };
    let (mut entries, checkpoints) = ledger.into_store().into_parts();
    for e in entries.iter_mut().skip(1) {
        let last = e.len() - 1;
        e[last] ^= 1; // break every signature
    }
    let report = run(&entries, &checkpoints, &opts);
    assert_eq!(report.findings.len(), 3);
    assert!(report.findings_omitted > 0);
    assert_eq!(report.verdict, Verdict::Tampered);
}

/// A signer whose device is faulty: every signature it returns is garbage.
struct FaultySigner(liuhen::SecretKey);

impl Signer for FaultySigner {
    fn public_key(&self) -> liuhen::PublicKey {
        self.0.public_key()
    }
    fn sign(&self, _message: &[u8]) -> Result<liuhen::Signature, liuhen::keys::KeyError> {
        Ok(liuhen::Signature::Ed25519([7u8; 64]))
    }
}

#[test]
fn own_signatures_are_checked_when_asked() {
    let k = common::keys();
    let event = || case_viewed("c", "x", "p");
    for verify_own_signatures in [true, false] {
        let mut ledger = common::LedgerBuilder::new()
            .options(liuhen::LedgerOptions {
                verify_own_signatures,
                ..Default::default()
            })
            .build()
            .ledger;
        let faulty = FaultySigner(k.ledger.clone());
        let result = ledger.sign_and_append(&faulty, event());
        if verify_own_signatures {
            assert!(matches!(
                result,
                Err(liuhen::LedgerError::BadSignature { .. })
            ));
            assert_eq!(ledger.size(), 1);
        } else {
            // Admitted unchecked, but the seal refuses to sign over it and the verifier still
            // catches it.
            result.unwrap();
            assert!(matches!(
                ledger.seal(&k.ledger),
                Err(liuhen::LedgerError::SealRefused(_))
            ));
            let report = liuhen::verify_store(ledger.store(), &options(&ledger));
            assert!(report.has(FindingKind::BadSignature));
        }
    }
}

#[test]
fn reopened_ledger_continues_where_it_stopped() {
    let (ledger, k) = common::small_ledger(10, &[4]);
    let root = ledger.root();
    let size = ledger.size();
    let store = ledger.into_store();
    let clock = std::sync::Arc::new(liuhen::ManualClock::new(Timestamp(common::T0 + 60_000)));
    let mut ledger = liuhen::Ledger::open(store, clock, liuhen::LedgerOptions::default()).unwrap();
    assert_eq!(ledger.size(), size);
    assert_eq!(ledger.root(), root);
    assert_eq!(ledger.origin(), common::ORIGIN);
    // The registry was rebuilt: the officer may append, the outsider may not.
    let event = case_viewed("c", "21020001", "p");
    ledger.sign_and_append(&k.officer, event.clone()).unwrap();
    assert!(ledger.sign_and_append(&k.outsider, event).is_err());
    ledger.seal(&k.ledger).unwrap();
    let report = liuhen::verify_store(ledger.store(), &options(&ledger));
    assert_eq!(report.verdict, Verdict::Verified, "{:#?}", report.findings);
    // Proofs from the reopened ledger verify against its checkpoints.
    let proof = ledger.prove_consistency(size, ledger.size()).unwrap();
    proof
        .verify(&Sha256TreeHasher, &root, &ledger.root())
        .unwrap();
    // A checkpoint may only be signed by the ledger key.
    assert!(matches!(
        ledger.seal(&k.officer),
        Err(liuhen::LedgerError::NotLedgerKey { .. })
    ));
}

#[test]
fn create_refuses_bad_origin_and_non_empty_store() {
    let k = common::keys();
    let clock = || std::sync::Arc::new(liuhen::ManualClock::new(Timestamp(common::T0)));
    for origin in ["", "has space", "a+b", "tab\there"] {
        let r = liuhen::Ledger::create(
            liuhen::MemoryStore::new(),
            origin,
            &k.ledger,
            clock(),
            Default::default(),
        );
        assert!(
            matches!(r, Err(liuhen::LedgerError::BadOrigin { .. })),
            "{origin:?}"
        );
    }
    let (ledger, _) = common::small_ledger(1, &[]);
    let r = liuhen::Ledger::create(
        ledger.into_store(),
        common::ORIGIN,
        &k.ledger,
        clock(),
        Default::default(),
    );
    assert!(matches!(r, Err(liuhen::LedgerError::NotEmpty { .. })));
    let r = liuhen::Ledger::open(liuhen::MemoryStore::new(), clock(), Default::default());
    assert!(matches!(r, Err(liuhen::LedgerError::NoGenesis)));
}

#[test]
fn future_statements_are_refused_on_append() {
    let (mut ledger, k) = common::small_ledger(1, &[]);
    let st = SignedStatement::sign(
        Timestamp(common::T0 + 3_600_000),
        case_viewed("c", "x", "p"),
        &k.officer,
    )
    .unwrap();
    assert!(matches!(
        ledger.append(st),
        Err(liuhen::LedgerError::FutureStatement { .. })
    ));
}

#[test]
fn forged_key_authorization_authorizes_nobody() {
    let (ledger, k) = common::small_ledger(1, &[]);
    let opts = options(&ledger);
    let (mut entries, checkpoints) = ledger.into_store().into_parts();
    // Take the genuine KeyAuthorized of entry 1 and swap in the outsider's key: the ledger key's
    // signature no longer matches.
    let mut forged = Entry::from_bytes(&entries[1]).unwrap();
    if let Event::KeyAuthorized { key, .. } = &mut forged.statement.statement.event {
        *key = k.outsider.public_key();
    }
    let last = Entry::from_bytes(entries.last().unwrap()).unwrap();
    forged.seq = last.seq + 1;
    forged.prev = Sha256TreeHasher.hash_leaf(entries.last().unwrap());
    forged.logged_at = last.logged_at;
    entries.push(forged.to_bytes().unwrap());
    let by_outsider = Entry {
        seq: forged.seq + 1,
        prev: Sha256TreeHasher.hash_leaf(entries.last().unwrap()),
        logged_at: last.logged_at,
        case_prev: None,
        statement: SignedStatement::sign(last.logged_at, case_viewed("c", "x", "p"), &k.outsider)
            .unwrap(),
    };
    entries.push(by_outsider.to_bytes().unwrap());
    let report = run(&entries, &checkpoints, &opts);
    assert!(report
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::BadSignature && f.seq == Some(forged.seq)));
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::Unauthorized && f.seq == Some(by_outsider.seq)),
        "{:#?}",
        report.findings
    );
}
