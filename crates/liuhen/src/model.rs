//! The enforcement vocabulary of the regulation, as signed data.
//!
//! Every type here is part of format v1 (`docs/FORMAT.md`): it is encoded with postcard in
//! exactly the field order written below, and enum variants are encoded by their position.
//! Variants and fields are therefore **never reordered, removed or changed**; new event kinds are
//! appended at the end of [`Event`] (old ledgers still decode), anything else bumps the format.
//!
//! Article references (`Art. 14(4)`) are to the Dalian Jinpu New District Civil Affairs Bureau's
//! "Administrative Law-Enforcement Full-Process Recording System" (行政执法全过程记录制度).
//!
//! Personal data (party names, ID numbers, addresses) never appears in clear text: such fields
//! are [`Sealed`] commitments whose openings live outside the ledger (Art. 15, 20).
//!
//! Signed types hold no floats and no hash maps; times are [`Timestamp`]s (UTC milliseconds).

use serde::{Deserialize, Serialize};

use crate::hash::Digest;
use crate::keys::PublicKey;

/// A point in time: UTC milliseconds since the Unix epoch (reports render it in Asia/Shanghai).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Milliseconds since the Unix epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// This time plus `ms` milliseconds, saturating instead of overflowing.
    pub const fn plus_millis(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }
}

/// A salted commitment to a piece of personal data (个人信息), never the data itself.
///
/// The commitment is computed by [`crate::commitment`]; its opening (salt and value) is kept in a
/// vault outside the ledger so that it can be disclosed per case (Art. 19) and erased when
/// retention ends, without breaking any hash or signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sealed(pub Digest);

/// A reference to media bytes kept outside the ledger (file system, object store).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaRef {
    /// Plain BLAKE3 of the bytes, identical to `b3sum`.
    pub digest: Digest,
    /// Length in bytes.
    pub length: u64,
    /// MIME type, e.g. `video/mp4`.
    pub mime: String,
    /// File name as given at capture (not trusted for anything; informative).
    pub name: String,
}

/// The algorithm suite of a ledger, declared once in the genesis entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Suite {
    /// Merkle tree SHA-256 (RFC 6962), signatures Ed25519 (RFC 8032, strict), media and
    /// commitments BLAKE3. Suite id 0.
    Sha256Ed25519Blake3,
}

/// Kind of enforcement act (执法行为), Art. 2.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActKind {
    /// 行政许可 administrative licensing.
    Licensing,
    /// 行政检查 administrative inspection.
    Inspection,
    /// 行政处罚 administrative penalty.
    Penalty,
    /// 行政强制 administrative coercive measure (seizure, detention, …; Art. 12).
    Coercion,
    /// 其他 another act that requires recording (Art. 9), named.
    Other(String),
}

/// Procedural stage of a case (执法环节).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// 启动 initiation.
    Initiation,
    /// 调查取证 investigation and evidence-taking.
    Investigation,
    /// 审核决定 review and decision.
    ReviewDecision,
    /// 送达执行 service and execution.
    ServiceExecution,
    /// 归档 archiving.
    Archiving,
}

/// Kind of text record (文字记录), Art. 6.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocumentKind {
    /// 执法文书 enforcement document.
    EnforcementDocument,
    /// 调查取证文书 investigation and evidence-taking record (询问笔录, 现场检查笔录, …).
    InvestigationRecord,
    /// 鉴定意见 appraisal opinion.
    AppraisalOpinion,
    /// 专家论证报告 expert report.
    ExpertReport,
    /// 听证报告 hearing report.
    HearingReport,
    /// 案件研究记录 case-discussion minutes.
    CaseDiscussionMinutes,
    /// 内部审批表 internal approval form.
    InternalApproval,
    /// 送达回证 service receipt.
    ServiceReceipt,
    /// 其他 another document, named.
    Other(String),
}

/// Audio-visual capture method (音像记录方式), Art. 7.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaptureMethod {
    /// 照相机 camera.
    Camera,
    /// 录音机 audio recorder.
    AudioRecorder,
    /// 摄像机 video camera.
    VideoCamera,
    /// 执法记录仪 body-worn recorder.
    BodyWornRecorder,
    /// 移动执法终端 handheld enforcement terminal.
    HandheldTerminal,
    /// 视频监控 video surveillance.
    VideoSurveillance,
    /// 其他 another device, named.
    Other(String),
}

/// Why content was not recorded on audio-visual media (不宜音像记录), Art. 15.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExemptionReason {
    /// 国家秘密 state secret.
    StateSecret,
    /// 商业秘密 trade secret.
    TradeSecret,
    /// 个人隐私 personal privacy.
    PersonalPrivacy,
    /// Text records fully cover the act (Art. 11).
    TextSuffices,
    /// 其他不宜 another reason, stated.
    Other(String),
}

/// What requires long-term preservation of records (长期保存), Art. 18.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreservationTrigger {
    /// 18(1) the party objects, complains or petitions (异议, 投诉, 信访).
    PartyObjection,
    /// 18(2) the party evades, refuses or obstructs, or abuses, insults or assaults officers.
    Obstruction,
    /// 18(3) a mass incident or emergency (群体性事件, 突发事件).
    MassIncidentOrEmergency,
    /// Administrative review (行政复议) applied for.
    AdministrativeReview,
    /// Administrative litigation (行政诉讼) filed.
    Litigation,
    /// 18(4) another case the unit decides, stated.
    UnitDecision(String),
}

/// Role of a registered key (Art. 4, 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    /// 执法人员 an enforcement officer.
    Officer,
    /// 执法记录设备 a recording device (body-worn recorder, terminal).
    Device,
    /// 采集工作站 an upload / ingest station.
    Station,
    /// 执法信息系统 the case system or the ledger itself; the only role that may change the registry.
    System,
    /// 监督 the supervising office or another auditor (Art. 8).
    Auditor,
    /// 保管人 a records custodian (Art. 16).
    Custodian,
}

/// Why a recording was interrupted (an explained gap is a warning, an unexplained one a violation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InterruptionReason {
    /// 电量不足 battery exhausted.
    Battery,
    /// 存储已满 storage full.
    Storage,
    /// 天气 weather.
    Weather,
    /// 设备故障 device failure.
    DeviceFailure,
    /// 其他 another reason, stated.
    Other(String),
}

/// Place of an on-site act, with the visible sign or landmark that Art. 14(3) requires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Name or address of the place, as announced on the recording.
    pub place: String,
    /// Visible sign of the place or a nearby landmark (标志性建筑), if one was recorded.
    pub landmark: Option<String>,
}

/// Kind of decision (审核决定).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecisionKind {
    /// 准予许可 licence granted.
    Grant,
    /// 不予许可 licence refused.
    Refuse,
    /// 行政处罚决定 penalty decision.
    Penalty,
    /// 不予处罚 no penalty.
    NoPenalty,
    /// 采取强制措施 coercive measure ordered.
    CoerciveMeasure,
    /// 解除强制措施 coercive measure lifted.
    LiftCoerciveMeasure,
    /// 其他 another decision, named.
    Other(String),
}

/// How long a case file (and the evidence in it) is kept (Art. 17).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Retention {
    /// Kept until this time.
    Until(Timestamp),
    /// 永久 kept permanently.
    Permanent,
}

/// What a custody or access event is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordRef {
    /// A whole recording session (all its segments).
    Session(String),
    /// One media object, by digest.
    Media(Digest),
    /// All records of a case.
    Case(String),
}

/// Labels an archived record must carry (Art. 16).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveLabels {
    /// 案件编号 case number.
    pub case_no: String,
    /// 记录方式 capture method.
    pub method: CaptureMethod,
    /// 记录时间 when it was made.
    pub made_at: Timestamp,
    /// 记录人 who made it.
    pub made_by: String,
    /// 证明对象 what the record is offered to prove.
    pub proves: String,
    /// 文字说明 a transcript or written description, if any.
    pub transcript: Option<MediaRef>,
}

/// Kind of derivative of an original record (the original is never changed, Art. 21(2)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DerivativeKind {
    /// 剪辑 a clip.
    Clip,
    /// 脱敏 a redacted copy.
    Redaction,
    /// 文字转写 a transcript.
    Transcript,
    /// 刻录光盘 a disc image for long-term preservation (Art. 18).
    DiscImage,
}

/// Confidentiality of a record (保密), Art. 15, 20: who may see it, and why it may be withheld or
/// redacted on disclosure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Confidentiality {
    /// 一般 ordinary: no confidentiality beyond the case file's own.
    Ordinary,
    /// 个人隐私 personal privacy.
    PersonalPrivacy,
    /// 商业秘密 trade secret.
    TradeSecret,
    /// 未成年人 concerns a minor (stricter disclosure).
    Minor,
    /// 国家秘密 state secret. Exists only so that such a marking is *refused* with a clear error:
    /// state secrets belong in a classified system, never in this ledger (Art. 15, 20). No
    /// ledger may contain it (`docs/FORMAT.md` §10).
    StateSecret,
}

/// An enforcement event: what a statement says happened.
///
/// Variant order is part of the format; new variants are only ever appended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Event {
    /// The first entry of every ledger: declares its origin, suite and ledger key. The ledger
    /// key signs this statement and every checkpoint, and holds the `System` role.
    Genesis {
        /// Unique name of the ledger, used as the checkpoint origin and note key name.
        origin: String,
        /// Algorithms of this ledger.
        suite: Suite,
        /// The key that signs checkpoints.
        ledger_key: PublicKey,
    },
    /// A key may author statements from this entry on (Art. 4).
    KeyAuthorized {
        /// The key.
        key: PublicKey,
        /// What it is for.
        role: Role,
        /// Who holds it: an officer's enforcement certificate number (执法证号), a device serial,
        /// a system name. Not personal data of a party.
        holder: String,
    },
    /// A key may no longer author statements from this entry on (Art. 4).
    KeyRevoked {
        /// The key.
        key: PublicKey,
        /// Why (lost device, officer left, rotation).
        reason: String,
    },
    /// 立案 / 受理: a case is opened.
    CaseOpened {
        /// 案件编号 case number.
        case_no: String,
        /// Kind of act (Art. 2).
        act: ActKind,
        /// 执法事项 the matter.
        matter: String,
        /// 执法单位 the unit in charge.
        unit: String,
        /// 当事人 the party (sealed).
        subject: Sealed,
    },
    /// A text record is filed (Art. 6, 10).
    DocumentFiled {
        /// Case number.
        case_no: String,
        /// Procedural stage.
        stage: Stage,
        /// Kind of document.
        kind: DocumentKind,
        /// The document file.
        media: MediaRef,
        /// Officers who made it (certificate numbers).
        officers: Vec<String>,
    },
    /// 审核决定: a decision is made.
    DecisionMade {
        /// Case number.
        case_no: String,
        /// Kind of decision.
        kind: DecisionKind,
        /// The decision document.
        document: MediaRef,
        /// Digests of the records the decision relies on (for the no-after-the-fact rule).
        relies_on: Vec<Digest>,
    },
    /// 结案: a case is closed.
    CaseClosed {
        /// Case number.
        case_no: String,
        /// Outcome, in words.
        outcome: String,
        /// How long the case file is kept (Art. 17).
        file_retention: Retention,
    },
    /// The party was told that recording is about to start (Art. 14(1)).
    PartyNotified {
        /// Recording session id.
        session: String,
        /// Case number.
        case_no: String,
        /// When the party was told.
        at: Timestamp,
    },
    /// Audio-visual recording started (Art. 7, 12–14).
    RecordingStarted {
        /// Recording session id, unique per device.
        session: String,
        /// Case number.
        case_no: String,
        /// The recording device's key; every segment of the session is signed by it.
        device: PublicKey,
        /// Capture method.
        method: CaptureMethod,
        /// Where, with landmark (Art. 14(3)).
        location: Location,
        /// What is being recorded (Art. 14(2)).
        matter: String,
        /// Officers present (certificate numbers).
        officers: Vec<String>,
        /// The party present (sealed), if any.
        party: Option<Sealed>,
    },
    /// One segment of a recording, chained to the previous one (Art. 14(4)).
    SegmentSealed {
        /// Recording session id.
        session: String,
        /// 0-based segment number within the session.
        index: u32,
        /// Digest of the previous segment of this session (`None` for the first).
        prev_segment: Option<Digest>,
        /// The segment file.
        media: MediaRef,
        /// When the segment's recording began.
        start: Timestamp,
        /// When it ended.
        end: Timestamp,
    },
    /// Recording stopped with a stated reason before the act ended.
    RecordingInterrupted {
        /// Recording session id.
        session: String,
        /// Why.
        reason: InterruptionReason,
        /// When.
        at: Timestamp,
    },
    /// Recording stopped.
    RecordingStopped {
        /// Recording session id.
        session: String,
        /// Number of segments sealed.
        segments: u32,
        /// Digest of the last segment.
        last_segment: Option<Digest>,
    },
    /// Recording was lawfully omitted (Art. 11, 15).
    RecordingExempted {
        /// Case number.
        case_no: String,
        /// Why.
        reason: ExemptionReason,
        /// Who approved (certificate number or office).
        approved_by: String,
    },
    /// A record was stored in the enforcement information system (Art. 16).
    Archived {
        /// What was archived.
        subject: RecordRef,
        /// 专人 the custodian.
        custodian: String,
        /// Where it is stored.
        storage: String,
        /// The labels Art. 16 requires.
        labels: ArchiveLabels,
    },
    /// Custody of media passed from one person to another.
    Handover {
        /// The media.
        media: Digest,
        /// From whom.
        from: String,
        /// To whom.
        to: String,
    },
    /// The retention period of a case's records was set (Art. 17).
    RetentionSet {
        /// Case number.
        case_no: String,
        /// Until when.
        until: Retention,
    },
    /// A legal hold: the case's records must be preserved long-term (Art. 18).
    PreservationOrdered {
        /// Case number.
        case_no: String,
        /// Why.
        trigger: PreservationTrigger,
    },
    /// A legal hold was released.
    PreservationReleased {
        /// Case number.
        case_no: String,
        /// Who approved the release.
        approved_by: String,
    },
    /// A derivative (clip, redaction, transcript, disc image) was made; the original stays.
    DerivativeMade {
        /// Digest of the original.
        original: Digest,
        /// The derivative.
        derivative: MediaRef,
        /// Kind of derivative.
        kind: DerivativeKind,
        /// Why it was made.
        reason: String,
    },
    /// Media was lawfully destroyed after retention ended (Art. 17, 21(5)).
    MediaPurged {
        /// The media.
        media: Digest,
        /// The approving authority.
        authority: String,
    },
    /// A party or another person asked to read or copy records (Art. 19).
    AccessRequested {
        /// Request id.
        request: String,
        /// Case number.
        case_no: String,
        /// Who asked (sealed).
        requester: Sealed,
        /// Legal basis of the request.
        basis: String,
    },
    /// An access request was decided (Art. 19).
    AccessDecided {
        /// Request id.
        request: String,
        /// Whether access was granted.
        granted: bool,
        /// Why.
        reason: String,
    },
    /// A record was viewed (Art. 20, 21(3)).
    RecordViewed {
        /// What was viewed.
        subject: RecordRef,
        /// Who viewed it (certificate number or role).
        by: String,
        /// Why.
        purpose: String,
    },
    /// Records were disclosed or copied to someone outside the unit (Art. 19, 21(3)).
    RecordDisclosed {
        /// Case number.
        case_no: String,
        /// Recipient (sealed).
        to: Sealed,
        /// Digests of what was disclosed.
        what: Vec<Digest>,
    },
    /// The opening of a sealed field was destroyed when its retention ended (PIPL).
    Erased {
        /// The commitment whose opening was destroyed.
        commitment: Sealed,
        /// The approving authority.
        authority: String,
    },
    /// A circumstance of Art. 18 arose in a case — the party objected, complained or petitioned
    /// (异议、投诉、信访), obstructed or assaulted officers, a mass incident or emergency, an
    /// application for administrative review or a lawsuit — so the case's records must be put
    /// under long-term preservation ([`Event::PreservationOrdered`]). Recording the circumstance
    /// itself is what lets an audit see a preservation order that never followed.
    CircumstanceReported {
        /// Case number.
        case_no: String,
        /// Which circumstance of Art. 18.
        trigger: PreservationTrigger,
        /// One sentence on what happened (no personal data: parties are sealed elsewhere).
        summary: String,
    },
    /// A record's confidentiality (Art. 15, 20). A marking of
    /// [`Confidentiality::StateSecret`] is inadmissible: the ledger refuses it.
    ConfidentialityMarked {
        /// The record: a media object, a recording session or a whole case.
        subject: RecordRef,
        /// Its confidentiality.
        level: Confidentiality,
        /// Why (the legal basis or the reason), in words.
        reason: String,
    },
    /// What a text record filed in a case is offered to prove (证明对象) and how many pages it
    /// has (页数), for the case's evidence list (证据清单). It describes a document an earlier
    /// [`Event::DocumentFiled`] of the same case filed (the admission rule refuses any other);
    /// a later description of the same document supersedes an earlier one. A separate event,
    /// not new fields of `DocumentFiled`, so that documents filed before it existed can be
    /// described too and no existing byte changes (`docs/decisions/0009-document-described.md`).
    DocumentDescribed {
        /// Case number: the case the document was filed in.
        case_no: String,
        /// The document: the digest of the `media` of its `DocumentFiled`.
        document: Digest,
        /// 证明对象 what the document is offered to prove, in words.
        proves: String,
        /// 页数 its number of pages, if it has pages.
        pages: Option<u32>,
    },
}

impl Event {
    /// A short, stable name of the variant, for reports and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Genesis { .. } => "Genesis",
            Event::KeyAuthorized { .. } => "KeyAuthorized",
            Event::KeyRevoked { .. } => "KeyRevoked",
            Event::CaseOpened { .. } => "CaseOpened",
            Event::DocumentFiled { .. } => "DocumentFiled",
            Event::DecisionMade { .. } => "DecisionMade",
            Event::CaseClosed { .. } => "CaseClosed",
            Event::PartyNotified { .. } => "PartyNotified",
            Event::RecordingStarted { .. } => "RecordingStarted",
            Event::SegmentSealed { .. } => "SegmentSealed",
            Event::RecordingInterrupted { .. } => "RecordingInterrupted",
            Event::RecordingStopped { .. } => "RecordingStopped",
            Event::RecordingExempted { .. } => "RecordingExempted",
            Event::Archived { .. } => "Archived",
            Event::Handover { .. } => "Handover",
            Event::RetentionSet { .. } => "RetentionSet",
            Event::PreservationOrdered { .. } => "PreservationOrdered",
            Event::PreservationReleased { .. } => "PreservationReleased",
            Event::DerivativeMade { .. } => "DerivativeMade",
            Event::MediaPurged { .. } => "MediaPurged",
            Event::AccessRequested { .. } => "AccessRequested",
            Event::AccessDecided { .. } => "AccessDecided",
            Event::RecordViewed { .. } => "RecordViewed",
            Event::RecordDisclosed { .. } => "RecordDisclosed",
            Event::Erased { .. } => "Erased",
            Event::CircumstanceReported { .. } => "CircumstanceReported",
            Event::ConfidentialityMarked { .. } => "ConfidentialityMarked",
            Event::DocumentDescribed { .. } => "DocumentDescribed",
        }
    }

    /// The case this event belongs to, where it names one directly.
    pub fn case_no(&self) -> Option<&str> {
        match self {
            Event::CaseOpened { case_no, .. }
            | Event::DocumentFiled { case_no, .. }
            | Event::DecisionMade { case_no, .. }
            | Event::CaseClosed { case_no, .. }
            | Event::PartyNotified { case_no, .. }
            | Event::RecordingStarted { case_no, .. }
            | Event::RecordingExempted { case_no, .. }
            | Event::RetentionSet { case_no, .. }
            | Event::PreservationOrdered { case_no, .. }
            | Event::PreservationReleased { case_no, .. }
            | Event::AccessRequested { case_no, .. }
            | Event::RecordDisclosed { case_no, .. }
            | Event::CircumstanceReported { case_no, .. }
            | Event::DocumentDescribed { case_no, .. } => Some(case_no),
            Event::Archived { labels, .. } => Some(&labels.case_no),
            _ => None,
        }
    }

    /// Whether this event changes the key registry (only the `System` role may author it).
    pub fn is_registry_change(&self) -> bool {
        matches!(
            self,
            Event::Genesis { .. } | Event::KeyAuthorized { .. } | Event::KeyRevoked { .. }
        )
    }
}
