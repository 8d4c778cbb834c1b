//! `SignedCheckpoint::parse` on arbitrary bytes, then log-signature and witness-cosignature
//! verification with fixed keys: never panics; an accepted checkpoint prints back as the input
//! and its body parses to the same checkpoint. `Checkpoint::parse_body` on the input as text:
//! never panics, and an accepted body re-serializes to the input.
//!
//! The fixed keys are the ones the seed corpus was signed with (see README.md), so the fuzzer
//! starts from checkpoints that verify.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use liuhen::checkpoint::{cosigners, verify_cosignature, Checkpoint, NoteVerifier, SignedCheckpoint};
use liuhen::{SecretKey, Signer};

/// Origin of the seed checkpoints and name of the log key.
const LOG_NAME: &str = "fuzz.example/log";
/// Name of the seed witness.
const WITNESS_NAME: &str = "fuzz.example/witness";
/// The test-vector ledger's vkey (tests/vectors/v1/ledger.vkey), for the vector checkpoints.
const VECTOR_VKEY: &str =
    "jinpu.dalian.gov.cn/minzheng/enforcement+2d416d03+AdBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3";

struct Keys {
    log: NoteVerifier,
    vector_log: NoteVerifier,
    witnesses: Vec<NoteVerifier>,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let log = SecretKey::from_seed(&[7; 32]).public_key();
        let witness = SecretKey::from_seed(&[8; 32]).public_key();
        Keys {
            log: NoteVerifier::for_key(LOG_NAME, log).expect("log vkey"),
            vector_log: NoteVerifier::parse(VECTOR_VKEY).expect("vector vkey"),
            witnesses: vec![
                NoteVerifier::for_witness(WITNESS_NAME, witness).expect("witness vkey"),
                // Same name and key as the log, but a witness key: a different key id.
                NoteVerifier::for_witness(LOG_NAME, log).expect("witness vkey"),
            ],
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let k = keys();
    if let Ok(signed) = SignedCheckpoint::parse(data) {
        assert_eq!(signed.to_string().as_bytes(), data, "signed checkpoint does not round-trip");
        assert_eq!(
            signed.checkpoint().to_body(),
            signed.note().text(),
            "checkpoint body differs from the note text"
        );
        for log in [&k.log, &k.vector_log] {
            if let Ok(verified) = signed.verify(log) {
                assert_eq!(verified.checkpoint(), signed.checkpoint());
                assert_eq!(verified.origin(), log.name());
            }
        }
        for w in &k.witnesses {
            if let Ok(ts) = verify_cosignature(&signed, w) {
                assert!(ts <= i64::MAX as u64);
            }
        }
        let _ = cosigners(&signed, &k.witnesses);
    }
    if let Ok(text) = core::str::from_utf8(data) {
        if let Ok(c) = Checkpoint::parse_body(text) {
            assert_eq!(c.to_body(), text, "checkpoint body does not round-trip");
        }
    }
});
