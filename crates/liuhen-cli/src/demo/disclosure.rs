//! Act 10: the penalty case leaves the bureau as a case evidence bundle, and the bundle is
//! checked where it arrives with nothing but the ledger's verifier key.
//!
//! The city justice bureau's enforcement supervisors review closed case files (行政执法案卷评查).
//! Their request is logged and granted, the bundle is exported with the case's media and the
//! openings the vault holds for the case, and the disclosure itself is logged with the bundle's
//! BLAKE3, so that what left the bureau, and to whom, leaves a trace (Art. 19, 21(3)). A
//! supervision request rather than a court's is used on purpose: litigation is a circumstance of
//! Art. 18 and would put the case under a preservation order, which is act 5's story.

use std::fs::{self, File};
use std::io::{BufReader, Cursor, Write};
use std::path::{Path, PathBuf};

use liuhen::bundle::{verify, BundleFindingKind, BundleManifest, BundleReport, MediaStatus};
use liuhen::checkpoint::NoteVerifier;
use liuhen::disclosure::{ExportRequest, OpeningsSource, Recipient};
use liuhen::hash::Digest;
use liuhen::model::Event;
use liuhen::verify::{FindingKind, Verdict};

use super::bureau::{create_private_file, Bureau, Who};
use super::cases::{story_end, Marks, PENALTY, STORY_END};
use super::story::{self, bundle_findings_line, bytes, march, MINUTE};
use super::Res;

/// The bundle file, in the demo directory: an ASCII name, so that it can be typed.
pub(super) const BUNDLE_FILE: &str = "penalty-3.bundle";
/// The tampered copy, in `tampered/`.
const ALTERED_FILE: &str = "penalty-3-altered.bundle";
/// Who receives the bundle; sealed, as every recipient is.
const RECIPIENT: &str = "大连市司法局行政执法监督处";
/// The supervisor's request number.
const REQUEST: &str = "大司法监〔2026〕9号";

/// Runs act 10; returns the path of the bundle.
pub(super) fn act(b: &mut Bureau, vkey: &NoteVerifier, marks: &Marks) -> Res<PathBuf> {
    story::act(
        10,
        &format!("{PENALTY} leaves the bureau — a case evidence bundle for the supervisor"),
    );
    b.at(march(31, 17, 0))?;
    let recipient = b.seal("recipient.name", RECIPIENT)?;
    b.append(
        Who::Office,
        Event::AccessRequested {
            request: REQUEST.into(),
            case_no: PENALTY.into(),
            requester: recipient,
            basis: "行政执法监督 案卷评查 case-file review by the city's enforcement supervisor"
                .into(),
        },
    )?;
    b.later(10 * MINUTE);
    b.append(
        Who::Office,
        Event::AccessDecided {
            request: REQUEST.into(),
            granted: true,
            reason: "上级执法监督机关调阅案卷 the supervising authority reads the case file".into(),
        },
    )?;
    // The export proves every entry of the case against a stored checkpoint, and refuses a case
    // with unsealed entries: the request and its grant are sealed first.
    let checkpoint = b.checkpoint()?.checkpoint().size;

    let path = b.root().join(BUNDLE_FILE);
    b.later(20 * MINUTE);
    let (entries, media, openings, size, disclosed, digest) = write_bundle(b, &path)?;
    story::done(&format!(
        "the city justice bureau's case-file review 案卷评查 asks (requester sealed); granted → {BUNDLE_FILE} ({})",
        bytes(size)
    ));
    story::done(&format!(
        "disclosure logged 留痕 at entry {disclosed} before the bundle was in place, naming the bundle's BLAKE3 {}… (Art. 19, 21(3))",
        digest.to_hex().get(..16).unwrap_or_default()
    ));
    if b.now() >= story_end() {
        return Err(
            format!("the demo's story runs past {STORY_END}, the audit time it prints").into(),
        );
    }

    // Where the bundle arrives: the file and the verifier key, nothing else.
    let report = verify_file(&path, vkey)?;
    let verified_media = report
        .media
        .iter()
        .filter(|m| m.status == MediaStatus::Verified)
        .count();
    let complete = report.entries.len() == entries
        && verified_media == media
        && report.openings.len() == usize::try_from(openings)?;
    if report.verdict != Verdict::Verified || !complete {
        story::failed(&format!(
            "{:?}: {}/{entries} entries, {verified_media}/{media} media, {}/{openings} openings; {}",
            report.verdict,
            report.entries.len(),
            report.openings.len(),
            bundle_findings_line(&report.findings, 4)
        ));
        return Err(format!(
            "self-test failed: the bundle {} does not verify with the ledger's verifier key, or not all that was exported",
            path.display()
        )
        .into());
    }
    story::done(&format!(
        "verified offline with ledger.vkey alone: {} entries proven in checkpoint {checkpoint}, {verified_media} media, {} openings",
        report.entries.len(),
        report.openings.len()
    ));

    // The court's or supervisor's evidence list (证据清单), from the verified bundle alone.
    let items = report.evidence().unwrap_or_default();
    let stated = items
        .iter()
        .filter(|i| i.proves != liuhen::audit::PROVES_NOT_RECORDED)
        .count();
    if items.is_empty() || stated == 0 {
        return Err(format!(
            "self-test failed: the bundle's evidence list has {} items, {stated} stating what they prove",
            items.len()
        )
        .into());
    }
    story::done(&format!(
        "its evidence list 证据清单 from the verified bundle: {} items, {stated} stating what it proves (证明对象) — `liuhen bundle verify {BUNDLE_FILE} --vkey ledger.vkey --evidence --csv`",
        items.len()
    ));

    altered_copy(b.root(), &path, vkey, marks)?;
    Ok(path)
}

/// Exports the penalty case with its media and the vault's openings for it to `path`, to the
/// requester of the granted request, in the one traced call (`RecordDisclosed` is appended
/// before the bundle is renamed into place). Returns the entries, media and openings written,
/// the bundle's size, the disclosure's entry and the bundle's digest.
fn write_bundle(b: &mut Bureau, path: &Path) -> Res<(usize, usize, u64, u64, u64, Digest)> {
    let request = ExportRequest {
        case_no: PENALTY.into(),
        output: path.to_path_buf(),
        recipient: Recipient::Requester {
            request: REQUEST.into(),
            name: None,
        },
        openings: OpeningsSource::Vault,
        with_media: true,
    };
    let export = b.disclose(Who::Custodian, &request)?;
    if !export.missing.is_empty() || !export.erased.is_empty() {
        return Err(format!(
            "self-test failed: the vault lacks {} and erased {} openings of case {PENALTY}",
            export.missing.len(),
            export.erased.len()
        )
        .into());
    }
    let summary = &export.summary;
    if !summary.media_missing.is_empty() {
        return Err(format!(
            "self-test failed: {} media of case {PENALTY} are missing from media/",
            summary.media_missing.len()
        )
        .into());
    }
    let entries = summary.case_entries.len() + usize::try_from(summary.registry_entries)?;
    let media = usize::try_from(summary.media_included)?;
    let disclosed = export
        .receipts
        .first()
        .map(|r| r.seq)
        .ok_or("the disclosure appended no entry")?;
    Ok((
        entries,
        media,
        summary.openings,
        summary.bytes_written,
        disclosed,
        export.bundle,
    ))
}

/// Verifies the bundle file at `path` with `vkey`.
fn verify_file(path: &Path, vkey: &NoteVerifier) -> Res<BundleReport> {
    Ok(verify(BufReader::new(open(path)?), vkey)
        .map_err(|e| format!("{} is not a readable bundle: {e}", path.display()))?)
}

fn open(path: &Path) -> Res<File> {
    Ok(File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?)
}

/// Writes a copy of the bundle to `tampered/` with one byte of the penalty decision document
/// changed, and checks that verification reports that media altered.
fn altered_copy(root: &Path, path: &Path, vkey: &NoteVerifier, marks: &Marks) -> Res<()> {
    let mut bundle = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut reader = Cursor::new(bundle.as_slice());
    let manifest = BundleManifest::read(&mut reader)?;
    let blobs = reader.position();
    let blob = manifest
        .media
        .iter()
        .find(|m| m.digest == marks.decision_document)
        .filter(|m| m.length > 0)
        .ok_or("the bundle does not carry the penalty decision document")?;
    let at = usize::try_from(blobs + blob.offset + blob.length / 2)?;
    let byte = bundle
        .get_mut(at)
        .ok_or("the bundle is shorter than its manifest says")?;
    *byte ^= 0x01;
    let copy = root.join("tampered").join(ALTERED_FILE);
    create_private_file(&copy)?
        .write_all(&bundle)
        .map_err(|e| format!("cannot write {}: {e}", copy.display()))?;
    story::tampering(&format!(
        "(k) one byte of the decision 行政处罚决定书.pdf changed in a copy, tampered/{ALTERED_FILE}"
    ));
    let report = verify_file(&copy, vkey)?;
    let found = bundle_findings_line(&report.findings, 2);
    if report.is_tampered() && report.has(BundleFindingKind::Ledger(FindingKind::MediaAltered)) {
        story::caught(&format!("caught: {found} (Art. 21(2))"));
        return Ok(());
    }
    story::missed(&format!(
        "NOT caught: verdict {:?}, no media_altered; {found}",
        report.verdict
    ));
    Err(format!(
        "self-test failed: the altered bundle {} was not caught; this is a bug in liuhen",
        copy.display()
    )
    .into())
}
