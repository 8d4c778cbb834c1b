//! Where media bytes live: the [`MediaBackend`] trait.
//!
//! The ledger names media by BLAKE3 digest; a backend keeps the bytes under that digest — a
//! directory beside the ledger ([`MediaStore`](super::MediaStore)), memory
//! ([`MemoryMediaBackend`](super::MemoryMediaBackend)), a NAS or an object store. Only bytes
//! move behind the trait: what may be destroyed and when (retention, preservation, the
//! `MediaPurged` statement; [`purge`](super::purge)), whether a derivative is made of intact
//! footage ([`derive`](super::derive)) and whether the stored media are what the ledger recorded
//! ([`verify_media`](super::verify_media)) are decided in the core above it, the same for every
//! backend.
//!
//! # The contract (`docs/STORE.md`, "Media and vault backends")
//!
//! * [`MediaBackend::put`] streams the bytes (never buffering a whole blob to hash it), hashes
//!   them while receiving, and refuses bytes whose digest or length differ from the claim with
//!   [`MediaError::Mismatch`], leaving nothing under the digest. `Ok` means durable: the blob
//!   survives a crash or power loss of the backend. A blob already held under the digest with
//!   the claimed length is acknowledged without reading (content addressing makes a put
//!   idempotent; whether the stored bytes are intact is the verifier's question).
//! * [`MediaBackend::stat`] and [`MediaBackend::open_blob`] tell *absent* from *cannot answer*:
//!   absent is [`BlobStat::Absent`] / [`MediaError::NotFound`] (the verifier then reports the
//!   media missing — destroyed records unless a lawful purge explains it, Art. 21(5)); a backend
//!   that cannot answer (a NAS offline, an object store refusing) returns an error, which the
//!   verifier reports as unreadable, never as missing.
//! * [`MediaBackend::remove`] takes a [`PurgePermit`], which only the core's custody-checked
//!   [`purge`](super::purge) makes: no adapter (the CLI, the HTTP server) can destroy media by
//!   calling the backend directly. `Ok` means the removal is durable; removing an absent blob
//!   succeeds.
//! * Backend failures are [`MediaError::Backend`] (or [`MediaError::Io`] with the path, for a
//!   local file system), never an `io::Error` made up to carry a message.

use std::fmt;
use std::io::Read;
use std::path::PathBuf;

use crate::hash::Digest;
use crate::model::MediaRef;

use super::digest::{copy_hashing, digest_file, digest_reader};
use super::MediaError;
use crate::hash::from_blake3;

/// What lies under a digest in a backend ([`MediaBackend::stat`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlobStat {
    /// Nothing: the blob is not held.
    Absent,
    /// A blob of `length` bytes (its bytes are not checked).
    Present {
        /// Its length.
        length: u64,
    },
    /// Something the backend did not write lies in the blob's place (for a directory: a
    /// symbolic link, a directory, a FIFO). The media is gone all the same; the verifier reports
    /// it as tampering and nothing reads through it.
    Foreign {
        /// What lies there instead, e.g. "a symbolic link".
        what: String,
    },
}

/// Permission to remove one media blob, made only by the core's custody-checked
/// [`purge`](super::purge) after the ledger allowed the destruction (a `MediaPurged` statement,
/// no retention period running, no preservation order; Art. 17, 18, 21(5)). A backend receives
/// it in [`MediaBackend::remove`]; nothing outside the core can make one:
///
/// ```compile_fail
/// // An adapter cannot write itself a permit to destroy evidence.
/// let permit = liuhen::media::PurgePermit { digest: liuhen::Digest::from_bytes([0; 32]) };
/// ```
#[derive(Debug)]
pub struct PurgePermit {
    digest: Digest,
}

impl PurgePermit {
    /// Only [`purge`](super::purge) calls this, after its judgement.
    pub(super) fn new(digest: Digest) -> Self {
        PurgePermit { digest }
    }

    /// The media the ledger allows to be destroyed.
    pub fn digest(&self) -> &Digest {
        &self.digest
    }
}

/// A place that keeps media bytes under their BLAKE3 digests. See the module documentation for
/// the contract every implementation keeps (`tests/media_conformance.rs` checks it).
pub trait MediaBackend: Send + Sync + fmt::Debug {
    /// Where the backend keeps media (a directory, a URL), for messages and reports.
    fn location(&self) -> String;

    /// Stores the bytes of `reader` as the media `claimed` (normally the `MediaRef` of the
    /// ledger statement that names it): streamed, hashed while received, refused with
    /// [`MediaError::Mismatch`] if they are not the claimed media (nothing is then stored),
    /// durable before `Ok`.
    ///
    /// # Errors
    /// [`MediaError::Mismatch`], [`MediaError::Read`] if the reader fails, or the backend's
    /// failure ([`MediaError::Backend`], [`MediaError::Io`]).
    fn put(&self, claimed: &MediaRef, reader: &mut dyn Read) -> Result<(), MediaError>;

    /// What lies under `digest`.
    ///
    /// # Errors
    /// Only when the backend cannot answer; absence is [`BlobStat::Absent`].
    fn stat(&self, digest: &Digest) -> Result<BlobStat, MediaError>;

    /// A reader over the stored bytes of `digest`, read in chunks by the caller.
    ///
    /// # Errors
    /// [`MediaError::NotFound`] if absent, [`MediaError::Foreign`] if something else lies in its
    /// place, or the backend's failure.
    fn open_blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send + '_>, MediaError>;

    /// Removes the blob the permit names, durably; an absent blob is removed already.
    ///
    /// # Errors
    /// The backend's failure.
    fn remove(&self, permit: &PurgePermit) -> Result<(), MediaError>;

    /// The path of the blob if it is a regular file on a local file system, so that the
    /// verifier can memory-map it and hash it on several threads. `None` (the default) makes
    /// every reader stream through [`MediaBackend::open_blob`].
    fn local_path(&self, digest: &Digest) -> Option<PathBuf> {
        let _ = digest;
        None
    }
}

impl<T: MediaBackend + ?Sized> MediaBackend for std::sync::Arc<T> {
    fn location(&self) -> String {
        (**self).location()
    }
    fn put(&self, claimed: &MediaRef, reader: &mut dyn Read) -> Result<(), MediaError> {
        (**self).put(claimed, reader)
    }
    fn stat(&self, digest: &Digest) -> Result<BlobStat, MediaError> {
        (**self).stat(digest)
    }
    fn open_blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send + '_>, MediaError> {
        (**self).open_blob(digest)
    }
    fn remove(&self, permit: &PurgePermit) -> Result<(), MediaError> {
        (**self).remove(permit)
    }
    fn local_path(&self, digest: &Digest) -> Option<PathBuf> {
        (**self).local_path(digest)
    }
}

/// The receiving half of [`MediaBackend::put`], for every backend: reads `reader` to its end
/// through one fixed buffer, hands each chunk to `sink` (a temporary file, an upload) and
/// hashes it on the way, then checks the bytes against `claimed`. Returns the length; the
/// caller makes the blob visible under the digest only after `Ok`, and discards what `sink`
/// received otherwise.
///
/// # Errors
/// [`MediaError::Mismatch`] if digest or length differ from the claim, [`MediaError::Read`] if
/// the reader fails, or `sink`'s error.
pub fn receive_checked(
    reader: &mut dyn Read,
    claimed: &MediaRef,
    sink: impl FnMut(&[u8]) -> Result<(), MediaError>,
) -> Result<u64, MediaError> {
    let mut hasher = blake3::Hasher::new();
    let length = copy_hashing(reader, &mut hasher, sink)?;
    let actual = from_blake3(hasher.finalize());
    if actual != claimed.digest || length != claimed.length {
        return Err(MediaError::Mismatch {
            claimed: claimed.digest,
            claimed_length: claimed.length,
            actual,
            actual_length: length,
        });
    }
    Ok(length)
}

/// Hashes the stored bytes of `digest` (memory-mapped on `threads` threads for a local file,
/// streamed otherwise) and returns what they are.
pub(crate) fn digest_blob(
    media: &dyn MediaBackend,
    digest: &Digest,
    threads: usize,
) -> Result<MediaRef, MediaError> {
    match media.local_path(digest) {
        Some(path) => digest_file(&path, "", "", threads),
        None => digest_reader(media.open_blob(digest)?, "", ""),
    }
}

impl fmt::Display for BlobStat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlobStat::Absent => f.write_str("absent"),
            BlobStat::Present { length } => write!(f, "{length} bytes"),
            BlobStat::Foreign { what } => f.write_str(what),
        }
    }
}
