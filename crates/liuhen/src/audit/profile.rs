//! The audit profile: which rules apply and with which thresholds (Art. 22: the regulation
//! defers to national, provincial and city rules, so every threshold is a setting).
//!
//! [`Profile::default`] is the Jinpu regulation as written; a deployment under other rules loads
//! a TOML file (`liuhen audit --profile FILE`, every key in `docs/AUDIT.md`). Every key is
//! optional: a file names only what it changes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::rules::{self, Severity};
use crate::model::{ActKind, CaptureMethod, DecisionKind, PreservationTrigger, Role};

/// A length of time, written in profiles as a number and a unit: `500ms`, `60s`, `30min`,
/// `24h`, `184d`.
///
/// Months and years are deliberately not units: their length varies, and a threshold that
/// silently means 28 or 31 days is not reproducible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period(i64);

impl Period {
    /// A period of `ms` milliseconds.
    pub const fn from_millis(ms: i64) -> Period {
        Period(ms)
    }

    /// A period of `h` hours.
    pub const fn hours(h: i64) -> Period {
        Period(h * 3_600_000)
    }

    /// A period of `d` days.
    pub const fn days(d: i64) -> Period {
        Period(d * 86_400_000)
    }

    /// Its length in milliseconds.
    pub const fn millis(self) -> i64 {
        self.0
    }
}

const UNITS: [(&str, i64); 5] = [
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("min", 60_000),
    ("s", 1000),
    ("ms", 1),
];

impl core::fmt::Display for Period {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The largest unit that divides it exactly, so that it reads back to the same value;
        // a day or less in hours, as deadlines are spoken of ("24h").
        for (unit, ms) in UNITS {
            if unit == "d" && self.0 <= 86_400_000 {
                continue;
            }
            if self.0 != 0 && self.0 % ms == 0 {
                return write!(f, "{}{unit}", self.0 / ms);
            }
        }
        write!(f, "{}ms", self.0)
    }
}

impl core::str::FromStr for Period {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (digits, unit) = s.split_at(split);
        let unit = unit.trim();
        let n: i64 = digits.parse().map_err(|_| {
            format!("{s:?} is not a period: write a whole number and a unit, e.g. \"24h\"")
        })?;
        let ms = UNITS
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, ms)| *ms)
            .ok_or_else(|| {
                format!("{s:?} has no known unit: use ms, s, min, h or d (months and years vary in length, write days)")
            })?;
        n.checked_mul(ms)
            .map(Period)
            .ok_or_else(|| format!("{s:?} is too long a period"))
    }
}

impl TryFrom<String> for Period {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

/// A kind of enforcement act (Art. 2), as profiles name it; [`ActKind`] without the name of
/// an `Other` act.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActClass {
    /// 行政许可 licensing.
    Licensing,
    /// 行政检查 inspection.
    Inspection,
    /// 行政处罚 penalty.
    Penalty,
    /// 行政强制 coercive measure.
    Coercion,
    /// 其他 another act that needs a record.
    Other,
}

impl ActClass {
    /// The class of an act.
    pub fn of(act: &ActKind) -> ActClass {
        match act {
            ActKind::Licensing => ActClass::Licensing,
            ActKind::Inspection => ActClass::Inspection,
            ActKind::Penalty => ActClass::Penalty,
            ActKind::Coercion => ActClass::Coercion,
            ActKind::Other(_) => ActClass::Other,
        }
    }
}

/// A circumstance of Art. 18, as profiles name it; [`PreservationTrigger`] without the text of
/// a unit's own decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerClass {
    /// 18(1) objection, complaint, petition.
    PartyObjection,
    /// 18(2) evasion, refusal, obstruction, abuse or assault of officers.
    Obstruction,
    /// 18(3) mass incident or emergency.
    MassIncidentOrEmergency,
    /// Administrative review applied for.
    AdministrativeReview,
    /// Administrative litigation filed.
    Litigation,
    /// 18(4) another case the unit decides.
    UnitDecision,
}

impl TriggerClass {
    /// The class of a trigger.
    pub fn of(t: &PreservationTrigger) -> TriggerClass {
        match t {
            PreservationTrigger::PartyObjection => TriggerClass::PartyObjection,
            PreservationTrigger::Obstruction => TriggerClass::Obstruction,
            PreservationTrigger::MassIncidentOrEmergency => TriggerClass::MassIncidentOrEmergency,
            PreservationTrigger::AdministrativeReview => TriggerClass::AdministrativeReview,
            PreservationTrigger::Litigation => TriggerClass::Litigation,
            PreservationTrigger::UnitDecision(_) => TriggerClass::UnitDecision,
        }
    }
}

/// A kind of decision, as profiles name it; [`DecisionKind`] without the name of an `Other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionClass {
    /// 准予许可 licence granted.
    Grant,
    /// 不予许可 licence refused.
    Refuse,
    /// 行政处罚决定 penalty.
    Penalty,
    /// 不予处罚 no penalty.
    NoPenalty,
    /// 采取强制措施 coercive measure ordered.
    CoerciveMeasure,
    /// 解除强制措施 coercive measure lifted.
    LiftCoerciveMeasure,
    /// 其他 another decision.
    Other,
}

impl DecisionClass {
    /// The class of a decision.
    pub fn of(k: &DecisionKind) -> DecisionClass {
        match k {
            DecisionKind::Grant => DecisionClass::Grant,
            DecisionKind::Refuse => DecisionClass::Refuse,
            DecisionKind::Penalty => DecisionClass::Penalty,
            DecisionKind::NoPenalty => DecisionClass::NoPenalty,
            DecisionKind::CoerciveMeasure => DecisionClass::CoerciveMeasure,
            DecisionKind::LiftCoerciveMeasure => DecisionClass::LiftCoerciveMeasure,
            DecisionKind::Other(_) => DecisionClass::Other,
        }
    }
}

/// An audio-visual capture method (Art. 7), as profiles name it; [`CaptureMethod`] without the
/// name of an `Other` device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MethodClass {
    /// 照相机 camera.
    Camera,
    /// 录音机 audio recorder.
    AudioRecorder,
    /// 摄像机 video camera.
    VideoCamera,
    /// 执法记录仪 body-worn recorder.
    BodyWornRecorder,
    /// 移动执法终端 handheld terminal.
    HandheldTerminal,
    /// 视频监控 video surveillance.
    VideoSurveillance,
    /// 其他 another device.
    Other,
}

impl MethodClass {
    /// The class of a method.
    pub fn of(m: &CaptureMethod) -> MethodClass {
        match m {
            CaptureMethod::Camera => MethodClass::Camera,
            CaptureMethod::AudioRecorder => MethodClass::AudioRecorder,
            CaptureMethod::VideoCamera => MethodClass::VideoCamera,
            CaptureMethod::BodyWornRecorder => MethodClass::BodyWornRecorder,
            CaptureMethod::HandheldTerminal => MethodClass::HandheldTerminal,
            CaptureMethod::VideoSurveillance => MethodClass::VideoSurveillance,
            CaptureMethod::Other(_) => MethodClass::Other,
        }
    }
}

/// The role of a registered key (Art. 4, 8), as profiles name it: [`Role`] in `snake_case`.
///
/// A separate type because [`Role`]'s own serialized names belong to the signed format and are
/// not the words a profile is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleClass {
    /// 执法人员 an enforcement officer.
    Officer,
    /// 执法记录设备 a recording device.
    Device,
    /// 采集工作站 an upload / ingest station.
    Station,
    /// 执法信息系统 the case system or the ledger itself.
    System,
    /// 监督 the supervising office or another auditor (Art. 8).
    Auditor,
    /// 保管人 a records custodian (Art. 16).
    Custodian,
}

impl RoleClass {
    /// The class of a role.
    pub fn of(role: Role) -> RoleClass {
        match role {
            Role::Officer => RoleClass::Officer,
            Role::Device => RoleClass::Device,
            Role::Station => RoleClass::Station,
            Role::System => RoleClass::System,
            Role::Auditor => RoleClass::Auditor,
            Role::Custodian => RoleClass::Custodian,
        }
    }

    /// `officer`, `device`, …: the name profiles and reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleClass::Officer => "officer",
            RoleClass::Device => "device",
            RoleClass::Station => "station",
            RoleClass::System => "system",
            RoleClass::Auditor => "auditor",
            RoleClass::Custodian => "custodian",
        }
    }
}

/// The rules and thresholds of an audit. Serializes to and from the TOML profile format of
/// `docs/AUDIT.md`; every field has the default of the Jinpu regulation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Profile {
    /// A name for the profile, repeated in every report so that a result can be reproduced.
    pub name: String,
    /// Art. 9: kinds of act whose cases must have at least one record.
    pub record_required_acts: Vec<ActClass>,
    /// Art. 9: how long an open case may have no record before a warning.
    pub record_grace: Period,
    /// Art. 12: kinds of act whose cases need full-process AV before a decision (seizure and
    /// detention are coercive measures).
    pub av_required_acts: Vec<ActClass>,
    /// Art. 12: whether a `CoerciveMeasure` decision needs AV in a case of any kind.
    pub av_required_for_coercive_decisions: bool,
    /// Art. 12: how far apart (by the ledger's clock) a coercive-measure decision and the
    /// recording of its execution on site may be: the statutory sequence is approval, decision,
    /// then execution on camera with the decision handed over there; in an emergency the
    /// measure comes first and the decision follows (行政强制法 Art. 19: within 24 hours).
    pub av_execution_window: Period,
    /// Art. 14(1): how long after the recording began the party may be told.
    pub notification_tolerance: Period,
    /// Art. 14(4): the largest pause between one segment's end and the next one's start that
    /// is not a gap (devices rotate files continuously: clock jitter only).
    pub segment_gap_tolerance: Period,
    /// Art. 14(4): a new recording session of the same case at the same place, started within
    /// this time of the previous one's end, continues the same on-site activity: the pause
    /// between them is a gap unless a `RecordingInterrupted` explains it.
    pub restart_window: Period,
    /// Art. 14(4): how long after its last entry a session may stay without `RecordingStopped`
    /// before a warning.
    pub open_session_tolerance: Period,
    /// Art. 16: the archiving deadline after a recording ends.
    pub archive_deadline: Period,
    /// Art. 14(4), 16: how long after the time an entry claims for its act the entry may be
    /// first proven to exist (a witness cosignature or TSA token over a checkpoint including
    /// it) before it is a finding; `None` (the default): `archive_deadline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proven_before_limit: Option<Period>,
    /// Art. 16: a `DocumentFiled` of kind `Other(name)` whose name starts with this text
    /// justifies late archiving in its case.
    pub late_archive_justification: String,
    /// Art. 16: roles whose keys may sign an `Archived` (a recording device captures; it does
    /// not archive its own footage).
    pub archive_roles: Vec<RoleClass>,
    /// Art. 16: whether the custodian an archive names must be the holder of a key registered
    /// with the custodian role (专人: a named, accountable person).
    pub custodian_must_be_registered: bool,
    /// Art. 16: capture methods whose archive must carry a transcript or written description
    /// (文字说明), e.g. audio recordings.
    pub transcript_required_methods: Vec<MethodClass>,
    /// Art. 10: kinds of decision that need an internal approval form (内部审批表) or legal
    /// review (法制审核) filed before them.
    pub approval_required_decisions: Vec<DecisionClass>,
    /// Art. 10: a `DocumentFiled` of kind `Other(name)` whose name starts with this text is a
    /// legal review (法制审核) and counts as approval.
    pub legal_review_document: String,
    /// Art. 10: kinds of decision that must be served, shown by a service receipt (送达回证)
    /// filed after them.
    pub service_required_decisions: Vec<DecisionClass>,
    /// Art. 10: how long after the decision its service receipt may be filed.
    pub service_deadline: Period,
    /// Art. 17: the least time a closed case's file is kept, per kind of act.
    pub file_retention_minimum: BTreeMap<ActClass, Period>,
    /// Art. 17: kinds of act whose evidence AV must be kept as long as the case file.
    pub evidence_retention_acts: Vec<ActClass>,
    /// Art. 17: the least time footage not linked to any case is kept (default 184 days: the
    /// longest six consecutive calendar months, so that it is never shorter than six months).
    pub unlinked_retention_floor: Period,
    /// Art. 18: circumstances that require a preservation order.
    pub preservation_triggers: Vec<TriggerClass>,
    /// Art. 18: how long after a circumstance is reported the preservation order may follow.
    pub preservation_deadline: Period,
    /// Art. 18: how long after a preservation order a long-term copy (a `DerivativeMade` of
    /// kind `DiscImage`) of every recording of the case may be made.
    pub preservation_copy_deadline: Period,
    /// Art. 19, 21(3): roles whose keys may disclose a case's records to someone who is neither
    /// a party of the case nor the holder of a granted access request (the supervising office
    /// handing records to a review body, the case system's own disclosure workflow).
    pub disclosure_roles: Vec<RoleClass>,
    /// Art. 20, 21(3): roles whose keys may sign a `RecordViewed` (devices and upload stations
    /// capture and ingest; they do not consult records).
    pub view_roles: Vec<RoleClass>,
    /// Art. 21(3): officers (certificate numbers) who may view any case's records without
    /// handling it: the legal-affairs office's reviewers (法制审核人员), for instance.
    pub reviewing_officers: Vec<String>,
    /// Art. 19: how long after an `AccessRequested` its `AccessDecided` may be logged before a
    /// warning.
    pub access_decision_deadline: Period,
    /// Rule ids switched off (Art. 22: a rule that local rules do not adopt).
    pub disabled_rules: Vec<String>,
    /// Rule id → severity, where local rules weigh a finding differently.
    pub severity: BTreeMap<String, Severity>,
}

impl Default for Profile {
    fn default() -> Self {
        use ActClass::*;
        Profile {
            name: "jinpu-minzheng".into(),
            record_required_acts: vec![Licensing, Inspection, Penalty, Coercion, Other],
            record_grace: Period::days(30),
            av_required_acts: vec![Coercion],
            av_required_for_coercive_decisions: true,
            av_execution_window: Period::hours(24),
            notification_tolerance: Period::from_millis(60_000),
            segment_gap_tolerance: Period::from_millis(2_000),
            restart_window: Period::hours(2),
            open_session_tolerance: Period::hours(24),
            archive_deadline: Period::hours(24),
            proven_before_limit: None,
            late_archive_justification: "延迟归档说明".into(),
            archive_roles: vec![
                RoleClass::Officer,
                RoleClass::Station,
                RoleClass::System,
                RoleClass::Custodian,
            ],
            custodian_must_be_registered: true,
            transcript_required_methods: vec![MethodClass::AudioRecorder],
            approval_required_decisions: vec![
                DecisionClass::Penalty,
                DecisionClass::CoerciveMeasure,
            ],
            legal_review_document: "法制审核".into(),
            service_required_decisions: vec![
                DecisionClass::Penalty,
                DecisionClass::CoerciveMeasure,
                DecisionClass::Refuse,
            ],
            service_deadline: Period::days(7),
            file_retention_minimum: BTreeMap::from([
                (Licensing, Period::days(3650)),
                (Inspection, Period::days(1825)),
                (Penalty, Period::days(3650)),
                (Coercion, Period::days(3650)),
                (Other, Period::days(1825)),
            ]),
            evidence_retention_acts: vec![Licensing, Penalty, Coercion],
            unlinked_retention_floor: Period::days(184),
            preservation_triggers: vec![
                TriggerClass::PartyObjection,
                TriggerClass::Obstruction,
                TriggerClass::MassIncidentOrEmergency,
                TriggerClass::AdministrativeReview,
                TriggerClass::Litigation,
                TriggerClass::UnitDecision,
            ],
            preservation_deadline: Period::hours(24),
            preservation_copy_deadline: Period::days(7),
            disclosure_roles: vec![RoleClass::Auditor, RoleClass::System],
            view_roles: vec![
                RoleClass::Officer,
                RoleClass::Auditor,
                RoleClass::Custodian,
                RoleClass::System,
            ],
            reviewing_officers: Vec::new(),
            access_decision_deadline: Period::days(15),
            disabled_rules: Vec::new(),
            severity: BTreeMap::new(),
        }
    }
}

/// Why a profile cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileError {
    /// `disabled_rules` or `severity` names a rule that does not exist (a typo would otherwise
    /// silently keep the rule on).
    #[error(
        "profile {profile:?}: {key} names rule {id:?}, which does not exist (known rules: {known})"
    )]
    UnknownRule {
        /// The profile's name.
        profile: String,
        /// The key that names it.
        key: &'static str,
        /// The unknown id.
        id: String,
        /// The known ids, comma-separated.
        known: String,
    },
    /// A period is negative.
    #[error("profile {profile:?}: {key} is negative ({value})")]
    NegativePeriod {
        /// The profile's name.
        profile: String,
        /// The key.
        key: &'static str,
        /// Its value.
        value: String,
    },
}

impl Profile {
    /// Checks what serde cannot: rule ids exist and periods are not negative.
    ///
    /// # Errors
    /// The first [`ProfileError`] found.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let known = || {
            rules::RULES
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let named = (self.disabled_rules.iter().map(|id| ("disabled_rules", id)))
            .chain(self.severity.keys().map(|id| ("severity", id)));
        for (key, id) in named {
            if rules::rule(id).is_none() {
                return Err(ProfileError::UnknownRule {
                    profile: self.name.clone(),
                    key,
                    id: id.clone(),
                    known: known(),
                });
            }
        }
        for (key, p) in [
            ("record_grace", self.record_grace),
            ("av_execution_window", self.av_execution_window),
            ("restart_window", self.restart_window),
            ("service_deadline", self.service_deadline),
            (
                "preservation_copy_deadline",
                self.preservation_copy_deadline,
            ),
            ("notification_tolerance", self.notification_tolerance),
            ("segment_gap_tolerance", self.segment_gap_tolerance),
            ("open_session_tolerance", self.open_session_tolerance),
            ("archive_deadline", self.archive_deadline),
            ("unlinked_retention_floor", self.unlinked_retention_floor),
            ("preservation_deadline", self.preservation_deadline),
            ("access_decision_deadline", self.access_decision_deadline),
        ]
        .into_iter()
        .chain(self.proven_before_limit.map(|p| ("proven_before_limit", p)))
        .chain(
            self.file_retention_minimum
                .values()
                .map(|p| ("file_retention_minimum", *p)),
        ) {
            if p.millis() < 0 {
                return Err(ProfileError::NegativePeriod {
                    profile: self.name.clone(),
                    key,
                    value: p.to_string(),
                });
            }
        }
        Ok(())
    }

    /// The limit of `art14-4.after_the_fact`: `proven_before_limit`, else `archive_deadline`.
    pub fn proven_limit(&self) -> Period {
        self.proven_before_limit.unwrap_or(self.archive_deadline)
    }

    /// Whether a key of `role` may disclose records on its own authority (Art. 19, 21(3)).
    pub fn may_disclose(&self, role: Role) -> bool {
        self.disclosure_roles.contains(&RoleClass::of(role))
    }

    /// Whether a key of `role` may sign an archive (Art. 16).
    pub fn may_archive(&self, role: Role) -> bool {
        self.archive_roles.contains(&RoleClass::of(role))
    }

    /// Whether a key of `role` may view records (Art. 20, 21(3)).
    pub fn may_view(&self, role: Role) -> bool {
        self.view_roles.contains(&RoleClass::of(role))
    }

    /// Whether rule `id` is on.
    pub fn enabled(&self, id: &str) -> bool {
        !self.disabled_rules.iter().any(|d| d == id)
    }

    /// The severity of rule `id` under this profile (its own, unless overridden).
    pub fn severity_of(&self, id: &str) -> Option<Severity> {
        self.severity
            .get(id)
            .copied()
            .or_else(|| rules::rule(id).map(|r| r.severity))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_and_print() {
        for (text, ms) in [
            ("24h", 86_400_000),
            ("184d", 184 * 86_400_000),
            ("60s", 60_000),
            ("90s", 90_000),
            ("30min", 1_800_000),
            ("2500ms", 2_500),
            ("0s", 0),
        ] {
            let p: Period = text.parse().unwrap();
            assert_eq!(p.millis(), ms, "{text}");
            let back: Period = p.to_string().parse().unwrap();
            assert_eq!(back, p);
        }
        assert_eq!(Period::hours(24).to_string(), "24h");
        assert_eq!(Period::hours(48).to_string(), "2d");
        assert_eq!(Period::from_millis(90_000).to_string(), "90s");
        for bad in [
            "",
            "24",
            "h",
            "6months",
            "1y",
            "-5s",
            "1.5h",
            "99999999999999999999d",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    #[test]
    fn default_profile_is_valid() {
        Profile::default().validate().unwrap();
        let mut p = Profile::default();
        p.disabled_rules.push("art99.nothing".into());
        assert!(matches!(
            p.validate(),
            Err(ProfileError::UnknownRule { .. })
        ));
    }
}
