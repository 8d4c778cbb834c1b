//! The RFC 6962 / RFC 9162 Merkle tree: roots, inclusion and consistency proofs.
//!
//! The tree is the one of RFC 9162, section 2.1 (identical to RFC 6962, section 2.1): leaves
//! are hashed as `H(0x00 || data)`, interior nodes as `H(0x01 || left || right)`, and a tree of
//! `n` leaves splits at the largest power of two smaller than `n`. The hash function comes from a
//! [`TreeHasher`], so proofs from this module are checked byte for byte by any RFC 6962 client
//! (witnesses, monitors, transparency-dev's `proof` package).
//!
//! Storage follows the design of Go's `golang.org/x/mod/sumdb/tlog`: a store keeps the hash of
//! every *perfect* subtree (2^level leaves starting at a multiple of 2^level) and serves it
//! through [`HashReader`]. Every other node is recomputed from O(log n) of those, so [`root`],
//! [`inclusion_proof`] and [`consistency_proof`] read O(log n) hashes whatever the tree size.
//!
//! * [`MemoryTree`] is an in-memory store; its [`push`](MemoryTree::push) reports the nodes each
//!   new leaf completes, which is exactly what a persistent store must write.
//! * [`CompactRange`] keeps only the O(log n) perfect subtrees on the right border, enough to
//!   append and compute the root: a streaming verifier recomputes the root at each checkpoint
//!   with it, and a store resumes appending after reopening with
//!   [`CompactRange::from_reader`].
//! * [`verify_inclusion`] and [`verify_consistency`] implement the verification algorithms of
//!   RFC 9162, sections 2.1.3.2 and 2.1.4.2. They check the path length before hashing, never
//!   panic and allocate nothing, so they are safe on untrusted input.
//!
//! What this module does **not** do: it performs no I/O and holds no storage other than
//! [`MemoryTree`]'s vectors, it knows nothing of entries, leaf data or their encoding (it works
//! on leaf *hashes*), and it signs nothing and checks no signature. A verified proof ties a leaf
//! hash or an old root to a root hash; whether that root is the log's genuine, signed view is
//! for the checkpoint layer to establish.
//!
//! Positions are plain `u64`s named after what they count: `leaf_index` (0-based position of a
//! leaf), `tree_size`, `old_size` and `new_size` (numbers of leaves). A perfect subtree is
//! addressed by `level` (its height: it covers 2^level leaves) and `index` (its position among
//! the subtrees of that level).

use crate::hash::{Digest, TreeHasher};

mod compact;
mod memory;
mod proof;

#[cfg(test)]
mod tests;

pub use compact::CompactRange;
pub use memory::MemoryTree;
pub use proof::{
    consistency_proof, inclusion_proof, verify_consistency, verify_inclusion, ConsistencyProof,
    InclusionProof,
};

/// Errors of the Merkle tree layer.
///
/// Variants carry the positions involved as typed fields so that callers and tests can match
/// on them rather than on message text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MerkleError {
    /// `leaf_index` is not a leaf of a tree of `tree_size` leaves (it must be `< tree_size`;
    /// the empty tree has no leaves at all).
    #[error("leaf index {leaf_index} is out of range for a tree of {tree_size} leaves")]
    LeafIndexOutOfRange {
        /// The requested leaf position.
        leaf_index: u64,
        /// The number of leaves in the tree.
        tree_size: u64,
    },
    /// A consistency proof was asked for or checked between an `old_size` larger than the
    /// `new_size`: a log never shrinks.
    #[error("old tree size {old_size} is larger than new tree size {new_size}")]
    OldSizeExceedsNewSize {
        /// The size of the older tree.
        old_size: u64,
        /// The size of the newer tree.
        new_size: u64,
    },
    /// A consistency proof from the empty tree was to be verified. Every tree extends the empty
    /// tree, so such a proof carries no information; like transparency-dev/merkle, verification
    /// refuses it rather than accept whatever roots it is given.
    #[error("a consistency proof from the empty tree proves nothing (new size {new_size})")]
    EmptyOldTree {
        /// The size of the newer tree.
        new_size: u64,
    },
    /// The leaf range `[start, end)` is not a node of an RFC 6962 tree: it is empty, or `start`
    /// is not a multiple of the smallest power of two `>= end - start`.
    #[error("leaves [{start}, {end}) do not form a node of an RFC 6962 tree")]
    InvalidSubtree {
        /// First leaf of the range.
        start: u64,
        /// One past the last leaf of the range.
        end: u64,
    },
    /// A proof path does not have the length the tree sizes and leaf index determine.
    #[error("proof path has {actual} hashes, expected {expected}")]
    WrongPathLength {
        /// The length RFC 9162 requires for these parameters.
        expected: usize,
        /// The length of the path given.
        actual: usize,
    },
    /// A proof does not lead to the root it was checked against.
    #[error("proof does not lead to the expected root of the tree of {tree_size} leaves")]
    RootMismatch {
        /// The size of the tree whose root did not match (the old or the new tree for a
        /// consistency proof).
        tree_size: u64,
        /// The root the caller trusts.
        expected: Digest,
        /// The root the proof leads to.
        computed: Digest,
    },
    /// The reader does not hold the perfect subtree at (`level`, `index`): the tree it holds is
    /// smaller than the size asked for.
    #[error("the perfect subtree at level {level}, index {index} is not stored")]
    MissingNode {
        /// Height of the subtree (it covers 2^level leaves).
        level: u8,
        /// Position of the subtree within its level.
        index: u64,
    },
    /// The reader failed to produce the perfect subtree at (`level`, `index`), for example
    /// because of an I/O error or a corrupt record.
    #[error("reading the perfect subtree at level {level}, index {index} failed")]
    Reader {
        /// Height of the subtree (it covers 2^level leaves).
        level: u8,
        /// Position of the subtree within its level.
        index: u64,
        /// What went wrong in the store.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The tree already holds `tree_size` = `u64::MAX` leaves and cannot count another.
    #[error("the tree already holds {tree_size} leaves, the most a u64 can count")]
    TreeFull {
        /// The current number of leaves.
        tree_size: u64,
    },
}

/// Source of the hashes of perfect subtrees, as a node store keeps them.
///
/// `perfect_subtree(level, index)` returns the hash of the complete subtree of `2^level` leaves
/// covering leaves `[index << level, (index + 1) << level)`; level 0 holds the leaf hashes. The
/// functions of this module only ask for subtrees that lie entirely inside the tree size they
/// are given.
///
/// Implementations MUST return the RFC 6962 hash of exactly that subtree, computed with the same
/// [`TreeHasher`] the caller passes to this module, and MUST return an error — never a
/// placeholder hash — for a subtree they do not hold in full: [`MerkleError::MissingNode`] when
/// it is simply not there (the stored tree is smaller), [`MerkleError::Reader`] when reading it
/// failed. The module trusts the hashes it reads; a store that may be corrupted must check its
/// records itself.
pub trait HashReader {
    /// The hash of the perfect subtree of height `level` at position `index` within that level.
    ///
    /// # Errors
    ///
    /// [`MerkleError::MissingNode`] if the subtree is not (yet) complete in the store,
    /// [`MerkleError::Reader`] if the store failed to read it.
    fn perfect_subtree(&self, level: u8, index: u64) -> Result<Digest, MerkleError>;

    /// The hashes of the perfect subtrees `nodes`, given as `(level, index)`, in that order:
    /// what a proof or a root needs, asked for in one call so that a store can fetch them
    /// together (the file store reads the ones that lie close together in its index with one
    /// positional read). The default reads them one by one with
    /// [`perfect_subtree`](HashReader::perfect_subtree).
    ///
    /// Implementations MUST return exactly one hash per requested node, in order, or an error;
    /// the error should be the one the single reads, in order, would give first.
    ///
    /// # Errors
    ///
    /// As [`perfect_subtree`](HashReader::perfect_subtree), for the first node that fails.
    fn perfect_subtrees(&self, nodes: &[(u8, u64)]) -> Result<Vec<Digest>, MerkleError> {
        nodes
            .iter()
            .map(|&(level, index)| self.perfect_subtree(level, index))
            .collect()
    }
}

impl<R: HashReader + ?Sized> HashReader for &R {
    fn perfect_subtree(&self, level: u8, index: u64) -> Result<Digest, MerkleError> {
        (**self).perfect_subtree(level, index)
    }

    fn perfect_subtrees(&self, nodes: &[(u8, u64)]) -> Result<Vec<Digest>, MerkleError> {
        (**self).perfect_subtrees(nodes)
    }
}

/// A perfect-subtree hash at its address, as [`MemoryTree::push`] reports the nodes a new leaf
/// completes so that a store can persist them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeHash {
    /// Height of the subtree (it covers 2^level leaves); 0 for a leaf.
    pub level: u8,
    /// Position of the subtree within its level.
    pub index: u64,
    /// The subtree's hash.
    pub hash: Digest,
}

/// The root of the tree made of the first `tree_size` leaves held by `reader`, reading at most
/// 64 (in fact `tree_size.count_ones()`) perfect subtrees. The empty tree's root is
/// [`TreeHasher::empty_root`].
///
/// # Errors
///
/// Whatever the reader returns, in particular [`MerkleError::MissingNode`] if it holds fewer
/// than `tree_size` leaves.
pub fn root<H, R>(hasher: &H, reader: &R, tree_size: u64) -> Result<Digest, MerkleError>
where
    H: TreeHasher + ?Sized,
    R: HashReader + ?Sized,
{
    if tree_size == 0 {
        return Ok(hasher.empty_root());
    }
    let mut plan = NodePlan::default();
    plan.subtree(0, tree_size)?;
    let hashes = plan.read(reader)?;
    let root = plan.fold(hasher, &hashes).next();
    root.ok_or(MerkleError::InvalidSubtree {
        start: 0,
        end: tree_size,
    })
}

/// The hash `MTH(D[start:end])` of the node of an RFC 6962 tree covering leaves `[start, end)`,
/// computed from `(end - start).count_ones()` perfect subtrees read from `reader`.
///
/// Such a node exists in the tree of any size `>= end` exactly when the range is not empty and
/// `start` is a multiple of the smallest power of two `>= end - start`; these are the ranges the
/// proof algorithms need (every `D[k:n]` of RFC 6962, section 2.1).
///
/// # Errors
///
/// [`MerkleError::InvalidSubtree`] for any other range, and whatever the reader returns.
pub fn subtree_hash<H, R>(
    hasher: &H,
    reader: &R,
    start: u64,
    end: u64,
) -> Result<Digest, MerkleError>
where
    H: TreeHasher + ?Sized,
    R: HashReader + ?Sized,
{
    if !is_tree_node(start, end) {
        return Err(MerkleError::InvalidSubtree { start, end });
    }
    // Because `start` is aligned to the next power of two above the width, the range splits into
    // aligned perfect subtrees, one per set bit of the width, largest on the left. RFC 6962's
    // MTH of such a range is these subtrees folded from the right.
    let mut remaining = end - start;
    let mut hi = end;
    let mut acc: Option<Digest> = None;
    while remaining != 0 {
        let level = remaining.trailing_zeros();
        let lo = hi - (1u64 << level);
        let node = read_node(reader, level, lo >> level)?;
        acc = Some(match acc {
            None => node,
            Some(right) => hasher.hash_children(&node, &right),
        });
        hi = lo;
        remaining &= remaining - 1;
    }
    // `remaining` was non-zero on entry, so the loop ran and `acc` is set.
    acc.ok_or(MerkleError::InvalidSubtree { start, end })
}

/// The perfect subtrees that a computation needs, gathered so that they are read in one
/// [`HashReader::perfect_subtrees`] call, and the tree nodes (`[start, end)` leaf ranges, as
/// [`subtree_hash`] takes them) that they make up.
#[derive(Debug, Default)]
pub(super) struct NodePlan {
    /// The perfect subtrees to read, `(level, index)`, each range's pieces right to left.
    nodes: Vec<(u8, u64)>,
    /// How many of `nodes` each planned read takes, in the order they were planned, and
    /// whether it is a range to fold (else a check, folded into nothing).
    pieces: Vec<(usize, bool)>,
}

impl NodePlan {
    /// Plans one extra read of a perfect subtree whose hash is not folded into any range
    /// (a check that the reader holds it); [`fold`](Self::fold) skips it.
    pub(super) fn check(&mut self, level: u8, index: u64) {
        self.nodes.push((level, index));
        self.pieces.push((1, false));
    }

    /// Plans the hash of the tree node `[start, end)`: its perfect subtrees, one per set bit of
    /// the width, read in the order [`subtree_hash`] reads them (right to left).
    ///
    /// # Errors
    ///
    /// [`MerkleError::InvalidSubtree`] if the range is not a node of an RFC 6962 tree.
    pub(super) fn subtree(&mut self, start: u64, end: u64) -> Result<(), MerkleError> {
        if !is_tree_node(start, end) {
            return Err(MerkleError::InvalidSubtree { start, end });
        }
        let before = self.nodes.len();
        let mut remaining = end - start;
        let mut hi = end;
        while remaining != 0 {
            let level = remaining.trailing_zeros();
            let lo = hi - (1u64 << level);
            // `level` is a bit position of a u64, below 64.
            self.nodes
                .push((u8::try_from(level).unwrap_or(u8::MAX), lo >> level));
            hi = lo;
            remaining &= remaining - 1;
        }
        self.pieces.push((self.nodes.len() - before, true));
        Ok(())
    }

    /// Reads every planned subtree in one call.
    ///
    /// # Errors
    ///
    /// Whatever the reader returns; [`MerkleError::Reader`] naming the first node if it
    /// returns another number of hashes than asked for.
    pub(super) fn read<R: HashReader + ?Sized>(
        &self,
        reader: &R,
    ) -> Result<Vec<Digest>, MerkleError> {
        let hashes = reader.perfect_subtrees(&self.nodes)?;
        if hashes.len() != self.nodes.len() {
            let (level, index) = self.nodes.first().copied().unwrap_or_default();
            return Err(MerkleError::Reader {
                level,
                index,
                source: format!(
                    "the reader returned {} hashes for {} nodes",
                    hashes.len(),
                    self.nodes.len()
                )
                .into(),
            });
        }
        Ok(hashes)
    }

    /// The hashes of the planned ranges, in the order they were planned, from `hashes` (what
    /// [`read`](Self::read) returned): each range's pieces folded from the right, as
    /// [`subtree_hash`] folds them. Checks yield nothing.
    pub(super) fn fold<'a, H: TreeHasher + ?Sized>(
        &'a self,
        hasher: &'a H,
        hashes: &'a [Digest],
    ) -> impl Iterator<Item = Digest> + 'a {
        let mut at = 0usize;
        self.pieces.iter().filter_map(move |&(count, range)| {
            let pieces = hashes.get(at..at + count)?;
            at += count;
            let (first, rest) = pieces.split_first().filter(|_| range)?;
            Some(
                rest.iter()
                    .fold(*first, |right, node| hasher.hash_children(node, &right)),
            )
        })
    }
}

/// Whether `[start, end)` is a node of an RFC 6962 tree (see [`subtree_hash`]).
fn is_tree_node(start: u64, end: u64) -> bool {
    if start >= end {
        return false;
    }
    match (end - start).checked_next_power_of_two() {
        Some(align) => start.is_multiple_of(align),
        // The width exceeds 2^63, so the alignment would be 2^64: only `start == 0` qualifies.
        None => start == 0,
    }
}

/// Reads one perfect subtree. `level` comes from bit positions of a `u64`, so it is below 64 and
/// fits a `u8`.
fn read_node<R: HashReader + ?Sized>(
    reader: &R,
    level: u32,
    index: u64,
) -> Result<Digest, MerkleError> {
    let level = u8::try_from(level).unwrap_or(u8::MAX);
    reader.perfect_subtree(level, index)
}

/// The largest power of two strictly smaller than `n`, the split point `k` of RFC 6962, for
/// `n >= 2` (1 for smaller `n`, which callers never pass).
fn split_point(n: u64) -> u64 {
    let bits = u64::BITS - n.saturating_sub(1).leading_zeros();
    1u64 << bits.saturating_sub(1)
}
