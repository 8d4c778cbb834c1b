//! Words for reports: names of the vocabulary's variants as JSON and messages show them, and
//! the one-line description of each event in a case's timeline.

use super::super::time::{format_span, format_time};
use crate::model::*;

/// The first 12 hex digits of a digest or key: enough to find it, short enough to read.
pub(super) fn short_hex(bytes: &[u8]) -> String {
    bytes.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

pub(super) fn retention_text(r: &Retention) -> String {
    match r {
        Retention::Permanent => "permanently (永久)".into(),
        Retention::Until(t) => format!("until {}", format_time(*t)),
    }
}

/// `coercion`, `other: 名称`.
pub(super) fn act_name(a: &ActKind) -> String {
    match a {
        ActKind::Licensing => "licensing".into(),
        ActKind::Inspection => "inspection".into(),
        ActKind::Penalty => "penalty".into(),
        ActKind::Coercion => "coercion".into(),
        ActKind::Other(n) => format!("other: {n}"),
    }
}

pub(super) fn method_name(m: &CaptureMethod) -> String {
    match m {
        CaptureMethod::Camera => "camera".into(),
        CaptureMethod::AudioRecorder => "audio_recorder".into(),
        CaptureMethod::VideoCamera => "video_camera".into(),
        CaptureMethod::BodyWornRecorder => "body_worn_recorder".into(),
        CaptureMethod::HandheldTerminal => "handheld_terminal".into(),
        CaptureMethod::VideoSurveillance => "video_surveillance".into(),
        CaptureMethod::Other(n) => format!("other: {n}"),
    }
}

pub(super) fn trigger_name(t: &PreservationTrigger) -> String {
    match t {
        PreservationTrigger::PartyObjection => "party_objection".into(),
        PreservationTrigger::Obstruction => "obstruction".into(),
        PreservationTrigger::MassIncidentOrEmergency => "mass_incident_or_emergency".into(),
        PreservationTrigger::AdministrativeReview => "administrative_review".into(),
        PreservationTrigger::Litigation => "litigation".into(),
        PreservationTrigger::UnitDecision(s) => format!("unit_decision: {s}"),
    }
}

pub(super) fn interruption_name(r: &InterruptionReason) -> String {
    match r {
        InterruptionReason::Battery => "battery".into(),
        InterruptionReason::Storage => "storage".into(),
        InterruptionReason::Weather => "weather".into(),
        InterruptionReason::DeviceFailure => "device_failure".into(),
        InterruptionReason::Other(s) => format!("other: {s}"),
    }
}

/// `penalty`, `coercive_measure`, `other: 名称`.
pub(super) fn decision_name(k: &DecisionKind) -> String {
    match k {
        DecisionKind::Grant => "grant".into(),
        DecisionKind::Refuse => "refuse".into(),
        DecisionKind::Penalty => "penalty".into(),
        DecisionKind::NoPenalty => "no_penalty".into(),
        DecisionKind::CoerciveMeasure => "coercive_measure".into(),
        DecisionKind::LiftCoerciveMeasure => "lift_coercive_measure".into(),
        DecisionKind::Other(n) => format!("other: {n}"),
    }
}

/// `service receipt (送达回证)`, …
pub(super) fn document_name(k: &DocumentKind) -> String {
    match k {
        DocumentKind::EnforcementDocument => "enforcement document (执法文书)".into(),
        DocumentKind::InvestigationRecord => "investigation record (调查取证文书)".into(),
        DocumentKind::AppraisalOpinion => "appraisal opinion (鉴定意见)".into(),
        DocumentKind::ExpertReport => "expert report (专家论证报告)".into(),
        DocumentKind::HearingReport => "hearing report (听证报告)".into(),
        DocumentKind::CaseDiscussionMinutes => "case-discussion minutes (案件研究记录)".into(),
        DocumentKind::InternalApproval => "internal approval form (内部审批表)".into(),
        DocumentKind::ServiceReceipt => "service receipt (送达回证)".into(),
        DocumentKind::Other(n) => n.clone(),
    }
}

/// 执法记录仪, … (for the Chinese evidence list).
pub(super) fn method_zh(m: &CaptureMethod) -> String {
    match m {
        CaptureMethod::Camera => "照相机".into(),
        CaptureMethod::AudioRecorder => "录音机".into(),
        CaptureMethod::VideoCamera => "摄像机".into(),
        CaptureMethod::BodyWornRecorder => "执法记录仪".into(),
        CaptureMethod::HandheldTerminal => "移动执法终端".into(),
        CaptureMethod::VideoSurveillance => "视频监控".into(),
        CaptureMethod::Other(n) => n.clone(),
    }
}

/// 询问笔录等调查取证文书, … (for the Chinese evidence list).
pub(super) fn document_zh(k: &DocumentKind) -> String {
    match k {
        DocumentKind::EnforcementDocument => "执法文书".into(),
        DocumentKind::InvestigationRecord => "调查取证文书".into(),
        DocumentKind::AppraisalOpinion => "鉴定意见".into(),
        DocumentKind::ExpertReport => "专家论证报告".into(),
        DocumentKind::HearingReport => "听证报告".into(),
        DocumentKind::CaseDiscussionMinutes => "案件研究记录".into(),
        DocumentKind::InternalApproval => "内部审批表".into(),
        DocumentKind::ServiceReceipt => "送达回证".into(),
        DocumentKind::Other(n) => n.clone(),
    }
}

/// `investigation`, …
pub(super) fn stage_name(s: Stage) -> &'static str {
    match s {
        Stage::Initiation => "initiation (启动)",
        Stage::Investigation => "investigation (调查取证)",
        Stage::ReviewDecision => "review and decision (审核决定)",
        Stage::ServiceExecution => "service and execution (送达执行)",
        Stage::Archiving => "archiving (归档)",
    }
}

pub(super) fn exemption_name(r: &ExemptionReason) -> String {
    match r {
        ExemptionReason::StateSecret => "state secret".into(),
        ExemptionReason::TradeSecret => "trade secret".into(),
        ExemptionReason::PersonalPrivacy => "personal privacy".into(),
        ExemptionReason::TextSuffices => "text records suffice (Art. 11)".into(),
        ExemptionReason::Other(s) => format!("other: {s}"),
    }
}

/// `音像记录 X`, `介质 0a1b…`, `案件 X 的记录` (for the Chinese report).
pub(super) fn record_zh(r: &RecordRef) -> String {
    match r {
        RecordRef::Session(s) => format!("音像记录 {s} "),
        RecordRef::Media(d) => format!("介质 {} ", short_hex(d.as_bytes())),
        RecordRef::Case(c) => format!("案件 {c} 的记录"),
    }
}

pub(super) fn record_text(r: &RecordRef) -> String {
    match r {
        RecordRef::Session(s) => format!("session {s}"),
        RecordRef::Media(d) => format!("media {}", short_hex(d.as_bytes())),
        RecordRef::Case(c) => format!("case {c}"),
    }
}

/// One line on what an event says, for timelines.
pub(super) fn detail(event: &Event) -> String {
    match event {
        Event::Genesis { origin, .. } => format!("ledger {origin}"),
        Event::KeyAuthorized { role, holder, .. } => format!("{role:?} key of {holder}"),
        Event::KeyRevoked { reason, .. } => format!("key revoked: {reason}"),
        Event::CaseOpened {
            act, matter, unit, ..
        } => format!("{} — {matter} ({unit})", act_name(act)),
        Event::DocumentFiled {
            stage,
            kind,
            media,
            officers,
            ..
        } => format!(
            "{kind:?} at {stage:?}: {} — officers {}",
            media.name,
            officers.join(", ")
        ),
        Event::DecisionMade {
            kind,
            document,
            relies_on,
            ..
        } => format!(
            "{kind:?}: {} — relies on {} records",
            document.name,
            relies_on.len()
        ),
        Event::CaseClosed {
            outcome,
            file_retention,
            ..
        } => format!(
            "{outcome}; case file kept {}",
            retention_text(file_retention)
        ),
        Event::PartyNotified { at, .. } => format!("party told at {}", format_time(*at)),
        Event::RecordingStarted {
            method,
            location,
            matter,
            officers,
            party,
            ..
        } => format!(
            "{} at {} (landmark: {}); {matter}; officers {}; party {}",
            method_name(method),
            location.place,
            location.landmark.as_deref().unwrap_or("none"),
            officers.join(", "),
            if party.is_some() {
                "present"
            } else {
                "not named"
            }
        ),
        Event::SegmentSealed {
            index,
            media,
            start,
            end,
            ..
        } => format!(
            "segment {index}: {} – {} ({}), {}",
            format_time(*start),
            format_time(*end),
            format_span(end.0.saturating_sub(start.0)),
            media.name
        ),
        Event::RecordingInterrupted { reason, at, .. } => format!(
            "interrupted ({}) at {}",
            interruption_name(reason),
            format_time(*at)
        ),
        Event::RecordingStopped { segments, .. } => format!("stopped after {segments} segments"),
        Event::RecordingExempted {
            reason,
            approved_by,
            ..
        } => format!(
            "exempted from AV: {}; approved by {approved_by}",
            exemption_name(reason)
        ),
        Event::Archived {
            subject,
            custodian,
            storage,
            labels,
        } => format!(
            "{} archived in {storage}; custodian {custodian}; case {}; made by {}; proves: {}",
            record_text(subject),
            labels.case_no,
            labels.made_by,
            labels.proves
        ),
        Event::Handover { media, from, to } => format!(
            "media {} handed from {from} to {to}",
            short_hex(media.as_bytes())
        ),
        Event::RetentionSet { until, .. } => {
            format!("records kept {}", retention_text(until))
        }
        Event::PreservationOrdered { trigger, .. } => {
            format!("preservation ordered: {}", trigger_name(trigger))
        }
        Event::PreservationReleased { approved_by, .. } => {
            format!("preservation released; approved by {approved_by}")
        }
        Event::DerivativeMade {
            original,
            derivative,
            kind,
            reason,
        } => format!(
            "{kind:?} of {}: {} — {reason}",
            short_hex(original.as_bytes()),
            derivative.name
        ),
        Event::MediaPurged { media, authority } => format!(
            "media {} purged; authority {authority}",
            short_hex(media.as_bytes())
        ),
        Event::AccessRequested { request, basis, .. } => {
            format!("access request {request}: {basis}")
        }
        Event::AccessDecided {
            request,
            granted,
            reason,
        } => format!(
            "access request {request} {}: {reason}",
            if *granted { "granted" } else { "refused" }
        ),
        Event::RecordViewed {
            subject,
            by,
            purpose,
        } => format!("{} viewed by {by}: {purpose}", record_text(subject)),
        Event::RecordDisclosed { what, .. } => format!("{} records disclosed", what.len()),
        Event::Erased { authority, .. } => format!("sealed data erased; authority {authority}"),
        Event::CircumstanceReported {
            trigger, summary, ..
        } => format!("{}: {summary}", trigger_name(trigger)),
        Event::ConfidentialityMarked {
            subject,
            level,
            reason,
        } => format!("{} marked {level:?}: {reason}", record_text(subject)),
        Event::DocumentDescribed {
            document,
            proves,
            pages,
            ..
        } => format!(
            "document {} offered to prove: {proves}{}",
            short_hex(document.as_bytes()),
            pages.map_or_else(String::new, |n| format!(" ({n} pages)"))
        ),
    }
}
