//! Witness cosignatures and witness policies for tests: a stand-in witness (fixed seeds,
//! `liuhen::checkpoint::cosign`) that cosigns a ledger directory's latest stored checkpoint and
//! stores the cosigned note back with `Store::append_checkpoint` — the way cosignatures are
//! kept — until tests can run the real witness service; and policy files
//! (C2SP tlog-policy) naming such witnesses.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use liuhen::checkpoint::{cosign, NoteSignature, NoteVerifier, SignedCheckpoint};
use liuhen::store::file::FileStore;
use liuhen::store::{StoreRead, StoreWrite};
use liuhen::{SecretKey, Signer};

/// The time every test cosignature carries: 2026-01-01T00:00:00Z.
pub const COSIGNED_AT: u64 = 1_767_225_600;

/// A witness with a fixed key.
pub struct Witness {
    /// Its key name (what its cosignature lines carry).
    pub name: String,
    pub key: SecretKey,
}

impl Witness {
    /// The witness `NAME.witness.example` with the key of seed `[seed; 32]`.
    pub fn new(name: &str, seed: u8) -> Witness {
        Witness {
            name: format!("{name}.witness.example"),
            key: SecretKey::from_seed(&[seed; 32]),
        }
    }

    /// Its verifier key (cosignature/v1).
    pub fn vkey(&self) -> NoteVerifier {
        NoteVerifier::for_witness(&self.name, self.key.public_key()).unwrap()
    }

    /// Its cosignature line for `signed` at `timestamp`.
    pub fn cosignature(&self, signed: &SignedCheckpoint, timestamp: u64) -> NoteSignature {
        cosign(signed.checkpoint(), &self.name, &self.key, timestamp).unwrap()
    }

    /// A line under its key name and key id whose signature is not its (forged).
    pub fn forged_line(&self) -> NoteSignature {
        let v = self.vkey();
        let mut bytes = COSIGNED_AT.to_be_bytes().to_vec();
        bytes.extend_from_slice(&[0x5a; 64]);
        NoteSignature::new(v.name(), v.key_id(), bytes).unwrap()
    }
}

/// `note` with the cosignature of each of `witnesses` that has not cosigned it yet added, after checking the log's
/// signature with `log_vkey` (a witness never cosigns what it has not checked).
pub fn cosigned(note: &str, log_vkey: &NoteVerifier, witnesses: &[&Witness]) -> String {
    let mut signed = SignedCheckpoint::parse(note.as_bytes()).unwrap();
    signed.verify(log_vkey).unwrap();
    for w in witnesses {
        let v = w.vkey();
        if signed.note().signature(v.name(), v.key_id()).is_some() {
            continue; // already cosigned
        }
        let line = w.cosignature(&signed, COSIGNED_AT);
        signed.add_signature(line).unwrap();
    }
    signed.to_string()
}

/// The latest checkpoint stored in the ledger directory `dir`.
pub fn latest_checkpoint(dir: &Path) -> String {
    let store = FileStore::open_read_only(dir.join("ledger")).unwrap();
    store.checkpoint(store.checkpoint_count() - 1).unwrap()
}

/// Stores `note` as the newest checkpoint of the ledger directory `dir` (holding the fork
/// guard while the store is open for writing).
pub fn store_checkpoint(dir: &Path, note: &str) {
    let _guard = super::cli::fork_guard();
    let mut store = FileStore::open(dir.join("ledger")).unwrap();
    store.append_checkpoint(note).unwrap();
}

/// Cosigns the latest stored checkpoint of `dir` by `witnesses` (its log signature checked
/// with `DIR/ledger.vkey`) and stores the cosigned note: the stand-in for `liuhen seal
/// --witness`. Returns the cosigned note.
pub fn cosign_latest(dir: &Path, witnesses: &[&Witness]) -> String {
    let log = liuhen::keyfile::read_verifier_key(&dir.join("ledger.vkey")).unwrap();
    let note = cosigned(&latest_checkpoint(dir), &log, witnesses);
    store_checkpoint(dir, &note);
    note
}

/// A policy file's text: the log (if given), one `witness NAME VKEY` line per `(name, witness)`,
/// the `groups` lines as given, and `quorum QUORUM`.
pub fn policy_text(
    log: Option<&NoteVerifier>,
    witnesses: &[(&str, &Witness)],
    groups: &[&str],
    quorum: &str,
) -> String {
    let mut s = String::from("# witness policy (C2SP tlog-policy)\n");
    if let Some(log) = log {
        s.push_str(&format!("log {log}\n"));
    }
    for (name, w) in witnesses {
        s.push_str(&format!("witness {name} {}\n", w.vkey()));
    }
    for g in groups {
        s.push_str(&format!("group {g}\n"));
    }
    s.push_str(&format!("quorum {quorum}\n"));
    s
}

/// Writes `text` to `path` and returns the path as a string (for the command line).
pub fn write_policy(path: &Path, text: &str) -> String {
    std::fs::write(path, text).unwrap();
    path.to_str().unwrap().to_owned()
}
