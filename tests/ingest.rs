//! `liuhen::ingest` in the core: strict statement JSON (unknown and repeated members refused,
//! errors naming the line and the member), limits enforced while reading, the all-or-nothing
//! batch across chunk boundaries, `each`, both input shapes, the dry run, and what a store
//! failure in the second pass leaves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufReader, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use liuhen::audit::Profile;
use liuhen::ingest::{
    ingest, Appended, IngestError, IngestOptions, InputError, Observer, Refused, Summary,
    MAX_STATEMENT_BYTES,
};
use liuhen::model::Event;
use liuhen::{Ledger, LedgerOptions, ManualClock, MemoryStore, Signer, Timestamp};
use serde_json::{json, Value};

use common::{media, small_ledger, Keys};

fn spool_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("liuhen-ingest-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn options<'a>(name: &str, signer: Option<&'a dyn Signer>) -> IngestOptions<'a> {
    IngestOptions {
        signer,
        each: false,
        dry_run: None,
        spool_dir: spool_dir(name),
        chunk: liuhen::ingest::DEFAULT_CHUNK,
    }
}

/// Counts what the core reports.
#[derive(Default)]
struct Seen {
    appended: Vec<(usize, u64)>,
    refused: Vec<usize>,
}

impl Observer for Seen {
    fn refused(&mut self, r: &Refused) {
        self.refused.push(r.line);
    }
    fn appended(&mut self, a: &Appended) {
        self.appended.push((a.line, a.receipt.seq));
    }
}

fn run(
    ledger: &mut Ledger<MemoryStore>,
    input: &str,
    options: &IngestOptions<'_>,
) -> (Result<Summary, IngestError>, Seen) {
    let mut seen = Seen::default();
    let r = ingest(ledger, input.as_bytes(), options, &mut seen);
    (r, seen)
}

fn case_opened(case_no: &str) -> Value {
    json!({"CaseOpened": {"case_no": case_no, "act": "Inspection", "matter": "m", "unit": "u",
        "subject": "ab".repeat(32)}})
}

fn unsigned(time: i64, event: Value) -> String {
    json!({"time": time, "event": event}).to_string()
}

fn the_only_error(r: Result<Summary, IngestError>) -> InputError {
    match r {
        Err(IngestError::Unreadable { mut errors, count }) => {
            assert_eq!(count, 1, "{errors:?}");
            errors.remove(0)
        }
        other => panic!("expected one unreadable statement, got {other:?}"),
    }
}

#[test]
fn unknown_member_at_depth_is_refused_naming_line_and_path() {
    let (mut ledger, k) = small_ledger(0, &[]);
    let size = ledger.size();
    let t = ledger.now().millis();
    let started = json!({"RecordingStarted": {
        "session": "s", "case_no": "c-1", "device": k.device.public_key().to_string(),
        "method": "BodyWornRecorder", "location": {"place": "p", "landmrk": "门牌"},
        "matter": "m", "officers": ["21020001"], "party": null}});
    let input = format!(
        "{}\n\n{}\n",
        unsigned(t, case_opened("c-1")),
        unsigned(t, started)
    );
    let e = the_only_error(run(&mut ledger, &input, &options("unknown", Some(&k.device))).0);
    match &e {
        InputError::Member {
            line,
            path,
            unknown,
            ..
        } => {
            assert_eq!(
                (*line, path.as_str(), *unknown),
                (3, "event.RecordingStarted.location.landmrk", true)
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string().starts_with(
            "line 3: unknown field `event.RecordingStarted.location.landmrk` (column "
        ),
        "{e}"
    );
    // In a signed statement, deeper still: inside the binding.
    let mut signed = serde_json::to_value(
        ledger
            .sign(
                &k.officer,
                Timestamp(t),
                serde_json::from_value(case_opened("c-2")).unwrap(),
            )
            .unwrap(),
    )
    .unwrap();
    signed["statement"]["binding"]["extra"] = json!(1);
    let e = the_only_error(
        run(
            &mut ledger,
            &format!("{signed}\n"),
            &options("unknown2", None),
        )
        .0,
    );
    assert!(
        e.to_string()
            .contains("unknown field `statement.binding.extra`"),
        "{e}"
    );
    // A member of the wrong type is named by its path, with line and column.
    let wrong = json!({"time": t, "event": {"DocumentFiled": {"case_no": "c", "stage": "Investigation",
        "kind": "InvestigationRecord", "media": {"digest": "00".repeat(32), "length": "ten",
        "mime": "m", "name": "n"}, "officers": []}}});
    let e = the_only_error(
        run(
            &mut ledger,
            &format!("{wrong}\n"),
            &options("wrong", Some(&k.officer)),
        )
        .0,
    );
    let text = e.to_string();
    assert!(text.starts_with("line 1, column "), "{text}");
    assert!(
        text.contains("(at `event.DocumentFiled.media.length`)"),
        "{text}"
    );
    assert_eq!(ledger.size(), size, "nothing appended");
}

/// Writes `v` as JSON text with the first member of its `target`-th object (in document order)
/// written twice.
fn with_duplicate(v: &Value, target: usize, counter: &mut usize, out: &mut String) {
    match v {
        Value::Object(map) => {
            let this = *counter;
            *counter += 1;
            out.push('{');
            let mut first = true;
            for (i, (key, value)) in map.iter().enumerate() {
                let times = if this == target && i == 0 { 2 } else { 1 };
                for _ in 0..times {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    out.push_str(&Value::from(key.as_str()).to_string());
                    out.push(':');
                    let mut ignored = usize::MAX / 2;
                    if times == 2 {
                        // The repeated member's value is written plainly.
                        with_duplicate(value, usize::MAX, &mut ignored, out);
                    } else {
                        with_duplicate(value, target, counter, out);
                    }
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                with_duplicate(item, target, counter, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// serde_json keeps the last of two equal members silently; a statement must not mean one
/// thing to its author's tool and another to the ledger. Every object of every event kind,
/// signed and unsigned, with its first member repeated: refused, nothing appended.
#[test]
fn duplicate_member_is_refused_in_every_object_of_every_event() {
    let (mut ledger, k) = small_ledger(0, &[]);
    let size = ledger.size();
    let t = ledger.now().millis();
    let mut checked = 0;
    for (event, author) in common::scenario(&k) {
        let unsigned = json!({"time": t, "event": event});
        let signed =
            serde_json::to_value(ledger.sign(author, Timestamp(t), event).unwrap()).unwrap();
        for (value, signer) in [(&unsigned, Some(author as &dyn Signer)), (&signed, None)] {
            let mut objects = 0;
            with_duplicate(value, usize::MAX, &mut objects, &mut String::new());
            for target in 0..objects {
                let mut text = String::new();
                with_duplicate(value, target, &mut 0, &mut text);
                let e = the_only_error(run(&mut ledger, &text, &options("dup", signer)).0);
                let message = e.to_string();
                assert!(
                    message.contains("duplicate field")
                        || message.contains("must have exactly one member"),
                    "object {target} of {text}: {message}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked}");
    assert_eq!(ledger.size(), size);
    // The message names the repeated member.
    let text = format!(
        r#"{{"time": {t}, "time": {t}, "event": {}}}"#,
        case_opened("c")
    );
    let e = the_only_error(run(&mut ledger, &text, &options("dup2", Some(&k.officer))).0);
    assert!(
        e.to_string().starts_with("line 1: duplicate field `time`"),
        "{e}"
    );
}

/// A reader of `prefix` followed by `len` bytes of `x`, made as they are read, counting what
/// was read.
struct Generator {
    prefix: Vec<u8>,
    left: u64,
    read: Arc<AtomicU64>,
}

impl Read for Generator {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = if !self.prefix.is_empty() {
            let n = self.prefix.len().min(buf.len());
            buf[..n].copy_from_slice(&self.prefix[..n]);
            self.prefix.drain(..n);
            n
        } else {
            let n = (self.left.min(buf.len() as u64)) as usize;
            buf[..n].fill(b'x');
            self.left -= n as u64;
            n
        };
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Issue 11 item 7 / issue 12: a 200 MB statement was read and parsed whole before the 64 KiB
/// limit applied. It is refused once one byte more than the limit is read.
#[test]
fn a_200_mb_line_is_refused_without_reading_it_whole() {
    let (mut ledger, k) = small_ledger(0, &[]);
    let size = ledger.size();
    let read = Arc::new(AtomicU64::new(0));
    let input = Generator {
        prefix: br#"{"event": {"CaseOpened": {"case_no": "c-1", "act": "Inspection", "unit": "u", "matter": ""#.to_vec(),
        left: 200_000_000,
        read: read.clone(),
    };
    let mut seen = Seen::default();
    let r = ingest(
        &mut ledger,
        BufReader::new(input),
        &options("giant", Some(&k.officer)),
        &mut seen,
    );
    let e = the_only_error(r);
    assert!(matches!(e, InputError::LineTooLong { line: 1 }), "{e:?}");
    let pulled = read.load(Ordering::Relaxed);
    assert!(
        pulled <= (MAX_STATEMENT_BYTES + (64 << 10)) as u64,
        "read {pulled} bytes of a 200 MB line"
    );
    assert_eq!(ledger.size(), size);
}

/// 6,000 statements in chunks of 4,096: one refused at position 5,000 (in the second chunk,
/// after the first chunk was judged) and nothing at all is appended; with `each`, all others.
#[test]
fn refused_statement_at_5000_of_6000_appends_nothing() {
    let (mut ledger, k) = small_ledger(0, &[]);
    let size = ledger.size();
    let t = ledger.now().millis();
    let mut input = String::new();
    for i in 0..6000 {
        // Dated an hour ahead: beyond the allowed clock skew.
        let time = if i == 4999 { t + 3_600_000 } else { t };
        input.push_str(&unsigned(time, case_opened(&format!("c-{i}"))));
        input.push('\n');
    }
    let (r, seen) = run(&mut ledger, &input, &options("aon", Some(&k.officer)));
    match r {
        Err(IngestError::Refused(r)) => {
            assert_eq!(r.line, 5000);
            assert!(matches!(
                r.error,
                liuhen::LedgerError::FutureStatement { index: 4999, .. }
            ));
        }
        other => panic!("{other:?}"),
    }
    assert!(seen.appended.is_empty());
    assert_eq!(ledger.size(), size, "nothing appended");

    let mut each = options("each", Some(&k.officer));
    each.each = true;
    let (r, seen) = run(&mut ledger, &input, &each);
    let summary = r.unwrap();
    assert_eq!((summary.appended, summary.refused), (5999, 1));
    assert_eq!(seen.refused, vec![5000]);
    assert_eq!(seen.appended.len(), 5999);
    assert_eq!(seen.appended[4999], (5001, size + 4999));
    assert_eq!(ledger.size(), size + 5999);
}

/// Signed statements (bound by their author with consecutive counters) and unsigned ones
/// signed by the ingest: both appended, in order, pretty-printed or one per line.
#[test]
fn signed_and_unsigned_shapes_are_appended() {
    let (mut ledger, k) = small_ledger(0, &[]);
    let size = ledger.size();
    let t = ledger.now();
    let mut text = String::new();
    let mut binding = ledger.next_binding(&k.officer.public_key()).unwrap();
    for i in 0..3 {
        let event: Event = serde_json::from_value(case_opened(&format!("s-{i}"))).unwrap();
        let st = liuhen::SignedStatement::sign_bound(binding, t, event, &k.officer).unwrap();
        binding.counter += 1;
        let json = if i == 1 {
            serde_json::to_string_pretty(&st).unwrap()
        } else {
            serde_json::to_string(&st).unwrap()
        };
        text.push_str(&json);
        text.push('\n');
    }
    let (r, seen) = run(&mut ledger, &text, &options("signed", None));
    assert_eq!(r.unwrap().appended, 3);
    assert_eq!(
        seen.appended.iter().map(|a| a.0).collect::<Vec<_>>()[..2],
        [1, 2]
    );
    let text = format!(
        "{}\n{}\n",
        json!({"event": case_opened("u-1")}),
        unsigned(t.millis(), case_opened("u-2"))
    );
    let (r, _) = run(&mut ledger, &text, &options("unsigned", Some(&k.officer)));
    assert_eq!(r.unwrap().seqs, Some((size + 3, size + 4)));
    assert_eq!(ledger.size(), size + 5);
    let e = ledger.entry(size + 4).unwrap();
    assert_eq!(e.statement.statement.author, k.officer.public_key());
    e.statement.verify_signature().unwrap();
}

/// A dry run judges and audits the batch as if appended and writes nothing: an agency's
/// developer sees the compliance mistake (a penalty decided on no record, Art. 9) before it is
/// in the ledger forever.
#[test]
fn dry_run_reports_an_audit_finding_and_writes_nothing() {
    let (mut ledger, k) = small_ledger(0, &[]);
    let before: Vec<Vec<u8>> = ledger.store().all_entries().to_vec();
    let t = ledger.now().millis();
    let decided = json!({"DecisionMade": {"case_no": "p-1", "kind": "Penalty",
        "document": serde_json::to_value(media("决定书.pdf", "application/pdf")).unwrap(),
        "relies_on": []}});
    let input = format!(
        "{}\n{}\n",
        unsigned(t, case_opened("p-1")),
        unsigned(t, decided)
    );
    let profile = Profile::default();
    let mut dry = options("dry", Some(&k.officer));
    dry.dry_run = Some(&profile);
    let (r, seen) = run(&mut ledger, &input, &dry);
    let summary = r.unwrap();
    assert!(seen.appended.is_empty());
    assert_eq!(ledger.store().all_entries(), &before[..], "nothing written");
    assert_eq!(summary.appended, 2);
    let dry = summary.dry_run.unwrap();
    let finding = dry
        .new_findings
        .iter()
        .find(|f| f.rule == "art9.record")
        .unwrap_or_else(|| panic!("{:#?}", dry.new_findings));
    assert!(
        finding.seqs.iter().any(|s| *s >= before.len() as u64),
        "{finding:?}"
    );
    assert!(dry.has_new_violations());
    // The spool is gone.
    assert_eq!(std::fs::read_dir(dry_dir()).unwrap().count(), 0);
}

fn dry_dir() -> PathBuf {
    std::env::temp_dir().join(format!("liuhen-ingest-dry-{}", std::process::id()))
}

/// What the docs promise for a store failure in pass 2: the chunks before it are committed (a
/// prefix of the batch, in order), the error says how many and the line of the first that
/// was not.
#[test]
fn store_failure_in_pass_two_commits_a_reported_prefix() {
    let (ledger, k): (Ledger<MemoryStore>, Keys) = small_ledger(0, &[]);
    let now = ledger.now();
    // A store that fails every append after the first.
    let store = common::forge::FullDisk::after(ledger.into_store(), 1);
    let size = store.inner.size();
    let clock = Arc::new(ManualClock::new(now));
    let mut ledger = Ledger::open(store, clock, LedgerOptions::default()).unwrap();
    let mut input = String::new();
    for i in 0..10 {
        input.push_str(&unsigned(now.millis(), case_opened(&format!("f-{i}"))));
        input.push('\n');
    }
    let mut opts = options("failing", Some(&k.officer));
    opts.chunk = 4;
    let mut seen = Seen::default();
    match ingest(&mut ledger, input.as_bytes(), &opts, &mut seen) {
        Err(IngestError::Interrupted {
            committed, line, ..
        }) => assert_eq!((committed, line), (4, 5)),
        other => panic!("{other:?}"),
    }
    assert_eq!(ledger.size(), size + 4);
    assert_eq!(seen.appended.len(), 4);
}
