#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Tests of a filesystem-boundary module: they make and remove witness directories.
#![allow(clippy::disallowed_methods)]
use std::path::PathBuf;
use std::sync::Arc;

use super::*;
use crate::checkpoint::{verify_cosignature, Checkpoint, NoteVerifier, SignedCheckpoint};
use crate::hash::{Digest, Sha256TreeHasher, TreeHasher as _};
use crate::keys::{SecretKey, Signer as _};
use crate::merkle::{self, MemoryTree};

const ORIGIN: &str = "example.org/district";

struct Log {
    key: SecretKey,
    tree: MemoryTree,
}

impl Log {
    fn new(seed: u8, leaves: u64) -> Self {
        let mut log = Log {
            key: SecretKey::from_seed(&[seed; 32]),
            tree: MemoryTree::new(),
        };
        log.grow(leaves, 0);
        log
    }
    fn grow(&mut self, n: u64, salt: u8) {
        for _ in 0..n {
            let i = self.tree.len();
            let leaf = Sha256TreeHasher.hash_leaf(&[&i.to_be_bytes()[..], &[salt]].concat());
            self.tree.push(&Sha256TreeHasher, leaf);
        }
    }
    fn vkey(&self) -> NoteVerifier {
        NoteVerifier::for_key(ORIGIN, self.key.public_key()).unwrap()
    }
    fn checkpoint(&self, size: u64) -> SignedCheckpoint {
        let root = merkle::root(&Sha256TreeHasher, &self.tree, size).unwrap();
        SignedCheckpoint::sign(Checkpoint::new(ORIGIN, size, root), &self.key).unwrap()
    }
    fn body(&self, old: u64, size: u64) -> Vec<u8> {
        let proof = if old == 0 || old == size {
            Vec::new()
        } else {
            merkle::consistency_proof(&Sha256TreeHasher, &self.tree, old, size)
                .unwrap()
                .path
        };
        AddCheckpointRequest {
            old_size: old,
            proof,
            checkpoint: self.checkpoint(size),
        }
        .encode()
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("liuhen-witness-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn witness_for(log: &Log, tag: &str) -> (Witness, PathBuf) {
    let dir = temp_dir(tag);
    WitnessDir::init(&dir, "witness.example/w1").unwrap();
    assert!(WitnessDir::new(&dir).add_log(&log.vkey()).unwrap());
    assert!(!WitnessDir::new(&dir).add_log(&log.vkey()).unwrap());
    (Witness::open(&dir).unwrap(), dir)
}

#[test]
fn cosigns_in_order_and_answers_each_status() {
    let mut log = Log::new(1, 5);
    let (w, dir) = witness_for(&log, "statuses");
    let lines = w.add_checkpoint(&log.body(0, 5), 100).unwrap();
    let mut signed = log.checkpoint(5);
    signed.add_signature(lines[0].clone()).unwrap();
    assert_eq!(verify_cosignature(&signed, w.vkey()).unwrap(), 100);

    log.grow(4, 0);
    // 409 with the latest size for a stale old size.
    let r = w.add_checkpoint(&log.body(0, 9), 101).unwrap_err();
    assert_eq!((r.status(), r.latest_size()), (409, Some(5)));
    // 400: old larger than the size.
    let r = w.add_checkpoint(&log.body(5, 9).replacen(b"old 5", b"old 10"), 101);
    assert_eq!(r.unwrap_err().status(), 400);
    w.add_checkpoint(&log.body(5, 9), 102).unwrap();
    assert_eq!(w.latest_size(ORIGIN), 9);

    // 403: a key the witness does not trust for the origin.
    let stranger = Log::new(2, 12);
    assert_eq!(
        w.add_checkpoint(&stranger.body(9, 12), 103)
            .unwrap_err()
            .status(),
        403
    );
    // 404: unknown origin.
    let other = SignedCheckpoint::sign(
        Checkpoint::new("other.example/log", 3, Digest::ZERO),
        &log.key,
    )
    .unwrap();
    let body = AddCheckpointRequest {
        old_size: 0,
        proof: vec![],
        checkpoint: other,
    }
    .encode();
    assert_eq!(w.add_checkpoint(&body, 103).unwrap_err().status(), 404);

    // The same tree with a stray proof: 422, nothing kept (not a split view).
    let mut stray = AddCheckpointRequest::parse(&log.body(9, 9)).unwrap();
    stray.proof.push(Digest::ZERO);
    let r = w.add_checkpoint(&stray.encode(), 103).unwrap_err();
    assert!(
        matches!(
            r,
            Refusal::Inconsistent {
                evidence: Kept::NotKept(_),
                ..
            }
        ),
        "{r}"
    );
    // A fork at 12 that does not extend 9: 422 and kept as evidence.
    let mut fork = Log {
        key: SecretKey::from_seed(&[1; 32]),
        tree: MemoryTree::new(),
    };
    fork.grow(12, 1);
    let r = w.add_checkpoint(&fork.body(9, 12), 104).unwrap_err();
    assert_eq!(r.status(), 422, "{r}");
    // Same size, another root: 409 and kept.
    let r = w.add_checkpoint(&fork.body(9, 9), 105).unwrap_err();
    assert_eq!((r.status(), r.latest_size()), (409, None));
    let evidence = WitnessDir::new(&dir).evidence(Some(ORIGIN)).unwrap();
    assert_eq!(evidence.len(), 2);
    assert_eq!(evidence[0].status, 422);
    assert_eq!(evidence[0].cosigned.checkpoint().size, 9);
    assert_eq!(evidence[0].refused.checkpoint().size, 12);
    assert_eq!(evidence[1].status, 409);
    assert!(verify_cosignature(&evidence[1].cosigned, w.vkey()).is_ok());
    assert_eq!(w.latest_size(ORIGIN), 9);

    // The state survives a restart (the lock is released with the witness).
    drop(w);
    let w = Witness::open(&dir).unwrap();
    assert_eq!(w.latest_size(ORIGIN), 9);
    assert!(matches!(
        Witness::open(&dir),
        Err(WitnessError::Busy { .. })
    ));
    std::fs::remove_dir_all(dir).unwrap();
}

trait Replacen {
    fn replacen(&self, from: &[u8], to: &[u8]) -> Vec<u8>;
}
impl Replacen for Vec<u8> {
    fn replacen(&self, from: &[u8], to: &[u8]) -> Vec<u8> {
        let at = self.windows(from.len()).position(|w| w == from).unwrap();
        [&self[..at], to, &self[at + from.len()..]].concat()
    }
}

#[test]
fn concurrent_requests_never_roll_back() {
    let log = Log::new(3, 64);
    let (w, dir) = witness_for(&log, "race");
    let w = Arc::new(w);
    let log = Arc::new(log);
    // Many clients each try to move the witness from whatever it says to their size.
    let handles: Vec<_> = (1..=16u64)
        .map(|t| {
            let (w, log) = (Arc::clone(&w), Arc::clone(&log));
            std::thread::spawn(move || {
                let mut cosigned = Vec::new();
                for size in (t..=64).step_by(16) {
                    let mut old = 0;
                    for _ in 0..4 {
                        match w.add_checkpoint(&log.body(old, size), size) {
                            Ok(_) => {
                                cosigned.push(size);
                                break;
                            }
                            Err(r) => match r.latest_size() {
                                Some(latest) if latest <= size => old = latest,
                                _ => break,
                            },
                        }
                    }
                }
                cosigned
            })
        })
        .collect();
    let mut all: Vec<u64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort_unstable();
    let latest = w.latest_size(ORIGIN);
    assert!(all.iter().all(|&s| s <= latest), "{all:?} vs {latest}");
    assert_eq!(
        WitnessDir::new(&dir)
            .latest(ORIGIN)
            .unwrap()
            .unwrap()
            .checkpoint()
            .size,
        latest
    );
    std::fs::remove_dir_all(dir).unwrap();
}
