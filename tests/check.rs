//! The one check pass (`liuhen::check`): each entry read once for every checker, the audit in
//! the same pass equal to the audit on its own, no audit of a tampered ledger, the verdict and
//! outcome computed from the findings, and the articles of finding kinds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicU64, Ordering};

use common::forge::{copy_store, inject};
use common::{golden_ledger, T0};
use liuhen::audit::{audit, AuditOptions, Profile};
use liuhen::check::{
    check_store, AuditRequest, CheckOptions, Outcome, TrustAnchor, TrustedKey, JSON_SCHEMA,
};
use liuhen::hash::Digest;
use liuhen::model::{Event, RecordRef};
use liuhen::store::{StoreError, StoreRead};
use liuhen::verify::{FindingKind, Severity, Verdict};
use liuhen::{MemoryStore, SignedStatement, Timestamp};

/// A store that counts how often entry bytes are read.
struct Counting<'a> {
    inner: &'a MemoryStore,
    reads: AtomicU64,
}

impl StoreRead for Counting<'_> {
    fn size(&self) -> Result<u64, StoreError> {
        Ok(self.inner.size())
    }
    fn origin(&self) -> Option<&str> {
        StoreRead::origin(self.inner)
    }
    fn registry_changes(&self) -> Result<Option<Vec<u64>>, StoreError> {
        StoreRead::registry_changes(self.inner)
    }
    /// Counts every entry read, by range or alone (a single read is a range of one).
    fn entries(&self, range: std::ops::Range<u64>) -> Result<Vec<Vec<u8>>, StoreError> {
        let entries = StoreRead::entries(self.inner, range)?;
        self.reads
            .fetch_add(entries.len() as u64, Ordering::Relaxed);
        Ok(entries)
    }
    fn node_hashes(
        &self,
        level: u8,
        range: std::ops::Range<u64>,
    ) -> Result<Vec<Digest>, StoreError> {
        StoreRead::node_hashes(self.inner, level, range)
    }
    fn checkpoint_count(&self) -> Result<u64, StoreError> {
        Ok(self.inner.checkpoint_count())
    }
    fn checkpoints(&self, range: std::ops::Range<u64>) -> Result<Vec<String>, StoreError> {
        StoreRead::checkpoints(self.inner, range)
    }
}

fn as_of() -> Timestamp {
    Timestamp(T0 + 30 * 86_400_000)
}

fn options(key: liuhen::checkpoint::NoteVerifier) -> CheckOptions<'static> {
    CheckOptions {
        vkey: Some(TrustedKey {
            anchor: TrustAnchor {
                file: "ledger.vkey".into(),
                vkey: key.to_string(),
            },
            key,
        }),
        now: Some(as_of()),
        audit: Some(AuditRequest {
            profile: Profile::default(),
            options: AuditOptions::as_of(as_of()),
        }),
        ..CheckOptions::default()
    }
}

#[test]
fn the_check_pass_reads_each_entry_once_for_all_its_checkers() {
    let (ledger, _) = golden_ledger();
    let store = Counting {
        inner: ledger.store(),
        reads: AtomicU64::new(0),
    };
    let size = store.size().unwrap();
    let seen = AtomicU64::new(0);
    let progress = |n: u64, total: u64| {
        assert_eq!(total, size);
        seen.store(n, Ordering::Relaxed);
    };
    let mut o = options(ledger.verifier_key().unwrap());
    o.progress = Some(&progress);
    let report = check_store(&store, None, &o).unwrap();
    // Integrity, media custody and the audit all ran...
    assert!(report.audit().is_some(), "{:?}", report.report());
    assert!(report.report().has(FindingKind::MediaNotChecked));
    // ...on one read of each entry (the separate passes read them 4–5 times).
    assert_eq!(store.reads.load(Ordering::Relaxed), size);
    assert_eq!(report.entries_read(), size);
    assert_eq!(seen.load(Ordering::Relaxed), size);
}

#[test]
fn the_audit_in_the_pass_is_the_audit_on_its_own() {
    let (ledger, _) = golden_ledger();
    let report = check_store(
        ledger.store(),
        None,
        &options(ledger.verifier_key().unwrap()),
    )
    .unwrap();
    let alone = audit(
        ledger.store(),
        &Profile::default(),
        &AuditOptions::as_of(as_of()),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(report.audit().unwrap()).unwrap(),
        serde_json::to_value(&alone).unwrap()
    );
    assert!(
        alone.findings.iter().all(|f| f.logged_at.is_some()),
        "every finding is dated without reading an entry again"
    );
}

#[test]
fn a_tampered_ledger_is_not_audited_and_its_outcome_is_tampered() {
    let (ledger, k) = golden_ledger();
    let mut store = copy_store(ledger.store());
    // An outsider's statement written past the writer: unauthorized, tampering.
    let forged = SignedStatement::sign(
        Timestamp(T0 + 100_000),
        Event::RecordViewed {
            subject: RecordRef::Case("金民罚〔2026〕1号".into()),
            by: "outsider".into(),
            purpose: "forged".into(),
        },
        &k.outsider,
    )
    .unwrap();
    inject(&mut store, forged, Timestamp(T0 + 100_000));
    let report = check_store(&store, None, &options(ledger.verifier_key().unwrap())).unwrap();
    assert_eq!(report.verdict(), Verdict::Tampered);
    assert_eq!(report.outcome(), Outcome::Tampered);
    assert_eq!(report.outcome().exit_code(), 1);
    assert!(report.audit().is_none(), "a tampered ledger is not audited");
    assert!(report.report().has(FindingKind::Unauthorized));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["schema"], JSON_SCHEMA);
    assert_eq!(json["verdict"], "tampered");
    assert_eq!(json["exit_code"], 1);
    assert!(json["audit"].is_null());
}

#[test]
fn outcomes_follow_the_findings_and_the_audit() {
    let (ledger, _) = golden_ledger();
    // Without a trusted key, nothing else wrong: unverified (4), audited all the same.
    let mut o = options(ledger.verifier_key().unwrap());
    o.vkey = None;
    let report = check_store(ledger.store(), None, &o).unwrap();
    assert_eq!(report.verdict(), Verdict::Unverified);
    assert_eq!(report.outcome(), Outcome::Unverified);
    assert_eq!(report.outcome().exit_code(), 4);
    assert!(report.audit().is_some());
    assert!(report.report().has(FindingKind::NoTrustAnchor));
    assert_eq!(Outcome::Verified.exit_code(), 0);
    assert_eq!(Outcome::ComplianceFindings.exit_code(), 2);
}

#[test]
fn finding_kinds_name_their_articles() {
    assert_eq!(FindingKind::SegmentOrphan.article(), Some("Art. 14(4)"));
    assert_eq!(FindingKind::MediaMissing.article(), Some("Art. 21(5)"));
    assert_eq!(FindingKind::MediaSwapped.article(), Some("Art. 21(2)"));
    assert_eq!(FindingKind::BrokenChain.article(), None);
    for kind in [
        FindingKind::StoreFileMissing,
        FindingKind::StoreFilesDamaged,
        FindingKind::CheckpointsDeleted,
    ] {
        assert_eq!(kind.article(), Some("Art. 21(5)"));
        assert_eq!(kind.severity(), Severity::Tampering);
    }
    assert_eq!(FindingKind::UncommittedTail.article(), None);
    assert_eq!(
        FindingKind::UncommittedTail.severity(),
        Severity::Unverified
    );
    assert_eq!(FindingKind::BrokenChain.name(), "broken_chain");
}
