//! Art. 19–21(3): who may read a case's records and who may receive them.
//!
//! Roles are judged where each entry stands: the key registry is rebuilt entry by entry with
//! the same [`Registry`] the ledger and the verifier admit statements with, so a statement is
//! judged by the role its key held at its own position (a revoked key holds none). A disclosure
//! is judged when it is read, against what the ledger said before it: who the case's parties
//! were and which of the recipient's requests stood granted or refused. Later entries never
//! make an earlier disclosure lawful; the grant has to come first.
//!
//! Memory: one record per access request and per disclosure, the views that broke the rule,
//! and the parties' commitments per case.

use std::collections::HashMap;

use super::describe::{record_text, record_zh, short_hex};
use super::judge::Judge;
use super::*;
use crate::audit::RoleClass;
use crate::entry::Statement;
use crate::registry::Registry;

/// The signer of an entry, as the registry knew it at that entry's position.
#[derive(Clone, Debug)]
struct Author {
    /// Its role; `None` when the key was not active there (never authorized, or revoked).
    role: Option<Role>,
    /// The holder named when it was authorized, or the key's short hex.
    holder: String,
    /// The holder, when the key is an officer's (for the findings' officer lists).
    officer: Option<String>,
}

impl Author {
    fn role_name(&self) -> Option<&'static str> {
        self.role.map(|r| RoleClass::of(r).as_str())
    }

    /// `21020001 (role officer)`: the key's holder and its role there.
    fn key_text(&self) -> String {
        match self.role_name() {
            Some(r) => format!("{} (role {r})", self.holder),
            None => format!("{} (a key not authorized at that position)", self.holder),
        }
    }
}

/// An `AccessRequested` and the decisions on it.
#[derive(Debug)]
struct Request {
    at: At,
    id: String,
    case_no: String,
    /// Its `AccessDecided` entries in ledger order, with `granted`: the last one stands.
    decisions: Vec<(At, bool)>,
    officer: Option<String>,
}

/// What a disclosure rested on when it was logged.
#[derive(Debug)]
enum Basis {
    /// The request (index into the requests) and the grant that stood.
    Granted(usize, u64),
    /// The recipient was named a party of the case at this entry.
    Party(u64),
    /// The discloser's role may disclose on its own.
    Role,
    /// The recipient's requests of the case whose standing decision was a refusal, with it.
    Refused(Vec<(usize, u64)>),
    /// Nothing: the recipient's requests of the case not yet decided, and its requests of
    /// other cases (which say nothing about this one).
    Unfounded {
        pending: Vec<usize>,
        elsewhere: Vec<usize>,
    },
}

#[derive(Debug)]
struct Disclosure {
    at: At,
    case_no: String,
    to: Sealed,
    items: usize,
    author: Author,
    basis: Basis,
}

/// A `RecordViewed` signed by a key whose role may not view records.
#[derive(Debug)]
struct View {
    at: At,
    subject: RecordRef,
    by: String,
    purpose: String,
    author: Author,
    cases: Vec<String>,
}

/// The access facts of a ledger, gathered in order.
#[derive(Debug, Default)]
pub(super) struct Access {
    registry: Registry,
    /// Case → party commitment → the entry that first named it.
    parties: HashMap<String, HashMap<Sealed, u64>>,
    requests: Vec<Request>,
    /// Request id → its first `AccessRequested`: request ids are unique, and a decision
    /// answers the first request filed under its id, as `liuhen bundle export --request`
    /// reads it (a second request under a used id is never decided).
    first: HashMap<String, usize>,
    by_requester: HashMap<Sealed, Vec<usize>>,
    disclosures: Vec<Disclosure>,
    views: Vec<View>,
}

impl Access {
    /// Takes one entry into account. `cases` are the cases the engine filed it under; `officer`
    /// the officer holder of its author, if any.
    pub(super) fn observe(
        &mut self,
        profile: &Profile,
        at: At,
        statement: &Statement,
        cases: &[String],
        officer: Option<String>,
    ) {
        match &statement.event {
            Event::CaseOpened {
                case_no, subject, ..
            } => self.party(case_no, *subject, at.seq),
            Event::RecordingStarted {
                case_no,
                party: Some(party),
                ..
            } => self.party(case_no, *party, at.seq),
            Event::AccessRequested {
                request,
                case_no,
                requester,
                ..
            } => {
                let i = self.requests.len();
                self.requests.push(Request {
                    at,
                    id: request.clone(),
                    case_no: case_no.clone(),
                    decisions: Vec::new(),
                    officer,
                });
                self.first.entry(request.clone()).or_insert(i);
                self.by_requester.entry(*requester).or_default().push(i);
            }
            Event::AccessDecided {
                request, granted, ..
            } => {
                // A decision of a request never filed answers nothing the audit can check.
                if let Some(r) = self
                    .first
                    .get(request)
                    .and_then(|&i| self.requests.get_mut(i))
                {
                    r.decisions.push((at, *granted));
                }
            }
            Event::RecordDisclosed { case_no, to, what } => {
                let author = self.author(&statement.author, officer);
                let basis = self.basis(profile, case_no, to, author.role);
                self.disclosures.push(Disclosure {
                    at,
                    case_no: case_no.clone(),
                    to: *to,
                    items: what.len(),
                    author,
                    basis,
                });
            }
            Event::RecordViewed {
                subject,
                by,
                purpose,
            } => {
                let author = self.author(&statement.author, officer);
                if !author.role.is_some_and(|r| profile.may_view(r)) {
                    self.views.push(View {
                        at,
                        subject: subject.clone(),
                        by: by.clone(),
                        purpose: purpose.clone(),
                        author,
                        cases: cases.to_vec(),
                    });
                }
            }
            _ => {}
        }
        // The entry's own registry effect comes last: its author was judged by the registry
        // before it. An inadmissible statement changes nothing, as in the ledger itself (the
        // verifier reports it; the audit of such a ledger is refused by `liuhen audit`).
        let _ = self.registry.admit(at.seq, statement);
    }

    /// Whether `to` was named a party of `case_no` by the entries read so far.
    pub(super) fn is_party(&self, case_no: &str, to: &Sealed) -> bool {
        self.parties
            .get(case_no)
            .is_some_and(|p| p.contains_key(to))
    }

    /// Whether `name` is a registered custodian (Art. 16): the holder of a key of the
    /// custodian role, active at this position, or a word of such a holder ("档案员 21020009"
    /// is custodian 21020009).
    pub(super) fn is_custodian(&self, name: &str) -> bool {
        let name = name.trim();
        !name.is_empty()
            && self.registry.keys().any(|(_, r)| {
                r.role == Role::Custodian
                    && r.revoked_at.is_none()
                    && (r.holder.trim() == name
                        || r.holder
                            .split(|c: char| !c.is_alphanumeric())
                            .any(|w| w == name))
            })
    }

    fn party(&mut self, case_no: &str, party: Sealed, seq: u64) {
        self.parties
            .entry(case_no.to_string())
            .or_default()
            .entry(party)
            .or_insert(seq);
    }

    fn author(&self, key: &PublicKey, officer: Option<String>) -> Author {
        match self.registry.get(key) {
            Some(r) => Author {
                role: r.revoked_at.is_none().then_some(r.role),
                holder: r.holder.clone(),
                officer,
            },
            None => Author {
                role: None,
                holder: format!("key {}", short_hex(key.as_bytes())),
                officer,
            },
        }
    }

    /// The ground of a disclosure of `case_no` to `to` by a key of `role`, from the entries
    /// before it. A grant in force wins; a refusal in force is never silently overruled, not
    /// by the recipient being a party nor by the discloser's role (the ledger would show the
    /// unit saying no and giving anyway: a new grant must be recorded first).
    fn basis(&self, profile: &Profile, case_no: &str, to: &Sealed, role: Option<Role>) -> Basis {
        let mut refused = Vec::new();
        let mut pending = Vec::new();
        let mut elsewhere = Vec::new();
        let mine = self.by_requester.get(to).map_or(&[][..], Vec::as_slice);
        for &i in mine {
            let Some(r) = self.requests.get(i) else {
                continue;
            };
            if r.case_no != case_no {
                elsewhere.push(i);
                continue;
            }
            match r.decisions.last() {
                Some((d, true)) => return Basis::Granted(i, d.seq),
                Some((d, false)) => refused.push((i, d.seq)),
                None => pending.push(i),
            }
        }
        if !refused.is_empty() {
            return Basis::Refused(refused);
        }
        if let Some(seq) = self.parties.get(case_no).and_then(|p| p.get(to)) {
            return Basis::Party(*seq);
        }
        if role.is_some_and(|r| profile.may_disclose(r)) {
            return Basis::Role;
        }
        Basis::Unfounded { pending, elsewhere }
    }
}

fn role_list(roles: &[RoleClass]) -> String {
    if roles.is_empty() {
        "none".into()
    } else {
        roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn items_text(n: usize) -> String {
    if n == 1 {
        "1 record".into()
    } else {
        format!("{n} records")
    }
}

impl Judge<'_> {
    /// Art. 19, 20 and 21(3): disclosures, views and the decision of access requests.
    pub(super) fn access(&mut self, a: &Access) {
        for d in &a.disclosures {
            self.disclosure(a, d);
        }
        for v in &a.views {
            self.view(v);
        }
        for r in &a.requests {
            self.request(r);
        }
    }

    fn disclosure(&mut self, a: &Access, d: &Disclosure) {
        let request = |i: &usize| a.requests.get(*i);
        let (basis, req, basis_seqs) = match &d.basis {
            Basis::Granted(i, seq) => (
                DisclosureBasis::GrantedRequest,
                request(i).map(|r| r.id.clone()),
                request(i)
                    .map(|r| r.at.seq)
                    .into_iter()
                    .chain([*seq])
                    .collect(),
            ),
            Basis::Party(seq) => (DisclosureBasis::Party, None, vec![*seq]),
            Basis::Role => (DisclosureBasis::Role, None, Vec::new()),
            Basis::Refused(list) => (
                DisclosureBasis::Refused,
                list.first()
                    .and_then(|(i, _)| request(i))
                    .map(|r| r.id.clone()),
                list.iter()
                    .flat_map(|(i, seq)| request(i).map(|r| r.at.seq).into_iter().chain([*seq]))
                    .collect(),
            ),
            Basis::Unfounded { pending, .. } => (
                DisclosureBasis::NoBasis,
                None,
                pending
                    .iter()
                    .filter_map(request)
                    .map(|r| r.at.seq)
                    .collect(),
            ),
        };
        self.supervision.disclosures.push(DisclosureRecord {
            case_no: d.case_no.clone(),
            seq: d.at.seq,
            logged_at: d.at.logged,
            recipient: d.to.0.to_hex(),
            items: d.items as u64,
            by: d.author.holder.clone(),
            role: d.author.role_name().map(str::to_string),
            basis,
            request: req,
            basis_seqs: basis_seqs.clone(),
        });
        let what = format!(
            "case {}: {} disclosed at entry {} ({}) by {} to recipient {}",
            d.case_no,
            items_text(d.items),
            d.at.seq,
            format_time(d.at.logged),
            d.author.key_text(),
            short_hex(d.to.0.as_bytes())
        );
        let message = match &d.basis {
            Basis::Refused(list) => {
                let refusals: Vec<String> = list
                    .iter()
                    .filter_map(|(i, seq)| {
                        request(i).map(|r| {
                            format!(
                                "request {} (entry {}) was refused at entry {seq}",
                                r.id, r.at.seq
                            )
                        })
                    })
                    .collect();
                format!(
                    "{what}, although the recipient's access {} and nothing granted it since",
                    refusals.join("; ")
                )
            }
            Basis::Unfounded { pending, elsewhere } => {
                let mut why = vec![
                    "who is not a party of the case and holds no granted access request of it"
                        .to_string(),
                ];
                for r in pending.iter().filter_map(request) {
                    why.push(format!(
                        "request {} (entry {}) was not yet decided",
                        r.id, r.at.seq
                    ));
                }
                for r in elsewhere.iter().filter_map(request) {
                    why.push(format!(
                        "the recipient's request {} (entry {}) is of case {}, not this one",
                        r.id, r.at.seq, r.case_no
                    ));
                }
                let role = match d.author.role_name() {
                    Some(r) => format!("role {r} may not disclose on its own"),
                    None => "an inactive key may not disclose at all".to_string(),
                };
                format!(
                    "{what}, {}; {role} (disclosure_roles: {})",
                    why.join("; "),
                    role_list(&self.profile.disclosure_roles)
                )
            }
            _ => return,
        };
        let mut seqs = vec![d.at.seq];
        seqs.extend(basis_seqs);
        self.zh = Some(format!(
            "案件 {} 的 {} 项记录于 {}（条目 {}）由 {} 对外提供，{}",
            d.case_no,
            d.items,
            format_time(d.at.logged),
            d.at.seq,
            d.author.holder,
            if matches!(d.basis, Basis::Refused(_)) {
                "而接收人的查阅申请已被拒绝"
            } else {
                "接收人既非当事人，也无经批准的申请，签署密钥亦无依职权提供的权限"
            }
        ));
        self.emit(
            id::ART19_DISCLOSURE,
            Some(&d.case_no),
            None,
            seqs,
            d.author.officer.iter().cloned().collect(),
            message,
        );
    }

    fn view(&mut self, v: &View) {
        let (case_no, of) = match v.cases.split_first() {
            Some((first, [])) => (Some(first.as_str()), format!("case {first}: ")),
            Some((first, rest)) => (
                Some(first.as_str()),
                format!("case {first} (and {}): ", rest.join(", ")),
            ),
            None => (None, String::new()),
        };
        let linked = if v.cases.is_empty() {
            ", linked to no case,"
        } else {
            ""
        };
        let session = match &v.subject {
            RecordRef::Session(s) => Some(s.as_str()),
            _ => None,
        };
        self.zh = Some(format!(
            "{}于 {}（条目 {}）被调阅，签署密钥 {} 无调阅权限",
            record_zh(&v.subject),
            format_time(v.at.logged),
            v.at.seq,
            v.author.holder
        ));
        self.emit(
            id::ART21_3_VIEW,
            case_no,
            session,
            vec![v.at.seq],
            v.author.officer.iter().cloned().collect(),
            format!(
                "{of}{}{linked} was viewed at entry {} ({}) by {:?} for {:?}, signed by {}; only keys of {} may view records",
                record_text(&v.subject),
                v.at.seq,
                format_time(v.at.logged),
                v.by,
                v.purpose,
                v.author.key_text(),
                role_list(&self.profile.view_roles)
            ),
        );
    }

    fn request(&mut self, r: &Request) {
        let deadline = self.profile.access_decision_deadline.millis();
        let due = r.at.logged.plus_millis(deadline);
        let first = r.decisions.first();
        let status = match first {
            Some((d, _)) if d.logged <= due => DeadlineStatus::Met,
            Some(_) => DeadlineStatus::Late,
            None if self.as_of > due => DeadlineStatus::Missed,
            None => DeadlineStatus::Pending,
        };
        self.deadline(
            &r.case_no,
            Deadline {
                rule: id::ART19_REQUEST_DECIDED.into(),
                what: format!(
                    "decide access request {} within {}",
                    r.id,
                    format_span(deadline)
                ),
                session: None,
                from: r.at.logged,
                due,
                done_at: first.map(|(d, _)| d.logged),
                done_seq: first.map(|(d, _)| d.seq),
                status,
                seqs: vec![r.at.seq],
            },
        );
        let asked = format!(
            "case {}: access request {} (entry {}) was logged at {}",
            r.case_no,
            r.id,
            r.at.seq,
            format_time(r.at.logged)
        );
        let (seqs, message) = match (status, first) {
            (DeadlineStatus::Late, Some((d, granted))) => (
                vec![r.at.seq, d.seq],
                format!(
                    "{asked} and {} only at entry {} ({}), {} later: beyond the {} deadline",
                    if *granted { "granted" } else { "refused" },
                    d.seq,
                    format_time(d.logged),
                    format_span(d.logged.0.saturating_sub(r.at.logged.0)),
                    format_span(deadline)
                ),
            ),
            (DeadlineStatus::Missed, _) => (
                vec![r.at.seq],
                format!(
                    "{asked} and had no decision (AccessDecided) within {} (due {}; still undecided at the audit time)",
                    format_span(deadline),
                    format_time(due)
                ),
            ),
            _ => return,
        };
        self.zh = Some(format!(
            "案件 {} 的查阅申请 {}（条目 {}）于 {} 登记，未在 {} 内答复",
            r.case_no,
            r.id,
            r.at.seq,
            format_time(r.at.logged),
            super::judge::zh_span(deadline)
        ));
        self.emit(
            id::ART19_REQUEST_DECIDED,
            Some(&r.case_no),
            None,
            seqs,
            r.officer.iter().cloned().collect(),
            message,
        );
    }
}
