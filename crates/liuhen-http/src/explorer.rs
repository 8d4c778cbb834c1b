//! The read-only web explorer and its JSON API (to be written; docs/HTTP.md).
use axum::Router;

use crate::AppState;

/// The explorer routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
