//! What the write-path commands (`append`, `init`, `authorize`, `revoke`, `seal`, and the
//! vault and bundle commands that append) share: opening the writer, receipts as JSON, refusals
//! as sentences, printing.

use std::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

use liuhen::store::file::FileStore;
use liuhen::{Event, Ledger, LedgerError, PublicKey, Receipt};
use serde_json::{Map, Value};

use crate::layout::LedgerDir;

/// A writer command refused to build on a ledger whose records were found damaged on open:
/// tampering (exit 1), never an I/O error. Its message is the damage found; the command (or
/// `main`, for commands that pass it on with `?`) adds what was not done and `liuhen verify`.
#[derive(Debug)]
pub(crate) struct Damaged {
    /// The ledger directory.
    pub(crate) dir: PathBuf,
    /// What was found.
    reason: String,
}

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

impl Error for Damaged {}

/// Whether opening the writer failed because the stored entries are not a valid ledger: the
/// store refused writes for damage it found on open ([`Damaged`]), or the core judged the error
/// tampering ([`liuhen::DirError::is_tampering`]; `LedgerError::Corrupt`: a frame that does
/// not read, decode, chain or satisfy the admission rule).
pub(crate) fn damaged(e: &(dyn Error + 'static)) -> bool {
    e.is::<Damaged>()
        || matches!(
            e.downcast_ref::<LedgerError>(),
            Some(LedgerError::Corrupt { .. })
        )
        || e.downcast_ref::<liuhen::DirError>()
            .is_some_and(liuhen::DirError::is_tampering)
}

/// Opens the ledger in `dir` as its writer, refusing early (as [`Damaged`]) if its records
/// were found damaged — by the core on open, or by the store's recovery, which then refuses
/// writes — and telling what recovery did to a torn tail.
pub(crate) fn open_ledger(dir: &Path) -> Result<Ledger<FileStore>, Box<dyn Error>> {
    let refuse = |reason: String| Damaged {
        dir: dir.to_path_buf(),
        reason,
    };
    let ledger = match LedgerDir::new(dir).open_writer() {
        Ok(ledger) => ledger,
        Err(e) => {
            // The one rule every adapter asks: are these damaged records?
            return Err(match liuhen::Error::from(e) {
                e if e.is_tampering() => refuse(e.to_string()).into(),
                liuhen::Error::Dir(e) => e.into(),
                e => e.into(),
            });
        }
    };
    let store = ledger.store();
    let recovery = store.recovery();
    if let Some(first) = recovery.tampering.first() {
        return Err(refuse(format!("the store's files are damaged ({first})")).into());
    }
    // A writer's store refuses writes on open only for records destroyed (a committed record
    // cut off, which a crash does not explain): tampering too.
    if let Some(reason) = store.refusal() {
        return Err(refuse(format!(
            "{} refuses writes: {reason}",
            store.dir().display()
        ))
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
        LedgerError::FutureStatement {
            index,
            time,
            now,
            max_skew_ms,
        } => (
            Some(*index),
            format!(
                "refused: the statement is dated {time} ms since 1970, more than {} after the ledger clock ({now} ms)",
                skew_words(*max_skew_ms)
            ),
        ),
        LedgerError::Encoding { index, source } => (
            Some(*index),
            format!("the entry cannot be stored: {source}"),
        ),
        other => (None, other.to_string()),
    }
}

/// The allowed clock skew as the ledger was configured: whole seconds as `300 s`, else in ms.
fn skew_words(ms: i64) -> String {
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

/// Prints text on stdout exactly as given; an error (a closed pipe) is returned, not a panic.
pub(crate) fn print_exact(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_future_statement_is_refused_quoting_the_configured_skew() {
        let refusal = |max_skew_ms| {
            refusal_reason(&LedgerError::FutureStatement {
                index: 2,
                time: 1_767_225_700_000,
                now: 1_767_225_600_000,
                max_skew_ms,
            })
        };
        let (index, default) = refusal(liuhen::LedgerOptions::default().max_future_skew_ms);
        assert_eq!(index, Some(2));
        assert!(default.contains("more than 300 s after"), "{default}");
        let (_, configured) = refusal(2_500);
        assert!(
            configured.contains("more than 2500 ms after"),
            "{configured}"
        );
    }
}
