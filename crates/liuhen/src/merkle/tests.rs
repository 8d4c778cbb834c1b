//! Unit tests: every fast path against a literal transcription of RFC 6962, section 2.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::OnceLock;

use proptest::prelude::*;
use sha2::Digest as _;

use super::*;
use crate::hash::Sha256TreeHasher;

const H: Sha256TreeHasher = Sha256TreeHasher;

/// Sizes up to which every leaf index and every pair of sizes is tested.
const MAX_SIZE: u64 = 300;
/// The fixture holds twice as many leaves so that "size * 2" mutations have honest roots.
const FIXTURE_SIZE: u64 = 2 * MAX_SIZE;
/// Up to this size the oracle (O(n) hashes per proof) checks every proof; above it, proptest
/// samples. Chosen to keep the debug-mode test run to a few seconds.
const ORACLE_EXHAUSTIVE_MAX: u64 = 64;

// ---------------------------------------------------------------------------------------------
// The oracle: RFC 6962, section 2.1, as written, over the leaf data, with SHA-256 called
// directly rather than through `TreeHasher`.

fn sha256(parts: &[&[u8]]) -> Digest {
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update(p);
    }
    Digest::from_bytes(h.finalize().into())
}

/// The largest power of two smaller than `n` (RFC 6962: "k < n <= 2k").
fn rfc_k(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH(D[n]), section 2.1.
fn mth(d: &[Vec<u8>]) -> Digest {
    match d.len() {
        0 => sha256(&[]),
        1 => sha256(&[&[0x00], &d[0]]),
        n => {
            let k = rfc_k(n);
            sha256(&[&[0x01], mth(&d[..k]).as_bytes(), mth(&d[k..]).as_bytes()])
        }
    }
}

/// PATH(m, D[n]), section 2.1.1.
fn rfc_path(m: usize, d: &[Vec<u8>]) -> Vec<Digest> {
    let n = d.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = rfc_k(n);
    if m < k {
        let mut p = rfc_path(m, &d[..k]);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = rfc_path(m - k, &d[k..]);
        p.push(mth(&d[..k]));
        p
    }
}

/// PROOF(m, D[n]), section 2.1.2 (for 0 < m <= n; empty otherwise, as the library returns).
fn rfc_proof(m: usize, d: &[Vec<u8>]) -> Vec<Digest> {
    if m == 0 || m > d.len() {
        return Vec::new();
    }
    rfc_subproof(m, d, true)
}

fn rfc_subproof(m: usize, d: &[Vec<u8>], b: bool) -> Vec<Digest> {
    let n = d.len();
    if m == n {
        return if b { Vec::new() } else { vec![mth(d)] };
    }
    let k = rfc_k(n);
    if m <= k {
        let mut p = rfc_subproof(m, &d[..k], b);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = rfc_subproof(m - k, &d[k..], false);
        p.push(mth(&d[..k]));
        p
    }
}

/// The side of the sibling at each level of PATH(m, D[n]), deepest first (`true` = right). The
/// RFC 9162 verifier hashes in exactly this pattern, so two positions with the same shape accept
/// the same hashes.
fn rfc_path_shape(m: u64, n: u64) -> Vec<bool> {
    if n <= 1 {
        return Vec::new();
    }
    let k = rfc_k(n as usize) as u64;
    let mut s = if m < k {
        rfc_path_shape(m, k)
    } else {
        rfc_path_shape(m - k, n - k)
    };
    s.push(m < k);
    s
}

// ---------------------------------------------------------------------------------------------
// Fixtures.

fn leaf_data(i: u64) -> Vec<u8> {
    format!("leaf {i}").into_bytes()
}

struct Fixture {
    data: Vec<Vec<u8>>,
    tree: MemoryTree,
    /// Every node `push` reported, as a store would persist them.
    records: HashMap<(u8, u64), Digest>,
    /// `roots[n]` is `root(tree, n)`, cached because the exhaustive tests need it often.
    roots: Vec<Digest>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let data: Vec<Vec<u8>> = (0..FIXTURE_SIZE).map(leaf_data).collect();
        let mut tree = MemoryTree::new();
        let mut records = HashMap::new();
        for d in &data {
            for node in tree.push(&H, H.hash_leaf(d)) {
                assert!(records
                    .insert((node.level, node.index), node.hash)
                    .is_none());
            }
        }
        let roots = (0..=FIXTURE_SIZE)
            .map(|n| root(&H, &tree, n).unwrap())
            .collect();
        Fixture {
            data,
            tree,
            records,
            roots,
        }
    })
}

fn leaf_hash(i: u64) -> Digest {
    H.hash_leaf(&leaf_data(i))
}

fn tree_root(size: u64) -> Digest {
    fixture().roots[size as usize]
}

/// A store made only of what `MemoryTree::push` reported.
struct RecordReader<'a>(&'a HashMap<(u8, u64), Digest>);

impl HashReader for RecordReader<'_> {
    fn perfect_subtree(&self, level: u8, index: u64) -> Result<Digest, MerkleError> {
        self.0
            .get(&(level, index))
            .copied()
            .ok_or(MerkleError::MissingNode { level, index })
    }
}

/// Counts reads, to check the O(log n) bound.
struct CountingReader<'a> {
    inner: &'a MemoryTree,
    reads: Cell<u32>,
}

impl HashReader for CountingReader<'_> {
    fn perfect_subtree(&self, level: u8, index: u64) -> Result<Digest, MerkleError> {
        self.reads.set(self.reads.get() + 1);
        self.inner.perfect_subtree(level, index)
    }
}

/// Fails every read, like a store whose disk has gone.
struct FailingReader;

impl HashReader for FailingReader {
    fn perfect_subtree(&self, level: u8, index: u64) -> Result<Digest, MerkleError> {
        Err(MerkleError::Reader {
            level,
            index,
            source: Box::new(std::io::Error::other("disk on fire")),
        })
    }
}

/// Pretends to hold a tree of any size, every node hashing to the same value.
struct ConstantReader;

impl HashReader for ConstantReader {
    fn perfect_subtree(&self, _level: u8, _index: u64) -> Result<Digest, MerkleError> {
        Ok(Digest::from_bytes([7; 32]))
    }
}

fn flip_bit(d: &Digest, byte: usize, bit: u8) -> Digest {
    let mut b = *d.as_bytes();
    b[byte] ^= 1 << bit;
    Digest::from_bytes(b)
}

// ---------------------------------------------------------------------------------------------
// Storage and roots.

#[test]
fn push_reports_exactly_the_completed_perfect_subtrees() {
    let f = fixture();
    // A tree of n leaves has sum over l of floor(n / 2^l) perfect subtrees.
    let expected: u64 = (0..64).map(|l| FIXTURE_SIZE >> l).sum();
    assert_eq!(f.records.len() as u64, expected);
    for (&(level, index), hash) in &f.records {
        assert_eq!(f.tree.perfect_subtree(level, index).unwrap(), *hash);
        let start = (index << level) as usize;
        let end = ((index + 1) << level) as usize;
        if level <= 6 {
            assert_eq!(
                *hash,
                mth(&f.data[start..end]),
                "level {level} index {index}"
            );
        }
    }
    assert_eq!(f.tree.len(), FIXTURE_SIZE);
    assert!(!f.tree.is_empty());
    assert!(MemoryTree::new().is_empty());
}

#[test]
fn push_returns_leaf_then_ancestors() {
    let mut tree = MemoryTree::new();
    for i in 0..7 {
        tree.push(&H, leaf_hash(i));
    }
    let nodes = tree.push(&H, leaf_hash(7));
    let addresses: Vec<(u8, u64)> = nodes.iter().map(|n| (n.level, n.index)).collect();
    assert_eq!(addresses, [(0, 7), (1, 3), (2, 1), (3, 0)]);
    let data: Vec<Vec<u8>> = (0..8).map(leaf_data).collect();
    assert_eq!(nodes[3].hash, mth(&data));
}

#[test]
fn roots_and_compact_ranges_match_the_oracle_for_every_size() {
    let f = fixture();
    let mut incremental = CompactRange::new();
    for size in 0..=MAX_SIZE {
        let expected = mth(&f.data[..size as usize]);
        assert_eq!(root(&H, &f.tree, size).unwrap(), expected, "root({size})");
        assert_eq!(tree_root(size), expected);
        assert_eq!(incremental.size(), size);
        assert_eq!(incremental.root(&H), expected, "compact root({size})");
        let resumed = CompactRange::from_reader(&f.tree, size).unwrap();
        assert_eq!(resumed, incremental, "from_reader({size})");
        assert_eq!(root(&H, &RecordReader(&f.records), size).unwrap(), expected);
        incremental.push(&H, leaf_hash(size)).unwrap();
    }
}

#[test]
fn compact_range_resumes_appending_after_from_reader() {
    let f = fixture();
    for start in [0, 1, 5, 64, 127, 200] {
        let mut range = CompactRange::from_reader(&f.tree, start).unwrap();
        for i in start..start + 70 {
            range.push(&H, leaf_hash(i)).unwrap();
        }
        assert_eq!(range.root(&H), tree_root(start + 70));
    }
}

#[test]
fn subtree_hash_matches_the_oracle_for_every_tree_node() {
    let f = fixture();
    for start in 0..=64u64 {
        for end in start + 1..=130u64 {
            let got = subtree_hash(&H, &f.tree, start, end);
            let width = end - start;
            if start % width.next_power_of_two() == 0 {
                assert_eq!(
                    got.unwrap(),
                    mth(&f.data[start as usize..end as usize]),
                    "[{start}, {end})"
                );
            } else {
                assert!(
                    matches!(got, Err(MerkleError::InvalidSubtree { start: s, end: e }) if s == start && e == end),
                    "[{start}, {end})"
                );
            }
        }
    }
    assert!(matches!(
        subtree_hash(&H, &f.tree, 3, 3),
        Err(MerkleError::InvalidSubtree { start: 3, end: 3 })
    ));
    assert!(matches!(
        subtree_hash(&H, &f.tree, 4, 2),
        Err(MerkleError::InvalidSubtree { start: 4, end: 2 })
    ));
    // Widths above 2^63 only exist from leaf 0; no overflow on the way.
    assert!(matches!(
        subtree_hash(&H, &ConstantReader, 1, u64::MAX),
        Err(MerkleError::InvalidSubtree { .. })
    ));
    assert!(subtree_hash(&H, &ConstantReader, 0, u64::MAX).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Proofs against the oracle, exhaustively.

#[test]
fn every_inclusion_proof_matches_the_oracle_and_verifies() {
    let f = fixture();
    for tree_size in 1..=MAX_SIZE {
        let root = tree_root(tree_size);
        let data = &f.data[..tree_size as usize];
        for leaf_index in 0..tree_size {
            let proof = inclusion_proof(&H, &f.tree, leaf_index, tree_size).unwrap();
            assert_eq!(proof.leaf_index, leaf_index);
            assert_eq!(proof.tree_size, tree_size);
            if tree_size <= ORACLE_EXHAUSTIVE_MAX {
                assert_eq!(proof.path, rfc_path(leaf_index as usize, data));
            }
            proof.verify(&H, &leaf_hash(leaf_index), &root).unwrap();
        }
    }
}

#[test]
fn every_consistency_proof_matches_the_oracle_and_verifies() {
    let f = fixture();
    for new_size in 0..=MAX_SIZE {
        let new_root = tree_root(new_size);
        let data = &f.data[..new_size as usize];
        for old_size in 0..=new_size {
            let proof = consistency_proof(&H, &f.tree, old_size, new_size).unwrap();
            assert_eq!((proof.old_size, proof.new_size), (old_size, new_size));
            if new_size <= ORACLE_EXHAUSTIVE_MAX {
                assert_eq!(proof.path, rfc_proof(old_size as usize, data));
            }
            let old_root = tree_root(old_size);
            let verdict = proof.verify(&H, &old_root, &new_root);
            if old_size == 0 {
                assert!(proof.path.is_empty());
                assert!(
                    matches!(verdict, Err(MerkleError::EmptyOldTree { new_size: n }) if n == new_size)
                );
            } else {
                verdict.unwrap();
            }
        }
    }
}

#[test]
fn proofs_from_persisted_records_equal_proofs_from_memory() {
    let f = fixture();
    let records = RecordReader(&f.records);
    for (leaf_index, tree_size) in [(0, 1), (5, 8), (77, 300), (299, 300), (512, 600)] {
        assert_eq!(
            inclusion_proof(&H, &records, leaf_index, tree_size).unwrap(),
            inclusion_proof(&H, &f.tree, leaf_index, tree_size).unwrap()
        );
    }
    for (old_size, new_size) in [(1, 1), (3, 7), (100, 300), (256, 600)] {
        assert_eq!(
            consistency_proof(&H, &records, old_size, new_size).unwrap(),
            consistency_proof(&H, &f.tree, old_size, new_size).unwrap()
        );
    }
}

#[test]
fn proofs_and_roots_read_logarithmically_many_nodes() {
    let f = fixture();
    let reader = CountingReader {
        inner: &f.tree,
        reads: Cell::new(0),
    };
    let bits = |n: u64| u64::BITS - n.leading_zeros();
    for n in 1..=FIXTURE_SIZE {
        reader.reads.set(0);
        root(&H, &reader, n).unwrap();
        assert!(reader.reads.get() <= bits(n), "root({n})");
        for m in [0, n / 3, n / 2, n - 1] {
            reader.reads.set(0);
            inclusion_proof(&H, &reader, m, n).unwrap();
            assert!(reader.reads.get() <= 2 * bits(n) + 1, "inclusion({m}, {n})");
            reader.reads.set(0);
            consistency_proof(&H, &reader, m, n).unwrap();
            assert!(
                reader.reads.get() <= 2 * bits(n) + 2,
                "consistency({m}, {n})"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generation errors.

#[test]
fn generation_rejects_bad_positions() {
    let f = fixture();
    assert!(matches!(
        inclusion_proof(&H, &f.tree, 0, 0),
        Err(MerkleError::LeafIndexOutOfRange {
            leaf_index: 0,
            tree_size: 0
        })
    ));
    assert!(matches!(
        inclusion_proof(&H, &f.tree, 8, 8),
        Err(MerkleError::LeafIndexOutOfRange {
            leaf_index: 8,
            tree_size: 8
        })
    ));
    assert!(matches!(
        consistency_proof(&H, &f.tree, 9, 8),
        Err(MerkleError::OldSizeExceedsNewSize {
            old_size: 9,
            new_size: 8
        })
    ));
}

#[test]
fn generation_fails_beyond_the_stored_tree() {
    let mut small = MemoryTree::new();
    for i in 0..5 {
        small.push(&H, leaf_hash(i));
    }
    let missing = |r: Result<_, MerkleError>| matches!(r, Err(MerkleError::MissingNode { .. }));
    assert!(missing(root(&H, &small, 6).map(|_| ())));
    assert!(missing(CompactRange::from_reader(&small, 6).map(|_| ())));
    // Every leaf of a 6-leaf tree, including the last, whose own path never covers it.
    for leaf_index in 0..6 {
        assert!(missing(
            inclusion_proof(&H, &small, leaf_index, 6).map(|_| ())
        ));
    }
    for old_size in 0..=6 {
        assert!(missing(
            consistency_proof(&H, &small, old_size, 6).map(|_| ())
        ));
    }
    assert!(missing(small.perfect_subtree(3, 0).map(|_| ())));
    assert!(missing(small.perfect_subtree(200, 0).map(|_| ())));
    assert!(missing(small.perfect_subtree(0, u64::MAX).map(|_| ())));
}

#[test]
fn reader_failures_propagate_with_their_source() {
    let err = inclusion_proof(&H, &FailingReader, 3, 10).unwrap_err();
    let MerkleError::Reader { source, .. } = &err else {
        panic!("unexpected {err:?}");
    };
    assert_eq!(source.to_string(), "disk on fire");
    assert!(std::error::Error::source(&err).is_some());
    assert!(matches!(
        root(&H, &FailingReader, 4),
        Err(MerkleError::Reader {
            level: 2,
            index: 0,
            ..
        })
    ));
    assert!(matches!(
        CompactRange::from_reader(&FailingReader, 1),
        Err(MerkleError::Reader {
            level: 0,
            index: 0,
            ..
        })
    ));
    assert!(consistency_proof(&H, &FailingReader, 2, 2).is_err());
}

#[test]
fn compact_range_stops_at_u64_max() {
    let mut range = CompactRange::from_reader(&ConstantReader, u64::MAX).unwrap();
    assert_eq!(range.size(), u64::MAX);
    let root_before = range.root(&H);
    assert!(matches!(
        range.push(&H, leaf_hash(0)),
        Err(MerkleError::TreeFull {
            tree_size: u64::MAX
        })
    ));
    assert_eq!(range.size(), u64::MAX);
    assert_eq!(range.root(&H), root_before);
    assert_eq!(root(&H, &ConstantReader, u64::MAX).unwrap(), root_before);
}

// ---------------------------------------------------------------------------------------------
// Verification errors that need no tree.

#[test]
fn verification_rejects_bad_parameters_without_panicking() {
    let d = leaf_hash(0);
    let r = tree_root(1);
    assert!(matches!(
        verify_inclusion(&H, 0, 0, &d, &[], &r),
        Err(MerkleError::LeafIndexOutOfRange {
            leaf_index: 0,
            tree_size: 0
        })
    ));
    assert!(matches!(
        verify_inclusion(&H, u64::MAX, u64::MAX, &d, &[], &r),
        Err(MerkleError::LeafIndexOutOfRange { .. })
    ));
    let long = vec![d; 1000];
    assert!(matches!(
        verify_inclusion(&H, 0, 1, &d, &long, &r),
        Err(MerkleError::WrongPathLength {
            expected: 0,
            actual: 1000
        })
    ));
    assert!(matches!(
        verify_consistency(&H, 2, 1, &[], &r, &r),
        Err(MerkleError::OldSizeExceedsNewSize {
            old_size: 2,
            new_size: 1
        })
    ));
    assert!(matches!(
        verify_consistency(&H, 0, 0, &[], &r, &r),
        Err(MerkleError::EmptyOldTree { new_size: 0 })
    ));
    assert!(matches!(
        verify_consistency(&H, 0, 5, &[], &r, &r),
        Err(MerkleError::EmptyOldTree { new_size: 5 })
    ));
    assert!(matches!(
        verify_consistency(&H, 3, 3, &[d], &r, &r),
        Err(MerkleError::WrongPathLength {
            expected: 0,
            actual: 1
        })
    ));
    let other = leaf_hash(5);
    assert!(matches!(
        verify_consistency(&H, 3, 3, &[], &r, &other),
        Err(MerkleError::RootMismatch { tree_size: 3, .. })
    ));
    assert!(matches!(
        verify_consistency(&H, 3, 7, &[], &r, &d),
        Err(MerkleError::WrongPathLength { actual: 0, .. })
    ));
    assert!(matches!(
        verify_consistency(&H, 1, u64::MAX, &long, &r, &r),
        Err(MerkleError::WrongPathLength { actual: 1000, .. })
    ));
}

#[test]
fn verification_handles_the_largest_trees() {
    // Paths of the right length for extreme positions: only the root can be wrong.
    let d = leaf_hash(0);
    for (leaf_index, tree_size) in [(0, u64::MAX), (u64::MAX - 1, u64::MAX), (1 << 63, u64::MAX)] {
        let (inner, border) = proof::decompose_inclusion(leaf_index, tree_size);
        let path = vec![d; (inner + border) as usize];
        assert!(matches!(
            verify_inclusion(&H, leaf_index, tree_size, &d, &path, &d),
            Err(MerkleError::RootMismatch { .. })
        ));
    }
    for (old_size, new_size) in [(1, u64::MAX), (u64::MAX - 1, u64::MAX), (1 << 63, u64::MAX)] {
        let err = verify_consistency(&H, old_size, new_size, &[], &d, &d).unwrap_err();
        let MerkleError::WrongPathLength { expected, .. } = err else {
            panic!("unexpected {err:?}");
        };
        assert!(expected <= 128);
        let path = vec![d; expected];
        assert!(matches!(
            verify_consistency(&H, old_size, new_size, &path, &d, &d),
            Err(MerkleError::RootMismatch { .. })
        ));
    }
}

#[test]
fn proofs_round_trip_through_serde() {
    let f = fixture();
    let inclusion = inclusion_proof(&H, &f.tree, 6, 13).unwrap();
    let json = serde_json::to_string(&inclusion).unwrap();
    assert_eq!(
        serde_json::from_str::<InclusionProof>(&json).unwrap(),
        inclusion
    );
    let consistency = consistency_proof(&H, &f.tree, 6, 13).unwrap();
    let json = serde_json::to_string(&consistency).unwrap();
    assert_eq!(
        serde_json::from_str::<ConsistencyProof>(&json).unwrap(),
        consistency
    );
}

#[test]
fn errors_render_their_context() {
    let e = MerkleError::LeafIndexOutOfRange {
        leaf_index: 9,
        tree_size: 4,
    };
    assert_eq!(
        e.to_string(),
        "leaf index 9 is out of range for a tree of 4 leaves"
    );
}

// ---------------------------------------------------------------------------------------------
// Tampering, sampled.

/// How to spoil an inclusion or consistency proof.
#[derive(Clone, Debug)]
enum Tamper {
    /// Flip one bit of one hash (entry chosen modulo the path length).
    FlipBit { entry: usize, byte: usize, bit: u8 },
    /// Drop one hash.
    Drop { entry: usize },
    /// Insert a hash (a copy of a neighbour, or a fresh one) at a position.
    Insert { at: usize, copy: bool },
}

fn tamper_strategy() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        (any::<usize>(), 0..32usize, 0..8u8).prop_map(|(entry, byte, bit)| Tamper::FlipBit {
            entry,
            byte,
            bit
        }),
        any::<usize>().prop_map(|entry| Tamper::Drop { entry }),
        (any::<usize>(), any::<bool>()).prop_map(|(at, copy)| Tamper::Insert { at, copy }),
    ]
}

/// Applies `t`, or returns `None` when it cannot apply (nothing to flip or drop).
fn tampered(path: &[Digest], t: &Tamper) -> Option<Vec<Digest>> {
    let mut p = path.to_vec();
    match *t {
        Tamper::FlipBit { entry, byte, bit } => {
            if p.is_empty() {
                return None;
            }
            let i = entry % p.len();
            p[i] = flip_bit(&p[i], byte, bit);
        }
        Tamper::Drop { entry } => {
            if p.is_empty() {
                return None;
            }
            p.remove(entry % p.len());
        }
        Tamper::Insert { at, copy } => {
            let i = at % (p.len() + 1);
            let h = match (copy, p.get(i)) {
                (true, Some(h)) => *h,
                _ => Digest::from_bytes([0xab; 32]),
            };
            p.insert(i, h);
        }
    }
    Some(p)
}

fn size_and_index() -> impl Strategy<Value = (u64, u64)> {
    (1..=MAX_SIZE).prop_flat_map(|n| (Just(n), 0..n))
}

fn old_and_new_size() -> impl Strategy<Value = (u64, u64)> {
    (1..=MAX_SIZE).prop_flat_map(|n| (1..=n, Just(n)))
}

proptest! {
    #[test]
    fn sampled_inclusion_proofs_match_the_oracle((tree_size, leaf_index) in size_and_index()) {
        let f = fixture();
        let proof = inclusion_proof(&H, &f.tree, leaf_index, tree_size).unwrap();
        prop_assert_eq!(proof.path, rfc_path(leaf_index as usize, &f.data[..tree_size as usize]));
    }

    #[test]
    fn sampled_consistency_proofs_match_the_oracle((old_size, new_size) in old_and_new_size()) {
        let f = fixture();
        let proof = consistency_proof(&H, &f.tree, old_size, new_size).unwrap();
        prop_assert_eq!(proof.path, rfc_proof(old_size as usize, &f.data[..new_size as usize]));
    }

    #[test]
    fn tampered_inclusion_paths_fail(
        (tree_size, leaf_index) in size_and_index(),
        t in tamper_strategy(),
    ) {
        let f = fixture();
        let proof = inclusion_proof(&H, &f.tree, leaf_index, tree_size).unwrap();
        if let Some(path) = tampered(&proof.path, &t) {
            let leaf = leaf_hash(leaf_index);
            prop_assert!(verify_inclusion(&H, leaf_index, tree_size, &leaf, &path, &tree_root(tree_size)).is_err());
        }
    }

    #[test]
    fn inclusion_fails_for_other_leaves_roots_and_positions(
        (tree_size, leaf_index) in size_and_index(),
        other_index in 0..FIXTURE_SIZE,
        other_size in 1..=FIXTURE_SIZE,
        byte in 0..32usize,
        bit in 0..8u8,
    ) {
        let proof = inclusion_proof(&H, &fixture().tree, leaf_index, tree_size).unwrap();
        let leaf = leaf_hash(leaf_index);
        let root = tree_root(tree_size);
        // A modified leaf hash or root.
        prop_assert!(proof.verify(&H, &flip_bit(&leaf, byte, bit), &root).is_err());
        prop_assert!(proof.verify(&H, &leaf, &flip_bit(&root, byte, bit)).is_err());
        // Another leaf at the same position.
        if other_index != leaf_index {
            prop_assert!(proof.verify(&H, &leaf_hash(other_index), &root).is_err());
        }
        // Another size, checked against that size's genuine root: accepted only if the path is
        // that size's genuine path.
        if other_size > leaf_index && other_size != tree_size {
            let verdict = verify_inclusion(&H, leaf_index, other_size, &leaf, &proof.path, &tree_root(other_size));
            let genuine = inclusion_proof(&H, &fixture().tree, leaf_index, other_size).unwrap();
            prop_assert_eq!(verdict.is_ok(), genuine.path == proof.path);
        }
        // Another position, same root: RFC 9162 verification cannot tell positions apart whose
        // paths have the same shape (see verify_inclusion's docs), and must reject all others.
        let moved = verify_inclusion(&H, other_index, other_size, &leaf, &proof.path, &root);
        if other_index >= other_size {
            let is_out_of_range = matches!(moved, Err(MerkleError::LeafIndexOutOfRange { .. }));
            prop_assert!(is_out_of_range);
        } else {
            let same_shape = rfc_path_shape(other_index, other_size) == rfc_path_shape(leaf_index, tree_size);
            prop_assert_eq!(moved.is_ok(), same_shape);
        }
    }

    #[test]
    fn tampered_consistency_paths_fail(
        (old_size, new_size) in old_and_new_size(),
        t in tamper_strategy(),
    ) {
        let proof = consistency_proof(&H, &fixture().tree, old_size, new_size).unwrap();
        if let Some(path) = tampered(&proof.path, &t) {
            prop_assert!(verify_consistency(&H, old_size, new_size, &path, &tree_root(old_size), &tree_root(new_size)).is_err());
        }
    }

    #[test]
    fn consistency_fails_for_other_roots_and_sizes(
        (old_size, new_size) in old_and_new_size(),
        other_old in 0..=FIXTURE_SIZE,
        other_new in 0..=FIXTURE_SIZE,
        byte in 0..32usize,
        bit in 0..8u8,
    ) {
        let proof = consistency_proof(&H, &fixture().tree, old_size, new_size).unwrap();
        let old_root = tree_root(old_size);
        let new_root = tree_root(new_size);
        prop_assert!(proof.verify(&H, &flip_bit(&old_root, byte, bit), &new_root).is_err());
        prop_assert!(proof.verify(&H, &old_root, &flip_bit(&new_root, byte, bit)).is_err());
        if old_root != new_root {
            prop_assert!(proof.verify(&H, &new_root, &old_root).is_err());
        }
        // Other sizes with their genuine roots: accepted only if the path is their genuine proof.
        if (other_old, other_new) != (old_size, new_size) {
            let verdict = verify_consistency(&H, other_old, other_new, &proof.path, &tree_root(other_old), &tree_root(other_new));
            let genuine = consistency_proof(&H, &fixture().tree, other_old, other_new);
            let expect_ok = other_old > 0 && matches!(&genuine, Ok(g) if g.path == proof.path);
            prop_assert_eq!(verdict.is_ok(), expect_ok, "{:?}", verdict);
        }
    }
}
