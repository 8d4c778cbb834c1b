//! Exporting a case evidence bundle with its `RecordDisclosed` trace.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): writes a bundle file beside its final name and renames it into place.
#![allow(clippy::disallowed_methods)]

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, ErrorKind};
use std::path::{Path, PathBuf};

use super::{DisclosureError, DIGESTS_PER_DISCLOSURE, RECIPIENT_FIELD};
use crate::bundle::{export_untraced_stamped, ExportOptions, ExportSummary, Progress};
use crate::commitment::{commit, Opening};
use crate::dir::{DirError, LedgerDir};
use crate::entry::{Entry, SignedStatement, Statement};
use crate::hash::Digest;
use crate::keys::{PublicKey, Signer};
use crate::ledger::{Ledger, Receipt};
use crate::model::{Event, Sealed};
use crate::store::Store;
use crate::vault::{CaseOpenings, RecordState};

/// To whom a bundle is disclosed.
#[derive(Clone, Debug)]
pub enum Recipient {
    /// A new recipient, named: committed into the vault as [`RECIPIENT_FIELD`] just before the
    /// disclosure is recorded; `RecordDisclosed.to` is that commitment.
    Named(String),
    /// The requester of a granted access request of the case (`AccessRequested.request`):
    /// `RecordDisclosed.to` is the requester's commitment. A `name`, if given, must be the
    /// requester's value as the vault holds it.
    Requester {
        /// The request id.
        request: String,
        /// The recipient's name, to be checked against the requester's opening.
        name: Option<String>,
    },
}

/// Which openings a bundle discloses.
#[derive(Clone, Debug, Default)]
pub enum OpeningsSource {
    /// Those the vault holds for the case's sealed fields (no other case's).
    #[default]
    Vault,
    /// These (each must open a sealed field of the case, none erased).
    Given(Vec<Opening>),
    /// None: the bundle carries commitments only.
    None,
}

/// Where a bundle's openings came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpeningsFrom {
    /// The vault.
    Vault,
    /// Given by the caller.
    Given,
    /// None were asked for.
    None,
    /// The vault was asked, but the directory has none: none disclosed.
    NoVault,
}

impl OpeningsFrom {
    /// The name `liuhen bundle export --json` prints (`"vault"`, `"file"`, `"none"`).
    pub fn name(self) -> &'static str {
        match self {
            OpeningsFrom::Vault => "vault",
            OpeningsFrom::Given => "file",
            OpeningsFrom::None | OpeningsFrom::NoVault => "none",
        }
    }
}

/// A bundle to export and disclose.
#[derive(Clone, Debug)]
pub struct ExportRequest {
    /// The case.
    pub case_no: String,
    /// The bundle file to write (must not exist); `FILE.partial` is written beside it first.
    pub output: PathBuf,
    /// The recipient.
    pub recipient: Recipient,
    /// The openings to disclose.
    pub openings: OpeningsSource,
    /// Whether to include the case's media (from the directory's media store).
    pub with_media: bool,
}

/// A recorded disclosure of a bundle.
#[derive(Debug)]
pub struct Export {
    /// What the bundle holds.
    pub summary: ExportSummary,
    /// The bundle file, in place.
    pub output: PathBuf,
    /// BLAKE3 of the bundle file (first of each statement's `what`).
    pub bundle: Digest,
    /// The `RecordDisclosed` entries (one per [`DIGESTS_PER_DISCLOSURE`] media).
    pub receipts: Vec<Receipt>,
    /// The discloser's key.
    pub author: PublicKey,
    /// Its holder in the registry.
    pub holder: Option<String>,
    /// `RecordDisclosed.to`.
    pub to: Sealed,
    /// Whether the recipient is new (committed now) rather than a requester.
    pub new_recipient: bool,
    /// Where the openings came from.
    pub openings_from: OpeningsFrom,
    /// Commitments of the case whose openings were erased (not in the bundle), with the entry.
    pub erased: Vec<(Sealed, u64)>,
    /// Commitments of the case the vault holds nothing for (not in the bundle).
    pub missing: Vec<Sealed>,
    /// Set if the directory of the bundle could not be synced after the rename (the bundle is
    /// in place, but a crash could still lose the rename).
    pub unsynced: Option<std::io::Error>,
}

/// Exports the evidence bundle of a case and records its disclosure (Art. 19, 21(3)), with a
/// ledger the caller already holds open for writing (held for the whole export, media copy
/// included). The vault and the media store are those of `dir`. See [`export_case_in_dir`]
/// for the steps; this is the same protocol with one ledger for reading and appending.
///
/// # Errors
/// The variants of [`DisclosureError`]; only [`DisclosureError::NotInPlace`] comes after the
/// disclosure was recorded.
pub fn export_case<S: Store>(
    ledger: &mut Ledger<S>,
    dir: &LedgerDir,
    signer: &dyn Signer,
    request: &ExportRequest,
    progress: &mut dyn Progress,
) -> Result<Export, DisclosureError> {
    let written = write_phase(ledger, dir, signer, request, progress)?;
    record_phase(ledger, dir, signer, request, written)
}

/// Exports the evidence bundle of a case from the ledger directory `dir` and records its
/// disclosure (Art. 19, 21(3)): what `liuhen bundle export` runs. The bundle is written from a
/// read-only view of the ledger, so other writers (device uploads) are not blocked during a
/// long media copy; the writer lock is taken only to append the disclosure. Steps, in order:
///
/// 1. refuse, before writing anything, an output that exists, a key the registry would not let
///    record the disclosure, a request that is not of this case or not granted, a named
///    recipient who is not the requester of the request answered;
/// 2. write the bundle to `FILE.partial` (mode 0600: it carries personal data) and sync it;
/// 3. open the ledger for writing, digest the bytes on disk, commit a new recipient into the
///    vault (so the ledger never names a recipient nobody can identify), and append the
///    `RecordDisclosed` statement(s), all or none — if the ledger cannot be opened, or refuses
///    or fails the append, `FILE.partial` is removed: nothing was disclosed;
/// 4. rename `FILE.partial` to `FILE` and sync the directory.
///
/// **Trace first**: no bundle is in place without its `RecordDisclosed` entry. A new
/// recipient's opening stays in the vault if step 3's append fails (unreferenced).
///
/// # Errors
/// The variants of [`DisclosureError`]; only [`DisclosureError::NotInPlace`] comes after the
/// disclosure was recorded.
pub fn export_case_in_dir(
    dir: &LedgerDir,
    signer: &dyn Signer,
    request: &ExportRequest,
    progress: &mut dyn Progress,
) -> Result<Export, DisclosureError> {
    let written = {
        let reader = Ledger::open(
            dir.open_read_only()?,
            std::sync::Arc::new(crate::clock::SystemClock),
            crate::ledger::LedgerOptions::default(),
        )
        .map_err(DirError::from)?;
        write_phase(&reader, dir, signer, request, progress)?
    };
    let mut writer = match dir.open_writer() {
        Ok(w) => w,
        Err(source) => {
            let _ = fs::remove_file(&written.partial);
            return Err(DisclosureError::WriterUnavailable { source });
        }
    };
    record_phase(&mut writer, dir, signer, request, written)
}

/// A bundle written to `FILE.partial`, its disclosure not yet recorded.
struct Written {
    summary: ExportSummary,
    partial: PathBuf,
    to: Sealed,
    new_opening: Option<Opening>,
    openings_from: OpeningsFrom,
    erased: Vec<(Sealed, u64)>,
    missing: Vec<Sealed>,
}

/// Steps 1 and 2 of [`export_case_in_dir`].
fn write_phase<S: Store>(
    ledger: &Ledger<S>,
    dir: &LedgerDir,
    signer: &dyn Signer,
    request: &ExportRequest,
    progress: &mut dyn Progress,
) -> Result<Written, DisclosureError> {
    let output = &request.output;
    if fs::symlink_metadata(output).is_ok() {
        return Err(DisclosureError::OutputExists {
            path: output.clone(),
        });
    }
    let author = signer.public_key();
    check_may_disclose(ledger, &request.case_no, author)?;
    let (to, new_opening) = recipient(ledger.store(), dir, &request.case_no, &request.recipient)?;
    let media = if request.with_media {
        Some(dir.media()?.ok_or_else(|| DisclosureError::NoMedia {
            dir: dir.root().to_owned(),
            media: dir.media_dir(),
        })?)
    } else {
        None
    };
    let mut openings_from = OpeningsFrom::None;
    let mut found = CaseOpenings::default();
    match &request.openings {
        OpeningsSource::None => {}
        OpeningsSource::Given(given) => {
            found.openings = given.clone();
            openings_from = OpeningsFrom::Given;
        }
        OpeningsSource::Vault => match dir.existing_vault()? {
            Some(vault) => {
                // Only the commitments the ledger links to this case, by construction.
                found = vault.case_openings_untraced(ledger.store(), &request.case_no)?;
                openings_from = OpeningsFrom::Vault;
            }
            None => openings_from = OpeningsFrom::NoVault,
        },
    }
    let CaseOpenings {
        openings,
        erased,
        missing,
    } = found;
    let partial = partial_path(output);
    let options = ExportOptions {
        openings,
        media: media.as_ref().map(|m| m as &dyn crate::media::MediaBackend),
    };
    // The RFC 3161 tokens stored beside the ledger: those over the bundle's checkpoint go in its
    // manifest. Unreadable token files are left out (the bundle then proves no TSA time; `liuhen
    // verify --tsa-root` reports them).
    let tokens: Vec<Vec<u8>> = crate::timestamp::stored_tokens(dir.root())
        .map(|t| t.into_iter().map(|t| t.token).collect())
        .unwrap_or_default();
    let summary = write_bundle(
        ledger.store(),
        &request.case_no,
        &options,
        &tokens,
        &partial,
        progress,
    )?;
    Ok(Written {
        summary,
        partial,
        to,
        new_opening,
        openings_from,
        erased,
        missing,
    })
}

/// Steps 3 and 4 of [`export_case_in_dir`].
fn record_phase<S: Store>(
    ledger: &mut Ledger<S>,
    dir: &LedgerDir,
    signer: &dyn Signer,
    request: &ExportRequest,
    written: Written,
) -> Result<Export, DisclosureError> {
    let Written {
        summary,
        partial,
        to,
        new_opening,
        openings_from,
        erased,
        missing,
    } = written;
    let output = &request.output;
    let author = signer.public_key();
    // Any failure before the append is durable removes the partial bundle.
    let recorded = record(
        ledger,
        dir,
        signer,
        &request.case_no,
        to,
        new_opening.as_ref(),
        &partial,
        &summary.media,
    );
    let (bundle, receipts) = match recorded {
        Ok(r) => r,
        Err(e) => {
            let _ = fs::remove_file(&partial);
            return Err(e);
        }
    };
    let first = receipts.first().map_or(0, |r| r.seq);
    if let Err(source) = fs::rename(&partial, output) {
        return Err(DisclosureError::NotInPlace {
            seq: first,
            partial,
            output: output.clone(),
            source,
        });
    }
    let unsynced = sync_parent(output).err();
    Ok(Export {
        summary,
        output: output.clone(),
        bundle,
        receipts,
        author,
        holder: ledger.registry().get(&author).map(|r| r.holder.clone()),
        to,
        new_recipient: new_opening.is_some(),
        openings_from,
        erased,
        missing,
        unsynced,
    })
}

/// Digests the written bundle, stores a new recipient in the vault, then appends the
/// `RecordDisclosed` statement(s) — all or none.
#[allow(clippy::too_many_arguments)]
fn record<S: Store>(
    ledger: &mut Ledger<S>,
    dir: &LedgerDir,
    signer: &dyn Signer,
    case_no: &str,
    to: Sealed,
    new_opening: Option<&Opening>,
    partial: &Path,
    media: &[Digest],
) -> Result<(Digest, Vec<Receipt>), DisclosureError> {
    // The digest of the bytes on disk, after the sync: what the recipient receives.
    let bundle = crate::media::digest_file(partial, "application/octet-stream", "bundle", 0)
        .map_err(DisclosureError::Digest)?
        .digest;
    let statements = disclosure_statements(ledger, signer, case_no, to, bundle, media)?;
    if let Some(opening) = new_opening {
        dir.vault()?.put(opening)?;
    }
    let author = signer.public_key();
    let receipts = ledger
        .append_batch(statements)
        .map_err(|source| DisclosureError::DisclosureNotRecorded { author, source })?;
    Ok((bundle, receipts))
}

/// Refuses early, before anything is written, a key the ledger would not let record the
/// disclosure: the registry's own check, on the statement's shape.
fn check_may_disclose<S: Store>(
    ledger: &Ledger<S>,
    case_no: &str,
    author: PublicKey,
) -> Result<(), DisclosureError> {
    let probe = Statement {
        time: ledger.now(),
        author,
        event: Event::RecordDisclosed {
            case_no: case_no.to_owned(),
            to: Sealed(Digest::ZERO),
            what: Vec::new(),
        },
        binding: None,
    };
    ledger
        .registry()
        .check(ledger.size(), &probe)
        .map_err(|source| DisclosureError::NotPermitted { author, source })
}

/// `RecordDisclosed.to`, and a new recipient's opening to store.
fn recipient<S: Store>(
    store: &S,
    dir: &LedgerDir,
    case_no: &str,
    recipient: &Recipient,
) -> Result<(Sealed, Option<Opening>), DisclosureError> {
    match recipient {
        Recipient::Named(name) => {
            let (to, opening) = commit(RECIPIENT_FIELD, name)?;
            Ok((to, Some(opening)))
        }
        Recipient::Requester { request, name } => {
            let requester = granted_request(store, case_no, request)?;
            if let Some(name) = name {
                confirm_requester(dir, request, requester, name)?;
            }
            Ok((requester, None))
        }
    }
}

/// The requester of access request `id`, which must be of case `case_no` and granted by its
/// latest decision (Art. 19: disclosure answers a granted request).
fn granted_request<S: Store>(
    store: &S,
    case_no: &str,
    id: &str,
) -> Result<Sealed, DisclosureError> {
    let mut requested: Option<(u64, String, Sealed)> = None;
    let mut decided: Option<(u64, bool)> = None;
    let size = store.size().map_err(|e| DisclosureError::Ledger {
        seq: 0,
        reason: e.to_string(),
    })?;
    for (seq, bytes) in crate::store::read_entries(store, 0..size) {
        let ledger_err = |reason: String| DisclosureError::Ledger { seq, reason };
        let bytes = bytes.map_err(|e| ledger_err(e.to_string()))?;
        let entry = Entry::from_bytes(&bytes).map_err(|e| ledger_err(e.to_string()))?;
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
        return Err(DisclosureError::NoSuchRequest { id: id.to_owned() });
    };
    if case != case_no {
        return Err(DisclosureError::RequestOfOtherCase {
            id: id.to_owned(),
            at,
            case_no: case,
            asked: case_no.to_owned(),
        });
    }
    match decided {
        Some((_, true)) => Ok(requester),
        Some((seq, false)) => Err(DisclosureError::RequestRefused {
            id: id.to_owned(),
            seq,
        }),
        None => Err(DisclosureError::RequestUndecided {
            id: id.to_owned(),
            at,
        }),
    }
}

/// Checks that a recipient named for a request is its requester, by the vault's opening of the
/// requester's commitment: a disclosure answering a request goes to whoever asked, never to
/// someone else under its cover. Reveals nothing: only equality is answered.
fn confirm_requester(
    dir: &LedgerDir,
    id: &str,
    requester: Sealed,
    name: &str,
) -> Result<(), DisclosureError> {
    let opening = match dir.existing_vault()? {
        Some(vault) => match vault.state(&requester)? {
            RecordState::Held => Some(vault.get_untraced(&requester)?),
            RecordState::Erased { .. } | RecordState::Missing => None,
        },
        None => None,
    };
    match opening {
        Some(o) if o.value == name => Ok(()),
        Some(_) => Err(DisclosureError::NotTheRequester { id: id.to_owned() }),
        None => Err(DisclosureError::RequesterUnknown { id: id.to_owned() }),
    }
}

/// The `RecordDisclosed` statements of one disclosure: the bundle's digest first in each, then
/// at most [`DIGESTS_PER_DISCLOSURE`] media digests.
fn disclosure_statements<S: Store>(
    ledger: &Ledger<S>,
    signer: &dyn Signer,
    case_no: &str,
    to: Sealed,
    bundle: Digest,
    media: &[Digest],
) -> Result<Vec<SignedStatement>, DisclosureError> {
    let now = ledger.now();
    let author = signer.public_key();
    let mut chunks: Vec<&[Digest]> = media.chunks(DIGESTS_PER_DISCLOSURE).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    let mut out = Vec::with_capacity(chunks.len());
    // Format v2: bound to the ledger, with the key's next counters.
    let mut binding = ledger.next_binding(&author);
    for chunk in chunks {
        let mut what = Vec::with_capacity(chunk.len() + 1);
        what.push(bundle);
        what.extend_from_slice(chunk);
        let statement = Statement {
            time: now,
            author,
            event: Event::RecordDisclosed {
                case_no: case_no.to_owned(),
                to,
                what,
            },
            binding,
        };
        out.push(SignedStatement::sign_statement(statement, signer)?);
        if let Some(b) = binding.as_mut() {
            b.counter = b.counter.saturating_add(1);
        }
    }
    Ok(out)
}

/// `FILE.partial`, beside `FILE`.
pub fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Writes the bundle to `partial` (created new, 0600) and syncs it; on error the partial file
/// is removed.
fn write_bundle<S: Store>(
    store: &S,
    case_no: &str,
    options: &ExportOptions<'_>,
    tokens: &[Vec<u8>],
    partial: &Path,
    progress: &mut dyn Progress,
) -> Result<ExportSummary, DisclosureError> {
    let io_err = |source| DisclosureError::Io {
        path: partial.to_owned(),
        source,
    };
    let file = create_new_private(partial).map_err(|source| {
        if source.kind() == ErrorKind::AlreadyExists {
            DisclosureError::OutputExists {
                path: partial.to_owned(),
            }
        } else {
            io_err(source)
        }
    })?;
    let mut out = BufWriter::new(file);
    let result = export_untraced_stamped(store, case_no, options, tokens, &mut out, progress)
        .map_err(DisclosureError::from)
        .and_then(|summary| {
            let file = out.into_inner().map_err(|e| io_err(e.into_error()))?;
            file.sync_all().map_err(io_err)?;
            Ok(summary)
        });
    if result.is_err() {
        let _ = fs::remove_file(partial);
    }
    result
}

fn create_new_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Syncs the directory holding `path`, so that a rename into it survives a crash.
fn sync_parent(path: &Path) -> std::io::Result<()> {
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
