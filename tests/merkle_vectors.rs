//! Known-answer tests of `liuhen::merkle` against published RFC 6962 vectors.
//!
//! Two sources, both from github.com/transparency-dev/merkle (Apache-2.0), embedded here so that
//! the test reads no file:
//!
//! 1. the RFC 6962 reference tree of eight leaves used across certificate-transparency and
//!    transparency-dev, with its roots, perfect-subtree hashes and reference proofs;
//! 2. the repository's `testdata/{inclusion,consistency}` JSON proof vectors: happy paths and
//!    mutated proofs that must be rejected.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use liuhen::hash::{Digest, Sha256TreeHasher, TreeHasher};
use liuhen::merkle::{
    consistency_proof, inclusion_proof, root, verify_consistency, verify_inclusion, CompactRange,
    HashReader, MemoryTree,
};

const H: Sha256TreeHasher = Sha256TreeHasher;

fn digest(hex: &str) -> Digest {
    Digest::from_hex(hex).unwrap_or_else(|| panic!("not a 32-byte hex digest: {hex}"))
}

fn digests(hexes: &[&str]) -> Vec<Digest> {
    hexes.iter().map(|h| digest(h)).collect()
}

fn decode_hex(hex: &str) -> Vec<u8> {
    assert!(hex.len().is_multiple_of(2), "odd hex length: {hex}");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

// =============================================================================================
// 1. The RFC 6962 reference tree.

/// Leaf data. Source: transparency-dev/merkle `testonly/constants.go`, `LeafInputs()`
/// (commit 582a6ad190b6848f1d26f8bf08ddef29955d9db1).
const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// Roots of the trees of the first 0..=8 leaves. Source: transparency-dev/merkle
/// `testonly/constants.go`, `RootHashes()` and `EmptyRootHash()` (commit
/// 582a6ad190b6848f1d26f8bf08ddef29955d9db1); the same roots are in `proof/verify_test.go`
/// (commit 02194e9afb6c1d95b5381350007963aa70fff472).
const ROOTS: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// Hashes of every perfect subtree of the 8-leaf tree, `[level][index]`. Source:
/// transparency-dev/merkle `testonly/constants.go`, `NodeHashes()` (commit
/// 582a6ad190b6848f1d26f8bf08ddef29955d9db1).
const NODE_HASHES: [&[&str]; 4] = [
    &[
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    &[
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    &[
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
];

/// Reference inclusion proofs `(leaf_index, tree_size, path)`. Source: transparency-dev/merkle
/// `testonly/reference_test.go`, `TestRefInclusionProof` (commit
/// 141d627eab770a7e9a2514f46a8b6338e6d90874); `proof/verify_test.go` `inclusionProofs` (commit
/// 02194e9afb6c1d95b5381350007963aa70fff472) has the same proofs with 1-based leaf numbers.
const REFERENCE_INCLUSION: &[(u64, u64, &[&str])] = &[
    (0, 1, &[]),
    (
        0,
        2,
        &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"],
    ),
    (
        1,
        2,
        &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

/// Reference consistency proofs `(old_size, new_size, path)`. Source: transparency-dev/merkle
/// `proof/verify_test.go`, `consistencyProofs` (commit
/// 02194e9afb6c1d95b5381350007963aa70fff472); all but (6, 7) are also in
/// `testonly/reference_test.go`, `TestRefConsistencyProof`.
const REFERENCE_CONSISTENCY: &[(u64, u64, &[&str])] = &[
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

fn reference_tree() -> MemoryTree {
    let mut tree = MemoryTree::new();
    for leaf in LEAVES {
        tree.push(&H, H.hash_leaf(&decode_hex(leaf)));
    }
    tree
}

#[test]
fn reference_tree_roots_for_every_size() {
    let mut tree = MemoryTree::new();
    let mut compact = CompactRange::new();
    assert_eq!(root(&H, &tree, 0).unwrap(), digest(ROOTS[0]));
    assert_eq!(compact.root(&H), digest(ROOTS[0]));
    assert_eq!(H.empty_root(), digest(ROOTS[0]));
    for (i, leaf) in LEAVES.iter().enumerate() {
        let leaf_hash = H.hash_leaf(&decode_hex(leaf));
        tree.push(&H, leaf_hash);
        compact.push(&H, leaf_hash).unwrap();
        let size = i as u64 + 1;
        let expected = digest(ROOTS[i + 1]);
        assert_eq!(root(&H, &tree, size).unwrap(), expected, "size {size}");
        assert_eq!(compact.root(&H), expected, "compact, size {size}");
        assert_eq!(
            CompactRange::from_reader(&tree, size).unwrap().root(&H),
            expected,
            "from_reader, size {size}"
        );
    }
}

#[test]
fn reference_tree_perfect_subtrees() {
    let tree = reference_tree();
    for (level, row) in NODE_HASHES.iter().enumerate() {
        for (index, hash) in row.iter().enumerate() {
            assert_eq!(
                tree.perfect_subtree(level as u8, index as u64).unwrap(),
                digest(hash),
                "level {level}, index {index}"
            );
        }
    }
}

#[test]
fn reference_inclusion_proofs() {
    let tree = reference_tree();
    for &(leaf_index, tree_size, path) in REFERENCE_INCLUSION {
        let proof = inclusion_proof(&H, &tree, leaf_index, tree_size).unwrap();
        assert_eq!(proof.path, digests(path), "({leaf_index}, {tree_size})");
        let leaf_hash = H.hash_leaf(&decode_hex(LEAVES[leaf_index as usize]));
        proof
            .verify(&H, &leaf_hash, &digest(ROOTS[tree_size as usize]))
            .unwrap();
    }
}

#[test]
fn reference_consistency_proofs() {
    let tree = reference_tree();
    for &(old_size, new_size, path) in REFERENCE_CONSISTENCY {
        let proof = consistency_proof(&H, &tree, old_size, new_size).unwrap();
        assert_eq!(proof.path, digests(path), "({old_size}, {new_size})");
        proof
            .verify(
                &H,
                &digest(ROOTS[old_size as usize]),
                &digest(ROOTS[new_size as usize]),
            )
            .unwrap();
    }
}

// =============================================================================================
// 2. The transparency-dev/merkle `testdata` proof vectors.
//
// Values that are not 32 bytes long (the vectors' "wrong leaf", "garbage" and "don't care"
// inputs, and empty hashes) cannot even be expressed as a `Digest`: `Digest::from_slice` rejects
// them, and a caller decoding untrusted input stops there. To still run the verifier on every
// case, `value` maps each such byte string to a stand-in digest tagged with the field's role.
// This mirrors what the Go verifier compares: equal byte strings in the same role stay equal
// (the "sizes are equal (one) and proof is empty" case passes with two equal 12-byte roots), and a
// malformed leaf hash never equals any root (Go rejects it for its length).

struct InclusionVector {
    file: &'static str,
    leaf_index: u64,
    tree_size: u64,
    leaf_hash: &'static str,
    root: &'static str,
    path: &'static [&'static str],
    want_err: bool,
}

struct ConsistencyVector {
    file: &'static str,
    old_size: u64,
    new_size: u64,
    old_root: &'static str,
    new_root: &'static str,
    path: &'static [&'static str],
    want_err: bool,
}

/// The role of a vector value, so that malformed values of different roles never collide.
#[derive(Clone, Copy)]
enum Role {
    Leaf,
    Root,
    Path,
}

/// The digest a vector value stands for, and whether it had to be a stand-in.
fn value(role: Role, hex: &str) -> (Digest, bool) {
    let bytes = decode_hex(hex);
    match Digest::from_slice(&bytes) {
        Some(d) => (d, false),
        None => {
            let tag: &[u8] = match role {
                Role::Leaf => b"leaf",
                Role::Root => b"root",
                Role::Path => b"path",
            };
            let mut tagged = b"liuhen test: not a 32-byte digest\0".to_vec();
            tagged.extend_from_slice(tag);
            tagged.push(0);
            tagged.extend_from_slice(&bytes);
            (H.hash_leaf(&tagged), true)
        }
    }
}

fn path_values(hexes: &[&str]) -> (Vec<Digest>, bool) {
    let mut stand_in = false;
    let digests = hexes
        .iter()
        .map(|h| {
            let (d, s) = value(Role::Path, h);
            stand_in |= s;
            d
        })
        .collect();
    (digests, stand_in)
}

#[test]
fn transparency_dev_inclusion_vectors() {
    let (mut ran, mut stand_ins) = (0, 0);
    for v in INCLUSION_VECTORS {
        let (leaf_hash, s1) = value(Role::Leaf, v.leaf_hash);
        let (root, s2) = value(Role::Root, v.root);
        let (path, s3) = path_values(v.path);
        if s1 || s2 || s3 {
            stand_ins += 1;
            // Only rejection cases carry malformed values.
            assert!(v.want_err, "{}", v.file);
        }
        let verdict = verify_inclusion(&H, v.leaf_index, v.tree_size, &leaf_hash, &path, &root);
        assert_eq!(verdict.is_err(), v.want_err, "{}: {verdict:?}", v.file);
        ran += 1;
    }
    assert_eq!(ran, 98);
    assert_eq!(stand_ins, 26);
}

#[test]
fn transparency_dev_consistency_vectors() {
    let (mut ran, mut stand_ins) = (0, 0);
    for v in CONSISTENCY_VECTORS {
        let (old_root, s1) = value(Role::Root, v.old_root);
        let (new_root, s2) = value(Role::Root, v.new_root);
        let (path, s3) = path_values(v.path);
        if s1 || s2 || s3 {
            stand_ins += 1;
            // The one accepting case with malformed values compares two equal byte strings.
            assert!(v.want_err || v.old_root == v.new_root, "{}", v.file);
        }
        let verdict = verify_consistency(&H, v.old_size, v.new_size, &path, &old_root, &new_root);
        assert_eq!(verdict.is_err(), v.want_err, "{}: {verdict:?}", v.file);
        ran += 1;
    }
    assert_eq!(ran, 98);
    assert_eq!(stand_ins, 27);
}

/// The happy-path vectors are proofs of the reference tree: our generator must produce them.
#[test]
fn transparency_dev_happy_paths_are_generated_identically() {
    let tree = reference_tree();
    let mut compared = 0;
    for v in INCLUSION_VECTORS
        .iter()
        .filter(|v| v.file.ends_with("/happy-path.json"))
    {
        let proof = inclusion_proof(&H, &tree, v.leaf_index, v.tree_size).unwrap();
        assert_eq!(proof.path, digests(v.path), "{}", v.file);
        assert_eq!(
            root(&H, &tree, v.tree_size).unwrap(),
            digest(v.root),
            "{}",
            v.file
        );
        compared += 1;
    }
    for v in CONSISTENCY_VECTORS
        .iter()
        .filter(|v| v.file.ends_with("/happy-path.json"))
    {
        let proof = consistency_proof(&H, &tree, v.old_size, v.new_size).unwrap();
        assert_eq!(proof.path, digests(v.path), "{}", v.file);
        compared += 1;
    }
    assert_eq!(compared, 10);
}

// ---------------------------------------------------------------------------------------------
// Generated table: do not edit by hand.
//
// Source: github.com/transparency-dev/merkle `testdata/inclusion/**/*.json` and
// `testdata/consistency/**/*.json` (98 + 98 files, written by the repository's test-vector
// generator; the files match the repository at commit 8c666a79ae695b010ac709a5d662e1f4fae5cd1a
// where checked). Base64 fields are converted to hex; `"proof": null` becomes an empty path;
// `file` is the path below `testdata/`. Regenerate with this script (python3 gen.py TESTDATA_DIR),
// then paste its output below:
//
//     import base64, glob, json, os, sys
//     root = sys.argv[1]
//     def hx(b64): return base64.b64decode(b64).hex()
//     def rs(s): return '"' + s + '"'
//     def lst(xs): return "&[" + ", ".join(rs(hx(x)) for x in (xs or [])) + "]"
//     out = []
//     for kind in ("inclusion", "consistency"):
//         files = sorted(glob.glob(os.path.join(root, kind, "**", "*.json"), recursive=True))
//         name = "INCLUSION_VECTORS" if kind == "inclusion" else "CONSISTENCY_VECTORS"
//         typ = "InclusionVector" if kind == "inclusion" else "ConsistencyVector"
//         out.append(f"const {name}: &[{typ}] = &[")
//         for f in files:
//             d = json.load(open(f))
//             rel = os.path.relpath(f, root)
//             if kind == "inclusion":
//                 out.append(f"    {typ} {{ file: {rs(rel)}, leaf_index: {d['leafIdx']}, tree_size: {d['treeSize']}, "
//                            f"leaf_hash: {rs(hx(d['leafHash']))}, root: {rs(hx(d['root']))}, "
//                            f"path: {lst(d['proof'])}, want_err: {str(d['wantErr']).lower()} }},")
//             else:
//                 out.append(f"    {typ} {{ file: {rs(rel)}, old_size: {d['size1']}, new_size: {d['size2']}, "
//                            f"old_root: {rs(hx(d['root1']))}, new_root: {rs(hx(d['root2']))}, "
//                            f"path: {lst(d['proof'])}, want_err: {str(d['wantErr']).lower()} }},")
//         out.append("];")
//     print("\n".join(out))

#[rustfmt::skip]
const INCLUSION_VECTORS: &[InclusionVector] = &[
    InclusionVector { file: "inclusion/0/empty-root.json", leaf_index: 0, tree_size: 1, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &[], want_err: true },
    InclusionVector { file: "inclusion/0/happy-path.json", leaf_index: 0, tree_size: 1, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", path: &[], want_err: false },
    InclusionVector { file: "inclusion/0/leafIdx-XOR-@2.json", leaf_index: 2, tree_size: 1, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", path: &[], want_err: true },
    InclusionVector { file: "inclusion/0/leafIdx-plus-@1.json", leaf_index: 1, tree_size: 1, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", path: &[], want_err: true },
    InclusionVector { file: "inclusion/0/leafIdx-sub-@1.json", leaf_index: 18446744073709551615, tree_size: 1, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", path: &[], want_err: true },
    InclusionVector { file: "inclusion/0/preceding-garbage.json", leaf_index: 0, tree_size: 1, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", path: &[""], want_err: true },
    InclusionVector { file: "inclusion/0/preceding-root.json", leaf_index: 0, tree_size: 1, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"], want_err: true },
    InclusionVector { file: "inclusion/0/random-root.json", leaf_index: 0, tree_size: 1, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "abacaba000000000000000000000000000000000000000000060061e00123456", path: &[], want_err: true },
    InclusionVector { file: "inclusion/0/trailing-garbage.json", leaf_index: 0, tree_size: 1, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", path: &[""], want_err: true },
    InclusionVector { file: "inclusion/0/trailing-root.json", leaf_index: 0, tree_size: 1, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"], want_err: true },
    InclusionVector { file: "inclusion/0/treeSize-div-@2.json", leaf_index: 0, tree_size: 0, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", path: &[], want_err: true },
    InclusionVector { file: "inclusion/0/treeSize-mul-@2.json", leaf_index: 0, tree_size: 2, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", path: &[], want_err: true },
    InclusionVector { file: "inclusion/0/wrong-leaf.json", leaf_index: 0, tree_size: 1, leaf_hash: "57726f6e674c656166", root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", path: &[], want_err: true },
    InclusionVector { file: "inclusion/1/empty-root.json", leaf_index: 0, tree_size: 8, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    InclusionVector { file: "inclusion/1/happy-path.json", leaf_index: 0, tree_size: 8, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: false },
    InclusionVector { file: "inclusion/1/inserted-component.json", leaf_index: 0, tree_size: 8, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "abacaba000000000000000000000000000000000000000000060061e00123456", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    InclusionVector { file: "inclusion/1/leafIdx-XOR-@2.json", leaf_index: 2, tree_size: 8, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    InclusionVector { file: "inclusion/1/leafIdx-plus-@1.json", leaf_index: 1, tree_size: 8, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    InclusionVector { file: "inclusion/1/leafIdx-sub-@1.json", leaf_index: 18446744073709551615, tree_size: 8, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    InclusionVector { file: "inclusion/1/modified-proof[0]-bit-@3.json", leaf_index: 0, tree_size: 8, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["9ea296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    InclusionVector { file: "inclusion/1/modified-proof[1]-bit-@3.json", leaf_index: 0, tree_size: 8, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "57083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    InclusionVector { file: "inclusion/1/modified-proof[2]-bit-@3.json", leaf_index: 0, tree_size: 8, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6347aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    InclusionVector { file: "inclusion/1/preceding-garbage.json", leaf_index: 0, tree_size: 8, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["", "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    InclusionVector { file: "inclusion/1/preceding-root.json", leaf_index: 0, tree_size: 8, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    InclusionVector { file: "inclusion/1/random-root.json", leaf_index: 0, tree_size: 8, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "abacaba000000000000000000000000000000000000000000060061e00123456", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    InclusionVector { file: "inclusion/1/removed-component.json", leaf_index: 0, tree_size: 8, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"], want_err: true },
    InclusionVector { file: "inclusion/1/trailing-garbage.json", leaf_index: 0, tree_size: 8, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4", ""], want_err: true },
    InclusionVector { file: "inclusion/1/trailing-root.json", leaf_index: 0, tree_size: 8, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4", "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"], want_err: true },
    InclusionVector { file: "inclusion/1/treeSize-div-@2.json", leaf_index: 0, tree_size: 4, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    InclusionVector { file: "inclusion/1/treeSize-mul-@2.json", leaf_index: 0, tree_size: 16, leaf_hash: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    InclusionVector { file: "inclusion/1/wrong-leaf.json", leaf_index: 0, tree_size: 8, leaf_hash: "57726f6e674c656166", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    InclusionVector { file: "inclusion/2/empty-root.json", leaf_index: 5, tree_size: 8, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    InclusionVector { file: "inclusion/2/happy-path.json", leaf_index: 5, tree_size: 8, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: false },
    InclusionVector { file: "inclusion/2/inserted-component.json", leaf_index: 5, tree_size: 8, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "abacaba000000000000000000000000000000000000000000060061e00123456", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    InclusionVector { file: "inclusion/2/leafIdx-XOR-@2.json", leaf_index: 7, tree_size: 8, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    InclusionVector { file: "inclusion/2/leafIdx-plus-@1.json", leaf_index: 6, tree_size: 8, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    InclusionVector { file: "inclusion/2/leafIdx-sub-@1.json", leaf_index: 4, tree_size: 8, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    InclusionVector { file: "inclusion/2/modified-proof[0]-bit-@3.json", leaf_index: 5, tree_size: 8, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["b41a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    InclusionVector { file: "inclusion/2/modified-proof[1]-bit-@3.json", leaf_index: 5, tree_size: 8, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "c2854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    InclusionVector { file: "inclusion/2/modified-proof[2]-bit-@3.json", leaf_index: 5, tree_size: 8, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "db7ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    InclusionVector { file: "inclusion/2/preceding-garbage.json", leaf_index: 5, tree_size: 8, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    InclusionVector { file: "inclusion/2/preceding-root.json", leaf_index: 5, tree_size: 8, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    InclusionVector { file: "inclusion/2/random-root.json", leaf_index: 5, tree_size: 8, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "abacaba000000000000000000000000000000000000000000060061e00123456", path: &["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    InclusionVector { file: "inclusion/2/removed-component.json", leaf_index: 5, tree_size: 8, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"], want_err: true },
    InclusionVector { file: "inclusion/2/trailing-garbage.json", leaf_index: 5, tree_size: 8, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7", ""], want_err: true },
    InclusionVector { file: "inclusion/2/trailing-root.json", leaf_index: 5, tree_size: 8, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7", "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"], want_err: true },
    InclusionVector { file: "inclusion/2/treeSize-div-@2.json", leaf_index: 5, tree_size: 4, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    InclusionVector { file: "inclusion/2/treeSize-mul-@2.json", leaf_index: 5, tree_size: 16, leaf_hash: "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    InclusionVector { file: "inclusion/2/wrong-leaf.json", leaf_index: 5, tree_size: 8, leaf_hash: "57726f6e674c656166", root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    InclusionVector { file: "inclusion/3/empty-root.json", leaf_index: 2, tree_size: 3, leaf_hash: "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7", root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"], want_err: true },
    InclusionVector { file: "inclusion/3/happy-path.json", leaf_index: 2, tree_size: 3, leaf_hash: "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7", root: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", path: &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"], want_err: false },
    InclusionVector { file: "inclusion/3/leafIdx-XOR-@2.json", leaf_index: 0, tree_size: 3, leaf_hash: "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7", root: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", path: &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"], want_err: true },
    InclusionVector { file: "inclusion/3/leafIdx-plus-@1.json", leaf_index: 3, tree_size: 3, leaf_hash: "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7", root: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", path: &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"], want_err: true },
    InclusionVector { file: "inclusion/3/leafIdx-sub-@1.json", leaf_index: 1, tree_size: 3, leaf_hash: "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7", root: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", path: &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"], want_err: true },
    InclusionVector { file: "inclusion/3/modified-proof[0]-bit-@3.json", leaf_index: 2, tree_size: 3, leaf_hash: "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7", root: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", path: &["f2c54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"], want_err: true },
    InclusionVector { file: "inclusion/3/preceding-garbage.json", leaf_index: 2, tree_size: 3, leaf_hash: "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7", root: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", path: &["", "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"], want_err: true },
    InclusionVector { file: "inclusion/3/preceding-root.json", leaf_index: 2, tree_size: 3, leaf_hash: "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7", root: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", path: &["aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"], want_err: true },
    InclusionVector { file: "inclusion/3/random-root.json", leaf_index: 2, tree_size: 3, leaf_hash: "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7", root: "abacaba000000000000000000000000000000000000000000060061e00123456", path: &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"], want_err: true },
    InclusionVector { file: "inclusion/3/removed-component.json", leaf_index: 2, tree_size: 3, leaf_hash: "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7", root: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", path: &[], want_err: true },
    InclusionVector { file: "inclusion/3/trailing-garbage.json", leaf_index: 2, tree_size: 3, leaf_hash: "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7", root: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", path: &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", ""], want_err: true },
    InclusionVector { file: "inclusion/3/trailing-root.json", leaf_index: 2, tree_size: 3, leaf_hash: "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7", root: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", path: &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"], want_err: true },
    InclusionVector { file: "inclusion/3/treeSize-div-@2.json", leaf_index: 2, tree_size: 1, leaf_hash: "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7", root: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", path: &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"], want_err: true },
    InclusionVector { file: "inclusion/3/treeSize-mul-@2.json", leaf_index: 2, tree_size: 6, leaf_hash: "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7", root: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", path: &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"], want_err: true },
    InclusionVector { file: "inclusion/3/wrong-leaf.json", leaf_index: 2, tree_size: 3, leaf_hash: "57726f6e674c656166", root: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", path: &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"], want_err: true },
    InclusionVector { file: "inclusion/4/empty-root.json", leaf_index: 1, tree_size: 5, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    InclusionVector { file: "inclusion/4/happy-path.json", leaf_index: 1, tree_size: 5, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: false },
    InclusionVector { file: "inclusion/4/inserted-component.json", leaf_index: 1, tree_size: 5, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "abacaba000000000000000000000000000000000000000000060061e00123456", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    InclusionVector { file: "inclusion/4/leafIdx-XOR-@2.json", leaf_index: 3, tree_size: 5, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    InclusionVector { file: "inclusion/4/leafIdx-plus-@1.json", leaf_index: 2, tree_size: 5, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    InclusionVector { file: "inclusion/4/leafIdx-sub-@1.json", leaf_index: 0, tree_size: 5, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    InclusionVector { file: "inclusion/4/modified-proof[0]-bit-@3.json", leaf_index: 1, tree_size: 5, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["66340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    InclusionVector { file: "inclusion/4/modified-proof[1]-bit-@3.json", leaf_index: 1, tree_size: 5, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "57083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    InclusionVector { file: "inclusion/4/modified-proof[2]-bit-@3.json", leaf_index: 1, tree_size: 5, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "b41a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    InclusionVector { file: "inclusion/4/preceding-garbage.json", leaf_index: 1, tree_size: 5, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["", "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    InclusionVector { file: "inclusion/4/preceding-root.json", leaf_index: 1, tree_size: 5, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    InclusionVector { file: "inclusion/4/random-root.json", leaf_index: 1, tree_size: 5, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "abacaba000000000000000000000000000000000000000000060061e00123456", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    InclusionVector { file: "inclusion/4/removed-component.json", leaf_index: 1, tree_size: 5, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"], want_err: true },
    InclusionVector { file: "inclusion/4/trailing-garbage.json", leaf_index: 1, tree_size: 5, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", ""], want_err: true },
    InclusionVector { file: "inclusion/4/trailing-root.json", leaf_index: 1, tree_size: 5, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"], want_err: true },
    InclusionVector { file: "inclusion/4/treeSize-div-@2.json", leaf_index: 1, tree_size: 2, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    InclusionVector { file: "inclusion/4/treeSize-mul-@2.json", leaf_index: 1, tree_size: 10, leaf_hash: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    InclusionVector { file: "inclusion/4/wrong-leaf.json", leaf_index: 1, tree_size: 5, leaf_hash: "57726f6e674c656166", root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    InclusionVector { file: "inclusion/additional/0/empty-root-and-random-leaf.json", leaf_index: 0, tree_size: 0, leaf_hash: "abacaba000000000000000000000000000000000000000000060061e00123456", root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &[], want_err: true },
    InclusionVector { file: "inclusion/additional/0/empty-root.json", leaf_index: 0, tree_size: 0, leaf_hash: "", root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &[], want_err: true },
    InclusionVector { file: "inclusion/additional/0/random-leaf.json", leaf_index: 0, tree_size: 0, leaf_hash: "abacaba000000000000000000000000000000000000000000060061e00123456", root: "", path: &[], want_err: true },
    InclusionVector { file: "inclusion/additional/1/empty-root-and-random-leaf.json", leaf_index: 0, tree_size: 1, leaf_hash: "abacaba000000000000000000000000000000000000000000060061e00123456", root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &[], want_err: true },
    InclusionVector { file: "inclusion/additional/1/empty-root.json", leaf_index: 0, tree_size: 1, leaf_hash: "", root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &[], want_err: true },
    InclusionVector { file: "inclusion/additional/1/random-leaf.json", leaf_index: 0, tree_size: 1, leaf_hash: "abacaba000000000000000000000000000000000000000000060061e00123456", root: "", path: &[], want_err: true },
    InclusionVector { file: "inclusion/additional/2/empty-root-and-random-leaf.json", leaf_index: 1, tree_size: 0, leaf_hash: "abacaba000000000000000000000000000000000000000000060061e00123456", root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &[], want_err: true },
    InclusionVector { file: "inclusion/additional/2/empty-root.json", leaf_index: 1, tree_size: 0, leaf_hash: "", root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &[], want_err: true },
    InclusionVector { file: "inclusion/additional/2/random-leaf.json", leaf_index: 1, tree_size: 0, leaf_hash: "abacaba000000000000000000000000000000000000000000060061e00123456", root: "", path: &[], want_err: true },
    InclusionVector { file: "inclusion/additional/3/empty-root-and-random-leaf.json", leaf_index: 2, tree_size: 1, leaf_hash: "abacaba000000000000000000000000000000000000000000060061e00123456", root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &[], want_err: true },
    InclusionVector { file: "inclusion/additional/3/empty-root.json", leaf_index: 2, tree_size: 1, leaf_hash: "", root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &[], want_err: true },
    InclusionVector { file: "inclusion/additional/3/random-leaf.json", leaf_index: 2, tree_size: 1, leaf_hash: "abacaba000000000000000000000000000000000000000000060061e00123456", root: "", path: &[], want_err: true },
    InclusionVector { file: "inclusion/single-entry/empty-leaf.json", leaf_index: 0, tree_size: 1, leaf_hash: "", root: "0d3aed023148ffd2a259fbd0cdc7fb3cf975658760d3775b82af6f90aacc2dfc", path: &[], want_err: true },
    InclusionVector { file: "inclusion/single-entry/empty-root-and-leaf.json", leaf_index: 0, tree_size: 1, leaf_hash: "", root: "", path: &[], want_err: true },
    InclusionVector { file: "inclusion/single-entry/empty-root.json", leaf_index: 0, tree_size: 1, leaf_hash: "0d3aed023148ffd2a259fbd0cdc7fb3cf975658760d3775b82af6f90aacc2dfc", root: "", path: &[], want_err: true },
    InclusionVector { file: "inclusion/single-entry/matching-root-and-leaf.json", leaf_index: 0, tree_size: 1, leaf_hash: "0d3aed023148ffd2a259fbd0cdc7fb3cf975658760d3775b82af6f90aacc2dfc", root: "0d3aed023148ffd2a259fbd0cdc7fb3cf975658760d3775b82af6f90aacc2dfc", path: &[], want_err: false },
];
#[rustfmt::skip]
const CONSISTENCY_VECTORS: &[ConsistencyVector] = &[
    ConsistencyVector { file: "consistency/0/happy-path.json", old_size: 1, new_size: 1, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", path: &[], want_err: false },
    ConsistencyVector { file: "consistency/1/empty-proof.json", old_size: 1, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &[], want_err: true },
    ConsistencyVector { file: "consistency/1/happy-path.json", old_size: 1, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: false },
    ConsistencyVector { file: "consistency/1/modified-proof@0-bit-@4.json", old_size: 1, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["86a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    ConsistencyVector { file: "consistency/1/modified-proof@1-bit-@4.json", old_size: 1, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "4f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    ConsistencyVector { file: "consistency/1/modified-proof@2-bit-@4.json", old_size: 1, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "7b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    ConsistencyVector { file: "consistency/1/preceding-garbage.json", old_size: 1, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["", "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    ConsistencyVector { file: "consistency/1/preceding-proof-@0.json", old_size: 1, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    ConsistencyVector { file: "consistency/1/preceding-root1.json", old_size: 1, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    ConsistencyVector { file: "consistency/1/preceding-root2.json", old_size: 1, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    ConsistencyVector { file: "consistency/1/size1-XOR-@2.json", old_size: 3, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    ConsistencyVector { file: "consistency/1/size1-plus-@1.json", old_size: 2, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    ConsistencyVector { file: "consistency/1/size1-sub-@1.json", old_size: 0, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    ConsistencyVector { file: "consistency/1/size2-div-@2.json", old_size: 1, new_size: 4, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    ConsistencyVector { file: "consistency/1/size2-mul-@2.json", old_size: 1, new_size: 16, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    ConsistencyVector { file: "consistency/1/swapped-roots.json", old_size: 1, new_size: 8, old_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", new_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    ConsistencyVector { file: "consistency/1/trailing-garbage.json", old_size: 1, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4", ""], want_err: true },
    ConsistencyVector { file: "consistency/1/trailing-root1.json", old_size: 1, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4", "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"], want_err: true },
    ConsistencyVector { file: "consistency/1/trailing-root2.json", old_size: 1, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4", "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"], want_err: true },
    ConsistencyVector { file: "consistency/1/truncated-proof.json", old_size: 1, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"], want_err: true },
    ConsistencyVector { file: "consistency/1/wrong-root1.json", old_size: 1, new_size: 8, old_root: "57726f6e67526f6f74", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    ConsistencyVector { file: "consistency/1/wrong-root2.json", old_size: 1, new_size: 8, old_root: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", new_root: "57726f6e67526f6f74", path: &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"], want_err: true },
    ConsistencyVector { file: "consistency/2/empty-proof.json", old_size: 6, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &[], want_err: true },
    ConsistencyVector { file: "consistency/2/happy-path.json", old_size: 6, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: false },
    ConsistencyVector { file: "consistency/2/modified-proof@0-bit-@4.json", old_size: 6, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["1ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/2/modified-proof@1-bit-@4.json", old_size: 6, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "da854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/2/modified-proof@2-bit-@4.json", old_size: 6, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "c37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/2/preceding-garbage.json", old_size: 6, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["", "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/2/preceding-proof-@0.json", old_size: 6, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/2/preceding-root1.json", old_size: 6, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/2/preceding-root2.json", old_size: 6, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/2/size1-XOR-@2.json", old_size: 4, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/2/size1-plus-@1.json", old_size: 7, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/2/size1-sub-@1.json", old_size: 5, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/2/size2-div-@2.json", old_size: 6, new_size: 4, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/2/size2-mul-@2.json", old_size: 6, new_size: 16, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/2/swapped-roots.json", old_size: 6, new_size: 8, old_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", new_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/2/trailing-garbage.json", old_size: 6, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7", ""], want_err: true },
    ConsistencyVector { file: "consistency/2/trailing-root1.json", old_size: 6, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7", "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"], want_err: true },
    ConsistencyVector { file: "consistency/2/trailing-root2.json", old_size: 6, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7", "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"], want_err: true },
    ConsistencyVector { file: "consistency/2/truncated-proof.json", old_size: 6, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"], want_err: true },
    ConsistencyVector { file: "consistency/2/wrong-root1.json", old_size: 6, new_size: 8, old_root: "57726f6e67526f6f74", new_root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/2/wrong-root2.json", old_size: 6, new_size: 8, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "57726f6e67526f6f74", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/3/empty-proof.json", old_size: 2, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &[], want_err: true },
    ConsistencyVector { file: "consistency/3/happy-path.json", old_size: 2, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: false },
    ConsistencyVector { file: "consistency/3/modified-proof@0-bit-@4.json", old_size: 2, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["4f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    ConsistencyVector { file: "consistency/3/modified-proof@1-bit-@4.json", old_size: 2, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "ac1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    ConsistencyVector { file: "consistency/3/preceding-garbage.json", old_size: 2, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    ConsistencyVector { file: "consistency/3/preceding-proof-@0.json", old_size: 2, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    ConsistencyVector { file: "consistency/3/preceding-root1.json", old_size: 2, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    ConsistencyVector { file: "consistency/3/preceding-root2.json", old_size: 2, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    ConsistencyVector { file: "consistency/3/size1-XOR-@2.json", old_size: 0, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    ConsistencyVector { file: "consistency/3/size1-plus-@1.json", old_size: 3, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    ConsistencyVector { file: "consistency/3/size1-sub-@1.json", old_size: 1, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    ConsistencyVector { file: "consistency/3/size2-div-@2.json", old_size: 2, new_size: 2, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    ConsistencyVector { file: "consistency/3/size2-mul-@2.json", old_size: 2, new_size: 10, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    ConsistencyVector { file: "consistency/3/swapped-roots.json", old_size: 2, new_size: 5, old_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", new_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", path: &["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    ConsistencyVector { file: "consistency/3/trailing-garbage.json", old_size: 2, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", ""], want_err: true },
    ConsistencyVector { file: "consistency/3/trailing-root1.json", old_size: 2, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"], want_err: true },
    ConsistencyVector { file: "consistency/3/trailing-root2.json", old_size: 2, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"], want_err: true },
    ConsistencyVector { file: "consistency/3/truncated-proof.json", old_size: 2, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"], want_err: true },
    ConsistencyVector { file: "consistency/3/wrong-root1.json", old_size: 2, new_size: 5, old_root: "57726f6e67526f6f74", new_root: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", path: &["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    ConsistencyVector { file: "consistency/3/wrong-root2.json", old_size: 2, new_size: 5, old_root: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", new_root: "57726f6e67526f6f74", path: &["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"], want_err: true },
    ConsistencyVector { file: "consistency/4/empty-proof.json", old_size: 6, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &[], want_err: true },
    ConsistencyVector { file: "consistency/4/happy-path.json", old_size: 6, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: false },
    ConsistencyVector { file: "consistency/4/modified-proof@0-bit-@4.json", old_size: 6, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["1ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/4/modified-proof@1-bit-@4.json", old_size: 6, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "a08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/4/modified-proof@2-bit-@4.json", old_size: 6, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "c37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/4/preceding-garbage.json", old_size: 6, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["", "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/4/preceding-proof-@0.json", old_size: 6, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/4/preceding-root1.json", old_size: 6, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/4/preceding-root2.json", old_size: 6, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/4/size1-XOR-@2.json", old_size: 4, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/4/size1-plus-@1.json", old_size: 7, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/4/size1-sub-@1.json", old_size: 5, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/4/size2-div-@2.json", old_size: 6, new_size: 3, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/4/size2-mul-@2.json", old_size: 6, new_size: 14, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/4/swapped-roots.json", old_size: 6, new_size: 7, old_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", new_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/4/trailing-garbage.json", old_size: 6, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7", ""], want_err: true },
    ConsistencyVector { file: "consistency/4/trailing-root1.json", old_size: 6, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7", "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"], want_err: true },
    ConsistencyVector { file: "consistency/4/trailing-root2.json", old_size: 6, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7", "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"], want_err: true },
    ConsistencyVector { file: "consistency/4/truncated-proof.json", old_size: 6, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"], want_err: true },
    ConsistencyVector { file: "consistency/4/wrong-root1.json", old_size: 6, new_size: 7, old_root: "57726f6e67526f6f74", new_root: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/4/wrong-root2.json", old_size: 6, new_size: 7, old_root: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", new_root: "57726f6e67526f6f74", path: &["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"], want_err: true },
    ConsistencyVector { file: "consistency/additional/consistency-check-on-empty-tree-size1-is-zero-is-useless.json", old_size: 0, new_size: 1, old_root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", new_root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"], want_err: true },
    ConsistencyVector { file: "consistency/additional/roots-do-not-match-and-sizes-are-zero.json", old_size: 0, new_size: 0, old_root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", new_root: "646f6e277420636172652032", path: &[], want_err: true },
    ConsistencyVector { file: "consistency/additional/roots-do-not-not-match-and-sizes-are-one.json", old_size: 1, new_size: 1, old_root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", new_root: "646f6e277420636172652032", path: &[], want_err: true },
    ConsistencyVector { file: "consistency/additional/size1-is-greater-than-size2-again.json", old_size: 2, new_size: 1, old_root: "646f6e277420636172652031", new_root: "646f6e277420636172652032", path: &[], want_err: true },
    ConsistencyVector { file: "consistency/additional/size1-is-greater-than-size2.json", old_size: 1, new_size: 0, old_root: "646f6e277420636172652031", new_root: "646f6e277420636172652032", path: &[], want_err: true },
    ConsistencyVector { file: "consistency/additional/size1-is-zero-and-does-not-equal-size2.json", old_size: 0, new_size: 1, old_root: "646f6e277420636172652031", new_root: "646f6e277420636172652032", path: &[], want_err: true },
    ConsistencyVector { file: "consistency/additional/size1-is-zero-and-size2-is-not-zero.json", old_size: 0, new_size: 1, old_root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", new_root: "646f6e277420636172652032", path: &[], want_err: true },
    ConsistencyVector { file: "consistency/additional/sizes-are-equal-one-and-proof-is-empty.json", old_size: 1, new_size: 1, old_root: "646f6e277420636172652032", new_root: "646f6e277420636172652032", path: &[], want_err: false },
    ConsistencyVector { file: "consistency/additional/sizes-are-equal-one-but-roots-are-not.json", old_size: 1, new_size: 1, old_root: "646f6e277420636172652031", new_root: "646f6e277420636172652032", path: &[], want_err: true },
    ConsistencyVector { file: "consistency/additional/sizes-are-equal-zero-and-proof-is-empty.json", old_size: 0, new_size: 0, old_root: "646f6e277420636172652031", new_root: "646f6e277420636172652031", path: &[], want_err: true },
    ConsistencyVector { file: "consistency/additional/sizes-are-equal-zero-but-roots-are-not.json", old_size: 0, new_size: 0, old_root: "646f6e277420636172652031", new_root: "646f6e277420636172652032", path: &[], want_err: true },
    ConsistencyVector { file: "consistency/additional/sizes-do-not-watch-and-proof-is-empty.json", old_size: 1, new_size: 2, old_root: "646f6e277420636172652031", new_root: "646f6e277420636172652032", path: &[], want_err: true },
    ConsistencyVector { file: "consistency/additional/sizes-match-but-proof-is-not-empty-and-sizes-are-one.json", old_size: 1, new_size: 1, old_root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", new_root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"], want_err: true },
    ConsistencyVector { file: "consistency/additional/sizes-match-but-proof-is-not-empty-and-sizes-are-zero.json", old_size: 0, new_size: 0, old_root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", new_root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", path: &["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"], want_err: true },
];
