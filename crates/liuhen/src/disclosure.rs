//! Disclosure and access: every way liuhen reveals or destroys personal data, each one call that
//! leaves its trace in the ledger (Art. 19, 21(3); PIPL; `docs/PRIVACY.md`).
//!
//! | call | reveals / destroys | trace | order |
//! |---|---|---|---|
//! | [`view_case`] | a case's openings (personal values) | `RecordViewed` | trace first: the openings are returned only after the entry is durable |
//! | [`export_case_in_dir`], [`export_case`] | a case evidence bundle with its openings | `RecordDisclosed` | trace first: the bundle is written to `FILE.partial` and synced, the entry appended, and only then is the file renamed to `FILE` |
//! | [`erase`] | destroys an opening | `Erased` | trace first ([`Vault::erase`]) |
//!
//! The guarantee each keeps: **no disclosure without its trace** — if the append is refused or
//! fails, nothing is returned, the partial bundle is removed and nothing is destroyed. The
//! converse holds as far as a process can make it hold: once the trace is appended, only a
//! failure after it (the final rename of a bundle, the caller's own output) can leave a trace of
//! a disclosure that did not reach its recipient, and each such failure is a distinct error
//! ([`DisclosureError::NotInPlace`]) naming the entry, so that the record can be explained.
//!
//! The untraced primitives these are built on are named for what they are
//! ([`Vault::get_untraced`], [`Vault::case_openings_untraced`],
//! [`crate::bundle::export_untraced`]): an application that wants to show a person a value calls
//! this module.
//!
//! Committing a value ([`Vault::commit`]) reveals nothing and needs no trace; the rules for a
//! value ([`crate::commitment::check_value`]) are enforced there and in [`Vault::put`].

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, ErrorKind};
use std::path::{Path, PathBuf};

use crate::bundle::{export_untraced, BundleError, ExportOptions, ExportSummary, Progress};
use crate::commitment::{commit, CommitError, Opening, ValueError};
use crate::dir::{DirError, LedgerDir};
use crate::entry::{Entry, SignedStatement, Statement, StatementError};
use crate::hash::Digest;
use crate::keys::{PublicKey, Signer};
use crate::ledger::{Ledger, LedgerError, Receipt};
use crate::media::MediaError;
use crate::model::{Event, RecordRef, Sealed};
use crate::registry::RegistryError;
use crate::store::Store;
use crate::vault::{CaseOpenings, RecordState, Vault, VaultError};

/// The vault field under which a new recipient of a disclosure is committed.
pub const RECIPIENT_FIELD: &str = "recipient.name";

/// Media digests per `RecordDisclosed` statement: an entry is at most 65 535 bytes, so a bundle
/// with more media is recorded as several statements, appended together (all or none), each
/// naming the bundle's digest first.
pub const DIGESTS_PER_DISCLOSURE: usize = 1_000;

/// Errors of a traced disclosure. Unless the variant says otherwise, nothing was disclosed,
/// appended or destroyed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DisclosureError {
    /// The request itself is unusable (an empty case number, purpose or authority).
    #[error("{reason}")]
    InvalidRequest {
        /// What is wrong.
        reason: String,
    },
    /// The key is not an authorized key of the ledger.
    #[error("key {author} is not an authorized key of {origin}; nothing was shown or appended")]
    NotAuthorized {
        /// The key.
        author: PublicKey,
        /// The ledger's origin.
        origin: String,
    },
    /// The key may not record this disclosure (checked before anything is written).
    #[error("key {author} may not record the disclosure: {source}; nothing was exported")]
    NotPermitted {
        /// The key.
        author: PublicKey,
        /// The registry's refusal.
        #[source]
        source: RegistryError,
    },
    /// The ledger links no sealed field to the case.
    #[error("the ledger links no sealed field to case {case_no:?} (no such case, or none of its statements seals personal data); nothing was shown or appended")]
    NoSealedField {
        /// The case.
        case_no: String,
    },
    /// No `AccessRequested` statement has this request id.
    #[error(
        "no AccessRequested statement of the ledger has request id {id:?}; nothing was exported"
    )]
    NoSuchRequest {
        /// The request id.
        id: String,
    },
    /// The request is of another case.
    #[error(
        "request {id:?} (entry {at}) is for case {case_no:?}, not {asked:?}; nothing was exported"
    )]
    RequestOfOtherCase {
        /// The request id.
        id: String,
        /// Its `AccessRequested` entry.
        at: u64,
        /// Its case.
        case_no: String,
        /// The case asked for.
        asked: String,
    },
    /// The request's latest decision refused it.
    #[error("request {id:?} was refused (AccessDecided, entry {seq}): nothing may be disclosed for it; nothing was exported")]
    RequestRefused {
        /// The request id.
        id: String,
        /// The refusing `AccessDecided` entry.
        seq: u64,
    },
    /// The request has no decision.
    #[error("request {id:?} (entry {at}) has not been decided: record a granted AccessDecided first; nothing was exported")]
    RequestUndecided {
        /// The request id.
        id: String,
        /// Its `AccessRequested` entry.
        at: u64,
    },
    /// The recipient named is not the requester of the request answered.
    #[error("request {id:?} was made by someone other than the recipient named; a disclosure answering it goes to its requester (name no recipient), or disclose without the request; nothing was exported")]
    NotTheRequester {
        /// The request id.
        id: String,
    },
    /// The vault cannot confirm that the recipient named is the requester.
    #[error("the vault holds no opening of the requester of request {id:?}, so the recipient named cannot be checked against it: name no recipient to disclose to the requester; nothing was exported")]
    RequesterUnknown {
        /// The request id.
        id: String,
    },
    /// Media were asked for and the directory has none.
    #[error("{dir} has no media directory ({media}): export without media")]
    NoMedia {
        /// The ledger directory.
        dir: PathBuf,
        /// Where the media store would be.
        media: PathBuf,
    },
    /// The output file already exists.
    #[error("{path} already exists: remove it or choose another file name")]
    OutputExists {
        /// The file.
        path: PathBuf,
    },
    /// The bundle file could not be written, synced or read back; it was removed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The bundle could not be made; the partial file was removed.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// The written bundle could not be digested; it was removed.
    #[error("cannot digest the written bundle: {0}")]
    Digest(#[source] MediaError),
    /// A ledger entry could not be read; nothing is decided on a partial view.
    #[error("cannot read ledger entry {seq}: {reason}")]
    Ledger {
        /// The entry.
        seq: u64,
        /// Why.
        reason: String,
    },
    /// A statement could not be signed.
    #[error("cannot sign the statement: {0}")]
    Sign(#[from] StatementError),
    /// A recipient outside the rules for personal values.
    #[error(transparent)]
    Value(#[from] ValueError),
    /// The vault refused (for [`erase`]: see [`VaultError`]; `Append` and refusals destroyed
    /// nothing, an I/O error after the `Erased` entry leaves the destruction to be completed).
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The ledger directory could not be opened.
    #[error(transparent)]
    Dir(#[from] DirError),
    /// The ledger refused or failed to append the `RecordViewed`: nothing was shown.
    #[error("key {author}: the view was not recorded ({source}); nothing was shown")]
    ViewNotRecorded {
        /// The viewer's key.
        author: PublicKey,
        /// What the ledger said.
        #[source]
        source: LedgerError,
    },
    /// The ledger could not be opened for writing to record the disclosure (e.g. another
    /// writer holds its lock): the bundle was removed.
    #[error("the ledger cannot be opened to record the disclosure ({source}); the bundle was removed: a disclosure that leaves no trace is not made")]
    WriterUnavailable {
        /// Why.
        #[source]
        source: DirError,
    },
    /// The ledger refused or failed to append the `RecordDisclosed`: the bundle was removed.
    #[error("key {author}: the disclosure was not recorded ({source}); the bundle was removed: a disclosure that leaves no trace is not made")]
    DisclosureNotRecorded {
        /// The discloser's key.
        author: PublicKey,
        /// What the ledger said.
        #[source]
        source: LedgerError,
    },
    /// The disclosure **is recorded** at `seq`, but the complete bundle could not be renamed
    /// into place: it is in `partial`.
    #[error("the disclosure is recorded at entry {seq}, but {partial} could not be renamed to {output}: {source}; the bundle is complete in the former")]
    NotInPlace {
        /// The first `RecordDisclosed` entry.
        seq: u64,
        /// The complete bundle.
        partial: PathBuf,
        /// Where it should be.
        output: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}

impl DisclosureError {
    /// Whether this is tampering with the vault (a planted link, FIFO or directory) or with the
    /// ledger's records: to be reported as such, never as an I/O error.
    pub fn is_tampering(&self) -> bool {
        let planted = |v: &VaultError| matches!(v, VaultError::NotRegular { .. });
        match self {
            DisclosureError::Vault(v) => planted(v),
            DisclosureError::Dir(DirError::Vault(v))
            | DisclosureError::WriterUnavailable {
                source: DirError::Vault(v),
            } => planted(v),
            DisclosureError::Dir(d) | DisclosureError::WriterUnavailable { source: d } => {
                d.is_tampering()
            }
            _ => false,
        }
    }
}

impl From<CommitError> for DisclosureError {
    fn from(e: CommitError) -> Self {
        match e {
            CommitError::Value(v) => DisclosureError::Value(v),
            CommitError::Key(k) => DisclosureError::Vault(VaultError::Key(k)),
        }
    }
}

// ---- view -------------------------------------------------------------------------------------

/// What to view: the openings of one case, for a stated purpose.
#[derive(Clone, Debug)]
pub struct ViewRequest {
    /// The case.
    pub case_no: String,
    /// Why the records are viewed (recorded in the `RecordViewed` statement; trimmed).
    pub purpose: String,
}

/// A recorded view and what it revealed.
#[derive(Debug)]
pub struct View {
    /// The case viewed.
    pub case_no: String,
    /// The `RecordViewed` entry.
    pub receipt: Receipt,
    /// The viewer's key.
    pub author: PublicKey,
    /// The viewer, as the registry names the key's holder (the statement's `by`).
    pub by: String,
    /// The purpose recorded.
    pub purpose: String,
    /// The openings (and the erased and missing commitments) of the case.
    pub openings: CaseOpenings,
}

/// Reveals the openings of a case's sealed fields, after appending
/// `RecordViewed { subject: the case, by: the key's holder in the registry, purpose }` signed
/// by `signer` (Art. 19–21(3)).
///
/// Trace first: the openings are read into memory (so that a case with no sealed field is
/// refused without an entry), the statement is appended, and only then are they returned. If
/// the append is refused or fails, nothing is returned.
///
/// # Errors
/// [`DisclosureError::InvalidRequest`], [`DisclosureError::NoSealedField`],
/// [`DisclosureError::NotAuthorized`], [`DisclosureError::ViewNotRecorded`], or vault errors.
pub fn view_case<S: Store>(
    ledger: &mut Ledger<S>,
    vault: &Vault,
    signer: &dyn Signer,
    request: &ViewRequest,
) -> Result<View, DisclosureError> {
    let purpose = request.purpose.trim();
    if purpose.is_empty() {
        return Err(DisclosureError::InvalidRequest {
            reason: "the purpose is empty: say why the records are viewed".into(),
        });
    }
    if request.case_no.is_empty() {
        return Err(DisclosureError::InvalidRequest {
            reason: "the case number is empty".into(),
        });
    }
    let author = signer.public_key();
    let openings = vault.case_openings_untraced(ledger.store(), &request.case_no)?;
    if openings.openings.is_empty() && openings.erased.is_empty() && openings.missing.is_empty() {
        return Err(DisclosureError::NoSealedField {
            case_no: request.case_no.clone(),
        });
    }
    let Some(by) = ledger.registry().get(&author).map(|r| r.holder.clone()) else {
        return Err(DisclosureError::NotAuthorized {
            author,
            origin: ledger.origin().to_owned(),
        });
    };
    let event = Event::RecordViewed {
        subject: RecordRef::Case(request.case_no.clone()),
        by: by.clone(),
        purpose: purpose.to_owned(),
    };
    let receipt = ledger
        .sign_and_append(signer, event)
        .map_err(|source| DisclosureError::ViewNotRecorded { author, source })?;
    Ok(View {
        case_no: request.case_no.clone(),
        receipt,
        author,
        by,
        purpose: purpose.to_owned(),
        openings,
    })
}

// ---- erase ------------------------------------------------------------------------------------

/// What to erase: one commitment's opening, on an authority's approval.
#[derive(Clone, Debug)]
pub struct EraseRequest {
    /// The commitment.
    pub commitment: Sealed,
    /// Who approved the erasure (recorded in the `Erased` statement; trimmed).
    pub authority: String,
}

/// A recorded erasure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Erasure {
    /// The `Erased` entry.
    pub seq: u64,
    /// Whether this call appended it (`false`: the ledger recorded it before and only the
    /// destruction was finished).
    pub appended: bool,
}

/// Lawfully erases an opening ([`Vault::erase`]: refused under a retention period or a
/// preservation order; `Erased` appended before anything is destroyed).
///
/// # Errors
/// [`DisclosureError::InvalidRequest`] for an empty authority; [`DisclosureError::Vault`] with
/// [`VaultError::ErasureRefused`], [`VaultError::UnknownCommitment`], [`VaultError::Append`]
/// (nothing destroyed) or an error while destroying (the ledger then records the erasure: call
/// again, or [`Vault::complete_erasures`]).
pub fn erase<S: Store>(
    ledger: &mut Ledger<S>,
    vault: &Vault,
    signer: &dyn Signer,
    request: &EraseRequest,
) -> Result<Erasure, DisclosureError> {
    let authority = request.authority.trim();
    if authority.is_empty() {
        return Err(DisclosureError::InvalidRequest {
            reason: "the authority is empty: name who approved the erasure".into(),
        });
    }
    let before = ledger.size();
    let seq = vault.erase(ledger, &request.commitment, authority, signer)?;
    Ok(Erasure {
        seq,
        appended: ledger.size() > before,
    })
}

// ---- export -----------------------------------------------------------------------------------

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
        media: media.as_ref(),
    };
    let summary = write_bundle(
        ledger.store(),
        &request.case_no,
        &options,
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
    for seq in 0..store.size() {
        let ledger_err = |reason: String| DisclosureError::Ledger { seq, reason };
        let bytes = store
            .entry_bytes(seq)
            .map_err(|e| ledger_err(e.to_string()))?;
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
    let result = export_untraced(store, case_no, options, &mut out, progress)
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
