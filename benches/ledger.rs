//! Ledger throughput against bare Ed25519, measured in the same run.
//!
//! * append of pre-signed statements (batches of 1,000, and one at a time) vs the bare
//!   ed25519-dalek batch-verification rate on all cores — the work the ledger cannot avoid;
//! * sign-and-append in process vs the bare signing rate;
//! * full verification of a 10,000-entry ledger vs the bare batch-verification rate on all cores.
//!
//! After criterion's measurements the bench prints the ratios (reading criterion's own
//! estimates), so one `cargo bench --bench ledger` gives the figures for docs/BENCHMARKS.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::sync::Arc;

use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use ed25519_dalek::Signer as _;
use liuhen::entry::SignedStatement;
use liuhen::hash::blake3;
use liuhen::model::{DocumentKind, Event, MediaRef, Role, Stage, Timestamp};
use liuhen::verify::{verify_parts, Verdict, VerifyOptions};
use liuhen::{Ledger, LedgerOptions, ManualClock, MemoryStore, SecretKey, Signer};
use rayon::prelude::*;

const T0: i64 = 1_767_225_600_000;
const BATCH: usize = 1_000;
const VERIFY_N: usize = 10_000;

fn event(i: usize) -> Event {
    let name = format!("现场检查笔录-{i}.pdf");
    Event::DocumentFiled {
        case_no: format!("金民执〔2026〕{}号", i % 97),
        stage: Stage::Investigation,
        kind: DocumentKind::InvestigationRecord,
        media: MediaRef {
            digest: blake3(name.as_bytes()),
            length: 123_456,
            mime: "application/pdf".into(),
            name,
        },
        officers: vec!["21020001".into(), "21020002".into()],
    }
}

struct Setup {
    ledger_key: SecretKey,
    officer: SecretKey,
    clock: Arc<ManualClock>,
}

fn setup() -> (Setup, Ledger<MemoryStore>) {
    let s = Setup {
        ledger_key: SecretKey::from_seed(&[1; 32]),
        officer: SecretKey::from_seed(&[2; 32]),
        clock: Arc::new(ManualClock::new(Timestamp(T0))),
    };
    let mut ledger = Ledger::create(
        MemoryStore::new(),
        "bench.example/ledger",
        &s.ledger_key,
        s.clock.clone(),
        LedgerOptions::default(),
    )
    .unwrap();
    ledger
        .sign_and_append(
            &s.ledger_key,
            Event::KeyAuthorized {
                key: s.officer.public_key(),
                role: Role::Officer,
                holder: "21020001".into(),
            },
        )
        .unwrap();
    (s, ledger)
}

fn presigned(officer: &SecretKey, n: usize) -> Vec<SignedStatement> {
    (0..n)
        .map(|i| SignedStatement::sign(Timestamp(T0), event(i), officer).unwrap())
        .collect()
}

/// The messages, signatures and keys of `statements`, as bare dalek values.
fn bare(
    statements: &[SignedStatement],
) -> (
    Vec<Vec<u8>>,
    Vec<ed25519_dalek::Signature>,
    Vec<ed25519_dalek::VerifyingKey>,
) {
    let msgs = statements
        .iter()
        .map(|s| s.statement.signed_message().unwrap())
        .collect();
    let sigs = statements
        .iter()
        .map(|s| ed25519_dalek::Signature::from_bytes(s.signature.as_bytes()))
        .collect();
    let keys = statements
        .iter()
        .map(|s| s.statement.author.dalek().unwrap())
        .collect();
    (msgs, sigs, keys)
}

/// Bare batch verification on all cores: chunks of 64 (dalek's sweet spot) in parallel.
fn bare_batch_verify(
    msgs: &[Vec<u8>],
    sigs: &[ed25519_dalek::Signature],
    keys: &[ed25519_dalek::VerifyingKey],
) {
    msgs.par_chunks(64)
        .zip(sigs.par_chunks(64))
        .zip(keys.par_chunks(64))
        .for_each(|((m, s), k)| {
            let m: Vec<&[u8]> = m.iter().map(Vec::as_slice).collect();
            ed25519_dalek::verify_batch(&m, s, k).unwrap();
        });
}

fn appends(c: &mut Criterion) {
    let (s, _) = setup();
    let statements = presigned(&s.officer, BATCH);
    let (msgs, sigs, keys) = bare(&statements);

    let mut g = c.benchmark_group("append");
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("bare_batch_verify_all_cores", |b| {
        b.iter(|| bare_batch_verify(&msgs, &sigs, &keys))
    });
    g.bench_function("bare_verify_strict_all_cores", |b| {
        b.iter(|| {
            msgs.par_iter()
                .zip(sigs.par_iter())
                .zip(keys.par_iter())
                .for_each(|((m, s), k)| k.verify_strict(m, s).unwrap());
        })
    });
    g.bench_function("memory_store_batch_1000", |b| {
        b.iter_batched(
            || (setup().1, statements.clone()),
            |(mut ledger, batch)| ledger.append_batch(batch).unwrap(),
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("append_one");
    g.throughput(Throughput::Elements(1));
    let one = statements[0].clone();
    g.bench_function("memory_store_single", |b| {
        let (_, mut ledger) = setup();
        b.iter(|| ledger.append(one.clone()).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("sign");
    g.throughput(Throughput::Elements(1));
    let msg = statements[0].statement.signed_message().unwrap();
    let dalek_key = ed25519_dalek::SigningKey::from_bytes(&s.officer.seed());
    g.bench_function("bare_sign", |b| b.iter(|| dalek_key.sign(&msg)));
    g.bench_function("sign_and_append", |b| {
        let (s, mut ledger) = setup();
        let e = event(1);
        b.iter(|| ledger.sign_and_append(&s.officer, e.clone()).unwrap())
    });
    g.finish();
}

fn verification(c: &mut Criterion) {
    let (s, mut ledger) = setup();
    for chunk in presigned(&s.officer, VERIFY_N).chunks(BATCH) {
        ledger.append_batch(chunk.to_vec()).unwrap();
        s.clock.advance(1000);
        ledger.seal(&s.ledger_key).unwrap();
    }
    let options = VerifyOptions {
        trusted_key: Some(ledger.verifier_key().unwrap()),
        ..VerifyOptions::default()
    };
    let n = ledger.size();
    let (entries, checkpoints) = ledger.into_store().into_parts();
    assert_eq!(
        verify_parts(entries.iter().cloned().map(Ok), &checkpoints, &options).verdict,
        Verdict::Verified
    );
    let statements: Vec<SignedStatement> = entries
        .iter()
        .map(|b| liuhen::Entry::from_bytes(b).unwrap().statement)
        .collect();
    let (msgs, sigs, keys) = bare(&statements);

    let mut g = c.benchmark_group("verify");
    g.throughput(Throughput::Elements(n));
    g.sample_size(10);
    g.bench_function("bare_batch_verify_all_cores", |b| {
        b.iter(|| bare_batch_verify(&msgs, &sigs, &keys))
    });
    g.bench_function("liuhen_verify_ledger", |b| {
        b.iter(|| verify_parts(entries.iter().cloned().map(Ok), &checkpoints, &options))
    });
    g.finish();
}

criterion_group!(benches, appends, verification);

/// Reads criterion's mean estimate (ns per iteration) of `group/bench`.
fn mean_ns(group: &str, bench: &str) -> Option<f64> {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let text = std::fs::read_to_string(
        dir.join("criterion")
            .join(group)
            .join(bench)
            .join("new/estimates.json"),
    )
    .ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["mean"]["point_estimate"].as_f64()
}

fn ratio(label: &str, group: &str, ours: &str, base: &str, per_iter_ours: f64, per_iter_base: f64) {
    match (mean_ns(group, ours), mean_ns(group, base)) {
        (Some(o), Some(b)) => {
            let rate_o = per_iter_ours / (o / 1e9);
            let rate_b = per_iter_base / (b / 1e9);
            println!(
                "{label:<58} {rate_o:>12.0}/s vs {rate_b:>12.0}/s  ratio {:.2}",
                rate_o / rate_b
            );
        }
        _ => println!("{label:<58} (not measured in this run)"),
    }
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    println!(
        "\nRatios (same run, {} cores):",
        rayon::current_num_threads()
    );
    let b = BATCH as f64;
    ratio(
        "append_batch(1000), memory store / bare batch verify",
        "append",
        "memory_store_batch_1000",
        "bare_batch_verify_all_cores",
        b,
        b,
    );
    ratio(
        "bare verify_strict / bare batch verify (all cores)",
        "append",
        "bare_verify_strict_all_cores",
        "bare_batch_verify_all_cores",
        b,
        b,
    );
    match (
        mean_ns("append_one", "memory_store_single"),
        mean_ns("append", "bare_batch_verify_all_cores"),
    ) {
        (Some(o), Some(bb)) => println!(
            "{:<58} {:>12.0}/s vs {:>12.0}/s  ratio {:.2}",
            "append one at a time / bare batch verify",
            1e9 / o,
            b / (bb / 1e9),
            (1e9 / o) / (b / (bb / 1e9))
        ),
        _ => println!("append one at a time: (not measured in this run)"),
    }
    ratio(
        "sign_and_append / bare sign",
        "sign",
        "sign_and_append",
        "bare_sign",
        1.0,
        1.0,
    );
    let n = (VERIFY_N + 2) as f64;
    ratio(
        "verify ledger / bare batch verify (all cores)",
        "verify",
        "liuhen_verify_ledger",
        "bare_batch_verify_all_cores",
        n,
        n,
    );
}
