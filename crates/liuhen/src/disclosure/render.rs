//! What a disclosure or an access says, as text and JSON (docs/CLI.md): the summary of a
//! bundle export with its `RecordDisclosed` trace, the notes on what a bundle leaves out, the
//! openings a traced view revealed, an erasure. `liuhen bundle export` and `liuhen vault show`
//! / `erase` print these; another adapter serves the same text and JSON.

use std::path::Path;

use serde_json::{json, Map, Value};

use super::{Erasure, Export, ExportRequest, OpeningsFrom, Recipient, View};
use crate::dir::LedgerDir;
use crate::hash::Digest;
use crate::ingest::render::receipt_members;
use crate::model::Sealed;
use crate::text::{replace_controls as clean, short};

/// The request id a disclosure answers, if any.
fn request_id(request: &ExportRequest) -> Option<&str> {
    match &request.recipient {
        Recipient::Requester { request, .. } => Some(request),
        _ => None,
    }
}

/// Commitments with the entry that erased each: `[{commitment, seq}]`.
fn erased_json(erased: &[(Sealed, u64)]) -> Vec<Value> {
    erased
        .iter()
        .map(|(c, seq)| json!({ "commitment": c.0.to_hex(), "seq": seq }))
        .collect()
}

/// The JSON summary of a bundle export and its disclosure (`liuhen bundle export --json`).
pub fn export_json(request: &ExportRequest, d: &Export) -> Value {
    let summary = &d.summary;
    let mut disclosure = match d.receipts.first() {
        Some(r) => receipt_members(r, "RecordDisclosed", Some(&summary.case_no), &d.author),
        None => Map::new(),
    };
    disclosure.insert(
        "seqs".into(),
        json!(d.receipts.iter().map(|r| r.seq).collect::<Vec<_>>()),
    );
    disclosure.insert("holder".into(), json!(d.holder));
    disclosure.insert("to".into(), json!(d.to.0.to_hex()));
    disclosure.insert(
        "recipient".into(),
        json!(if d.new_recipient { "new" } else { "requester" }),
    );
    disclosure.insert("request".into(), json!(request_id(request)));
    let mut what = vec![d.bundle.to_hex()];
    what.extend(d.summary.media.iter().map(Digest::to_hex));
    disclosure.insert("what".into(), json!(what));
    json!({
        "bundle": d.output.display().to_string(),
        "bytes": summary.bytes_written,
        "blake3": d.bundle.to_hex(),
        "case_no": summary.case_no,
        "checkpoint_size": summary.checkpoint_size,
        "case_entries": summary.case_entries.len(),
        "registry_entries": summary.registry_entries,
        "openings": summary.openings,
        "openings_from": d.openings_from.name(),
        "openings_erased": erased_json(&d.erased),
        "openings_missing": d.missing.iter().map(|c| c.0.to_hex()).collect::<Vec<_>>(),
        "media_referenced": summary.media_referenced,
        "media_included": summary.media_included,
        "media_bytes": summary.media_bytes,
        "media_missing": summary
            .media_missing
            .iter()
            .map(|m| json!({
                "digest": m.digest.to_hex(),
                "name": m.name,
                "seq": m.seq,
                "purged": m.purged,
            }))
            .collect::<Vec<_>>(),
        "disclosure": Value::Object(disclosure),
    })
}

/// The text summary of a bundle export and its disclosure, one line each. `dir` is the ledger
/// directory exported from; `openings_file` names where given openings came from.
pub fn export_text(
    dir: &LedgerDir,
    request: &ExportRequest,
    openings_file: Option<&Path>,
    d: &Export,
) -> String {
    let summary = &d.summary;
    let mut out = format!(
        "bundle of case {} written to {} ({} bytes)\n  BLAKE3 {}\n",
        clean(&summary.case_no),
        d.output.display(),
        summary.bytes_written,
        d.bundle
    );
    out.push_str(&format!(
        "  {} entries of the case and {} genesis/registry entries, each with an inclusion proof against the checkpoint of size {}\n",
        summary.case_entries.len(),
        summary.registry_entries,
        summary.checkpoint_size
    ));
    let source = match d.openings_from {
        OpeningsFrom::Vault => format!("from {}", dir.vault_dir().display()),
        OpeningsFrom::Given => format!(
            "from {}",
            openings_file
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ),
        OpeningsFrom::None => "--no-openings".to_owned(),
        OpeningsFrom::NoVault => "no vault".to_owned(),
    };
    out.push_str(&format!(
        "  {} openings of sealed fields ({source})\n",
        summary.openings
    ));
    if request.with_media {
        out.push_str(&format!(
            "  {} of {} media objects ({} bytes)\n",
            summary.media_included, summary.media_referenced, summary.media_bytes
        ));
    } else if summary.media_referenced > 0 {
        out.push_str(&format!(
            "  no media ({} referenced; add --with-media to include them)\n",
            summary.media_referenced
        ));
    }
    let seqs = match (d.receipts.first(), d.receipts.last()) {
        (Some(a), Some(b)) if a.seq == b.seq => format!("entry {}", a.seq),
        (Some(a), Some(b)) => format!("entries {}–{}", a.seq, b.seq),
        _ => "no entry".to_owned(),
    };
    let whom = if d.new_recipient {
        "the recipient, sealed as"
    } else {
        "the requester of"
    };
    let answering = request_id(request)
        .map(|r| format!(", answering request {}", clean(r)))
        .unwrap_or_default();
    let by = match &d.holder {
        Some(h) => format!("{} ({})", clean(h), d.author),
        None => d.author.to_string(),
    };
    out.push_str(&format!(
        "disclosure recorded at {seqs}: RecordDisclosed to {whom} {}{answering}, signed by {by}\n",
        d.to.0.to_hex()
    ));
    out
}

/// Notes on what the bundle leaves out (no vault, erased or missing openings, purged or
/// missing media), one sentence each, each starting `note:` or `warning:`.
pub fn export_notes(dir: &LedgerDir, d: &Export) -> Vec<String> {
    let mut notes = Vec::new();
    if d.openings_from == OpeningsFrom::NoVault {
        notes.push(format!(
            "note: {} has no vault ({}): the bundle discloses no openings",
            dir.root().display(),
            dir.vault_dir().display()
        ));
    }
    for (c, seq) in &d.erased {
        notes.push(format!(
            "note: the opening of {} was erased at entry {seq}: not in the bundle",
            short(&c.0.to_hex())
        ));
    }
    for c in &d.missing {
        notes.push(format!(
            "warning: the vault holds no opening for {}, a sealed field of the case: not in the bundle",
            short(&c.0.to_hex())
        ));
    }
    for m in &d.summary.media_missing {
        notes.push(match m.purged {
            Some(seq) => format!(
                "note: media {} ({}, entry {}) was purged at entry {seq}: not in the bundle",
                m.digest,
                clean(&m.name),
                m.seq
            ),
            None => format!(
                "warning: media {} ({}, entry {}) is missing from {} and no MediaPurged allows it: not in the bundle (run `liuhen verify`)",
                m.digest,
                clean(&m.name),
                m.seq,
                dir.media_dir().display()
            ),
        });
    }
    notes
}

/// The JSON of a traced view (`liuhen vault show --json`): `{case_no, viewed, openings,
/// erased, missing}`.
pub fn view_json(view: &View) -> Value {
    let mut viewed = receipt_members(&view.receipt, "RecordViewed", None, &view.author);
    viewed.insert("by".into(), json!(view.by));
    viewed.insert("purpose".into(), json!(view.purpose));
    let found = &view.openings;
    let openings: Vec<Value> = found
        .openings
        .iter()
        .map(|o| {
            json!({
                "commitment": o.commitment().0.to_hex(),
                "field": o.field,
                "value": o.value,
            })
        })
        .collect();
    let missing: Vec<Value> = found
        .missing
        .iter()
        .map(|c| json!({ "commitment": c.0.to_hex() }))
        .collect();
    json!({
        "case_no": view.case_no,
        "viewed": Value::Object(viewed),
        "openings": openings,
        "erased": erased_json(&found.erased),
        "missing": missing,
    })
}

/// The text of a traced view: who viewed for what, then each sealed field of the case (its
/// value, the entry that erased it, or that the vault holds nothing for it).
pub fn view_text(view: &View) -> String {
    let found = &view.openings;
    let total = found.openings.len() + found.erased.len() + found.missing.len();
    let mut out = format!(
        "case {}: {total} sealed field(s); viewed by {} for \"{}\" (RecordViewed, entry {})\n",
        clean(&view.case_no),
        clean(&view.by),
        clean(&view.purpose),
        view.receipt.seq
    );
    for o in &found.openings {
        out.push_str(&format!(
            "  {} = {}  (commitment {})\n",
            clean(&o.field),
            clean(&o.value),
            o.commitment().0.to_hex()
        ));
    }
    for (c, seq) in &found.erased {
        out.push_str(&format!(
            "  erased at entry {seq}  (commitment {})\n",
            c.0.to_hex()
        ));
    }
    for c in &found.missing {
        out.push_str(&format!(
            "  missing: the vault holds no opening  (commitment {})\n",
            c.0.to_hex()
        ));
    }
    out
}

/// The result of an erasure, with its line break: JSON `{commitment, seq, appended,
/// authority}` or one text line.
pub fn erasure(request: &super::EraseRequest, done: &Erasure, as_json: bool) -> String {
    let (hex, seq) = (request.commitment.0.to_hex(), done.seq);
    if as_json {
        let authority = request.authority.trim();
        let v = json!({ "commitment": hex, "seq": seq, "appended": done.appended, "authority": authority });
        format!("{v}\n")
    } else if done.appended {
        format!("entry {seq}  Erased  {hex}\n")
    } else {
        format!("entry {seq}  Erased  {hex}  (recorded before; the destruction is now complete)\n")
    }
}
