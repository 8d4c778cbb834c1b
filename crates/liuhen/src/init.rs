//! Initialising a ledger with its ledger key, as `liuhen init` does: the key policy around
//! creating a ledger directory.
//!
//! The ledger key signs the genesis entry and every checkpoint; whoever holds it can seal. It
//! is either an existing key file, which must be named after the ledger's origin, or generated
//! into `DIR/keys/ledger.key` (mode 0600, in a directory only its owner may enter). Either way:
//!
//! * a key that has already sealed a ledger (its seal state exists beside it) never starts a
//!   second one: two ledgers signed by one key under one name are a fork;
//! * the origin is checked before anything is written (it is the verifier key's name);
//! * a generated key file is written before anything is signed with it, so that no ledger
//!   exists whose key was lost to a failed write;
//! * the first checkpoint's seal state is written beside the key (what the next seal checks).
//!
//! The directory itself is made by [`crate::setup`]'s steps, the same ones
//! [`LedgerDir::create`] runs (the layout is [`crate::dir`]'s): an application whose key lives
//! in a hardware module and which keeps the seal state itself calls that instead.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): creates a ledger directory and its key files.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::checkpoint::NoteVerifier;
use crate::clock::Clock;
use crate::dir::LedgerDir;
use crate::keyfile::{self, KeyFileError};
use crate::keys::{KeyError, SecretKey, Signer};
use crate::ledger::{Ledger, LedgerError, LedgerOptions};
use crate::setup::SetupError;
use crate::store::file::FileStore;

/// Where a generated ledger key goes, inside the ledger directory.
pub const GENERATED_KEY: &str = "keys/ledger.key";

/// What to initialise.
pub struct InitRequest<'a> {
    /// The ledger directory to create (must not exist, or be empty).
    pub dir: &'a LedgerDir,
    /// The ledger's origin: checkpoint origin and verifier-key name.
    pub origin: &'a str,
    /// An existing ledger key file named after the origin; `None` generates one into
    /// [`GENERATED_KEY`].
    pub key_file: Option<&'a Path>,
    /// The clock that dates the genesis entry.
    pub clock: Arc<dyn Clock>,
    /// Ledger options.
    pub options: LedgerOptions,
}

/// A ledger just initialised.
#[derive(Debug)]
pub struct Initialized {
    /// The ledger, open for writing.
    pub ledger: Ledger<FileStore>,
    /// Its verifier key (also in `DIR/ledger.vkey`).
    pub vkey: NoteVerifier,
    /// The first checkpoint (signed note text).
    pub checkpoint: String,
    /// The ledger key file.
    pub key_file: PathBuf,
    /// Whether the key was generated (it must then be moved to safe storage).
    pub key_generated: bool,
    /// The seal state written beside the key.
    pub state_path: PathBuf,
}

impl Initialized {
    /// The result as JSON (`liuhen init --json`, docs/CLI.md): `{origin, vkey, size, root,
    /// checkpoint, key_file, key_generated}`.
    pub fn to_json(&self, origin: &str) -> Value {
        json!({
            "origin": origin,
            "vkey": self.vkey.to_string(),
            "size": self.ledger.size(),
            "root": self.ledger.root().to_hex(),
            "checkpoint": self.checkpoint,
            "key_file": self.key_file.display().to_string(),
            "key_generated": self.key_generated,
        })
    }
}

/// Why a ledger was not initialised. Every variant but [`InitError::Incomplete`] means nothing
/// was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// The directory cannot take a new ledger (not empty, not a directory, unreadable), or the
    /// origin cannot name its verifier key: a refusal of [`crate::setup`] before writing.
    #[error(transparent)]
    Setup(SetupError),
    /// The given key file could not be read.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// A key could not be generated.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The given key is named otherwise than the origin.
    #[error("{path} is the key named {name:?}, but a ledger key must be named after the ledger's origin {origin:?}")]
    WrongKeyName {
        /// The key file.
        path: PathBuf,
        /// Its name.
        name: String,
        /// The origin.
        origin: String,
    },
    /// The key has sealed a ledger already (its seal state exists).
    #[error("{state_path} exists: this key has already sealed a ledger named {origin:?}; a second ledger under the same key and name would be a fork")]
    AlreadySealed {
        /// The seal state beside the key.
        state_path: PathBuf,
        /// The origin.
        origin: String,
    },
    /// A step failed after writing began: the directory is incomplete and must be removed
    /// before trying again.
    #[error("{step}; {dir} is left incomplete")]
    Incomplete {
        /// The directory.
        dir: PathBuf,
        /// The failed step.
        #[source]
        step: Box<StepError>,
    },
}

impl From<SetupError> for InitError {
    fn from(e: SetupError) -> Self {
        InitError::Setup(e)
    }
}

/// A step of writing a new ledger directory that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StepError {
    /// A step of [`crate::setup`]: the media store, the verifier key, the file store, the
    /// ledger (genesis, first checkpoint).
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// Reading back the first checkpoint.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The generated key file or the seal state.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// The directory of the generated key.
    #[error("cannot create {path}: {source}")]
    KeyDir {
        /// The directory.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
}

/// Creates a ledger directory with its ledger key: see the module documentation.
///
/// # Errors
/// [`InitError`]; only [`InitError::Incomplete`] leaves anything on disk.
pub fn init(request: InitRequest<'_>) -> Result<Initialized, InitError> {
    let dir = request.dir;
    let origin = request.origin;
    dir.require_new()?;
    let (key, key_file, generated) = match request.key_file {
        Some(path) => {
            let (name, key) = keyfile::read_secret_key(path)?;
            if name != origin {
                return Err(InitError::WrongKeyName {
                    path: path.to_path_buf(),
                    name,
                    origin: origin.to_owned(),
                });
            }
            (key, path.to_path_buf(), false)
        }
        None => (SecretKey::generate()?, dir.root().join(GENERATED_KEY), true),
    };
    let state_path = keyfile::seal_state_path(&key_file);
    if state_path.exists() {
        return Err(InitError::AlreadySealed {
            state_path,
            origin: origin.to_owned(),
        });
    }
    let vkey = dir.begin_create(origin, key.public_key())?;
    let write = || -> Result<Initialized, StepError> {
        // Written before anything is signed with it: no ledger exists whose key was lost.
        if generated {
            write_generated_key(&key_file, origin, &key)?;
        }
        let created = dir.write_new(origin, &key, vkey, request.clock, request.options)?;
        // Right after the first checkpoint is signed: this key has sealed a ledger.
        keyfile::write_seal_state(&state_path, &created.seal_state)?;
        let checkpoint = created.ledger.latest_checkpoint()?.unwrap_or_default();
        Ok(Initialized {
            ledger: created.ledger,
            vkey: created.vkey,
            checkpoint,
            key_file: key_file.clone(),
            key_generated: generated,
            state_path: state_path.clone(),
        })
    };
    write().map_err(|step| InitError::Incomplete {
        dir: dir.root().to_path_buf(),
        step: Box::new(step),
    })
}

/// Writes a generated ledger key into a directory only its owner may enter.
fn write_generated_key(path: &Path, origin: &str, key: &SecretKey) -> Result<(), StepError> {
    if let Some(parent) = path.parent() {
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(parent).map_err(|source| StepError::KeyDir {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    keyfile::write_secret_key(path, origin, key)?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::model::Timestamp;

    fn tempdir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("liuhen-init-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn request<'a>(dir: &'a LedgerDir, origin: &'a str, key: Option<&'a Path>) -> InitRequest<'a> {
        InitRequest {
            dir,
            origin,
            key_file: key,
            clock: Arc::new(ManualClock::new(Timestamp(1_767_225_600_000))),
            options: LedgerOptions::default(),
        }
    }

    #[test]
    fn a_generated_key_lands_in_the_directory_and_cannot_start_a_second_ledger() {
        let base = tempdir("generated");
        let dir = LedgerDir::new(base.join("a"));
        let made = init(request(&dir, "example.gov.cn/ledger", None)).unwrap();
        assert!(made.key_generated);
        assert_eq!(made.key_file, base.join("a").join(GENERATED_KEY));
        assert_eq!(made.ledger.size(), 1);
        assert!(!made.checkpoint.is_empty());
        assert!(made.state_path.exists() && dir.vkey_path().exists() && dir.media_dir().is_dir());
        let json = made.to_json("example.gov.cn/ledger");
        assert_eq!(json["key_generated"], true);
        assert_eq!(json["size"], 1);
        let key_file = made.key_file.clone();
        drop(made);

        // The same key, which has sealed ledger a, cannot start ledger b under the same name.
        let second = LedgerDir::new(base.join("b"));
        let refused = init(request(&second, "example.gov.cn/ledger", Some(&key_file)));
        assert!(
            matches!(refused, Err(InitError::AlreadySealed { .. })),
            "{refused:?}"
        );
        assert!(
            !second.root().exists(),
            "nothing written for a refused init"
        );
        // Nor can anything be created where a ledger is.
        let again = init(request(&dir, "example.gov.cn/ledger", None));
        assert!(
            matches!(again, Err(InitError::Setup(SetupError::NotEmpty { .. }))),
            "{again:?}"
        );
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn refusals_before_writing_leave_nothing_behind() {
        let base = tempdir("refused");
        fs::create_dir_all(&base).unwrap();
        let key_path = base.join("officer.key");
        keyfile::write_secret_key(&key_path, "officer-1", &SecretKey::from_seed(&[3; 32])).unwrap();
        let dir = LedgerDir::new(base.join("ledger"));
        let named_otherwise = init(request(&dir, "example.gov.cn/ledger", Some(&key_path)));
        assert!(
            matches!(named_otherwise, Err(InitError::WrongKeyName { .. })),
            "{named_otherwise:?}"
        );
        let bad_origin = init(request(&dir, "has space", None));
        assert!(
            matches!(
                bad_origin,
                Err(InitError::Setup(SetupError::BadOrigin { .. }))
            ),
            "{bad_origin:?}"
        );
        assert!(!dir.root().exists());
        let not_a_dir = init(request(
            &LedgerDir::new(&key_path),
            "example.gov.cn/ledger",
            None,
        ));
        assert!(
            matches!(
                not_a_dir,
                Err(InitError::Setup(SetupError::NotADirectory { .. }))
            ),
            "{not_a_dir:?}"
        );
        fs::remove_dir_all(&base).unwrap();
    }
}
