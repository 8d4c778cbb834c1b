//! Small pieces of text for people, shared by the core's report renderers
//! ([`crate::check::render`], [`crate::bundle::render`], [`crate::disclosure::render`],
//! [`crate::ingest::render`], `vault::certificate`): text taken from a ledger, a key
//! file or a bundle made safe for a terminal, short digests, times in the regulation's zone.

use crate::describe::iso8601;
use crate::ledger::LedgerError;
use crate::model::Timestamp;
use crate::store::file::FileStore;
use crate::store::StoreRead;

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

/// Why the ledger refused a statement, in words, and the position in the batch it names (the
/// configured clock skew quoted as configured).
pub fn refusal(e: &LedgerError) -> (Option<usize>, String) {
    match e {
        LedgerError::BadSignature { index, source } => (Some(*index), format!("refused: {source}")),
        LedgerError::Refused { index, source } => (
            Some(*index),
            format!("refused by the key registry: {source}"),
        ),
        LedgerError::Inadmissible { index, source } => (Some(*index), format!("refused: {source}")),
        LedgerError::FutureStatement {
            index,
            time,
            now,
            max_skew_ms,
        } => (
            Some(*index),
            format!(
                "refused: the statement is dated {time} ms since 1970, more than {} after the ledger clock ({now} ms)",
                skew_words(*max_skew_ms)
            ),
        ),
        LedgerError::Encoding { index, source } => (
            Some(*index),
            format!("the entry cannot be stored: {source}"),
        ),
        other => (None, other.to_string()),
    }
}

/// The allowed clock skew as the ledger was configured: whole seconds as `300 s`, else in ms.
fn skew_words(ms: i64) -> String {
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

/// Why a writer must not build on the store it opened, if the store found its records damaged
/// (a damaged record, or a committed record cut off, which a crash does not explain): tampering.
pub fn store_damage(store: &FileStore) -> Option<String> {
    if let Some(first) = store.recovery().tampering.first() {
        return Some(format!("the store's files are damaged ({first})"));
    }
    store
        .refusal()
        .map(|reason| format!("{} refuses writes: {reason}", store.dir().display()))
}

/// What the writer's recovery did on open, one sentence each: committed records lost (which a
/// crash does not explain), a torn record cut and unacknowledged records kept. Rare, and worth
/// telling even to a quiet user.
pub fn recovery_notes(store: &FileStore) -> Vec<String> {
    let recovery = store.recovery();
    let mut notes = Vec::new();
    for (what, tail) in [
        ("entry", &recovery.entries),
        ("checkpoint", &recovery.checkpoints),
    ] {
        if tail.dropped > 0 {
            notes.push(format!(
                "warning: {}: {} acknowledged {what} record(s) were lost at the end of the log, which a crash does not explain; run `liuhen verify`",
                store.dir().display(),
                tail.dropped
            ));
        }
        if tail.torn_bytes > 0 || tail.adopted > 0 || tail.index_bytes_cut > 0 {
            notes.push(format!(
                "note: {}: the last writer stopped mid-write; cut {} bytes of a torn {what} record and kept {} written but unacknowledged {what} record(s)",
                store.dir().display(),
                tail.torn_bytes + tail.index_bytes_cut,
                tail.adopted
            ));
        }
    }
    notes
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

    #[test]
    fn a_future_statement_is_refused_quoting_the_configured_skew() {
        let refused = |max_skew_ms| {
            refusal(&LedgerError::FutureStatement {
                index: 2,
                time: 1_767_225_700_000,
                now: 1_767_225_600_000,
                max_skew_ms,
            })
        };
        let (index, default) = refused(crate::LedgerOptions::default().max_future_skew_ms);
        assert_eq!(index, Some(2));
        assert!(default.contains("more than 300 s after"), "{default}");
        let (_, configured) = refused(2_500);
        assert!(
            configured.contains("more than 2500 ms after"),
            "{configured}"
        );
    }
}
