//! One error type for applications: every public module's error converts into [`Error`].
//!
//! The modules keep their own error enums (they say precisely what went wrong, and a caller
//! that handles one case matches on them); an application that embeds the library returns
//! `Result<_, liuhen::Error>` and uses `?` across modules. Each variant is transparent: its
//! message is the module error's message, and [`std::error::Error::source`] continues the
//! module error's own chain, so no context is lost. The module error itself is reachable by
//! matching the variant.
//!
//! [`Error::is_tampering`] answers the one question every adapter must ask the same way:
//! were records found damaged? Then the answer is "tampered" (CLI exit 1, an HTTP conflict,
//! an alarm), never "I/O error" or "try again" — destroying evidence is tampering.

use crate::admission::Refusal;
use crate::audit::{AuditError, ProfileError};
use crate::bundle::{BundleError, ProofError};
use crate::check::CheckError;
use crate::checkpoint::{CheckpointError, NoteError};
use crate::commitment::CommitError;
use crate::dir::DirError;
use crate::disclosure::DisclosureError;
use crate::encoding::EncodingError;
use crate::entry::StatementError;
use crate::ingest::IngestError;
use crate::init::InitError;
use crate::keyfile::KeyFileError;
use crate::keys::KeyError;
use crate::ledger::{LedgerError, SealStateError};
use crate::media::MediaError;
use crate::merkle::MerkleError;
use crate::registry::RegistryError;
use crate::setup::SetupError;
use crate::shared::SharedError;
use crate::store::file::FileStoreError;
use crate::store::StoreError;
use crate::vault::VaultError;

/// Any error of the library (see the [module documentation](self)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The ledger writer ([`crate::ledger`]).
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A ledger shared between threads ([`crate::shared`]).
    #[error(transparent)]
    Shared(#[from] SharedError),
    /// A store ([`crate::store`]).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The durable file store ([`crate::store::file`]).
    #[error(transparent)]
    FileStore(#[from] FileStoreError),
    /// A ledger directory ([`crate::dir`]).
    #[error(transparent)]
    Dir(#[from] DirError),
    /// Creating a ledger directory ([`crate::setup`]).
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// Initialising a ledger with its key file ([`crate::init`]).
    #[error(transparent)]
    Init(#[from] InitError),
    /// A key ([`crate::keys`]).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A key file ([`crate::keyfile`]).
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// A seal state that does not parse ([`crate::ledger::SealState`]).
    #[error(transparent)]
    SealState(#[from] SealStateError),
    /// A checkpoint ([`crate::checkpoint`]).
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// A signed note or note key ([`crate::checkpoint`]).
    #[error(transparent)]
    Note(#[from] NoteError),
    /// A Merkle computation or proof ([`crate::merkle`]).
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    /// The admission rule refused a statement ([`crate::admission`]; boxed, it is large).
    #[error(transparent)]
    Admission(Box<Refusal>),
    /// The key registry ([`crate::registry`]).
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// A canonical encoding ([`crate::encoding`]).
    #[error(transparent)]
    Encoding(#[from] EncodingError),
    /// A statement's encoding or signature ([`crate::entry`]).
    #[error(transparent)]
    Statement(#[from] StatementError),
    /// A commitment to a personal value ([`crate::commitment`]).
    #[error(transparent)]
    Commit(#[from] CommitError),
    /// The personal-data vault ([`crate::vault`]).
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// Media or the media store ([`crate::media`]).
    #[error(transparent)]
    Media(#[from] MediaError),
    /// A case bundle ([`crate::bundle`]).
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// A portable proof ([`crate::bundle`]).
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// The compliance audit ([`crate::audit`]).
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// An audit profile ([`crate::audit`]).
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// The one-call check of a ledger directory ([`crate::check`]): why it could not be
    /// checked (what it found is in its report, never an error).
    #[error(transparent)]
    Check(#[from] CheckError),
    /// Ingest of statements from JSON ([`crate::ingest`]).
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// Traced disclosure and access ([`crate::disclosure`]).
    #[error(transparent)]
    Disclosure(#[from] DisclosureError),
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        Error::Admission(Box::new(refusal))
    }
}

impl Error {
    /// Whether the error means that records were found damaged: stored entries that do not
    /// read, decode, chain or satisfy the admission rule, a store file that is corrupt or gone,
    /// a seal refused because the store is not what the ledger key signed, a vault file
    /// planted or corrupt, media that is not what the ledger recorded. An adapter reports
    /// these as tampering (the CLI's exit 1), never as an I/O or input error.
    ///
    /// A failed *verification of someone else's proof or bundle* is not listed here: it is
    /// the answer to the question asked, not damage to this ledger; see
    /// [`ProofError::is_verification_failure`] and the bundle report's verdict.
    pub fn is_tampering(&self) -> bool {
        match self {
            Error::Ledger(e) => ledger_is_tampering(e),
            Error::Shared(e) => e.is_tampering(),
            Error::Store(e) => store_is_tampering(e),
            Error::FileStore(e) => file_store_is_tampering(e),
            Error::Dir(e) => dir_is_tampering(e),
            Error::Setup(SetupError::Ledger(e)) => ledger_is_tampering(e),
            Error::Merkle(e) => merkle_is_tampering(e),
            Error::Vault(e) => vault_is_tampering(e),
            Error::Media(e) => media_is_tampering(e),
            Error::Bundle(e) => bundle_is_tampering(e),
            Error::Proof(ProofError::Store(e)) => store_is_tampering(e),
            Error::Audit(e) => audit_is_tampering(e),
            Error::Check(CheckError::Dir(e)) => dir_is_tampering(e),
            Error::Check(CheckError::Store(e)) => file_store_is_tampering(e),
            Error::Ingest(IngestError::Ledger(e) | IngestError::Interrupted { source: e, .. }) => {
                ledger_is_tampering(e)
            }
            Error::Disclosure(DisclosureError::Vault(e)) => vault_is_tampering(e),
            Error::Disclosure(e) => e.is_tampering(),
            _ => false,
        }
    }
}

/// Whether a ledger error means damaged records.
pub(crate) fn ledger_is_tampering(e: &LedgerError) -> bool {
    match e {
        LedgerError::Corrupt { .. } | LedgerError::SealRefused(_) => true,
        LedgerError::Store(e) => store_is_tampering(e),
        LedgerError::Merkle(e) => merkle_is_tampering(e),
        _ => false,
    }
}

fn store_is_tampering(e: &StoreError) -> bool {
    match e {
        StoreError::Corrupt { .. } => true,
        StoreError::Backend { source, .. } => source
            .downcast_ref::<FileStoreError>()
            .is_some_and(file_store_is_tampering),
        _ => false,
    }
}

fn file_store_is_tampering(e: &FileStoreError) -> bool {
    matches!(
        e,
        FileStoreError::Corrupt { .. }
            | FileStoreError::BadHeader { .. }
            | FileStoreError::MissingFile { .. }
    )
}

fn dir_is_tampering(e: &DirError) -> bool {
    match e {
        DirError::Ledger(e) => ledger_is_tampering(e),
        DirError::Store(e) => file_store_is_tampering(e),
        DirError::Vault(e) => vault_is_tampering(e),
        DirError::Media(e) => media_is_tampering(e),
        _ => e.is_tampering(),
    }
}

/// A Merkle computation fails on damaged records when the store it reads reports corruption.
fn merkle_is_tampering(e: &MerkleError) -> bool {
    match e {
        MerkleError::Reader { source, .. } => source
            .downcast_ref::<StoreError>()
            .is_some_and(store_is_tampering),
        _ => false,
    }
}

fn vault_is_tampering(e: &VaultError) -> bool {
    match e {
        VaultError::Corrupt { .. } | VaultError::NotRegular { .. } => true,
        VaultError::Append { source, .. } => ledger_is_tampering(source),
        _ => false,
    }
}

fn media_is_tampering(e: &MediaError) -> bool {
    match e {
        MediaError::OriginalAltered { .. } | MediaError::Foreign { .. } => true,
        MediaError::Ledger { source, .. } => store_is_tampering(source),
        _ => false,
    }
}

fn bundle_is_tampering(e: &BundleError) -> bool {
    match e {
        BundleError::Entry { .. } | BundleError::MediaAltered { .. } => true,
        BundleError::Media { source, .. } => media_is_tampering(source),
        BundleError::Store(e) => store_is_tampering(e),
        BundleError::Merkle(e) => merkle_is_tampering(e),
        _ => false,
    }
}

fn audit_is_tampering(e: &AuditError) -> bool {
    match e {
        AuditError::Decode { .. } => true,
        AuditError::Read { source, .. } => store_is_tampering(source),
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::error::Error as _;
    use std::path::PathBuf;

    use super::*;

    fn corrupt_store() -> StoreError {
        StoreError::Corrupt {
            path: PathBuf::from("ledger/entries.log"),
            record: 3,
            offset: 96,
            reason: "checksum mismatch".into(),
        }
    }

    #[test]
    fn damaged_records_are_tampering_through_every_wrapper() {
        let cases: Vec<Error> = vec![
            LedgerError::Corrupt {
                seq: 3,
                reason: "the prev hash does not chain".into(),
            }
            .into(),
            corrupt_store().into(),
            LedgerError::Store(corrupt_store()).into(),
            SharedError::Ledger(LedgerError::Store(corrupt_store())).into(),
            SharedError::GroupCommit {
                group: 2,
                source: std::sync::Arc::new(LedgerError::Store(corrupt_store())),
            }
            .into(),
            DirError::Ledger(LedgerError::Corrupt {
                seq: 0,
                reason: "x".into(),
            })
            .into(),
            MerkleError::Reader {
                level: 0,
                index: 1,
                source: Box::new(corrupt_store()),
            }
            .into(),
            AuditError::Read {
                seq: 3,
                source: corrupt_store(),
            }
            .into(),
            CheckError::Dir(DirError::Ledger(LedgerError::Store(corrupt_store()))).into(),
            IngestError::Interrupted {
                committed: 4096,
                line: 4097,
                source: LedgerError::Store(corrupt_store()),
            }
            .into(),
            DisclosureError::Dir(DirError::Ledger(LedgerError::Corrupt {
                seq: 1,
                reason: "x".into(),
            }))
            .into(),
        ];
        for e in cases {
            assert!(e.is_tampering(), "{e}");
        }
    }

    #[test]
    fn refusals_and_io_failures_are_not_tampering() {
        let io = StoreError::Io {
            path: PathBuf::from("ledger/entries.log"),
            source: std::io::Error::other("disk full"),
        };
        let cases: Vec<Error> = vec![
            io.into(),
            LedgerError::NoGenesis.into(),
            SharedError::Poisoned.into(),
            KeyError::Rng.into(),
        ];
        for e in cases {
            assert!(!e.is_tampering(), "{e}");
        }
    }

    #[test]
    fn the_message_and_source_chain_are_the_module_errors() {
        let inner = LedgerError::Store(StoreError::Io {
            path: PathBuf::from("ledger/entries.log"),
            source: std::io::Error::other("disk full"),
        });
        let shown = inner.to_string();
        let e: Error = SharedError::Ledger(inner).into();
        assert_eq!(e.to_string(), shown);
        // Transparent all the way down to the I/O error, which stays reachable.
        let mut chain = e.source();
        let mut found = false;
        while let Some(s) = chain {
            found |= s.downcast_ref::<std::io::Error>().is_some();
            chain = s.source();
        }
        assert!(found, "the I/O error is in the source chain");
    }
}
