//! The human text of a [`CheckReport`]: what `liuhen verify` prints without `--json`, and what
//! any other adapter (an HTTP service serving `text/plain`, a C ABI returning a report string)
//! shows for the same check. The verdict comes first, then what was checked, then the findings
//! grouped by kind (tampering first), then the audit in brief. Text taken from the ledger or
//! the key file is escaped ([`crate::text::escape_controls`]).

use super::{AuditBrief, CheckReport};
use crate::describe::iso8601;
use crate::model::Timestamp;
use crate::text::escape_controls as clean;
use crate::verify::{FindingKind, Severity, Verdict};

/// The whole human report, without a final line break: [`report`], then, if the check ran the
/// audit, an empty line and [`audit_brief`].
pub fn text(v: &CheckReport) -> String {
    let mut text = report(v);
    if let Some(a) = v.audit() {
        text.push('\n');
        text.push_str(&audit_brief(v, &AuditBrief::of(a)));
    }
    text
}

/// The audit's part of the human report: counts, violations by article, where the details are.
pub fn audit_brief(v: &CheckReport, a: &AuditBrief) -> String {
    let mut out = format!(
        "audit ({}, as of {}): {} violation(s), {} warning(s), {} notice(s)",
        a.profile,
        iso8601(Timestamp(a.as_of)),
        a.violations,
        a.warnings,
        a.notices
    );
    if !a.violations_by_article.is_empty() {
        let list: Vec<String> = a
            .violations_by_article
            .iter()
            .map(|(article, n)| format!("{article} ×{n}"))
            .collect();
        out.push_str(&format!("\n  violations   {}", list.join(", ")));
    }
    if a.violations + a.warnings + a.notices > 0 {
        out.push_str(&format!(
            "\n  details      liuhen audit {}",
            v.dir().display()
        ));
    }
    out
}

/// The integrity part of the human report: the verdict line, what was checked, the findings.
pub fn report(v: &CheckReport) -> String {
    let r = v.report();
    let mut lines = vec![verdict_line(v)];
    let field = |name: &str, value: String| format!("  {name:<13}{value}");
    lines.push(field(
        "ledger",
        match &r.origin {
            Some(o) => format!("{} (origin {})", v.dir().display(), clean(o)),
            None => format!("{} (origin unknown: no valid genesis)", v.dir().display()),
        },
    ));
    lines.push(field(
        "entries",
        if r.entries == v.store().entries_indexed {
            r.entries.to_string()
        } else {
            format!(
                "{} read of {} indexed (reading stops at the first unreadable entry)",
                r.entries,
                v.store().entries_indexed
            )
        },
    ));
    lines.push(field(
        "checkpoints",
        format!(
            "{} stored, {} verified",
            r.checkpoints, r.checkpoints_verified
        ),
    ));
    if let Some(c) = &r.latest_verified {
        lines.push(field("latest", format!("size {}, root {}", c.size, c.root)));
    }
    lines.push(field(
        "ledger key",
        match v.trust_anchor() {
            Some(t) if r.has(FindingKind::WrongLedgerKey) => format!(
                "DOES NOT MATCH the trusted key in {} ({})",
                t.file.display(),
                t.vkey
            ),
            Some(t) => format!("checked against {} ({})", t.file.display(), t.vkey),
            None => "NOT checked: no --vkey given".into(),
        },
    ));
    if let Some(c) = v.trusted_checkpoint() {
        let extended =
            !r.has(FindingKind::TrustedCheckpointMismatch) && !r.has(FindingKind::Rollback);
        let extends = if extended {
            "the ledger extends it"
        } else {
            "the ledger does NOT extend it"
        };
        lines.push(field(
            "saved state",
            format!("{} (size {}): {extends}", c.file.display(), c.size),
        ));
    }
    lines.push(field("witnesses", witnesses_line(r)));
    if let Some(t) = v.timestamps() {
        lines.push(field("timestamps", timestamps_line(t)));
    }
    if let Some(p) = v.proven_before().and_then(|p| p.summary()) {
        lines.push(field(
            "proven before",
            clean(&format!(
                "entries 0..{} existed before {} ({}, checkpoint of {} entries)",
                p.latest.size,
                iso8601(p.latest.time),
                p.latest.source,
                p.latest.size
            )),
        ));
    }
    lines.push(field(
        "media",
        match (&v.media().dir, &v.media().reason) {
            (Some(_), Some(why)) => format!("files checked: {why}"),
            (Some(d), None) => format!("files checked in {}", d.display()),
            (None, Some(why)) => format!("files NOT checked: {why}"),
            (None, None) => "files NOT checked".into(),
        },
    ));
    let store = v.store();
    let damaged = store.tampering.len() as u64 + store.tampering_omitted + store.dropped_records;
    lines.push(field(
        "store files",
        match (damaged, r.has(FindingKind::UncommittedTail)) {
            (0, false) => "full check: intact".into(),
            (0, true) => "full check: intact up to the last committed record; bytes after it are not part of the ledger".into(),
            (n, _) => format!("full check: {n} damaged records"),
        },
    ));
    for note in v.notes() {
        lines.push(format!("  note: {}", clean(&note)));
    }
    let groups = v.finding_groups();
    if !groups.is_empty() {
        lines.push(String::new());
        lines.push(format!("findings ({} listed):", r.findings.len()));
        for g in groups {
            let article = g
                .kind
                .article()
                .map(|a| format!(" — {a}"))
                .unwrap_or_default();
            let severity = match g.severity {
                Severity::Tampering => "tampering",
                Severity::Unverified => "unverified",
            };
            let (name, n) = (g.kind.name(), g.findings.len());
            lines.push(format!("  {name} — {severity}{article} ({n})"));
            for f in g.findings {
                let at = match (f.seq, f.checkpoint) {
                    (Some(seq), _) => format!("#{seq}"),
                    (None, Some(cp)) => format!("cp {cp}"),
                    (None, None) => "-".into(),
                };
                lines.push(format!("    {at:<8} {}", clean(&f.message)));
            }
        }
    }
    let omitted = r.findings_omitted;
    if omitted > 0 {
        lines.push(format!(
            "  … and {omitted} more findings not listed (see --max-findings)"
        ));
    }
    for (i, split) in r.split_views.iter().enumerate() {
        lines.push(String::new());
        lines.push(format!(
            "split view {}: {} — proof: these two notes, each signed by the ledger key:",
            i + 1,
            clean(&split.reason)
        ));
        for c in &split.checkpoints {
            let witnessed = if c.witnessed {
                "meets the witness policy"
            } else {
                "not witnessed"
            };
            lines.push(format!(
                "  {} (size {}, root {}, {witnessed}):",
                c.source, c.size, c.root
            ));
            for l in c.note.lines() {
                lines.push(format!("    {}", clean(l)));
            }
        }
    }
    lines.join("\n")
}

/// The `timestamps` line: what was done with the stored RFC 3161 tokens.
fn timestamps_line(t: &super::TimestampSummary) -> String {
    if !t.checked {
        return t
            .reason
            .clone()
            .unwrap_or_else(|| "NOT checked: no TSA root given (--tsa-root)".into());
    }
    let mut s = format!("{} stored, {} verified", t.tokens, t.verified);
    if t.forged > 0 {
        s.push_str(&format!(", {} FORGED or altered", t.forged));
    }
    if t.unchecked > 0 {
        s.push_str(&format!(", {} could not be checked", t.unchecked));
    }
    s
}

/// The `witnesses` line: what the witness policy found, or that none was given.
fn witnesses_line(r: &crate::verify::Report) -> String {
    let Some(w) = &r.witnesses else {
        return "NOT checked: no witness policy given (--policy)".into();
    };
    let cosigners = |p: &crate::policy::PolicyCheck| {
        p.cosigners
            .iter()
            .map(|c| format!("{} at {}", clean(&c.witness), c.at()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let quorum = clean(&w.quorum);
    if quorum == "none" {
        return "the witness policy requires no cosignature (quorum none)".into();
    }
    match (&w.latest_witnessed, &w.latest) {
        (Some(p), Some(latest)) if p.size == latest.size => format!(
            "the latest checkpoint (size {}) meets the quorum {quorum}: cosigned by {}",
            p.size,
            cosigners(p)
        ),
        (Some(p), _) => format!(
            "witnessed up to size {} (quorum {quorum}; cosigned by {}); the latest checkpoint is NOT witnessed",
            w.witnessed_size,
            cosigners(p)
        ),
        (None, _) if w.witnessed_size > 0 => format!(
            "no stored checkpoint meets the quorum {quorum}; the saved checkpoint covers the first {} entries",
            w.witnessed_size
        ),
        (None, _) => format!("NO checkpoint meets the quorum {quorum}"),
    }
}

/// The first line: the verdict and, in one sentence, why.
pub fn verdict_line(v: &CheckReport) -> String {
    let r = v.report();
    let groups = v.finding_groups();
    let of = |severity: Severity| groups.iter().filter(move |g| g.severity == severity);
    match r.verdict {
        Verdict::Verified => {
            let media = if v.media().checked {
                ", every media file"
            } else {
                ""
            };
            format!(
                "VERIFIED — {} entries: every signature, the hash chain, the key registry, {} checkpoints{media} and the store files check out against the trusted key",
                r.entries, r.checkpoints_verified
            )
        }
        Verdict::Unverified => {
            let what: Vec<String> = of(Severity::Unverified).map(|g| g.kind.name()).collect();
            format!(
                "UNVERIFIED — nothing was found wrong, but not everything could be checked ({})",
                what.join(", ")
            )
        }
        Verdict::Tampered => {
            let n: usize = of(Severity::Tampering).map(|g| g.findings.len()).sum();
            format!("TAMPERED — integrity is broken: {n} tampering findings")
        }
    }
}

/// The warning for a check without a trust anchor (no verifier key given), or `None` when one
/// was given. `vkey_copy` is the copy of the key inside the directory, if the adapter knows it.
pub fn no_trust_anchor_warning(
    v: &CheckReport,
    vkey_copy: Option<&std::path::Path>,
) -> Option<String> {
    if v.trust_anchor().is_some() {
        return None;
    }
    let hint = match vkey_copy {
        Some(copy) => format!(
            " ({} is only a copy inside the directory under audit)",
            copy.display()
        ),
        None => String::new(),
    };
    Some(format!(
        "without --vkey the ledger key's authenticity was not checked: a ledger rewritten under another key would pass the same checks; pass the verifier key you obtained independently with --vkey{hint}"
    ))
}
