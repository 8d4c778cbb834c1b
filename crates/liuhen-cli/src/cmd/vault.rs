//! `liuhen vault`: the personal data beside the ledger (Art. 15, 20; PIPL; `docs/PRIVACY.md`).
//!
//! The ledger holds only commitments; the openings (field, salt, value) live in the vault at
//! `DIR/vault` (`liuhen::vault::Vault`: directory 0700, one file 0600 per opening). These
//! subcommands are its only door in the CLI, and every door that reveals personal data leaves a
//! trace first:
//!
//! * `commit` (alias `seal`, its name before 0.x: "seal" now means only signing a checkpoint)
//!   stores a value and prints the commitment to put in a statement; it never prints the value,
//!   and takes it from a file or standard input so that it need not appear in `ps`;
//! * `show` reveals a case's openings only after appending a `RecordViewed` statement signed by
//!   the viewer's authorized key (Art. 19–21(3)); a refused append shows nothing;
//! * `erase` and `complete` destroy openings lawfully (`Vault::erase`: refused under a retention
//!   period or a preservation order, `Erased` appended before anything is destroyed);
//! * `certificate` and `check-certificate` issue and check signed destruction certificates.
//!
//! `liuhen bundle export` reads the vault too (a case's openings) and records the disclosure.
//! The protocols (what is checked, what is appended, in which order) are the core's
//! (`liuhen::disclosure`, `liuhen::commitment`); this module parses, calls and prints.

mod access;
mod certificate;

use std::error::Error;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use liuhen::commitment::{check_value, ValueError, MAX_VALUE_BYTES};
use liuhen::disclosure::DisclosureError;
use liuhen::hash::Digest;
use liuhen::model::Sealed;
use liuhen::store::file::FileStore;
use liuhen::vault::{self, ValueInputError, VaultError};
use liuhen::{DirError, Ledger, LedgerOptions, SystemClock};

use crate::layout::LedgerDir;
use crate::{Global, EXIT_TAMPERED};

/// Arguments of `liuhen vault`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  liuhen vault commit /srv/liuhen/jinpu --field party.name --value-file - < name.txt
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
    /// Commit a personal value into the vault and print its commitment (never the value).
    /// `vault seal` is the same command under its old name.
    #[command(visible_alias = "seal")]
    Commit(CommitArgs),
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

/// Arguments of `liuhen vault commit` (alias `seal`).
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:
  liuhen vault commit /srv/liuhen/jinpu --field party.name --value-file - < name.txt

Stores the opening (field, a fresh random 32-byte salt, the value) in DIR/vault and prints the
commitment: 64 hex digits to put in the statement's sealed field (CaseOpened.subject,
RecordingStarted.party, AccessRequested.requester) before `liuhen append`. The value is never
printed and never enters the ledger.

--value puts personal data on the command line, where `ps` shows it to every user of the
machine and the shell may keep it in its history: use --value-file FILE, or --value-file - and
standard input. The value must be non-empty UTF-8 of at most 16 KiB (one trailing line break of
a file is removed); the field name at most 256 bytes without control characters.

Output: the commitment; --json: {\"field\", \"commitment\"}.")]
pub struct CommitArgs {
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
        What::Commit(a) => access::run_commit(a, global),
        What::Show(a) => access::run_show(a, global),
        What::Erase(a) => access::run_erase(a, global),
        What::Complete(a) => access::run_complete(a, global),
        What::Certificate(a) => certificate::run_certificate(a, global),
        What::CheckCertificate(a) => certificate::run_check_certificate(a, global),
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
        Err(e) if is_planted(e.as_ref()) => {
            eprintln!("liuhen: {e}");
            Ok(EXIT_TAMPERED)
        }
        other => other,
    }
}

fn is_planted(e: &(dyn Error + 'static)) -> bool {
    let planted = |v: &VaultError| matches!(v, VaultError::NotRegular { .. });
    if let Some(v) = e.downcast_ref::<VaultError>() {
        return planted(v);
    }
    if let Some(DirError::Vault(v)) = e.downcast_ref::<DirError>() {
        return planted(v);
    }
    // The core's judgement: a planted vault file, or ledger records found damaged on open.
    e.downcast_ref::<DisclosureError>()
        .is_some_and(DisclosureError::is_tampering)
}

/// A personal value from `--X TEXT` or `--X-file FILE` (`-`: standard input); one trailing line
/// break of a file is removed (`echo NAME > FILE` must not commit "NAME\n"). The rules for the
/// value itself are the core's ([`check_value`]), checked here too so that the error names the
/// flag.
pub(crate) fn read_value(
    text: Option<String>,
    file: Option<&Path>,
    flag: &str,
) -> Result<String, Box<dyn Error>> {
    let value = match (text, file) {
        (Some(t), _) => t,
        (None, Some(path)) => {
            let stdin = path == Path::new("-");
            let name = if stdin {
                "standard input".to_owned()
            } else {
                path.display().to_string()
            };
            let read = if stdin {
                vault::read_value(io::stdin().lock())
            } else {
                fs::File::open(path)
                    .map_err(ValueInputError::Io)
                    .and_then(vault::read_value)
            };
            read.map_err(|e| match e {
                ValueInputError::TooLong => format!(
                    "the {flag} value is longer than {MAX_VALUE_BYTES} bytes; nothing was stored"
                ),
                ValueInputError::NotUtf8 => format!("{name}: the {flag} value is not UTF-8 text"),
                e => format!("cannot read {name}: {e}"),
            })?
        }
        (None, None) => return Err(format!("give the {flag} value").into()),
    };
    check_value(flag, &value).map_err(|e| match e {
        ValueError::Empty { .. } => format!("the {flag} value is empty; nothing was stored"),
        ValueError::TooLong { max, .. } => {
            format!("the {flag} value is longer than {max} bytes; nothing was stored")
        }
        other => other.to_string(),
    })?;
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
