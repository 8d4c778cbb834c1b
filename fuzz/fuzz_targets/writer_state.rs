//! The writer-state reader (docs/FORMAT.md §22) on arbitrary bytes: never panics, never
//! allocates more than the input justifies, and what it accepts is consistent.
//!
//! The input is tried twice: as a stored state (almost always refused: the signature), and as
//! the body of a state that the fuzzer's fixed ledger key signs — so the strict decoder behind the
//! signature is exercised, with the genesis leaf hash taken from the input's first 32 bytes
//! (where the body carries it).
//!
//! Checked properties of an accepted state: it covers at least one entry, its frontier folds to
//! a root, and the same bytes are refused under another key or another genesis.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liuhen::hash::{labels, Digest};
use liuhen::ledger::WriterState;
use liuhen::{SecretKey, Signer};

fuzz_target!(|data: &[u8]| {
    let key = SecretKey::from_seed(&[0x11; 32]);
    let other = SecretKey::from_seed(&[0x22; 32]);
    let genesis = data
        .get(..32)
        .and_then(Digest::from_slice)
        .unwrap_or(Digest::ZERO);

    let _ = WriterState::verify(data, &key.public_key(), &genesis);

    let mut signed = labels::WRITER_STATE.to_vec();
    signed.extend_from_slice(data);
    let signature = key.sign(&signed).expect("an in-memory key signs");
    signed.extend_from_slice(signature.as_bytes());
    if let Ok(state) = WriterState::verify(&signed, &key.public_key(), &genesis) {
        assert!(state.size() >= 1, "a state covers the genesis at least");
        let _ = state.root();
        assert!(WriterState::verify(&signed, &other.public_key(), &genesis).is_err());
        let mut elsewhere = *genesis.as_bytes();
        elsewhere[0] ^= 1;
        assert!(
            WriterState::verify(&signed, &key.public_key(), &Digest::from_bytes(elsewhere))
                .is_err()
        );
    }
});
