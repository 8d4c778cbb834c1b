//! Statistics for the supervising office (Art. 8) and evidence lists for a court, as tables
//! and CSV, derived from an [`AuditReport`] alone (so a saved JSON report gives the same).
//!
//! Statistics count cases and findings by period (month or quarter, Asia/Shanghai: a case by
//! when it was opened, a finding by when the first entry it cites was logged), by kind of act,
//! by unit, by officer and by article. CSV is RFC 4180 (comma-separated, CRLF, fields quoted
//! when needed); a field that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`) is
//! prefixed with `'`, since case numbers and names come from the ledger.

use std::collections::{BTreeMap, BTreeSet};

use super::report::*;
use super::rules::Severity;
use super::time::year_month;
use super::zh;
use crate::model::Timestamp;

/// How statistics group time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatPeriod {
    /// Calendar months: `2026-03`.
    Month,
    /// Calendar quarters: `2026-Q1`.
    Quarter,
}

impl core::str::FromStr for StatPeriod {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "month" => Ok(StatPeriod::Month),
            "quarter" => Ok(StatPeriod::Quarter),
            other => Err(format!(
                "{other:?} is not a period for statistics: use month or quarter"
            )),
        }
    }
}

/// The language of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Chinese.
    Zh,
}

impl core::str::FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "en" => Ok(Lang::En),
            "zh" => Ok(Lang::Zh),
            other => Err(format!("{other:?} is not a report language: use en or zh")),
        }
    }
}

/// One row of the statistics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatRow {
    /// `period`, `act`, `unit`, `officer` or `article`.
    pub dimension: &'static str,
    /// The group: `2026-03`, `penalty`, a unit, an officer's certificate number, `Art. 16`.
    pub group: String,
    /// Cases in the group (opened in the period; of the act or unit; the officer appears in;
    /// with a finding of the article).
    pub cases: u64,
    /// Findings in the group, by severity.
    pub findings: Counts,
}

fn period_of(t: Timestamp, by: StatPeriod) -> String {
    let (y, m) = year_month(t);
    match by {
        StatPeriod::Month => format!("{y:04}-{m:02}"),
        StatPeriod::Quarter => format!("{y:04}-Q{}", (m - 1) / 3 + 1),
    }
}

fn add(c: &mut Counts, s: Severity) {
    c.add(s);
}

/// The statistics of a report: every period, act, unit, officer and article with a case or a
/// finding, in that order and each sorted by group.
pub fn statistics(report: &AuditReport, by: StatPeriod) -> Vec<StatRow> {
    let unknown = || "(unknown)".to_string();
    let mut period: BTreeMap<String, (u64, Counts)> = BTreeMap::new();
    let mut act: BTreeMap<String, (u64, Counts)> = BTreeMap::new();
    let mut article: BTreeMap<String, (BTreeSet<String>, Counts)> = BTreeMap::new();
    let mut act_of: BTreeMap<&str, String> = BTreeMap::new();
    for c in &report.cases {
        let p = c.opened_at.map_or_else(unknown, |t| period_of(t, by));
        period.entry(p).or_default().0 += 1;
        let a = c.act.clone().unwrap_or_else(unknown);
        act.entry(a.clone()).or_default().0 += 1;
        act_of.insert(c.case_no.as_str(), a);
    }
    for f in &report.findings {
        let p = f.logged_at.map_or_else(unknown, |t| period_of(t, by));
        add(&mut period.entry(p).or_default().1, f.severity);
        let a = f
            .case_no
            .as_deref()
            .and_then(|c| act_of.get(c).cloned())
            .unwrap_or_else(unknown);
        add(&mut act.entry(a).or_default().1, f.severity);
        let e = article.entry(f.article.clone()).or_default();
        if let Some(c) = &f.case_no {
            e.0.insert(c.clone());
        }
        add(&mut e.1, f.severity);
    }
    let mut rows = Vec::new();
    for (g, (cases, findings)) in period {
        rows.push(StatRow {
            dimension: "period",
            group: g,
            cases,
            findings,
        });
    }
    for (g, (cases, findings)) in act {
        rows.push(StatRow {
            dimension: "act",
            group: g,
            cases,
            findings,
        });
    }
    for (g, u) in &report.supervision.by_unit {
        rows.push(StatRow {
            dimension: "unit",
            group: g.clone(),
            cases: u.cases,
            findings: u.findings,
        });
    }
    for (g, o) in &report.supervision.by_officer {
        rows.push(StatRow {
            dimension: "officer",
            group: g.clone(),
            cases: o.cases,
            findings: o.findings,
        });
    }
    let mut articles: Vec<(String, (BTreeSet<String>, Counts))> = article.into_iter().collect();
    articles.sort_by_key(|(a, _)| article_key(a));
    for (g, (cases, findings)) in articles {
        rows.push(StatRow {
            dimension: "article",
            group: g,
            cases: cases.len() as u64,
            findings,
        });
    }
    rows
}

/// `Art. 14(4)` → (14, 4) for ordering; others last.
fn article_key(a: &str) -> (u32, u32, String) {
    let rest = a.strip_prefix("Art. ").unwrap_or(a);
    let (n, i) = rest.split_once('(').unwrap_or((rest, ""));
    (
        n.trim().parse().unwrap_or(u32::MAX),
        i.trim_end_matches(')').parse().unwrap_or(0),
        a.to_string(),
    )
}

fn dimension_zh(d: &str) -> &'static str {
    match d {
        "period" => "期间",
        "act" => "执法行为",
        "unit" => "执法单位",
        "officer" => "执法人员",
        "article" => "条款",
        _ => "其他",
    }
}

fn group_text(r: &StatRow, lang: Lang) -> String {
    match (lang, r.dimension) {
        (Lang::Zh, "act") => zh::act(&r.group),
        (Lang::Zh, "article") => zh::citation(&r.group),
        (Lang::Zh, _) if r.group == "(unknown)" || r.group == "(no unit)" => "（未知）".into(),
        _ => r.group.clone(),
    }
}

/// One CSV field (RFC 4180), with formula-like text defused.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn csv_line(out: &mut String, fields: &[String]) {
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

/// The statistics as CSV, with a header row.
pub fn statistics_csv(rows: &[StatRow], lang: Lang) -> String {
    let mut out = String::new();
    let header: &[&str] = match lang {
        Lang::En => &[
            "dimension",
            "group",
            "cases",
            "violations",
            "warnings",
            "notices",
        ],
        Lang::Zh => &["维度", "分组", "案件数", "违规", "警示", "提示"],
    };
    csv_line(
        &mut out,
        &header.iter().map(|h| (*h).to_string()).collect::<Vec<_>>(),
    );
    for r in rows {
        csv_line(
            &mut out,
            &[
                match lang {
                    Lang::En => r.dimension.to_string(),
                    Lang::Zh => dimension_zh(r.dimension).to_string(),
                },
                group_text(r, lang),
                r.cases.to_string(),
                r.findings.violation.to_string(),
                r.findings.warning.to_string(),
                r.findings.notice.to_string(),
            ],
        );
    }
    out
}

/// The statistics as a plain-text table.
pub fn statistics_text(rows: &[StatRow], lang: Lang) -> String {
    let mut out = String::new();
    let mut last = "";
    for r in rows {
        if r.dimension != last {
            last = r.dimension;
            out.push_str(&match lang {
                Lang::En => format!("by {}:\n", r.dimension),
                Lang::Zh => format!("按{}：\n", dimension_zh(r.dimension)),
            });
        }
        out.push_str(&match lang {
            Lang::En => format!(
                "  {}: {} cases; {} violations, {} warnings, {} notices\n",
                group_text(r, lang),
                r.cases,
                r.findings.violation,
                r.findings.warning,
                r.findings.notice
            ),
            Lang::Zh => format!(
                "  {}：案件 {} 件；违规 {} 项，警示 {} 项，提示 {} 项\n",
                group_text(r, lang),
                r.cases,
                r.findings.violation,
                r.findings.warning,
                r.findings.notice
            ),
        });
    }
    out
}

/// The column names of an evidence list.
pub const EVIDENCE_COLUMNS_ZH: [&str; 8] = [
    "序号",
    "名称",
    "来源",
    "证明对象",
    "时长/页数",
    "大小（字节）",
    "摘要（BLAKE3）",
    "条目",
];

/// An evidence list (证据清单: [`CaseSummary::evidence`], or a verified bundle's) as CSV, with a
/// Chinese header row (the list is for a Chinese court whatever the report's language).
pub fn evidence_csv(items: &[EvidenceItem]) -> String {
    let mut out = String::new();
    csv_line(
        &mut out,
        &EVIDENCE_COLUMNS_ZH
            .iter()
            .map(|h| (*h).to_string())
            .collect::<Vec<_>>(),
    );
    for e in items {
        csv_line(
            &mut out,
            &[
                e.no.to_string(),
                e.name.clone(),
                e.source.clone(),
                e.proves.clone(),
                extent_text(e),
                e.length.to_string(),
                e.digest.clone(),
                e.seq.to_string(),
            ],
        );
    }
    out
}

/// The 时长/页数 of an evidence item: a recording's duration ([`duration_text`]), a text
/// record's pages (`3页`), or `—` when its pages are not recorded.
pub fn extent_text(item: &EvidenceItem) -> String {
    match (item.duration_ms, item.pages) {
        (Some(ms), _) => duration_text(Some(ms)),
        (None, Some(pages)) => format!("{pages}页"),
        (None, None) => "—".to_string(),
    }
}

/// `12分钟`, `1小时5分钟`, `20秒`, or `—` when there is no duration.
pub fn duration_text(ms: Option<i64>) -> String {
    let Some(ms) = ms else {
        return "—".to_string();
    };
    let s = ms.max(0) / 1000;
    let (h, m, sec) = (s / 3600, (s / 60) % 60, s % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}小时"));
    }
    if m > 0 {
        out.push_str(&format!("{m}分钟"));
    }
    if sec > 0 || out.is_empty() {
        out.push_str(&format!("{sec}秒"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("a"), "a");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("-1,2"), "\"'-1,2\"");
    }

    #[test]
    fn durations_read_in_chinese() {
        assert_eq!(duration_text(Some(720_000)), "12分钟");
        assert_eq!(duration_text(Some(3_920_000)), "1小时5分钟20秒");
        assert_eq!(duration_text(Some(500)), "0秒");
        assert_eq!(duration_text(None), "—");
    }

    #[test]
    fn periods_are_shanghai_months_and_quarters() {
        // 2026-03-31T16:30:00Z is 2026-04-01 00:30 in Shanghai.
        let t = Timestamp(1_774_974_600_000);
        assert_eq!(period_of(t, StatPeriod::Month), "2026-04");
        assert_eq!(period_of(t, StatPeriod::Quarter), "2026-Q2");
    }
}
