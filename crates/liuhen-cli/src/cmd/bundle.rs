//! `liuhen bundle export` and `liuhen bundle verify`: a case's evidence in one file, checkable
//! offline with the ledger's verifier key alone (Art. 19; `docs/FORMAT.md` §20).
//!
//! Export signs no checkpoint and refuses a case with entries after the latest checkpoint
//! ("seal first"). A bundle is a disclosure (Art. 19, 21(3)), and a disclosure through liuhen's
//! own tools always leaves a trace: export takes the openings of the case's sealed fields from
//! the vault, writes `FILE.partial` and syncs it, then appends `RecordDisclosed { case_no, to:
//! the sealed recipient, what: [BLAKE3 of the bundle file, the media it carries] }` signed with
//! the discloser's key, and only then renames it to `FILE`. If the append is refused, the file is
//! removed and nothing was disclosed. Verify exits 0 when everything checked out, 1 on any
//! integrity finding, 3 when the file is not a readable bundle.

use std::error::Error;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use liuhen::bundle::{verify_with_evidence, BundleReport, Progress};
use liuhen::check::Outcome;
use liuhen::commitment::Opening;
use liuhen::disclosure::{
    export_case_in_dir, render, DisclosureError, ExportRequest, OpeningsSource, Recipient,
};

use super::append::{print_exact, refusal_reason};
use super::prove::read_vkey;
use super::vault::read_value;
use crate::layout::LedgerDir;
use crate::{progress, Global, EXIT_OK};

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
#[command(after_help = "Examples:
  liuhen bundle export /srv/liuhen/jinpu --case '金民执〔2026〕12号' --with-media \\
      --key-file officer.key --to-file court.txt -o case-12.bundle
  liuhen bundle export /srv/liuhen/jinpu --case '金民执〔2026〕12号' \\
      --key-file officer.key --request REQ-2026-001 -o case-12.bundle

A bundle discloses the case (Art. 19), so the disclosure is recorded: once the file is written
and synced, RecordDisclosed { case_no, to, what } is appended, signed with --key-file (an
authorized key of the ledger). `to` is the recipient sealed into the vault as recipient.name
(never in clear in the ledger); `what` is the BLAKE3 of the bundle file, then the digest of
each media object it carries. If the ledger refuses the statement, the bundle is removed and
nothing is disclosed. With --request ID the request must be of this case and granted (its
latest AccessDecided), and the recipient is its requester: `to` is the requester's commitment,
which ties the disclosure to the request; --to/--to-file, if given, must then be the
requester's name as the vault holds it. --to puts personal data on the command line (visible
in `ps`): prefer --to-file FILE or --to-file -.

Openings: by default those the vault (DIR/vault) holds for the case's sealed fields, and no
others; --openings FILE takes them from a JSON Lines file of {\"field\", \"salt\" (64 hex
digits), \"value\"} instead; --no-openings discloses none. An opening that opens no sealed
field of the case, or whose erasure the ledger records, is refused.

The bundle is checked against the latest stored checkpoint; if the case has entries after it,
run `liuhen seal` first (the disclosure itself is such an entry: seal again before the next
export of the case). Media are streamed from DIR/media and checked on the way.

Output: the bundle's path, size and BLAKE3, what it holds and the disclosure's entry;
--json: docs/CLI.md.")]
pub struct ExportArgs {
    /// The ledger directory.
    pub dir: PathBuf,
    /// The case number.
    #[arg(long, value_name = "NO")]
    pub case: String,
    /// Include the case's media files (from DIR/media).
    #[arg(long)]
    pub with_media: bool,
    /// Openings to disclose from a JSON Lines file instead of the vault.
    #[arg(long, value_name = "FILE")]
    pub openings: Option<PathBuf>,
    /// Disclose no openings (the bundle carries commitments only).
    #[arg(long, conflicts_with = "openings")]
    pub no_openings: bool,
    /// Key file of the person disclosing: an authorized key of this ledger (mode 0600); signs
    /// the RecordDisclosed statement.
    #[arg(long, value_name = "KEY")]
    pub key_file: PathBuf,
    /// The recipient (person or body), sealed into the vault as recipient.name. Visible in
    /// `ps`: prefer --to-file.
    #[arg(
        long,
        value_name = "NAME",
        conflicts_with = "to_file",
        required_unless_present_any = ["to_file", "request"]
    )]
    pub to: Option<String>,
    /// Read the recipient from FILE (`-`: standard input; one trailing line break removed).
    #[arg(long, value_name = "FILE")]
    pub to_file: Option<PathBuf>,
    /// The access request (AccessRequested) this disclosure answers; it must be of this case
    /// and granted, and the recipient is its requester.
    #[arg(long, value_name = "ID")]
    pub request: Option<String>,
    /// The bundle file to write (must not exist).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `liuhen bundle verify`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:
  liuhen bundle verify case-12.bundle --vkey jinpu.vkey --json > case-12.report.json

Needs only the bundle and the ledger's verifier key (a vkey file or the vkey text), obtained
independently of the bundle. A bundle cannot prove that the case has no other entries, nor that
no key revocation was left out: the report says so.

With --policy FILE (a C2SP tlog-policy file: witness keys and quorum), the bundle's checkpoint
must also be cosigned by a quorum of the witnesses: a court then knows the bureau showed the
same history to the witnesses, and a later rewrite of the ledger cannot match this bundle.

Exit codes: 0 verified, 1 integrity finding (tampered; with --policy also a forged cosignature
of a listed witness), 3 unreadable or malformed bundle, 4 verified but the checkpoint does not
meet --policy (the reason is printed). JSON report: docs/FORMAT.md §20.6.

With --tsa-root PEM (the TSA's root certificate), each RFC 3161 token the bundle carries is
verified against its checkpoint; the report states the checkpoint's proven-before time, the
earliest verified witness cosignature (with --policy) or TSA genTime: every entry of the bundle
existed before it, unchanged since. A token that does not verify is exit 1; one whose
certificate does not chain to the root exit 4. Without --tsa-root the tokens prove nothing.

With --evidence (and --csv), the evidence list (证据清单) of the bundle's case is printed instead
of the report: 序号, 名称, 来源, 证明对象, 时长/页数, size, digest, entry — computed from the
bundle's verified entries, as `liuhen audit --evidence` computes it from a ledger. Only a
bundle that verifies gets a list: otherwise the report is printed (to standard error) and no
list, with the verdict's exit code.
  liuhen bundle verify case-12.bundle --vkey jinpu.vkey --evidence --csv > 证据清单.csv")]
pub struct VerifyArgs {
    /// The bundle file.
    pub file: PathBuf,
    /// The ledger's verifier key: a C2SP vkey file, or the vkey text.
    #[arg(long, value_name = "KEY")]
    pub vkey: String,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// The witness policy (C2SP tlog-policy file): the bundle's checkpoint must meet its
    /// quorum.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The TSA root certificate(s) (PEM): each timestamp token the bundle carries is verified
    /// against the bundle's checkpoint; one that does not verify is tampering (exit 1).
    #[arg(long, value_name = "PEM")]
    pub tsa_root: Option<PathBuf>,
    /// Print the evidence list (证据清单) of the bundle's case, from its verified entries,
    /// instead of the report (only when the bundle verifies).
    #[arg(long, conflicts_with = "json")]
    pub evidence: bool,
    /// Print --evidence as CSV (RFC 4180, UTF-8).
    #[arg(long, requires = "evidence")]
    pub csv: bool,
}

/// Runs `liuhen bundle`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    match args.what {
        What::Export(a) => super::vault::planted_file_is_tampering(run_export(a, global)),
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

fn read_openings(path: &Path) -> Result<Vec<Opening>, Box<dyn Error>> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    Ok(liuhen::disclosure::read_openings(
        BufReader::new(file),
        &name,
    )?)
}

/// The core's request, from the arguments.
fn export_request(args: &ExportArgs) -> Result<ExportRequest, Box<dyn Error>> {
    let name = if args.to.is_some() || args.to_file.is_some() {
        Some(read_value(
            args.to.clone(),
            args.to_file.as_deref(),
            "--to",
        )?)
    } else {
        None
    };
    let recipient = match (&args.request, name) {
        (Some(id), name) => Recipient::Requester {
            request: id.clone(),
            name,
        },
        (None, Some(name)) => Recipient::Named(name),
        (None, None) => {
            return Err("name the recipient with --to or --to-file (or --request)".into())
        }
    };
    let openings = match (&args.openings, args.no_openings) {
        (_, true) => OpeningsSource::None,
        (Some(p), false) => OpeningsSource::Given(read_openings(p)?),
        (None, false) => OpeningsSource::Vault,
    };
    Ok(ExportRequest {
        case_no: args.case.clone(),
        output: args.output.clone(),
        recipient,
        openings,
        with_media: args.with_media,
    })
}

/// Names the key file in the errors about the key, and keeps the ledger's refusal wording.
fn export_error(args: &ExportArgs, e: DisclosureError) -> Box<dyn Error> {
    let key = args.key_file.display();
    match e {
        DisclosureError::NotPermitted { .. } => format!("{key}: {e}").into(),
        DisclosureError::DisclosureNotRecorded { author, source } => {
            let (_, reason) = refusal_reason(&source);
            format!(
                "{key} (key {author}): {reason}; the disclosure was not recorded; the bundle was removed: a disclosure that leaves no trace is not made"
            )
            .into()
        }
        DisclosureError::RequesterUnknown { .. } | DisclosureError::NotTheRequester { .. } => {
            format!("{e} (the recipient was named with --to/--to-file)").into()
        }
        e if e.is_tampering() => Box::new(e),
        other => other.to_string().into(),
    }
}

fn run_export(args: ExportArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    crate::files::refuse_existing(&args.output)?;
    let (_, key) = liuhen::keyfile::read_secret_key(&args.key_file)?;
    let request = export_request(&args)?;
    let dir = LedgerDir::new(&args.dir);
    let mut bar = Bar(progress::bar(global, 0, "bytes"));
    bar.0.set_message("copying media");
    let result = export_case_in_dir(&dir, &key, &request, &mut bar);
    bar.0.finish_and_clear();
    let export = result.map_err(|e| export_error(&args, e))?;
    if let Some(e) = &export.unsynced {
        eprintln!(
            "liuhen: warning: cannot sync the directory of {}: {e}",
            args.output.display()
        );
    }
    let first = export.receipts.first().map_or(0, |r| r.seq);
    let text = if args.json {
        format!("{}\n", render::export_json(&request, &export))
    } else {
        render::export_text(&dir, &request, args.openings.as_deref(), &export)
    };
    print_exact(&text).map_err(|e| {
        format!(
            "the bundle {} is written and its disclosure recorded at entry {first}, but the output failed: {e}",
            args.output.display()
        )
    })?;
    if !global.quiet {
        for note in render::export_notes(&dir, &export) {
            eprintln!("liuhen: {note}");
        }
        eprintln!(
            "liuhen: the disclosure is recorded at entry {first} (RecordDisclosed); `liuhen seal` signs a checkpoint over it, and the case cannot be exported again before"
        );
    }
    Ok(EXIT_OK)
}

fn run_verify(args: VerifyArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    let key = read_vkey(&args.vkey)?;
    let policy = args
        .policy
        .as_deref()
        .map(liuhen::policy::read_policy)
        .transpose()?;
    let roots = args
        .tsa_root
        .as_deref()
        .map(liuhen::timestamp::TsaRoots::read)
        .transpose()?;
    let name = args.file.display().to_string();
    let file = File::open(&args.file).map_err(|e| format!("cannot read {name}: {e}"))?;
    let mut bar = Bar(progress::bar(global, 0, "bytes"));
    bar.0.set_message("checking media");
    let result = verify_with_evidence(
        BufReader::new(file),
        &key,
        policy.as_ref(),
        roots.as_ref(),
        &mut bar,
    );
    bar.0.finish_and_clear();
    let report = result.map_err(|e| format!("{name}: {e}"))?;
    if roots.is_none() && !report.timestamps.is_empty() {
        eprintln!(
            "liuhen: the bundle carries {} timestamp tokens, not checked: pass the TSA's root certificate with --tsa-root (the time they state is not proven)",
            report.timestamps.len()
        );
    }
    if args.evidence {
        return print_evidence(&args, &name, &report, global);
    }
    if args.json {
        print_exact(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        print_exact(&liuhen::bundle::render::text(&name, &report, !global.quiet))?;
    }
    Ok(Outcome::from(report.verdict).exit_code())
}

/// `bundle verify --evidence`: the case's evidence list from the bundle's verified entries, or,
/// if the bundle does not verify, the report on standard error and no list.
fn print_evidence(
    args: &VerifyArgs,
    name: &str,
    report: &BundleReport,
    global: &Global,
) -> Result<u8, Box<dyn Error>> {
    let code = Outcome::from(report.verdict).exit_code();
    let Some(items) = report.evidence() else {
        eprint!(
            "{}",
            liuhen::bundle::render::text(name, report, !global.quiet)
        );
        eprintln!(
            "liuhen: {name} does not verify: no evidence list is printed (a list from entries that are not verified would prove nothing)"
        );
        return Ok(code);
    };
    let text = if args.csv {
        liuhen::audit::stats::evidence_csv(&items)
    } else {
        liuhen::audit::render::evidence_text(&report.case_no, &items)
    };
    print_exact(&text)?;
    Ok(code)
}
