//! `verify_inclusion` and `verify_consistency` on arbitrary sizes, indices, paths and roots:
//! never panic, whatever the sizes (0, u64::MAX, old > new, ...) and path lengths.
//!
//! Input layout (little-endian, missing bytes read as zero):
//!
//! ```text
//! leaf_index u64 | tree_size u64 | old_size u64 | new_size u64 | k u8
//! | leaf_hash [32] | root [32] | old_root [32] | new_root [32] | path hashes [32]...
//! ```
//!
//! The first `k` path hashes are the inclusion path, the rest the consistency path.
//!
//! For trees of at most `ORACLE_LEAVES` leaves, the target also checks against a real tree:
//! the real proofs verify (completeness), and a fuzzed proof that verifies against the real
//! root(s) is exactly the real proof (soundness, barring SHA-256 collisions).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use liuhen::hash::{Digest, Sha256TreeHasher, TreeHasher};
use liuhen::merkle::{
    consistency_proof, inclusion_proof, root, verify_consistency, verify_inclusion, HashReader,
    MemoryTree,
};

const ORACLE_LEAVES: u64 = 64;

fn tree() -> &'static MemoryTree {
    static TREE: OnceLock<MemoryTree> = OnceLock::new();
    TREE.get_or_init(|| {
        let mut t = MemoryTree::new();
        for i in 0..ORACLE_LEAVES {
            t.push(&Sha256TreeHasher, Sha256TreeHasher.hash_leaf(&i.to_le_bytes()));
        }
        t
    })
}

fn u64_at(data: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    for (i, x) in b.iter_mut().enumerate() {
        *x = data.get(at + i).copied().unwrap_or(0);
    }
    u64::from_le_bytes(b)
}

fn digest_at(data: &[u8], at: usize) -> Digest {
    let mut b = [0u8; 32];
    for (i, x) in b.iter_mut().enumerate() {
        *x = data.get(at + i).copied().unwrap_or(0);
    }
    Digest::from_bytes(b)
}

fuzz_target!(|data: &[u8]| {
    let h = Sha256TreeHasher;
    let leaf_index = u64_at(data, 0);
    let tree_size = u64_at(data, 8);
    let old_size = u64_at(data, 16);
    let new_size = u64_at(data, 24);
    let k = usize::from(data.get(32).copied().unwrap_or(0));
    let leaf_hash = digest_at(data, 33);
    let root_hash = digest_at(data, 65);
    let old_root = digest_at(data, 97);
    let new_root = digest_at(data, 129);
    let path: Vec<Digest> = data
        .get(161..)
        .unwrap_or(&[])
        .chunks_exact(32)
        .map(|c| digest_at(c, 0))
        .collect();
    let (incl_path, cons_path) = path.split_at(k.min(path.len()));

    let incl_ok = verify_inclusion(&h, leaf_index, tree_size, &leaf_hash, incl_path, &root_hash);
    let cons_ok = verify_consistency(&h, old_size, new_size, cons_path, &old_root, &new_root);
    if incl_ok.is_ok() {
        assert!(leaf_index < tree_size);
    }
    if cons_ok.is_ok() {
        assert!(0 < old_size && old_size <= new_size);
    }

    let t = tree();
    if leaf_index < tree_size && tree_size <= ORACLE_LEAVES {
        let real_root = root(&h, t, tree_size).expect("root");
        let real_leaf = t.perfect_subtree(0, leaf_index).expect("leaf");
        let proof = inclusion_proof(&h, t, leaf_index, tree_size).expect("inclusion proof");
        proof
            .verify(&h, &real_leaf, &real_root)
            .expect("a real inclusion proof verifies");
        if verify_inclusion(&h, leaf_index, tree_size, &leaf_hash, incl_path, &real_root).is_ok() {
            assert_eq!(leaf_hash, real_leaf, "forged leaf accepted");
            assert_eq!(incl_path, proof.path.as_slice(), "forged inclusion path accepted");
        }
    }
    if 0 < old_size && old_size <= new_size && new_size <= ORACLE_LEAVES {
        let real_old = root(&h, t, old_size).expect("root");
        let real_new = root(&h, t, new_size).expect("root");
        let proof = consistency_proof(&h, t, old_size, new_size).expect("consistency proof");
        proof
            .verify(&h, &real_old, &real_new)
            .expect("a real consistency proof verifies");
        if verify_consistency(&h, old_size, new_size, cons_path, &real_old, &real_new).is_ok() {
            assert_eq!(cons_path, proof.path.as_slice(), "forged consistency path accepted");
        }
    }
});
