//! A trial of appends: statements judged against a copy of the writer's admission state,
//! nothing stored ([`Ledger::trial`](super::Ledger::trial)).

use std::ops::ControlFlow;

use super::{admit_entry, for_each_checked, KeyCache, LedgerError, Position};
use crate::admission::Admission;
use crate::entry::{Binding, EncodedEntry, SignedStatement};
use crate::hash::{Digest, Sha256TreeHasher};
use crate::keys::PublicKey;
use crate::model::Timestamp;

/// Statements judged as [`Ledger::append_batch`](super::Ledger::append_batch) would judge them
/// at the moment the trial began, on a copy of the admission state: each admitted statement is
/// taken into the copy, so the next is judged after it. Nothing reaches the store.
///
/// Memory: that of the ledger's admission state ([`crate::admission`]), never per statement.
#[derive(Debug)]
pub struct Trial {
    admission: Admission,
    hasher: Sha256TreeHasher,
    next_seq: u64,
    prev: Digest,
    now: Timestamp,
}

impl Trial {
    pub(super) fn new(admission: Admission, next_seq: u64, prev: Digest, now: Timestamp) -> Self {
        Trial {
            admission,
            hasher: Sha256TreeHasher,
            next_seq,
            prev,
            now,
        }
    }

    /// The number of entries the ledger would hold with the statements admitted so far.
    pub fn size(&self) -> u64 {
        self.next_seq
    }

    /// The `logged_at` the admitted statements are judged (and encoded) with.
    pub fn logged_at(&self) -> Timestamp {
        self.now
    }

    /// The binding the next statement of `author` takes (as [`crate::Ledger::next_binding`]
    /// (super::Ledger::next_binding), after the statements admitted so far).
    pub fn next_binding(&self, author: &PublicKey) -> Option<Binding> {
        self.admission.next_binding(author)
    }

    /// Judges `statements` in order; batch positions in errors are `first_index + i`.
    /// Signatures are checked (in parallel) if `verify_signatures`. Returns one outcome per
    /// statement: the entry as it would be stored, or why it is refused. With
    /// `all_or_nothing`, judging stops at the first refusal (the last outcome returned).
    pub fn admit_batch(
        &mut self,
        first_index: usize,
        statements: Vec<SignedStatement>,
        verify_signatures: bool,
        all_or_nothing: bool,
    ) -> Vec<Result<EncodedEntry, LedgerError>> {
        let mut out = Vec::with_capacity(statements.len());
        for_each_checked(
            &statements,
            verify_signatures,
            &KeyCache::default(),
            |i, statement, checked| {
                let outcome = admit_entry(
                    &mut self.admission,
                    &self.hasher,
                    Position {
                        index: first_index.saturating_add(i),
                        seq: self.next_seq,
                        prev: self.prev,
                        now: self.now,
                    },
                    statement,
                    checked,
                );
                let stop = outcome.is_err() && all_or_nothing;
                if let Ok(e) = &outcome {
                    if e.seq == 0 {
                        self.admission.set_genesis_leaf(e.leaf_hash);
                    }
                    self.prev = e.leaf_hash;
                    self.next_seq += 1;
                }
                out.push(outcome);
                if stop {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        );
        out
    }
}
