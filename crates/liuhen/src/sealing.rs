//! Sealing with a ledger key file: the composition every adapter needs (`liuhen seal`, the HTTP
//! service's `POST /v1/seal`).
//!
//! [`SealKey::read`] reads the key file once; [`seal`] reads the seal state kept beside it
//! (`<key file>.seal-state`, docs/STORE.md "Seal state"), signs a checkpoint only after
//! [`Ledger::seal_checked`] has checked the entries since that state, writes the new state, and
//! returns the checkpoint with what the caller should tell a person ([`SealWarning`]). A refusal
//! is tampering ([`SealError::is_tampering`]): nothing is signed then.
use std::fmt;
use std::path::{Path, PathBuf};

use crate::checkpoint::{verify_cosignature, NoteVerifier, SignedCheckpoint};
use crate::keyfile::{self, KeyFileError};
use crate::keys::{PublicKey, SecretKey, Signer as _};
use crate::ledger::{Ledger, LedgerError, Sealed};
use crate::store::Store;
use crate::witness::{
    request_cosignature, CosignError, WitnessCosignature, WitnessEndpoint, WitnessTransport,
};

/// A ledger key read from its key file, with the path of its seal state.
pub struct SealKey {
    key_file: PathBuf,
    state_path: PathBuf,
    key: SecretKey,
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealKey")
            .field("key_file", &self.key_file)
            .field("public_key", &self.key.public_key())
            .finish_non_exhaustive()
    }
}

impl SealKey {
    /// Reads the key file (mode 0600 required, as [`keyfile::read_secret_key`]).
    ///
    /// # Errors
    /// [`SealError::KeyFile`].
    pub fn read(key_file: &Path) -> Result<SealKey, SealError> {
        let (_, key) = keyfile::read_secret_key(key_file)?;
        Ok(SealKey {
            key_file: key_file.to_path_buf(),
            state_path: keyfile::seal_state_path(key_file),
            key,
        })
    }

    /// The key file.
    pub fn key_file(&self) -> &Path {
        &self.key_file
    }

    /// Where the seal state is kept (`<key file>.seal-state`).
    pub fn state_path(&self) -> &Path {
        &self.state_path
    }

    /// The key's public half.
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    /// Checks that this is `ledger`'s key (for a service that reads it once at start and
    /// should refuse to start with the wrong one rather than fail every seal).
    ///
    /// # Errors
    /// [`SealError::Ledger`] with [`LedgerError::NotLedgerKey`].
    pub fn check_is_key_of<S: Store>(&self, ledger: &Ledger<S>) -> Result<(), SealError> {
        let expected = ledger.genesis().ledger_key;
        let got = self.public_key();
        if got == expected {
            Ok(())
        } else {
            Err(self.ledger_error(LedgerError::NotLedgerKey { expected, got }))
        }
    }

    fn ledger_error(&self, source: LedgerError) -> SealError {
        SealError::Ledger {
            key_file: self.key_file.clone(),
            key: self.public_key(),
            source: Box::new(source),
        }
    }
}

/// Something the caller should tell a person after a seal that succeeded.
#[derive(Debug)]
#[non_exhaustive]
pub enum SealWarning {
    /// There was no seal state beside the key: the whole ledger was checked, which cannot see
    /// checkpoints deleted earlier down to a consistent prefix.
    NoState {
        /// The state file that was missing (it is written now).
        state_path: PathBuf,
        /// Entries checked.
        size: u64,
    },
    /// The checkpoint is stored but the new seal state could not be written; the next seal
    /// checks the checkpoints stored since the previous state.
    StateNotWritten {
        /// The checkpoint's size.
        size: u64,
        /// Why the state was not written.
        source: KeyFileError,
    },
    /// Witnesses cosigned, but the cosigned checkpoint could not be stored; the checkpoint
    /// (without the cosignatures) is.
    CosignaturesNotStored {
        /// The checkpoint's size.
        size: u64,
        /// Why.
        source: Box<LedgerError>,
    },
}

impl fmt::Display for SealWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealWarning::NoState { state_path, size } => write!(
                f,
                "no seal state beside the key ({}): checked all {size} entries and every stored checkpoint the key signed; checkpoints deleted earlier down to a consistent prefix cannot be seen this way (compare with a checkpoint saved elsewhere); the state is kept from now on",
                state_path.display()
            ),
            SealWarning::StateNotWritten { size, source } => write!(
                f,
                "warning: the checkpoint at size {size} was stored, but the seal state could not be written ({source}); the next seal checks the checkpoints stored since the previous state"
            ),
            SealWarning::CosignaturesNotStored { size, source } => write!(
                f,
                "warning: the checkpoint at size {size} was stored, but its witness cosignatures could not be stored with it ({source})"
            ),
        }
    }
}

/// A seal that succeeded: the checkpoint (durable in the store) and the warnings.
#[derive(Debug)]
pub struct SealOutcome {
    /// The checkpoint and the state kept beside the key.
    pub sealed: Sealed,
    /// What to tell a person (said even by a quiet caller).
    pub warnings: Vec<SealWarning>,
}

/// Why nothing was sealed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The key file or the seal state beside it could not be read.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// The ledger refused to sign: the store does not hold the history the state vouches for
    /// (tampering, [`LedgerError::SealRefused`]), or the key is not the ledger's.
    #[error("{}", refusal_text(.state_path.as_deref(), .source))]
    Refused {
        /// The key file.
        key_file: PathBuf,
        /// The state checked against, if there was one.
        state_path: Option<PathBuf>,
        /// The ledger's refusal.
        #[source]
        source: Box<LedgerError>,
    },
    /// Another ledger error (the key is not the ledger key, a store or signer failure): no
    /// checkpoint was made.
    #[error("{} (key {key}): {source}; no checkpoint was made", key_file.display())]
    Ledger {
        /// The key file.
        key_file: PathBuf,
        /// Its public key.
        key: PublicKey,
        /// What failed.
        #[source]
        source: Box<LedgerError>,
    },
}

fn refusal_text(state_path: Option<&Path>, source: &LedgerError) -> String {
    let refusal = match source {
        LedgerError::SealRefused(refusal) => refusal.to_string(),
        other => other.to_string(),
    };
    match state_path {
        Some(path) => format!("{refusal} (checked against {})", path.display()),
        None => refusal,
    }
}

impl SealError {
    /// Whether the refusal means damaged records (tampering: CLI exit 1, HTTP 409).
    pub fn is_tampering(&self) -> bool {
        match self {
            SealError::Refused { .. } => true,
            SealError::Ledger { source, .. } => crate::error::ledger_is_tampering(source),
            SealError::KeyFile(_) => false,
        }
    }
}

/// Seals `ledger` with `key` after checking it ([`Ledger::seal_checked`] from the seal state
/// beside the key), then writes the new state. A state that cannot be written after the
/// checkpoint is stored is a warning, not an error: the checkpoint is durable.
///
/// # Errors
/// [`SealError`]; a tampering one ([`SealError::is_tampering`]) signed nothing.
pub fn seal<S: Store>(ledger: &mut Ledger<S>, key: &SealKey) -> Result<SealOutcome, SealError> {
    let state = keyfile::read_seal_state(&key.state_path)?;
    let sealed = match ledger.seal_checked(&key.key, state.as_ref()) {
        Ok(sealed) => sealed,
        Err(source @ LedgerError::SealRefused(_)) => {
            return Err(SealError::Refused {
                key_file: key.key_file.clone(),
                state_path: state.is_some().then(|| key.state_path.clone()),
                source: Box::new(source),
            })
        }
        Err(source) => return Err(key.ledger_error(source)),
    };
    let size = sealed.checkpoint.checkpoint().size;
    let mut warnings = Vec::new();
    if state.is_none() {
        warnings.push(SealWarning::NoState {
            state_path: key.state_path.clone(),
            size,
        });
    }
    if let Err(source) = keyfile::write_seal_state(&key.state_path, &sealed.state) {
        warnings.push(SealWarning::StateNotWritten { size, source });
    }
    Ok(SealOutcome { sealed, warnings })
}

/// A seal with witnesses ([`seal_witnessed`]).
#[derive(Debug)]
pub struct WitnessedSeal {
    /// The seal itself (the checkpoint as the ledger key signed it, and the warnings).
    pub outcome: SealOutcome,
    /// The checkpoint with the verified cosignatures added (stored in the ledger when there is
    /// at least one); equal to the sealed one when no witness cosigned.
    pub cosigned: SignedCheckpoint,
    /// The witnesses that cosigned, with their verified cosignature.
    pub witnessed: Vec<(WitnessEndpoint, WitnessCosignature)>,
    /// The witnesses that did not, and why (warnings: the checkpoint is stored regardless).
    pub failed: Vec<(WitnessEndpoint, CosignError)>,
}

/// The size of the latest stored checkpoint that the ledger key signed and `witness` cosigned
/// (validly), or 0: where to start asking that witness.
pub fn witness_old_size<S: Store>(ledger: &Ledger<S>, witness: &NoteVerifier) -> u64 {
    let Ok(log_key) = ledger.verifier_key() else {
        return 0;
    };
    let store = ledger.store();
    (0..store.checkpoint_count().unwrap_or(0))
        .rev()
        .filter_map(|i| store.checkpoint(i).ok())
        .filter_map(|note| SignedCheckpoint::parse(note.as_bytes()).ok())
        .find(|s| s.verify(&log_key).is_ok() && verify_cosignature(s, witness).is_ok())
        .map_or(0, |s| s.checkpoint().size)
}

/// Seals as [`seal`] does (checked), then asks each witness for a cosignature over the new
/// checkpoint (from the size it last cosigned, [`witness_old_size`]), verifies each answer with
/// the witness's key, and stores the checkpoint again carrying the cosignatures. A witness that
/// fails is reported in [`WitnessedSeal::failed`]; the checkpoint is stored whatever the
/// witnesses say.
///
/// # Errors
/// As [`seal`]; witnesses never make it fail.
pub fn seal_witnessed<S: Store>(
    ledger: &mut Ledger<S>,
    key: &SealKey,
    witnesses: &[WitnessEndpoint],
    transport: &dyn WitnessTransport,
) -> Result<WitnessedSeal, SealError> {
    let mut outcome = seal(ledger, key)?;
    let mut cosigned = outcome.sealed.checkpoint.clone();
    let mut witnessed = Vec::new();
    let mut failed = Vec::new();
    for w in witnesses {
        let hint = witness_old_size(ledger, &w.vkey);
        let asked = request_cosignature(
            transport,
            &w.url,
            &w.vkey,
            &*ledger,
            &outcome.sealed.checkpoint,
            hint,
        )
        .and_then(|c| {
            cosigned.add_signature(c.line.clone())?;
            Ok(c)
        });
        match asked {
            Ok(c) => witnessed.push((w.clone(), c)),
            Err(e) => failed.push((w.clone(), e)),
        }
    }
    if !witnessed.is_empty() {
        if let Err(source) = ledger.store_cosigned(&cosigned) {
            outcome.warnings.push(SealWarning::CosignaturesNotStored {
                size: cosigned.checkpoint().size,
                source: Box::new(source),
            });
        }
    }
    Ok(WitnessedSeal {
        outcome,
        cosigned,
        witnessed,
        failed,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn warnings_read_as_the_cli_said_them() {
        let w = SealWarning::NoState {
            state_path: PathBuf::from("/k/ledger.key.seal-state"),
            size: 7,
        };
        let text = w.to_string();
        assert!(text.starts_with("no seal state beside the key (/k/ledger.key.seal-state)"));
        assert!(text.contains("checked all 7 entries"));
    }

    #[test]
    fn only_refusals_and_damage_are_tampering() {
        let e = SealError::KeyFile(KeyFileError::TooLarge {
            path: PathBuf::from("k"),
        });
        assert!(!e.is_tampering());
    }
}
