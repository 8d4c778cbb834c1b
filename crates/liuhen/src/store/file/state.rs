//! The writer state file (`writer.state`): signed bytes the ledger saves at each seal and the
//! store keeps without interpreting them (docs/STORE.md, "Writer state"). Replaced atomically —
//! a temporary file written and synced, renamed over the old one, the directory synced — off
//! the commit path; never part of recovery or of the store's own checks.

use std::fs::{self, File};
use std::io::{self, Read as _};

use super::{io_error, sync_dir, write_synced, FileStore, FileStoreError};
use crate::ledger::MAX_WRITER_STATE_BYTES;

/// The writer state.
pub const WRITER_STATE_FILE: &str = "writer.state";

/// Where a new writer state is written before it is renamed into place.
pub(super) const WRITER_STATE_TEMP_FILE: &str = "writer.state.tmp";

impl FileStore {
    /// The stored writer state, `None` if there is none; one longer than
    /// [`MAX_WRITER_STATE_BYTES`] is an error, refused before it is read.
    pub(super) fn read_writer_state(&self) -> Result<Option<Vec<u8>>, FileStoreError> {
        let path = self.dir.join(WRITER_STATE_FILE);
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(&path, "opening")(e)),
        };
        let len = file
            .metadata()
            .map_err(io_error(&path, "reading the size of"))?
            .len();
        if len > MAX_WRITER_STATE_BYTES {
            return Err(io_error(&path, "reading")(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{len} bytes, more than the limit of {MAX_WRITER_STATE_BYTES}"),
            )));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        file.take(MAX_WRITER_STATE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io_error(&path, "reading"))?;
        Ok(Some(bytes))
    }

    /// Replaces the writer state with `bytes`, atomically and durably.
    pub(super) fn write_writer_state(&self, bytes: &[u8]) -> Result<(), FileStoreError> {
        self.writable()?;
        let path = self.dir.join(WRITER_STATE_FILE);
        let temp = self.dir.join(WRITER_STATE_TEMP_FILE);
        write_synced(&temp, bytes)?;
        fs::rename(&temp, &path).map_err(io_error(&path, "renaming the writer state to"))?;
        sync_dir(&self.dir)
    }
}
