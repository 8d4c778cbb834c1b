//! The facts an entry contributes, one function per kind of fact, in the order
//! [`Engine::observe`] applies them.

use super::*;
use crate::entry::Statement;

impl Engine<'_> {
    /// Facts that decide which case an entry belongs to: the key registry, recording sessions
    /// (and the notices that came before their start), access requests.
    pub(super) fn learn_identity(&mut self, at: At, statement: &Statement) {
        let seq = at.seq;
        let event = &statement.event;
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
    }

    /// Art. 21(3) (`ART21_3_VIEW`): an officer viewing a case they do not handle, judged before
    /// the view itself makes its author a handler.
    pub(super) fn note_foreign_views(
        &mut self,
        at: At,
        event: &Event,
        officer: Option<&str>,
        cases: &[String],
    ) {
        let reviewer = officer.is_some_and(|o| {
            self.profile
                .reviewing_officers
                .iter()
                .any(|r| r == o || words(o).any(|w| w == r))
        });
        if let (Event::RecordViewed { .. }, Some(o), false) = (event, officer, reviewer) {
            for c in cases {
                if self.cases.get(c).is_some_and(|case| !case.handled_by(o)) {
                    self.foreign_views.push(ForeignView {
                        at,
                        case_no: c.clone(),
                        officer: o.to_string(),
                    });
                }
            }
        }
    }

    /// Each case an entry belongs to: its author becomes a handler (unless only viewing), its
    /// entry count and timeline grow.
    pub(super) fn attribute(
        &mut self,
        at: At,
        entry: &Entry,
        author_holder: Option<&str>,
        cases: &[String],
    ) {
        let seq = at.seq;
        let event = &entry.statement.statement.event;
        for c in cases {
            let item = self.timelines.then(|| self.timeline_item(at, entry));
            let viewing = matches!(event, Event::RecordViewed { .. });
            let case = self.case_mut(c, seq);
            if let (Some(h), false) = (author_holder, viewing) {
                case.handlers.insert(h.to_string());
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
    }

    /// Case facts: opening, closure, exemptions (Art. 15), retention (Art. 17),
    /// preservation orders, releases and the circumstances that call for them (Art. 18).
    pub(super) fn observe_case(&mut self, at: At, statement: &Statement, officer: Option<String>) {
        let seq = at.seq;
        match &statement.event {
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
            _ => {}
        }
    }

    /// A text record filed (Art. 9, 10; a late-archiving justification, Art. 16).
    pub(super) fn observe_document(&mut self, at: At, statement: &Statement) {
        let seq = at.seq;
        let Event::DocumentFiled {
            case_no,
            stage,
            kind,
            media,
            officers,
        } = &statement.event
        else {
            return;
        };
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

    /// A decision and who answers for it (Art. 10, 12, 21).
    pub(super) fn observe_decision(
        &mut self,
        at: At,
        statement: &Statement,
        officer: Option<String>,
    ) {
        let seq = at.seq;
        let author = statement.author;
        let Event::DecisionMade {
            case_no,
            kind,
            document,
            relies_on,
        } = &statement.event
        else {
            return;
        };
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

    /// Recording facts of a session: notices, segments and their gaps, interruptions, stop
    /// (Art. 14).
    pub(super) fn observe_recording(&mut self, at: At, statement: &Statement) {
        let seq = at.seq;
        match &statement.event {
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
            _ => {}
        }
    }

    /// Custody of media: archives (Art. 16), derivatives and long-term copies (Art. 18),
    /// purges (Art. 21(5)).
    pub(super) fn observe_custody(
        &mut self,
        at: At,
        statement: &Statement,
        officer: Option<String>,
    ) {
        let author = statement.author;
        match &statement.event {
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
            Event::MediaPurged { media, .. } => self.purges.push(Purge {
                at,
                media: *media,
                officer,
            }),
            _ => {}
        }
    }

    /// Confidentiality markings and disclosures of marked records (Art. 20).
    pub(super) fn observe_confidentiality(
        &mut self,
        at: At,
        statement: &Statement,
        officer: Option<String>,
    ) {
        let seq = at.seq;
        let author = statement.author;
        match &statement.event {
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
            _ => {}
        }
    }
}
