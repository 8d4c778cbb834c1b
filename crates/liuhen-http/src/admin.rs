//! Administrative calls and monitoring (docs/HTTP.md, "Operation").
//!
//! - `POST /v1/seal`: signs a checkpoint as `liuhen seal` does ([`liuhen::sealing::seal`]:
//!   checked against the seal state beside the key before anything is signed). Only from an
//!   administrative peer ([`Peer::is_admin`]: loopback, or a verified client certificate; else
//!   403), and only when the service was started with `--key-file` (else 404: the call does not
//!   exist on this server). The key is read and checked to be the ledger key once, at start. A
//!   refusal is tampering: 409 `tampered`, nothing signed.
//! - `GET /v1/health`: the ledger's size, the size of the latest stored checkpoint, and whether
//!   the store still takes writes (a failed write latches it read-only until a restart): 200
//!   when it does, 503 when it does not; and what the server made of the caller (`admin`,
//!   `client_certificate`), to check a client-certificate setup.
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use liuhen::checkpoint::SignedCheckpoint;
use liuhen::sealing::{SealError, SealKey};
use serde_json::json;

use crate::error::ApiError;
use crate::listen::Peer;
use crate::AppState;

/// The seal key read at start (`--key-file`), given to the handlers as a request extension by
/// the listener; `None` when the service has no key.
#[derive(Clone, Debug, Default)]
pub struct SealKeyExt(pub Option<Arc<SealKey>>);

/// The administrative routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/seal", post(seal))
        .route("/v1/health", get(health))
}

/// Whether `peer` may make administrative calls: 403 otherwise (and for a request without a
/// peer, which only an in-process caller can make).
fn require_admin(peer: Option<&Peer>) -> Result<(), ApiError> {
    match peer {
        Some(peer) if peer.is_admin() => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "administrative calls are taken from loopback, or over TLS with a client certificate issued by the configured client CA",
        )),
    }
}

async fn seal(
    State(state): State<AppState>,
    peer: Option<Extension<Peer>>,
    key: Option<Extension<SealKeyExt>>,
) -> Result<Response, ApiError> {
    require_admin(peer.as_ref().map(|Extension(p)| p))?;
    let Some(key) = key.and_then(|Extension(SealKeyExt(key))| key) else {
        return Err(ApiError::not_found(
            "sealing is not enabled on this server: start `liuhen serve` with --key-file",
        ));
    };
    let outcome = state
        .blocking(move |state| {
            let dir = state.config().dir.display().to_string();
            state
                .ledger()
                .with(|ledger| liuhen::sealing::seal(ledger, &key))
                .map_err(|e| ApiError::from(liuhen::Error::from(e)))?
                .map_err(|e| seal_error(&dir, &e))
        })
        .await?;
    for warning in &outcome.warnings {
        tracing::warn!(%warning, "seal");
    }
    let signed = &outcome.sealed.checkpoint;
    let checkpoint = signed.checkpoint();
    tracing::info!(origin = %checkpoint.origin, size = checkpoint.size, "sealed");
    let warnings: Vec<String> = outcome.warnings.iter().map(ToString::to_string).collect();
    let body = json!({
        "origin": checkpoint.origin,
        "size": checkpoint.size,
        "root": checkpoint.root.to_hex(),
        "note": signed.to_string(),
        "warnings": warnings,
    });
    Ok((StatusCode::OK, Json(body)).into_response())
}

/// A seal that failed: tampering is 409 with the CLI's sentence; anything else a fault of the
/// server (500).
fn seal_error(dir: &str, e: &SealError) -> ApiError {
    let text = liuhen::text::escape_controls(&e.to_string());
    if e.is_tampering() {
        tracing::error!(error = %text, "seal refused: nothing was signed");
        ApiError::new(
            StatusCode::CONFLICT,
            "tampered",
            format!(
                "refusing to seal {dir}: {text}; nothing was signed; run `liuhen verify {dir}`"
            ),
        )
    } else {
        ApiError::internal(text)
    }
}

async fn health(
    State(state): State<AppState>,
    peer: Option<Extension<Peer>>,
) -> Result<Response, ApiError> {
    // The reason a store refuses writes names server paths: told to administrative peers only.
    let admin = peer.as_ref().is_some_and(|Extension(p)| p.is_admin());
    let client_certificate = peer
        .as_ref()
        .is_some_and(|Extension(p)| p.client_certificate);
    // Through the store's reader (write health is the store's to tell): a health check never
    // waits for a commit in progress. The checkpoint first, then the size it cannot exceed.
    let (size, latest, refusal) = state
        .blocking(|state| {
            let reader = state.ledger().reader();
            let store_error = |e| ApiError::from(liuhen::Error::from(e));
            let latest = reader.latest_checkpoint().map_err(store_error)?;
            let size = reader.size().map_err(store_error)?;
            Ok::<_, ApiError>((size, latest, reader.refusal()))
        })
        .await?;
    let checkpoint_size = match latest {
        None => None,
        Some(text) => Some(
            SignedCheckpoint::parse(text.as_bytes())
                .map_err(|e| ApiError::from(liuhen::Error::from(e)))?
                .checkpoint()
                .size,
        ),
    };
    let writable = refusal.is_none();
    let status = if writable {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if writable { "ok" } else { "read-only" },
        "size": size,
        "checkpoint_size": checkpoint_size,
        "unsealed": checkpoint_size.map(|c| size.saturating_sub(c)),
        "writable": writable,
        "write_failure": if admin {
            refusal
        } else {
            refusal.map(|_| String::from("the store refuses writes; see the server's log"))
        },
        // What the server made of the caller: to check a client-certificate setup.
        "caller": { "admin": admin, "client_certificate": client_certificate },
    });
    Ok((status, Json(body)).into_response())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn peer(addr: &str, client_certificate: bool) -> Peer {
        Peer {
            addr: addr.parse().unwrap(),
            client_certificate,
        }
    }

    #[test]
    fn only_loopback_or_a_verified_client_certificate_is_admin() {
        // The addresses are only parsed here: nothing is sent to them.
        assert!(peer("127.0.0.1:5000", false).is_admin());
        assert!(peer("[::1]:5000", false).is_admin());
        assert!(peer("127.8.9.10:5000", false).is_admin());
        assert!(!peer("192.0.2.7:5000", false).is_admin());
        assert!(!peer("[2001:db8::7]:5000", false).is_admin());
        assert!(!peer("0.0.0.0:5000", false).is_admin());
        assert!(peer("192.0.2.7:5000", true).is_admin());
    }

    #[test]
    fn a_non_admin_or_unknown_peer_is_refused_403() {
        let e = require_admin(Some(&peer("192.0.2.7:5000", false))).unwrap_err();
        assert_eq!(e.status, StatusCode::FORBIDDEN);
        assert_eq!(e.kind, "forbidden");
        assert_eq!(
            require_admin(None).unwrap_err().status,
            StatusCode::FORBIDDEN
        );
        assert!(require_admin(Some(&peer("192.0.2.7:5000", true))).is_ok());
    }
}
