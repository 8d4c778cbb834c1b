//! The case-bundle reader and verifier and the portable-proof parser and verifier on arbitrary
//! bytes: never panic, never allocate more than the input justifies (manifest lengths are
//! checked before reading and read incrementally; media are streamed), and what is accepted is
//! consistent.
//!
//! The same input is tried as a bundle and as a proof document; the seeds hold both. Both are
//! verified with the test-vector ledger key (tests/vectors/v1/ledger.vkey), under which the
//! seeds were made (`cargo test --test bundle -- --ignored write_fuzz_seeds`).
//!
//! Checked properties:
//! * an accepted manifest re-encodes (`write_header`) to exactly the bytes it was read from;
//! * `verify` fails only with a malformed-input error; a `Verified` report has no findings, a
//!   verified checkpoint, and every entry included in it;
//! * an accepted proof document prints (`to_json`) a document that parses back to the same
//!   proof, and its verification fails only with a verification error.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use liuhen::bundle::{verify, BundleManifest, PortableProof};
use liuhen::checkpoint::NoteVerifier;
use liuhen::verify::Verdict;

const VECTOR_VKEY: &str =
    "jinpu.dalian.gov.cn/minzheng/enforcement+2d416d03+AdBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3";

fuzz_target!(|data: &[u8]| {
    let vkey = NoteVerifier::parse(VECTOR_VKEY).expect("vector vkey");

    let mut cursor = Cursor::new(data);
    if let Ok(manifest) = BundleManifest::read(&mut cursor) {
        let mut header = Vec::new();
        let n = manifest
            .write_header(&mut header)
            .expect("an accepted manifest re-encodes");
        assert_eq!(n, cursor.position(), "header length");
        assert_eq!(
            data.get(..header.len()),
            Some(header.as_slice()),
            "canonical manifest"
        );
    }

    match verify(Cursor::new(data), &vkey) {
        Err(e) => assert!(e.is_malformed(), "reading a bundle failed otherwise: {e}"),
        Ok(report) => {
            if report.verdict == Verdict::Verified {
                assert!(report.findings.is_empty() && report.findings_omitted == 0);
                assert!(report.checkpoint.is_some(), "verified without a checkpoint");
                assert!(
                    report.entries.iter().all(|e| e.included),
                    "verified, not included"
                );
                assert!(report.case_entries > 0);
            }
        }
    }

    if let Ok(proof) = PortableProof::from_json(data) {
        let again = PortableProof::from_json(proof.to_json().as_bytes())
            .expect("a proof's own JSON parses");
        assert_eq!(again, proof, "JSON round trip");
        if let Err(e) = proof.verify(&vkey) {
            assert!(
                e.is_verification_failure(),
                "checking a proof failed otherwise: {e}"
            );
        }
    }
});
