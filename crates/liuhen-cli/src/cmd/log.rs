//! `liuhen log`: the ledger's history, or one case's, step by step (Art. 3: every step of the
//! enforcement process leaves a trace and can be traced back).
//!
//! Read-only and not a verifier: it shows what the stored entries say, decoded, without checking
//! signatures, the chain or checkpoints (`liuhen verify` does). Personal data never appears:
//! sealed fields are shown as `sealed:` and the first 8 hex digits of the commitment, and the
//! ledger holds no value or salt to show in the first place (Art. 15, 20).

use std::error::Error;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use serde::Serialize;

use liuhen::bundle::CaseFilter;
use liuhen::entry::Entry;
use liuhen::hash::{Digest, Sha256TreeHasher, TreeHasher};
use liuhen::model::{Event, MediaRef, RecordRef, Retention, Role, Sealed, Timestamp};
use liuhen::registry::Registry;
use liuhen::store::Store;
use liuhen::PublicKey;

use crate::layout::LedgerDir;
use crate::{Global, EXIT_ERROR, EXIT_OK};

/// Arguments of `liuhen log`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  liuhen log /srv/liuhen/jinpu                          # the whole history
  liuhen log /srv/liuhen/jinpu --case '金民执〔2026〕12号'  # one case, with its recordings
  liuhen log /srv/liuhen/jinpu --from 1200 --limit 50
  liuhen log /srv/liuhen/jinpu --json | jq -c 'select(.kind == \"DecisionMade\")'

Times are UTC (ISO 8601). The log shows what the entries say; it does not verify them: run
`liuhen verify` for that. Exit code 3 if the store cannot be opened or an entry cannot be read.")]
pub struct Args {
    /// The ledger directory (as created by `liuhen init`).
    pub dir: PathBuf,
    /// Only the entries that concern this case: its own statements, its recording sessions'
    /// segments, interruptions and stops, custody and purges of its media, decisions on its
    /// access requests, views of its records, erasures of its sealed fields.
    #[arg(long, value_name = "NO")]
    pub case: Option<String>,
    /// Start at this sequence number.
    #[arg(long, value_name = "SEQ", default_value_t = 0)]
    pub from: u64,
    /// Show at most this many entries.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// JSON Lines: one object per entry {seq, logged_at, time, author, holder, role, kind,
    /// event, leaf} (docs/CLI.md).
    #[arg(long)]
    pub json: bool,
}

/// Unreadable entries named one by one on stderr before the rest are only counted.
const MAX_NAMED_FAILURES: u64 = 10;

/// Runs `liuhen log`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    let dir = LedgerDir::new(&args.dir);
    let store = dir.open_read_only()?;
    if let Some(t) = store.recovery().tampering.first() {
        eprintln!(
            "liuhen: warning: the store's files show tampering ({t}); some entries may not be readable — run `liuhen verify {}`",
            args.dir.display()
        );
    }
    let size = store.size();
    let mut registry = Registry::new();
    let mut filter = args.case.clone().map(CaseFilter::new);
    // A case's sessions, requests and media are learned from its earlier entries, so a filtered
    // log reads from the start and shows from `--from`; an unfiltered one only needs the key
    // registry as of `--from`.
    let first_read = if filter.is_some() {
        0
    } else {
        preload_registry(&store, &mut registry, args.from.min(size))?;
        args.from.min(size)
    };

    let mut out = BufWriter::new(io::stdout().lock());
    if !args.json && !global.quiet {
        let header = match &args.case {
            Some(c) => format!(
                "ledger {}, case {} (not verified: run `liuhen verify`)",
                store.origin(),
                c
            ),
            None => format!(
                "ledger {}, {size} entries (not verified: run `liuhen verify`)",
                store.origin()
            ),
        };
        if write_line(&mut out, &clean(&header)).is_err() {
            return Ok(EXIT_OK);
        }
    }
    let mut shown = 0u64;
    let mut failures = 0u64;
    for seq in first_read..size {
        if args.limit.is_some_and(|l| shown >= l) {
            break;
        }
        let entry = match store
            .entry_bytes(seq)
            .map_err(|e| e.to_string())
            .and_then(|b| {
                Entry::from_bytes(&b)
                    .map(|e| (e, b))
                    .map_err(|e| e.to_string())
            }) {
            Ok(x) => x,
            Err(e) => {
                failures += 1;
                if failures <= MAX_NAMED_FAILURES {
                    eprintln!("liuhen: entry {seq} cannot be read: {e}");
                }
                // The gap shows where it is; whether it concerned the case cannot be known.
                if !args.json && seq >= args.from {
                    let line = format!("{seq:>6}  (unreadable: {})", clean(&e));
                    if let Err(e) = write_line(&mut out, &line) {
                        if e.kind() == io::ErrorKind::BrokenPipe {
                            return Ok(EXIT_OK);
                        }
                        return Err(format!("writing to standard output: {e}").into());
                    }
                }
                continue;
            }
        };
        let (entry, bytes) = entry;
        let statement = &entry.statement.statement;
        // Who may author what is the verifier's question; here the registry only names authors.
        let _ = registry.admit(seq, statement);
        let concerns = filter.as_mut().is_none_or(|f| f.concerns(&statement.event));
        if !concerns || seq < args.from {
            continue;
        }
        let line = if args.json {
            json_line(seq, &entry, &bytes, &registry)?
        } else {
            human_lines(seq, &entry, &registry)
        };
        match write_line(&mut out, &line) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(EXIT_OK),
            Err(e) => return Err(format!("writing to standard output: {e}").into()),
        }
        shown += 1;
    }
    match out.flush() {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(EXIT_OK),
        Err(e) => return Err(format!("writing to standard output: {e}").into()),
    }
    if let (Some(case), 0) = (&args.case, shown) {
        eprintln!(
            "liuhen: no entry from {} on concerns case {}",
            args.from,
            clean(case)
        );
    }
    if failures > 0 {
        eprintln!(
            "liuhen: {failures} entries of {} could not be read or decoded; run `liuhen verify {}`",
            args.dir.display(),
            args.dir.display()
        );
        return Ok(EXIT_ERROR);
    }
    Ok(EXIT_OK)
}

/// Applies the registry changes of the entries before `upto`, reading only those entries when
/// the store keeps their positions.
fn preload_registry<S: Store>(
    store: &S,
    registry: &mut Registry,
    upto: u64,
) -> Result<(), Box<dyn Error>> {
    let seqs: Vec<u64> = match store.registry_changes()? {
        Some(seqs) => seqs.into_iter().filter(|s| *s < upto).collect(),
        None => (0..upto).collect(),
    };
    for seq in seqs {
        // An unreadable entry before `--from` is not shown, so it is not reported either: the
        // author names it would have given are simply missing.
        if let Ok(entry) = store
            .entry_bytes(seq)
            .map_err(|e| e.to_string())
            .and_then(|b| Entry::from_bytes(&b).map_err(|e| e.to_string()))
        {
            let _ = registry.admit(seq, &entry.statement.statement);
        }
    }
    Ok(())
}

fn write_line(out: &mut impl Write, line: &str) -> io::Result<()> {
    out.write_all(line.as_bytes())?;
    out.write_all(b"\n")
}

/// One entry of `--json` output (docs/CLI.md).
#[derive(Serialize)]
struct JsonEntry<'a> {
    seq: u64,
    logged_at: String,
    time: String,
    author: String,
    holder: Option<&'a str>,
    role: Option<Role>,
    kind: &'static str,
    event: &'a Event,
    leaf: String,
}

fn json_line(
    seq: u64,
    entry: &Entry,
    bytes: &[u8],
    registry: &Registry,
) -> Result<String, Box<dyn Error>> {
    let statement = &entry.statement.statement;
    let record = registry.get(&statement.author);
    let line = JsonEntry {
        seq,
        logged_at: iso8601(entry.logged_at),
        time: iso8601(statement.time),
        author: statement.author.to_string(),
        holder: record.map(|r| r.holder.as_str()),
        role: record.map(|r| r.role),
        kind: statement.event.name(),
        event: &statement.event,
        leaf: Sha256TreeHasher.hash_leaf(bytes).to_hex(),
    };
    Ok(serde_json::to_string(&line)?)
}

/// Two lines: position, time, kind and author; then what the statement says.
fn human_lines(seq: u64, entry: &Entry, registry: &Registry) -> String {
    let statement = &entry.statement.statement;
    let head = format!(
        "{seq:>6}  {}  {:<20}  {}",
        iso8601(entry.logged_at),
        statement.event.name(),
        author_text(&statement.author, registry)
    );
    let mut details = describe(&statement.event, registry);
    // A statement dated apart from when it was logged (offline device, late upload) says so.
    let lag = entry.logged_at.0.saturating_sub(statement.time.0);
    if lag.unsigned_abs() >= 60_000 {
        details.push(format!("stated {}", iso8601(statement.time)));
    }
    // Each part is cleaned on its own, so only this function's line break separates lines.
    if details.is_empty() {
        clean(&head)
    } else {
        format!("{}\n        {}", clean(&head), clean(&details.join(" · ")))
    }
}

fn author_text(key: &PublicKey, registry: &Registry) -> String {
    match registry.get(key) {
        Some(r) => format!("{} ({:?})", r.holder, r.role),
        None => format!("{} (not registered)", key_prefix(key)),
    }
}

/// A key as people compare them: algorithm and the first 8 hex digits.
fn key_prefix(key: &PublicKey) -> String {
    let text = key.to_string();
    let hex = key.to_hex();
    let algorithm = text.split(':').next().unwrap_or("key");
    format!("{algorithm}:{}", hex.get(..8).unwrap_or(&hex))
}

/// A key with its holder, if the registry knows it.
fn key_text(key: &PublicKey, registry: &Registry) -> String {
    match registry.get(key) {
        Some(r) => format!("{} ({})", key_prefix(key), r.holder),
        None => key_prefix(key),
    }
}

/// A sealed field: never more than a prefix of the commitment.
fn sealed(s: &Sealed) -> String {
    let hex = s.0.to_hex();
    format!("sealed:{}", hex.get(..8).unwrap_or(&hex))
}

fn short(d: &Digest) -> String {
    let hex = d.to_hex();
    hex.get(..16).unwrap_or(&hex).to_owned()
}

fn media(m: &MediaRef) -> String {
    format!(
        "{} [{}, {} B, blake3 {}]",
        m.name,
        m.mime,
        m.length,
        short(&m.digest)
    )
}

fn record_ref(r: &RecordRef) -> String {
    match r {
        RecordRef::Session(s) => format!("session {s}"),
        RecordRef::Media(d) => format!("media {}", short(d)),
        RecordRef::Case(c) => format!("case {c}"),
    }
}

fn retention(r: &Retention) -> String {
    match r {
        Retention::Permanent => "kept permanently".into(),
        Retention::Until(t) => format!("kept until {}", iso8601(*t)),
    }
}

/// The name of an enum value as the JSON shows it: `Inspection`, or `Other: 说明` for a named
/// variant.
fn label<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .next()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .unwrap_or_default(),
        Ok(other) => other.to_string(),
        Err(_) => "?".into(),
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// The main fields of an event, one phrase each.
fn describe(event: &Event, registry: &Registry) -> Vec<String> {
    match event {
        Event::Genesis {
            origin,
            suite,
            ledger_key,
        } => vec![
            format!("origin {origin}"),
            format!("suite {suite:?}"),
            format!("ledger key {}", key_prefix(ledger_key)),
        ],
        Event::KeyAuthorized { key, role, holder } => vec![
            format!("key {}", key_prefix(key)),
            format!("role {role:?}"),
            format!("holder {holder}"),
        ],
        Event::KeyRevoked { key, reason } => vec![
            format!("key {}", key_text(key, registry)),
            format!("reason {reason}"),
        ],
        Event::CaseOpened {
            case_no,
            act,
            matter,
            unit,
            subject,
        } => vec![
            format!("case {case_no}"),
            format!("act {}", label(act)),
            format!("matter {matter}"),
            format!("unit {unit}"),
            format!("party {}", sealed(subject)),
        ],
        Event::DocumentFiled {
            case_no,
            stage,
            kind,
            media: m,
            officers,
        } => vec![
            format!("case {case_no}"),
            format!("stage {stage:?}"),
            label(kind),
            media(m),
            format!("officers {}", list(officers)),
        ],
        Event::DecisionMade {
            case_no,
            kind,
            document,
            relies_on,
        } => vec![
            format!("case {case_no}"),
            format!("decision {}", label(kind)),
            media(document),
            format!("relies on {} records", relies_on.len()),
        ],
        Event::CaseClosed {
            case_no,
            outcome,
            file_retention,
        } => vec![
            format!("case {case_no}"),
            format!("outcome {outcome}"),
            format!("file {}", retention(file_retention)),
        ],
        Event::PartyNotified {
            session,
            case_no,
            at,
        } => vec![
            format!("case {case_no}"),
            format!("session {session}"),
            format!("party told at {}", iso8601(*at)),
        ],
        Event::RecordingStarted {
            session,
            case_no,
            device,
            method,
            location,
            matter,
            officers,
            party,
        } => {
            let mut v = vec![
                format!("case {case_no}"),
                format!("session {session}"),
                label(method),
                format!("device {}", key_text(device, registry)),
                match &location.landmark {
                    Some(l) => format!("at {} ({l})", location.place),
                    None => format!("at {} (no landmark)", location.place),
                },
                format!("matter {matter}"),
                format!("officers {}", list(officers)),
            ];
            if let Some(p) = party {
                v.push(format!("party {}", sealed(p)));
            }
            v
        }
        Event::SegmentSealed {
            session,
            index,
            prev_segment,
            media: m,
            start,
            end,
        } => vec![
            format!("session {session}"),
            format!("segment {index}"),
            media(m),
            format!("{} – {}", iso8601(*start), iso8601(*end)),
            match prev_segment {
                Some(p) => format!("after {}", short(p)),
                None => "first segment".into(),
            },
        ],
        Event::RecordingInterrupted {
            session,
            reason,
            at,
        } => vec![
            format!("session {session}"),
            format!("reason {}", label(reason)),
            format!("at {}", iso8601(*at)),
        ],
        Event::RecordingStopped {
            session,
            segments,
            last_segment,
        } => vec![
            format!("session {session}"),
            format!("segments {segments}"),
            match last_segment {
                Some(d) => format!("last {}", short(d)),
                None => "no segment".into(),
            },
        ],
        Event::RecordingExempted {
            case_no,
            reason,
            approved_by,
        } => vec![
            format!("case {case_no}"),
            format!("reason {}", label(reason)),
            format!("approved by {approved_by}"),
        ],
        Event::Archived {
            subject,
            custodian,
            storage,
            labels,
        } => {
            let mut v = vec![
                format!("case {}", labels.case_no),
                record_ref(subject),
                format!("custodian {custodian}"),
                format!("storage {storage}"),
                label(&labels.method),
                format!("made {} by {}", iso8601(labels.made_at), labels.made_by),
                format!("proves {}", labels.proves),
            ];
            if let Some(t) = &labels.transcript {
                v.push(format!("transcript {}", media(t)));
            }
            v
        }
        Event::Handover { media: d, from, to } => {
            vec![format!("media {}", short(d)), format!("{from} → {to}")]
        }
        Event::RetentionSet { case_no, until } => {
            vec![format!("case {case_no}"), retention(until)]
        }
        Event::PreservationOrdered { case_no, trigger } => vec![
            format!("case {case_no}"),
            format!("trigger {}", label(trigger)),
        ],
        Event::PreservationReleased {
            case_no,
            approved_by,
        } => vec![
            format!("case {case_no}"),
            format!("approved by {approved_by}"),
        ],
        Event::DerivativeMade {
            original,
            derivative,
            kind,
            reason,
        } => vec![
            format!("{kind:?} of {}", short(original)),
            media(derivative),
            format!("reason {reason}"),
        ],
        Event::MediaPurged {
            media: d,
            authority,
        } => vec![
            format!("media {}", short(d)),
            format!("approved by {authority}"),
        ],
        Event::AccessRequested {
            request,
            case_no,
            requester,
            basis,
        } => vec![
            format!("case {case_no}"),
            format!("request {request}"),
            format!("requester {}", sealed(requester)),
            format!("basis {basis}"),
        ],
        Event::AccessDecided {
            request,
            granted,
            reason,
        } => vec![
            format!("request {request}"),
            (if *granted { "granted" } else { "refused" }).into(),
            format!("reason {reason}"),
        ],
        Event::RecordViewed {
            subject,
            by,
            purpose,
        } => vec![
            record_ref(subject),
            format!("by {by}"),
            format!("purpose {purpose}"),
        ],
        Event::RecordDisclosed { case_no, to, what } => vec![
            format!("case {case_no}"),
            format!("to {}", sealed(to)),
            format!("{} records", what.len()),
        ],
        Event::Erased {
            commitment,
            authority,
        } => vec![
            format!("opening of {} destroyed", sealed(commitment)),
            format!("approved by {authority}"),
        ],
        Event::CircumstanceReported {
            case_no,
            trigger,
            summary,
        } => vec![
            format!("case {case_no}"),
            format!("circumstance {}", label(trigger)),
            summary.clone(),
        ],
        Event::ConfidentialityMarked {
            subject,
            level,
            reason,
        } => vec![
            record_ref(subject),
            format!("confidentiality {}", label(level)),
            format!("reason {reason}"),
        ],
    }
}

/// Replaces control characters (line breaks, escape sequences) in text from the ledger, so that
/// an entry can neither forge further log lines nor drive the terminal.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A timestamp as UTC ISO 8601 with milliseconds, e.g. `2026-01-01T00:00:00.000Z`. Years
/// outside 0000–9999 get a sign, as ISO 8601's expanded form.
pub fn iso8601(t: Timestamp) -> String {
    let ms = t.0;
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let year = if (0..=9999).contains(&y) {
        format!("{y:04}")
    } else {
        format!("{y:+05}")
    };
    format!(
        "{year}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{milli:03}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// The proleptic Gregorian date of a day number (days since 1970-01-01), after Howard
/// Hinnant's `civil_from_days`: eras of 400 years, each exactly 146,097 days.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..=146_096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1st
    let mp = (5 * doy + 2) / 153; // month from March, 0..=11
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_known_dates() {
        assert_eq!(iso8601(Timestamp(0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(Timestamp(-1)), "1969-12-31T23:59:59.999Z");
        assert_eq!(
            iso8601(Timestamp(1_767_225_600_000)),
            "2026-01-01T00:00:00.000Z"
        );
        // A leap day, and the day after.
        assert_eq!(
            iso8601(Timestamp(951_782_400_000)),
            "2000-02-29T00:00:00.000Z"
        );
        assert_eq!(
            iso8601(Timestamp(951_868_800_000 + 3_723_004)),
            "2000-03-01T01:02:03.004Z"
        );
        // 1900 is not a leap year: 1900-03-01 is day -25_508.
        assert_eq!(
            iso8601(Timestamp(-25_508 * 86_400_000)),
            "1900-03-01T00:00:00.000Z"
        );
        assert_eq!(
            iso8601(Timestamp(253_402_300_799_999)),
            "9999-12-31T23:59:59.999Z"
        );
        assert_eq!(
            iso8601(Timestamp(253_402_300_800_000)),
            "+10000-01-01T00:00:00.000Z"
        );
        // The extremes format without overflow.
        assert!(iso8601(Timestamp(i64::MIN)).starts_with('-'));
        assert!(iso8601(Timestamp(i64::MAX)).starts_with('+'));
    }

    #[test]
    fn consecutive_days_are_consecutive_dates_over_centuries() {
        // From 1600-03-01 to 2400 every day number is the calendar day after the one before:
        // month lengths and the Gregorian leap rule (1700, 1800, 1900, 2100 are not leap years).
        let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days_in = |y: i64, m: i64| match m {
            2 if leap(y) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let start = -135_080; // 1600-03-01
        let mut last = civil_from_days(start);
        assert_eq!(last, (1600, 3, 1));
        for day in start + 1..156_000 {
            let (y, m, d) = last;
            let want = if d < days_in(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
            let got = civil_from_days(day);
            assert_eq!(got, want, "day {day}");
            last = got;
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(clean("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(clean("line\nnext\rx"), "line\\nnext\\rx");
        assert_eq!(clean("金民执〔2026〕12号"), "金民执〔2026〕12号");
    }

    #[test]
    fn sealed_shows_only_a_prefix() {
        let d = liuhen::hash::blake3(b"x");
        let s = sealed(&Sealed(d));
        assert_eq!(s.len(), "sealed:".len() + 8);
        assert!(d.to_hex().starts_with(&s["sealed:".len()..]));
    }
}
