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

mod common;

use common::{bare, bare_batch_verify, event, mean_ns, presigned, T0};
use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use ed25519_dalek::Signer as _;
use liuhen::entry::SignedStatement;
use liuhen::model::{Event, Role, Timestamp};
use liuhen::verify::{verify_parts, Verdict, VerifyOptions};
use liuhen::{Ledger, LedgerOptions, ManualClock, MemoryStore, SecretKey, Signer};
use rayon::prelude::*;

const BATCH: usize = 1_000;
const VERIFY_N: usize = 10_000;

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
    // Sealing with the state of the previous seal checks only the new entries.
    let mut state = None;
    for chunk in presigned(&s.officer, VERIFY_N).chunks(BATCH) {
        ledger.append_batch(chunk.to_vec()).unwrap();
        s.clock.advance(1000);
        state = Some(
            ledger
                .seal_checked(&s.ledger_key, state.as_ref())
                .unwrap()
                .state,
        );
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
