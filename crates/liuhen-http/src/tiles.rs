//! The read API: C2SP tlog-tiles v0.1.0 (`/checkpoint`, `/tile/<L>/<N>[.p/<W>]`,
//! `/tile/entries/<N>[.p/<W>]`) and portable proofs as `liuhen-proof/1`
//! (`/v1/proof/inclusion`, `/v1/proof/consistency`); docs/HTTP.md, "Read API".
//!
//! Tile paths, contents and which tree is served are [`liuhen::tiles`]'s; proofs are
//! [`liuhen::proofs::produce`]'s. Each handler makes one core call on a blocking thread with
//! the shared ledger held (`SharedLedger::with`): reads see a store that no append is changing,
//! and no second file handle or index has to be kept in step with the writer. A tile read holds
//! it for at most 256 node or entry reads.
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use liuhen::proofs::{self, ProofRequest};
use liuhen::tiles::{self, Failure, TileError, TilePath};
use serde::Deserialize;

use crate::error::ApiError;
use crate::AppState;

/// `Cache-Control` of a full tile or bundle: its bytes never change.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of a partial tile: a client falls back on the full tile once it exists.
pub const PARTIAL: &str = "public, max-age=60";
/// `Cache-Control` of the checkpoint: it changes at every seal (tlog-tiles: a few seconds).
pub const CHECKPOINT: &str = "public, max-age=5";
/// `Cache-Control` of answers computed per request (proofs) and of errors.
pub const NO_STORE: &str = "no-store";

/// The read routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/checkpoint", get(checkpoint))
        .route("/tile/{*rest}", get(tile))
        .route("/v1/proof/inclusion", get(inclusion))
        .route("/v1/proof/consistency", get(consistency))
}

/// A failure of the core, as a status (never cached).
fn failed(failure: Failure, message: String) -> Response {
    let message = liuhen::text::escape_controls(&message);
    let error = match failure {
        Failure::Malformed => ApiError::malformed(message),
        Failure::Absent => ApiError::not_found(message),
        Failure::Tampered => ApiError::new(StatusCode::CONFLICT, "tampered", message),
        Failure::Internal => ApiError::internal(message),
    };
    no_store(error)
}

fn no_store(error: ApiError) -> Response {
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
    response
}

fn tile_failed(e: &TileError) -> Response {
    failed(e.failure(), e.to_string())
}

/// `GET /checkpoint`: the latest stored checkpoint, authenticated, as stored.
async fn checkpoint(State(state): State<AppState>) -> Response {
    let read = state
        .blocking(|s| {
            Ok(s.ledger()
                .with(|l| tiles::published(l.store()))
                .map_err(liuhen::Error::from)?)
        })
        .await;
    match read {
        Ok(Ok(published)) => (
            [
                (CONTENT_TYPE, "text/plain; charset=utf-8"),
                (CACHE_CONTROL, CHECKPOINT),
            ],
            published.note,
        )
            .into_response(),
        Ok(Err(e)) => tile_failed(&e),
        Err(e) => no_store(e),
    }
}

/// `GET /tile/…`: a hash tile or an entry bundle of the published tree.
async fn tile(State(state): State<AppState>, uri: Uri) -> Response {
    // The raw path, not a decoded one: `%2e%2e` stays what it is and is refused.
    let raw = uri.path().strip_prefix('/').unwrap_or(uri.path());
    let path = match TilePath::parse(raw) {
        Ok(path) => path,
        Err(e) => return tile_failed(&TileError::Path(e)),
    };
    let read = state
        .blocking(move |s| {
            Ok(s.ledger()
                .with(|l| tiles::read(l.store(), &path))
                .map_err(liuhen::Error::from)?)
        })
        .await;
    match read {
        Ok(Ok(bytes)) => (
            [
                (CONTENT_TYPE, "application/octet-stream"),
                (
                    CACHE_CONTROL,
                    if path.is_full() { IMMUTABLE } else { PARTIAL },
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(Err(e)) => tile_failed(&e),
        Err(e) => no_store(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InclusionQuery {
    seq: String,
    size: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsistencyQuery {
    from: String,
    to: Option<String>,
}

/// `GET /v1/proof/inclusion?seq=N[&size=S]`.
async fn inclusion(
    State(state): State<AppState>,
    query: Result<Query<InclusionQuery>, QueryRejection>,
) -> Response {
    let request = query.map_err(rejected).and_then(|Query(q)| {
        Ok(ProofRequest::Inclusion {
            seq: number("seq", &q.seq)?,
            size: q.size.as_deref().map(|s| number("size", s)).transpose()?,
        })
    });
    prove(state, request).await
}

/// `GET /v1/proof/consistency?from=A[&to=B]`.
async fn consistency(
    State(state): State<AppState>,
    query: Result<Query<ConsistencyQuery>, QueryRejection>,
) -> Response {
    let request = query.map_err(rejected).and_then(|Query(q)| {
        Ok(ProofRequest::Consistency {
            old: number("from", &q.from)?,
            new: q.to.as_deref().map(|s| number("to", s)).transpose()?,
        })
    });
    prove(state, request).await
}

fn rejected(e: QueryRejection) -> ApiError {
    ApiError::malformed(liuhen::text::escape_controls(&e.body_text()))
}

/// A decimal `u64` without sign or leading zeros, as a proof document writes one.
fn number(name: &str, value: &str) -> Result<u64, ApiError> {
    let canonical = !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_digit())
        && (value == "0" || !value.starts_with('0'));
    value.parse().ok().filter(|_| canonical).ok_or_else(|| {
        ApiError::malformed(format!(
            "{name} must be a decimal number from 0 to 2^64 - 1 without sign or leading zeros"
        ))
    })
}

/// The proof document (`liuhen-proof/1`), produced from stored checkpoints only. The latest
/// checkpoint is authenticated first, so that a damaged one answers "tampered".
async fn prove(state: AppState, request: Result<ProofRequest, ApiError>) -> Response {
    let request = match request {
        Ok(request) => request,
        Err(e) => return no_store(e),
    };
    let produced = state
        .blocking(move |s| {
            Ok(s.ledger()
                .with(|l| {
                    tiles::published(l.store()).map_err(|e| (e.failure(), e.to_string()))?;
                    proofs::produce(l.store(), request)
                        .map_err(|e| (tiles::proof_failure(&e), e.to_string()))
                })
                .map_err(liuhen::Error::from)?)
        })
        .await;
    match produced {
        Ok(Ok(produced)) => (
            [
                (CONTENT_TYPE, "application/json"),
                (CACHE_CONTROL, NO_STORE),
            ],
            produced.proof.to_json(),
        )
            .into_response(),
        Ok(Err((failure, message))) => failed(failure, message),
        Err(e) => no_store(e),
    }
}
