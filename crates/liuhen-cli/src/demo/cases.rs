//! The bureau's month, act by act: four cases done as the regulation asks and one with lapses.
//!
//! Each act appends what the people and devices of the bureau would sign, in the order they
//! would sign it, with the clock moved as the story goes; the story line of each step names
//! the article it serves. The ledger key seals a checkpoint after each act, as a deployment
//! seals after each batch.

use liuhen::hash::Digest;
use liuhen::model::{
    ActKind, ArchiveLabels, CaptureMethod, DecisionKind, DerivativeKind, DocumentKind, Event,
    MediaRef, PreservationTrigger, RecordRef, Retention, Sealed, Stage, Timestamp,
};
use liuhen::registry::RegistryError;
use liuhen::{LedgerError, Receipt};

use super::bureau::{Bureau, Shoot, Who, ORIGIN, STAFF, STAFF_SUMMARY};
use super::story::{self, clock_time, duration, march, DAY, HOUR, MINUTE};
use super::Res;

/// Case numbers (案件编号) of the story.
pub(super) const INSPECTION: &str = "金民执〔2026〕12号";
/// The penalty case.
pub(super) const PENALTY: &str = "金民罚〔2026〕3号";
/// The seizure case.
pub(super) const SEIZURE: &str = "金民强〔2026〕1号";
/// The inspection with lapses.
pub(super) const LAPSES: &str = "金民执〔2026〕15号";
/// The party of the seizure: an unregistered organisation has no legal personality, so the
/// party is its organiser, a natural person, whose name the vault erases ten years on.
pub(super) const SEIZURE_PARTY: &str = "张某某（“大连某某国学研究会”组织者，该会未经登记）";
/// A time after the last step of the story (RFC 3339), for an audit "as of" its end.
pub(super) const STORY_END: &str = "2026-04-01T00:00:00+08:00";
/// [`STORY_END`] as a time.
pub(super) fn story_end() -> Timestamp {
    march(32, 0, 0)
}
/// The body-cam session of the inspection (device serial, date, start time).
const INSPECTION_SESSION: &str = "BWC-7731-20260302-0941";

/// A year, for retention periods.
const YEAR: i64 = 365 * DAY;

/// What later acts need from the story: the entries and media that the proofs and the
/// tampering point at.
pub(super) struct Marks {
    /// The penalty decision's entry.
    pub decision: Receipt,
    /// The penalty decision document's digest.
    pub decision_document: Digest,
    /// The entry of the complaint in the case with lapses, which no preservation order answered.
    pub unanswered_complaint: u64,
    /// The body-cam segments of the inspection, in order.
    pub inspection_footage: Vec<MediaRef>,
    /// The inspection record of the inspection.
    pub inspection_record: MediaRef,
    /// The first checkpoint after the inspection was recorded.
    pub early_checkpoint: liuhen::checkpoint::SignedCheckpoint,
    /// The inspection's party, sealed; its case is under a preservation order.
    pub inspection_party: Sealed,
    /// The seizure's party, sealed.
    pub seizure_party: Sealed,
    /// When the seizure's case closed, and until when its file is kept.
    pub seizure_closed: (Timestamp, Timestamp),
}

/// Act 1: the ledger, its keys and vault; a stranger's statement refused.
pub(super) fn founding(root: &std::path::Path) -> Res<Bureau> {
    story::act(1, "The ledger, and who may write to it (Art. 4, 8)");
    let mut b = Bureau::create(root, march(2, 8, 0))?;
    story::done(&format!(
        "ledger created, origin {ORIGIN}; the vault for personal data in vault/ (0700)"
    ));
    story::done(&format!(
        "{} keys registered in the ledger itself (Art. 4), secret keys in keys/ (0600):",
        STAFF.len(),
    ));
    story::note(STAFF_SUMMARY);
    let refused = b.append_as_stranger(Event::RecordViewed {
        subject: RecordRef::Case(INSPECTION.into()),
        by: "unknown".into(),
        purpose: "look around".into(),
    })?;
    match refused {
        Err(LedgerError::Refused {
            source: RegistryError::UnknownKey { seq, .. },
            ..
        }) => story::done(&format!(
            "a statement signed by a key never registered is refused (it would have been entry {seq})"
        )),
        Err(other) => return Err(other.into()),
        Ok(r) => {
            return Err(format!(
                "self-test failed: a statement by an unregistered key was admitted at entry {}",
                r.seq
            )
            .into())
        }
    }
    Ok(b)
}

/// Opens case `case_no` (`act`, `matter`) of `unit`, signed by `who`, against the party named
/// `party_name`, sealed first as every party is. Returns the sealed party.
fn open_case(
    b: &mut Bureau,
    who: Who,
    case_no: &str,
    act: ActKind,
    matter: &str,
    unit: &str,
    party_name: &str,
) -> Res<Sealed> {
    let party = b.seal("party.name", party_name)?;
    b.append(
        who,
        Event::CaseOpened {
            case_no: case_no.into(),
            act,
            matter: matter.into(),
            unit: unit.into(),
            subject: party,
        },
    )?;
    Ok(party)
}

/// Act 2: an inspection with a body-cam recording, the inspection record, archiving, a
/// rectification order and closing.
pub(super) fn inspection(b: &mut Bureau) -> Res<(Vec<MediaRef>, MediaRef, Sealed)> {
    story::act(
        2,
        &format!("{INSPECTION} — inspection 行政检查 of a social organisation"),
    );
    let officers = ["21020001", "21020002"];
    b.at(march(2, 9, 0))?;
    let party = open_case(
        b,
        Who::Wang,
        INSPECTION,
        ActKind::Inspection,
        "年度检查：办公场所与业务活动 annual inspection of premises and activities",
        "社会组织管理科",
        "大连金普新区某某文化交流协会",
    )?;
    story::done("case opened; the party's name sealed: a salted commitment in the ledger, opening in vault/ (Art. 20)");

    let session = INSPECTION_SESSION;
    let start = march(2, 9, 41);
    let footage = b.record(&Shoot {
        device: Who::BodyCam,
        session,
        case_no: INSPECTION,
        method: CaptureMethod::BodyWornRecorder,
        place: "金普新区某某街道88号三楼",
        landmark: "协会门牌及楼下某某超市",
        matter: "现场检查 on-site inspection",
        officers: &officers,
        party,
        start,
        notice_minutes: -1,
        segments: &[12, 12, 11],
        pause_before: None,
        segment_bytes: 160 * 1024,
        upload: march(2, 11, 30),
    })?;
    story::done("party told first 首先告知 (Art. 14(1)); time, place, landmark, officers on record (Art. 14(2), (3))");
    story::done(&format!(
        "body-cam 执法记录仪: {} segments, {}, each device-signed and chained to the last (Art. 14(4))",
        footage.segments.len(),
        duration(footage.ended.0 - start.0)
    ));

    b.at(march(2, 11, 45))?;
    let (_, record) = b.file(
        Who::Wang,
        INSPECTION,
        Stage::Investigation,
        DocumentKind::InvestigationRecord,
        "现场检查笔录.pdf",
        &officers,
    )?;
    b.at(march(2, 14, 0))?;
    b.append(
        Who::Custodian,
        archive(
            session,
            INSPECTION,
            CaptureMethod::BodyWornRecorder,
            start,
            "协会实际办公场所与登记住所不一致 premises differ from the registered address",
        ),
    )?;
    story::done(&format!(
        "inspection record 现场检查笔录 filed (Art. 6); footage archived 归档 after {} (Art. 16)",
        duration(b.now().0 - footage.ended.0)
    ));

    b.at(march(4, 10, 0))?;
    let order = b.media("责令限期改正通知书.pdf", "application/pdf", 9 * 1024)?;
    b.append(
        Who::CaseSystem,
        Event::DecisionMade {
            case_no: INSPECTION.into(),
            kind: DecisionKind::Other("责令限期改正 order to rectify within a time limit".into()),
            document: order,
            relies_on: footage
                .segments
                .iter()
                .map(|s| s.digest)
                .chain([record.digest])
                .collect(),
        },
    )?;
    b.later(2 * HOUR);
    b.file(
        Who::Li,
        INSPECTION,
        Stage::ServiceExecution,
        DocumentKind::ServiceReceipt,
        "送达回证-整改通知.pdf",
        &["21020002"],
    )?;
    b.at(march(6, 16, 0))?;
    close(b, Who::Wang, INSPECTION, "已按期改正 rectified in time", 10)?;
    story::done(
        "order to rectify 责令改正 served 送达回证; case closed, file kept 10 years (Art. 17)",
    );
    Ok((footage.segments, record, party))
}

/// Act 3: a penalty with the hearing report, the decision and the service receipt.
pub(super) fn penalty(b: &mut Bureau) -> Res<(Receipt, Digest)> {
    story::act(3, &format!("{PENALTY} — penalty 行政处罚"));
    b.at(march(9, 9, 30))?;
    open_case(
        b,
        Who::Li,
        PENALTY,
        ActKind::Penalty,
        "未按规定报送年度工作报告 failed to file the annual work report",
        "社会组织管理科",
        "大连金普新区某某职业技能培训学校",
    )?;
    let both = ["21020001", "21020002"];
    let mut relied = Vec::new();
    for (day, hour, stage, kind, name) in [
        (
            9,
            15,
            Stage::Investigation,
            DocumentKind::InvestigationRecord,
            "询问笔录.pdf",
        ),
        (
            10,
            10,
            Stage::ReviewDecision,
            DocumentKind::EnforcementDocument,
            "行政处罚事先告知书.pdf",
        ),
        (
            13,
            11,
            Stage::ReviewDecision,
            DocumentKind::HearingReport,
            "听证报告.pdf",
        ),
        (
            16,
            9,
            Stage::ReviewDecision,
            DocumentKind::CaseDiscussionMinutes,
            "案件讨论记录.pdf",
        ),
        (
            16,
            15,
            Stage::ReviewDecision,
            DocumentKind::InternalApproval,
            "内部审批表.pdf",
        ),
    ] {
        b.at(march(day, hour, 0))?;
        let described = kind == DocumentKind::InvestigationRecord;
        let (_, media) = b.file(Who::Li, PENALTY, stage, kind, name, &both)?;
        if described {
            // What the record is offered to prove (证明对象) and its pages, for the case's
            // evidence list (证据清单); a text record without one says 未记载.
            b.later(5 * MINUTE);
            b.append(
                Who::Li,
                Event::DocumentDescribed {
                    case_no: PENALTY.into(),
                    document: media.digest,
                    proves: "当事人未按规定报送2025年度工作报告的事实 the school did not file its 2025 annual report".into(),
                    pages: Some(3),
                },
            )?;
        }
        relied.push(media.digest);
    }
    story::done("case file 案卷 (Art. 6): 询问笔录 (its 证明对象 and 3 pages stated), 事先告知书, hearing report 听证报告, 案件讨论记录, 内部审批表");
    b.at(march(17, 10, 0))?;
    let document = b.media("行政处罚决定书.pdf", "application/pdf", 12 * 1024)?;
    let decision_document = document.digest;
    let decision = b.append(
        Who::CaseSystem,
        Event::DecisionMade {
            case_no: PENALTY.into(),
            kind: DecisionKind::Penalty,
            document,
            relies_on: relied,
        },
    )?;
    b.at(march(17, 15, 30))?;
    b.file(
        Who::Li,
        PENALTY,
        Stage::ServiceExecution,
        DocumentKind::ServiceReceipt,
        "送达回证-处罚决定.pdf",
        &both,
    )?;
    b.at(march(20, 16, 0))?;
    close(b, Who::Li, PENALTY, "罚款已缴纳 the fine is paid", 30)?;
    story::done(&format!(
        "penalty decision 处罚决定书 (entry {}) served 送达回证; paid, closed, kept 30 years (Art. 17)",
        decision.seq
    ));
    Ok((decision, decision_document))
}

/// Act 4: a seizure, approved first, then carried out and recorded on AV in full on site
/// (Art. 12); the decision served there enters the case system once the footage is in, relying
/// on it, so that the ledger shows the AV before the decision. The organisation is banned the
/// next day and the case closed. Returns the sealed party, when the case closed and until when
/// its file is kept.
pub(super) fn seizure(b: &mut Bureau) -> Res<(Sealed, (Timestamp, Timestamp))> {
    story::act(
        4,
        &format!("{SEIZURE} — seizure 查封, a coercive measure 行政强制"),
    );
    b.at(march(23, 9, 0))?;
    let party = open_case(
        b,
        Who::Wang,
        SEIZURE,
        ActKind::Coercion,
        "查封非法社会组织活动场所及财物 seizure of an unregistered organisation's premises and property",
        "社会组织管理科",
        SEIZURE_PARTY,
    )?;
    let officers = ["21020001", "21020002"];
    b.at(march(23, 11, 0))?;
    b.file(
        Who::Wang,
        SEIZURE,
        Stage::ReviewDecision,
        DocumentKind::InternalApproval,
        "查封审批表.pdf",
        &officers,
    )?;
    let session = "BWC-7731-20260324-1400";
    let start = march(24, 14, 0);
    let footage = b.record(&Shoot {
        device: Who::BodyCam,
        session,
        case_no: SEIZURE,
        method: CaptureMethod::BodyWornRecorder,
        place: "金普新区某某路16号二层",
        landmark: "楼下某某银行网点",
        matter: "查封现场 seizure on site",
        officers: &officers,
        party,
        start,
        notice_minutes: -2,
        segments: &[15, 15, 15, 15],
        pause_before: None,
        segment_bytes: 192 * 1024,
        upload: march(24, 16, 30),
    })?;
    b.at(march(24, 16, 40))?;
    let decision = b.media("查封决定书.pdf", "application/pdf", 10 * 1024)?;
    b.append(
        Who::CaseSystem,
        Event::DecisionMade {
            case_no: SEIZURE.into(),
            kind: DecisionKind::CoerciveMeasure,
            document: decision,
            relies_on: footage.segments.iter().map(|s| s.digest).collect(),
        },
    )?;
    for (kind, name) in [
        (
            DocumentKind::EnforcementDocument,
            "查封现场笔录及查封清单.pdf",
        ),
        (DocumentKind::ServiceReceipt, "送达回证-查封决定.pdf"),
    ] {
        b.later(5 * MINUTE);
        b.file(
            Who::Wang,
            SEIZURE,
            Stage::ServiceExecution,
            kind,
            name,
            &officers,
        )?;
    }
    b.at(march(25, 9, 0))?;
    b.append(
        Who::Custodian,
        archive(
            session,
            SEIZURE,
            CaptureMethod::BodyWornRecorder,
            start,
            "查封过程合法、查封财物清点无误 the seizure and the inventory of the property",
        ),
    )?;
    story::done(&format!(
        "approved 内部审批表, then recorded on AV in full 全过程音像记录: {} chained segments, {} (Art. 12)",
        footage.segments.len(),
        duration(footage.ended.0 - start.0),
    ));
    let archived = duration(b.now().0 - footage.ended.0);
    b.at(march(25, 16, 0))?;
    let closed = b.now();
    let kept_until = close(
        b,
        Who::Wang,
        SEIZURE,
        "依法取缔，解除查封 the organisation banned, the seizure lifted",
        10,
    )?;
    story::done(&format!(
        "decision 查封决定书 on that footage, served; archived after {archived} (Art. 16); banned 取缔, closed, kept 10 years (Art. 17)"
    ));
    Ok((party, (closed, kept_until)))
}

/// Act 5: the party of the inspection complains; the footage is put under a preservation
/// order and burned to disc; the party reads the records.
pub(super) fn complaint(b: &mut Bureau, footage: &[MediaRef], record: &MediaRef) -> Res<()> {
    story::act(
        5,
        &format!("{INSPECTION} again — the party complains 投诉、上访"),
    );
    b.at(march(26, 10, 0))?;
    b.append(
        Who::Office,
        Event::CircumstanceReported {
            case_no: INSPECTION.into(),
            trigger: PreservationTrigger::PartyObjection,
            summary: "协会就现场检查程序投诉并上访 the association complained and petitioned about how the inspection was conducted".into(),
        },
    )?;
    b.later(30 * MINUTE);
    b.append(
        Who::Office,
        Event::PreservationOrdered {
            case_no: INSPECTION.into(),
            trigger: PreservationTrigger::PartyObjection,
        },
    )?;
    story::done(
        "complaint recorded as an Art. 18(1) circumstance; preservation ordered 长期保存 (Art. 18)",
    );
    b.later(30 * MINUTE);
    b.append(
        Who::Office,
        Event::RecordViewed {
            subject: RecordRef::Session(INSPECTION_SESSION.into()),
            by: "办公室 supervising office".into(),
            purpose: "信访核查 reviewing the complaint".into(),
        },
    )?;
    b.at(march(26, 14, 0))?;
    let total: usize = footage
        .iter()
        .map(|s| usize::try_from(s.length).unwrap_or(0))
        .sum();
    let disc = b.media(
        "金民执〔2026〕12号-光盘01.iso",
        "application/x-iso9660-image",
        total + 64 * 1024,
    )?;
    // A derivative names one original; a disc holding every segment derives from each, and
    // saying so per segment lets a custody check follow any one of them to the disc.
    for segment in footage {
        b.append(
            Who::Custodian,
            Event::DerivativeMade {
                original: segment.digest,
                derivative: disc.clone(),
                kind: DerivativeKind::DiscImage,
                reason: "刻录光盘长期保存 burned to disc for long-term preservation (Art. 18)"
                    .into(),
            },
        )?;
    }
    story::done("the office's viewing logged (Art. 20); burned to disc 刻录光盘, originals untouched (Art. 21(2))");
    b.at(march(26, 15, 0))?;
    let requester = b.seal("requester.name", "王某某（协会法定代表人）")?;
    let request = "金民依申〔2026〕7号";
    b.append(
        Who::Office,
        Event::AccessRequested {
            request: request.into(),
            case_no: INSPECTION.into(),
            requester,
            basis: "《政府信息公开条例》 Regulations on the Disclosure of Government Information"
                .into(),
        },
    )?;
    b.at(march(27, 10, 0))?;
    b.append(
        Who::Office,
        Event::AccessDecided {
            request: request.into(),
            granted: true,
            reason: "当事人申请查阅本案记录 a party reading its own case".into(),
        },
    )?;
    b.later(HOUR);
    b.append(
        Who::Custodian,
        Event::RecordDisclosed {
            case_no: INSPECTION.into(),
            to: requester,
            what: vec![record.digest],
        },
    )?;
    story::done("the party asks to read the records 申请查阅 (Art. 19): requester sealed, granted, copy logged");
    Ok(())
}

/// Act 6: an inspection with four lapses, which the audit (not the verifier) must find.
pub(super) fn lapses(b: &mut Bureau) -> Res<u64> {
    story::act(
        6,
        &format!("{LAPSES} — an inspection with four lapses, left for the audit"),
    );
    b.at(march(30, 9, 0))?;
    let party = open_case(
        b,
        Who::Li,
        LAPSES,
        ActKind::Inspection,
        "养老机构服务安全检查 safety inspection of an elderly-care institution",
        "养老服务科",
        "大连金普新区某某养老服务中心",
    )?;
    let start = march(30, 10, 0);
    let notice_minutes = 3;
    let footage = b.record(&Shoot {
        device: Who::Terminal,
        session: "PDA-0412-20260330-1000",
        case_no: LAPSES,
        method: CaptureMethod::HandheldTerminal,
        place: "金普新区某某社区养老服务中心",
        landmark: "中心正门标牌",
        matter: "现场检查 on-site inspection",
        officers: &["21020002", "21020001"],
        party,
        start,
        notice_minutes,
        segments: &[20, 20],
        pause_before: Some((1, 6)),
        segment_bytes: 128 * 1024,
        upload: march(30, 11, 30),
    })?;
    story::lapse(&format!(
        "party told {notice_minutes} min after the recording started, not first 首先告知 (Art. 14(1))"
    ));
    story::lapse(
        "camera off 6 min between the two segments, no interruption recorded 不得中断 (Art. 14(4))",
    );
    b.at(march(30, 11, 40))?;
    b.file(
        Who::Li,
        LAPSES,
        Stage::Investigation,
        DocumentKind::InvestigationRecord,
        "现场检查笔录-养老服务中心.pdf",
        &["21020002", "21020001"],
    )?;
    b.at(march(30, 16, 0))?;
    let complaint = b.append(
        Who::Li,
        Event::CircumstanceReported {
            case_no: LAPSES.into(),
            trigger: PreservationTrigger::PartyObjection,
            summary: "负责人对检查结论提出异议并投诉 the director objected to the findings and complained".into(),
        },
    )?;
    let archived_at = footage.ended.plus_millis(30 * HOUR);
    b.at(archived_at)?;
    let late_archive = archive(
        "PDA-0412-20260330-1000",
        LAPSES,
        CaptureMethod::HandheldTerminal,
        start,
        "消防通道堵塞 a blocked fire escape",
    );
    // The custodian's system asks first what the audit would say (`liuhen append --dry-run`):
    // the lapse is found before it is in the ledger forever. The archive is recorded all the
    // same — a late record is a lapse, a missing one would be worse.
    let preview = b.dry_run(Who::Custodian, &late_archive)?;
    let said: Vec<&str> = preview
        .new_findings
        .iter()
        .map(|f| f.article.as_str())
        .collect();
    if preview.new_findings.is_empty() {
        return Err("the dry run of a late archive reported nothing".into());
    }
    story::note(&format!(
        "dry run before appending (liuhen append --dry-run): nothing written, the audit would add {} finding(s) ({})",
        preview.new_findings.len(),
        said.join(", ")
    ));
    b.append(Who::Custodian, late_archive)?;
    story::lapse(&format!(
        "footage ended {}, archived {}: {} later, not within 24 h 24小时内 (Art. 16)",
        clock_time(footage.ended),
        clock_time(archived_at),
        duration(archived_at.0 - footage.ended.0)
    ));
    story::lapse(&format!(
        "the director's complaint recorded (entry {}), but no preservation order follows (Art. 18(1))",
        complaint.seq
    ));
    story::note(
        "not tampering: the ledger truthfully records what went wrong, and the audit flags it",
    );
    Ok(complaint.seq)
}

/// An `Archived` statement for a recording session, with the labels of Art. 16.
fn archive(
    session: &str,
    case_no: &str,
    method: CaptureMethod,
    made_at: Timestamp,
    proves: &str,
) -> Event {
    Event::Archived {
        subject: RecordRef::Session(session.into()),
        custodian: "21020009".into(),
        storage: "执法信息系统 enforcement information system".into(),
        labels: ArchiveLabels {
            case_no: case_no.into(),
            method,
            made_at,
            made_by: "21020001".into(),
            proves: proves.into(),
            transcript: None,
        },
    }
}

/// Closes a case, keeping its file (and the evidence in it, Art. 17) for `years`; returns
/// until when.
fn close(b: &mut Bureau, who: Who, case_no: &str, outcome: &str, years: i64) -> Res<Timestamp> {
    let until = b.now().plus_millis(years * YEAR);
    b.append(
        who,
        Event::CaseClosed {
            case_no: case_no.into(),
            outcome: outcome.into(),
            file_retention: Retention::Until(until),
        },
    )?;
    Ok(until)
}

/// Acts 1 to 6, each ending with a checkpoint; returns the bureau and what later acts need.
pub(super) fn month(root: &std::path::Path) -> Res<(Bureau, Marks)> {
    let mut b = founding(root)?;
    let (inspection_footage, inspection_record, inspection_party) = inspection(&mut b)?;
    let early_checkpoint = b.checkpoint()?;
    let (decision, decision_document) = penalty(&mut b)?;
    b.checkpoint()?;
    let (seizure_party, seizure_closed) = seizure(&mut b)?;
    b.checkpoint()?;
    complaint(&mut b, &inspection_footage, &inspection_record)?;
    b.checkpoint()?;
    let unanswered_complaint = lapses(&mut b)?;
    if b.now() >= story_end() {
        return Err(
            format!("the demo's story runs past {STORY_END}, the audit time it prints").into(),
        );
    }
    Ok((
        b,
        Marks {
            decision,
            decision_document,
            unanswered_complaint,
            inspection_footage,
            inspection_record,
            early_checkpoint,
            inspection_party,
            seizure_party,
            seizure_closed,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_end_of_the_story_is_its_end() {
        assert_eq!(clock_time(story_end()), "04-01 00:00");
        assert!(STORY_END.starts_with("2026-04-01T00:00:00+08:00"));
    }
}
