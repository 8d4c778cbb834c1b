//! End to end: `liuhen demo` builds a ledger directory that the library verifies, keeps personal
//! data in the vault, exports a case bundle that verifies offline and whose disclosure is
//! logged, erases a party's name for good with a destruction certificate, catches every
//! tampering it stages, and refuses to write into a directory that holds anything.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::cli::{describe, expect_code, liuhen, scratch};
use liuhen::bundle::{BundleFindingKind, MediaStatus};
use liuhen::media::{digest_reader, verify_media, MediaStore, MediaVerifyOptions};
use liuhen::model::Event;
use liuhen::store::file::FileStore;
use liuhen::store::StoreRead;
use liuhen::vault::{DestructionCertificate, Vault};
use liuhen::verify::{FindingKind, Verdict, VerifyOptions};
use liuhen::{Ledger, LedgerOptions, ManualClock, Signer, Timestamp};

/// The cases of the story.
const INSPECTION: &str = "金民执〔2026〕12号";
const PENALTY: &str = "金民罚〔2026〕3号";
const SEIZURE: &str = "金民强〔2026〕1号";
/// The seizure's party, whose name the demo erases ten years on.
const ERASED: &str = "张某某（“大连某某国学研究会”组织者，该会未经登记）";
/// The penalty's party, whose name the bundle discloses and the vault keeps.
const PENALTY_PARTY: &str = "大连金普新区某某职业技能培训学校";

/// Verifies the ledger directory at `dir` with the library alone: the file store against the
/// verifier key, then the segment chains and every media file.
fn verify_with_library(dir: &Path) -> liuhen::Report {
    let vkey = liuhen::keyfile::read_verifier_key(&dir.join("ledger.vkey")).unwrap();
    let store = FileStore::open_read_only(dir.join("ledger")).unwrap();
    let options = VerifyOptions {
        trusted_key: Some(vkey),
        ..VerifyOptions::default()
    };
    let mut report = liuhen::verify_store(&store, &options);
    let media = MediaStore::open(dir.join("media")).unwrap();
    report.add_findings(verify_media(
        &store,
        Some(&media),
        &MediaVerifyOptions::default(),
    ));
    report
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Every regular file under `dir`.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for item in fs::read_dir(&d).unwrap() {
            let path = item.unwrap().path();
            let kind = fs::symlink_metadata(&path).unwrap().file_type();
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() {
                out.push(path);
            }
        }
    }
    out
}

/// The files under `dir` whose bytes contain `text` (UTF-8).
fn files_holding(dir: &Path, text: &str) -> Vec<PathBuf> {
    let needle = text.as_bytes();
    files_under(dir)
        .into_iter()
        .filter(|p| {
            fs::read(p)
                .unwrap()
                .windows(needle.len())
                .any(|w| w == needle)
        })
        .collect()
}

/// Every entry of the ledger in `dir`, decoded, with its sequence number.
fn entries(dir: &Path) -> Vec<(u64, liuhen::Entry)> {
    let store = FileStore::open_read_only(dir.join("ledger")).unwrap();
    (0..store.size())
        .map(|seq| {
            let bytes = store.entry_bytes(seq).unwrap();
            (seq, liuhen::Entry::from_bytes(&bytes).unwrap())
        })
        .collect()
}

#[test]
fn demo_writes_a_verified_ledger_directory_and_catches_every_tampering() {
    let dir = scratch("demo").join("jinpu");
    let out = liuhen(["demo".as_ref(), dir.as_os_str()]);
    let story = expect_code(&out, 0);

    // Every act was told, and every tampering was reported caught, none missed.
    for act in 1..=11 {
        assert!(
            story.contains(&format!("Act {act} ·")),
            "act {act} missing:\n{story}"
        );
    }
    for (label, kind) in [
        ("(a)", "malformed"),
        ("(a)", "bad_signature"),
        ("(b)", "malformed"),
        ("(b)", "sequence"),
        ("(c)", "media_swapped"),
        ("(d)", "media_missing"),
        // Act 9, the informed attacker (issue 11).
        ("(e)", "replay"),
        ("(f)", "wrong_ledger"),
        ("(g)", "nothing signed"),
        ("(h)", "store_file_missing"),
        ("(h)", "checkpoints_deleted"),
        ("(i)", "media_not_regular"),
        ("(j)", "case_entries_omitted"),
        ("(k)", "media_altered"),
    ] {
        assert!(
            story.contains(label),
            "tampering {label} not told:\n{story}"
        );
        assert!(
            story
                .lines()
                .any(|l| l.contains("✓ caught") && l.contains(kind)),
            "no line says {kind} was caught:\n{story}"
        );
    }
    // The deletion meant for the seal to bless: refused from entry 0 and, re-chained, by the
    // signer's state; nothing signed either time.
    let refused: Vec<&str> = story
        .lines()
        .filter(|l| l.contains("✓ caught") && l.contains("nothing signed"))
        .collect();
    assert_eq!(refused.len(), 2, "{story}");
    assert!(
        refused[1].contains("re-chained") && refused[1].contains("this key last sealed"),
        "{story}"
    );
    assert_eq!(story.matches("✓ caught").count(), 15, "{story}");
    assert!(!story.contains('✗'), "{story}");
    assert!(
        story.lines().count() <= 104,
        "the story is too long:\n{story}"
    );
    // Personal data is never printed: the story names cases, not people.
    for name in [ERASED, PENALTY_PARTY] {
        assert!(!story.contains(name), "{name} printed:\n{story}");
    }
    // The lapses are told as lapses, with the articles an audit will cite.
    for article in ["Art. 14(1)", "Art. 14(4)", "Art. 16", "Art. 18(1)"] {
        assert!(
            story
                .lines()
                .any(|l| l.trim_start().starts_with('!') && l.contains(article)),
            "no lapse under {article}:\n{story}"
        );
    }
    // The story ends with what to run next and where the files are.
    let bundle = dir.join("penalty-3.bundle");
    for command in [
        format!("liuhen verify {}", dir.display()),
        format!("liuhen log {} --case", dir.display()),
        format!("liuhen audit {}", dir.display()),
        format!("liuhen bundle verify {}", bundle.display()),
    ] {
        assert!(story.contains(&command), "no `{command}`:\n{story}");
    }

    // The directory is a ledger directory in the CLI layout.
    assert!(dir.join("ledger").join("entries.log").is_file());
    assert!(dir.join("media").is_dir());
    assert!(dir.join("ledger.vkey").is_file());
    assert!(dir.join("checkpoint.txt").is_file());
    // Issue 16: the checkpoint carries the local witness's cosignature, verified with the
    // witness.vkey written beside ledger.vkey (and the policy naming both).
    let note =
        liuhen::checkpoint::SignedCheckpoint::parse(&fs::read(dir.join("checkpoint.txt")).unwrap())
            .unwrap();
    let witness = liuhen::keyfile::read_verifier_key(&dir.join("witness.vkey")).unwrap();
    assert!(liuhen::checkpoint::verify_cosignature(&note, &witness).is_ok());
    let policy = liuhen::policy::read_policy(&dir.join("witness.policy")).unwrap();
    assert!(policy.check(&note).unwrap().met);
    assert!(
        story.contains("cosigned by the city justice bureau's witness"),
        "{story}"
    );
    assert!(dir.join("report.json").is_file());
    assert!(fs::read_dir(dir.join("proofs")).unwrap().count() >= 2);

    // Secret keys are readable by the owner only.
    let keys: Vec<_> = fs::read_dir(dir.join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(keys.len() >= 5, "{keys:?}");
    #[cfg(unix)]
    for path in &keys {
        assert_eq!(mode(path), 0o600, "{}", path.display());
    }
    for key in &keys {
        liuhen::keyfile::read_secret_key(key).unwrap();
    }

    // The vault is the library's: a 0700 directory of 0600 files, one per opening, named by the
    // commitment's hex, and one tombstone for the erased name; no stand-in file, no leftovers.
    let vault_dir = dir.join("vault");
    #[cfg(unix)]
    assert_eq!(mode(&vault_dir), 0o700);
    let names: Vec<String> = fs::read_dir(&vault_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let hex = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    let records = names.iter().filter(|n| hex(n)).count();
    let tombstones = names
        .iter()
        .filter(|n| n.strip_suffix(".erased").is_some_and(hex))
        .count();
    assert!(records >= 5, "{names:?}");
    assert_eq!(tombstones, 1, "{names:?}");
    assert_eq!(records + tombstones, names.len(), "{names:?}");
    #[cfg(unix)]
    for name in &names {
        assert_eq!(mode(&vault_dir.join(name)), 0o600, "{name}");
    }
    let vault = Vault::open(&vault_dir).unwrap();
    let store = FileStore::open_read_only(dir.join("ledger")).unwrap();
    let penalty = vault.case_openings_untraced(&store, PENALTY).unwrap();
    assert!(penalty.erased.is_empty() && penalty.missing.is_empty());
    let mut fields: Vec<_> = penalty
        .openings
        .iter()
        .map(|o| (o.field.as_str(), o.value.as_str()))
        .collect();
    fields.sort_unstable();
    assert_eq!(fields.len(), 2, "the party and the recipient");
    assert_eq!(fields[0], ("party.name", PENALTY_PARTY));
    assert_eq!(fields[1].0, "recipient.name");
    // The inspection's party is kept (preservation order); the seizure's is erased.
    let inspection = vault.case_openings_untraced(&store, INSPECTION).unwrap();
    assert!(inspection.erased.is_empty() && inspection.missing.is_empty());
    assert_eq!(inspection.openings.len(), 2, "the party and the requester");
    let seizure = vault.case_openings_untraced(&store, SEIZURE).unwrap();
    assert!(seizure.openings.is_empty() && seizure.missing.is_empty());
    let [(erased_commitment, erased_seq)] = seizure.erased[..] else {
        panic!("{:?}", seizure.erased);
    };
    let all = entries(&dir);
    match &all[erased_seq as usize].1.statement.statement.event {
        Event::Erased { commitment, .. } => assert_eq!(*commitment, erased_commitment),
        other => panic!("entry {erased_seq} is {}", other.name()),
    }

    // The erased name is in no file under the directory, while the names kept are where they
    // belong (so that the search is known to see them).
    assert_eq!(files_holding(&dir, ERASED), Vec::<PathBuf>::new());
    let holding = files_holding(&dir, PENALTY_PARTY);
    assert!(
        holding.iter().any(|p| p.starts_with(&vault_dir)),
        "{holding:?}"
    );
    assert!(holding.contains(&bundle), "{holding:?}");

    // The destruction certificate opens with the office's vkey and agrees with the ledger.
    let text = fs::read_to_string(dir.join("erasure").join("certificate.txt")).unwrap();
    let office =
        liuhen::keyfile::read_verifier_key(&dir.join("erasure").join("office.vkey")).unwrap();
    let certificate = DestructionCertificate::open(&text, &office).unwrap();
    assert_eq!(certificate.items.len(), 1);
    assert_eq!(certificate.items[0].commitment, erased_commitment);
    assert_eq!(certificate.items[0].seq, erased_seq);
    let reader = Ledger::open(
        FileStore::open_read_only(dir.join("ledger")).unwrap(),
        Arc::new(ManualClock::new(Timestamp(0))),
        LedgerOptions::default(),
    )
    .unwrap();
    certificate
        .check_against_with_approver(&reader, &office)
        .unwrap();
    // Another key cannot pass for the office's.
    let stranger = liuhen::checkpoint::NoteVerifier::for_key(
        office.name(),
        liuhen::SecretKey::generate().unwrap().public_key(),
    )
    .unwrap();
    assert!(DestructionCertificate::open(&text, &stranger).is_err());

    // The bundle verifies with the ledger's vkey alone: the penalty case, its media and its
    // openings; the disclosure entry names the bundle's BLAKE3; the tampered copy fails.
    let vkey = liuhen::keyfile::read_verifier_key(&dir.join("ledger.vkey")).unwrap();
    #[cfg(unix)]
    assert_eq!(mode(&bundle), 0o600);
    let report = liuhen::bundle::verify(fs::File::open(&bundle).unwrap(), &vkey).unwrap();
    assert_eq!(report.verdict, Verdict::Verified, "{:#?}", report.findings);
    assert_eq!(report.case_no, PENALTY);
    assert!(report.case_entries >= 10, "{}", report.case_entries);
    assert!(report.media.len() >= 7, "{:?}", report.media);
    assert!(report
        .media
        .iter()
        .all(|m| m.status == MediaStatus::Verified));
    assert_eq!(report.openings.len(), 2);
    assert!(report
        .openings
        .iter()
        .any(|o| o.field == "party.name" && o.value == PENALTY_PARTY));
    let digest = digest_reader(
        fs::File::open(&bundle).unwrap(),
        "application/octet-stream",
        "b",
    )
    .unwrap()
    .digest;
    let disclosures: Vec<_> = all
        .iter()
        .filter_map(|(seq, e)| match &e.statement.statement.event {
            Event::RecordDisclosed { case_no, what, .. } if case_no == PENALTY => {
                Some((*seq, what.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(disclosures.len(), 1, "{disclosures:?}");
    // The disclosure names the bundle first, then each media file the bundle carries (as
    // `liuhen bundle export` always did; the demo now exports through the same traced call).
    assert_eq!(disclosures[0].1.first(), Some(&digest));
    assert_eq!(disclosures[0].1.len(), 1 + report.media.len());
    assert!(
        story.contains(&format!("entry {}", disclosures[0].0))
            && story.contains(&digest.to_hex()[..16]),
        "the story names the disclosure entry and the bundle's digest:\n{story}"
    );
    let altered = dir.join("tampered").join("penalty-3-altered.bundle");
    let report = liuhen::bundle::verify(fs::File::open(&altered).unwrap(), &vkey).unwrap();
    assert_eq!(report.verdict, Verdict::Tampered);
    assert!(report.has(BundleFindingKind::Ledger(FindingKind::MediaAltered)));

    // The library, given only the verifier key, verifies the directory clean: every entry,
    // checkpoint, segment chain and media file, the lapses of act 6 notwithstanding.
    let report = verify_with_library(&dir);
    assert_eq!(report.verdict, Verdict::Verified, "{:#?}", report.findings);
    assert!(report.entries > 60, "{}", report.entries);
    assert_eq!(report.checkpoints_verified, report.checkpoints);
    assert_eq!(
        report.latest_verified.as_ref().map(|c| c.size),
        Some(store.size()),
        "the last checkpoint covers every entry"
    );
    // report.json and checkpoint.txt describe the directory as the demo leaves it, erasure
    // included, not as it was in act 7.
    let saved: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(saved["verdict"], "verified");
    assert_eq!(saved["entries"], store.size());
    let checkpoint = fs::read_to_string(dir.join("checkpoint.txt")).unwrap();
    assert_eq!(
        checkpoint.lines().nth(1),
        Some(store.size().to_string().as_str())
    );

    // Every media file the ledger references is in the media store, and nothing else is.
    let media = MediaStore::open(dir.join("media")).unwrap();
    let mut referenced = std::collections::HashSet::new();
    for (_, entry) in &all {
        match &entry.statement.statement.event {
            Event::DocumentFiled { media: m, .. } | Event::SegmentSealed { media: m, .. } => {
                referenced.insert(m.digest);
            }
            Event::DecisionMade { document, .. } => {
                referenced.insert(document.digest);
            }
            Event::DerivativeMade { derivative, .. } => {
                referenced.insert(derivative.digest);
            }
            _ => {}
        }
    }
    for digest in &referenced {
        assert!(media.contains(digest), "media {digest} is not stored");
    }
    let stored = fs::read_dir(dir.join("media"))
        .unwrap()
        .map(|shard| fs::read_dir(shard.unwrap().path()).unwrap().count())
        .sum::<usize>();
    assert_eq!(stored, referenced.len());

    // The tampered copies are where the story says, and each one fails verification.
    for copy in [
        "a-edited-entry",
        "a-edited-entry-rebuilt",
        "b-deleted-entry",
        "b-deleted-entry-rebuilt",
        "c-swapped-segments",
        "d-deleted-media",
    ] {
        let path = dir.join("tampered").join(copy);
        let report = verify_with_library(&path);
        assert_eq!(report.verdict, Verdict::Tampered, "{copy}");
    }

    // Act 9's copies, through the binary as an auditor meets them. Destruction is tampering
    // (exit 1) with the finding named, never an I/O error.
    let verify_copy = |copy: &str, code: i32| -> serde_json::Value {
        let path = dir.join("tampered").join(copy);
        let vkey = path.join("ledger.vkey");
        let out = liuhen([
            "verify".as_ref(),
            path.as_os_str(),
            "--vkey".as_ref(),
            vkey.as_os_str(),
            "--json".as_ref(),
        ]);
        serde_json::from_str(&expect_code(&out, code)).unwrap()
    };
    let kinds = common::cli::finding_kinds;
    for (copy, kind) in [
        ("h-checkpoint-files-deleted", "store_file_missing"),
        ("h-checkpoints-emptied", "checkpoints_deleted"),
        ("i-media-not-files", "media_not_regular"),
    ] {
        let report = verify_copy(copy, 1);
        assert_eq!(report["verdict"], "tampered", "{copy}: {report:#}");
        assert!(
            kinds(&report).iter().any(|k| k == kind),
            "{copy}: {report:#}"
        );
    }
    // The replay was refused: the copy it was offered to still verifies, sealed up to its last
    // entry (a replay admitted would be an unsealed entry, exit 4); exit 2 is the audit's, for
    // the lapses of act 6.
    let replayed = verify_copy("e-replayed-grant", 2);
    assert_eq!(replayed["verdict"], "verified", "{replayed:#}");
    // The seal signed nothing over the deletion: the re-chained copy's entries after the last
    // checkpoint the attacker kept are still unsealed (exit 4; the deletion is what only the
    // signer's state, or a checkpoint saved elsewhere, can show).
    let rechained = verify_copy("g-deletion-rechained", 4);
    assert_eq!(kinds(&rechained), ["unsealed"], "{rechained:#}");
    assert_eq!(
        rechained["entries"].as_u64().unwrap() + 1,
        replayed["entries"].as_u64().unwrap(),
        "one entry deleted: {rechained:#}"
    );
    // The bundle with the hearing report stripped: the case's back-links show it.
    let stripped = dir.join("tampered").join("penalty-3-stripped.bundle");
    let vkey_path = dir.join("ledger.vkey");
    let out = liuhen([
        "bundle".as_ref(),
        "verify".as_ref(),
        stripped.as_os_str(),
        "--vkey".as_ref(),
        vkey_path.as_os_str(),
        "--json".as_ref(),
    ]);
    let report: serde_json::Value = serde_json::from_str(&expect_code(&out, 1)).unwrap();
    assert_eq!(kinds(&report), ["case_entries_omitted"], "{report:#}");
}

#[test]
fn demo_refuses_a_directory_that_is_not_empty() {
    let dir = scratch("demo-not-empty");
    fs::write(dir.join("notes.txt"), "mine").unwrap();
    let out = liuhen(["demo".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&dir.display().to_string()) && err.contains("not empty"),
        "{err}"
    );
    // Nothing was written next to the file that was there.
    let names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["notes.txt"]);
    assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
}

#[test]
fn demo_into_an_empty_directory_works_and_twice_does_not() {
    let dir = scratch("demo-twice");
    let first = liuhen(["demo".as_ref(), dir.as_os_str()]);
    expect_code(&first, 0);
    let second = liuhen(["demo".as_ref(), dir.as_os_str()]);
    assert_eq!(second.status.code(), Some(3), "{}", describe(&second));
    // The first run's ledger is untouched by the refused second run.
    assert_eq!(verify_with_library(&dir).verdict, Verdict::Verified);
}

/// The audit of the demo finds exactly the four lapses of act 6 — Art. 14(1), 14(4), 16 and 18 —
/// in the human, JSON and HTML reports, and nothing in the other cases.
#[test]
fn audit_of_the_demo_reports_exactly_the_staged_lapses() {
    let dir = scratch("demo-audit").join("jinpu");
    expect_code(&liuhen(["demo".to_string(), dir.display().to_string()]), 0);
    let d = dir.display().to_string();
    let vkey = dir.join("ledger.vkey").display().to_string();
    let as_of = "2026-04-01T00:00:00+08:00";
    let expected = [
        ("art14-1.notified", "Art. 14(1)"),
        ("art14-4.gap", "Art. 14(4)"),
        ("art16.archived", "Art. 16"),
        ("art18.preservation", "Art. 18"),
    ];

    let out = liuhen(["audit", &d, "--vkey", &vkey, "--as-of", as_of]);
    let text = expect_code(&out, 2);
    for (_, article) in expected {
        assert!(
            text.contains(&format!("[违规 violation] {article} ")),
            "{article}:\n{text}"
        );
    }
    assert!(text.contains("4 violations"), "{text}");

    let out = liuhen(["audit", &d, "--vkey", &vkey, "--as-of", as_of, "--json"]);
    let report: serde_json::Value = serde_json::from_str(&expect_code(&out, 2)).unwrap();
    let mut rules: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["article"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    rules.sort();
    let want: Vec<(String, String, String)> = expected
        .iter()
        .map(|(r, a)| (r.to_string(), a.to_string(), "violation".to_string()))
        .collect();
    assert_eq!(rules, want, "{report:#}");
    let text = report.to_string();
    assert!(
        text.contains("金民执〔2026〕15号"),
        "the lapses are in case 15"
    );

    let html = dir.parent().unwrap().join("audit.html");
    let out = liuhen([
        "audit",
        &d,
        "--vkey",
        &vkey,
        "--as-of",
        as_of,
        "--html",
        &html.display().to_string(),
    ]);
    expect_code(&out, 2);
    let page = fs::read_to_string(&html).unwrap();
    for (rule, article) in expected {
        assert!(
            page.contains(rule) && page.contains(article),
            "{rule} not in the HTML"
        );
    }
    assert!(
        !page.contains("<script"),
        "the report is self-contained and script-free"
    );
}
