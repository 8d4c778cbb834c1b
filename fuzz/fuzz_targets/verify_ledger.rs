//! `verify_parts` on arbitrary entry bytes and checkpoint texts: never panics, and the report is
//! consistent with what it was given (counts; a `Verified` verdict has no findings, a trust
//! anchor, and a checkpoint covering every entry).
//!
//! Input layout:
//!
//! ```text
//! flags u8 | n u8 | n x (len u16 LE | entry bytes) | checkpoint texts separated by "-----\n"
//! ```
//!
//! Flags: bit 0 trusts the test-vector ledger key (tests/vectors/v1/ledger.vkey); bit 1 takes
//! the last checkpoint text as the auditor's trusted checkpoint; bit 2 verifies in chunks of
//! 2 entries instead of the default. Truncated entries are kept as they are. Run with a small
//! `-max_len` (see README.md): the cost is a signature check per entry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liuhen::checkpoint::NoteVerifier;
use liuhen::{verify_parts, Verdict, VerifyOptions};

const VECTOR_VKEY: &str =
    "jinpu.dalian.gov.cn/minzheng/enforcement+2d416d03+AdBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3";

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Some((&n, mut rest)) = rest.split_first() else {
        return;
    };
    let mut entries: Vec<Vec<u8>> = Vec::new();
    for _ in 0..n {
        let len = match rest {
            [a, b, tail @ ..] => {
                rest = tail;
                usize::from(u16::from_le_bytes([*a, *b]))
            }
            _ => {
                rest = &[];
                0
            }
        };
        let (e, tail) = rest.split_at(len.min(rest.len()));
        entries.push(e.to_vec());
        rest = tail;
    }
    let text = String::from_utf8_lossy(rest);
    let mut checkpoints: Vec<String> = text
        .split("-----\n")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();

    let mut options = VerifyOptions::default();
    if flags & 1 != 0 {
        options.trusted_key = Some(NoteVerifier::parse(VECTOR_VKEY).expect("vector vkey"));
    }
    if flags & 2 != 0 {
        options.trusted_checkpoint = checkpoints.pop();
    }
    if flags & 4 != 0 {
        options.chunk_size = 2;
    }

    let report = verify_parts(entries.iter().cloned().map(Ok), &checkpoints, &options);
    assert_eq!(report.entries, entries.len() as u64);
    assert_eq!(report.checkpoints, checkpoints.len() as u64);
    assert!(report.checkpoints_verified <= report.checkpoints);
    assert!(report.findings.len() <= options.max_findings);
    if report.verdict == Verdict::Verified {
        assert!(report.findings.is_empty() && report.findings_omitted == 0);
        assert!(options.trusted_key.is_some());
        let latest = report.latest_verified.as_ref().expect("a verified ledger has a checkpoint");
        assert_eq!(latest.size, report.entries);
    }
});
