//! One admission rule (crate::admission): what the writer admits the verifier accepts, and what
//! the writer refuses, forced into the store, the verifier reports.
//!
//! The property test plays random statement sequences against a format-v2 ledger — among them
//! the cases of issue 11: an officer-signed `RecordingInterrupted` (admissible), a custodian's
//! `MediaPurged` under a preservation order or within retention, two devices using the same
//! session id, a second `CaseOpened` of an open case, an access decision by a device, statements
//! dated 1970 or `i64::MIN`, replays and segments out of order.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use common::events::{recording_start, recording_started};
use common::{forge, media, Built, Keys, LedgerBuilder, T0};
use liuhen::admission::Refusal;
use liuhen::hash::Digest;
use liuhen::model::*;
use liuhen::verify::{FindingKind, Severity, VerifyOptions};
use liuhen::{
    Clock, Ledger, LedgerError, LedgerOptions, ManualClock, MemoryStore, SecretKey,
    SignedStatement, Signer,
};
use proptest::prelude::*;

const MIN: i64 = 60_000;

struct World {
    k: Keys,
    device_b: SecretKey,
    custodian: SecretKey,
    clock: Arc<ManualClock>,
    ledger: Ledger<MemoryStore>,
    /// Admitted statements, for replays.
    admitted: Vec<SignedStatement>,
    /// Session → (device is A, next index, last digest), as admitted.
    sessions: HashMap<String, (bool, u32, Option<Digest>)>,
    /// Media filed per case.
    filed: HashMap<String, Vec<Digest>>,
    counter: u32,
}

impl World {
    fn new() -> World {
        World::new_at(T0)
    }

    fn new_at(t: i64) -> World {
        let device_b = SecretKey::from_seed(&[0x66; 32]);
        let custodian = SecretKey::from_seed(&[0x77; 32]);
        let Built { ledger, k, clock } = LedgerBuilder::new()
            .at(t)
            .officer()
            .device()
            .authorize(device_b.public_key(), Role::Device, "BWC-9999")
            .authorize(custodian.public_key(), Role::Custodian, "21020009")
            .build();
        World {
            k,
            device_b,
            custodian,
            clock,
            ledger,
            admitted: Vec::new(),
            sessions: HashMap::new(),
            filed: HashMap::new(),
            counter: 0,
        }
    }

    fn key(&self, who: u8) -> &SecretKey {
        match who % 4 {
            0 => &self.k.officer,
            1 => &self.k.device,
            2 => &self.device_b,
            _ => &self.custodian,
        }
    }

    /// The statement step `(op, a, b)` makes, signed as the ledger would bind it now.
    fn statement(&mut self, op: u8, a: u8, b: u8) -> SignedStatement {
        self.counter += 1;
        let n = self.counter;
        let case = format!("金民执〔2026〕{}号", a % 3);
        let session = format!("S-{}", b % 3);
        let now = self.clock.now();
        let (event, who, time): (Event, u8, Timestamp) = match op % 13 {
            0 => (
                Event::CaseOpened {
                    case_no: case,
                    act: ActKind::Inspection,
                    matter: "检查".into(),
                    unit: "科".into(),
                    subject: Sealed(Digest::ZERO),
                },
                0,
                now,
            ),
            1 => (
                Event::CaseClosed {
                    case_no: case,
                    outcome: "结案".into(),
                    file_retention: if b.is_multiple_of(2) {
                        Retention::Permanent
                    } else {
                        Retention::Until(now.plus_millis(MIN))
                    },
                },
                0,
                now,
            ),
            // Either device starts a session: two devices may pick the same session id.
            2 => (
                recording_started(
                    self.key(1 + a % 2).public_key(),
                    recording_start(&session, &case, None),
                ),
                1 + a % 2,
                now,
            ),
            // A segment: mostly the right one, sometimes by the wrong device, with the wrong
            // index or the wrong link.
            3 | 4 => {
                let (is_a, next, last) = self
                    .sessions
                    .get(&session)
                    .copied()
                    .unwrap_or((true, 0, None));
                let device = if a % 5 == 4 {
                    u8::from(is_a) + 1
                } else {
                    u8::from(!is_a) + 1
                };
                let index = if a % 7 == 6 { next + 1 } else { next };
                let prev = if a % 11 == 10 { None } else { last };
                let m = media(&format!("seg-{n}.mp4"), "video/mp4");
                (
                    Event::SegmentSealed {
                        session,
                        index,
                        prev_segment: prev,
                        media: m,
                        start: now,
                        end: now,
                    },
                    device,
                    now,
                )
            }
            // Interrupted: by the officer (admissible), a device, or the custodian (refused).
            5 => (
                Event::RecordingInterrupted {
                    session,
                    reason: InterruptionReason::Battery,
                    at: now,
                },
                a % 4,
                now,
            ),
            6 => {
                let (is_a, next, last) = self
                    .sessions
                    .get(&session)
                    .copied()
                    .unwrap_or((true, 0, None));
                let count = if a % 4 == 3 { next + 1 } else { next };
                (
                    Event::RecordingStopped {
                        session,
                        segments: count,
                        last_segment: last,
                    },
                    u8::from(!is_a) + 1,
                    now,
                )
            }
            7 => {
                let m = media(&format!("doc-{n}.pdf"), "application/pdf");
                self.filed.entry(case.clone()).or_default().push(m.digest);
                (
                    Event::DocumentFiled {
                        case_no: case,
                        stage: Stage::Investigation,
                        kind: DocumentKind::InvestigationRecord,
                        media: m,
                        officers: vec!["21020001".into()],
                    },
                    0,
                    now,
                )
            }
            8 => (
                if b.is_multiple_of(2) {
                    Event::PreservationOrdered {
                        case_no: case,
                        trigger: PreservationTrigger::PartyObjection,
                    }
                } else {
                    Event::PreservationReleased {
                        case_no: case,
                        approved_by: "局长".into(),
                    }
                },
                0,
                now,
            ),
            // A custodian purges media of a case (perhaps under a hold) or unreferenced media.
            9 => {
                let d = self
                    .filed
                    .get(&case)
                    .and_then(|v| v.first().copied())
                    .unwrap_or_else(|| media(&format!("loose-{n}"), "x/y").digest);
                (
                    Event::MediaPurged {
                        media: d,
                        authority: "档案鉴定小组".into(),
                    },
                    3,
                    now,
                )
            }
            // An access decision by the officer (admissible) or a device (refused).
            10 => (
                Event::AccessDecided {
                    request: format!("REQ-{}", b % 2),
                    granted: true,
                    reason: "申请".into(),
                },
                if a.is_multiple_of(2) { 0 } else { 1 },
                now,
            ),
            // A statement dated 1970 or at i64::MIN (seconds for milliseconds, or garbage).
            11 => (
                Event::RecordViewed {
                    subject: RecordRef::Case(case),
                    by: "21020001".into(),
                    purpose: "复核".into(),
                },
                0,
                if b.is_multiple_of(2) {
                    Timestamp(now.0 / 1000)
                } else {
                    Timestamp(i64::MIN)
                },
            ),
            // A replay of a statement already admitted.
            _ => {
                if let Some(s) = self
                    .admitted
                    .get(usize::from(a) % self.admitted.len().max(1))
                {
                    return s.clone();
                }
                (
                    Event::AccessRequested {
                        request: format!("REQ-{}", b % 2),
                        case_no: case,
                        requester: Sealed(Digest::ZERO),
                        basis: "条例".into(),
                    },
                    0,
                    now,
                )
            }
        };
        let key = self.key(who);
        self.ledger.sign(key, time, event).unwrap()
    }

    /// Remembers the recording state of an admitted statement.
    fn admitted(&mut self, s: &SignedStatement) {
        let a_key = self.k.device.public_key();
        match &s.statement.event {
            Event::RecordingStarted {
                session, device, ..
            } => {
                self.sessions
                    .insert(session.clone(), (*device == a_key, 0, None));
            }
            Event::SegmentSealed { session, media, .. } => {
                if let Some(x) = self.sessions.get_mut(session) {
                    x.1 += 1;
                    x.2 = Some(media.digest);
                }
            }
            _ => {}
        }
        self.admitted.push(s.clone());
    }
}

fn verify(store: &MemoryStore, ledger: &Ledger<MemoryStore>) -> liuhen::Report {
    liuhen::verify_store(
        store,
        &VerifyOptions {
            trusted_key: Some(ledger.verifier_key().unwrap()),
            ..VerifyOptions::default()
        },
    )
}

impl World {
    /// `st` forced into a copy of the store (common::forge), as an attacker would: the
    /// verifier's report on the copy and the position `st` took.
    fn forced_in(&self, st: SignedStatement) -> (liuhen::Report, u64) {
        let mut forged = forge::copy_store(self.ledger.store());
        let seq = forge::inject(&mut forged, st, self.clock.now());
        (verify(&forged, &self.ledger), seq)
    }

    /// Asserts that the ledger refuses `st` with a refusal `expected` accepts, and that `st`,
    /// forced in, is reported as `kind`.
    fn assert_refused_and_reported(
        &mut self,
        st: SignedStatement,
        expected: impl Fn(&Refusal) -> bool,
        kind: FindingKind,
    ) {
        let err = self.ledger.append(st.clone()).unwrap_err();
        assert!(inadmissible(&err).is_some_and(expected), "{err}");
        self.assert_reported_when_forced(st, kind);
    }

    /// Asserts that `st`, forced in, is reported as `kind` at its position.
    fn assert_reported_when_forced(&self, st: SignedStatement, kind: FindingKind) {
        let (report, seq) = self.forced_in(st);
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.kind == kind && f.seq == Some(seq)),
            "{kind:?} at {seq} not reported: {:#?}",
            report.findings
        );
    }
}

/// The admission rule's refusal inside `e`, if `e` is an inadmissible statement.
fn inadmissible(e: &LedgerError) -> Option<&Refusal> {
    match e {
        LedgerError::Inadmissible { source, .. } => Some(source),
        _ => None,
    }
}

fn refusal_of(e: &LedgerError) -> bool {
    matches!(
        e,
        LedgerError::Refused { .. }
            | LedgerError::Inadmissible { .. }
            | LedgerError::FutureStatement { .. }
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn what_the_writer_admits_verifies_and_what_it_refuses_is_reported(
        steps in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>()), 1..40),
    ) {
        let mut w = World::new();
        let mut refused = 0usize;
        for (op, a, b) in steps {
            w.clock.advance(MIN);
            let st = w.statement(op, a, b);
            match w.ledger.append(st.clone()) {
                Ok(_) => w.admitted(&st),
                Err(e) => {
                    prop_assert!(refusal_of(&e), "not a refusal: {e}");
                    refused += 1;
                    // Forced into a copy of the store, the verifier reports it at its position.
                    let (report, seq) = w.forced_in(st);
                    let at: Vec<_> = report
                        .findings
                        .iter()
                        .filter(|f| f.seq == Some(seq) && f.severity == Severity::Tampering)
                        .collect();
                    prop_assert!(!at.is_empty(), "refused ({e}) but not reported: {:#?}", report.findings);
                }
            }
        }
        w.ledger.seal(&w.k.ledger).unwrap();
        let report = verify(w.ledger.store(), &w.ledger);
        prop_assert!(
            !report.is_tampered() && report.verdict == liuhen::Verdict::Verified,
            "{} refused; admitted ledger: {:#?}",
            refused,
            report.findings
        );
        // A writer reopened over the same store rebuilds the same state and goes on.
        let store = forge::copy_store(w.ledger.store());
        let reopened = Ledger::open(store, w.clock.clone(), LedgerOptions::default()).unwrap();
        prop_assert_eq!(reopened.size(), w.ledger.size());
    }
}

/// The three cases of issue 11, item 3, one by one: the first is admissible and verifies, the
/// other two are refused by the writer and reported by the verifier when forced in.
#[test]
fn officer_interruption_is_admitted_purge_under_hold_and_reused_session_are_not() {
    let mut w = World::new();
    let case = "金民执〔2026〕0号";
    w.clock.advance(MIN);
    let st = w.statement(0, 0, 0); // CaseOpened case 0
    w.ledger.append(st.clone()).unwrap();
    // Device A starts session S-0, officer records an interruption.
    w.clock.advance(MIN);
    let start = w.statement(2, 0, 0);
    w.ledger.append(start.clone()).unwrap();
    w.admitted(&start);
    w.clock.advance(MIN);
    let interrupted = w.statement(5, 0, 0);
    assert_eq!(interrupted.statement.author, w.k.officer.public_key());
    w.ledger.append(interrupted).unwrap();
    // Device B starts a session with the same id: refused.
    let reuse = w.statement(2, 1, 0);
    w.assert_refused_and_reported(
        reuse,
        |r| matches!(r, Refusal::SessionInUse { .. }),
        FindingKind::SessionInUse,
    );
    // A document of the case, a preservation order, then the custodian's purge: refused.
    let doc = w.statement(7, 0, 0);
    w.ledger.append(doc).unwrap();
    let hold = w.statement(8, 0, 0);
    w.ledger.append(hold).unwrap();
    let purge = w.statement(9, 0, 0);
    assert_eq!(purge.statement.author, w.custodian.public_key());
    let err = w.ledger.append(purge.clone()).unwrap_err();
    assert!(err.to_string().contains("preservation order"), "{err}");
    w.assert_reported_when_forced(purge, FindingKind::MediaPurgeUnlawful);
    // The ledger as written verifies.
    w.ledger.seal(&w.k.ledger).unwrap();
    let report = verify(w.ledger.store(), &w.ledger);
    assert_eq!(
        report.verdict,
        liuhen::Verdict::Verified,
        "{:#?}",
        report.findings
    );
    let _ = case;
}

/// Format v2: the same statement twice is a replay; a statement bound to another ledger is
/// refused; each is reported when forced in.
#[test]
fn replay_and_statement_for_another_ledger_are_refused_and_reported() {
    let mut w = World::new();
    w.clock.advance(MIN);
    let st = w.statement(0, 0, 0);
    w.ledger.append(st.clone()).unwrap();
    w.assert_refused_and_reported(
        st,
        |r| matches!(r, Refusal::Replay { .. }),
        FindingKind::Replay,
    );

    // Another ledger, same origin and keys, begun a millisecond later (begun at the same
    // millisecond, its genesis entry and so its id would be the same): its statements are
    // refused here.
    let mut other = World::new_at(T0 + 1);
    other.clock.advance(2 * MIN);
    let foreign = other.statement(0, 1, 0);
    w.assert_refused_and_reported(
        foreign,
        |r| matches!(r, Refusal::WrongLedger { .. }),
        FindingKind::WrongLedger,
    );
}

/// Format v2: the writer links each entry to the previous entry of its case; a forged link is
/// reported, and a writer refuses to open over it.
#[test]
fn case_back_links_are_assigned_and_checked() {
    let mut w = World::new();
    let mut seqs = Vec::new();
    for op in [0u8, 7, 8, 7] {
        w.clock.advance(MIN);
        let st = w.statement(op, 0, 0);
        seqs.push(w.ledger.append(st).unwrap().seq);
    }
    let links: Vec<Option<u64>> = seqs
        .iter()
        .map(|s| w.ledger.entry(*s).unwrap().case_prev)
        .collect();
    assert_eq!(
        links,
        vec![None, Some(seqs[0]), Some(seqs[1]), Some(seqs[2])]
    );
    // Re-link the last entry to the case's first one (as if entries were taken out).
    let mut store = MemoryStore::new();
    let size = w.ledger.size();
    for seq in 0..size - 1 {
        let e = w.ledger.entry(seq).unwrap();
        liuhen::store::StoreWrite::append(
            &mut store,
            &[liuhen::entry::EncodedEntry::new(&e, &liuhen::hash::Sha256TreeHasher).unwrap()],
        )
        .unwrap();
    }
    let mut last = w.ledger.entry(size - 1).unwrap();
    last.case_prev = Some(seqs[0]);
    liuhen::store::StoreWrite::append(
        &mut store,
        &[liuhen::entry::EncodedEntry::new(&last, &liuhen::hash::Sha256TreeHasher).unwrap()],
    )
    .unwrap();
    let report = verify(&store, &w.ledger);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::CaseLinkBroken && f.seq == Some(size - 1)),
        "{:#?}",
        report.findings
    );
    let err = Ledger::open(store, w.clock.clone(), LedgerOptions::default()).unwrap_err();
    assert!(matches!(err, LedgerError::Corrupt { .. }), "{err}");
}
