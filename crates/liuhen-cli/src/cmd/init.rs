//! `liuhen init`: a new ledger directory (see `layout.rs`): the file store with its genesis
//! entry and first checkpoint, the media store, and the verifier key.
//!
//! The ledger key signs the genesis entry and every checkpoint; whoever holds it can seal, so a
//! generated key is written with mode 0600 and the user is told to move it to safe storage.
//! The key file is written before anything is signed with it, so that a ledger never exists
//! whose key was lost to a failed write.

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use liuhen::checkpoint::NoteVerifier;
use liuhen::media::MediaStore;
use liuhen::store::file::FileStore;
use liuhen::{Ledger, LedgerOptions, SecretKey, Signer, SystemClock};
use serde_json::json;

use crate::cmd::append::print_exact;
use crate::layout::LedgerDir;
use crate::{Global, EXIT_OK};

/// Where a generated ledger key goes, inside the ledger directory.
const GENERATED_KEY: &str = "keys/ledger.key";

/// Arguments of `liuhen init`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  liuhen init /srv/liuhen/jinpu --origin jinpu.dalian.gov.cn/minzheng/enforcement\n  liuhen init /srv/liuhen/jinpu --origin jinpu.dalian.gov.cn/minzheng/enforcement --key /secure/ledger.key\n\nCreates DIR (which must not exist or be empty): DIR/ledger (the file store, with the genesis\nentry and a first checkpoint), DIR/media and DIR/ledger.vkey. Without --key a new ledger key is\nwritten to DIR/keys/ledger.key (mode 0600): it signs every checkpoint, so move it to safe\nstorage, together with LEDGER.key.seal-state (the last checkpoint it signed, which\n`liuhen seal` checks the ledger against). A key given with --key must be named after the origin (liuhen keygen --name ORIGIN).\n\nOutput: the ledger's verifier key (C2SP vkey), which auditors need; --json: {origin, vkey,\nsize, root, checkpoint, key_file, key_generated}."
)]
pub struct Args {
    /// The ledger directory to create.
    pub dir: PathBuf,
    /// Unique name of the ledger, e.g. `jinpu.dalian.gov.cn/minzheng/enforcement`: the
    /// checkpoint origin and the key name of its verifier key (no spaces, no `+`).
    #[arg(long)]
    pub origin: String,
    /// An existing ledger key file (mode 0600) whose name is the origin; default: generate one
    /// into DIR/keys/ledger.key.
    #[arg(long, value_name = "LEDGER.key")]
    pub key: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `liuhen init`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    require_empty(&args.dir)?;
    let (key, key_file, generated) = match &args.key {
        Some(path) => {
            let (name, key) = liuhen::keyfile::read_secret_key(path)?;
            if name != args.origin {
                return Err(format!(
                    "{} is the key named {name:?}, but a ledger key must be named after the ledger's origin {:?} (create one with `liuhen keygen --name {}`)",
                    path.display(),
                    args.origin,
                    args.origin
                )
                .into());
            }
            (key, path.clone(), false)
        }
        None => (SecretKey::generate()?, args.dir.join(GENERATED_KEY), true),
    };
    // A key that has sealed a ledger already must not start a second one under the same
    // origin: two ledgers signed by one key under one name are a fork.
    let state_path = liuhen::keyfile::seal_state_path(&key_file);
    if state_path.exists() {
        return Err(format!(
            "{} exists: this key has already sealed a ledger named {:?}; a second ledger under the same key and name would be a fork (use a new key, or remove the state only if that ledger was never used)",
            state_path.display(),
            args.origin
        )
        .into());
    }
    // Checked before anything is written: the origin is the key name of the verifier key.
    NoteVerifier::for_key(&args.origin, key.public_key()).map_err(|e| {
        format!(
            "invalid origin {:?}: {e} (an origin is a name like example.gov.cn/enforcement, without spaces or '+')",
            args.origin
        )
    })?;
    let layout = LedgerDir::new(&args.dir);
    let incomplete = |e: &dyn std::fmt::Display| {
        format!(
            "{e}; {} is left incomplete: remove it before running `liuhen init` again",
            args.dir.display()
        )
    };
    fs::create_dir_all(&args.dir)
        .map_err(|e| format!("cannot create {}: {e}", args.dir.display()))?;
    let store = FileStore::create(layout.store_dir(), &args.origin).map_err(|e| incomplete(&e))?;
    if generated {
        write_generated_key(&key_file, &args.origin, &key).map_err(|e| incomplete(&*e))?;
    }
    let ledger = Ledger::create(
        store,
        &args.origin,
        &key,
        Arc::new(SystemClock),
        LedgerOptions::default(),
    )
    .map_err(|e| incomplete(&e))?;
    // What the next `liuhen seal` checks against: the first checkpoint, kept beside the key.
    let state = ledger.seal_state().map_err(|e| incomplete(&e))?;
    liuhen::keyfile::write_seal_state(&state_path, &state).map_err(|e| incomplete(&e))?;
    MediaStore::create(layout.media_dir()).map_err(|e| incomplete(&e))?;
    let vkey = ledger.verifier_key().map_err(|e| incomplete(&e))?;
    liuhen::keyfile::write_verifier_key(&layout.vkey_path(), &vkey).map_err(|e| incomplete(&e))?;
    let checkpoint = ledger
        .latest_checkpoint()
        .map_err(|e| incomplete(&e))?
        .unwrap_or_default();

    // Said even with --quiet: losing or leaking this key is what the user must not miss.
    if generated {
        eprintln!(
            "liuhen: the new ledger key {} signs every checkpoint of this ledger, and whoever holds it can sign for the ledger: move it out of the ledger directory to safe storage (offline, or a hardware module), together with {} (the last checkpoint it signed, which `liuhen seal` checks against)",
            key_file.display(),
            state_path.display()
        );
    }
    if !global.quiet {
        eprintln!(
            "liuhen: created ledger {} in {}: genesis entry and a first checkpoint at size {}; give auditors the verifier key {}",
            args.origin,
            args.dir.display(),
            ledger.size(),
            layout.vkey_path().display()
        );
    }
    let text = if args.json {
        let out = json!({
            "origin": args.origin,
            "vkey": vkey.to_string(),
            "size": ledger.size(),
            "root": ledger.root().to_hex(),
            "checkpoint": checkpoint,
            "key_file": key_file.display().to_string(),
            "key_generated": generated,
        });
        format!("{out}\n")
    } else {
        format!("{vkey}\n")
    };
    print_exact(&text).map_err(|e| {
        format!(
            "the ledger was created, but its verifier key could not be printed ({e}); it is in {}",
            layout.vkey_path().display()
        )
    })?;
    Ok(EXIT_OK)
}

/// Refuses a `dir` that exists and is not an empty directory: `init` never mixes a new ledger
/// with files already there.
fn require_empty(dir: &Path) -> Result<(), Box<dyn Error>> {
    match fs::read_dir(dir) {
        Ok(mut listing) => {
            if listing.next().is_some() {
                return Err(format!(
                    "{} is not empty; `liuhen init` creates a ledger only in a new or empty directory",
                    dir.display()
                )
                .into());
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) if dir.exists() && !dir.is_dir() => {
            Err(format!("{} exists and is not a directory", dir.display()).into())
        }
        Err(e) => Err(format!("cannot read {}: {e}", dir.display()).into()),
    }
}

/// Writes a generated ledger key into a directory only its owner may enter.
fn write_generated_key(path: &Path, origin: &str, key: &SecretKey) -> Result<(), Box<dyn Error>> {
    if let Some(parent) = path.parent() {
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder
            .create(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    liuhen::keyfile::write_secret_key(path, origin, key)?;
    Ok(())
}
