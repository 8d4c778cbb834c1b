//! For the witness tests (`tests/witness_*.rs`): `liuhen witness serve` started for real on
//! 127.0.0.1 ([`WitnessServed`]), the witness directory made by the binary, ledgers grown and
//! sealed by the binary, crafted `add-checkpoint` bodies sent by a real HTTP client, and an
//! independent `cosignature/v1` verifier for Cloudflare's `signed_note` crate.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::Duration;

use base64::Engine as _;
use liuhen::checkpoint::SignedCheckpoint;
use liuhen::hash::{Digest, Sha256TreeHasher, TreeHasher as _};
use liuhen::merkle::MemoryTree;
use liuhen::store::StoreRead as _;

use super::cli::{expect_code, fork_guard, liuhen_guarded, path_str, spawn, wait_or_kill};
use super::dir::AuditedDir;

/// A running `liuhen witness serve`.
pub struct WitnessServed {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`, the submission prefix.
    pub url: String,
    /// The witness directory.
    pub dir: PathBuf,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl WitnessServed {
    /// Starts `liuhen witness serve WDIR --listen 127.0.0.1:0 EXTRA…`; waits (≤ 30 s) for its
    /// `listening on URL` line.
    pub fn start(dir: &Path, extra: &[&str]) -> WitnessServed {
        let mut child = {
            let _guard = fork_guard();
            let args = ["witness", "serve", path_str(dir), "--listen", "127.0.0.1:0"];
            spawn(args.iter().chain(extra), Stdio::null())
        };
        let (line, stderr) = super::http::await_listening(
            &mut child,
            "liuhen witness serve",
            Duration::from_secs(30),
        );
        let url = line.trim_end_matches('/').to_owned();
        WitnessServed {
            child: Some(child),
            url,
            dir: dir.to_path_buf(),
            stderr: Some(stderr),
        }
    }

    /// `URL/add-checkpoint`.
    pub fn add_checkpoint_url(&self) -> String {
        format!("{}/add-checkpoint", self.url)
    }

    /// SIGTERM, then wait (≤ 30 s): the exit status and stderr.
    pub fn stop(mut self) -> (ExitStatus, String) {
        let child = self.child.take().expect("running");
        let pid = child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = wait_or_kill(child, Duration::from_secs(30), "witness serve on SIGTERM");
        let err = self.stderr.take().map(|h| h.join().unwrap_or_default());
        (status.status, err.unwrap_or_default())
    }

    /// SIGKILL, then wait: a crash.
    pub fn kill(mut self) {
        self.end();
    }

    fn end(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for WitnessServed {
    fn drop(&mut self) {
        self.end();
    }
}

/// `liuhen witness init WDIR --name NAME`: the vkey it printed (also in `WDIR/witness.vkey`).
pub fn init_witness(wdir: &Path, name: &str) -> String {
    let out = liuhen_guarded(["witness", "init", path_str(wdir), "--name", name]);
    let vkey = expect_code(&out, 0).trim_end().to_owned();
    assert_eq!(
        std::fs::read_to_string(wdir.join("witness.vkey"))
            .unwrap()
            .trim_end(),
        vkey
    );
    vkey
}

/// `liuhen witness add-log WDIR --vkey VKEY`, which must exit 0.
pub fn add_log(wdir: &Path, vkey: &Path) {
    let out = liuhen_guarded([
        "witness",
        "add-log",
        path_str(wdir),
        "--vkey",
        path_str(vkey),
    ]);
    expect_code(&out, 0);
}

/// `liuhen seal DIR --key-file KEY --witness URL=VKEY… EXTRA…`.
pub fn seal_with(dir: &AuditedDir, witnesses: &[(&str, &Path)], extra: &[&str]) -> Output {
    let mut args: Vec<String> = vec![
        "seal".into(),
        path_str(&dir.dir).into(),
        "--key-file".into(),
        path_str(&dir.key).into(),
    ];
    for (url, vkey) in witnesses {
        args.push("--witness".into());
        args.push(format!("{url}={}", path_str(vkey)));
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    liuhen_guarded(args)
}

/// Appends `n` statements (keys authorized by the ledger key) to the ledger.
pub fn grow(dir: &AuditedDir, n: usize) {
    let key = dir.ledger_key();
    let statements: Vec<(&dyn liuhen::Signer, liuhen::Event)> = (0..n)
        .map(|_| {
            let k = liuhen::SecretKey::generate().unwrap();
            (
                &key as &dyn liuhen::Signer,
                super::events::officer_authorized(liuhen::Signer::public_key(&k)),
            )
        })
        .collect();
    dir.append(statements);
}

/// The stored checkpoints of the ledger, parsed, oldest first.
pub fn stored_checkpoints(dir: &AuditedDir) -> Vec<SignedCheckpoint> {
    let store = dir.store();
    (0..store.checkpoint_count())
        .map(|i| SignedCheckpoint::parse(store.checkpoint(i).unwrap().as_bytes()).unwrap())
        .collect()
}

/// The Merkle tree of a store's entries (leaf hashes), to make proofs independently.
pub fn tree_of<S: liuhen::store::StoreRead + ?Sized>(store: &S) -> MemoryTree {
    let mut tree = MemoryTree::new();
    for (_, bytes) in liuhen::store::read_entries(store, 0..store.size().unwrap()) {
        tree.push(
            &Sha256TreeHasher,
            Sha256TreeHasher.hash_leaf(&bytes.unwrap()),
        );
    }
    tree
}

/// The consistency proof from `old` to `new` in `tree` (empty for 0 or equal sizes).
pub fn proof(tree: &MemoryTree, old: u64, new: u64) -> Vec<Digest> {
    if old == 0 || old == new {
        return Vec::new();
    }
    liuhen::merkle::consistency_proof(&Sha256TreeHasher, tree, old, new)
        .unwrap()
        .path
}

/// An add-checkpoint body, written out by hand from the spec (not by the library's encoder).
pub fn body(old: u64, proof: &[Digest], note: &str) -> Vec<u8> {
    let mut out = format!("old {old}\n");
    for h in proof {
        out.push_str(&base64::engine::general_purpose::STANDARD.encode(h.as_bytes()));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(note);
    out.into_bytes()
}

/// `POST url` with `body`: (status, content type, body).
///
/// A pooled keep-alive connection that the server closed (idle) just as it was reused fails with
/// no answer at all, before the request reached the witness; that one failure is retried once
/// (seen once on a loaded machine). Two failures are a test failure.
pub fn post(client: &reqwest::blocking::Client, url: &str, body: Vec<u8>) -> (u16, String, String) {
    match try_post(client, url, body.clone()) {
        Some(answer) => answer,
        None => try_post(client, url, body).expect("an answer"),
    }
}

/// As [`post`]; `None` when there is no (whole) answer: the server is gone.
pub fn try_post(
    client: &reqwest::blocking::Client,
    url: &str,
    body: Vec<u8>,
) -> Option<(u16, String, String)> {
    let r = client.post(url).body(body).send().ok()?;
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    Some((status, ct, r.text().ok()?))
}

/// The witness's persisted latest checkpoint for `origin`, read from its file
/// (`WDIR/checkpoints/<hex SHA-256 of the origin>`).
pub fn persisted(wdir: &Path, origin: &str) -> Option<SignedCheckpoint> {
    use sha2::Digest as _;
    let name = Digest::from_bytes(sha2::Sha256::digest(origin.as_bytes()).into()).to_hex();
    let bytes = std::fs::read(wdir.join("checkpoints").join(name)).ok()?;
    Some(SignedCheckpoint::parse(&bytes).unwrap())
}

/// A `cosignature/v1` verifier for Cloudflare's `signed_note`, written from the spec
/// (tlog-cosignature v1.0.1) with ed25519-dalek: not liuhen's code.
pub struct CosigVerifier {
    name: String,
    id: u32,
    key: ed25519_dalek::VerifyingKey,
}

impl CosigVerifier {
    /// From a vkey `name+hash+base64(0x04 || key)`.
    pub fn new(vkey: &str) -> CosigVerifier {
        let mut parts = vkey.trim_end().splitn(3, '+');
        let name = parts.next().unwrap().to_owned();
        let id = u32::from_str_radix(parts.next().unwrap(), 16).unwrap();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(parts.next().unwrap())
            .unwrap();
        assert_eq!(raw[0], 0x04, "not a cosignature/v1 key");
        let key = ed25519_dalek::VerifyingKey::from_bytes(raw[1..].try_into().unwrap()).unwrap();
        // The key id is SHA-256(name || 0x0A || 0x04 || key)[:4].
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        h.update(name.as_bytes());
        h.update(b"\n");
        h.update(&raw);
        let computed = u32::from_be_bytes(h.finalize()[..4].try_into().unwrap());
        assert_eq!(computed, id, "vkey hash");
        CosigVerifier { name, id, key }
    }
}

impl signed_note::Verifier for CosigVerifier {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.id
    }
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        if sig.len() != 72 {
            return false;
        }
        let time = u64::from_be_bytes(sig[..8].try_into().unwrap());
        let mut m = format!("cosignature/v1\ntime {time}\n").into_bytes();
        m.extend_from_slice(msg);
        let s = ed25519_dalek::Signature::from_bytes(sig[8..].try_into().unwrap());
        self.key.verify_strict(&m, &s).is_ok()
    }
}

/// Verifies `note` with `signed_note` given the log vkey and the witness vkey; returns the
/// names whose signatures verified.
pub fn independent_verify(note: &str, log_vkey: &str, witness_vkey: &str) -> Vec<String> {
    let log = signed_note::StandardVerifier::new(log_vkey.trim_end()).unwrap();
    let list = signed_note::VerifierList::new(vec![
        Box::new(log),
        Box::new(CosigVerifier::new(witness_vkey)),
    ]);
    let note = signed_note::Note::from_bytes(note.as_bytes()).unwrap();
    let (verified, _) = note.verify(&list).unwrap();
    verified.iter().map(|s| s.name().to_owned()).collect()
}
