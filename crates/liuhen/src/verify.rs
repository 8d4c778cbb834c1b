//! The verifier: reads a ledger's bytes and reports every deviation it can prove.
//!
//! It trusts nothing it reads. From the stored entry bytes alone it recomputes every leaf hash,
//! the `prev` chain, the key registry and the Merkle root at every checkpoint size; it checks
//! every signature with `verify_strict` (in parallel on all cores, in bounded chunks) and every
//! checkpoint's C2SP note signature.
//!
//! It **fails closed**: whatever it cannot check is reported as [`Severity::Unverified`] rather
//! than passed — entries after the last checkpoint, a ledger without any valid checkpoint, and a
//! ledger checked without a trusted verifier key (without one, a wholesale rewrite under a new
//! key would be self-consistent). Given a previously verified checkpoint (the auditor's saved
//! state), it proves the ledger still extends it and reports a rollback or a fork.
//!
//! What a clean report does **not** prove: that the recorded events are true, that no act went
//! unrecorded (the audit rules look for missing records), or that media files still match their
//! digests (checked by the media verifier, given the media).
//!
//! Memory: `chunk_size` entries at a time, the registry (one record per key) and the parsed
//! checkpoints (about 200 bytes each); independent of the number of entries otherwise.

use std::collections::BTreeMap;

pub mod store_damage;

use rayon::prelude::*;
use serde::Serialize;

use crate::admission::Admission;
use crate::checkpoint::{NoteVerifier, SignedCheckpoint};
use crate::clock::{Clock, SystemClock};
use crate::entry::Entry;
use crate::hash::{Digest, Sha256TreeHasher, TreeHasher};
use crate::merkle::CompactRange;
use crate::model::Timestamp;
use crate::policy::{PolicyCheck, WitnessPolicy};
use crate::registry::Registry;
use crate::store::{StoreError, StoreRead};

/// Settings of a verification run.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// The ledger's verifier key as the auditor knows it independently (C2SP vkey). Without it
    /// the report says [`FindingKind::NoTrustAnchor`].
    pub trusted_key: Option<NoteVerifier>,
    /// A checkpoint the auditor verified before (signed note text): the ledger must extend it.
    pub trusted_checkpoint: Option<String>,
    /// How far a statement's own time may lie after the entry's `logged_at`, in milliseconds.
    pub max_future_skew_ms: i64,
    /// At most this many findings are listed; the rest are counted.
    pub max_findings: usize,
    /// Entries decoded and signature-checked in parallel at a time (bounds memory).
    pub chunk_size: usize,
    /// The verifier's own clock reading: an entry logged later than this plus
    /// `max_future_skew_ms` is reported ([`FindingKind::LoggedInFuture`]). `None` reads the
    /// system clock once when verification starts.
    pub now: Option<Timestamp>,
    /// The auditor's witness policy ([`crate::policy`]). With one, a checkpoint counts as
    /// witnessed only if it meets the quorum: entries that no witnessed checkpoint (nor a
    /// trusted checkpoint the ledger extends) covers are [`FindingKind::Unwitnessed`], a bad
    /// cosignature of a listed witness is [`FindingKind::BadCosignature`], and two
    /// inconsistent log-signed checkpoints of which one is witnessed are a
    /// [`FindingKind::SplitView`] carrying both notes. `None`: witnesses are not checked.
    pub policy: Option<WitnessPolicy>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            trusted_key: None,
            trusted_checkpoint: None,
            max_future_skew_ms: 5 * 60 * 1000,
            max_findings: 1000,
            chunk_size: 4096,
            now: None,
            policy: None,
        }
    }
}

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Something could not be checked; nothing was shown to be wrong.
    Unverified,
    /// The ledger is not what its writer would have produced: integrity is broken.
    Tampering,
}

/// What kind of deviation a finding reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FindingKind {
    /// The store holds no entries at all.
    EmptyLedger,
    /// Stored bytes could not be read.
    ReadError,
    /// Entry bytes do not decode canonically.
    Malformed,
    /// An entry's sequence number is not its position (deletion, insertion, reordering).
    Sequence,
    /// An entry's `prev` is not the leaf hash of the entry before it.
    BrokenChain,
    /// An author's signature does not verify.
    BadSignature,
    /// The author was unknown, revoked or not permitted at that position, or genesis is invalid.
    Unauthorized,
    /// `logged_at` went backwards.
    TimeReversal,
    /// A statement is dated after its entry's `logged_at` by more than the allowed skew.
    FutureStatement,
    /// A stored checkpoint does not parse or its signature does not verify.
    BadCheckpoint,
    /// A checkpoint's root differs from the root recomputed from the entries.
    CheckpointMismatch,
    /// A checkpoint covers more entries than the store holds (truncation).
    Truncated,
    /// Two checkpoints of the same size have different roots.
    Fork,
    /// The ledger no longer extends the auditor's trusted checkpoint (different root at its size).
    TrustedCheckpointMismatch,
    /// The ledger is shorter than the auditor's trusted checkpoint.
    Rollback,
    /// The genesis ledger key is not the key the auditor trusts.
    WrongLedgerKey,
    /// Entries after the last valid checkpoint: signed by no checkpoint yet.
    Unsealed,
    /// No valid checkpoint at all.
    NoCheckpoint,
    /// No trusted verifier key was given, so authenticity of the ledger key is unchecked.
    NoTrustAnchor,
    /// A recording segment index was never sealed although later ones were: footage removed
    /// (Art. 14(4)). Reported by [`crate::media::verify_media`], as are all `Segment*` kinds.
    SegmentMissing,
    /// A recording session seals the same segment index twice: substituted footage (Art. 14(4)).
    SegmentDuplicate,
    /// A segment was sealed after a segment with a higher index of its session (Art. 14(4)).
    SegmentReordered,
    /// A segment's `prev_segment` is not the digest of the segment before it: a swapped or
    /// inserted segment (Art. 14(4)).
    SegmentChainBroken,
    /// A segment was sealed after its session's `RecordingStopped`: footage added afterwards
    /// (Art. 14(4)).
    SegmentAfterStop,
    /// `RecordingStopped` declares a segment count or last digest other than the segments the
    /// ledger holds (Art. 14(4)).
    SegmentCountMismatch,
    /// A segment (or the interruption or stop of a session) is signed by a key other than the
    /// session's device (Art. 14(4)).
    SegmentWrongDevice,
    /// A segment names a session that no earlier `RecordingStarted` opened (Art. 14(4)).
    SegmentOrphan,
    /// A referenced media file is absent and no lawful `MediaPurged` allows it: records
    /// destroyed (Art. 21(5)). Reported by [`crate::media::verify_media`], as are all `Media*`
    /// kinds.
    MediaMissing,
    /// A media file's bytes differ from its digest: original footage altered (Art. 21(2)).
    MediaAltered,
    /// A media file is shorter than its recorded length (Art. 21(2)).
    MediaTruncated,
    /// A media file holds the bytes of another media object the ledger references (e.g. of
    /// another case): swapped (Art. 21(2)).
    MediaSwapped,
    /// A `MediaPurged` was logged while a case referencing the media was within its retention
    /// period (Art. 17) or under an unreleased preservation order (Art. 18).
    MediaPurgeUnlawful,
    /// Media is referenced but no media directory was given, so it was not checked
    /// (Art. 21(2), 21(5)); the verifier fails closed.
    MediaNotChecked,
    // Admission refusals (crate::admission) that no kind above names.
    /// A statement is dated before the ledger began (genesis `logged_at` minus the skew): a
    /// clock error or seconds given for milliseconds, which the writer refuses.
    StatementBeforeGenesis,
    /// A `RecordingStarted` names a session id already in use (Art. 14(4)).
    SessionInUse,
    /// A `CaseOpened` names a case that is already open.
    CaseAlreadyOpen,
    /// A `DocumentDescribed` describes a document that no earlier `DocumentFiled` of its case
    /// filed (never filed, or filed in another case).
    DocumentNotFiled,
    /// An entry is logged later than the verifier's own clock plus the skew: a forged
    /// `logged_at` (which would poison the writer's clock floor).
    LoggedInFuture,
    /// Format v2: a statement bound to another ledger or suite, or of the other format version.
    WrongLedger,
    /// Format v2: a statement whose counter is not above its author's last: replayed.
    Replay,
    /// Format v2: an entry's `case_prev` is not the latest earlier entry of its case.
    CaseLinkBroken,
    // Damage to the store's files, reported by `liuhen verify` (docs/STORE.md): destruction or
    // alteration of the record itself (Art. 21(5)).
    /// A file of the ledger's store (`header`, `entries.log`, `entries.idx`, `checkpoints.log`,
    /// `checkpoints.idx`) is missing or not a regular file: records destroyed (Art. 21(5)).
    StoreFileMissing,
    /// A store file's records are not what the writer appends (docs/STORE.md, recovery rules),
    /// committed records are cut off, or a frame after the index is no interrupted append:
    /// records altered or destroyed (Art. 21(5)).
    StoreFilesDamaged,
    /// Checkpoints the ledger key signed are gone from the store: entries but no checkpoint at
    /// all (every ledger is sealed when it is created), or the auditor's saved checkpoint is
    /// not among the stored ones (Art. 21(5)).
    CheckpointsDeleted,
    /// Bytes after the last committed record of a store file that a writer would cut (a torn
    /// frame) or adopt (an interrupted append): an append in progress, or a crash's leftover not
    /// yet recovered. Not part of the verified ledger; the verifier fails closed.
    UncommittedTail,
    /// A media file was replaced by something the media store never writes — a symbolic link
    /// (dangling or not), a directory, a FIFO, a socket or a device: the original is gone from
    /// the store, records destroyed (Art. 21(5)). Never opened, so a FIFO cannot block the
    /// verifier.
    MediaNotRegular,
    // Witnesses (crate::policy), checked only with a witness policy.
    /// Entries covered by a log-signed checkpoint, but by none that meets the witness policy's
    /// quorum (and by no trusted checkpoint the ledger extends): nobody outside the bureau
    /// attests that this is the history others were shown, so a rewrite by the key's holder
    /// would go unseen.
    Unwitnessed,
    /// A cosignature line of a witness the policy lists does not verify: forged or altered.
    BadCosignature,
    /// Two checkpoints of this ledger, both signed by the ledger key and at least one meeting
    /// the witness policy, that cannot both be true (same size, different roots; or the ledger
    /// does not extend the witnessed one): the key's holder showed two histories. Both notes
    /// are in the report ([`Report::split_views`]).
    SplitView,
    // Trusted time (crate::timestamp), checked only with a TSA root.
    /// A stored RFC 3161 token does not verify against the checkpoint it stamps (altered bytes,
    /// a bad signature, or an imprint no stored checkpoint has): forged time evidence.
    BadTimestamp,
    /// A stored RFC 3161 token could not be checked (its certificate does not chain to the TSA
    /// root given, or it uses an algorithm not supported): its time is not proven.
    TimestampUnverified,
}

impl FindingKind {
    /// The severity of this kind of finding.
    pub fn severity(self) -> Severity {
        match self {
            FindingKind::Unsealed
            | FindingKind::NoCheckpoint
            | FindingKind::NoTrustAnchor
            | FindingKind::ReadError
            | FindingKind::MediaNotChecked
            | FindingKind::UncommittedTail
            | FindingKind::Unwitnessed
            | FindingKind::TimestampUnverified => Severity::Unverified,
            _ => Severity::Tampering,
        }
    }

    /// The article of the regulation a finding of this kind breaches, where the kind implies
    /// one (every adapter prints the same: `liuhen verify`, its JSON, an HTTP service).
    pub fn article(self) -> Option<&'static str> {
        match self {
            FindingKind::SegmentMissing
            | FindingKind::SegmentDuplicate
            | FindingKind::SegmentReordered
            | FindingKind::SegmentChainBroken
            | FindingKind::SegmentAfterStop
            | FindingKind::SegmentCountMismatch
            | FindingKind::SegmentWrongDevice
            | FindingKind::SegmentOrphan
            | FindingKind::SessionInUse => Some("Art. 14(4)"),
            FindingKind::MediaMissing | FindingKind::MediaNotRegular => Some("Art. 21(5)"),
            FindingKind::MediaAltered | FindingKind::MediaTruncated | FindingKind::MediaSwapped => {
                Some("Art. 21(2)")
            }
            FindingKind::MediaPurgeUnlawful => Some("Art. 17, 18, 21(5)"),
            FindingKind::MediaNotChecked => Some("Art. 21(2), 21(5)"),
            FindingKind::StoreFileMissing
            | FindingKind::StoreFilesDamaged
            | FindingKind::CheckpointsDeleted => Some("Art. 21(5)"),
            _ => None,
        }
    }

    /// The kind's name as the JSON spells it (`broken_chain`).
    pub fn name(self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => s,
            _ => "unknown".into(),
        }
    }
}

/// One deviation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What kind.
    pub kind: FindingKind,
    /// How serious.
    pub severity: Severity,
    /// The entry position concerned, if any.
    pub seq: Option<u64>,
    /// The checkpoint concerned (index in the checkpoint list), if any.
    pub checkpoint: Option<u64>,
    /// One sentence for a person.
    pub message: String,
}

/// The overall outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Everything was checked and nothing is wrong.
    Verified,
    /// Nothing is shown wrong, but something could not be checked.
    Unverified,
    /// Integrity is broken.
    Tampered,
}

impl Verdict {
    /// The verdict after also taking a finding of `severity` into account.
    fn max_with(self, severity: Severity) -> Verdict {
        match (self, severity) {
            (Verdict::Tampered, _) | (_, Severity::Tampering) => Verdict::Tampered,
            _ => Verdict::Unverified,
        }
    }
}

/// A checkpoint the verifier accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckpointSummary {
    /// Tree size.
    pub size: u64,
    /// Root hash, hex.
    pub root: String,
    /// The signed note text.
    pub note: String,
}

/// The result of a verification run; serializes to JSON.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The overall outcome.
    pub verdict: Verdict,
    /// The origin declared by genesis, if it could be read.
    pub origin: Option<String>,
    /// Entries read.
    pub entries: u64,
    /// Checkpoints stored.
    pub checkpoints: u64,
    /// Checkpoints whose signature and root verified.
    pub checkpoints_verified: u64,
    /// The largest checkpoint that verified against the entries.
    pub latest_verified: Option<CheckpointSummary>,
    /// Findings, in the order found, at most `max_findings`.
    pub findings: Vec<Finding>,
    /// Findings beyond `max_findings`, counted but not listed.
    pub findings_omitted: u64,
    /// What the witness policy found; `None` when no policy was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witnesses: Option<WitnessSummary>,
    /// Each split view found: two inconsistent signed checkpoints, both notes in full.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub split_views: Vec<SplitView>,
}

/// What a verification with a witness policy found ([`VerifyOptions::policy`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WitnessSummary {
    /// The policy's quorum in words.
    pub quorum: String,
    /// Entries covered by a witnessed checkpoint, or by a trusted checkpoint the ledger
    /// extends: the first `witnessed_size` entries.
    pub witnessed_size: u64,
    /// The largest stored checkpoint that verified against the entries and meets the policy.
    pub latest_witnessed: Option<PolicyCheck>,
    /// The policy's verdict on the latest checkpoint that verified against the entries.
    pub latest: Option<PolicyCheck>,
    /// The policy's verdict on the trusted (saved) checkpoint, if one was given.
    pub trusted: Option<PolicyCheck>,
}

/// One checkpoint of a [`SplitView`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SplitViewCheckpoint {
    /// Where it came from: `stored checkpoint N` or `trusted checkpoint`.
    pub source: String,
    /// Its tree size.
    pub size: u64,
    /// Its root, hex.
    pub root: String,
    /// Whether it meets the witness policy.
    pub witnessed: bool,
    /// The signed note, in full: with the other one, the proof.
    pub note: String,
}

/// Two checkpoints signed by the ledger key that cannot both be true; each note verifies with
/// the ledger's vkey, so the pair proves to anyone that the key's holder signed two histories.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SplitView {
    /// Why they are inconsistent, in one sentence.
    pub reason: String,
    /// The checkpoints.
    pub checkpoints: [SplitViewCheckpoint; 2],
}

impl Report {
    /// Whether any finding of `kind` was listed.
    pub fn has(&self, kind: FindingKind) -> bool {
        self.findings.iter().any(|f| f.kind == kind)
    }

    /// This report without the findings of `kind`, its verdict recomputed from the findings
    /// that remain (failing closed: with findings only counted, an `unverified` stays).
    pub fn without(&self, kind: FindingKind) -> Report {
        let findings: Vec<Finding> = self
            .findings
            .iter()
            .filter(|f| f.kind != kind)
            .cloned()
            .collect();
        let verdict = match self.verdict {
            Verdict::Tampered => Verdict::Tampered,
            _ if self.findings_omitted > 0 => self.verdict,
            _ => findings
                .iter()
                .fold(Verdict::Verified, |v, f| v.max_with(f.severity)),
        };
        Report {
            verdict,
            findings,
            ..self.clone()
        }
    }

    /// Whether integrity is broken.
    pub fn is_tampered(&self) -> bool {
        self.verdict == Verdict::Tampered
    }

    /// Appends findings of another checker (e.g. [`crate::media::verify_media`]) and updates
    /// the verdict. The findings are listed as given (the other checker bounds its own list),
    /// except one of the same kind at the same entry as a finding already listed: both
    /// checkers judge recordings and holds by the same admission rule, and one refusal is
    /// reported once.
    pub fn add_findings(&mut self, findings: Vec<Finding>) {
        let listed: std::collections::HashSet<(u64, String)> = self
            .findings
            .iter()
            .filter_map(|f| f.seq.map(|s| (s, format!("{:?}", f.kind))))
            .collect();
        for f in findings {
            if let Some(s) = f.seq {
                if listed.contains(&(s, format!("{:?}", f.kind))) {
                    continue;
                }
            }
            self.verdict = self.verdict.max_with(f.severity);
            self.findings.push(f);
        }
    }
}

struct Findings {
    list: Vec<Finding>,
    omitted: u64,
    max: usize,
    worst: Option<Severity>,
}

impl Findings {
    fn add(
        &mut self,
        kind: FindingKind,
        seq: Option<u64>,
        checkpoint: Option<u64>,
        message: String,
    ) {
        let severity = kind.severity();
        self.worst = self.worst.max(Some(severity));
        if self.list.len() < self.max {
            self.list.push(Finding {
                kind,
                severity,
                seq,
                checkpoint,
                message,
            });
        } else {
            self.omitted += 1;
        }
    }
}

/// Verifies a ledger held in a store.
pub fn verify_store<S: StoreRead + ?Sized>(store: &S, options: &VerifyOptions) -> Report {
    verify_store_observed(store, options, &mut NoObserver)
}

/// [`verify_store`], handing every entry read to `observer` in order, once.
pub(crate) fn verify_store_observed<S: StoreRead + ?Sized>(
    store: &S,
    options: &VerifyOptions,
    observer: &mut dyn EntryObserver,
) -> Report {
    let mut read_error = None;
    // A store that cannot say how much it holds is read as empty, and says why below.
    let size = store.size().unwrap_or_else(|e| {
        read_error = Some(e);
        0
    });
    let count = store.checkpoint_count().unwrap_or_else(|e| {
        read_error.get_or_insert(e);
        0
    });
    let mut checkpoints = Vec::new();
    for i in 0..count {
        match store.checkpoint(i) {
            Ok(c) => checkpoints.push(c),
            Err(e) => {
                read_error = Some(e);
                break;
            }
        }
    }
    // In chunks: one range read per ENTRY_CHUNK entries, memory bounded by one chunk.
    let entries = crate::store::read_entries(store, 0..size).map(|(_, bytes)| bytes);
    let mut report = verify_observed(entries, &checkpoints, options, observer);
    if let Some(e) = read_error {
        let kind = if matches!(e, StoreError::Corrupt { .. }) {
            FindingKind::BadCheckpoint
        } else {
            FindingKind::ReadError
        };
        let severity = kind.severity();
        report.findings.push(Finding {
            kind,
            severity,
            seq: None,
            checkpoint: None,
            message: format!("could not read the store (all checkpoints, or its size): {e}"),
        });
        report.verdict = report.verdict.max_with(severity);
    }
    report
}

/// One entry decoded and signature-checked ([`check_bytes`]).
pub(crate) struct Checked {
    /// Its RFC 6962 leaf hash.
    pub(crate) leaf_hash: Digest,
    /// The entry, or why it does not decode.
    pub(crate) entry: Result<Entry, String>,
    /// Whether its author's signature verifies.
    pub(crate) signature_ok: bool,
}

/// A checkpoint waiting for the tree to reach its size.
struct Pending {
    index: u64,
    root: Digest,
    summary: CheckpointSummary,
    /// The witness policy's verdict (`None`: no policy, or a bad cosignature).
    policy: Option<PolicyCheck>,
}

/// A stored checkpoint that verified against the entries, for the split-view check.
struct Sealed {
    index: u64,
    size: u64,
    root: Digest,
    note: String,
    witnessed: bool,
}

/// What the walker keeps for the witness policy.
#[derive(Default)]
struct Witnessing {
    latest_witnessed: Option<PolicyCheck>,
    latest: Option<PolicyCheck>,
    trusted: Option<PolicyCheck>,
    /// The trusted checkpoint's note.
    trusted_note: Option<String>,
    /// Whether the ledger was found not to extend the trusted checkpoint.
    trusted_mismatch: bool,
    sealed: Vec<Sealed>,
    split_views: Vec<SplitView>,
}

/// Verifies a ledger given as entry bytes in stored order and checkpoint texts in stored order.
///
/// Entries are read in chunks of `chunk_size`; while one chunk's signatures are checked on all
/// cores, the previous chunk goes through the sequential checks (chain, registry, tree), so the
/// sequential part costs almost no wall time. Never panics, whatever the bytes.
pub fn verify_parts<I>(entries: I, checkpoints: &[String], options: &VerifyOptions) -> Report
where
    I: IntoIterator<Item = Result<Vec<u8>, StoreError>>,
{
    verify_observed(entries, checkpoints, options, &mut NoObserver)
}

/// What the one pass over a ledger's entries hands to each further checker (the media
/// custody, the audit, a progress bar: [`crate::check`]), so that they need not read and
/// decode the entries again.
pub(crate) trait EntryObserver: Send {
    /// Entry `seq` was read; `entry` is `None` when it does not decode (the verifier reports
    /// it). `refusal` is the admission rule's refusal of the entry, if any: its kind and text.
    fn observe(&mut self, seq: u64, entry: Option<&Entry>, refusal: Option<(FindingKind, &str)>);
}

struct NoObserver;

impl EntryObserver for NoObserver {
    fn observe(&mut self, _: u64, _: Option<&Entry>, _: Option<(FindingKind, &str)>) {}
}

/// [`verify_parts`], handing every entry read to `observer` in order, once.
pub(crate) fn verify_observed<I>(
    entries: I,
    checkpoints: &[String],
    options: &VerifyOptions,
    observer: &mut dyn EntryObserver,
) -> Report
where
    I: IntoIterator<Item = Result<Vec<u8>, StoreError>>,
{
    let chunk_size = options.chunk_size.max(1);
    let mut walker = Walker {
        options,
        checkpoints,
        hasher: Sha256TreeHasher,
        f: Findings {
            list: Vec::new(),
            omitted: 0,
            max: options.max_findings,
            worst: None,
        },
        admission: Admission::new(options.max_future_skew_ms),
        now: options.now.unwrap_or_else(|| SystemClock.now()),
        future: Vec::new(),
        frontier: CompactRange::new(),
        prev: Digest::ZERO,
        last_logged_at: None,
        pending: None,
        trusted: None,
        witnessing: Witnessing::default(),
        latest_verified: None,
        checkpoints_verified: 0,
        position: 0,
        stopped: false,
        observer,
    };
    let mut iter = entries.into_iter();
    let mut checked: Vec<Checked> = Vec::new();
    loop {
        let mut chunk: Vec<Vec<u8>> = Vec::with_capacity(chunk_size);
        let mut read_error = None;
        for item in iter.by_ref() {
            match item {
                Ok(bytes) => chunk.push(bytes),
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            }
            if chunk.len() == chunk_size {
                break;
            }
        }
        let done = read_error.is_some() || chunk.len() < chunk_size;
        let previous = std::mem::take(&mut checked);
        let (next, ()) = rayon::join(|| check_chunk(&chunk), || walker.walk(previous));
        checked = next;
        if let Some(e) = read_error {
            walker.walk(std::mem::take(&mut checked));
            let seq = walker.position;
            // Bytes that fail the store's own checksum were changed: tampering, not a mere
            // read failure.
            let kind = if matches!(e, StoreError::Corrupt { .. }) {
                FindingKind::Malformed
            } else {
                FindingKind::ReadError
            };
            walker.f.add(
                kind,
                Some(seq),
                None,
                format!("could not read entry {seq}: {e}"),
            );
            break;
        }
        if done {
            walker.walk(std::mem::take(&mut checked));
            break;
        }
    }
    walker.finish()
}

/// The parallel part: decode, leaf-hash and signature-check each entry of a chunk.
fn check_chunk(chunk: &[Vec<u8>]) -> Vec<Checked> {
    chunk.par_iter().map(|bytes| check_bytes(bytes)).collect()
}

/// The per-entry check that needs no other entry: leaf hash, canonical decoding and the
/// author's signature (`verify_strict`). The ledger verifier runs it on chunks in parallel;
/// bundle verification ([`crate::bundle`]) on the entries of a bundle.
pub(crate) fn check_bytes(bytes: &[u8]) -> Checked {
    let leaf_hash = Sha256TreeHasher.hash_leaf(bytes);
    match Entry::from_bytes(bytes) {
        Ok(entry) => {
            let signature_ok = entry.statement.verify_signature().is_ok();
            Checked {
                leaf_hash,
                entry: Ok(entry),
                signature_ok,
            }
        }
        Err(e) => Checked {
            leaf_hash,
            entry: Err(e.to_string()),
            signature_ok: false,
        },
    }
}

/// The sequential part of verification: the state carried from entry to entry.
struct Walker<'a> {
    observer: &'a mut dyn EntryObserver,
    options: &'a VerifyOptions,
    checkpoints: &'a [String],
    hasher: Sha256TreeHasher,
    f: Findings,
    admission: Admission,
    now: Timestamp,
    /// Entries logged later than `now` plus the skew (at most `max_findings` of them).
    future: Vec<(u64, Timestamp)>,
    frontier: CompactRange,
    prev: Digest,
    last_logged_at: Option<Timestamp>,
    pending: Option<BTreeMap<u64, Vec<Pending>>>,
    trusted: Option<(u64, Digest)>,
    witnessing: Witnessing,
    latest_verified: Option<CheckpointSummary>,
    checkpoints_verified: u64,
    position: u64,
    stopped: bool,
}

impl Walker<'_> {
    fn walk(&mut self, checked: Vec<Checked>) {
        for c in checked {
            if self.stopped {
                return;
            }
            self.step(c);
        }
    }

    fn step(&mut self, c: Checked) {
        let seq = self.position;
        match &c.entry {
            Err(e) => {
                self.f.add(
                    FindingKind::Malformed,
                    Some(seq),
                    None,
                    format!("entry {seq} does not decode: {e}"),
                );
                self.observer.observe(seq, None, None);
            }
            Ok(entry) => {
                let refusal = check_entry(
                    entry,
                    &c.leaf_hash,
                    seq,
                    &self.prev,
                    c.signature_ok,
                    &mut self.last_logged_at,
                    &mut self.admission,
                    self.now,
                    &mut self.future,
                    self.options,
                    &mut self.f,
                );
                self.observer.observe(
                    seq,
                    Some(entry),
                    refusal.as_ref().map(|(k, m)| (*k, m.as_str())),
                );
            }
        }
        self.prev = c.leaf_hash;
        if self.frontier.push(&self.hasher, c.leaf_hash).is_err() {
            // 2^64 leaves: unreachable in practice, but never a panic.
            self.f.add(
                FindingKind::ReadError,
                Some(seq),
                None,
                "the tree cannot grow further".into(),
            );
            self.stopped = true;
            return;
        }
        self.position += 1;
        let position = self.position;
        if seq == 0 {
            // Genesis is known (or not): the checkpoints can now be authenticated.
            let a = authenticate_checkpoints(
                self.admission.registry(),
                self.checkpoints,
                self.options,
                &mut self.f,
                &mut self.witnessing,
            );
            self.pending = Some(a.pending);
            self.trusted = a.trusted;
        }
        if let Some(list) = self.pending.as_mut().and_then(|p| p.remove(&position)) {
            let root = self.frontier.root(&self.hasher);
            for cp in list {
                if cp.root == root {
                    self.checkpoints_verified += 1;
                    if self.options.policy.is_some() {
                        let w = &mut self.witnessing;
                        let witnessed = cp.policy.as_ref().is_some_and(|p| p.met);
                        w.sealed.push(Sealed {
                            index: cp.index,
                            size: position,
                            root,
                            note: cp.summary.note.clone(),
                            witnessed,
                        });
                        if witnessed {
                            w.latest_witnessed.clone_from(&cp.policy);
                        }
                        w.latest.clone_from(&cp.policy);
                    }
                    self.latest_verified = Some(cp.summary);
                    self.future.clear();
                } else {
                    self.f.add(
                        FindingKind::CheckpointMismatch,
                        None,
                        Some(cp.index),
                        format!(
                            "checkpoint {} (size {position}) signs root {}, but the entries give {}",
                            cp.index, cp.root, root
                        ),
                    );
                }
            }
        }
        if let Some((size, root)) = self.trusted {
            if size == position && self.frontier.root(&self.hasher) != root {
                self.witnessing.trusted_mismatch = true;
                self.f.add(
                    FindingKind::TrustedCheckpointMismatch,
                    None,
                    None,
                    format!("the ledger does not extend the trusted checkpoint of size {size}: the first {size} entries have a different root (a fork or rewrite)"),
                );
            }
        }
    }

    fn finish(mut self) -> Report {
        let total = self.position;
        let f = &mut self.f;
        if total == 0 {
            f.add(
                FindingKind::EmptyLedger,
                None,
                None,
                "the ledger holds no entries, not even genesis".into(),
            );
            let a = authenticate_checkpoints(
                self.admission.registry(),
                self.checkpoints,
                self.options,
                f,
                &mut self.witnessing,
            );
            self.pending = Some(a.pending);
            self.trusted = a.trusted;
        }
        // Checkpoints the tree never reached: the log was cut below them.
        for (size, list) in self.pending.take().unwrap_or_default() {
            for cp in list {
                if size > total {
                    f.add(
                        FindingKind::Truncated,
                        None,
                        Some(cp.index),
                        format!("checkpoint {} covers {size} entries, but only {total} are stored: entries were removed", cp.index),
                    );
                } else {
                    // Only size 0 can be left here: a ledger always holds its genesis entry.
                    f.add(
                        FindingKind::CheckpointMismatch,
                        None,
                        Some(cp.index),
                        format!("checkpoint {} signs an empty tree, but a ledger always holds its genesis entry", cp.index),
                    );
                }
            }
        }
        if let Some((size, _)) = self.trusted {
            if size > total {
                f.add(
                    FindingKind::Rollback,
                    None,
                    None,
                    format!("the trusted checkpoint covers {size} entries, but the ledger now holds only {total}: rolled back"),
                );
            }
        }
        // A checkpoint's signature vouches for the logged_at of the entries it covers (the
        // ledger key's holder keeps its own clock; a simulation may run ahead of today): an
        // entry logged in the verifier's future is reported where no verified checkpoint covers
        // it, the unsigned tail an outsider can edit (and which would poison the writer's
        // clock floor).
        let sealed = self.latest_verified.as_ref().map_or(0, |c| c.size);
        let now = self.now;
        for (seq, logged_at) in std::mem::take(&mut self.future) {
            if seq >= sealed {
                f.add(
                    FindingKind::LoggedInFuture,
                    Some(seq),
                    None,
                    format!(
                        "entry {seq} is logged at {} ms, later than the verifier's clock ({} ms) plus the allowed skew, and no checkpoint vouches for it: its logged_at was forged or the ledger's clock is wrong",
                        logged_at.0, now.0
                    ),
                );
            }
        }
        match &self.latest_verified {
            None if total > 0 => f.add(
                FindingKind::NoCheckpoint,
                None,
                None,
                format!("no valid checkpoint covers any of the {total} entries"),
            ),
            Some(c) if c.size < total => f.add(
                FindingKind::Unsealed,
                Some(c.size),
                None,
                format!(
                    "entries {}..{} come after the last valid checkpoint (size {}) and are not yet sealed",
                    c.size,
                    total - 1,
                    c.size
                ),
            ),
            _ => {}
        }
        let witnesses = self.options.policy.as_ref().map(|policy| {
            witness_findings(
                policy,
                &mut self.witnessing,
                self.trusted,
                self.latest_verified.as_ref().map_or(0, |c| c.size),
                total,
                f,
            )
        });
        if self.options.trusted_key.is_none() {
            f.add(
                FindingKind::NoTrustAnchor,
                None,
                None,
                "no trusted verifier key was given: the ledger is self-consistent, but could have been rewritten under another key".into(),
            );
        }
        let verdict = match f.worst {
            None => Verdict::Verified,
            Some(Severity::Unverified) => Verdict::Unverified,
            Some(Severity::Tampering) => Verdict::Tampered,
        };
        Report {
            verdict,
            origin: self
                .admission
                .registry()
                .genesis()
                .map(|g| g.origin.clone()),
            entries: total,
            checkpoints: self.checkpoints.len() as u64,
            checkpoints_verified: self.checkpoints_verified,
            latest_verified: self.latest_verified,
            findings: std::mem::take(&mut f.list),
            findings_omitted: f.omitted,
            witnesses,
            split_views: std::mem::take(&mut self.witnessing.split_views),
        }
    }
}

/// The witness policy's findings at the end of the walk: split views between the trusted
/// checkpoint and the ledger, and the entries no witnessed checkpoint covers.
fn witness_findings(
    policy: &WitnessPolicy,
    w: &mut Witnessing,
    trusted: Option<(u64, Digest)>,
    sealed_size: u64,
    total: u64,
    f: &mut Findings,
) -> WitnessSummary {
    // The ledger does not extend the trusted checkpoint: pair it with the first stored
    // checkpoint (verified against the entries) whose tree holds the trusted size.
    if let (Some((size, root)), Some(note), true) = (trusted, &w.trusted_note, w.trusted_mismatch) {
        let trusted_witnessed = w.trusted.as_ref().is_some_and(|p| p.met);
        let paired = w
            .split_views
            .iter()
            .any(|s| s.checkpoints.iter().any(|c| c.source == TRUSTED));
        let other = w
            .sealed
            .iter()
            .filter(|s| s.size >= size)
            .min_by_key(|s| (!s.witnessed, s.size));
        if let (false, Some(other)) = (paired, other) {
            if trusted_witnessed || other.witnessed {
                let reason = format!(
                    "the ledger's stored checkpoint {} (size {}) does not extend the trusted checkpoint (size {size}): the first {size} entries it signs have another root",
                    other.index, other.size
                );
                push_split_view(
                    w,
                    f,
                    reason,
                    [
                        side(TRUSTED.into(), size, root, trusted_witnessed, note),
                        side(
                            format!("stored checkpoint {}", other.index),
                            other.size,
                            other.root,
                            other.witnessed,
                            &other.note,
                        ),
                    ],
                );
            }
        }
    }
    let from_store = w.latest_witnessed.as_ref().map_or(0, |p| p.size);
    let from_trusted = match trusted {
        Some((size, _)) if !w.trusted_mismatch && size <= total => size,
        _ => 0,
    };
    let witnessed_size = from_store.max(from_trusted);
    if witnessed_size < sealed_size {
        let why = w
            .latest
            .as_ref()
            .and_then(|p| p.why_not.clone())
            .unwrap_or_else(|| "the latest checkpoint's cosignatures could not be counted".into());
        let message = if witnessed_size == 0 {
            format!(
                "no checkpoint meets the witness policy, so entries 0..{} are not witnessed: {why}",
                sealed_size - 1
            )
        } else {
            format!(
                "entries {witnessed_size}..{} come after the latest witnessed checkpoint (size {witnessed_size}) and are not witnessed: {why}",
                sealed_size - 1
            )
        };
        f.add(
            FindingKind::Unwitnessed,
            Some(witnessed_size),
            None,
            message,
        );
    }
    WitnessSummary {
        quorum: policy.describe_quorum(),
        witnessed_size,
        latest_witnessed: w.latest_witnessed.clone(),
        latest: w.latest.clone(),
        trusted: w.trusted.clone(),
    }
}

/// The source name of the trusted checkpoint in a split view.
const TRUSTED: &str = "trusted checkpoint";

fn side(
    source: String,
    size: u64,
    root: Digest,
    witnessed: bool,
    note: &str,
) -> SplitViewCheckpoint {
    SplitViewCheckpoint {
        source,
        size,
        root: root.to_hex(),
        witnessed,
        note: note.to_owned(),
    }
}

fn push_split_view(
    w: &mut Witnessing,
    f: &mut Findings,
    reason: String,
    checkpoints: [SplitViewCheckpoint; 2],
) {
    f.add(
        FindingKind::SplitView,
        None,
        None,
        format!(
            "split view: {reason}; both notes are signed by the ledger key and are in the report as proof"
        ),
    );
    w.split_views.push(SplitView {
        reason,
        checkpoints,
    });
}

#[allow(clippy::too_many_arguments)]
fn check_entry(
    entry: &Entry,
    leaf_hash: &Digest,
    seq: u64,
    prev: &Digest,
    signature_ok: bool,
    last_logged_at: &mut Option<Timestamp>,
    admission: &mut Admission,
    now: Timestamp,
    future: &mut Vec<(u64, Timestamp)>,
    options: &VerifyOptions,
    f: &mut Findings,
) -> Option<(FindingKind, String)> {
    if entry.seq != seq {
        f.add(
            FindingKind::Sequence,
            Some(seq),
            None,
            format!("entry at position {seq} claims sequence number {}: entries were deleted, inserted or reordered", entry.seq),
        );
    }
    if entry.prev != *prev {
        f.add(
            FindingKind::BrokenChain,
            Some(seq),
            None,
            format!(
                "entry {seq} does not chain to the entry before it (prev {} expected {})",
                entry.prev, prev
            ),
        );
    }
    if !signature_ok {
        f.add(
            FindingKind::BadSignature,
            Some(seq),
            None,
            format!(
                "entry {seq}: the signature of {} does not verify",
                entry.statement.statement.author
            ),
        );
    }
    if let Some(last) = *last_logged_at {
        if entry.logged_at < last {
            f.add(
                FindingKind::TimeReversal,
                Some(seq),
                None,
                format!(
                    "entry {seq} was logged at {} ms, before an earlier entry ({} ms): the ledger clock went backwards",
                    entry.logged_at.0, last.0
                ),
            );
        }
    }
    *last_logged_at = Some(last_logged_at.map_or(entry.logged_at, |l| l.max(entry.logged_at)));
    if entry.logged_at > now.plus_millis(options.max_future_skew_ms) {
        // Reported at the end if no verified checkpoint covers the entry (see `finish`);
        // the list is emptied whenever a checkpoint verifies, and bounded.
        if future.len() < options.max_findings.max(1) {
            future.push((seq, entry.logged_at));
        }
    }
    // The one admission rule (crate::admission), judged at the entry's own logged_at. A
    // statement whose signature fails has no effect on the state: a forged KeyAuthorized must
    // not make the forger's later entries look authorized.
    let statement = &entry.statement.statement;
    let case_prev = admission.case_prev(&statement.event);
    if entry.case_prev != case_prev {
        let text = |c: Option<u64>| c.map_or_else(|| "none".to_owned(), |s| format!("entry {s}"));
        f.add(
            FindingKind::CaseLinkBroken,
            Some(seq),
            None,
            format!(
                "entry {seq} links back to {} as the previous entry of its case, but that is {}: an entry of the case was removed, inserted or moved",
                text(entry.case_prev),
                text(case_prev)
            ),
        );
    }
    let admitted = if signature_ok {
        admission.admit(seq, entry.logged_at, statement)
    } else {
        admission.check(seq, entry.logged_at, statement)
    };
    if seq == 0 {
        admission.set_genesis_leaf(*leaf_hash);
    }
    let refusal = admitted.err()?;
    let kind = refusal.finding_kind();
    let message = refusal.to_string();
    f.add(kind, Some(seq), None, message.clone());
    Some((kind, message))
}

/// Authenticated checkpoints, waiting for the tree to reach their sizes.
struct Authenticated {
    /// Stored checkpoints by tree size.
    pending: BTreeMap<u64, Vec<Pending>>,
    /// The auditor's trusted checkpoint: size and root.
    trusted: Option<(u64, Digest)>,
}

/// Parses and authenticates the stored checkpoints (and the trusted one), once genesis is known.
fn authenticate_checkpoints(
    registry: &Registry,
    checkpoints: &[String],
    options: &VerifyOptions,
    f: &mut Findings,
    w: &mut Witnessing,
) -> Authenticated {
    let genesis_key = registry
        .genesis()
        .and_then(|g| NoteVerifier::for_key(&g.origin, g.ledger_key).ok());
    let key = match (&options.trusted_key, genesis_key) {
        (Some(trusted), Some(genesis)) => {
            if trusted.to_string() != genesis.to_string() {
                f.add(
                    FindingKind::WrongLedgerKey,
                    Some(0),
                    None,
                    format!("genesis declares the ledger key {genesis}, but the trusted key is {trusted}"),
                );
            }
            Some(trusted.clone())
        }
        (Some(trusted), None) => Some(trusted.clone()),
        (None, genesis) => genesis,
    };
    let mut pending: BTreeMap<u64, Vec<Pending>> = BTreeMap::new();
    let mut roots: BTreeMap<u64, (u64, Digest)> = BTreeMap::new();
    // With a policy: per size, the first witnessed checkpoint (or the first one), for split views.
    let mut by_size: BTreeMap<u64, (u64, Digest, bool, &str)> = BTreeMap::new();
    for (i, text) in checkpoints.iter().enumerate() {
        let index = i as u64;
        let Some(key) = &key else {
            f.add(
                FindingKind::BadCheckpoint,
                None,
                Some(index),
                format!("checkpoint {index} cannot be authenticated: no valid genesis and no trusted key"),
            );
            continue;
        };
        let verified = SignedCheckpoint::parse(text.as_bytes())
            .map_err(|e| e.to_string())
            .and_then(|s| s.verify(key).map_err(|e| e.to_string()));
        match verified {
            Err(e) => f.add(
                FindingKind::BadCheckpoint,
                None,
                Some(index),
                format!("checkpoint {index} is not valid: {e}"),
            ),
            Ok(v) => {
                let c = v.checkpoint();
                let policy = options
                    .policy
                    .as_ref()
                    .and_then(|p| policy_check(p, v.signed(), Some(index), f));
                if options.policy.is_some() {
                    let witnessed = policy.as_ref().is_some_and(|p| p.met);
                    match by_size.get(&c.size) {
                        Some(&(other, root, other_witnessed, other_note))
                            if root != c.root && (witnessed || other_witnessed) =>
                        {
                            let reason = format!(
                                "stored checkpoints {other} and {index} both sign size {} with different roots",
                                c.size
                            );
                            push_split_view(
                                w,
                                f,
                                reason,
                                [
                                    side(
                                        format!("stored checkpoint {other}"),
                                        c.size,
                                        root,
                                        other_witnessed,
                                        other_note,
                                    ),
                                    side(
                                        format!("stored checkpoint {index}"),
                                        c.size,
                                        c.root,
                                        witnessed,
                                        text,
                                    ),
                                ],
                            );
                        }
                        Some(&(_, _, false, _)) if witnessed => {
                            by_size.insert(c.size, (index, c.root, witnessed, text));
                        }
                        Some(_) => {}
                        None => {
                            by_size.insert(c.size, (index, c.root, witnessed, text));
                        }
                    }
                }
                if let Some((other, root)) = roots.get(&c.size) {
                    if *root != c.root {
                        f.add(
                            FindingKind::Fork,
                            None,
                            Some(index),
                            format!("checkpoints {other} and {index} both sign size {} with different roots", c.size),
                        );
                    }
                } else {
                    roots.insert(c.size, (index, c.root));
                }
                pending.entry(c.size).or_default().push(Pending {
                    index,
                    root: c.root,
                    summary: CheckpointSummary {
                        size: c.size,
                        root: c.root.to_hex(),
                        note: text.clone(),
                    },
                    policy,
                });
            }
        }
    }
    let trusted = options.trusted_checkpoint.as_ref().and_then(|text| {
        let verified = key
            .as_ref()
            .ok_or_else(|| "no key to check it with".to_string())
            .and_then(|k| {
                SignedCheckpoint::parse(text.as_bytes())
                    .map_err(|e| e.to_string())
                    .and_then(|s| s.verify(k).map_err(|e| e.to_string()))
            });
        match verified {
            Ok(v) => {
                let c = v.checkpoint();
                if let Some(p) = &options.policy {
                    w.trusted = policy_check(p, v.signed(), None, f);
                    w.trusted_note = Some(text.clone());
                    let witnessed = w.trusted.as_ref().is_some_and(|p| p.met);
                    // The same size signed with another root in the store.
                    if let Some(&(index, root, stored_witnessed, note)) = by_size.get(&c.size) {
                        if root != c.root && (witnessed || stored_witnessed) {
                            let reason = format!(
                                "the trusted checkpoint and stored checkpoint {index} both sign size {} with different roots",
                                c.size
                            );
                            push_split_view(
                                w,
                                f,
                                reason,
                                [
                                    side(TRUSTED.into(), c.size, c.root, witnessed, text),
                                    side(format!("stored checkpoint {index}"), c.size, root, stored_witnessed, note),
                                ],
                            );
                        }
                    }
                }
                Some((c.size, c.root))
            }
            Err(e) => {
                f.add(
                    FindingKind::TrustedCheckpointMismatch,
                    None,
                    None,
                    format!(
                        "the trusted checkpoint does not verify against this ledger's key: {e}"
                    ),
                );
                None
            }
        }
    });
    Authenticated { pending, trusted }
}

/// The policy's verdict on a log-verified checkpoint (`index`: a stored one; `None`: the
/// trusted one); a bad cosignature of a listed witness is a finding and counts as not
/// witnessed.
fn policy_check(
    policy: &WitnessPolicy,
    signed: &SignedCheckpoint,
    index: Option<u64>,
    f: &mut Findings,
) -> Option<PolicyCheck> {
    match policy.check(signed) {
        Ok(p) => Some(p),
        Err(e) => {
            let which = match index {
                Some(i) => format!("checkpoint {i}"),
                None => "the trusted checkpoint".into(),
            };
            f.add(
                FindingKind::BadCosignature,
                None,
                index,
                format!(
                    "{which} (size {}): {e}: forged or altered",
                    signed.checkpoint().size
                ),
            );
            None
        }
    }
}
