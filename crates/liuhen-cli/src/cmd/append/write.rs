//! What the write-path commands (`append`, `init`, `authorize`, `revoke`, `seal`, and the
//! vault and bundle commands that append) share: opening the writer, receipts as JSON, refusals
//! as sentences, printing.

use std::error::Error;
use std::io::Write;
use std::path::Path;

use liuhen::store::file::FileStore;
use liuhen::{Event, Ledger, LedgerError, LedgerOptions, PublicKey, Receipt};
use serde_json::{Map, Value};

use crate::layout::LedgerDir;

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

/// Opens the ledger in `dir` as its writer, refusing early if the store will not take writes
/// (tampering found on open) and telling what recovery did to a torn tail.
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
    liuhen::ingest::render::receipt_members(receipt, event, case_no, author)
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

/// Prints text on stdout exactly as given; an error (a closed pipe) is returned, not a panic.
pub(crate) fn print_exact(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush())
}
