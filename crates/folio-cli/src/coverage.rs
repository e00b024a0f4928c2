//! `folio check --coverage`: how many words of a page's text reach the PDF's text layer.
//!
//! The promise measured is "no content lost". Both ends are read independently of folio: the
//! storage body with a small quick-xml loop of its own (not folio's reader, whose omissions would
//! otherwise go uncounted), and the PDF with pdf-extract, as a viewer's copy and paste reads it.
//! `docs/coverage.md` states the rules; the tests below pin each one.
//!
//! Everything here stays in the CLI: the missing words are page content, fine on the user's own
//! terminal but never something the library would log.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use pdf_extract::{Document, MediaBox, Object, OutputDev, OutputError, Transform, output_doc};
use quick_xml::Reader;
use quick_xml::escape::resolve_html5_entity;
use quick_xml::events::{BytesStart, Event};
use unicode_normalization::UnicodeNormalization;

/// Elements whose text is not page content: macro parameters (settings such as a code block's
/// language or a status lozenge's title), editor-only instructions, template declarations, task
/// and ADF bookkeeping, and what HTML itself never displays.
const EXCLUDED: &[&str] = &[
    "ac:parameter",
    "ac:default-parameter",
    "ac:placeholder",
    "at:declarations",
    "ac:task-id",
    "ac:task-uuid",
    "ac:task-status",
    "ac:adf-attribute",
    "ac:adf-fragment-mark",
    "ac:adf-fragment-mark-detail",
    "ac:adf-mark",
    "script",
    "style",
    "template",
];

/// Elements that sit inside a line without separating words: `<b>Wo</b>rd` is one word on the
/// page. Every other element ends a word, as blocks, cells and line breaks do.
const INLINE: &[&str] = &[
    "a",
    "abbr",
    "b",
    "big",
    "cite",
    "code",
    "del",
    "dfn",
    "em",
    "font",
    "i",
    "ins",
    "kbd",
    "mark",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "time",
    "tt",
    "u",
    "var",
    "ac:link",
    "ac:link-body",
    "ac:plain-text-link-body",
    "ac:inline-comment-marker",
    "ac:emoticon",
];

/// Characters that are invisible and may sit inside a word on one side only: the zero-width
/// spaces folio inserts as break opportunities, soft hyphens, joiners and the byte-order mark.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// The words of `text`: maximal runs of alphanumeric characters (any script, so CJK and Hangul
/// count), lowercased, after dropping invisible characters. Every word counts, one character
/// long or not: a lost digit in a table cell is a loss.
///
/// Text is compared in Unicode normal form C. A PDF maps each glyph to one text in its font's
/// ToUnicode table and marks other texts for the same glyph with `/ActualText`, which
/// pdf-extract does not read: once a page holds a decomposed "스" (macOS file names), every
/// composed "스" reads back decomposed. Canonically equivalent text is the same text.
pub fn words(text: &str) -> Vec<String> {
    let visible: String = text.chars().filter(|&c| !is_invisible(c)).nfc().collect();
    visible
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

enum Node {
    Element(Element),
    Text(String),
}

struct Element {
    name: String,
    /// `ac:name`: which macro, or which parameter.
    ac_name: Option<String>,
    children: Vec<Node>,
}

impl Element {
    fn new(tag: &BytesStart) -> Element {
        let ac_name = tag
            .try_get_attribute("ac:name")
            .ok()
            .flatten()
            .map(|attr| attr.value.trim().to_lowercase());
        Element {
            name: tag.name().0.to_lowercase(),
            ac_name,
            children: Vec::new(),
        }
    }

    fn is_markdown_macro(&self) -> bool {
        matches!(self.name.as_str(), "ac:structured-macro" | "ac:macro")
            && matches!(
                self.ac_name.as_deref(),
                Some("markdown" | "markdown-macro" | "markdown-from-text")
            )
    }

    /// A maths macro: its TeX becomes a formula, whose glyphs are not words of the text.
    fn is_math_macro(&self) -> bool {
        matches!(self.name.as_str(), "ac:structured-macro" | "ac:macro")
            && self.ac_name.as_deref().is_some_and(folio::is_math_macro)
    }

    /// An excerpt or page-properties macro its author hid: Confluence does not show it on the
    /// page (only where another page includes it), so neither should the PDF.
    fn is_hidden_macro(&self) -> bool {
        matches!(self.name.as_str(), "ac:structured-macro" | "ac:macro")
            && matches!(self.ac_name.as_deref(), Some("excerpt" | "details"))
            && self.children.iter().any(|child| {
                matches!(child, Node::Element(p) if p.name == "ac:parameter"
                    && p.ac_name.as_deref() == Some("hidden")
                    && text_of(&p.children).trim().eq_ignore_ascii_case("true"))
            })
    }
}

fn text_of(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Element(element) => out.push_str(&text_of(&element.children)),
        }
    }
    out
}

/// The text of a storage body that a reader of the page sees, with a line break wherever an
/// element other than an inline one starts or ends. Fails only on input that is not XML.
pub fn source_text(storage: &str) -> Result<String, String> {
    let nodes = parse(storage)?;
    let mut out = String::new();
    collect_text(&nodes, &mut out);
    Ok(out)
}

/// The words of a storage body's text, in reading order.
pub fn source_words(storage: &str) -> Result<Vec<String>, String> {
    Ok(words(&source_text(storage)?))
}

fn parse(storage: &str) -> Result<Vec<Node>, String> {
    let mut reader = Reader::from_str(storage.strip_prefix('\u{feff}').unwrap_or(storage));
    let config = reader.config_mut();
    // As lenient as folio's reader, which has already accepted the body when this runs.
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;

    let mut stack: Vec<Element> = Vec::new();
    let mut roots = Vec::new();
    let push = |stack: &mut Vec<Element>, roots: &mut Vec<Node>, node: Node| match stack.last_mut()
    {
        Some(open) => open.children.push(node),
        None => roots.push(node),
    };
    loop {
        let event = reader.read_event().map_err(|error| {
            format!("malformed XML at byte {}: {error}", reader.error_position())
        })?;
        match event {
            Event::Start(tag) => stack.push(Element::new(&tag)),
            Event::Empty(tag) => push(&mut stack, &mut roots, Node::Element(Element::new(&tag))),
            Event::End(_) => {
                if let Some(element) = stack.pop() {
                    push(&mut stack, &mut roots, Node::Element(element));
                }
            }
            Event::Text(text) => {
                push(
                    &mut stack,
                    &mut roots,
                    Node::Text(text.xml10_content().into_owned()),
                );
            }
            Event::CData(text) => {
                push(
                    &mut stack,
                    &mut roots,
                    Node::Text(text.xml10_content().into_owned()),
                );
            }
            Event::GeneralRef(reference) => {
                let text = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    // Unknown names stay as written, as HTML (and folio) show them.
                    _ => resolve_html5_entity(&reference)
                        .map_or_else(|| format!("&{};", &*reference), str::to_owned),
                };
                push(&mut stack, &mut roots, Node::Text(text));
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    // A truncated body is an error for folio; close what is open so nothing is uncounted.
    while let Some(element) = stack.pop() {
        push(&mut stack, &mut roots, Node::Element(element));
    }
    Ok(roots)
}

fn collect_text(nodes: &[Node], out: &mut String) {
    for node in nodes {
        let element = match node {
            Node::Text(text) => {
                out.push_str(text);
                continue;
            }
            Node::Element(element) => element,
        };
        let (name, children) = (element.name.as_str(), &element.children);
        if EXCLUDED.contains(&name) || element.is_hidden_macro() || element.is_math_macro() {
            continue;
        }
        let inline = INLINE.contains(&name);
        if !inline {
            out.push('\n');
        }
        if element.is_markdown_macro() {
            let mut markdown = String::new();
            collect_text(children, &mut markdown);
            out.push_str(&strip_link_destinations(&markdown));
        } else if name == "ac:adf-extension" && contains(children, "ac:adf-content") {
            // The fallback is Confluence's HTML rendering of the same content: counting both
            // would demand every word twice.
            for child in children {
                if !matches!(child, Node::Element(e) if e.name == "ac:adf-fallback") {
                    collect_text(std::slice::from_ref(child), out);
                }
            }
        } else {
            collect_text(children, out);
        }
        if !inline {
            out.push('\n');
        }
    }
}

/// Markdown without what it never displays: the destinations of links and images
/// (`[text](url)`) and link reference definitions (`[id]: url`), like `href` in storage.
fn strip_link_destinations(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for line in markdown.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let is_definition = trimmed.starts_with('[')
            && trimmed
                .find("]:")
                .is_some_and(|end| !trimmed[1..end].contains(['[', ']']));
        if is_definition {
            out.push('\n');
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            out.push_str(&rest[..=at]);
            let destination = &rest[at + 2..];
            let mut depth = 1;
            let end = destination.char_indices().find_map(|(i, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(i)
            });
            match end {
                Some(end) => rest = &destination[end + 1..],
                // Not a link after all: keep the text.
                None => {
                    out.push('(');
                    rest = destination;
                }
            }
        }
        out.push_str(rest);
    }
    out
}

fn contains(nodes: &[Node], wanted: &str) -> bool {
    nodes.iter().any(|node| match node {
        Node::Element(element) => element.name == wanted || contains(&element.children, wanted),
        Node::Text(_) => false,
    })
}

/// The text layer of a PDF, as a viewer's copy and paste reads it.
pub fn pdf_text(pdf: &[u8]) -> Result<String, String> {
    // pdf-extract indexes and unwraps freely; a panic there is a fault of the measure, to be
    // reported on the document's line rather than ending the whole check.
    catch_unwind(AssertUnwindSafe(|| {
        let mut document = Document::load_mem(pdf).map_err(|error| error.to_string())?;
        expand_width_ranges(&mut document);
        let mut layer = TextLayer::default();
        output_doc(&document, &mut layer).map_err(|error| error.to_string())?;
        Ok(layer.text)
    }))
    .map_err(|_| "the PDF text extractor panicked".to_owned())?
    .map_err(|error: String| format!("the PDF's text layer cannot be read: {error}"))
}

/// Rewrites the `first last width` ranges of CID fonts' `/W` arrays as `first [width …]` lists.
///
/// pdf-extract 0.12 misreads the range form, which is all Typst writes, and falls back to the
/// default width, 0: every glyph then seems to end where it starts, and it puts a space wherever
/// a run of text begins, such as at a change to bold in the middle of a word.
fn expand_width_ranges(document: &mut Document) {
    for object in document.objects.values_mut() {
        let Ok(font) = object.as_dict_mut() else {
            continue;
        };
        let is_cid_font = font
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|name| name.starts_with(b"CIDFontType"));
        let Some(Ok(widths)) = is_cid_font.then(|| font.get_mut(b"W")) else {
            continue;
        };
        let Ok(widths) = widths.as_array_mut() else {
            continue;
        };
        let mut lists = Vec::with_capacity(widths.len());
        let mut i = 0;
        while i < widths.len() {
            if let Some(Object::Array(_)) = widths.get(i + 1) {
                lists.extend_from_slice(&widths[i..i + 2]);
                i += 2;
                continue;
            }
            let (Some(first), Some(last), Some(width)) = (
                widths.get(i).and_then(|o| o.as_i64().ok()),
                widths.get(i + 1).and_then(|o| o.as_i64().ok()),
                widths.get(i + 2).cloned(),
            ) else {
                // Not a form we know: leave the array as it was.
                lists.clear();
                break;
            };
            let count = usize::try_from(last - first + 1).unwrap_or(0).min(65_536);
            lists.push(Object::Integer(first));
            lists.push(Object::Array(vec![width; count]));
            i += 3;
        }
        if !lists.is_empty() {
            *widths = lists;
        }
    }
}

/// The text of a PDF in drawing order, with a space where the pen jumps between glyphs and a line
/// break where it changes lines: pdf-extract's plain-text rules, plus a space where the pen moves
/// back along the same line (a table cell drawn after the one to its right), which pdf-extract
/// glues on to the previous word.
#[derive(Default)]
struct TextLayer {
    text: String,
    /// Where the last glyph ended, on the x axis, and its baseline.
    last_end: f64,
    last_y: f64,
    /// The next glyph starts a new run of text, so it may be apart from the last one.
    run_start: bool,
}

impl OutputDev for TextLayer {
    fn begin_page(
        &mut self,
        _: u32,
        _: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.text.push('\n');
        self.run_start = false;
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        let size = ((trm.m11 + trm.m21) * (trm.m12 + trm.m22)).abs().sqrt() * font_size;
        let (x, y) = (trm.m31, trm.m32);
        if self.run_start {
            let (dx, dy) = (x - self.last_end, (y - self.last_y).abs());
            if dy > size * 1.5 || (dx < 0.0 && dy > size * 0.5) {
                self.text.push('\n');
            } else if dx > size * 0.1 || dx < -size * 0.3 {
                // Kerning moves the pen back by a fraction of that at most.
                self.text.push(' ');
            }
        }
        self.text.push_str(text);
        self.run_start = false;
        self.last_y = y;
        self.last_end = x + width * size;
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        self.run_start = true;
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// The words of a PDF's text layer.
///
/// A line break may fall inside a word: a typesetter's hyphen ("docu-" / "ment"), Korean and
/// other CJK text (which breaks between any two syllables), or a long identifier with no break
/// opportunity. The text layer cannot tell those from a break between words, so wherever a line
/// ends in a word (or a word and a hyphen) and the next one starts with a word, the two also
/// count joined, besides their halves. The extra word can only hide the loss of that very word.
///
/// Right-to-left words come out of the text layer in drawing order, reversed; each also counts
/// turned around.
pub fn pdf_words(text: &str) -> Vec<String> {
    let mut all = Vec::new();
    // The word the previous line ended in, alone and joined across earlier breaks.
    let mut carry: Vec<String> = Vec::new();
    for line in text.lines() {
        let line_words = words(line);
        let starts_in_word = line
            .trim_start_matches(|c: char| c.is_whitespace() || is_invisible(c))
            .starts_with(char::is_alphanumeric);
        let joined: Vec<String> = match line_words.first() {
            Some(first) if starts_in_word => {
                carry.iter().map(|head| format!("{head}{first}")).collect()
            }
            _ => Vec::new(),
        };
        let visible = line.trim_end_matches(|c: char| c.is_whitespace() || is_invisible(c));
        let ends_in_word = visible
            .strip_suffix(['-', '\u{2010}'])
            .unwrap_or(visible)
            .ends_with(char::is_alphanumeric);
        carry.clear();
        if ends_in_word {
            // A line that is one piece of a longer word carries the whole so far.
            if line_words.len() == 1 {
                carry.extend(joined.iter().take(3).cloned());
            }
            carry.extend(line_words.last().cloned());
        }
        all.extend(joined);
        all.extend(line_words);
    }
    let reversed: Vec<String> = all
        .iter()
        .filter(|word| word.chars().any(is_right_to_left))
        .map(|word| word.chars().rev().collect())
        .collect();
    all.extend(reversed);
    all
}

/// Hebrew, Arabic, Syriac, Thaana, N'Ko and their presentation forms.
fn is_right_to_left(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// How many of a document's words the PDF holds.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// Words of the page's text.
    pub words: usize,
    /// Of those, the ones found in the PDF.
    pub found: usize,
    /// Words not found, with how many occurrences are missing, in order of first appearance.
    pub missing: Vec<(String, usize)>,
}

impl Coverage {
    /// Matches source words against PDF words as multisets: a word the page holds three times
    /// must be in the PDF three times, so that a lost paragraph is not hidden by the same words
    /// elsewhere on the page.
    pub fn measure(source: &[String], pdf: &[String]) -> Coverage {
        let mut available: HashMap<&str, usize> = HashMap::new();
        for word in pdf {
            *available.entry(word).or_default() += 1;
        }
        let mut coverage = Coverage {
            words: source.len(),
            ..Coverage::default()
        };
        let mut missing_at: HashMap<&str, usize> = HashMap::new();
        for word in source {
            match available.get_mut(word.as_str()) {
                Some(count) if *count > 0 => {
                    *count -= 1;
                    coverage.found += 1;
                }
                _ => {
                    let at = *missing_at.entry(word).or_insert_with(|| {
                        coverage.missing.push((word.clone(), 0));
                        coverage.missing.len() - 1
                    });
                    coverage.missing[at].1 += 1;
                }
            }
        }
        coverage
    }

    pub fn add(&mut self, other: &Coverage) {
        self.words += other.words;
        self.found += other.found;
    }

    /// The share of words found, in percent; a page without words loses nothing.
    pub fn percent(&self) -> f64 {
        if self.words == 0 {
            100.0
        } else {
            self.found as f64 * 100.0 / self.words as f64
        }
    }
}

/// A percentage with one decimal, rounded down so that "100.0%" means nothing was lost.
pub fn format_percent(percent: f64) -> String {
    format!("{:.1}%", (percent * 10.0).floor() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(storage: &str) -> Vec<String> {
        source_words(storage).unwrap()
    }

    #[test]
    fn words_are_lowercased_alphanumeric_runs_in_any_script() {
        assert_eq!(
            words("Hello, wörld! x2 don't 설치 가이드 日本語"),
            [
                "hello",
                "wörld",
                "x2",
                "don",
                "t",
                "설치",
                "가이드",
                "日本語"
            ]
        );
        assert_eq!(words("a\u{200B}b soft\u{AD}hyphen"), ["ab", "softhyphen"]);
        assert!(words(" -- … ").is_empty());
    }

    #[test]
    fn macro_parameters_are_not_page_text() {
        let storage = r#"<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">java</ac:parameter><ac:plain-text-body><![CDATA[int x;]]></ac:plain-text-body></ac:structured-macro><ac:macro ac:name="info"><ac:default-parameter>Heads</ac:default-parameter><ac:rich-text-body><p>Body</p></ac:rich-text-body></ac:macro>"#;
        assert_eq!(source(storage), ["int", "x", "body"]);
    }

    #[test]
    fn maths_is_a_formula_not_words() {
        let storage = r#"<p>Sum <ac:structured-macro ac:name="mathinline"><ac:parameter ac:name="body">rac{a}{b}</ac:parameter></ac:structured-macro></p><ac:structured-macro ac:name="mathblock"><ac:plain-text-body><![CDATA[\sum_i x_i]]></ac:plain-text-body></ac:structured-macro>"#;
        assert_eq!(source(storage), ["sum"]);
    }

    #[test]
    fn placeholders_and_editor_metadata_are_not_page_text() {
        let storage = "<p><ac:placeholder>Type here</ac:placeholder>Kept</p>\
            <ac:task-list><ac:task><ac:task-id>17</ac:task-id><ac:task-uuid>ab-cd</ac:task-uuid>\
            <ac:task-status>incomplete</ac:task-status><ac:task-body>Ship it</ac:task-body>\
            </ac:task></ac:task-list><at:declarations><at:string at:name=\"v\">Var</at:string>\
            </at:declarations><style>p { color: red }</style>";
        assert_eq!(source(storage), ["kept", "ship", "it"]);
    }

    #[test]
    fn cdata_is_page_text_and_split_sections_join() {
        let storage = "<ac:structured-macro ac:name=\"noformat\"><ac:plain-text-body>\
            <![CDATA[a <b> ]]]]><![CDATA[> c]]></ac:plain-text-body></ac:structured-macro>";
        assert_eq!(source(storage), ["a", "b", "c"]);
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(
            source("<p>caf&eacute; na&#239;ve &#x41;BC AT&T &bogus; &lt;tag&gt;</p>"),
            ["café", "naïve", "abc", "at", "t", "bogus", "tag"]
        );
    }

    #[test]
    fn inline_marks_join_words_and_blocks_split_them() {
        assert_eq!(
            source("<p><strong>Wo</strong>rd</p><p>one</p><p>two<br/>three</p>"),
            ["word", "one", "two", "three"]
        );
        assert_eq!(
            source("<table><tr><td>a</td><td>b</td></tr></table>"),
            ["a", "b"]
        );
    }

    #[test]
    fn an_adf_fallback_counts_only_without_adf_content() {
        let both = "<ac:adf-extension><ac:adf-node type=\"panel\">\
            <ac:adf-attribute key=\"panel-type\">note</ac:adf-attribute>\
            <ac:adf-content><p>Once</p></ac:adf-content></ac:adf-node>\
            <ac:adf-fallback><div><p>Once</p></div></ac:adf-fallback></ac:adf-extension>";
        assert_eq!(source(both), ["once"]);
        let fallback_only = "<ac:adf-extension><ac:adf-node type=\"x\"/>\
            <ac:adf-fallback><p>Shown</p></ac:adf-fallback></ac:adf-extension>";
        assert_eq!(source(fallback_only), ["shown"]);
    }

    #[test]
    fn hidden_excerpts_and_page_properties_are_not_page_text() {
        let storage = "<ac:structured-macro ac:name=\"excerpt\">\
            <ac:parameter ac:name=\"hidden\">true</ac:parameter>\
            <ac:rich-text-body><p>Secret</p></ac:rich-text-body></ac:structured-macro>\
            <ac:structured-macro ac:name=\"details\">\
            <ac:parameter ac:name=\"hidden\">false</ac:parameter>\
            <ac:rich-text-body><p>Shown</p></ac:rich-text-body></ac:structured-macro>";
        assert_eq!(source(storage), ["shown"]);
    }

    #[test]
    fn canonically_equivalent_words_are_equal() {
        assert_eq!(words("\u{1109}\u{1173}"), words("\u{C2A4}"));
    }

    #[test]
    fn markdown_link_destinations_are_not_page_text() {
        let storage = "<ac:structured-macro ac:name=\"markdown\"><ac:plain-text-body><![CDATA[\
            See [the guide](https://example.com/a_(b)) and ![logo](logo.png \"Logo\").\n\
            [ref]: https://example.org/ref\n\
            Visit <https://example.net> or f(x) ](]]></ac:plain-text-body></ac:structured-macro>";
        assert_eq!(
            source(storage),
            [
                "see", "the", "guide", "and", "logo", "visit", "https", "example", "net", "or",
                "f", "x"
            ]
        );
    }

    #[test]
    fn malformed_xml_is_an_error() {
        assert!(source_words("<p title=\"open>x</p>").is_err());
    }

    #[test]
    fn words_broken_across_lines_count_whole_and_split() {
        assert_eq!(
            pdf_words("the docu-\nment and pre-\nprocessing"),
            [
                "the",
                "docu",
                "document",
                "ment",
                "and",
                "pre",
                "preprocessing",
                "processing"
            ]
        );
        assert_eq!(pdf_words("설치 가\n이드"), ["설치", "가", "가이드", "이드"]);
        assert_eq!(
            pdf_words("id 4fq9\nzk2l\nm8 x"),
            [
                "id",
                "4fq9",
                "4fq9zk2l",
                "zk2l",
                "4fq9zk2lm8",
                "zk2lm8",
                "m8",
                "x"
            ]
        );
        assert_eq!(pdf_words("end.\nnext"), ["end", "next"]);
        assert_eq!(pdf_words("end\n(next"), ["end", "next"]);
    }

    #[test]
    fn right_to_left_words_count_in_reading_order_too() {
        assert_eq!(pdf_words("םולש ok"), ["םולש", "ok", "שלום"]);
    }

    #[test]
    fn coverage_counts_a_multiset() {
        let w = |text: &str| words(text);
        let full = Coverage::measure(&w("a b a"), &w("page 1 a b a"));
        assert_eq!((full.words, full.found), (3, 3));
        assert!(full.missing.is_empty());
        let lost = Coverage::measure(&w("a b a c a"), &w("a b"));
        assert_eq!((lost.words, lost.found), (5, 2));
        assert_eq!(lost.missing, [("a".to_owned(), 2), ("c".to_owned(), 1)]);
        assert_eq!(format_percent(lost.percent()), "40.0%");
    }

    #[test]
    fn percentages_round_down() {
        assert_eq!(format_percent(99.99), "99.9%");
        assert_eq!(format_percent(100.0), "100.0%");
        assert_eq!(Coverage::default().percent(), 100.0);
    }
}
