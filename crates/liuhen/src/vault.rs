//! The vault: where the openings of sealed personal data live, beside the ledger, and where
//! they are destroyed when the law requires it (Art. 15, 20; PIPL).
//!
//! The ledger holds only commitments ([`Sealed`]); the [`Opening`] (field, salt, value) of each
//! is one record in a [`VaultBackend`]: by default the vault directory ([`FileVault`]: one file
//! per record, named by the commitment's hex and readable by the owner only, directory 0700,
//! files 0600), or [`MemoryVault`], or a deployment's own. The backend keeps bytes; everything
//! that decides — the record format, the check that a record opens its commitment, conflicts,
//! the refusal to revive erased data, the custody judgement of an erasure and the traced access
//! of a disclosure (Art. 21(3), [`crate::disclosure`]) — is in [`Vault`], above it. What erasure
//! can and cannot guarantee is in `docs/PRIVACY.md`.
//!
//! Erasure is itself evidence: [`Vault::erase`] first appends an [`Event::Erased`] statement
//! naming the commitment and the approving authority — refused while a retention period
//! (Art. 17) or a preservation order (Art. 18) covers a case the data belongs to — and only then
//! destroys the record, leaving a tombstone that holds no personal data. A crash between the two
//! leaves the record in place with the ledger saying it is erased; calling `erase` again (or
//! [`Vault::complete_erasures`]) finishes the destruction without appending twice.
//!
//! Record file format (not hashed or signed, but specified like everything else): the label
//! `liuhen/v1/vault-record\0` then postcard `(field: String, salt: [u8; 32], value: String)`;
//! the tombstone `<hex>.erased` is `liuhen/v1/vault-tombstone\0` then postcard
//! `(commitment: [u8; 32], erased_seq: u64)`.

mod backend;
mod certificate;
mod file;
mod input;
mod memory;

pub use backend::{ErasurePermit, VaultBackend};
pub use certificate::{DestructionCertificate, ErasedItem, MAX_CERTIFICATE_BYTES};
pub use file::FileVault;
pub use input::{read_value, ValueInputError};
pub use memory::MemoryVault;
/// The buffer a [`VaultBackend`] returns records in (overwritten when dropped); re-exported so
/// that a backend outside this crate names the same type.
pub use zeroize::Zeroizing;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::commitment::{check_opening, commit, CommitError, Opening, ValueError};
use crate::encoding::{decode, encode, EncodingError};
use crate::entry::Entry;
use crate::hash::Digest;
use crate::keys::{KeyError, Signer};
use crate::ledger::{Ledger, LedgerError};
use crate::media::custody::Custody;
use crate::media::PurgeBlock;
use crate::model::{Event, Sealed};
use crate::store::{Store, StoreError};

/// Label of a vault record file.
pub const RECORD_LABEL: &[u8] = b"liuhen/v1/vault-record\0";
/// Label of a tombstone file.
pub const TOMBSTONE_LABEL: &[u8] = b"liuhen/v1/vault-tombstone\0";
/// Largest record file accepted (a name, an address: far below this).
pub const MAX_RECORD_BYTES: usize = 64 * 1024;
/// Largest tombstone file accepted (label, 32 bytes, a varint).
const MAX_TOMBSTONE_BYTES: usize = 128;

/// Errors of the vault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// A vault file or directory could not be created, read, written, synced or removed.
    #[error("vault I/O error on {path}: {source}")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The vault's backend could not do what was asked (a store offline, a service refusing).
    /// Not an absence: a record a backend cannot answer for is never reported missing.
    #[error("vault backend {backend} could not {action}: {source}")]
    Backend {
        /// The backend's location ([`VaultBackend::location`]).
        backend: String,
        /// What was asked, e.g. "read a record".
        action: String,
        /// What the backend said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The vault directory can be read by group or others.
    #[error("vault directory {path} has mode {mode:o}; it must be 0700 (owner only)")]
    Insecure {
        /// The directory.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A record file does not decode, or does not open the commitment it is named after.
    #[error("vault record {path} is corrupt: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The vault holds no opening for this commitment.
    #[error("the vault holds no opening for commitment {commitment}")]
    NotFound {
        /// The commitment.
        commitment: Digest,
    },
    /// The opening was erased; the ledger records the erasure at `seq`.
    #[error("the opening of commitment {commitment} was erased (ledger entry {seq})")]
    Erased {
        /// The commitment.
        commitment: Digest,
        /// The `Erased` entry.
        seq: u64,
    },
    /// A different opening is already stored for this commitment (a salt reused, or an attempt
    /// to replace a record).
    #[error("the vault already holds a different opening for commitment {commitment}")]
    Conflict {
        /// The commitment.
        commitment: Digest,
    },
    /// The ledger forbids erasing this data now.
    #[error("erasure of commitment {commitment} refused: {block}")]
    ErasureRefused {
        /// The commitment.
        commitment: Digest,
        /// Why.
        block: PurgeBlock,
    },
    /// A record would be larger than [`MAX_RECORD_BYTES`] (a name or an address never is).
    #[error("a vault record of {len} bytes is larger than the limit of {max}")]
    TooLarge {
        /// The record's size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The ledger never mentions this commitment, so there is nothing lawful to erase.
    #[error("commitment {commitment} appears in no ledger entry")]
    UnknownCommitment {
        /// The commitment.
        commitment: Digest,
    },
    /// Reading the ledger failed; nothing is decided on a partial view.
    #[error("cannot read ledger entry {seq}: {reason}")]
    Ledger {
        /// The entry.
        seq: u64,
        /// Why.
        reason: String,
    },
    /// Appending the `Erased` statement failed; nothing was destroyed.
    #[error("appending the erasure of {commitment} failed; nothing was destroyed: {source}")]
    Append {
        /// The commitment.
        commitment: Digest,
        /// What the ledger said.
        #[source]
        source: LedgerError,
    },
    /// A destruction certificate is malformed, does not verify, or disagrees with the ledger.
    #[error("destruction certificate: {reason}")]
    Certificate {
        /// What is wrong.
        reason: String,
    },
    /// A file in the vault is not a regular file the vault wrote (a symbolic link, a hard link
    /// to a file elsewhere, a directory, a FIFO, a device), or the vault directory itself is a
    /// symbolic link. The vault never follows or writes through such a file: nothing was read,
    /// changed or destroyed through it. The vault is owner-only, so this is tampering.
    #[error("vault file {path} is {what}, not a record the vault wrote: the vault was tampered with; nothing was read, changed or destroyed through it")]
    NotRegular {
        /// The file.
        path: PathBuf,
        /// What it is instead (e.g. "a symbolic link").
        what: String,
    },
    /// The random source failed while committing.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A field name or personal value outside the rules ([`crate::commitment::check_value`]);
    /// nothing was stored.
    #[error(transparent)]
    Value(#[from] ValueError),
    /// A record could not be encoded.
    #[error(transparent)]
    Encoding(#[from] EncodingError),
}

#[derive(Serialize)]
struct RecordOut<'a> {
    field: &'a str,
    salt: &'a [u8; 32],
    value: &'a str,
}

#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
struct RecordIn {
    field: String,
    salt: [u8; 32],
    value: String,
}

#[derive(Serialize, Deserialize)]
struct Tombstone {
    commitment: [u8; 32],
    erased_seq: u64,
}

/// What the vault holds for one case (see [`Vault::case_openings_untraced`]).
#[derive(Debug, Default)]
pub struct CaseOpenings {
    /// Openings of the case's commitments that the vault holds.
    pub openings: Vec<Opening>,
    /// Commitments whose openings were lawfully erased, with the `Erased` entry.
    pub erased: Vec<(Sealed, u64)>,
    /// Commitments of the case the vault holds nothing for (never deposited, or lost).
    pub missing: Vec<Sealed>,
}

/// What the vault holds for one commitment ([`Vault::state`]); never the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordState {
    /// The record is present.
    Held,
    /// The record was destroyed; the ledger records the erasure at `seq`.
    Erased {
        /// The `Erased` entry.
        seq: u64,
    },
    /// The vault holds nothing for it.
    Missing,
}

/// The vault: openings of sealed values in a [`VaultBackend`] (by default the vault directory,
/// [`FileVault`]), with the rules that keep them lawful above it.
#[derive(Clone, Debug)]
pub struct Vault<B: ?Sized = FileVault> {
    backend: B,
}

impl Vault {
    /// Opens the existing vault directory `dir` ([`FileVault::open`]). Never creates it: a
    /// reader given a mistyped path is told so; the writer uses [`Vault::create`].
    ///
    /// # Errors
    /// [`VaultError::Insecure`] if group or others may access the directory;
    /// [`VaultError::Io`] if it does not exist or is not a directory.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, VaultError> {
        Ok(Vault {
            backend: FileVault::open(dir)?,
        })
    }

    /// Opens the vault directory `dir`, creating it (mode 0700) if it does not exist
    /// ([`FileVault::create`]).
    ///
    /// # Errors
    /// As [`Vault::open`], or [`VaultError::Io`] if it cannot be created.
    pub fn create(dir: impl AsRef<Path>) -> Result<Self, VaultError> {
        Ok(Vault {
            backend: FileVault::create(dir)?,
        })
    }

    /// The vault directory.
    pub fn root(&self) -> &Path {
        self.backend.root()
    }
}

impl<B: VaultBackend> Vault<B> {
    /// The vault over `backend`.
    pub fn with_backend(backend: B) -> Self {
        Vault { backend }
    }
}

impl<B: VaultBackend + ?Sized> Vault<B> {
    /// The backend that keeps the records.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// Whether the record of `commitment` is in the vault.
    ///
    /// # Errors
    /// [`VaultError::NotRegular`] if something else lies in its place, or the backend's failure.
    fn record_present(&self, commitment: &Sealed) -> Result<bool, VaultError> {
        self.backend.has_record(commitment)
    }

    /// Commits to `value` of kind `field` with a fresh random salt ([`commit`]), stores the
    /// opening and returns the commitment to put in a statement.
    ///
    /// # Errors
    /// [`VaultError::Value`] for a field or value outside the rules
    /// ([`crate::commitment::check_value`]; nothing is stored), [`VaultError::Key`] if the
    /// random source fails, or an error of [`Vault::put`].
    pub fn commit(&self, field: &str, value: &str) -> Result<Sealed, VaultError> {
        let (sealed, opening) = commit(field, value).map_err(|e| match e {
            CommitError::Value(v) => VaultError::Value(v),
            CommitError::Key(k) => VaultError::Key(k),
        })?;
        self.put(&opening)?;
        Ok(sealed)
    }

    /// Stores `opening` durably ([`VaultBackend::write_record`]; for the directory: written to
    /// a temporary file, synced, renamed, directory synced) and returns its commitment. Storing the same opening twice is harmless.
    ///
    /// # Errors
    /// [`VaultError::Value`] if its field or value is outside the rules
    /// ([`crate::commitment::check_opening`]), checked before anything is written;
    /// [`VaultError::Conflict`] if a different opening is stored under the same commitment,
    /// [`VaultError::Erased`] if it was erased (erased data is never revived), or I/O errors.
    pub fn put(&self, opening: &Opening) -> Result<Sealed, VaultError> {
        check_opening(opening)?;
        let commitment = opening.commitment();
        if let Some(seq) = self.erased_seq(&commitment)? {
            return Err(VaultError::Erased {
                commitment: commitment.0,
                seq,
            });
        }
        match self.get_untraced(&commitment) {
            Ok(existing) if existing == *opening => return Ok(commitment),
            Ok(_) => {
                return Err(VaultError::Conflict {
                    commitment: commitment.0,
                })
            }
            Err(VaultError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
        let bytes = Zeroizing::new(encode(
            RECORD_LABEL,
            &RecordOut {
                field: &opening.field,
                salt: &opening.salt,
                value: &opening.value,
            },
        )?);
        if bytes.len() > MAX_RECORD_BYTES {
            return Err(VaultError::TooLarge {
                len: bytes.len(),
                max: MAX_RECORD_BYTES,
            });
        }
        self.backend.write_record(&commitment, &bytes)?;
        Ok(commitment)
    }

    /// What the vault holds for `commitment`, without reading (or revealing) the value: the
    /// record is present, was erased at a ledger entry, or is missing.
    ///
    /// # Errors
    /// [`VaultError::NotRegular`] if something other than the vault's own file lies in place of
    /// the record or its tombstone, [`VaultError::Corrupt`] for an unreadable tombstone, or I/O
    /// errors.
    pub fn state(&self, commitment: &Sealed) -> Result<RecordState, VaultError> {
        if self.record_present(commitment)? {
            return Ok(RecordState::Held);
        }
        Ok(match self.erased_seq(commitment)? {
            Some(seq) => RecordState::Erased { seq },
            None => RecordState::Missing,
        })
    }

    /// The opening of `commitment`, checked to open it.
    ///
    /// **Untraced**: this reveals personal data and appends nothing. Showing a value to a person
    /// is a disclosure Art. 21(3) requires to be traced: use [`crate::disclosure::view_case`].
    /// This is for the core's own traced paths and for tests.
    ///
    /// # Errors
    /// [`VaultError::NotFound`], [`VaultError::Erased`], [`VaultError::Corrupt`] or I/O errors.
    pub fn get_untraced(&self, commitment: &Sealed) -> Result<Opening, VaultError> {
        let path = self.backend.record_location(commitment);
        let bytes = match self.backend.read_record(commitment, MAX_RECORD_BYTES)? {
            Some(b) => b,
            None => {
                return Err(match self.erased_seq(commitment)? {
                    Some(seq) => VaultError::Erased {
                        commitment: commitment.0,
                        seq,
                    },
                    None => VaultError::NotFound {
                        commitment: commitment.0,
                    },
                });
            }
        };
        let record: RecordIn =
            decode(RECORD_LABEL, &bytes, MAX_RECORD_BYTES).map_err(|e| VaultError::Corrupt {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        let opening = Opening {
            field: record.field.clone(),
            salt: record.salt,
            value: record.value.clone(),
        };
        if !opening.opens(commitment) {
            return Err(VaultError::Corrupt {
                path,
                reason: "the opening it holds does not open the commitment it is named after"
                    .into(),
            });
        }
        Ok(opening)
    }

    /// The ledger entry of the erasure of `commitment`, if its tombstone is present.
    ///
    /// # Errors
    /// [`VaultError::Corrupt`] for an unreadable tombstone, or I/O errors.
    pub fn erased_seq(&self, commitment: &Sealed) -> Result<Option<u64>, VaultError> {
        let path = self.backend.tombstone_location(commitment);
        // A tombstone is a few dozen bytes; whatever else lies there is read only far enough to
        // be refused.
        let Some(bytes) = self
            .backend
            .read_tombstone(commitment, MAX_TOMBSTONE_BYTES)?
        else {
            return Ok(None);
        };
        let t: Tombstone = decode(TOMBSTONE_LABEL, &bytes, MAX_TOMBSTONE_BYTES).map_err(|e| {
            VaultError::Corrupt {
                path: path.clone(),
                reason: e.to_string(),
            }
        })?;
        if t.commitment != *commitment.0.as_bytes() {
            return Err(VaultError::Corrupt {
                path,
                reason: "tombstone names another commitment".into(),
            });
        }
        Ok(Some(t.erased_seq))
    }

    /// The openings the vault holds for the sealed fields of case `case_no` (what a disclosure
    /// of that case reveals, Art. 19), read from the ledger in `store`.
    ///
    /// **Untraced**: this reveals personal data and appends nothing. Reading a case's openings
    /// for a person is a disclosure that Art. 21(3) requires to be traced: use
    /// [`crate::disclosure::view_case`] (appends `RecordViewed` first) or
    /// [`crate::disclosure::export_case`] (appends `RecordDisclosed`). This is for the core's own
    /// traced paths, verification tools and tests.
    ///
    /// # Errors
    /// [`VaultError::Ledger`] if an entry cannot be read, or vault errors other than
    /// not-found / erased (those are sorted into the result).
    pub fn case_openings_untraced<S: Store + ?Sized>(
        &self,
        store: &S,
        case_no: &str,
    ) -> Result<CaseOpenings, VaultError> {
        let index = CommitmentIndex::build(store)?;
        let mut out = CaseOpenings::default();
        for commitment in index.of_case(case_no) {
            // The ledger's word first: an erasure it records is an erasure, even in a vault
            // that never held the record (a restored or different vault).
            if let Some(seq) = index.erased.get(&commitment) {
                if !self.record_present(&commitment)? {
                    out.erased.push((commitment, *seq));
                    continue;
                }
            }
            match self.get_untraced(&commitment) {
                Ok(o) => out.openings.push(o),
                Err(VaultError::Erased { seq, .. }) => out.erased.push((commitment, seq)),
                Err(VaultError::NotFound { .. }) => out.missing.push(commitment),
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Lawfully erases the opening of `commitment`: refuses while a retention period or a
    /// preservation order covers a case it belongs to, otherwise appends
    /// `Erased { commitment, authority }` signed by `signer`, then destroys the record
    /// (overwrite, sync, unlink, directory sync) and leaves a tombstone. Returns the sequence
    /// number of the `Erased` entry.
    ///
    /// Idempotent: if the ledger already records the erasure, nothing is appended and only the
    /// destruction is (re)done.
    ///
    /// # Errors
    /// [`VaultError::UnknownCommitment`], [`VaultError::ErasureRefused`],
    /// [`VaultError::Append`] (nothing destroyed), or I/O errors during destruction (the ledger
    /// then says erased while the record remains: call again).
    pub fn erase<S: Store>(
        &self,
        ledger: &mut Ledger<S>,
        commitment: &Sealed,
        authority: &str,
        signer: &dyn Signer,
    ) -> Result<u64, VaultError> {
        // A planted link, FIFO or directory in place of the record or its tombstone is refused
        // before anything is appended or destroyed.
        self.record_present(commitment)?;
        self.erased_seq(commitment)?;
        let index = CommitmentIndex::build(ledger.store())?;
        if let Some(seq) = index.erased.get(commitment) {
            self.destroy(commitment, *seq)?;
            return Ok(*seq);
        }
        let Some(cases) = index.cases.get(commitment) else {
            return Err(VaultError::UnknownCommitment {
                commitment: commitment.0,
            });
        };
        let now = ledger.now();
        // Sorted, so that the block reported does not depend on hash order.
        let mut cases: Vec<&String> = cases.iter().collect();
        cases.sort();
        for case_no in cases {
            if !index.custody.has_retention(case_no) {
                return Err(VaultError::ErasureRefused {
                    commitment: commitment.0,
                    block: PurgeBlock::NoRetention {
                        case_no: case_no.clone(),
                    },
                });
            }
            if let Some(block) = index.custody.case_blocks(case_no, now).into_iter().next() {
                return Err(VaultError::ErasureRefused {
                    commitment: commitment.0,
                    block,
                });
            }
        }
        let receipt = ledger
            .sign_and_append(
                signer,
                Event::Erased {
                    commitment: *commitment,
                    authority: authority.to_owned(),
                },
            )
            .map_err(|source| VaultError::Append {
                commitment: commitment.0,
                source,
            })?;
        self.destroy(commitment, receipt.seq)?;
        Ok(receipt.seq)
    }

    /// Finishes every erasure the ledger records whose record is still in the vault (after a
    /// crash between the `Erased` entry and the destruction). Returns how many were finished.
    ///
    /// # Errors
    /// As [`Vault::erase`]'s destruction, or [`VaultError::Ledger`].
    pub fn complete_erasures<S: Store + ?Sized>(&self, store: &S) -> Result<usize, VaultError> {
        let index = CommitmentIndex::build(store)?;
        let mut done = 0;
        for (commitment, seq) in &index.erased {
            if self.record_present(commitment)? || self.erased_seq(commitment)?.is_none() {
                self.destroy(commitment, *seq)?;
                done += 1;
            }
        }
        Ok(done)
    }

    /// Destroys the record through the backend ([`VaultBackend::destroy`]; for the directory:
    /// overwrite with zeros, sync, unlink, tombstone, directory sync) once the ledger records
    /// its erasure at `seq`. Copies outside the backend (backups, the file system's journal,
    /// flash remapping) are beyond it: see docs/PRIVACY.md.
    fn destroy(&self, commitment: &Sealed, seq: u64) -> Result<(), VaultError> {
        let tomb = encode(
            TOMBSTONE_LABEL,
            &Tombstone {
                commitment: *commitment.0.as_bytes(),
                erased_seq: seq,
            },
        )?;
        self.backend
            .destroy(&ErasurePermit::new(*commitment, seq), &tomb)
    }
}

/// Which cases each commitment belongs to, which were erased, and the custody state (retention,
/// preservation) — rebuilt from the ledger in one pass.
struct CommitmentIndex {
    cases: HashMap<Sealed, HashSet<String>>,
    /// Commitments in ledger order of first appearance, per case.
    by_case: HashMap<String, Vec<Sealed>>,
    erased: HashMap<Sealed, u64>,
    custody: Custody,
}

impl CommitmentIndex {
    fn build<S: Store + ?Sized>(store: &S) -> Result<Self, VaultError> {
        let mut index = CommitmentIndex {
            cases: HashMap::new(),
            by_case: HashMap::new(),
            erased: HashMap::new(),
            custody: Custody::default(),
        };
        let size = store.size().map_err(|e| VaultError::Ledger {
            seq: 0,
            reason: e.to_string(),
        })?;
        for (seq, bytes) in crate::store::read_entries(store, 0..size) {
            let bytes = bytes.map_err(|e: StoreError| VaultError::Ledger {
                seq,
                reason: e.to_string(),
            })?;
            let entry = Entry::from_bytes(&bytes).map_err(|e| VaultError::Ledger {
                seq,
                reason: e.to_string(),
            })?;
            let event = &entry.statement.statement.event;
            index.custody.observe(seq, event);
            match event {
                Event::CaseOpened {
                    case_no, subject, ..
                } => index.link(*subject, case_no),
                Event::RecordingStarted {
                    case_no,
                    party: Some(p),
                    ..
                } => index.link(*p, case_no),
                Event::AccessRequested {
                    case_no, requester, ..
                } => index.link(*requester, case_no),
                Event::RecordDisclosed { case_no, to, .. } => index.link(*to, case_no),
                Event::Erased { commitment, .. } => {
                    index.erased.entry(*commitment).or_insert(seq);
                }
                _ => {}
            }
        }
        Ok(index)
    }

    fn link(&mut self, commitment: Sealed, case_no: &str) {
        if self
            .cases
            .entry(commitment)
            .or_default()
            .insert(case_no.to_owned())
        {
            self.by_case
                .entry(case_no.to_owned())
                .or_default()
                .push(commitment);
        }
    }

    fn of_case(&self, case_no: &str) -> Vec<Sealed> {
        self.by_case.get(case_no).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
// The tests look into the vault directory (the file backend) themselves.
#[allow(clippy::unwrap_used, clippy::disallowed_methods)]
mod tests {
    use super::*;
    use std::fs;

    fn tempdir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("liuhen-vault-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn put_get_conflict_and_modes() {
        let dir = tempdir("put");
        let vault = Vault::create(&dir).unwrap();
        let sealed = vault.commit("party.name", "大连某某社会组织").unwrap();
        let opening = vault.get_untraced(&sealed).unwrap();
        assert_eq!(opening.value, "大连某某社会组织");
        assert!(opening.opens(&sealed));
        // Same opening again: fine. Another opening under the same name: refused.
        vault.put(&opening).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir), 0o700);
            assert_eq!(mode(&vault.backend().record_location(&sealed)), 0o600);
        }
        let forged = RecordOut {
            field: "party.name",
            salt: &[9; 32],
            value: "someone else",
        };
        fs::write(
            vault.backend().record_location(&sealed),
            encode(RECORD_LABEL, &forged).unwrap(),
        )
        .unwrap();
        assert!(matches!(
            vault.get_untraced(&sealed),
            Err(VaultError::Corrupt { .. })
        ));
        let other = Sealed(Digest::from_bytes([1; 32]));
        assert!(matches!(
            vault.get_untraced(&other),
            Err(VaultError::NotFound { .. })
        ));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn insecure_directory_is_refused() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let dir = tempdir("insecure");
            fs::create_dir_all(&dir).unwrap();
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
            assert!(matches!(
                Vault::open(&dir),
                Err(VaultError::Insecure { mode: 0o755, .. })
            ));
            fs::remove_dir_all(&dir).unwrap();
        }
    }
}
