//! Where entries and checkpoints live: the [`StoreRead`] and [`StoreWrite`] traits ([`Store`]
//! is both) and the in-memory [`MemoryStore`].
//!
//! A store is deliberately dumb: it keeps canonical entry bytes, the Merkle node hashes the
//! ledger hands it, and signed checkpoint texts, in append order. It checks nothing
//! cryptographic; the [`Ledger`](crate::ledger::Ledger) decides what goes in and the
//! [`verifier`](crate::verify) decides, from the bytes alone, whether what came out is intact.
//!
//! # Readers and the writer
//!
//! A backend has one writer ([`StoreWrite`]: append a group of entries, store a checkpoint)
//! and any number of readers ([`StoreRead`]: size, entries and node hashes by range,
//! checkpoints, write health). Readers are `Sync` and never wait for the writer:
//! [`StoreWrite::reader`] hands out a handle that shares the backend's read side and sees
//! exactly what the writer acknowledged, even while the writer is in the middle of a commit
//! (its sync may take milliseconds; a proof or a checkpoint read need not wait for it).
//!
//! # Contract
//!
//! * `append` MUST NOT return `Ok` before every entry of the batch is durable (for a persistent
//!   store: written and synced), and MUST be all-or-nothing: after an error, `size()` is what it
//!   was before the call, and nothing already acknowledged is lost.
//! * A reader MUST NOT show an entry or checkpoint before the writer's call that stored it
//!   returned `Ok`, and MUST NOT wait for a commit in progress.
//! * Entries are only ever appended; a store never rewrites or deletes one.
//! * `node_hashes` returns the node hashes derived from the leaf hashes given to `append`;
//!   stores may persist them (O(log n) proofs) or recompute them.
//! * Checkpoints are kept in the order they were appended.
//! * Range reads are one call for the whole range (a backend reads it in one go: one
//!   positional read, one query), and read exactly what the single reads would: a range that
//!   reaches past the end is an error, an empty range is an empty answer.
//! * After a failed write a store may refuse every further write ([`StoreRead::refusal`] says
//!   why); it never refuses reads for it.
//!
//! # Faults
//!
//! Every backend takes a [`Faults`] plan (test support) that fails the chosen write or sync of
//! a commit, and must then behave alike (`docs/STORE.md`, "Faults";
//! `tests/store_conformance.rs` holds every backend to it): the failed call returns the
//! backend's own error ([`StoreError::Backend`]), the store **latches** — every later write is
//! refused with [`StoreError::ReadOnly`] and [`StoreRead::refusal`] names the failed
//! operation — readers (the writer's and [`StoreWrite::reader`]'s) show exactly the
//! acknowledged entries and checkpoints, never a part of the failed commit, and reopening
//! recovers to the acknowledged state (plus, in a durable store, what of the failed group
//! reached the media: a prefix of it, each entry whole) and reports it in
//! [`StoreRead::recovery`].

pub mod file;

use std::ops::Range;
use std::sync::{Arc, PoisonError, RwLock};

use crate::entry::EncodedEntry;
use crate::hash::{Digest, TreeHasher};
use crate::merkle::MemoryTree;

pub use file::{Faults, HeldSync, Recovery, TailRecovery};

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
    /// The backend failed, in its own terms: the file store's [`file::FileStoreError`] (with
    /// the file and the operation), a database's error. Downcast `source` for the details.
    #[error("{backend} store: {source}")]
    Backend {
        /// Which backend ("file", "postgresql", …).
        backend: &'static str,
        /// Its error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// The memory store's own errors, carried by [`StoreError::Backend`] (`backend: "memory"`).
///
/// A memory store fails only when a [`Faults`] plan tells it to (test support): it has no
/// media of its own.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MemoryStoreError {
    /// The write (staging) or the sync (publishing) of a commit failed.
    #[error("{op} failed: {source}")]
    Commit {
        /// Which operation: "staging entries", "publishing entries", "staging a checkpoint",
        /// "publishing a checkpoint".
        op: &'static str,
        /// What failed it.
        #[source]
        source: std::io::Error,
    },
}

impl From<MemoryStoreError> for StoreError {
    fn from(e: MemoryStoreError) -> Self {
        StoreError::Backend {
            backend: "memory",
            source: Box::new(e),
        }
    }
}

/// The read side of a store: what verifiers, proof servers and the writer's own checks read.
///
/// Every method may fail (a database reader's size is a query); a handle that knows its answer
/// without asking may also offer an infallible inherent method of the same name
/// ([`file::FileStore::size`], [`MemoryStore::size`]).
pub trait StoreRead: Send + Sync {
    /// Number of entries durably stored (acknowledged).
    ///
    /// # Errors
    /// A backend error.
    fn size(&self) -> Result<u64, StoreError>;

    /// The ledger origin the store was created for, if it records one; the ledger checks it
    /// against its genesis entry so that a store cannot be opened as another ledger.
    fn origin(&self) -> Option<&str> {
        None
    }

    /// The sequence numbers of the entries that change the key registry (genesis,
    /// `KeyAuthorized`, `KeyRevoked`), in order, if the store keeps them: the ledger compares
    /// them with the frames it reads on open. `None` (the default) means "not kept".
    ///
    /// # Errors
    /// A backend error.
    fn registry_changes(&self) -> Result<Option<Vec<u64>>, StoreError> {
        Ok(None)
    }

    /// The canonical bytes of the entries `range`, in order: one read for the whole range.
    /// Callers that walk many entries read bounded chunks ([`read_entries`]).
    ///
    /// # Errors
    /// [`StoreError::OutOfRange`] (naming the first missing entry) if the range reaches past
    /// the end, [`StoreError::Corrupt`] naming the first damaged entry, or a backend error.
    fn entries(&self, range: Range<u64>) -> Result<Vec<Vec<u8>>, StoreError>;

    /// The canonical bytes of entry `seq`.
    ///
    /// # Errors
    /// As [`StoreRead::entries`].
    fn entry_bytes(&self, seq: u64) -> Result<Vec<u8>, StoreError> {
        let end = seq.checked_add(1).ok_or(StoreError::OutOfRange {
            seq,
            size: self.size()?,
        })?;
        self.entries(seq..end)?.pop().ok_or(StoreError::OutOfRange {
            seq,
            size: self.size()?,
        })
    }

    /// The hashes of the perfect subtrees of `2^level` leaves numbered `range` within their
    /// level (subtree `i` covers leaves `[i << level, (i + 1) << level)`), in order: one call.
    /// Level 0 holds the leaf hashes.
    ///
    /// # Errors
    /// [`StoreError::NoSuchNode`] naming the first subtree that is not complete, or a backend
    /// error.
    fn node_hashes(&self, level: u8, range: Range<u64>) -> Result<Vec<Digest>, StoreError>;

    /// The hash of the perfect subtree of `2^level` leaves starting at leaf `index << level`.
    ///
    /// # Errors
    /// As [`StoreRead::node_hashes`].
    fn perfect_subtree(&self, level: u8, index: u64) -> Result<Digest, StoreError> {
        let missing = StoreError::NoSuchNode { level, index };
        let Some(end) = index.checked_add(1) else {
            return Err(missing);
        };
        self.node_hashes(level, index..end)?.pop().ok_or(missing)
    }

    /// The hashes of the perfect subtrees `nodes`, given as `(level, index)` (as
    /// [`StoreRead::perfect_subtree`] takes them), in that order: one call for the O(log n)
    /// nodes of a proof, which lie at different levels. The file store reads the ones that lie
    /// close together in its index with one positional read; the default reads them one by
    /// one.
    ///
    /// # Errors
    /// [`StoreError::NoSuchNode`] naming a subtree that is not complete, or a backend error.
    fn node_hashes_at(&self, nodes: &[(u8, u64)]) -> Result<Vec<Digest>, StoreError> {
        nodes
            .iter()
            .map(|&(level, index)| self.perfect_subtree(level, index))
            .collect()
    }

    /// Number of stored checkpoints.
    ///
    /// # Errors
    /// A backend error.
    fn checkpoint_count(&self) -> Result<u64, StoreError>;

    /// Checkpoints `range` (0 = oldest), as stored, in order: one call.
    ///
    /// # Errors
    /// [`StoreError::NoSuchCheckpoint`] naming the first missing one, [`StoreError::Corrupt`],
    /// or a backend error.
    fn checkpoints(&self, range: Range<u64>) -> Result<Vec<String>, StoreError>;

    /// Checkpoint number `index` (0 = oldest), as stored.
    ///
    /// # Errors
    /// As [`StoreRead::checkpoints`].
    fn checkpoint(&self, index: u64) -> Result<String, StoreError> {
        let missing = || -> Result<StoreError, StoreError> {
            Ok(StoreError::NoSuchCheckpoint {
                index,
                count: self.checkpoint_count()?,
            })
        };
        let Some(end) = index.checked_add(1) else {
            return Err(missing()?);
        };
        match self.checkpoints(index..end)?.pop() {
            Some(note) => Ok(note),
            None => Err(missing()?),
        }
    }

    /// The most recently stored checkpoint, if any.
    ///
    /// # Errors
    /// As [`StoreRead::checkpoints`].
    fn latest_checkpoint(&self) -> Result<Option<String>, StoreError> {
        match self.checkpoint_count()? {
            0 => Ok(None),
            n => Ok(self.checkpoints(n - 1..n)?.pop()),
        }
    }

    /// Why the store refuses writes, if it does: opened for reading, tampering found when it
    /// was opened, or the latch — an earlier write or sync failed, after which a store that
    /// cannot know what reached the media refuses every write until it is reopened. `None`
    /// (the default): writes are accepted.
    fn refusal(&self) -> Option<String> {
        None
    }

    /// What opening the store found and did (a torn tail cut, frames adopted, tampering): the
    /// report a verifier and an operator read. The default is the clean report of a store that
    /// recovers nothing.
    fn recovery(&self) -> Recovery {
        Recovery::default()
    }
    /// The writer state the ledger saved last ([`StoreWrite::put_writer_state`]), as stored, if
    /// the store keeps one: signed bytes the store keeps for the ledger and never interprets
    /// ([`crate::ledger::WriterState`]; the ledger checks them). `None` (the default): none kept.
    ///
    /// # Errors
    /// A backend error, or one naming a state longer than
    /// [`MAX_WRITER_STATE_BYTES`](crate::ledger::MAX_WRITER_STATE_BYTES) (not read).
    fn writer_state(&self) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(None)
    }
}

/// The write side of a store: the one writer appends groups of entries and stores checkpoints.
pub trait StoreWrite: Send {
    /// Appends `entries`, whose sequence numbers continue the store, durably and atomically:
    /// one commit for the whole group.
    ///
    /// # Errors
    /// [`StoreError::NotContiguous`], [`StoreError::ReadOnly`] or a backend error; on error
    /// the store is unchanged.
    fn append(&mut self, entries: &[EncodedEntry]) -> Result<(), StoreError>;

    /// Appends a signed checkpoint (C2SP signed-note text), durably.
    ///
    /// # Errors
    /// [`StoreError::ReadOnly`] or a backend error.
    fn append_checkpoint(&mut self, note: &str) -> Result<(), StoreError>;

    /// A reader of this store that never waits for this writer and sees what it acknowledged
    /// (now and later). Cheap; clone the `Arc` to share it between threads.
    fn reader(&self) -> Arc<dyn StoreRead>;

    /// Keeps `bytes` as the ledger's writer state, replacing the one kept before: atomically
    /// (a crash leaves the old or the new) and durably, off the commit path (the ledger saves
    /// one at each seal). Returns whether the store keeps writer states; the default keeps
    /// none (`Ok(false)`), and the ledger then reads every entry on open.
    ///
    /// # Errors
    /// [`StoreError::ReadOnly`] or a backend error.
    fn put_writer_state(&mut self, bytes: &[u8]) -> Result<bool, StoreError> {
        let _ = bytes;
        Ok(false)
    }
}

/// A store with both sides: what a [`Ledger`](crate::ledger::Ledger) writes to.
pub trait Store: StoreRead + StoreWrite {}

impl<T: StoreRead + StoreWrite + ?Sized> Store for T {}

/// How many entries [`read_entries`] reads per call: at most 128 × 64 KiB = 8 MiB of entry
/// bytes in memory, one positional read per chunk in the file store.
pub const ENTRY_CHUNK: u64 = 128;

/// The entries `range` of `store`, read [`ENTRY_CHUNK`] at a time, as `(seq, bytes)`: what a
/// loop over many entries uses instead of one [`StoreRead::entry_bytes`] call per entry.
/// Memory stays bounded by one chunk.
///
/// Per-entry outcomes are as [`StoreRead::entry_bytes`] would give them: when a chunk fails
/// (a damaged entry in it), that chunk is read again entry by entry, so the entries around a
/// damaged one are still delivered and the damaged one yields its own error.
pub fn read_entries<S: StoreRead + ?Sized>(store: &S, range: Range<u64>) -> EntryChunks<'_, S> {
    EntryChunks {
        store,
        next: range.start,
        end: range.end,
        chunk: std::collections::VecDeque::new(),
    }
}

/// The iterator of [`read_entries`].
#[derive(Debug)]
pub struct EntryChunks<'a, S: ?Sized> {
    store: &'a S,
    next: u64,
    end: u64,
    chunk: std::collections::VecDeque<(u64, Result<Vec<u8>, StoreError>)>,
}

impl<S: StoreRead + ?Sized> Iterator for EntryChunks<'_, S> {
    type Item = (u64, Result<Vec<u8>, StoreError>);

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(item) = self.chunk.pop_front() {
            return Some(item);
        }
        if self.next >= self.end {
            return None;
        }
        let from = self.next;
        let to = self.end.min(from.saturating_add(ENTRY_CHUNK));
        self.next = to;
        match self.store.entries(from..to) {
            Ok(entries) if entries.len() as u64 == to - from => {
                self.chunk
                    .extend((from..to).zip(entries.into_iter().map(Ok)));
            }
            _ => self
                .chunk
                .extend((from..to).map(|seq| (seq, self.store.entry_bytes(seq)))),
        }
        self.chunk.pop_front()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.end.saturating_sub(self.next))
            .unwrap_or(usize::MAX)
            .saturating_add(self.chunk.len());
        (left, Some(left))
    }
}

/// Checks `range` against a store of `size` entries: `Ok` if it lies inside.
///
/// # Errors
/// [`StoreError::OutOfRange`] naming the first entry of the range that is not there.
pub fn check_entry_range(range: &Range<u64>, size: u64) -> Result<(), StoreError> {
    if range.end > size && range.start < range.end {
        return Err(StoreError::OutOfRange {
            seq: range.start.max(size),
            size,
        });
    }
    Ok(())
}

/// Checks `range` against a store of `count` checkpoints.
///
/// # Errors
/// [`StoreError::NoSuchCheckpoint`] naming the first checkpoint of the range that is not there.
pub fn check_checkpoint_range(range: &Range<u64>, count: u64) -> Result<(), StoreError> {
    if range.end > count && range.start < range.end {
        return Err(StoreError::NoSuchCheckpoint {
            index: range.start.max(count),
            count,
        });
    }
    Ok(())
}

/// Whether the perfect subtrees `range` of `level` lie inside a tree of `size` leaves; if not,
/// the first one that does not.
fn first_missing_node(level: u8, range: &Range<u64>, size: u64) -> Option<u64> {
    if range.start >= range.end {
        return None;
    }
    let complete = |index: u64| {
        u32::from(level) < u64::BITS
            && index
                .checked_add(1)
                .and_then(|i| i.checked_mul(1u64 << level))
                .is_some_and(|end| end <= size)
    };
    if complete(range.end - 1) {
        return None;
    }
    // Complete subtrees of a level form a prefix: the first missing one is where it ends.
    let complete_count = if u32::from(level) < u64::BITS {
        size >> level
    } else {
        0
    };
    Some(range.start.max(complete_count))
}

/// Checks the perfect subtrees `range` of `level` against a tree of `size` leaves.
///
/// # Errors
/// [`StoreError::NoSuchNode`] naming the first subtree of `range` that a tree of `size` leaves
/// does not hold in full.
pub fn check_node_range(level: u8, range: &Range<u64>, size: u64) -> Result<(), StoreError> {
    match first_missing_node(level, range, size) {
        Some(index) => Err(StoreError::NoSuchNode { level, index }),
        None => Ok(()),
    }
}

/// Checks one perfect subtree against a tree of `size` leaves (as [`check_node_range`] of the
/// range of one, `u64::MAX` included).
///
/// # Errors
/// [`StoreError::NoSuchNode`] if a tree of `size` leaves does not hold it in full.
pub fn check_node(level: u8, index: u64, size: u64) -> Result<(), StoreError> {
    match index.checked_add(1) {
        Some(end) => check_node_range(level, &(index..end), size),
        None => Err(StoreError::NoSuchNode { level, index }),
    }
}

/// A store in memory: the oracle for persistent stores in differential tests, and the store of
/// short-lived ledgers (tests, demos, benchmarks). Nothing survives the process.
///
/// Its readers ([`StoreWrite::reader`]) share the data behind a lock that the writer holds
/// only while it pushes what it appends, never while it works out what to append.
///
/// # Faults (test support)
///
/// A commit is two operations, numbered by a [`Faults`] plan given with
/// [`MemoryStore::with_faults`]: the **write** stages the group (or the checkpoint) outside
/// what readers see — a short write stages only the first half of the group's entries — and the
/// **sync** publishes it under the lock, which is when it is acknowledged. If either fails, the
/// call returns [`MemoryStoreError::Commit`] (as [`StoreError::Backend`]) and the store latches
/// as a durable store does: nothing of the group is shown, every later write is refused
/// ([`StoreRead::refusal`] names the failed operation, for the writer and its readers alike).
/// [`MemoryStore::reopen`] stands for reopening: a new writer over the acknowledged entries
/// and checkpoints. Memory keeps nothing durable, so what the failed commit staged is never
/// adopted: it is dropped and reported in [`StoreRead::recovery`] as a cut tail
/// ([`TailRecovery::torn_bytes`]: the bytes dropped).
#[derive(Debug)]
pub struct MemoryStore<H: TreeHasher = crate::hash::Sha256TreeHasher> {
    hasher: H,
    inner: Arc<RwLock<MemoryInner>>,
    faults: Option<Faults>,
}

/// What a [`MemoryStore`] holds, shared with its readers.
#[derive(Debug, Default)]
struct MemoryInner {
    entries: Vec<Vec<u8>>,
    tree: MemoryTree,
    checkpoints: Vec<String>,
    registry_changes: Vec<u64>,
    writer_state: Option<Vec<u8>>,
    /// The latch: why writes are refused, once a commit failed.
    refusal: Option<String>,
    /// What a failed commit staged and never published: entry bytes, checkpoint bytes.
    staged: (u64, u64),
    /// What [`MemoryStore::reopen`] found and did.
    recovery: Recovery,
}

/// A reader of a [`MemoryStore`] (see [`StoreWrite::reader`]).
#[derive(Clone, Debug)]
pub struct MemoryReader {
    inner: Arc<RwLock<MemoryInner>>,
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

fn read_inner(inner: &RwLock<MemoryInner>) -> std::sync::RwLockReadGuard<'_, MemoryInner> {
    // Pushes cannot be left half done by a panic that matters here: a poisoned lock still
    // holds whole entries.
    inner.read().unwrap_or_else(PoisonError::into_inner)
}

fn write_inner(inner: &RwLock<MemoryInner>) -> std::sync::RwLockWriteGuard<'_, MemoryInner> {
    inner.write().unwrap_or_else(PoisonError::into_inner)
}

impl<H: TreeHasher> MemoryStore<H> {
    /// An empty store whose node hashes are computed with `hasher`.
    pub fn with_hasher(hasher: H) -> Self {
        MemoryStore {
            hasher,
            inner: Arc::default(),
            faults: None,
        }
    }

    /// This store with its commits' writes and syncs numbered and failed by `faults` — test
    /// support, for the conformance suite's fault injection (see the type's documentation).
    #[must_use]
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = Some(faults);
        self
    }

    /// The memory store's reopening (after a failed commit latched it): a new writer over the
    /// acknowledged entries and checkpoints, accepting writes again, without faults. What the
    /// failed commit staged is dropped and reported in [`StoreRead::recovery`] (the bytes, as
    /// [`TailRecovery::torn_bytes`] of the entries or of the checkpoints). Readers of the old
    /// handle keep its view and its refusal, like a file store's readers of a closed writer.
    #[must_use]
    pub fn reopen(self) -> Self {
        let old = read_inner(&self.inner);
        let (entry_bytes, checkpoint_bytes) = old.staged;
        let recovery = Recovery {
            entries: TailRecovery {
                torn_bytes: entry_bytes,
                ..TailRecovery::default()
            },
            checkpoints: TailRecovery {
                torn_bytes: checkpoint_bytes,
                ..TailRecovery::default()
            },
            applied: true,
            ..Recovery::default()
        };
        let inner = MemoryInner {
            entries: old.entries.clone(),
            tree: old.tree.clone(),
            checkpoints: old.checkpoints.clone(),
            registry_changes: old.registry_changes.clone(),
            writer_state: old.writer_state.clone(),
            refusal: None,
            staged: (0, 0),
            recovery,
        };
        drop(old);
        MemoryStore {
            hasher: self.hasher,
            inner: Arc::new(RwLock::new(inner)),
            faults: None,
        }
    }

    /// Number of entries (never fails, unlike [`StoreRead::size`] in general).
    pub fn size(&self) -> u64 {
        read_inner(&self.inner).entries.len() as u64
    }

    /// Number of checkpoints (never fails).
    pub fn checkpoint_count(&self) -> u64 {
        read_inner(&self.inner).checkpoints.len() as u64
    }

    /// A copy of all stored entry bytes (tests, demos; [`StoreRead::entries`] reads a range).
    pub fn all_entries(&self) -> Vec<Vec<u8>> {
        read_inner(&self.inner).entries.clone()
    }

    /// A copy of all stored checkpoints, oldest first ([`StoreRead::checkpoints`] reads a
    /// range).
    pub fn all_checkpoints(&self) -> Vec<String> {
        read_inner(&self.inner).checkpoints.clone()
    }

    /// Takes the store apart into its entries and checkpoints, e.g. to simulate tampering in
    /// tests: the verifier is then run over the modified parts.
    pub fn into_parts(self) -> (Vec<Vec<u8>>, Vec<String>) {
        match Arc::try_unwrap(self.inner) {
            Ok(lock) => {
                let inner = lock.into_inner().unwrap_or_else(PoisonError::into_inner);
                (inner.entries, inner.checkpoints)
            }
            Err(shared) => {
                let inner = read_inner(&shared);
                (inner.entries.clone(), inner.checkpoints.clone())
            }
        }
    }

    /// `Err` with the latch's reason if the store refuses writes.
    fn writable(&self) -> Result<(), StoreError> {
        match &read_inner(&self.inner).refusal {
            Some(reason) => Err(StoreError::ReadOnly {
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }

    /// One operation of a commit: counted by the fault plan, failed if it is the chosen one.
    /// A failure latches the store and records what was staged (`(entry bytes, checkpoint
    /// bytes)`), which is never published.
    fn step(
        &self,
        op: &'static str,
        sync: bool,
        staged: (u64, u64),
    ) -> Result<(), MemoryStoreError> {
        let fault = self.faults.as_ref().and_then(|faults| {
            if sync {
                faults.sync("sync")
            } else {
                faults.next("write")
            }
        });
        let Some(source) = fault else {
            return Ok(());
        };
        let mut inner = write_inner(&self.inner);
        inner.refusal.get_or_insert_with(|| {
            format!("an earlier write failed ({op}: {source}); reopen the store to recover")
        });
        inner.staged.0 += staged.0;
        inner.staged.1 += staged.1;
        Err(MemoryStoreError::Commit { op, source })
    }

    /// Whether a failing write stages only half of what it was given.
    fn short_writes(&self) -> bool {
        self.faults.as_ref().is_some_and(Faults::short_writes)
    }
}

impl MemoryInner {
    fn entries(&self, range: Range<u64>) -> Result<Vec<Vec<u8>>, StoreError> {
        check_entry_range(&range, self.entries.len() as u64)?;
        let (Ok(from), Ok(to)) = (usize::try_from(range.start), usize::try_from(range.end)) else {
            return Ok(Vec::new());
        };
        Ok(self.entries.get(from..to).unwrap_or_default().to_vec())
    }

    fn node_hashes_at(&self, nodes: &[(u8, u64)]) -> Result<Vec<Digest>, StoreError> {
        use crate::merkle::HashReader;
        let size = self.entries.len() as u64;
        nodes
            .iter()
            .map(|&(level, index)| {
                check_node(level, index, size)?;
                self.tree
                    .perfect_subtree(level, index)
                    .map_err(|_| StoreError::NoSuchNode { level, index })
            })
            .collect()
    }

    fn node_hashes(&self, level: u8, range: Range<u64>) -> Result<Vec<Digest>, StoreError> {
        use crate::merkle::HashReader;
        check_node_range(level, &range, self.entries.len() as u64)?;
        range
            .map(|index| {
                self.tree
                    .perfect_subtree(level, index)
                    .map_err(|_| StoreError::NoSuchNode { level, index })
            })
            .collect()
    }

    fn checkpoints(&self, range: Range<u64>) -> Result<Vec<String>, StoreError> {
        check_checkpoint_range(&range, self.checkpoints.len() as u64)?;
        let (Ok(from), Ok(to)) = (usize::try_from(range.start), usize::try_from(range.end)) else {
            return Ok(Vec::new());
        };
        Ok(self.checkpoints.get(from..to).unwrap_or_default().to_vec())
    }
}

/// [`StoreRead`] for the memory store and its readers: both read the shared data.
macro_rules! memory_reads {
    () => {
        fn size(&self) -> Result<u64, StoreError> {
            Ok(read_inner(&self.inner).entries.len() as u64)
        }

        fn registry_changes(&self) -> Result<Option<Vec<u64>>, StoreError> {
            Ok(Some(read_inner(&self.inner).registry_changes.clone()))
        }

        fn entries(&self, range: Range<u64>) -> Result<Vec<Vec<u8>>, StoreError> {
            read_inner(&self.inner).entries(range)
        }

        fn node_hashes(&self, level: u8, range: Range<u64>) -> Result<Vec<Digest>, StoreError> {
            read_inner(&self.inner).node_hashes(level, range)
        }

        fn node_hashes_at(&self, nodes: &[(u8, u64)]) -> Result<Vec<Digest>, StoreError> {
            // One lock for the whole proof, not one per node.
            read_inner(&self.inner).node_hashes_at(nodes)
        }

        fn checkpoint_count(&self) -> Result<u64, StoreError> {
            Ok(read_inner(&self.inner).checkpoints.len() as u64)
        }

        fn checkpoints(&self, range: Range<u64>) -> Result<Vec<String>, StoreError> {
            read_inner(&self.inner).checkpoints(range)
        }

        fn writer_state(&self) -> Result<Option<Vec<u8>>, StoreError> {
            Ok(read_inner(&self.inner).writer_state.clone())
        }

        fn refusal(&self) -> Option<String> {
            read_inner(&self.inner).refusal.clone()
        }

        fn recovery(&self) -> Recovery {
            read_inner(&self.inner).recovery.clone()
        }
    };
}

impl<H: TreeHasher + Send + Sync> StoreRead for MemoryStore<H> {
    memory_reads!();
}

impl StoreRead for MemoryReader {
    memory_reads!();
}

impl<H: TreeHasher + Send> StoreWrite for MemoryStore<H> {
    fn append(&mut self, entries: &[EncodedEntry]) -> Result<(), StoreError> {
        let size = self.size();
        for (i, e) in entries.iter().enumerate() {
            let expected = size + i as u64;
            if e.seq != expected {
                return Err(StoreError::NotContiguous {
                    expected,
                    got: e.seq,
                });
            }
        }
        if entries.is_empty() {
            return Ok(());
        }
        self.writable()?;
        // Write: stage the group where no reader looks (a short write stages half of it).
        let staging = if self.short_writes() {
            entries.len() / 2
        } else {
            entries.len()
        };
        let staged_bytes = entries
            .iter()
            .take(staging)
            .map(|e| e.bytes.len() as u64)
            .sum();
        self.step("staging entries", false, (staged_bytes, 0))?;
        let all_bytes = entries.iter().map(|e| e.bytes.len() as u64).sum();
        // Sync: publish the whole group under the lock. This is the acknowledgement.
        self.step("publishing entries", true, (all_bytes, 0))?;
        let mut inner = write_inner(&self.inner);
        for e in entries {
            if e.registry_change {
                inner.registry_changes.push(e.seq);
            }
            inner.entries.push(e.bytes.clone());
            inner.tree.push(&self.hasher, e.leaf_hash);
        }
        Ok(())
    }

    fn append_checkpoint(&mut self, note: &str) -> Result<(), StoreError> {
        self.writable()?;
        let len = note.len() as u64;
        let staged = if self.short_writes() { len / 2 } else { len };
        self.step("staging a checkpoint", false, (0, staged))?;
        self.step("publishing a checkpoint", true, (0, len))?;
        write_inner(&self.inner).checkpoints.push(note.to_owned());
        Ok(())
    }

    fn reader(&self) -> Arc<dyn StoreRead> {
        Arc::new(MemoryReader {
            inner: Arc::clone(&self.inner),
        })
    }

    fn put_writer_state(&mut self, bytes: &[u8]) -> Result<bool, StoreError> {
        // Refused once latched, like the file store's; not a commit, so not a fault point.
        self.writable()?;
        write_inner(&self.inner).writer_state = Some(bytes.to_vec());
        Ok(true)
    }
}
