//! `LedgerBuilder`: the one place the integration tests create a ledger (genesis, the keys it
//! authorizes, the clock it runs on, its options and format), in memory or on a file store.
//!
//! ```ignore
//! let b = LedgerBuilder::new().v1().officer().device().build();
//! b.ledger.sign_and_append(&b.k.officer, event)?;
//! ```
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;

use liuhen::model::{Event, Role, Timestamp};
use liuhen::store::file::FileStore;
use liuhen::store::Store;
use liuhen::{FormatVersion, Ledger, LedgerOptions, ManualClock, MemoryStore, PublicKey, Signer};

use super::{keys, Keys, ORIGIN, T0};

/// Holder named for the officer key in every fixture.
pub const OFFICER_ID: &str = "21020001";
/// Holder named for the device key in every fixture.
pub const DEVICE_ID: &str = "BWC-7731";

/// A ledger under construction: nothing is written until [`LedgerBuilder::build`].
pub struct LedgerBuilder<S = MemoryStore> {
    store: S,
    origin: String,
    keys: Keys,
    clock: Arc<ManualClock>,
    options: LedgerOptions,
    /// Where the clock is set right after genesis (statements dated before genesis are
    /// refused, so fixtures often start the ledger early and run it ahead).
    clock_after_genesis: Option<i64>,
    authorized: Vec<(PublicKey, Role, String)>,
    sealed: bool,
}

/// What [`LedgerBuilder::build`] made.
pub struct Built<S: Store = MemoryStore> {
    pub ledger: Ledger<S>,
    pub k: Keys,
    pub clock: Arc<ManualClock>,
}

impl LedgerBuilder<MemoryStore> {
    /// A format-default ledger in memory, origin [`ORIGIN`], the fixed [`keys`], its clock at
    /// [`T0`], nothing authorized.
    pub fn new() -> Self {
        LedgerBuilder {
            store: MemoryStore::new(),
            origin: ORIGIN.to_owned(),
            keys: keys(),
            clock: Arc::new(ManualClock::new(Timestamp(T0))),
            options: LedgerOptions::default(),
            clock_after_genesis: None,
            authorized: Vec::new(),
            sealed: false,
        }
    }
}

impl Default for LedgerBuilder<MemoryStore> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Store> LedgerBuilder<S> {
    /// The same ledger on another (empty) store.
    pub fn store<T: Store>(self, store: T) -> LedgerBuilder<T> {
        LedgerBuilder {
            store,
            origin: self.origin,
            keys: self.keys,
            clock: self.clock,
            options: self.options,
            clock_after_genesis: self.clock_after_genesis,
            authorized: self.authorized,
            sealed: self.sealed,
        }
    }

    /// On a new file store in `dir` (created with this builder's origin: call [`Self::origin`]
    /// first to change it).
    pub fn file_store(self, dir: impl AsRef<Path>) -> LedgerBuilder<FileStore> {
        let store = FileStore::create(dir.as_ref(), &self.origin).unwrap();
        self.store(store)
    }

    pub fn origin(mut self, origin: &str) -> Self {
        self.origin = origin.to_owned();
        self
    }

    pub fn keys(mut self, keys: Keys) -> Self {
        self.keys = keys;
        self
    }

    /// Genesis is logged at `t` (ms).
    pub fn at(self, t: i64) -> Self {
        self.clock.set(Timestamp(t));
        self
    }

    /// Runs on `clock` (shared with the test).
    pub fn clock(mut self, clock: Arc<ManualClock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the clock to `t` right after genesis, before anything is authorized.
    pub fn then_at(mut self, t: i64) -> Self {
        self.clock_after_genesis = Some(t);
        self
    }

    pub fn options(mut self, options: LedgerOptions) -> Self {
        self.options = options;
        self
    }

    pub fn format(mut self, format: FormatVersion) -> Self {
        self.options.format = format;
        self
    }

    /// Format v1: statements signed outside the ledger, bound to no ledger, are admitted.
    pub fn v1(self) -> Self {
        self.format(FormatVersion::V1)
    }

    /// Authorizes `key` in `role` for `holder` (signed by the ledger key), in call order.
    pub fn authorize(mut self, key: PublicKey, role: Role, holder: &str) -> Self {
        self.authorized.push((key, role, holder.to_owned()));
        self
    }

    /// Authorizes the officer key as [`OFFICER_ID`].
    pub fn officer(self) -> Self {
        let key = self.keys.officer.public_key();
        self.authorize(key, Role::Officer, OFFICER_ID)
    }

    /// Authorizes the device key as [`DEVICE_ID`].
    pub fn device(self) -> Self {
        let key = self.keys.device.public_key();
        self.authorize(key, Role::Device, DEVICE_ID)
    }

    /// The field team of the recording fixtures: format v1 (statements signed outside the
    /// ledger, bound to no ledger, dated from [`T0`]), the clock a day after genesis so that
    /// none is future-dated, the officer and the device authorized.
    pub fn v1_field_team(self) -> Self {
        self.v1().then_at(T0 + 86_400_000).officer().device()
    }

    /// Seals once everything is authorized.
    pub fn sealed(mut self) -> Self {
        self.sealed = true;
        self
    }

    /// Creates the ledger: genesis, the clock moved if asked, the authorizations, the seal.
    pub fn build(self) -> Built<S> {
        let mut ledger = Ledger::create(
            self.store,
            &self.origin,
            &self.keys.ledger,
            self.clock.clone(),
            self.options,
        )
        .unwrap();
        if let Some(t) = self.clock_after_genesis {
            self.clock.set(Timestamp(t));
        }
        for (key, role, holder) in self.authorized {
            let event = Event::KeyAuthorized { key, role, holder };
            ledger.sign_and_append(&self.keys.ledger, event).unwrap();
        }
        if self.sealed {
            ledger.seal(&self.keys.ledger).unwrap();
        }
        Built {
            ledger,
            k: self.keys,
            clock: self.clock,
        }
    }
}

impl<S: Store> Built<S> {
    /// Signs and appends `event` by `author`, after moving the clock `step` ms on.
    pub fn append_after(&mut self, step: i64, author: &dyn Signer, event: Event) -> u64 {
        self.clock.advance(step);
        self.ledger.sign_and_append(author, event).unwrap().seq
    }

    /// Signs a checkpoint with the ledger key.
    pub fn seal(&mut self) {
        self.ledger.seal(&self.k.ledger).unwrap();
    }

    /// Writes the ledger's verifier key to `path` (what an auditor is handed).
    pub fn write_vkey(&self, path: &Path) {
        write_vkey(&self.ledger, path);
    }
}

/// Writes `ledger`'s verifier key to `path`.
pub fn write_vkey<S: Store>(ledger: &Ledger<S>, path: &Path) {
    liuhen::keyfile::write_verifier_key(path, &ledger.verifier_key().unwrap()).unwrap();
}

/// The event of entry `seq` of `store`.
pub fn event_at<S: Store>(store: &S, seq: u64) -> Event {
    let bytes = store.entry_bytes(seq).unwrap();
    liuhen::Entry::from_bytes(&bytes)
        .unwrap()
        .statement
        .statement
        .event
}

/// The event of `ledger`'s last entry.
pub fn last_event<S: Store>(ledger: &Ledger<S>) -> Event {
    event_at(ledger.store(), ledger.size() - 1)
}
