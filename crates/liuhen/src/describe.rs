//! What the stored entries say, in order, decoded: the ledger's history or one case's, entry by
//! entry (Art. 3: every step of the enforcement process leaves a trace and can be traced back).
//!
//! [`Listing`] walks a store from a position, optionally only the entries that concern one case
//! ([`CaseFilter`]), and yields each entry with the author the key registry names at that point
//! and the phrases that describe its event ([`LoggedEntry::details`]). [`LogLine`] is the JSON
//! shape of one entry (`liuhen log --json`, docs/CLI.md), which an HTTP adapter returns as is.
//!
//! Read-only and not a verifier: signatures, the chain and checkpoints are not checked here (the
//! `verify` module does). Personal data never appears: sealed fields are described by the first 8
//! hex digits of their commitment, and the ledger holds no value or salt in the first place.

mod event;
mod time;

use serde::Serialize;

use crate::bundle::CaseFilter;
use crate::entry::Entry;
use crate::hash::{Digest, Sha256TreeHasher, TreeHasher};
use crate::model::{Event, Role};
use crate::registry::Registry;
use crate::store::{StoreError, StoreRead};

pub use event::{event_details, key_prefix, sealed_prefix};
pub use time::iso8601;

/// What to list: where to start, how many, which case.
#[derive(Clone, Debug, Default)]
pub struct LogQuery {
    /// Only the entries that concern this case (its statements, its sessions' segments, custody
    /// and purges of its media, decisions on its access requests, erasures of its sealed fields).
    pub case: Option<String>,
    /// The first sequence number shown.
    pub from: u64,
    /// At most this many entries shown.
    pub limit: Option<u64>,
}

/// One step of a [`Listing`].
#[derive(Debug)]
pub enum LogItem {
    /// An entry that concerns the query, decoded.
    Entry(Box<LoggedEntry>),
    /// An entry that could not be read or decoded. Whether it concerned the case cannot be
    /// known; `seq` may be before the query's `from` (a case filter reads from the start).
    Unreadable {
        /// Its sequence number.
        seq: u64,
        /// Why (the store's or the decoder's error, as text).
        error: String,
    },
}

/// An entry as the log shows it.
#[derive(Clone, Debug)]
pub struct LoggedEntry {
    /// Its sequence number.
    pub seq: u64,
    /// The decoded entry.
    pub entry: Entry,
    /// Its RFC 6962 leaf hash.
    pub leaf: Digest,
    /// The author's holder and role, if the registry knows the key at this point.
    pub author: Option<(String, Role)>,
    /// The phrases that describe the event (see [`event_details`]), and `stated …` when the
    /// statement is dated a minute or more apart from when it was logged.
    pub details: Vec<String>,
}

/// One entry in JSON (`liuhen log --json`; docs/CLI.md): `{seq, logged_at, time, author, holder,
/// role, kind, event, leaf}`.
#[derive(Debug, Serialize)]
pub struct LogLine<'a> {
    /// Sequence number.
    pub seq: u64,
    /// When the ledger logged it (UTC ISO 8601).
    pub logged_at: String,
    /// The statement's own time (UTC ISO 8601).
    pub time: String,
    /// The author's key (`ed25519:` and hex).
    pub author: String,
    /// The author's holder, if registered.
    pub holder: Option<&'a str>,
    /// The author's role, if registered.
    pub role: Option<Role>,
    /// The event's name.
    pub kind: &'static str,
    /// The event as stated.
    pub event: &'a Event,
    /// The leaf hash (hex).
    pub leaf: String,
}

impl LoggedEntry {
    /// The JSON shape of this entry.
    pub fn to_json(&self) -> LogLine<'_> {
        let statement = &self.entry.statement.statement;
        LogLine {
            seq: self.seq,
            logged_at: iso8601(self.entry.logged_at),
            time: iso8601(statement.time),
            author: statement.author.to_string(),
            holder: self.author.as_ref().map(|(h, _)| h.as_str()),
            role: self.author.as_ref().map(|(_, r)| *r),
            kind: statement.event.name(),
            event: &statement.event,
            leaf: self.leaf.to_hex(),
        }
    }

    /// The author as people read it: `holder (Role)`, or the key's prefix and `(not registered)`.
    pub fn author_text(&self) -> String {
        match &self.author {
            Some((holder, role)) => format!("{holder} ({role:?})"),
            None => format!(
                "{} (not registered)",
                key_prefix(&self.entry.statement.statement.author)
            ),
        }
    }
}

/// The entries of a store that a [`LogQuery`] asks for, in order. An iterator of [`LogItem`]s.
pub struct Listing<'s, S: StoreRead> {
    query: LogQuery,
    registry: Registry,
    filter: Option<CaseFilter>,
    /// The entries still to read, in chunks.
    entries: crate::store::EntryChunks<'s, S>,
    shown: u64,
}

impl<'s, S: StoreRead> Listing<'s, S> {
    /// Starts a listing. A case's sessions, requests and media are learned from its earlier
    /// entries, so a case listing reads from the start and shows from `from`; an unfiltered one
    /// only needs the key registry as of `from`, read from the registry changes the store keeps.
    ///
    /// # Errors
    /// A store error reading the registry-change positions.
    pub fn new(store: &'s S, query: LogQuery) -> Result<Self, StoreError> {
        let size = store.size()?;
        let mut registry = Registry::new();
        let filter = query.case.clone().map(CaseFilter::new);
        let next = if filter.is_some() {
            0
        } else {
            let upto = query.from.min(size);
            preload_registry(store, &mut registry, upto)?;
            upto
        };
        Ok(Listing {
            query,
            registry,
            filter,
            entries: crate::store::read_entries(store, next..size),
            shown: 0,
        })
    }

    /// How many entries have been yielded so far.
    pub fn shown(&self) -> u64 {
        self.shown
    }
}

impl<S: StoreRead> Iterator for Listing<'_, S> {
    type Item = LogItem;

    fn next(&mut self) -> Option<LogItem> {
        loop {
            if self.query.limit.is_some_and(|l| self.shown >= l) {
                return None;
            }
            let (seq, bytes) = self.entries.next()?;
            let decoded = bytes
                .map_err(|e| e.to_string())
                .and_then(|b| Ok((Entry::from_bytes(&b).map_err(|e| e.to_string())?, b)));
            let (entry, bytes) = match decoded {
                Ok(x) => x,
                Err(error) => return Some(LogItem::Unreadable { seq, error }),
            };
            let statement = &entry.statement.statement;
            // Who may author what is the verifier's question; here the registry only names
            // authors.
            let _ = self.registry.admit(seq, statement);
            let concerns = self
                .filter
                .as_mut()
                .is_none_or(|f| f.concerns(&statement.event));
            if !concerns || seq < self.query.from {
                continue;
            }
            self.shown += 1;
            return Some(LogItem::Entry(Box::new(self.describe(seq, entry, &bytes))));
        }
    }
}

impl<S: StoreRead> Listing<'_, S> {
    fn describe(&self, seq: u64, entry: Entry, bytes: &[u8]) -> LoggedEntry {
        let statement = &entry.statement.statement;
        let author = self
            .registry
            .get(&statement.author)
            .map(|r| (r.holder.clone(), r.role));
        let mut details = event_details(&statement.event, &self.registry);
        // A statement dated apart from when it was logged (offline device, late upload) says so.
        let lag = entry.logged_at.0.saturating_sub(statement.time.0);
        if lag.unsigned_abs() >= 60_000 {
            details.push(format!("stated {}", iso8601(statement.time)));
        }
        LoggedEntry {
            seq,
            leaf: Sha256TreeHasher.hash_leaf(bytes),
            author,
            details,
            entry,
        }
    }
}

fn read_entry<S: StoreRead>(store: &S, seq: u64) -> Result<(Entry, Vec<u8>), String> {
    let bytes = store.entry_bytes(seq).map_err(|e| e.to_string())?;
    let entry = Entry::from_bytes(&bytes).map_err(|e| e.to_string())?;
    Ok((entry, bytes))
}

/// Applies the registry changes of the entries before `upto`, reading only those entries when
/// the store keeps their positions.
fn preload_registry<S: StoreRead>(
    store: &S,
    registry: &mut Registry,
    upto: u64,
) -> Result<(), StoreError> {
    // An unreadable entry before `from` is not shown, so it is not reported either: the
    // author names it would have given are simply missing.
    match store.registry_changes()? {
        Some(seqs) => {
            for seq in seqs.into_iter().filter(|s| *s < upto) {
                if let Ok((entry, _)) = read_entry(store, seq) {
                    let _ = registry.admit(seq, &entry.statement.statement);
                }
            }
        }
        // Not kept: every entry before, read in chunks.
        None => {
            for (seq, bytes) in crate::store::read_entries(store, 0..upto) {
                if let Some(entry) = bytes.ok().and_then(|b| Entry::from_bytes(&b).ok()) {
                    let _ = registry.admit(seq, &entry.statement.statement);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::keys::{SecretKey, Signer};
    use crate::ledger::Ledger;
    use crate::model::{ActKind, Sealed};
    use crate::store::MemoryStore;

    /// Genesis, an officer authorized, then case A opened, case B opened, a preservation order
    /// of A: entries 0 … 4.
    fn ledger() -> Ledger<MemoryStore> {
        let key = SecretKey::from_seed(&[1; 32]);
        let mut ledger = crate::ledger::test_ledger("example.gov.cn/ledger", &key).unwrap();
        let officer = SecretKey::from_seed(&[2; 32]);
        ledger
            .sign_and_append(
                &key,
                Event::KeyAuthorized {
                    key: officer.public_key(),
                    role: Role::Officer,
                    holder: "21020001".into(),
                },
            )
            .unwrap();
        for case_no in ["A", "B"] {
            let event = Event::CaseOpened {
                case_no: case_no.into(),
                act: ActKind::Inspection,
                matter: "m".into(),
                unit: "u".into(),
                subject: Sealed(crate::hash::blake3(case_no.as_bytes())),
            };
            ledger.sign_and_append(&officer, event).unwrap();
        }
        let order = Event::PreservationOrdered {
            case_no: "A".into(),
            trigger: crate::model::PreservationTrigger::PartyObjection,
        };
        ledger.sign_and_append(&officer, order).unwrap();
        ledger
    }

    fn seqs(items: impl Iterator<Item = LogItem>) -> Vec<u64> {
        items
            .map(|i| match i {
                LogItem::Entry(e) => e.seq,
                LogItem::Unreadable { seq, error } => panic!("entry {seq} unreadable: {error}"),
            })
            .collect()
    }

    #[test]
    fn a_case_listing_shows_only_the_case_from_the_start_position() {
        let ledger = ledger();
        let store = ledger.store();
        let all = Listing::new(store, LogQuery::default()).unwrap();
        assert_eq!(seqs(all), vec![0, 1, 2, 3, 4]);
        let case = LogQuery {
            case: Some("A".into()),
            ..LogQuery::default()
        };
        assert_eq!(seqs(Listing::new(store, case.clone()).unwrap()), vec![2, 4]);
        let later = LogQuery { from: 3, ..case };
        assert_eq!(seqs(Listing::new(store, later).unwrap()), vec![4]);
        let limited = LogQuery {
            from: 1,
            limit: Some(2),
            ..LogQuery::default()
        };
        let mut listing = Listing::new(store, limited).unwrap();
        assert_eq!(seqs(listing.by_ref()), vec![1, 2]);
        assert_eq!(listing.shown(), 2);
    }

    #[test]
    fn a_listing_from_the_middle_still_names_authors_registered_before_it() {
        let ledger = ledger();
        let query = LogQuery {
            from: 2,
            limit: Some(1),
            ..LogQuery::default()
        };
        let Some(LogItem::Entry(e)) = Listing::new(ledger.store(), query).unwrap().next() else {
            panic!("entry 2 expected");
        };
        assert_eq!(e.author, Some(("21020001".to_string(), Role::Officer)));
        assert_eq!(e.author_text(), "21020001 (Officer)");
        assert!(e.details.contains(&"case A".to_string()));
        // The subject is sealed: only a prefix of its commitment is described.
        let party = e.details.iter().find(|d| d.starts_with("party ")).unwrap();
        assert_eq!(party.len(), "party sealed:".len() + 8);
        let json = serde_json::to_value(e.to_json()).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut want = vec![
            "seq",
            "logged_at",
            "time",
            "author",
            "holder",
            "role",
            "kind",
            "event",
            "leaf",
        ];
        want.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, want);
        assert_eq!(json["kind"], "CaseOpened");
        assert_eq!(json["holder"], "21020001");
        assert_eq!(json["logged_at"], "2026-01-01T00:00:00.000Z");
    }
}
