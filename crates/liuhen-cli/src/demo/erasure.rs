//! Act 11: ten years on, the retention of the closed cases has run out, and the personal data
//! whose keeping the law no longer allows is erased from the vault (PIPL), while the ledger,
//! which never held it, stays whole (Art. 21).
//!
//! The vault decides with the ledger's own custody state: the inspection's party stays, because
//! act 5 put the case under a preservation order that was never released (Art. 18); the seizure's
//! party, whose case closed with a ten-year file retention (Art. 17), is erased. The erasure is
//! itself an entry, a destruction certificate signed by the supervising office is issued and
//! checked against the ledger, and the demo proves to itself that the erased name is in no file
//! of the directory any more and that the ledger still verifies.

use std::fs;
use std::path::Path;

use liuhen::checkpoint::NoteVerifier;
use liuhen::media::PurgeBlock;
use liuhen::vault::{DestructionCertificate, RecordState, VaultError};
use liuhen::Signer;

use super::bureau::{Bureau, Who};
use super::cases::{Marks, INSPECTION, SEIZURE};
use super::check::verify_clean;
use super::story::{self, clock_time, date};
use super::Res;

/// When the erasure happens: after both ten-year retentions ended (2036-03 for the inspection
/// and the seizure), well before the penalty's thirty years.
pub(super) const LATER: &str = "2036-04-07T09:00:00+08:00";
/// The authority named in the `Erased` statement and in the certificate.
const AUTHORITY: &str =
    "金民档销〔2036〕2号 destruction approved by the bureau's archive appraisal group";
/// The approver of the destruction certificate: its note key name.
const APPROVER: &str = "jinpu.dalian.gov.cn/minzheng/office";
/// Where the certificate and the approver's verifier key are written.
pub(super) const CERTIFICATE_DIR: &str = "erasure";

/// Runs act 11.
pub(super) fn act(b: &mut Bureau, vkey: &NoteVerifier, marks: &Marks) -> Res<()> {
    let later = liuhen::audit::parse_time(LATER)
        .ok_or_else(|| format!("the demo's erasure time {LATER} is not a time"))?;
    story::act(
        11,
        &format!(
            "{} — ten years on, retention ends: personal data erased (PIPL)",
            date(later)
        ),
    );
    b.at(later)?;

    match b.erase(&marks.inspection_party, AUTHORITY, Who::Custodian) {
        Err(VaultError::ErasureRefused {
            block: PurgeBlock::Preservation { seq, .. },
            ..
        }) => story::done(&format!(
            "the party of {INSPECTION} is kept: erasure refused, preservation order of entry {seq} still holds (Art. 18)"
        )),
        Err(other) => {
            return Err(format!(
                "self-test failed: erasing the party of {INSPECTION} was refused for another reason than its preservation order: {other}"
            )
            .into())
        }
        Ok(seq) => {
            return Err(format!(
                "self-test failed: the party of {INSPECTION}, under a preservation order, was erased at entry {seq}"
            )
            .into())
        }
    }

    let party = marks.seizure_party;
    let root = b.root().to_path_buf();
    // Read untraced on purpose: the value is only searched for in the directory's files, never
    // shown to anyone.
    let opening = b.vault().get_untraced(&party)?;
    let value = opening.value.as_bytes();
    // The scan must see the name where it is before it can be trusted to miss it afterwards.
    let (before, _) = files_holding(&root, value)?;
    let vault_dir = b.vault().root().to_path_buf();
    let only_vault = before.iter().all(|p| p.starts_with(&vault_dir));
    if before.is_empty() {
        return Err(format!(
            "self-test failed: the party of {SEIZURE} is in no file under {} before its erasure, so the scan cannot see it",
            root.display()
        )
        .into());
    }
    let erased = b.erase(&party, AUTHORITY, Who::Custodian)?;
    match b.vault().state(&party)? {
        RecordState::Erased { seq } if seq == erased => {}
        other => {
            return Err(format!(
                "self-test failed: after erasure at entry {erased} the vault answers {other:?} for the party of {SEIZURE}"
            )
            .into())
        }
    }
    let (closed, kept_until) = marks.seizure_closed;
    story::done(&format!(
        "{SEIZURE} closed {}, kept until {}: its party's name erased (entry {erased}), record zeroed, tombstone left",
        clock_time(closed),
        date(kept_until)
    ));

    let checkpoint = b.checkpoint()?;
    fs::write(root.join("checkpoint.txt"), checkpoint.to_string())?;
    certificate(b, &root, &party, checkpoint.checkpoint())?;

    let (after, scanned) = files_holding(&root, value)?;
    if let Some(first) = after.first() {
        story::failed(&format!(
            "the erased name is still in {} file(s), first {}",
            after.len(),
            first.display()
        ));
        return Err(format!(
            "self-test failed: the erased party of {SEIZURE} is still in {}",
            first.display()
        )
        .into());
    }
    drop(opening);
    verify_clean(&root, vkey, |_| {
        format!(
            "self-test failed: the demo ledger in {} does not verify after the erasure (see report.json there)",
            root.display()
        )
    })?;
    let before = match (before.len(), only_vault) {
        (1, true) => "its vault record only".to_owned(),
        (n, _) => format!("{n} files"),
    };
    story::done(&format!(
        "the name is in none of the {scanned} files under DIR (before: {before}); the ledger still verifies → report.json"
    ));
    Ok(())
}

/// Issues the destruction certificate of the erasure of `party`, anchored to `checkpoint`,
/// signed by the supervising office; writes it and the office's verifier key to `erasure/`,
/// then reads both back and checks the certificate as a third party would, and against the
/// ledger.
fn certificate(
    b: &Bureau,
    root: &Path,
    party: &liuhen::model::Sealed,
    checkpoint: &liuhen::checkpoint::Checkpoint,
) -> Res<()> {
    let cert = DestructionCertificate::build(b.ledger(), &[*party], APPROVER, b.now())?;
    if cert.tree_size != checkpoint.size || cert.root != checkpoint.root {
        return Err(format!(
            "self-test failed: the destruction certificate is anchored at size {}, not at the checkpoint just sealed ({})",
            cert.tree_size, checkpoint.size
        )
        .into());
    }
    let office = b.key(Who::Office);
    let signed = cert.sign(office)?;
    let dir = root.join(CERTIFICATE_DIR);
    fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let (cert_path, vkey_path) = (dir.join("certificate.txt"), dir.join("office.vkey"));
    fs::write(&cert_path, &signed)?;
    liuhen::keyfile::write_verifier_key(
        &vkey_path,
        &NoteVerifier::for_key(APPROVER, office.public_key())?,
    )?;

    let text = fs::read_to_string(&cert_path)?;
    let approver = liuhen::keyfile::read_verifier_key(&vkey_path)?;
    let opened = DestructionCertificate::open(&text, &approver)?;
    opened.check_against_with_approver(b.ledger(), &approver)?;
    if opened != cert {
        return Err(
            "self-test failed: the destruction certificate read back differs from the one issued"
                .into(),
        );
    }
    story::done(&format!(
        "checkpoint {} sealed; destruction certificate 销毁证明 on it, signed by the office, checked → {CERTIFICATE_DIR}/",
        checkpoint.size
    ));
    Ok(())
}

/// Every regular file under `dir` (symbolic links not followed) whose bytes contain `needle`,
/// and how many files were read.
fn files_holding(dir: &Path, needle: &[u8]) -> Res<(Vec<std::path::PathBuf>, usize)> {
    let mut found = Vec::new();
    let mut scanned = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let items =
            fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        for item in items {
            let path = item?.path();
            let kind = fs::symlink_metadata(&path)?.file_type();
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() {
                let bytes =
                    fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                scanned += 1;
                if contains(&bytes, needle) {
                    found.push(path);
                }
            }
        }
    }
    Ok((found, scanned))
}

/// Whether `needle` (non-empty) occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return false;
    };
    haystack
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == first)
        .any(|(i, _)| haystack.get(i + 1..i + 1 + rest.len()) == Some(rest))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{contains, date, LATER};

    #[test]
    fn the_erasure_happens_on_the_day_the_story_prints() {
        let later = liuhen::audit::parse_time(LATER).unwrap();
        assert_eq!(date(later), "2036-04-07");
    }

    #[test]
    fn contains_finds_a_needle_anywhere_and_nothing_else() {
        assert!(contains(b"abcabd", b"abd"));
        assert!(contains("某某张某某".as_bytes(), "张某某".as_bytes()));
        assert!(!contains(b"abcab", b"abd"));
        assert!(!contains(b"ab", b"abc"));
        assert!(!contains(b"ab", b""));
    }
}
