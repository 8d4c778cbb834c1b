//! Act 8: tampering with copies of the ledger directory, and the verifier catching each change.
//!
//! Every tampering is done to a fresh copy under `tampered/` (the original is never touched),
//! then the copy is verified exactly as the original was in act 7. Edits to the ledger are
//! done twice: once naively, to the bytes of `ledger/entries.log`, and once as a forger who
//! has read `docs/STORE.md` would, rebuilding the store's checksums and index around the
//! change so that the store itself sees nothing wrong and only the cryptography can.

use std::fs;
use std::path::{Path, PathBuf};

use liuhen::checkpoint::NoteVerifier;
use liuhen::entry::EncodedEntry;
use liuhen::hash::{Sha256TreeHasher, TreeHasher};
use liuhen::media::MediaStore;
use liuhen::store::file::{FileStore, ENTRY_LOG_FILE};
use liuhen::store::{StoreRead, StoreWrite};
use liuhen::verify::{FindingKind, Verdict};
use liuhen::Entry;

use super::bureau::ORIGIN;
use super::cases::Marks;
use super::check::{verify_dir, write_report};
use super::story::{self, findings_line, kind_name};
use super::Res;
use crate::layout::{LedgerDir, MEDIA_DIR, STORE_DIR, VKEY_FILE};

/// Bytes of a frame of `entries.log` around its entry: a u32 length before, a SHA-256
/// checksum after (`docs/STORE.md`).
const FRAME_HEAD: usize = 4;
const FRAME_TAIL: usize = 32;

/// How a tampering was caught, for the story: a naive edit of the log trips the store's own
/// checksums; a forger's rebuilt store trips the signatures, the chain and the checkpoints;
/// media are re-hashed against their digests.
const RAW: &str = " by the store's checksums";
const REBUILT: &str = ", store rebuilt to match";
const MEDIA: &str = "";

/// The ledger as stored: entry bytes and checkpoint texts, in order.
pub(super) struct Stored {
    pub(super) entries: Vec<Vec<u8>>,
    pub(super) checkpoints: Vec<String>,
}

/// Runs the tamperings; an error if the verifier misses any of them.
pub(super) fn act(root: &Path, vkey: &NoteVerifier, marks: &Marks) -> Res<()> {
    story::act(
        8,
        "Tampering with copies in tampered/: naive edits, and a forger who rebuilds the store",
    );
    let base = root.join("tampered");
    fs::create_dir(&base)?;
    let original = read_stored(root)?;
    let mut judge = Judge {
        vkey,
        missed: Vec::new(),
    };

    let seq = marks.decision.seq;
    let entry = entry_of(&original, seq)?;
    let at = find(entry, marks.decision_document.as_bytes()).ok_or_else(|| {
        format!("entry {seq} does not hold the digest of the penalty decision document")
    })?;
    story::tampering(&format!(
        "(a) one byte of entry {seq} edited in ledger/entries.log: the penalty decision names another document"
    ));
    let copy = copy_ledger_dir(root, &base.join("a-edited-entry"), true)?;
    edit_log(&copy, entry, |log, start| {
        if let Some(b) = log.get_mut(start + at) {
            *b ^= 0x01;
        }
        Ok(())
    })?;
    judge.check(&copy, FindingKind::Malformed, "Art. 3", RAW)?;
    let mut edited = original.entries.clone();
    if let Some(b) = edited.get_mut(index(seq)?).and_then(|e| e.get_mut(at)) {
        *b ^= 0x01;
    }
    let copy = rebuilt_copy(
        root,
        &base.join("a-edited-entry-rebuilt"),
        &edited,
        &original,
    )?;
    judge.check(&copy, FindingKind::BadSignature, "Art. 3", REBUILT)?;

    let seq = marks.unanswered_complaint;
    let entry = entry_of(&original, seq)?;
    story::tampering(&format!(
        "(b) entry {seq}, the unanswered complaint, deleted from ledger/entries.log"
    ));
    let copy = copy_ledger_dir(root, &base.join("b-deleted-entry"), true)?;
    edit_log(&copy, entry, |log, start| {
        let from = start
            .checked_sub(FRAME_HEAD)
            .ok_or("the entry is not inside a frame")?;
        let len = u32::try_from(entry.len())?.to_le_bytes();
        if log.get(from..start) != Some(&len[..]) {
            return Err("entries.log is not framed as docs/STORE.md describes".into());
        }
        let to = (start + entry.len() + FRAME_TAIL).min(log.len());
        let tail = log.get(to..).map(<[u8]>::to_vec).unwrap_or_default();
        log.truncate(from);
        log.extend_from_slice(&tail);
        Ok(())
    })?;
    judge.check(&copy, FindingKind::Malformed, "Art. 3, 21(5)", RAW)?;
    let mut shortened = original.entries.clone();
    let deleted = index(seq)?;
    if deleted < shortened.len() {
        shortened.remove(deleted);
    }
    let copy = rebuilt_copy(
        root,
        &base.join("b-deleted-entry-rebuilt"),
        &shortened,
        &original,
    )?;
    judge.check(&copy, FindingKind::Sequence, "Art. 3, 21(5)", REBUILT)?;

    let (first, second) = match marks.inspection_footage.as_slice() {
        [a, b, ..] => (a, b),
        _ => return Err("the inspection has fewer than two segments".into()),
    };
    story::tampering(&format!(
        "(c) the files of body-cam segments 0 and 1 of {} swapped in media/",
        super::cases::INSPECTION
    ));
    let copy = copy_ledger_dir(root, &base.join("c-swapped-segments"), true)?;
    let media = MediaStore::open(copy.join(MEDIA_DIR))?;
    let (a, b) = (media.path_of(&first.digest), media.path_of(&second.digest));
    let parked = a.with_extension("swap");
    fs::rename(&a, &parked)?;
    fs::rename(&b, &a)?;
    fs::rename(&parked, &b)?;
    judge.check(&copy, FindingKind::MediaSwapped, "Art. 14(4), 21(2)", MEDIA)?;

    let record = &marks.inspection_record;
    story::tampering(&format!(
        "(d) the inspection record {} deleted from media/, despite the preservation order",
        record.name
    ));
    let copy = copy_ledger_dir(root, &base.join("d-deleted-media"), true)?;
    let media = MediaStore::open(copy.join(MEDIA_DIR))?;
    fs::remove_file(media.get(&record.digest)?)?;
    judge.check(&copy, FindingKind::MediaMissing, "Art. 21(5)", MEDIA)?;

    if judge.missed.is_empty() {
        return Ok(());
    }
    Err(format!(
        "self-test failed: the verifier missed {} tampering(s): {}; this is a bug in liuhen",
        judge.missed.len(),
        judge.missed.join("; ")
    )
    .into())
}

/// Verifies tampered copies and keeps count of what was missed.
struct Judge<'a> {
    vkey: &'a NoteVerifier,
    missed: Vec<String>,
}

impl Judge<'_> {
    /// Verifies `copy`, writes its report beside it, and prints whether the verdict is
    /// tampering with a finding of `expect` among the findings.
    fn check(&mut self, copy: &Path, expect: FindingKind, article: &str, how: &str) -> Res<()> {
        let report = verify_dir(copy, self.vkey)?;
        write_report(&copy.with_extension("report.json"), &report)?;
        let found = findings_line(&report.findings, 2);
        if report.verdict == Verdict::Tampered && report.has(expect) {
            story::caught(&format!("caught{how}: {found} ({article})"));
        } else {
            story::missed(&format!(
                "NOT caught{how}: verdict {:?}, no {}; {found}",
                report.verdict,
                kind_name(expect)
            ));
            self.missed.push(format!("{} ({found})", copy.display()));
        }
        Ok(())
    }
}

/// Reads the entries and checkpoints of the ledger in `root`.
pub(super) fn read_stored(root: &Path) -> Res<Stored> {
    let store = LedgerDir::new(root).open_read_only()?;
    // A demo ledger: small, read whole in one range read each.
    let entries = store.entries(0..store.size())?;
    let checkpoints = store.checkpoints(0..store.checkpoint_count())?;
    Ok(Stored {
        entries,
        checkpoints,
    })
}

fn index(seq: u64) -> Res<usize> {
    Ok(usize::try_from(seq)?)
}

fn entry_of(stored: &Stored, seq: u64) -> Res<&[u8]> {
    stored
        .entries
        .get(index(seq)?)
        .map(Vec::as_slice)
        .ok_or_else(|| format!("the ledger has no entry {seq}").into())
}

/// Where `needle` first occurs in `haystack` (an empty needle is nowhere).
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Copies the parts of the ledger directory at `root` (the store unless `with_store` is
/// false, the media store and the verifier key) to `to`, and returns `to`.
pub(super) fn copy_ledger_dir(root: &Path, to: &Path, with_store: bool) -> Res<PathBuf> {
    fs::create_dir(to)?;
    if with_store {
        copy_tree(&root.join(STORE_DIR), &to.join(STORE_DIR))?;
    }
    copy_tree(&root.join(MEDIA_DIR), &to.join(MEDIA_DIR))?;
    fs::copy(root.join(VKEY_FILE), to.join(VKEY_FILE))?;
    Ok(to.to_path_buf())
}

fn copy_tree(from: &Path, to: &Path) -> Res<()> {
    fs::create_dir(to)?;
    for item in fs::read_dir(from)? {
        let item = item?;
        let kind = item.file_type()?;
        let target = to.join(item.file_name());
        if kind.is_dir() {
            copy_tree(&item.path(), &target)?;
        } else if kind.is_file() {
            fs::copy(item.path(), &target)?;
        }
    }
    Ok(())
}

/// Finds `entry` in the copy's `entries.log` and lets `edit` change the log's bytes, given the
/// offset where the entry starts.
fn edit_log(
    copy: &Path,
    entry: &[u8],
    edit: impl FnOnce(&mut Vec<u8>, usize) -> Res<()>,
) -> Res<()> {
    let path = copy.join(STORE_DIR).join(ENTRY_LOG_FILE);
    let mut log = fs::read(&path)?;
    let start = find(&log, entry)
        .ok_or_else(|| format!("{} does not hold the entry to edit", path.display()))?;
    edit(&mut log, start)?;
    fs::write(&path, &log)?;
    Ok(())
}

/// A copy whose store is built afresh from `entries` and the original checkpoints, with
/// correct checksums, index and Merkle node hashes: what a forger with the store format in
/// hand would write.
pub(super) fn rebuilt_copy(
    root: &Path,
    to: &Path,
    entries: &[Vec<u8>],
    original: &Stored,
) -> Res<PathBuf> {
    let copy = copy_ledger_dir(root, to, false)?;
    let mut store = FileStore::create(copy.join(STORE_DIR), ORIGIN)?;
    let encoded: Vec<EncodedEntry> = entries
        .iter()
        .enumerate()
        .map(|(seq, bytes)| EncodedEntry {
            seq: seq as u64,
            bytes: bytes.clone(),
            leaf_hash: Sha256TreeHasher.hash_leaf(bytes),
            registry_change: Entry::from_bytes(bytes)
                .is_ok_and(|e| e.statement.statement.event.is_registry_change()),
        })
        .collect();
    store.append(&encoded)?;
    for note in &original.checkpoints {
        store.append_checkpoint(note)?;
    }
    Ok(copy)
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn find_locates_the_first_occurrence() {
        assert_eq!(find(b"abcabc", b"ca"), Some(2));
        assert_eq!(find(b"abc", b"x"), None);
        assert_eq!(find(b"ab", b"abc"), None);
        assert_eq!(find(b"ab", b""), None);
    }
}
