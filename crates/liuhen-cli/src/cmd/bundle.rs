//! `liuhen bundle export` and `liuhen bundle verify`: a case's evidence in one file, checkable
//! offline with the ledger's verifier key alone (Art. 19; `docs/FORMAT.md` §20).
//!
//! Export never signs anything and refuses a case with entries after the latest checkpoint
//! ("seal first"); it writes `FILE.partial` and renames it to `FILE` only when complete. Verify
//! exits 0 when everything checked out, 1 on any integrity finding, 3 when the file is not a
//! readable bundle.

use std::error::Error;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use serde::Deserialize;

use liuhen::bundle::{
    export, verify_with_progress, BundleReport, EntryRole, ExportOptions, MediaStatus, Progress,
};
use liuhen::hash::Digest;
use liuhen::model::Timestamp;
use liuhen::sealed::Opening;
use liuhen::verify::Verdict;

use super::prove::{clean, create_new, local_time, read_vkey, short};
use crate::layout::LedgerDir;
use crate::{progress, Global, EXIT_OK, EXIT_TAMPERED, EXIT_UNVERIFIED};

/// Arguments of `liuhen bundle`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  liuhen bundle export /srv/liuhen/jinpu --case '金民执〔2026〕12号' --with-media -o case-12.bundle
  liuhen bundle verify case-12.bundle --vkey jinpu.vkey

A bundle holds the case's entries, the genesis and key-registry entries, an inclusion proof of
each against one signed checkpoint, the ledger's vkey, disclosed openings of sealed fields and,
optionally, the case's media. Format: docs/FORMAT.md §20.")]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub what: What,
}

/// The bundle subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum What {
    /// Write one case's evidence bundle.
    Export(ExportArgs),
    /// Verify a bundle with the ledger's verifier key.
    Verify(VerifyArgs),
}

/// Arguments of `liuhen bundle export`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:
  liuhen bundle export /srv/liuhen/jinpu --case '金民执〔2026〕12号' --with-media \\
      --openings case-12.openings.jsonl -o case-12.bundle

The bundle is checked against the latest stored checkpoint; if the case has entries after it,
run `liuhen seal` first. --openings is a JSON Lines file of {\"field\", \"salt\" (64 hex digits),
\"value\"}; an opening that opens no sealed field of the case, or one whose erasure the ledger
records, is refused. Media are streamed from DIR/media and checked on the way.")]
pub struct ExportArgs {
    /// The ledger directory.
    pub dir: PathBuf,
    /// The case number.
    #[arg(long, value_name = "NO")]
    pub case: String,
    /// Include the case's media files (from DIR/media).
    #[arg(long)]
    pub with_media: bool,
    /// Openings of the case's sealed fields to disclose (JSON Lines).
    #[arg(long, value_name = "FILE")]
    pub openings: Option<PathBuf>,
    /// The bundle file to write (must not exist).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
}

/// Arguments of `liuhen bundle verify`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:
  liuhen bundle verify case-12.bundle --vkey jinpu.vkey --json > case-12.report.json

Needs only the bundle and the ledger's verifier key (a vkey file or the vkey text), obtained
independently of the bundle. A bundle cannot prove that the case has no other entries, nor that
no key revocation was left out: the report says so.

Exit codes: 0 verified, 1 integrity finding (tampered), 3 unreadable or malformed bundle.
JSON report: docs/FORMAT.md §20.6.")]
pub struct VerifyArgs {
    /// The bundle file.
    pub file: PathBuf,
    /// The ledger's verifier key: a C2SP vkey file, or the vkey text.
    #[arg(long, value_name = "KEY")]
    pub vkey: String,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `liuhen bundle`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    match args.what {
        What::Export(a) => run_export(a, global),
        What::Verify(a) => run_verify(a, global),
    }
}

/// Feeds the core's media progress to a progress bar.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&mut self, total_bytes: u64) {
        self.0.set_length(total_bytes);
    }

    fn advance(&mut self, bytes: u64) {
        self.0.inc(bytes);
    }
}

/// One line of the `--openings` file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpeningLine {
    field: String,
    salt: String,
    value: String,
}

fn read_openings(path: &Path) -> Result<Vec<Opening>, Box<dyn Error>> {
    let name = path.display();
    let file = File::open(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let mut out = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(|e| format!("cannot read {name}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let o: OpeningLine = serde_json::from_str(&line).map_err(|e| {
            format!("{name} line {n}: not an opening {{\"field\", \"salt\", \"value\"}}: {e}")
        })?;
        let salt = Digest::from_hex(&o.salt)
            .ok_or_else(|| format!("{name} line {n}: the salt is not 64 hex digits"))?;
        out.push(Opening {
            field: o.field,
            salt: *salt.as_bytes(),
            value: o.value,
        });
    }
    Ok(out)
}

/// `FILE.partial`, beside `FILE`.
fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

fn run_export(args: ExportArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    let dir = LedgerDir::new(&args.dir);
    let store = dir.open_read_only()?;
    let media = if args.with_media {
        Some(dir.media()?.ok_or_else(|| {
            format!(
                "{} has no media directory ({}): export without --with-media",
                args.dir.display(),
                dir.media_dir().display()
            )
        })?)
    } else {
        None
    };
    let openings = match &args.openings {
        Some(p) => read_openings(p)?,
        None => Vec::new(),
    };
    if args.output.exists() {
        return Err(format!(
            "{} already exists: remove it or choose another file name",
            args.output.display()
        )
        .into());
    }
    let partial = partial_path(&args.output);
    let file = create_new(&partial)?;
    let options = ExportOptions {
        openings,
        media: media.as_ref(),
    };
    let mut bar = Bar(progress::bar(global, 0, "bytes"));
    bar.0.set_message("copying media");
    let mut out = BufWriter::new(file);
    let result = export(&store, &args.case, &options, &mut out, &mut bar)
        .map_err(|e| -> Box<dyn Error> { e.to_string().into() })
        .and_then(|summary| {
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            Ok(summary)
        });
    bar.0.finish_and_clear();
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = fs::remove_file(&partial);
            return Err(e);
        }
    };
    if let Err(e) = fs::rename(&partial, &args.output) {
        let _ = fs::remove_file(&partial);
        return Err(format!(
            "cannot rename {} to {}: {e}",
            partial.display(),
            args.output.display()
        )
        .into());
    }
    println!(
        "bundle of case {} written to {} ({} bytes)",
        clean(&summary.case_no),
        args.output.display(),
        summary.bytes_written
    );
    println!(
        "  {} entries of the case and {} genesis/registry entries, each with an inclusion proof against the checkpoint of size {}",
        summary.case_entries.len(),
        summary.registry_entries,
        summary.checkpoint_size
    );
    println!("  {} openings of sealed fields", summary.openings);
    if args.with_media {
        println!(
            "  {} of {} media objects ({} bytes)",
            summary.media_included, summary.media_referenced, summary.media_bytes
        );
        for m in &summary.media_missing {
            match m.purged {
                Some(seq) => eprintln!(
                    "liuhen: note: media {} ({}, entry {}) was purged at entry {seq}: not in the bundle",
                    m.digest,
                    clean(&m.name),
                    m.seq
                ),
                None => eprintln!(
                    "liuhen: warning: media {} ({}, entry {}) is missing from {} and no MediaPurged allows it: not in the bundle (run `liuhen verify`)",
                    m.digest,
                    clean(&m.name),
                    m.seq,
                    dir.media_dir().display()
                ),
            }
        }
    } else if summary.media_referenced > 0 {
        println!(
            "  no media ({} referenced; add --with-media to include them)",
            summary.media_referenced
        );
    }
    Ok(EXIT_OK)
}

fn run_verify(args: VerifyArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    let key = read_vkey(&args.vkey)?;
    let name = args.file.display().to_string();
    let file = File::open(&args.file).map_err(|e| format!("cannot read {name}: {e}"))?;
    let mut bar = Bar(progress::bar(global, 0, "bytes"));
    bar.0.set_message("checking media");
    let result = verify_with_progress(BufReader::new(file), &key, &mut bar);
    bar.0.finish_and_clear();
    let report = result.map_err(|e| format!("{name}: {e}"))?;
    if args.json {
        let mut out = io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &report)?;
        out.write_all(b"\n")?;
    } else {
        print_report(&name, &report, global)?;
    }
    Ok(match report.verdict {
        Verdict::Verified => EXIT_OK,
        Verdict::Unverified => EXIT_UNVERIFIED,
        Verdict::Tampered => EXIT_TAMPERED,
    })
}

fn print_report(name: &str, r: &BundleReport, global: &Global) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let verdict = match r.verdict {
        Verdict::Verified => "VERIFIED",
        Verdict::Unverified => "NOT FULLY VERIFIED",
        Verdict::Tampered => "TAMPERED",
    };
    let ledger = r.origin.as_deref().map(clean).unwrap_or_else(|| "?".into());
    match &r.checkpoint {
        Some(c) => writeln!(
            out,
            "{verdict}: bundle {name} of case {}, ledger {ledger}, checkpoint of size {} (root {})",
            clean(&r.case_no),
            c.size,
            short(&c.root)
        )?,
        None => writeln!(
            out,
            "{verdict}: bundle {name} of case {} (its checkpoint does not verify with the key given)",
            clean(&r.case_no)
        )?,
    }
    let included = r.entries.iter().filter(|e| e.included).count();
    writeln!(
        out,
        "  {} entries of the case, {} genesis/registry entries; {included} of {} included in the signed checkpoint",
        r.case_entries,
        r.registry_entries,
        r.entries.len()
    )?;
    if !global.quiet {
        for e in &r.entries {
            let role = match e.role {
                EntryRole::Genesis => "genesis ",
                EntryRole::Registry => "registry",
                EntryRole::Case => "case    ",
            };
            let by = e
                .holder
                .as_deref()
                .map(clean)
                .unwrap_or_else(|| "unknown key".into());
            writeln!(
                out,
                "    #{:<6} {role} {:<22} {}  by {by} ({})",
                e.seq,
                e.event,
                local_time(Timestamp(e.logged_at)),
                short(e.author.strip_prefix("ed25519:").unwrap_or(&e.author))
            )?;
        }
    }
    for o in &r.openings {
        writeln!(
            out,
            "  opened: {} = {} (commitment {})",
            clean(&o.field),
            clean(&o.value),
            short(&o.commitment)
        )?;
    }
    let count = |s: MediaStatus| r.media.iter().filter(|m| m.status == s).count();
    if !r.media.is_empty() {
        writeln!(
            out,
            "  media: {} verified ({} bytes checked), {} altered, {} unreferenced, {} not included, {} purged",
            count(MediaStatus::Verified),
            r.media_bytes_checked,
            count(MediaStatus::Altered),
            count(MediaStatus::Unreferenced),
            count(MediaStatus::NotIncluded),
            count(MediaStatus::Purged)
        )?;
    }
    if !r.findings.is_empty() {
        writeln!(out, "findings:")?;
        for f in &r.findings {
            let kind = serde_json::to_value(f.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let seq = f.seq.map(|s| format!(" (entry {s})")).unwrap_or_default();
            writeln!(out, "  ✘ {kind}{seq}: {}", clean(&f.message))?;
        }
        if r.findings_omitted > 0 {
            writeln!(out, "  … and {} more", r.findings_omitted)?;
        }
    }
    writeln!(out, "what a bundle cannot prove:")?;
    for l in &r.limitations {
        writeln!(out, "  - {l}")?;
    }
    Ok(())
}
