//! Strict parsing of one statement: unknown members refused at any depth
//! (`#[serde(deny_unknown_fields)]` on the core types), duplicate members refused (serde's
//! derived structs refuse a repeated field; an externally tagged enum is an object of exactly
//! one member), parsed once, straight into the type. Only on the error path is the text looked
//! at again, to name the member and to give a hint for the commonest mix-ups.

use serde::Deserialize;
use serde_json::Value;

use super::read::RawValue;
use super::InputError;
use crate::entry::SignedStatement;
use crate::model::{Event, Timestamp};

/// An unsigned statement `{"time"?, "event"}`, to be signed by the ingest's signer.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unsigned {
    /// The author's time; the ledger clock's now if absent or null.
    #[serde(default)]
    pub time: Option<Timestamp>,
    /// What happened.
    pub event: Event,
}

/// Parses `raw` as a signed statement.
///
/// # Errors
/// The [`InputError`] naming the line (and column) and member.
pub fn signed(raw: &RawValue<'_>) -> Result<SignedStatement, InputError> {
    parse(raw, false)
}

/// Parses `raw` as an unsigned statement `{"time"?, "event"}`.
///
/// # Errors
/// The [`InputError`] naming the line (and column) and member.
pub fn unsigned(raw: &RawValue<'_>) -> Result<Unsigned, InputError> {
    parse(raw, true)
}

fn parse<T: for<'de> Deserialize<'de>>(
    raw: &RawValue<'_>,
    sign_with: bool,
) -> Result<T, InputError> {
    let text = std::str::from_utf8(raw.bytes).map_err(|e| {
        let before = raw.bytes.get(..e.valid_up_to()).unwrap_or_default();
        InputError::NotUtf8 {
            line: raw.line + before.iter().filter(|b| **b == b'\n').count(),
        }
    })?;
    serde_json::from_str(text).map_err(|e| describe(raw, text, &e, sign_with))
}

/// The error for `e`, positioned in the input and naming the member.
fn describe(raw: &RawValue<'_>, text: &str, e: &serde_json::Error, sign_with: bool) -> InputError {
    let (line, column) = if e.line() == 0 {
        (raw.line, raw.column)
    } else if e.line() == 1 {
        (raw.line, raw.column + e.column().saturating_sub(1))
    } else {
        (raw.line + e.line() - 1, e.column())
    };
    let message = {
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        full.strip_suffix(&suffix).unwrap_or(&full).to_owned()
    };
    let value = serde_json::from_str::<Value>(text).ok();
    if !e.is_data() && value.is_none() {
        return InputError::Syntax {
            line,
            column,
            message,
        };
    }
    if let Some(hint) = value.as_ref().and_then(|v| shape_hint(v, sign_with)) {
        return InputError::Shape {
            line: raw.line,
            hint,
        };
    }
    let message = if e.is_data() {
        message
    } else {
        // Valid JSON that serde_json still refused as syntax: an object naming an event kind or
        // a variant (`{"CaseOpened": {…}}`) with a second member.
        "an object naming a variant must have exactly one member (the variant)".to_owned()
    };
    let offset = offset_of(text, e.line(), e.column());
    let at = member_at(text.as_bytes(), offset);
    let mut path = at.segments;
    let unknown_field = message.starts_with("unknown field `");
    let duplicate = message.starts_with("duplicate field `");
    if message.starts_with("missing field `") && at.top_is_object {
        // Reported at the end of the object: the last segment is its last member.
        path.pop();
    }
    if message.starts_with("unknown variant `") && at.in_key {
        path.pop();
    }
    InputError::Member {
        line,
        column,
        message,
        path: path.join("."),
        unknown: unknown_field || duplicate,
    }
}

/// The byte offset of serde_json's (1-based) line and column in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text.get(start..).and_then(|t| t.find('\n')) {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    (start + column.saturating_sub(1)).min(text.len())
}

/// The member being read at a byte offset.
struct MemberAt {
    /// Member names and array indices from the outside in.
    segments: Vec<String>,
    /// Whether the offset lies in a member name.
    in_key: bool,
    /// Whether the innermost container is an object.
    top_is_object: bool,
}

/// The path of the member at `offset` of the JSON text `bytes` (keys as written).
fn member_at(bytes: &[u8], offset: usize) -> MemberAt {
    enum Frame {
        Object { key: Vec<u8>, expect_key: bool },
        Array { index: usize },
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut in_string = false;
    let mut is_key = false;
    let mut escape = false;
    for &b in bytes.iter().take(offset) {
        if in_string {
            if escape {
                escape = false;
            } else if b == b'\\' {
                escape = true;
            } else if b == b'"' {
                in_string = false;
                continue;
            }
            if is_key {
                if let Some(Frame::Object { key, .. }) = stack.last_mut() {
                    key.push(b);
                }
            }
            continue;
        }
        match b {
            b'{' => stack.push(Frame::Object {
                key: Vec::new(),
                expect_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b'"' => {
                in_string = true;
                is_key = false;
                if let Some(Frame::Object { key, expect_key }) = stack.last_mut() {
                    if *expect_key {
                        is_key = true;
                        key.clear();
                    }
                }
            }
            b':' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = false;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { expect_key, .. }) => *expect_key = true,
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
    }
    let top_is_object = matches!(stack.last(), Some(Frame::Object { .. }));
    let segments = stack
        .iter()
        .filter_map(|f| match f {
            Frame::Object { key, .. } if key.is_empty() => None,
            Frame::Object { key, .. } => Some(String::from_utf8_lossy(key).into_owned()),
            Frame::Array { index } => Some(index.to_string()),
        })
        .collect();
    MemberAt {
        segments,
        in_key: in_string && is_key,
        top_is_object,
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_member_at_an_offset_is_named() {
        let text = br#"{"a": {"b": 1, "typo": 2}, "c": [{"d": 1}, {"e": 2}]}"#;
        // The offset just after `needle`, as serde_json reports an error after what it read.
        let at = |needle: &str| {
            let i = std::str::from_utf8(text).unwrap().find(needle).unwrap();
            member_at(text, i + needle.len()).segments.join(".")
        };
        assert_eq!(at("\"typo"), "a.typo");
        assert_eq!(at("\"typo\": 2"), "a.typo");
        assert_eq!(at("{\"e"), "c.1.e");
        assert_eq!(at("[{\"d\": 1"), "c.0.d");
    }
}
