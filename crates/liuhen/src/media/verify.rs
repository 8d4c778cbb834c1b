//! The media half of verification: media files against their digests (Art. 21(2), 21(5)),
//! and the recording and hold refusals of the admission rule where the main verifier does not
//! run (bundles, the audit).
//!
//! [`verify_media`] streams the ledger's entries once. Recording sessions (who speaks for a
//! session, segment order and chain, nothing after the stop, the stop's count, Art. 14(4)) and
//! holds on purges (Art. 17, 18) are not judged here but by [`crate::admission`], the rule the
//! writer and the main verifier apply: its `Segment*`, `SessionInUse` and `MediaPurgeUnlawful`
//! refusals are reported (the main verifier reports the same ones;
//! [`Report::add_findings`](crate::verify::Report::add_findings) lists each once). Media files
//! are checked when a [`MediaBackend`] is given, all of them in parallel. Entries that cannot be
//! read or decoded are skipped: the main verifier ([`crate::verify`]) reports them, and
//! reporting them twice would only add noise.
//!
//! What produces no finding, by design:
//! * media missing after a `MediaPurged` statement that was lawful when it was logged (no case
//!   referencing it was within retention or under a preservation order): its absence is what
//!   the ledger asked for. [`Severity`](crate::verify::Severity) has no informational level, so
//!   a lawful purge is simply not a finding;
//! * a time gap between segments, explained or not: every segment is authentic and the chain
//!   is whole, the officer stopped filming. That breaches Art. 14(4) (no interrupted
//!   recording), but it is a compliance matter, not an integrity failure: the audit judges it
//!   ([`crate::audit`], rules `art14-4.gap` and `art14-4.interrupted`), weighing a
//!   `RecordingInterrupted` that explains it;
//! * a session never stopped: it may still be recording.
//!
//! Memory: one record per referenced media object, per case and per recording session (the
//! admission state). Never per entry.
use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::admission::Admission;
use crate::bundle::media_refs;
use crate::entry::Entry;
use crate::hash::{Digest, Sha256TreeHasher, TreeHasher};
use crate::model::Event;
use crate::store::Store;
use crate::verify::{Finding, FindingKind};

use super::backend::{digest_blob, BlobStat, MediaBackend};
use super::custody::Custody;
use super::MediaError;

/// Settings of a media verification run.
#[derive(Clone, Debug)]
pub struct MediaVerifyOptions {
    /// Hashing threads per media file (see [`digest_file`](super::digest_file); `0` = all
    /// cores). Files are also checked in parallel with each other.
    pub threads: usize,
    /// At most this many findings are listed; the last one then counts the rest.
    pub max_findings: usize,
}

impl Default for MediaVerifyOptions {
    fn default() -> Self {
        MediaVerifyOptions {
            threads: 0,
            max_findings: 1000,
        }
    }
}

fn finding(kind: FindingKind, seq: Option<u64>, message: String) -> Finding {
    Finding {
        kind,
        severity: kind.severity(),
        seq,
        checkpoint: None,
        message,
    }
}

/// Where a media object is first referenced.
#[derive(Debug, Clone)]
struct RefInfo {
    seq: u64,
    name: String,
}

/// Checks recording segment chains and, given `media`, every media file the ledger in `store`
/// references. Returns the findings in ledger order (chains first, then media); add them to the
/// main verifier's report with [`Report::add_findings`](crate::verify::Report::add_findings).
///
/// Without a media store, one [`FindingKind::MediaNotChecked`] says how many media objects went
/// unchecked (the verifier fails closed).
pub fn verify_media<S: Store + ?Sized>(
    store: &S,
    media: Option<&dyn MediaBackend>,
    options: &MediaVerifyOptions,
) -> Vec<Finding> {
    let mut out = Vec::new();
    // Recording sessions and holds are judged by the one admission rule (crate::admission),
    // signatures aside: the main verifier checks those and reports the other refusals. The
    // check pass (crate::check) feeds the main verifier's own admission to the observer
    // instead, and runs no second one.
    let mut admission = Admission::new(crate::verify::VerifyOptions::default().max_future_skew_ms);
    let mut observer = MediaObserver::default();
    // An unreadable store or entry is the main verifier's finding.
    let size = store.size().unwrap_or(0);
    for (seq, bytes) in crate::store::read_entries(store, 0..size) {
        let Ok(bytes) = bytes else {
            continue;
        };
        let Ok(entry) = Entry::from_bytes(&bytes) else {
            continue;
        };
        observer.observe(seq, &entry);
        if let Err(refusal) = admission.admit(seq, entry.logged_at, &entry.statement.statement) {
            if refusal.is_recording_or_hold() {
                out.push(finding(
                    refusal.finding_kind(),
                    Some(seq),
                    refusal.to_string(),
                ));
            }
        }
        if seq == 0 {
            admission.set_genesis_leaf(Sha256TreeHasher.hash_leaf(&bytes));
        }
    }
    out.extend(observer.check_files(media, options));
    bound(out, options.max_findings)
}

/// The per-entry half of media verification: which media the ledger references (and where
/// first), which it purges and whether lawfully, and the custody of each. Fed each entry once,
/// in order ([`verify_media`], or the one check pass of [`crate::check`]); then
/// [`MediaObserver::check_files`] compares the media files with their digests.
#[derive(Default)]
pub(crate) struct MediaObserver {
    custody: Custody,
    refs: HashMap<(Digest, u64), RefInfo>,
    purged: HashMap<Digest, (u64, bool)>,
}

impl MediaObserver {
    /// Takes entry `seq` into account.
    pub(crate) fn observe(&mut self, seq: u64, entry: &Entry) {
        let event = &entry.statement.statement.event;
        for m in media_refs(event) {
            self.refs
                .entry((m.digest, m.length))
                .or_insert_with(|| RefInfo {
                    seq,
                    name: m.name.clone(),
                });
        }
        let lawful = match event {
            Event::MediaPurged { media: d, .. } => {
                Some((*d, self.custody.blocks(d, entry.logged_at).is_empty()))
            }
            _ => None,
        };
        self.custody.observe(seq, event);
        if let Some((d, lawful)) = lawful {
            self.purged.entry(d).or_insert((seq, lawful));
        }
    }

    /// The final step: every referenced media file against its digest, all in parallel, given
    /// `media`; without it one [`FindingKind::MediaNotChecked`] says how many media objects
    /// went unchecked (the verifier fails closed). Findings in ledger order, not bounded.
    pub(crate) fn check_files(
        &self,
        media: Option<&dyn MediaBackend>,
        options: &MediaVerifyOptions,
    ) -> Vec<Finding> {
        match media {
            None if self.refs.is_empty() => Vec::new(),
            None => vec![finding(
                FindingKind::MediaNotChecked,
                None,
                format!(
                    "{} media objects are referenced but no media directory was given: their integrity (Art. 21(2), 21(5)) is unchecked",
                    self.refs.len()
                ),
            )],
            Some(ms) => check_media(ms, &self.refs, &self.purged, &self.custody, options),
        }
    }
}

/// The outcome of checking one media file.
enum Outcome {
    Intact,
    Missing,
    Differs {
        length: u64,
        digest: Digest,
    },
    /// Something the backend did not write lies where the media file should be.
    NotRegular(String),
    Unreadable(String),
}

fn check_media(
    ms: &dyn MediaBackend,
    refs: &HashMap<(Digest, u64), RefInfo>,
    purged: &HashMap<Digest, (u64, bool)>,
    custody: &Custody,
    options: &MediaVerifyOptions,
) -> Vec<Finding> {
    let mut items: Vec<(&(Digest, u64), &RefInfo)> = refs.iter().collect();
    items.sort_by_key(|(_, r)| r.seq);
    let known: HashSet<Digest> = refs.keys().map(|(d, _)| *d).collect();
    let outcomes: Vec<Outcome> = items
        .par_iter()
        .map(|((digest, length), _)| check_file(ms, digest, *length, options.threads))
        .collect();
    let mut out = Vec::new();
    for (((digest, length), info), outcome) in items.into_iter().zip(outcomes) {
        let seq = info.seq;
        let cases = custody
            .cases_of(digest)
            .map(|c| c.iter().cloned().collect::<Vec<_>>().join(", "))
            .unwrap_or_default();
        let what = format!("media {digest} ({}, case {cases}, entry {seq})", info.name);
        match outcome {
            Outcome::Intact => {}
            Outcome::Missing => match purged.get(digest) {
                // Lawfully purged: its absence is what the ledger asked for.
                Some((_, true)) => {}
                // An unlawful purge was already reported where it was logged.
                Some((_, false)) => {}
                None => out.push(finding(
                    FindingKind::MediaMissing,
                    Some(seq),
                    format!("{what} is missing and no MediaPurged statement allows it: records destroyed (Art. 21(5))"),
                )),
            },
            Outcome::Differs { length: l, digest: d } => {
                let (kind, how) = if known.contains(&d) && d != *digest {
                    (FindingKind::MediaSwapped, format!("holds the bytes of another referenced media object, {d}"))
                } else if l < *length {
                    (FindingKind::MediaTruncated, format!("is {l} bytes, not {length}: truncated"))
                } else {
                    (FindingKind::MediaAltered, format!("is {l} bytes with digest {d}, not {length} bytes with {digest}: altered"))
                };
                out.push(finding(
                    kind,
                    Some(seq),
                    format!("{what} {how} (Art. 21(2): original footage must not be altered)"),
                ));
            }
            Outcome::NotRegular(instead) => out.push(finding(
                FindingKind::MediaNotRegular,
                Some(seq),
                format!("{what} was replaced by {instead} in the media store; the media file is gone: records destroyed (Art. 21(5))"),
            )),
            Outcome::Unreadable(e) => out.push(finding(
                FindingKind::ReadError,
                Some(seq),
                format!("{what} could not be read: {e}"),
            )),
        }
    }
    out
}

/// One media object against its digest. A backend that cannot answer is `Unreadable` (a
/// read error), never `Missing`: an outage is not destroyed records.
fn check_file(ms: &dyn MediaBackend, digest: &Digest, length: u64, threads: usize) -> Outcome {
    match ms.stat(digest) {
        Ok(BlobStat::Absent) => return Outcome::Missing,
        Ok(BlobStat::Foreign { what }) => return Outcome::NotRegular(what),
        Ok(BlobStat::Present { .. }) => {}
        Err(e) => return Outcome::Unreadable(e.to_string()),
    }
    match digest_blob(ms, digest, threads) {
        Ok(m) if m.digest == *digest && m.length == length => Outcome::Intact,
        Ok(m) => Outcome::Differs {
            length: m.length,
            digest: m.digest,
        },
        // Gone between the two questions: missing all the same.
        Err(MediaError::NotFound { .. }) => Outcome::Missing,
        Err(MediaError::Foreign { what, .. }) => Outcome::NotRegular(what),
        Err(e) => Outcome::Unreadable(e.to_string()),
    }
}

/// Keeps at most `max` findings; the last one listed then counts the rest.
pub(crate) fn bound(mut out: Vec<Finding>, max: usize) -> Vec<Finding> {
    if out.len() <= max {
        return out;
    }
    let keep = max.saturating_sub(1);
    let rest = out.split_off(keep);
    let worst = rest.iter().max_by_key(|f| f.severity);
    if let Some(w) = worst {
        let summary = finding(
            w.kind,
            None,
            format!(
                "{} more media findings omitted (the most serious: {})",
                rest.len(),
                w.message
            ),
        );
        out.push(summary);
    }
    out
}
