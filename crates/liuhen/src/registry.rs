//! The key registry, rebuilt from the ledger's own entries (Art. 4).
//!
//! Which keys may author statements is itself recorded in the ledger: the genesis entry makes the
//! ledger key a `System` key; `KeyAuthorized` and `KeyRevoked` statements, which only a `System`
//! key may author, add and retire keys. Validity is judged by **position**: a statement is
//! admitted at sequence number `seq` only if its author is authorized and not revoked by the
//! entries before `seq`. A device that signed offline before its key was revoked, but uploads
//! after, is refused — a revocation must not be outrun.
//!
//! The ledger (on the way in) and the verifier (afterwards) use this one implementation, so they
//! cannot disagree about what is admissible.
//!
//! Memory grows with the number of keys, never with the length of the ledger.

use std::collections::BTreeMap;

use crate::entry::Statement;
use crate::keys::PublicKey;
use crate::model::{Event, Role, Suite};

/// What the registry knows of one key.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyRecord {
    /// What the key is for.
    pub role: Role,
    /// Who holds it.
    pub holder: String,
    /// Sequence number of the entry that authorized it.
    pub authorized_at: u64,
    /// Sequence number of the entry that revoked it, if any.
    pub revoked_at: Option<u64>,
}

/// Why a statement is not admissible at a position.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum RegistryError {
    /// Entry 0 must be a genesis statement signed by the ledger key it declares, with an origin
    /// that is a valid C2SP note key name.
    #[error(
        "entry 0 must be a Genesis statement signed by its own ledger key, with a valid origin"
    )]
    BadGenesis,
    /// A genesis statement appears after entry 0.
    #[error("entry {seq}: a Genesis statement may only be entry 0")]
    GenesisMisplaced {
        /// Where it appeared.
        seq: u64,
    },
    /// Entry 0 was not a valid genesis, so no key is authorized for any later entry.
    #[error("entry {seq}: the ledger has no valid genesis entry, so no key is authorized")]
    NoGenesis {
        /// Position of the statement.
        seq: u64,
    },
    /// The author's key was never authorized.
    #[error("entry {seq}: author {key} is not an authorized key")]
    UnknownKey {
        /// Position of the statement.
        seq: u64,
        /// The author.
        key: PublicKey,
    },
    /// The author's key was revoked before this position.
    #[error("entry {seq}: author {key} was revoked at entry {revoked_at}")]
    RevokedKey {
        /// Position of the statement.
        seq: u64,
        /// The author.
        key: PublicKey,
        /// Where it was revoked.
        revoked_at: u64,
    },
    /// The author's role may not make this statement.
    #[error("entry {seq}: a key with role {role:?} may not author {event}")]
    NotPermitted {
        /// Position of the statement.
        seq: u64,
        /// The author's role.
        role: Role,
        /// Name of the event.
        event: &'static str,
    },
    /// A record is marked as a state secret: such material belongs in a classified system and
    /// is never admitted (Art. 15, 20).
    #[error("entry {seq}: material classified as a state secret (国家秘密) may not be recorded in this ledger; it belongs in a classified system (Art. 15, 20)")]
    StateSecret {
        /// Position of the statement.
        seq: u64,
    },
    /// A key is authorized a second time (keys are never re-authorized; issue a new one).
    #[error("entry {seq}: key {key} is already registered (since entry {since})")]
    AlreadyRegistered {
        /// Position of the statement.
        seq: u64,
        /// The key.
        key: PublicKey,
        /// Where it was first authorized.
        since: u64,
    },
    /// A revocation names a key that is not currently authorized.
    #[error("entry {seq}: cannot revoke {key}: it is not an active key")]
    NotActive {
        /// Position of the statement.
        seq: u64,
        /// The key.
        key: PublicKey,
    },
    /// The ledger key signs checkpoints and cannot be revoked within its own ledger.
    #[error("entry {seq}: the ledger key cannot be revoked")]
    LedgerKeyRevoked {
        /// Position of the statement.
        seq: u64,
    },
    /// The authorized key is not a valid, strong public key.
    #[error("entry {seq}: key {key} is invalid or weak")]
    InvalidKey {
        /// Position of the statement.
        seq: u64,
        /// The key.
        key: PublicKey,
    },
}

/// What the genesis entry declared.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Genesis {
    /// The ledger's origin (checkpoint origin and note key name).
    pub origin: String,
    /// Its algorithm suite.
    pub suite: Suite,
    /// The key that signs checkpoints.
    pub ledger_key: PublicKey,
}

/// The key registry as of some position in the ledger.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Registry {
    genesis: Option<Genesis>,
    keys: BTreeMap<PublicKey, KeyRecord>,
}

impl Registry {
    /// An empty registry: only a genesis statement is admissible.
    pub fn new() -> Self {
        Self::default()
    }

    /// What genesis declared, once entry 0 has been applied.
    pub fn genesis(&self) -> Option<&Genesis> {
        self.genesis.as_ref()
    }

    /// What the registry knows of `key`.
    pub fn get(&self, key: &PublicKey) -> Option<&KeyRecord> {
        self.keys.get(key)
    }

    /// All keys ever registered, in key order.
    pub fn keys(&self) -> impl Iterator<Item = (&PublicKey, &KeyRecord)> {
        self.keys.iter()
    }

    /// The sequence numbers of the entries that changed the registry (the genesis,
    /// `KeyAuthorized`, `KeyRevoked`), in order: each key is authorized once (the genesis
    /// authorizes the ledger key at 0) and revoked at most once, so its record holds both.
    pub fn changes(&self) -> Vec<u64> {
        let mut seqs: Vec<u64> = self
            .keys
            .values()
            .flat_map(|r| std::iter::once(r.authorized_at).chain(r.revoked_at))
            .collect();
        seqs.sort_unstable();
        seqs
    }

    /// Checks that `statement` is admissible as entry `seq`, without changing the registry.
    ///
    /// # Errors
    /// The [`RegistryError`] that describes why it is not.
    pub fn check(&self, seq: u64, statement: &Statement) -> Result<(), RegistryError> {
        if seq == 0 {
            return match &statement.event {
                Event::Genesis {
                    ledger_key, origin, ..
                } if *ledger_key == statement.author
                    && ledger_key.dalek().is_ok()
                    && crate::checkpoint::is_valid_key_name(origin) =>
                {
                    Ok(())
                }
                _ => Err(RegistryError::BadGenesis),
            };
        }
        if matches!(statement.event, Event::Genesis { .. }) {
            return Err(RegistryError::GenesisMisplaced { seq });
        }
        if self.genesis.is_none() {
            return Err(RegistryError::NoGenesis { seq });
        }
        let author = &statement.author;
        let record = self
            .keys
            .get(author)
            .ok_or(RegistryError::UnknownKey { seq, key: *author })?;
        if let Some(revoked_at) = record.revoked_at {
            return Err(RegistryError::RevokedKey {
                seq,
                key: *author,
                revoked_at,
            });
        }
        if let Event::ConfidentialityMarked {
            level: crate::model::Confidentiality::StateSecret,
            ..
        } = statement.event
        {
            return Err(RegistryError::StateSecret { seq });
        }
        if statement.event.is_registry_change() && record.role != Role::System {
            return Err(RegistryError::NotPermitted {
                seq,
                role: record.role,
                event: statement.event.name(),
            });
        }
        match &statement.event {
            Event::KeyAuthorized { key, .. } => {
                if let Some(existing) = self.keys.get(key) {
                    return Err(RegistryError::AlreadyRegistered {
                        seq,
                        key: *key,
                        since: existing.authorized_at,
                    });
                }
                if key.dalek().is_err() {
                    return Err(RegistryError::InvalidKey { seq, key: *key });
                }
            }
            Event::KeyRevoked { key, .. } => {
                if self.genesis.as_ref().map(|g| &g.ledger_key) == Some(key) {
                    return Err(RegistryError::LedgerKeyRevoked { seq });
                }
                match self.keys.get(key) {
                    Some(r) if r.revoked_at.is_none() => {}
                    _ => return Err(RegistryError::NotActive { seq, key: *key }),
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks `statement` as entry `seq` and, if admissible, applies its registry effect.
    ///
    /// # Errors
    /// As [`Registry::check`]; the registry is unchanged on error.
    pub fn admit(&mut self, seq: u64, statement: &Statement) -> Result<(), RegistryError> {
        self.check(seq, statement)?;
        match &statement.event {
            Event::Genesis {
                origin,
                suite,
                ledger_key,
            } => {
                self.genesis = Some(Genesis {
                    origin: origin.clone(),
                    suite: *suite,
                    ledger_key: *ledger_key,
                });
                self.keys.insert(
                    *ledger_key,
                    KeyRecord {
                        role: Role::System,
                        holder: format!("ledger key of {origin}"),
                        authorized_at: seq,
                        revoked_at: None,
                    },
                );
            }
            Event::KeyAuthorized { key, role, holder } => {
                self.keys.insert(
                    *key,
                    KeyRecord {
                        role: *role,
                        holder: holder.clone(),
                        authorized_at: seq,
                        revoked_at: None,
                    },
                );
            }
            Event::KeyRevoked { key, .. } => {
                if let Some(r) = self.keys.get_mut(key) {
                    r.revoked_at = Some(seq);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::keys::{SecretKey, Signer};
    use crate::model::Timestamp;

    fn st(author: &SecretKey, event: Event) -> Statement {
        Statement {
            time: Timestamp(0),
            author: author.public_key(),
            event,
            binding: None,
        }
    }

    #[test]
    fn state_secret_marking_is_refused_for_every_key() {
        use crate::model::{Confidentiality, RecordRef};
        let ledger = SecretKey::from_seed(&[1; 32]);
        let mut r = Registry::new();
        r.admit(
            0,
            &st(
                &ledger,
                Event::Genesis {
                    origin: "o".into(),
                    suite: Suite::Sha256Ed25519Blake3,
                    ledger_key: ledger.public_key(),
                },
            ),
        )
        .unwrap();
        let mark = |level| Event::ConfidentialityMarked {
            subject: RecordRef::Case("c".into()),
            level,
            reason: "r".into(),
        };
        let err = r
            .admit(1, &st(&ledger, mark(Confidentiality::StateSecret)))
            .unwrap_err();
        assert_eq!(err, RegistryError::StateSecret { seq: 1 });
        assert!(err.to_string().contains("国家秘密"));
        r.admit(1, &st(&ledger, mark(Confidentiality::TradeSecret)))
            .unwrap();
    }

    #[test]
    fn lifecycle() {
        let ledger = SecretKey::from_seed(&[1; 32]);
        let officer = SecretKey::from_seed(&[2; 32]);
        let mut r = Registry::new();
        let genesis = Event::Genesis {
            origin: "o".into(),
            suite: Suite::Sha256Ed25519Blake3,
            ledger_key: ledger.public_key(),
        };
        // Genesis signed by another key is refused.
        assert_eq!(
            r.admit(0, &st(&officer, genesis.clone())),
            Err(RegistryError::BadGenesis)
        );
        r.admit(0, &st(&ledger, genesis.clone())).unwrap();
        assert!(matches!(
            r.admit(1, &st(&ledger, genesis)),
            Err(RegistryError::GenesisMisplaced { seq: 1 })
        ));
        let case = Event::CaseClosed {
            case_no: "c".into(),
            outcome: "x".into(),
            file_retention: crate::model::Retention::Permanent,
        };
        assert!(matches!(
            r.admit(1, &st(&officer, case.clone())),
            Err(RegistryError::UnknownKey { .. })
        ));
        let auth = Event::KeyAuthorized {
            key: officer.public_key(),
            role: Role::Officer,
            holder: "21020001".into(),
        };
        r.admit(1, &st(&ledger, auth.clone())).unwrap();
        assert!(matches!(
            r.admit(2, &st(&ledger, auth)),
            Err(RegistryError::AlreadyRegistered { since: 1, .. })
        ));
        r.admit(2, &st(&officer, case.clone())).unwrap();
        // An officer may not change the registry.
        let revoke_self = Event::KeyRevoked {
            key: officer.public_key(),
            reason: "x".into(),
        };
        assert!(matches!(
            r.admit(3, &st(&officer, revoke_self.clone())),
            Err(RegistryError::NotPermitted { .. })
        ));
        r.admit(3, &st(&ledger, revoke_self.clone())).unwrap();
        assert!(matches!(
            r.admit(4, &st(&officer, case)),
            Err(RegistryError::RevokedKey { revoked_at: 3, .. })
        ));
        assert!(matches!(
            r.admit(4, &st(&ledger, revoke_self)),
            Err(RegistryError::NotActive { .. })
        ));
        let revoke_ledger = Event::KeyRevoked {
            key: ledger.public_key(),
            reason: "x".into(),
        };
        assert!(matches!(
            r.admit(4, &st(&ledger, revoke_ledger)),
            Err(RegistryError::LedgerKeyRevoked { .. })
        ));
    }
}
