//! folio's diagnostics and errors as the API shows them: line and column instead of byte spans,
//! and a content-free summary fit for a response header.

use axum::http::StatusCode;
use folio::CompileError;
use folio::ir::{Diagnostic, LineIndex, Severity};
use serde::Serialize;

use crate::error::ApiError;

#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticJson {
    pub severity: &'static str,
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The file of an export bundle the position is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

/// Diagnostics with positions in `source` (the storage body their spans index).
pub fn to_json(diagnostics: &[Diagnostic], source: Option<&str>) -> Vec<DiagnosticJson> {
    let index = source.map(LineIndex::new);
    diagnostics
        .iter()
        .map(|diagnostic| {
            let position = match (diagnostic.span, &index, source) {
                (Some(span), Some(index), Some(source)) => Some(index.line_col(source, span.start)),
                _ => None,
            };
            DiagnosticJson {
                severity: severity(diagnostic.severity),
                code: diagnostic.code.clone(),
                message: diagnostic.message.clone(),
                line: position.map(|p| p.0),
                column: position.map(|p| p.1),
                file: None,
                hints: diagnostic.hints.clone(),
            }
        })
        .collect()
}

/// `Folio-Diagnostics`: counts only, e.g. `2 warnings` or `none`.
pub fn summary(diagnostics: &[DiagnosticJson]) -> String {
    let errors = diagnostics.iter().filter(|d| d.severity == "error").count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => "none".into(),
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// Largest `Folio-Diagnostics-Json` header; proxies commonly refuse headers over 8 KiB.
const MAX_DETAIL_HEADER: usize = 4096;

/// `Folio-Diagnostics-Json`: `[{"severity","code","line","column"}…]`, cut to fit a header.
/// No messages and no bundle file names: they may name attachments or pages, and proxies log
/// headers. The JSON answer has everything.
pub fn detail_header(diagnostics: &[DiagnosticJson]) -> String {
    let mut out = String::from("[");
    for diagnostic in diagnostics {
        let mut entry = serde_json::Map::new();
        entry.insert("severity".into(), diagnostic.severity.into());
        entry.insert("code".into(), diagnostic.code.clone().into());
        if let (Some(line), Some(column)) = (diagnostic.line, diagnostic.column) {
            entry.insert("line".into(), line.into());
            entry.insert("column".into(), column.into());
        }
        let entry = serde_json::Value::Object(entry).to_string();
        if out.len() + entry.len() + 2 > MAX_DETAIL_HEADER {
            break;
        }
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(&entry);
    }
    out.push(']');
    out
}

/// Diagnostic codes, for the access log and metrics.
pub fn codes(diagnostics: &[DiagnosticJson]) -> Vec<String> {
    diagnostics.iter().map(|d| d.code.clone()).collect()
}

/// The answer for a failed compilation. `source` is what the error's span indexes: the
/// storage body once unwrapped, or the raw input for encoding errors.
pub fn compile_error(error: &CompileError, source: Option<&str>, raw: &[u8]) -> ApiError {
    let (status, kind, code, position) = match error {
        CompileError::TooLarge { .. } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "too-large",
            None,
        ),
        CompileError::TooManyPages { .. } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-many-pages",
            "too-many-pages",
            None,
        ),
        CompileError::InvalidUtf8 { offset } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "malformed-input",
            "invalid-utf8",
            Some(byte_position(raw, *offset)),
        ),
        CompileError::Json { line, column, .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "malformed-input",
            "malformed-json",
            Some((*line, *column)),
        ),
        CompileError::Read(read) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "malformed-input",
            "malformed-xml",
            source.map(|source| LineIndex::new(source).line_col(source, read.span.start)),
        ),
        CompileError::SpaceExport => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "malformed-input",
            "space-export",
            None,
        ),
        CompileError::Render(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "render-failed",
            "render-failed",
            None,
        ),
        #[allow(unreachable_patterns)]
        _ => match error.span() {
            Some(span) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "malformed-input",
                "invalid-input",
                source.map(|source| LineIndex::new(source).line_col(source, span.start)),
            ),
            None => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-input",
                "invalid-input",
                None,
            ),
        },
    };
    let mut api = ApiError::new(status, kind, error.to_string());
    api.diagnostics.push(DiagnosticJson {
        severity: "error",
        code: code.into(),
        message: error.to_string(),
        line: position.map(|p| p.0),
        column: position.map(|p| p.1),
        file: None,
        hints: error.hints().to_vec(),
    });
    api
}

/// 1-based line and column of a byte offset in input that may not be UTF-8.
fn byte_position(raw: &[u8], offset: usize) -> (usize, usize) {
    let before = &raw[..offset.min(raw.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(severity: &'static str, code: &str) -> DiagnosticJson {
        DiagnosticJson {
            severity,
            code: code.into(),
            message: String::new(),
            line: Some(1),
            column: Some(2),
            file: None,
            hints: vec![],
        }
    }

    #[test]
    fn summary_counts() {
        assert_eq!(summary(&[]), "none");
        assert_eq!(summary(&[diagnostic("warning", "a")]), "1 warning");
        assert_eq!(
            summary(&[diagnostic("warning", "a"), diagnostic("error", "b")]),
            "1 error, 1 warning"
        );
    }

    #[test]
    fn detail_header_is_bounded_json() {
        let many: Vec<_> = (0..1000).map(|_| diagnostic("warning", "x-y")).collect();
        let header = detail_header(&many);
        assert!(header.len() <= MAX_DETAIL_HEADER);
        let parsed: serde_json::Value = serde_json::from_str(&header).unwrap();
        assert!(parsed.as_array().unwrap().len() > 10);
    }

    #[test]
    fn byte_positions() {
        assert_eq!(byte_position(b"ab\ncd\xff", 5), (2, 3));
    }
}
