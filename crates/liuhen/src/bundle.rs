//! Evidence that travels: portable JSON proofs and case evidence bundles, both checkable
//! offline with nothing but the ledger's verifier key (Art. 19).
//!
//! * A **portable proof** ([`PortableProof`], `docs/FORMAT.md` §19) is a JSON document holding a
//!   Merkle inclusion or consistency proof *together with* the signed checkpoint(s) it is checked
//!   against, so that a court or a third party needs no access to the ledger: check the
//!   checkpoint signature with the vkey, then the RFC 9162 proof against the signed root.
//! * A **case evidence bundle** (`docs/FORMAT.md` §20) is one file holding every entry of a case,
//!   the genesis entry and every registry-changing entry, an inclusion proof of each against one
//!   signed checkpoint, the disclosed openings of the case's sealed fields and, optionally, the
//!   case's media. [`crate::disclosure::export_case`] writes one and records the disclosure
//!   ([`export_untraced`] only writes it); [`verify`] checks one and says, in its
//!   [`BundleReport`], what it proves and what a bundle cannot prove (completeness).
//!
//! Producing either never signs anything: a proof or a bundle uses checkpoints the ledger
//! already stored, and refuses entries that no stored checkpoint covers yet ("seal first").
//!
//! Which entries belong to a case is decided by [`CaseFilter`], in ledger order.

mod case;
mod container;
mod export;
mod json;
mod links;
mod proof;
pub mod render;
mod verify;

pub use case::{media_refs, CaseFilter};
pub use container::{
    BundleError, BundleManifest, BundledEntry, BundledMedia, BundledOpening, BUNDLE_MAGIC,
    BUNDLE_MAGIC_V1, MANIFEST_LABEL, MANIFEST_LABEL_V2, MAX_BUNDLE_ENTRIES, MAX_BUNDLE_MEDIA,
    MAX_BUNDLE_OPENINGS, MAX_BUNDLE_TIMESTAMPS, MAX_CASE_NO_BYTES, MAX_MANIFEST_BYTES,
    MAX_OPENING_BYTES, MAX_PATH_LEN, MAX_TIMESTAMP_TOKEN_BYTES, MAX_VKEY_BYTES,
};
pub use export::{
    export_untraced, export_untraced_stamped, tokens_for, ExportOptions, ExportSummary,
    MissingMedia,
};
pub use proof::{
    PortableConsistency, PortableInclusion, PortableProof, ProofError, Proven, MAX_PROOF_BYTES,
    PROOF_FORMAT,
};
pub use verify::{
    verify, verify_with_evidence, verify_with_policy, verify_with_progress, BundleCheck,
    BundleFinding, BundleFindingKind, BundleReport, BundledEntrySummary, BundledMediaSummary,
    BundledTimestamp, EntryRole, MediaStatus, OpenedField, LIMITATIONS,
};

use crate::checkpoint::{NoteVerifier, SignedCheckpoint, VerifiedCheckpoint};
use crate::entry::Entry;
use crate::hash::Sha256TreeHasher;
use crate::merkle;
use crate::model::Event;
use crate::store::StoreRead;

/// Told how far a long media copy or check has come (the CLI draws a progress bar with it).
///
/// `()` ignores everything.
pub trait Progress {
    /// The total number of media bytes that will be copied or checked.
    fn start(&mut self, _total_bytes: u64) {}
    /// `bytes` more were copied or checked.
    fn advance(&mut self, _bytes: u64) {}
}

impl Progress for () {}

/// The store as the Merkle module's node reader (the ledger's adapter).
pub(crate) use crate::ledger::StoreReader as StoreNodes;

/// Which stored checkpoint to use.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Pick {
    /// The most recently stored one.
    Latest,
    /// The most recently stored one of this tree size.
    Size(u64),
}

/// Why a stored checkpoint could not be used; turned into each caller's error type.
#[derive(Debug)]
pub(crate) enum PickError {
    Store(crate::store::StoreError),
    NoCheckpoint,
    NoneOfSize { size: u64, sizes: Vec<u64> },
    Genesis(String),
    Invalid { index: u64, reason: String },
    RootMismatch { index: u64, size: u64 },
}

impl std::fmt::Display for PickError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PickError::Store(e) => write!(f, "{e}"),
            PickError::NoCheckpoint => f.write_str("the ledger has no stored checkpoint"),
            PickError::NoneOfSize { size, sizes } => {
                write!(f, "no stored checkpoint has size {size} (stored sizes: ")?;
                let shown: Vec<String> = sizes.iter().take(20).map(u64::to_string).collect();
                f.write_str(&shown.join(", "))?;
                if sizes.len() > 20 {
                    write!(f, ", … {} in all", sizes.len())?;
                }
                f.write_str(")")
            }
            PickError::Genesis(reason) => write!(f, "the genesis entry cannot be read: {reason}"),
            PickError::Invalid { index, reason } => write!(
                f,
                "stored checkpoint {index} does not verify with the ledger key declared by genesis ({reason}): run `liuhen verify`"
            ),
            PickError::RootMismatch { index, size } => write!(
                f,
                "stored checkpoint {index} (size {size}) signs a root that the stored entries do not give: run `liuhen verify`"
            ),
        }
    }
}

/// The ledger's own verifier key, derived from its genesis entry.
fn genesis_vkey<S: StoreRead + ?Sized>(store: &S) -> Result<NoteVerifier, PickError> {
    let bytes = store.entry_bytes(0).map_err(PickError::Store)?;
    let entry = Entry::from_bytes(&bytes).map_err(|e| PickError::Genesis(e.to_string()))?;
    match entry.statement.statement.event {
        Event::Genesis {
            origin, ledger_key, ..
        } => NoteVerifier::for_key(&origin, ledger_key)
            .map_err(|e| PickError::Genesis(e.to_string())),
        other => Err(PickError::Genesis(format!(
            "entry 0 is a {} statement, not Genesis",
            other.name()
        ))),
    }
}

/// A stored checkpoint, authenticated with the key genesis declares and checked against the
/// stored tree, so that nothing is ever exported that would not verify. Returns it with its
/// exact stored text.
pub(crate) fn stored_checkpoint<S: StoreRead + ?Sized>(
    store: &S,
    pick: Pick,
) -> Result<(VerifiedCheckpoint, String), PickError> {
    let count = store.checkpoint_count().map_err(PickError::Store)?;
    if count == 0 {
        return Err(PickError::NoCheckpoint);
    }
    let index = match pick {
        Pick::Latest => count - 1,
        Pick::Size(size) => {
            let mut found = None;
            let mut sizes = Vec::new();
            for i in (0..count).rev() {
                let text = store.checkpoint(i).map_err(PickError::Store)?;
                let Ok(parsed) = SignedCheckpoint::parse(text.as_bytes()) else {
                    continue;
                };
                if parsed.checkpoint().size == size {
                    found = Some(i);
                    break;
                }
                sizes.push(parsed.checkpoint().size);
            }
            match found {
                Some(i) => i,
                None => {
                    sizes.sort_unstable();
                    sizes.dedup();
                    return Err(PickError::NoneOfSize { size, sizes });
                }
            }
        }
    };
    let text = store.checkpoint(index).map_err(PickError::Store)?;
    let key = genesis_vkey(store)?;
    let verified = SignedCheckpoint::parse(text.as_bytes())
        .and_then(|c| c.verify(&key))
        .map_err(|e| PickError::Invalid {
            index,
            reason: e.to_string(),
        })?;
    let size = verified.size();
    if size > store.size().map_err(PickError::Store)? {
        return Err(PickError::RootMismatch { index, size });
    }
    let root = merkle::root(&Sha256TreeHasher, &StoreNodes(store), size).map_err(|e| {
        PickError::Invalid {
            index,
            reason: e.to_string(),
        }
    })?;
    if root != *verified.root() {
        return Err(PickError::RootMismatch { index, size });
    }
    Ok((verified, text))
}
