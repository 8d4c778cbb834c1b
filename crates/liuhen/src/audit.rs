//! Audit: the regulation's articles as rules over a verified ledger.
//!
//! Integrity verification ([`crate::verify`]) says that nothing was changed; the audit says
//! whether what was recorded is what the regulation requires: a case's stages come in order
//! (Art. 3), every case has its records (Art. 9), text records name their officers, decisions
//! rest on records, are approved and served (Art. 10), the execution of coercive measures is
//! filmed (Art. 12), the party is told first (Art. 14(1)), recordings are complete, landmarked
//! and unbroken, also across a restart at the same place (Art. 14(2)–(4)), exemptions are
//! approved (Art. 15), footage is archived within 24 hours by a person, with its labels, a
//! registered custodian and a transcript where asked (Art. 16), kept long enough and case files
//! at least the minimum (Art. 17), preserved and copied for the long term when a dispute arises
//! (Art. 18) and never destroyed while it must be kept (Art. 21(5)), decisions rest only on
//! evidence gathered before them (the national rules that Art. 22 defers to) and someone
//! answers for them (Art. 21), records leave the unit only to a party, on a granted request or
//! on the authority of a role allowed to disclose (Art. 19, 21(3)) and never as unredacted
//! confidential originals (Art. 20), only authorized roles and the officers handling a case
//! view them (Art. 20, 21(3)), and requests to read them are decided in time (Art. 19).
//! The rule table is [`rules::RULES`]; every rule is described in `docs/AUDIT.md`.
//!
//! An audit is **as of** a time: entries logged after it are ignored and deadlines that have
//! not passed by then are not violations, so the same ledger, profile and time always give the
//! same report. Deadlines are judged on the ledger's `logged_at`, never on an author's claimed
//! time alone: a device's claim can start a clock (the end of a recording, capped by when the
//! ledger received it), but only the ledger's clock says when something was done.
//!
//! What an audit cannot know: whether an act happened that nobody recorded at all (a case never
//! opened leaves nothing to audit), whether footage shows what its statements say, or whether
//! a landmark named is the one filmed. It audits a ledger; run [`crate::verify_store`] first
//! (`liuhen audit` does), because the audit of a tampered ledger means nothing.
//!
//! This module reads no clock, prints nothing and touches no file: the caller passes the time
//! and writes the reports ([`render::text`], [`render::html`], or the report's JSON).

mod engine;
mod profile;
pub mod render;
mod report;
pub mod rules;
pub mod stats;
mod time;
pub mod zh;

use std::collections::BTreeMap;
use std::sync::Arc;

pub use engine::evidence::{EvidenceList, PROVES_NOT_RECORDED};
pub use profile::{
    ActClass, DecisionClass, MethodClass, Period, Profile, ProfileError, RoleClass, TriggerClass,
};
pub use report::*;
pub use rules::{Rule, Severity, RULES};
pub use time::{format_span, format_time, parse_time, year_month};

use crate::admission::Admission;
use crate::encoding::EncodingError;
use crate::entry::Entry;
use crate::hash::{Sha256TreeHasher, TreeHasher};
use crate::model::Timestamp;
use crate::proven::ProvenBefore;
use crate::store::{StoreError, StoreRead};
use crate::verify::FindingKind;

/// Settings of one audit run (the profile says what the rules are; these say what to report).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditOptions {
    /// The time the audit is as of: entries logged after it are ignored, and deadlines not
    /// passed by then are not findings.
    pub as_of: Timestamp,
    /// Whether each case summary carries the timeline of its entries (for the HTML report;
    /// one line per entry of a case).
    pub timelines: bool,
}

impl AuditOptions {
    /// An audit as of `as_of`, without timelines.
    pub fn as_of(as_of: Timestamp) -> Self {
        AuditOptions {
            as_of,
            timelines: false,
        }
    }
}

/// Why an audit could not be carried out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The profile is not usable.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// An entry could not be read from the store.
    #[error("cannot read ledger entry {seq} to audit it: {source}")]
    Read {
        /// The entry.
        seq: u64,
        /// What the store said.
        #[source]
        source: StoreError,
    },
    /// An entry does not decode: the ledger is damaged (verify it first).
    #[error(
        "ledger entry {seq} does not decode, so the ledger cannot be audited (verify it): {source}"
    )]
    Decode {
        /// The entry.
        seq: u64,
        /// What the decoder said.
        #[source]
        source: EncodingError,
    },
}

/// Audits the ledger in `store` under `profile`, as of `options.as_of`.
///
/// Reads every entry once, in order. Purges are judged by the admission rule the writer and the
/// verifiers apply ([`crate::admission`]), so that the audit and the media verifier never
/// disagree on whether a `MediaPurged` was lawful. [`crate::check`] runs the same audit inside
/// its one pass over a ledger directory, after verifying it.
///
/// Success says nothing about integrity: verify the ledger first.
///
/// ```
/// use std::sync::Arc;
/// use liuhen::audit::{audit, AuditOptions, Profile};
/// use liuhen::model::{ActKind, DecisionKind, Event, MediaRef};
/// use liuhen::{Ledger, LedgerOptions, ManualClock, MemoryStore, SecretKey, Timestamp};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let clock = Arc::new(ManualClock::new(Timestamp(1_767_225_600_000)));
/// let key = SecretKey::generate()?;
/// let origin = "jinpu.dalian.gov.cn/minzheng/enforcement";
/// let mut ledger =
///     Ledger::create(MemoryStore::new(), origin, &key, clock.clone(), LedgerOptions::default())?;
/// let case_no = "金民罚〔2026〕9号".to_string();
/// let (party, _) = liuhen::commitment::commit("party.name", "某社会组织")?;
/// ledger.sign_and_append(&key, Event::CaseOpened {
///     case_no: case_no.clone(),
///     act: ActKind::Penalty,
///     matter: "未按规定报送年度工作报告".into(),
///     unit: "执法监督科".into(),
///     subject: party,
/// })?;
/// // A penalty decided on no text or audio-visual record at all.
/// let decision = b"decision";
/// ledger.sign_and_append(&key, Event::DecisionMade {
///     case_no,
///     kind: DecisionKind::Penalty,
///     document: MediaRef {
///         digest: liuhen::hash::blake3(decision),
///         length: decision.len() as u64,
///         mime: "application/pdf".into(),
///         name: "行政处罚决定书.pdf".into(),
///     },
///     relies_on: Vec::new(),
/// })?;
/// let report = audit(ledger.store(), &Profile::default(), &AuditOptions::as_of(ledger.now()))?;
/// assert!(report.has_violations());
/// assert_eq!(report.findings[0].rule, "art9.record");
/// assert_eq!(report.findings[0].article, "Art. 9");
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// [`AuditError::Profile`] if the profile is invalid, [`AuditError::Read`] or
/// [`AuditError::Decode`] naming the entry that could not be read; an audit is never made from
/// part of a ledger.
pub fn audit<S: StoreRead + ?Sized>(
    store: &S,
    profile: &Profile,
    options: &AuditOptions,
) -> Result<AuditReport, AuditError> {
    audit_proven(store, profile, options, None)
}

/// [`audit`], given the proven-before times of the entries ([`crate::proven`]): entries first
/// proven to exist long after the time they claim are `art14-4.after_the_fact` findings, and
/// timelines show each entry's proven-before time. `None`: no time evidence, no such finding.
///
/// # Errors
/// As [`audit`].
pub fn audit_proven<S: StoreRead + ?Sized>(
    store: &S,
    profile: &Profile,
    options: &AuditOptions,
    proven: Option<Arc<ProvenBefore>>,
) -> Result<AuditReport, AuditError> {
    let mut auditor = Auditor::new(profile, options)?;
    if let Some(p) = proven {
        auditor = auditor.with_proven(p);
    }
    let mut admission = Admission::new(crate::verify::VerifyOptions::default().max_future_skew_ms);
    let mut unlawful = BTreeMap::new();
    let size = store
        .size()
        .map_err(|source| AuditError::Read { seq: 0, source })?;
    for (seq, bytes) in crate::store::read_entries(store, 0..size) {
        let bytes = bytes.map_err(|source| AuditError::Read { seq, source })?;
        let entry =
            Entry::from_bytes(&bytes).map_err(|source| AuditError::Decode { seq, source })?;
        if let Err(refusal) = admission.admit(seq, entry.logged_at, &entry.statement.statement) {
            if refusal.finding_kind() == FindingKind::MediaPurgeUnlawful {
                unlawful.entry(seq).or_insert_with(|| refusal.to_string());
            }
        }
        if seq == 0 {
            admission.set_genesis_leaf(Sha256TreeHasher.hash_leaf(&bytes));
        }
        auditor.observe(seq, &entry);
    }
    Ok(auditor.finish(&unlawful))
}

/// An audit fed one entry at a time, in order (by [`audit`], or by the one check pass of
/// [`crate::check`], which reads each entry once for all its checkers).
pub(crate) struct Auditor<'p> {
    engine: engine::Engine<'p>,
    logged: LoggedAt,
}

impl<'p> Auditor<'p> {
    /// An audit under `profile`, as of `options.as_of`.
    pub(crate) fn new(profile: &'p Profile, options: &AuditOptions) -> Result<Self, AuditError> {
        profile.validate()?;
        Ok(Auditor {
            engine: engine::Engine::new(profile, options.as_of, options.timelines),
            logged: LoggedAt::default(),
        })
    }

    /// Gives the audit the proven-before times of the entries (witness and TSA time evidence,
    /// [`crate::proven`]), for `art14-4.after_the_fact` and the timelines.
    pub(crate) fn with_proven(mut self, proven: Arc<ProvenBefore>) -> Self {
        self.engine.set_proven(proven);
        self
    }

    /// Takes entry `seq` (the next in order) into account; returns the cases the audit
    /// attributes it to (none for an entry logged after the audit's time), so that a case
    /// index ([`crate::cases`]) built in the same pass agrees with the audit on membership.
    pub(crate) fn observe(&mut self, seq: u64, entry: &Entry) -> Vec<String> {
        self.logged.push(seq, entry.logged_at);
        self.engine.observe(seq, entry)
    }

    /// The report. `unlawful` holds, by entry, the admission rule's refusal of each
    /// `MediaPurged` it refused (any others are ignored).
    pub(crate) fn finish(self, unlawful: &BTreeMap<u64, String>) -> AuditReport {
        let purges = self.engine.purge_seqs();
        let unlawful: BTreeMap<u64, String> = unlawful
            .iter()
            .filter(|(seq, _)| purges.contains(seq))
            .map(|(seq, m)| (*seq, m.clone()))
            .collect();
        let mut report = self.engine.finish(&unlawful);
        // Each finding is dated by its first entry's logged_at, for statistics by period.
        for f in &mut report.findings {
            if let Some(&seq) = f.seqs.first() {
                f.logged_at = self.logged.get(seq);
            }
        }
        report
    }
}

/// The `logged_at` of every entry observed, kept compactly (zigzag varint deltas, with an
/// absolute anchor every [`LoggedAt::STRIDE`] entries: about two bytes an entry) so that the
/// audit can date its findings without reading any entry again.
#[derive(Default)]
struct LoggedAt {
    bytes: Vec<u8>,
    /// `(byte offset, logged_at)` of every `STRIDE`-th entry.
    anchors: Vec<(usize, i64)>,
    last: i64,
    len: u64,
}

impl LoggedAt {
    const STRIDE: u64 = 256;

    fn push(&mut self, seq: u64, t: Timestamp) {
        if seq != self.len {
            return; // Only a contiguous run from entry 0 is kept.
        }
        if self.len.is_multiple_of(Self::STRIDE) {
            self.anchors.push((self.bytes.len(), t.0));
        } else {
            let delta = t.0.wrapping_sub(self.last);
            let mut z = ((delta << 1) ^ (delta >> 63)) as u64;
            loop {
                let b = (z & 0x7f) as u8;
                z >>= 7;
                if z == 0 {
                    self.bytes.push(b);
                    break;
                }
                self.bytes.push(b | 0x80);
            }
        }
        self.last = t.0;
        self.len += 1;
    }

    fn get(&self, seq: u64) -> Option<Timestamp> {
        if seq >= self.len {
            return None;
        }
        let anchor = usize::try_from(seq / Self::STRIDE).ok()?;
        let &(mut at, mut t) = self.anchors.get(anchor)?;
        for _ in 0..seq % Self::STRIDE {
            let mut z = 0u64;
            let mut shift = 0;
            loop {
                let b = *self.bytes.get(at)?;
                at += 1;
                z |= u64::from(b & 0x7f) << shift;
                shift += 7;
                if b & 0x80 == 0 || shift >= 64 {
                    break;
                }
            }
            let delta = ((z >> 1) as i64) ^ -((z & 1) as i64);
            t = t.wrapping_add(delta);
        }
        Some(Timestamp(t))
    }
}

#[cfg(test)]
mod logged_at_tests {
    use super::*;

    #[test]
    fn logged_at_reads_back_every_entry() {
        let mut l = LoggedAt::default();
        let times: Vec<i64> = (0..1000i64)
            .map(|i| 1_767_225_600_000 + i * 37 - if i % 7 == 0 { 5000 } else { 0 })
            .chain([i64::MIN, i64::MAX, 0])
            .collect();
        for (seq, t) in times.iter().enumerate() {
            l.push(seq as u64, Timestamp(*t));
        }
        for (seq, t) in times.iter().enumerate() {
            assert_eq!(l.get(seq as u64), Some(Timestamp(*t)), "entry {seq}");
        }
        assert_eq!(l.get(times.len() as u64), None);
    }
}
