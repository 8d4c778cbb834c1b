//! Inclusion and consistency proofs: generation from a [`HashReader`] and verification
//! (RFC 9162, sections 2.1.3 and 2.1.4).

use serde::{Deserialize, Serialize};

use super::{split_point, HashReader, MerkleError, NodePlan};
use crate::hash::{Digest, TreeHasher};

/// A proof that the leaf at `leaf_index` is in the tree of `tree_size` leaves (RFC 9162,
/// section 2.1.3): the audit path, deepest sibling first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// Position of the leaf, 0-based.
    pub leaf_index: u64,
    /// Number of leaves of the tree the proof is for.
    pub tree_size: u64,
    /// The sibling hashes from the leaf up to the root.
    pub path: Vec<Digest>,
}

impl InclusionProof {
    /// Checks that `leaf_hash` is the leaf at [`leaf_index`](Self::leaf_index) of the tree of
    /// [`tree_size`](Self::tree_size) leaves whose root is `root`; see [`verify_inclusion`].
    ///
    /// # Errors
    ///
    /// As [`verify_inclusion`].
    pub fn verify<H>(
        &self,
        hasher: &H,
        leaf_hash: &Digest,
        root: &Digest,
    ) -> Result<(), MerkleError>
    where
        H: TreeHasher + ?Sized,
    {
        verify_inclusion(
            hasher,
            self.leaf_index,
            self.tree_size,
            leaf_hash,
            &self.path,
            root,
        )
    }
}

/// A proof that the tree of `old_size` leaves is a prefix of the tree of `new_size` leaves
/// (RFC 9162, section 2.1.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    /// Number of leaves of the older tree.
    pub old_size: u64,
    /// Number of leaves of the newer tree.
    pub new_size: u64,
    /// The node hashes of the proof, in RFC 9162 order.
    pub path: Vec<Digest>,
}

impl ConsistencyProof {
    /// Checks that the tree of [`old_size`](Self::old_size) leaves with root `old_root` is a
    /// prefix of the tree of [`new_size`](Self::new_size) leaves with root `new_root`; see
    /// [`verify_consistency`].
    ///
    /// # Errors
    ///
    /// As [`verify_consistency`].
    pub fn verify<H>(
        &self,
        hasher: &H,
        old_root: &Digest,
        new_root: &Digest,
    ) -> Result<(), MerkleError>
    where
        H: TreeHasher + ?Sized,
    {
        verify_consistency(
            hasher,
            self.old_size,
            self.new_size,
            &self.path,
            old_root,
            new_root,
        )
    }
}

/// The inclusion proof of the leaf at `leaf_index` in the tree of the first `tree_size` leaves
/// held by `reader` (RFC 6962 `PATH(m, D[n])`), reading O(log n) perfect subtrees.
///
/// # Errors
///
/// [`MerkleError::LeafIndexOutOfRange`] unless `leaf_index < tree_size`, and whatever the reader
/// returns, in particular [`MerkleError::MissingNode`] if it holds fewer than `tree_size` leaves.
pub fn inclusion_proof<H, R>(
    hasher: &H,
    reader: &R,
    leaf_index: u64,
    tree_size: u64,
) -> Result<InclusionProof, MerkleError>
where
    H: TreeHasher + ?Sized,
    R: HashReader + ?Sized,
{
    if leaf_index >= tree_size {
        return Err(MerkleError::LeafIndexOutOfRange {
            leaf_index,
            tree_size,
        });
    }
    // The path never covers the proven leaf itself, so a reader missing only the last leaf would
    // go unnoticed when that leaf is the one proven; one read rules that out.
    let mut plan = NodePlan::default();
    plan.check(0, tree_size - 1);

    // Walk down from the root, keeping the node [lo, hi) that contains the leaf; each step's
    // sibling is one path entry, top first. Every node is planned first and read in one call.
    let (mut lo, mut hi) = (0u64, tree_size);
    while hi - lo > 1 {
        let mid = lo + split_point(hi - lo);
        if leaf_index < mid {
            plan.subtree(mid, hi)?;
            hi = mid;
        } else {
            plan.subtree(lo, mid)?;
            lo = mid;
        }
    }
    let hashes = plan.read(reader)?;
    let mut path: Vec<Digest> = plan.fold(hasher, &hashes).collect();
    path.reverse();
    Ok(InclusionProof {
        leaf_index,
        tree_size,
        path,
    })
}

/// The consistency proof between the trees of the first `old_size` and `new_size` leaves held by
/// `reader` (RFC 6962 `PROOF(m, D[n])`), reading O(log n) perfect subtrees.
///
/// RFC 6962 and RFC 9162 define `PROOF(m, D[n])` for `0 < m < n` only. As in
/// transparency-dev/merkle, the proof for `old_size == new_size` is empty (the verifier then
/// compares the roots). For `old_size == 0` an empty proof is returned too, for completeness only
/// (current transparency-dev/merkle refuses to generate it): [`verify_consistency`] rejects every
/// proof from the empty tree ([`MerkleError::EmptyOldTree`]), since any tree extends it and there
/// is nothing to check.
///
/// # Errors
///
/// [`MerkleError::OldSizeExceedsNewSize`] if `old_size > new_size`, and whatever the reader
/// returns, in particular [`MerkleError::MissingNode`] if it holds fewer than `new_size` leaves.
pub fn consistency_proof<H, R>(
    hasher: &H,
    reader: &R,
    old_size: u64,
    new_size: u64,
) -> Result<ConsistencyProof, MerkleError>
where
    H: TreeHasher + ?Sized,
    R: HashReader + ?Sized,
{
    if old_size > new_size {
        return Err(MerkleError::OldSizeExceedsNewSize { old_size, new_size });
    }
    let mut plan = NodePlan::default();
    if new_size > 0 {
        // The trivial proofs read nothing else; this read makes them fail like the others on a
        // reader that does not hold the new tree.
        plan.check(0, new_size - 1);
    }
    if old_size > 0 && old_size < new_size {
        // RFC 6962 SUBPROOF(m, D[lo:hi], have_old_root), unrolled: walk down from the new root
        // keeping the node [lo, hi) in which the old tree's right border runs.
        let (mut lo, mut hi) = (0u64, new_size);
        let mut have_old_root = true;
        while old_size != hi {
            let mid = lo + split_point(hi - lo);
            if old_size <= mid {
                plan.subtree(mid, hi)?;
                hi = mid;
            } else {
                plan.subtree(lo, mid)?;
                lo = mid;
                have_old_root = false;
            }
        }
        // The walk ends on a node that is entirely in the old tree. If it is the old root itself
        // the verifier has it already; otherwise the proof must carry it.
        if !have_old_root {
            plan.subtree(lo, hi)?;
        }
    }
    let hashes = plan.read(reader)?;
    let mut path: Vec<Digest> = plan.fold(hasher, &hashes).collect();
    path.reverse();
    Ok(ConsistencyProof {
        old_size,
        new_size,
        path,
    })
}

/// Checks an inclusion proof with the algorithm of RFC 9162, section 2.1.3.2: that `leaf_hash`,
/// combined with `path` as the position `leaf_index` in a tree of `tree_size` leaves dictates,
/// yields `root`.
///
/// Never panics and allocates nothing; the path length is checked before any hashing, so a
/// hostile path costs at most 64 hash computations.
///
/// Success does **not** prove that `root` is the log's genuine root, nor that the log has
/// `tree_size` leaves: the root must come from a verified checkpoint for that size. It does not
/// prove anything about the leaf data either, only about its hash. And on its own it does not
/// pin the position: the same hashes can also verify for another `(leaf_index, tree_size)`
/// whose path has the same shape, which is harmless once `root` is known to be the root of a
/// tree of exactly `tree_size` leaves.
///
/// # Errors
///
/// * [`MerkleError::LeafIndexOutOfRange`] unless `leaf_index < tree_size`;
/// * [`MerkleError::WrongPathLength`] if `path` does not have the length RFC 9162 requires;
/// * [`MerkleError::RootMismatch`] if the path leads to another root.
pub fn verify_inclusion<H>(
    hasher: &H,
    leaf_index: u64,
    tree_size: u64,
    leaf_hash: &Digest,
    path: &[Digest],
    root: &Digest,
) -> Result<(), MerkleError>
where
    H: TreeHasher + ?Sized,
{
    if leaf_index >= tree_size {
        return Err(MerkleError::LeafIndexOutOfRange {
            leaf_index,
            tree_size,
        });
    }
    let (inner, border) = decompose_inclusion(leaf_index, tree_size);
    let expected = (inner + border) as usize;
    if path.len() != expected {
        return Err(MerkleError::WrongPathLength {
            expected,
            actual: path.len(),
        });
    }

    // RFC 9162, section 2.1.3.2, steps 2 to 5.
    let mut r = *leaf_hash;
    let reaches_root = walk_path(leaf_index, tree_size - 1, path, |p, on_left| {
        r = if on_left {
            hasher.hash_children(p, &r)
        } else {
            hasher.hash_children(&r, p)
        };
    });
    if !reaches_root {
        return Err(MerkleError::WrongPathLength {
            expected,
            actual: path.len(),
        });
    }
    if r != *root {
        return Err(MerkleError::RootMismatch {
            tree_size,
            expected: *root,
            computed: r,
        });
    }
    Ok(())
}

/// The walk up an audit path that both of RFC 9162's verifications make (`fn` spelled `f_n`):
/// from node `f_n` in a level whose last node is `s_n`, each element of `path` is the sibling
/// of the node reached so far, and `step(sibling, on_left)` is told whether it lies to the left
/// (else to the right). Whether `path` has exactly the length that reaches the root: `s_n`
/// becomes 0 with its last element, not before. Stops at the first element too many.
fn walk_path(
    mut f_n: u64,
    mut s_n: u64,
    path: &[Digest],
    mut step: impl FnMut(&Digest, bool),
) -> bool {
    for p in path {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            step(p, true);
            // On the right border: skip the levels where this node has no right sibling.
            while f_n & 1 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            step(p, false);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0
}

/// Checks a consistency proof with the algorithm of RFC 9162, section 2.1.4.2: that the tree of
/// `old_size` leaves with root `old_root` is a prefix of the tree of `new_size` leaves with root
/// `new_root`.
///
/// When the sizes are equal the proof must be empty and the roots equal. A proof from the empty
/// tree (`old_size == 0`) is always rejected, as by transparency-dev/merkle: every tree extends
/// the empty tree, so callers should not ask. Never panics and allocates nothing; the path
/// length is checked before any hashing.
///
/// Success does **not** prove that either root is the log's genuine root for its size (each must
/// come from a verified checkpoint), nor that the log showed the same tree to everyone else: only
/// comparing checkpoints with witnesses or other parties detects a split view.
///
/// # Errors
///
/// * [`MerkleError::OldSizeExceedsNewSize`] if `old_size > new_size`;
/// * [`MerkleError::EmptyOldTree`] if `old_size == 0`;
/// * [`MerkleError::WrongPathLength`] if `path` does not have the length RFC 9162 requires
///   (which is 0 when the sizes are equal);
/// * [`MerkleError::RootMismatch`] if the path does not lead to `old_root` (its `tree_size` is
///   then `old_size`) or to `new_root` (`new_size`).
pub fn verify_consistency<H>(
    hasher: &H,
    old_size: u64,
    new_size: u64,
    path: &[Digest],
    old_root: &Digest,
    new_root: &Digest,
) -> Result<(), MerkleError>
where
    H: TreeHasher + ?Sized,
{
    if old_size > new_size {
        return Err(MerkleError::OldSizeExceedsNewSize { old_size, new_size });
    }
    if old_size == 0 {
        return Err(MerkleError::EmptyOldTree { new_size });
    }
    if old_size == new_size {
        if !path.is_empty() {
            return Err(MerkleError::WrongPathLength {
                expected: 0,
                actual: path.len(),
            });
        }
        if old_root != new_root {
            return Err(MerkleError::RootMismatch {
                tree_size: new_size,
                expected: *new_root,
                computed: *old_root,
            });
        }
        return Ok(());
    }

    // The proof is the inclusion path of leaf old_size - 1 in the new tree, minus the levels
    // below the largest perfect subtree ending at old_size (its root is the seed), plus that
    // seed unless it is the whole old tree.
    let (inner, border) = decompose_inclusion(old_size - 1, new_size);
    let shift = old_size.trailing_zeros();
    let old_is_perfect = old_size.is_power_of_two();
    let expected = usize::from(!old_is_perfect) + (inner.saturating_sub(shift) + border) as usize;
    if path.len() != expected {
        return Err(MerkleError::WrongPathLength {
            expected,
            actual: path.len(),
        });
    }

    // RFC 9162, section 2.1.4.2. Step 2 prepends old_root when old_size is a power of two; taking
    // the seed separately avoids copying the path.
    let (seed, rest) = if old_is_perfect {
        (*old_root, path)
    } else {
        match path.split_first() {
            Some((first, rest)) => (*first, rest),
            None => {
                return Err(MerkleError::WrongPathLength {
                    expected,
                    actual: path.len(),
                })
            }
        }
    };
    // Steps 3 and 4.
    let mut f_n = old_size - 1;
    let mut s_n = new_size - 1;
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    // Steps 5 to 7.
    let mut f_r = seed;
    let mut s_r = seed;
    let reaches_root = walk_path(f_n, s_n, rest, |c, on_left| {
        if on_left {
            f_r = hasher.hash_children(c, &f_r);
            s_r = hasher.hash_children(c, &s_r);
        } else {
            s_r = hasher.hash_children(&s_r, c);
        }
    });
    if !reaches_root {
        return Err(MerkleError::WrongPathLength {
            expected,
            actual: path.len(),
        });
    }
    if f_r != *old_root {
        return Err(MerkleError::RootMismatch {
            tree_size: old_size,
            expected: *old_root,
            computed: f_r,
        });
    }
    if s_r != *new_root {
        return Err(MerkleError::RootMismatch {
            tree_size: new_size,
            expected: *new_root,
            computed: s_r,
        });
    }
    Ok(())
}

/// Splits the inclusion path of `leaf_index` in a tree of `tree_size` leaves (which requires
/// `leaf_index < tree_size`) into `inner`, the levels below the point where the paths to
/// `leaf_index` and to the last leaf meet, and `border`, the left siblings above it on the
/// tree's right border. Their sum is the path length.
pub(super) fn decompose_inclusion(leaf_index: u64, tree_size: u64) -> (u32, u32) {
    let inner = u64::BITS - (leaf_index ^ tree_size.saturating_sub(1)).leading_zeros();
    let border = leaf_index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner, border)
}
