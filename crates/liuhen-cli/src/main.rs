//! `liuhen`: the command-line face of the liuhen evidence ledger.
//!
//! Thin by design: each subcommand (in `cmd/`) parses its arguments, calls the core library and
//! prints. Every reporting command has `--json` with a schema documented in `docs/CLI.md`;
//! errors are one sentence on stderr with the path or sequence number concerned.
#![forbid(unsafe_code)]
// A command-line tool prints by nature.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cmd;
mod demo;
mod files;
mod layout;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code: everything verified clean.
pub const EXIT_OK: u8 = 0;
/// Exit code: integrity failure (tampering).
pub const EXIT_TAMPERED: u8 = 1;
/// Exit code: integrity verified, but there are compliance findings (audit).
pub const EXIT_COMPLIANCE: u8 = 2;
/// Exit code: usage or I/O error.
pub const EXIT_ERROR: u8 = 3;
/// Exit code: nothing was found wrong, but not everything could be checked (no trusted
/// verifier key given, media not available): the result is not a verification.
pub const EXIT_UNVERIFIED: u8 = 4;

/// The exit-code table, shown by `--help` and repeated in the README.
const EXIT_CODES: &str = "Exit codes:
  0  verified clean
  1  integrity failure (tampering found)
  2  integrity verified, only compliance findings (audit)
  3  usage or I/O error
  4  nothing found wrong, but not fully verified (no --vkey trust anchor, or media not checked)";

/// Options every subcommand sees.
#[derive(Clone, Debug, Default)]
pub struct Global {
    /// `--quiet`: no progress bars and no narration; results and errors only.
    pub quiet: bool,
}

#[derive(Parser)]
#[command(
    name = "liuhen",
    version,
    about = "留痕 — a tamper-evident evidence ledger for administrative law-enforcement records",
    after_help = EXIT_CODES
)]
struct Cli {
    /// No progress bars or narration: only results (and errors on stderr).
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a demo ledger of the Jinpu civil-affairs bureau, prove, verify, tamper with copies
    /// and show every change caught, export a case bundle and erase personal data lawfully.
    #[command(
        after_help = "Example:\n  liuhen demo /tmp/jinpu-demo\n\nWrites to DIR a ledger directory (ledger/, media/, vault/, ledger.vkey), keys (mode 0600),\ncheckpoints, proofs, verification reports, tampered copies, a case bundle and a destruction\ncertificate; then prints the commands to verify, audit and inspect it."
    )]
    Demo {
        /// Output directory (created; must not exist or be empty). Default: ./liuhen-demo, or
        /// ./liuhen-demo-2, -3, … if that exists already.
        dir: Option<PathBuf>,
    },
    /// Create a new Ed25519 key file (mode 0600) and print its C2SP verifier key.
    Keygen(cmd::keygen::Args),
    /// Create a new ledger directory: file store, media store, genesis entry and first checkpoint.
    Init(cmd::init::Args),
    /// Authorize a key (officer, device, system, auditor) to author statements.
    Authorize(cmd::registry::AuthorizeArgs),
    /// Revoke a key: statements it signs are refused from now on.
    Revoke(cmd::registry::RevokeArgs),
    /// Append signed statements (JSON, or JSON Lines for batches; schema in docs/EVENTS.md).
    Append(cmd::append::Args),
    /// Compute media digests (BLAKE3, b3sum-compatible output).
    Digest(cmd::digest::Args),
    /// Sign a checkpoint over the ledger as it is now and print it.
    Seal(cmd::seal::Args),
    /// Verify a ledger: signatures, hash chain, Merkle tree, checkpoints, registry, media.
    Verify(cmd::verify::Args),
    /// Show the ledger's history, or one case's, step by step (Art. 3).
    Log(cmd::log::Args),
    /// Produce a portable JSON inclusion or consistency proof.
    Prove(cmd::prove::Args),
    /// Check a JSON proof offline, with only the ledger's verifier key.
    CheckProof(cmd::prove::CheckArgs),
    /// Export or verify a case evidence bundle (one file, verifiable offline; Art. 19).
    Bundle(cmd::bundle::Args),
    /// Audit a ledger against the regulation's articles (human, JSON or HTML report).
    Audit(cmd::audit::Args),
    /// Personal data: commit values into the vault, show a case's openings, erase lawfully and
    /// issue destruction certificates (Art. 15, 20; PIPL).
    Vault(cmd::vault::Args),
    /// Serve the ledger over HTTP: signed statements in, C2SP tlog-tiles, proofs and a web
    /// explorer out (docs/HTTP.md).
    Serve(cmd::serve::Args),
    /// TEMPORARY (until `liuhen witness follow` is wired at merge): follow a log's tiles.
    #[command(hide = true)]
    WitnessFollow(cmd::witness_follow::Args),
}

fn main() -> ExitCode {
    // clap exits with 2 on a usage error, which this tool reserves for compliance findings.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            // Printing help or the error can only fail if stdout/stderr are closed; nothing
            // better to do then than exit with the code.
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let global = Global { quiet: cli.quiet };
    let result = match cli.command {
        Command::Demo { dir } => demo::run(dir.unwrap_or_else(default_demo_dir)),
        Command::Keygen(a) => cmd::keygen::run(a, &global),
        Command::Init(a) => cmd::init::run(a, &global),
        Command::Authorize(a) => cmd::registry::run_authorize(a, &global),
        Command::Revoke(a) => cmd::registry::run_revoke(a, &global),
        Command::Append(a) => cmd::append::run(a, &global),
        Command::Digest(a) => cmd::digest::run(a, &global),
        Command::Seal(a) => cmd::seal::run(a, &global),
        Command::Verify(a) => cmd::verify::run(a, &global),
        Command::Log(a) => cmd::log::run(a, &global),
        Command::Prove(a) => cmd::prove::run(a, &global),
        Command::CheckProof(a) => cmd::prove::run_check(a, &global),
        Command::Bundle(a) => cmd::bundle::run(a, &global),
        Command::Audit(a) => cmd::audit::run(a, &global),
        Command::Vault(a) => cmd::vault::run(a, &global),
        Command::Serve(a) => cmd::serve::run(a, &global),
        Command::WitnessFollow(a) => cmd::witness_follow::run(a, &global),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is::<cmd::append::Damaged>() => {
            // A writer command refused damaged records: tampering, never an I/O error.
            let dir = e
                .downcast_ref::<cmd::append::Damaged>()
                .map(|d| d.dir.display().to_string())
                .unwrap_or_default();
            eprintln!(
                "liuhen: refusing to write to {dir}: {}; nothing was written; run `liuhen verify {dir}`",
                one_sentence(e.as_ref())
            );
            ExitCode::from(EXIT_TAMPERED)
        }
        Err(e) => {
            eprintln!("liuhen: {}", one_sentence(e.as_ref()));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// An error and its causes on one line ("x: y: z"), skipping a cause its parent already quotes.
fn one_sentence(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// The first of `liuhen-demo`, `liuhen-demo-2`, … that does not exist yet, so that running the
/// README's demo command twice works.
fn default_demo_dir() -> PathBuf {
    (1u32..)
        .map(|n| match n {
            1 => PathBuf::from("liuhen-demo"),
            n => PathBuf::from(format!("liuhen-demo-{n}")),
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| PathBuf::from("liuhen-demo"))
}
