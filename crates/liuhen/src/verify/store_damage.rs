//! What the file store's own state means for integrity: store files deleted, records the
//! store found damaged or cut off, bytes after the committed records, and checkpoints deleted.
//! Destroying evidence is tampering (Art. 21(5)), never an I/O error; every adapter that
//! verifies a ledger directory (the CLI today, an HTTP service next) reports it alike.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): checks the store's files are present and regular.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use super::{Finding, FindingKind, Report};
use crate::checkpoint::SignedCheckpoint;
use crate::hash::Digest;
use crate::store::file::{
    FileStore, CHECKPOINT_INDEX_FILE, CHECKPOINT_LOG_FILE, ENTRY_INDEX_FILE, ENTRY_LOG_FILE,
    HEADER_FILE,
};
use crate::store::StoreRead;

/// The files every store has (docs/STORE.md, "Files"); `registry.idx` is missing from stores
/// made before it existed, and `lock` from stores never opened for writing.
pub const STORE_FILES: [&str; 5] = [
    HEADER_FILE,
    ENTRY_LOG_FILE,
    ENTRY_INDEX_FILE,
    CHECKPOINT_LOG_FILE,
    CHECKPOINT_INDEX_FILE,
];

fn finding(
    kind: FindingKind,
    seq: Option<u64>,
    checkpoint: Option<u64>,
    message: String,
) -> Finding {
    Finding {
        kind,
        severity: kind.severity(),
        seq,
        checkpoint,
        message,
    }
}

/// Why [`missing_files`] lists a header that is there but damaged.
pub const HEADER_DAMAGED: &str =
    "is damaged (its magic, suite, length or checksum is not what the store wrote)";

/// The store files under `store_dir` that are missing or not regular files, and a `header` that
/// is there but damaged (docs/STORE.md rule R1: the store cannot be opened, and a changed
/// header is changed evidence), with why. Empty when `store_dir` itself is not a directory (a
/// wrong path is the caller's usage error).
pub fn missing_files(store_dir: &Path) -> Vec<(PathBuf, &'static str)> {
    if !store_dir.is_dir() {
        return Vec::new();
    }
    STORE_FILES
        .iter()
        .filter_map(|name| {
            let path = store_dir.join(name);
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_file() => (*name == HEADER_FILE
                    && FileStore::read_header(store_dir).is_err_and(|e| e.is_damage()))
                .then_some((path, HEADER_DAMAGED)),
                Ok(_) => Some((path, "is not a regular file")),
                Err(_) => Some((path, "is missing")),
            }
        })
        .collect()
}

/// One finding per file of [`missing_files`]: [`FindingKind::StoreFileMissing`] for a deleted
/// or replaced file, [`FindingKind::StoreFilesDamaged`] for a damaged header. Nothing in such
/// a store can be read as a ledger, and the destruction itself is the finding.
pub fn missing_file_findings(missing: &[(PathBuf, &'static str)]) -> Vec<Finding> {
    missing
        .iter()
        .map(|(path, why)| {
            if *why == HEADER_DAMAGED {
                finding(
                    FindingKind::StoreFilesDamaged,
                    None,
                    None,
                    format!(
                        "{} {why}: the store's files were changed (Art. 21(5)) and it cannot be opened; nothing else could be checked",
                        path.display()
                    ),
                )
            } else {
                finding(
                    FindingKind::StoreFileMissing,
                    None,
                    None,
                    format!(
                        "{} {why}: the ledger's records were destroyed (Art. 21(5)); nothing else could be checked",
                        path.display()
                    ),
                )
            }
        })
        .collect()
}

/// What the store's own checks found, as findings, and the sizes and roots of its checkpoints.
#[derive(Debug)]
pub struct StoreDamage {
    /// Damage the store found on open and bytes after its committed records.
    pub findings: Vec<Finding>,
    /// `(size, root)` of every stored checkpoint that parses.
    pub stored: Vec<(u64, Digest)>,
    /// Stored checkpoints.
    pub count: u64,
    /// Stored entries.
    pub entries: u64,
}

/// Damage the store found on open (docs/STORE.md rules R2–R9: tampering, committed records cut
/// off, frames no interrupted append explains) and bytes after the committed records.
pub fn store_damage(store: &FileStore) -> StoreDamage {
    let r = store.recovery();
    let mut findings = Vec::new();
    let is_checkpoints = |p: &Path| {
        p.file_name()
            .is_some_and(|n| n == CHECKPOINT_LOG_FILE || n == CHECKPOINT_INDEX_FILE)
    };
    for t in &r.tampering {
        let (seq, cp) = if is_checkpoints(&t.file) {
            (None, t.record)
        } else {
            (t.record, None)
        };
        findings.push(finding(
            FindingKind::StoreFilesDamaged,
            seq,
            cp,
            t.to_string(),
        ));
    }
    for (what, tail) in [("entry", &r.entries), ("checkpoint", &r.checkpoints)] {
        if tail.dropped > 0 {
            findings.push(finding(
                FindingKind::StoreFilesDamaged,
                None,
                None,
                format!(
                    "{} committed {what} record(s) are cut off at the end of the store's log, which a crash does not explain: records destroyed",
                    tail.dropped
                ),
            ));
        }
        if tail.torn_bytes > 0 || tail.pending > 0 || tail.index_bytes_cut > 0 {
            findings.push(finding(
                FindingKind::UncommittedTail,
                None,
                None,
                format!(
                    "the {what} log holds {} complete frame(s) and {} bytes of a torn frame after its last committed record, and its index {} bytes of a partial record: an append in progress or a crash's leftover, not part of the verified ledger (the next writer adopts or cuts it)",
                    tail.pending, tail.torn_bytes, tail.index_bytes_cut
                ),
            ));
        }
    }
    let count = store.checkpoint_count();
    let stored = (0..count)
        .filter_map(|i| store.checkpoint(i).ok())
        .filter_map(|note| SignedCheckpoint::parse(note.as_bytes()).ok())
        .map(|c| (c.checkpoint().size, c.checkpoint().root))
        .collect();
    StoreDamage {
        findings,
        stored,
        count,
        entries: store.size(),
    }
}

/// Checkpoints deleted from the store: a ledger with entries always has the checkpoint its
/// creation signed; and the auditor's saved checkpoint (`trusted`: its size and root), verified
/// under the ledger key and still extended by the entries, must be among the stored ones (every
/// checkpoint is stored before it is handed out). Latest checkpoints deleted without a saved
/// checkpoint look like entries not sealed yet: undetectable here (docs/CLI.md).
pub fn checkpoints_deleted(
    report: &Report,
    trusted: Option<(u64, Digest)>,
    store: &StoreDamage,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if store.entries > 0 && store.count == 0 {
        out.push(finding(
            FindingKind::CheckpointsDeleted,
            None,
            None,
            format!(
                "the store holds {} entries but no checkpoint, although every ledger is sealed when it is created: its checkpoints were deleted",
                store.entries
            ),
        ));
    }
    if let Some((size, root)) = trusted {
        let judged =
            report.has(FindingKind::TrustedCheckpointMismatch) || report.has(FindingKind::Rollback);
        let kept = store.stored.contains(&(size, root));
        if !judged && !kept && store.count > 0 {
            out.push(finding(
                FindingKind::CheckpointsDeleted,
                None,
                None,
                format!(
                    "the saved checkpoint of size {size} is signed by the ledger key but no longer in the store: checkpoints were deleted"
                ),
            ));
        }
    }
    out
}
