//! The read-only web explorer and its JSON API (docs/HTTP.md, "Explorer").
//!
//! - `GET /`: the page (HTML, script and style embedded in the binary: no CDN, works offline);
//!   `GET /explorer/app.js`, `GET /explorer/style.css`.
//! - `GET /v1/cases?case_no=&officer=&device=&party=&from=&to=&limit=`: search.
//! - `GET /v1/cases/{case_no}`: a case's timeline.
//! - `GET /v1/entries/{seq}`: an entry in detail, with its inclusion proof against the latest
//!   stored checkpoint, which the page checks in the browser (WebCrypto).
//!
//! Every answer comes from one core call ([`liuhen::cases`]) on a blocking thread, on the
//! store opened read-only (the writer is never held while a page reads). The case index is
//! built in one pass and kept while the store neither grows nor gets a new checkpoint, for at
//! most [`INDEX_MAX_AGE`] (the audit's deadlines move with the clock).
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use liuhen::cases::{self, CaseIndex, CaseQuery, IndexOptions};
use liuhen::Clock;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::AppState;

/// The page.
const INDEX_HTML: &str = include_str!("explorer/index.html");
/// Its script.
const APP_JS: &str = include_str!("explorer/app.js");
/// Its style.
const STYLE_CSS: &str = include_str!("explorer/style.css");

/// Largest JSON body the explorer answers with; the core's caps keep answers far below it.
pub const MAX_JSON_BYTES: usize = 16 * 1024 * 1024;
/// How long a case index is reused while the store does not change.
pub const INDEX_MAX_AGE: Duration = Duration::from_secs(30);

/// Headers of every explorer answer: nothing from elsewhere may run or load, nothing is sniffed.
const SECURITY_HEADERS: [(&str, &str); 4] = [
    (
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
];

/// The explorer routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(page))
        .route("/explorer/app.js", get(script))
        .route("/explorer/style.css", get(style))
        .route("/v1/cases", get(search))
        .route("/v1/cases/{case_no}", get(timeline))
        .route("/v1/entries/{seq}", get(entry))
        .layer(Extension(Arc::new(IndexCache::default())))
}

fn with_headers(
    mut response: Response,
    content_type: &'static str,
    cache: &'static str,
) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

async fn page() -> Response {
    with_headers(
        INDEX_HTML.into_response(),
        "text/html; charset=utf-8",
        "no-cache",
    )
}

async fn script() -> Response {
    with_headers(
        APP_JS.into_response(),
        "text/javascript; charset=utf-8",
        "no-cache",
    )
}

async fn style() -> Response {
    with_headers(
        STYLE_CSS.into_response(),
        "text/css; charset=utf-8",
        "no-cache",
    )
}

/// A JSON answer, bounded in size; never cached (the ledger grows, proofs move to newer
/// checkpoints).
fn json<T: Serialize>(value: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(value)
        .map_err(|e| ApiError::internal(format!("cannot encode the answer: {e}")))?;
    if body.len() > MAX_JSON_BYTES {
        return Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "too-large",
            format!(
                "the answer would be {} bytes, more than the explorer's bound of {MAX_JSON_BYTES}: narrow the search",
                body.len()
            ),
        ));
    }
    Ok(with_headers(
        (StatusCode::OK, body).into_response(),
        "application/json",
        "no-store",
    ))
}

/// An error, with the explorer's headers.
fn error(e: ApiError) -> Response {
    let response = e.into_response();
    with_headers(response, "application/json", "no-store")
}

/// The search parameters (unknown ones are ignored).
#[derive(Debug, Default, Deserialize)]
struct SearchParams {
    case_no: Option<String>,
    officer: Option<String>,
    device: Option<String>,
    party: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<String>,
}

async fn search(
    Extension(cache): Extension<Arc<IndexCache>>,
    axum::extract::State(state): axum::extract::State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Response {
    let result = async {
        let Query(p) = params.map_err(|e| ApiError::malformed(e.body_text()))?;
        let mut query = CaseQuery::from_text(
            p.case_no.as_deref(),
            p.officer.as_deref(),
            p.device.as_deref(),
            p.party.as_deref(),
            p.from.as_deref(),
            p.to.as_deref(),
        )
        .map_err(|e| ApiError::malformed(e.to_string()))?;
        if let Some(limit) = p.limit.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            query.limit = limit.parse().map_err(|_| {
                ApiError::malformed(format!("limit must be a number of cases, not {limit:?}"))
            })?;
        }
        let index = cache.get(&state).await?;
        json(&index.search(&query))
    };
    result.await.unwrap_or_else(error)
}

async fn timeline(
    Extension(cache): Extension<Arc<IndexCache>>,
    axum::extract::State(state): axum::extract::State<AppState>,
    Path(case_no): Path<String>,
) -> Response {
    let result = async {
        if case_no.len() > cases::MAX_QUERY_BYTES {
            return Err(ApiError::malformed(format!(
                "a case number is at most {} bytes",
                cases::MAX_QUERY_BYTES
            )));
        }
        let index = cache.get(&state).await?;
        match index.timeline(&case_no) {
            Some(t) => json(&t),
            None => Err(ApiError::not_found(format!(
                "the ledger has no case {:?}",
                liuhen::text::escape_controls(&case_no)
            ))),
        }
    };
    result.await.unwrap_or_else(error)
}

async fn entry(
    axum::extract::State(state): axum::extract::State<AppState>,
    Path(seq): Path<String>,
) -> Response {
    let result = async {
        let seq: u64 = seq.parse().map_err(|_| {
            ApiError::malformed("an entry is named by its sequence number (0, 1, 2, …)")
        })?;
        let detail = state
            .blocking(move |s| {
                let store = s.dir().open_read_only().map_err(liuhen::Error::from)?;
                cases::entry_detail(&store, seq).map_err(|e| ApiError::from(liuhen::Error::from(e)))
            })
            .await?;
        match detail {
            Some(d) => json(&d),
            None => Err(ApiError::not_found(format!(
                "the ledger has no entry {seq}"
            ))),
        }
    };
    result.await.unwrap_or_else(error)
}

/// The last case index built, with what it was built from.
#[derive(Default)]
struct IndexCache {
    slot: Mutex<Option<Cached>>,
}

struct Cached {
    /// Entries and checkpoints of the store it was built from.
    shape: (u64, u64),
    built: Instant,
    index: Arc<CaseIndex>,
}

impl IndexCache {
    /// The index of the store as it is now: the cached one if the store has neither grown nor
    /// been sealed since and it is young enough, else a new one (built on a blocking thread;
    /// concurrent requests wait for that one build instead of each making their own).
    async fn get(self: &Arc<Self>, state: &AppState) -> Result<Arc<CaseIndex>, ApiError> {
        let cache = Arc::clone(self);
        state
            .blocking(move |s| {
                let store = s.dir().open_read_only().map_err(liuhen::Error::from)?;
                let shape = (store.size(), store.checkpoint_count());
                let mut slot = cache
                    .slot
                    .lock()
                    .map_err(|_| ApiError::internal("the case index cache was poisoned"))?;
                if let Some(c) = slot.as_ref() {
                    if c.shape == shape && c.built.elapsed() < INDEX_MAX_AGE {
                        return Ok(Arc::clone(&c.index));
                    }
                }
                let options = IndexOptions::as_of(liuhen::SystemClock.now());
                let index = Arc::new(
                    CaseIndex::build(&store, &options)
                        .map_err(|e| ApiError::from(liuhen::Error::from(e)))?,
                );
                *slot = Some(Cached {
                    shape,
                    built: Instant::now(),
                    index: Arc::clone(&index),
                });
                Ok(index)
            })
            .await
    }
}
