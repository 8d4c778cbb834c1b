//! The rules on the course of a case and who answers for it: stages (Art. 3), text records
//! and decisions (Art. 10), a restart at the same place (Art. 14(4)), the long-term copy of
//! preserved records (Art. 18), confidential originals (Art. 20), responsible officers
//! (Art. 21) and officers viewing cases they do not handle (Art. 21(3)).

use std::collections::HashMap;

use super::describe::*;
use super::judge::{blank, Judge, Subject};
use super::*;

impl Judge<'_> {
    /// Art. 3 and Art. 10 for one case.
    pub(super) fn process(&mut self, c: &Case) {
        let p = self.profile;
        let closed_at = c.closed.as_ref().map(|(a, _)| *a);
        let window = p.av_execution_window.millis();

        // Art. 3: stage order. Nothing is served or executed before a decision exists
        // (unless, in an emergency, the decision follows within av_execution_window), and no
        // initiation record follows a decision.
        let first_decision = c.decisions.first();
        for d in &c.docs {
            let wrong = match d.stage {
                Stage::ServiceExecution => {
                    let decided_before = first_decision.is_some_and(|x| x.at.seq < d.at.seq);
                    let decided_soon = c.decisions.iter().any(|x| {
                        x.at.seq > d.at.seq && x.at.logged <= d.at.logged.plus_millis(window)
                    });
                    let may_still = first_decision.is_none()
                        && closed_at.is_none()
                        && self.as_of <= d.at.logged.plus_millis(window);
                    (!decided_before && !decided_soon && !may_still)
                        .then(|| "before the case had any decision to serve or execute".to_string())
                }
                Stage::Initiation => first_decision
                    .filter(|x| x.at.seq < d.at.seq)
                    .map(|x| format!("after the case's decision (entry {})", x.at.seq)),
                _ => None,
            };
            if let Some(why) = wrong {
                self.finding(
                    id::ART3_STAGE_ORDER,
                    &Subject::case(&c.case_no, d.officers.clone()),
                    vec![d.at.seq],
                    format!(
                        "案件 {} 的 {}（{}）于条目 {} 以{}",
                        c.case_no,
                        d.media.name,
                        document_zh(&d.kind),
                        d.at.seq,
                        if d.stage == Stage::ServiceExecution {
                            "送达执行环节入卷，其时案件尚未作出可送达、执行的决定"
                        } else {
                            "启动环节入卷，其时案件已作出决定"
                        }
                    ),
                    format!(
                        "case {}: {} ({}) was filed at the {} stage (entry {}) {why}",
                        c.case_no,
                        d.media.name,
                        document_name(&d.kind),
                        stage_name(d.stage),
                        d.at.seq
                    ),
                );
            }
        }

        // Art. 10: every text record names the officers who made it.
        for d in &c.docs {
            if d.officers.iter().all(|o| blank(o)) {
                self.finding(
                    id::ART10_OFFICERS,
                    &Subject::case(&c.case_no, Vec::new()),
                    vec![d.at.seq],
                    format!(
                        "案件 {} 的 {}（{}，条目 {}）未载明制作的执法人员",
                        c.case_no,
                        d.media.name,
                        document_zh(&d.kind),
                        d.at.seq
                    ),
                    format!(
                        "case {}: {} ({}, entry {}) names no officer who made it (执法人员)",
                        c.case_no,
                        d.media.name,
                        document_name(&d.kind),
                        d.at.seq
                    ),
                );
            }
        }

        for d in &c.decisions {
            let class = DecisionClass::of(&d.kind);
            // Art. 10: a decision rests on the case's records (a case with none at all is
            // Art. 9's finding, not this one).
            if d.relies_on.is_empty() && c.first_record.is_some_and(|r| r < d.at.seq) {
                self.finding(
                    id::ART10_BASIS,
                    &Subject::case(&c.case_no, d.officers()),
                    vec![d.at.seq],
                    format!(
                        "案件 {} 条目 {} 的决定未载明所依据的记录，而案件已有记录",
                        c.case_no, d.at.seq
                    ),
                    format!(
                        "case {}: the {} decision at entry {} relies on no record (relies_on is empty), although the case has records",
                        c.case_no,
                        decision_name(&d.kind),
                        d.at.seq
                    ),
                );
            }
            // Art. 10: internal approval or legal review before the decision.
            if p.approval_required_decisions.contains(&class)
                && !c
                    .docs
                    .iter()
                    .any(|x| x.at.seq < d.at.seq && is_approval(&x.kind, &p.legal_review_document))
            {
                self.finding(
                    id::ART10_APPROVAL,
                    &Subject::case(&c.case_no, d.officers()),
                    vec![d.at.seq],
                    format!(
                        "案件 {} 条目 {} 的决定作出前，未见内部审批表或{}",
                        c.case_no, d.at.seq, p.legal_review_document
                    ),
                    format!(
                        "case {}: the {} decision at entry {} has no internal approval form (内部审批表) or legal review ({}) filed before it",
                        c.case_no,
                        decision_name(&d.kind),
                        d.at.seq,
                        p.legal_review_document
                    ),
                );
            }
            // Art. 10: served, shown by a service receipt after the decision.
            if p.service_required_decisions.contains(&class) {
                self.service(c, d, closed_at);
            }
            // Art. 21: a decision the case system signed is answerable by someone.
            if d.system && d.responsible.is_empty() {
                self.finding(
                    id::ART21_RESPONSIBLE,
                    &Subject::case(&c.case_no, Vec::new()),
                    vec![d.at.seq],
                    format!(
                        "案件 {} 条目 {} 的决定由系统签署，此前无审批表或其他文书载明负责的执法人员",
                        c.case_no, d.at.seq
                    ),
                    format!(
                        "case {}: the {} decision at entry {} was signed by the system key, and no approval or other record of the case before it names an officer answerable for it",
                        c.case_no,
                        decision_name(&d.kind),
                        d.at.seq
                    ),
                );
            }
        }
    }

    fn service(&mut self, c: &Case, d: &Decision, closed_at: Option<At>) {
        let deadline = self.profile.service_deadline.millis();
        let due = d.at.logged.plus_millis(deadline);
        let receipt = c
            .docs
            .iter()
            .find(|x| x.at.seq > d.at.seq && matches!(x.kind, DocumentKind::ServiceReceipt));
        let status = match (receipt, closed_at) {
            (Some(r), _) if r.at.logged <= due => DeadlineStatus::Met,
            (Some(_), _) => DeadlineStatus::Late,
            (None, Some(cl)) if cl.seq > d.at.seq => DeadlineStatus::Missed,
            (None, _) if self.as_of > due => DeadlineStatus::Missed,
            (None, _) => DeadlineStatus::Pending,
        };
        self.deadline(
            &c.case_no,
            Deadline {
                rule: id::ART10_SERVICE.into(),
                what: format!(
                    "serve the {} decision (entry {}) within {}",
                    decision_name(&d.kind),
                    d.at.seq,
                    format_span(deadline)
                ),
                session: None,
                from: d.at.logged,
                due,
                done_at: receipt.map(|r| r.at.logged),
                done_seq: receipt.map(|r| r.at.seq),
                status,
                seqs: vec![d.at.seq],
            },
        );
        let message = match (status, receipt) {
            (DeadlineStatus::Late, Some(r)) => format!(
                "case {}: the {} decision at entry {} was served (receipt at entry {}) {} later, beyond the {} deadline",
                c.case_no,
                decision_name(&d.kind),
                d.at.seq,
                r.at.seq,
                format_span(r.at.logged.0.saturating_sub(d.at.logged.0)),
                format_span(deadline)
            ),
            (DeadlineStatus::Missed, _) => format!(
                "case {}: the {} decision at entry {} has no service receipt (送达回证) filed after it{}",
                c.case_no,
                decision_name(&d.kind),
                d.at.seq,
                match closed_at {
                    Some(cl) if cl.seq > d.at.seq =>
                        format!(", and the case was closed at entry {}", cl.seq),
                    _ => format!(" within {}", format_span(deadline)),
                }
            ),
            _ => return,
        };
        let mut seqs = vec![d.at.seq];
        seqs.extend(receipt.map(|r| r.at.seq));
        self.finding(
            id::ART10_SERVICE,
            &Subject::case(&c.case_no, d.officers()),
            seqs,
            match receipt {
                Some(r) => format!(
                    "案件 {} 条目 {} 的决定于 {} 作出，{} 后才有送达回证（条目 {}），超过 {} 期限",
                    c.case_no,
                    d.at.seq,
                    format_time(d.at.logged),
                    super::judge::zh_span(r.at.logged.0.saturating_sub(d.at.logged.0)),
                    r.at.seq,
                    super::judge::zh_span(deadline)
                ),
                None => format!(
                    "案件 {} 条目 {} 的决定于 {} 作出，其后无送达回证",
                    c.case_no,
                    d.at.seq,
                    format_time(d.at.logged)
                ),
            },
            message,
        );
    }

    /// Art. 14(4): a new session of the same case at the same place, started soon after the
    /// previous one ended, continues the same on-site activity.
    pub(super) fn restarts(&mut self, order: &[String], sessions: &HashMap<String, Session>) {
        let tolerance = self.profile.segment_gap_tolerance.millis();
        let window = self.profile.restart_window.millis();
        let mut last: HashMap<(&str, String), &Session> = HashMap::new();
        for id in order {
            let Some(s) = sessions.get(id) else {
                continue;
            };
            let Some(first_start) = s.segments.iter().map(|g| g.start).min() else {
                continue;
            };
            if blank(&s.place) {
                continue;
            }
            let key = (s.case_no.as_str(), s.place.trim().to_string());
            if let Some(prev) = last.get(&key) {
                if let Some(prev_end) = prev.segments.iter().map(|g| g.end).max() {
                    let pause = first_start.0.saturating_sub(prev_end.0);
                    if prev_end <= first_start && pause > tolerance && pause <= window {
                        let from = prev_end.plus_millis(-tolerance);
                        let explained = prev
                            .interruptions
                            .iter()
                            .chain(&s.interruptions)
                            .find(|(_, when, _)| *when >= from && *when <= first_start);
                        let officers: Vec<String> =
                            s.officers.iter().chain(&prev.officers).cloned().collect();
                        let what = format!(
                            "session {} (entry {}) restarted recording at {} at {}, {} after session {} stopped there at {}",
                            s.id,
                            s.started.seq,
                            s.place,
                            format_time(first_start),
                            format_span(pause),
                            prev.id,
                            format_time(prev_end)
                        );
                        match explained {
                            Some((ia, _, reason)) => self.emit(
                                id::ART14_4_INTERRUPTED,
                                Some(&s.case_no),
                                Some(&s.id),
                                vec![ia.seq, s.started.seq],
                                officers,
                                format!(
                                    "{what}, explained by the interruption at entry {} ({})",
                                    ia.seq,
                                    interruption_name(reason)
                                ),
                            ),
                            None => {
                                self.finding(
                                    id::ART14_4_RESTART,
                                    &Subject {
                                        case_no: Some(&s.case_no),
                                        session: Some(&s.id),
                                        officers,
                                    },
                                    vec![prev.started.seq, s.started.seq],
                                    format!(
                                        "音像记录 {} 于 {} 在{}停止后，{} 后以新记录 {} 在同一场所重新开始（{}），无中断情况说明",
                                        prev.id,
                                        format_time(prev_end),
                                        s.place,
                                        super::judge::zh_span(pause),
                                        s.id,
                                        format_time(first_start)
                                    ),
                                    format!(
                                        "{what}: the on-site recording was broken off with no RecordingInterrupted (restart_window {})",
                                        format_span(window)
                                    ),
                                );
                            }
                        }
                    }
                }
            }
            last.insert(key, s);
        }
    }

    /// Art. 18: a long-term copy (disc image) of every recording of a preserved case.
    pub(super) fn copies(
        &mut self,
        c: &Case,
        sessions: &HashMap<String, Session>,
        disc_images: &HashMap<Digest, Vec<At>>,
    ) {
        let deadline = self.profile.preservation_copy_deadline.millis();
        let segments: Vec<&Segment> = c
            .sessions
            .iter()
            .filter_map(|id| sessions.get(id))
            .flat_map(|s| s.segments.iter())
            .collect();
        for (o, _) in &c.orders {
            let due = o.logged.plus_millis(deadline);
            let recorded: Vec<&&Segment> = segments.iter().filter(|g| g.at.seq < o.seq).collect();
            if recorded.is_empty() {
                continue;
            }
            let missing: Vec<&&Segment> = recorded
                .iter()
                .copied()
                .filter(|g| {
                    !disc_images
                        .get(&g.digest)
                        .is_some_and(|l| l.iter().any(|a| a.logged <= due))
                })
                .collect();
            let status = if missing.is_empty() {
                DeadlineStatus::Met
            } else if self.as_of > due {
                DeadlineStatus::Missed
            } else {
                DeadlineStatus::Pending
            };
            self.deadline(
                &c.case_no,
                Deadline {
                    rule: id::ART18_COPY.into(),
                    what: format!(
                        "long-term copy (disc image) of {} recording segments within {}",
                        recorded.len(),
                        format_span(deadline)
                    ),
                    session: None,
                    from: o.logged,
                    due,
                    done_at: None,
                    done_seq: None,
                    status,
                    seqs: vec![o.seq],
                },
            );
            if status == DeadlineStatus::Missed {
                self.finding(
                    id::ART18_COPY,
                    &Subject::case(&c.case_no, Vec::new()),
                    vec![o.seq],
                    format!(
                        "案件 {} 于 {}（条目 {}）决定长期保存，{} 内 {} 段音像记录中有 {} 段未刻录光盘",
                        c.case_no,
                        format_time(o.logged),
                        o.seq,
                        super::judge::zh_span(deadline),
                        recorded.len(),
                        missing.len()
                    ),
                    format!(
                        "case {}: preservation was ordered at entry {} ({}), but {} of its {} recording segments had no long-term copy (刻录光盘, DiscImage) made within {}",
                        c.case_no,
                        o.seq,
                        format_time(o.logged),
                        missing.len(),
                        recorded.len(),
                        format_span(deadline)
                    ),
                );
            }
        }
    }

    /// Art. 20: originals marked confidential disclosed unredacted.
    pub(super) fn confidential(&mut self, list: &[ConfidentialDisclosure]) {
        for d in list {
            let marks: Vec<String> = d
                .items
                .iter()
                .map(|(digest, mark)| {
                    format!("{} (marked at entry {mark})", short_hex(digest.as_bytes()))
                })
                .collect();
            let mut seqs = vec![d.at.seq];
            seqs.extend(d.items.iter().map(|(_, m)| *m));
            self.finding(
                id::ART20_CONFIDENTIAL,
                &Subject::case(&d.case_no, d.officer.iter().cloned().collect()),
                seqs,
                format!(
                    "案件 {} 于 {}（条目 {}）对外提供了标记保密的记录原件：{}；应当提供脱敏副本",
                    d.case_no,
                    format_time(d.at.logged),
                    d.at.seq,
                    d.items
                    .iter()
                    .map(|(digest, mark)| format!(
                            "{}（条目 {mark} 标记）",
                            short_hex(digest.as_bytes())
                    ))
                    .collect::<Vec<_>>()
                    .join("、")
                ),
                format!(
                    "case {}: the disclosure at entry {} ({}) hands over the unredacted original of records marked confidential: {}; disclose a redacted derivative instead",
                    d.case_no,
                    d.at.seq,
                    format_time(d.at.logged),
                    marks.join(", ")
                ),
            );
        }
    }

    /// Art. 21(3): officers viewing cases they do not handle.
    pub(super) fn foreign_views(&mut self, list: &[ForeignView]) {
        for v in list {
            self.finding(
                id::ART21_3_HANDLING,
                &Subject::case(&v.case_no, vec![v.officer.clone()]),
                vec![v.at.seq],
                format!(
                    "执法人员 {} 于 {}（条目 {}）调阅非本人承办的案件 {} 的记录",
                    v.officer,
                    format_time(v.at.logged),
                    v.at.seq,
                    v.case_no
                ),
                format!(
                    "case {}: officer {} viewed its records at entry {} ({}) without handling the case: no recording or record of it names the officer, and the officer authored none of its entries",
                    v.case_no,
                    v.officer,
                    v.at.seq,
                    format_time(v.at.logged)
                ),
            );
        }
    }
}
