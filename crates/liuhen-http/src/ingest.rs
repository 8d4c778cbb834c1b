//! `POST /v1/statements`: signed statements into the ledger (to be written; docs/HTTP.md).
use axum::Router;

use crate::AppState;

/// The ingest routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
