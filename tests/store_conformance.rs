//! One conformance suite for every [`Store`] backend (issue 13): `MemoryStore` and `FileStore`
//! today, any later backend by one more `#[test]` calling [`conformance`].
//!
//! The suite fills a fresh store with the entries and checkpoints of a real ledger (made in
//! memory by the shared test kit) in batches of varying sizes and checks, through the trait
//! only: sizes, entries read back byte for byte, every perfect subtree against an independent
//! RFC 6962 computation, registry changes, checkpoints, refusals that change nothing
//! (non-contiguous batches), errors — never panics — for reads out of range, and that a
//! `Ledger` opened over the store proves inclusion and consistency against the original roots.
//! Backends with more to offer (reopening, read-only handles, a write latch after a failed
//! write) run the generic parts that apply to them: [`reads_back`] and [`refuses_writes`].
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::temp::TempDir;

use std::sync::Arc;

use liuhen::entry::EncodedEntry;
use liuhen::hash::{Digest, Sha256TreeHasher, TreeHasher};
use liuhen::store::file::{Access, Faults, FileStore, OpenOptions};
use liuhen::{
    Entry, Ledger, LedgerOptions, ManualClock, MemoryStore, Store, StoreError, Timestamp,
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
        .entries()
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
        checkpoints: store.checkpoints().to_vec(),
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
fn out_of_range_reads_are_errors<S: Store>(store: &S) {
    let size = store.size();
    let count = store.checkpoint_count();
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

/// What a store holding the first `n` golden entries and `c` checkpoints must read back.
fn reads_back<S: Store>(store: &S, g: &Golden, n: usize, c: usize) {
    assert_eq!(store.size(), n as u64);
    assert_eq!(store.checkpoint_count(), c as u64);
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
}

/// A store that refuses writes (read-only, latched) refuses both kinds and changes nothing.
fn refuses_writes<S: Store>(store: &mut S, g: &Golden) {
    let (size, count) = (store.size(), store.checkpoint_count());
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
    assert_eq!(store.size(), size);
    assert_eq!(store.checkpoint_count(), count);
}

/// The suite: every backend's fresh stores from `make` must pass it.
fn conformance<S: Store>(make: impl Fn() -> S) {
    let g = golden();
    let total = g.entries.len();

    // Empty.
    let mut store = make();
    reads_back(&store, &g, 0, 0);

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
}

// ---------------------------------------------------------------------------------------------
// Backends

#[test]
fn memory_store_conforms() {
    conformance(MemoryStore::new);
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

#[test]
fn file_store_refuses_every_write_after_a_failed_one_and_loses_nothing() {
    let g = golden();
    let n = 10;
    // Learn how many operations one append of one entry takes, then fail each in turn.
    let ops = {
        let dir = TempDir::new("latch-count");
        drop(FileStore::create(dir.path(), common::ORIGIN).unwrap());
        let faults = Faults::none();
        let mut store = FileStore::open_with(
            dir.path(),
            &OpenOptions {
                faults: Some(faults.clone()),
                ..OpenOptions::default()
            },
        )
        .unwrap();
        let before = faults.operations();
        store.append(&g.entries[..n]).unwrap();
        faults.operations() - before
    };
    assert!(ops >= 2, "an append writes and syncs: {ops} operations");
    let mut failed = 0;
    for op in 0..ops {
        let dir = TempDir::new("latch");
        drop(FileStore::create(dir.path(), common::ORIGIN).unwrap());
        let faults = Faults::none();
        let base = {
            // Count the operations of opening, so that the fault hits the append.
            let _probe = FileStore::open_with(
                dir.path(),
                &OpenOptions {
                    faults: Some(faults.clone()),
                    ..OpenOptions::default()
                },
            )
            .unwrap();
            faults.operations()
        };
        let faults = Faults::fail_at(base + op);
        let mut store = FileStore::open_with(
            dir.path(),
            &OpenOptions {
                access: Access::Write,
                faults: Some(faults.clone()),
                ..OpenOptions::default()
            },
        )
        .unwrap();
        let result = store.append(&g.entries[..n]);
        if !faults.fired() {
            // The append needed fewer operations on this run: nothing to test at this step.
            result.unwrap();
            continue;
        }
        assert!(result.is_err(), "op {op}");
        failed += 1;
        // Latched: nothing acknowledged, every write refused, reads still answer.
        reads_back(&store, &g, 0, 0);
        refuses_writes(&mut store, &g);
        drop(store);
        // Reopened, it recovers: the unacknowledged batch is kept whole or not at all, and
        // appends continue.
        let mut store = FileStore::open(dir.path()).unwrap();
        let kept = usize::try_from(store.size()).unwrap();
        assert!(kept == 0 || kept == n, "op {op}: kept {kept}");
        reads_back(&store, &g, kept, 0);
        store.append(&g.entries[kept..kept + 1]).unwrap();
        reads_back(&store, &g, kept + 1, 0);
    }
    assert_eq!(failed, ops, "every operation of the append was failed once");
}
