//! Store backends under fault injection, for the conformance suite's fault tests
//! (`tests/store_conformance.rs`): every backend is opened with a [`Faults`] plan that numbers
//! its commits' writes and syncs and fails the chosen one, and reopened the backend's own way.
//! A new backend adds one [`FaultyBackend`] implementation here and one `backend_suite!` line
//! there.

use liuhen::store::file::FileStore;
use liuhen::store::{Faults, StoreError};
use liuhen::{MemoryStore, Store};

use super::temp::TempDir;

/// A store backend as the fault tests drive it.
pub trait FaultyBackend {
    /// Its store (writer).
    type Store: Store + 'static;

    /// The `backend` its own errors carry in [`StoreError::Backend`].
    const NAME: &'static str;

    /// A fresh, empty writer whose commits' operations are numbered and failed by `faults`.
    fn open(&mut self, faults: &Faults) -> Self::Store;

    /// The backend's reopening of `store` (after its writer was dropped): a new writer, without
    /// faults, over what it recovers.
    fn reopen(&mut self, store: Self::Store) -> Self::Store;
}

/// [`MemoryStore`]: faults through [`MemoryStore::with_faults`], reopening through
/// [`MemoryStore::reopen`].
pub struct MemoryBackend;

impl FaultyBackend for MemoryBackend {
    type Store = MemoryStore;
    const NAME: &'static str = "memory";

    fn open(&mut self, faults: &Faults) -> MemoryStore {
        MemoryStore::new().with_faults(faults.clone())
    }

    fn reopen(&mut self, store: MemoryStore) -> MemoryStore {
        store.reopen()
    }
}

/// [`FileStore`] in scratch directories (removed with the backend): created, then opened
/// with the faults; reopened by [`FileStore::open`].
pub struct FileBackend {
    name: String,
    dirs: Vec<TempDir>,
}

impl FileBackend {
    pub fn new(name: &str) -> Self {
        FileBackend {
            name: name.to_owned(),
            dirs: Vec::new(),
        }
    }
}

impl FaultyBackend for FileBackend {
    type Store = FileStore;
    const NAME: &'static str = "file";

    fn open(&mut self, faults: &Faults) -> FileStore {
        let dir = TempDir::new(&format!("faults-{}", self.name));
        drop(FileStore::create(dir.path(), super::ORIGIN).unwrap());
        let options = liuhen::store::file::OpenOptions {
            faults: Some(faults.clone()),
            ..Default::default()
        };
        let store = FileStore::open_with(dir.path(), &options).unwrap();
        self.dirs.push(dir);
        store
    }

    fn reopen(&mut self, store: FileStore) -> FileStore {
        let dir = store.dir().to_path_buf();
        drop(store);
        FileStore::open(&dir).unwrap()
    }
}

/// Asserts that `e` is `B`'s own error ([`StoreError::Backend`] named `B::NAME`) and that the
/// injected I/O error is in its chain (not replaced, not made up); returns that error's text.
pub fn assert_backend_fault<B: FaultyBackend>(e: &StoreError) -> String {
    let StoreError::Backend { backend, source } = e else {
        panic!("not the backend variant: {e:?}")
    };
    assert_eq!(*backend, B::NAME, "{e}");
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(source.as_ref());
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            let text = io.to_string();
            assert!(text.contains("injected fault"), "{e}: {text}");
            return text;
        }
        cause = c.source();
    }
    panic!("the injected I/O error is not in the chain of {e}")
}

/// How many operations `work` performs on a store with `faults`, and how many of them are syncs.
pub fn count_operations(faults: &Faults, work: impl FnOnce()) -> (u64, u64) {
    let (ops, syncs) = (faults.operations(), faults.syncs());
    work();
    (faults.operations() - ops, faults.syncs() - syncs)
}
