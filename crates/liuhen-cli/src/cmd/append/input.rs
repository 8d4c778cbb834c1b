//! Reading statements for `liuhen append`: one JSON value or JSON Lines, each value located by
//! the line it starts on, so that every error names a line (docs/EVENTS.md).
//!
//! Reading is all-or-nothing: if any value cannot be read, nothing is handed to the ledger,
//! because a batch with holes would be appended out of the order its author wrote it in.

use std::io::{BufRead, Read};
use std::path::PathBuf;

use liuhen::{Clock, Event, SecretKey, SignedStatement, SystemClock, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// At most this many unreadable lines are listed; the rest are counted.
const MAX_LISTED: usize = 20;

/// Where the statements come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// Standard input (no FILE, or `-`).
    Stdin,
    /// A file.
    File(PathBuf),
}

/// Largest input `append` reads in one call (about half a million statements).
pub const MAX_INPUT_BYTES: usize = 256 << 20;

/// Largest JSON text of one statement, and longest line of the input. A stored entry holds at
/// most 64 KiB (docs/FORMAT.md §6.3); its JSON form is larger (hex digests and signatures,
/// member names, escapes — at most about six times for the worst-escaped strings), so 1 MiB
/// refuses no statement the ledger could store, while a statement of hundreds of megabytes is
/// refused as it is read, before any of it is parsed.
pub const MAX_STATEMENT_BYTES: usize = 1 << 20;

impl Source {
    /// `None` and `-` mean standard input.
    pub fn from_arg(arg: Option<PathBuf>) -> Self {
        match arg {
            Some(p) if p.as_os_str() != "-" => Source::File(p),
            _ => Source::Stdin,
        }
    }

    /// How errors name it.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "standard input".to_owned(),
            Source::File(p) => p.display().to_string(),
        }
    }

    /// The whole input as UTF-8 text, at most [`MAX_INPUT_BYTES`], read line by line with no
    /// line longer than [`MAX_STATEMENT_BYTES`]: a longer line is refused as soon as its first
    /// [`MAX_STATEMENT_BYTES`] + 1 bytes are read, never read to its end.
    pub fn read(&self) -> Result<String, String> {
        let mut bytes = match self {
            Source::Stdin => self.read_lines(std::io::stdin().lock()),
            Source::File(p) => std::fs::File::open(p)
                .map_err(|e| format!("cannot read {}: {e}", self.name()))
                .and_then(|f| self.read_lines(std::io::BufReader::new(f))),
        }?;
        // Editors on Windows start UTF-8 files with a byte-order mark, which JSON does not allow.
        if bytes.starts_with(b"\xef\xbb\xbf") {
            bytes.drain(..3);
        }
        String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let line = 1 + e
                .as_bytes()
                .iter()
                .take(valid)
                .filter(|b| **b == b'\n')
                .count();
            format!(
                "{} line {line}: not UTF-8 text (statements are JSON, docs/EVENTS.md)",
                self.name()
            )
        })
    }

    /// Reads `reader` to its end, one bounded line at a time.
    fn read_lines<R: BufRead>(&self, mut reader: R) -> Result<Vec<u8>, String> {
        let mut bytes = Vec::new();
        let mut line = 0usize;
        loop {
            line += 1;
            let n = (&mut reader)
                .take(MAX_STATEMENT_BYTES as u64 + 1)
                .read_until(b'\n', &mut bytes)
                .map_err(|e| format!("cannot read {}: {e}", self.name()))?;
            let ended = bytes.last() == Some(&b'\n');
            if n > MAX_STATEMENT_BYTES && !ended {
                return Err(format!(
                    "{} line {line} is longer than {} MiB: no statement is that large (an entry holds at most 64 KiB, docs/EVENTS.md); nothing was read further and nothing was appended",
                    self.name(),
                    MAX_STATEMENT_BYTES >> 20
                ));
            }
            if bytes.len() > MAX_INPUT_BYTES {
                return Err(format!(
                    "{} is larger than {} MiB: a batch is held in memory and appended at once; split it into several appends",
                    self.name(),
                    MAX_INPUT_BYTES >> 20
                ));
            }
            if n == 0 || !ended {
                return Ok(bytes);
            }
        }
    }
}

/// One JSON value of the input and where it lies.
#[derive(Debug)]
pub struct Located<'a> {
    /// 1-based line of its first character.
    pub line: usize,
    /// 1-based column (in bytes) of its first character.
    pub column: usize,
    /// Its text.
    pub text: &'a str,
    /// The value.
    pub value: Value,
}

/// Splits `text` into its JSON values (one pretty-printed value, JSON Lines, or any sequence
/// separated by white space; blank lines are ignored).
///
/// # Errors
/// The first syntax error, with its line and column: after it, value boundaries are unknown.
pub fn split(text: &str) -> Result<Vec<Located<'_>>, String> {
    let mut out = Vec::new();
    // Values are delimited without being built (IgnoredAny allocates nothing), each checked
    // against MAX_STATEMENT_BYTES, and only then parsed.
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<serde::de::IgnoredAny>();
    // Line counting is incremental so that a large input costs one pass.
    let mut counted_to = 0usize;
    let mut line = 1usize;
    let mut line_start = 0usize;
    let mut end = 0usize;
    loop {
        let next = stream.next();
        let Some(next) = next else { break };
        next.map_err(|e| position_error(&e, 1, 1))?;
        let value_end = stream.byte_offset();
        let gap = text.get(end..value_end).unwrap_or("");
        let start = end + (gap.len() - gap.trim_start().len());
        for (i, b) in text
            .as_bytes()
            .iter()
            .enumerate()
            .take(start)
            .skip(counted_to)
        {
            if *b == b'\n' {
                line += 1;
                line_start = i + 1;
            }
        }
        counted_to = start;
        let value_text = text.get(start..value_end).unwrap_or("");
        if value_text.len() > MAX_STATEMENT_BYTES {
            return Err(format!(
                "line {line}: a statement of {} bytes of JSON is larger than the limit of {} MiB (an entry holds at most 64 KiB, docs/EVENTS.md); it was not parsed",
                value_text.len(),
                MAX_STATEMENT_BYTES >> 20
            ));
        }
        let value: Value = serde_json::from_str(value_text)
            .map_err(|e| position_error(&e, line, start - line_start + 1))?;
        out.push(Located {
            line,
            column: start - line_start + 1,
            text: value_text,
            value,
        });
        end = value_end;
    }
    Ok(out)
}

/// serde_json's message without its trailing " at line L column C", positioned in the input
/// given the line and column where the parsed text starts.
fn position_error(e: &serde_json::Error, first_line: usize, first_column: usize) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    if e.line() == 0 {
        return format!("line {first_line}: {message}");
    }
    let line = first_line + e.line() - 1;
    let column = if e.line() == 1 {
        first_column + e.column().saturating_sub(1)
    } else {
        e.column()
    };
    format!("line {line}, column {column}: {message}")
}

/// An unsigned statement, as `--sign-with` takes it.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Unsigned {
    /// The author's time; now if absent.
    #[serde(default)]
    time: Option<Timestamp>,
    event: Event,
}

/// How the statements are to be read.
pub enum Mode<'k> {
    /// Each value is a signed statement.
    Signed,
    /// Each value is `{"time"?, "event"}`, signed here with this key; in a format-v2 ledger
    /// bound with this binding, the counter counting on for each statement.
    SignWith(&'k SecretKey, Option<liuhen::entry::Binding>),
}

/// A statement ready to append and the line it came from.
#[derive(Debug)]
pub struct Numbered {
    /// Line of the input.
    pub line: usize,
    /// The statement.
    pub statement: SignedStatement,
}

/// Reads every value as a statement of `mode`.
///
/// # Errors
/// When any value cannot be read: one sentence per bad line (at most [`MAX_LISTED`], then a
/// count), each naming its line, and the number of bad lines.
pub fn statements(
    values: Vec<Located<'_>>,
    mode: &Mode<'_>,
    tick: &dyn Fn(),
) -> Result<Vec<Numbered>, (Vec<String>, usize)> {
    let clock = SystemClock;
    let mut binding = match mode {
        Mode::SignWith(_, b) => *b,
        Mode::Signed => None,
    };
    let mut out = Vec::with_capacity(values.len());
    let mut errors = Vec::new();
    let mut failed = 0usize;
    for v in values {
        let result = match mode {
            Mode::Signed => read_signed(&v),
            Mode::SignWith(key, _) => read_unsigned(&v).and_then(|(time, event)| {
                let time = time.unwrap_or_else(|| clock.now());
                let statement = liuhen::Statement {
                    time,
                    author: liuhen::Signer::public_key(*key),
                    event,
                    binding,
                };
                if let Some(b) = binding.as_mut() {
                    b.counter = b.counter.saturating_add(1);
                }
                SignedStatement::sign_statement(statement, *key)
                    .map_err(|e| format!("line {}: cannot sign: {e}", v.line))
            }),
        };
        match result {
            Ok(statement) => out.push(Numbered {
                line: v.line,
                statement,
            }),
            Err(e) => {
                failed += 1;
                if errors.len() < MAX_LISTED {
                    errors.push(e);
                }
            }
        }
        tick();
    }
    if failed == 0 {
        return Ok(out);
    }
    if failed > errors.len() {
        let more = failed - errors.len();
        errors.push(format!("and {more} more unreadable statements"));
    }
    Err((errors, failed))
}

fn read_signed(v: &Located<'_>) -> Result<SignedStatement, String> {
    if let Some(hint) = shape_hint(&v.value, false) {
        return Err(format!("line {}: {hint}", v.line));
    }
    let statement: SignedStatement =
        serde_json::from_str(v.text).map_err(|e| position_error(&e, v.line, v.column))?;
    check_known_fields(v, &statement)?;
    Ok(statement)
}

fn read_unsigned(v: &Located<'_>) -> Result<(Option<Timestamp>, Event), String> {
    if let Some(hint) = shape_hint(&v.value, true) {
        return Err(format!("line {}: {hint}", v.line));
    }
    let unsigned: Unsigned =
        serde_json::from_str(v.text).map_err(|e| position_error(&e, v.line, v.column))?;
    check_known_fields(v, &unsigned)?;
    Ok((unsigned.time, unsigned.event))
}

/// A clearer sentence than serde's for the commonest mix-ups of the two shapes.
fn shape_hint(value: &Value, sign_with: bool) -> Option<String> {
    let Value::Object(map) = value else {
        let kind = match value {
            Value::Array(_) => "a JSON array; give one statement per line (JSON Lines) instead",
            _ => "not a JSON object; a statement is an object (docs/EVENTS.md)",
        };
        return Some(kind.to_owned());
    };
    if sign_with && map.contains_key("signature") {
        let author = map
            .get("statement")
            .and_then(|s| s.get("author"))
            .and_then(Value::as_str)
            .unwrap_or("another key");
        return Some(format!(
            "already a signed statement (author {author}); append signed statements without --sign-with"
        ));
    }
    if !sign_with && map.contains_key("event") && !map.contains_key("statement") {
        return Some(
            "an unsigned statement; sign it with --sign-with KEY, or append the signed form (docs/EVENTS.md)"
                .to_owned(),
        );
    }
    None
}

/// Refuses JSON members the statement does not have. serde ignores them, and a misspelt
/// optional field (`"landmrk"`) would otherwise be signed and appended as absent while its
/// author believes it recorded.
fn check_known_fields<T: serde::Serialize>(v: &Located<'_>, parsed: &T) -> Result<(), String> {
    let back = serde_json::to_value(parsed)
        .map_err(|e| format!("line {}: cannot re-encode the statement: {e}", v.line))?;
    let mut unknown = Vec::new();
    unknown_members(&v.value, &back, "", &mut unknown);
    match unknown.first() {
        None => Ok(()),
        Some(first) => Err(format!(
            "line {}: unknown field `{first}`{} (not part of the statement; see docs/EVENTS.md)",
            v.line,
            match unknown.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            }
        )),
    }
}

/// Collects the paths of members of `input` that `parsed` (its re-encoding) lacks.
fn unknown_members(input: &Value, parsed: &Value, path: &str, out: &mut Vec<String>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match (input, parsed) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    Some(w) => unknown_members(v, w, &join(k), out),
                    None => out.push(join(k)),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                unknown_members(v, w, &join(&i.to_string()), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn values_are_located_by_line_and_column() {
        let text = "\n{\"a\": 1}\n\n  {\"b\":\n 2}\n[3]";
        let v = split(text).unwrap();
        let at: Vec<(usize, usize, &str)> = v.iter().map(|v| (v.line, v.column, v.text)).collect();
        assert_eq!(
            at,
            vec![(2, 1, "{\"a\": 1}"), (4, 3, "{\"b\":\n 2}"), (6, 1, "[3]")]
        );
    }

    #[test]
    fn a_line_longer_than_a_statement_can_be_is_refused_while_reading() {
        let mut input = b"{}\n".to_vec();
        input.extend(std::iter::repeat_n(b' ', MAX_STATEMENT_BYTES + 1));
        input.extend(b"\n{}\n");
        let e = Source::Stdin.read_lines(&input[..]).unwrap_err();
        assert!(e.contains("line 2 is longer than 1 MiB"), "{e}");
        // A line of exactly the limit (newline excluded) is read.
        let mut input = vec![b' '; MAX_STATEMENT_BYTES];
        input.extend(b"\n{}");
        assert_eq!(
            Source::Stdin.read_lines(&input[..]).unwrap().len(),
            input.len()
        );
    }

    #[test]
    fn a_statement_over_the_limit_is_refused_before_it_is_parsed() {
        // Short lines, one value: refused by its length, not parsed.
        let mut text = String::from("{}\n{\"a\": [\n");
        while text.len() < MAX_STATEMENT_BYTES + 100 {
            text.push_str("1,\n");
        }
        text.push_str("1]}\n");
        let e = split(&text).unwrap_err();
        assert!(e.starts_with("line 2: a statement of "), "{e}");
        assert!(e.contains("larger than the limit of 1 MiB"), "{e}");
    }

    #[test]
    fn syntax_error_names_its_line() {
        let e = split("{}\n{}\n{\"a\" 1}\n").unwrap_err();
        assert!(e.starts_with("line 3, column "), "{e}");
        assert!(!e.contains(" at line "), "{e}");
    }

    #[test]
    fn unknown_members_are_found_at_any_depth() {
        let input = serde_json::json!({"a": {"b": 1, "typo": 2}, "c": [{"d": 1, "e": 2}]});
        let parsed = serde_json::json!({"a": {"b": 1}, "c": [{"d": 1}], "extra": null});
        let mut out = Vec::new();
        unknown_members(&input, &parsed, "", &mut out);
        assert_eq!(out, vec!["a.typo".to_owned(), "c.0.e".to_owned()]);
    }
}
