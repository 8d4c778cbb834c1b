//! Errors as HTTP responses: a status and a JSON body `{"error": sentence, "kind": …,
//! "line"?: n}`.
//!
//! What kind of failure an error is, is the core's answer ([`liuhen::ErrorClass`], the same
//! for the CLI and a C ABI); this module only maps the class to a status ([`status_of`]).
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use liuhen::ErrorClass;
use serde_json::json;

/// An error answered to the client.
#[derive(Debug, thiserror::Error)]
#[error("{status}: {message}")]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A short machine-readable kind (`malformed`, `not-authorized`, `duplicate`, …).
    pub kind: &'static str,
    /// One sentence for a person, the same wording as the CLI's where the CLI says it too.
    pub message: String,
    /// Seconds after which a retry may succeed (503).
    pub retry_after: Option<u32>,
    /// The line of the request body the error is about, if any.
    pub line: Option<usize>,
}

/// The status of an error of `class`: 400 malformed, 403 not authorized, 409 duplicate, 413 too
/// large, 422 refused, 503 unavailable, 409 tampered, 500 internal.
pub fn status_of(class: ErrorClass) -> StatusCode {
    match class {
        ErrorClass::Malformed => StatusCode::BAD_REQUEST,
        ErrorClass::NotAuthorized => StatusCode::FORBIDDEN,
        ErrorClass::Duplicate | ErrorClass::Tampering => StatusCode::CONFLICT,
        ErrorClass::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorClass::Refused => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorClass::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorClass::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ApiError {
    /// An error of `status` and `kind`.
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            message: message.into(),
            retry_after: None,
            line: None,
        }
    }

    /// An error of the core's `class` ([`status_of`], kind [`ErrorClass::kind`]); control
    /// characters in `message` are escaped.
    pub fn of_class(class: ErrorClass, message: &str) -> Self {
        Self::new(
            status_of(class),
            class.kind(),
            liuhen::text::escape_controls(message),
        )
    }

    /// The same error, about line `line` of the request body.
    #[must_use]
    pub fn at_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }

    /// 500: a fault of the server itself.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", message)
    }

    /// 400: the request could not be read.
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed", message)
    }

    /// 413: the request body is larger than the service takes.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", message)
    }

    /// 415: a body of a media type the endpoint does not take.
    pub fn unsupported_type(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            message,
        )
    }

    /// 503 with `Retry-After`: too many requests in flight; nothing was read or appended.
    pub fn busy(retry_after: u32, message: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::SERVICE_UNAVAILABLE, "busy", message);
        e.retry_after = Some(retry_after);
        e
    }
}

impl From<liuhen::Error> for ApiError {
    fn from(e: liuhen::Error) -> Self {
        // Damaged records are tampering (409 "tampered"), never "try again" (docs/HTTP.md).
        ApiError::of_class(e.class(), &e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.message, "kind": self.kind });
        if let Some(line) = self.line {
            body["line"] = json!(line);
        }
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert("retry-after", v);
            }
        }
        response
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_its_status_and_kind() {
        let expected = [
            (ErrorClass::Malformed, 400, "malformed"),
            (ErrorClass::NotAuthorized, 403, "not-authorized"),
            (ErrorClass::Duplicate, 409, "duplicate"),
            (ErrorClass::TooLarge, 413, "too-large"),
            (ErrorClass::Refused, 422, "refused"),
            (ErrorClass::Unavailable, 503, "unavailable"),
            (ErrorClass::Tampering, 409, "tampered"),
            (ErrorClass::Internal, 500, "internal"),
        ];
        assert_eq!(expected.len(), ErrorClass::ALL.len());
        for (class, status, kind) in expected {
            let e = ApiError::of_class(class, "x\u{1b}[31m");
            assert_eq!(e.status.as_u16(), status, "{class:?}");
            assert_eq!(e.kind, kind);
            assert!(!e.message.contains('\u{1b}'), "controls escaped");
        }
    }

    #[test]
    fn busy_says_when_to_retry_and_line_is_in_the_body() {
        let r = ApiError::busy(1, "busy").into_response();
        assert_eq!(r.status().as_u16(), 503);
        assert_eq!(r.headers().get("retry-after").unwrap(), "1");
        let r = ApiError::malformed("bad").at_line(Some(3)).into_response();
        assert_eq!(r.status().as_u16(), 400);
    }
}
