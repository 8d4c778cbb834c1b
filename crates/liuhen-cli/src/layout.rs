//! The ledger directory layout is the core's ([`liuhen::dir`]): every adapter opens a ledger
//! directory the same way.

pub use liuhen::dir::{LedgerDir, MEDIA_DIR, STORE_DIR, VKEY_FILE};
