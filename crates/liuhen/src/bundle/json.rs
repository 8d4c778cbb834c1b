//! Reading and writing the JSON of portable proofs, on `serde_json`.
//!
//! A proof is a flat object of strings, non-negative integers and one array of strings. It is
//! read into [`Value`], which keeps object members in document order and refuses duplicate
//! member names (RFC 8259 leaves them undefined, and serde_json's own `Value` silently keeps the
//! last one: evidence must not be ambiguous). Integers are kept as their decimal text and
//! non-integers are kept apart, so that `1.0` or `1e3` is never taken for a sequence number; the
//! meaning of fields is left to `proof.rs`. serde_json bounds nesting depth itself.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A parsed JSON value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer, in decimal.
    Number(String),
    /// A number with a fraction or exponent, or beyond the 64-bit range.
    Float,
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, members in document order (duplicate names are refused while parsing).
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The JSON type name, for error messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::Float => "a non-integer number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Value, E> {
        Ok(Value::Float)
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members: Vec<(String, Value)> = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            if members.iter().any(|(n, _)| *n == name) {
                return Err(de::Error::custom(format!("duplicate member name {name:?}")));
            }
            let value = map.next_value()?;
            members.push((name, value));
        }
        Ok(Value::Object(members))
    }
}

/// Why a text is not JSON: where, and what serde_json said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// 1-based line of the problem.
    pub(crate) line: usize,
    /// 1-based column of the problem.
    pub(crate) column: usize,
    /// What is wrong.
    pub(crate) reason: String,
}

/// Parses one JSON text (RFC 8259): a value, optionally surrounded by white space, nothing
/// after it.
pub(crate) fn parse(text: &str) -> Result<Value, SyntaxError> {
    serde_json::from_str(text).map_err(|e: serde_json::Error| SyntaxError {
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    })
}

/// Appends `s` as a JSON string literal.
pub(crate) fn write_string(out: &mut String, s: &str) {
    // Serializing a &str to JSON cannot fail; an empty literal would only make the document
    // fail to verify, never pass.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\"")));
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc_8259_keeping_integers_apart() {
        let v = parse(
            " {\"a\": [1, -0.5e+3, true, false, null, 18446744073709551616], \"b\": \"x\\n\\u00e9\\ud83d\\ude00\\/\"} ",
        )
        .unwrap();
        let Value::Object(m) = v else { panic!() };
        assert_eq!(
            m[0].1,
            Value::Array(vec![
                Value::Number("1".into()),
                Value::Float,
                Value::Bool(true),
                Value::Bool(false),
                Value::Null,
                Value::Float,
            ])
        );
        assert_eq!(m[1].1, Value::String("x\né😀/".into()));
    }

    #[test]
    fn refuses_what_is_not_json_and_duplicate_names() {
        for bad in [
            "",
            "{",
            "{\"a\":1,}",
            "[1,]",
            "01",
            "1.",
            "-",
            "1e",
            "\"\\x\"",
            "\"a\nb\"",
            "\"\\ud800\"",
            "{\"a\":1,\"a\":2}",
            "{\"a\":{\"b\":1,\"b\":1}}",
            "{a:1}",
            "tru",
            "1 2",
            "'a'",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} was accepted");
        }
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(parse(&deep).is_err(), "nesting is bounded");
    }

    #[test]
    fn writes_strings_that_parse_back() {
        let s = "jinpu\n— \"quoted\" \\ \t\u{1}留痕";
        let mut out = String::new();
        write_string(&mut out, s);
        assert_eq!(parse(&out).unwrap(), Value::String(s.into()));
        assert!(!out.contains('\n'));
    }
}
