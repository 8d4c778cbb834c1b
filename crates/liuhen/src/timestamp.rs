//! Trusted time: RFC 3161 timestamp tokens over checkpoints.
//!
//! A timestamp authority (TSA) signs "this hash existed at time T". liuhen asks a TSA to stamp
//! the SHA-256 of a domain-separated message built from a checkpoint ([`stamped_message`]), so a
//! token proves that the checkpoint — and every entry it includes — existed before the TSA's
//! `genTime`. Anyone can check the token offline, years later, with the checkpoint, the token and
//! the TSA's root certificate alone, with liuhen ([`verify_token`]) or with
//! `openssl ts -verify` (docs/witness/timestamp.md).
//!
//! This module has no networking: the TSA is reached through [`TsaTransport`], which an adapter
//! implements (`liuhen_http::tsa`). [`stamp_checkpoint`] builds the request, sends it, checks the
//! response against the request and verifies the token before returning it: an unverified token
//! is never handed out to be stored.
//!
//! DER, CMS, X.509 and the signatures are handled by well-kept crates (RustCrypto `der`, `cms`,
//! `x509-cert`, `x509-tsp`; `rustls-webpki` for the certificate path; `ring` for digests and
//! signatures), never by code of our own.

mod ess;
mod files;
mod roots;
mod verify;

pub use files::{
    check_stored_tokens, store_token, stored_checkpoints, stored_tokens, StoredToken, TokenCheck,
    TIMESTAMPS_DIR,
};
pub use roots::TsaRoots;
pub use verify::verify_token;

use crate::checkpoint::Checkpoint;
use crate::model::Timestamp;
use cmpv2::status::PkiStatus;
use der::asn1::{Int, OctetString, Uint};
use der::oid::ObjectIdentifier;
use der::{Any, Decode, Encode};
use rand_core::{OsRng, RngCore};
use std::path::PathBuf;
use x509_cert::spki::AlgorithmIdentifier;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

/// The domain-separation prefix of the stamped message: `liuhen-timestamp/v1` and a newline.
pub const DOMAIN: &str = "liuhen-timestamp/v1\n";

/// The largest TSA response or token accepted, checked before any parsing (64 KiB).
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// id-sha256 (2.16.840.1.101.3.4.2.1).
pub(crate) const ID_SHA_256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// The message a TSA stamps for `checkpoint`: [`DOMAIN`] followed by the checkpoint body
/// (`origin\nsize\nbase64(root)\n` and its extension lines, exactly the signed note text).
pub fn stamped_message(checkpoint: &Checkpoint) -> Vec<u8> {
    let body = checkpoint.to_body();
    let mut message = Vec::with_capacity(DOMAIN.len() + body.len());
    message.extend_from_slice(DOMAIN.as_bytes());
    message.extend_from_slice(body.as_bytes());
    message
}

/// The message imprint of `checkpoint`: SHA-256 of [`stamped_message`].
pub fn message_imprint(checkpoint: &Checkpoint) -> [u8; 32] {
    sha256(&stamped_message(checkpoint))
}

pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// What a verified token says: when, by whom, under which policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedTimestamp {
    /// The TSA's `genTime`, in milliseconds since the Unix epoch.
    pub gen_time: Timestamp,
    /// The TSA certificate's subject (RFC 4514 string).
    pub tsa_subject: String,
    /// The token's serial number, lowercase hex of its DER integer bytes.
    pub serial: String,
    /// The TSA policy OID under which the token was issued (dotted form).
    pub policy: String,
}

/// A token and what it was verified to say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StampedCheckpoint {
    /// The token: DER `ContentInfo` (CMS `SignedData` over a `TSTInfo`), what `openssl ts
    /// -verify -in TOKEN -token_in` reads.
    pub token: Vec<u8>,
    /// The verified contents.
    pub verified: VerifiedTimestamp,
}

/// Why a TSA could not be reached or answered badly at the transport level.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// How a timestamp request reaches a TSA: the adapter sends the DER `TimeStampReq` and returns
/// the DER `TimeStampResp` body (e.g. an HTTP POST, RFC 3161 §3.4).
pub trait TsaTransport {
    /// Sends `request_der` to the TSA and returns its response body.
    ///
    /// # Errors
    /// Any failure to get a response body.
    fn stamp(&self, request_der: &[u8]) -> Result<Vec<u8>, TransportError>;
}

/// Everything that can go wrong with a timestamp token.
#[derive(Debug, thiserror::Error)]
pub enum TimestampError {
    /// The bytes are larger than [`MAX_TOKEN_BYTES`].
    #[error("{what} is {len} bytes, more than the {max}-byte limit")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The DER does not decode.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// Which structure.
        what: &'static str,
        /// The decoder's message.
        detail: String,
    },
    /// The TSA refused the request.
    #[error("the TSA did not grant the timestamp (status {status}{text})")]
    NotGranted {
        /// PKIStatus name.
        status: String,
        /// The TSA's status text, if any (prefixed with `: `).
        text: String,
    },
    /// A granted response without a token.
    #[error("the TSA response is granted but carries no token")]
    NoToken,
    /// The token's nonce is not the request's.
    #[error("the token's nonce does not match the request's (replayed or misrouted response)")]
    NonceMismatch,
    /// The token stamps another message than the checkpoint's.
    #[error("the token stamps imprint {found}, not this checkpoint's {expected}")]
    ImprintMismatch {
        /// The checkpoint's imprint, hex.
        expected: String,
        /// The token's imprint, hex.
        found: String,
    },
    /// The token stamps no checkpoint of the ledger.
    #[error("the token stamps imprint {found}, which is no stored checkpoint's")]
    NoMatchingCheckpoint {
        /// The token's imprint, hex.
        found: String,
    },
    /// A hash algorithm we do not accept.
    #[error("unsupported {what} hash algorithm {oid}")]
    UnsupportedHash {
        /// Where it was used.
        what: &'static str,
        /// Its OID.
        oid: String,
    },
    /// The CMS structure is not a timestamp token.
    #[error("not a timestamp token: {0}")]
    NotAToken(String),
    /// A required signed attribute is missing or malformed.
    #[error("signed attribute {0}")]
    SignedAttribute(String),
    /// The message-digest attribute is not the hash of the TSTInfo: the TSTInfo was altered.
    #[error("the TSTInfo does not match the signed message digest (the token was altered)")]
    MessageDigestMismatch,
    /// The signer's certificate is not in the token.
    #[error("the token does not carry the signer's certificate")]
    SignerCertificateNotFound,
    /// The signing-certificate attribute names another certificate.
    #[error("the signing-certificate attribute does not name the certificate that signed")]
    SigningCertificateMismatch,
    /// The signature does not verify with the signer's certificate.
    #[error("the token's signature does not verify with the TSA certificate")]
    BadSignature,
    /// A signature algorithm we do not support.
    #[error("unsupported signature algorithm {0}")]
    UnsupportedSignatureAlgorithm(String),
    /// The signer's certificate is not a timestamping certificate (RFC 3161 §2.3).
    #[error("the TSA certificate is not a timestamping certificate: {0}")]
    NotTimestampingCertificate(String),
    /// The TSA certificate does not chain to a configured root, or the chain is invalid at
    /// `genTime`.
    #[error("the TSA certificate is not trusted at the token's genTime: {0}")]
    Untrusted(String),
    /// The TSA root file is unusable.
    #[error("TSA roots: {0}")]
    Roots(String),
    /// The TSA could not be reached.
    #[error("TSA transport: {0}")]
    Transport(#[from] TransportError),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A stored checkpoint could not be read.
    #[error("stored checkpoint: {0}")]
    Checkpoint(String),
}

impl TimestampError {
    /// Whether the error shows altered or mismatched evidence (exit 1), rather than a token that
    /// cannot be checked (untrusted or unsupported: exit 4) or an I/O or usage problem.
    pub fn is_tampering(&self) -> bool {
        matches!(
            self,
            TimestampError::Malformed { .. }
                | TimestampError::TooLarge { .. }
                | TimestampError::NotAToken(_)
                | TimestampError::SignedAttribute(_)
                | TimestampError::ImprintMismatch { .. }
                | TimestampError::NoMatchingCheckpoint { .. }
                | TimestampError::MessageDigestMismatch
                | TimestampError::SignerCertificateNotFound
                | TimestampError::SigningCertificateMismatch
                | TimestampError::BadSignature
                | TimestampError::NonceMismatch
        )
    }

    pub(crate) fn malformed(what: &'static str, e: impl std::fmt::Display) -> Self {
        TimestampError::Malformed {
            what,
            detail: e.to_string(),
        }
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A DER `TimeStampReq` for a checkpoint: version 1, SHA-256 imprint, a random 64-bit nonce,
/// `certReq` true (the token must carry the TSA certificate), no policy.
#[derive(Clone, Debug)]
pub struct TimestampRequest {
    der: Vec<u8>,
    nonce: Int,
    imprint: [u8; 32],
}

impl TimestampRequest {
    /// A request for `checkpoint` with a fresh random nonce.
    ///
    /// # Errors
    /// [`TimestampError::Malformed`] if encoding fails (it does not for valid input).
    pub fn new(checkpoint: &Checkpoint) -> Result<Self, TimestampError> {
        let mut nonce = [0u8; 8];
        OsRng.fill_bytes(&mut nonce);
        Self::with_nonce(checkpoint, nonce)
    }

    /// A request with a given nonce (tests, reproducible vectors).
    ///
    /// # Errors
    /// As [`TimestampRequest::new`].
    pub fn with_nonce(checkpoint: &Checkpoint, nonce: [u8; 8]) -> Result<Self, TimestampError> {
        let imprint = message_imprint(checkpoint);
        let enc = |e: der::Error| TimestampError::malformed("TimeStampReq", e);
        // The nonce as a positive INTEGER: encode it unsigned, read it back as a signed one.
        let nonce = Uint::new(&nonce).and_then(|u| u.to_der()).map_err(enc)?;
        let nonce = Int::from_der(&nonce).map_err(enc)?;
        let request = TimeStampReq {
            version: TspVersion::V1,
            message_imprint: MessageImprint {
                hash_algorithm: AlgorithmIdentifier {
                    oid: ID_SHA_256,
                    parameters: Some(Any::null()),
                },
                hashed_message: OctetString::new(imprint.to_vec()).map_err(enc)?,
            },
            req_policy: None,
            nonce: Some(nonce.clone()),
            cert_req: true,
            extensions: None,
        };
        Ok(TimestampRequest {
            der: request.to_der().map_err(enc)?,
            nonce,
            imprint,
        })
    }

    /// The DER bytes to send (`application/timestamp-query`).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Reads a DER `TimeStampResp` answering this request: the status must be granted (or
    /// granted with modifications), and the token's TSTInfo must carry this request's nonce and
    /// imprint. Returns the token (not yet verified: see [`verify_token`]).
    ///
    /// # Errors
    /// [`TimestampError::TooLarge`], [`TimestampError::Malformed`],
    /// [`TimestampError::NotGranted`], [`TimestampError::NoToken`],
    /// [`TimestampError::NonceMismatch`], [`TimestampError::ImprintMismatch`].
    pub fn token_from_response(&self, response_der: &[u8]) -> Result<Vec<u8>, TimestampError> {
        check_len("TSA response", response_der.len())?;
        let response = TimeStampResp::from_der(response_der)
            .map_err(|e| TimestampError::malformed("TimeStampResp", e))?;
        match response.status.status {
            PkiStatus::Accepted | PkiStatus::GrantedWithMods => {}
            other => {
                let text = response
                    .status
                    .status_string
                    .as_ref()
                    .map(|t| {
                        let parts: Vec<String> = t.iter().map(|s| s.to_string()).collect();
                        format!(": {}", parts.join("; "))
                    })
                    .unwrap_or_default();
                return Err(TimestampError::NotGranted {
                    status: format!("{other:?}"),
                    text,
                });
            }
        }
        let token = response
            .time_stamp_token
            .ok_or(TimestampError::NoToken)?
            .to_der()
            .map_err(|e| TimestampError::malformed("TimeStampToken", e))?;
        let (_, tst) = verify::parse_token(&token)?;
        if tst.nonce.as_ref() != Some(&self.nonce) {
            return Err(TimestampError::NonceMismatch);
        }
        verify::check_imprint(&tst, &self.imprint)?;
        Ok(token)
    }
}

pub(crate) fn check_len(what: &'static str, len: usize) -> Result<(), TimestampError> {
    if len > MAX_TOKEN_BYTES {
        return Err(TimestampError::TooLarge {
            what,
            len,
            max: MAX_TOKEN_BYTES,
        });
    }
    Ok(())
}

/// Gets `checkpoint` stamped through `transport` and verifies the token against `roots`: the
/// one call behind `liuhen timestamp` and `seal --tsa`. Nothing unverified is returned.
///
/// # Errors
/// [`TimestampError::Transport`] and any error of
/// [`TimestampRequest::token_from_response`] or [`verify_token`].
pub fn stamp_checkpoint(
    transport: &dyn TsaTransport,
    checkpoint: &Checkpoint,
    roots: &TsaRoots,
) -> Result<StampedCheckpoint, TimestampError> {
    let request = TimestampRequest::new(checkpoint)?;
    let response = transport.stamp(request.der())?;
    let token = request.token_from_response(&response)?;
    let verified = verify_token(&token, checkpoint, roots)?;
    Ok(StampedCheckpoint { token, verified })
}

/// [`stamp_checkpoint`], then [`store_token`] in `ledger_dir/timestamps/`: the single call of
/// `liuhen timestamp` and `seal --tsa`. Returns the file written and what the token says.
///
/// # Errors
/// As [`stamp_checkpoint`] and [`store_token`]; nothing is stored on error.
pub fn stamp_and_store(
    transport: &dyn TsaTransport,
    ledger_dir: &std::path::Path,
    checkpoint: &Checkpoint,
    roots: &TsaRoots,
) -> Result<(PathBuf, StampedCheckpoint), TimestampError> {
    let stamped = stamp_checkpoint(transport, checkpoint, roots)?;
    let path = store_token(ledger_dir, checkpoint, &stamped.token)?;
    Ok((path, stamped))
}

/// The TSTInfo of a token, parsed but NOT verified (for matching a stored token to its
/// checkpoint before verifying, and for fuzzing). Returns the imprint bytes.
///
/// # Errors
/// As the parsing steps of [`verify_token`].
pub fn token_imprint(token_der: &[u8]) -> Result<Vec<u8>, TimestampError> {
    let (_, tst) = verify::parse_token(token_der)?;
    Ok(tst.message_imprint.hashed_message.as_bytes().to_vec())
}

/// Parses a DER `TimeStampResp` (status and token structure) without a request to match:
/// a parser entry point for fuzzing and diagnostics.
///
/// # Errors
/// As [`TimestampRequest::token_from_response`], without the nonce and imprint checks.
pub fn parse_response(response_der: &[u8]) -> Result<Option<Vec<u8>>, TimestampError> {
    check_len("TSA response", response_der.len())?;
    let response = TimeStampResp::from_der(response_der)
        .map_err(|e| TimestampError::malformed("TimeStampResp", e))?;
    match response.time_stamp_token {
        None => Ok(None),
        Some(t) => {
            let token = t
                .to_der()
                .map_err(|e| TimestampError::malformed("TimeStampToken", e))?;
            verify::parse_token(&token)?;
            Ok(Some(token))
        }
    }
}

pub(crate) fn gen_time_of(tst: &TstInfo) -> Timestamp {
    let secs = tst.gen_time.to_unix_duration().as_secs();
    Timestamp(i64::try_from(secs).unwrap_or(i64::MAX).saturating_mul(1000))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::hash::Digest;

    fn checkpoint() -> Checkpoint {
        Checkpoint::new(
            "example.gov.cn/enforcement",
            7,
            Digest::from_bytes([0x11; 32]),
        )
    }

    /// Golden: the stamped bytes and their imprint are fixed (FORMAT, docs/witness/timestamp.md).
    #[test]
    fn stamped_message_golden() {
        let m = stamped_message(&checkpoint());
        assert_eq!(
            String::from_utf8(m).unwrap(),
            "liuhen-timestamp/v1\nexample.gov.cn/enforcement\n7\nERERERERERERERERERERERERERERERERERERERERERE=\n"
        );
        // = `sha256sum` of the same bytes.
        assert_eq!(
            hex(&message_imprint(&checkpoint())),
            "ae8ba73cf3fc3d41040287493018a204985d2ccdfac31b5c1b9257a782d9de64"
        );
    }

    /// Golden: the request DER for a fixed nonce (`openssl ts -query -in REQ -text` reads it as
    /// version 1, sha256, this imprint, nonce 0x8102030405060708, certificate required).
    #[test]
    fn request_golden() {
        let r = TimestampRequest::with_nonce(&checkpoint(), [0x81, 2, 3, 4, 5, 6, 7, 8]).unwrap();
        assert_eq!(
            hex(r.der()),
            "30440201013031300d060960864801650304020105000420\
             ae8ba73cf3fc3d41040287493018a204985d2ccdfac31b5c1b9257a782d9de64\
             02090081020304050607080101ff"
        );
    }

    proptest::proptest! {
        /// Arbitrary bytes never panic the response and token parsers.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..1024)) {
            let _ = parse_response(&bytes);
            let _ = token_imprint(&bytes);
        }

        /// The imprint names the checkpoint: another size or root is another imprint, and the
        /// message always starts with the domain prefix.
        #[test]
        fn imprint_binds_size_and_root(size in 0u64..u64::MAX, other in 0u64..u64::MAX, root: [u8; 32]) {
            let a = Checkpoint::new("example.gov.cn/x", size, Digest::from_bytes(root));
            let mut b = a.clone();
            b.size = other;
            proptest::prop_assert!(stamped_message(&a).starts_with(DOMAIN.as_bytes()));
            proptest::prop_assert_eq!(message_imprint(&a) == message_imprint(&b), size == other);
            let mut c = a.clone();
            c.root = Digest::from_bytes(sha256(&root));
            proptest::prop_assert_ne!(message_imprint(&a), message_imprint(&c));
        }
    }

    #[test]
    fn garbage_responses_are_rejected_without_panic() {
        let r = TimestampRequest::new(&checkpoint()).unwrap();
        for bytes in [&b""[..], b"\x30", b"\x30\x03\x02\x01\x00", &[0u8; 100]] {
            assert!(r.token_from_response(bytes).is_err());
        }
        let big = vec![0x30; MAX_TOKEN_BYTES + 1];
        assert!(matches!(
            r.token_from_response(&big),
            Err(TimestampError::TooLarge { .. })
        ));
    }
}
