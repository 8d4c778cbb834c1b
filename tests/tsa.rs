//! Trusted time: RFC 3161 tokens over checkpoints from a real TSA (`liuhen dev-tsa`, whose tokens
//! `openssl ts -reply` makes), verified by liuhen and, independently, by `openssl ts -verify`;
//! and every forgery an attacker tries, each rejected with its own error.
//!
//! Needs `openssl`; without it these tests fail saying so (CI installs it).
mod common;

use std::path::Path;
use std::time::Duration;

use common::cli::liuhen;
use common::dir::{tmp_dir, AuditedDir};
use common::tsa::{gen_time_offset, openssl, require_openssl, resign_without_eku, DevTsa};
use liuhen::checkpoint::Checkpoint;
use liuhen::timestamp::{
    message_imprint, stamp_checkpoint, stamped_message, stored_checkpoints, stored_tokens,
    verify_token, StampedCheckpoint, TimestampError, TimestampRequest, TsaRoots, TsaTransport,
};
use liuhen_http::tsa::HttpTsa;

/// A ledger made by `liuhen init` in `tmp/NAME/ledger`, a dev TSA (`ec` or `rsa`) in
/// `tmp/NAME/tsa`, and the ledger's latest checkpoint.
fn setup(name: &str, key: &str) -> (std::path::PathBuf, AuditedDir, DevTsa, Checkpoint) {
    let root = tmp_dir(name);
    let dir = AuditedDir::init(root.join("ledger"));
    let tsa = DevTsa::start(&root.join("tsa"), key);
    let checkpoint = latest_checkpoint(&dir);
    (root, dir, tsa, checkpoint)
}

/// `liuhen timestamp verify DIR --tsa-root ROOT` exits with `code` and says `needle` on stdout.
fn expect_verify(dir: &AuditedDir, root: &Path, code: i32, needle: &str) {
    let out = liuhen(["timestamp", "verify", s(&dir.dir), "--tsa-root", s(root)]);
    assert_eq!(out.status.code(), Some(code), "{out:?}");
    assert!(stdout(&out).contains(needle), "{}", stdout(&out));
}

/// Writes `token` as `DIR/timestamps/NAME` by hand (what someone with write access does).
fn plant(dir: &AuditedDir, name: &str, token: &[u8]) {
    let ts = dir.dir.join("timestamps");
    std::fs::create_dir_all(&ts).unwrap();
    std::fs::write(ts.join(name), token).unwrap();
}

fn transport(tsa: &DevTsa) -> HttpTsa {
    HttpTsa::new(&tsa.url, Duration::from_secs(60)).unwrap()
}

fn roots(tsa: &DevTsa) -> TsaRoots {
    TsaRoots::read(&tsa.root()).unwrap()
}

fn latest_checkpoint(dir: &AuditedDir) -> Checkpoint {
    stored_checkpoints(&dir.store()).unwrap().pop().unwrap()
}

fn stamp(tsa: &DevTsa, checkpoint: &Checkpoint) -> StampedCheckpoint {
    stamp_checkpoint(&transport(tsa), checkpoint, &roots(tsa)).unwrap()
}

fn now_ms() -> i64 {
    use liuhen::Clock as _;
    liuhen::SystemClock.now().millis()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `openssl ts -verify` on the stamped message, the token and the root: what a court runs.
fn openssl_verify(work: &Path, checkpoint: &Checkpoint, token: &[u8], root: &Path) -> String {
    std::fs::write(work.join("checkpoint.msg"), stamped_message(checkpoint)).unwrap();
    std::fs::write(work.join("token.tst"), token).unwrap();
    openssl(
        work,
        &[
            "ts",
            "-verify",
            "-data",
            "checkpoint.msg",
            "-in",
            "token.tst",
            "-token_in",
            "-CAfile",
            s(root),
        ],
    )
}

#[test]
fn openssl_made_token_for_a_sealed_checkpoint_verifies_and_openssl_agrees() {
    let root = tmp_dir("tsa-genuine");
    let dir = AuditedDir::init(root.join("ledger"));
    let tsa = DevTsa::start(&root.join("tsa"), "ec");
    let before = now_ms() / 1000 * 1000;

    // The CLI: stamp the latest checkpoint, then verify what it stored.
    let out = liuhen([
        "timestamp",
        s(&dir.dir),
        "--tsa",
        &tsa.url,
        "--tsa-root",
        s(&tsa.root()),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout(&out).contains("genTime "), "{}", stdout(&out));
    expect_verify(&dir, &tsa.root(), 0, "1 ok");

    // The stored token, by the library: the checkpoint's, by this TSA, at about now.
    let checkpoint = latest_checkpoint(&dir);
    let stored = stored_tokens(&dir.dir).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].size, Some(checkpoint.size));
    assert_eq!(stored[0].root_hex, Some(checkpoint.root.to_hex()));
    let v = verify_token(&stored[0].token, &checkpoint, &roots(&tsa)).unwrap();
    assert!(v.gen_time.millis() >= before && v.gen_time.millis() <= now_ms());
    assert_eq!(v.tsa_subject, "CN=liuhen development TSA");
    assert_eq!(v.policy, liuhen_http::tsa::DEV_POLICY);

    // Independently: openssl agrees on the same bytes.
    let said = openssl_verify(&root, &checkpoint, &stored[0].token, &tsa.root());
    assert!(said.contains("Verification: OK"), "{said}");
}

#[test]
fn rsa_tsa_token_verifies_and_openssl_agrees() {
    let (root, _dir, tsa, checkpoint) = setup("tsa-rsa", "rsa");
    let stamped = stamp(&tsa, &checkpoint);
    assert_eq!(
        verify_token(&stamped.token, &checkpoint, &roots(&tsa)).unwrap(),
        stamped.verified
    );
    let said = openssl_verify(&root, &checkpoint, &stamped.token, &tsa.root());
    assert!(said.contains("Verification: OK"), "{said}");
}

#[test]
fn token_for_another_checkpoint_is_rejected() {
    let root = tmp_dir("tsa-other-checkpoint");
    let dir = AuditedDir::init(root.join("ledger"));
    let other = AuditedDir::init(root.join("other"));
    let tsa = DevTsa::start(&root.join("tsa"), "ec");
    let (ours, theirs) = (latest_checkpoint(&dir), latest_checkpoint(&other));
    assert_ne!(message_imprint(&ours), message_imprint(&theirs));
    let foreign = stamp(&tsa, &theirs);

    let err = verify_token(&foreign.token, &ours, &roots(&tsa)).unwrap_err();
    assert!(
        matches!(err, TimestampError::ImprintMismatch { .. }),
        "{err}"
    );
    assert!(err.is_tampering());

    // Planted in the ledger under our checkpoint's name: the verifier matches by imprint, not
    // by name, and finds it stamps no checkpoint of this ledger (exit 1).
    let name = format!("{}-{}.tsr", ours.size, ours.root.to_hex());
    plant(&dir, &name, &foreign.token);
    expect_verify(&dir, &tsa.root(), 1, "no stored checkpoint");
}

#[test]
fn stored_token_is_matched_by_imprint_not_by_file_name() {
    let (_root, dir, tsa, checkpoint) = setup("tsa-renamed", "ec");
    let stamped = stamp(&tsa, &checkpoint);
    plant(&dir, &format!("999-{}.tsr", "0".repeat(64)), &stamped.token);
    let said = format!("checkpoint size {}", checkpoint.size);
    expect_verify(&dir, &tsa.root(), 0, &said);
}

#[test]
fn token_from_a_tsa_not_under_the_configured_root_is_rejected() {
    let root = tmp_dir("tsa-rogue-root");
    let dir = AuditedDir::init(root.join("ledger"));
    let trusted = DevTsa::start(&root.join("trusted"), "ec");
    let rogue = DevTsa::start(&root.join("rogue"), "ec");
    let checkpoint = latest_checkpoint(&dir);
    // A genuine openssl token, by a TSA the verifier was not told to trust.
    let stamped = stamp(&rogue, &checkpoint);
    let err = verify_token(&stamped.token, &checkpoint, &roots(&trusted)).unwrap_err();
    assert!(matches!(err, TimestampError::Untrusted(_)), "{err}");
    assert!(
        err.to_string()
            .contains("does not chain to a configured TSA root"),
        "{err}"
    );
    assert!(!err.is_tampering());

    // stamp_checkpoint never returns (so never stores) it.
    let err = stamp_checkpoint(&transport(&rogue), &checkpoint, &roots(&trusted)).unwrap_err();
    assert!(matches!(err, TimestampError::Untrusted(_)), "{err}");
    let out = liuhen([
        "timestamp",
        s(&dir.dir),
        "--tsa",
        &rogue.url,
        "--tsa-root",
        s(&trusted.root()),
    ]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(stored_tokens(&dir.dir).unwrap().is_empty());

    // Stored anyway (by hand): cannot be checked, exit 4.
    liuhen::timestamp::store_token(&dir.dir, &checkpoint, &stamped.token).unwrap();
    expect_verify(&dir, &trusted.root(), 4, "UNCHECKED");
}

#[test]
fn certificate_without_timestamping_eku_is_rejected() {
    let (root, _dir, tsa, checkpoint) = setup("tsa-no-eku", "ec");
    let genuine = stamp(&tsa, &checkpoint);
    // The same TSTInfo re-signed by a certificate of the same root that is not a TSA's.
    let forged = resign_without_eku(&tsa, &genuine.token, &root.join("forge"));
    let err = verify_token(&forged, &checkpoint, &roots(&tsa)).unwrap_err();
    assert!(
        matches!(err, TimestampError::NotTimestampingCertificate(_)),
        "{err}"
    );
    assert!(err.to_string().contains("no extended key usage"), "{err}");
}

#[test]
fn tampered_gen_time_byte_is_rejected() {
    let (_root, dir, tsa, checkpoint) = setup("tsa-tampered-gentime", "ec");
    let mut token = stamp(&tsa, &checkpoint).token;
    // Back-date the token by a year: 2026 → 2025 in the genTime digits.
    let at = gen_time_offset(&token) + 3;
    token[at] = if token[at] == b'0' {
        b'1'
    } else {
        token[at] - 1
    };
    let err = verify_token(&token, &checkpoint, &roots(&tsa)).unwrap_err();
    assert!(
        matches!(err, TimestampError::MessageDigestMismatch),
        "{err}"
    );
    assert!(err.is_tampering());

    liuhen::timestamp::store_token(&dir.dir, &checkpoint, &token).unwrap();
    expect_verify(&dir, &tsa.root(), 1, "TAMPERED");
}

#[test]
fn tampered_signature_byte_is_rejected() {
    let (_root, _dir, tsa, checkpoint) = setup("tsa-tampered-signature", "rsa");
    let mut token = stamp(&tsa, &checkpoint).token;
    // The RSA signature is the token's last 256 bytes (no unsigned attributes).
    let at = token.len() - 10;
    token[at] ^= 0x01;
    let err = verify_token(&token, &checkpoint, &roots(&tsa)).unwrap_err();
    assert!(matches!(err, TimestampError::BadSignature), "{err}");
}

#[test]
fn truncated_and_garbage_tokens_are_rejected() {
    let (_root, _dir, tsa, checkpoint) = setup("tsa-garbage", "ec");
    let token = stamp(&tsa, &checkpoint).token;
    let roots = roots(&tsa);
    for cut in [0, 1, 2, 10, token.len() / 2, token.len() - 1] {
        let err = verify_token(&token[..cut], &checkpoint, &roots).unwrap_err();
        assert!(err.is_tampering(), "cut at {cut}: {err}");
    }
    let err = verify_token(b"not a token at all", &checkpoint, &roots).unwrap_err();
    assert!(matches!(err, TimestampError::Malformed { .. }), "{err}");
    let err = verify_token(&vec![0x30; 70_000], &checkpoint, &roots).unwrap_err();
    assert!(matches!(err, TimestampError::TooLarge { .. }), "{err}");
}

#[test]
fn response_with_a_wrong_nonce_is_rejected() {
    let (_root, _dir, tsa, checkpoint) = setup("tsa-wrong-nonce", "ec");
    let first = TimestampRequest::new(&checkpoint).unwrap();
    let second = TimestampRequest::new(&checkpoint).unwrap();
    let response = transport(&tsa).stamp(first.der()).unwrap();
    assert!(first.token_from_response(&response).is_ok());
    // The TSA's answer to another request (replayed or misrouted), same checkpoint.
    let err = second.token_from_response(&response).unwrap_err();
    assert!(matches!(err, TimestampError::NonceMismatch), "{err}");
}

#[test]
fn dev_tsa_without_openssl_says_so() {
    require_openssl();
    let root = tmp_dir("tsa-no-openssl");
    let empty = root.join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let out = std::process::Command::new(common::cli::liuhen_bin())
        .args(["dev-tsa", s(&root.join("tsa")), "--listen", "127.0.0.1:0"])
        .env("PATH", &empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("openssl") && err.contains("not installed"),
        "{err}"
    );
}
