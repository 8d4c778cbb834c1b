//! Format-v2 checks over the entries a bundle holds (docs/FORMAT.md §20.5 step 5.6): every
//! statement bound to the bundle's ledger, each author's counters strictly increasing (a subset
//! of a ledger keeps that order, so a replay copied into a bundle shows), and the case's
//! back-links (`Entry::case_prev`, FORMAT.md §10.7) complete from the case's first entry to the
//! last one bundled — so a bundle with entries of its case left out in between is refused.
//!
//! The case of an entry is computed as the admission rule computes it
//! ([`crate::admission::case_of`], the same function), from the entries the bundle holds: the case an
//! event names, the case of a session as its `RecordingStarted` names it, the case of an access
//! request as its first `AccessRequested` names it, and `RecordViewed` / `ConfidentialityMarked`
//! of a case or of a session. An entry whose case cannot be told from the bundle (its session's
//! `RecordingStarted` is not there) takes no part; leaving out the `RecordingStarted` itself
//! breaks the next link.

use std::collections::HashMap;

use crate::entry::{Entry, FormatVersion};
use crate::hash::Digest;
use crate::keys::PublicKey;
use crate::media::custody::FirstCase;
use crate::model::Event;
use crate::verify::FindingKind;

use super::verify::BundleCheck;

/// One problem found: a ledger kind or a bundle kind, the entry, a sentence.
pub(super) enum LinkFinding {
    /// A ledger check ([`FindingKind::WrongLedger`], [`FindingKind::Replay`]).
    Ledger(FindingKind, u64, String),
    /// A bundle check ([`BundleCheck::CaseEntriesOmitted`]).
    Bundle(BundleCheck, u64, String),
}

/// The walk's state: what the bundle's earlier entries established.
pub(super) struct Links<'a> {
    case_no: &'a str,
    version: Option<FormatVersion>,
    ledger_id: Option<Digest>,
    counters: HashMap<PublicKey, (u64, u64)>,
    session_case: FirstCase,
    request_case: FirstCase,
    /// The last bundled entry of the case, once one was seen.
    last_of_case: Option<u64>,
}

impl<'a> Links<'a> {
    /// A walk for the bundle of `case_no`.
    pub(super) fn new(case_no: &'a str) -> Self {
        Links {
            case_no,
            version: None,
            ledger_id: None,
            counters: HashMap::new(),
            session_case: FirstCase::default(),
            request_case: FirstCase::default(),
            last_of_case: None,
        }
    }

    fn case_of(&self, event: &Event) -> Option<String> {
        crate::admission::case_of(
            event,
            |s| self.session_case.get(s),
            |r| self.request_case.get(r),
        )
    }

    /// Observes the bundle's next decoded entry (in increasing `seq`) with its leaf hash.
    pub(super) fn observe(&mut self, entry: &Entry, leaf: Digest) -> Vec<LinkFinding> {
        let mut out = Vec::new();
        let seq = entry.seq;
        let st = &entry.statement.statement;
        if seq == 0 {
            self.version = Some(entry.version());
            if entry.version() == FormatVersion::V2 {
                self.ledger_id = Some(leaf);
            }
            return out;
        }
        let Some(version) = self.version else {
            // No genesis in the bundle: MissingGenesis is reported; nothing to bind to.
            return out;
        };
        if entry.version() != version {
            out.push(LinkFinding::Ledger(
                FindingKind::WrongLedger,
                seq,
                format!(
                    "entry {seq} is of format {}, but the ledger is of format {version}",
                    entry.version()
                ),
            ));
            return out;
        }
        if version != FormatVersion::V2 {
            return out;
        }
        if let (Some(b), Some(id)) = (&st.binding, self.ledger_id) {
            if b.ledger != id {
                out.push(LinkFinding::Ledger(
                    FindingKind::WrongLedger,
                    seq,
                    format!(
                        "entry {seq}: the statement is bound to ledger {}, not to this ledger {id}",
                        b.ledger
                    ),
                ));
            }
            if let Some((last, at)) = self.counters.get(&st.author) {
                if b.counter <= *last {
                    out.push(LinkFinding::Ledger(
                        FindingKind::Replay,
                        seq,
                        format!(
                            "entry {seq}: counter {} of {} is not above its counter {last} at entry {at}: a replayed statement",
                            b.counter, st.author
                        ),
                    ));
                }
            }
            self.counters.insert(st.author, (b.counter, seq));
        }
        let event = &st.event;
        let case = self.case_of(event);
        match event {
            Event::RecordingStarted {
                session, case_no, ..
            } => self.session_case.note(session, case_no),
            Event::AccessRequested {
                request, case_no, ..
            } => self.request_case.note(request, case_no),
            _ => {}
        }
        if case.as_deref() == Some(self.case_no) {
            if entry.case_prev != self.last_of_case {
                let message = match (entry.case_prev, self.last_of_case) {
                    (Some(p), Some(l)) if p > l => format!(
                        "entry {seq} of case {} links back to entry {p}, which the bundle does not hold: entries of the case between {l} and {seq} were left out",
                        self.case_no
                    ),
                    (Some(p), None) => format!(
                        "entry {seq} links back to entry {p} of case {}, which the bundle does not hold: earlier entries of the case were left out",
                        self.case_no
                    ),
                    (p, l) => format!(
                        "entry {seq} of case {} links back to {}, but the bundle's previous entry of the case is {}: the back-links do not fit the entries",
                        self.case_no,
                        p.map_or("nothing".to_owned(), |p| format!("entry {p}")),
                        l.map_or("none".to_owned(), |l| format!("entry {l}")),
                    ),
                };
                out.push(LinkFinding::Bundle(
                    BundleCheck::CaseEntriesOmitted,
                    seq,
                    message,
                ));
            }
            self.last_of_case = Some(seq);
        }
        out
    }
}
