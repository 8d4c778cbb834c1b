//! Media destroyed on disk, end to end with the real binary (issue 11 item 4): a media file
//! replaced by a dangling symbolic link, a directory or a FIFO is destruction of evidence
//! (Art. 21(5)) — `liuhen verify` exits 1 with a named media finding, never 4 ("not fully
//! verified") or 3 ("I/O error"), and never blocks on the FIFO.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::cli::{authorize, describe, expect_code, liuhen, liuhen_stdin, scratch, Whom};
use liuhen::media::MediaStore;
use liuhen::model::MediaRef;
use serde_json::Value;

const CASE: &str = "金民执〔2026〕41号";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Runs `liuhen ARGS`, killed by a generous watchdog if it has not finished (a verifier that
/// opens a FIFO blocks forever).
fn liuhen_watched(args: &[&str]) -> Output {
    let child = common::cli::spawn(args, std::process::Stdio::null());
    common::cli::wait_or_kill(child, Duration::from_secs(120), &format!("liuhen {args:?}"))
}

/// A ledger directory made with `liuhen init`, one case with `n` documents stored in its media
/// directory, sealed. Returns (root, dir, vkey file, the documents).
fn ledger_with_documents(name: &str, n: usize) -> (PathBuf, PathBuf, PathBuf, Vec<MediaRef>) {
    let root = scratch(name);
    let dir = root.join("jinpu");
    let init = json(&expect_code(
        &liuhen(["init", s(&dir), "--origin", common::ORIGIN, "--json"]),
        0,
    ));
    let vkey = root.join("auditor.vkey");
    std::fs::write(&vkey, format!("{}\n", init["vkey"].as_str().unwrap())).unwrap();
    let officer = root.join("officer.key");
    expect_code(
        &liuhen(["keygen", "--name", "officer-21020001", s(&officer)]),
        0,
    );
    let ledger_key = dir.join("keys/ledger.key");
    expect_code(
        &authorize(
            s(&dir),
            s(&ledger_key),
            Whom::VkeyOf(&format!("{}.vkey", s(&officer))),
            "officer",
            "21020001",
            &[],
        ),
        0,
    );
    let media = MediaStore::open(dir.join("media")).unwrap();
    let mut events = vec![serde_json::json!({ "CaseOpened": {
        "case_no": CASE,
        "act": "Inspection",
        "matter": "年度检查 annual inspection",
        "unit": "社会组织管理科",
        "subject": "ab".repeat(32),
    }})];
    let mut docs = Vec::new();
    for i in 0..n {
        let path = root.join(format!("record-{i}.pdf"));
        std::fs::write(&path, format!("现场检查笔录 {i} of {CASE}")).unwrap();
        let out = liuhen(["digest", s(&path), "--json", "--mime", "application/pdf"]);
        let v = json(&expect_code(&out, 0));
        let m: MediaRef = serde_json::from_value(v.clone()).unwrap();
        media.put_file(&path, &m).unwrap();
        events.push(serde_json::json!({ "DocumentFiled": {
            "case_no": CASE,
            "stage": "Investigation",
            "kind": "InvestigationRecord",
            "media": v,
            "officers": ["21020001"],
        }}));
        docs.push(m);
    }
    let input: String = events
        .iter()
        .map(|e| format!("{}\n", serde_json::json!({ "event": e })))
        .collect();
    let out = liuhen_stdin(
        ["append", s(&dir), "--sign-with", s(&officer), "-"],
        input.as_bytes(),
    );
    expect_code(&out, 0);
    expect_code(&liuhen(["seal", s(&dir), "--key-file", s(&ledger_key)]), 0);
    (root, dir, vkey, docs)
}

#[test]
fn media_replaced_by_a_dangling_symlink_a_directory_or_a_fifo_is_tampering() {
    let (root, dir, vkey, docs) = ledger_with_documents("media-not-regular", 3);
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", s(&dir), "--vkey", s(&vkey)];
        args.extend_from_slice(extra);
        liuhen_watched(&args)
    };
    expect_code(&verify(&[]), 0);

    let media = MediaStore::open(dir.join("media")).unwrap();
    let paths: Vec<PathBuf> = docs.iter().map(|d| media.path_of(&d.digest)).collect();
    // A dangling symbolic link.
    std::fs::remove_file(&paths[0]).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("nowhere.pdf"), &paths[0]).unwrap();
    // A directory.
    std::fs::remove_file(&paths[1]).unwrap();
    std::fs::create_dir(&paths[1]).unwrap();
    // A FIFO, which a verifier that opened it would wait on forever.
    std::fs::remove_file(&paths[2]).unwrap();
    let fifo = Command::new("mkfifo")
        .arg(&paths[2])
        .status()
        .map(|st| st.success())
        .unwrap_or(false);

    let out = verify(&["--json"]);
    let text = expect_code(&out, 1);
    let report = json(&text);
    assert_eq!(report["verdict"], "tampered", "{}", describe(&out));
    let findings: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "media_not_regular")
        .collect();
    let expected = if fifo { 3 } else { 2 };
    assert_eq!(findings.len(), expected, "{}", describe(&out));
    for (f, what) in findings
        .iter()
        .zip(["a symbolic link", "a directory", "a FIFO"])
    {
        let message = f["message"].as_str().unwrap();
        assert!(message.contains(what), "{message}");
        assert!(message.contains("Art. 21(5)"), "{message}");
        assert_eq!(f["severity"], "tampering");
    }
    // The human report names the destruction too.
    let out = verify(&[]);
    let text = expect_code(&out, 1);
    assert!(text.contains("TAMPERED"), "{}", describe(&out));
}
