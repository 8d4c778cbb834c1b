//! RFC 3161 responses and tokens (`liuhen::timestamp`) from arbitrary bytes: never panic, never
//! allocate past the 64 KiB limit; a token that verifies stamps exactly the checkpoint given.
//!
//! Seeds (corpus/timestamp_token): a response and its token made by `openssl ts -reply` for the
//! golden checkpoint below, with `timestamp_root.pem` as their root (so the seeds reach the
//! signature and path checks), and a truncated token.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use liuhen::checkpoint::Checkpoint;
use liuhen::hash::Digest;
use liuhen::timestamp::{
    message_imprint, parse_response, token_imprint, verify_token, TimestampRequest, TsaRoots,
};

fn checkpoint() -> Checkpoint {
    Checkpoint::new("example.gov.cn/enforcement", 7, Digest::from_bytes([0x11; 32]))
}

fn roots() -> &'static TsaRoots {
    static ROOTS: OnceLock<TsaRoots> = OnceLock::new();
    ROOTS.get_or_init(|| {
        TsaRoots::from_pem(include_bytes!("timestamp_root.pem")).expect("the seed root parses")
    })
}

fuzz_target!(|data: &[u8]| {
    let cp = checkpoint();
    let _ = parse_response(data);
    let _ = token_imprint(data);
    if let Ok(request) = TimestampRequest::with_nonce(&cp, [1, 2, 3, 4, 5, 6, 7, 8]) {
        let _ = request.token_from_response(data);
    }
    if verify_token(data, &cp, roots()).is_ok() {
        let imprint = token_imprint(data).expect("a verified token parses");
        assert_eq!(imprint, message_imprint(&cp), "verified token stamps another imprint");
    }
});
