//! `liuhen`: the command-line face of the liuhen evidence ledger.
//!
//! Thin by design: it parses arguments, calls the core library and prints. So far it offers
//! `demo` (the guided tour) and `keygen`; the verifier, proofs and bundles follow the file store.
#![forbid(unsafe_code)]
// A command-line tool prints by nature.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod demo;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code: everything verified.
pub const EXIT_OK: u8 = 0;
/// Exit code: integrity failure (tampering).
pub const EXIT_TAMPERED: u8 = 1;
/// Exit code: usage or I/O error.
pub const EXIT_ERROR: u8 = 3;

#[derive(Parser)]
#[command(
    name = "liuhen",
    version,
    about = "留痕 — a tamper-evident evidence ledger for administrative law-enforcement records",
    after_help = "Exit codes: 0 verified clean; 1 integrity failure (tampering); 3 usage or I/O error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a demo ledger of the Jinpu civil-affairs bureau, prove, verify, then tamper with
    /// copies and show every change being caught.
    #[command(
        after_help = "Example:\n  liuhen demo /tmp/jinpu-demo\n\nWrites keys (mode 0600), the verifier key, checkpoints, proofs and verification reports to DIR."
    )]
    Demo {
        /// Output directory (created; must not exist or be empty). Default: ./liuhen-demo, or
        /// ./liuhen-demo-2, -3, … if that exists already.
        dir: Option<PathBuf>,
    },
    /// Create a new Ed25519 key file (mode 0600) and print its C2SP verifier key.
    #[command(
        after_help = "Example:\n  liuhen keygen --name officer-21020001 officer.key\n\nWrites officer.key (secret, mode 0600) and officer.key.vkey (public)."
    )]
    Keygen {
        /// Key name (for a ledger key: the ledger's origin).
        #[arg(long)]
        name: String,
        /// Where to write the secret key; the verifier key goes to the same path plus `.vkey`.
        path: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo { dir } => demo::run(dir.unwrap_or_else(default_demo_dir)),
        Command::Keygen { name, path } => keygen(&name, &path),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("liuhen: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
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

fn keygen(name: &str, path: &std::path::Path) -> Result<u8, Box<dyn std::error::Error>> {
    use liuhen::Signer;
    let key = liuhen::SecretKey::generate()?;
    liuhen::keyfile::write_secret_key(path, name, &key)?;
    let vkey = liuhen::checkpoint::NoteVerifier::for_key(name, key.public_key())?;
    let mut vpath = path.as_os_str().to_owned();
    vpath.push(".vkey");
    liuhen::keyfile::write_verifier_key(std::path::Path::new(&vpath), &vkey)?;
    println!("{vkey}");
    Ok(EXIT_OK)
}
