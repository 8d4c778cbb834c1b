//! Which entries concern a case.

use std::collections::HashSet;

use crate::hash::Digest;
use crate::model::{Event, MediaRef, RecordRef, Sealed};

/// Decides, entry by entry in ledger order, which statements concern one case.
///
/// Most statements name their case ([`Event::case_no`]). The others are tied to it through what
/// the case's *earlier* statements introduced:
///
/// * recording sessions — a `PartyNotified` or `RecordingStarted` of the case ties its session;
///   `SegmentSealed`, `RecordingInterrupted` and `RecordingStopped` carry only the session id;
/// * media digests — documents, decision documents and what they rely on, segments, archive
///   transcripts, derivatives and disclosed records tie their digests; `Handover`,
///   `MediaPurged` and `DerivativeMade` name only a digest;
/// * access requests — `AccessRequested` ties its request id; `AccessDecided` names only it;
/// * sealed commitments — the party, the recording's party, a requester, a recipient;
///   `Erased` names only the commitment;
/// * `RecordViewed`, `Archived` and `ConfidentialityMarked` whose subject is the case, one of
///   its sessions or one of its media.
///
/// References are resolved forwards only, as the ledger is written: a statement about a session
/// or medium is tied to the case only if the case introduced it earlier. Registry statements
/// (genesis, `KeyAuthorized`, `KeyRevoked`) never concern a case.
#[derive(Clone, Debug)]
pub struct CaseFilter {
    case_no: String,
    sessions: HashSet<String>,
    requests: HashSet<String>,
    media: HashSet<Digest>,
    sealed: HashSet<Sealed>,
}

impl CaseFilter {
    /// A filter for case `case_no`, knowing nothing yet.
    pub fn new(case_no: impl Into<String>) -> Self {
        CaseFilter {
            case_no: case_no.into(),
            sessions: HashSet::new(),
            requests: HashSet::new(),
            media: HashSet::new(),
            sealed: HashSet::new(),
        }
    }

    /// The case number.
    pub fn case_no(&self) -> &str {
        &self.case_no
    }

    /// Whether `event` (the next statement in ledger order) concerns the case; if it does, what
    /// it ties to the case is learned for the statements after it.
    pub fn concerns(&mut self, event: &Event) -> bool {
        let direct = event.case_no() == Some(self.case_no.as_str());
        let tied = match event {
            Event::SegmentSealed { session, .. }
            | Event::RecordingInterrupted { session, .. }
            | Event::RecordingStopped { session, .. } => self.sessions.contains(session),
            Event::Handover { media, .. } | Event::MediaPurged { media, .. } => {
                self.media.contains(media)
            }
            Event::DerivativeMade { original, .. } => self.media.contains(original),
            Event::AccessDecided { request, .. } => self.requests.contains(request),
            Event::RecordViewed { subject, .. }
            | Event::Archived { subject, .. }
            | Event::ConfidentialityMarked { subject, .. } => self.refers(subject),
            Event::Erased { commitment, .. } => self.sealed.contains(commitment),
            _ => false,
        };
        if direct || tied {
            self.learn(event);
        }
        direct || tied
    }

    /// The sealed commitments of the case seen so far (parties, requesters, recipients): the
    /// fields whose openings a disclosure of the case may contain.
    pub fn commitments(&self) -> &HashSet<Sealed> {
        &self.sealed
    }

    /// Whether the case has introduced this media digest so far.
    pub fn has_media(&self, digest: &Digest) -> bool {
        self.media.contains(digest)
    }

    fn refers(&self, subject: &RecordRef) -> bool {
        match subject {
            RecordRef::Case(c) => *c == self.case_no,
            RecordRef::Session(s) => self.sessions.contains(s),
            RecordRef::Media(d) => self.media.contains(d),
        }
    }

    fn learn(&mut self, event: &Event) {
        match event {
            Event::CaseOpened { subject, .. } => {
                self.sealed.insert(*subject);
            }
            Event::PartyNotified { session, .. } => {
                self.sessions.insert(session.clone());
            }
            Event::RecordingStarted { session, party, .. } => {
                self.sessions.insert(session.clone());
                self.sealed.extend(party.iter().copied());
            }
            Event::DocumentFiled { media, .. } | Event::SegmentSealed { media, .. } => {
                self.media.insert(media.digest);
            }
            Event::DecisionMade {
                document,
                relies_on,
                ..
            } => {
                self.media.insert(document.digest);
                self.media.extend(relies_on.iter().copied());
            }
            Event::Archived { labels, .. } => {
                self.media
                    .extend(labels.transcript.iter().map(|t| t.digest));
            }
            Event::DerivativeMade { derivative, .. } => {
                self.media.insert(derivative.digest);
            }
            Event::AccessRequested {
                request, requester, ..
            } => {
                self.requests.insert(request.clone());
                self.sealed.insert(*requester);
            }
            Event::RecordDisclosed { to, what, .. } => {
                self.sealed.insert(*to);
                self.media.extend(what.iter().copied());
            }
            _ => {}
        }
    }
}

/// Every [`MediaRef`] an event carries: a filed document, a decision document, a segment, an
/// archive transcript, a derivative. (Other events name media by digest only.)
pub fn media_refs(event: &Event) -> Vec<&MediaRef> {
    match event {
        Event::DocumentFiled { media, .. } | Event::SegmentSealed { media, .. } => vec![media],
        Event::DecisionMade { document, .. } => vec![document],
        Event::Archived { labels, .. } => labels.transcript.iter().collect(),
        Event::DerivativeMade { derivative, .. } => vec![derivative],
        _ => Vec::new(),
    }
}
