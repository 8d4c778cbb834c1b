//! `liuhen verify`: the auditor's command. Checks a ledger directory end to end and says, first,
//! whether it verified.
//!
//! What it checks is the core's one check pass ([`liuhen::check::check_dir`]): the store's files
//! (full check; destruction is tampering, Art. 21(5)), every entry once (signatures, chain,
//! registry, checkpoints against `--vkey` and `--checkpoint`, recording sessions and holds, media
//! custody, the audit unless `--no-audit`), then every media file against its digest. It fails
//! closed: whatever could not be checked makes the result `unverified` (exit 4), never
//! `verified`. This command parses the arguments, makes that one call and renders the result.

use std::error::Error;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use liuhen::audit::{AuditOptions, Profile};
use liuhen::check::{
    check_dir, read_checkpoint, read_vkey, AuditBrief, AuditRequest, CheckOptions, CheckReport,
    MediaSource,
};
use liuhen::verify::{FindingKind, Severity, Verdict};
use liuhen::{Clock, SystemClock};

use crate::layout::LedgerDir;
use crate::Global;

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

/// Runs `liuhen verify`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    if let Some(n) = args.threads {
        limit_threads(n)?;
    }
    let audit = if args.no_audit {
        None
    } else {
        Some(AuditRequest {
            profile: match &args.profile {
                Some(path) => crate::cmd::audit::load_profile(path)?,
                None => Profile::default(),
            },
            options: AuditOptions::as_of(SystemClock.now()),
        })
    };
    let dir = LedgerDir::new(&args.dir);
    let bar = crate::progress::bar(global, 0, "entries");
    bar.set_message("verifying");
    let progress = |n: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(n);
    };
    let options = CheckOptions {
        vkey: args.vkey.as_deref().map(read_vkey).transpose()?,
        checkpoint: args
            .checkpoint
            .as_deref()
            .map(read_checkpoint)
            .transpose()?,
        media: match (&args.media, args.no_media) {
            (_, true) => MediaSource::Skip,
            (Some(dir), false) => MediaSource::Dir(dir.clone()),
            (None, false) => MediaSource::Default,
        },
        max_findings: args.max_findings,
        now: None,
        audit,
        progress: Some(&progress),
    };
    let v = check_dir(&dir, &options);
    bar.finish_and_clear();
    let v = v?;
    let code = v.outcome().exit_code();
    if v.trust_anchor().is_none() {
        let copy = dir.vkey_path();
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
        // Through a JSON value: its members come out in the order they always have (sorted).
        serde_json::to_string_pretty(&serde_json::to_value(&v)?)?
    } else {
        let mut text = human(&v);
        if let Some(a) = v.audit() {
            text.push('\n');
            text.push_str(&audit_lines(v.dir(), &AuditBrief::of(a)));
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

/// The human report: the verdict in the first line, then what was checked, then the findings
/// grouped by kind (tampering first).
fn human(v: &CheckReport) -> String {
    let r = v.report();
    let mut lines = vec![verdict_line(v)];
    let field = |name: &str, value: String| format!("  {name:<13}{value}");
    lines.push(field(
        "ledger",
        match &r.origin {
            Some(o) => format!("{} (origin {})", v.dir().display(), clean(o)),
            None => format!("{} (origin unknown: no valid genesis)", v.dir().display()),
        },
    ));
    lines.push(field(
        "entries",
        if r.entries == v.store().entries_indexed {
            r.entries.to_string()
        } else {
            format!(
                "{} read of {} indexed (reading stops at the first unreadable entry)",
                r.entries,
                v.store().entries_indexed
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
        match v.trust_anchor() {
            Some(t) if r.has(FindingKind::WrongLedgerKey) => format!(
                "DOES NOT MATCH the trusted key in {} ({})",
                t.file.display(),
                t.vkey
            ),
            Some(t) => format!("checked against {} ({})", t.file.display(), t.vkey),
            None => "NOT checked: no --vkey given".into(),
        },
    ));
    if let Some(c) = v.trusted_checkpoint() {
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
        match (&v.media().dir, &v.media().reason) {
            (Some(_), Some(why)) => format!("files checked: {why}"),
            (Some(d), None) => format!("files checked in {}", d.display()),
            (None, Some(why)) => format!("files NOT checked: {why}"),
            (None, None) => "files NOT checked".into(),
        },
    ));
    lines.push(field(
        "store files",
        match (
            v.store().tampering.len() as u64 + v.store().tampering_omitted + v.store().dropped_records,
            r.has(FindingKind::UncommittedTail),
        ) {
            (0, false) => "full check: intact".into(),
            (0, true) => "full check: intact up to the last committed record; bytes after it are not part of the ledger".into(),
            (n, _) => format!("full check: {n} damaged records"),
        },
    ));
    for note in v.notes() {
        lines.push(format!("  note: {}", clean(&note)));
    }
    let groups = v.finding_groups();
    if !groups.is_empty() {
        let listed = r.findings.len();
        lines.push(String::new());
        lines.push(format!("findings ({listed} listed):"));
        for g in groups {
            let article = g
                .kind
                .article()
                .map(|a| format!(" — {a}"))
                .unwrap_or_default();
            let severity = match g.severity {
                Severity::Tampering => "tampering",
                Severity::Unverified => "unverified",
            };
            let (name, n) = (g.kind.name(), g.findings.len());
            lines.push(format!("  {name} — {severity}{article} ({n})"));
            for f in g.findings {
                let at = match (f.seq, f.checkpoint) {
                    (Some(seq), _) => format!("#{seq}"),
                    (None, Some(cp)) => format!("cp {cp}"),
                    (None, None) => "-".into(),
                };
                lines.push(format!("    {at:<8} {}", clean(&f.message)));
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

fn verdict_line(v: &CheckReport) -> String {
    let r = v.report();
    let groups = v.finding_groups();
    let of = |severity: Severity| groups.iter().filter(move |g| g.severity == severity);
    match r.verdict {
        Verdict::Verified => {
            let media = if v.media().checked {
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
            let what: Vec<String> = of(Severity::Unverified).map(|g| g.kind.name()).collect();
            format!(
                "UNVERIFIED — nothing was found wrong, but not everything could be checked ({})",
                what.join(", ")
            )
        }
        Verdict::Tampered => {
            let n: usize = of(Severity::Tampering).map(|g| g.findings.len()).sum();
            format!("TAMPERED — integrity is broken: {n} tampering findings")
        }
    }
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
