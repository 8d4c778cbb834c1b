//! Ed25519 keys, signatures and the [`Signer`] trait.
//!
//! Every key and signature carries an algorithm identifier (the enum variant, encoded as the
//! first byte by [`encoding`](crate::encoding)), in the way C2SP key ids carry a type byte, so an
//! SM2 suite or a hardware key store can be added without breaking old ledgers.
//!
//! Verification is always `verify_strict` (RFC 8032 cofactorless equation; rejects small-order
//! public keys and `R` points and non-canonical `S`). See `docs/decisions/0003-strict-signatures.md`
//! for why liuhen does not accept signatures on the word of a batch equation alone.
//!
//! Secret keys are zeroized on drop (ed25519-dalek's `zeroize` feature) and are never printed by
//! `Debug`. Key files are read and written by [`crate::keyfile`].

use core::fmt;

use ed25519_dalek::Signer as _;
use serde::{Deserialize, Serialize};

/// Errors of this module.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The 32 bytes are not a valid compressed Edwards point.
    #[error("not a valid Ed25519 public key")]
    InvalidPublicKey,
    /// The public key has small order; any signature would verify against it.
    #[error("Ed25519 public key {key} is weak (small order) and is refused")]
    WeakPublicKey {
        /// The key, in hex.
        key: String,
    },
    /// The signature does not verify under `verify_strict`.
    #[error("signature does not verify for key {key}")]
    BadSignature {
        /// The key, in hex.
        key: String,
    },
    /// A signer (for example a hardware module) failed to produce a signature.
    #[error("signer failed: {reason}")]
    SignerFailed {
        /// What the signer reported.
        reason: String,
    },
    /// The operating system's random source failed.
    #[error("the system random number generator failed")]
    Rng,
}

/// A public key, tagged with its algorithm.
///
/// Serialization: in binary formats (postcard, the canonical encoding) the algorithm id then 32
/// raw bytes; in human-readable formats (the CLI's JSON, `docs/EVENTS.md`) the string
/// `ed25519:` followed by 64 lower-case hex digits, as [`fmt::Display`] prints it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PublicKey {
    /// An Ed25519 public key (RFC 8032), 32 bytes. Algorithm id 0.
    Ed25519([u8; 32]),
}

// The binary form is exactly what `#[derive]` gave in format v1 (pinned by the golden
// vectors); only human-readable formats get the string form.
#[derive(Serialize, Deserialize)]
#[serde(rename = "PublicKey")]
enum PublicKeyRepr {
    Ed25519([u8; 32]),
}

impl Serialize for PublicKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            PublicKeyRepr::Ed25519(*self.as_bytes()).serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let s = String::deserialize(deserializer)?;
            PublicKey::from_text(&s).ok_or_else(|| {
                serde::de::Error::custom("expected a public key as \"ed25519:\" and 64 hex digits")
            })
        } else {
            let PublicKeyRepr::Ed25519(b) = PublicKeyRepr::deserialize(deserializer)?;
            Ok(PublicKey::Ed25519(b))
        }
    }
}

impl PublicKey {
    /// Parses the text form `ed25519:<64 hex digits>` (what [`fmt::Display`] prints). Does not
    /// check that the key is valid or strong: [`PublicKey::dalek`] does, wherever a key is used.
    pub fn from_text(s: &str) -> Option<Self> {
        let hex = s.strip_prefix("ed25519:")?;
        crate::hash::Digest::from_hex(hex).map(|d| PublicKey::Ed25519(*d.as_bytes()))
    }

    /// Builds an Ed25519 public key from 32 bytes, refusing invalid encodings and weak keys.
    ///
    /// # Errors
    /// [`KeyError::InvalidPublicKey`] or [`KeyError::WeakPublicKey`].
    pub fn ed25519(bytes: [u8; 32]) -> Result<Self, KeyError> {
        let key = PublicKey::Ed25519(bytes);
        key.dalek()?;
        Ok(key)
    }

    /// The raw key bytes (without the algorithm tag).
    pub fn as_bytes(&self) -> &[u8; 32] {
        match self {
            PublicKey::Ed25519(b) => b,
        }
    }

    /// Lower-case hex of the raw key bytes.
    pub fn to_hex(&self) -> String {
        crate::hash::Digest::from_bytes(*self.as_bytes()).to_hex()
    }

    /// The key as ed25519-dalek needs it, after checking it is valid and not weak.
    ///
    /// # Errors
    /// [`KeyError::InvalidPublicKey`] or [`KeyError::WeakPublicKey`].
    pub fn dalek(&self) -> Result<ed25519_dalek::VerifyingKey, KeyError> {
        let PublicKey::Ed25519(bytes) = self;
        if !is_canonical_y(bytes) {
            return Err(KeyError::InvalidPublicKey);
        }
        let vk = ed25519_dalek::VerifyingKey::from_bytes(bytes)
            .map_err(|_| KeyError::InvalidPublicKey)?;
        if vk.is_weak() {
            return Err(KeyError::WeakPublicKey { key: self.to_hex() });
        }
        Ok(vk)
    }

    /// Verifies `signature` over `message` with `verify_strict`.
    ///
    /// The message must already carry its domain-separation label.
    ///
    /// # Errors
    /// [`KeyError::BadSignature`] when the signature does not verify, or the key errors of
    /// [`PublicKey::dalek`].
    pub fn verify_strict(&self, message: &[u8], signature: &Signature) -> Result<(), KeyError> {
        self.verify_strict_with(&self.dalek()?, message, signature)
    }

    /// [`PublicKey::verify_strict`] with `key`, this key as [`PublicKey::dalek`] gave it (a
    /// writer keeps its authors' keys decompressed).
    ///
    /// # Errors
    /// [`KeyError::BadSignature`] when the signature does not verify.
    pub(crate) fn verify_strict_with(
        &self,
        key: &ed25519_dalek::VerifyingKey,
        message: &[u8],
        signature: &Signature,
    ) -> Result<(), KeyError> {
        let Signature::Ed25519(sig) = signature;
        key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(sig))
            .map_err(|_| KeyError::BadSignature { key: self.to_hex() })
    }
}

/// Whether the `y` coordinate of an encoded Edwards point is fully reduced (`y < p`).
///
/// RFC 8032 section 5.1.3 refuses `y ≥ p`, but curve25519-dalek reduces it silently, which would
/// give one point two key encodings (two registry identities). The 19 non-canonical values are
/// exactly those whose low 255 bits are `p … 2^255 − 1`, i.e. `0xed..=0xff` followed by thirty
/// `0xff` bytes and `0x7f` in the low bits of the last byte; checking the bytes avoids a field
/// inversion per verification.
fn is_canonical_y(bytes: &[u8; 32]) -> bool {
    let top_is_max = bytes[31] & 0x7f == 0x7f;
    let middle_is_max = bytes[1..31].iter().all(|b| *b == 0xff);
    !(top_is_max && middle_is_max && bytes[0] >= 0xed)
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ed25519({})", self.to_hex())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ed25519:{}", self.to_hex())
    }
}

/// A signature, tagged with its algorithm.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Signature {
    /// An Ed25519 signature (RFC 8032), 64 bytes `R || S`. Algorithm id 0.
    Ed25519([u8; 64]),
}

impl Signature {
    /// The raw signature bytes.
    pub fn as_bytes(&self) -> &[u8; 64] {
        match self {
            Signature::Ed25519(b) => b,
        }
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.as_bytes();
        write!(
            f,
            "Ed25519({}{})",
            crate::hash::Digest::from_bytes(first_half(b)).to_hex(),
            crate::hash::Digest::from_bytes(second_half(b)).to_hex()
        )
    }
}

fn first_half(b: &[u8; 64]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&b[..32]);
    out
}

fn second_half(b: &[u8; 64]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&b[32..]);
    out
}

// serde derives arrays only up to 32 elements; a 64-byte signature is written as a tuple of
// 64 `u8`, which postcard encodes as 64 raw bytes with no length prefix.
impl Serialize for Signature {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTupleVariant;
        if serializer.is_human_readable() {
            return serializer.collect_str(&format_args!("ed25519:{}", sig_hex(self.as_bytes())));
        }
        let Signature::Ed25519(bytes) = self;
        let mut t = serializer.serialize_tuple_variant("Signature", 0, "Ed25519", 1)?;
        t.serialize_field(&SigBytes(*bytes))?;
        t.end()
    }
}

struct SigBytes([u8; 64]);

impl Serialize for SigBytes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut t = serializer.serialize_tuple(64)?;
        for b in &self.0 {
            t.serialize_element(b)?;
        }
        t.end()
    }
}

impl<'de> Deserialize<'de> for SigBytes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = SigBytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("64 signature bytes")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<SigBytes, A::Error> {
                let mut out = [0u8; 64];
                for (i, o) in out.iter_mut().enumerate() {
                    *o = seq
                        .next_element()?
                        .ok_or_else(|| serde::de::Error::invalid_length(i, &self))?;
                }
                Ok(SigBytes(out))
            }
        }
        deserializer.deserialize_tuple(64, V)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename = "Signature")]
enum SignatureRepr {
    Ed25519(SigBytes),
}

fn sig_hex(b: &[u8; 64]) -> String {
    let mut out = crate::hash::Digest::from_bytes(first_half(b)).to_hex();
    out.push_str(&crate::hash::Digest::from_bytes(second_half(b)).to_hex());
    out
}

impl Signature {
    /// Parses the text form `ed25519:<128 hex digits>` used in human-readable formats.
    pub fn from_text(s: &str) -> Option<Self> {
        let hex = s.strip_prefix("ed25519:")?;
        let (a, b) = (hex.get(..64)?, hex.get(64..)?);
        let (a, b) = (
            crate::hash::Digest::from_hex(a)?,
            crate::hash::Digest::from_hex(b)?,
        );
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(a.as_bytes());
        out[32..].copy_from_slice(b.as_bytes());
        Some(Signature::Ed25519(out))
    }
}

impl<'de> Deserialize<'de> for Signature {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let s = String::deserialize(deserializer)?;
            return Signature::from_text(&s).ok_or_else(|| {
                serde::de::Error::custom("expected a signature as \"ed25519:\" and 128 hex digits")
            });
        }
        let SignatureRepr::Ed25519(SigBytes(b)) = SignatureRepr::deserialize(deserializer)?;
        Ok(Signature::Ed25519(b))
    }
}

/// Something that signs: an in-memory [`SecretKey`], or a hardware module behind the same trait.
///
/// Implementations sign the message exactly as given; callers prepend the domain-separation
/// label (statements) or pass a C2SP note text (checkpoints).
pub trait Signer: Send + Sync {
    /// The public key that verifies this signer's signatures.
    fn public_key(&self) -> PublicKey;

    /// Signs `message`.
    ///
    /// # Errors
    /// [`KeyError::SignerFailed`] when the underlying device fails.
    fn sign(&self, message: &[u8]) -> Result<Signature, KeyError>;
}

/// An Ed25519 secret key held in memory. Zeroized on drop; `Debug` never shows it.
#[derive(Clone)]
pub struct SecretKey {
    inner: ed25519_dalek::SigningKey,
}

impl SecretKey {
    /// A fresh key from the operating system's random source.
    ///
    /// # Errors
    /// [`KeyError::Rng`] if the system random source fails.
    pub fn generate() -> Result<Self, KeyError> {
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        rand_core::RngCore::try_fill_bytes(&mut rand_core::OsRng, seed.as_mut())
            .map_err(|_| KeyError::Rng)?;
        Ok(Self::from_seed(&seed))
    }

    /// The key whose RFC 8032 seed (the 32-byte "private key") is `seed`.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        SecretKey {
            inner: ed25519_dalek::SigningKey::from_bytes(seed),
        }
    }

    /// The 32-byte seed, in a buffer that is zeroized on drop.
    pub fn seed(&self) -> zeroize::Zeroizing<[u8; 32]> {
        zeroize::Zeroizing::new(self.inner.to_bytes())
    }
}

impl Signer for SecretKey {
    fn public_key(&self) -> PublicKey {
        PublicKey::Ed25519(self.inner.verifying_key().to_bytes())
    }

    fn sign(&self, message: &[u8]) -> Result<Signature, KeyError> {
        Ok(Signature::Ed25519(self.inner.sign(message).to_bytes()))
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({}, secret redacted)", self.public_key())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn json_is_text_and_postcard_is_unchanged() {
        let key = SecretKey::from_seed(&[7u8; 32]);
        let pk = key.public_key();
        let sig = key.sign(b"message").unwrap();
        let json = serde_json::to_string(&(pk, sig)).unwrap();
        assert_eq!(
            json,
            format!("[\"{pk}\",\"ed25519:{}\"]", sig_hex(sig.as_bytes()))
        );
        let back: (PublicKey, Signature) = serde_json::from_str(&json).unwrap();
        assert_eq!(back, (pk, sig));
        // Binary: algorithm id 0, then the raw bytes, with no length prefix (format v1).
        let bin = postcard::to_stdvec(&(pk, sig)).unwrap();
        assert_eq!(bin.len(), 1 + 32 + 1 + 64);
        assert_eq!(bin[0], 0);
        assert_eq!(&bin[1..33], pk.as_bytes());
        assert_eq!(bin[33], 0);
        assert_eq!(&bin[34..], sig.as_bytes());
        let back: (PublicKey, Signature) = postcard::from_bytes(&bin).unwrap();
        assert_eq!(back, (pk, sig));
        for bad in ["ed25519:00", "rsa:00", "", "ed25519:zz"] {
            assert!(PublicKey::from_text(bad).is_none(), "{bad}");
            assert!(Signature::from_text(bad).is_none(), "{bad}");
        }
        assert!(serde_json::from_str::<PublicKey>("[0,[1,2]]").is_err());
    }

    #[test]
    fn rfc8032_test_1() {
        // RFC 8032 section 7.1, TEST 1 (empty message).
        let seed = crate::hash::Digest::from_hex(
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        )
        .unwrap();
        let key = SecretKey::from_seed(seed.as_bytes());
        assert_eq!(
            key.public_key().to_hex(),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        let sig = key.sign(b"").unwrap();
        let expected = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
                        5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
        assert_eq!(format!("{sig:?}"), format!("Ed25519({expected})"));
        key.public_key().verify_strict(b"", &sig).unwrap();
        assert!(key.public_key().verify_strict(b"x", &sig).is_err());
    }

    #[test]
    fn weak_key_refused() {
        // The identity point (small order) encodes as 0x01 followed by zeros.
        let mut b = [0u8; 32];
        b[0] = 1;
        assert!(matches!(
            PublicKey::ed25519(b),
            Err(KeyError::WeakPublicKey { .. })
        ));
    }

    #[test]
    fn non_canonical_key_encodings_refused() {
        // y = p + 3 and p + 4 with either sign bit decode in curve25519-dalek to large-order
        // points, but RFC 8032 refuses y >= p.
        for t in [3u8, 4, 9, 18] {
            for sign in [0u8, 0x80] {
                let mut b = [0xffu8; 32];
                b[0] = 0xed + t;
                b[31] = 0x7f | sign;
                assert_eq!(
                    PublicKey::ed25519(b),
                    Err(KeyError::InvalidPublicKey),
                    "p+{t}"
                );
            }
        }
        // The largest canonical y (p - 1) is not refused for being non-canonical.
        let mut b = [0xffu8; 32];
        b[0] = 0xec;
        b[31] = 0x7f;
        assert!(is_canonical_y(&b));
    }

    #[test]
    fn debug_hides_secret() {
        let key = SecretKey::from_seed(&[7u8; 32]);
        let s = format!("{key:?}");
        assert!(s.contains("redacted"));
        assert!(!s.contains(&crate::hash::Digest::from_bytes([7u8; 32]).to_hex()));
    }

    #[test]
    fn signature_postcard_is_tag_plus_64_bytes() {
        let sig = Signature::Ed25519([9u8; 64]);
        let bytes = postcard::to_stdvec(&sig).unwrap();
        assert_eq!(bytes.len(), 65);
        assert_eq!(bytes[0], 0);
        let back: Signature = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, sig);
    }
}
