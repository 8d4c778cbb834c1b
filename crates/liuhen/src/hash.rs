//! Digests and domain-separated hashing.
//!
//! Two hash functions live in liuhen, each where it fits best:
//!
//! * **SHA-256** builds the Merkle tree, exactly as RFC 6962 / RFC 9162 specify, so that
//!   witnesses, monitors and tlog-tiles clients of the transparency-log ecosystem can check our
//!   proofs byte for byte. It sits behind [`TreeHasher`] so that an SM3 suite (GB/T 32905) can
//!   follow without touching the tree code.
//! * **BLAKE3** digests media files (plain BLAKE3, identical to `b3sum`) and computes content
//!   hashes and sealed commitments, where its speed matters.
//!
//! Every hash input other than raw media bytes and the RFC 6962 tree nodes starts with a
//! domain-separation label: ASCII text followed by one `0x00` byte (see [`labels`]). The NUL
//! byte also guarantees that no labelled message is ever a valid C2SP signed-note text, which
//! forbids control characters, so a checkpoint signature can never be confused with a statement
//! signature.
//!
//! This module reads no files and no clock.

use core::fmt;

use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use subtle::ConstantTimeEq;

/// Domain-separation labels, one per kind of hashed or signed byte string.
///
/// Each label is ASCII, carries the format version, and ends with a `0x00` byte. They are part
/// of the format: changing one changes every hash and signature of that kind.
pub mod labels {
    /// Prefix of the canonical bytes of an [`Entry`](crate::entry::Entry): the Merkle leaf data.
    pub const ENTRY: &[u8] = b"liuhen/v1/entry\0";
    /// Prefix of the message an author signs for a [`Statement`](crate::entry::Statement).
    pub const STATEMENT: &[u8] = b"liuhen/v1/statement\0";
    /// Prefix of the canonical bytes of a format-v2 [`Entry`](crate::entry::Entry).
    pub const ENTRY_V2: &[u8] = b"liuhen/v2/entry\0";
    /// Prefix of the message an author signs for a format-v2
    /// [`Statement`](crate::entry::Statement) (one that carries a
    /// [`Binding`](crate::entry::Binding)).
    pub const STATEMENT_V2: &[u8] = b"liuhen/v2/statement\0";
    /// Prefix of a sealed personal-data commitment `H(label || salt || postcard((field, value)))`.
    pub const SEALED: &[u8] = b"liuhen/v1/sealed\0";
    /// Prefix of a writer state, the message the ledger key signs when it saves what the
    /// writer knows at a seal (`docs/FORMAT.md` §22, [`crate::ledger::WriterState`]).
    pub const WRITER_STATE: &[u8] = b"liuhen/v1/writer-state\0";
}

/// Length in bytes of every digest liuhen produces (SHA-256 and BLAKE3 alike).
pub const DIGEST_LEN: usize = 32;

/// A 32-byte digest: a Merkle node or leaf hash, a media digest, or a commitment.
///
/// Equality is constant-time, because digests are compared against attacker-supplied values
/// (proofs, commitments). There is deliberately no `Deref` to the bytes and no public field:
/// use [`Digest::as_bytes`] where the bytes are needed.
///
/// Serialization: in binary formats (postcard, the canonical encoding) exactly 32 raw bytes; in
/// human-readable formats (JSON proofs and reports) a 64-digit lower-case hex string.
#[derive(Clone, Copy)]
pub struct Digest([u8; DIGEST_LEN]);

impl Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&self.to_hex())
        } else {
            self.0.serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let s = String::deserialize(deserializer)?;
            Digest::from_hex(&s).ok_or_else(|| serde::de::Error::custom("expected 64 hex digits"))
        } else {
            <[u8; DIGEST_LEN]>::deserialize(deserializer).map(Digest)
        }
    }
}

impl Digest {
    /// The all-zero digest, used as `prev` of the genesis entry.
    pub const ZERO: Digest = Digest([0u8; DIGEST_LEN]);

    /// Wraps 32 raw bytes.
    pub const fn from_bytes(bytes: [u8; DIGEST_LEN]) -> Self {
        Digest(bytes)
    }

    /// Wraps a slice, or returns `None` if it is not exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; DIGEST_LEN]>::try_from(bytes).ok().map(Digest)
    }

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &[u8; DIGEST_LEN] {
        &self.0
    }

    /// Lower-case hexadecimal, as `b3sum` and `sha256sum` print digests.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(DIGEST_LEN * 2);
        for b in self.0 {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        s
    }

    /// Parses 64 hexadecimal digits (either case). Returns `None` on anything else.
    pub fn from_hex(s: &str) -> Option<Self> {
        let bytes = s.as_bytes();
        if bytes.len() != DIGEST_LEN * 2 {
            return None;
        }
        let mut out = [0u8; DIGEST_LEN];
        for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let hi = hex_value(pair[0])?;
            let lo = hex_value(pair[1])?;
            *o = (hi << 4) | lo;
        }
        Some(Digest(out))
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl PartialEq for Digest {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for Digest {}

impl core::hash::Hash for Digest {
    // Consistent with the constant-time `PartialEq`: equal digests have equal bytes.
    fn hash<S: core::hash::Hasher>(&self, state: &mut S) {
        self.0.hash(state);
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.to_hex())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// The hash function of a Merkle tree, with RFC 6962's leaf and node prefixes.
///
/// Implementations MUST compute `leaf = H(0x00 || data)`, `node = H(0x01 || left || right)` and
/// the empty-tree root `H()` (RFC 9162, section 2.1.1). The tree code in
/// [`merkle`](crate::merkle) is generic over this trait so that another suite (SM3) can be added
/// without changing it.
pub trait TreeHasher: Send + Sync {
    /// The root of the empty tree, `H()`.
    fn empty_root(&self) -> Digest;
    /// `H(0x00 || data)`.
    fn hash_leaf(&self, data: &[u8]) -> Digest;
    /// `H(0x01 || left || right)`.
    fn hash_children(&self, left: &Digest, right: &Digest) -> Digest;
}

/// The RFC 6962 tree hasher: SHA-256.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sha256TreeHasher;

impl TreeHasher for Sha256TreeHasher {
    fn empty_root(&self) -> Digest {
        Digest(sha2::Sha256::digest([]).into())
    }

    fn hash_leaf(&self, data: &[u8]) -> Digest {
        let mut h = sha2::Sha256::new();
        h.update([0x00]);
        h.update(data);
        Digest(h.finalize().into())
    }

    fn hash_children(&self, left: &Digest, right: &Digest) -> Digest {
        let mut h = sha2::Sha256::new();
        h.update([0x01]);
        h.update(left.0);
        h.update(right.0);
        Digest(h.finalize().into())
    }
}

/// Plain BLAKE3 of a byte string, as `b3sum` computes it. Used for media bytes only; every other
/// BLAKE3 input goes through [`blake3_labelled`].
pub fn blake3(data: &[u8]) -> Digest {
    Digest(*blake3::hash(data).as_bytes())
}

/// BLAKE3 of `label || part_0 || part_1 || …`, where `label` is one of [`labels`].
pub fn blake3_labelled(label: &[u8], parts: &[&[u8]]) -> Digest {
    let mut h = blake3::Hasher::new();
    h.update(label);
    for p in parts {
        h.update(p);
    }
    Digest(*h.finalize().as_bytes())
}

/// Converts a `blake3::Hash` (e.g. from a streaming or multi-threaded hasher) into a [`Digest`].
pub fn from_blake3(h: blake3::Hash) -> Digest {
    Digest(*h.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        // RFC 6962 section 2.1: MTH({}) = SHA-256().
        assert_eq!(
            Sha256TreeHasher.empty_root().to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn leaf_hash_of_empty_leaf() {
        // RFC 6962 reference tree, leaf 0 is the empty string: SHA-256(0x00).
        assert_eq!(
            Sha256TreeHasher.hash_leaf(b"").to_hex(),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    #[test]
    fn hex_round_trip_and_rejects() {
        let d = blake3(b"abc");
        assert_eq!(Digest::from_hex(&d.to_hex()), Some(d));
        assert_eq!(Digest::from_hex(&d.to_hex().to_uppercase()), Some(d));
        assert_eq!(Digest::from_hex("zz"), None);
        assert_eq!(Digest::from_hex(&"g".repeat(64)), None);
    }

    #[test]
    fn blake3_matches_published_vector() {
        // BLAKE3 test_vectors.json: the empty input.
        assert_eq!(
            blake3(b"").to_hex(),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
    }

    #[test]
    fn labels_end_in_nul() {
        let all = [
            labels::ENTRY,
            labels::STATEMENT,
            labels::SEALED,
            labels::ENTRY_V2,
            labels::STATEMENT_V2,
        ];
        for l in all {
            assert_eq!(l.last(), Some(&0u8));
            // No label is a prefix of another: the kinds of message are disjoint.
            for m in all {
                assert!(l == m || !m.starts_with(l), "{l:?} prefixes {m:?}");
            }
        }
    }
}
