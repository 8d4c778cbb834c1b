//! Who may speak for a recording session, and the segment chain as an admission matter
//! (Art. 14(4)).
//!
//! A session is opened by its device's `RecordingStarted` (the session id must not be in use
//! already, whatever device used it); its segments are sealed by that device in index order,
//! each naming the digest of the one before; its `RecordingStopped`, by the same device, declares
//! the count and last digest the ledger holds; nothing is sealed after it. A
//! `RecordingInterrupted` comes from the session's device or from an officer (docs/EVENTS.md).
//!
//! Memory: one record per session ever started (device key, case number, next index, last
//! digest, where it stopped); never per segment.

use std::collections::HashMap;

use crate::hash::Digest;
use crate::keys::PublicKey;
use crate::model::{Event, Role};

use super::Refusal;

/// What admission remembers of one recording session.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Session {
    /// The key that speaks for the session.
    pub(crate) device: PublicKey,
    /// Its case.
    pub(crate) case_no: String,
    /// Where it was started.
    pub(crate) started: u64,
    /// The index the next segment must have (= segments sealed so far).
    pub(crate) next_index: u64,
    /// Digest of the last segment sealed.
    pub(crate) last: Option<Digest>,
    /// Where it was stopped.
    pub(crate) stopped: Option<u64>,
}

/// The recording sessions of a ledger so far.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Sessions {
    #[serde(with = "crate::encoding::sorted_map")]
    map: HashMap<String, Session>,
}

impl Sessions {
    pub(crate) fn get(&self, session: &str) -> Option<&Session> {
        self.map.get(session)
    }

    /// Whether `event`, by `author` holding `role`, may enter at `seq`.
    pub(crate) fn check(
        &self,
        seq: u64,
        author: &PublicKey,
        role: Role,
        event: &Event,
    ) -> Result<(), Refusal> {
        match event {
            Event::RecordingStarted {
                session, device, ..
            } => {
                if let Some(s) = self.map.get(session) {
                    return Err(Refusal::SessionInUse {
                        seq,
                        session: session.clone(),
                        since: s.started,
                    });
                }
                if author != device {
                    return Err(Refusal::WrongDevice {
                        seq,
                        session: session.clone(),
                        what: "RecordingStarted".into(),
                        author: *author,
                        device: *device,
                    });
                }
                Ok(())
            }
            Event::SegmentSealed {
                session,
                index,
                prev_segment,
                ..
            } => {
                let what = format!("segment {index}");
                let s = self.open_session(seq, session, &what)?;
                if s.device != *author {
                    return Err(wrong_device(seq, session, what, author, s));
                }
                let index = u64::from(*index);
                if index < s.next_index {
                    return Err(Refusal::SegmentDuplicate {
                        seq,
                        session: session.clone(),
                        index,
                    });
                }
                if index > s.next_index {
                    return Err(Refusal::SegmentMissing {
                        seq,
                        session: session.clone(),
                        index,
                        expected: s.next_index,
                    });
                }
                if *prev_segment != s.last {
                    return Err(Refusal::SegmentChainBroken {
                        seq,
                        session: session.clone(),
                        index,
                        named: *prev_segment,
                        last: s.last,
                    });
                }
                Ok(())
            }
            Event::RecordingInterrupted { session, .. } => {
                // An interruption may be recorded after the stop (the note is written later,
                // its `at` says when): only an unknown session is refused.
                let s = self.started(seq, session, "RecordingInterrupted")?;
                if s.device != *author && role != Role::Officer {
                    return Err(wrong_device(
                        seq,
                        session,
                        "RecordingInterrupted (by its device or an officer)".into(),
                        author,
                        s,
                    ));
                }
                Ok(())
            }
            Event::RecordingStopped {
                session,
                segments,
                last_segment,
            } => {
                let s = self.open_session(seq, session, "RecordingStopped")?;
                if s.device != *author {
                    return Err(wrong_device(
                        seq,
                        session,
                        "RecordingStopped".into(),
                        author,
                        s,
                    ));
                }
                if u64::from(*segments) != s.next_index || *last_segment != s.last {
                    return Err(Refusal::SegmentCountMismatch {
                        seq,
                        session: session.clone(),
                        declared: *segments,
                        declared_last: *last_segment,
                        held: s.next_index,
                        held_last: s.last,
                    });
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A started session, or the refusal of `what` at `seq` about an unknown one.
    fn started(&self, seq: u64, session: &str, what: &str) -> Result<&Session, Refusal> {
        self.map.get(session).ok_or_else(|| Refusal::SegmentOrphan {
            seq,
            session: session.to_owned(),
            what: what.to_owned(),
        })
    }

    /// A started, not yet stopped session, or the refusal that says why not.
    fn open_session(&self, seq: u64, session: &str, what: &str) -> Result<&Session, Refusal> {
        let s = self.started(seq, session, what)?;
        if let Some(stopped_at) = s.stopped {
            return Err(Refusal::SegmentAfterStop {
                seq,
                session: session.to_owned(),
                what: what.to_owned(),
                stopped_at,
            });
        }
        Ok(s)
    }

    /// Applies an admitted event.
    pub(crate) fn apply(&mut self, seq: u64, event: &Event) {
        match event {
            Event::RecordingStarted {
                session,
                device,
                case_no,
                ..
            } => {
                self.map.entry(session.clone()).or_insert_with(|| Session {
                    device: *device,
                    case_no: case_no.clone(),
                    started: seq,
                    next_index: 0,
                    last: None,
                    stopped: None,
                });
            }
            Event::SegmentSealed { session, media, .. } => {
                if let Some(s) = self.map.get_mut(session) {
                    s.next_index = s.next_index.saturating_add(1);
                    s.last = Some(media.digest);
                }
            }
            Event::RecordingStopped { session, .. } => {
                if let Some(s) = self.map.get_mut(session) {
                    s.stopped.get_or_insert(seq);
                }
            }
            _ => {}
        }
    }
}

fn wrong_device(seq: u64, session: &str, what: String, author: &PublicKey, s: &Session) -> Refusal {
    Refusal::WrongDevice {
        seq,
        session: session.to_owned(),
        what,
        author: *author,
        device: s.device,
    }
}
