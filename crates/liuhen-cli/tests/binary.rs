//! Smoke test of the built binary. Its other purpose: an integration test in this package makes
//! `cargo test --workspace` build `target/<profile>/liuhen` fresh, which the end-to-end tests in
//! the workspace's `tests/` run (see `tests/common/mod.rs`).
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn version_and_usage_exit_codes() {
    let exe = env!("CARGO_BIN_EXE_liuhen");
    let out = Command::new(exe).arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("liuhen "));
    // A usage error is exit 3 (2 is reserved for compliance findings).
    let out = Command::new(exe).arg("--no-such-flag").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-such-flag"));
}
