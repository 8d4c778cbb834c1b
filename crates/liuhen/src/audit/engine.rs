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
mod judge;
mod process;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use describe::short_hex;
use describe::{act_name, detail, document_zh, method_name, method_zh};
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
    length: u64,
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

    /// Takes entry `seq` into account.
    pub(super) fn observe(&mut self, seq: u64, entry: &Entry) {
        if entry.logged_at > self.as_of {
            self.after = self.after.saturating_add(1);
            return;
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
        match event {
            Event::Genesis {
                origin, ledger_key, ..
            } => {
                self.origin = Some(origin.clone());
                self.keys
                    .insert(*ledger_key, (Role::System, format!("ledger {origin}")));
            }
            Event::KeyAuthorized { key, role, holder } => {
                self.keys.insert(*key, (*role, holder.clone()));
            }
            Event::RecordingStarted {
                session,
                case_no,
                method,
                location,
                matter,
                officers,
                party,
                ..
            } if !self.sessions.contains_key(session) => {
                let notices = self.early_notices.remove(session).unwrap_or_default();
                self.sessions.insert(
                    session.clone(),
                    Session {
                        id: session.clone(),
                        case_no: case_no.clone(),
                        started: at,
                        started_time: statement.time,
                        method: method.clone(),
                        place: location.place.clone(),
                        landmark: location.landmark.clone(),
                        matter: matter.clone(),
                        officers: officers.clone(),
                        party: party.is_some(),
                        notices,
                        segments: Vec::new(),
                        gaps: Vec::new(),
                        interruptions: Vec::new(),
                        stopped: None,
                        last: at,
                    },
                );
                self.session_order.push(session.clone());
                let case = self.case_mut(case_no, seq);
                case.sessions.push(session.clone());
                case.handlers.extend(officers.iter().cloned());
                for o in officers {
                    let e = self.officers.entry(o.clone()).or_default();
                    e.0.insert(case_no.clone());
                    e.1 = e.1.saturating_add(1);
                }
            }
            Event::AccessRequested {
                request, case_no, ..
            } => {
                // The first request under an id is the one its decisions answer.
                self.requests
                    .entry(request.clone())
                    .or_insert_with(|| case_no.clone());
            }
            _ => {}
        }

        let cases = self.cases_of(event);
        // Art. 21(3): an officer viewing a case they do not handle (judged before the view
        // itself makes its author a handler).
        let reviewer = officer.as_deref().is_some_and(|o| {
            self.profile
                .reviewing_officers
                .iter()
                .any(|r| r == o || words(o).any(|w| w == r))
        });
        if let (Event::RecordViewed { .. }, Some(o), false) = (event, &officer, reviewer) {
            for c in &cases {
                if self.cases.get(c).is_some_and(|case| !case.handled_by(o)) {
                    self.foreign_views.push(ForeignView {
                        at,
                        case_no: c.clone(),
                        officer: o.clone(),
                    });
                }
            }
        }
        let author_holder = officer.clone();
        for c in &cases {
            let item = self.timelines.then(|| self.timeline_item(at, entry));
            let viewing = matches!(event, Event::RecordViewed { .. });
            let case = self.case_mut(c, seq);
            if let (Some(h), false) = (&author_holder, viewing) {
                case.handlers.insert(h.clone());
                for w in words(h) {
                    case.handlers.insert(w.to_string());
                }
            }
            case.entries = case.entries.saturating_add(1);
            case.last_seq = seq;
            if let Some(item) = item {
                case.timeline.push(item);
            }
        }
        self.access
            .observe(self.profile, at, statement, &cases, officer.clone());

        match event {
            Event::CaseOpened {
                case_no,
                act,
                matter,
                unit,
                ..
            } => {
                let case = self.case_mut(case_no, seq);
                if case.opened.is_none() {
                    case.opened = Some(Opened {
                        at,
                        act: act.clone(),
                        matter: matter.clone(),
                        unit: unit.clone(),
                    });
                }
            }
            Event::DocumentFiled {
                case_no,
                stage,
                kind,
                media,
                officers,
            } => {
                self.seen(media, at);
                let justification = matches!(kind, DocumentKind::Other(name)
                    if !self.profile.late_archive_justification.is_empty()
                        && name.starts_with(&self.profile.late_archive_justification));
                let case = self.case_mut(case_no, seq);
                case.docs.push(Doc {
                    at,
                    stage: *stage,
                    kind: kind.clone(),
                    officers: officers.clone(),
                    media: media.clone(),
                });
                case.handlers.extend(officers.iter().cloned());
                case.documents = case.documents.saturating_add(1);
                case.first_record.get_or_insert(seq);
                if justification {
                    case.justifications.push(seq);
                }
                for o in officers {
                    let e = self.officers.entry(o.clone()).or_default();
                    e.0.insert(case_no.clone());
                    e.2 = e.2.saturating_add(1);
                }
            }
            Event::DecisionMade {
                case_no,
                kind,
                document,
                relies_on,
            } => {
                self.seen(document, at);
                let system = self.role_of(&author) == Some(Role::System);
                let legal_review = &self.profile.legal_review_document;
                let case = self.case_mut(case_no, seq);
                let responsible = match &officer {
                    Some(o) => vec![o.clone()],
                    None => responsible_officers(case, legal_review),
                };
                let answerable = responsible.clone();
                case.decisions.push(Decision {
                    at,
                    kind: kind.clone(),
                    relies_on: relies_on.clone(),
                    officer,
                    system,
                    responsible,
                });
                for o in answerable {
                    let known = words(&o)
                        .find(|w| self.officers.contains_key(*w))
                        .map_or(o.clone(), str::to_string);
                    let e = self.officer_decisions.entry(known).or_default();
                    *e = e.saturating_add(1);
                }
            }
            Event::CaseClosed {
                case_no,
                file_retention,
                ..
            } => {
                let case = self.case_mut(case_no, seq);
                if case.closed.is_none() {
                    case.closed = Some((at, *file_retention));
                }
            }
            Event::PartyNotified {
                session, at: told, ..
            } => match self.sessions.get_mut(session) {
                Some(s) => s.notices.push((at, *told)),
                None => self
                    .early_notices
                    .entry(session.clone())
                    .or_default()
                    .push((at, *told)),
            },
            Event::SegmentSealed {
                session,
                index,
                media,
                start,
                end,
                ..
            } => {
                self.seen(media, at);
                let tolerance = self.profile.segment_gap_tolerance.millis();
                let mut record_of = None;
                if let Some(s) = self.sessions.get_mut(session) {
                    if let Some(prev) = s.segments.last() {
                        let gap = start.0.saturating_sub(prev.end.0);
                        if prev.index.checked_add(1) == Some(*index) && gap > tolerance {
                            s.gaps.push(Gap {
                                at,
                                index: *index,
                                prev_end: prev.end,
                                start: *start,
                            });
                        }
                    }
                    s.segments.push(Segment {
                        index: *index,
                        at,
                        digest: media.digest,
                        length: media.length,
                        start: *start,
                        end: *end,
                    });
                    s.last = at;
                    self.segment_of
                        .entry(media.digest)
                        .or_insert((session.clone(), s.segments.len() - 1));
                    record_of = Some(s.case_no.clone());
                }
                if let Some(c) = record_of {
                    self.case_mut(&c, seq).first_record.get_or_insert(seq);
                }
            }
            Event::RecordingInterrupted {
                session,
                reason,
                at: when,
            } => {
                if let Some(s) = self.sessions.get_mut(session) {
                    s.interruptions.push((at, *when, reason.clone()));
                    s.last = at;
                }
            }
            Event::RecordingStopped { session, .. } => {
                if let Some(s) = self.sessions.get_mut(session) {
                    if s.stopped.is_none() {
                        s.stopped = Some(at);
                    }
                    s.last = at;
                }
            }
            Event::RecordingExempted {
                case_no,
                reason,
                approved_by,
            } => {
                let case = self.case_mut(case_no, seq);
                case.exemptions.push(Exemption {
                    at,
                    reason: reason.clone(),
                    approved_by: approved_by.clone(),
                    officer,
                });
            }
            Event::Archived {
                subject,
                custodian,
                labels,
                ..
            } => {
                if let Some(t) = &labels.transcript {
                    self.seen(t, at);
                }
                self.archive_index.add(subject, at);
                let custodian_registered = self.access.is_custodian(custodian);
                self.archives.push(Archive {
                    at,
                    subject: subject.clone(),
                    custodian: custodian.clone(),
                    labels_case: labels.case_no.clone(),
                    method: labels.method.clone(),
                    made_by: labels.made_by.clone(),
                    made_at: labels.made_at,
                    proves: labels.proves.clone(),
                    officer,
                    role: self.role_of(&author),
                    signer: self.holder_of(&author),
                    custodian_registered,
                    transcript: labels.transcript.is_some(),
                });
            }
            Event::DerivativeMade {
                original,
                derivative,
                kind,
                ..
            } => {
                self.seen(derivative, at);
                self.derivatives.insert(derivative.digest);
                if matches!(kind, DerivativeKind::DiscImage) {
                    self.disc_images.entry(*original).or_default().push(at);
                }
            }
            Event::ConfidentialityMarked { subject, level, .. } => {
                let ordinary = matches!(level, Confidentiality::Ordinary);
                match subject {
                    RecordRef::Media(d) if ordinary => {
                        self.marked_media.remove(d);
                    }
                    RecordRef::Media(d) => {
                        self.marked_media.entry(*d).or_insert(at);
                    }
                    RecordRef::Session(s) if ordinary => {
                        self.marked_sessions.remove(s);
                    }
                    RecordRef::Session(s) => {
                        self.marked_sessions.entry(s.clone()).or_insert(at);
                    }
                    RecordRef::Case(c) => {
                        let case = self.case_mut(c, seq);
                        if ordinary {
                            case.marked = None;
                        } else {
                            case.marked.get_or_insert(at);
                        }
                    }
                }
            }
            Event::RecordDisclosed { case_no, to, what } => {
                let exempt = self
                    .role_of(&author)
                    .is_some_and(|r| self.profile.may_disclose(r))
                    || self.access.is_party(case_no, to);
                if !exempt {
                    let items: Vec<(Digest, u64)> = what
                        .iter()
                        .filter_map(|d| self.marking_of(d, case_no).map(|m| (*d, m)))
                        .collect();
                    if !items.is_empty() {
                        self.confidential_disclosures.push(ConfidentialDisclosure {
                            at,
                            case_no: case_no.clone(),
                            items,
                            officer,
                        });
                    }
                }
            }
            Event::RetentionSet { case_no, until } => {
                self.case_mut(case_no, seq).retentions.push((at, *until));
            }
            Event::PreservationOrdered { case_no, trigger } => {
                self.case_mut(case_no, seq)
                    .orders
                    .push((at, trigger.clone()));
            }
            Event::PreservationReleased {
                case_no,
                approved_by,
            } => {
                self.case_mut(case_no, seq)
                    .releases
                    .push((at, approved_by.clone(), officer));
            }
            Event::CircumstanceReported {
                case_no, trigger, ..
            } => {
                self.case_mut(case_no, seq)
                    .circumstances
                    .push((at, trigger.clone(), officer));
            }
            Event::MediaPurged { media, .. } => self.purges.push(Purge {
                at,
                media: *media,
                officer,
            }),
            _ => {}
        }
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

    /// The case's evidence list (证据清单): text records and recording segments, in ledger order.
    fn evidence_list(&self, c: &Case) -> Vec<EvidenceItem> {
        let mut items: Vec<EvidenceItem> = Vec::new();
        for d in &c.docs {
            let officers = d.officers.join("、");
            items.push(EvidenceItem {
                no: 0,
                name: format!("{}（{}）", d.media.name, document_zh(&d.kind)),
                source: if officers.trim().is_empty() {
                    "未载明执法人员".to_string()
                } else {
                    format!("执法人员 {officers}")
                },
                proves: "未记载（文字记录未载明证明对象）".to_string(),
                duration_ms: None,
                length: d.media.length,
                digest: d.media.digest.to_hex(),
                seq: d.at.seq,
            });
        }
        for s in c.sessions.iter().filter_map(|id| self.sessions.get(id)) {
            for g in &s.segments {
                let proves = self
                    .archives
                    .iter()
                    .find(|a| match &a.subject {
                        RecordRef::Session(id) => *id == s.id,
                        RecordRef::Media(m) => *m == g.digest,
                        RecordRef::Case(cn) => *cn == s.case_no,
                    })
                    .map_or_else(|| "未记载（未归档）".to_string(), |a| a.proves.clone());
                let name = self
                    .first_seen
                    .get(&g.digest)
                    .map_or_else(|| format!("segment {}", g.index), |f| f.name.clone());
                items.push(EvidenceItem {
                    no: 0,
                    name: format!(
                        "{name}（音像记录 {} 第{}段）",
                        s.id,
                        g.index.saturating_add(1)
                    ),
                    source: format!(
                        "{}，{}，执法人员 {}",
                        method_zh(&s.method),
                        s.place,
                        s.officers.join("、")
                    ),
                    proves,
                    duration_ms: Some(g.end.0.saturating_sub(g.start.0)),
                    length: g.length,
                    digest: g.digest.to_hex(),
                    seq: g.at.seq,
                });
            }
        }
        items.sort_by_key(|i| i.seq);
        for (n, i) in items.iter_mut().enumerate() {
            i.no = u32::try_from(n.saturating_add(1)).unwrap_or(u32::MAX);
        }
        items
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
            evidence: self.evidence_list(c),
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
