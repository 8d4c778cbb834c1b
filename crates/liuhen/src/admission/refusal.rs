//! Why a statement may not enter the ledger, and the verifier's finding kind for each reason.

use crate::hash::Digest;
use crate::keys::PublicKey;
use crate::media::PurgeBlock;
use crate::registry::RegistryError;
use crate::verify::FindingKind;

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
        /// The allowed skew the statement exceeds (the admission's configured one).
        skew_ms: i64,
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
    /// A `DocumentDescribed` of a document that no earlier `DocumentFiled` of its case filed:
    /// never filed, or filed in another case.
    #[error("entry {seq}: DocumentDescribed describes document {document} in case {case_no}, but no earlier DocumentFiled of case {case_no} filed it{}", filed_in.as_ref().map_or_else(|| " (no case filed it)".to_owned(), |c| format!(" (it was filed in case {c})")))]
    DocumentNotFiled {
        /// Position.
        seq: u64,
        /// The case the description names.
        case_no: String,
        /// The document described.
        document: Digest,
        /// A case that did file it, if any.
        filed_in: Option<String>,
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
            Refusal::DocumentNotFiled { .. } => FindingKind::DocumentNotFiled,
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
