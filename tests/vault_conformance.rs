//! One conformance suite for every vault backend (`liuhen::vault::VaultBackend`): the vault
//! directory (`FileVault`, the ledger directory's `vault/`) and `MemoryVault` run the same
//! checks through the one `Vault` above them; a deployment's own backend would add one
//! `backend_suite!` line below.
//!
//! What every backend must do (`docs/STORE.md`, "Media and vault backends"): round-trip a
//! record; bound what it reads; tell an absent record from a backend that cannot answer (the
//! first is "missing", the second an error, never "missing"); destroy a record only through the
//! vault's erasure, after the ledger records it (Art. 17, 18), and never revive it; keep every
//! opening of personal data traced (Art. 21(3)) above the trait.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use common::temp::TempDir;
use common::{events, Built, LedgerBuilder, T0};
use liuhen::disclosure::{view_case, ViewRequest};
use liuhen::model::*;
use liuhen::vault::{
    ErasurePermit, FileVault, MemoryVault, RecordState, Vault, VaultBackend, VaultError, Zeroizing,
    MAX_RECORD_BYTES,
};
use liuhen::{Ledger, MemoryStore};

const DAY: i64 = 86_400_000;
const CASE: &str = "金普民检〔2026〕7号";
const PARTY: &str = "大连金普某某养老服务中心 法定代表人 王某某";

/// A vault over any backend, as a deployment would hand one over.
type DynVault = Vault<Arc<dyn VaultBackend>>;

/// A backend under test (behind `Arc<dyn …>`, as a deployment would hand one over).
struct Subject {
    vault: DynVault,
    /// For a backend that persists: the same vault opened again from its location.
    reopen: Option<Box<dyn Fn() -> DynVault>>,
    _dir: Option<TempDir>,
}

fn file_backend(name: &str) -> Subject {
    let dir = TempDir::new(&format!("vault-conf-{name}"));
    let root = dir.file("vault");
    let backend: Arc<dyn VaultBackend> = Arc::new(FileVault::create(&root).unwrap());
    Subject {
        vault: Vault::with_backend(backend),
        reopen: Some(Box::new(move || {
            Vault::with_backend(Arc::new(FileVault::open(&root).unwrap()) as Arc<dyn VaultBackend>)
        })),
        _dir: Some(dir),
    }
}

fn memory_backend(_name: &str) -> Subject {
    Subject {
        vault: Vault::with_backend(Arc::new(MemoryVault::new()) as Arc<dyn VaultBackend>),
        reopen: None,
        _dir: None,
    }
}

fn round_trip(s: Subject) {
    let v = &s.vault;
    let sealed = v.commit("party.name", PARTY).unwrap();
    assert_eq!(v.state(&sealed).unwrap(), RecordState::Held);
    let opening = v.get_untraced(&sealed).unwrap();
    assert_eq!(opening.value, PARTY);
    assert!(opening.opens(&sealed));
    // The same opening again is harmless.
    assert_eq!(v.put(&opening).unwrap(), sealed);
    // Nothing is held for a commitment never deposited.
    let other = v.commit("party.name", "另一个当事人").unwrap();
    let never = Sealed(liuhen::Digest::from_bytes([7; 32]));
    assert_eq!(v.state(&never).unwrap(), RecordState::Missing);
    assert!(matches!(
        v.get_untraced(&never),
        Err(VaultError::NotFound { .. })
    ));
    if let Some(reopen) = &s.reopen {
        let again = reopen();
        assert_eq!(again.get_untraced(&sealed).unwrap().value, PARTY);
        assert_eq!(again.state(&other).unwrap(), RecordState::Held);
    }
}

fn reads_are_bounded_and_checked(s: Subject) {
    let b = s.vault.backend();
    let sealed = s.vault.commit("party.name", PARTY).unwrap();
    // A record far over the limit planted under a commitment: read only as far as the limit,
    // then refused as corrupt by the vault above.
    let planted = Sealed(liuhen::Digest::from_bytes([9; 32]));
    b.write_record(&planted, &vec![0x5a; 4 * MAX_RECORD_BYTES])
        .unwrap();
    let read = b.read_record(&planted, MAX_RECORD_BYTES).unwrap().unwrap();
    assert!(read.len() <= MAX_RECORD_BYTES + 1, "{}", read.len());
    assert!(matches!(
        s.vault.get_untraced(&planted),
        Err(VaultError::Corrupt { .. })
    ));
    // Another commitment's record filed under this one does not open it.
    let good = b.read_record(&sealed, MAX_RECORD_BYTES).unwrap().unwrap();
    b.write_record(&planted, &good).unwrap();
    let e = s.vault.get_untraced(&planted).unwrap_err();
    assert!(
        matches!(e, VaultError::Corrupt { ref reason, .. } if reason.contains("does not open")),
        "{e}"
    );
}

/// A backend whose every answer can be switched to a failure (a service offline). Written
/// outside the crate, as a deployment's backend would be.
#[derive(Debug)]
struct Outage {
    inner: Arc<dyn VaultBackend>,
    down: AtomicBool,
}

impl Outage {
    fn fail(&self, action: &str) -> Result<(), VaultError> {
        if self.down.load(Ordering::Relaxed) {
            return Err(VaultError::Backend {
                backend: self.location(),
                action: action.into(),
                source: "the key-value service did not answer".into(),
            });
        }
        Ok(())
    }
}

impl VaultBackend for Outage {
    fn location(&self) -> String {
        format!("outage-test:{}", self.inner.location())
    }
    fn record_location(&self, c: &Sealed) -> PathBuf {
        self.inner.record_location(c)
    }
    fn tombstone_location(&self, c: &Sealed) -> PathBuf {
        self.inner.tombstone_location(c)
    }
    fn has_record(&self, c: &Sealed) -> Result<bool, VaultError> {
        self.fail("look up a record")?;
        self.inner.has_record(c)
    }
    fn read_record(
        &self,
        c: &Sealed,
        limit: usize,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError> {
        self.fail("read a record")?;
        self.inner.read_record(c, limit)
    }
    fn write_record(&self, c: &Sealed, bytes: &[u8]) -> Result<(), VaultError> {
        self.fail("write a record")?;
        self.inner.write_record(c, bytes)
    }
    fn read_tombstone(&self, c: &Sealed, limit: usize) -> Result<Option<Vec<u8>>, VaultError> {
        self.fail("read a tombstone")?;
        self.inner.read_tombstone(c, limit)
    }
    fn destroy(&self, permit: &ErasurePermit, tombstone: &[u8]) -> Result<(), VaultError> {
        self.fail("destroy a record")?;
        self.inner.destroy(permit, tombstone)
    }
}

fn absent_is_not_an_outage(s: Subject) {
    let Built { mut ledger, k, .. } = LedgerBuilder::new().officer().build();
    let inner = Arc::clone(s.vault.backend());
    let vault = Vault::with_backend(Outage {
        inner,
        down: AtomicBool::new(false),
    });
    let held = vault.commit("party.name", PARTY).unwrap();
    let lost = Sealed(liuhen::Digest::from_bytes([3; 32]));
    ledger
        .sign_and_append(&k.officer, events::case_opened(CASE, held))
        .unwrap();
    ledger
        .sign_and_append(&k.officer, events::case_opened("金普民检〔2026〕8号", lost))
        .unwrap();
    // Up: one held, one missing.
    let up = vault.case_openings_untraced(ledger.store(), CASE).unwrap();
    assert_eq!(up.openings.len(), 1);
    let other = vault
        .case_openings_untraced(ledger.store(), "金普民检〔2026〕8号")
        .unwrap();
    assert_eq!(other.missing, vec![lost]);
    // Down: an error, never "missing".
    vault.backend().down.store(true, Ordering::Relaxed);
    for c in [&held, &lost] {
        assert!(matches!(vault.state(c), Err(VaultError::Backend { .. })));
        assert!(matches!(
            vault.get_untraced(c),
            Err(VaultError::Backend { .. })
        ));
    }
    let e = vault
        .case_openings_untraced(ledger.store(), CASE)
        .unwrap_err();
    assert!(e.to_string().contains("did not answer"), "{e}");
    let e = vault.commit("party.name", "新的当事人").unwrap_err();
    assert!(matches!(e, VaultError::Backend { .. }), "{e}");
    // To a caller: try again later, not tampering, not a bug.
    assert_eq!(
        liuhen::Error::from(e).class(),
        liuhen::ErrorClass::Unavailable
    );
    // Back up: nothing was lost.
    vault.backend().down.store(false, Ordering::Relaxed);
    assert_eq!(vault.get_untraced(&held).unwrap().value, PARTY);
}

fn erase(
    vault: &DynVault,
    ledger: &mut Ledger<MemoryStore>,
    k: &common::Keys,
    c: &Sealed,
) -> Result<u64, VaultError> {
    vault.erase(ledger, c, "个人信息保护负责人", &k.officer)
}

fn erasure_only_through_custody(s: Subject) {
    let v = &s.vault;
    let Built {
        mut ledger,
        k,
        clock,
    } = LedgerBuilder::new().officer().build();
    let subject = v.commit("party.name", PARTY).unwrap();
    ledger
        .sign_and_append(&k.officer, events::case_opened(CASE, subject))
        .unwrap();
    // Open case, no retention recorded yet: refused, nothing appended, record held.
    let size = ledger.size();
    let e = erase(v, &mut ledger, &k, &subject).unwrap_err();
    assert!(matches!(e, VaultError::ErasureRefused { .. }), "{e}");
    ledger
        .sign_and_append(
            &k.officer,
            Event::CaseClosed {
                case_no: CASE.into(),
                outcome: "未发现违法".into(),
                file_retention: Retention::Until(Timestamp(T0 + 30 * DAY)),
            },
        )
        .unwrap();
    // Within retention (Art. 17): refused.
    let size = size + 1;
    let e = erase(v, &mut ledger, &k, &subject).unwrap_err();
    assert!(matches!(e, VaultError::ErasureRefused { .. }), "{e}");
    assert_eq!(ledger.size(), size);
    assert_eq!(v.state(&subject).unwrap(), RecordState::Held);
    let opening = v.get_untraced(&subject).unwrap();
    // After it: the erasure is appended first, then the record destroyed.
    clock.set(Timestamp(T0 + 31 * DAY));
    let seq = erase(v, &mut ledger, &k, &subject).unwrap();
    assert_eq!(seq, size);
    assert_eq!(v.state(&subject).unwrap(), RecordState::Erased { seq });
    assert!(matches!(
        v.get_untraced(&subject),
        Err(VaultError::Erased { seq: s, .. }) if s == seq
    ));
    // Never revived, and erasing again appends nothing.
    assert!(matches!(v.put(&opening), Err(VaultError::Erased { .. })));
    assert_eq!(erase(v, &mut ledger, &k, &subject).unwrap(), seq);
    assert_eq!(ledger.size(), size + 1);
    if let Some(reopen) = &s.reopen {
        assert_eq!(
            reopen().state(&subject).unwrap(),
            RecordState::Erased { seq }
        );
    }
}

fn views_are_traced_above_the_backend(s: Subject) {
    let v = &s.vault;
    let Built { mut ledger, k, .. } = LedgerBuilder::new().officer().build();
    let subject = v.commit("party.name", PARTY).unwrap();
    ledger
        .sign_and_append(&k.officer, events::case_opened(CASE, subject))
        .unwrap();
    let before = ledger.size();
    let view = view_case(
        &mut ledger,
        v,
        &k.officer,
        &ViewRequest {
            case_no: CASE.into(),
            purpose: "行政复议答复 reply to an administrative review".into(),
        },
    )
    .unwrap();
    assert_eq!(view.openings.openings[0].value, PARTY);
    // The trace is in the ledger, before the value came out.
    assert_eq!(view.receipt.seq, before);
    assert_eq!(ledger.size(), before + 1);
    assert!(matches!(
        common::builder::last_event(&ledger),
        Event::RecordViewed { .. }
    ));
}

crate::backend_suite!(file_backend:
    round_trip,
    reads_are_bounded_and_checked,
    absent_is_not_an_outage,
    erasure_only_through_custody,
    views_are_traced_above_the_backend,
);
crate::backend_suite!(memory_backend:
    round_trip,
    reads_are_bounded_and_checked,
    absent_is_not_an_outage,
    erasure_only_through_custody,
    views_are_traced_above_the_backend,
);

/// Readers never create: opening a vault at a mistyped path is an error, not a new empty vault
/// in which every opening would be "missing" (or a place personal data then lands in).
#[test]
fn opening_a_missing_vault_creates_nothing() {
    let dir = TempDir::new("vault-conf-typo");
    let typo = dir.file("vualt");
    assert!(matches!(Vault::open(&typo), Err(VaultError::Io { .. })));
    assert!(matches!(FileVault::open(&typo), Err(VaultError::Io { .. })));
    assert!(!typo.exists());
    // The writer's path creates it (owner only); then opening works.
    Vault::create(&typo).unwrap();
    Vault::open(&typo).unwrap();
}
