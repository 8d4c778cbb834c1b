//! The report in Chinese (`liuhen audit --lang zh`): citations as the regulation's own text
//! cites itself (第十四条第（一）项), act names, and for each finding the rule's statement of
//! what was breached, its particulars in Chinese (`Finding::message_zh`: times, spans, entries)
//! and the recording, entries and officers it rests on. The English report's `message` may say
//! a little more (the reasons a purge was unlawful, the labels that are wrong); it stays in the
//! English report and the JSON.

use std::fmt::Write as _;

use super::render::{section, write_cases, CaseText};
use super::report::*;
use super::rules::{self, Severity};
use super::time::format_time;

const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// A number written in Chinese, as article numbers are (1–99).
pub fn number(n: u32) -> String {
    let digit = |d: u32| DIGITS.get(d as usize).copied().unwrap_or("");
    match n {
        0..=9 => digit(n).to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { digit(n % 10) }),
        20..=99 => format!(
            "{}十{}",
            digit(n / 10),
            if n.is_multiple_of(10) {
                ""
            } else {
                digit(n % 10)
            }
        ),
        _ => n.to_string(),
    }
}

/// `Art. 14(1)` → `第十四条第（一）项`; `Art. 22` → `第二十二条`. Anything else unchanged.
pub fn citation(article: &str) -> String {
    let Some(rest) = article.strip_prefix("Art. ") else {
        return article.to_string();
    };
    let (num, item) = match rest.split_once('(') {
        Some((n, i)) => (n, i.strip_suffix(')')),
        None => (rest, None),
    };
    let Ok(n) = num.trim().parse::<u32>() else {
        return article.to_string();
    };
    match item.map(|i| i.parse::<u32>()) {
        None => format!("第{}条", number(n)),
        Some(Ok(i)) => format!("第{}条第（{}）项", number(n), number(i)),
        Some(Err(_)) => article.to_string(),
    }
}

/// 违规, 警示, 提示.
pub fn severity(s: Severity) -> &'static str {
    s.zh()
}

/// The act names of reports (`inspection`, `other: 名称`) in Chinese.
pub fn act(name: &str) -> String {
    match name {
        "licensing" => "行政许可".into(),
        "inspection" => "行政检查".into(),
        "penalty" => "行政处罚".into(),
        "coercion" => "行政强制".into(),
        other => match other.strip_prefix("other: ") {
            Some(n) => format!("其他执法行为（{n}）"),
            None => other.to_string(),
        },
    }
}

/// What a finding of `rule` says was breached, in Chinese.
pub fn breach(rule: &str) -> &'static str {
    use rules::id::*;
    match rule {
        ART3_STAGE_ORDER => "执法文书所处环节与办案顺序不符：尚未作出决定即有送达执行文书，或作出决定后又有启动环节文书",
        ART9_RECORD => "案件已作出决定或结案，但无任何文字记录或音像记录",
        ART9_RECORD_PENDING => "案件立案后超过规定期限仍无任何执法记录",
        ART10_OFFICERS => "文字记录未载明制作的执法人员",
        ART10_BASIS => "决定未载明所依据的任何记录",
        ART10_APPROVAL => "应当经内部审批或法制审核的决定，作出前未见内部审批表或法制审核意见",
        ART10_SERVICE => "应当送达的决定未在期限内制作送达回证",
        ART12_AV => "采取行政强制措施未对现场执行进行全过程音像记录",
        ART12_EXEMPTED => "采取行政强制措施未进行音像记录，但有经批准的不宜音像记录说明",
        ART14_1_NOTIFIED => "开始音像记录时未首先告知当事人",
        ART14_2_METADATA => "音像记录未完整反映执法时间、地点、事项或执法人员",
        ART14_2_PARTY => "音像记录未载明在场当事人，无法核查是否首先告知",
        ART14_3_LANDMARK => "音像记录未摄录执法场所标志或周边标志性建筑",
        ART14_4_GAP => "音像记录中途断续，且无中断情况说明",
        ART14_4_INTERRUPTED => "音像记录中断，已说明中断原因",
        ART14_4_RESTART => "在同一执法场所停止后重新开始记录，造成断续记录，且无中断情况说明",
        ART14_4_NOT_STOPPED => "音像记录未见结束记录",
        ART14_4_AFTER_THE_FACT => "执法记录最早被见证或加盖时间戳的时间远晚于其所称的执法时间，疑为事后补录",
        ART15_EXEMPTION => "不宜音像记录的说明未载明理由或批准人",
        ART16_ARCHIVED => "音像记录未在二十四小时内存储归档，且无延迟归档说明",
        ART16_LATE_JUSTIFIED => "音像记录逾期归档，已有延迟归档说明",
        ART16_LABELS => "归档记录未完整标明案件编号、记录方式、记录时间、记录人或证明对象",
        ART16_CUSTODIAN => "归档记录未指定专人负责，或所指定的保管人不是登记的保管人员",
        ART16_ARCHIVED_BY => "归档操作由无归档权限的设备或人员完成",
        ART16_TRANSCRIPT => "录音记录归档时未附文字说明",
        ART17_FILE_RETENTION => "案卷保存期限短于该类执法行为的最低保存期限",
        ART17_RETENTION => "作为证据的音像记录保存期限短于案卷保存期限",
        ART17_FLOOR => "未关联案件的音像记录在最低保存期限届满前被删除",
        ART18_PRESERVATION => "出现应当长期保存的情形后，未在期限内作出长期保存决定",
        ART18_COPY => "长期保存的音像记录未在期限内刻录光盘或以其他方式长期保存",
        ART18_RELEASE => "解除长期保存未载明批准人",
        ART19_DISCLOSURE => "向非当事人、未经批准的申请人提供执法记录，或在申请被拒绝后仍予提供",
        ART19_REQUEST_DECIDED => "查阅、复制申请未在期限内答复",
        ART20_CONFIDENTIAL => "涉及保密、隐私的记录未经脱敏即对外提供原件",
        ART21_RESPONSIBLE => "由系统签署的决定无法确定负责的执法人员",
        ART21_3_HANDLING => "执法人员调阅非本人承办案件的执法记录",
        ART21_3_VIEW => "无调阅权限的设备或人员调阅执法记录",
        ART21_5_PURGE => "在保存期限内或长期保存期间删除音像记录",
        EVIDENCE_BEFORE_DECISION => "决定所依据的证据系作出决定后收集（不得事后取证）",
        _ => "未知规则",
    }
}

fn status(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::Unopened => "未立案",
        CaseStatus::Open => "办理中",
        CaseStatus::Decided => "已决定",
        CaseStatus::Closed => "已结案",
    }
}

fn counts(c: &Counts) -> String {
    format!(
        "违规 {} 项、警示 {} 项、提示 {} 项",
        c.violation, c.warning, c.notice
    )
}

fn entries(seqs: &[u64]) -> String {
    let list: Vec<String> = seqs.iter().map(u64::to_string).collect();
    if list.is_empty() {
        String::new()
    } else {
        format!("条目 {}", list.join("、"))
    }
}

fn finding(out: &mut String, f: &Finding) {
    let term = rules::rule(&f.rule).map_or("", |r| r.term_zh);
    let mut at = Vec::new();
    if let Some(s) = &f.session {
        at.push(format!("音像记录 {s}"));
    }
    let e = entries(&f.seqs);
    if !e.is_empty() {
        at.push(e);
    }
    if !f.officers.is_empty() {
        at.push(format!("执法人员 {}", f.officers.join("、")));
    }
    let particulars = f
        .message_zh
        .as_deref()
        .map_or(String::new(), |m| format!("。{m}"));
    let _ = writeln!(
        out,
        "  【{}】{} {}：{}{particulars}（{}）",
        severity(f.severity),
        citation(&f.article),
        term,
        breach(&f.rule),
        at.join("；")
    );
}

/// The report as plain text, in Chinese. Times are Asia/Shanghai.
pub fn text(report: &AuditReport) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let _ = writeln!(
        out,
        "执法全过程记录审计报告 — {}",
        report.origin.as_deref().unwrap_or("（无创世条目的账本）")
    );
    let _ = writeln!(
        out,
        "审计规则：{}；审计截止时间：{}；审计条目 {} 条，截止时间后登记的 {} 条未计入",
        report.profile,
        format_time(report.as_of),
        report.entries,
        report.entries_after_as_of
    );
    if let Some(i) = &report.integrity {
        let verdict = match i.verdict.as_str() {
            "verified" => "已验证",
            "tampered" => "已被篡改",
            "unverified" => "未能完全验证（未提供验证公钥）",
            other => other,
        };
        let _ = writeln!(out, "完整性：{verdict}（{} 条）", i.entries);
    }
    let _ = writeln!(
        out,
        "案件 {} 件，音像记录 {} 个；违规 {} 项，警示 {} 项，提示 {} 项",
        s.cases, s.sessions, s.violations, s.warnings, s.notices
    );
    write_cases(
        &mut out,
        report,
        &CaseText {
            case: |out, c| {
                let about = match (&c.act, &c.matter, &c.unit) {
                    (Some(a), Some(m), Some(u)) => format!("{}，{m}（{u}），", act(a)),
                    _ => String::new(),
                };
                let _ = writeln!(
                    out,
                    "\n案件 {} — {about}{}：{}",
                    c.case_no,
                    status(c.status),
                    counts(&c.findings)
                );
            },
            finding,
            unlinked: "\n不属于任何案件：",
            clean: "\n无问题的案件：",
            clean_label: str::to_string,
            clean_separator: "、",
        },
    );
    let sup = &report.supervision;
    let _ = writeln!(out, "\n监督统计（第八条）");
    section(
        &mut out,
        "  按条款：",
        &sup.by_article,
        |(article, c)| format!("    {}：{}", citation(article), counts(c)),
    );
    section(
        &mut out,
        "  按执法单位：",
        &sup.by_unit,
        |(unit, u)| {
            let unit = if unit == "(no unit)" {
                "（无单位）"
            } else {
                unit
            };
            format!("    {unit}：案件 {} 件；{}", u.cases, counts(&u.findings))
        },
    );
    section(
        &mut out,
        "  按执法人员：",
        &sup.by_officer,
        |(name, o)| {
            format!(
                "    {name}：案件 {} 件，音像记录 {} 个，文书 {} 份，决定 {} 件；{}",
                o.cases,
                o.sessions,
                o.documents,
                o.decisions,
                counts(&o.findings)
            )
        },
    );
    let _ = writeln!(
        out,
        "\n结论：{}",
        if report.has_violations() {
            format!("违规 {} 项，不合规", s.violations)
        } else if s.warnings > 0 {
            format!("无违规，警示 {} 项", s.warnings)
        } else {
            "无违规，合规".to_string()
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_read_as_the_regulation_cites_itself() {
        for (article, cited) in [
            ("Art. 14(1)", "第十四条第（一）项"),
            ("Art. 21(3)", "第二十一条第（三）项"),
            ("Art. 9", "第九条"),
            ("Art. 10", "第十条"),
            ("Art. 22", "第二十二条"),
            ("Art. 20", "第二十条"),
            ("something", "something"),
        ] {
            assert_eq!(citation(article), cited);
        }
    }

    #[test]
    fn every_rule_has_a_chinese_statement() {
        for r in rules::RULES {
            assert_ne!(breach(r.id), "未知规则", "{}", r.id);
        }
    }
}
