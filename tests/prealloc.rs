//! The preallocated entry log (store format 2, issue 13): appends overwrite zeros in place and
//! the log grows by whole chunks; the data ends at the first zero length field (rule R13). A
//! torn frame followed by zeros, and garbage in the zeros, are torn tails; a valid frame after
//! zeros, a zeroed committed frame and too many zeros are tampering; a format-1 store still
//! opens, verifies and grows frame by frame as before.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::Path;
use std::sync::Arc;

use liuhen::entry::EncodedEntry;
use liuhen::hash::{Sha256TreeHasher, TreeHasher};
use liuhen::store::file::{
    FileStore, TamperingKind, ENTRY_INDEX_FILE, ENTRY_LOG_FILE, FORMAT_VERSION, HEADER_FILE,
};
use liuhen::verify::VerifyOptions;
use liuhen::{Ledger, LedgerOptions, ManualClock, StoreRead, StoreWrite};

use common::cli::expect_code;
use common::dir::AuditedDir;
use common::events::numbered_document as document;
use common::tamper::frames_end;
use common::temp::TempDir;

/// The chunk the entry log grows by (docs/STORE.md, "Files").
const CHUNK: u64 = 1 << 20;

/// An entry whose bytes are `len` copies of `fill` (never zero, so a torn copy of its frame
/// ends exactly where it was cut).
fn filled(seq: u64, len: usize, fill: u8) -> EncodedEntry {
    let bytes = vec![fill; len];
    EncodedEntry {
        seq,
        leaf_hash: Sha256TreeHasher.hash_leaf(&bytes),
        bytes,
        registry_change: false,
    }
}

/// The frame of `e`: u32 LE length, payload, checksum.
fn frame(e: &EncodedEntry) -> Vec<u8> {
    let mut out = (e.bytes.len() as u32).to_le_bytes().to_vec();
    out.extend_from_slice(&e.bytes);
    out.extend_from_slice(e.leaf_hash.as_bytes());
    out
}

fn log_len(dir: &Path) -> u64 {
    fs::metadata(dir.join(ENTRY_LOG_FILE)).unwrap().len()
}

/// A raw file store with `n` entries of 100 bytes each.
fn raw_store(dir: &Path, n: u64) -> FileStore {
    let mut store = FileStore::create(dir, common::ORIGIN).unwrap();
    for seq in 0..n {
        store.append(&[filled(seq, 100, 0xa0 + seq as u8)]).unwrap();
    }
    store
}

/// Writes `bytes` into the entry log at `at`, leaving its length as it is.
fn write_at(dir: &Path, at: u64, bytes: &[u8]) {
    use std::os::unix::fs::FileExt as _;
    let file = fs::OpenOptions::new()
        .write(true)
        .open(dir.join(ENTRY_LOG_FILE))
        .unwrap();
    file.write_all_at(bytes, at).unwrap();
}

/// The writer `store` refuses writes, and once it is gone the entry log is still `before`.
fn refused_and_unchanged(store: FileStore, dir: &Path, before: &[u8]) {
    assert!(store.refusal().is_some());
    drop(store);
    assert_eq!(fs::read(dir.join(ENTRY_LOG_FILE)).unwrap(), before);
}

/// Found by a review: growth ahead of the commits once kept as many zeros after the data as
/// the last batch held, so a batch of 16 MiB or more of frames left more zeros than opening
/// accepts (rule R13 takes them for junk: tampering). The zeros after the data stay under two
/// chunks whatever the batch.
#[test]
fn a_batch_larger_than_the_junk_limit_leaves_less_than_two_chunks_of_zeros() {
    let dir = TempDir::new("prealloc-huge");
    let mut store = FileStore::create(dir.path(), common::ORIGIN).unwrap();
    store.append(&[filled(0, 100, 1)]).unwrap();
    // 300 entries of 60 KiB: about 18 MiB of frames in one commit.
    let batch: Vec<EncodedEntry> = (1..301).map(|seq| filled(seq, 60 << 10, 2)).collect();
    store.append(&batch).unwrap();
    store.settle().unwrap();
    let end = 136 + 300 * (36 + (60 << 10));
    let len = log_len(dir.path());
    assert!(
        len.is_multiple_of(CHUNK) && len - end < 2 * CHUNK,
        "{len} after {end}"
    );
    drop(store);
    let store = FileStore::open(dir.path()).unwrap();
    assert!(store.recovery().is_clean(), "{:?}", store.recovery());
    assert_eq!(store.size(), 301);
    let log = fs::read(dir.file(ENTRY_LOG_FILE)).unwrap();
    assert_eq!(frames_end(&log) as u64, end);
}

#[test]
fn a_new_store_is_format_2_and_its_entry_log_grows_by_whole_chunks_of_zeros() {
    let dir = TempDir::new("prealloc-grow");
    let mut store = FileStore::create(dir.path(), common::ORIGIN).unwrap();
    assert_eq!(FORMAT_VERSION, 2);
    assert_eq!(fs::read(dir.file(HEADER_FILE)).unwrap()[8], 2);
    // Nothing is preallocated before the first append.
    assert_eq!(log_len(dir.path()), 0);
    store.append(&[filled(0, 100, 1)]).unwrap();
    store.settle().unwrap();
    assert_eq!(log_len(dir.path()), CHUNK);
    // 60 KiB entries: once less than a quarter of a chunk is free after one, the store's upkeep
    // grows the log by a chunk after that commit (waited for here before the length is read:
    // it grows the file while the caller goes on).
    let mut sizes = vec![];
    let mut end = 136;
    for seq in 1..40 {
        store.append(&[filled(seq, 60 << 10, 2)]).unwrap();
        store.settle().unwrap();
        end += 36 + (60 << 10);
        let len = log_len(dir.path());
        assert!(
            len - end >= CHUNK / 4 && len - end < 2 * CHUNK,
            "{len} after {end}"
        );
        sizes.push(len);
    }
    assert!(sizes.iter().all(|s| s % CHUNK == 0), "{sizes:?}");
    assert!(sizes.windows(2).all(|w| w[1] - w[0] <= CHUNK));
    let end = end as usize;
    drop(store);
    let log = fs::read(dir.file(ENTRY_LOG_FILE)).unwrap();
    assert_eq!(frames_end(&log), end);
    assert!(log[end..].iter().all(|&b| b == 0));

    // Reopened: the zeros are free space, nothing to report, and appends go on in place.
    let mut store = FileStore::open(dir.path()).unwrap();
    assert!(store.recovery().is_clean(), "{:?}", store.recovery());
    assert_eq!(store.size(), 40);
    store.append(&[filled(40, 100, 3)]).unwrap();
    store.settle().unwrap();
    let len = log_len(dir.path());
    assert!(len == *sizes.last().unwrap() || len == *sizes.last().unwrap() + CHUNK);
    assert_eq!(store.entry_bytes(40).unwrap(), vec![3; 100]);
    assert_eq!(store.entry_bytes(20).unwrap(), vec![2; 60 << 10]);
    drop(store);
    let checked = FileStore::open_with(
        dir.path(),
        &liuhen::store::file::OpenOptions {
            check: liuhen::store::file::Check::Full,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(checked.recovery().is_clean(), "{:?}", checked.recovery());
}

#[test]
fn a_partial_frame_followed_by_zeros_is_a_torn_tail_cut_back_to_the_last_frame() {
    let dir = TempDir::new("prealloc-torn");
    let store = raw_store(dir.path(), 3);
    drop(store);
    let end = 3 * 136;
    let next = frame(&filled(3, 100, 0xee));
    // The length field's high bytes are zero: cut inside them, the data ends after its first.
    for cut in [1, 2, 4, 5, 40, 103, 104, 120, next.len() - 1] {
        write_at(dir.path(), end, &next[..cut]);
        let store = FileStore::open(dir.path()).unwrap();
        let r = store.recovery().clone();
        assert!(!r.is_tampered(), "cut {cut}: {r:?}");
        assert!(r.applied);
        let written = next[..cut].iter().rposition(|&b| b != 0).unwrap() as u64 + 1;
        assert_eq!(r.entries.torn_bytes, written, "cut {cut}");
        assert_eq!(r.entries.dropped, 0);
        assert_eq!(store.size(), 3);
        // The torn bytes and the zeros after them are cut: the log ends with its last frame,
        // and the next append grows it to a whole chunk again.
        assert_eq!(log_len(dir.path()), end);
        let mut store = store;
        store.append(&[filled(3, 100, 0xee)]).unwrap();
        assert_eq!(log_len(dir.path()), CHUNK);
        drop(store);
        let store = FileStore::open(dir.path()).unwrap();
        assert!(store.recovery().is_clean(), "{:?}", store.recovery());
        assert_eq!(store.entry_bytes(3).unwrap(), vec![0xee; 100]);
        // Back to three entries and a preallocated log for the next round.
        drop(store);
        fs::write(
            dir.file(ENTRY_INDEX_FILE),
            &fs::read(dir.file(ENTRY_INDEX_FILE)).unwrap()[..164],
        )
        .unwrap();
        write_at(dir.path(), end, &vec![0; next.len()]);
    }
    // A whole frame with a bad checksum, zeros after it: torn too.
    let mut bad = next.clone();
    *bad.last_mut().unwrap() ^= 1;
    write_at(dir.path(), end, &bad);
    let store = FileStore::open(dir.path()).unwrap();
    assert!(!store.recovery().is_tampered());
    let written = bad.iter().rposition(|&b| b != 0).unwrap() as u64 + 1;
    assert_eq!(store.recovery().entries.torn_bytes, written);
    assert_eq!(log_len(dir.path()), end);
}

#[test]
fn garbage_in_the_zeros_after_the_last_frame_is_a_torn_tail_and_a_reader_cuts_nothing() {
    let dir = TempDir::new("prealloc-garbage");
    drop(raw_store(dir.path(), 2));
    let end = 2 * 136;
    // A hole of zeros, then bytes (what a power loss can leave of an unsynced write).
    write_at(dir.path(), end + 1000, b"\x07\x00\x00\x00junk");
    let reader = FileStore::open_read_only(dir.path()).unwrap();
    assert!(!reader.recovery().is_tampered());
    assert!(!reader.recovery().applied);
    assert_eq!(reader.recovery().entries.torn_bytes, 1008);
    assert_eq!(reader.size(), 2);
    assert_eq!(log_len(dir.path()), CHUNK);
    drop(reader);
    let store = FileStore::open(dir.path()).unwrap();
    assert!(store.recovery().applied);
    assert_eq!(store.recovery().entries.torn_bytes, 1008);
    assert_eq!(store.refusal(), None);
    assert_eq!(log_len(dir.path()), end);
}

#[test]
fn a_valid_frame_after_zeros_is_tampering_and_nothing_is_cut() {
    let dir = TempDir::new("prealloc-hole");
    drop(raw_store(dir.path(), 2));
    let end = 2 * 136;
    write_at(dir.path(), end + 64, &frame(&filled(2, 100, 0xcc)));
    let before = fs::read(dir.file(ENTRY_LOG_FILE)).unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    let t = &store.recovery().tampering;
    assert!(
        matches!(
            t.first().map(|t| t.kind),
            Some(TamperingKind::ValidFrameAfterBadFrame { valid_at, .. }) if valid_at == end + 64
        ),
        "{t:?}"
    );
    refused_and_unchanged(store, dir.path(), &before);
}

#[test]
fn more_zeros_than_a_torn_tail_can_hold_are_tampering() {
    let dir = TempDir::new("prealloc-junk");
    drop(raw_store(dir.path(), 2));
    let file = fs::OpenOptions::new()
        .write(true)
        .open(dir.file(ENTRY_LOG_FILE))
        .unwrap();
    // Sparse: 17 MiB of zeros after the frames, more than the writer ever leaves.
    file.set_len(17 << 20).unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    assert!(
        matches!(
            store.recovery().tampering.first().map(|t| t.kind),
            Some(TamperingKind::Junk { .. })
        ),
        "{:?}",
        store.recovery()
    );
    assert_eq!(log_len(dir.path()), 17 << 20);
}

/// A ledger of a few entries, sealed, and one more entry after the seal.
fn ledger(dir: &Path) -> (common::Keys, Arc<ManualClock>) {
    let common::Built {
        mut ledger,
        k,
        clock,
    } = common::LedgerBuilder::new()
        .file_store(dir)
        .v1()
        .officer()
        .build();
    for i in 0..3 {
        clock.advance(1_000);
        ledger.sign_and_append(&k.officer, document(i)).unwrap();
    }
    ledger.seal(&k.ledger).unwrap();
    clock.advance(1_000);
    ledger.sign_and_append(&k.officer, document(9)).unwrap();
    (k, clock)
}

/// The verifier finds no tampering in `store`.
fn assert_untampered(store: &FileStore) {
    let report = liuhen::verify_store(store, &VerifyOptions::default());
    assert!(!report.is_tampered(), "{:#?}", report.findings);
}

/// Where the last frame before `end` starts.
fn last_frame(log: &[u8], end: usize) -> usize {
    let (mut last, mut pos) = (0, 0);
    while pos < end {
        last = pos;
        pos += 36 + u32::from_le_bytes(log[pos..pos + 4].try_into().unwrap()) as usize;
    }
    last
}

#[test]
fn a_committed_frame_whose_group_was_lost_is_adopted_from_the_preallocated_log() {
    // Crash case 4: the frame was synced, its index group never written.
    let dir = TempDir::new("prealloc-adopt");
    let (k, clock) = ledger(dir.path());
    let size = FileStore::open_read_only(dir.path()).unwrap().size();
    let index = fs::read(dir.file(ENTRY_INDEX_FILE)).unwrap();
    let group = |n: u64| (76 * n - 32 * u64::from(n.count_ones())) as usize;
    fs::write(dir.file(ENTRY_INDEX_FILE), &index[..group(size - 1)]).unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    assert!(!store.recovery().is_tampered(), "{:?}", store.recovery());
    assert_eq!(store.recovery().entries.adopted, 1);
    assert_eq!(store.size(), size);
    assert_eq!(log_len(dir.path()), CHUNK);
    assert_eq!(fs::read(dir.file(ENTRY_INDEX_FILE)).unwrap(), index);
    let mut ledger = Ledger::open(store, clock, LedgerOptions::default()).unwrap();
    ledger.seal(&k.ledger).unwrap();
    assert_untampered(ledger.store());
}

#[test]
fn zeroing_the_last_committed_frame_is_tampering_not_a_torn_tail() {
    // In a preallocated log, zeros are what a cut looks like: the last entry's frame zeroed
    // (unsealed, so a file cut of it would be a torn tail) is not something a crash leaves,
    // since its group was written only after the frame was synced.
    let dir = TempDir::new("prealloc-zeroed");
    let _ = ledger(dir.path());
    let log = fs::read(dir.file(ENTRY_LOG_FILE)).unwrap();
    let end = frames_end(&log);
    let store = FileStore::open_read_only(dir.path()).unwrap();
    let size = store.size();
    drop(store);
    let last = last_frame(&log, end);
    write_at(dir.path(), last as u64, &vec![0; end - last]);
    let before = fs::read(dir.file(ENTRY_LOG_FILE)).unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    let t = store.recovery().tampering.first().cloned();
    assert!(
        matches!(
            t.as_ref().map(|t| (t.kind, t.record)),
            Some((TamperingKind::BadFrame(_), Some(r))) if r == size - 1
        ),
        "{t:?}"
    );
    refused_and_unchanged(store, dir.path(), &before);
}

#[test]
fn destroying_the_last_entry_by_zeroing_its_frame_is_tampering_for_liuhen_verify() {
    let root = common::cli::scratch("prealloc-cli-zeroed");
    let f = AuditedDir::init(root);
    let path = f.dir.join("ledger").join(ENTRY_LOG_FILE);
    let log = fs::read(&path).unwrap();
    let end = frames_end(&log);
    assert_eq!(
        log.len() as u64 % CHUNK,
        0,
        "the CLI's store is preallocated"
    );
    let last = last_frame(&log, end);
    let mut zeroed = log.clone();
    zeroed[last..end].fill(0);
    fs::write(&path, &zeroed).unwrap();
    let text = expect_code(&f.verify(&[]), 1);
    assert!(text.starts_with("TAMPERED"), "{text}");
    assert!(text.contains("store_files_damaged"), "{text}");
}

#[test]
fn a_format_1_store_opens_verifies_and_keeps_growing_frame_by_frame() {
    let dir = TempDir::new("prealloc-v1");
    let (k, clock) = ledger(dir.path());
    // What a format-1 writer left: the header says 1, the log ends with its last frame.
    let header = fs::read(dir.file(HEADER_FILE)).unwrap();
    let mut v1 = header[..header.len() - 32].to_vec();
    v1[8] = 1;
    let sum = <sha2::Sha256 as sha2::Digest>::digest(&v1);
    v1.extend_from_slice(&sum);
    fs::write(dir.file(HEADER_FILE), &v1).unwrap();
    let log = fs::read(dir.file(ENTRY_LOG_FILE)).unwrap();
    let end = frames_end(&log);
    fs::write(dir.file(ENTRY_LOG_FILE), &log[..end]).unwrap();

    let store = FileStore::open(dir.path()).unwrap();
    assert!(store.recovery().is_clean(), "{:?}", store.recovery());
    let mut ledger = Ledger::open(store, clock, LedgerOptions::default()).unwrap();
    ledger.sign_and_append(&k.officer, document(10)).unwrap();
    ledger.seal(&k.ledger).unwrap();
    assert_untampered(ledger.store());
    drop(ledger);
    // Not preallocated, not upgraded.
    let log = fs::read(dir.file(ENTRY_LOG_FILE)).unwrap();
    assert_eq!(frames_end(&log), log.len());
    assert_eq!(fs::read(dir.file(HEADER_FILE)).unwrap(), v1);

    // In a format-1 log, zeros after the last frame are a torn tail, as they always were.
    let mut zeros = log.clone();
    zeros.extend_from_slice(&[0; 300]);
    fs::write(dir.file(ENTRY_LOG_FILE), &zeros).unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    assert!(!store.recovery().is_tampered());
    assert_eq!(store.recovery().entries.torn_bytes, 300);
    drop(store);
    assert_eq!(fs::read(dir.file(ENTRY_LOG_FILE)).unwrap(), log);
}
