//! What the write-path commands (`append`, `init`, `authorize`, `revoke`, `seal`, and the
//! vault and bundle commands that append) share: opening the writer, refusals as sentences,
//! printing. Receipts as JSON are the core's ([`liuhen::ingest::render::statement_receipt`]).

use std::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

use liuhen::store::file::FileStore;
use liuhen::{Ledger, LedgerError};

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
    // Printed even with --quiet: rare, and they say something was lost or repaired.
    for note in liuhen::text::recovery_notes(ledger.store()) {
        eprintln!("liuhen: {note}");
    }
    Ok(ledger)
}

/// Why the ledger refused a statement, in words (the core's wording, shared by adapters).
pub(crate) use liuhen::text::refusal as refusal_reason;

/// Prints text on stdout exactly as given; an error (a closed pipe) is returned, not a panic.
pub(crate) fn print_exact(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush())
}
