//! What the ledger and store benches share: the statement workload, the bare Ed25519 baselines
//! they are measured against, and reading criterion's results. One copy, so that the two benches
//! measure the same workload against the same baseline.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use liuhen::entry::SignedStatement;
use liuhen::hash::blake3;
use liuhen::model::{DocumentKind, Event, MediaRef, Stage, Timestamp};
use liuhen::SecretKey;
use rayon::prelude::*;

/// 2026-01-01T00:00:00Z.
pub const T0: i64 = 1_767_225_600_000;

/// The `i`-th statement's event: a `DocumentFiled` of about 330 bytes, like a real one.
pub fn event(i: usize) -> Event {
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

/// `n` statements signed by `officer`.
pub fn presigned(officer: &SecretKey, n: usize) -> Vec<SignedStatement> {
    (0..n)
        .map(|i| SignedStatement::sign(Timestamp(T0), event(i), officer).unwrap())
        .collect()
}

/// The messages, signatures and keys of `statements`, as bare dalek values.
pub fn bare(
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
pub fn bare_batch_verify(
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

/// Whether the bench measures (`cargo bench`) rather than runs once as a test (`cargo test
/// --benches`, which should stay short).
pub fn benchmarking() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |f: &str| args.iter().any(|a| a == f);
    has("--bench") && !has("--test") && !has("--list")
}

/// A directory `target/bench-tmp/NAME-PID` (on the file system of the build, so syncs hit the
/// real disk), removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let dir = target_dir()
            .join("bench-tmp")
            .join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Cargo's target directory (where criterion writes its results).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// Reads criterion's mean estimate (ns per iteration) of `group/bench`.
pub fn mean_ns(group: &str, bench: &str) -> Option<f64> {
    let text = std::fs::read_to_string(
        target_dir()
            .join("criterion")
            .join(group)
            .join(bench)
            .join("new/estimates.json"),
    )
    .ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["mean"]["point_estimate"].as_f64()
}
