//! The one admission rule: whether a statement may enter the ledger at a position.
//!
//! [`Admission`] is the state built from entries `0 … seq − 1`; [`Admission::check`] decides
//! whether a statement may become entry `seq`, and [`Admission::admit`] also applies its effect.
//! The writer ([`crate::Ledger`]) refuses what it refuses; the verifier ([`crate::verify`]) and
//! the media verifier ([`crate::media::verify_media`]) report a stored entry it refuses, so what
//! the writer admits the verifier accepts, and the other way round (`docs/FORMAT.md` §10).
//!
//! The checks, in order (the first that fails is the refusal; the state is unchanged):
//!
//! 1. the key registry ([`crate::registry`]): genesis, unknown or revoked author, registry
//!    changes only by `System`, no state secrets;
//! 2. the author's **role** may make this kind of statement ([`may_author`]; the table is in
//!    `docs/EVENTS.md` and `docs/FORMAT.md` §10);
//! 3. **time**: the statement's own time is not before the genesis entry's `logged_at` minus the
//!    skew and not after the entry's `logged_at` plus the skew;
//! 3a. **binding** (format v2): bound to this ledger id and suite, with a counter above the
//!    author's last (no replay); in a v1 ledger no binding;
//! 4. **recording sessions** ([`session`]): a session id is used by one session only; its
//!    device speaks for it; segments in index order, chained, none after the stop; the stop
//!    declares what the ledger holds (Art. 14(4));
//! 5. **cases**: no second `CaseOpened` of a case that is open;
//! 6. **holds**: no `MediaPurged` of media of a case within its retention period (Art. 17) or
//!    under an unreleased preservation order (Art. 18).
//!
//! Signatures are not part of admission: the writer checks them before, the verifier beside
//! (a statement whose signature fails has no effect on the state).
//!
//! What the law allows into the record but a compliance rule dislikes — gaps in time, late
//! uploads, a view or a disclosure by a role that should not have made it, a decision without a
//! request — is admissible and judged by the audit ([`crate::audit`]), never tampering.
//!
//! It also assigns (format v2) each entry's `case_prev`, the latest earlier entry of its case
//! ([`Admission::case_of`], [`Admission::case_prev`]).
//!
//! Memory: the registry (one record per key), one counter per author, one record per recording
//! session, per open case, per case's latest entry, per access request and per referenced media
//! object ([`crate::media`]'s custody); never per entry.

mod session;

use std::collections::HashMap;

use crate::entry::{Binding, FormatVersion, Statement};
use crate::hash::Digest;
use crate::keys::PublicKey;
use crate::media::custody::Custody;
use crate::media::PurgeBlock;
use crate::model::{Event, RecordRef, Role, Timestamp};
use crate::registry::{Registry, RegistryError};
use crate::verify::FindingKind;

use session::Sessions;

/// Why a statement may not enter the ledger at a position.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum Refusal {
    /// The key registry refuses it (including a role that may not make this statement:
    /// [`RegistryError::NotPermitted`]).
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// Format v2: the statement is not bound to this ledger — another ledger id or suite, a v1
    /// statement in a v2 ledger or a v2 statement in a v1 ledger, or a genesis binding other
    /// than `{suite, zero, 0}`.
    #[error("entry {seq}: the statement is for another ledger: {reason}")]
    WrongLedger {
        /// Position.
        seq: u64,
        /// What differs.
        reason: String,
    },
    /// Format v2: the author's counter is not above its last admitted one: a replayed (or
    /// out-of-order) statement.
    #[error("entry {seq}: statement of {author} with counter {counter} replays or comes after its counter {last} already admitted at entry {last_seq}")]
    Replay {
        /// Position.
        seq: u64,
        /// The author.
        author: PublicKey,
        /// The statement's counter.
        counter: u64,
        /// The author's last admitted counter.
        last: u64,
        /// Where that was admitted.
        last_seq: u64,
    },
    /// The statement is dated before the ledger existed (minus the skew): a clock error or
    /// seconds given for milliseconds.
    #[error("entry {seq}: the statement is dated {time} ms, before the ledger began ({genesis} ms) minus the allowed skew")]
    BeforeGenesis {
        /// Position.
        seq: u64,
        /// The statement's time.
        time: i64,
        /// The genesis entry's `logged_at`.
        genesis: i64,
    },
    /// The statement is dated after its entry's `logged_at` plus the skew.
    #[error("entry {seq}: the statement is dated {time} ms, beyond the ledger clock {logged_at} ms plus the allowed skew")]
    Future {
        /// Position.
        seq: u64,
        /// The statement's time.
        time: i64,
        /// The entry's `logged_at`.
        logged_at: i64,
    },
    /// A `RecordingStarted` names a session id already in use (by any device).
    #[error("entry {seq}: recording session {session} is already in use (started at entry {since}); a session id names one session (Art. 14(4))")]
    SessionInUse {
        /// Position.
        seq: u64,
        /// The session id.
        session: String,
        /// Where the session was started.
        since: u64,
    },
    /// A session event is signed by a key that may not speak for the session.
    #[error("entry {seq}: {what} of session {session} is signed by {author}, not by the session's device {device} (Art. 14(4))")]
    WrongDevice {
        /// Position.
        seq: u64,
        /// The session id.
        session: String,
        /// Which statement.
        what: String,
        /// Its author.
        author: PublicKey,
        /// The session's device.
        device: PublicKey,
    },
    /// A session event names a session that no earlier `RecordingStarted` opened.
    #[error("entry {seq}: {what} names session {session}, which no earlier RecordingStarted opened (Art. 14(4))")]
    SegmentOrphan {
        /// Position.
        seq: u64,
        /// The session id.
        session: String,
        /// Which statement.
        what: String,
    },
    /// A segment or stop comes after its session's `RecordingStopped`.
    #[error("entry {seq}: {what} of session {session} comes after the recording stopped (entry {stopped_at}) (Art. 14(4))")]
    SegmentAfterStop {
        /// Position.
        seq: u64,
        /// The session id.
        session: String,
        /// Which statement.
        what: String,
        /// Where the session stopped.
        stopped_at: u64,
    },
    /// A segment index that the session already sealed.
    #[error("entry {seq}: session {session} already holds segment {index} (Art. 14(4))")]
    SegmentDuplicate {
        /// Position.
        seq: u64,
        /// The session id.
        session: String,
        /// The index.
        index: u64,
    },
    /// A segment index beyond the next one: the segments before it are missing.
    #[error("entry {seq}: segment {index} of session {session} comes before segment {expected} was sealed: segments are sealed in order, none left out (Art. 14(4))")]
    SegmentMissing {
        /// Position.
        seq: u64,
        /// The session id.
        session: String,
        /// The index.
        index: u64,
        /// The index the next segment must have.
        expected: u64,
    },
    /// A segment's `prev_segment` is not the digest of the segment before it.
    #[error("entry {seq}: segment {index} of session {session} names previous segment {}, but the previous segment is {} (Art. 14(4))", digest_text(.named), digest_text(.last))]
    SegmentChainBroken {
        /// Position.
        seq: u64,
        /// The session id.
        session: String,
        /// The index.
        index: u64,
        /// What the segment names.
        named: Option<Digest>,
        /// The session's last segment.
        last: Option<Digest>,
    },
    /// A `RecordingStopped` declares a count or last digest other than what the ledger holds.
    #[error("entry {seq}: session {session} stops declaring {declared} segments ending with {}, but the ledger holds {held} ending with {} (Art. 14(4))", digest_text(.declared_last), digest_text(.held_last))]
    SegmentCountMismatch {
        /// Position.
        seq: u64,
        /// The session id.
        session: String,
        /// Declared count.
        declared: u32,
        /// Declared last digest.
        declared_last: Option<Digest>,
        /// Segments held.
        held: u64,
        /// Last digest held.
        held_last: Option<Digest>,
    },
    /// A `CaseOpened` of a case that is open (opened and not closed).
    #[error("entry {seq}: case {case_no} is already open (entry {opened_at})")]
    CaseAlreadyOpen {
        /// Position.
        seq: u64,
        /// The case.
        case_no: String,
        /// Where it was opened.
        opened_at: u64,
    },
    /// A `MediaPurged` while a case referencing the media is within retention or under a
    /// preservation order.
    #[error("entry {seq}: media {media} may not be purged: {block}")]
    PurgeUnlawful {
        /// Position.
        seq: u64,
        /// The media.
        media: Digest,
        /// The first hold found.
        block: PurgeBlock,
    },
}

fn digest_text(d: &Option<Digest>) -> String {
    d.map_or_else(|| "none".to_owned(), |d| d.to_hex())
}

impl Refusal {
    /// The verifier's finding kind for a stored entry refused so.
    pub fn finding_kind(&self) -> FindingKind {
        match self {
            Refusal::Registry(_) => FindingKind::Unauthorized,
            Refusal::BeforeGenesis { .. } => FindingKind::StatementBeforeGenesis,
            Refusal::Future { .. } => FindingKind::FutureStatement,
            Refusal::SessionInUse { .. } => FindingKind::SessionInUse,
            Refusal::WrongDevice { .. } => FindingKind::SegmentWrongDevice,
            Refusal::SegmentOrphan { .. } => FindingKind::SegmentOrphan,
            Refusal::SegmentAfterStop { .. } => FindingKind::SegmentAfterStop,
            Refusal::SegmentDuplicate { .. } => FindingKind::SegmentDuplicate,
            Refusal::SegmentMissing { .. } => FindingKind::SegmentMissing,
            Refusal::SegmentChainBroken { .. } => FindingKind::SegmentChainBroken,
            Refusal::SegmentCountMismatch { .. } => FindingKind::SegmentCountMismatch,
            Refusal::CaseAlreadyOpen { .. } => FindingKind::CaseAlreadyOpen,
            Refusal::PurgeUnlawful { .. } => FindingKind::MediaPurgeUnlawful,
            Refusal::WrongLedger { .. } => FindingKind::WrongLedger,
            Refusal::Replay { .. } => FindingKind::Replay,
        }
    }

    /// Whether this is a refusal of the recording or hold rules (reported by the media
    /// verifier too, where the main verifier does not run).
    pub fn is_recording_or_hold(&self) -> bool {
        matches!(
            self,
            Refusal::SessionInUse { .. }
                | Refusal::WrongDevice { .. }
                | Refusal::SegmentOrphan { .. }
                | Refusal::SegmentAfterStop { .. }
                | Refusal::SegmentDuplicate { .. }
                | Refusal::SegmentMissing { .. }
                | Refusal::SegmentChainBroken { .. }
                | Refusal::SegmentCountMismatch { .. }
                | Refusal::PurgeUnlawful { .. }
        )
    }
}

/// The role table: whether a key of `role` may author `event` (registry changes are judged by
/// the registry itself: `System` only).
///
/// Recording devices and ingest stations speak only for recordings; the decisions of the
/// office (cases, decisions, holds, purges, access decisions) come from officers, the case
/// system and, for custody, the custodian. A view or a disclosure that happened is always
/// admissible, whoever made it: hiding it would be worse, and the audit judges who may view or
/// disclose (Art. 19, 21(3)).
pub fn may_author(role: Role, event: &Event) -> bool {
    use Role::{Auditor, Custodian, Device, Officer, Station, System};
    let allowed: &[Role] = match event {
        Event::Genesis { .. } | Event::KeyAuthorized { .. } | Event::KeyRevoked { .. } => &[System],
        Event::CaseOpened { .. }
        | Event::CaseClosed { .. }
        | Event::DecisionMade { .. }
        | Event::DocumentFiled { .. }
        | Event::RecordingExempted { .. } => &[Officer, System],
        // The unit decides holds and access: its officers, the case system or the office
        // (办公室, Art. 8; role Auditor).
        Event::PreservationOrdered { .. }
        | Event::PreservationReleased { .. }
        | Event::AccessRequested { .. }
        | Event::AccessDecided { .. } => &[Officer, System, Auditor],
        Event::PartyNotified { .. } => &[Device, Station, Officer],
        Event::RecordingStarted { .. }
        | Event::SegmentSealed { .. }
        | Event::RecordingStopped { .. } => &[Device, Station],
        Event::RecordingInterrupted { .. } => &[Device, Station, Officer],
        Event::Archived { .. } => &[Officer, Custodian, Station, System],
        Event::Handover { .. }
        | Event::RetentionSet { .. }
        | Event::DerivativeMade { .. }
        | Event::MediaPurged { .. }
        | Event::Erased { .. }
        | Event::ConfidentialityMarked { .. } => &[Officer, Custodian, System],
        Event::CircumstanceReported { .. } => &[Officer, Custodian, Auditor, System],
        Event::RecordViewed { .. } | Event::RecordDisclosed { .. } => {
            &[Officer, Device, Station, System, Auditor, Custodian]
        }
    };
    allowed.contains(&role)
}

/// A v2 genesis binds itself to its declared suite, a zero ledger id and counter 0.
fn check_genesis_binding(statement: &Statement) -> Result<(), Refusal> {
    let (Some(b), Event::Genesis { suite, .. }) = (&statement.binding, &statement.event) else {
        return Ok(());
    };
    if b.suite != *suite || b.ledger != Digest::ZERO || b.counter != 0 {
        return Err(Refusal::WrongLedger {
            seq: 0,
            reason: "a format-v2 genesis must be bound to its own suite, the zero ledger id and counter 0".into(),
        });
    }
    Ok(())
}

/// The admission state as of some position in the ledger.
#[derive(Debug, Default)]
pub struct Admission {
    skew_ms: i64,
    registry: Registry,
    genesis_time: Option<Timestamp>,
    sessions: Sessions,
    /// Case → the entry that opened it, while it is open.
    open_cases: HashMap<String, u64>,
    custody: Custody,
    /// The format version, from the genesis statement.
    version: Option<FormatVersion>,
    /// Format v2: the ledger id (leaf hash of entry 0), once known.
    ledger_id: Option<Digest>,
    /// Format v2: each author's last admitted counter and where.
    counters: HashMap<PublicKey, (u64, u64)>,
    /// Format v2: each case's latest entry (the next entry's `case_prev`).
    case_last: HashMap<String, u64>,
    /// Access request → its case.
    request_case: HashMap<String, String>,
}

impl Admission {
    /// An empty state (only a genesis is admissible), allowing clocks to differ by `skew_ms`
    /// milliseconds.
    pub fn new(skew_ms: i64) -> Self {
        Admission {
            skew_ms: skew_ms.max(0),
            ..Admission::default()
        }
    }

    /// The key registry as of this position.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The genesis entry's `logged_at`, once entry 0 was admitted.
    pub fn genesis_time(&self) -> Option<Timestamp> {
        self.genesis_time
    }

    /// The format version the genesis entry chose.
    pub fn version(&self) -> Option<FormatVersion> {
        self.version
    }

    /// Format v2: the ledger id (the leaf hash of entry 0), once set.
    pub fn ledger_id(&self) -> Option<Digest> {
        self.ledger_id
    }

    /// Records the leaf hash of entry 0 once it is known: in a v2 ledger it is the ledger id
    /// every later statement must be bound to.
    pub fn set_genesis_leaf(&mut self, leaf_hash: Digest) {
        if self.version == Some(FormatVersion::V2) {
            self.ledger_id = Some(leaf_hash);
        }
    }

    /// The binding the next statement of `author` takes in this ledger: the genesis suite,
    /// the ledger id and the author's last counter plus one (1 for an author without one).
    /// `None` in a v1 ledger, or before the ledger id is known.
    pub fn next_binding(&self, author: &PublicKey) -> Option<Binding> {
        if self.version != Some(FormatVersion::V2) {
            return None;
        }
        let genesis = self.registry.genesis()?;
        Some(Binding {
            suite: genesis.suite,
            ledger: self.ledger_id?,
            counter: self
                .counters
                .get(author)
                .map_or(1, |(c, _)| c.saturating_add(1)),
        })
    }

    /// The case an entry with `event` concerns, if one (docs/FORMAT.md §10): the case the
    /// event names; for the events of a recording session (segments, interruption, stop, and
    /// records of a session) the session's case; for an access decision the case of its
    /// request; for a view or a confidentiality marking of a case, that case.
    pub fn case_of(&self, event: &Event) -> Option<String> {
        if let Some(c) = event.case_no() {
            return Some(c.to_owned());
        }
        let session_case = |s: &str| self.session_case(s).map(str::to_owned);
        match event {
            Event::SegmentSealed { session, .. }
            | Event::RecordingInterrupted { session, .. }
            | Event::RecordingStopped { session, .. } => session_case(session),
            Event::AccessDecided { request, .. } => self.request_case.get(request).cloned(),
            Event::RecordViewed { subject, .. } | Event::ConfidentialityMarked { subject, .. } => {
                match subject {
                    RecordRef::Case(c) => Some(c.clone()),
                    RecordRef::Session(s) => session_case(s),
                    RecordRef::Media(_) => None,
                }
            }
            _ => None,
        }
    }

    /// Format v2: the `case_prev` the entry of `event` must carry at the next position — the
    /// latest entry of the same case. `None` in a v1 ledger, for the first entry of a case and
    /// for an event that concerns no single case.
    pub fn case_prev(&self, event: &Event) -> Option<u64> {
        if self.version != Some(FormatVersion::V2) {
            return None;
        }
        self.case_of(event)
            .and_then(|c| self.case_last.get(&c).copied())
    }

    /// Decides whether `statement` may become entry `seq`, logged at `logged_at`, without
    /// changing the state.
    ///
    /// # Errors
    /// The [`Refusal`] that says why not.
    pub fn check(
        &self,
        seq: u64,
        logged_at: Timestamp,
        statement: &Statement,
    ) -> Result<(), Refusal> {
        self.registry.check(seq, statement)?;
        let event = &statement.event;
        let time = statement.time;
        let future = || Refusal::Future {
            seq,
            time: time.0,
            logged_at: logged_at.0,
        };
        if seq == 0 {
            if time > logged_at.plus_millis(self.skew_ms) {
                return Err(future());
            }
            return check_genesis_binding(statement);
        }
        let role = self
            .registry
            .get(&statement.author)
            .map(|r| r.role)
            .ok_or(RegistryError::UnknownKey {
                seq,
                key: statement.author,
            })?;
        if !may_author(role, event) {
            return Err(RegistryError::NotPermitted {
                seq,
                role,
                event: event.name(),
            }
            .into());
        }
        if time > logged_at.plus_millis(self.skew_ms) {
            return Err(future());
        }
        if let Some(genesis) = self.genesis_time {
            if time < genesis.plus_millis(self.skew_ms.saturating_neg()) {
                return Err(Refusal::BeforeGenesis {
                    seq,
                    time: time.0,
                    genesis: genesis.0,
                });
            }
        }
        self.check_binding(seq, statement)?;
        self.sessions.check(seq, &statement.author, role, event)?;
        match event {
            Event::CaseOpened { case_no, .. } => {
                if let Some(opened_at) = self.open_cases.get(case_no) {
                    return Err(Refusal::CaseAlreadyOpen {
                        seq,
                        case_no: case_no.clone(),
                        opened_at: *opened_at,
                    });
                }
            }
            Event::MediaPurged { media, .. } => {
                if let Some(block) = self.custody.blocks(media, logged_at).into_iter().next() {
                    return Err(Refusal::PurgeUnlawful {
                        seq,
                        media: *media,
                        block,
                    });
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks `statement` as entry `seq` and, if admissible, applies its effect.
    ///
    /// # Errors
    /// As [`Admission::check`]; the state is unchanged on error.
    pub fn admit(
        &mut self,
        seq: u64,
        logged_at: Timestamp,
        statement: &Statement,
    ) -> Result<(), Refusal> {
        self.check(seq, logged_at, statement)?;
        self.apply(seq, logged_at, statement)?;
        Ok(())
    }

    /// Applies the effect of a statement already checked.
    fn apply(
        &mut self,
        seq: u64,
        logged_at: Timestamp,
        statement: &Statement,
    ) -> Result<(), Refusal> {
        self.registry.admit(seq, statement)?;
        if seq == 0 {
            self.genesis_time = Some(logged_at);
            self.version = Some(statement.version());
        }
        if let Some(b) = &statement.binding {
            self.counters.insert(statement.author, (b.counter, seq));
        }
        let event = &statement.event;
        if let Some(case) = self.case_of(event) {
            self.case_last.insert(case, seq);
        }
        if let Event::AccessRequested {
            request, case_no, ..
        } = event
        {
            self.request_case
                .entry(request.clone())
                .or_insert_with(|| case_no.clone());
        }
        self.sessions.apply(seq, event);
        match event {
            Event::CaseOpened { case_no, .. } => {
                self.open_cases.insert(case_no.clone(), seq);
            }
            Event::CaseClosed { case_no, .. } => {
                self.open_cases.remove(case_no);
            }
            _ => {}
        }
        self.custody.observe(seq, event);
        Ok(())
    }

    /// Format v2: the statement is bound to this ledger, its suite, and a counter above its
    /// author's last; format v1: it carries no binding (and nothing can tell a replay).
    fn check_binding(&self, seq: u64, statement: &Statement) -> Result<(), Refusal> {
        let wrong = |reason: String| Err(Refusal::WrongLedger { seq, reason });
        match (self.version, &statement.binding) {
            (Some(FormatVersion::V1), None) | (None, _) => Ok(()),
            (Some(FormatVersion::V1), Some(_)) => {
                wrong("a format-v2 statement in a format-v1 ledger".into())
            }
            (Some(FormatVersion::V2), None) => {
                wrong("a format-v1 statement, bound to no ledger, in a format-v2 ledger".into())
            }
            (Some(FormatVersion::V2), Some(b)) => {
                if let Some(g) = self.registry.genesis() {
                    if b.suite != g.suite {
                        return wrong(format!(
                            "it is signed under suite {:?}, the ledger's suite is {:?}",
                            b.suite, g.suite
                        ));
                    }
                }
                if let Some(id) = self.ledger_id {
                    if b.ledger != id {
                        return wrong(format!(
                            "it names ledger {}, this ledger's id is {id}",
                            b.ledger
                        ));
                    }
                }
                if let Some((last, last_seq)) = self.counters.get(&statement.author) {
                    if b.counter <= *last {
                        return Err(Refusal::Replay {
                            seq,
                            author: statement.author,
                            counter: b.counter,
                            last: *last,
                            last_seq: *last_seq,
                        });
                    }
                }
                Ok(())
            }
        }
    }

    /// The case a session belongs to, if the session was started.
    pub fn session_case(&self, session: &str) -> Option<&str> {
        self.sessions.get(session).map(|s| s.case_no.as_str())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::keys::{SecretKey, Signer};
    use crate::model::Suite;

    fn st(author: &SecretKey, time: i64, event: Event) -> Statement {
        Statement {
            time: Timestamp(time),
            author: author.public_key(),
            event,
            binding: None,
        }
    }

    #[test]
    fn role_table_refuses_a_device_deciding_access() {
        let ledger = SecretKey::from_seed(&[1; 32]);
        let device = SecretKey::from_seed(&[2; 32]);
        let mut a = Admission::new(1000);
        let t = Timestamp(1_000_000);
        a.admit(
            0,
            t,
            &st(
                &ledger,
                t.0,
                Event::Genesis {
                    origin: "o".into(),
                    suite: Suite::Sha256Ed25519Blake3,
                    ledger_key: ledger.public_key(),
                },
            ),
        )
        .unwrap();
        a.admit(
            1,
            t,
            &st(
                &ledger,
                t.0,
                Event::KeyAuthorized {
                    key: device.public_key(),
                    role: Role::Device,
                    holder: "BWC".into(),
                },
            ),
        )
        .unwrap();
        let decided = Event::AccessDecided {
            request: "r".into(),
            granted: true,
            reason: "x".into(),
        };
        let err = a
            .check(2, t, &st(&device, t.0, decided.clone()))
            .unwrap_err();
        assert!(matches!(
            err,
            Refusal::Registry(RegistryError::NotPermitted {
                role: Role::Device,
                ..
            })
        ));
        assert_eq!(err.finding_kind(), FindingKind::Unauthorized);
        // The system may; but not dated before the ledger began.
        a.check(2, t, &st(&ledger, t.0, decided.clone())).unwrap();
        let err = a.check(2, t, &st(&ledger, 0, decided)).unwrap_err();
        assert!(matches!(err, Refusal::BeforeGenesis { .. }));
    }
}
