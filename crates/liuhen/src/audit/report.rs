//! What an audit produces: findings, a summary per case and the supervising office's queries.
//! Serializes to the JSON of `docs/AUDIT.md` (format `liuhen-audit/1`); fields are only ever
//! added, never renamed or removed, within that format.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::rules::Severity;
use crate::model::Timestamp;
use crate::verify;

/// The JSON format name and version of [`AuditReport`].
pub const REPORT_FORMAT: &str = "liuhen-audit/1";

/// One departure from the regulation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's stable id (`art16.archived`).
    pub rule: String,
    /// The article it enforces (`Art. 16`).
    pub article: String,
    /// How serious, under the profile.
    pub severity: Severity,
    /// The case concerned, if it is known.
    pub case_no: Option<String>,
    /// The recording session concerned, if any.
    pub session: Option<String>,
    /// The entries involved, in ledger order: the first one is where to look.
    pub seqs: Vec<u64>,
    /// One sentence for a person: what is missing or late, by how much.
    pub message: String,
    /// Officers involved (certificate numbers as the entries name them): the officers of the
    /// session, or the officer holders of the keys that signed the entries involved (a holder
    /// text that contains a certificate number named elsewhere counts as that number).
    pub officers: Vec<String>,
    /// The finding's particulars in Chinese (times, spans), for `--lang zh`, where the rule
    /// composes them; the Chinese report otherwise states the rule alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_zh: Option<String>,
    /// When the ledger logged the first entry involved: what statistics by period count by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logged_at: Option<Timestamp>,
}

/// Findings counted by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Violations.
    pub violation: u64,
    /// Warnings.
    pub warning: u64,
    /// Notices.
    pub notice: u64,
}

impl Counts {
    /// Counts one more finding of `severity`.
    pub fn add(&mut self, severity: Severity) {
        let n = match severity {
            Severity::Violation => &mut self.violation,
            Severity::Warning => &mut self.warning,
            Severity::Notice => &mut self.notice,
        };
        *n = n.saturating_add(1);
    }

    /// All findings counted.
    pub fn total(&self) -> u64 {
        self.violation
            .saturating_add(self.warning)
            .saturating_add(self.notice)
    }
}

/// Where a case stands at `as_of`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Entries name the case, but no `CaseOpened` is in the ledger.
    Unopened,
    /// Opened, no decision yet.
    Open,
    /// A decision was made; not closed.
    Decided,
    /// Closed.
    Closed,
}

/// Whether a deadline was kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// Done in time.
    Met,
    /// Done, after the deadline.
    Late,
    /// Not done, and the deadline passed before `as_of`.
    Missed,
    /// Not done, and the deadline has not passed at `as_of`: not a finding.
    Pending,
}

/// A deadline the regulation sets, and how it went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The rule that sets it.
    pub rule: String,
    /// What must be done, in words.
    pub what: String,
    /// The recording session, if the deadline is about one.
    pub session: Option<String>,
    /// When the clock started (ms).
    pub from: Timestamp,
    /// When it runs out (ms).
    pub due: Timestamp,
    /// When it was done, by the ledger's `logged_at` (ms).
    pub done_at: Option<Timestamp>,
    /// The entry that did it.
    pub done_seq: Option<u64>,
    /// The outcome at `as_of`.
    pub status: DeadlineStatus,
    /// The entries that started the clock.
    pub seqs: Vec<u64>,
}

/// A recording session of a case, at a glance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// Session id.
    pub session: String,
    /// Entry of its `RecordingStarted`.
    pub started_seq: u64,
    /// Capture method (`body_worn_recorder`, or `other: …`).
    pub method: String,
    /// The place.
    pub place: String,
    /// The landmark, if recorded.
    pub landmark: Option<String>,
    /// Officers present.
    pub officers: Vec<String>,
    /// Entry of the `PartyNotified` logged before the start, if any.
    pub notified_seq: Option<u64>,
    /// Segments sealed (by `as_of`).
    pub segments: u32,
    /// Start of the first segment, as the device claims (ms).
    pub first_start: Option<Timestamp>,
    /// End of the last segment, as the device claims (ms).
    pub last_end: Option<Timestamp>,
    /// Every segment: index, entry, claimed start and end.
    pub segment_list: Vec<SegmentSummary>,
    /// Interruptions recorded.
    pub interruptions: u32,
    /// Gaps beyond the tolerance that nothing explains.
    pub unexplained_gaps: u32,
    /// Entry of its `RecordingStopped`.
    pub stopped_seq: Option<u64>,
    /// Entry of the archive that covers it.
    pub archived_seq: Option<u64>,
}

/// One segment of a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentSummary {
    /// Segment index.
    pub index: u32,
    /// Its entry.
    pub seq: u64,
    /// Claimed start (ms).
    pub start: Timestamp,
    /// Claimed end (ms).
    pub end: Timestamp,
    /// Pause since the previous segment's end, when beyond the tolerance (ms).
    pub gap_before_ms: Option<i64>,
    /// Whether a `RecordingInterrupted` explains that pause.
    pub gap_explained: bool,
}

/// One entry of a case, for the timeline of the HTML report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineItem {
    /// Entry sequence number.
    pub seq: u64,
    /// When the ledger logged it (ms): the time deadlines are judged on.
    pub logged_at: Timestamp,
    /// The author's claimed time (ms).
    pub time: Timestamp,
    /// Event name (`SegmentSealed`).
    pub event: String,
    /// Who signed it: the holder named when the key was authorized.
    pub author: String,
    /// What it says, in one line.
    pub detail: String,
    /// The session it belongs to, if any.
    pub session: Option<String>,
    /// Rules with a finding that cites this entry.
    pub rules: Vec<String>,
    /// The most serious of those findings.
    pub severity: Option<Severity>,
    /// The earliest witness or TSA time of a checkpoint that includes the entry, when the
    /// audit was given time evidence and it is not after the audit time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proven_before: Option<crate::proven::TimeEvidence>,
}

/// A case at a glance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    /// Case number.
    pub case_no: String,
    /// Where it stands.
    pub status: CaseStatus,
    /// Entry of its `CaseOpened`.
    pub opened_seq: Option<u64>,
    /// Kind of act (`coercion`, `other: …`).
    pub act: Option<String>,
    /// The matter.
    pub matter: Option<String>,
    /// The unit in charge.
    pub unit: Option<String>,
    /// Entries of its decisions.
    pub decisions: Vec<u64>,
    /// Entry of its `CaseClosed`.
    pub closed_seq: Option<u64>,
    /// Entries that belong to it.
    pub entries: u64,
    /// Text records filed.
    pub documents: u64,
    /// Its recording sessions.
    pub sessions: Vec<SessionSummary>,
    /// Its deadlines (Art. 16 archiving, Art. 18 preservation, Art. 19 access decisions).
    pub deadlines: Vec<Deadline>,
    /// Its findings, counted.
    pub findings: Counts,
    /// Every entry of the case, when timelines were asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<TimelineItem>>,
    /// When the case was opened (`CaseOpened`'s `logged_at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_at: Option<Timestamp>,
    /// The case's evidence list (证据清单): its text records and recording segments, in ledger
    /// order.
    #[serde(default)]
    pub evidence: Vec<EvidenceItem>,
}

/// One line of a case's evidence list (证据清单), as a court receives it: what the item is,
/// where it comes from, what it is offered to prove, how long it is, and the digest that
/// identifies its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceItem {
    /// 序号, from 1.
    pub no: u32,
    /// 名称: the file name, and the kind of record.
    pub name: String,
    /// 来源: who made it (officers, device, place).
    pub source: String,
    /// 证明对象: what it is offered to prove (the archive label of a recording; the latest
    /// `DocumentDescribed` of a text record; `未记载…` where the ledger records none).
    pub proves: String,
    /// 时长: the duration of a recording segment, in milliseconds (claimed by the device).
    pub duration_ms: Option<i64>,
    /// 页数: the pages of a text record, as its latest `DocumentDescribed` states them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// Size of the file in bytes.
    pub length: u64,
    /// BLAKE3 of the bytes, hex.
    pub digest: String,
    /// The entry that recorded it.
    pub seq: u64,
}

/// A unit's cases and findings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitStats {
    /// Cases opened by the unit.
    pub cases: u64,
    /// Findings in those cases.
    pub findings: Counts,
}

/// An officer's activity and findings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerStats {
    /// Cases the officer appears in (recordings, documents).
    pub cases: u64,
    /// Recording sessions the officer was present at.
    pub sessions: u64,
    /// Text records naming the officer.
    pub documents: u64,
    /// Decisions the officer answers for: signed, or (signed by the case system) approved or
    /// prepared by the officer (Art. 21).
    #[serde(default)]
    pub decisions: u64,
    /// Findings involving the officer.
    pub findings: Counts,
}

/// A recording archived late, or not at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateArchive {
    /// Case number.
    pub case_no: String,
    /// Session id.
    pub session: String,
    /// When the recording ended (ms).
    pub recording_end: Timestamp,
    /// When it had to be archived (ms).
    pub due: Timestamp,
    /// When it was archived, if it was (ms).
    pub archived_at: Option<Timestamp>,
    /// The archive entry.
    pub archived_seq: Option<u64>,
    /// How late: until the archive, or until `as_of` (ms).
    pub late_by_ms: i64,
    /// Whether a justification statement was filed in the case.
    pub justified: bool,
}

/// An interruption of a recording: recorded by the device, or an unexplained gap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interruption {
    /// Case number.
    pub case_no: String,
    /// Session id.
    pub session: String,
    /// The `RecordingInterrupted` entry, or the segment after an unexplained gap.
    pub seq: u64,
    /// The stated reason (`battery`, `other: …`); `None` for an unexplained gap.
    pub reason: Option<String>,
    /// When (ms): the stated time, or the end of the segment before the gap.
    pub at: Timestamp,
    /// The gap in the footage it explains or is, beyond the tolerance (ms).
    pub gap_ms: Option<i64>,
}

/// A preservation order not released at `as_of`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenPreservation {
    /// Case number.
    pub case_no: String,
    /// The `PreservationOrdered` entry.
    pub seq: u64,
    /// When it was logged (ms).
    pub ordered_at: Timestamp,
    /// Its trigger (`party_objection`, `unit_decision: …`).
    pub trigger: String,
}

/// On what ground records were disclosed (Art. 19, 21(3)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureBasis {
    /// The recipient's access request of the case stood granted.
    GrantedRequest,
    /// The recipient is a party of the case (its `CaseOpened.subject` or a recording's party).
    Party,
    /// The discloser's key holds a role the profile lets disclose on its own.
    Role,
    /// The recipient's access request of the case stood refused: a violation.
    Refused,
    /// None of the above: a violation.
    NoBasis,
}

impl DisclosureBasis {
    /// `granted_request`, `party`, …, as the JSON report writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            DisclosureBasis::GrantedRequest => "granted_request",
            DisclosureBasis::Party => "party",
            DisclosureBasis::Role => "role",
            DisclosureBasis::Refused => "refused",
            DisclosureBasis::NoBasis => "no_basis",
        }
    }

    /// Whether a disclosure on this ground is lawful.
    pub fn is_lawful(self) -> bool {
        matches!(
            self,
            DisclosureBasis::GrantedRequest | DisclosureBasis::Party | DisclosureBasis::Role
        )
    }
}

/// One `RecordDisclosed`: the register of what left the unit, to whom and why (Art. 19, 21(3)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureRecord {
    /// Case number.
    pub case_no: String,
    /// The `RecordDisclosed` entry.
    pub seq: u64,
    /// When it was logged (ms).
    pub logged_at: Timestamp,
    /// The recipient's commitment, 64 hex digits: who it is stays in the vault.
    pub recipient: String,
    /// How many records (digests) it names.
    pub items: u64,
    /// Who signed it: the holder named when the key was authorized.
    pub by: String,
    /// That key's role at that position (`custodian`), `None` if it was not an active key.
    pub role: Option<String>,
    /// The ground.
    pub basis: DisclosureBasis,
    /// The access request it rests on, or the refused one.
    pub request: Option<String>,
    /// The entries of the ground: the party's entry, the request and its decision, or the
    /// request and its refusal.
    pub basis_seqs: Vec<u64>,
}

/// The supervising office's queries (Art. 8).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supervision {
    /// Findings by article.
    pub by_article: BTreeMap<String, Counts>,
    /// Findings by rule id.
    pub by_rule: BTreeMap<String, Counts>,
    /// Cases and findings by unit (`CaseOpened.unit`; `(no unit)` for cases never opened).
    pub by_unit: BTreeMap<String, UnitStats>,
    /// Activity and findings by officer.
    pub by_officer: BTreeMap<String, OfficerStats>,
    /// Recordings archived late or not at all.
    pub late_archiving: Vec<LateArchive>,
    /// Interruptions and gaps.
    pub interruptions: Vec<Interruption>,
    /// Preservation orders in force at `as_of`.
    pub open_preservation_orders: Vec<OpenPreservation>,
    /// Every disclosure, in ledger order, with its ground (Art. 19, 21(3)).
    #[serde(default)]
    pub disclosures: Vec<DisclosureRecord>,
}

/// Totals of a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Cases named by the entries audited.
    pub cases: u64,
    /// Recording sessions.
    pub sessions: u64,
    /// Violations.
    pub violations: u64,
    /// Warnings.
    pub warnings: u64,
    /// Notices.
    pub notices: u64,
}

/// A rule as the profile applied it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInfo {
    /// Stable id.
    pub id: String,
    /// Article.
    pub article: String,
    /// The term, in Chinese and English.
    pub term: String,
    /// Severity under the profile.
    pub severity: Severity,
    /// Whether the profile applied it.
    pub enabled: bool,
    /// What it checks.
    pub checks: String,
}

/// What integrity verification said before the audit (filled by the caller that verified;
/// the audit engine itself does not verify).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integrity {
    /// `verified`, `unverified` or `tampered`.
    pub verdict: String,
    /// Entries verified.
    pub entries: u64,
    /// The verifier's findings, one sentence each.
    pub findings: Vec<String>,
}

impl Integrity {
    /// Summarizes a verification report.
    pub fn from_report(report: &verify::Report) -> Integrity {
        let verdict = match report.verdict {
            verify::Verdict::Verified => "verified",
            verify::Verdict::Unverified => "unverified",
            verify::Verdict::Tampered => "tampered",
        };
        Integrity {
            verdict: verdict.into(),
            entries: report.entries,
            findings: report.findings.iter().map(|f| f.message.clone()).collect(),
        }
    }
}

/// The result of an audit; serializes to the JSON of `docs/AUDIT.md`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReport {
    /// [`REPORT_FORMAT`].
    pub format: String,
    /// The profile's name.
    pub profile: String,
    /// The time the audit is as of (ms): entries logged after it were ignored.
    pub as_of: Timestamp,
    /// The ledger's origin, from its genesis entry.
    pub origin: Option<String>,
    /// Entries audited (logged at or before `as_of`).
    pub entries: u64,
    /// Entries ignored because they were logged after `as_of`.
    pub entries_after_as_of: u64,
    /// Integrity verification before the audit, if the caller ran it.
    pub integrity: Option<Integrity>,
    /// Totals.
    pub summary: Summary,
    /// Every finding, by case (in order of the case's first entry), then by entry.
    pub findings: Vec<Finding>,
    /// Every case named by the entries, in order of its first entry.
    pub cases: Vec<CaseSummary>,
    /// The supervising office's queries.
    pub supervision: Supervision,
    /// The rules as the profile applied them.
    pub rules: Vec<RuleInfo>,
}

impl AuditReport {
    /// Whether any violation was found (`liuhen audit` then exits with 2).
    pub fn has_violations(&self) -> bool {
        self.summary.violations > 0
    }

    /// The findings of rule `id`.
    pub fn findings_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.rule == id)
    }
}
