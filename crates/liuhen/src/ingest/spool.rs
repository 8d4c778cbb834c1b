//! The spool: the entries a first pass admitted, on disk, so that memory stays bounded whatever
//! the batch size. One record per entry: `u32 length (LE) || u64 line (LE) || u32 column (LE)
//! || the entry's canonical bytes`. The file is removed when the spool is dropped.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): the ingest spool file in the ledger directory.
#![allow(clippy::disallowed_methods)]

use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::encoding::MAX_ENTRY_BYTES;
use crate::hash::Digest;
use crate::store::{StoreError, StoreRead};

/// A spool file being written.
pub(super) struct Spool {
    path: PathBuf,
    writer: Option<BufWriter<File>>,
    count: u64,
    /// Record offsets, kept only for a dry run (8 bytes per entry), which reads entries back
    /// by number.
    offsets: Option<Vec<u64>>,
    written: u64,
}

/// One spooled entry read back.
pub(super) struct Record {
    pub line: usize,
    pub column: usize,
    pub bytes: Vec<u8>,
}

const HEADER: usize = 16;

fn io(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Removes the spool files a killed `append` left in `dir` (`.liuhen-ingest-*.spool`, regular
/// files only; links and anything else are left alone). Called by a writer, which holds the
/// store's lock, so no other append is spooling; a dry run that is (it takes no lock) keeps
/// reading its open file. Returns how many were removed.
pub(super) fn remove_stale(dir: &Path) -> usize {
    let Ok(items) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for item in items.flatten() {
        let name = item.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if !(name.starts_with(".liuhen-ingest-") && name.ends_with(".spool")) {
            continue;
        }
        let path = item.path();
        let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file());
        if regular && std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

impl Spool {
    /// A new spool file in `dir` (the ledger directory: the same file system as the store,
    /// never a memory-backed temporary directory).
    pub(super) fn create(dir: &Path, keep_offsets: bool) -> Result<Self, StoreError> {
        // Unique within the process; `create_new` refuses a leftover of another process that
        // had the same id, and the next number is tried.
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let mut tries = 0;
        let (path, file) = loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!(".liuhen-ingest-{}-{n}.spool", std::process::id()));
            match OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => break (path, file),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && tries < 100 => {
                    tries += 1;
                }
                Err(e) => return Err(io(&path, e)),
            }
        };
        Ok(Spool {
            path,
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            count: 0,
            offsets: keep_offsets.then(Vec::new),
            written: 0,
        })
    }

    /// Entries spooled.
    pub(super) fn len(&self) -> u64 {
        self.count
    }

    /// Appends one record.
    pub(super) fn push(
        &mut self,
        line: usize,
        column: usize,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        let Some(w) = self.writer.as_mut() else {
            return Err(io(&self.path, std::io::ErrorKind::BrokenPipe.into()));
        };
        let mut header = [0u8; HEADER];
        header[..4].copy_from_slice(&(bytes.len() as u32).to_le_bytes());
        header[4..12].copy_from_slice(&(line as u64).to_le_bytes());
        header[12..].copy_from_slice(&(column as u32).to_le_bytes());
        w.write_all(&header)
            .and_then(|()| w.write_all(bytes))
            .map_err(|e| io(&self.path, e))?;
        if let Some(o) = self.offsets.as_mut() {
            o.push(self.written);
        }
        self.written += (HEADER + bytes.len()) as u64;
        self.count += 1;
        Ok(())
    }

    /// Ends writing; returns the file, positioned at its start.
    fn finish(&mut self) -> Result<File, StoreError> {
        let w = self
            .writer
            .take()
            .ok_or_else(|| io(&self.path, std::io::ErrorKind::BrokenPipe.into()))?;
        let mut file = w.into_inner().map_err(|e| io(&self.path, e.into_error()))?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| io(&self.path, e))?;
        Ok(file)
    }

    /// Reads the records back in order.
    pub(super) fn records(&mut self) -> Result<Records, StoreError> {
        let file = self.finish()?;
        Ok(Records {
            path: self.path.clone(),
            reader: BufReader::with_capacity(1 << 16, file),
            left: self.count,
        })
    }

    /// The ledger in `base` with the spooled entries after it, as a read-only store (for the
    /// dry run's audit).
    pub(super) fn overlay<'a, S: StoreRead + ?Sized>(
        &'a mut self,
        base: &'a S,
    ) -> Result<Overlay<'a, S>, StoreError> {
        let file = self.finish()?;
        Ok(Overlay {
            base,
            path: &self.path,
            file: Mutex::new(file),
            offsets: self.offsets.as_deref().unwrap_or_default(),
        })
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        self.writer = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Reads one record from `r`.
fn read_record(path: &Path, r: &mut impl Read) -> Result<Record, StoreError> {
    let mut header = [0u8; HEADER];
    r.read_exact(&mut header).map_err(|e| io(path, e))?;
    let field = |range: std::ops::Range<usize>| {
        let mut b = [0u8; 8];
        b[..range.len()].copy_from_slice(&header[range]);
        u64::from_le_bytes(b)
    };
    let len = field(0..4) as usize;
    if len > MAX_ENTRY_BYTES {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            record: 0,
            offset: 0,
            reason: format!("a spooled entry claims {len} bytes"),
        });
    }
    let mut bytes = vec![0u8; len];
    r.read_exact(&mut bytes).map_err(|e| io(path, e))?;
    Ok(Record {
        line: field(4..12) as usize,
        column: field(12..16) as usize,
        bytes,
    })
}

/// The records of a spool, in order.
pub(super) struct Records {
    path: PathBuf,
    reader: BufReader<File>,
    left: u64,
}

impl Iterator for Records {
    type Item = Result<Record, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        Some(read_record(&self.path, &mut self.reader))
    }
}

/// A ledger's store followed by spooled entries, read-only.
pub(super) struct Overlay<'a, S: ?Sized> {
    base: &'a S,
    path: &'a Path,
    file: Mutex<File>,
    offsets: &'a [u64],
}

impl<S: StoreRead + ?Sized> Overlay<'_, S> {
    fn spooled(&self, seq: u64, base: u64) -> Result<Vec<u8>, StoreError> {
        let offset = usize::try_from(seq - base)
            .ok()
            .and_then(|i| self.offsets.get(i))
            .ok_or(StoreError::OutOfRange {
                seq,
                size: base + self.offsets.len() as u64,
            })?;
        let mut file = self.file.lock().map_err(|_| StoreError::ReadOnly {
            reason: "the spool lock was poisoned".into(),
        })?;
        file.seek(SeekFrom::Start(*offset))
            .map_err(|e| io(self.path, e))?;
        Ok(read_record(self.path, &mut *file)?.bytes)
    }
}

impl<S: StoreRead + ?Sized> StoreRead for Overlay<'_, S> {
    fn size(&self) -> Result<u64, StoreError> {
        Ok(self.base.size()? + self.offsets.len() as u64)
    }

    fn origin(&self) -> Option<&str> {
        self.base.origin()
    }

    fn entries(&self, range: std::ops::Range<u64>) -> Result<Vec<Vec<u8>>, StoreError> {
        let base = self.base.size()?;
        crate::store::check_entry_range(&range, base + self.offsets.len() as u64)?;
        let mut out = self
            .base
            .entries(range.start.min(base)..range.end.min(base))?;
        for seq in range.start.max(base)..range.end {
            out.push(self.spooled(seq, base)?);
        }
        Ok(out)
    }

    fn node_hashes(
        &self,
        level: u8,
        range: std::ops::Range<u64>,
    ) -> Result<Vec<Digest>, StoreError> {
        Err(StoreError::NoSuchNode {
            level,
            index: range.start,
        })
    }

    fn checkpoint_count(&self) -> Result<u64, StoreError> {
        self.base.checkpoint_count()
    }

    fn checkpoints(&self, range: std::ops::Range<u64>) -> Result<Vec<String>, StoreError> {
        self.base.checkpoints(range)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_killed_appends_spool_is_removed_and_nothing_else() {
        let dir = std::env::temp_dir().join(format!("liuhen-spool-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(".liuhen-ingest-4242-0.spool"),
            b"left by a killed append",
        )
        .unwrap();
        std::fs::write(dir.join("ledger.vkey"), b"kept").unwrap();
        std::fs::write(dir.join(".liuhen-ingest-notes.txt"), b"kept").unwrap();
        std::fs::create_dir_all(dir.join(".liuhen-ingest-dir.spool")).unwrap();
        assert_eq!(remove_stale(&dir), 1);
        assert!(!dir.join(".liuhen-ingest-4242-0.spool").exists());
        assert!(dir.join("ledger.vkey").exists());
        assert!(dir.join(".liuhen-ingest-notes.txt").exists());
        assert!(dir.join(".liuhen-ingest-dir.spool").is_dir());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
