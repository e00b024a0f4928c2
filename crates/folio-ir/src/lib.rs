//! The folio document IR: the one small, closed tree that every reader produces and every writer
//! consumes.
//!
//! Readers (such as `folio-storage`) build a [`Document`]; passes (`folio-passes`) rewrite it in
//! place; writers (`folio-pdf`) lower it. Nothing here knows XML, Confluence's namespaces or Typst.
//!
//! Terms:
//! - A **block** stacks vertically ([`Block`]); an **inline** flows in a line ([`Inline`]).
//! - A **macro** is a Confluence macro the reader did not type itself ([`Macro`]); the expansion
//!   pass turns every macro it knows into typed nodes.
//! - An **unsupported** node is a construct nobody renders yet. It keeps its content, so no text is
//!   ever dropped, and a warning names it.
//! - A [`Span`] is a byte range into the source the document was read from.

mod color;
mod diagnostic;
mod site;
mod visit;

pub use diagnostic::{Diagnostic, LineIndex, Severity};
pub use site::{
    AttachmentInfo, AttachmentSource, NoAttachments, Site, SitePage, is_plain_file_name,
    url_component,
};
pub use visit::{
    BlockVisitor, for_each_child, for_each_child_list, walk_blocks, walk_blocks_mut,
    walk_inlines_mut,
};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the IR's JSON form (`folio compile --emit ir`); bumped on breaking changes.
pub const IR_VERSION: &str = "1";

/// A byte range into the source document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// A span that says "no source position" (generated content).
    pub const DETACHED: Span = Span { start: 0, end: 0 };

    pub fn is_detached(&self) -> bool {
        self.start == 0 && self.end == 0
    }
}

/// A whole document: one page or blog post.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Page title, when known (from REST metadata or options).
    pub title: Option<String>,
    pub blocks: Vec<Block>,
}

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Color {
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b }
    }

    /// `#rrggbb`.
    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// Horizontal alignment of a block or cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Align {
    Left,
    Center,
    Right,
    Justify,
}

/// A length as pages state it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Length {
    /// CSS pixels (1/96 in).
    Px(f32),
    /// Percent of the available width.
    Percent(f32),
}

/// Attributes shared by many blocks, as pandoc's `Attr`: an anchor id, alignment, indent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attr {
    /// Anchor id this block can be linked to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub align: Option<Align>,
    /// Indentation level (Confluence indents by 30px per level).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub indent: u8,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

impl Attr {
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.align.is_none() && self.indent == 0
    }
}

/// A block-level element.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Block {
    /// A heading of level 1–6.
    Heading {
        level: u8,
        attr: Attr,
        content: Vec<Inline>,
        span: Span,
    },
    /// A paragraph of running text.
    Paragraph {
        attr: Attr,
        content: Vec<Inline>,
        span: Span,
    },
    /// A bulleted or numbered list.
    List(List),
    /// A block quotation.
    Quote { blocks: Vec<Block>, span: Span },
    /// A horizontal rule.
    Rule { span: Span },
    /// Preformatted text: `pre`, the `code` and `noformat` macros.
    Code(CodeBlock),
    /// A table; rectangular after the table normalisation pass.
    Table(Table),
    /// A coloured box with an optional title and icon: info/note/tip/warning/panel.
    Panel(Panel),
    /// A titled section shown expanded (the `expand` macro).
    Expand {
        title: String,
        blocks: Vec<Block>,
        span: Span,
    },
    /// A block image.
    Image(Image),
    /// Side-by-side columns (page layouts, `section`/`column`).
    Columns(Columns),
    /// A list of tasks with check boxes.
    TaskList { items: Vec<Task>, span: Span },
    /// A generated table of contents of the page's headings.
    Toc(Toc),
    /// One Confluence page of a multi-page export: starts on a new page, with its title as a
    /// heading of `level` (bookmarked, a link target under `id`).
    Part(Part),
    /// Display maths, as TeX source (the `math`/`mathblock`/`latex` macros); the writer typesets it.
    Math { tex: String, span: Span },
    /// A generic container that only groups blocks (for example a layout cell's wrapper).
    Div {
        attr: Attr,
        blocks: Vec<Block>,
        span: Span,
    },
    /// A macro the reader did not type; the expansion pass replaces the ones it knows.
    Macro(Macro),
    /// A construct folio does not render yet: shown as a labelled box with its content kept.
    Unsupported {
        name: String,
        blocks: Vec<Block>,
        span: Span,
    },
}

impl Block {
    /// The source span of this block.
    pub fn span(&self) -> Span {
        match self {
            Block::Heading { span, .. }
            | Block::Paragraph { span, .. }
            | Block::Quote { span, .. }
            | Block::Rule { span }
            | Block::Expand { span, .. }
            | Block::TaskList { span, .. }
            | Block::Div { span, .. }
            | Block::Math { span, .. }
            | Block::Unsupported { span, .. } => *span,
            Block::List(list) => list.span,
            Block::Code(code) => code.span,
            Block::Table(table) => table.span,
            Block::Panel(panel) => panel.span,
            Block::Image(image) => image.span,
            Block::Columns(columns) => columns.span,
            Block::Toc(toc) => toc.span,
            Block::Part(part) => part.span,
            Block::Macro(m) => m.span,
        }
    }

    /// Mutable [`Block::span`]; used to detach content spliced in from another source.
    pub fn span_mut(&mut self) -> &mut Span {
        match self {
            Block::Heading { span, .. }
            | Block::Paragraph { span, .. }
            | Block::Quote { span, .. }
            | Block::Rule { span }
            | Block::Expand { span, .. }
            | Block::TaskList { span, .. }
            | Block::Div { span, .. }
            | Block::Math { span, .. }
            | Block::Unsupported { span, .. } => span,
            Block::List(list) => &mut list.span,
            Block::Code(code) => &mut code.span,
            Block::Table(table) => &mut table.span,
            Block::Panel(panel) => &mut panel.span,
            Block::Image(image) => &mut image.span,
            Block::Columns(columns) => &mut columns.span,
            Block::Toc(toc) => &mut toc.span,
            Block::Part(part) => &mut part.span,
            Block::Macro(m) => &mut m.span,
        }
    }
}

/// An inline element.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Inline {
    /// Plain text; whitespace already collapsed as HTML does.
    Text {
        text: String,
    },
    Strong {
        content: Vec<Inline>,
    },
    Emphasis {
        content: Vec<Inline>,
    },
    Underline {
        content: Vec<Inline>,
    },
    Strike {
        content: Vec<Inline>,
    },
    Sub {
        content: Vec<Inline>,
    },
    Sup {
        content: Vec<Inline>,
    },
    /// Inline code (`code`, `tt`).
    Code {
        content: Vec<Inline>,
    },
    /// Text in a colour (`span style="color: …"`).
    Color {
        color: Color,
        content: Vec<Inline>,
    },
    /// Text on a background colour (highlight).
    Highlight {
        color: Color,
        content: Vec<Inline>,
    },
    /// A hyperlink; `content` empty means "show the target's own name".
    Link {
        target: LinkTarget,
        content: Vec<Inline>,
    },
    /// A hard line break (`br`).
    LineBreak,
    /// A link target with no visible content (the `anchor` macro).
    Anchor {
        id: String,
    },
    /// An image in the line.
    Image(Box<Image>),
    /// A status lozenge.
    Status {
        title: String,
        colour: StatusColour,
        subtle: bool,
    },
    /// An emoticon or emoji, already resolved to what to print.
    Emoji {
        name: String,
        text: String,
    },
    /// A mention of a user.
    Mention {
        user: UserRef,
        name: Option<String>,
    },
    /// A date (`time datetime`), as stored (`YYYY-MM-DD`).
    Date {
        date: String,
    },
    /// Inline maths, as TeX source (`mathinline` and similar macros).
    Math {
        tex: String,
    },
    /// An inline macro not yet expanded.
    Macro(Box<Macro>),
    /// An inline construct nobody renders yet; keeps its content.
    Unsupported {
        name: String,
        content: Vec<Inline>,
    },
}

impl Inline {
    pub fn text(text: impl Into<String>) -> Self {
        Inline::Text { text: text.into() }
    }

    /// The inlines this one wraps (formatting, links, unsupported spans); `None` for leaves.
    pub fn content(&self) -> Option<&Vec<Inline>> {
        match self {
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
            | Inline::Unsupported { content, .. } => Some(content),
            Inline::Text { .. }
            | Inline::LineBreak
            | Inline::Anchor { .. }
            | Inline::Image(_)
            | Inline::Status { .. }
            | Inline::Emoji { .. }
            | Inline::Mention { .. }
            | Inline::Date { .. }
            | Inline::Math { .. }
            | Inline::Macro(_) => None,
        }
    }

    /// Mutable [`Inline::content`].
    pub fn content_mut(&mut self) -> Option<&mut Vec<Inline>> {
        match self {
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
            | Inline::Unsupported { content, .. } => Some(content),
            _ => None,
        }
    }
}

/// What a link points at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LinkTarget {
    /// An external URL.
    Url { url: String },
    /// An anchor, on this page (`page: None`) or another.
    Anchor {
        page: Option<PageRef>,
        anchor: String,
    },
    /// A Confluence page by title (and space).
    Page { page: PageRef },
    /// A blog post.
    BlogPost {
        page: PageRef,
        posting_day: Option<String>,
    },
    /// Content by numeric id.
    ContentId { id: String },
    /// An attachment (of this page, or of `page`).
    Attachment {
        filename: String,
        page: Option<PageRef>,
    },
    /// A space's home.
    Space { key: String },
    /// A user's profile.
    User { user: UserRef },
    /// A shortcut (`ri:shortcut`), e.g. `jira` + `ABC-1`.
    Shortcut { key: String, parameter: String },
}

impl LinkTarget {
    /// What a link with no body of its own shows: the page title, file name, user id…
    pub fn display_name(&self) -> String {
        match self {
            LinkTarget::Url { url } => url.clone(),
            LinkTarget::Anchor { page: None, anchor } => anchor.clone(),
            LinkTarget::Anchor {
                page: Some(page),
                anchor,
            } => format!("{}#{anchor}", page.title),
            LinkTarget::Page { page } | LinkTarget::BlogPost { page, .. } => page.title.clone(),
            LinkTarget::ContentId { id } => id.clone(),
            LinkTarget::Attachment { filename, .. } => filename.clone(),
            LinkTarget::Space { key } => key.clone(),
            LinkTarget::User { user } => format!("@{}", user.id()),
            LinkTarget::Shortcut { key, parameter } => {
                if parameter.is_empty() {
                    key.clone()
                } else {
                    format!("{parameter}@{key}")
                }
            }
        }
    }
}

/// A page named by title and optional space key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PageRef {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space: Option<String>,
}

/// A user as storage names them: Cloud account id, Server user key or legacy user name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "kebab-case")]
pub enum UserRef {
    AccountId(String),
    UserKey(String),
    Username(String),
}

impl UserRef {
    pub fn id(&self) -> &str {
        match self {
            UserRef::AccountId(s) | UserRef::UserKey(s) | UserRef::Username(s) => s,
        }
    }
}

/// Colours of the status lozenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusColour {
    Grey,
    Red,
    Yellow,
    Green,
    Blue,
    Purple,
}

/// A bulleted or numbered list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct List {
    pub ordered: bool,
    /// First number of an ordered list.
    #[serde(default = "one")]
    pub start: u32,
    pub items: Vec<ListItem>,
    pub span: Span,
}

fn one() -> u32 {
    1
}

/// One list item: blocks (paragraphs, nested lists, macros…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListItem {
    pub blocks: Vec<Block>,
}

/// Preformatted text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeBlock {
    /// Language for highlighting, lowercased as Confluence names it (`java`, `bash`…).
    pub language: Option<String>,
    pub title: Option<String>,
    pub line_numbers: bool,
    /// Number of the first line when numbered.
    pub first_line: u32,
    pub code: String,
    /// `noformat`/`pre` (true) are drawn plainer than the `code` macro.
    pub plain: bool,
    pub span: Span,
}

/// A table. The reader fills `rows` as the source states them; the table normalisation pass makes
/// the grid rectangular (no gaps, no overlaps, nothing beyond `columns.len()`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Column specs; after normalisation, exactly one per grid column.
    pub columns: Vec<ColumnSpec>,
    pub rows: Vec<Row>,
    /// Number of leading rows that are header rows (repeated on every page).
    pub header_rows: usize,
    /// Width the table asks for (`style="width: …"`).
    pub width: Option<Length>,
    /// The first column holds row numbers (`numberingColumn`).
    pub numbered: bool,
    pub span: Span,
}

/// Width of one table column.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnSpec {
    pub width: Option<Length>,
}

/// A table row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// The row came from a `thead`.
    #[serde(default)]
    pub in_head: bool,
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// `th` rather than `td`.
    pub header: bool,
    pub colspan: u32,
    pub rowspan: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub align: Option<Align>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<Color>,
    pub blocks: Vec<Block>,
}

impl Cell {
    /// An empty data cell, used to pad ragged rows.
    pub fn empty() -> Self {
        Cell {
            header: false,
            colspan: 1,
            rowspan: 1,
            align: None,
            background: None,
            blocks: vec![],
        }
    }
}

/// The kinds of panel Confluence draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PanelKind {
    /// Blue, "i" icon (`info`).
    Info,
    /// Yellow, warning icon (`note`; Cloud's "warning" panel).
    Note,
    /// Green, check icon (`tip`; Cloud's "success" panel).
    Tip,
    /// Red, error icon (`warning`; Cloud's "error" panel).
    Warning,
    /// Purple (Cloud's "note" panel, an ADF extension).
    Purple,
    /// The `panel` macro: colours from its parameters.
    Custom,
}

/// A coloured box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    pub kind: PanelKind,
    pub title: Option<String>,
    /// Show the kind's icon (`icon` parameter; default true).
    pub show_icon: bool,
    /// A custom icon glyph (Cloud's `panelIconText`, e.g. an emoji).
    pub icon_text: Option<String>,
    pub background: Option<Color>,
    pub border_color: Option<Color>,
    pub title_background: Option<Color>,
    pub title_color: Option<Color>,
    /// Dashed border (`borderStyle=dashed`).
    pub dashed: bool,
    pub blocks: Vec<Block>,
    pub span: Span,
}

impl Panel {
    /// A panel of `kind` with default styling.
    pub fn new(kind: PanelKind, blocks: Vec<Block>, span: Span) -> Self {
        Panel {
            kind,
            title: None,
            show_icon: true,
            icon_text: None,
            background: None,
            border_color: None,
            title_background: None,
            title_color: None,
            dashed: false,
            blocks,
            span,
        }
    }
}

/// Where an image's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ImageSource {
    /// An attachment, by file name (of this page, or of `page`).
    Attachment {
        filename: String,
        page: Option<PageRef>,
    },
    /// An external URL. folio never fetches it: it is drawn as a linked placeholder.
    Url { url: String },
}

/// An image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Image {
    pub source: ImageSource,
    pub alt: Option<String>,
    /// Requested display width/height in px (`ac:width`, `ac:height`).
    pub width: Option<f32>,
    pub height: Option<f32>,
    /// Intrinsic size in px; filled from the file header by the image sizing pass.
    pub intrinsic: Option<(u32, u32)>,
    pub align: Option<Align>,
    pub border: bool,
    pub caption: Vec<Inline>,
    /// Set by the image sizing pass when the bytes are missing or unreadable: draw a placeholder.
    #[serde(default)]
    pub missing: bool,
    /// How Confluence places it beyond its size (`ac:layout`, `ac:thumbnail`).
    #[serde(default, skip_serializing_if = "ImageLayout::is_normal")]
    pub layout: ImageLayout,
    pub span: Span,
}

/// A page (or blog post) of a multi-page export, with its content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// Confluence content id; the part is a link target under `page-<id>` (see [`Part::anchor`]).
    pub id: String,
    pub title: String,
    /// Heading level of the title: 1 for the export's top pages, deeper for their children.
    pub level: u8,
    pub blog_post: bool,
    /// Posting or last-modified date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    pub blocks: Vec<Block>,
    pub span: Span,
}

impl Part {
    /// The anchor id of a page with this content id.
    pub fn anchor(id: &str) -> String {
        format!("page-{id}")
    }

    /// An anchor of page `id`, made unique across the pages of an export.
    pub fn scoped_anchor(id: &str, anchor: &str) -> String {
        format!("p{id}-{anchor}")
    }
}

/// Placement of an image beyond its alignment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImageLayout {
    /// At its requested or natural size, fitted to the column.
    #[default]
    Normal,
    /// `ac:thumbnail="true"`: a small preview (Confluence's thumbnails are at most 300 px wide).
    Thumbnail,
    /// `ac:layout="wide"` or `"full-width"`: as wide as the text column.
    FullWidth,
}

impl ImageLayout {
    pub fn is_normal(&self) -> bool {
        *self == ImageLayout::Normal
    }
}

/// Side-by-side columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Columns {
    pub columns: Vec<Column>,
    /// Draw a border around the columns (`section` `border=true`).
    pub border: bool,
    pub span: Span,
}

/// One column with its relative width in percent, when known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub width: Option<Length>,
    pub blocks: Vec<Block>,
}

/// A task with a check box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub done: bool,
    pub content: Vec<Inline>,
    /// Nested tasks.
    pub children: Vec<Task>,
}

/// A table of contents generated from the document's headings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Toc {
    pub min_level: u8,
    pub max_level: u8,
    /// Numbered outline (1, 1.1, …).
    pub numbered: bool,
    /// Items in one line separated by `separator` instead of a list.
    pub flat: bool,
    pub separator: Option<String>,
    pub span: Span,
}

/// A macro as it stood in the source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Macro {
    /// The macro key (`ac:name`), lowercased.
    pub name: String,
    /// Parameters by name; the unnamed/default parameter has the empty name.
    pub params: BTreeMap<String, ParamValue>,
    pub body: MacroBody,
    pub span: Span,
}

impl Macro {
    /// A parameter's text, if present and non-empty.
    pub fn param(&self, name: &str) -> Option<&str> {
        match self.params.get(name)? {
            ParamValue::Text { text } if !text.trim().is_empty() => Some(text.trim()),
            ParamValue::Text { .. } => None,
            ParamValue::Resource { text, .. } => (!text.is_empty()).then_some(text.as_str()),
        }
    }

    /// A boolean parameter (`true`/`false`), or `default`.
    pub fn flag(&self, name: &str, default: bool) -> bool {
        match self.param(name) {
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            _ => default,
        }
    }
}

/// A macro parameter's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ParamValue {
    Text {
        text: String,
    },
    /// A resource identifier (`ri:page`, `ri:attachment`, …), possibly wrapped in `ac:link`;
    /// `text` is its display name.
    Resource {
        target: LinkTarget,
        text: String,
    },
}

/// A macro's body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum MacroBody {
    None,
    /// `ac:plain-text-body`: text kept verbatim.
    Plain {
        text: String,
    },
    /// `ac:rich-text-body`: storage content.
    Rich {
        blocks: Vec<Block>,
    },
}

/// Attachment bytes by file name, as the caller supplied them. Passes read image headers from them;
/// the PDF writer serves them to Typst. Nothing else is ever read.
#[derive(Debug, Clone, Default)]
pub struct Attachments {
    files: BTreeMap<String, std::sync::Arc<[u8]>>,
}

impl Attachments {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, filename: impl Into<String>, bytes: impl Into<std::sync::Arc<[u8]>>) {
        self.files.insert(filename.into(), bytes.into());
    }

    pub fn get(&self, filename: &str) -> Option<&std::sync::Arc<[u8]>> {
        self.files.get(filename)
    }

    pub fn contains(&self, filename: &str) -> bool {
        self.files.contains_key(filename)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &std::sync::Arc<[u8]>)> {
        self.files.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// Plain text of inlines, as a reader of the PDF would see it (for titles, alt text, tests).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain_text(inlines, &mut out);
    out
}

fn push_plain_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        if let Some(content) = inline.content() {
            push_plain_text(content, out);
            continue;
        }
        match inline {
            Inline::Text { text } => out.push_str(text),
            Inline::LineBreak => out.push('\n'),
            Inline::Status { title, .. } => out.push_str(title),
            Inline::Emoji { text, .. } => out.push_str(text),
            Inline::Mention { user, name } => out.push_str(name.as_deref().unwrap_or(user.id())),
            Inline::Date { date } => out.push_str(date),
            Inline::Math { tex } => out.push_str(tex),
            Inline::Image(_) | Inline::Anchor { .. } | Inline::Macro(_) => {}
            // Wrappers were handled above.
            _ => {}
        }
    }
}
