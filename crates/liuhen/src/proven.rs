//! Proven-before times: for each entry, the earliest time a party other than the bureau vouches
//! that the entry already existed.
//!
//! The ledger's `logged_at` is the bureau's own clock, and so is every time an author claims; a
//! bureau holding the ledger key could write an entry today dated last week (事后补录, Art.
//! 14(4)). What it cannot do is make a witness or a time-stamping authority (TSA) have signed,
//! last week, a checkpoint that includes the entry:
//!
//! * a witness **cosignature** (`cosignature/v1`, C2SP tlog-cosignature) on a checkpoint of size
//!   `n` carries the time the witness signed it: "as of this time I had seen this tree", so
//!   entries `0..n` existed before that time;
//! * an RFC 3161 **timestamp token** over a checkpoint (naming it by its size and root) carries
//!   the TSA's `genTime`: the checkpoint, hence entries `0..size`, existed before it.
//!
//! An entry's proven-before time is the **earliest** such time among the checkpoints that
//! include it (size > seq): [`ProvenBefore::proven_before`]. It is evidence against
//! back-dating, not a date of the act: it bounds when the entry was written from above, never
//! from below.
//!
//! What it rests on: a time is only as good as the witnesses and TSAs trusted (their keys come
//! from the caller: the witness policy, or for now the `witness.vkey` files, [`witness_keys`]);
//! only checkpoints whose log signature verifies count, and only cosignatures that verify; and
//! entries after the last witnessed or time-stamped checkpoint have no proven-before time at all.
//! That the checkpoint's root is the root of the entries is the verifier's check
//! ([`crate::verify`]): the audit runs only on a ledger that passed it.
//!
//! Building: [`Evidence`] gathers [`TimeEvidence`] items from stored checkpoint notes
//! ([`Evidence::from_checkpoints`]) and from TSA tokens the caller verified
//! ([`Evidence::add_timestamp`]); [`ProvenBefore::new`] indexes them (sorted by size, suffix
//! minimum of time) so that each lookup is O(log n) in the number of items.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): reads the witness verifier-key files (`witness*.vkey`) of a ledger directory.
#![allow(clippy::disallowed_methods)]

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::checkpoint::{
    verify_cosignature, CheckpointError, NoteError, NoteVerifier, SignatureType, SignedCheckpoint,
};
use crate::dir::{DirError, LedgerDir};
use crate::entry::Entry;
use crate::hash::Digest;
use crate::model::{Event, Timestamp};
use crate::store::StoreRead;

/// Who vouches for a time.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimeSource {
    /// A witness's `cosignature/v1` on the checkpoint (its timestamp, in whole seconds).
    Cosignature {
        /// The witness's key name.
        witness: String,
    },
    /// An RFC 3161 timestamp token over the checkpoint (its `genTime`).
    Timestamp {
        /// The TSA's name, as the caller that verified the token gives it.
        tsa: String,
    },
}

impl core::fmt::Display for TimeSource {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TimeSource::Cosignature { witness } => write!(f, "witness {witness} cosignature"),
            TimeSource::Timestamp { tsa } => write!(f, "TSA {tsa} token"),
        }
    }
}

/// One piece of time evidence: the checkpoint of `size` (covering entries `0..size`) existed
/// before `time`, as `source` vouches.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TimeEvidence {
    /// Tree size of the checkpoint: entries `0..size` are included.
    pub size: u64,
    /// When the source signed (UTC ms; a cosignature's whole seconds times 1000).
    pub time: Timestamp,
    /// Who vouches.
    pub source: TimeSource,
}

impl TimeEvidence {
    /// The order lookups break ties by: earliest time, then smallest checkpoint, then source.
    fn key(&self) -> (Timestamp, u64, &TimeSource) {
        (self.time, self.size, &self.source)
    }
}

/// Evidence that was offered but not counted, and why (a forged cosignature, a token naming a
/// checkpoint the log never signed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// The stored checkpoint concerned (index in the store's list), if it is one.
    pub checkpoint: Option<u64>,
    /// The tree size it names.
    pub size: u64,
    /// Who it claims to come from.
    pub source: TimeSource,
    /// Why it does not count, in one sentence.
    pub reason: String,
}

/// Time evidence gathered from checkpoints and tokens, before indexing.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    items: Vec<TimeEvidence>,
    /// `(size, root)` of every checkpoint whose log signature verified.
    signed: HashSet<(u64, Digest)>,
    rejected: Vec<Rejected>,
}

/// Cosignature seconds as milliseconds; `None` past the range of [`Timestamp`].
fn seconds_to_ms(secs: u64) -> Option<Timestamp> {
    i64::try_from(secs)
        .ok()
        .and_then(|s| s.checked_mul(1000))
        .map(Timestamp)
}

impl Evidence {
    /// No evidence.
    pub fn new() -> Self {
        Self::default()
    }

    /// Gathers the cosignature times of stored checkpoint `notes` (signed-note texts, in store
    /// order): only checkpoints whose signature by `log_key` verifies, and on them only the
    /// cosignatures of `witnesses` (`cosignature/v1` keys) that verify. A witness line that
    /// does not verify is [rejected](Evidence::rejected), and the witness's other lines still
    /// count; a note that does not parse or whose log signature fails gives nothing (the
    /// verifier reports it).
    pub fn from_checkpoints<T: AsRef<str>>(
        notes: &[T],
        log_key: &NoteVerifier,
        witnesses: &[NoteVerifier],
    ) -> Self {
        let mut out = Evidence::new();
        for (i, note) in notes.iter().enumerate() {
            out.add_checkpoint(i as u64, note.as_ref(), log_key, witnesses);
        }
        out
    }

    /// Adds the evidence of one stored checkpoint (see [`Evidence::from_checkpoints`]);
    /// `index` is its place in the store's list, for reports.
    pub fn add_checkpoint(
        &mut self,
        index: u64,
        note: &str,
        log_key: &NoteVerifier,
        witnesses: &[NoteVerifier],
    ) {
        let Ok(signed) = SignedCheckpoint::parse(note.as_bytes()) else {
            return;
        };
        let Ok(verified) = signed.verify(log_key) else {
            return;
        };
        let size = verified.size();
        self.signed.insert((size, verified.checkpoint().root));
        for w in witnesses {
            let source = TimeSource::Cosignature {
                witness: w.name().to_owned(),
            };
            match verify_cosignature(verified.signed(), w) {
                Ok(secs) => match seconds_to_ms(secs) {
                    Some(time) => self.items.push(TimeEvidence { size, time, source }),
                    None => self.rejected.push(Rejected {
                        checkpoint: Some(index),
                        size,
                        source,
                        reason: format!("cosignature time {secs} s is out of range"),
                    }),
                },
                Err(CheckpointError::Note(NoteError::NoMatchingSignature { .. })) => {}
                Err(e) => self.rejected.push(Rejected {
                    checkpoint: Some(index),
                    size,
                    source,
                    reason: e.to_string(),
                }),
            }
        }
    }

    /// Adds the time of an RFC 3161 token the caller verified (signature, certificate chain to
    /// a trusted root, message imprint over the checkpoint): the checkpoint it names by `size`
    /// and `root` existed before `time`. Counted only if a checkpoint with that size **and**
    /// root was gathered with a verifying log signature; otherwise rejected. Returns whether it
    /// counted.
    pub fn add_timestamp(&mut self, size: u64, root: Digest, time: Timestamp, tsa: &str) -> bool {
        let source = TimeSource::Timestamp {
            tsa: tsa.to_owned(),
        };
        if self.signed.contains(&(size, root)) {
            self.items.push(TimeEvidence { size, time, source });
            true
        } else {
            self.rejected.push(Rejected {
                checkpoint: None,
                size,
                source,
                reason: format!(
                    "the token names a checkpoint of size {size} and root {}, which the log did not sign",
                    root.to_hex()
                ),
            });
            false
        }
    }

    /// The evidence counted, in the order gathered.
    pub fn items(&self) -> &[TimeEvidence] {
        &self.items
    }

    /// What was offered and not counted.
    pub fn rejected(&self) -> &[Rejected] {
        &self.rejected
    }

    /// The index of proven-before times.
    pub fn proven_before(&self) -> ProvenBefore {
        ProvenBefore::new(self.items.iter().cloned())
    }
}

/// The proven-before time of every entry, from a set of [`TimeEvidence`] items.
///
/// Items are sorted by checkpoint size; `best[i]` is the earliest item among `items[i..]`, so
/// the answer for entry `seq` is `best` at the first item whose size exceeds `seq`: O(n log n)
/// to build, O(log n) a lookup, two words of memory an item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProvenBefore {
    items: Vec<TimeEvidence>,
    best: Vec<usize>,
    /// `latest[i]`: the item with the latest time among `items[..=i]`.
    latest: Vec<usize>,
}

impl ProvenBefore {
    /// Indexes `items` (duplicates are kept once).
    pub fn new(items: impl IntoIterator<Item = TimeEvidence>) -> Self {
        let mut items: Vec<TimeEvidence> = items.into_iter().collect();
        items.sort_by(|a, b| (a.size, a.key()).cmp(&(b.size, b.key())));
        items.dedup();
        let mut best = vec![0; items.len()];
        let mut current: Option<usize> = None;
        for i in (0..items.len()).rev() {
            let pick = match current {
                Some(c)
                    if items.get(c).map(TimeEvidence::key)
                        <= items.get(i).map(TimeEvidence::key) =>
                {
                    c
                }
                _ => i,
            };
            current = Some(pick);
            if let Some(b) = best.get_mut(i) {
                *b = pick;
            }
        }
        let mut latest = Vec::with_capacity(items.len());
        let mut current: Option<usize> = None;
        for (i, item) in items.iter().enumerate() {
            let pick = match current.and_then(|c| items.get(c).map(|e| (c, e))) {
                Some((c, e)) if e.time >= item.time => c,
                _ => i,
            };
            current = Some(pick);
            latest.push(pick);
        }
        ProvenBefore {
            items,
            best,
            latest,
        }
    }

    /// The latest evidence that entry `seq` did NOT yet exist: among the items whose checkpoint
    /// does not include it (size ≤ seq), the one with the latest time. A checkpoint a witness
    /// cosigned (or a TSA stamped) at `T` that ends before the entry proves the log, as
    /// witnessed at `T`, did not hold it then (a later checkpoint that includes it must be
    /// consistent with that one). `None` when no such checkpoint exists — e.g. for entries
    /// logged before the ledger was first witnessed.
    pub fn absent_at(&self, seq: u64) -> Option<&TimeEvidence> {
        let end = self.items.partition_point(|e| e.size <= seq);
        let last = end.checked_sub(1)?;
        self.latest.get(last).and_then(|&i| self.items.get(i))
    }

    /// The earliest evidence that entry `seq` existed: among the items whose checkpoint
    /// includes it (size > seq), the one with the earliest time (ties: the smaller checkpoint).
    /// `None` when no witnessed or time-stamped checkpoint includes it.
    pub fn proven_before(&self, seq: u64) -> Option<&TimeEvidence> {
        let first = self.items.partition_point(|e| e.size <= seq);
        self.best.get(first).and_then(|&i| self.items.get(i))
    }

    /// Whether there is no evidence at all.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The evidence items, by checkpoint size.
    pub fn items(&self) -> &[TimeEvidence] {
        &self.items
    }

    /// How many entries have a proven-before time: entries `0..covered()`.
    pub fn covered(&self) -> u64 {
        self.items.last().map_or(0, |e| e.size)
    }

    /// The evidence of the largest checkpoint with any (its earliest), if any.
    pub fn latest(&self) -> Option<&TimeEvidence> {
        let size = self.items.last()?.size;
        let first = self.items.partition_point(|e| e.size < size);
        self.items.get(first)
    }

    /// The summary `verify --json` prints, or `None` without evidence.
    pub fn summary(&self) -> Option<ProvenSummary> {
        let latest = self.latest()?.clone();
        Some(ProvenSummary {
            entries: self.covered(),
            checkpoints_with_time: self
                .items
                .iter()
                .map(|e| e.size)
                .collect::<BTreeSet<_>>()
                .len() as u64,
            latest,
        })
    }
}

/// The proven-before summary of a ledger (`verify --json`, member `proven_before`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenSummary {
    /// Entries with a proven-before time: `0..entries`.
    pub entries: u64,
    /// Distinct checkpoint sizes with time evidence.
    pub checkpoints_with_time: u64,
    /// The largest checkpoint with time evidence: its size, earliest time and source.
    pub latest: TimeEvidence,
}

/// Why evidence could not be gathered from a ledger directory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProvenError {
    /// The ledger directory could not be opened.
    #[error(transparent)]
    Dir(#[from] DirError),
    /// A stored checkpoint could not be read.
    #[error("cannot read stored checkpoint {index}: {source}")]
    Checkpoint {
        /// Its index.
        index: u64,
        /// What the store said.
        #[source]
        source: crate::store::StoreError,
    },
    /// A witness key file could not be read or is not a vkey.
    #[error(transparent)]
    KeyFile(#[from] crate::keyfile::KeyFileError),
    /// A witness key file holds a key that is not a `cosignature/v1` witness key.
    #[error("{path}: the key {name} is not a witness (cosignature/v1) verifier key")]
    NotAWitnessKey {
        /// The file.
        path: PathBuf,
        /// The key's name.
        name: String,
    },
    /// A ledger directory could not be listed.
    #[error("cannot list {path}: {source}")]
    List {
        /// The directory.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}

/// A TSA token's time that the caller verified: the checkpoint it names and its `genTime`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TsaTime {
    /// Tree size of the checkpoint the token is over.
    pub size: u64,
    /// Its root.
    pub root: Digest,
    /// The token's `genTime` (UTC ms).
    pub time: Timestamp,
    /// The TSA's name.
    pub tsa: String,
}

/// The ledger key a store's genesis entry declares, as a note verifier; `None` if entry 0
/// cannot be read or is not a genesis.
pub fn genesis_key<S: StoreRead + ?Sized>(store: &S) -> Option<NoteVerifier> {
    let bytes = store.entry_bytes(0).ok()?;
    let entry = Entry::from_bytes(&bytes).ok()?;
    match entry.statement.statement.event {
        Event::Genesis {
            origin, ledger_key, ..
        } => NoteVerifier::for_key(&origin, ledger_key).ok(),
        _ => None,
    }
}

/// Gathers the time evidence of the checkpoints stored in `store` (see
/// [`Evidence::from_checkpoints`]) and of the caller-verified `tsa` tokens.
///
/// # Errors
/// [`ProvenError::Checkpoint`] if a stored checkpoint cannot be read.
pub fn gather_store<S: StoreRead + ?Sized>(
    store: &S,
    log_key: &NoteVerifier,
    witnesses: &[NoteVerifier],
    tsa: &[TsaTime],
) -> Result<Evidence, ProvenError> {
    let mut out = Evidence::new();
    let count = store
        .checkpoint_count()
        .map_err(|source| ProvenError::Checkpoint { index: 0, source })?;
    for index in 0..count {
        let note = store
            .checkpoint(index)
            .map_err(|source| ProvenError::Checkpoint { index, source })?;
        out.add_checkpoint(index, &note, log_key, witnesses);
    }
    for t in tsa {
        out.add_timestamp(t.size, t.root, t.time, &t.tsa);
    }
    Ok(out)
}

/// Gathers the time evidence of ledger directory `dir`: the one place where the CLI gets it
/// (the witness keys come from [`witness_keys`] today, from the witness policy later).
///
/// # Errors
/// The directory or a stored checkpoint cannot be read.
pub fn gather(
    dir: &LedgerDir,
    log_key: &NoteVerifier,
    witnesses: &[NoteVerifier],
    tsa: &[TsaTime],
) -> Result<Evidence, ProvenError> {
    let store = dir.open_read_only()?;
    gather_store(&store, log_key, witnesses, tsa)
}

/// The witness verifier keys to trust: those of the files `given` (e.g. `--witness-vkey`), or,
/// if none is given, the `witness*.vkey` files in the ledger directory's root (sorted by name).
///
/// The copies inside the directory under audit are a convenience, like its `ledger.vkey`: a
/// bureau that wrote its own key there could forge any time. A court uses keys it obtained from
/// the witness itself.
///
/// # Errors
/// A file cannot be read, is not a vkey, or holds a key that is not a witness key.
pub fn witness_keys(dir: &LedgerDir, given: &[PathBuf]) -> Result<Vec<NoteVerifier>, ProvenError> {
    let files: Vec<PathBuf> = if given.is_empty() {
        let root = dir.root();
        let list = std::fs::read_dir(root).map_err(|source| ProvenError::List {
            path: root.to_path_buf(),
            source,
        })?;
        let mut files: Vec<PathBuf> = list
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| is_witness_file(p))
            .collect();
        files.sort();
        files
    } else {
        given.to_vec()
    };
    files.iter().map(|p| read_witness_key(p)).collect()
}

fn is_witness_file(p: &Path) -> bool {
    p.is_file()
        && p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("witness") && n.ends_with(".vkey"))
}

/// Reads one witness vkey file.
///
/// # Errors
/// Unreadable, not a vkey, or not a `cosignature/v1` key.
pub fn read_witness_key(path: &Path) -> Result<NoteVerifier, ProvenError> {
    let key = crate::keyfile::read_verifier_key(path)?;
    if key.signature_type() != SignatureType::CosignatureV1 {
        return Err(ProvenError::NotAWitnessKey {
            path: path.to_path_buf(),
            name: key.name().to_owned(),
        });
    }
    Ok(key)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::checkpoint::{cosign, Checkpoint, NoteSignature};
    use crate::keys::{SecretKey, Signer};
    use proptest::prelude::*;

    fn ev(size: u64, time: i64, w: &str) -> TimeEvidence {
        TimeEvidence {
            size,
            time: Timestamp(time),
            source: TimeSource::Cosignature { witness: w.into() },
        }
    }

    /// The definition, item by item.
    fn naive_absent(items: &[TimeEvidence], seq: u64) -> Option<Timestamp> {
        items.iter().filter(|e| e.size <= seq).map(|e| e.time).max()
    }

    #[test]
    fn absent_at_is_the_latest_checkpoint_without_the_entry() {
        let p = ProvenBefore::new([
            ev(3, 50, "a"),
            ev(1, 70, "b"),
            ev(5, 20, "c"),
            ev(3, 10, "d"),
        ]);
        assert_eq!(p.absent_at(0), None);
        assert_eq!(p.absent_at(1).map(|e| e.time), Some(Timestamp(70)));
        assert_eq!(p.absent_at(4).map(|e| e.time), Some(Timestamp(70)));
        assert_eq!(p.absent_at(9).map(|e| e.size), Some(1));
        for seq in 0..8 {
            assert_eq!(
                p.absent_at(seq).map(|e| e.time),
                naive_absent(p.items(), seq)
            );
        }
    }

    fn naive(items: &[TimeEvidence], seq: u64) -> Option<&TimeEvidence> {
        items
            .iter()
            .filter(|e| e.size > seq)
            .min_by(|a, b| a.key().cmp(&b.key()))
    }

    #[test]
    fn earliest_time_among_checkpoints_that_include_the_entry() {
        let p = ProvenBefore::new([ev(10, 500, "a"), ev(5, 900, "a"), ev(20, 100, "b")]);
        assert_eq!(p.proven_before(0).unwrap().time, Timestamp(100));
        let p = ProvenBefore::new([ev(10, 500, "a"), ev(5, 300, "a"), ev(20, 700, "b")]);
        assert_eq!(p.proven_before(4).unwrap(), &ev(5, 300, "a"));
        assert_eq!(p.proven_before(5).unwrap(), &ev(10, 500, "a"));
        assert_eq!(p.proven_before(19).unwrap(), &ev(20, 700, "b"));
        assert_eq!(p.proven_before(20), None);
        assert_eq!(p.covered(), 20);
        assert_eq!(p.latest().unwrap(), &ev(20, 700, "b"));
        assert!(ProvenBefore::new([]).proven_before(0).is_none());
        assert!(ProvenBefore::new([]).summary().is_none());
        let s = p.summary().unwrap();
        assert_eq!((s.entries, s.checkpoints_with_time), (20, 3));
    }

    proptest! {
        #[test]
        fn lookup_matches_the_definition(
            raw in proptest::collection::vec((0u64..40, 0i64..50, 0u8..3), 0..60),
            seqs in proptest::collection::vec(0u64..45, 1..20),
        ) {
            let items: Vec<TimeEvidence> = raw
                .iter()
                .map(|(s, t, w)| ev(*s, *t, &format!("w{w}")))
                .collect();
            let p = ProvenBefore::new(items.clone());
            for seq in seqs {
                prop_assert_eq!(p.proven_before(seq), naive(&items, seq));
            }
        }
    }

    #[test]
    fn a_million_entries_and_many_checkpoints() {
        // One checkpoint every 1000 entries, cosigned by two witnesses; times rise with size
        // except a few early cosignatures of large checkpoints.
        let mut items = Vec::new();
        for k in 1..=1000u64 {
            items.push(ev(k * 1000, (k * 60_000) as i64, "a"));
            items.push(ev(k * 1000, (k * 60_000 + 5) as i64, "b"));
        }
        items.push(ev(500_000, 1, "b"));
        let p = ProvenBefore::new(items.clone());
        for seq in (0..1_000_000).step_by(997) {
            assert_eq!(p.proven_before(seq), naive(&items, seq), "entry {seq}");
        }
    }

    /// Figures, not a check: `cargo test -p liuhen --release --lib proven::tests::figures --
    /// --ignored --nocapture`.
    #[test]
    #[ignore = "prints figures"]
    #[allow(clippy::print_stdout)]
    fn figures() {
        let mut items = Vec::new();
        for k in 1..=10_000u64 {
            for w in 0..3u8 {
                items.push(ev(
                    k * 100,
                    (k * 60_000 + u64::from(w)) as i64,
                    &format!("w{w}"),
                ));
            }
        }
        let start = std::time::Instant::now();
        let p = ProvenBefore::new(items);
        let built = start.elapsed();
        let start = std::time::Instant::now();
        let mut n = 0u64;
        for seq in 0..1_000_000u64 {
            n += u64::from(p.proven_before(seq).is_some());
        }
        println!(
            "30000 items indexed in {built:?}; 10^6 lookups in {:?} ({n} with a time)",
            start.elapsed()
        );
    }

    fn log() -> (SecretKey, NoteVerifier) {
        let k = SecretKey::from_seed(&[1; 32]);
        let v = NoteVerifier::for_key("log.example", k.public_key()).unwrap();
        (k, v)
    }

    fn witness(seed: u8) -> (SecretKey, NoteVerifier) {
        let k = SecretKey::from_seed(&[seed; 32]);
        let v = NoteVerifier::for_witness(&format!("w{seed}.example"), k.public_key()).unwrap();
        (k, v)
    }

    fn checkpoint(size: u64, root: u8) -> SignedCheckpoint {
        let (k, _) = log();
        SignedCheckpoint::sign(
            Checkpoint::new("log.example", size, Digest::from_bytes([root; 32])),
            &k,
        )
        .unwrap()
    }

    #[test]
    fn gathers_only_verified_cosignatures_on_log_signed_checkpoints() {
        let (_, log_key) = log();
        let (wk, w) = witness(2);
        let (other_k, other) = witness(3);
        let mut a = checkpoint(3, 7);
        a.add_signature(cosign(a.checkpoint(), w.name(), &wk, 1000).unwrap())
            .unwrap();
        // A forged line of a known witness: not counted, reported.
        let mut b = checkpoint(5, 8);
        let mut bytes = 2000u64.to_be_bytes().to_vec();
        bytes.extend_from_slice(&[9; 64]);
        b.add_signature(NoteSignature::new(w.name(), w.key_id(), bytes).unwrap())
            .unwrap();
        b.add_signature(cosign(b.checkpoint(), other.name(), &other_k, 2500).unwrap())
            .unwrap();
        // A checkpoint signed by another log key: nothing.
        let stranger = SecretKey::from_seed(&[4; 32]);
        let mut c = SignedCheckpoint::sign(
            Checkpoint::new("log.example", 9, Digest::from_bytes([1; 32])),
            &stranger,
        )
        .unwrap();
        c.add_signature(cosign(c.checkpoint(), w.name(), &wk, 10).unwrap())
            .unwrap();
        let notes = [a.to_string(), b.to_string(), c.to_string(), "junk".into()];
        let mut e = Evidence::from_checkpoints(&notes, &log_key, &[w.clone(), other.clone()]);
        assert_eq!(
            e.items(),
            &[
                TimeEvidence {
                    size: 3,
                    time: Timestamp(1_000_000),
                    source: TimeSource::Cosignature {
                        witness: "w2.example".into()
                    }
                },
                TimeEvidence {
                    size: 5,
                    time: Timestamp(2_500_000),
                    source: TimeSource::Cosignature {
                        witness: "w3.example".into()
                    }
                },
            ]
        );
        assert_eq!(e.rejected().len(), 1);
        assert_eq!(e.rejected()[0].checkpoint, Some(1));
        assert!(e.rejected()[0].reason.contains("does not verify"));

        // A token counts only for a log-signed checkpoint of that size and root.
        assert!(e.add_timestamp(3, Digest::from_bytes([7; 32]), Timestamp(500), "tsa"));
        assert!(!e.add_timestamp(3, Digest::from_bytes([8; 32]), Timestamp(1), "tsa"));
        assert!(!e.add_timestamp(9, Digest::from_bytes([1; 32]), Timestamp(1), "tsa"));
        let p = e.proven_before();
        assert_eq!(
            p.proven_before(0).unwrap().source,
            TimeSource::Timestamp { tsa: "tsa".into() }
        );
        assert_eq!(p.proven_before(4).unwrap().time, Timestamp(2_500_000));
        assert_eq!(p.proven_before(5), None);
    }
}
