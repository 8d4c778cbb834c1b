//! Creating a ledger directory: the one place its steps are written down. An application that
//! embeds the library calls [`LedgerDir::create`]; `liuhen init` ([`crate::init`]) is the key
//! policy around the same steps (a key file read or generated, the seal state kept beside it).
//!
//! The layout is [`crate::dir`]'s: `DIR/ledger` (the file store, with the genesis entry and a
//! first checkpoint), `DIR/media` (the media store) and `DIR/ledger.vkey` (the verifier key).
//! The ledger key stays the application's: it may live in a hardware module, so it is passed
//! as a [`Signer`] and never written here. What the application keeps beside the key is the
//! [`SealState`] returned (write it with [`crate::keyfile::write_seal_state`]); every later
//! seal checks the store against it.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): creates a ledger directory.
#![allow(clippy::disallowed_methods)]

use std::path::PathBuf;
use std::sync::Arc;

use crate::checkpoint::{NoteError, NoteVerifier};
use crate::clock::Clock;
use crate::dir::LedgerDir;
use crate::keyfile::KeyFileError;
use crate::keys::{PublicKey, Signer};
use crate::ledger::{Ledger, LedgerError, LedgerOptions, SealState};
use crate::media::{MediaError, MediaStore};
use crate::store::file::{FileStore, FileStoreError};

/// Errors of creating a ledger directory. The first four come before anything is written
/// ([`SetupError::left_incomplete`] is false); after any other, the directory is left
/// incomplete: remove it before trying again.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// The path exists and is not an empty directory: a new ledger is never mixed with files
    /// already there.
    #[error("{path} is not empty; a ledger is created only in a new or empty directory")]
    NotEmpty {
        /// The path.
        path: PathBuf,
    },
    /// The path exists and is not a directory.
    #[error("{path} exists and is not a directory")]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// The directory could not be read or created.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// `read` or `create`.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The origin cannot name the ledger's verifier key (a name like
    /// `example.gov.cn/enforcement`, without spaces or `+`); nothing was written.
    #[error("invalid origin {origin:?}: {source}")]
    BadOrigin {
        /// The origin.
        origin: String,
        /// Why.
        #[source]
        source: NoteError,
    },
    /// The file store could not be created.
    #[error(transparent)]
    Store(#[from] FileStoreError),
    /// The ledger could not be created in it.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The media store could not be created.
    #[error(transparent)]
    Media(#[from] MediaError),
    /// The verifier key could not be written.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
}

impl SetupError {
    /// Whether the error came after writing began, leaving the directory incomplete (it must
    /// be removed before trying again). The refusals before writing leave nothing behind,
    /// except that [`SetupError::Io`] may come from creating the (then empty) directory.
    pub fn left_incomplete(&self) -> bool {
        !matches!(
            self,
            SetupError::NotEmpty { .. }
                | SetupError::NotADirectory { .. }
                | SetupError::Io { .. }
                | SetupError::BadOrigin { .. }
        )
    }
}

/// A ledger directory just created: the writer, open on it, the state to keep beside the
/// ledger key, and the verifier key to give auditors.
#[derive(Debug)]
pub struct Created {
    /// The ledger, open for writing (it holds the store's writer lock).
    pub ledger: Ledger<FileStore>,
    /// The seal state of the first checkpoint, to keep beside the ledger key.
    pub seal_state: SealState,
    /// The ledger's verifier key (also written to `DIR/ledger.vkey`).
    pub vkey: NoteVerifier,
}

impl LedgerDir {
    /// Creates a ledger directory at [`LedgerDir::root`], which must not exist or be empty:
    /// the media store, `ledger.vkey`, and the file store with the genesis entry signed by
    /// `ledger_key` under `origin` and a first checkpoint. The origin is checked before
    /// anything is written.
    ///
    /// # Errors
    /// [`SetupError::NotEmpty`], [`SetupError::NotADirectory`], [`SetupError::BadOrigin`], or
    /// the error of the step that failed ([`SetupError::left_incomplete`] says whether the
    /// directory is then incomplete).
    pub fn create(
        &self,
        origin: &str,
        ledger_key: &dyn Signer,
        clock: Arc<dyn Clock>,
        options: LedgerOptions,
    ) -> Result<Created, SetupError> {
        let vkey = self.begin_create(origin, ledger_key.public_key())?;
        self.write_new(origin, ledger_key, vkey, clock, options)
    }

    /// Refuses a root that exists and is not an empty directory. Reads only.
    pub(crate) fn require_new(&self) -> Result<(), SetupError> {
        let root = self.root();
        match std::fs::read_dir(root) {
            Ok(mut listing) => match listing.next() {
                Some(_) => Err(SetupError::NotEmpty {
                    path: root.to_path_buf(),
                }),
                None => Ok(()),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(_) if root.exists() && !root.is_dir() => Err(SetupError::NotADirectory {
                path: root.to_path_buf(),
            }),
            Err(source) => Err(SetupError::Io {
                action: "read",
                path: root.to_path_buf(),
                source,
            }),
        }
    }

    /// What comes before writing: the root new or empty, the origin a valid name for the
    /// verifier key of `ledger_key`; then the root directory is created (empty). Returns the
    /// verifier key. Between this and [`LedgerDir::write_new`] a caller may write into the
    /// root what must exist before anything is signed (`init`'s generated key).
    pub(crate) fn begin_create(
        &self,
        origin: &str,
        ledger_key: PublicKey,
    ) -> Result<NoteVerifier, SetupError> {
        self.require_new()?;
        let vkey =
            NoteVerifier::for_key(origin, ledger_key).map_err(|source| SetupError::BadOrigin {
                origin: origin.to_owned(),
                source,
            })?;
        let root = self.root();
        std::fs::create_dir_all(root).map_err(|source| SetupError::Io {
            action: "create",
            path: root.to_path_buf(),
            source,
        })?;
        Ok(vkey)
    }

    /// Writes the directory's parts after [`LedgerDir::begin_create`]: the media store, the
    /// verifier key, then the file store with the genesis entry and first checkpoint — signing
    /// comes last, so that its seal state can be kept right after it.
    pub(crate) fn write_new(
        &self,
        origin: &str,
        ledger_key: &dyn Signer,
        vkey: NoteVerifier,
        clock: Arc<dyn Clock>,
        options: LedgerOptions,
    ) -> Result<Created, SetupError> {
        MediaStore::create(self.media_dir())?;
        crate::keyfile::write_verifier_key(&self.vkey_path(), &vkey)?;
        let store = FileStore::create(self.store_dir(), origin)?;
        let ledger = Ledger::create(store, origin, ledger_key, clock, options)?;
        let seal_state = ledger.seal_state()?;
        Ok(Created {
            ledger,
            seal_state,
            vkey,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::keys::SecretKey;

    #[test]
    fn a_created_directory_opens_as_every_adapter_opens_it() {
        let tmp = std::env::temp_dir().join(format!("liuhen-setup-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let dir = LedgerDir::new(&tmp);
        let key = SecretKey::from_seed(&[9; 32]);
        let clock: Arc<dyn Clock> = Arc::new(crate::clock::SystemClock);
        assert!(matches!(
            dir.create("a b", &key, clock.clone(), LedgerOptions::default()),
            Err(SetupError::BadOrigin { .. })
        ));
        assert!(!tmp.exists(), "nothing is written for a bad origin");
        let created = dir
            .create(
                "example.gov.cn/enforcement",
                &key,
                clock.clone(),
                LedgerOptions::default(),
            )
            .unwrap();
        assert_eq!(created.ledger.size(), 1);
        assert_eq!(created.seal_state.checkpoints(), 1);
        drop(created);
        assert_eq!(
            crate::keyfile::read_verifier_key(&dir.vkey_path())
                .unwrap()
                .key(),
            &key.public_key()
        );
        assert!(dir.media().unwrap().is_some());
        assert_eq!(dir.open_writer().unwrap().size(), 1);
        assert!(matches!(
            dir.create(
                "example.gov.cn/enforcement",
                &key,
                clock,
                LedgerOptions::default()
            ),
            Err(SetupError::NotEmpty { .. })
        ));
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
