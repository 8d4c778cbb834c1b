//! The rule table: every rule the audit applies, with its stable id, the article it enforces,
//! its severity and the Chinese term beside the English one.
//!
//! Ids are stable: reports, profiles (`disabled_rules`, `severity`) and the supervising
//! office's statistics refer to them. A rule is never renumbered; a retired rule keeps its id
//! reserved. `docs/AUDIT.md` describes each rule in full.

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a look; nothing required is missing (e.g. AV replaced by an approved exemption).
    Notice,
    /// A departure with a recorded explanation, or a situation that will become a violation
    /// if nothing changes (an explained gap, a late archive with a justification).
    Warning,
    /// What the regulation requires is missing or late: `liuhen audit` exits with 2.
    Violation,
}

impl Severity {
    /// `violation`, `warning`, `notice`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Notice => "notice",
            Severity::Warning => "warning",
            Severity::Violation => "violation",
        }
    }

    /// 违规, 警示, 提示.
    pub fn zh(self) -> &'static str {
        match self {
            Severity::Notice => "提示",
            Severity::Warning => "警示",
            Severity::Violation => "违规",
        }
    }
}

/// One rule of the audit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable id, e.g. `art14-1.notified`.
    pub id: &'static str,
    /// The article it enforces, as findings cite it: `Art. 14(1)`.
    pub article: &'static str,
    /// The regulation's term for what the rule is about, in Chinese: `告知当事人`.
    pub term_zh: &'static str,
    /// The same term in English: `notifying the party`.
    pub term_en: &'static str,
    /// Severity of its findings, unless a profile overrides it.
    pub severity: Severity,
    /// What it checks, in one sentence.
    pub checks: &'static str,
}

/// Stable rule ids, so that the engine cannot misspell one.
pub mod id {
    /// Art. 3: a text record filed at a stage the case has not reached, or has left.
    pub const ART3_STAGE_ORDER: &str = "art3.stage_order";
    /// Art. 9: a decided or closed case has no record.
    pub const ART9_RECORD: &str = "art9.record";
    /// Art. 9: an open case has had no record for longer than the grace period.
    pub const ART9_RECORD_PENDING: &str = "art9.record_pending";
    /// Art. 10: a text record naming no officers.
    pub const ART10_OFFICERS: &str = "art10.officers";
    /// Art. 10: a decision that relies on no record.
    pub const ART10_BASIS: &str = "art10.basis";
    /// Art. 10: a decision that needs approval or legal review has none before it.
    pub const ART10_APPROVAL: &str = "art10.approval";
    /// Art. 10: a decision that must be served has no service receipt.
    pub const ART10_SERVICE: &str = "art10.service";
    /// Art. 12: a decision without full-process AV.
    pub const ART12_AV: &str = "art12.av";
    /// Art. 12: a decision without AV under an approved exemption.
    pub const ART12_EXEMPTED: &str = "art12.exempted";
    /// Art. 14(1): the party was not told before recording.
    pub const ART14_1_NOTIFIED: &str = "art14-1.notified";
    /// Art. 14(2): recording metadata incomplete.
    pub const ART14_2_METADATA: &str = "art14-2.metadata";
    /// Art. 14(2): no party recorded.
    pub const ART14_2_PARTY: &str = "art14-2.party";
    /// Art. 14(3): no landmark.
    pub const ART14_3_LANDMARK: &str = "art14-3.landmark";
    /// Art. 14(4): unexplained gap.
    pub const ART14_4_GAP: &str = "art14-4.gap";
    /// Art. 14(4): gap explained by `RecordingInterrupted`.
    pub const ART14_4_INTERRUPTED: &str = "art14-4.interrupted";
    /// Art. 14(4): stopped and restarted as a new session at the same place.
    pub const ART14_4_RESTART: &str = "art14-4.restart";
    /// Art. 14(4): session never stopped.
    pub const ART14_4_NOT_STOPPED: &str = "art14-4.not_stopped";
    /// Art. 14(4), 16: an act first proven to exist (witness or TSA time) long after its
    /// claimed time: recorded after the fact.
    pub const ART14_4_AFTER_THE_FACT: &str = "art14-4.after_the_fact";
    /// Art. 15: exemption without reason or approver.
    pub const ART15_EXEMPTION: &str = "art15.exemption";
    /// Art. 16: not archived in time.
    pub const ART16_ARCHIVED: &str = "art16.archived";
    /// Art. 16: archived late with a justification.
    pub const ART16_LATE_JUSTIFIED: &str = "art16.late_justified";
    /// Art. 16: labels incomplete or wrong.
    pub const ART16_LABELS: &str = "art16.labels";
    /// Art. 16: no custodian.
    pub const ART16_CUSTODIAN: &str = "art16.custodian";
    /// Art. 16: archived under a key whose role may not archive (a device).
    pub const ART16_ARCHIVED_BY: &str = "art16.archived_by";
    /// Art. 16: an audio recording archived without a transcript.
    pub const ART16_TRANSCRIPT: &str = "art16.transcript";
    /// Art. 17: the case file kept shorter than the minimum for its kind of act.
    pub const ART17_FILE_RETENTION: &str = "art17.file_retention";
    /// Art. 17: evidence AV kept shorter than the case file.
    pub const ART17_RETENTION: &str = "art17.retention";
    /// Art. 17: footage not linked to a case purged before the floor.
    pub const ART17_FLOOR: &str = "art17.floor";
    /// Art. 18: no preservation order after a circumstance.
    pub const ART18_PRESERVATION: &str = "art18.preservation";
    /// Art. 18: a preservation order with no long-term copy made.
    pub const ART18_COPY: &str = "art18.copy";
    /// Art. 18: preservation released without approval.
    pub const ART18_RELEASE: &str = "art18.release";
    /// Art. 19, 21(3): records disclosed to someone who is not a party, holds no granted
    /// request, and by a key whose role may not disclose on its own (or despite a refusal).
    pub const ART19_DISCLOSURE: &str = "art19.disclosure";
    /// Art. 19: an access request not decided within the deadline.
    pub const ART19_REQUEST_DECIDED: &str = "art19.request_decided";
    /// Art. 20: a record marked confidential disclosed unredacted.
    pub const ART20_CONFIDENTIAL: &str = "art20.confidential";
    /// Art. 21: a decision signed by the system names no responsible officer.
    pub const ART21_RESPONSIBLE: &str = "art21.responsible";
    /// Art. 21(3): an officer viewed a case they do not handle.
    pub const ART21_3_HANDLING: &str = "art21-3.handling";
    /// Art. 20, 21(3): a record viewed under a key whose role may not view records.
    pub const ART21_3_VIEW: &str = "art21-3.view";
    /// Art. 21(5): media purged while it had to be kept.
    pub const ART21_5_PURGE: &str = "art21-5.purge";
    /// National rules on evidence (Art. 22): a decision relies on after-the-fact records.
    pub const EVIDENCE_BEFORE_DECISION: &str = "evidence.before_decision";
}

/// Every rule, in article order.
pub const RULES: &[Rule] = &[
    Rule {
        id: id::ART3_STAGE_ORDER,
        article: "Art. 3",
        term_zh: "执法环节",
        term_en: "stages of the act",
        severity: Severity::Violation,
        checks: "no service or execution record (送达执行) is filed before the case has a decision, and no initiation record (启动) after it",
    },
    Rule {
        id: id::ART9_RECORD,
        article: "Art. 9",
        term_zh: "执法记录",
        term_en: "enforcement record",
        severity: Severity::Violation,
        checks: "a licensing, inspection, penalty, coercion (or other) case that reached a decision or was closed has at least one text or audio-visual record",
    },
    Rule {
        id: id::ART9_RECORD_PENDING,
        article: "Art. 9",
        term_zh: "执法记录",
        term_en: "enforcement record",
        severity: Severity::Warning,
        checks: "an open case has had no record for longer than record_grace",
    },
    Rule {
        id: id::ART10_OFFICERS,
        article: "Art. 10",
        term_zh: "文字记录",
        term_en: "text records",
        severity: Severity::Violation,
        checks: "every DocumentFiled names the officers who made it",
    },
    Rule {
        id: id::ART10_BASIS,
        article: "Art. 10",
        term_zh: "决定依据",
        term_en: "basis of the decision",
        severity: Severity::Violation,
        checks: "a DecisionMade in a case with records relies on at least one of them (relies_on is not empty)",
    },
    Rule {
        id: id::ART10_APPROVAL,
        article: "Art. 10",
        term_zh: "内部审批、法制审核",
        term_en: "internal approval, legal review",
        severity: Severity::Violation,
        checks: "a decision of a kind in approval_required_decisions has an internal approval form or a legal review (legal_review_document) of its case filed before it",
    },
    Rule {
        id: id::ART10_SERVICE,
        article: "Art. 10",
        term_zh: "送达回证",
        term_en: "service receipt",
        severity: Severity::Violation,
        checks: "a decision of a kind in service_required_decisions has a service receipt of its case filed after it, by its case's closure and within service_deadline",
    },
    Rule {
        id: id::ART12_AV,
        article: "Art. 12",
        term_zh: "全过程音像记录",
        term_en: "full-process AV recording",
        severity: Severity::Violation,
        checks: "a coercive measure ordered (a decision of a coercion case, other than a refusal, no penalty or lifting, or a coercive-measure decision in any case) has a complete AV recording of the case (segments and stop) of its execution on site, within av_execution_window of the decision before or after it, by closure",
    },
    Rule {
        id: id::ART12_EXEMPTED,
        article: "Art. 12",
        term_zh: "全过程音像记录",
        term_en: "full-process AV recording",
        severity: Severity::Notice,
        checks: "such a case was decided without AV under an approved Art. 15 exemption",
    },
    Rule {
        id: id::ART14_1_NOTIFIED,
        article: "Art. 14(1)",
        term_zh: "告知当事人",
        term_en: "notifying the party",
        severity: Severity::Violation,
        checks: "a PartyNotified of the session is dated (its at) no later than the recording's start plus notification_tolerance, whenever it was uploaded",
    },
    Rule {
        id: id::ART14_2_METADATA,
        article: "Art. 14(2)",
        term_zh: "记录信息完整",
        term_en: "complete recording information",
        severity: Severity::Violation,
        checks: "a recording names its place, matter and officers, and holds footage (its time)",
    },
    Rule {
        id: id::ART14_2_PARTY,
        article: "Art. 14(2)",
        term_zh: "当事人",
        term_en: "party present",
        severity: Severity::Warning,
        checks: "a recording names the party present (sealed); without one, Art. 14(1) cannot be checked",
    },
    Rule {
        id: id::ART14_3_LANDMARK,
        article: "Art. 14(3)",
        term_zh: "场所标志",
        term_en: "landmark of the place",
        severity: Severity::Violation,
        checks: "a recording names the visible sign of the place or a nearby landmark",
    },
    Rule {
        id: id::ART14_4_GAP,
        article: "Art. 14(4)",
        term_zh: "不得断续记录",
        term_en: "no interrupted recording",
        severity: Severity::Violation,
        checks: "consecutive segments are no further apart than segment_gap_tolerance, unless a RecordingInterrupted explains the gap",
    },
    Rule {
        id: id::ART14_4_INTERRUPTED,
        article: "Art. 14(4)",
        term_zh: "中断说明",
        term_en: "explained interruption",
        severity: Severity::Warning,
        checks: "a gap between segments that a RecordingInterrupted of the session explains",
    },
    Rule {
        id: id::ART14_4_RESTART,
        article: "Art. 14(4)",
        term_zh: "不得断续记录",
        term_en: "no interrupted recording",
        severity: Severity::Violation,
        checks: "a new session of the same case at the same place started within restart_window of the previous one's end, after a pause longer than segment_gap_tolerance, has a RecordingInterrupted explaining the pause",
    },
    Rule {
        id: id::ART14_4_NOT_STOPPED,
        article: "Art. 14(4)",
        term_zh: "记录未结束",
        term_en: "recording never stopped",
        severity: Severity::Warning,
        checks: "a session has a RecordingStopped within open_session_tolerance of its last entry",
    },
    Rule {
        id: id::ART14_4_AFTER_THE_FACT,
        article: "Art. 14(4)",
        term_zh: "不得事后补录",
        term_en: "no recording after the fact",
        severity: Severity::Violation,
        checks: "an entry of a case is proven to exist (the earliest witness cosignature or TSA token time of a checkpoint that includes it) no later than proven_before_limit (default: archive_deadline, Art. 16) after the time it claims for the act (the event's own time, else the statement's); entries with no such evidence are not judged",
    },
    Rule {
        id: id::ART15_EXEMPTION,
        article: "Art. 15",
        term_zh: "不宜音像记录",
        term_en: "exemption from AV",
        severity: Severity::Violation,
        checks: "a RecordingExempted names its reason and who approved it",
    },
    Rule {
        id: id::ART16_ARCHIVED,
        article: "Art. 16",
        term_zh: "归档",
        term_en: "archiving",
        severity: Severity::Violation,
        checks: "each recording is archived within archive_deadline of its end, judged on the Archived entry's logged_at",
    },
    Rule {
        id: id::ART16_LATE_JUSTIFIED,
        article: "Art. 16",
        term_zh: "归档",
        term_en: "archiving",
        severity: Severity::Warning,
        checks: "a late archive that a justification statement in the case explains",
    },
    Rule {
        id: id::ART16_LABELS,
        article: "Art. 16",
        term_zh: "标明案号等信息",
        term_en: "archive labels",
        severity: Severity::Violation,
        checks: "an archive is labelled with the recording's case number and capture method, the time it was made (not 0), its maker and what it is offered to prove (证明对象)",
    },
    Rule {
        id: id::ART16_CUSTODIAN,
        article: "Art. 16",
        term_zh: "专人负责",
        term_en: "named custodian",
        severity: Severity::Violation,
        checks: "an archive names the custodian responsible for it, the holder of a key registered with the custodian role (custodian_must_be_registered)",
    },
    Rule {
        id: id::ART16_ARCHIVED_BY,
        article: "Art. 16",
        term_zh: "专人归档",
        term_en: "archived by an authorized person",
        severity: Severity::Violation,
        checks: "an Archived is signed by a key whose role is one of archive_roles (never the recording device)",
    },
    Rule {
        id: id::ART16_TRANSCRIPT,
        article: "Art. 16",
        term_zh: "文字说明",
        term_en: "transcript",
        severity: Severity::Violation,
        checks: "the archive of a recording made by a method in transcript_required_methods carries a transcript",
    },
    Rule {
        id: id::ART17_FILE_RETENTION,
        article: "Art. 17",
        term_zh: "案卷保存期限",
        term_en: "case-file retention",
        severity: Severity::Violation,
        checks: "a closed case's file is kept at least file_retention_minimum for its kind of act after closure",
    },
    Rule {
        id: id::ART17_RETENTION,
        article: "Art. 17",
        term_zh: "保存期限",
        term_en: "retention",
        severity: Severity::Violation,
        checks: "evidence AV of a closed licensing, penalty or coercion case is kept at least as long as the case file",
    },
    Rule {
        id: id::ART17_FLOOR,
        article: "Art. 17",
        term_zh: "保存期限",
        term_en: "retention",
        severity: Severity::Violation,
        checks: "footage not linked to any case is not purged before unlinked_retention_floor after it was recorded",
    },
    Rule {
        id: id::ART18_PRESERVATION,
        article: "Art. 18",
        term_zh: "长期保存",
        term_en: "long-term preservation",
        severity: Severity::Violation,
        checks: "a reported circumstance (objection, obstruction, incident, review, litigation) is followed by a PreservationOrdered for the case within preservation_deadline",
    },
    Rule {
        id: id::ART18_COPY,
        article: "Art. 18",
        term_zh: "刻录光盘",
        term_en: "long-term copy",
        severity: Severity::Violation,
        checks: "after a PreservationOrdered, every recording segment of the case has a DerivativeMade of kind DiscImage within preservation_copy_deadline",
    },
    Rule {
        id: id::ART18_RELEASE,
        article: "Art. 18",
        term_zh: "解除长期保存",
        term_en: "release of preservation",
        severity: Severity::Violation,
        checks: "a PreservationReleased names who approved it",
    },
    Rule {
        id: id::ART19_DISCLOSURE,
        article: "Art. 19",
        term_zh: "查阅复制",
        term_en: "disclosure of records",
        severity: Severity::Violation,
        checks: "every RecordDisclosed goes to a party of its case, or follows a granted AccessRequested of the case by the same recipient, or is signed by a key of a disclosure_roles role; never while the recipient's request stands refused (Art. 19, 21(3))",
    },
    Rule {
        id: id::ART19_REQUEST_DECIDED,
        article: "Art. 19",
        term_zh: "申请答复",
        term_en: "deciding access requests",
        severity: Severity::Warning,
        checks: "every AccessRequested has an AccessDecided logged within access_decision_deadline",
    },
    Rule {
        id: id::ART20_CONFIDENTIAL,
        article: "Art. 20",
        term_zh: "保密管理",
        term_en: "confidential records",
        severity: Severity::Violation,
        checks: "an original marked confidential (ConfidentialityMarked other than ordinary, of the media, its session or its case) is not disclosed unredacted, except by a disclosure_roles key",
    },
    Rule {
        id: id::ART21_RESPONSIBLE,
        article: "Art. 21",
        term_zh: "责任人员",
        term_en: "responsible officer",
        severity: Severity::Warning,
        checks: "a decision signed by a system key can be attributed to officers: those named by an approval, a decision-stage record, or failing that any text record of its case before it",
    },
    Rule {
        id: id::ART21_3_HANDLING,
        article: "Art. 21(3)",
        term_zh: "调阅权限",
        term_en: "authorized viewing",
        severity: Severity::Violation,
        checks: "an officer's RecordViewed is of a case the officer handles: named by a recording or record of it, or author of one of its entries, before the view",
    },
    Rule {
        id: id::ART21_3_VIEW,
        article: "Art. 21(3)",
        term_zh: "调阅权限",
        term_en: "authorized viewing",
        severity: Severity::Violation,
        checks: "every RecordViewed is signed by a key whose role, at that position in the ledger, is one of view_roles (Art. 20, 21(3))",
    },
    Rule {
        id: id::ART21_5_PURGE,
        article: "Art. 21(5)",
        term_zh: "严禁毁坏",
        term_en: "no destruction of records",
        severity: Severity::Violation,
        checks: "no MediaPurged while a case referencing the media is open, within its retention or under a preservation order",
    },
    Rule {
        id: id::EVIDENCE_BEFORE_DECISION,
        article: "Art. 22",
        term_zh: "不得事后取证",
        term_en: "no after-the-fact evidence",
        severity: Severity::Violation,
        checks: "every record a DecisionMade relies on was first recorded by an entry logged before the decision (national rules: 最高人民法院关于行政诉讼证据若干问题的规定 Art. 60(1))",
    },
];

/// The rule with `id`.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// `Art. 16 归档 archiving`: how reports head a finding of `rule`.
pub fn heading(rule: &Rule) -> String {
    format!("{} {} {}", rule.article, rule.term_zh, rule.term_en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        for (i, r) in RULES.iter().enumerate() {
            assert!(
                RULES.iter().skip(i + 1).all(|o| o.id != r.id),
                "duplicate {}",
                r.id
            );
            assert!(r.id.contains('.'), "{}", r.id);
            assert!(r.article.starts_with("Art. "), "{}", r.id);
        }
    }
}
