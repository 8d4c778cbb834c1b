//! liuhen (留痕, "leave a trace") — a tamper-evident evidence ledger for the full-process
//! recording of administrative law enforcement.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod hash;
pub mod merkle;
pub mod checkpoint;
