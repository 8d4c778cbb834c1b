//! Salted commitments to personal data (Art. 15, 20; PIPL).
//!
//! A party's name, ID number or address never enters the ledger. The ledger holds
//! `BLAKE3("liuhen/v1/sealed\0" || salt || postcard((field, value)))`, with a fresh random
//! 32-byte salt per field, never reused and never derived from the value (so equal values do not
//! produce equal commitments, and a commitment cannot be brute-forced from a short list of
//! names). The [`Opening`] (salt and value) is kept in a vault beside the ledger; disclosing it
//! proves the value, destroying it erases the data without breaking any hash or signature.
//!
//! The vault itself (file format, access control, erasure) belongs to a later module.

use serde::Serialize;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::hash::{blake3_labelled, labels};
use crate::keys::KeyError;
use crate::model::Sealed;

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

/// Seals `value` of kind `field` with a fresh salt from the operating system.
///
/// # Errors
/// [`KeyError::Rng`] if the system random source fails.
pub fn seal(field: &str, value: &str) -> Result<(Sealed, Opening), KeyError> {
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

/// Seals with a caller-chosen salt. Only for reproducible test vectors and demos: a salt must
/// never be reused or derived from the value.
pub fn seal_with_salt(field: &str, value: &str, salt: [u8; 32]) -> (Sealed, Opening) {
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
        let (a, oa) = seal("party.name", "张三").unwrap();
        let (b, ob) = seal("party.name", "张三").unwrap();
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
}
