//! The checkpoints `liuhen seal` prints are standard C2SP signed notes: an independent
//! implementation (Cloudflare's `signed_note` crate, a port of Go's `golang.org/x/mod/sumdb/note`)
//! verifies them with the vkey that `liuhen init` or `liuhen keygen` printed, and refuses every
//! copy with one byte changed.
//!
//! Run alone with `cargo build -p liuhen-cli && cargo test --test cli_c2sp`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::cli::{expect_code, liuhen, scratch};
use liuhen::checkpoint::{Checkpoint, NoteVerifier, SignedCheckpoint};
use serde_json::Value;
use signed_note::{Note, StandardVerifier, VerifierList};

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Verifies `note` with `signed_note` given only `vkey`; returns the note text on success.
fn independent_verify(note: &[u8], vkey: &str) -> Result<Vec<u8>, String> {
    let verifier = StandardVerifier::new(vkey).map_err(|e| format!("vkey: {e}"))?;
    let known = VerifierList::new(vec![Box::new(verifier)]);
    let note = Note::from_bytes(note).map_err(|e| format!("parse: {e}"))?;
    let (verified, _) = note.verify(&known).map_err(|e| format!("verify: {e}"))?;
    if verified.len() != 1 {
        return Err(format!("{} verified signatures", verified.len()));
    }
    Ok(note.text().to_vec())
}

/// Appends one statement so that the next checkpoint covers more than genesis.
fn append_one(dir: &Path, key: &Path, n: usize) {
    let input = format!(
        "{{\"event\": {{\"RecordViewed\": {{\"subject\": {{\"Case\": \"c-{n}\"}}, \"by\": \"21020009\", \"purpose\": \"复核\"}}}}}}\n"
    );
    let out = common::cli::liuhen_stdin(
        ["append", path_str(dir), "--sign-with", path_str(key)],
        input.as_bytes(),
    );
    expect_code(&out, 0);
}

/// Every single-byte change of `note` is refused by `signed_note` and by liuhen.
fn assert_every_byte_matters(note: &str, vkey: &str) {
    let liuhen_key = NoteVerifier::parse(vkey).unwrap();
    let bytes = note.as_bytes();
    for i in 0..bytes.len() {
        for flip in [0x01u8, 0x20, 0x80] {
            let mut changed = bytes.to_vec();
            changed[i] ^= flip;
            assert!(
                independent_verify(&changed, vkey).is_err(),
                "signed_note accepted the checkpoint with byte {i} xor {flip:#04x}:\n{}",
                String::from_utf8_lossy(&changed)
            );
            let ours = SignedCheckpoint::parse(&changed).and_then(|c| c.verify(&liuhen_key));
            assert!(ours.is_err(), "liuhen accepted byte {i} xor {flip:#04x}");
        }
    }
}

#[test]
fn seal_output_verifies_with_signed_note_and_the_init_vkey() {
    let s = scratch("c2sp-init");
    let dir = s.join("ledger-dir");
    let (init, _) = common::cli::init_json(&dir);
    let vkey = init["vkey"].as_str().unwrap();
    let key = dir.join("keys/ledger.key");

    // The first checkpoint, made by init.
    let first = init["checkpoint"].as_str().unwrap();
    let text = independent_verify(first.as_bytes(), vkey).unwrap();
    let body = Checkpoint::parse_body(std::str::from_utf8(&text).unwrap()).unwrap();
    assert_eq!((body.origin.as_str(), body.size), (common::ORIGIN, 1));

    // Checkpoints printed by `liuhen seal`, as text and in JSON, as the ledger grows.
    for n in 1..=3 {
        append_one(&dir, &key, n);
        let out = liuhen(["seal", path_str(&dir), "--key-file", path_str(&key)]);
        let note = expect_code(&out, 0);
        let text = independent_verify(note.as_bytes(), vkey).unwrap();
        let body = Checkpoint::parse_body(std::str::from_utf8(&text).unwrap()).unwrap();
        assert_eq!(body.size, 1 + n as u64);
        assert_eq!(body.origin, common::ORIGIN);
        // Printed byte for byte: the note ends with its signature line's newline, nothing more.
        assert!(note.ends_with("=\n"), "{note:?}");
        assert_eq!(note.matches("\n\n").count(), 1, "{note:?}");
    }
    let out = liuhen([
        "seal",
        path_str(&dir),
        "--key-file",
        path_str(&key),
        "--json",
    ]);
    let sealed: Value = serde_json::from_str(&expect_code(&out, 0)).unwrap();
    let note = sealed["note"].as_str().unwrap();
    let text = independent_verify(note.as_bytes(), vkey).unwrap();
    let body = Checkpoint::parse_body(std::str::from_utf8(&text).unwrap()).unwrap();
    assert_eq!(body.size, sealed["size"].as_u64().unwrap());
    assert_eq!(body.root.to_hex(), sealed["root"].as_str().unwrap());

    assert_every_byte_matters(note, vkey);

    // The vkey of another ledger (same origin, another key) does not verify it.
    let other = scratch("c2sp-init-other").join("ledger-dir");
    let out = liuhen(["init", path_str(&other), "--origin", common::ORIGIN]);
    let other_vkey = expect_code(&out, 0);
    assert!(independent_verify(note.as_bytes(), other_vkey.trim_end()).is_err());
}

#[test]
fn seal_output_verifies_with_signed_note_and_the_keygen_vkey() {
    let s = scratch("c2sp-keygen");
    let key = s.join("ledger.key");
    let out = liuhen(["keygen", "--name", common::ORIGIN, path_str(&key)]);
    let vkey = expect_code(&out, 0).trim_end().to_owned();
    // The vkey file keygen wrote, as a verifier would receive it.
    let vkey_file = std::fs::read_to_string(s.join("ledger.key.vkey")).unwrap();
    assert_eq!(vkey_file.trim_end(), vkey);

    let dir = s.join("ledger-dir");
    let out = liuhen([
        "init",
        path_str(&dir),
        "--origin",
        common::ORIGIN,
        "--key",
        path_str(&key),
    ]);
    assert_eq!(
        expect_code(&out, 0).trim_end(),
        vkey,
        "init prints the same vkey"
    );
    assert!(
        !dir.join("keys").exists(),
        "no key generated when one is given"
    );

    append_one(&dir, &key, 1);
    let out = liuhen(["seal", path_str(&dir), "--key-file", path_str(&key)]);
    let note = expect_code(&out, 0);
    let text = independent_verify(note.as_bytes(), &vkey).unwrap();
    let body = Checkpoint::parse_body(std::str::from_utf8(&text).unwrap()).unwrap();
    assert_eq!(body.size, 2);
    assert_every_byte_matters(&note, &vkey);
}
