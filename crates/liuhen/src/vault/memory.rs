//! [`MemoryVault`]: the vault's records in memory, for tests and short-lived tools.
//!
//! It keeps the vault contract ([`VaultBackend`]) except durability, which memory cannot give.
//! Records are zeroized when destroyed or dropped. Clones share the same records.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use zeroize::Zeroizing;

use crate::model::Sealed;

use super::backend::{ErasurePermit, VaultBackend};
use super::VaultError;

#[derive(Default)]
struct Held {
    records: HashMap<Sealed, Zeroizing<Vec<u8>>>,
    tombstones: HashMap<Sealed, Vec<u8>>,
}

/// The vault's records and tombstones in memory.
#[derive(Clone, Default)]
pub struct MemoryVault {
    held: Arc<Mutex<Held>>,
}

impl MemoryVault {
    /// An empty vault.
    pub fn new() -> Self {
        Self::default()
    }

    // Every change is one insert or one remove, so the maps are consistent whatever panicked
    // while holding the lock.
    fn held(&self) -> MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for MemoryVault {
    // Never the records: they are personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let held = self.held();
        f.debug_struct("MemoryVault")
            .field("records", &held.records.len())
            .field("tombstones", &held.tombstones.len())
            .finish()
    }
}

fn bounded(bytes: &[u8], limit: usize) -> &[u8] {
    bytes.get(..limit.saturating_add(1)).unwrap_or(bytes)
}

impl VaultBackend for MemoryVault {
    fn location(&self) -> String {
        "memory".into()
    }

    fn record_location(&self, commitment: &Sealed) -> PathBuf {
        PathBuf::from(format!("memory/{}", commitment.0.to_hex()))
    }

    fn tombstone_location(&self, commitment: &Sealed) -> PathBuf {
        PathBuf::from(format!("memory/{}.erased", commitment.0.to_hex()))
    }

    fn has_record(&self, commitment: &Sealed) -> Result<bool, VaultError> {
        Ok(self.held().records.contains_key(commitment))
    }

    fn read_record(
        &self,
        commitment: &Sealed,
        limit: usize,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError> {
        Ok(self
            .held()
            .records
            .get(commitment)
            .map(|b| Zeroizing::new(bounded(b, limit).to_vec())))
    }

    fn write_record(&self, commitment: &Sealed, bytes: &[u8]) -> Result<(), VaultError> {
        self.held()
            .records
            .insert(*commitment, Zeroizing::new(bytes.to_vec()));
        Ok(())
    }

    fn read_tombstone(
        &self,
        commitment: &Sealed,
        limit: usize,
    ) -> Result<Option<Vec<u8>>, VaultError> {
        Ok(self
            .held()
            .tombstones
            .get(commitment)
            .map(|b| bounded(b, limit).to_vec()))
    }

    fn destroy(&self, permit: &ErasurePermit, tombstone: &[u8]) -> Result<(), VaultError> {
        let mut held = self.held();
        // Dropping the Zeroizing buffer overwrites the bytes.
        held.records.remove(permit.commitment());
        held.tombstones
            .insert(*permit.commitment(), tombstone.to_vec());
        Ok(())
    }
}
