//! The evidence list (证据清单) end to end: what a text record proves (`DocumentDescribed`,
//! decision 0009) in `liuhen audit --evidence`, the same list from a bundle's verified entries
//! (`liuhen bundle verify --evidence`), no list from a tampered bundle, and the descriptions the
//! ledger refuses — of a document of another case, of a document never filed, signed by a
//! device — through `liuhen append`, and reported by `liuhen verify` when forced in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::cli::{expect_code, expect_stderr, liuhen, liuhen_stdin, path_str, scratch, stdout};
use common::dir::{write_key_file, TestDir};
use common::{extension_scenario, play_scenario, put_media, LedgerBuilder, GOLDEN_CASE_MEDIA};
use liuhen::model::{DocumentKind, Event, Stage};
use liuhen::store::file::FileStore;
use liuhen::{SignedStatement, Signer, Timestamp};
use serde_json::json;

/// The golden scenario's case.
const CASE: &str = "金民执〔2026〕12号";
/// What the golden extension says the 现场检查笔录 proves.
const PROVES: &str = "现场检查时该组织未按规定公示年度工作报告";
/// A record filed in the case and never described.
const UNDESCRIBED: &str = "询问笔录.pdf";

const EXIT_TAMPERED: i32 = 1;
const EXIT_ERROR: i32 = 3;

struct Fixture {
    dir: PathBuf,
    key_file: PathBuf,
    work: PathBuf,
    officer: PathBuf,
    device: PathBuf,
}

/// A ledger directory holding the golden scenario, its extension (the 现场检查笔录 described:
/// 3 pages), one more record of the case that no description names and a body-cam in service,
/// sealed, with the case's media; the officer's and the body-cam's key files beside it.
fn fixture(name: &str) -> Fixture {
    let work = scratch(name);
    let dir = work.join("jinpu");
    let (t, mut b) = TestDir::create(&dir, LedgerBuilder::new());
    play_scenario(&mut b);
    let k = b.k.clone();
    for (event, author) in extension_scenario(&k) {
        b.append_after(1_000, author, event);
    }
    b.append_after(
        1_000,
        &k.officer,
        Event::DocumentFiled {
            case_no: CASE.into(),
            stage: Stage::Investigation,
            kind: DocumentKind::InvestigationRecord,
            media: common::media(UNDESCRIBED, "application/pdf"),
            officers: vec!["21020001".into()],
        },
    );
    // A body-cam still in service (the scenario retires its own).
    let device = liuhen::SecretKey::from_seed(&[0x66; 32]);
    b.append_after(
        1_000,
        &k.ledger,
        Event::KeyAuthorized {
            key: device.public_key(),
            role: liuhen::model::Role::Device,
            holder: "BWC-9999".into(),
        },
    );
    b.seal();
    drop(b);
    put_media(&t.media(), GOLDEN_CASE_MEDIA);
    put_media(&t.media(), &[UNDESCRIBED]);
    let officer = work.join("officer.key");
    write_key_file(&officer, "officer-21020001", &k.officer);
    let device_file = work.join("device.key");
    write_key_file(&device_file, "BWC-9999", &device);
    Fixture {
        dir,
        key_file: t.key_file.clone(),
        work,
        officer,
        device: device_file,
    }
}

impl Fixture {
    fn vkey(&self) -> PathBuf {
        self.dir.join("ledger.vkey")
    }

    /// `liuhen audit DIR --as-of 2026-06-01 EXTRA…` (after every golden entry, before anything
    /// appended by the binary now).
    fn audit(&self, extra: &[&str]) -> Output {
        self.audit_as_of("2026-06-01T00:00:00Z", extra)
    }

    fn audit_as_of(&self, as_of: &str, extra: &[&str]) -> Output {
        let mut args = vec!["audit", path_str(&self.dir), "--as-of", as_of];
        args.extend_from_slice(extra);
        liuhen(args)
    }

    /// `liuhen bundle export` of the case (signed by the officer) to `name`, with media.
    fn export(&self, name: &str) -> PathBuf {
        let bundle = self.work.join(name);
        let out = liuhen([
            "bundle",
            "export",
            path_str(&self.dir),
            "--case",
            CASE,
            "--with-media",
            "--key-file",
            path_str(&self.officer),
            "--to",
            "大连市中级人民法院",
            "-o",
            path_str(&bundle),
        ]);
        expect_code(&out, 0);
        bundle
    }

    /// `liuhen bundle verify BUNDLE --vkey V --evidence EXTRA…`.
    fn bundle_evidence(&self, bundle: &Path, extra: &[&str]) -> Output {
        let vkey = self.vkey();
        let mut args = vec![
            "bundle",
            "verify",
            path_str(bundle),
            "--vkey",
            path_str(&vkey),
            "--evidence",
        ];
        args.extend_from_slice(extra);
        liuhen(args)
    }

    /// `liuhen append DIR --sign-with KEY` of one event (time: now).
    fn append(&self, key: &Path, event: serde_json::Value) -> Output {
        let input = json!({ "event": event }).to_string() + "\n";
        liuhen_stdin(
            ["append", path_str(&self.dir), "--sign-with", path_str(key)],
            input.as_bytes(),
        )
    }

    fn size(&self) -> u64 {
        FileStore::open_read_only(self.dir.join("ledger"))
            .unwrap()
            .size()
    }
}

fn digest_of(name: &str) -> String {
    common::media(name, "application/pdf").digest.to_hex()
}

fn described(case_no: &str, document: &str) -> serde_json::Value {
    json!({"DocumentDescribed": {
        "case_no": case_no, "document": document, "proves": "当事人拒绝提供会计账簿", "pages": 2
    }})
}

/// The CSV line of the item whose name starts with `name`.
fn line_of<'a>(csv: &'a str, name: &str) -> &'a str {
    csv.lines()
        .find(|l| l.split(',').nth(1).is_some_and(|n| n.starts_with(name)))
        .unwrap_or_else(|| panic!("no line for {name} in:\n{csv}"))
}

/// The audit's list says what the described record proves and its pages; the record without a
/// description says 未记载; a court holding only the bundle gets the same list, byte for byte.
#[test]
fn described_record_in_the_audit_and_the_bundle_lists() {
    let f = fixture("evidence-described");
    let audit = f.audit(&["--evidence", CASE, "--csv"]);
    let csv = stdout(&audit);
    assert!(
        csv.starts_with("序号,名称,来源,证明对象,时长/页数,"),
        "{csv}"
    );
    let described = line_of(&csv, "现场检查笔录.pdf");
    assert!(described.contains(&format!(",{PROVES},3页,")), "{csv}");
    assert!(described.contains(&digest_of("现场检查笔录.pdf")), "{csv}");
    let bare = line_of(&csv, UNDESCRIBED);
    assert!(
        bare.contains(",未记载（文字记录未载明证明对象）,—,"),
        "{csv}"
    );
    let text = stdout(&f.audit(&["--evidence", CASE]));
    assert!(text.contains(PROVES) && text.contains("3页"), "{text}");

    let bundle = f.export("case-12.bundle");
    let from_bundle = expect_code(&f.bundle_evidence(&bundle, &["--csv"]), 0);
    assert_eq!(from_bundle, csv, "one list, from the ledger or the bundle");
    let text = expect_code(&f.bundle_evidence(&bundle, &[]), 0);
    assert!(
        text.starts_with(&format!("证据清单 evidence list — {CASE}\n")),
        "{text}"
    );
    assert!(text.contains(PROVES), "{text}");

    // The HTML report carries the list with the same words.
    let html_path = f.work.join("report.html");
    let _ = f.audit(&["--html", path_str(&html_path)]);
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("时长/页数"), "HTML evidence list header");
    assert!(
        html.contains(PROVES) && html.contains("3页"),
        "HTML evidence list"
    );
    // The timeline names the description in Chinese, with what it says.
    assert!(html.contains("载明证明对象"), "HTML timeline");
    assert!(html.contains("offered to prove"), "HTML timeline detail");
}

/// A bundle whose bytes were changed prints no list: the report goes to standard error, exit 1.
#[test]
fn tampered_bundle_prints_no_evidence_list() {
    let f = fixture("evidence-tampered");
    let bundle = f.export("case-12.bundle");
    let mut bytes = std::fs::read(&bundle).unwrap();
    *bytes.last_mut().unwrap() ^= 0x01;
    let tampered = f.work.join("tampered.bundle");
    std::fs::write(&tampered, &bytes).unwrap();
    for extra in [&[][..], &["--csv"][..]] {
        let out = f.bundle_evidence(&tampered, extra);
        let err = expect_stderr(&out, EXIT_TAMPERED, &["TAMPERED", "no evidence list"]);
        assert!(stdout(&out).is_empty(), "no list: {}", stdout(&out));
        assert!(!err.contains(PROVES), "{err}");
    }
    // --csv is the format of --evidence.
    let vkey = f.vkey();
    let out = liuhen([
        "bundle",
        "verify",
        path_str(&bundle),
        "--vkey",
        path_str(&vkey),
        "--csv",
    ]);
    expect_code(&out, EXIT_ERROR);
}

/// The ledger refuses a description of a document of another case, of a document never filed,
/// and one signed by a device key; the officer's description of the case's own record is
/// admitted and then counts.
#[test]
fn descriptions_the_ledger_refuses() {
    let f = fixture("evidence-refused");
    let size = f.size();
    let filed = digest_of(UNDESCRIBED);
    for (key, event, says) in [
        (
            &f.officer,
            described("金民罚〔2026〕99号", &filed),
            "it was filed in case 金民执〔2026〕12号",
        ),
        (
            &f.officer,
            described(CASE, &digest_of("从未入卷.pdf")),
            "no case filed it",
        ),
        (
            &f.device,
            described(CASE, &filed),
            "may not author DocumentDescribed",
        ),
    ] {
        let out = f.append(key, event);
        expect_stderr(&out, EXIT_ERROR, &[says]);
        assert_eq!(f.size(), size, "nothing was appended");
    }
    expect_code(&f.append(&f.officer, described(CASE, &filed)), 0);
    expect_code(
        &liuhen([
            "seal",
            path_str(&f.dir),
            "--key-file",
            path_str(&f.key_file),
        ]),
        0,
    );
    let csv = stdout(&f.audit_as_of("2099-01-01T00:00:00Z", &["--evidence", CASE, "--csv"]));
    assert!(
        line_of(&csv, UNDESCRIBED).contains(",当事人拒绝提供会计账簿,2页,"),
        "{csv}"
    );
}

/// A description of a document never filed, forced into the store past the writer, is
/// tampering for the verifier (the one admission rule).
#[test]
fn forced_description_is_reported_by_verify() {
    let f = fixture("evidence-forced");
    let k = common::keys();
    let mut store = FileStore::open(f.dir.join("ledger")).unwrap();
    let event: Event = serde_json::from_value(described(CASE, &digest_of("从未入卷.pdf"))).unwrap();
    let now = Timestamp(common::T0 + 3_600_000);
    let binding = common::forge::state_of(&store)
        .next_binding(&k.officer.public_key())
        .unwrap();
    let statement = SignedStatement::sign_bound(binding, now, event, &k.officer).unwrap();
    let seq = common::forge::inject(&mut store, statement, now);
    common::forge::seal(&mut store, common::ORIGIN, &k.ledger);
    drop(store);
    let vkey = f.vkey();
    let out = liuhen([
        "verify",
        path_str(&f.dir),
        "--vkey",
        path_str(&vkey),
        "--json",
        "--no-audit",
    ]);
    let report = common::cli::json(&expect_code(&out, EXIT_TAMPERED));
    assert!(
        common::cli::finding_kinds(&report).contains(&"document_not_filed".to_string()),
        "{report:#}"
    );
    assert!(
        report.to_string().contains(&format!("entry {seq}")),
        "{report:#}"
    );
}
