//! The witness over HTTP: C2SP `tlog-witness` v1.0.0 `POST <prefix>/add-checkpoint`
//! (`liuhen witness serve`), and the client transport `liuhen seal --witness` sends with.
//!
//! The handler reads the body up to a bound, makes one call into the core
//! ([`liuhen::witness::Witness::add_checkpoint`]) on a blocking thread, and maps the outcome:
//! 200 with the cosignature lines; 409 with `text/x.tlog.size` and the latest size when the old
//! size is stale; the spec's 400, 403, 404, 409 and 422 with a sentence; 413 for a body over
//! the bound; 500 when the witness cannot persist (nothing is cosigned then).
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use http_body_util::{BodyExt, Limited};
use liuhen::witness::{
    TransportResponse, Witness, WitnessError, WitnessTransport, MAX_REQUEST_BYTES,
};
use liuhen::{Clock, SystemClock};

use crate::client::BlockingClient;

/// Default largest `add-checkpoint` body: the largest request the core parses.
pub const DEFAULT_MAX_WITNESS_BODY: usize = MAX_REQUEST_BYTES;

/// What `liuhen witness serve` was asked for.
#[derive(Clone)]
pub struct WitnessConfig {
    /// The witness directory (made by `liuhen witness init`).
    pub dir: PathBuf,
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The submission prefix: `add-checkpoint` is served at `<prefix>/add-checkpoint`.
    pub prefix: String,
    /// Largest request body, checked before it is read.
    pub max_body: usize,
    /// The clock of the cosignature timestamps (the system clock, or an embedding program's).
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for WitnessConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WitnessConfig")
            .field("dir", &self.dir)
            .field("listen", &self.listen)
            .field("prefix", &self.prefix)
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl WitnessConfig {
    /// The defaults: prefix `/`, body bound [`DEFAULT_MAX_WITNESS_BODY`].
    pub fn new(dir: impl Into<PathBuf>, listen: SocketAddr) -> Self {
        WitnessConfig {
            dir: dir.into(),
            listen,
            prefix: "/".into(),
            max_body: DEFAULT_MAX_WITNESS_BODY,
            clock: Arc::new(SystemClock),
        }
    }
}

/// Why the witness service could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WitnessServeError {
    /// The witness directory could not be opened.
    #[error("cannot serve the witness {dir}: {source}")]
    Open {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: WitnessError,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The runtime failed.
    #[error("witness service: {0}")]
    Runtime(String),
}

#[derive(Clone)]
struct WitnessState {
    witness: Arc<Witness>,
    max_body: usize,
    clock: Arc<dyn Clock>,
}

/// The path of `add-checkpoint` under `prefix` (`/` → `/add-checkpoint`).
pub fn route_path(prefix: &str) -> String {
    let trimmed = prefix.trim_matches('/');
    if trimmed.is_empty() {
        "/add-checkpoint".into()
    } else {
        format!("/{trimmed}/add-checkpoint")
    }
}

/// The witness's routes: `POST <prefix>/add-checkpoint`, cosigning at `clock`'s time.
pub fn router(
    witness: Arc<Witness>,
    prefix: &str,
    max_body: usize,
    clock: Arc<dyn Clock>,
) -> Router {
    Router::new()
        .route(&route_path(prefix), post(add_checkpoint))
        .with_state(WitnessState {
            witness,
            max_body,
            clock,
        })
}

fn text(status: StatusCode, content_type: &'static str, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn plain(status: StatusCode, body: String) -> Response {
    text(status, "text/plain; charset=utf-8", body)
}

async fn add_checkpoint(
    State(state): State<WitnessState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let too_large = || {
        plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body larger than {} bytes\n", state.max_body),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > state.max_body as u64) {
        return too_large();
    }
    let bytes = match Limited::new(body, state.max_body).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return too_large(),
        Err(e) => {
            return plain(
                StatusCode::BAD_REQUEST,
                format!("the request body could not be read: {e}\n"),
            )
        }
    };
    let witness = Arc::clone(&state.witness);
    // Seconds since the epoch; a clock before 1970 cosigns at 0.
    let now = u64::try_from(state.clock.now().0 / 1000).unwrap_or(0);
    let outcome = tokio::task::spawn_blocking(move || witness.answer(&bytes, now)).await;
    match outcome {
        Ok((answer, refusal)) => {
            let status =
                StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if let Some(refusal) = refusal {
                if status.is_server_error() {
                    tracing::error!(error = %refusal, "add-checkpoint failed");
                } else {
                    tracing::info!(status = status.as_u16(), refusal = %refusal, "add-checkpoint refused");
                }
            }
            let content_type = answer.content_type.unwrap_or_default();
            (status, [(header::CONTENT_TYPE, content_type)], answer.body).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "add-checkpoint task failed");
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error; nothing was cosigned\n".into(),
            )
        }
    }
}

/// Opens the witness and serves it until SIGINT or SIGTERM, on a runtime of its own; `ready`
/// is told the bound address once it accepts connections. Requests in flight are answered
/// before it returns.
///
/// # Errors
/// [`WitnessServeError`].
pub fn serve_blocking(
    config: WitnessConfig,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), WitnessServeError> {
    let witness = Witness::open(&config.dir).map_err(|source| WitnessServeError::Open {
        dir: config.dir.clone(),
        source,
    })?;
    tracing::info!(
        vkey = %witness.vkey(),
        logs = witness.origins().len(),
        dir = %config.dir.display(),
        "witness opened"
    );
    let app = router(
        Arc::new(witness),
        &config.prefix,
        config.max_body,
        Arc::clone(&config.clock),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| WitnessServeError::Runtime(e.to_string()))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| WitnessServeError::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| WitnessServeError::Bind {
                addr: config.listen,
                source,
            })?;
        tracing::info!(%addr, path = %route_path(&config.prefix), "listening");
        ready(addr);
        axum::serve(listener, app)
            .with_graceful_shutdown(stop_signal())
            .await
            .map_err(|e| WitnessServeError::Runtime(e.to_string()))
    })
}

/// SIGINT or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            tokio::select! {
                _ = term.recv() => {},
                _ = int.recv() => {},
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The witness client transport over [`BlockingClient`] (keep-alive connections, a timeout per
/// request).
#[derive(Debug)]
pub struct HttpTransport {
    client: BlockingClient,
}

impl HttpTransport {
    /// A transport whose requests fail after `timeout`.
    ///
    /// # Errors
    /// The client's runtime could not start.
    pub fn new(timeout: Duration) -> std::io::Result<Self> {
        Ok(HttpTransport {
            client: BlockingClient::new(timeout)?,
        })
    }
}

impl WitnessTransport for HttpTransport {
    fn post(&self, url: &str, body: &[u8]) -> Result<TransportResponse, String> {
        let response = self
            .client
            // Cosignature lines to add to a note: never more than a note may hold.
            .post_at_most(
                url,
                "text/plain; charset=utf-8",
                body.to_vec(),
                liuhen::checkpoint::MAX_NOTE_BYTES,
            )
            .map_err(|e| e.to_string())?;
        Ok(TransportResponse {
            status: response.status,
            content_type: response.content_type,
            body: response.body.to_vec(),
        })
    }
}
