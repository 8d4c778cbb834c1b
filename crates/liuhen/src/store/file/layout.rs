//! Byte layouts of the file store: the header, frames, entry-index groups, and the Merkle
//! frontier that produces the node hashes of a group. `docs/STORE.md` draws them.

use std::io;

use sha2::Digest as _;

use super::ops::DataFile;
use crate::hash::{Digest, Sha256TreeHasher, TreeHasher, DIGEST_LEN};
use crate::merkle::CompactRange;

/// The first eight bytes of the header file.
pub(super) const MAGIC: &[u8; 8] = b"LIUHENv1";
/// The store format this code writes (and the newest it reads): version 2, whose entry log is
/// preallocated — zero bytes after the last frame are free space, not a torn tail.
pub(super) const FORMAT_VERSION: u32 = 2;
/// The oldest store format this code reads (and keeps writing as it is): version 1, whose entry
/// log ends with its last frame.
pub(super) const OLDEST_FORMAT_VERSION: u32 = 1;
/// The first store format whose entry log is preallocated.
pub(super) const PREALLOCATED_SINCE: u32 = 2;
/// The entry log of a preallocated store grows in steps of this many bytes, written as zeros
/// by the append that needs them; its length is always a multiple of it (or what a cut left).
pub(super) const PREALLOC_CHUNK: u64 = 1 << 20;
/// Suite id of SHA-256 tree / Ed25519 / BLAKE3 (`model::Suite::Sha256Ed25519Blake3`).
pub(super) const SUITE_SHA256_ED25519_BLAKE3: u32 = 0;
/// Longest origin the header holds.
pub(super) const MAX_ORIGIN_BYTES: usize = 255;
/// Largest header file accepted (magic, version, suite, length, origin, checksum).
pub(super) const MAX_HEADER_BYTES: u64 = 18 + MAX_ORIGIN_BYTES as u64 + 32;

/// Bytes a frame adds to its payload: the u32 length before it, the checksum after it.
pub(super) const FRAME_OVERHEAD: u64 = 4 + DIGEST_LEN as u64;
/// Largest checkpoint note a frame of the checkpoint log holds.
pub(super) const MAX_CHECKPOINT_BYTES: usize = 64 * 1024;

/// Bytes of an index record before its hashes: the frame offset (u64) and payload length (u32).
pub(super) const RECORD_HEAD_LEN: u64 = 12;
/// Bytes of a node hash.
const HASH_LEN: u64 = DIGEST_LEN as u64;
/// Bytes of a checkpoint-index record: the frame offset and payload length.
pub(super) const CHECKPOINT_RECORD_LEN: u64 = RECORD_HEAD_LEN;

/// Most bytes after a bad frame that are searched for a valid frame; more than this after the
/// last valid frame is not a torn tail.
pub(super) const SEARCH_LIMIT: u64 = 16 << 20;

// ---------------------------------------------------------------------------------------------
// Header

/// The header bytes for `origin`:
/// `magic(8) | version u32 LE | suite u32 LE | origin length u16 LE | origin | SHA-256 of all before`.
pub(super) fn encode_header(origin: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(18 + origin.len() + DIGEST_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&SUITE_SHA256_ED25519_BLAKE3.to_le_bytes());
    // The caller checked `origin.len() <= MAX_ORIGIN_BYTES`.
    let len = u16::try_from(origin.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(origin.as_bytes());
    let sum = sha2::Sha256::digest(&out);
    out.extend_from_slice(&sum);
    out
}

/// Why header bytes were refused.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum HeaderFault {
    /// Not `LIUHENv1`: the first (up to) eight bytes.
    Magic(Vec<u8>),
    /// Another format version.
    Version(u32),
    /// An unknown suite.
    Suite(u32),
    /// Damaged.
    Damaged(&'static str),
}

/// Parses header bytes into the origin and the store format version.
pub(super) fn parse_header(bytes: &[u8]) -> Result<(String, u32), HeaderFault> {
    let magic = bytes.get(..8).unwrap_or(bytes);
    if magic != MAGIC {
        return Err(HeaderFault::Magic(magic.to_vec()));
    }
    let version = read_u32(bytes, 8).ok_or(HeaderFault::Damaged("it ends after the magic"))?;
    if !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(HeaderFault::Version(version));
    }
    let suite = read_u32(bytes, 12).ok_or(HeaderFault::Damaged("it ends after the version"))?;
    if suite != SUITE_SHA256_ED25519_BLAKE3 {
        return Err(HeaderFault::Suite(suite));
    }
    let len = bytes
        .get(16..18)
        .and_then(|b| <[u8; 2]>::try_from(b).ok())
        .map(u16::from_le_bytes)
        .ok_or(HeaderFault::Damaged("it ends before the origin length"))?;
    let end = 18 + usize::from(len);
    if bytes.len() != end + DIGEST_LEN {
        return Err(HeaderFault::Damaged(
            "its length does not match the origin length it declares",
        ));
    }
    let (body, sum) = bytes.split_at(end);
    if sha2::Sha256::digest(body).as_slice() != sum {
        return Err(HeaderFault::Damaged("its checksum does not match"));
    }
    let origin = body.get(18..).unwrap_or_default();
    let origin =
        std::str::from_utf8(origin).map_err(|_| HeaderFault::Damaged("the origin is not UTF-8"))?;
    if origin.is_empty() {
        return Err(HeaderFault::Damaged("the origin is empty"));
    }
    Ok((origin.to_owned(), version))
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes(<[u8; 4]>::try_from(b).ok()?))
}

fn read_u64(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at + 8)?;
    Some(u64::from_le_bytes(<[u8; 8]>::try_from(b).ok()?))
}

// ---------------------------------------------------------------------------------------------
// Frames

/// The checksum of a frame's payload: `SHA-256(0x00 || payload)`, which for an entry is its
/// RFC 6962 leaf hash.
pub(super) fn checksum(payload: &[u8]) -> Digest {
    Sha256TreeHasher.hash_leaf(payload)
}

/// Appends the frame `len u32 LE | payload | checksum` to `out`. The caller checked that the
/// payload is between 1 byte and the log's maximum.
pub(super) fn encode_frame(payload: &[u8], sum: &Digest, out: &mut Vec<u8>) {
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(sum.as_bytes());
}

/// What is found at a frame position.
#[derive(Debug)]
pub(super) enum FrameRead {
    /// A complete frame whose checksum matches.
    Valid {
        /// Payload length.
        len: u64,
        /// The checksum (leaf hash).
        sum: Digest,
        /// The payload.
        payload: Vec<u8>,
    },
    /// The file ends inside the frame (or right at its start).
    Cut,
    /// The length field is 0 or above the maximum.
    BadLength {
        /// The length field.
        len: u32,
    },
    /// The frame is complete but its checksum does not match its payload.
    BadChecksum {
        /// Payload length.
        len: u64,
    },
}

/// Reads the frame at `offset` of a log whose readable part is `end` bytes long.
pub(super) fn read_frame(
    file: &dyn DataFile,
    offset: u64,
    end: u64,
    max: usize,
) -> io::Result<FrameRead> {
    if offset > end || end - offset < 4 {
        return Ok(FrameRead::Cut);
    }
    let mut head = [0u8; 4];
    file.read_exact_at(&mut head, offset)?;
    let len32 = u32::from_le_bytes(head);
    let len = u64::from(len32);
    if len == 0 || len > max as u64 {
        return Ok(FrameRead::BadLength { len: len32 });
    }
    if end - offset < FRAME_OVERHEAD + len {
        return Ok(FrameRead::Cut);
    }
    // `len <= max`, a few KiB: the buffer is bounded.
    let mut body = vec![0u8; len as usize + DIGEST_LEN];
    file.read_exact_at(&mut body, offset + 4)?;
    let stored = body.split_off(len as usize);
    let sum = checksum(&body);
    if sum.as_bytes().as_slice() != stored.as_slice() {
        return Ok(FrameRead::BadChecksum { len });
    }
    Ok(FrameRead::Valid {
        len,
        sum,
        payload: body,
    })
}

/// The payload length in the frame header at `offset`, if the header lies inside `end`.
pub(super) fn frame_len(file: &dyn DataFile, offset: u64, end: u64) -> io::Result<Option<u64>> {
    if offset > end || end - offset < 4 {
        return Ok(None);
    }
    let mut head = [0u8; 4];
    file.read_exact_at(&mut head, offset)?;
    Ok(Some(u64::from(u32::from_le_bytes(head))))
}

/// Where the data in `[from, end)` of a log ends: the position after its last non-zero byte,
/// or `from` if the range holds only zeros (the free space of a preallocated log). Reads in
/// 64 KiB pieces; the caller bounds the range.
pub(super) fn data_end(file: &dyn DataFile, from: u64, end: u64) -> io::Result<u64> {
    const PIECE: u64 = 64 << 10;
    let mut buf = vec![0u8; PIECE.min(end.saturating_sub(from)) as usize];
    let mut last = from;
    let mut at = from;
    while at < end {
        let n = PIECE.min(end - at) as usize;
        let piece = buf.get_mut(..n).unwrap_or_default();
        file.read_exact_at(piece, at)?;
        if let Some(i) = piece.iter().rposition(|&b| b != 0) {
            last = at + i as u64 + 1;
        }
        at += n as u64;
    }
    Ok(last)
}

/// Result of looking for a valid frame after a bad one.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Search {
    /// No valid frame starts anywhere in the searched range.
    Nothing,
    /// A valid frame starts at this offset.
    Found(u64),
    /// The range is longer than [`SEARCH_LIMIT`]: too long for a torn tail.
    TooLong(u64),
}

/// Looks for a valid frame starting at any byte offset in `[from, end)`.
pub(super) fn search_valid_frame(
    file: &dyn DataFile,
    from: u64,
    end: u64,
    max: usize,
) -> io::Result<Search> {
    if from >= end {
        return Ok(Search::Nothing);
    }
    let n = end - from;
    if n > SEARCH_LIMIT {
        return Ok(Search::TooLong(n));
    }
    let mut buf = vec![0u8; n as usize];
    file.read_exact_at(&mut buf, from)?;
    let overhead = FRAME_OVERHEAD as usize;
    for p in 0..buf.len() {
        let Some(len) = read_u32(&buf, p).map(|l| l as usize) else {
            break;
        };
        if len == 0 || len > max {
            continue;
        }
        let Some(frame) = buf.get(p..p + overhead + len) else {
            continue;
        };
        let (payload, sum) = frame
            .get(4..)
            .unwrap_or_default()
            .split_at(len.min(frame.len().saturating_sub(4)));
        if checksum(payload).as_bytes().as_slice() == sum {
            return Ok(Search::Found(from + p as u64));
        }
    }
    Ok(Search::Nothing)
}

// ---------------------------------------------------------------------------------------------
// Index mark: how much of the entry index and registry index is durable

/// The first eight bytes of an index-mark slot.
pub(super) const MARK_MAGIC: &[u8; 8] = b"LHIDXMK1";
/// Bytes of one slot of the index-mark file; the file holds two.
pub(super) const MARK_SLOT_LEN: u64 = 64;

/// A durable index point: the groups of entries `0..entries` of the entry index and the first
/// `registry` records of the registry index were synced before this mark was written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Mark {
    /// Incremented by every mark written; the slot is `generation % 2`.
    pub(super) generation: u64,
    /// Entries whose index groups are durable.
    pub(super) entries: u64,
    /// Registry-index records that are durable.
    pub(super) registry: u64,
}

impl Mark {
    /// The slot bytes: `magic | generation | entries | registry` (u64 LE each) and the SHA-256
    /// of those 32 bytes.
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MARK_SLOT_LEN as usize);
        out.extend_from_slice(MARK_MAGIC);
        out.extend_from_slice(&self.generation.to_le_bytes());
        out.extend_from_slice(&self.entries.to_le_bytes());
        out.extend_from_slice(&self.registry.to_le_bytes());
        let sum = sha2::Sha256::digest(&out);
        out.extend_from_slice(&sum);
        out
    }

    /// Parses one slot; `None` if it is empty, torn or not a mark.
    pub(super) fn parse(bytes: &[u8]) -> Option<Mark> {
        let body = bytes.get(..32)?;
        let sum = bytes.get(32..64)?;
        if body.get(..8)? != MARK_MAGIC || sha2::Sha256::digest(body).as_slice() != sum {
            return None;
        }
        Some(Mark {
            generation: read_u64(body, 8)?,
            entries: read_u64(body, 16)?,
            registry: read_u64(body, 24)?,
        })
    }

    /// The newest valid mark of the two slots in `bytes` (the file's contents), or the empty
    /// mark (nothing known durable) if neither is valid.
    pub(super) fn newest(bytes: &[u8]) -> Mark {
        // Mark `g` is written into slot `g % 2`: a slot holding another parity was not written
        // by a writer.
        let slot = |i: usize| {
            let at = i * MARK_SLOT_LEN as usize;
            bytes
                .get(at..at + MARK_SLOT_LEN as usize)
                .and_then(Mark::parse)
                .filter(|m| m.generation % 2 == i as u64)
        };
        match (slot(0), slot(1)) {
            (Some(a), Some(b)) => {
                // Serial-number order: generations wrap (a forged mark may claim the largest),
                // and the two slots of a writer's file are always one generation apart, so
                // the one that is ahead by less than half the range is the newer.
                if a.generation.wrapping_sub(b.generation) < 1 << 63 {
                    a
                } else {
                    b
                }
            }
            (Some(m), None) | (None, Some(m)) => m,
            (None, None) => Mark::default(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Entry index: one group per entry

/// Byte position of the group of entry `n` in the entry index: the groups of entries `0..n`
/// hold `n` record heads and `2n - popcount(n)` hashes (Go tlog's `StoredHashIndex(0, n)`).
pub(super) fn group_start(n: u64) -> u64 {
    n.saturating_mul(RECORD_HEAD_LEN + 2 * HASH_LEN)
        .saturating_sub(HASH_LEN * u64::from(n.count_ones()))
}

/// Bytes of the group of entry `n`: the record head, the leaf hash and one hash per Merkle node
/// the entry completes (one per trailing one bit of `n`).
pub(super) fn group_len(n: u64) -> u64 {
    RECORD_HEAD_LEN + HASH_LEN * (1 + u64::from(n.trailing_ones()))
}

/// The number of complete groups in an entry index of `len` bytes.
pub(super) fn group_count(len: u64) -> u64 {
    // Each group is at least 44 bytes, so the count is at most len / 44; `group_start` grows
    // strictly, so search for the largest n with group_start(n) <= len.
    let (mut lo, mut hi) = (0u64, len / (RECORD_HEAD_LEN + HASH_LEN) + 1);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if group_start(mid) <= len {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Byte position in the entry index of the hash of the perfect subtree (`level`, `index`), which
/// the entry `((index + 1) << level) - 1` completes; `None` if that entry number overflows.
pub(super) fn node_position(level: u8, index: u64) -> Option<u64> {
    let width = 1u64.checked_shl(u32::from(level))?;
    let last = index.checked_add(1)?.checked_mul(width)? - 1;
    group_start(last).checked_add(RECORD_HEAD_LEN + HASH_LEN * u64::from(level))
}

/// Bytes of a group's head: record head and leaf hash.
pub(super) const GROUP_HEAD_LEN: usize = RECORD_HEAD_LEN as usize + DIGEST_LEN;

/// The frame offset and payload length of a record head.
pub(super) fn parse_record_head(bytes: &[u8]) -> (u64, u64) {
    let offset = read_u64(bytes, 0).unwrap_or(u64::MAX);
    let len = read_u32(bytes, 8).map_or(0, u64::from);
    (offset, len)
}

/// Appends a record head (frame offset, payload length) to `out`.
pub(super) fn encode_record_head(offset: u64, len: u64, out: &mut Vec<u8>) {
    out.extend_from_slice(&offset.to_le_bytes());
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
}

/// The offset, payload length and leaf hash at the start of a group.
pub(super) fn parse_group_head(bytes: &[u8; GROUP_HEAD_LEN]) -> (u64, u64, Digest) {
    let (offset, len) = parse_record_head(bytes);
    let leaf = bytes
        .get(RECORD_HEAD_LEN as usize..)
        .and_then(Digest::from_slice)
        .unwrap_or(Digest::ZERO);
    (offset, len, leaf)
}

/// Parses a digest from 32 bytes.
pub(super) fn digest(bytes: &[u8]) -> Digest {
    Digest::from_slice(bytes).unwrap_or(Digest::ZERO)
}

/// The perfect subtrees of a tree prefix, and the node hashes each new leaf completes.
#[derive(Clone, Debug, Default)]
pub(super) struct Frontier(CompactRange);

impl Frontier {
    /// Loads the frontier of the first `size` entries from the entry index.
    pub(super) fn load(index: &dyn DataFile, size: u64) -> io::Result<Self> {
        let mut nodes = Vec::with_capacity(size.count_ones() as usize);
        let mut start = 0u64;
        for level in (0..u64::BITS).rev() {
            let width = 1u64 << level;
            if size & width != 0 {
                // `level < 64` fits a u8.
                let level8 = u8::try_from(level).unwrap_or(u8::MAX);
                let pos = node_position(level8, start >> level)
                    .ok_or_else(|| io::Error::other("Merkle node position overflows"))?;
                let mut buf = [0u8; DIGEST_LEN];
                index.read_exact_at(&mut buf, pos)?;
                nodes.push(digest(&buf));
                start += width;
            }
        }
        // One node per set bit of `size`, by construction.
        CompactRange::from_nodes(size, nodes)
            .map(Frontier)
            .ok_or_else(|| io::Error::other("Merkle frontier does not match its size"))
    }

    /// Appends a leaf hash; returns the hashes of its group: the leaf, then each node it
    /// completes, level 1 upwards.
    pub(super) fn push(&mut self, hasher: &Sha256TreeHasher, leaf: Digest) -> Vec<Digest> {
        let mut out = vec![leaf];
        // A store never holds `u64::MAX` entries: the size cannot overflow.
        let _ = self.0.push_completing(hasher, leaf, |node| out.push(node));
        out
    }

    /// The group of the next leaf (record head, then the hashes), appended to `out`.
    pub(super) fn push_group(
        &mut self,
        hasher: &Sha256TreeHasher,
        offset: u64,
        len: u64,
        leaf: Digest,
        out: &mut Vec<u8>,
    ) {
        encode_record_head(offset, len, out);
        for h in self.push(hasher, leaf) {
            out.extend_from_slice(h.as_bytes());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn group_positions_match_tlog_stored_hash_index() {
        // StoredHashIndex(0, n) = n + n/2 + n/4 + ...
        for n in 0u64..2000 {
            let mut k = n;
            let mut hashes = 0;
            while k > 0 {
                hashes += k;
                k >>= 1;
            }
            assert_eq!(group_start(n), 12 * n + 32 * hashes);
            assert_eq!(group_start(n + 1), group_start(n) + group_len(n));
            assert_eq!(group_count(group_start(n)), n);
            assert_eq!(group_count(group_start(n + 1) - 1), n);
        }
    }

    #[test]
    fn node_positions_are_inside_the_completing_group() {
        for level in 0u8..8 {
            for index in 0u64..50 {
                let last = ((index + 1) << level) - 1;
                let pos = node_position(level, index).unwrap();
                assert!(pos >= group_start(last) + 12);
                assert!(pos + 32 <= group_start(last + 1));
            }
        }
        assert_eq!(node_position(64, 0), None);
        assert_eq!(node_position(63, 2), None);
    }

    #[test]
    fn marks_round_trip_and_the_newest_valid_slot_wins() {
        let a = Mark {
            generation: 7,
            entries: 1000,
            registry: 3,
        };
        let b = Mark {
            generation: 8,
            entries: 1500,
            registry: 4,
        };
        assert_eq!(Mark::parse(&a.encode()), Some(a));
        let mut file = vec![0u8; 128];
        file[..64].copy_from_slice(&b.encode());
        file[64..].copy_from_slice(&a.encode());
        assert_eq!(Mark::newest(&file), b);
        // A torn newer slot: the older one is used.
        file[20] ^= 1;
        assert_eq!(Mark::newest(&file), a);
        file[64 + 40] ^= 1;
        assert_eq!(Mark::newest(&file), Mark::default());
        assert_eq!(Mark::newest(&[]), Mark::default());
    }

    #[test]
    fn a_forged_mark_with_the_largest_generation_is_replaced_by_the_next_and_parity_is_checked() {
        let forged = Mark {
            generation: u64::MAX,
            entries: 4,
            registry: 0,
        };
        // The writer's next mark wraps to generation 0, in slot 0: it is the newer.
        let next = Mark {
            generation: 0,
            entries: 4,
            registry: 2,
        };
        let mut file = vec![0u8; 128];
        file[64..].copy_from_slice(&forged.encode());
        assert_eq!(Mark::newest(&file), forged);
        file[..64].copy_from_slice(&next.encode());
        assert_eq!(Mark::newest(&file), next);
        // A mark in the slot of the other parity was not written by a writer.
        let mut file = vec![0u8; 128];
        file[..64].copy_from_slice(&forged.encode());
        assert_eq!(Mark::newest(&file), Mark::default());
    }

    #[test]
    fn header_round_trip_and_faults() {
        let h = encode_header("example.org/log");
        assert_eq!(
            parse_header(&h).unwrap(),
            ("example.org/log".to_owned(), FORMAT_VERSION)
        );
        let mut v = h.clone();
        v[8] = 3;
        assert_eq!(parse_header(&v), Err(HeaderFault::Version(3)));
        v[8] = 0;
        assert_eq!(parse_header(&v), Err(HeaderFault::Version(0)));
        // A version 1 header (its checksum recomputed) is still read.
        let mut v1 = h[..h.len() - 32].to_vec();
        v1[8] = 1;
        let sum = sha2::Sha256::digest(&v1);
        v1.extend_from_slice(&sum);
        assert_eq!(parse_header(&v1).unwrap().1, 1);
        let mut s = h.clone();
        s[12] = 7;
        assert_eq!(parse_header(&s), Err(HeaderFault::Suite(7)));
        let mut c = h.clone();
        let last = c.len() - 1;
        c[last] ^= 1;
        assert!(matches!(parse_header(&c), Err(HeaderFault::Damaged(_))));
        assert!(matches!(
            parse_header(b"SQLite format 3\0"),
            Err(HeaderFault::Magic(_))
        ));
        assert!(matches!(parse_header(b""), Err(HeaderFault::Magic(_))));
        assert!(matches!(
            parse_header(&h[..h.len() - 1]),
            Err(HeaderFault::Damaged(_))
        ));
    }
}
