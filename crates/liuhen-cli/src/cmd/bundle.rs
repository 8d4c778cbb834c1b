//! `liuhen bundle export` and `liuhen bundle verify`: a case's evidence in one file, checkable
//! offline with the ledger's verifier key alone (Art. 19; `docs/FORMAT.md` §20).
//!
//! Export signs no checkpoint and refuses a case with entries after the latest checkpoint
//! ("seal first"). A bundle is a disclosure (Art. 19, 21(3)), and a disclosure through liuhen's
//! own tools always leaves a trace: export takes the openings of the case's sealed fields from
//! the vault, writes `FILE.partial` and syncs it, then appends `RecordDisclosed { case_no, to:
//! the sealed recipient, what: [BLAKE3 of the bundle file, the media it carries] }` signed with
//! the discloser's key, and only then renames it to `FILE`. If the append is refused, the file is
//! removed and nothing was disclosed. Verify exits 0 when everything checked out, 1 on any
//! integrity finding, 3 when the file is not a readable bundle.

use std::error::Error;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use serde::Deserialize;

use liuhen::bundle::{
    export, verify_with_progress, BundleReport, EntryRole, ExportOptions, ExportSummary,
    MediaStatus, Progress,
};
use liuhen::hash::Digest;
use liuhen::model::{Sealed, Timestamp};
use liuhen::sealed::Opening;
use liuhen::store::file::FileStore;
use liuhen::store::Store;
use liuhen::vault::VaultError;
use liuhen::verify::Verdict;
use liuhen::{Entry, Event, Ledger, PublicKey, Receipt, SecretKey, SignedStatement, Signer};
use serde_json::{json, Value};

use super::append::{open_ledger, print_exact, receipt_json, refusal_reason};
use super::prove::{clean, create_new_private, local_time, read_vkey, short};
use super::vault::{existing_vault, open_ledger_read_only, open_vault, read_value, vault_dir};
use crate::layout::LedgerDir;
use crate::{progress, Global, EXIT_OK, EXIT_TAMPERED, EXIT_UNVERIFIED};

/// The vault field under which a bundle's recipient is sealed.
pub const RECIPIENT_FIELD: &str = "recipient.name";

/// Media digests per `RecordDisclosed` statement: an entry is at most 65 535 bytes, so a bundle
/// with more media is recorded as several statements, appended together, each naming the
/// bundle's digest first.
const DIGESTS_PER_DISCLOSURE: usize = 1_000;

/// Arguments of `liuhen bundle`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  liuhen bundle export /srv/liuhen/jinpu --case '金民执〔2026〕12号' --with-media -o case-12.bundle
  liuhen bundle verify case-12.bundle --vkey jinpu.vkey

A bundle holds the case's entries, the genesis and key-registry entries, an inclusion proof of
each against one signed checkpoint, the ledger's vkey, disclosed openings of sealed fields and,
optionally, the case's media. Format: docs/FORMAT.md §20.")]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub what: What,
}

/// The bundle subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum What {
    /// Write one case's evidence bundle.
    Export(ExportArgs),
    /// Verify a bundle with the ledger's verifier key.
    Verify(VerifyArgs),
}

/// Arguments of `liuhen bundle export`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  liuhen bundle export /srv/liuhen/jinpu --case '金民执〔2026〕12号' --with-media \\
      --key-file officer.key --to-file court.txt -o case-12.bundle
  liuhen bundle export /srv/liuhen/jinpu --case '金民执〔2026〕12号' \\
      --key-file officer.key --request REQ-2026-001 -o case-12.bundle

A bundle discloses the case (Art. 19), so the disclosure is recorded: once the file is written
and synced, RecordDisclosed { case_no, to, what } is appended, signed with --key-file (an
authorized key of the ledger). `to` is the recipient sealed into the vault as recipient.name
(never in clear in the ledger); `what` is the BLAKE3 of the bundle file, then the digest of
each media object it carries. If the ledger refuses the statement, the bundle is removed and
nothing is disclosed. With --request ID the request must be of this case and granted (its
latest AccessDecided), and the recipient is its requester: `to` is the requester's commitment,
which ties the disclosure to the request; --to/--to-file, if given, must then be the
requester's name as the vault holds it. --to puts personal data on the command line (visible
in `ps`): prefer --to-file FILE or --to-file -.

Openings: by default those the vault (DIR/vault) holds for the case's sealed fields, and no
others; --openings FILE takes them from a JSON Lines file of {\"field\", \"salt\" (64 hex
digits), \"value\"} instead; --no-openings discloses none. An opening that opens no sealed
field of the case, or whose erasure the ledger records, is refused.

The bundle is checked against the latest stored checkpoint; if the case has entries after it,
run `liuhen seal` first (the disclosure itself is such an entry: seal again before the next
export of the case). Media are streamed from DIR/media and checked on the way.

Output: the bundle's path, size and BLAKE3, what it holds and the disclosure's entry;
--json: docs/CLI.md.")]
pub struct ExportArgs {
    /// The ledger directory.
    pub dir: PathBuf,
    /// The case number.
    #[arg(long, value_name = "NO")]
    pub case: String,
    /// Include the case's media files (from DIR/media).
    #[arg(long)]
    pub with_media: bool,
    /// Openings to disclose from a JSON Lines file instead of the vault.
    #[arg(long, value_name = "FILE")]
    pub openings: Option<PathBuf>,
    /// Disclose no openings (the bundle carries commitments only).
    #[arg(long, conflicts_with = "openings")]
    pub no_openings: bool,
    /// Key file of the person disclosing: an authorized key of this ledger (mode 0600); signs
    /// the RecordDisclosed statement.
    #[arg(long, value_name = "KEY")]
    pub key_file: PathBuf,
    /// The recipient (person or body), sealed into the vault as recipient.name. Visible in
    /// `ps`: prefer --to-file.
    #[arg(
        long,
        value_name = "NAME",
        conflicts_with = "to_file",
        required_unless_present_any = ["to_file", "request"]
    )]
    pub to: Option<String>,
    /// Read the recipient from FILE (`-`: standard input; one trailing line break removed).
    #[arg(long, value_name = "FILE")]
    pub to_file: Option<PathBuf>,
    /// The access request (AccessRequested) this disclosure answers; it must be of this case
    /// and granted, and the recipient is its requester.
    #[arg(long, value_name = "ID")]
    pub request: Option<String>,
    /// The bundle file to write (must not exist).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `liuhen bundle verify`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:
  liuhen bundle verify case-12.bundle --vkey jinpu.vkey --json > case-12.report.json

Needs only the bundle and the ledger's verifier key (a vkey file or the vkey text), obtained
independently of the bundle. A bundle cannot prove that the case has no other entries, nor that
no key revocation was left out: the report says so.

Exit codes: 0 verified, 1 integrity finding (tampered), 3 unreadable or malformed bundle.
JSON report: docs/FORMAT.md §20.6.")]
pub struct VerifyArgs {
    /// The bundle file.
    pub file: PathBuf,
    /// The ledger's verifier key: a C2SP vkey file, or the vkey text.
    #[arg(long, value_name = "KEY")]
    pub vkey: String,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `liuhen bundle`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    match args.what {
        What::Export(a) => super::vault::planted_file_is_tampering(run_export(a, global)),
        What::Verify(a) => run_verify(a, global),
    }
}

/// Feeds the core's media progress to a progress bar.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&mut self, total_bytes: u64) {
        self.0.set_length(total_bytes);
    }

    fn advance(&mut self, bytes: u64) {
        self.0.inc(bytes);
    }
}

/// One line of the `--openings` file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpeningLine {
    field: String,
    salt: String,
    value: String,
}

fn read_openings(path: &Path) -> Result<Vec<Opening>, Box<dyn Error>> {
    let name = path.display();
    let file = File::open(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let mut out = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(|e| format!("cannot read {name}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let o: OpeningLine = serde_json::from_str(&line).map_err(|e| {
            format!("{name} line {n}: not an opening {{\"field\", \"salt\", \"value\"}}: {e}")
        })?;
        let salt = Digest::from_hex(&o.salt)
            .ok_or_else(|| format!("{name} line {n}: the salt is not 64 hex digits"))?;
        out.push(Opening {
            field: o.field,
            salt: *salt.as_bytes(),
            value: o.value,
        });
    }
    Ok(out)
}

/// `FILE.partial`, beside `FILE`.
fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Where the openings of a bundle came from.
#[derive(Clone, Copy)]
enum OpeningsFrom {
    /// The vault, `Vault::case_openings`.
    Vault,
    /// An `--openings` file.
    File,
    /// None: `--no-openings`, or the directory has no vault.
    None,
}

impl OpeningsFrom {
    fn name(self) -> &'static str {
        match self {
            OpeningsFrom::Vault => "vault",
            OpeningsFrom::File => "file",
            OpeningsFrom::None => "none",
        }
    }
}

/// The openings to disclose, and what the vault could not give.
struct Openings {
    given: Vec<Opening>,
    from: OpeningsFrom,
    erased: Vec<(Sealed, u64)>,
    missing: Vec<Sealed>,
}

fn gather_openings(
    args: &ExportArgs,
    store: &FileStore,
    global: &Global,
) -> Result<Openings, Box<dyn Error>> {
    let mut out = Openings {
        given: Vec::new(),
        from: OpeningsFrom::None,
        erased: Vec::new(),
        missing: Vec::new(),
    };
    if args.no_openings {
        return Ok(out);
    }
    if let Some(p) = &args.openings {
        out.given = read_openings(p)?;
        out.from = OpeningsFrom::File;
        return Ok(out);
    }
    let Some(vault) = existing_vault(&args.dir)? else {
        if !global.quiet {
            eprintln!(
                "liuhen: note: {} has no vault ({}): the bundle discloses no openings",
                args.dir.display(),
                vault_dir(&args.dir).display()
            );
        }
        return Ok(out);
    };
    // Only the commitments the ledger links to this case, by construction.
    let found = vault.case_openings(store, &args.case)?;
    out.given = found.openings;
    out.erased = found.erased;
    out.missing = found.missing;
    out.from = OpeningsFrom::Vault;
    Ok(out)
}

/// The recipient of a disclosure.
struct Recipient {
    /// What `RecordDisclosed.to` names.
    to: Sealed,
    /// A new recipient's opening, stored in the vault before the disclosure is recorded;
    /// `None` when the requester's commitment is reused.
    opening: Option<Opening>,
}

/// Refuses early, before anything is written, a key the ledger would not let record the
/// disclosure: the registry's own check, on the statement's shape.
fn check_may_disclose(
    ledger: &Ledger<FileStore>,
    args: &ExportArgs,
    author: PublicKey,
) -> Result<(), Box<dyn Error>> {
    let probe = liuhen::Statement {
        time: ledger.now(),
        author,
        event: Event::RecordDisclosed {
            case_no: args.case.clone(),
            to: Sealed(Digest::ZERO),
            what: Vec::new(),
        },
        binding: None,
    };
    ledger.registry().check(ledger.size(), &probe).map_err(|e| {
        format!(
            "{} (key {author}) may not record the disclosure: {e}; nothing was exported",
            args.key_file.display()
        )
        .into()
    })
}

/// The requester of access request `id`, which must be of case `case_no` and granted by its
/// latest decision (Art. 19: disclosure answers a granted request).
fn granted_request<S: Store + ?Sized>(
    store: &S,
    case_no: &str,
    id: &str,
) -> Result<Sealed, Box<dyn Error>> {
    let mut requested: Option<(u64, String, Sealed)> = None;
    let mut decided: Option<(u64, bool)> = None;
    for seq in 0..store.size() {
        let bytes = store.entry_bytes(seq)?;
        let entry = Entry::from_bytes(&bytes)
            .map_err(|e| format!("cannot read ledger entry {seq}: {e}"))?;
        match &entry.statement.statement.event {
            Event::AccessRequested {
                request,
                case_no,
                requester,
                ..
            } if request == id && requested.is_none() => {
                requested = Some((seq, case_no.clone(), *requester));
            }
            // Decisions are read forwards, as the ledger was written: one before the request
            // decides nothing.
            Event::AccessDecided {
                request, granted, ..
            } if request == id && requested.is_some() => {
                decided = Some((seq, *granted));
            }
            _ => {}
        }
    }
    let Some((at, case, requester)) = requested else {
        return Err(format!(
            "no AccessRequested statement of the ledger has request id {}; nothing was exported",
            clean(id)
        )
        .into());
    };
    if case != case_no {
        return Err(format!(
            "request {} (entry {at}) is for case {}, not {}; nothing was exported",
            clean(id),
            clean(&case),
            clean(case_no)
        )
        .into());
    }
    match decided {
        Some((_, true)) => Ok(requester),
        Some((seq, false)) => Err(format!(
            "request {} was refused (AccessDecided, entry {seq}): nothing may be disclosed for it; nothing was exported",
            clean(id)
        )
        .into()),
        None => Err(format!(
            "request {} (entry {at}) has not been decided: record a granted AccessDecided first; nothing was exported",
            clean(id)
        )
        .into()),
    }
}

/// Checks that the recipient named with `--to` is the requester of `--request`, by the vault's
/// opening of the requester's commitment: a disclosure answering a request goes to whoever
/// asked (the ledger ties the two by that commitment), never to someone else under its cover.
fn confirm_requester(
    args: &ExportArgs,
    requester: Sealed,
    value: &str,
) -> Result<(), Box<dyn Error>> {
    let id = clean(args.request.as_deref().unwrap_or_default());
    let opening = match existing_vault(&args.dir)? {
        Some(vault) => match vault.get(&requester) {
            Ok(o) => Some(o),
            Err(VaultError::NotFound { .. } | VaultError::Erased { .. }) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    match opening {
        Some(o) if o.value == value => Ok(()),
        Some(_) => Err(format!(
            "request {id} was made by someone other than the recipient named with --to/--to-file; a disclosure answering it goes to its requester (omit --to/--to-file), or disclose without --request; nothing was exported"
        )
        .into()),
        None => Err(format!(
            "the vault holds no opening of the requester of request {id}, so the recipient named with --to/--to-file cannot be checked against it: omit --to/--to-file to disclose to the requester; nothing was exported"
        )
        .into()),
    }
}

/// The `RecordDisclosed` statements of one disclosure: the bundle's digest first in each, then
/// at most [`DIGESTS_PER_DISCLOSURE`] media digests.
fn disclosure_statements(
    ledger: &Ledger<FileStore>,
    key: &SecretKey,
    case_no: &str,
    to: Sealed,
    bundle: Digest,
    media: &[Digest],
) -> Result<Vec<SignedStatement>, Box<dyn Error>> {
    let now = ledger.now();
    let mut chunks: Vec<&[Digest]> = media.chunks(DIGESTS_PER_DISCLOSURE).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    let mut out = Vec::with_capacity(chunks.len());
    // Format v2: bound to the ledger, with the key's next counters.
    let mut binding = ledger.next_binding(&key.public_key());
    for chunk in chunks {
        let mut what = Vec::with_capacity(chunk.len() + 1);
        what.push(bundle);
        what.extend_from_slice(chunk);
        let event = Event::RecordDisclosed {
            case_no: case_no.to_owned(),
            to,
            what,
        };
        let statement = liuhen::Statement {
            time: now,
            author: key.public_key(),
            event,
            binding,
        };
        out.push(SignedStatement::sign_statement(statement, key)?);
        if let Some(b) = binding.as_mut() {
            b.counter = b.counter.saturating_add(1);
        }
    }
    Ok(out)
}

/// Syncs the directory holding `path`, so that a rename into it survives a crash.
fn sync_parent(path: &Path) -> io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    #[cfg(unix)]
    File::open(parent)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = parent;
    Ok(())
}

/// Writes the bundle to `partial` and syncs it; on error the partial file is removed.
fn write_bundle(
    store: &FileStore,
    args: &ExportArgs,
    options: &ExportOptions<'_>,
    partial: &Path,
    global: &Global,
) -> Result<ExportSummary, Box<dyn Error>> {
    // A bundle carries the openings of the case's sealed fields: personal data.
    let file = create_new_private(partial)?;
    let mut bar = Bar(progress::bar(global, 0, "bytes"));
    bar.0.set_message("copying media");
    let mut out = BufWriter::new(file);
    let result = export(store, &args.case, options, &mut out, &mut bar)
        .map_err(|e| -> Box<dyn Error> { e.to_string().into() })
        .and_then(|summary| {
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            Ok(summary)
        });
    bar.0.finish_and_clear();
    if result.is_err() {
        let _ = fs::remove_file(partial);
    }
    result
}

/// What a disclosure recorded.
struct Disclosure {
    receipts: Vec<Receipt>,
    author: PublicKey,
    /// The author's holder in the registry.
    holder: Option<String>,
    to: Sealed,
    bundle: Digest,
    media: Vec<Digest>,
    new_recipient: bool,
}

fn run_export(args: ExportArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    if args.output.exists() {
        return Err(format!(
            "{} already exists: remove it or choose another file name",
            args.output.display()
        )
        .into());
    }
    let (_, key) = liuhen::keyfile::read_secret_key(&args.key_file)?;
    let author = key.public_key();
    let recipient_value = if args.to.is_some() || args.to_file.is_some() {
        Some(read_value(
            args.to.clone(),
            args.to_file.as_deref(),
            "--to",
        )?)
    } else {
        None
    };
    let dir = LedgerDir::new(&args.dir);
    let ledger = open_ledger_read_only(&args.dir)?;
    check_may_disclose(&ledger, &args, author)?;
    let requester = match &args.request {
        Some(id) => Some(granted_request(ledger.store(), &args.case, id)?),
        None => None,
    };
    let recipient = match (recipient_value, requester) {
        (Some(value), None) => {
            let (to, opening) = liuhen::sealed::seal(RECIPIENT_FIELD, &value)?;
            Recipient {
                to,
                opening: Some(opening),
            }
        }
        (Some(value), Some(requester)) => {
            confirm_requester(&args, requester, &value)?;
            Recipient {
                to: requester,
                opening: None,
            }
        }
        (None, Some(requester)) => Recipient {
            to: requester,
            opening: None,
        },
        (None, None) => {
            return Err("name the recipient with --to or --to-file (or --request)".into())
        }
    };
    let media = if args.with_media {
        Some(dir.media()?.ok_or_else(|| {
            format!(
                "{} has no media directory ({}): export without --with-media",
                args.dir.display(),
                dir.media_dir().display()
            )
        })?)
    } else {
        None
    };
    let openings = gather_openings(&args, ledger.store(), global)?;
    let from = openings.from;
    let partial = partial_path(&args.output);
    let options = ExportOptions {
        openings: openings.given,
        media: media.as_ref(),
    };
    let summary = write_bundle(ledger.store(), &args, &options, &partial, global)?;
    drop(options);
    drop(ledger);
    let disclosure = match record_disclosure(&args, &key, &recipient, &partial, &summary) {
        Ok(d) => d,
        Err(e) => {
            let _ = fs::remove_file(&partial);
            return Err(format!(
                "{e}; the bundle was removed: a disclosure that leaves no trace is not made"
            )
            .into());
        }
    };
    let first = disclosure.receipts.first().map_or(0, |r| r.seq);
    if let Err(e) = fs::rename(&partial, &args.output) {
        return Err(format!(
            "the disclosure is recorded at entry {first}, but {} could not be renamed to {}: {e}; the bundle is complete in the former",
            partial.display(),
            args.output.display()
        )
        .into());
    }
    if let Err(e) = sync_parent(&args.output) {
        eprintln!(
            "liuhen: warning: cannot sync the directory of {}: {e}",
            args.output.display()
        );
    }
    let text = if args.json {
        format!(
            "{}\n",
            export_json(
                &args,
                &summary,
                &openings_meta(from, &openings.erased, &openings.missing),
                &disclosure
            )
        )
    } else {
        export_text(&args, &summary, from, &disclosure)
    };
    print_exact(&text).map_err(|e| {
        format!(
            "the bundle {} is written and its disclosure recorded at entry {first}, but the output failed: {e}",
            args.output.display()
        )
    })?;
    if !global.quiet {
        export_notes(&dir, &summary, &openings.erased, &openings.missing);
        eprintln!(
            "liuhen: the disclosure is recorded at entry {first} (RecordDisclosed); `liuhen seal` signs a checkpoint over it, and the case cannot be exported again before"
        );
    }
    Ok(EXIT_OK)
}

/// Digests the written bundle, stores a new recipient in the vault, then appends the
/// `RecordDisclosed` statement(s) — all or nothing.
fn record_disclosure(
    args: &ExportArgs,
    key: &SecretKey,
    recipient: &Recipient,
    partial: &Path,
    summary: &ExportSummary,
) -> Result<Disclosure, Box<dyn Error>> {
    // The digest of the bytes on disk, after the sync: what the recipient receives.
    let bundle =
        liuhen::media::digest_file(partial, "application/octet-stream", "bundle", 0)?.digest;
    let media = summary.media.clone();
    let mut ledger = open_ledger(&args.dir)?;
    let statements = disclosure_statements(&ledger, key, &args.case, recipient.to, bundle, &media)?;
    // The recipient's opening goes into the vault before the statement that names it, so that
    // the ledger never names a recipient nobody can identify.
    if let Some(opening) = &recipient.opening {
        open_vault(&args.dir)?.put(opening)?;
    }
    let author = key.public_key();
    let receipts = ledger.append_batch(statements).map_err(|e| {
        let (_, reason) = refusal_reason(&e);
        format!(
            "{} (key {author}): {reason}; the disclosure was not recorded",
            args.key_file.display()
        )
    })?;
    Ok(Disclosure {
        receipts,
        author,
        holder: ledger.registry().get(&author).map(|r| r.holder.clone()),
        to: recipient.to,
        bundle,
        media,
        new_recipient: recipient.opening.is_some(),
    })
}

fn openings_meta(from: OpeningsFrom, erased: &[(Sealed, u64)], missing: &[Sealed]) -> Value {
    json!({
        "from": from.name(),
        "erased": erased
            .iter()
            .map(|(c, seq)| json!({ "commitment": c.0.to_hex(), "seq": seq }))
            .collect::<Vec<_>>(),
        "missing": missing.iter().map(|c| c.0.to_hex()).collect::<Vec<_>>(),
    })
}

fn export_json(
    args: &ExportArgs,
    summary: &ExportSummary,
    openings: &Value,
    d: &Disclosure,
) -> Value {
    let mut disclosure = match d.receipts.first() {
        Some(r) => receipt_json(r, "RecordDisclosed", Some(&summary.case_no), &d.author),
        None => serde_json::Map::new(),
    };
    disclosure.insert(
        "seqs".into(),
        json!(d.receipts.iter().map(|r| r.seq).collect::<Vec<_>>()),
    );
    disclosure.insert("holder".into(), json!(d.holder));
    disclosure.insert("to".into(), json!(d.to.0.to_hex()));
    disclosure.insert(
        "recipient".into(),
        json!(if d.new_recipient { "new" } else { "requester" }),
    );
    disclosure.insert("request".into(), json!(args.request));
    let mut what = vec![d.bundle.to_hex()];
    what.extend(d.media.iter().map(Digest::to_hex));
    disclosure.insert("what".into(), json!(what));
    json!({
        "bundle": args.output.display().to_string(),
        "bytes": summary.bytes_written,
        "blake3": d.bundle.to_hex(),
        "case_no": summary.case_no,
        "checkpoint_size": summary.checkpoint_size,
        "case_entries": summary.case_entries.len(),
        "registry_entries": summary.registry_entries,
        "openings": summary.openings,
        "openings_from": openings["from"],
        "openings_erased": openings["erased"],
        "openings_missing": openings["missing"],
        "media_referenced": summary.media_referenced,
        "media_included": summary.media_included,
        "media_bytes": summary.media_bytes,
        "media_missing": summary
            .media_missing
            .iter()
            .map(|m| json!({
                "digest": m.digest.to_hex(),
                "name": m.name,
                "seq": m.seq,
                "purged": m.purged,
            }))
            .collect::<Vec<_>>(),
        "disclosure": Value::Object(disclosure),
    })
}

fn export_text(
    args: &ExportArgs,
    summary: &ExportSummary,
    from: OpeningsFrom,
    d: &Disclosure,
) -> String {
    let mut out = format!(
        "bundle of case {} written to {} ({} bytes)\n  BLAKE3 {}\n",
        clean(&summary.case_no),
        args.output.display(),
        summary.bytes_written,
        d.bundle
    );
    out.push_str(&format!(
        "  {} entries of the case and {} genesis/registry entries, each with an inclusion proof against the checkpoint of size {}\n",
        summary.case_entries.len(),
        summary.registry_entries,
        summary.checkpoint_size
    ));
    let source = match from {
        OpeningsFrom::Vault => format!("from {}", vault_dir(&args.dir).display()),
        OpeningsFrom::File => format!(
            "from {}",
            args.openings
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ),
        OpeningsFrom::None if args.no_openings => "--no-openings".to_owned(),
        OpeningsFrom::None => "no vault".to_owned(),
    };
    out.push_str(&format!(
        "  {} openings of sealed fields ({source})\n",
        summary.openings
    ));
    if args.with_media {
        out.push_str(&format!(
            "  {} of {} media objects ({} bytes)\n",
            summary.media_included, summary.media_referenced, summary.media_bytes
        ));
    } else if summary.media_referenced > 0 {
        out.push_str(&format!(
            "  no media ({} referenced; add --with-media to include them)\n",
            summary.media_referenced
        ));
    }
    let seqs = match (d.receipts.first(), d.receipts.last()) {
        (Some(a), Some(b)) if a.seq == b.seq => format!("entry {}", a.seq),
        (Some(a), Some(b)) => format!("entries {}–{}", a.seq, b.seq),
        _ => "no entry".to_owned(),
    };
    let whom = if d.new_recipient {
        "the recipient, sealed as"
    } else {
        "the requester of"
    };
    let request = args
        .request
        .as_deref()
        .map(|r| format!(", answering request {}", clean(r)))
        .unwrap_or_default();
    let by = match &d.holder {
        Some(h) => format!("{} ({})", clean(h), d.author),
        None => d.author.to_string(),
    };
    out.push_str(&format!(
        "disclosure recorded at {seqs}: RecordDisclosed to {whom} {}{request}, signed by {by}\n",
        d.to.0.to_hex()
    ));
    out
}

/// Notes on stderr about what the bundle leaves out.
fn export_notes(
    dir: &LedgerDir,
    summary: &ExportSummary,
    erased: &[(Sealed, u64)],
    missing: &[Sealed],
) {
    for (c, seq) in erased {
        eprintln!(
            "liuhen: note: the opening of {} was erased at entry {seq}: not in the bundle",
            short(&c.0.to_hex())
        );
    }
    for c in missing {
        eprintln!(
            "liuhen: warning: the vault holds no opening for {}, a sealed field of the case: not in the bundle",
            short(&c.0.to_hex())
        );
    }
    for m in &summary.media_missing {
        match m.purged {
            Some(seq) => eprintln!(
                "liuhen: note: media {} ({}, entry {}) was purged at entry {seq}: not in the bundle",
                m.digest,
                clean(&m.name),
                m.seq
            ),
            None => eprintln!(
                "liuhen: warning: media {} ({}, entry {}) is missing from {} and no MediaPurged allows it: not in the bundle (run `liuhen verify`)",
                m.digest,
                clean(&m.name),
                m.seq,
                dir.media_dir().display()
            ),
        }
    }
}

fn run_verify(args: VerifyArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    let key = read_vkey(&args.vkey)?;
    let name = args.file.display().to_string();
    let file = File::open(&args.file).map_err(|e| format!("cannot read {name}: {e}"))?;
    let mut bar = Bar(progress::bar(global, 0, "bytes"));
    bar.0.set_message("checking media");
    let result = verify_with_progress(BufReader::new(file), &key, &mut bar);
    bar.0.finish_and_clear();
    let report = result.map_err(|e| format!("{name}: {e}"))?;
    if args.json {
        let mut out = io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &report)?;
        out.write_all(b"\n")?;
    } else {
        print_report(&name, &report, global)?;
    }
    Ok(match report.verdict {
        Verdict::Verified => EXIT_OK,
        Verdict::Unverified => EXIT_UNVERIFIED,
        Verdict::Tampered => EXIT_TAMPERED,
    })
}

fn print_report(name: &str, r: &BundleReport, global: &Global) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let verdict = match r.verdict {
        Verdict::Verified => "VERIFIED",
        Verdict::Unverified => "NOT FULLY VERIFIED",
        Verdict::Tampered => "TAMPERED",
    };
    let ledger = r.origin.as_deref().map(clean).unwrap_or_else(|| "?".into());
    match &r.checkpoint {
        Some(c) => writeln!(
            out,
            "{verdict}: bundle {name} of case {}, ledger {ledger}, checkpoint of size {} (root {})",
            clean(&r.case_no),
            c.size,
            short(&c.root)
        )?,
        None => writeln!(
            out,
            "{verdict}: bundle {name} of case {} (its checkpoint does not verify with the key given)",
            clean(&r.case_no)
        )?,
    }
    let included = r.entries.iter().filter(|e| e.included).count();
    writeln!(
        out,
        "  {} entries of the case, {} genesis/registry entries; {included} of {} included in the signed checkpoint",
        r.case_entries,
        r.registry_entries,
        r.entries.len()
    )?;
    if !global.quiet {
        for e in &r.entries {
            let role = match e.role {
                EntryRole::Genesis => "genesis ",
                EntryRole::Registry => "registry",
                EntryRole::Case => "case    ",
            };
            let by = e
                .holder
                .as_deref()
                .map(clean)
                .unwrap_or_else(|| "unknown key".into());
            writeln!(
                out,
                "    #{:<6} {role} {:<22} {}  by {by} ({})",
                e.seq,
                e.event,
                local_time(Timestamp(e.logged_at)),
                short(e.author.strip_prefix("ed25519:").unwrap_or(&e.author))
            )?;
        }
    }
    for o in &r.openings {
        writeln!(
            out,
            "  opened: {} = {} (commitment {})",
            clean(&o.field),
            clean(&o.value),
            short(&o.commitment)
        )?;
    }
    let count = |s: MediaStatus| r.media.iter().filter(|m| m.status == s).count();
    if !r.media.is_empty() {
        writeln!(
            out,
            "  media: {} verified ({} bytes checked), {} altered, {} unreferenced, {} not included, {} purged",
            count(MediaStatus::Verified),
            r.media_bytes_checked,
            count(MediaStatus::Altered),
            count(MediaStatus::Unreferenced),
            count(MediaStatus::NotIncluded),
            count(MediaStatus::Purged)
        )?;
    }
    if !r.findings.is_empty() {
        writeln!(out, "findings:")?;
        for f in &r.findings {
            let kind = serde_json::to_value(f.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let seq = f.seq.map(|s| format!(" (entry {s})")).unwrap_or_default();
            writeln!(out, "  ✘ {kind}{seq}: {}", clean(&f.message))?;
        }
        if r.findings_omitted > 0 {
            writeln!(out, "  … and {} more", r.findings_omitted)?;
        }
    }
    writeln!(out, "what a bundle cannot prove:")?;
    for l in &r.limitations {
        writeln!(out, "  - {l}")?;
    }
    Ok(())
}
