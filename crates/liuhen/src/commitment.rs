//! Salted commitments to personal data (Art. 15, 20; PIPL).
//!
//! A party's name, ID number or address never enters the ledger. The ledger holds
//! `BLAKE3("liuhen/v1/sealed\0" || salt || postcard((field, value)))` (the [`Sealed`] type of
//! the data model), with a fresh random 32-byte salt per field, never reused and never derived
//! from the value (so equal values do not produce equal commitments, and a commitment cannot be
//! brute-forced from a short list of names). The [`Opening`] (salt and value) is kept in the
//! vault beside the ledger ([`crate::vault`]); disclosing it proves the value, destroying it
//! erases the data without breaking any hash or signature.
//!
//! Naming: *committing* a value (this module; `liuhen vault commit`, alias `vault seal`) is not
//! *sealing* a ledger (signing a checkpoint, `Ledger::seal`, `liuhen seal`). The domain label
//! `liuhen/v1/sealed\0` and the model type [`Sealed`] keep their names: they are part of the
//! format (`docs/FORMAT.md` §11.2).
//!
//! What a personal value may be is decided here, once, for every adapter ([`check_value`],
//! [`check_field`]): [`commit`] and [`crate::vault::Vault::put`] refuse anything else before
//! anything is stored.

use serde::Serialize;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::hash::{blake3_labelled, labels};
use crate::keys::KeyError;
use crate::model::Sealed;

/// Longest personal value accepted: far above any name, ID number or address, and far below the
/// vault's record limit, so that every stored record can be read back and disclosed in a bundle.
pub const MAX_VALUE_BYTES: usize = 16 * 1024;

/// Longest field name accepted (`party.name`, `recipient.name`, …).
pub const MAX_FIELD_BYTES: usize = 256;

/// Why a field name or a personal value is refused. Nothing was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// The value is empty.
    #[error("the value of field {field:?} is empty; nothing was stored")]
    Empty {
        /// The field.
        field: String,
    },
    /// The value is longer than [`MAX_VALUE_BYTES`].
    #[error("the value of field {field:?} is {len} bytes, longer than {max}; nothing was stored")]
    TooLong {
        /// The field.
        field: String,
        /// The value's length in bytes.
        len: usize,
        /// [`MAX_VALUE_BYTES`].
        max: usize,
    },
    /// The field name is empty, longer than [`MAX_FIELD_BYTES`], has surrounding white space or
    /// control characters.
    #[error("{field:?} is not a field name: give a short name such as party.name (at most {MAX_FIELD_BYTES} bytes, no control characters, no surrounding spaces); nothing was stored")]
    Field {
        /// The name given.
        field: String,
    },
}

/// Why [`commit`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommitError {
    /// The field name or the value is refused.
    #[error(transparent)]
    Value(#[from] ValueError),
    /// The system random source failed.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Checks a field name: non-empty, at most [`MAX_FIELD_BYTES`], no control characters and no
/// surrounding white space (the name is bound into the commitment exactly as given).
///
/// # Errors
/// [`ValueError::Field`].
pub fn check_field(field: &str) -> Result<(), ValueError> {
    if field.is_empty()
        || field.len() > MAX_FIELD_BYTES
        || field.trim() != field
        || field.chars().any(char::is_control)
    {
        return Err(ValueError::Field {
            field: field.chars().take(64).collect(),
        });
    }
    Ok(())
}

/// Checks a personal value of `field`: non-empty and at most [`MAX_VALUE_BYTES`] (it is UTF-8 by
/// type). An adapter reading it from a file removes one trailing line break first.
///
/// # Errors
/// [`ValueError::Empty`] or [`ValueError::TooLong`].
pub fn check_value(field: &str, value: &str) -> Result<(), ValueError> {
    if value.is_empty() {
        return Err(ValueError::Empty {
            field: field.to_owned(),
        });
    }
    if value.len() > MAX_VALUE_BYTES {
        return Err(ValueError::TooLong {
            field: field.to_owned(),
            len: value.len(),
            max: MAX_VALUE_BYTES,
        });
    }
    Ok(())
}

/// Checks an opening's field and value ([`check_field`], [`check_value`]).
///
/// # Errors
/// As those.
pub fn check_opening(opening: &Opening) -> Result<(), ValueError> {
    check_field(&opening.field)?;
    check_value(&opening.field, &opening.value)
}

/// The secret half of a commitment: what a vault stores and a disclosure reveals.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Opening {
    /// What kind of field this is (e.g. `party.name`); bound into the commitment so that an
    /// opening cannot be replayed for a different field.
    pub field: String,
    /// The random salt.
    pub salt: [u8; 32],
    /// The personal data, UTF-8 exactly as given.
    pub value: String,
}

impl core::fmt::Debug for Opening {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Opening({}, value redacted)", self.field)
    }
}

#[derive(Serialize)]
struct Bound<'a> {
    field: &'a str,
    value: &'a str,
}

impl Opening {
    /// The commitment this opening opens.
    pub fn commitment(&self) -> Sealed {
        // postcard of two strings cannot fail; an empty fallback would only make verification
        // fail, never succeed.
        let bound = postcard::to_stdvec(&Bound {
            field: &self.field,
            value: &self.value,
        })
        .unwrap_or_default();
        Sealed(blake3_labelled(labels::SEALED, &[&self.salt, &bound]))
    }

    /// Whether this opening opens `sealed` (constant-time comparison).
    pub fn opens(&self, sealed: &Sealed) -> bool {
        self.commitment().0 == sealed.0
    }
}

/// Commits to `value` of kind `field` with a fresh salt from the operating system, after
/// checking both ([`check_field`], [`check_value`]).
///
/// # Errors
/// [`CommitError::Value`] for a refused field or value, [`CommitError::Key`] if the system
/// random source fails.
pub fn commit(field: &str, value: &str) -> Result<(Sealed, Opening), CommitError> {
    check_field(field)?;
    check_value(field, value)?;
    let mut salt = [0u8; 32];
    rand_core::RngCore::try_fill_bytes(&mut rand_core::OsRng, &mut salt)
        .map_err(|_| KeyError::Rng)?;
    let opening = Opening {
        field: field.to_owned(),
        salt,
        value: value.to_owned(),
    };
    salt.zeroize();
    Ok((opening.commitment(), opening))
}

/// Commits with a caller-chosen salt, checking nothing. Only for reproducible test vectors and
/// demos: a salt must never be reused or derived from the value. [`crate::vault::Vault::put`]
/// still refuses to store a value that [`check_value`] refuses.
pub fn commit_with_salt(field: &str, value: &str, salt: [u8; 32]) -> (Sealed, Opening) {
    let opening = Opening {
        field: field.to_owned(),
        salt,
        value: value.to_owned(),
    };
    (opening.commitment(), opening)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn fresh_salts_and_binding() {
        let (a, oa) = commit("party.name", "张三").unwrap();
        let (b, ob) = commit("party.name", "张三").unwrap();
        assert_ne!(a, b, "equal values must not give equal commitments");
        assert!(oa.opens(&a));
        assert!(!ob.opens(&a));
        let mut forged = oa.clone();
        forged.value = "李四".into();
        assert!(!forged.opens(&a));
        let mut other_field = oa.clone();
        other_field.field = "party.address".into();
        assert!(!other_field.opens(&a));
        assert!(!format!("{oa:?}").contains("张三"));
    }

    #[test]
    fn values_and_fields_outside_the_rules_are_refused() {
        assert!(matches!(
            commit("party.name", ""),
            Err(CommitError::Value(ValueError::Empty { .. }))
        ));
        let long = "x".repeat(MAX_VALUE_BYTES + 1);
        assert!(matches!(
            commit("party.name", &long),
            Err(CommitError::Value(ValueError::TooLong { .. }))
        ));
        assert!(commit("party.name", &"x".repeat(MAX_VALUE_BYTES)).is_ok());
        for field in [
            "",
            " party.name",
            "party\nname",
            &"f".repeat(MAX_FIELD_BYTES + 1),
        ] {
            assert!(
                matches!(
                    commit(field, "v"),
                    Err(CommitError::Value(ValueError::Field { .. }))
                ),
                "{field:?}"
            );
        }
    }
}
