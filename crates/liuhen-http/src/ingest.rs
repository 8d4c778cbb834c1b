//! `POST /v1/statements`: signed statements into the ledger (docs/HTTP.md, "Ingest").
//!
//! The body is one signed statement (`application/json`, or its binary encoding as
//! `application/octet-stream`) or a JSON Lines batch (`application/jsonl`,
//! `application/x-ndjson`), decoded by the core ([`liuhen::ingest::body::decode_body`]) and
//! appended by [`liuhen::SharedLedger`]: one statement with
//! [`append_signed`](liuhen::SharedLedger::append_signed) (group commit with concurrent
//! clients), a batch with [`append_batch`](liuhen::SharedLedger::append_batch) (all or
//! nothing, one store batch; the body is already bounded by `--max-body`, so the core's
//! spooling ingest path, which exists for unbounded files, is not needed). The answer is
//! `{"receipts": [RECEIPT…]}` with the receipts `liuhen append --json` prints; a refusal is an
//! [`ApiError`] whose status is the core's [`liuhen::ErrorClass`] of the failure and whose
//! sentence is `liuhen append`'s.
//!
//! Limits, before anything is parsed: a body longer than `--max-body` is refused from its
//! `Content-Length` before it is read, and while it is read when it is chunked; a request that
//! finds `--max-pending` write requests in flight gets 503 with `Retry-After` before its body is
//! read, so memory is bounded by `max_pending × max_body`.
use std::pin::Pin;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use hyper::body::Body as _;
use liuhen::ingest::body::{decode_body, BodyKind, BodyStatement};
use liuhen::ingest::render;
use liuhen::store::file::FileStore;
use liuhen::{Arrival, LedgerError, SharedError};
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::AppState;

/// How a request body is named in error sentences (as `liuhen append` names its input).
const BODY: &str = "request body";

/// Seconds a client refused for a full queue should wait.
const RETRY_AFTER_SECS: u32 = 1;

/// The ingest routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/statements", post(append))
}

/// `POST /v1/statements`.
async fn append(State(state): State<AppState>, request: Request) -> Result<Json<Value>, ApiError> {
    let (parts, body) = request.into_parts();
    let kind = body_kind(&parts.headers)?;
    let max = state.config().max_body;
    if let Some(len) = content_length(&parts.headers)? {
        if len > max as u64 {
            return Err(too_large(max));
        }
    }
    // Bounded queue: a permit per write request in flight, taken before the body is read.
    let _permit = state.pending().clone().try_acquire_owned().map_err(|_| {
        ApiError::busy(
            RETRY_AFTER_SECS,
            format!(
                "the server is busy: {} write requests are in flight; nothing was read or appended, retry later",
                state.config().max_pending
            ),
        )
    })?;
    // One statement joins a group commit: from here on, until it is queued or the request
    // fails, the group's leader waits for it (briefly) while its body is read and decoded.
    let arrival = (!kind.is_batch()).then(|| state.ledger().arrival());
    let bytes = read_body(body, max).await?;
    let receipts = state
        .blocking(move |state| {
            let statements = decode_body(kind, &bytes).map_err(|e| {
                ApiError::of_class(e.class(), &render::body_sentence(BODY, &e)).at_line(e.line())
            })?;
            drop(bytes);
            append_statements(state, kind, statements, arrival)
        })
        .await?;
    Ok(Json(json!({ "receipts": receipts })))
}

/// Appends the decoded statements (a single statement with group commit, through its
/// `arrival` if it has one; a batch all or nothing) and returns their receipts as JSON.
fn append_statements(
    state: &AppState,
    kind: BodyKind,
    statements: Vec<BodyStatement>,
    arrival: Option<Arrival<FileStore>>,
) -> Result<Vec<Value>, ApiError> {
    let lines: Vec<usize> = statements.iter().map(|s| s.line).collect();
    let labels: Vec<_> = statements
        .iter()
        .map(|s| {
            (
                s.statement.statement.event.clone(),
                s.statement.statement.author,
            )
        })
        .collect();
    let statements: Vec<_> = statements.into_iter().map(|s| s.statement).collect();
    let outcome = if kind.is_batch() {
        if statements.is_empty() {
            return Ok(Vec::new());
        }
        state.ledger().append_batch(statements)
    } else {
        let mut statements = statements;
        match statements.pop() {
            Some(statement) => match arrival {
                Some(arrival) => arrival.append_signed(statement),
                None => state.ledger().append_signed(statement),
            }
            .map(|r| vec![r]),
            None => return Ok(Vec::new()),
        }
    };
    let receipts = outcome.map_err(|e| refusal(&e, &lines))?;
    Ok(receipts
        .iter()
        .zip(&labels)
        .map(|(receipt, (event, author))| {
            Value::Object(render::statement_receipt(receipt, event, author))
        })
        .collect())
}

/// A refused or failed append as an error: the refused statement's line and `liuhen append`'s
/// sentence, the status of its class.
fn refusal(e: &SharedError, lines: &[usize]) -> ApiError {
    let class = e.class();
    match e {
        SharedError::Ledger(ledger_error) => {
            let (index, _) = liuhen::text::refusal(ledger_error);
            match index.and_then(|i| lines.get(i)) {
                Some(&line) => ApiError::of_class(
                    class,
                    &render::refused_sentence(BODY, line, ledger_error, &reason),
                )
                .at_line(Some(line)),
                None => ApiError::of_class(class, &format!("{e}; nothing was appended")),
            }
        }
        other => ApiError::of_class(class, &other.to_string()),
    }
}

/// `liuhen append`'s wording of a refusal.
fn reason(e: &LedgerError) -> String {
    liuhen::text::refusal(e).1
}

/// The body's kind from its `Content-Type`, or 415.
fn body_kind(headers: &HeaderMap) -> Result<BodyKind, ApiError> {
    let value = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    BodyKind::from_content_type(value).ok_or_else(|| {
        ApiError::unsupported_type(format!(
            "Content-Type {value:?} is not taken here: send one signed statement as application/json or application/octet-stream (binary encoding), or a batch as application/jsonl; nothing was appended"
        ))
    })
}

/// The declared `Content-Length`, if any.
fn content_length(headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
    let Some(value) = headers.get(CONTENT_LENGTH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Some)
        .ok_or_else(|| ApiError::malformed("Content-Length is not a number; nothing was appended"))
}

fn too_large(max: usize) -> ApiError {
    ApiError::too_large(format!(
        "the request body is larger than the limit of {max} bytes (--max-body); nothing was read or appended"
    ))
}

/// Reads the body, refusing it as soon as it exceeds `max` bytes.
async fn read_body(mut body: Body, max: usize) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| {
            ApiError::malformed(format!(
                "the request body could not be read: {e}; nothing was appended"
            ))
        })?;
        if let Ok(data) = frame.into_data() {
            if out.len().saturating_add(data.len()) > max {
                return Err(too_large(max));
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}
