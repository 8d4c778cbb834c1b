//! What the ledger says about keeping media: which cases reference a media object, their
//! retention periods (Art. 17) and preservation orders (Art. 18).
//!
//! One implementation serves both the media store (may this file be destroyed now?) and the
//! verifier (was this purge lawful when it was logged?), so they cannot disagree.
//!
//! The custody operations on stored media — [`purge`], [`make_derivative`], [`put_file`] — live
//! here, above the [`MediaBackend`] trait: a backend only keeps bytes, the core decides what may
//! be destroyed and what may be derived, the same for every backend.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): put_file and make_derivative read a local source file given by path.
#![allow(clippy::disallowed_methods)]

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::path::Path;

use crate::entry::Entry;
use crate::hash::Digest;
use crate::model::{DerivativeKind, Event, MediaRef, RecordRef, Retention, Timestamp};
use crate::store::Store;

use super::backend::{digest_blob, BlobStat, MediaBackend, PurgePermit};
use super::{retention_text, MediaError};

/// Destroys the media with `digest` in `media`, if and only if the ledger in `ledger` allows it
/// at time `now`: a `MediaPurged` statement names it, and no case that references it is within
/// its retention period (`RetentionSet` or `CaseClosed` with a period not yet ended, or
/// `Permanent`; Art. 17) or under a preservation order that was not released (Art. 18). This is
/// the only way to make the [`PurgePermit`] a backend's [`MediaBackend::remove`] requires.
///
/// The decision reads every entry; an entry that cannot be read aborts the purge (a purge is
/// never decided on a partial view), while entries that do not decode are ignored (the main
/// verifier reports them). Purging media the backend does not hold succeeds (the outcome, its
/// absence, is what the ledger asked for).
///
/// # Errors
/// [`MediaError::PurgeRefused`] naming the first reason, [`MediaError::Ledger`] if an entry
/// cannot be read, or the backend's failure to remove it.
pub fn purge<S: Store + ?Sized>(
    media: &dyn MediaBackend,
    digest: &Digest,
    ledger: &S,
    now: Timestamp,
) -> Result<(), MediaError> {
    let mut custody = Custody::default();
    let mut purged = false;
    let size = ledger.size().map_err(|source| MediaError::Ledger {
        digest: *digest,
        seq: 0,
        source,
    })?;
    for (seq, bytes) in crate::store::read_entries(ledger, 0..size) {
        let bytes = bytes.map_err(|source| MediaError::Ledger {
            digest: *digest,
            seq,
            source,
        })?;
        let Ok(entry) = Entry::from_bytes(&bytes) else {
            continue;
        };
        let event = &entry.statement.statement.event;
        if let Event::MediaPurged { media, .. } = event {
            purged |= media == digest;
        }
        custody.observe(seq, event);
    }
    if !purged {
        return Err(MediaError::PurgeRefused {
            digest: *digest,
            block: PurgeBlock::NoPurgeStatement,
        });
    }
    if let Some(block) = custody.blocks(digest, now).into_iter().next() {
        return Err(MediaError::PurgeRefused {
            digest: *digest,
            block,
        });
    }
    media.remove(&PurgePermit::new(*digest))
}

/// Stores the file at `source` in `media` as the media `claimed` (normally the `MediaRef` of
/// the ledger statement that names it), through [`MediaBackend::put`]. If the backend already
/// holds a blob of the claimed length under that digest, `source` is not read.
///
/// # Errors
/// As [`MediaBackend::put`], and [`MediaError::Io`] naming `source` if it cannot be opened or
/// read.
pub fn put_file(
    media: &dyn MediaBackend,
    source: &Path,
    claimed: &MediaRef,
) -> Result<(), MediaError> {
    if media.stat(&claimed.digest)?
        == (BlobStat::Present {
            length: claimed.length,
        })
    {
        return Ok(());
    }
    let mut file = File::open(source).map_err(|e| MediaError::io(source, e))?;
    media.put(claimed, &mut file).map_err(|e| match e {
        MediaError::Read { source: err, .. } => MediaError::io(source, err),
        other => other,
    })
}

/// Stores `derivative` (a clip, redacted copy, transcript or disc image made from the media
/// `original`; its bytes at `source`) in `media` and returns the [`Event::DerivativeMade`] to
/// sign by the operator and append.
///
/// The original must be in the backend and intact — its bytes are hashed again (with `threads`
/// as in [`digest_file`](super::digest_file) when the backend keeps local files), because a
/// derivative of altered footage would launder the alteration. The derivative is a new object
/// under its own digest; the original is never written (Art. 21(2)).
///
/// # Errors
/// [`MediaError::NotFound`] if the original is not stored, [`MediaError::OriginalAltered`] if
/// it does not match its digest, [`MediaError::NotADerivative`] if the derivative's bytes are
/// the original's, or the errors of [`put_file`].
pub fn make_derivative(
    media: &dyn MediaBackend,
    original: &MediaRef,
    source: &Path,
    derivative: &MediaRef,
    kind: DerivativeKind,
    reason: &str,
    threads: usize,
) -> Result<Event, MediaError> {
    match media.stat(&original.digest)? {
        BlobStat::Present { .. } => {}
        BlobStat::Absent => {
            return Err(MediaError::NotFound {
                digest: original.digest,
            })
        }
        BlobStat::Foreign { .. } => {
            return Err(MediaError::OriginalAltered {
                digest: original.digest,
            })
        }
    }
    let stored = digest_blob(media, &original.digest, threads)?;
    if stored.digest != original.digest || stored.length != original.length {
        return Err(MediaError::OriginalAltered {
            digest: original.digest,
        });
    }
    if derivative.digest == original.digest {
        return Err(MediaError::NotADerivative {
            digest: original.digest,
        });
    }
    put_file(media, source, derivative)?;
    Ok(Event::DerivativeMade {
        original: original.digest,
        derivative: derivative.clone(),
        kind,
        reason: reason.to_owned(),
    })
}

/// Why the ledger forbids destroying a media object.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PurgeBlock {
    /// No `MediaPurged` statement names the media: destroying it would be the destruction of
    /// records that Art. 21(5) forbids.
    NoPurgeStatement,
    /// A case that references the media is still within its retention period (Art. 17).
    Retention {
        /// The case.
        case_no: String,
        /// Its retention (the longest one recorded).
        until: Retention,
        /// The entry that set it.
        seq: u64,
    },
    /// A case the data belongs to has no retention period recorded yet (it is still open):
    /// its records are kept at least until one is set and has run out (Art. 17).
    NoRetention {
        /// The case.
        case_no: String,
    },
    /// A case that references the media is under a preservation order that was not released
    /// (Art. 18).
    Preservation {
        /// The case.
        case_no: String,
        /// The entry of the order.
        seq: u64,
    },
}

impl core::fmt::Display for PurgeBlock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PurgeBlock::NoPurgeStatement => f.write_str(
                "no MediaPurged statement in the ledger names it (destroying it would breach Art. 21(5))",
            ),
            PurgeBlock::Retention { case_no, until, seq } => write!(
                f,
                "case {case_no} must keep its records {} (entry {seq}, Art. 17)",
                retention_text(until)
            ),
            PurgeBlock::NoRetention { case_no } => write!(
                f,
                "case {case_no} has no retention period recorded yet (it is still open): its records are kept until one is set and has run out (Art. 17)"
            ),
            PurgeBlock::Preservation { case_no, seq } => write!(
                f,
                "case {case_no} is under a preservation order (entry {seq}) that was not released (Art. 18)"
            ),
        }
    }
}

/// The case each id (a recording session, an access request) was first named with: later
/// statements under the same id do not move it.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct FirstCase(#[serde(with = "crate::encoding::sorted_map")] HashMap<String, String>);

impl FirstCase {
    /// Notes that `id` names `case_no`, unless it named a case before.
    pub(crate) fn note(&mut self, id: &str, case_no: &str) {
        self.0
            .entry(id.to_owned())
            .or_insert_with(|| case_no.to_owned());
    }

    /// The case `id` was first named with.
    pub(crate) fn get(&self, id: &str) -> Option<&str> {
        self.0.get(id).map(String::as_str)
    }
}

/// Custody state rebuilt from the entries, fed in ledger order.
///
/// Memory: one record per case, per recording session and per referenced media object; never
/// per entry.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Custody {
    session_case: FirstCase,
    #[serde(with = "crate::encoding::sorted_map")]
    media_cases: HashMap<Digest, BTreeSet<String>>,
    #[serde(with = "crate::encoding::sorted_map")]
    retention: HashMap<String, (Retention, u64)>,
    /// Case → the entry of its current, unreleased preservation order.
    #[serde(with = "crate::encoding::sorted_map")]
    preservation: HashMap<String, u64>,
}

impl Custody {
    /// Takes one event at `seq` into account.
    pub(crate) fn observe(&mut self, seq: u64, event: &Event) {
        match event {
            Event::RecordingStarted {
                session, case_no, ..
            } => self.session_case.note(session, case_no),
            Event::DocumentFiled { case_no, media, .. } => self.refer(media.digest, case_no),
            Event::DecisionMade {
                case_no,
                document,
                relies_on,
                ..
            } => {
                self.refer(document.digest, case_no);
                for d in relies_on {
                    self.refer(*d, case_no);
                }
            }
            Event::SegmentSealed { session, media, .. } => {
                if let Some(case_no) = self.session_case.get(session).map(str::to_owned) {
                    self.refer(media.digest, &case_no);
                } else {
                    // A segment of an unknown session still counts as referenced media.
                    self.media_cases.entry(media.digest).or_default();
                }
            }
            Event::Archived {
                subject, labels, ..
            } => {
                if let Some(t) = &labels.transcript {
                    self.refer(t.digest, &labels.case_no);
                }
                match subject {
                    RecordRef::Media(d) => self.refer(*d, &labels.case_no),
                    RecordRef::Session(s) => self.session_case.note(s, &labels.case_no),
                    RecordRef::Case(_) => {}
                }
            }
            Event::DerivativeMade {
                original,
                derivative,
                ..
            } => {
                // A derivative belongs to the cases of its original.
                let cases = self.media_cases.get(original).cloned().unwrap_or_default();
                let entry = self.media_cases.entry(derivative.digest).or_default();
                entry.extend(cases);
            }
            Event::RecordDisclosed { case_no, what, .. } => {
                for d in what {
                    self.refer(*d, case_no);
                }
            }
            Event::RetentionSet { case_no, until } => self.retain(case_no, *until, seq),
            Event::CaseClosed {
                case_no,
                file_retention,
                ..
            } => self.retain(case_no, *file_retention, seq),
            Event::PreservationOrdered { case_no, .. } => {
                self.preservation.insert(case_no.clone(), seq);
            }
            Event::PreservationReleased { case_no, .. } => {
                self.preservation.remove(case_no);
            }
            _ => {}
        }
    }

    fn refer(&mut self, digest: Digest, case_no: &str) {
        let cases = self.media_cases.entry(digest).or_default();
        if !cases.contains(case_no) {
            cases.insert(case_no.to_string());
        }
    }

    /// Keeps the longest retention recorded for a case: a later, shorter period does not
    /// shorten what was already promised (Art. 17 sets a minimum).
    fn retain(&mut self, case_no: &str, until: Retention, seq: u64) {
        let longer = match self.retention.get(case_no) {
            None => true,
            Some((old, _)) => outlasts(&until, old),
        };
        if longer {
            self.retention.insert(case_no.to_string(), (until, seq));
        }
    }

    /// The cases that reference `digest`.
    pub(crate) fn cases_of(&self, digest: &Digest) -> Option<&BTreeSet<String>> {
        self.media_cases.get(digest)
    }

    /// What forbids destroying `digest` at time `now` (empty if nothing does; the
    /// `MediaPurged` statement is checked by the caller).
    pub(crate) fn blocks(&self, digest: &Digest, now: Timestamp) -> Vec<PurgeBlock> {
        let mut blocks = Vec::new();
        let Some(cases) = self.media_cases.get(digest) else {
            return blocks;
        };
        for case_no in cases {
            blocks.extend(self.case_blocks(case_no, now));
        }
        blocks
    }

    /// What forbids destroying records of case `case_no` at time `now`: its retention period
    /// (Art. 17) or an unreleased preservation order (Art. 18). Media purges and erasures of
    /// personal data (the vault) ask the same question.
    /// Every referenced media object and the cases that reference it.
    pub(crate) fn media_cases(&self) -> &HashMap<Digest, BTreeSet<String>> {
        &self.media_cases
    }

    /// Whether a retention period was ever recorded for `case_no` (`CaseClosed`,
    /// `RetentionSet`).
    pub(crate) fn has_retention(&self, case_no: &str) -> bool {
        self.retention.contains_key(case_no)
    }

    pub(crate) fn case_blocks(&self, case_no: &str, now: Timestamp) -> Vec<PurgeBlock> {
        let mut blocks = Vec::new();
        if let Some((until, seq)) = self.retention.get(case_no) {
            let running = match until {
                Retention::Permanent => true,
                Retention::Until(t) => *t > now,
            };
            if running {
                blocks.push(PurgeBlock::Retention {
                    case_no: case_no.to_owned(),
                    until: *until,
                    seq: *seq,
                });
            }
        }
        if let Some(seq) = self.preservation.get(case_no) {
            blocks.push(PurgeBlock::Preservation {
                case_no: case_no.to_owned(),
                seq: *seq,
            });
        }
        blocks
    }
}

/// Whether retention `a` lasts longer than `b`.
fn outlasts(a: &Retention, b: &Retention) -> bool {
    match (a, b) {
        (_, Retention::Permanent) => false,
        (Retention::Permanent, _) => true,
        (Retention::Until(x), Retention::Until(y)) => x > y,
    }
}
