//! The audit engine: one pass over the entries gathers the facts of every case and recording
//! session; the rules then judge those facts as of the audit time.
//!
//! Memory: one record per case, per recording session, per segment, per media object and per
//! text record, decision, archive, circumstance and purge, one per access request and disclosure
//! (and per view or disclosure that broke an access rule), one per registered key, per
//! derivative and per confidentiality marking, the officers named in each case, plus (only when
//! timelines are asked for) one line per entry that belongs to a case. Nothing else is kept per
//! entry.

mod access;
mod describe;
pub(super) mod evidence;
mod judge;
mod observe;
mod process;
mod proven;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use describe::short_hex;
use describe::{act_name, detail, method_name};
use judge::{covering_archive, explained_by, Judge};

use super::profile::{ActClass, DecisionClass, MethodClass, Profile, RoleClass, TriggerClass};
use super::report::*;
use super::rules::{self, id, Severity};
use super::time::{format_span, format_time};
use crate::entry::Entry;
use crate::hash::Digest;
use crate::keys::PublicKey;
use crate::media::custody::Custody;
use crate::model::*;

/// The officers answerable for a decision no officer signed (Art. 21): those named by the
/// latest approval or legal review before it, else by its decision-stage records, else by any
/// record of the case before it.
fn responsible_officers(case: &Case, legal_review: &str) -> Vec<String> {
    let named = |d: &&Doc| d.officers.iter().any(|o| !o.trim().is_empty());
    let pick = |f: &dyn Fn(&Doc) -> bool| {
        case.docs
            .iter()
            .filter(|d| f(d))
            .filter(named)
            .last()
            .map(|d| d.officers.clone())
    };
    let mut out = pick(&|d| is_approval(&d.kind, legal_review))
        .or_else(|| pick(&|d| d.stage == Stage::ReviewDecision))
        .or_else(|| pick(&|_| true))
        .unwrap_or_default();
    out.retain(|o| !o.trim().is_empty());
    out.sort();
    out.dedup();
    out
}

/// Whether a document is an internal approval (内部审批表) or a legal review (法制审核).
fn is_approval(kind: &DocumentKind, legal_review: &str) -> bool {
    match kind {
        DocumentKind::InternalApproval => true,
        DocumentKind::Other(name) => !legal_review.is_empty() && name.starts_with(legal_review),
        _ => false,
    }
}

/// The parts of an entry every fact remembers.
#[derive(Clone, Copy, Debug)]
struct At {
    seq: u64,
    /// The ledger's `logged_at`: what deadlines are judged on.
    logged: Timestamp,
}

#[derive(Debug)]
struct Opened {
    at: At,
    act: ActKind,
    matter: String,
    unit: String,
}

#[derive(Debug)]
struct Decision {
    at: At,
    kind: DecisionKind,
    relies_on: Vec<Digest>,
    officer: Option<String>,
    /// Whether a key of the system role signed it (the case system, not a person).
    system: bool,
    /// The officers answerable for it (Art. 21): its signer if an officer, else those named by
    /// the approval, the decision-stage records or any record of the case before it.
    responsible: Vec<String>,
}

impl Decision {
    /// Who findings about the decision name.
    fn officers(&self) -> Vec<String> {
        match &self.officer {
            Some(o) => vec![o.clone()],
            None => self.responsible.clone(),
        }
    }
}

/// A text record (Art. 6, 10).
#[derive(Debug, Clone)]
struct Doc {
    at: At,
    stage: Stage,
    kind: DocumentKind,
    officers: Vec<String>,
    media: MediaRef,
}

#[derive(Debug)]
struct Exemption {
    at: At,
    reason: ExemptionReason,
    approved_by: String,
    officer: Option<String>,
}

#[derive(Debug)]
struct Case {
    case_no: String,
    first_seq: u64,
    last_seq: u64,
    entries: u64,
    opened: Option<Opened>,
    documents: u64,
    first_record: Option<u64>,
    sessions: Vec<String>,
    decisions: Vec<Decision>,
    closed: Option<(At, Retention)>,
    exemptions: Vec<Exemption>,
    retentions: Vec<(At, Retention)>,
    circumstances: Vec<(At, PreservationTrigger, Option<String>)>,
    orders: Vec<(At, PreservationTrigger)>,
    releases: Vec<(At, String, Option<String>)>,
    justifications: Vec<u64>,
    timeline: Vec<TimelineItem>,
    docs: Vec<Doc>,
    /// Officer certificate numbers (and key-holder words) of those who handle the case: named by
    /// its recordings or records, or authors of its entries (Art. 21(3)).
    handlers: BTreeSet<String>,
    /// Where the whole case was marked confidential (Art. 20), if it is.
    marked: Option<At>,
}

impl Case {
    fn new(case_no: &str, seq: u64) -> Case {
        Case {
            case_no: case_no.to_string(),
            first_seq: seq,
            last_seq: seq,
            entries: 0,
            opened: None,
            documents: 0,
            first_record: None,
            sessions: Vec::new(),
            decisions: Vec::new(),
            closed: None,
            exemptions: Vec::new(),
            retentions: Vec::new(),
            circumstances: Vec::new(),
            orders: Vec::new(),
            releases: Vec::new(),
            justifications: Vec::new(),
            timeline: Vec::new(),
            docs: Vec::new(),
            handlers: BTreeSet::new(),
            marked: None,
        }
    }

    fn act_class(&self) -> Option<ActClass> {
        self.opened.as_ref().map(|o| ActClass::of(&o.act))
    }

    /// Whether `holder` (an officer's certificate number, or a key holder naming it among
    /// other words) handles the case.
    fn handled_by(&self, holder: &str) -> bool {
        self.handlers.contains(holder) || words(holder).any(|w| self.handlers.contains(w))
    }
}

/// The alphanumeric words of a key holder ("执法人员 21020002 李" → "执法人员", "21020002", "李").
fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

#[derive(Debug)]
struct Segment {
    index: u32,
    at: At,
    digest: Digest,
    start: Timestamp,
    end: Timestamp,
}

impl Segment {
    /// When the footage ended as far as the ledger can vouch: the device's claim, but never
    /// later than the ledger received it.
    fn vouched_end(&self) -> Timestamp {
        self.end.min(self.at.logged)
    }
}

#[derive(Debug)]
struct Gap {
    /// The segment after the gap.
    at: At,
    index: u32,
    prev_end: Timestamp,
    start: Timestamp,
}

#[derive(Debug)]
struct Session {
    id: String,
    case_no: String,
    started: At,
    /// The device's claimed start time.
    started_time: Timestamp,
    method: CaptureMethod,
    place: String,
    landmark: Option<String>,
    matter: String,
    officers: Vec<String>,
    party: bool,
    notices: Vec<(At, Timestamp)>,
    segments: Vec<Segment>,
    gaps: Vec<Gap>,
    interruptions: Vec<(At, Timestamp, InterruptionReason)>,
    stopped: Option<At>,
    last: At,
}

#[derive(Debug)]
struct Archive {
    at: At,
    subject: RecordRef,
    custodian: String,
    labels_case: String,
    method: CaptureMethod,
    made_by: String,
    made_at: Timestamp,
    proves: String,
    officer: Option<String>,
    /// The signer's role there, and its holder.
    role: Option<Role>,
    signer: String,
    /// Whether the custodian named holds a key registered with the custodian role.
    custodian_registered: bool,
    transcript: bool,
}

/// A disclosure that handed over originals of records marked confidential (Art. 20).
#[derive(Debug)]
struct ConfidentialDisclosure {
    at: At,
    case_no: String,
    /// Each original disclosed, with the marking that covers it.
    items: Vec<(Digest, u64)>,
    officer: Option<String>,
}

/// An officer's view of a case they do not handle (Art. 21(3)).
#[derive(Debug)]
struct ForeignView {
    at: At,
    case_no: String,
    officer: String,
}

#[derive(Debug)]
struct Purge {
    at: At,
    media: Digest,
    officer: Option<String>,
}

/// Archives by what they archive, in ledger order, so that a recording's archive is found
/// without scanning every archive.
#[derive(Debug, Default)]
struct ArchiveIndex {
    by_session: HashMap<String, Vec<At>>,
    by_case: HashMap<String, Vec<At>>,
    by_media: HashMap<Digest, Vec<At>>,
}

impl ArchiveIndex {
    fn add(&mut self, subject: &RecordRef, at: At) {
        let list = match subject {
            RecordRef::Session(s) => self.by_session.entry(s.clone()).or_default(),
            RecordRef::Case(c) => self.by_case.entry(c.clone()).or_default(),
            RecordRef::Media(d) => self.by_media.entry(*d).or_default(),
        };
        list.push(at);
    }
}

/// The first entry in `list` (ledger order) after `seq`.
fn first_after(list: Option<&Vec<At>>, seq: u64) -> Option<At> {
    list.and_then(|l| l.iter().find(|a| a.seq > seq).copied())
}

/// Where a media object first appears as a record.
#[derive(Debug, Clone)]
struct FirstSeen {
    at: At,
    name: String,
}

/// Collects facts in ledger order.
pub(super) struct Engine<'p> {
    profile: &'p Profile,
    as_of: Timestamp,
    timelines: bool,
    origin: Option<String>,
    entries: u64,
    after: u64,
    cases: HashMap<String, Case>,
    sessions: HashMap<String, Session>,
    session_order: Vec<String>,
    early_notices: HashMap<String, Vec<(At, Timestamp)>>,
    keys: HashMap<PublicKey, (Role, String)>,
    first_seen: HashMap<Digest, FirstSeen>,
    segment_of: HashMap<Digest, (String, usize)>,
    /// Which cases reference each media object: the same custody rules as media purges and
    /// erasures (`media::custody`), so the three never disagree.
    custody: Custody,
    requests: HashMap<String, String>,
    archives: Vec<Archive>,
    archive_index: ArchiveIndex,
    purges: Vec<Purge>,
    officers: BTreeMap<String, (BTreeSet<String>, u64, u64)>,
    access: access::Access,
    /// Original → the entries that made a long-term copy (disc image) of it (Art. 18).
    disc_images: HashMap<Digest, Vec<At>>,
    /// Media made as derivatives (clips, redactions, transcripts, discs): not originals.
    derivatives: std::collections::HashSet<Digest>,
    /// Confidentiality markings other than ordinary, of media and sessions (Art. 20).
    marked_media: HashMap<Digest, At>,
    marked_sessions: HashMap<String, At>,
    confidential_disclosures: Vec<ConfidentialDisclosure>,
    foreign_views: Vec<ForeignView>,
    /// Officer → decisions answered for (Art. 21).
    officer_decisions: BTreeMap<String, u64>,
    /// Proven-before times and the entries first proven late (Art. 14(4), 16).
    proven: proven::Proven,
    /// The facts of the cases' evidence lists (证据清单).
    evidence: evidence::EvidenceList,
}

impl<'p> Engine<'p> {
    pub(super) fn new(profile: &'p Profile, as_of: Timestamp, timelines: bool) -> Self {
        Engine {
            profile,
            as_of,
            timelines,
            origin: None,
            entries: 0,
            after: 0,
            cases: HashMap::new(),
            sessions: HashMap::new(),
            session_order: Vec::new(),
            early_notices: HashMap::new(),
            keys: HashMap::new(),
            first_seen: HashMap::new(),
            segment_of: HashMap::new(),
            custody: Custody::default(),
            requests: HashMap::new(),
            archives: Vec::new(),
            archive_index: ArchiveIndex::default(),
            purges: Vec::new(),
            officers: BTreeMap::new(),
            access: access::Access::default(),
            disc_images: HashMap::new(),
            derivatives: std::collections::HashSet::new(),
            marked_media: HashMap::new(),
            marked_sessions: HashMap::new(),
            confidential_disclosures: Vec::new(),
            foreign_views: Vec::new(),
            officer_decisions: BTreeMap::new(),
            proven: proven::Proven::default(),
            evidence: evidence::EvidenceList::new(),
        }
    }

    /// The sequence numbers of the `MediaPurged` entries audited.
    pub(super) fn purge_seqs(&self) -> BTreeSet<u64> {
        self.purges.iter().map(|p| p.at.seq).collect()
    }

    fn officer_of(&self, key: &PublicKey) -> Option<String> {
        match self.keys.get(key) {
            Some((Role::Officer, holder)) => Some(holder.clone()),
            _ => None,
        }
    }

    fn role_of(&self, key: &PublicKey) -> Option<Role> {
        self.keys.get(key).map(|(r, _)| *r)
    }

    fn holder_of(&self, key: &PublicKey) -> String {
        self.keys.get(key).map_or_else(
            || format!("key {}", short_hex(key.as_bytes())),
            |(_, h)| h.clone(),
        )
    }

    /// The marking that covers original `digest` of `case_no`, if any (Art. 20).
    fn marking_of(&self, digest: &Digest, case_no: &str) -> Option<u64> {
        if self.derivatives.contains(digest) {
            return None;
        }
        if let Some(a) = self.marked_media.get(digest) {
            return Some(a.seq);
        }
        if let Some(a) = self
            .segment_of
            .get(digest)
            .and_then(|(sid, _)| self.marked_sessions.get(sid))
        {
            return Some(a.seq);
        }
        let mut cases = self.media_case_list(digest);
        if cases.is_empty() {
            cases.push(case_no.to_string());
        }
        cases
            .iter()
            .filter_map(|c| self.cases.get(c).and_then(|c| c.marked))
            .map(|a| a.seq)
            .min()
    }

    fn case_mut(&mut self, case_no: &str, seq: u64) -> &mut Case {
        self.cases
            .entry(case_no.to_string())
            .or_insert_with(|| Case::new(case_no, seq))
    }

    fn seen(&mut self, media: &MediaRef, at: At) {
        self.first_seen.entry(media.digest).or_insert(FirstSeen {
            at,
            name: media.name.clone(),
        });
    }

    fn session_case(&self, session: &str) -> Option<String> {
        self.sessions.get(session).map(|s| s.case_no.clone())
    }

    fn media_case_list(&self, digest: &Digest) -> Vec<String> {
        self.custody
            .cases_of(digest)
            .map(|c| c.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The cases an event belongs to.
    fn cases_of(&self, event: &Event) -> Vec<String> {
        let session_cases = |s: &str| self.session_case(s).into_iter().collect::<Vec<_>>();
        match event {
            Event::SegmentSealed { session, .. }
            | Event::RecordingInterrupted { session, .. }
            | Event::RecordingStopped { session, .. } => session_cases(session),
            // An archive of a known recording belongs to the recording's case, whatever its
            // label says (a wrong label is a finding of that case).
            Event::Archived {
                subject: RecordRef::Session(s),
                labels,
                ..
            } => vec![self
                .session_case(s)
                .unwrap_or_else(|| labels.case_no.clone())],
            Event::Handover { media, .. }
            | Event::MediaPurged { media, .. }
            | Event::DerivativeMade {
                original: media, ..
            } => self.media_case_list(media),
            Event::AccessDecided { request, .. } => {
                self.requests.get(request).cloned().into_iter().collect()
            }
            Event::RecordViewed { subject, .. } | Event::ConfidentialityMarked { subject, .. } => {
                match subject {
                    RecordRef::Case(c) => vec![c.clone()],
                    RecordRef::Session(s) => session_cases(s),
                    RecordRef::Media(d) => self.media_case_list(d),
                }
            }
            other => other.case_no().map(str::to_string).into_iter().collect(),
        }
    }

    /// Takes entry `seq` into account; returns the cases it was attributed to.
    pub(super) fn observe(&mut self, seq: u64, entry: &Entry) -> Vec<String> {
        if entry.logged_at > self.as_of {
            self.after = self.after.saturating_add(1);
            return Vec::new();
        }
        self.entries = self.entries.saturating_add(1);
        let at = At {
            seq,
            logged: entry.logged_at,
        };
        let statement = &entry.statement.statement;
        let event = &statement.event;
        let author = statement.author;
        let officer = self.officer_of(&author);

        // Facts that decide which case an entry belongs to come first.
        self.custody.observe(seq, event);
        self.evidence.observe(seq, event);
        self.learn_identity(at, statement);
        let cases = self.cases_of(event);
        self.note_foreign_views(at, event, officer.as_deref(), &cases);
        self.attribute(at, entry, officer.as_deref(), &cases);
        self.access
            .observe(self.profile, at, statement, &cases, officer.clone());
        self.observe_proven(at, statement, officer.as_deref(), &cases);

        match event {
            Event::CaseOpened { .. }
            | Event::CaseClosed { .. }
            | Event::RecordingExempted { .. }
            | Event::RetentionSet { .. }
            | Event::PreservationOrdered { .. }
            | Event::PreservationReleased { .. }
            | Event::CircumstanceReported { .. } => self.observe_case(at, statement, officer),
            Event::DocumentFiled { .. } => self.observe_document(at, statement),
            Event::DecisionMade { .. } => self.observe_decision(at, statement, officer),
            Event::PartyNotified { .. }
            | Event::SegmentSealed { .. }
            | Event::RecordingInterrupted { .. }
            | Event::RecordingStopped { .. } => self.observe_recording(at, statement),
            Event::Archived { .. } | Event::DerivativeMade { .. } | Event::MediaPurged { .. } => {
                self.observe_custody(at, statement, officer)
            }
            Event::ConfidentialityMarked { .. } | Event::RecordDisclosed { .. } => {
                self.observe_confidentiality(at, statement, officer)
            }
            _ => {}
        }
        cases
    }

    fn timeline_item(&self, at: At, entry: &Entry) -> TimelineItem {
        let statement = &entry.statement.statement;
        let author = match self.keys.get(&statement.author) {
            Some((_, holder)) => holder.clone(),
            None => format!("key {}", short_hex(statement.author.as_bytes())),
        };
        let session = match &statement.event {
            Event::PartyNotified { session, .. }
            | Event::RecordingStarted { session, .. }
            | Event::SegmentSealed { session, .. }
            | Event::RecordingInterrupted { session, .. }
            | Event::RecordingStopped { session, .. }
            | Event::Archived {
                subject: RecordRef::Session(session),
                ..
            } => Some(session.clone()),
            _ => None,
        };
        TimelineItem {
            seq: at.seq,
            logged_at: at.logged,
            time: statement.time,
            event: statement.event.name().to_string(),
            author,
            detail: detail(&statement.event),
            session,
            rules: Vec::new(),
            severity: None,
            proven_before: self.proven_of(at.seq).cloned(),
        }
    }

    /// Judges the facts and builds the report. `unlawful_purges` are the media verifier's
    /// judgements of `MediaPurged` entries (entry → why it was unlawful), so that the audit
    /// and the media store can never disagree on a purge.
    pub(super) fn finish(self, unlawful_purges: &BTreeMap<u64, String>) -> AuditReport {
        let mut j = Judge {
            profile: self.profile,
            as_of: self.as_of,
            findings: Vec::new(),
            zh: None,
            supervision: Supervision::default(),
            deadlines: HashMap::new(),
        };
        for id in &self.session_order {
            if let Some(s) = self.sessions.get(id) {
                j.session(s, self.cases.get(&s.case_no), &self.archive_index);
            }
        }
        j.restarts(&self.session_order, &self.sessions);
        j.archive_labels(&self.archives, &self.sessions, &self.segment_of);
        let mut cases: Vec<&Case> = self.cases.values().collect();
        cases.sort_by_key(|c| (c.first_seq, c.case_no.clone()));
        for c in &cases {
            j.case(c, &self.sessions);
            j.process(c);
            j.copies(c, &self.sessions, &self.disc_images);
            j.evidence(c, &self.first_seen);
            j.after_the_fact(c, &self.proven, &self.sessions);
        }
        j.purges(
            &self.purges,
            unlawful_purges,
            self.custody.media_cases(),
            &self.cases,
            &self.segment_of,
            &self.sessions,
            &self.first_seen,
        );
        j.access(&self.access);
        j.confidential(&self.confidential_disclosures);
        j.foreign_views(&self.foreign_views);
        self.report(j, &cases)
    }

    fn report(&self, mut j: Judge<'_>, cases: &[&Case]) -> AuditReport {
        let order: HashMap<&str, usize> = cases
            .iter()
            .enumerate()
            .map(|(i, c)| (c.case_no.as_str(), i))
            .collect();
        let mut findings = std::mem::take(&mut j.findings);
        // Officers are counted by certificate number, as recordings and documents name them; a
        // key holder such as "执法人员 21020002 李" that contains a known number counts as it.
        for f in &mut findings {
            for o in &mut f.officers {
                if !self.officers.contains_key(o.as_str()) {
                    if let Some(known) = o
                        .split(|c: char| !c.is_alphanumeric())
                        .find(|t| self.officers.contains_key(*t))
                    {
                        *o = known.to_string();
                    }
                }
            }
            f.officers.sort();
            f.officers.dedup();
        }
        findings.sort_by(|a, b| {
            let key = |f: &Finding| {
                (
                    f.case_no
                        .as_deref()
                        .and_then(|c| order.get(c).copied())
                        .unwrap_or(usize::MAX),
                    f.seqs.first().copied().unwrap_or(u64::MAX),
                    f.rule.clone(),
                )
            };
            key(a).cmp(&key(b))
        });

        let mut summary = Summary {
            cases: cases.len() as u64,
            sessions: self.sessions.len() as u64,
            ..Summary::default()
        };
        let mut sup = std::mem::take(&mut j.supervision);
        let mut per_case: HashMap<&str, Counts> = HashMap::new();
        for f in &findings {
            match f.severity {
                Severity::Violation => summary.violations += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Notice => summary.notices += 1,
            }
            sup.by_article
                .entry(f.article.clone())
                .or_default()
                .add(f.severity);
            sup.by_rule
                .entry(f.rule.clone())
                .or_default()
                .add(f.severity);
            if let Some(c) = f.case_no.as_deref() {
                per_case.entry(c).or_default().add(f.severity);
            }
            for o in &f.officers {
                sup.by_officer
                    .entry(o.clone())
                    .or_default()
                    .findings
                    .add(f.severity);
            }
        }
        for (name, (cases, sessions, documents)) in &self.officers {
            let s = sup.by_officer.entry(name.clone()).or_default();
            s.cases = cases.len() as u64;
            s.sessions = *sessions;
            s.documents = *documents;
        }
        for (name, n) in &self.officer_decisions {
            sup.by_officer.entry(name.clone()).or_default().decisions = *n;
        }

        let mut by_case: HashMap<&str, Vec<&Finding>> = HashMap::new();
        for f in &findings {
            if let Some(c) = f.case_no.as_deref() {
                by_case.entry(c).or_default().push(f);
            }
        }
        let mut out_cases = Vec::with_capacity(cases.len());
        for c in cases {
            let counts = per_case
                .get(c.case_no.as_str())
                .copied()
                .unwrap_or_default();
            let unit = c
                .opened
                .as_ref()
                .map_or_else(|| "(no unit)".to_string(), |o| o.unit.clone());
            let u = sup.by_unit.entry(unit).or_default();
            u.cases += 1;
            u.findings.violation += counts.violation;
            u.findings.warning += counts.warning;
            u.findings.notice += counts.notice;
            let own = by_case
                .get(c.case_no.as_str())
                .map_or(&[][..], Vec::as_slice);
            out_cases.push(self.case_summary(c, counts, own, &mut j));
        }
        let no_case = findings.iter().filter(|f| f.case_no.is_none());
        for f in no_case {
            sup.by_unit
                .entry("(no unit)".into())
                .or_default()
                .findings
                .add(f.severity);
        }

        AuditReport {
            format: REPORT_FORMAT.into(),
            profile: self.profile.name.clone(),
            as_of: self.as_of,
            origin: self.origin.clone(),
            entries: self.entries,
            entries_after_as_of: self.after,
            integrity: None,
            summary,
            findings,
            cases: out_cases,
            supervision: sup,
            rules: rules::RULES
                .iter()
                .map(|r| RuleInfo {
                    id: r.id.into(),
                    article: r.article.into(),
                    term: format!("{} {}", r.term_zh, r.term_en),
                    severity: self.profile.severity_of(r.id).unwrap_or(r.severity),
                    enabled: self.profile.enabled(r.id),
                    checks: r.checks.into(),
                })
                .collect(),
        }
    }

    fn case_summary(
        &self,
        c: &Case,
        counts: Counts,
        findings: &[&Finding],
        j: &mut Judge<'_>,
    ) -> CaseSummary {
        let status = match (&c.opened, c.closed.is_some(), c.decisions.is_empty()) {
            (_, true, _) => CaseStatus::Closed,
            (_, false, false) => CaseStatus::Decided,
            (Some(_), false, true) => CaseStatus::Open,
            (None, false, true) => CaseStatus::Unopened,
        };
        let sessions = c
            .sessions
            .iter()
            .filter_map(|id| self.sessions.get(id))
            .map(|s| session_summary(s, &self.archive_index, self.profile))
            .collect();
        let timeline = self.timelines.then(|| {
            let mut items = c.timeline.clone();
            for f in findings {
                for seq in &f.seqs {
                    if let Ok(i) = items.binary_search_by_key(seq, |t| t.seq) {
                        if let Some(item) = items.get_mut(i) {
                            if !item.rules.contains(&f.rule) {
                                item.rules.push(f.rule.clone());
                            }
                            item.severity = item.severity.max(Some(f.severity));
                        }
                    }
                }
            }
            items
        });
        CaseSummary {
            case_no: c.case_no.clone(),
            status,
            opened_seq: c.opened.as_ref().map(|o| o.at.seq),
            act: c.opened.as_ref().map(|o| act_name(&o.act)),
            matter: c.opened.as_ref().map(|o| o.matter.clone()),
            unit: c.opened.as_ref().map(|o| o.unit.clone()),
            decisions: c.decisions.iter().map(|d| d.at.seq).collect(),
            closed_seq: c.closed.as_ref().map(|(a, _)| a.seq),
            entries: c.entries,
            documents: c.documents,
            sessions,
            deadlines: j.deadlines.remove(&c.case_no).unwrap_or_default(),
            findings: counts,
            timeline,
            opened_at: c.opened.as_ref().map(|o| o.at.logged),
            evidence: self.evidence.items(&c.case_no),
        }
    }
}

fn session_summary(s: &Session, archives: &ArchiveIndex, profile: &Profile) -> SessionSummary {
    let tolerance = profile.segment_gap_tolerance.millis();
    let segment_list = s
        .segments
        .iter()
        .map(|seg| {
            let gap = s.gaps.iter().find(|g| g.at.seq == seg.at.seq);
            SegmentSummary {
                index: seg.index,
                seq: seg.at.seq,
                start: seg.start,
                end: seg.end,
                gap_before_ms: gap.map(|g| g.start.0.saturating_sub(g.prev_end.0)),
                gap_explained: gap.is_some_and(|g| explained_by(s, g, tolerance).is_some()),
            }
        })
        .collect();
    SessionSummary {
        session: s.id.clone(),
        started_seq: s.started.seq,
        method: method_name(&s.method),
        place: s.place.clone(),
        landmark: s.landmark.clone(),
        officers: s.officers.clone(),
        notified_seq: s
            .notices
            .iter()
            .find(|(a, _)| a.seq < s.started.seq)
            .map(|(a, _)| a.seq),
        segments: u32::try_from(s.segments.len()).unwrap_or(u32::MAX),
        first_start: s.segments.iter().map(|g| g.start).min(),
        last_end: s.segments.iter().map(|g| g.end).max(),
        segment_list,
        interruptions: u32::try_from(s.interruptions.len()).unwrap_or(u32::MAX),
        unexplained_gaps: u32::try_from(
            s.gaps
                .iter()
                .filter(|g| explained_by(s, g, tolerance).is_none())
                .count(),
        )
        .unwrap_or(u32::MAX),
        stopped_seq: s.stopped.map(|a| a.seq),
        archived_seq: covering_archive(s, archives).map(|a| a.seq),
    }
}
