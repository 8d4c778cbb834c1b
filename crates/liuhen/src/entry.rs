//! Statements (what an author signs) and entries (where the ledger put them).
//!
//! The lifecycle is in the types: an author builds a [`Statement`] `{time, author, event}` and
//! signs it into a [`SignedStatement`], possibly offline, without knowing where it will land.
//! The ledger checks the signature and the key registry, then wraps it into an [`Entry`]
//! `{seq, prev, logged_at, statement}`; the entry's canonical bytes are a Merkle leaf, and `prev`
//! is the leaf hash of the entry before it, so the entries form both a hash chain and the leaves
//! of one RFC 6962 tree.
//!
//! Signed message: `"liuhen/v1/statement\0" || postcard(Statement)`.
//! Leaf data: `"liuhen/v1/entry\0" || postcard(Entry)`; leaf hash `SHA-256(0x00 || leaf data)`.

use serde::{Deserialize, Serialize};

use crate::encoding::{self, EncodingError, MAX_ENTRY_BYTES};
use crate::hash::{labels, Digest, TreeHasher};
use crate::keys::{KeyError, PublicKey, Signature, Signer};
use crate::model::{Event, Timestamp};

/// What an author asserts happened, and when (by the author's clock).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// The author's claimed time. Deadlines are judged on the ledger's `logged_at`, not on this.
    pub time: Timestamp,
    /// The signing key.
    pub author: PublicKey,
    /// What happened.
    pub event: Event,
}

impl Statement {
    /// The exact bytes the author signs: `"liuhen/v1/statement\0" || postcard(self)`.
    ///
    /// # Errors
    /// [`EncodingError::Encode`] (not possible for liuhen's types).
    pub fn signed_message(&self) -> Result<Vec<u8>, EncodingError> {
        encoding::encode(labels::STATEMENT, self)
    }
}

/// A statement with its author's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedStatement {
    /// The statement.
    pub statement: Statement,
    /// The author's signature over [`Statement::signed_message`].
    pub signature: Signature,
}

/// Errors of signing and checking statements.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatementError {
    /// The statement could not be encoded.
    #[error(transparent)]
    Encoding(#[from] EncodingError),
    /// The signature or key is bad, or the signer failed.
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl SignedStatement {
    /// Signs `event` at `time` with `signer`; the author is the signer's public key.
    ///
    /// # Errors
    /// [`StatementError::Key`] if the signer fails.
    pub fn sign(
        time: Timestamp,
        event: Event,
        signer: &dyn Signer,
    ) -> Result<Self, StatementError> {
        let statement = Statement {
            time,
            author: signer.public_key(),
            event,
        };
        let signature = signer.sign(&statement.signed_message()?)?;
        Ok(SignedStatement {
            statement,
            signature,
        })
    }

    /// Checks the author's signature with `verify_strict`.
    ///
    /// Success proves only that the author's key signed this statement; it says nothing about
    /// whether the key was authorized (see [`crate::registry`]) or the event is true.
    ///
    /// # Errors
    /// [`StatementError::Key`] with [`KeyError::BadSignature`] or an invalid-key error.
    pub fn verify_signature(&self) -> Result<(), StatementError> {
        let msg = self.statement.signed_message()?;
        self.statement.author.verify_strict(&msg, &self.signature)?;
        Ok(())
    }
}

/// A statement placed in the ledger: the Merkle leaf.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in the ledger, from 0 (genesis).
    pub seq: u64,
    /// Leaf hash of entry `seq - 1`; [`Digest::ZERO`] for genesis.
    pub prev: Digest,
    /// When the ledger accepted it, by the ledger's clock (non-decreasing).
    pub logged_at: Timestamp,
    /// The author's signed statement.
    pub statement: SignedStatement,
}

impl Entry {
    /// The canonical bytes: the Merkle leaf data.
    ///
    /// # Errors
    /// [`EncodingError::Encode`] (not possible for liuhen's types), or
    /// [`EncodingError::TooLong`] when the entry exceeds [`MAX_ENTRY_BYTES`].
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodingError> {
        let bytes = encoding::encode(labels::ENTRY, self)?;
        if bytes.len() > MAX_ENTRY_BYTES {
            return Err(EncodingError::TooLong {
                len: bytes.len(),
                max: MAX_ENTRY_BYTES,
            });
        }
        Ok(bytes)
    }

    /// Strictly decodes canonical entry bytes (see [`crate::encoding::decode`]).
    ///
    /// Decoding checks the form only: not the signature, the chain or the registry.
    ///
    /// # Errors
    /// Any [`EncodingError`] describing why the bytes are refused.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EncodingError> {
        encoding::decode(labels::ENTRY, bytes, MAX_ENTRY_BYTES)
    }
}

/// An entry together with its canonical bytes and leaf hash, as stores keep it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedEntry {
    /// Position in the ledger.
    pub seq: u64,
    /// Canonical bytes (leaf data).
    pub bytes: Vec<u8>,
    /// `SHA-256(0x00 || bytes)`.
    pub leaf_hash: Digest,
    /// Whether the entry changes the key registry (stores may index these so that a ledger
    /// opens without reading every entry).
    pub registry_change: bool,
}

impl EncodedEntry {
    /// Encodes `entry` and computes its leaf hash.
    ///
    /// # Errors
    /// As [`Entry::to_bytes`].
    pub fn new(entry: &Entry, hasher: &dyn TreeHasher) -> Result<Self, EncodingError> {
        let bytes = entry.to_bytes()?;
        Ok(EncodedEntry {
            seq: entry.seq,
            leaf_hash: hasher.hash_leaf(&bytes),
            bytes,
            registry_change: entry.statement.statement.event.is_registry_change(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::keys::SecretKey;
    use crate::model::Role;

    fn sample() -> (SecretKey, Entry) {
        let key = SecretKey::from_seed(&[1u8; 32]);
        let other = SecretKey::from_seed(&[2u8; 32]);
        let st = SignedStatement::sign(
            Timestamp(1_700_000_000_000),
            Event::KeyAuthorized {
                key: crate::keys::Signer::public_key(&other),
                role: Role::Officer,
                holder: "21020001".into(),
            },
            &key,
        )
        .unwrap();
        let entry = Entry {
            seq: 1,
            prev: Digest::from_bytes([3u8; 32]),
            logged_at: Timestamp(1_700_000_000_500),
            statement: st,
        };
        (key, entry)
    }

    #[test]
    fn entry_round_trip_and_signature() {
        let (_, entry) = sample();
        let bytes = entry.to_bytes().unwrap();
        assert!(bytes.starts_with(labels::ENTRY));
        let back = Entry::from_bytes(&bytes).unwrap();
        assert_eq!(back, entry);
        back.statement.verify_signature().unwrap();
    }

    #[test]
    fn edited_statement_fails_signature() {
        let (_, mut entry) = sample();
        entry.statement.statement.time = Timestamp(1);
        assert!(entry.statement.verify_signature().is_err());
    }
}
