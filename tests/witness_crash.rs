//! SIGKILL of `liuhen witness serve` while clients keep it busy with add-checkpoint requests,
//! several times, restarting it each time: every cosignature a client received is for a size
//! not larger than what the witness persisted, the persisted checkpoint is the log's genuine
//! tree, and the restarted witness never cosigns a checkpoint inconsistent with one it answered.
//!
//! Run alone with `cargo build -p liuhen-cli && cargo test --test witness_crash`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::dir::{tmp_dir, AuditedDir};
use common::witness::*;
use liuhen::checkpoint::{Checkpoint, SignedCheckpoint};
use liuhen::hash::{Digest, Sha256TreeHasher};

const WITNESS: &str = "witness.justice.dalian.example/w1";

/// One client: offers the checkpoints in order from where the witness says it is, then keeps
/// re-offering the last one (each answer is a durable write), until the connection fails.
fn client_loop(
    url: &str,
    notes: &[(u64, String)],
    tree: &liuhen::merkle::MemoryTree,
    received: &Mutex<Vec<(u64, String)>>,
    answered: &AtomicUsize,
    stop: &AtomicBool,
) {
    let c = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut old = 0u64;
    let mut i = 0usize;
    while !stop.load(Ordering::SeqCst) {
        let (size, note) = &notes[i.min(notes.len() - 1)];
        let Some((st, ct, text)) = try_post(&c, url, body(old, &proof(tree, old, *size), note))
        else {
            return; // the witness is gone
        };
        match st {
            200 => {
                received
                    .lock()
                    .unwrap()
                    .push((*size, format!("{note}{text}")));
                answered.fetch_add(1, Ordering::SeqCst);
                old = *size;
                i += 1;
            }
            409 if ct == "text/x.tlog.size" => {
                let latest: u64 = text.trim_end().parse().unwrap();
                old = latest;
                // Skip checkpoints the witness is already past.
                while i + 1 < notes.len() && notes[i].0 < latest {
                    i += 1;
                }
            }
            _ => panic!("unexpected {st}: {text}"),
        }
    }
}

#[test]
fn sigkill_during_add_checkpoint_loses_no_cosigned_state() {
    let dir = AuditedDir::init(tmp_dir("witness-crash"));
    for _ in 0..24 {
        grow(&dir, 1);
        dir.seal_ok();
    }
    let notes: Vec<(u64, String)> = stored_checkpoints(&dir)
        .into_iter()
        .map(|c| (c.checkpoint().size, c.to_string()))
        .collect();
    let tree = Arc::new(tree_of(&dir.store()));
    let wdir = dir.root.join("witness");
    let wvkey = init_witness(&wdir, WITNESS);
    add_log(&wdir, &dir.vkey);
    let log_vkey = std::fs::read_to_string(&dir.vkey).unwrap();
    let received = Arc::new(Mutex::new(Vec::<(u64, String)>::new()));
    let notes = Arc::new(notes);
    let key = dir.ledger_key();

    for round in 0..5 {
        let served = WitnessServed::start(&wdir, &[]);
        let url = Arc::new(served.add_checkpoint_url());
        let answered = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..3)
            .map(|_| {
                let (url, notes, tree, received, answered, stop) = (
                    Arc::clone(&url),
                    Arc::clone(&notes),
                    Arc::clone(&tree),
                    Arc::clone(&received),
                    Arc::clone(&answered),
                    Arc::clone(&stop),
                );
                std::thread::spawn(move || {
                    client_loop(&url, &notes, &tree, &received, &answered, &stop)
                })
            })
            .collect();
        // Kill it while the clients are busy: after a few more answers (not after a time).
        let target = 3 + round * 2;
        while answered.load(Ordering::SeqCst) < target {
            std::thread::sleep(Duration::from_millis(1));
        }
        served.kill();
        stop.store(true, Ordering::SeqCst);
        for c in clients {
            c.join().unwrap();
        }

        // What the witness persisted covers every cosignature a client received.
        let persisted = persisted(&wdir, common::ORIGIN).expect("state persisted");
        let p = persisted.checkpoint().size;
        let got = received.lock().unwrap().clone();
        let max = got.iter().map(|(s, _)| *s).max().unwrap();
        assert!(
            max <= p,
            "round {round}: a client holds a cosignature for {max}, the witness persisted {p}"
        );
        // The persisted checkpoint is the log's genuine tree at that size, cosigned.
        let root = liuhen::merkle::root(&Sha256TreeHasher, &*tree, p).unwrap();
        assert_eq!(persisted.checkpoint().root, root);
        assert_eq!(
            independent_verify(&persisted.to_string(), &log_vkey, &wvkey).len(),
            2
        );
        for (_, note) in &got {
            assert_eq!(independent_verify(note, &log_vkey, &wvkey).len(), 2);
        }

        // Restarted, it refuses what contradicts the size it answered: same size other root
        // (409), and a larger tree that does not extend it (422).
        let served = WitnessServed::start(&wdir, &[]);
        let c = common::http::client();
        let fork = |size: u64, b: u8| {
            SignedCheckpoint::sign(
                Checkpoint::new(common::ORIGIN, size, Digest::from_bytes([b; 32])),
                &key,
            )
            .unwrap()
            .to_string()
        };
        let (st, _, text) = post(&c, &served.add_checkpoint_url(), body(p, &[], &fork(p, 1)));
        assert_eq!(st, 409, "{text}");
        let bigger = p + 5;
        let fake_proof = vec![
            Digest::from_bytes([2; 32]);
            proof(&tree, p, notes.last().unwrap().0).len().max(1)
        ];
        let (st, _, text) = post(
            &c,
            &served.add_checkpoint_url(),
            body(p, &fake_proof, &fork(bigger, 3)),
        );
        assert_eq!(st, 422, "{text}");
        served.stop();
    }
    // The refusals above were kept as evidence, one pair each.
    let out = common::cli::liuhen_guarded([
        "witness",
        "evidence",
        common::cli::path_str(&wdir),
        "--json",
    ]);
    let report = common::cli::json(&common::cli::expect_code(&out, 1));
    assert_eq!(report["split_views"].as_array().unwrap().len(), 10);
}
