//! Diagnostics on the terminal: rustc-style with the source line (human), or one line each
//! (short, `file:line:col: severity[code]: message`).

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{
    self,
    termcolor::{ColorChoice, StandardStream},
};
use folio::CompileError;
use folio::ir::{Diagnostic, LineIndex, Severity, Span};

use crate::args::DiagnosticFormat;

pub struct Reporter {
    format: DiagnosticFormat,
    quiet: bool,
    stderr: StandardStream,
}

impl Reporter {
    pub fn new(format: DiagnosticFormat, quiet: bool) -> Self {
        let color = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            ColorChoice::Auto
        } else {
            ColorChoice::Never
        };
        Self {
            format,
            quiet,
            stderr: StandardStream::stderr(color),
        }
    }

    /// Prints warnings (unless quiet) and errors about `source`, a file shown as `name`.
    pub fn diagnostics(&mut self, name: &str, source: &str, diagnostics: &[Diagnostic]) {
        for diagnostic in diagnostics {
            if self.quiet && diagnostic.severity == Severity::Warning {
                continue;
            }
            self.emit(
                name,
                source,
                diagnostic.severity,
                &diagnostic.code,
                &diagnostic.message,
                diagnostic.span,
                &diagnostic.hints,
            );
        }
    }

    /// Prints a compile error; `source` is the storage body when the error has a span into it.
    pub fn error(&mut self, name: &str, source: Option<&str>, error: &CompileError) {
        let code = error_code(error);
        match (source, error) {
            (_, CompileError::Json { line, column, .. }) => {
                let span = None;
                let message = format!("{error} (at {line}:{column})");
                self.emit(
                    name,
                    "",
                    Severity::Error,
                    code,
                    &message,
                    span,
                    error.hints(),
                );
            }
            (Some(source), _) => self.emit(
                name,
                source,
                Severity::Error,
                code,
                &error.to_string(),
                error.span(),
                error.hints(),
            ),
            (None, _) => self.emit(
                name,
                "",
                Severity::Error,
                code,
                &error.to_string(),
                None,
                error.hints(),
            ),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        name: &str,
        source: &str,
        severity: Severity,
        code: &str,
        message: &str,
        span: Option<Span>,
        hints: &[String],
    ) {
        let severity_word = match severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        if self.format == DiagnosticFormat::Short || span.is_none() {
            let at = span.map(|span| {
                let (line, column) = LineIndex::new(source).line_col(source, span.start);
                format!(":{line}:{column}")
            });
            eprintln!(
                "{name}{}: {severity_word}[{code}]: {message}",
                at.unwrap_or_default()
            );
            for hint in hints {
                eprintln!("  = hint: {hint}");
            }
            return;
        }
        let span = span.expect("checked above");
        let index = LineIndex::new(source);
        let (line, column) = index.line_col(source, span.start);
        let line_range = index.line_range(source, line);
        if line_range.len() > MAX_SHOWN_LINE {
            // Cloud bodies are one line of many kilobytes: show a window of it, not all of it.
            eprintln!("{severity_word}[{code}]: {message}");
            eprintln!("  --> {name}:{line}:{column}");
            let (excerpt, caret) =
                excerpt_around(&source[line_range.clone()], span.start - line_range.start);
            eprintln!("   | {excerpt}");
            eprintln!("   | {}^", " ".repeat(caret));
            for hint in hints {
                eprintln!("   = hint: {hint}");
            }
            eprintln!();
            return;
        }
        let file = SimpleFile::new(name, source);
        let range = clamp_to_source(source, span);
        let mut report = match severity {
            Severity::Warning => Report::warning(),
            Severity::Error => Report::error(),
        }
        .with_code(code)
        .with_message(message)
        .with_labels(vec![Label::primary((), range)]);
        report.notes = hints.iter().map(|hint| format!("hint: {hint}")).collect();
        let config = term::Config::default();
        if term::emit(&mut self.stderr.lock(), &config, &file, &report).is_err() {
            eprintln!("{name}: {severity_word}[{code}]: {message}");
        }
    }
}

/// Longest source line shown whole; longer ones are shown as a window around the span.
const MAX_SHOWN_LINE: usize = 160;

/// About `MAX_SHOWN_LINE` characters of `line` around byte `offset`, with `…` where cut, and the
/// column (in characters) of `offset` within the excerpt.
fn excerpt_around(line: &str, offset: usize) -> (String, usize) {
    let floor = |mut i: usize| {
        i = i.min(line.len());
        while !line.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let offset = floor(offset);
    let start = floor(offset.saturating_sub(60));
    let end = floor(offset + 100);
    let lead = if start > 0 { "…" } else { "" };
    let tail = if end < line.len() { "…" } else { "" };
    let caret = lead.chars().count() + line[start..offset].chars().count();
    (format!("{lead}{}{tail}", &line[start..end]), caret)
}

/// A stable code for a compile error, like a diagnostic's.
pub fn error_code(error: &CompileError) -> &'static str {
    match error {
        CompileError::InvalidUtf8 { .. } => "invalid-utf8",
        CompileError::TooLarge { .. } => "input-too-large",
        CompileError::Json { .. } => "invalid-json",
        CompileError::Read(_) => "malformed-xml",
        CompileError::SpaceExport => "space-export",
        CompileError::TooManyPages { .. } => "too-many-pages",
        CompileError::Render(_) => "render-failed",
    }
}

/// `file:line:col` of an error, for one-line reports.
pub fn error_location(name: &str, source: Option<&str>, error: &CompileError) -> String {
    match (error, source, error.span()) {
        (CompileError::Json { line, column, .. }, _, _) => format!("{name}:{line}:{column}"),
        (_, Some(source), Some(span)) => {
            let (line, column) = LineIndex::new(source).line_col(source, span.start);
            format!("{name}:{line}:{column}")
        }
        _ => name.to_owned(),
    }
}

fn clamp_to_source(source: &str, span: Span) -> std::ops::Range<usize> {
    let floor = |mut i: usize| {
        i = i.min(source.len());
        while !source.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(span.start);
    start..floor(span.end).max(start)
}
