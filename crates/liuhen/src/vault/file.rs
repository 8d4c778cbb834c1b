//! [`FileVault`]: the vault as a directory beside the ledger (`DIR/vault`, mode 0700), one file
//! per record named by the commitment's hex (mode 0600) and one `<hex>.erased` tombstone per
//! erasure. One file per record keeps erasure honest: destroying a record overwrites that file's
//! bytes, syncs, unlinks it and syncs the directory, with no compaction of a shared file that
//! could leave old copies behind. What this can and cannot guarantee is in `docs/PRIVACY.md`.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): the personal-data vault (docs/PRIVACY.md).
#![allow(clippy::disallowed_methods)]

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::model::Sealed;

use super::backend::{ErasurePermit, VaultBackend};
use super::VaultError;

const TOMBSTONE_SUFFIX: &str = ".erased";
const TEMP_SUFFIX: &str = ".tmp";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> VaultError + '_ {
    move |source| VaultError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The vault directory.
#[derive(Clone, Debug)]
pub struct FileVault {
    root: PathBuf,
}

impl FileVault {
    /// Opens the existing vault directory `dir`. Never creates it: a reader given a mistyped
    /// path is told so, not shown an empty vault in which every opening is "missing".
    ///
    /// # Errors
    /// [`VaultError::Io`] if it does not exist or is not a directory,
    /// [`VaultError::NotRegular`] if it is a symbolic link, [`VaultError::Insecure`] if group or
    /// others may access it.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, VaultError> {
        Self::checked(dir.as_ref().to_path_buf())
    }

    /// Opens the vault directory `dir`, creating it (mode 0700, with its parents) if it does not
    /// exist: for the writer that deposits the first opening.
    ///
    /// # Errors
    /// As [`FileVault::open`], or [`VaultError::Io`] if it cannot be created.
    pub fn create(dir: impl AsRef<Path>) -> Result<Self, VaultError> {
        let root = dir.as_ref().to_path_buf();
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&root).map_err(io(&root))?;
        Self::checked(root)
    }

    fn checked(root: PathBuf) -> Result<Self, VaultError> {
        // The directory itself, not what a link planted in its place points to.
        let meta = fs::symlink_metadata(&root).map_err(io(&root))?;
        if meta.file_type().is_symlink() {
            return Err(VaultError::NotRegular {
                path: root,
                what: "a symbolic link (the vault directory must be a directory)".into(),
            });
        }
        if !meta.is_dir() {
            return Err(VaultError::Io {
                path: root,
                source: std::io::Error::new(ErrorKind::InvalidInput, "not a directory"),
            });
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(VaultError::Insecure { path: root, mode });
            }
        }
        Ok(FileVault { root })
    }

    /// The vault directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn write_atomically(&self, path: &Path, bytes: &[u8]) -> Result<(), VaultError> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(TEMP_SUFFIX);
        let tmp = PathBuf::from(tmp);
        // A temporary file left by a crash holds a record that was never acknowledged; it is
        // replaced, never read.
        let _ = fs::remove_file(&tmp);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp).map_err(io(&tmp))?;
        file.write_all(bytes).map_err(io(&tmp))?;
        file.sync_all().map_err(io(&tmp))?;
        drop(file);
        fs::rename(&tmp, path).map_err(io(path))?;
        self.sync_dir()
    }

    fn sync_dir(&self) -> Result<(), VaultError> {
        #[cfg(unix)]
        File::open(&self.root)
            .and_then(|d| d.sync_all())
            .map_err(io(&self.root))?;
        Ok(())
    }

    fn read_bounded(path: &Path, limit: usize) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError> {
        let Some(file) = open_own_file(path, false)? else {
            return Ok(None);
        };
        let mut bytes = Zeroizing::new(Vec::new());
        file.take(limit as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(io(path))?;
        Ok(Some(bytes))
    }
}

impl VaultBackend for FileVault {
    fn location(&self) -> String {
        self.root.display().to_string()
    }

    fn record_location(&self, commitment: &Sealed) -> PathBuf {
        self.root.join(commitment.0.to_hex())
    }

    fn tombstone_location(&self, commitment: &Sealed) -> PathBuf {
        self.root
            .join(format!("{}{TOMBSTONE_SUFFIX}", commitment.0.to_hex()))
    }

    fn has_record(&self, commitment: &Sealed) -> Result<bool, VaultError> {
        Ok(own_file_metadata(&self.record_location(commitment))?.is_some())
    }

    fn read_record(
        &self,
        commitment: &Sealed,
        limit: usize,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError> {
        Self::read_bounded(&self.record_location(commitment), limit)
    }

    fn write_record(&self, commitment: &Sealed, bytes: &[u8]) -> Result<(), VaultError> {
        self.write_atomically(&self.record_location(commitment), bytes)
    }

    fn read_tombstone(
        &self,
        commitment: &Sealed,
        limit: usize,
    ) -> Result<Option<Vec<u8>>, VaultError> {
        Ok(Self::read_bounded(&self.tombstone_location(commitment), limit)?.map(|b| b.to_vec()))
    }

    /// Overwrites the record with zeros, syncs, unlinks it, writes the tombstone and syncs the
    /// directory. Copies outside this file (backups, the file system's journal, flash remapping)
    /// are beyond it: see docs/PRIVACY.md.
    fn destroy(&self, permit: &ErasurePermit, tombstone: &[u8]) -> Result<(), VaultError> {
        let path = self.record_location(permit.commitment());
        // Only the vault's own record is overwritten: never what a link points to.
        if let Some(mut file) = open_own_file(&path, true)? {
            let len = file.metadata().map_err(io(&path))?.len();
            let zeros = [0u8; 4096];
            let mut left = len;
            while left > 0 {
                let n = usize::try_from(left)
                    .unwrap_or(zeros.len())
                    .min(zeros.len());
                file.write_all(zeros.get(..n).unwrap_or_default())
                    .map_err(io(&path))?;
                left -= n as u64;
            }
            file.sync_all().map_err(io(&path))?;
            drop(file);
            fs::remove_file(&path).map_err(io(&path))?;
        }
        self.write_atomically(&self.tombstone_location(permit.commitment()), tombstone)
    }
}

/// The metadata of `path` if it is a file the vault could have written: a regular file, not a
/// symbolic link (which is never followed), with one link (a hard link would make an overwrite
/// reach a file outside the vault). `None` if nothing is there.
fn own_file_metadata(path: &Path) -> Result<Option<fs::Metadata>, VaultError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path)(e)),
    };
    let kind = meta.file_type();
    let what = if kind.is_symlink() {
        Some("a symbolic link".to_string())
    } else if kind.is_dir() {
        Some("a directory".to_string())
    } else if !kind.is_file() {
        Some("not a regular file (a FIFO, socket or device)".to_string())
    } else {
        links(&meta)
            .filter(|n| *n > 1)
            .map(|n| format!("a file with {n} hard links (one may lie outside the vault)"))
    };
    match what {
        Some(what) => Err(VaultError::NotRegular {
            path: path.to_owned(),
            what,
        }),
        None => Ok(Some(meta)),
    }
}

#[cfg(unix)]
fn links(meta: &fs::Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(meta.nlink())
}

#[cfg(not(unix))]
fn links(_meta: &fs::Metadata) -> Option<u64> {
    None
}

/// Opens the vault's own file at `path` for reading (or writing), after
/// [`own_file_metadata`] accepted it, and checks that the file opened is the one inspected (not
/// swapped for a link in between). `None` if nothing is there.
fn open_own_file(path: &Path, write: bool) -> Result<Option<File>, VaultError> {
    let Some(before) = own_file_metadata(path)? else {
        return Ok(None);
    };
    let file = match OpenOptions::new().read(!write).write(write).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path)(e)),
    };
    let after = file.metadata().map_err(io(path))?;
    if !same_file(&before, &after) {
        return Err(VaultError::NotRegular {
            path: path.to_owned(),
            what: "a file replaced while it was being opened".into(),
        });
    }
    Ok(Some(file))
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino() && b.is_file()
}

#[cfg(not(unix))]
fn same_file(_a: &fs::Metadata, b: &fs::Metadata) -> bool {
    b.is_file()
}
