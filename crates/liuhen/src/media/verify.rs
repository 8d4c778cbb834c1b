//! The media half of verification: recording segment chains (Art. 14(4)) and media files
//! against their digests (Art. 21(2), 21(5)).
//!
//! [`verify_media`] streams the ledger's entries once. Segment chains need no media and are
//! always checked; media files are checked when a [`MediaStore`] is given, all of them in
//! parallel. Entries that cannot be read or decoded are skipped: the main verifier
//! ([`crate::verify`]) reports them, and reporting them twice would only add noise.
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
//! Memory: one record per referenced media object and per case, plus the segments of sessions
//! not yet stopped (a stopped session is reduced to its id). Never per entry otherwise.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use crate::entry::Entry;
use crate::hash::Digest;
use crate::keys::PublicKey;
use crate::model::{Event, MediaRef};
use crate::store::Store;
use crate::verify::{Finding, FindingKind};

use super::custody::Custody;
use super::digest::digest_file;
use super::store::MediaStore;

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

/// One sealed segment, as the chain check needs it.
#[derive(Debug)]
struct Seg {
    digest: Digest,
    prev: Option<Digest>,
    seq: u64,
}

/// A recording session not yet stopped.
#[derive(Debug)]
struct Session {
    device: PublicKey,
    started: u64,
    segments: BTreeMap<u32, Seg>,
    max_index: Option<u32>,
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
    media: Option<&MediaStore>,
    options: &MediaVerifyOptions,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut sessions: HashMap<String, Session> = HashMap::new();
    let mut stopped: HashMap<String, u64> = HashMap::new();
    let mut custody = Custody::default();
    let mut refs: HashMap<(Digest, u64), RefInfo> = HashMap::new();
    let mut purged: HashMap<Digest, (u64, bool)> = HashMap::new();
    for seq in 0..store.size() {
        let Ok(bytes) = store.entry_bytes(seq) else {
            continue;
        };
        let Ok(entry) = Entry::from_bytes(&bytes) else {
            continue;
        };
        let author = entry.statement.statement.author;
        let event = &entry.statement.statement.event;
        for m in media_refs(event) {
            refs.entry((m.digest, m.length)).or_insert_with(|| RefInfo {
                seq,
                name: m.name.clone(),
            });
        }
        custody.observe(seq, event);
        match event {
            // A second start of a known session is ignored: the first one fixes the device.
            Event::RecordingStarted {
                session, device, ..
            } if !sessions.contains_key(session) && !stopped.contains_key(session) => {
                sessions.insert(
                    session.clone(),
                    Session {
                        device: *device,
                        started: seq,
                        segments: BTreeMap::new(),
                        max_index: None,
                    },
                );
            }
            Event::SegmentSealed {
                session,
                index,
                prev_segment,
                media: m,
                ..
            } => {
                let seg = Seg {
                    digest: m.digest,
                    prev: *prev_segment,
                    seq,
                };
                add_segment(
                    &mut out,
                    &mut sessions,
                    &stopped,
                    session,
                    *index,
                    seg,
                    author,
                );
            }
            Event::RecordingInterrupted { session, .. } => {
                if let Some(s) = sessions.get(session) {
                    check_device(&mut out, session, s, author, seq, "RecordingInterrupted");
                }
            }
            Event::RecordingStopped {
                session,
                segments,
                last_segment,
            } => {
                if let Some(s) = sessions.remove(session) {
                    check_device(&mut out, session, &s, author, seq, "RecordingStopped");
                    close_session(&mut out, session, s, Some((seq, *segments, *last_segment)));
                    stopped.insert(session.clone(), seq);
                }
            }
            Event::MediaPurged { media: d, .. } => {
                let blocks = custody.blocks(d, entry.logged_at);
                let lawful = blocks.is_empty();
                for b in blocks {
                    out.push(finding(
                        FindingKind::MediaPurgeUnlawful,
                        Some(seq),
                        format!("entry {seq}: media {d} was ordered purged although {b}"),
                    ));
                }
                purged.entry(*d).or_insert((seq, lawful));
            }
            _ => {}
        }
    }
    // Sessions never stopped: check what they hold so far.
    let mut open: Vec<(String, Session)> = sessions.into_iter().collect();
    open.sort_by_key(|(_, s)| s.started);
    for (name, s) in open {
        close_session(&mut out, &name, s, None);
    }
    out.sort_by_key(|f| f.seq);

    match media {
        None => {
            if !refs.is_empty() {
                out.push(finding(
                    FindingKind::MediaNotChecked,
                    None,
                    format!(
                        "{} media objects are referenced but no media directory was given: their integrity (Art. 21(2), 21(5)) is unchecked",
                        refs.len()
                    ),
                ));
            }
        }
        Some(ms) => out.extend(check_media(ms, &refs, &purged, &custody, options)),
    }
    bound(out, options.max_findings)
}

/// Every `MediaRef` an event carries (documents, decisions, segments, transcripts,
/// derivatives).
fn media_refs(event: &Event) -> Vec<&MediaRef> {
    match event {
        Event::DocumentFiled { media, .. } | Event::SegmentSealed { media, .. } => vec![media],
        Event::DecisionMade { document, .. } => vec![document],
        Event::Archived { labels, .. } => labels.transcript.iter().collect(),
        Event::DerivativeMade { derivative, .. } => vec![derivative],
        _ => Vec::new(),
    }
}

fn check_device(
    out: &mut Vec<Finding>,
    session: &str,
    s: &Session,
    author: PublicKey,
    seq: u64,
    what: &str,
) {
    if author != s.device {
        out.push(finding(
            FindingKind::SegmentWrongDevice,
            Some(seq),
            format!(
                "entry {seq}: {what} of session {session} is signed by {author}, not by the session's device {} (Art. 14(4): footage from elsewhere)",
                s.device
            ),
        ));
    }
}

fn add_segment(
    out: &mut Vec<Finding>,
    sessions: &mut HashMap<String, Session>,
    stopped: &HashMap<String, u64>,
    session: &str,
    index: u32,
    seg: Seg,
    author: PublicKey,
) {
    let seq = seg.seq;
    if let Some(stop) = stopped.get(session) {
        out.push(finding(
            FindingKind::SegmentAfterStop,
            Some(seq),
            format!("entry {seq}: segment {index} of session {session} was sealed after the recording stopped (entry {stop}): footage added afterwards (Art. 14(4))"),
        ));
        return;
    }
    let Some(s) = sessions.get_mut(session) else {
        out.push(finding(
            FindingKind::SegmentOrphan,
            Some(seq),
            format!("entry {seq}: segment {index} belongs to session {session}, which no earlier RecordingStarted opened: footage inserted from outside a recording (Art. 14(4))"),
        ));
        return;
    };
    check_device(out, session, s, author, seq, &format!("segment {index}"));
    if let Some(first) = s.segments.get(&index) {
        out.push(finding(
            FindingKind::SegmentDuplicate,
            Some(seq),
            format!(
                "entry {seq}: session {session} seals segment {index} a second time (first at entry {}): one of them is substituted footage (Art. 14(4))",
                first.seq
            ),
        ));
        return;
    }
    if let Some(max) = s.max_index {
        if index < max {
            out.push(finding(
                FindingKind::SegmentReordered,
                Some(seq),
                format!("entry {seq}: segment {index} of session {session} was sealed after segment {max}: the segments are out of order (Art. 14(4))"),
            ));
        }
    }
    s.max_index = Some(s.max_index.map_or(index, |m| m.max(index)));
    s.segments.insert(index, seg);
}

/// The checks that need a session's whole chain: missing indices, broken links and, if it was
/// stopped, the count and last digest the stop declares. (Time gaps are the audit's.)
fn close_session(
    out: &mut Vec<Finding>,
    session: &str,
    s: Session,
    stop: Option<(u64, u32, Option<Digest>)>,
) {
    let mut expected: u32 = 0;
    let mut prev: Option<(u32, &Seg)> = None;
    for (&index, seg) in &s.segments {
        if index > expected {
            // Report a run of missing indices once.
            let range = if index - expected == 1 {
                format!("segment {expected} is")
            } else {
                format!("segments {expected}..={} are", index - 1)
            };
            out.push(finding(
                FindingKind::SegmentMissing,
                Some(seg.seq),
                format!("session {session}: {range} missing before segment {index} (entry {}): footage removed (Art. 14(4))", seg.seq),
            ));
        }
        let before = prev.filter(|(i, _)| i.checked_add(1) == Some(index));
        let linked = match before {
            Some((_, p)) => seg.prev == Some(p.digest),
            None if index == 0 => seg.prev.is_none(),
            // The previous segment is missing: already reported.
            None => true,
        };
        if !linked {
            let want = before.map_or("none".to_string(), |(_, p)| p.digest.to_hex());
            let got = seg.prev.map_or("none".to_string(), |d| d.to_hex());
            out.push(finding(
                FindingKind::SegmentChainBroken,
                Some(seg.seq),
                format!("entry {}: segment {index} of session {session} names previous segment {got}, but the previous segment is {want}: a segment was swapped or inserted (Art. 14(4))", seg.seq),
            ));
        }
        expected = index.saturating_add(1);
        prev = Some((index, seg));
    }
    if let Some((seq, count, last)) = stop {
        let held = s.segments.len();
        let top = s.segments.iter().next_back();
        let top_digest = top.map(|(_, seg)| seg.digest);
        let count_ok = u64::from(count) == held as u64
            && top.map_or(0, |(i, _)| u64::from(*i) + 1) == u64::from(count);
        if !count_ok || last != top_digest {
            let last_text = last.map_or("none".to_string(), |d| d.to_hex());
            let top_text = top_digest.map_or("none".to_string(), |d| d.to_hex());
            out.push(finding(
                FindingKind::SegmentCountMismatch,
                Some(seq),
                format!("entry {seq}: session {session} stopped declaring {count} segments ending with {last_text}, but the ledger holds {held} ending with {top_text}: segments were removed or added (Art. 14(4))"),
            ));
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
    /// Something other than a regular file lies where the media file should be.
    NotRegular(&'static str),
    Unreadable(String),
}

fn check_media(
    ms: &MediaStore,
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

fn check_file(ms: &MediaStore, digest: &Digest, length: u64, threads: usize) -> Outcome {
    let path = ms.path_of(digest);
    // Never followed and never opened unless it is a regular file: a link may point anywhere
    // (or nowhere), and opening a FIFO would block the verifier.
    match std::fs::symlink_metadata(&path) {
        // A shard directory replaced by a file: the media file is gone all the same.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return Outcome::Missing
        }
        Err(e) => return Outcome::Unreadable(e.to_string()),
        Ok(m) => {
            let kind = m.file_type();
            if kind.is_symlink() {
                return Outcome::NotRegular("a symbolic link");
            }
            if kind.is_dir() {
                return Outcome::NotRegular("a directory");
            }
            if !kind.is_file() {
                return Outcome::NotRegular("a FIFO, socket or device");
            }
        }
    }
    match digest_file(&path, "", "", threads) {
        Ok(m) if m.digest == *digest && m.length == length => Outcome::Intact,
        Ok(m) => Outcome::Differs {
            length: m.length,
            digest: m.digest,
        },
        Err(e) => Outcome::Unreadable(e.to_string()),
    }
}

/// Keeps at most `max` findings; the last one listed then counts the rest.
fn bound(mut out: Vec<Finding>, max: usize) -> Vec<Finding> {
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
