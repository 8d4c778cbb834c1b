//! `liuhen init`: a new ledger directory (see `layout.rs`): the file store with its genesis
//! entry and first checkpoint, the media store, and the verifier key, made by the core's one
//! creation path ([`liuhen::setup`]).
//!
//! What it does, and the key policy around it (a given key named after the origin, a generated
//! key written mode 0600 before anything is signed with it, no second ledger under a key that
//! sealed one), is the core's [`liuhen::init`]; this module parses, warns and prints.

use std::error::Error;
use std::path::PathBuf;
use std::sync::Arc;

use liuhen::init::{InitError, InitRequest};
use liuhen::setup::SetupError;
use liuhen::{LedgerOptions, SystemClock};

use crate::cmd::append::print_exact;
use crate::layout::LedgerDir;
use crate::{Global, EXIT_OK};

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
    let layout = LedgerDir::new(&args.dir);
    let made = liuhen::init::init(InitRequest {
        dir: &layout,
        origin: &args.origin,
        key_file: args.key.as_deref(),
        clock: Arc::new(SystemClock),
        options: LedgerOptions::default(),
    })
    .map_err(refusal)?;
    // Said even with --quiet: losing or leaking this key is what the user must not miss.
    if made.key_generated {
        eprintln!(
            "liuhen: the new ledger key {} signs every checkpoint of this ledger, and whoever holds it can sign for the ledger: move it out of the ledger directory to safe storage (offline, or a hardware module), together with {} (the last checkpoint it signed, which `liuhen seal` checks against)",
            made.key_file.display(),
            made.state_path.display()
        );
    }
    if !global.quiet {
        eprintln!(
            "liuhen: created ledger {} in {}: genesis entry and a first checkpoint at size {}; give auditors the verifier key {}",
            args.origin,
            args.dir.display(),
            made.ledger.size(),
            layout.vkey_path().display()
        );
    }
    let text = if args.json {
        format!("{}\n", made.to_json(&args.origin))
    } else {
        format!("{}\n", made.vkey)
    };
    print_exact(&text).map_err(|e| {
        format!(
            "the ledger was created, but its verifier key could not be printed ({e}); it is in {}",
            layout.vkey_path().display()
        )
    })?;
    Ok(EXIT_OK)
}

/// The core's refusal, with what the user can do about it.
fn refusal(e: InitError) -> Box<dyn Error> {
    let hint = match &e {
        InitError::Setup(SetupError::NotEmpty { path }) => {
            return format!(
                "{} is not empty; `liuhen init` creates a ledger only in a new or empty directory",
                path.display()
            )
            .into()
        }
        InitError::WrongKeyName { origin, .. } => {
            format!(" (create one with `liuhen keygen --name {origin}`)")
        }
        InitError::AlreadySealed { .. } => {
            " (use a new key, or remove the state only if that ledger was never used)".into()
        }
        InitError::Setup(SetupError::BadOrigin { .. }) => {
            " (an origin is a name like example.gov.cn/enforcement, without spaces or '+')".into()
        }
        InitError::Incomplete { .. } => ": remove it before running `liuhen init` again".into(),
        _ => return e.into(),
    };
    format!("{e}{hint}").into()
}
