//! The XML event loop: storage source text to a [`dom`](crate::dom) tree, with an explicit stack.
//!
//! This is where well-formedness is decided. Storage bodies are fragments with undeclared
//! prefixes and HTML entities, so the plain (namespace-unaware) quick-xml reader is used and
//! references are resolved here. Every fault becomes a [`ReadError`] whose span points at it.

use std::collections::BTreeSet;

use folio_ir::{Diagnostic, LineIndex, Span};
use quick_xml::Reader;
use quick_xml::errors::{Error as XmlError, SyntaxError};
use quick_xml::events::{BytesStart, Event};

use crate::dom::{Element, Node, Text};
use crate::entities::{resolve_reference, strip_controls, unescape_attribute};
use crate::ReadError;

/// An element whose end tag has not been read yet.
struct Open {
    element: Element,
    /// The name exactly as written, which the end tag must repeat.
    raw_name: String,
    start_tag: Span,
}

struct TreeBuilder<'s> {
    source: &'s str,
    max_depth: usize,
    stack: Vec<Open>,
    roots: Vec<Node>,
    diagnostics: Vec<Diagnostic>,
    warned: BTreeSet<String>,
}

/// Parses `source` into a tree of nodes, or the first well-formedness fault.
pub(crate) fn parse(
    source: &str,
    max_depth: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<Node>, ReadError> {
    // quick-xml skips a byte-order mark without counting it; strip it here to keep offsets right.
    let base = if source.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let mut reader = Reader::from_str(&source[base..]);
    let config = reader.config_mut();
    // The builder checks nesting itself, to report faults with both ends' positions.
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    // `AT&T` is common in hand-made content: keep the `&` as text.
    config.allow_dangling_amp = true;

    let mut builder = TreeBuilder {
        source,
        max_depth,
        stack: Vec::new(),
        roots: Vec::new(),
        diagnostics: Vec::new(),
        warned: BTreeSet::new(),
    };
    loop {
        let start = base + reader.buffer_position() as usize;
        let event = reader.read_event();
        let end = base + reader.buffer_position() as usize;
        let span = Span::new(start, end);
        let event = match event {
            Ok(event) => event,
            Err(error) => {
                let at = base + reader.error_position() as usize;
                return Err(syntax_error(&error, Span::new(at, end.max(at))));
            }
        };
        match event {
            Event::Start(tag) => builder.open(&tag, span, false)?,
            Event::Empty(tag) => builder.open(&tag, span, true)?,
            Event::End(tag) => builder.close(tag.name().0, span)?,
            Event::Text(text) => {
                if text.starts_with('&') {
                    builder.warn_once(
                        "bare-ampersand",
                        Diagnostic::warning("bare-ampersand", "unescaped `&` kept as text")
                            .at(Span::new(start, start + 1))
                            .with_hint("write `&amp;` for a literal ampersand"),
                    );
                }
                builder.text(&text.xml10_content(), span);
            }
            Event::CData(text) => builder.text(&text.xml10_content(), span),
            Event::GeneralRef(reference) => match resolve_reference(&reference) {
                Some(text) => builder.text(&text, span),
                None => {
                    let name = &*reference;
                    builder.warn_once(
                        &format!("entity:{name}"),
                        Diagnostic::warning("unknown-entity", format!("unknown entity `&{name};`"))
                            .at(span)
                            .with_hint("it is kept as written"),
                    );
                    builder.text(&source[start..end], span);
                }
            },
            Event::DocType(_) => {
                return Err(ReadError::new("document type declarations are not allowed", span)
                    .with_hint("storage bodies never declare a DOCTYPE; remove it")
                    .with_hint("entities it declares could expand without bound"));
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = builder.stack.last() {
        let name = &open.raw_name;
        return Err(ReadError::new(format!("unclosed element `<{name}>`"), open.start_tag)
            .with_hint(format!("the document ends before `</{name}>`; it may be truncated")));
    }
    diagnostics.append(&mut builder.diagnostics);
    Ok(builder.roots)
}

impl TreeBuilder<'_> {
    fn open(&mut self, tag: &BytesStart, span: Span, empty: bool) -> Result<(), ReadError> {
        let raw_name = tag.name().0;
        if !is_valid_name(raw_name) {
            return Err(ReadError::new("malformed tag", span)
                .with_hint("a literal `<` in text must be written `&lt;`"));
        }
        if self.stack.len() >= self.max_depth {
            return Err(ReadError::new(
                format!("elements are nested deeper than the limit of {}", self.max_depth),
                span,
            )
            .with_hint("flatten the document, or raise `ReadOptions::max_depth`"));
        }
        let mut attrs = Vec::new();
        for attr in tag.html_attributes().with_checks(false) {
            let attr = attr.map_err(|error| {
                ReadError::new(format!("malformed attribute in `<{raw_name}>`"), span)
                    .with_hint(lowercase_first(&error.to_string()))
            })?;
            let value = unescape_attribute(&attr.value).into_owned();
            attrs.push((attr.key.0.to_ascii_lowercase(), value));
        }
        let element = Element {
            name: raw_name.to_ascii_lowercase(),
            attrs,
            children: Vec::new(),
            span,
        };
        if empty {
            self.children().push(Node::Element(element));
        } else {
            self.stack.push(Open { element, raw_name: raw_name.to_owned(), start_tag: span });
        }
        Ok(())
    }

    fn close(&mut self, name: &str, span: Span) -> Result<(), ReadError> {
        let Some(open) = self.stack.pop() else {
            return Err(ReadError::new(format!("unexpected end tag `</{name}>`"), span)
                .with_hint("no element is open here; remove it or add its start tag"));
        };
        if open.raw_name != name {
            let (line, column) = LineIndex::new(self.source).line_col(self.source, open.start_tag.start);
            let expected = &open.raw_name;
            let mut error = ReadError::new(
                format!("mismatched end tag: expected `</{expected}>`, found `</{name}>`"),
                span,
            )
            .with_hint(format!("`<{expected}>` was opened at line {line}, column {column}"));
            if !self.stack.iter().any(|o| o.raw_name == name) {
                error = error.with_hint(format!("no `<{name}>` is open here"));
            }
            return Err(error);
        }
        let mut element = open.element;
        element.span.end = span.end;
        self.children().push(Node::Element(element));
        Ok(())
    }

    fn text(&mut self, text: &str, span: Span) {
        let cleaned = strip_controls(text);
        if cleaned.is_some() {
            self.warn_once(
                "control-character",
                Diagnostic::warning("control-character", "control characters removed from text")
                    .at(span)
                    .with_hint("XML does not allow them and they have no glyph"),
            );
        }
        let text = cleaned.as_deref().unwrap_or(text);
        let children = self.children();
        if let Some(Node::Text(last)) = children.last_mut() {
            last.text.push_str(text);
            last.span.end = span.end;
        } else {
            children.push(Node::Text(Text { text: text.to_owned(), span }));
        }
    }

    fn children(&mut self) -> &mut Vec<Node> {
        match self.stack.last_mut() {
            Some(open) => &mut open.element.children,
            None => &mut self.roots,
        }
    }

    fn warn_once(&mut self, key: &str, diagnostic: Diagnostic) {
        if self.warned.insert(key.to_owned()) {
            self.diagnostics.push(diagnostic);
        }
    }
}

/// An XML name as storage uses them: a letter, `_` or `:` first, then no markup characters.
fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return false };
    (first.is_alphabetic() || first == '_' || first == ':')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':') || !c.is_ascii())
}

fn syntax_error(error: &XmlError, span: Span) -> ReadError {
    let (message, hint) = match error {
        XmlError::Syntax(SyntaxError::UnclosedCData) => {
            ("unterminated CDATA section", "a CDATA section ends with `]]>`")
        }
        XmlError::Syntax(SyntaxError::UnclosedComment) => {
            ("unterminated comment", "a comment ends with `-->`")
        }
        XmlError::Syntax(SyntaxError::UnclosedTag) => {
            ("unterminated tag", "the document ends inside a tag; it may be truncated")
        }
        XmlError::Syntax(
            SyntaxError::UnclosedDoubleQuotedAttributeValue
            | SyntaxError::UnclosedSingleQuotedAttributeValue,
        ) => ("unterminated attribute value", "the closing quote is missing"),
        XmlError::Syntax(SyntaxError::UnclosedPI | SyntaxError::UnclosedXmlDecl) => {
            ("unterminated processing instruction", "it ends with `?>`")
        }
        XmlError::Syntax(SyntaxError::UnclosedDoctype) => (
            "document type declarations are not allowed",
            "storage bodies never declare a DOCTYPE; remove it",
        ),
        XmlError::Syntax(SyntaxError::InvalidBangMarkup) => (
            "malformed markup after `<!`",
            "only comments `<!-- -->` and CDATA sections `<![CDATA[ ]]>` may start with `<!`",
        ),
        _ => {
            return ReadError::new(format!("malformed XML: {}", lowercase_first(&error.to_string())), span);
        }
    };
    ReadError::new(message, span).with_hint(hint)
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
