//! The one check pass over a ledger directory: what `liuhen verify` (and `liuhen audit`, the
//! demo, an HTTP service, a C ABI) mean by "check this ledger".
//!
//! [`check_dir`] opens a [`LedgerDir`] once, read-only, with the store's **full check**
//! (docs/STORE.md, R9), and reads each entry **once**: the verifier's parallel decode and
//! signature check ([`crate::verify`]) hands every decoded entry, with the admission rule's
//! verdict on it, to the other checkers —
//!
//! * the integrity walker itself (chain, registry and the one [`crate::admission`] rule,
//!   recording sessions and holds included, Merkle roots at every checkpoint);
//! * media custody and the media references, whose files are then compared with their digests
//!   in one final step (Art. 21(2), 21(5));
//! * the audit against the regulation ([`crate::audit`]), when asked, which keeps the
//!   `logged_at` of each entry compactly instead of reading entries again.
//!
//! The store's own health (deleted files, damaged records, uncommitted tails, deleted
//! checkpoints: [`crate::verify::store_damage`]) is part of the result. The verdict is computed
//! from the findings and cannot be set by a caller; [`CheckReport::outcome`] says what it
//! means without an exit code, and the report serialises to the JSON `liuhen verify --json`
//! prints (schema [`JSON_SCHEMA`], docs/CLI.md).
//!
//! Errors ([`CheckError`]) are what prevents checking (no such directory, an unreadable key or
//! checkpoint file, an invalid audit profile). Everything found *in* the ledger is a finding.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): reads the auditor's verifier-key and checkpoint files and checks that the directories asked for exist.
#![allow(clippy::disallowed_methods)]

pub mod render;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::audit::{AuditError, AuditOptions, AuditReport, Auditor, Profile};
use crate::checkpoint::{NoteVerifier, SignatureType, SignedCheckpoint, MAX_NOTE_BYTES};
use crate::dir::{DirError, LedgerDir};
use crate::entry::Entry;
use crate::hash::Digest;
use crate::keyfile::KeyFileError;
use crate::media::{
    bound_findings, MediaBackend, MediaError, MediaObserver, MediaStore, MediaVerifyOptions,
};
use crate::model::Timestamp;
use crate::policy::WitnessPolicy;
use crate::store::file::{Access, Check, FileStore, FileStoreError, OpenOptions};
use crate::store::StoreRead;
use crate::verify::{
    store_damage, verify_store_observed, EntryObserver, Finding, FindingKind, Report, Severity,
    Verdict, VerifyOptions,
};

/// The schema identifier of the JSON form; changes only when a field changes meaning or goes.
pub const JSON_SCHEMA: &str = "liuhen-verify/1";

/// Why a ledger directory could not be checked (never a finding about the ledger).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// The directory does not exist.
    #[error("{0}: no such ledger directory")]
    NoSuchDir(PathBuf),
    /// Not a ledger directory, or a part of it could not be opened.
    #[error(transparent)]
    Dir(#[from] DirError),
    /// The store could not be opened for its full check.
    #[error(transparent)]
    Store(#[from] FileStoreError),
    /// The media directory given does not exist (opening it would create it: a typo must not
    /// pass as an empty media directory).
    #[error("{0}: no such media directory")]
    NoSuchMediaDir(PathBuf),
    /// The media store could not be opened.
    #[error(transparent)]
    Media(#[from] MediaError),
    /// The verifier key file could not be read.
    #[error(transparent)]
    Vkey(#[from] KeyFileError),
    /// The verifier key is a witness key, which cannot sign a ledger.
    #[error("{path}: {name} is a witness key (cosignature/v1), not a ledger's verifier key")]
    WitnessKey {
        /// The key file.
        path: PathBuf,
        /// The key's name.
        name: String,
    },
    /// The saved checkpoint file could not be read.
    #[error("{path}: {source}")]
    CheckpointIo {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The saved checkpoint file is not a signed checkpoint.
    #[error("{path} is not a signed checkpoint: {reason}")]
    NotACheckpoint {
        /// The file.
        path: PathBuf,
        /// Why not.
        reason: String,
    },
    /// The audit profile is not usable.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// A witness key file could not be read.
    #[error(transparent)]
    Witness(Box<crate::proven::ProvenError>),
}

impl From<crate::proven::ProvenError> for CheckError {
    fn from(e: crate::proven::ProvenError) -> Self {
        CheckError::Witness(Box::new(e))
    }
}

impl CheckError {
    /// Whether opening failed because the ledger's records were found damaged: tampering, to
    /// be reported as such, never as an I/O error.
    pub fn is_tampering(&self) -> bool {
        matches!(self, CheckError::Dir(e) if e.is_tampering())
    }
}

/// The verifier key the ledger is checked against, as the auditor obtained it.
#[derive(Clone, Debug, Serialize)]
pub struct TrustAnchor {
    /// The file it was read from.
    #[serde(serialize_with = "lossy_path")]
    pub file: PathBuf,
    /// The key (C2SP vkey text).
    pub vkey: String,
}

/// A trusted verifier key read by [`read_vkey`].
#[derive(Clone, Debug)]
pub struct TrustedKey {
    /// The key.
    pub key: NoteVerifier,
    /// Where it came from, for the report.
    pub anchor: TrustAnchor,
}

/// Reads the auditor's verifier key file (C2SP vkey): the one reader every adapter uses. A
/// witness key is refused, since it cannot sign a ledger.
///
/// # Errors
/// [`CheckError::Vkey`] (unreadable or not a vkey) or [`CheckError::WitnessKey`].
pub fn read_vkey(path: &Path) -> Result<TrustedKey, CheckError> {
    let key = crate::keyfile::read_verifier_key(path)?;
    if key.signature_type() != SignatureType::Ed25519 {
        return Err(CheckError::WitnessKey {
            path: path.to_path_buf(),
            name: key.name().to_owned(),
        });
    }
    Ok(TrustedKey {
        anchor: TrustAnchor {
            file: path.to_path_buf(),
            vkey: key.to_string(),
        },
        key,
    })
}

/// The auditor's saved checkpoint, as the file states it (not a claim that it verified).
#[derive(Clone, Debug, Serialize)]
pub struct TrustedCheckpoint {
    /// The file it was read from.
    #[serde(serialize_with = "lossy_path")]
    pub file: PathBuf,
    /// The origin it names.
    pub origin: String,
    /// The tree size it names.
    pub size: u64,
    /// The root it names, hex.
    pub root: String,
}

/// A saved checkpoint read by [`read_checkpoint`]: its text for the verifier, its fields for
/// the report.
#[derive(Clone, Debug)]
pub struct SavedCheckpoint {
    /// The signed note text.
    pub text: String,
    /// Its fields as written.
    pub summary: TrustedCheckpoint,
}

/// Reads the auditor's saved checkpoint file (a C2SP signed note, at most
/// [`MAX_NOTE_BYTES`]): the one reader every adapter uses. Its signature is checked by the
/// check pass, against the ledger's key.
///
/// # Errors
/// [`CheckError::CheckpointIo`] or [`CheckError::NotACheckpoint`].
pub fn read_checkpoint(path: &Path) -> Result<SavedCheckpoint, CheckError> {
    let io = |source| CheckError::CheckpointIo {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_NOTE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let not = |reason: String| CheckError::NotACheckpoint {
        path: path.to_path_buf(),
        reason,
    };
    let signed = SignedCheckpoint::parse(&bytes).map_err(|e| not(e.to_string()))?;
    let c = signed.checkpoint();
    let summary = TrustedCheckpoint {
        file: path.to_path_buf(),
        origin: c.origin.clone(),
        size: c.size,
        root: c.root.to_hex(),
    };
    let text = String::from_utf8(bytes).map_err(|_| not("not UTF-8".into()))?;
    Ok(SavedCheckpoint { text, summary })
}

/// Where media files are checked.
#[derive(Clone, Debug, Default)]
pub enum MediaSource {
    /// `DIR/media`; if the directory is gone, every referenced file is missing.
    #[default]
    Default,
    /// This directory, which must exist.
    Dir(PathBuf),
    /// Not checked: the result is then at best unverified (`media_not_checked`).
    Skip,
}

/// An audit to run in the same pass, on a ledger whose integrity holds.
#[derive(Clone, Debug)]
pub struct AuditRequest {
    /// The profile (default: the regulation's).
    pub profile: Profile,
    /// As of when, and whether with timelines.
    pub options: AuditOptions,
}

/// What to check a ledger against.
#[derive(Clone)]
pub struct CheckOptions<'a> {
    /// The auditor's verifier key ([`read_vkey`]); without it the result is at best unverified.
    pub vkey: Option<TrustedKey>,
    /// The auditor's saved checkpoint ([`read_checkpoint`]): the ledger must still extend it.
    pub checkpoint: Option<SavedCheckpoint>,
    /// Where media files are checked.
    pub media: MediaSource,
    /// Findings listed per checker (ledger, media); the rest are counted (default 1000).
    pub max_findings: usize,
    /// The checker's clock reading (entries logged later are suspect); `None`: the system clock.
    pub now: Option<Timestamp>,
    /// The audit to run as well; `None`: integrity only.
    pub audit: Option<AuditRequest>,
    /// Called now and then with the entries read so far and the entries in the store (a
    /// progress bar).
    pub progress: Option<&'a (dyn Fn(u64, u64) + Sync)>,
    /// The auditor's witness policy ([`crate::policy::read_policy`]): with one, the result is
    /// verified only if the checkpoint relied on meets the quorum or the ledger extends the
    /// saved checkpoint ([`VerifyOptions::policy`]). `None`: witnesses are not checked (the
    /// report says so).
    pub policy: Option<WitnessPolicy>,
    /// Witness keys whose cosignatures on stored checkpoints are time evidence
    /// ([`crate::proven`]); `None`: [`check_dir`] reads the directory's `witness*.vkey` files.
    pub witnesses: Option<Vec<NoteVerifier>>,
    /// TSA token times the caller verified, over checkpoints (by size and root).
    pub tsa_times: Vec<crate::proven::TsaTime>,
    /// The TSA root(s) the auditor trusts (`--tsa-root`): with them, [`check_dir`] verifies
    /// every token stored in `DIR/timestamps/` ([`stored_timestamps`]) and counts each verified
    /// one as proven-before evidence; a forged token is tampering, one that cannot be checked
    /// leaves the result unverified. `None`: tokens are not used (the report says so).
    pub tsa_roots: Option<crate::timestamp::TsaRoots>,
}

impl Default for CheckOptions<'_> {
    fn default() -> Self {
        CheckOptions {
            vkey: None,
            checkpoint: None,
            media: MediaSource::Default,
            max_findings: 1000,
            now: None,
            audit: None,
            progress: None,
            policy: None,
            witnesses: None,
            tsa_times: Vec::new(),
            tsa_roots: None,
        }
    }
}

/// Whether and where media files were checked.
#[derive(Clone, Debug, Serialize)]
pub struct MediaSummary {
    /// Whether media files were compared with their digests.
    pub checked: bool,
    /// The media directory used.
    #[serde(serialize_with = "lossy_opt_path")]
    pub dir: Option<PathBuf>,
    /// Why not, when they were not.
    pub reason: Option<String>,
}

/// What the full check of the store's files found (`docs/STORE.md`, R9).
#[derive(Clone, Debug, Default, Serialize)]
pub struct StoreSummary {
    /// Entries the store's index holds (the verifier stops reading at the first unreadable one).
    pub entries_indexed: u64,
    /// Records of the store's files that are not what an append would have written.
    pub tampering: Vec<StoreDamage>,
    /// Such records beyond those listed.
    pub tampering_omitted: u64,
    /// Bytes of an interrupted append at the end of a log (a crash leftover, ignored).
    pub torn_bytes: u64,
    /// Indexed records whose frame is cut off at the end of a log: committed records lost,
    /// which a crash does not explain.
    pub dropped_records: u64,
}

/// One damaged record of the store's files.
#[derive(Clone, Debug, Serialize)]
pub struct StoreDamage {
    /// The file.
    #[serde(serialize_with = "lossy_path")]
    pub file: PathBuf,
    /// Entry sequence number or checkpoint index, where known.
    pub record: Option<u64>,
    /// Byte offset in the file, where known.
    pub offset: Option<u64>,
    /// What is wrong, in one sentence.
    pub message: String,
}

/// What a check means, for an adapter to map onto its own codes (the CLI's exit codes, an
/// HTTP status).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Everything was checked, nothing is wrong, and the audit (if run) found no violation.
    Verified,
    /// Integrity verified, but the audit found violations of the regulation.
    ComplianceFindings,
    /// Nothing was found wrong, but not everything could be checked.
    Unverified,
    /// Integrity is broken.
    Tampered,
}

impl From<Verdict> for Outcome {
    /// The outcome of an integrity verdict alone (no audit): a bundle's, a proof's.
    fn from(verdict: Verdict) -> Self {
        match verdict {
            Verdict::Verified => Outcome::Verified,
            Verdict::Unverified => Outcome::Unverified,
            Verdict::Tampered => Outcome::Tampered,
        }
    }
}

impl Outcome {
    /// The exit code of `liuhen` for this outcome (docs/CLI.md: 0, 2, 4, 1), which the
    /// `liuhen-verify/1` JSON also carries.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Verified => 0,
            Outcome::Tampered => 1,
            Outcome::ComplianceFindings => 2,
            Outcome::Unverified => 4,
        }
    }
}

/// What the audit found, in brief (the full report is [`CheckReport::audit`]).
#[derive(Clone, Debug, Serialize)]
pub struct AuditBrief {
    /// The profile applied.
    pub profile: String,
    /// The time the audit is as of (ms since the Unix epoch).
    pub as_of: i64,
    /// Violations found.
    pub violations: u64,
    /// Warnings found.
    pub warnings: u64,
    /// Notices found.
    pub notices: u64,
    /// Violations by article (articles with none are left out).
    pub violations_by_article: BTreeMap<String, u64>,
}

impl AuditBrief {
    /// The brief of a full audit report.
    pub fn of(report: &AuditReport) -> Self {
        AuditBrief {
            profile: report.profile.clone(),
            as_of: report.as_of.0,
            violations: report.summary.violations,
            warnings: report.summary.warnings,
            notices: report.summary.notices,
            violations_by_article: report
                .supervision
                .by_article
                .iter()
                .filter(|(_, c)| c.violation > 0)
                .map(|(a, c)| (a.clone(), c.violation))
                .collect(),
        }
    }
}

/// The result of one check pass. Read-only: the verdict is the checkers', computed from every
/// finding (listed or only counted).
#[derive(Clone, Debug)]
pub struct CheckReport {
    dir: PathBuf,
    report: Report,
    trust_anchor: Option<TrustAnchor>,
    trusted_checkpoint: Option<TrustedCheckpoint>,
    media: MediaSummary,
    store: StoreSummary,
    audit: Option<AuditReport>,
    entries_read: u64,
    proven: Option<std::sync::Arc<crate::proven::ProvenBefore>>,
    timestamps: Option<TimestampSummary>,
}

/// What the check pass did with the RFC 3161 tokens stored in `DIR/timestamps/`
/// (`verify --json`, member `timestamps`; absent when there are none and no root was given).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TimestampSummary {
    /// Token files found.
    pub tokens: u64,
    /// Whether they were checked (a TSA root was given).
    pub checked: bool,
    /// Tokens that verified (signature, chain to the root at `genTime`, imprint over a stored
    /// checkpoint).
    pub verified: u64,
    /// Tokens that are forged or altered (tampering findings).
    pub forged: u64,
    /// Tokens that could not be checked (unverified findings).
    pub unchecked: u64,
    /// Why they were not used, when they were not.
    pub reason: Option<String>,
}

/// The stored tokens of a ledger directory checked against `roots` ([`stored_timestamps`]).
#[derive(Clone, Debug, Default)]
pub struct StoredTimestamps {
    /// The verified tokens' times, for [`CheckOptions::tsa_times`].
    pub times: Vec<crate::proven::TsaTime>,
    /// One finding per token that does not verify: [`FindingKind::BadTimestamp`] (tampering)
    /// or [`FindingKind::TimestampUnverified`].
    pub findings: Vec<Finding>,
    /// The counts.
    pub summary: TimestampSummary,
}

/// Checks the tokens stored in `ledger_dir/timestamps/` against the checkpoints of `store`
/// ([`crate::timestamp::check_stored_tokens`]) with the trusted `roots`; without roots, only
/// counts them (they prove nothing then). A token whose error
/// [is tampering](crate::timestamp::TimestampError::is_tampering) is a
/// [`FindingKind::BadTimestamp`]; any other failure, including an unreadable token directory,
/// a [`FindingKind::TimestampUnverified`] saying why.
pub fn stored_timestamps(
    ledger_dir: &Path,
    store: &dyn StoreRead,
    roots: Option<&crate::timestamp::TsaRoots>,
) -> StoredTimestamps {
    let finding = |e: &crate::timestamp::TimestampError, what: String| {
        let kind = if e.is_tampering() {
            FindingKind::BadTimestamp
        } else {
            FindingKind::TimestampUnverified
        };
        Finding {
            kind,
            severity: kind.severity(),
            seq: None,
            checkpoint: None,
            message: format!("{what}: {e}"),
        }
    };
    let mut out = StoredTimestamps::default();
    let Some(roots) = roots else {
        out.summary.tokens = crate::timestamp::stored_tokens(ledger_dir)
            .map(|t| t.len() as u64)
            .unwrap_or_default();
        out.summary.reason = (out.summary.tokens > 0).then(|| {
            "no TSA root given (--tsa-root): the stored timestamp tokens prove no time".to_owned()
        });
        return out;
    };
    out.summary.checked = true;
    let checks = match crate::timestamp::check_stored_tokens(ledger_dir, store, roots) {
        Ok(checks) => checks,
        Err(e) => {
            let f = finding(&e, "the stored timestamp tokens cannot be checked".into());
            match f.kind {
                FindingKind::BadTimestamp => out.summary.forged += 1,
                _ => out.summary.unchecked += 1,
            }
            out.findings.push(f);
            return out;
        }
    };
    out.summary.tokens = checks.len() as u64;
    for c in checks {
        let name = c
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match (c.outcome, c.checkpoint) {
            (Ok(v), Some(cp)) => {
                out.summary.verified += 1;
                out.times.push(crate::proven::TsaTime {
                    size: cp.size,
                    root: cp.root,
                    time: v.gen_time,
                    tsa: v.tsa_subject,
                });
            }
            (Ok(_), None) => {} // check_stored_tokens verifies only matched tokens.
            (Err(e), cp) => {
                let what = match cp {
                    Some(cp) => format!(
                        "timestamp token {name} (over the checkpoint of size {})",
                        cp.size
                    ),
                    None => format!("timestamp token {name}"),
                };
                let f = finding(&e, what);
                match f.kind {
                    FindingKind::BadTimestamp => out.summary.forged += 1,
                    _ => out.summary.unchecked += 1,
                }
                out.findings.push(f);
            }
        }
    }
    out
}

impl CheckReport {
    /// What was done with the stored timestamp tokens, if there are any or a root was given.
    pub fn timestamps(&self) -> Option<&TimestampSummary> {
        self.timestamps.as_ref()
    }
    /// The proven-before times of the entries, when time evidence was found (and integrity is
    /// not broken).
    pub fn proven_before(&self) -> Option<&crate::proven::ProvenBefore> {
        self.proven.as_deref()
    }
    /// The ledger directory checked.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    /// Ledger, media and store results merged.
    pub fn report(&self) -> &Report {
        &self.report
    }
    /// The integrity verdict.
    pub fn verdict(&self) -> Verdict {
        self.report.verdict
    }
    /// The outcome: the verdict, and the audit's violations when integrity verified.
    pub fn outcome(&self) -> Outcome {
        let violations = self
            .audit
            .as_ref()
            .is_some_and(|a| a.summary.violations > 0);
        match self.report.verdict {
            Verdict::Verified if violations => Outcome::ComplianceFindings,
            verdict => Outcome::from(verdict),
        }
    }
    /// The trusted verifier key, if one was given.
    pub fn trust_anchor(&self) -> Option<&TrustAnchor> {
        self.trust_anchor.as_ref()
    }
    /// The trusted checkpoint, if one was given (its fields as written).
    pub fn trusted_checkpoint(&self) -> Option<&TrustedCheckpoint> {
        self.trusted_checkpoint.as_ref()
    }
    /// Whether and where media files were checked.
    pub fn media(&self) -> &MediaSummary {
        &self.media
    }
    /// What the full check of the store's files found.
    pub fn store(&self) -> &StoreSummary {
        &self.store
    }
    /// The audit, if one was asked for and the ledger's integrity allowed it (a tampered
    /// ledger, or one not every entry of which could be read, is not audited).
    pub fn audit(&self) -> Option<&AuditReport> {
        self.audit.as_ref()
    }
    /// The audit, taken out of the report.
    pub fn into_audit(self) -> Option<AuditReport> {
        self.audit
    }
    /// Entries read from the store by the pass: each entry once.
    pub fn entries_read(&self) -> u64 {
        self.entries_read
    }

    /// Hints for the findings that most often come from a mix-up rather than an attack (a key
    /// or a saved checkpoint of another ledger). Text from the ledger and the key file is
    /// quoted as it is: an adapter that prints to a terminal escapes control characters.
    pub fn notes(&self) -> Vec<String> {
        let r = &self.report;
        let mut notes = Vec::new();
        if let (Some(t), Some(origin)) = (&self.trust_anchor, &r.origin) {
            let name = t.vkey.split('+').next().unwrap_or_default();
            if name != origin {
                notes.push(format!(
                    "the key given with --vkey is named {name}, but this ledger's origin is {origin}: is it the key of another ledger?"
                ));
            } else if r.has(FindingKind::WrongLedgerKey) {
                notes.push("the ledger's genesis declares another key under the same name: the ledger was rewritten under a new key, or the key file is not the one this ledger was created with".into());
            }
        }
        if let (Some(c), Some(origin)) = (&self.trusted_checkpoint, &r.origin) {
            if &c.origin != origin {
                notes.push(format!(
                    "the saved checkpoint is of ledger {}, not of this ledger ({origin}): either it is the wrong file, or this is not the ledger verified before",
                    c.origin
                ));
            }
        }
        notes
    }

    /// The listed findings grouped by kind, tampering before unverified, each group and each
    /// finding in order of first appearance.
    pub fn finding_groups(&self) -> Vec<FindingGroup<'_>> {
        let mut groups: Vec<FindingGroup<'_>> = Vec::new();
        for f in &self.report.findings {
            match groups.iter_mut().find(|g| g.kind == f.kind) {
                Some(g) => g.findings.push(f),
                None => groups.push(FindingGroup {
                    kind: f.kind,
                    severity: f.severity,
                    findings: vec![f],
                }),
            }
        }
        // Stable: groups of one severity keep their order of first appearance.
        groups.sort_by_key(|g| std::cmp::Reverse(g.severity));
        groups
    }
}

/// The findings of one kind ([`CheckReport::finding_groups`]).
#[derive(Clone, Debug)]
pub struct FindingGroup<'a> {
    /// The kind.
    pub kind: FindingKind,
    /// Its severity.
    pub severity: Severity,
    /// The findings listed, in order.
    pub findings: Vec<&'a Finding>,
}

impl Serialize for CheckReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = &self.report;
        JsonReport {
            schema: JSON_SCHEMA,
            verdict: r.verdict,
            exit_code: self.outcome().exit_code(),
            ledger: &self.dir,
            origin: &r.origin,
            entries: r.entries,
            checkpoints: r.checkpoints,
            checkpoints_verified: r.checkpoints_verified,
            latest_verified: &r.latest_verified,
            findings: r
                .findings
                .iter()
                .map(|f| JsonFinding {
                    finding: f,
                    article: f.kind.article(),
                })
                .collect(),
            findings_omitted: r.findings_omitted,
            trust_anchor: &self.trust_anchor,
            trusted_checkpoint: &self.trusted_checkpoint,
            media: &self.media,
            store: &self.store,
            audit: self.audit.as_ref().map(AuditBrief::of),
            witnesses: &r.witnesses,
            split_views: r.witnesses.is_some().then_some(r.split_views.as_slice()),
            proven_before: self.proven.as_ref().and_then(|p| {
                Some(JsonProven {
                    summary: p.summary()?,
                    timestamps: p
                        .items()
                        .iter()
                        .filter(|e| matches!(e.source, crate::proven::TimeSource::Timestamp { .. }))
                        .collect(),
                })
            }),
            timestamps: &self.timestamps,
        }
        .serialize(s)
    }
}

/// The JSON form (docs/CLI.md, `liuhen-verify/1`).
#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    verdict: Verdict,
    exit_code: u8,
    #[serde(serialize_with = "lossy_path")]
    ledger: &'a Path,
    origin: &'a Option<String>,
    entries: u64,
    checkpoints: u64,
    checkpoints_verified: u64,
    latest_verified: &'a Option<crate::verify::CheckpointSummary>,
    findings: Vec<JsonFinding<'a>>,
    findings_omitted: u64,
    trust_anchor: &'a Option<TrustAnchor>,
    trusted_checkpoint: &'a Option<TrustedCheckpoint>,
    media: &'a MediaSummary,
    store: &'a StoreSummary,
    audit: Option<AuditBrief>,
    /// Present only with a witness policy, as `split_views`: without one, the members are
    /// exactly those `liuhen-verify/1` always had.
    #[serde(skip_serializing_if = "Option::is_none")]
    witnesses: &'a Option<crate::verify::WitnessSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    split_views: Option<&'a [crate::verify::SplitView]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proven_before: Option<JsonProven<'a>>,
    /// Present only when tokens are stored or a TSA root was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamps: &'a Option<TimestampSummary>,
}

/// `proven_before`: the summary as it always was, plus the TSA evidence counted.
#[derive(Serialize)]
struct JsonProven<'a> {
    #[serde(flatten)]
    summary: crate::proven::ProvenSummary,
    /// Every verified TSA time counted (size, time, source), smallest checkpoint first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    timestamps: Vec<&'a crate::proven::TimeEvidence>,
}

/// A finding and the article it concerns.
#[derive(Serialize)]
struct JsonFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    article: Option<&'static str>,
}

/// A path as JSON text, whatever its bytes (lossy for a path that is not UTF-8).
fn lossy_path<P: AsRef<Path>, S: serde::Serializer>(path: &P, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.as_ref().to_string_lossy())
}

fn lossy_opt_path<S: serde::Serializer>(path: &Option<PathBuf>, s: S) -> Result<S::Ok, S::Error> {
    match path {
        Some(p) => lossy_path(p, s),
        None => s.serialize_none(),
    }
}

/// Checks the ledger directory `dir`: the store's files (full check), every entry once
/// (integrity, admission, media custody, the audit if asked), then the media files.
///
/// # Errors
/// What prevents checking: `dir` missing or not a ledger directory, the store not openable,
/// the media directory given missing, the audit profile invalid. Deleted store files are a
/// finding (tampering), not an error.
pub fn check_dir(dir: &LedgerDir, options: &CheckOptions<'_>) -> Result<CheckReport, CheckError> {
    if !dir.root().exists() {
        return Err(CheckError::NoSuchDir(dir.root().to_path_buf()));
    }
    let trust_anchor = options.vkey.as_ref().map(|k| k.anchor.clone());
    let trusted_checkpoint = options.checkpoint.as_ref().map(|c| c.summary.clone());
    // A deleted store file is destruction of the record, not a usage error.
    let missing = store_damage::missing_files(&dir.store_dir());
    if !missing.is_empty() {
        return Ok(destroyed_store(
            dir,
            missing,
            trust_anchor,
            trusted_checkpoint,
        ));
    }
    dir.require_store()?;
    let store = FileStore::open_with(
        dir.store_dir(),
        &OpenOptions {
            access: Access::ReadOnly,
            check: Check::Full,
            ..OpenOptions::default()
        },
    )
    .map_err(|e| CheckError::Dir(DirError::Store(e)))?;
    let summary = store_summary(&store);
    let damage = store_damage::store_damage(&store);
    let (media_store, media) = open_media(dir, &options.media)?;
    let tokens = stored_timestamps(dir.root(), &store, options.tsa_roots.as_ref());
    let mut with_evidence = options.clone();
    if with_evidence.witnesses.is_none() {
        with_evidence.witnesses = Some(crate::proven::witness_keys(dir, &[])?);
    }
    with_evidence.tsa_times.extend(tokens.times);
    let backend = media_store.as_ref().map(|m| m as &dyn MediaBackend);
    let mut out = check_store(&store, backend, &with_evidence)?;
    out.report.add_findings(tokens.findings);
    out.timestamps =
        (tokens.summary.tokens > 0 || tokens.summary.checked).then_some(tokens.summary);
    let deleted = store_damage::checkpoints_deleted(
        &out.report,
        trusted_checkpoint
            .as_ref()
            .and_then(|c| Some((c.size, Digest::from_hex(&c.root)?))),
        &damage,
    );
    out.report.add_findings(damage.findings);
    out.report.add_findings(deleted);
    out.report.findings_omitted += summary.tampering_omitted;
    if out.report.verdict == Verdict::Tampered {
        out.audit = None;
        out.proven = None;
    }
    out.dir = dir.root().to_path_buf();
    out.media = media;
    out.store = summary;
    Ok(out)
}

/// The one pass over a ledger in any [`StoreRead`]: every entry read once, through the verifier,
/// media custody and the audit (if asked); then the media files in `media` (none given: one
/// `media_not_checked` finding if the ledger references media). The store's own files are not
/// examined ([`check_dir`] does that); `options.media` is ignored.
///
/// # Errors
/// [`CheckError::Audit`] if the audit profile is invalid.
pub fn check_store<S: StoreRead + ?Sized>(
    store: &S,
    media: Option<&dyn MediaBackend>,
    options: &CheckOptions<'_>,
) -> Result<CheckReport, CheckError> {
    let max_findings = options.max_findings;
    let (proven, time_findings) = time_evidence(store, options);
    let auditor = options
        .audit
        .as_ref()
        .map(|a| {
            Auditor::new(&a.profile, &a.options)
                .map(|au| proven.iter().fold(au, |au, p| au.with_proven(p.clone())))
        })
        .transpose()?;
    let mut pass = Pass {
        media: MediaObserver::default(),
        auditor,
        unlawful: BTreeMap::new(),
        observed: 0,
        complete: true,
        progress: options.progress,
        // The verifier reports a store that cannot tell its size.
        total: store.size().unwrap_or(0),
    };
    let verify_options = VerifyOptions {
        trusted_key: options.vkey.as_ref().map(|k| k.key.clone()),
        trusted_checkpoint: options.checkpoint.as_ref().map(|c| c.text.clone()),
        max_findings,
        now: options.now,
        policy: options.policy.clone(),
        ..VerifyOptions::default()
    };
    let mut report = verify_store_observed(store, &verify_options, &mut pass);
    report.add_findings(time_findings);
    if let Some(progress) = pass.progress {
        progress(pass.observed, pass.total);
    }
    let media_options = MediaVerifyOptions {
        max_findings,
        ..MediaVerifyOptions::default()
    };
    report.add_findings(bound_findings(
        pass.media.check_files(media, &media_options),
        max_findings,
    ));
    let audit = match pass.auditor {
        // The audit of a tampered ledger would judge records that are not what was recorded;
        // an audit is never made from part of a ledger.
        Some(a) if report.verdict != Verdict::Tampered && pass.complete => {
            Some(a.finish(&pass.unlawful))
        }
        _ => None,
    };
    Ok(CheckReport {
        dir: PathBuf::new(),
        trust_anchor: options.vkey.as_ref().map(|k| k.anchor.clone()),
        trusted_checkpoint: options.checkpoint.as_ref().map(|c| c.summary.clone()),
        media: match media {
            Some(ms) => MediaSummary {
                checked: true,
                dir: Some(PathBuf::from(ms.location())),
                reason: None,
            },
            None => MediaSummary {
                checked: false,
                dir: None,
                reason: Some("no media directory was given".into()),
            },
        },
        store: StoreSummary {
            entries_indexed: store.size().unwrap_or(0),
            ..StoreSummary::default()
        },
        audit,
        entries_read: pass.observed,
        proven: proven.filter(|_| report.verdict != Verdict::Tampered),
        timestamps: None,
        report,
    })
}

/// The proven-before index of `store` from the witnesses and TSA times of `options` (checkpoints
/// authenticated with the trusted key, else the genesis key), and a finding for each
/// cosignature of a listed witness that does not verify: forged time evidence.
fn time_evidence<S: StoreRead + ?Sized>(
    store: &S,
    options: &CheckOptions<'_>,
) -> (
    Option<std::sync::Arc<crate::proven::ProvenBefore>>,
    Vec<Finding>,
) {
    let witnesses = options.witnesses.as_deref().unwrap_or_default();
    let log_key = options
        .vkey
        .as_ref()
        .map(|k| k.key.clone())
        .or_else(|| crate::proven::genesis_key(store));
    let Some(log_key) = log_key else {
        return (None, Vec::new());
    };
    let Ok(evidence) = crate::proven::gather_store(store, &log_key, witnesses, &options.tsa_times)
    else {
        return (None, Vec::new()); // An unreadable checkpoint is the verifier's finding.
    };
    let findings = evidence
        .rejected()
        .iter()
        .filter(|r| r.checkpoint.is_some())
        .map(|r| Finding {
            kind: FindingKind::BadCheckpoint,
            severity: FindingKind::BadCheckpoint.severity(),
            seq: None,
            checkpoint: r.checkpoint,
            message: format!(
                "checkpoint {} (size {}) carries a {} that does not verify, so it is not time evidence: {}",
                r.checkpoint.unwrap_or_default(),
                r.size,
                r.source,
                r.reason
            ),
        })
        .collect();
    let proven = evidence.proven_before();
    (
        (!proven.is_empty()).then(|| std::sync::Arc::new(proven)),
        findings,
    )
}

/// The checkers fed by the verifier's one pass.
struct Pass<'p, 'a> {
    media: MediaObserver,
    auditor: Option<Auditor<'p>>,
    /// The admission rule's refusals of `MediaPurged` entries, for the audit.
    unlawful: BTreeMap<u64, String>,
    observed: u64,
    /// Whether every entry so far decoded.
    complete: bool,
    progress: Option<&'a (dyn Fn(u64, u64) + Sync)>,
    total: u64,
}

impl EntryObserver for Pass<'_, '_> {
    fn observe(&mut self, seq: u64, entry: Option<&Entry>, refusal: Option<(FindingKind, &str)>) {
        self.observed += 1;
        if let Some(progress) = self.progress {
            if self.observed.is_multiple_of(1024) {
                progress(self.observed, self.total);
            }
        }
        let Some(entry) = entry else {
            self.complete = false;
            return;
        };
        self.media.observe(seq, entry);
        if let Some(auditor) = &mut self.auditor {
            if let Some((FindingKind::MediaPurgeUnlawful, message)) = refusal {
                self.unlawful
                    .entry(seq)
                    .or_insert_with(|| message.to_owned());
            }
            auditor.observe(seq, entry);
        }
    }
}

/// The report on a store some of whose files were deleted: nothing in it can be read as a
/// ledger, and the deletion itself is the finding.
fn destroyed_store(
    dir: &LedgerDir,
    missing: Vec<(PathBuf, &'static str)>,
    trust_anchor: Option<TrustAnchor>,
    trusted_checkpoint: Option<TrustedCheckpoint>,
) -> CheckReport {
    let findings = store_damage::missing_file_findings(&missing);
    CheckReport {
        dir: dir.root().to_path_buf(),
        report: Report {
            verdict: Verdict::Tampered,
            origin: None,
            entries: 0,
            checkpoints: 0,
            checkpoints_verified: 0,
            latest_verified: None,
            findings,
            findings_omitted: 0,
            witnesses: None,
            split_views: Vec::new(),
        },
        trust_anchor,
        trusted_checkpoint,
        media: MediaSummary {
            checked: false,
            dir: None,
            reason: Some("the store could not be read".into()),
        },
        store: StoreSummary {
            tampering: missing
                .into_iter()
                .map(|(file, why)| StoreDamage {
                    message: format!("{} {why}", file.display()),
                    file,
                    record: None,
                    offset: None,
                })
                .collect(),
            ..StoreSummary::default()
        },
        audit: None,
        entries_read: 0,
        proven: None,
        timestamps: None,
    }
}

fn open_media(
    dir: &LedgerDir,
    source: &MediaSource,
) -> Result<(Option<MediaStore>, MediaSummary), CheckError> {
    let checked = |dir: PathBuf| MediaSummary {
        checked: true,
        dir: Some(dir),
        reason: None,
    };
    match source {
        MediaSource::Skip => Ok((
            None,
            MediaSummary {
                checked: false,
                dir: None,
                reason: Some("--no-media was given".into()),
            },
        )),
        MediaSource::Default => match dir.media()? {
            Some(ms) => {
                let root = ms.root().to_path_buf();
                Ok((Some(ms), checked(root)))
            }
            // The ledger's own media directory deleted: every file it should hold is missing
            // (Art. 21(5)), unless lawfully purged; only skipping media skips the check.
            None => {
                let media_dir = dir.media_dir();
                let reason = format!(
                    "{} does not exist: every referenced media file is missing",
                    media_dir.display()
                );
                Ok((
                    Some(MediaStore::at(&media_dir)),
                    MediaSummary {
                        checked: true,
                        dir: Some(media_dir),
                        reason: Some(reason),
                    },
                ))
            }
        },
        MediaSource::Dir(path) => {
            if !path.is_dir() {
                return Err(CheckError::NoSuchMediaDir(path.clone()));
            }
            Ok((Some(MediaStore::open(path)?), checked(path.clone())))
        }
    }
}

fn store_summary(store: &FileStore) -> StoreSummary {
    let r = store.recovery();
    StoreSummary {
        entries_indexed: store.size(),
        tampering: r
            .tampering
            .iter()
            .map(|t| StoreDamage {
                file: t.file.clone(),
                record: t.record,
                offset: t.offset,
                message: t.to_string(),
            })
            .collect(),
        tampering_omitted: r.tampering_omitted,
        torn_bytes: r.entries.torn_bytes + r.checkpoints.torn_bytes,
        dropped_records: r.entries.dropped + r.checkpoints.dropped,
    }
}
