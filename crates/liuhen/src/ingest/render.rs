//! What an ingest says, as text and JSON: the receipt of each appended statement (one JSON
//! line, or one text line) and the dry run's report. `liuhen append` prints these; an HTTP
//! service answering a batch with JSON Lines serves the same lines (docs/CLI.md).

use serde_json::{json, Map, Value};

use super::body::BodyError;
use super::{Appended, DryRun, IngestError, Summary};
use crate::audit::Finding;
use crate::keys::PublicKey;
use crate::ledger::{LedgerError, Receipt};
use crate::model::Event;
use crate::text::{entry_range, escape_controls, statements};

/// The JSON members of a receipt: `seq`, `leaf_hash` (hex), `logged_at` (ms), `event`,
/// `case_no` (or null), `author` (`ed25519:<hex>`).
pub fn receipt_members(
    receipt: &Receipt,
    event: &str,
    case_no: Option<&str>,
    author: &PublicKey,
) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert("seq".into(), json!(receipt.seq));
    object.insert("leaf_hash".into(), json!(receipt.leaf_hash.to_hex()));
    object.insert("logged_at".into(), json!(receipt.logged_at.millis()));
    object.insert("event".into(), json!(event));
    object.insert("case_no".into(), json!(case_no));
    object.insert("author".into(), json!(author.to_string()));
    object
}

/// The receipt of a statement of `event` by `author` appended alone, as `liuhen authorize`,
/// `liuhen revoke` and the HTTP service's `POST /v1/statements` report it: the
/// [`receipt_members`] (its case is the one the event names).
pub fn statement_receipt(
    receipt: &Receipt,
    event: &Event,
    author: &PublicKey,
) -> Map<String, Value> {
    receipt_members(receipt, event.name(), event.case_no(), author)
}

/// The sentence for a statement of the input `name`, at `line`, that the ledger refused (the
/// batch is all or nothing): `NAME line N: REASON; nothing was appended`, with `refusal`'s
/// wording of the reason.
pub fn refused_sentence(
    name: &str,
    line: usize,
    error: &LedgerError,
    refusal: &dyn Fn(&LedgerError) -> String,
) -> String {
    format!(
        "{name} line {line}: {}; nothing was appended",
        refusal(error)
    )
}

/// The sentence for a request body (named `name`) that cannot be read: `NAME line N: WHY;
/// nothing was appended`, as [`failure`] words one unreadable statement.
pub fn body_sentence(name: &str, e: &BodyError) -> String {
    format!("{name} {e}; nothing was appended")
}

/// The JSON line of an appended statement (without a line break): `line`, then the
/// [`receipt_members`].
pub fn appended_json(a: &Appended) -> String {
    let mut object = Map::new();
    object.insert("line".into(), json!(a.line));
    object.extend(receipt_members(
        &a.receipt,
        a.event,
        a.case_no.as_deref(),
        &a.author,
    ));
    Value::Object(object).to_string()
}

/// The text line of an appended statement (without a line break): entry number, event, case.
pub fn appended_text(a: &Appended) -> String {
    let case = a
        .case_no
        .as_deref()
        .map(|c| format!("  {}", escape_controls(c)))
        .unwrap_or_default();
    format!("entry {}  {}{case}", a.receipt.seq, a.event)
}

/// The JSON line of a refused statement (without a line break); `sentence` says why.
pub fn refused_json(line: usize, sentence: &str) -> String {
    json!({ "line": line, "error": sentence }).to_string()
}

/// The dry run's report as one JSON line, with its line break.
pub fn dry_run_json(summary: &Summary, dry: &DryRun) -> String {
    let mut v = json!({
        "dry_run": true,
        "statements": summary.statements,
        "would_append": summary.appended,
        "refused": summary.refused,
        "as_of": dry.as_of.millis(),
        "new_findings": dry.new_findings,
        "resolved_findings": dry.resolved,
    });
    if let Some((first, last)) = summary.seqs {
        v["first_seq"] = json!(first);
        v["last_seq"] = json!(last);
    }
    format!("{v}\n")
}

/// The dry run's report as text: what would be appended, each finding the batch adds or
/// resolves, one per line.
pub fn dry_run_text(summary: &Summary, dry: &DryRun) -> String {
    let refused = match summary.refused {
        0 => String::new(),
        n => format!(", {n} refused"),
    };
    let mut out = format!(
        "dry run: {} would be appended{}{refused}; nothing was written\n",
        statements(summary.appended),
        entry_range(summary.seqs),
    );
    let line = |out: &mut String, what: &str, f: &Finding| {
        let case = f
            .case_no
            .as_deref()
            .map(escape_controls)
            .unwrap_or_default();
        out.push_str(&format!(
            "{what}: {} {} ({}) {case} entries {:?}: {}\n",
            f.severity.as_str(),
            f.rule,
            f.article,
            f.seqs,
            escape_controls(&f.message)
        ));
    };
    for f in &dry.new_findings {
        line(&mut out, "new finding", f);
    }
    for f in &dry.resolved {
        line(&mut out, "resolved", f);
    }
    if dry.new_findings.is_empty() {
        out.push_str("the audit finds nothing new with the batch appended\n");
    }
    out
}

/// A failed ingest in words: the unreadable statements listed one per line (when there are
/// several), and the one sentence that says what happened to the batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Lines to show before the sentence (each unreadable statement, then how many more).
    pub listed: Vec<String>,
    /// What failed and what was (not) appended.
    pub sentence: String,
}

/// Words for a failed ingest of the input named `name`. `seqs` are the entries appended before
/// an interruption (as the receipts reported them); `refusal` words the ledger's reason for
/// refusing a statement (the adapter's wording of [`LedgerError`]).
pub fn failure(
    name: &str,
    e: &IngestError,
    seqs: Option<(u64, u64)>,
    refusal: &dyn Fn(&LedgerError) -> String,
) -> Failure {
    let mut listed = Vec::new();
    let sentence = match e {
        IngestError::Unreadable { errors, count } => match (errors.as_slice(), count) {
            ([only], 1) => format!("{name} {only}; nothing was appended"),
            _ => {
                listed.extend(errors.iter().map(|e| format!("{name} {e}")));
                if *count > errors.len() {
                    listed.push(format!(
                        "and {} more unreadable statements",
                        count - errors.len()
                    ));
                }
                format!(
                    "{} of {name} cannot be read; nothing was appended",
                    statements(*count as u64)
                )
            }
        },
        IngestError::Refused(r) => refused_sentence(name, r.line, &r.error, refusal),
        IngestError::Interrupted {
            committed,
            line,
            source,
        } => format!(
            "{} of {name} appended{} and durable, then appending failed at line {line}: {source}; the statements from line {line} on were not appended",
            statements(*committed),
            entry_range(seqs)
        ),
        other => format!("{other}; nothing was appended"),
    };
    Failure { listed, sentence }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn an_interruption_says_what_is_durable_and_what_is_not() {
        let e = IngestError::Interrupted {
            committed: 2,
            line: 3,
            source: LedgerError::NoGenesis,
        };
        let f = failure("batch.jsonl", &e, Some((5, 6)), &|e| e.to_string());
        assert!(f.listed.is_empty());
        assert!(
            f.sentence.starts_with("2 statements of batch.jsonl appended (entries 5–6) and durable, then appending failed at line 3: "),
            "{}",
            f.sentence
        );
        assert!(f
            .sentence
            .ends_with("; the statements from line 3 on were not appended"));
    }
}
