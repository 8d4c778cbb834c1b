//! Writing a case evidence bundle from a ledger's store.

use std::collections::{HashMap, HashSet};
use std::io::{ErrorKind, Read, Write};

use super::case::{media_refs, CaseFilter};
use super::container::{
    BundleError, BundleManifest, BundledEntry, BundledMedia, BundledOpening, MAX_BUNDLE_ENTRIES,
    MAX_BUNDLE_MEDIA, MAX_BUNDLE_OPENINGS, MAX_CASE_NO_BYTES, MAX_OPENING_BYTES,
};
use super::{stored_checkpoint, Pick, PickError, Progress, StoreNodes};
use crate::commitment::Opening;
use crate::entry::Entry;
use crate::hash::{from_blake3, Digest, Sha256TreeHasher};
use crate::media::{BlobStat, MediaBackend, STREAM_BUFFER};
use crate::merkle;
use crate::model::{Event, Sealed};
use crate::store::StoreRead;

/// What to put in a bundle besides the entries.
#[derive(Debug, Default)]
pub struct ExportOptions<'a> {
    /// Openings of the case's sealed fields to disclose (from the vault). Each must open a
    /// commitment found in the case's entries, and none may be of a commitment the ledger
    /// records as erased; otherwise the export is refused.
    pub openings: Vec<Opening>,
    /// The media backend to copy the case's media from; `None` exports no media.
    pub media: Option<&'a dyn MediaBackend>,
}

/// A referenced media object that is not in the bundle although media were asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingMedia {
    /// Its digest.
    pub digest: Digest,
    /// Its length, as recorded.
    pub length: u64,
    /// Its recorded file name.
    pub name: String,
    /// The first entry of the case referencing it.
    pub seq: u64,
    /// The `MediaPurged` entry of the case that names it, if any: then its absence is what the
    /// ledger asked for. Otherwise it is missing from the media store (Art. 21(5)).
    pub purged: Option<u64>,
}

/// What [`export_untraced`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportSummary {
    /// The case.
    pub case_no: String,
    /// Size of the checkpoint every inclusion proof is checked against.
    pub checkpoint_size: u64,
    /// The case's entries, in order.
    pub case_entries: Vec<u64>,
    /// Genesis and registry-changing entries included.
    pub registry_entries: u64,
    /// Openings included.
    pub openings: u64,
    /// Distinct media objects the case's entries reference (with a length).
    pub media_referenced: u64,
    /// Media blobs included.
    pub media_included: u64,
    /// Their digests, in bundle order (what a disclosure of the bundle names).
    pub media: Vec<Digest>,
    /// Their total length.
    pub media_bytes: u64,
    /// Media asked for but not included (empty when no media store was given).
    pub media_missing: Vec<MissingMedia>,
    /// Bytes written in all.
    pub bytes_written: u64,
}

impl From<PickError> for BundleError {
    fn from(e: PickError) -> Self {
        match e {
            PickError::Store(s) => BundleError::Store(s),
            other => BundleError::Checkpoint {
                reason: other.to_string(),
            },
        }
    }
}

fn write_io(source: std::io::Error) -> BundleError {
    BundleError::Io {
        what: "cannot write the bundle".into(),
        source,
    }
}

fn too_large(what: &str, count: usize, max: usize) -> Result<(), BundleError> {
    if count > max {
        return Err(BundleError::TooLarge {
            what: what.into(),
            count: count as u64,
            max: max as u64,
        });
    }
    Ok(())
}

/// Writes the evidence bundle of case `case_no` to `out` (`docs/FORMAT.md` §20).
///
/// The bundle holds the genesis entry, every registry-changing entry and every entry of the
/// case ([`CaseFilter`]) up to the latest stored checkpoint, each with its inclusion proof
/// against that checkpoint; the ledger's vkey (derived from genesis); the given openings; and,
/// given a media store, every media object the case's entries reference that the store holds,
/// streamed through a fixed buffer and checked against its digest on the way.
///
/// Nothing is signed. The export is refused if the case has entries after the latest checkpoint
/// (seal first), so that a bundle never silently leaves out part of the case.
///
/// On error, part of the bundle may already have been written: write to a temporary file and
/// rename it on success.
///
/// **Untraced**: a bundle with openings discloses personal data (Art. 19), and this appends
/// nothing to the ledger. Handing a bundle to anyone is a disclosure Art. 21(3) requires to be
/// traced: use [`crate::disclosure::export_case`], which appends `RecordDisclosed` before the
/// bundle is in place. This is for that path, for tests and for copies never handed out.
///
/// # Errors
/// [`BundleError::InvalidCase`], [`BundleError::Checkpoint`], [`BundleError::UnknownCase`],
/// [`BundleError::Unsealed`], [`BundleError::Entry`], [`BundleError::Opening`],
/// [`BundleError::MediaAltered`], [`BundleError::TooLarge`], store, Merkle or I/O errors.
pub fn export_untraced<S: StoreRead + ?Sized, W: Write>(
    store: &S,
    case_no: &str,
    options: &ExportOptions<'_>,
    out: W,
    progress: &mut dyn Progress,
) -> Result<ExportSummary, BundleError> {
    export_untraced_stamped(store, case_no, options, &[], out, progress)
}

/// The tokens of `candidates` that stamp `checkpoint` (their message imprint is the
/// checkpoint's, [`crate::timestamp::message_imprint`]: same origin, size and root), in the
/// order given, duplicates dropped, at most [`super::container::MAX_BUNDLE_TIMESTAMPS`]. Nothing
/// else is checked here: the verifier of the bundle checks each token against its TSA root.
pub fn tokens_for(
    checkpoint: &crate::checkpoint::Checkpoint,
    candidates: &[Vec<u8>],
) -> Vec<Vec<u8>> {
    let imprint = crate::timestamp::message_imprint(checkpoint);
    let mut out: Vec<Vec<u8>> = Vec::new();
    for t in candidates {
        if out.len() >= super::container::MAX_BUNDLE_TIMESTAMPS {
            break;
        }
        let stamps_it =
            crate::timestamp::token_imprint(t).is_ok_and(|i| i.as_slice() == imprint.as_slice());
        if stamps_it && !out.contains(t) {
            out.push(t.clone());
        }
    }
    out
}

/// As [`export_untraced`], and the manifest carries the RFC 3161 tokens among `tokens` that
/// stamp the bundle's checkpoint ([`tokens_for`]; e.g. those stored in `DIR/timestamps/`), so
/// that the bundle proves when its entries existed (`docs/FORMAT.md` §20.5).
///
/// # Errors
/// As [`export_untraced`].
pub fn export_untraced_stamped<S: StoreRead + ?Sized, W: Write>(
    store: &S,
    case_no: &str,
    options: &ExportOptions<'_>,
    tokens: &[Vec<u8>],
    mut out: W,
    progress: &mut dyn Progress,
) -> Result<ExportSummary, BundleError> {
    if case_no.is_empty() {
        return Err(BundleError::InvalidCase {
            reason: "it is empty".into(),
        });
    }
    if case_no.len() > MAX_CASE_NO_BYTES {
        return Err(BundleError::InvalidCase {
            reason: format!("it is longer than {MAX_CASE_NO_BYTES} bytes"),
        });
    }
    let (checkpoint, checkpoint_text) = stored_checkpoint(store, Pick::Latest)?;
    let size = checkpoint.size();

    let mut filter = CaseFilter::new(case_no);
    let mut included: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut case_entries = Vec::new();
    let mut unsealed = Vec::new();
    let mut registry_entries = 0u64;
    let mut erased: HashMap<Sealed, u64> = HashMap::new();
    let mut purged: HashMap<Digest, u64> = HashMap::new();
    // Distinct media of the case, in order of first reference: digest → (length, name, seq).
    let mut refs: Vec<(Digest, u64, String, u64)> = Vec::new();
    let mut seen: HashSet<Digest> = HashSet::new();
    let mut commitments: HashSet<Sealed> = HashSet::new();
    for (seq, bytes) in crate::store::read_entries(store, 0..store.size()?) {
        let bytes = bytes?;
        let entry = Entry::from_bytes(&bytes).map_err(|e| BundleError::Entry {
            seq,
            reason: e.to_string(),
        })?;
        let event = &entry.statement.statement.event;
        if seq >= size {
            if filter.concerns(event) {
                unsealed.push(seq);
            }
            continue;
        }
        if seq == 0 || event.is_registry_change() {
            registry_entries += 1;
            included.push((seq, bytes));
            continue;
        }
        if !filter.concerns(event) {
            continue;
        }
        case_entries.push(seq);
        match event {
            Event::Erased { commitment, .. } => {
                erased.entry(*commitment).or_insert(seq);
            }
            Event::MediaPurged { media, .. } => {
                purged.entry(*media).or_insert(seq);
            }
            _ => {}
        }
        for m in media_refs(event) {
            if seen.insert(m.digest) {
                refs.push((m.digest, m.length, m.name.clone(), seq));
            }
        }
        included.push((seq, bytes));
        too_large("an entry count", included.len(), MAX_BUNDLE_ENTRIES)?;
    }
    commitments.extend(filter.commitments().iter().copied());
    if case_entries.is_empty() {
        return Err(BundleError::UnknownCase {
            case_no: case_no.to_owned(),
            size,
        });
    }
    if !unsealed.is_empty() {
        return Err(BundleError::Unsealed {
            case_no: case_no.to_owned(),
            seqs: unsealed,
            size,
        });
    }

    let openings = check_openings(case_no, &options.openings, &commitments, &erased)?;

    let mut entries = Vec::with_capacity(included.len());
    for (seq, bytes) in included {
        let proof = merkle::inclusion_proof(&Sha256TreeHasher, &StoreNodes(store), seq, size)
            .map_err(BundleError::Merkle)?;
        entries.push(BundledEntry {
            bytes,
            path: proof.path,
        });
    }

    let mut media = Vec::new();
    let mut missing = Vec::new();
    let mut offset = 0u64;
    if let Some(ms) = options.media {
        for (digest, length, name, seq) in &refs {
            if let Some(p) = purged.get(digest) {
                missing.push(MissingMedia {
                    digest: *digest,
                    length: *length,
                    name: name.clone(),
                    seq: *seq,
                    purged: Some(*p),
                });
                continue;
            }
            let where_ = format!("media {digest} in {}", ms.location());
            let stored = match ms.stat(digest) {
                Ok(BlobStat::Present { length }) => length,
                Ok(BlobStat::Absent) => {
                    missing.push(MissingMedia {
                        digest: *digest,
                        length: *length,
                        name: name.clone(),
                        seq: *seq,
                        purged: None,
                    });
                    continue;
                }
                Ok(BlobStat::Foreign { what }) => {
                    return Err(BundleError::MediaAltered {
                        digest: *digest,
                        reason: format!("{where_} is {what}, not a media file"),
                    })
                }
                Err(source) => {
                    return Err(BundleError::Media {
                        digest: *digest,
                        source: Box::new(source),
                    })
                }
            };
            if stored != *length {
                return Err(BundleError::MediaAltered {
                    digest: *digest,
                    reason: format!(
                        "{where_} is {stored} bytes, the ledger says {length} (entry {seq})"
                    ),
                });
            }
            media.push(BundledMedia {
                digest: *digest,
                length: *length,
                offset,
            });
            offset = offset
                .checked_add(*length)
                .ok_or_else(|| BundleError::TooLarge {
                    what: "media bytes".into(),
                    count: u64::MAX,
                    max: u64::MAX,
                })?;
        }
    }
    too_large("a media count", media.len(), MAX_BUNDLE_MEDIA)?;

    let manifest = BundleManifest {
        case_no: case_no.to_owned(),
        vkey: checkpoint.log_key().to_string(),
        timestamps: tokens_for(checkpoint.checkpoint(), tokens),
        checkpoint: checkpoint_text,
        entries,
        openings,
        media,
    };
    let mut written = manifest.write_header(&mut out)?;

    progress.start(offset);
    let mut buf = vec![0u8; STREAM_BUFFER];
    for m in &manifest.media {
        // Media were only listed above when a backend was given.
        let Some(ms) = options.media else { break };
        copy_media(ms, m, &mut out, &mut buf, progress)?;
        written = written.saturating_add(m.length);
    }
    out.flush().map_err(write_io)?;

    Ok(ExportSummary {
        case_no: case_no.to_owned(),
        checkpoint_size: size,
        case_entries,
        registry_entries,
        openings: manifest.openings.len() as u64,
        media_referenced: refs.len() as u64,
        media_included: manifest.media.len() as u64,
        media: manifest.media.iter().map(|m| m.digest).collect(),
        media_bytes: offset,
        media_missing: missing,
        bytes_written: written,
    })
}

/// Refuses openings that open no commitment of the case, open an erased one, or are given
/// twice.
fn check_openings(
    case_no: &str,
    given: &[Opening],
    commitments: &HashSet<Sealed>,
    erased: &HashMap<Sealed, u64>,
) -> Result<Vec<BundledOpening>, BundleError> {
    too_large("an opening count", given.len(), MAX_BUNDLE_OPENINGS)?;
    let mut out = Vec::with_capacity(given.len());
    let mut done: HashSet<Sealed> = HashSet::new();
    for o in given {
        let refuse = |reason: String| BundleError::Opening {
            field: o.field.clone(),
            reason,
        };
        if o.field.len() > MAX_OPENING_BYTES || o.value.len() > MAX_OPENING_BYTES {
            return Err(refuse(format!(
                "its field name or value is longer than {MAX_OPENING_BYTES} bytes"
            )));
        }
        let c = o.commitment();
        if !commitments.contains(&c) {
            return Err(refuse(format!(
                "it opens commitment {}, which is not a sealed field of case {case_no}",
                c.0
            )));
        }
        if let Some(seq) = erased.get(&c) {
            return Err(refuse(format!(
                "commitment {} was erased at entry {seq}: erased personal data is never disclosed",
                c.0
            )));
        }
        if !done.insert(c) {
            return Err(refuse(format!("commitment {} is opened twice", c.0)));
        }
        out.push(BundledOpening {
            field: o.field.clone(),
            salt: o.salt,
            value: o.value.clone(),
        });
    }
    Ok(out)
}

/// Streams one media file into the bundle, hashing it on the way: the bytes written must be
/// exactly the media the ledger names.
fn copy_media<W: Write>(
    ms: &dyn MediaBackend,
    m: &BundledMedia,
    out: &mut W,
    buf: &mut [u8],
    progress: &mut dyn Progress,
) -> Result<(), BundleError> {
    let io = |source| BundleError::Io {
        what: format!("cannot read media {} in {}", m.digest, ms.location()),
        source,
    };
    let mut file = ms
        .open_blob(&m.digest)
        .map_err(|source| BundleError::Media {
            digest: m.digest,
            source: Box::new(source),
        })?
        .take(m.length);
    let mut hasher = blake3::Hasher::new();
    let mut copied = 0u64;
    loop {
        let n = match file.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(e)),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        out.write_all(chunk).map_err(write_io)?;
        copied = copied.saturating_add(n as u64);
        progress.advance(n as u64);
    }
    let digest = from_blake3(hasher.finalize());
    if copied != m.length || digest != m.digest {
        return Err(BundleError::MediaAltered {
            digest: m.digest,
            reason: format!(
                "media {} in {} gives {copied} bytes with digest {digest}, not {} bytes with {}",
                m.digest,
                ms.location(),
                m.length,
                m.digest
            ),
        });
    }
    Ok(())
}
