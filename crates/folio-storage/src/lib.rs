//! The storage reader: Confluence storage format (XHTML with `ac:`/`ri:`/`at:` elements) to the
//! folio IR. It is the only crate that knows XML or Confluence namespaces.
//!
//! [`read_storage`] parses a storage body — a fragment with no root, undeclared prefixes, HTML
//! named entities and CDATA — and maps it to a [`folio_ir::Document`]. It fails only when the XML
//! is not well-formed or a limit is exceeded; content it cannot map becomes an `Unsupported`
//! node that keeps its text, with a warning. Macros are read faithfully and left unexpanded
//! (`folio-passes` expands them); tables keep their rows as written (the table pass normalises
//! them).
//!
//! Deliberately absent: namespace resolution, DTDs (refused), fetching anything, and any notion
//! of PDF or layout.

mod blocks;
mod css;
mod dom;
mod entities;
mod inline;
mod layout;
mod links;
mod macros;
mod media;
mod reader;
mod space_export;
mod table;
mod tasks;

use folio_ir::{Diagnostic, Document, Span};

pub use space_export::{ExportedAttachment, ExportedPage, SpaceExport, read_space_export};

/// Options of [`read_storage`].
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The deepest element nesting accepted; deeper input is an error (default 256).
    ///
    /// The mapping to the IR recurses once per level, using a few KiB of stack per level in
    /// debug builds (well under 1 MiB at 256), so raise it only with the stack to match.
    pub max_depth: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self { max_depth: 256 }
    }
}

/// A document read from storage format, with the warnings met on the way.
#[derive(Debug, Clone)]
pub struct Read {
    pub document: Document,
    pub diagnostics: Vec<Diagnostic>,
}

/// Why a storage body could not be read: it is not well-formed XML, or it exceeds a limit.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[error("{message}")]
pub struct ReadError {
    pub message: String,
    /// Byte range of the fault in the source.
    pub span: Span,
    /// What to do about it.
    pub hints: Vec<String>,
}

impl ReadError {
    fn new(message: impl Into<String>, span: Span) -> Self {
        Self {
            message: message.into(),
            span,
            hints: vec![],
        }
    }

    fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

/// Reads a storage body. Err only when the XML is not well-formed (or a limit is exceeded).
pub fn read_storage(source: &str, options: &ReadOptions) -> Result<Read, ReadError> {
    let mut diagnostics = Vec::new();
    let nodes = reader::parse(source, options.max_depth, &mut diagnostics)?;
    let mut cx = blocks::Cx::default();
    let blocks = blocks::read_blocks(&mut cx, &nodes);
    diagnostics.append(&mut cx.diagnostics);
    Ok(Read {
        document: Document {
            title: None,
            blocks,
        },
        diagnostics,
    })
}
