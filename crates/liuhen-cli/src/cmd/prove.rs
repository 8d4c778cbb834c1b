//! `liuhen prove` and `liuhen check-proof`: portable JSON proofs (`docs/FORMAT.md` §19) that a
//! court or a third party checks with nothing but the ledger's verifier key.
//!
//! `prove` uses checkpoints the ledger already stored and never signs anything: an entry after
//! the latest checkpoint is refused with "seal first". `check-proof` exits 0 when the proof
//! verifies, 1 when it does not (altered, for another checkpoint, signed by another key), 3 when
//! the file is unreadable or not a proof document.

use std::error::Error;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use liuhen::bundle::{
    PortableConsistency, PortableInclusion, PortableProof, Proven, MAX_PROOF_BYTES,
};
use liuhen::checkpoint::{NoteVerifier, SignatureType};
use liuhen::model::Timestamp;
use liuhen::Entry;

use crate::layout::LedgerDir;
use crate::{Global, EXIT_OK, EXIT_TAMPERED};

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
    match args.what {
        What::Inclusion(a) => {
            let store = LedgerDir::new(&a.dir).open_read_only()?;
            let proof = PortableInclusion::from_store(&store, a.seq, a.size)
                .map_err(|e| format!("{}: {e}", a.dir.display()))?;
            let what = format!(
                "inclusion proof of entry {} against the checkpoint of size {}",
                proof.leaf_index, proof.tree_size
            );
            emit(
                &PortableProof::Inclusion(proof).to_json(),
                a.output.as_deref(),
                &what,
                global,
            )
        }
        What::Consistency(a) => {
            let store = LedgerDir::new(&a.dir).open_read_only()?;
            let proof = PortableConsistency::from_store(&store, a.old, a.new)
                .map_err(|e| format!("{}: {e}", a.dir.display()))?;
            let what = format!(
                "consistency proof from the checkpoint of size {} to the checkpoint of size {}",
                proof.old_size, proof.new_size
            );
            emit(
                &PortableProof::Consistency(proof).to_json(),
                a.output.as_deref(),
                &what,
                global,
            )
        }
    }
}

/// Writes the document to `output` (or standard output) and says what was written.
fn emit(
    json: &str,
    output: Option<&Path>,
    what: &str,
    global: &Global,
) -> Result<u8, Box<dyn Error>> {
    match output {
        None => {
            io::stdout().write_all(json.as_bytes())?;
        }
        Some(path) => {
            write_new(path, json.as_bytes())?;
            if !global.quiet {
                eprintln!("{what} written to {}", path.display());
            }
        }
    }
    Ok(EXIT_OK)
}

/// Creates `path`, which must not exist, with `bytes`: a proof or bundle is evidence, and
/// silently replacing an earlier one is a mistake that could not be undone.
pub(crate) fn create_new(path: &Path) -> Result<File, Box<dyn Error>> {
    create_new_with_mode(path, 0o644)
}

fn create_new_with_mode(path: &Path, mode: u32) -> Result<File, Box<dyn Error>> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path).map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            format!(
                "{} already exists: remove it or choose another file name",
                path.display()
            )
            .into()
        } else {
            format!("cannot create {}: {e}", path.display()).into()
        }
    })
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Box<dyn Error>> {
    let mut file = create_new(path)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        let _ = fs::remove_file(path);
        return Err(format!("cannot write {}: {e}", path.display()).into());
    }
    Ok(())
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

Exit codes: 0 verified, 1 the proof does not verify (altered, for another checkpoint, another
key), 3 unreadable or malformed file. JSON output: docs/FORMAT.md §19.5.")]
pub struct CheckArgs {
    /// The proof document (`-` for standard input).
    pub file: PathBuf,
    /// The ledger's verifier key: a C2SP vkey file, or the vkey text.
    #[arg(long, value_name = "KEY")]
    pub vkey: String,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `liuhen check-proof`; returns the exit code.
pub fn run_check(args: CheckArgs, _global: &Global) -> Result<u8, Box<dyn Error>> {
    let key = read_vkey(&args.vkey)?;
    let name = args.file.display().to_string();
    let bytes = read_limited(&args.file, MAX_PROOF_BYTES)?;
    let proof = PortableProof::from_json(&bytes).map_err(|e| format!("{name}: {e}"))?;
    let kind = match &proof {
        PortableProof::Inclusion(_) => "inclusion",
        PortableProof::Consistency(_) => "consistency",
    };
    match proof.verify(&key) {
        Ok(proven) => {
            if args.json {
                print_json(&proven_json(&proven, &key))?;
            } else {
                println!("{}", proven_text(&proven));
            }
            Ok(EXIT_OK)
        }
        Err(e) if e.is_verification_failure() => {
            if args.json {
                print_json(&serde_json::json!({
                    "verified": false,
                    "type": kind,
                    "vkey": key.to_string(),
                    "error": e.to_string(),
                }))?;
            } else {
                println!("NOT VERIFIED: {name}: {e}");
            }
            Ok(EXIT_TAMPERED)
        }
        Err(e) => Err(format!("{name}: {e}").into()),
    }
}

fn print_json(value: &serde_json::Value) -> Result<(), Box<dyn Error>> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

fn proven_json(proven: &Proven, key: &NoteVerifier) -> serde_json::Value {
    match proven {
        Proven::Inclusion {
            origin,
            seq,
            tree_size,
            root,
            leaf_hash,
            entry,
        } => serde_json::json!({
            "verified": true,
            "type": "inclusion",
            "vkey": key.to_string(),
            "origin": origin,
            "seq": seq,
            "tree_size": tree_size,
            "root": root.to_hex(),
            "leaf_hash": leaf_hash.to_hex(),
            "entry": entry.as_deref(),
        }),
        Proven::Consistency {
            origin,
            old_size,
            new_size,
            old_root,
            new_root,
        } => serde_json::json!({
            "verified": true,
            "type": "consistency",
            "vkey": key.to_string(),
            "origin": origin,
            "old_size": old_size,
            "new_size": new_size,
            "old_root": old_root.to_hex(),
            "new_root": new_root.to_hex(),
        }),
    }
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

/// A time for people: Beijing time (UTC+8, no daylight saving), with the UTC form beside it.
pub(crate) fn local_time(t: Timestamp) -> String {
    let beijing = crate::cmd::log::iso8601(t.plus_millis(8 * 3_600_000));
    let beijing = beijing
        .strip_suffix('Z')
        .unwrap_or(&beijing)
        .replacen('T', " ", 1);
    format!("{beijing} Asia/Shanghai")
}

/// The first 16 hex digits and an ellipsis.
pub(crate) fn short(hex: &str) -> String {
    match hex.get(..16) {
        Some(s) => format!("{s}…"),
        None => hex.to_owned(),
    }
}

/// Replaces control characters in text from a proof or a ledger, so that it can neither forge
/// output lines nor drive the terminal.
pub(crate) fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// Reads a ledger verifier key given as a file or as the vkey text itself. A witness key is
/// refused: it cannot sign a ledger's checkpoints.
pub(crate) fn read_vkey(arg: &str) -> Result<NoteVerifier, Box<dyn Error>> {
    let path = Path::new(arg);
    let key = if path.is_file() {
        liuhen::keyfile::read_verifier_key(path)?
    } else {
        NoteVerifier::parse(arg.trim()).map_err(|e| {
            if arg.contains('+') {
                format!("--vkey {arg:?} is not a valid verifier key: {e}")
            } else {
                format!("--vkey {arg}: no such file, and not a verifier key text either")
            }
        })?
    };
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

/// Reads at most `max` bytes of `path` (`-` is standard input); more is an error, before
/// anything is parsed.
pub(crate) fn read_limited(path: &Path, max: usize) -> Result<Vec<u8>, Box<dyn Error>> {
    let name = path.display();
    let mut bytes = Vec::new();
    let limit = max as u64 + 1;
    if path == Path::new("-") {
        io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
    } else {
        File::open(path)
            .and_then(|f| f.take(limit).read_to_end(&mut bytes))
            .map_err(|e| format!("cannot read {name}: {e}"))?;
    }
    if bytes.len() > max {
        return Err(format!("{name} is larger than {max} bytes: not a liuhen proof").into());
    }
    Ok(bytes)
}
