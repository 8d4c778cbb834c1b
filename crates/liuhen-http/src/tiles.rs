//! C2SP tlog-tiles read API and proofs (to be written; docs/HTTP.md).
use axum::Router;

use crate::AppState;

/// The read routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
