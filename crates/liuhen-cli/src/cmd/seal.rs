//! `liuhen seal`: sign a checkpoint over the ledger as it is now, store it, and print it.
//!
//! The checkpoint is a C2SP `tlog-checkpoint` signed note (docs/FORMAT.md): standard note
//! verifiers given the ledger's vkey accept it. Entries appended after the last checkpoint are
//! signed by nobody yet, and the verifier reports them as unsealed; sealing closes that gap.

use std::error::Error;
use std::path::PathBuf;

use liuhen::Signer;
use serde_json::json;

use crate::cmd::append::{open_ledger, print_exact};
use crate::{Global, EXIT_OK};

/// Arguments of `liuhen seal`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  liuhen seal /srv/liuhen/jinpu --key-file /secure/ledger.key > checkpoint.txt\n\nSigns a checkpoint (origin, size, root hash) with the ledger key, stores it in the ledger and\nprints the signed note byte for byte: publish it, or give it to witnesses and auditors. It\nverifies with any C2SP signed-note verifier given the ledger's vkey (DIR/ledger.vkey).\n\nOutput: the signed note; --json: {origin, size, root, note} (root in hex)."
)]
pub struct Args {
    /// The ledger directory.
    pub dir: PathBuf,
    /// The ledger key file (the key `liuhen init` made or was given; mode 0600).
    #[arg(long, value_name = "LEDGER.key")]
    pub key_file: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `liuhen seal`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    let (_, key) = liuhen::keyfile::read_secret_key(&args.key_file)?;
    let mut ledger = open_ledger(&args.dir)?;
    let signed = ledger.seal(&key).map_err(|e| {
        format!(
            "{} (key {}): {e}; no checkpoint was made",
            args.key_file.display(),
            key.public_key()
        )
    })?;
    let checkpoint = signed.checkpoint();
    let note = signed.to_string();
    if !global.quiet {
        eprintln!(
            "liuhen: sealed {} at size {}",
            checkpoint.origin, checkpoint.size
        );
    }
    let text = if args.json {
        let out = json!({
            "origin": checkpoint.origin,
            "size": checkpoint.size,
            "root": checkpoint.root.to_hex(),
            "note": note,
        });
        format!("{out}\n")
    } else {
        note
    };
    // The checkpoint is stored by now; a failure to print must not suggest otherwise.
    print_exact(&text).map_err(|e| {
        format!(
            "the checkpoint at size {} was stored in the ledger, but could not be printed: {e}",
            checkpoint.size
        )
    })?;
    Ok(EXIT_OK)
}
