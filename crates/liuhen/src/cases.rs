//! The case index: every case of a ledger, found by case number, officer, device, party
//! commitment or date, with its timeline, its audit findings and each entry's proof status —
//! what the web explorer (`liuhen serve`), a C ABI or `liuhen log` show a person.
//!
//! [`CaseIndex::build`] reads each entry of a store **once**, in order, and feeds it both to the
//! audit ([`crate::audit`], with timelines) and to the index's own collector, so that the two
//! agree on which entries belong to which case (the audit decides: a case's sessions, media and
//! requests tie entries that do not name the case). Authors are named by the key registry as it
//! stood at each entry, as [`crate::describe`] names them.
//!
//! What the index holds per case: the officers (certificate numbers named by its records and
//! the holders of officer keys that signed its entries, with those keys), the devices (the
//! recording devices of its sessions and the device keys that signed its entries), the sealed
//! commitments of its parties, requesters and recipients, the times its entries were logged, and
//! one row per entry. Personal data never appears: a sealed field is its commitment, hex, and
//! the ledger holds no value or salt (the vault, outside the ledger, is never read here).
//!
//! Read-only and not a verifier: signatures and the chain are not checked here (the `verify`
//! module does). The latest stored checkpoint is authenticated with the key genesis declares and
//! compared with the stored tree ([`PortableInclusion::from_store`]) before any entry is called
//! included in it; the entry detail ([`entry_detail`]) carries the inclusion proof itself, for
//! a client to check.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::audit::{
    self, AuditError, AuditOptions, Auditor, CaseStatus, CaseSummary, Counts, EvidenceItem,
    Profile, Severity, TimelineItem,
};
use crate::bundle::{media_refs, PortableInclusion, PortableProof};
use crate::checkpoint::{NoteVerifier, SignedCheckpoint};
use crate::describe::iso8601;
use crate::entry::Entry;
use crate::hash::{Digest, Sha256TreeHasher, TreeHasher};
use crate::keys::PublicKey;
use crate::model::{Event, Role, Sealed, Timestamp};
use crate::registry::Registry;
use crate::store::StoreRead;

/// Cases one search returns at most (the rest are counted, never listed).
pub const MAX_SEARCH_HITS: usize = 200;
/// Entries one timeline lists at most (the rest are counted).
pub const MAX_TIMELINE_ENTRIES: usize = 2_000;
/// Findings one timeline lists at most (the rest are counted).
pub const MAX_TIMELINE_FINDINGS: usize = 500;
/// Longest text accepted in a search field, in bytes.
pub const MAX_QUERY_BYTES: usize = 256;
/// Fewest hex digits of a key or commitment prefix that a search matches on.
pub const MIN_HEX_PREFIX: usize = 8;

/// How to build an index.
#[derive(Clone, Debug)]
pub struct IndexOptions {
    /// The audit's time: entries logged after it are left out, deadlines judged as of it.
    pub as_of: Timestamp,
    /// The audit profile (default: the regulation's).
    pub profile: Profile,
}

impl IndexOptions {
    /// The regulation's profile, as of `as_of`.
    pub fn as_of(as_of: Timestamp) -> Self {
        IndexOptions {
            as_of,
            profile: Profile::default(),
        }
    }
}

/// Why a search could not be run (the request, not the ledger).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueryError {
    /// A field is longer than [`MAX_QUERY_BYTES`].
    #[error("{field} is longer than {MAX_QUERY_BYTES} bytes")]
    TooLong {
        /// The field.
        field: &'static str,
    },
    /// A key or commitment prefix is too short to name one.
    #[error("{field} must be at least {MIN_HEX_PREFIX} hex digits of a commitment (sealed fields are searched by commitment, never by value)")]
    TooShort {
        /// The field.
        field: &'static str,
    },
    /// A commitment prefix that is not hex.
    #[error("{field} is not hex: a party is searched by its commitment (64 hex digits, or a prefix of at least {MIN_HEX_PREFIX})")]
    NotHex {
        /// The field.
        field: &'static str,
    },
    /// A date that does not parse.
    #[error("{field}: {text:?} is not a date (YYYY-MM-DD, an RFC 3339 date-time with an offset, or milliseconds since 1970)")]
    BadTime {
        /// The field.
        field: &'static str,
        /// What was given.
        text: String,
    },
    /// The range ends before it starts.
    #[error("the date range ends before it starts")]
    EmptyRange,
}

/// What to search for; every criterion given must hold (an empty one is no criterion).
#[derive(Clone, Debug, Default)]
pub struct CaseQuery {
    /// Part of the case number (case-insensitive).
    pub case_no: Option<String>,
    /// Part of an officer's certificate number or key holder, or a key prefix (`ed25519:…`
    /// or hex, at least [`MIN_HEX_PREFIX`] digits).
    pub officer: Option<String>,
    /// Part of a device's holder (serial), or a key prefix.
    pub device: Option<String>,
    /// A party's commitment (64 hex digits, `sealed:` optional) or a prefix of at least
    /// [`MIN_HEX_PREFIX`] digits: a sealed field is found by its commitment, never its value.
    pub party: Option<String>,
    /// Cases with an entry logged at or after this time.
    pub from: Option<Timestamp>,
    /// Cases with an entry logged at or before this time.
    pub to: Option<Timestamp>,
    /// At most this many cases listed (capped at [`MAX_SEARCH_HITS`]; 0: the cap).
    pub limit: usize,
}

impl CaseQuery {
    /// A query from text fields as a form or a URL gives them: dates as `YYYY-MM-DD` (a whole
    /// day in Asia/Shanghai, UTC+8, as reports render times), an RFC 3339 date-time with an
    /// offset, or milliseconds since 1970.
    ///
    /// # Errors
    /// [`QueryError`]: a field too long, a party commitment that is not hex or too short, a
    /// date that does not parse, a range that ends before it starts.
    pub fn from_text(
        case_no: Option<&str>,
        officer: Option<&str>,
        device: Option<&str>,
        party: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<CaseQuery, QueryError> {
        let field = |name: &'static str, v: Option<&str>| -> Result<Option<String>, QueryError> {
            match v.map(str::trim) {
                Some(t) if t.len() > MAX_QUERY_BYTES => Err(QueryError::TooLong { field: name }),
                Some(t) if !t.is_empty() => Ok(Some(t.to_owned())),
                _ => Ok(None),
            }
        };
        let party = match field("party", party)? {
            Some(p) => {
                let hex = p.strip_prefix("sealed:").unwrap_or(&p).to_ascii_lowercase();
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(QueryError::NotHex { field: "party" });
                }
                if hex.len() < MIN_HEX_PREFIX {
                    return Err(QueryError::TooShort { field: "party" });
                }
                Some(hex)
            }
            None => None,
        };
        let from = match field("from", from)? {
            Some(t) => Some(parse_bound(&t, false).ok_or(QueryError::BadTime {
                field: "from",
                text: t,
            })?),
            None => None,
        };
        let to = match field("to", to)? {
            Some(t) => Some(parse_bound(&t, true).ok_or(QueryError::BadTime {
                field: "to",
                text: t,
            })?),
            None => None,
        };
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                return Err(QueryError::EmptyRange);
            }
        }
        Ok(CaseQuery {
            case_no: field("case_no", case_no)?,
            officer: field("officer", officer)?,
            device: field("device", device)?,
            party,
            from,
            to,
            limit: 0,
        })
    }
}

/// A date bound: `YYYY-MM-DD` is the start (or, for an end, the last millisecond) of that day
/// in UTC+8; anything else as [`audit::parse_time`] reads it.
fn parse_bound(text: &str, end: bool) -> Option<Timestamp> {
    let day = text.len() == 10 && text.as_bytes().get(4) == Some(&b'-');
    if day {
        let start = audit::parse_time(&format!("{text}T00:00:00+08:00"))?;
        return Some(if end {
            start.plus_millis(86_400_000 - 1)
        } else {
            start
        });
    }
    audit::parse_time(text)
}

/// A key as the index shows it: the key (`ed25519:…`) and the holder the registry named.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct KeyRef {
    /// The key, `ed25519:` and hex.
    pub key: String,
    /// Its holder (certificate number, device serial), if registered.
    pub holder: Option<String>,
}

/// A sealed field of a case: its commitment, never its value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PartyRef {
    /// The commitment, 64 hex digits.
    pub commitment: String,
    /// What the field is: `party` (当事人), `requester` (申请人), `recipient` (接收人).
    pub field: &'static str,
    /// The same in Chinese.
    pub field_zh: &'static str,
}

/// A case as a search result lists it.
#[derive(Clone, Debug, Serialize)]
pub struct CaseBrief {
    /// 案件编号.
    pub case_no: String,
    /// Where it stands at the audit's time.
    pub status: CaseStatus,
    /// The same in Chinese (未立案, 办理中, 已决定, 已结案).
    pub status_zh: &'static str,
    /// Kind of act (`inspection`, `other: …`), if opened.
    pub act: Option<String>,
    /// The same in Chinese.
    pub act_zh: Option<String>,
    /// The matter.
    pub matter: Option<String>,
    /// The unit in charge.
    pub unit: Option<String>,
    /// When its first entry was logged (UTC ISO 8601).
    pub first_logged: String,
    /// When its last entry was logged.
    pub last_logged: String,
    /// Entries that belong to it.
    pub entries: u64,
    /// Officers: certificate numbers named by its records and holders of officer keys that
    /// signed its entries.
    pub officers: Vec<String>,
    /// The officer keys that signed its entries.
    pub officer_keys: Vec<KeyRef>,
    /// Recording devices of its sessions and device keys that signed its entries.
    pub devices: Vec<KeyRef>,
    /// Its sealed fields, as commitments.
    pub parties: Vec<PartyRef>,
    /// Its audit findings, counted.
    pub findings: Counts,
}

/// A media object an entry references.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MediaItem {
    /// BLAKE3 of the bytes, hex.
    pub digest: String,
    /// File name as given at capture, when the entry carries the reference.
    pub name: Option<String>,
    /// MIME type, likewise.
    pub mime: Option<String>,
    /// Length in bytes, likewise.
    pub length: Option<u64>,
}

/// Whether an entry is covered by the latest stored checkpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ProofStatus {
    /// In the tree the latest checkpoint signs: an inclusion proof can be had.
    Included {
        /// That checkpoint's size.
        tree_size: u64,
    },
    /// Logged after the latest checkpoint (or no checkpoint could be used): seal first.
    NotYetSealed,
}

/// What every view of an entry starts with: where it is, when, what and who.
#[derive(Clone, Debug, Serialize)]
pub struct EntryHead {
    /// Sequence number.
    pub seq: u64,
    /// The statement's own time (UTC ISO 8601).
    pub time: String,
    /// When the ledger logged it (UTC ISO 8601): what deadlines are judged on.
    pub logged_at: String,
    /// The event's name (`SegmentSealed`).
    pub kind: &'static str,
    /// Its Chinese name (音像片段).
    pub kind_zh: &'static str,
    /// The author's key.
    pub author: String,
    /// The author's holder, if registered at that point.
    pub holder: Option<String>,
    /// The author's role, if registered.
    pub role: Option<Role>,
}

impl EntryHead {
    /// The head of entry `seq`, its author named as `registry` knows the key.
    fn of(seq: u64, entry: &Entry, registry: &Registry) -> Self {
        let statement = &entry.statement.statement;
        let author = registry.get(&statement.author);
        EntryHead {
            seq,
            time: iso8601(statement.time),
            logged_at: iso8601(entry.logged_at),
            kind: statement.event.name(),
            kind_zh: audit::render::event_zh(statement.event.name()),
            author: statement.author.to_string(),
            holder: author.map(|r| r.holder.clone()),
            role: author.map(|r| r.role),
        }
    }
}

/// One entry of a case's timeline.
#[derive(Clone, Debug, Serialize)]
pub struct TimelineEntry {
    /// Where, when, what and who.
    #[serde(flatten)]
    pub head: EntryHead,
    /// What it says, in one line (the audit's wording).
    pub detail: String,
    /// Its recording session, if any.
    pub session: Option<String>,
    /// Media it references.
    pub media: Vec<MediaItem>,
    /// Rules with a finding that cites this entry.
    pub rules: Vec<String>,
    /// The most serious of those findings.
    pub severity: Option<Severity>,
    /// Whether the latest checkpoint covers it.
    pub proof: ProofStatus,
}

/// An audit finding as the explorer shows it.
#[derive(Clone, Debug, Serialize)]
pub struct FindingView {
    /// Rule id (`art16.archived`).
    pub rule: String,
    /// Article (`Art. 16`).
    pub article: String,
    /// The article as the regulation cites itself (第十六条).
    pub article_zh: String,
    /// What was breached, in Chinese.
    pub breach_zh: &'static str,
    /// Severity.
    pub severity: Severity,
    /// The same in Chinese (违规, 警示, 提示).
    pub severity_zh: &'static str,
    /// One sentence, in English.
    pub message: String,
    /// Its particulars in Chinese, where the rule composes them.
    pub message_zh: Option<String>,
    /// The entries involved.
    pub seqs: Vec<u64>,
    /// The recording session, if any.
    pub session: Option<String>,
    /// Officers involved.
    pub officers: Vec<String>,
}

/// The latest stored checkpoint, as far as the index could authenticate it.
#[derive(Clone, Debug, Serialize)]
pub struct CheckpointBrief {
    /// Its tree size.
    pub size: u64,
    /// Its root, hex.
    pub root: String,
}

/// A case's timeline.
#[derive(Clone, Debug, Serialize)]
pub struct Timeline {
    /// The ledger's origin.
    pub origin: Option<String>,
    /// The audit's time (UTC ISO 8601).
    pub as_of: String,
    /// The case.
    pub case: CaseBrief,
    /// The latest checkpoint, if one authenticates.
    pub checkpoint: Option<CheckpointBrief>,
    /// Why none does, if so.
    pub checkpoint_error: Option<String>,
    /// Its entries, in ledger order.
    pub entries: Vec<TimelineEntry>,
    /// Entries beyond [`MAX_TIMELINE_ENTRIES`], not listed.
    pub entries_omitted: u64,
    /// Its audit findings.
    pub findings: Vec<FindingView>,
    /// Findings beyond [`MAX_TIMELINE_FINDINGS`], not listed.
    pub findings_omitted: u64,
    /// Its evidence list (证据清单).
    pub evidence: Vec<EvidenceItem>,
}

/// The result of a search.
#[derive(Clone, Debug, Serialize)]
pub struct SearchResult {
    /// The ledger's origin.
    pub origin: Option<String>,
    /// Entries indexed.
    pub entries: u64,
    /// The audit's time (UTC ISO 8601).
    pub as_of: String,
    /// Cases matching.
    pub total: usize,
    /// Those listed, in order of their first entry.
    pub cases: Vec<CaseBrief>,
    /// Whether some matching cases are not listed.
    pub truncated: bool,
}

/// What the collector keeps of a case.
#[derive(Default)]
struct Facets {
    officers: BTreeSet<String>,
    officer_keys: BTreeSet<KeyRef>,
    devices: BTreeSet<KeyRef>,
    parties: BTreeSet<PartyRef>,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    rows: Vec<Row>,
}

/// One entry of a case, before the audit's timeline is joined in.
struct Row {
    head: EntryHead,
    media: Vec<MediaItem>,
}

/// A case in the index.
struct Indexed {
    summary: CaseSummary,
    facets: Facets,
    findings: Vec<audit::Finding>,
    timeline: HashMap<u64, TimelineItem>,
}

/// Every case of a ledger, built in one pass ([`CaseIndex::build`]).
pub struct CaseIndex {
    origin: Option<String>,
    entries: u64,
    as_of: Timestamp,
    checkpoint: Result<CheckpointBrief, String>,
    cases: Vec<Indexed>,
    by_no: HashMap<String, usize>,
}

impl std::fmt::Debug for CaseIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseIndex")
            .field("origin", &self.origin)
            .field("entries", &self.entries)
            .field("cases", &self.cases.len())
            .finish()
    }
}

impl CaseIndex {
    /// Reads every entry of `store` once and indexes its cases, audited as of
    /// `options.as_of`.
    ///
    /// # Errors
    /// [`AuditError::Profile`] for an invalid profile; [`AuditError::Read`] or
    /// [`AuditError::Decode`] naming an entry that cannot be read (damage: tampering, see
    /// [`crate::Error::is_tampering`]). An index is never made from part of a ledger.
    pub fn build<S: StoreRead + ?Sized>(
        store: &S,
        options: &IndexOptions,
    ) -> Result<Self, AuditError> {
        let audit_options = AuditOptions {
            as_of: options.as_of,
            timelines: true,
        };
        let mut auditor = Auditor::new(&options.profile, &audit_options)?;
        let mut registry = Registry::new();
        let mut facets: HashMap<String, Facets> = HashMap::new();
        let size = store
            .size()
            .map_err(|source| AuditError::Read { seq: 0, source })?;
        for (seq, bytes) in crate::store::read_entries(store, 0..size) {
            let bytes = bytes.map_err(|source| AuditError::Read { seq, source })?;
            let entry =
                Entry::from_bytes(&bytes).map_err(|source| AuditError::Decode { seq, source })?;
            let statement = &entry.statement.statement;
            // Who may author what is the verifier's question; here the registry only names.
            let _ = registry.admit(seq, statement);
            let cases = auditor.observe(seq, &entry);
            if cases.is_empty() {
                continue;
            }
            for case_no in cases {
                let f = facets.entry(case_no).or_default();
                f.collect(seq, &entry, &registry);
            }
        }
        let report = auditor.finish(&BTreeMap::new());
        let mut by_case: HashMap<String, Vec<audit::Finding>> = HashMap::new();
        for finding in &report.findings {
            if let Some(c) = &finding.case_no {
                by_case.entry(c.clone()).or_default().push(finding.clone());
            }
        }
        let mut cases = Vec::with_capacity(report.cases.len());
        let mut by_no = HashMap::with_capacity(report.cases.len());
        for mut summary in report.cases {
            let timeline = summary
                .timeline
                .take()
                .unwrap_or_default()
                .into_iter()
                .map(|t| (t.seq, t))
                .collect();
            by_no.insert(summary.case_no.clone(), cases.len());
            cases.push(Indexed {
                facets: facets.remove(&summary.case_no).unwrap_or_default(),
                findings: by_case.remove(&summary.case_no).unwrap_or_default(),
                timeline,
                summary,
            });
        }
        Ok(CaseIndex {
            origin: report.origin,
            entries: size,
            as_of: options.as_of,
            checkpoint: latest_checkpoint(store),
            cases,
            by_no,
        })
    }

    /// Entries indexed (the store's size when it was built).
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// Cases indexed.
    pub fn len(&self) -> usize {
        self.cases.len()
    }

    /// Whether no case is indexed.
    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    /// The latest stored checkpoint, or why none authenticates.
    pub fn checkpoint(&self) -> Result<&CheckpointBrief, &str> {
        self.checkpoint.as_ref().map_err(String::as_str)
    }

    /// The cases matching `query`, in order of their first entry.
    pub fn search(&self, query: &CaseQuery) -> SearchResult {
        let limit = match query.limit {
            0 => MAX_SEARCH_HITS,
            n => n.min(MAX_SEARCH_HITS),
        };
        let mut total = 0;
        let mut listed = Vec::new();
        for c in &self.cases {
            if !matches(c, query) {
                continue;
            }
            total += 1;
            if listed.len() < limit {
                listed.push(brief(c));
            }
        }
        SearchResult {
            origin: self.origin.clone(),
            entries: self.entries,
            as_of: iso8601(self.as_of),
            truncated: total > listed.len(),
            total,
            cases: listed,
        }
    }

    /// The timeline of case `case_no` (exactly that number), if the ledger has it.
    pub fn timeline(&self, case_no: &str) -> Option<Timeline> {
        let c = self.cases.get(*self.by_no.get(case_no)?)?;
        let covered = self.checkpoint.as_ref().ok().map(|k| k.size);
        let rows = &c.facets.rows;
        let entries = rows
            .iter()
            .take(MAX_TIMELINE_ENTRIES)
            .map(|r| {
                let t = c.timeline.get(&r.head.seq);
                TimelineEntry {
                    head: r.head.clone(),
                    detail: t.map(|t| t.detail.clone()).unwrap_or_default(),
                    session: t.and_then(|t| t.session.clone()),
                    media: r.media.clone(),
                    rules: t.map(|t| t.rules.clone()).unwrap_or_default(),
                    severity: t.and_then(|t| t.severity),
                    proof: proof_status(r.head.seq, covered),
                }
            })
            .collect();
        let findings = c
            .findings
            .iter()
            .take(MAX_TIMELINE_FINDINGS)
            .map(finding_view)
            .collect();
        Some(Timeline {
            origin: self.origin.clone(),
            as_of: iso8601(self.as_of),
            case: brief(c),
            checkpoint: self.checkpoint.as_ref().ok().cloned(),
            checkpoint_error: self.checkpoint.as_ref().err().cloned(),
            entries,
            entries_omitted: rows.len().saturating_sub(MAX_TIMELINE_ENTRIES) as u64,
            findings,
            findings_omitted: c.findings.len().saturating_sub(MAX_TIMELINE_FINDINGS) as u64,
            evidence: c.summary.evidence.clone(),
        })
    }
}

impl Facets {
    fn collect(&mut self, seq: u64, entry: &Entry, registry: &Registry) {
        let statement = &entry.statement.statement;
        let holder = registry
            .get(&statement.author)
            .map(|r| (r.holder.clone(), r.role));
        let key_ref = |key: &PublicKey| KeyRef {
            key: key.to_string(),
            holder: registry.get(key).map(|r| r.holder.clone()),
        };
        match &holder {
            Some((h, Role::Officer)) => {
                self.officers.insert(h.clone());
                self.officer_keys.insert(key_ref(&statement.author));
            }
            Some((_, Role::Device)) => {
                self.devices.insert(key_ref(&statement.author));
            }
            _ => {}
        }
        let mut party = |s: &Sealed, field: &'static str, field_zh: &'static str| {
            self.parties.insert(PartyRef {
                commitment: s.0.to_hex(),
                field,
                field_zh,
            });
        };
        match &statement.event {
            Event::CaseOpened { subject, .. } => party(subject, "party", "当事人"),
            Event::RecordingStarted {
                device,
                officers,
                party: p,
                ..
            } => {
                if let Some(p) = p {
                    party(p, "party", "当事人");
                }
                self.devices.insert(key_ref(device));
                self.officers.extend(officers.iter().cloned());
            }
            Event::AccessRequested { requester, .. } => party(requester, "requester", "申请人"),
            Event::RecordDisclosed { to, .. } => party(to, "recipient", "接收人"),
            Event::DocumentFiled { officers, .. } => {
                self.officers.extend(officers.iter().cloned());
            }
            _ => {}
        }
        self.officers.retain(|o| !o.trim().is_empty());
        self.first = Some(
            self.first
                .map_or(entry.logged_at, |f| f.min(entry.logged_at)),
        );
        self.last = Some(
            self.last
                .map_or(entry.logged_at, |l| l.max(entry.logged_at)),
        );
        self.rows.push(Row {
            head: EntryHead::of(seq, entry, registry),
            media: media_items(&statement.event),
        });
    }
}

/// The media an event references: full references first, then digests it names alone.
fn media_items(event: &Event) -> Vec<MediaItem> {
    let mut items: Vec<MediaItem> = media_refs(event)
        .into_iter()
        .map(|m| MediaItem {
            digest: m.digest.to_hex(),
            name: Some(m.name.clone()),
            mime: Some(m.mime.clone()),
            length: Some(m.length),
        })
        .collect();
    let bare: Vec<&Digest> = match event {
        Event::Handover { media, .. } | Event::MediaPurged { media, .. } => vec![media],
        Event::DerivativeMade { original, .. } => vec![original],
        Event::DecisionMade { relies_on, .. } => relies_on.iter().collect(),
        Event::RecordDisclosed { what, .. } => what.iter().collect(),
        _ => Vec::new(),
    };
    for d in bare {
        let hex = d.to_hex();
        if !items.iter().any(|i| i.digest == hex) {
            items.push(MediaItem {
                digest: hex,
                name: None,
                mime: None,
                length: None,
            });
        }
    }
    items
}

fn proof_status(seq: u64, covered: Option<u64>) -> ProofStatus {
    match covered {
        Some(tree_size) if seq < tree_size => ProofStatus::Included { tree_size },
        _ => ProofStatus::NotYetSealed,
    }
}

/// The latest stored checkpoint, authenticated with genesis's key and checked against the
/// stored tree (by producing the proof of entry 0 against it).
fn latest_checkpoint<S: StoreRead + ?Sized>(store: &S) -> Result<CheckpointBrief, String> {
    let proof = PortableInclusion::from_store(store, 0, None).map_err(|e| e.to_string())?;
    let signed = SignedCheckpoint::parse(proof.checkpoint.as_bytes()).map_err(|e| e.to_string())?;
    Ok(CheckpointBrief {
        size: proof.tree_size,
        root: signed.checkpoint().root.to_hex(),
    })
}

fn status_zh(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::Unopened => "未立案",
        CaseStatus::Open => "办理中",
        CaseStatus::Decided => "已决定",
        CaseStatus::Closed => "已结案",
    }
}

fn brief(c: &Indexed) -> CaseBrief {
    let s = &c.summary;
    let f = &c.facets;
    CaseBrief {
        case_no: s.case_no.clone(),
        status: s.status,
        status_zh: status_zh(s.status),
        act: s.act.clone(),
        act_zh: s.act.as_deref().map(audit::zh::act),
        matter: s.matter.clone(),
        unit: s.unit.clone(),
        first_logged: f.first.map(iso8601).unwrap_or_default(),
        last_logged: f.last.map(iso8601).unwrap_or_default(),
        entries: s.entries,
        officers: f.officers.iter().cloned().collect(),
        officer_keys: f.officer_keys.iter().cloned().collect(),
        devices: f.devices.iter().cloned().collect(),
        parties: f.parties.iter().cloned().collect(),
        findings: s.findings,
    }
}

fn finding_view(f: &audit::Finding) -> FindingView {
    FindingView {
        rule: f.rule.clone(),
        article: f.article.clone(),
        article_zh: audit::zh::citation(&f.article),
        breach_zh: audit::zh::breach(&f.rule),
        severity: f.severity,
        severity_zh: f.severity.zh(),
        message: f.message.clone(),
        message_zh: f.message_zh.clone(),
        seqs: f.seqs.clone(),
        session: f.session.clone(),
        officers: f.officers.clone(),
    }
}

/// Whether a key matches a search text: its holder contains the text, or the text is a prefix
/// (at least [`MIN_HEX_PREFIX`] hex digits, `ed25519:` optional) of the key's hex.
fn key_matches(k: &KeyRef, needle: &str) -> bool {
    if k.holder.as_deref().is_some_and(|h| contains(h, needle)) {
        return true;
    }
    let hex = needle.strip_prefix("ed25519:").unwrap_or(needle);
    let key_hex = k.key.strip_prefix("ed25519:").unwrap_or(&k.key);
    hex.len() >= MIN_HEX_PREFIX && key_hex.starts_with(&hex.to_ascii_lowercase())
}

fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

fn matches(c: &Indexed, q: &CaseQuery) -> bool {
    let f = &c.facets;
    if let Some(n) = &q.case_no {
        if !contains(&c.summary.case_no, n) {
            return false;
        }
    }
    if let Some(o) = &q.officer {
        let named = f.officers.iter().any(|name| contains(name, o));
        if !named && !f.officer_keys.iter().any(|k| key_matches(k, o)) {
            return false;
        }
    }
    if let Some(d) = &q.device {
        if !f.devices.iter().any(|k| key_matches(k, d)) {
            return false;
        }
    }
    if let Some(p) = &q.party {
        if !f
            .parties
            .iter()
            .any(|s| s.commitment.starts_with(p.as_str()))
        {
            return false;
        }
    }
    // The case's entries span [first, last]; the range must overlap it.
    if let (Some(from), Some(last)) = (q.from, f.last) {
        if last < from {
            return false;
        }
    }
    if let (Some(to), Some(first)) = (q.to, f.first) {
        if first > to {
            return false;
        }
    }
    true
}

/// One entry as the explorer's detail shows it, with what a client needs to check its
/// inclusion itself: the entry bytes, the portable inclusion proof (`liuhen-proof/1`,
/// docs/FORMAT.md §19) against the latest stored checkpoint, that checkpoint's signed note and
/// the ledger's verifier key as genesis declares it.
#[derive(Clone, Debug, Serialize)]
pub struct EntryDetail {
    /// The ledger's origin.
    pub origin: String,
    /// Where, when, what and who.
    #[serde(flatten)]
    pub head: EntryHead,
    /// The event as stated (sealed fields as commitments).
    pub event: Event,
    /// The phrases that describe it ([`crate::describe::event_details`]).
    pub details: Vec<String>,
    /// Media it references.
    pub media: Vec<MediaItem>,
    /// The canonical entry bytes, hex.
    pub entry_hex: String,
    /// `SHA-256(0x00 || entry bytes)`, hex.
    pub leaf_hash: String,
    /// The ledger's verifier key (C2SP vkey) as its genesis entry declares it: a client should
    /// compare it with one obtained independently.
    pub vkey: String,
    /// Whether the latest checkpoint covers it.
    pub proof_status: ProofStatus,
    /// The inclusion proof document (`liuhen-proof/1`), when the entry is covered.
    pub proof: Option<serde_json::Value>,
    /// The signed checkpoint the proof is against (C2SP signed note), when there is a proof.
    pub checkpoint: Option<String>,
    /// Why there is no proof, when there is none ("seal first", or a checkpoint that does not
    /// authenticate).
    pub proof_error: Option<String>,
}

/// Entry `seq` of `store` in detail, with its inclusion proof against the latest stored
/// checkpoint; `None` if the store has no such entry.
///
/// Reads genesis, the key registry's changes before `seq` and the entry itself; produces the
/// proof as `liuhen prove` does (authenticated checkpoint, root compared with the stored tree,
/// proof verified before it is handed out; never signs anything).
///
/// # Errors
/// [`AuditError::Read`] or [`AuditError::Decode`] for an entry that cannot be read (damage).
pub fn entry_detail<S: StoreRead + ?Sized>(
    store: &S,
    seq: u64,
) -> Result<Option<EntryDetail>, AuditError> {
    let size = store
        .size()
        .map_err(|source| AuditError::Read { seq: 0, source })?;
    if seq >= size {
        return Ok(None);
    }
    let read = |seq: u64| -> Result<(Entry, Vec<u8>), AuditError> {
        let bytes = store
            .entry_bytes(seq)
            .map_err(|source| AuditError::Read { seq, source })?;
        let entry =
            Entry::from_bytes(&bytes).map_err(|source| AuditError::Decode { seq, source })?;
        Ok((entry, bytes))
    };
    let mut registry = Registry::new();
    match store.registry_changes() {
        Ok(Some(seqs)) => {
            for s in seqs.into_iter().filter(|s| *s < seq) {
                let (e, _) = read(s)?;
                let _ = registry.admit(s, &e.statement.statement);
            }
        }
        // Not kept (a reader's handle): every entry before, read in chunks.
        Ok(None) => {
            for (s, bytes) in crate::store::read_entries(store, 0..seq) {
                let bytes = bytes.map_err(|source| AuditError::Read { seq: s, source })?;
                let e = Entry::from_bytes(&bytes)
                    .map_err(|source| AuditError::Decode { seq: s, source })?;
                let _ = registry.admit(s, &e.statement.statement);
            }
        }
        Err(source) => return Err(AuditError::Read { seq: 0, source }),
    }
    let (genesis, _) = read(0)?;
    let (origin, vkey) = match &genesis.statement.statement.event {
        Event::Genesis {
            origin, ledger_key, ..
        } => (
            origin.clone(),
            NoteVerifier::for_key(origin, *ledger_key)
                .map(|k| k.to_string())
                .unwrap_or_default(),
        ),
        _ => (String::new(), String::new()),
    };
    let (entry, bytes) = read(seq)?;
    let statement = &entry.statement.statement;
    let _ = registry.admit(seq, statement);
    let (proof_status, proof, checkpoint, proof_error) =
        match PortableInclusion::from_store(store, seq, None) {
            Ok(p) => {
                let document =
                    serde_json::from_str(&PortableProof::Inclusion(p.clone()).to_json()).ok();
                (
                    ProofStatus::Included {
                        tree_size: p.tree_size,
                    },
                    document,
                    Some(p.checkpoint),
                    None,
                )
            }
            // Not sealed yet, or no checkpoint that authenticates: no proof, and why.
            Err(e) => (ProofStatus::NotYetSealed, None, None, Some(e.to_string())),
        };
    Ok(Some(EntryDetail {
        origin,
        head: EntryHead::of(seq, &entry, &registry),
        details: crate::describe::event_details(&statement.event, &registry),
        media: media_items(&statement.event),
        entry_hex: hex_of(&bytes),
        leaf_hash: Sha256TreeHasher.hash_leaf(&bytes).to_hex(),
        vkey,
        proof_status,
        proof,
        checkpoint,
        proof_error,
        event: statement.event.clone(),
    }))
}

fn hex_of(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::keys::{SecretKey, Signer};
    use crate::ledger::Ledger;
    use crate::model::{ActKind, CaptureMethod, Location, MediaRef};
    use crate::store::MemoryStore;

    const A: &str = "金民执〔2026〕1号";
    const B: &str = "金民罚〔2026〕2号";

    fn media(name: &str) -> MediaRef {
        MediaRef {
            digest: crate::hash::blake3(name.as_bytes()),
            length: 10,
            mime: "video/mp4".into(),
            name: name.into(),
        }
    }

    /// Genesis, an officer and a device authorized; case A opened with a recording and a
    /// segment, sealed; case B opened by a second officer, not sealed.
    fn ledger() -> (Ledger<MemoryStore>, Sealed, PublicKey) {
        let key = SecretKey::from_seed(&[1; 32]);
        let mut ledger = crate::ledger::test_ledger("example.gov.cn/ledger", &key).unwrap();
        let officer = SecretKey::from_seed(&[2; 32]);
        let officer2 = SecretKey::from_seed(&[4; 32]);
        let device = SecretKey::from_seed(&[3; 32]);
        for (k, role, holder) in [
            (&officer, Role::Officer, "21020001"),
            (&officer2, Role::Officer, "21020005"),
            (&device, Role::Device, "BWC-7731"),
        ] {
            let event = Event::KeyAuthorized {
                key: k.public_key(),
                role,
                holder: holder.into(),
            };
            ledger.sign_and_append(&key, event).unwrap();
        }
        let party = Sealed(crate::hash::blake3(b"party A"));
        let opened = |case_no: &str, subject| Event::CaseOpened {
            case_no: case_no.into(),
            act: ActKind::Inspection,
            matter: "检查".into(),
            unit: "科".into(),
            subject,
        };
        ledger.sign_and_append(&officer, opened(A, party)).unwrap();
        let started = Event::RecordingStarted {
            session: "S1".into(),
            case_no: A.into(),
            device: device.public_key(),
            method: CaptureMethod::BodyWornRecorder,
            location: Location {
                place: "某街道".into(),
                landmark: None,
            },
            matter: "检查".into(),
            officers: vec!["21020001".into(), "21020002".into()],
            party: None,
        };
        ledger.sign_and_append(&device, started).unwrap();
        let segment = Event::SegmentSealed {
            session: "S1".into(),
            index: 0,
            prev_segment: None,
            media: media("seg-0.mp4"),
            start: ledger.now(),
            end: ledger.now(),
        };
        ledger.sign_and_append(&device, segment).unwrap();
        ledger.seal(&key).unwrap();
        let other = Sealed(crate::hash::blake3(b"party B"));
        ledger.sign_and_append(&officer2, opened(B, other)).unwrap();
        (ledger, party, device.public_key())
    }

    fn index(ledger: &Ledger<MemoryStore>) -> CaseIndex {
        let as_of = ledger.now().plus_millis(1);
        CaseIndex::build(ledger.store(), &IndexOptions::as_of(as_of)).unwrap()
    }

    fn found(index: &CaseIndex, q: CaseQuery) -> Vec<String> {
        index
            .search(&q)
            .cases
            .into_iter()
            .map(|c| c.case_no)
            .collect()
    }

    #[test]
    fn search_by_each_criterion() {
        let (ledger, party, device) = ledger();
        let index = index(&ledger);
        assert_eq!(index.len(), 2);
        let all = found(&index, CaseQuery::default());
        assert_eq!(all, vec![A, B]);
        let q = |c, o, d, p| CaseQuery::from_text(c, o, d, p, None, None).unwrap();
        assert_eq!(found(&index, q(Some("金民罚"), None, None, None)), vec![B]);
        // An officer named only in the recording, not a key holder.
        assert_eq!(
            found(&index, q(None, Some("21020002"), None, None)),
            vec![A]
        );
        assert_eq!(
            found(&index, q(None, Some("21020005"), None, None)),
            vec![B]
        );
        assert_eq!(found(&index, q(None, None, Some("BWC"), None)), vec![A]);
        let key = device.to_string();
        let prefix = &key[..key.find(':').unwrap() + 1 + 12];
        assert_eq!(found(&index, q(None, None, Some(prefix), None)), vec![A]);
        let p = party.0.to_hex();
        assert_eq!(found(&index, q(None, None, None, Some(&p))), vec![A]);
        let sealed = format!("sealed:{}", &p[..8]);
        assert_eq!(found(&index, q(None, None, None, Some(&sealed))), vec![A]);
        // Criteria combine.
        assert!(found(&index, q(Some(B), None, None, Some(&p))).is_empty());
        // Dates: the ledger's entries are all logged on 2026-01-01 (UTC+8 that day).
        let on = |from: &str, to: &str| {
            CaseQuery::from_text(None, None, None, None, Some(from), Some(to)).unwrap()
        };
        assert_eq!(found(&index, on("2026-01-01", "2026-01-01")).len(), 2);
        assert!(found(&index, on("2026-02-01", "2026-03-01")).is_empty());
        assert!(found(&index, on("2025-01-01", "2025-12-31")).is_empty());
    }

    #[test]
    fn bad_queries_are_refused_with_a_reason() {
        let q = |p: Option<&str>, from: Option<&str>, to: Option<&str>| {
            CaseQuery::from_text(None, None, None, p, from, to)
        };
        assert_eq!(
            q(Some("张三"), None, None).unwrap_err(),
            QueryError::NotHex { field: "party" }
        );
        assert_eq!(
            q(Some("abcd"), None, None).unwrap_err(),
            QueryError::TooShort { field: "party" }
        );
        assert!(matches!(
            q(None, Some("yesterday"), None),
            Err(QueryError::BadTime { field: "from", .. })
        ));
        assert_eq!(
            q(None, Some("2026-02-01"), Some("2026-01-01")).unwrap_err(),
            QueryError::EmptyRange
        );
        let long = "x".repeat(MAX_QUERY_BYTES + 1);
        assert!(matches!(
            CaseQuery::from_text(Some(&long), None, None, None, None, None),
            Err(QueryError::TooLong { field: "case_no" })
        ));
        // Blank fields are no criterion.
        let blank = CaseQuery::from_text(Some("  "), Some(""), None, None, None, None).unwrap();
        assert!(blank.case_no.is_none() && blank.officer.is_none());
    }

    #[test]
    fn a_timeline_lists_entries_media_findings_and_proof_status() {
        let (ledger, party, _) = ledger();
        let index = index(&ledger);
        let t = index.timeline(A).unwrap();
        let seqs: Vec<u64> = t.entries.iter().map(|e| e.head.seq).collect();
        assert_eq!(seqs, vec![4, 5, 6]);
        assert_eq!(t.entries[0].head.kind_zh, "立案");
        assert_eq!(t.entries[0].head.holder.as_deref(), Some("21020001"));
        assert_eq!(t.entries[2].head.kind, "SegmentSealed");
        assert_eq!(t.entries[2].media[0].name.as_deref(), Some("seg-0.mp4"));
        assert_eq!(t.checkpoint.as_ref().unwrap().size, 7);
        assert!(t
            .entries
            .iter()
            .all(|e| matches!(e.proof, ProofStatus::Included { tree_size: 7 })));
        // Sealed fields as commitments only.
        assert_eq!(t.case.parties[0].commitment, party.0.to_hex());
        assert!(t
            .case
            .devices
            .iter()
            .any(|d| d.holder.as_deref() == Some("BWC-7731")));
        // The recording has no landmark and no stop: the audit's findings, with articles.
        assert!(t.findings.iter().any(|f| f.article == "Art. 14(3)"));
        assert!(t.findings.iter().all(|f| !f.article_zh.is_empty()));
        assert!(t.entries.iter().any(|e| !e.rules.is_empty()));
        // Case B was logged after the checkpoint.
        let b = index.timeline(B).unwrap();
        assert_eq!(b.entries[0].proof, ProofStatus::NotYetSealed);
        assert!(index.timeline("no such case").is_none());
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["entries"][0]["proof"]["status"], "included");
        assert_eq!(json["entries"][0]["proof"]["tree_size"], 7);
    }

    #[test]
    fn entry_detail_carries_a_proof_that_verifies_or_says_why_not() {
        let (ledger, _, _) = ledger();
        let d = entry_detail(ledger.store(), 6).unwrap().unwrap();
        assert_eq!(d.head.kind, "SegmentSealed");
        assert_eq!(d.head.holder.as_deref(), Some("BWC-7731"));
        assert_eq!(d.proof_status, ProofStatus::Included { tree_size: 7 });
        let proof = d.proof.clone().unwrap();
        assert_eq!(proof["leaf_hash"], d.leaf_hash);
        assert_eq!(proof["checkpoint"].as_str(), d.checkpoint.as_deref());
        let document = serde_json::to_vec(&proof).unwrap();
        let vkey = ledger.verifier_key().unwrap();
        assert_eq!(d.vkey, vkey.to_string());
        assert!(crate::proofs::check(&document, &vkey).unwrap().verified());
        let bytes = ledger.store().entry_bytes(6).unwrap();
        assert_eq!(d.entry_hex, hex_of(&bytes));
        // The entry after the checkpoint has no proof yet, and says why.
        let late = entry_detail(ledger.store(), 7).unwrap().unwrap();
        assert_eq!(late.proof_status, ProofStatus::NotYetSealed);
        assert!(late.proof.is_none() && late.proof_error.is_some());
        assert!(entry_detail(ledger.store(), 8).unwrap().is_none());
    }
}
