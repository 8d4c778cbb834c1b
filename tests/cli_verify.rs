//! `liuhen verify`, end to end: the real binary on ledger directories built with the library
//! (file store, checkpoints, a recording whose segments are in the media directory), intact and
//! then tampered with on disk the way an insider would: bytes flipped, frames deleted, the log
//! cut, media swapped, edited or removed, a foreign key or checkpoint handed to the auditor.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use common::builder::write_vkey;
use common::cli::{describe, expect_code, liuhen, scratch};
use common::events::recording_start;
use common::{keys, Built, Keys, LedgerBuilder, ORIGIN, T0};
use liuhen::checkpoint::NoteVerifier;
use liuhen::commitment::commit_with_salt;
use liuhen::media::{digest_reader, MediaStore, Recording};
use liuhen::model::*;
use liuhen::{SecretKey, Signer};
use serde_json::Value;

const CASE_A: &str = "金民执〔2026〕7号";
const CASE_B: &str = "金民罚〔2026〕2号";
const SESSION: &str = "BWC-7731-20260101-0900";
const SEGMENTS: usize = 4;

/// A ledger directory `root/jinpu` and the auditor's files beside it (never inside: what the
/// auditor trusts must not come from the directory under audit).
struct Fixture {
    root: PathBuf,
    dir: PathBuf,
    vkey: PathBuf,
    segments: Vec<MediaRef>,
    doc_b: MediaRef,
    /// The first checkpoint, as the auditor saved it.
    first_checkpoint: PathBuf,
    first_size: u64,
    /// The last checkpoint, saved too.
    last_checkpoint: PathBuf,
    size: u64,
}

fn segment_bytes(i: usize) -> Vec<u8> {
    // Different lengths, so a swap is not hidden by equal sizes.
    format!(
        "body-cam footage, segment {i}: {}",
        "帧".repeat(50 + 17 * i)
    )
    .into_bytes()
}

fn put(media: &MediaStore, bytes: &[u8], mime: &str, name: &str) -> MediaRef {
    let m = digest_reader(Cursor::new(bytes), mime, name).unwrap();
    media.put_reader(Cursor::new(bytes), &m).unwrap();
    m
}

/// Case A: a body-cam recording of four chained segments; sealed. Case B: a document and a
/// decision; sealed again. Every media file is in `dir/media`.
fn build(name: &str) -> Fixture {
    build_with(name, ORIGIN, &keys())
}

fn build_with(name: &str, origin: &str, k: &Keys) -> Fixture {
    let root = scratch(name);
    let dir = root.join("jinpu");
    // The ledger exists before the recording (statements dated before genesis are refused);
    // the device uploads a day later.
    let Built {
        mut ledger, clock, ..
    } = LedgerBuilder::new()
        .origin(origin)
        .keys(k.clone())
        .file_store(dir.join("ledger"))
        .v1_field_team()
        .build();
    let vkey = root.join("auditor.vkey");
    write_vkey(&ledger, &vkey);
    write_vkey(&ledger, &dir.join("ledger.vkey"));
    let media = MediaStore::create(dir.join("media")).unwrap();
    let (party, _) = commit_with_salt("party.name", "大连某某协会", [7; 32]);
    ledger
        .sign_and_append(&k.officer, common::events::case_opened(CASE_A, party))
        .unwrap();
    let mut statements =
        vec![Recording::notify_party(SESSION, CASE_A, &k.device, Timestamp(T0)).unwrap()];
    let (mut rec, started) = Recording::start(
        recording_start(SESSION, CASE_A, Some(party)),
        &k.device,
        Timestamp(T0 + 1_000),
    )
    .unwrap();
    statements.push(started);
    let mut segments = Vec::new();
    for i in 0..SEGMENTS {
        let m = put(
            &media,
            &segment_bytes(i),
            "video/mp4",
            &format!("{SESSION}-{i:04}.mp4"),
        );
        let start = T0 + 1_000 + 60_000 * i as i64;
        statements.push(
            rec.segment(m.clone(), Timestamp(start), Timestamp(start + 60_000))
                .unwrap(),
        );
        segments.push(m);
    }
    statements.push(
        rec.stop(Timestamp(T0 + 1_000 + 60_000 * SEGMENTS as i64))
            .unwrap(),
    );
    ledger.append_batch(statements).unwrap();
    let first = ledger.seal(&k.ledger).unwrap();
    let first_size = first.checkpoint().size;
    let first_checkpoint = root.join("checkpoint-1.txt");
    std::fs::write(&first_checkpoint, first.to_string()).unwrap();

    clock.advance(60_000);
    let (party_b, _) = commit_with_salt("party.name", "某民办非企业单位", [8; 32]);
    ledger
        .sign_and_append(
            &k.officer,
            Event::CaseOpened {
                case_no: CASE_B.into(),
                act: ActKind::Penalty,
                matter: "未按规定报送年度工作报告".into(),
                unit: "执法监督科".into(),
                subject: party_b,
            },
        )
        .unwrap();
    let doc_b = put(
        &media,
        b"inquiry record of case B",
        "application/pdf",
        "询问笔录.pdf",
    );
    ledger
        .sign_and_append(
            &k.officer,
            Event::DocumentFiled {
                case_no: CASE_B.into(),
                stage: Stage::Investigation,
                kind: DocumentKind::InvestigationRecord,
                media: doc_b.clone(),
                officers: vec!["21020001".into()],
            },
        )
        .unwrap();
    let decision = put(
        &media,
        b"penalty decision of case B",
        "application/pdf",
        "处罚决定书.pdf",
    );
    ledger
        .sign_and_append(
            &k.officer,
            Event::DecisionMade {
                case_no: CASE_B.into(),
                // No penalty: a penalty would also need an approval and a service receipt
                // (Art. 10), and this fixture's one audit violation is the unarchived footage.
                kind: DecisionKind::NoPenalty,
                document: decision,
                relies_on: vec![doc_b.digest],
            },
        )
        .unwrap();
    let last = ledger.seal(&k.ledger).unwrap();
    let last_checkpoint = root.join("checkpoint-2.txt");
    std::fs::write(&last_checkpoint, last.to_string()).unwrap();
    let size = ledger.size();
    assert_eq!(last.checkpoint().size, size);
    drop(ledger);
    Fixture {
        root,
        dir,
        vkey,
        segments,
        doc_b,
        first_checkpoint,
        first_size,
        last_checkpoint,
        size,
    }
}

impl Fixture {
    fn verify(&self, extra: &[&str]) -> std::process::Output {
        common::cli::liuhen_on("verify", &self.dir, extra)
    }

    fn vkey_arg(&self) -> String {
        self.vkey.display().to_string()
    }

    /// `verify --vkey … --json`, checked for `code`, parsed.
    fn verify_json(&self, extra: &[&str], code: i32) -> Value {
        let vkey = self.vkey_arg();
        let mut args = vec!["--vkey", vkey.as_str(), "--json"];
        args.extend_from_slice(extra);
        let out = self.verify(&args);
        let text = expect_code(&out, code);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {}", describe(&out)))
    }

    fn entries_log(&self) -> PathBuf {
        self.dir.join("ledger").join("entries.log")
    }

    fn media_path(&self, m: &MediaRef) -> PathBuf {
        let hex = m.digest.to_hex();
        self.dir.join("media").join(&hex[..2]).join(&hex[2..])
    }
}

use common::cli::finding_kinds as kinds;

fn finding<'a>(report: &'a Value, kind: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} finding in {report:#}"))
}

/// Offsets and total lengths of the frames of a log (u32 LE length, payload, 32-byte checksum;
/// docs/STORE.md).
fn frames(log: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 4 <= log.len() {
        let len = u32::from_le_bytes(log[at..at + 4].try_into().unwrap()) as usize;
        if len == 0 {
            // The free space of a preallocated log (docs/STORE.md, rule R13).
            break;
        }
        out.push((at, 4 + len + 32));
        at += 4 + len + 32;
    }
    assert!(
        log[at..].iter().all(|&b| b == 0),
        "the log is a sequence of whole frames, then zeros"
    );
    out
}

/// Media files are stored read-only; a tamperer just changes that first.
fn make_writable(path: &Path) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
}

#[test]
fn intact_ledger_with_trusted_key_verifies() {
    let f = build("verify-intact");
    let vkey = f.vkey_arg();
    // Integrity holds, but case A's recording was never archived (Art. 16): the audit that
    // verify runs by default makes it exit 2, and says where to look.
    let out = f.verify(&["--vkey", &vkey]);
    let text = expect_code(&out, 2);
    assert!(text.starts_with("VERIFIED"), "{}", describe(&out));
    assert!(text.contains("1 violation(s)"), "{text}");
    assert!(text.contains("Art. 16 ×1"), "{text}");
    assert!(text.contains("liuhen audit "), "{text}");
    let r = f.verify_json(&[], 2);
    assert_eq!(r["verdict"], "verified");
    assert_eq!(r["audit"]["violations"], 1);
    assert_eq!(r["audit"]["violations_by_article"]["Art. 16"], 1);
    // A profile that turns the rule off: clean.
    let profile = f.root.join("lenient.toml");
    std::fs::write(&profile, "disabled_rules = [\"art16.archived\"]\n").unwrap();
    let profile_arg = profile.display().to_string();
    let out = f.verify(&["--vkey", &vkey, "--profile", &profile_arg]);
    expect_code(&out, 0);

    let out = f.verify(&["--vkey", &vkey, "--no-audit"]);
    let text = expect_code(&out, 0);
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("VERIFIED"), "{}", describe(&out));
    assert!(text.contains(&format!("size {}", f.size)), "{text}");
    assert!(text.contains("files checked in"), "{text}");
    assert!(text.contains("full check: intact"), "{text}");
    assert!(out.stderr.is_empty(), "{}", describe(&out));

    // The JSON report: the documented fields (docs/CLI.md), with their values.
    let r = f.verify_json(&["--no-audit"], 0);
    for &field in common::cli::VERIFY_1_MEMBERS {
        assert!(r.get(field).is_some(), "no field {field} in {r:#}");
    }
    assert_eq!(r["schema"], "liuhen-verify/1");
    assert_eq!(r["verdict"], "verified");
    assert_eq!(r["exit_code"], 0);
    assert_eq!(r["origin"], ORIGIN);
    assert_eq!(r["entries"], f.size);
    // Genesis is sealed when the ledger is created, then after each case.
    assert_eq!(r["checkpoints"], 3);
    assert_eq!(r["checkpoints_verified"], 3);
    assert_eq!(r["latest_verified"]["size"], f.size);
    assert_eq!(r["latest_verified"]["root"].as_str().unwrap().len(), 64);
    assert!(r["latest_verified"]["note"]
        .as_str()
        .unwrap()
        .starts_with(ORIGIN));
    assert_eq!(kinds(&r), Vec::<String>::new());
    assert_eq!(r["findings_omitted"], 0);
    let vkey_text = std::fs::read_to_string(&f.vkey).unwrap();
    assert_eq!(r["trust_anchor"]["vkey"], vkey_text.trim_end());
    assert_eq!(r["trusted_checkpoint"], Value::Null);
    assert_eq!(r["media"]["checked"], true);
    assert_eq!(r["store"]["tampering"], serde_json::json!([]));
    assert_eq!(r["store"]["entries_indexed"], f.size);

    // --threads and --max-findings are accepted and change nothing here.
    assert_eq!(r["audit"], Value::Null);
    let r = f.verify_json(&["--threads", "1", "--max-findings", "5", "--no-audit"], 0);
    assert_eq!(r["verdict"], "verified");
}

#[test]
fn without_vkey_the_result_is_unverified() {
    let f = build("verify-no-vkey");
    let out = f.verify(&[]);
    let text = expect_code(&out, 4);
    assert!(text.starts_with("UNVERIFIED"), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("without --vkey the ledger key's authenticity was not checked"),
        "{stderr}"
    );
    // The copy inside the directory is named as what it is.
    assert!(stderr.contains("ledger.vkey is only a copy"), "{stderr}");
    let out = f.verify(&["--json"]);
    let r: Value = serde_json::from_str(&expect_code(&out, 4)).unwrap();
    assert_eq!(r["verdict"], "unverified");
    assert_eq!(r["exit_code"], 4);
    assert_eq!(kinds(&r), vec!["no_trust_anchor"]);
    assert_eq!(r["trust_anchor"], Value::Null);
}

#[test]
fn flipped_byte_in_an_earlier_entry_is_tampering() {
    let f = build("verify-flip");
    let log = f.entries_log();
    let mut bytes = std::fs::read(&log).unwrap();
    let frames = frames(&bytes);
    assert_eq!(frames.len() as u64, f.size);
    // Entry 4, in the middle of the recording, long before the last entry.
    let (at, len) = frames[4];
    bytes[at + len / 2] ^= 0x01;
    std::fs::write(&log, &bytes).unwrap();

    let r = f.verify_json(&[], 1);
    assert_eq!(r["verdict"], "tampered");
    assert_eq!(r["exit_code"], 1);
    // The store's full check points at the frame; the verifier cannot read entry 4.
    let damage = &r["store"]["tampering"][0];
    assert_eq!(damage["record"], 4, "{r:#}");
    assert!(damage["file"].as_str().unwrap().ends_with("entries.log"));
    let malformed = finding(&r, "malformed");
    assert_eq!(malformed["seq"], 4);
    assert_eq!(malformed["severity"], "tampering");
    // The checkpoints above it can no longer be matched.
    assert!(kinds(&r).contains(&"truncated".to_owned()), "{r:#}");

    let out = f.verify(&["--vkey", &f.vkey_arg()]);
    let text = expect_code(&out, 1);
    assert!(text.starts_with("TAMPERED"), "{text}");
    assert!(text.contains("store_files_damaged"), "{text}");
    assert!(text.contains("malformed — tampering"), "{text}");
}

#[test]
fn deleted_frame_is_tampering() {
    let f = build("verify-delete");
    let log = f.entries_log();
    let bytes = std::fs::read(&log).unwrap();
    let frames = frames(&bytes);
    // Remove the frame of entry 6 (a segment) and fix nothing else.
    let (at, len) = frames[6];
    let mut cut = bytes[..at].to_vec();
    cut.extend_from_slice(&bytes[at + len..]);
    std::fs::write(&log, &cut).unwrap();

    let r = f.verify_json(&[], 1);
    assert_eq!(r["verdict"], "tampered");
    assert!(
        !r["store"]["tampering"].as_array().unwrap().is_empty(),
        "{r:#}"
    );
    let k = kinds(&r);
    assert!(k.contains(&"malformed".to_owned()), "{r:#}");
    assert!(k.contains(&"truncated".to_owned()), "{r:#}");
}

#[test]
fn log_cut_below_the_last_checkpoint_is_truncation() {
    let f = build("verify-truncate");
    let log = f.entries_log();
    let bytes = std::fs::read(&log).unwrap();
    let frames = frames(&bytes);
    // Keep the entries of the first checkpoint and one more; the second checkpoint covers all.
    let keep = f.first_size as usize + 1;
    assert!(keep < frames.len());
    std::fs::write(&log, &bytes[..frames[keep].0]).unwrap();

    let r = f.verify_json(&[], 1);
    assert_eq!(r["verdict"], "tampered");
    let t = finding(&r, "truncated");
    assert_eq!(t["checkpoint"], 2, "{r:#}");
    assert!(t["message"]
        .as_str()
        .unwrap()
        .contains(&format!("covers {} entries", f.size)));
}

#[test]
fn consistent_truncation_of_log_and_index_is_found_by_the_checkpoints() {
    // A careful insider cuts the log *and* its indexes at the same entry: the store's own
    // checks see a shorter, healthy store. The signed checkpoints do not.
    let f = build("verify-truncate-consistent");
    let store = f.dir.join("ledger");
    let bytes = std::fs::read(store.join("entries.log")).unwrap();
    let frames = frames(&bytes);
    let keep = f.first_size + 2;
    std::fs::write(store.join("entries.log"), &bytes[..frames[keep as usize].0]).unwrap();
    // docs/STORE.md: the index group of entry n starts at 76·n − 32·popcount(n).
    let group_start = |n: u64| n * 76 - 32 * u64::from(n.count_ones());
    let index = std::fs::read(store.join("entries.idx")).unwrap();
    std::fs::write(
        store.join("entries.idx"),
        &index[..group_start(keep) as usize],
    )
    .unwrap();
    let registry = std::fs::read(store.join("registry.idx")).unwrap();
    let kept: Vec<u8> = registry
        .chunks_exact(8)
        .filter(|c| u64::from_le_bytes((*c).try_into().unwrap()) < keep)
        .flatten()
        .copied()
        .collect();
    std::fs::write(store.join("registry.idx"), kept).unwrap();

    let r = f.verify_json(&[], 1);
    assert_eq!(r["store"]["tampering"], serde_json::json!([]), "{r:#}");
    assert_eq!(r["entries"], keep);
    assert_eq!(kinds(&r), vec!["truncated", "unsealed"], "{r:#}");
    assert_eq!(r["checkpoints_verified"], 2);

    // With the checkpoint the auditor saved last time, it is also a rollback.
    let saved = f.last_checkpoint.display().to_string();
    let r = f.verify_json(&["--checkpoint", &saved], 1);
    assert!(kinds(&r).contains(&"rollback".to_owned()), "{r:#}");
    assert_eq!(r["trusted_checkpoint"]["size"], f.size);
}

#[test]
fn swapped_segment_files_are_found() {
    let f = build("verify-media-swap");
    let a = f.media_path(&f.segments[1]);
    let b = f.media_path(&f.segments[2]);
    make_writable(&a);
    make_writable(&b);
    let (bytes_a, bytes_b) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    std::fs::write(&a, &bytes_b).unwrap();
    std::fs::write(&b, &bytes_a).unwrap();

    let r = f.verify_json(&[], 1);
    assert_eq!(kinds(&r), vec!["media_swapped", "media_swapped"], "{r:#}");
    let swapped = finding(&r, "media_swapped");
    assert_eq!(swapped["article"], "Art. 21(2)");
    assert_eq!(swapped["severity"], "tampering");
    assert!(swapped["message"].as_str().unwrap().contains(CASE_A));

    let out = f.verify(&["--vkey", &f.vkey_arg()]);
    let text = expect_code(&out, 1);
    assert!(
        text.contains("media_swapped — tampering — Art. 21(2) (2)"),
        "{text}"
    );
}

#[test]
fn edited_media_byte_is_alteration() {
    let f = build("verify-media-edit");
    let p = f.media_path(&f.doc_b);
    make_writable(&p);
    let mut bytes = std::fs::read(&p).unwrap();
    bytes[5] ^= 0x40;
    std::fs::write(&p, &bytes).unwrap();

    let r = f.verify_json(&[], 1);
    assert_eq!(kinds(&r), vec!["media_altered"], "{r:#}");
    let altered = finding(&r, "media_altered");
    assert_eq!(altered["article"], "Art. 21(2)");
    assert!(altered["message"].as_str().unwrap().contains(CASE_B));
}

#[test]
fn removed_media_file_is_destruction() {
    let f = build("verify-media-missing");
    std::fs::remove_file(f.media_path(&f.segments[0])).unwrap();
    let r = f.verify_json(&[], 1);
    assert_eq!(kinds(&r), vec!["media_missing"], "{r:#}");
    assert_eq!(finding(&r, "media_missing")["article"], "Art. 21(5)");
}

#[test]
fn media_choices() {
    let f = build("verify-media-choices");
    // --no-media: the segment chains are still checked, the files are not; fail closed.
    let r = f.verify_json(&["--no-media"], 4);
    assert_eq!(kinds(&r), vec!["media_not_checked"]);
    assert_eq!(r["media"]["checked"], false);
    assert_eq!(r["media"]["reason"], "--no-media was given");
    // An explicit media directory (a copy elsewhere) is used instead of DIR/media.
    let copy = f.root.join("nas-media");
    std::fs::rename(f.dir.join("media"), &copy).unwrap();
    // Without --media, the ledger's own media directory gone is every file missing
    // (Art. 21(5)): only --no-media skips the check.
    let r = f.verify_json(&["--no-audit"], 1);
    assert!(kinds(&r).iter().all(|k| k == "media_missing"), "{r:#}");
    let copy_arg = copy.display().to_string();
    let r = f.verify_json(&["--media", &copy_arg, "--no-audit"], 0);
    assert_eq!(r["media"]["dir"], copy_arg.as_str());
    // A media directory that does not exist is a usage error, not an empty directory.
    let missing = f.root.join("no-such-media").display().to_string();
    let out = f.verify(&["--vkey", &f.vkey_arg(), "--media", &missing]);
    expect_code(&out, 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains(&missing));
    // --media and --no-media contradict each other.
    let out = f.verify(&["--media", &copy_arg, "--no-media"]);
    expect_code(&out, 3);
}

#[test]
fn saved_checkpoints() {
    let f = build("verify-checkpoint");
    // The auditor's earlier checkpoint: the ledger still extends it.
    let first = f.first_checkpoint.display().to_string();
    let r = f.verify_json(&["--checkpoint", &first, "--no-audit"], 0);
    assert_eq!(r["trusted_checkpoint"]["size"], f.first_size);
    assert_eq!(r["trusted_checkpoint"]["origin"], ORIGIN);

    // A checkpoint of another ledger (another origin, another key): it does not verify
    // against this ledger's key, which fails closed as tampering, with a note saying which
    // ledger the checkpoint belongs to.
    let mut other_keys = keys();
    other_keys.ledger = SecretKey::from_seed(&[0x66; 32]);
    let other = build_with(
        "verify-checkpoint-other",
        "other.example/ledger",
        &other_keys,
    );
    let foreign = other.last_checkpoint.display().to_string();
    let r = f.verify_json(&["--checkpoint", &foreign], 1);
    assert_eq!(kinds(&r), vec!["trusted_checkpoint_mismatch"], "{r:#}");
    assert_eq!(r["trusted_checkpoint"]["origin"], "other.example/ledger");
    let out = f.verify(&["--vkey", &f.vkey_arg(), "--checkpoint", &foreign]);
    let text = expect_code(&out, 1);
    assert!(
        text.contains("the saved checkpoint is of ledger other.example/ledger"),
        "{text}"
    );
    assert!(text.contains("the ledger does NOT extend it"), "{text}");

    // A file that is not a checkpoint at all is a usage error naming it.
    let junk = f.root.join("junk.txt");
    std::fs::write(&junk, "not a checkpoint\n").unwrap();
    let junk_arg = junk.display().to_string();
    let out = f.verify(&["--vkey", &f.vkey_arg(), "--checkpoint", &junk_arg]);
    expect_code(&out, 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains(&junk_arg));
}

#[test]
fn wrong_vkey_is_a_verification_failure() {
    let f = build("verify-wrong-vkey");
    // The same name, another key: what a ledger rewritten under a new key looks like.
    let impostor = SecretKey::from_seed(&[0x77; 32]);
    let same_name = f.root.join("impostor.vkey");
    liuhen::keyfile::write_verifier_key(
        &same_name,
        &NoteVerifier::for_key(ORIGIN, impostor.public_key()).unwrap(),
    )
    .unwrap();
    let arg = same_name.display().to_string();
    let out = f.verify(&["--vkey", &arg, "--json"]);
    let r: Value = serde_json::from_str(&expect_code(&out, 1)).unwrap();
    assert_eq!(r["verdict"], "tampered");
    let k = kinds(&r);
    assert_eq!(k[0], "wrong_ledger_key", "{r:#}");
    // No stored checkpoint verifies under the key the auditor trusts.
    assert_eq!(r["checkpoints_verified"], 0);
    let out = f.verify(&["--vkey", &arg]);
    let text = expect_code(&out, 1);
    assert!(text.contains("DOES NOT MATCH"), "{text}");
    assert!(text.contains("another key under the same name"), "{text}");

    // Another ledger's key: named differently, and the note says so.
    let other = f.root.join("other.vkey");
    liuhen::keyfile::write_verifier_key(
        &other,
        &NoteVerifier::for_key("other.example/ledger", impostor.public_key()).unwrap(),
    )
    .unwrap();
    let out = f.verify(&["--vkey", &other.display().to_string()]);
    let text = expect_code(&out, 1);
    assert!(
        text.contains("is named other.example/ledger, but this ledger's origin is"),
        "{text}"
    );

    // An unreadable key file is a usage error naming it.
    let garbage = f.root.join("garbage.vkey");
    std::fs::write(&garbage, "this is not a vkey\n").unwrap();
    let garbage_arg = garbage.display().to_string();
    let out = f.verify(&["--vkey", &garbage_arg]);
    expect_code(&out, 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains(&garbage_arg));
    let missing = f.root.join("missing.vkey").display().to_string();
    let out = f.verify(&["--vkey", &missing]);
    expect_code(&out, 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains(&missing));
}

#[test]
fn missing_or_wrong_directory_is_a_usage_error() {
    common::cli::expect_missing_dir_refused("verify", "verify-missing-dir");

    // The store directory instead of the ledger directory: the message says which to pass.
    let f = build("verify-store-dir");
    let out = liuhen(["verify".into(), f.dir.join("ledger").display().to_string()]);
    expect_code(&out, 3);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is a store directory"), "{stderr}");
}

#[test]
fn findings_are_bounded_by_max_findings() {
    let f = build("verify-bounded");
    // Remove every media file: one finding per media object.
    for m in f.segments.iter().chain([&f.doc_b]) {
        std::fs::remove_file(f.media_path(m)).unwrap();
    }
    let r = f.verify_json(&[], 1);
    assert_eq!(kinds(&r).len(), SEGMENTS + 1);
    let r = f.verify_json(&["--max-findings", "2"], 1);
    let k = kinds(&r);
    assert_eq!(k.len(), 2, "{r:#}");
    // The media checker's last listed finding counts the rest.
    assert!(r["findings"][1]["message"]
        .as_str()
        .unwrap()
        .contains("more media findings omitted"));
}
