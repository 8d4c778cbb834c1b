//! Real crashes: a writer process appending to a `FileStore` ledger is killed with SIGKILL at
//! random moments, 100 times in the normal suite and 1,000 times in the ignored long run
//! (`cargo test --test crash -- --ignored sigkill_1000`). After each kill the store is reopened and must hold every
//! entry the writer acknowledged (same leaf hash at the same position), the verifier must report
//! no tampering, and the next writer must continue appending.
//!
//! The writer is this test binary itself: the ignored test `crash_writer` does nothing unless
//! `LIUHEN_CRASH_WRITER` names a store directory; the crash test runs
//! `current_exe() --exact crash_writer --ignored --nocapture` with that variable set and reads
//! `ack <seq> <leaf hash>` lines from its stdout, each printed only after `append` returned.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use liuhen::entry::SignedStatement;
use liuhen::model::{DocumentKind, Event, Stage, Timestamp};
use liuhen::store::file::FileStore;
use liuhen::verify::{Verdict, VerifyOptions};
use liuhen::{Ledger, LedgerOptions, ManualClock, Signer, StoreRead};

const DIR_VAR: &str = "LIUHEN_CRASH_WRITER";
const SEED_VAR: &str = "LIUHEN_CRASH_SEED";

/// Kills per ledger; a fresh ledger keeps reopen and verification short.
const KILLS_PER_LEDGER: usize = 10;
const LEDGERS: usize = 10;

use common::rng::Rng;

fn document(i: u64) -> Event {
    Event::DocumentFiled {
        case_no: format!("金民执〔2026〕{}号", i % 7),
        stage: Stage::Investigation,
        kind: DocumentKind::InvestigationRecord,
        media: common::media(&format!("crash-{i}.pdf"), "application/pdf"),
        officers: vec!["21020001".into()],
    }
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Timestamp(common::T0)))
}

/// The child: appends until killed, printing each acknowledged entry.
#[test]
#[ignore = "the writer process of the crash test; does nothing unless LIUHEN_CRASH_WRITER is set"]
fn crash_writer() {
    let Some(dir) = std::env::var_os(DIR_VAR) else {
        return;
    };
    let seed = std::env::var(SEED_VAR)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1u64);
    let mut rng = Rng(seed | 1);
    let k = common::keys();
    let clock = clock();
    let store = FileStore::open(&dir).unwrap();
    let r = store.recovery();
    assert!(!r.is_tampered(), "{r:?}");
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "open size={} torn={} adopted={} index_cut={}",
        store.size(),
        r.entries.torn_bytes + r.checkpoints.torn_bytes,
        r.entries.adopted + r.checkpoints.adopted,
        r.entries.index_bytes_cut + r.checkpoints.index_bytes_cut
    )
    .unwrap();
    let mut ledger = Ledger::open(store, clock.clone(), LedgerOptions::default()).unwrap();
    // Where the open started: the writer state a seal signed (killed seals included), or entry 0.
    let from = match ledger.opened_from() {
        liuhen::ledger::OpenedFrom::WriterState { size } => format!("resumed {size}"),
        _ => "frames".to_owned(),
    };
    writeln!(out, "ready {} {from}", ledger.size()).unwrap();
    out.flush().unwrap();
    for i in 0..100_000u64 {
        // Mostly single appends and small batches; now and then a large batch, so that the
        // ledger passes the index mark interval (512 entries) and kills hit mark writes too.
        let n = if rng.below(10) == 0 {
            50 + rng.below(150)
        } else {
            1 + rng.below(4)
        };
        let receipts = if n == 1 {
            vec![ledger
                .sign_and_append(&k.officer, document(seed * 1_000_000 + i))
                .unwrap()]
        } else {
            let batch = (0..n)
                .map(|j| {
                    SignedStatement::sign(
                        Timestamp(common::T0),
                        document(seed * 1_000_000 + i * 10 + j),
                        &k.officer,
                    )
                    .unwrap()
                })
                .collect();
            ledger.append_batch(batch).unwrap()
        };
        for r in receipts {
            writeln!(out, "ack {} {}", r.seq, r.leaf_hash.to_hex()).unwrap();
        }
        out.flush().unwrap();
        if rng.below(4) == 0 {
            ledger.seal(&k.ledger).unwrap();
            writeln!(out, "sealed {}", ledger.size()).unwrap();
            out.flush().unwrap();
        }
    }
}

/// Creates a ledger with the officer authorized, sealed.
fn create_ledger(dir: &Path) {
    common::LedgerBuilder::new()
        .clock(clock())
        .file_store(dir)
        // Format v1: the writer signs its batches outside the ledger, bound to no ledger (a v2
        // ledger refuses those; with v2 every writer panicked at its first batch and the kills
        // hit a dying process).
        .v1()
        .officer()
        .sealed()
        .build();
}

fn options() -> VerifyOptions {
    let k = common::keys();
    VerifyOptions {
        trusted_key: Some(
            liuhen::checkpoint::NoteVerifier::for_key(common::ORIGIN, k.ledger.public_key())
                .unwrap(),
        ),
        ..VerifyOptions::default()
    }
}

struct Run {
    lines: Vec<String>,
    stderr: String,
    exited_by_itself: bool,
}

/// Runs one writer and kills it at a moment chosen by `rng`.
fn run_and_kill(exe: &Path, dir: &Path, seed: u64, rng: &mut Rng) -> Run {
    let mut child = Command::new(exe)
        .args(["--exact", "crash_writer", "--ignored", "--nocapture"])
        .args(["--test-threads", "1"])
        .env(DIR_VAR, dir)
        .env(SEED_VAR, seed.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut lines = Vec::new();
    if rng.below(5) == 0 {
        // Early: possibly while opening, recovering or reading the ledger.
        std::thread::sleep(Duration::from_micros(rng.below(15_000)));
    } else {
        // While appending: after the writer is ready, at a random moment.
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(line) => {
                    let ready = line.starts_with("ready");
                    lines.push(line);
                    if ready {
                        break;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        std::thread::sleep(Duration::from_micros(rng.below(25_000)));
    }
    let exited_by_itself = child.try_wait().unwrap().is_some();
    // `Child::kill` sends SIGKILL on Unix.
    let _ = child.kill();
    let _ = child.wait();
    reader.join().unwrap();
    lines.extend(rx.try_iter());
    Run {
        lines,
        stderr: err_reader.join().unwrap(),
        exited_by_itself,
    }
}

#[test]
fn sigkill_at_random_moments_loses_nothing_acknowledged() {
    let kills = sigkills(LEDGERS, KILLS_PER_LEDGER, 0x00c0_ffee_d00d_f00d);
    assert!(kills >= 100);
}

#[test]
#[ignore = "long run: 1,000 SIGKILLs, several minutes"]
fn sigkill_1000_times_loses_nothing_acknowledged() {
    let kills = sigkills(50, 20, 0x5eed_1000_0000_0001);
    assert!(kills >= 1_000);
}

/// Kills a writer `kills_per_ledger` times on each of `ledgers` fresh ledgers, checking after
/// every kill; returns the number of kills.
fn sigkills(ledgers: usize, kills_per_ledger: usize, seed: u64) -> usize {
    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    let mut rng = Rng(seed);
    let mut kills = 0;
    let mut stats = (0u64, 0u64, 0u64); // acks, torn tails, adoptions
    let mut resumed = 0u64; // writer opens that resumed from a signed writer state
    let mut largest = 0u64;
    for ledger_no in 0..ledgers {
        let dir: PathBuf =
            std::env::temp_dir().join(format!("liuhen-crash-{}-{ledger_no}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        create_ledger(&dir);
        // seq -> leaf hash of every acknowledged entry.
        let mut acked: BTreeMap<u64, String> = BTreeMap::new();
        for round in 0..kills_per_ledger {
            let seed = (ledger_no * kills_per_ledger + round + 1) as u64;
            let run = run_and_kill(&exe, &dir, seed, &mut rng);
            kills += 1;
            assert!(
                !run.exited_by_itself,
                "the writer exited before it was killed:\n{}\n{}",
                run.lines.join("\n"),
                run.stderr
            );
            assert!(
                !run.stderr.contains("panicked"),
                "the writer failed before it was killed:\n{}\n{}",
                run.lines.join("\n"),
                run.stderr
            );
            resumed += run
                .lines
                .iter()
                .filter(|l| l.starts_with("ready") && l.contains(" resumed "))
                .count() as u64;
            for line in &run.lines {
                let mut parts = line.split(' ');
                if parts.next() != Some("ack") {
                    continue;
                }
                let seq: u64 = parts.next().unwrap().parse().unwrap();
                let hash = parts.next().unwrap().to_owned();
                if let Some(old) = acked.insert(seq, hash.clone()) {
                    assert_eq!(old, hash, "entry {seq} was acknowledged twice, differently");
                }
                stats.0 += 1;
            }

            // Reopen: every acknowledged entry is there, nothing is tampered.
            let store = FileStore::open(&dir).unwrap();
            let r = store.recovery().clone();
            assert!(!r.is_tampered(), "after kill {kills}: {r:?}");
            assert_eq!(r.entries.dropped, 0, "after kill {kills}: {r:?}");
            assert_eq!(r.checkpoints.dropped, 0, "after kill {kills}: {r:?}");
            largest = largest.max(store.size());
            stats.1 += u64::from(r.entries.torn_bytes + r.checkpoints.torn_bytes > 0);
            stats.2 += u64::from(r.entries.adopted + r.checkpoints.adopted > 0);
            if let Some((&last, _)) = acked.last_key_value() {
                assert!(
                    store.size() > last,
                    "after kill {kills}: lost entries up to {last}"
                );
            }
            for (&seq, hash) in &acked {
                let bytes = store.entry_bytes(seq).unwrap();
                let leaf =
                    liuhen::hash::TreeHasher::hash_leaf(&liuhen::hash::Sha256TreeHasher, &bytes);
                assert_eq!(
                    &leaf.to_hex(),
                    hash,
                    "after kill {kills}: entry {seq} changed"
                );
            }
            let report = liuhen::verify_store(&store, &options());
            assert!(
                !report.is_tampered(),
                "after kill {kills}: {:#?}",
                report.findings
            );
            drop(store);
        }
        // Appending continues after the last kill, and a seal verifies everything.
        let k = common::keys();
        let mut ledger = Ledger::open(
            FileStore::open(&dir).unwrap(),
            clock(),
            LedgerOptions::default(),
        )
        .unwrap();
        ledger.sign_and_append(&k.officer, document(7)).unwrap();
        ledger.seal(&k.ledger).unwrap();
        let report = liuhen::verify_store(ledger.store(), &options());
        assert_eq!(report.verdict, Verdict::Verified, "{:#?}", report.findings);
        assert!(ledger.store().size() as usize > acked.len());
        drop(ledger);
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!(
        "{kills} SIGKILLs in {:.1?}: {} acknowledged entries checked, {} opens recovered a torn tail, {} adopted unacknowledged frames, {resumed} writer opens resumed from a signed writer state, largest ledger {} entries",
        started.elapsed(),
        stats.0,
        stats.1,
        stats.2,
        largest
    );
    // Writers seal a quarter of the time: reopening after a kill resumes from their state.
    assert!(resumed > 0, "no writer open resumed from a writer state");
    kills
}
