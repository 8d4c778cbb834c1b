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

mod export;
mod openings;
pub mod render;

pub use export::{
    export_case, export_case_in_dir, partial_path, Export, ExportRequest, OpeningsFrom,
    OpeningsSource, Recipient,
};
pub use openings::{read_openings, OpeningsError};

use std::path::PathBuf;

use crate::bundle::BundleError;
use crate::commitment::{CommitError, ValueError};
use crate::dir::DirError;
use crate::entry::StatementError;
use crate::keys::{PublicKey, Signer};
use crate::ledger::{Ledger, LedgerError, Receipt};
use crate::media::MediaError;
use crate::model::{Event, RecordRef, Sealed};
use crate::registry::RegistryError;
use crate::store::Store;
use crate::vault::{CaseOpenings, Vault, VaultBackend, VaultError};

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
pub fn view_case<S: Store, B: VaultBackend + ?Sized>(
    ledger: &mut Ledger<S>,
    vault: &Vault<B>,
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
pub fn erase<S: Store, B: VaultBackend + ?Sized>(
    ledger: &mut Ledger<S>,
    vault: &Vault<B>,
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
