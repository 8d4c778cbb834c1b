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

pub use profile::{
    ActClass, DecisionClass, MethodClass, Period, Profile, ProfileError, RoleClass, TriggerClass,
};
pub use report::*;
pub use rules::{Rule, Severity, RULES};
pub use time::{format_span, format_time, parse_time, year_month};

use crate::encoding::EncodingError;
use crate::entry::Entry;
use crate::media::{verify_media, MediaVerifyOptions};
use crate::model::Timestamp;
use crate::store::{Store, StoreError};
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
/// Reads every entry once, in order. Purges are judged by the media verifier's own custody
/// rules ([`verify_media`]), so that the audit and the media store never disagree on whether a
/// `MediaPurged` was lawful; that reads the entries a second time, only if a purge was audited.
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
/// let (party, _) = liuhen::sealed::seal("party.name", "某社会组织")?;
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
pub fn audit<S: Store + ?Sized>(
    store: &S,
    profile: &Profile,
    options: &AuditOptions,
) -> Result<AuditReport, AuditError> {
    profile.validate()?;
    let mut engine = engine::Engine::new(profile, options.as_of, options.timelines);
    for seq in 0..store.size() {
        let bytes = store
            .entry_bytes(seq)
            .map_err(|source| AuditError::Read { seq, source })?;
        let entry =
            Entry::from_bytes(&bytes).map_err(|source| AuditError::Decode { seq, source })?;
        engine.observe(seq, &entry);
    }
    let purges = engine.purge_seqs();
    let mut unlawful = BTreeMap::new();
    if !purges.is_empty() {
        let media_options = MediaVerifyOptions {
            max_findings: usize::MAX,
            ..MediaVerifyOptions::default()
        };
        for f in verify_media(store, None, &media_options) {
            if let (FindingKind::MediaPurgeUnlawful, Some(seq)) = (f.kind, f.seq) {
                if purges.contains(&seq) {
                    unlawful.entry(seq).or_insert(f.message);
                }
            }
        }
    }
    let mut report = engine.finish(&unlawful);
    // Each finding is dated by its first entry's logged_at, for statistics by period: the
    // entries are read again, only those findings cite first.
    let mut logged: BTreeMap<u64, Timestamp> = BTreeMap::new();
    for f in &mut report.findings {
        let Some(&seq) = f.seqs.first() else {
            continue;
        };
        if let Some(t) = logged.get(&seq) {
            f.logged_at = Some(*t);
            continue;
        }
        let bytes = store
            .entry_bytes(seq)
            .map_err(|source| AuditError::Read { seq, source })?;
        let entry =
            Entry::from_bytes(&bytes).map_err(|source| AuditError::Decode { seq, source })?;
        logged.insert(seq, entry.logged_at);
        f.logged_at = Some(entry.logged_at);
    }
    Ok(report)
}
