//! How the demo talks: one heading per act, one line per step, the article beside it.
//!
//! The story is the demo's product, so its form lives in one place: `✓` for a step done as the
//! regulation asks, `!` for a lapse the audit will flag, `✗` for a self-test that failed.

use std::path::Path;

use liuhen::bundle::{BundleFinding, BundleFindingKind};
use liuhen::model::Timestamp;
use liuhen::verify::{Finding, FindingKind};

/// Prints the heading of an act.
pub(super) fn act(number: u32, title: &str) {
    println!("\nAct {number} · {title}");
}

/// Prints a step done as the regulation asks.
pub(super) fn done(text: &str) {
    println!("  ✓ {text}");
}

/// Prints a lapse that the audit will flag.
pub(super) fn lapse(text: &str) {
    println!("  ! {text}");
}

/// Prints a plain line under the current act.
pub(super) fn note(text: &str) {
    println!("    {text}");
}

/// Prints a failed self-test (the caller then stops the demo with an error).
pub(super) fn failed(text: &str) {
    println!("  ✗ {text}");
}

/// Prints what a tampering did.
pub(super) fn tampering(text: &str) {
    println!("  {text}");
}

/// Prints that the verifier caught a tampering.
pub(super) fn caught(text: &str) {
    println!("      ✓ {text}");
}

/// Prints that the verifier missed a tampering (the caller then stops the demo with an error).
pub(super) fn missed(text: &str) {
    println!("      ✗ {text}");
}

/// Midnight at the start of 2026-03-01 in Asia/Shanghai, the first day of the demo's story.
pub(super) const MARCH_1: i64 = 1_772_294_400_000;
/// One minute in milliseconds.
pub(super) const MINUTE: i64 = 60_000;
/// One hour in milliseconds.
pub(super) const HOUR: i64 = 60 * MINUTE;
/// One day in milliseconds.
pub(super) const DAY: i64 = 24 * HOUR;

/// 2026-03-`day` `hour`:`minute` in Asia/Shanghai.
pub(super) fn march(day: i64, hour: i64, minute: i64) -> Timestamp {
    Timestamp(MARCH_1 + (day - 1) * DAY + hour * HOUR + minute * MINUTE)
}

/// A time of the story as `03-02 09:40` (Asia/Shanghai). The story stays within a few weeks of
/// March 2026, so the month is counted in days from March 1st rather than with a calendar.
pub(super) fn clock_time(t: Timestamp) -> String {
    let since = t.0 - MARCH_1;
    let (day, rest) = (since.div_euclid(DAY), since.rem_euclid(DAY));
    let (month, day) = if day < 31 {
        (3, day + 1)
    } else {
        (4, day - 30)
    };
    format!(
        "{month:02}-{day:02} {:02}:{:02}",
        rest / HOUR,
        rest % HOUR / MINUTE
    )
}

/// A duration in whole hours and minutes, as `27 h` or `2 h 30 min`.
pub(super) fn duration(ms: i64) -> String {
    let minutes = ms / MINUTE;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// A byte count as `768 KiB` or `2.3 MiB`.
pub(super) fn bytes(n: u64) -> String {
    if n < 1 << 20 {
        format!("{} KiB", n.div_ceil(1024))
    } else {
        // Display only: the precision of an f64 is ample for a file size.
        format!("{:.1} MiB", n as f64 / f64::from(1u32 << 20))
    }
}

/// The name a finding kind has in JSON reports (`media_swapped`), which is what an auditor
/// greps for.
pub(super) fn kind_name(kind: FindingKind) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{kind:?}"),
    }
}

/// The findings of a report in one line: each kind once, in order of first appearance, with
/// the entry it was first seen at and how often it occurs (`bad_signature at entry 41,
/// broken_chain at entry 42, checkpoint_mismatch ×2`); at most `max_kinds` kinds, then `…`.
pub(super) fn findings_line(findings: &[Finding], max_kinds: usize) -> String {
    kinds_line(
        findings.iter().map(|f| (kind_name(f.kind), f.seq)),
        max_kinds,
    )
}

/// The findings of a bundle report in one line, as [`findings_line`].
pub(super) fn bundle_findings_line(findings: &[BundleFinding], max_kinds: usize) -> String {
    let name = |kind: BundleFindingKind| match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{kind:?}"),
    };
    kinds_line(findings.iter().map(|f| (name(f.kind), f.seq)), max_kinds)
}

/// Findings given as (kind name, entry) in one line (see [`findings_line`]).
fn kinds_line(findings: impl Iterator<Item = (String, Option<u64>)>, max_kinds: usize) -> String {
    let mut kinds: Vec<(String, Option<u64>, usize)> = Vec::new();
    for (kind, seq) in findings {
        match kinds.iter_mut().find(|(k, _, _)| *k == kind) {
            Some((_, _, n)) => *n += 1,
            None => kinds.push((kind, seq, 1)),
        }
    }
    let more = kinds.len() > max_kinds;
    let mut parts: Vec<String> = kinds
        .into_iter()
        .take(max_kinds)
        .map(|(mut s, seq, n)| {
            if let Some(seq) = seq {
                s.push_str(&format!(" at entry {seq}"));
            }
            if n > 1 {
                s.push_str(&format!(" ×{n}"));
            }
            s
        })
        .collect();
    if more {
        parts.push("…".into());
    }
    parts.join(", ")
}

/// A date as `2036-04-07` (Asia/Shanghai), for times beyond the month that
/// [`clock_time`] covers.
pub(super) fn date(t: Timestamp) -> String {
    let full = liuhen::audit::format_time(t);
    match full.get(..10) {
        Some(day) => day.to_owned(),
        None => full,
    }
}

/// `path` as a shell word: unchanged if it needs no quoting, else single-quoted, so that the
/// printed commands can be pasted as they are.
pub(super) fn shell(path: &Path) -> String {
    shell_word(&path.display().to_string())
}

/// `word` as a shell word (see [`shell`]).
pub(super) fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_sizes_read_naturally() {
        assert_eq!(clock_time(march(2, 9, 40)), "03-02 09:40");
        assert_eq!(clock_time(march(31, 23, 59)), "03-31 23:59");
        assert_eq!(clock_time(march(33, 8, 0)), "04-02 08:00");
        assert_eq!(duration(27 * HOUR), "27 h");
        assert_eq!(duration(2 * HOUR + 30 * MINUTE), "2 h 30 min");
        assert_eq!(duration(45 * MINUTE), "45 min");
        assert_eq!(bytes(786_432), "768 KiB");
        assert_eq!(bytes(2_411_724), "2.3 MiB");
        assert_eq!(date(march(2, 9, 40)), "2026-03-02");
        assert_eq!(date(march(31, 23, 59)), "2026-03-31");
    }

    #[test]
    fn shell_words_quote_only_when_needed() {
        assert_eq!(shell_word("liuhen-demo"), "liuhen-demo");
        assert_eq!(shell_word("金民执〔2026〕12号"), "'金民执〔2026〕12号'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
