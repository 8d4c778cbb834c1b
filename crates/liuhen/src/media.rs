//! Media evidence: BLAKE3 digests of media files, device-chained recording segments, a
//! content-addressed media store and the media half of verification.
//!
//! The ledger holds digests, never footage (`docs/FORMAT.md`). This module makes those digests
//! fast to compute ([`digest_file`], [`digest_reader`]), impossible to swap unnoticed (the
//! segment chain of a [`Recording`], Art. 14(4)) and checkable against the media an auditor is
//! handed ([`verify_media`], Art. 21(2) and 21(5)). Media bytes are kept under their digests by
//! a [`MediaBackend`] — the [`MediaStore`] directory beside the ledger, [`MemoryMediaBackend`],
//! or a deployment's own (a NAS, an object store) — and destroyed only when the ledger allows it
//! ([`purge`], Art. 17, 18): the custody rules are here, above the backend, the same for all.
//!
//! Media bytes are opaque: nothing here parses a container format or trusts a file name, and no
//! function loads a whole file into memory (files are memory-mapped or streamed through a fixed
//! buffer).
//!
//! Article references are to the regulation in `reference/regulation.en.md`.

mod backend;
pub(crate) mod custody;
mod digest;
mod memory;
mod mime;
mod recording;
mod store;
mod verify;

use std::path::PathBuf;

use crate::entry::StatementError;
use crate::hash::Digest;
use crate::model::{Retention, Timestamp};
use crate::store::StoreError;

pub use backend::{receive_checked, BlobStat, MediaBackend, PurgePermit};
pub use custody::{make_derivative, purge, put_file, PurgeBlock};
pub use digest::{digest_file, digest_reader, STREAM_BUFFER};
pub use memory::MemoryMediaBackend;
pub use mime::{guess_mime, media_ref_of_file, OCTET_STREAM};
pub use recording::{Recording, RecordingStart};
pub use store::MediaStore;
pub(crate) use verify::{bound as bound_findings, MediaObserver};
pub use verify::{verify_media, MediaVerifyOptions};

/// Errors of digesting, recording, storing and purging media.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// A file or directory could not be opened, read, written, synced or renamed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// Reading from a caller-supplied reader (pipe, upload) failed.
    #[error("reading the media stream failed after {read} bytes: {source}")]
    Read {
        /// Bytes read before the failure.
        read: u64,
        /// What the reader said.
        #[source]
        source: std::io::Error,
    },
    /// The thread pool for a multi-threaded digest could not be built.
    #[error("cannot start {threads} hashing threads: {reason}")]
    ThreadPool {
        /// Threads requested.
        threads: usize,
        /// Why the pool failed.
        reason: String,
    },
    /// Bytes offered to the media store are not the media they claim to be.
    #[error("media refused: it claims digest {claimed} and {claimed_length} bytes, but is {actual} and {actual_length} bytes")]
    Mismatch {
        /// The digest the caller claimed (from the ledger's `MediaRef`).
        claimed: Digest,
        /// The length the caller claimed.
        claimed_length: u64,
        /// The digest of the bytes actually received.
        actual: Digest,
        /// The number of bytes actually received.
        actual_length: u64,
    },
    /// The media store does not hold this digest.
    #[error("media {digest} is not in the media store")]
    NotFound {
        /// The digest asked for.
        digest: Digest,
    },
    /// Something the media backend did not write lies where the media should be (a symbolic
    /// link, a directory, a FIFO): the media is gone and nothing is read through it.
    #[error(
        "media {digest} in {location} was replaced by {what}: the media store was tampered with"
    )]
    Foreign {
        /// The media.
        digest: Digest,
        /// The backend's location.
        location: String,
        /// What lies there instead.
        what: String,
    },
    /// The media backend could not do what was asked (a NAS offline, an object store refusing).
    /// Not an absence: media a backend cannot answer for are never reported missing.
    #[error("media backend {backend} could not {action}: {source}")]
    Backend {
        /// The backend's location ([`MediaBackend::location`]).
        backend: String,
        /// What was asked, e.g. "read media 3f…".
        action: String,
        /// What the backend said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A purge was refused: the ledger does not allow destroying this media (Art. 17, 18,
    /// 21(5)).
    #[error("purge of media {digest} refused: {block}")]
    PurgeRefused {
        /// The media.
        digest: Digest,
        /// Why.
        block: PurgeBlock,
    },
    /// The ledger could not be read while deciding a purge; a purge is never decided on a
    /// partial view.
    #[error("cannot read ledger entry {seq} to decide the purge of {digest}: {source}")]
    Ledger {
        /// The media.
        digest: Digest,
        /// The entry that could not be read.
        seq: u64,
        /// What the store said.
        #[source]
        source: StoreError,
    },
    /// A recording statement could not be signed by the device.
    #[error("session {session}: the device could not sign the statement: {source}")]
    Sign {
        /// Recording session id.
        session: String,
        /// Why.
        #[source]
        source: StatementError,
    },
    /// A segment's end lies before its start.
    #[error("session {session}, segment {index}: ends at {end:?}, before it starts at {start:?}")]
    SegmentTimes {
        /// Recording session id.
        session: String,
        /// Segment index.
        index: u32,
        /// Claimed start.
        start: Timestamp,
        /// Claimed end.
        end: Timestamp,
    },
    /// A derivative was asked of an original whose stored bytes no longer match its digest:
    /// a derivative of altered footage would launder it (Art. 21(2)).
    #[error("original media {digest} in the store does not match its digest; no derivative is made of altered media")]
    OriginalAltered {
        /// The original.
        digest: Digest,
    },
    /// The "derivative" has exactly the bytes of its original: there is nothing derived to
    /// record.
    #[error("the derivative has the same bytes as its original {digest}")]
    NotADerivative {
        /// The original.
        digest: Digest,
    },
    /// A session cannot hold more than `u32::MAX` segments (the index is a `u32` in format v1).
    #[error("session {session} has reached the maximum number of segments")]
    TooManySegments {
        /// Recording session id.
        session: String,
    },
}

impl MediaError {
    /// A [`MediaError::Backend`] of `backend` failing to do `action`: for implementations of
    /// [`MediaBackend`] outside this crate.
    pub fn backend(
        backend: &dyn MediaBackend,
        action: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        MediaError::Backend {
            backend: backend.location(),
            action: action.into(),
            source: source.into(),
        }
    }

    fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        MediaError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Renders a retention for messages.
fn retention_text(r: &Retention) -> String {
    match r {
        Retention::Permanent => "permanently".into(),
        Retention::Until(t) => format!("until {} ms", t.0),
    }
}
