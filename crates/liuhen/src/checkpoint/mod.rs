//! Signed checkpoints: the transparency-log tree heads that liuhen publishes, in the formats of
//! the C2SP transparency-log ecosystem, so that standard note verifiers, witnesses and monitors
//! accept them byte for byte.
//!
//! Implemented, pinned to these tagged versions:
//!
//! * [C2SP `signed-note` v1.0.0](https://c2sp.org/signed-note@v1.0.0): note text, signature
//!   lines, key ids, Ed25519 note signatures (type `0x01`) — [`Note`], [`sign_note`].
//!   Verifier keys (`vkey`) and signer keys (`skey`) use the text forms of Go's
//!   `golang.org/x/mod/sumdb/note` — [`NoteVerifier`]; signer keys, the secret key file
//!   format, are [`crate::keyfile`]'s ([`crate::keyfile::parse_skey`]).
//! * [C2SP `tlog-checkpoint` v1.0.0](https://c2sp.org/tlog-checkpoint@v1.0.0): the checkpoint
//!   body (origin, tree size, base64 root hash, extension lines) — [`Checkpoint`],
//!   [`SignedCheckpoint`], [`VerifiedCheckpoint`]. The log's key name is the origin.
//! * [C2SP `tlog-cosignature` v1.0.1](https://c2sp.org/tlog-cosignature@v1.0.1): timestamped
//!   Ed25519 witness cosignatures, `cosignature/v1` (type `0x04`) — [`cosign`],
//!   [`verify_cosignature`], [`cosigners`]. (The later ML-DSA-44 cosignature type is not.)
//!
//! Not done here: no network (no fetching of checkpoints, no witness protocol or HTTP API), no
//! storage, no clock (timestamps are passed in), no consistency or inclusion proofs (see
//! [`merkle`](crate::merkle); a verified checkpoint only tells which root the log signed), and
//! no policy on which or how many witnesses are enough.
//!
//! Parsing is strict and canonical: every accepted note or body re-serializes to the same
//! bytes. The limits are [`MAX_NOTE_BYTES`], [`MAX_SIGNATURES`], [`MAX_KEY_NAME_BYTES`] and
//! [`MAX_SIGNATURE_BYTES`]. No function here panics on any input.
//!
//! The life of a checkpoint: the ledger builds a [`Checkpoint`] and signs it
//! ([`SignedCheckpoint::sign`]); witnesses [`cosign`] it and the lines are added
//! ([`SignedCheckpoint::add_signature`]); a reader parses the bytes
//! ([`SignedCheckpoint::parse`]) and gets a [`VerifiedCheckpoint`] only from
//! [`SignedCheckpoint::verify`] with the log's key.
//!
//! ```
//! use liuhen::checkpoint::{cosign, verify_cosignature, Checkpoint, NoteVerifier, SignedCheckpoint};
//! use liuhen::hash::Digest;
//! use liuhen::keys::{SecretKey, Signer};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let log = SecretKey::from_seed(&[1; 32]);
//! let origin = "example.gov.cn/enforcement";
//! let checkpoint = Checkpoint::new(origin, 42, Digest::from_bytes([7; 32]));
//! let mut signed = SignedCheckpoint::sign(checkpoint, &log)?;
//!
//! let witness = SecretKey::from_seed(&[2; 32]);
//! let line = cosign(signed.checkpoint(), "witness.example/w1", &witness, 1_700_000_000)?;
//! signed.add_signature(line)?;
//! let published = signed.to_string();
//!
//! // A reader knows the log's and the witness's verifier keys (vkeys).
//! let log_key = NoteVerifier::parse(&NoteVerifier::for_key(origin, log.public_key())?.to_string())?;
//! let witness_key = NoteVerifier::for_witness("witness.example/w1", witness.public_key())?;
//! let verified = SignedCheckpoint::parse(published.as_bytes())?.verify(&log_key)?;
//! assert_eq!(verified.size(), 42);
//! assert_eq!(verify_cosignature(verified.signed(), &witness_key)?, 1_700_000_000);
//! # Ok(())
//! # }
//! ```

mod cosignature;
mod note;
mod vkey;

use core::fmt;

use crate::hash::Digest;
use crate::keys::{KeyError, Signer};

pub use cosignature::{cosign, cosignature_message, cosigners, verify_cosignature};
pub use note::{
    check_text, sign_note, Note, NoteSignature, MAX_NOTE_BYTES, MAX_SIGNATURES, MAX_SIGNATURE_BYTES,
};
pub use vkey::{
    is_valid_key_name, key_id, NoteError, NoteVerifier, SignatureType, MAX_KEY_NAME_BYTES,
};
pub(crate) use vkey::{split_key, KeyIdHex};

/// Errors of the checkpoint layer: bodies, signed checkpoints, cosignatures.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The note itself is malformed, or its signature does not verify.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// A signer failed.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The body has fewer than three lines (origin, size, root hash).
    #[error("checkpoint body has {lines} lines, fewer than the three required")]
    TooFewLines {
        /// Number of lines found.
        lines: usize,
    },
    /// A line of the body is empty (origin, size, root or extension line).
    #[error("line {line} of the checkpoint body is empty")]
    EmptyLine {
        /// The empty line.
        line: usize,
    },
    /// Line 2 is not a tree size: ASCII decimal, no sign, no leading zero, fitting in 64 bits.
    #[error("line 2 of the checkpoint body is not a tree size")]
    InvalidSize,
    /// Line 3 is not the canonical standard base64 of a 32-byte root hash.
    #[error("line 3 of the checkpoint body is not a base64 32-byte root hash")]
    InvalidRoot,
    /// The checkpoint's fields do not serialize to a body that parses back to them (an origin or
    /// extension with a newline or control character, or an empty one).
    #[error("checkpoint fields do not form a valid body")]
    NotCanonical,
    /// The origin cannot be a key name (it contains a space or `+`, or is too long), so the
    /// log cannot sign it under the key name = origin rule.
    #[error("origin {origin:?} is not a valid key name")]
    OriginNotKeyName {
        /// The origin.
        origin: String,
    },
    /// The verifier key's name is not the checkpoint's origin.
    #[error("checkpoint origin {origin:?} is not the verifier key's name {key_name:?}")]
    OriginMismatch {
        /// The checkpoint's origin.
        origin: String,
        /// The verifier key's name.
        key_name: String,
    },
    /// A cosignature timestamp above 2^63 - 1, which `tlog-cosignature` forbids.
    #[error("cosignature timestamp {timestamp} exceeds 2^63 - 1")]
    TimestampOutOfRange {
        /// The timestamp.
        timestamp: u64,
    },
    /// The witness's signature line is not 8 timestamp bytes and a 64-byte signature.
    #[error("cosignature by {name}+{} has {len} bytes, not 72", vkey::KeyIdHex(*.key_id))]
    MalformedCosignature {
        /// Witness key name.
        name: String,
        /// Witness key id.
        key_id: [u8; 4],
        /// Length after the key id.
        len: usize,
    },
    /// The witness's cosignature does not verify.
    #[error("cosignature by {name}+{} does not verify", vkey::KeyIdHex(*.key_id))]
    BadCosignature {
        /// Witness key name.
        name: String,
        /// Witness key id.
        key_id: [u8; 4],
    },
}

/// A checkpoint body (`tlog-checkpoint` v1.0.0): which log, how many leaves, which root.
///
/// A plain value: it proves nothing by itself. See [`SignedCheckpoint`] and
/// [`VerifiedCheckpoint`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line, a unique name such as `example.gov.cn/enforcement`; also the key
    /// name of the log's signature.
    pub origin: String,
    /// The tree size: number of leaves.
    pub size: u64,
    /// The RFC 6962 Merkle tree root hash at `size`.
    pub root: Digest,
    /// Opaque extension lines after the root hash, each non-empty (NOT RECOMMENDED by the spec,
    /// since monitors cannot audit them).
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: impl Into<String>, size: u64, root: Digest) -> Self {
        Checkpoint {
            origin: origin.into(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// The note text: `origin\nsize\nbase64(root)\n` and one line per extension.
    ///
    /// Infallible; whether the fields form a valid body is checked where it matters, by
    /// [`SignedCheckpoint::sign`] and [`cosign`].
    pub fn to_body(&self) -> String {
        use base64::Engine as _;
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            base64::engine::general_purpose::STANDARD.encode(self.root.as_bytes())
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Strictly parses a checkpoint body (a note text).
    ///
    /// # Errors
    /// The text errors of [`check_text`] (wrapped), [`CheckpointError::EmptyLine`],
    /// [`CheckpointError::TooFewLines`], [`CheckpointError::InvalidSize`] or
    /// [`CheckpointError::InvalidRoot`].
    pub fn parse_body(text: &str) -> Result<Self, CheckpointError> {
        check_text(text)?;
        let body = text.strip_suffix('\n').unwrap_or(text);
        let lines: Vec<&str> = body.split('\n').collect();
        if let Some(i) = lines.iter().position(|l| l.is_empty()) {
            return Err(CheckpointError::EmptyLine { line: i + 1 });
        }
        let [origin, size, root, extensions @ ..] = lines.as_slice() else {
            return Err(CheckpointError::TooFewLines { lines: lines.len() });
        };
        Ok(Checkpoint {
            origin: (*origin).to_owned(),
            size: parse_size(size).ok_or(CheckpointError::InvalidSize)?,
            root: vkey::decode_canonical(root)
                .and_then(|r| Digest::from_slice(&r))
                .ok_or(CheckpointError::InvalidRoot)?,
            extensions: extensions.iter().map(|e| (*e).to_owned()).collect(),
        })
    }

    /// The body, if the fields form a valid one (it parses back to `self`).
    fn checked_body(&self) -> Result<String, CheckpointError> {
        let body = self.to_body();
        match Checkpoint::parse_body(&body) {
            Ok(back) if back == *self => Ok(body),
            _ => Err(CheckpointError::NotCanonical),
        }
    }
}

/// Parses a tree size: ASCII digits, no leading zero unless it is `0`, at most `u64::MAX`.
fn parse_size(s: &str) -> Option<u64> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    // `u64::from_str` alone would also take a leading '+'.
    canonical.then(|| s.parse().ok()).flatten()
}

/// A checkpoint and the signed note that carries it, signatures not yet verified.
///
/// Invariant: the note's text is exactly `checkpoint.to_body()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCheckpoint {
    checkpoint: Checkpoint,
    note: Note,
}

impl SignedCheckpoint {
    /// Signs `checkpoint` as the log, with key name = origin (so that standard note verifiers
    /// configured with the log's vkey accept it).
    ///
    /// # Errors
    /// [`CheckpointError::NotCanonical`] when the fields do not form a valid body,
    /// [`CheckpointError::OriginNotKeyName`], or the note and signer errors.
    pub fn sign(checkpoint: Checkpoint, signer: &dyn Signer) -> Result<Self, CheckpointError> {
        let body = checkpoint.checked_body()?;
        if !is_valid_key_name(&checkpoint.origin) {
            return Err(CheckpointError::OriginNotKeyName {
                origin: checkpoint.origin,
            });
        }
        let sig = sign_note(&body, &checkpoint.origin, signer)?;
        let note = Note::new(body, vec![sig])?;
        Ok(SignedCheckpoint { checkpoint, note })
    }

    /// Strictly parses a signed checkpoint: a signed note whose text is a checkpoint body.
    ///
    /// Checks the syntax only; call [`SignedCheckpoint::verify`] before trusting any field.
    ///
    /// # Errors
    /// The errors of [`Note::parse`] and [`Checkpoint::parse_body`].
    pub fn parse(bytes: &[u8]) -> Result<Self, CheckpointError> {
        Self::from_note(Note::parse(bytes)?)
    }

    /// Reads a signed note as a checkpoint.
    ///
    /// # Errors
    /// The errors of [`Checkpoint::parse_body`].
    pub fn from_note(note: Note) -> Result<Self, CheckpointError> {
        let checkpoint = Checkpoint::parse_body(note.text())?;
        Ok(SignedCheckpoint { checkpoint, note })
    }

    /// Verifies the log's signature with the log's verifier key.
    ///
    /// Requires the key's name to equal the checkpoint's origin, so a key trusted for one log
    /// cannot vouch for another log's checkpoints. Other signature lines are ignored.
    ///
    /// Success proves that the log's key signed this body. It does not prove that the tree is
    /// consistent with earlier checkpoints (check a consistency proof), nor that any witness
    /// saw it (see [`verify_cosignature`]).
    ///
    /// # Errors
    /// [`CheckpointError::OriginMismatch`], or [`CheckpointError::Note`] with
    /// [`NoteError::WrongSignatureType`], [`NoteError::NoMatchingSignature`] or
    /// [`NoteError::BadSignature`].
    pub fn verify(&self, log_key: &NoteVerifier) -> Result<VerifiedCheckpoint, CheckpointError> {
        if log_key.name() != self.checkpoint.origin {
            return Err(CheckpointError::OriginMismatch {
                origin: self.checkpoint.origin.clone(),
                key_name: log_key.name().to_owned(),
            });
        }
        self.note.verify(log_key)?;
        Ok(VerifiedCheckpoint {
            signed: self.clone(),
            log_key: log_key.clone(),
        })
    }

    /// Adds a signature line, typically a witness cosignature from [`cosign`].
    ///
    /// # Errors
    /// The errors of [`Note::add_signature`]; the checkpoint is then unchanged.
    pub fn add_signature(&mut self, sig: NoteSignature) -> Result<(), CheckpointError> {
        Ok(self.note.add_signature(sig)?)
    }

    /// The checkpoint (unverified).
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The signed note.
    pub fn note(&self) -> &Note {
        &self.note
    }
}

impl fmt::Display for SignedCheckpoint {
    /// The signed note, byte for byte.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.note, f)
    }
}

/// A checkpoint whose log signature has been verified. Only [`SignedCheckpoint::verify`]
/// makes one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedCheckpoint {
    // INVARIANT: `signed.note` carries a valid signature by `log_key`, whose name is
    // `signed.checkpoint.origin`.
    signed: SignedCheckpoint,
    log_key: NoteVerifier,
}

impl VerifiedCheckpoint {
    /// The verified checkpoint.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.signed.checkpoint
    }

    /// The log's origin.
    pub fn origin(&self) -> &str {
        &self.signed.checkpoint.origin
    }

    /// The tree size.
    pub fn size(&self) -> u64 {
        self.signed.checkpoint.size
    }

    /// The root hash.
    pub fn root(&self) -> &Digest {
        &self.signed.checkpoint.root
    }

    /// The extension lines (signed by the log, but opaque).
    pub fn extensions(&self) -> &[String] {
        &self.signed.checkpoint.extensions
    }

    /// The key that verified it.
    pub fn log_key(&self) -> &NoteVerifier {
        &self.log_key
    }

    /// The signed checkpoint, for instance to check its cosignatures.
    pub fn signed(&self) -> &SignedCheckpoint {
        &self.signed
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::keys::SecretKey;

    const ORIGIN: &str = "example.com/liuhen/test";

    fn log_key() -> SecretKey {
        SecretKey::from_seed(&[0x11; 32])
    }

    fn log_verifier() -> NoteVerifier {
        NoteVerifier::for_key(ORIGIN, crate::keys::Signer::public_key(&log_key())).unwrap()
    }

    fn checkpoint() -> Checkpoint {
        Checkpoint::new(ORIGIN, 15, Digest::from_bytes([0xab; 32]))
    }

    #[test]
    fn body_round_trips() {
        let mut c = checkpoint();
        assert_eq!(
            c.to_body(),
            "example.com/liuhen/test\n15\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n"
        );
        assert_eq!(Checkpoint::parse_body(&c.to_body()).unwrap(), c);
        c.extensions = vec!["ext one".into(), "— two".into()];
        assert_eq!(Checkpoint::parse_body(&c.to_body()).unwrap(), c);
        c.size = u64::MAX;
        assert_eq!(Checkpoint::parse_body(&c.to_body()).unwrap(), c);
        c.size = 0;
        assert_eq!(Checkpoint::parse_body(&c.to_body()).unwrap(), c);
    }

    #[test]
    fn size_must_be_canonical_decimal() {
        let root = "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=";
        for size in [
            "015",
            "00",
            "+15",
            "-1",
            "1_5",
            " 15",
            "15 ",
            "0x1",
            "18446744073709551616",
            "١٥",
        ] {
            let body = format!("o\n{size}\n{root}\n");
            assert_eq!(
                Checkpoint::parse_body(&body),
                Err(CheckpointError::InvalidSize),
                "{size:?}"
            );
        }
        assert_eq!(
            Checkpoint::parse_body(&format!("o\n\n{root}\n")),
            Err(CheckpointError::EmptyLine { line: 2 })
        );
        assert_eq!(
            Checkpoint::parse_body(&format!("o\n18446744073709551615\n{root}\n"))
                .unwrap()
                .size,
            u64::MAX
        );
    }

    #[test]
    fn root_must_be_32_bytes_of_canonical_base64() {
        for root in [
            "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urqw==", // 31 bytes
            "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urqw==", // 34 bytes
            "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s",  // unpadded
            "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6t=", // trailing bits
            "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s= ", // trailing space
            "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6u", // garbage
            "x",
        ] {
            let body = format!("o\n1\n{root}\n");
            assert_eq!(
                Checkpoint::parse_body(&body),
                Err(CheckpointError::InvalidRoot),
                "{root:?}"
            );
        }
    }

    #[test]
    fn body_structure_is_checked() {
        let root = "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=";
        for (body, want) in [
            (
                "o\n1\n".to_string(),
                CheckpointError::TooFewLines { lines: 2 },
            ),
            (
                format!("\n1\n{root}\n"),
                CheckpointError::EmptyLine { line: 1 },
            ),
            (
                format!("o\n1\n{root}\next\n\nmore\n"),
                CheckpointError::EmptyLine { line: 5 },
            ),
            (
                format!("o\n1\n{root}\n\n"),
                CheckpointError::EmptyLine { line: 4 },
            ),
            (
                format!("o\n1\n{root}"),
                CheckpointError::Note(NoteError::TextNotTerminated),
            ),
        ] {
            assert_eq!(Checkpoint::parse_body(&body), Err(want), "{body:?}");
        }
        assert!(matches!(
            Checkpoint::parse_body(&format!("o\r\n1\n{root}\n")),
            Err(CheckpointError::Note(NoteError::ControlCharacter {
                line: 1,
                byte: b'\r'
            }))
        ));
        // Origins may hold spaces per tlog-checkpoint; only signing needs a key name.
        assert_eq!(
            Checkpoint::parse_body(&format!("my log\n1\n{root}\n"))
                .unwrap()
                .origin,
            "my log"
        );
    }

    #[test]
    fn sign_parse_verify() {
        let mut c = checkpoint();
        c.extensions = vec!["x".into()];
        let signed = SignedCheckpoint::sign(c.clone(), &log_key()).unwrap();
        let bytes = signed.to_string();
        assert!(bytes.starts_with(&c.to_body()));
        let parsed = SignedCheckpoint::parse(bytes.as_bytes()).unwrap();
        assert_eq!(parsed, signed);
        let verified = parsed.verify(&log_verifier()).unwrap();
        assert_eq!(verified.checkpoint(), &c);
        assert_eq!(verified.size(), 15);
        assert_eq!(verified.origin(), ORIGIN);
        assert_eq!(verified.root(), &c.root);
        assert_eq!(verified.extensions(), ["x".to_owned()]);
        assert_eq!(verified.log_key(), &log_verifier());
        assert_eq!(verified.signed(), &signed);
    }

    #[test]
    fn verifier_name_must_be_the_origin() {
        let signed = SignedCheckpoint::sign(checkpoint(), &log_key()).unwrap();
        // Same key, another name: refused before any signature is looked at.
        let other = NoteVerifier::for_key(
            "example.com/other",
            crate::keys::Signer::public_key(&log_key()),
        )
        .unwrap();
        assert_eq!(
            signed.verify(&other).unwrap_err(),
            CheckpointError::OriginMismatch {
                origin: ORIGIN.into(),
                key_name: "example.com/other".into()
            }
        );
        // A note signed under another name than the origin cannot verify as a checkpoint,
        // even with a key of that other name.
        let body = checkpoint().to_body();
        let sig = sign_note(&body, "example.com/other", &log_key()).unwrap();
        let note = Note::new(body, vec![sig]).unwrap();
        let sc = SignedCheckpoint::from_note(note).unwrap();
        note_verify_ok(&sc, &other);
        assert!(matches!(
            sc.verify(&other),
            Err(CheckpointError::OriginMismatch { .. })
        ));
        assert!(matches!(
            sc.verify(&log_verifier()),
            Err(CheckpointError::Note(NoteError::NoMatchingSignature { .. }))
        ));
    }

    fn note_verify_ok(sc: &SignedCheckpoint, v: &NoteVerifier) {
        sc.note().verify(v).unwrap();
    }

    #[test]
    fn wrong_key_fails() {
        let signed = SignedCheckpoint::sign(checkpoint(), &log_key()).unwrap();
        let impostor = NoteVerifier::for_key(
            ORIGIN,
            crate::keys::Signer::public_key(&SecretKey::from_seed(&[0x12; 32])),
        )
        .unwrap();
        assert!(matches!(
            signed.verify(&impostor),
            Err(CheckpointError::Note(NoteError::NoMatchingSignature { .. }))
        ));
        let w =
            NoteVerifier::for_witness(ORIGIN, crate::keys::Signer::public_key(&log_key())).unwrap();
        assert!(matches!(
            signed.verify(&w),
            Err(CheckpointError::Note(NoteError::WrongSignatureType { .. }))
        ));
    }

    #[test]
    fn sign_refuses_invalid_fields() {
        let mut c = checkpoint();
        c.origin = "two\nlines".into();
        assert_eq!(
            SignedCheckpoint::sign(c, &log_key()).unwrap_err(),
            CheckpointError::NotCanonical
        );
        let mut c = checkpoint();
        c.extensions = vec![String::new()];
        assert_eq!(
            SignedCheckpoint::sign(c, &log_key()).unwrap_err(),
            CheckpointError::NotCanonical
        );
        let mut c = checkpoint();
        c.extensions = vec!["a\nb".into()];
        assert_eq!(
            SignedCheckpoint::sign(c, &log_key()).unwrap_err(),
            CheckpointError::NotCanonical
        );
        let mut c = checkpoint();
        c.origin = "my log".into();
        assert!(matches!(
            SignedCheckpoint::sign(c, &log_key()),
            Err(CheckpointError::OriginNotKeyName { .. })
        ));
    }

    #[test]
    fn body_of_a_signed_note_must_be_a_checkpoint() {
        let k = log_key();
        let sig = sign_note("just text\n", "n", &k).unwrap();
        let note = Note::new("just text\n".into(), vec![sig]).unwrap();
        assert_eq!(
            SignedCheckpoint::parse(note.to_string().as_bytes()).unwrap_err(),
            CheckpointError::TooFewLines { lines: 1 }
        );
    }

    /// Every single-byte change of a signed, cosigned checkpoint is caught: by the parser, or by
    /// the log's or the witness's signature.
    #[test]
    fn every_byte_flip_is_detected() {
        let mut c = checkpoint();
        c.extensions = vec!["ext".into()];
        let mut signed = SignedCheckpoint::sign(c.clone(), &log_key()).unwrap();
        let wk = SecretKey::from_seed(&[0x22; 32]);
        let wv =
            NoteVerifier::for_witness("w.example/1", crate::keys::Signer::public_key(&wk)).unwrap();
        signed
            .add_signature(cosign(&c, "w.example/1", &wk, 1_700_000_000).unwrap())
            .unwrap();
        let bytes = signed.to_string().into_bytes();
        let lv = log_verifier();
        let accepted = |b: &[u8]| {
            SignedCheckpoint::parse(b)
                .is_ok_and(|s| s.verify(&lv).is_ok() && verify_cosignature(&s, &wv).is_ok())
        };
        assert!(accepted(&bytes));
        for i in 0..bytes.len() {
            for x in [0x01u8, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] ^= x;
                assert!(!accepted(&b), "byte {i} ^ {x:#x} accepted");
            }
        }
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
                let _ = SignedCheckpoint::parse(&bytes);
                let _ = Checkpoint::parse_body(&String::from_utf8_lossy(&bytes));
            }

            #[test]
            fn body_parse_is_canonical(
                lines in proptest::collection::vec(
                    prop_oneof![
                        Just(""), Just("0"), Just("00"), Just("15"), Just("o"), Just("a b"),
                        Just("q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="),
                        Just("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
                    ],
                    0..6,
                ),
            ) {
                let mut body = lines.join("\n");
                body.push('\n');
                if let Ok(c) = Checkpoint::parse_body(&body) {
                    prop_assert_eq!(c.to_body(), body);
                }
            }

            #[test]
            fn random_flip_is_detected(pos in any::<proptest::sample::Index>(), x in 1u8..=255) {
                let signed = SignedCheckpoint::sign(checkpoint(), &log_key()).unwrap();
                let mut b = signed.to_string().into_bytes();
                let i = pos.index(b.len());
                b[i] ^= x;
                let ok = SignedCheckpoint::parse(&b)
                    .is_ok_and(|s| s.verify(&log_verifier()).is_ok());
                prop_assert!(!ok);
            }
        }
    }
}
