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
//!    skew and not after the entry's `logged_at` plus the skew; **binding** (format v2): bound to
//!    this ledger id and suite, with a counter above the author's last (no replay), and in a v1
//!    ledger no binding;
//! 4. **recording sessions** (module `session`): a session id is used by one session only; its
//!    device speaks for it; segments in index order, chained, none after the stop; the stop
//!    declares what the ledger holds (Art. 14(4));
//! 5. **cases**: no second `CaseOpened` of a case that is open;
//! 6. **holds**: no `MediaPurged` of media of a case within its retention period (Art. 17) or
//!    under an unreleased preservation order (Art. 18);
//! 7. **document descriptions**: a `DocumentDescribed` describes a document that an earlier
//!    `DocumentFiled` filed in the same case.
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
//! object ([`crate::media`]'s custody) and per filed document; never per entry.

mod refusal;
mod roles;
mod session;

pub use refusal::Refusal;
pub use roles::may_author;

use std::collections::HashMap;

use crate::entry::{Binding, FormatVersion, Statement};
use crate::hash::Digest;
use crate::keys::PublicKey;
use crate::media::custody::{Custody, FirstCase};
use crate::model::{Event, RecordRef, Timestamp};
use crate::registry::{Registry, RegistryError};

use session::Sessions;

/// A v2 genesis binds itself to its declared suite and a zero ledger id; its counter is the
/// ledger's nonce (any value), which does not count as the ledger key's counter.
fn check_genesis_binding(statement: &Statement) -> Result<(), Refusal> {
    let (Some(b), Event::Genesis { suite, .. }) = (&statement.binding, &statement.event) else {
        return Ok(());
    };
    if b.suite != *suite || b.ledger != Digest::ZERO {
        return Err(Refusal::WrongLedger {
            seq: 0,
            reason: "a format-v2 genesis must be bound to its own suite and the zero ledger id"
                .into(),
        });
    }
    Ok(())
}

/// The case of an entry of `event` (FORMAT.md §10.7), given the case of a session (from its
/// `RecordingStarted`) and of an access request (from its first `AccessRequested`) as known at
/// that point. One definition for the writer, the verifier and the bundle verifier.
pub fn case_of<'a>(
    event: &Event,
    session_case: impl Fn(&str) -> Option<&'a str>,
    request_case: impl Fn(&str) -> Option<&'a str>,
) -> Option<String> {
    if let Some(c) = event.case_no() {
        return Some(c.to_owned());
    }
    let found = match event {
        Event::SegmentSealed { session, .. }
        | Event::RecordingInterrupted { session, .. }
        | Event::RecordingStopped { session, .. } => session_case(session),
        Event::AccessDecided { request, .. } => request_case(request),
        Event::RecordViewed { subject, .. } | Event::ConfidentialityMarked { subject, .. } => {
            match subject {
                RecordRef::Case(c) => return Some(c.clone()),
                RecordRef::Session(s) => session_case(s),
                RecordRef::Media(_) => None,
            }
        }
        _ => None,
    };
    found.map(str::to_owned)
}

/// The admission state as of some position in the ledger.
///
/// Serialized only inside a signed writer state ([`crate::ledger::WriterState`];
/// `docs/FORMAT.md` §22): the allowed skew is the opening writer's setting, not part of the
/// state, and each map is encoded in one canonical order.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Admission {
    #[serde(skip)]
    skew_ms: i64,
    registry: Registry,
    genesis_time: Option<Timestamp>,
    sessions: Sessions,
    /// Case → the entry that opened it, while it is open.
    #[serde(with = "crate::encoding::sorted_map")]
    open_cases: HashMap<String, u64>,
    custody: Custody,
    /// The format version, from the genesis statement.
    version: Option<FormatVersion>,
    /// Format v2: the ledger id (leaf hash of entry 0), once known.
    ledger_id: Option<Digest>,
    /// Format v2: each author's last admitted counter and where.
    #[serde(with = "crate::encoding::sorted_map")]
    counters: HashMap<PublicKey, (u64, u64)>,
    /// Format v2: each case's latest entry (the next entry's `case_prev`).
    #[serde(with = "crate::encoding::sorted_map")]
    case_last: HashMap<String, u64>,
    /// Access request → its case.
    request_case: FirstCase,
    /// Filed document (the digest of a `DocumentFiled`'s media) → the cases it was filed in.
    #[serde(with = "crate::encoding::sorted_map")]
    filed: HashMap<Digest, Vec<String>>,
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

    /// The same state, allowing clocks to differ by `skew_ms`: a state read from a saved writer
    /// state takes the opening writer's setting.
    pub(crate) fn with_skew(mut self, skew_ms: i64) -> Self {
        self.skew_ms = skew_ms.max(0);
        self
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
        case_of(
            event,
            |s| self.session_case(s),
            |r| self.request_case.get(r),
        )
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
            skew_ms: self.skew_ms,
        };
        if seq == 0 {
            if time > logged_at.plus_millis(self.skew_ms) {
                return Err(future());
            }
            return check_genesis_binding(statement);
        }
        let role = self.registry.get(&statement.author).map(|r| r.role).ok_or(
            RegistryError::UnknownKey {
                seq,
                key: statement.author,
            },
        )?;
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
            Event::DocumentDescribed {
                case_no, document, ..
            } => {
                let cases = self.filed.get(document);
                if !cases.is_some_and(|c| c.contains(case_no)) {
                    return Err(Refusal::DocumentNotFiled {
                        seq,
                        case_no: case_no.clone(),
                        document: *document,
                        filed_in: cases.and_then(|c| c.first()).cloned(),
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

    /// Applies the effect of `statement` as entry `seq`, which [`Admission::check`] accepted
    /// on this same state just before: the writer checks, encodes the entry, then applies, and
    /// need not check twice. Same effect as [`Admission::admit`] after a successful check.
    ///
    /// # Errors
    /// As [`Admission::admit`] (not expected after a successful check).
    pub(crate) fn admit_checked(
        &mut self,
        seq: u64,
        logged_at: Timestamp,
        statement: &Statement,
    ) -> Result<(), Refusal> {
        self.apply(seq, logged_at, statement)
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
        // The genesis counter is the ledger's nonce, not a counter of the ledger key.
        match &statement.binding {
            Some(b) if seq > 0 => {
                self.counters.insert(statement.author, (b.counter, seq));
            }
            _ => {}
        }
        let event = &statement.event;
        if let Some(case) = self.case_of(event) {
            self.case_last.insert(case, seq);
        }
        if let Event::AccessRequested {
            request, case_no, ..
        } = event
        {
            self.request_case.note(request, case_no);
        }
        self.sessions.apply(seq, event);
        match event {
            Event::CaseOpened { case_no, .. } => {
                self.open_cases.insert(case_no.clone(), seq);
            }
            Event::CaseClosed { case_no, .. } => {
                self.open_cases.remove(case_no);
            }
            Event::DocumentFiled { case_no, media, .. } => {
                let cases = self.filed.entry(media.digest).or_default();
                if !cases.contains(case_no) {
                    cases.push(case_no.clone());
                }
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
    use crate::model::{Role, Suite};
    use crate::verify::FindingKind;

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
