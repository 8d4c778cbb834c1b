//! Trusted time used: tokens from a real TSA (`liuhen dev-tsa`, answered by `openssl ts`) over
//! stored checkpoints become proven-before evidence in `liuhen verify --tsa-root` and `liuhen log
//! --tsa-root`; a forged or misplaced token is tampering (exit 1).
//!
//! Needs `openssl`; without it these tests fail saying so (CI installs it).
mod common;

use std::path::Path;

use common::cli::{finding_kinds, json, liuhen, stdout};
use common::dir::{tmp_dir, AuditedDir};
use common::tsa::DevTsa;
use liuhen::timestamp::stored_tokens;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A ledger made by `liuhen init`, stamped once with `liuhen timestamp` by a dev TSA.
fn stamped(name: &str) -> (std::path::PathBuf, AuditedDir, DevTsa) {
    let root = tmp_dir(name);
    let dir = AuditedDir::init(root.join("ledger"));
    let tsa = DevTsa::start(&root.join("tsa"), "ec");
    let out = liuhen([
        "timestamp",
        s(&dir.dir),
        "--tsa",
        &tsa.url,
        "--tsa-root",
        s(&tsa.root()),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    (root, dir, tsa)
}

fn token_path(dir: &AuditedDir) -> std::path::PathBuf {
    let mut t = stored_tokens(&dir.dir).unwrap();
    assert_eq!(t.len(), 1);
    t.remove(0).path
}

#[test]
fn verify_with_tsa_root_reports_proven_before_from_the_tsa() {
    let (_root, dir, tsa) = stamped("tsaev-verify");
    let out = dir.verify(&["--tsa-root", s(&tsa.root()), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v = json(&stdout(&out));
    assert_eq!(v["timestamps"]["verified"], 1, "{v}");
    assert_eq!(v["timestamps"]["checked"], true, "{v}");
    let pb = &v["proven_before"];
    assert_eq!(pb["latest"]["source"]["kind"], "timestamp", "{v}");
    assert_eq!(
        pb["latest"]["source"]["tsa"], "CN=liuhen development TSA",
        "{v}"
    );
    assert_eq!(pb["timestamps"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(pb["entries"], dir.size(), "{v}");

    let text = stdout(&dir.verify(&["--tsa-root", s(&tsa.root())]));
    assert!(text.contains("1 stored, 1 verified"), "{text}");
    assert!(
        text.contains("TSA CN=liuhen development TSA token"),
        "{text}"
    );

    // Without the root the token proves nothing, and the report says so.
    let out = dir.verify(&["--json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v = json(&stdout(&out));
    assert_eq!(v["timestamps"]["checked"], false, "{v}");
    assert!(v["timestamps"]["reason"]
        .as_str()
        .unwrap()
        .contains("--tsa-root"));
    assert!(v.get("proven_before").is_none(), "{v}");
}

#[test]
fn log_with_tsa_root_shows_the_tsa_time() {
    let (_root, dir, tsa) = stamped("tsaev-log");
    let out = liuhen(["log", s(&dir.dir), "--tsa-root", s(&tsa.root())]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.contains("proven before") && text.contains("TSA CN=liuhen development TSA token"),
        "{text}"
    );
    let out = liuhen(["log", s(&dir.dir), "--json", "--tsa-root", s(&tsa.root())]);
    let first = stdout(&out);
    let first = json(first.lines().next().unwrap());
    assert_eq!(
        first["proven_before"]["source"]["kind"], "timestamp",
        "{first}"
    );
    // Without the root: no time.
    let text = stdout(&liuhen(["log", s(&dir.dir)]));
    assert!(!text.contains("proven before"), "{text}");
}

#[test]
fn token_with_a_flipped_byte_is_tampering() {
    let (_root, dir, tsa) = stamped("tsaev-flip");
    let path = token_path(&dir);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = common::tsa::gen_time_offset(&bytes);
    bytes[at + 3] ^= 0x01; // genTime moved: the signed digest no longer matches.
    std::fs::write(&path, bytes).unwrap();
    let out = dir.verify(&["--tsa-root", s(&tsa.root()), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v = json(&stdout(&out));
    assert!(
        finding_kinds(&v).contains(&"bad_timestamp".to_owned()),
        "{v}"
    );
    assert_eq!(v["timestamps"]["forged"], 1, "{v}");
}

#[test]
fn token_planted_for_another_checkpoint_is_tampering() {
    let (root, dir, tsa) = stamped("tsaev-planted");
    // A genuine token of another ledger's checkpoint, renamed as if it were this ledger's.
    let (_r2, other, _t2) = {
        let other = AuditedDir::init(root.join("other"));
        let out = liuhen([
            "timestamp",
            s(&other.dir),
            "--tsa",
            &tsa.url,
            "--tsa-root",
            s(&tsa.root()),
        ]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        ((), other, ())
    };
    let foreign = std::fs::read(token_path(&other)).unwrap();
    let mine = token_path(&dir);
    let planted = mine.with_file_name(format!(
        "{}-1.tsr",
        mine.file_stem().unwrap().to_str().unwrap()
    ));
    std::fs::write(&planted, foreign).unwrap();
    let out = dir.verify(&["--tsa-root", s(&tsa.root()), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v = json(&stdout(&out));
    assert!(
        finding_kinds(&v).contains(&"bad_timestamp".to_owned()),
        "{v}"
    );
}

#[test]
fn token_of_an_untrusted_tsa_is_unverified_not_tampering() {
    let (root, dir, _tsa) = stamped("tsaev-untrusted");
    let other = DevTsa::start(&root.join("tsa2"), "ec");
    let out = dir.verify(&["--tsa-root", s(&other.root()), "--json"]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let v = json(&stdout(&out));
    assert!(
        finding_kinds(&v).contains(&"timestamp_unverified".to_owned()),
        "{v}"
    );
}
