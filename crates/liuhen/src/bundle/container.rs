//! The bundle file: magic line, length-prefixed manifest, raw media blobs
//! (`docs/FORMAT.md` §20.1–20.3).
//!
//! ```text
//! "liuhen-bundle/2\n"                       16 bytes
//! BE64(m)                                   8 bytes, m ≤ MAX_MANIFEST_BYTES
//! "liuhen/v2/bundle-manifest\0" || postcard(Manifest)      m bytes, strict canonical
//! blob 0 || blob 1 || …                     media bytes, as the manifest lays them out
//! (end of file)
//! ```
//!
//! Container version 2 adds the checkpoint's RFC 3161 timestamp tokens to the manifest
//! (`timestamps`, after `checkpoint`); version 1 (`"liuhen-bundle/1\n"`, label
//! `liuhen/v1/bundle-manifest\0`, no `timestamps`) is still read, as a manifest with no tokens.
//! liuhen writes version 2.
//!
//! Every limit is checked before the memory it bounds is used: the manifest length before it is
//! read (and then it is read incrementally, so a lying length costs only the bytes present), the
//! counts and sizes inside it by a scan of the encoded bytes before anything is decoded (and
//! again after), and media are never held in memory.

use std::io::{self, Read, Write};

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::checkpoint::MAX_NOTE_BYTES;
use crate::encoding::{self, EncodingError, MAX_ENTRY_BYTES};
use crate::hash::Digest;
use crate::merkle::MerkleError;
use crate::store::StoreError;

/// The first line of the bundle files liuhen writes: the container format and its version.
pub const BUNDLE_MAGIC: &[u8; 16] = b"liuhen-bundle/2\n";
/// The first line of a version-1 bundle (read, no longer written).
pub const BUNDLE_MAGIC_V1: &[u8; 16] = b"liuhen-bundle/1\n";
/// Domain-separation label of a version-1 manifest.
pub const MANIFEST_LABEL: &[u8] = b"liuhen/v1/bundle-manifest\0";
/// Domain-separation label of a version-2 manifest (the one written).
pub const MANIFEST_LABEL_V2: &[u8] = b"liuhen/v2/bundle-manifest\0";
/// Most timestamp tokens in one bundle.
pub const MAX_BUNDLE_TIMESTAMPS: usize = 16;
/// Longest timestamp token (DER), in bytes.
pub const MAX_TIMESTAMP_TOKEN_BYTES: usize = 64 * 1024;
/// Largest manifest, label included.
pub const MAX_MANIFEST_BYTES: u64 = 256 * 1024 * 1024;
/// Most entries in one bundle.
pub const MAX_BUNDLE_ENTRIES: usize = 1_000_000;
/// Most openings in one bundle.
pub const MAX_BUNDLE_OPENINGS: usize = 100_000;
/// Most media blobs in one bundle.
pub const MAX_BUNDLE_MEDIA: usize = 100_000;
/// Most hashes in one Merkle proof path: a tree of 2^64 − 1 leaves needs 64.
pub const MAX_PATH_LEN: usize = 64;
/// Longest case number, in bytes.
pub const MAX_CASE_NO_BYTES: usize = 1024;
/// Longest verifier key text, in bytes.
pub const MAX_VKEY_BYTES: usize = 4096;
/// Longest `field` or `value` of an opening, in bytes.
pub const MAX_OPENING_BYTES: usize = 64 * 1024;

/// Errors of exporting, reading and decoding bundles. Findings about the *content* of a
/// well-formed bundle are not errors: they are in the [`BundleReport`](super::BundleReport).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// Reading or writing failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done, e.g. "reading the bundle".
        what: String,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The input does not start with [`BUNDLE_MAGIC`].
    #[error("not a liuhen case bundle: the file does not start with the line \"liuhen-bundle/2\" (or \"liuhen-bundle/1\")")]
    BadMagic,
    /// A bundle of another container version.
    #[error("unsupported bundle version {found:?}: this liuhen reads \"liuhen-bundle/1\" and \"liuhen-bundle/2\"")]
    UnsupportedVersion {
        /// The first line found.
        found: String,
    },
    /// The input ends before the bundle does.
    #[error("the bundle is truncated: it ends inside {what}")]
    Truncated {
        /// Where.
        what: String,
    },
    /// The manifest is longer than [`MAX_MANIFEST_BYTES`].
    #[error("the bundle's manifest claims {len} bytes, more than the limit of {max}")]
    ManifestTooLarge {
        /// The length claimed.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// The manifest is not a strict canonical encoding.
    #[error("the bundle's manifest is malformed: {source}")]
    Manifest {
        /// What the decoder said.
        #[source]
        source: EncodingError,
    },
    /// A count or size inside the manifest exceeds its limit.
    #[error("the bundle's manifest holds {what} of {count}, more than the limit of {max}")]
    Limit {
        /// What.
        what: String,
        /// How many or how long.
        count: u64,
        /// The limit.
        max: u64,
    },
    /// The media blobs are not laid out one after the other from offset 0.
    #[error("media blob {index} of the bundle is laid out wrongly: {reason}")]
    Layout {
        /// Position in the manifest's media list.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// Bytes follow the last media blob.
    #[error("the bundle has bytes after its last media blob")]
    TrailingBytes,

    /// The ledger could not be read.
    #[error("cannot read the ledger: {0}")]
    Store(#[from] StoreError),
    /// No usable stored checkpoint.
    #[error("{reason}")]
    Checkpoint {
        /// Why, in one sentence.
        reason: String,
    },
    /// The case number is empty or too long.
    #[error("invalid case number: {reason}")]
    InvalidCase {
        /// Why.
        reason: String,
    },
    /// No entry covered by the checkpoint concerns the case.
    #[error("no entry of the ledger up to its latest checkpoint (size {size}) concerns case {case_no:?}")]
    UnknownCase {
        /// The case.
        case_no: String,
        /// The checkpoint size.
        size: u64,
    },
    /// Entries of the case come after the latest checkpoint.
    #[error("case {case_no:?} has {} entries after the latest checkpoint (size {size}), the first being entry {}: seal first (`liuhen seal`), then export", .seqs.len(), .seqs.first().copied().unwrap_or(0))]
    Unsealed {
        /// The case.
        case_no: String,
        /// The entries not covered.
        seqs: Vec<u64>,
        /// The checkpoint size.
        size: u64,
    },
    /// A stored entry does not decode.
    #[error("stored entry {seq} is not valid: {reason} (run `liuhen verify`)")]
    Entry {
        /// The entry.
        seq: u64,
        /// Why.
        reason: String,
    },
    /// A proof could not be computed.
    #[error("cannot compute an inclusion proof: {0}")]
    Merkle(#[source] MerkleError),
    /// An opening given for export is refused.
    #[error("opening of field {field:?} refused: {reason}")]
    Opening {
        /// The opening's field name.
        field: String,
        /// Why.
        reason: String,
    },
    /// The media backend could not give a media object the case references (an outage, not an
    /// absence: absent media are listed as missing).
    #[error("cannot read media {digest} for the bundle: {source}")]
    Media {
        /// The media.
        digest: Digest,
        /// What the media backend said.
        #[source]
        source: Box<crate::media::MediaError>,
    },
    /// A media file in the media store is not the media the ledger names.
    #[error("media {digest} in the media store is not what the ledger recorded: {reason} (run `liuhen verify`)")]
    MediaAltered {
        /// The media.
        digest: Digest,
        /// What differs.
        reason: String,
    },
    /// The bundle would exceed a limit of the format.
    #[error("the bundle would hold {what} of {count}, more than the limit of {max}")]
    TooLarge {
        /// What.
        what: String,
        /// How many or how long.
        count: u64,
        /// The limit.
        max: u64,
    },
}

impl BundleError {
    /// Whether the bundle file itself is unreadable or malformed (the reader's errors), as
    /// opposed to an export that could not be made.
    pub fn is_malformed(&self) -> bool {
        matches!(
            self,
            BundleError::Io { .. }
                | BundleError::BadMagic
                | BundleError::UnsupportedVersion { .. }
                | BundleError::Truncated { .. }
                | BundleError::ManifestTooLarge { .. }
                | BundleError::Manifest { .. }
                | BundleError::Limit { .. }
                | BundleError::Layout { .. }
                | BundleError::TrailingBytes
        )
    }
}

/// The manifest of a bundle: everything but the media bytes (`docs/FORMAT.md` §20.2). Field
/// order is part of the format.
///
/// This is the container layer: [`BundleManifest::read`] checks the *form* of a bundle only.
/// Nothing in a manifest is trusted before [`verify`](super::verify) has checked it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleManifest {
    /// The case the bundle is for.
    pub case_no: String,
    /// The ledger's verifier key (C2SP vkey text), as the exporter knew it.
    pub vkey: String,
    /// The signed checkpoint (C2SP signed note) every inclusion proof is checked against, with
    /// the witness cosignatures it carries.
    pub checkpoint: String,
    /// RFC 3161 timestamp tokens (DER) over the checkpoint (`docs/FORMAT.md` §20.2); empty in
    /// a version-1 bundle.
    pub timestamps: Vec<Vec<u8>>,
    /// The entries, in strictly increasing sequence order.
    pub entries: Vec<BundledEntry>,
    /// The disclosed openings of sealed fields of the case.
    pub openings: Vec<BundledOpening>,
    /// The media blobs that follow the manifest, in file order.
    pub media: Vec<BundledMedia>,
}

/// A version-1 manifest as it is encoded: [`BundleManifest`] without `timestamps`.
#[derive(Serialize, Deserialize)]
struct ManifestV1 {
    case_no: String,
    vkey: String,
    checkpoint: String,
    entries: Vec<BundledEntry>,
    openings: Vec<BundledOpening>,
    media: Vec<BundledMedia>,
}

impl From<ManifestV1> for BundleManifest {
    fn from(m: ManifestV1) -> Self {
        BundleManifest {
            case_no: m.case_no,
            vkey: m.vkey,
            checkpoint: m.checkpoint,
            timestamps: Vec::new(),
            entries: m.entries,
            openings: m.openings,
            media: m.media,
        }
    }
}

/// One entry and its inclusion proof against the manifest's checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundledEntry {
    /// The canonical entry bytes (Merkle leaf data).
    pub bytes: Vec<u8>,
    /// The audit path of leaf `seq` in the tree of the checkpoint's size.
    pub path: Vec<Digest>,
}

/// A disclosed opening of a sealed field (personal data: wiped from memory on drop).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct BundledOpening {
    /// The field name bound into the commitment (e.g. `party.name`).
    pub field: String,
    /// The commitment's salt.
    pub salt: [u8; 32],
    /// The personal data, UTF-8 exactly as sealed.
    pub value: String,
}

impl core::fmt::Debug for BundledOpening {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "BundledOpening({}, value redacted)", self.field)
    }
}

/// Where one media blob lies after the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundledMedia {
    /// BLAKE3 of the blob, as the ledger's `MediaRef` names it.
    pub digest: Digest,
    /// Length of the blob in bytes.
    pub length: u64,
    /// Offset of the blob from the end of the manifest.
    pub offset: u64,
}

impl BundleManifest {
    /// Reads and checks the header and the manifest of a bundle (magic line, length, strict
    /// canonical decoding, the limits of `docs/FORMAT.md` §20.4, the media layout), leaving
    /// `reader` at the first media blob. Checks the form only; see [`verify`](super::verify).
    ///
    /// # Errors
    /// The malformed-input variants of [`BundleError`] ([`BundleError::is_malformed`]).
    pub fn read<R: Read + ?Sized>(reader: &mut R) -> Result<Self, BundleError> {
        read_manifest(reader)
    }

    /// The canonical manifest bytes: `"liuhen/v2/bundle-manifest\0" || postcard(self)`.
    ///
    /// # Errors
    /// [`BundleError::TooLarge`] above [`MAX_MANIFEST_BYTES`].
    pub fn to_bytes(&self) -> Result<Vec<u8>, BundleError> {
        encode_manifest(self)
    }

    /// Writes the bundle's header and manifest (magic line, length, manifest); the media blobs,
    /// in the order and with the lengths of [`BundleManifest::media`], must follow. Returns the
    /// number of bytes written.
    ///
    /// # Errors
    /// As [`BundleManifest::to_bytes`], or [`BundleError::Io`].
    pub fn write_header<W: Write + ?Sized>(&self, out: &mut W) -> Result<u64, BundleError> {
        let bytes = self.to_bytes()?;
        let io = |source| BundleError::Io {
            what: "cannot write the bundle".into(),
            source,
        };
        out.write_all(BUNDLE_MAGIC).map_err(io)?;
        out.write_all(&(bytes.len() as u64).to_be_bytes())
            .map_err(io)?;
        out.write_all(&bytes).map_err(io)?;
        Ok((BUNDLE_MAGIC.len() + 8 + bytes.len()) as u64)
    }
}

/// The canonical manifest bytes.
pub(crate) fn encode_manifest(m: &BundleManifest) -> Result<Vec<u8>, BundleError> {
    let bytes = encoding::encode(MANIFEST_LABEL_V2, m)
        .map_err(|source| BundleError::Manifest { source })?;
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(BundleError::TooLarge {
            what: "a manifest".into(),
            count: bytes.len() as u64,
            max: MAX_MANIFEST_BYTES,
        });
    }
    Ok(bytes)
}

fn read_io(source: io::Error) -> BundleError {
    BundleError::Io {
        what: "cannot read the bundle".into(),
        source,
    }
}

/// Reads as much of `buf` as the input holds; returns how many bytes were read.
fn read_up_to<R: Read + ?Sized>(r: &mut R, buf: &mut [u8]) -> Result<usize, BundleError> {
    let mut filled = 0;
    while filled < buf.len() {
        let rest = buf.get_mut(filled..).unwrap_or_default();
        match r.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(read_io(e)),
        }
    }
    Ok(filled)
}

/// Reads and checks the header and the manifest, leaving `r` at the first media blob.
pub(crate) fn read_manifest<R: Read + ?Sized>(r: &mut R) -> Result<BundleManifest, BundleError> {
    let mut magic = [0u8; 16];
    let n = read_up_to(r, &mut magic)?;
    let got = magic.get(..n).unwrap_or_default();
    let version = if got == BUNDLE_MAGIC {
        2
    } else if got == BUNDLE_MAGIC_V1 {
        1
    } else {
        if BUNDLE_MAGIC.starts_with(got) || BUNDLE_MAGIC_V1.starts_with(got) {
            return Err(BundleError::Truncated {
                what: "its first line".into(),
            });
        }
        if got.starts_with(b"liuhen-bundle/") {
            let line = got.split(|b| *b == b'\n').next().unwrap_or_default();
            return Err(BundleError::UnsupportedVersion {
                found: String::from_utf8_lossy(line).into_owned(),
            });
        }
        return Err(BundleError::BadMagic);
    };
    let mut len = [0u8; 8];
    if read_up_to(r, &mut len)? != len.len() {
        return Err(BundleError::Truncated {
            what: "the manifest length".into(),
        });
    }
    let len = u64::from_be_bytes(len);
    if len > MAX_MANIFEST_BYTES {
        return Err(BundleError::ManifestTooLarge {
            len,
            max: MAX_MANIFEST_BYTES,
        });
    }
    // Grows with the bytes actually present: a lying length costs nothing.
    let mut bytes = Vec::new();
    r.take(len).read_to_end(&mut bytes).map_err(read_io)?;
    if (bytes.len() as u64) < len {
        return Err(BundleError::Truncated {
            what: format!("its manifest ({} of {len} bytes present)", bytes.len()),
        });
    }
    // Every count and length the manifest declares is checked against §20.4 before anything
    // is decoded: a manifest of a million empty entries must not become gigabytes of vectors.
    let label = if version == 1 {
        MANIFEST_LABEL
    } else {
        MANIFEST_LABEL_V2
    };
    if let Some(body) = bytes.strip_prefix(label) {
        scan_limits(body, version)?;
    }
    let max = usize::try_from(MAX_MANIFEST_BYTES).unwrap_or(usize::MAX);
    let manifest: BundleManifest = if version == 1 {
        encoding::decode::<ManifestV1>(label, &bytes, max).map(BundleManifest::from)
    } else {
        encoding::decode(label, &bytes, max)
    }
    .map_err(|source| BundleError::Manifest { source })?;
    check_limits(&manifest)?;
    Ok(manifest)
}

/// A cursor over the encoded manifest that reads varints and skips bytes, allocating nothing.
/// `None`: the input ends or a varint is malformed; the strict decoder then says which.
struct Scan<'a> {
    rest: &'a [u8],
}

impl Scan<'_> {
    /// A postcard varint (LEB128, at most 10 bytes for 64 bits).
    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for i in 0..10 {
            let (byte, rest) = self.rest.split_first()?;
            self.rest = rest;
            value |= u64::from(byte & 0x7f).checked_shl(7 * i)?;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn skip(&mut self, n: u64) -> Option<()> {
        let n = usize::try_from(n).ok()?;
        self.rest = self.rest.get(n..)?;
        Some(())
    }

    /// A length or count, checked against its limit before the decoder sees it.
    fn bounded(
        &mut self,
        what: impl FnOnce() -> String,
        max: usize,
    ) -> Result<Option<u64>, BundleError> {
        let Some(n) = self.varint() else {
            return Ok(None);
        };
        if n > max as u64 {
            return Err(BundleError::Limit {
                what: what(),
                count: n,
                max: max as u64,
            });
        }
        Ok(Some(n))
    }

    /// A length-prefixed string or byte string of at most `max` bytes, skipped.
    fn bytes(
        &mut self,
        what: impl FnOnce() -> String,
        max: usize,
    ) -> Result<Option<()>, BundleError> {
        Ok(match self.bounded(what, max)? {
            Some(n) => self.skip(n),
            None => None,
        })
    }
}

/// Checks the counts and lengths the encoded manifest `body` declares against the limits of
/// `docs/FORMAT.md` §20.4, in the order of §20.2 (of container `version`), without decoding or
/// allocating anything. Stops quietly where the encoding is malformed or truncated: the strict
/// decoder refuses that.
fn scan_limits(body: &[u8], version: u8) -> Result<(), BundleError> {
    let mut s = Scan { rest: body };
    scan(&mut s, version).map(|_| ())
}

fn scan(s: &mut Scan<'_>, version: u8) -> Result<Option<()>, BundleError> {
    macro_rules! next {
        ($e:expr) => {
            match $e {
                Some(v) => v,
                None => return Ok(None),
            }
        };
    }
    next!(s.bytes(|| "a case number".into(), MAX_CASE_NO_BYTES)?);
    next!(s.bytes(|| "a verifier key".into(), MAX_VKEY_BYTES)?);
    next!(s.bytes(|| "a checkpoint".into(), MAX_NOTE_BYTES)?);
    if version >= 2 {
        let tokens = next!(s.bounded(|| "a timestamp token count".into(), MAX_BUNDLE_TIMESTAMPS)?);
        for i in 0..tokens {
            next!(s.bytes(
                || format!("timestamp token {i} bytes"),
                MAX_TIMESTAMP_TOKEN_BYTES
            )?);
        }
    }
    let entries = next!(s.bounded(|| "an entry count".into(), MAX_BUNDLE_ENTRIES)?);
    for i in 0..entries {
        next!(s.bytes(|| format!("entry {i} bytes"), MAX_ENTRY_BYTES)?);
        let hashes = next!(s.bounded(|| format!("entry {i} proof hashes"), MAX_PATH_LEN)?);
        next!(s.skip(hashes * 32));
    }
    let openings = next!(s.bounded(|| "an opening count".into(), MAX_BUNDLE_OPENINGS)?);
    for i in 0..openings {
        next!(s.bytes(|| format!("opening {i} field bytes"), MAX_OPENING_BYTES)?);
        next!(s.skip(32));
        next!(s.bytes(|| format!("opening {i} value bytes"), MAX_OPENING_BYTES)?);
    }
    next!(s.bounded(|| "a media count".into(), MAX_BUNDLE_MEDIA)?);
    Ok(Some(()))
}

fn limit(what: impl Into<String>, count: usize, max: usize) -> Result<(), BundleError> {
    if count > max {
        return Err(BundleError::Limit {
            what: what.into(),
            count: count as u64,
            max: max as u64,
        });
    }
    Ok(())
}

/// The limits of `docs/FORMAT.md` §20.4, and the media layout rule: blob `i` starts where blob
/// `i − 1` ends, the first at offset 0.
pub(crate) fn check_limits(m: &BundleManifest) -> Result<(), BundleError> {
    limit("a case number", m.case_no.len(), MAX_CASE_NO_BYTES)?;
    limit("a verifier key", m.vkey.len(), MAX_VKEY_BYTES)?;
    limit("a checkpoint", m.checkpoint.len(), MAX_NOTE_BYTES)?;
    limit(
        "a timestamp token count",
        m.timestamps.len(),
        MAX_BUNDLE_TIMESTAMPS,
    )?;
    for (i, t) in m.timestamps.iter().enumerate() {
        limit(
            format!("timestamp token {i} bytes"),
            t.len(),
            MAX_TIMESTAMP_TOKEN_BYTES,
        )?;
    }
    limit("an entry count", m.entries.len(), MAX_BUNDLE_ENTRIES)?;
    limit("an opening count", m.openings.len(), MAX_BUNDLE_OPENINGS)?;
    limit("a media count", m.media.len(), MAX_BUNDLE_MEDIA)?;
    for (i, e) in m.entries.iter().enumerate() {
        limit(format!("entry {i} bytes"), e.bytes.len(), MAX_ENTRY_BYTES)?;
        limit(
            format!("entry {i} proof hashes"),
            e.path.len(),
            MAX_PATH_LEN,
        )?;
    }
    for (i, o) in m.openings.iter().enumerate() {
        limit(
            format!("opening {i} field bytes"),
            o.field.len(),
            MAX_OPENING_BYTES,
        )?;
        limit(
            format!("opening {i} value bytes"),
            o.value.len(),
            MAX_OPENING_BYTES,
        )?;
    }
    let mut next = 0u64;
    for (index, media) in m.media.iter().enumerate() {
        if media.offset != next {
            return Err(BundleError::Layout {
                index,
                reason: format!("it starts at offset {}, not {next}", media.offset),
            });
        }
        next = next
            .checked_add(media.length)
            .ok_or_else(|| BundleError::Layout {
                index,
                reason: "the blobs' total length exceeds 2^64 - 1 bytes".into(),
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn manifest(timestamps: Vec<Vec<u8>>) -> BundleManifest {
        BundleManifest {
            case_no: "金民执〔2026〕12号".into(),
            vkey: "v".into(),
            checkpoint: "c".into(),
            timestamps,
            entries: vec![BundledEntry {
                bytes: vec![1, 2, 3],
                path: vec![Digest::from_bytes([9; 32])],
            }],
            openings: Vec::new(),
            media: vec![BundledMedia {
                digest: Digest::from_bytes([4; 32]),
                length: 0,
                offset: 0,
            }],
        }
    }

    #[test]
    fn version_2_round_trips_with_its_tokens() {
        let m = manifest(vec![b"token one".to_vec(), vec![0x30, 0x03, 1, 2, 3]]);
        let mut file = Vec::new();
        m.write_header(&mut file).unwrap();
        assert!(file.starts_with(b"liuhen-bundle/2\n"));
        assert_eq!(
            file.get(24..24 + MANIFEST_LABEL_V2.len()),
            Some(MANIFEST_LABEL_V2)
        );
        assert_eq!(BundleManifest::read(&mut file.as_slice()).unwrap(), m);
    }

    /// Formats are forever: a version-1 file (first line, label and manifest without tokens)
    /// still reads, as a manifest with no timestamp tokens.
    #[test]
    fn version_1_bundles_still_read() {
        let m = manifest(Vec::new());
        let v1 = ManifestV1 {
            case_no: m.case_no.clone(),
            vkey: m.vkey.clone(),
            checkpoint: m.checkpoint.clone(),
            entries: m.entries.clone(),
            openings: Vec::new(),
            media: m.media.clone(),
        };
        let body = encoding::encode(MANIFEST_LABEL, &v1).unwrap();
        let mut file = BUNDLE_MAGIC_V1.to_vec();
        file.extend_from_slice(&(body.len() as u64).to_be_bytes());
        file.extend_from_slice(&body);
        assert_eq!(BundleManifest::read(&mut file.as_slice()).unwrap(), m);
        // A version-1 first line with a version-2 manifest is malformed, not silently read.
        let mut mixed = BUNDLE_MAGIC_V1.to_vec();
        let v2 = manifest(Vec::new()).to_bytes().unwrap();
        mixed.extend_from_slice(&(v2.len() as u64).to_be_bytes());
        mixed.extend_from_slice(&v2);
        assert!(matches!(
            BundleManifest::read(&mut mixed.as_slice()),
            Err(BundleError::Manifest { .. })
        ));
    }

    /// The token count and each token's length are limited as declared, before decoding.
    #[test]
    fn token_limits_are_enforced_before_decoding() {
        let mut body = MANIFEST_LABEL_V2.to_vec();
        body.extend_from_slice(&[0, 0, 0]); // case_no, vkey, checkpoint: empty
        body.push(17); // 17 tokens declared, none present
        let mut file = BUNDLE_MAGIC.to_vec();
        file.extend_from_slice(&(body.len() as u64).to_be_bytes());
        file.extend_from_slice(&body);
        let err = BundleManifest::read(&mut file.as_slice()).unwrap_err();
        assert!(
            err.to_string().contains("timestamp token count of 17"),
            "{err}"
        );

        let mut body = MANIFEST_LABEL_V2.to_vec();
        body.extend_from_slice(&[0, 0, 0, 1]);
        body.extend_from_slice(&[0x81, 0x80, 0x04]); // one token of 65 537 bytes, absent
        let mut file = BUNDLE_MAGIC.to_vec();
        file.extend_from_slice(&(body.len() as u64).to_be_bytes());
        file.extend_from_slice(&body);
        let err = BundleManifest::read(&mut file.as_slice()).unwrap_err();
        assert!(
            err.to_string().contains("timestamp token 0 bytes of 65537"),
            "{err}"
        );
    }
}
