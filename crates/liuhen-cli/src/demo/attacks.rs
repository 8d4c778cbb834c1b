//! Act 9: an informed attacker — one who has read docs/FORMAT.md and docs/STORE.md — and the
//! defences of format v2, the checked seal and the destruction findings, each shown to hold.
//!
//! Act 8's tamperings are edits a careful verifier was always going to see. These are the ones
//! an attacker with the documentation in hand would try instead (issue 11), every one on a copy
//! under `tampered/` or in a ledger of its own, never on the bureau's:
//!
//! - (e) a signed statement already in the ledger — the office's grant of an access request —
//!   appended again with no key at all: the writer refuses the replay (format v2 counters);
//! - (f) the same statement offered to a second, fresh ledger made with the same keys: refused as
//!   a statement bound to another ledger;
//! - (g) an entry deleted and the store rebuilt around it, the checkpoints over it dropped, so
//!   that the bureau's next routine seal would bless the deletion: the seal recomputes before it
//!   signs and refuses, from entry 0, and from the state the signer keeps beside its key even
//!   when the attacker re-chains every later entry;
//! - (h) the store's checkpoints destroyed, (i) media replaced by a FIFO and a dangling symbolic
//!   link: `liuhen verify` reports tampering (exit 1) with the finding named, not an I/O error;
//! - (j) an entry of a case stripped from a case bundle: the case back-links show it.

use std::fs;
use std::io::{BufWriter, Cursor, Write};
use std::path::Path;
use std::sync::Arc;

use liuhen::admission::Refusal;
use liuhen::bundle::{
    export_untraced, BundleCheck, BundleFindingKind, BundleManifest, ExportOptions,
};
use liuhen::checkpoint::{NoteVerifier, SignedCheckpoint};
use liuhen::hash::{Sha256TreeHasher, TreeHasher};
use liuhen::ledger::SealState;
use liuhen::media::MediaStore;
use liuhen::model::Event;
use liuhen::store::file::{FileStore, CHECKPOINT_INDEX_FILE, CHECKPOINT_LOG_FILE};
use liuhen::verify::{FindingKind, Verdict};
use liuhen::{Entry, Ledger, LedgerError, LedgerOptions, ManualClock, MemoryStore, Signer};

use super::bureau::{create_private_file, Bureau, Who, ORIGIN, STAFF};
use super::cases::{Marks, PENALTY};
use super::check;
use super::story::{self, bundle_findings_line, findings_line, kind_name};
use super::tamper::{copy_ledger_dir, read_stored, rebuilt_copy, Stored};
use super::Res;
use crate::layout::{LedgerDir, MEDIA_DIR, STORE_DIR, VKEY_FILE};
use liuhen::check::{check_dir, read_vkey, CheckOptions};

/// The copy of the penalty case's bundle with an entry stripped, in `tampered/`.
const STRIPPED_FILE: &str = "penalty-3-stripped.bundle";

/// Runs act 9; an error if any attack is not caught.
pub(super) fn act(b: &Bureau, vkey: &NoteVerifier, marks: &Marks) -> Res<()> {
    story::act(
        9,
        "An informed attacker: replay, a deletion for the seal to bless, destruction, a stripped bundle",
    );
    // What the bureau's signer keeps beside the ledger key since act 7's seal (`liuhen seal`
    // keeps it in `<key file>.seal-state`); the demo's bureau holds it in memory.
    let state = b.ledger().seal_state()?;
    let base = b.root().join("tampered");
    let original = read_stored(b.root())?;
    let mut missed = Vec::new();
    replay(b, &original, &mut missed)?;
    blessed_deletion(b, &base, &original, &state, vkey, marks, &mut missed)?;
    destruction(b.root(), &base, marks, &mut missed)?;
    stripped_bundle(b, &base, vkey, &mut missed)?;
    if missed.is_empty() {
        return Ok(());
    }
    Err(format!(
        "self-test failed: {} attack(s) not caught: {}; this is a bug in liuhen",
        missed.len(),
        missed.join("; ")
    )
    .into())
}

/// Prints an attack caught, or records it missed.
fn judge(missed: &mut Vec<String>, caught: Result<String, String>, what: &str) {
    match caught {
        Ok(line) => story::caught(&format!("caught{line}")),
        Err(line) => {
            story::missed(&format!("NOT caught{line}"));
            missed.push(format!("{what}{line}"));
        }
    }
}

/// (e), (f): the office's grant of the party's access request, appended again by someone who
/// holds no key, to a copy of the ledger and to a second ledger made with the same keys.
fn replay(b: &Bureau, original: &Stored, missed: &mut Vec<String>) -> Res<()> {
    let office = b.key(Who::Office).public_key();
    let (seq, grant) = original
        .entries
        .iter()
        .enumerate()
        .filter_map(|(seq, bytes)| Some((seq, Entry::from_bytes(bytes).ok()?)))
        .find(|(_, e)| {
            e.statement.statement.author == office
                && matches!(
                    e.statement.statement.event,
                    Event::AccessDecided { granted: true, .. }
                )
        })
        .ok_or("the ledger holds no access grant by the office")?;
    let statement = grant.statement;

    story::tampering(&format!(
        "(e) entry {seq}, the office's grant of the party's access request, appended again to a copy, with no key"
    ));
    // On a copy of the store, opened by the bureau's own writer software.
    let copy = b.root().join("tampered").join("e-replayed-grant");
    copy_ledger_dir(b.root(), &copy, true)?;
    let clock = Arc::new(ManualClock::new(b.now()));
    let mut ledger = Ledger::open(
        FileStore::open(copy.join(STORE_DIR))?,
        clock.clone(),
        LedgerOptions::default(),
    )?;
    let size = ledger.size();
    let outcome = match ledger.append(statement.clone()) {
        Err(LedgerError::Inadmissible { source, .. }) => match *source {
            Refusal::Replay {
                counter, last_seq, ..
            } => Ok(format!(
                ", the writer refuses: replay, the office's counter {counter} was admitted at entry {last_seq}; nothing written (Art. 3, 19)"
            )),
            other => Err(format!(": refused, but not as a replay: {other}")),
        },
        Err(other) => Err(format!(": refused, but not as a replay: {other}")),
        Ok(r) => Err(format!(": admitted again as entry {}", r.seq)),
    };
    let outcome = outcome.and_then(|line| {
        if ledger.size() == size {
            Ok(line)
        } else {
            Err(format!(": the copy grew from {size} to {}", ledger.size()))
        }
    });
    judge(missed, outcome, "(e) replay in the same ledger");
    drop(ledger);

    story::tampering(
        "(f) the same statement offered to a second, fresh ledger made with the same keys",
    );
    let ledger_id = statement
        .statement
        .binding
        .map(|binding| binding.ledger.to_hex())
        .unwrap_or_default();
    let genesis = Entry::from_bytes(original.entries.first().ok_or("the ledger is empty")?)?;
    let clock = Arc::new(ManualClock::new(genesis.logged_at));
    let mut other = Ledger::create(
        MemoryStore::new(),
        ORIGIN,
        b.key(Who::Ledger),
        clock.clone(),
        LedgerOptions::default(),
    )?;
    let (_, role, holder, _) = STAFF
        .iter()
        .find(|(who, ..)| *who == Who::Office)
        .ok_or("the office has no role in the story")?;
    other.sign_and_append(
        b.key(Who::Ledger),
        Event::KeyAuthorized {
            key: office,
            role: *role,
            holder: (*holder).into(),
        },
    )?;
    clock.set(b.now());
    let outcome = match other.append(statement) {
        Err(LedgerError::Inadmissible { source, .. }) => match *source {
            Refusal::WrongLedger { .. } => Ok(format!(
                ", the writer refuses: wrong_ledger, the statement is bound to ledger {}…, not this one (Art. 3)",
                ledger_id.get(..16).unwrap_or_default()
            )),
            other => Err(format!(": refused, but not as another ledger's: {other}")),
        },
        Err(other) => Err(format!(": refused, but not as another ledger's: {other}")),
        Ok(r) => Err(format!(": admitted as entry {}", r.seq)),
    };
    judge(missed, outcome, "(f) replay in another ledger");
    Ok(())
}

/// (g): the unanswered complaint deleted by an outsider with write access to the directory, the
/// store rebuilt around the gap and the checkpoints over it dropped; then the bureau's routine
/// seal. First as act 8's forger leaves it (sequence numbers unchanged), sealed with no state,
/// from entry 0; then with every later entry's `seq`, `prev` and case link re-chained — which no
/// check of the store alone can tell from entries not sealed yet — sealed with the state the
/// signer keeps beside the ledger key.
fn blessed_deletion(
    b: &Bureau,
    base: &Path,
    original: &Stored,
    state: &SealState,
    vkey: &NoteVerifier,
    marks: &Marks,
    missed: &mut Vec<String>,
) -> Res<()> {
    let seq = marks.unanswered_complaint;
    let deleted = usize::try_from(seq)?;
    if deleted == 0 || deleted >= original.entries.len() {
        return Err(format!("the ledger has no entry {seq} to delete").into());
    }
    // The checkpoints that do not cover the deleted entry stay; the others go.
    let kept: Vec<String> = original
        .checkpoints
        .iter()
        .filter(|note| checkpoint_size(note).is_some_and(|size| size <= seq))
        .cloned()
        .collect();
    let dropped: Vec<String> = original
        .checkpoints
        .iter()
        .filter_map(|note| checkpoint_size(note).filter(|size| *size > seq))
        .map(|size| size.to_string())
        .collect();
    story::tampering(&format!(
        "(g) entry {seq}, the unanswered complaint, deleted from copies; checkpoint {} over it dropped; then the bureau's routine seal",
        dropped.join(", ")
    ));

    let mut shortened = original.entries.clone();
    shortened.remove(deleted);
    let forged = Stored {
        entries: shortened,
        checkpoints: kept.clone(),
    };
    let copy = rebuilt_copy(
        b.root(),
        &base.join("g-deletion-rebuilt"),
        &forged.entries,
        &forged,
    )?;
    let outcome = seal_copy(b, &copy, None)?
        .map(|why| format!(", store rebuilt as act 8's forger does: {why}"));
    judge(missed, outcome, "(g) deletion sealed from entry 0");

    let rechained = Stored {
        entries: rechain(&original.entries, deleted)?,
        checkpoints: kept,
    };
    let copy = rebuilt_copy(
        b.root(),
        &base.join("g-deletion-rechained"),
        &rechained.entries,
        &rechained,
    )?;
    let alone = findings_line(&check::verify_dir(&copy, vkey)?.findings, 2);
    let outcome = seal_copy(b, &copy, Some(state))?.map(|why| {
        format!(", seq, prev and case links re-chained too (verify alone: {alone}): {why}")
    });
    judge(
        missed,
        outcome,
        "(g) re-chained deletion sealed with the seal state",
    );
    story::note(
        "without its state, a seal from entry 0 cannot tell such a deletion from entries not yet sealed: keep the state, or a checkpoint elsewhere",
    );
    Ok(())
}

/// The tree size a stored checkpoint note states.
fn checkpoint_size(note: &str) -> Option<u64> {
    SignedCheckpoint::parse(note.as_bytes())
        .ok()
        .map(|c| c.checkpoint().size)
}

/// `entries` without entry `deleted`, every later entry's `seq`, `prev` and `case_prev`
/// rewritten as the writer would have assigned them: these fields are the ledger's, outside the
/// author's signature, so the chain and the case links check out again.
fn rechain(entries: &[Vec<u8>], deleted: usize) -> Res<Vec<Vec<u8>>> {
    let mut out: Vec<Vec<u8>> = entries.get(..deleted).unwrap_or_default().to_vec();
    let gone = Entry::from_bytes(entries.get(deleted).ok_or("no such entry")?)?;
    let gone_seq = gone.seq;
    for bytes in entries.iter().skip(deleted + 1) {
        let mut entry = Entry::from_bytes(bytes)?;
        entry.seq = entry
            .seq
            .checked_sub(1)
            .ok_or("an entry after entry 0 claims 0")?;
        entry.prev = Sha256TreeHasher.hash_leaf(out.last().ok_or("no entry before")?);
        entry.case_prev = match entry.case_prev {
            Some(p) if p == gone_seq => gone.case_prev,
            Some(p) if p > gone_seq => Some(p - 1),
            other => other,
        };
        out.push(entry.to_bytes()?);
    }
    Ok(out)
}

/// Opens the copy's store with the bureau's writer and seals it with the ledger key, given the
/// signer's `state` or none; `Ok` with why if it refused and signed nothing, `Err` if it signed.
fn seal_copy(b: &Bureau, copy: &Path, state: Option<&SealState>) -> Res<Result<String, String>> {
    let checkpoints =
        || -> Res<u64> { Ok(FileStore::open_read_only(copy.join(STORE_DIR))?.checkpoint_count()) };
    let before = checkpoints()?;
    let clock = Arc::new(ManualClock::new(b.now()));
    let refusal = match Ledger::open(
        FileStore::open(copy.join(STORE_DIR))?,
        clock,
        LedgerOptions::default(),
    ) {
        Err(e) => format!("the writer will not open it to seal: {e}"),
        Ok(mut ledger) => match ledger.seal_checked(b.key(Who::Ledger), state) {
            Err(LedgerError::SealRefused(why)) => format!(
                "the seal{} refuses: {why}",
                if state.is_some() {
                    ", with the state it keeps beside the key,"
                } else {
                    " from entry 0"
                }
            ),
            Err(other) => format!("the seal refuses: {other}"),
            Ok(sealed) => {
                return Ok(Err(format!(
                    ": a checkpoint of size {} was signed over the deletion",
                    sealed.checkpoint.checkpoint().size
                )))
            }
        },
    };
    let after = checkpoints()?;
    if after != before {
        return Ok(Err(format!(
            ": refused ({refusal}), yet {} checkpoint(s) were stored",
            after - before
        )));
    }
    Ok(Ok(format!("{refusal}; nothing signed (Art. 3, 21(5))")))
}

/// (h), (i): evidence destroyed on copies, verified with `liuhen verify`'s own code: the
/// checkpoint files deleted, the checkpoints emptied out of them, and media replaced by what
/// is not a file.
fn destruction(root: &Path, base: &Path, marks: &Marks, missed: &mut Vec<String>) -> Res<()> {
    story::tampering(
        "(h) the store's checkpoints destroyed in copies: their files deleted; their records emptied",
    );
    let copy = copy_ledger_dir(root, &base.join("h-checkpoint-files-deleted"), true)?;
    for name in [CHECKPOINT_LOG_FILE, CHECKPOINT_INDEX_FILE] {
        fs::remove_file(copy.join(STORE_DIR).join(name))?;
    }
    verify_destroyed(&copy, FindingKind::StoreFileMissing, missed)?;
    let copy = copy_ledger_dir(root, &base.join("h-checkpoints-emptied"), true)?;
    for name in [CHECKPOINT_LOG_FILE, CHECKPOINT_INDEX_FILE] {
        fs::File::create(copy.join(STORE_DIR).join(name))?;
    }
    verify_destroyed(&copy, FindingKind::CheckpointsDeleted, missed)?;

    let segment = marks
        .inspection_footage
        .last()
        .ok_or("the inspection has no footage")?;
    let record = &marks.inspection_record;
    let copy = copy_ledger_dir(root, &base.join("i-media-not-files"), true)?;
    let media = MediaStore::open(copy.join(MEDIA_DIR))?;
    let fifo = media.path_of(&segment.digest);
    fs::remove_file(&fifo)?;
    let what = not_a_file(&fifo, None)?;
    let link = media.path_of(&record.digest);
    fs::remove_file(&link)?;
    let target = copy.join("nowhere.pdf");
    let other = not_a_file(&link, Some(&target))?;
    story::tampering(&format!(
        "(i) in a copy, the last body-cam segment of {} replaced by {what}, the inspection record by {other}",
        super::cases::INSPECTION
    ));
    verify_destroyed(&copy, FindingKind::MediaNotRegular, missed)
}

/// Replaces the (removed) file at `path` by a FIFO, or by a symbolic link to `target` that does
/// not exist; by a directory where the system makes neither. Returns what it made.
fn not_a_file(path: &Path, target: Option<&Path>) -> Res<&'static str> {
    match target {
        None => {
            let made = std::process::Command::new("mkfifo")
                .arg(path)
                .status()
                .is_ok_and(|status| status.success());
            if made {
                return Ok("a FIFO");
            }
        }
        #[cfg(unix)]
        Some(target) => {
            std::os::unix::fs::symlink(target, path)?;
            return Ok("a dangling symbolic link");
        }
        #[cfg(not(unix))]
        Some(_) => {}
    }
    fs::create_dir(path)?;
    Ok("a directory")
}

/// Verifies `copy` as `liuhen verify COPY --vkey COPY/ledger.vkey` does, writes the JSON report
/// beside it, and prints whether the verdict is tampering (exit 1) with a finding of `expect`.
fn verify_destroyed(copy: &Path, expect: FindingKind, missed: &mut Vec<String>) -> Res<()> {
    let checked = read_vkey(&copy.join(VKEY_FILE)).and_then(|key| {
        let options = CheckOptions {
            vkey: Some(key),
            max_findings: 100,
            ..CheckOptions::default()
        };
        check_dir(&LedgerDir::new(copy), &options)
    });
    let outcome = match checked {
        Err(e) => Err(format!(": verify failed with an error, not a finding: {e}")),
        Ok(v) => {
            let code = v.outcome().exit_code();
            fs::write(
                copy.with_extension("report.json"),
                serde_json::to_string_pretty(&v)?,
            )?;
            let found = findings_line(&v.report().findings, 2);
            if v.verdict() == Verdict::Tampered
                && code == crate::EXIT_TAMPERED
                && v.report().has(expect)
            {
                Ok(format!(
                    " by `liuhen verify` (exit {code}): {found} (Art. 21(5))"
                ))
            } else {
                Err(format!(": exit {code}, no {}; {found}", kind_name(expect)))
            }
        }
    };
    judge(missed, outcome, &copy.display().to_string());
    Ok(())
}

/// (j): the penalty case exported as the bureau's software exports it (media, no openings:
/// this copy is not disclosed to anyone), then one of its entries stripped from the bundle.
fn stripped_bundle(
    b: &Bureau,
    base: &Path,
    vkey: &NoteVerifier,
    missed: &mut Vec<String>,
) -> Res<()> {
    let mut bundle = Vec::new();
    // Untraced on purpose: this copy is taken apart in memory and never leaves the demo.
    export_untraced(
        b.ledger().store(),
        PENALTY,
        &ExportOptions {
            openings: Vec::new(),
            media: Some(b.media_store()),
        },
        &mut bundle,
        &mut (),
    )?;
    let mut reader = Cursor::new(bundle.as_slice());
    let mut manifest = BundleManifest::read(&mut reader)?;
    let blobs = usize::try_from(reader.position())?;
    // The hearing report 听证报告: an entry in the middle of the case.
    let position = manifest
        .entries
        .iter()
        .position(|e| {
            Entry::from_bytes(&e.bytes).is_ok_and(|e| match &e.statement.statement.event {
                Event::DocumentFiled { case_no, media, .. } => {
                    case_no == PENALTY && media.name.contains("听证")
                }
                _ => false,
            })
        })
        .ok_or("the penalty case's bundle holds no hearing report")?;
    let stripped = Entry::from_bytes(&manifest.entries.remove(position).bytes)?;
    let seq = stripped.seq;
    // Its document goes too, so that only the case's back-links can tell: the other blobs are
    // laid out again, back to back, as the format requires.
    if let Event::DocumentFiled { media, .. } = &stripped.statement.statement.event {
        manifest.media.retain(|m| m.digest != media.digest);
    }
    let old = bundle.get(blobs..).unwrap_or_default();
    let mut kept = Vec::new();
    for m in &mut manifest.media {
        let from = usize::try_from(m.offset)?;
        let blob = from
            .checked_add(usize::try_from(m.length)?)
            .and_then(|to| old.get(from..to))
            .ok_or("the bundle is shorter than its manifest says")?;
        m.offset = u64::try_from(kept.len())?;
        kept.extend_from_slice(blob);
    }
    let path = base.join(STRIPPED_FILE);
    let mut out = BufWriter::new(create_private_file(&path)?);
    manifest.write_header(&mut out)?;
    out.write_all(&kept)?;
    out.flush()?;
    drop(out);
    story::tampering(&format!(
        "(j) the hearing report 听证报告 (entry {seq}) stripped from a bundle of {PENALTY}, tampered/{STRIPPED_FILE}"
    ));
    let bytes = fs::read(&path)?;
    let report = liuhen::bundle::verify(bytes.as_slice(), vkey)?;
    let found = bundle_findings_line(&report.findings, 2);
    let outcome = if report.is_tampered()
        && report.has(BundleFindingKind::Bundle(BundleCheck::CaseEntriesOmitted))
    {
        Ok(format!(": {found}, by the case's back-links (Art. 6)"))
    } else {
        Err(format!(
            ": verdict {:?}, no case_entries_omitted; {found}",
            report.verdict
        ))
    };
    judge(missed, outcome, &path.display().to_string());
    Ok(())
}
