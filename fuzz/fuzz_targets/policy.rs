//! `WitnessPolicy::parse` (C2SP tlog-policy files) on arbitrary bytes: never panics, never
//! allocates beyond its limits; an accepted policy is within the limits, its quorum is met when
//! every listed witness cosigned and (unless `quorum none`) not when none did, and evaluating it
//! on a fixed signed checkpoint never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liuhen::checkpoint::{Checkpoint, SignedCheckpoint};
use liuhen::hash::Digest;
use liuhen::keys::SecretKey;
use liuhen::policy::{WitnessPolicy, MAX_LOGS, MAX_WITNESSES};

fuzz_target!(|data: &[u8]| {
    let Ok(p) = WitnessPolicy::parse(data) else {
        return;
    };
    assert!(p.logs().len() <= MAX_LOGS);
    assert!(p.witnesses().len() <= MAX_WITNESSES);
    let n = p.witnesses().len();
    assert!(p.quorum_met_by(&vec![true; n]), "all witnesses must meet any quorum");
    assert_eq!(p.quorum_met_by(&vec![false; n]), p.requires_none());
    let _ = p.describe_quorum();
    let key = SecretKey::from_seed(&[7; 32]);
    let checkpoint = Checkpoint::new("fuzz.example/log", 3, Digest::from_bytes([1; 32]));
    if let Ok(signed) = SignedCheckpoint::sign(checkpoint, &key) {
        if let Ok(c) = p.check(&signed) {
            assert_eq!(c.met, c.why_not.is_none());
        }
    }
});
