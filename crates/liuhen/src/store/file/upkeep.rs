//! Work a commit leaves behind, done on a thread of its own while the caller goes on — in a
//! ledger, while the next batch's signatures are checked: making the index durable under a new
//! index mark (rule R2a) and growing the preallocated entry log ahead of the next commits
//! (docs/STORE.md, "Commit protocol", step 5). Neither is needed for durability, which the frames' own
//! `fdatasync` gives; both used to sit on the commit path, before the frames.
//!
//! The store waits for the work before its next write ([`FileStore::settle`]), so the files see
//! the same operations in the same order as when the commit did them itself, and a failure is
//! reported by that next write, which then writes nothing: the store latches as after any
//! failed write.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, OnceLock, PoisonError};
use std::thread::{self, JoinHandle};

use super::layout::{self, Mark};
use super::ops::DataFile;
use super::{FileStore, FileStoreError, LogFiles, INDEX_MARK_FILE, REGISTRY_INDEX_FILE};

/// Runs a write-path operation; on failure latches `refusal` (the store refuses writes from
/// then on) and returns the error with its context.
pub(super) fn latch(
    refusal: &OnceLock<String>,
    result: io::Result<()>,
    path: &Path,
    op: &'static str,
) -> Result<(), FileStoreError> {
    result.map_err(|source| {
        let _ = refusal.set(format!(
            "an earlier write failed ({op} {}: {source}); reopen the store to recover",
            path.display()
        ));
        FileStoreError::Io {
            path: path.to_path_buf(),
            op,
            source,
        }
    })
}

/// One round of upkeep: a new index mark, growing the entry log, or both.
pub(super) struct Job {
    refusal: Arc<OnceLock<String>>,
    entries: Arc<LogFiles>,
    mark: Option<MarkJob>,
    /// Grow the entry log from the first length to the second, with zeros.
    grow: Option<(u64, u64)>,
}

/// A new index mark: sync the entry index and, if it changed, the registry index; then write
/// the mark into its slot and sync it.
struct MarkJob {
    file: Arc<dyn DataFile>,
    path: PathBuf,
    mark: Mark,
    /// The registry index, when records were written to it since the last mark.
    registry: Option<(Arc<dyn DataFile>, PathBuf)>,
}

/// What a round achieved, for the store to take on.
#[derive(Default)]
pub(super) struct Done {
    mark: Option<Mark>,
    capacity: Option<u64>,
}

/// A writer's upkeep: its thread, started with the first round and kept until the store is
/// dropped (a thread that sleeps between rounds is woken at once; a new one per round often
/// waited milliseconds for a core both busy checking signatures), and the round in progress.
#[derive(Default)]
pub(super) struct Upkeep {
    worker: Option<Worker>,
    pending: Option<Pending>,
}

struct Worker {
    jobs: mpsc::Sender<Job>,
    /// In a mutex only so that the store stays `Sync` (it is used from `&mut self` alone).
    results: Mutex<mpsc::Receiver<Result<Done, FileStoreError>>>,
    handle: JoinHandle<()>,
}

/// A round started after a commit.
enum Pending {
    /// Sent to the thread.
    Sent,
    /// No thread could be had: the round ran on the committing thread, after the commit.
    Ran(Result<Done, FileStoreError>),
}

impl Worker {
    fn start() -> io::Result<Worker> {
        let (jobs, incoming) = mpsc::channel::<Job>();
        let (outgoing, results) = mpsc::channel();
        let handle = thread::Builder::new()
            .name("liuhen-upkeep".into())
            .spawn(move || {
                for job in incoming {
                    if outgoing.send(job.run()).is_err() {
                        break;
                    }
                }
            })?;
        Ok(Worker {
            jobs,
            results: Mutex::new(results),
            handle,
        })
    }
}

impl std::fmt::Debug for Upkeep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upkeep")
            .field("thread", &self.worker.is_some())
            .field("pending", &self.pending.is_some())
            .finish()
    }
}

impl Drop for FileStore {
    /// A clean shutdown leaves the mark of the last round of upkeep on disk (its error, if
    /// any, has nobody left to report to: the next open checks what the mark does not cover),
    /// and stops the upkeep thread.
    fn drop(&mut self) {
        let _ = self.settle();
        if let Some(Worker { jobs, handle, .. }) = self.upkeep.worker.take() {
            drop(jobs);
            let _ = handle.join();
        }
    }
}

impl Job {
    fn run(self) -> Result<Done, FileStoreError> {
        let step = |result, path: &Path, op| latch(&self.refusal, result, path, op);
        let mut done = Done::default();
        if let Some(job) = self.mark {
            let files = &self.entries;
            step(files.index.sync_data(), &files.index_path, "syncing")?;
            if let Some((file, path)) = &job.registry {
                step(file.sync_data(), path, "syncing")?;
            }
            let slot = (job.mark.generation % 2) * layout::MARK_SLOT_LEN;
            step(
                job.file.write_all_at(&job.mark.encode(), slot),
                &job.path,
                "writing the index mark to",
            )?;
            step(job.file.sync_data(), &job.path, "syncing")?;
            done.mark = Some(job.mark);
        }
        if let Some((from, to)) = self.grow {
            let log = &self.entries;
            let len = usize::try_from(to.saturating_sub(from)).unwrap_or(0);
            step(
                log.log.write_all_at(&vec![0; len], from),
                &log.log_path,
                "growing",
            )?;
            // The new length is durable too: a commit into the new space syncs data only.
            step(log.log.sync_data(), &log.log_path, "syncing")?;
            done.capacity = Some(to);
        }
        Ok(done)
    }
}

impl FileStore {
    /// The next index mark, over everything this handle acknowledged.
    fn mark_job(&self) -> Option<MarkJob> {
        let file = Arc::clone(self.mark_file.as_ref()?);
        let (registry, records) = match self.registry.as_ref() {
            // Every record below the last mark's count was synced before that mark was written
            // (here, or on open, which syncs what it rewrites); records written since make the
            // count differ. None written: nothing to sync (the common case: registry changes
            // are rare).
            Some(index) => {
                let records = index.seqs.len() as u64;
                let changed = (records != self.mark.registry)
                    .then(|| (Arc::clone(&index.file), self.dir.join(REGISTRY_INDEX_FILE)));
                (changed, records)
            }
            None => (None, 0),
        };
        Some(MarkJob {
            file,
            path: self.dir.join(INDEX_MARK_FILE),
            mark: Mark {
                // A forged mark may claim the largest generation; wrapping keeps the slots
                // alternating and never panics (the mark is derived data: at worst the next
                // open checks more).
                generation: self.mark.generation.wrapping_add(1),
                entries: self.size,
                registry: records,
            },
            registry,
        })
    }

    /// Makes the entry index and the registry index durable and records that in a new index
    /// mark, now, on this thread (on open after the index was cut, and [`FileStore::sync_index`]).
    /// A failure latches the store like any failed write.
    pub(super) fn write_mark(&mut self) -> Result<(), FileStoreError> {
        let Some(mark) = self.mark_job() else {
            return Ok(());
        };
        let job = Job {
            refusal: Arc::clone(&self.refusal),
            entries: Arc::clone(&self.entries),
            mark: Some(mark),
            grow: None,
        };
        let done = job.run()?;
        self.take_on(done);
        Ok(())
    }

    /// The round of upkeep due after a commit of `group` bytes of frames, if any: a mark once
    /// [`super::MARK_EVERY_ENTRIES`] entries were appended since the last; growth once the free
    /// space of a preallocated log would not hold another group as large (at least a quarter of
    /// a chunk, at most a chunk: a larger batch grows the log in its own commit). So the zeros
    /// after the data stay under two chunks, far below what opening takes for junk
    /// ([`layout::SEARCH_LIMIT`]).
    fn upkeep_job(&self, group: u64) -> Option<Job> {
        let mark = if self.size.saturating_sub(self.mark.entries) >= super::MARK_EVERY_ENTRIES {
            self.mark_job()
        } else {
            None
        };
        let ahead = group.clamp(layout::PREALLOC_CHUNK / 4, layout::PREALLOC_CHUNK);
        let want = self.entries_end.saturating_add(ahead);
        let grow = (self.preallocated && want > self.entries_capacity).then(|| {
            let to = want.div_ceil(layout::PREALLOC_CHUNK) * layout::PREALLOC_CHUNK;
            (self.entries_capacity, to)
        });
        (mark.is_some() || grow.is_some()).then(|| Job {
            refusal: Arc::clone(&self.refusal),
            entries: Arc::clone(&self.entries),
            mark,
            grow,
        })
    }

    /// After a commit of `group` bytes of frames: hands the round of upkeep due, if any, to the
    /// upkeep thread, and returns at once. If the thread cannot be had, the round runs here;
    /// its error, if any, is still reported by the next write, not by this commit.
    pub(super) fn start_upkeep(&mut self, group: u64) {
        if self.upkeep.pending.is_some() || self.refusal.get().is_some() {
            return;
        }
        let Some(job) = self.upkeep_job(group) else {
            return;
        };
        if self.upkeep.worker.is_none() {
            self.upkeep.worker = Worker::start().ok();
        }
        let job = match &self.upkeep.worker {
            Some(worker) => match worker.jobs.send(job) {
                Ok(()) => {
                    self.upkeep.pending = Some(Pending::Sent);
                    return;
                }
                // The thread is gone (it panicked): run the round here.
                Err(mpsc::SendError(job)) => {
                    self.upkeep.worker = None;
                    job
                }
            },
            None => job,
        };
        self.upkeep.pending = Some(Pending::Ran(job.run()));
    }

    /// Waits for the round of upkeep the last commit started, if any (the index mark and the
    /// growth of the log that follow a commit on the store's upkeep thread: docs/STORE.md,
    /// commit protocol step 5), and takes on what it did. Every write calls this first; a
    /// writer may call it to learn of a failed round before its next write.
    ///
    /// # Errors
    /// The round's error (the store latched when it failed), also for an upkeep thread that
    /// stopped.
    pub fn settle(&mut self) -> Result<(), FileStoreError> {
        let result = match self.upkeep.pending.take() {
            None => return Ok(()),
            Some(Pending::Ran(result)) => result,
            Some(Pending::Sent) => {
                let received = self.upkeep.worker.as_ref().and_then(|worker| {
                    let results = worker
                        .results
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    results.recv().ok()
                });
                received.unwrap_or_else(|| {
                    self.upkeep.worker = None;
                    latch(
                        &self.refusal,
                        Err(io::Error::other("the upkeep thread stopped")),
                        &self.dir,
                        "keeping up the index of",
                    )
                    .map(|()| Done::default())
                })
            }
        };
        self.take_on(result?);
        Ok(())
    }

    fn take_on(&mut self, done: Done) {
        if let Some(mark) = done.mark {
            self.mark = mark;
        }
        if let Some(capacity) = done.capacity {
            self.entries_capacity = self.entries_capacity.max(capacity);
        }
    }
}
