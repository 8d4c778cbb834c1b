//! The `add-checkpoint` request body of C2SP `tlog-witness` v1.0.0: an `old N` line, at most
//! 63 base64 consistency-proof lines, an empty line, and a signed checkpoint note.
//!
//! The parser is strict (one body has one encoding): `old` followed by one space and a decimal
//! without leading zeros, each proof line exactly the canonical base64 of a 32-byte hash, every
//! line ended by `\n`, and the checkpoint parsed by [`SignedCheckpoint::parse`]. The length is
//! checked before anything is read, and the proof is bounded to 63 hashes before it is
//! collected.
use base64::Engine as _;

use crate::checkpoint::{CheckpointError, SignedCheckpoint, MAX_NOTE_BYTES};
use crate::hash::Digest;

/// Most consistency-proof lines a request may carry (the spec's limit).
pub const MAX_PROOF_LINES: usize = 63;

/// Largest request body accepted: the largest note, the old line and 63 proof lines.
pub const MAX_REQUEST_BYTES: usize = MAX_NOTE_BYTES + 32 + MAX_PROOF_LINES * 45;

/// Length of the base64 encoding of a 32-byte hash.
const HASH_B64_LEN: usize = 44;

/// Why a request body does not parse (the witness answers 400).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestError {
    /// Larger than [`MAX_REQUEST_BYTES`].
    #[error("request body of {len} bytes is larger than {max}")]
    TooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The first line is not `old <decimal>` ended by a newline.
    #[error("the first line must be `old <size>` (decimal, no leading zeros) ended by a newline")]
    BadOldLine,
    /// More than [`MAX_PROOF_LINES`] proof lines.
    #[error("more than {MAX_PROOF_LINES} consistency proof lines")]
    TooManyProofLines,
    /// A proof line is not the canonical base64 of a 32-byte hash.
    #[error("consistency proof line {line} is not the base64 of a 32-byte hash")]
    BadProofLine {
        /// 1-based line number in the body.
        line: usize,
    },
    /// No empty line ends the proof (every line must end with a newline).
    #[error("no empty line after the consistency proof")]
    MissingBlankLine,
    /// The old size is 0 but a proof was sent (the spec: the proof MUST be empty then).
    #[error("old size 0 with a non-empty consistency proof")]
    ProofFromZero,
    /// The checkpoint note does not parse.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
}

/// A parsed `add-checkpoint` request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddCheckpointRequest {
    /// The size of the checkpoint the client believes the witness cosigned last.
    pub old_size: u64,
    /// The consistency proof from `old_size` to the checkpoint's size (RFC 9162 order).
    pub proof: Vec<Digest>,
    /// The checkpoint, signatures not verified.
    pub checkpoint: SignedCheckpoint,
}

impl AddCheckpointRequest {
    /// Parses a request body strictly.
    ///
    /// # Errors
    /// [`RequestError`].
    pub fn parse(body: &[u8]) -> Result<Self, RequestError> {
        if body.len() > MAX_REQUEST_BYTES {
            return Err(RequestError::TooLarge {
                len: body.len(),
                max: MAX_REQUEST_BYTES,
            });
        }
        let (first, mut rest) = split_line(body).ok_or(RequestError::BadOldLine)?;
        let old_size = parse_old_line(first).ok_or(RequestError::BadOldLine)?;
        let mut proof = Vec::new();
        let mut line_no = 1;
        loop {
            let (line, after) = split_line(rest).ok_or(RequestError::MissingBlankLine)?;
            line_no += 1;
            rest = after;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(RequestError::TooManyProofLines);
            }
            proof.push(decode_hash(line).ok_or(RequestError::BadProofLine { line: line_no })?);
        }
        if old_size == 0 && !proof.is_empty() {
            return Err(RequestError::ProofFromZero);
        }
        let checkpoint = SignedCheckpoint::parse(rest)?;
        Ok(AddCheckpointRequest {
            old_size,
            proof,
            checkpoint,
        })
    }

    /// The body, byte for byte as [`AddCheckpointRequest::parse`] reads it.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = format!("old {}\n", self.old_size);
        let engine = &base64::engine::general_purpose::STANDARD;
        for hash in &self.proof {
            out.push_str(&engine.encode(hash.as_bytes()));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.checkpoint.to_string());
        out.into_bytes()
    }
}

/// The line before the first `\n` and what follows it; `None` without a newline.
fn split_line(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = bytes.iter().position(|&b| b == b'\n')?;
    Some((bytes.get(..at)?, bytes.get(at + 1..)?))
}

/// `old <decimal>`: no sign, no leading zeros (except `0` itself), fits in a u64.
fn parse_old_line(line: &[u8]) -> Option<u64> {
    let digits = line.strip_prefix(b"old ")?;
    parse_decimal(digits)
}

/// A canonical decimal u64: digits only, no leading zeros except `0` itself.
pub(crate) fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 20 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if digits.len() > 1 && digits.first() == Some(&b'0') {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn decode_hash(line: &[u8]) -> Option<Digest> {
    if line.len() != HASH_B64_LEN {
        return None;
    }
    let engine = &base64::engine::general_purpose::STANDARD;
    let mut raw = [0u8; 33];
    let n = engine.decode_slice(line, &mut raw).ok()?;
    let bytes = raw.get(..n)?;
    // Canonical only: re-encoding gives the same text (no non-zero padding bits).
    if engine.encode(bytes).as_bytes() != line {
        return None;
    }
    Digest::from_slice(bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::checkpoint::Checkpoint;
    use crate::keys::SecretKey;

    fn signed(size: u64) -> SignedCheckpoint {
        let key = SecretKey::from_seed(&[7; 32]);
        SignedCheckpoint::sign(Checkpoint::new("example.org/log", size, Digest::ZERO), &key)
            .unwrap()
    }

    fn body(head: &str, size: u64) -> Vec<u8> {
        let mut b = head.as_bytes().to_vec();
        b.extend_from_slice(signed(size).to_string().as_bytes());
        b
    }

    const H: &str = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=";

    #[test]
    fn round_trips() {
        let req = AddCheckpointRequest {
            old_size: 5,
            proof: vec![Digest::from_slice(&[1; 32]).unwrap(); 3],
            checkpoint: signed(9),
        };
        let bytes = req.encode();
        assert_eq!(AddCheckpointRequest::parse(&bytes).unwrap(), req);
        assert!(bytes.starts_with(b"old 5\n"));
    }

    #[test]
    fn parses_the_spec_shape() {
        let b = body(&format!("old 20852014\n{H}\n{H}\n\n"), 20852163);
        let req = AddCheckpointRequest::parse(&b).unwrap();
        assert_eq!(req.old_size, 20852014);
        assert_eq!(req.proof.len(), 2);
        assert_eq!(req.encode(), b);
    }

    #[test]
    fn refuses_leading_zeros_and_bad_old_lines() {
        for head in [
            "old 05\n\n",
            "old  5\n\n",
            "old -1\n\n",
            "old\n\n",
            "Old 5\n\n",
            "old 5 \n\n",
            "old 99999999999999999999\n\n",
            "old 5\r\n\n",
        ] {
            assert_eq!(
                AddCheckpointRequest::parse(&body(head, 9)),
                Err(RequestError::BadOldLine),
                "{head:?}"
            );
        }
        assert!(AddCheckpointRequest::parse(&body("old 0\n\n", 9)).is_ok());
    }

    #[test]
    fn refuses_bad_base64_and_too_many_lines() {
        let bad = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkax="; // non-zero padding bits
        assert_eq!(
            AddCheckpointRequest::parse(&body(&format!("old 5\n{bad}\n\n"), 9)),
            Err(RequestError::BadProofLine { line: 2 })
        );
        assert_eq!(
            AddCheckpointRequest::parse(&body("old 5\nAAAA\n\n", 9)),
            Err(RequestError::BadProofLine { line: 2 })
        );
        let many = format!("old 5\n{}\n", format!("{H}\n").repeat(64));
        assert_eq!(
            AddCheckpointRequest::parse(&body(&many, 9)),
            Err(RequestError::TooManyProofLines)
        );
        let max = format!("old 5\n{}\n", format!("{H}\n").repeat(63));
        assert!(AddCheckpointRequest::parse(&body(&max, 9)).is_ok());
    }

    #[test]
    fn refuses_a_missing_blank_line_and_proofs_from_zero() {
        assert_eq!(
            AddCheckpointRequest::parse(format!("old 5\n{H}\n").as_bytes()),
            Err(RequestError::MissingBlankLine)
        );
        assert_eq!(
            AddCheckpointRequest::parse(&body(&format!("old 0\n{H}\n\n"), 9)),
            Err(RequestError::ProofFromZero)
        );
        // Without the blank line the checkpoint's first line is read as a proof line.
        assert!(matches!(
            AddCheckpointRequest::parse(&body("old 5\n", 9)),
            Err(RequestError::BadProofLine { .. })
        ));
        assert!(matches!(
            AddCheckpointRequest::parse(b"old 5\n\nnot a note"),
            Err(RequestError::Checkpoint(_))
        ));
        assert!(matches!(
            AddCheckpointRequest::parse(&vec![b'a'; MAX_REQUEST_BYTES + 1]),
            Err(RequestError::TooLarge { .. })
        ));
    }
}
