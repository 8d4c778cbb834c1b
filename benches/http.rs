//! Durable appends over HTTP against the same appends in process, same run, same machine
//! (issue 15: "statements/s over HTTP with 16 concurrent clients ≥ 0.7 × in-process
//! `SharedLedger` with 16 threads; p50/p99 latency reported").
//!
//! * **SharedLedger, 16 threads**: a format-v2 [`FileStore`] ledger made by
//!   [`LedgerDir::create`], shared by 16 threads, each appending its own officer's pre-signed
//!   statements one at a time with [`SharedLedger::append_signed`] (group commit).
//! * **http, 16 clients**: a second ledger directory made the same way, served by an in-process
//!   [`liuhen_http::Server`] on 127.0.0.1:0 (its own tokio runtime), and 16 concurrent clients
//!   (reqwest, one keep-alive connection each, on a second runtime) posting the same kind of
//!   pre-signed statements, one JSON statement per `POST /v1/statements`, each waiting for its
//!   200 before the next.
//!
//! Each of the 16 workers signs as its own officer key, bound to its ledger (format v2) with
//! counters counting on from [`Ledger::next_binding`]; a worker sends its statements in counter
//! order, so none is a replay. The statements are signed and encoded as JSON before timing.
//!
//! Bounded: a warm-up round, then [`ROUNDS`] measured rounds, alternating the two sides so both
//! see the same machine; each round is at most [`PER_ROUND`] statements per worker and at most
//! [`ROUND_LIMIT`]. Printed: statements/s of each side (the median round), the ratio on its own
//! line, p50/p99 latency per request, and the average group (`SharedLedger::group_stats`).
//! `cargo bench --bench http` measures (about a minute at most); run as a test
//! (`cargo test --benches`) it does one tiny round of each.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{benchmarking, event, TempDir};
use liuhen::model::Role;
use liuhen::store::file::FileStore;
use liuhen::{
    Binding, Clock, Event, GroupStats, Ledger, LedgerDir, LedgerOptions, SecretKey, SharedLedger,
    SignedStatement, Signer, SystemClock,
};
use rayon::prelude::*;

const ORIGIN: &str = "bench.example/http";
/// Concurrent threads (in process) and clients (over HTTP).
const WORKERS: usize = 16;
/// Measured rounds of each side.
const ROUNDS: usize = 3;
/// Statements per worker in a measured round.
const PER_ROUND: usize = 500;
/// Statements per worker in the warm-up round.
const WARM_UP: usize = 10;
/// Longest measured round; a worker sends no new statement after it.
const ROUND_LIMIT: Duration = Duration::from_secs(8);

fn ledger_key() -> SecretKey {
    SecretKey::from_seed(&[1; 32])
}

/// The workers' officer keys, one per worker.
fn officers() -> Vec<SecretKey> {
    (0..WORKERS)
        .map(|t| SecretKey::from_seed(&[10 + t as u8; 32]))
        .collect()
}

/// A new ledger directory at `root` (format v2, as `liuhen init` makes) with every officer
/// authorized; the writer, still open.
fn create(root: &Path, officers: &[SecretKey]) -> Ledger<FileStore> {
    let key = ledger_key();
    let created = LedgerDir::new(root)
        .create(
            ORIGIN,
            &key,
            Arc::new(SystemClock),
            LedgerOptions::default(),
        )
        .unwrap();
    let mut ledger = created.ledger;
    for (t, officer) in officers.iter().enumerate() {
        ledger
            .sign_and_append(
                &key,
                Event::KeyAuthorized {
                    key: officer.public_key(),
                    role: Role::Officer,
                    holder: format!("2102{t:04}"),
                },
            )
            .unwrap();
    }
    ledger
}

/// Each officer's statements for `ledger`: `rounds[r]` per worker in round `r`, bound with
/// counters counting on from the officer's next binding, across rounds.
fn sign_rounds(
    ledger: &Ledger<FileStore>,
    officers: &[SecretKey],
    rounds: &[usize],
) -> Vec<Vec<Vec<SignedStatement>>> {
    let total: usize = rounds.iter().sum();
    let now = SystemClock.now();
    let firsts: Vec<Binding> = officers
        .iter()
        .map(|o| ledger.next_binding(&o.public_key()).expect("a v2 ledger"))
        .collect();
    // per_worker[t][i]: worker t's i-th statement.
    let per_worker: Vec<Vec<SignedStatement>> = officers
        .par_iter()
        .zip(firsts.par_iter())
        .enumerate()
        .map(|(t, (officer, first))| {
            (0..total)
                .map(|i| {
                    let binding = Binding {
                        counter: first.counter + i as u64,
                        ..*first
                    };
                    SignedStatement::sign_bound(binding, now, event(t * total + i), officer)
                        .unwrap()
                })
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    let mut at = 0;
    for &n in rounds {
        out.push(per_worker.iter().map(|w| w[at..at + n].to_vec()).collect());
        at += n;
    }
    out
}

/// The rounds of one side: warm-up, then [`ROUNDS`] (1 as a test).
fn round_sizes() -> Vec<usize> {
    if benchmarking() {
        let mut v = vec![WARM_UP];
        v.extend([PER_ROUND; ROUNDS]);
        v
    } else {
        vec![2, 5]
    }
}

/// One round's outcome.
struct Run {
    statements: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    groups: GroupStats,
}

impl Run {
    fn rate(&self) -> f64 {
        self.statements as f64 / self.elapsed.as_secs_f64()
    }
}

fn group_delta(after: GroupStats, before: GroupStats) -> GroupStats {
    GroupStats {
        groups: after.groups - before.groups,
        statements: after.statements - before.statements,
    }
}

/// Every worker appends its statements in process, one at a time.
fn run_shared(shared: &SharedLedger<FileStore>, work: &[Vec<SignedStatement>]) -> Run {
    let before = shared.group_stats();
    let start = Instant::now();
    let latencies: Vec<Vec<Duration>> = std::thread::scope(|s| {
        let handles: Vec<_> = work
            .iter()
            .map(|statements| {
                s.spawn(move || {
                    let mut lat = Vec::with_capacity(statements.len());
                    for st in statements {
                        if start.elapsed() > ROUND_LIMIT {
                            break;
                        }
                        let t = Instant::now();
                        shared.append_signed(st.clone()).unwrap();
                        lat.push(t.elapsed());
                    }
                    lat
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = start.elapsed();
    finish(
        latencies,
        elapsed,
        group_delta(shared.group_stats(), before),
    )
}

fn finish(latencies: Vec<Vec<Duration>>, elapsed: Duration, groups: GroupStats) -> Run {
    let latencies: Vec<Duration> = latencies.into_iter().flatten().collect();
    Run {
        statements: latencies.len(),
        elapsed,
        latencies,
        groups,
    }
}

/// One client per worker: reqwest with at most one idle (kept-alive) connection.
fn http_clients() -> Vec<reqwest::Client> {
    (0..WORKERS)
        .map(|_| {
            reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap()
        })
        .collect()
}

/// Every client posts its statements (JSON bodies), one at a time, each waiting for its 200.
fn run_http(
    clients_rt: &tokio::runtime::Runtime,
    clients: &[reqwest::Client],
    url: &str,
    work: Vec<Vec<Vec<u8>>>,
    shared: &SharedLedger<FileStore>,
) -> Run {
    let before = shared.group_stats();
    let start = Instant::now();
    let latencies = clients_rt.block_on(async {
        let tasks: Vec<_> = work
            .into_iter()
            .zip(clients)
            .map(|(bodies, client)| {
                let client = client.clone();
                let url = url.to_owned();
                tokio::spawn(async move {
                    let mut lat = Vec::with_capacity(bodies.len());
                    for body in bodies {
                        if start.elapsed() > ROUND_LIMIT {
                            break;
                        }
                        let t = Instant::now();
                        let response = client
                            .post(&url)
                            .header("content-type", "application/json")
                            .body(body)
                            .send()
                            .await
                            .unwrap();
                        let status = response.status();
                        // Read the whole answer, so the connection is reused.
                        let answer = response.bytes().await.unwrap();
                        assert_eq!(status.as_u16(), 200, "{}", String::from_utf8_lossy(&answer));
                        lat.push(t.elapsed());
                    }
                    lat
                })
            })
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            all.push(task.await.unwrap());
        }
        all
    });
    let elapsed = start.elapsed();
    finish(
        latencies,
        elapsed,
        group_delta(shared.group_stats(), before),
    )
}

fn json_bodies(work: &[Vec<SignedStatement>]) -> Vec<Vec<Vec<u8>>> {
    work.iter()
        .map(|w| w.iter().map(|s| serde_json::to_vec(s).unwrap()).collect())
        .collect()
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The median round (by rate) and the latencies of all measured rounds, sorted.
fn summary(runs: &[Run]) -> (f64, Vec<Duration>, f64) {
    let mut rates: Vec<f64> = runs.iter().map(Run::rate).collect();
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    let mut lat: Vec<Duration> = runs.iter().flat_map(|r| r.latencies.clone()).collect();
    lat.sort();
    let groups: u64 = runs.iter().map(|r| r.groups.groups).sum();
    let grouped: u64 = runs.iter().map(|r| r.groups.statements).sum();
    (median, lat, grouped as f64 / groups.max(1) as f64)
}

fn main() {
    let started = Instant::now();
    let tmp = TempDir::new("http");
    let officers = officers();
    let sizes = round_sizes();

    // In process.
    let in_process = create(&tmp.path().join("in-process"), &officers);
    let shared_work = sign_rounds(&in_process, &officers, &sizes);
    let shared = SharedLedger::new(in_process);

    // Over HTTP: the second directory's writer is closed, the server opens it.
    let served_root = tmp.path().join("served");
    let served_ledger = create(&served_root, &officers);
    let http_work: Vec<Vec<Vec<Vec<u8>>>> = sign_rounds(&served_ledger, &officers, &sizes)
        .iter()
        .map(|round| json_bodies(round))
        .collect();
    drop(served_ledger);
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = server_rt
        .block_on(liuhen_http::Server::bind(liuhen_http::Config::new(
            &served_root,
            SocketAddr::from(([127, 0, 0, 1], 0)),
        )))
        .unwrap();
    let addr = server.local_addr().unwrap();
    let state = server.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = server_rt.spawn(server.run(async {
        let _ = stopped.await;
    }));
    let url = format!("http://{addr}/v1/statements");
    let clients_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let clients = http_clients();
    println!(
        "prepared {} statements per side in {:.1?}",
        WORKERS * sizes.iter().sum::<usize>(),
        started.elapsed()
    );

    // Warm-up (connections opened, caches filled), then the measured rounds, alternating.
    let mut shared_runs = Vec::new();
    let mut http_runs = Vec::new();
    for (round, (shared_round, http_round)) in shared_work.iter().zip(http_work).enumerate() {
        let a = run_shared(&shared, shared_round);
        let b = run_http(&clients_rt, &clients, &url, http_round, state.ledger());
        if round == 0 && sizes.len() > 1 {
            continue;
        }
        println!(
            "round {round}: SharedLedger {:.0}/s ({} in {:.2?}), http {:.0}/s ({} in {:.2?})",
            a.rate(),
            a.statements,
            a.elapsed,
            b.rate(),
            b.statements,
            b.elapsed
        );
        shared_runs.push(a);
        http_runs.push(b);
    }

    let (shared_rate, shared_lat, shared_group) = summary(&shared_runs);
    let (http_rate, http_lat, http_group) = summary(&http_runs);
    println!(
        "SharedLedger, {WORKERS} threads   {shared_rate:>8.0} statements/s   p50 {:.2} ms  p99 {:.2} ms   {shared_group:.1} statements per group",
        ms(percentile(&shared_lat, 50)),
        ms(percentile(&shared_lat, 99)),
    );
    println!(
        "http, {WORKERS} clients           {http_rate:>8.0} statements/s   p50 {:.2} ms  p99 {:.2} ms   {http_group:.1} statements per group",
        ms(percentile(&http_lat, 50)),
        ms(percentile(&http_lat, 99)),
    );
    println!(
        "http, {WORKERS} clients / SharedLedger, {WORKERS} threads  ratio {:.2}",
        http_rate / shared_rate
    );

    // Everything acknowledged is in the served ledger.
    let acknowledged: usize = http_runs.iter().map(|r| r.statements).sum();
    assert!(state.ledger().size().unwrap() as usize >= 1 + WORKERS + acknowledged);
    let _ = stop.send(());
    server_rt.block_on(serving).unwrap().unwrap();
    drop(state);
    println!("bench took {:.1?}", started.elapsed());
}
