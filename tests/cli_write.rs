//! End-to-end tests of the write path of the `liuhen` binary: `init`, `authorize`, `revoke`,
//! `append`, `seal`; and of `docs/EVENTS.md`, whose examples are generated from the real
//! serde_json form of every event and appended to a ledger here, so the document cannot drift.
//!
//! Run alone with `cargo build -p liuhen-cli && cargo test --test cli_write`. After a change to
//! the event vocabulary, `LIUHEN_BLESS_DOCS=1 cargo test --test cli_write events_md` rewrites
//! the example blocks of docs/EVENTS.md (the field tables are written by hand).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::cli::{
    authorize, describe, expect_code, expect_stderr, liuhen, liuhen_stdin, revoke, scratch, Whom,
};
use common::events::{recording_start, recording_started};
use liuhen::checkpoint::{NoteVerifier, SignedCheckpoint};
use liuhen::entry::SignedStatement;
use liuhen::model::*;
use liuhen::store::file::FileStore;
use liuhen::{verify_store, SecretKey, Signer, Verdict, VerifyOptions};
use serde_json::{json, Value};

const EXIT_ERROR: i32 = 3;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `liuhen init DIR --origin ORIGIN [--key KEY]`; returns the printed vkey.
fn init(dir: &Path, key: Option<&Path>) -> String {
    let mut args = vec!["init", path_str(dir), "--origin", common::ORIGIN];
    if let Some(k) = key {
        args.extend(["--key", path_str(k)]);
    }
    let out = liuhen(&args);
    expect_code(&out, 0).trim_end().to_owned()
}

/// A ledger directory as `liuhen init` makes it, but with its genesis logged at `t` (ms):
/// returns the vkey.
fn init_at(dir: &Path, ledger_key: &SecretKey, t: i64) -> String {
    let keys = common::Keys {
        ledger: ledger_key.clone(),
        ..common::keys()
    };
    let built = common::LedgerBuilder::new()
        .keys(keys)
        .at(t)
        .file_store(dir.join("ledger"))
        .v1()
        .build();
    liuhen::media::MediaStore::create(dir.join("media")).unwrap();
    built.write_vkey(&dir.join("ledger.vkey"));
    built.ledger.verifier_key().unwrap().to_string()
}

/// Signs `event` at `time` with `key` as the ledger in `dir` admits it (format v2: bound to
/// the ledger with the key's next counter), the way a device or case system that knows the
/// ledger signs.
fn sign_for(
    dir: &Path,
    time: Timestamp,
    event: Event,
    key: &SecretKey,
) -> Result<SignedStatement, liuhen::LedgerError> {
    let ledger = liuhen::Ledger::open(
        FileStore::open_read_only(dir.join("ledger")).unwrap(),
        std::sync::Arc::new(liuhen::ManualClock::new(Timestamp(0))),
        liuhen::LedgerOptions::default(),
    )
    .unwrap();
    ledger.sign(key, time, event)
}

/// As [`sign_for`], for the `n`-th further statement of `key` signed before any is appended.
fn sign_for_nth(
    dir: &Path,
    time: Timestamp,
    event: Event,
    key: &SecretKey,
    n: u64,
) -> SignedStatement {
    let mut st = sign_for(dir, time, event, key).unwrap().statement;
    if let Some(b) = st.binding.as_mut() {
        b.counter += n;
    }
    SignedStatement::sign_statement(st, key).unwrap()
}

/// Entries in the store of the ledger directory `dir`.
fn store_size(dir: &Path) -> u64 {
    FileStore::open_read_only(dir.join("ledger"))
        .unwrap()
        .size()
}

/// The verdict of the library's verifier over `dir`, trusting `vkey`.
fn verify(dir: &Path, vkey: &str) -> liuhen::Report {
    let store = FileStore::open_read_only(dir.join("ledger")).unwrap();
    let options = VerifyOptions {
        trusted_key: Some(NoteVerifier::parse(vkey).unwrap()),
        ..VerifyOptions::default()
    };
    verify_store(&store, &options)
}

fn write_key(path: &Path, name: &str, key: &SecretKey) {
    liuhen::keyfile::write_secret_key(path, name, key).unwrap();
}

fn jsonl(statements: &[&SignedStatement]) -> String {
    statements
        .iter()
        .map(|s| serde_json::to_string(s).unwrap() + "\n")
        .collect()
}

fn case_opened(case_no: &str) -> Event {
    let (subject, _) = liuhen::commitment::commit_with_salt("party.name", "大连某某协会", [9; 32]);
    Event::CaseOpened {
        case_no: case_no.into(),
        act: ActKind::Inspection,
        matter: "年度检查 annual inspection".into(),
        unit: "社会组织管理科".into(),
        subject,
    }
}

fn now_ms() -> i64 {
    liuhen::Clock::now(&liuhen::SystemClock).millis()
}

/// The whole write path as an agency would use it, judged at the end by the library's verifier.
#[test]
fn write_path_end_to_end() {
    let s = scratch("write-e2e");
    let dir = s.join("jinpu");

    // init: store, media, vkey, generated key with a warning.
    let (init, out) = common::cli::init_json(&dir);
    assert!(stderr(&out).contains("safe storage"), "{}", describe(&out));
    let vkey = init["vkey"].as_str().unwrap().to_owned();
    assert!(vkey.starts_with(&format!("{}+", common::ORIGIN)));
    assert_eq!(init["origin"], common::ORIGIN);
    assert_eq!(init["size"], 1);
    assert_eq!(init["key_generated"], true);
    assert_eq!(init["root"].as_str().unwrap().len(), 64);
    let first = SignedCheckpoint::parse(init["checkpoint"].as_str().unwrap().as_bytes()).unwrap();
    let first = first.verify(&NoteVerifier::parse(&vkey).unwrap()).unwrap();
    assert_eq!(first.size(), 1);
    assert_eq!(first.root().to_hex(), init["root"].as_str().unwrap());
    let ledger_key = dir.join("keys/ledger.key");
    assert_eq!(init["key_file"], path_str(&ledger_key));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&ledger_key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let mode = std::fs::metadata(dir.join("keys"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "keys/ is private");
    }
    assert!(dir.join("media").is_dir());
    assert_eq!(
        std::fs::read_to_string(dir.join("ledger.vkey")).unwrap(),
        format!("{vkey}\n")
    );
    assert_eq!(store_size(&dir), 1);

    // Keys of an officer and a body-worn recorder.
    let officer_path = s.join("officer.key");
    let device_path = s.join("bodycam.key");
    expect_code(
        &liuhen([
            "keygen",
            "--name",
            "officer-21020001",
            path_str(&officer_path),
        ]),
        0,
    );
    expect_code(
        &liuhen(["keygen", "--name", "BWC-7731", path_str(&device_path)]),
        0,
    );
    let (_, officer) = liuhen::keyfile::read_secret_key(&officer_path).unwrap();
    let (_, device) = liuhen::keyfile::read_secret_key(&device_path).unwrap();
    let officer_vkey = s.join("officer.key.vkey");
    let device_vkey = s.join("bodycam.key.vkey");

    // authorize, by vkey file (human output) and by public key text (JSON).
    let out = authorize(
        path_str(&dir),
        path_str(&ledger_key),
        Whom::VkeyOf(path_str(&officer_vkey)),
        "officer",
        "21020001",
        &[],
    );
    let text = expect_code(&out, 0);
    assert!(text.starts_with("entry 1  KeyAuthorized"), "{text}");
    assert!(text.contains(&officer.public_key().to_string()), "{text}");
    let device_pk = device.public_key().to_string();
    let out = authorize(
        path_str(&dir),
        path_str(&ledger_key),
        Whom::Public(&device_pk),
        "device",
        "BWC-7731",
        &["--json"],
    );
    let receipt: Value = serde_json::from_str(&expect_code(&out, 0)).unwrap();
    assert_eq!(receipt["seq"], 2);
    assert_eq!(receipt["event"], "KeyAuthorized");
    assert_eq!(receipt["role"], "Device");
    assert_eq!(receipt["key"], device_pk.as_str());
    assert_eq!(receipt["holder"], "BWC-7731");
    assert_eq!(receipt["leaf_hash"].as_str().unwrap().len(), 64);

    // An officer key may not change the registry: the registry's refusal, exit 3.
    let out = authorize(
        path_str(&dir),
        path_str(&officer_path),
        Whom::Public(&device_pk),
        "system",
        "x",
        &[],
    );
    expect_code(&out, EXIT_ERROR);
    let err = stderr(&out);
    assert!(err.contains("may not author KeyAuthorized"), "{err}");
    assert!(err.contains("officer.key"), "{err}");
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");

    // append: one pretty-printed signed statement from a file.
    let case = "金民执〔2026〕12号";
    let t = now_ms();
    let opened = sign_for(&dir, Timestamp(t), case_opened(case), &officer).unwrap();
    let file = s.join("opened.json");
    std::fs::write(&file, serde_json::to_string_pretty(&opened).unwrap()).unwrap();
    let out = liuhen(["append", path_str(&dir), path_str(&file)]);
    assert_eq!(
        expect_code(&out, 0),
        format!("entry 3  CaseOpened  {case}\n")
    );

    // append: JSON Lines on stdin ("-"), a blank line in between, receipts as JSON Lines.
    let session = "BWC-7731-20260302-0901";
    let filed = sign_for(
        &dir,
        Timestamp(t + 1),
        Event::DocumentFiled {
            case_no: case.into(),
            stage: Stage::Investigation,
            kind: DocumentKind::InvestigationRecord,
            media: common::media("现场检查笔录.pdf", "application/pdf"),
            officers: vec!["21020001".into()],
        },
        &officer,
    )
    .unwrap();
    let notified = sign_for(
        &dir,
        Timestamp(t + 2),
        Event::PartyNotified {
            session: session.into(),
            case_no: case.into(),
            at: Timestamp(t),
        },
        &device,
    )
    .unwrap();
    let input = format!("{}\n{}", jsonl(&[&filed]), jsonl(&[&notified]));
    let out = liuhen_stdin(["append", path_str(&dir), "-", "--json"], input.as_bytes());
    let receipts: Vec<Value> = expect_code(&out, 0)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<(&Value, &Value, &Value)> = receipts
        .iter()
        .map(|r| (&r["line"], &r["seq"], &r["event"]))
        .collect();
    assert_eq!(
        got,
        [
            (&json!(1), &json!(4), &json!("DocumentFiled")),
            (&json!(3), &json!(5), &json!("PartyNotified")),
        ]
    );
    assert_eq!(receipts[1]["author"], device_pk.as_str());
    assert_eq!(receipts[1]["case_no"], case);

    // append: JSON Lines from a file.
    let started = sign_for(
        &dir,
        Timestamp(t + 3),
        recording_started(device.public_key(), recording_start(session, case, None)),
        &device,
    )
    .unwrap();
    let seg = common::media("seg-0000.mp4", "video/mp4");
    let sealed = sign_for_nth(
        &dir,
        Timestamp(t + 4),
        common::events::segment_sealed(
            session,
            0,
            None,
            seg.clone(),
            (Timestamp(t + 3), Timestamp(t + 4)),
        ),
        &device,
        1,
    );
    let file = s.join("recording.jsonl");
    std::fs::write(&file, jsonl(&[&started, &sealed])).unwrap();
    let out = liuhen(["append", path_str(&dir), path_str(&file)]);
    assert_eq!(
        expect_code(&out, 0),
        format!("entry 6  RecordingStarted  {case}\nentry 7  SegmentSealed\n")
    );

    // append --sign-with: unsigned events on stdin (no FILE argument), one without a time.
    let stopped = serde_json::json!({
        "time": t + 5,
        "event": {"RecordingStopped": {"session": session, "segments": 1, "last_segment": seg.digest.to_hex()}}
    });
    let archived = serde_json::json!({
        "event": {"RecordViewed": {"subject": {"Case": case}, "by": "21020009", "purpose": "复核 review"}}
    });
    let input = format!("{stopped}\n{archived}\n");
    let out = liuhen_stdin(
        [
            "append",
            path_str(&dir),
            "--sign-with",
            path_str(&device_path),
        ],
        input.as_bytes(),
    );
    assert_eq!(
        expect_code(&out, 0),
        "entry 8  RecordingStopped\nentry 9  RecordViewed\n"
    );
    assert_eq!(store_size(&dir), 10);

    // seal: the exact signed note, stored, verifying with the init vkey.
    let out = liuhen(["seal", path_str(&dir), "--key-file", path_str(&ledger_key)]);
    let note = expect_code(&out, 0);
    let checkpoint = SignedCheckpoint::parse(note.as_bytes())
        .unwrap()
        .verify(&NoteVerifier::parse(&vkey).unwrap())
        .unwrap();
    assert_eq!(checkpoint.size(), 10);
    let report = verify(&dir, &vkey);
    assert_eq!(report.verdict, Verdict::Verified, "{report:#?}");
    assert_eq!(report.latest_verified.unwrap().note, note);

    // revoke the recorder; then a batch with a statement it signed is refused whole, naming
    // the line, and nothing of it is appended.
    let out = liuhen([
        "revoke",
        path_str(&dir),
        "--key-file",
        path_str(&ledger_key),
        "--vkey-of",
        path_str(&device_vkey),
        "--reason",
        "设备丢失 device lost",
        "--json",
    ]);
    let receipt: Value = serde_json::from_str(&expect_code(&out, 0)).unwrap();
    assert_eq!(
        (&receipt["seq"], &receipt["event"], &receipt["key"]),
        (
            &Value::from(10),
            &Value::from("KeyRevoked"),
            &Value::from(device_pk.as_str())
        )
    );
    let by_officer = sign_for(
        &dir,
        Timestamp(now_ms()),
        Event::Handover {
            media: seg.digest,
            from: "21020001".into(),
            to: "21020009".into(),
        },
        &officer,
    )
    .unwrap();
    // Signed before the revocation, uploaded after: still refused (the revocation is not
    // outrun).
    let by_device = sign_for(
        &dir,
        Timestamp(t + 6),
        Event::RecordingInterrupted {
            session: session.into(),
            reason: InterruptionReason::Battery,
            at: Timestamp(t + 6),
        },
        &device,
    )
    .unwrap();
    let batch = s.join("batch.jsonl");
    std::fs::write(&batch, jsonl(&[&by_officer, &by_device])).unwrap();
    let out = liuhen(["append", path_str(&dir), path_str(&batch)]);
    expect_code(&out, EXIT_ERROR);
    let err = stderr(&out);
    assert!(err.contains("batch.jsonl line 2"), "{err}");
    assert!(err.contains("was revoked at entry 10"), "{err}");
    assert!(err.contains("nothing was appended"), "{err}");
    assert_eq!(store_size(&dir), 11);

    // --each: the admissible line is appended, the refused one reported; exit 3.
    let out = liuhen(["append", path_str(&dir), path_str(&batch), "--each"]);
    assert_eq!(
        expect_code(&out, EXIT_ERROR),
        "entry 11  Handover\n",
        "{}",
        describe(&out)
    );
    assert!(stderr(&out).contains("batch.jsonl line 2: refused by the key registry"));
    assert_eq!(store_size(&dir), 12);

    let out = liuhen([
        "seal",
        path_str(&dir),
        "--key-file",
        path_str(&ledger_key),
        "--json",
    ]);
    let sealed: Value = serde_json::from_str(&expect_code(&out, 0)).unwrap();
    assert_eq!(sealed["size"], 12);
    assert_eq!(sealed["origin"], common::ORIGIN);
    let report = verify(&dir, &vkey);
    assert_eq!(report.verdict, Verdict::Verified, "{report:#?}");
    assert_eq!(report.entries, 12);
    let latest = report.latest_verified.unwrap();
    assert_eq!(latest.size, 12);
    assert_eq!(latest.root, sealed["root"].as_str().unwrap());
    assert_eq!(latest.note, sealed["note"].as_str().unwrap());
}

/// A fresh ledger with the fixture keys: ledger key (named the origin), officer and device
/// authorized. Returns the ledger directory and the key file paths.
fn fixture_ledger(name: &str) -> (PathBuf, BTreeMap<&'static str, PathBuf>, common::Keys) {
    let s = scratch(name);
    let k = common::keys();
    let mut files = BTreeMap::new();
    for (role, name, key) in [
        ("ledger", common::ORIGIN, &k.ledger),
        ("officer", "officer-21020001", &k.officer),
        ("device", "BWC-7731", &k.device),
        ("outsider", "outsider", &k.outsider),
    ] {
        let path = s.join(format!("{role}.key"));
        write_key(&path, name, key);
        files.insert(role, path);
    }
    let dir = s.join("ledger-dir");
    init(&dir, Some(&files["ledger"]));
    for (who, role, holder) in [
        ("officer", "officer", "21020001"),
        ("device", "device", "BWC-7731"),
    ] {
        let vkey = NoteVerifier::for_key("k", key_of(&k, who).public_key()).unwrap();
        let vpath = s.join(format!("{who}.vkey"));
        liuhen::keyfile::write_verifier_key(&vpath, &vkey).unwrap();
        expect_code(
            &authorize(
                path_str(&dir),
                path_str(&files["ledger"]),
                Whom::VkeyOf(path_str(&vpath)),
                role,
                holder,
                &[],
            ),
            0,
        );
    }
    (dir, files, k)
}

fn key_of<'k>(k: &'k common::Keys, who: &str) -> &'k SecretKey {
    match who {
        "ledger" => &k.ledger,
        "officer" => &k.officer,
        "device" => &k.device,
        _ => &k.outsider,
    }
}

/// Unreadable or inadmissible input: exit 3, one sentence naming the line, nothing appended.
#[test]
fn bad_statements_are_refused_by_line() {
    let (dir, files, k) = fixture_ledger("write-bad-input");
    let size = store_size(&dir);
    let good =
        jsonl(&[&sign_for(&dir, Timestamp(now_ms()), case_opened("c-1"), &k.officer).unwrap()]);
    let append = |input: &str, extra: &[&str]| {
        let mut args = vec!["append", path_str(&dir)];
        args.extend(extra);
        let out = liuhen_stdin(&args, input.as_bytes());
        expect_code(&out, EXIT_ERROR);
        assert_eq!(
            store_size(&dir),
            size,
            "nothing appended: {}",
            describe(&out)
        );
        stderr(&out)
    };

    // JSON syntax: line and column of the error.
    let err = append(&format!("{good}{good}{{\"statement\": }}\n{good}"), &[]);
    assert!(err.contains("standard input line 3, column 15"), "{err}");
    assert!(err.contains("nothing was appended"), "{err}");

    // An unknown event, a misspelt field, a missing field: each names its line.
    let bad_variant = good.replace("CaseOpened", "CaseOpend");
    let err = append(&format!("{good}{bad_variant}"), &[]);
    assert!(err.contains("line 2, column"), "{err}");
    assert!(err.contains("unknown variant `CaseOpend`"), "{err}");
    let typo = serde_json::json!({"event": {"RecordingStarted": {
        "session": "s", "case_no": "c-1", "device": k.device.public_key().to_string(),
        "method": "BodyWornRecorder", "location": {"place": "p", "landmrk": "门牌"},
        "matter": "m", "officers": [], "party": null}}});
    let err = append(
        &format!("\n{typo}\n"),
        &["--sign-with", path_str(&files["device"])],
    );
    assert!(
        err.contains("line 2: unknown field `event.RecordingStarted.location.landmrk`"),
        "{err}"
    );
    let missing =
        serde_json::json!({"event": {"Handover": {"media": "00".repeat(32), "from": "a"}}});
    let err = append(
        &missing.to_string(),
        &["--sign-with", path_str(&files["officer"])],
    );
    assert!(err.contains("line 1, column"), "{err}");
    assert!(err.contains("missing field `to`"), "{err}");

    // The two shapes mixed up get a hint rather than serde's complaint.
    let err = append(&typo.to_string(), &[]);
    assert!(
        err.contains("line 1: an unsigned statement; sign it with --sign-with"),
        "{err}"
    );
    let err = append(&good, &["--sign-with", path_str(&files["officer"])]);
    assert!(err.contains("line 1: already a signed statement"), "{err}");
    let err = append("[1, 2]\n", &[]);
    assert!(err.contains("line 1: a JSON array"), "{err}");

    // Several unreadable lines: each listed, then a count.
    let err = append(&format!("{bad_variant}{good}{bad_variant}"), &[]);
    assert!(err.contains("standard input line 1, column"), "{err}");
    assert!(err.contains("standard input line 3, column"), "{err}");
    assert!(
        err.contains("2 statements of standard input cannot be read"),
        "{err}"
    );

    // Not UTF-8.
    let out = liuhen_stdin(["append", path_str(&dir)], b"{}\n\xff\xfe\n");
    expect_stderr(&out, EXIT_ERROR, &["line 2: not UTF-8"]);

    // A signature that does not verify (the statement was edited after signing).
    let forged = good.replace("c-1", "c-2");
    let err = append(&format!("{good}{forged}"), &[]);
    assert!(
        err.contains("line 2: refused: signature does not verify"),
        "{err}"
    );

    // A key the registry never authorized.
    let outsider =
        jsonl(&[&sign_for(&dir, Timestamp(now_ms()), case_opened("c-3"), &k.outsider).unwrap()]);
    let err = append(&format!("{good}{outsider}"), &[]);
    assert!(err.contains("line 2: refused by the key registry"), "{err}");
    assert!(err.contains("is not an authorized key"), "{err}");

    // Dated beyond the allowed clock skew.
    let future = serde_json::json!({"time": now_ms() + 3_600_000, "event": {"CaseClosed": {
        "case_no": "c-1", "outcome": "o", "file_retention": "Permanent"}}});
    let err = append(
        &format!("{future}\n"),
        &["--sign-with", path_str(&files["officer"])],
    );
    assert!(
        err.contains("line 1: refused: the statement is dated"),
        "{err}"
    );

    // A state-secret marking is inadmissible for every key, the ledger key included.
    let secret = serde_json::json!({"event": {"ConfidentialityMarked": {
        "subject": {"Case": "c-1"}, "level": "StateSecret", "reason": "r"}}});
    let err = append(
        &format!("{secret}\n"),
        &["--sign-with", path_str(&files["ledger"])],
    );
    assert!(err.contains("line 1: refused by the key registry"), "{err}");

    // Empty input appends nothing and is not an error.
    let out = liuhen_stdin(["append", path_str(&dir)], b"\n \n");
    expect_code(&out, 0);
    assert_eq!(store_size(&dir), size);
}

/// Files and directories that are missing, unreadable or in the way: exit 3, one sentence.
#[test]
fn file_and_directory_errors() {
    let (dir, files, k) = fixture_ledger("write-file-errors");
    let s = dir.parent().unwrap().to_path_buf();
    let one_sentence = |out: &std::process::Output, needle: &str| {
        expect_code(out, EXIT_ERROR);
        let err = stderr(out);
        assert!(err.contains(needle), "{needle:?} in {}", describe(out));
        assert_eq!(err.lines().count(), 1, "{}", describe(out));
    };

    // append: missing ledger directory, unreadable file, a store directory instead of DIR.
    let missing = s.join("no-such-ledger");
    one_sentence(
        &liuhen(["append", path_str(&missing), "-"]),
        "is not a liuhen ledger directory",
    );
    one_sentence(
        &liuhen(["append", path_str(&dir), path_str(&s.join("no-such.jsonl"))]),
        "cannot read",
    );
    one_sentence(
        &liuhen(["append", path_str(&dir.join("ledger")), "-"]),
        "is a store directory",
    );
    one_sentence(
        &liuhen([
            "append",
            path_str(&dir),
            "--sign-with",
            path_str(&s.join("no-such.key")),
        ]),
        "no-such.key",
    );

    // init: a non-empty directory, a file, a key named otherwise, an origin that cannot be a
    // key name (nothing is created then).
    one_sentence(
        &liuhen(["init", path_str(&dir), "--origin", common::ORIGIN]),
        "is not empty",
    );
    one_sentence(
        &liuhen([
            "init",
            path_str(&files["ledger"]),
            "--origin",
            common::ORIGIN,
        ]),
        "is not a directory",
    );
    let fresh = s.join("fresh");
    one_sentence(
        &liuhen([
            "init",
            path_str(&fresh),
            "--origin",
            common::ORIGIN,
            "--key",
            path_str(&files["officer"]),
        ]),
        "must be named after the ledger's origin",
    );
    one_sentence(
        &liuhen(["init", path_str(&fresh), "--origin", "has space"]),
        "invalid origin",
    );
    assert!(!fresh.exists(), "nothing created for a refused init");

    // A key file others may read is presumed disclosed and refused.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let loose = s.join("loose.key");
        write_key(&loose, common::ORIGIN, &k.ledger);
        std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).unwrap();
        one_sentence(
            &liuhen(["seal", path_str(&dir), "--key-file", path_str(&loose)]),
            "chmod 600",
        );
    }

    // seal with a key other than the ledger key.
    one_sentence(
        &liuhen([
            "seal",
            path_str(&dir),
            "--key-file",
            path_str(&files["officer"]),
        ]),
        "must be signed by the ledger key",
    );
    one_sentence(
        &liuhen([
            "seal",
            path_str(&missing),
            "--key-file",
            path_str(&files["ledger"]),
        ]),
        "is not a liuhen ledger directory",
    );

    // The registry's refusals of authorize and revoke, and keys refused before they reach the
    // ledger (the identity point is a weak key).
    let officer_pk = k.officer.public_key().to_string();
    let weak = format!("ed25519:01{}", "00".repeat(31));
    for (key, role, refusal) in [
        (
            officer_pk.as_str(),
            "auditor",
            "is already registered (since entry 1)",
        ),
        ("ed25519:1234", "officer", "is not a public key"),
        (weak.as_str(), "officer", "weak"),
    ] {
        let out = authorize(
            path_str(&dir),
            path_str(&files["ledger"]),
            Whom::Public(key),
            role,
            "x",
            &[],
        );
        one_sentence(&out, refusal);
    }
    for (key, refusal) in [
        (&k.ledger, "the ledger key cannot be revoked"),
        (&k.outsider, "it is not an active key"),
    ] {
        let key = key.public_key().to_string();
        one_sentence(
            &revoke(path_str(&dir), path_str(&files["ledger"]), &key, "x"),
            refusal,
        );
    }
    // Neither or both of --public and --vkey-of: a usage error, also exit 3.
    let out = liuhen([
        "revoke",
        path_str(&dir),
        "--key-file",
        path_str(&files["ledger"]),
        "--reason",
        "x",
    ]);
    expect_code(&out, EXIT_ERROR);
    assert_eq!(store_size(&dir), 3, "nothing appended by any refusal");
}

#[test]
fn help_of_write_commands_has_examples() {
    for command in ["init", "authorize", "revoke", "append", "seal"] {
        let out = liuhen([command, "--help"]);
        let text = expect_code(&out, 0);
        assert!(text.contains("Example:"), "{command}: {text}");
        assert!(
            text.contains(&format!("liuhen {command} ")),
            "{command}: {text}"
        );
    }
}

// ---- The JSON form of statements and docs/EVENTS.md ---------------------------------------

/// Every event of the fixture scenario (each variant at least once) plus genesis, with its
/// author and the time its example carries.
fn every_event(k: &common::Keys) -> Vec<(Event, &SecretKey, i64)> {
    let mut out = vec![(
        Event::Genesis {
            origin: common::ORIGIN.into(),
            suite: Suite::Sha256Ed25519Blake3,
            ledger_key: k.ledger.public_key(),
        },
        &k.ledger,
        common::T0,
    )];
    let scenario = common::scenario(k)
        .into_iter()
        .chain(common::extension_scenario(k));
    for (i, (event, author)) in scenario.enumerate() {
        out.push((event, author, common::T0 + 1_000 * (i as i64 + 1)));
    }
    out
}

/// What serde_json makes of every event, checked member by member where the CLI's schema
/// promises a form (docs/EVENTS.md), and that it reads back to the same bytes.
#[test]
fn json_form_of_every_event_round_trips() {
    let k = common::keys();
    let mut names = std::collections::BTreeSet::new();
    for (event, author, time) in every_event(&k) {
        names.insert(event.name());
        let signed = SignedStatement::sign(Timestamp(time), event, author).unwrap();
        let json = serde_json::to_value(&signed).unwrap();
        // Keys and signatures as text, time as integer milliseconds, the event externally
        // tagged by its name.
        let author_text = json["statement"]["author"].as_str().unwrap();
        assert_eq!(author_text, author.public_key().to_string());
        assert!(author_text.starts_with("ed25519:") && author_text.len() == 8 + 64);
        let signature = json["signature"].as_str().unwrap();
        assert!(signature.starts_with("ed25519:") && signature.len() == 8 + 128);
        assert_eq!(json["statement"]["time"], time);
        let tagged = json["statement"]["event"].as_object().unwrap();
        assert_eq!(tagged.len(), 1);
        assert!(tagged.contains_key(signed.statement.event.name()));
        let back: SignedStatement = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, signed);
        back.verify_signature().unwrap();
        assert_eq!(
            back.statement.signed_message().unwrap(),
            signed.statement.signed_message().unwrap()
        );
    }
    // Every variant of the vocabulary, by the fixture that pins the golden vectors.
    assert!(names.len() >= 27, "{names:?}");

    // Digests, sealed commitments and optional values, spot-checked on their events.
    let scenario = common::scenario(&k);
    let form = |name: &str| {
        let (event, _) = scenario.iter().find(|(e, _)| e.name() == name).unwrap();
        serde_json::to_value(event).unwrap()[name].clone()
    };
    let opened = form("CaseOpened");
    assert_eq!(opened["act"], "Inspection");
    let subject = opened["subject"].as_str().unwrap();
    assert!(subject.len() == 64 && subject.bytes().all(|b| b.is_ascii_hexdigit()));
    let segment = form("SegmentSealed");
    assert!(segment["prev_segment"].is_null());
    assert_eq!(segment["media"]["digest"].as_str().unwrap().len(), 64);
    assert!(segment["media"]["length"].is_u64());
    assert!(segment["start"].is_i64());
    assert!(form("RetentionSet")["until"]["Until"].as_i64().unwrap() > 0);
    assert_eq!(form("CaseClosed")["file_retention"], "Permanent");
    assert!(form("Archived")["subject"]["Session"].is_string());
}

fn events_md_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/EVENTS.md")
}

/// The example blocks docs/EVENTS.md must hold: `(marker name, JSON text)`.
fn expected_examples(k: &common::Keys) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (event, author, time) in every_event(k) {
        let name = event.name().to_owned();
        if out.contains_key(&name) {
            continue;
        }
        if name == "CaseOpened" {
            let signed = SignedStatement::sign(Timestamp(time), event.clone(), author).unwrap();
            out.insert(
                "signed-statement".to_owned(),
                serde_json::to_string_pretty(&signed).unwrap(),
            );
        }
        let event_json = serde_json::to_string_pretty(&event)
            .unwrap()
            .replace('\n', "\n  ");
        out.insert(
            name,
            format!("{{\n  \"time\": {time},\n  \"event\": {event_json}\n}}"),
        );
    }
    out
}

/// `(marker name, block text, byte range of the block's lines)` of every
/// `<!-- example: NAME -->` followed by a fenced json block.
fn example_blocks(doc: &str) -> Vec<(String, String, std::ops::Range<usize>)> {
    const MARK: &str = "<!-- example: ";
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = doc[from..].find(MARK) {
        let start = from + at + MARK.len();
        let name_end = start + doc[start..].find(" -->").expect("marker closed");
        let name = doc[start..name_end].to_owned();
        let fence = name_end
            + doc[name_end..]
                .find("```json\n")
                .expect("json block follows");
        let body = fence + "```json\n".len();
        let close = if doc[body..].starts_with("```") {
            body
        } else {
            body + doc[body..].find("\n```").expect("block closed") + 1
        };
        let text = doc[body..close].trim_end_matches('\n').to_owned();
        out.push((name, text, body..close));
        from = close;
    }
    out
}

/// The field names listed in the table under `### NAME`.
fn table_fields(doc: &str, name: &str) -> Vec<String> {
    let heading = format!("\n### {name}\n");
    let at = doc
        .find(&heading)
        .unwrap_or_else(|| panic!("no section ### {name}"));
    let section = &doc[at + heading.len()..];
    let section = &section[..section.find("\n#").unwrap_or(section.len())];
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect()
}

/// docs/EVENTS.md: its examples are exactly what serde_json produces, its tables list exactly
/// each event's fields, and every example appends to a real ledger through the CLI.
#[test]
fn events_md_examples_are_real_and_append() {
    let k = common::keys();
    let path = events_md_path();
    let mut doc = std::fs::read_to_string(&path).unwrap();
    let expected = expected_examples(&k);
    if std::env::var_os("LIUHEN_BLESS_DOCS").is_some() {
        for (name, _, range) in example_blocks(&doc).into_iter().rev() {
            if let Some(text) = expected.get(&name) {
                doc.replace_range(range, &format!("{text}\n"));
            }
        }
        std::fs::write(&path, &doc).unwrap();
    }
    let blocks = example_blocks(&doc);
    let found: BTreeMap<String, String> = blocks
        .iter()
        .map(|(n, t, _)| (n.clone(), t.clone()))
        .collect();
    assert_eq!(found.len(), blocks.len(), "an example marker appears twice");
    let missing: Vec<&String> = expected
        .keys()
        .filter(|n| !found.contains_key(*n))
        .collect();
    let unknown: Vec<&String> = found
        .keys()
        .filter(|n| !expected.contains_key(*n))
        .collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "docs/EVENTS.md lacks a section with an example for {missing:?} and has examples of unknown events {unknown:?}: write the section by hand, then LIUHEN_BLESS_DOCS=1 cargo test --test cli_write events_md"
    );
    for (name, text) in &expected {
        assert_eq!(
            &found[name], text,
            "docs/EVENTS.md example {name} is out of date: LIUHEN_BLESS_DOCS=1 cargo test --test cli_write events_md"
        );
    }
    for (event, _, _) in every_event(&k) {
        let name = event.name();
        let json = serde_json::to_value(&event).unwrap();
        let mut fields: Vec<String> = json[name].as_object().unwrap().keys().cloned().collect();
        let mut listed = table_fields(&doc, name);
        fields.sort();
        listed.sort();
        assert_eq!(listed, fields, "docs/EVENTS.md: the table of {name}");
    }

    // Append: every doc example, verbatim, in the scenario's order (so that keys are
    // authorized before they sign), each with its author's key; the signed example as is.
    let s = scratch("write-events-md");
    let mut key_files = BTreeMap::new();
    for (who, name, key) in [
        ("ledger", common::ORIGIN, &k.ledger),
        ("officer", "officer", &k.officer),
        ("device", "device", &k.device),
    ] {
        let p = s.join(format!("{who}.key"));
        write_key(&p, name, key);
        key_files.insert(key.public_key(), p);
    }
    // The examples are dated 2026-01-01: the ledger must have begun before them (a statement
    // dated before the ledger began is refused), so its genesis is written at T0 with the
    // library, in the layout `liuhen init` makes.
    let dir = s.join("ledger-dir");
    let vkey = init_at(&dir, &k.ledger, common::T0);
    // (Format v1: the documented signed statement is a v1 one, bound to no ledger.)
    let mut appended = std::collections::BTreeSet::new();
    for (event, author, time) in every_event(&k) {
        let name = event.name();
        let input = if appended.insert(name) {
            found[name].clone()
        } else {
            // A second event of a kind (the scenario authorizes two keys, seals two segments).
            expected_examples_for(&event, time)
        };
        let key = &key_files[&author.public_key()];
        let out = liuhen_stdin(
            ["append", path_str(&dir), "--sign-with", path_str(key)],
            input.as_bytes(),
        );
        if name == "Genesis" {
            expect_stderr(
                &out,
                EXIT_ERROR,
                &["a Genesis statement may only be entry 0"],
            );
        } else {
            let text = expect_code(&out, 0);
            assert!(text.contains(name), "{text}");
        }
    }
    let out = liuhen_stdin(
        ["append", path_str(&dir)],
        found["signed-statement"].as_bytes(),
    );
    expect_code(&out, 0);
    let size = store_size(&dir);
    let events = common::scenario(&k).len() + common::extension_scenario(&k).len();
    assert_eq!(size as usize, 1 + events + 1);
    expect_code(
        &liuhen([
            "seal",
            path_str(&dir),
            "--key-file",
            path_str(&key_files[&k.ledger.public_key()]),
        ]),
        0,
    );
    let report = verify(&dir, &vkey);
    assert_eq!(report.verdict, Verdict::Verified, "{report:#?}");
}

/// The unsigned input for `event` at `time`, compact (one JSON line).
fn expected_examples_for(event: &Event, time: i64) -> String {
    format!(
        "{{\"time\":{time},\"event\":{}}}\n",
        serde_json::to_string(event).unwrap()
    )
}

use common::cli::liuhen_stdin_may_close;

/// Issue 11 item 7: a 200 MB JSON statement was read and parsed in full before the 64 KiB
/// entry limit refused it. Each line is now read with a bound and each statement's JSON text
/// checked against its limit (1 MiB, docs/EVENTS.md) before it is parsed: one long line is
/// refused while it is read, a pretty-printed giant while its boundaries are found. Nothing is
/// appended either way.
#[test]
fn append_refuses_a_200_mb_statement_before_parsing_it() {
    let (dir, files, _) = fixture_ledger("write-giant-statement");
    let size = store_size(&dir);
    let officer = path_str(&files["officer"]);
    let args = ["append", path_str(&dir), "--sign-with", officer, "-"];
    // One line: the matter of a CaseOpened, 16 MiB long (the test need not send 200 MB to show
    // the refusal happens before the end of the line).
    let mut line = br#"{"event": {"CaseOpened": {"case_no": "c-1", "act": "Inspection", "unit": "u", "subject": "abababababababababababababababababababababababababababababababab", "matter": ""#.to_vec();
    line.extend(std::iter::repeat_n(b'x', 16 << 20));
    line.extend(b"\"}}}\n");
    let out = liuhen_stdin_may_close(&args, line);
    expect_code(&out, EXIT_ERROR);
    let err = stderr(&out);
    assert!(
        err.contains("standard input line 1 is longer than 1 MiB"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // Pretty-printed over many short lines (an array of short strings, 2 MiB in all): refused
    // by its length before it is parsed.
    let mut pretty = String::new();
    pretty.push_str("{\"time\": null, \"event\": {\"CaseOpened\": {\"case_no\": \"c-1\", \"act\": \"Inspection\", \"unit\": \"u\", \"subject\": \"abababababababababababababababababababababababababababababababab\", \"matter\": \"m\", \"x\": [\n");
    while pretty.len() < 2 << 20 {
        pretty.push_str("\"事项事项事项事项\",\n");
    }
    pretty.push_str("\"end\"]}}}\n");
    let out = liuhen_stdin_may_close(&args, pretty.into_bytes());
    expect_code(&out, EXIT_ERROR);
    let err = stderr(&out);
    assert!(err.contains("line 1: a statement of "), "{err}");
    assert!(err.contains("larger than the limit of 1 MiB"), "{err}");
    assert_eq!(store_size(&dir), size, "something was appended");
}
