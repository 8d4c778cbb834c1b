//! What `liuhen append` and `liuhen bundle export --openings` read, on arbitrary bytes: the
//! streaming JSON value reader of `liuhen::ingest` (bracket counting, byte-order mark, line and
//! value limits enforced while reading), the strict parse of each value as a signed and as an
//! unsigned statement, and the openings file of `liuhen::disclosure::read_openings`. Nothing may
//! panic; the reader never takes more bytes than the input has nor returns a value larger than
//! the statement limit allows; an accepted signed statement serialises to JSON that parses back to
//! the same statement.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liuhen::ingest::{parse, ValueReader};

fuzz_target!(|data: &[u8]| {
    let mut reader = ValueReader::new(data);
    let mut values = 0usize;
    loop {
        let value = match reader.next_value() {
            Ok(Some(v)) => v,
            Ok(None) | Err(_) => break,
        };
        values += 1;
        assert!(value.line >= 1 && value.column >= 1);
        assert!(value.bytes.len() <= data.len());
        if let Ok(st) = parse::signed(&value) {
            let json = serde_json::to_string(&st).expect("an accepted statement serializes");
            let back: liuhen::SignedStatement =
                serde_json::from_str(&json).expect("and parses back");
            assert_eq!(back, st);
        }
        let _ = parse::unsigned(&value);
        // Every value holds at least one byte of the input.
        assert!(values <= data.len());
    }
    assert!(reader.consumed() <= data.len() as u64);
    let _ = liuhen::disclosure::read_openings(data, "fuzz");
});
