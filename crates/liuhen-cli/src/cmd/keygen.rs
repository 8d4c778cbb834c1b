//! `liuhen keygen`: a new Ed25519 key file and its C2SP verifier key.

use std::error::Error;
use std::path::{Path, PathBuf};

use liuhen::Signer;

use crate::{Global, EXIT_OK};

/// Arguments of `liuhen keygen`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  liuhen keygen --name officer-21020001 officer.key\n\nWrites officer.key (secret, mode 0600, refused if it exists) and officer.key.vkey (public),\nand prints the verifier key (C2SP vkey: name+keyid+base64) on stdout."
)]
pub struct Args {
    /// Key name (for a ledger key: the ledger's origin; for an officer: the certificate number).
    #[arg(long)]
    pub name: String,
    /// Where to write the secret key; the verifier key goes to the same path plus `.vkey`.
    pub path: PathBuf,
}

/// Runs `liuhen keygen`; returns the exit code.
pub fn run(args: Args, _global: &Global) -> Result<u8, Box<dyn Error>> {
    let key = liuhen::SecretKey::generate()?;
    let vkey = liuhen::checkpoint::NoteVerifier::for_key(&args.name, key.public_key())?;
    liuhen::keyfile::write_secret_key(&args.path, &args.name, &key)?;
    let mut vpath = args.path.as_os_str().to_owned();
    vpath.push(".vkey");
    liuhen::keyfile::write_verifier_key(Path::new(&vpath), &vkey)?;
    println!("{vkey}");
    Ok(EXIT_OK)
}
