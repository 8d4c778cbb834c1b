//! `AddCheckpointRequest::parse` (the tlog-witness add-checkpoint body a witness reads from the
//! network) on arbitrary bytes: never panics; an accepted body has at most 63 proof hashes, no
//! proof from size 0, and encodes back to exactly the input (one body, one encoding).
#![no_main]

use libfuzzer_sys::fuzz_target;
use liuhen::witness::{AddCheckpointRequest, MAX_PROOF_LINES};

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = AddCheckpointRequest::parse(data) {
        assert!(request.proof.len() <= MAX_PROOF_LINES, "too many proof lines accepted");
        assert!(request.old_size != 0 || request.proof.is_empty(), "proof from 0 accepted");
        assert_eq!(request.encode(), data, "request body does not round-trip");
    }
});
