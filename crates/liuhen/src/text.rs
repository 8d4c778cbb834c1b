//! Small pieces of text for people, shared by the core's report renderers
//! ([`crate::check::render`], [`crate::bundle::render`], [`crate::disclosure::render`],
//! [`crate::ingest::render`], [`crate::vault::certificate`]): text taken from a ledger, a key
//! file or a bundle made safe for a terminal, short digests, times in the regulation's zone.

use crate::describe::iso8601;
use crate::model::Timestamp;

/// Escapes control characters (`\u{1b}`, `\n`, …) in text taken from the ledger or a key file,
/// so that it cannot drive the terminal or forge report lines; the escape stays readable.
pub fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Replaces each control character with U+FFFD, for text from a proof, a bundle or a ledger
/// shown on one line.
pub fn replace_controls(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// The first 16 hex digits and an ellipsis (the whole text if shorter).
pub fn short(hex: &str) -> String {
    match hex.get(..16) {
        Some(s) => format!("{s}…"),
        None => hex.to_owned(),
    }
}

/// A time in Beijing time (UTC+8, the regulation's), e.g. `2026-01-01 08:00:00.000
/// Asia/Shanghai`.
pub fn local_time(t: Timestamp) -> String {
    let beijing = iso8601(t.plus_millis(8 * 3_600_000));
    let beijing = beijing
        .strip_suffix('Z')
        .unwrap_or(&beijing)
        .replacen('T', " ", 1);
    format!("{beijing} Asia/Shanghai")
}

/// "1 statement", "2 statements".
pub fn statements(n: u64) -> String {
    match n {
        1 => "1 statement".to_owned(),
        n => format!("{n} statements"),
    }
}

/// " (entry 5)" or " (entries 5–9)", or nothing.
pub fn entry_range(seqs: Option<(u64, u64)>) -> String {
    match seqs {
        Some((a, b)) if a == b => format!(" (entry {a})"),
        Some((a, b)) => format!(" (entries {a}–{b})"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_cannot_reach_the_terminal() {
        assert_eq!(escape_controls("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape_controls("line\nnext\rx"), "line\\nnext\\rx");
        assert_eq!(escape_controls("金民执〔2026〕12号"), "金民执〔2026〕12号");
        assert_eq!(replace_controls("a\u{1b}b\nc"), "a\u{fffd}b\u{fffd}c");
    }

    #[test]
    fn short_digests_and_ranges() {
        assert_eq!(short("0123456789abcdef0123"), "0123456789abcdef…");
        assert_eq!(short("abc"), "abc");
        assert_eq!(statements(1), "1 statement");
        assert_eq!(statements(0), "0 statements");
        assert_eq!(entry_range(None), "");
        assert_eq!(entry_range(Some((5, 5))), " (entry 5)");
        assert_eq!(entry_range(Some((5, 9))), " (entries 5–9)");
    }

    #[test]
    fn local_time_is_beijing() {
        assert_eq!(
            local_time(Timestamp(0)),
            "1970-01-01 08:00:00.000 Asia/Shanghai"
        );
    }
}
