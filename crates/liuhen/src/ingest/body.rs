//! Signed statements from one request body, by its media type: what a network adapter (the HTTP
//! service's `POST /v1/statements`, a C ABI's "append these bytes") decodes before appending.
//!
//! - [`BodyKind::Json`]: exactly one signed statement `{"statement", "signature"}`
//!   (docs/EVENTS.md), strict as `liuhen append` is ([`super::parse::signed`]).
//! - [`BodyKind::JsonLines`]: any number of them, one per line (any white space between values
//!   is accepted, as `liuhen append` accepts it); decoding stops at the first one that cannot be
//!   read.
//! - [`BodyKind::Binary`]: one signed statement in its binary encoding
//!   ([`SignedStatement::from_bytes`], docs/FORMAT.md §6.5).
//!
//! The body is already in memory (the adapter bounded it); no statement may be larger than
//! [`MAX_STATEMENT_BYTES`] of JSON or [`MAX_ENTRY_BYTES`] of binary. Nothing here touches a
//! ledger: admission is the ledger's ([`crate::SharedLedger::append_signed`],
//! [`crate::SharedLedger::append_batch`]).

use super::{parse, InputError, ValueReader, MAX_STATEMENT_BYTES};
use crate::encoding::{EncodingError, MAX_ENTRY_BYTES};
use crate::entry::SignedStatement;

/// How a body encodes its statements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json`: one signed statement.
    Json,
    /// `application/jsonl` (or `application/x-ndjson`, `application/jsonlines`): a batch.
    JsonLines,
    /// `application/octet-stream`: one signed statement, binary.
    Binary,
}

impl BodyKind {
    /// The kind of a `Content-Type` value (parameters such as `charset=utf-8` are ignored, case
    /// is not significant); `None` for any other media type.
    pub fn from_content_type(value: &str) -> Option<BodyKind> {
        let essence = value.split(';').next().unwrap_or_default().trim();
        let is = |name: &str| essence.eq_ignore_ascii_case(name);
        if is("application/json") {
            Some(BodyKind::Json)
        } else if is("application/jsonl")
            || is("application/x-ndjson")
            || is("application/jsonlines")
        {
            Some(BodyKind::JsonLines)
        } else if is("application/octet-stream") {
            Some(BodyKind::Binary)
        } else {
            None
        }
    }

    /// Whether the body holds a batch (any number of statements, all or nothing).
    pub fn is_batch(self) -> bool {
        self == BodyKind::JsonLines
    }
}

/// A statement of a body, with the line it starts on (1 for a binary body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyStatement {
    /// 1-based line of the body where the statement starts.
    pub line: usize,
    /// The statement (its signature not yet checked).
    pub statement: SignedStatement,
}

/// Why a body holds no statements the ledger could judge. Nothing was appended.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// A JSON statement cannot be read (syntax, an unknown, repeated or missing member, too
    /// large, not UTF-8); its display names the line.
    #[error(transparent)]
    Input(InputError),
    /// The binary encoding does not decode.
    #[error("line 1: not a signed statement in the binary encoding (docs/FORMAT.md §6.5): {0}")]
    Binary(#[source] EncodingError),
    /// A single-statement body holds none.
    #[error("line 1: the body holds no statement")]
    Empty,
    /// A single-statement body holds more than one.
    #[error("line {line}: a second statement: a body of this type holds one statement; send a batch as application/jsonl")]
    NotOne {
        /// Where the second starts.
        line: usize,
    },
}

impl BodyError {
    /// The line of the body the error is about.
    pub fn line(&self) -> Option<usize> {
        match self {
            BodyError::Input(e) => e.line(),
            BodyError::Binary(_) | BodyError::Empty => Some(1),
            BodyError::NotOne { line } => Some(*line),
        }
    }
}

impl InputError {
    /// The line of the input the error is about (none for a failed read).
    pub fn line(&self) -> Option<usize> {
        match self {
            InputError::Io(_) => None,
            InputError::LineTooLong { line }
            | InputError::TooLarge { line }
            | InputError::NotUtf8 { line }
            | InputError::Syntax { line, .. }
            | InputError::Shape { line, .. }
            | InputError::Member { line, .. }
            | InputError::Sign { line, .. } => Some(*line),
        }
    }
}

/// The signed statements of `body`, in order (see the module docs).
///
/// # Errors
/// [`BodyError`] for the first statement that cannot be read.
pub fn decode_body(kind: BodyKind, body: &[u8]) -> Result<Vec<BodyStatement>, BodyError> {
    if kind == BodyKind::Binary {
        if body.is_empty() {
            return Err(BodyError::Empty);
        }
        return SignedStatement::from_bytes(body)
            .map(|statement| vec![BodyStatement { line: 1, statement }])
            .map_err(BodyError::Binary);
    }
    let mut reader = ValueReader::new(body);
    let mut out = Vec::new();
    while let Some(raw) = reader.next_value().map_err(BodyError::Input)? {
        if kind == BodyKind::Json && !out.is_empty() {
            return Err(BodyError::NotOne { line: raw.line });
        }
        let statement = parse::signed(&raw).map_err(BodyError::Input)?;
        out.push(BodyStatement {
            line: raw.line,
            statement,
        });
    }
    if kind == BodyKind::Json && out.is_empty() {
        return Err(BodyError::Empty);
    }
    Ok(out)
}

/// Largest body of one statement worth reading: the larger of the JSON and binary limits (an
/// adapter may refuse a single-statement body larger than this before reading it).
pub const MAX_SINGLE_BODY: usize = if MAX_STATEMENT_BYTES > MAX_ENTRY_BYTES {
    MAX_STATEMENT_BYTES
} else {
    MAX_ENTRY_BYTES
};

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::entry::Binding;
    use crate::keys::SecretKey;
    use crate::model::{Event, Suite, Timestamp};
    use crate::Digest;

    fn statement(counter: Option<u64>) -> SignedStatement {
        let key = SecretKey::from_seed(&[7; 32]);
        let event = Event::PartyNotified {
            session: "s-1".into(),
            case_no: "金执罚〔2026〕1号".into(),
            at: Timestamp(1_700_000_000_000),
        };
        match counter {
            Some(counter) => SignedStatement::sign_bound(
                Binding {
                    suite: Suite::Sha256Ed25519Blake3,
                    ledger: Digest::from_bytes([3; 32]),
                    counter,
                },
                Timestamp(1_700_000_000_000),
                event,
                &key,
            )
            .unwrap(),
            None => SignedStatement::sign(Timestamp(1_700_000_000_000), event, &key).unwrap(),
        }
    }

    #[test]
    fn content_types_name_their_kind() {
        for (ct, kind) in [
            ("application/json", Some(BodyKind::Json)),
            ("Application/JSON; charset=utf-8", Some(BodyKind::Json)),
            ("application/jsonl", Some(BodyKind::JsonLines)),
            ("application/x-ndjson", Some(BodyKind::JsonLines)),
            ("application/octet-stream", Some(BodyKind::Binary)),
            ("text/plain", None),
            ("application/jsonx", None),
            ("", None),
        ] {
            assert_eq!(BodyKind::from_content_type(ct), kind, "{ct}");
        }
    }

    #[test]
    fn the_binary_encoding_round_trips_and_is_the_signed_message_then_the_signature() {
        for st in [statement(Some(5)), statement(None)] {
            let bytes = st.to_bytes().unwrap();
            let message = st.statement.signed_message().unwrap();
            assert!(bytes.starts_with(&message));
            assert_eq!(bytes.len(), message.len() + 65);
            assert_eq!(SignedStatement::from_bytes(&bytes).unwrap(), st);
            let decoded = decode_body(BodyKind::Binary, &bytes).unwrap();
            assert_eq!(decoded[0].statement, st);
            decoded[0].statement.verify_signature().unwrap();
            // Trailing bytes, a cut and another label are refused.
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(matches!(
                decode_body(BodyKind::Binary, &longer),
                Err(BodyError::Binary(EncodingError::TrailingBytes { .. }))
            ));
            assert!(decode_body(BodyKind::Binary, &bytes[..bytes.len() - 1]).is_err());
            let mut relabelled = bytes.clone();
            relabelled[7] = b'9';
            assert!(decode_body(BodyKind::Binary, &relabelled).is_err());
        }
        assert!(matches!(
            decode_body(BodyKind::Binary, b""),
            Err(BodyError::Empty)
        ));
    }

    #[test]
    fn json_bodies_hold_one_statement_and_batches_any_number() {
        let one = serde_json::to_string(&statement(Some(1))).unwrap();
        let two = serde_json::to_string(&statement(Some(2))).unwrap();
        assert_eq!(
            decode_body(BodyKind::Json, one.as_bytes()).unwrap().len(),
            1
        );
        let batch = format!("{one}\n\n{two}\n");
        let err = decode_body(BodyKind::Json, batch.as_bytes()).unwrap_err();
        assert!(matches!(err, BodyError::NotOne { line: 3 }), "{err}");
        let decoded = decode_body(BodyKind::JsonLines, batch.as_bytes()).unwrap();
        assert_eq!(
            decoded.iter().map(|s| s.line).collect::<Vec<_>>(),
            vec![1, 3]
        );
        assert!(decode_body(BodyKind::JsonLines, b"").unwrap().is_empty());
        assert!(matches!(
            decode_body(BodyKind::Json, b"  \n"),
            Err(BodyError::Empty)
        ));
    }

    #[test]
    fn a_bad_member_is_named_with_its_line() {
        let good = serde_json::to_string(&statement(Some(1))).unwrap();
        let bad = good.replacen("\"statement\"", "\"statement\":{},\"statment\"", 1);
        let err =
            decode_body(BodyKind::JsonLines, format!("{good}\n{bad}\n").as_bytes()).unwrap_err();
        assert_eq!(err.line(), Some(2), "{err}");
        assert!(err.to_string().contains("line 2"), "{err}");
        let err = decode_body(BodyKind::Json, b"{\"statement\": ").unwrap_err();
        assert!(
            matches!(err, BodyError::Input(InputError::Syntax { .. })),
            "{err}"
        );
    }
}
