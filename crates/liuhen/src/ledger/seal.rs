//! Sealing that checks before it signs.
//!
//! A checkpoint signed by the ledger key vouches for every entry it covers, forever: a seal over
//! a store that an outsider edited would bless the edit. So [`Ledger::seal_checked`] signs only a
//! root it has recomputed itself, from the entry frames, on top of the last checkpoint *this
//! signer* signed — kept outside the store, beside the key, as a [`SealState`] — and only after
//! proving that the store still holds that checkpoint's history:
//!
//! 1. the state's checkpoint verifies under the ledger key (it is this ledger's);
//! 2. the store holds at least the state's entries and checkpoints, and its checkpoint at the
//!    state's position is, byte for byte, the one the state names (nothing rolled back, deleted
//!    or replaced);
//! 3. the entry at the state's last position still hashes to the state's last leaf hash;
//! 4. every entry after the state: its sequence number is its position, its `prev` chains, its
//!    signature verifies (`verify_strict`, in parallel); its leaf hash extends the state's
//!    compact range — work proportional to the new entries, not to the ledger;
//! 5. every checkpoint stored since the state that the ledger key signed (another signer
//!    holding the key, or a seal whose state was not written) matches the recomputed root at
//!    its size — or, if it is older than the state, the store proves the new tree consistent
//!    with it — and none covers more entries than the store holds;
//! 6. the recomputed root equals the root the store's index gives, and the store's
//!    consistency proof from the state's checkpoint to the new size verifies.
//!
//! Without a state (a ledger made before states existed, or a key moved without its state),
//! the check starts from entry 0 and every stored checkpoint signed by the ledger key is
//! compared with the recomputed root at its size: O(n), once.
//!
//! The state is a plain value; the file that holds it (`<key file>.seal-state`, format in
//! `docs/STORE.md`, "Seal state") is read and written by [`crate::keyfile`].

use rayon::prelude::*;

use super::writer_state::{Body, SignError, WriterState};
use super::{Ledger, LedgerError, StoreReader};
use crate::checkpoint::{Checkpoint, CheckpointError, SignedCheckpoint, MAX_NOTE_BYTES};
use crate::hash::{Digest, TreeHasher};
use crate::keys::Signer;
use crate::merkle::{self, CompactRange};
use crate::store::{Store, StoreError};
use crate::verify;

/// The first line of a seal-state file: its domain label and version.
pub const SEAL_STATE_LABEL: &str = "liuhen/v1/seal-state";

/// Largest seal-state file, in bytes: a checkpoint note (at most [`MAX_NOTE_BYTES`]) and at
/// most 64 node lines.
pub const MAX_SEAL_STATE_BYTES: usize = MAX_NOTE_BYTES + 8192;

/// Entries checked in parallel at a time while sealing.
const CHUNK: u64 = 4096;

/// What a signer keeps, outside the store, of the last checkpoint it signed: the checkpoint
/// (signed note text, as stored), its position in the store's checkpoint list, the compact
/// range (Merkle frontier) of its tree and the leaf hash of its last entry. With it the next
/// seal checks only the entries added since, and a store swapped, cut or rolled back underneath
/// the signer is refused, not blessed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealState {
    note: String,
    checkpoint: Checkpoint,
    checkpoints: u64,
    frontier: CompactRange,
    last_leaf: Digest,
}

/// A seal-state file's text is not a seal state.
#[derive(Debug, thiserror::Error)]
#[error("not a liuhen seal state: {0}")]
pub struct SealStateError(String);

/// Why [`Ledger::seal_checked`] refused to sign. Each says, in one sentence, what does not add
/// up; nothing was signed or stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealRefusal {
    /// The state's checkpoint is not signed by this ledger's key.
    #[error("the seal state is not this ledger's: its checkpoint does not verify under the ledger key ({reason})")]
    ForeignState {
        /// Why.
        reason: String,
    },
    /// The store holds fewer entries than the last checkpoint this key signed.
    #[error("the store holds {size} entries, but this key last sealed {sealed}: entries were removed or the store was replaced by an older copy")]
    RolledBack {
        /// Entries in the store.
        size: u64,
        /// Entries the last seal covered.
        sealed: u64,
    },
    /// The store holds fewer checkpoints than when this key last sealed.
    #[error("the store holds {count} checkpoints, but {expected} were stored when this key last sealed: checkpoints were deleted")]
    CheckpointsDeleted {
        /// Checkpoints in the store.
        count: u64,
        /// Checkpoints at the last seal.
        expected: u64,
    },
    /// The store's checkpoint at the state's position is not the one this key signed there.
    #[error("checkpoint {index} in the store is not the checkpoint this key signed last: the store was replaced or its checkpoints rewritten")]
    CheckpointReplaced {
        /// Its index.
        index: u64,
    },
    /// The stored entries are not the history the last seal covered, or an entry since is not
    /// what the writer appends.
    #[error("entry {seq} {reason}")]
    Entry {
        /// The entry.
        seq: u64,
        /// What is wrong, completing "entry N …".
        reason: String,
    },
    /// A stored checkpoint signed by the ledger key disagrees with the entries.
    #[error("checkpoint {index} signed by the ledger key {reason}")]
    Checkpoint {
        /// Its index.
        index: u64,
        /// What is wrong, completing "checkpoint N signed by the ledger key …".
        reason: String,
    },
    /// A stored checkpoint record is damaged: its frame fails its checksum or disagrees with
    /// the checkpoint index. Whichever it is (older or newer than the last seal), the store's
    /// checkpoint log was changed, and no new checkpoint is signed over it.
    #[error(
        "checkpoint {index} is damaged in the store ({reason}): the checkpoint log was changed"
    )]
    CheckpointDamaged {
        /// Its index.
        index: u64,
        /// What is wrong.
        reason: String,
    },
    /// The store's index does not give the root the entries give.
    #[error("the store's index {reason}: it does not describe the entries it holds")]
    Index {
        /// What is wrong.
        reason: String,
    },
}

/// A checkpoint signed by [`Ledger::seal_checked`] and the state to keep for the next seal.
#[derive(Clone, Debug)]
pub struct Sealed {
    /// The checkpoint, as stored.
    pub checkpoint: SignedCheckpoint,
    /// What to keep beside the key.
    pub state: SealState,
}

impl SealState {
    /// The checkpoint this state vouches for (not verified: [`Ledger::seal_checked`] verifies
    /// it under the ledger key).
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The signed note, as stored.
    pub fn note(&self) -> &str {
        &self.note
    }

    /// How many checkpoints the store held once this one was stored (its index + 1).
    pub fn checkpoints(&self) -> u64 {
        self.checkpoints
    }

    /// The state's text (`docs/STORE.md`, "Seal state"):
    ///
    /// ```text
    /// liuhen/v1/seal-state
    /// checkpoints <decimal>
    /// last-leaf <64 lower-case hex>
    /// node <64 lower-case hex>          one per set bit of the checkpoint's size, largest first
    ///
    /// <the signed checkpoint note, byte for byte>
    /// ```
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{SEAL_STATE_LABEL}\ncheckpoints {}\nlast-leaf {}\n",
            self.checkpoints,
            self.last_leaf.to_hex()
        );
        for node in self.frontier.nodes() {
            out.push_str("node ");
            out.push_str(&node.to_hex());
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.note);
        out
    }

    /// Strictly parses a state's text: every line as [`SealState::to_text`] writes it, nothing
    /// else; the nodes must fold to the checkpoint's root. The checkpoint's signature is checked
    /// by [`Ledger::seal_checked`], which knows the key.
    ///
    /// # Errors
    /// [`SealStateError`] naming what is wrong.
    pub fn parse(bytes: &[u8]) -> Result<Self, SealStateError> {
        let bad = |what: &str| SealStateError(what.to_owned());
        if bytes.len() > MAX_SEAL_STATE_BYTES {
            return Err(bad("larger than any seal state"));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8"))?;
        let (head, note) = text
            .split_once("\n\n")
            .ok_or_else(|| bad("no blank line before the checkpoint"))?;
        let mut lines = head.split('\n');
        if lines.next() != Some(SEAL_STATE_LABEL) {
            return Err(bad(&format!("the first line is not {SEAL_STATE_LABEL:?}")));
        }
        let checkpoints = lines
            .next()
            .and_then(|l| l.strip_prefix("checkpoints "))
            .filter(|n| canonical_decimal(n))
            .and_then(|n| n.parse::<u64>().ok())
            .filter(|n| *n >= 1)
            .ok_or_else(|| bad("the second line is not `checkpoints <count>`"))?;
        let last_leaf = lines
            .next()
            .and_then(|l| l.strip_prefix("last-leaf "))
            .and_then(strict_hex)
            .ok_or_else(|| bad("the third line is not `last-leaf <hash>`"))?;
        let mut nodes = Vec::new();
        for line in lines {
            let node = line
                .strip_prefix("node ")
                .and_then(strict_hex)
                .ok_or_else(|| bad("a line after `last-leaf` is not `node <hash>`"))?;
            if nodes.len() >= 64 {
                return Err(bad("more node lines than a tree has"));
            }
            nodes.push(node);
        }
        let signed = SignedCheckpoint::parse(note.as_bytes())
            .map_err(|e| bad(&format!("the checkpoint does not parse: {e}")))?;
        let checkpoint = signed.checkpoint().clone();
        if checkpoint.size == 0 {
            return Err(bad("the checkpoint is of the empty tree"));
        }
        let frontier = CompactRange::from_nodes(checkpoint.size, nodes)
            .ok_or_else(|| bad("the number of node lines does not fit the checkpoint's size"))?;
        if frontier.root(&crate::hash::Sha256TreeHasher) != checkpoint.root {
            return Err(bad("the nodes do not give the checkpoint's root"));
        }
        Ok(SealState {
            note: note.to_owned(),
            checkpoint,
            checkpoints,
            frontier,
            last_leaf,
        })
    }
}

fn canonical_decimal(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
}

fn strict_hex(s: &str) -> Option<Digest> {
    Digest::from_hex(s).filter(|d| d.to_hex() == s)
}

/// The history a seal is about to sign, as recomputed from the frames.
struct Checked {
    frontier: CompactRange,
    last_leaf: Digest,
}

impl<S: Store> Ledger<S> {
    /// Signs a checkpoint over the current tree with the ledger key and stores it, after
    /// checking that the store holds what it claims (see the `ledger::seal` module documentation):
    /// from `state` (the [`SealState`] kept beside the key since the last seal) in time
    /// proportional to the entries added since, or from entry 0 when there is none yet.
    ///
    /// Returns the checkpoint and the state to keep for the next seal. The checkpoint is
    /// durable in the store before this returns; write the state after (a state lost to a crash
    /// is caught up by the next seal, which checks the checkpoints stored since).
    ///
    /// # Errors
    /// [`LedgerError::NotLedgerKey`], [`LedgerError::SealRefused`] naming what does not add up
    /// (nothing is signed then), or a store or signer error.
    pub fn seal_checked(
        &mut self,
        ledger_key: &dyn Signer,
        state: Option<&SealState>,
    ) -> Result<Sealed, LedgerError> {
        let got = ledger_key.public_key();
        if got != self.genesis.ledger_key {
            return Err(LedgerError::NotLedgerKey {
                expected: self.genesis.ledger_key,
                got,
            });
        }
        let checked = self.check_history(state)?;
        let checkpoint = Checkpoint {
            origin: self.genesis.origin.clone(),
            size: self.size(),
            root: checked.frontier.root(&self.hasher),
            extensions: Vec::new(),
        };
        let signed = SignedCheckpoint::sign(checkpoint.clone(), ledger_key)?;
        let note = signed.to_string();
        self.store.append_checkpoint(&note)?;
        self.save_writer_state(ledger_key, &checked.frontier)?;
        let state = SealState {
            note,
            checkpoint,
            checkpoints: self.store.checkpoint_count()?,
            frontier: checked.frontier,
            last_leaf: checked.last_leaf,
        };
        Ok(Sealed {
            checkpoint: signed,
            state,
        })
    }

    /// Saves the signed writer state ([`WriterState`]) after a seal that covered everything this
    /// writer knows (`checked`, the frontier the seal recomputed from the frames, is this
    /// writer's own), so that the next [`Ledger::open`] reads only the entries after it. Skipped
    /// while the admission state is stale (an append failed after it took statements) or when
    /// the frames and this writer disagree: a state is signed only over what was checked.
    fn save_writer_state(
        &mut self,
        ledger_key: &dyn Signer,
        checked: &CompactRange,
    ) -> Result<(), LedgerError> {
        if self.stale || *checked != self.frontier {
            return Ok(());
        }
        let body = Body {
            genesis_leaf: self.hasher.hash_leaf(&self.store.entry_bytes(0)?),
            size: self.size(),
            last_leaf: self.last_leaf,
            last_logged_at: self.last_logged_at,
            frontier: self.frontier.nodes().to_vec(),
            admission: &self.admission,
        };
        let state = WriterState::sign(&body, ledger_key).map_err(|e| match e {
            SignError::Key(e) => LedgerError::Checkpoint(CheckpointError::Key(e)),
            SignError::Encoding(source) => LedgerError::Encoding { index: 0, source },
        })?;
        self.store.put_writer_state(state.as_bytes())?;
        Ok(())
    }

    /// The [`SealState`] of the latest stored checkpoint, after checking the whole ledger as a
    /// seal without a state does (O(n)); for a signer that has just created the ledger (whose
    /// only checkpoint [`Ledger::create`] signed) or that adopts a ledger checked otherwise.
    ///
    /// # Errors
    /// [`LedgerError::SealRefused`] when the entries or checkpoints do not add up, or when the
    /// latest stored checkpoint is not signed by the ledger key over the current tree.
    pub fn seal_state(&self) -> Result<SealState, LedgerError> {
        let checked = self.check_history(None)?;
        let count = self.store.checkpoint_count()?;
        let refuse = |reason: &str| {
            LedgerError::SealRefused(SealRefusal::Checkpoint {
                index: count.saturating_sub(1),
                reason: reason.to_owned(),
            })
        };
        if count == 0 {
            return Err(LedgerError::SealRefused(SealRefusal::CheckpointsDeleted {
                count,
                expected: 1,
            }));
        }
        let note = self.store.checkpoint(count - 1)?;
        let verifier = self.verifier_key()?;
        let signed = SignedCheckpoint::parse(note.as_bytes())
            .ok()
            .filter(|s| s.verify(&verifier).is_ok())
            .ok_or_else(|| refuse("does not verify (it is the latest stored one)"))?;
        let root = checked.frontier.root(&self.hasher);
        if signed.checkpoint().size != self.size() || signed.checkpoint().root != root {
            return Err(refuse("is not over the current tree"));
        }
        Ok(SealState {
            checkpoint: signed.checkpoint().clone(),
            note,
            checkpoints: count,
            frontier: checked.frontier,
            last_leaf: checked.last_leaf,
        })
    }

    /// Recomputes the tree from the frames, from `state` or from entry 0, and checks it against
    /// the state, the stored checkpoints and the index.
    fn check_history(&self, state: Option<&SealState>) -> Result<Checked, LedgerError> {
        let refuse = |r: SealRefusal| LedgerError::SealRefused(r);
        let size = self.size();
        if size == 0 {
            return Err(LedgerError::NoGenesis);
        }
        let verifier = self.verifier_key()?;
        let count = self.store.checkpoint_count()?;
        // A checkpoint record that fails its checksum (or disagrees with the checkpoint
        // index) is a refusal, not an I/O error.
        let damaged = |e: StoreError| match e {
            StoreError::Corrupt {
                record: index,
                reason,
                ..
            } => refuse(SealRefusal::CheckpointDamaged { index, reason }),
            e => LedgerError::Store(e),
        };
        let read_checkpoint = |index: u64| self.store.checkpoint(index).map_err(damaged);
        // Checkpoints `from..to`, read in chunks of CHUNK (one range read each).
        let read_checkpoints = |from: u64, to: u64| {
            let mut out = Vec::new();
            let mut at = from;
            while at < to {
                let end = to.min(at.saturating_add(CHUNK));
                out.push((at, self.store.checkpoints(at..end).map_err(damaged)?));
                at = end;
            }
            Ok::<_, LedgerError>(out)
        };
        let (mut frontier, mut prev, first_checkpoint) = match state {
            Some(st) => {
                let signed = SignedCheckpoint::parse(st.note.as_bytes())
                    .map_err(|e| e.to_string())
                    .and_then(|s| s.verify(&verifier).map_err(|e| e.to_string()));
                if let Err(reason) = signed {
                    return Err(refuse(SealRefusal::ForeignState { reason }));
                }
                let sealed = st.checkpoint.size;
                if sealed > size {
                    return Err(refuse(SealRefusal::RolledBack { size, sealed }));
                }
                if count < st.checkpoints {
                    return Err(refuse(SealRefusal::CheckpointsDeleted {
                        count,
                        expected: st.checkpoints,
                    }));
                }
                let index = st.checkpoints - 1;
                if read_checkpoint(index)? != st.note {
                    return Err(refuse(SealRefusal::CheckpointReplaced { index }));
                }
                let last = sealed - 1;
                if self.hasher.hash_leaf(&self.store.entry_bytes(last)?) != st.last_leaf {
                    return Err(refuse(SealRefusal::Entry {
                        seq: last,
                        reason: "is not the entry this key sealed last: the store's history was rewritten".into(),
                    }));
                }
                (st.frontier.clone(), st.last_leaf, st.checkpoints)
            }
            None => (CompactRange::new(), Digest::ZERO, 0),
        };
        // Every stored checkpoint record must read back intact, not only those since the
        // state: a damaged older one means the checkpoint log was changed (O(checkpoints)
        // reads, one per seal).
        let mut at = 0;
        while at < first_checkpoint.min(count) {
            let end = first_checkpoint.min(count).min(at.saturating_add(CHUNK));
            self.store.checkpoints(at..end).map_err(damaged)?;
            at = end;
        }
        // The checkpoints to compare with the recomputed roots, by size: those signed by the
        // ledger key since the state (all of them without one).
        let mut pending: std::collections::BTreeMap<u64, Vec<(u64, Digest)>> =
            std::collections::BTreeMap::new();
        let mut older: Vec<(u64, u64, Digest)> = Vec::new();
        let stored = read_checkpoints(first_checkpoint, count)?;
        let stored = stored
            .into_iter()
            .flat_map(|(from, notes)| (from..).zip(notes));
        for (index, note) in stored {
            let Some(signed) = SignedCheckpoint::parse(note.as_bytes())
                .ok()
                .filter(|s| s.verify(&verifier).is_ok())
            else {
                // Not the ledger key's: the verifier reports it; it vouches for nothing here.
                continue;
            };
            let c = signed.checkpoint();
            if c.size > size {
                return Err(refuse(SealRefusal::Checkpoint {
                    index,
                    reason: format!(
                        "covers {} entries, but the store holds {size}: entries were removed",
                        c.size
                    ),
                }));
            }
            if c.size < frontier.size() {
                // Inside the history the state vouches for: checked below with a consistency
                // proof from its size to the new one (O(log n)), not by recomputation.
                older.push((index, c.size, c.root));
                continue;
            }
            if c.size == frontier.size() && c.size > 0 {
                if c.root != frontier.root(&self.hasher) {
                    return Err(refuse(SealRefusal::Checkpoint {
                        index,
                        reason: format!(
                            "signs root {} at size {}, not the root this key sealed there",
                            c.root, c.size
                        ),
                    }));
                }
                continue;
            }
            pending.entry(c.size).or_default().push((index, c.root));
        }
        if let Some(list) = pending.remove(&0) {
            if let Some((index, _)) = list.first() {
                return Err(refuse(SealRefusal::Checkpoint {
                    index: *index,
                    reason: "signs the empty tree, but a ledger always holds its genesis entry"
                        .into(),
                }));
            }
        }
        let mut seq = frontier.size();
        while seq < size {
            let end = size.min(seq + CHUNK);
            // One range read per chunk.
            let bytes: Vec<Vec<u8>> = self.store.entries(seq..end).map_err(|e| match e {
                // A frame that fails its own checksum was changed: tampering.
                StoreError::Corrupt { record, reason, .. } => refuse(SealRefusal::Entry {
                    seq: record,
                    reason: format!("is damaged in the store ({reason})"),
                }),
                e => LedgerError::Store(e),
            })?;
            let decoded: Vec<verify::Checked> =
                bytes.par_iter().map(|b| verify::check_bytes(b)).collect();
            for d in decoded {
                let entry_refusal = |reason: String| refuse(SealRefusal::Entry { seq, reason });
                let entry = d
                    .entry
                    .map_err(|e| entry_refusal(format!("does not decode: {e}")))?;
                if entry.seq != seq {
                    return Err(entry_refusal(format!(
                        "claims sequence number {}: entries were deleted, inserted or reordered",
                        entry.seq
                    )));
                }
                if entry.prev != prev {
                    return Err(entry_refusal(
                        "does not chain to the entry before it: the history was rewritten".into(),
                    ));
                }
                if !d.signature_ok {
                    return Err(entry_refusal(format!(
                        "carries a signature of {} that does not verify",
                        entry.statement.statement.author
                    )));
                }
                frontier.push(&self.hasher, d.leaf_hash)?;
                prev = d.leaf_hash;
                seq += 1;
                if let Some(list) = pending.remove(&seq) {
                    let root = frontier.root(&self.hasher);
                    for (index, signed_root) in list {
                        if signed_root != root {
                            return Err(refuse(SealRefusal::Checkpoint {
                                index,
                                reason: format!(
                                    "signs root {signed_root} at size {seq}, but the entries give {root}"
                                ),
                            }));
                        }
                    }
                }
            }
        }
        let root = frontier.root(&self.hasher);
        let index_root = merkle::root(&self.hasher, &StoreReader(&self.store), size)?;
        if index_root != root || self.root() != root {
            return Err(refuse(SealRefusal::Index {
                reason: format!(
                    "gives root {index_root} at size {size}, but the entries give {root}"
                ),
            }));
        }
        for (index, old_size, old_root) in older {
            let consistent = self
                .prove_consistency(old_size, size)
                .ok()
                .is_some_and(|p| p.verify(&self.hasher, &old_root, &root).is_ok());
            if !consistent {
                return Err(refuse(SealRefusal::Checkpoint {
                    index,
                    reason: format!(
                        "signs root {old_root} at size {old_size}, which the ledger does not extend"
                    ),
                }));
            }
        }
        if let Some(st) = state {
            let old = &st.checkpoint;
            if old.size < size {
                let proof = self.prove_consistency(old.size, size)?;
                if proof.verify(&self.hasher, &old.root, &root).is_err() {
                    return Err(refuse(SealRefusal::Index {
                        reason: format!(
                            "serves no valid consistency proof from size {} to {size}",
                            old.size
                        ),
                    }));
                }
            }
        }
        Ok(Checked {
            frontier,
            last_leaf: prev,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::keys::SecretKey;
    use crate::model::{Event, Role};
    use crate::store::{MemoryStore, StoreWrite};

    fn ledger(n: u8) -> (Ledger<MemoryStore>, SecretKey) {
        let key = SecretKey::from_seed(&[1; 32]);
        let mut ledger = crate::ledger::test_ledger("example.gov.cn/ledger", &key).unwrap();
        for i in 0..n {
            ledger
                .sign_and_append(
                    &key,
                    Event::KeyAuthorized {
                        key: SecretKey::from_seed(&[i + 2; 32]).public_key(),
                        role: Role::Officer,
                        holder: format!("{i}"),
                    },
                )
                .unwrap();
        }
        (ledger, key)
    }

    #[test]
    fn state_text_round_trips_and_is_parsed_strictly() {
        let (mut ledger, key) = ledger(6);
        let state = ledger.seal_checked(&key, None).unwrap().state;
        let text = state.to_text();
        assert_eq!(SealState::parse(text.as_bytes()).unwrap(), state);
        assert!(text.starts_with("liuhen/v1/seal-state\ncheckpoints 2\nlast-leaf "));
        let upper = text.replacen("last-leaf ", "last-leaf X", 1);
        for bad in [
            text.replacen("liuhen/v1/seal-state", "liuhen/v2/seal-state", 1),
            text.replacen("checkpoints 2", "checkpoints 02", 1),
            text.replacen("checkpoints 2", "checkpoints 0", 1),
            text.replacen("checkpoints 2", "checkpoints  2", 1),
            upper,
            text.to_uppercase(),
            text.replacen("\nnode ", "\nnode  ", 1),
            text.replacen("\n\n", "\nextra\n\n", 1),
            text.replacen("\n\n", "\n", 1),
            // A node line dropped: size 7 has three.
            {
                let mut lines: Vec<&str> = text.split('\n').collect();
                lines.remove(3);
                lines.join("\n")
            },
            // A node changed: it no longer folds to the signed root.
            {
                let at = text.find("\nnode ").unwrap() + 6;
                let mut b = text.clone().into_bytes();
                b[at] = if b[at] == b'0' { b'1' } else { b'0' };
                String::from_utf8(b).unwrap()
            },
        ] {
            assert!(SealState::parse(bad.as_bytes()).is_err(), "{bad}");
        }
        assert!(SealState::parse(&vec![b'a'; MAX_SEAL_STATE_BYTES + 1]).is_err());
    }

    #[test]
    fn a_forked_checkpoint_stored_since_the_state_is_refused() {
        // Someone else holding the key stored a checkpoint of a smaller size over another
        // history: the ledger does not extend it, so the next seal refuses.
        let (mut ledger, key) = ledger(6);
        let state = ledger.seal_checked(&key, None).unwrap().state;
        let fork = SignedCheckpoint::sign(
            Checkpoint {
                origin: ledger.origin().to_owned(),
                size: 3,
                root: Digest::ZERO,
                extensions: Vec::new(),
            },
            &key,
        )
        .unwrap();
        ledger.store.append_checkpoint(&fork.to_string()).unwrap();
        assert!(matches!(
            ledger.seal_checked(&key, Some(&state)),
            Err(LedgerError::SealRefused(SealRefusal::Checkpoint {
                index: 2,
                ..
            }))
        ));
        // And without a state, the whole-ledger check finds the same.
        assert!(matches!(
            ledger.seal_checked(&key, None),
            Err(LedgerError::SealRefused(SealRefusal::Checkpoint {
                index: 2,
                ..
            }))
        ));
    }

    #[test]
    fn a_state_carries_the_next_seal_and_refuses_another_ledger() {
        let (mut ledger, key) = ledger(3);
        let first = ledger.seal_checked(&key, None).unwrap().state;
        ledger
            .sign_and_append(
                &key,
                Event::KeyAuthorized {
                    key: SecretKey::from_seed(&[99; 32]).public_key(),
                    role: Role::Officer,
                    holder: "later".into(),
                },
            )
            .unwrap();
        let second = ledger.seal_checked(&key, Some(&first)).unwrap();
        assert_eq!(second.state.checkpoint().size, 5);
        assert_eq!(second.state.checkpoints(), 3);
        // Another ledger's state is refused, never used.
        let other_key = SecretKey::from_seed(&[7; 32]);
        let mut other = crate::ledger::test_ledger("other.gov.cn/ledger", &other_key).unwrap();
        assert!(matches!(
            other.seal_checked(&other_key, Some(&second.state)),
            Err(LedgerError::SealRefused(SealRefusal::ForeignState { .. }))
        ));
    }
}
