//! Ingest: statements from JSON or JSON Lines into a ledger, strictly, with bounded memory.
//!
//! The input is one JSON value (pretty-printed or not), JSON Lines, or any sequence of values
//! separated by white space, in either shape of `docs/EVENTS.md`: signed statements
//! `{"statement", "signature"}`, or unsigned `{"time"?, "event"}` that [`ingest`] signs with
//! the given [`Signer`], bound (format v2) with the signer's next counters in the ledger.
//!
//! **Strict.** A member the statement does not have is refused at any depth, and so is a
//! member given twice; a misspelt optional field would otherwise be signed and appended as
//! absent while its author believes it recorded. Every error names the line (and column) and
//! the member path (`event.RecordingStarted.location.landmrk`). No line may be longer, and no
//! value larger, than [`MAX_STATEMENT_BYTES`]: the reader refuses as soon as it has read one
//! byte more ([`read`]).
//!
//! **One admission rule.** Statements are judged by [`Ledger::trial`], the writer's own rule
//! ([`crate::admission`]), and appended with [`Ledger::append_batch`].
//!
//! **Bounded memory, all or nothing.** Pass 1 reads, parses, signs and judges every statement
//! against a copy of the ledger's admission state ([`crate::ledger::Trial`]), in chunks of
//! [`IngestOptions::chunk`] statements, and spools each admitted entry to a file in the ledger
//! directory; nothing is kept in memory but the state and one chunk. Only if the whole input
//! passes (by default) does pass 2 append the spooled statements, chunk by chunk, with the real
//! ledger (which judges them again). With [`IngestOptions::each`], refused statements are
//! reported and the others appended. The writer lock is held throughout, so no other writer
//! changes the ledger between the passes; the ledger's clock only moves forward, and the
//! admission rule only becomes more permissive as time passes, so what pass 1 admitted pass 2
//! admits.
//!
//! **Failure in pass 2.** Each chunk is one durable, atomic store append. If the store fails
//! during pass 2 (disk full, I/O error), the chunks before it stay committed — a prefix of the
//! batch, in order, with nothing missing inside it — and [`IngestError::Interrupted`] says how
//! many statements were committed and the line of the first that was not.
//!
//! **Dry run.** [`IngestOptions::dry_run`] runs pass 1 only and audits the ledger as if the
//! batch were appended ([`crate::audit::audit`] over the stored entries followed by the
//! spooled ones, as of the trial's clock reading), reporting the findings the batch adds and
//! those it resolves compared with the ledger alone. Nothing is written but the spool, which
//! is removed.

pub mod body;
pub mod parse;
pub mod read;
pub mod render;
mod spool;

use std::collections::HashSet;
use std::io::BufRead;
use std::path::PathBuf;

use crate::audit::{self, AuditError, AuditOptions, Finding, Profile};
use crate::entry::{Binding, Entry, SignedStatement, Statement, StatementError};
use crate::keys::{PublicKey, Signer};
use crate::ledger::{Ledger, LedgerError, Receipt};
use crate::store::{Store, StoreError};

pub use parse::Unsigned;
pub use read::{RawValue, ValueReader};

/// Largest JSON text of one statement, and longest line of the input. A stored entry holds at
/// most 64 KiB (docs/FORMAT.md §6.3); its JSON form is larger (hex digests and signatures,
/// member names, escapes — at most about six times for the worst-escaped strings), so 1 MiB
/// refuses no statement the ledger could store, while a statement of hundreds of megabytes is
/// refused as it is read, before any of it is parsed.
pub const MAX_STATEMENT_BYTES: usize = 1 << 20;

/// Statements judged and appended per chunk by default.
pub const DEFAULT_CHUNK: usize = 4096;

/// At most this many unreadable statements are kept in [`IngestError::Unreadable`]; the rest
/// are counted.
pub const MAX_LISTED: usize = 20;

/// Why (part of) the input cannot be read as statements. The display names the line; an
/// adapter prefixes the input's name.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The input could not be read.
    #[error("could not be read: {0}")]
    Io(#[source] std::io::Error),
    /// A line longer than [`MAX_STATEMENT_BYTES`]; reading stopped there.
    #[error("line {line} is longer than {} MiB: no statement is that large (an entry holds at most 64 KiB, docs/EVENTS.md); nothing was read further", MAX_STATEMENT_BYTES >> 20)]
    LineTooLong {
        /// The line.
        line: usize,
    },
    /// A value larger than [`MAX_STATEMENT_BYTES`]; reading stopped there.
    #[error("line {line}: a statement of more than {} bytes of JSON is larger than the limit of {} MiB (an entry holds at most 64 KiB, docs/EVENTS.md); it was not parsed", MAX_STATEMENT_BYTES, MAX_STATEMENT_BYTES >> 20)]
    TooLarge {
        /// The line it starts on.
        line: usize,
    },
    /// Bytes that are not UTF-8.
    #[error("line {line}: not UTF-8 text (statements are JSON, docs/EVENTS.md)")]
    NotUtf8 {
        /// The line.
        line: usize,
    },
    /// A JSON syntax error: value boundaries after it are unknown, so reading stopped there.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        /// The line.
        line: usize,
        /// The column (bytes, 1-based).
        column: usize,
        /// serde_json's message.
        message: String,
    },
    /// A value of the wrong shape (an array, a signed statement where unsigned ones are
    /// expected, or the other way round).
    #[error("line {line}: {hint}")]
    Shape {
        /// The line.
        line: usize,
        /// What is wrong, and what to do.
        hint: String,
    },
    /// A member the statement does not have, a member given twice, a missing member, or a
    /// value of the wrong type.
    #[error("{}", member_sentence(*line, *column, message, path, *unknown))]
    Member {
        /// The line.
        line: usize,
        /// The column (bytes, 1-based).
        column: usize,
        /// serde's message.
        message: String,
        /// The member path (`event.CaseOpened.matter`; array elements by index).
        path: String,
        /// Whether the member itself is unknown or repeated (its path then names it).
        unknown: bool,
    },
    /// The signer failed.
    #[error("line {line}: cannot sign: {source}")]
    Sign {
        /// The line.
        line: usize,
        /// Why.
        #[source]
        source: StatementError,
    },
}

fn member_sentence(line: usize, column: usize, message: &str, path: &str, unknown: bool) -> String {
    if unknown && !path.is_empty() {
        let what = if message.starts_with("duplicate") {
            "duplicate field"
        } else {
            "unknown field"
        };
        return format!(
            "line {line}: {what} `{path}` (column {column}; not part of the statement, or given twice; see docs/EVENTS.md)"
        );
    }
    if path.is_empty() {
        format!("line {line}, column {column}: {message}")
    } else {
        format!("line {line}, column {column}: {message} (at `{path}`)")
    }
}

impl InputError {
    /// Whether reading cannot go on after this error (the value boundaries are lost or the
    /// input failed).
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            InputError::Io(_)
                | InputError::LineTooLong { .. }
                | InputError::TooLarge { .. }
                | InputError::Syntax { .. }
        )
    }
}

/// A statement the ledger refuses, and where it is in the input.
#[derive(Debug)]
pub struct Refused {
    /// Line of the input.
    pub line: usize,
    /// Column of the input.
    pub column: usize,
    /// Why (with the statement's position among the statements read, from 0).
    pub error: LedgerError,
}

/// A statement appended.
#[derive(Debug)]
pub struct Appended {
    /// Line of the input.
    pub line: usize,
    /// Column of the input.
    pub column: usize,
    /// Where it landed.
    pub receipt: Receipt,
    /// The event's name.
    pub event: &'static str,
    /// The case it names, if any.
    pub case_no: Option<String>,
    /// Its author.
    pub author: PublicKey,
}

/// Errors of [`ingest`]. Except for [`IngestError::Interrupted`], nothing was appended.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// Statements that cannot be read (at most [`MAX_LISTED`] kept, in input order; `count`
    /// counts all). Nothing was appended.
    #[error("{count} statement(s) cannot be read, the first: {}", errors.first().map(ToString::to_string).unwrap_or_default())]
    Unreadable {
        /// The first errors.
        errors: Vec<InputError>,
        /// How many statements could not be read.
        count: usize,
    },
    /// A statement is refused (all-or-nothing batch). Nothing was appended.
    #[error("line {}: {}", .0.line, .0.error)]
    Refused(Box<Refused>),
    /// The ledger or its store failed before anything was appended.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The spool file failed before anything was appended.
    #[error("the ingest spool failed: {0}")]
    Spool(#[source] StoreError),
    /// The dry run's audit failed.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// Pass 2 failed after `committed` statements were appended (a prefix of the batch, in
    /// order); the statement of `line` and those after it were not.
    #[error("appending stopped after {committed} statement(s) were committed; the statement of line {line} and those after it were not appended: {source}")]
    Interrupted {
        /// Statements appended and durable.
        committed: u64,
        /// The line of the first statement not appended.
        line: usize,
        /// Why.
        #[source]
        source: LedgerError,
    },
}

/// How [`ingest`] reads and appends.
pub struct IngestOptions<'a> {
    /// `None`: the input holds signed statements. `Some(signer)`: the input holds unsigned
    /// statements, signed here (bound with the signer's next counters in the ledger).
    pub signer: Option<&'a dyn Signer>,
    /// Append every admissible statement and report the refused ones, instead of all or
    /// nothing.
    pub each: bool,
    /// A dry run under this audit profile: judge and audit, write nothing.
    pub dry_run: Option<&'a Profile>,
    /// Where the spool file goes: the ledger directory (same file system as the store).
    pub spool_dir: PathBuf,
    /// Statements judged and appended at a time (memory is proportional to it).
    pub chunk: usize,
}

/// Told of what happens, as it happens (an adapter prints receipts from it).
pub trait Observer {
    /// `n` statements have been read so far (pass 1).
    fn read(&mut self, n: u64) {
        let _ = n;
    }
    /// A statement is refused ([`IngestOptions::each`]; reported in pass 1, before anything is
    /// appended).
    fn refused(&mut self, refused: &Refused) {
        let _ = refused;
    }
    /// A statement is appended and durable (pass 2).
    fn appended(&mut self, appended: &Appended) {
        let _ = appended;
    }
}

/// An observer that ignores everything.
impl Observer for () {}

/// What the audit would report about a batch ([`IngestOptions::dry_run`]).
#[derive(Debug)]
pub struct DryRun {
    /// The audit is as of this time (the trial's clock reading).
    pub as_of: crate::model::Timestamp,
    /// Findings of the ledger with the batch that the ledger alone does not have.
    pub new_findings: Vec<Finding>,
    /// Findings of the ledger alone that the batch resolves.
    pub resolved: Vec<Finding>,
}

impl DryRun {
    /// Whether the batch adds a violation.
    pub fn has_new_violations(&self) -> bool {
        self.new_findings
            .iter()
            .any(|f| f.severity == audit::Severity::Violation)
    }
}

/// What [`ingest`] did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Statements read.
    pub statements: u64,
    /// Statements appended (or, in a dry run, that would be).
    pub appended: u64,
    /// Statements refused ([`IngestOptions::each`]).
    pub refused: u64,
    /// Sequence numbers of the first and last entry appended (or that would be).
    pub seqs: Option<(u64, u64)>,
    /// The dry run's audit.
    pub dry_run: Option<DryRun>,
}

/// Reads statements from `input` and appends them to `ledger` (see the module docs).
///
/// # Errors
/// [`IngestError`]; except for [`IngestError::Interrupted`], nothing was appended.
pub fn ingest<S: Store + Sync, R: BufRead>(
    ledger: &mut Ledger<S>,
    input: R,
    options: &IngestOptions<'_>,
    observer: &mut dyn Observer,
) -> Result<Summary, IngestError> {
    let chunk_size = options.chunk.max(1);
    let mut trial = ledger.trial()?;
    let first_seq = trial.size();
    if options.dry_run.is_none() {
        // The writer holds the lock: spools left by a killed append are garbage.
        spool::remove_stale(&options.spool_dir);
    }
    let mut spool = spool::Spool::create(&options.spool_dir, options.dry_run.is_some())
        .map_err(IngestError::Spool)?;
    let mut summary = Summary::default();
    let mut binding: Option<Binding> = options
        .signer
        .and_then(|s| trial.next_binding(&s.public_key()));
    let mut reader = ValueReader::new(input);
    let mut errors: Vec<InputError> = Vec::new();
    let mut failed = 0usize;
    let mut chunk: Vec<SignedStatement> = Vec::with_capacity(chunk_size);
    let mut places: Vec<(usize, usize)> = Vec::with_capacity(chunk_size);
    let mut judge = |chunk: &mut Vec<SignedStatement>,
                     places: &mut Vec<(usize, usize)>,
                     summary: &mut Summary,
                     observer: &mut dyn Observer|
     -> Result<(), IngestError> {
        let first = summary.statements as usize - chunk.len();
        let outcomes = trial.admit_batch(
            first,
            std::mem::take(chunk),
            options.signer.is_none(),
            !options.each,
        );
        for (outcome, (line, column)) in outcomes.into_iter().zip(places.drain(..)) {
            match outcome {
                Ok(entry) => spool
                    .push(line, column, &entry.bytes)
                    .map_err(IngestError::Spool)?,
                Err(error) => {
                    let refused = Refused {
                        line,
                        column,
                        error,
                    };
                    if !options.each {
                        return Err(IngestError::Refused(Box::new(refused)));
                    }
                    summary.refused += 1;
                    observer.refused(&refused);
                }
            }
        }
        places.clear();
        Ok(())
    };
    loop {
        let raw = match reader.next_value() {
            Ok(Some(raw)) => raw,
            Ok(None) => break,
            Err(e) => {
                failed += 1;
                errors.push(e);
                break;
            }
        };
        summary.statements += 1;
        observer.read(summary.statements);
        let statement = match options.signer {
            None => parse::signed(&raw),
            Some(signer) => parse::unsigned(&raw).and_then(|u| {
                let statement = Statement {
                    time: u.time.unwrap_or_else(|| ledger.now()),
                    author: signer.public_key(),
                    event: u.event,
                    binding,
                };
                if let Some(b) = binding.as_mut() {
                    b.counter = b.counter.saturating_add(1);
                }
                SignedStatement::sign_statement(statement, signer).map_err(|source| {
                    InputError::Sign {
                        line: raw.line,
                        source,
                    }
                })
            }),
        };
        match statement {
            Ok(s) if failed == 0 => {
                chunk.push(s);
                places.push((raw.line, raw.column));
                if chunk.len() >= chunk_size {
                    judge(&mut chunk, &mut places, &mut summary, observer)?;
                }
            }
            Ok(_) => {}
            Err(e) => {
                let fatal = e.is_fatal();
                failed += 1;
                if errors.len() < MAX_LISTED {
                    errors.push(e);
                }
                if fatal {
                    break;
                }
            }
        }
    }
    if failed > 0 {
        return Err(IngestError::Unreadable {
            errors,
            count: failed,
        });
    }
    if !chunk.is_empty() {
        judge(&mut chunk, &mut places, &mut summary, observer)?;
    }
    let admitted = spool.len();
    if admitted > 0 {
        summary.seqs = Some((first_seq, first_seq + admitted - 1));
    }
    if let Some(profile) = options.dry_run {
        summary.appended = admitted;
        summary.dry_run = Some(dry_run(ledger, &mut spool, profile, trial.logged_at())?);
        return Ok(summary);
    }
    drop(trial);
    append_spooled(ledger, &mut spool, chunk_size, &mut summary, observer)?;
    Ok(summary)
}

/// Pass 2: the spooled statements, appended chunk by chunk.
fn append_spooled<S: Store>(
    ledger: &mut Ledger<S>,
    spool: &mut spool::Spool,
    chunk_size: usize,
    summary: &mut Summary,
    observer: &mut dyn Observer,
) -> Result<(), IngestError> {
    let mut records = spool.records().map_err(IngestError::Spool)?;
    let interrupted = |committed: u64, line: usize, source: LedgerError| {
        if committed == 0 {
            IngestError::Ledger(source)
        } else {
            IngestError::Interrupted {
                committed,
                line,
                source,
            }
        }
    };
    loop {
        let mut statements = Vec::with_capacity(chunk_size);
        let mut labels = Vec::with_capacity(chunk_size);
        for record in records.by_ref().take(chunk_size) {
            let record = match record {
                Ok(r) => r,
                Err(e) => return Err(interrupted(summary.appended, 0, LedgerError::Store(e))),
            };
            let entry = Entry::from_bytes(&record.bytes).map_err(|e| {
                interrupted(
                    summary.appended,
                    record.line,
                    LedgerError::Corrupt {
                        seq: 0,
                        reason: format!("a spooled entry does not decode: {e}"),
                    },
                )
            })?;
            let st = &entry.statement.statement;
            labels.push((
                record.line,
                record.column,
                st.event.name(),
                st.event.case_no().map(str::to_owned),
                st.author,
            ));
            statements.push(entry.statement);
        }
        if statements.is_empty() {
            return Ok(());
        }
        let first_line = labels.first().map_or(0, |l| l.0);
        let receipts = ledger
            .append_batch(statements)
            .map_err(|e| interrupted(summary.appended, first_line, e))?;
        for ((line, column, event, case_no, author), receipt) in labels.into_iter().zip(receipts) {
            summary.appended += 1;
            observer.appended(&Appended {
                line,
                column,
                receipt,
                event,
                case_no,
                author,
            });
        }
    }
}

/// Audits the ledger with and without the spooled batch and compares the findings.
fn dry_run<S: Store + Sync>(
    ledger: &Ledger<S>,
    spool: &mut spool::Spool,
    profile: &Profile,
    as_of: crate::model::Timestamp,
) -> Result<DryRun, IngestError> {
    let options = AuditOptions::as_of(as_of);
    let before = audit::audit(ledger.store(), profile, &options)?;
    let overlay = spool.overlay(ledger.store()).map_err(IngestError::Spool)?;
    let after = audit::audit(&overlay, profile, &options)?;
    let key = |f: &Finding| {
        (
            f.rule.clone(),
            f.case_no.clone(),
            f.session.clone(),
            f.seqs.clone(),
            f.message.clone(),
        )
    };
    let old: HashSet<_> = before.findings.iter().map(key).collect();
    let new: HashSet<_> = after.findings.iter().map(key).collect();
    Ok(DryRun {
        as_of,
        new_findings: after
            .findings
            .iter()
            .filter(|f| !old.contains(&key(f)))
            .cloned()
            .collect(),
        resolved: before
            .findings
            .into_iter()
            .filter(|f| !new.contains(&key(f)))
            .collect(),
    })
}
