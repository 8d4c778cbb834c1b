//! Where entries and checkpoints live: the [`Store`] trait and the in-memory [`MemoryStore`].
//!
//! A store is deliberately dumb: it keeps canonical entry bytes, the Merkle node hashes the
//! ledger hands it, and signed checkpoint texts, in append order. It checks nothing
//! cryptographic; the [`Ledger`](crate::ledger::Ledger) decides what goes in and the
//! [`verifier`](crate::verify) decides, from the bytes alone, whether what came out is intact.
//!
//! # Contract
//!
//! * `append` MUST NOT return `Ok` before every entry of the batch is durable (for a persistent
//!   store: written and synced), and MUST be all-or-nothing: after an error, `size()` is what it
//!   was before the call, and nothing already acknowledged is lost.
//! * Entries are only ever appended; a store never rewrites or deletes one.
//! * `perfect_subtree` returns the node hashes derived from the leaf hashes given to `append`;
//!   stores may persist them (O(log n) proofs) or recompute them.
//! * Checkpoints are kept in the order they were appended.

pub mod file;

use crate::entry::EncodedEntry;
use crate::hash::{Digest, TreeHasher};
use crate::merkle::MemoryTree;

/// Errors of a store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A sequence number beyond the end of the store was asked for.
    #[error("entry {seq} does not exist: the store holds {size} entries")]
    OutOfRange {
        /// What was asked for.
        seq: u64,
        /// How many entries there are.
        size: u64,
    },
    /// A Merkle node that the stored leaves do not determine was asked for.
    #[error("Merkle node at level {level}, index {index} does not exist")]
    NoSuchNode {
        /// Level (0 = leaves).
        level: u8,
        /// Index within the level.
        index: u64,
    },
    /// A checkpoint index beyond the end was asked for.
    #[error("checkpoint {index} does not exist: the store holds {count}")]
    NoSuchCheckpoint {
        /// What was asked for.
        index: u64,
        /// How many there are.
        count: u64,
    },
    /// An appended batch does not continue the store.
    #[error("append of entry {got} does not continue the store, which expects entry {expected}")]
    NotContiguous {
        /// The next sequence number the store expects.
        expected: u64,
        /// What was offered.
        got: u64,
    },
    /// The store refuses writes (opened read-only, or latched after a failed write).
    #[error("the store is read-only: {reason}")]
    ReadOnly {
        /// Why.
        reason: String,
    },
    /// Stored bytes fail their checksum or disagree with the index: evidence of tampering or
    /// media failure, never repaired.
    #[error("{path}: record {record} at offset {offset} is corrupt: {reason}")]
    Corrupt {
        /// The file.
        path: std::path::PathBuf,
        /// Entry sequence number or checkpoint index.
        record: u64,
        /// Byte offset of the record.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// An I/O error at a path.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
}

/// Storage for one ledger.
pub trait Store: Send {
    /// Number of entries durably stored.
    fn size(&self) -> u64;

    /// The ledger origin the store was created for, if it records one; the ledger checks it
    /// against its genesis entry so that a store cannot be opened as another ledger.
    fn origin(&self) -> Option<&str> {
        None
    }

    /// Appends `entries`, whose sequence numbers continue the store, durably and atomically.
    ///
    /// # Errors
    /// [`StoreError::NotContiguous`], [`StoreError::ReadOnly`] or an I/O error; on error the
    /// store is unchanged.
    fn append(&mut self, entries: &[EncodedEntry]) -> Result<(), StoreError>;

    /// The sequence numbers of the entries that change the key registry (genesis,
    /// `KeyAuthorized`, `KeyRevoked`), in order, if the store keeps them: the ledger then opens
    /// by reading only those entries instead of all. `None` (the default) means "not kept".
    ///
    /// # Errors
    /// An I/O error.
    fn registry_changes(&self) -> Result<Option<Vec<u64>>, StoreError> {
        Ok(None)
    }

    /// The canonical bytes of entry `seq`.
    ///
    /// # Errors
    /// [`StoreError::OutOfRange`] or an I/O error.
    fn entry_bytes(&self, seq: u64) -> Result<Vec<u8>, StoreError>;

    /// The hash of the perfect subtree of `2^level` leaves starting at leaf `index << level`.
    ///
    /// # Errors
    /// [`StoreError::NoSuchNode`] when that subtree is not complete yet, or an I/O error.
    fn perfect_subtree(&self, level: u8, index: u64) -> Result<Digest, StoreError>;

    /// Appends a signed checkpoint (C2SP signed-note text), durably.
    ///
    /// # Errors
    /// [`StoreError::ReadOnly`] or an I/O error.
    fn append_checkpoint(&mut self, note: &str) -> Result<(), StoreError>;

    /// Number of stored checkpoints.
    fn checkpoint_count(&self) -> u64;

    /// Checkpoint number `index` (0 = oldest), as stored.
    ///
    /// # Errors
    /// [`StoreError::NoSuchCheckpoint`] or an I/O error.
    fn checkpoint(&self, index: u64) -> Result<String, StoreError>;
}

/// A store in memory: the oracle for persistent stores in differential tests, and the store of
/// short-lived ledgers (tests, demos, benchmarks). Nothing survives the process.
#[derive(Debug)]
pub struct MemoryStore<H: TreeHasher = crate::hash::Sha256TreeHasher> {
    hasher: H,
    entries: Vec<Vec<u8>>,
    tree: MemoryTree,
    checkpoints: Vec<String>,
    registry_changes: Vec<u64>,
}

impl MemoryStore {
    /// An empty store for the SHA-256 tree.
    pub fn new() -> Self {
        Self::with_hasher(crate::hash::Sha256TreeHasher)
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl<H: TreeHasher> MemoryStore<H> {
    /// An empty store whose node hashes are computed with `hasher`.
    pub fn with_hasher(hasher: H) -> Self {
        MemoryStore {
            hasher,
            entries: Vec::new(),
            tree: MemoryTree::new(),
            checkpoints: Vec::new(),
            registry_changes: Vec::new(),
        }
    }

    /// The stored entry bytes, for reading in bulk.
    pub fn entries(&self) -> &[Vec<u8>] {
        &self.entries
    }

    /// The stored checkpoints, oldest first.
    pub fn checkpoints(&self) -> &[String] {
        &self.checkpoints
    }

    /// Takes the store apart into its entries and checkpoints, e.g. to simulate tampering in
    /// tests: the verifier is then run over the modified parts.
    pub fn into_parts(self) -> (Vec<Vec<u8>>, Vec<String>) {
        (self.entries, self.checkpoints)
    }
}

impl<H: TreeHasher> Store for MemoryStore<H> {
    fn size(&self) -> u64 {
        self.entries.len() as u64
    }

    fn append(&mut self, entries: &[EncodedEntry]) -> Result<(), StoreError> {
        for (i, e) in entries.iter().enumerate() {
            let expected = self.size() + i as u64;
            if e.seq != expected {
                return Err(StoreError::NotContiguous {
                    expected,
                    got: e.seq,
                });
            }
        }
        for e in entries {
            if e.registry_change {
                self.registry_changes.push(e.seq);
            }
            self.entries.push(e.bytes.clone());
            self.tree.push(&self.hasher, e.leaf_hash);
        }
        Ok(())
    }

    fn registry_changes(&self) -> Result<Option<Vec<u64>>, StoreError> {
        Ok(Some(self.registry_changes.clone()))
    }

    fn entry_bytes(&self, seq: u64) -> Result<Vec<u8>, StoreError> {
        usize::try_from(seq)
            .ok()
            .and_then(|i| self.entries.get(i))
            .cloned()
            .ok_or(StoreError::OutOfRange {
                seq,
                size: self.size(),
            })
    }

    fn perfect_subtree(&self, level: u8, index: u64) -> Result<Digest, StoreError> {
        use crate::merkle::HashReader;
        self.tree
            .perfect_subtree(level, index)
            .map_err(|_| StoreError::NoSuchNode { level, index })
    }

    fn append_checkpoint(&mut self, note: &str) -> Result<(), StoreError> {
        self.checkpoints.push(note.to_owned());
        Ok(())
    }

    fn checkpoint_count(&self) -> u64 {
        self.checkpoints.len() as u64
    }

    fn checkpoint(&self, index: u64) -> Result<String, StoreError> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.checkpoints.get(i))
            .cloned()
            .ok_or(StoreError::NoSuchCheckpoint {
                index,
                count: self.checkpoint_count(),
            })
    }
}
