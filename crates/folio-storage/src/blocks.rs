//! Block structure: block containers, paragraphs, lists, quotes, `pre`, generic wrappers, and the
//! element dispatcher every other module goes through.
//!
//! Elements are read into a *flow*: a sequence of inlines and blocks in source order. A block
//! container groups the inline runs of its flow into paragraphs; a paragraph that meets a block
//! (a table inside `<p>`, say) is split around it, so nothing is lost.

use std::collections::BTreeSet;

use folio_ir::{Attr, Block, CodeBlock, Diagnostic, Image, Inline, List, ListItem, Span};

use crate::css;
use crate::dom::{Element, Node, is_blank, push_text_content};
use crate::entities::is_line_separator;
use crate::{inline, layout, macros, table, tasks};

/// State shared by the whole conversion: the diagnostics so far.
#[derive(Default)]
pub(crate) struct Cx {
    pub diagnostics: Vec<Diagnostic>,
    warned: BTreeSet<String>,
}

impl Cx {
    /// Pushes `diagnostic` unless one with the same `key` was pushed before.
    pub fn warn_once(&mut self, key: &str, diagnostic: Diagnostic) {
        if self.warned.insert(key.to_owned()) {
            self.diagnostics.push(diagnostic);
        }
    }

    /// Warns (once per element name) that `name` is not rendered as such.
    pub fn unsupported(&mut self, name: &str, span: Span) {
        self.warn_once(
            &format!("unsupported:{name}"),
            Diagnostic::warning(
                "unsupported-element",
                format!("unsupported element `{name}`"),
            )
            .at(span)
            .with_hint("its content is kept"),
        );
    }
}

/// One item of a flow.
pub(crate) enum Flow {
    Inline(Inline, Span),
    /// An `ac:image`; `true` when it asked to stay in the line (`ac:inline="true"`).
    Image(Box<Image>, bool),
    Block(Block),
}

/// Where an element stands, which decides how macros and unknown elements are read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Place {
    /// Alone in a block container.
    Block,
    /// In running text.
    Inline,
}

/// How a run of inlines becomes a block.
pub(crate) enum Para {
    /// Loose inline content in a block container: blank runs vanish.
    Implicit,
    /// A `<p>`: always at least one paragraph.
    Paragraph { attr: Attr, span: Span },
    /// An `<hN>`: the first run is the heading; runs after a block inside it are paragraphs.
    Heading { level: u8, attr: Attr, span: Span },
}

/// Reads the children of a block container (the document, a cell, a list item, a macro body…).
pub(crate) fn read_blocks(cx: &mut Cx, nodes: &[Node]) -> Vec<Block> {
    let mut flow = Vec::new();
    for (index, node) in nodes.iter().enumerate() {
        match node {
            Node::Text(text) => inline::push_text(&mut flow, text),
            Node::Element(el) => {
                let place = if has_inline_neighbour(nodes, index) {
                    Place::Inline
                } else {
                    Place::Block
                };
                let from = flow.len();
                read_element(cx, el, place, &mut flow);
                if place == Place::Block && matches!(el.name.as_str(), "ac:image" | "img") {
                    promote_images(&mut flow[from..]);
                }
            }
        }
    }
    group(flow, Para::Implicit)
}

/// An image standing alone between blocks is a block image.
fn promote_images(items: &mut [Flow]) {
    for item in items {
        if matches!(item, Flow::Image(_, false)) {
            let taken = std::mem::replace(item, Flow::Inline(Inline::LineBreak, Span::DETACHED));
            if let Flow::Image(image, _) = taken {
                *item = Flow::Block(Block::Image(*image));
            }
        }
    }
}

/// Reads nodes that stand in running text.
pub(crate) fn read_flow(cx: &mut Cx, nodes: &[Node], out: &mut Vec<Flow>) {
    for node in nodes {
        match node {
            Node::Text(text) => inline::push_text(out, text),
            Node::Element(el) => read_element(cx, el, Place::Inline, out),
        }
    }
}

/// Reads the children of `el` in the way `place` asks: as blocks, or as running text.
pub(crate) fn read_children(cx: &mut Cx, el: &Element, place: Place, out: &mut Vec<Flow>) {
    match place {
        Place::Block => out.extend(read_blocks(cx, &el.children).into_iter().map(Flow::Block)),
        Place::Inline => read_flow(cx, &el.children, out),
    }
}

/// Whether the nearest non-blank sibling before or after `nodes[index]` is running text.
fn has_inline_neighbour(nodes: &[Node], index: usize) -> bool {
    let phrasing = |node: &Node| match node {
        Node::Text(_) => true,
        Node::Element(el) => inline::is_phrasing(el),
    };
    let before = nodes[..index].iter().rev().find(|n| !n.is_blank_text());
    let after = nodes[index + 1..].iter().find(|n| !n.is_blank_text());
    before.is_some_and(phrasing) || after.is_some_and(phrasing)
}

/// The dispatcher: reads one element standing at `place` into `out`.
///
/// Every arm is one call, which keeps this frame small: the reader recurses through here once
/// per level of nesting.
pub(crate) fn read_element(cx: &mut Cx, el: &Element, place: Place, out: &mut Vec<Flow>) {
    match el.name.as_str() {
        "p" | "dt" | "summary" | "figcaption" | "caption" => read_paragraph(cx, el, out),
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => read_heading(cx, el, out),
        "ul" | "ol" | "menu" => read_list(cx, el, out),
        "table" => table::read_table(cx, el, out),
        "blockquote" => read_quote(cx, el, out),
        "pre" => read_pre(el, out),
        "hr" => out.push(Flow::Block(Block::Rule { span: el.span })),
        "div" | "section" | "article" | "aside" | "header" | "footer" | "nav" | "main"
        | "figure" | "address" | "center" | "details" | "dl" | "dd" | "form" | "fieldset" => {
            read_div(cx, el, out)
        }
        "li" | "tr" | "td" | "th" | "thead" | "tbody" | "tfoot" => read_misplaced(cx, el, out),
        "ac:structured-macro" | "ac:macro" => macros::read_macro_element(cx, el, place, out),
        "ac:adf-extension" => macros::read_adf_extension(cx, el, place, out),
        "ac:rich-text-body" | "ac:adf-content" | "ac:adf-fallback" | "ac:layout-cell" => {
            read_children(cx, el, Place::Block, out)
        }
        "ac:layout" | "ac:layout-section" => layout::read_layout(cx, el, out),
        "ac:task-list" => tasks::read_task_list(cx, el, out),
        "ac:task" => tasks::read_lone_task(cx, el, out),
        "ac:plain-text-body" => read_pre(el, out),
        name if IGNORED.contains(&name) => {}
        _ => {
            if !inline::read_inline_element(cx, el, out) {
                read_unknown(cx, el, place, out)
            }
        }
    }
}

/// Table and list parts out of place: their content is kept.
fn read_misplaced(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    cx.warn_once(
        &format!("misplaced:{}", el.name),
        Diagnostic::warning(
            "misplaced-element",
            format!("`{}` outside its container", el.name),
        )
        .at(el.span)
        .with_hint("its content is kept as ordinary blocks"),
    );
    read_children(cx, el, Place::Block, out)
}

fn read_quote(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    let blocks = read_blocks(cx, &el.children);
    out.push(Flow::Block(Block::Quote {
        blocks,
        span: el.span,
    }));
}

/// Block-level elements of storage: what makes an unknown element that holds one a block.
#[rustfmt::skip]
const BLOCK_NAMES: &[&str] = &[
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "hr", "div",
    "section", "ac:layout", "ac:task-list", "ac:rich-text-body", "ac:adf-extension",
];

/// Editor metadata, instructional text, template declarations and table parts read elsewhere:
/// never shown where they stand.
#[rustfmt::skip]
const IGNORED: &[&str] = &[
    "ac:placeholder", "ac:adf-fragment-mark", "ac:adf-fragment-mark-detail", "ac:adf-mark",
    "ac:adf-attribute", "ac:task-id", "ac:task-uuid", "ac:task-status", "at:declarations",
    "colgroup", "col", "wbr", "script", "style", "template",
];

/// An element nobody maps: its content is kept in an `Unsupported` node.
fn read_unknown(cx: &mut Cx, el: &Element, place: Place, out: &mut Vec<Flow>) {
    cx.unsupported(&el.name, el.span);
    let holds_blocks = el
        .elements()
        .any(|child| BLOCK_NAMES.contains(&child.name.as_str()));
    match if holds_blocks { Place::Block } else { place } {
        Place::Block => out.push(Flow::Block(Block::Unsupported {
            name: el.name.clone(),
            blocks: read_blocks(cx, &el.children),
            span: el.span,
        })),
        Place::Inline => inline::wrap(
            cx,
            el,
            &[inline::Wrapper::Unsupported(el.name.clone())],
            out,
        ),
    }
}

/// `id`, `text-align` and `margin-left` indentation of a block element.
pub(crate) fn block_attr(el: &Element) -> Attr {
    let style = el.attr("style").unwrap_or("");
    Attr {
        id: el.attr_nonblank("id").map(str::to_owned),
        align: css::property(style, "text-align")
            .or(el.attr("align"))
            .and_then(css::parse_align)
            .or((el.name == "center").then_some(folio_ir::Align::Center)),
        indent: css::property(style, "margin-left").map_or(0, css::indent_level),
    }
}

fn read_paragraph(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    let mut flow = Vec::new();
    read_flow(cx, &el.children, &mut flow);
    let para = Para::Paragraph {
        attr: block_attr(el),
        span: el.span,
    };
    out.extend(group(flow, para).into_iter().map(Flow::Block));
}

fn read_heading(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    let level = el.name.as_bytes()[1] - b'0';
    let mut flow = Vec::new();
    read_flow(cx, &el.children, &mut flow);
    let para = Para::Heading {
        level,
        attr: block_attr(el),
        span: el.span,
    };
    out.extend(group(flow, para).into_iter().map(Flow::Block));
}

fn read_div(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    let mut attr = block_attr(el);
    if el.name == "dd" {
        attr.indent = attr.indent.saturating_add(1);
    }
    let blocks = read_blocks(cx, &el.children);
    if attr.is_empty() {
        out.extend(blocks.into_iter().map(Flow::Block));
    } else {
        out.push(Flow::Block(Block::Div {
            attr,
            blocks,
            span: el.span,
        }));
    }
}

fn read_list(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    let ordered = el.name == "ol";
    let start = el
        .attr("start")
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or(1);
    let mut items: Vec<ListItem> = Vec::new();
    // Content directly in the list (a nested list, loose text) joins the item before it.
    let mut loose_from = None;
    for (index, node) in el.children.iter().enumerate() {
        let Node::Element(li) = node else {
            loose_from.get_or_insert(index);
            continue;
        };
        if li.name != "li" {
            loose_from.get_or_insert(index);
            continue;
        }
        if let Some(from) = loose_from.take() {
            attach_loose(cx, &el.children[from..index], &mut items);
        }
        let mut blocks = read_blocks(cx, &li.children);
        if let Some(id) = li.attr_nonblank("id") {
            prepend_anchor(&mut blocks, id, li.span);
        }
        items.push(ListItem { blocks });
    }
    if let Some(from) = loose_from {
        attach_loose(cx, &el.children[from..], &mut items);
    }
    out.push(Flow::Block(Block::List(List {
        ordered,
        start,
        items,
        span: el.span,
    })));
}

fn attach_loose(cx: &mut Cx, nodes: &[Node], items: &mut Vec<ListItem>) {
    let blocks = read_blocks(cx, nodes);
    if blocks.is_empty() {
        return;
    }
    match items.last_mut() {
        Some(item) => item.blocks.extend(blocks),
        None => items.push(ListItem { blocks }),
    }
}

/// Puts an anchor for `id` at the start of `blocks`.
pub(crate) fn prepend_anchor(blocks: &mut Vec<Block>, id: &str, span: Span) {
    let anchor = Inline::Anchor { id: id.to_owned() };
    match blocks.first_mut() {
        Some(Block::Paragraph { content, .. }) => content.insert(0, anchor),
        _ => blocks.insert(
            0,
            Block::Paragraph {
                attr: Attr::default(),
                content: vec![anchor],
                span,
            },
        ),
    }
}

/// `pre` (a leading line break dropped, as HTML does) and a stray `ac:plain-text-body`.
fn read_pre(el: &Element, out: &mut Vec<Flow>) {
    let mut code = plain_text(el);
    if el.name == "pre" && code.starts_with('\n') {
        code.remove(0);
    }
    out.push(Flow::Block(Block::Code(CodeBlock {
        language: None,
        title: None,
        line_numbers: false,
        first_line: 1,
        code,
        plain: true,
        span: el.span,
    })));
}

/// The verbatim text below `el` (markup flattened, `br` and line separators as line feeds).
pub(crate) fn plain_text(el: &Element) -> String {
    let mut text = String::new();
    push_text_content(&el.children, &mut text);
    if text.contains(is_line_separator) {
        text = text.replace(is_line_separator, "\n");
    }
    text
}

/// Groups a flow into blocks: runs of inlines become paragraphs (or a heading) and blocks stay
/// as they are, in order.
pub(crate) fn group(flow: Vec<Flow>, para: Para) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut run: Vec<(Inline, Span, bool)> = Vec::new();
    let mut pieces = 0;
    for item in flow {
        match item {
            Flow::Block(block) => {
                flush_run(&mut run, &para, &mut pieces, &mut blocks);
                blocks.push(block);
            }
            Flow::Inline(inline, span) => run.push((inline, span, false)),
            Flow::Image(image, forced_inline) => {
                let span = image.span;
                run.push((Inline::Image(image), span, !forced_inline));
            }
        }
    }
    flush_run(&mut run, &para, &mut pieces, &mut blocks);
    if blocks.is_empty() {
        match para {
            Para::Implicit => {}
            Para::Paragraph { attr, span } => blocks.push(Block::Paragraph {
                attr,
                content: vec![],
                span,
            }),
            Para::Heading { level, attr, span } => blocks.push(Block::Heading {
                level,
                attr,
                content: vec![],
                span,
            }),
        }
    }
    blocks
}

fn flush_run(
    run: &mut Vec<(Inline, Span, bool)>,
    para: &Para,
    pieces: &mut usize,
    blocks: &mut Vec<Block>,
) {
    if run.is_empty() {
        return;
    }
    let items = std::mem::take(run);
    // An image that is the only content of its paragraph is a block image.
    let mut visible = items
        .iter()
        .filter(|(inline, _, _)| !matches!(inline, Inline::Text { text } if is_blank(text)));
    if let (Some((_, _, true)), None) = (visible.next(), visible.next()) {
        if let Some(Inline::Image(mut image)) = items
            .into_iter()
            .map(|(inline, _, _)| inline)
            .find(|i| matches!(i, Inline::Image(_)))
        {
            if let (None, Para::Paragraph { attr, .. }) = (image.align, para) {
                image.align = attr.align;
            }
            blocks.push(Block::Image(*image));
        }
        return;
    }
    let span = Span::new(items[0].1.start, items[items.len() - 1].1.end);
    let mut content: Vec<Inline> = items.into_iter().map(|(inline, _, _)| inline).collect();
    inline::normalize(&mut content);
    if content.is_empty() {
        return;
    }
    *pieces += 1;
    blocks.push(match para {
        Para::Implicit => Block::Paragraph {
            attr: Attr::default(),
            content,
            span,
        },
        Para::Paragraph { attr, span } => Block::Paragraph {
            attr: attr.clone(),
            content,
            span: *span,
        },
        Para::Heading { level, attr, span } if *pieces == 1 => Block::Heading {
            level: *level,
            attr: attr.clone(),
            content,
            span: *span,
        },
        Para::Heading { attr, span, .. } => Block::Paragraph {
            attr: Attr {
                id: None,
                ..attr.clone()
            },
            content,
            span: *span,
        },
    });
}
