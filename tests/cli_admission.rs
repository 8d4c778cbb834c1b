//! Issue 11, items 3, 5, 6 and 7 (AccessDecided), through the real binary: what `liuhen append`
//! admits, `liuhen verify` accepts, and what the verifier would call tampering the writer
//! refuses. Before the one admission rule (crate::admission), `append` admitted each refused
//! statement below and `verify` then reported TAMPERED forever; an officer's interruption was
//! admitted and then reported; a forged tail time poisoned every later entry; a damaged earlier
//! entry went unnoticed by the writer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::cli::{
    authorize, describe, expect_code, expect_stderr, liuhen, liuhen_stdin, scratch, Whom,
};
use common::{keys, ORIGIN};
use liuhen::checkpoint::NoteVerifier;
use liuhen::entry::EncodedEntry;
use liuhen::hash::Sha256TreeHasher;
use liuhen::media::MediaStore;
use liuhen::store::file::FileStore;
use liuhen::{Entry, SecretKey, Signer, StoreRead, StoreWrite, Timestamp};
use serde_json::json;

const EXIT_TAMPERED: i32 = 1;
const EXIT_ERROR: i32 = 3;

struct Fixture {
    root: PathBuf,
    dir: PathBuf,
    ledger_key: PathBuf,
    officer: PathBuf,
    device_a: PathBuf,
    device_b: PathBuf,
    custodian: PathBuf,
    device_a_pk: String,
    device_b_pk: String,
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A ledger directory made with `liuhen init`, with an officer, two body-cams and a custodian
/// authorized with `liuhen authorize`.
fn fixture(name: &str) -> Fixture {
    let root = scratch(name);
    let k = keys();
    let device_b = SecretKey::from_seed(&[0x66; 32]);
    let custodian = SecretKey::from_seed(&[0x77; 32]);
    let dir = root.join("jinpu");
    let write = |file: &str, name: &str, key: &SecretKey| {
        let p = root.join(file);
        liuhen::keyfile::write_secret_key(&p, name, key).unwrap();
        p
    };
    let ledger_key = write("ledger.key", ORIGIN, &k.ledger);
    let f = Fixture {
        officer: write("officer.key", "officer", &k.officer),
        device_a: write("bwc-7731.key", "BWC-7731", &k.device),
        device_b: write("bwc-9999.key", "BWC-9999", &device_b),
        custodian: write("custodian.key", "custodian", &custodian),
        device_a_pk: k.device.public_key().to_string(),
        device_b_pk: device_b.public_key().to_string(),
        ledger_key,
        dir,
        root,
    };
    expect_code(
        &liuhen([
            "init",
            path_str(&f.dir),
            "--origin",
            ORIGIN,
            "--key",
            path_str(&f.ledger_key),
        ]),
        0,
    );
    for (key, role, holder) in [
        (&k.officer, "officer", "21020001"),
        (&k.device, "device", "BWC-7731"),
        (&device_b, "device", "BWC-9999"),
        (&custodian, "custodian", "21020009"),
    ] {
        let vkey = f.root.join(format!("{holder}.vkey"));
        liuhen::keyfile::write_verifier_key(
            &vkey,
            &NoteVerifier::for_key("k", key.public_key()).unwrap(),
        )
        .unwrap();
        expect_code(
            &authorize(
                path_str(&f.dir),
                path_str(&f.ledger_key),
                Whom::VkeyOf(path_str(&vkey)),
                role,
                holder,
                &[],
            ),
            0,
        );
    }
    f
}

impl Fixture {
    /// `liuhen append DIR --sign-with KEY` with `events` as JSON Lines (time: now).
    fn append(&self, key: &Path, events: &[serde_json::Value]) -> Output {
        let input: String = events
            .iter()
            .map(|e| json!({ "event": e }).to_string() + "\n")
            .collect();
        liuhen_stdin(
            ["append", path_str(&self.dir), "--sign-with", path_str(key)],
            input.as_bytes(),
        )
    }

    fn size(&self) -> u64 {
        FileStore::open_read_only(self.dir.join("ledger"))
            .unwrap()
            .size()
    }

    /// `liuhen seal` then `liuhen verify --vkey`.
    fn seal_and_verify(&self) -> Output {
        expect_code(
            &liuhen([
                "seal",
                path_str(&self.dir),
                "--key-file",
                path_str(&self.ledger_key),
            ]),
            0,
        );
        self.verify()
    }

    fn verify(&self) -> Output {
        liuhen([
            "verify",
            path_str(&self.dir),
            "--vkey",
            path_str(&self.dir.join("ledger.vkey")),
        ])
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn case_opened(case_no: &str) -> serde_json::Value {
    json!({"CaseOpened": {
        "case_no": case_no, "act": "Inspection", "matter": "年度检查", "unit": "社会组织管理科",
        "subject": "0ee0882e75ff6ef9fd3c15ee9f6cc61969cda319cd93c88838cf31dc46ece6f2"
    }})
}

fn started(session: &str, case_no: &str, device: &str) -> serde_json::Value {
    json!({"RecordingStarted": {
        "session": session, "case_no": case_no, "device": device, "method": "BodyWornRecorder",
        "location": {"place": "金普新区某街道1号", "landmark": "门牌"}, "matter": "现场检查",
        "officers": ["21020001"], "party": null
    }})
}

/// Request `REQ-1` for the records of [`CASE`].
fn access_requested() -> serde_json::Value {
    json!({"AccessRequested": {
        "request": "REQ-1", "case_no": CASE,
        "requester": "9f3380c92118ee316e1f7cd2df1906308fce174aac47178a0e7b5c26d5dfeceb",
        "basis": "政府信息公开条例"
    }})
}

const CASE: &str = "金民执〔2026〕12号";
const SESSION: &str = "BWC-20261205-0900";

/// docs/EVENTS.md: a `RecordingInterrupted` is signed by the recording device or the officer.
/// The officer's is admitted and the ledger verifies (it used to be reported as a segment
/// signed by another device: TAMPERED).
#[test]
fn officer_signed_recording_interruption_is_admitted_and_verifies() {
    let f = fixture("adm-officer-interruption");
    expect_code(&f.append(&f.officer, &[case_opened(CASE)]), 0);
    expect_code(
        &f.append(&f.device_a, &[started(SESSION, CASE, &f.device_a_pk)]),
        0,
    );
    let interrupted = json!({"RecordingInterrupted": {
        "session": SESSION, "reason": "Battery", "at": 1_767_225_602_000_i64
    }});
    expect_code(&f.append(&f.officer, std::slice::from_ref(&interrupted)), 0);
    expect_code(&f.seal_and_verify(), 0);
    // The other body-cam may not speak for the session.
    let out = f.append(&f.device_b, &[interrupted]);
    expect_stderr(&out, EXIT_ERROR, &["not by the session's device"]);
}

/// A custodian's `MediaPurged` of a document of a case under a preservation order is refused
/// by `append` (it used to be admitted, and `verify` then said TAMPERED forever).
#[test]
fn custodian_purge_under_preservation_order_is_refused() {
    let f = fixture("adm-purge-under-hold");
    let bytes = b"inspection record, page 1";
    let m = liuhen::media::digest_reader(&bytes[..], "application/pdf", "record.pdf").unwrap();
    MediaStore::open(f.dir.join("media"))
        .unwrap()
        .put_reader(&bytes[..], &m)
        .unwrap();
    let filed = json!({"DocumentFiled": {
        "case_no": CASE, "stage": "Investigation", "kind": "InvestigationRecord",
        "media": serde_json::to_value(&m).unwrap(), "officers": ["21020001"]
    }});
    let hold = json!({"PreservationOrdered": {"case_no": CASE, "trigger": "PartyObjection"}});
    expect_code(&f.append(&f.officer, &[case_opened(CASE), filed, hold]), 0);
    let size = f.size();
    let purge = json!({"MediaPurged": {"media": m.digest.to_hex(), "authority": "档案鉴定小组"}});
    let out = f.append(&f.custodian, &[purge]);
    expect_stderr(&out, EXIT_ERROR, &["preservation order"]);
    assert_eq!(f.size(), size);
    expect_code(&f.seal_and_verify(), 0);
}

/// Two devices using the same session id: the second `RecordingStarted` is refused (it used to
/// be admitted and reported as footage from another device).
#[test]
fn second_device_reusing_a_session_id_is_refused() {
    let f = fixture("adm-session-reuse");
    expect_code(&f.append(&f.officer, &[case_opened(CASE)]), 0);
    expect_code(
        &f.append(&f.device_a, &[started(SESSION, CASE, &f.device_a_pk)]),
        0,
    );
    let out = f.append(&f.device_b, &[started(SESSION, CASE, &f.device_b_pk)]);
    expect_stderr(&out, EXIT_ERROR, &["already in use"]);
    expect_code(&f.seal_and_verify(), 0);
}

/// A second `CaseOpened` of a case number that is open is refused (it used to be accepted and
/// reported by nothing).
#[test]
fn second_opening_of_an_open_case_is_refused() {
    let f = fixture("adm-case-reopened");
    expect_code(&f.append(&f.officer, &[case_opened(CASE)]), 0);
    let out = f.append(&f.officer, &[case_opened(CASE)]);
    expect_code(&out, EXIT_ERROR);
    assert!(stderr(&out).contains("already open"), "{}", describe(&out));
    expect_code(&f.seal_and_verify(), 0);
}

/// A body-cam key may not decide an access request (issue 11, item 7: it filed a request,
/// granted it and exported openings).
#[test]
fn device_key_deciding_access_is_refused() {
    let f = fixture("adm-device-access");
    expect_code(
        &f.append(&f.officer, &[case_opened(CASE), access_requested()]),
        0,
    );
    let decided = json!({"AccessDecided": {"request": "REQ-1", "granted": true, "reason": "x"}});
    let out = f.append(&f.device_a, std::slice::from_ref(&decided));
    expect_stderr(&out, EXIT_ERROR, &["may not author AccessDecided"]);
    expect_code(&f.append(&f.officer, &[decided]), 0);
    expect_code(&f.seal_and_verify(), 0);
}

/// Statement times before the ledger began (seconds given for milliseconds: 1970; or
/// `i64::MIN`) are refused.
#[test]
fn statement_dated_1970_or_i64_min_is_refused() {
    let f = fixture("adm-time-1970");
    for time in [1_767_225_600_i64, i64::MIN] {
        let input = json!({"time": time, "event": case_opened(CASE)}).to_string() + "\n";
        let out = liuhen_stdin(
            [
                "append",
                path_str(&f.dir),
                "--sign-with",
                path_str(&f.officer),
            ],
            input.as_bytes(),
        );
        expect_stderr(&out, EXIT_ERROR, &["before the ledger began"]);
    }
    expect_code(&f.seal_and_verify(), 0);
}

/// Rewrites the store of `dir` with the last entry's `logged_at` set to `logged_at`: checksums
/// and indexes consistent, as a forger with write access to the directory makes it.
fn forge_tail_time(dir: &Path, logged_at: i64) {
    let old = FileStore::open_read_only(dir.join("ledger")).unwrap();
    let forged_dir = dir.join("ledger.forged");
    let mut forged = FileStore::create(&forged_dir, ORIGIN).unwrap();
    let size = old.size();
    for seq in 0..size {
        let mut entry = Entry::from_bytes(&old.entry_bytes(seq).unwrap()).unwrap();
        if seq == size - 1 {
            entry.logged_at = Timestamp(logged_at);
        }
        forged
            .append(&[EncodedEntry::new(&entry, &Sha256TreeHasher).unwrap()])
            .unwrap();
    }
    for i in 0..old.checkpoint_count() {
        forged
            .append_checkpoint(&old.checkpoint(i).unwrap())
            .unwrap();
    }
    drop((old, forged));
    std::fs::remove_dir_all(dir.join("ledger")).unwrap();
    std::fs::rename(&forged_dir, dir.join("ledger")).unwrap();
}

/// The unsigned `logged_at` of the unsealed tail set to 2100: the writer refuses to go on
/// rather than stamp every later entry 2100, and the verifier reports the forged time.
#[test]
fn forged_tail_time_does_not_poison_the_writer_clock() {
    let f = fixture("adm-tail-2100");
    expect_code(&f.append(&f.officer, &[case_opened(CASE)]), 0);
    let year_2100 = 4_102_444_800_000_i64;
    forge_tail_time(&f.dir, year_2100);
    let size = f.size();
    let out = f.append(&f.officer, &[case_opened("金民执〔2026〕13号")]);
    expect_stderr(&out, EXIT_ERROR, &["later than this writer's clock"]);
    assert_eq!(f.size(), size);
    let out = f.verify();
    let text = expect_code(&out, EXIT_TAMPERED);
    assert!(
        text.contains("logged_in_future") || text.contains("verifier's clock"),
        "{}",
        describe(&out)
    );
}

/// A bit flipped in an earlier entry's frame: the writer reads every frame on open, refuses,
/// and nothing lands on top of the damage.
#[test]
fn flipped_bit_in_an_earlier_entry_stops_the_writer() {
    let f = fixture("adm-earlier-bit-flip");
    expect_code(&f.append(&f.officer, &[case_opened(CASE)]), 0);
    expect_code(
        &f.append(&f.officer, &[case_opened("金民执〔2026〕13号")]),
        0,
    );
    let size = f.size();
    // Flip a byte of the first CaseOpened (entry 5): not the tail, and no registry change, so
    // neither tail recovery nor the registry index looks at it.
    let log = f.dir.join("ledger").join("entries.log");
    let at = common::tamper::flip_first(&log, CASE.as_bytes());
    let out = f.append(&f.officer, &[case_opened("金民执〔2026〕14号")]);
    expect_code(&out, EXIT_TAMPERED);
    let err = stderr(&out);
    // Refused as damage, by the store's own check (which names the file, record and offset)
    // or by the ledger's reading of the frames.
    assert!(
        err.contains("damaged") || err.contains("corrupt") || err.contains("not valid"),
        "{}",
        describe(&out)
    );
    // Nothing was appended on top of the damage (the frames are counted without the index).
    common::tamper::flip_byte(&log, at, 0x01);
    assert_eq!(f.size(), size);
}

impl Fixture {
    /// The signed statement of stored entry `seq`, as the JSON line `liuhen append` reads: what
    /// anyone who can read the ledger directory can copy, with no key.
    fn stored_statement_line(&self, seq: u64) -> String {
        let store = FileStore::open_read_only(self.dir.join("ledger")).unwrap();
        let entry = Entry::from_bytes(&store.entry_bytes(seq).unwrap()).unwrap();
        serde_json::to_string(&entry.statement).unwrap() + "\n"
    }

    /// `liuhen append DIR` of already signed JSON Lines.
    fn append_signed(&self, lines: &str) -> Output {
        liuhen_stdin(["append", path_str(&self.dir)], lines.as_bytes())
    }
}

/// Issue 11, item 2: a refused access request became a granted one by re-appending the office's
/// earlier "granted" statement, with no key at all. Format v2 binds each statement to its
/// ledger with a per-author counter: the replay is refused, and the ledger is unchanged.
#[test]
fn replayed_access_grant_is_refused() {
    let f = fixture("adm-replay-grant");
    let granted =
        json!({"AccessDecided": {"request": "REQ-1", "granted": true, "reason": "依申请公开"}});
    let withdrawn = json!({"AccessDecided": {"request": "REQ-1", "granted": false, "reason": "撤回：涉及第三方隐私"}});
    expect_code(
        &f.append(&f.officer, &[case_opened(CASE), access_requested()]),
        0,
    );
    expect_code(&f.append(&f.officer, &[granted]), 0);
    let grant_seq = f.size() - 1;
    expect_code(&f.append(&f.officer, &[withdrawn]), 0);
    let size = f.size();

    let replay = f.stored_statement_line(grant_seq);
    let out = f.append_signed(&replay);
    expect_code(&out, EXIT_ERROR);
    assert!(
        stderr(&out).to_lowercase().contains("replay"),
        "{}",
        describe(&out)
    );
    assert_eq!(f.size(), size, "nothing was appended");
    expect_code(&f.seal_and_verify(), 0);
}

/// Issue 11, item 2: a statement signed for one ledger is refused by another ledger where its
/// key is authorized too (same keys, same origin: only the ledger id differs).
#[test]
fn statement_for_another_ledger_is_refused() {
    let a = fixture("adm-replay-ledger-a");
    let b = fixture("adm-replay-ledger-b");
    expect_code(&a.append(&a.officer, &[case_opened(CASE)]), 0);
    let copied = a.stored_statement_line(a.size() - 1);
    let size = b.size();
    let out = b.append_signed(&copied);
    expect_code(&out, EXIT_ERROR);
    assert!(
        stderr(&out).contains("another ledger") || stderr(&out).contains("bound to ledger"),
        "{}",
        describe(&out)
    );
    assert_eq!(b.size(), size, "nothing was appended");
    expect_code(&b.seal_and_verify(), 0);
}
