//! Administrative calls and operation of `liuhen serve` (issue 15), through the real binary on
//! loopback: `POST /v1/seal` (checked like `liuhen seal`, refused over a damaged store),
//! `GET /v1/health`, the structured log, and the graceful shutdown on SIGTERM while clients
//! are sealing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::cli::expect_code;
use common::dir::AuditedDir;
use common::http::{client, Served};
use liuhen::model::{Event, Role};
use liuhen::store::StoreRead;
use liuhen::{SecretKey, Signer};
use serde_json::Value;
use signed_note::{Note, StandardVerifier, VerifierList};

fn key_args(dir: &AuditedDir) -> Vec<String> {
    vec![
        "--key-file".to_owned(),
        dir.key.to_str().unwrap().to_owned(),
    ]
}

fn start_with_key(dir: &AuditedDir, extra: &[&str]) -> Served {
    let mut args = key_args(dir);
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Served::start(&dir.dir, &args)
}

/// Appends `n` KeyAuthorized entries signed by the ledger key (before the server starts: the
/// server holds the writer lock while it runs).
fn authorize_officers(dir: &AuditedDir, n: u8) {
    let key = dir.ledger_key();
    let statements = (1..=n)
        .map(|i| {
            let event = Event::KeyAuthorized {
                key: SecretKey::from_seed(&[i; 32]).public_key(),
                role: Role::Officer,
                holder: format!("officer {i}"),
            };
            (&key as &dyn Signer, event)
        })
        .collect();
    dir.append(statements);
}

/// Verifies `note` with the independent `signed_note` crate given the ledger's vkey.
fn verify_note(note: &str, vkey: &str) {
    let verifier = StandardVerifier::new(vkey.trim()).unwrap();
    let known = VerifierList::new(vec![Box::new(verifier)]);
    let note = Note::from_bytes(note.as_bytes()).unwrap();
    let (verified, _) = note.verify(&known).unwrap();
    assert_eq!(verified.len(), 1);
}

fn health(served: &Served) -> Value {
    let r = client().get(served.at("/v1/health")).send().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.json().unwrap()
}

#[test]
fn seal_from_loopback_signs_a_checkpoint_that_verifies() {
    let dir = AuditedDir::init(common::dir::tmp_dir("http-admin-seal"));
    authorize_officers(&dir, 3);
    let served = start_with_key(&dir, &[]);
    let before = dir.store().checkpoint_count();
    let h = health(&served);
    assert_eq!(h["size"], 4, "{h}");
    // `liuhen init` sealed genesis; the three authorizations are not sealed yet.
    assert_eq!(h["checkpoint_size"], 1, "{h}");
    assert_eq!(h["unsealed"], 3, "{h}");
    let r = client().post(served.at("/v1/seal")).send().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let sealed: Value = r.json().unwrap();
    assert_eq!(sealed["size"], 4, "{sealed}");
    assert_eq!(sealed["warnings"], serde_json::json!([]), "{sealed}");
    let note = sealed["note"].as_str().unwrap();
    verify_note(note, &std::fs::read_to_string(&dir.vkey).unwrap());
    // Stored, and the seal state beside the key moved on.
    let store = dir.store();
    assert_eq!(store.checkpoint_count(), before + 1);
    assert_eq!(store.checkpoint(before).unwrap(), note);
    let state = std::fs::read_to_string(dir.state()).unwrap();
    assert!(
        state.contains(&format!("checkpoints {}", before + 1)),
        "{state}"
    );
    let h = health(&served);
    assert_eq!(h["checkpoint_size"], 4, "{h}");
    assert_eq!(h["writable"], true, "{h}");
    let (status, log) = served.stop();
    assert!(status.success(), "{status:?}: {log}");
    // One log line per request, with method, path, status and peer.
    assert!(
        log.lines().any(|l| l.contains("method=POST")
            && l.contains("path=/v1/seal")
            && l.contains("status=200")
            && l.contains("peer=127.0.0.1:")
            && l.contains("latency_ms=")),
        "{log}"
    );
    // The whole directory verifies with the auditor's key.
    expect_code(&dir.verify(&[]), 0);
}

#[test]
fn seal_needs_the_key_file_and_the_right_key() {
    let dir = AuditedDir::init(common::dir::tmp_dir("http-admin-no-key"));
    // Without --key-file the call does not exist on this server: 404.
    let served = Served::start(&dir.dir, &[]);
    let r = client().post(served.at("/v1/seal")).send().unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let body: Value = r.json().unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("--key-file"),
        "{body}"
    );
    let (status, _) = served.stop();
    assert!(status.success());
    // A key that is not the ledger key is refused at start (exit 3), not at the first seal.
    let other = dir.keygen("someone", "other.key");
    let out = common::cli::liuhen([
        "serve",
        dir.dir.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--key-file",
        other.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("seal key"), "{err}");
    assert!(err.contains("other.key"), "{err}");
}

#[test]
fn seal_over_a_store_damaged_while_serving_is_409_and_signs_nothing() {
    let dir = AuditedDir::init(common::dir::tmp_dir("http-admin-tampered"));
    authorize_officers(&dir, 5);
    expect_code(&dir.seal(), 0);
    let served = start_with_key(&dir, &[]);
    let before = dir.store().checkpoint_count();
    // An outsider edits the text of the checkpoint the key signed last while the server runs
    // (the frame ends with a 32-byte hash; the byte before it is the note's).
    let log = dir.dir.join("ledger/checkpoints.log");
    let at = usize::try_from(std::fs::metadata(&log).unwrap().len()).unwrap() - 40;
    common::tamper::flip_byte(&log, at, 0x01);
    let r = client().post(served.at("/v1/seal")).send().unwrap();
    assert_eq!(r.status().as_u16(), 409);
    let body: Value = r.json().unwrap();
    assert_eq!(body["kind"], "tampered", "{body}");
    let text = body["error"].as_str().unwrap();
    assert!(text.contains("refusing to seal"), "{body}");
    assert!(text.contains("nothing was signed"), "{body}");
    assert_eq!(dir.store().checkpoint_count(), before, "nothing was signed");
    let (status, _) = served.stop();
    assert!(status.success());
}

#[test]
fn sigterm_while_clients_seal_answers_what_is_in_flight_and_exits_0() {
    let dir = AuditedDir::init(common::dir::tmp_dir("http-admin-sigterm"));
    authorize_officers(&dir, 20);
    let served = start_with_key(&dir, &["--log-format", "json"]);
    let url = served.at("/v1/seal");
    // Four clients seal in a loop (each seal syncs a checkpoint to disk) until the server
    // stops answering (after SIGTERM) or 200 seals each.
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let http = client();
                let mut notes = Vec::new();
                for _ in 0..200 {
                    match http.post(&url).send() {
                        Ok(r) => {
                            assert_eq!(r.status().as_u16(), 200, "an answer is a whole answer");
                            let v: Value = r.json().expect("a complete JSON body");
                            notes.push(v["note"].as_str().unwrap().to_owned());
                        }
                        Err(_) => break,
                    }
                }
                notes
            })
        })
        .collect();
    // Wait until every client has had a seal answered, then stop the server under load.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while served_checkpoints(&dir) < 9 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let (status, log) = served.stop();
    assert!(
        status.success(),
        "SIGTERM under load is a clean stop: {status:?}: {log}"
    );
    let answered: Vec<String> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert!(!answered.is_empty());
    // Every answered seal is in the store: nothing acknowledged was lost by the shutdown.
    let store = dir.store();
    let stored: Vec<String> = (0..store.checkpoint_count())
        .map(|i| store.checkpoint(i).unwrap())
        .collect();
    for note in &answered {
        assert!(stored.contains(note), "answered but not stored: {note}");
    }
    // The log is JSON lines, with the start and the stop.
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let said = |m: &str| {
        lines.iter().any(|l| {
            l["fields"]["message"]
                .as_str()
                .is_some_and(|s| s.starts_with(m))
        })
    };
    assert!(said("listening"), "{log}");
    assert!(said("shutting down"), "{log}");
    assert!(said("stopped"), "{log}");
    expect_code(&dir.verify(&[]), 0);
}

fn served_checkpoints(dir: &AuditedDir) -> u64 {
    dir.store().checkpoint_count()
}
