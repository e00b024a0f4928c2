//! The access log and request metrics, around every route.
//!
//! One line per request with what an operator needs and nothing a customer would mind: the
//! route template (never the URI, whose query could carry a title), method, status, sizes,
//! duration, pages and diagnostic codes. Headers and bodies are never logged.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::body::HttpBody;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::App;
use crate::error::ErrorKind;
use crate::metrics::Observation;
use crate::render::Outcome;

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

pub async fn layer(State(app): State<App>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = REQUEST_IDS.fetch_add(1, Ordering::Relaxed);
    // A fixed set of labels: unknown paths all count as one.
    let route: &'static str = match request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str())
    {
        Some("/v1/render") => "/v1/render",
        Some("/v1/export") => "/v1/export",
        Some("/healthz") => "/healthz",
        Some("/readyz") => "/readyz",
        Some("/metrics") => "/metrics",
        _ => "other",
    };
    let method = request.method().clone();
    let declared_bytes = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let metrics = &app.state.metrics;
    metrics.start();
    let mut response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    let outcome = response.extensions_mut().remove::<Outcome>();
    let error_kind = response.extensions_mut().remove::<ErrorKind>();
    let error = error_kind.as_ref().map(|e| e.kind);
    let request_bytes = outcome
        .as_ref()
        .map_or(declared_bytes, |outcome| outcome.request_bytes);
    let response_bytes = response.body().size_hint().exact().unwrap_or(0);
    metrics.finish(&Observation {
        route,
        status,
        seconds,
        request_bytes: request_bytes as u64,
        response_bytes,
        error,
    });
    if route.starts_with("/v1/") || status >= 400 {
        let (pages, codes) = match (outcome, error_kind) {
            (Some(outcome), _) => (outcome.pages, outcome.codes),
            (None, Some(error)) => (0, error.codes),
            (None, None) => (0, Vec::new()),
        };
        tracing::info!(
            target: "folio_server::access",
            id,
            %method,
            route,
            status,
            request_bytes,
            response_bytes,
            ms = (seconds * 1000.0).round() as u64,
            pages,
            diagnostics = %codes.join(","),
            error = error.unwrap_or(""),
        );
    }
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        response.headers_mut().insert("folio-request-id", value);
    }
    if route.starts_with("/v1/") {
        // Answers carry documents: no cache along the way may keep them.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
