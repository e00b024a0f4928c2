//! folio as an HTTP service: stateless, zero-retention, bounded.
//!
//! - `POST /v1/render`: one page (multipart or JSON) → PDF.
//! - `POST /v1/export`: an export bundle (multipart files, or a zip/tar upload) → one PDF.
//! - `GET /healthz`, `GET /readyz`, `GET /metrics`.
//!
//! The promises, and where they are kept:
//! - **Nothing retained**: bodies are read into memory within a limit and dropped with the
//!   response; no file is ever written (multipart parts are parsed from memory, folio itself
//!   touches no files); the access log carries route, status, sizes, durations and diagnostic
//!   codes, never content, headers or query strings.
//! - **Bounded**: body size, bundle size, nesting depth, table columns, image pixels and pages
//!   per export are limits ([`Limits`]); compilation runs on its own threads, at most
//!   [`Config::workers`] at once, behind a queue of [`Config::queue`] that turns requests away
//!   with 503 and `Retry-After` after [`Config::max_wait`].
//! - **Authenticated**: a bearer token and/or an HMAC signature ([`AuthConfig`]); the service
//!   refuses to start with neither unless told `insecure_no_auth`.
//!
//! See `docs/service.md` for the API and `docs/deployment.md` for running it.

mod access;
mod auth;
mod config;
mod diagnostics;
mod error;
mod export;
mod metrics;
mod pool;
mod render;
mod request;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use folio::{Compiler, EngineOptions};

pub use auth::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, unix_now};
pub use config::{AuthConfig, Config, ConfigError, DEFAULT_MAX_SKEW, Limits};

use crate::error::ApiError;

/// The service: configuration, the shared compiler, and the state of every request in flight.
/// Cheap to clone; every clone is the same service.
#[derive(Clone)]
pub struct App {
    state: Arc<AppState>,
}

struct AppState {
    config: Config,
    /// Set once the fonts are loaded; until then the service is alive but not ready.
    compiler: OnceLock<Arc<Compiler>>,
    shutting_down: AtomicBool,
    auth: auth::Auth,
    pool: pool::Pool,
    metrics: metrics::Metrics,
}

impl App {
    /// A service that loads its fonts on a thread of its own, so `/healthz` answers at once
    /// and `/readyz` says when rendering can start.
    pub fn new(config: Config) -> Result<App, ConfigError> {
        let app = App::unloaded(config)?;
        let loading = app.clone();
        std::thread::Builder::new()
            .name("folio-fonts".into())
            .spawn(move || {
                let compiler = Compiler::new(&EngineOptions {
                    system_fonts: loading.state.config.system_fonts,
                });
                compiler.scan_system_fonts();
                let _ = loading.state.compiler.set(Arc::new(compiler));
                tracing::info!("fonts loaded; ready");
            })
            .expect("a thread can start at startup");
        Ok(app)
    }

    /// A service around a compiler the caller already has (tests share one between services).
    pub fn with_compiler(config: Config, compiler: Arc<Compiler>) -> Result<App, ConfigError> {
        let app = App::unloaded(config)?;
        let _ = app.state.compiler.set(compiler);
        Ok(app)
    }

    /// The request's body, read within the size and time limits, once its signature checks
    /// out (the token is checked before the body is read).
    async fn signed_body(
        &self,
        headers: &axum::http::HeaderMap,
        body: axum::body::Body,
    ) -> Result<axum::body::Bytes, ApiError> {
        let limits = &self.state.config.limits;
        let body =
            request::read_body(headers, body, limits.max_body_bytes, limits.body_timeout).await?;
        self.state.auth.check_signature(headers, &body)?;
        Ok(body)
    }

    fn unloaded(config: Config) -> Result<App, ConfigError> {
        config.validate()?;
        if config.auth.insecure_no_auth
            && config.auth.token.is_none()
            && config.auth.hmac_secret.is_none()
        {
            tracing::warn!("serving without authentication (--insecure-no-auth)");
        }
        Ok(App {
            state: Arc::new(AppState {
                auth: auth::Auth::new(&config.auth),
                pool: pool::Pool::new(config.workers, config.queue, config.max_wait),
                metrics: metrics::Metrics::default(),
                compiler: OnceLock::new(),
                shutting_down: AtomicBool::new(false),
                config,
            }),
        })
    }

    /// The routes, with access logging and metrics around them.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/v1/render", post(render::handle))
            .route("/v1/export", post(export::handle))
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz))
            .route("/metrics", get(metrics))
            .fallback(not_found)
            .method_not_allowed_fallback(method_not_allowed)
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                access::layer,
            ))
            .with_state(self.clone())
    }

    /// Fonts loaded and not shutting down.
    pub fn is_ready(&self) -> bool {
        self.state.compiler.get().is_some() && !self.state.shutting_down.load(Ordering::SeqCst)
    }

    /// Marks the service as going away: `/readyz` answers 503 so load balancers stop sending.
    pub fn begin_shutdown(&self) {
        self.state.shutting_down.store(true, Ordering::SeqCst);
    }

    /// Requests being answered now.
    pub fn in_flight(&self) -> i64 {
        self.state.metrics.in_flight()
    }

    fn compiler(&self) -> Result<Arc<Compiler>, ApiError> {
        self.state
            .compiler
            .get()
            .cloned()
            .ok_or_else(|| ApiError::busy("the service is starting: fonts are loading"))
    }
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(app): State<App>) -> Response {
    if app.is_ready() {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n").into_response()
    }
}

async fn metrics(State(app): State<App>) -> Response {
    let state = &app.state;
    let text = state
        .metrics
        .render(state.pool.busy(), state.pool.waiting(), app.is_ready());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not-found", "no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "this route does not take that method",
    )
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting, lets the
/// requests in flight finish for at most `grace`, and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let (stop_sender, mut stop_receiver) = tokio::sync::watch::channel(false);
    let stopping = app.clone();
    let signal = async move {
        shutdown.await;
        stopping.begin_shutdown();
        tracing::info!(
            in_flight = stopping.in_flight(),
            "shutting down: no new connections"
        );
        let _ = stop_sender.send(true);
    };
    let server = axum::serve(listener, app.router())
        .with_graceful_shutdown(signal)
        .into_future();
    let deadline = async move {
        let _ = stop_receiver.wait_for(|stopped| *stopped).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server => {
            tracing::info!("stopped");
            result
        }
        () = deadline => {
            tracing::warn!(
                in_flight = app.in_flight(),
                "grace period over; abandoning requests still in flight"
            );
            Ok(())
        }
    }
}

/// A panic hook that reports where a panic happened but not its message, which could quote
/// content (folio catches typesetting panics, but the default hook prints them first).
pub fn install_quiet_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(%location, "panic (message withheld)");
    }));
}

/// Why [`run`] could not serve.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("the server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Runs the service on `addr` until SIGTERM or SIGINT, then shuts down gracefully: what
/// `folio serve` does. Logs through `tracing`; the caller installs a subscriber.
pub fn run(config: Config, addr: &str, grace: Duration) -> Result<(), RunError> {
    config.validate()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("folio-http")
        .build()?;
    runtime.block_on(async move {
        let shutdown = shutdown_signal()?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| RunError::Bind {
                addr: addr.to_owned(),
                source,
            })?;
        let local = listener.local_addr()?;
        let app = App::new(config)?;
        tracing::info!(
            addr = %local,
            workers = app.state.config.workers,
            queue = app.state.config.queue,
            "listening"
        );
        serve(listener, app, shutdown, grace).await?;
        Ok(())
    })
}

/// SIGTERM (what container runtimes send) or SIGINT (Ctrl-C). The handlers are installed
/// before the future is returned, so a signal that arrives as soon as the port is open is
/// already a graceful shutdown, not the default abrupt exit.
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => tracing::info!("SIGTERM received"),
                _ = interrupt.recv() => tracing::info!("SIGINT received"),
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("Ctrl-C received");
        })
    }
}
