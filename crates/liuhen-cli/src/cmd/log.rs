//! `liuhen log`: the ledger's history, or one case's, step by step (Art. 3: every step of the
//! enforcement process leaves a trace and can be traced back).
//!
//! The listing, the case filter and the description of each event are the core's
//! ([`liuhen::describe`]); this module prints them, with control characters escaped. Read-only
//! and not a verifier (`liuhen verify` is). Personal data never appears (Art. 15, 20).

use std::error::Error;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

// `crate::cmd::log::iso8601` is how cmd/verify.rs names it; the function is the core's.
pub use liuhen::describe::iso8601;
use liuhen::describe::{Listing, LogItem, LogQuery, LoggedEntry};
use liuhen::proven::{ProvenBefore, TimeEvidence};
use liuhen::store::StoreRead;
// Control characters in text from the ledger are escaped: an entry can neither forge further
// log lines nor drive the terminal.
use liuhen::text::escape_controls as clean;

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
    /// event, leaf, and proven_before when known} (docs/CLI.md).
    #[arg(long)]
    pub json: bool,
    /// A witness's verifier key (cosignature/v1 vkey file), repeatable: each entry then shows
    /// its proven-before time, the earliest cosignature time of a stored checkpoint that
    /// includes it. Default: DIR/witness*.vkey, if any.
    #[arg(long, value_name = "FILE")]
    pub witness_vkey: Vec<PathBuf>,
    /// The TSA root certificate(s) (PEM): the tokens in DIR/timestamps/ that verify against it
    /// are proven-before evidence too (a token that does not verify is named on stderr and not
    /// used; `liuhen verify --tsa-root` judges it).
    #[arg(long, value_name = "PEM")]
    pub tsa_root: Option<PathBuf>,
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
    let query = LogQuery {
        case: args.case.clone(),
        from: args.from,
        limit: args.limit,
    };
    let mut listing = Listing::new(&store, query)?;
    let proven = proven_before(&dir, &store, &args.witness_vkey, args.tsa_root.as_deref())?;

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
    let mut failures = 0u64;
    for item in listing.by_ref() {
        let line = match item {
            LogItem::Unreadable { seq, error } => {
                failures += 1;
                if failures <= MAX_NAMED_FAILURES {
                    eprintln!("liuhen: entry {seq} cannot be read: {error}");
                }
                // The gap shows where it is; whether it concerned the case cannot be known.
                if args.json || seq < args.from {
                    continue;
                }
                format!("{seq:>6}  (unreadable: {})", clean(&error))
            }
            LogItem::Entry(e) if args.json => match proven.proven_before(e.seq) {
                None => serde_json::to_string(&e.to_json())?,
                Some(p) => {
                    let mut v = serde_json::to_value(e.to_json())?;
                    v["proven_before"] = serde_json::json!({
                        "time": iso8601(p.time),
                        "source": p.source,
                        "checkpoint_size": p.size,
                    });
                    serde_json::to_string(&v)?
                }
            },
            LogItem::Entry(e) => match proven.proven_before(e.seq) {
                None => human_lines(&e),
                Some(p) => format!("{}\n        {}", human_lines(&e), proven_line(p)),
            },
        };
        match write_line(&mut out, &line) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(EXIT_OK),
            Err(e) => return Err(format!("writing to standard output: {e}").into()),
        }
    }
    match out.flush() {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(EXIT_OK),
        Err(e) => return Err(format!("writing to standard output: {e}").into()),
    }
    if let (Some(case), 0) = (&args.case, listing.shown()) {
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

/// The proven-before times of the entries: cosignatures of the witnesses given (or of the
/// directory's `witness*.vkey` files) on the stored checkpoints the genesis key signed, and,
/// with `tsa_root`, the verified timestamp tokens over them.
fn proven_before(
    dir: &LedgerDir,
    store: &liuhen::store::file::FileStore,
    given: &[PathBuf],
    tsa_root: Option<&std::path::Path>,
) -> Result<ProvenBefore, Box<dyn Error>> {
    let witnesses = liuhen::proven::witness_keys(dir, given)?;
    let roots = tsa_root
        .map(liuhen::timestamp::TsaRoots::read)
        .transpose()?;
    let tokens = liuhen::check::stored_timestamps(dir.root(), store, roots.as_ref());
    for f in &tokens.findings {
        eprintln!("liuhen: warning: {} (not used)", clean(&f.message));
    }
    if let Some(reason) = &tokens.summary.reason {
        eprintln!("liuhen: note: {reason}");
    }
    let key = liuhen::proven::genesis_key(store);
    Ok(match key {
        Some(key) if !witnesses.is_empty() || !tokens.times.is_empty() => {
            liuhen::proven::gather_store(store, &key, &witnesses, &tokens.times)?.proven_before()
        }
        _ => ProvenBefore::default(),
    })
}

/// `proven before 2026-03-03T07:20:00Z (witness W cosignature, checkpoint of 40 entries)`.
fn proven_line(p: &TimeEvidence) -> String {
    clean(&format!(
        "proven before {} ({}, checkpoint of {} entries)",
        iso8601(p.time),
        p.source,
        p.size
    ))
}

fn write_line(out: &mut impl Write, line: &str) -> io::Result<()> {
    out.write_all(line.as_bytes())?;
    out.write_all(b"\n")
}

/// Two lines: position, time, kind and author; then what the statement says.
fn human_lines(e: &LoggedEntry) -> String {
    let head = format!(
        "{:>6}  {}  {:<20}  {}",
        e.seq,
        iso8601(e.entry.logged_at),
        e.entry.statement.statement.event.name(),
        e.author_text()
    );
    // Each part is cleaned on its own, so only this function's line break separates lines.
    if e.details.is_empty() {
        clean(&head)
    } else {
        format!(
            "{}\n        {}",
            clean(&head),
            clean(&e.details.join(" · "))
        )
    }
}
