//! `SealState::parse` on arbitrary bytes (the seal-state file kept beside the ledger key, which
//! an outsider with access to that directory could plant): never panics, and an accepted state
//! prints back byte for byte (one state, one text).
#![no_main]

use libfuzzer_sys::fuzz_target;
use liuhen::ledger::SealState;

fuzz_target!(|data: &[u8]| {
    if let Ok(state) = SealState::parse(data) {
        assert_eq!(
            state.to_text().as_bytes(),
            data,
            "accepted seal state is not canonical"
        );
    }
});
