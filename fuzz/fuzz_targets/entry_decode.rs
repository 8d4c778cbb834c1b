//! `Entry::from_bytes` on arbitrary bytes: never panics, and every accepted input is canonical
//! (it re-encodes to exactly the same bytes). Signature checking of a decoded entry must not
//! panic either, whatever key and signature bytes it carries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liuhen::Entry;

fuzz_target!(|data: &[u8]| {
    if let Ok(entry) = Entry::from_bytes(data) {
        let bytes = entry.to_bytes().expect("a decoded entry re-encodes");
        assert_eq!(bytes, data, "accepted entry bytes are not canonical");
        let _ = entry.statement.verify_signature();
    }
});
