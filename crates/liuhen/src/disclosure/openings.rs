//! Openings given by the caller rather than taken from the vault: the JSON Lines form of
//! `liuhen bundle export --openings FILE`, one `{"field", "salt" (64 hex digits), "value"}` per
//! line, unknown members refused, blank lines ignored.

use std::io::BufRead;

use serde::Deserialize;

use crate::commitment::Opening;
use crate::hash::Digest;

/// Why given openings cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpeningsError {
    /// The input cannot be read.
    #[error("cannot read {name}: {source}")]
    Io {
        /// The input's name.
        name: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A line is not an opening.
    #[error("{name} line {line}: {reason}")]
    Line {
        /// The input's name.
        name: String,
        /// The line, from 1.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

/// One line of the input.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpeningLine {
    field: String,
    salt: String,
    value: String,
}

/// Reads openings, one JSON object per line, from `input` named `name` (for errors). Whether
/// each opens a sealed field of the case is the export's check, not this reader's.
///
/// # Errors
/// [`OpeningsError`] naming the first line that is not an opening.
pub fn read_openings(input: impl BufRead, name: &str) -> Result<Vec<Opening>, OpeningsError> {
    let mut out = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let bad = |reason: String| OpeningsError::Line {
            name: name.to_owned(),
            line: i + 1,
            reason,
        };
        let line = line.map_err(|source| OpeningsError::Io {
            name: name.to_owned(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let o: OpeningLine = serde_json::from_str(&line).map_err(|e| {
            bad(format!(
                "not an opening {{\"field\", \"salt\", \"value\"}}: {e}"
            ))
        })?;
        let salt = Digest::from_hex(&o.salt)
            .ok_or_else(|| bad("the salt is not 64 hex digits".to_owned()))?;
        out.push(Opening {
            field: o.field,
            salt: *salt.as_bytes(),
            value: o.value,
        });
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const SALT: &str = "0101010101010101010101010101010101010101010101010101010101010101";

    #[test]
    fn reads_lines_and_skips_blank_ones() {
        let text =
            format!("{{\"field\":\"party.name\",\"salt\":\"{SALT}\",\"value\":\"张三\"}}\n\n");
        let got = read_openings(text.as_bytes(), "f").unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].field, "party.name");
        assert_eq!(got[0].salt, [1; 32]);
        assert_eq!(got[0].value, "张三");
    }

    #[test]
    fn an_unknown_member_or_a_bad_salt_names_the_line() {
        let text =
            format!("\n{{\"field\":\"a\",\"salt\":\"{SALT}\",\"value\":\"v\",\"extra\":1}}\n");
        let e = read_openings(text.as_bytes(), "f").unwrap_err().to_string();
        assert!(e.starts_with("f line 2: not an opening"), "{e}");
        let e = read_openings(
            &b"{\"field\":\"a\",\"salt\":\"00\",\"value\":\"v\"}"[..],
            "f",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(e, "f line 1: the salt is not 64 hex digits");
    }
}
