//! `NoteVerifier::parse` and `parse_skey` on arbitrary strings: never panic; an accepted vkey
//! prints back as the input, and an accepted skey re-formats to the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liuhen::checkpoint::NoteVerifier;
use liuhen::keyfile::{format_skey, parse_skey};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = NoteVerifier::parse(s) {
        assert_eq!(v.to_string(), s, "vkey does not round-trip");
        // The key id of a parsed vkey always matches its name, type and key.
        let again = NoteVerifier::new(v.name(), v.signature_type(), *v.key())
            .expect("a parsed vkey can be rebuilt");
        assert_eq!(again, v);
    }
    if let Ok((name, key)) = parse_skey(s) {
        let back = format_skey(&name, &key).expect("a parsed skey re-formats");
        assert_eq!(back.as_str(), s, "skey does not round-trip");
    }
});
