//! Where a ledger directory keeps its parts, and opening them.
//!
//! One directory per ledger, as `liuhen init DIR` creates it:
//!
//! ```text
//! DIR/ledger/        the durable file store (docs/STORE.md)
//! DIR/media/         the content-addressed media store (media/ab/cdef…)
//! DIR/ledger.vkey    the ledger's C2SP verifier key, as `init` printed it
//! ```
//!
//! `ledger.vkey` is a convenience copy. An auditor passes the key they obtained independently
//! with `--vkey`; a key read from the directory under audit proves nothing about that directory.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use liuhen::media::MediaStore;
use liuhen::store::file::FileStore;
use liuhen::{Ledger, LedgerOptions, SystemClock};

/// Sub-directory holding the file store.
pub const STORE_DIR: &str = "ledger";
/// Sub-directory holding the media store.
pub const MEDIA_DIR: &str = "media";
/// The convenience copy of the ledger's verifier key.
pub const VKEY_FILE: &str = "ledger.vkey";

/// A ledger directory.
#[derive(Clone, Debug)]
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

    /// `DIR/ledger.vkey`.
    pub fn vkey_path(&self) -> PathBuf {
        self.root.join(VKEY_FILE)
    }

    /// Explains what is wrong when `DIR/ledger` is missing, which is the commonest mistake
    /// (pointing at the store itself, or at a typo).
    fn require_store(&self) -> Result<(), Box<dyn Error>> {
        let store = self.store_dir();
        if store.is_dir() {
            return Ok(());
        }
        if self.root.join("header").exists() || self.root.join("entries.log").exists() {
            return Err(format!(
                "{} is a store directory; pass the ledger directory that contains it ({})",
                self.root.display(),
                self.root.parent().unwrap_or(Path::new(".")).display()
            )
            .into());
        }
        Err(format!(
            "{} is not a liuhen ledger directory (no {}/ inside; create one with `liuhen init`)",
            self.root.display(),
            STORE_DIR
        )
        .into())
    }

    /// Opens the store read-only (verifier, log, proofs): never takes the writer lock, never
    /// repairs anything.
    pub fn open_read_only(&self) -> Result<FileStore, Box<dyn Error>> {
        self.require_store()?;
        Ok(FileStore::open_read_only(self.store_dir())?)
    }

    /// Opens the ledger for writing (append, authorize, seal): takes the writer lock and
    /// recovers a torn tail, as `FileStore::open` does.
    pub fn open_writer(&self) -> Result<Ledger<FileStore>, Box<dyn Error>> {
        self.require_store()?;
        let store = FileStore::open(self.store_dir())?;
        Ok(Ledger::open(
            store,
            Arc::new(SystemClock),
            LedgerOptions::default(),
        )?)
    }

    /// Opens the media store if the directory has one.
    pub fn media(&self) -> Result<Option<MediaStore>, Box<dyn Error>> {
        let dir = self.media_dir();
        if !dir.is_dir() {
            return Ok(None);
        }
        Ok(Some(MediaStore::open(dir)?))
    }
}
