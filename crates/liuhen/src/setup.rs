//! Creating a ledger directory: what `liuhen init` does, for an application that embeds the
//! library ([`LedgerDir::create`]).
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
use crate::keys::Signer;
use crate::ledger::{Ledger, LedgerError, LedgerOptions, SealState};
use crate::media::{MediaError, MediaStore};
use crate::store::file::{FileStore, FileStoreError};

/// Errors of creating a ledger directory. Except for the first three, the directory is left
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
    /// The origin cannot name the ledger's verifier key; nothing was written.
    #[error("invalid origin {origin:?} (a name like example.gov.cn/enforcement, without spaces or '+'): {source}")]
    BadOrigin {
        /// The origin.
        origin: String,
        /// Why.
        #[source]
        source: NoteError,
    },
    /// The directory could not be created or read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
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
    /// the file store with the genesis entry signed by `ledger_key` under `origin` and a first
    /// checkpoint, the media store, and `ledger.vkey`. The origin is checked before anything is
    /// written.
    ///
    /// # Errors
    /// [`SetupError::NotEmpty`], [`SetupError::BadOrigin`], or the error of the step that
    /// failed (the directory is then incomplete).
    pub fn create(
        &self,
        origin: &str,
        ledger_key: &dyn Signer,
        clock: Arc<dyn Clock>,
        options: LedgerOptions,
    ) -> Result<Created, SetupError> {
        let root = self.root();
        let io = |source| SetupError::Io {
            path: root.to_path_buf(),
            source,
        };
        match std::fs::read_dir(root) {
            Ok(mut listing) => {
                if listing.next().is_some() {
                    return Err(SetupError::NotEmpty {
                        path: root.to_path_buf(),
                    });
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
        let vkey = NoteVerifier::for_key(origin, ledger_key.public_key()).map_err(|source| {
            SetupError::BadOrigin {
                origin: origin.to_owned(),
                source,
            }
        })?;
        std::fs::create_dir_all(root).map_err(io)?;
        let store = FileStore::create(self.store_dir(), origin)?;
        let ledger = Ledger::create(store, origin, ledger_key, clock, options)?;
        let seal_state = ledger.seal_state()?;
        MediaStore::create(self.media_dir())?;
        crate::keyfile::write_verifier_key(&self.vkey_path(), &vkey)?;
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
