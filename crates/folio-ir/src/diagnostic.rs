//! Diagnostics: what went wrong or was not rendered, with where in the source.

use serde::{Deserialize, Serialize};

use crate::Span;

/// How bad a diagnostic is. Errors stop compilation; warnings never lose content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Warning,
    Error,
}

/// A message about the document, tied to a source span when there is one.
///
/// Messages are lowercase with no final full stop; hints say what to do. A message never quotes
/// page content beyond names of constructs (macro names, file names): diagnostics may be logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable, kebab-case identifier (`unknown-macro`, `missing-attachment`, …).
    pub code: String,
    pub message: String,
    pub span: Option<Span>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
}

impl Diagnostic {
    pub fn warning(code: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    pub fn error(code: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    fn new(severity: Severity, code: &str, message: impl Into<String>) -> Self {
        Self {
            severity,
            code: code.to_owned(),
            message: message.into(),
            span: None,
            hints: vec![],
        }
    }

    /// Attaches a span, unless it is detached (generated content).
    pub fn at(mut self, span: Span) -> Self {
        self.span = (!span.is_detached()).then_some(span);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Maps byte offsets of a source text to 1-based line and column (columns count characters).
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(source: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        Self { line_starts }
    }

    /// 1-based (line, column) of `offset`; offsets past the end map to the last position.
    pub fn line_col(&self, source: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(source.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let mut end = offset;
        while !source.is_char_boundary(end) {
            end -= 1;
        }
        let column = source[start..end].chars().count() + 1;
        (line + 1, column)
    }

    /// Byte range of the 1-based `line`, without its line break.
    pub fn line_range(&self, source: &str, line: usize) -> std::ops::Range<usize> {
        let start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(source.len());
        let end = self
            .line_starts
            .get(line)
            .map_or(source.len(), |next| next - 1);
        start..end.max(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let src = "ab\n한국어x\n";
        let index = LineIndex::new(src);
        assert_eq!(index.line_col(src, 0), (1, 1));
        assert_eq!(index.line_col(src, 3), (2, 1));
        assert_eq!(index.line_col(src, src.find('x').unwrap()), (2, 4));
        assert_eq!(index.line_col(src, 999), (3, 1));
        assert_eq!(&src[index.line_range(src, 2)], "한국어x");
    }
}
