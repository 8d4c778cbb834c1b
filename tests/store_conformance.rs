//! One conformance suite for every [`Store`] backend (issue 13): `MemoryStore` and `FileStore`
//! today, any later backend by one more `#[test]` calling [`conformance`].
//!
//! The suite fills a fresh store with the entries and checkpoints of a real ledger (made in
//! memory by the shared test kit) in batches of varying sizes and checks, through the trait
//! only: sizes, entries read back byte for byte, every perfect subtree against an independent
//! RFC 6962 computation, registry changes, checkpoints, refusals that change nothing
//! (non-contiguous batches), errors — never panics — for reads out of range, and that a
//! `Ledger` opened over the store proves inclusion and consistency against the original roots.
//! Backends with more to offer (read-only handles) run the generic parts that apply to them:
//! [`reads_back`] and [`refuses_writes`].
//!
//! Faults (the last part): every backend is driven through `common::faults::FaultyBackend`
//! with a [`Faults`] plan and held to one failure semantics (`docs/STORE.md`, "Faults"): each
//! write and sync of an append group and of a checkpoint append is failed in turn, plainly and
//! as a short write, and the suite checks the backend's own error, the latch and its refusal
//! text, reads (the writer's and a reader's) of exactly the acknowledged entries, node hashes
//! and checkpoints, a `Ledger` and a `SharedLedger` on top, a reader concurrent with the failing
//! writer, and reopening. A new backend adds a `FaultyBackend` and one `backend_suite!` line.
//!
//! Range reads (issue 13's trait split): every read is also made as a range — entries, node
//! hashes, checkpoints; empty, one, the whole, past the end — and must agree with the single
//! reads; [`StoreWrite::reader`] handles must read back the same as the writer and never show
//! what the writer has not acknowledged. [`range_reads_across_chunks`] fills a store with
//! synthetic entries of mixed sizes so that ranges cross [`liuhen::store::ENTRY_CHUNK`] and the
//! file store's read size. Write health goes through the trait ([`StoreRead::refusal`],
//! [`StoreRead::recovery`]). The reader-not-blocked property is tested with a commit held in its
//! `fdatasync` ([`Faults::hold_next_sync`]): a reader proves inclusion, reads the latest
//! checkpoint and the size while the writer (and a `SharedLedger`'s lock) is stuck.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::temp::TempDir;

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use common::faults::{
    assert_backend_fault, count_operations, FaultyBackend, FileBackend, MemoryBackend,
};
use liuhen::entry::EncodedEntry;
use liuhen::hash::{Digest, Sha256TreeHasher, TreeHasher};
use liuhen::ledger::prove_inclusion_in;
use liuhen::store::file::{FileStore, OpenOptions};
use liuhen::store::{read_entries, Faults, StoreRead, StoreWrite, ENTRY_CHUNK};
use liuhen::{
    Entry, Ledger, LedgerError, LedgerOptions, ManualClock, MemoryStore, SharedLedger, Store,
    StoreError, Timestamp,
};
use sha2::Digest as _;

/// What a conforming store is filled with: a real ledger's entries and checkpoints.
struct Golden {
    entries: Vec<EncodedEntry>,
    checkpoints: Vec<String>,
    /// The Merkle root of every prefix, `roots[n]` over the first `n` entries.
    roots: Vec<Digest>,
}

fn golden() -> Golden {
    // Genesis, two authorizations, 40 documents: 43 entries (perfect subtrees up to level 5),
    // sealed after documents 5 and 20 and at the end.
    let (ledger, _keys) = common::small_ledger(40, &[5, 20]);
    let store = ledger.store();
    let entries: Vec<EncodedEntry> = store
        .all_entries()
        .iter()
        .map(|bytes| EncodedEntry::new(&Entry::from_bytes(bytes).unwrap(), &Sha256TreeHasher))
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(entries.iter().filter(|e| e.registry_change).count() >= 2);
    let roots = (0..=entries.len() as u64)
        .map(|n| {
            if n == 0 {
                Digest::ZERO
            } else {
                ledger.root_at(n).unwrap()
            }
        })
        .collect();
    Golden {
        entries,
        checkpoints: store.all_checkpoints(),
        roots,
    }
}

/// RFC 6962 hash of the leaves `[from, to)`, computed here from the leaf hashes alone (no
/// liuhen code): the reference the stored node hashes are compared with.
fn subtree(leaves: &[Digest], from: usize, to: usize) -> Digest {
    if to - from == 1 {
        return leaves[from];
    }
    let k = (to - from).next_power_of_two() / 2;
    let (l, r) = (
        subtree(leaves, from, from + k),
        subtree(leaves, from + k, to),
    );
    let mut h = sha2::Sha256::new();
    h.update([1u8]);
    h.update(l.as_bytes());
    h.update(r.as_bytes());
    let out: [u8; 32] = h.finalize().into();
    Digest::from_bytes(out)
}

/// Reads are errors, never panics, outside what the store holds.
fn out_of_range_reads_are_errors<S: StoreRead + ?Sized>(store: &S) {
    let size = store.size().unwrap();
    let count = store.checkpoint_count().unwrap();
    for seq in [size, size + 1, u64::MAX / 2, u64::MAX] {
        assert!(
            matches!(store.entry_bytes(seq), Err(StoreError::OutOfRange { seq: s, size: n }) if s == seq && n == size),
            "entry {seq} of {size}"
        );
    }
    for index in [count, count + 1, u64::MAX] {
        assert!(
            matches!(
                store.checkpoint(index),
                Err(StoreError::NoSuchCheckpoint { .. })
            ),
            "checkpoint {index} of {count}"
        );
    }
    // Subtrees not complete yet, past the end, or of absurd levels.
    for (level, index) in [
        (0u8, size),
        (1, size / 2),
        (6, 0),
        (63, 0),
        (63, u64::MAX),
        (64, 0),
        (255, 1),
        (0, u64::MAX),
    ] {
        let complete = level < 64
            && index
                .checked_add(1)
                .and_then(|i| i.checked_shl(u32::from(level)))
                .filter(|end| end >> level == index + 1)
                .is_some_and(|end| end <= size);
        if !complete {
            assert!(
                store.perfect_subtree(level, index).is_err(),
                "node {level}/{index} of a tree of {size}"
            );
        }
    }
}

/// What a store holding the first `n` golden entries and `c` checkpoints must read back, by
/// single reads and by range reads.
fn reads_back<S: StoreRead + ?Sized>(store: &S, g: &Golden, n: usize, c: usize) {
    assert_eq!(store.size().unwrap(), n as u64);
    assert_eq!(store.checkpoint_count().unwrap(), c as u64);
    for e in &g.entries[..n] {
        assert_eq!(
            store.entry_bytes(e.seq).unwrap(),
            e.bytes,
            "entry {}",
            e.seq
        );
    }
    let leaves: Vec<Digest> = g.entries[..n].iter().map(|e| e.leaf_hash).collect();
    for level in 0u8..8 {
        let width = 1usize << level;
        for index in 0..n / width {
            let expected = subtree(&leaves, index * width, (index + 1) * width);
            assert_eq!(
                store.perfect_subtree(level, index as u64).unwrap(),
                expected,
                "node {level}/{index} of a tree of {n}"
            );
        }
    }
    if let Some(changes) = store.registry_changes().unwrap() {
        let expected: Vec<u64> = g.entries[..n]
            .iter()
            .filter(|e| e.registry_change)
            .map(|e| e.seq)
            .collect();
        assert_eq!(changes, expected, "registry changes of {n} entries");
    }
    for (i, note) in g.checkpoints[..c].iter().enumerate() {
        assert_eq!(&store.checkpoint(i as u64).unwrap(), note, "checkpoint {i}");
    }
    out_of_range_reads_are_errors(store);
    let bytes: Vec<Vec<u8>> = g.entries[..n].iter().map(|e| e.bytes.clone()).collect();
    ranges_agree(store, &bytes, &leaves);
    checkpoint_ranges_agree(store, &g.checkpoints[..c]);
}

/// Range reads of entries and node hashes agree with `bytes` and `leaves` (what the store
/// holds): empty ranges, one entry, the whole, slices across the middle, and ranges reaching
/// past the end, which are errors naming the first missing entry or node.
fn ranges_agree<S: StoreRead + ?Sized>(store: &S, bytes: &[Vec<u8>], leaves: &[Digest]) {
    let n = bytes.len() as u64;
    for at in [0, n / 2, n] {
        assert!(
            store.entries(at..at).unwrap().is_empty(),
            "empty range at {at}"
        );
    }
    assert_eq!(
        store.entries(0..n).unwrap(),
        bytes,
        "all {n} entries in one range"
    );
    let cuts = [0, 1, n / 3, n / 2, n.saturating_sub(1), n];
    for &from in &cuts {
        for &to in &cuts {
            if from < to && to <= n {
                let (f, t) = (from as usize, to as usize);
                assert_eq!(
                    store.entries(from..to).unwrap(),
                    &bytes[f..t],
                    "{from}..{to}"
                );
            }
        }
    }
    for (from, to) in [
        (n.saturating_sub(1), n + 1),
        (n, n + 1),
        (n + 5, n + 7),
        (0, u64::MAX),
    ] {
        let first_missing = from.max(n);
        assert!(
            matches!(
                store.entries(from..to),
                Err(StoreError::OutOfRange { seq, size }) if seq == first_missing && size == n
            ),
            "entries {from}..{to} of {n}"
        );
    }
    let chunked: Vec<Vec<u8>> = read_entries(store, 0..n).map(|(_, b)| b.unwrap()).collect();
    assert_eq!(chunked, bytes, "read_entries over {n} entries");
    let seqs: Vec<u64> = read_entries(store, 0..n).map(|(seq, _)| seq).collect();
    assert_eq!(seqs, (0..n).collect::<Vec<_>>());
    for level in 0u8..10 {
        let complete = n >> level;
        let width = 1usize << level;
        let expected: Vec<Digest> = (0..complete as usize)
            .map(|i| subtree(leaves, i * width, (i + 1) * width))
            .collect();
        assert_eq!(
            store.node_hashes(level, 0..complete).unwrap(),
            expected,
            "level {level} of a tree of {n}"
        );
        assert!(store
            .node_hashes(level, complete..complete)
            .unwrap()
            .is_empty());
        if complete > 2 {
            assert_eq!(
                store.node_hashes(level, 1..complete - 1).unwrap(),
                &expected[1..complete as usize - 1]
            );
        }
        assert!(
            matches!(
                store.node_hashes(level, 0..complete + 1),
                Err(StoreError::NoSuchNode { level: l, index }) if l == level && index == complete
            ),
            "level {level}: one past the {complete} complete subtrees"
        );
    }
}

/// Checkpoint history by range agrees with `notes`; the latest is the last.
fn checkpoint_ranges_agree<S: StoreRead + ?Sized>(store: &S, notes: &[String]) {
    let c = notes.len() as u64;
    assert_eq!(store.checkpoints(0..c).unwrap(), notes);
    assert!(store.checkpoints(c..c).unwrap().is_empty());
    if c > 1 {
        assert_eq!(store.checkpoints(1..c).unwrap(), &notes[1..]);
    }
    assert_eq!(store.latest_checkpoint().unwrap().as_ref(), notes.last());
    assert!(matches!(
        store.checkpoints(c.saturating_sub(1)..c + 1),
        Err(StoreError::NoSuchCheckpoint { index, count }) if index == c && count == c
    ));
}

/// A store that refuses writes (read-only, latched) says so through the trait, refuses both
/// kinds and changes nothing.
fn refuses_writes<S: Store>(store: &mut S, g: &Golden) {
    let (size, count) = (store.size().unwrap(), store.checkpoint_count().unwrap());
    let reason = store
        .refusal()
        .expect("a store that refuses writes says why");
    assert!(!reason.is_empty());
    let next = usize::try_from(size).unwrap();
    if let Some(e) = g.entries.get(next) {
        assert!(matches!(
            store.append(std::slice::from_ref(e)),
            Err(StoreError::ReadOnly { .. })
        ));
    }
    assert!(matches!(
        store.append_checkpoint(&g.checkpoints[0]),
        Err(StoreError::ReadOnly { .. })
    ));
    assert_eq!(store.size().unwrap(), size);
    assert_eq!(store.checkpoint_count().unwrap(), count);
    assert_eq!(
        store.refusal(),
        Some(reason),
        "the reason stays the first one"
    );
}

/// The suite: every backend's fresh stores from `make` must pass it.
fn conformance<S: Store>(make: impl Fn() -> S) {
    let g = golden();
    let total = g.entries.len();

    // Empty. A fresh store accepts writes and recovered nothing.
    let mut store = make();
    reads_back(&store, &g, 0, 0);
    assert_eq!(store.refusal(), None);
    assert!(store.recovery().is_clean());
    // A reader taken now follows every later commit.
    let reader = store.reader();
    reads_back(&*reader, &g, 0, 0);

    // Appends in batches of 1, 2, 3, … entries; a checkpoint stored where the ledger stored
    // it (after the entries it covers).
    let mut at = 0usize;
    let mut batch = 1usize;
    let mut stored = 0usize;
    let covers: Vec<u64> = g
        .checkpoints
        .iter()
        .map(|note| {
            liuhen::checkpoint::SignedCheckpoint::parse(note.as_bytes())
                .unwrap()
                .checkpoint()
                .size
        })
        .collect();
    while at < total {
        let end = (at + batch).min(total);
        store.append(&g.entries[at..end]).unwrap();
        at = end;
        batch += 1;
        while stored < covers.len() && covers[stored] <= at as u64 {
            store.append_checkpoint(&g.checkpoints[stored]).unwrap();
            stored += 1;
        }
        reads_back(&store, &g, at, stored);
        reads_back(&*reader, &g, at, stored);
    }
    assert_eq!(stored, g.checkpoints.len());

    // Refusals change nothing: a gap, a repeat, a batch not in order.
    let mut fresh = make();
    fresh.append(&g.entries[..3]).unwrap();
    for bad in [
        vec![g.entries[4].clone()],
        vec![g.entries[2].clone()],
        vec![g.entries[0].clone()],
        vec![g.entries[3].clone(), g.entries[5].clone()],
        vec![g.entries[4].clone(), g.entries[3].clone()],
    ] {
        assert!(
            matches!(fresh.append(&bad), Err(StoreError::NotContiguous { .. })),
            "batch starting at {}",
            bad[0].seq
        );
        reads_back(&fresh, &g, 3, 0);
    }
    // An empty batch appends nothing (whether it is accepted or refused).
    let _ = fresh.append(&[]);
    reads_back(&fresh, &g, 3, 0);
    // And the store still takes the next entry after the refusals.
    fresh.append(&g.entries[3..4]).unwrap();
    reads_back(&fresh, &g, 4, 0);

    // A ledger opened over the filled store proves what the original ledger's roots say.
    let clock = Arc::new(ManualClock::new(Timestamp(common::T0 + 86_400_000)));
    let ledger = Ledger::open(store, clock, LedgerOptions::default()).unwrap();
    let size = total as u64;
    assert_eq!(ledger.size(), size);
    assert_eq!(ledger.root(), g.roots[total]);
    let hasher = Sha256TreeHasher;
    for tree_size in [1, 2, 3, 7, 8, 9, 31, 32, 33, size] {
        for seq in [0, tree_size / 2, tree_size - 1] {
            let proof = ledger.prove_inclusion(seq, tree_size).unwrap();
            let leaf = hasher.hash_leaf(&g.entries[seq as usize].bytes);
            proof
                .verify(&hasher, &leaf, &g.roots[tree_size as usize])
                .unwrap();
        }
        let proof = ledger.prove_consistency(tree_size, size).unwrap();
        proof
            .verify(&hasher, &g.roots[tree_size as usize], &g.roots[total])
            .unwrap();
    }
    assert!(ledger.prove_inclusion(size, size).is_err());
    assert!(ledger.prove_inclusion(0, size + 1).is_err());
    // The reader proves the same, from the read side alone.
    for tree_size in [1, 9, 33, size] {
        let proof = prove_inclusion_in(&*reader, tree_size - 1, tree_size).unwrap();
        let leaf = hasher.hash_leaf(&g.entries[tree_size as usize - 1].bytes);
        proof
            .verify(&hasher, &leaf, &g.roots[tree_size as usize])
            .unwrap();
    }
    assert!(prove_inclusion_in(&*reader, 0, size + 1).is_err());
}

/// Synthetic entries `0..n` (the store checks no signature, only positions and leaf hashes):
/// every third one close to the 64 KiB limit, so that ranges cross the file store's read size
/// (4 MiB) as well as [`ENTRY_CHUNK`].
fn synthetic(n: u64) -> Vec<EncodedEntry> {
    (0..n)
        .map(|seq| {
            let len = if seq % 3 == 0 {
                60_000 + seq as usize
            } else {
                1 + seq as usize % 300
            };
            let bytes: Vec<u8> = (0..len).map(|i| (i as u64 ^ seq) as u8).collect();
            EncodedEntry {
                seq,
                leaf_hash: Sha256TreeHasher.hash_leaf(&bytes),
                bytes,
                registry_change: false,
            }
        })
        .collect()
}

/// Range reads across chunk boundaries, through the store and through a reader.
fn range_reads_across_chunks<S: Store>(mut store: S) {
    let n = 2 * ENTRY_CHUNK + 45;
    let entries = synthetic(n);
    for batch in entries.chunks(37) {
        store.append(batch).unwrap();
    }
    let bytes: Vec<Vec<u8>> = entries.iter().map(|e| e.bytes.clone()).collect();
    let leaves: Vec<Digest> = entries.iter().map(|e| e.leaf_hash).collect();
    ranges_agree(&store, &bytes, &leaves);
    let reader = store.reader();
    ranges_agree(&*reader, &bytes, &leaves);
    for (from, to) in [
        (ENTRY_CHUNK - 1, ENTRY_CHUNK + 1),
        (1, 2 * ENTRY_CHUNK + 1),
        (70, 140),
        (0, 80),
    ] {
        assert_eq!(
            store.entries(from..to).unwrap(),
            &bytes[from as usize..to as usize],
            "{from}..{to}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Backends

#[test]
fn memory_store_conforms() {
    conformance(MemoryStore::new);
    range_reads_across_chunks(MemoryStore::new());
}

#[test]
fn file_store_conforms() {
    let dirs = std::sync::Mutex::new(Vec::new());
    conformance(|| {
        let dir = TempDir::new("file");
        let store = FileStore::create(dir.path(), common::ORIGIN).unwrap();
        dirs.lock().unwrap().push(dir);
        store
    });
    let dir = TempDir::new("chunks");
    range_reads_across_chunks(FileStore::create(dir.path(), common::ORIGIN).unwrap());
}

#[test]
fn file_store_reads_back_after_reopening_and_read_only_handles_refuse_writes() {
    let g = golden();
    let dir = TempDir::new("reopen");
    let n = 20;
    {
        let mut store = FileStore::create(dir.path(), common::ORIGIN).unwrap();
        store.append(&g.entries[..n]).unwrap();
        store.append_checkpoint(&g.checkpoints[0]).unwrap();
    }
    // The writer, reopened.
    let mut store = FileStore::open(dir.path()).unwrap();
    assert!(store.recovery().is_clean(), "{:?}", store.recovery());
    assert_eq!(store.refusal(), None);
    reads_back(&store, &g, n, 1);
    // A reader beside the writer: reads the same, refuses writes.
    let mut reader = FileStore::open_read_only(dir.path()).unwrap();
    reads_back(&reader, &g, n, 1);
    refuses_writes(&mut reader, &g);
    // The writer still appends; the reader keeps the view it opened with.
    store.append(&g.entries[n..n + 1]).unwrap();
    reads_back(&store, &g, n + 1, 1);
    reads_back(&reader, &g, n, 1);
}

/// Opens the golden store's first `n` entries and `c` checkpoints (which must cover no more)
/// as a writer whose syncs can be held.
fn held_file_store(dir: &TempDir, g: &Golden, n: usize, c: usize) -> (FileStore, Faults) {
    {
        let mut store = FileStore::create(dir.path(), common::ORIGIN).unwrap();
        store.append(&g.entries[..n]).unwrap();
        for note in &g.checkpoints[..c] {
            store.append_checkpoint(note).unwrap();
        }
    }
    let faults = Faults::none();
    let store = FileStore::open_with(
        dir.path(),
        &OpenOptions {
            faults: Some(faults.clone()),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    (store, faults)
}

/// What a reader read while the writer was held.
struct Seen {
    size: u64,
    latest: Option<String>,
    proved: bool,
}

/// Reads through `reader` on another thread and sends what it saw (a reader that waited for
/// the writer would never send: the guard below turns that hang into a failure).
fn read_meanwhile(reader: Arc<dyn StoreRead>, g: &Golden, n: u64) -> mpsc::Receiver<Seen> {
    let (tx, rx) = mpsc::channel();
    let root = g.roots[n as usize];
    let leaf = g.entries[0].leaf_hash;
    std::thread::spawn(move || {
        let proved = prove_inclusion_in(&*reader, 0, n)
            .unwrap()
            .verify(&Sha256TreeHasher, &leaf, &root)
            .is_ok();
        let seen = Seen {
            size: reader.size().unwrap(),
            latest: reader.latest_checkpoint().unwrap(),
            proved,
        };
        let _ = tx.send(seen);
    });
    rx
}

/// Not a timing assertion: only a guard so that a reader stuck behind the writer fails the test
/// instead of hanging it.
const STUCK: Duration = Duration::from_secs(120);

#[test]
fn a_reader_is_not_blocked_by_a_commit_held_in_its_sync_and_sees_only_acknowledged_entries() {
    let g = golden();
    let n = 20;
    let dir = TempDir::new("held");
    let (mut store, faults) = held_file_store(&dir, &g, n, 1);
    let reader: Arc<dyn StoreRead> = Arc::new(store.reader());
    let hold = faults.hold_next_sync();
    let (done_tx, done_rx) = mpsc::channel();
    let next = g.entries[n].clone();
    let writer = std::thread::spawn(move || {
        let result = store.append(std::slice::from_ref(&next));
        let _ = done_tx.send(());
        result.map(|()| store)
    });
    hold.wait_until_held();
    // The writer is inside its commit's fdatasync now.
    let seen = read_meanwhile(Arc::clone(&reader), &g, n as u64)
        .recv_timeout(STUCK)
        .expect("the reader finished while the writer was held");
    assert!(
        seen.proved,
        "inclusion proved from the reader during the commit"
    );
    assert_eq!(seen.size, n as u64, "the unacknowledged entry is not shown");
    assert_eq!(seen.latest.as_deref(), Some(g.checkpoints[0].as_str()));
    assert!(
        matches!(
            reader.entry_bytes(n as u64),
            Err(StoreError::OutOfRange { .. })
        ),
        "the entry being committed is not readable yet"
    );
    // Ordering: the writer had not returned when the reader finished.
    assert!(matches!(done_rx.try_recv(), Err(mpsc::TryRecvError::Empty)));
    hold.release();
    let store = writer.join().unwrap().unwrap();
    assert_eq!(
        reader.size().unwrap(),
        n as u64 + 1,
        "acknowledged: now shown"
    );
    assert_eq!(reader.entry_bytes(n as u64).unwrap(), g.entries[n].bytes);
    reads_back(&*reader, &g, n + 1, 1);
    drop(store);
}

#[test]
fn shared_ledger_reads_do_not_wait_for_a_group_commit_held_in_its_sync() {
    let g = golden();
    let n = g.entries.len();
    let dir = TempDir::new("shared-held");
    let (store, faults) = held_file_store(&dir, &g, n, g.checkpoints.len());
    let (_, keys) = common::small_ledger(40, &[5, 20]);
    let clock = Arc::new(ManualClock::new(Timestamp(common::T0 + 86_400_000)));
    let ledger = Ledger::open(store, clock, LedgerOptions::default()).unwrap();
    let shared = Arc::new(SharedLedger::new(ledger));
    let hold = faults.hold_next_sync();
    let (done_tx, done_rx) = mpsc::channel();
    let writer = {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            let event = common::events::document_filed(
                "金民执〔2026〕1号",
                common::media("held.pdf", "application/pdf"),
            );
            let result = shared.sign_and_append(&keys.officer, event);
            let _ = done_tx.send(());
            result
        })
    };
    hold.wait_until_held();
    // The writer holds the ledger lock, blocked in the store's fdatasync; every read below
    // would wait for it if it took the lock.
    let (tx, rx) = mpsc::channel();
    {
        let shared = Arc::clone(&shared);
        let (root, leaf) = (g.roots[n], g.entries[n - 1].leaf_hash);
        std::thread::spawn(move || {
            let proof = shared.prove_inclusion(n as u64 - 1, n as u64).unwrap();
            let latest = shared.latest_checkpoint().unwrap().unwrap();
            let consistency = shared.prove_consistency(1, n as u64).unwrap();
            let _ = tx.send((
                proof.verify(&Sha256TreeHasher, &leaf, &root).is_ok(),
                latest.checkpoint().size,
                shared.size().unwrap(),
                shared.verifier_key().is_ok(),
                consistency.path.len(),
            ));
        });
    }
    let (proved, latest_size, size, vkey, _) = rx
        .recv_timeout(STUCK)
        .expect("the SharedLedger reads finished while the commit was held");
    assert!(matches!(done_rx.try_recv(), Err(mpsc::TryRecvError::Empty)));
    assert!(proved);
    assert_eq!(latest_size, n as u64);
    assert_eq!(
        size, n as u64,
        "the entry being committed is not counted yet"
    );
    assert!(vkey);
    hold.release();
    let receipt = writer.join().unwrap().unwrap();
    assert_eq!(receipt.seq, n as u64);
    assert_eq!(shared.size().unwrap(), n as u64 + 1);
    assert!(shared.prove_inclusion(n as u64, n as u64 + 1).is_ok());
}

#[test]
fn file_store_errors_cross_the_trait_as_the_backend_variant_with_their_context() {
    let dir = TempDir::new("backend");
    let mut store = FileStore::create(dir.path(), common::ORIGIN).unwrap();
    let mut entry = synthetic(1).remove(0);
    entry.leaf_hash = Digest::ZERO;
    let e = store.append(&[entry]).unwrap_err();
    let StoreError::Backend { backend, source } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(*backend, "file");
    assert!(
        matches!(
            source.downcast_ref::<liuhen::store::file::FileStoreError>(),
            Some(liuhen::store::file::FileStoreError::LeafHashMismatch { seq: 0, .. })
        ),
        "{source}"
    );
    // A refusal before writing does not latch.
    assert_eq!(store.refusal(), None);
}

// ---------------------------------------------------------------------------------------------
// Faults: every backend, through `Faults` and `common::faults::FaultyBackend`

/// A store of `b` holding the first `n` golden entries (one group) and `c` checkpoints, whose
/// later commits `faults` numbers and fails.
fn filled<B: FaultyBackend>(
    b: &mut B,
    faults: &Faults,
    g: &Golden,
    n: usize,
    c: usize,
) -> B::Store {
    let mut store = b.open(faults);
    if n > 0 {
        store.append(&g.entries[..n]).unwrap();
    }
    for note in &g.checkpoints[..c] {
        store.append_checkpoint(note).unwrap();
    }
    store
}

/// The failure semantics every backend must have after the write `failed` returned (an error
/// of the commit's operation): the backend's own error carrying the injected one, the latch
/// (both kinds of writes refused, the refusal naming the failed operation, to the writer and
/// its readers alike), and reads — the writer's and a reader's — of exactly the `n`
/// acknowledged entries and `c` checkpoints.
fn latched<B: FaultyBackend>(
    store: &mut B::Store,
    reader: &dyn StoreRead,
    failed: &StoreError,
    g: &Golden,
    n: usize,
    c: usize,
) {
    let injected = assert_backend_fault::<B>(failed);
    let reason = store.refusal().expect("latched after a failed write");
    assert!(
        reason.contains(&injected),
        "{reason} does not name {injected}"
    );
    assert_eq!(reader.refusal(), Some(reason), "the reader says why too");
    reads_back(&*store, g, n, c);
    reads_back(reader, g, n, c);
    refuses_writes(store, g);
}

/// After reopening a store whose commit failed: no acknowledged record lost, no tampering
/// reported, of the failed commit a prefix kept (adopted, and reported so) or nothing, writes
/// accepted again; reads give back the golden entries and checkpoints (all of what is kept if
/// the failed write was `golden` too). Returns the number of entries and checkpoints kept.
fn recovered<S: Store>(
    store: &S,
    g: &Golden,
    n: usize,
    k: usize,
    c: usize,
    notes: usize,
    golden: bool,
) -> (usize, usize) {
    let recovery = store.recovery();
    assert!(!recovery.is_tampered(), "{recovery:?}");
    assert_eq!(store.refusal(), None, "{recovery:?}");
    let kept = usize::try_from(store.size().unwrap()).unwrap();
    let kept_notes = usize::try_from(store.checkpoint_count().unwrap()).unwrap();
    // A prefix of the failed group: all of it, none of it, or (a durable store whose group
    // write was torn: the file store's crash case 2) its complete entries before the tear.
    assert!((n..=n + k).contains(&kept), "kept {kept} of {n} + {k}");
    assert!(
        kept_notes == c || kept_notes == c + notes,
        "kept {kept_notes} of {c} + {notes}"
    );
    // What was adopted is reported (a store that finds the group indexed already, because the
    // failure came after its index records, cannot tell it from an acknowledged one).
    assert!(
        recovery.entries.adopted <= (kept - n) as u64,
        "{recovery:?}"
    );
    assert!(
        recovery.checkpoints.adopted <= (kept_notes - c) as u64,
        "{recovery:?}"
    );
    assert_eq!(
        recovery.entries.dropped + recovery.checkpoints.dropped,
        0,
        "{recovery:?}"
    );
    if golden {
        reads_back(store, g, kept, kept_notes);
    } else {
        // The failed write was not golden: the golden part is all there.
        let bytes: Vec<Vec<u8>> = g.entries[..n].iter().map(|e| e.bytes.clone()).collect();
        assert_eq!(store.entries(0..n as u64).unwrap(), bytes);
        assert_eq!(store.checkpoints(0..c as u64).unwrap(), &g.checkpoints[..c]);
    }
    (kept, kept_notes)
}

/// The kinds of faults every operation is failed with: an I/O error, and a full disk that
/// first writes half of what it was given.
const FAULT_KINDS: [(bool, std::io::ErrorKind); 2] = [
    (false, std::io::ErrorKind::Other),
    (true, std::io::ErrorKind::StorageFull),
];

/// Runs `write` once on a store of `b` holding the first `n` golden entries and `c`
/// checkpoints, to count its operations; then, on such stores, fails each of them in turn,
/// plainly and as a short write: the store must be [`latched`]; `reopened` checks what `b`
/// reopens.
fn fail_each_operation<B: FaultyBackend>(
    b: &mut B,
    g: &Golden,
    (n, c): (usize, usize),
    write: impl Fn(&mut B::Store) -> Result<(), StoreError>,
    mut reopened: impl FnMut(B::Store),
) {
    let counter = Faults::none();
    let mut store = filled(b, &counter, g, n, c);
    let (ops, syncs) = count_operations(&counter, || write(&mut store).unwrap());
    assert!(
        syncs >= 1 && ops > syncs,
        "a commit writes and syncs: {ops} ops, {syncs} syncs"
    );
    for (short, kind) in FAULT_KINDS {
        for op in 0..ops {
            let faults = Faults::new(None, short, kind);
            let mut store = filled(b, &faults, g, n, c);
            let reader = store.reader();
            faults.fail_in(op);
            let failed = write(&mut store).unwrap_err();
            assert!(faults.fired(), "op {op} of {ops}");
            latched::<B>(&mut store, &*reader, &failed, g, n, c);
            reopened(b.reopen(store));
        }
    }
}

/// Fails each operation of an append group in turn (groups with and without registry changes,
/// on an empty store and a filled one), with and without short writes.
fn append_faults<B: FaultyBackend>(mut b: B) {
    let g = golden();
    // (entries before, group size, checkpoints before): genesis and both authorizations; five
    // documents after the first seal; one after the second.
    for (n, k, c) in [(0, 3, 0), (9, 5, 1), (24, 1, 2)] {
        let group = &g.entries[n..n + k];
        fail_each_operation(
            &mut b,
            &g,
            (n, c),
            |s| s.append(group),
            |mut store| {
                let (kept, _) = recovered(&store, &g, n, k, c, 0, true);
                store.append(&g.entries[kept..kept + 1]).unwrap();
                reads_back(&store, &g, kept + 1, c);
            },
        );
    }
}

/// Fails each operation of a checkpoint append in turn, with and without short writes.
fn checkpoint_faults<B: FaultyBackend>(mut b: B) {
    let g = golden();
    let (n, c) = (g.entries.len(), g.checkpoints.len() - 1);
    let note = &g.checkpoints[c];
    fail_each_operation(
        &mut b,
        &g,
        (n, c),
        |s| s.append_checkpoint(note),
        |mut store| {
            let (_, kept) = recovered(&store, &g, n, 0, c, 1, true);
            if kept == c {
                store.append_checkpoint(note).unwrap();
            }
            reads_back(&store, &g, n, c + 1);
        },
    );
}

/// A ledger over a store of `b` holding the whole golden ledger, whose later commits `faults`
/// fails; and the keys that made it.
fn faulty_ledger<B: FaultyBackend>(
    b: &mut B,
    faults: &Faults,
    g: &Golden,
) -> (Ledger<B::Store>, common::Keys) {
    let store = filled(b, faults, g, g.entries.len(), g.checkpoints.len());
    let (_, keys) = common::small_ledger(40, &[5, 20]);
    let clock = Arc::new(ManualClock::new(Timestamp(common::T0 + 86_400_000)));
    (
        Ledger::open(store, clock, LedgerOptions::default()).unwrap(),
        keys,
    )
}

fn filed(name: &str) -> liuhen::model::Event {
    common::events::document_filed("金民执〔2026〕9号", common::media(name, "application/pdf"))
}

/// `e` is the store's failure as a ledger reports it: `LedgerError::Store` holding the
/// backend's error (a failed commit) or the latch's refusal.
fn store_failure<B: FaultyBackend>(e: &LedgerError, latch: bool) {
    match e {
        LedgerError::Store(StoreError::ReadOnly { reason }) if latch => {
            assert!(reason.contains("injected fault"), "{reason}");
        }
        LedgerError::Store(failed) if !latch => {
            assert_backend_fault::<B>(failed);
        }
        other => panic!(
            "not the store's {}: {other:?}",
            if latch { "latch" } else { "failure" }
        ),
    }
}

/// How many store operations a ledger's append of one statement and a seal take.
fn ledger_operations<B: FaultyBackend>(b: &mut B, g: &Golden) -> (u64, u64) {
    let counter = Faults::none();
    let (mut ledger, keys) = faulty_ledger(b, &counter, g);
    let (append, _) = count_operations(&counter, || {
        ledger
            .sign_and_append(&keys.officer, filed("count.pdf"))
            .unwrap();
    });
    let (seal, _) = count_operations(&counter, || {
        ledger.seal(&keys.ledger).unwrap();
    });
    (append, seal)
}

/// A `Ledger` on a store whose append or seal fails reports the store's failure, changes
/// nothing, refuses every later append and seal, and its store reopens to every acknowledged
/// entry.
fn ledger_faults<B: FaultyBackend>(mut b: B) {
    let g = golden();
    let (n, c) = (g.entries.len(), g.checkpoints.len());
    let (append_ops, seal_ops) = ledger_operations(&mut b, &g);
    for op in 0..append_ops + seal_ops {
        let faults = Faults::none();
        let (mut ledger, keys) = faulty_ledger(&mut b, &faults, &g);
        // A seal over the current tree (the size of the last checkpoint: allowed), or an append.
        let sealing = op >= append_ops;
        if sealing {
            faults.fail_in(op - append_ops);
            let e = ledger.seal(&keys.ledger).unwrap_err();
            store_failure::<B>(&e, false);
        } else {
            faults.fail_in(op);
            let e = ledger
                .sign_and_append(&keys.officer, filed("failed.pdf"))
                .unwrap_err();
            store_failure::<B>(&e, false);
        }
        assert!(faults.fired(), "op {op}");
        assert_eq!(ledger.size(), n as u64, "op {op}");
        let e = ledger
            .sign_and_append(&keys.officer, filed("after.pdf"))
            .unwrap_err();
        store_failure::<B>(&e, true);
        let e = ledger.seal(&keys.ledger).unwrap_err();
        store_failure::<B>(&e, true);
        assert_eq!(ledger.size(), n as u64);
        reads_back(ledger.store(), &g, n, c);
        // Reopened: every acknowledged entry and checkpoint (and of the failed write all or
        // nothing: it is one entry or one checkpoint), and the ledger appends again.
        let store = b.reopen(ledger.into_store());
        let (entries, notes) = recovered(
            &store,
            &g,
            n,
            usize::from(!sealing),
            c,
            usize::from(sealing),
            false,
        );
        let kept = entries as u64;
        assert!(notes == c || sealing, "op {op}: {notes}");
        let clock = Arc::new(ManualClock::new(Timestamp(common::T0 + 86_400_000)));
        let mut ledger = Ledger::open(store, clock, LedgerOptions::default()).unwrap();
        ledger
            .sign_and_append(&keys.officer, filed("reopened.pdf"))
            .unwrap();
        assert_eq!(ledger.size(), kept + 1);
    }
}

/// A `SharedLedger` on a store whose commit fails reports the store's failure — for an
/// exclusive append, and to every caller of a group commit — and refuses later appends; its
/// reads still answer with the acknowledged entries.
fn shared_ledger_faults<B: FaultyBackend>(mut b: B) {
    let g = golden();
    let (n, c) = (g.entries.len(), g.checkpoints.len());
    let (ops, _) = ledger_operations(&mut b, &g);
    for group_commit in [false, true] {
        for op in 0..ops {
            let faults = Faults::none();
            let (ledger, keys) = faulty_ledger(&mut b, &faults, &g);
            let shared = SharedLedger::new(ledger);
            faults.fail_in(op);
            let e = if group_commit {
                let statement = shared
                    .with(|l| l.sign(&keys.officer, l.now(), filed("group.pdf")))
                    .unwrap()
                    .unwrap();
                let e = shared.append_signed(statement).unwrap_err();
                assert!(
                    matches!(e, liuhen::SharedError::GroupCommit { group: 1, .. }),
                    "{e:?}"
                );
                e
            } else {
                shared
                    .sign_and_append(&keys.officer, filed("exclusive.pdf"))
                    .unwrap_err()
            };
            assert!(faults.fired(), "op {op}");
            store_failure::<B>(e.ledger_error().expect("a ledger error"), false);
            assert_eq!(shared.size().unwrap(), n as u64);
            let e = shared
                .sign_and_append(&keys.officer, filed("after.pdf"))
                .unwrap_err();
            store_failure::<B>(e.ledger_error().expect("a ledger error"), true);
            assert_eq!(shared.size().unwrap(), n as u64);
            reads_back(&*shared.reader(), &g, n, c);
        }
    }
}

/// The index of the operation at which a commit of `group` on a store of `b` syncs first.
fn first_sync<B: FaultyBackend>(b: &mut B, g: &Golden, n: usize, group: &[EncodedEntry]) -> u64 {
    let faults = Faults::none();
    let mut store = filled(b, &faults, g, n, 0);
    let before = faults.operations();
    let hold = faults.hold_next_sync();
    std::thread::scope(|s| {
        let writer = s.spawn(|| store.append(group));
        hold.wait_until_held();
        let at = faults.operations() - before;
        hold.release();
        writer.join().unwrap().unwrap();
        at
    })
}

/// A reader concurrent with a failing writer never observes a part of the failed group: held
/// in the commit's sync (after its write) and failed there, and racing a writer failed at every
/// operation with short writes.
fn concurrent_reader_faults<B: FaultyBackend>(mut b: B) {
    let g = golden();
    let (n, k) = (9, 5);
    let group = &g.entries[n..n + k];
    // Held in the sync, which then fails: the written group is never shown.
    let sync = first_sync(&mut b, &g, n, group);
    let faults = Faults::none();
    let mut store = filled(&mut b, &faults, &g, n, 0);
    let reader = store.reader();
    faults.fail_in(sync);
    let hold = faults.hold_next_sync();
    std::thread::scope(|s| {
        let writer = s.spawn(|| store.append(group));
        hold.wait_until_held();
        reads_back(&*reader, &g, n, 0);
        hold.release();
        let failed = writer.join().unwrap().unwrap_err();
        assert_backend_fault::<B>(&failed);
    });
    reads_back(&*reader, &g, n, 0);
    // A reader reading in a loop while writers fail at each operation in turn.
    let counter = Faults::none();
    let mut store = filled(&mut b, &counter, &g, n, 0);
    let (ops, _) = count_operations(&counter, || store.append(group).unwrap());
    for op in 0..ops {
        let faults = Faults::new(None, true, std::io::ErrorKind::StorageFull);
        let mut store = filled(&mut b, &faults, &g, n - 1, 0);
        let reader = store.reader();
        let done = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            let watcher = s.spawn(|| {
                let mut seen = Vec::new();
                loop {
                    let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                    let size = reader.size().unwrap();
                    let shown = reader.entries(0..size).unwrap();
                    let tree = reader.node_hashes(0, 0..size).unwrap();
                    assert!(
                        size == n as u64 - 1 || size == n as u64,
                        "op {op}: size {size}"
                    );
                    for (seq, bytes) in shown.iter().enumerate() {
                        assert_eq!(bytes, &g.entries[seq].bytes, "op {op}: entry {seq}");
                        assert_eq!(tree[seq], g.entries[seq].leaf_hash, "op {op}: leaf {seq}");
                    }
                    seen.push(size);
                    if finished {
                        return seen;
                    }
                }
            });
            store.append(&g.entries[n - 1..n]).unwrap();
            faults.fail_in(op);
            assert!(store.append(group).is_err(), "op {op}");
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            let seen = watcher.join().unwrap();
            assert_eq!(
                seen.last(),
                Some(&(n as u64)),
                "op {op}: the last read saw the acknowledged end"
            );
        });
    }
}

fn memory(_check: &str) -> MemoryBackend {
    MemoryBackend
}

fn file(check: &str) -> FileBackend {
    FileBackend::new(check)
}

crate::backend_suite!(memory: append_faults, checkpoint_faults, ledger_faults, shared_ledger_faults, concurrent_reader_faults);
crate::backend_suite!(file: append_faults, checkpoint_faults, ledger_faults, shared_ledger_faults, concurrent_reader_faults);
