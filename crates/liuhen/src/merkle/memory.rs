//! An in-memory store of perfect-subtree hashes.

use super::{HashReader, MerkleError, NodeHash};
use crate::hash::{Digest, TreeHasher};

/// An append-only Merkle tree held in memory, storing every perfect subtree's hash.
///
/// It is the reference [`HashReader`]: tests use it as the oracle for persistent stores, and a
/// store can mirror it by persisting what [`push`](MemoryTree::push) returns.
#[derive(Clone, Debug, Default)]
pub struct MemoryTree {
    /// `levels[l][i]` is the hash of the perfect subtree of 2^l leaves at position `i`.
    /// INVARIANT: `levels[l].len() == levels[0].len() >> l` (exactly the complete subtrees are
    /// present) and no row is empty.
    levels: Vec<Vec<Digest>>,
}

impl MemoryTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of leaves.
    pub fn len(&self) -> u64 {
        self.levels.first().map_or(0, |leaves| leaves.len() as u64)
    }

    /// Whether the tree has no leaves.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a leaf hash (`hasher.hash_leaf(data)`, not the data) and returns every perfect
    /// subtree this leaf completes, from the leaf itself (level 0) upwards: the records a
    /// persistent store must write to mirror this tree.
    pub fn push<H>(&mut self, hasher: &H, leaf_hash: Digest) -> Vec<NodeHash>
    where
        H: TreeHasher + ?Sized,
    {
        let mut completed = Vec::new();
        let mut level: u8 = 0;
        let mut hash = leaf_hash;
        loop {
            let slot = usize::from(level);
            if self.levels.len() <= slot {
                self.levels.push(Vec::new());
            }
            let Some(row) = self.levels.get_mut(slot) else {
                // Unreachable: the row was pushed just above.
                break;
            };
            row.push(hash);
            let index = row.len() - 1;
            completed.push(NodeHash {
                level,
                index: index as u64,
                hash,
            });
            // A node at an even position waits for its right sibling; one at an odd position
            // completes its parent together with its left sibling.
            if index % 2 == 0 {
                break;
            }
            let Some(left) = row.get(index - 1).copied() else {
                // Unreachable: `index` is odd, so its left sibling is stored.
                break;
            };
            hash = hasher.hash_children(&left, &hash);
            level += 1;
        }
        completed
    }
}

impl HashReader for MemoryTree {
    fn perfect_subtree(&self, level: u8, index: u64) -> Result<Digest, MerkleError> {
        self.levels
            .get(usize::from(level))
            .and_then(|row| row.get(usize::try_from(index).ok()?))
            .copied()
            .ok_or(MerkleError::MissingNode { level, index })
    }
}
