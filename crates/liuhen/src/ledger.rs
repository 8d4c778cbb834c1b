//! The writer: create or open a ledger, append signed statements, seal checkpoints, prove.
//!
//! # Life of a statement
//!
//! 1. An author signs a [`SignedStatement`] (possibly offline, days before upload).
//! 2. [`Ledger::append_batch`] checks every signature with `verify_strict`, in parallel on all
//!    cores (a lone statement on the caller's thread; authors' keys are kept decompressed).
//! 3. In order, each statement is admitted by the one admission rule ([`crate::admission`]) at
//!    the position it will take, once its signature is checked (in a batch of 64 or more, while
//!    the signatures of the statements after it are still being checked: a pipeline; nothing
//!    is stored before every signature of the batch is checked): the key registry and the author's role, time bounds, who
//!    speaks for a recording session and its segment chain, cases, holds. The verifier applies
//!    the same rule to the stored entries.
//! 4. The ledger assigns `seq`, `prev` (leaf hash of the previous entry) and `logged_at` (its own
//!    clock, never decreasing), encodes the entries and hands them to the [`Store`], which makes
//!    them durable before returning.
//! 5. Only then is the Merkle frontier advanced and a [`Receipt`] returned. (The admission
//!    state takes each statement as it is admitted, so that the next one of the batch is judged
//!    after it; if the batch is refused or the store fails, the state is rebuilt from the frames
//!    before the next append.) [`Ledger::append_batch`] is all-or-nothing: if any statement is refused, none is
//!    appended. [`Ledger::append_each`] refuses statements one by one and appends the rest in one
//!    store batch; [`SharedLedger`](crate::SharedLedger) uses it for group commit across threads.
//! 6. [`Ledger::seal`] signs a C2SP checkpoint over the current tree and stores it.
//!
//! The ledger reads time only from the injected [`Clock`].

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;

use crate::admission::{Admission, Refusal};
use crate::checkpoint::{CheckpointError, NoteVerifier, SignedCheckpoint};
use crate::clock::Clock;
use crate::encoding::EncodingError;
use crate::entry::{
    Binding, EncodedEntry, Entry, FormatVersion, SignedStatement, Statement, StatementError,
};
use crate::hash::{Digest, Sha256TreeHasher, TreeHasher};
use crate::keys::{PublicKey, Signer};
use crate::merkle::{
    self, CompactRange, ConsistencyProof, HashReader, InclusionProof, MerkleError,
};
use crate::model::{Event, Suite, Timestamp};
use crate::registry::{Genesis, Registry, RegistryError};
use crate::store::{Store, StoreError, StoreRead};

mod seal;
mod trial;
mod writer_state;
pub use seal::{
    SealRefusal, SealState, SealStateError, Sealed, MAX_SEAL_STATE_BYTES, SEAL_STATE_LABEL,
};
pub use trial::Trial;
pub use writer_state::{
    OpenedFrom, VerifiedWriterState, WriterState, WriterStateError, MAX_WRITER_STATE_BYTES,
};

/// Settings of a ledger writer.
#[derive(Clone, Debug)]
pub struct LedgerOptions {
    /// How far in the future (by the ledger's clock) a statement's own time may lie, in
    /// milliseconds; also how far before the ledger began, and how far the stored tail's
    /// `logged_at` may lie ahead of the clock before appends are refused. Device clocks drift;
    /// a statement from further ahead is refused ([`crate::admission`]).
    pub max_future_skew_ms: i64,
    /// Whether [`Ledger::sign_and_append`] re-verifies the signature it has just made.
    ///
    /// Off by default: the ledger made the signature itself, checking it would more than triple
    /// the cost of an in-process append, and the verifier checks every signature anyway. Turn it
    /// on for a signer whose faults must be caught before they reach the ledger (an HSM without
    /// its own check), because an entry with a bad signature can never be removed again.
    pub verify_own_signatures: bool,
    /// The format version [`Ledger::create`] writes (default [`FormatVersion::V2`]). Opening
    /// a ledger takes the version from its genesis entry; this setting does not apply there.
    /// v1 is kept so that v1 ledgers stay reproducible (golden vectors); new ledgers should be
    /// v2, whose statements cannot be replayed (docs/decisions/0004-format-v2.md).
    pub format: FormatVersion,
    /// Format v2: the nonce a new ledger's genesis statement carries as its counter, which makes
    /// the ledger id (the leaf hash of entry 0) unique even for two ledgers created with the same
    /// key, origin and clock reading (Ed25519 signatures are deterministic). `None` (the default)
    /// draws it from the operating system's random source; tests that need reproducible bytes
    /// (golden vectors) fix it.
    pub genesis_nonce: Option<u64>,
}

impl Default for LedgerOptions {
    fn default() -> Self {
        LedgerOptions {
            max_future_skew_ms: 5 * 60 * 1000,
            verify_own_signatures: false,
            format: FormatVersion::V2,
            genesis_nonce: None,
        }
    }
}

/// Errors of the ledger writer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The store failed; nothing of the failed call was acknowledged.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An entry could not be encoded (e.g. larger than 64 KiB).
    #[error("statement {index} of the batch cannot be stored: {source}")]
    Encoding {
        /// Position of the statement in the batch.
        index: usize,
        /// Why.
        #[source]
        source: EncodingError,
    },
    /// A statement's signature does not verify.
    #[error("statement {index} of the batch is refused: {source}")]
    BadSignature {
        /// Position of the statement in the batch.
        index: usize,
        /// Why.
        #[source]
        source: StatementError,
    },
    /// A statement's author may not make it at this position.
    #[error("statement {index} of the batch is refused: {source}")]
    Refused {
        /// Position of the statement in the batch.
        index: usize,
        /// Why.
        #[source]
        source: RegistryError,
    },
    /// A statement is refused by the admission rule for another reason than the key registry
    /// or its time ([`crate::admission`]): a session it may not speak for, a segment out of
    /// order, a second opening of an open case, a purge under a hold, a date before the ledger
    /// began.
    #[error("statement {index} of the batch is refused: {source}")]
    Inadmissible {
        /// Position of the statement in the batch.
        index: usize,
        /// Why.
        #[source]
        source: Box<Refusal>,
    },
    /// A statement is dated too far in the future.
    #[error("statement {index} of the batch is dated {time} ms, beyond the ledger clock {now} ms plus the allowed skew")]
    FutureStatement {
        /// Position of the statement in the batch.
        index: usize,
        /// Its time.
        time: i64,
        /// The ledger's time.
        now: i64,
        /// The allowed skew (the ledger's configured [`LedgerOptions::max_future_skew_ms`]).
        max_skew_ms: i64,
    },
    /// `create` was given a store that already holds entries.
    #[error("cannot create a ledger in a store that already holds {size} entries")]
    NotEmpty {
        /// How many.
        size: u64,
    },
    /// `open` was given an empty store.
    #[error("the store holds no ledger (no genesis entry)")]
    NoGenesis,
    /// The stored tail is logged later than the writer's clock plus the skew: the clock is
    /// wrong or the store's unsigned `logged_at` was edited; a writer stamping later entries
    /// with it would carry the forged time forward (docs/STORE.md).
    #[error("the last stored entry ({seq}) is logged at {logged_at} ms, later than this writer's clock ({now} ms) plus the allowed skew: fix the clock, or run `liuhen verify` (the stored time may have been forged); nothing was written")]
    ClockBehindStore {
        /// The entry.
        seq: u64,
        /// Its `logged_at`.
        logged_at: i64,
        /// The writer's clock.
        now: i64,
    },
    /// The stored entries are not a valid ledger (run the verifier for a full report).
    #[error("stored entry {seq} is not valid: {reason}")]
    Corrupt {
        /// The entry.
        seq: u64,
        /// What is wrong.
        reason: String,
    },
    /// The operating system's random source failed (drawing the genesis nonce).
    #[error("the operating system's random source failed: {reason}")]
    Randomness {
        /// What it reported.
        reason: String,
    },
    /// A checkpoint was to be signed by a key other than the ledger key.
    #[error("checkpoints must be signed by the ledger key {expected}, not {got}")]
    NotLedgerKey {
        /// The ledger key.
        expected: PublicKey,
        /// The key offered.
        got: PublicKey,
    },
    /// The origin is not usable as a checkpoint origin / note key name.
    #[error("invalid ledger origin {origin:?}: {reason}")]
    BadOrigin {
        /// The origin.
        origin: String,
        /// Why.
        reason: &'static str,
    },
    /// The store failed while committing a group of concurrent appends; none of the group was
    /// appended. Only [`SharedLedger::append`](crate::SharedLedger::append) returns it (a
    /// thread that panicked while holding the ledger, too); `append_signed` returns the store's
    /// error typed ([`SharedError`](crate::SharedError)).
    #[error("group commit failed, nothing of the group was appended: {reason}")]
    GroupCommitFailed {
        /// The store's error.
        reason: String,
    },
    /// The store was created for a ledger of another origin.
    #[error("the store belongs to ledger {store:?}, not {ledger:?}")]
    OriginMismatch {
        /// The origin the store records.
        store: String,
        /// The ledger's origin.
        ledger: String,
    },
    /// A Merkle computation failed (e.g. a proof for a size the ledger does not have).
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    /// A checkpoint could not be produced.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The signer failed.
    #[error(transparent)]
    Statement(#[from] StatementError),
    /// `seal` refused to sign: the store does not hold what the ledger key signed before, or
    /// not what its index claims. Nothing was signed.
    #[error("refusing to seal: {0}")]
    SealRefused(#[source] SealRefusal),
}

/// What `append` returns for each statement: where it landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Its sequence number.
    pub seq: u64,
    /// Its Merkle leaf hash.
    pub leaf_hash: Digest,
    /// When the ledger accepted it.
    pub logged_at: Timestamp,
}

/// Adapts a store's read side to the Merkle module's [`HashReader`].
pub(crate) struct StoreReader<'a, S: StoreRead + ?Sized>(pub(crate) &'a S);

impl<S: StoreRead + ?Sized> HashReader for StoreReader<'_, S> {
    fn perfect_subtree(&self, level: u8, index: u64) -> Result<Digest, MerkleError> {
        self.0
            .perfect_subtree(level, index)
            .map_err(|e| MerkleError::Reader {
                level,
                index,
                source: Box::new(e),
            })
    }

    fn perfect_subtrees(&self, nodes: &[(u8, u64)]) -> Result<Vec<Digest>, MerkleError> {
        match self.0.node_hashes_at(nodes) {
            Ok(hashes) if hashes.len() == nodes.len() => Ok(hashes),
            // Read again one by one: the error is then the first single read's, naming its node.
            _ => nodes
                .iter()
                .map(|&(level, index)| self.perfect_subtree(level, index))
                .collect(),
        }
    }
}

/// Checks that `origin` can serve as C2SP checkpoint origin and note key name.
fn check_origin(origin: &str) -> Result<(), LedgerError> {
    let bad = |reason| {
        Err(LedgerError::BadOrigin {
            origin: origin.to_owned(),
            reason,
        })
    };
    if origin.is_empty() {
        return bad("it is empty");
    }
    if origin.len() > 255 {
        return bad("it is longer than 255 bytes");
    }
    if !crate::checkpoint::is_valid_key_name(origin) {
        return bad("it is not a valid C2SP note key name (no '+', no white space)");
    }
    if origin.chars().any(char::is_control) {
        return bad("it contains control characters");
    }
    Ok(())
}

/// Refuses a store created for another ledger.
fn check_store_origin<S: StoreRead + ?Sized>(store: &S, origin: &str) -> Result<(), LedgerError> {
    match store.origin() {
        Some(o) if o != origin => Err(LedgerError::OriginMismatch {
            store: o.to_owned(),
            ledger: origin.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// The ledger error for a statement the admission rule refuses at batch position `index`.
fn refused(index: usize, refusal: Refusal) -> LedgerError {
    match refusal {
        Refusal::Registry(source) => LedgerError::Refused { index, source },
        Refusal::Future {
            time,
            logged_at,
            skew_ms,
            ..
        } => LedgerError::FutureStatement {
            index,
            time,
            now: logged_at,
            max_skew_ms: skew_ms,
        },
        source => LedgerError::Inadmissible {
            index,
            source: Box::new(source),
        },
    }
}

/// Where a statement of a batch is to land.
struct Position {
    index: usize,
    seq: u64,
    prev: Digest,
    now: Timestamp,
}

/// A ledger in memory for the crate's unit tests: origin `origin`, ledger key `key`, default
/// options, and a clock stopped at 2026-01-01 00:00 UTC.
#[cfg(test)]
pub(crate) fn test_ledger(
    origin: &str,
    key: &dyn Signer,
) -> Result<Ledger<crate::store::MemoryStore>, LedgerError> {
    Ledger::create(
        crate::store::MemoryStore::new(),
        origin,
        key,
        Arc::new(crate::clock::ManualClock::new(Timestamp(1_767_225_600_000))),
        LedgerOptions::default(),
    )
}

/// Batches of at least this many statements whose signatures are checked are pipelined: the
/// signatures are checked on all cores while one of the pool's threads admits and encodes, in
/// order, the statements already checked ([`for_each_checked`]).
const PIPELINE_MIN: usize = 64;

/// Statements claimed and checked together in a pipeline: small, so that the admitting thread
/// waits at most this many checks at the end of a batch.
const PIPELINE_GROUP: usize = 4;

/// Most public keys a writer keeps decompressed ([`KeyCache`]).
const KEY_CACHE_MAX: usize = 1024;

/// Authors' public keys as `verify_strict` uses them, decompressed once ([`PublicKey::dalek`]:
/// a point decompression, about a tenth of a signature check) and kept by the writer for the
/// next statements of the same authors. Only keys of admitted statements are kept (authors in
/// the registry), at most [`KEY_CACHE_MAX`]; a key not kept is decompressed again, with the
/// same result: the cache changes the cost of a check, never its verdict.
#[derive(Debug, Default)]
pub(crate) struct KeyCache(HashMap<PublicKey, ed25519_dalek::VerifyingKey>);

impl KeyCache {
    /// Keeps `key`, the decompressed form of `author`, while there is room.
    fn keep(&mut self, author: PublicKey, key: ed25519_dalek::VerifyingKey) {
        if self.0.len() < KEY_CACHE_MAX {
            self.0.insert(author, key);
        }
    }
}

/// A statement prepared for admission ([`check_statement`]).
pub(crate) struct Checked {
    /// Its signed message, encoded once for the signature check and used again as the body of
    /// its entry ([`Entry::bytes_with_message`]); `None` if it did not encode.
    message: Option<Vec<u8>>,
    /// Why its signature fails, if it was checked and fails.
    signature_error: Option<StatementError>,
    /// The author's key, if it was decompressed for this check (the writer keeps it).
    new_key: Option<ed25519_dalek::VerifyingKey>,
}

/// Encodes `statement`'s signed message and, if `verify`, checks its signature with
/// `verify_strict` (see docs/decisions/0003-strict-signatures.md for why not a batch
/// equation), taking the author's key from `keys` when it is there. The same verdict as
/// [`SignedStatement::verify_signature`].
fn check_statement(statement: &SignedStatement, verify: bool, keys: &KeyCache) -> Checked {
    let mut checked = Checked {
        message: None,
        signature_error: None,
        new_key: None,
    };
    match statement.statement.signed_message() {
        Ok(message) => checked.message = Some(message),
        Err(e) if verify => checked.signature_error = Some(StatementError::Encoding(e)),
        // Encoding the entry gives the same error.
        Err(_) => {}
    }
    let (true, Some(message)) = (verify, checked.message.as_deref()) else {
        return checked;
    };
    let author = &statement.statement.author;
    let key = match keys.0.get(author) {
        Some(key) => Ok(*key),
        None => author.dalek().inspect(|key| checked.new_key = Some(*key)),
    };
    checked.signature_error = key
        .and_then(|key| author.verify_strict_with(&key, message, &statement.signature))
        .err()
        .map(StatementError::Key);
    checked
}

/// Calls `admit(i, statement i, its Checked)` for each statement in order, until it breaks;
/// returns what it broke with. Signatures (if `verify`) are checked with `verify_strict`, one
/// at a time, on all cores: a lone statement on the caller's thread (no hand-off to the thread
/// pool), a small batch before the first call, a batch of [`PIPELINE_MIN`] or more in a
/// pipeline — every thread of the pool checks them while one of them runs `admit` for those
/// already checked, in order, so admission and encoding overlap the checks instead of
/// following them.
/// `admit` sees statement `i` only once its signature was checked, and the statements in
/// order, so the first refusal is the same as if every signature had been checked first;
/// once `admit` breaks, the statements not yet checked are skipped.
pub(crate) fn for_each_checked<E: Send>(
    statements: &[SignedStatement],
    verify: bool,
    keys: &KeyCache,
    mut admit: impl FnMut(usize, &SignedStatement, Checked) -> ControlFlow<E> + Send,
) -> Option<E> {
    let inline = |admit: &mut dyn FnMut(usize, &SignedStatement, Checked) -> ControlFlow<E>,
                  checked: &mut dyn Iterator<Item = Checked>| {
        for (i, statement) in statements.iter().enumerate() {
            let c = checked
                .next()
                .unwrap_or_else(|| check_statement(statement, verify, keys));
            if let ControlFlow::Break(e) = admit(i, statement, c) {
                return Some(e);
            }
        }
        None
    };
    if !verify || statements.len() == 1 {
        return inline(&mut admit, &mut std::iter::empty());
    }
    if statements.len() < PIPELINE_MIN || rayon::current_num_threads() < 2 {
        let checked: Vec<Checked> = statements
            .par_iter()
            .map(|s| check_statement(s, verify, keys))
            .collect();
        return inline(&mut admit, &mut checked.into_iter());
    }
    // Every thread of the pool checks, one thread per core. Groups are claimed in order from one
    // counter. The thread running the scope admits each group once it is checked; while the
    // next is still being checked elsewhere, it claims and checks a group itself. So it never
    // sleeps waiting for a hand-over, and waits only for a group another thread is checking
    // once none is left to claim: at most one group's checks.
    //
    // `rayon::scope`, not `in_place_scope`: the caller's thread (outside the pool) waits, as
    // for any parallel iterator, and the scope runs on a pool thread. With the caller's thread
    // admitting, it kept its core busy while the pool's thread it woke was often queued behind
    // it on the same core for a millisecond or more (measured: 1.3 ms on average, against 0.05
    // ms this way), a batch's signatures being checked on one core meanwhile.
    let groups: Vec<&[SignedStatement]> = statements.chunks(PIPELINE_GROUP).collect();
    let slots: Vec<Mutex<Option<Vec<Checked>>>> = groups.iter().map(|_| Mutex::new(None)).collect();
    let claimed = AtomicUsize::new(0);
    // Set once admission ends, however it ends (a panic included): no more groups are claimed.
    let stop = AtomicBool::new(false);
    // Set if a check panicked on another thread: the admitting thread stops waiting for its
    // group, and the scope then raises the panic.
    let failed = AtomicBool::new(false);
    // Claims the next group and checks it; false once none is left (or admission broke off).
    let check_next = || {
        let g = claimed.fetch_add(1, Ordering::Relaxed);
        let (Some(group), Some(slot)) = (groups.get(g), slots.get(g)) else {
            return false;
        };
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let _guard = OnUnwind(&failed);
        let checked = group
            .iter()
            .map(|s| check_statement(s, verify, keys))
            .collect();
        *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(checked);
        true
    };
    rayon::scope(|scope| {
        for _ in 1..rayon::current_num_threads() {
            scope.spawn(|_| while check_next() {});
        }
        let _stop = OnDrop(&stop);
        let mut broke = None;
        'groups: for (g, slot) in slots.iter().enumerate() {
            let checked = loop {
                if let Some(checked) = slot.lock().unwrap_or_else(PoisonError::into_inner).take() {
                    break checked;
                }
                if failed.load(Ordering::Relaxed) {
                    break 'groups;
                }
                if !check_next() {
                    // Every group is claimed: this one is being checked on another thread.
                    std::thread::yield_now();
                }
            };
            for (i, c) in checked.into_iter().enumerate() {
                let index = g * PIPELINE_GROUP + i;
                let Some(statement) = statements.get(index) else {
                    break;
                };
                if let ControlFlow::Break(e) = admit(index, statement, c) {
                    broke = Some(e);
                    break 'groups;
                }
            }
        }
        broke
    })
}

/// Sets its flag when dropped.
struct OnDrop<'a>(&'a AtomicBool);

impl Drop for OnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Sets its flag when dropped during a panic.
struct OnUnwind<'a>(&'a AtomicBool);

impl Drop for OnUnwind<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::Relaxed);
        }
    }
}

/// Checks one statement for position `at.seq` and encodes its entry; on success the
/// statement's effect is applied to `admission`. The one step shared by the writer and a
/// [`Trial`].
fn admit_entry(
    admission: &mut Admission,
    hasher: &Sha256TreeHasher,
    at: Position,
    statement: &SignedStatement,
    checked: Checked,
) -> Result<EncodedEntry, LedgerError> {
    let Position {
        index,
        seq,
        prev,
        now,
    } = at;
    if let Some(source) = checked.signature_error {
        return Err(LedgerError::BadSignature { index, source });
    }
    let st = &statement.statement;
    admission
        .check(seq, now, st)
        .map_err(|e| refused(index, e))?;
    let case_prev = admission.case_prev(&st.event);
    let bytes = Entry::bytes_with_message(
        seq,
        &prev,
        now,
        case_prev,
        statement,
        checked.message.as_deref(),
    )
    .map_err(|source| LedgerError::Encoding { index, source })?;
    let encoded = EncodedEntry {
        seq,
        leaf_hash: hasher.hash_leaf(&bytes),
        bytes,
        registry_change: st.event.is_registry_change(),
    };
    // Checked just above, on this same state: apply it without checking it a second time.
    admission
        .admit_checked(seq, now, st)
        .map_err(|e| refused(index, e))?;
    Ok(encoded)
}

/// The writer's state after some entries: what reading them gives.
struct Rebuilt {
    admission: Admission,
    frontier: CompactRange,
    last_leaf: Digest,
    last_logged_at: Timestamp,
}

impl Rebuilt {
    /// The state before entry 0.
    fn empty(skew_ms: i64) -> Self {
        Rebuilt {
            admission: Admission::new(skew_ms),
            frontier: CompactRange::new(),
            last_leaf: Digest::ZERO,
            last_logged_at: Timestamp(i64::MIN),
        }
    }
}

/// The writer's state at the end of `store`: from the signed writer state the last seal saved
/// if there is a usable one, reading only the entries after it; otherwise from entry 0
/// ([`writer_state`] module documentation).
fn resume<S: StoreRead + ?Sized>(
    store: &S,
    hasher: &Sha256TreeHasher,
    skew_ms: i64,
) -> Result<(Rebuilt, OpenedFrom), LedgerError> {
    let size = store.size()?;
    match saved_state(store, hasher, skew_ms, size)? {
        Ok(state) => {
            let from = state.frontier.size();
            Ok((
                rebuild_from(store, hasher, state, size)?,
                OpenedFrom::WriterState { size: from },
            ))
        }
        Err(ignored) => Ok((
            rebuild_from(store, hasher, Rebuilt::empty(skew_ms), size)?,
            OpenedFrom::Frames { ignored },
        )),
    }
}

/// The stored writer state, checked (steps 1–4 of the [`writer_state`] module documentation):
/// `Ok(Ok(state))` to resume from, `Ok(Err(why))` to read every frame instead (`None`: no state
/// is kept), `Err` when the store contradicts a state the ledger key signed (tampering).
fn saved_state<S: StoreRead + ?Sized>(
    store: &S,
    hasher: &Sha256TreeHasher,
    skew_ms: i64,
    size: u64,
) -> Result<Result<Rebuilt, Option<String>>, LedgerError> {
    let bytes = match store.writer_state() {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(Err(None)),
        Err(e) => return Ok(Err(Some(format!("it could not be read: {e}")))),
    };
    if size == 0 {
        return Ok(Err(Some("the store holds no entry".into())));
    }
    let corrupt = |seq: u64, reason: String| LedgerError::Corrupt { seq, reason };
    let read = |seq: u64| {
        store.entry_bytes(seq).map_err(|e| match e {
            StoreError::Corrupt { .. } => corrupt(seq, e.to_string()),
            other => LedgerError::Store(other),
        })
    };
    let genesis_bytes = read(0)?;
    let genesis = Entry::from_bytes(&genesis_bytes).map_err(|e| corrupt(0, e.to_string()))?;
    let Event::Genesis { ledger_key, .. } = &genesis.statement.statement.event else {
        return Err(LedgerError::NoGenesis);
    };
    let state = match WriterState::verify(&bytes, ledger_key, &hasher.hash_leaf(&genesis_bytes)) {
        Ok(state) => state,
        Err(e) => {
            return Ok(Err(Some(format!(
                "the stored writer state is ignored: {e}"
            ))))
        }
    };
    if state.size() > size {
        return Err(corrupt(
            size,
            format!(
                "is missing: the store holds {size} entries, but the ledger key sealed {} \
                 (its signed writer state): entries were removed after a seal",
                state.size()
            ),
        ));
    }
    // At least 1 (WriterState::verify refuses an empty state).
    let last = state.size() - 1;
    if hasher.hash_leaf(&read(last)?) != state.last_leaf {
        return Err(corrupt(
            last,
            "is not the entry the ledger key sealed at this position (its signed writer \
             state names another leaf hash): the frames were changed after a seal"
                .into(),
        ));
    }
    Ok(Ok(Rebuilt {
        admission: state.admission.with_skew(skew_ms),
        frontier: state.frontier,
        last_leaf: state.last_leaf,
        last_logged_at: state.last_logged_at,
    }))
}

/// Reads the entries from `state`'s size up to `end` from the frames and applies them to it;
/// any entry that does not read, decode, sit at its position, chain, keep time or satisfy the
/// admission rule makes it [`LedgerError::Corrupt`].
fn rebuild_from<S: StoreRead + ?Sized>(
    store: &S,
    hasher: &Sha256TreeHasher,
    state: Rebuilt,
    end: u64,
) -> Result<Rebuilt, LedgerError> {
    let corrupt = |seq: u64, reason: String| LedgerError::Corrupt { seq, reason };
    let Rebuilt {
        mut admission,
        mut frontier,
        last_leaf: mut prev,
        mut last_logged_at,
    } = state;
    // In chunks: one read per ENTRY_CHUNK entries, memory bounded by one chunk.
    for (seq, bytes) in crate::store::read_entries(store, frontier.size()..end) {
        let bytes = bytes.map_err(|e| match e {
            StoreError::Corrupt { .. } => corrupt(seq, e.to_string()),
            other => LedgerError::Store(other),
        })?;
        let entry = Entry::from_bytes(&bytes).map_err(|e| corrupt(seq, e.to_string()))?;
        if entry.seq != seq {
            return Err(corrupt(
                seq,
                format!("the entry claims sequence number {}", entry.seq),
            ));
        }
        if entry.prev != prev {
            return Err(corrupt(seq, "the prev hash does not chain".into()));
        }
        if entry.logged_at < last_logged_at {
            return Err(corrupt(
                seq,
                "its logged_at is earlier than the entry before it".into(),
            ));
        }
        let case_prev = admission.case_prev(&entry.statement.statement.event);
        if entry.case_prev != case_prev {
            return Err(corrupt(
                seq,
                format!(
                    "its case back-link is {:?}, but the previous entry of its case is {case_prev:?}",
                    entry.case_prev
                ),
            ));
        }
        admission
            .admit(seq, entry.logged_at, &entry.statement.statement)
            .map_err(|e| corrupt(seq, e.to_string()))?;
        prev = hasher.hash_leaf(&bytes);
        if seq == 0 {
            admission.set_genesis_leaf(prev);
        }
        frontier.push(hasher, prev)?;
        last_logged_at = entry.logged_at;
    }
    Ok(Rebuilt {
        admission,
        frontier,
        last_leaf: prev,
        last_logged_at,
    })
}

/// A ledger writer over a store.
pub struct Ledger<S: Store> {
    store: S,
    hasher: Sha256TreeHasher,
    clock: Arc<dyn Clock>,
    options: LedgerOptions,
    admission: Admission,
    /// Set when an append failed after the admission state took some of its statements: the
    /// state is rebuilt from the frames before the next append.
    stale: bool,
    genesis: Genesis,
    frontier: CompactRange,
    last_leaf: Digest,
    last_logged_at: Timestamp,
    /// Where opening started reading the frames.
    opened_from: OpenedFrom,
    /// Authors' keys, decompressed (derived from the admitted statements, never trusted).
    keys: KeyCache,
}

impl<S: Store> std::fmt::Debug for Ledger<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("origin", &self.genesis.origin)
            .field("size", &self.size())
            .finish_non_exhaustive()
    }
}

impl<S: Store> Ledger<S> {
    /// Creates a ledger in an empty store: writes the genesis entry, signed by `ledger_key`,
    /// and seals a first checkpoint.
    ///
    /// # Errors
    /// [`LedgerError::NotEmpty`], [`LedgerError::BadOrigin`], or a store or signer error.
    pub fn create(
        mut store: S,
        origin: &str,
        ledger_key: &dyn Signer,
        clock: Arc<dyn Clock>,
        options: LedgerOptions,
    ) -> Result<Self, LedgerError> {
        let size = store.size()?;
        if size != 0 {
            return Err(LedgerError::NotEmpty { size });
        }
        check_origin(origin)?;
        check_store_origin(&store, origin)?;
        let now = clock.now();
        let suite = Suite::Sha256Ed25519Blake3;
        // A v2 genesis binds itself to the suite with a zero ledger id (the ledger id is the leaf
        // hash of this very entry, unknown until it is made) and a nonce as its counter, so that
        // no two ledgers share an id.
        let binding = match options.format {
            FormatVersion::V1 => None,
            FormatVersion::V2 => Some(Binding {
                suite,
                ledger: Digest::ZERO,
                counter: match options.genesis_nonce {
                    Some(nonce) => nonce,
                    None => {
                        let mut bytes = [0u8; 8];
                        rand_core::RngCore::try_fill_bytes(&mut rand_core::OsRng, &mut bytes)
                            .map_err(|e| LedgerError::Randomness {
                                reason: e.to_string(),
                            })?;
                        u64::from_le_bytes(bytes)
                    }
                },
            }),
        };
        let genesis_statement = SignedStatement::sign_statement(
            Statement {
                time: now,
                author: ledger_key.public_key(),
                event: Event::Genesis {
                    origin: origin.to_owned(),
                    suite,
                    ledger_key: ledger_key.public_key(),
                },
                binding,
            },
            ledger_key,
        )?;
        let mut admission = Admission::new(options.max_future_skew_ms);
        admission
            .admit(0, now, &genesis_statement.statement)
            .map_err(|e| refused(0, e))?;
        let hasher = Sha256TreeHasher;
        let entry = Entry {
            seq: 0,
            prev: Digest::ZERO,
            logged_at: now,
            case_prev: None,
            statement: genesis_statement,
        };
        let encoded = EncodedEntry::new(&entry, &hasher)
            .map_err(|source| LedgerError::Encoding { index: 0, source })?;
        admission.set_genesis_leaf(encoded.leaf_hash);
        store.append(std::slice::from_ref(&encoded))?;
        let mut frontier = CompactRange::new();
        frontier.push(&hasher, encoded.leaf_hash)?;
        let genesis = admission
            .registry()
            .genesis()
            .cloned()
            .ok_or(LedgerError::NoGenesis)?;
        let mut ledger = Ledger {
            store,
            hasher,
            clock,
            options,
            admission,
            stale: false,
            genesis,
            frontier,
            last_leaf: encoded.leaf_hash,
            last_logged_at: now,
            opened_from: OpenedFrom::Frames { ignored: None },
            keys: KeyCache::default(),
        };
        ledger.seal(ledger_key)?;
        Ok(ledger)
    }

    /// Opens an existing ledger.
    ///
    /// Starts from the signed [`WriterState`] the last seal saved in the store, if there is a
    /// usable one (its signature verifies under the genesis's ledger key, it is this ledger's,
    /// and the stored entry at its last position is the one it names — a store holding fewer
    /// entries than it covers, or another entry there, is [`LedgerError::Corrupt`]); otherwise
    /// from entry 0 ([`Ledger::opened_from`] says which, and why). From there it reads every
    /// entry once from the frames: decodes it, checks its sequence number, the `prev` chain and
    /// that `logged_at` never goes backwards, and rebuilds the admission state
    /// ([`crate::admission`]: registry, sessions, cases, holds) by admitting it at its position.
    /// Signatures are the verifier's job. The Merkle frontier is computed from the entries'
    /// leaf hashes, not read from the store's node hashes (which [`Ledger::seal_checked`]
    /// checks against the entries before it signs); the store's registry index is only
    /// cross-checked against the registry, never trusted over it. Cost: O(entries since the
    /// last seal) time (O(entries) without a writer state), and reading and decoding the state,
    /// which grows with keys, cases, sessions and documents, not with entries; memory as
    /// [`Admission`].
    ///
    /// The clock floor: appending on top of a stored tail logged later than this writer's
    /// clock plus the skew is refused ([`LedgerError::ClockBehindStore`]), so that a forged
    /// `logged_at` is never carried forward into new entries (docs/STORE.md). Opening such a
    /// ledger to read it is allowed.
    ///
    /// # Errors
    /// [`LedgerError::NoGenesis`], [`LedgerError::Corrupt`] when an entry does not read,
    /// decode, chain or is not admissible, or a derived index disagrees with the frames,
    /// [`LedgerError::OriginMismatch`], or a store error.
    pub fn open(
        store: S,
        clock: Arc<dyn Clock>,
        options: LedgerOptions,
    ) -> Result<Self, LedgerError> {
        let size = store.size()?;
        if size == 0 {
            return Err(LedgerError::NoGenesis);
        }
        let hasher = Sha256TreeHasher;
        let (state, opened_from) = resume(&store, &hasher, options.max_future_skew_ms)?;
        if let Some(seqs) = store.registry_changes()? {
            if seqs != state.admission.registry().changes() {
                return Err(LedgerError::Corrupt {
                    seq: 0,
                    reason: "the store's registry index does not list the registry changes the entries hold".into(),
                });
            }
        }
        let genesis = state
            .admission
            .registry()
            .genesis()
            .cloned()
            .ok_or(LedgerError::NoGenesis)?;
        check_store_origin(&store, &genesis.origin)?;
        Ok(Ledger {
            store,
            hasher,
            clock,
            options,
            admission: state.admission,
            stale: false,
            genesis,
            frontier: state.frontier,
            last_leaf: state.last_leaf,
            last_logged_at: state.last_logged_at,
            opened_from,
            keys: KeyCache::default(),
        })
    }

    /// Where [`Ledger::open`] started reading the frames: from the signed writer state the last
    /// seal saved (only the entries after it were read), or from entry 0 and why.
    pub fn opened_from(&self) -> &OpenedFrom {
        &self.opened_from
    }

    /// Number of entries: what this writer appended or found on open (the store acknowledged
    /// every one of them).
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The ledger's format version, as its genesis entry declares it.
    ///
    /// # Errors
    /// A store error, or [`LedgerError::Corrupt`] if entry 0 no longer decodes.
    pub fn format(&self) -> Result<FormatVersion, LedgerError> {
        Ok(self.entry(0)?.version())
    }

    /// The ledger id that format-v2 statements bind to: the leaf hash of entry 0. `None` for a
    /// v1 ledger, whose statements bind to nothing.
    ///
    /// # Errors
    /// A store error, or [`LedgerError::Corrupt`] if entry 0 no longer decodes.
    pub fn ledger_id(&self) -> Result<Option<Digest>, LedgerError> {
        let bytes = self.store.entry_bytes(0)?;
        let entry = Entry::from_bytes(&bytes).map_err(|e| LedgerError::Corrupt {
            seq: 0,
            reason: e.to_string(),
        })?;
        Ok(match entry.version() {
            FormatVersion::V1 => None,
            FormatVersion::V2 => Some(self.hasher.hash_leaf(&bytes)),
        })
    }

    /// The ledger's origin.
    pub fn origin(&self) -> &str {
        &self.genesis.origin
    }

    /// What the genesis entry declared.
    pub fn genesis(&self) -> &Genesis {
        &self.genesis
    }

    /// The key registry as of the end of the ledger.
    pub fn registry(&self) -> &Registry {
        self.admission.registry()
    }

    /// The admission state as of the end of the ledger.
    pub fn admission(&self) -> &Admission {
        &self.admission
    }

    /// The C2SP verifier key of this ledger's checkpoints (`origin+keyhash+base64`).
    ///
    /// # Errors
    /// [`LedgerError::Checkpoint`] if the origin is not a valid note key name (only possible for
    /// a ledger written by another implementation; the registry refuses such a genesis).
    pub fn verifier_key(&self) -> Result<NoteVerifier, LedgerError> {
        Ok(
            NoteVerifier::for_key(&self.genesis.origin, self.genesis.ledger_key)
                .map_err(CheckpointError::from)?,
        )
    }

    /// The Merkle root over all entries.
    pub fn root(&self) -> Digest {
        self.frontier.root(&self.hasher)
    }

    /// The underlying store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Gives the store back.
    pub fn into_store(self) -> S {
        self.store
    }

    /// Appends one signed statement. See [`Ledger::append_batch`].
    ///
    /// # Errors
    /// As [`Ledger::append_batch`].
    pub fn append(&mut self, statement: SignedStatement) -> Result<Receipt, LedgerError> {
        let mut receipts = self.append_batch(vec![statement])?;
        receipts.pop().ok_or(LedgerError::NoGenesis)
    }

    /// The ledger's clock reading now: the time the next entry would be logged at.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The binding the next statement of `author` must carry in this ledger (format v2: the
    /// suite, the ledger id and the author's next counter); `None` in a v1 ledger. A signer
    /// that signs several statements before they are appended counts on from it.
    pub fn next_binding(&self, author: &PublicKey) -> Option<Binding> {
        self.admission.next_binding(author)
    }

    /// Signs `event` at `time` with `signer` as this ledger admits it: bound (format v2) with
    /// the signer's next counter, or unbound in a v1 ledger. Does not append.
    ///
    /// # Errors
    /// A signer error.
    pub fn sign(
        &self,
        signer: &dyn Signer,
        time: Timestamp,
        event: Event,
    ) -> Result<SignedStatement, LedgerError> {
        Ok(SignedStatement::sign_statement(
            Statement {
                time,
                author: signer.public_key(),
                event,
                binding: self.next_binding(&signer.public_key()),
            },
            signer,
        )?)
    }

    /// Signs `event` now with `signer` and appends it.
    ///
    /// # Errors
    /// As [`Ledger::append_batch`], or a signer error.
    pub fn sign_and_append(
        &mut self,
        signer: &dyn Signer,
        event: Event,
    ) -> Result<Receipt, LedgerError> {
        let statement = self.sign(signer, self.clock.now(), event)?;
        let verify = self.options.verify_own_signatures;
        let mut receipts = self.append_checked(vec![statement], verify)?;
        receipts.pop().ok_or(LedgerError::NoGenesis)
    }

    /// Appends signed statements, all or none, and returns where each landed once all are
    /// durable.
    ///
    /// # Errors
    /// [`LedgerError::BadSignature`], [`LedgerError::Refused`], [`LedgerError::FutureStatement`]
    /// or [`LedgerError::Encoding`] naming the first refused statement by its position in the
    /// batch; or a store error. On error nothing is appended.
    pub fn append_batch(
        &mut self,
        statements: Vec<SignedStatement>,
    ) -> Result<Vec<Receipt>, LedgerError> {
        self.append_checked(statements, true)
    }

    fn append_checked(
        &mut self,
        statements: Vec<SignedStatement>,
        verify_signatures: bool,
    ) -> Result<Vec<Receipt>, LedgerError> {
        let outcomes = self.admit_and_store(statements, verify_signatures, true)?;
        outcomes.into_iter().collect()
    }

    /// Appends each statement that is admissible on its own and refuses the others, in one
    /// durable store batch: what group commit needs, where one caller's bad statement must not
    /// fail the others. Signatures are checked if `verify_signatures`.
    ///
    /// Returns one outcome per statement, in order.
    ///
    /// # Errors
    /// A store error, in which case nothing was appended.
    pub fn append_each(
        &mut self,
        statements: Vec<SignedStatement>,
        verify_signatures: bool,
    ) -> Result<Vec<Result<Receipt, LedgerError>>, LedgerError> {
        self.admit_and_store(statements, verify_signatures, false)
    }

    /// The one append path. With `all_or_nothing`, the first refusal is returned as the error
    /// and nothing is stored.
    fn admit_and_store(
        &mut self,
        statements: Vec<SignedStatement>,
        verify_signatures: bool,
        all_or_nothing: bool,
    ) -> Result<Vec<Result<Receipt, LedgerError>>, LedgerError> {
        if statements.is_empty() {
            return Ok(Vec::new());
        }
        if self.stale {
            self.admission = resume(&self.store, &self.hasher, self.options.max_future_skew_ms)?
                .0
                .admission;
            self.stale = false;
        }
        let now = self.logging_time()?;
        let first = self.size();
        let mut outcomes: Vec<Option<LedgerError>> = Vec::with_capacity(statements.len());
        let mut encoded: Vec<EncodedEntry> = Vec::with_capacity(statements.len());
        let mut new_keys = Vec::new();
        let mut prev = self.last_leaf;
        // The frontier after the batch, computed while signatures are still being checked;
        // taken only once the batch is durable.
        let mut frontier = self.frontier.clone();
        let admission = &mut self.admission;
        let hasher = &self.hasher;
        let refusal = for_each_checked(
            &statements,
            verify_signatures,
            &self.keys,
            |index, statement, mut checked| {
                let new_key = checked.new_key.take();
                let at = Position {
                    index,
                    seq: first + encoded.len() as u64,
                    prev,
                    now,
                };
                match admit_entry(admission, hasher, at, statement, checked) {
                    Ok(e) => {
                        if let Some(key) = new_key {
                            new_keys.push((statement.statement.author, key));
                        }
                        prev = e.leaf_hash;
                        encoded.push(e);
                        outcomes.push(None);
                        if let Err(full) = frontier.push(hasher, prev) {
                            return ControlFlow::Break(full.into());
                        }
                    }
                    Err(error) if all_or_nothing => return ControlFlow::Break(error),
                    Err(error) => outcomes.push(Some(error)),
                }
                ControlFlow::Continue(())
            },
        );
        for (author, key) in new_keys {
            self.keys.keep(author, key);
        }
        if let Some(error) = refusal {
            // The admission state took the batch's earlier statements: undo them.
            self.stale = !encoded.is_empty();
            return Err(error);
        }
        if !encoded.is_empty() {
            if let Err(e) = self.store.append(&encoded) {
                self.stale = true;
                return Err(e.into());
            }
        }
        // Durable: now advance the in-memory state (the admission state already is).
        self.last_leaf = prev;
        self.last_logged_at = now;
        self.frontier = frontier;
        let mut receipts = encoded.into_iter().map(|e| Receipt {
            seq: e.seq,
            leaf_hash: e.leaf_hash,
            logged_at: now,
        });
        Ok(outcomes
            .into_iter()
            .map(|refusal| match refusal {
                Some(error) => Err(error),
                None => receipts.next().ok_or(LedgerError::NoGenesis),
            })
            .collect())
    }

    /// A trial of appends on a copy of the admission state as of the end of the ledger, with
    /// the clock read now: [`Trial::admit_batch`] judges statements exactly as
    /// [`Ledger::append_batch`] would at this moment, and stores nothing (what `liuhen append`
    /// checks a whole input against before it writes, and its dry run).
    ///
    /// # Errors
    /// [`LedgerError::ClockBehindStore`], or a store error or [`LedgerError::Corrupt`] if the
    /// state must be rebuilt after a failed append.
    pub fn trial(&self) -> Result<Trial, LedgerError> {
        let admission = if self.stale {
            resume(&self.store, &self.hasher, self.options.max_future_skew_ms)?
                .0
                .admission
        } else {
            self.admission.clone()
        };
        Ok(Trial::new(
            admission,
            self.size(),
            self.last_leaf,
            self.logging_time()?,
        ))
    }

    /// The time the next entry is logged at: the clock's, never before the last entry's.
    ///
    /// # Errors
    /// [`LedgerError::ClockBehindStore`] if the last entry is logged later than the clock
    /// allows (more than the allowed future skew ahead of it).
    fn logging_time(&self) -> Result<Timestamp, LedgerError> {
        let clock_now = self.clock.now();
        if self.last_logged_at > clock_now.plus_millis(self.options.max_future_skew_ms) {
            return Err(LedgerError::ClockBehindStore {
                seq: self.size().saturating_sub(1),
                logged_at: self.last_logged_at.0,
                now: clock_now.0,
            });
        }
        Ok(clock_now.max(self.last_logged_at))
    }

    /// Signs a checkpoint over the current tree with the ledger key and stores it, after
    /// recomputing the tree from every entry and checking it against every stored checkpoint
    /// the key signed and against the store's index ([`Ledger::seal_checked`] without a state:
    /// O(n)). A signer that seals routinely keeps the [`SealState`] and calls
    /// [`Ledger::seal_checked`], which checks only the entries added since.
    ///
    /// # Errors
    /// As [`Ledger::seal_checked`].
    pub fn seal(&mut self, ledger_key: &dyn Signer) -> Result<SignedCheckpoint, LedgerError> {
        Ok(self.seal_checked(ledger_key, None)?.checkpoint)
    }

    /// The most recently stored checkpoint text, if any.
    ///
    /// # Errors
    /// A store error.
    pub fn latest_checkpoint(&self) -> Result<Option<String>, LedgerError> {
        Ok(self.store.latest_checkpoint()?)
    }

    /// Stores `cosigned` again: a checkpoint the ledger key signed over this ledger's tree,
    /// carrying more signature lines (witness cosignatures), so that they are kept. Checked
    /// first: the ledger key's signature must verify and the root must be this ledger's at that
    /// size.
    ///
    /// # Errors
    /// [`LedgerError::Checkpoint`] if the ledger key did not sign it, [`LedgerError::Merkle`]
    /// if the root is not this ledger's, or a store error.
    pub fn store_cosigned(&mut self, cosigned: &SignedCheckpoint) -> Result<(), LedgerError> {
        cosigned.verify(&self.verifier_key()?)?;
        let c = cosigned.checkpoint();
        let root = self.root_at(c.size)?;
        if root != c.root {
            return Err(MerkleError::RootMismatch {
                tree_size: c.size,
                expected: c.root,
                computed: root,
            }
            .into());
        }
        Ok(self.store.append_checkpoint(&cosigned.to_string())?)
    }

    /// Entry `seq`, decoded.
    ///
    /// # Errors
    /// [`StoreError::OutOfRange`] (as [`LedgerError::Store`]) or [`LedgerError::Corrupt`].
    pub fn entry(&self, seq: u64) -> Result<Entry, LedgerError> {
        let bytes = self.store.entry_bytes(seq)?;
        Entry::from_bytes(&bytes).map_err(|e| LedgerError::Corrupt {
            seq,
            reason: e.to_string(),
        })
    }

    /// An inclusion proof of entry `seq` in the tree of size `tree_size`, reading O(log n)
    /// node hashes. Check it against the root of a *signed* checkpoint of that size, verified
    /// with the ledger's verifier key, not against [`Ledger::root`] (the writer's own word).
    ///
    /// # Errors
    /// [`StoreError::OutOfRange`] (as [`LedgerError::Store`]) when `tree_size` exceeds the
    /// ledger; [`LedgerError::Merkle`] when `seq >= tree_size`, or when a node hash cannot be
    /// read (its source then names the store's error).
    pub fn prove_inclusion(&self, seq: u64, tree_size: u64) -> Result<InclusionProof, LedgerError> {
        self.check_size(tree_size)?;
        Ok(merkle::inclusion_proof(
            &self.hasher,
            &StoreReader(&self.store),
            seq,
            tree_size,
        )?)
    }

    /// A consistency proof between tree sizes `old_size` and `new_size`.
    ///
    /// # Errors
    /// [`StoreError::OutOfRange`] (as [`LedgerError::Store`]) when `new_size` exceeds the
    /// ledger; [`LedgerError::Merkle`] when `old_size > new_size`, or when a node hash cannot
    /// be read.
    pub fn prove_consistency(
        &self,
        old_size: u64,
        new_size: u64,
    ) -> Result<ConsistencyProof, LedgerError> {
        self.check_size(new_size)?;
        Ok(merkle::consistency_proof(
            &self.hasher,
            &StoreReader(&self.store),
            old_size,
            new_size,
        )?)
    }

    /// The Merkle root of the first `tree_size` entries.
    ///
    /// # Errors
    /// [`StoreError::OutOfRange`] (as [`LedgerError::Store`]) when `tree_size` exceeds the
    /// ledger; [`LedgerError::Merkle`] when a node hash cannot be read.
    pub fn root_at(&self, tree_size: u64) -> Result<Digest, LedgerError> {
        self.check_size(tree_size)?;
        Ok(merkle::root(
            &self.hasher,
            &StoreReader(&self.store),
            tree_size,
        )?)
    }

    fn check_size(&self, tree_size: u64) -> Result<(), LedgerError> {
        check_tree_size(tree_size, self.size())
    }
}

fn check_tree_size(tree_size: u64, size: u64) -> Result<(), LedgerError> {
    if tree_size > size {
        return Err(LedgerError::Store(StoreError::OutOfRange {
            seq: tree_size.saturating_sub(1),
            size,
        }));
    }
    Ok(())
}

/// [`Ledger::prove_inclusion`] from a store's read side alone (a reader handle,
/// [`crate::store::StoreWrite::reader`]): what a [`crate::SharedLedger`] answers without
/// waiting for its writer. The size checked against is what the store acknowledged.
///
/// # Errors
/// As [`Ledger::prove_inclusion`], or a store error reading the size.
pub fn prove_inclusion_in<S: StoreRead + ?Sized>(
    store: &S,
    seq: u64,
    tree_size: u64,
) -> Result<InclusionProof, LedgerError> {
    check_tree_size(tree_size, store.size()?)?;
    Ok(merkle::inclusion_proof(
        &Sha256TreeHasher,
        &StoreReader(store),
        seq,
        tree_size,
    )?)
}

/// [`Ledger::prove_consistency`] from a store's read side alone (see [`prove_inclusion_in`]).
///
/// # Errors
/// As [`Ledger::prove_consistency`], or a store error reading the size.
pub fn prove_consistency_in<S: StoreRead + ?Sized>(
    store: &S,
    old_size: u64,
    new_size: u64,
) -> Result<ConsistencyProof, LedgerError> {
    check_tree_size(new_size, store.size()?)?;
    Ok(merkle::consistency_proof(
        &Sha256TreeHasher,
        &StoreReader(store),
        old_size,
        new_size,
    )?)
}
