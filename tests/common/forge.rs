//! Writing past the writer: what an attacker with write access to the store (or an older
//! writer without today's admission rule) does. Tests use it to put entries the ledger refuses
//! into a store, and check that the verifier reports them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use liuhen::entry::EncodedEntry;
use liuhen::hash::{Digest, Sha256TreeHasher, TreeHasher};
use liuhen::store::{StoreRead, StoreWrite};
use liuhen::{Entry, MemoryStore, SignedStatement, Store, Timestamp};

/// A copy of `src`'s entries and checkpoints in a new memory store.
pub fn copy_store<S: StoreRead + ?Sized>(src: &S) -> MemoryStore {
    let mut out = MemoryStore::new();
    for (_, bytes) in liuhen::store::read_entries(src, 0..src.size().unwrap()) {
        let entry = Entry::from_bytes(&bytes.unwrap()).unwrap();
        out.append(&[EncodedEntry::new(&entry, &Sha256TreeHasher).unwrap()])
            .unwrap();
    }
    for note in src.checkpoints(0..src.checkpoint_count().unwrap()).unwrap() {
        out.append_checkpoint(&note).unwrap();
    }
    out
}

/// Appends `statement` to `store` as its next entry, logged at `logged_at`, chained to the
/// entry before it exactly as the writer would, but without asking the admission rule.
pub fn inject<S: Store + ?Sized>(
    store: &mut S,
    statement: SignedStatement,
    logged_at: Timestamp,
) -> u64 {
    let seq = store.size().unwrap();
    let prev = if seq == 0 {
        Digest::ZERO
    } else {
        Sha256TreeHasher.hash_leaf(&store.entry_bytes(seq - 1).unwrap())
    };
    let case_prev = if statement.statement.binding.is_some() {
        state_of(store).case_prev(&statement.statement.event)
    } else {
        None
    };
    let entry = Entry {
        seq,
        prev,
        logged_at,
        case_prev,
        statement,
    };
    store
        .append(&[EncodedEntry::new(&entry, &Sha256TreeHasher).unwrap()])
        .unwrap();
    seq
}

/// Signs a checkpoint over everything `store` holds with `ledger_key` and stores it: what the
/// bureau's key does to a store it was handed (no writer, no admission rule).
pub fn seal<S: Store + ?Sized>(store: &mut S, origin: &str, ledger_key: &liuhen::SecretKey) {
    use liuhen::checkpoint::{Checkpoint, SignedCheckpoint};
    let mut range = liuhen::merkle::CompactRange::new();
    let size = store.size().unwrap();
    for (_, bytes) in liuhen::store::read_entries(store, 0..size) {
        let leaf = Sha256TreeHasher.hash_leaf(&bytes.unwrap());
        range.push(&Sha256TreeHasher, leaf).unwrap();
    }
    let checkpoint = Checkpoint {
        origin: origin.to_owned(),
        size,
        root: range.root(&Sha256TreeHasher),
        extensions: Vec::new(),
    };
    let signed = SignedCheckpoint::sign(checkpoint, ledger_key).unwrap();
    store.append_checkpoint(&signed.to_string()).unwrap();
}

/// The admission state over everything `store` holds, as the verifier builds it (what it
/// refuses has no effect): what a forger computes to make its entry look in place.
pub fn state_of<S: StoreRead + ?Sized>(store: &S) -> liuhen::admission::Admission {
    let mut a =
        liuhen::admission::Admission::new(liuhen::LedgerOptions::default().max_future_skew_ms);
    for (seq, bytes) in liuhen::store::read_entries(store, 0..store.size().unwrap()) {
        let bytes = bytes.unwrap();
        let entry = Entry::from_bytes(&bytes).unwrap();
        let _ = a.admit(seq, entry.logged_at, &entry.statement.statement);
        if seq == 0 {
            a.set_genesis_leaf(Sha256TreeHasher.hash_leaf(&bytes));
        }
    }
    a
}

/// A memory store whose appends fail with "no space left on device", as a full disk would:
/// while `full` is set, and once `allowance` appends (if limited) have been made. Everything
/// else reads through to the memory store.
pub struct FullDisk {
    pub inner: MemoryStore,
    pub full: std::sync::Arc<std::sync::atomic::AtomicBool>,
    pub allowance: Option<usize>,
}

impl FullDisk {
    /// Full while the returned switch is set (it starts unset).
    pub fn switched(
        inner: MemoryStore,
    ) -> (FullDisk, std::sync::Arc<std::sync::atomic::AtomicBool>) {
        let full = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let store = FullDisk {
            inner,
            full: full.clone(),
            allowance: None,
        };
        (store, full)
    }

    /// Full after `ok` more appends.
    pub fn after(inner: MemoryStore, ok: usize) -> FullDisk {
        FullDisk {
            inner,
            full: Default::default(),
            allowance: Some(ok),
        }
    }
}

impl StoreRead for FullDisk {
    fn size(&self) -> Result<u64, liuhen::store::StoreError> {
        StoreRead::size(&self.inner)
    }
    fn registry_changes(&self) -> Result<Option<Vec<u64>>, liuhen::store::StoreError> {
        self.inner.registry_changes()
    }
    fn entries(
        &self,
        range: std::ops::Range<u64>,
    ) -> Result<Vec<Vec<u8>>, liuhen::store::StoreError> {
        self.inner.entries(range)
    }
    fn node_hashes(
        &self,
        level: u8,
        range: std::ops::Range<u64>,
    ) -> Result<Vec<Digest>, liuhen::store::StoreError> {
        self.inner.node_hashes(level, range)
    }
    fn checkpoint_count(&self) -> Result<u64, liuhen::store::StoreError> {
        StoreRead::checkpoint_count(&self.inner)
    }
    fn checkpoints(
        &self,
        range: std::ops::Range<u64>,
    ) -> Result<Vec<String>, liuhen::store::StoreError> {
        self.inner.checkpoints(range)
    }
}

impl StoreWrite for FullDisk {
    fn append(&mut self, entries: &[EncodedEntry]) -> Result<(), liuhen::store::StoreError> {
        let spent = self.allowance == Some(0);
        if spent || self.full.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(liuhen::store::StoreError::Io {
                path: "entries.log".into(),
                source: std::io::Error::other("no space left on device"),
            });
        }
        if let Some(ok) = &mut self.allowance {
            *ok -= 1;
        }
        self.inner.append(entries)
    }
    fn append_checkpoint(&mut self, note: &str) -> Result<(), liuhen::store::StoreError> {
        self.inner.append_checkpoint(note)
    }
    fn reader(&self) -> std::sync::Arc<dyn StoreRead> {
        self.inner.reader()
    }
}
