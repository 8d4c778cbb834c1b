//! `liuhen verify`: the auditor's command. Checks a ledger directory end to end and says, first,
//! whether it verified.
//!
//! What runs, in order:
//!
//! 1. The file store is opened read-only with a **full check** (every frame, index record and
//!    Merkle node hash; `docs/STORE.md`, rule R9). Destruction is tampering (Art. 21(5)): a
//!    missing store file is a `store_file_missing` finding, damaged or cut-off records and frames
//!    no interrupted append explains are `store_files_damaged` (details also under `store`),
//!    deleted checkpoints `checkpoints_deleted`; bytes after the last committed record are
//!    `uncommitted_tail` (not verified, not tampering).
//! 2. [`liuhen::verify_store`]: signatures, hash chain, key registry, Merkle roots at every
//!    checkpoint, checkpoint signatures, against the auditor's verifier key (`--vkey`) and saved
//!    checkpoint (`--checkpoint`).
//! 3. [`liuhen::media::verify_media`]: recording segment chains (Art. 14(4)) and, with the media
//!    directory, every media file against its digest (Art. 21(2), 21(5)). Its findings are
//!    merged into the report.
//!
//! It fails closed: whatever could not be checked (no trusted key, no media, entries after the
//! last checkpoint) makes the result `unverified` (exit 4), never `verified`.
//! [`verify_dir`] returns the merged result for other commands (`liuhen audit`).

use std::error::Error;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use serde::Serialize;

use liuhen::checkpoint::{NoteVerifier, SignatureType, SignedCheckpoint, MAX_NOTE_BYTES};
use liuhen::entry::EncodedEntry;
use liuhen::hash::Digest;
use liuhen::media::{verify_media, MediaStore, MediaVerifyOptions};
use liuhen::store::file::{Access, Check, FileStore, OpenOptions};
use liuhen::store::{Store, StoreError};
use liuhen::verify::{
    store_damage, Finding, FindingKind, Report, Severity, Verdict, VerifyOptions,
};

use crate::layout::LedgerDir;
use crate::{Global, EXIT_COMPLIANCE, EXIT_OK, EXIT_TAMPERED, EXIT_UNVERIFIED};

/// Arguments of `liuhen verify`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  liuhen verify /srv/liuhen/jinpu --vkey jinpu.vkey
  liuhen verify /mnt/copy/jinpu --vkey jinpu.vkey --checkpoint saved-2026-03.txt --json > report.json
  liuhen verify /srv/liuhen/jinpu --vkey jinpu.vkey --media /mnt/nas/media --threads 4

Pass the verifier key you obtained independently (e.g. handed over when the ledger was
created); DIR/ledger.vkey is only a copy inside the directory under audit and proves nothing
about it. A wrong key is a verification failure (exit 1), not a usage error.

Unless --no-audit is given, a ledger whose integrity holds is also audited against the
regulation (default profile, or --profile FILE; as of now): violations are summarised by
article and `liuhen audit DIR` gives the details.

Exit codes: 0 verified (and no audit violation), 1 tampering found, 2 verified but the audit
found violations, 3 usage or I/O error (DIR, key, checkpoint or profile unreadable), 4 nothing
found wrong but not fully verified (no --vkey, media not checked, unsealed entries); 1 wins over
4, 4 over 2. JSON schema: docs/CLI.md.")]
pub struct Args {
    /// The ledger directory (holding ledger/, media/).
    pub dir: PathBuf,
    /// The ledger's verifier key (C2SP vkey file), as the auditor knows it independently.
    /// Without it the result is at best `unverified`.
    #[arg(long, value_name = "FILE")]
    pub vkey: Option<PathBuf>,
    /// The media directory to check media files in (default: DIR/media if it exists).
    #[arg(long, value_name = "DIR", conflicts_with = "no_media")]
    pub media: Option<PathBuf>,
    /// Do not check media files (recording segment chains are still checked); the result is
    /// then at best `unverified`.
    #[arg(long)]
    pub no_media: bool,
    /// A checkpoint (signed note) saved from an earlier verification: the ledger must still
    /// extend it (no rollback, no fork).
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Print the report as JSON (schema in docs/CLI.md).
    #[arg(long)]
    pub json: bool,
    /// List at most N findings per checker (ledger, media); the rest are counted.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_findings: usize,
    /// Use at most N threads for signatures and hashing (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Check integrity only: skip the audit against the regulation's rules.
    #[arg(long, conflicts_with = "profile")]
    pub no_audit: bool,
    /// The audit profile (TOML, docs/AUDIT.md); default: this regulation's.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
}

/// What the audit found, in brief (the full report is `liuhen audit`'s).
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
    pub violations_by_article: std::collections::BTreeMap<String, u64>,
}

/// Audits the ledger of `dir` as of now, when its integrity holds.
fn audit_brief(dir: &Path, profile: Option<&Path>) -> Result<AuditBrief, Box<dyn Error>> {
    use liuhen::Clock;
    let profile = match profile {
        Some(path) => crate::cmd::audit::load_profile(path)?,
        None => liuhen::audit::Profile::default(),
    };
    let store = LedgerDir::new(dir).open_read_only()?;
    let as_of = liuhen::SystemClock.now();
    let report =
        liuhen::audit::audit(&store, &profile, &liuhen::audit::AuditOptions::as_of(as_of))?;
    Ok(AuditBrief {
        profile: report.profile.clone(),
        as_of: as_of.0,
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
    })
}

/// Where media files are checked.
#[derive(Clone, Debug)]
pub enum MediaSource {
    /// `DIR/media` if the directory has one; otherwise media go unchecked.
    Default,
    /// This directory, which must exist.
    Dir(PathBuf),
    /// Not checked (`--no-media`).
    Skip,
}

/// What to verify a ledger directory against.
#[derive(Clone, Debug)]
pub struct DirOptions {
    /// The auditor's verifier key file.
    pub vkey: Option<PathBuf>,
    /// The auditor's saved checkpoint file.
    pub checkpoint: Option<PathBuf>,
    /// Where media are checked.
    pub media: MediaSource,
    /// Findings listed per checker.
    pub max_findings: usize,
}

/// The result of verifying a ledger directory: the merged [`Report`] and what it was checked
/// against. Serializes to the JSON of docs/CLI.md (with [`DirVerification::json`]).
#[derive(Debug)]
pub struct DirVerification {
    /// The ledger directory.
    pub dir: PathBuf,
    /// Ledger, media and store results merged: `report.verdict` is the overall verdict.
    pub report: Report,
    /// The trusted verifier key, if one was given.
    pub trust_anchor: Option<TrustAnchor>,
    /// The trusted checkpoint, if one was given (its fields as written, before verification).
    pub trusted_checkpoint: Option<TrustedCheckpoint>,
    /// Whether and where media files were checked.
    pub media: MediaSummary,
    /// What the full check of the store's files found.
    pub store: StoreSummary,
}

/// The verifier key the ledger was checked against.
#[derive(Clone, Debug, Serialize)]
pub struct TrustAnchor {
    /// The file it was read from.
    #[serde(serialize_with = "lossy_path")]
    pub file: PathBuf,
    /// The key (C2SP vkey text).
    pub vkey: String,
}

/// The auditor's saved checkpoint, as the file states it.
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

/// Whether media files were checked.
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

/// Runs `liuhen verify`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    if let Some(n) = args.threads {
        limit_threads(n)?;
    }
    let options = DirOptions {
        vkey: args.vkey.clone(),
        checkpoint: args.checkpoint.clone(),
        media: match (&args.media, args.no_media) {
            (_, true) => MediaSource::Skip,
            (Some(dir), false) => MediaSource::Dir(dir.clone()),
            (None, false) => MediaSource::Default,
        },
        max_findings: args.max_findings,
    };
    let v = verify_dir(&args.dir, &options, global)?;
    let mut code = exit_code(&v.report);
    // The audit of a tampered ledger would judge records that are not what was recorded.
    let audit = if args.no_audit || v.report.verdict == Verdict::Tampered {
        None
    } else {
        Some(audit_brief(&args.dir, args.profile.as_deref())?)
    };
    if code == EXIT_OK && audit.as_ref().is_some_and(|a| a.violations > 0) {
        code = EXIT_COMPLIANCE;
    }
    if v.trust_anchor.is_none() {
        let copy = LedgerDir::new(&v.dir).vkey_path();
        let hint = if copy.is_file() {
            format!(
                " ({} is only a copy inside the directory under audit)",
                copy.display()
            )
        } else {
            String::new()
        };
        eprintln!(
            "liuhen: without --vkey the ledger key's authenticity was not checked: a ledger rewritten under another key would pass the same checks; pass the verifier key you obtained independently with --vkey{hint}"
        );
    }
    let text = if args.json {
        let mut json = serde_json::to_value(v.json(code))?;
        if let Some(map) = json.as_object_mut() {
            map.insert("audit".into(), serde_json::to_value(&audit)?);
        }
        serde_json::to_string_pretty(&json)?
    } else {
        let mut text = human(&v);
        if let Some(a) = &audit {
            text.push('\n');
            text.push_str(&audit_lines(&v.dir, a));
        }
        text
    };
    let mut out = io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(format!("writing to standard output: {e}").into()),
    }
    Ok(code)
}

/// The audit's part of the human report.
fn audit_lines(dir: &Path, a: &AuditBrief) -> String {
    let mut out = format!(
        "audit ({}, as of {}): {} violation(s), {} warning(s), {} notice(s)",
        a.profile,
        crate::cmd::log::iso8601(liuhen::Timestamp(a.as_of)),
        a.violations,
        a.warnings,
        a.notices
    );
    if !a.violations_by_article.is_empty() {
        let list: Vec<String> = a
            .violations_by_article
            .iter()
            .map(|(article, n)| format!("{article} ×{n}"))
            .collect();
        out.push_str(&format!("\n  violations   {}", list.join(", ")));
    }
    if a.violations + a.warnings + a.notices > 0 {
        out.push_str(&format!("\n  details      liuhen audit {}", dir.display()));
    }
    out
}

/// Bounds the threads of the whole process (signature checks and hashing run on rayon's
/// global pool, which the core sizes by default to all cores).
///
/// # Errors
/// If `n` is 0.
pub fn limit_threads(n: usize) -> Result<(), Box<dyn Error>> {
    if n == 0 {
        return Err("--threads must be at least 1".into());
    }
    // The global pool is built once, before anything has used it; a second call in the same
    // process (only tests could make one) is reported rather than silently ignored.
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global()
        .map_err(|e| format!("cannot limit the verifier to {n} threads: {e}").into())
}

/// The exit code of a verdict.
pub fn exit_code(report: &Report) -> u8 {
    match report.verdict {
        Verdict::Verified => EXIT_OK,
        Verdict::Unverified => EXIT_UNVERIFIED,
        Verdict::Tampered => EXIT_TAMPERED,
    }
}

/// Verifies the ledger directory `dir`: store files, ledger and media, merged into one report.
///
/// # Errors
/// A usage or I/O error that prevents verification: `dir` missing or not a ledger directory,
/// the store not openable, the key or checkpoint file unreadable or malformed, the media
/// directory missing. Everything found *in* the ledger is a finding, never an error.
pub fn verify_dir(
    dir: &Path,
    options: &DirOptions,
    global: &Global,
) -> Result<DirVerification, Box<dyn Error>> {
    if !dir.exists() {
        return Err(format!("{}: no such ledger directory", dir.display()).into());
    }
    let trusted_key = options.vkey.as_deref().map(read_vkey).transpose()?;
    let trusted_checkpoint = options
        .checkpoint
        .as_deref()
        .map(read_checkpoint)
        .transpose()?;
    let layout = LedgerDir::new(dir);
    let trust_anchor = trusted_key
        .clone()
        .zip(options.vkey.clone())
        .map(|(k, file)| TrustAnchor {
            file,
            vkey: k.to_string(),
        });
    // A deleted store file is destruction of the record, not a usage error.
    let missing = store_damage::missing_files(&layout.store_dir());
    if !missing.is_empty() {
        return Ok(destroyed_store(
            &layout,
            missing,
            trust_anchor,
            trusted_checkpoint.map(|(_, c)| c),
        ));
    }
    // Opened once as `LedgerDir` does, for its explanations of a wrong path, then with the
    // full check an audit calls for.
    drop(layout.open_read_only()?);
    let store = FileStore::open_with(
        layout.store_dir(),
        &OpenOptions {
            access: Access::ReadOnly,
            check: Check::Full,
            ..OpenOptions::default()
        },
    )?;
    let store_summary = store_summary(&store);
    let store_findings = store_damage::store_damage(&store);
    let (media_store, media) = open_media(&layout, &options.media)?;

    let size = store.size();
    let mut counted = Counted {
        bar: crate::progress::bar(global, size, "entries"),
        inner: store,
    };
    counted.bar.set_message("verifying");
    let mut report = liuhen::verify_store(
        &counted,
        &VerifyOptions {
            trusted_key: trusted_key.clone(),
            trusted_checkpoint: trusted_checkpoint.as_ref().map(|(text, _)| text.clone()),
            max_findings: options.max_findings,
            ..VerifyOptions::default()
        },
    );
    counted.bar.finish_and_clear();
    counted.bar = crate::progress::bar(global, size, "entries");
    counted.bar.set_message("recordings and media");
    let media_findings = verify_media(
        &counted,
        media_store.as_ref(),
        &MediaVerifyOptions {
            max_findings: options.max_findings,
            ..MediaVerifyOptions::default()
        },
    );
    counted.bar.finish_and_clear();
    report.add_findings(media_findings);
    let deleted = store_damage::checkpoints_deleted(
        &report,
        trusted_checkpoint
            .as_ref()
            .and_then(|(_, c)| Some((c.size, Digest::from_hex(&c.root)?))),
        &store_findings,
    );
    report.add_findings(store_findings.findings);
    report.add_findings(deleted);
    report.findings_omitted += store_summary.tampering_omitted;
    Ok(DirVerification {
        dir: layout.root().to_path_buf(),
        report,
        trust_anchor,
        trusted_checkpoint: trusted_checkpoint.map(|(_, c)| c),
        media,
        store: store_summary,
    })
}

/// The report on a store some of whose files were deleted: nothing in it can be read as a
/// ledger, and the deletion itself is the finding.
fn destroyed_store(
    layout: &LedgerDir,
    missing: Vec<(PathBuf, &'static str)>,
    trust_anchor: Option<TrustAnchor>,
    trusted_checkpoint: Option<TrustedCheckpoint>,
) -> DirVerification {
    let findings = store_damage::missing_file_findings(&missing);
    DirVerification {
        dir: layout.root().to_path_buf(),
        report: Report {
            verdict: Verdict::Tampered,
            origin: None,
            entries: 0,
            checkpoints: 0,
            checkpoints_verified: 0,
            latest_verified: None,
            findings,
            findings_omitted: 0,
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
    }
}

/// Reads the auditor's verifier key; a witness key is refused, since it cannot sign a ledger.
fn read_vkey(path: &Path) -> Result<NoteVerifier, Box<dyn Error>> {
    let key = liuhen::keyfile::read_verifier_key(path)?;
    if key.signature_type() != SignatureType::Ed25519 {
        return Err(format!(
            "{}: {} is a witness key (cosignature/v1), not a ledger's verifier key",
            path.display(),
            key.name()
        )
        .into());
    }
    Ok(key)
}

/// Reads the auditor's saved checkpoint: its text for the verifier and its fields for the
/// report. A file that is not a signed checkpoint at all is a usage error.
fn read_checkpoint(path: &Path) -> Result<(String, TrustedCheckpoint), Box<dyn Error>> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_NOTE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let signed = SignedCheckpoint::parse(&bytes)
        .map_err(|e| format!("{} is not a signed checkpoint: {e}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{} is not a signed checkpoint: not UTF-8", path.display()))?;
    let c = signed.checkpoint();
    Ok((
        text,
        TrustedCheckpoint {
            file: path.to_path_buf(),
            origin: c.origin.clone(),
            size: c.size,
            root: c.root.to_hex(),
        },
    ))
}

fn open_media(
    layout: &LedgerDir,
    source: &MediaSource,
) -> Result<(Option<MediaStore>, MediaSummary), Box<dyn Error>> {
    let not_checked = |reason: String| MediaSummary {
        checked: false,
        dir: None,
        reason: Some(reason),
    };
    match source {
        MediaSource::Skip => Ok((None, not_checked("--no-media was given".into()))),
        MediaSource::Default => match layout.media()? {
            Some(ms) => {
                let dir = ms.root().to_path_buf();
                Ok((Some(ms), checked(dir)))
            }
            // The ledger's own media directory deleted: every file it should hold is missing
            // (Art. 21(5)), unless lawfully purged; only --no-media skips the check.
            None => {
                let dir = layout.media_dir();
                let reason = format!(
                    "{} does not exist: every referenced media file is missing",
                    dir.display()
                );
                Ok((
                    Some(MediaStore::at(&dir)),
                    MediaSummary {
                        checked: true,
                        dir: Some(dir),
                        reason: Some(reason),
                    },
                ))
            }
        },
        MediaSource::Dir(dir) => {
            // Opening would create it: a typo must not pass as an empty media directory.
            if !dir.is_dir() {
                return Err(format!("{}: no such media directory", dir.display()).into());
            }
            Ok((Some(MediaStore::open(dir)?), checked(dir.clone())))
        }
    }
}

fn checked(dir: PathBuf) -> MediaSummary {
    MediaSummary {
        checked: true,
        dir: Some(dir),
        reason: None,
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

/// A read-only view of a store that advances a progress bar for every entry read.
struct Counted {
    inner: FileStore,
    bar: ProgressBar,
}

impl Store for Counted {
    fn size(&self) -> u64 {
        self.inner.size()
    }

    fn origin(&self) -> Option<&str> {
        Store::origin(&self.inner)
    }

    fn append(&mut self, _entries: &[EncodedEntry]) -> Result<(), StoreError> {
        Err(StoreError::ReadOnly {
            reason: "opened for verification".into(),
        })
    }

    fn registry_changes(&self) -> Result<Option<Vec<u64>>, StoreError> {
        self.inner.registry_changes()
    }

    fn entry_bytes(&self, seq: u64) -> Result<Vec<u8>, StoreError> {
        let bytes = self.inner.entry_bytes(seq);
        self.bar.inc(1);
        bytes
    }

    fn perfect_subtree(&self, level: u8, index: u64) -> Result<Digest, StoreError> {
        self.inner.perfect_subtree(level, index)
    }

    fn append_checkpoint(&mut self, _note: &str) -> Result<(), StoreError> {
        Err(StoreError::ReadOnly {
            reason: "opened for verification".into(),
        })
    }

    fn checkpoint_count(&self) -> u64 {
        self.inner.checkpoint_count()
    }

    fn checkpoint(&self, index: u64) -> Result<String, StoreError> {
        self.inner.checkpoint(index)
    }
}

/// The article of the regulation a kind of finding breaches, where the kind implies one.
pub fn article(kind: FindingKind) -> Option<&'static str> {
    match kind {
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

/// The name of a kind as the JSON spells it (`broken_chain`).
fn kind_name<T: Serialize>(kind: &T) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "unknown".into(),
    }
}

/// The schema identifier of the JSON output; changes only when a field changes meaning or goes.
pub const JSON_SCHEMA: &str = "liuhen-verify/1";

/// The JSON output (docs/CLI.md): every field of [`Report`], with an `article` per finding,
/// and what the ledger was checked against.
#[derive(Serialize)]
pub struct JsonReport<'a> {
    schema: &'static str,
    verdict: Verdict,
    exit_code: u8,
    #[serde(serialize_with = "lossy_path")]
    ledger: &'a Path,
    origin: &'a Option<String>,
    entries: u64,
    checkpoints: u64,
    checkpoints_verified: u64,
    latest_verified: &'a Option<liuhen::verify::CheckpointSummary>,
    findings: Vec<JsonFinding<'a>>,
    findings_omitted: u64,
    trust_anchor: &'a Option<TrustAnchor>,
    trusted_checkpoint: &'a Option<TrustedCheckpoint>,
    media: &'a MediaSummary,
    store: &'a StoreSummary,
}

/// A path as JSON text, whatever its bytes: a path that is not UTF-8 (possible on Unix) is
/// converted lossily (U+FFFD for each invalid sequence) rather than failing the whole report.
fn lossy_path<P: AsRef<Path>, S: serde::Serializer>(path: &P, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.as_ref().to_string_lossy())
}

fn lossy_opt_path<S: serde::Serializer>(path: &Option<PathBuf>, s: S) -> Result<S::Ok, S::Error> {
    match path {
        Some(p) => lossy_path(p, s),
        None => s.serialize_none(),
    }
}

/// A finding and the article it concerns.
#[derive(Serialize)]
struct JsonFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    article: Option<&'static str>,
}

impl DirVerification {
    /// The JSON form, with the exit code the command returns.
    pub fn json(&self, exit_code: u8) -> JsonReport<'_> {
        let r = &self.report;
        JsonReport {
            schema: JSON_SCHEMA,
            verdict: r.verdict,
            exit_code,
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
                    article: article(f.kind),
                })
                .collect(),
            findings_omitted: r.findings_omitted,
            trust_anchor: &self.trust_anchor,
            trusted_checkpoint: &self.trusted_checkpoint,
            media: &self.media,
            store: &self.store,
        }
    }
}

/// The human report: the verdict in the first line, then what was checked, then the findings
/// grouped by kind (tampering first).
fn human(v: &DirVerification) -> String {
    let r = &v.report;
    let mut lines = vec![verdict_line(v)];
    let field = |name: &str, value: String| format!("  {name:<13}{value}");
    lines.push(field(
        "ledger",
        match &r.origin {
            Some(o) => format!("{} (origin {})", v.dir.display(), clean(o)),
            None => format!("{} (origin unknown: no valid genesis)", v.dir.display()),
        },
    ));
    lines.push(field(
        "entries",
        if r.entries == v.store.entries_indexed {
            r.entries.to_string()
        } else {
            format!(
                "{} read of {} indexed (reading stops at the first unreadable entry)",
                r.entries, v.store.entries_indexed
            )
        },
    ));
    lines.push(field(
        "checkpoints",
        format!(
            "{} stored, {} verified",
            r.checkpoints, r.checkpoints_verified
        ),
    ));
    if let Some(c) = &r.latest_verified {
        lines.push(field("latest", format!("size {}, root {}", c.size, c.root)));
    }
    lines.push(field(
        "ledger key",
        match &v.trust_anchor {
            Some(t) if r.has(FindingKind::WrongLedgerKey) => format!(
                "DOES NOT MATCH the trusted key in {} ({})",
                t.file.display(),
                t.vkey
            ),
            Some(t) => format!("checked against {} ({})", t.file.display(), t.vkey),
            None => "NOT checked: no --vkey given".into(),
        },
    ));
    if let Some(c) = &v.trusted_checkpoint {
        let extended =
            !r.has(FindingKind::TrustedCheckpointMismatch) && !r.has(FindingKind::Rollback);
        lines.push(field(
            "saved state",
            format!(
                "{} (size {}): {}",
                c.file.display(),
                c.size,
                if extended {
                    "the ledger extends it"
                } else {
                    "the ledger does NOT extend it"
                }
            ),
        ));
    }
    lines.push(field(
        "media",
        match (&v.media.dir, &v.media.reason) {
            (Some(_), Some(why)) => format!("files checked: {why}"),
            (Some(d), None) => format!("files checked in {}", d.display()),
            (None, Some(why)) => format!("files NOT checked: {why}"),
            (None, None) => "files NOT checked".into(),
        },
    ));
    lines.push(field(
        "store files",
        match (
            v.store.tampering.len() as u64 + v.store.tampering_omitted + v.store.dropped_records,
            r.has(FindingKind::UncommittedTail),
        ) {
            (0, false) => "full check: intact".into(),
            (0, true) => "full check: intact up to the last committed record; bytes after it are not part of the ledger".into(),
            (n, _) => format!("full check: {n} damaged records"),
        },
    ));
    for note in notes(v) {
        lines.push(format!("  note: {note}"));
    }
    let groups = groups(v);
    if !groups.is_empty() {
        let listed = r.findings.len();
        lines.push(String::new());
        lines.push(format!("findings ({listed} listed):"));
        for g in groups {
            let article = g.article.map(|a| format!(" — {a}")).unwrap_or_default();
            lines.push(format!(
                "  {} — {}{article} ({})",
                g.name,
                g.severity,
                g.items.len()
            ));
            for (at, message) in g.items {
                lines.push(format!("    {at:<8} {}", clean(&message)));
            }
        }
    }
    let omitted = r.findings_omitted;
    if omitted > 0 {
        lines.push(format!(
            "  … and {omitted} more findings not listed (see --max-findings)"
        ));
    }
    lines.join("\n")
}

fn verdict_line(v: &DirVerification) -> String {
    let r = &v.report;
    match r.verdict {
        Verdict::Verified => {
            let media = if v.media.checked {
                ", every media file"
            } else {
                ""
            };
            format!(
                "VERIFIED — {} entries: every signature, the hash chain, the key registry, {} checkpoints{media} and the store files check out against the trusted key",
                r.entries, r.checkpoints_verified
            )
        }
        Verdict::Unverified => {
            let mut what: Vec<String> = Vec::new();
            for f in &r.findings {
                let name = kind_name(&f.kind);
                if f.severity == Severity::Unverified && !what.contains(&name) {
                    what.push(name);
                }
            }
            format!(
                "UNVERIFIED — nothing was found wrong, but not everything could be checked ({})",
                what.join(", ")
            )
        }
        Verdict::Tampered => {
            let n = r
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Tampering)
                .count();
            format!("TAMPERED — integrity is broken: {n} tampering findings")
        }
    }
}

/// Hints for the findings that most often come from a mix-up rather than an attack.
fn notes(v: &DirVerification) -> Vec<String> {
    let r = &v.report;
    let mut notes = Vec::new();
    if let (Some(t), Some(origin)) = (&v.trust_anchor, &r.origin) {
        let name = t.vkey.split('+').next().unwrap_or_default();
        if name != origin {
            notes.push(format!(
                "the key given with --vkey is named {}, but this ledger's origin is {}: is it the key of another ledger?",
                clean(name),
                clean(origin)
            ));
        } else if r.has(FindingKind::WrongLedgerKey) {
            notes.push("the ledger's genesis declares another key under the same name: the ledger was rewritten under a new key, or the key file is not the one this ledger was created with".into());
        }
    }
    if let (Some(c), Some(origin)) = (&v.trusted_checkpoint, &r.origin) {
        if &c.origin != origin {
            notes.push(format!(
                "the saved checkpoint is of ledger {}, not of this ledger ({}): either it is the wrong file, or this is not the ledger verified before",
                clean(&c.origin),
                clean(origin)
            ));
        }
    }
    notes
}

struct Group {
    name: String,
    severity: &'static str,
    article: Option<&'static str>,
    items: Vec<(String, String)>,
}

/// Findings grouped by kind, tampering before unverified, each in order of first appearance.
fn groups(v: &DirVerification) -> Vec<Group> {
    let mut groups: Vec<(Severity, Group)> = Vec::new();
    for f in &v.report.findings {
        let name = kind_name(&f.kind);
        let at = match (f.seq, f.checkpoint) {
            (Some(seq), _) => format!("#{seq}"),
            (None, Some(cp)) => format!("cp {cp}"),
            (None, None) => "-".into(),
        };
        let item = (at, f.message.clone());
        match groups.iter_mut().find(|(_, g)| g.name == name) {
            Some((_, g)) => g.items.push(item),
            None => groups.push((
                f.severity,
                Group {
                    name,
                    severity: match f.severity {
                        Severity::Tampering => "tampering",
                        Severity::Unverified => "unverified",
                    },
                    article: article(f.kind),
                    items: vec![item],
                },
            )),
        }
    }
    // Stable: groups of one severity keep their order of first appearance.
    groups.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
    groups.into_iter().map(|(_, g)| g).collect()
}

/// Replaces control characters in text taken from the ledger or the key file, so that it
/// cannot drive the terminal or forge report lines.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_of_recording_and_media_kinds() {
        assert_eq!(article(FindingKind::SegmentOrphan), Some("Art. 14(4)"));
        assert_eq!(article(FindingKind::MediaMissing), Some("Art. 21(5)"));
        assert_eq!(article(FindingKind::MediaSwapped), Some("Art. 21(2)"));
        assert_eq!(article(FindingKind::BrokenChain), None);
        for kind in [
            FindingKind::StoreFileMissing,
            FindingKind::StoreFilesDamaged,
            FindingKind::CheckpointsDeleted,
        ] {
            assert_eq!(article(kind), Some("Art. 21(5)"));
            assert_eq!(kind.severity(), Severity::Tampering);
        }
        assert_eq!(article(FindingKind::UncommittedTail), None);
        assert_eq!(
            FindingKind::UncommittedTail.severity(),
            Severity::Unverified
        );
        assert_eq!(kind_name(&FindingKind::BrokenChain), "broken_chain");
    }
}
