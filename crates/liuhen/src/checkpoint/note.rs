//! C2SP `signed-note` v1.0.0: the note text, its signature lines, and Ed25519 note signatures.
//!
//! Spec: <https://c2sp.org/signed-note@v1.0.0>. The parser is stricter than the spec requires,
//! never looser: every byte string it accepts re-serializes to exactly the same bytes
//! (`Note::parse(b)?.to_string().as_bytes() == b`), so one note has one encoding.
//!
//! Deliberate departures from Go's `golang.org/x/mod/sumdb/note`, all in the strict direction:
//! duplicate `(name, key id)` signature lines are an error (Go silently drops the repeats), base64
//! must be canonical (Go accepts non-zero trailing bits), and the size limits below apply.

use core::fmt;

use base64::Engine as _;

use super::vkey::{
    decode_canonical, is_valid_key_name, key_id, NoteError, NoteVerifier, SignatureType,
};
use crate::keys::{Signature, Signer};

/// Largest note [`Note::parse`] accepts, in bytes: 1 MiB.
///
/// Room for [`MAX_SIGNATURES`] post-quantum-sized signature lines (about 6.9 KB each) plus the
/// text; a liuhen checkpoint with a dozen cosignatures is under 2 KB. The limit bounds the work and
/// memory an untrusted note can cost before any signature is checked.
pub const MAX_NOTE_BYTES: usize = 1 << 20;

/// Most signature lines a note may carry: 100, Go `sumdb/note`'s limit.
///
/// The spec says verifiers SHOULD limit the number of signatures and MUST accept at least 16.
pub const MAX_SIGNATURES: usize = 100;

/// Longest signature in a signature line, in bytes, not counting the 4-byte key id: 5000.
///
/// The spec: "post-quantum signatures can be up to nearly 5kB in size". An Ed25519 note
/// signature is 64 bytes, a `cosignature/v1` one 72.
pub const MAX_SIGNATURE_BYTES: usize = 5000;

/// The prefix of every signature line: em dash (U+2014) and a space.
const SIG_PREFIX: &str = "\u{2014} ";

/// One signature line of a note: the key name, the key id, and the signature bytes.
///
/// Holds what the line says, verified or not. Built by [`Note::parse`], [`sign_note`],
/// [`cosign`](super::cosign) or [`NoteSignature::new`], all of which check the limits, so its
/// line is always well formed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NoteSignature {
    name: String,
    key_id: [u8; 4],
    signature_bytes: Vec<u8>,
}

impl NoteSignature {
    /// A signature line from its parts.
    ///
    /// # Errors
    /// [`NoteError::InvalidKeyName`], or [`NoteError::SignatureLength`] when
    /// `signature_bytes` is empty or longer than [`MAX_SIGNATURE_BYTES`].
    pub fn new(name: &str, key_id: [u8; 4], signature_bytes: Vec<u8>) -> Result<Self, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidKeyName { line: None });
        }
        if signature_bytes.is_empty() || signature_bytes.len() > MAX_SIGNATURE_BYTES {
            return Err(NoteError::SignatureLength {
                line: None,
                len: 4 + signature_bytes.len(),
            });
        }
        Ok(NoteSignature {
            name: name.to_owned(),
            key_id,
            signature_bytes,
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id: the first four bytes of the decoded base64.
    pub fn key_id(&self) -> [u8; 4] {
        self.key_id
    }

    /// The signature proper, after the key id.
    pub fn signature_bytes(&self) -> &[u8] {
        &self.signature_bytes
    }

    /// Whether this line belongs to `verifier` (same key name and key id).
    pub fn is_from(&self, verifier: &NoteVerifier) -> bool {
        self.name == verifier.name() && self.key_id == verifier.key_id()
    }

    /// Parses one signature line (without its newline). `line` is for error messages.
    fn parse_line(text: &str, line: usize) -> Result<Self, NoteError> {
        let rest = text
            .strip_prefix(SIG_PREFIX)
            .ok_or(NoteError::MalformedSignatureLine { line })?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or(NoteError::MalformedSignatureLine { line })?;
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidKeyName { line: Some(line) });
        }
        // Bound the work before decoding: 4 base64 characters carry 3 bytes.
        if b64.len() > base64_len(4 + MAX_SIGNATURE_BYTES) {
            return Err(NoteError::SignatureLength {
                line: Some(line),
                len: b64.len() / 4 * 3,
            });
        }
        let raw = decode_canonical(b64).ok_or(NoteError::InvalidBase64 { line })?;
        match raw.split_first_chunk::<4>() {
            Some((id, sig)) if !sig.is_empty() => Ok(NoteSignature {
                name: name.to_owned(),
                key_id: *id,
                signature_bytes: sig.to_vec(),
            }),
            _ => Err(NoteError::SignatureLength {
                line: Some(line),
                len: raw.len(),
            }),
        }
    }
}

impl fmt::Display for NoteSignature {
    /// The signature line, without its final newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut raw = Vec::with_capacity(4 + self.signature_bytes.len());
        raw.extend_from_slice(&self.key_id);
        raw.extend_from_slice(&self.signature_bytes);
        write!(
            f,
            "{SIG_PREFIX}{} {}",
            self.name,
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

/// A signed note: a text and one or more signature lines.
///
/// Invariant (kept by every constructor): the text is valid note text (see [`check_text`]),
/// there is at least one and at most [`MAX_SIGNATURES`] signature, no two share a key name and
/// key id, and the serialized note fits in [`MAX_NOTE_BYTES`]. Hence `Display` always produces a
/// note that [`Note::parse`] turns back into an equal value.
///
/// A `Note` says nothing about who signed it until [`Note::verify`] succeeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl Note {
    /// A note from a text and its signatures.
    ///
    /// # Errors
    /// The text errors of [`check_text`], [`NoteError::NoSignatures`],
    /// [`NoteError::TooManySignatures`], [`NoteError::DuplicateSignature`], or
    /// [`NoteError::TooLarge`].
    pub fn new(text: String, signatures: Vec<NoteSignature>) -> Result<Self, NoteError> {
        check_text(&text)?;
        if signatures.is_empty() {
            return Err(NoteError::NoSignatures);
        }
        let mut note = Note {
            text,
            signatures: Vec::with_capacity(signatures.len()),
        };
        for sig in signatures {
            note.add_signature(sig)?;
        }
        Ok(note)
    }

    /// Strictly parses a signed note.
    ///
    /// Never panics; allocates at most a small multiple of the input length, and refuses inputs
    /// over [`MAX_NOTE_BYTES`] before looking at them.
    ///
    /// # Errors
    /// Any of the parse errors of [`NoteError`].
    pub fn parse(bytes: &[u8]) -> Result<Self, NoteError> {
        if bytes.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge {
                len: bytes.len(),
                max: MAX_NOTE_BYTES,
            });
        }
        let s = core::str::from_utf8(bytes).map_err(|e| NoteError::InvalidUtf8 {
            offset: e.valid_up_to(),
        })?;
        check_no_controls(s)?;

        // The text is separated from the signatures by the *last* empty line: signature lines
        // are never empty, while the text may contain empty lines.
        let split = s.rfind("\n\n").ok_or(NoteError::MissingSeparator)?;
        let (text, sig_block) = (&s[..=split], &s[split + 2..]);
        if sig_block.is_empty() {
            return Err(NoteError::NoSignatures);
        }
        // Line number of the first signature line: the text's lines, the blank line, then it.
        let first_line = count_lines(text) + 2;
        let Some(sig_block) = sig_block.strip_suffix('\n') else {
            return Err(NoteError::MissingFinalNewline {
                line: first_line + count_lines(sig_block),
            });
        };

        let mut signatures: Vec<NoteSignature> = Vec::new();
        for (i, line_text) in sig_block.split('\n').enumerate() {
            let line = first_line + i;
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures {
                    max: MAX_SIGNATURES,
                });
            }
            let sig = NoteSignature::parse_line(line_text, line)?;
            if signatures
                .iter()
                .any(|s| s.name == sig.name && s.key_id == sig.key_id)
            {
                return Err(NoteError::DuplicateSignature {
                    line: Some(line),
                    name: sig.name,
                    key_id: sig.key_id,
                });
            }
            signatures.push(sig);
        }
        Ok(Note {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The note text, final newline included: the bytes the signatures cover.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// The signature line with this key name and key id, if any (there is at most one).
    pub fn signature(&self, name: &str, key_id: [u8; 4]) -> Option<&NoteSignature> {
        self.signatures
            .iter()
            .find(|s| s.name == name && s.key_id == key_id)
    }

    /// Appends a signature line (for example a witness cosignature).
    ///
    /// # Errors
    /// [`NoteError::DuplicateSignature`] if a line with the same key name and key id is
    /// already there, [`NoteError::TooManySignatures`], or [`NoteError::TooLarge`]; the note is
    /// then unchanged.
    pub fn add_signature(&mut self, sig: NoteSignature) -> Result<(), NoteError> {
        if self.signature(&sig.name, sig.key_id).is_some() {
            return Err(NoteError::DuplicateSignature {
                line: None,
                name: sig.name,
                key_id: sig.key_id,
            });
        }
        if self.signatures.len() >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures {
                max: MAX_SIGNATURES,
            });
        }
        let len = self.encoded_len() + line_len(&sig);
        if len > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge {
                len,
                max: MAX_NOTE_BYTES,
            });
        }
        self.signatures.push(sig);
        Ok(())
    }

    /// Verifies the signature line of `verifier`'s key (an Ed25519 note key) over the text.
    ///
    /// Signature lines of other keys are ignored, as the spec requires; a line with the
    /// verifier's name and key id that does not verify is an error. Uses `verify_strict`, which
    /// also refuses the malleable or small-order encodings that Go's `ed25519.Verify` would let
    /// through; honest signatures always pass.
    ///
    /// Success proves only that the holder of `verifier`'s key signed this exact text; it says
    /// nothing about the other signature lines.
    ///
    /// # Errors
    /// [`NoteError::WrongSignatureType`] for a non-Ed25519 verifier,
    /// [`NoteError::NoMatchingSignature`], or [`NoteError::BadSignature`].
    pub fn verify(&self, verifier: &NoteVerifier) -> Result<(), NoteError> {
        if verifier.signature_type() != SignatureType::Ed25519 {
            return Err(NoteError::WrongSignatureType {
                expected: SignatureType::Ed25519,
                found: verifier.signature_type(),
            });
        }
        let sig = self
            .signature(verifier.name(), verifier.key_id())
            .ok_or_else(|| NoteError::NoMatchingSignature {
                name: verifier.name().to_owned(),
                key_id: verifier.key_id(),
            })?;
        let bad = || NoteError::BadSignature {
            name: verifier.name().to_owned(),
            key_id: verifier.key_id(),
        };
        let bytes: [u8; 64] = sig
            .signature_bytes
            .as_slice()
            .try_into()
            .map_err(|_| bad())?;
        verifier
            .key()
            .verify_strict(self.text.as_bytes(), &Signature::Ed25519(bytes))
            .map_err(|_| bad())
    }

    /// Length of the serialized note.
    fn encoded_len(&self) -> usize {
        self.text.len() + 1 + self.signatures.iter().map(line_len).sum::<usize>()
    }
}

impl fmt::Display for Note {
    /// The signed note, byte for byte: text, blank line, signature lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")?;
        for sig in &self.signatures {
            writeln!(f, "{sig}")?;
        }
        Ok(())
    }
}

/// Signs `text` as a C2SP signed note with an Ed25519 key (signature type `0x01`).
///
/// The signature covers exactly the bytes of `text`, final newline included. The key id is
/// computed from `name` and `signer.public_key()`.
///
/// # Errors
/// The errors of [`check_text`] (so no text holding a NUL byte, such as a liuhen
/// domain-separated message, can ever be signed as a note), [`NoteError::InvalidKeyName`], or
/// [`NoteError::Key`] when the signer fails.
pub fn sign_note(text: &str, name: &str, signer: &dyn Signer) -> Result<NoteSignature, NoteError> {
    check_text(text)?;
    if !is_valid_key_name(name) {
        return Err(NoteError::InvalidKeyName { line: None });
    }
    let id = key_id(name, SignatureType::Ed25519, &signer.public_key());
    let sig = signer.sign(text.as_bytes())?;
    NoteSignature::new(name, id, sig.as_bytes().to_vec())
}

/// Checks that `text` can be the text of a signed note: at most [`MAX_NOTE_BYTES`], ending in a
/// newline, with no ASCII control character other than newline.
///
/// # Errors
/// [`NoteError::TooLarge`], [`NoteError::TextNotTerminated`] or [`NoteError::ControlCharacter`].
pub fn check_text(text: &str) -> Result<(), NoteError> {
    if text.len() > MAX_NOTE_BYTES {
        return Err(NoteError::TooLarge {
            len: text.len(),
            max: MAX_NOTE_BYTES,
        });
    }
    check_no_controls(text)?;
    if !text.ends_with('\n') {
        return Err(NoteError::TextNotTerminated);
    }
    Ok(())
}

/// Refuses ASCII control characters other than newline. Bytes below 0x20 never occur inside a
/// multi-byte UTF-8 sequence, so a byte scan is exact.
fn check_no_controls(s: &str) -> Result<(), NoteError> {
    let mut line = 1;
    for &b in s.as_bytes() {
        if b == b'\n' {
            line += 1;
        } else if b < 0x20 {
            return Err(NoteError::ControlCharacter { line, byte: b });
        }
    }
    Ok(())
}

/// Number of newline characters in `s`.
fn count_lines(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\n').count()
}

/// Length of a serialized signature line, newline included.
fn line_len(sig: &NoteSignature) -> usize {
    SIG_PREFIX.len() + sig.name.len() + 1 + base64_len(4 + sig.signature_bytes.len()) + 1
}

/// Length of the padded base64 encoding of `n` bytes.
pub(crate) const fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::checkpoint::MAX_KEY_NAME_BYTES;
    use crate::keys::SecretKey;

    const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n";
    const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    fn peter_note() -> String {
        format!("{TEXT}\n{PETER_SIG}")
    }

    fn key(seed: u8) -> SecretKey {
        SecretKey::from_seed(&[seed; 32])
    }

    #[test]
    fn parse_round_trips() {
        let msg = peter_note();
        let note = Note::parse(msg.as_bytes()).unwrap();
        assert_eq!(note.text(), TEXT);
        assert_eq!(note.signatures().len(), 1);
        assert_eq!(note.signatures()[0].name(), "PeterNeumann");
        assert_eq!(note.signatures()[0].key_id(), [0xc7, 0x4f, 0x20, 0xa3]);
        assert_eq!(note.signatures()[0].signature_bytes().len(), 64);
        assert_eq!(note.to_string(), msg);
    }

    #[test]
    fn text_may_contain_empty_lines_and_be_a_single_newline() {
        let k = key(1);
        for text in ["a\n\nb\n", "\n", "a\n\n", "\u{2014} looks like a sig\n"] {
            let sig = sign_note(text, "k", &k).unwrap();
            let note = Note::new(text.to_owned(), vec![sig]).unwrap();
            let again = Note::parse(note.to_string().as_bytes()).unwrap();
            assert_eq!(again, note);
            assert_eq!(again.text(), text);
            let v = NoteVerifier::for_key("k", k.public_key()).unwrap();
            again.verify(&v).unwrap();
        }
    }

    #[test]
    fn go_bad_messages_are_refused() {
        // The `badMsgs` of golang.org/x/mod sumdb/note/note_test.go, TestOpen.
        let cases: Vec<(String, NoteError)> = vec![
            (TEXT.to_owned(), NoteError::MissingSeparator),
            (format!("{TEXT}\n"), NoteError::NoSignatures),
            (
                format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
                NoteError::MissingFinalNewline { line: 4 },
            ),
            (
                format!("\x01{TEXT}\n{PETER_SIG}"),
                NoteError::ControlCharacter { line: 1, byte: 1 },
            ),
            (
                format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
                NoteError::MalformedSignatureLine { line: 5 },
            ),
            (
                format!("{TEXT}\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"),
                NoteError::InvalidBase64 { line: 4 },
            ),
        ];
        for (msg, want) in cases {
            assert_eq!(Note::parse(msg.as_bytes()).unwrap_err(), want, "{msg:?}");
        }
        let mut bad = b"\xff".to_vec();
        bad.extend_from_slice(peter_note().as_bytes());
        assert_eq!(
            Note::parse(&bad).unwrap_err(),
            NoteError::InvalidUtf8 { offset: 0 }
        );
    }

    #[test]
    fn control_characters_are_refused_anywhere() {
        for c in (0u8..0x20).filter(|&c| c != b'\n') {
            let msg = format!("{TEXT}\n{PETER_SIG}").replacen(' ', &char::from(c).to_string(), 1);
            assert!(matches!(
                Note::parse(msg.as_bytes()),
                Err(NoteError::ControlCharacter { line: 1, byte }) if byte == c
            ));
            assert!(matches!(
                check_text(&format!("a{}\n", char::from(c))),
                Err(NoteError::ControlCharacter { .. })
            ));
        }
        // CR-LF line endings are not newlines.
        let crlf = peter_note().replace('\n', "\r\n");
        assert!(matches!(
            Note::parse(crlf.as_bytes()),
            Err(NoteError::ControlCharacter { byte: b'\r', .. })
        ));
    }

    #[test]
    fn duplicate_signature_lines_are_refused() {
        let msg = format!("{TEXT}\n{PETER_SIG}{PETER_SIG}");
        assert_eq!(
            Note::parse(msg.as_bytes()).unwrap_err(),
            NoteError::DuplicateSignature {
                line: Some(5),
                name: "PeterNeumann".into(),
                key_id: [0xc7, 0x4f, 0x20, 0xa3]
            }
        );
        // Same name and id with a different signature is a duplicate too.
        let other = PETER_SIG.replace("x08go/ZJ", "x08go/ZK");
        let msg = format!("{TEXT}\n{PETER_SIG}{other}");
        assert!(matches!(
            Note::parse(msg.as_bytes()),
            Err(NoteError::DuplicateSignature { line: Some(5), .. })
        ));
        // Same name, other key id: two keys, fine.
        let other_id = PETER_SIG.replace("x08go", "x08gp");
        let msg = format!("{TEXT}\n{PETER_SIG}{other_id}");
        assert_eq!(Note::parse(msg.as_bytes()).unwrap().signatures().len(), 2);

        let mut note = Note::parse(peter_note().as_bytes()).unwrap();
        let dup = note.signatures()[0].clone();
        assert!(matches!(
            note.add_signature(dup),
            Err(NoteError::DuplicateSignature { line: None, .. })
        ));
        assert_eq!(note.signatures().len(), 1);
    }

    #[test]
    fn non_canonical_base64_is_refused() {
        // 68 bytes encode to 91 characters and one '=' of padding.
        let b64 = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
        let variants = [
            b64.trim_end_matches('=').to_owned(), // missing padding
            format!("{b64}="),                    // extra padding
            b64.replace("nAM=", "nAN="),          // non-zero trailing bits
            b64.replace('/', "_"),                // URL alphabet
            format!(" {b64}"),                    // leading space
            format!("{b64} "),                    // trailing space
            "!!!!".to_owned(),                    // not base64
        ];
        for v in variants {
            let msg = format!("{TEXT}\n\u{2014} PeterNeumann {v}\n");
            assert!(
                matches!(
                    Note::parse(msg.as_bytes()),
                    Err(NoteError::InvalidBase64 { line: 4 })
                ),
                "{v:?}"
            );
        }
        // An empty signature is valid base64 of nothing: refused for its length.
        let msg = format!("{TEXT}\n\u{2014} PeterNeumann \n");
        assert_eq!(
            Note::parse(msg.as_bytes()).unwrap_err(),
            NoteError::SignatureLength {
                line: Some(4),
                len: 0
            }
        );
        assert_eq!(decode_canonical("AA=="), Some(vec![0]));
        assert_eq!(decode_canonical("AB=="), None);
        assert_eq!(decode_canonical("AA"), None);
    }

    #[test]
    fn malformed_signature_lines_are_refused() {
        let id_sig = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
        let cases = [
            (
                format!("- PeterNeumann {id_sig}"),
                NoteError::MalformedSignatureLine { line: 4 },
            ),
            (
                format!("\u{2014}PeterNeumann {id_sig}"),
                NoteError::MalformedSignatureLine { line: 4 },
            ),
            (
                "\u{2014} PeterNeumann".to_owned(),
                NoteError::MalformedSignatureLine { line: 4 },
            ),
            (
                format!("\u{2014}  {id_sig}"),
                NoteError::InvalidKeyName { line: Some(4) },
            ),
            (
                format!("\u{2014} a+b {id_sig}"),
                NoteError::InvalidKeyName { line: Some(4) },
            ),
            (
                format!("\u{2014} a\u{a0}b {id_sig}"),
                NoteError::InvalidKeyName { line: Some(4) },
            ),
            (
                format!("\u{2014} a\u{3000}b {id_sig}"),
                NoteError::InvalidKeyName { line: Some(4) },
            ),
            (
                format!("\u{2014} {} {id_sig}", "n".repeat(MAX_KEY_NAME_BYTES + 1)),
                NoteError::InvalidKeyName { line: Some(4) },
            ),
            // Four bytes: a key id and no signature.
            (
                "\u{2014} a AAAAAA==".to_owned(),
                NoteError::SignatureLength {
                    line: Some(4),
                    len: 4,
                },
            ),
        ];
        for (line, want) in &cases {
            let msg = format!("{TEXT}\n{line}\n");
            assert_eq!(&Note::parse(msg.as_bytes()).unwrap_err(), want, "{line:?}");
        }
        // Five bytes (key id plus one) is the shortest accepted signature.
        let msg = format!("{TEXT}\n\u{2014} a AAAAAAA=\n");
        assert_eq!(
            Note::parse(msg.as_bytes()).unwrap().signatures()[0].signature_bytes(),
            [0]
        );
    }

    #[test]
    fn over_long_signature_is_refused() {
        let long =
            base64::engine::general_purpose::STANDARD
                .encode(vec![0u8; 4 + MAX_SIGNATURE_BYTES + 1]);
        let msg = format!("{TEXT}\n\u{2014} a {long}\n");
        assert!(matches!(
            Note::parse(msg.as_bytes()),
            Err(NoteError::SignatureLength { line: Some(4), .. })
        ));
        let ok =
            base64::engine::general_purpose::STANDARD.encode(vec![0u8; 4 + MAX_SIGNATURE_BYTES]);
        let msg = format!("{TEXT}\n\u{2014} a {ok}\n");
        assert!(Note::parse(msg.as_bytes()).is_ok());
        assert!(NoteSignature::new("a", [0; 4], vec![0; MAX_SIGNATURE_BYTES + 1]).is_err());
        assert!(NoteSignature::new("a", [0; 4], vec![]).is_err());
    }

    #[test]
    fn too_many_signatures_are_refused() {
        let line = |i: usize| format!("\u{2014} k{i} AAAAAAA=\n");
        let ok: String = (0..MAX_SIGNATURES).map(line).collect();
        let note = Note::parse(format!("{TEXT}\n{ok}").as_bytes()).unwrap();
        assert_eq!(note.signatures().len(), MAX_SIGNATURES);
        let too_many: String = (0..=MAX_SIGNATURES).map(line).collect();
        assert_eq!(
            Note::parse(format!("{TEXT}\n{too_many}").as_bytes()).unwrap_err(),
            NoteError::TooManySignatures {
                max: MAX_SIGNATURES
            }
        );
        // Go's case: 101 copies of one line (refused here already as a duplicate).
        let msg = format!("{TEXT}\n{}", PETER_SIG.repeat(101));
        assert!(Note::parse(msg.as_bytes()).is_err());

        let mut note = note;
        let extra = NoteSignature::new("extra", [0; 4], vec![1]).unwrap();
        assert_eq!(
            note.add_signature(extra),
            Err(NoteError::TooManySignatures {
                max: MAX_SIGNATURES
            })
        );
    }

    #[test]
    fn over_large_notes_are_refused() {
        let big = format!("{}\n\n{PETER_SIG}", "a".repeat(MAX_NOTE_BYTES));
        assert!(matches!(
            Note::parse(big.as_bytes()),
            Err(NoteError::TooLarge {
                max: MAX_NOTE_BYTES,
                ..
            })
        ));
        let text = format!("{}\n", "a".repeat(MAX_NOTE_BYTES - 100));
        let sig = NoteSignature::new("a", [0; 4], vec![0; 64]).unwrap();
        assert!(matches!(
            Note::new(text, vec![sig]),
            Err(NoteError::TooLarge { .. })
        ));
        assert!(matches!(
            check_text(&format!("{}\n", "a".repeat(MAX_NOTE_BYTES))),
            Err(NoteError::TooLarge { .. })
        ));
    }

    #[test]
    fn note_new_checks_its_text() {
        let sig = NoteSignature::new("a", [0; 4], vec![0; 64]).unwrap();
        assert_eq!(
            Note::new("no newline".into(), vec![sig.clone()]),
            Err(NoteError::TextNotTerminated)
        );
        assert_eq!(
            Note::new("".into(), vec![sig.clone()]),
            Err(NoteError::TextNotTerminated)
        );
        assert_eq!(
            Note::new("ok\n".into(), vec![]),
            Err(NoteError::NoSignatures)
        );
        assert!(matches!(
            Note::new("nul\0\n".into(), vec![sig]),
            Err(NoteError::ControlCharacter { line: 1, byte: 0 })
        ));
    }

    #[test]
    fn sign_and_verify() {
        let k = key(3);
        let v = NoteVerifier::for_key("example.com/k", k.public_key()).unwrap();
        let sig = sign_note("hello\n", "example.com/k", &k).unwrap();
        assert_eq!(sig.key_id(), v.key_id());
        let note = Note::new("hello\n".into(), vec![sig]).unwrap();
        note.verify(&v).unwrap();

        // Another key with the same name: its line is simply absent.
        let other = NoteVerifier::for_key("example.com/k", key(4).public_key()).unwrap();
        assert!(matches!(
            note.verify(&other),
            Err(NoteError::NoMatchingSignature { .. })
        ));
        // A witness key is the wrong type for a note signature.
        let w = NoteVerifier::for_witness("example.com/k", k.public_key()).unwrap();
        assert!(matches!(
            note.verify(&w),
            Err(NoteError::WrongSignatureType { .. })
        ));
        // Refuses texts that are not note texts, and invalid names.
        assert!(sign_note("x", "n", &k).is_err());
        assert!(sign_note("liuhen/v1/entry\0\n", "n", &k).is_err());
        assert_eq!(
            sign_note("x\n", "a b", &k).unwrap_err(),
            NoteError::InvalidKeyName { line: None }
        );
    }

    #[test]
    fn tampered_signature_is_an_error_not_ignored() {
        let k = key(5);
        let v = NoteVerifier::for_key("n", k.public_key()).unwrap();
        let sig = sign_note("hello\n", "n", &k).unwrap();
        let mut bytes = sig.signature_bytes().to_vec();
        bytes[10] ^= 1;
        let bad = NoteSignature::new("n", sig.key_id(), bytes).unwrap();
        let note = Note::new("hello\n".into(), vec![bad]).unwrap();
        assert!(matches!(
            note.verify(&v),
            Err(NoteError::BadSignature { .. })
        ));
        // Wrong length for Ed25519 under the right name and id.
        let short = NoteSignature::new("n", sig.key_id(), vec![0; 63]).unwrap();
        let note = Note::new("hello\n".into(), vec![short]).unwrap();
        assert!(matches!(
            note.verify(&v),
            Err(NoteError::BadSignature { .. })
        ));
    }

    #[test]
    fn unknown_signatures_are_ignored() {
        let k = key(6);
        let v = NoteVerifier::for_key("n", k.public_key()).unwrap();
        let junk = NoteSignature::new("other", [1, 2, 3, 4], vec![9; 64]).unwrap();
        let good = sign_note("t\n", "n", &k).unwrap();
        let note = Note::new("t\n".into(), vec![junk, good]).unwrap();
        note.verify(&v).unwrap();
    }

    #[test]
    fn errors_carry_typed_context() {
        let e = NoteError::NoMatchingSignature {
            name: "PeterNeumann".into(),
            key_id: [0xc7, 0x4f, 0x20, 0xa3],
        };
        assert_eq!(e.to_string(), "no signature by PeterNeumann+c74f20a3");
        assert_eq!(
            NoteError::InvalidKeyName { line: Some(3) }.to_string(),
            "invalid key name on line 3"
        );
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
                let _ = Note::parse(&bytes);
            }

            /// Inputs built from the note's own alphabet reach deep into the parser; whatever
            /// parses must re-serialize to the same bytes.
            #[test]
            fn parse_is_canonical(parts in proptest::collection::vec(
                prop_oneof![
                    Just("\n"), Just("\n\n"), Just("\u{2014} "), Just(" "), Just("a"),
                    Just("+"), Just("="), Just("AAAAAAA="), Just("x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="),
                    Just("\u{2014}"), Just("\t"), Just("\u{a0}"),
                ],
                0..24,
            )) {
                let s: String = parts.concat();
                if let Ok(note) = Note::parse(s.as_bytes()) {
                    prop_assert_eq!(note.to_string(), s);
                }
            }

            #[test]
            fn display_then_parse_round_trips(
                text in "[a-z \n\u{e9}\u{2014}]{0,40}\n",
                names in proptest::collection::btree_set("[a-z./]{1,12}", 1..5),
                sig in proptest::collection::vec(any::<u8>(), 1..80),
            ) {
                let sigs: Vec<NoteSignature> = names
                    .iter()
                    .map(|n| NoteSignature::new(n, [1, 2, 3, 4], sig.clone()).unwrap())
                    .collect();
                let note = Note::new(text, sigs).unwrap();
                prop_assert_eq!(Note::parse(note.to_string().as_bytes()).unwrap(), note);
            }
        }
    }
}
