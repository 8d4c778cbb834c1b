//! The decoding of a `POST /v1/statements` body (`liuhen::ingest::body::decode_body`) on
//! arbitrary bytes, under each content type: never panic, never accept what the ledger could
//! not store, and what is accepted is consistent.
//!
//! The first byte picks the kind (JSON, JSON Lines, binary); the rest is the body.
//!
//! Checked properties:
//! * an error names a line within the body and has a class that is an input's
//!   (malformed, too large; never tampering or unavailable);
//! * a JSON body yields exactly one statement, a binary body exactly one at line 1;
//! * every accepted statement re-encodes: its binary encoding decodes to the same statement,
//!   and its JSON decodes (as a JSON body) to the same statement;
//! * lines are increasing and within the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liuhen::ingest::body::{decode_body, BodyKind};
use liuhen::{ErrorClass, SignedStatement};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let kind = match selector % 3 {
        0 => BodyKind::Json,
        1 => BodyKind::JsonLines,
        _ => BodyKind::Binary,
    };
    let lines_in_body = body.iter().filter(|&&b| b == b'\n').count() + 1;
    match decode_body(kind, body) {
        Err(e) => {
            assert!(
                matches!(e.class(), ErrorClass::Malformed | ErrorClass::TooLarge),
                "a body is refused as input, not as {:?}: {e}",
                e.class()
            );
            if let Some(line) = e.line() {
                assert!(line >= 1 && line <= lines_in_body, "line {line}: {e}");
            }
        }
        Ok(statements) => {
            match kind {
                BodyKind::Json => assert_eq!(statements.len(), 1),
                BodyKind::Binary => {
                    assert_eq!(statements.len(), 1);
                    assert_eq!(statements[0].line, 1);
                }
                BodyKind::JsonLines => {}
            }
            let mut last = 0;
            for s in &statements {
                assert!(s.line > last || (kind != BodyKind::JsonLines && s.line == 1));
                assert!(s.line <= lines_in_body);
                last = s.line;
                if let Ok(bytes) = s.statement.to_bytes() {
                    let back = SignedStatement::from_bytes(&bytes).expect("own encoding decodes");
                    assert_eq!(back, s.statement, "binary round trip");
                }
                let json = serde_json::to_vec(&s.statement).expect("serializes");
                let again = decode_body(BodyKind::Json, &json).expect("own JSON decodes");
                assert_eq!(again[0].statement, s.statement, "JSON round trip");
            }
        }
    }
});
