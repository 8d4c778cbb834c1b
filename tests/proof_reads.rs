//! Proofs read their nodes in one call (issue 13): `merkle` plans every perfect subtree a
//! proof or a root needs and asks [`HashReader::perfect_subtrees`] once; the ledger's adapter
//! forwards that to [`StoreRead::node_hashes_at`], which the file store answers with one
//! positional read per run of nearby index positions. These tests check, for random tree sizes,
//! leaves and old sizes, that the proofs and roots read that way are byte for byte the ones read
//! one node at a time (the reading path before), and both the ones of an in-memory tree; and that
//! `node_hashes_at` returns what single reads return, in the order asked, for any list of nodes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::OnceLock;

use common::temp::TempDir;
use liuhen::entry::EncodedEntry;
use liuhen::hash::{Digest, Sha256TreeHasher, TreeHasher};
use liuhen::ledger::{prove_consistency_in, prove_inclusion_in};
use liuhen::merkle::{self, HashReader, MemoryTree, MerkleError};
use liuhen::store::file::FileStore;
use liuhen::store::{StoreRead, StoreWrite};
use liuhen::{MemoryStore, StoreError};
use proptest::prelude::*;

const H: Sha256TreeHasher = Sha256TreeHasher;

/// Leaves in the stores: enough that a proof's nodes span more than one run of the file
/// store's reads (the index of 5,000 entries is about 380 KB) and thirteen levels.
const LEAVES: u64 = 5_000;

/// The shared stores: a file store and a memory store holding the same synthetic entries, and
/// the in-memory tree of their leaf hashes. The directory lives as long as the test process.
struct Fixture {
    file: FileStore,
    memory: MemoryStore,
    tree: MemoryTree,
    _dir: TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // Entries the store checks only for position and leaf hash; small, various lengths.
        let entries: Vec<EncodedEntry> = (0..LEAVES)
            .map(|seq| {
                let bytes: Vec<u8> = (0..1 + seq % 97).map(|i| (i ^ seq) as u8).collect();
                EncodedEntry {
                    seq,
                    leaf_hash: H.hash_leaf(&bytes),
                    bytes,
                    registry_change: false,
                }
            })
            .collect();
        let dir = TempDir::new("proof-reads");
        let mut file = FileStore::create(dir.path(), common::ORIGIN).unwrap();
        let mut memory = MemoryStore::new();
        let mut tree = MemoryTree::new();
        for batch in entries.chunks(333) {
            file.append(batch).unwrap();
            memory.append(batch).unwrap();
        }
        for e in &entries {
            tree.push(&H, e.leaf_hash);
        }
        Fixture {
            file,
            memory,
            tree,
            _dir: dir,
        }
    })
}

/// A store read one node per call: the reading path before `perfect_subtrees`. Fails the
/// test if a read errs.
struct OneByOne<'a, S: ?Sized>(&'a S);

impl<S: StoreRead + ?Sized> HashReader for OneByOne<'_, S> {
    fn perfect_subtree(&self, level: u8, index: u64) -> Result<Digest, MerkleError> {
        Ok(self.0.perfect_subtree(level, index).unwrap())
    }
}

/// A store read through `node_hashes_at` alone, failing the test if it errs.
struct Batched<'a, S: ?Sized>(&'a S);

impl<S: StoreRead + ?Sized> HashReader for Batched<'_, S> {
    fn perfect_subtree(&self, level: u8, index: u64) -> Result<Digest, MerkleError> {
        panic!("read one node ({level}, {index}) instead of a batch")
    }

    fn perfect_subtrees(&self, nodes: &[(u8, u64)]) -> Result<Vec<Digest>, MerkleError> {
        Ok(self.0.node_hashes_at(nodes).unwrap())
    }
}

fn size_and_index() -> impl Strategy<Value = (u64, u64)> {
    (1..=LEAVES).prop_flat_map(|n| (Just(n), 0..n))
}

fn old_and_new_size() -> impl Strategy<Value = (u64, u64)> {
    (1..=LEAVES).prop_flat_map(|n| (0..=n, Just(n)))
}

/// Any node of the tree of `LEAVES` leaves: a level, then an index inside it.
fn node() -> impl Strategy<Value = (u8, u64)> {
    (0u8..=12).prop_flat_map(|level| (Just(level), 0..LEAVES >> level))
}

proptest! {
    #[test]
    fn inclusion_proofs_read_in_one_call_are_those_read_one_node_at_a_time(
        (size, leaf) in size_and_index(),
    ) {
        let f = fixture();
        let old = merkle::inclusion_proof(&H, &OneByOne(&f.file), leaf, size).unwrap();
        prop_assert_eq!(&merkle::inclusion_proof(&H, &Batched(&f.file), leaf, size).unwrap(), &old);
        prop_assert_eq!(&prove_inclusion_in(&f.file, leaf, size).unwrap(), &old);
        prop_assert_eq!(&prove_inclusion_in(&f.file.reader(), leaf, size).unwrap(), &old);
        prop_assert_eq!(&prove_inclusion_in(&f.memory, leaf, size).unwrap(), &old);
        prop_assert_eq!(&merkle::inclusion_proof(&H, &f.tree, leaf, size).unwrap(), &old);
    }

    #[test]
    fn consistency_proofs_read_in_one_call_are_those_read_one_node_at_a_time(
        (old_size, new_size) in old_and_new_size(),
    ) {
        let f = fixture();
        let old = merkle::consistency_proof(&H, &OneByOne(&f.file), old_size, new_size).unwrap();
        prop_assert_eq!(
            &merkle::consistency_proof(&H, &Batched(&f.file), old_size, new_size).unwrap(),
            &old
        );
        prop_assert_eq!(&prove_consistency_in(&f.file, old_size, new_size).unwrap(), &old);
        prop_assert_eq!(&prove_consistency_in(&f.memory, old_size, new_size).unwrap(), &old);
        prop_assert_eq!(&merkle::consistency_proof(&H, &f.tree, old_size, new_size).unwrap(), &old);
    }

    #[test]
    fn roots_read_in_one_call_are_those_read_one_node_at_a_time(size in 0..=LEAVES) {
        let f = fixture();
        let old = merkle::root(&H, &OneByOne(&f.file), size).unwrap();
        prop_assert_eq!(merkle::root(&H, &Batched(&f.file), size).unwrap(), old);
        prop_assert_eq!(merkle::root(&H, &Batched(&f.memory), size).unwrap(), old);
        prop_assert_eq!(merkle::root(&H, &f.tree, size).unwrap(), old);
    }

    /// Any list of nodes — unsorted, repeated, near and far apart — comes back in the order
    /// asked, each as its single read gives it.
    #[test]
    fn node_hashes_at_answers_as_single_reads_in_the_order_asked(
        nodes in proptest::collection::vec(node(), 0..40),
    ) {
        let f = fixture();
        let single: Vec<Digest> = nodes
            .iter()
            .map(|&(level, index)| f.file.perfect_subtree(level, index).unwrap())
            .collect();
        prop_assert_eq!(&f.file.node_hashes_at(&nodes).unwrap(), &single);
        prop_assert_eq!(&f.file.reader().node_hashes_at(&nodes).unwrap(), &single);
        prop_assert_eq!(&f.memory.node_hashes_at(&nodes).unwrap(), &single);
    }

    /// One node the store does not hold fails the whole call with `NoSuchNode`, naming it.
    #[test]
    fn node_hashes_at_refuses_a_node_past_the_end(
        mut nodes in proptest::collection::vec(node(), 0..20),
        at in any::<prop::sample::Index>(),
        level in 0u8..=63,
    ) {
        let f = fixture();
        let index = (LEAVES >> level) + u64::from(level % 3);
        nodes.insert(at.index(nodes.len() + 1), (level, index));
        for store in [&f.file as &dyn StoreRead, &f.file.reader(), &f.memory] {
            let refused = matches!(
                store.node_hashes_at(&nodes),
                Err(StoreError::NoSuchNode { level: l, index: i }) if (l, i) == (level, index)
            );
            prop_assert!(refused);
        }
    }
}

#[test]
fn node_hashes_at_of_nothing_is_nothing() {
    let f = fixture();
    assert!(f.file.node_hashes_at(&[]).unwrap().is_empty());
    assert!(f.memory.node_hashes_at(&[]).unwrap().is_empty());
}

#[test]
fn node_hashes_at_far_past_the_end_is_no_such_node_not_an_overflow() {
    let f = fixture();
    for (level, index) in [
        (0, u64::MAX),
        (63, 1),
        (63, u64::MAX),
        (200, 0),
        (1, u64::MAX / 2),
    ] {
        for store in [&f.file as &dyn StoreRead, &f.memory] {
            assert!(
                matches!(
                    store.node_hashes_at(&[(0, 0), (level, index)]),
                    Err(StoreError::NoSuchNode { level: l, index: i }) if (l, i) == (level, index)
                ),
                "({level}, {index})"
            );
        }
    }
}
