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
//! Memory: the registry (one record per key), one record per recording session, per open case
//! and per referenced media object ([`crate::media`]'s custody); never per entry.

mod session;

use std::collections::HashMap;

use crate::entry::Statement;
use crate::hash::Digest;
use crate::keys::PublicKey;
use crate::media::custody::Custody;
use crate::media::PurgeBlock;
use crate::model::{Event, Role, Timestamp};
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
        Event::Genesis { .. } | Event::KeyAuthorized { .. } | Event::KeyRevoked { .. } => {
            &[System]
        }
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
        if time > logged_at.plus_millis(self.skew_ms) {
            return Err(Refusal::Future {
                seq,
                time: time.0,
                logged_at: logged_at.0,
            });
        }
        if seq == 0 {
            return Ok(());
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
        if let Some(genesis) = self.genesis_time {
            if time < genesis.plus_millis(self.skew_ms.saturating_neg()) {
                return Err(Refusal::BeforeGenesis {
                    seq,
                    time: time.0,
                    genesis: genesis.0,
                });
            }
        }
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
        }
        let event = &statement.event;
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
        let err = a.check(2, t, &st(&device, t.0, decided.clone())).unwrap_err();
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
