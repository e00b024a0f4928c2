//! The XML event loop: storage source text to a [`dom`](crate::dom) tree, with an explicit stack.
//!
//! This is where well-formedness is decided. Storage bodies are fragments with undeclared
//! prefixes and HTML entities, so the plain (namespace-unaware) quick-xml reader is used and
//! references are resolved here. Every fault becomes a [`ReadError`] whose span points at it.

use std::collections::BTreeSet;

use folio_ir::{Diagnostic, LineIndex, Span};
use quick_xml::Reader;
use quick_xml::errors::{Error as XmlError, SyntaxError};
use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};

use crate::ReadError;
use crate::dom::{Element, Node, Text};
use crate::entities::{
    MAX_COMBINING_MARKS, cap_combining_marks, resolve_reference, strip_controls,
    trailing_combining_marks, unescape_attribute,
};

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
    let base = if source.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
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
                return Err(syntax_error(source, &error, at));
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
                return Err(
                    ReadError::new("document type declarations are not allowed", span)
                        .with_hint("storage bodies never declare a DOCTYPE; remove it")
                        .with_hint("entities it declares could expand without bound"),
                );
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = builder.stack.last() {
        let name = &open.raw_name;
        return Err(
            ReadError::new(format!("unclosed element `<{name}>`"), open.start_tag).with_hint(
                format!("the document ends before `</{name}>`; it may be truncated"),
            ),
        );
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
                format!(
                    "elements are nested deeper than the limit of {} (`max_depth`)",
                    self.max_depth
                ),
                span,
            )
            .with_hint("flatten the document, or raise `ReadOptions::max_depth`"));
        }
        let mut attrs = Vec::new();
        for attr in tag.attributes() {
            let attr = attr.map_err(|error| self.attribute_error(raw_name, span, &error))?;
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
            self.stack.push(Open {
                element,
                raw_name: raw_name.to_owned(),
                start_tag: span,
            });
        }
        Ok(())
    }

    /// An attribute fault; quick-xml counts its positions from the byte after `<`.
    fn attribute_error(&self, element: &str, tag: Span, error: &AttrError) -> ReadError {
        let at = |offset: usize| {
            let start = (tag.start + 1 + offset).min(tag.end);
            Span::new(start, start)
        };
        match *error {
            AttrError::ExpectedEq(offset) => ReadError::new(
                format!("attribute without a value in `<{element}>`"),
                at(offset),
            )
            .with_hint("write the attribute as `name=\"value\"`"),
            AttrError::ExpectedValue(offset) => ReadError::new(
                format!("missing attribute value in `<{element}>`"),
                at(offset),
            )
            .with_hint("write the attribute as `name=\"value\"`"),
            AttrError::UnquotedValue(offset) => ReadError::new(
                format!("unquoted attribute value in `<{element}>`"),
                at(offset),
            )
            .with_hint("enclose the value in `\"`"),
            AttrError::ExpectedQuote(offset, _) => ReadError::new(
                format!("unterminated attribute value in `<{element}>`"),
                at(offset),
            )
            .with_hint("the closing quote is missing"),
            AttrError::Duplicated(offset, first) => {
                let first = at(first).start;
                let (line, column) = LineIndex::new(self.source).line_col(self.source, first);
                ReadError::new(format!("duplicate attribute in `<{element}>`"), at(offset))
                    .with_hint(format!("the first one is at line {line}, column {column}"))
            }
        }
    }

    fn close(&mut self, name: &str, span: Span) -> Result<(), ReadError> {
        let Some(open) = self.stack.pop() else {
            return Err(
                ReadError::new(format!("unexpected end tag `</{name}>`"), span)
                    .with_hint("no element is open here; remove it or add its start tag"),
            );
        };
        if open.raw_name != name {
            let (line, column) =
                LineIndex::new(self.source).line_col(self.source, open.start_tag.start);
            let expected = &open.raw_name;
            let mut error = ReadError::new(
                format!("mismatched end tag: expected `</{expected}>`, found `</{name}>`"),
                span,
            )
            .with_hint(format!(
                "`<{expected}>` was opened at line {line}, column {column}"
            ));
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
        let marks_before = match self.children().last() {
            Some(Node::Text(last)) => trailing_combining_marks(&last.text),
            _ => 0,
        };
        let capped = cap_combining_marks(text, marks_before);
        if capped.is_some() {
            self.warn_once(
                "combining-marks",
                Diagnostic::warning(
                    "combining-marks",
                    format!(
                        "combining marks past {MAX_COMBINING_MARKS} on one character removed from text"
                    ),
                )
                .at(span)
                .with_hint("no script needs more, and laying out thousands of them on one letter takes gigabytes"),
            );
        }
        let text = capped.as_deref().unwrap_or(text);
        let children = self.children();
        if let Some(Node::Text(last)) = children.last_mut() {
            last.text.push_str(text);
            last.span.end = span.end;
        } else {
            children.push(Node::Text(Text {
                text: text.to_owned(),
                span,
            }));
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
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_alphabetic() || first == '_' || first == ':')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':') || !c.is_ascii())
}

/// A fault quick-xml found at byte `at` (where the faulty markup starts). Unterminated comments
/// and CDATA sections are reported where they start; input that ends inside a tag is reported
/// where it ends, unless an open quote swallowed the rest of the document.
pub(crate) fn syntax_error(source: &str, error: &XmlError, at: usize) -> ReadError {
    let to_end = Span::new(at, source.len());
    let eof = Span::new(source.len(), source.len());
    let (line, column) = LineIndex::new(source).line_col(source, at);
    let tag_start = format!("the tag starts at line {line}, column {column}");
    let XmlError::Syntax(syntax) = error else {
        let message = format!("malformed XML: {}", lowercase_first(&error.to_string()));
        return ReadError::new(message, Span::new(at, at));
    };
    match syntax {
        SyntaxError::UnclosedCData => ReadError::new("unterminated CDATA section", to_end)
            .with_hint(if source[at..].contains("]] >") {
                "a CDATA section ends with `]]>`; `]] >` with a space does not end it"
            } else {
                "a CDATA section ends with `]]>`"
            }),
        SyntaxError::UnclosedComment => {
            ReadError::new("unterminated comment", to_end).with_hint("a comment ends with `-->`")
        }
        SyntaxError::UnclosedTag => ReadError::new("the document ends inside a tag", eof)
            .with_hint(tag_start)
            .with_hint("the document may be truncated"),
        SyntaxError::UnclosedDoubleQuotedAttributeValue
        | SyntaxError::UnclosedSingleQuotedAttributeValue => match open_quote(source, at) {
            Some(quote) if source[quote..].contains(['>', '\n']) => ReadError::new(
                "unterminated attribute value",
                Span::new(quote, source.len()),
            )
            .with_hint("the closing quote is missing; the value runs to the end"),
            _ => ReadError::new("the document ends inside an attribute value", eof)
                .with_hint(tag_start)
                .with_hint("the document may be truncated"),
        },
        SyntaxError::UnclosedPI | SyntaxError::UnclosedXmlDecl => {
            ReadError::new("unterminated processing instruction", to_end)
                .with_hint("it ends with `?>`")
        }
        SyntaxError::UnclosedDoctype => {
            ReadError::new("document type declarations are not allowed", to_end)
                .with_hint("storage bodies never declare a DOCTYPE; remove it")
        }
        SyntaxError::InvalidBangMarkup => {
            ReadError::new("malformed markup after `<!`", Span::new(at, at)).with_hint(
                "only comments `<!-- -->` and CDATA sections `<![CDATA[ ]]>` start with `<!`",
            )
        }
    }
}

/// The quote that opens the attribute value left unterminated in the tag starting at `tag`.
fn open_quote(source: &str, tag: usize) -> Option<usize> {
    let mut open: Option<(usize, u8)> = None;
    for (offset, byte) in source.as_bytes()[tag..].iter().enumerate() {
        match open {
            Some((_, quote)) if *byte == quote => open = None,
            Some(_) => {}
            None if *byte == b'"' || *byte == b'\'' => open = Some((tag + offset, *byte)),
            None => {}
        }
    }
    open.map(|(position, _)| position)
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
