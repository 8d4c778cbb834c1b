//! `liuhen append`: statements from JSON or JSON Lines into the ledger, as one batch.
//!
//! The input shapes (a signed statement, or `{"time", "event"}` to sign with `--sign-with`) are
//! documented in `docs/EVENTS.md`. By default the batch is all or nothing, as
//! [`Ledger::append_batch`] is: one refused statement and nothing is appended, so that a batch
//! is never stored with holes its author did not intend. `--each` appends every admissible
//! statement ([`Ledger::append_each`]) and names the refused lines.
//!
//! This module also holds what the write-path commands (`init`, `authorize`, `revoke`, `seal`)
//! share: opening the writer, receipts as JSON, refusals as sentences, printing.

mod input;

use std::error::Error;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use liuhen::store::file::FileStore;
use liuhen::{Event, Ledger, LedgerError, LedgerOptions, PublicKey, Receipt};
use serde_json::{json, Map, Value};

use crate::layout::LedgerDir;
use crate::{Global, EXIT_ERROR, EXIT_OK};

use input::{Mode, Source};

/// Arguments of `liuhen append`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  liuhen append /srv/liuhen/jinpu statements.jsonl\n  liuhen append /srv/liuhen/jinpu --sign-with officer.key - < events.jsonl\n\nInput: one JSON value, or JSON Lines (one statement per line; blank lines ignored). Without\n--sign-with, each is a signed statement {\"statement\": {\"time\", \"author\", \"event\"},\n\"signature\"}; with it, each is {\"time\" (optional, ms since 1970; default now), \"event\"} and is\nsigned with KEY. Schema and an example of every event: docs/EVENTS.md.\n\nThe batch is all or nothing: if any line cannot be read or is refused (bad signature, key not\nauthorized or revoked, dated in the future), nothing is appended and the line is named.\nWith --each, admissible statements are appended and each refused line is reported (exit 3).\n\nOutput: one line per appended entry (entry number, event, case); --json: one JSON object per\nentry {line, seq, leaf_hash, logged_at, event, case_no, author}."
)]
pub struct Args {
    /// The ledger directory (made by `liuhen init`).
    pub dir: PathBuf,
    /// File of statements (JSON or JSON Lines); `-` or nothing: standard input.
    pub file: Option<PathBuf>,
    /// Sign unsigned statements `{"time", "event"}` with this key file (mode 0600).
    #[arg(long, value_name = "KEY")]
    pub sign_with: Option<PathBuf>,
    /// Append every admissible statement and report the refused ones, instead of all or
    /// nothing.
    #[arg(long)]
    pub each: bool,
    /// Print the receipts as JSON Lines.
    #[arg(long)]
    pub json: bool,
}

/// What is printed for one appended statement, kept before the statement moves into the ledger.
struct Label {
    line: usize,
    event: &'static str,
    case_no: Option<String>,
    author: PublicKey,
}

/// Runs `liuhen append`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    let dir = LedgerDir::new(&args.dir);
    if !dir.store_dir().is_dir() {
        // Fail before waiting on standard input; opening gives the usual explanation.
        dir.open_read_only()?;
    }
    let source = Source::from_arg(args.file);
    let key = match &args.sign_with {
        Some(path) => Some(liuhen::keyfile::read_secret_key(path)?.1),
        None => None,
    };
    if matches!(source, Source::Stdin) && std::io::stdin().is_terminal() && !global.quiet {
        eprintln!(
            "liuhen: reading statements from standard input (JSON or JSON Lines; end with Ctrl-D)"
        );
    }
    let name = source.name();
    let text = source.read()?;
    let values = input::split(&text).map_err(|e| format!("{name} {e}; nothing was appended"))?;
    if values.is_empty() {
        if !global.quiet {
            eprintln!("liuhen: no statements in {name}; nothing was appended");
        }
        return Ok(EXIT_OK);
    }
    // The writer is opened (and locked) once the input is read, before signing: statements
    // signed here are bound (format v2) with the key's next counters in this ledger.
    let mut ledger = match open_ledger(&args.dir) {
        Ok(l) => l,
        Err(e) if damaged(&*e) => {
            // A stored entry that does not read, chain or satisfy the admission rule: evidence
            // of tampering (exit 1), never built upon.
            eprintln!(
                "liuhen: refusing to append to {}: {e}; nothing was appended; run `liuhen verify {}`",
                args.dir.display(),
                args.dir.display()
            );
            return Ok(crate::EXIT_TAMPERED);
        }
        Err(e) => return Err(e),
    };
    let mode = match &key {
        Some(k) => Mode::SignWith(k, ledger.next_binding(&liuhen::Signer::public_key(k))),
        None => Mode::Signed,
    };
    let bar = crate::progress::bar(global, values.len() as u64, "statements");
    bar.set_message("reading");
    let read = input::statements(values, &mode, &|| bar.inc(1));
    bar.finish_and_clear();
    let numbered = match read {
        Ok(n) => n,
        Err((errors, failed)) => return Err(unreadable(&name, &errors, failed).into()),
    };
    let labels: Vec<Label> = numbered
        .iter()
        .map(|n| Label {
            line: n.line,
            event: n.statement.statement.event.name(),
            case_no: n.statement.statement.event.case_no().map(str::to_owned),
            author: n.statement.statement.author,
        })
        .collect();
    let statements = numbered.into_iter().map(|n| n.statement).collect();
    let line_of = |index: usize| labels.get(index).map_or(0, |l| l.line);
    let outcomes = if args.each {
        ledger.append_each(statements, true).map_err(|e| {
            format!(
                "{}; nothing was appended",
                refusal_sentence(&e, &name, &line_of)
            )
        })?
    } else {
        let receipts = ledger.append_batch(statements).map_err(|e| {
            format!(
                "{}; nothing was appended",
                refusal_sentence(&e, &name, &line_of)
            )
        })?;
        receipts.into_iter().map(Ok).collect()
    };
    // The entries are durable now: output is gathered first so that a failure to print can
    // say so instead of suggesting that nothing happened.
    let mut appended = Vec::new();
    let mut refused = 0usize;
    let mut out = String::new();
    for (label, outcome) in labels.iter().zip(outcomes) {
        match outcome {
            Ok(receipt) => {
                out.push_str(&receipt_line(label, &receipt, args.json));
                out.push('\n');
                appended.push(receipt.seq);
            }
            Err(e) => {
                refused += 1;
                let sentence = refusal_sentence(&e, &name, &line_of);
                if args.json {
                    out.push_str(&json!({ "line": label.line, "error": sentence }).to_string());
                    out.push('\n');
                }
                eprintln!("liuhen: {sentence}");
            }
        }
    }
    print_exact(&out).map_err(|e| {
        format!(
            "{} appended{}, but the receipts could not be printed: {e}",
            statements_count(appended.len()),
            entry_range(&appended)
        )
    })?;
    if !global.quiet {
        summarize(&ledger, &appended, refused);
    }
    Ok(if refused == 0 { EXIT_OK } else { EXIT_ERROR })
}

/// The error for unreadable input: the one bad line, or each bad line on stderr and a count.
fn unreadable(name: &str, errors: &[String], failed: usize) -> String {
    if let [only] = errors {
        return format!("{name} {only}; nothing was appended");
    }
    for e in errors {
        eprintln!("liuhen: {name} {e}");
    }
    format!(
        "{} of {name} cannot be read; nothing was appended",
        statements_count(failed)
    )
}

/// One receipt, as a line of text or a JSON object (without the newline).
fn receipt_line(label: &Label, receipt: &Receipt, json: bool) -> String {
    if json {
        let mut object = Map::new();
        object.insert("line".into(), json!(label.line));
        object.extend(receipt_json(
            receipt,
            label.event,
            label.case_no.as_deref(),
            &label.author,
        ));
        return Value::Object(object).to_string();
    }
    let case = label
        .case_no
        .as_deref()
        .map(|c| format!("  {}", printable(c)))
        .unwrap_or_default();
    format!("entry {}  {}{case}", receipt.seq, label.event)
}

/// "1 statement", "2 statements".
fn statements_count(n: usize) -> String {
    match n {
        1 => "1 statement".to_owned(),
        n => format!("{n} statements"),
    }
}

/// " (entry 5)" or " (entries 5–9)", or nothing.
fn entry_range(seqs: &[u64]) -> String {
    match (seqs.first(), seqs.last()) {
        (Some(a), Some(b)) if a == b => format!(" (entry {a})"),
        (Some(a), Some(b)) => format!(" (entries {a}–{b})"),
        _ => String::new(),
    }
}

/// Text from a statement with control characters escaped, so that a case number cannot move
/// the cursor or rewrite the terminal line it is printed on.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn summarize(ledger: &Ledger<FileStore>, appended: &[u64], refused: usize) {
    let range = entry_range(appended);
    let refused = match refused {
        0 => String::new(),
        n => format!(", refused {n}"),
    };
    eprintln!(
        "liuhen: appended {}{range}{refused}; {} now holds {} entries; `liuhen seal` signs a checkpoint over them",
        statements_count(appended.len()),
        ledger.origin(),
        ledger.size()
    );
}

// ---- Shared by the write-path commands -------------------------------------------------------

/// Opens the ledger in `dir` as its writer, refusing early if the store will not take writes
/// (tampering found on open) and telling what recovery did to a torn tail.
/// Whether opening the writer failed because the stored entries are not a valid ledger
/// (`LedgerError::Corrupt`: a frame that does not read, decode, chain or satisfy the admission
/// rule, or an index that disagrees with the frames): tampering, not an I/O error.
pub(crate) fn damaged(e: &(dyn Error + 'static)) -> bool {
    matches!(
        e.downcast_ref::<LedgerError>(),
        Some(LedgerError::Corrupt { .. })
    ) || e
        .downcast_ref::<liuhen::DirError>()
        .is_some_and(liuhen::DirError::is_tampering)
}

pub(crate) fn open_ledger(dir: &Path) -> Result<Ledger<FileStore>, Box<dyn Error>> {
    let ledger = LedgerDir::new(dir).open_writer()?;
    let store = ledger.store();
    if let Some(reason) = store.refusal() {
        return Err(format!(
            "{} refuses writes: {reason}; run `liuhen verify {}`",
            store.dir().display(),
            dir.display()
        )
        .into());
    }
    // Recovery notes are printed even with --quiet: they are rare and say something was lost
    // or repaired.
    let recovery = store.recovery();
    for (what, tail) in [
        ("entry", &recovery.entries),
        ("checkpoint", &recovery.checkpoints),
    ] {
        if tail.dropped > 0 {
            eprintln!(
                "liuhen: warning: {}: {} acknowledged {what} record(s) were lost at the end of the log, which a crash does not explain; run `liuhen verify`",
                store.dir().display(),
                tail.dropped
            );
        }
        if tail.torn_bytes > 0 || tail.adopted > 0 || tail.index_bytes_cut > 0 {
            eprintln!(
                "liuhen: note: {}: the last writer stopped mid-write; cut {} bytes of a torn {what} record and kept {} written but unacknowledged {what} record(s)",
                store.dir().display(),
                tail.torn_bytes + tail.index_bytes_cut,
                tail.adopted
            );
        }
    }
    Ok(ledger)
}

/// The JSON members of a receipt: `seq`, `leaf_hash` (hex), `logged_at` (ms), `event`,
/// `case_no` (or null), `author` (`ed25519:<hex>`).
pub(crate) fn receipt_json(
    receipt: &Receipt,
    event: &str,
    case_no: Option<&str>,
    author: &PublicKey,
) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert("seq".into(), json!(receipt.seq));
    object.insert("leaf_hash".into(), json!(receipt.leaf_hash.to_hex()));
    object.insert("logged_at".into(), json!(receipt.logged_at.millis()));
    object.insert("event".into(), json!(event));
    object.insert("case_no".into(), json!(case_no));
    object.insert("author".into(), json!(author.to_string()));
    object
}

/// The receipt members for an event appended alone (authorize, revoke).
pub(crate) fn single_receipt_json(
    receipt: &Receipt,
    event: &Event,
    author: &PublicKey,
) -> Map<String, Value> {
    receipt_json(receipt, event.name(), event.case_no(), author)
}

/// Why the ledger refused a statement, in words, and the position in the batch it names.
pub(crate) fn refusal_reason(e: &LedgerError) -> (Option<usize>, String) {
    match e {
        LedgerError::BadSignature { index, source } => (Some(*index), format!("refused: {source}")),
        LedgerError::Refused { index, source } => (
            Some(*index),
            format!("refused by the key registry: {source}"),
        ),
        LedgerError::Inadmissible { index, source } => (Some(*index), format!("refused: {source}")),
        LedgerError::FutureStatement { index, time, now } => (
            Some(*index),
            format!(
                "refused: the statement is dated {time} ms since 1970, more than {} s after the ledger clock ({now} ms)",
                LedgerOptions::default().max_future_skew_ms / 1000
            ),
        ),
        LedgerError::Encoding { index, source } => (
            Some(*index),
            format!("the entry cannot be stored: {source}"),
        ),
        other => (None, other.to_string()),
    }
}

/// One sentence for a refused statement of a batch read from `input`, naming its line
/// (`line_of(index)`).
fn refusal_sentence(e: &LedgerError, input: &str, line_of: &dyn Fn(usize) -> usize) -> String {
    match refusal_reason(e) {
        (Some(index), reason) => format!("{input} line {}: {reason}", line_of(index)),
        (None, reason) => reason,
    }
}

/// Prints text on stdout exactly as given; an error (a closed pipe) is returned, not a panic.
pub(crate) fn print_exact(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush())
}
