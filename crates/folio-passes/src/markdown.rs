//! The `markdown` macro's body, parsed with pulldown-cmark into the same IR as storage content.
//!
//! CommonMark plus GitHub's extensions: tables, strikethrough, task lists, footnotes and alerts
//! (`> [!NOTE]`, which become panels). Raw HTML is kept as text, never interpreted: the body is
//! page content, and interpreting it would open a second, unchecked way into the IR.
//!
//! Every block carries the macro's span: the body sits in a CDATA section whose bytes need not
//! match the text (split sections are joined, line breaks normalised), so positions inside it
//! cannot be mapped back reliably.

use std::collections::HashMap;
use std::ops::Range;

use folio_ir::{
    Align, Attr, Block, Cell, CodeBlock, ColumnSpec, Image, ImageSource, Inline, LinkTarget, List,
    ListItem, Panel, PanelKind, Row, Span, Table, Task, plain_text,
};
use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd,
};

/// Containers and formatting nested deeper than this are flattened into their parent (their
/// text kept): `>>>>…` or `***…` costs the author nothing, but the passes and the writer walk
/// the IR recursively.
const MAX_DEPTH: usize = 32;

/// Blocks for a Markdown source.
pub(crate) fn markdown_to_blocks(source: &str, span: Span) -> Vec<Block> {
    let mut builder = Builder::new(source, span);
    for (event, range) in Parser::new_ext(source, options()).into_offset_iter() {
        builder.event(event, range);
    }
    builder.finish()
}

fn options() -> Options {
    // No `ENABLE_MATH`: in Confluence's Markdown `$` is a dollar sign, and "$5 or $10" must stay
    // text. No smart punctuation: the text should read as the author typed it.
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM
}

/// What an open tag is building.
enum Kind {
    Root,
    Paragraph,
    Heading(u8),
    Quote(Option<BlockQuoteKind>),
    Code {
        language: Option<String>,
        text: String,
    },
    Html {
        text: String,
    },
    List {
        start: Option<u64>,
        items: Vec<(Option<bool>, Vec<Block>)>,
    },
    Item {
        task: Option<bool>,
    },
    Footnote(String),
    Table {
        alignments: Vec<Alignment>,
        rows: Vec<Row>,
    },
    Row {
        head: bool,
        cells: Vec<Cell>,
    },
    Cell,
    Emphasis,
    Strong,
    Strike,
    Sup,
    Sub,
    Link(String),
    Image(String),
    /// A construct with no IR counterpart (definition lists, metadata): its content is kept as
    /// plain blocks.
    Other,
}

struct Frame {
    kind: Kind,
    blocks: Vec<Block>,
    /// Inlines not yet in a block: a tight list item's or a table cell's text, which comes with
    /// no paragraph around it.
    inlines: Vec<Inline>,
}

impl Frame {
    fn new(kind: Kind) -> Self {
        Frame {
            kind,
            blocks: Vec::new(),
            inlines: Vec::new(),
        }
    }

    fn flush(&mut self, span: Span) {
        if !self.inlines.is_empty() {
            let content = std::mem::take(&mut self.inlines);
            self.blocks.push(paragraph(content, span));
        }
    }

    fn push_block(&mut self, block: Block, span: Span) {
        self.flush(span);
        self.blocks.push(block);
    }

    fn push_inline(&mut self, inline: Inline) {
        // pulldown-cmark splits text at every character that might have been syntax; joined
        // runs make a smaller IR and let the writer break long runs as a whole.
        if let (Inline::Text { text }, Some(Inline::Text { text: last })) =
            (&inline, self.inlines.last_mut())
        {
            last.push_str(text);
            return;
        }
        self.inlines.push(inline);
    }
}

/// A container's blocks, its trailing loose text made a paragraph.
fn into_blocks(mut blocks: Vec<Block>, inlines: Vec<Inline>, span: Span) -> Vec<Block> {
    if !inlines.is_empty() {
        blocks.push(paragraph(inlines, span));
    }
    blocks
}

struct Builder<'a> {
    source: &'a str,
    span: Span,
    /// Where the last table cell ended in the source.
    cell_end: usize,
    /// Open frames; `stack[0]` is the root and is never popped.
    stack: Vec<Frame>,
    /// One entry per open tag: whether it pushed a frame (tags nested too deep do not).
    opened: Vec<bool>,
    /// Footnote numbers by label, in order of first reference.
    footnote_numbers: HashMap<String, usize>,
    footnotes: Vec<(usize, Vec<Block>)>,
}

impl<'a> Builder<'a> {
    fn new(source: &'a str, span: Span) -> Self {
        Builder {
            source,
            span,
            cell_end: 0,
            stack: vec![Frame::new(Kind::Root)],
            opened: Vec::new(),
            footnote_numbers: HashMap::new(),
            footnotes: Vec::new(),
        }
    }

    fn top(&mut self) -> &mut Frame {
        self.stack
            .last_mut()
            .expect("the root frame is never popped")
    }

    fn footnote_number(&mut self, label: &str) -> usize {
        let next = self.footnote_numbers.len() + 1;
        *self
            .footnote_numbers
            .entry(label.to_owned())
            .or_insert(next)
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(TagEnd::TableCell) => {
                self.cell_end = range.end;
                self.end(TagEnd::TableCell);
            }
            Event::End(TagEnd::TableRow) => {
                self.excess_cells(range.end);
                self.end(TagEnd::TableRow);
            }
            Event::End(end) => self.end(end),
            Event::Text(text) => match &mut self.top().kind {
                Kind::Code { text: code, .. } | Kind::Html { text: code } => code.push_str(&text),
                _ => self.top().push_inline(Inline::text(text.as_ref())),
            },
            Event::Code(code) => self.top().push_inline(Inline::Code {
                content: vec![Inline::text(code.as_ref())],
            }),
            // Not enabled (see `options`), but should it ever be, the IR has a place for it.
            Event::InlineMath(tex) | Event::DisplayMath(tex) => {
                self.top().push_inline(Inline::Math {
                    tex: tex.into_string(),
                })
            }
            Event::Html(html) => match &mut self.top().kind {
                Kind::Html { text } => text.push_str(&html),
                _ => self.top().push_inline(Inline::text(html.as_ref())),
            },
            Event::InlineHtml(html) => self.top().push_inline(Inline::text(html.as_ref())),
            Event::FootnoteReference(label) => {
                let number = self.footnote_number(&label);
                self.top().push_inline(Inline::Sup {
                    content: vec![Inline::text(number.to_string())],
                });
            }
            Event::SoftBreak => self.top().push_inline(Inline::text(" ")),
            Event::HardBreak => self.top().push_inline(Inline::LineBreak),
            Event::Rule => {
                let span = self.span;
                self.top().push_block(Block::Rule { span }, span);
            }
            Event::TaskListMarker(done) => self.task_marker(done),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        let nests = matches!(
            tag,
            Tag::BlockQuote(_)
                | Tag::List(_)
                | Tag::Item
                | Tag::FootnoteDefinition(_)
                | Tag::DefinitionList
                | Tag::DefinitionListTitle
                | Tag::DefinitionListDefinition
                | Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
        );
        if nests && self.stack.len() >= MAX_DEPTH {
            self.opened.push(false);
            return;
        }
        let kind = match tag {
            Tag::Paragraph => Kind::Paragraph,
            Tag::Heading { level, .. } => Kind::Heading(level as u8),
            Tag::BlockQuote(kind) => Kind::Quote(kind),
            Tag::CodeBlock(CodeBlockKind::Fenced(info)) => Kind::Code {
                language: info
                    .split_whitespace()
                    .next()
                    .map(|word| word.to_lowercase()),
                text: String::new(),
            },
            Tag::CodeBlock(CodeBlockKind::Indented) => Kind::Code {
                language: None,
                text: String::new(),
            },
            Tag::HtmlBlock => Kind::Html {
                text: String::new(),
            },
            Tag::List(start) => Kind::List {
                start,
                items: Vec::new(),
            },
            Tag::Item => Kind::Item { task: None },
            Tag::FootnoteDefinition(label) => Kind::Footnote(label.into_string()),
            Tag::Table(alignments) => Kind::Table {
                alignments,
                rows: Vec::new(),
            },
            Tag::TableHead => Kind::Row {
                head: true,
                cells: Vec::new(),
            },
            Tag::TableRow => Kind::Row {
                head: false,
                cells: Vec::new(),
            },
            Tag::TableCell => Kind::Cell,
            Tag::Emphasis => Kind::Emphasis,
            Tag::Strong => Kind::Strong,
            Tag::Strikethrough => Kind::Strike,
            Tag::Superscript => Kind::Sup,
            Tag::Subscript => Kind::Sub,
            Tag::Link {
                link_type: LinkType::Email,
                dest_url,
                ..
            } => Kind::Link(format!("mailto:{dest_url}")),
            // Titles are tooltips, which a PDF does not show.
            Tag::Link { dest_url, .. } => Kind::Link(dest_url.into_string()),
            Tag::Image { dest_url, .. } => Kind::Image(dest_url.into_string()),
            Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => Kind::Other,
        };
        if is_block(&kind) {
            // A tight list item's text comes without a paragraph; it ends where a block starts.
            let span = self.span;
            self.top().flush(span);
        }
        self.stack.push(Frame::new(kind));
        self.opened.push(true);
    }

    fn end(&mut self, end: TagEnd) {
        let opened = self.opened.pop().unwrap_or(false);
        if !opened {
            // A flattened item or quote still ends its text, or consecutive items would run
            // together into one paragraph.
            if !matches!(
                end,
                TagEnd::Emphasis
                    | TagEnd::Strong
                    | TagEnd::Strikethrough
                    | TagEnd::Superscript
                    | TagEnd::Subscript
            ) {
                let span = self.span;
                self.top().flush(span);
            }
            return;
        }
        if self.stack.len() > 1 {
            self.close();
        }
    }

    /// Pops the top frame and adds what it built to its parent.
    fn close(&mut self) {
        let span = self.span;
        let Frame {
            kind,
            blocks,
            inlines,
        } = self
            .stack
            .pop()
            .expect("close is only called above the root");
        match kind {
            Kind::Root => unreachable!("the root frame is never popped"),
            Kind::Paragraph => {
                let mut content = inlines;
                let block = match content.as_slice() {
                    [Inline::Image(_)] => match content.pop() {
                        Some(Inline::Image(image)) => Some(Block::Image(*image)),
                        _ => None,
                    },
                    [] => None,
                    _ => Some(paragraph(content, span)),
                };
                self.top().blocks.extend(blocks);
                if let Some(block) = block {
                    self.top().push_block(block, span);
                }
            }
            Kind::Heading(level) => {
                let block = Block::Heading {
                    level,
                    attr: Attr::default(),
                    content: inlines,
                    span,
                };
                self.top().push_block(block, span);
            }
            Kind::Quote(kind) => {
                let blocks = into_blocks(blocks, inlines, span);
                let block = match kind {
                    None => Block::Quote { blocks, span },
                    Some(kind) => Block::Panel(alert(kind, blocks, span)),
                };
                self.top().push_block(block, span);
            }
            Kind::Code { language, mut text } => {
                if text.ends_with('\n') {
                    text.pop();
                }
                let block = code_block(language, text, false, span);
                self.top().push_block(block, span);
            }
            Kind::Html { mut text } => {
                if text.ends_with('\n') {
                    text.pop();
                }
                let block = code_block(Some("html".to_owned()), text, true, span);
                self.top().push_block(block, span);
            }
            Kind::List { start, items } => {
                let block = list(start, items, span);
                self.top().push_block(block, span);
            }
            Kind::Item { task } => {
                let blocks = into_blocks(blocks, inlines, span);
                match &mut self.top().kind {
                    Kind::List { items, .. } => items.push((task, blocks)),
                    _ => self.top().blocks.extend(blocks),
                }
            }
            Kind::Footnote(label) => {
                let number = self.footnote_number(&label);
                let blocks = into_blocks(blocks, inlines, span);
                self.footnotes.push((number, blocks));
            }
            Kind::Table { alignments, rows } => {
                let block = Block::Table(Table {
                    columns: vec![ColumnSpec::default(); alignments.len()],
                    rows,
                    header_rows: 1,
                    width: None,
                    numbered: false,
                    span,
                });
                self.top().push_block(block, span);
            }
            Kind::Row { head, cells } => match &mut self.top().kind {
                Kind::Table { rows, .. } => rows.push(Row {
                    cells,
                    in_head: head,
                }),
                _ => {
                    let blocks = cells.into_iter().flat_map(|cell| cell.blocks);
                    self.top().blocks.extend(blocks);
                }
            },
            Kind::Cell => {
                let blocks = into_blocks(blocks, inlines, span);
                let column = match &self.top().kind {
                    Kind::Row { cells, .. } => cells.len(),
                    _ => 0,
                };
                let align = match self.stack.iter().rev().nth(1).map(|f| &f.kind) {
                    Some(Kind::Table { alignments, .. }) => {
                        alignments.get(column).copied().and_then(align)
                    }
                    _ => None,
                };
                match &mut self.top().kind {
                    Kind::Row { head, cells } => cells.push(Cell {
                        header: *head,
                        colspan: 1,
                        rowspan: 1,
                        align,
                        background: None,
                        blocks,
                    }),
                    _ => self.top().blocks.extend(blocks),
                }
            }
            Kind::Emphasis => self.wrap(blocks, inlines, |content| Inline::Emphasis { content }),
            Kind::Strong => self.wrap(blocks, inlines, |content| Inline::Strong { content }),
            Kind::Strike => self.wrap(blocks, inlines, |content| Inline::Strike { content }),
            Kind::Sup => self.wrap(blocks, inlines, |content| Inline::Sup { content }),
            Kind::Sub => self.wrap(blocks, inlines, |content| Inline::Sub { content }),
            Kind::Link(url) => self.wrap(blocks, inlines, |content| Inline::Link {
                target: LinkTarget::Url { url },
                content,
            }),
            Kind::Image(url) => {
                let alt = plain_text(&inlines);
                let image = Image {
                    source: image_source(&url),
                    alt: (!alt.is_empty()).then_some(alt),
                    width: None,
                    height: None,
                    intrinsic: None,
                    align: None,
                    border: false,
                    caption: Vec::new(),
                    missing: false,
                    layout: folio_ir::ImageLayout::Normal,
                    span,
                };
                self.top().push_inline(Inline::Image(Box::new(image)));
            }
            Kind::Other => {
                let blocks = into_blocks(blocks, inlines, span);
                let top = self.top();
                top.flush(span);
                top.blocks.extend(blocks);
            }
        }
    }

    fn wrap(
        &mut self,
        blocks: Vec<Block>,
        inlines: Vec<Inline>,
        make: impl FnOnce(Vec<Inline>) -> Inline,
    ) {
        let top = self.top();
        // Blocks cannot occur inside inline formatting; should one ever, keep it beside.
        top.blocks.extend(blocks);
        top.push_inline(make(inlines));
    }

    /// GitHub ignores the cells of a row beyond the header's; their text is kept, unparsed, in
    /// one more cell (the table pass pads the other rows).
    fn excess_cells(&mut self, row_end: usize) {
        let rest = self.source.get(self.cell_end..row_end).unwrap_or("").trim();
        let rest = rest.strip_prefix('|').unwrap_or(rest);
        let rest = match rest.strip_suffix('|') {
            Some(inner) if !inner.ends_with('\\') => inner,
            _ => rest,
        };
        let rest = rest.trim();
        if rest.is_empty() {
            return;
        }
        let span = self.span;
        if let Kind::Row { cells, .. } = &mut self.top().kind {
            cells.push(Cell {
                header: false,
                colspan: 1,
                rowspan: 1,
                align: None,
                background: None,
                blocks: vec![paragraph(vec![Inline::text(rest)], span)],
            });
        }
    }

    /// The marker belongs to the item it starts (directly in a tight item, in the first
    /// paragraph of a loose one). One that cannot be placed stays visible as a check box.
    fn task_marker(&mut self, done: bool) {
        let n = self.stack.len();
        let item = match &self.stack[..] {
            [
                ..,
                Frame {
                    kind: Kind::Item { .. },
                    ..
                },
            ] => Some(n - 1),
            [
                ..,
                Frame {
                    kind: Kind::Item { .. },
                    ..
                },
                Frame {
                    kind: Kind::Paragraph,
                    ..
                },
            ] => Some(n - 2),
            _ => None,
        };
        if let Some(i) = item
            && let Frame {
                kind: Kind::Item { task: task @ None },
                blocks,
                inlines,
            } = &mut self.stack[i]
            && blocks.is_empty()
            && inlines.is_empty()
        {
            *task = Some(done);
            return;
        }
        self.top().push_inline(Inline::text(check_box(done)));
    }

    fn finish(mut self) -> Vec<Block> {
        while self.stack.len() > 1 {
            self.close();
        }
        let span = self.span;
        let root = self.stack.pop().expect("the root frame");
        let mut blocks = into_blocks(root.blocks, root.inlines, span);
        if !self.footnotes.is_empty() {
            // As GitHub shows them: after a rule at the end, in reference order.
            blocks.push(Block::Rule { span });
            self.footnotes.sort_by_key(|(number, _)| *number);
            for (number, mut notes) in self.footnotes {
                let marker = Inline::Sup {
                    content: vec![Inline::text(number.to_string())],
                };
                if !matches!(notes.first(), Some(Block::Paragraph { .. })) {
                    notes.insert(0, paragraph(Vec::new(), span));
                }
                if let Some(Block::Paragraph { content, .. }) = notes.first_mut() {
                    prepend_text(content, " ");
                    content.insert(0, marker);
                }
                blocks.extend(notes);
            }
        }
        blocks
    }
}

fn is_block(kind: &Kind) -> bool {
    !matches!(
        kind,
        Kind::Emphasis
            | Kind::Strong
            | Kind::Strike
            | Kind::Sup
            | Kind::Sub
            | Kind::Link(_)
            | Kind::Image(_)
    )
}

fn paragraph(content: Vec<Inline>, span: Span) -> Block {
    Block::Paragraph {
        attr: Attr::default(),
        content,
        span,
    }
}

fn prepend_text(content: &mut Vec<Inline>, text: &str) {
    match content.first_mut() {
        Some(Inline::Text { text: first }) => first.insert_str(0, text),
        _ => content.insert(0, Inline::text(text)),
    }
}

fn code_block(language: Option<String>, code: String, plain: bool, span: Span) -> Block {
    Block::Code(CodeBlock {
        language,
        title: None,
        line_numbers: false,
        first_line: 1,
        code,
        plain,
        span,
    })
}

fn check_box(done: bool) -> &'static str {
    if done { "\u{2611} " } else { "\u{2610} " }
}

/// A list whose items are all tasks (each a line of text and, possibly, nested task lists)
/// becomes a task list. Any other list stays a list, its task items starting with a check box
/// character, since a `Task` holds only a line and would lose the item's other blocks.
fn list(start: Option<u64>, items: Vec<(Option<bool>, Vec<Block>)>, span: Span) -> Block {
    let is_task_item = |(task, blocks): &(Option<bool>, Vec<Block>)| {
        task.is_some()
            && match blocks.as_slice() {
                [] => true,
                [Block::Paragraph { .. }, rest @ ..] => {
                    rest.iter().all(|b| matches!(b, Block::TaskList { .. }))
                }
                _ => false,
            }
    };
    if start.is_none() && !items.is_empty() && items.iter().all(is_task_item) {
        let tasks = items
            .into_iter()
            .map(|(task, blocks)| {
                let mut content = Vec::new();
                let mut children = Vec::new();
                for block in blocks {
                    match block {
                        Block::Paragraph { content: c, .. } => content = c,
                        Block::TaskList { items, .. } => children.extend(items),
                        _ => {}
                    }
                }
                Task {
                    done: task == Some(true),
                    content,
                    children,
                }
            })
            .collect();
        return Block::TaskList { items: tasks, span };
    }
    let items = items
        .into_iter()
        .map(|(task, mut blocks)| {
            if let Some(done) = task {
                if !matches!(blocks.first(), Some(Block::Paragraph { .. })) {
                    blocks.insert(0, paragraph(Vec::new(), span));
                }
                if let Some(Block::Paragraph { content, .. }) = blocks.first_mut() {
                    prepend_text(content, check_box(done));
                }
            }
            ListItem { blocks }
        })
        .collect();
    Block::List(List {
        ordered: start.is_some(),
        start: start.map_or(1, |n| u32::try_from(n).unwrap_or(u32::MAX)),
        items,
        span,
    })
}

/// GitHub's alerts, in the panel whose colour matches GitHub's, titled as GitHub titles them.
fn alert(kind: BlockQuoteKind, blocks: Vec<Block>, span: Span) -> Panel {
    let (panel, title) = match kind {
        BlockQuoteKind::Note => (PanelKind::Info, "Note"),
        BlockQuoteKind::Tip => (PanelKind::Tip, "Tip"),
        BlockQuoteKind::Important => (PanelKind::Purple, "Important"),
        BlockQuoteKind::Warning => (PanelKind::Note, "Warning"),
        BlockQuoteKind::Caution => (PanelKind::Warning, "Caution"),
    };
    let mut panel = Panel::new(panel, blocks, span);
    panel.title = Some(title.to_owned());
    panel
}

fn align(alignment: Alignment) -> Option<Align> {
    match alignment {
        Alignment::None => None,
        Alignment::Left => Some(Align::Left),
        Alignment::Center => Some(Align::Center),
        Alignment::Right => Some(Align::Right),
    }
}

/// A relative reference (`diagram.png`, `./a%20b.png`) is taken as an attachment of the page:
/// a page has no folder of files next to it, only its attachments, and that is how authors
/// reference them. Absolute and server-relative (`/download/…`) URLs stay URLs.
fn image_source(url: &str) -> ImageSource {
    let url = url.trim();
    if url.is_empty() || url.starts_with('/') || has_scheme(url) {
        return ImageSource::Url {
            url: url.to_owned(),
        };
    }
    let name = url.strip_prefix("./").unwrap_or(url);
    ImageSource::Attachment {
        filename: percent_decode(name),
        page: None,
    }
}

/// `scheme:` as RFC 3986 spells it.
fn has_scheme(url: &str) -> bool {
    match url.split_once(':') {
        Some((scheme, _)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// `%XX` escapes decoded, since attachments are named by their real file names; a name that
/// does not decode to UTF-8 is kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SPAN: Span = Span::new(10, 20);

    fn md(source: &str) -> Vec<Block> {
        markdown_to_blocks(source, SPAN)
    }

    fn text(s: &str) -> Inline {
        Inline::text(s)
    }

    fn para(content: Vec<Inline>) -> Block {
        paragraph(content, SPAN)
    }

    fn item(blocks: Vec<Block>) -> ListItem {
        ListItem { blocks }
    }

    #[test]
    fn issue_headings_keep_level_and_formatting() {
        assert_eq!(
            md("# One\n\n### Three *it*\n\nSetext\n------"),
            vec![
                Block::Heading {
                    level: 1,
                    attr: Attr::default(),
                    content: vec![text("One")],
                    span: SPAN
                },
                Block::Heading {
                    level: 3,
                    attr: Attr::default(),
                    content: vec![
                        text("Three "),
                        Inline::Emphasis {
                            content: vec![text("it")]
                        }
                    ],
                    span: SPAN
                },
                Block::Heading {
                    level: 2,
                    attr: Attr::default(),
                    content: vec![text("Setext")],
                    span: SPAN
                },
            ]
        );
    }

    #[test]
    fn issue_paragraph_soft_breaks_become_spaces_and_hard_breaks_stay() {
        assert_eq!(
            md("one\ntwo  \nthree\\\nfour"),
            vec![para(vec![
                text("one two"),
                Inline::LineBreak,
                text("three"),
                Inline::LineBreak,
                text("four"),
            ])]
        );
    }

    #[test]
    fn issue_emphasis_strong_strike_and_code() {
        assert_eq!(
            md("*a* **b** ~~c~~ `d*e`"),
            vec![para(vec![
                Inline::Emphasis {
                    content: vec![text("a")]
                },
                text(" "),
                Inline::Strong {
                    content: vec![text("b")]
                },
                text(" "),
                Inline::Strike {
                    content: vec![text("c")]
                },
                text(" "),
                Inline::Code {
                    content: vec![text("d*e")]
                },
            ])]
        );
    }

    #[test]
    fn issue_nested_lists() {
        assert_eq!(
            md("- a\n  - b\n  - c\n- d"),
            vec![Block::List(List {
                ordered: false,
                start: 1,
                items: vec![
                    item(vec![
                        para(vec![text("a")]),
                        Block::List(List {
                            ordered: false,
                            start: 1,
                            items: vec![
                                item(vec![para(vec![text("b")])]),
                                item(vec![para(vec![text("c")])]),
                            ],
                            span: SPAN,
                        }),
                    ]),
                    item(vec![para(vec![text("d")])]),
                ],
                span: SPAN,
            })]
        );
    }

    #[test]
    fn issue_ordered_list_keeps_its_start() {
        let blocks = md("3. three\n4. four\n\n   more");
        let Block::List(list) = &blocks[0] else {
            panic!("not a list: {blocks:?}");
        };
        assert!(list.ordered);
        assert_eq!(list.start, 3);
        assert_eq!(list.items.len(), 2);
        assert_eq!(
            list.items[1].blocks,
            vec![para(vec![text("four")]), para(vec![text("more")])]
        );
    }

    #[test]
    fn issue_fenced_code_keeps_language_and_text() {
        assert_eq!(
            md("```Rust ignore\nfn main() {}\n  *x*\n```\n\n    indented\n"),
            vec![
                code_block(
                    Some("rust".to_owned()),
                    "fn main() {}\n  *x*".to_owned(),
                    false,
                    SPAN
                ),
                code_block(None, "indented".to_owned(), false, SPAN),
            ]
        );
    }

    #[test]
    fn issue_tables_have_a_header_row_and_alignment() {
        let blocks = md("| a | b | c |\n|:--|:-:|--:|\n| 1 | **2** |\n");
        let Block::Table(table) = &blocks[0] else {
            panic!("not a table: {blocks:?}");
        };
        assert_eq!(table.header_rows, 1);
        assert_eq!(table.columns.len(), 3);
        assert_eq!(table.rows.len(), 2);
        assert!(table.rows[0].in_head);
        assert!(table.rows[0].cells.iter().all(|c| c.header));
        assert!(!table.rows[1].in_head);
        let aligns: Vec<_> = table.rows[0].cells.iter().map(|c| c.align).collect();
        assert_eq!(
            aligns,
            vec![Some(Align::Left), Some(Align::Center), Some(Align::Right)]
        );
        assert_eq!(table.rows[1].cells[0].blocks, vec![para(vec![text("1")])]);
        assert_eq!(
            table.rows[1].cells[1].blocks,
            vec![para(vec![Inline::Strong {
                content: vec![text("2")]
            }])]
        );
        assert_eq!(table.rows[1].cells[1].align, Some(Align::Center));
        for row in &table.rows {
            for cell in &row.cells {
                assert_eq!((cell.colspan, cell.rowspan), (1, 1));
            }
        }
    }

    #[test]
    fn issue_excess_cells_are_kept() {
        let blocks = md("| a |\n|---|\n| 1 | 2 \\| `x|y` |\n| 3 |");
        let Block::Table(table) = &blocks[0] else {
            panic!("not a table: {blocks:?}");
        };
        assert_eq!(table.rows[1].cells.len(), 2);
        assert_eq!(
            table.rows[1].cells[1].blocks,
            vec![para(vec![text("2 \\| `x|y`")])]
        );
        assert_eq!(table.rows[2].cells.len(), 1);
    }

    #[test]
    fn issue_links_and_autolinks() {
        assert_eq!(
            md("[docs](https://example.com/a \"title\") <https://x.org> <me@example.com>"),
            vec![para(vec![
                Inline::Link {
                    target: LinkTarget::Url {
                        url: "https://example.com/a".to_owned()
                    },
                    content: vec![text("docs")]
                },
                text(" "),
                Inline::Link {
                    target: LinkTarget::Url {
                        url: "https://x.org".to_owned()
                    },
                    content: vec![text("https://x.org")]
                },
                text(" "),
                Inline::Link {
                    target: LinkTarget::Url {
                        url: "mailto:me@example.com".to_owned()
                    },
                    content: vec![text("me@example.com")]
                },
            ])]
        );
    }

    #[test]
    fn issue_reference_links_resolve() {
        assert_eq!(
            md("[a][r]\n\n[r]: http://r.example"),
            vec![para(vec![Inline::Link {
                target: LinkTarget::Url {
                    url: "http://r.example".to_owned()
                },
                content: vec![text("a")]
            }])]
        );
    }

    #[test]
    fn issue_images_relative_are_attachments() {
        let blocks = md("![a chart](my%20chart.png)\n\nx ![](https://e.com/i.png) y");
        let Block::Image(image) = &blocks[0] else {
            panic!("not an image: {blocks:?}");
        };
        assert_eq!(
            image.source,
            ImageSource::Attachment {
                filename: "my chart.png".to_owned(),
                page: None
            }
        );
        assert_eq!(image.alt.as_deref(), Some("a chart"));
        let Block::Paragraph { content, .. } = &blocks[1] else {
            panic!("not a paragraph: {blocks:?}");
        };
        let Inline::Image(image) = &content[1] else {
            panic!("not an image: {content:?}");
        };
        assert_eq!(
            image.source,
            ImageSource::Url {
                url: "https://e.com/i.png".to_owned()
            }
        );
    }

    #[test]
    fn issue_task_lists() {
        assert_eq!(
            md("- [ ] open\n- [x] done\n  - [X] child"),
            vec![Block::TaskList {
                items: vec![
                    Task {
                        done: false,
                        content: vec![text("open")],
                        children: vec![]
                    },
                    Task {
                        done: true,
                        content: vec![text("done")],
                        children: vec![Task {
                            done: true,
                            content: vec![text("child")],
                            children: vec![]
                        }]
                    },
                ],
                span: SPAN
            }]
        );
    }

    #[test]
    fn issue_mixed_task_list_stays_a_list_with_check_boxes() {
        assert_eq!(
            md("- [x] done\n- plain"),
            vec![Block::List(List {
                ordered: false,
                start: 1,
                items: vec![
                    item(vec![para(vec![text("\u{2611} done")])]),
                    item(vec![para(vec![text("plain")])]),
                ],
                span: SPAN,
            })]
        );
    }

    #[test]
    fn issue_html_is_kept_as_text() {
        assert_eq!(
            md("<div class=\"x\">\n<b>hi</b>\n</div>\n\na <span>b</span> &amp; <!-- c -->"),
            vec![
                code_block(
                    Some("html".to_owned()),
                    "<div class=\"x\">\n<b>hi</b>\n</div>".to_owned(),
                    true,
                    SPAN
                ),
                para(vec![text("a <span>b</span> & <!-- c -->")]),
            ]
        );
    }

    #[test]
    fn issue_quotes_and_alerts() {
        assert_eq!(
            md("> quoted\n\n> [!WARNING]\n> careful"),
            vec![
                Block::Quote {
                    blocks: vec![para(vec![text("quoted")])],
                    span: SPAN
                },
                Block::Panel({
                    let mut panel =
                        Panel::new(PanelKind::Note, vec![para(vec![text("careful")])], SPAN);
                    panel.title = Some("Warning".to_owned());
                    panel
                }),
            ]
        );
    }

    #[test]
    fn issue_rules() {
        assert_eq!(
            md("a\n\n---\n\nb"),
            vec![
                para(vec![text("a")]),
                Block::Rule { span: SPAN },
                para(vec![text("b")])
            ]
        );
    }

    #[test]
    fn issue_footnotes_go_to_the_end_numbered() {
        let sup = |n: &str| Inline::Sup {
            content: vec![text(n)],
        };
        assert_eq!(
            md("x[^b] y[^a]\n\n[^a]: first\n[^b]: second\n\nz"),
            vec![
                para(vec![text("x"), sup("1"), text(" y"), sup("2")]),
                para(vec![text("z")]),
                Block::Rule { span: SPAN },
                para(vec![sup("1"), text(" second")]),
                para(vec![sup("2"), text(" first")]),
            ]
        );
    }

    #[test]
    fn issue_deep_nesting_is_flattened_without_losing_text() {
        let source = format!("{}deep", "> ".repeat(500));
        let blocks = md(&source);
        assert!(depth(&blocks) <= MAX_DEPTH + 2);
        assert!(all_text(&blocks).contains("deep"));
        let source = format!("{}x{}", "*a ".repeat(300), " b*".repeat(300));
        let blocks = md(&source);
        assert!(depth(&blocks) <= MAX_DEPTH + 2);
        assert!(all_text(&blocks).contains('x'));
    }

    #[test]
    fn issue_every_block_has_the_macro_span() {
        let blocks = md("# h\n\n- a\n\n```\nc\n```\n\n|a|\n|-|\n|b|\n\n---");
        assert!(blocks.iter().all(|b| b.span() == SPAN));
    }

    fn depth(blocks: &[Block]) -> usize {
        fn inline_depth(inlines: &[Inline]) -> usize {
            inlines
                .iter()
                .map(|i| 1 + i.content().map_or(0, |c| inline_depth(c)))
                .max()
                .unwrap_or(0)
        }
        blocks
            .iter()
            .map(|block| {
                1 + match block {
                    Block::Quote { blocks, .. } | Block::Panel(Panel { blocks, .. }) => {
                        depth(blocks)
                    }
                    Block::List(list) => {
                        1 + list
                            .items
                            .iter()
                            .map(|i| depth(&i.blocks))
                            .max()
                            .unwrap_or(0)
                    }
                    Block::Paragraph { content, .. } | Block::Heading { content, .. } => {
                        inline_depth(content)
                    }
                    _ => 0,
                }
            })
            .max()
            .unwrap_or(0)
    }

    /// All text a reader of the IR could find: inline text, code, image names and alt text,
    /// link targets.
    fn all_text(blocks: &[Block]) -> String {
        fn inlines(content: &[Inline], out: &mut String) {
            out.push_str(&plain_text(content));
            out.push(' ');
            for inline in content {
                match inline {
                    Inline::Image(image) => push_image(image, out),
                    Inline::Link {
                        target: LinkTarget::Url { url },
                        content,
                    } => {
                        out.push_str(url);
                        out.push(' ');
                        inlines(content, out);
                    }
                    other => {
                        if let Some(content) = other.content() {
                            inlines(content, out);
                        }
                    }
                }
            }
        }
        fn push_image(image: &Image, out: &mut String) {
            match &image.source {
                ImageSource::Attachment { filename, .. } => out.push_str(filename),
                ImageSource::Url { url } => out.push_str(url),
            }
            out.push(' ');
            out.push_str(image.alt.as_deref().unwrap_or(""));
            out.push(' ');
        }
        fn tasks(items: &[Task], out: &mut String) {
            for task in items {
                inlines(&task.content, out);
                tasks(&task.children, out);
            }
        }
        fn walk(blocks: &[Block], out: &mut String) {
            for block in blocks {
                match block {
                    Block::Heading { content, .. } | Block::Paragraph { content, .. } => {
                        inlines(content, out)
                    }
                    Block::List(list) => list.items.iter().for_each(|i| walk(&i.blocks, out)),
                    Block::Quote { blocks, .. } | Block::Panel(Panel { blocks, .. }) => {
                        walk(blocks, out)
                    }
                    Block::Code(code) => {
                        out.push_str(code.language.as_deref().unwrap_or(""));
                        out.push(' ');
                        out.push_str(&code.code);
                        out.push(' ');
                    }
                    Block::Table(table) => table
                        .rows
                        .iter()
                        .flat_map(|r| &r.cells)
                        .for_each(|c| walk(&c.blocks, out)),
                    Block::TaskList { items, .. } => tasks(items, out),
                    Block::Image(image) => push_image(image, out),
                    Block::Rule { .. } => {}
                    other => panic!("the converter made an unexpected block: {other:?}"),
                }
            }
        }
        let mut out = String::new();
        walk(blocks, &mut out);
        out
    }

    /// Lowercased runs of letters and digits. They are looked for as substrings of the IR's
    /// text, since syntax between two runs (`` `a`b ``) may vanish and join them.
    fn words(text: &str) -> impl Iterator<Item = String> + '_ {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
    }

    /// Markdown-heavy strings: every construct's punctuation, often at line starts.
    fn markdownish() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                "[a-zA-Z0-9]{1,6}",
                Just(" ".to_owned()),
                Just("\n".to_owned()),
                Just("\n\n".to_owned()),
                "[-*_#>+.|:~`!()<>\\[\\]\"'=/\\\\&;0-9 \t\n]{1,3}",
                Just("```".to_owned()),
                Just("| a | b |\n|---|:-:|\n".to_owned()),
                Just("- [ ] ".to_owned()),
                Just("[^1]".to_owned()),
                Just("[^1]: ".to_owned()),
                Just("<b>".to_owned()),
                Just("    ".to_owned()),
                Just("\u{e9}\u{4e2d}".to_owned()),
            ],
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    /// The words of `source` that Markdown itself shows: text, code and HTML events, and link
    /// and image destinations. (Reference definitions, link titles, fence info strings beyond
    /// the language and entity names are syntax, not text.)
    fn shown_words(source: &str) -> Vec<String> {
        let mut shown = String::new();
        for event in Parser::new_ext(source, options()) {
            match event {
                Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                    shown.push_str(&t);
                }
                Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                    shown.push_str(&percent_decode(&dest_url));
                }
                _ => {}
            }
            shown.push(' ');
        }
        words(&shown).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn issue_no_text_is_lost(source in prop_oneof![markdownish(), "\\PC{0,200}"]) {
            let blocks = md(&source);
            let found = all_text(&blocks).to_lowercase();
            for word in shown_words(&source) {
                prop_assert!(found.contains(&word), "{word:?} lost from {source:?}: {blocks:?}");
            }
            prop_assert!(blocks.iter().all(|b| b.span() == SPAN));
        }

        /// With no brackets (links, references, footnotes) and no `&` (entities), Markdown
        /// syntax hides no words at all: every word of the source is in the IR.
        #[test]
        fn issue_every_source_word_survives(
            source in markdownish().prop_map(|s| s.replace(['[', ']', '&'], " "))
        ) {
            let blocks = md(&source);
            let found = all_text(&blocks).to_lowercase();
            // Fence info beyond the language, and the numbers of ordered items after the first
            // (Markdown counts from the start whatever they say), are syntax.
            let syntax: std::collections::HashSet<String> = Parser::new_ext(&source, options())
                .into_offset_iter()
                .filter_map(|(e, range)| match e {
                    Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                        Some(info.into_string())
                    }
                    Event::Start(Tag::Item) => Some(
                        source[range]
                            .trim_start()
                            .chars()
                            .take_while(char::is_ascii_digit)
                            .collect(),
                    ),
                    _ => None,
                })
                .flat_map(|text| words(&text).collect::<Vec<_>>())
                .collect();
            for word in words(&source) {
                prop_assert!(
                    found.contains(&word) || syntax.contains(&word),
                    "{word:?} lost from {source:?}: {blocks:?}"
                );
            }
        }
    }
}
