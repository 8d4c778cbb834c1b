//! The vault of personal data: erasure that leaves the ledger verifiable and the value nowhere
//! on disk, erasure refused under retention or a preservation order, completion after a crash
//! between the `Erased` entry and the destruction, disclosure limited to one case, and no
//! statement encoding ever carrying a sealed value in clear.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use common::dir::files_containing;
use common::{keys, media, Built, Keys, LedgerBuilder, ORIGIN, T0};
use liuhen::checkpoint::NoteVerifier;
use liuhen::commitment::ValueError;
use liuhen::entry::{Entry, SignedStatement};
use liuhen::hash::Digest;
use liuhen::media::PurgeBlock;
use liuhen::model::*;
use liuhen::store::file::FileStore;
use liuhen::store::StoreRead;
use liuhen::vault::{Vault, VaultError};
use liuhen::verify::{verify_store, Verdict, VerifyOptions};
use liuhen::{Clock, Ledger, ManualClock, Signer};
use proptest::prelude::*;

const DAY: i64 = 86_400_000;
const PARTY: &str = "大连金普某某养老服务中心 法定代表人 王某某 身份证 210213197001011234";

fn scratch(name: &str) -> PathBuf {
    common::dir::tmp_dir(&format!("vault-{name}"))
}

struct Fixture {
    dir: PathBuf,
    ledger: Ledger<FileStore>,
    vault: Vault,
    clock: Arc<ManualClock>,
    k: Keys,
}

fn fixture(name: &str) -> Fixture {
    let dir = scratch(name);
    let Built { ledger, k, clock } = LedgerBuilder::new()
        .officer()
        .file_store(dir.join("ledger"))
        .build();
    let vault = Vault::create(dir.join("vault")).unwrap();
    Fixture {
        dir,
        ledger,
        vault,
        clock,
        k,
    }
}

/// The officer erases `subject` on the data-protection officer's authority.
fn erase(f: &mut Fixture, subject: &Sealed) -> Result<u64, VaultError> {
    f.vault
        .erase(&mut f.ledger, subject, "个人信息保护负责人", &f.k.officer)
}

/// Erasing `subject` must be refused, for a reason `block` accepts, with nothing appended:
/// the error.
fn assert_erasure_refused(
    f: &mut Fixture,
    subject: &Sealed,
    block: impl Fn(&PurgeBlock) -> bool,
) -> VaultError {
    let size = f.ledger.size();
    let err = erase(f, subject).unwrap_err();
    assert!(
        matches!(&err, VaultError::ErasureRefused { block: b, .. } if block(b)),
        "{err}"
    );
    assert_eq!(f.ledger.size(), size);
    err
}

/// Opens case `case_no` for the party `value` (sealed through the vault) and closes it with
/// records kept for `keep_days` from now. Returns the commitment.
fn case(f: &mut Fixture, case_no: &str, value: &str, keep_days: i64) -> Sealed {
    let subject = f.vault.commit("party.name", value).unwrap();
    f.clock.advance(1_000);
    f.ledger
        .sign_and_append(
            &f.k.officer,
            Event::CaseOpened {
                case_no: case_no.into(),
                act: ActKind::Inspection,
                matter: "社会组织年度检查 annual inspection".into(),
                unit: "金普新区民政局".into(),
                subject,
            },
        )
        .unwrap();
    f.ledger
        .sign_and_append(
            &f.k.officer,
            Event::DocumentFiled {
                case_no: case_no.into(),
                stage: Stage::Investigation,
                kind: DocumentKind::InvestigationRecord,
                media: media(&format!("{case_no}-record.pdf"), "application/pdf"),
                officers: vec!["21020001".into()],
            },
        )
        .unwrap();
    let until = Timestamp(f.clock.now().0 + keep_days * DAY);
    f.ledger
        .sign_and_append(
            &f.k.officer,
            Event::CaseClosed {
                case_no: case_no.into(),
                outcome: "未发现违法 no violation".into(),
                file_retention: Retention::Until(until),
            },
        )
        .unwrap();
    subject
}

fn vkey(k: &Keys) -> NoteVerifier {
    NoteVerifier::for_key(ORIGIN, k.ledger.public_key()).unwrap()
}

fn verdict(f: &mut Fixture) -> Verdict {
    f.ledger.seal(&f.k.ledger).unwrap();
    let store = FileStore::open_read_only(f.dir.join("ledger")).unwrap();
    let options = VerifyOptions {
        trusted_key: Some(vkey(&f.k)),
        ..VerifyOptions::default()
    };
    let report = verify_store(&store, &options);
    assert!(
        report.findings.is_empty(),
        "unexpected findings: {:?}",
        report.findings
    );
    report.verdict
}

#[test]
fn erasure_leaves_no_trace_of_the_value_and_the_ledger_verifies() {
    let mut f = fixture("erase");
    let subject = case(&mut f, "金民检〔2026〕1号", PARTY, 30);
    let keep = case(&mut f, "金民检〔2026〕2号", "另一当事人 another party", 30);
    assert_eq!(
        files_containing(&f.dir, PARTY.as_bytes()).len(),
        1,
        "before erasure the value is in the vault record, and only there"
    );

    // Retention runs: refused, nothing appended.
    assert_erasure_refused(&mut f, &subject, |b| {
        matches!(b, PurgeBlock::Retention { .. })
    });

    // After retention, a preservation order (Art. 18) still forbids it.
    f.clock.advance(31 * DAY);
    let order = f
        .ledger
        .sign_and_append(
            &f.k.officer,
            Event::PreservationOrdered {
                case_no: "金民检〔2026〕1号".into(),
                trigger: PreservationTrigger::Litigation,
            },
        )
        .unwrap();
    assert_erasure_refused(
        &mut f,
        &subject,
        |b| matches!(b, PurgeBlock::Preservation { seq, .. } if *seq == order.seq),
    );
    f.ledger
        .sign_and_append(
            &f.k.officer,
            Event::PreservationReleased {
                case_no: "金民检〔2026〕1号".into(),
                approved_by: "法制审核科".into(),
            },
        )
        .unwrap();

    let seq = erase(&mut f, &subject).unwrap();
    let entry = Entry::from_bytes(&f.ledger.store().entry_bytes(seq).unwrap()).unwrap();
    assert_eq!(
        entry.statement.statement.event,
        Event::Erased {
            commitment: subject,
            authority: "个人信息保护负责人".into()
        }
    );
    assert!(
        files_containing(&f.dir, PARTY.as_bytes()).is_empty(),
        "the erased value is still on disk"
    );
    assert!(matches!(
        f.vault.get_untraced(&subject),
        Err(VaultError::Erased { seq: s, .. }) if s == seq
    ));
    // Erasing again is idempotent: no second entry.
    let size = f.ledger.size();
    assert_eq!(
        f.vault
            .erase(&mut f.ledger, &subject, "个人信息保护负责人", &f.k.officer)
            .unwrap(),
        seq
    );
    assert_eq!(f.ledger.size(), size);
    // The other party's data is untouched; the erased value cannot be put back.
    assert_eq!(
        f.vault.get_untraced(&keep).unwrap().value,
        "另一当事人 another party"
    );
    assert_eq!(verdict(&mut f), Verdict::Verified);
}

#[test]
fn a_crash_between_the_erased_entry_and_the_destruction_is_finished_later() {
    let mut f = fixture("crash");
    let subject = case(&mut f, "金民检〔2026〕3号", PARTY, 1);
    f.clock.advance(2 * DAY);
    // The statement was appended, then the process died before destroying the record.
    f.ledger
        .sign_and_append(
            &f.k.officer,
            Event::Erased {
                commitment: subject,
                authority: "个人信息保护负责人".into(),
            },
        )
        .unwrap();
    assert_eq!(files_containing(&f.dir, PARTY.as_bytes()).len(), 1);
    assert_eq!(f.vault.complete_erasures(f.ledger.store()).unwrap(), 1);
    assert!(files_containing(&f.dir, PARTY.as_bytes()).is_empty());
    assert_eq!(f.vault.complete_erasures(f.ledger.store()).unwrap(), 0);
    assert_eq!(verdict(&mut f), Verdict::Verified);
}

#[test]
fn erasure_of_a_commitment_the_ledger_never_names_is_refused() {
    let mut f = fixture("unknown");
    let loose = f.vault.commit("party.name", "never used").unwrap();
    let err = f
        .vault
        .erase(&mut f.ledger, &loose, "x", &f.k.officer)
        .unwrap_err();
    assert!(matches!(err, VaultError::UnknownCommitment { .. }), "{err}");
}

#[test]
fn disclosure_of_a_case_holds_that_case_s_openings_only() {
    let mut f = fixture("disclose");
    let a = case(&mut f, "金民检〔2026〕4号", "甲方 party A", 1);
    let b = case(&mut f, "金民检〔2026〕5号", "乙方 party B", 1);
    let got = f
        .vault
        .case_openings_untraced(f.ledger.store(), "金民检〔2026〕4号")
        .unwrap();
    assert_eq!(got.openings.len(), 1);
    assert!(got.openings[0].opens(&a));
    assert!(!got.openings[0].opens(&b));
    assert!(got.erased.is_empty() && got.missing.is_empty());

    f.clock.advance(2 * DAY);
    f.vault
        .erase(&mut f.ledger, &a, "个人信息保护负责人", &f.k.officer)
        .unwrap();
    let got = f
        .vault
        .case_openings_untraced(f.ledger.store(), "金民检〔2026〕4号")
        .unwrap();
    assert!(got.openings.is_empty());
    assert_eq!(got.erased.len(), 1);
    assert_eq!(got.erased[0].0, a);
    let none = f
        .vault
        .case_openings_untraced(f.ledger.store(), "no such case")
        .unwrap();
    assert!(none.openings.is_empty() && none.erased.is_empty() && none.missing.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// No statement encoding ever contains a sealed value in clear, wherever the commitment
    /// appears (case subject, recording party, access requester, disclosure recipient).
    #[test]
    fn no_encoding_contains_a_sealed_value(value in "[\\PC]{6,40}", salt in any::<[u8; 32]>()) {
        let k = keys();
        let (sealed, opening) = liuhen::commitment::commit_with_salt("party.name", &value, salt);
        prop_assert!(opening.opens(&sealed));
        let events = vec![
            Event::CaseOpened {
                case_no: "c".into(),
                act: ActKind::Penalty,
                matter: "m".into(),
                unit: "u".into(),
                subject: sealed,
            },
            Event::RecordingStarted {
                session: "s".into(),
                case_no: "c".into(),
                device: k.device.public_key(),
                method: CaptureMethod::BodyWornRecorder,
                location: Location { place: "p".into(), landmark: Some("l".into()) },
                matter: "m".into(),
                officers: vec!["o".into()],
                party: Some(sealed),
            },
            Event::AccessRequested {
                request: "r".into(),
                case_no: "c".into(),
                requester: sealed,
                basis: "b".into(),
            },
            Event::RecordDisclosed { case_no: "c".into(), to: sealed, what: vec![Digest::ZERO] },
        ];
        for event in events {
            let st = SignedStatement::sign(Timestamp(T0), event, &k.officer).unwrap();
            let entry = Entry { seq: 7, prev: Digest::ZERO, logged_at: Timestamp(T0), case_prev: None, statement: st };
            let bytes = entry.to_bytes().unwrap();
            let needle = value.as_bytes();
            prop_assert!(!bytes.windows(needle.len()).any(|w| w == needle));
            let json = serde_json::to_string(&entry.statement).unwrap();
            prop_assert!(!json.contains(&value));
        }
    }
}

#[test]
fn destruction_certificate_verifies_offline_and_against_the_ledger() {
    use liuhen::vault::DestructionCertificate;
    let mut f = fixture("certificate");
    let a = case(&mut f, "金民检〔2026〕6号", "甲方 party A", 1);
    let b = case(&mut f, "金民检〔2026〕7号", "乙方 party B", 1);
    f.clock.advance(2 * DAY);
    // Not erased yet: no certificate.
    let now = f.ledger.now();
    assert!(DestructionCertificate::build(&f.ledger, &[a], "pipl-officer-01", now).is_err());
    let sa = erase(&mut f, &a).unwrap();
    let sb = erase(&mut f, &b).unwrap();
    let approver = liuhen::SecretKey::from_seed(&[0x55; 32]);
    let vkey = NoteVerifier::for_key("pipl-officer-01", approver.public_key()).unwrap();
    let cert = DestructionCertificate::build(&f.ledger, &[a, b], "pipl-officer-01", now).unwrap();
    assert_eq!(
        cert.items.iter().map(|i| i.seq).collect::<Vec<_>>(),
        vec![sa, sb]
    );
    let signed = cert.sign(&approver).unwrap();
    assert!(!signed.contains("party A") && !signed.contains("甲方"));
    let opened = DestructionCertificate::open(&signed, &vkey).unwrap();
    assert_eq!(opened, cert);
    opened.check_against(&f.ledger).unwrap();
    // The approver's key is not one the ledger ever authorized: not a valid approval.
    let err = opened
        .check_against_with_approver(&f.ledger, &vkey)
        .unwrap_err();
    assert!(err.to_string().contains("not registered"), "{err}");
    // Authorized after the certified size: still not an approver at that time.
    f.ledger
        .sign_and_append(
            &f.k.ledger,
            Event::KeyAuthorized {
                key: approver.public_key(),
                role: Role::Auditor,
                holder: "pipl-officer-01".into(),
            },
        )
        .unwrap();
    assert!(opened
        .check_against_with_approver(&f.ledger, &vkey)
        .is_err());
    let now = f.ledger.now();
    let later = DestructionCertificate::build(&f.ledger, &[a, b], "pipl-officer-01", now)
        .unwrap()
        .sign(&approver)
        .unwrap();
    DestructionCertificate::open(&later, &vkey)
        .unwrap()
        .check_against_with_approver(&f.ledger, &vkey)
        .unwrap();
    // The ledger grows: the certificate still checks (it is anchored at its own size).
    f.ledger.seal(&f.k.ledger).unwrap();
    opened.check_against(&f.ledger).unwrap();

    // Any edit of the text breaks the signature; another key does not verify it.
    let edited = signed.replacen(&format!(" {sa} "), &format!(" {} ", sa + 1), 1);
    assert_ne!(edited, signed);
    assert!(DestructionCertificate::open(&edited, &vkey).is_err());
    let other = NoteVerifier::for_key("pipl-officer-01", f.k.officer.public_key()).unwrap();
    assert!(DestructionCertificate::open(&signed, &other).is_err());
    // A certificate naming the wrong entry (signed anew, so only the ledger check can catch it).
    let mut wrong = cert.clone();
    wrong.items[0].seq = sb;
    let wrong = DestructionCertificate::open(&wrong.sign(&approver).unwrap(), &vkey).unwrap();
    assert!(wrong.check_against(&f.ledger).is_err());
}

/// Writes the seeds of the `vault_decode` fuzz target (`fuzz/corpus/vault_decode/`): a record
/// file, a tombstone and a signed destruction certificate, each behind the target's one-byte
/// commitment selector. Run with `cargo test --test vault -- --ignored write_fuzz_seeds`.
#[test]
#[ignore]
fn write_fuzz_seeds() {
    use liuhen::vault::DestructionCertificate;
    let mut f = fixture("fuzz-seeds");
    let subject = case(&mut f, "金民检〔2026〕9号", "丙方 party C", 1);
    let record = std::fs::read(f.vault.root().join(subject.0.to_hex())).unwrap();
    f.clock.advance(2 * DAY);
    f.vault
        .erase(&mut f.ledger, &subject, "个人信息保护负责人", &f.k.officer)
        .unwrap();
    let tomb = std::fs::read(
        f.vault
            .root()
            .join(format!("{}.erased", subject.0.to_hex())),
    )
    .unwrap();
    let approver = liuhen::SecretKey::from_seed(&[9; 32]);
    let now = f.ledger.now();
    let cert = DestructionCertificate::build(&f.ledger, &[subject], "fuzz.example/approver", now)
        .unwrap()
        .sign(&approver)
        .unwrap();
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/vault_decode");
    std::fs::create_dir_all(&out).unwrap();
    let with_pick = |b: &[u8]| [&[0u8][..], b].concat();
    std::fs::write(out.join("record"), with_pick(&record)).unwrap();
    std::fs::write(out.join("tombstone"), with_pick(&tomb)).unwrap();
    // The certificate is tried on the whole input as text.
    std::fs::write(out.join("certificate"), cert.as_bytes()).unwrap();
}

#[test]
fn erasure_during_an_open_case_and_oversized_records_are_refused() {
    let mut f = fixture("open-case");
    let subject = f.vault.commit("party.name", PARTY).unwrap();
    f.ledger
        .sign_and_append(
            &f.k.officer,
            Event::CaseOpened {
                case_no: "金民检〔2026〕8号".into(),
                act: ActKind::Inspection,
                matter: "m".into(),
                unit: "u".into(),
                subject,
            },
        )
        .unwrap();
    f.clock.advance(400 * DAY);
    let err = assert_erasure_refused(&mut f, &subject, |b| {
        matches!(b, PurgeBlock::NoRetention { .. })
    });
    assert!(err.to_string().contains("still open"), "{err}");
    assert_eq!(f.vault.get_untraced(&subject).unwrap().value, PARTY);

    let huge = "字".repeat(30_000);
    assert!(matches!(
        f.vault.commit("party.address", &huge),
        Err(VaultError::Value(ValueError::TooLong { .. }))
    ));
}
