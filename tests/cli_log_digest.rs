//! `liuhen log` and `liuhen digest`, end to end on the real binary.
//!
//! The log is read from a ledger directory built with the library: two cases whose entries
//! interleave, one with a recording session, custody, an access request and an erasure, so that
//! `--case` must follow sessions, media, requests and commitments to find every entry of its
//! case and none of the other's. Digests are checked against BLAKE3's published test vectors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use common::cli::{describe, expect_code, liuhen, liuhen_stdin, scratch};
use common::events::recording_start;
use common::{Built, LedgerBuilder, ORIGIN, T0};
use liuhen::commitment::commit_with_salt;
use liuhen::hash::{Sha256TreeHasher, TreeHasher};
use liuhen::media::{digest_reader, Recording};
use liuhen::model::*;
use liuhen::store::file::FileStore;
use liuhen::store::StoreRead;
use liuhen::{Ledger, Signer};
use serde_json::Value;

const CASE_A: &str = "金民执〔2026〕7号";
const CASE_B: &str = "金民罚〔2026〕2号";
const SESSION: &str = "BWC-7731-20260101-0900";
const PARTY_A: &str = "大连某某协会";
const SALT_A: [u8; 32] = [0xa7; 32];
const REQUESTER: &str = "张三丰";
const SALT_REQ: [u8; 32] = [0x5c; 32];

struct LogFixture {
    dir: PathBuf,
    /// Sequence numbers of the entries that concern case A, and case B.
    case_a: BTreeSet<u64>,
    case_b: BTreeSet<u64>,
    size: u64,
    party_a: Sealed,
}

/// Appends one statement and notes which case it concerns.
struct Builder {
    ledger: Ledger<FileStore>,
    case_a: BTreeSet<u64>,
    case_b: BTreeSet<u64>,
}

impl Builder {
    fn add(&mut self, author: &dyn Signer, event: Event, case: Option<&str>) {
        let seq = self.ledger.sign_and_append(author, event).unwrap().seq;
        self.note(seq, case);
    }

    fn note(&mut self, seq: u64, case: Option<&str>) {
        match case {
            Some(CASE_A) => self.case_a.insert(seq),
            Some(CASE_B) => self.case_b.insert(seq),
            _ => false,
        };
    }
}

fn build(name: &str) -> LogFixture {
    let root = scratch(name);
    let dir = root.join("jinpu");
    // The ledger exists before the statements it will hold (earlier ones are refused); its
    // clock then runs a day ahead of them.
    let Built { ledger, k, clock } = LedgerBuilder::new()
        .file_store(dir.join("ledger"))
        .v1_field_team()
        .build();
    let mut b = Builder {
        ledger,
        case_a: BTreeSet::new(),
        case_b: BTreeSet::new(),
    };
    let (party_a, _) = commit_with_salt("party.name", PARTY_A, SALT_A);
    let (requester, _) = commit_with_salt("requester.name", REQUESTER, SALT_REQ);
    b.add(
        &k.officer,
        common::events::case_opened(CASE_A, party_a),
        Some(CASE_A),
    );
    // Case B's matter holds a terminal escape and a line break: the log must not pass them on.
    b.add(
        &k.officer,
        Event::CaseOpened {
            case_no: CASE_B.into(),
            act: ActKind::Penalty,
            matter: "未按规定\u{1b}[2J报送\n     99  forged line".into(),
            unit: "执法监督科".into(),
            subject: commit_with_salt("party.name", "某民办非企业单位", [3; 32]).0,
        },
        Some(CASE_B),
    );
    // The recording of case A: its segments and stop name only the session.
    let notified = Recording::notify_party(SESSION, CASE_A, &k.device, Timestamp(T0)).unwrap();
    let (mut rec, started) = Recording::start(
        recording_start(SESSION, CASE_A, Some(party_a)),
        &k.device,
        Timestamp(T0 + 1_000),
    )
    .unwrap();
    for s in [notified, started] {
        let seq = b.ledger.append(s).unwrap().seq;
        b.note(seq, Some(CASE_A));
    }
    // Case B files a document between them.
    let doc_b = digest_reader(
        Cursor::new(b"inquiry record"),
        "application/pdf",
        "询问笔录.pdf",
    )
    .unwrap();
    b.add(
        &k.officer,
        Event::DocumentFiled {
            case_no: CASE_B.into(),
            stage: Stage::Investigation,
            kind: DocumentKind::InvestigationRecord,
            media: doc_b.clone(),
            officers: vec!["21020002".into()],
        },
        Some(CASE_B),
    );
    let mut segments = Vec::new();
    for i in 0..3i64 {
        let bytes = format!("segment {i}").into_bytes();
        let m = digest_reader(
            Cursor::new(&bytes),
            "video/mp4",
            &format!("{SESSION}-{i:04}.mp4"),
        )
        .unwrap();
        let start = T0 + 1_000 + 60_000 * i;
        let s = rec
            .segment(m.clone(), Timestamp(start), Timestamp(start + 60_000))
            .unwrap();
        let seq = b.ledger.append(s).unwrap().seq;
        b.note(seq, Some(CASE_A));
        segments.push(m);
    }
    let interrupted = rec
        .interrupted(InterruptionReason::Battery, Timestamp(T0 + 181_000))
        .unwrap();
    let seq = b.ledger.append(interrupted).unwrap().seq;
    b.note(seq, Some(CASE_A));
    let stopped = rec.stop(Timestamp(T0 + 182_000)).unwrap();
    let seq = b.ledger.append(stopped).unwrap().seq;
    b.note(seq, Some(CASE_A));
    let checkpoint = b.ledger.seal(&k.ledger).unwrap();
    let _ = checkpoint;
    clock.advance(60_000);
    // Entries tied to case A only through its media, request and commitments.
    b.add(
        &k.officer,
        Event::Handover {
            media: segments[0].digest,
            from: "21020001".into(),
            to: "21020009".into(),
        },
        Some(CASE_A),
    );
    b.add(
        &k.officer,
        Event::DerivativeMade {
            original: segments[1].digest,
            derivative: digest_reader(Cursor::new(b"redacted"), "video/mp4", "redacted.mp4")
                .unwrap(),
            kind: DerivativeKind::Redaction,
            reason: "公开前脱敏".into(),
        },
        Some(CASE_A),
    );
    b.add(
        &k.officer,
        Event::AccessRequested {
            request: "REQ-7".into(),
            case_no: CASE_A.into(),
            requester,
            basis: "政府信息公开条例".into(),
        },
        Some(CASE_A),
    );
    b.add(
        &k.officer,
        Event::AccessDecided {
            request: "REQ-7".into(),
            granted: true,
            reason: "当事人申请".into(),
        },
        Some(CASE_A),
    );
    b.add(
        &k.officer,
        Event::RecordViewed {
            subject: RecordRef::Session(SESSION.into()),
            by: "21020009".into(),
            purpose: "复核".into(),
        },
        Some(CASE_A),
    );
    b.add(
        &k.officer,
        Event::RecordViewed {
            subject: RecordRef::Media(doc_b.digest),
            by: "21020009".into(),
            purpose: "复核".into(),
        },
        Some(CASE_B),
    );
    b.add(
        &k.officer,
        Event::DecisionMade {
            case_no: CASE_B.into(),
            kind: DecisionKind::Penalty,
            document: digest_reader(Cursor::new(b"decision"), "application/pdf", "决定书.pdf")
                .unwrap(),
            relies_on: vec![doc_b.digest],
        },
        Some(CASE_B),
    );
    b.add(
        &k.officer,
        Event::Erased {
            commitment: requester,
            authority: "个人信息保护负责人".into(),
        },
        Some(CASE_A),
    );
    b.ledger.seal(&k.ledger).unwrap();
    let size = b.ledger.size();
    LogFixture {
        dir,
        case_a: b.case_a,
        case_b: b.case_b,
        size,
        party_a,
    }
}

impl LogFixture {
    fn log(&self, extra: &[&str]) -> std::process::Output {
        common::cli::liuhen_on("log", &self.dir, extra)
    }

    /// `log --json …`: every line parsed.
    fn json(&self, extra: &[&str]) -> Vec<Value> {
        let mut args = vec!["--json"];
        args.extend_from_slice(extra);
        let out = self.log(&args);
        let text = expect_code(&out, 0);
        text.lines()
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}\n{}", describe(&out)))
            })
            .collect()
    }
}

fn seqs_of_json(lines: &[Value]) -> Vec<u64> {
    lines.iter().map(|l| l["seq"].as_u64().unwrap()).collect()
}

/// The sequence numbers at the start of the human log's entry lines.
fn seqs_of_text(text: &str) -> Vec<u64> {
    text.lines()
        .filter(|l| l.starts_with("  "))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let seq = words.next()?.parse().ok()?;
            // An entry line goes on with its UTC time.
            words.next().filter(|t| t.ends_with('Z'))?;
            Some(seq)
        })
        .collect()
}

fn assert_no_personal_data(text: &str, f: &LogFixture) {
    for secret in [
        PARTY_A.to_owned(),
        REQUESTER.to_owned(),
        liuhen::hash::Digest::from_bytes(SALT_A).to_hex(),
        liuhen::hash::Digest::from_bytes(SALT_REQ).to_hex(),
    ] {
        assert!(!text.contains(&secret), "{secret} appears in:\n{text}");
    }
    let _ = f;
}

#[test]
fn whole_log_in_order_with_authors_and_sealed_fields() {
    let f = build("log-whole");
    let out = f.log(&[]);
    let text = expect_code(&out, 0);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains(&format!("ledger {ORIGIN}, {} entries", f.size)),
        "{text}"
    );
    assert_eq!(
        seqs_of_text(&text),
        (0..f.size).collect::<Vec<_>>(),
        "{text}"
    );
    // Authors by holder name; the ledger key by what genesis made it.
    assert!(text.contains("21020001 (Officer)"), "{text}");
    assert!(text.contains("BWC-7731 (Device)"), "{text}");
    assert!(text.contains(&format!("ledger key of {ORIGIN} (System)")));
    // Times are UTC ISO 8601: genesis was logged at T0 + 1 day = 2026-01-02.
    assert!(text.contains("2026-01-02T00:00:00.000Z"), "{text}");
    // Main fields of the events.
    assert!(text.contains(&format!(
        "session {SESSION} · segment 2 · {SESSION}-0002.mp4 [video/mp4"
    )));
    assert!(text.contains("reason Battery"), "{text}");
    assert!(text.contains("segments 3"), "{text}");
    assert!(text.contains("request REQ-7 · granted"), "{text}");
    // Sealed fields: "sealed:" and 8 hex digits, never more of the commitment, never the value.
    let commitment = f.party_a.0.to_hex();
    assert!(text.contains(&format!("party sealed:{}", &commitment[..8])));
    assert!(!text.contains(&commitment[..9]), "{text}");
    assert_no_personal_data(&text, &f);
    // Control characters from an entry are shown escaped: no escape sequence, no forged line.
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(
        text.contains("未按规定\\u{1b}[2J报送\\n     99  forged line"),
        "{text}"
    );
    assert!(!text.lines().any(|l| l.starts_with("     99")), "{text}");
}

#[test]
fn log_of_one_case_follows_its_sessions_media_requests_and_commitments() {
    let f = build("log-case");
    assert!(f.case_a.len() > 10 && f.case_b.len() >= 4);
    let out = f.log(&["--case", CASE_A]);
    let text = expect_code(&out, 0);
    let shown: BTreeSet<u64> = seqs_of_text(&text).into_iter().collect();
    assert_eq!(shown, f.case_a, "{text}");
    // Including the segments and the stop, which carry only the session id.
    assert_eq!(text.matches("SegmentSealed").count(), 3, "{text}");
    assert!(text.contains("RecordingStopped"), "{text}");
    assert!(text.contains("RecordingInterrupted"), "{text}");
    assert!(!text.contains(CASE_B), "{text}");
    let json = f.json(&["--case", CASE_A]);
    assert_eq!(
        seqs_of_json(&json).into_iter().collect::<BTreeSet<_>>(),
        f.case_a
    );

    let json = f.json(&["--case", CASE_B]);
    assert_eq!(
        seqs_of_json(&json).into_iter().collect::<BTreeSet<_>>(),
        f.case_b
    );

    // An unknown case: nothing, said on stderr, not an error.
    let out = f.log(&["--case", "金民执〔2099〕1号"]);
    expect_code(&out, 0);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no entry"));
}

#[test]
fn json_lines_parse_and_match_the_ledger() {
    let f = build("log-json");
    let lines = f.json(&[]);
    assert_eq!(seqs_of_json(&lines), (0..f.size).collect::<Vec<_>>());
    let store = FileStore::open_read_only(f.dir.join("ledger")).unwrap();
    for l in &lines {
        for field in [
            "seq",
            "logged_at",
            "time",
            "author",
            "holder",
            "role",
            "kind",
            "event",
            "leaf",
        ] {
            assert!(l.get(field).is_some(), "no {field} in {l}");
        }
        let seq = l["seq"].as_u64().unwrap();
        let bytes = store.entry_bytes(seq).unwrap();
        let entry = liuhen::Entry::from_bytes(&bytes).unwrap();
        // The leaf hash is the RFC 6962 leaf of the stored bytes: what proofs are about.
        assert_eq!(l["leaf"], Sha256TreeHasher.hash_leaf(&bytes).to_hex());
        assert_eq!(l["author"], entry.statement.statement.author.to_string());
        assert_eq!(l["kind"], entry.statement.statement.event.name());
        // The event is the serde_json form of the Event (docs/EVENTS.md), tagged by kind.
        let event: Event = serde_json::from_value(l["event"].clone()).unwrap();
        assert_eq!(event, entry.statement.statement.event);
        assert!(l["event"]
            .get(entry.statement.statement.event.name())
            .is_some());
        let logged = l["logged_at"].as_str().unwrap();
        assert_eq!(logged.len(), "2026-01-02T00:00:00.000Z".len(), "{logged}");
        assert!(logged.starts_with("2026-01-0") && logged.ends_with('Z'));
    }
    assert_eq!(lines[0]["kind"], "Genesis");
    assert_eq!(lines[0]["role"], "System");
    assert_eq!(lines[3]["holder"], "21020001");
    assert_eq!(lines[3]["logged_at"], "2026-01-02T00:00:00.000Z");
    let text: String = lines.iter().map(|l| l.to_string()).collect();
    assert_no_personal_data(&text, &f);
}

#[test]
fn from_and_limit() {
    let f = build("log-from-limit");
    let lines = f.json(&["--from", "5", "--limit", "3"]);
    assert_eq!(seqs_of_json(&lines), vec![5, 6, 7]);
    // Authors before --from are still known by name (the registry is read from the start).
    assert_eq!(lines[0]["holder"], "BWC-7731");
    let out = f.log(&["--from", "5", "--limit", "3"]);
    assert_eq!(seqs_of_text(&expect_code(&out, 0)), vec![5, 6, 7]);
    // --case with --from: the session learned before --from still ties the later segments.
    let first_segment = *f.case_a.iter().find(|s| **s > 6).unwrap();
    let from = first_segment.to_string();
    let lines = f.json(&["--case", CASE_A, "--from", &from, "--limit", "2"]);
    let want: Vec<u64> = f.case_a.range(first_segment..).take(2).copied().collect();
    assert_eq!(seqs_of_json(&lines), want);
    // Beyond the end: nothing.
    assert!(f.json(&["--from", "1000"]).is_empty());
}

#[test]
fn unreadable_store_is_refused_in_one_sentence() {
    common::cli::expect_missing_dir_refused("log", "log-unreadable");

    let f = build("log-bad-header");
    let header = f.dir.join("ledger").join("header");
    let mut bytes = std::fs::read(&header).unwrap();
    bytes[0] ^= 0xff;
    std::fs::write(&header, &bytes).unwrap();
    let out = f.log(&[]);
    expect_code(&out, 3);
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("header"), "{stderr}");
}

#[test]
fn damaged_entry_is_shown_as_a_gap_and_exits_3() {
    let f = build("log-damaged");
    let log = f.dir.join("ledger").join("entries.log");
    let mut bytes = std::fs::read(&log).unwrap();
    // Frame of entry 0: u32 length, payload, checksum; flip a payload byte of entry 1.
    let len0 = u32::from_le_bytes(bytes[0..4].try_into().unwrap()) as usize;
    let at1 = 4 + len0 + 32;
    bytes[at1 + 10] ^= 0x01;
    std::fs::write(&log, &bytes).unwrap();
    let out = f.log(&[]);
    let text = expect_code(&out, 3);
    assert!(text.contains("     1  (unreadable:"), "{text}");
    // The other entries are still shown.
    assert_eq!(seqs_of_text(&text).len() as u64, f.size - 1, "{text}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("entry 1 cannot be read"), "{stderr}");
    assert!(stderr.contains("liuhen verify"), "{stderr}");
}

// ----- digest ------------------------------------------------------------------------------

use common::blake3_vectors::{pattern, BLAKE3_VECTORS};

/// The published BLAKE3 vectors (common::blake3_vectors, from BLAKE3-team/BLAKE3
/// `test_vectors/test_vectors.json`) this file digests through the binary.
fn vectors() -> Vec<(usize, &'static str)> {
    const LENGTHS: [usize; 7] = [0, 1, 1023, 1024, 8193, 31744, 102_400];
    LENGTHS
        .iter()
        .map(|&len| {
            *BLAKE3_VECTORS
                .iter()
                .find(|v| v.0 == len)
                .expect("published")
        })
        .collect()
}

/// One file per vector, named with an extension whose MIME type the JSON output guesses.
fn vector_files(root: &Path) -> Vec<(PathBuf, &'static str, usize)> {
    let exts = ["mp4", "pdf", "jpg", "png", "wav", "txt", "bin"];
    vectors()
        .into_iter()
        .zip(exts.iter().cycle())
        .map(|((len, hex), ext)| {
            let path = root.join(format!("v{len}.{ext}"));
            std::fs::write(&path, pattern(len)).unwrap();
            (path, hex, len)
        })
        .collect()
}

#[test]
fn digest_lines_are_b3sum_lines_with_the_published_digests() {
    let root = scratch("digest-vectors");
    let files = vector_files(&root);
    let mut args = vec!["digest".to_owned()];
    args.extend(files.iter().map(|(p, _, _)| p.display().to_string()));
    let out = liuhen(&args);
    let text = expect_code(&out, 0);
    let want: String = files
        .iter()
        .map(|(p, hex, _)| format!("{hex}  {}\n", p.display()))
        .collect();
    assert_eq!(text, want);
    // The thread count changes nothing.
    for threads in ["1", "3"] {
        let mut a = args.clone();
        a.extend(["--threads".to_owned(), threads.to_owned()]);
        assert_eq!(expect_code(&liuhen(&a), 0), want);
    }
}

#[test]
fn digest_json_is_one_media_ref_per_line() {
    let root = scratch("digest-json");
    let files = vector_files(&root);
    let mut args = vec!["digest".to_owned(), "--json".to_owned()];
    args.extend(files.iter().map(|(p, _, _)| p.display().to_string()));
    let text = expect_code(&liuhen(&args), 0);
    let refs: Vec<MediaRef> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(refs.len(), files.len());
    for (m, (path, hex, len)) in refs.iter().zip(&files) {
        assert_eq!(m.digest.to_hex(), *hex);
        assert_eq!(m.length, *len as u64);
        assert_eq!(m.name, path.file_name().unwrap().to_string_lossy());
    }
    let mimes: Vec<&str> = refs.iter().map(|m| m.mime.as_str()).collect();
    assert_eq!(
        mimes,
        [
            "video/mp4",
            "application/pdf",
            "image/jpeg",
            "image/png",
            "audio/wav",
            "text/plain",
            "application/octet-stream"
        ]
    );
    // Exactly the four members of a MediaRef.
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let mut members: Vec<&String> = first.as_object().unwrap().keys().collect();
    members.sort();
    assert_eq!(members, ["digest", "length", "mime", "name"]);
    // --mime overrides the guess.
    let out = liuhen([
        "digest",
        "--json",
        "--mime",
        "video/quicktime",
        &files[1].0.display().to_string(),
    ]);
    let m: MediaRef = serde_json::from_str(expect_code(&out, 0).trim_end()).unwrap();
    assert_eq!(m.mime, "video/quicktime");
}

#[test]
fn digest_of_standard_input() {
    let (len, hex) = vectors()[4];
    let out = liuhen_stdin(["digest", "-"], &pattern(len));
    assert_eq!(expect_code(&out, 0), format!("{hex}  -\n"));
    // No file at all reads standard input too, as b3sum does.
    let out = liuhen_stdin(["digest"], &pattern(len));
    assert_eq!(expect_code(&out, 0), format!("{hex}  -\n"));
    let out = liuhen_stdin(["digest", "--json", "-"], &pattern(len));
    let m: Value = serde_json::from_str(expect_code(&out, 0).trim_end()).unwrap();
    assert_eq!(m["digest"], hex);
    assert_eq!(m["length"], len);
    assert_eq!(m["name"], "-");
}

#[test]
fn missing_file_is_named_and_the_others_are_digested() {
    let root = scratch("digest-missing");
    let files = vector_files(&root);
    let missing = root.join("no-such-footage.mp4");
    let out = liuhen([
        "digest".to_owned(),
        files[0].0.display().to_string(),
        missing.display().to_string(),
        files[2].0.display().to_string(),
    ]);
    let text = expect_code(&out, 3);
    assert_eq!(
        text,
        format!(
            "{}  {}\n{}  {}\n",
            files[0].1,
            files[0].0.display(),
            files[2].1,
            files[2].0.display()
        )
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&missing.display().to_string()),
        "{}",
        describe(&out)
    );
    // A directory is not media either.
    let out = liuhen(["digest".to_owned(), root.display().to_string()]);
    expect_code(&out, 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains(&root.display().to_string()));
}

#[cfg(unix)]
#[test]
fn path_with_newline_or_backslash_is_escaped_as_b3sum_does() {
    let root = scratch("digest-escape");
    let path = root.join("a\\b\nc.mp4");
    std::fs::write(&path, pattern(1)).unwrap();
    let out = liuhen(["digest".to_owned(), path.display().to_string()]);
    let text = expect_code(&out, 0);
    let escaped = path
        .display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('\n', "\\n");
    assert_eq!(text, format!("\\{}  {escaped}\n", vectors()[1].1));
}
