//! What an integrator and an auditor do with the ledger: proofs against signed checkpoints, and
//! a full verification of the directory read back from disk with only the verifier key.

use std::fs;
use std::path::Path;

use liuhen::check::{check_dir, CheckOptions, TrustAnchor, TrustedKey};
use liuhen::checkpoint::NoteVerifier;
use liuhen::hash::Sha256TreeHasher;
use liuhen::verify::{Report, Verdict};

use super::bureau::Bureau;
use super::cases::Marks;
use super::story::{self, bytes, findings_line};
use super::Res;
use crate::layout::LedgerDir;

/// Act 7, first half: the checkpoints sealed along the way (the last one now), an inclusion
/// and a consistency proof, each checked before it is written.
pub(super) fn proofs(b: &mut Bureau, marks: &Marks) -> Res<()> {
    story::act(
        7,
        "Checkpoints, proofs, and the auditor's verification with only the verifier key",
    );
    let latest = b.checkpoint()?;
    let (size, root) = (latest.checkpoint().size, latest.checkpoint().root);
    let checkpoint_path = b.root().join("checkpoint.txt");
    fs::write(&checkpoint_path, latest.to_string())?;
    let sizes: Vec<String> = b.checkpoints().iter().map(u64::to_string).collect();
    story::done(&format!(
        "checkpoints signed at sizes {}; the latest, a C2SP signed note, in checkpoint.txt",
        sizes.join(", ")
    ));
    // Each checkpoint was cosigned by the witness as it was sealed; the self-test checks the
    // latest against the witness policy written beside the vkey.
    let policy = liuhen::policy::read_policy(&b.root().join(liuhen::dir::POLICY_FILE))?;
    let check = policy.check(&latest)?;
    let Some(at) = check.earliest_cosignature().filter(|_| check.met) else {
        return Err(format!(
            "self-test failed: the latest checkpoint does not meet the witness policy: {}",
            check.why_not.unwrap_or_default()
        )
        .into());
    };
    story::done(&format!(
        "each cosigned by the city justice bureau's witness {} (C2SP tlog-witness; the latest at {}): witness.vkey and witness.policy beside ledger.vkey — `liuhen verify --policy` needs its cosignature, so not even the bureau can rewrite history unseen",
        super::witnessing::WITNESS_NAME,
        liuhen::describe::iso8601(liuhen::Timestamp(i64::try_from(at).unwrap_or(0).saturating_mul(1000)))
    ));

    let proofs = b.root().join("proofs");
    fs::create_dir(&proofs)?;
    let seq = marks.decision.seq;
    let inclusion = b.ledger().prove_inclusion(seq, size)?;
    inclusion
        .verify(&Sha256TreeHasher, &marks.decision.leaf_hash, &root)
        .map_err(|e| {
            format!("self-test failed: the inclusion proof of entry {seq} does not verify: {e}")
        })?;
    let inclusion_name = format!("inclusion-{seq}-in-{size}.json");
    fs::write(
        proofs.join(&inclusion_name),
        serde_json::to_string_pretty(&inclusion)?,
    )?;

    let old = marks.early_checkpoint.checkpoint();
    let consistency = b.ledger().prove_consistency(old.size, size)?;
    consistency
        .verify(&Sha256TreeHasher, &old.root, &root)
        .map_err(|e| {
            format!(
                "self-test failed: the consistency proof {} → {size} does not verify: {e}",
                old.size
            )
        })?;
    let consistency_name = format!("consistency-{}-{size}.json", old.size);
    fs::write(
        proofs.join(&consistency_name),
        serde_json::to_string_pretty(&consistency)?,
    )?;
    story::done(&format!(
        "inclusion proof of entry {seq} (penalty decision) in {size}, consistency proof {} → {size}: checked → proofs/",
        old.size
    ));
    Ok(())
}

/// Verifies the ledger directory at `root` as an auditor does: every entry, signature, link of
/// the chain and checkpoint, with `vkey` as the only trust anchor, then the recording segment
/// chains and every media file re-hashed against its digest.
pub(super) fn verify_dir(root: &Path, vkey: &NoteVerifier) -> Res<Report> {
    let dir = LedgerDir::new(root);
    let options = CheckOptions {
        vkey: Some(TrustedKey {
            key: vkey.clone(),
            anchor: TrustAnchor {
                file: dir.vkey_path(),
                vkey: vkey.to_string(),
            },
        }),
        ..CheckOptions::default()
    };
    Ok(check_dir(&dir, &options)?.report().clone())
}

/// Writes a verification report (the library's `Report`) as JSON.
pub(super) fn write_report(path: &Path, report: &Report) -> Res<()> {
    fs::write(path, serde_json::to_string_pretty(report)?)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// Verifies the directory `root` and writes the report to its `report.json`. A verdict other
/// than verified is told as the story's failure and returned as the error `why(report)`.
pub(super) fn verify_clean(
    root: &Path,
    vkey: &NoteVerifier,
    why: impl FnOnce(&Report) -> String,
) -> Res<Report> {
    let report = verify_dir(root, vkey)?;
    write_report(&root.join("report.json"), &report)?;
    if report.verdict != Verdict::Verified {
        story::failed(&format!(
            "{:?}: {}",
            report.verdict,
            findings_line(&report.findings, 4)
        ));
        return Err(why(&report).into());
    }
    Ok(report)
}

/// Act 7, second half: the whole directory read back from disk and verified; it must be clean.
pub(super) fn verify_original(root: &Path, vkey: &NoteVerifier, media: (u64, u64)) -> Res<()> {
    let report = verify_clean(root, vkey, |report| {
        format!(
            "self-test failed: the untouched demo ledger in {} does not verify ({:?}; see report.json there)",
            root.display(),
            report.verdict
        )
    })?;
    story::done(&format!(
        "from disk: {} entries, {}/{} checkpoints, {} media files ({}) re-hashed: verified → report.json",
        report.entries,
        report.checkpoints_verified,
        report.checkpoints,
        media.0,
        bytes(media.1)
    ));
    Ok(())
}
