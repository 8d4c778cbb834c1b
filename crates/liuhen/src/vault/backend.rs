//! Where the vault's records live: the [`VaultBackend`] trait.
//!
//! A backend keeps two kinds of small objects under a commitment: the *record* (the encoded
//! opening: field, salt, value — personal data) and the *tombstone* left by a lawful erasure
//! (the commitment and the `Erased` entry; no personal data). It keeps bytes only: encoding and
//! decoding, the check that a record opens the commitment it is filed under, conflicts, the
//! refusal to revive erased data, the custody judgement of an erasure (retention, preservation;
//! Art. 17, 18) and the traced access of a disclosure (Art. 21(3)) are all in
//! [`Vault`](super::Vault), above the trait, the same for every backend.
//!
//! # The contract (`docs/STORE.md`, "Media and vault backends")
//!
//! * [`VaultBackend::write_record`] is atomic and durable before `Ok`: after a crash the record
//!   is there whole or not at all. The vault calls it only for a record it does not hold.
//! * [`VaultBackend::read_record`] and [`VaultBackend::read_tombstone`] read at most `limit + 1`
//!   bytes (so that an oversized object is refused, not loaded), and tell *absent* (`Ok(None)`)
//!   from *cannot answer* ([`VaultError::Backend`], [`VaultError::Io`]) and from *something the
//!   vault did not write lies there* ([`VaultError::NotRegular`], tampering).
//! * [`VaultBackend::destroy`] takes an [`ErasurePermit`], which only the vault's erasure makes
//!   after the `Erased` statement is in the ledger: it destroys the record's bytes (overwriting
//!   them where the medium allows) and then stores the tombstone, durably before `Ok`.
//!   Destroying an absent record only stores the tombstone.
//! * Failures are [`VaultError::Backend`] (or [`VaultError::Io`] with the path, for a local file
//!   system), never an `io::Error` made up to carry a message.

use std::fmt;
use std::path::PathBuf;

use zeroize::Zeroizing;

use crate::model::Sealed;

use super::VaultError;

/// Permission to destroy the record of one commitment, made only by the vault's erasure
/// ([`Vault::erase`](super::Vault::erase), [`Vault::complete_erasures`](super::Vault::complete_erasures))
/// once the ledger records the erasure at [`ErasurePermit::seq`]. Nothing outside the core can
/// make one:
///
/// ```compile_fail
/// // An adapter cannot write itself a permit to destroy personal data unrecorded.
/// let c = liuhen::model::Sealed(liuhen::Digest::from_bytes([0; 32]));
/// let permit = liuhen::vault::ErasurePermit { commitment: c, seq: 0 };
/// ```
#[derive(Debug)]
pub struct ErasurePermit {
    commitment: Sealed,
    seq: u64,
}

impl ErasurePermit {
    /// Only the vault's erasure calls this, after the `Erased` entry was appended or found.
    pub(super) fn new(commitment: Sealed, seq: u64) -> Self {
        ErasurePermit { commitment, seq }
    }

    /// The commitment whose record may be destroyed.
    pub fn commitment(&self) -> &Sealed {
        &self.commitment
    }

    /// The ledger entry that records the erasure.
    pub fn seq(&self) -> u64 {
        self.seq
    }
}

/// A place that keeps the vault's records and tombstones. See the module documentation for the
/// contract every implementation keeps (`tests/vault_conformance.rs` checks it).
pub trait VaultBackend: Send + Sync + fmt::Debug {
    /// Where the backend keeps the vault (a directory, a URL), for messages.
    fn location(&self) -> String;

    /// Where the record of `commitment` lives, for messages and errors (a path for a
    /// directory; another backend names it in its own terms).
    fn record_location(&self, commitment: &Sealed) -> PathBuf;

    /// Where the tombstone of `commitment` lives, for messages and errors.
    fn tombstone_location(&self, commitment: &Sealed) -> PathBuf;

    /// Whether the record of `commitment` is held (without reading it).
    ///
    /// # Errors
    /// [`VaultError::NotRegular`] if something the vault did not write lies in its place, or
    /// the backend's failure.
    fn has_record(&self, commitment: &Sealed) -> Result<bool, VaultError>;

    /// The record's bytes (at most `limit + 1` read), `None` if it is not held.
    ///
    /// # Errors
    /// As [`VaultBackend::has_record`].
    fn read_record(
        &self,
        commitment: &Sealed,
        limit: usize,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError>;

    /// Stores the record of `commitment`, atomically and durably before `Ok`.
    ///
    /// # Errors
    /// The backend's failure; nothing is then stored.
    fn write_record(&self, commitment: &Sealed, bytes: &[u8]) -> Result<(), VaultError>;

    /// The tombstone's bytes (at most `limit + 1` read), `None` if there is none.
    ///
    /// # Errors
    /// As [`VaultBackend::has_record`].
    fn read_tombstone(
        &self,
        commitment: &Sealed,
        limit: usize,
    ) -> Result<Option<Vec<u8>>, VaultError>;

    /// Destroys the record the permit names (overwritten where the medium allows, then
    /// removed) and stores `tombstone` in its place, durably before `Ok`.
    ///
    /// # Errors
    /// The backend's failure; the ledger then says erased while the record may remain, and the
    /// vault's [`complete_erasures`](super::Vault::complete_erasures) finishes it.
    fn destroy(&self, permit: &ErasurePermit, tombstone: &[u8]) -> Result<(), VaultError>;
}

impl<T: VaultBackend + ?Sized> VaultBackend for std::sync::Arc<T> {
    fn location(&self) -> String {
        (**self).location()
    }
    fn record_location(&self, commitment: &Sealed) -> PathBuf {
        (**self).record_location(commitment)
    }
    fn tombstone_location(&self, commitment: &Sealed) -> PathBuf {
        (**self).tombstone_location(commitment)
    }
    fn has_record(&self, commitment: &Sealed) -> Result<bool, VaultError> {
        (**self).has_record(commitment)
    }
    fn read_record(
        &self,
        commitment: &Sealed,
        limit: usize,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError> {
        (**self).read_record(commitment, limit)
    }
    fn write_record(&self, commitment: &Sealed, bytes: &[u8]) -> Result<(), VaultError> {
        (**self).write_record(commitment, bytes)
    }
    fn read_tombstone(
        &self,
        commitment: &Sealed,
        limit: usize,
    ) -> Result<Option<Vec<u8>>, VaultError> {
        (**self).read_tombstone(commitment, limit)
    }
    fn destroy(&self, permit: &ErasurePermit, tombstone: &[u8]) -> Result<(), VaultError> {
        (**self).destroy(permit, tombstone)
    }
}
