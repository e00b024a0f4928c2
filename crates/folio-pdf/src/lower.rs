//! Lowering: the folio IR to Typst markup that calls the bundled theme.
//!
//! The output is the main file of a Typst project: it imports `/theme.typ`, applies
//! `folio-document` and then holds one block per paragraph, separated by blank lines. Page text
//! reaches it only through [`crate::escape`]; everything else is written by this module.
//!
//! [`block_to_typst`](Writer::block_to_typst) and [`inline_to_typst`](Writer::inline_to_typst)
//! each handle every variant of the IR, with no catch-all arm, so a new variant fails to compile
//! here until it is lowered.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::ops::RangeInclusive;

use folio_ir::{
    Align, Block, Cell, CodeBlock, Column, Columns, Diagnostic, Document, Image, ImageSource,
    Inline, Length, LinkTarget, List, Macro, MacroBody, Panel, PanelKind, StatusColour, Table,
    Task, Toc, UserRef, walk_blocks,
};
use typst::text::ScriptKind;

use crate::cell_widths::{CellStyle, CellWidths, Lozenge, PlainCellMeasure, RunKind, TextRun};
use crate::escape::{
    BREAK_BOX_BUDGET, TEXT_CUT, TextualRun, WORD_BREAK, break_offsets, code_emoji, is_cjk,
    label_name, markup_text, push_breakable_text, push_cut_text, shown_text, string_literal,
    trim_paragraph,
};
use crate::highlight_warmup;
use crate::text_widths::{TableCell, text_widths_argument};
use crate::world::{ATTACHMENTS_DIR, THEME_PATH, USER_THEME_PATH};
use crate::{Paper, RenderOptions, TemplatePart, language_tag, parse_template};

/// CSS pixels to points.
const PX: f32 = 0.75;

/// The lowered document.
pub struct Lowered {
    /// Typst markup: the main file.
    pub markup: String,
    /// Attachment file names by index: image `n` is served at `/attachments/<n>`.
    pub images: Vec<String>,
    /// What the lowering had to replace (images it could not show, nesting it flattened).
    pub diagnostics: Vec<Diagnostic>,
    /// The formulas' markup (Typst math), set in the math face: the fonts check the characters
    /// it holds as they are (symbols it names, the math face has).
    pub math_text: String,
    /// The text the theme sets in the monospaced face (code, verbatim text, the names of
    /// macros it cannot render), also part of `markup`: the fonts check its characters against
    /// the monospaced faces, and the rest of the markup's against the body faces only.
    pub mono_text: String,
}

/// The longest heading (in characters of text) kept with what follows it: Confluence's titles
/// are a line or two, and a heading taller than its column must be free to stand alone.
const STICKY_HEADING_CHARS: usize = 100;

/// The longest heading, in characters of its markup, kept with what follows it: enough for a
/// title with a few links, lozenges or mentions.
const STICKY_HEADING_MARKUP: usize = 400;

/// Default for `max_depth`: deeper than any real page nests.
pub const MAX_DEPTH: usize = 16;

/// Tables nested in one another that are laid out as tables; one nested deeper is flattened
/// (its cells' content follows one another). The theme measures a cell holding a table by
/// laying the table out two or three times before the last, each time in a context of its own
/// (so nothing is memoised across them), and the table measures its own cells in each: the
/// work grows three- to fourfold with each level. A chain of one-word tables 7 deep took 2.5 s
/// and 520 MB, 9 deep 33 s and 6.7 GB; 2,000 words in a cell 0.3 s in one table, 3.7 s three
/// tables deep and 15 s four deep. Real pages nest a table in a table, rarely three.
pub const MAX_TABLE_DEPTH: usize = 3;

/// Lowers `document`. `image_available` says whether an attachment can be shown as an image;
/// attachment images it rejects, like those the IR marks `missing`, become placeholders.
/// Containers (and inline wrappers) nested `max_depth` deep are flattened: their content is
/// kept, their box or styling dropped, with a warning (Typst limits how deep layout nests).
/// With `plain_cells`, tables carry the widths of their plain-text cells, measured with it,
/// for the theme to use instead of measuring those cells itself.
pub fn lower(
    document: &Document,
    options: &RenderOptions,
    image_available: &dyn Fn(&str) -> bool,
    plain_cells: Option<&PlainCellMeasure<'_>>,
    max_depth: usize,
) -> Lowered {
    crate::emoji::reset_budget();
    let mut anchors = BTreeSet::new();
    collect_anchors(&document.blocks, &mut anchors);
    let mut writer = Writer {
        anchors,
        emitted: BTreeSet::new(),
        images: Vec::new(),
        image_index: BTreeMap::new(),
        math_text: String::new(),
        mono_text: String::new(),
        image_available,
        plain_cells,
        diagnostics: Vec::new(),
        deferring: 0,
        deferred: Vec::new(),
        depth: 0,
        max_depth,
        flattened: false,
        table_depth: 0,
        tables_flattened: false,
        break_at: BREAK_AT,
        break_boxes_left: BREAK_BOX_BUDGET,
        textual: TextualRun::default(),
        enum_depth: 0,
        bullet_depth: 0,
        in_table_header: false,
        in_flow: true,
        table_lead: None,
        outlined: options.theme.is_none().then(Vec::new),
        bundled_theme: options.theme.is_none(),
        parts: 0,
        tocs: Vec::new(),
        // PDF/UA-1 requires heading levels that go down one at a time.
        consecutive_headings: options.pdf_standard == crate::PdfStandard::Ua1,
        last_heading: 0,
    };

    let mut out = String::new();
    out.push_str(
        "// Generated by folio-pdf: page text appears only escaped or in string literals.\n",
    );
    let _ = writeln!(out, "#import {}: *", string_literal(THEME_PATH));
    if options.theme.is_some() {
        // After the bundled theme: the functions the user theme defines replace its own.
        let _ = writeln!(out, "#import {}: *", string_literal(USER_THEME_PATH));
    }
    out.push_str(&document_settings(document, options));
    out.push_str(&page_setup(document, options));
    if let Some(cover) = &options.cover {
        let _ = write!(out, "\n{}\n", writer.cover(cover, options));
    }
    // The contents, and the headings the `toc` macros list, go here: after the body is lowered.
    let contents_at = out.len();
    // The cover shows the title; an export (parts) has titled parts, and a title block would
    // stand alone on the page before the first.
    let export = matches!(document.blocks.first(), Some(Block::Part(_)));
    if let Some(title) = document
        .title
        .as_ref()
        .filter(|_| options.cover.is_none() && !export)
    {
        let _ = write!(out, "\n#folio-title[{}]\n", markup_text(title).trim_start());
    }
    let body = writer.blocks_to_typst(&document.blocks);
    // The headings the contents list, handed to it for Typst's first pass (not to a user
    // theme's, which may not take them).
    let depth = options.toc.map(|depth| usize::from(depth.max(1)));
    let listed: Option<Vec<&OutlinedHeading>> = depth
        .zip(writer.outlined.as_ref())
        .map(|(depth, outlined)| outlined.iter().filter(|h| h.level <= depth).collect());
    let estimate = PageEstimate::new(
        body.len(),
        writer.parts,
        listed.as_ref().map_or(0, Vec::len),
    );
    let mut contents = toc_headings_to_typst(&writer, &estimate);
    if let Some(depth) = depth {
        let _ = write!(contents, "\n#folio-contents(depth: {depth}");
        if let Some(listed) = listed {
            let headings = outlined_to_typst(listed.into_iter(), &estimate);
            let _ = write!(contents, ", headings: {headings}");
        }
        contents.push_str(")\n");
    }
    out.insert_str(contents_at, &contents);
    if !body.is_empty() {
        out.push('\n');
        out.push_str(&body);
        out.push('\n');
    }
    if writer.flattened {
        writer.diagnostics.push(
            Diagnostic::warning(
                "nesting-too-deep",
                format!("content nested more than {max_depth} levels deep was flattened"),
            )
            .with_hint("reduce how deeply tables, panels, lists and formatting are nested"),
        );
    }
    if writer.tables_flattened {
        writer.diagnostics.push(
            Diagnostic::warning(
                "nesting-too-deep",
                format!(
                    "tables nested more than {MAX_TABLE_DEPTH} deep were flattened: their cells follow one another"
                ),
            )
            .with_hint("reduce how deeply tables are nested in tables"),
        );
    }
    Lowered {
        markup: out,
        images: writer.images,
        diagnostics: writer.diagnostics,
        math_text: writer.math_text,
        mono_text: writer.mono_text,
    }
}

/// `folio-toc-headings`: for each `toc` macro, the headings it lists (its `headings`), for the
/// theme to lay out in Typst's first pass, where no heading is laid out yet and a list of them
/// would be empty: the text after the macro would move in the second pass and need a third.
/// Defined before the body, which is lowered before the headings after each macro are known.
fn toc_headings_to_typst(writer: &Writer, page: &PageEstimate) -> String {
    let Some(outlined) = writer
        .outlined
        .as_deref()
        .filter(|_| !writer.tocs.is_empty())
    else {
        return String::new();
    };
    let mut out = String::from("\n#let folio-toc-headings = (");
    for (part, levels) in &writer.tocs {
        let listed = outlined
            .iter()
            .filter(|h| h.part == *part && levels.contains(&h.level));
        out.push_str(&outlined_to_typst(listed, page));
        out.push_str(", ");
    }
    out.push_str(")\n");
    out
}

/// The page a heading is likely on, for a table of contents to show in Typst's first pass in
/// place of its page number: only the number of digits counts. Where a number's width moves a
/// line break (a narrow column), the entries take other room in the second pass than in the
/// first, which costs a third.
struct PageEstimate {
    /// Pages of the body: about 3 KB of markup a page, at least 3 pages a part of an export.
    pages: usize,
    parts: usize,
    /// Pages of the contents, before the body: about 35 entries a page.
    contents: usize,
}

impl PageEstimate {
    fn new(markup_len: usize, parts: usize, contents_entries: usize) -> Self {
        Self {
            pages: (markup_len / 3000).max(3 * parts) + 1,
            parts,
            contents: contents_entries.div_ceil(35),
        }
    }

    /// A stand-in for the page number of a heading in `part` (see `Writer::parts`), as a
    /// string literal: the middle of its part, parts being of even length.
    fn stand_in(&self, part: usize) -> String {
        let page = self.contents
            + match self.parts {
                0 => self.pages,
                parts => (2 * part).saturating_sub(1) * self.pages / (2 * parts) + 1,
            };
        string_literal(&"0".repeat(page.to_string().len()))
    }
}

/// `headings` as a Typst array of `(level, body, page)`, `page` a stand-in for the page number.
fn outlined_to_typst<'h>(
    headings: impl Iterator<Item = &'h OutlinedHeading>,
    page: &PageEstimate,
) -> String {
    let mut out = String::from("(");
    for heading in headings {
        let _ = write!(
            out,
            "({}, [{}], {}), ",
            heading.level,
            heading.body,
            page.stand_in(heading.part)
        );
    }
    out.push(')');
    out
}

/// A heading Typst lists in an outline.
struct OutlinedHeading {
    /// The part it is in (see `Writer::parts`).
    part: usize,
    level: usize,
    /// Its body, as markup.
    body: String,
}

/// The document's title: the options', the document's own, or the cover's.
pub(crate) fn document_title<'a>(
    document: &'a Document,
    options: &'a RenderOptions,
) -> Option<&'a str> {
    options
        .title
        .as_deref()
        .or(document.title.as_deref())
        .or(options.cover.as_ref().map(|cover| cover.title.as_str()))
        .filter(|title| !title.trim().is_empty())
}

/// The `set` rules for the PDF's metadata and language, at the top level where Typst looks for
/// them.
fn document_settings(document: &Document, options: &RenderOptions) -> String {
    let mut fields = Vec::new();
    if let Some(title) = document_title(document, options) {
        fields.push(format!("title: {}", string_literal(title)));
    }
    let metadata = &options.metadata;
    if let Some(author) = metadata.author.as_deref().filter(|a| !a.trim().is_empty()) {
        fields.push(format!("author: {}", string_literal(author)));
    }
    if let Some(subject) = metadata.subject.as_deref().filter(|s| !s.trim().is_empty()) {
        fields.push(format!("description: {}", string_literal(subject)));
    }
    let keywords: Vec<&String> = metadata
        .keywords
        .iter()
        .filter(|k| !k.trim().is_empty())
        .collect();
    if !keywords.is_empty() {
        let list: Vec<String> = keywords.iter().map(|k| string_literal(k)).collect();
        fields.push(format!("keywords: ({},)", list.join(", ")));
    }
    let mut out = String::new();
    if !fields.is_empty() {
        let _ = writeln!(out, "#set document({})", fields.join(", "));
    }
    if let Some((lang, region)) = language(options) {
        let _ = writeln!(
            out,
            "#set text({})",
            language_args(&lang, region.as_deref())
        );
    }
    out
}

/// The document's language and region, when the options give a valid one.
pub(crate) fn language(options: &RenderOptions) -> Option<(String, Option<String>)> {
    options.metadata.language.as_deref().and_then(language_tag)
}

fn language_args(lang: &str, region: Option<&str>) -> String {
    let mut out = format!("lang: {}", string_literal(lang));
    if let Some(region) = region {
        let _ = write!(out, ", region: {}", string_literal(region));
    }
    out
}

/// `#show: folio-document`, with the page setup that differs from the theme's defaults.
fn page_setup(document: &Document, options: &RenderOptions) -> String {
    let page = &options.page;
    let mut args = Vec::new();
    match page.paper {
        Paper::A4 => {}
        Paper::Letter => args.push("paper: \"us-letter\"".to_owned()),
        Paper::Legal => args.push("paper: \"us-legal\"".to_owned()),
        Paper::Custom {
            width_mm,
            height_mm,
        } => {
            if let (Some(width), Some(height)) = (mm(width_mm), mm(height_mm)) {
                args.push(format!("paper: ({width}, {height})"));
            }
        }
    }
    if page.landscape {
        args.push("flipped: true".to_owned());
    }
    if let Some([top, right, bottom, left]) = page.margins_mm
        && let (Some(top), Some(right), Some(bottom), Some(left)) =
            (mm(top), mm(right), mm(bottom), mm(left))
    {
        args.push(format!(
            "margin: (top: {top}, right: {right}, bottom: {bottom}, left: {left})"
        ));
    }
    let template = |template: &str| template_to_typst(template, document, options);
    if let Some(header) = &page.header {
        args.push(format!("header: {}", template(header)));
    }
    if let Some(footer) = &page.footer {
        args.push(format!("footer: {}", template(footer)));
    }
    if let Some(watermark) = page.watermark.as_deref().filter(|w| !w.trim().is_empty()) {
        args.push(format!("watermark: {}", string_literal(watermark)));
    }
    if let Some((lang, region)) = language(options) {
        args.push(language_args(&lang, region.as_deref()));
    }
    if args.is_empty() {
        "#show: folio-document\n".to_owned()
    } else {
        format!("#show: folio-document.with({})\n", args.join(", "))
    }
}

/// A length in millimetres, if it is one.
fn mm(value: f32) -> Option<String> {
    (value.is_finite() && value >= 0.0).then(|| format!("{value}mm"))
}

/// A header or footer template as an array for the theme's `folio-running`: literal text as
/// strings (markup where it has an emoji, see `shown_text`), placeholders as `(field: name)`
/// dictionaries, with the `value` the lowering knows (the page-dependent ones are filled in by
/// the theme).
fn template_to_typst(template: &str, document: &Document, options: &RenderOptions) -> String {
    let title = document_title(document, options).unwrap_or_default();
    let mut items = Vec::new();
    for part in parse_template(template) {
        items.push(match part {
            TemplatePart::Text(text) => shown_text(text),
            TemplatePart::Field(name) => {
                let value = match name {
                    "title" => Some(title.to_owned()),
                    "space" => Some(options.space_name.clone().unwrap_or_default()),
                    // Outside any part (a single page): the document's title.
                    "page-title" => Some(title.to_owned()),
                    "date" => Some(iso_date(options)),
                    _ => None,
                };
                match value {
                    Some(value) => format!(
                        "(field: {}, value: {})",
                        string_literal(name),
                        shown_text(&value)
                    ),
                    None => format!("(field: {})", string_literal(name)),
                }
            }
        });
    }
    if items.is_empty() {
        "()".to_owned()
    } else {
        format!("({},)", items.join(", "))
    }
}

/// The render's date as YYYY-MM-DD.
fn iso_date(options: &RenderOptions) -> String {
    let (year, month, day) = crate::date(options);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Every anchor a link can point to: ids of blocks and `Inline::Anchor`s, at any depth.
fn collect_anchors(blocks: &[Block], out: &mut BTreeSet<String>) {
    for block in blocks {
        match block {
            Block::Heading { attr, content, .. } | Block::Paragraph { attr, content, .. } => {
                out.extend(attr.id.iter().cloned());
                collect_inline_anchors(content, out);
            }
            Block::Div { attr, blocks, .. } => {
                out.extend(attr.id.iter().cloned());
                collect_anchors(blocks, out);
            }
            Block::Part(part) => {
                out.insert(folio_ir::Part::anchor(&part.id));
                collect_anchors(&part.blocks, out);
            }
            Block::List(list) => list
                .items
                .iter()
                .for_each(|i| collect_anchors(&i.blocks, out)),
            Block::Quote { blocks, .. }
            | Block::Expand { blocks, .. }
            | Block::Unsupported { blocks, .. } => collect_anchors(blocks, out),
            Block::Panel(panel) => collect_anchors(&panel.blocks, out),
            Block::Table(table) => table
                .rows
                .iter()
                .flat_map(|row| &row.cells)
                .for_each(|cell| collect_anchors(&cell.blocks, out)),
            Block::Columns(columns) => columns
                .columns
                .iter()
                .for_each(|c| collect_anchors(&c.blocks, out)),
            Block::TaskList { items, .. } => collect_task_anchors(items, out),
            Block::Image(image) => collect_inline_anchors(&image.caption, out),
            Block::Macro(m) => collect_macro_anchors(m, out),
            Block::Rule { .. } | Block::Code(_) | Block::Toc(_) | Block::Math { .. } => {}
        }
    }
}

fn collect_task_anchors(tasks: &[Task], out: &mut BTreeSet<String>) {
    for task in tasks {
        collect_inline_anchors(&task.content, out);
        collect_task_anchors(&task.children, out);
    }
}

fn collect_macro_anchors(m: &Macro, out: &mut BTreeSet<String>) {
    if let MacroBody::Rich { blocks } = &m.body {
        collect_anchors(blocks, out);
    }
}

fn collect_inline_anchors(inlines: &[Inline], out: &mut BTreeSet<String>) {
    for inline in inlines {
        match inline {
            Inline::Anchor { id } => {
                out.insert(id.clone());
            }
            Inline::Strong { content }
            | Inline::Emphasis { content }
            | Inline::Underline { content }
            | Inline::Strike { content }
            | Inline::Sub { content }
            | Inline::Sup { content }
            | Inline::Code { content }
            | Inline::Color { content, .. }
            | Inline::Highlight { content, .. }
            | Inline::Link { content, .. }
            | Inline::Unsupported { content, .. } => collect_inline_anchors(content, out),
            Inline::Image(image) => collect_inline_anchors(&image.caption, out),
            Inline::Macro(m) => collect_macro_anchors(m, out),
            Inline::Text { .. }
            | Inline::LineBreak
            | Inline::Status { .. }
            | Inline::Emoji { .. }
            | Inline::Mention { .. }
            | Inline::Date { .. }
            | Inline::Math { .. } => {}
        }
    }
}

struct Writer<'a, 'f> {
    /// Anchors that exist in the document: links to them are clickable.
    anchors: BTreeSet<String>,
    /// Anchors whose label is already written (a label must be unique).
    emitted: BTreeSet<String>,
    images: Vec<String>,
    image_index: BTreeMap<String, usize>,
    image_available: &'a dyn Fn(&str) -> bool,
    /// Measures plain-text table cells; see `crate::cell_widths`.
    plain_cells: Option<&'a PlainCellMeasure<'f>>,
    diagnostics: Vec<Diagnostic>,
    /// See [`Lowered::math_text`].
    math_text: String,
    /// See [`Lowered::mono_text`].
    mono_text: String,
    /// Nesting depth of headings, links and table header rows being lowered. Anchors met there
    /// are `deferred` to before the outermost one: a heading's body is copied into the outline
    /// and header rows repeat on every page (and a label must be unique), and Typst cannot find a
    /// label inside the link that points to it.
    deferring: usize,
    deferred: Vec<String>,
    /// Blocks and inline wrappers enclosing the one being lowered.
    depth: usize,
    max_depth: usize,
    /// Something was flattened for being nested `max_depth` deep.
    flattened: bool,
    /// Tables enclosing the block being lowered (see [`MAX_TABLE_DEPTH`]).
    table_depth: usize,
    /// A table was flattened for being nested [`MAX_TABLE_DEPTH`] tables deep.
    tables_flattened: bool,
    /// Runs of this many characters without a break opportunity may break anywhere (fewer in
    /// table cells, which are narrow).
    break_at: usize,
    /// Break boxes this document may still use (see `push_breakable_text`).
    break_boxes_left: usize,
    /// The regex matches the run of text being lowered may hold (see [`TEXT_CUT`]).
    textual: TextualRun,
    /// Numbered lists enclosing the one being lowered.
    enum_depth: usize,
    /// How many bulleted lists the current block is in (Typst's list `depth`, which picks the
    /// marker).
    bullet_depth: usize,
    /// Lowering a table's header rows, which repeat on every page the table spans.
    in_table_header: bool,
    /// The block being lowered stands in the page's flow, not in a container: a table there
    /// may go on landscape pages of its own.
    in_flow: bool,
    /// A heading lowered just before a table in the flow, for the table to draw: see
    /// `blocks_to_typst`.
    table_lead: Option<String>,
    /// The headings in the outline, in order, for the `toc` macros to lay out in Typst's first
    /// pass (see [`toc_headings_to_typst`]); `None` under a user theme, whose `folio-toc` may
    /// not take them.
    outlined: Option<Vec<OutlinedHeading>>,
    /// Whether the bundled theme's functions are the ones called: arguments added since themes
    /// could be written (`strips` of `folio-image`) go only to them.
    bundled_theme: bool,
    /// How many parts (`#folio-part` markers) are lowered so far: a `toc` macro lists the
    /// headings between the markers around it.
    parts: usize,
    /// The part (see `parts`) and levels of each `toc` macro, in order.
    tocs: Vec<(usize, RangeInclusive<usize>)>,
    /// Raise headings more than one level deeper than the one before (for PDF/UA-1).
    consecutive_headings: bool,
    /// Level of the last heading lowered (0 before the first).
    last_heading: u8,
}

/// Most a paragraph may cost Typst, in glyphs × inline pieces. Typst maps every glyph of a
/// paragraph back to its source by scanning the paragraph's pieces in order (typst-layout's
/// `SpanMapper::span_at`), and a long run without spaces is many pieces (text between
/// `folio-wbr` boxes): one 200 KB word took 9 s, 400 KB 41 s. A paragraph past this cost is
/// typeset as consecutive paragraphs of about `PIECES_PER_CHUNK` pieces each, which keeps the
/// total linear; prose (one piece per run of text) never gets there.
const MAX_PARAGRAPH_COST: usize = 50_000_000;
/// Pieces of each paragraph a costly paragraph is cut into.
const PIECES_PER_CHUNK: usize = 500;

/// The inlines of a paragraph as Typst should get them: all in one, or cut into chunks (between
/// its inlines, inside text, and inside formatting, code spans and links, each piece wrapped
/// alike) when it would cost more than [`MAX_PARAGRAPH_COST`].
fn paragraph_chunks(content: &[Inline], break_at: usize) -> Vec<std::borrow::Cow<'_, [Inline]>> {
    let glyphs = folio_ir::plain_text(content).chars().count();
    let pieces = inline_pieces(content, break_at).max(1);
    if glyphs.saturating_mul(pieces) <= MAX_PARAGRAPH_COST {
        return vec![std::borrow::Cow::Borrowed(content)];
    }
    let mut chunker = ParagraphChunker {
        chunk_length: (glyphs / pieces * PIECES_PER_CHUNK).clamp(256, 16_384),
        chunks: vec![Vec::new()],
        length: 0,
    };
    for inline in content {
        chunker.push(inline);
    }
    let mut chunks = chunker.chunks;
    chunks.retain(|chunk| !chunk.is_empty());
    chunks.into_iter().map(std::borrow::Cow::Owned).collect()
}

/// Cuts inlines into chunks of about `chunk_length` characters (see [`paragraph_chunks`]).
struct ParagraphChunker {
    chunk_length: usize,
    /// The chunks so far; the last is the one being filled.
    chunks: Vec<Vec<Inline>>,
    /// Characters in the last chunk.
    length: usize,
}

impl ParagraphChunker {
    fn push(&mut self, inline: &Inline) {
        if let Inline::Text { text } = inline {
            self.push_text(text);
            return;
        }
        let length = folio_ir::plain_text(std::slice::from_ref(inline))
            .chars()
            .count();
        match inline.content() {
            // A wrapper too long for the chunk (a long `code` span, a link around a long run):
            // its content is cut, and each piece wrapped alike.
            Some(children) if self.length + length > self.chunk_length => {
                let mut inner = ParagraphChunker {
                    chunk_length: self.chunk_length,
                    chunks: vec![Vec::new()],
                    length: self.length,
                };
                for child in children {
                    inner.push(child);
                }
                let mut shell = inline.clone();
                shell.content_mut().expect("a wrapper").clear();
                for (i, piece) in inner.chunks.into_iter().enumerate() {
                    if i > 0 {
                        self.chunks.push(Vec::new());
                    }
                    if !piece.is_empty() {
                        let mut wrapped = shell.clone();
                        *wrapped.content_mut().expect("a wrapper") = piece;
                        self.chunks.last_mut().expect("never empty").push(wrapped);
                    }
                }
                self.length = inner.length;
            }
            _ => {
                self.chunks
                    .last_mut()
                    .expect("never empty")
                    .push(inline.clone());
                self.length += length;
                if self.length >= self.chunk_length {
                    self.chunks.push(Vec::new());
                    self.length = 0;
                }
            }
        }
    }

    fn push_text(&mut self, text: &str) {
        let mut rest = text;
        while !rest.is_empty() {
            let room = self.chunk_length.saturating_sub(self.length).max(1);
            let cut = rest.char_indices().nth(room).map_or(rest.len(), |(i, _)| i);
            // Prefer to cut after a space (a no-break one too, which joins words only within a
            // line), so that no word is split needlessly.
            let cut = match rest[..cut].char_indices().rfind(|(_, c)| c.is_whitespace()) {
                Some((space, c)) if cut < rest.len() && space > 0 => space + c.len_utf8(),
                _ => cut,
            };
            self.chunks
                .last_mut()
                .expect("never empty")
                .push(Inline::text(&rest[..cut]));
            self.length += rest[..cut].chars().count();
            rest = &rest[cut..];
            // Cut inside the text (before the chunk was full, at a space): the rest starts the
            // next chunk, not a few characters of the rest, cut inside a word.
            if self.length >= self.chunk_length || !rest.is_empty() {
                self.chunks.push(Vec::new());
                self.length = 0;
            }
        }
    }
}

/// About how many pieces Typst's paragraph holds for these inlines: one per inline, plus one
/// per break opportunity the lowering puts into long runs.
fn inline_pieces(content: &[Inline], break_at: usize) -> usize {
    let mut pieces = 0;
    for inline in content {
        pieces += 1;
        match inline {
            Inline::Text { text } => {
                // A box and the text after it per break opportunity in a long run (runs of
                // words joined by no-break spaces included), and a `TEXT_CUT` and the text
                // after it about every `MATCHES_PER_RUN` spaces.
                let breaks = crate::escape::break_offsets(text, break_at).len();
                let spaces = text.chars().filter(|c| c.is_whitespace()).count();
                pieces += 2 * (breaks + spaces / crate::escape::MATCHES_PER_RUN);
            }
            other => {
                if let Some(children) = other.content() {
                    pieces += inline_pieces(children, break_at);
                }
            }
        }
    }
    pieces
}

/// Runs without a break opportunity longer than this may break anywhere in running text…
const BREAK_AT: usize = 40;
/// …and in table cells.
pub(crate) const BREAK_AT_IN_CELLS: usize = 20;

impl Writer<'_, '_> {
    /// Blocks separated by blank lines.
    fn blocks_to_typst(&mut self, blocks: &[Block]) -> String {
        let mut out = String::new();
        for (i, block) in blocks.iter().enumerate() {
            let markup = self.block_to_typst(block);
            if markup.is_empty() {
                continue;
            }
            // A heading right before a table in the flow goes with the table, so that it is not
            // left behind when the table moves to a landscape page.
            if self.in_flow
                && matches!(block, Block::Heading { .. })
                && matches!(blocks.get(i + 1), Some(Block::Table(_)))
            {
                self.table_lead = Some(markup);
                continue;
            }
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&markup);
        }
        out
    }

    /// `[` + blocks, indented, + `]`: a content argument holding blocks.
    fn content_block(&mut self, blocks: &[Block]) -> String {
        let inner = self.blocks_to_typst(blocks);
        bracket(&inner)
    }

    /// The label for anchor `id` the first time it is written; `None` afterwards.
    fn take_label(&mut self, id: &str) -> Option<String> {
        self.emitted.insert(id.to_owned()).then(|| label_name(id))
    }

    /// `#folio-anchor(<label>)` for the first occurrence of `id` (deferred when inside a
    /// heading or link).
    fn anchor(&mut self, id: &str) -> String {
        match self.take_label(id) {
            Some(label) if self.deferring > 0 => {
                self.deferred.push(label);
                String::new()
            }
            Some(label) => format!("#folio-anchor(<{label}>)"),
            None => String::new(),
        }
    }

    fn block_to_typst(&mut self, block: &Block) -> String {
        // A part is a stretch of the page flow, not a container: it adds no nesting and is
        // never flattened (its title would be lost), and its content stays in the flow.
        if let Block::Part(part) = block {
            return self.part_to_typst(part);
        }
        if self.depth >= self.max_depth
            && let Some(children) = flatten(block)
        {
            self.flattened = true;
            return self.blocks_to_typst(&children);
        }
        let is_table = matches!(block, Block::Table(_));
        if is_table
            && self.table_depth >= MAX_TABLE_DEPTH
            && let Some(children) = flatten(block)
        {
            self.tables_flattened = true;
            return self.blocks_to_typst(&children);
        }
        self.depth += 1;
        self.table_depth += usize::from(is_table);
        // Only a plain div keeps its children in the flow: it lowers to them.
        let in_flow = self.in_flow;
        self.in_flow = in_flow
            && matches!(block, Block::Div { attr, .. } if attr.align.is_none() && attr.indent == 0);
        let out = self.block_to_typst_inner(block, in_flow);
        self.in_flow = in_flow;
        self.table_depth -= usize::from(is_table);
        self.depth -= 1;
        out
    }

    fn block_to_typst_inner(&mut self, block: &Block, in_flow: bool) -> String {
        match block {
            Block::Part(part) => self.part_to_typst(part),
            Block::Heading {
                level,
                attr,
                content,
                ..
            } => {
                // Anchors inside a heading would be copied into the outline with its body (and
                // their labels with them), so they go on a line of their own before it.
                let outermost = self.deferring == 0;
                self.deferring += 1;
                let body = self.paragraph_to_typst(content);
                self.deferring -= 1;
                let mut out = String::new();
                let label = match &attr.id {
                    Some(id) if outermost => self.take_label(id),
                    Some(id) => {
                        self.anchor(id);
                        None
                    }
                    None => None,
                };
                if outermost {
                    for label in std::mem::take(&mut self.deferred) {
                        let _ = writeln!(out, "#folio-anchor(<{label}>)");
                    }
                }
                if body.trim().is_empty() {
                    // An empty heading draws nothing, but its anchor stays a target.
                    if let Some(label) = label {
                        let _ = write!(out, "#folio-anchor(<{label}>)");
                    }
                    return out.trim_end().to_owned();
                }
                // Parts nest headings deeper than 6 levels: the theme clamps their size only.
                let mut level = (*level).max(1);
                if self.consecutive_headings {
                    level = level.min(self.last_heading.saturating_add(1));
                    self.last_heading = level;
                }
                let level = level as usize;
                let mut heading = if self.in_table_header {
                    // A heading in a repeated table header would be counted once per page in
                    // the outline; a table of contents inside that table then grows the table,
                    // which repeats the header more… Typst never converges. Such headings stay
                    // out of the outline.
                    format!("#heading(level: {level}, outlined: false)[{}]", body.trim())
                } else {
                    if let Some(outlined) = &mut self.outlined {
                        outlined.push(OutlinedHeading {
                            part: self.parts,
                            level,
                            body: body.trim().to_owned(),
                        });
                    }
                    format!("{} {}", "=".repeat(level), body.trim())
                };
                if let Some(label) = label {
                    let _ = write!(heading, " <{label}>");
                }
                // A heading is kept with what follows it (`sticky`). One longer than any real
                // title can be taller than its column; Typst then looped, adding pages until
                // memory ran out, when it stood in a quote or an indent in side-by-side columns.
                // (Its markup counts too: a link without text shows its URL, which the text
                // leaves out.)
                if folio_ir::plain_text(content).chars().count() > STICKY_HEADING_CHARS
                    || body.chars().count() > STICKY_HEADING_MARKUP
                {
                    heading = format!("#[#show heading: set block(sticky: false)\n{heading}\n]");
                }
                if attr.align.is_some() || attr.indent > 0 {
                    heading = format!("{}{}", block_wrapper(attr), bracket(&heading));
                }
                out.push_str(&heading);
                out
            }
            Block::Paragraph { attr, content, .. } => {
                let mut paragraphs = Vec::new();
                for (i, chunk) in paragraph_chunks(content, self.break_at).iter().enumerate() {
                    let mut out = String::new();
                    if let Some(id) = attr.id.as_ref().filter(|_| i == 0) {
                        out.push_str(&self.anchor(id));
                    }
                    out.push_str(&self.paragraph_to_typst(chunk));
                    let out = trim_paragraph(&out).to_owned();
                    paragraphs.push(
                        if out.is_empty() || (attr.align.is_none() && attr.indent == 0) {
                            out
                        } else {
                            format!("{}[{out}]", block_wrapper(attr))
                        },
                    );
                }
                paragraphs.join("\n\n")
            }
            Block::List(list) => self.list_to_typst(list),
            Block::Quote { blocks, .. } => {
                format!("#folio-quote{}", self.content_block(blocks))
            }
            Block::Rule { .. } => "#folio-rule()".to_owned(),
            Block::Code(code) => {
                self.mono_text.push_str(&code.code);
                code_to_typst(code)
            }
            Block::Table(table) => self.table_to_typst(table, in_flow),
            Block::Panel(panel) => self.panel_to_typst(panel),
            Block::Expand { title, blocks, .. } => {
                format!(
                    "#folio-expand({}){}",
                    shown_text(title),
                    self.content_block(blocks)
                )
            }
            Block::Image(image) => self.image_to_typst(image, false, in_flow),
            Block::Columns(columns) => self.columns_to_typst(columns),
            Block::TaskList { items, .. } => self.tasks_to_typst(items),
            Block::Toc(toc) => self.toc_to_typst(toc),
            Block::Math { tex, span } => match crate::math::tex_to_typst(tex) {
                Ok(body) if body.trim().is_empty() => String::new(),
                Ok(body) => {
                    self.math_text.push_str(&body);
                    format!("#folio-math-block($ {} $)", body.trim())
                }
                Err(error) => {
                    self.math_not_typeset(&error, Some(*span));
                    format!("#folio-plain({})", self.mono_literal(tex))
                }
            },
            Block::Div { attr, blocks, .. } => {
                let mut out = String::new();
                if let Some(id) = &attr.id {
                    out.push_str(&self.anchor(id));
                }
                let inner = self.blocks_to_typst(blocks);
                if attr.align.is_some() || attr.indent > 0 {
                    let _ = write!(out, "{}{}", block_wrapper(attr), bracket(&inner));
                } else {
                    if !out.is_empty() && !inner.is_empty() {
                        out.push_str("\n\n");
                    }
                    out.push_str(&inner);
                }
                out
            }
            Block::Macro(m) => self.macro_to_typst(m),
            Block::Unsupported { name, blocks, .. } => {
                format!(
                    "#folio-unsupported({}){}",
                    self.mono_literal(name),
                    self.content_block(blocks)
                )
            }
        }
    }

    /// A formula outside the TeX subset `math.rs` translates is shown as its source.
    fn math_not_typeset(&mut self, error: &crate::math::MathError, span: Option<folio_ir::Span>) {
        let mut diagnostic = Diagnostic::warning(
            "math-not-typeset",
            format!("a formula is shown as TeX source instead of typeset: {error}"),
        )
        .with_hint("write it with the LaTeX commands and environments listed in docs/math.md");
        if let Some(span) = span {
            diagnostic = diagnostic.at(span);
        }
        self.diagnostics.push(diagnostic);
    }

    fn macro_to_typst(&mut self, m: &Macro) -> String {
        let body = match &m.body {
            MacroBody::None => "[]".to_owned(),
            MacroBody::Plain { text } => {
                bracket(&format!("#folio-plain({})", self.mono_literal(text)))
            }
            MacroBody::Rich { blocks } => self.content_block(blocks),
        };
        format!("#folio-unsupported({}){body}", self.mono_literal(&m.name))
    }

    fn list_to_typst(&mut self, list: &List) -> String {
        // Nested numbered lists count in letters and roman numerals, which have no zero.
        let start = if self.enum_depth > 0 {
            list.start.max(1)
        } else {
            list.start
        };
        self.enum_depth += usize::from(list.ordered);
        self.bullet_depth += usize::from(!list.ordered);
        let mut out = String::new();
        for (i, item) in list.items.iter().enumerate() {
            let marker = match (list.ordered, i) {
                (false, _) => "-".to_owned(),
                (true, 0) => format!("{start}."),
                (true, _) => "+".to_owned(),
            };
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&marker);
            let mut first = true;
            let mut previous_was_text = false;
            for block in &item.blocks {
                let markup = self.block_to_typst(block);
                if markup.is_empty() {
                    continue;
                }
                let nested_list = matches!(block, Block::List(_) | Block::TaskList { .. });
                if first && !markup.contains('\n') {
                    out.push(' ');
                    out.push_str(&markup);
                } else {
                    // A nested list follows its paragraph directly (a tight list); other
                    // blocks are separated by a blank line, as paragraphs are.
                    out.push_str(if first || (nested_list && previous_was_text) {
                        "\n"
                    } else {
                        "\n\n"
                    });
                    out.push_str(&indent(&markup, 2));
                }
                previous_was_text = matches!(block, Block::Paragraph { .. });
                first = false;
            }
        }
        self.enum_depth -= usize::from(list.ordered);
        self.bullet_depth -= usize::from(!list.ordered);
        out
    }

    /// A `toc` macro, handed the headings it lists (`folio-toc-headings`) unless under a user
    /// theme.
    fn toc_to_typst(&mut self, toc: &Toc) -> String {
        let index = self.outlined.is_some().then(|| {
            let (min, max) = toc_levels(toc);
            self.tocs
                .push((self.parts, usize::from(min)..=usize::from(max)));
            self.tocs.len() - 1
        });
        toc_to_typst(toc, index)
    }

    fn tasks_to_typst(&mut self, tasks: &[Task]) -> String {
        let mut out = String::new();
        for task in tasks {
            self.push_task(task, &mut out);
        }
        out
    }

    /// Appends `task` and its nested tasks. Each level of nesting counts toward `max_depth`;
    /// past it, the nested tasks follow their parent at its level.
    fn push_task(&mut self, task: &Task, out: &mut String) {
        if !out.is_empty() {
            out.push('\n');
        }
        let body = self.paragraph_to_typst(&task.content);
        let _ = write!(out, "#folio-task(done: {})[{}]", task.done, body.trim());
        if task.children.is_empty() {
            return;
        }
        if self.depth >= self.max_depth {
            self.flattened = true;
            for child in &task.children {
                self.push_task(child, out);
            }
            return;
        }
        self.depth += 1;
        let children = self.tasks_to_typst(&task.children);
        self.depth -= 1;
        out.push_str(&bracket(&children));
    }

    fn panel_to_typst(&mut self, panel: &Panel) -> String {
        let kind = match panel.kind {
            PanelKind::Info => "info",
            PanelKind::Note => "note",
            PanelKind::Tip => "tip",
            PanelKind::Warning => "warning",
            PanelKind::Purple => "purple",
            PanelKind::Custom => "custom",
        };
        let mut args = vec![format!("kind: {}", string_literal(kind))];
        if let Some(title) = &panel.title {
            args.push(format!("title: {}", shown_text(title)));
        }
        if !panel.show_icon {
            args.push("icon: false".to_owned());
        }
        if let Some(icon) = &panel.icon_text {
            args.push(format!("icon-text: {}", shown_text(icon)));
        }
        let colours = [
            ("background", panel.background),
            ("border", panel.border_color),
            ("title-background", panel.title_background),
            ("title-color", panel.title_color),
        ];
        for (name, colour) in colours {
            if let Some(colour) = colour {
                args.push(format!("{name}: rgb(\"{}\")", colour.to_hex()));
            }
        }
        if panel.dashed {
            args.push("dashed: true".to_owned());
        }
        format!(
            "#folio-panel({}){}",
            args.join(", "),
            self.content_block(&panel.blocks)
        )
    }

    /// The path (a string literal) the attachment image `filename` is served at.
    fn image_path(&mut self, filename: &str) -> String {
        let index = match self.image_index.get(filename) {
            Some(&index) => index,
            None => {
                self.images.push(filename.to_owned());
                self.image_index
                    .insert(filename.to_owned(), self.images.len() - 1);
                self.images.len() - 1
            }
        };
        string_literal(&format!("{ATTACHMENTS_DIR}{index}"))
    }

    /// The cover page.
    fn cover(&mut self, cover: &crate::Cover, options: &RenderOptions) -> String {
        let mut args = vec![format!("title: {}", shown_text(&cover.title))];
        if let Some(subtitle) = cover.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
            args.push(format!("subtitle: {}", shown_text(subtitle)));
        }
        if let Some(space) = options
            .space_name
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            args.push(format!("space: {}", string_literal(space)));
        }
        let date = cover
            .date
            .clone()
            .or_else(|| options.date.is_some().then(|| iso_date(options)));
        if let Some(date) = date.filter(|d| !d.trim().is_empty()) {
            args.push(format!("date: {}", string_literal(&date)));
        }
        if let Some(logo) = &cover.logo {
            if (self.image_available)(logo) {
                let path = self.image_path(logo);
                args.push(format!("logo: {path}"));
            } else {
                self.diagnostics.push(
                    Diagnostic::warning(
                        "image-unavailable",
                        format!("the cover's logo `{logo}` could not be loaded"),
                    )
                    .with_hint("supply the logo among the attachments as a PNG, JPEG, GIF, WebP or SVG image"),
                );
            }
        }
        format!("#folio-cover({})", args.join(", "))
    }

    /// One page of a multi-page export: a new page (when in the page's flow), a marker for
    /// `{page-title}` in the header and footer, the title as a heading of the part's level with
    /// the part's anchor, a byline for blog posts, and the content.
    fn part_to_typst(&mut self, part: &folio_ir::Part) -> String {
        let flow = self.in_flow;
        self.parts += 1;
        let mut out = format!(
            "#folio-part({}, level: {}{})\n",
            shown_text(&part.title),
            part.level.max(1),
            if flow { "" } else { ", flow: false" }
        );
        let heading = Block::Heading {
            level: part.level.max(1),
            attr: folio_ir::Attr {
                id: Some(folio_ir::Part::anchor(&part.id)),
                ..folio_ir::Attr::default()
            },
            content: vec![Inline::text(&part.title)],
            span: part.span,
        };
        out.push_str(&self.block_to_typst_inner(&heading, flow));
        let date = part.date.as_deref().filter(|d| !d.trim().is_empty());
        let author = part.author.as_deref().filter(|a| !a.trim().is_empty());
        if part.blog_post && (date.is_some() || author.is_some()) {
            let mut args = Vec::new();
            if let Some(author) = author {
                args.push(format!("author: {}", string_literal(author)));
            }
            if let Some(date) = date {
                args.push(format!("date: {}", string_literal(date)));
            }
            let _ = write!(out, "\n#folio-byline({})", args.join(", "));
        }
        let body = self.blocks_to_typst(&part.blocks);
        if !body.is_empty() {
            out.push_str("\n\n");
            out.push_str(&body);
        }
        out
    }

    /// `in_flow`: whether the image stands in the page's flow, outside any container, where a
    /// long one may go over pages in strips (a container's insets and repeated table headers
    /// leave its strips less than a page; there it is scaled down to the page).
    fn image_to_typst(&mut self, image: &Image, inline: bool, in_flow: bool) -> String {
        let caption = self.paragraph_to_typst(&image.caption);
        let caption = caption.trim();
        let mut args = Vec::new();
        let call = match &image.source {
            ImageSource::Attachment { filename, .. }
                if !image.missing && (self.image_available)(filename) =>
            {
                args.push(self.image_path(filename));
                args.push(format!("name: {}", string_literal(filename)));
                let requested = |size: Option<f32>| size.and_then(|s| pt(s * PX));
                let intrinsic = image.intrinsic.and_then(|(w, _)| pt(w as f32 * PX));
                match (requested(image.width), requested(image.height), intrinsic) {
                    // Wide and full-width images span the text column whatever their stored width.
                    _ if image.layout == folio_ir::ImageLayout::FullWidth => {
                        args.push("width: 100%".to_owned())
                    }
                    (Some(width), _, _) | (None, None, Some(width)) => {
                        args.push(format!("width: {width}"))
                    }
                    (None, Some(height), _) => args.push(format!("height: {height}")),
                    (None, None, None) => {}
                }
                if let Some(alt) = &image.alt {
                    args.push(format!("alt: {}", string_literal(alt)));
                }
                if image.border {
                    args.push("border: true".to_owned());
                }
                // Not to a user theme's `folio-image`, which may not take it.
                if in_flow && self.bundled_theme {
                    args.push("strips: true".to_owned());
                }
                "folio-image"
            }
            ImageSource::Attachment { filename, .. } => {
                if !image.missing {
                    self.diagnostics.push(
                        Diagnostic::warning(
                            "image-unavailable",
                            format!("attachment image `{filename}` could not be loaded"),
                        )
                        .at(image.span)
                        // The passes turned away files missing or in other formats; a
                        // caller that skips them gets here for those too.
                        .with_hint(
                            "the file is missing, damaged or cut short, or is an SVG beyond \
                             folio's limits (an inlined image too large, a link written by an \
                             entity): supply a complete PNG, JPEG, GIF, WebP, BMP or SVG image",
                        ),
                    );
                }
                args.push(string_literal(filename));
                "folio-image-missing"
            }
            ImageSource::Url { url } => {
                args.push(string_literal(url));
                if is_clickable(url) {
                    args.push(format!("url: {}", string_literal(url)));
                }
                "folio-image-missing"
            }
        };
        if inline {
            args.push("inline: true".to_owned());
        } else {
            let align = match image.align {
                Some(Align::Center) => "center",
                Some(Align::Right) => "right",
                Some(Align::Left | Align::Justify) | None => "left",
            };
            if align != "left" {
                args.push(format!("align: {}", string_literal(align)));
            }
        }
        if !caption.is_empty() {
            args.push(format!("caption: [{caption}]"));
        }
        format!("#{call}({})", args.join(", "))
    }

    fn columns_to_typst(&mut self, columns: &Columns) -> String {
        if columns.columns.is_empty() {
            return String::new();
        }
        let widths = column_widths(&columns.columns);
        let mut out = format!("#folio-columns(widths: {}", tuple(&widths));
        if columns.border {
            out.push_str(", border: true");
        }
        out.push(')');
        for column in &columns.columns {
            out.push_str(&self.content_block(&column.blocks));
        }
        out
    }

    /// A table (`in_flow`: standing in the page's flow). Every cell carries its position in the
    /// grid, which the theme needs to measure columns.
    fn table_to_typst(&mut self, table: &Table, in_flow: bool) -> String {
        let grid = layout_table(table);
        let lead = if in_flow {
            self.table_lead.take()
        } else {
            None
        };
        if grid.columns == 0 {
            return lead.unwrap_or_default();
        }
        let mut widths: Vec<String> = table
            .columns
            .iter()
            .map(|c| c.width.and_then(length).unwrap_or_else(auto))
            .collect();
        widths.resize_with(grid.columns, auto);
        widths.truncate(grid.columns);

        let mut out = format!("#folio-table(\n  columns: {},\n", tuple(&widths));
        if let Some(width) = table.width.and_then(length) {
            let _ = writeln!(out, "  width: {width},");
        }
        if table.numbered {
            out.push_str("  numbered: true,\n");
        }
        if in_flow {
            out.push_str("  flow: true,\n");
        }
        if let Some(lead) = lead {
            let _ = writeln!(out, "  lead: {},", indent(&bracket(&lead), 2).trim_start());
        }
        let header_rows = grid.header_rows;
        // In the order the theme sees the cells: header rows' first.
        let mut cell_widths = Vec::new();
        for (r, row) in grid.rows.iter().enumerate() {
            if r == 0 && header_rows > 0 {
                out.push_str("  table.header(\n    repeat: true,\n");
            }
            let depth = if r < header_rows { 4 } else { 2 };
            // Header rows repeat on every page, and their labels with them (a label must be
            // unique): anchors in them go before the table.
            let in_header = r < header_rows;
            for placed in row {
                let outer = self.in_table_header;
                self.in_table_header = outer || in_header;
                self.deferring += usize::from(in_header);
                let (cell, widths) = self.cell_to_typst(placed, r, in_header);
                cell_widths.push(TableCell {
                    x: placed.x,
                    span: placed.colspan.min(grid.columns.saturating_sub(placed.x)),
                    widths,
                });
                self.deferring -= usize::from(in_header);
                self.in_table_header = outer;
                out.push_str(&indent(&cell, depth));
                out.push_str(",\n");
            }
            if header_rows > 0 && r + 1 == header_rows {
                out.push_str("  ),\n");
            }
        }
        out.push(')');
        // The theme breaks CJK text between characters when measuring only if told to (it
        // costs a regex over all the text).
        if out.chars().any(is_cjk) {
            out.insert_str("#folio-table(\n".len(), "  cjk: true,\n");
        }
        if let Some(measure) = self.plain_cells
            && cell_widths.iter().any(|cell| cell.widths.is_some())
        {
            let argument = text_widths_argument(measure, grid.columns, &cell_widths);
            out.insert_str("#folio-table(\n".len(), &argument);
        }
        if self.deferring == 0 && !self.deferred.is_empty() {
            let mut anchors = String::new();
            for label in std::mem::take(&mut self.deferred) {
                let _ = writeln!(anchors, "#folio-anchor(<{label}>)");
            }
            out.insert_str(0, &anchors);
        }
        out
    }

    /// A cell, and its widths if it is plain text `plain_cells` measures.
    fn cell_to_typst(
        &mut self,
        placed: &PlacedCell,
        y: usize,
        in_header: bool,
    ) -> (String, Option<CellWidths>) {
        let Some(cell) = placed.cell else {
            let function = if self.bundled_theme {
                "table.cell"
            } else {
                "folio-td"
            };
            return (format!("{function}(x: {}, y: {y})[]", placed.x), None);
        };
        let mut args = vec![format!("x: {}", placed.x), format!("y: {y}")];
        if placed.colspan > 1 {
            args.push(format!("colspan: {}", placed.colspan));
        }
        if placed.rowspan > 1 {
            args.push(format!("rowspan: {}", placed.rowspan));
        }
        let bold = cell.header || in_header;
        if let Some(colour) = cell.background {
            args.push(format!("fill: rgb(\"{}\")", colour.to_hex()));
        } else if bold && self.bundled_theme {
            args.push("fill: folio-palette.header-fill".to_owned());
        }
        if let Some(align) = cell.align {
            args.push(format!("align: {}", align_value(align)));
        }
        let break_at = std::mem::replace(&mut self.break_at, BREAK_AT_IN_CELLS);
        let body = match cell.blocks.as_slice() {
            [Block::Paragraph { attr, content, .. }] if attr.is_empty() => {
                // Cut as in the flow (see `MAX_PARAGRAPH_COST`): a cell holding a 100,000
                // character base64 string took nearly a minute as one paragraph.
                let paragraphs: Vec<String> = paragraph_chunks(content, BREAK_AT_IN_CELLS)
                    .iter()
                    .map(|chunk| trim_paragraph(&self.paragraph_to_typst(chunk)).to_owned())
                    .collect();
                format!("[{}]", paragraphs.join("\n\n"))
            }
            blocks => self.content_block(blocks),
        };
        self.break_at = break_at;
        // Only cells with break opportunities in long runs are measured with the runs whole
        // (which costs a second measurement); a cell of one word is measured once.
        let runs = body.contains(WORD_BREAK);
        // The theme's mark for it: the label `<folio-runs>` or `<folio-word>` on its body, the
        // argument `runs: true` or `word: true` of `folio-td` and `folio-th`.
        let mark = if runs {
            Some("runs")
        } else if is_one_word(&cell.blocks) {
            Some("word")
        } else {
            None
        };
        // Past the document's budget of break boxes, long runs break at U+200Bs instead, which
        // the widths do not model.
        let widths = match self.plain_cells {
            Some(measure) if !body.contains('\u{200B}') => {
                self.plain_cell_widths(measure, &cell.blocks, bold)
            }
            _ => None,
        };
        let markup = if self.bundled_theme {
            // The bundled `folio-th` and `folio-td` written out: Typst memoises every call of a
            // theme function (hashing its arguments, storing its result), and tables have
            // thousands of cells. A user theme's versions are called.
            let expression = if bold {
                format!("#text(weight: \"bold\"){body}")
            } else {
                format!("#{body}")
            };
            let body = match mark {
                // An empty cell stays `[]`, which the theme does not measure.
                _ if body == "[]" => body,
                Some(mark) => format!("[{expression}<folio-{mark}>]"),
                None if bold => format!("[{expression}]"),
                None => body,
            };
            format!("table.cell({}){body}", args.join(", "))
        } else {
            let function = if bold { "folio-th" } else { "folio-td" };
            if let Some(mark) = mark {
                args.push(format!("{mark}: true"));
            }
            format!("{function}({}){body}", args.join(", "))
        };
        (markup, widths)
    }

    /// The widths of a cell of `blocks` (a header cell if `bold`) if it is paragraphs of plain
    /// text (see `text_runs`) or of a status lozenge each, aligned but not indented, justified
    /// or anchored, and bulleted lists of such paragraphs.
    fn plain_cell_widths(
        &self,
        measure: &PlainCellMeasure,
        blocks: &[Block],
        bold: bool,
    ) -> Option<CellWidths> {
        let style = if bold {
            CellStyle::BOLD
        } else {
            CellStyle::default()
        };
        match blocks {
            // A cell of one plain paragraph is lowered as its inlines; any other as blocks, one
            // level deeper.
            [Block::Paragraph { attr, content, .. }] if attr.is_empty() => {
                self.paragraph_widths(measure, content, style, self.depth)
            }
            _ => {
                let levels = ListLevels {
                    bulleted: self.bullet_depth,
                    numbered: self.enum_depth,
                };
                self.blocks_widths(measure, blocks, style, self.depth, levels)
            }
        }
    }

    /// The widths of `blocks` lowered one after another from nesting depth `depth`, in lists
    /// nested `levels` deep: as wide as the widest.
    fn blocks_widths(
        &self,
        measure: &PlainCellMeasure,
        blocks: &[Block],
        style: CellStyle,
        depth: usize,
        levels: ListLevels,
    ) -> Option<CellWidths> {
        // Deeper, blocks are flattened (`block_to_typst`).
        if depth >= self.max_depth {
            return None;
        }
        let mut widths: Option<CellWidths> = None;
        for block in blocks {
            let block_widths = match block {
                Block::Paragraph { attr, content, .. } => {
                    if attr.id.is_some() || attr.indent != 0 || attr.align == Some(Align::Justify) {
                        return None;
                    }
                    if is_blank(content) {
                        // Left out, it takes no width; a list item of it is its marker alone.
                        CellWidths {
                            narrowest: 0.0,
                            whole: 0.0,
                            widest: 0.0,
                        }
                    } else {
                        self.paragraph_widths(measure, content, style, depth + 1)?
                    }
                }
                Block::List(list) => self.list_widths(measure, list, style, depth + 1, levels)?,
                _ => return None,
            };
            widths = Some(widths.map_or(block_widths, |w| w.max(block_widths)));
        }
        widths
    }

    /// The widths of a paragraph of `content` lowered at nesting depth `depth`; `None` for one
    /// of spaces alone, which is left out ([`is_blank`]).
    fn paragraph_widths(
        &self,
        measure: &PlainCellMeasure,
        content: &[Inline],
        style: CellStyle,
        depth: usize,
    ) -> Option<CellWidths> {
        if let [Inline::Status { title, .. }] = content {
            return measure.measure_status(title);
        }
        if is_blank(content) {
            return None;
        }
        let mut runs = Vec::new();
        let wrappers = text_runs(content, style, BREAK_AT_IN_CELLS, &mut runs, &mut 0)?;
        // Wrappers nested too deep are flattened (their style dropped).
        if depth + wrappers > self.max_depth {
            return None;
        }
        measure.measure_runs(&runs)
    }

    /// The widths of a `list` whose items are lowered at nesting depth `depth`, inside lists
    /// nested `levels` deep: as Typst lays a list out where it may be as wide as it likes, its
    /// indent, its widest marker and the body indent (the theme's `set list`) before its widest
    /// item.
    fn list_widths(
        &self,
        measure: &PlainCellMeasure,
        list: &List,
        style: CellStyle,
        depth: usize,
        levels: ListLevels,
    ) -> Option<CellWidths> {
        const BULLETS: [&str; 3] = ["\u{2022}", "\u{25e6}", "\u{25aa}"];
        if list.ordered {
            return self.numbered_list_widths(measure, list, style, depth, levels);
        }
        let bullet = measure.text_width(BULLETS[levels.bulleted % BULLETS.len()], style)?;
        let inner = ListLevels {
            bulleted: levels.bulleted + 1,
            ..levels
        };
        let mut widest: Option<CellWidths> = None;
        for item in &list.items {
            let item = self.blocks_widths(measure, &item.blocks, style, depth, inner)?;
            widest = Some(widest.map_or(item, |w| w.max(item)));
        }
        Some(widest?.widened(0.4 + bullet + 0.6))
    }

    /// `list_widths` for a numbered list: its indent, widest number and body indent before its
    /// widest item (`set enum`). The theme's min-content measurement turns the spaces between
    /// a list's items into line breaks, which part the list into lists of one item each, and
    /// each after the first counts from 1 again: the narrowest widths take each item with the
    /// number it then has.
    fn numbered_list_widths(
        &self,
        measure: &PlainCellMeasure,
        list: &List,
        style: CellStyle,
        depth: usize,
        levels: ListLevels,
    ) -> Option<CellWidths> {
        const INDENT: f64 = 0.2;
        const BODY_INDENT: f64 = 0.5;
        // As `list_to_typst` numbers them: nested lists count from 1 at least.
        let start = if levels.numbered > 0 {
            list.start.max(1)
        } else {
            list.start
        };
        let marker = |number: u32| {
            measure.text_width(&enum_marker(u64::from(number), levels.numbered)?, style)
        };
        let inner = ListLevels {
            numbered: levels.numbered + 1,
            ..levels
        };
        let (mut narrowest, mut whole, mut widest, mut widest_marker) =
            (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
        for (i, (item, number)) in list.items.iter().zip(start..).enumerate() {
            let item = self.blocks_widths(measure, &item.blocks, style, depth, inner)?;
            let parted = INDENT + marker(if i == 0 { start } else { 1 })? + BODY_INDENT;
            narrowest = narrowest.max(parted + item.narrowest);
            whole = whole.max(parted + item.whole);
            widest = widest.max(item.widest);
            widest_marker = widest_marker.max(marker(number)?);
        }
        let widest = widest + INDENT + widest_marker + BODY_INDENT;
        (!list.items.is_empty()).then_some(CellWidths {
            narrowest,
            whole: whole.max(narrowest),
            widest: widest.max(whole),
        })
    }

    /// The inlines of a paragraph (or of a heading, task or caption): a run of text begins.
    fn paragraph_to_typst(&mut self, inlines: &[Inline]) -> String {
        self.textual = TextualRun::default();
        self.inlines_to_typst(inlines)
    }

    fn inlines_to_typst(&mut self, inlines: &[Inline]) -> String {
        let mut out = String::new();
        for inline in inlines {
            self.inline_to_typst(inline, &mut out);
        }
        out
    }

    /// `text` as a string literal for the theme to set in the monospaced face.
    fn mono_literal(&mut self, text: &str) -> String {
        self.mono_text.push_str(text);
        string_literal(text)
    }

    /// `#name[content]`.
    fn wrap(&mut self, out: &mut String, function: &str, content: &[Inline]) {
        let inner = self.inlines_to_typst(content);
        let _ = write!(out, "#{function}[{inner}]");
    }

    fn inline_to_typst(&mut self, inline: &Inline, out: &mut String) {
        if self.depth >= self.max_depth
            && let Some(content) = inline.content()
        {
            self.flattened = true;
            for inline in content {
                self.inline_to_typst(inline, out);
            }
            return;
        }
        self.depth += 1;
        self.inline_to_typst_inner(inline, out);
        self.depth -= 1;
    }

    fn inline_to_typst_inner(&mut self, inline: &Inline, out: &mut String) {
        match inline {
            Inline::Text { text } => {
                let cuts = self.textual.breakable_cuts(text, self.break_at);
                push_breakable_text(out, text, self.break_at, &mut self.break_boxes_left, &cuts)
            }
            Inline::Strong { content } => self.wrap(out, "strong", content),
            Inline::Emphasis { content } => self.wrap(out, "emph", content),
            Inline::Underline { content } => self.wrap(out, "underline", content),
            Inline::Strike { content } => self.wrap(out, "strike", content),
            Inline::Sub { content } => self.wrap(out, "sub", content),
            Inline::Sup { content } => self.wrap(out, "super", content),
            Inline::Code { content } => {
                let inner = self.inlines_to_typst(content);
                // All of the span's text is in the monospaced face: its markup holds it all,
                // and nothing else that is not ASCII.
                self.mono_text.push_str(&inner);
                let _ = write!(out, "#folio-code-span[{inner}]");
            }
            Inline::Color { color, content } => {
                let function = format!("folio-color(rgb(\"{}\"))", color.to_hex());
                self.wrap(out, &function, content)
            }
            Inline::Highlight { color, content } => {
                let function = format!("folio-highlight(rgb(\"{}\"))", color.to_hex());
                self.wrap(out, &function, content)
            }
            Inline::Link { target, content } => self.link_to_typst(target, content, out),
            Inline::LineBreak => {
                if self.textual.line_break() {
                    out.push_str(TEXT_CUT);
                }
                out.push_str("#linebreak()")
            }
            Inline::Anchor { id } => out.push_str(&self.anchor(id)),
            Inline::Image(image) => out.push_str(&self.image_to_typst(image, true, false)),
            Inline::Status {
                title,
                colour,
                subtle,
            } => {
                let colour = match colour {
                    StatusColour::Grey => "grey",
                    StatusColour::Red => "red",
                    StatusColour::Yellow => "yellow",
                    StatusColour::Green => "green",
                    StatusColour::Blue => "blue",
                    StatusColour::Purple => "purple",
                };
                let _ = write!(out, "#folio-status({}, \"{colour}\"", string_literal(title));
                if *subtle {
                    out.push_str(", subtle: true");
                }
                out.push(')');
            }
            Inline::Emoji { text, .. } => {
                let cuts = self.textual.cuts(text);
                push_cut_text(out, text, 0..text.len(), &cuts)
            }
            Inline::Mention { user, name } => {
                let name = mention_name(user, name.as_deref());
                let _ = write!(out, "#folio-mention({})", string_literal(name));
            }
            Inline::Date { date } => {
                let _ = write!(out, "#folio-date({})", string_literal(date));
            }
            Inline::Math { tex } => match crate::math::tex_to_typst(tex) {
                Ok(body) if body.trim().is_empty() => {}
                Ok(body) => {
                    self.math_text.push_str(&body);
                    let _ = write!(out, "#folio-math-inline(${}$)", body.trim());
                }
                Err(error) => {
                    self.math_not_typeset(&error, None);
                    let _ = write!(out, "#folio-plain-inline({})", self.mono_literal(tex));
                }
            },
            Inline::Macro(m) => {
                let body = match &m.body {
                    MacroBody::None => String::new(),
                    MacroBody::Plain { text } => {
                        format!("#folio-plain-inline({})", self.mono_literal(text))
                    }
                    MacroBody::Rich { blocks } => self.blocks_to_typst(blocks),
                };
                let _ = write!(
                    out,
                    "#folio-unsupported-inline({}){}",
                    self.mono_literal(&m.name),
                    bracket(&body)
                );
            }
            Inline::Unsupported { name, content } => {
                let function = format!("folio-unsupported-inline({})", self.mono_literal(name));
                self.wrap(out, &function, content)
            }
        }
    }

    fn link_to_typst(&mut self, target: &LinkTarget, content: &[Inline], out: &mut String) {
        let outermost = self.deferring == 0;
        self.deferring += 1;
        let body = if content.is_empty() {
            let mut name = String::new();
            let text = target_name(target);
            let cuts = self.textual.breakable_cuts(&text, self.break_at);
            push_breakable_text(
                &mut name,
                &text,
                self.break_at,
                &mut self.break_boxes_left,
                &cuts,
            );
            name
        } else {
            self.inlines_to_typst(content)
        };
        self.deferring -= 1;
        let destination = match target {
            LinkTarget::Url { url } => is_clickable(url).then(|| string_literal(url.trim())),
            LinkTarget::Anchor { page: None, anchor } => self
                .anchors
                .contains(anchor)
                .then(|| format!("<{}>", label_name(anchor))),
            LinkTarget::Anchor { page: Some(_), .. }
            | LinkTarget::Page { .. }
            | LinkTarget::BlogPost { .. }
            | LinkTarget::ContentId { .. }
            | LinkTarget::Attachment { .. }
            | LinkTarget::Space { .. }
            | LinkTarget::User { .. }
            | LinkTarget::Shortcut { .. } => None,
        };
        if outermost {
            for label in std::mem::take(&mut self.deferred) {
                let _ = write!(out, "#folio-anchor(<{label}>)");
            }
        }
        match destination {
            Some(destination) => {
                let _ = write!(out, "#folio-link({destination})[{body}]");
            }
            None => {
                let _ = write!(out, "#folio-xref[{body}]");
            }
        }
    }
}

/// The blocks a container holds, in reading order, to lower in its place when it is nested too
/// deep (titles become paragraphs, so no text is lost); `None` for blocks that hold no blocks.
fn flatten(block: &Block) -> Option<Vec<Block>> {
    let paragraph = |text: &str| Block::Paragraph {
        attr: folio_ir::Attr::default(),
        content: vec![Inline::text(text)],
        span: block.span(),
    };
    Some(match block {
        Block::List(list) => list
            .items
            .iter()
            .flat_map(|item| item.blocks.clone())
            .collect(),
        Block::Quote { blocks, .. }
        | Block::Div { blocks, .. }
        | Block::Unsupported { blocks, .. } => blocks.clone(),
        Block::Part(part) => part.blocks.clone(),
        Block::Panel(panel) => panel
            .title
            .iter()
            .map(|t| paragraph(t))
            .chain(panel.blocks.clone())
            .collect(),
        Block::Expand { title, blocks, .. } => std::iter::once(paragraph(title))
            .chain(blocks.clone())
            .collect(),
        Block::Table(table) => table
            .rows
            .iter()
            .flat_map(|row| &row.cells)
            .flat_map(|cell| cell.blocks.clone())
            .collect(),
        Block::Columns(columns) => columns
            .columns
            .iter()
            .flat_map(|column| column.blocks.clone())
            .collect(),
        Block::TaskList { items, .. } => {
            fn push(tasks: &[Task], out: &mut Vec<Block>) {
                for task in tasks {
                    let mut content = vec![Inline::text(if task.done { "☑ " } else { "☐ " })];
                    content.extend(task.content.iter().cloned());
                    out.push(Block::Paragraph {
                        attr: folio_ir::Attr::default(),
                        content,
                        span: folio_ir::Span::DETACHED,
                    });
                    push(&task.children, out);
                }
            }
            let mut out = Vec::new();
            push(items, &mut out);
            out
        }
        Block::Macro(m) => match &m.body {
            MacroBody::Rich { blocks } => blocks.clone(),
            MacroBody::Plain { text } => vec![paragraph(text)],
            MacroBody::None => Vec::new(),
        },
        Block::Heading { .. }
        | Block::Paragraph { .. }
        | Block::Rule { .. }
        | Block::Code(_)
        | Block::Image(_)
        | Block::Math { .. }
        | Block::Toc(_) => return None,
    })
}

/// What a link with no content shows: its target's own name.
fn target_name(target: &LinkTarget) -> String {
    target.display_name()
}

/// Whether a URL may become a clickable link: `http`, `https`, `mailto` and `ftp` only (never
/// `javascript:` or `file:`), and short enough for Typst.
fn is_clickable(url: &str) -> bool {
    let url = url.trim();
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    let scheme = scheme.to_ascii_lowercase();
    matches!(scheme.as_str(), "http" | "https" | "mailto" | "ftp")
        && !rest.is_empty()
        && url.len() <= 8000
}

/// Appends the text of `inlines`, set in `style`, to `runs` as runs of text in one style each
/// (plain, strong, emphasised, code, or the text of a link, colour, highlight, strike-through
/// or underline, which only set it apart) and lozenges (status, mention, date), and returns
/// how deep those wrappers nest; `None` if `inlines` hold anything else, or if two runs in the
/// same style would meet (Typst may shape them as one). `wrapped` counts the wrappers that set
/// text apart so far, to tell their styles apart.
fn text_runs(
    inlines: &[Inline],
    style: CellStyle,
    break_at: usize,
    runs: &mut Vec<TextRun>,
    wrapped: &mut u32,
) -> Option<usize> {
    let mut wrappers = 0;
    let mut after_text = false;
    for inline in inlines {
        let (inner, content) = match inline {
            Inline::Text { text } => {
                // The break opportunities `push_breakable_text` gives this text.
                let breaks = break_offsets(text, break_at);
                match runs.last_mut() {
                    // Consecutive text in one sequence is one run.
                    Some(last) if after_text && last.style == style => {
                        let base = last.text.len();
                        last.breaks.extend(breaks.into_iter().map(|b| base + b));
                        last.text.push_str(text);
                    }
                    Some(last) if last.style == style && last.kind == RunKind::Text => {
                        return None;
                    }
                    _ => runs.push(TextRun {
                        breaks,
                        ..TextRun::new(text.clone(), style)
                    }),
                }
                after_text = true;
                continue;
            }
            // A box: the text on either side of it is shaped apart. Its title is upright and in
            // the body face whatever the text around it (as measured), unless that is emphasised
            // or code.
            Inline::Status { title, .. }
                if !style.italic && !style.code && style.shift.is_none() =>
            {
                runs.push(TextRun::status(title.clone(), style));
                after_text = false;
                continue;
            }
            // Their text in the style around them; not in code, which would shrink their insets
            // with it.
            Inline::Mention { user, name } if !style.code && style.shift.is_none() => {
                let name = mention_name(user, name.as_deref());
                runs.push(TextRun::lozenge(Lozenge::Mention, name, style));
                after_text = false;
                continue;
            }
            Inline::Date { date } if !style.code && style.shift.is_none() => {
                runs.push(TextRun::lozenge(Lozenge::Date, date.clone(), style));
                after_text = false;
                continue;
            }
            // Typst shapes text in one style on both sides of a break as one run with the
            // newline, but shapes each line again apart once it has broken the lines there.
            Inline::LineBreak if !runs.is_empty() => {
                runs.push(TextRun::line_break(style));
                after_text = false;
                continue;
            }
            Inline::Strong { content } => (style.strong(), content),
            // Emphasis inside emphasis is upright again.
            Inline::Emphasis { content } => (
                CellStyle {
                    italic: !style.italic,
                    ..style
                },
                content,
            ),
            // Code in code would be smaller still.
            Inline::Code { content } if !style.code => (
                CellStyle {
                    code: true,
                    ..style
                },
                content,
            ),
            Inline::Link { content, .. } if !content.is_empty() => {
                (set_apart(style, wrapped), content)
            }
            // A link without text shows its target's name, with the break opportunities
            // `link_to_typst` gives it. (A column of bare URLs is common; one of thousands of
            // characters took the theme seconds to measure.)
            Inline::Link { target, .. } => {
                let text = target_name(target);
                let breaks = break_offsets(&text, break_at);
                runs.push(TextRun {
                    breaks,
                    ..TextRun::new(text, set_apart(style, wrapped))
                });
                after_text = false;
                continue;
            }
            // Smaller (and raised or lowered), at the size of the face's scripts; a script in a
            // script would take the inner one's size alone.
            Inline::Sup { content } if style.shift.is_none() => {
                let shifted = CellStyle {
                    shift: Some(ScriptKind::Super),
                    ..style
                };
                (set_apart(shifted, wrapped), content)
            }
            Inline::Sub { content } if style.shift.is_none() => {
                let shifted = CellStyle {
                    shift: Some(ScriptKind::Sub),
                    ..style
                };
                (set_apart(shifted, wrapped), content)
            }
            // Drawn over, under or behind the text (`folio-color`, `folio-highlight`, Typst's
            // `strike` and `underline`), none of which moves a glyph.
            Inline::Color { content, .. }
            | Inline::Highlight { content, .. }
            | Inline::Strike { content }
            | Inline::Underline { content } => (set_apart(style, wrapped), content),
            _ => return None,
        };
        after_text = false;
        let before = runs.len();
        wrappers = wrappers.max(1 + text_runs(content, inner, break_at, runs, wrapped)?);
        if before > 0
            && runs.len() > before
            && runs[before - 1].style == runs[before].style
            && runs[before - 1].kind == RunKind::Text
            && runs[before].kind == RunKind::Text
        {
            return None;
        }
    }
    Some(wrappers)
}

/// How deep lists nest around a block, bulleted and numbered apart (as Typst counts them: a
/// bulleted list's marker and a numbered list's numbering go by their own kind's depth).
#[derive(Debug, Clone, Copy)]
struct ListLevels {
    bulleted: usize,
    numbered: usize,
}

/// The marker of item `number` of a numbered list inside `level` others, as the theme's
/// `set enum(numbering: "1.a.i.")` writes it: "1.", "a.", "i." (and "i." deeper); `None` where
/// letters or roman numerals have no numeral for it.
pub(crate) fn enum_marker(number: u64, level: usize) -> Option<String> {
    let numeral = match level {
        0 => number.to_string(),
        1 => latin_numeral(number)?,
        _ => roman_numeral(number)?,
    };
    Some(format!("{numeral}."))
}

/// `number` in letters, as Typst counts with "a": a … z, aa, ab, … (no zero).
fn latin_numeral(mut number: u64) -> Option<String> {
    if number == 0 {
        return None;
    }
    let mut letters = Vec::new();
    while number > 0 {
        number -= 1;
        letters.push(b'a' + (number % 26) as u8);
        number /= 26;
    }
    letters.reverse();
    String::from_utf8(letters).ok()
}

/// `number` in lower-case roman numerals, as Typst counts with "i", for 1 to 3999 (Typst writes
/// larger ones with other characters).
fn roman_numeral(mut number: u64) -> Option<String> {
    if !(1..4000).contains(&number) {
        return None;
    }
    const NUMERALS: [(u64, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, numeral) in NUMERALS {
        while number >= value {
            out.push_str(numeral);
            number -= value;
        }
    }
    Some(out)
}

/// `style` in a wrapper of its own (see `CellStyle::apart`), the next of those `wrapped` counts.
fn set_apart(style: CellStyle, wrapped: &mut u32) -> CellStyle {
    *wrapped += 1;
    CellStyle {
        apart: *wrapped,
        ..style
    }
}

/// Whether a paragraph of `content` shows nothing but spaces (Confluence's `<p>&nbsp;</p>`): the
/// lowering leaves it out (`trim_paragraph`).
fn is_blank(content: &[Inline]) -> bool {
    content
        .iter()
        .all(|inline| matches!(inline, Inline::Text { text } if text.trim().is_empty()))
}

/// The name a mention shows: the user's display name, else their id.
fn mention_name<'a>(user: &'a UserRef, name: Option<&'a str>) -> &'a str {
    name.filter(|n| !n.trim().is_empty()).unwrap_or(user.id())
}

/// Whether `blocks` are one paragraph of text without spaces or CJK characters, perhaps
/// formatted and over several lines: nothing the theme's min-content measurement
/// (`folio-min-width`) breaks at, so the cell's narrowest width is its natural one. Numbers,
/// names and identifiers fill many table cells.
fn is_one_word(blocks: &[Block]) -> bool {
    fn inlines_are_one_word(inlines: &[Inline]) -> bool {
        inlines.iter().all(|inline| match inline {
            Inline::Text { text } => !text.chars().any(|c| c.is_whitespace() || is_cjk(c)),
            Inline::LineBreak | Inline::Anchor { .. } => true,
            // A link without text shows its target's name, which may have spaces; an
            // unsupported span adds a marker of its own.
            Inline::Link { content, .. } if content.is_empty() => false,
            Inline::Unsupported { .. } => false,
            // Formatting and links: their text.
            other => other
                .content()
                .is_some_and(|content| inlines_are_one_word(content)),
        })
    }
    match blocks {
        [Block::Paragraph { content, .. }] => !content.is_empty() && inlines_are_one_word(content),
        _ => false,
    }
}

/// The language Typst highlights `code` in, if any.
/// Per language Typst highlights, the start of the document's code in it, for
/// `highlight_warmup` (which runs while the document is lowered).
pub fn code_samples(document: &Document) -> BTreeMap<&'static str, String> {
    let mut samples: BTreeMap<&'static str, String> = BTreeMap::new();
    walk_blocks(&document.blocks, &mut |blocks: &[Block]| {
        for block in blocks {
            if let Block::Code(code) = block
                && let Some(lang) = highlighted_language(code)
            {
                highlight_warmup::extend_sample(samples.entry(lang).or_default(), &code.code);
            }
        }
    });
    samples
}

fn highlighted_language(code: &CodeBlock) -> Option<&'static str> {
    if code.plain {
        return None;
    }
    code.language.as_deref().and_then(typst_language)
}

/// Bytes without a space past which a code line is laid out in pieces (the theme's
/// `folio-code-line`). Typst lays out such a line (minified JSON) in time that grows with the
/// square of its length: a line of 300 KB took 21 s. A long line with spaces is laid out in
/// about linear time, and faster whole than in pieces.
const LONG_CODE_RUN: usize = 2000;

fn code_to_typst(code: &CodeBlock) -> String {
    let mut args = vec![string_literal(&code.code)];
    if let Some(lang) = highlighted_language(code) {
        args.push(format!("lang: {}", string_literal(lang)));
    }
    if let Some(title) = code.title.as_deref().filter(|t| !t.trim().is_empty()) {
        args.push(format!("title: {}", shown_text(title)));
    }
    if code.line_numbers {
        args.push("numbers: true".to_owned());
        if code.first_line != 1 {
            args.push(format!("first-line: {}", code.first_line));
        }
    }
    if code.plain {
        args.push("plain: true".to_owned());
    }
    if code
        .code
        .split(char::is_whitespace)
        .any(|run| run.len() > LONG_CODE_RUN)
    {
        args.push("long-lines: true".to_owned());
    }
    if let Some(emoji) = code_emoji(&code.code) {
        args.push(format!("emoji: {emoji}"));
    }
    format!("#folio-code({})", args.join(", "))
}

/// Typst's name for a Confluence code-macro language; `None` for unknown languages and `none`.
fn typst_language(confluence: &str) -> Option<&'static str> {
    Some(match confluence.trim().to_ascii_lowercase().as_str() {
        "actionscript" | "actionscript3" | "as3" => "actionscript",
        "applescript" => "applescript",
        "bash" | "shell" | "sh" | "zsh" => "bash",
        "c" => "c",
        "c#" | "csharp" | "cs" => "cs",
        "cpp" | "c++" => "cpp",
        "css" => "css",
        "clojure" => "clojure",
        "d" => "d",
        "dart" => "dart",
        "delphi" | "pascal" => "pascal",
        "diff" | "patch" => "diff",
        "dockerfile" | "docker" => "dockerfile",
        "erl" | "erlang" => "erlang",
        "go" | "golang" => "go",
        "graphql" => "graphql",
        "groovy" => "groovy",
        "haskell" => "haskell",
        "html" | "xml" | "xhtml" => "xml",
        "java" | "javafx" => "java",
        "javascript" | "js" => "js",
        "json" => "json",
        "kotlin" => "kotlin",
        "latex" | "tex" => "latex",
        "lisp" => "lisp",
        "lua" => "lua",
        "makefile" | "make" => "makefile",
        "markdown" | "md" => "markdown",
        "matlab" => "matlab",
        "objective-c" | "objc" => "objc",
        "ocaml" => "ocaml",
        "perl" | "pl" => "perl",
        "php" => "php",
        "powershell" | "ps" | "ps1" => "powershell",
        "python" | "py" => "py",
        "r" => "r",
        "ruby" | "rb" => "ruby",
        "rust" | "rs" => "rust",
        "sass" | "scss" => "scss",
        "scala" => "scala",
        "sql" | "mysql" | "postgresql" | "plsql" => "sql",
        "swift" => "swift",
        "toml" => "toml",
        "typescript" | "ts" => "ts",
        "vb" | "vbnet" | "visualbasic" => "vb",
        "yaml" | "yml" => "yaml",
        _ => return None,
    })
}

fn toc_to_typst(toc: &Toc, headings: Option<usize>) -> String {
    let (min, max) = toc_levels(toc);
    let mut out = format!("#folio-toc(min: {min}, max: {max}");
    if let Some(index) = headings {
        let _ = write!(out, ", headings: folio-toc-headings.at({index})");
    }
    if toc.numbered {
        out.push_str(", numbered: true");
    }
    if toc.flat {
        out.push_str(", flat: true");
        if let Some(separator) = &toc.separator {
            let _ = write!(
                out,
                ", separator: {}",
                string_literal(&flat_separator(separator))
            );
        }
    }
    out.push(')');
    out
}

/// The levels a `toc` macro lists.
fn toc_levels(toc: &Toc) -> (u8, u8) {
    // Headings nest deeper than 6 levels in exports (pages shift their headings).
    let min = toc.min_level.max(1);
    (min, toc.max_level.clamp(min, min.max(30)))
}

/// Confluence's named separators for a flat TOC; anything else is used as written.
fn flat_separator(separator: &str) -> String {
    match separator.trim() {
        "brackets" => " ] [ ".to_owned(),
        "braces" => " } { ".to_owned(),
        "parens" => " ) ( ".to_owned(),
        "pipe" => " | ".to_owned(),
        "newline" => "\n".to_owned(),
        other => format!(" {other} "),
    }
}

/// Column widths as Typst values: percentages become fractions (they share the row), pixels
/// points; columns without a width share what the others leave.
fn column_widths(columns: &[Column]) -> Vec<String> {
    let percent = |width: Option<Length>| match width {
        Some(Length::Percent(p)) if p.is_finite() && p > 0.0 => Some(p),
        _ => None,
    };
    let fixed = |width: Option<Length>| match width {
        Some(Length::Px(px)) => pt(px * PX),
        _ => None,
    };
    let known: f32 = columns.iter().filter_map(|c| percent(c.width)).sum();
    let unknown = columns
        .iter()
        .filter(|c| percent(c.width).is_none() && fixed(c.width).is_none())
        .count();
    let share = if unknown == 0 {
        0.0
    } else {
        ((100.0 - known) / unknown as f32).max(10.0)
    };
    columns
        .iter()
        .map(|c| match (percent(c.width), fixed(c.width)) {
            (Some(p), _) => format!("{}fr", number(p)),
            (None, Some(width)) => width,
            (None, None) => format!("{}fr", number(share)),
        })
        .collect()
}

/// A Typst length or ratio for an IR length; `None` if it is not a positive finite number.
fn length(length: Length) -> Option<String> {
    match length {
        Length::Px(px) => pt(px * PX),
        Length::Percent(p) if p.is_finite() && p > 0.0 => {
            Some(format!("{}%", number(p.min(100.0))))
        }
        Length::Percent(_) => None,
    }
}

/// `value` points, if finite and positive (capped at a few metres).
fn pt(value: f32) -> Option<String> {
    (value.is_finite() && value > 0.0).then(|| format!("{}pt", number(value.min(10_000.0))))
}

/// A number with at most two decimals and no trailing zeros.
fn number(value: f32) -> String {
    let s = format!("{value:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn auto() -> String {
    "auto".to_owned()
}

/// `(a, b, )`-style Typst array (a trailing comma keeps a single element an array).
pub(crate) fn tuple(items: &[String]) -> String {
    if items.is_empty() {
        "()".to_owned()
    } else {
        format!("({},)", items.join(", "))
    }
}

fn align_value(align: Align) -> &'static str {
    match align {
        Align::Left | Align::Justify => "left",
        Align::Center => "center",
        Align::Right => "right",
    }
}

/// `#folio-block(...)` for a block's alignment and indentation.
fn block_wrapper(attr: &folio_ir::Attr) -> String {
    let mut args = Vec::new();
    match attr.align {
        Some(Align::Justify) => args.push("align: \"justify\"".to_owned()),
        Some(align) => args.push(format!("align: {}", align_value(align))),
        None => {}
    }
    if attr.indent > 0 {
        args.push(format!("indent: {}", attr.indent));
    }
    format!("#folio-block({})", args.join(", "))
}

/// Indents every line of `text` by `by` spaces (empty lines stay empty). Safe for any lowered
/// markup: page text never contains a line break there.
fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    let mut out = String::with_capacity(text.len() + by * 4);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
}

/// `[` + `inner` on its own indented lines + `]`; `[]` when empty, `[inner]` for one short line.
fn bracket(inner: &str) -> String {
    if inner.is_empty() {
        "[]".to_owned()
    } else {
        format!("[\n{}\n]", indent(inner, 2))
    }
}

/// A cell in the rectangular grid the lowering gives to Typst.
struct PlacedCell<'a> {
    /// `None` pads a row the source left short.
    cell: Option<&'a Cell>,
    /// The column it starts in.
    x: usize,
    colspan: usize,
    rowspan: usize,
}

struct TableGrid<'a> {
    columns: usize,
    header_rows: usize,
    rows: Vec<Vec<PlacedCell<'a>>>,
}

/// Places cells row by row as Typst will (skipping positions covered by row spans), clamping
/// spans to the grid and padding short rows, so that any table the IR holds is a valid Typst
/// table even if the normalisation pass did not run.
fn layout_table(table: &Table) -> TableGrid<'_> {
    let rows = table.rows.len();
    let header_rows = table.header_rows.min(rows);
    let span = |n: u32| (n as usize).max(1);

    // First pass: how many columns the rows need, placing cells without regard to collisions.
    let mut columns = table.columns.len();
    {
        let mut covered: Vec<Vec<bool>> = vec![Vec::new(); rows];
        for (r, row) in table.rows.iter().enumerate() {
            let mut c = 0;
            for cell in &row.cells {
                while covered[r].get(c).copied().unwrap_or(false) {
                    c += 1;
                }
                let colspan = span(cell.colspan).min(1000);
                let last_row = row_span_end(r, span(cell.rowspan), rows, header_rows);
                for covered_row in covered.iter_mut().take(last_row).skip(r) {
                    if covered_row.len() < c + colspan {
                        covered_row.resize(c + colspan, false);
                    }
                    covered_row[c..c + colspan]
                        .iter_mut()
                        .for_each(|x| *x = true);
                }
                c += colspan;
            }
        }
        columns = columns.max(covered.iter().map(Vec::len).max().unwrap_or(0));
    }

    // Second pass: place cells within `columns`. Shrinking spans that collide can move a cell
    // past where the first pass put it; if one falls off the grid, widen it and place again.
    loop {
        if let Some(rows) = place_cells(table, columns, header_rows) {
            return TableGrid {
                columns,
                header_rows,
                rows,
            };
        }
        columns += 1;
    }
}

/// Places every cell of `table` in a grid `columns` wide, padding short rows; `None` if a cell
/// does not fit.
fn place_cells(
    table: &Table,
    columns: usize,
    header_rows: usize,
) -> Option<Vec<Vec<PlacedCell<'_>>>> {
    let span = |n: u32| (n as usize).max(1);
    let rows = table.rows.len();
    let mut covered = vec![vec![false; columns]; rows];
    let mut placed_rows = Vec::with_capacity(rows);
    for (r, row) in table.rows.iter().enumerate() {
        let mut placed = Vec::new();
        let mut c = 0;
        for cell in &row.cells {
            while c < columns && covered[r][c] {
                c += 1;
            }
            if c >= columns {
                return None;
            }
            let colspan = span(cell.colspan).min(columns - c);
            let last_row = row_span_end(r, span(cell.rowspan), rows, header_rows);
            // A span must not run into a cell already placed by an earlier row span.
            let colspan = (1..=colspan)
                .take_while(|&w| (r..last_row).all(|rr| !covered[rr][c + w - 1]))
                .last()
                .unwrap_or(1);
            let rowspan = (r + 1..=last_row)
                .take_while(|&end| (c..c + colspan).all(|cc| !covered[end - 1][cc]))
                .last()
                .map_or(1, |end| end - r);
            for covered_row in covered.iter_mut().skip(r).take(rowspan) {
                covered_row[c..c + colspan]
                    .iter_mut()
                    .for_each(|x| *x = true);
            }
            placed.push(PlacedCell {
                cell: Some(cell),
                x: c,
                colspan,
                rowspan,
            });
            c += colspan;
        }
        for (x, slot) in covered[r]
            .iter_mut()
            .enumerate()
            .filter(|(_, slot)| !**slot)
        {
            *slot = true;
            placed.push(PlacedCell {
                cell: None,
                x,
                colspan: 1,
                rowspan: 1,
            });
        }
        placed_rows.push(placed);
    }
    Some(placed_rows)
}

/// One past the last row a cell starting at row `r` may span: header cells stay in the header,
/// body cells in the body.
fn row_span_end(r: usize, rowspan: usize, rows: usize, header_rows: usize) -> usize {
    let limit = if r < header_rows { header_rows } else { rows };
    (r + rowspan.min(1000)).min(limit)
}

#[cfg(test)]
mod tests {
    use folio_ir::{Attr, Cell, ColumnSpec, Row, Span};
    use proptest::prelude::*;

    use super::*;

    /// `paragraph`'s chunks, checked: more than ten, their text the paragraph's, in order, and
    /// each within [`MAX_PARAGRAPH_COST`].
    fn cut_into_affordable_chunks(paragraph: &[Inline]) -> Vec<std::borrow::Cow<'_, [Inline]>> {
        let chunks = paragraph_chunks(paragraph, BREAK_AT);
        assert!(chunks.len() > 10, "{}", chunks.len());
        let text: String = chunks.iter().map(|c| folio_ir::plain_text(c)).collect();
        assert_eq!(text, folio_ir::plain_text(paragraph));
        for chunk in &chunks {
            let glyphs = folio_ir::plain_text(chunk).chars().count();
            assert!(glyphs * inline_pieces(chunk, BREAK_AT) <= MAX_PARAGRAPH_COST);
        }
        chunks
    }

    #[test]
    fn costly_paragraphs_are_cut_and_keep_their_text() {
        let prose = vec![Inline::text("word ".repeat(5_000))];
        assert_eq!(
            paragraph_chunks(&prose, BREAK_AT).len(),
            1,
            "a paragraph of 5,000 words is one"
        );
        let word = vec![
            Inline::text("a".repeat(200_000)),
            Inline::Strong {
                content: vec![Inline::text("b")],
            },
        ];
        cut_into_affordable_chunks(&word);
        // Words joined by no-break spaces: a break box after each space, and no word cut.
        let joined = vec![Inline::text(vec!["word"; 50_000].join("\u{a0}"))];
        let chunks = paragraph_chunks(&joined, BREAK_AT);
        assert!(chunks.len() > 10, "{}", chunks.len());
        for chunk in &chunks[..chunks.len() - 1] {
            assert!(folio_ir::plain_text(chunk).ends_with("word\u{a0}"));
        }
    }

    #[test]
    fn a_costly_code_span_is_cut_into_code_spans() {
        let json = r#"{"id":1,"name":"item"},"#.repeat(8_000);
        let paragraph = vec![
            Inline::text("before "),
            Inline::Code {
                content: vec![Inline::text(&json)],
            },
            Inline::text(" after"),
        ];
        for chunk in &cut_into_affordable_chunks(&paragraph) {
            // Every piece of the span is still code.
            for inline in chunk.iter() {
                if let Inline::Text { text } = inline {
                    assert!(text == "before " || text == " after", "{text:?}");
                } else {
                    assert!(matches!(inline, Inline::Code { .. }), "{inline:?}");
                }
            }
        }
    }

    #[test]
    fn a_costly_paragraph_in_a_cell_is_cut_into_paragraphs() {
        let cell = |text: &str| {
            lower_blocks(vec![Block::Table(Table {
                rows: vec![Row {
                    cells: vec![Cell {
                        blocks: vec![p(text)],
                        ..Cell::empty()
                    }],
                    in_head: false,
                }],
                ..table(vec![], 1, 0)
            })])
        };
        let blob: String = (0..100_000u64)
            .map(|i| char::from(b"aB0+/xY9"[(i * i % 7) as usize]))
            .collect();
        let markup = cell(&blob);
        let body = markup.split_once("table.cell(").unwrap().1;
        assert!(body.matches("\n\n").count() > 10, "{}", &body[..200]);
        assert_eq!(cell("a short cell").matches("\n\n").count(), 0);
    }

    #[test]
    fn only_code_with_a_long_run_without_spaces_is_laid_out_in_pieces() {
        let code = |code: String| {
            code_to_typst(&CodeBlock {
                language: Some("json".into()),
                title: None,
                line_numbers: false,
                first_line: 1,
                code,
                plain: false,
                span: Span::DETACHED,
            })
        };
        let minified = format!("[{}]", r#"{"a":1},"#.repeat(400));
        assert!(code(minified).contains("long-lines: true"));
        // As long, with spaces: Typst lays it out whole in about linear time.
        let spaced = format!("[{}]", r#"{"a": 1}, "#.repeat(400));
        assert!(!code(spaced).contains("long-lines"));
        assert!(!code("{\"a\": 1}\n".repeat(1_000)).contains("long-lines"));
    }

    fn lower_blocks(blocks: Vec<Block>) -> String {
        let document = Document {
            title: None,
            blocks,
        };
        let markup = lower(
            &document,
            &RenderOptions::default(),
            &|_| true,
            None,
            MAX_DEPTH,
        )
        .markup;
        markup
            .split_once("#show: folio-document\n")
            .unwrap()
            .1
            .trim()
            .to_owned()
    }

    fn p(text: &str) -> Block {
        Block::Paragraph {
            attr: Attr::default(),
            content: vec![Inline::text(text)],
            span: Span::DETACHED,
        }
    }

    #[test]
    fn issue_lists_nest_by_indentation() {
        let list = |ordered, start, items: Vec<Vec<Block>>| {
            Block::List(List {
                ordered,
                start,
                items: items
                    .into_iter()
                    .map(|blocks| folio_ir::ListItem { blocks })
                    .collect(),
                span: Span::DETACHED,
            })
        };
        let markup = lower_blocks(vec![list(
            false,
            1,
            vec![
                vec![p("a"), list(true, 3, vec![vec![p("b")], vec![p("c")]])],
                vec![p("d"), p("e")],
            ],
        )]);
        assert_eq!(markup, "- a\n  3. b\n  + c\n- d\n\n  e");
    }

    #[test]
    fn issue_heading_labels_and_anchors() {
        let markup = lower_blocks(vec![
            Block::Heading {
                level: 9,
                attr: Attr {
                    id: Some("Top Id".into()),
                    ..Attr::default()
                },
                content: vec![Inline::Anchor { id: "x".into() }, Inline::text("Title #1")],
                span: Span::DETACHED,
            },
            Block::Paragraph {
                attr: Attr::default(),
                content: vec![
                    Inline::Link {
                        target: LinkTarget::Anchor {
                            page: None,
                            anchor: "Top Id".into(),
                        },
                        content: vec![],
                    },
                    Inline::Link {
                        target: LinkTarget::Anchor {
                            page: None,
                            anchor: "missing".into(),
                        },
                        content: vec![],
                    },
                ],
                span: Span::DETACHED,
            },
        ]);
        assert_eq!(
            markup,
            "#folio-anchor(<anchor-x>)\n========= #\"Title #1\" <anchor-Top_20_Id>\n\n\
             #folio-link(<anchor-Top_20_Id>)[Top Id]#folio-xref[missing]"
        );
    }

    #[test]
    fn issue_only_safe_url_schemes_are_clickable() {
        for (url, clickable) in [
            ("https://x.org", true),
            ("HTTP://x.org", true),
            ("mailto:a@b.c", true),
            ("ftp://x.org/f", true),
            ("javascript:alert(1)", false),
            ("file:///etc/passwd", false),
            ("data:text/html,x", false),
            ("/wiki/spaces/X", false),
            ("https:", false),
        ] {
            assert_eq!(is_clickable(url), clickable, "{url}");
        }
        assert!(!is_clickable(&format!(
            "https://x.org/{}",
            "a".repeat(8000)
        )));
    }

    #[test]
    fn issue_code_languages_map_to_typst_names() {
        assert_eq!(typst_language("C#"), Some("cs"));
        assert_eq!(typst_language("JavaScript"), Some("js"));
        assert_eq!(typst_language("html"), Some("xml"));
        assert_eq!(typst_language("none"), None);
        assert_eq!(typst_language("klingon"), None);
    }

    fn table(rows: Vec<Vec<(u32, u32)>>, columns: usize, header_rows: usize) -> Table {
        Table {
            columns: vec![ColumnSpec::default(); columns],
            rows: rows
                .into_iter()
                .map(|cells| Row {
                    cells: cells
                        .into_iter()
                        .map(|(colspan, rowspan)| Cell {
                            colspan,
                            rowspan,
                            ..Cell::empty()
                        })
                        .collect(),
                    in_head: false,
                })
                .collect(),
            header_rows,
            width: None,
            numbered: false,
            span: Span::DETACHED,
        }
    }

    /// Places the lowered cells as Typst does (row-major, skipping covered positions) and
    /// checks that every row is filled exactly, without overlaps, with every source cell.
    #[allow(clippy::needless_range_loop)] // a 2-D occupancy grid reads clearest by index
    fn check_grid(table: &Table) {
        let grid = layout_table(table);
        let rows = grid.rows.len();
        let mut covered = vec![vec![false; grid.columns]; rows];
        let mut placed_sources = 0;
        for (r, row) in grid.rows.iter().enumerate() {
            let mut c = 0;
            for cell in row {
                while c < grid.columns && covered[r][c] {
                    c += 1;
                }
                assert_eq!(cell.x, c, "the cell's column in row {r}");
                assert!(
                    c + cell.colspan <= grid.columns,
                    "cell beyond the grid in row {r}"
                );
                assert!(r + cell.rowspan <= rows, "cell below the table in row {r}");
                if r < grid.header_rows {
                    assert!(
                        r + cell.rowspan <= grid.header_rows,
                        "header cell spans into body"
                    );
                }
                for rr in r..r + cell.rowspan {
                    for cc in c..c + cell.colspan {
                        assert!(!covered[rr][cc], "overlap at {rr},{cc}");
                        covered[rr][cc] = true;
                    }
                }
                placed_sources += usize::from(cell.cell.is_some());
                c += cell.colspan;
            }
            assert!(covered[r].iter().all(|&x| x), "row {r} not filled");
        }
        let sources: usize = table.rows.iter().map(|r| r.cells.len()).sum();
        assert_eq!(placed_sources, sources, "a source cell was dropped");
    }

    #[test]
    fn issue_ragged_and_overlapping_spans_make_a_valid_grid() {
        check_grid(&table(
            vec![vec![(1, 2), (2, 1)], vec![(1, 1)], vec![(5, 5)]],
            3,
            1,
        ));
        check_grid(&table(
            vec![vec![(0, 0)], vec![], vec![(1, 1), (1, 1), (1, 1), (1, 1)]],
            0,
            9,
        ));
        check_grid(&table(
            vec![vec![(1, 3), (1, 1)], vec![(3, 1)], vec![(1, 1)]],
            2,
            0,
        ));
    }

    proptest! {
        #[test]
        fn issue_any_spans_make_a_valid_grid(
            rows in prop::collection::vec(prop::collection::vec((0u32..4, 0u32..4), 0..5), 0..6),
            columns in 0usize..5,
            header_rows in 0usize..4,
        ) {
            check_grid(&table(rows, columns, header_rows));
        }
    }
}
