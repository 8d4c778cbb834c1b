//! Destruction of evidence is tampering (issue 11, items 4, 5 and 7), through the real binary:
//! deleting store files, checkpoints or the media directory is exit 1 with a named finding
//! (Art. 21(5)), never "usage or I/O error" (3) or "not fully verified" (4); bytes after the
//! last committed frame are a finding, and the writer adopts no frame it cannot account for;
//! a registry index record past the end cannot re-admit a revoked officer; `verify --json`
//! on a path that is not UTF-8 still prints its report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Cursor;
use std::path::PathBuf;

use common::cli::{describe, expect_code, fork_guard, scratch};
use common::dir::AuditedDir;
use common::events::{case_viewed, document_filed};
use liuhen::commitment::commit_with_salt;
use liuhen::hash::TreeHasher;
use liuhen::media::{digest_reader, MediaStore};
use liuhen::model::*;
use liuhen::store::file::FileStore;
use liuhen::store::StoreRead;
use liuhen::{LedgerError, SecretKey, Signer, SystemClock};
use serde_json::Value;

const CASE: &str = "金民罚〔2026〕2号";

/// A ledger made by `liuhen init`: an officer authorized, a case opened, a document filed in
/// `DIR/media`, sealed twice (checkpoints at sizes 1, 3 and 5), the auditor's vkey and last
/// checkpoint saved beside it.
struct Fixture {
    audited: AuditedDir,
    saved: PathBuf,
}

impl std::ops::Deref for Fixture {
    type Target = AuditedDir;
    fn deref(&self) -> &AuditedDir {
        &self.audited
    }
}

fn officer() -> SecretKey {
    SecretKey::from_seed(&[0x22; 32])
}

impl Fixture {
    fn new(name: &str) -> Fixture {
        Self::at(scratch(name))
    }

    fn at(root: PathBuf) -> Fixture {
        let f = Fixture {
            saved: root.join("saved-checkpoint.txt"),
            audited: AuditedDir::init(root),
        };
        let officer = officer();
        let (party, _) = commit_with_salt("party.name", "某民办非企业单位", [8; 32]);
        f.append(vec![
            (
                &f.ledger_key(),
                Event::KeyAuthorized {
                    key: officer.public_key(),
                    role: Role::Officer,
                    holder: "21020001".into(),
                },
            ),
            (
                &officer,
                Event::CaseOpened {
                    case_no: CASE.into(),
                    act: ActKind::Penalty,
                    matter: "未按规定报送年度工作报告".into(),
                    unit: "执法监督科".into(),
                    subject: party,
                },
            ),
        ]);
        expect_code(&f.seal(), 0);
        let media = MediaStore::open(f.dir.join("media")).unwrap();
        let bytes = b"inquiry record of the case";
        let m = digest_reader(Cursor::new(bytes), "application/pdf", "询问笔录.pdf").unwrap();
        media.put_reader(Cursor::new(bytes), &m).unwrap();
        f.append(vec![
            (&officer, document_filed(CASE, m)),
            (&officer, case_viewed(CASE, "21020001", "investigation")),
        ]);
        let out = f.seal();
        std::fs::write(&f.saved, expect_code(&out, 0)).unwrap();
        f
    }

    fn store(&self, name: &str) -> PathBuf {
        self.dir.join("ledger").join(name)
    }

    /// Runs `verify` in human and JSON form, checks the exit code of both, and returns the
    /// JSON report and the human text.
    fn verify_both(&self, extra: &[&str], code: i32) -> (Value, String) {
        let human = expect_code(&self.verify(extra), code);
        let mut with_json = extra.to_vec();
        with_json.push("--json");
        let out = self.verify(&with_json);
        let text = expect_code(&out, code);
        let json =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {}", describe(&out)));
        (json, human)
    }
}

use common::cli::finding_kinds as kinds;

/// Asserts a tampering finding of `kind` with article Art. 21(5) in the JSON, and its name in
/// the human report.
fn assert_destruction(json: &Value, human: &str, kind: &str) {
    assert_eq!(json["verdict"], "tampered", "{json:#}");
    assert_eq!(json["exit_code"], 1);
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {json:#}"));
    assert_eq!(f["severity"], "tampering");
    assert_eq!(f["article"], "Art. 21(5)");
    assert!(human.starts_with("TAMPERED"), "{human}");
    assert!(human.contains(kind), "{human}");
}

use common::tamper::truncate;

#[test]
fn intact_fixture_verifies() {
    let f = Fixture::new("destroy-intact");
    let saved = f.saved.display().to_string();
    let (json, _) = f.verify_both(&["--checkpoint", &saved], 0);
    assert_eq!(json["checkpoints"], 3);
}

#[test]
fn deleting_all_checkpoints_is_tampering() {
    let f = Fixture::new("destroy-all-checkpoints");
    truncate(&f.store("checkpoints.log"), 0);
    truncate(&f.store("checkpoints.idx"), 0);
    let (json, human) = f.verify_both(&[], 1);
    assert_destruction(&json, &human, "checkpoints_deleted");
}

#[test]
fn deleting_the_latest_checkpoints_is_tampering_given_a_saved_checkpoint() {
    let f = Fixture::new("destroy-latest-checkpoints");
    // Keep only the checkpoint `init` made: one 12-byte record.
    let log = std::fs::read(f.store("checkpoints.log")).unwrap();
    let first_len = u32::from_le_bytes(log[..4].try_into().unwrap()) as u64 + 36;
    truncate(&f.store("checkpoints.log"), first_len);
    truncate(&f.store("checkpoints.idx"), 12);
    let saved = f.saved.display().to_string();
    let (json, human) = f.verify_both(&["--checkpoint", &saved], 1);
    assert_destruction(&json, &human, "checkpoints_deleted");
    // Without a saved checkpoint it looks like entries not sealed yet: not verified, and
    // docs/CLI.md says that this is what a saved checkpoint (or a witness) is for.
    let (json, _) = f.verify_both(&[], 4);
    assert_eq!(kinds(&json), vec!["unsealed"], "{json:#}");
    // The signer is not fooled: its state beside the key counts the checkpoints.
    let out = f.seal();
    expect_code(&out, 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("checkpoints were deleted"));
}

#[test]
fn deleting_a_store_file_is_tampering() {
    for name in [
        "entries.log",
        "entries.idx",
        "checkpoints.log",
        "checkpoints.idx",
        "header",
    ] {
        let f = Fixture::new(&format!("destroy-file-{name}"));
        std::fs::remove_file(f.store(name)).unwrap();
        let (json, human) = f.verify_both(&[], 1);
        assert_destruction(&json, &human, "store_file_missing");
        assert!(
            json["findings"][0]["message"]
                .as_str()
                .unwrap()
                .contains(name),
            "{json:#}"
        );
    }
}

#[test]
fn a_store_file_replaced_by_a_directory_is_tampering() {
    let f = Fixture::new("destroy-file-dir");
    std::fs::remove_file(f.store("entries.log")).unwrap();
    std::fs::create_dir(f.store("entries.log")).unwrap();
    let (json, human) = f.verify_both(&[], 1);
    assert_destruction(&json, &human, "store_file_missing");
}

#[test]
fn rm_rf_media_is_destruction() {
    let f = Fixture::new("destroy-media-dir");
    std::fs::remove_dir_all(f.dir.join("media")).unwrap();
    let (json, human) = f.verify_both(&[], 1);
    assert_destruction(&json, &human, "media_missing");
    // Skipping media is the user's explicit choice, and then "not checked".
    let (json, _) = f.verify_both(&["--no-media"], 4);
    assert_eq!(kinds(&json), vec!["media_not_checked"]);
}

#[test]
fn bytes_appended_after_the_last_frame_are_not_intact() {
    let f = Fixture::new("destroy-trailing-junk");
    let log = f.store("entries.log");
    let mut bytes = std::fs::read(&log).unwrap();
    bytes.extend_from_slice(b"\x07\x00\x00\x00junk");
    std::fs::write(&log, &bytes).unwrap();
    let (json, human) = f.verify_both(&[], 4);
    assert_eq!(kinds(&json), vec!["uncommitted_tail"], "{json:#}");
    assert!(!human.contains("full check: intact\n"), "{human}");
}

#[test]
fn an_appended_valid_frame_is_not_adopted_by_the_writer() {
    // A complete frame with a correct checksum, but not an entry of this ledger: no crash
    // leaves it, so the verifier reports it and the writer refuses to adopt it.
    let f = Fixture::new("destroy-trailing-frame");
    let log = f.store("entries.log");
    let mut bytes = std::fs::read(&log).unwrap();
    // Where the next frame goes: after the last frame, over the preallocated zeros.
    bytes.truncate(common::tamper::frames_end(&bytes));
    let payload = b"liuhen/v1/entry\0 forged";
    bytes.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    bytes.extend_from_slice(payload);
    bytes.extend_from_slice(liuhen::hash::Sha256TreeHasher.hash_leaf(payload).as_bytes());
    std::fs::write(&log, &bytes).unwrap();
    let (json, human) = f.verify_both(&[], 1);
    assert_destruction(&json, &human, "store_files_damaged");
    let guard = fork_guard();
    let store = FileStore::open(f.dir.join("ledger")).unwrap();
    assert!(store.recovery().is_tampered());
    assert!(store
        .refusal()
        .unwrap()
        .contains("not an interrupted append"));
    drop(store);
    drop(guard);
    assert_eq!(
        std::fs::read(&log).unwrap(),
        bytes,
        "nothing adopted, nothing cut"
    );
    expect_code(&f.seal(), 1);
}

#[test]
fn registry_index_record_past_the_end_does_not_readmit_a_revoked_officer() {
    let f = Fixture::new("destroy-registry-past-end");
    f.append(vec![(
        &f.ledger_key(),
        Event::KeyRevoked {
            key: officer().public_key(),
            reason: "left the bureau".into(),
        },
    )]);
    // The revocation is the last record: replace it by a sequence number past the end, which
    // an interrupted append could have left.
    let path = f.store("registry.idx");
    let mut records = std::fs::read(&path).unwrap();
    let n = records.len();
    records[n - 8..].copy_from_slice(&1_000_000u64.to_le_bytes());
    std::fs::write(&path, &records).unwrap();
    let statement = liuhen::SignedStatement::sign(
        liuhen::Clock::now(&SystemClock),
        Event::RecordViewed {
            subject: RecordRef::Case(CASE.into()),
            by: "21020001".into(),
            purpose: "after revocation".into(),
        },
        &officer(),
    )
    .unwrap();
    // The writer a user meets, `liuhen append`, refuses the revoked officer: its store
    // rebuilt the index from the frames instead of cutting the record.
    let out = {
        let _guard = fork_guard();
        common::cli::liuhen_stdin(
            ["append".as_ref(), f.dir.as_os_str(), "-".as_ref()],
            serde_json::to_string(&statement).unwrap().as_bytes(),
        )
    };
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("revoked"),
        "{}",
        describe(&out)
    );
    // So does the library's writer.
    let guard = fork_guard();
    let mut ledger = f.writer();
    let refused = ledger.append(statement);
    assert!(
        matches!(refused, Err(LedgerError::Refused { .. })),
        "{refused:?}"
    );
    drop(ledger);
    drop(guard);
    // The index was rebuilt from the frames, revocation included.
    assert_eq!(std::fs::read(&path).unwrap()[n - 8..], (5u64).to_le_bytes());

    // A record past the end *before* others is no crash's leftover: tampering, read-only.
    let mut records = std::fs::read(&path).unwrap();
    records[8..16].copy_from_slice(&1_000_000u64.to_le_bytes());
    std::fs::write(&path, &records).unwrap();
    let guard = fork_guard();
    let store = FileStore::open(f.dir.join("ledger")).unwrap();
    assert!(store.recovery().is_tampered(), "{:?}", store.recovery());
    drop(store);
    drop(guard);
    let (json, human) = f.verify_both(&[], 1);
    assert_destruction(&json, &human, "store_files_damaged");
}

#[cfg(unix)]
#[test]
fn verify_json_on_a_non_utf8_path_prints_its_report() {
    use std::os::unix::ffi::OsStrExt;
    let root = scratch("destroy-non-utf8");
    let odd = root.join(std::ffi::OsStr::from_bytes(b"ledger-\xff\xfe"));
    let f = Fixture::at(odd);
    // Tampered: a byte of an entry flipped.
    let log = f.store("entries.log");
    let mut bytes = std::fs::read(&log).unwrap();
    bytes[40] ^= 0x01;
    std::fs::write(&log, &bytes).unwrap();
    let (json, _) = f.verify_both(&[], 1);
    assert_eq!(json["verdict"], "tampered");
    assert!(
        json["ledger"].as_str().unwrap().contains("ledger-\u{fffd}"),
        "{json:#}"
    );
}

#[test]
fn the_store_still_holds_what_it_did() {
    // Guard for the fixture: five entries, three checkpoints.
    let f = Fixture::new("destroy-guard");
    let store = FileStore::open_read_only(f.dir.join("ledger")).unwrap();
    assert_eq!(store.size(), 5);
    assert_eq!(store.checkpoint_count(), 3);
}

/// Found by an attack review of this session's work: cut one byte from the end of the entry
/// log and one from the checkpoint log (the sealed last entry and the checkpoint over it are
/// now "torn") and wait for the bureau's routine write. The writer used to "recover" by
/// dropping both committed records and appending over their place, after which `verify` saw
/// only an unsealed tail and a seal without its state blessed it. A committed checkpoint is
/// never torn by a crash: the writer now refuses, writes nothing, and `verify` keeps reporting
/// the destruction.
#[test]
fn a_torn_sealed_tail_is_not_recovered_over_by_the_writer() {
    let f = Fixture::new("destroy-torn-sealed-tail");
    let entries = f.store("entries.log");
    let checkpoints = f.store("checkpoints.log");
    truncate(&entries, std::fs::metadata(&entries).unwrap().len() - 1);
    truncate(
        &checkpoints,
        std::fs::metadata(&checkpoints).unwrap().len() - 1,
    );
    let (before_e, before_c) = (
        std::fs::read(&entries).unwrap(),
        std::fs::read(&checkpoints).unwrap(),
    );
    f.verify_both(&[], 1);
    {
        let _guard = fork_guard();
        let store = FileStore::open(f.dir.join("ledger")).unwrap();
        common::tamper::assert_store_refuses(&store, "checkpoint record is cut off", "refusal");
        assert!(!store.recovery().applied);
    }
    assert_ne!(f.seal().status.code(), Some(0), "the seal must not sign");
    assert_eq!(
        std::fs::read(&entries).unwrap(),
        before_e,
        "nothing cut or written"
    );
    assert_eq!(
        std::fs::read(&checkpoints).unwrap(),
        before_c,
        "nothing cut or written"
    );
    f.verify_both(&[], 1);
}
