//! `POST /v1/render`: one page and its attachments in, one PDF out.

use std::collections::BTreeMap;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use folio::Compiler;
use folio::ir::Attachments;
use serde::{Deserialize, Serialize};

use crate::App;
use crate::diagnostics::{self, DiagnosticJson};
use crate::error::ApiError;
use crate::request::{self, RequestOptions, Route};

/// A render request once parsed, whatever form it came in.
struct RenderRequest {
    page: Bytes,
    attachments: Attachments,
    options: folio::Options,
}

/// A request on its way to a worker.
enum Pending {
    Parsed(Box<RenderRequest>),
    /// Parsed on the worker.
    Json(Bytes),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenderJson {
    page: String,
    #[serde(default)]
    attachments: Vec<AttachmentJson>,
    #[serde(default)]
    options: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentJson {
    filename: String,
    /// Base64 (standard alphabet, padded).
    data: String,
}

/// What a handler tells the access log and metrics about a document it produced.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub pages: usize,
    pub codes: Vec<String>,
    pub request_bytes: usize,
}

/// A PDF with everything the answer needs.
pub struct Produced {
    pub bytes: Vec<u8>,
    pub pages: usize,
    pub diagnostics: Vec<DiagnosticJson>,
}

pub async fn handle(
    State(app): State<App>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let state = &app.state;
    state.auth.check_token(&headers)?;
    let media_type = request::media_type(&headers).unwrap_or_default();
    let multipart = media_type == "multipart/form-data";
    if !multipart && !request::is_json(&media_type) {
        return Err(ApiError::unsupported_media_type(
            "send multipart/form-data or application/json",
        ));
    }
    let limits = &state.config.limits;
    let body = app.signed_body(&headers, body).await?;
    let request_bytes = body.len();
    let compiler = app.compiler()?;
    let mut options = RequestOptions::new(state.config.folio_options());
    // Multipart splitting is a memory scan; JSON parsing and base64 decoding of a large body is
    // real CPU work, so it waits for a worker like the compilation.
    let pending = if multipart {
        Pending::Parsed(Box::new(
            from_multipart(&headers, body, &mut options).await?,
        ))
    } else {
        Pending::Json(body)
    };
    let produced = state
        .pool
        .run(limits.time_budget, move || {
            let request = match pending {
                Pending::Parsed(request) => *request,
                Pending::Json(body) => from_json(&body, &mut options)?,
            };
            compile(&compiler, request)
        })
        .await??;
    let outcome = Outcome {
        pages: produced.pages,
        codes: diagnostics::codes(&produced.diagnostics),
        request_bytes,
    };
    state.metrics.rendered(produced.pages, &outcome.codes);
    Ok(answer(produced, request::wants_json(&headers), outcome))
}

async fn from_multipart(
    headers: &HeaderMap,
    body: Bytes,
    options: &mut RequestOptions,
) -> Result<RenderRequest, ApiError> {
    let parts = request::multipart_parts(headers, body).await?;
    let mut page = None;
    let mut attachments = Attachments::new();
    for part in parts {
        match part.name.as_str() {
            "page" => {
                if page.replace(part.bytes).is_some() {
                    return Err(ApiError::bad_request("more than one `page` part"));
                }
            }
            "attachment" => {
                let name = part.file_name.clone().ok_or_else(|| {
                    ApiError::bad_request("an `attachment` part has no file name")
                })?;
                add_attachment(&mut attachments, name, &part.bytes)?;
            }
            name => options.set(Route::Render, name, &request::text(&part)?)?,
        }
    }
    options.validate()?;
    Ok(RenderRequest {
        page: page.ok_or_else(|| ApiError::bad_request("no `page` part"))?,
        attachments,
        options: std::mem::take(&mut options.folio),
    })
}

fn from_json(body: &[u8], options: &mut RequestOptions) -> Result<RenderRequest, ApiError> {
    let json: RenderJson = serde_json::from_slice(body).map_err(|error| {
        ApiError::bad_request(format!(
            "the request JSON is invalid at line {} column {}: {}",
            error.line(),
            error.column(),
            error
        ))
    })?;
    let mut attachments = Attachments::new();
    for attachment in json.attachments {
        let bytes = BASE64
            .decode(attachment.data.as_bytes())
            .map_err(|_| ApiError::bad_request("an attachment's `data` is not base64"))?;
        add_attachment(&mut attachments, attachment.filename, &bytes)?;
    }
    options.set_json(Route::Render, &json.options)?;
    options.validate()?;
    Ok(RenderRequest {
        page: Bytes::from(json.page),
        attachments,
        options: std::mem::take(&mut options.folio),
    })
}

fn add_attachment(
    attachments: &mut Attachments,
    name: String,
    bytes: &[u8],
) -> Result<(), ApiError> {
    if name.is_empty() {
        return Err(ApiError::bad_request(
            "an attachment has an empty file name",
        ));
    }
    if attachments.contains(&name) {
        return Err(ApiError::bad_request(
            "two attachments have the same file name",
        ));
    }
    attachments.insert(name, std::sync::Arc::<[u8]>::from(bytes));
    Ok(())
}

/// Read, passes and typesetting, on a compile thread.
fn compile(compiler: &Compiler, request: RenderRequest) -> Result<Produced, ApiError> {
    let RenderRequest {
        page,
        attachments,
        options,
    } = request;
    let input = folio::read_input(&page, &options)
        .map_err(|error| diagnostics::compile_error(&error, None, &page))?;
    let compiled = folio::compile_document(&input, &attachments, &options)
        .map_err(|error| diagnostics::compile_error(&error, Some(&input.storage), &page))?;
    let pdf = compiler
        .render_pdf(&compiled)
        .map_err(|error| diagnostics::compile_error(&error, Some(&input.storage), &page))?;
    Ok(Produced {
        diagnostics: diagnostics::to_json(&pdf.diagnostics, Some(&input.storage)),
        bytes: pdf.bytes,
        pages: pdf.pages,
    })
}

#[derive(Serialize)]
struct JsonAnswer<'a> {
    pdf: String,
    pages: usize,
    diagnostics: &'a [DiagnosticJson],
}

/// The PDF itself with a diagnostics summary in headers, or everything as JSON.
pub fn answer(produced: Produced, json: bool, outcome: Outcome) -> Response {
    let mut response = if json {
        let body = serde_json::to_vec(&JsonAnswer {
            pdf: BASE64.encode(&produced.bytes),
            pages: produced.pages,
            diagnostics: &produced.diagnostics,
        })
        .expect("answers serialise");
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    } else {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/pdf")],
            produced.bytes,
        )
            .into_response()
    };
    let headers = response.headers_mut();
    headers.insert("folio-pages", HeaderValue::from(produced.pages));
    for (name, value) in [
        (
            "folio-diagnostics",
            diagnostics::summary(&produced.diagnostics),
        ),
        (
            "folio-diagnostics-json",
            diagnostics::detail_header(&produced.diagnostics),
        ),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response.extensions_mut().insert(outcome);
    response
}
