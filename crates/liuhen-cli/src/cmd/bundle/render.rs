//! What `liuhen bundle` prints: the export's summary (text and `--json`, docs/CLI.md) and the
//! verification report.

use std::io::{self, Write};

use liuhen::bundle::{BundleReport, EntryRole, MediaStatus};
use liuhen::disclosure::{Export, OpeningsFrom};
use liuhen::hash::Digest;
use liuhen::model::Timestamp;
use liuhen::verify::Verdict;
use serde_json::{json, Value};

use super::ExportArgs;
use crate::cmd::append::receipt_json;
use crate::cmd::prove::{clean, local_time, short};
use crate::layout::LedgerDir;
use crate::Global;

/// The `--json` output of `bundle export` (docs/CLI.md).
pub(super) fn export_json(args: &ExportArgs, d: &Export) -> Value {
    let summary = &d.summary;
    let mut disclosure = match d.receipts.first() {
        Some(r) => receipt_json(r, "RecordDisclosed", Some(&summary.case_no), &d.author),
        None => serde_json::Map::new(),
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
    disclosure.insert("request".into(), json!(args.request));
    let mut what = vec![d.bundle.to_hex()];
    what.extend(d.summary.media.iter().map(Digest::to_hex));
    disclosure.insert("what".into(), json!(what));
    json!({
        "bundle": args.output.display().to_string(),
        "bytes": summary.bytes_written,
        "blake3": d.bundle.to_hex(),
        "case_no": summary.case_no,
        "checkpoint_size": summary.checkpoint_size,
        "case_entries": summary.case_entries.len(),
        "registry_entries": summary.registry_entries,
        "openings": summary.openings,
        "openings_from": d.openings_from.name(),
        "openings_erased": d
            .erased
            .iter()
            .map(|(c, seq)| json!({ "commitment": c.0.to_hex(), "seq": seq }))
            .collect::<Vec<_>>(),
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

/// The text output of `bundle export`.
pub(super) fn export_text(args: &ExportArgs, d: &Export) -> String {
    let summary = &d.summary;
    let mut out = format!(
        "bundle of case {} written to {} ({} bytes)\n  BLAKE3 {}\n",
        clean(&summary.case_no),
        args.output.display(),
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
        OpeningsFrom::Vault => format!("from {}", LedgerDir::new(&args.dir).vault_dir().display()),
        OpeningsFrom::Given => format!(
            "from {}",
            args.openings
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ),
        OpeningsFrom::None => "--no-openings".to_owned(),
        _ => "no vault".to_owned(),
    };
    out.push_str(&format!(
        "  {} openings of sealed fields ({source})\n",
        summary.openings
    ));
    if args.with_media {
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
    let request = args
        .request
        .as_deref()
        .map(|r| format!(", answering request {}", clean(r)))
        .unwrap_or_default();
    let by = match &d.holder {
        Some(h) => format!("{} ({})", clean(h), d.author),
        None => d.author.to_string(),
    };
    out.push_str(&format!(
        "disclosure recorded at {seqs}: RecordDisclosed to {whom} {}{request}, signed by {by}\n",
        d.to.0.to_hex()
    ));
    out
}

/// Notes on stderr about what the bundle leaves out.
pub(super) fn export_notes(dir: &LedgerDir, d: &Export) {
    let (summary, erased, missing) = (&d.summary, &d.erased, &d.missing);
    if d.openings_from == OpeningsFrom::NoVault {
        eprintln!(
            "liuhen: note: {} has no vault ({}): the bundle discloses no openings",
            dir.root().display(),
            dir.vault_dir().display()
        );
    }
    for (c, seq) in erased {
        eprintln!(
            "liuhen: note: the opening of {} was erased at entry {seq}: not in the bundle",
            short(&c.0.to_hex())
        );
    }
    for c in missing {
        eprintln!(
            "liuhen: warning: the vault holds no opening for {}, a sealed field of the case: not in the bundle",
            short(&c.0.to_hex())
        );
    }
    for m in &summary.media_missing {
        match m.purged {
            Some(seq) => eprintln!(
                "liuhen: note: media {} ({}, entry {}) was purged at entry {seq}: not in the bundle",
                m.digest,
                clean(&m.name),
                m.seq
            ),
            None => eprintln!(
                "liuhen: warning: media {} ({}, entry {}) is missing from {} and no MediaPurged allows it: not in the bundle (run `liuhen verify`)",
                m.digest,
                clean(&m.name),
                m.seq,
                dir.media_dir().display()
            ),
        }
    }
}

/// The text report of `bundle verify`.
pub(super) fn print_report(name: &str, r: &BundleReport, global: &Global) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let verdict = match r.verdict {
        Verdict::Verified => "VERIFIED",
        Verdict::Unverified => "NOT FULLY VERIFIED",
        Verdict::Tampered => "TAMPERED",
    };
    let ledger = r.origin.as_deref().map(clean).unwrap_or_else(|| "?".into());
    match &r.checkpoint {
        Some(c) => writeln!(
            out,
            "{verdict}: bundle {name} of case {}, ledger {ledger}, checkpoint of size {} (root {})",
            clean(&r.case_no),
            c.size,
            short(&c.root)
        )?,
        None => writeln!(
            out,
            "{verdict}: bundle {name} of case {} (its checkpoint does not verify with the key given)",
            clean(&r.case_no)
        )?,
    }
    let included = r.entries.iter().filter(|e| e.included).count();
    writeln!(
        out,
        "  {} entries of the case, {} genesis/registry entries; {included} of {} included in the signed checkpoint",
        r.case_entries,
        r.registry_entries,
        r.entries.len()
    )?;
    if !global.quiet {
        for e in &r.entries {
            let role = match e.role {
                EntryRole::Genesis => "genesis ",
                EntryRole::Registry => "registry",
                EntryRole::Case => "case    ",
            };
            let by = e
                .holder
                .as_deref()
                .map(clean)
                .unwrap_or_else(|| "unknown key".into());
            writeln!(
                out,
                "    #{:<6} {role} {:<22} {}  by {by} ({})",
                e.seq,
                e.event,
                local_time(Timestamp(e.logged_at)),
                short(e.author.strip_prefix("ed25519:").unwrap_or(&e.author))
            )?;
        }
    }
    for o in &r.openings {
        writeln!(
            out,
            "  opened: {} = {} (commitment {})",
            clean(&o.field),
            clean(&o.value),
            short(&o.commitment)
        )?;
    }
    let count = |s: MediaStatus| r.media.iter().filter(|m| m.status == s).count();
    if !r.media.is_empty() {
        writeln!(
            out,
            "  media: {} verified ({} bytes checked), {} altered, {} unreferenced, {} not included, {} purged",
            count(MediaStatus::Verified),
            r.media_bytes_checked,
            count(MediaStatus::Altered),
            count(MediaStatus::Unreferenced),
            count(MediaStatus::NotIncluded),
            count(MediaStatus::Purged)
        )?;
    }
    if !r.findings.is_empty() {
        writeln!(out, "findings:")?;
        for f in &r.findings {
            let kind = serde_json::to_value(f.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let seq = f.seq.map(|s| format!(" (entry {s})")).unwrap_or_default();
            writeln!(out, "  ✘ {kind}{seq}: {}", clean(&f.message))?;
        }
        if r.findings_omitted > 0 {
            writeln!(out, "  … and {} more", r.findings_omitted)?;
        }
    }
    writeln!(out, "what a bundle cannot prove:")?;
    for l in &r.limitations {
        writeln!(out, "  - {l}")?;
    }
    Ok(())
}
