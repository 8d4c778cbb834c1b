//! `liuhen-http`: the HTTP adapter of the liuhen evidence ledger (`liuhen serve`).
//!
//! Thin by design (docs/decisions/0005-application-layer.md): every handler parses a request,
//! makes one call into the core library ([`liuhen::ingest`], [`liuhen::SharedLedger`],
//! [`liuhen::proofs`], [`liuhen::check`], …) on a blocking thread, and maps the outcome to a
//! status and a body. What a second adapter (a C ABI, a PostgreSQL deployment) would need too —
//! admission, strict statement parsing, tile contents, case search, proof documents — lives in
//! the core, never here. The endpoints are documented in `docs/HTTP.md`.
//!
//! - **Ingest** ([`ingest`]): `POST /v1/statements`, signed statements (JSON, JSON Lines, the
//!   binary encoding), group-committed under concurrent clients.
//! - **Read API** ([`tiles`]): C2SP tlog-tiles v0.1.0 (`/checkpoint`, `/tile/…`), proofs as
//!   `liuhen-proof/1`.
//! - **Explorer** ([`explorer`]): a read-only web page and its JSON API.
//! - **Administration** ([`admin`]): `POST /v1/seal`, from loopback or a client certificate
//!   only.
#![forbid(unsafe_code)]

pub mod admin;
pub mod client;
pub mod error;
pub mod explorer;
pub mod follow;
pub mod ingest;
pub mod listen;
pub mod state;
pub mod tiles;
pub mod tsa;
pub mod witness;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use liuhen::{Clock, SystemClock};

use axum::Router;

pub use error::ApiError;
pub use listen::{spawn, Background, Peer, ServeError, Server};
pub use state::AppState;

/// Default largest request body, checked before anything is parsed.
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;
/// Default number of write requests admitted at once; more get 503 with `Retry-After`.
pub const DEFAULT_MAX_PENDING: usize = 256;

/// What `liuhen serve` was asked for.
#[derive(Clone)]
pub struct Config {
    /// The ledger directory (made by `liuhen init`).
    pub dir: PathBuf,
    /// Where to listen; port 0 picks a free port (the bound address is reported).
    pub listen: SocketAddr,
    /// TLS: certificate chain and key (PEM); without it the server speaks plain HTTP.
    pub tls: Option<TlsFiles>,
    /// The ledger key file: enables `POST /v1/seal`.
    pub key_file: Option<PathBuf>,
    /// Largest request body in bytes.
    pub max_body: usize,
    /// Write requests admitted at once before 503.
    pub max_pending: usize,
    /// The writer's clock (`logged_at`, the future-skew bound): the system clock, or an
    /// embedding program's own (the demo serves its simulated month on its simulated clock).
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("dir", &self.dir)
            .field("listen", &self.listen)
            .field("tls", &self.tls)
            .field("key_file", &self.key_file)
            .field("max_body", &self.max_body)
            .field("max_pending", &self.max_pending)
            .field("clock_now", &self.clock.now())
            .finish()
    }
}

impl Config {
    /// A configuration with the defaults: plain HTTP, no seal key.
    pub fn new(dir: impl Into<PathBuf>, listen: SocketAddr) -> Self {
        Config {
            dir: dir.into(),
            listen,
            tls: None,
            key_file: None,
            max_body: DEFAULT_MAX_BODY,
            max_pending: DEFAULT_MAX_PENDING,
            clock: Arc::new(SystemClock),
        }
    }
}

/// TLS material, PEM files.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    /// Certificate chain of the server.
    pub cert: PathBuf,
    /// The server's private key.
    pub key: PathBuf,
    /// CA of client certificates allowed to make administrative calls; none: loopback only.
    pub client_ca: Option<PathBuf>,
}

/// Every route of the service, on `state`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(ingest::routes())
        .merge(tiles::routes())
        .merge(explorer::routes())
        .merge(admin::routes())
        .with_state(state)
}
