//! `POST /v1/statements`: signed statements into the ledger (docs/HTTP.md, "Ingest").
//!
//! The body is one signed statement (`application/json`, or its binary encoding as
//! `application/octet-stream`) or a JSON Lines batch (`application/jsonl`,
//! `application/x-ndjson`), decoded by the core ([`liuhen::ingest::body::decode_body`]) and
//! appended by [`liuhen::SharedLedger`]: one statement with [`liuhen::Arrival::submit`] (group
//! commit with concurrent clients, led by the state's commit thread; the request holds no
//! thread while it waits, see docs/BENCHMARKS.md, HTTP), a batch with [`append_batch`](liuhen::SharedLedger::append_batch) (all or
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
    let receipts = if kind.is_batch() {
        let bytes = read_body(body, max).await?;
        state
            .blocking(move |state| {
                let statements = decode(kind, &bytes)?;
                drop(bytes);
                append_batch(state, statements)
            })
            .await?
    } else {
        let arrival = state.ledger().arrival();
        let bytes = read_body(body, max).await?;
        let statements = decode(kind, &bytes)?;
        drop(bytes);
        append_one(statements, arrival).await?
    };
    Ok(Json(json!({ "receipts": receipts })))
}

/// The body's statements ([`decode_body`]; CPU only, on a body already bounded by
/// `--max-body`), or the refusal `liuhen append` words.
fn decode(kind: BodyKind, bytes: &[u8]) -> Result<Vec<BodyStatement>, ApiError> {
    decode_body(kind, bytes).map_err(|e| {
        ApiError::of_class(e.class(), &render::body_sentence(BODY, &e)).at_line(e.line())
    })
}

/// The receipts of appended statements as JSON, each with its statement's event and author.
fn receipts_json(receipts: &[liuhen::Receipt], labels: &[Label]) -> Vec<Value> {
    receipts
        .iter()
        .zip(labels)
        .map(|(receipt, (event, author))| {
            Value::Object(render::statement_receipt(receipt, event, author))
        })
        .collect()
}

/// What a receipt is rendered with: the statement's event and author.
type Label = (liuhen::Event, liuhen::PublicKey);

fn label(statement: &BodyStatement) -> Label {
    (
        statement.statement.statement.event.clone(),
        statement.statement.statement.author,
    )
}

/// Appends a single statement with group commit, through its `arrival`, without holding a
/// thread while its group is committed: the signature is checked here, the statement queued
/// ([`Arrival::submit`]) and its outcome awaited; the state's commit thread commits the group
/// and hands the outcome back. Returns its receipt as JSON.
async fn append_one(
    mut statements: Vec<BodyStatement>,
    arrival: Arrival<FileStore>,
) -> Result<Vec<Value>, ApiError> {
    let Some(statement) = statements.pop() else {
        return Ok(Vec::new());
    };
    let line = statement.line;
    let labels = [label(&statement)];
    let (answer, answered) = tokio::sync::oneshot::channel();
    arrival.submit(statement.statement, move |outcome| {
        // The request may be gone (its client hung up); the statement is appended all the same.
        let _ = answer.send(outcome);
    });
    let outcome = answered.await.map_err(|_| {
        ApiError::internal(
            "the commit thread stopped before answering; the statement may or may not have been appended".to_owned(),
        )
    })?;
    let receipt = outcome.map_err(|e| refusal(&e, &[line]))?;
    Ok(receipts_json(&[receipt], &labels))
}

/// Appends a batch all or nothing and returns the receipts as JSON.
fn append_batch(state: &AppState, statements: Vec<BodyStatement>) -> Result<Vec<Value>, ApiError> {
    if statements.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<usize> = statements.iter().map(|s| s.line).collect();
    let labels: Vec<Label> = statements.iter().map(label).collect();
    let statements: Vec<_> = statements.into_iter().map(|s| s.statement).collect();
    let receipts = state
        .ledger()
        .append_batch(statements)
        .map_err(|e| refusal(&e, &lines))?;
    Ok(receipts_json(&receipts, &labels))
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
