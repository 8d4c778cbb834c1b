//! Portable proofs as an adapter serves them: produce one from a ledger's store, check one with
//! only the ledger's verifier key, and the result in the shape `liuhen check-proof --json`
//! prints (docs/FORMAT.md §19.5), which an HTTP adapter returns as is.
//!
//! The proof format and its verification are [`crate::bundle`]'s ([`PortableProof`]); this
//! module adds the request ([`ProofRequest`]) and the outcome ([`ProofCheck`]). Producing a
//! proof signs nothing: an entry after the latest stored checkpoint is refused ("seal first").

use serde_json::{json, Value};

use crate::bundle::{PortableConsistency, PortableInclusion, PortableProof, ProofError, Proven};
use crate::check::Outcome;
use crate::checkpoint::{NoteVerifier, SignedCheckpoint};
use crate::policy::{BadCosignature, PolicyCheck, WitnessPolicy};
use crate::store::StoreRead;

/// Which proof to produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProofRequest {
    /// Entry `seq` is in the ledger, as of the stored checkpoint of `size` (default: the latest).
    Inclusion {
        /// The entry.
        seq: u64,
        /// The stored checkpoint's size.
        size: Option<u64>,
    },
    /// The stored checkpoint of size `new` (default: the latest) extends the one of size `old`.
    Consistency {
        /// The older checkpoint's size.
        old: u64,
        /// The newer checkpoint's size.
        new: Option<u64>,
    },
}

/// A produced proof and one line saying what it proves.
#[derive(Clone, Debug)]
pub struct Produced {
    /// The proof.
    pub proof: PortableProof,
    /// E.g. "inclusion proof of entry 13 against the checkpoint of size 20".
    pub what: String,
}

/// Produces the proof `request` asks for from the checkpoints `store` holds.
///
/// # Errors
/// [`ProofError`]: no stored checkpoint covers the entry (seal first), no checkpoint of the
/// size asked, the store cannot be read, or the stored checkpoint does not match the tree.
pub fn produce<S: StoreRead + ?Sized>(
    store: &S,
    request: ProofRequest,
) -> Result<Produced, ProofError> {
    Ok(match request {
        ProofRequest::Inclusion { seq, size } => {
            let p = PortableInclusion::from_store(store, seq, size)?;
            Produced {
                what: format!(
                    "inclusion proof of entry {} against the checkpoint of size {}",
                    p.leaf_index, p.tree_size
                ),
                proof: PortableProof::Inclusion(p),
            }
        }
        ProofRequest::Consistency { old, new } => {
            let p = PortableConsistency::from_store(store, old, new)?;
            Produced {
                what: format!(
                    "consistency proof from the checkpoint of size {} to the checkpoint of size {}",
                    p.old_size, p.new_size
                ),
                proof: PortableProof::Consistency(p),
            }
        }
    })
}

/// The outcome of checking a proof document that could be read.
#[derive(Debug)]
pub struct ProofCheck {
    /// `"inclusion"` or `"consistency"`.
    pub kind: &'static str,
    /// The verifier key it was checked with (C2SP vkey text).
    pub vkey: String,
    /// What the proof established, or why it does not verify (altered, for another checkpoint,
    /// signed by another key).
    pub outcome: Result<Proven, ProofError>,
    /// With a witness policy, its verdict on the checkpoint the proof relies on (an inclusion
    /// proof's checkpoint, a consistency proof's newer one), once the proof verified; `None`
    /// without a policy or when the proof does not verify.
    pub witnesses: Option<Result<PolicyCheck, BadCosignature>>,
}

/// Checks a proof document with the ledger's verifier key.
///
/// # Errors
/// The document is not a proof (malformed, too large): the outcome of a proof that does not
/// verify is not an error but [`ProofCheck::outcome`].
pub fn check(document: &[u8], key: &NoteVerifier) -> Result<ProofCheck, ProofError> {
    check_with_policy(document, key, None)
}

/// [`check`], and with a witness policy, whether the checkpoint the proof relies on (an
/// inclusion proof's, a consistency proof's newer one) meets it ([`ProofCheck::witnesses`]).
///
/// # Errors
/// As [`check`].
pub fn check_with_policy(
    document: &[u8],
    key: &NoteVerifier,
    policy: Option<&WitnessPolicy>,
) -> Result<ProofCheck, ProofError> {
    let proof = PortableProof::from_json(document)?;
    let kind = match &proof {
        PortableProof::Inclusion(_) => "inclusion",
        PortableProof::Consistency(_) => "consistency",
    };
    let outcome = match proof.verify(key) {
        Err(e) if !e.is_verification_failure() => return Err(e),
        outcome => outcome,
    };
    let relied_on = match &proof {
        PortableProof::Inclusion(p) => &p.checkpoint,
        PortableProof::Consistency(p) => &p.new_checkpoint,
    };
    let witnesses = match (policy, &outcome) {
        (Some(policy), Ok(_)) => SignedCheckpoint::parse(relied_on.as_bytes())
            .ok()
            .map(|signed| policy.check(&signed)),
        _ => None,
    };
    Ok(ProofCheck {
        kind,
        vkey: key.to_string(),
        outcome,
        witnesses,
    })
}

impl ProofCheck {
    /// Whether the proof verified.
    pub fn verified(&self) -> bool {
        self.outcome.is_ok()
    }

    /// What the check means: tampered if the proof does not verify or a listed witness's
    /// cosignature is forged, unverified if its checkpoint does not meet the witness policy,
    /// verified otherwise.
    pub fn result(&self) -> Outcome {
        match (&self.outcome, &self.witnesses) {
            (Err(_), _) | (_, Some(Err(_))) => Outcome::Tampered,
            (Ok(_), Some(Ok(p))) if !p.met => Outcome::Unverified,
            _ => Outcome::Verified,
        }
    }

    /// Why the checkpoint relied on does not count as witnessed, in one sentence, if it does
    /// not.
    pub fn not_witnessed(&self) -> Option<String> {
        match &self.witnesses {
            Some(Err(e)) => Some(format!("{e}: forged or altered")),
            Some(Ok(p)) => p.why_not.clone(),
            None => None,
        }
    }

    /// The result as JSON (docs/FORMAT.md §19.5): `{verified, type, vkey, …}` with what was
    /// proven, or `error` when it does not verify.
    pub fn to_json(&self) -> Value {
        let mut v = self.proof_json();
        if let (Some(w), Value::Object(map)) = (&self.witnesses, &mut v) {
            let witnesses = match w {
                Ok(p) => serde_json::to_value(p).unwrap_or(Value::Null),
                Err(e) => json!({ "met": false, "bad_cosignature": e, "why_not": e.to_string() }),
            };
            map.insert("witnesses".into(), witnesses);
            map.insert("exit_code".into(), self.result().exit_code().into());
        }
        v
    }

    fn proof_json(&self) -> Value {
        match &self.outcome {
            Err(e) => json!({
                "verified": false,
                "type": self.kind,
                "vkey": self.vkey,
                "error": e.to_string(),
            }),
            Ok(Proven::Inclusion {
                origin,
                seq,
                tree_size,
                root,
                leaf_hash,
                entry,
            }) => json!({
                "verified": true,
                "type": "inclusion",
                "vkey": self.vkey,
                "origin": origin,
                "seq": seq,
                "tree_size": tree_size,
                "root": root.to_hex(),
                "leaf_hash": leaf_hash.to_hex(),
                "entry": entry.as_deref(),
            }),
            Ok(Proven::Consistency {
                origin,
                old_size,
                new_size,
                old_root,
                new_root,
            }) => json!({
                "verified": true,
                "type": "consistency",
                "vkey": self.vkey,
                "origin": origin,
                "old_size": old_size,
                "new_size": new_size,
                "old_root": old_root.to_hex(),
                "new_root": new_root.to_hex(),
            }),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::keys::{SecretKey, Signer};
    use crate::ledger::Ledger;
    use crate::model::{Event, Role};
    use crate::store::MemoryStore;

    fn sealed_ledger() -> (Ledger<MemoryStore>, SecretKey) {
        let key = SecretKey::from_seed(&[1; 32]);
        let mut ledger = crate::ledger::test_ledger("example.gov.cn/ledger", &key).unwrap();
        for i in 0..4u8 {
            let event = Event::KeyAuthorized {
                key: SecretKey::from_seed(&[i + 2; 32]).public_key(),
                role: Role::Officer,
                holder: format!("{i}"),
            };
            ledger.sign_and_append(&key, event).unwrap();
        }
        ledger.seal(&key).unwrap();
        (ledger, key)
    }

    #[test]
    fn a_produced_proof_checks_with_the_ledger_key_and_not_with_another() {
        let (ledger, _) = sealed_ledger();
        let vkey = ledger.verifier_key().unwrap();
        for request in [
            ProofRequest::Inclusion { seq: 3, size: None },
            ProofRequest::Consistency { old: 1, new: None },
        ] {
            let produced = produce(ledger.store(), request).unwrap();
            let document = produced.proof.to_json();
            let checked = check(document.as_bytes(), &vkey).unwrap();
            assert!(checked.verified(), "{}", produced.what);
            assert_eq!(checked.to_json()["verified"], true);

            let other = SecretKey::from_seed(&[9; 32]);
            let stranger =
                NoteVerifier::for_key("example.gov.cn/ledger", other.public_key()).unwrap();
            let refused = check(document.as_bytes(), &stranger).unwrap();
            assert!(!refused.verified());
            let json = refused.to_json();
            assert_eq!(json["verified"], false);
            assert_eq!(json["type"], refused.kind);
            assert!(json["error"].as_str().is_some_and(|e| !e.is_empty()));
        }
    }

    #[test]
    fn an_entry_after_the_latest_checkpoint_is_refused_not_signed() {
        let (mut ledger, key) = sealed_ledger();
        let event = Event::KeyRevoked {
            key: SecretKey::from_seed(&[2; 32]).public_key(),
            reason: "lost".into(),
        };
        let receipt = ledger.sign_and_append(&key, event).unwrap();
        let checkpoints = ledger.store().checkpoint_count();
        let request = ProofRequest::Inclusion {
            seq: receipt.seq,
            size: None,
        };
        assert!(produce(ledger.store(), request).is_err());
        assert_eq!(ledger.store().checkpoint_count(), checkpoints);
    }

    #[test]
    fn a_document_that_is_not_a_proof_is_an_error_not_a_failed_check() {
        let (ledger, _) = sealed_ledger();
        let vkey = ledger.verifier_key().unwrap();
        assert!(check(b"{\"format\":\"nope\"}", &vkey).is_err());
        assert!(check(b"not json", &vkey).is_err());
    }
}
