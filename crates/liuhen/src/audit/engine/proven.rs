//! Art. 14(4) (no adding afterwards, 不得事后补录) and Art. 16 (stored within 24 hours):
//! `art14-4.after_the_fact`.
//!
//! Every time in an entry is the bureau's own (the author's claim, the ledger's `logged_at`). A
//! witness cosignature or a TSA token over a checkpoint that includes the entry is not: it
//! proves the entry existed before that time ([`crate::proven`]). An act claimed at 10:00 whose
//! entry is first proven to exist the next afternoon, later than the profile's limit (by default
//! the Art. 16 storage deadline), may have been written after the fact: one finding per case,
//! naming every such entry.
//!
//! Lateness alone is not enough: a ledger first witnessed long after it began would make every
//! earlier act "late". The finding needs proof of absence: a checkpoint witnessed (or stamped)
//! *after* the deadline that does not yet contain the entry ([`ProvenBefore::absent_at`]). Such a
//! checkpoint shows that when the ledger was witnessed after the act's deadline the entry was not
//! in it. An entry with no such checkpoint before it, or no evidence at all by the audit time,
//! is not judged: the integrity side reports unwitnessed ledgers.

use std::sync::Arc;

use super::judge::{zh_span, Judge, Subject};
use super::*;
use crate::entry::Statement;
use crate::proven::{ProvenBefore, TimeEvidence, TimeSource};

/// An entry first proven to exist later than the limit after its claimed time.
#[derive(Debug)]
pub(super) struct Late {
    at: At,
    event: &'static str,
    claimed: Timestamp,
    evidence: TimeEvidence,
    /// The checkpoint witnessed after the deadline that did not hold the entry yet.
    absent: TimeEvidence,
    officer: Option<String>,
    session: Option<String>,
}

/// The proven-before index the audit was given, and what it found, by case.
#[derive(Debug, Default)]
pub(super) struct Proven {
    index: Option<Arc<ProvenBefore>>,
    late: HashMap<String, Vec<Late>>,
}

/// The time an entry claims for its act: the event's own time where it states one (when the
/// party was told, when an interruption happened, when a segment's footage ended), else the
/// statement's time.
pub(super) fn claimed_time(statement: &Statement) -> Timestamp {
    match &statement.event {
        Event::PartyNotified { at, .. } | Event::RecordingInterrupted { at, .. } => *at,
        Event::SegmentSealed { end, .. } => *end,
        _ => statement.time,
    }
}

fn session_of(event: &Event) -> Option<&str> {
    match event {
        Event::PartyNotified { session, .. }
        | Event::RecordingStarted { session, .. }
        | Event::SegmentSealed { session, .. }
        | Event::RecordingInterrupted { session, .. }
        | Event::RecordingStopped { session, .. } => Some(session),
        _ => None,
    }
}

fn source_zh(s: &TimeSource) -> String {
    match s {
        TimeSource::Cosignature { witness } => format!("见证人 {witness} 联署"),
        TimeSource::Timestamp { tsa } => format!("时间戳服务机构 {tsa} 时间戳"),
    }
}

impl Engine<'_> {
    pub(in crate::audit) fn set_proven(&mut self, index: Arc<ProvenBefore>) {
        self.proven.index = Some(index);
    }

    /// The proven-before evidence of entry `seq` as of the audit time.
    pub(super) fn proven_of(&self, seq: u64) -> Option<&TimeEvidence> {
        self.proven
            .index
            .as_deref()
            .and_then(|p| p.proven_before(seq))
            .filter(|e| e.time <= self.as_of)
    }

    /// Remembers entry `at` if it belongs to a case and was first proven later than the limit
    /// after its claimed time.
    pub(super) fn observe_proven(
        &mut self,
        at: At,
        statement: &Statement,
        officer: Option<&str>,
        cases: &[String],
    ) {
        let Some(case_no) = cases.first() else {
            return;
        };
        let Some(evidence) = self.proven_of(at.seq) else {
            return;
        };
        let claimed = claimed_time(statement);
        let limit = self.profile.proven_limit().millis();
        if evidence.time.0.saturating_sub(claimed.0) <= limit {
            return;
        }
        let evidence = evidence.clone();
        // Proof of absence after the deadline, as of the audit time.
        let Some(absent) = self
            .proven
            .index
            .as_deref()
            .and_then(|p| p.absent_at(at.seq))
            .filter(|e| e.time <= self.as_of)
            .filter(|e| e.time.0.saturating_sub(claimed.0) > limit)
            .cloned()
        else {
            return;
        };
        let late = Late {
            at,
            event: statement.event.name(),
            claimed,
            evidence,
            absent,
            officer: officer.map(str::to_string),
            session: session_of(&statement.event).map(str::to_string),
        };
        self.proven
            .late
            .entry(case_no.clone())
            .or_default()
            .push(late);
    }
}

impl Judge<'_> {
    /// `art14-4.after_the_fact` for case `c`: one finding naming every entry of the case first
    /// proven to exist later than the limit after its claimed time.
    pub(super) fn after_the_fact(
        &mut self,
        c: &Case,
        proven: &Proven,
        sessions: &HashMap<String, Session>,
    ) {
        let Some(late) = proven.late.get(&c.case_no) else {
            return;
        };
        let Some(first) = late.first() else {
            return;
        };
        let limit = self.profile.proven_limit().millis();
        let mut officers: Vec<String> = Vec::new();
        for l in late {
            officers.extend(l.officer.iter().cloned());
            if let Some(s) = l.session.as_deref().and_then(|s| sessions.get(s)) {
                officers.extend(s.officers.iter().cloned());
            }
        }
        let lag = first.evidence.time.0.saturating_sub(first.claimed.0);
        let more = late.len() - 1;
        let more_en = if more == 0 {
            String::new()
        } else {
            format!(
                "; {more} more entries of the case likewise (entries {})",
                late.iter()
                    .skip(1)
                    .map(|l| l.at.seq.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let more_zh = if more == 0 {
            String::new()
        } else {
            format!("；本案另有 {more} 条记录亦然")
        };
        self.finding(
            id::ART14_4_AFTER_THE_FACT,
            &Subject::case(&c.case_no, officers),
            late.iter().map(|l| l.at.seq).collect(),
            format!(
                "案件 {} 条目 {}（{}）所称时间为 {}，但 {} 的检查点（前 {} 条，{}）尚不含该条，最早于 {} 才被证明存在（{}，覆盖前 {} 条的检查点），晚 {}（容许 {}），疑为事后补录{more_zh}",
                c.case_no,
                first.at.seq,
                crate::audit::render::event_zh(first.event),
                format_time(first.claimed),
                format_time(first.absent.time),
                first.absent.size,
                source_zh(&first.absent.source),
                format_time(first.evidence.time),
                source_zh(&first.evidence.source),
                first.evidence.size,
                zh_span(lag),
                zh_span(limit)
            ),
            format!(
                "case {}: entry {} ({}) claims {}, but the checkpoint of {} entries witnessed at {} ({}) did not hold it yet, and it was first proven to exist at {} ({}, checkpoint of {} entries), {} later (limit {}): recorded after the fact? (Art. 14(4), 16){more_en}",
                c.case_no,
                first.at.seq,
                first.event,
                format_time(first.claimed),
                first.absent.size,
                format_time(first.absent.time),
                first.absent.source,
                format_time(first.evidence.time),
                first.evidence.source,
                first.evidence.size,
                format_span(lag),
                format_span(limit)
            ),
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::sync::Arc;

    use crate::audit::{audit, audit_proven, AuditOptions, Period, Profile};
    use crate::model::{ActKind, Event};
    use crate::proven::{ProvenBefore, TimeEvidence, TimeSource};
    use crate::{Ledger, LedgerOptions, ManualClock, MemoryStore, SecretKey, Timestamp};

    const H: i64 = 3_600_000;
    /// 2026-03-02 10:00:00+08:00.
    const D10: i64 = 1_772_416_800_000;

    /// A ledger whose case is opened at 10:00 on D (claimed and logged), as entry 1.
    fn ledger() -> Ledger<MemoryStore> {
        let clock = Arc::new(ManualClock::new(Timestamp(D10)));
        let key = SecretKey::from_seed(&[5; 32]);
        let mut ledger = Ledger::create(
            MemoryStore::new(),
            "jinpu.dalian.gov.cn/minzheng/enforcement",
            &key,
            clock,
            LedgerOptions::default(),
        )
        .unwrap();
        let (party, _) = crate::commitment::commit("party.name", "某社会组织").unwrap();
        ledger
            .sign_and_append(
                &key,
                Event::CaseOpened {
                    case_no: "金民检〔2026〕1号".into(),
                    act: ActKind::Inspection,
                    matter: "年度检查".into(),
                    unit: "执法监督科".into(),
                    subject: party,
                },
            )
            .unwrap();
        ledger
    }

    fn witnessed(size: u64, at: i64) -> TimeEvidence {
        TimeEvidence {
            size,
            time: Timestamp(at),
            source: TimeSource::Cosignature {
                witness: "witness.example/w1".into(),
            },
        }
    }

    #[test]
    fn after_the_fact_table() {
        let ledger = ledger();
        let as_of = Timestamp(D10 + 30 * 24 * H);
        let options = AuditOptions::as_of(as_of);
        let wide = Profile {
            proven_before_limit: Some(Period::hours(48)),
            ..Profile::default()
        };
        let tsa = TimeEvidence {
            size: 2,
            time: Timestamp(D10 + 30 * H),
            source: TimeSource::Timestamp {
                tsa: "tsa.example".into(),
            },
        };
        // A checkpoint of the entries before entry 1, cosigned after its 24 h deadline: proof
        // that entry 1 was not in the ledger then.
        let absent = witnessed(1, D10 + 26 * H);
        // (what, evidence, profile, findings expected)
        let table: Vec<(&str, Vec<TimeEvidence>, Profile, usize)> = vec![
            (
                "witnessed within the hour",
                vec![witnessed(2, D10 + H / 2)],
                Profile::default(),
                0,
            ),
            (
                "witnessed just within the limit",
                vec![witnessed(2, D10 + 24 * H)],
                Profile::default(),
                0,
            ),
            (
                "first proven the next afternoon, absent from a checkpoint witnessed after the deadline",
                vec![absent.clone(), witnessed(2, D10 + 29 * H + H / 3)],
                Profile::default(),
                1,
            ),
            (
                "first proven the next afternoon, but the ledger was first witnessed then",
                vec![witnessed(2, D10 + 29 * H + H / 3)],
                Profile::default(),
                0,
            ),
            (
                "absent only from a checkpoint witnessed before the deadline",
                vec![witnessed(1, D10 + 2 * H), witnessed(2, D10 + 29 * H)],
                Profile::default(),
                0,
            ),
            (
                "first proven by a TSA token the next afternoon",
                vec![absent.clone(), tsa],
                Profile::default(),
                1,
            ),
            (
                "late, but an earlier cosignature of a larger checkpoint",
                vec![absent.clone(), witnessed(2, D10 + 29 * H), witnessed(9, D10 + H)],
                Profile::default(),
                0,
            ),
            (
                "late only for a checkpoint not including the entry",
                vec![witnessed(1, D10 + 29 * H)],
                Profile::default(),
                0,
            ),
            ("no evidence", vec![], Profile::default(), 0),
            (
                "proven after the audit time",
                vec![absent.clone(), witnessed(2, as_of.0 + 1)],
                Profile::default(),
                0,
            ),
            (
                "within a wider limit of the profile",
                vec![absent.clone(), witnessed(2, D10 + 29 * H)],
                wide,
                0,
            ),
        ];
        for (what, evidence, profile, expected) in table {
            let p = Arc::new(ProvenBefore::new(evidence));
            let report = audit_proven(ledger.store(), &profile, &options, Some(p)).unwrap();
            let found: Vec<_> = report.findings_of("art14-4.after_the_fact").collect();
            assert_eq!(found.len(), expected, "{what}: {:#?}", report.findings);
            if let Some(f) = found.first() {
                assert_eq!(f.article, "Art. 14(4)", "{what}");
                assert_eq!(f.seqs, vec![1], "{what}");
                assert!(
                    f.message.contains("Art. 14(4), 16"),
                    "{what}: {}",
                    f.message
                );
                assert!(
                    f.message.contains("claims 2026-03-02 10:00:00+08:00"),
                    "{what}: {}",
                    f.message
                );
                assert!(
                    f.message.contains("recorded after the fact?"),
                    "{what}: {}",
                    f.message
                );
                assert!(
                    f.message_zh.as_deref().unwrap().contains("事后补录"),
                    "{what}"
                );
                assert!(report.has_violations(), "{what}");
            }
        }
        // The back-dated message names when and by whom it was first proven.
        let p = Arc::new(ProvenBefore::new([
            absent.clone(),
            witnessed(2, D10 + 29 * H + H / 3),
        ]));
        let report = audit_proven(ledger.store(), &Profile::default(), &options, Some(p)).unwrap();
        let f = report.findings_of("art14-4.after_the_fact").next().unwrap();
        assert!(
            f.message
                .contains("the checkpoint of 1 entries witnessed at 2026-03-03 12:00:00+08:00"),
            "{}",
            f.message
        );
        assert!(
            f.message.contains("first proven to exist at 2026-03-03 15:20:00+08:00 (witness witness.example/w1 cosignature"),
            "{}",
            f.message
        );
        // Switched off by the profile: no finding.
        let off = Profile {
            disabled_rules: vec!["art14-4.after_the_fact".into()],
            ..Profile::default()
        };
        let p = Arc::new(ProvenBefore::new([absent, witnessed(2, D10 + 29 * H)]));
        let report = audit_proven(ledger.store(), &off, &options, Some(p)).unwrap();
        assert_eq!(report.findings_of("art14-4.after_the_fact").count(), 0);
        // The audit without evidence is the plain audit.
        assert_eq!(
            audit(ledger.store(), &Profile::default(), &options).unwrap(),
            audit_proven(ledger.store(), &Profile::default(), &options, None).unwrap()
        );
    }

    #[test]
    fn timelines_carry_the_proven_before_time() {
        let ledger = ledger();
        let options = AuditOptions {
            as_of: Timestamp(D10 + 30 * 24 * H),
            timelines: true,
        };
        let p = Arc::new(ProvenBefore::new([witnessed(2, D10 + H)]));
        let report = audit_proven(ledger.store(), &Profile::default(), &options, Some(p)).unwrap();
        let timeline = report.cases[0].timeline.as_ref().unwrap();
        assert_eq!(timeline[0].proven_before, Some(witnessed(2, D10 + H)));
        let report = audit(ledger.store(), &Profile::default(), &options).unwrap();
        assert_eq!(
            report.cases[0].timeline.as_ref().unwrap()[0].proven_before,
            None
        );
    }

    #[test]
    fn a_negative_limit_is_refused() {
        let p = Profile {
            proven_before_limit: Some(Period::from_millis(-1)),
            ..Profile::default()
        };
        assert!(p.validate().is_err());
    }
}
