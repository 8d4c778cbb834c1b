//! The evidence list (证据清单) of a case: its text records and recording segments, with what
//! each is offered to prove (证明对象) and its extent (时长/页数).
//!
//! One implementation for every reader: the audit feeds it the entries of a ledger
//! ([`super::Engine`]), `liuhen bundle verify --evidence` the verified entries of a bundle
//! ([`EvidenceList::of_case`]). It reads events only, never an unverified list.
//!
//! Memory: one record per text record, per recording session and segment, per archive and per
//! document description; nothing else per entry.

use std::collections::HashMap;

use super::describe::{document_zh, method_zh};
use crate::audit::report::EvidenceItem;
use crate::hash::Digest;
use crate::model::{CaptureMethod, DocumentKind, Event, MediaRef, RecordRef, Timestamp};

/// What the list shows for a text record no `DocumentDescribed` describes.
pub const PROVES_NOT_RECORDED: &str = "未记载（文字记录未载明证明对象）";

#[derive(Debug)]
struct DocFacts {
    seq: u64,
    kind: DocumentKind,
    officers: Vec<String>,
    media: MediaRef,
}

#[derive(Debug)]
struct SegmentFacts {
    seq: u64,
    index: u32,
    digest: Digest,
    length: u64,
    name: String,
    start: Timestamp,
    end: Timestamp,
}

#[derive(Debug)]
struct SessionFacts {
    case_no: String,
    method: CaptureMethod,
    place: String,
    officers: Vec<String>,
    segments: Vec<SegmentFacts>,
}

/// Gathers, in ledger order, what the evidence lists of cases are made of.
#[derive(Debug, Default)]
pub struct EvidenceList {
    /// Case → its text records, in ledger order.
    docs: HashMap<String, Vec<DocFacts>>,
    /// (case, document) → the latest description: 证明对象 and 页数.
    described: HashMap<(String, Digest), (String, Option<u32>)>,
    sessions: HashMap<String, SessionFacts>,
    /// Case → its recording sessions, in the order they started.
    case_sessions: HashMap<String, Vec<String>>,
    /// Every archive, in ledger order: what it archives and what its labels say it proves.
    archives: Vec<(RecordRef, String)>,
}

impl EvidenceList {
    /// An empty list.
    pub fn new() -> Self {
        EvidenceList::default()
    }

    /// The evidence list of `case_no` from `entries` (sequence number and event, in ledger
    /// order): the entries of a case, and any others (they are ignored unless they concern it).
    pub fn of_case<'a>(
        case_no: &str,
        entries: impl IntoIterator<Item = (u64, &'a Event)>,
    ) -> Vec<EvidenceItem> {
        let mut list = EvidenceList::new();
        for (seq, event) in entries {
            list.observe(seq, event);
        }
        list.items(case_no)
    }

    /// Takes entry `seq` with `event` into account.
    pub fn observe(&mut self, seq: u64, event: &Event) {
        match event {
            Event::DocumentFiled {
                case_no,
                kind,
                media,
                officers,
                ..
            } => self
                .docs
                .entry(case_no.clone())
                .or_default()
                .push(DocFacts {
                    seq,
                    kind: kind.clone(),
                    officers: officers.clone(),
                    media: media.clone(),
                }),
            Event::DocumentDescribed {
                case_no,
                document,
                proves,
                pages,
            } => {
                self.described
                    .insert((case_no.clone(), *document), (proves.clone(), *pages));
            }
            Event::RecordingStarted {
                session,
                case_no,
                method,
                location,
                officers,
                ..
            } => {
                if self.sessions.contains_key(session) {
                    return;
                }
                self.sessions.insert(
                    session.clone(),
                    SessionFacts {
                        case_no: case_no.clone(),
                        method: method.clone(),
                        place: location.place.clone(),
                        officers: officers.clone(),
                        segments: Vec::new(),
                    },
                );
                self.case_sessions
                    .entry(case_no.clone())
                    .or_default()
                    .push(session.clone());
            }
            Event::SegmentSealed {
                session,
                index,
                media,
                start,
                end,
                ..
            } => {
                if let Some(s) = self.sessions.get_mut(session) {
                    s.segments.push(SegmentFacts {
                        seq,
                        index: *index,
                        digest: media.digest,
                        length: media.length,
                        name: media.name.clone(),
                        start: *start,
                        end: *end,
                    });
                }
            }
            Event::Archived {
                subject, labels, ..
            } => self.archives.push((subject.clone(), labels.proves.clone())),
            _ => {}
        }
    }

    /// The evidence list of `case_no`: its text records and recording segments, in ledger
    /// order, numbered from 1.
    pub fn items(&self, case_no: &str) -> Vec<EvidenceItem> {
        let mut items: Vec<EvidenceItem> = Vec::new();
        for d in self.docs.get(case_no).into_iter().flatten() {
            let officers = d.officers.join("、");
            let described = self
                .described
                .get(&(case_no.to_owned(), d.media.digest))
                .filter(|(proves, _)| !proves.trim().is_empty());
            items.push(EvidenceItem {
                no: 0,
                name: format!("{}（{}）", d.media.name, document_zh(&d.kind)),
                source: if officers.trim().is_empty() {
                    "未载明执法人员".to_string()
                } else {
                    format!("执法人员 {officers}")
                },
                proves: described.map_or_else(
                    || PROVES_NOT_RECORDED.to_string(),
                    |(proves, _)| proves.clone(),
                ),
                duration_ms: None,
                pages: described.and_then(|(_, pages)| *pages),
                length: d.media.length,
                digest: d.media.digest.to_hex(),
                seq: d.seq,
            });
        }
        let sessions = self.case_sessions.get(case_no).into_iter().flatten();
        for (id, s) in sessions.filter_map(|id| self.sessions.get(id).map(|s| (id, s))) {
            for g in &s.segments {
                let proves = self
                    .archives
                    .iter()
                    .find(|(subject, _)| match subject {
                        RecordRef::Session(sid) => sid == id,
                        RecordRef::Media(m) => *m == g.digest,
                        RecordRef::Case(cn) => *cn == s.case_no,
                    })
                    .map_or_else(|| "未记载（未归档）".to_string(), |(_, p)| p.clone());
                items.push(EvidenceItem {
                    no: 0,
                    name: format!(
                        "{}（音像记录 {id} 第{}段）",
                        g.name,
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
                    pages: None,
                    length: g.length,
                    digest: g.digest.to_hex(),
                    seq: g.seq,
                });
            }
        }
        items.sort_by_key(|i| i.seq);
        for (n, i) in items.iter_mut().enumerate() {
            i.no = u32::try_from(n.saturating_add(1)).unwrap_or(u32::MAX);
        }
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Stage;

    fn filed(case_no: &str, name: &str) -> (Event, Digest) {
        let digest = crate::hash::blake3(name.as_bytes());
        let event = Event::DocumentFiled {
            case_no: case_no.into(),
            stage: Stage::Investigation,
            kind: DocumentKind::InvestigationRecord,
            media: MediaRef {
                digest,
                length: 1,
                mime: "application/pdf".into(),
                name: name.into(),
            },
            officers: vec!["21020001".into()],
        };
        (event, digest)
    }

    fn described(case_no: &str, document: Digest, proves: &str, pages: Option<u32>) -> Event {
        Event::DocumentDescribed {
            case_no: case_no.into(),
            document,
            proves: proves.into(),
            pages,
        }
    }

    #[test]
    fn the_latest_description_of_the_case_counts_and_no_other() {
        let (a, da) = filed("C1", "a.pdf");
        let (b, db) = filed("C1", "b.pdf");
        let (c, dc) = filed("C1", "c.pdf");
        let events = [
            a,
            b,
            c,
            described("C1", da, "first", Some(2)),
            described("C1", da, "corrected", None),
            // Another case's description of b, and a blank one of c: neither says anything.
            described("C2", db, "of another case", Some(9)),
            described("C1", dc, "  ", Some(4)),
        ];
        let items =
            EvidenceList::of_case("C1", events.iter().enumerate().map(|(i, e)| (i as u64, e)));
        let got: Vec<(&str, Option<u32>)> =
            items.iter().map(|i| (i.proves.as_str(), i.pages)).collect();
        assert_eq!(
            got,
            vec![
                ("corrected", None),
                (PROVES_NOT_RECORDED, None),
                (PROVES_NOT_RECORDED, None),
            ]
        );
        assert_eq!(
            items.iter().map(|i| i.no).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert!(EvidenceList::of_case("C2", events.iter().map(|e| (0, e))).is_empty());
    }
}
