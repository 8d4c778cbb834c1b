//! The client side of `add-checkpoint`: build the request with a consistency proof, send it
//! through a transport the adapter provides, retry once on a 409 that names another size, and
//! verify the returned cosignature before handing it back.
use crate::checkpoint::{
    verify_cosignature, CheckpointError, Note, NoteSignature, NoteVerifier, SignedCheckpoint,
};
use crate::hash::Digest;
use crate::ledger::Ledger;
use crate::store::Store;

use super::request::{parse_decimal, AddCheckpointRequest};

/// Largest response body read as cosignature lines.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// The content type of a 409 answer carrying the witness's latest size.
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// An HTTP answer, as the transport got it.
#[derive(Clone, Debug)]
pub struct TransportResponse {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

/// Sends a request body to a URL (an adapter implements it over its HTTP client; the core has
/// no networking).
pub trait WitnessTransport {
    /// `POST url` with `body`; an `Err` is a failure to get any answer (connection, timeout).
    ///
    /// # Errors
    /// A sentence saying why there is no answer.
    fn post(&self, url: &str, body: &[u8]) -> Result<TransportResponse, String>;
}

/// Where consistency proofs come from (a [`Ledger`], or a monitor's copy of a log).
pub trait ProofSource {
    /// The RFC 9162 consistency proof from `old_size` to `new_size` (`0 < old_size < new_size`).
    ///
    /// # Errors
    /// A sentence saying why it cannot be made.
    fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Digest>, String>;
}

impl<S: Store> ProofSource for Ledger<S> {
    fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Digest>, String> {
        self.prove_consistency(old_size, new_size)
            .map(|p| p.path)
            .map_err(|e| e.to_string())
    }
}

/// A witness to ask: its verifier key and its submission prefix (`http://host:port/` or with a
/// path); requests go to `<prefix>/add-checkpoint`.
#[derive(Clone, Debug)]
pub struct WitnessEndpoint {
    /// The witness's cosignature/v1 verifier key.
    pub vkey: NoteVerifier,
    /// The submission prefix.
    pub url: String,
}

/// The URL of `add-checkpoint` under a submission prefix.
pub fn add_checkpoint_url(prefix: &str) -> String {
    format!("{}/add-checkpoint", prefix.trim_end_matches('/'))
}

/// A verified cosignature.
#[derive(Clone, Debug)]
pub struct WitnessCosignature {
    /// The signature line (add it with [`SignedCheckpoint::add_signature`]).
    pub line: NoteSignature,
    /// Its timestamp (seconds since the Unix epoch).
    pub timestamp: u64,
}

/// Why a witness gave no (valid) cosignature.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CosignError {
    /// No answer.
    #[error("no answer: {0}")]
    Transport(String),
    /// The consistency proof could not be made.
    #[error("cannot make the consistency proof from {old_size}: {reason}")]
    Proof {
        /// The old size.
        old_size: u64,
        /// Why.
        reason: String,
    },
    /// The witness refused.
    #[error("refused with status {status}: {body}")]
    Refused {
        /// The status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The witness has cosigned a larger tree of this log than the checkpoint offered.
    #[error("the witness has cosigned size {witness_size}, larger than this checkpoint's {size}")]
    WitnessAhead {
        /// The witness's latest size.
        witness_size: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// The answer is not what the protocol says.
    #[error("malformed answer: {0}")]
    BadResponse(String),
    /// A 200 without a line of this witness's key.
    #[error("the answer holds no cosignature of the witness key {0}")]
    NoCosignature(String),
    /// The witness's line does not verify.
    #[error("the cosignature does not verify: {0}")]
    BadCosignature(#[from] CheckpointError),
}

/// Asks the witness at `prefix` to cosign `signed`, starting from `old_size_hint` (the size the
/// witness is believed to have cosigned last, 0 if unknown). A 409 naming a size not larger
/// than the checkpoint's is retried once from that size. The returned cosignature has been
/// verified with `witness`; lines of other keys are ignored.
///
/// # Errors
/// [`CosignError`].
pub fn request_cosignature(
    transport: &dyn WitnessTransport,
    prefix: &str,
    witness: &NoteVerifier,
    proofs: &dyn ProofSource,
    signed: &SignedCheckpoint,
    old_size_hint: u64,
) -> Result<WitnessCosignature, CosignError> {
    let url = add_checkpoint_url(prefix);
    let size = signed.checkpoint().size;
    // A hint beyond this checkpoint cannot be proved from; 0 makes the witness say its size.
    let mut old_size = if old_size_hint > size {
        0
    } else {
        old_size_hint
    };
    let mut retried = false;
    loop {
        let proof = if old_size == 0 || old_size == size {
            Vec::new()
        } else {
            proofs
                .consistency_proof(old_size, size)
                .map_err(|reason| CosignError::Proof { old_size, reason })?
        };
        let body = AddCheckpointRequest {
            old_size,
            proof,
            checkpoint: signed.clone(),
        }
        .encode();
        let response = transport
            .post(&url, &body)
            .map_err(CosignError::Transport)?;
        match response.status {
            200 => return verify_response(signed, witness, &response.body),
            409 if is_size_answer(&response) => {
                let latest = parse_size(&response.body)?;
                if latest > size {
                    return Err(CosignError::WitnessAhead {
                        witness_size: latest,
                        size,
                    });
                }
                if retried || latest == old_size {
                    return Err(refused(&response));
                }
                retried = true;
                old_size = latest;
            }
            _ => return Err(refused(&response)),
        }
    }
}

fn is_size_answer(response: &TransportResponse) -> bool {
    response
        .content_type
        .as_deref()
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|ct| ct.trim().eq_ignore_ascii_case(SIZE_CONTENT_TYPE))
}

fn refused(response: &TransportResponse) -> CosignError {
    let text = String::from_utf8_lossy(response.body.get(..200).unwrap_or(&response.body));
    CosignError::Refused {
        status: response.status,
        body: text.trim_end().to_owned(),
    }
}

/// `<decimal>\n`, strictly.
fn parse_size(body: &[u8]) -> Result<u64, CosignError> {
    body.strip_suffix(b"\n")
        .and_then(parse_decimal)
        .ok_or_else(|| CosignError::BadResponse("a 409 size body is not `<decimal>\\n`".into()))
}

/// Finds and verifies the witness's line among the returned signature lines.
fn verify_response(
    signed: &SignedCheckpoint,
    witness: &NoteVerifier,
    body: &[u8],
) -> Result<WitnessCosignature, CosignError> {
    if body.len() > MAX_RESPONSE_BYTES {
        return Err(CosignError::BadResponse(format!(
            "{} bytes, more than {MAX_RESPONSE_BYTES}",
            body.len()
        )));
    }
    let text =
        std::str::from_utf8(body).map_err(|_| CosignError::BadResponse("not UTF-8".into()))?;
    let lines = text
        .strip_suffix('\n')
        .ok_or_else(|| CosignError::BadResponse("no final newline".into()))?;
    for line in lines.split('\n') {
        // Each line is read as the only signature of a note over the checkpoint's text.
        let note = Note::parse(format!("{}\n{line}\n", signed.note().text()).as_bytes())
            .map_err(|e| CosignError::BadResponse(format!("not a signature line: {e}")))?;
        let Some(sig) = note.signatures().first() else {
            continue;
        };
        if !sig.is_from(witness) {
            continue;
        }
        let mut with = signed.clone();
        with.add_signature(sig.clone())?;
        let timestamp = verify_cosignature(&with, witness)?;
        return Ok(WitnessCosignature {
            line: sig.clone(),
            timestamp,
        });
    }
    Err(CosignError::NoCosignature(witness.to_string()))
}
