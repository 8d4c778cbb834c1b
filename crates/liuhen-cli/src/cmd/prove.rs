//! `liuhen prove` and `liuhen check-proof`: portable JSON proofs (`docs/FORMAT.md` §19) that a
//! court or a third party checks with nothing but the ledger's verifier key.
//!
//! `prove` uses checkpoints the ledger already stored and never signs anything: an entry after
//! the latest checkpoint is refused with "seal first". `check-proof` exits 0 when the proof
//! verifies, 1 when it does not (altered, for another checkpoint, signed by another key), 3 when
//! the file is unreadable or not a proof document.

use std::error::Error;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use liuhen::bundle::{Proven, MAX_PROOF_BYTES};
use liuhen::checkpoint::{NoteVerifier, SignatureType};
use liuhen::proofs::{self, ProofRequest};
use liuhen::Entry;

// The file helpers moved to `crate::files`; other commands still import them from here.
pub(crate) use crate::files::{read_limited, write_new};

use crate::layout::LedgerDir;
use crate::{Global, EXIT_OK};

/// Arguments of `liuhen prove`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  liuhen prove inclusion /srv/liuhen/jinpu --seq 13 -o entry-13.proof.json
  liuhen prove consistency /srv/liuhen/jinpu --old 13 -o since-13.proof.json

A proof carries the signed checkpoint it is checked against; anyone holding the ledger's
verifier key checks it offline with `liuhen check-proof FILE --vkey KEY`. Nothing is signed:
an entry after the latest checkpoint needs `liuhen seal` first. Format: docs/FORMAT.md §19.")]
pub struct Args {
    /// What to prove.
    #[command(subcommand)]
    pub what: What,
}

/// The kinds of proof.
#[derive(clap::Subcommand, Debug)]
pub enum What {
    /// Prove that an entry is in the ledger, as of a stored signed checkpoint.
    Inclusion(InclusionArgs),
    /// Prove that a later stored checkpoint extends an earlier one (nothing before was changed).
    Consistency(ConsistencyArgs),
}

/// Arguments of `liuhen prove inclusion`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:
  liuhen prove inclusion /srv/liuhen/jinpu --seq 13 -o entry-13.proof.json

The proof is checked against the latest stored checkpoint, or the stored checkpoint of
--size N. It carries the entry's bytes, so check-proof shows what was proven.")]
pub struct InclusionArgs {
    /// The ledger directory.
    pub dir: PathBuf,
    /// The entry to prove.
    #[arg(long, value_name = "N")]
    pub seq: u64,
    /// Prove against the stored checkpoint of this tree size (default: the latest).
    #[arg(long, value_name = "N")]
    pub size: Option<u64>,
    /// Write the proof to FILE (which must not exist) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Arguments of `liuhen prove consistency`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:
  liuhen prove consistency /srv/liuhen/jinpu --old 13 -o since-13.proof.json

Both sizes must be sizes of stored checkpoints; --new defaults to the latest.")]
pub struct ConsistencyArgs {
    /// The ledger directory.
    pub dir: PathBuf,
    /// Size of the older stored checkpoint.
    #[arg(long, value_name = "N")]
    pub old: u64,
    /// Size of the newer stored checkpoint (default: the latest).
    #[arg(long, value_name = "M")]
    pub new: Option<u64>,
    /// Write the proof to FILE (which must not exist) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs `liuhen prove`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    let (dir, request, output) = match args.what {
        What::Inclusion(a) => (
            a.dir,
            ProofRequest::Inclusion {
                seq: a.seq,
                size: a.size,
            },
            a.output,
        ),
        What::Consistency(a) => (
            a.dir,
            ProofRequest::Consistency {
                old: a.old,
                new: a.new,
            },
            a.output,
        ),
    };
    let store = LedgerDir::new(&dir).open_read_only()?;
    let produced =
        proofs::produce(&store, request).map_err(|e| format!("{}: {e}", dir.display()))?;
    let json = produced.proof.to_json();
    match output {
        None => io::stdout().write_all(json.as_bytes())?,
        Some(path) => {
            write_new(&path, json.as_bytes())?;
            if !global.quiet {
                eprintln!("{} written to {}", produced.what, path.display());
            }
        }
    }
    Ok(EXIT_OK)
}

/// Arguments of `liuhen check-proof`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:
  liuhen check-proof entry-13.proof.json --vkey jinpu.vkey

Needs only the proof and the ledger's verifier key (a vkey file, or the vkey text itself),
obtained independently of the proof. Checks the checkpoint's signature and origin, then the
Merkle proof against the signed root; for an inclusion proof also the entry's bytes and its
author's signature. (Whether the author was authorized is not in a proof: verify the ledger
or a case bundle for that.)

With --policy FILE (a C2SP tlog-policy file: witness keys and quorum), the checkpoint the proof
relies on (an inclusion proof's, a consistency proof's newer one) must also be cosigned by a
quorum of the witnesses.

Exit codes: 0 verified, 1 the proof does not verify (altered, for another checkpoint, another
key) or a listed witness's cosignature is forged, 3 unreadable or malformed file, 4 verified
but its checkpoint does not meet --policy (the reason is printed). JSON output: docs/FORMAT.md
§19.5.")]
pub struct CheckArgs {
    /// The proof document (`-` for standard input).
    pub file: PathBuf,
    /// The ledger's verifier key: a C2SP vkey file, or the vkey text.
    #[arg(long, value_name = "KEY")]
    pub vkey: String,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// The witness policy (C2SP tlog-policy file): the proof's checkpoint must meet its
    /// quorum.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

/// Runs `liuhen check-proof`; returns the exit code.
pub fn run_check(args: CheckArgs, _global: &Global) -> Result<u8, Box<dyn Error>> {
    let key = read_vkey(&args.vkey)?;
    let name = args.file.display().to_string();
    let bytes = read_limited(&args.file, MAX_PROOF_BYTES)?;
    let policy = args
        .policy
        .as_deref()
        .map(liuhen::policy::read_policy)
        .transpose()?;
    let check = proofs::check_with_policy(&bytes, &key, policy.as_ref())
        .map_err(|e| format!("{name}: {e}"))?;
    if args.json {
        let mut out = io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &check.to_json())?;
        out.write_all(b"\n")?;
    } else {
        match (&check.outcome, check.not_witnessed()) {
            (Ok(proven), None) => println!("{}", proven_text(proven)),
            (Ok(_), Some(why)) => println!("NOT WITNESSED: {name}: {}", clean(&why)),
            (Err(e), _) => println!("NOT VERIFIED: {name}: {e}"),
        }
        if let Some(Ok(p)) = &check.witnesses {
            if p.met && !p.cosigners.is_empty() {
                let by: Vec<String> = p
                    .cosigners
                    .iter()
                    .map(|c| format!("{} at {}", clean(&c.witness), c.at()))
                    .collect();
                println!("  witnessed: cosigned by {}", by.join(", "));
            }
        }
    }
    Ok(check.result().exit_code())
}

/// One or two lines saying what was proven.
fn proven_text(proven: &Proven) -> String {
    match proven {
        Proven::Inclusion {
            origin,
            seq,
            tree_size,
            root,
            leaf_hash,
            entry,
        } => {
            let head = format!(
                "VERIFIED: entry {seq} is in ledger {} as of its signed checkpoint of size {tree_size} (root {}).",
                clean(origin),
                short(&root.to_hex())
            );
            match entry {
                Some(e) => format!("{head}\n  {}", entry_line(e)),
                None => format!(
                    "{head}\n  (the proof carries only the leaf hash {}, not the entry)",
                    leaf_hash.to_hex()
                ),
            }
        }
        Proven::Consistency {
            origin,
            old_size,
            new_size,
            old_root,
            new_root,
        } => format!(
            "VERIFIED: ledger {}'s signed checkpoint of size {new_size} (root {}) extends its signed checkpoint of size {old_size} (root {}):\n  none of the first {old_size} entries was changed, removed or reordered in between.",
            clean(origin),
            short(&new_root.to_hex()),
            short(&old_root.to_hex())
        ),
    }
}

/// The event, its case, author and time, in one line.
fn entry_line(e: &Entry) -> String {
    let st = &e.statement.statement;
    let case = st
        .event
        .case_no()
        .map(|c| format!(", case {}", clean(c)))
        .unwrap_or_default();
    format!(
        "{}{case}, signed by {} (signature valid), logged {}",
        st.event.name(),
        st.author,
        local_time(e.logged_at)
    )
}

/// Text helpers of the core, named as the CLI's commands import them from here.
pub(crate) use liuhen::text::{local_time, replace_controls as clean, short};

/// Reads a ledger verifier key given as a file (the core's one reader,
/// [`liuhen::check::read_vkey`], which refuses a witness key) or as the vkey text itself, which
/// is held to the same rule.
pub(crate) fn read_vkey(arg: &str) -> Result<NoteVerifier, Box<dyn Error>> {
    let path = Path::new(arg);
    if path.is_file() {
        return Ok(liuhen::check::read_vkey(path)?.key);
    }
    let key = NoteVerifier::parse(arg.trim()).map_err(|e| {
        if arg.contains('+') {
            format!("--vkey {arg:?} is not a valid verifier key: {e}")
        } else {
            format!("--vkey {arg}: no such file, and not a verifier key text either")
        }
    })?;
    if key.signature_type() != SignatureType::Ed25519 {
        return Err(format!(
            "--vkey {}: {} is a witness key (cosignature/v1), not a ledger's verifier key",
            arg,
            key.name()
        )
        .into());
    }
    Ok(key)
}
