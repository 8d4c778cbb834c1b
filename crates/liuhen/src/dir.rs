//! A ledger directory: where a ledger keeps its parts, opened the same way by every adapter.
//!
//! One directory per ledger, as `liuhen init DIR` creates it:
//!
//! ```text
//! DIR/ledger/        the durable file store (docs/STORE.md)
//! DIR/media/         the content-addressed media store (media/ab/cdef…)
//! DIR/vault/         the personal-data vault (docs/PRIVACY.md), created on first use
//! DIR/ledger.vkey    the ledger's C2SP verifier key, as `init` printed it
//! DIR/witness.policy the witness policy (C2SP tlog-policy), if the bureau keeps one
//! ```
//!
//! `ledger.vkey` is a convenience copy. An auditor passes the key they obtained independently;
//! a key read from the directory under audit proves nothing about that directory.
//!
//! Readers never create anything: a mistyped path is an error that says what is wrong, not an
//! empty ledger in which every record is "missing".
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): the ledger directory layout: what exists where.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::clock::Clock;
use crate::ledger::{Ledger, LedgerError, LedgerOptions};
use crate::media::{MediaError, MediaStore};
use crate::store::file::{FileStore, FileStoreError};
use crate::vault::{Vault, VaultError};

/// Sub-directory holding the file store.
pub const STORE_DIR: &str = "ledger";
/// Sub-directory holding the media store.
pub const MEDIA_DIR: &str = "media";
/// Sub-directory holding the personal-data vault.
pub const VAULT_DIR: &str = "vault";
/// The convenience copy of the ledger's verifier key.
pub const VKEY_FILE: &str = "ledger.vkey";
/// The convenience copy of the ledger's witness policy (C2SP tlog-policy, [`crate::policy`]),
/// beside `ledger.vkey`. Like the vkey copy it proves nothing about the directory it is in: an
/// auditor passes their own.
pub const POLICY_FILE: &str = "witness.policy";

/// Errors of opening a part of a ledger directory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DirError {
    /// The path names a store directory, not the ledger directory that contains it.
    #[error("{path} is a store directory; pass the ledger directory that contains it ({parent})")]
    StoreGiven {
        /// The path given.
        path: PathBuf,
        /// The ledger directory that was probably meant.
        parent: PathBuf,
    },
    /// The path is not a ledger directory.
    #[error(
        "{path} is not a liuhen ledger directory (no {STORE_DIR}/ inside; create one with `liuhen init`)"
    )]
    NotALedgerDir {
        /// The path given.
        path: PathBuf,
    },
    /// The store opened for writing found its records damaged (a damaged record, or a committed
    /// record cut off, which a crash does not explain): a writer must not build on it. Tampering.
    #[error("{reason}")]
    Damaged {
        /// The ledger directory.
        dir: PathBuf,
        /// What was found, in one sentence.
        reason: String,
    },
    /// The file store could not be opened.
    #[error(transparent)]
    Store(#[from] FileStoreError),
    /// The ledger could not be opened for writing.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The media store could not be opened.
    #[error(transparent)]
    Media(#[from] MediaError),
    /// The vault could not be opened.
    #[error(transparent)]
    Vault(#[from] VaultError),
}

impl DirError {
    /// Whether opening failed because the ledger's records were found damaged (tampering, to be
    /// reported as such, never as an I/O error).
    pub fn is_tampering(&self) -> bool {
        match self {
            DirError::Ledger(LedgerError::Corrupt { .. }) | DirError::Damaged { .. } => true,
            DirError::Store(e) => e.is_damage(),
            _ => false,
        }
    }
}

/// A ledger directory (paths only; nothing is opened until asked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerDir {
    root: PathBuf,
}

impl LedgerDir {
    /// The ledger directory at `root` (nothing is checked yet).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LedgerDir { root: root.into() }
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `DIR/ledger`.
    pub fn store_dir(&self) -> PathBuf {
        self.root.join(STORE_DIR)
    }

    /// `DIR/media`.
    pub fn media_dir(&self) -> PathBuf {
        self.root.join(MEDIA_DIR)
    }

    /// `DIR/vault`.
    pub fn vault_dir(&self) -> PathBuf {
        self.root.join(VAULT_DIR)
    }

    /// `DIR/ledger.vkey`.
    pub fn vkey_path(&self) -> PathBuf {
        self.root.join(VKEY_FILE)
    }

    /// `DIR/witness.policy` ([`POLICY_FILE`]).
    pub fn policy_path(&self) -> PathBuf {
        self.root.join(POLICY_FILE)
    }

    /// Checks that `DIR/ledger` exists, explaining the commonest mistakes (pointing at the store
    /// itself, or at a typo).
    ///
    /// # Errors
    /// [`DirError::StoreGiven`] or [`DirError::NotALedgerDir`].
    pub fn require_store(&self) -> Result<(), DirError> {
        if self.store_dir().is_dir() {
            return Ok(());
        }
        if self.root.join("header").exists() || self.root.join("entries.log").exists() {
            return Err(DirError::StoreGiven {
                path: self.root.clone(),
                parent: self.root.parent().unwrap_or(Path::new(".")).to_path_buf(),
            });
        }
        Err(DirError::NotALedgerDir {
            path: self.root.clone(),
        })
    }

    /// Opens the store read-only (verifier, log, proofs): never takes the writer lock, never
    /// repairs anything.
    ///
    /// # Errors
    /// Not a ledger directory, or the store cannot be opened.
    pub fn open_read_only(&self) -> Result<FileStore, DirError> {
        self.require_store()?;
        Ok(FileStore::open_read_only(self.store_dir())?)
    }

    /// Opens the ledger for writing (append, authorize, seal) on the given clock: takes the
    /// writer lock and recovers a torn tail, as [`FileStore::open`] does, then reads every frame
    /// ([`Ledger::open`]).
    ///
    /// # Errors
    /// Not a ledger directory, the store cannot be opened, its records were found damaged
    /// ([`DirError::Damaged`], tampering), or the ledger in it is refused.
    pub fn open_writer_with(
        &self,
        clock: Arc<dyn Clock>,
        options: LedgerOptions,
    ) -> Result<Ledger<FileStore>, DirError> {
        self.require_store()?;
        let store = FileStore::open(self.store_dir())?;
        // One rule for every adapter: a writer never builds on records found damaged.
        if let Some(reason) = crate::text::store_damage(&store) {
            return Err(DirError::Damaged {
                dir: self.root.clone(),
                reason,
            });
        }
        Ok(Ledger::open(store, clock, options)?)
    }

    /// [`LedgerDir::open_writer_with`] on the system clock and default options.
    ///
    /// # Errors
    /// As [`LedgerDir::open_writer_with`].
    pub fn open_writer(&self) -> Result<Ledger<FileStore>, DirError> {
        self.open_writer_with(
            Arc::new(crate::clock::SystemClock),
            LedgerOptions::default(),
        )
    }

    /// The media store if the directory has one (never created by a reader).
    ///
    /// # Errors
    /// `DIR/media` exists but cannot be opened.
    pub fn media(&self) -> Result<Option<MediaStore>, DirError> {
        let dir = self.media_dir();
        if !dir.is_dir() {
            return Ok(None);
        }
        Ok(Some(MediaStore::open(dir)?))
    }

    /// The vault if it exists (reading never creates one).
    ///
    /// # Errors
    /// `DIR/vault` exists but cannot be opened.
    pub fn existing_vault(&self) -> Result<Option<Vault>, DirError> {
        let path = self.vault_dir();
        if std::fs::symlink_metadata(&path).is_err() {
            return Ok(None);
        }
        Ok(Some(Vault::open(path)?))
    }

    /// Opens the vault, creating it on first use. `DIR` must be a ledger directory: a typo must
    /// not leave a vault of personal data in a random place.
    ///
    /// # Errors
    /// Not a ledger directory, or the vault cannot be opened or created.
    pub fn vault(&self) -> Result<Vault, DirError> {
        self.require_store()?;
        Ok(Vault::create(self.vault_dir())?)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_store_directory_given_for_the_ledger_directory_is_explained() {
        let tmp = std::env::temp_dir().join(format!("liuhen-dir-{}", std::process::id()));
        let store = tmp.join("ledger");
        std::fs::create_dir_all(&store).unwrap();
        std::fs::write(store.join("header"), b"x").unwrap();
        let err = LedgerDir::new(&store).require_store().unwrap_err();
        assert!(matches!(err, DirError::StoreGiven { .. }), "{err}");
        let err = LedgerDir::new(tmp.join("typo"))
            .require_store()
            .unwrap_err();
        assert!(matches!(err, DirError::NotALedgerDir { .. }), "{err}");
        assert!(LedgerDir::new(&tmp).require_store().is_ok());
        // Readers never create.
        assert!(LedgerDir::new(&tmp).media().unwrap().is_none());
        assert!(LedgerDir::new(&tmp).existing_vault().unwrap().is_none());
        assert!(!tmp.join("media").exists() && !tmp.join("vault").exists());
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
