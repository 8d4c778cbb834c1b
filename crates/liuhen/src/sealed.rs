//! Old name of [`crate::commitment`], kept so that existing programs build: "seal" now means
//! only signing a checkpoint (`Ledger::seal`); committing personal data is
//! [`crate::commitment::commit`]. New code uses `liuhen::commitment`.

#[doc(no_inline)]
pub use crate::commitment::{
    commit as seal, commit_with_salt as seal_with_salt, CommitError, Opening,
};
