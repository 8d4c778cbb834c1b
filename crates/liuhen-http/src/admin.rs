//! Administrative calls (`POST /v1/seal`), from loopback or a client certificate only (to be written; docs/HTTP.md).
use axum::Router;

use crate::AppState;

/// The administrative routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
