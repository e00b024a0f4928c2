//! Reading requests: the body within its size and time limits, media types, multipart forms,
//! and the option fields shared by `/v1/render` and `/v1/export`.
//!
//! Everything stays in memory: multipart parts are parsed from the bytes already read, never
//! spooled to temporary files.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::error::ApiError;

/// Reads the whole body: 413 past `limit` (at once when Content-Length says so), 408 when the
/// client takes longer than `timeout`.
pub async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, ApiError> {
    let too_large = || ApiError::too_large(format!("request body is larger than {limit} bytes"));
    if let Some(length) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && length > limit as u64
    {
        return Err(too_large());
    }
    let collected = tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await;
    match collected {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(error)) if error.is::<LengthLimitError>() => Err(too_large()),
        Ok(Err(_)) => Err(ApiError::bad_request("the request body could not be read")),
        Err(_) => Err(ApiError::new(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            "body-timeout",
            "the request body did not arrive in time",
        )),
    }
}

/// The media type of the body, lowercased, without parameters.
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next()?.trim().to_ascii_lowercase();
    (!essence.is_empty()).then_some(essence)
}

/// A JSON media type: `application/json` or `application/<something>+json`.
pub fn is_json(media_type: &str) -> bool {
    media_type == "application/json"
        || (media_type.starts_with("application/") && media_type.ends_with("+json"))
}

/// One part of a multipart form, whole.
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub bytes: Bytes,
}

/// Splits a `multipart/form-data` body into its parts.
pub async fn multipart_parts(headers: &HeaderMap, body: Bytes) -> Result<Vec<Part>, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| ApiError::bad_request("multipart/form-data without a boundary"))?;
    let stream = futures_util::stream::iter([Ok::<Bytes, std::convert::Infallible>(body)]);
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    let malformed = |_| ApiError::bad_request("the multipart body is malformed");
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        let name = field
            .name()
            .ok_or_else(|| ApiError::bad_request("a multipart part has no name"))?
            .to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(malformed)?;
        parts.push(Part {
            name,
            file_name,
            bytes,
        });
    }
    Ok(parts)
}

/// A form field's value as text.
pub fn text(part: &Part) -> Result<String, ApiError> {
    String::from_utf8(part.bytes.to_vec())
        .map_err(|_| ApiError::invalid_option(format!("option `{}` is not UTF-8", part.name)))
}

/// Options of an export besides the folio options. Cover and table of contents are on by
/// default, as for `folio export`.
#[derive(Debug, Clone)]
pub struct ExportSettings {
    pub root: Option<String>,
    pub depth: Option<usize>,
    pub cover: bool,
    pub toc: bool,
    pub max_pages: Option<usize>,
}

impl Default for ExportSettings {
    fn default() -> Self {
        Self {
            root: None,
            depth: None,
            cover: true,
            toc: true,
            max_pages: None,
        }
    }
}

/// What the option fields of a request set.
pub struct RequestOptions {
    pub folio: folio::Options,
    pub export: ExportSettings,
}

/// Which options a route takes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Render,
    Export,
}

impl RequestOptions {
    pub fn new(folio: folio::Options) -> Self {
        Self {
            folio,
            export: ExportSettings::default(),
        }
    }

    /// Sets one option by its CLI flag name: `title`, `date` and the page setup options
    /// (`paper`, `landscape`, `margins`, `header`, `footer`, `watermark`, `author`, `subject`,
    /// `keywords`, `lang`, `pdf-standard`, `untagged`, `image-dpi`, `theme` — the theme's Typst
    /// source itself); for exports
    /// also `root`, `depth`, `cover`/`no-cover`, `toc`/`no-toc` and `max-pages`. Unknown names
    /// are errors, so a misspelt option is noticed. `_` may stand for `-`.
    pub fn set(&mut self, route: Route, name: &str, value: &str) -> Result<(), ApiError> {
        let name = name.replace('_', "-");
        let invalid = |what: &str| ApiError::invalid_option(format!("option `{name}`: {what}"));
        let flag = || parse_bool(value).ok_or_else(|| invalid("expected true or false"));
        let text = || {
            let text = value.trim();
            (!text.is_empty()).then(|| text.to_owned())
        };
        let number = || {
            value
                .trim()
                .parse::<usize>()
                .map_err(|_| invalid("expected a whole number"))
        };
        let render = &mut self.folio.render;
        match (name.as_str(), route) {
            ("title", _) => self.folio.title = text(),
            ("date", _) => {
                render.date =
                    Some(parse_date(value).ok_or_else(|| invalid("expected YYYY-MM-DD"))?);
            }
            ("paper", _) => {
                render.page.paper = value
                    .parse()
                    .map_err(|e: folio::ParseSetupError| invalid(&e.to_string()))?
            }
            ("landscape", _) => render.page.landscape = flag()?,
            ("margins", _) => {
                render.page.margins_mm = Some(
                    folio::PageSetup::parse_margins(value).map_err(|e| invalid(&e.to_string()))?,
                )
            }
            // An empty footer means none, as on the command line.
            ("header", _) => render.page.header = Some(value.to_owned()),
            ("footer", _) => render.page.footer = Some(value.to_owned()),
            ("watermark", _) => render.page.watermark = text(),
            ("author", _) => render.metadata.author = text(),
            ("subject", _) => render.metadata.subject = text(),
            ("keywords", _) => {
                render.metadata.keywords = value
                    .split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            ("lang", _) => render.metadata.language = text(),
            ("pdf-standard", _) => {
                render.pdf_standard = match value.trim().to_ascii_lowercase().as_str() {
                    "none" | "" => folio::PdfStandard::None,
                    "a-2b" => folio::PdfStandard::A2b,
                    "ua-1" => folio::PdfStandard::Ua1,
                    _ => return Err(invalid("expected none, a-2b or ua-1")),
                }
            }
            ("untagged", _) => render.tagged = !flag()?,
            ("theme", _) => render.theme = text(),
            ("image-dpi", _) => {
                render.image_dpi = match value.trim() {
                    "" | "off" => None,
                    _ => Some(
                        u32::try_from(number()?).map_err(|_| invalid("expected a resolution"))?,
                    ),
                }
            }
            ("root", Route::Export) => self.export.root = text(),
            ("depth", Route::Export) => self.export.depth = Some(number()?),
            ("cover", Route::Export) => self.export.cover = flag()?,
            ("no-cover", Route::Export) => self.export.cover = !flag()?,
            ("toc", Route::Export) => self.export.toc = flag()?,
            ("no-toc", Route::Export) => self.export.toc = !flag()?,
            ("max-pages", Route::Export) => self.export.max_pages = Some(number()?),
            _ => return Err(ApiError::invalid_option(format!("unknown option `{name}`"))),
        }
        Ok(())
    }

    /// Checks the options together once all are set (sizes, templates, language).
    pub fn validate(&self) -> Result<(), ApiError> {
        self.folio
            .render
            .validate()
            .map_err(ApiError::invalid_option)
    }

    /// Sets the options of a JSON `options` object; values may be strings, numbers or booleans.
    pub fn set_json(
        &mut self,
        route: Route,
        options: &BTreeMap<String, serde_json::Value>,
    ) -> Result<(), ApiError> {
        for (name, value) in options {
            let text = match value {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Number(number) => number.to_string(),
                serde_json::Value::Bool(flag) => flag.to_string(),
                serde_json::Value::Null => continue,
                _ => {
                    return Err(ApiError::invalid_option(format!(
                        "option `{name}` must be a string, number or boolean"
                    )));
                }
            };
            self.set(route, name, &text)?;
        }
        Ok(())
    }
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" | "" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn parse_date(value: &str) -> Option<(i32, u8, u8)> {
    let mut parts = value.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((year, month, day))
}

/// Whether the client asked for JSON rather than the PDF itself: the first of
/// `application/json` and `application/pdf` by quality in `Accept` wins; PDF by default.
pub fn wants_json(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut best: Option<(f32, bool)> = None;
    for range in accept.split(',') {
        let mut pieces = range.split(';');
        let media = pieces
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let quality = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let json = match media.as_str() {
            "application/json" => true,
            "application/pdf" => false,
            _ => continue,
        };
        if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, json));
        }
    }
    best.is_some_and(|(_, json)| json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, value.parse().unwrap());
        headers
    }

    #[test]
    fn accept_chooses_json_only_when_preferred() {
        assert!(wants_json(&accept("application/json")));
        assert!(!wants_json(&accept("application/pdf, application/json")));
        assert!(wants_json(&accept(
            "application/pdf;q=0.5, application/json"
        )));
        assert!(!wants_json(&accept("*/*")));
        assert!(!wants_json(&HeaderMap::new()));
    }

    #[test]
    fn options_by_cli_name() {
        let mut options = RequestOptions::new(folio::Options::default());
        options.set(Route::Render, "title", " T ").unwrap();
        options.set(Route::Render, "date", "2024-02-29").unwrap();
        assert_eq!(options.folio.title.as_deref(), Some("T"));
        assert_eq!(options.folio.render.date, Some((2024, 2, 29)));
        assert!(options.set(Route::Render, "date", "yesterday").is_err());
        assert!(options.set(Route::Render, "colour", "red").is_err());
        assert!(options.set(Route::Render, "toc", "true").is_err());
        options.set(Route::Export, "max_pages", "3").unwrap();
        assert_eq!(options.export.max_pages, Some(3));
        options.set(Route::Export, "no-cover", "").unwrap();
        assert!(!options.export.cover);
        options
            .set(Route::Render, "margins", "10,12mm,10,12")
            .unwrap();
        assert_eq!(
            options.folio.render.page.margins_mm,
            Some([10.0, 12.0, 10.0, 12.0])
        );
        options.set(Route::Render, "keywords", "a, b,,c").unwrap();
        assert_eq!(options.folio.render.metadata.keywords, ["a", "b", "c"]);
        options.set(Route::Render, "landscape", "true").unwrap();
        options.set(Route::Render, "paper", "148x210mm").unwrap();
        assert_eq!(
            options.folio.render.page.paper,
            folio::Paper::Custom {
                width_mm: 148.0,
                height_mm: 210.0
            }
        );
        options.set(Route::Render, "paper", "Letter").unwrap();
        assert!(options.set(Route::Render, "paper", "huge").is_err());
        options.set(Route::Render, "pdf-standard", "ua-1").unwrap();
        options.set(Route::Render, "untagged", "true").unwrap();
        assert!(options.validate().is_err());
        options.set(Route::Render, "untagged", "false").unwrap();
        options.set(Route::Render, "image_dpi", "150").unwrap();
        assert_eq!(options.folio.render.image_dpi, Some(150));
        options.set(Route::Render, "image-dpi", "1").unwrap();
        assert!(options.validate().is_err());
        options.set(Route::Render, "image-dpi", "off").unwrap();
        assert_eq!(options.folio.render.image_dpi, None);
        options
            .set(Route::Render, "lang", "xx-invalid-tag-")
            .unwrap();
        assert!(options.validate().is_err());
    }
}
