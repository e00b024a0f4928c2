//! `folio serve`: the render service (`folio-server`) on a port. Flags and environment become a
//! `folio_server::Config`; everything else happens in the library.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};
use folio_server::{AuthConfig, Config, Limits};

use crate::exit;

#[derive(Debug, Args)]
#[command(
    after_help = "Authentication: clients send `Authorization: Bearer TOKEN`; the token \
                        comes from --token-file or the FOLIO_TOKEN variable. Requests may also \
                        have to be signed: X-Folio-Timestamp (Unix seconds) and \
                        X-Folio-Signature = hex(HMAC-SHA256(secret, timestamp + \"\\n\" + \
                        hex(SHA-256(body)))), with the secret from --hmac-secret-file or \
                        FOLIO_HMAC_SECRET. Without either, serve refuses to start unless \
                        --insecure-no-auth is given. TLS is a proxy's job.\n\n\
                        Sizes take KiB/MiB/GiB (or K/M/G) suffixes; durations ms, s, m.\n\n\
                        Examples:\n  FOLIO_TOKEN=secret folio serve --addr 0.0.0.0:8080\n  \
                        folio serve --insecure-no-auth --workers 2\n\n\
                        See docs/service.md (API) and docs/deployment.md."
)]
pub struct ServeArgs {
    /// Address and port to listen on (plain HTTP).
    #[arg(
        long,
        value_name = "HOST:PORT",
        default_value = "127.0.0.1:8080",
        env = "FOLIO_ADDR"
    )]
    pub addr: String,

    /// File whose content (trimmed) is the bearer token clients must send.
    #[arg(long, value_name = "FILE", env = "FOLIO_TOKEN_FILE")]
    pub token_file: Option<PathBuf>,

    /// File whose content is the secret of HMAC request signatures (16 bytes or more).
    #[arg(long, value_name = "FILE", env = "FOLIO_HMAC_SECRET_FILE")]
    pub hmac_secret_file: Option<PathBuf>,

    /// Largest difference between a signature's timestamp and the server's clock.
    #[arg(long, value_name = "DURATION", default_value = "300s", value_parser = parse_duration)]
    pub max_skew: Duration,

    /// Serve without authentication. Only for a machine of your own.
    #[arg(long)]
    pub insecure_no_auth: bool,

    /// Documents compiled at once, each on its own thread [default: the number of cores].
    #[arg(long, value_name = "N", env = "FOLIO_WORKERS")]
    pub workers: Option<usize>,

    /// Requests that may wait for a worker; more are answered 503 at once.
    #[arg(long, value_name = "N", default_value_t = 64, env = "FOLIO_QUEUE")]
    pub queue: usize,

    /// How long a request waits for a worker before it is answered 503 with Retry-After.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration, env = "FOLIO_MAX_WAIT")]
    pub max_wait: Duration,

    /// Time one document may take to compile before the request is answered 504.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration, env = "FOLIO_TIME_BUDGET")]
    pub time_budget: Duration,

    /// Time a client has to send its whole request body (408 after).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration, env = "FOLIO_BODY_TIMEOUT")]
    pub body_timeout: Duration,

    /// On SIGTERM or SIGINT: how long requests in flight may take to finish.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration, env = "FOLIO_GRACE")]
    pub grace: Duration,

    /// Largest request body (413 beyond).
    #[arg(long, value_name = "SIZE", default_value = "32MiB", value_parser = parse_size, env = "FOLIO_MAX_BODY")]
    pub max_body: usize,

    /// Largest uncompressed size of an uploaded export bundle.
    #[arg(long, value_name = "SIZE", default_value = "256MiB", value_parser = parse_size, env = "FOLIO_MAX_BUNDLE")]
    pub max_bundle: usize,

    /// Most files in an export bundle.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 10_000,
        env = "FOLIO_MAX_BUNDLE_FILES"
    )]
    pub max_bundle_files: usize,

    /// Most pages one export may render.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 500,
        env = "FOLIO_MAX_EXPORT_PAGES"
    )]
    pub max_export_pages: usize,

    /// Largest image embedded, in pixels (width × height); larger ones become placeholders.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100_000_000,
        env = "FOLIO_MAX_IMAGE_PIXELS"
    )]
    pub max_image_pixels: u64,

    /// Deepest element nesting of a page (422 beyond).
    #[arg(long, value_name = "N", default_value_t = 256, env = "FOLIO_MAX_DEPTH")]
    pub max_depth: usize,

    /// Most columns a table may have.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1000,
        env = "FOLIO_MAX_TABLE_COLUMNS"
    )]
    pub max_table_columns: u32,

    /// Most table cells of a page (all its tables together); rows past it are left out with a
    /// warning.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100_000,
        env = "FOLIO_MAX_TABLE_CELLS"
    )]
    pub max_table_cells: usize,

    /// Use only the embedded fonts, not the machine's.
    #[arg(long, env = "FOLIO_NO_SYSTEM_FONTS")]
    pub no_system_fonts: bool,

    /// Access log format on standard error.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, env = "FOLIO_LOG_FORMAT")]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

pub fn run(args: &ServeArgs) -> u8 {
    init_logging(args.log_format);
    folio_server::install_quiet_panic_hook();
    let config = match config(args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::INPUT;
        }
    };
    match folio_server::run(config, &args.addr, args.grace) {
        Ok(()) => exit::OK,
        Err(error) => {
            eprintln!("error: {error}");
            exit::INPUT
        }
    }
}

fn config(args: &ServeArgs) -> Result<Config, String> {
    let token = match &args.token_file {
        Some(path) => Some(read_secret(path)?),
        None => std::env::var("FOLIO_TOKEN").ok().filter(|t| !t.is_empty()),
    };
    let hmac_secret = match &args.hmac_secret_file {
        Some(path) => Some(read_secret(path)?),
        None => std::env::var("FOLIO_HMAC_SECRET")
            .ok()
            .filter(|s| !s.is_empty()),
    };
    let defaults = Config::default();
    Ok(Config {
        limits: Limits {
            max_body_bytes: args.max_body,
            max_bundle_bytes: args.max_bundle,
            max_bundle_files: args.max_bundle_files,
            max_export_pages: args.max_export_pages,
            max_image_pixels: args.max_image_pixels,
            max_depth: args.max_depth,
            max_table_columns: args.max_table_columns,
            max_table_cells: args.max_table_cells,
            time_budget: args.time_budget,
            body_timeout: args.body_timeout,
            ..Limits::default()
        },
        workers: args.workers.unwrap_or(defaults.workers),
        queue: args.queue,
        max_wait: args.max_wait,
        auth: AuthConfig {
            token,
            hmac_secret: hmac_secret.map(String::into_bytes),
            max_skew: Some(args.max_skew),
            insecure_no_auth: args.insecure_no_auth,
        },
        system_fonts: !args.no_system_fonts,
    })
}

/// A secret file's content without the line break editors add.
fn read_secret(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    Ok(text.trim_end_matches(['\n', '\r']).to_owned())
}

fn init_logging(format: LogFormat) {
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// `30s`, `500ms`, `2m`, or plain seconds.
fn parse_duration(value: &str) -> Result<Duration, String> {
    let value = value.trim();
    let (number, unit) = split_unit(value);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{value}` is not a duration such as 30s or 500ms"))?;
    let seconds = match unit.to_ascii_lowercase().as_str() {
        "" | "s" => number,
        "ms" => number / 1000.0,
        "m" | "min" => number * 60.0,
        _ => return Err(format!("`{value}`: use ms, s or m")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("`{value}` is out of range"))
}

/// `32MiB`, `512K`, `1G`, or plain bytes.
fn parse_size(value: &str) -> Result<usize, String> {
    let value = value.trim();
    let (number, unit) = split_unit(value);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{value}` is not a size such as 32MiB"))?;
    let factor: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("`{value}`: use KiB, MiB or GiB")),
    };
    number
        .checked_mul(factor)
        .and_then(|bytes| usize::try_from(bytes).ok())
        .ok_or_else(|| format!("`{value}` is too large"))
}

fn split_unit(value: &str) -> (&str, &str) {
    let split = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(value.len());
    (value[..split].trim(), value[split..].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_sizes() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("soon").is_err());
        assert_eq!(parse_size("32MiB"), Ok(32 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("1T").is_err());
    }
}
