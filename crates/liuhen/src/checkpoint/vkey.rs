//! Note keys, the bottom of the signed-note layer: key names, key ids and verifier keys
//! (`vkey`) in the text form of Go's `golang.org/x/mod/sumdb/note`, which C2SP `signed-note`
//! v1.0.0 and `tlog-cosignature` v1.0.1 refer to, and the layer's error type [`NoteError`]:
//!
//! ```text
//! vkey:  <name>+<key id, 8 lower-case hex digits>+<base64(type byte || 32-byte public key)>
//! key id = SHA-256(name || 0x0A || type byte || public key)[:4]
//! ```
//!
//! Notes ([`super::note`]) and cosignatures are built on this module; it depends on neither.
//! The signer-key text (`skey`, the secret key file's format) is [`crate::keyfile`]'s.
//!
//! Parsing is strict: the key id must match the name and key, the hex must be lower-case (as Go
//! writes it; Go also reads upper case), the base64 canonical, the lengths exact, and weak
//! (small-order) Ed25519 keys are refused.

use core::fmt;
use core::str::FromStr;

use base64::Engine as _;
use sha2::Digest as _;

use crate::keys::{KeyError, PublicKey};

/// Longest key name, in bytes: 255.
///
/// The spec sets no maximum. 255 is the longest cosigner name and log origin that the ML-DSA-44
/// cosignature message of later `tlog-cosignature` revisions can encode
/// (`opaque cosigner_name<1..2^8-1>`, `opaque log_origin<1..2^8-1>`), so a longer name would not
/// carry over to post-quantum witnesses. It also bounds every signature line.
pub const MAX_KEY_NAME_BYTES: usize = 255;

/// Errors of the signed-note layer: parsing notes, verifier and signer keys, signing, verifying.
///
/// Line numbers count from 1 over the whole note, the blank separator line included.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoteError {
    /// The note is longer than [`MAX_NOTE_BYTES`](super::MAX_NOTE_BYTES).
    #[error("note is {len} bytes long, more than the limit of {max}")]
    TooLarge {
        /// Length of the input.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The note is not valid UTF-8.
    #[error("note is not valid UTF-8 (first bad byte at offset {offset})")]
    InvalidUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// The note contains an ASCII control character other than newline.
    #[error("line {line} contains the control character 0x{byte:02x}")]
    ControlCharacter {
        /// Line of the character.
        line: usize,
        /// The character.
        byte: u8,
    },
    /// A note text (or checkpoint body) that does not end in a newline.
    #[error("note text does not end in a newline")]
    TextNotTerminated,
    /// No blank line separates the text from the signature lines.
    #[error("no blank line separates the note text from its signatures")]
    MissingSeparator,
    /// The note has no signature lines.
    #[error("note has no signature lines")]
    NoSignatures,
    /// The last signature line does not end in a newline.
    #[error("line {line} does not end in a newline")]
    MissingFinalNewline {
        /// The unterminated line.
        line: usize,
    },
    /// The note has more than [`MAX_SIGNATURES`](super::MAX_SIGNATURES) signature lines.
    #[error("note has more than {max} signature lines")]
    TooManySignatures {
        /// The limit.
        max: usize,
    },
    /// A line after the separator is not `— <name> <base64>`.
    #[error("line {line} is not a signature line (em dash, space, key name, space, base64)")]
    MalformedSignatureLine {
        /// The line.
        line: usize,
    },
    /// A key name is empty, longer than [`MAX_KEY_NAME_BYTES`], or contains `+`, a Unicode space
    /// or a control character.
    #[error("invalid key name{}", OnLine(*.line))]
    InvalidKeyName {
        /// The signature line, when the name came from a note.
        line: Option<usize>,
    },
    /// A signature is not canonical standard base64 (RFC 4648 section 4, padded, zero trailing
    /// bits, no whitespace).
    #[error("line {line}: signature is not canonical base64")]
    InvalidBase64 {
        /// The signature line.
        line: usize,
    },
    /// A signature is shorter than a key id plus one byte, or longer than
    /// [`MAX_SIGNATURE_BYTES`](super::MAX_SIGNATURE_BYTES) after its key id.
    #[error("signature of {len} bytes (key id included) is out of bounds{}", OnLine(*.line))]
    SignatureLength {
        /// The signature line, when the signature came from a note.
        line: Option<usize>,
        /// Decoded length, or for an over-long line a lower bound of it.
        len: usize,
    },
    /// Two signature lines carry the same key name and key id.
    #[error("a second signature by {name}+{}{}", KeyIdHex(*.key_id), OnLine(*.line))]
    DuplicateSignature {
        /// The second of the two lines, when parsing a note.
        line: Option<usize>,
        /// Key name.
        name: String,
        /// Key id.
        key_id: [u8; 4],
    },
    /// No signature line carries the verifier's key name and key id.
    #[error("no signature by {name}+{}", KeyIdHex(*.key_id))]
    NoMatchingSignature {
        /// Key name of the verifier.
        name: String,
        /// Key id of the verifier.
        key_id: [u8; 4],
    },
    /// The signature line of the verifier's key does not verify.
    #[error("signature by {name}+{} does not verify", KeyIdHex(*.key_id))]
    BadSignature {
        /// Key name of the verifier.
        name: String,
        /// Key id of the verifier.
        key_id: [u8; 4],
    },
    /// A verifier of the wrong signature type was given (e.g. a witness key to check a log
    /// signature).
    #[error("expected a {expected:?} verifier key, got a {found:?} one")]
    WrongSignatureType {
        /// The type the operation needs.
        expected: SignatureType,
        /// The verifier's type.
        found: SignatureType,
    },
    /// A verifier key (`<name>+<hash>+<base64>`) is malformed: wrong number of fields, key id
    /// not 8 lower-case hex digits, non-canonical base64, or wrong key length.
    #[error("malformed verifier key")]
    MalformedVerifierKey,
    /// A signer key (`PRIVATE+KEY+<name>+<hash>+<base64>`) is malformed. Never shows the key.
    #[error("malformed signer key")]
    MalformedSignerKey,
    /// A key's signature type byte is not one this crate supports.
    #[error("unsupported signature type 0x{alg:02x}")]
    UnknownAlgorithm {
        /// The type byte.
        alg: u8,
    },
    /// The key id written in a key does not match the one computed from its name and key.
    #[error("key id {} written for {name} does not match the computed {}", KeyIdHex(*.declared), KeyIdHex(*.computed))]
    KeyIdMismatch {
        /// Key name.
        name: String,
        /// The key id written in the key.
        declared: [u8; 4],
        /// The key id computed from the name and public key.
        computed: [u8; 4],
    },
    /// A key was refused or a signer failed.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Shows " on line N" for errors that may or may not come from a parsed note.
pub(crate) struct OnLine(pub(crate) Option<usize>);

impl fmt::Display for OnLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(line) => write!(f, " on line {line}"),
            None => Ok(()),
        }
    }
}

/// Decodes standard padded base64 and accepts it only if re-encoding gives the same string:
/// exactly one byte string has one encoding. (base64's `STANDARD` engine already refuses
/// missing or extra padding and non-zero trailing bits; the round trip states the rule.)
pub(crate) fn decode_canonical(s: &str) -> Option<Vec<u8>> {
    let engine = &base64::engine::general_purpose::STANDARD;
    let raw = engine.decode(s).ok()?;
    (engine.encode(&raw) == s).then_some(raw)
}

/// The signature types (C2SP `signed-note` "signature type identifier bytes") liuhen supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SignatureType {
    /// `0x01`: an Ed25519 signature over the note text (`signed-note` v1.0.0). Log keys.
    Ed25519,
    /// `0x04`: a timestamped Ed25519 witness cosignature (`tlog-cosignature` v1.0.1,
    /// `cosignature/v1`). Witness keys.
    CosignatureV1,
}

impl SignatureType {
    /// The identifier byte.
    pub const fn id(self) -> u8 {
        match self {
            SignatureType::Ed25519 => 0x01,
            SignatureType::CosignatureV1 => 0x04,
        }
    }

    /// The type with this identifier byte, if liuhen supports it.
    pub const fn from_id(id: u8) -> Option<Self> {
        match id {
            0x01 => Some(SignatureType::Ed25519),
            0x04 => Some(SignatureType::CosignatureV1),
            _ => None,
        }
    }
}

/// The key id of a key: `SHA-256(name || 0x0A || type byte || public key)[:4]`.
///
/// The same Ed25519 key has different ids as a log key and as a witness key, so the two uses
/// can never be confused.
pub fn key_id(name: &str, signature_type: SignatureType, key: &PublicKey) -> [u8; 4] {
    key_id_of_encoded(name, &[signature_type.id()], key.as_bytes())
}

/// `SHA-256(name || "\n" || alg_and_key... )[:4]`, over the key encoding as written in a vkey.
fn key_id_of_encoded(name: &str, alg: &[u8], key: &[u8]) -> [u8; 4] {
    let mut h = sha2::Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(alg);
    h.update(key);
    let sum = h.finalize();
    let mut id = [0u8; 4];
    id.copy_from_slice(&sum[..4]);
    id
}

/// Whether `name` is a valid key name: non-empty, at most [`MAX_KEY_NAME_BYTES`] bytes, with
/// no `+`, no Unicode space (Go's `unicode.IsSpace`, which is Rust's `char::is_whitespace`) and no
/// ASCII control character (a note could never carry one).
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_KEY_NAME_BYTES
        && !name
            .chars()
            .any(|c| c == '+' || c.is_whitespace() || c < ' ')
}

/// Displays a key id as 8 lower-case hex digits, as vkeys and Go's error messages show it.
#[derive(Clone, Copy)]
pub(crate) struct KeyIdHex(pub(crate) [u8; 4]);

impl fmt::Display for KeyIdHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", u32::from_be_bytes(self.0))
    }
}

/// Splits a C2SP key, `<name>+<hash>+<base64>`, into its name, declared key id and base64
/// part, checking the name and the syntax of the key id (in Go's order). `malformed` makes
/// the error of this kind of key for missing parts or a bad key id.
pub(crate) fn split_key(
    key: &str,
    malformed: fn() -> NoteError,
) -> Result<(&str, [u8; 4], &str), NoteError> {
    let mut parts = key.splitn(3, '+');
    let (Some(name), Some(hash), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(malformed());
    };
    if !is_valid_key_name(name) {
        return Err(NoteError::InvalidKeyName { line: None });
    }
    let declared = parse_key_id_hex(hash).ok_or_else(malformed)?;
    Ok((name, declared, b64))
}

/// Parses exactly 8 lower-case hex digits.
pub(crate) fn parse_key_id_hex(s: &str) -> Option<[u8; 4]> {
    if s.len() != 8
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    u32::from_str_radix(s, 16).ok().map(u32::to_be_bytes)
}

/// A public key trusted to sign notes under a name: a log key (Ed25519, `0x01`) or a witness key
/// (`cosignature/v1`, `0x04`).
///
/// Its text form is the vkey, `<name>+<key id>+<base64(type || key)>` (see [`NoteVerifier::parse`]
/// and `Display`). The key id always matches the name, type and key, and the key is never weak.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NoteVerifier {
    name: String,
    key_id: [u8; 4],
    key: PublicKey,
    signature_type: SignatureType,
}

impl NoteVerifier {
    /// A log verifier key (signature type `0x01`) for `key` under `name`.
    ///
    /// # Errors
    /// [`NoteError::InvalidKeyName`], or [`NoteError::Key`] for a weak or invalid key.
    pub fn for_key(name: &str, key: PublicKey) -> Result<Self, NoteError> {
        Self::new(name, SignatureType::Ed25519, key)
    }

    /// A witness verifier key (`cosignature/v1`, signature type `0x04`) for `key` under `name`.
    ///
    /// # Errors
    /// As [`NoteVerifier::for_key`].
    pub fn for_witness(name: &str, key: PublicKey) -> Result<Self, NoteError> {
        Self::new(name, SignatureType::CosignatureV1, key)
    }

    /// A verifier key of any supported type.
    ///
    /// # Errors
    /// As [`NoteVerifier::for_key`].
    pub fn new(
        name: &str,
        signature_type: SignatureType,
        key: PublicKey,
    ) -> Result<Self, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidKeyName { line: None });
        }
        key.dalek()?;
        Ok(NoteVerifier {
            name: name.to_owned(),
            key_id: key_id(name, signature_type, &key),
            key,
            signature_type,
        })
    }

    /// Parses a vkey, `<name>+<hash>+<base64(type byte || public key)>`.
    ///
    /// Checks in Go's order (name, hash syntax, base64, key id over the decoded bytes, then type
    /// and length), so that Go's test manglings fail for the same reason here.
    ///
    /// # Errors
    /// [`NoteError::MalformedVerifierKey`], [`NoteError::InvalidKeyName`],
    /// [`NoteError::KeyIdMismatch`], [`NoteError::UnknownAlgorithm`], or [`NoteError::Key`] for a
    /// weak or invalid Ed25519 key.
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        let (name, declared, b64) = split_key(vkey, || NoteError::MalformedVerifierKey)?;
        // The longest key liuhen could meet is an ML-DSA-44 key of 1312 bytes; refuse more
        // before decoding.
        if b64.len() > 2048 {
            return Err(NoteError::MalformedVerifierKey);
        }
        let data = decode_canonical(b64).ok_or(NoteError::MalformedVerifierKey)?;
        let computed = key_id_of_encoded(name, &[], &data);
        if computed != declared {
            return Err(NoteError::KeyIdMismatch {
                name: name.to_owned(),
                declared,
                computed,
            });
        }
        let Some((&alg, key)) = data.split_first() else {
            return Err(NoteError::MalformedVerifierKey);
        };
        let signature_type =
            SignatureType::from_id(alg).ok_or(NoteError::UnknownAlgorithm { alg })?;
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| NoteError::MalformedVerifierKey)?;
        Ok(NoteVerifier {
            name: name.to_owned(),
            key_id: declared,
            key: PublicKey::ed25519(key)?,
            signature_type,
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn key_id(&self) -> [u8; 4] {
        self.key_id
    }

    /// The public key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// What this key verifies: note signatures or witness cosignatures.
    pub fn signature_type(&self) -> SignatureType {
        self.signature_type
    }
}

impl fmt::Display for NoteVerifier {
    /// The vkey.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut data = [0u8; 33];
        data[0] = self.signature_type.id();
        data[1..].copy_from_slice(self.key.as_bytes());
        write!(
            f,
            "{}+{}+{}",
            self.name,
            KeyIdHex(self.key_id),
            base64::engine::general_purpose::STANDARD.encode(data)
        )
    }
}

impl fmt::Debug for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoteVerifier({self})")
    }
}

impl FromStr for NoteVerifier {
    type Err = NoteError;

    fn from_str(s: &str) -> Result<Self, NoteError> {
        NoteVerifier::parse(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::keys::KeyError;

    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

    #[test]
    fn vkey_round_trips() {
        let v = NoteVerifier::parse(PETER_VKEY).unwrap();
        assert_eq!(v.name(), "PeterNeumann");
        assert_eq!(v.key_id(), [0xc7, 0x4f, 0x20, 0xa3]);
        assert_eq!(v.signature_type(), SignatureType::Ed25519);
        assert_eq!(v.to_string(), PETER_VKEY);
        assert_eq!(NoteVerifier::for_key("PeterNeumann", *v.key()).unwrap(), v);
        assert_eq!(PETER_VKEY.parse::<NoteVerifier>().unwrap(), v);
        assert!(format!("{v:?}").contains(PETER_VKEY));
    }

    #[test]
    fn witness_key_has_its_own_id() {
        let v = NoteVerifier::parse(PETER_VKEY).unwrap();
        let w = NoteVerifier::for_witness("PeterNeumann", *v.key()).unwrap();
        assert_ne!(w.key_id(), v.key_id());
        assert_eq!(w.signature_type(), SignatureType::CosignatureV1);
        let text = w.to_string();
        assert!(text.starts_with("PeterNeumann+"));
        // The type byte 0x04 in front of the same key.
        assert_eq!(
            text.splitn(3, '+').nth(2),
            Some("BBpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
        );
        assert_eq!(NoteVerifier::parse(&text).unwrap(), w);
    }

    #[test]
    fn bad_key_hash_is_refused() {
        let bad = PETER_VKEY.replace("c74f20a3", "c74f20a4");
        assert!(matches!(
            NoteVerifier::parse(&bad),
            Err(NoteError::KeyIdMismatch {
                declared: [0xc7, 0x4f, 0x20, 0xa4],
                ..
            })
        ));
        // Another name, same key: the id no longer matches.
        let bad = PETER_VKEY.replace("PeterNeumann", "PeterNeuman");
        assert!(matches!(
            NoteVerifier::parse(&bad),
            Err(NoteError::KeyIdMismatch { .. })
        ));
    }

    #[test]
    fn upper_case_hash_is_refused() {
        let bad = PETER_VKEY.replace("c74f20a3", "C74F20A3");
        assert_eq!(
            NoteVerifier::parse(&bad),
            Err(NoteError::MalformedVerifierKey)
        );
        for h in ["c74f20a", "c74f20a30", "+c74f20a", "-c74f20a", "c74f 20a"] {
            let bad = PETER_VKEY.replace("c74f20a3", h);
            assert!(NoteVerifier::parse(&bad).is_err(), "{h}");
        }
    }

    #[test]
    fn non_canonical_vkey_base64_is_refused() {
        // 33 bytes fill 44 base64 characters exactly: no padding and no spare bits, so the
        // non-canonical forms are extra padding, another alphabet, and whitespace.
        for bad in [
            format!("{PETER_VKEY}="),
            format!("{PETER_VKEY}===="),
            PETER_VKEY.replace('/', "_"),
            format!("{PETER_VKEY} "),
            PETER_VKEY.replace("LDE4", "LDE4\n"),
        ] {
            assert_eq!(
                NoteVerifier::parse(&bad),
                Err(NoteError::MalformedVerifierKey),
                "{bad}"
            );
        }
        // A vkey whose key part needs padding: trailing bits must be zero.
        let data = [0x01u8, 0xff];
        let id = key_id_of_encoded("p", &[], &data);
        let good = format!("p+{}+Af8=", KeyIdHex(id));
        // Canonical but too short: refused for its length, not its encoding.
        assert_eq!(
            NoteVerifier::parse(&good),
            Err(NoteError::MalformedVerifierKey)
        );
        let bad = format!("p+{}+Af9=", KeyIdHex(id));
        assert_eq!(
            NoteVerifier::parse(&bad),
            Err(NoteError::MalformedVerifierKey)
        );
        assert_eq!(decode_canonical("Af9="), None);
    }

    #[test]
    fn unknown_algorithm_and_wrong_length_are_refused() {
        // Go note_test.go TestNewVerifier: both with the key hash adjusted to match.
        assert_eq!(
            NoteVerifier::parse(
                "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
            ),
            Err(NoteError::MalformedVerifierKey)
        );
        assert_eq!(
            NoteVerifier::parse(
                "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
            ),
            Err(NoteError::UnknownAlgorithm { alg: 0x65 })
        );
    }

    #[test]
    fn weak_keys_are_refused() {
        // The identity point: 0x01 then 31 zero bytes.
        let mut weak = [0u8; 32];
        weak[0] = 1;
        let mut data = vec![0x01];
        data.extend_from_slice(&weak);
        let id = key_id_of_encoded("w", &[], &data);
        let vkey = format!(
            "w+{}+{}",
            KeyIdHex(id),
            base64::engine::general_purpose::STANDARD.encode(&data)
        );
        assert!(matches!(
            NoteVerifier::parse(&vkey),
            Err(NoteError::Key(KeyError::WeakPublicKey { .. }))
        ));
        assert!(NoteVerifier::for_key("w", PublicKey::Ed25519(weak)).is_err());
    }

    #[test]
    fn invalid_names_are_refused() {
        let key = *NoteVerifier::parse(PETER_VKEY).unwrap().key();
        for name in [
            "",
            "a b",
            "a+b",
            "a\tb",
            "a\u{2028}b",
            "a\u{1}b",
            &"n".repeat(256),
        ] {
            assert!(!is_valid_key_name(name), "{name:?}");
            assert_eq!(
                NoteVerifier::for_key(name, key),
                Err(NoteError::InvalidKeyName { line: None })
            );
        }
        assert!(is_valid_key_name("example.com/log/testdata"));
        assert!(is_valid_key_name("日志"));
        assert!(is_valid_key_name(&"n".repeat(255)));
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parsers_never_panic(s in "\\PC{0,90}") {
                let _ = NoteVerifier::parse(&s);
                let _ = NoteVerifier::parse(&format!("a+c74f20a3+{s}"));
            }
        }
    }
}
