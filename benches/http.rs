//! Durable appends over HTTP against the same appends in process, same run, same machine
//! (issue 15: "statements/s over HTTP with 16 concurrent clients ≥ 0.7 × in-process
//! `SharedLedger` with 16 threads; p50/p99 latency reported").
//!
//! * **SharedLedger, 16 threads**: a format-v2 [`FileStore`] ledger made by
//!   [`LedgerDir::create`], shared by 16 threads, each appending its own officer's pre-signed
//!   statements one at a time with [`SharedLedger::append_signed`] (group commit).
//! * **http json, 16 clients** and **http binary, 16 clients**: a second ledger directory made
//!   the same way, served by an in-process [`liuhen_http::Server`] on 127.0.0.1:0 (its own tokio
//!   runtime), and 16 concurrent clients posting the same kind of pre-signed statements, one
//!   statement per `POST /v1/statements`, each waiting for its 200 before the next: as JSON
//!   (`application/json`, what a case system sends) on one side, in the binary encoding
//!   (`application/octet-stream`, what a device or upload station sends) on the other. A client
//!   is hyper's own HTTP/1.1 client connection (`hyper::client::conn::http1`, one keep-alive
//!   connection each) on a second runtime: the clients share the machine with the server, and
//!   the in-process side has no client cost at all, so the lean client measures the server
//!   rather than the client.
//!
//! Each of the 16 workers signs as its own officer key, bound to its ledger (format v2) with
//! counters counting on from [`Ledger::next_binding`]; a worker sends its statements in counter
//! order, so none is a replay. The statements are signed and encoded before timing.
//!
//! Bounded: a warm-up round, then [`ROUNDS`] measured rounds; in each round every side runs
//! once, one after the other, in an order that rotates from round to round, so that all sides see
//! the same machine; each round is at most [`PER_ROUND`] statements per worker and at most
//! [`ROUND_LIMIT`]. Printed: each round's rates and ratios; per side, statements/s (the median
//! round), p50/p99 latency per request, the average group (`SharedLedger::group_stats`) and the
//! process's CPU time per statement (`/proc/self/stat`, while that side ran: for the HTTP sides
//! server and clients together); the ratio of each HTTP side, the median of the rounds' own
//! ratios (a round's sides run within about two seconds of each other, so a burst of load from
//! other processes moves both), and the ratio of the median rates; the load average before and
//! after. `cargo bench --bench http` measures (about 20 s; at most a few minutes); run as a test
//! (`cargo test --benches`) it does one tiny round of each.
//!
//! To reproduce the variants measured in docs/BENCHMARKS.md: `HTTP_BENCH_CLIENT=reqwest` (the
//! first version's clients: reqwest, at most one idle connection each), `HTTP_BENCH_CLIENT_RT=
//! current` (all clients on one thread), `HTTP_BENCH_SERVER_WORKERS=N` (the server runtime's
//! worker threads; default one per core, as `liuhen serve`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{benchmarking, event, TempDir};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
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
const ROUNDS: usize = 9;
/// Statements per worker in a measured round.
const PER_ROUND: usize = 200;
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

/// The encodings measured over HTTP, each a side of its own.
const ENCODINGS: [Encoding; 2] = [Encoding::Json, Encoding::Binary];

/// How the statements travel: the body's encoding and its `Content-Type`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// One JSON statement per request (`application/json`), as a case system sends.
    Json,
    /// The binary encoding (`application/octet-stream`, `SignedStatement::to_bytes`), as a
    /// device or upload station sends.
    Binary,
}

impl Encoding {
    fn content_type(self) -> &'static str {
        match self {
            Encoding::Json => "application/json",
            Encoding::Binary => "application/octet-stream",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Encoding::Json => "json",
            Encoding::Binary => "binary",
        }
    }

    fn bodies(self, work: &[Vec<SignedStatement>]) -> Vec<Vec<Bytes>> {
        work.iter()
            .map(|w| {
                w.iter()
                    .map(|s| {
                        Bytes::from(match self {
                            Encoding::Json => serde_json::to_vec(s).unwrap(),
                            Encoding::Binary => s.to_bytes().unwrap(),
                        })
                    })
                    .collect()
            })
            .collect()
    }
}

/// A worker's client: one keep-alive HTTP/1.1 connection.
enum Client {
    /// hyper's own client connection (`hyper::client::conn::http1`): the request goes to the
    /// connection's task, the answer comes back; no pool, no URL parsed per request.
    Hyper {
        sender: http1::SendRequest<Full<Bytes>>,
        host: String,
    },
    /// reqwest, at most one idle connection (the first version of this bench).
    Reqwest {
        client: reqwest::Client,
        url: String,
    },
}

impl Client {
    /// Posts `body` to `/v1/statements`, reads the whole answer (so the connection is reused)
    /// and checks it is a 200.
    async fn post(&mut self, content_type: &'static str, body: Bytes) {
        let (status, answer) = match self {
            Client::Hyper { sender, host } => {
                sender.ready().await.unwrap();
                let request = hyper::Request::post("/v1/statements")
                    .header(hyper::header::HOST, host.as_str())
                    .header(hyper::header::CONTENT_TYPE, content_type)
                    .body(Full::new(body))
                    .unwrap();
                let response = sender.send_request(request).await.unwrap();
                let status = response.status();
                let answer = response.into_body().collect().await.unwrap().to_bytes();
                (status, answer)
            }
            Client::Reqwest { client, url } => {
                let response = client
                    .post(url.as_str())
                    .header("content-type", content_type)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                (status, response.bytes().await.unwrap())
            }
        };
        assert_eq!(status.as_u16(), 200, "{}", String::from_utf8_lossy(&answer));
    }
}

/// One client per worker, connected to `addr` (reqwest connects on its first request).
fn clients(rt: &tokio::runtime::Runtime, addr: SocketAddr) -> Vec<Client> {
    let reqwest = std::env::var("HTTP_BENCH_CLIENT").as_deref() == Ok("reqwest");
    rt.block_on(async {
        let mut clients = Vec::new();
        for _ in 0..WORKERS {
            clients.push(if reqwest {
                Client::Reqwest {
                    client: reqwest::Client::builder()
                        .pool_max_idle_per_host(1)
                        .timeout(Duration::from_secs(60))
                        .build()
                        .unwrap(),
                    url: format!("http://{addr}/v1/statements"),
                }
            } else {
                let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
                stream.set_nodelay(true).unwrap();
                let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.unwrap();
                tokio::spawn(async move {
                    let _ = connection.await;
                });
                Client::Hyper {
                    sender,
                    host: addr.to_string(),
                }
            });
        }
        clients
    })
}

/// Every client posts its statements, one at a time, each waiting for its 200.
fn run_http(
    clients_rt: &tokio::runtime::Runtime,
    clients: &mut Vec<Client>,
    encoding: Encoding,
    work: Vec<Vec<Bytes>>,
    shared: &SharedLedger<FileStore>,
) -> Run {
    let before = shared.group_stats();
    let start = Instant::now();
    let content_type = encoding.content_type();
    let latencies = clients_rt.block_on(async {
        let tasks: Vec<_> = work
            .into_iter()
            .zip(std::mem::take(clients))
            .map(|(bodies, mut client)| {
                tokio::spawn(async move {
                    let mut lat = Vec::with_capacity(bodies.len());
                    for body in bodies {
                        if start.elapsed() > ROUND_LIMIT {
                            break;
                        }
                        let t = Instant::now();
                        client.post(content_type, body).await;
                        lat.push(t.elapsed());
                    }
                    (client, lat)
                })
            })
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            let (client, lat) = task.await.unwrap();
            clients.push(client);
            all.push(lat);
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
    let rate = median(runs.iter().map(Run::rate).collect());
    let mut lat: Vec<Duration> = runs.iter().flat_map(|r| r.latencies.clone()).collect();
    lat.sort();
    let groups: u64 = runs.iter().map(|r| r.groups.groups).sum();
    let grouped: u64 = runs.iter().map(|r| r.groups.statements).sum();
    (rate, lat, grouped as f64 / groups.max(1) as f64)
}

/// The sides in the order round `round` runs them: 0 in process, `1 + i` over HTTP with
/// encoding `i`; rotating, so that no side always runs first or after the same side.
fn order(round: usize) -> Vec<usize> {
    let sides = 1 + ENCODINGS.len();
    (0..sides).map(|k| (round + k) % sides).collect()
}

/// CPU time this process has used so far (every thread: the in-process appenders, the server,
/// the clients), from `/proc/self/stat`; `None` where the system does not tell.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // The kernel's USER_HZ, 100 on every Linux this runs on.
    Some(Duration::from_millis(ticks * 10))
}

/// One side's measured rounds.
#[derive(Default)]
struct Side {
    runs: Vec<Run>,
    cpu: Option<Duration>,
}

impl Side {
    fn push(&mut self, run: Run, cpu: Option<Duration>) {
        self.cpu = match (self.cpu, cpu, self.runs.is_empty()) {
            (_, Some(c), true) => Some(c),
            (Some(total), Some(c), false) => Some(total + c),
            _ => None,
        };
        self.runs.push(run);
    }

    fn report(&self, label: &str) -> f64 {
        let (rate, lat, group) = summary(&self.runs);
        let statements: usize = self.runs.iter().map(|r| r.statements).sum();
        let cpu = match self.cpu {
            Some(cpu) => format!(
                "{:.0} µs",
                cpu.as_secs_f64() * 1e6 / statements.max(1) as f64
            ),
            None => "?".into(),
        };
        println!(
            "{label:<28} {rate:>8.0} statements/s   p50 {:.2} ms  p99 {:.2} ms   {group:.1} statements per group   CPU {cpu} per statement",
            ms(percentile(&lat, 50)),
            ms(percentile(&lat, 99)),
        );
        rate
    }
}

/// Runs `f`, returning what it returns and the process's CPU time it took.
fn measured(f: impl FnOnce() -> Run) -> (Run, Option<Duration>) {
    let before = cpu_time();
    let run = f();
    let cpu = cpu_time().zip(before).map(|(a, b)| a.saturating_sub(b));
    (run, cpu)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
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

    // Over HTTP: the second directory's writer is closed, the server opens it. Each round is
    // sent twice as many statements, JSON then binary, counters counting on.
    let served_root = tmp.path().join("served");
    let served_ledger = create(&served_root, &officers);
    let http_sizes: Vec<usize> = sizes.iter().flat_map(|&n| [n; ENCODINGS.len()]).collect();
    let signed = sign_rounds(&served_ledger, &officers, &http_sizes);
    // http_work[r][i]: encoding i's bodies of round r, signed in the order the round sends them.
    let http_work: Vec<Vec<Vec<Vec<Bytes>>>> = signed
        .chunks(ENCODINGS.len())
        .enumerate()
        .map(|(round, chunk)| {
            let mut bodies: Vec<Vec<Vec<Bytes>>> = ENCODINGS.iter().map(|_| Vec::new()).collect();
            let sent = order(round)
                .into_iter()
                .filter_map(|side| side.checked_sub(1));
            for (i, statements) in sent.zip(chunk) {
                bodies[i] = ENCODINGS[i].bodies(statements);
            }
            bodies
        })
        .collect();
    drop(served_ledger);
    let mut server_rt = tokio::runtime::Builder::new_multi_thread();
    server_rt.enable_all();
    if let Some(n) = env_usize("HTTP_BENCH_SERVER_WORKERS") {
        server_rt.worker_threads(n);
    }
    let server_rt = server_rt.build().unwrap();
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
    let clients_rt = if std::env::var("HTTP_BENCH_CLIENT_RT").as_deref() == Ok("current") {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    }
    .enable_all()
    .build()
    .unwrap();
    let mut clients = clients(&clients_rt, addr);
    println!(
        "prepared {} statements in process, {} over http, in {:.1?}; load average {}",
        WORKERS * sizes.iter().sum::<usize>(),
        WORKERS * http_sizes.iter().sum::<usize>(),
        started.elapsed(),
        load_average(),
    );

    // Warm-up (connections opened, caches filled), then the measured rounds. In a round each
    // side runs once, one after the other, in an order that rotates from round to round
    // ([`order`]), so that every side sees the same machine; each round gives a ratio of its own.
    let mut in_process_side = Side::default();
    let mut http_sides: Vec<Side> = ENCODINGS.iter().map(|_| Side::default()).collect();
    let mut ratios: Vec<Vec<f64>> = ENCODINGS.iter().map(|_| Vec::new()).collect();
    for (round, (shared_round, http_round)) in shared_work.iter().zip(http_work).enumerate() {
        let mut in_process_run = None;
        let mut http_round: Vec<Option<Vec<Vec<Bytes>>>> =
            http_round.into_iter().map(Some).collect();
        let mut http_runs: Vec<Option<(Run, Option<Duration>)>> =
            ENCODINGS.iter().map(|_| None).collect();
        for side in order(round) {
            match side {
                0 => in_process_run = Some(measured(|| run_shared(&shared, shared_round))),
                i => {
                    let work = http_round[i - 1].take().unwrap();
                    let ledger = state.ledger();
                    http_runs[i - 1] = Some(measured(|| {
                        run_http(&clients_rt, &mut clients, ENCODINGS[i - 1], work, ledger)
                    }));
                }
            }
        }
        if round == 0 && sizes.len() > 1 {
            continue;
        }
        let (a, a_cpu) = in_process_run.unwrap();
        let mut line = format!(
            "round {round}: SharedLedger {:.0}/s ({} in {:.2?})",
            a.rate(),
            a.statements,
            a.elapsed
        );
        for (i, (e, run)) in ENCODINGS.iter().zip(http_runs).enumerate() {
            let (run, cpu) = run.unwrap();
            line += &format!(
                ", http {} {:.0}/s ({} in {:.2?}, ratio {:.2})",
                e.name(),
                run.rate(),
                run.statements,
                run.elapsed,
                run.rate() / a.rate()
            );
            ratios[i].push(run.rate() / a.rate());
            http_sides[i].push(run, cpu);
        }
        println!("{line}");
        in_process_side.push(a, a_cpu);
    }

    let shared_rate = in_process_side.report(&format!("SharedLedger, {WORKERS} threads"));
    for (e, side) in ENCODINGS.iter().zip(&http_sides) {
        side.report(&format!("http {}, {WORKERS} clients", e.name()));
    }
    for ((e, side), ratios) in ENCODINGS.iter().zip(&http_sides).zip(ratios) {
        let (rate, _, _) = summary(&side.runs);
        println!(
            "http {}, {WORKERS} clients / SharedLedger, {WORKERS} threads  ratio {:.2} (median of the rounds' ratios; of the median rates {:.2})",
            e.name(),
            median(ratios),
            rate / shared_rate,
        );
    }
    println!("load average {}", load_average());

    // Everything acknowledged is in the served ledger.
    let acknowledged: usize = http_sides
        .iter()
        .flat_map(|s| &s.runs)
        .map(|r| r.statements)
        .sum();
    assert!(state.ledger().size().unwrap() as usize >= 1 + WORKERS + acknowledged);
    drop(clients);
    let _ = stop.send(());
    server_rt.block_on(serving).unwrap().unwrap();
    drop(state);
    println!("bench took {:.1?}", started.elapsed());
}

/// The machine's load average (1, 5, 15 minutes), where the system tells it: the figures
/// depend on what else runs.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
