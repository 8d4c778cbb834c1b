//! A ledger shared between threads, with group commit.
//!
//! Many threads (upload-station workers, request handlers) call [`SharedLedger::append`]
//! concurrently. Each caller checks its own statement's signature in its own thread, then queues
//! it. Whoever finds no commit in progress becomes the leader: it waits briefly (at most
//! 0.5 ms, and only while other callers are still checking a signature) so that they join, then
//! takes everything queued and appends it as **one** store batch — one durable write and sync
//! for the whole group — while newcomers queue up for the next group. Without that wait the
//! callers of the group just committed, busy with their next signature, always missed the next
//! group: groups held about half the callers (`group_stats`, docs/BENCHMARKS.md). Every call returns only after its own entry is
//! durable (the [`Store`] contract), or with the reason it was refused; one caller's bad
//! statement never fails another's (see [`Ledger::append_each`]).

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::entry::SignedStatement;
use crate::ledger::{Ledger, LedgerError, Receipt};
use crate::store::Store;

struct Queue {
    pending: Vec<(u64, SignedStatement)>,
    next_ticket: u64,
    done: HashMap<u64, Result<Receipt, LedgerError>>,
    committing: bool,
    /// Callers checking their statement's signature, about to queue it.
    arriving: usize,
    /// Groups committed and statements in them, for [`SharedLedger::group_stats`].
    groups: u64,
    grouped: u64,
}

/// How well group commit grouped: see [`SharedLedger::group_stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupStats {
    /// Store batches (one durable sync each) committed by [`SharedLedger::append`].
    pub groups: u64,
    /// Statements in those batches.
    pub statements: u64,
}

/// A [`Ledger`] that many threads append to at once, sharing durable syncs.
pub struct SharedLedger<S: Store> {
    ledger: Mutex<Ledger<S>>,
    queue: Mutex<Queue>,
    committed: Condvar,
    /// Signalled when a caller has queued its statement (or given up): a lingering leader waits
    /// on it.
    arrived: Condvar,
}

/// How long a leader waits at most for callers that are still checking a signature, so that
/// they join its group instead of waiting for the next one (see [`SharedLedger::append`]).
const LINGER: Duration = Duration::from_micros(500);

impl<S: Store> std::fmt::Debug for SharedLedger<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedLedger").finish_non_exhaustive()
    }
}

fn lock_queue(m: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    // The queue is only ever pushed to, drained and flagged; no panic can leave it half-changed,
    // so a poisoned lock is still consistent.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<S: Store> SharedLedger<S> {
    /// Shares `ledger` between threads.
    pub fn new(ledger: Ledger<S>) -> Self {
        SharedLedger {
            ledger: Mutex::new(ledger),
            queue: Mutex::new(Queue {
                pending: Vec::new(),
                next_ticket: 0,
                done: HashMap::new(),
                committing: false,
                arriving: 0,
                groups: 0,
                grouped: 0,
            }),
            committed: Condvar::new(),
            arrived: Condvar::new(),
        }
    }

    /// Appends one signed statement, sharing the store's sync with concurrent callers; returns
    /// once the entry is durable.
    ///
    /// # Errors
    /// The statement's own refusal (bad signature, unauthorized author, dated in the future,
    /// too large), or [`LedgerError::GroupCommitFailed`] if the store failed for the whole group
    /// (nothing of that group was appended).
    pub fn append(&self, statement: SignedStatement) -> Result<Receipt, LedgerError> {
        lock_queue(&self.queue).arriving += 1;
        let checked = statement.verify_signature();
        let mut queue = lock_queue(&self.queue);
        queue.arriving = queue.arriving.saturating_sub(1);
        self.arrived.notify_all();
        checked.map_err(|source| LedgerError::BadSignature { index: 0, source })?;
        let ticket = queue.next_ticket;
        queue.next_ticket += 1;
        queue.pending.push((ticket, statement));
        loop {
            if let Some(outcome) = queue.done.remove(&ticket) {
                return outcome;
            }
            if queue.committing {
                queue = self
                    .committed
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            queue.committing = true;
            // The callers of the group just committed are checking their next statement's
            // signature; without waiting for them, each group would hold only the callers that
            // queued during the previous commit (about half of them). Wait for them, briefly.
            let deadline = Instant::now() + LINGER;
            while queue.arriving > 0 {
                let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                    break;
                };
                queue = self
                    .arrived
                    .wait_timeout(queue, left)
                    .map(|(q, _)| q)
                    .unwrap_or_else(|e| e.into_inner().0);
            }
            let group = std::mem::take(&mut queue.pending);
            queue.groups += 1;
            queue.grouped += group.len() as u64;
            drop(queue);
            let outcomes = self.commit(group);
            queue = lock_queue(&self.queue);
            queue.done.extend(outcomes);
            queue.committing = false;
            self.committed.notify_all();
        }
    }

    /// How many groups [`SharedLedger::append`] committed so far and how many statements they
    /// held: `statements / groups` is the average group, i.e. how many callers shared each sync.
    pub fn group_stats(&self) -> GroupStats {
        let queue = lock_queue(&self.queue);
        GroupStats {
            groups: queue.groups,
            statements: queue.grouped,
        }
    }

    /// Appends a group as one store batch; one outcome per ticket.
    fn commit(
        &self,
        group: Vec<(u64, SignedStatement)>,
    ) -> Vec<(u64, Result<Receipt, LedgerError>)> {
        let (tickets, statements): (Vec<u64>, Vec<SignedStatement>) = group.into_iter().unzip();
        let result = match self.ledger.lock() {
            // Signatures were checked by each caller.
            Ok(mut ledger) => ledger.append_each(statements, false),
            Err(_) => Err(LedgerError::GroupCommitFailed {
                reason: "a thread panicked while holding the ledger".into(),
            }),
        };
        match result {
            Ok(outcomes) => tickets
                .into_iter()
                .zip(outcomes)
                .map(|(t, outcome)| (t, outcome.map_err(renumber)))
                .collect(),
            Err(e) => {
                let reason = e.to_string();
                tickets
                    .into_iter()
                    .map(|t| {
                        (
                            t,
                            Err(LedgerError::GroupCommitFailed {
                                reason: reason.clone(),
                            }),
                        )
                    })
                    .collect()
            }
        }
    }

    /// Appends a batch all or nothing (see [`Ledger::append_batch`]), in its own store batch.
    ///
    /// # Errors
    /// As [`Ledger::append_batch`].
    pub fn append_batch(
        &self,
        statements: Vec<SignedStatement>,
    ) -> Result<Vec<Receipt>, LedgerError> {
        self.with(|ledger| ledger.append_batch(statements))?
    }

    /// Runs `f` with exclusive access to the ledger (to seal, read or prove).
    ///
    /// # Errors
    /// [`LedgerError::GroupCommitFailed`] if a thread panicked while holding the ledger.
    pub fn with<R>(&self, f: impl FnOnce(&mut Ledger<S>) -> R) -> Result<R, LedgerError> {
        let mut ledger = self
            .ledger
            .lock()
            .map_err(|_| LedgerError::GroupCommitFailed {
                reason: "a thread panicked while holding the ledger".into(),
            })?;
        Ok(f(&mut ledger))
    }

    /// Gives the ledger back.
    ///
    /// # Errors
    /// [`LedgerError::GroupCommitFailed`] if a thread panicked while holding the ledger.
    pub fn into_inner(self) -> Result<Ledger<S>, LedgerError> {
        self.ledger
            .into_inner()
            .map_err(|_| LedgerError::GroupCommitFailed {
                reason: "a thread panicked while holding the ledger".into(),
            })
    }
}

/// A caller appended one statement: its index within the group means nothing to it.
fn renumber(e: LedgerError) -> LedgerError {
    match e {
        LedgerError::BadSignature { source, .. } => LedgerError::BadSignature { index: 0, source },
        LedgerError::Refused { source, .. } => LedgerError::Refused { index: 0, source },
        LedgerError::Inadmissible { source, .. } => LedgerError::Inadmissible { index: 0, source },
        LedgerError::FutureStatement { time, now, .. } => LedgerError::FutureStatement {
            index: 0,
            time,
            now,
        },
        LedgerError::Encoding { source, .. } => LedgerError::Encoding { index: 0, source },
        other => other,
    }
}
