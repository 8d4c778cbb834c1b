//! Issue 12, ingest, through the real binary: `liuhen append` refuses repeated members naming
//! them, refuses a 200 MB line after reading 1 MiB of it, keeps a batch all or nothing across
//! the chunks it appends in (or appends the admissible ones with `--each`), and `--dry-run`
//! writes nothing (the store's files stay byte-identical) while saying what the audit would
//! find with the batch appended.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::cli::{describe, expect_code, liuhen_bin, liuhen_stdin, path_str, scratch};
use common::dir::StaffedDir;
use common::media;
use liuhen::store::file::FileStore;
use liuhen::Signer;
use serde_json::{json, Value};

const EXIT_COMPLIANCE: i32 = 2;
const EXIT_ERROR: i32 = 3;

/// `liuhen init`, and an officer key made by `liuhen keygen` authorized with `liuhen authorize`.
fn fixture(name: &str) -> StaffedDir {
    StaffedDir::init(scratch(name), false)
}

/// `liuhen append DIR --sign-with OFFICER EXTRA...` with `input` on stdin.
fn append(f: &StaffedDir, input: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "append",
        path_str(&f.dir),
        "--sign-with",
        path_str(&f.officer),
    ];
    args.extend(extra);
    liuhen_stdin(&args, input.as_bytes())
}

/// Every file under the ledger directory and its bytes.
fn files(f: &StaffedDir) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&f.dir, &mut out);
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn case_opened(case_no: &str) -> Value {
    json!({"CaseOpened": {"case_no": case_no, "act": "Penalty", "matter": "未按规定报送年度工作报告",
        "unit": "执法监督科", "subject": "ab".repeat(32)}})
}

fn lines(events: &[Value]) -> String {
    events
        .iter()
        .map(|e| json!({ "event": e }).to_string() + "\n")
        .collect()
}

#[test]
fn repeated_member_is_refused_naming_it() {
    let f = fixture("ingest-duplicate");
    let size = f.size();
    let input = format!(
        "{}{{\"event\": {}, \"event\": {}}}\n",
        lines(&[case_opened("c-1")]),
        case_opened("c-2"),
        case_opened("c-3")
    );
    let out = append(&f, &input, &[]);
    expect_code(&out, EXIT_ERROR);
    let err = stderr(&out);
    assert!(
        err.contains("standard input line 2: duplicate field `event`"),
        "{err}"
    );
    assert!(err.contains("nothing was appended"), "{err}");
    // Deeper: a member of the event given twice.
    let input = r#"{"event": {"CaseClosed": {"case_no": "c-1", "outcome": "o", "outcome": "p", "file_retention": "Permanent"}}}"#;
    let err = stderr(&append(&f, input, &[]));
    assert!(
        err.contains("line 1: duplicate field `event.CaseClosed.outcome`"),
        "{err}"
    );
    assert_eq!(f.size(), size);
}

#[test]
fn a_200_mb_line_from_a_generator_is_refused_after_1_mib() {
    let f = fixture("ingest-giant");
    let size = f.size();
    let mut child = Command::new(liuhen_bin())
        .args([
            "append",
            path_str(&f.dir),
            "--sign-with",
            path_str(&f.officer),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let mut sent = 0u64;
        let block = vec![b'x'; 1 << 16];
        if stdin
            .write_all(br#"{"event": {"CaseOpened": {"matter": ""#)
            .is_err()
        {
            return sent;
        }
        while sent < 200_000_000 {
            if stdin.write_all(&block).is_err() {
                break;
            }
            sent += block.len() as u64;
        }
        sent
    });
    let out = child.wait_with_output().unwrap();
    let sent = writer.join().unwrap();
    expect_code(&out, EXIT_ERROR);
    let err = stderr(&out);
    assert!(
        err.contains("standard input line 1 is longer than 1 MiB"),
        "{err}"
    );
    // The binary stopped reading: the pipe closed long before 200 MB were sent.
    assert!(sent < 100_000_000, "{sent} bytes were taken");
    assert_eq!(f.size(), size);
}

/// 6,000 statements, the 5,000th dated an hour ahead: refused, and nothing of the batch is
/// appended although the first 4,096 statements form a whole chunk; `--each` appends the
/// other 5,999 and names line 5,000.
#[test]
fn refused_line_5000_of_6000_appends_nothing_unless_each() {
    let f = fixture("ingest-chunks");
    let size = f.size();
    let now = liuhen::Clock::now(&liuhen::SystemClock).millis();
    let mut input = String::new();
    for i in 0..6000 {
        let mut v = json!({ "event": case_opened(&format!("c-{i}")) });
        if i == 4999 {
            v["time"] = json!(now + 3_600_000);
        }
        input.push_str(&v.to_string());
        input.push('\n');
    }
    let out = append(&f, &input, &[]);
    expect_code(&out, EXIT_ERROR);
    let err = stderr(&out);
    assert!(err.contains("standard input line 5000: refused"), "{err}");
    assert!(err.contains("nothing was appended"), "{err}");
    assert_eq!(f.size(), size, "nothing appended");

    let out = append(&f, &input, &["--each", "--json"]);
    let text = expect_code(&out, EXIT_ERROR);
    let objects: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objects.len(), 6000, "{}", describe(&out));
    let refused: Vec<&Value> = objects
        .iter()
        .filter(|o| o.get("error").is_some())
        .collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["line"], 5000);
    assert_eq!(f.size(), size + 5999);
    // No spool is left behind.
    assert!(std::fs::read_dir(&f.dir).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .ends_with(".spool")));
}

/// An agency developer's batch with a compliance mistake (a penalty decided on no record at
/// all, Art. 9): `--dry-run` says so, exit 2, and the ledger directory is byte-identical.
#[test]
fn dry_run_writes_nothing_and_reports_the_audit_finding() {
    let f = fixture("ingest-dry-run");
    let before = files(&f);
    let decided = json!({"DecisionMade": {"case_no": "p-1", "kind": "Penalty",
        "document": serde_json::to_value(media("决定书.pdf", "application/pdf")).unwrap(),
        "relies_on": []}});
    let input = lines(&[case_opened("p-1"), decided]);
    let out = append(&f, &input, &["--dry-run"]);
    let text = expect_code(&out, EXIT_COMPLIANCE);
    assert!(
        text.contains("dry run: 2 statements would be appended"),
        "{text}"
    );
    assert!(
        text.contains("new finding: violation art9.record (Art. 9)"),
        "{text}"
    );
    assert!(text.contains("nothing was written"), "{text}");
    assert_eq!(files(&f), before, "the ledger directory changed");

    let out = append(&f, &input, &["--dry-run", "--json"]);
    let report: Value = serde_json::from_str(&expect_code(&out, EXIT_COMPLIANCE)).unwrap();
    assert_eq!(report["would_append"], 2);
    let cited = report["new_findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "art9.record")
        .unwrap();
    assert!(
        cited["seqs"].as_array().unwrap().contains(&json!(3)),
        "{cited}"
    );
    assert_eq!(files(&f), before);

    // An admissible batch without a mistake: exit 0; a refused one: exit 3. Nothing written.
    let out = append(&f, &lines(&[case_opened("p-2")]), &["--dry-run"]);
    let text = expect_code(&out, 0);
    assert!(
        text.contains("1 statement would be appended (entry 2)"),
        "{text}"
    );
    let out = append(
        &f,
        &lines(&[case_opened("p-3"), case_opened("p-3")]),
        &["--dry-run"],
    );
    expect_code(&out, EXIT_ERROR);
    assert!(
        stderr(&out).contains("line 2: refused"),
        "{}",
        describe(&out)
    );
    assert_eq!(files(&f), before);
    // The batch as written appends.
    expect_code(&append(&f, &input, &[]), 0);
    assert_eq!(f.size(), 4);
    let _ = &f.root;
}

/// Signed statements (made by the library, pretty-printed and on one line) append without
/// --sign-with.
#[test]
fn signed_statements_append() {
    let f = fixture("ingest-signed");
    let (_, officer) = liuhen::keyfile::read_secret_key(&f.officer).unwrap();
    let dir = liuhen::dir::LedgerDir::new(&f.dir);
    let ledger = dir.open_writer().unwrap();
    let t = ledger.now();
    let mut binding = ledger.next_binding(&officer.public_key()).unwrap();
    drop(ledger);
    let mut input = String::new();
    for i in 0..2 {
        let event = serde_json::from_value(case_opened(&format!("s-{i}"))).unwrap();
        let st = liuhen::SignedStatement::sign_bound(binding, t, event, &officer).unwrap();
        binding.counter += 1;
        input.push_str(&if i == 0 {
            serde_json::to_string_pretty(&st).unwrap()
        } else {
            serde_json::to_string(&st).unwrap()
        });
        input.push('\n');
    }
    let out = liuhen_stdin(["append", path_str(&f.dir)], input.as_bytes());
    assert_eq!(
        expect_code(&out, 0),
        "entry 2  CaseOpened  s-0\nentry 3  CaseOpened  s-1\n"
    );
    let _ = FileStore::open_read_only(dir.store_dir()).unwrap().size();
}
