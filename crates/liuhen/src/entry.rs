//! Statements (what an author signs) and entries (where the ledger put them).
//!
//! The lifecycle is in the types: an author builds a [`Statement`] `{time, author, event}` and
//! signs it into a [`SignedStatement`], possibly offline, without knowing where it will land.
//! The ledger checks the signature and the admission rule, then wraps it into an [`Entry`]
//! `{seq, prev, logged_at, statement}`; the entry's canonical bytes are a Merkle leaf, and `prev`
//! is the leaf hash of the entry before it, so the entries form both a hash chain and the leaves
//! of one RFC 6962 tree.
//!
//! Two format versions exist (docs/FORMAT.md §1, docs/decisions/0004-format-v2.md):
//!
//! - **v1**: signed message `"liuhen/v1/statement\0" || postcard(time, author, event)`, leaf data
//!   `"liuhen/v1/entry\0" || postcard(seq, prev, logged_at, statement, signature)`. A v1
//!   statement names no ledger and carries nothing that makes it unique, so it can be replayed.
//! - **v2**: the statement carries a [`Binding`] — the algorithm suite, the ledger it is for and
//!   a per-author counter — and is signed as
//!   `"liuhen/v2/statement\0" || postcard(suite, ledger, counter, time, author, event)`; the
//!   entry adds a ledger-assigned per-case back-link `case_prev`:
//!   `"liuhen/v2/entry\0" || postcard(seq, prev, logged_at, case_prev, statement, signature)`.
//!
//! In memory both are the same types: a v1 statement has `binding: None` and a v1 entry
//! `case_prev: None`. The version of an entry is that of its statement.
//! The leaf hash is `SHA-256(0x00 || leaf data)` in both.

use serde::{Deserialize, Serialize};

use crate::encoding::{self, EncodingError, MAX_ENTRY_BYTES};
use crate::hash::{labels, Digest, TreeHasher};
use crate::keys::{KeyError, PublicKey, Signature, Signer};
use crate::model::{Event, Suite, Timestamp};

/// The format version of a statement or entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FormatVersion {
    /// Format v1: statements bound to nothing.
    V1,
    /// Format v2: statements bound to their ledger, suite and a per-author counter; entries
    /// carry a per-case back-link.
    V2,
}

impl FormatVersion {
    /// The version as a number (1 or 2).
    pub fn number(self) -> u8 {
        match self {
            FormatVersion::V1 => 1,
            FormatVersion::V2 => 2,
        }
    }
}

impl std::fmt::Display for FormatVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "v{}", self.number())
    }
}

/// What binds a format-v2 statement to one ledger and makes it unique there.
///
/// - `suite`: the algorithm suite the author signs under (so a later suite, e.g. SM2/SM3, needs
///   no new format version: it is a new [`Suite`] variant).
/// - `ledger`: the ledger id, the leaf hash of the ledger's entry 0. A statement signed for one
///   ledger is refused by every other. The genesis statement itself carries [`Digest::ZERO`].
/// - `counter`: strictly greater than every earlier counter of the same author admitted in that
///   ledger (gaps allowed). A replayed statement repeats a counter and is refused. The genesis
///   statement carries the ledger's random nonce instead, which makes the ledger id unique.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Binding {
    /// The algorithm suite.
    pub suite: Suite,
    /// The ledger id (leaf hash of entry 0), or zero in the genesis statement.
    pub ledger: Digest,
    /// The author's counter.
    pub counter: u64,
}

/// What an author asserts happened, and when (by the author's clock).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// The author's claimed time. Deadlines are judged on the ledger's `logged_at`, not on this.
    pub time: Timestamp,
    /// The signing key.
    pub author: PublicKey,
    /// What happened.
    pub event: Event,
    /// Format v2: the ledger, suite and counter the statement is bound to; `None` for a v1
    /// statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding: Option<Binding>,
}

/// The postcard layout of a v1 statement (borrowed, for encoding).
#[derive(Serialize)]
struct StatementV1Ref<'a> {
    time: Timestamp,
    author: &'a PublicKey,
    event: &'a Event,
}

/// The postcard layout of a v2 statement (borrowed, for encoding).
#[derive(Serialize)]
struct StatementV2Ref<'a> {
    suite: Suite,
    ledger: &'a Digest,
    counter: u64,
    time: Timestamp,
    author: &'a PublicKey,
    event: &'a Event,
}

impl Statement {
    /// The statement's format version: v2 if it carries a binding.
    pub fn version(&self) -> FormatVersion {
        if self.binding.is_some() {
            FormatVersion::V2
        } else {
            FormatVersion::V1
        }
    }

    /// The exact bytes the author signs: `"liuhen/v1/statement\0" || postcard(time, author,
    /// event)` for v1, `"liuhen/v2/statement\0" || postcard(suite, ledger, counter, time, author,
    /// event)` for v2.
    ///
    /// # Errors
    /// [`EncodingError::Encode`] (not possible for liuhen's types).
    pub fn signed_message(&self) -> Result<Vec<u8>, EncodingError> {
        match &self.binding {
            None => encoding::encode(
                labels::STATEMENT,
                &StatementV1Ref {
                    time: self.time,
                    author: &self.author,
                    event: &self.event,
                },
            ),
            Some(b) => encoding::encode(
                labels::STATEMENT_V2,
                &StatementV2Ref {
                    suite: b.suite,
                    ledger: &b.ledger,
                    counter: b.counter,
                    time: self.time,
                    author: &self.author,
                    event: &self.event,
                },
            ),
        }
    }
}

/// A statement with its author's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// Signs a format-v1 statement (bound to no ledger) of `event` at `time` with `signer`; the
    /// author is the signer's public key. Only v1 ledgers admit it; for a v2 ledger use
    /// [`SignedStatement::sign_bound`].
    ///
    /// # Errors
    /// [`StatementError::Key`] if the signer fails.
    pub fn sign(
        time: Timestamp,
        event: Event,
        signer: &dyn Signer,
    ) -> Result<Self, StatementError> {
        Self::sign_as_author(None, time, event, signer)
    }

    /// Signs a format-v2 statement bound by `binding` (ledger, suite, counter: see [`Binding`]).
    ///
    /// # Errors
    /// [`StatementError::Key`] if the signer fails.
    pub fn sign_bound(
        binding: Binding,
        time: Timestamp,
        event: Event,
        signer: &dyn Signer,
    ) -> Result<Self, StatementError> {
        Self::sign_as_author(Some(binding), time, event, signer)
    }

    /// Signs the statement of `event` at `time`, bound by `binding` if any, with `signer` as
    /// its author.
    fn sign_as_author(
        binding: Option<Binding>,
        time: Timestamp,
        event: Event,
        signer: &dyn Signer,
    ) -> Result<Self, StatementError> {
        Self::sign_statement(
            Statement {
                time,
                author: signer.public_key(),
                event,
                binding,
            },
            signer,
        )
    }

    /// Signs `statement` with `signer`. The signature verifies only if `statement.author` is
    /// the signer's key.
    ///
    /// # Errors
    /// [`StatementError::Key`] if the signer fails.
    pub fn sign_statement(
        statement: Statement,
        signer: &dyn Signer,
    ) -> Result<Self, StatementError> {
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

    /// The binary encoding of a signed statement (docs/FORMAT.md §6.5): the signed message
    /// ([`Statement::signed_message`], label included) followed by `postcard(Signature)`, i.e.
    /// `label || postcard(statement fields…, signature)`; at most [`MAX_ENTRY_BYTES`].
    ///
    /// # Errors
    /// [`EncodingError::TooLong`] when it exceeds [`MAX_ENTRY_BYTES`] (the entry would too).
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodingError> {
        let st = &self.statement;
        let bytes = match &st.binding {
            None => encoding::encode(
                labels::STATEMENT,
                &SignedV1 {
                    time: st.time,
                    author: st.author,
                    event: st.event.clone(),
                    signature: self.signature,
                },
            )?,
            Some(b) => encoding::encode(
                labels::STATEMENT_V2,
                &SignedV2 {
                    suite: b.suite,
                    ledger: b.ledger,
                    counter: b.counter,
                    time: st.time,
                    author: st.author,
                    event: st.event.clone(),
                    signature: self.signature,
                },
            )?,
        };
        within_entry_limit(bytes)
    }

    /// Strictly decodes [`SignedStatement::to_bytes`] (label, size limit, no trailing bytes,
    /// canonical). The form only: not the signature or the admission rule.
    ///
    /// # Errors
    /// Any [`EncodingError`] describing why the bytes are refused.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EncodingError> {
        if bytes.starts_with(labels::STATEMENT_V2) {
            let s: SignedV2 = encoding::decode(labels::STATEMENT_V2, bytes, MAX_ENTRY_BYTES)?;
            let binding = Binding {
                suite: s.suite,
                ledger: s.ledger,
                counter: s.counter,
            };
            return Ok(signed(
                s.time,
                s.author,
                s.event,
                Some(binding),
                s.signature,
            ));
        }
        let s: SignedV1 = encoding::decode(labels::STATEMENT, bytes, MAX_ENTRY_BYTES)?;
        Ok(signed(s.time, s.author, s.event, None, s.signature))
    }
}

/// A signed statement from the decoded fields of any of the layouts (statement or entry, v1 or
/// v2): one place that puts them together.
fn signed(
    time: Timestamp,
    author: PublicKey,
    event: Event,
    binding: Option<Binding>,
    signature: Signature,
) -> SignedStatement {
    SignedStatement {
        statement: Statement {
            time,
            author,
            event,
            binding,
        },
        signature,
    }
}

/// `bytes`, unless they exceed [`MAX_ENTRY_BYTES`].
fn within_entry_limit(bytes: Vec<u8>) -> Result<Vec<u8>, EncodingError> {
    if bytes.len() > MAX_ENTRY_BYTES {
        return Err(EncodingError::TooLong {
            len: bytes.len(),
            max: MAX_ENTRY_BYTES,
        });
    }
    Ok(bytes)
}

/// The postcard layout of a v1 signed statement (its binary encoding).
#[derive(Serialize, Deserialize)]
struct SignedV1 {
    time: Timestamp,
    author: PublicKey,
    event: Event,
    signature: Signature,
}

/// The postcard layout of a v2 signed statement (its binary encoding).
#[derive(Serialize, Deserialize)]
struct SignedV2 {
    suite: Suite,
    ledger: Digest,
    counter: u64,
    time: Timestamp,
    author: PublicKey,
    event: Event,
    signature: Signature,
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
    /// Format v2: the sequence number of the previous entry that concerns the same case,
    /// assigned by the ledger (`None` for the first entry of a case, an entry that concerns no
    /// single case, and every v1 entry). A case's entries thus form a back-linked list, so a
    /// case bundle proves that no entry of the case between its first and last was left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_prev: Option<u64>,
    /// The author's signed statement.
    pub statement: SignedStatement,
}

/// The postcard layout of a v1 entry (borrowed, for encoding).
#[derive(Serialize)]
struct EntryV1Ref<'a> {
    seq: u64,
    prev: &'a Digest,
    logged_at: Timestamp,
    statement: StatementV1Ref<'a>,
    signature: &'a Signature,
}

/// The postcard layout of a v2 entry (borrowed, for encoding).
#[derive(Serialize)]
struct EntryV2Ref<'a> {
    seq: u64,
    prev: &'a Digest,
    logged_at: Timestamp,
    case_prev: Option<u64>,
    statement: StatementV2Ref<'a>,
    signature: &'a Signature,
}

/// The postcard layout of a v1 entry (owned, for decoding).
#[derive(Serialize, Deserialize)]
struct EntryV1 {
    seq: u64,
    prev: Digest,
    logged_at: Timestamp,
    time: Timestamp,
    author: PublicKey,
    event: Event,
    signature: Signature,
}

/// The postcard layout of a v2 entry (owned, for decoding).
#[derive(Serialize, Deserialize)]
struct EntryV2 {
    seq: u64,
    prev: Digest,
    logged_at: Timestamp,
    case_prev: Option<u64>,
    suite: Suite,
    ledger: Digest,
    counter: u64,
    time: Timestamp,
    author: PublicKey,
    event: Event,
    signature: Signature,
}

impl Entry {
    /// The entry's format version (that of its statement).
    pub fn version(&self) -> FormatVersion {
        self.statement.statement.version()
    }

    /// The canonical bytes: the Merkle leaf data.
    ///
    /// # Errors
    /// [`EncodingError::Encode`] (not possible for liuhen's types),
    /// [`EncodingError::CaseLinkInV1`] for a v1 entry with a `case_prev`, or
    /// [`EncodingError::TooLong`] when the entry exceeds [`MAX_ENTRY_BYTES`].
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodingError> {
        let st = &self.statement.statement;
        let bytes = match &st.binding {
            None => {
                if self.case_prev.is_some() {
                    return Err(EncodingError::CaseLinkInV1);
                }
                encoding::encode(
                    labels::ENTRY,
                    &EntryV1Ref {
                        seq: self.seq,
                        prev: &self.prev,
                        logged_at: self.logged_at,
                        statement: StatementV1Ref {
                            time: st.time,
                            author: &st.author,
                            event: &st.event,
                        },
                        signature: &self.statement.signature,
                    },
                )?
            }
            Some(b) => encoding::encode(
                labels::ENTRY_V2,
                &EntryV2Ref {
                    seq: self.seq,
                    prev: &self.prev,
                    logged_at: self.logged_at,
                    case_prev: self.case_prev,
                    statement: StatementV2Ref {
                        suite: b.suite,
                        ledger: &b.ledger,
                        counter: b.counter,
                        time: st.time,
                        author: &st.author,
                        event: &st.event,
                    },
                    signature: &self.statement.signature,
                },
            )?,
        };
        within_entry_limit(bytes)
    }

    /// [`Entry::to_bytes`] of the entry `{seq, prev, logged_at, case_prev, statement}`, built
    /// from the statement's signed message `message` ([`Statement::signed_message`]) instead of
    /// encoding the statement again: postcard encodes a struct as its fields in order, so the
    /// entry is its label, the ledger's fields, the message without its label and the
    /// signature. The writer has the message from checking the signature; this saves encoding
    /// the event twice. Same bytes and same errors as [`Entry::to_bytes`] (unit tests below
    /// compare the two); without a message, or with one that is not a signed message of the
    /// statement's version, the statement is encoded.
    ///
    /// # Errors
    /// As [`Entry::to_bytes`].
    pub(crate) fn bytes_with_message(
        seq: u64,
        prev: &Digest,
        logged_at: Timestamp,
        case_prev: Option<u64>,
        statement: &SignedStatement,
        message: Option<&[u8]>,
    ) -> Result<Vec<u8>, EncodingError> {
        let fallback = || {
            Entry {
                seq,
                prev: *prev,
                logged_at,
                case_prev,
                statement: statement.clone(),
            }
            .to_bytes()
        };
        let (entry_label, statement_label) = match statement.statement.binding {
            None => {
                if case_prev.is_some() {
                    return Err(EncodingError::CaseLinkInV1);
                }
                (labels::ENTRY, labels::STATEMENT)
            }
            Some(_) => (labels::ENTRY_V2, labels::STATEMENT_V2),
        };
        let Some(body) = message.and_then(|m| m.strip_prefix(statement_label)) else {
            return fallback();
        };
        // label, seq (≤ 10), prev (32), logged_at (≤ 10), case_prev (≤ 11), body, signature.
        let mut out = Vec::with_capacity(entry_label.len() + 64 + body.len() + 72);
        out.extend_from_slice(entry_label);
        let head = match statement.statement.binding {
            None => postcard::to_io(&(seq, prev, logged_at), &mut out),
            Some(_) => postcard::to_io(&(seq, prev, logged_at, case_prev), &mut out),
        };
        if head.is_err() {
            return fallback();
        }
        out.extend_from_slice(body);
        if postcard::to_io(&statement.signature, &mut out).is_err() {
            return fallback();
        }
        within_entry_limit(out)
    }

    /// Strictly decodes canonical entry bytes of either format version (told apart by the
    /// label; see [`crate::encoding::decode`]).
    ///
    /// Decoding checks the form only: not the signature, the chain or the admission rule.
    ///
    /// # Errors
    /// Any [`EncodingError`] describing why the bytes are refused.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EncodingError> {
        if bytes.starts_with(labels::ENTRY_V2) {
            let e: EntryV2 = encoding::decode(labels::ENTRY_V2, bytes, MAX_ENTRY_BYTES)?;
            return Ok(Entry {
                seq: e.seq,
                prev: e.prev,
                logged_at: e.logged_at,
                case_prev: e.case_prev,
                statement: signed(
                    e.time,
                    e.author,
                    e.event,
                    Some(Binding {
                        suite: e.suite,
                        ledger: e.ledger,
                        counter: e.counter,
                    }),
                    e.signature,
                ),
            });
        }
        let e: EntryV1 = encoding::decode(labels::ENTRY, bytes, MAX_ENTRY_BYTES)?;
        Ok(Entry {
            seq: e.seq,
            prev: e.prev,
            logged_at: e.logged_at,
            case_prev: None,
            statement: signed(e.time, e.author, e.event, None, e.signature),
        })
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
    use crate::model::{Role, Suite};

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
            case_prev: None,
            statement: st,
        };
        (key, entry)
    }

    fn sample_v2() -> Entry {
        let key = SecretKey::from_seed(&[1u8; 32]);
        let st = SignedStatement::sign_bound(
            Binding {
                suite: Suite::Sha256Ed25519Blake3,
                ledger: Digest::from_bytes([9u8; 32]),
                counter: 7,
            },
            Timestamp(1_700_000_000_000),
            Event::CaseClosed {
                case_no: "c".into(),
                outcome: "x".into(),
                file_retention: crate::model::Retention::Permanent,
            },
            &key,
        )
        .unwrap();
        Entry {
            seq: 5,
            prev: Digest::from_bytes([3u8; 32]),
            logged_at: Timestamp(1_700_000_000_500),
            case_prev: Some(2),
            statement: st,
        }
    }

    #[test]
    fn v2_entry_round_trip_and_layout() {
        let entry = sample_v2();
        let bytes = entry.to_bytes().unwrap();
        assert!(bytes.starts_with(labels::ENTRY_V2));
        // seq 5, prev, logged_at (zigzag varint), case_prev Some(2), suite 0, ledger, counter 7.
        let body = &bytes[labels::ENTRY_V2.len()..];
        assert_eq!(body[0], 5);
        assert_eq!(&body[1..33], &[3u8; 32]);
        let after_time = 33 + 6; // 1_700_000_000_500 * 2 takes 6 varint bytes
        assert_eq!(&body[after_time..after_time + 3], &[1, 2, 0]);
        assert_eq!(&body[after_time + 3..after_time + 35], &[9u8; 32]);
        assert_eq!(body[after_time + 35], 7);
        let back = Entry::from_bytes(&bytes).unwrap();
        assert_eq!(back, entry);
        assert_eq!(back.version(), FormatVersion::V2);
        back.statement.verify_signature().unwrap();
    }

    #[test]
    fn v2_signature_covers_the_binding() {
        let entry = sample_v2();
        for change in 0..3 {
            let mut e = entry.clone();
            let b = e.statement.statement.binding.as_mut().unwrap();
            match change {
                0 => b.counter += 1,
                1 => b.ledger = Digest::ZERO,
                _ => e.statement.statement.binding = None,
            }
            assert!(e.statement.verify_signature().is_err(), "change {change}");
        }
        // The signed messages of the two versions are disjoint (different labels).
        let v2 = entry.statement.statement.signed_message().unwrap();
        assert!(v2.starts_with(labels::STATEMENT_V2));
    }

    /// [`Entry::bytes_with_message`] gives exactly [`Entry::to_bytes`]: both versions, with
    /// and without a case link, small and large seq/time values, an entry over the size limit,
    /// and a message that is not the statement's (the fallback).
    #[test]
    fn bytes_with_message_equals_to_bytes() {
        let (_, v1) = sample();
        let v2 = sample_v2();
        let mut big = v2.clone();
        big.statement.statement.event = Event::CaseClosed {
            case_no: "c".repeat(MAX_ENTRY_BYTES),
            outcome: "x".into(),
            file_retention: crate::model::Retention::Permanent,
        };
        let mut near = v1.clone();
        near.statement.statement.event = Event::KeyAuthorized {
            key: v1.statement.statement.author,
            role: Role::Officer,
            holder: "h".repeat(MAX_ENTRY_BYTES - 300),
        };
        for base in [v1, v2, big, near] {
            for (seq, logged_at, case_prev) in [
                (0, 0, None),
                (1, -1, Some(0)),
                (u64::MAX, i64::MIN, Some(u64::MAX)),
                (300, 1_700_000_000_500, Some(299)),
            ] {
                let mut e = base.clone();
                e.seq = seq;
                e.logged_at = Timestamp(logged_at);
                e.case_prev = case_prev;
                let st = &e.statement;
                let message = st.statement.signed_message().unwrap();
                let spliced = Entry::bytes_with_message(
                    seq,
                    &e.prev,
                    e.logged_at,
                    case_prev,
                    st,
                    Some(&message),
                );
                assert_eq!(spliced, e.to_bytes(), "seq {seq} case_prev {case_prev:?}");
                // No message, or not the statement's: the fallback encodes the statement.
                for message in [None, Some(&b"x"[..])] {
                    let fallback = Entry::bytes_with_message(
                        seq,
                        &e.prev,
                        e.logged_at,
                        case_prev,
                        st,
                        message,
                    );
                    assert_eq!(fallback, e.to_bytes());
                }
            }
        }
    }

    #[test]
    fn v1_entry_cannot_carry_a_case_link() {
        let (_, mut entry) = sample();
        entry.case_prev = Some(0);
        assert_eq!(entry.to_bytes(), Err(EncodingError::CaseLinkInV1));
    }

    #[test]
    fn v1_bytes_under_the_v2_label_are_refused() {
        let (_, entry) = sample();
        let bytes = entry.to_bytes().unwrap();
        let mut relabelled = labels::ENTRY_V2.to_vec();
        relabelled.extend_from_slice(&bytes[labels::ENTRY.len()..]);
        assert!(Entry::from_bytes(&relabelled).is_err());
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
