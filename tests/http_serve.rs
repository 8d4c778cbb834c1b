//! `liuhen serve` starts on a ledger directory, answers, and stops gracefully on SIGTERM.
mod common;

use common::dir::AuditedDir;
use common::http::{client, Served};

#[test]
fn serve_starts_answers_and_stops_on_sigterm() {
    let dir = AuditedDir::init(common::dir::tmp_dir("http-serve-start"));
    let served = Served::start(&dir.dir, &[]);
    assert!(
        served.url.starts_with("http://127.0.0.1:"),
        "{}",
        served.url
    );
    // An unknown path is a 404, not a hang or a crash.
    let r = client()
        .get(served.at("/no/such/path"))
        .send()
        .expect("GET");
    assert_eq!(r.status().as_u16(), 404);
    let (status, _) = served.stop();
    assert!(status.success(), "SIGTERM is a clean stop: {status:?}");
}

#[test]
fn serve_refuses_a_directory_that_is_not_a_ledger() {
    let root = common::dir::tmp_dir("http-serve-not-a-ledger");
    std::fs::create_dir_all(&root).unwrap();
    let out = common::cli::liuhen(["serve", root.to_str().unwrap(), "--listen", "127.0.0.1:0"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot serve"), "{err}");
}
