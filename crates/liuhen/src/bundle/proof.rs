//! Portable proofs: an RFC 9162 inclusion or consistency proof, bundled with the signed
//! checkpoint(s) it is checked against, as one JSON document (`docs/FORMAT.md` §19).

use base64::Engine as _;

use super::container::MAX_PATH_LEN;
use super::json::{self, Value};
use super::{stored_checkpoint, Pick, PickError, StoreNodes};
use crate::checkpoint::{CheckpointError, NoteVerifier, SignedCheckpoint, MAX_NOTE_BYTES};
use crate::encoding::MAX_ENTRY_BYTES;
use crate::entry::Entry;
use crate::hash::{Digest, Sha256TreeHasher, TreeHasher};
use crate::merkle::{self, MerkleError};
use crate::store::{StoreError, StoreRead};

/// The value of the `format` field of every portable proof of this version.
pub const PROOF_FORMAT: &str = "liuhen-proof/1";

/// Largest proof document read, in bytes: two signed notes of at most 1 MiB each, an entry of
/// at most 64 KiB in base64 and 64 hashes fit with room to spare.
pub const MAX_PROOF_BYTES: usize = 4 * 1024 * 1024;

/// Errors of producing, reading and checking portable proofs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The ledger could not be read.
    #[error("cannot read the ledger: {0}")]
    Store(#[from] StoreError),
    /// No usable stored checkpoint (none, none of the size asked for, or one that does not
    /// verify against the ledger's own entries and key).
    #[error("{reason}")]
    Checkpoint {
        /// Why, in one sentence.
        reason: String,
    },
    /// The entry is not covered by the latest checkpoint.
    #[error("entry {seq} comes after the latest checkpoint (size {size}): seal first (`liuhen seal`), then prove")]
    Unsealed {
        /// The entry.
        seq: u64,
        /// Size of the latest checkpoint.
        size: u64,
    },
    /// The chosen checkpoint does not cover the entry.
    #[error("the checkpoint of size {size} does not cover entry {seq} (it covers entries 0 to {})", .size.saturating_sub(1))]
    NotCovered {
        /// The entry.
        seq: u64,
        /// Size of the checkpoint.
        size: u64,
    },
    /// The entry does not exist.
    #[error("entry {seq} does not exist: the ledger holds {size} entries")]
    NoSuchEntry {
        /// The entry asked for.
        seq: u64,
        /// Number of entries.
        size: u64,
    },
    /// A consistency proof was asked from a larger to a smaller tree.
    #[error("cannot prove consistency from size {old} to the smaller size {new}: a ledger never shrinks")]
    BadSizes {
        /// The old size.
        old: u64,
        /// The new size.
        new: u64,
    },
    /// A proof could not be computed from the store.
    #[error("cannot compute the proof: {0}")]
    Merkle(#[source] MerkleError),

    /// The document is larger than [`MAX_PROOF_BYTES`].
    #[error("the proof is {len} bytes, more than the limit of {max}")]
    TooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The document is not UTF-8.
    #[error("the proof is not UTF-8 text")]
    NotUtf8,
    /// The document is not JSON.
    #[error("the proof is not valid JSON (line {line}, column {column}): {reason}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        reason: String,
    },
    /// The document is not a `liuhen-proof/1` document.
    #[error("not a {PROOF_FORMAT} document (format {found:?})")]
    Format {
        /// The `format` value found (empty if absent).
        found: String,
    },
    /// The `type` field names no known proof type.
    #[error("unknown proof type {found:?}: expected \"inclusion\" or \"consistency\"")]
    Type {
        /// The value found.
        found: String,
    },
    /// A required field is absent.
    #[error("the proof has no {field:?} field")]
    MissingField {
        /// The field.
        field: &'static str,
    },
    /// A field that the format does not define.
    #[error("the proof has a field {name:?} that {PROOF_FORMAT} does not define")]
    UnknownField {
        /// Its name.
        name: String,
    },
    /// A field has the wrong type or value.
    #[error("field {field:?} of the proof is invalid: {reason}")]
    Field {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },

    /// A checkpoint of the proof does not parse, or its signature does not verify with the
    /// verifier key (including a checkpoint of another log).
    #[error("the {which}checkpoint of the proof does not verify: {source}")]
    BadCheckpoint {
        /// `""`, `"old "` or `"new "`.
        which: &'static str,
        /// Why.
        #[source]
        source: CheckpointError,
    },
    /// The proof names another origin than its checkpoint.
    #[error("the proof is for ledger {proof:?}, but its checkpoint is of ledger {checkpoint:?}")]
    OriginMismatch {
        /// The proof's `origin`.
        proof: String,
        /// The checkpoint's origin.
        checkpoint: String,
    },
    /// The proof's tree size is not its checkpoint's: a proof for another checkpoint.
    #[error("the proof is for a tree of {proof} entries, but its {which}checkpoint is of size {checkpoint}: it is a proof for another checkpoint")]
    SizeMismatch {
        /// `""`, `"old "` or `"new "`.
        which: &'static str,
        /// The size the proof states.
        proof: u64,
        /// The checkpoint's size.
        checkpoint: u64,
    },
    /// The entry bytes do not hash to the proof's leaf hash.
    #[error("the entry bytes of the proof hash to {computed}, not to its leaf hash {stated}")]
    LeafHashMismatch {
        /// The leaf hash of the bytes.
        computed: Digest,
        /// The `leaf_hash` field.
        stated: Digest,
    },
    /// The entry bytes are not a canonical entry.
    #[error("the entry bytes of the proof are not a valid entry: {reason}")]
    EntryMalformed {
        /// Why.
        reason: String,
    },
    /// The entry's own sequence number is not the proven leaf index.
    #[error("the proof is for leaf {leaf_index}, but the entry it carries is entry {seq}")]
    SeqMismatch {
        /// The proven position.
        leaf_index: u64,
        /// What the entry says.
        seq: u64,
    },
    /// The author's signature of the proven entry does not verify.
    #[error("entry {seq}: the author's signature does not verify: {reason}")]
    BadStatementSignature {
        /// The entry.
        seq: u64,
        /// Why.
        reason: String,
    },
    /// The Merkle proof does not lead to the checkpoint's root.
    #[error("the proof does not verify against the signed checkpoint: {source}")]
    ProofFailed {
        /// What the Merkle check said.
        #[source]
        source: MerkleError,
    },
}

impl ProofError {
    /// Whether the document itself is unreadable or malformed (as opposed to a well-formed proof
    /// that does not verify, or a failure to produce one).
    pub fn is_malformed(&self) -> bool {
        matches!(
            self,
            ProofError::TooLarge { .. }
                | ProofError::NotUtf8
                | ProofError::Syntax { .. }
                | ProofError::Format { .. }
                | ProofError::Type { .. }
                | ProofError::MissingField { .. }
                | ProofError::UnknownField { .. }
                | ProofError::Field { .. }
        )
    }

    /// Whether a well-formed proof failed to verify: a bad or foreign checkpoint, a proof for
    /// another checkpoint, altered entry bytes or path.
    pub fn is_verification_failure(&self) -> bool {
        matches!(
            self,
            ProofError::BadCheckpoint { .. }
                | ProofError::OriginMismatch { .. }
                | ProofError::SizeMismatch { .. }
                | ProofError::LeafHashMismatch { .. }
                | ProofError::EntryMalformed { .. }
                | ProofError::SeqMismatch { .. }
                | ProofError::BadStatementSignature { .. }
                | ProofError::ProofFailed { .. }
        )
    }
}

impl From<PickError> for ProofError {
    fn from(e: PickError) -> Self {
        match e {
            PickError::Store(s) => ProofError::Store(s),
            other => ProofError::Checkpoint {
                reason: other.to_string(),
            },
        }
    }
}

/// A proof that an entry is in the ledger as of a signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortableInclusion {
    /// The ledger's origin (the checkpoint's origin and key name).
    pub origin: String,
    /// The entry's position (its `seq`).
    pub leaf_index: u64,
    /// The size of the tree the proof is for: the checkpoint's size.
    pub tree_size: u64,
    /// `SHA-256(0x00 || entry bytes)`.
    pub leaf_hash: Digest,
    /// The canonical entry bytes, if included (they are, when liuhen produces the proof).
    pub entry: Option<Vec<u8>>,
    /// The audit path, deepest sibling first (RFC 9162 §2.1.3).
    pub path: Vec<Digest>,
    /// The signed checkpoint (C2SP signed note) of size `tree_size`.
    pub checkpoint: String,
}

/// A proof that one signed checkpoint's tree is a prefix of another's: nothing recorded before
/// the old checkpoint was changed or removed since.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortableConsistency {
    /// The ledger's origin.
    pub origin: String,
    /// The older tree size.
    pub old_size: u64,
    /// The newer tree size.
    pub new_size: u64,
    /// The proof hashes (RFC 9162 §2.1.4).
    pub path: Vec<Digest>,
    /// The signed checkpoint of size `old_size`.
    pub old_checkpoint: String,
    /// The signed checkpoint of size `new_size`.
    pub new_checkpoint: String,
}

/// A portable proof document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortableProof {
    /// `"type": "inclusion"`.
    Inclusion(PortableInclusion),
    /// `"type": "consistency"`.
    Consistency(PortableConsistency),
}

/// What a verified proof established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Proven {
    /// The leaf is entry `seq` of the ledger as of the signed checkpoint.
    Inclusion {
        /// The ledger.
        origin: String,
        /// The entry's position.
        seq: u64,
        /// The checkpoint's size.
        tree_size: u64,
        /// The checkpoint's root.
        root: Digest,
        /// The entry's leaf hash.
        leaf_hash: Digest,
        /// The entry, decoded and its author's signature checked, if the proof carried it.
        entry: Option<Box<Entry>>,
    },
    /// The old checkpoint's tree is a prefix of the new one's.
    Consistency {
        /// The ledger.
        origin: String,
        /// The old size.
        old_size: u64,
        /// The new size.
        new_size: u64,
        /// The old root.
        old_root: Digest,
        /// The new root.
        new_root: Digest,
    },
}

impl PortableInclusion {
    /// The inclusion proof of entry `seq` against the latest stored checkpoint, or against the
    /// latest stored checkpoint of tree size `size`. Signs nothing: if no stored checkpoint
    /// covers the entry, the answer is [`ProofError::Unsealed`] ("seal first").
    ///
    /// The checkpoint is authenticated with the key genesis declares and checked against the
    /// stored tree, and the finished proof is verified before it is returned, so a proof that
    /// would not verify is never handed out.
    ///
    /// # Errors
    /// [`ProofError::NoSuchEntry`], [`ProofError::Unsealed`], [`ProofError::NotCovered`],
    /// [`ProofError::Checkpoint`], [`ProofError::Store`], [`ProofError::Merkle`], or a
    /// verification error if the stored entry itself is invalid.
    pub fn from_store<S: StoreRead + ?Sized>(
        store: &S,
        seq: u64,
        size: Option<u64>,
    ) -> Result<Self, ProofError> {
        let total = store.size()?;
        if seq >= total {
            return Err(ProofError::NoSuchEntry { seq, size: total });
        }
        let pick = size.map_or(Pick::Latest, Pick::Size);
        let (checkpoint, text) = stored_checkpoint(store, pick)?;
        let tree_size = checkpoint.size();
        if tree_size <= seq {
            return Err(match size {
                None => ProofError::Unsealed {
                    seq,
                    size: tree_size,
                },
                Some(_) => ProofError::NotCovered {
                    seq,
                    size: tree_size,
                },
            });
        }
        let bytes = store.entry_bytes(seq)?;
        let proof = merkle::inclusion_proof(&Sha256TreeHasher, &StoreNodes(store), seq, tree_size)
            .map_err(ProofError::Merkle)?;
        let out = PortableInclusion {
            origin: checkpoint.origin().to_owned(),
            leaf_index: seq,
            tree_size,
            leaf_hash: Sha256TreeHasher.hash_leaf(&bytes),
            entry: Some(bytes),
            path: proof.path,
            checkpoint: text,
        };
        out.verify(checkpoint.log_key())?;
        Ok(out)
    }

    /// Checks the proof with the ledger's verifier key alone (`docs/FORMAT.md` §19.4): the
    /// checkpoint's signature and origin, its size, the entry bytes against the leaf hash, the
    /// audit path against the signed root, and — if the entry is carried — that it decodes, is
    /// entry `leaf_index` and bears a valid author signature.
    ///
    /// # Errors
    /// The verification variants of [`ProofError`].
    pub fn verify(&self, vkey: &NoteVerifier) -> Result<Proven, ProofError> {
        let checkpoint = SignedCheckpoint::parse(self.checkpoint.as_bytes())
            .and_then(|c| c.verify(vkey))
            .map_err(|source| ProofError::BadCheckpoint { which: "", source })?;
        if checkpoint.origin() != self.origin {
            return Err(ProofError::OriginMismatch {
                proof: self.origin.clone(),
                checkpoint: checkpoint.origin().to_owned(),
            });
        }
        if checkpoint.size() != self.tree_size {
            return Err(ProofError::SizeMismatch {
                which: "",
                proof: self.tree_size,
                checkpoint: checkpoint.size(),
            });
        }
        if let Some(bytes) = &self.entry {
            let computed = Sha256TreeHasher.hash_leaf(bytes);
            if computed != self.leaf_hash {
                return Err(ProofError::LeafHashMismatch {
                    computed,
                    stated: self.leaf_hash,
                });
            }
        }
        merkle::verify_inclusion(
            &Sha256TreeHasher,
            self.leaf_index,
            self.tree_size,
            &self.leaf_hash,
            &self.path,
            checkpoint.root(),
        )
        .map_err(|source| ProofError::ProofFailed { source })?;
        let entry = match &self.entry {
            None => None,
            Some(bytes) => {
                let entry = Entry::from_bytes(bytes).map_err(|e| ProofError::EntryMalformed {
                    reason: e.to_string(),
                })?;
                if entry.seq != self.leaf_index {
                    return Err(ProofError::SeqMismatch {
                        leaf_index: self.leaf_index,
                        seq: entry.seq,
                    });
                }
                entry.statement.verify_signature().map_err(|e| {
                    ProofError::BadStatementSignature {
                        seq: entry.seq,
                        reason: e.to_string(),
                    }
                })?;
                Some(Box::new(entry))
            }
        };
        Ok(Proven::Inclusion {
            origin: self.origin.clone(),
            seq: self.leaf_index,
            tree_size: self.tree_size,
            root: *checkpoint.root(),
            leaf_hash: self.leaf_hash,
            entry,
        })
    }
}

impl PortableConsistency {
    /// The consistency proof from the stored checkpoint of size `old_size` to the latest stored
    /// checkpoint, or to the stored checkpoint of size `new_size`. Both checkpoints must be
    /// stored: a consistency proof between unsigned sizes would prove nothing to a third party.
    ///
    /// # Errors
    /// [`ProofError::Checkpoint`] when no stored checkpoint has a size asked for (or one does not
    /// verify), [`ProofError::BadSizes`], [`ProofError::Store`] or [`ProofError::Merkle`].
    pub fn from_store<S: StoreRead + ?Sized>(
        store: &S,
        old_size: u64,
        new_size: Option<u64>,
    ) -> Result<Self, ProofError> {
        let (old, old_text) = stored_checkpoint(store, Pick::Size(old_size))?;
        let (new, new_text) = stored_checkpoint(store, new_size.map_or(Pick::Latest, Pick::Size))?;
        if old.size() > new.size() {
            return Err(ProofError::BadSizes {
                old: old.size(),
                new: new.size(),
            });
        }
        let proof = merkle::consistency_proof(
            &Sha256TreeHasher,
            &StoreNodes(store),
            old.size(),
            new.size(),
        )
        .map_err(ProofError::Merkle)?;
        let out = PortableConsistency {
            origin: new.origin().to_owned(),
            old_size: old.size(),
            new_size: new.size(),
            path: proof.path,
            old_checkpoint: old_text,
            new_checkpoint: new_text,
        };
        out.verify(new.log_key())?;
        Ok(out)
    }

    /// Checks the proof with the ledger's verifier key alone (`docs/FORMAT.md` §19.4): both
    /// checkpoints' signatures, origins and sizes, then the RFC 9162 consistency proof between
    /// their roots.
    ///
    /// # Errors
    /// The verification variants of [`ProofError`].
    pub fn verify(&self, vkey: &NoteVerifier) -> Result<Proven, ProofError> {
        let mut roots = Vec::with_capacity(2);
        for (which, text, size) in [
            ("old ", &self.old_checkpoint, self.old_size),
            ("new ", &self.new_checkpoint, self.new_size),
        ] {
            let c = SignedCheckpoint::parse(text.as_bytes())
                .and_then(|c| c.verify(vkey))
                .map_err(|source| ProofError::BadCheckpoint { which, source })?;
            if c.origin() != self.origin {
                return Err(ProofError::OriginMismatch {
                    proof: self.origin.clone(),
                    checkpoint: c.origin().to_owned(),
                });
            }
            if c.size() != size {
                return Err(ProofError::SizeMismatch {
                    which,
                    proof: size,
                    checkpoint: c.size(),
                });
            }
            roots.push(*c.root());
        }
        let (Some(old_root), Some(new_root)) = (roots.first().copied(), roots.get(1).copied())
        else {
            return Err(ProofError::ProofFailed {
                source: MerkleError::EmptyOldTree {
                    new_size: self.new_size,
                },
            });
        };
        merkle::verify_consistency(
            &Sha256TreeHasher,
            self.old_size,
            self.new_size,
            &self.path,
            &old_root,
            &new_root,
        )
        .map_err(|source| ProofError::ProofFailed { source })?;
        Ok(Proven::Consistency {
            origin: self.origin.clone(),
            old_size: self.old_size,
            new_size: self.new_size,
            old_root,
            new_root,
        })
    }
}

impl PortableProof {
    /// Checks the proof with the ledger's verifier key; see [`PortableInclusion::verify`] and
    /// [`PortableConsistency::verify`].
    ///
    /// # Errors
    /// The verification variants of [`ProofError`].
    pub fn verify(&self, vkey: &NoteVerifier) -> Result<Proven, ProofError> {
        match self {
            PortableProof::Inclusion(p) => p.verify(vkey),
            PortableProof::Consistency(p) => p.verify(vkey),
        }
    }

    /// The proof as a JSON document (`docs/FORMAT.md` §19): an object with the fields in the
    /// order specified, two-space indentation, a final newline.
    pub fn to_json(&self) -> String {
        let mut w = Writer::default();
        w.string("format", PROOF_FORMAT);
        match self {
            PortableProof::Inclusion(p) => {
                w.string("type", "inclusion");
                w.string("origin", &p.origin);
                w.number("leaf_index", p.leaf_index);
                w.number("tree_size", p.tree_size);
                w.string("leaf_hash", &p.leaf_hash.to_hex());
                if let Some(bytes) = &p.entry {
                    w.string(
                        "entry",
                        &base64::engine::general_purpose::STANDARD.encode(bytes),
                    );
                }
                w.path(&p.path);
                w.string("checkpoint", &p.checkpoint);
            }
            PortableProof::Consistency(p) => {
                w.string("type", "consistency");
                w.string("origin", &p.origin);
                w.number("old_size", p.old_size);
                w.number("new_size", p.new_size);
                w.path(&p.path);
                w.string("old_checkpoint", &p.old_checkpoint);
                w.string("new_checkpoint", &p.new_checkpoint);
            }
        }
        w.finish()
    }

    /// Reads a proof document strictly: UTF-8 JSON of at most [`MAX_PROOF_BYTES`], an object
    /// with `"format": "liuhen-proof/1"`, every field of its type and no other, each of the
    /// specified form. Nothing is verified yet: call [`PortableProof::verify`].
    ///
    /// # Errors
    /// The malformed-input variants of [`ProofError`] ([`ProofError::is_malformed`]).
    pub fn from_json(bytes: &[u8]) -> Result<Self, ProofError> {
        if bytes.len() > MAX_PROOF_BYTES {
            return Err(ProofError::TooLarge {
                len: bytes.len(),
                max: MAX_PROOF_BYTES,
            });
        }
        let text = std::str::from_utf8(bytes).map_err(|_| ProofError::NotUtf8)?;
        let value = json::parse(text).map_err(|e| ProofError::Syntax {
            line: e.line,
            column: e.column,
            reason: e.reason,
        })?;
        let Value::Object(members) = value else {
            return Err(ProofError::Format {
                found: String::new(),
            });
        };
        let mut f = Fields { members };
        match f.take("format") {
            Some(Value::String(s)) if s == PROOF_FORMAT => {}
            Some(Value::String(s)) => return Err(ProofError::Format { found: s }),
            _ => {
                return Err(ProofError::Format {
                    found: String::new(),
                })
            }
        }
        let kind = f.string("type", 32)?;
        let proof = match kind.as_str() {
            "inclusion" => {
                let entry = match f.take("entry") {
                    None => None,
                    Some(v) => Some(base64_field("entry", v, MAX_ENTRY_BYTES)?),
                };
                PortableProof::Inclusion(PortableInclusion {
                    origin: f.string("origin", crate::checkpoint::MAX_KEY_NAME_BYTES)?,
                    leaf_index: f.number("leaf_index")?,
                    tree_size: f.number("tree_size")?,
                    leaf_hash: f.digest("leaf_hash")?,
                    entry,
                    path: f.path()?,
                    checkpoint: f.string("checkpoint", MAX_NOTE_BYTES)?,
                })
            }
            "consistency" => PortableProof::Consistency(PortableConsistency {
                origin: f.string("origin", crate::checkpoint::MAX_KEY_NAME_BYTES)?,
                old_size: f.number("old_size")?,
                new_size: f.number("new_size")?,
                path: f.path()?,
                old_checkpoint: f.string("old_checkpoint", MAX_NOTE_BYTES)?,
                new_checkpoint: f.string("new_checkpoint", MAX_NOTE_BYTES)?,
            }),
            _ => return Err(ProofError::Type { found: kind }),
        };
        if let Some((name, _)) = f.members.first() {
            return Err(ProofError::UnknownField { name: name.clone() });
        }
        Ok(proof)
    }
}

/// The members of the proof object, taken out one field at a time so that whatever is left at
/// the end is an unknown field.
struct Fields {
    members: Vec<(String, Value)>,
}

impl Fields {
    fn take(&mut self, name: &str) -> Option<Value> {
        let i = self.members.iter().position(|(n, _)| n == name)?;
        Some(self.members.remove(i).1)
    }

    fn require(&mut self, name: &'static str) -> Result<Value, ProofError> {
        self.take(name)
            .ok_or(ProofError::MissingField { field: name })
    }

    fn string(&mut self, name: &'static str, max: usize) -> Result<String, ProofError> {
        match self.require(name)? {
            Value::String(s) if s.len() <= max => Ok(s),
            Value::String(s) => Err(field(
                name,
                format!("{} bytes, more than the limit of {max}", s.len()),
            )),
            other => Err(field(
                name,
                format!("expected a string, found {}", other.type_name()),
            )),
        }
    }

    fn number(&mut self, name: &'static str) -> Result<u64, ProofError> {
        match self.require(name)? {
            Value::Number(text) => parse_u64(&text).ok_or_else(|| {
                field(
                    name,
                    format!("{text} is not an integer from 0 to 2^64 - 1 without leading zeros"),
                )
            }),
            other => Err(field(
                name,
                format!("expected a number, found {}", other.type_name()),
            )),
        }
    }

    fn digest(&mut self, name: &'static str) -> Result<Digest, ProofError> {
        match self.require(name)? {
            Value::String(s) => parse_hex_digest(&s)
                .ok_or_else(|| field(name, "expected 64 lower-case hex digits".into())),
            other => Err(field(
                name,
                format!("expected a string, found {}", other.type_name()),
            )),
        }
    }

    fn path(&mut self) -> Result<Vec<Digest>, ProofError> {
        let Value::Array(items) = self.require("path")? else {
            return Err(field("path", "expected an array of hashes".into()));
        };
        if items.len() > MAX_PATH_LEN {
            return Err(field(
                "path",
                format!(
                    "{} hashes, more than the {MAX_PATH_LEN} any tree of 2^64 - 1 entries needs",
                    items.len()
                ),
            ));
        }
        items
            .into_iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => parse_hex_digest(&s).ok_or_else(|| {
                    field("path", format!("hash {i} is not 64 lower-case hex digits"))
                }),
                other => Err(field(
                    "path",
                    format!("hash {i} is {}, not a string", other.type_name()),
                )),
            })
            .collect()
    }
}

fn field(name: &'static str, reason: String) -> ProofError {
    ProofError::Field {
        field: name,
        reason,
    }
}

fn base64_field(name: &'static str, v: Value, max: usize) -> Result<Vec<u8>, ProofError> {
    let Value::String(s) = v else {
        return Err(field(
            name,
            format!("expected a base64 string, found {}", v.type_name()),
        ));
    };
    // Refuse before decoding: base64 is 4 characters per 3 bytes.
    if s.len() > max.div_ceil(3) * 4 {
        return Err(field(name, format!("more than {max} bytes")));
    }
    let engine = &base64::engine::general_purpose::STANDARD;
    let bytes = engine
        .decode(&s)
        .ok()
        .filter(|b| engine.encode(b) == s)
        .ok_or_else(|| field(name, "not canonical standard base64 (RFC 4648 §4)".into()))?;
    if bytes.len() > max {
        return Err(field(name, format!("more than {max} bytes")));
    }
    Ok(bytes)
}

/// An unsigned decimal integer as JSON writes it: digits only, no leading zero, at most
/// `u64::MAX`.
fn parse_u64(text: &str) -> Option<u64> {
    let ok = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    ok.then(|| text.parse().ok()).flatten()
}

/// 64 lower-case hex digits (the form liuhen writes; upper case is refused so that one digest
/// has one spelling).
fn parse_hex_digest(s: &str) -> Option<Digest> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Digest::from_hex(s)
}

/// Writes the proof object: one member per line, two-space indentation.
#[derive(Default)]
struct Writer {
    out: String,
}

impl Writer {
    fn key(&mut self, name: &str) {
        self.out.push_str(if self.out.is_empty() {
            "{\n  "
        } else {
            ",\n  "
        });
        json::write_string(&mut self.out, name);
        self.out.push_str(": ");
    }

    fn string(&mut self, name: &str, value: &str) {
        self.key(name);
        json::write_string(&mut self.out, value);
    }

    fn number(&mut self, name: &str, value: u64) {
        self.key(name);
        self.out.push_str(&value.to_string());
    }

    fn path(&mut self, path: &[Digest]) {
        self.key("path");
        if path.is_empty() {
            self.out.push_str("[]");
            return;
        }
        self.out.push('[');
        for (i, d) in path.iter().enumerate() {
            self.out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            json::write_string(&mut self.out, &d.to_hex());
        }
        self.out.push_str("\n  ]");
    }

    fn finish(mut self) -> String {
        self.out.push_str("\n}\n");
        self.out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_digests_are_strict() {
        assert_eq!(parse_u64("0"), Some(0));
        assert_eq!(parse_u64("18446744073709551615"), Some(u64::MAX));
        for bad in ["", "01", "-1", "1.0", "1e3", "18446744073709551616", "+1"] {
            assert_eq!(parse_u64(bad), None, "{bad}");
        }
        let d = Digest::from_bytes([0xab; 32]);
        assert_eq!(parse_hex_digest(&d.to_hex()), Some(d));
        assert_eq!(parse_hex_digest(&d.to_hex().to_uppercase()), None);
    }

    #[test]
    fn documents_round_trip_and_unknown_fields_are_refused() {
        let p = PortableProof::Consistency(PortableConsistency {
            origin: "example.org/log".into(),
            old_size: 3,
            new_size: 7,
            path: vec![Digest::from_bytes([1; 32]), Digest::from_bytes([2; 32])],
            old_checkpoint: "a\nb\n".into(),
            new_checkpoint: "c\n".into(),
        });
        let text = p.to_json();
        assert_eq!(PortableProof::from_json(text.as_bytes()).unwrap(), p);
        let extra = text.replacen('{', "{\"note\": 1,", 1);
        assert!(matches!(
            PortableProof::from_json(extra.as_bytes()),
            Err(ProofError::UnknownField { .. })
        ));
        let other = text.replace(PROOF_FORMAT, "liuhen-proof/2");
        assert!(matches!(
            PortableProof::from_json(other.as_bytes()),
            Err(ProofError::Format { .. })
        ));
    }
}
