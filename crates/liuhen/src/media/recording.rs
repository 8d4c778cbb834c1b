//! Recording sessions on the device: every segment is signed by the device key and names the
//! digest of the segment before it, so that a missing, inserted, reordered or swapped segment
//! breaks the chain (Art. 14(4)).
//!
//! Nothing here touches the ledger: a body-worn recorder or handheld terminal signs statements
//! offline and the upload station appends them later, in the order they were made.

use std::io::Read;
use std::path::Path;

use std::cell::Cell;

use crate::entry::{Binding, SignedStatement, Statement};
use crate::hash::Digest;
use crate::keys::Signer;
use crate::model::{
    CaptureMethod, Event, InterruptionReason, Location, MediaRef, Sealed, Timestamp,
};

use super::digest::{digest_file, digest_reader};
use super::MediaError;

/// What a recording is about: the fields of `RecordingStarted` other than the device key
/// (Art. 7, 14(2), 14(3)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordingStart {
    /// Recording session id, unique per device.
    pub session: String,
    /// Case number.
    pub case_no: String,
    /// Capture method.
    pub method: CaptureMethod,
    /// Where, with the landmark Art. 14(3) asks for.
    pub location: Location,
    /// What is being recorded (Art. 14(2)).
    pub matter: String,
    /// Officers present (certificate numbers).
    pub officers: Vec<String>,
    /// The party present (sealed), if any.
    pub party: Option<Sealed>,
}

/// A recording session in progress on a device.
///
/// Produces, in order: `PartyNotified` ([`Recording::notify_party`], Art. 14(1), before the
/// start), `RecordingStarted` ([`Recording::start`]), `SegmentSealed` per segment, optionally
/// `RecordingInterrupted`, and `RecordingStopped` ([`Recording::stop`], which consumes the
/// session, so no segment can follow it). Every statement is signed by the device key; append
/// them to the ledger in the order they were returned.
pub struct Recording<'a> {
    session: String,
    device: &'a dyn Signer,
    next_index: u32,
    last: Option<Digest>,
    /// Format v2: the binding of the next statement this recording signs (the counter counts
    /// on); `None` signs format-v1 statements.
    binding: Cell<Option<Binding>>,
}

impl core::fmt::Debug for Recording<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Recording")
            .field("session", &self.session)
            .field("device", &self.device.public_key())
            .field("segments", &self.next_index)
            .field("last", &self.last)
            .finish()
    }
}

impl<'a> Recording<'a> {
    /// The `PartyNotified` statement (Art. 14(1)): the party was told at `at` that recording is
    /// about to start. Append it before the `RecordingStarted` of [`Recording::start`].
    ///
    /// # Errors
    /// [`MediaError::Sign`] if the device fails to sign.
    pub fn notify_party(
        session: &str,
        case_no: &str,
        device: &dyn Signer,
        at: Timestamp,
    ) -> Result<SignedStatement, MediaError> {
        Self::notify_party_bound(session, case_no, device, at, None)
    }

    /// As [`Recording::notify_party`], bound for a format-v2 ledger with `binding` (see
    /// [`crate::Ledger::next_binding`]).
    ///
    /// # Errors
    /// [`MediaError::Sign`] if the device fails to sign.
    pub fn notify_party_bound(
        session: &str,
        case_no: &str,
        device: &dyn Signer,
        at: Timestamp,
        binding: Option<Binding>,
    ) -> Result<SignedStatement, MediaError> {
        let event = Event::PartyNotified {
            session: session.into(),
            case_no: case_no.into(),
            at,
        };
        sign(session, device, at, event, binding)
    }

    /// Starts a session at `time`: returns it with its device-signed `RecordingStarted`
    /// statement, which names `device`'s key as the one every segment must be signed by.
    ///
    /// # Errors
    /// [`MediaError::Sign`] if the device fails to sign.
    pub fn start(
        start: RecordingStart,
        device: &'a dyn Signer,
        time: Timestamp,
    ) -> Result<(Recording<'a>, SignedStatement), MediaError> {
        Self::start_bound(start, device, time, None)
    }

    /// As [`Recording::start`], bound for a format-v2 ledger with `binding` (see
    /// [`crate::Ledger::next_binding`]); the recording's later statements count on from its
    /// counter (or from [`Recording::set_binding`]).
    ///
    /// # Errors
    /// [`MediaError::Sign`] if the device fails to sign.
    pub fn start_bound(
        start: RecordingStart,
        device: &'a dyn Signer,
        time: Timestamp,
        binding: Option<Binding>,
    ) -> Result<(Recording<'a>, SignedStatement), MediaError> {
        let session = start.session.clone();
        let event = Event::RecordingStarted {
            session: start.session,
            case_no: start.case_no,
            device: device.public_key(),
            method: start.method,
            location: start.location,
            matter: start.matter,
            officers: start.officers,
            party: start.party,
        };
        let statement = sign(&session, device, time, event, binding)?;
        let recording = Recording::resume(&session, device, 0, None);
        recording.set_binding(binding.map(next_counter));
        Ok((recording, statement))
    }

    /// Resumes a session after the device restarted: `segments` already sealed, the last of
    /// them with digest `last` (both as the device persisted them).
    pub fn resume(
        session: &str,
        device: &'a dyn Signer,
        segments: u32,
        last: Option<Digest>,
    ) -> Recording<'a> {
        Recording {
            session: session.into(),
            device,
            next_index: segments,
            last,
            binding: Cell::new(None),
        }
    }

    /// Sets the binding of the next statement this recording signs (format v2; `None` for a
    /// v1 ledger); each statement signed takes the next counter.
    pub fn set_binding(&self, next: Option<Binding>) {
        self.binding.set(next);
    }

    /// Signs `event` with the device, bound with the current binding, which then counts on.
    fn sign_next(&self, time: Timestamp, event: Event) -> Result<SignedStatement, MediaError> {
        let binding = self.binding.get();
        let statement = sign(&self.session, self.device, time, event, binding)?;
        self.binding.set(binding.map(next_counter));
        Ok(statement)
    }

    /// The session id.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// Number of segments sealed so far.
    pub fn segments(&self) -> u32 {
        self.next_index
    }

    /// Digest of the last sealed segment.
    pub fn last_segment(&self) -> Option<Digest> {
        self.last
    }

    /// Seals the next segment, recorded from `start` to `end`: a `SegmentSealed` statement,
    /// dated `end`, chained to the previous segment's digest.
    ///
    /// # Errors
    /// [`MediaError::SegmentTimes`] if `end < start`, [`MediaError::TooManySegments`],
    /// [`MediaError::Sign`]. On error the session is unchanged.
    pub fn segment(
        &mut self,
        media: MediaRef,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<SignedStatement, MediaError> {
        let index = self.next_index;
        if end < start {
            return Err(MediaError::SegmentTimes {
                session: self.session.clone(),
                index,
                start,
                end,
            });
        }
        let next = index
            .checked_add(1)
            .ok_or_else(|| MediaError::TooManySegments {
                session: self.session.clone(),
            })?;
        let digest = media.digest;
        let event = Event::SegmentSealed {
            session: self.session.clone(),
            index,
            prev_segment: self.last,
            media,
            start,
            end,
        };
        let statement = self.sign_next(end, event)?;
        // Only a signed segment advances the chain, so a signer failure can be retried.
        self.next_index = next;
        self.last = Some(digest);
        Ok(statement)
    }

    /// Digests the segment file at `path` (see [`digest_file`] for `threads`) and seals it.
    ///
    /// # Errors
    /// As [`digest_file`] and [`Recording::segment`].
    #[allow(clippy::too_many_arguments)] // mirrors digest_file's and segment's parameters
    pub fn segment_file(
        &mut self,
        path: &Path,
        mime: &str,
        name: &str,
        threads: usize,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<SignedStatement, MediaError> {
        let media = digest_file(path, mime, name, threads)?;
        self.segment(media, start, end)
    }

    /// Digests a segment streamed from `reader` and seals it.
    ///
    /// # Errors
    /// As [`digest_reader`] and [`Recording::segment`].
    pub fn segment_reader<R: Read>(
        &mut self,
        reader: R,
        mime: &str,
        name: &str,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<SignedStatement, MediaError> {
        let media = digest_reader(reader, mime, name)?;
        self.segment(media, start, end)
    }

    /// A `RecordingInterrupted` statement: recording stopped at `at` for `reason` and the next
    /// segment will follow a gap. An explained gap is not a violation; an unexplained one is.
    ///
    /// # Errors
    /// [`MediaError::Sign`].
    pub fn interrupted(
        &self,
        reason: InterruptionReason,
        at: Timestamp,
    ) -> Result<SignedStatement, MediaError> {
        let event = Event::RecordingInterrupted {
            session: self.session.clone(),
            reason,
            at,
        };
        self.sign_next(at, event)
    }

    /// Ends the session: a `RecordingStopped` statement with the segment count and the last
    /// segment's digest, so that no segment can be dropped from or added to the end unnoticed.
    ///
    /// # Errors
    /// [`MediaError::Sign`].
    pub fn stop(self, time: Timestamp) -> Result<SignedStatement, MediaError> {
        let event = Event::RecordingStopped {
            session: self.session.clone(),
            segments: self.next_index,
            last_segment: self.last,
        };
        self.sign_next(time, event)
    }
}

fn next_counter(b: Binding) -> Binding {
    Binding {
        counter: b.counter.saturating_add(1),
        ..b
    }
}

fn sign(
    session: &str,
    device: &dyn Signer,
    time: Timestamp,
    event: Event,
    binding: Option<Binding>,
) -> Result<SignedStatement, MediaError> {
    let statement = Statement {
        time,
        author: device.public_key(),
        event,
        binding,
    };
    SignedStatement::sign_statement(statement, device).map_err(|source| MediaError::Sign {
        session: session.into(),
        source,
    })
}
