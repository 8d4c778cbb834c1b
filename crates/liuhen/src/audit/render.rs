//! Reports for people: plain text for a terminal, and one self-contained HTML page for the case
//! file.
//!
//! Both take only an [`AuditReport`], so a report saved as JSON renders the same later. Every
//! string that comes from the ledger (case numbers, places, names, reasons) is escaped in the
//! HTML: a case number cannot inject markup. The HTML page has no scripts and loads nothing: its
//! CSS is inline, and it prints on A4 with one case per page.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::report::*;
use super::rules::{self, Severity};
use super::time::{format_span, format_time};
use crate::model::Timestamp;

fn heading_of(rule_id: &str) -> String {
    rules::rule(rule_id).map_or_else(|| rule_id.to_string(), rules::heading)
}

fn severity_label(s: Severity) -> String {
    format!("{} {}", s.zh(), s.as_str())
}

/// A case number as shown: an empty one is named as such rather than left blank.
fn case_label(case_no: &str) -> String {
    if case_no.trim().is_empty() {
        "(无案号 no case number)".to_string()
    } else {
        case_no.to_string()
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn counts_text(c: &Counts) -> String {
    format!(
        "{}, {}, {}",
        plural(c.violation, "violation", "violations"),
        plural(c.warning, "warning", "warnings"),
        plural(c.notice, "notice", "notices")
    )
}

fn status_text(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::Unopened => "未立案 never opened in this ledger",
        CaseStatus::Open => "办理中 open",
        CaseStatus::Decided => "已决定 decided",
        CaseStatus::Closed => "已结案 closed",
    }
}

fn deadline_text(s: DeadlineStatus) -> &'static str {
    match s {
        DeadlineStatus::Met => "按时 met",
        DeadlineStatus::Late => "逾期 late",
        DeadlineStatus::Missed => "未完成 missed",
        DeadlineStatus::Pending => "期限未到 pending",
    }
}

fn seqs_text(seqs: &[u64]) -> String {
    let list: Vec<String> = seqs.iter().map(u64::to_string).collect();
    match list.len() {
        0 => String::new(),
        1 => format!("entry {}", list.join(", ")),
        _ => format!("entries {}", list.join(", ")),
    }
}

/// How a disclosure was grounded, in words (the entries are listed beside it).
fn basis_text(d: &DisclosureRecord) -> String {
    let request = d.request.as_deref().unwrap_or("?");
    match d.basis {
        DisclosureBasis::GrantedRequest => format!("依申请 on granted request {request}"),
        DisclosureBasis::Party => "当事人 to a party of the case".to_string(),
        DisclosureBasis::Role => format!(
            "依职权 on the authority of role {}",
            d.role.as_deref().unwrap_or("?")
        ),
        DisclosureBasis::Refused => format!("已拒绝 despite refused request {request}"),
        DisclosureBasis::NoBasis => "无依据 no basis".to_string(),
    }
}

/// The report as plain text: findings by case with the article and its Chinese term, then the
/// supervision queries. Times are Asia/Shanghai.
pub fn text(report: &AuditReport) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let _ = writeln!(
        out,
        "liuhen audit 审计 — {}",
        report
            .origin
            .as_deref()
            .unwrap_or("(ledger without genesis)")
    );
    let _ = writeln!(
        out,
        "profile {}, as of {} ({} ms): {} entries audited, {} logged later ignored",
        report.profile,
        format_time(report.as_of),
        report.as_of.0,
        report.entries,
        report.entries_after_as_of
    );
    if let Some(i) = &report.integrity {
        let _ = writeln!(
            out,
            "integrity 完整性: {} ({} entries)",
            i.verdict, i.entries
        );
        for f in &i.findings {
            let _ = writeln!(out, "  - {f}");
        }
    }
    let _ = writeln!(
        out,
        "{} 案件, {} 音像记录; {} 违规, {} 警示, {} 提示",
        plural(s.cases, "case", "cases"),
        plural(s.sessions, "recording session", "recording sessions"),
        plural(s.violations, "violation", "violations"),
        plural(s.warnings, "warning", "warnings"),
        plural(s.notices, "notice", "notices")
    );

    write_cases(
        &mut out,
        report,
        &CaseText {
            case: |out, c| {
                let about = match (&c.act, &c.matter, &c.unit) {
                    (Some(a), Some(m), Some(u)) => format!("{a}, {m} ({u}), "),
                    _ => String::new(),
                };
                let _ = writeln!(
                    out,
                    "\n案件 Case {} — {about}{}: {}",
                    case_label(&c.case_no),
                    status_text(c.status),
                    counts_text(&c.findings)
                );
            },
            finding: write_finding,
            unlinked: "\n不属于任何案件 Not linked to any case:",
            clean: "\n无问题 No findings: ",
            clean_label: case_label,
            clean_separator: ", ",
        },
    );

    let sup = &report.supervision;
    let _ = writeln!(out, "\n监督 Supervision (Art. 8)");
    section(
        &mut out,
        "  按条款 by article:",
        &sup.by_article,
        |(article, c)| format!("    {article}: {}", counts_text(c)),
    );
    section(
        &mut out,
        "  按单位 by unit:",
        &sup.by_unit,
        |(unit, u)| {
            format!(
                "    {unit}: {}; {}",
                plural(u.cases, "case", "cases"),
                counts_text(&u.findings)
            )
        },
    );
    section(
        &mut out,
        "  按执法人员 by officer:",
        &sup.by_officer,
        |(name, o)| {
            format!(
                "    {name}: {}, {}, {}, {}; {}",
                plural(o.cases, "case", "cases"),
                plural(o.sessions, "session", "sessions"),
                plural(o.documents, "document", "documents"),
                plural(o.decisions, "decision", "decisions"),
                counts_text(&o.findings)
            )
        },
    );
    section(
        &mut out,
        "  迟延归档 late archiving:",
        &sup.late_archiving,
        |l| {
            let done = match (l.archived_at, l.archived_seq) {
                (Some(t), Some(seq)) => format!("archived {} (entry {seq})", format_time(t)),
                _ => "not archived".to_string(),
            };
            format!(
                "    case {} session {}: ended {}, due {}, {done}; {} late{}",
                l.case_no,
                l.session,
                format_time(l.recording_end),
                format_time(l.due),
                format_span(l.late_by_ms),
                if l.justified { " (justified)" } else { "" }
            )
        },
    );
    section(
        &mut out,
        "  中断 interruptions:",
        &sup.interruptions,
        |i| {
            format!(
                "    case {} session {} entry {}: {} at {}{}",
                i.case_no,
                i.session,
                i.seq,
                i.reason.as_deref().unwrap_or("unexplained gap 无说明"),
                format_time(i.at),
                i.gap_ms
                    .map_or(String::new(), |g| format!(", {} gap", format_span(g)))
            )
        },
    );
    section(
        &mut out,
        "  长期保存中 open preservation orders:",
        &sup.open_preservation_orders,
        |o| {
            format!(
                "    case {}: {} since {} (entry {})",
                o.case_no,
                o.trigger,
                format_time(o.ordered_at),
                o.seq
            )
        },
    );
    section(
        &mut out,
        "  对外提供 disclosures (Art. 19):",
        &sup.disclosures,
        |d| {
            format!(
                "    case {} entry {}, {}: {} to recipient {} by {}: {}{}",
                case_label(&d.case_no),
                d.seq,
                format_time(d.logged_at),
                plural(d.items, "record", "records"),
                d.recipient.get(..12).unwrap_or(&d.recipient),
                d.by,
                basis_text(d),
                if d.basis_seqs.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", seqs_text(&d.basis_seqs))
                }
            )
        },
    );
    let _ = writeln!(
        out,
        "\n结论 Result: {}",
        if report.has_violations() {
            format!(
                "{} — 不合规 not compliant",
                plural(s.violations, "violation", "violations")
            )
        } else if s.warnings > 0 {
            format!(
                "no violations, {} — 无违规 compliant with warnings",
                plural(s.warnings, "warning", "warnings")
            )
        } else {
            "no violations — 合规 compliant".to_string()
        }
    );
    out
}

/// The findings of each case, in report order.
/// `heading` and a line per item, or nothing when there are no items.
pub(super) fn section<I: IntoIterator>(
    out: &mut String,
    heading: &str,
    items: I,
    line: impl Fn(I::Item) -> String,
) {
    let mut items = items.into_iter().peekable();
    if items.peek().is_none() {
        return;
    }
    let _ = writeln!(out, "{heading}");
    for item in items {
        let _ = writeln!(out, "{}", line(item));
    }
}

/// What the two text reports (this bilingual one and [`super::zh`]) write differently in their
/// shared part: the cases with findings, the findings linked to no case, the cases without.
pub(super) struct CaseText {
    /// Writes the heading of a case that has findings.
    pub case: fn(&mut String, &CaseSummary),
    /// Writes one finding.
    pub finding: fn(&mut String, &Finding),
    /// The line above the findings linked to no case.
    pub unlinked: &'static str,
    /// What precedes the list of cases without findings.
    pub clean: &'static str,
    /// How such a case is named.
    pub clean_label: fn(&str) -> String,
    /// Between two cases without findings.
    pub clean_separator: &'static str,
}

/// Each case that has findings, with its findings; the findings linked to no case; then one
/// line naming the cases without findings. Sections with nothing to show are left out.
pub(super) fn write_cases(out: &mut String, report: &AuditReport, text: &CaseText) {
    let by_case = findings_by_case(report);
    let mut clean = Vec::new();
    for c in &report.cases {
        match by_case.get(c.case_no.as_str()) {
            Some(findings) => {
                (text.case)(out, c);
                for f in findings {
                    (text.finding)(out, f);
                }
            }
            None => clean.push((text.clean_label)(&c.case_no)),
        }
    }
    let mut orphans = report
        .findings
        .iter()
        .filter(|f| f.case_no.is_none())
        .peekable();
    if orphans.peek().is_some() {
        let _ = writeln!(out, "{}", text.unlinked);
        for f in orphans {
            (text.finding)(out, f);
        }
    }
    if !clean.is_empty() {
        let _ = writeln!(out, "{}{}", text.clean, clean.join(text.clean_separator));
    }
}

fn findings_by_case(report: &AuditReport) -> BTreeMap<&str, Vec<&Finding>> {
    let mut by_case: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        if let Some(c) = f.case_no.as_deref() {
            by_case.entry(c).or_default().push(f);
        }
    }
    by_case
}

fn write_finding(out: &mut String, f: &Finding) {
    let _ = writeln!(
        out,
        "  [{}] {}: {}",
        severity_label(f.severity),
        heading_of(&f.rule),
        f.message
    );
    let _ = writeln!(
        out,
        "      rule {}{}{}",
        f.rule,
        if f.seqs.is_empty() { "" } else { "; " },
        seqs_text(&f.seqs)
    );
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --v: #b42318; --v-bg: #fde8e6; --w: #9a5b00; --w-bg: #fff4dc; --n: #1d4f91; --n-bg: #e7effa;
  --ok: #1f7a3a; --ok-bg: #e5f4ea; --muted: #667085; --line: #d0d5dd; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif;
  color: #101828; margin: 0 auto; max-width: 1180px; padding: 24px 28px; font-size: 13px; line-height: 1.45;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0; }
h3 { font-size: 14px; margin: 18px 0 6px; border-bottom: 1px solid var(--line); padding-bottom: 3px; }
.sub { color: var(--muted); margin: 0 0 14px; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0 0 16px; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; }
.banner { padding: 12px 16px; border-radius: 6px; font-size: 15px; font-weight: 600; margin: 10px 0 16px; }
.banner.bad { background: var(--v-bg); color: var(--v); border: 1px solid var(--v); }
.banner.warn { background: var(--w-bg); color: var(--w); border: 1px solid var(--w); }
.banner.good { background: var(--ok-bg); color: var(--ok); border: 1px solid var(--ok); }
.cards { display: flex; gap: 10px; flex-wrap: wrap; margin-bottom: 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.card b { display: block; font-size: 22px; }
.card.v b { color: var(--v); } .card.w b { color: var(--w); } .card.n b { color: var(--n); }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; }
th, td { border: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f2f4f7; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.zero { color: #b0b6c0; }
.pill { display: inline-block; border-radius: 10px; padding: 0 7px; font-size: 11px; font-weight: 600; white-space: nowrap; }
.pill.violation, .pill.missed, .pill.late { background: var(--v-bg); color: var(--v); }
.pill.warning, .pill.pending { background: var(--w-bg); color: var(--w); }
.pill.notice { background: var(--n-bg); color: var(--n); }
.pill.met, .pill.clean { background: var(--ok-bg); color: var(--ok); }
section.case { border-top: 3px solid #344054; margin-top: 28px; padding-top: 10px; }
section.case.has-violation { border-top-color: var(--v); }
.case-head { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; flex-wrap: wrap; }
ul.findings { list-style: none; padding: 0; margin: 0; }
ul.findings li { border-left: 5px solid var(--line); padding: 5px 10px; margin: 5px 0; border-radius: 0 4px 4px 0; }
ul.findings li.violation { border-color: var(--v); background: var(--v-bg); }
ul.findings li.warning { border-color: var(--w); background: var(--w-bg); }
ul.findings li.notice { border-color: var(--n); background: var(--n-bg); }
ul.findings .rule { color: var(--muted); font-size: 11px; }
tr.sev-violation td { background: var(--v-bg); }
tr.sev-warning td { background: var(--w-bg); }
tr.sev-notice td { background: var(--n-bg); }
td.when { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.digest { font-family: ui-monospace, monospace; font-size: 0.75em; word-break: break-all; }
.claimed { color: var(--muted); font-size: 11px; }
.session { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; margin: 6px 0; }
.strip { position: relative; height: 18px; background: #f2f4f7; border-radius: 3px; margin: 6px 0 2px; overflow: hidden; }
.strip .seg { position: absolute; top: 2px; bottom: 2px; background: #3e7bd6; border-right: 1px solid #fff; }
.strip .gap { position: absolute; top: 0; bottom: 0; background: var(--v); min-width: 3px; }
.strip .gap.explained { background: #e0a100; }
.axis { display: flex; justify-content: space-between; color: var(--muted); font-size: 11px; }
.muted { color: var(--muted); }
a { color: #1d4f91; }
footer { margin-top: 30px; color: var(--muted); font-size: 11px; border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  section.case { break-before: page; }
  tr, li, .session { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"#;

fn pill(class: &str, text: &str) -> String {
    format!("<span class=\"pill {class}\">{}</span>", escape(text))
}

fn num_cell(n: u64) -> String {
    if n == 0 {
        "<td class=\"num zero\">0</td>".into()
    } else {
        format!("<td class=\"num\">{n}</td>")
    }
}

fn when(t: Timestamp) -> String {
    escape(&format_time(t))
}

/// The report as one self-contained, printable HTML page: a summary (cases, findings by
/// article, supervision queries), then for each case its findings, deadlines, recordings with
/// their segments and gaps, and the timeline of its entries (when the audit was run with
/// timelines).
pub fn html(report: &AuditReport) -> String {
    let mut h = String::new();
    let origin = report
        .origin
        .as_deref()
        .unwrap_or("(ledger without genesis)");
    let s = &report.summary;
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>执法全过程记录审计 Audit — {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(origin)
    );
    let _ = write!(
        h,
        "<header>\n<h1>执法全过程记录审计报告 <span class=\"muted\">Audit report</span></h1>\n<p class=\"sub\">{}</p>\n<dl class=\"meta\">\n<dt>审计时点 As of</dt><dd>{} <span class=\"muted\">({} ms)</span></dd>\n<dt>规则 Profile</dt><dd>{}</dd>\n<dt>条目 Entries</dt><dd>{} audited; {} logged after the audit time ignored</dd>\n",
        escape(origin),
        when(report.as_of),
        report.as_of.0,
        escape(&report.profile),
        report.entries,
        report.entries_after_as_of
    );
    if let Some(i) = &report.integrity {
        let class = match i.verdict.as_str() {
            "verified" => "met",
            "tampered" => "violation",
            _ => "warning",
        };
        let _ = write!(
            h,
            "<dt>完整性 Integrity</dt><dd>{} {} entries",
            pill(class, &i.verdict),
            i.entries
        );
        for f in &i.findings {
            let _ = write!(h, "<br><span class=\"muted\">{}</span>", escape(f));
        }
        h.push_str("</dd>\n");
    }
    h.push_str("</dl>\n</header>\n");

    let (class, text) = if report.has_violations() {
        (
            "bad",
            format!(
                "不合规 Not compliant: {}",
                plural(s.violations, "violation", "violations")
            ),
        )
    } else if s.warnings > 0 {
        (
            "warn",
            format!(
                "无违规 No violations; {}",
                plural(s.warnings, "warning", "warnings")
            ),
        )
    } else {
        ("good", "合规 Compliant: no violations".to_string())
    };
    let _ = writeln!(h, "<div class=\"banner {class}\">{}</div>", escape(&text));
    let _ = writeln!(
        h,
        "<div class=\"cards\"><div class=\"card\"><b>{}</b>案件 cases</div><div class=\"card\"><b>{}</b>音像记录 recordings</div><div class=\"card v\"><b>{}</b>违规 violations</div><div class=\"card w\"><b>{}</b>警示 warnings</div><div class=\"card n\"><b>{}</b>提示 notices</div></div>",
        s.cases, s.sessions, s.violations, s.warnings, s.notices
    );

    summary_tables(&mut h, report);
    let by_case = findings_by_case(report);
    for (i, c) in report.cases.iter().enumerate() {
        let findings = by_case
            .get(c.case_no.as_str())
            .map_or(&[][..], Vec::as_slice);
        case_section(&mut h, findings, i, c);
    }
    let orphans: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.case_no.is_none())
        .collect();
    if !orphans.is_empty() {
        h.push_str("<section class=\"case has-violation\"><h2>不属于任何案件 Not linked to any case</h2>\n");
        findings_list(&mut h, &orphans);
        h.push_str("</section>\n");
    }

    h.push_str("<footer>\n<h3>适用规则 Rules applied</h3>\n<table><tr><th>Rule</th><th>Article</th><th>Severity</th><th>Checks</th></tr>\n");
    for r in &report.rules {
        let _ = writeln!(
            h,
            "<tr><td>{}{}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.id),
            if r.enabled {
                ""
            } else {
                " <span class=\"muted\">(off)</span>"
            },
            escape(&r.article),
            escape(&r.term),
            escape(r.severity.as_str()),
            escape(&r.checks)
        );
    }
    let _ = writeln!(
        h,
        "</table>\n<p>Generated by liuhen ({}). Times are Asia/Shanghai (UTC+8); deadlines are judged on the ledger's logged_at. This page contains no scripts and loads no external resources.</p>\n</footer>\n</body>\n</html>",
        escape(&report.format)
    );
    h
}

fn summary_tables(h: &mut String, report: &AuditReport) {
    // Every article with a rule, found or not: the table shows what was checked.
    let mut articles: BTreeMap<&str, (&str, Counts)> = BTreeMap::new();
    for r in rules::RULES {
        articles
            .entry(r.article)
            .or_insert((r.term_zh, Counts::default()));
    }
    for f in &report.findings {
        if let Some(e) = articles.get_mut(f.article.as_str()) {
            e.1.add(f.severity);
        }
    }
    let mut articles: Vec<(&str, (&str, Counts))> = articles.into_iter().collect();
    articles.sort_by_key(|(a, _)| article_order(a));
    table(
        h,
        "<h3>按条款 Findings by article</h3>\n<table><tr><th>Article</th><th>条款内容</th><th class=\"num\">违规 violations</th><th class=\"num\">警示 warnings</th><th class=\"num\">提示 notices</th></tr>\n",
        &articles,
        |(article, (term, c))| {
            format!(
                "<tr><td>{}</td><td>{}</td>{}</tr>",
                escape(article),
                escape(term),
                count_cells(c)
            )
        },
    );

    table(
        h,
        "<h3>案件 Cases</h3>\n<table><tr><th>Case 案号</th><th>Act</th><th>Unit 单位</th><th>Status</th><th class=\"num\">Recordings</th><th class=\"num\">违规</th><th class=\"num\">警示</th><th class=\"num\">提示</th></tr>\n",
        report.cases.iter().enumerate(),
        |(i, c)| {
            format!(
                "<tr><td><a href=\"#case-{i}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td>{}{}</tr>",
                escape(&case_label(&c.case_no)),
                escape(c.act.as_deref().unwrap_or("—")),
                escape(c.unit.as_deref().unwrap_or("—")),
                escape(status_text(c.status)),
                num_cell(c.sessions.len() as u64),
                count_cells(&c.findings)
            )
        },
    );

    let sup = &report.supervision;
    table(
        h,
        "<h3>监督 Supervision: by unit and officer</h3>\n<table><tr><th>Unit 单位</th><th class=\"num\">Cases</th><th class=\"num\">违规</th><th class=\"num\">警示</th><th class=\"num\">提示</th></tr>\n",
        &sup.by_unit,
        |(unit, u)| {
            format!(
                "<tr><td>{}</td>{}{}</tr>",
                escape(unit),
                num_cell(u.cases),
                count_cells(&u.findings)
            )
        },
    );
    table(
        h,
        "<table><tr><th>Officer 执法人员</th><th class=\"num\">Cases</th><th class=\"num\">Recordings</th><th class=\"num\">Documents</th><th class=\"num\">Decisions 决定</th><th class=\"num\">违规</th><th class=\"num\">警示</th><th class=\"num\">提示</th></tr>\n",
        &sup.by_officer,
        |(name, o)| {
            format!(
                "<tr><td>{}</td>{}{}{}{}{}</tr>",
                escape(name),
                num_cell(o.cases),
                num_cell(o.sessions),
                num_cell(o.documents),
                num_cell(o.decisions),
                count_cells(&o.findings)
            )
        },
    );
    let periods: Vec<_> = super::stats::statistics(report, super::stats::StatPeriod::Month)
        .into_iter()
        .filter(|r| r.dimension == "period" || r.dimension == "act")
        .collect();
    table_if_any(
        h,
        "<h3>按月份、执法行为 By month and kind of act</h3>\n<table><tr><th>Group 分组</th><th class=\"num\">Cases</th><th class=\"num\">违规</th><th class=\"num\">警示</th><th class=\"num\">提示</th></tr>\n",
        &periods,
        |r| {
            let group = if r.dimension == "act" {
                format!("{} {}", super::zh::act(&r.group), r.group)
            } else {
                r.group.clone()
            };
            format!(
                "<tr><td>{}</td>{}{}</tr>",
                escape(&group),
                num_cell(r.cases),
                count_cells(&r.findings)
            )
        },
    );
    table_if_any(
        h,
        "<h3>迟延归档 Late archiving (Art. 16)</h3>\n<table><tr><th>Case</th><th>Session</th><th>Recording ended</th><th>Due</th><th>Archived</th><th class=\"num\">Late by</th><th>Justified</th></tr>\n",
        &sup.late_archiving,
        |l| {
            format!(
                "<tr><td>{}</td><td>{}</td><td class=\"when\">{}</td><td class=\"when\">{}</td><td class=\"when\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                escape(&case_label(&l.case_no)),
                escape(&l.session),
                when(l.recording_end),
                when(l.due),
                l.archived_at.map_or_else(|| pill("missed", "not archived"), |t| format!(
                    "{} <span class=\"muted\">entry {}</span>",
                    when(t),
                    l.archived_seq.unwrap_or_default()
                )),
                escape(&format_span(l.late_by_ms)),
                if l.justified { "yes" } else { "no" }
            )
        },
    );
    table_if_any(
        h,
        "<h3>中断 Interruptions (Art. 14(4))</h3>\n<table><tr><th>Case</th><th>Session</th><th class=\"num\">Entry</th><th>Reason</th><th>At</th><th class=\"num\">Gap</th></tr>\n",
        &sup.interruptions,
        |i| {
            format!(
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"when\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&case_label(&i.case_no)),
                escape(&i.session),
                i.seq,
                i.reason
                    .as_deref()
                    .map_or_else(|| pill("violation", "unexplained 无说明"), escape),
                when(i.at),
                i.gap_ms.map_or(String::new(), |g| escape(&format_span(g)))
            )
        },
    );
    table_if_any(
        h,
        "<h3>长期保存中 Open preservation orders (Art. 18)</h3>\n<table><tr><th>Case</th><th class=\"num\">Entry</th><th>Ordered</th><th>Trigger</th></tr>\n",
        &sup.open_preservation_orders,
        |o| {
            format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"when\">{}</td><td>{}</td></tr>",
                escape(&case_label(&o.case_no)),
                o.seq,
                when(o.ordered_at),
                escape(&o.trigger)
            )
        },
    );
    table_if_any(
        h,
        "<h3>对外提供 Disclosures (Art. 19, 21(3))</h3>\n<table><tr><th>Case</th><th class=\"num\">Entry</th><th>Disclosed</th><th>Recipient (sealed)</th><th class=\"num\">Records</th><th>By</th><th>Basis 依据</th></tr>\n",
        &sup.disclosures,
        |d| {
            let class = if d.basis.is_lawful() {
                "met"
            } else {
                "violation"
            };
            format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"when\">{}</td><td><code>{}</code></td><td class=\"num\">{}</td><td>{}{}</td><td>{} <span class=\"muted\">{}</span></td></tr>",
                escape(&case_label(&d.case_no)),
                d.seq,
                when(d.logged_at),
                escape(d.recipient.get(..12).unwrap_or(&d.recipient)),
                d.items,
                escape(&d.by),
                d.role
                    .as_deref()
                    .map_or(String::new(), |r| format!(" <span class=\"muted\">{}</span>", escape(r))),
                pill(class, &basis_text(d)),
                escape(&seqs_text(&d.basis_seqs))
            )
        },
    );
}

/// `head` (a heading and the header row of a table), a row per item, and the end of the table.
fn table<I: IntoIterator>(h: &mut String, head: &str, items: I, row: impl Fn(I::Item) -> String) {
    h.push_str(head);
    for item in items {
        h.push_str(&row(item));
        h.push('\n');
    }
    h.push_str("</table>\n");
}

/// A [`table`], left out when there are no items.
fn table_if_any<T>(h: &mut String, head: &str, items: &[T], row: impl Fn(&T) -> String) {
    if !items.is_empty() {
        table(h, head, items, row);
    }
}

/// The cells of the violations, warnings and notices.
fn count_cells(c: &Counts) -> String {
    [c.violation, c.warning, c.notice]
        .into_iter()
        .map(num_cell)
        .collect()
}

/// Sorts `Art. 9` before `Art. 14(1)` before `Art. 21(5)`.
fn article_order(a: &str) -> (u32, u32, String) {
    let rest = a.trim_start_matches("Art. ");
    let (main, sub) = rest.split_once('(').unwrap_or((rest, ""));
    let n = |t: &str| t.trim_end_matches(')').parse::<u32>().unwrap_or(u32::MAX);
    (
        n(main),
        if sub.is_empty() { 0 } else { n(sub) },
        a.to_string(),
    )
}

/// The Chinese name of an event kind, for the timeline a judge reads.
pub(crate) fn event_zh(name: &str) -> &'static str {
    match name {
        "Genesis" => "建立账本",
        "KeyAuthorized" => "密钥授权",
        "KeyRevoked" => "密钥撤销",
        "CaseOpened" => "立案",
        "DocumentFiled" => "文书入卷",
        "DecisionMade" => "作出决定",
        "CaseClosed" => "结案",
        "PartyNotified" => "告知当事人",
        "RecordingStarted" => "开始音像记录",
        "SegmentSealed" => "音像片段",
        "RecordingInterrupted" => "记录中断",
        "RecordingStopped" => "结束音像记录",
        "RecordingExempted" => "不宜音像记录",
        "Archived" => "归档",
        "Handover" => "移交",
        "RetentionSet" => "设定保存期限",
        "PreservationOrdered" => "决定长期保存",
        "PreservationReleased" => "解除长期保存",
        "DerivativeMade" => "制作副本",
        "MediaPurged" => "删除介质",
        "AccessRequested" => "申请查阅",
        "AccessDecided" => "答复申请",
        "RecordViewed" => "调阅",
        "RecordDisclosed" => "对外提供",
        "Erased" => "删除个人信息",
        "CircumstanceReported" => "报告长期保存情形",
        "ConfidentialityMarked" => "标记密级",
        "DocumentDescribed" => "载明证明对象",
        _ => "",
    }
}

fn findings_list(h: &mut String, findings: &[&Finding]) {
    h.push_str("<ul class=\"findings\">\n");
    for f in findings {
        let sev = f.severity.as_str();
        let _ = writeln!(
            h,
            "<li class=\"{sev}\">{} <b>{}</b> <span class=\"muted\">{}</span>: {}<br>{}<br><span class=\"rule\">rule {}{}{}</span></li>",
            pill(sev, &severity_label(f.severity)),
            escape(&heading_of(&f.rule)),
            escape(&super::zh::citation(&f.article)),
            escape(super::zh::breach(&f.rule)),
            escape(&f.message),
            escape(&f.rule),
            if f.seqs.is_empty() { "" } else { " · " },
            escape(&seqs_text(&f.seqs))
        );
    }
    h.push_str("</ul>\n");
}

fn case_section(h: &mut String, findings: &[&Finding], i: usize, c: &CaseSummary) {
    let badge = if c.findings.total() == 0 {
        pill("clean", "无问题 no findings")
    } else {
        [
            (c.findings.violation, "violation"),
            (c.findings.warning, "warning"),
            (c.findings.notice, "notice"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, class)| pill(class, &plural(*n, class, &format!("{class}s"))))
        .collect::<Vec<_>>()
        .join(" ")
    };
    let _ = write!(
        h,
        "<section class=\"case{}\" id=\"case-{i}\">\n<div class=\"case-head\"><h2>案件 Case {}</h2><div>{badge}</div></div>\n<dl class=\"meta\">",
        if c.findings.violation > 0 { " has-violation" } else { "" },
        escape(&case_label(&c.case_no))
    );
    let opt = |v: &Option<String>| escape(v.as_deref().unwrap_or("—"));
    let _ = writeln!(
        h,
        "<dt>行为 Act</dt><dd>{}</dd><dt>事项 Matter</dt><dd>{}</dd><dt>单位 Unit</dt><dd>{}</dd><dt>状态 Status</dt><dd>{}</dd><dt>条目 Entries</dt><dd>{} (opened at {}, decisions at {}, closed at {}); {} documents, {} recordings</dd></dl>",
        opt(&c.act),
        opt(&c.matter),
        opt(&c.unit),
        escape(status_text(c.status)),
        c.entries,
        c.opened_seq.map_or("—".into(), |s| format!("entry {s}")),
        if c.decisions.is_empty() {
            "—".to_string()
        } else {
            seqs_text(&c.decisions)
        },
        c.closed_seq.map_or("—".into(), |s| format!("entry {s}")),
        c.documents,
        c.sessions.len()
    );
    if !findings.is_empty() {
        h.push_str("<h3>问题 Findings</h3>\n");
        findings_list(h, findings);
    }
    if !c.deadlines.is_empty() {
        h.push_str("<h3>期限 Deadlines</h3>\n<table><tr><th>What</th><th>From</th><th>Due</th><th>Done</th><th>Status</th></tr>\n");
        for d in &c.deadlines {
            let status = match d.status {
                DeadlineStatus::Met => "met",
                DeadlineStatus::Late => "late",
                DeadlineStatus::Missed => "missed",
                DeadlineStatus::Pending => "pending",
            };
            let _ = writeln!(
                h,
                "<tr><td>{} <span class=\"muted\">({})</span></td><td class=\"when\">{}</td><td class=\"when\">{}</td><td class=\"when\">{}</td><td>{}</td></tr>",
                escape(&d.what),
                escape(&heading_of(&d.rule)),
                when(d.from),
                when(d.due),
                match (d.done_at, d.done_seq) {
                    (Some(t), Some(seq)) => format!("{} <span class=\"muted\">entry {seq}</span>", when(t)),
                    _ => "—".into(),
                },
                pill(status, deadline_text(d.status))
            );
        }
        h.push_str("</table>\n");
    }
    if !c.sessions.is_empty() {
        h.push_str("<h3>音像记录 Recordings</h3>\n");
        for s in &c.sessions {
            session_block(h, s);
        }
    }
    if !c.evidence.is_empty() {
        h.push_str("<h3>证据清单 Evidence list</h3>\n<table class=\"evidence\"><tr>");
        for col in super::stats::EVIDENCE_COLUMNS_ZH {
            let _ = write!(h, "<th>{}</th>", escape(col));
        }
        h.push_str("</tr>\n");
        for e in &c.evidence {
            let _ = writeln!(
                h,
                "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"digest\">{}</td><td class=\"num\">{}</td></tr>",
                e.no,
                escape(&e.name),
                escape(&e.source),
                escape(&e.proves),
                escape(&super::stats::extent_text(e)),
                e.length,
                escape(&e.digest),
                e.seq
            );
        }
        h.push_str("</table>\n");
    }
    if let Some(timeline) = &c.timeline {
        h.push_str("<h3>时间线 Timeline</h3>\n<table class=\"timeline\"><tr><th class=\"num\">条目 #</th><th>入账 Logged</th><th>事项 Event</th><th>签名人 Author</th><th>内容 Detail</th><th>问题 Findings</th></tr>\n");
        for t in timeline {
            let class = t
                .severity
                .map_or(String::new(), |s| format!(" class=\"sev-{}\"", s.as_str()));
            let claimed = if (t.time.0 - t.logged_at.0).abs() >= 1000 {
                format!(
                    "<br><span class=\"claimed\">claimed {}</span>",
                    when(t.time)
                )
            } else {
                String::new()
            };
            let proven = t.proven_before.as_ref().map_or(String::new(), |p| {
                format!(
                    "<br><span class=\"proven\">已证明存在于 proven before {} ({})</span>",
                    when(p.time),
                    escape(&p.source.to_string())
                )
            });
            let _ = writeln!(
                h,
                "<tr{class}><td class=\"num\">{}</td><td class=\"when\">{}{claimed}{proven}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                t.seq,
                when(t.logged_at),
                escape(&format!("{} {}", event_zh(&t.event), t.event)),
                escape(&t.author),
                escape(&t.detail),
                escape(&t.rules.join(", "))
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("</section>\n");
}

fn session_block(h: &mut String, s: &SessionSummary) {
    let _ = write!(
        h,
        "<div class=\"session\"><b>{}</b> — {} at {} <span class=\"muted\">(landmark: {})</span><br><span class=\"muted\">officers {}; started entry {}; notified {}; {} segments; stopped {}; archived {}</span>",
        escape(&s.session),
        escape(&s.method),
        escape(&s.place),
        escape(s.landmark.as_deref().unwrap_or("none")),
        escape(&s.officers.join(", ")),
        s.started_seq,
        s.notified_seq
            .map_or("—".into(), |q| format!("entry {q}")),
        s.segments,
        s.stopped_seq.map_or("—".into(), |q| format!("entry {q}")),
        s.archived_seq.map_or("—".into(), |q| format!("entry {q}"))
    );
    if let (Some(first), Some(last)) = (s.first_start, s.last_end) {
        let span = (last.0 - first.0).max(1) as f64;
        let pct = |t: Timestamp| ((t.0 - first.0) as f64 / span * 100.0).clamp(0.0, 100.0);
        h.push_str("<div class=\"strip\">");
        let mut prev_end: Option<Timestamp> = None;
        for g in &s.segment_list {
            if let (Some(gap), Some(pe)) = (g.gap_before_ms, prev_end) {
                let _ = write!(
                    h,
                    "<div class=\"gap{}\" style=\"left:{:.3}%;width:{:.3}%\" title=\"{} gap\"></div>",
                    if g.gap_explained { " explained" } else { "" },
                    pct(pe),
                    (pct(g.start) - pct(pe)).max(0.0),
                    escape(&format_span(gap))
                );
            }
            let _ = write!(
                h,
                "<div class=\"seg\" style=\"left:{:.3}%;width:{:.3}%\" title=\"segment {} (entry {})\"></div>",
                pct(g.start),
                (pct(g.end) - pct(g.start)).max(0.2),
                g.index,
                g.seq
            );
            prev_end = Some(g.end);
        }
        let _ = write!(
            h,
            "</div><div class=\"axis\"><span>{}</span><span>{} of footage{}</span><span>{}</span></div>",
            when(first),
            escape(&format_span(last.0 - first.0)),
            if s.unexplained_gaps > 0 {
                format!(
                    ", {} unexplained gap{}",
                    s.unexplained_gaps,
                    if s.unexplained_gaps == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            },
            when(last)
        );
    }
    h.push_str("</div>\n");
}

/// What an adapter says when the ledger is tampered and therefore not audited (its audit would
/// mean nothing): the JSON report `{format, audited: false, integrity}` and the text.
#[derive(serde::Serialize)]
pub struct NotAudited<'a> {
    /// [`super::REPORT_FORMAT`].
    pub format: &'static str,
    /// Always `false`.
    pub audited: bool,
    /// The integrity check's summary.
    pub integrity: &'a Integrity,
}

/// The text for a tampered ledger that is not audited: the verdict for `dir`, then up to ten
/// of the tampering findings of `integrity` (the check's report), one line each.
pub fn not_audited_text(dir: &std::path::Path, integrity: &crate::verify::Report) -> String {
    let mut out = format!(
        "liuhen audit 审计: {} is TAMPERED (integrity failure); a tampered ledger is not audited.\n",
        dir.display()
    );
    let tampering = integrity
        .findings
        .iter()
        .filter(|f| f.severity == crate::verify::Severity::Tampering);
    for f in tampering.clone().take(10) {
        let _ = writeln!(out, "  - {}", f.message);
    }
    let more = tampering.count().saturating_sub(10);
    if more > 0 {
        let _ = writeln!(out, "  … and {more} more; `liuhen verify` lists them all.");
    }
    out
}

/// The evidence list (证据清单) of case `case_no` as text: a heading, then one line per item
/// (序号, 名称, 来源, 证明对象, 时长/页数, length, digest, entry). [`super::stats::evidence_csv`]
/// is the same list as CSV.
pub fn evidence_text(case_no: &str, items: &[EvidenceItem]) -> String {
    let mut out = format!("证据清单 evidence list — {case_no}\n");
    for e in items {
        let _ = writeln!(
            out,
            "{}. {} | {} | {} | {} | {} bytes | {} | entry {}",
            e.no,
            e.name,
            e.source,
            e.proves,
            super::stats::extent_text(e),
            e.length,
            e.digest,
            e.seq
        );
    }
    out
}
