//! The ledger as a C2SP `tlog-tiles` log (v0.1.0, `../shared/reference/c2sp/tlog-tiles.md`):
//! tile paths, hash tiles and entry bundles, read from a [`StoreRead`]. No networking here: an
//! adapter (HTTP, a static export) parses the request path with [`TilePath::parse`], calls
//! [`read`] (or [`published`] for the checkpoint) and maps [`TileError::failure`] to its own
//! statuses. It also classifies the errors of producing a portable proof
//! ([`proof_failure`]), so that every adapter answers them alike.
//!
//! # Paths
//!
//! `tile/<L>/<N>[.p/<W>]` (hash tiles) and `tile/entries/<N>[.p/<W>]` (entry bundles), relative
//! to the log's prefix. `<L>` is `0`…`63` without leading zeros; `<N>` is written in 3-digit
//! groups, every group but the last prefixed with `x` (`1234067` → `x001/x234/067`); `<W>` is
//! `1`…`255` without leading zeros. Only the canonical spelling of each tile is accepted: no
//! leading zero groups (`x000/005` is refused, `005` is the index 5), no group of other than
//! three digits, no index beyond `2^64 − 1`, nothing else (`..`, `%2e`, `+1`, a trailing `/`).
//! The length is checked ([`MAX_PATH_LEN`]) before anything else, and parsing allocates
//! nothing.
//!
//! # Contents
//!
//! Hash tile `L`/`N` position `i` is the Merkle tree hash of the perfect subtree of `256^L`
//! leaves starting at leaf `(N·256 + i)·256^L`, i.e. [`StoreRead::perfect_subtree`]`(8L, N·256+i)`;
//! a full tile has 256 hashes (8 192 bytes), a partial tile of width `W` the first `W` of them.
//! Entry bundle `N` is entries `N·256 … N·256+W−1` ([`StoreRead::entry_bytes`]), each preceded by
//! its length as a big-endian `u16`; an entry longer than 65 535 bytes cannot be in a ledger
//! (docs/FORMAT.md §22), so one found is damage ([`TileError::EntryTooLarge`]).
//!
//! # Which tree is served
//!
//! The **published tree** is the tree of the latest stored checkpoint, of size `C`; that
//! checkpoint is authenticated first (signature by the key genesis declares, root equal to the
//! stored tree's root at `C`, [`published`]), so nothing is served that a client would find
//! inconsistent with it. A tile (hash or entries) of level `L`, index `N` and width `W`
//! (256 for a full one) is served if and only if `(N·256 + W)·256^L ≤ C`: all its hashes (or
//! entries) lie in the published tree. Hence:
//!
//! * every partial tile of every checkpoint ever stored is served (their sizes are ≤ `C`), as
//!   the spec requires; partial tiles whose full tile exists are served too (the spec allows
//!   deleting them; their contents are still the right prefix);
//! * entries appended after the latest checkpoint are not served, not even in full tiles,
//!   until a seal covers them: a client could verify nothing about them, and this is the rule
//!   of the proofs (an entry after the latest checkpoint is refused, "seal first");
//! * what is served is a function of `C` alone, and `C` only grows, so a tile once served is
//!   served forever with the same bytes (a full tile, and the partial tile of a given width,
//!   never change): full tiles are immutable; partial tiles are immutable per path too, but a
//!   client that finds a partial tile missing falls back on the full one, so adapters cache
//!   them briefly;
//! * tiles of level ≥ 8 never exist (`256^8` leaves exceed any tree size), nor empty tiles.
//!
//! An absent tile is [`TileError::Absent`] (HTTP 404); a path that is not canonical is
//! [`TileError::Path`] (HTTP 400).

use std::fmt;

use crate::bundle::{stored_checkpoint, Pick, PickError, ProofError};
use crate::hash::Digest;
use crate::store::{StoreError, StoreRead};

/// Hashes (or entries) in a full tile.
pub const TILE_WIDTH: u64 = 256;

/// Bytes of a hash in a hash tile.
pub const HASH_LEN: usize = 32;

/// The highest level a path may name (`tlog-tiles`: 0 to 63).
pub const MAX_LEVEL: u8 = 63;

/// The longest path accepted; the longest canonical one is 47 bytes.
pub const MAX_PATH_LEN: usize = 64;

/// Index groups at most: `2^64 − 1` has 20 digits, 7 groups of 3.
const MAX_GROUPS: usize = 7;

/// Why a path is not a canonical tile path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// Longer than [`MAX_PATH_LEN`] bytes.
    #[error("the path is {len} bytes long, more than the {MAX_PATH_LEN} of any tile path")]
    TooLong {
        /// Its length.
        len: usize,
    },
    /// Does not start with `tile/`.
    #[error("a tile path starts with \"tile/\"")]
    NotATile,
    /// `<L>` is not `0`…`63` in decimal without leading zeros.
    #[error("the level must be a decimal number from 0 to 63 without leading zeros")]
    BadLevel,
    /// An index group is not three digits (`x` and three digits before the last).
    #[error("index group {group} must be {}", if *.last { "three digits" } else { "\"x\" and three digits" })]
    BadGroup {
        /// 1-based position of the group.
        group: usize,
        /// Whether it is the last group.
        last: bool,
    },
    /// The index starts with a group `x000`: not the canonical spelling.
    #[error("the index has a leading zero group (x000): write it without")]
    LeadingZeroGroup,
    /// More index groups than any `u64` needs.
    #[error("the index has more than {MAX_GROUPS} groups")]
    TooManyGroups,
    /// The index exceeds `2^64 − 1`.
    #[error("the index exceeds 2^64 - 1")]
    IndexOverflow,
    /// `<W>` is not `1`…`255` in decimal without leading zeros.
    #[error(
        "the width of a partial tile must be a decimal number from 1 to 255 without leading zeros"
    )]
    BadWidth,
}

/// Hash tile or entry bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TileKind {
    /// A hash tile of this level (0 to 63).
    Hashes {
        /// The level: its hashes are of subtrees of `256^level` leaves.
        level: u8,
    },
    /// An entry bundle (the entries under the level-0 tile of the same index).
    Entries,
}

/// A tile: kind, index and width. Always canonical: its [`Display`](fmt::Display) is the one
/// path that [`TilePath::parse`] accepts for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TilePath {
    kind: TileKind,
    index: u64,
    /// `None` for a full tile, else 1 … 255.
    partial: Option<u8>,
}

impl TilePath {
    /// A full hash tile (`None` if `level` > 63).
    pub fn full(kind: TileKind, index: u64) -> Option<Self> {
        Self::new(kind, index, None)
    }

    /// A tile; `partial` is the width of a partial tile (1 … 255). `None` if the level exceeds
    /// [`MAX_LEVEL`] or the width is 0.
    pub fn new(kind: TileKind, index: u64, partial: Option<u8>) -> Option<Self> {
        if let TileKind::Hashes { level } = kind {
            if level > MAX_LEVEL {
                return None;
            }
        }
        if partial == Some(0) {
            return None;
        }
        Some(TilePath {
            kind,
            index,
            partial,
        })
    }

    /// Hash tile or entry bundle.
    pub fn kind(&self) -> TileKind {
        self.kind
    }

    /// Index within its level.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Width of a partial tile, `None` for a full one.
    pub fn partial(&self) -> Option<u8> {
        self.partial
    }

    /// Whether it is a full tile (256 wide), whose contents never change.
    pub fn is_full(&self) -> bool {
        self.partial.is_none()
    }

    /// Number of hashes (or entries): 256 for a full tile.
    pub fn width(&self) -> u64 {
        self.partial.map_or(TILE_WIDTH, u64::from)
    }

    /// The level; entry bundles are under level 0.
    pub fn level(&self) -> u8 {
        match self.kind {
            TileKind::Hashes { level } => level,
            TileKind::Entries => 0,
        }
    }

    /// The tree size this tile needs: `(index·256 + width)·256^level`, `None` if above
    /// `2^64 − 1` (such a tile exists in no tree).
    pub fn needs_size(&self) -> Option<u64> {
        let level = u32::from(self.level());
        if level >= 8 {
            return None;
        }
        let leaves = (u128::from(self.index) * u128::from(TILE_WIDTH) + u128::from(self.width()))
            .checked_mul(1u128 << (8 * level))?;
        u64::try_from(leaves).ok()
    }

    /// Whether the tile exists in the tree of `size` leaves.
    pub fn exists_in(&self, size: u64) -> bool {
        self.needs_size().is_some_and(|needed| needed <= size)
    }

    /// Parses a tile path relative to the log prefix (`tile/0/x001/234.p/7`), accepting only
    /// the canonical spelling (see the [module documentation](self)).
    ///
    /// # Errors
    /// [`PathError`].
    pub fn parse(path: &str) -> Result<Self, PathError> {
        if path.len() > MAX_PATH_LEN {
            return Err(PathError::TooLong { len: path.len() });
        }
        let rest = path.strip_prefix("tile/").ok_or(PathError::NotATile)?;
        let (kind, rest) = match rest.strip_prefix("entries/") {
            Some(rest) => (TileKind::Entries, rest),
            None => {
                let (level, rest) = rest.split_once('/').ok_or(PathError::BadLevel)?;
                let level = parse_decimal(level, 2)
                    .and_then(|l| u8::try_from(l).ok())
                    .filter(|l| *l <= MAX_LEVEL)
                    .ok_or(PathError::BadLevel)?;
                (TileKind::Hashes { level }, rest)
            }
        };
        let (index, partial) = match rest.split_once(".p/") {
            Some((index, width)) => {
                let width = parse_decimal(width, 3)
                    .and_then(|w| u8::try_from(w).ok())
                    .filter(|w| *w > 0)
                    .ok_or(PathError::BadWidth)?;
                (index, Some(width))
            }
            None => (rest, None),
        };
        Ok(TilePath {
            kind,
            index: parse_index(index)?,
            partial,
        })
    }
}

/// A decimal number of at most `max_digits` ASCII digits, without leading zeros.
fn parse_decimal(s: &str, max_digits: usize) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > max_digits || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if b.len() > 1 && b[0] == b'0' {
        return None;
    }
    s.parse().ok()
}

/// `x001/x234/067` → 1234067, canonical spellings only.
fn parse_index(s: &str) -> Result<u64, PathError> {
    let count = s.split('/').count();
    if count > MAX_GROUPS {
        return Err(PathError::TooManyGroups);
    }
    let mut n: u64 = 0;
    for (i, group) in s.split('/').enumerate() {
        let last = i + 1 == count;
        let bad = PathError::BadGroup { group: i + 1, last };
        let digits = if last {
            group
        } else {
            group.strip_prefix('x').ok_or(bad)?
        };
        if digits.len() != 3 || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return Err(bad);
        }
        if i == 0 && !last && digits == "000" {
            return Err(PathError::LeadingZeroGroup);
        }
        let value: u64 = digits.parse().map_err(|_| bad)?;
        n = n
            .checked_mul(1000)
            .and_then(|n| n.checked_add(value))
            .ok_or(PathError::IndexOverflow)?;
    }
    Ok(n)
}

impl fmt::Display for TilePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TileKind::Hashes { level } => write!(f, "tile/{level}/")?,
            TileKind::Entries => f.write_str("tile/entries/")?,
        }
        let mut groups = [0u16; MAX_GROUPS];
        let mut count = 0;
        let mut n = self.index;
        loop {
            groups[count] = (n % 1000) as u16;
            count += 1;
            n /= 1000;
            if n == 0 {
                break;
            }
        }
        for i in (0..count).rev() {
            if i > 0 {
                write!(f, "x{:03}/", groups[i])?;
            } else {
                write!(f, "{:03}", groups[i])?;
            }
        }
        if let Some(w) = self.partial {
            write!(f, ".p/{w}")?;
        }
        Ok(())
    }
}

/// How an adapter answers a failed read: the same way in every adapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The request itself is malformed (HTTP 400).
    Malformed,
    /// What was asked for does not exist, or not yet (HTTP 404).
    Absent,
    /// Stored records are damaged: tampering (HTTP 409, CLI exit 1).
    Tampered,
    /// The server could not read its store (HTTP 500).
    Internal,
}

/// Errors of reading the published log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TileError {
    /// The path is not a canonical tile path.
    #[error("not a tile path: {0}")]
    Path(#[from] PathError),
    /// Nothing is published yet.
    #[error("the ledger has no checkpoint yet: nothing is published before the first seal")]
    NoCheckpoint,
    /// The tile is not in the published tree.
    #[error("{path} does not exist in the published tree of size {size}")]
    Absent {
        /// The tile.
        path: TilePath,
        /// The latest checkpoint's size.
        size: u64,
    },
    /// The latest stored checkpoint does not verify against the ledger's key and entries.
    #[error("{reason}")]
    Checkpoint {
        /// Why, in one sentence.
        reason: String,
    },
    /// A stored entry is longer than an entry can be.
    #[error("entry {seq} is {len} bytes long, more than the 65535 an entry can be: the store is damaged")]
    EntryTooLarge {
        /// The entry.
        seq: u64,
        /// Its stored length.
        len: usize,
    },
    /// The store could not be read.
    #[error("cannot read the ledger: {0}")]
    Store(#[from] StoreError),
}

impl TileError {
    /// How an adapter answers it.
    pub fn failure(&self) -> Failure {
        match self {
            TileError::Path(_) => Failure::Malformed,
            TileError::NoCheckpoint | TileError::Absent { .. } => Failure::Absent,
            TileError::Checkpoint { .. } | TileError::EntryTooLarge { .. } => Failure::Tampered,
            TileError::Store(e) => store_failure(e),
        }
    }
}

fn store_failure(e: &StoreError) -> Failure {
    match e {
        StoreError::Corrupt { .. } => Failure::Tampered,
        _ => Failure::Internal,
    }
}

impl From<PickError> for TileError {
    fn from(e: PickError) -> Self {
        match e {
            PickError::Store(e) => TileError::Store(e),
            PickError::NoCheckpoint => TileError::NoCheckpoint,
            other => TileError::Checkpoint {
                reason: other.to_string(),
            },
        }
    }
}

/// How an adapter answers a failure to produce a portable proof ([`crate::proofs::produce`]).
///
/// A proof that the stored data fails to verify, or a damaged store, is tampering. No entry,
/// an entry not sealed yet, or no stored checkpoint of the size asked is absent; sizes in the
/// wrong order are malformed. A stored checkpoint that does not verify is reported by
/// `produce` in the same variant as a checkpoint not found, so an adapter should first
/// authenticate the latest one with [`published`] (which tells the two apart).
pub fn proof_failure(e: &ProofError) -> Failure {
    match e {
        ProofError::Store(e) => store_failure(e),
        ProofError::Checkpoint { .. }
        | ProofError::Unsealed { .. }
        | ProofError::NotCovered { .. }
        | ProofError::NoSuchEntry { .. } => Failure::Absent,
        ProofError::BadSizes { .. } => Failure::Malformed,
        e if e.is_verification_failure() => Failure::Tampered,
        _ => Failure::Internal,
    }
}

/// The latest stored checkpoint, authenticated.
#[derive(Clone, Debug)]
pub struct Published {
    /// Its text, exactly as stored (a C2SP signed note).
    pub note: String,
    /// Its tree size: the published tree.
    pub size: u64,
    /// Its root hash.
    pub root: Digest,
}

/// The latest stored checkpoint, authenticated with the key the genesis entry declares and
/// checked against the stored tree (its root is the root of the stored entries at its size).
///
/// # Errors
/// [`TileError::NoCheckpoint`], [`TileError::Checkpoint`] (it does not verify: tampering) or a
/// store error.
pub fn published<S: StoreRead + ?Sized>(store: &S) -> Result<Published, TileError> {
    let (checkpoint, note) = stored_checkpoint(store, Pick::Latest)?;
    Ok(Published {
        size: checkpoint.size(),
        root: *checkpoint.root(),
        note,
    })
}

/// The contents of `path` in the published tree ([`published`]).
///
/// # Errors
/// As [`published`] and [`contents`].
pub fn read<S: StoreRead + ?Sized>(store: &S, path: &TilePath) -> Result<Vec<u8>, TileError> {
    let size = published(store)?.size;
    contents(store, size, path)
}

/// The contents of `path` in the tree of the first `size` entries of `store` (`size` at most
/// the store's size).
///
/// # Errors
/// [`TileError::Absent`] if the tile is not in that tree, [`TileError::EntryTooLarge`], or a
/// store error.
pub fn contents<S: StoreRead + ?Sized>(
    store: &S,
    size: u64,
    path: &TilePath,
) -> Result<Vec<u8>, TileError> {
    if !path.exists_in(size) || size > store.size()? {
        return Err(TileError::Absent { path: *path, size });
    }
    // exists_in guarantees index·256 + width fits in u64 and level ≤ 7.
    let first = path.index * TILE_WIDTH;
    let width = path.width();
    match path.kind {
        TileKind::Hashes { level } => {
            let mut out = Vec::with_capacity(width as usize * HASH_LEN);
            // One range read of the tile's node hashes.
            for hash in store.node_hashes(level * 8, first..first + width)? {
                out.extend_from_slice(hash.as_bytes());
            }
            Ok(out)
        }
        TileKind::Entries => {
            let mut out = Vec::new();
            // One range read of the tile's (at most 256) entries.
            let entries = store.entries(first..first + width)?;
            for (seq, bytes) in (first..).zip(entries) {
                let len = u16::try_from(bytes.len()).map_err(|_| TileError::EntryTooLarge {
                    seq,
                    len: bytes.len(),
                })?;
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(&bytes);
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::entry::EncodedEntry;
    use crate::hash::{Sha256TreeHasher, TreeHasher};
    use crate::keys::{SecretKey, Signer};
    use crate::model::{Event, Role};
    use crate::store::{MemoryStore, StoreWrite};

    fn hashes(level: u8, index: u64, partial: Option<u8>) -> TilePath {
        TilePath::new(TileKind::Hashes { level }, index, partial).unwrap()
    }

    #[test]
    fn the_spec_example_paths_parse_and_print_back() {
        for (text, path) in [
            ("tile/0/x001/x234/067", hashes(0, 1_234_067, None)),
            ("tile/0/000", hashes(0, 0, None)),
            ("tile/63/005.p/255", hashes(63, 5, Some(255))),
            ("tile/1/x001/000.p/17", hashes(1, 1000, Some(17))),
            (
                "tile/entries/x001/x234/067.p/1",
                TilePath::new(TileKind::Entries, 1_234_067, Some(1)).unwrap(),
            ),
            (
                "tile/7/x018/x446/x744/x073/x709/x551/615",
                hashes(7, u64::MAX, None),
            ),
        ] {
            assert_eq!(TilePath::parse(text), Ok(path), "{text}");
            assert_eq!(path.to_string(), text);
        }
    }

    #[test]
    fn non_canonical_and_hostile_paths_are_refused() {
        let long = format!("tile/0/{}", "x000/".repeat(20));
        for text in [
            "",
            "tile",
            "tile/",
            "/tile/0/000",
            "tiles/0/000",
            "tile/0",
            "tile/0/",
            "tile/00/000",
            "tile/01/000",
            "tile/64/000",
            "tile/-1/000",
            "tile/+1/000",
            "tile/ 1/000",
            "tile//000",
            "tile/data/000",
            "tile/0/5",
            "tile/0/05",
            "tile/0/0005",
            "tile/0/x000/005",
            "tile/0/x001",
            "tile/0/001/002",
            "tile/0/x1/000",
            "tile/0/X001/000",
            "tile/0/x001/x002",
            "tile/0/000/",
            "tile/0/../000",
            "tile/0/x001/../000",
            "tile/0/%2e%2e/000",
            "tile/0/０００",
            "tile/0/000.p/0",
            "tile/0/000.p/00",
            "tile/0/000.p/05",
            "tile/0/000.p/256",
            "tile/0/000.p/",
            "tile/0/000.p/5/",
            "tile/0/000.p/5.p/3",
            "tile/0/x001.p/5/000",
            "tile/0/000.P/5",
            "tile/entries/5",
            "tile/entries/0/000",
            "tile/entries/000.p/256",
            "tile/7/x018/x446/x744/x073/x709/x551/616",
            "tile/0/x999/x999/x999/x999/x999/x999/999",
            "tile/0/x001/x000/x000/x000/x000/x000/x000/000",
            &long,
        ] {
            assert!(TilePath::parse(text).is_err(), "{text:?} was accepted");
        }
        assert_eq!(
            TilePath::parse("tile/7/x018/x446/x744/x073/x709/x551/616"),
            Err(PathError::IndexOverflow)
        );
        assert_eq!(
            TilePath::parse(&long),
            Err(PathError::TooLong { len: long.len() })
        );
    }

    fn arb_path() -> impl Strategy<Value = TilePath> {
        (
            prop_oneof![Just(None), (0..=MAX_LEVEL).prop_map(Some)],
            prop_oneof![any::<u64>(), 0..3000u64],
            prop_oneof![Just(None), (1..=255u8).prop_map(Some)],
        )
            .prop_map(|(level, index, partial)| {
                let kind = level.map_or(TileKind::Entries, |level| TileKind::Hashes { level });
                TilePath::new(kind, index, partial).unwrap()
            })
    }

    proptest! {
        #[test]
        fn every_tile_path_round_trips(path in arb_path()) {
            prop_assert_eq!(TilePath::parse(&path.to_string()), Ok(path));
        }

        /// A path accepted is the one spelling of its tile.
        #[test]
        fn an_accepted_path_is_canonical(text in "tile/(entries|[0-9x]{1,3})/[0-9x./p]{1,40}") {
            if let Ok(path) = TilePath::parse(&text) {
                prop_assert_eq!(path.to_string(), text);
            }
        }

        #[test]
        fn tiles_rebuild_every_small_tree(size in 1u64..1100) {
            let store = raw_store(size);
            check_tiles_rebuild(&store, size);
        }
    }

    /// A store of `size` entries of arbitrary bytes (tiles do not decode entries).
    fn raw_store(size: u64) -> MemoryStore {
        let mut store = MemoryStore::new();
        let batch: Vec<EncodedEntry> = (0..size)
            .map(|seq| {
                let bytes = seq.to_be_bytes().repeat(1 + (seq % 3) as usize);
                EncodedEntry {
                    seq,
                    leaf_hash: Sha256TreeHasher.hash_leaf(&bytes),
                    bytes,
                    registry_change: false,
                }
            })
            .collect();
        store.append(&batch).unwrap();
        store
    }

    /// RFC 6962 MTH of a list of subtree hashes.
    fn mth(hashes: &[Digest]) -> Digest {
        if hashes.len() == 1 {
            return hashes[0];
        }
        let k = 1usize << (usize::BITS - 1 - (hashes.len() - 1).leading_zeros());
        Sha256TreeHasher.hash_children(&mth(&hashes[..k]), &mth(&hashes[k..]))
    }

    fn split(bytes: &[u8]) -> Vec<Digest> {
        assert_eq!(bytes.len() % HASH_LEN, 0);
        bytes
            .chunks(HASH_LEN)
            .map(|c| Digest::from_slice(c).unwrap())
            .collect()
    }

    /// The tiles the spec says a tree of `size` has, per level: (full count, partial width).
    fn expected_tiles(size: u64) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut level_size = size;
        while level_size > 0 {
            out.push((level_size / 256, level_size % 256));
            level_size /= 256;
        }
        out
    }

    /// Fetches every tile of the tree of `size` as a client would, checks that the ones just
    /// beyond are absent, and rebuilds the root and the entries from them.
    fn check_tiles_rebuild(store: &MemoryStore, size: u64) -> Vec<Vec<Digest>> {
        let mut levels = Vec::new();
        for (level, (full, partial)) in expected_tiles(size).into_iter().enumerate() {
            let level = level as u8;
            let mut hs = Vec::new();
            for n in 0..full {
                let tile = split(&contents(store, size, &hashes(level, n, None)).unwrap());
                assert_eq!(tile.len(), 256);
                hs.extend(tile);
            }
            if partial > 0 {
                let p = hashes(level, full, Some(partial as u8));
                let tile = split(&contents(store, size, &p).unwrap());
                assert_eq!(tile.len() as u64, partial);
                hs.extend(tile);
                let wider = hashes(level, full, u8::try_from(partial + 1).ok());
                assert!(matches!(
                    contents(store, size, &wider),
                    Err(TileError::Absent { .. })
                ));
            }
            for absent in [
                hashes(level, full, None),
                hashes(level + 1, full + 1, Some(1)),
            ] {
                assert!(matches!(
                    contents(store, size, &absent),
                    Err(TileError::Absent { .. })
                ));
            }
            levels.push(hs);
        }
        // Level 0 holds every leaf hash; the root is their MTH.
        let root = mth(&levels[0]);
        assert_eq!(levels[0].len() as u64, size);
        assert_eq!(
            root,
            crate::merkle::root(&Sha256TreeHasher, &crate::ledger::StoreReader(store), size)
                .unwrap()
        );
        // Each hash of level l + 1 is the MTH of one full tile of level l.
        for l in 1..levels.len() {
            for (i, h) in levels[l].iter().enumerate() {
                assert_eq!(*h, mth(&levels[l - 1][i * 256..(i + 1) * 256]));
            }
        }
        // Entry bundles: length-prefixed entries hashing to the level-0 hashes.
        let mut seq = 0usize;
        let (full, partial) = expected_tiles(size)[0];
        let bundles = (0..full)
            .map(|n| TilePath::full(TileKind::Entries, n).unwrap())
            .chain(
                (partial > 0)
                    .then(|| TilePath::new(TileKind::Entries, full, Some(partial as u8)).unwrap()),
            );
        for path in bundles {
            let bundle = contents(store, size, &path).unwrap();
            let mut rest = &bundle[..];
            while !rest.is_empty() {
                let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
                let entry = &rest[2..2 + len];
                assert_eq!(Sha256TreeHasher.hash_leaf(entry), levels[0][seq]);
                seq += 1;
                rest = &rest[2 + len..];
            }
        }
        assert_eq!(seq as u64, size);
        levels
    }

    #[test]
    fn the_spec_example_tree_of_70000_has_the_tiles_the_spec_lists() {
        assert_eq!(expected_tiles(70_000), [(273, 112), (1, 17), (0, 1)]);
        assert_eq!(expected_tiles(256), [(1, 0), (0, 1)]);
        let store = raw_store(70_000);
        check_tiles_rebuild(&store, 70_000);
        // Tiles of a smaller tree (an older checkpoint) are served from the same store.
        check_tiles_rebuild(&store, 65_536);
        assert!(!hashes(8, 0, Some(1)).exists_in(u64::MAX));
        assert!(!hashes(63, u64::MAX, None).exists_in(u64::MAX));
    }

    fn officer(i: u8, j: u8) -> crate::keys::PublicKey {
        let mut seed = [7u8; 32];
        seed[0] = i;
        seed[1] = j;
        SecretKey::from_seed(&seed).public_key()
    }

    fn sealed_ledger(entries: u8) -> (crate::ledger::Ledger<MemoryStore>, SecretKey) {
        let key = SecretKey::from_seed(&[1; 32]);
        let mut ledger = crate::ledger::test_ledger("example.gov.cn/tiles", &key).unwrap();
        for i in 0..entries {
            for j in 0..2u8 {
                let event = Event::KeyAuthorized {
                    key: officer(i, j),
                    role: Role::Officer,
                    holder: format!("{i}-{j}"),
                };
                ledger.sign_and_append(&key, event).unwrap();
            }
        }
        ledger.seal(&key).unwrap();
        (ledger, key)
    }

    #[test]
    fn the_published_tree_is_the_latest_checkpoints_and_rebuilds_its_root() {
        let (mut ledger, key) = sealed_ledger(150); // 301 entries
        let size = ledger.size();
        assert_eq!(size, 301);
        let published = published(ledger.store()).unwrap();
        assert_eq!(published.size, size);
        assert_eq!(published.root, ledger.root_at(size).unwrap());
        assert_eq!(published.note, ledger.latest_checkpoint().unwrap().unwrap());

        let level0: Vec<Digest> = [hashes(0, 0, None), hashes(0, 1, Some(45))]
            .iter()
            .flat_map(|p| split(&read(ledger.store(), p).unwrap()))
            .collect();
        assert_eq!(mth(&level0), ledger.root_at(size).unwrap());
        let level1 = split(&read(ledger.store(), &hashes(1, 0, Some(1))).unwrap());
        assert_eq!(level1, [mth(&level0[..256])]);

        // Entries appended after the checkpoint are not published, until a seal covers them.
        for i in 0..211u16 {
            let event = Event::KeyRevoked {
                key: officer((i % 150) as u8, (i / 150) as u8),
                reason: "rotation".into(),
            };
            ledger.sign_and_append(&key, event).unwrap();
        }
        assert_eq!(ledger.size(), 512);
        for p in [hashes(0, 1, None), hashes(0, 1, Some(46))] {
            let err = read(ledger.store(), &p).unwrap_err();
            assert!(matches!(err, TileError::Absent { size: 301, .. }), "{err}");
            assert_eq!(err.failure(), Failure::Absent);
        }
        ledger.seal(&key).unwrap();
        assert_eq!(
            read(ledger.store(), &hashes(0, 1, None)).unwrap().len(),
            8192
        );
        // The older checkpoint's partial tile is still served, and is a prefix of the full one.
        let old_partial = read(ledger.store(), &hashes(0, 1, Some(45))).unwrap();
        assert_eq!(
            old_partial,
            split(&read(ledger.store(), &hashes(0, 1, None)).unwrap())[..45]
                .iter()
                .flat_map(|d| d.as_bytes().to_vec())
                .collect::<Vec<u8>>()
        );
    }

    #[test]
    fn nothing_is_published_before_the_first_seal() {
        let store = raw_store(3);
        let err = read(&store, &hashes(0, 0, Some(1))).unwrap_err();
        assert!(matches!(err, TileError::NoCheckpoint), "{err}");
        assert_eq!(err.failure(), Failure::Absent);
    }

    #[test]
    fn a_checkpoint_that_the_entries_do_not_give_is_tampering() {
        let (ledger, _) = sealed_ledger(2);
        let (entries, mut checkpoints) = ledger.into_store().into_parts();
        // A checkpoint signed by another key replaces the genuine one.
        let other =
            crate::ledger::test_ledger("example.gov.cn/tiles", &SecretKey::from_seed(&[2; 32]))
                .and_then(|mut l| {
                    l.seal(&SecretKey::from_seed(&[2; 32]))
                        .map(|c| c.to_string())
                });
        checkpoints.push(other.unwrap());
        let mut store = MemoryStore::new();
        let batch: Vec<EncodedEntry> = entries
            .iter()
            .enumerate()
            .map(|(seq, bytes)| EncodedEntry {
                seq: seq as u64,
                leaf_hash: Sha256TreeHasher.hash_leaf(bytes),
                bytes: bytes.clone(),
                registry_change: false,
            })
            .collect();
        store.append(&batch).unwrap();
        for c in &checkpoints {
            store.append_checkpoint(c).unwrap();
        }
        let err = published(&store).unwrap_err();
        assert_eq!(err.failure(), Failure::Tampered, "{err}");
    }
}
