//! `Note::parse` on arbitrary bytes: never panics, and every accepted note serializes back to
//! exactly the input (the parser is strict and canonical).
#![no_main]

use libfuzzer_sys::fuzz_target;
use liuhen::checkpoint::Note;

fuzz_target!(|data: &[u8]| {
    if let Ok(note) = Note::parse(data) {
        assert_eq!(note.to_string().as_bytes(), data, "note does not round-trip");
        // The invariant of `Note`: at least one signature, text ends in a newline.
        assert!(!note.signatures().is_empty());
        assert!(note.text().ends_with('\n'));
    }
});
