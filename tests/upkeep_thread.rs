//! The file store's upkeep thread (docs/STORE.md, commit protocol step 5), alone in its test
//! binary: it counts the process's threads by name, which other tests' stores would disturb.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;

use common::events::numbered_document as document;
use common::temp::TempDir;
use liuhen::store::file::FileStore;
use liuhen::StoreRead;

/// The upkeep thread (index marks, log growth) is the store's own: started with its first round,
/// stopped when the store is dropped, after it finished that round (the mark is on disk).
#[test]
fn the_upkeep_thread_ends_with_its_store_after_its_last_round() {
    fn upkeep_threads() -> usize {
        fs::read_dir("/proc/self/task")
            .unwrap()
            .filter(|t| {
                let comm = t.as_ref().unwrap().path().join("comm");
                fs::read_to_string(comm).is_ok_and(|c| c.trim() == "liuhen-upkeep")
            })
            .count()
    }
    let dir = TempDir::new("upkeep-thread");
    let common::Built {
        mut ledger,
        k,
        clock,
    } = common::LedgerBuilder::new()
        .file_store(dir.path())
        .v1()
        .officer()
        .build();
    let before = upkeep_threads();
    for round in 0..3 {
        let batch = (0..600)
            .map(|i| {
                liuhen::SignedStatement::sign(
                    liuhen::Clock::now(&*clock),
                    document(20_000 + round * 1_000 + i),
                    &k.officer,
                )
                .unwrap()
            })
            .collect();
        // Each batch waits for the round the one before started: that thread has run (and
        // named itself) by now, and waits for the next round.
        ledger.append_batch(batch).unwrap();
        clock.advance(1_000);
        if round > 0 {
            assert_eq!(
                upkeep_threads(),
                before + 1,
                "one thread, kept between rounds"
            );
        }
    }
    let size = ledger.size();
    drop(ledger);
    // Joined: the thread has exited, though the kernel may list it a moment longer.
    let gone = std::time::Instant::now();
    while upkeep_threads() != before && gone.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert_eq!(upkeep_threads(), before);
    // The last round's mark covers every entry (the next open checks no group one by one):
    // of the two slots (magic, generation, entries, registry, checksum), the newer one.
    use liuhen::store::file::INDEX_MARK_FILE;
    let marks = fs::read(dir.file(INDEX_MARK_FILE)).unwrap();
    let field = |slot: usize, at: usize| {
        u64::from_le_bytes(
            marks[slot * 64 + at..slot * 64 + at + 8]
                .try_into()
                .unwrap(),
        )
    };
    let newer = if field(0, 8) > field(1, 8) { 0 } else { 1 };
    assert_eq!(field(newer, 16), size);
    let store = FileStore::open(dir.path()).unwrap();
    assert_eq!(store.size(), size);
    assert!(store.recovery().is_clean(), "{:?}", store.recovery());
}
