//! The human text of a [`BundleReport`]: what `liuhen bundle verify` prints without `--json`,
//! and what another adapter shows for the same verification. The verdict and the checkpoint
//! first, then the entries (if asked), the disclosed openings, the media, the findings and what
//! a bundle cannot prove. Text from the bundle is cleaned of control characters.

use super::{BundleReport, EntryRole, MediaStatus};
use crate::model::Timestamp;
use crate::text::{local_time, replace_controls as clean, short};
use crate::verify::Verdict;

/// The report as text, each line ending in a line break. `name` names the bundle (its path);
/// with `entries`, each entry is listed with its role, event, time and author.
pub fn text(name: &str, r: &BundleReport, entries: bool) -> String {
    let mut out = String::new();
    let mut line = |l: String| {
        out.push_str(&l);
        out.push('\n');
    };
    let verdict = match r.verdict {
        Verdict::Verified => "VERIFIED",
        Verdict::Unverified => "NOT FULLY VERIFIED",
        Verdict::Tampered => "TAMPERED",
    };
    let ledger = r.origin.as_deref().map(clean).unwrap_or_else(|| "?".into());
    line(match &r.checkpoint {
        Some(c) => format!(
            "{verdict}: bundle {name} of case {}, ledger {ledger}, checkpoint of size {} (root {})",
            clean(&r.case_no),
            c.size,
            short(&c.root)
        ),
        None => format!(
            "{verdict}: bundle {name} of case {} (its checkpoint does not verify with the key given)",
            clean(&r.case_no)
        ),
    });
    match &r.proven_before {
        Some(p) => line(format!(
            "  every entry of this bundle existed before {} ({}), unchanged since",
            crate::describe::iso8601(p.time),
            clean(&p.source.to_string())
        )),
        None => {
            line("  proven-before time: none (no verified witness cosignature or TSA token)".into())
        }
    }
    for t in &r.timestamps {
        line(match (&t.gen_time, &t.tsa, &t.error) {
            (Some(g), Some(tsa), _) => format!(
                "  timestamp: genTime {} by {} (verified)",
                crate::describe::iso8601(*g),
                clean(tsa)
            ),
            (_, _, Some(e)) if t.checked => format!("  timestamp: DOES NOT VERIFY: {}", clean(e)),
            (_, _, e) => format!(
                "  timestamp: not checked ({})",
                clean(e.as_deref().unwrap_or("no TSA root given"))
            ),
        });
    }
    let included = r.entries.iter().filter(|e| e.included).count();
    line(format!(
        "  {} entries of the case, {} genesis/registry entries; {included} of {} included in the signed checkpoint",
        r.case_entries,
        r.registry_entries,
        r.entries.len()
    ));
    if entries {
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
            line(format!(
                "    #{:<6} {role} {:<22} {}  by {by} ({})",
                e.seq,
                e.event,
                local_time(Timestamp(e.logged_at)),
                short(e.author.strip_prefix("ed25519:").unwrap_or(&e.author))
            ));
        }
    }
    for o in &r.openings {
        line(format!(
            "  opened: {} = {} (commitment {})",
            clean(&o.field),
            clean(&o.value),
            short(&o.commitment)
        ));
    }
    let count = |s: MediaStatus| r.media.iter().filter(|m| m.status == s).count();
    if !r.media.is_empty() {
        line(format!(
            "  media: {} verified ({} bytes checked), {} altered, {} unreferenced, {} not included, {} purged",
            count(MediaStatus::Verified),
            r.media_bytes_checked,
            count(MediaStatus::Altered),
            count(MediaStatus::Unreferenced),
            count(MediaStatus::NotIncluded),
            count(MediaStatus::Purged)
        ));
    }
    if !r.findings.is_empty() {
        line("findings:".into());
        for f in &r.findings {
            let kind = serde_json::to_value(f.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let seq = f.seq.map(|s| format!(" (entry {s})")).unwrap_or_default();
            line(format!("  ✘ {kind}{seq}: {}", clean(&f.message)));
        }
        if r.findings_omitted > 0 {
            line(format!("  … and {} more", r.findings_omitted));
        }
    }
    line("what a bundle cannot prove:".into());
    for l in &r.limitations {
        line(format!("  - {l}"));
    }
    out
}
