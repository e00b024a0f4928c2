//! Error answers: a status, a stable kind for clients and metrics, and a JSON body.
//!
//! Messages come from folio's diagnostics and this crate, which quote construct and file names
//! but never page text. They go to the client only; logs and metrics see the kind.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::diagnostics::DiagnosticJson;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable kebab-case name: `unauthorized`, `too-large`, `malformed-input`…
    pub kind: &'static str,
    pub message: String,
    /// For malformed input: where, as an error diagnostic with line and column.
    pub diagnostics: Vec<DiagnosticJson>,
    /// Seconds, for 503.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            message: message.into(),
            diagnostics: Vec::new(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", message)
    }

    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            message,
        )
    }

    pub fn invalid_option(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid-option", message)
    }

    pub fn busy(message: impl Into<String>) -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, "busy", message)
        }
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    diagnostics: &'a [DiagnosticJson],
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&ErrorBody {
            error: self.kind,
            message: &self.message,
            diagnostics: &self.diagnostics,
        })
        .expect("error bodies serialise");
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"folio\""),
            );
        }
        let codes = self.diagnostics.iter().map(|d| d.code.clone()).collect();
        response.extensions_mut().insert(ErrorKind {
            kind: self.kind,
            codes,
        });
        response
    }
}

/// The kind of an error answer and its diagnostic codes, for the access log and metrics.
#[derive(Debug, Clone)]
pub struct ErrorKind {
    pub kind: &'static str,
    pub codes: Vec<String>,
}
