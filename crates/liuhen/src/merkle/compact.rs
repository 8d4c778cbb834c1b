//! The compact range (Merkle accumulator, "frontier") of a tree prefix.

use super::{read_node, HashReader, MerkleError};
use crate::hash::{Digest, TreeHasher};

/// The O(log n) state needed to append leaves to a tree and compute its root: the hashes of the
/// perfect subtrees that make up the tree, one per set bit of its size.
///
/// A streaming verifier feeds it every leaf hash and compares [`root`](CompactRange::root) with
/// each checkpoint it meets, without keeping the leaves. A store rebuilds it after reopening with
/// [`from_reader`](CompactRange::from_reader) to resume appending.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompactRange {
    /// Number of leaves covered.
    size: u64,
    /// INVARIANT: `nodes.len() == size.count_ones()`, and `nodes[i]` is the hash of the i-th
    /// perfect subtree from the left: the one of 2^b leaves for the i-th highest set bit b of
    /// `size`, starting right after the subtrees before it.
    nodes: Vec<Digest>,
}

impl CompactRange {
    /// The compact range of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The compact range of the first `tree_size` leaves held by `reader`, reading
    /// `tree_size.count_ones()` perfect subtrees.
    ///
    /// # Errors
    ///
    /// Whatever the reader returns, in particular [`MerkleError::MissingNode`] if it holds fewer
    /// than `tree_size` leaves.
    pub fn from_reader<R>(reader: &R, tree_size: u64) -> Result<Self, MerkleError>
    where
        R: HashReader + ?Sized,
    {
        let mut nodes = Vec::with_capacity(tree_size.count_ones() as usize);
        let mut start: u64 = 0;
        for level in (0..u64::BITS).rev() {
            let width = 1u64 << level;
            if tree_size & width != 0 {
                nodes.push(read_node(reader, level, start >> level)?);
                // `start + width <= tree_size`, so this cannot overflow.
                start += width;
            }
        }
        Ok(Self {
            size: tree_size,
            nodes,
        })
    }

    /// The number of leaves covered.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The hashes of the perfect subtrees that make up the range, left to right: one per set
    /// bit of [`size`](CompactRange::size), largest first. With the size they are the whole
    /// state, e.g. to save and resume it ([`from_nodes`](CompactRange::from_nodes)).
    pub fn nodes(&self) -> &[Digest] {
        &self.nodes
    }

    /// The compact range of `size` leaves made of `nodes` (as [`nodes`](CompactRange::nodes)
    /// returns them); `None` unless there is exactly one node per set bit of `size`.
    pub fn from_nodes(size: u64, nodes: Vec<Digest>) -> Option<Self> {
        (nodes.len() == size.count_ones() as usize).then_some(Self { size, nodes })
    }

    /// Appends a leaf hash (`hasher.hash_leaf(data)`, not the data).
    ///
    /// # Errors
    ///
    /// [`MerkleError::TreeFull`] if the range already covers `u64::MAX` leaves (only reachable
    /// through [`from_reader`](CompactRange::from_reader)).
    pub fn push<H>(&mut self, hasher: &H, leaf_hash: Digest) -> Result<(), MerkleError>
    where
        H: TreeHasher + ?Sized,
    {
        self.push_completing(hasher, leaf_hash, |_| {})
    }

    /// [`push`](CompactRange::push), handing `completed` the hash of each node the new leaf
    /// completes, level 1 upwards (what the file store's index records beside the leaf).
    pub(crate) fn push_completing<H>(
        &mut self,
        hasher: &H,
        leaf_hash: Digest,
        mut completed: impl FnMut(Digest),
    ) -> Result<(), MerkleError>
    where
        H: TreeHasher + ?Sized,
    {
        let new_size = self.size.checked_add(1).ok_or(MerkleError::TreeFull {
            tree_size: self.size,
        })?;
        // Like a binary increment: each trailing one bit of the size is a perfect subtree that
        // the new leaf's subtree now completes, so merge them from the right.
        let mut hash = leaf_hash;
        let mut carry = self.size;
        while carry & 1 == 1 {
            let Some(left) = self.nodes.pop() else {
                // Unreachable by the invariant: one node per set bit.
                break;
            };
            hash = hasher.hash_children(&left, &hash);
            completed(hash);
            carry >>= 1;
        }
        self.nodes.push(hash);
        self.size = new_size;
        Ok(())
    }

    /// The root of the tree of [`size`](CompactRange::size) leaves; the empty tree's root is
    /// [`TreeHasher::empty_root`].
    pub fn root<H>(&self, hasher: &H) -> Digest
    where
        H: TreeHasher + ?Sized,
    {
        let mut from_right = self.nodes.iter().rev();
        match from_right.next() {
            None => hasher.empty_root(),
            Some(last) => from_right.fold(*last, |acc, left| hasher.hash_children(left, &acc)),
        }
    }
}
