//! High-level node hashes kept in memory once read, for the life of an open store (shared by the
//! writer and its readers, like the descriptors).
//!
//! A proof reads about log₂ n node hashes; those near its leaf lie within a few index groups of
//! one another and are read together, but the dozen near the top of the tree lie far apart in
//! `entries.idx`, one positional read each, and they are the same few nodes for every proof. A
//! perfect subtree's hash never changes once the subtree is complete (the index is append-only
//! and only acknowledged sizes are read), so the hashes of subtrees of at least
//! 2^[`MIN_LEVEL`] leaves are kept once read: at 10⁶ entries about 3,900 of them, 160 KB.
//! At most [`MAX_NODES`] are kept; beyond that, reads go to the file as before.
//!
//! What is kept is what the index said when it was first read: an edit of `entries.idx` made
//! while the store is open is not seen by proofs of this process for those nodes (a reopen, and
//! every other process — `liuhen verify` — reads the file). Nothing signed comes from them: a
//! seal signs the root it recomputes from the frames.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::hash::Digest;

/// The lowest level kept: subtrees of 256 leaves and more.
pub(super) const MIN_LEVEL: u8 = 8;

/// The most node hashes kept (40 bytes each with their key: 2.6 MB).
pub(super) const MAX_NODES: usize = 1 << 16;

/// The kept node hashes.
#[derive(Debug, Default)]
pub(super) struct NodeCache {
    map: Mutex<HashMap<(u8, u64), Digest>>,
}

impl NodeCache {
    /// Fills `out[k]` with the kept hash of `nodes[k]` (`(level, index)`), where one is kept:
    /// one lock for a proof's nodes.
    pub(super) fn fill(&self, nodes: &[(u8, u64)], out: &mut [Option<Digest>]) {
        if nodes.iter().all(|&(level, _)| level < MIN_LEVEL) {
            return;
        }
        let map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        for (slot, node) in out.iter_mut().zip(nodes) {
            if node.0 >= MIN_LEVEL {
                if let Some(hash) = map.get(node) {
                    *slot = Some(*hash);
                }
            }
        }
    }

    /// Keeps the hashes just read that are high enough, while there is room.
    pub(super) fn keep(&self, read: impl IntoIterator<Item = ((u8, u64), Digest)>) {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        for (node, hash) in read {
            if node.0 >= MIN_LEVEL && map.len() < MAX_NODES {
                map.insert(node, hash);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_high_nodes_and_at_most_the_bound() {
        let cache = NodeCache::default();
        let h = Digest::from_bytes([7; 32]);
        cache.keep([((MIN_LEVEL - 1, 0), h), ((MIN_LEVEL, 3), h)]);
        let mut out = [None, None, None];
        cache.fill(
            &[(MIN_LEVEL - 1, 0), (MIN_LEVEL, 3), (MIN_LEVEL, 4)],
            &mut out,
        );
        assert_eq!(out, [None, Some(h), None]);
        cache.keep((0..MAX_NODES as u64 + 10).map(|i| ((20, i), h)));
        let kept = cache.map.lock().map(|m| m.len()).unwrap_or(0);
        assert_eq!(kept, MAX_NODES);
    }
}
