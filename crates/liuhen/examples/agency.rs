//! An agency system embedding liuhen, end to end:
//!
//! 1. create a ledger directory on disk (`LedgerDir::create`, what `liuhen init` does) and keep
//!    the ledger key's seal state beside the key;
//! 2. authorize an officer's key and a body-worn recorder's key;
//! 3. share the writer between threads: a case-system thread appends the case's statements
//!    while upload threads store a recording's segment files in the media store and append the
//!    device's signed segment statements — in segment order, which the admission rule demands;
//! 4. seal, and check an inclusion proof against the *signed* checkpoint, verified with the
//!    ledger's verifier key;
//! 5. reopen the directory and check it as an auditor would, in one call (`liuhen::check`):
//!    store files, integrity against the trusted key, media, compliance audit;
//! 6. view personal data and export the case bundle to a granted requester through
//!    `liuhen::disclosure`, each traced in the ledger before anything is revealed; seal again.
//!
//! Run: `cargo run -p liuhen --example agency [DIR]` (default: a fresh temporary directory,
//! removed at the end). It prints the story and exits 0 if the ledger verifies.
#![allow(clippy::print_stdout)]
// an example program tells its story on stdout
// An application, not the core: it makes its own directories (the core's filesystem boundary,
// crates/liuhen/clippy.toml, does not bind it).
#![allow(clippy::disallowed_methods)]

use std::error::Error;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

use liuhen::audit::{AuditOptions, Profile};
use liuhen::check::{check_dir, read_vkey, AuditRequest, CheckOptions, Outcome};
use liuhen::checkpoint::NoteVerifier;
use liuhen::disclosure::{export_case, ExportRequest, OpeningsSource, Recipient, ViewRequest};
use liuhen::entry::SignedStatement;
use liuhen::hash::Sha256TreeHasher;
use liuhen::media::{digest_reader, MediaStore, Recording};
use liuhen::model::{
    ActKind, CaptureMethod, DocumentKind, Event, Location, MediaRef, RecordRef, Role, Stage,
};
use liuhen::store::file::FileStore;
use liuhen::{
    Clock, LedgerDir, LedgerOptions, Receipt, SecretKey, SharedLedger, Signer, SystemClock,
};

const ORIGIN: &str = "jinpu.dalian.gov.cn/minzheng/enforcement";
const CASE: &str = "金民执〔2026〕12号";
const SESSION: &str = "BWC-7731-0001";
/// Segments of the recording, uploaded by as many threads.
const SEGMENTS: u32 = 4;

fn main() -> Result<(), Box<dyn Error>> {
    let (work, temporary) = match std::env::args_os().nth(1) {
        Some(dir) => (PathBuf::from(dir), false),
        None => (
            std::env::temp_dir().join(format!("liuhen-agency-{}", std::process::id())),
            true,
        ),
    };
    let outcome = run(&work);
    if temporary {
        // Best effort: the story is told either way.
        let _ = std::fs::remove_dir_all(&work);
    }
    outcome
}

/// The whole story in the directory `work` (tests/shared.rs runs it too).
pub fn run(work: &Path) -> Result<(), Box<dyn Error>> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);

    // ---- 1. The ledger directory ------------------------------------------------------------
    // The ledger key signs the genesis entry and every checkpoint. Here it is a file beside the
    // ledger directory (mode 0600); in production an HSM implements `Signer` instead.
    let keys = work.join("keys");
    std::fs::create_dir_all(&keys)?;
    let ledger_key = SecretKey::generate()?;
    let key_file = keys.join("ledger.key");
    liuhen::keyfile::write_secret_key(&key_file, ORIGIN, &ledger_key)?;
    let state_file = liuhen::keyfile::seal_state_path(&key_file);

    let dir = LedgerDir::new(work.join("jinpu"));
    let created = dir.create(ORIGIN, &ledger_key, clock.clone(), LedgerOptions::default())?;
    liuhen::keyfile::write_seal_state(&state_file, &created.seal_state)?;
    // Auditors get the verifier key through their own channel; they never read it from the
    // directory they audit.
    let vkey: NoteVerifier = created.vkey.clone();
    println!("created ledger {ORIGIN} in {}", dir.root().display());
    println!("  verifier key for auditors: {vkey}");

    // ---- 2. Keys of the people and devices that sign ----------------------------------------
    let officer = SecretKey::generate()?;
    let device = SecretKey::generate()?;
    let mut ledger = created.ledger;
    for (key, role, holder) in [
        (officer.public_key(), Role::Officer, "21020001"),
        (device.public_key(), Role::Device, "BWC-7731"),
    ] {
        let holder = holder.to_owned();
        ledger.sign_and_append(&ledger_key, Event::KeyAuthorized { key, role, holder })?;
    }
    // The party's name goes into the vault; the ledger holds only its commitment (Art. 15, 20).
    let party = dir.vault()?.commit("party.name", "大连某某社会组织")?;
    ledger.sign_and_append(
        &officer,
        Event::CaseOpened {
            case_no: CASE.into(),
            act: ActKind::Inspection,
            matter: "年度检查 annual inspection".into(),
            unit: "社会组织管理科".into(),
            subject: party,
        },
    )?;
    println!("authorized officer 21020001 and recorder BWC-7731; case {CASE} opened");

    // ---- 3. Many threads, one writer ---------------------------------------------------------
    let shared = SharedLedger::new(ledger);
    let media = dir
        .media()?
        .ok_or("the ledger directory has no media store")?;

    // The recorder signs on the device, offline: every statement of the session, its binding
    // counter counting on from the ledger's (format v2: no statement can be replayed).
    let t0 = clock.now();
    let binding = shared.next_binding(&device.public_key())?;
    let notified = Recording::notify_party_bound(SESSION, CASE, &device, t0, binding)?;
    let (mut recording, started) = Recording::start_bound(
        liuhen::media::RecordingStart {
            session: SESSION.into(),
            case_no: CASE.into(),
            method: CaptureMethod::BodyWornRecorder,
            location: Location {
                place: "金普新区某街道1号".into(),
                landmark: Some("门牌 No. 1".into()),
            },
            matter: "现场检查 on-site inspection".into(),
            officers: vec!["21020001".into()],
            party: Some(party),
        },
        &device,
        t0.plus_millis(1),
        binding.map(|b| liuhen::Binding {
            counter: b.counter.saturating_add(1),
            ..b
        }),
    )?;
    let mut uploads = Vec::new();
    for i in 0..SEGMENTS {
        let bytes = segment_bytes(i);
        let media_ref =
            digest_reader(Cursor::new(&bytes), "video/mp4", &format!("seg-{i:04}.mp4"))?;
        let start = t0.plus_millis(1_000 * i64::from(i) + 2);
        let statement = recording.segment(media_ref.clone(), start, start.plus_millis(900))?;
        uploads.push((bytes, media_ref, statement));
    }
    let stopped = recording.stop(t0.plus_millis(1_000 * i64::from(SEGMENTS)))?;
    shared.append_signed(notified)?;
    shared.append_signed(started)?;

    // Upload threads store their segment's file (the expensive part, in parallel), then append
    // the segment's statement in segment order: a segment appended before the one it chains
    // to would be refused by the admission rule. The turn says whose segment is next.
    let turn = Turn::default();
    let segments = std::thread::scope(|scope| -> Result<Vec<Receipt>, Box<dyn Error>> {
        let case_thread = scope.spawn(|| case_system(&shared, &officer, &media));
        let upload_threads: Vec<_> = uploads
            .into_iter()
            .enumerate()
            .map(|(i, (bytes, media_ref, statement))| {
                let (shared, media, turn) = (&shared, &media, &turn);
                scope.spawn(move || upload(shared, media, turn, i, (&bytes, &media_ref), statement))
            })
            .collect();
        let mut segments = Vec::new();
        for handle in upload_threads {
            segments.push(joined(handle.join())??);
        }
        let case = joined(case_thread.join())??;
        println!(
            "{} segments uploaded by {SEGMENTS} threads (entries {}..={}), {} case-system statements alongside",
            segments.len(),
            segments.first().map_or(0, |r| r.seq),
            segments.last().map_or(0, |r| r.seq),
            case.len()
        );
        Ok(segments)
    })?;
    shared.append_signed(stopped)?;
    let stats = shared.group_stats();
    println!(
        "group commit: {} statements in {} durable writes",
        stats.statements, stats.groups
    );

    // ---- 4. Seal, and prove against the signed checkpoint ------------------------------------
    let state = liuhen::keyfile::read_seal_state(&state_file)?;
    let sealed = shared.seal_checked(&ledger_key, state.as_ref())?;
    liuhen::keyfile::write_seal_state(&state_file, &sealed.state)?;
    // A relying party takes the stored checkpoint and verifies it with the key it trusts; the
    // writer's own (unsigned) root proves nothing to anyone else.
    let checkpoint = shared
        .latest_checkpoint()?
        .ok_or("the ledger holds no checkpoint")?
        .verify(&vkey)?;
    let first_segment = segments.first().ok_or("no segment was uploaded")?;
    let proof = shared.prove_inclusion(first_segment.seq, checkpoint.size())?;
    proof.verify(
        &Sha256TreeHasher,
        &first_segment.leaf_hash,
        checkpoint.root(),
    )?;
    println!(
        "sealed at size {}; entry {} (segment 0) is proven included in the signed checkpoint",
        checkpoint.size(),
        first_segment.seq
    );
    // Closing the writer releases the store's lock.
    drop(shared.into_inner()?);

    // ---- 5. Reopen and verify, as an auditor would ---------------------------------------------
    // The auditor's copy of the verifier key lives outside the directory under audit.
    let trusted = work.join("auditor-ledger.vkey");
    liuhen::keyfile::write_verifier_key(&trusted, &vkey)?;
    verify_directory(&dir, &trusted)?;

    // ---- 6. Traced access and disclosure --------------------------------------------------------
    // Personal data is read and handed out only through `liuhen::disclosure`: each call appends
    // its trace (RecordViewed, RecordDisclosed) before anything is revealed (Art. 21(3)).
    let mut ledger = dir.open_writer()?;
    let vault = dir.vault()?;
    let view = liuhen::disclosure::view_case(
        &mut ledger,
        &vault,
        &officer,
        &ViewRequest {
            case_no: CASE.into(),
            purpose: "preparing the inspection report".into(),
        },
    )?;
    println!(
        "officer viewed {} personal value(s) of {CASE}: RecordViewed at entry {}",
        view.openings.openings.len(),
        view.receipt.seq
    );
    let requester = vault.commit("requester.name", "张三")?;
    let request = "REQ-2026-0007".to_owned();
    ledger.sign_and_append(
        &officer,
        Event::AccessRequested {
            request: request.clone(),
            case_no: CASE.into(),
            requester,
            basis: "party's own access request (Art. 21)".into(),
        },
    )?;
    ledger.sign_and_append(
        &officer,
        Event::AccessDecided {
            request: request.clone(),
            granted: true,
            reason: "the requester is the party's legal representative".into(),
        },
    )?;
    // A bundle proves each entry against a signed checkpoint: seal what it will carry first.
    let state = liuhen::keyfile::read_seal_state(&state_file)?;
    let sealed = ledger.seal_checked(&ledger_key, state.as_ref())?;
    liuhen::keyfile::write_seal_state(&state_file, &sealed.state)?;
    let export = export_case(
        &mut ledger,
        &dir,
        &officer,
        &ExportRequest {
            case_no: CASE.into(),
            output: work.join("case-bundle.liuhen"),
            recipient: Recipient::Requester {
                request,
                name: None,
            },
            openings: OpeningsSource::Vault,
            with_media: true,
        },
        &mut (),
    )?;
    let state = liuhen::keyfile::read_seal_state(&state_file)?;
    let sealed = ledger.seal_checked(&ledger_key, state.as_ref())?;
    liuhen::keyfile::write_seal_state(&state_file, &sealed.state)?;
    println!(
        "exported the case bundle {} to the granted requester: RecordDisclosed at entry {}, sealed at size {}",
        export.output.display(),
        export.receipts.first().map_or(0, |r| r.seq),
        sealed.checkpoint.checkpoint().size
    );
    drop(ledger);
    verify_directory(&dir, &trusted)
}

/// The case system: the officer's statements, signed under the ledger lock so that each carries
/// the officer's next counter however the threads interleave.
fn case_system(
    shared: &SharedLedger<FileStore>,
    officer: &SecretKey,
    media: &MediaStore,
) -> Result<Vec<Receipt>, liuhen::Error> {
    let record = b"%PDF-1.7 \xe7\x8e\xb0\xe5\x9c\xba\xe6\xa3\x80\xe6\x9f\xa5\xe7\xac\x94\xe5\xbd\x95 (investigation record)".to_vec();
    let document = digest_reader(Cursor::new(&record), "application/pdf", "现场检查笔录.pdf")?;
    media.put_reader(Cursor::new(&record), &document)?;
    let mut receipts = vec![shared.sign_and_append(
        officer,
        Event::DocumentFiled {
            case_no: CASE.into(),
            stage: Stage::Investigation,
            kind: DocumentKind::InvestigationRecord,
            media: document,
            officers: vec!["21020001".into(), "21020002".into()],
        },
    )?];
    for purpose in ["legal review", "supervisor sign-off"] {
        receipts.push(shared.sign_and_append(
            officer,
            Event::RecordViewed {
                subject: RecordRef::Case(CASE.into()),
                by: "21020001".into(),
                purpose: purpose.into(),
            },
        )?);
    }
    Ok(receipts)
}

/// One upload thread: stores segment `index`'s file, waits for its turn, appends its statement.
fn upload(
    shared: &SharedLedger<FileStore>,
    media: &MediaStore,
    turn: &Turn,
    index: usize,
    (bytes, claimed): (&[u8], &MediaRef),
    statement: SignedStatement,
) -> Result<Receipt, liuhen::Error> {
    // The media store refuses bytes that are not what the device signed.
    let stored = media.put_reader(Cursor::new(bytes), claimed);
    turn.wait_for(index);
    let receipt = match stored {
        Ok(_) => shared.append_signed(statement).map_err(liuhen::Error::from),
        Err(e) => Err(e.into()),
    };
    // Pass the turn on whatever happened: a later segment is then refused by the admission
    // rule (it does not continue the chain) and its thread reports that.
    turn.next();
    receipt
}

/// Whose segment is next: upload threads append in segment order.
#[derive(Default)]
struct Turn {
    next: Mutex<usize>,
    moved: Condvar,
}

impl Turn {
    fn wait_for(&self, index: usize) {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        while *next != index {
            next = self.moved.wait(next).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn next(&self) {
        *self.next.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.moved.notify_all();
    }
}

/// Checks the directory as an auditor would, in one call and one pass over the entries:
/// the store's files, integrity against the trusted key, the recording's chain and every media
/// file, the compliance audit.
fn verify_directory(dir: &LedgerDir, trusted_vkey: &Path) -> Result<(), Box<dyn Error>> {
    let report = check_dir(
        dir,
        &CheckOptions {
            vkey: Some(read_vkey(trusted_vkey)?),
            audit: Some(AuditRequest {
                profile: Profile::default(),
                options: AuditOptions::as_of(SystemClock.now()),
            }),
            ..CheckOptions::default()
        },
    )?;
    let (violations, warnings) = report
        .audit()
        .map_or((0, 0), |a| (a.summary.violations, a.summary.warnings));
    println!(
        "checked {} read-only: {:?} — {} entries read once, {} findings; audit: {} violations, {} warnings",
        dir.root().display(),
        report.outcome(),
        report.entries_read(),
        report.report().findings.len(),
        violations,
        warnings
    );
    for finding in &report.report().findings {
        println!("  - {:?}: {}", finding.kind, finding.message);
    }
    for finding in report
        .audit()
        .map(|a| a.findings.as_slice())
        .unwrap_or_default()
    {
        println!(
            "  - {} ({}): {}",
            finding.rule, finding.article, finding.message
        );
    }
    match report.outcome() {
        Outcome::Verified | Outcome::ComplianceFindings => Ok(()),
        other => Err(format!("the ledger does not verify: {other:?}").into()),
    }
}

/// A thread's result; a thread that panicked is an error of the program.
fn joined<T>(result: std::thread::Result<T>) -> Result<T, Box<dyn Error>> {
    result.map_err(|_| "a thread of the example panicked".into())
}

/// The bytes of segment `i` (a real recorder uploads its files).
fn segment_bytes(i: u32) -> Vec<u8> {
    format!("body-worn recorder BWC-7731, session {SESSION}, segment {i}: …video…")
        .repeat(64)
        .into_bytes()
}
