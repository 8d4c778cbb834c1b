//! The file media backend: a content-addressed media directory beside the ledger: `media/ab/cdef…`, the file named by
//! the lower-case hex BLAKE3 digest of its bytes, split after two digits so that no directory
//! grows beyond a few thousand entries.
//!
//! What goes in is checked (bytes that do not match the digest the ledger names are refused);
//! what comes out is checked by [`verify_media`](super::verify_media), not here, because a
//! file can be changed after it was stored and only a full re-hash proves it was not.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): the media store: content-addressed media files.
#![allow(clippy::disallowed_methods)]

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::hash::Digest;
use crate::model::{DerivativeKind, Event, MediaRef, Timestamp};
use crate::store::Store;

use super::backend::{receive_checked, BlobStat, MediaBackend, PurgePermit};
use super::MediaError;

/// Prefix of temporary files; never a valid shard or digest name, so a crash leaves nothing
/// that could be mistaken for media.
const TEMP_PREFIX: &str = ".incoming-";

/// Distinguishes concurrent uploads within one process (the process id distinguishes
/// processes).
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A content-addressed media directory: the file [`MediaBackend`], and the media store a
/// ledger directory keeps in `DIR/media`.
#[derive(Clone, Debug)]
pub struct MediaStore {
    root: PathBuf,
}

impl MediaStore {
    /// Opens the existing media directory `dir`. Never creates it: a reader given a mistyped
    /// path must be told so, not shown an empty store in which every file is "missing". The
    /// writer that sets a store up uses [`MediaStore::create`].
    ///
    /// # Errors
    /// [`MediaError::Io`] if it does not exist, cannot be read or is not a directory.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, MediaError> {
        Self::checked(dir.as_ref().to_path_buf())
    }

    /// Opens the media directory `dir`, creating it (and its parents) if it does not exist:
    /// for the writer that sets up a ledger directory or stores the first media.
    ///
    /// # Errors
    /// [`MediaError::Io`] if it cannot be created or is not a directory.
    pub fn create(dir: impl AsRef<Path>) -> Result<Self, MediaError> {
        let root = dir.as_ref().to_path_buf();
        fs::create_dir_all(&root).map_err(|e| MediaError::io(&root, e))?;
        Self::checked(root)
    }

    fn checked(root: PathBuf) -> Result<Self, MediaError> {
        let meta = fs::metadata(&root).map_err(|e| MediaError::io(&root, e))?;
        if !meta.is_dir() {
            return Err(MediaError::io(
                &root,
                std::io::Error::new(ErrorKind::InvalidInput, "not a directory"),
            ));
        }
        Ok(MediaStore { root })
    }

    /// The media directory `dir` as it is, without creating it: for a verifier, to which a
    /// deleted directory is every media file missing.
    pub fn at(dir: impl AsRef<Path>) -> Self {
        MediaStore {
            root: dir.as_ref().to_path_buf(),
        }
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the media with `digest` lives (whether or not it is there).
    pub fn path_of(&self, digest: &Digest) -> PathBuf {
        let hex = digest.to_hex();
        let (shard, rest) = hex.split_at(2);
        self.root.join(shard).join(rest)
    }

    /// Whether the store holds a file for `digest` (its bytes are not checked).
    pub fn contains(&self, digest: &Digest) -> bool {
        self.path_of(digest).is_file()
    }

    /// The path of the media with `digest`.
    ///
    /// # Errors
    /// [`MediaError::NotFound`] if the store does not hold it.
    pub fn get(&self, digest: &Digest) -> Result<PathBuf, MediaError> {
        let path = self.path_of(digest);
        if path.is_file() {
            Ok(path)
        } else {
            Err(MediaError::NotFound { digest: *digest })
        }
    }

    /// Stores the file at `source` as the media `claimed` (normally the `MediaRef` of the
    /// ledger statement that names it): [`put_file`](super::put_file) on this directory.
    ///
    /// # Errors
    /// As [`MediaStore::put_reader`], and [`MediaError::Io`] if `source` cannot be opened.
    pub fn put_file(&self, source: &Path, claimed: &MediaRef) -> Result<PathBuf, MediaError> {
        super::put_file(self, source, claimed)?;
        Ok(self.path_of(&claimed.digest))
    }

    /// Stores the bytes of `reader` as the media `claimed`.
    ///
    /// The bytes are hashed while they are copied into a temporary file in the target's own
    /// directory; if their digest or length differ from the claim, the copy is deleted and the
    /// put refused. Otherwise the file is synced, made read-only, renamed into place and the
    /// directory synced, so after `Ok` the media survives a crash. If the store already holds
    /// a file of the claimed length under that digest, nothing is read and its path is
    /// returned (idempotent; whether the stored bytes are intact is [`verify_media`]'s job).
    ///
    /// [`verify_media`]: super::verify_media
    ///
    /// # Errors
    /// [`MediaError::Mismatch`] if the bytes are not the claimed media, [`MediaError::Read`] if
    /// the reader fails, [`MediaError::Io`] for file-system failures.
    pub fn put_reader<R: Read>(
        &self,
        mut reader: R,
        claimed: &MediaRef,
    ) -> Result<PathBuf, MediaError> {
        if let Some(path) = self.already_present(claimed) {
            return Ok(path);
        }
        let target = self.path_of(&claimed.digest);
        let dir = target.parent().unwrap_or(&self.root).to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| MediaError::io(&dir, e))?;
        let (temp_path, mut temp) = create_temp(&dir)?;
        let result = (|| {
            receive_checked(&mut reader, claimed, |chunk| {
                temp.write_all(chunk)
                    .map_err(|e| MediaError::io(&temp_path, e))
            })?;
            temp.sync_all().map_err(|e| MediaError::io(&temp_path, e))?;
            // Read-only as a reminder that originals are never changed (Art. 21(2)); it is not
            // a security boundary, the digest is.
            let mut perms = temp
                .metadata()
                .map_err(|e| MediaError::io(&temp_path, e))?
                .permissions();
            perms.set_readonly(true);
            fs::set_permissions(&temp_path, perms).map_err(|e| MediaError::io(&temp_path, e))?;
            fs::rename(&temp_path, &target).map_err(|e| MediaError::io(&target, e))?;
            sync_dir(&dir)
        })();
        if result.is_err() {
            // Best effort: the temporary file is garbage either way, and the original error is
            // the one worth reporting.
            let _ = fs::remove_file(&temp_path);
        }
        result.map(|()| target)
    }

    /// [`make_derivative`](super::make_derivative) in this directory.
    ///
    /// # Errors
    /// As [`make_derivative`](super::make_derivative).
    pub fn derive(
        &self,
        original: &MediaRef,
        source: &Path,
        derivative: &MediaRef,
        kind: DerivativeKind,
        reason: &str,
        threads: usize,
    ) -> Result<Event, MediaError> {
        super::make_derivative(self, original, source, derivative, kind, reason, threads)
    }

    fn already_present(&self, claimed: &MediaRef) -> Option<PathBuf> {
        let path = self.path_of(&claimed.digest);
        match fs::metadata(&path) {
            Ok(m) if m.is_file() && m.len() == claimed.length => Some(path),
            _ => None,
        }
    }

    /// [`purge`](super::purge) in this directory: destroys the media with `digest` if and only
    /// if the ledger in `ledger` allows it at time `now`.
    ///
    /// # Errors
    /// As [`purge`](super::purge).
    pub fn purge<S: Store + ?Sized>(
        &self,
        digest: &Digest,
        ledger: &S,
        now: Timestamp,
    ) -> Result<(), MediaError> {
        super::purge(self, digest, ledger, now)
    }
}

impl MediaBackend for MediaStore {
    fn location(&self) -> String {
        self.root.display().to_string()
    }

    fn put(&self, claimed: &MediaRef, reader: &mut dyn Read) -> Result<(), MediaError> {
        self.put_reader(reader, claimed).map(|_| ())
    }

    fn stat(&self, digest: &Digest) -> Result<BlobStat, MediaError> {
        let path = self.path_of(digest);
        // Never followed: a link may point anywhere (or nowhere), and opening a FIFO would
        // block the reader.
        match fs::symlink_metadata(&path) {
            // A shard directory replaced by a file, or the whole directory deleted: the media
            // file is gone all the same.
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                Ok(BlobStat::Absent)
            }
            Err(e) => Err(MediaError::io(&path, e)),
            Ok(m) => {
                let kind = m.file_type();
                let foreign = |what: &str| {
                    Ok(BlobStat::Foreign {
                        what: what.to_owned(),
                    })
                };
                if kind.is_symlink() {
                    foreign("a symbolic link")
                } else if kind.is_dir() {
                    foreign("a directory")
                } else if !kind.is_file() {
                    foreign("a FIFO, socket or device")
                } else {
                    Ok(BlobStat::Present { length: m.len() })
                }
            }
        }
    }

    fn open_blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send + '_>, MediaError> {
        match self.stat(digest)? {
            BlobStat::Present { .. } => {}
            BlobStat::Absent => return Err(MediaError::NotFound { digest: *digest }),
            BlobStat::Foreign { what } => {
                return Err(MediaError::Foreign {
                    digest: *digest,
                    location: self.location(),
                    what,
                })
            }
        }
        let path = self.path_of(digest);
        match File::open(&path) {
            Ok(f) => Ok(Box::new(f)),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                Err(MediaError::NotFound { digest: *digest })
            }
            Err(e) => Err(MediaError::io(&path, e)),
        }
    }

    fn remove(&self, permit: &PurgePermit) -> Result<(), MediaError> {
        let path = self.path_of(permit.digest());
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(MediaError::io(&path, e)),
        }
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        sync_dir(&dir)
    }

    fn local_path(&self, digest: &Digest) -> Option<PathBuf> {
        Some(self.path_of(digest))
    }
}

/// Creates a fresh temporary file in `dir` (never overwriting one).
fn create_temp(dir: &Path) -> Result<(PathBuf, File), MediaError> {
    let pid = std::process::id();
    loop {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("{TEMP_PREFIX}{pid}-{n}"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((path, f)),
            // Left over from a crashed process with the same pid: take the next number.
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(MediaError::io(&path, e)),
        }
    }
}

/// Syncs a directory so that a rename or removal in it is durable.
fn sync_dir(dir: &Path) -> Result<(), MediaError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| MediaError::io(dir, e))
    }
    #[cfg(not(unix))]
    {
        // Directories cannot be opened for syncing on this platform; the rename is as durable
        // as the file system makes it.
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A reader given a mistyped path is told so; it is not handed a fresh empty store in
    /// which every referenced file would silently be "missing".
    #[test]
    fn opening_a_media_store_never_creates_a_missing_directory() {
        let base = std::env::temp_dir().join(format!("liuhen-media-open-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        let typo = base.join("meida");
        assert!(matches!(
            MediaStore::open(&typo),
            Err(MediaError::Io { .. })
        ));
        assert!(!typo.exists() && !base.exists());
        // The writer's path creates it; then opening works.
        MediaStore::create(&typo).unwrap();
        assert!(typo.is_dir());
        MediaStore::open(&typo).unwrap();
        fs::remove_dir_all(&base).unwrap();
    }
}
