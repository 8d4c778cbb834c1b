//! Peak memory of verifying a 10⁶-entry file-store ledger (the streaming verifier must not grow
//! with the ledger: target < 64 MiB). Not a regular test — it checks 10⁶ signatures (20–40 s on
//! two cores) and leaves about 310 MB on disk — so it is ignored; see docs/BENCHMARKS.md:
//!
//! ```sh
//! cargo test --release --test rss_verify -- --ignored --nocapture     # builds, then verifies
//! /usr/bin/time -v target/release/deps/rss_verify-<hash> --ignored --nocapture  # verify only
//! ```
//!
//! The ledger is kept in `target/bench-tmp/rss-verify-<n>/` so that the second run measures the
//! verifier alone (remove the directory when done); `LIUHEN_RSS_ENTRIES` changes `n` (default
//! 1,000,000). The test also prints the process's own peak (`VmHWM`), reset after building.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use liuhen::entry::SignedStatement;
use liuhen::model::{Event, RecordRef, Timestamp};
use liuhen::store::file::FileStore;
use liuhen::verify::{verify_store, Verdict, VerifyOptions};
use liuhen::{Ledger, LedgerOptions, ManualClock};

fn entries() -> u64 {
    std::env::var("LIUHEN_RSS_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn ledger_dir(n: u64) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("bench-tmp")
        .join(format!("rss-verify-{n}"))
}

/// A `VmHWM`/`VmRSS` line of /proc/self/status, in KiB.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Builds a ledger of exactly `n` entries: genesis, an officer key, and one pre-signed statement
/// appended over and over in batches of 1,000, then a checkpoint.
fn build(dir: &PathBuf, n: u64) {
    let _ = std::fs::remove_dir_all(dir);
    let common::Built { mut ledger, k, .. } = common::LedgerBuilder::new()
        .file_store(dir)
        // Format v1: the repeated statement is signed outside the ledger, bound to no ledger
        // (a v2 ledger refuses it: before the kit this ignored test failed at its first batch).
        .v1()
        .officer()
        .build();
    let st = SignedStatement::sign(
        Timestamp(common::T0),
        Event::RecordViewed {
            subject: RecordRef::Case("金民执〔2026〕12号".into()),
            by: "21020001".into(),
            purpose: "复核 review".into(),
        },
        &k.officer,
    )
    .unwrap();
    // Exactly `n` entries; signatures are not re-checked while building (duplicates are legal).
    while ledger.size() < n {
        let batch = (n - ledger.size()).min(1_000) as usize;
        for outcome in ledger.append_each(vec![st.clone(); batch], false).unwrap() {
            outcome.unwrap();
        }
    }
    ledger.seal(&k.ledger).unwrap();
}

#[test]
#[ignore = "one-off measurement: checks 10^6 signatures; see docs/BENCHMARKS.md"]
fn verify_large_ledger_in_bounded_memory() {
    let n = entries();
    let dir = ledger_dir(n);
    let reuse = FileStore::open_read_only(&dir).is_ok_and(|s| s.size() == n);
    let mut measured_alone = reuse;
    if !reuse {
        let start = Instant::now();
        build(&dir, n);
        println!(
            "built {n} entries in {} in {:.1} s (kept for the next run; remove it when done)",
            dir.display(),
            start.elapsed().as_secs_f64()
        );
        // Reset the peak so that VmHWM below is the verifier's alone (Linux >= 4.0).
        measured_alone = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    }
    let before = status_kib("VmRSS:");

    let start = Instant::now();
    let store = FileStore::open_read_only(&dir).unwrap();
    let trusted_key = Ledger::open(
        FileStore::open_read_only(&dir).unwrap(),
        Arc::new(ManualClock::new(Timestamp(common::T0))),
        LedgerOptions::default(),
    )
    .unwrap()
    .verifier_key()
    .unwrap();
    let report = verify_store(
        &store,
        &VerifyOptions {
            trusted_key: Some(trusted_key),
            ..VerifyOptions::default()
        },
    );
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(report.verdict, Verdict::Verified, "{report:?}");
    let peak = status_kib("VmHWM:");
    println!(
        "verified {n} entries in {secs:.1} s ({:.0} entries/s); VmRSS before {:?} KiB, \
         peak (VmHWM{}) {:?} KiB",
        n as f64 / secs,
        before,
        if measured_alone {
            ", verifier alone"
        } else {
            ", including the build"
        },
        peak
    );
    if let (true, Some(peak)) = (measured_alone, peak) {
        assert!(peak < 64 * 1024, "peak RSS {peak} KiB is not below 64 MiB");
    }
}
