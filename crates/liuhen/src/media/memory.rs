//! [`MemoryMediaBackend`]: media bytes in memory, for tests, demos and short-lived tools.
//!
//! It keeps the media contract ([`MediaBackend`]) except durability, which memory cannot give:
//! everything is gone with the process. Clones share the same blobs.

use std::collections::HashMap;
use std::fmt;
use std::io::{Cursor, Read};
use std::sync::{Arc, PoisonError, RwLock};

use crate::hash::Digest;
use crate::model::MediaRef;

use super::backend::{receive_checked, BlobStat, MediaBackend, PurgePermit};
use super::MediaError;

/// Media bytes in memory under their digests.
#[derive(Clone, Default)]
pub struct MemoryMediaBackend {
    blobs: Arc<RwLock<HashMap<Digest, Arc<[u8]>>>>,
}

impl MemoryMediaBackend {
    /// An empty backend.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many blobs it holds.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether it holds no blob.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    // A poisoned lock cannot leave a half-written blob behind: a blob is inserted whole, after
    // its digest was checked, so the map is consistent whatever panicked while holding it.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Digest, Arc<[u8]>>> {
        self.blobs.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<Digest, Arc<[u8]>>> {
        self.blobs.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for MemoryMediaBackend {
    // Never the bytes: media may be footage of people.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryMediaBackend")
            .field("blobs", &self.len())
            .finish()
    }
}

impl MediaBackend for MemoryMediaBackend {
    fn location(&self) -> String {
        "memory".into()
    }

    fn put(&self, claimed: &MediaRef, reader: &mut dyn Read) -> Result<(), MediaError> {
        if let Some(b) = self.read().get(&claimed.digest) {
            if b.len() as u64 == claimed.length {
                return Ok(());
            }
        }
        // The claimed length bounds what is kept (a longer stream is hashed to the end, to
        // report what it is, but not stored); memory for it is reserved as it arrives.
        let mut bytes = Vec::new();
        receive_checked(reader, claimed, |chunk| {
            if (bytes.len() as u64).saturating_add(chunk.len() as u64) <= claimed.length {
                bytes.extend_from_slice(chunk);
            }
            Ok(())
        })?;
        self.write().insert(claimed.digest, Arc::from(bytes));
        Ok(())
    }

    fn stat(&self, digest: &Digest) -> Result<BlobStat, MediaError> {
        Ok(match self.read().get(digest) {
            Some(b) => BlobStat::Present {
                length: b.len() as u64,
            },
            None => BlobStat::Absent,
        })
    }

    fn open_blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send + '_>, MediaError> {
        match self.read().get(digest) {
            Some(b) => Ok(Box::new(Cursor::new(Arc::clone(b)))),
            None => Err(MediaError::NotFound { digest: *digest }),
        }
    }

    fn remove(&self, permit: &PurgePermit) -> Result<(), MediaError> {
        self.write().remove(permit.digest());
        Ok(())
    }
}
