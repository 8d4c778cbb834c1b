#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod admission;
pub mod audit;
pub mod bundle;
pub mod cases;
pub mod check;
pub mod checkpoint;
pub mod class;
pub mod clock;
pub mod commitment;
pub mod describe;
pub mod dir;
pub mod disclosure;
pub mod encoding;
pub mod entry;
pub mod error;
pub mod hash;
pub mod ingest;
pub mod init;
pub mod keyfile;
pub mod keys;
pub mod ledger;
pub mod media;
pub mod merkle;
pub mod model;
pub mod policy;
pub mod proofs;
pub mod proven;
pub mod registry;
pub mod sealing;
pub mod setup;
pub mod shared;
pub mod store;
pub mod text;
pub mod tiles;
pub mod timestamp;
pub mod vault;
pub mod verify;
pub mod witness;

pub use class::ErrorClass;
pub use clock::{Clock, ManualClock, SystemClock};
pub use dir::{DirError, LedgerDir};
pub use entry::{Binding, Entry, FormatVersion, SignedStatement, Statement};
pub use error::Error;
pub use hash::Digest;
pub use keys::{PublicKey, SecretKey, Signature, Signer};
pub use ledger::{Ledger, LedgerError, LedgerOptions, Receipt};
pub use model::{Event, Timestamp};
pub use shared::{Arrival, GroupStats, SharedError, SharedLedger};
pub use store::{MemoryStore, Store, StoreError, StoreRead, StoreWrite};
pub use verify::{verify_parts, verify_store, Report, Verdict, VerifyOptions};
