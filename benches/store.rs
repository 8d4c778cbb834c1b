//! Durable file-store throughput and latency, each against a baseline measured in the same run.
//!
//! * durable appends/s of pre-signed statements to a [`FileStore`] ledger: one thread
//!   ([`Ledger::append`]), 4 and 16 threads ([`SharedLedger::append`], group commit) and the
//!   batch API ([`Ledger::append_batch`] of 1,000), against
//!   - bare ed25519-dalek batch verification and bare `verify_strict` on all cores,
//!   - a SQLite table with a BLAKE3 hash-chain column (rusqlite, bundled, WAL,
//!     `synchronous=FULL`, same batching; for 4/16 threads a `Mutex<Connection>` with one
//!     transaction per statement, since SQLite has no group commit across connections),
//!   - the bare `fdatasync` rate of the disk (write 512 bytes, `File::sync_data`);
//! * open time (`FileStore::open`, and `FileStore::open` + `Ledger::open`) at 10⁴ and 10⁶ entries;
//! * inclusion- and consistency-proof generation from disk and proof verification at 10⁴ and
//!   10⁶ entries, against the same proofs made in memory by `tlog_tiles` (the Rust port of Go's
//!   `golang.org/x/mod/sumdb/tlog`) over a vector of the same tree's stored hashes, and
//!   against the proof from disk read one node per call (the reading path before proofs asked
//!   for all their nodes in one call).
//!
//! Everything is written under `target/bench-tmp/` (the file system of the build, so syncs hit
//! the real disk) and removed afterwards. After criterion's measurements the bench prints the
//! ratios (reading criterion's own estimates), so one `cargo bench --bench store` gives the
//! figures for docs/BENCHMARKS.md. Run as a test (`cargo test --benches`), it uses small ledgers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

use common::{bare, bare_batch_verify, benchmarking, mean_ns, presigned, TempDir, T0};
use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use liuhen::hash::{Sha256TreeHasher, TreeHasher};
use liuhen::model::{Event, Role, Timestamp};
use liuhen::store::file::FileStore;
use liuhen::store::StoreRead;
use liuhen::{Ledger, LedgerOptions, ManualClock, SecretKey, SharedLedger, Signer};
use rayon::prelude::*;
use rusqlite::{params, Connection};

const ORIGIN: &str = "bench.example/ledger";
const BATCH: usize = 1_000;
const THREADS: [usize; 2] = [4, 16];

/// The ledger sizes of the open and proof benches: 10⁴ and 10⁶ (10³ and 10⁴ as a test).
fn sizes() -> (u64, u64) {
    if benchmarking() {
        (10_000, 1_000_000)
    } else {
        (1_000, 10_000)
    }
}

fn ledger_key() -> SecretKey {
    SecretKey::from_seed(&[1; 32])
}

fn officer() -> SecretKey {
    SecretKey::from_seed(&[2; 32])
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Timestamp(T0)))
}

/// A new file-store ledger in `dir` with the officer key registered (2 entries).
fn file_ledger(dir: &Path) -> Ledger<FileStore> {
    let key = ledger_key();
    let mut ledger = Ledger::create(
        FileStore::create(dir, ORIGIN).unwrap(),
        ORIGIN,
        &key,
        clock(),
        // Format v1: the same pre-signed statements are appended again and again, which a v2
        // ledger refuses as replays (docs/decisions/0004-format-v2.md).
        LedgerOptions {
            format: liuhen::FormatVersion::V1,
            ..LedgerOptions::default()
        },
    )
    .unwrap();
    ledger
        .sign_and_append(
            &key,
            Event::KeyAuthorized {
                key: officer().public_key(),
                role: Role::Officer,
                holder: "21020001".into(),
            },
        )
        .unwrap();
    ledger
}

/// Bare `verify_strict`, one signature at a time, on all cores.
fn bare_verify_strict(
    msgs: &[Vec<u8>],
    sigs: &[ed25519_dalek::Signature],
    keys: &[ed25519_dalek::VerifyingKey],
) {
    msgs.par_iter()
        .zip(sigs.par_iter())
        .zip(keys.par_iter())
        .for_each(|((m, s), k)| k.verify_strict(m, s).unwrap());
}

/// The baseline an agency developer would otherwise write: one SQLite row per statement, each
/// row carrying `hash = BLAKE3(prev_hash || entry_blob)`.
struct SqliteChain {
    conn: Connection,
    next_seq: i64,
    prev: [u8; 32],
}

impl SqliteChain {
    fn create(path: &Path) -> Self {
        let conn = Connection::open(path).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        conn.pragma_update(None, "synchronous", "FULL").unwrap();
        conn.execute_batch(
            "CREATE TABLE entries (
                seq INTEGER PRIMARY KEY,
                prev_hash BLOB NOT NULL,
                entry_blob BLOB NOT NULL,
                hash BLOB NOT NULL
            )",
        )
        .unwrap();
        SqliteChain {
            conn,
            next_seq: 0,
            prev: [0; 32],
        }
    }

    /// Appends `blobs` in one transaction (committed, hence synced, before returning).
    fn append(&mut self, blobs: &[Vec<u8>]) {
        let tx = self.conn.transaction().unwrap();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO entries (seq, prev_hash, entry_blob, hash) VALUES (?1, ?2, ?3, ?4)",
                )
                .unwrap();
            for blob in blobs {
                let mut h = blake3::Hasher::new();
                h.update(&self.prev);
                h.update(blob);
                let hash = *h.finalize().as_bytes();
                insert
                    .execute(params![self.next_seq, &self.prev[..], blob, &hash[..]])
                    .unwrap();
                self.next_seq += 1;
                self.prev = hash;
            }
        }
        tx.commit().unwrap();
    }
}

/// Runs `iters` calls of `f(thread, i)` spread over `threads` threads, timing the whole.
fn spread(threads: usize, iters: u64, f: impl Fn(usize, u64) + Sync) -> Duration {
    let per = iters.div_ceil(threads as u64);
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let f = &f;
            let first = t as u64 * per;
            let last = (first + per).min(iters);
            s.spawn(move || (first..last).for_each(|i| f(t, i)));
        }
    });
    start.elapsed()
}

fn appends(c: &mut Criterion) {
    let statements = presigned(&officer(), BATCH);
    // The SQLite row's blob: the statement's signed bytes followed by its signature.
    let blobs: Vec<Vec<u8>> = statements
        .iter()
        .map(|s| {
            let mut blob = s.statement.signed_message().unwrap();
            blob.extend_from_slice(s.signature.as_bytes());
            blob
        })
        .collect();
    let (msgs, sigs, keys) = bare(&statements);
    let tmp = TempDir::new("store-append");
    let mut n_dir = 0;
    let mut fresh = |name: &str| {
        n_dir += 1;
        tmp.path().join(format!("{n_dir}-{name}"))
    };

    // One durable append at a time (or one per thread at a time).
    let mut g = c.benchmark_group("durable_one");
    g.throughput(Throughput::Elements(1));
    g.sample_size(30);
    {
        let path = fresh("fdatasync");
        let mut file = File::create(&path).unwrap();
        let block = [0x5a_u8; 512];
        g.bench_function("bare_fdatasync_512", |b| {
            b.iter(|| {
                file.write_all(&block).unwrap();
                file.sync_data().unwrap();
            })
        });
    }
    {
        // The same 512 bytes rewritten in place: the file never grows, so the sync carries no
        // file-size change (a SQLite WAL that has wrapped around writes like this).
        let path = fresh("fdatasync-overwrite");
        let file = File::create(&path).unwrap();
        let block = [0xa5_u8; 512];
        g.bench_function("bare_fdatasync_512_overwrite", |b| {
            b.iter(|| {
                std::os::unix::fs::FileExt::write_all_at(&file, &block, 0).unwrap();
                file.sync_data().unwrap();
            })
        });
    }
    {
        // The least work a durable signed append can do: verify_strict the statement, append
        // its bytes (signed message and signature, about 400 bytes) to a file, fdatasync.
        let path = fresh("verify-fdatasync");
        let mut file = File::create(&path).unwrap();
        let mut i = 0;
        g.bench_function("bare_verify_strict_fdatasync", |b| {
            b.iter(|| {
                i += 1;
                let k = i % BATCH;
                keys[k].verify_strict(&msgs[k], &sigs[k]).unwrap();
                file.write_all(&blobs[k]).unwrap();
                file.sync_data().unwrap();
            })
        });
    }
    {
        let mut ledger = file_ledger(&fresh("liuhen-single"));
        let mut i = 0;
        g.bench_function("liuhen_single", |b| {
            b.iter(|| {
                i += 1;
                ledger.append(statements[i % BATCH].clone()).unwrap()
            })
        });
    }
    {
        let mut db = SqliteChain::create(&fresh("sqlite-single.db"));
        let mut i = 0;
        g.bench_function("sqlite_single", |b| {
            b.iter(|| {
                i += 1;
                db.append(std::slice::from_ref(&blobs[i % BATCH]))
            })
        });
    }
    {
        // What an agency developer would write: verify_strict, then one row per transaction.
        let mut db = SqliteChain::create(&fresh("sqlite-single-verified.db"));
        let mut i = 0;
        g.bench_function("sqlite_single_verify_strict", |b| {
            b.iter(|| {
                i += 1;
                let k = i % BATCH;
                keys[k].verify_strict(&msgs[k], &sigs[k]).unwrap();
                db.append(std::slice::from_ref(&blobs[k]))
            })
        });
    }
    for threads in THREADS {
        let shared = SharedLedger::new(file_ledger(&fresh("liuhen-shared")));
        g.bench_function(format!("liuhen_threads_{threads}"), |b| {
            b.iter_custom(|iters| {
                spread(threads, iters, |_, i| {
                    shared
                        .append(statements[i as usize % BATCH].clone())
                        .unwrap();
                })
            })
        });
        let stats = shared.group_stats();
        if stats.groups > 0 {
            println!(
                "SharedLedger, {threads} threads: {} groups of {:.2} statements on average",
                stats.groups,
                stats.statements as f64 / stats.groups as f64
            );
        }
        let db = Mutex::new(SqliteChain::create(&fresh("sqlite-shared.db")));
        g.bench_function(format!("sqlite_threads_{threads}"), |b| {
            b.iter_custom(|iters| {
                spread(threads, iters, |_, i| {
                    db.lock()
                        .unwrap()
                        .append(std::slice::from_ref(&blobs[i as usize % BATCH]));
                })
            })
        });
    }
    g.finish();

    // Batches of 1,000.
    let mut g = c.benchmark_group("durable_batch");
    g.throughput(Throughput::Elements(BATCH as u64));
    g.sample_size(10);
    g.bench_function("bare_batch_verify_all_cores", |b| {
        b.iter(|| bare_batch_verify(&msgs, &sigs, &keys))
    });
    g.bench_function("bare_verify_strict_all_cores", |b| {
        b.iter(|| bare_verify_strict(&msgs, &sigs, &keys))
    });
    {
        let mut ledger = file_ledger(&fresh("liuhen-batch"));
        g.bench_function("liuhen_batch_1000", |b| {
            b.iter_batched(
                || statements.clone(),
                |batch| ledger.append_batch(batch).unwrap(),
                BatchSize::SmallInput,
            )
        });
    }
    {
        // Without signature checks (append_each(_, false)): the storage cost alone, to set
        // against SQLite's.
        let mut ledger = file_ledger(&fresh("liuhen-batch-unverified"));
        g.bench_function("liuhen_batch_1000_unverified", |b| {
            b.iter_batched(
                || statements.clone(),
                |batch| ledger.append_each(batch, false).unwrap(),
                BatchSize::SmallInput,
            )
        });
    }
    {
        let mut db = SqliteChain::create(&fresh("sqlite-batch.db"));
        g.bench_function("sqlite_batch_1000", |b| b.iter(|| db.append(&blobs)));
    }
    {
        // The same, checking each signature with verify_strict on all cores first, as liuhen
        // does: separates the cost of signatures from the cost of storage.
        let mut db = SqliteChain::create(&fresh("sqlite-batch-verified.db"));
        g.bench_function("sqlite_batch_1000_verify_strict", |b| {
            b.iter(|| {
                bare_verify_strict(&msgs, &sigs, &keys);
                db.append(&blobs)
            })
        });
    }
    g.finish();
}

/// Builds a file-store ledger of exactly `size` entries: one pre-signed statement appended
/// over and over in batches of 1,000 (duplicates are legal; signatures are not re-checked),
/// then sealed — as a deployment seals routinely — which saves the signed writer state the next
/// open resumes from (docs/decisions/0010-writer-state.md). The seal checks every signature
/// once (about 20 s at 10⁶ on the 2-core VM).
fn build(dir: &Path, size: u64) {
    let mut ledger = file_ledger(dir);
    let missing = size - ledger.size();
    append_copies(&mut ledger, missing);
    assert_eq!(ledger.size(), size);
    ledger.seal(&ledger_key()).unwrap();
}

/// Appends `n` copies of one pre-signed statement, in batches of 1,000.
fn append_copies(ledger: &mut Ledger<FileStore>, n: u64) {
    let st = presigned(&officer(), 1).remove(0);
    let end = ledger.size() + n;
    while ledger.size() < end {
        let n = (end - ledger.size()).min(BATCH as u64) as usize;
        for outcome in ledger.append_each(vec![st.clone(); n], false).unwrap() {
            outcome.unwrap();
        }
    }
}

/// Opens the writer of the bench ledger at `dir`.
fn open_writer(dir: &Path) -> Ledger<FileStore> {
    Ledger::open(
        FileStore::open(dir).unwrap(),
        clock(),
        // Format v1: the same pre-signed statements are appended again and again, which a v2
        // ledger refuses as replays (docs/decisions/0004-format-v2.md).
        LedgerOptions {
            format: liuhen::FormatVersion::V1,
            ..LedgerOptions::default()
        },
    )
    .unwrap()
}

/// Entries appended after the last seal for `ledger_open_tail_*`: what a writer killed after
/// its last seal leaves to its successor's open (the store re-checks them against their index
/// groups after the last index mark, the ledger re-admits them after the seal's writer state).
const TAIL: u64 = 1_000;

fn open_and_prove(c: &mut Criterion) {
    let (small, large) = sizes();
    let tmp = TempDir::new("store-open");
    let mut ledgers = Vec::new();
    for size in [small, large] {
        let dir = tmp.path().join(size.to_string());
        let start = Instant::now();
        build(&dir, size);
        println!(
            "built a {size}-entry file-store ledger in {:.1} s",
            start.elapsed().as_secs_f64()
        );
        ledgers.push((size, dir));
    }

    let mut g = c.benchmark_group("open");
    // Ledger::open without a writer state reads every frame (seconds at 10⁶): 10 samples.
    g.sample_size(10);
    for (size, dir) in &ledgers {
        g.bench_function(format!("file_store_open_{size}"), |b| {
            b.iter(|| FileStore::open(dir).unwrap())
        });
        g.bench_function(format!("ledger_open_{size}"), |b| {
            b.iter(|| {
                let ledger = open_writer(dir);
                assert_eq!(
                    ledger.opened_from(),
                    &liuhen::ledger::OpenedFrom::WriterState { size: *size }
                );
                ledger
            })
        });
    }
    // The same ledgers with TAIL entries appended after their seal.
    for (_, dir) in &ledgers {
        append_copies(&mut open_writer(dir), TAIL);
    }
    for (size, dir) in &ledgers {
        g.bench_function(format!("ledger_open_tail_{size}"), |b| {
            b.iter(|| open_writer(dir))
        });
    }
    g.finish();

    let hasher = Sha256TreeHasher;
    let mut g = c.benchmark_group("proof");
    // Leaves and old sizes spread over the whole tree, so the reads are not one path.
    for (size, dir) in &ledgers {
        let size = *size;
        let spot = |i: u64| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 11) % size;
        let ledger = Ledger::open(
            FileStore::open_read_only(dir).unwrap(),
            clock(),
            // Format v1: the same pre-signed statements are appended again and again, which a v2
            // ledger refuses as replays (docs/decisions/0004-format-v2.md).
            LedgerOptions {
                format: liuhen::FormatVersion::V1,
                ..LedgerOptions::default()
            },
        )
        .unwrap();
        let mut i = 0;
        g.bench_function(format!("prove_inclusion_{size}"), |b| {
            b.iter(|| {
                i += 1;
                ledger.prove_inclusion(spot(i), size).unwrap()
            })
        });
        g.bench_function(format!("prove_consistency_{size}"), |b| {
            b.iter(|| {
                i += 1;
                ledger.prove_consistency(spot(i) + 1, size).unwrap()
            })
        });
        // The reading path before proofs asked for their nodes in one call: one read per node.
        let one_by_one = OneByOne(ledger.store());
        g.bench_function(format!("prove_inclusion_one_by_one_{size}"), |b| {
            b.iter(|| {
                i += 1;
                liuhen::merkle::inclusion_proof(&hasher, &one_by_one, spot(i), size).unwrap()
            })
        });
        // The root at `size`: the ledger holds TAIL more entries since the `open` group.
        let root = ledger.root_at(size).unwrap();
        let seq = size / 3 + 1;
        let leaf = hasher.hash_leaf(&ledger.store().entry_bytes(seq).unwrap());
        let inclusion = ledger.prove_inclusion(seq, size).unwrap();
        g.bench_function(format!("verify_inclusion_{size}"), |b| {
            b.iter(|| inclusion.verify(&hasher, &leaf, &root).unwrap())
        });
        let old = size / 3 + 1;
        let old_root = ledger.root_at(old).unwrap();
        let consistency = ledger.prove_consistency(old, size).unwrap();
        g.bench_function(format!("verify_consistency_{size}"), |b| {
            b.iter(|| consistency.verify(&hasher, &old_root, &root).unwrap())
        });

        // The in-memory baseline: tlog_tiles' proofs over every stored hash of the same tree
        // (built from the ledger's own leaf hashes, outside the timed loop), asked for the
        // same leaves and sizes. Its proofs must be ours, byte for byte.
        let start = Instant::now();
        let memory = TlogMemory::build(ledger.store(), size);
        println!(
            "built the in-memory tlog_tiles tree of {size} leaves in {:.1} s",
            start.elapsed().as_secs_f64()
        );
        for k in 1..=64 {
            let (seq, old) = (spot(k), spot(k) + 1);
            assert_eq!(
                tlog_path(&tlog_tiles::prove_record(size, seq, &memory).unwrap()),
                ledger.prove_inclusion(seq, size).unwrap().path,
                "inclusion proof of {seq} in {size}"
            );
            assert_eq!(
                tlog_path(&tlog_tiles::prove_tree(size, old, &memory).unwrap()),
                ledger.prove_consistency(old, size).unwrap().path,
                "consistency proof from {old} to {size}"
            );
        }
        let mut i = 0;
        g.bench_function(format!("tlog_tiles_prove_record_{size}"), |b| {
            b.iter(|| {
                i += 1;
                tlog_tiles::prove_record(size, spot(i), &memory).unwrap()
            })
        });
        g.bench_function(format!("tlog_tiles_prove_tree_{size}"), |b| {
            b.iter(|| {
                i += 1;
                tlog_tiles::prove_tree(size, spot(i) + 1, &memory).unwrap()
            })
        });
    }
    g.finish();
}

/// A store's node hashes read one per call (`HashReader::perfect_subtrees` left to its default),
/// as proofs read them before they asked for all their nodes in one call.
struct OneByOne<'a>(&'a FileStore);

impl liuhen::merkle::HashReader for OneByOne<'_> {
    fn perfect_subtree(
        &self,
        level: u8,
        index: u64,
    ) -> Result<liuhen::hash::Digest, liuhen::merkle::MerkleError> {
        Ok(self.0.perfect_subtree(level, index).unwrap())
    }
}

/// A Merkle tree in memory as `tlog_tiles` (and Go's `tlog`) stores one: every stored hash
/// (leaf hashes and the perfect subtrees they complete) in one vector, at its
/// [`tlog_tiles::stored_hash_index`]. Its [`tlog_tiles::HashReader`] is a lookup per hash.
struct TlogMemory(Vec<tlog_tiles::Hash>);

impl TlogMemory {
    /// The tree of the first `size` leaves of `store`, from its leaf hashes.
    fn build(store: &impl StoreRead, size: u64) -> Self {
        let mut tree = TlogMemory(Vec::with_capacity(
            usize::try_from(tlog_tiles::stored_hash_count(size)).unwrap(),
        ));
        let mut n = 0;
        while n < size {
            let to = size.min(n + 4096);
            for leaf in store.node_hashes(0, n..to).unwrap() {
                let hashes = tlog_tiles::stored_hashes_for_record_hash(
                    n,
                    tlog_tiles::Hash(*leaf.as_bytes()),
                    &tree,
                )
                .unwrap();
                tree.0.extend(hashes);
                n += 1;
            }
        }
        tree
    }
}

impl tlog_tiles::HashReader for TlogMemory {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.0.get(i).copied())
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)
            })
            .collect()
    }
}

/// A `tlog_tiles` proof as liuhen's digests, to compare them.
fn tlog_path(proof: &[tlog_tiles::Hash]) -> Vec<liuhen::hash::Digest> {
    proof
        .iter()
        .map(|h| liuhen::hash::Digest::from_bytes(h.0))
        .collect()
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = appends, open_and_prove
}

/// Prints the rate of `ours` (elements per second, `per_ours` elements per iteration) against
/// that of `base`.
fn rate_ratio(label: &str, ours: (&str, &str, f64), base: (&str, &str, f64)) {
    match (mean_ns(ours.0, ours.1), mean_ns(base.0, base.1)) {
        (Some(o), Some(b)) => {
            let rate_o = ours.2 / (o / 1e9);
            let rate_b = base.2 / (b / 1e9);
            println!(
                "{label:<62} {rate_o:>10.0}/s vs {rate_b:>10.0}/s  ratio {:.2}",
                rate_o / rate_b
            );
        }
        _ => println!("{label:<62} (not measured in this run)"),
    }
}

/// Prints the time of `ours` against that of `base`.
fn time_ratio(label: &str, group: &str, ours: &str, base: &str) {
    let show = |ns: f64| {
        if ns >= 1e6 {
            format!("{:.2} ms", ns / 1e6)
        } else {
            format!("{:.1} µs", ns / 1e3)
        }
    };
    match (mean_ns(group, ours), mean_ns(group, base)) {
        (Some(o), Some(b)) => println!(
            "{label:<62} {:>10} vs {:>10}  ratio {:.2}",
            show(o),
            show(b),
            o / b
        ),
        _ => println!("{label:<62} (not measured in this run)"),
    }
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    if !benchmarking() {
        return;
    }
    println!(
        "\nRatios (same run, {} cores):",
        rayon::current_num_threads()
    );
    let b = BATCH as f64;
    let one = "durable_one";
    let batch = "durable_batch";
    rate_ratio(
        "append_batch(1000) / bare batch verify (target >= 0.8)",
        (batch, "liuhen_batch_1000", b),
        (batch, "bare_batch_verify_all_cores", b),
    );
    rate_ratio(
        "append_batch(1000) / bare verify_strict all cores",
        (batch, "liuhen_batch_1000", b),
        (batch, "bare_verify_strict_all_cores", b),
    );
    rate_ratio(
        "bare verify_strict / bare batch verify (all cores)",
        (batch, "bare_verify_strict_all_cores", b),
        (batch, "bare_batch_verify_all_cores", b),
    );
    rate_ratio(
        "append_batch(1000) / SQLite 1000 per tx",
        (batch, "liuhen_batch_1000", b),
        (batch, "sqlite_batch_1000", b),
    );
    rate_ratio(
        "append_batch(1000) / SQLite 1000 per tx + verify_strict",
        (batch, "liuhen_batch_1000", b),
        (batch, "sqlite_batch_1000_verify_strict", b),
    );
    rate_ratio(
        "append_each(1000, unverified) / SQLite 1000 per tx",
        (batch, "liuhen_batch_1000_unverified", b),
        (batch, "sqlite_batch_1000", b),
    );
    rate_ratio(
        "append, one thread / bare verify_strict + append + fdatasync",
        (one, "liuhen_single", 1.0),
        (one, "bare_verify_strict_fdatasync", 1.0),
    );
    rate_ratio(
        "append, one thread / SQLite one per tx + verify_strict",
        (one, "liuhen_single", 1.0),
        (one, "sqlite_single_verify_strict", 1.0),
    );
    rate_ratio(
        "append, one thread / SQLite one per tx (plain)",
        (one, "liuhen_single", 1.0),
        (one, "sqlite_single", 1.0),
    );
    rate_ratio(
        "append, one thread / bare fdatasync",
        (one, "liuhen_single", 1.0),
        (one, "bare_fdatasync_512", 1.0),
    );
    rate_ratio(
        "bare fdatasync, overwrite in place / appending",
        (one, "bare_fdatasync_512_overwrite", 1.0),
        (one, "bare_fdatasync_512", 1.0),
    );
    rate_ratio(
        "SQLite one per tx / bare fdatasync",
        (one, "sqlite_single", 1.0),
        (one, "bare_fdatasync_512", 1.0),
    );
    for t in THREADS {
        rate_ratio(
            &format!("SharedLedger, {t} threads / SQLite Mutex<Connection>"),
            (one, &format!("liuhen_threads_{t}"), 1.0),
            (one, &format!("sqlite_threads_{t}"), 1.0),
        );
        rate_ratio(
            &format!("SharedLedger, {t} threads / bare fdatasync"),
            (one, &format!("liuhen_threads_{t}"), 1.0),
            (one, "bare_fdatasync_512", 1.0),
        );
    }
    let (small, large) = sizes();
    for what in ["file_store_open", "ledger_open", "ledger_open_tail"] {
        time_ratio(
            &format!("{what}: {large} / {small} entries"),
            "open",
            &format!("{what}_{large}"),
            &format!("{what}_{small}"),
        );
    }
    for what in [
        "prove_inclusion",
        "verify_inclusion",
        "prove_consistency",
        "verify_consistency",
        "tlog_tiles_prove_record",
        "tlog_tiles_prove_tree",
    ] {
        time_ratio(
            &format!("{what}: {large} / {small} entries"),
            "proof",
            &format!("{what}_{large}"),
            &format!("{what}_{small}"),
        );
    }
    time_ratio(
        &format!("prove_inclusion {large}, nodes in one call / one per call"),
        "proof",
        &format!("prove_inclusion_{large}"),
        &format!("prove_inclusion_one_by_one_{large}"),
    );
    for size in [small, large] {
        let n = power_of_ten(size);
        time_ratio(
            &format!("prove_inclusion from disk, {n} / in-memory tlog_tiles {n}"),
            "proof",
            &format!("prove_inclusion_{size}"),
            &format!("tlog_tiles_prove_record_{size}"),
        );
        time_ratio(
            &format!("prove_consistency from disk, {n} / in-memory tlog_tiles {n}"),
            "proof",
            &format!("prove_consistency_{size}"),
            &format!("tlog_tiles_prove_tree_{size}"),
        );
    }
}

/// `n` as `10ⁿ` when it is a power of ten (the bench's ledger sizes), else in digits.
fn power_of_ten(n: u64) -> String {
    const SUPERSCRIPT: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let digits = n.to_string();
    match digits.strip_prefix('1') {
        Some(zeros) if !zeros.is_empty() && zeros.bytes().all(|b| b == b'0') => {
            let exp: String = zeros
                .len()
                .to_string()
                .bytes()
                .map(|d| SUPERSCRIPT[usize::from(d - b'0')])
                .collect();
            format!("10{exp}")
        }
        _ => digits,
    }
}
