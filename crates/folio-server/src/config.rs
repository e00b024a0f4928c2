//! What an operator can set: limits, concurrency and authentication. `folio serve` fills this
//! from flags and environment; tests build it directly.

use std::time::Duration;

/// The whole configuration of a service.
#[derive(Debug, Clone)]
pub struct Config {
    pub limits: Limits,
    /// Documents compiled at once, each on its own thread. Default: the number of cores.
    pub workers: usize,
    /// Requests that may wait for a worker; one more is turned away at once with 503.
    pub queue: usize,
    /// How long a queued request waits for a worker before it is turned away with 503.
    pub max_wait: Duration,
    pub auth: AuthConfig,
    /// Let the engine fall back to the machine's fonts (CJK, emoji).
    pub system_fonts: bool,
}

impl Default for Config {
    fn default() -> Self {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            limits: Limits::default(),
            workers,
            queue: 64,
            max_wait: Duration::from_secs(10),
            auth: AuthConfig::default(),
            system_fonts: true,
        }
    }
}

/// Bounds on what one request may ask for. Each maps to a folio option or is enforced here.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body, in bytes (413 beyond it). Also folio's `max_input_bytes` for a page.
    pub max_body_bytes: usize,
    /// Largest uncompressed size of an uploaded bundle archive, all files together (413).
    pub max_bundle_bytes: usize,
    /// Most files an export bundle may hold (413).
    pub max_bundle_files: usize,
    /// Most pages one export may render (`ExportOptions::max_pages`).
    pub max_export_pages: usize,
    /// Largest image embedded, width × height (`PassOptions::max_image_pixels`); larger ones
    /// become placeholders with a warning.
    pub max_image_pixels: u64,
    /// Deepest element nesting read (`ReadOptions::max_depth`); deeper input is a 422.
    pub max_depth: usize,
    /// Most grid columns a table may have (`PassOptions::max_table_columns`).
    pub max_table_columns: u32,
    /// Most table cells of a document, all tables together (`PassOptions::max_table_cells`);
    /// rows past it are left out with a warning.
    pub max_table_cells: usize,
    /// Largest colspan/rowspan honoured (`PassOptions::max_span`).
    pub max_span: u32,
    /// Wall-clock time one compilation may take before the request gets 504.
    pub time_budget: Duration,
    /// Time the client has to send the whole body before the request gets 408.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        let passes = folio::PassOptions::default();
        Self {
            max_body_bytes: 32 << 20,
            max_bundle_bytes: 256 << 20,
            max_bundle_files: 10_000,
            max_export_pages: 500,
            max_image_pixels: passes.max_image_pixels,
            max_depth: folio::ReadOptions::default().max_depth,
            max_table_columns: passes.max_table_columns,
            max_table_cells: passes.max_table_cells,
            max_span: passes.max_span,
            time_budget: Duration::from_secs(60),
            body_timeout: Duration::from_secs(30),
        }
    }
}

/// Who may call `/v1/*`. At least one of `token` and `hmac_secret` is required unless
/// `insecure_no_auth` says otherwise; with both, a request must pass both.
#[derive(Clone, Default)]
pub struct AuthConfig {
    /// Shared secret sent as `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Key of the `X-Folio-Signature` HMAC over timestamp and body hash.
    pub hmac_secret: Option<Vec<u8>>,
    /// Largest difference between a signature's timestamp and the clock, both ways.
    pub max_skew: Option<Duration>,
    /// Serve without any authentication (local development only).
    pub insecure_no_auth: bool,
}

// Secrets never reach a log, even through `{:?}` of the configuration.
impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .field("hmac_secret", &self.hmac_secret.as_ref().map(|_| "<set>"))
            .field("max_skew", &self.max_skew)
            .field("insecure_no_auth", &self.insecure_no_auth)
            .finish()
    }
}

/// Default for [`AuthConfig::max_skew`]: five minutes.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(300);

/// A configuration the service refuses to start with.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "no authentication configured: give a bearer token (--token-file or FOLIO_TOKEN) or an \
         HMAC secret (--hmac-secret-file or FOLIO_HMAC_SECRET), or pass --insecure-no-auth"
    )]
    NoAuth,
    #[error("the bearer token is empty")]
    EmptyToken,
    #[error("the HMAC secret is shorter than 16 bytes")]
    ShortSecret,
    #[error("{0} must be at least 1")]
    Zero(&'static str),
}

impl Config {
    /// Checks the configuration can serve safely.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let auth = &self.auth;
        if auth.token.is_none() && auth.hmac_secret.is_none() && !auth.insecure_no_auth {
            return Err(ConfigError::NoAuth);
        }
        if auth.token.as_ref().is_some_and(|t| t.trim().is_empty()) {
            return Err(ConfigError::EmptyToken);
        }
        if auth.hmac_secret.as_ref().is_some_and(|s| s.len() < 16) {
            return Err(ConfigError::ShortSecret);
        }
        for (name, value) in [
            ("workers", self.workers),
            ("max body bytes", self.limits.max_body_bytes),
            ("max export pages", self.limits.max_export_pages),
            ("max depth", self.limits.max_depth),
        ] {
            if value == 0 {
                return Err(ConfigError::Zero(name));
            }
        }
        Ok(())
    }

    /// The folio options every request starts from.
    pub(crate) fn folio_options(&self) -> folio::Options {
        let limits = &self.limits;
        let mut options = folio::Options {
            max_input_bytes: Some(limits.max_body_bytes),
            ..folio::Options::default()
        };
        options.read.max_depth = limits.max_depth;
        options.passes.max_image_pixels = limits.max_image_pixels;
        options.passes.max_table_columns = limits.max_table_columns;
        options.passes.max_table_cells = limits.max_table_cells;
        options.passes.max_span = limits.max_span;
        options
    }
}
