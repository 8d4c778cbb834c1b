//! Witnesses: C2SP `tlog-witness` v1.0.0 `add-checkpoint`, both sides, without networking.
//!
//! - [`request`]: the request body codec ([`AddCheckpointRequest`]).
//! - [`service`]: a witness ([`Witness`]) with its directory ([`WitnessDir`]): trusted logs,
//!   the durable latest cosigned checkpoint per origin, and the split-view evidence it keeps
//!   ([`SplitView`]). [`Witness::add_checkpoint`] is the whole protocol; an HTTP adapter maps
//!   its [`Refusal`] to [`Refusal::status`].
//! - [`client`]: [`request_cosignature`] over a [`WitnessTransport`] the adapter provides.
//!
//! A witness never cosigns two inconsistent checkpoints of one log: the old-size check, the
//! consistency check and the durable write of the new latest checkpoint happen under one lock,
//! and the cosignature is returned only after the write (and the directory) are synced.
pub mod client;
pub mod request;
pub mod service;

pub use client::{
    add_checkpoint_url, request_cosignature, CosignError, ProofSource, TransportResponse,
    WitnessCosignature, WitnessEndpoint, WitnessTransport, SIZE_CONTENT_TYPE,
};
pub use request::{AddCheckpointRequest, RequestError, MAX_PROOF_LINES, MAX_REQUEST_BYTES};
pub use service::{origin_file_name, Kept, Refusal, SplitView, Witness, WitnessDir, WitnessError};

#[cfg(test)]
mod tests;
