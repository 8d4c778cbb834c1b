//! `liuhen witness serve` (C2SP tlog-witness v1.0.0 add-checkpoint) and `liuhen seal --witness`,
//! through the real binaries on 127.0.0.1: cosigned checkpoints that Cloudflare's `signed_note`
//! verifies with the witness vkey, every status of the spec from a real HTTP client, the
//! bureau-with-key rewrite refused and kept as split-view evidence, many ledgers on one witness,
//! and concurrent requests that never roll the witness back.
//!
//! Run alone with `cargo build -p liuhen-cli && cargo test --test witness_serve`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::cli::{expect_code, liuhen_guarded, path_str, stderr, stdout};
use common::dir::{tmp_dir, AuditedDir, TestDir};
use common::http::client;
use common::witness::*;
use liuhen::checkpoint::{Checkpoint, SignedCheckpoint};
use liuhen::store::StoreRead as _;
use liuhen::{Entry, MemoryStore};

const WITNESS: &str = "witness.justice.dalian.example/w1";

/// A ledger and a running witness that trusts it.
struct Setup {
    dir: AuditedDir,
    wdir: PathBuf,
    wvkey: String,
    wvkey_path: PathBuf,
    served: WitnessServed,
}

fn setup(name: &str) -> Setup {
    let dir = AuditedDir::init(tmp_dir(name));
    let wdir = dir.root.join("witness");
    let wvkey = init_witness(&wdir, WITNESS);
    add_log(&wdir, &dir.vkey);
    let served = WitnessServed::start(&wdir, &[]);
    Setup {
        wvkey_path: wdir.join("witness.vkey"),
        dir,
        wdir,
        wvkey,
        served,
    }
}

impl Setup {
    fn seal(&self) -> std::process::Output {
        seal_with(&self.dir, &[(&self.served.url, &self.wvkey_path)], &[])
    }
    fn log_vkey(&self) -> String {
        std::fs::read_to_string(&self.dir.vkey).unwrap()
    }
}

#[test]
fn seal_with_a_witness_stores_a_checkpoint_signed_note_verifies_with_the_witness_vkey() {
    let s = setup("witness-seal");
    grow(&s.dir, 3);
    let out = s.seal();
    let note = expect_code(&out, 0);
    assert!(stderr(&out).contains("cosigned"), "{}", stderr(&out));
    // Cloudflare's signed_note, with the log vkey and an independent cosignature/v1 verifier.
    let names = independent_verify(&note, &s.log_vkey(), &s.wvkey);
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&WITNESS.to_owned()));
    // The cosigned note is what the ledger stores last.
    let stored = stored_checkpoints(&s.dir);
    assert_eq!(stored.last().unwrap().to_string(), note);
    let size = stored.last().unwrap().checkpoint().size;
    assert_eq!(witness_size(&s.wdir), size);
    // `liuhen verify` accepts a ledger whose checkpoints are re-stored with cosignatures.
    expect_code(&s.dir.verify(&[]), 0);

    // Successive seals carry consistency: the witness moves only with a proof from its size.
    for round in 0..3 {
        grow(&s.dir, 2 + round);
        let note = expect_code(&s.seal(), 0);
        let c = SignedCheckpoint::parse(note.as_bytes()).unwrap();
        assert_eq!(independent_verify(&note, &s.log_vkey(), &s.wvkey).len(), 2);
        assert_eq!(
            persisted(&s.wdir, common::ORIGIN).unwrap().checkpoint(),
            c.checkpoint()
        );
    }
    expect_code(&s.dir.verify(&[]), 0);
    // Sealing again at the same size is cosigned again (same root: the witness agrees).
    let out = seal_with(&s.dir, &[(&s.served.url, &s.wvkey_path)], &["--json"]);
    let report = common::cli::json(&expect_code(&out, 0));
    assert_eq!(report["witnesses"][0]["cosigned"], true, "{report}");
    let (status, _) = s.served.stop();
    assert!(status.success(), "SIGTERM is a clean stop: {status:?}");
}

#[test]
fn a_witness_that_is_down_is_a_warning_and_the_checkpoint_is_stored() {
    let s = setup("witness-down");
    grow(&s.dir, 2);
    let url = s.served.url.clone();
    s.served.kill();
    let before = stored_checkpoints(&s.dir).len();
    let out = seal_with(&s.dir, &[(&url, &s.wvkey_path)], &[]);
    let note = expect_code(&out, 0);
    assert!(stderr(&out).contains("did not cosign"), "{}", stderr(&out));
    let stored = stored_checkpoints(&s.dir);
    assert_eq!(stored.len(), before + 1);
    assert_eq!(stored.last().unwrap().to_string(), note);
    assert_eq!(stored.last().unwrap().checkpoint().size, s.dir.size());
}

/// The size the witness persisted for the ledger.
fn witness_size(wdir: &Path) -> u64 {
    persisted(wdir, common::ORIGIN).unwrap().checkpoint().size
}

/// The latest stored checkpoint that only the log signed, and the tree of the store.
fn latest_plain(dir: &AuditedDir) -> SignedCheckpoint {
    stored_checkpoints(dir)
        .into_iter()
        .rev()
        .find(|c| c.note().signatures().len() == 1)
        .unwrap()
}

/// [`setup`], `n` entries, a seal with the witness: the checkpoint the witness persisted.
fn witnessed(name: &str, n: usize) -> (Setup, SignedCheckpoint) {
    let s = setup(name);
    grow(&s.dir, n);
    expect_code(&s.seal(), 0);
    let cosigned = persisted(&s.wdir, common::ORIGIN).unwrap();
    (s, cosigned)
}

#[test]
fn each_status_of_the_spec_from_a_real_http_client() {
    let (s, cosigned) = witnessed("witness-statuses", 3);
    let old = cosigned.checkpoint().size;
    // A newer checkpoint the witness has not seen.
    grow(&s.dir, 5);
    s.dir.seal_ok();
    let newer = latest_plain(&s.dir);
    let size = newer.checkpoint().size;
    let tree = tree_of(&s.dir.store());
    let url = s.served.add_checkpoint_url();
    let c = client();
    let note = newer.to_string();
    let key = s.dir.ledger_key();

    // 404: an origin the witness does not know.
    let other = SignedCheckpoint::sign(
        Checkpoint::new("other.example/log", size, newer.checkpoint().root),
        &key,
    )
    .unwrap();
    let (st, _, text) = post(&c, &url, body(0, &[], &other.to_string()));
    assert_eq!(st, 404, "{text}");
    // 403: the right origin, signed by a key the witness does not trust for it.
    let stranger = liuhen::SecretKey::from_seed(&[0x55; 32]);
    let unsigned = SignedCheckpoint::sign(newer.checkpoint().clone(), &stranger).unwrap();
    let (st, _, text) = post(
        &c,
        &url,
        body(old, &proof(&tree, old, size), &unsigned.to_string()),
    );
    assert_eq!(st, 403, "{text}");
    // 400: malformed (a leading zero), and an old size beyond the checkpoint.
    let mut bad = format!("old 0{old}\n\n").into_bytes();
    bad.extend_from_slice(note.as_bytes());
    assert_eq!(post(&c, &url, bad).0, 400);
    assert_eq!(post(&c, &url, body(size + 1, &[], &note)).0, 400);
    // 409 with the latest size as text/x.tlog.size when the old size is stale.
    let (st, ct, text) = post(&c, &url, body(0, &[], &note));
    assert_eq!(
        (st, ct.as_str(), text.clone()),
        (409, "text/x.tlog.size", format!("{old}\n"))
    );
    // 422: a consistency proof that does not verify.
    let mut wrong = proof(&tree, old, size);
    wrong[0] = liuhen::hash::Digest::from_bytes([9; 32]);
    let (st, _, text) = post(&c, &url, body(old, &wrong, &note));
    assert_eq!(st, 422, "{text}");
    // 413: a body over the bound, refused before it is read whole.
    let (st, _, _) = post(&c, &url, vec![b'x'; liuhen::witness::MAX_REQUEST_BYTES + 1]);
    assert_eq!(st, 413);
    // Nothing of the above moved the witness.
    assert_eq!(witness_size(&s.wdir), old);

    // 200 with the right proof: one cosignature line that verifies independently.
    let (st, ct, lines) = post(&c, &url, body(old, &proof(&tree, old, size), &note));
    assert_eq!(st, 200, "{lines}");
    assert!(ct.starts_with("text/plain"), "{ct}");
    assert!(
        lines.starts_with('\u{2014}') && lines.ends_with('\n'),
        "{lines:?}"
    );
    let with = format!("{note}{lines}");
    assert_eq!(independent_verify(&with, &s.log_vkey(), &s.wvkey).len(), 2);
    assert_eq!(witness_size(&s.wdir), size);

    // 409 for the same size with another root (signed by the log key: a split view).
    let forked = SignedCheckpoint::sign(
        Checkpoint::new(
            common::ORIGIN,
            size,
            liuhen::hash::Digest::from_bytes([7; 32]),
        ),
        &key,
    )
    .unwrap();
    let (st, ct, text) = post(&c, &url, body(size, &[], &forked.to_string()));
    assert_eq!(st, 409, "{text}");
    assert_ne!(ct, "text/x.tlog.size");
    assert_eq!(
        persisted(&s.wdir, common::ORIGIN).unwrap().checkpoint(),
        newer.checkpoint()
    );
}

/// What the bureau does with its key: the ledger's entries without entry `removed`, plus
/// `extra` new statements, re-chained and re-signed over a rebuilt tree.
fn rewritten(dir: &AuditedDir, removed: u64, extra: usize) -> MemoryStore {
    let store = dir.store();
    let key = dir.ledger_key();
    let mut forged = MemoryStore::new();
    let mut last = liuhen::Timestamp(0);
    for seq in 0..store.size() {
        let e = Entry::from_bytes(&store.entry_bytes(seq).unwrap()).unwrap();
        last = e.logged_at;
        if seq != removed {
            common::forge::inject(&mut forged, e.statement, e.logged_at);
        }
    }
    for i in 0..extra {
        let k = liuhen::SecretKey::from_seed(&[0x60 + i as u8; 32]);
        let event = common::events::officer_authorized(liuhen::Signer::public_key(&k));
        let t = liuhen::Timestamp(last.0 + 1_000 * (i as i64 + 1));
        common::forge::inject(&mut forged, common::events::signed(t, event, &key), t);
    }
    common::forge::seal(&mut forged, common::ORIGIN, &key);
    forged
}

fn last_note(store: &MemoryStore) -> String {
    store.checkpoint(store.checkpoint_count() - 1).unwrap()
}

#[test]
fn the_bureau_with_the_key_rewriting_history_is_refused_and_kept_as_split_view_evidence() {
    let (s, cosigned) = witnessed("witness-rewrite", 6);
    let old = cosigned.checkpoint().size;
    let url = s.served.add_checkpoint_url();
    let c = client();

    // Entry 3 removed, two entries added: a larger tree that does not extend the cosigned one.
    let longer = rewritten(&s.dir, 3, 2);
    let tree = tree_of(&longer);
    let note = last_note(&longer);
    let (st, _, text) = post(
        &c,
        &url,
        body(old, &proof(&tree, old, longer.size()), &note),
    );
    assert_eq!(st, 422, "{text}");
    // Entry 3 replaced: the same size, another root.
    let same = rewritten(&s.dir, 3, 1);
    assert_eq!(same.size(), old);
    let (st, _, text) = post(&c, &url, body(old, &[], &last_note(&same)));
    assert_eq!(st, 409, "{text}");
    // The witness still holds the honest checkpoint.
    assert_eq!(persisted(&s.wdir, common::ORIGIN).unwrap(), cosigned);

    // `liuhen witness evidence` prints both pairs and exits 1.
    let out = liuhen_guarded(["witness", "evidence", path_str(&s.wdir)]);
    let text = expect_code(&out, 1);
    assert_eq!(text.matches("SPLIT VIEW of").count(), 2, "{text}");
    assert!(text.contains(&note), "{text}");
    assert!(text.contains(&cosigned.to_string()), "{text}");
    let out = liuhen_guarded([
        "witness",
        "evidence",
        path_str(&s.wdir),
        "--origin",
        common::ORIGIN,
        "--json",
    ]);
    let report = common::cli::json(&expect_code(&out, 1));
    let views = report["split_views"].as_array().unwrap();
    assert_eq!(views.len(), 2);
    assert_eq!(views[0]["status"], 422);
    assert_eq!(views[1]["status"], 409);
    for v in views {
        // Each pair is the proof: both checkpoints verify with the ledger key, and the witness
        // cosigned the first.
        let refused = v["refused"].as_str().unwrap();
        let cosigned = v["cosigned"].as_str().unwrap();
        let log = s.log_vkey();
        assert_eq!(independent_verify(refused, &log, &s.wvkey).len(), 1);
        assert_eq!(independent_verify(cosigned, &log, &s.wvkey).len(), 2);
    }
    assert_eq!(views[0]["refused"], note);
    // No evidence for an origin without conflicts.
    let out = liuhen_guarded([
        "witness",
        "evidence",
        path_str(&s.wdir),
        "--origin",
        "x.example/y",
    ]);
    assert!(expect_code(&out, 0).contains("no split view"));
}

/// A district ledger made by `liuhen init` under `root/name` with `origin`.
fn district(root: &Path, name: &str, origin: &str) -> AuditedDir {
    let dir = root.join(name);
    let made = TestDir::init_with_binary(&dir, origin);
    let vkey = root.join(format!("{name}.vkey"));
    std::fs::copy(made.dir.vkey_path(), &vkey).unwrap();
    AuditedDir {
        root: root.to_path_buf(),
        dir,
        key: made.key_file,
        vkey,
    }
}

#[test]
fn one_witness_serves_many_district_ledgers() {
    let root = tmp_dir("witness-many");
    std::fs::create_dir_all(&root).unwrap();
    let wdir = root.join("bureau-witness");
    let wvkey = init_witness(&wdir, WITNESS);
    let districts: Vec<AuditedDir> = ["jinpu", "zhongshan", "ganjingzi"]
        .iter()
        .map(|d| district(&root, d, &format!("{d}.dalian.gov.cn/enforcement")))
        .collect();
    for d in &districts {
        add_log(&wdir, &d.vkey);
    }
    // Adding a log twice is harmless.
    add_log(&wdir, &districts[0].vkey);
    let served = WitnessServed::start(&wdir, &[]);
    let wvkey_path = wdir.join("witness.vkey");
    for round in 0..2 {
        for d in &districts {
            grow(d, 1 + round);
            let note = expect_code(&seal_with(d, &[(&served.url, &wvkey_path)], &[]), 0);
            let log = std::fs::read_to_string(&d.vkey).unwrap();
            assert_eq!(independent_verify(&note, &log, &wvkey).len(), 2);
        }
    }
    for d in &districts {
        let origin = stored_checkpoints(d)[0].checkpoint().origin.clone();
        assert_eq!(
            persisted(&wdir, &origin).unwrap().checkpoint().size,
            d.size()
        );
    }
    assert_eq!(
        std::fs::read_dir(wdir.join("checkpoints")).unwrap().count(),
        3
    );
    // A ledger the witness was not told about: 404, a warning, the checkpoint stored anyway.
    let stray = district(&root, "stray", "stray.dalian.gov.cn/enforcement");
    let out = seal_with(&stray, &[(&served.url, &wvkey_path)], &[]);
    expect_code(&out, 0);
    assert!(stderr(&out).contains("404"), "{}", stderr(&out));
}

#[test]
fn concurrent_add_checkpoint_requests_never_roll_back() {
    let s = setup("witness-race");
    // Checkpoints at many sizes, signed by the log, not yet shown to the witness.
    for _ in 0..10 {
        grow(&s.dir, 1);
        s.dir.seal_ok();
    }
    let notes: Vec<(u64, String)> = stored_checkpoints(&s.dir)
        .into_iter()
        .map(|c| (c.checkpoint().size, c.to_string()))
        .collect();
    let tree = Arc::new(tree_of(&s.dir.store()));
    let url = Arc::new(s.served.add_checkpoint_url());
    let notes = Arc::new(notes);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (tree, url, notes) = (Arc::clone(&tree), Arc::clone(&url), Arc::clone(&notes));
            std::thread::spawn(move || {
                let c = client();
                let mut won = Vec::new();
                // Each client offers the checkpoints in its own order, starting from 0.
                for i in 0..notes.len() {
                    let (size, note) = &notes[(i * 3 + t) % notes.len()];
                    let mut old = 0;
                    for _ in 0..3 {
                        let (st, ct, text) =
                            post(&c, &url, body(old, &proof(&tree, old, *size), note));
                        match st {
                            200 => {
                                won.push((*size, format!("{note}{text}")));
                                break;
                            }
                            409 if ct == "text/x.tlog.size" => {
                                let latest: u64 = text.trim_end().parse().unwrap();
                                if latest > *size {
                                    break;
                                }
                                old = latest;
                            }
                            _ => panic!("unexpected {st}: {text}"),
                        }
                    }
                }
                won
            })
        })
        .collect();
    let won: Vec<(u64, String)> = threads
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert!(!won.is_empty());
    let latest = persisted(&s.wdir, common::ORIGIN).unwrap();
    let max = won.iter().map(|(size, _)| *size).max().unwrap();
    // The witness holds the largest size it ever cosigned: no request rolled it back.
    assert_eq!(latest.checkpoint().size, max);
    for (_, note) in &won {
        assert_eq!(independent_verify(note, &s.log_vkey(), &s.wvkey).len(), 2);
    }
    // Its state survives a restart and still answers 409 with that size.
    let wdir = s.wdir.clone();
    let (status, _) = s.served.stop();
    assert!(status.success());
    let served = WitnessServed::start(&wdir, &[]);
    let (st, ct, text) = post(
        &client(),
        &served.add_checkpoint_url(),
        body(0, &[], &notes[0].1),
    );
    assert_eq!(
        (st, ct.as_str(), text),
        (409, "text/x.tlog.size", format!("{max}\n"))
    );
    let _ = stdout;
}
