//! `liuhen append`: statements from JSON or JSON Lines into the ledger ([`liuhen::ingest`]).
//!
//! The input shapes, the strictness and the all-or-nothing meaning of a batch are the core's;
//! this module opens the input and the ledger, makes one call and prints receipts as they come.

mod write;

use std::error::Error;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use liuhen::audit::Profile;
use liuhen::ingest::{
    self, render, Appended, IngestError, IngestOptions, Observer, Refused, Summary,
};
use liuhen::text::{entry_range, statements as statements_count};

pub(crate) use write::{damaged, open_ledger, print_exact, refusal_reason, Damaged};

use crate::layout::LedgerDir;
use crate::{Global, EXIT_COMPLIANCE, EXIT_ERROR, EXIT_OK};

/// Arguments of `liuhen append`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  liuhen append /srv/liuhen/jinpu statements.jsonl\n  liuhen append /srv/liuhen/jinpu --sign-with officer.key - < events.jsonl\n  liuhen append /srv/liuhen/jinpu --dry-run statements.jsonl\n\nInput: one JSON value, or JSON Lines (one statement per line; blank lines ignored). Without\n--sign-with, each is a signed statement {\"statement\": {\"time\", \"author\", \"event\"},\n\"signature\"}; with it, each is {\"time\" (optional, ms since 1970; default now), \"event\"} and is\nsigned with KEY. Unknown or repeated members are refused. Schema and an example of every\nevent: docs/EVENTS.md.\n\nThe batch is all or nothing: if any line cannot be read or is refused (bad signature, key not\nauthorized or revoked, dated in the future), nothing is appended and the line is named.\nWith --each, admissible statements are appended and each refused line is reported (exit 3).\n--dry-run appends nothing and reports what the audit would find with the batch appended\n(exit 0: admissible, no new violation; 2: new violations; 3: refused).\n\nOutput: one line per appended entry (entry number, event, case); --json: one JSON object per\nentry {line, seq, leaf_hash, logged_at, event, case_no, author}."
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
    /// Write nothing: judge the batch and report what the audit would find with it appended.
    #[arg(long)]
    pub dry_run: bool,
    /// The audit profile of the dry run (TOML, docs/AUDIT.md). Default: the Jinpu regulation.
    #[arg(long, requires = "dry_run", value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Print the receipts as JSON Lines.
    #[arg(long)]
    pub json: bool,
}

/// Prints receipts and refusals as the core reports them; a failure to print is kept, not
/// fatal, so that the entries' durability is still told.
struct Printer {
    name: String,
    json: bool,
    out: BufWriter<std::io::Stdout>,
    failed: Option<std::io::Error>,
    seqs: Option<(u64, u64)>,
}

impl Printer {
    fn line(&mut self, text: &str) {
        if self.failed.is_none() {
            if let Err(e) = writeln!(self.out, "{text}") {
                self.failed = Some(e);
            }
        }
    }
}

impl Observer for Printer {
    fn refused(&mut self, r: &Refused) {
        let sentence = format!(
            "{} line {}: {}",
            self.name,
            r.line,
            refusal_reason(&r.error).1
        );
        if self.json {
            self.line(&render::refused_json(r.line, &sentence));
        }
        eprintln!("liuhen: {sentence}");
    }

    fn appended(&mut self, a: &Appended) {
        let seq = a.receipt.seq;
        self.seqs = Some(self.seqs.map_or((seq, seq), |(first, _)| (first, seq)));
        let text = if self.json {
            render::appended_json(a)
        } else {
            render::appended_text(a)
        };
        self.line(&text);
    }
}

/// Runs `liuhen append`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    let dir = LedgerDir::new(&args.dir);
    dir.require_store()?;
    let (name, input): (String, Box<dyn BufRead>) = match &args.file {
        Some(p) if p.as_os_str() != "-" => {
            let file =
                std::fs::File::open(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            (
                p.display().to_string(),
                Box::new(BufReader::with_capacity(1 << 16, file)),
            )
        }
        _ => {
            if std::io::stdin().is_terminal() && !global.quiet {
                eprintln!("liuhen: reading statements from standard input (JSON or JSON Lines; end with Ctrl-D)");
            }
            (
                "standard input".to_owned(),
                Box::new(std::io::stdin().lock()),
            )
        }
    };
    let key = match &args.sign_with {
        Some(path) => Some(liuhen::keyfile::read_secret_key(path)?.1),
        None => None,
    };
    let profile = match (&args.profile, args.dry_run) {
        (Some(path), _) => Some(crate::cmd::audit::load_profile(path)?),
        (None, true) => Some(Profile::default()),
        (None, false) => None,
    };
    // The writer is opened (and locked) before reading: statements are judged against its
    // state and signed with the key's next counters in this ledger, and no other writer may
    // append between the judging and the appending.
    // A dry run writes nothing, not even the lock file or a torn tail's repair: it reads the
    // store as a verifier does.
    let opened = if args.dry_run {
        super::vault::open_ledger_read_only(&args.dir)
    } else {
        open_ledger(&args.dir)
    };
    let mut ledger = match opened {
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
    let options = IngestOptions {
        signer: key.as_ref().map(|k| k as &dyn liuhen::Signer),
        each: args.each,
        dry_run: profile.as_ref(),
        spool_dir: dir.root().to_path_buf(),
        chunk: ingest::DEFAULT_CHUNK,
    };
    let mut printer = Printer {
        name: name.clone(),
        json: args.json,
        out: BufWriter::new(std::io::stdout()),
        failed: None,
        seqs: None,
    };
    let result = ingest::ingest(&mut ledger, input, &options, &mut printer);
    let flushed = printer.out.flush();
    let summary = match result {
        Ok(s) => s,
        Err(e) => return Err(failure(&name, e, printer.seqs).into()),
    };
    if let Some(e) = printer.failed.or(flushed.err()) {
        return Err(format!(
            "{} appended{}, but the receipts could not be printed: {e}",
            statements_count(summary.appended),
            entry_range(summary.seqs)
        )
        .into());
    }
    if summary.statements == 0 {
        if !global.quiet {
            eprintln!("liuhen: no statements in {name}; nothing was appended");
        }
        return Ok(EXIT_OK);
    }
    if let Some(dry) = &summary.dry_run {
        return dry_run_report(&summary, dry, args.json);
    }
    if !global.quiet {
        let refused = match summary.refused {
            0 => String::new(),
            n => format!(", refused {n}"),
        };
        eprintln!(
            "liuhen: appended {}{}{refused}; {} now holds {} entries; `liuhen seal` signs a checkpoint over them",
            statements_count(summary.appended),
            entry_range(summary.seqs),
            ledger.origin(),
            ledger.size()
        );
    }
    Ok(if summary.refused == 0 {
        EXIT_OK
    } else {
        EXIT_ERROR
    })
}

/// The one sentence for a failed ingest (several unreadable statements are listed on stderr
/// first).
fn failure(name: &str, e: IngestError, seqs: Option<(u64, u64)>) -> String {
    let f = render::failure(name, &e, seqs, &|e| refusal_reason(e).1);
    for line in &f.listed {
        eprintln!("liuhen: {line}");
    }
    f.sentence
}

/// What `--dry-run` prints, and its exit code.
fn dry_run_report(
    summary: &Summary,
    dry: &ingest::DryRun,
    json: bool,
) -> Result<u8, Box<dyn Error>> {
    let code = if summary.refused > 0 {
        EXIT_ERROR
    } else if dry.has_new_violations() {
        EXIT_COMPLIANCE
    } else {
        EXIT_OK
    };
    let text = if json {
        render::dry_run_json(summary, dry)
    } else {
        render::dry_run_text(summary, dry)
    };
    print_exact(&text)?;
    Ok(code)
}
