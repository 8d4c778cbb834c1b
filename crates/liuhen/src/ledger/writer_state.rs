//! The writer state: what [`Ledger::open`](super::Ledger::open) would otherwise rebuild by
//! reading every frame, saved at each seal and signed by the ledger key, so that the next open
//! reads only the entries appended since.
//!
//! A writer state is derived data kept in the store ([`StoreRead::writer_state`]) and is never
//! trusted over the frames it can be checked against. Opening with one (docs/STORE.md, "The
//! writer on open"):
//!
//! 1. its signature verifies (`verify_strict`) under the ledger key that entry 0, the genesis,
//!    declares, over the label `liuhen/v1/writer-state\0` and the body: nobody without the ledger
//!    key can make one, and it cannot be taken for a checkpoint note or a statement;
//! 2. it names entry 0's leaf hash: a state of another ledger (the same key used twice) is not
//!    this ledger's;
//! 3. the store holds at least the entries it covers — fewer is entries removed after a seal:
//!    tampering, the writer refuses (it would otherwise write a second history on top of a
//!    cut one);
//! 4. the stored entry at its last position hashes to its last leaf hash (which chains to every
//!    entry before it): otherwise the frames were changed after the seal: tampering;
//! 5. then the writer reads, decodes, chains and admits the entries after it, exactly as a
//!    rebuild from entry 0 does.
//!
//! A state that fails 1, 2 or does not decode is ignored (the writer reads every frame, as
//! without one, and says why in [`OpenedFrom::Frames`]): an outsider can delete or replace the
//! file, or put back an older one, and gain nothing but a slower open. Entries *before* the
//! state are not read again on open: an edit of those frames is found by the verifier, by the
//! next seal's check and when they are read, not by the writer's open (the cost of an open that
//! stays flat in ledger size).

use serde::{Deserialize, Serialize};

use crate::admission::Admission;
use crate::encoding::{self, EncodingError};
use crate::hash::{labels, Digest};
use crate::keys::{PublicKey, Signature, Signer};
use crate::merkle::CompactRange;
use crate::model::Timestamp;

/// Largest writer state read, in bytes; a larger one is ignored before it is read whole.
/// The state grows with the registry, open sessions and cases, filed documents and referenced
/// media — never with the number of entries.
pub const MAX_WRITER_STATE_BYTES: u64 = 256 << 20;

/// Length of the Ed25519 signature that ends a writer state.
const SIGNATURE_LEN: usize = 64;

/// The signed body of a writer state (`docs/FORMAT.md` §22): the writer's state after the
/// first `size` entries. `A` is [`Admission`] when decoded, `&Admission` when signed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Body<A> {
    /// Leaf hash of entry 0 (format v2: the ledger id).
    pub(crate) genesis_leaf: Digest,
    /// Number of entries covered.
    pub(crate) size: u64,
    /// Leaf hash of entry `size − 1`.
    pub(crate) last_leaf: Digest,
    /// `logged_at` of entry `size − 1`.
    pub(crate) last_logged_at: Timestamp,
    /// The Merkle compact range of the first `size` leaves, largest subtree first.
    pub(crate) frontier: Vec<Digest>,
    /// The admission state after them.
    pub(crate) admission: A,
}

/// A writer state as stored: `label || postcard(body) || signature`, the signature by the
/// ledger key over `label || postcard(body)`.
#[derive(Clone, Debug)]
pub struct WriterState {
    bytes: Vec<u8>,
}

/// Why a stored writer state was not used (the writer then reads every frame).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriterStateError {
    /// Too short to hold a label and a signature, or longer than [`MAX_WRITER_STATE_BYTES`].
    #[error("it is {len} bytes long, not a writer state")]
    Size {
        /// Its length.
        len: u64,
    },
    /// The ledger key's signature does not verify over it.
    #[error("its signature does not verify under the ledger key")]
    Signature,
    /// Its body does not decode strictly.
    #[error("its body does not decode: {0}")]
    Encoding(#[from] EncodingError),
    /// It is another ledger's (another genesis).
    #[error("it is another ledger's (its genesis leaf hash is {0})")]
    OtherLedger(Digest),
    /// Its Merkle frontier does not have one node per set bit of its size, or it covers no
    /// entry.
    #[error("its frontier does not match its size {0}")]
    Frontier(u64),
}

impl WriterState {
    /// Signs `body` with the ledger key.
    pub(crate) fn sign(
        body: &Body<&Admission>,
        ledger_key: &dyn Signer,
    ) -> Result<Self, SignError> {
        let mut bytes = encoding::encode(labels::WRITER_STATE, body)?;
        let signature = ledger_key.sign(&bytes)?;
        bytes.extend_from_slice(signature.as_bytes());
        Ok(WriterState { bytes })
    }

    /// The bytes to store.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Checks stored writer-state bytes as [`Ledger::open`](super::Ledger::open) does before
    /// it uses them (steps 1 and 2 of the module documentation, and the frontier's shape):
    /// signed by `ledger_key`, canonical, of the ledger whose entry 0 has leaf hash
    /// `genesis_leaf`. What a tool inspecting a ledger directory calls; it does not compare the
    /// state with the store (the writer's open does).
    ///
    /// # Errors
    /// [`WriterStateError`] naming why the writer would ignore it.
    pub fn verify(
        bytes: &[u8],
        ledger_key: &PublicKey,
        genesis_leaf: &Digest,
    ) -> Result<VerifiedWriterState, WriterStateError> {
        let len = bytes.len() as u64;
        if len > MAX_WRITER_STATE_BYTES || bytes.len() < labels::WRITER_STATE.len() + SIGNATURE_LEN
        {
            return Err(WriterStateError::Size { len });
        }
        let (message, signature) = bytes.split_at(bytes.len() - SIGNATURE_LEN);
        let mut raw = [0u8; SIGNATURE_LEN];
        raw.copy_from_slice(signature);
        ledger_key
            .verify_strict(message, &Signature::Ed25519(raw))
            .map_err(|_| WriterStateError::Signature)?;
        let body: Body<Admission> = encoding::decode(
            labels::WRITER_STATE,
            message,
            MAX_WRITER_STATE_BYTES as usize,
        )?;
        if body.genesis_leaf != *genesis_leaf {
            return Err(WriterStateError::OtherLedger(body.genesis_leaf));
        }
        let frontier = CompactRange::from_nodes(body.size, body.frontier)
            .filter(|f| f.size() > 0)
            .ok_or(WriterStateError::Frontier(body.size))?;
        Ok(VerifiedWriterState {
            last_leaf: body.last_leaf,
            last_logged_at: body.last_logged_at,
            frontier,
            admission: body.admission,
        })
    }
}

/// A writer state whose signature, encoding, ledger and frontier checked
/// ([`WriterState::verify`]).
#[derive(Clone, Debug)]
pub struct VerifiedWriterState {
    pub(crate) last_leaf: Digest,
    pub(crate) last_logged_at: Timestamp,
    /// The compact range of its entries (its size is the state's).
    pub(crate) frontier: CompactRange,
    pub(crate) admission: Admission,
}

impl VerifiedWriterState {
    /// Entries it covers.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// Leaf hash of its last entry.
    pub fn last_leaf(&self) -> Digest {
        self.last_leaf
    }

    /// `logged_at` of its last entry.
    pub fn last_logged_at(&self) -> Timestamp {
        self.last_logged_at
    }

    /// The Merkle root of its first [`size`](Self::size) entries.
    pub fn root(&self) -> Digest {
        self.frontier.root(&crate::hash::Sha256TreeHasher)
    }

    /// The admission state after its last entry.
    pub fn admission(&self) -> &Admission {
        &self.admission
    }
}

/// Signing a writer state failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SignError {
    #[error(transparent)]
    Encoding(#[from] EncodingError),
    #[error(transparent)]
    Key(#[from] crate::keys::KeyError),
}

/// Where [`Ledger::open`](super::Ledger::open) (or the rebuild after a failed append) started
/// reading the frames.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenedFrom {
    /// From the signed writer state saved at a seal, which covered the first `size` entries:
    /// only the entries after it were read.
    WriterState {
        /// Entries the state covered.
        size: u64,
    },
    /// From entry 0: no writer state is kept, or the one kept was ignored (`ignored` says why).
    Frames {
        /// Why a stored writer state was not used, if there was one.
        ignored: Option<String>,
    },
}
