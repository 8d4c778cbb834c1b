//! The file operations the store performs, behind a trait so that tests can inject faults.
//!
//! The store reads and writes its data files only by position (`pread`/`pwrite`), syncs them
//! with `fdatasync` and cuts them with `ftruncate`; those five operations are all of
//! [`DataFile`]. [`FaultyFile`] wraps a real file and fails one chosen operation, as a full
//! disk, an I/O error or a short write would.

use std::fmt;
use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

/// A data file of the store: positional reads and writes, `fdatasync`, truncation.
pub(super) trait DataFile: Send + Sync + fmt::Debug {
    /// Fills `buf` from `offset`, or fails (`UnexpectedEof` past the end).
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()>;
    /// Writes all of `buf` at `offset`.
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()>;
    /// `fdatasync`: the written data and the file length are durable when this returns.
    fn sync_data(&self) -> io::Result<()>;
    /// Cuts (or extends) the file to `len` bytes.
    fn set_len(&self, len: u64) -> io::Result<()>;
    /// The current length.
    fn len(&self) -> io::Result<u64>;
}

/// A real file.
#[derive(Debug)]
pub(super) struct OsFile(pub(super) File);

impl DataFile for OsFile {
    #[cfg(unix)]
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        std::os::unix::fs::FileExt::read_exact_at(&self.0, buf, offset)
    }

    #[cfg(windows)]
    fn read_exact_at(&self, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
        use std::os::windows::fs::FileExt;
        while !buf.is_empty() {
            match self.0.seek_read(buf, offset) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    buf = &mut std::mem::take(&mut buf)[n..];
                    offset += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    #[cfg(unix)]
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        std::os::unix::fs::FileExt::write_all_at(&self.0, buf, offset)
    }

    #[cfg(windows)]
    fn write_all_at(&self, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
        use std::os::windows::fs::FileExt;
        while !buf.is_empty() {
            match self.0.seek_write(buf, offset) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    buf = &buf[n..];
                    offset += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn sync_data(&self) -> io::Result<()> {
        self.0.sync_data()
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.0.set_len(len)
    }

    fn len(&self) -> io::Result<u64> {
        Ok(self.0.metadata()?.len())
    }
}

/// Fault injection for tests of a store's error paths (test support, for every backend):
/// fails one chosen mutating operation. Re-exported as [`crate::store::Faults`].
///
/// Every mutating operation a store given these faults performs is numbered from 0: for a
/// [`FileStore`](super::FileStore) opened with them, each write, `fdatasync` and truncation of
/// its data files; for a [`MemoryStore`](crate::store::MemoryStore) made with them, the write
/// (staging) and the sync (publishing) of each commit. The operation numbered `fail_at` (set
/// when made, or later by [`fail_in`](Faults::fail_in)) fails with an I/O error of the chosen
/// kind; with short writes, a failing write first writes the first half of its buffer (of its
/// entries, for the memory store), as a full disk does. Every other operation is performed
/// normally. Clones share one counter, so a test can keep a clone to read
/// [`operations`](Faults::operations) and [`fired`](Faults::fired) afterwards. A backend
/// written later numbers its own operations (a database: each statement and the commit) and
/// fails the chosen one the same way, so that the conformance suite holds it to the same
/// failure semantics (`tests/store_conformance.rs`, `docs/STORE.md`).
///
/// Reads are never failed: a failed read changes nothing on disk.
#[derive(Clone, Debug)]
pub struct Faults(Arc<FaultState>);

#[derive(Debug)]
struct FaultState {
    /// The operation to fail; `u64::MAX`: none.
    fail_at: AtomicU64,
    short_writes: bool,
    kind: io::ErrorKind,
    ops: AtomicU64,
    syncs: AtomicU64,
    fired: AtomicBool,
    /// A sync held in place ([`Faults::hold_next_sync`]).
    hold: Mutex<Hold>,
    hold_changed: Condvar,
}

#[derive(Debug, Default)]
struct Hold {
    armed: bool,
    holding: bool,
    released: bool,
}

impl Faults {
    /// Counts operations and fails none: run a workload once with this to learn how many
    /// operations it performs.
    pub fn none() -> Self {
        Faults::new(None, false, io::ErrorKind::Other)
    }

    /// Fails operation number `op` (0-based) with an `Other` I/O error.
    pub fn fail_at(op: u64) -> Self {
        Faults::new(Some(op), false, io::ErrorKind::Other)
    }

    /// Fails operation number `op` with an error of `kind` (e.g. `StorageFull`); with
    /// `short_writes`, a failing write first writes half of its buffer.
    pub fn new(op: Option<u64>, short_writes: bool, kind: io::ErrorKind) -> Self {
        Faults(Arc::new(FaultState {
            fail_at: AtomicU64::new(op.unwrap_or(u64::MAX)),
            short_writes,
            kind,
            ops: AtomicU64::new(0),
            syncs: AtomicU64::new(0),
            fired: AtomicBool::new(false),
            hold: Mutex::default(),
            hold_changed: Condvar::new(),
        }))
    }

    /// Makes the next `fdatasync` (of any data file; for the memory store, its next sync) wait
    /// before it runs until the returned [`HeldSync`] is released or dropped: a commit caught in
    /// a slow sync, for tests that readers do not wait for the writer (no timing involved: the
    /// test decides when it ends).
    pub fn hold_next_sync(&self) -> HeldSync {
        let mut hold = self.0.hold.lock().unwrap_or_else(PoisonError::into_inner);
        *hold = Hold {
            armed: true,
            ..Hold::default()
        };
        HeldSync(self.clone())
    }

    /// If a hold is armed, holds this sync until it is released.
    fn hold_here(&self) {
        let mut hold = self.0.hold.lock().unwrap_or_else(PoisonError::into_inner);
        if !hold.armed {
            return;
        }
        hold.armed = false;
        hold.holding = true;
        self.0.hold_changed.notify_all();
        while !hold.released {
            hold = self
                .0
                .hold_changed
                .wait(hold)
                .unwrap_or_else(PoisonError::into_inner);
        }
        hold.holding = false;
    }

    /// Fails the `n`-th mutating operation from now (0: the next one), whatever came before:
    /// a test fills a store, then arms the fault for the write it examines. Clears
    /// [`fired`](Faults::fired).
    pub fn fail_in(&self, n: u64) {
        let at = self.operations().saturating_add(n);
        self.0.fail_at.store(at, Ordering::SeqCst);
        self.0.fired.store(false, Ordering::SeqCst);
    }

    /// How many mutating operations were attempted so far.
    pub fn operations(&self) -> u64 {
        self.0.ops.load(Ordering::SeqCst)
    }

    /// How many `fdatasync`s were attempted so far (counted among the operations too).
    pub fn syncs(&self) -> u64 {
        self.0.syncs.load(Ordering::SeqCst)
    }

    /// Whether the fault has been injected.
    pub fn fired(&self) -> bool {
        self.0.fired.load(Ordering::SeqCst)
    }

    /// Whether a failing write first writes half of what it was given.
    pub(crate) fn short_writes(&self) -> bool {
        self.0.short_writes
    }

    /// Counts one sync: held here if a hold is armed, then counted as an operation; `Some(error)`
    /// if it is the one to fail.
    pub(crate) fn sync(&self, what: &str) -> Option<io::Error> {
        self.0.syncs.fetch_add(1, Ordering::SeqCst);
        self.hold_here();
        self.next(what)
    }

    /// Counts one operation; `Some(error)` if it is the one to fail.
    pub(crate) fn next(&self, what: &str) -> Option<io::Error> {
        let n = self.0.ops.fetch_add(1, Ordering::SeqCst);
        if self.0.fail_at.load(Ordering::SeqCst) == n {
            self.0.fired.store(true, Ordering::SeqCst);
            Some(io::Error::new(
                self.0.kind,
                format!("injected fault at operation {n} ({what})"),
            ))
        } else {
            None
        }
    }
}

/// A sync held by [`Faults::hold_next_sync`]; releasing or dropping it lets the sync run.
#[derive(Debug)]
#[must_use = "the sync is released when this is dropped"]
pub struct HeldSync(Faults);

impl HeldSync {
    /// Waits until a sync has reached the hold and is waiting there.
    pub fn wait_until_held(&self) {
        let state = &(self.0).0;
        let mut hold = state.hold.lock().unwrap_or_else(PoisonError::into_inner);
        while !hold.holding && !hold.released {
            hold = state
                .hold_changed
                .wait(hold)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Lets the held sync run.
    pub fn release(self) {}
}

impl Drop for HeldSync {
    fn drop(&mut self) {
        let state = &(self.0).0;
        let mut hold = state.hold.lock().unwrap_or_else(PoisonError::into_inner);
        hold.armed = false;
        hold.released = true;
        state.hold_changed.notify_all();
    }
}

/// A data file that fails the operation [`Faults`] chooses.
#[derive(Debug)]
pub(super) struct FaultyFile {
    pub(super) inner: Box<dyn DataFile>,
    pub(super) faults: Faults,
}

impl DataFile for FaultyFile {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.inner.read_exact_at(buf, offset)
    }

    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        match self.faults.next("write") {
            None => self.inner.write_all_at(buf, offset),
            Some(e) => {
                if self.faults.short_writes() {
                    let half = buf.get(..buf.len() / 2).unwrap_or_default();
                    self.inner.write_all_at(half, offset)?;
                }
                Err(e)
            }
        }
    }

    fn sync_data(&self) -> io::Result<()> {
        match self.faults.sync("fdatasync") {
            None => self.inner.sync_data(),
            Some(e) => Err(e),
        }
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        match self.faults.next("truncate") {
            None => self.inner.set_len(len),
            Some(e) => Err(e),
        }
    }

    fn len(&self) -> io::Result<u64> {
        self.inner.len()
    }
}
