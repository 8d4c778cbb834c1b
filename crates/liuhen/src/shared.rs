//! A ledger shared between threads, with group commit.
//!
//! An application (a case system, upload stations, request handlers) holds one
//! [`SharedLedger`] per ledger and calls it from as many threads as it likes:
//!
//! - [`SharedLedger::append_signed`] appends a statement its author signed elsewhere (a device
//!   signs offline, days before upload). Each caller checks its own statement's signature in its
//!   own thread, then queues it. Whoever finds no commit in progress becomes the leader: it waits
//!   briefly (at most 0.5 ms, and only while other callers are still checking a signature) so
//!   that they join, then takes everything queued and appends it as **one** store batch — one
//!   durable write and sync for the whole group — while newcomers queue up for the next group.
//!   Without that wait the callers of the group just committed, busy with their next signature,
//!   always missed the next group: groups held about half the callers (`group_stats`,
//!   docs/BENCHMARKS.md). A caller that has work to do before it can call (an HTTP request
//!   whose body is still to be read and decoded) takes an [`Arrival`] first
//!   ([`SharedLedger::arrival`]) and appends through it: a leader waits for it too, from the
//!   moment it is taken. Every call returns only after its own entry is durable (the [`Store`]
//!   contract), or with the reason it was refused; one caller's bad statement never fails
//!   another's (see [`Ledger::append_each`]).
//! - [`SharedLedger::sign_and_append`] signs an event with a key the application holds and
//!   appends it. The statement is built and signed **under the ledger lock**, so that a format-v2
//!   statement carries the author's next binding counter as of the moment it is appended
//!   ([`Ledger::next_binding`]); it is its own store batch (it does not share a sync).
//! - [`SharedLedger::append_batch`] appends statements all or nothing, in the order given.
//! - [`SharedLedger::seal_checked`]: the writer's other operation, under the lock.
//! - [`SharedLedger::prove_inclusion`], [`SharedLedger::prove_consistency`],
//!   [`SharedLedger::latest_checkpoint`], [`SharedLedger::size`], [`SharedLedger::entries`],
//!   [`SharedLedger::verifier_key`]: reads, which **never wait for the writer**. They go
//!   through the store's reader handle ([`StoreWrite::reader`](crate::store::StoreWrite::reader)), not through the ledger lock:
//!   a proof is answered while a group commit is blocked in its `fdatasync`. A reader sees
//!   what the store acknowledged, never an entry whose append has not returned.
//!
//! # Ordering
//!
//! Entries from several threads are ordered by lock acquisition: the order in which their calls
//! reach the ledger (for group commit, the order in which statements were queued), not the
//! statements' own times. Nothing reorders statements to suit the admission rule. Where order
//! matters, the application must submit in order:
//!
//! - **A recording's segments** chain (`SegmentSealed` names its index and the digest of the
//!   segment before it) and the admission rule refuses a segment that does not continue its
//!   session's chain. If the segments of one recording are uploaded by several threads, they
//!   must still be *appended* in segment order: either one thread appends one recording session
//!   (waiting for each receipt before the next segment — `append_signed` returns only once the
//!   entry is durable), or the session's statements are appended together with
//!   [`SharedLedger::append_batch`], in order, all or nothing. A segment that arrives out of
//!   order is refused ([`LedgerError::Inadmissible`]) and nothing of it is stored; append it
//!   again once the segment before it is in.
//! - **A format-v2 author's statements** carry a counter that must count on by one per
//!   statement. Statements signed outside the ledger ([`Ledger::next_binding`], counting on for
//!   each) must reach the ledger in counter order; do not mix them with
//!   [`SharedLedger::sign_and_append`] for the same key while some are still in flight, or one
//!   of the two is refused as a replay.
//!
//! # Errors and poisoning
//!
//! Every call returns a [`SharedError`]: the ledger's own error (a refusal of the statement,
//! a store failure of an exclusive call, a refused seal), a failed group commit (the store
//! failed for the whole group; every caller of the group gets the same error), or
//! [`SharedError::Poisoned`]: a thread panicked while it held the ledger, whose in-memory state
//! may then be half changed. A poisoned `SharedLedger` refuses every further call that needs the
//! ledger (reads through the store's reader still answer: the store holds exactly what it
//! acknowledged); the store
//! acknowledged only durable batches, so reopening the ledger from its store
//! ([`Ledger::open`]) is the way back.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::checkpoint::{NoteVerifier, SignedCheckpoint};
use crate::entry::{Binding, SignedStatement};
use crate::keys::{PublicKey, Signer};
use crate::ledger::{Ledger, LedgerError, Receipt, SealState, Sealed};
use crate::merkle::{ConsistencyProof, InclusionProof};
use crate::model::{Event, Timestamp};
use crate::store::{Store, StoreError, StoreRead};

/// Errors of a [`SharedLedger`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SharedError {
    /// The ledger refused the call or failed it: the statement's own refusal (bad signature,
    /// unauthorized author, out of order, dated in the future, too large), a store failure of an
    /// exclusive call (nothing of it was appended), a refused seal, a proof for a size the
    /// ledger does not have.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The store failed while committing a group of concurrent appends: nothing of the group
    /// was appended. Every caller of the group gets this error, sharing the one store error.
    #[error(
        "group commit of {group} statements failed, nothing of the group was appended: {source}"
    )]
    GroupCommit {
        /// Statements in the group.
        group: usize,
        /// The ledger's (usually the store's) error.
        #[source]
        source: Arc<LedgerError>,
    },
    /// A thread panicked while holding the ledger: its in-memory state may be half changed, so
    /// every further call is refused. Reopen the ledger from its store ([`Ledger::open`]); the
    /// store holds exactly the batches it acknowledged.
    #[error("a thread panicked while holding the ledger; reopen the ledger from its store")]
    Poisoned,
}

impl SharedError {
    /// The ledger error behind this one, if any (for a failed group commit, the store's).
    pub fn ledger_error(&self) -> Option<&LedgerError> {
        match self {
            SharedError::Ledger(e) => Some(e),
            SharedError::GroupCommit { source, .. } => Some(source),
            SharedError::Poisoned => None,
        }
    }

    /// Whether the error means that the ledger's records were found damaged (see
    /// [`crate::Error::is_tampering`]).
    pub fn is_tampering(&self) -> bool {
        self.ledger_error()
            .is_some_and(crate::error::ledger_is_tampering)
    }

    /// The same error as a [`LedgerError`], for [`SharedLedger::append`]: a failed group commit
    /// and poisoning become [`LedgerError::GroupCommitFailed`] with their message.
    fn into_ledger_error(self) -> LedgerError {
        match self {
            SharedError::Ledger(e) => e,
            other => LedgerError::GroupCommitFailed {
                reason: match other.ledger_error() {
                    Some(e) => e.to_string(),
                    None => other.to_string(),
                },
            },
        }
    }
}

struct Queue {
    pending: Vec<(u64, SignedStatement)>,
    next_ticket: u64,
    done: HashMap<u64, Result<Receipt, SharedError>>,
    committing: bool,
    /// Callers about to queue a statement: checking its signature in
    /// [`SharedLedger::append_signed`], or holding an [`Arrival`].
    arriving: usize,
    /// Groups committed and statements in them, for [`SharedLedger::group_stats`].
    groups: u64,
    grouped: u64,
}

/// How well group commit grouped: see [`SharedLedger::group_stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupStats {
    /// Store batches (one durable sync each) committed by [`SharedLedger::append_signed`].
    pub groups: u64,
    /// Statements in those batches.
    pub statements: u64,
}

/// A [`Ledger`] that many threads append to at once, sharing durable syncs (see the module
/// documentation for ordering and errors).
pub struct SharedLedger<S: Store> {
    ledger: Mutex<Ledger<S>>,
    /// The store's read side, taken when the ledger was shared: reads go here, not through
    /// `ledger`'s lock.
    reader: Arc<dyn StoreRead>,
    /// The ledger's verifier key, known from genesis (an error is re-derived under the lock).
    verifier: Option<NoteVerifier>,
    queue: Mutex<Queue>,
    committed: Condvar,
    /// Signalled when a caller has queued its statement (or given up): a lingering leader waits
    /// on it.
    arrived: Condvar,
}

/// How long a leader waits at most for callers that are still checking a signature, so that
/// they join its group instead of waiting for the next one (see [`SharedLedger::append_signed`]).
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
            reader: ledger.store().reader(),
            verifier: ledger.verifier_key().ok(),
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

    /// Appends one statement signed elsewhere, sharing the store's sync with concurrent callers
    /// (group commit); returns once the entry is durable.
    ///
    /// # Errors
    /// [`SharedError::Ledger`] with the statement's own refusal (bad signature, unauthorized
    /// author, out of order, dated in the future, too large; the index in it is 0),
    /// [`SharedError::GroupCommit`] if the store failed for the whole group (nothing of that
    /// group was appended), or [`SharedError::Poisoned`].
    pub fn append_signed(&self, statement: SignedStatement) -> Result<Receipt, SharedError> {
        lock_queue(&self.queue).arriving += 1;
        let checked = statement.verify_signature();
        let queue = self.leave_arriving();
        self.queue_and_wait(queue, statement, checked)
    }

    /// Marks a caller that will call [`Arrival::append_signed`] soon (it is still reading or
    /// decoding its statement): until the mark is used or dropped, a leader about to commit a
    /// group waits for it, as for a caller checking its signature (at most 0.5 ms in all). Take
    /// it as soon as the work that leads to an append has begun; drop it (on any path) if no
    /// statement comes of it.
    pub fn arrival(self: &Arc<Self>) -> Arrival<S> {
        lock_queue(&self.queue).arriving += 1;
        Arrival {
            ledger: Arc::clone(self),
            counted: true,
        }
    }

    /// One caller counted in `arriving` is no longer arriving: it queues now, or gave up.
    fn leave_arriving(&self) -> MutexGuard<'_, Queue> {
        let mut queue = lock_queue(&self.queue);
        queue.arriving = queue.arriving.saturating_sub(1);
        self.arrived.notify_all();
        queue
    }

    /// Queues `statement` (whose signature check gave `checked`) and waits for its group to be
    /// committed, leading the group if no commit is in progress.
    fn queue_and_wait<'a>(
        &'a self,
        mut queue: MutexGuard<'a, Queue>,
        statement: SignedStatement,
        checked: Result<(), crate::entry::StatementError>,
    ) -> Result<Receipt, SharedError> {
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
            // signature (or, holding an `Arrival`, reading it); without waiting for them, each
            // group would hold only the callers that queued during the previous commit (about
            // half of them). Wait for them, briefly.
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

    /// [`SharedLedger::append_signed`] with the error as a [`LedgerError`]: a failed group
    /// commit or a poisoned ledger is [`LedgerError::GroupCommitFailed`], its cause as text.
    /// Kept for callers written against the first version; new code calls `append_signed`,
    /// whose errors keep the store's error typed.
    ///
    /// # Errors
    /// As [`SharedLedger::append_signed`].
    pub fn append(&self, statement: SignedStatement) -> Result<Receipt, LedgerError> {
        self.append_signed(statement)
            .map_err(SharedError::into_ledger_error)
    }

    /// How many groups [`SharedLedger::append_signed`] committed so far and how many statements
    /// they held: `statements / groups` is the average group, i.e. how many callers shared each
    /// sync.
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
    ) -> Vec<(u64, Result<Receipt, SharedError>)> {
        let (tickets, statements): (Vec<u64>, Vec<SignedStatement>) = group.into_iter().unzip();
        let size = statements.len();
        // Signatures were checked by each caller.
        let result = self.with(|ledger| ledger.append_each(statements, false));
        match result {
            Ok(Ok(outcomes)) => tickets
                .into_iter()
                .zip(outcomes)
                .map(|(t, outcome)| (t, outcome.map_err(|e| SharedError::Ledger(renumber(e)))))
                .collect(),
            Ok(Err(e)) => {
                let source = Arc::new(e);
                tickets
                    .into_iter()
                    .map(|t| {
                        (
                            t,
                            Err(SharedError::GroupCommit {
                                group: size,
                                source: Arc::clone(&source),
                            }),
                        )
                    })
                    .collect()
            }
            Err(_) => tickets
                .into_iter()
                .map(|t| (t, Err(SharedError::Poisoned)))
                .collect(),
        }
    }

    /// Signs `event` with `signer` at the ledger's clock reading and appends it, both under the
    /// ledger lock: the statement is bound (format v2) with the signer's next counter as of
    /// this append ([`Ledger::sign_and_append`]). One store batch of its own.
    ///
    /// # Errors
    /// [`SharedError::Ledger`] with the refusal or a store or signer error (nothing appended),
    /// or [`SharedError::Poisoned`].
    pub fn sign_and_append(
        &self,
        signer: &dyn Signer,
        event: Event,
    ) -> Result<Receipt, SharedError> {
        Ok(self.with(|ledger| ledger.sign_and_append(signer, event))??)
    }

    /// [`SharedLedger::sign_and_append`] for an event that happened at `time` (the statement's
    /// own time, e.g. when the case system recorded it; the ledger still refuses a time too far
    /// in the future or before the ledger began).
    ///
    /// # Errors
    /// As [`SharedLedger::sign_and_append`].
    pub fn sign_and_append_at(
        &self,
        signer: &dyn Signer,
        time: Timestamp,
        event: Event,
    ) -> Result<Receipt, SharedError> {
        Ok(self.with(|ledger| {
            let statement = ledger.sign(signer, time, event)?;
            ledger.append(statement)
        })??)
    }

    /// Appends statements all or nothing, in the order given, as one store batch of their own
    /// ([`Ledger::append_batch`]): the way to append a recording session's statements that
    /// were uploaded out of order by several threads, once they are sorted.
    ///
    /// # Errors
    /// [`SharedError::Ledger`] naming the first refused statement by its position in the batch
    /// (nothing appended), or [`SharedError::Poisoned`].
    pub fn append_batch(
        &self,
        statements: Vec<SignedStatement>,
    ) -> Result<Vec<Receipt>, SharedError> {
        Ok(self.with(|ledger| ledger.append_batch(statements))??)
    }

    /// The binding the next statement of `author` must carry (format v2), for a signer that
    /// signs outside the lock; `None` in a v1 ledger. See the module documentation on
    /// ordering.
    ///
    /// # Errors
    /// [`SharedError::Poisoned`].
    pub fn next_binding(&self, author: &PublicKey) -> Result<Option<Binding>, SharedError> {
        self.with(|ledger| ledger.next_binding(author))
    }

    /// Seals: signs a checkpoint over the current tree after checking the entries since the
    /// last checkpoint this key signed ([`Ledger::seal_checked`]; `state` is the [`SealState`]
    /// kept beside the key, `None` checks from entry 0). Appends wait while it runs.
    ///
    /// # Errors
    /// [`SharedError::Ledger`] with [`LedgerError::SealRefused`] (nothing signed; tampering),
    /// [`LedgerError::NotLedgerKey`], a store or signer error; or [`SharedError::Poisoned`].
    pub fn seal_checked(
        &self,
        ledger_key: &dyn Signer,
        state: Option<&SealState>,
    ) -> Result<Sealed, SharedError> {
        Ok(self.with(|ledger| ledger.seal_checked(ledger_key, state))??)
    }

    /// The ledger's verifier key, with which a reader checks its checkpoints. Does not wait
    /// for the writer.
    ///
    /// # Errors
    /// As [`Ledger::verifier_key`], or [`SharedError::Poisoned`].
    pub fn verifier_key(&self) -> Result<NoteVerifier, SharedError> {
        match &self.verifier {
            Some(key) => Ok(key.clone()),
            None => Ok(self.with(|ledger| ledger.verifier_key())??),
        }
    }

    /// The store's read side: reads that never wait for the writer and see what the store
    /// acknowledged ([`StoreWrite::reader`](crate::store::StoreWrite::reader)). Clone the `Arc` to hand it to other threads.
    pub fn reader(&self) -> Arc<dyn StoreRead> {
        Arc::clone(&self.reader)
    }

    /// The canonical bytes of entries `range`, read through the reader (one range read; does
    /// not wait for the writer).
    ///
    /// # Errors
    /// A store error ([`StoreError::OutOfRange`] past the acknowledged end).
    pub fn entries(&self, range: std::ops::Range<u64>) -> Result<Vec<Vec<u8>>, SharedError> {
        Ok(self.reader.entries(range).map_err(LedgerError::from)?)
    }

    /// The most recently stored checkpoint, parsed (not verified: verify it with the verifier
    /// key the reader trusts, [`SignedCheckpoint::verify`]); `None` if the store holds none.
    /// Does not wait for the writer.
    ///
    /// # Errors
    /// A store error, or a stored checkpoint that does not parse ([`LedgerError::Checkpoint`]).
    pub fn latest_checkpoint(&self) -> Result<Option<SignedCheckpoint>, SharedError> {
        let text = self.reader.latest_checkpoint().map_err(LedgerError::from)?;
        match text {
            None => Ok(None),
            Some(text) => Ok(Some(
                SignedCheckpoint::parse(text.as_bytes()).map_err(LedgerError::from)?,
            )),
        }
    }

    /// An inclusion proof of entry `seq` in the tree of size `tree_size` (take the size from a
    /// signed checkpoint, and check the proof against that checkpoint's root). Read through
    /// the store's reader: does not wait for the writer.
    ///
    /// # Errors
    /// As [`Ledger::prove_inclusion`], with `tree_size` checked against what the store
    /// acknowledged.
    pub fn prove_inclusion(&self, seq: u64, tree_size: u64) -> Result<InclusionProof, SharedError> {
        Ok(crate::ledger::prove_inclusion_in(
            &*self.reader,
            seq,
            tree_size,
        )?)
    }

    /// A consistency proof between tree sizes `old_size` and `new_size`. Does not wait for the
    /// writer.
    ///
    /// # Errors
    /// As [`Ledger::prove_consistency`].
    pub fn prove_consistency(
        &self,
        old_size: u64,
        new_size: u64,
    ) -> Result<ConsistencyProof, SharedError> {
        Ok(crate::ledger::prove_consistency_in(
            &*self.reader,
            old_size,
            new_size,
        )?)
    }

    /// Number of entries the store acknowledged. Does not wait for the writer (an append in
    /// progress is not counted until it returned).
    ///
    /// # Errors
    /// A store error.
    pub fn size(&self) -> Result<u64, SharedError> {
        self.reader
            .size()
            .map_err(|e: StoreError| SharedError::Ledger(e.into()))
    }

    /// Runs `f` with exclusive access to the ledger (to read, or for what has no method here).
    /// Appends and seals wait while it runs. If `f` panics, the `SharedLedger` is poisoned.
    ///
    /// # Errors
    /// [`SharedError::Poisoned`] if a thread panicked while holding the ledger.
    pub fn with<R>(&self, f: impl FnOnce(&mut Ledger<S>) -> R) -> Result<R, SharedError> {
        let mut ledger = self.ledger.lock().map_err(|_| SharedError::Poisoned)?;
        Ok(f(&mut ledger))
    }

    /// Gives the ledger back.
    ///
    /// # Errors
    /// [`SharedError::Poisoned`] if a thread panicked while holding the ledger.
    pub fn into_inner(self) -> Result<Ledger<S>, SharedError> {
        self.ledger.into_inner().map_err(|_| SharedError::Poisoned)
    }
}

/// A caller on its way to [`Arrival::append_signed`], counted by its [`SharedLedger`] so that a
/// leader waits for it (see [`SharedLedger::arrival`]). Owned (it holds the ledger's `Arc`), so
/// it can cross to another thread with the work it marks. Dropped without appending, it stops
/// counting; appending through it counts the caller once.
#[must_use = "a leader waits for an arrival until it is used or dropped"]
pub struct Arrival<S: Store> {
    ledger: Arc<SharedLedger<S>>,
    /// Still counted in the ledger's `arriving`.
    counted: bool,
}

impl<S: Store> std::fmt::Debug for Arrival<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Arrival")
            .field("counted", &self.counted)
            .finish_non_exhaustive()
    }
}

impl<S: Store> Arrival<S> {
    /// [`SharedLedger::append_signed`] for the caller this arrival marks: it stops counting once
    /// its signature is checked, as the statement is queued.
    ///
    /// # Errors
    /// As [`SharedLedger::append_signed`].
    pub fn append_signed(mut self, statement: SignedStatement) -> Result<Receipt, SharedError> {
        let checked = statement.verify_signature();
        let queue = self.ledger.leave_arriving();
        self.counted = false;
        self.ledger.queue_and_wait(queue, statement, checked)
    }
}

impl<S: Store> Drop for Arrival<S> {
    fn drop(&mut self) {
        if self.counted {
            self.counted = false;
            drop(self.ledger.leave_arriving());
        }
    }
}

/// A caller appended one statement: its index within the group means nothing to it.
fn renumber(e: LedgerError) -> LedgerError {
    match e {
        LedgerError::BadSignature { source, .. } => LedgerError::BadSignature { index: 0, source },
        LedgerError::Refused { source, .. } => LedgerError::Refused { index: 0, source },
        LedgerError::Inadmissible { source, .. } => LedgerError::Inadmissible { index: 0, source },
        LedgerError::FutureStatement {
            time,
            now,
            max_skew_ms,
            ..
        } => LedgerError::FutureStatement {
            index: 0,
            time,
            now,
            max_skew_ms,
        },
        LedgerError::Encoding { source, .. } => LedgerError::Encoding { index: 0, source },
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::keys::SecretKey;
    use crate::model::Role;
    use crate::store::MemoryStore;

    fn shared() -> (Arc<SharedLedger<MemoryStore>>, SecretKey) {
        let key = SecretKey::from_seed(&[1; 32]);
        let ledger = crate::ledger::test_ledger("example.gov.cn/ledger", &key).unwrap();
        (Arc::new(SharedLedger::new(ledger)), key)
    }

    /// The next statement `key` may append: it authorizes officer `i`.
    fn statement(shared: &SharedLedger<MemoryStore>, key: &SecretKey, i: u8) -> SignedStatement {
        shared
            .with(|l| {
                l.sign(
                    key,
                    Timestamp(1_767_225_600_000),
                    Event::KeyAuthorized {
                        key: SecretKey::from_seed(&[i + 2; 32]).public_key(),
                        role: Role::Officer,
                        holder: format!("{i}"),
                    },
                )
            })
            .unwrap()
            .unwrap()
    }

    fn arriving(shared: &SharedLedger<MemoryStore>) -> usize {
        lock_queue(&shared.queue).arriving
    }

    #[test]
    fn an_arrival_dropped_without_appending_stops_counting() {
        let (shared, _) = shared();
        let a = shared.arrival();
        let b = shared.arrival();
        assert_eq!(arriving(&shared), 2);
        drop(a);
        assert_eq!(arriving(&shared), 1);
        drop(b);
        assert_eq!(arriving(&shared), 0);
        assert_eq!(shared.size().unwrap(), 1);
    }

    #[test]
    fn an_arrival_used_to_append_counts_once() {
        let (shared, key) = shared();
        let arrival = shared.arrival();
        assert_eq!(arriving(&shared), 1);
        let receipt = arrival.append_signed(statement(&shared, &key, 0)).unwrap();
        assert_eq!(receipt.seq, 1);
        assert_eq!(arriving(&shared), 0);
        assert_eq!(
            shared.group_stats(),
            GroupStats {
                groups: 1,
                statements: 1
            }
        );
        // A refused statement uses its arrival up too.
        let mut forged = statement(&shared, &key, 1);
        forged.statement.time = Timestamp(1);
        let refused = shared.arrival().append_signed(forged);
        assert!(matches!(
            refused,
            Err(SharedError::Ledger(LedgerError::BadSignature {
                index: 0,
                ..
            }))
        ));
        assert_eq!(arriving(&shared), 0);
    }

    #[test]
    fn arrivals_dropped_and_used_in_either_order_leave_none_counted() {
        let (shared, key) = shared();
        // Dropped first, then used.
        let dropped = shared.arrival();
        let used = shared.arrival();
        drop(dropped);
        assert_eq!(arriving(&shared), 1);
        used.append_signed(statement(&shared, &key, 0)).unwrap();
        assert_eq!(arriving(&shared), 0);
        // Used first, then dropped: the leader of the group lingers for the one still counted
        // (at most LINGER) and commits without it.
        let used = shared.arrival();
        let dropped = shared.arrival();
        used.append_signed(statement(&shared, &key, 1)).unwrap();
        assert_eq!(arriving(&shared), 1);
        drop(dropped);
        assert_eq!(arriving(&shared), 0);
        assert_eq!(shared.size().unwrap(), 3);
        assert_eq!(
            shared.group_stats(),
            GroupStats {
                groups: 2,
                statements: 2
            }
        );
    }
}
