//! `liuhen audit` end to end: the real binary on ledger directories built with the library —
//! human, JSON and HTML reports, exit codes 0 (compliant), 2 (violations), 1 (tampered) and 3
//! (errors), profiles, `--as-of`, and the HTML rendered by headless Chromium where installed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::cli::{expect_code, liuhen, scratch};
use common::{Built, Keys, LedgerBuilder, T0};
use liuhen::commitment::commit_with_salt;
use liuhen::hash::blake3;
use liuhen::model::*;
use liuhen::store::file::{FileStore, ENTRY_LOG_FILE};
use liuhen::{Ledger, ManualClock, Signer};

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;

/// The ledger's clock reading 2026-01-03T00:00:00Z, long after everything below: as-of time
/// of the tests, so that every deadline has passed.
const AS_OF: &str = "2026-01-05T00:00:00Z";

const CASE_OK: &str = "金民执〔2026〕1号";
const CASE_AV: &str = "金民强〔2026〕2号";
const CASE_OBJ: &str = "金民罚〔2026〕3号";
const CASE_EVIL: &str = "<script>alert(1)</script>";

fn media(name: &str) -> MediaRef {
    common::media_named("cli audit media", name, "application/octet-stream")
}

struct Writer {
    ledger: Ledger<FileStore>,
    clock: Arc<ManualClock>,
    k: Keys,
}

impl Writer {
    fn create(dir: &Path) -> Writer {
        let built = LedgerBuilder::new()
            .file_store(dir.join("ledger"))
            .officer()
            .device()
            // The records custodian the archives name (Art. 16).
            .authorize(
                liuhen::SecretKey::from_seed(&[0x6c; 32]).public_key(),
                Role::Custodian,
                "档案员 21020009",
            )
            .build();
        built.write_vkey(&dir.join("ledger.vkey"));
        let Built { ledger, k, clock } = built;
        Writer { ledger, clock, k }
    }

    fn officer(&mut self, event: Event) {
        self.clock.advance(MIN);
        self.ledger.sign_and_append(&self.k.officer, event).unwrap();
    }

    fn device(&mut self, event: Event) {
        self.clock.advance(MIN);
        self.ledger.sign_and_append(&self.k.device, event).unwrap();
    }

    fn now(&self) -> Timestamp {
        self.ledger.now()
    }

    fn open(&mut self, case_no: &str, act: ActKind) {
        self.officer(Event::CaseOpened {
            case_no: case_no.into(),
            act,
            matter: "执法事项 matter".into(),
            unit: "执法监督科".into(),
            subject: commit_with_salt("party.name", "某社会组织", [3; 32]).0,
        });
    }

    fn doc(&mut self, case_no: &str, name: &str) -> MediaRef {
        let m = media(&format!("{case_no}-{name}"));
        self.officer(common::events::document_filed(case_no, m.clone()));
        m
    }

    fn decide(&mut self, case_no: &str, relies_on: Vec<liuhen::Digest>) {
        self.officer(Event::DecisionMade {
            case_no: case_no.into(),
            kind: DecisionKind::NoPenalty,
            document: media(&format!("{case_no}-决定书.pdf")),
            relies_on,
        });
    }

    /// A recording of `case_no`: notified first if `notify`, two segments of 5 minutes, the
    /// second `gap` ms after the first, stopped. Returns the segments.
    fn record(&mut self, case_no: &str, session: &str, notify: bool, gap: i64) -> Vec<MediaRef> {
        if notify {
            let at = self.now().plus_millis(MIN);
            self.device(Event::PartyNotified {
                session: session.into(),
                case_no: case_no.into(),
                at,
            });
        }
        self.device(Event::RecordingStarted {
            session: session.into(),
            case_no: case_no.into(),
            device: self.k.device.public_key(),
            method: CaptureMethod::BodyWornRecorder,
            location: Location {
                place: "金普新区某街道8号".into(),
                landmark: Some("门牌 No. 8".into()),
            },
            matter: "现场执法 on site".into(),
            officers: vec!["21020001".into(), "21020002".into()],
            party: Some(commit_with_salt("party.name", "某社会组织", [3; 32]).0),
        });
        let start = self.now();
        let mut segs: Vec<MediaRef> = Vec::new();
        for (i, s) in [start, start.plus_millis(5 * MIN + gap)]
            .into_iter()
            .enumerate()
        {
            let m = media(&format!("{session}-{i}.mp4"));
            self.clock.set(s.plus_millis(5 * MIN));
            self.device(common::events::segment_sealed(
                session,
                i as u32,
                segs.last().map(|p| p.digest),
                m.clone(),
                (s, s.plus_millis(5 * MIN)),
            ));
            segs.push(m);
        }
        self.device(Event::RecordingStopped {
            session: session.into(),
            segments: 2,
            last_segment: segs.last().map(|m| m.digest),
        });
        segs
    }

    fn archive(&mut self, case_no: &str, session: &str) {
        self.officer(Event::Archived {
            subject: RecordRef::Session(session.into()),
            custodian: "21020009".into(),
            storage: "执法信息系统".into(),
            labels: ArchiveLabels {
                case_no: case_no.into(),
                method: CaptureMethod::BodyWornRecorder,
                made_at: Timestamp(T0),
                made_by: "21020001".into(),
                proves: "现场状况 conditions on site".into(),
                transcript: None,
            },
        });
    }

    fn compliant_case(&mut self) {
        self.open(CASE_OK, ActKind::Inspection);
        let segs = self.record(CASE_OK, "BWC-7731-0001", true, 0);
        self.clock.advance(2 * HOUR);
        self.archive(CASE_OK, "BWC-7731-0001");
        let doc = self.doc(CASE_OK, "现场检查笔录.pdf");
        self.decide(CASE_OK, vec![segs[0].digest, segs[1].digest, doc.digest]);
        self.officer(Event::CaseClosed {
            case_no: CASE_OK.into(),
            outcome: "检查合格".into(),
            file_retention: Retention::Permanent,
        });
        // A case number that is an HTML injection attempt: a compliant penalty on paper.
        self.open(CASE_EVIL, ActKind::Penalty);
        let doc = self.doc(CASE_EVIL, "询问笔录.pdf");
        self.decide(CASE_EVIL, vec![doc.digest]);
    }

    /// One violation each of Art. 14(1), 14(4), 16 and 18, as the demo ledger has.
    fn violations(&mut self) {
        self.open(CASE_AV, ActKind::Coercion);
        // Not notified (14(1)), a 3-minute unexplained gap (14(4)) ...
        let segs = self.record(CASE_AV, "BWC-7731-0002", false, 3 * MIN);
        // ... and archived 30 hours after the recording ended (16).
        self.clock.advance(30 * HOUR);
        self.archive(CASE_AV, "BWC-7731-0002");
        let doc = self.doc(CASE_AV, "查封笔录.pdf");
        self.decide(CASE_AV, vec![segs[0].digest, segs[1].digest, doc.digest]);
        // The party objects; no preservation order follows (18).
        self.open(CASE_OBJ, ActKind::Penalty);
        let doc = self.doc(CASE_OBJ, "询问笔录.pdf");
        self.officer(Event::CircumstanceReported {
            case_no: CASE_OBJ.into(),
            trigger: PreservationTrigger::PartyObjection,
            summary: "当事人对现场执法提出异议 the party objects".into(),
        });
        self.decide(CASE_OBJ, vec![doc.digest]);
    }

    fn finish(mut self) {
        self.ledger.seal(&self.k.ledger).unwrap();
    }
}

/// A ledger directory with only compliant cases.
fn clean_dir(name: &str) -> PathBuf {
    let dir = scratch(name);
    let mut w = Writer::create(&dir);
    w.compliant_case();
    w.finish();
    dir
}

/// A ledger directory with the compliant cases and the four violations.
fn violations_dir(name: &str) -> PathBuf {
    let dir = scratch(name);
    let mut w = Writer::create(&dir);
    w.compliant_case();
    w.violations();
    w.finish();
    dir
}

fn arg(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

fn vkey(dir: &Path) -> String {
    arg(&dir.join("ledger.vkey"))
}

/// `liuhen audit DIR --vkey DIR/ledger.vkey EXTRA...`.
fn audit(dir: &Path, extra: &[&str]) -> std::process::Output {
    let vkey = vkey(dir);
    let mut args = vec!["--vkey", vkey.as_str()];
    args.extend_from_slice(extra);
    common::cli::liuhen_on("audit", dir, &args)
}

fn rules_of(json: &serde_json::Value) -> Vec<(String, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["case_no"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn compliant_ledger_exits_0() {
    let dir = clean_dir("audit-clean");
    let out = audit(&dir, &["--as-of", AS_OF]);
    let text = expect_code(&out, 0);
    assert!(text.contains("integrity 完整性: verified"), "{text}");
    assert!(text.contains("0 violations 违规"), "{text}");
    assert!(text.contains("合规 compliant"), "{text}");
    assert!(text.contains(CASE_OK), "{text}");
}

#[test]
fn violations_human_json_and_html() {
    let dir = violations_dir("audit-violations");
    let html = dir.join("audit.html");

    // Human: by case, article and Chinese term beside the English.
    let out = audit(&dir, &["--as-of", AS_OF]);
    let text = expect_code(&out, 2);
    for needle in [
        "Art. 14(1) 告知当事人 notifying the party",
        "Art. 14(4) 不得断续记录 no interrupted recording",
        "Art. 16 归档 archiving",
        "Art. 18 长期保存 long-term preservation",
        &format!("案件 Case {CASE_AV}"),
        &format!("案件 Case {CASE_OBJ}"),
        "4 violations",
        "不合规 not compliant",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    let no_findings = text
        .lines()
        .find(|l| l.starts_with("无问题 No findings"))
        .unwrap();
    assert!(no_findings.contains(CASE_OK), "{text}");

    // JSON: exactly the four findings, integrity verified.
    let out = audit(&dir, &["--as-of", AS_OF, "--json"]);
    let json: serde_json::Value = serde_json::from_str(&expect_code(&out, 2)).unwrap();
    assert_eq!(json["format"], "liuhen-audit/1");
    assert_eq!(json["integrity"]["verdict"], "verified");
    assert_eq!(json["as_of"], 1_767_571_200_000i64);
    let got: BTreeSet<(String, String)> = rules_of(&json).into_iter().collect();
    let want: BTreeSet<(String, String)> = [
        ("art14-1.notified", CASE_AV),
        ("art14-4.gap", CASE_AV),
        ("art16.archived", CASE_AV),
        ("art18.preservation", CASE_OBJ),
    ]
    .iter()
    .map(|(r, c)| (r.to_string(), c.to_string()))
    .collect();
    assert_eq!(got, want, "{json:#}");
    assert_eq!(json["findings"].as_array().unwrap().len(), 4);
    assert_eq!(json["summary"]["violations"], 4);
    assert_eq!(json["supervision"]["by_article"]["Art. 16"]["violation"], 1);
    assert_eq!(json["supervision"]["late_archiving"][0]["case_no"], CASE_AV);
    assert!(json["cases"][0].get("timeline").is_none());

    // --timeline adds each case's entries.
    let out = common::cli::liuhen_on(
        "audit",
        &dir,
        &["--as-of", AS_OF, "--json", "--timeline", "--quiet"],
    );
    let json: serde_json::Value = serde_json::from_str(&expect_code(&out, 2)).unwrap();
    assert!(json["cases"][0]["timeline"].as_array().unwrap().len() > 5);
    // Without --vkey, integrity is only self-consistent, and the report says so.
    assert_eq!(json["integrity"]["verdict"], "unverified");

    // HTML: written beside the human report, self-contained, escaped, with every case.
    let out = audit(&dir, &["--as-of", AS_OF, "--html", &arg(&html)]);
    let text = expect_code(&out, 2);
    assert!(text.contains("HTML report"), "{text}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    for case in [CASE_OK, CASE_AV, CASE_OBJ] {
        assert!(page.contains(case), "{case}");
    }
    assert!(!page.contains(CASE_EVIL), "the case number must be escaped");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<script"), "no scripts at all");
    for rule in [
        "art14-1.notified",
        "art14-4.gap",
        "art16.archived",
        "art18.preservation",
    ] {
        assert!(page.contains(rule), "{rule}");
    }
    assert!(page.contains("未完成 missed") || page.contains("逾期 late"));
    assert!(page.contains("Timeline"));
    // Statistics by month and kind of act for the supervising office.
    assert!(
        page.contains("By month and kind of act"),
        "statistics by period"
    );
    assert!(page.contains("行政强制 coercion"), "act names in Chinese");
    // The timeline a judge reads: events named in Chinese, findings cited as articles.
    assert!(page.contains("立案 CaseOpened"), "timeline in Chinese");
    assert!(
        page.contains("第十四条第（一）项"),
        "findings cite the article in Chinese"
    );
    // Each case's evidence list (证据清单): its records and segments with their digests.
    assert!(page.contains("证据清单 Evidence list"), "no evidence list");
    assert!(page
        .contains(&blake3(format!("cli audit media: {CASE_AV}-查封笔录.pdf").as_bytes()).to_hex()));
    if let Some(png) = screenshot(&html) {
        check_png(&png);
    }
}

/// `--lang zh`: the whole human report in Chinese, citations as the regulation cites itself;
/// `--stats` by month and quarter, as text and CSV; `--evidence CASE` as CSV.
#[test]
fn reports_in_chinese_with_statistics_and_evidence_lists() {
    let dir = violations_dir("audit-zh");
    let base = ["audit", &arg(&dir), "--vkey", &vkey(&dir), "--as-of", AS_OF];
    let run = |extra: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(extra);
        liuhen(a)
    };
    let text = expect_code(&run(&["--lang", "zh"]), 2);
    for cite in [
        "【违规】第十四条第（一）项 告知当事人",
        "【违规】第十四条第（四）项 不得断续记录",
        "【违规】第十六条 归档",
        "【违规】第十八条 长期保存",
    ] {
        assert!(text.contains(cite), "{cite}:\n{text}");
    }
    assert_eq!(text.matches("【违规】").count(), 4, "{text}");
    // With the particulars in Chinese: how late, how long the gap.
    assert!(text.contains("才归档，超过 24小时 期限"), "{text}");
    assert!(text.contains("之前中断 3分钟"), "{text}");
    assert!(text.contains("结论：违规 4 项，不合规"), "{text}");
    // No English words of the report's own (ledger text, such as a matter, is as recorded).
    for english in [
        "Art. ",
        "violation",
        "session ",
        "entry ",
        "Supervision",
        "Result",
    ] {
        assert!(!text.contains(english), "{english:?} in:\n{text}");
    }

    let csv = expect_code(&run(&["--stats", "month", "--csv"]), 2);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "dimension,group,cases,violations,warnings,notices"
    );
    assert!(lines.contains(&"period,2026-01,4,4,0,0"), "{csv}");
    assert!(lines.contains(&"act,coercion,1,3,0,0"), "{csv}");
    assert!(lines.contains(&"article,Art. 16,1,1,0,0"), "{csv}");
    assert!(csv.contains("\r\n"), "RFC 4180 line ends");
    let csv = expect_code(&run(&["--stats", "quarter", "--csv", "--lang", "zh"]), 2);
    assert!(csv.starts_with("维度,分组,案件数,违规,警示,提示"), "{csv}");
    assert!(csv.contains("期间,2026-Q1,4,4,0,0"), "{csv}");
    assert!(csv.contains("执法行为,行政强制,1,3,0,0"), "{csv}");
    assert!(csv.contains("条款,第十八条,1,1,0,0"), "{csv}");
    let table = expect_code(&run(&["--stats", "quarter"]), 2);
    assert!(table.contains("by period:"), "{table}");

    let csv = expect_code(&run(&["--evidence", CASE_AV, "--csv"]), 2);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "序号,名称,来源,证明对象,时长/页数,大小（字节）,摘要（BLAKE3）,条目"
    );
    // Two segments and the record, in ledger order.
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[1].starts_with("1,BWC-7731-0002-0.mp4（音像记录 BWC-7731-0002 第1段）"),
        "{csv}"
    );
    assert!(lines[1].contains(",5分钟,"), "{csv}");
    assert!(lines[3].contains("查封笔录.pdf（调查取证文书）"), "{csv}");
    assert!(lines[3]
        .contains(&blake3(format!("cli audit media: {CASE_AV}-查封笔录.pdf").as_bytes()).to_hex()));

    // Errors are one sentence, exit 3.
    let out = run(&["--evidence", "金民罚〔2099〕1号"]);
    let err = expect_code(&out, 3);
    let _ = err;
    expect_code(&run(&["--lang", "fr"]), 3);
    expect_code(&run(&["--stats", "week"]), 3);
    expect_code(&run(&["--csv"]), 3);
}

/// The demo, audited in Chinese, reports exactly its four planted lapses.
#[test]
fn the_demo_audited_in_chinese_reports_its_four_lapses() {
    let dir = scratch("audit-demo-zh").join("jinpu");
    expect_code(&liuhen(["demo".to_string(), dir.display().to_string()]), 0);
    let out = audit(
        &dir,
        &["--as-of", "2026-04-01T00:00:00+08:00", "--lang", "zh"],
    );
    let text = expect_code(&out, 2);
    let cited: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("【违规】"))
        .map(|l| l.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(
        cited,
        vec![
            "第十四条第（一）项",
            "第十四条第（四）项",
            "第十六条",
            "第十八条"
        ],
        "{text}"
    );
}

#[test]
fn as_of_and_profile_change_what_is_due() {
    let dir = violations_dir("audit-as-of");
    // Five hours after T0, after the seizure was filmed but before its archive deadline and
    // before the objection: only the immediate findings.
    let out = common::cli::liuhen_on(
        "audit",
        &dir,
        &["--as-of", "2026-01-01T13:00:00+08:00", "--json"],
    );
    let json: serde_json::Value = serde_json::from_str(&expect_code(&out, 2)).unwrap();
    let rules: BTreeSet<String> = rules_of(&json).into_iter().map(|(r, _)| r).collect();
    assert_eq!(
        rules,
        ["art14-1.notified", "art14-4.gap"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    assert!(json["entries_after_as_of"].as_u64().unwrap() > 0);
    // Milliseconds work too, and give the same report.
    let out2 = common::cli::liuhen_on("audit", &dir, &["--as-of", "1767243600000", "--json"]);
    assert_eq!(expect_code(&out2, 2), expect_code(&out, 2));

    // A profile that weighs these as warnings: exit 0, the findings still listed.
    let profile = dir.join("profile.toml");
    std::fs::write(
        &profile,
        "name = \"lenient\"\n[severity]\n\"art14-1.notified\" = \"warning\"\n\"art14-4.gap\" = \"warning\"\n\"art16.archived\" = \"warning\"\n\"art18.preservation\" = \"warning\"\n",
    )
    .unwrap();
    let out = common::cli::liuhen_on(
        "audit",
        &dir,
        &["--as-of", AS_OF, "--profile", &arg(&profile)],
    );
    let text = expect_code(&out, 0);
    assert!(text.contains("profile lenient"), "{text}");
    assert!(text.contains("4 warnings"), "{text}");

    // The printed default profile is a valid profile giving the default result.
    let out = liuhen(["audit", "--print-profile"]);
    let printed = expect_code(&out, 0);
    assert!(printed.contains("archive_deadline = \"24h\""), "{printed}");
    let default = dir.join("default.toml");
    std::fs::write(&default, printed).unwrap();
    let out = common::cli::liuhen_on(
        "audit",
        &dir,
        &["--as-of", AS_OF, "--profile", &arg(&default)],
    );
    expect_code(&out, 2);
}

#[test]
fn tampered_ledger_is_not_audited() {
    let dir = violations_dir("audit-tampered");
    let log = dir.join("ledger").join(ENTRY_LOG_FILE);
    let mut bytes = std::fs::read(&log).unwrap();
    let at = common::tamper::frames_end(&bytes) / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&log, &bytes).unwrap();
    let out = audit(&dir, &["--as-of", AS_OF]);
    let text = expect_code(&out, 1);
    assert!(text.contains("TAMPERED"), "{text}");
    assert!(
        !text.contains("Art. 16"),
        "a tampered ledger is not audited: {text}"
    );
    let out = liuhen(["audit", &arg(&dir), "--as-of", AS_OF, "--json"]);
    let json: serde_json::Value = serde_json::from_str(&expect_code(&out, 1)).unwrap();
    assert_eq!(json["audited"], false);
    assert_eq!(json["integrity"]["verdict"], "tampered");
}

#[test]
fn errors_exit_3_with_one_sentence() {
    let dir = clean_dir("audit-errors");
    let missing = dir.join("nope");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["audit".into(), arg(&missing)],
            "not a liuhen ledger directory",
        ),
        (
            vec![
                "audit".into(),
                arg(&dir),
                "--as-of".into(),
                "2026-01-05 00:00".into(),
            ],
            "is not a time",
        ),
        (
            vec![
                "audit".into(),
                arg(&dir),
                "--profile".into(),
                arg(&dir.join("none.toml")),
            ],
            "cannot read the audit profile",
        ),
        (vec!["audit".into()], "DIR"),
    ];
    for (args, needle) in cases {
        let out = liuhen(&args);
        expect_code(&out, 3);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    for (body, needle) in [
        ("archive_deadlin = \"24h\"\n", "archive_deadlin"),
        ("archive_deadline = \"1 month\"\n", "no known unit"),
        ("disabled_rules = [\"art99.none\"]\n", "art99.none"),
    ] {
        let profile = dir.join("bad.toml");
        std::fs::write(&profile, body).unwrap();
        let out = liuhen(["audit", &arg(&dir), "--profile", &arg(&profile)]);
        expect_code(&out, 3);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(needle) && err.contains("bad.toml"),
            "{body}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}

/// Renders `html` with headless Chromium to a PNG, if Debian's chromium is installed.
fn screenshot(html: &Path) -> Option<PathBuf> {
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        eprintln!("skipped: /usr/bin/chromium is not installed (apt-get install chromium)");
        return None;
    }
    let png = html.with_extension("png");
    let _ = std::fs::remove_file(&png);
    let profile_dir = html.with_extension("chromium-profile");
    let child = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,2000",
            &format!("--user-data-dir={}", profile_dir.display()),
            &format!("--screenshot={}", png.display()),
            &format!("file://{}", html.display()),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // A browser that hangs must not hang the test suite.
    common::cli::wait_or_kill(
        child,
        std::time::Duration::from_secs(120),
        "chromium taking the screenshot",
    );
    assert!(
        png.exists(),
        "chromium wrote no screenshot of {}",
        html.display()
    );
    Some(png)
}

/// A real, non-trivial picture: PNG signature, the requested size, and far more bytes than a
/// blank page of that size compresses to.
fn check_png(png: &Path) {
    let bytes = std::fs::read(png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&bytes[12..16], b"IHDR");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 2000));
    assert!(
        bytes.len() > 60_000,
        "the screenshot is {} bytes: the page looks empty",
        bytes.len()
    );
}
