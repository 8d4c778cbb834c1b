//! `liuhen vault`: the personal data beside the ledger (Art. 15, 20; PIPL; `docs/PRIVACY.md`).
//!
//! The ledger holds only commitments; the openings (field, salt, value) live in the vault at
//! `DIR/vault` (`liuhen::vault::Vault`: directory 0700, one file 0600 per opening). These
//! subcommands are its only door in the CLI, and every door that reveals personal data leaves a
//! trace first:
//!
//! * `seal` stores a value and prints the commitment to put in a statement; it never prints the
//!   value, and takes it from a file or standard input so that it need not appear in `ps`;
//! * `show` reveals a case's openings only after appending a `RecordViewed` statement signed by
//!   the viewer's authorized key (Art. 19–21(3)); a refused append shows nothing;
//! * `erase` and `complete` destroy openings lawfully (`Vault::erase`: refused under a retention
//!   period or a preservation order, `Erased` appended before anything is destroyed);
//! * `certificate` and `check-certificate` issue and check signed destruction certificates.
//!
//! `liuhen bundle export` reads the vault too (a case's openings) and records the disclosure.

use std::error::Error;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use liuhen::checkpoint::{Note, NoteVerifier};
use liuhen::hash::Digest;
use liuhen::model::{RecordRef, Sealed};
use liuhen::store::file::FileStore;
use liuhen::vault::{CaseOpenings, DestructionCertificate, Vault, VaultError};
use liuhen::{Event, Ledger, LedgerOptions, PublicKey, SecretKey, Signer, SystemClock};
use serde_json::{json, Map, Value};

use super::append::{open_ledger, print_exact, receipt_json, refusal_reason};
use super::prove::{clean, create_new, local_time, read_vkey, short};
use crate::layout::LedgerDir;
use crate::{Global, EXIT_OK, EXIT_TAMPERED};

/// Sub-directory of a ledger directory holding the vault.
pub const VAULT_DIR: &str = "vault";

/// Longest value accepted by `vault seal` (and for a bundle's recipient): far above any name,
/// ID number or address, and far below the vault's record limit, so that every stored record
/// can be read back and disclosed in a bundle.
pub const MAX_VALUE_BYTES: usize = 16 * 1024;

/// Longest field name accepted by `vault seal`.
pub const MAX_FIELD_BYTES: usize = 256;

/// Largest destruction certificate `check-certificate` reads.
const MAX_CERTIFICATE_BYTES: usize = 1024 * 1024;

/// Arguments of `liuhen vault`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  liuhen vault seal /srv/liuhen/jinpu --field party.name --value-file - < name.txt
  liuhen vault show /srv/liuhen/jinpu --case '金民执〔2026〕12号' --key-file officer.key --purpose '复核 review'
  liuhen vault erase /srv/liuhen/jinpu --commitment HEX --authority 个人信息保护负责人 --key-file officer.key

The vault (DIR/vault, mode 0700, created on first use) holds the openings of the sealed fields
whose commitments the ledger holds. Showing personal data first appends a RecordViewed
statement; erasing it first appends an Erased statement. docs/PRIVACY.md explains the design,
docs/CLI.md the JSON output.")]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub what: What,
}

/// The vault subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum What {
    /// Seal a personal value into the vault and print its commitment (never the value).
    Seal(SealArgs),
    /// Show a case's openings, after recording the view in the ledger (RecordViewed).
    Show(ShowArgs),
    /// Erase an opening lawfully: Erased is appended, then the record is destroyed.
    Erase(EraseArgs),
    /// Finish erasures the ledger records but a crash left undone.
    Complete(CompleteArgs),
    /// Issue a signed destruction certificate for erased commitments.
    Certificate(CertificateArgs),
    /// Check a destruction certificate (signature, and optionally against the ledger).
    CheckCertificate(CheckCertificateArgs),
}

/// Where a personal value comes from: the command line, or a file / standard input.
#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false)]
pub struct ValueSource {
    /// The value itself. Visible to every user of the machine in `ps` and kept in shell
    /// history: prefer --value-file.
    #[arg(long, value_name = "TEXT")]
    pub value: Option<String>,
    /// Read the value from FILE, or from standard input for `-` (one trailing line break is
    /// removed). Keeps personal data off the command line.
    #[arg(long, value_name = "FILE")]
    pub value_file: Option<PathBuf>,
}

/// Arguments of `liuhen vault seal`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:
  liuhen vault seal /srv/liuhen/jinpu --field party.name --value-file - < name.txt

Stores the opening (field, a fresh random 32-byte salt, the value) in DIR/vault and prints the
commitment: 64 hex digits to put in the statement's sealed field (CaseOpened.subject,
RecordingStarted.party, AccessRequested.requester) before `liuhen append`. The value is never
printed and never enters the ledger.

--value puts personal data on the command line, where `ps` shows it to every user of the
machine and the shell may keep it in its history: use --value-file FILE, or --value-file - and
standard input.

Output: the commitment; --json: {\"field\", \"commitment\"}.")]
pub struct SealArgs {
    /// The ledger directory.
    pub dir: PathBuf,
    /// What kind of value this is, e.g. `party.name`, `party.id`, `requester.name`; bound into
    /// the commitment.
    #[arg(long, value_name = "FIELD")]
    pub field: String,
    /// The value.
    #[command(flatten)]
    pub source: ValueSource,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `liuhen vault show`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:
  liuhen vault show /srv/liuhen/jinpu --case '金民执〔2026〕12号' --key-file officer.key --purpose '复核 review'

Reveals personal data, so it first appends RecordViewed { subject: the case, by: the key's
holder in the registry, purpose } signed with --key-file (Art. 19–21(3): no access without a
trace). If the ledger refuses the statement (the key is not authorized, or revoked), nothing is
shown. Run `liuhen seal` afterwards to sign a checkpoint over the new entry.

Output: each sealed field of the case: its value, or the entry that erased it, or that the vault
holds nothing for it; --json: {case_no, viewed, openings, erased, missing} (docs/CLI.md).")]
pub struct ShowArgs {
    /// The ledger directory.
    pub dir: PathBuf,
    /// The case number.
    #[arg(long, value_name = "NO")]
    pub case: String,
    /// Key file of the person viewing: an authorized key of this ledger (mode 0600).
    #[arg(long, value_name = "KEY")]
    pub key_file: PathBuf,
    /// Why the records are viewed; recorded in the RecordViewed statement.
    #[arg(long, value_name = "TEXT")]
    pub purpose: String,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `liuhen vault erase`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:
  liuhen vault erase /srv/liuhen/jinpu --commitment 0ee0882e…e6f2 --authority 个人信息保护负责人 --key-file officer.key

Refused while a case the commitment belongs to is within its retention period (Art. 17) or
under a preservation order that was not released (Art. 18), or if the ledger never names the
commitment; the refusal names the case and the entry. Otherwise appends Erased { commitment,
authority } signed with --key-file, then overwrites and removes the vault record and leaves a
tombstone. The ledger still verifies: nothing in it changes.

Output: the Erased entry's number; --json: {commitment, seq, appended, authority}.")]
pub struct EraseArgs {
    /// The ledger directory.
    pub dir: PathBuf,
    /// The commitment whose opening to destroy (64 hex digits).
    #[arg(long, value_name = "HEX")]
    pub commitment: String,
    /// The approving authority, recorded in the Erased statement.
    #[arg(long, value_name = "TEXT")]
    pub authority: String,
    /// Key file that signs the Erased statement: an authorized key of this ledger (mode 0600).
    #[arg(long, value_name = "KEY")]
    pub key_file: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `liuhen vault complete`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:
  liuhen vault complete /srv/liuhen/jinpu

A crash between appending an Erased statement and destroying the record leaves the record in
the vault. This destroys every record whose erasure the ledger records (appending nothing).
Run it after a crash or a failed `vault erase`.

Output: how many erasures were finished; --json: {\"completed\": N}.")]
pub struct CompleteArgs {
    /// The ledger directory.
    pub dir: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `liuhen vault certificate`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:
  liuhen vault certificate /srv/liuhen/jinpu --commitment HEX1 HEX2 --key-file dpo.key -o erasure-2026-11.cert

A C2SP signed note, signed by the approver's key, naming each commitment, its Erased entry and
authority, and the ledger's tree size and root now (format: docs/PRIVACY.md). It holds no
personal data. Each commitment must be erased in the ledger and destroyed in the vault (run
`vault complete` first after a crash). The note key name is the approver: --approver, by default
the key file's name; it must match the name in the approver's vkey (`liuhen keygen --name`).

Output: the signed note (or, with -o, a summary and the note in FILE); --json: {approver, vkey,
origin, issued, tree_size, root, items, note, file}.")]
pub struct CertificateArgs {
    /// The ledger directory.
    pub dir: PathBuf,
    /// The erased commitments to certify (64 hex digits each).
    #[arg(long, value_name = "HEX", num_args = 1.., required = true)]
    pub commitment: Vec<String>,
    /// The approver's name (note key name); default: the name in the key file.
    #[arg(long, value_name = "NAME")]
    pub approver: Option<String>,
    /// The approver's key file (mode 0600). It need not be a key of the ledger.
    #[arg(long, value_name = "APPROVER.key")]
    pub key_file: PathBuf,
    /// Write the certificate to FILE (must not exist) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `liuhen vault check-certificate`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:
  liuhen vault check-certificate erasure-2026-11.cert --vkey dpo.key.vkey --ledger /srv/liuhen/jinpu

Verifies the approver's signature with --vkey (a vkey file or the vkey text) and, with
--ledger, that the ledger has the same origin and root at the certificate's tree size and that
each named entry is the erasure of that commitment by that authority.

Exit codes: 0 verified, 1 the certificate does not verify or disagrees with the ledger, 3 an
unreadable file, a bad key or a ledger that cannot be opened. --json: {verified, error,
ledger_checked, approver, origin, issued, tree_size, root, items}.")]
pub struct CheckCertificateArgs {
    /// The certificate file (`-` for standard input).
    pub file: PathBuf,
    /// The approver's verifier key: a C2SP vkey file, or the vkey text.
    #[arg(long, value_name = "KEY")]
    pub vkey: String,
    /// Also check the certificate against this ledger directory.
    #[arg(long, value_name = "DIR")]
    pub ledger: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `liuhen vault`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    let result = match args.what {
        What::Seal(a) => run_seal(a, global),
        What::Show(a) => run_show(a, global),
        What::Erase(a) => run_erase(a, global),
        What::Complete(a) => run_complete(a, global),
        What::Certificate(a) => run_certificate(a, global),
        What::CheckCertificate(a) => run_check_certificate(a, global),
    };
    planted_file_is_tampering(result)
}

/// A link, FIFO or directory planted in the vault is tampering (exit 1), not an I/O error;
/// nothing was read, changed or destroyed through it (docs/PRIVACY.md). Every command that
/// reads the vault (`vault …`, `bundle export`) answers it alike.
pub(crate) fn planted_file_is_tampering(
    result: Result<u8, Box<dyn Error>>,
) -> Result<u8, Box<dyn Error>> {
    match result {
        Err(e)
            if matches!(
                e.downcast_ref::<VaultError>(),
                Some(VaultError::NotRegular { .. })
            ) =>
        {
            eprintln!("liuhen: {e}");
            Ok(EXIT_TAMPERED)
        }
        other => other,
    }
}

// ---- Shared with `bundle export` --------------------------------------------------------------

/// `DIR/vault`.
pub(crate) fn vault_dir(dir: &Path) -> PathBuf {
    dir.join(VAULT_DIR)
}

/// Opens (creating on first use) the vault of the ledger directory `dir`, which must be a
/// ledger directory: a typo must not leave a vault of personal data in a random place.
pub(crate) fn open_vault(dir: &Path) -> Result<Vault, Box<dyn Error>> {
    let layout = LedgerDir::new(dir);
    if !layout.store_dir().is_dir() {
        // Gives the usual explanation of what is wrong with DIR.
        layout.open_read_only()?;
    }
    Ok(Vault::open(vault_dir(dir))?)
}

/// The vault of `dir` if it exists (reading never creates one).
pub(crate) fn existing_vault(dir: &Path) -> Result<Option<Vault>, Box<dyn Error>> {
    let path = vault_dir(dir);
    if !path.exists() {
        return Ok(None);
    }
    Ok(Some(Vault::open(path)?))
}

/// A personal value from `--X TEXT` or `--X-file FILE` (`-`: standard input), checked to be
/// non-empty UTF-8 of at most [`MAX_VALUE_BYTES`]; one trailing line break of a file is removed
/// (`echo NAME > FILE` must not seal "NAME\n").
pub(crate) fn read_value(
    text: Option<String>,
    file: Option<&Path>,
    flag: &str,
) -> Result<String, Box<dyn Error>> {
    let value = match (text, file) {
        (Some(t), _) => t,
        (None, Some(path)) => {
            let name = if path == Path::new("-") {
                "standard input".to_owned()
            } else {
                path.display().to_string()
            };
            let mut bytes = Vec::new();
            let limit = MAX_VALUE_BYTES as u64 + 3;
            let read = if path == Path::new("-") {
                io::stdin().lock().take(limit).read_to_end(&mut bytes)
            } else {
                fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes))
            };
            read.map_err(|e| format!("cannot read {name}: {e}"))?;
            let mut text = String::from_utf8(bytes)
                .map_err(|_| format!("{name}: the {flag} value is not UTF-8 text"))?;
            if text.ends_with('\n') {
                text.pop();
                if text.ends_with('\r') {
                    text.pop();
                }
            }
            text
        }
        (None, None) => return Err(format!("give the {flag} value").into()),
    };
    if value.is_empty() {
        return Err(format!("the {flag} value is empty; nothing was sealed").into());
    }
    if value.len() > MAX_VALUE_BYTES {
        return Err(format!(
            "the {flag} value is longer than {MAX_VALUE_BYTES} bytes; nothing was sealed"
        )
        .into());
    }
    Ok(value)
}

/// Parses a commitment given on the command line.
pub(crate) fn parse_commitment(hex: &str) -> Result<Sealed, Box<dyn Error>> {
    Digest::from_hex(hex.trim())
        .map(Sealed)
        .ok_or_else(|| format!("{hex:?} is not a commitment: expected 64 hex digits").into())
}

/// Opens the ledger of `dir` read-only as a [`Ledger`] (registry, roots), without the writer
/// lock: for commands that read the registry or the tree but append nothing.
pub(crate) fn open_ledger_read_only(dir: &Path) -> Result<Ledger<FileStore>, Box<dyn Error>> {
    let store = LedgerDir::new(dir).open_read_only()?;
    Ok(Ledger::open(
        store,
        Arc::new(SystemClock),
        LedgerOptions::default(),
    )?)
}

/// Who holds `key`, as the ledger's registry says (the `by` of a `RecordViewed`).
fn holder_of(ledger: &Ledger<FileStore>, key: &PublicKey) -> Option<String> {
    ledger.registry().get(key).map(|r| r.holder.clone())
}

fn print_json_line(value: &Value) -> io::Result<()> {
    print_exact(&format!("{value}\n"))
}

// ---- seal -------------------------------------------------------------------------------------

fn run_seal(args: SealArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    let field = args.field.trim();
    if field.is_empty() || field.len() > MAX_FIELD_BYTES || field.chars().any(char::is_control) {
        return Err(format!(
            "--field {:?} is not a field name: give a short name such as party.name (at most {MAX_FIELD_BYTES} bytes, no control characters)",
            args.field
        )
        .into());
    }
    let vault = open_vault(&args.dir)?;
    let value = read_value(
        args.source.value,
        args.source.value_file.as_deref(),
        "--value",
    )?;
    let sealed = vault.seal(field, &value)?;
    drop(value);
    let commitment = sealed.0.to_hex();
    let text = if args.json {
        format!("{}\n", json!({ "field": field, "commitment": commitment }))
    } else {
        format!("{commitment}\n")
    };
    print_exact(&text).map_err(|e| {
        format!(
            "the value was sealed into {} as commitment {commitment}, but the output failed: {e}",
            vault.root().display()
        )
    })?;
    if !global.quiet {
        eprintln!(
            "liuhen: sealed {} into {}; put the commitment in the statement (docs/EVENTS.md), never the value",
            clean(field),
            vault.root().display()
        );
    }
    Ok(EXIT_OK)
}

// ---- show -------------------------------------------------------------------------------------

fn run_show(args: ShowArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    let purpose = args.purpose.trim();
    if purpose.is_empty() {
        return Err("--purpose is empty: say why the records are viewed".into());
    }
    if args.case.is_empty() {
        return Err("--case is empty".into());
    }
    let (_, key) = liuhen::keyfile::read_secret_key(&args.key_file)?;
    let author = key.public_key();
    let mut ledger = open_ledger(&args.dir)?;
    // The openings are read into memory before the trace is appended, so that a case with no
    // sealed field is refused without an entry; nothing is shown before the append succeeds.
    let vault = open_vault(&args.dir)?;
    let found = vault.case_openings(ledger.store(), &args.case)?;
    if found.openings.is_empty() && found.erased.is_empty() && found.missing.is_empty() {
        return Err(format!(
            "the ledger links no sealed field to case {} (no such case, or none of its statements seals personal data); nothing was shown or appended",
            clean(&args.case)
        )
        .into());
    }
    let Some(by) = holder_of(&ledger, &author) else {
        return Err(format!(
            "{} (key {author}) is not an authorized key of {}; nothing was shown or appended",
            args.key_file.display(),
            ledger.origin()
        )
        .into());
    };
    let event = Event::RecordViewed {
        subject: RecordRef::Case(args.case.clone()),
        by: by.clone(),
        purpose: purpose.to_owned(),
    };
    let receipt = ledger.sign_and_append(&key, event.clone()).map_err(|e| {
        let (_, reason) = refusal_reason(&e);
        format!(
            "{} (key {author}): {reason}; nothing was shown",
            args.key_file.display()
        )
    })?;
    let text = if args.json {
        let mut viewed = receipt_json(&receipt, event.name(), None, &author);
        viewed.insert("by".into(), json!(by));
        viewed.insert("purpose".into(), json!(purpose));
        format!("{}\n", show_json(&args.case, viewed, &found))
    } else {
        show_text(&args.case, &by, purpose, receipt.seq, &found)
    };
    print_exact(&text).map_err(|e| {
        format!(
            "the view was recorded at entry {}, but the output failed: {e}",
            receipt.seq
        )
    })?;
    if !global.quiet {
        eprintln!(
            "liuhen: the view is recorded at entry {} (RecordViewed); `liuhen seal` signs a checkpoint over it",
            receipt.seq
        );
    }
    Ok(EXIT_OK)
}

fn show_json(case_no: &str, viewed: Map<String, Value>, found: &CaseOpenings) -> Value {
    let openings: Vec<Value> = found
        .openings
        .iter()
        .map(|o| {
            json!({
                "commitment": o.commitment().0.to_hex(),
                "field": o.field,
                "value": o.value,
            })
        })
        .collect();
    let erased: Vec<Value> = found
        .erased
        .iter()
        .map(|(c, seq)| json!({ "commitment": c.0.to_hex(), "seq": seq }))
        .collect();
    let missing: Vec<Value> = found
        .missing
        .iter()
        .map(|c| json!({ "commitment": c.0.to_hex() }))
        .collect();
    json!({
        "case_no": case_no,
        "viewed": Value::Object(viewed),
        "openings": openings,
        "erased": erased,
        "missing": missing,
    })
}

fn show_text(case_no: &str, by: &str, purpose: &str, seq: u64, found: &CaseOpenings) -> String {
    let total = found.openings.len() + found.erased.len() + found.missing.len();
    let mut out = format!(
        "case {}: {total} sealed field(s); viewed by {} for \"{}\" (RecordViewed, entry {seq})\n",
        clean(case_no),
        clean(by),
        clean(purpose)
    );
    for o in &found.openings {
        out.push_str(&format!(
            "  {} = {}  (commitment {})\n",
            clean(&o.field),
            clean(&o.value),
            o.commitment().0.to_hex()
        ));
    }
    for (c, seq) in &found.erased {
        out.push_str(&format!(
            "  erased at entry {seq}  (commitment {})\n",
            c.0.to_hex()
        ));
    }
    for c in &found.missing {
        out.push_str(&format!(
            "  missing: the vault holds no opening  (commitment {})\n",
            c.0.to_hex()
        ));
    }
    out
}

// ---- erase / complete -------------------------------------------------------------------------

fn run_erase(args: EraseArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    let commitment = parse_commitment(&args.commitment)?;
    let authority = args.authority.trim();
    if authority.is_empty() {
        return Err("--authority is empty: name who approved the erasure".into());
    }
    let (_, key) = liuhen::keyfile::read_secret_key(&args.key_file)?;
    let author = key.public_key();
    let mut ledger = open_ledger(&args.dir)?;
    let vault = open_vault(&args.dir)?;
    let before = ledger.size();
    let hex = commitment.0.to_hex();
    let seq = vault
        .erase(&mut ledger, &commitment, authority, &key)
        .map_err(|e| -> Box<dyn Error> {
            match e {
                VaultError::ErasureRefused { .. } | VaultError::UnknownCommitment { .. } => {
                    format!("{e}; nothing was appended or destroyed").into()
                }
                VaultError::Append { source, .. } => {
                    let (_, reason) = refusal_reason(&source);
                    format!(
                        "erasure of {hex}: {} (key {author}): {reason}; nothing was appended or destroyed",
                        args.key_file.display()
                    )
                    .into()
                }
                VaultError::Ledger { .. } => {
                    format!("{e}; nothing was appended or destroyed").into()
                }
                e @ VaultError::NotRegular { .. } => Box::new(e),
                other => format!(
                    "{other}; the ledger may already record the erasure of {hex}: run `liuhen vault complete {}` to finish destroying the record",
                    args.dir.display()
                )
                .into(),
            }
        })?;
    let appended = ledger.size() > before;
    let text = if args.json {
        format!(
            "{}\n",
            json!({
                "commitment": hex,
                "seq": seq,
                "appended": appended,
                "authority": authority,
            })
        )
    } else if appended {
        format!("entry {seq}  Erased  {hex}\n")
    } else {
        format!("entry {seq}  Erased  {hex}  (recorded before; the destruction is now complete)\n")
    };
    print_exact(&text).map_err(|e| {
        format!("the erasure is recorded at entry {seq} and done, but the output failed: {e}")
    })?;
    if !global.quiet {
        eprintln!(
            "liuhen: the opening of {} is destroyed in {} (overwritten, removed, tombstone left); backups and copies outside liuhen are not reached (docs/PRIVACY.md)",
            short(&hex),
            vault.root().display()
        );
    }
    Ok(EXIT_OK)
}

fn run_complete(args: CompleteArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    let store = LedgerDir::new(&args.dir).open_read_only()?;
    let done = match existing_vault(&args.dir)? {
        Some(vault) => vault.complete_erasures(&store)?,
        None => 0,
    };
    let text = if args.json {
        format!("{}\n", json!({ "completed": done }))
    } else {
        format!("finished {done} erasure(s)\n")
    };
    print_exact(&text)?;
    if !global.quiet && done > 0 {
        eprintln!(
            "liuhen: {done} record(s) whose erasure the ledger records were still in the vault and are now destroyed"
        );
    }
    Ok(EXIT_OK)
}

// ---- certificates -----------------------------------------------------------------------------

fn items_json(cert: &DestructionCertificate) -> Vec<Value> {
    cert.items
        .iter()
        .map(|i| {
            json!({
                "commitment": i.commitment.0.to_hex(),
                "seq": i.seq,
                "authority": i.authority,
            })
        })
        .collect()
}

fn certificate_members(cert: &DestructionCertificate) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("approver".into(), json!(cert.approver));
    m.insert("origin".into(), json!(cert.origin));
    m.insert("issued".into(), json!(cert.issued.0));
    m.insert("tree_size".into(), json!(cert.tree_size));
    m.insert("root".into(), json!(cert.root.to_hex()));
    m.insert("items".into(), json!(items_json(cert)));
    m
}

fn run_certificate(args: CertificateArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    let mut commitments: Vec<Sealed> = Vec::with_capacity(args.commitment.len());
    for hex in &args.commitment {
        let c = parse_commitment(hex)?;
        if commitments.contains(&c) {
            return Err(format!("commitment {} is given twice", c.0).into());
        }
        commitments.push(c);
    }
    let (name, key): (String, SecretKey) = liuhen::keyfile::read_secret_key(&args.key_file)?;
    let approver = match &args.approver {
        Some(a) if *a != name => {
            return Err(format!(
                "{} is the key named {name:?}, but --approver is {a:?}: the approver's vkey (named {name:?}) would not verify the certificate; give --approver {name:?} or use the approver's own key",
                args.key_file.display()
            )
            .into())
        }
        Some(a) => a.clone(),
        None => name,
    };
    let vkey = NoteVerifier::for_key(&approver, key.public_key())
        .map_err(|e| format!("approver name {approver:?}: {e}"))?;
    if let Some(out) = &args.output {
        if out.exists() {
            return Err(format!(
                "{} already exists: remove it or choose another file name",
                out.display()
            )
            .into());
        }
    }
    let ledger = open_ledger_read_only(&args.dir)?;
    let cert = DestructionCertificate::build(&ledger, &commitments, &approver, ledger.now())?;
    // A certificate says the data is destroyed: the vault must agree, not only the ledger.
    let vault = existing_vault(&args.dir)?.ok_or_else(|| {
        format!(
            "{} has no vault ({}): the destruction of the records cannot be confirmed",
            args.dir.display(),
            vault_dir(&args.dir).display()
        )
    })?;
    for item in &cert.items {
        match vault.get(&item.commitment) {
            Err(VaultError::Erased { .. }) => {}
            Ok(_) | Err(VaultError::NotFound { .. }) => {
                return Err(format!(
                    "entry {} records the erasure of {}, but the vault has not finished destroying its record: run `liuhen vault complete {}` first",
                    item.seq,
                    item.commitment.0,
                    args.dir.display()
                )
                .into())
            }
            Err(e) => return Err(e.into()),
        }
    }
    let note = cert.sign(&key)?;
    if let Some(path) = &args.output {
        let mut file = create_new(path)?;
        if let Err(e) = file
            .write_all(note.as_bytes())
            .and_then(|()| file.sync_all())
        {
            drop(file);
            let _ = fs::remove_file(path);
            return Err(format!("cannot write {}: {e}", path.display()).into());
        }
    }
    let text = if args.json {
        let mut m = certificate_members(&cert);
        m.insert("vkey".into(), json!(vkey.to_string()));
        m.insert("note".into(), json!(note));
        m.insert(
            "file".into(),
            json!(args.output.as_ref().map(|p| p.display().to_string())),
        );
        format!("{}\n", Value::Object(m))
    } else if let Some(path) = &args.output {
        format!(
            "destruction certificate of {} erasure(s) written to {} (approver {}, ledger {} at tree size {})\n",
            cert.items.len(),
            path.display(),
            clean(&approver),
            cert.origin,
            cert.tree_size
        )
    } else {
        note.clone()
    };
    print_exact(&text)?;
    if !global.quiet {
        eprintln!("liuhen: the approver's verifier key, to check the certificate with: {vkey}");
    }
    Ok(EXIT_OK)
}

fn read_certificate(path: &Path) -> Result<Vec<u8>, Box<dyn Error>> {
    let name = path.display();
    let mut bytes = Vec::new();
    let limit = MAX_CERTIFICATE_BYTES as u64 + 1;
    let read = if path == Path::new("-") {
        io::stdin().lock().take(limit).read_to_end(&mut bytes)
    } else {
        fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    };
    read.map_err(|e| format!("cannot read {name}: {e}"))?;
    if bytes.len() > MAX_CERTIFICATE_BYTES {
        return Err(format!(
            "{name} is larger than {MAX_CERTIFICATE_BYTES} bytes: not a destruction certificate"
        )
        .into());
    }
    Ok(bytes)
}

fn run_check_certificate(
    args: CheckCertificateArgs,
    _global: &Global,
) -> Result<u8, Box<dyn Error>> {
    let key = read_vkey(&args.vkey)?;
    let name = args.file.display().to_string();
    let bytes = read_certificate(&args.file)?;
    // Not a signed note at all: an unreadable input (3), not a certificate that fails (1).
    Note::parse(&bytes).map_err(|e| format!("{name} is not a signed note: {e}"))?;
    let text = String::from_utf8_lossy(&bytes);
    let ledger = match &args.ledger {
        Some(dir) => Some(open_ledger_read_only(dir)?),
        None => None,
    };
    let outcome = DestructionCertificate::open(&text, &key).and_then(|cert| {
        if let Some(l) = &ledger {
            cert.check_against_with_approver(l, &key)?;
        }
        Ok(cert)
    });
    match outcome {
        Ok(cert) => {
            if args.json {
                let mut m = Map::new();
                m.insert("verified".into(), json!(true));
                m.insert("error".into(), Value::Null);
                m.insert("ledger_checked".into(), json!(ledger.is_some()));
                m.extend(certificate_members(&cert));
                print_json_line(&Value::Object(m))?;
            } else {
                let mut out = format!(
                    "VERIFIED: {name}: destruction certificate of {} erasure(s), approved by {}, issued {}, ledger {} at tree size {} (root {})\n",
                    cert.items.len(),
                    clean(&cert.approver),
                    local_time(cert.issued),
                    clean(&cert.origin),
                    cert.tree_size,
                    short(&cert.root.to_hex())
                );
                for i in &cert.items {
                    out.push_str(&format!(
                        "  erased {} at entry {} on the authority of {}\n",
                        i.commitment.0,
                        i.seq,
                        clean(&i.authority)
                    ));
                }
                match &args.ledger {
                    Some(dir) => out.push_str(&format!(
                        "  agrees with the ledger in {}: same root at size {}, each entry is that erasure\n",
                        dir.display(),
                        cert.tree_size
                    )),
                    None => out.push_str(
                        "  not checked against the ledger (give --ledger DIR to tie it to the entries)\n",
                    ),
                }
                print_exact(&out)?;
            }
            Ok(EXIT_OK)
        }
        Err(VaultError::Certificate { reason }) => {
            if args.json {
                print_json_line(&json!({
                    "verified": false,
                    "error": reason,
                    "ledger_checked": ledger.is_some(),
                }))?;
            } else {
                print_exact(&format!("NOT VERIFIED: {name}: {}\n", clean(&reason)))?;
            }
            Ok(EXIT_TAMPERED)
        }
        Err(e) => Err(format!("{name}: {e}").into()),
    }
}
