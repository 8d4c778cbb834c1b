//! The rules: judges the facts the engine gathered, as of the audit time, into findings,
//! deadlines and the supervision lists.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::describe::*;
use super::*;

/// The interruption that explains a gap: dated between the end of the segment before (less
/// the tolerance, for clock jitter) and the start of the segment after.
pub(super) fn explained_by<'s>(
    s: &'s Session,
    g: &Gap,
    tolerance: i64,
) -> Option<&'s (At, Timestamp, InterruptionReason)> {
    let from = g.prev_end.plus_millis(-tolerance);
    s.interruptions
        .iter()
        .find(|(_, when, _)| *when >= from && *when <= g.start)
}

/// The archive that covers a whole recording: the first `Archived` of the session (or of its
/// whole case) logged after its last segment, or per-media archives of every segment, each
/// logged after its segment. Returns when (by `logged_at`) it was covered.
pub(super) fn covering_archive(s: &Session, archives: &ArchiveIndex) -> Option<At> {
    let last_seg = s.segments.iter().map(|g| g.at.seq).max()?;
    let whole = [
        first_after(archives.by_session.get(&s.id), last_seg),
        first_after(archives.by_case.get(&s.case_no), last_seg),
    ]
    .into_iter()
    .flatten()
    .min_by_key(|a| a.seq);
    let mut per_media: Option<At> = None;
    for seg in &s.segments {
        match first_after(archives.by_media.get(&seg.digest), seg.at.seq) {
            None => {
                per_media = None;
                break;
            }
            Some(a) => {
                if per_media.is_none_or(|p| a.seq > p.seq) {
                    per_media = Some(a);
                }
            }
        }
    }
    [whole, per_media]
        .into_iter()
        .flatten()
        .min_by_key(|a| a.seq)
}

/// A span in Chinese: `6小时3分钟`.
pub(super) fn zh_span(ms: i64) -> String {
    crate::audit::stats::duration_text(Some(ms))
}

/// A circumstance of Art. 18 in Chinese.
pub(super) fn trigger_zh(t: &PreservationTrigger) -> String {
    match t {
        PreservationTrigger::PartyObjection => "当事人提出异议、投诉或信访".into(),
        PreservationTrigger::Obstruction => "当事人逃避、拒绝、阻碍执法或辱骂、殴打执法人员".into(),
        PreservationTrigger::MassIncidentOrEmergency => "群体性事件或突发事件".into(),
        PreservationTrigger::AdministrativeReview => "申请行政复议".into(),
        PreservationTrigger::Litigation => "提起行政诉讼".into(),
        PreservationTrigger::UnitDecision(s) => format!("执法单位决定：{s}"),
    }
}

/// Whether `s` is empty or only white space.
pub(super) fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// What a finding is about: its case, its recording session and the officers it names.
pub(super) struct Subject<'a> {
    pub(super) case_no: Option<&'a str>,
    pub(super) session: Option<&'a str>,
    pub(super) officers: Vec<String>,
}

impl<'a> Subject<'a> {
    /// A recording session, in its case, naming its officers.
    pub(super) fn session(s: &'a Session) -> Self {
        Subject {
            case_no: Some(&s.case_no),
            session: Some(&s.id),
            officers: s.officers.clone(),
        }
    }

    /// Case `case_no` as a whole, naming `officers`.
    pub(super) fn case(case_no: &'a str, officers: Vec<String>) -> Self {
        Subject {
            case_no: Some(case_no),
            session: None,
            officers,
        }
    }
}

/// Applies the rules.
pub(super) struct Judge<'p> {
    pub(super) profile: &'p Profile,
    pub(super) as_of: Timestamp,
    pub(super) findings: Vec<Finding>,
    /// The Chinese particulars of the next finding emitted, if its rule composes them.
    pub(super) zh: Option<String>,
    pub(super) supervision: Supervision,
    pub(super) deadlines: HashMap<String, Vec<Deadline>>,
}

impl Judge<'_> {
    pub(super) fn emit(
        &mut self,
        rule: &'static str,
        case_no: Option<&str>,
        session: Option<&str>,
        mut seqs: Vec<u64>,
        officers: Vec<String>,
        message: String,
    ) {
        let message_zh = self.zh.take();
        if !self.profile.enabled(rule) {
            return;
        }
        let Some(r) = rules::rule(rule) else {
            return;
        };
        seqs.sort_unstable();
        seqs.dedup();
        let mut officers = officers;
        officers.sort();
        officers.dedup();
        officers.retain(|o| !blank(o));
        self.findings.push(Finding {
            rule: r.id.into(),
            article: r.article.into(),
            severity: self.profile.severity_of(rule).unwrap_or(r.severity),
            case_no: case_no.map(str::to_string),
            session: session.map(str::to_string),
            seqs,
            message,
            officers,
            message_zh,
            logged_at: None,
        });
    }

    /// Emits a finding of `rule` about `on`, with its Chinese particulars `zh`.
    pub(super) fn finding(
        &mut self,
        rule: &'static str,
        on: &Subject<'_>,
        seqs: Vec<u64>,
        zh: String,
        message: String,
    ) {
        self.zh = Some(zh);
        self.emit(
            rule,
            on.case_no,
            on.session,
            seqs,
            on.officers.clone(),
            message,
        );
    }

    pub(super) fn deadline(&mut self, case_no: &str, d: Deadline) {
        self.deadlines
            .entry(case_no.to_string())
            .or_default()
            .push(d);
    }

    /// Art. 14(1)–(4) and 16 for one recording session.
    pub(super) fn session(&mut self, s: &Session, case: Option<&Case>, archives: &ArchiveIndex) {
        self.session_notified(s);
        self.session_metadata(s);
        self.session_landmark(s);
        self.session_gaps(s);
        self.session_not_stopped(s);
        self.session_archived(s, case, archives);
    }

    /// Art. 14(1) (`ART14_1_NOTIFIED`): the party told before the recording began;
    /// `ART14_2_PARTY` when no party is named.
    fn session_notified(&mut self, s: &Session) {
        let p = self.profile;
        let on = Subject::session(s);

        // Art. 14(1): told before the recording began.
        let start_time = s
            .segments
            .iter()
            .map(|g| g.start)
            .min()
            .map_or(s.started_time, |t| t.min(s.started_time));
        if s.party {
            let tolerance = p.notification_tolerance.millis();
            // Judged on the times stated: an officer's app may upload the notification after
            // the footage, so ledger order says nothing about who was told first.
            let first = s.notices.iter().min_by_key(|(_, told)| *told);
            match first {
                Some((a, told)) if *told > start_time.plus_millis(tolerance) => {
                    self.finding(
                        id::ART14_1_NOTIFIED,
                        &on,
                        vec![a.seq, s.started.seq],
                        format!(
                            "音像记录 {} 于 {} 开始，{} 才告知当事人，晚于开始 {}（容许 {}）",
                            s.id,
                            format_time(start_time),
                            format_time(*told),
                            zh_span(told.0.saturating_sub(start_time.0)),
                            zh_span(tolerance)
                        ),
                        format!(
                            "session {}: the party was told at {}, {} after the recording began at {} (tolerance {})",
                            s.id,
                            format_time(*told),
                            format_span(told.0.saturating_sub(start_time.0)),
                            format_time(start_time),
                            format_span(tolerance)
                        ),
                    );
                }
                Some(_) => {}
                None => {
                    self.finding(
                        id::ART14_1_NOTIFIED,
                        &on,
                        vec![s.started.seq],
                        format!(
                            "音像记录 {}（条目 {}）无告知当事人的记录",
                            s.id, s.started.seq
                        ),
                        format!(
                            "session {}: no PartyNotified: nothing shows the party was told before recording started (entry {})",
                            s.id, s.started.seq
                        ),
                    );
                }
            }
        } else {
            self.finding(
                id::ART14_2_PARTY,
                &on,
                vec![s.started.seq],
                format!(
                    "音像记录 {}（条目 {}）未载明在场当事人，无法核查是否首先告知",
                    s.id, s.started.seq
                ),
                format!(
                    "session {}: the recording names no party present (entry {}); whether the party was told (Art. 14(1)) cannot be checked",
                    s.id, s.started.seq
                ),
            );
        }
    }

    /// Art. 14(2) (`ART14_2_METADATA`): time, place, matter and officers recorded.
    fn session_metadata(&mut self, s: &Session) {
        let on = Subject::session(s);

        // Art. 14(2): time, place, matter, officers.
        let mut missing = Vec::new();
        if blank(&s.place) {
            missing.push("the place (地点)".to_string());
        }
        if blank(&s.matter) {
            missing.push("the matter (执法事项)".to_string());
        }
        if s.officers.is_empty() || s.officers.iter().any(|o| blank(o)) {
            missing.push("the officers (执法人员)".to_string());
        }
        if let (Some(stop), true) = (s.stopped, s.segments.is_empty()) {
            missing.push(format!(
                "any footage: it was stopped (entry {}) without a segment, so its time (时间) is not recorded",
                stop.seq
            ));
        }
        if !missing.is_empty() {
            self.finding(
                id::ART14_2_METADATA,
                &on,
                vec![s.started.seq],
                format!(
                    "音像记录 {}（条目 {}）未完整载明地点、执法事项、执法人员或记录时间",
                    s.id, s.started.seq
                ),
                format!(
                    "session {}: the recording (entry {}) lacks {}",
                    s.id,
                    s.started.seq,
                    missing.join(", ")
                ),
            );
        }
    }

    /// Art. 14(3) (`ART14_3_LANDMARK`): a sign of the place or a nearby landmark recorded.
    fn session_landmark(&mut self, s: &Session) {
        let on = Subject::session(s);

        // Art. 14(3): landmark.
        if s.landmark.as_deref().is_none_or(blank) {
            self.finding(
                id::ART14_3_LANDMARK,
                &on,
                vec![s.started.seq],
                format!(
                    "音像记录 {}（条目 {}）未载明执法场所的标志或周边标志性建筑",
                    s.id, s.started.seq
                ),
                format!(
                    "session {}: no visible sign of the place or nearby landmark is recorded for {} (entry {})",
                    s.id,
                    if blank(&s.place) { "the place" } else { s.place.as_str() },
                    s.started.seq
                ),
            );
        }
    }

    /// Art. 14(4) (`ART14_4_GAP`, `ART14_4_INTERRUPTED`): gaps in the footage, explained or
    /// not; every interruption goes to supervision.
    fn session_gaps(&mut self, s: &Session) {
        let p = self.profile;
        let on = Subject::session(s);

        // Art. 14(4): gaps, explained or not.
        let tolerance = p.segment_gap_tolerance.millis();
        let mut explaining: BTreeSet<u64> = BTreeSet::new();
        for g in &s.gaps {
            let gap = g.start.0.saturating_sub(g.prev_end.0);
            match explained_by(s, g, tolerance) {
                Some((ia, _, reason)) => {
                    explaining.insert(ia.seq);
                    self.supervision.interruptions.push(Interruption {
                        case_no: s.case_no.clone(),
                        session: s.id.clone(),
                        seq: ia.seq,
                        reason: Some(interruption_name(reason)),
                        at: g.prev_end,
                        gap_ms: Some(gap),
                    });
                    self.finding(
                        id::ART14_4_INTERRUPTED,
                        &on,
                        vec![ia.seq, g.at.seq],
                        format!(
                            "音像记录 {} 第{}段之前中断 {}（{} 至 {}），条目 {} 已说明中断原因",
                            s.id,
                            g.index.saturating_add(1),
                            zh_span(gap),
                            format_time(g.prev_end),
                            format_time(g.start),
                            ia.seq
                        ),
                        format!(
                            "session {}: {} gap before segment {} (from {} to {}), explained by the interruption at entry {} ({})",
                            s.id,
                            format_span(gap),
                            g.index,
                            format_time(g.prev_end),
                            format_time(g.start),
                            ia.seq,
                            interruption_name(reason)
                        ),
                    );
                }
                None => {
                    self.supervision.interruptions.push(Interruption {
                        case_no: s.case_no.clone(),
                        session: s.id.clone(),
                        seq: g.at.seq,
                        reason: None,
                        at: g.prev_end,
                        gap_ms: Some(gap),
                    });
                    self.finding(
                        id::ART14_4_GAP,
                        &on,
                        vec![g.at.seq],
                        format!(
                            "音像记录 {} 第{}段之前中断 {}（{} 至 {}），无中断情况说明",
                            s.id,
                            g.index.saturating_add(1),
                            zh_span(gap),
                            format_time(g.prev_end),
                            format_time(g.start)
                        ),
                        format!(
                            "session {}: unexplained {} gap in the footage before segment {} (entry {}), from {} to {} (tolerance {}, no RecordingInterrupted)",
                            s.id,
                            format_span(gap),
                            g.index,
                            g.at.seq,
                            format_time(g.prev_end),
                            format_time(g.start),
                            format_span(tolerance)
                        ),
                    );
                }
            }
        }
        for (ia, when, reason) in &s.interruptions {
            if !explaining.contains(&ia.seq) {
                self.supervision.interruptions.push(Interruption {
                    case_no: s.case_no.clone(),
                    session: s.id.clone(),
                    seq: ia.seq,
                    reason: Some(interruption_name(reason)),
                    at: *when,
                    gap_ms: None,
                });
            }
        }
    }

    /// Art. 14(4) (`ART14_4_NOT_STOPPED`): a session never stopped.
    fn session_not_stopped(&mut self, s: &Session) {
        let p = self.profile;
        let on = Subject::session(s);

        let open_tolerance = p.open_session_tolerance.millis();
        if s.stopped.is_none() && self.as_of > s.last.logged.plus_millis(open_tolerance) {
            self.finding(
                id::ART14_4_NOT_STOPPED,
                &on,
                vec![s.started.seq, s.last.seq],
                format!(
                    "音像记录 {} 最后一条于 {} 登记（条目 {}），至审计时仍无结束记录",
                    s.id,
                    format_time(s.last.logged),
                    s.last.seq
                ),
                format!(
                    "session {}: never stopped; its last entry ({}) was logged at {}, {} before the audit time",
                    s.id,
                    s.last.seq,
                    format_time(s.last.logged),
                    format_span(self.as_of.0.saturating_sub(s.last.logged.0))
                ),
            );
        }
    }

    /// Art. 16 (`ART16_ARCHIVED`, `ART16_LATE_JUSTIFIED`): archived within the deadline of
    /// the recording's end.
    fn session_archived(&mut self, s: &Session, case: Option<&Case>, archives: &ArchiveIndex) {
        let p = self.profile;
        let on = Subject::session(s);

        // Art. 16: archived within the deadline of the recording's end.
        let Some(end) = s.segments.iter().map(Segment::vouched_end).max() else {
            return;
        };
        let last_seg = s.segments.iter().map(|g| g.at).max_by_key(|a| a.seq);
        let due = end.plus_millis(p.archive_deadline.millis());
        let done = covering_archive(s, archives);
        let status = match done {
            Some(a) if a.logged <= due => DeadlineStatus::Met,
            Some(_) => DeadlineStatus::Late,
            None if self.as_of > due => DeadlineStatus::Missed,
            None => DeadlineStatus::Pending,
        };
        self.deadline(
            &s.case_no,
            Deadline {
                rule: id::ART16_ARCHIVED.into(),
                what: format!(
                    "archive session {} within {}",
                    s.id,
                    format_span(p.archive_deadline.millis())
                ),
                session: Some(s.id.clone()),
                from: end,
                due,
                done_at: done.map(|a| a.logged),
                done_seq: done.map(|a| a.seq),
                status,
                seqs: last_seg.map(|a| a.seq).into_iter().collect(),
            },
        );
        if matches!(status, DeadlineStatus::Met | DeadlineStatus::Pending) {
            return;
        }
        let justified = case.is_some_and(|c| !c.justifications.is_empty());
        let late_by = done
            .map_or(self.as_of, |a| a.logged)
            .0
            .saturating_sub(due.0);
        self.supervision.late_archiving.push(LateArchive {
            case_no: s.case_no.clone(),
            session: s.id.clone(),
            recording_end: end,
            due,
            archived_at: done.map(|a| a.logged),
            archived_seq: done.map(|a| a.seq),
            late_by_ms: late_by,
            justified,
        });
        let mut seqs: Vec<u64> = last_seg.map(|a| a.seq).into_iter().collect();
        seqs.extend(done.map(|a| a.seq));
        let deadline = format_span(p.archive_deadline.millis());
        let what = match done {
            Some(a) => format!(
                "session {}: the recording ended at {} and was archived at {} (entry {}), {} later: {} beyond the {} deadline",
                s.id,
                format_time(end),
                format_time(a.logged),
                a.seq,
                format_span(a.logged.0.saturating_sub(end.0)),
                format_span(late_by),
                deadline
            ),
            None => {
                let early = archives
                    .by_session
                    .get(&s.id)
                    .and_then(|l| l.first())
                    .filter(|a| last_seg.is_some_and(|l| a.seq < l.seq));
                format!(
                    "session {}: the recording ended at {} and was not archived within {} (due {}, still not archived at the audit time){}",
                    s.id,
                    format_time(end),
                    deadline,
                    format_time(due),
                    early.map_or(String::new(), |a| format!(
                        "; the archive at entry {} was logged before its last segment",
                        a.seq
                    ))
                )
            }
        };
        match case.and_then(|c| c.justifications.first()) {
            Some(j) => {
                seqs.push(*j);
                self.finding(
                    id::ART16_LATE_JUSTIFIED,
                    &on,
                    seqs,
                    format!(
                        "音像记录 {} 于 {} 结束，未在 {} 内归档，已有延迟归档说明（条目 {j}）",
                        s.id,
                        format_time(end),
                        zh_span(p.archive_deadline.millis())
                    ),
                    format!("{what}; justified by the statement filed at entry {j}"),
                );
            }
            None => {
                self.finding(
                    id::ART16_ARCHIVED,
                    &on,
                    seqs,
                    match done {
                        Some(a) => format!(
                            "音像记录 {} 于 {} 结束，{} 才归档，超过 {} 期限 {}",
                            s.id,
                            format_time(end),
                            format_time(a.logged),
                            zh_span(p.archive_deadline.millis()),
                            zh_span(late_by)
                        ),
                        None => format!(
                            "音像记录 {} 于 {} 结束，至审计时仍未归档（应于 {} 前归档）",
                            s.id,
                            format_time(end),
                            format_time(due)
                        ),
                    },
                    format!("{what}, with no justification filed"),
                );
            }
        }
    }

    /// Art. 16 labels and custodian of every archive.
    pub(super) fn archive_labels(
        &mut self,
        archives: &[Archive],
        sessions: &HashMap<String, Session>,
        segment_of: &HashMap<Digest, (String, usize)>,
    ) {
        for a in archives {
            let session = match &a.subject {
                RecordRef::Session(id) => sessions.get(id),
                RecordRef::Media(d) => segment_of.get(d).and_then(|(id, _)| sessions.get(id)),
                RecordRef::Case(_) => None,
            };
            let case_no = session.map_or(a.labels_case.as_str(), |s| s.case_no.as_str());
            let case_no = (!blank(case_no)).then_some(case_no);
            let on = Subject {
                case_no,
                session: session.map(|s| s.id.as_str()),
                officers: a.officer.iter().cloned().collect(),
            };
            let what = match &a.subject {
                RecordRef::Session(id) => format!("session {id}"),
                RecordRef::Media(d) => format!("media {}", short_hex(d.as_bytes())),
                RecordRef::Case(c) => format!("the records of case {c}"),
            };
            let mut wrong = Vec::new();
            if blank(&a.labels_case) {
                wrong.push("no case number (案号)".to_string());
            } else if let Some(s) = session {
                if s.case_no != a.labels_case {
                    wrong.push(format!(
                        "case number {} although the recording belongs to case {}",
                        a.labels_case, s.case_no
                    ));
                }
            }
            if let Some(s) = session {
                if s.method != a.method {
                    wrong.push(format!(
                        "method {} although it was made with {} (制作方法)",
                        method_name(&a.method),
                        method_name(&s.method)
                    ));
                }
            }
            if a.made_at.0 <= 0 {
                wrong.push(format!("no time it was made (记录时间: {})", a.made_at.0));
            }
            if blank(&a.made_by) {
                wrong.push("no maker (制作人)".to_string());
            }
            if blank(&a.proves) {
                wrong.push("nothing it is offered to prove (证明对象)".to_string());
            }
            if !wrong.is_empty() {
                self.finding(
                    id::ART16_LABELS,
                    &on,
                    vec![a.at.seq],
                    format!(
                        "{}的归档（条目 {}）标签不完整或与记录不符",
                        record_zh(&a.subject),
                        a.at.seq
                    ),
                    format!(
                        "the archive of {what} (entry {}) is labelled with {}",
                        a.at.seq,
                        wrong.join("; ")
                    ),
                );
            }
            if blank(&a.custodian) {
                self.finding(
                    id::ART16_CUSTODIAN,
                    &on,
                    vec![a.at.seq],
                    format!(
                        "{}的归档（条目 {}）未指定负责的专人",
                        record_zh(&a.subject),
                        a.at.seq
                    ),
                    format!(
                        "the archive of {what} (entry {}) names no custodian (专人) responsible for it",
                        a.at.seq
                    ),
                );
            } else if self.profile.custodian_must_be_registered && !a.custodian_registered {
                self.finding(
                    id::ART16_CUSTODIAN,
                    &on,
                    vec![a.at.seq],
                    format!(
                        "{}的归档（条目 {}）指定的保管人 {} 不是登记的保管人员",
                        record_zh(&a.subject),
                        a.at.seq,
                        a.custodian
                    ),
                    format!(
                        "the archive of {what} (entry {}) names custodian {:?}, who holds no key registered with the custodian role (专人)",
                        a.at.seq, a.custodian
                    ),
                );
            }
            if !a.role.is_some_and(|r| self.profile.may_archive(r)) {
                let role = a.role.map_or("no active role".to_string(), |r| {
                    format!("role {}", RoleClass::of(r).as_str())
                });
                self.finding(
                    id::ART16_ARCHIVED_BY,
                    &on,
                    vec![a.at.seq],
                    format!(
                        "{}的归档（条目 {}）由 {} 签署，该密钥无归档权限",
                        record_zh(&a.subject),
                        a.at.seq,
                        a.signer
                    ),
                    format!(
                        "the archive of {what} (entry {}) was signed by {} ({role}); only keys of {} may archive records",
                        a.at.seq,
                        a.signer,
                        self.profile
                        .archive_roles
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                    ),
                );
            }
            if let Some(s) = session {
                let needs = self
                    .profile
                    .transcript_required_methods
                    .contains(&MethodClass::of(&s.method));
                if needs && !a.transcript {
                    self.finding(
                        id::ART16_TRANSCRIPT,
                        &on,
                        vec![a.at.seq],
                        format!(
                            "{}的归档（条目 {}）系{}记录，未附文字说明",
                            record_zh(&a.subject),
                            a.at.seq,
                            method_zh(&s.method)
                        ),
                        format!(
                            "the archive of {what} (entry {}), recorded with {}, carries no transcript or written description (文字说明)",
                            a.at.seq,
                            method_name(&s.method)
                        ),
                    );
                }
            }
        }
    }

    /// Art. 9, 12, 15, 17 and 18 for one case.
    pub(super) fn case(&mut self, c: &Case, sessions: &HashMap<String, Session>) {
        self.case_record(c);
        self.case_av(c, sessions);
        self.case_exemptions(c);
        self.case_evidence_retention(c, sessions);
        self.case_file_retention(c);
        self.case_preservation(c);
        self.case_release(c);
        self.case_open_preservation(c);
    }

    /// Art. 9 (`ART9_RECORD`, `ART9_RECORD_PENDING`): at least one record.
    fn case_record(&mut self, c: &Case) {
        let p = self.profile;
        let class = c.act_class();
        let first_decision = c.decisions.first();
        let decided_or_closed = first_decision
            .map(|d| (d.at, "reached a decision"))
            .into_iter()
            .chain(c.closed.as_ref().map(|(a, _)| (*a, "was closed")))
            .min_by_key(|(a, _)| a.seq);

        // Art. 9: at least one record.
        if let (Some(o), Some(class)) = (&c.opened, class) {
            if p.record_required_acts.contains(&class) && c.first_record.is_none() {
                match decided_or_closed {
                    Some((a, what)) => self.finding(
                        id::ART9_RECORD,
                        &Subject::case(
                            &c.case_no,
                            first_decision.and_then(|d| d.officer.clone()).into_iter().collect(),
                        ),
                        vec![o.at.seq, a.seq],
                        format!(
                            "案件 {}（{}）已作出决定或结案（条目 {}），但无任何文字记录或音像记录",
                            c.case_no,
                            crate::audit::zh::act(&act_name(&o.act)),
                            a.seq
                        ),
                        format!(
                            "case {} ({}) {what} (entry {}) without any text or audio-visual record",
                            c.case_no,
                            act_name(&o.act),
                            a.seq
                        ),
                    ),
                    None if self.as_of > o.at.logged.plus_millis(p.record_grace.millis()) => self
                        .finding(
                            id::ART9_RECORD_PENDING,
                            &Subject::case(&c.case_no, Vec::new()),
                            vec![o.at.seq],
                            format!(
                                "案件 {}（{}）于 {} 立案（条目 {}），已 {} 无任何执法记录",
                                c.case_no,
                                crate::audit::zh::act(&act_name(&o.act)),
                                format_time(o.at.logged),
                                o.at.seq,
                                zh_span(self.as_of.0.saturating_sub(o.at.logged.0))
                            ),
                            format!(
                                "case {} ({}) was opened at {} (entry {}) and has had no record for {}",
                                c.case_no,
                                act_name(&o.act),
                                format_time(o.at.logged),
                                o.at.seq,
                                format_span(self.as_of.0.saturating_sub(o.at.logged.0))
                            ),
                        ),
                    None => {}
                }
            }
        }
    }

    /// Art. 12 (`ART12_AV`, `ART12_EXEMPTED`): full-process audio-visual recording of a
    /// coercive measure's execution.
    fn case_av(&mut self, c: &Case, sessions: &HashMap<String, Session>) {
        let p = self.profile;
        let class = c.act_class();

        // Art. 12: full-process AV of every coercive measure's execution on site. The statutory
        // sequence (行政强制法 Art. 18) is approval, decision, then execution on camera with the
        // decision handed over there; in an emergency the measure comes first and the decision
        // within 24 hours (Art. 19). So the recording is looked for on either side of the
        // decision, within av_execution_window, and a case whose measure was refused or never
        // ordered needs none.
        let closed_at = c.closed.as_ref().map(|(a, _)| *a);
        let window = p.av_execution_window.millis();
        let measures = c.decisions.iter().filter(|d| {
            let by_act = class.is_some_and(|k| p.av_required_acts.contains(&k))
                && !matches!(
                    d.kind,
                    DecisionKind::Refuse
                        | DecisionKind::NoPenalty
                        | DecisionKind::LiftCoerciveMeasure
                );
            let by_decision = p.av_required_for_coercive_decisions
                && matches!(d.kind, DecisionKind::CoerciveMeasure);
            by_act || by_decision
        });
        for d in measures {
            let from = d.at.logged.plus_millis(-window);
            let to = d.at.logged.plus_millis(window);
            let case_sessions = || c.sessions.iter().filter_map(|id| sessions.get(id));
            let complete = case_sessions().any(|s| {
                let Some(stop) = s.stopped else {
                    return false;
                };
                let begin = s.started.logged.min(s.started_time);
                let finish = s
                    .segments
                    .iter()
                    .map(|g| g.end)
                    .max()
                    .map_or(stop.logged, |e| e.max(stop.logged));
                !s.segments.is_empty()
                    && closed_at.is_none_or(|cl| stop.seq < cl.seq)
                    && begin <= to
                    && finish >= from
            });
            if complete {
                continue;
            }
            // Not yet a finding while the execution may still be recorded.
            let judged = closed_at.is_some() || self.as_of > to;
            if !judged {
                continue;
            }
            let before_end = |seq: u64| closed_at.is_none_or(|cl| seq < cl.seq);
            let exemptions: Vec<&Exemption> = c
                .exemptions
                .iter()
                .filter(|e| before_end(e.at.seq))
                .collect();
            let valid = exemptions.iter().find(|e| {
                !blank(&e.approved_by)
                    && !matches!(e.reason, ExemptionReason::TextSuffices)
                    && !matches!(&e.reason, ExemptionReason::Other(r) if blank(r))
            });
            let partial = case_sessions().find(|s| s.stopped.is_none() || s.segments.is_empty());
            let act = c
                .opened
                .as_ref()
                .map_or("unopened case".to_string(), |o| act_name(&o.act));
            let what = format!("ordered a coercive measure ({})", decision_name(&d.kind));
            match valid {
                Some(e) => self.finding(
                    id::ART12_EXEMPTED,
                    &Subject::case(&c.case_no, e.officer.iter().cloned().collect()),
                    vec![e.at.seq, d.at.seq],
                    format!(
                        "案件 {} 于条目 {} 决定采取行政强制措施，未进行音像记录，有条目 {} 经 {} 批准的不宜音像记录说明",
                        c.case_no, d.at.seq, e.at.seq, e.approved_by
                    ),
                    format!(
                        "case {} ({act}) {what} (entry {}) without audio-visual recording, under the exemption at entry {} ({}, approved by {})",
                        c.case_no,
                        d.at.seq,
                        e.at.seq,
                        exemption_name(&e.reason),
                        e.approved_by
                    ),
                ),
                None => {
                    let why = match (partial, exemptions.first()) {
                        (Some(s), _) => format!(
                            "; session {} (entry {}) is not complete (segments and stop)",
                            s.id, s.started.seq
                        ),
                        (None, Some(e)) => format!(
                            "; the exemption at entry {} ({}) cannot replace it",
                            e.at.seq,
                            exemption_name(&e.reason)
                        ),
                        (None, None) => String::new(),
                    };
                    self.finding(
                        id::ART12_AV,
                        &Subject::case(&c.case_no, d.officers()),
                        vec![d.at.seq],
                        format!(
                            "案件 {} 于条目 {} 决定采取行政强制措施，决定前后 {} 内无完整的现场执行音像记录",
                            c.case_no,
                            d.at.seq,
                            zh_span(window)
                        ),
                        format!(
                            "case {} ({act}) {what} (entry {}) without a complete full-process audio-visual recording of its execution on site within {} of it{why}",
                            c.case_no,
                            d.at.seq,
                            format_span(window)
                        ),
                    );
                }
            }
            // One finding per case: the first measure left unrecorded.
            break;
        }
    }

    /// Art. 15 (`ART15_EXEMPTION`): exemptions name a reason and an approver.
    fn case_exemptions(&mut self, c: &Case) {
        // Art. 15: exemptions name a reason and an approver.
        for e in &c.exemptions {
            let mut missing = Vec::new();
            if matches!(&e.reason, ExemptionReason::Other(r) if blank(r)) {
                missing.push("its reason");
            }
            if blank(&e.approved_by) {
                missing.push("who approved it");
            }
            if !missing.is_empty() {
                self.finding(
                    id::ART15_EXEMPTION,
                    &Subject::case(&c.case_no, e.officer.iter().cloned().collect()),
                    vec![e.at.seq],
                    format!(
                        "案件 {} 条目 {} 的不宜音像记录说明未载明理由或批准人",
                        c.case_no, e.at.seq
                    ),
                    format!(
                        "case {}: the exemption from audio-visual recording at entry {} does not state {}",
                        c.case_no,
                        e.at.seq,
                        missing.join(" or ")
                    ),
                );
            }
        }
    }

    /// Art. 17 (`ART17_RETENTION`): evidence audio-visual records kept as long as the case file.
    fn case_evidence_retention(&mut self, c: &Case, sessions: &HashMap<String, Session>) {
        let p = self.profile;
        let class = c.act_class();

        // Art. 17: evidence AV kept as long as the case file.
        if let (Some((closed, file)), Some(class)) = (&c.closed, class) {
            let evidence = c
                .sessions
                .iter()
                .filter_map(|id| sessions.get(id))
                .any(|s| !s.segments.is_empty());
            if evidence && p.evidence_retention_acts.contains(&class) {
                for (a, until) in &c.retentions {
                    if outlasts(file, until) {
                        self.finding(
                            id::ART17_RETENTION,
                            &Subject::case(&c.case_no, Vec::new()),
                            vec![a.seq, closed.seq],
                            format!(
                                "案件 {} 条目 {} 设定的记录保存期限短于案卷保存期限",
                                c.case_no, a.seq
                            ),
                            format!(
                                "case {}: the records' retention is set {} (entry {}), shorter than the case file's, kept {} (entry {})",
                                c.case_no,
                                retention_text(until),
                                a.seq,
                                retention_text(file),
                                closed.seq
                            ),
                        );
                    }
                }
                if let (Retention::Until(t), None) = (file, p.file_retention_minimum.get(&class)) {
                    if *t <= closed.logged {
                        self.finding(
                            id::ART17_RETENTION,
                            &Subject::case(&c.case_no, Vec::new()),
                            vec![closed.seq],
                            format!(
                                "案件 {} 的案卷仅保存至 {}，不晚于结案时间（条目 {}）",
                                c.case_no,
                                format_time(*t),
                                closed.seq
                            ),
                            format!(
                                "case {}: the case file is kept only until {}, which is not after its closure (entry {}): its evidence audio-visual records are not retained",
                                c.case_no,
                                format_time(*t),
                                closed.seq
                            ),
                        );
                    }
                }
            }
        }
    }

    /// Art. 17 (`ART17_FILE_RETENTION`): the case file kept at least the minimum for its
    /// kind of act.
    fn case_file_retention(&mut self, c: &Case) {
        let p = self.profile;
        let class = c.act_class();

        // Art. 17: the case file is kept at least the minimum for its kind of act.
        if let (Some((closed, Retention::Until(t))), Some(class)) = (&c.closed, class) {
            if let Some(min) = p.file_retention_minimum.get(&class) {
                let least = closed.logged.plus_millis(min.millis());
                if *t < least {
                    self.finding(
                        id::ART17_FILE_RETENTION,
                        &Subject::case(&c.case_no, Vec::new()),
                        vec![closed.seq],
                        format!(
                            "案件 {} 案卷保存至 {}，短于最低保存期限 {}（应至 {}）",
                            c.case_no,
                            format_time(*t),
                            zh_span(min.millis()),
                            format_time(least)
                        ),
                        format!(
                            "case {}: the case file is kept until {} (entry {}), less than the {} its kind of act ({}) must be kept after closure (until {})",
                            c.case_no,
                            format_time(*t),
                            closed.seq,
                            format_span(min.millis()),
                            c.opened.as_ref().map_or(String::new(), |o| act_name(&o.act)),
                            format_time(least)
                        ),
                    );
                }
            }
        }
    }

    /// Art. 18 (`ART18_PRESERVATION`): a preservation order follows every circumstance.
    fn case_preservation(&mut self, c: &Case) {
        let p = self.profile;

        // Art. 18: a preservation order follows every circumstance.
        let deadline = p.preservation_deadline.millis();
        for (a, trigger, officer) in &c.circumstances {
            if !p.preservation_triggers.contains(&TriggerClass::of(trigger)) {
                continue;
            }
            let due = a.logged.plus_millis(deadline);
            let holding = c
                .orders
                .iter()
                .filter(|(o, _)| o.seq < a.seq)
                .max_by_key(|(o, _)| o.seq)
                .filter(|(o, _)| {
                    !c.releases
                        .iter()
                        .any(|(r, _, _)| r.seq > o.seq && r.seq < a.seq)
                });
            let next = c.orders.iter().find(|(o, _)| o.seq > a.seq);
            let (status, done) = match (holding, next) {
                (Some((o, _)), _) => (DeadlineStatus::Met, Some(*o)),
                (None, Some((o, _))) if o.logged <= due => (DeadlineStatus::Met, Some(*o)),
                (None, Some((o, _))) => (DeadlineStatus::Late, Some(*o)),
                (None, None) if self.as_of > due => (DeadlineStatus::Missed, None),
                (None, None) => (DeadlineStatus::Pending, None),
            };
            self.deadline(
                &c.case_no,
                Deadline {
                    rule: id::ART18_PRESERVATION.into(),
                    what: format!(
                        "preservation order after {} within {}",
                        trigger_name(trigger),
                        format_span(deadline)
                    ),
                    session: None,
                    from: a.logged,
                    due,
                    done_at: done.map(|o| if o.seq < a.seq { a.logged } else { o.logged }),
                    done_seq: done.map(|o| o.seq),
                    status,
                    seqs: vec![a.seq],
                },
            );
            let on = Subject::case(&c.case_no, officer.iter().cloned().collect());
            match (status, done) {
                (DeadlineStatus::Late, Some(o)) => self.finding(
                    id::ART18_PRESERVATION,
                    &on,
                    vec![a.seq, o.seq],
                    format!(
                        "案件 {} 于 {}（条目 {}）出现应当长期保存的情形（{}），{} 后才决定长期保存，超过 {} 期限",
                        c.case_no,
                        format_time(a.logged),
                        a.seq,
                        trigger_zh(trigger),
                        zh_span(o.logged.0.saturating_sub(a.logged.0)),
                        zh_span(deadline)
                    ),
                    format!(
                        "case {}: {} reported at entry {} ({}); the preservation order came {} later (entry {}), beyond the {} deadline",
                        c.case_no,
                        trigger_name(trigger),
                        a.seq,
                        format_time(a.logged),
                        format_span(o.logged.0.saturating_sub(a.logged.0)),
                        o.seq,
                        format_span(deadline)
                    ),
                ),
                (DeadlineStatus::Missed, _) => self.finding(
                    id::ART18_PRESERVATION,
                    &on,
                    vec![a.seq],
                    format!(
                        "案件 {} 于 {}（条目 {}）出现应当长期保存的情形（{}），{} 内未决定长期保存",
                        c.case_no,
                        format_time(a.logged),
                        a.seq,
                        trigger_zh(trigger),
                        zh_span(deadline)
                    ),
                    format!(
                        "case {}: {} reported at entry {} ({}), but no preservation order (长期保存) followed within {}",
                        c.case_no,
                        trigger_name(trigger),
                        a.seq,
                        format_time(a.logged),
                        format_span(deadline)
                    ),
                ),
                _ => {}
            }
        }
    }

    /// Art. 18 (`ART18_RELEASE`): a release names who approved it.
    fn case_release(&mut self, c: &Case) {
        for (a, approved_by, officer) in &c.releases {
            if blank(approved_by) {
                self.finding(
                    id::ART18_RELEASE,
                    &Subject::case(&c.case_no, officer.iter().cloned().collect()),
                    vec![a.seq],
                    format!(
                        "案件 {} 于条目 {} 解除长期保存，未载明批准人",
                        c.case_no, a.seq
                    ),
                    format!(
                        "case {}: the preservation order was released at entry {} without naming who approved the release",
                        c.case_no, a.seq
                    ),
                );
            }
        }
    }

    /// Supervision: the preservation order still in force at the audit time, if any.
    fn case_open_preservation(&mut self, c: &Case) {
        let mut current: Option<&(At, PreservationTrigger)> = None;
        let mut events: Vec<(u64, Option<&(At, PreservationTrigger)>)> = c
            .orders
            .iter()
            .map(|o| (o.0.seq, Some(o)))
            .chain(c.releases.iter().map(|(r, _, _)| (r.seq, None)))
            .collect();
        events.sort_by_key(|(seq, _)| *seq);
        for (_, order) in events {
            current = order;
        }
        if let Some((o, trigger)) = current {
            self.supervision
                .open_preservation_orders
                .push(OpenPreservation {
                    case_no: c.case_no.clone(),
                    seq: o.seq,
                    ordered_at: o.logged,
                    trigger: trigger_name(trigger),
                });
        }
    }

    /// National rules on evidence (Art. 22): what a decision relies on predates it.
    ///
    /// Judged on ledger order alone: a record logged before the decision was necessarily
    /// captured before it (the ledger cannot log footage that does not exist yet), while a
    /// device's claimed recording times are claims, which never decide a finding alone.
    pub(super) fn evidence(&mut self, c: &Case, first_seen: &HashMap<Digest, FirstSeen>) {
        for d in &c.decisions {
            let mut problems = Vec::new();
            let mut seqs = vec![d.at.seq];
            for digest in &d.relies_on {
                let short = short_hex(digest.as_bytes());
                match first_seen.get(digest) {
                    None => problems.push(format!("{short} is recorded by no entry")),
                    Some(f) if f.at.seq > d.at.seq => {
                        seqs.push(f.at.seq);
                        problems.push(format!(
                            "{} ({short}) was first logged at entry {} ({}), after the decision",
                            f.name,
                            f.at.seq,
                            format_time(f.at.logged)
                        ));
                    }
                    Some(_) => {}
                }
            }
            if !problems.is_empty() {
                self.finding(
                    id::EVIDENCE_BEFORE_DECISION,
                    &Subject::case(&c.case_no, d.officer.iter().cloned().collect()),
                    seqs,
                    format!(
                        "案件 {} 于 {}（条目 {}）作出的决定所依据的记录，有的系决定后才登记或未见登记",
                        c.case_no,
                        format_time(d.at.logged),
                        d.at.seq
                    ),
                    format!(
                        "case {}: the decision at entry {} ({}) relies on records made after it: {}",
                        c.case_no,
                        d.at.seq,
                        format_time(d.at.logged),
                        problems.join("; ")
                    ),
                );
            }
        }
    }

    /// Art. 17 floor and Art. 21(5) for every purge.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn purges(
        &mut self,
        purges: &[Purge],
        unlawful: &BTreeMap<u64, String>,
        media_cases: &HashMap<Digest, BTreeSet<String>>,
        cases: &HashMap<String, Case>,
        segment_of: &HashMap<Digest, (String, usize)>,
        sessions: &HashMap<String, Session>,
        first_seen: &HashMap<Digest, FirstSeen>,
    ) {
        for p in purges {
            let name = first_seen.get(&p.media).map_or_else(
                || short_hex(p.media.as_bytes()),
                |f| format!("{} ({})", f.name, short_hex(p.media.as_bytes())),
            );
            let referencing: Vec<&Case> = media_cases
                .get(&p.media)
                .into_iter()
                .flatten()
                .filter_map(|c| cases.get(c))
                .collect();
            let opened: Vec<&&Case> = referencing.iter().filter(|c| c.opened.is_some()).collect();
            let mut reasons = Vec::new();
            if let Some(m) = unlawful.get(&p.at.seq) {
                // The media verifier's sentence is "entry N: media D was ordered purged
                // although WHY"; keep the why.
                let why = m.split_once(" although ").map_or(m.as_str(), |(_, w)| w);
                reasons.push(why.to_string());
            }
            for c in &opened {
                if c.closed.as_ref().is_none_or(|(a, _)| a.seq > p.at.seq) {
                    reasons.push(format!("case {} was not closed", c.case_no));
                }
            }
            let case_no = opened
                .first()
                .map(|c| c.case_no.as_str())
                .or_else(|| referencing.first().map(|c| c.case_no.as_str()));
            let on = Subject {
                case_no,
                session: None,
                officers: p.officer.iter().cloned().collect(),
            };
            if !reasons.is_empty() {
                self.finding(
                    id::ART21_5_PURGE,
                    &on,
                    vec![p.at.seq],
                    format!(
                        "介质 {} 于 {}（条目 {}）被删除，其时仍在保存期限内、长期保存中或案件未结案",
                        short_hex(p.media.as_bytes()),
                        format_time(p.at.logged),
                        p.at.seq
                    ),
                    format!(
                        "media {name} was purged at entry {} ({}) although {}",
                        p.at.seq,
                        format_time(p.at.logged),
                        reasons.join("; ")
                    ),
                );
            }
            if !opened.is_empty() {
                continue;
            }
            let segment = segment_of
                .get(&p.media)
                .and_then(|(sid, i)| Some((sid, sessions.get(sid)?.segments.get(*i)?)));
            if let Some((sid, g)) = segment {
                let kept_until = g
                    .vouched_end()
                    .plus_millis(self.profile.unlinked_retention_floor.millis());
                if p.at.logged < kept_until {
                    self.finding(
                        id::ART17_FLOOR,
                        &Subject {
                            session: Some(sid),
                            ..on
                        },
                        vec![g.at.seq, p.at.seq],
                        format!(
                            "音像记录 {sid} 中未关联案件的片段 {} 于 {}（条目 {}）被删除，最低应保存至 {}",
                            short_hex(p.media.as_bytes()),
                            format_time(p.at.logged),
                            p.at.seq,
                            format_time(kept_until)
                        ),
                        format!(
                            "footage {name} of session {sid}, linked to no opened case, was purged at entry {} ({}), {} after it was recorded: it must be kept at least {} (until {})",
                            p.at.seq,
                            format_time(p.at.logged),
                            format_span(p.at.logged.0.saturating_sub(g.vouched_end().0)),
                            format_span(self.profile.unlinked_retention_floor.millis()),
                            format_time(kept_until)
                        ),
                    );
                }
            }
        }
    }
}

/// Whether retention `a` lasts longer than `b`.
fn outlasts(a: &Retention, b: &Retention) -> bool {
    match (a, b) {
        (_, Retention::Permanent) => false,
        (Retention::Permanent, _) => true,
        (Retention::Until(x), Retention::Until(y)) => x > y,
    }
}
