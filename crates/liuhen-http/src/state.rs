//! What every handler shares: the ledger directory, the ledger opened for writing once, and
//! the configuration.
use std::sync::Arc;

use liuhen::store::file::FileStore;
use liuhen::{LedgerDir, SharedLedger};
use tokio::sync::Semaphore;

use crate::error::ApiError;
use crate::Config;

/// The state of a running service (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    dir: LedgerDir,
    ledger: Arc<SharedLedger<FileStore>>,
    config: Config,
    pending: Arc<Semaphore>,
}

impl AppState {
    /// Opens `config.dir` for writing on `config.clock` ([`LedgerDir::open_writer_with`]: the writer lock is held for
    /// as long as the service runs; a damaged store is refused).
    ///
    /// # Errors
    /// As [`LedgerDir::open_writer`].
    pub fn open(config: Config) -> Result<Self, liuhen::Error> {
        let dir = LedgerDir::new(&config.dir);
        let ledger = Arc::new(SharedLedger::new(dir.open_writer_with(
            Arc::clone(&config.clock),
            liuhen::LedgerOptions::default(),
        )?));
        let pending = Arc::new(Semaphore::new(config.max_pending.max(1)));
        Ok(AppState {
            inner: Arc::new(Inner {
                dir,
                ledger,
                config,
                pending,
            }),
        })
    }

    /// The ledger directory.
    pub fn dir(&self) -> &LedgerDir {
        &self.inner.dir
    }

    /// The ledger, shared by every request (in an `Arc`, so that a request can hold an
    /// [`liuhen::Arrival`] across threads).
    pub fn ledger(&self) -> &Arc<SharedLedger<FileStore>> {
        &self.inner.ledger
    }

    /// The configuration the service was started with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The bound on write requests in flight.
    pub fn pending(&self) -> &Arc<Semaphore> {
        &self.inner.pending
    }

    /// Runs `f` (a core call that may read or sync the disk) on a blocking thread.
    ///
    /// # Errors
    /// What `f` returns, or an internal error if the blocking task panicked.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
    {
        let state = self.clone();
        tokio::task::spawn_blocking(move || f(&state))
            .await
            .map_err(|e| ApiError::internal(format!("a worker task failed: {e}")))?
    }
}
