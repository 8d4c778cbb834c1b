//! Statements of the events the tests use most, with the values the fixtures share.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use liuhen::model::*;
use liuhen::{SignedStatement, Signer};

use super::OFFICER_ID;

/// An investigation record of `case_no` filed by [`OFFICER_ID`].
pub fn document_filed(case_no: &str, media: MediaRef) -> Event {
    Event::DocumentFiled {
        case_no: case_no.into(),
        stage: Stage::Investigation,
        kind: DocumentKind::InvestigationRecord,
        media,
        officers: vec![OFFICER_ID.into()],
    }
}

/// An annual inspection of case `case_no` opened by the social-organisation section, its party
/// the commitment `subject`.
pub fn case_opened(case_no: &str, subject: Sealed) -> Event {
    Event::CaseOpened {
        case_no: case_no.into(),
        act: ActKind::Inspection,
        matter: "年度检查".into(),
        unit: "社会组织管理科".into(),
        subject,
    }
}

/// `key` authorized as an officer, held by [`OFFICER_ID`] (signed by the ledger key).
pub fn officer_authorized(key: liuhen::PublicKey) -> Event {
    Event::KeyAuthorized {
        key,
        role: Role::Officer,
        holder: OFFICER_ID.into(),
    }
}

/// A penalty case `case_no` (an annual report not filed) opened by the enforcement supervision
/// section, its party the commitment `subject`.
pub fn penalty_opened(case_no: &str, subject: Sealed) -> Event {
    Event::CaseOpened {
        case_no: case_no.into(),
        act: ActKind::Penalty,
        matter: "未按规定报送年度工作报告".into(),
        unit: "执法监督科".into(),
        subject,
    }
}

/// The `i`-th document of the numbered fixtures: case `i % 4`, media `doc-{i}.pdf`.
pub fn numbered_document(i: usize) -> Event {
    document_filed(
        &format!("金民执〔2026〕{}号", i % 4),
        super::media(&format!("doc-{i}.pdf"), "application/pdf"),
    )
}

/// `by` viewed the record of case `case_no` for `purpose`.
pub fn case_viewed(case_no: &str, by: &str, purpose: &str) -> Event {
    Event::RecordViewed {
        subject: RecordRef::Case(case_no.into()),
        by: by.into(),
        purpose: purpose.into(),
    }
}

/// `event` signed by `author` at `time`, bound to no ledger (format v1).
pub fn signed(time: Timestamp, event: Event, author: &dyn Signer) -> SignedStatement {
    SignedStatement::sign(time, event, author).unwrap()
}

/// The start of a body-worn recording of `session` in case `case_no` with [`OFFICER_ID`]
/// present, at the fixtures' scene (a place with its landmark, as Art. 14(3) asks).
pub fn recording_start(
    session: &str,
    case_no: &str,
    party: Option<Sealed>,
) -> liuhen::media::RecordingStart {
    liuhen::media::RecordingStart {
        session: session.into(),
        case_no: case_no.into(),
        method: CaptureMethod::BodyWornRecorder,
        location: Location {
            place: "金普新区某街道1号".into(),
            landmark: Some("门牌".into()),
        },
        matter: "现场检查".into(),
        officers: vec![OFFICER_ID.into()],
        party,
    }
}

/// `start` as the `RecordingStarted` event of the recording device `device`.
pub fn recording_started(device: liuhen::PublicKey, start: liuhen::media::RecordingStart) -> Event {
    Event::RecordingStarted {
        session: start.session,
        case_no: start.case_no,
        device,
        method: start.method,
        location: start.location,
        matter: start.matter,
        officers: start.officers,
        party: start.party,
    }
}

/// Segment `index` of recording `session`, chained to `prev`, covering `start..end`.
pub fn segment_sealed(
    session: &str,
    index: u32,
    prev: Option<liuhen::Digest>,
    media: MediaRef,
    (start, end): (Timestamp, Timestamp),
) -> Event {
    Event::SegmentSealed {
        session: session.into(),
        index,
        prev_segment: prev,
        media,
        start,
        end,
    }
}
