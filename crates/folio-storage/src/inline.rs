//! Running text: text nodes, formatting elements, `span` styles, line breaks, dates, and the
//! HTML whitespace rules.

use folio_ir::{Block, Color, Inline, LinkTarget, Span};

use crate::blocks::{Cx, Flow, read_flow};
use crate::dom::{Element, Text, is_blank};
use crate::entities::is_line_separator;
use crate::{css, links, media};

/// Formatting that wraps inline content.
#[derive(Clone, Debug)]
pub(crate) enum Wrapper {
    Strong,
    Emphasis,
    Underline,
    Strike,
    Sub,
    Sup,
    Code,
    Color(Color),
    Highlight(Color),
    Link(LinkTarget),
    Unsupported(String),
}

impl Wrapper {
    fn wrap(&self, content: Vec<Inline>) -> Inline {
        match self {
            Wrapper::Strong => Inline::Strong { content },
            Wrapper::Emphasis => Inline::Emphasis { content },
            Wrapper::Underline => Inline::Underline { content },
            Wrapper::Strike => Inline::Strike { content },
            Wrapper::Sub => Inline::Sub { content },
            Wrapper::Sup => Inline::Sup { content },
            Wrapper::Code => Inline::Code { content },
            Wrapper::Color(color) => Inline::Color {
                color: *color,
                content,
            },
            Wrapper::Highlight(color) => Inline::Highlight {
                color: *color,
                content,
            },
            Wrapper::Link(target) => Inline::Link {
                target: target.clone(),
                content,
            },
            Wrapper::Unsupported(name) => Inline::Unsupported {
                name: name.clone(),
                content,
            },
        }
    }
}

/// `wrappers` applied to `content`, the first outermost.
fn apply(wrappers: &[Wrapper], content: Vec<Inline>) -> Vec<Inline> {
    wrappers
        .iter()
        .rev()
        .fold(content, |content, wrapper| vec![wrapper.wrap(content)])
}

/// Inline elements storage uses for running text. Macros and images are not among them: two of
/// those side by side in a block container are two blocks.
#[rustfmt::skip]
const PHRASING: &[&str] = &[
    "strong", "b", "em", "i", "cite", "var", "dfn", "u", "ins", "s", "del", "strike", "sub", "sup",
    "code", "tt", "kbd", "samp", "span", "font", "small", "big", "abbr", "acronym", "label", "bdi",
    "bdo", "data", "q", "nobr", "mark", "br", "a", "time", "ac:link", "ac:emoticon",
    "ac:inline-comment-marker", "at:var",
];

/// Inline elements that only hold their content (a `style` on them still counts).
#[rustfmt::skip]
const TRANSPARENT: &[&str] = &[
    "span", "font", "small", "big", "abbr", "acronym", "label", "bdi", "bdo", "data", "q", "nobr",
    "mark", "ac:inline-comment-marker", "ac:link-body", "ac:plain-text-link-body", "ac:task-body",
    "ac:caption",
];

/// Whether `el` is running text (used to tell whether a macro, an image or an unknown element
/// stands in a line of text).
pub(crate) fn is_phrasing(el: &Element) -> bool {
    PHRASING.contains(&el.name.as_str()) || el.name.starts_with("ri:")
}

/// Pushes a text node; line separators (U+2028, U+2029) become line breaks.
pub(crate) fn push_text(out: &mut Vec<Flow>, text: &Text) {
    for (index, part) in text.text.split(is_line_separator).enumerate() {
        if index > 0 {
            out.push(Flow::Inline(Inline::LineBreak, text.span));
        }
        if !part.is_empty() {
            out.push(Flow::Inline(Inline::text(part), text.span));
        }
    }
}

/// Reads `el` if it is an inline element; `false` when it is not one.
///
/// Like the block dispatcher, every arm is one call, to keep the recursion's frames small.
pub(crate) fn read_inline_element(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) -> bool {
    match el.name.as_str() {
        "strong" | "b" => read_formatted(cx, el, Some(Wrapper::Strong), out),
        "em" | "i" | "cite" | "var" | "dfn" => read_formatted(cx, el, Some(Wrapper::Emphasis), out),
        "u" | "ins" => read_formatted(cx, el, Some(Wrapper::Underline), out),
        "s" | "del" | "strike" => read_formatted(cx, el, Some(Wrapper::Strike), out),
        "sub" => read_formatted(cx, el, Some(Wrapper::Sub), out),
        "sup" => read_formatted(cx, el, Some(Wrapper::Sup), out),
        "code" | "tt" | "kbd" | "samp" => read_formatted(cx, el, Some(Wrapper::Code), out),
        name if TRANSPARENT.contains(&name) => read_formatted(cx, el, None, out),
        "br" => out.push(Flow::Inline(Inline::LineBreak, el.span)),
        "time" => read_time(cx, el, out),
        "at:var" => read_template_variable(el, out),
        "a" => links::read_html_link(cx, el, out),
        "ac:link" => links::read_ac_link(cx, el, out),
        "img" => media::read_html_image(el, out),
        "ac:image" => media::read_ac_image(cx, el, out),
        "ac:emoticon" => media::read_emoticon(el, out),
        name if name.starts_with("ri:") => links::read_bare_resource(cx, el, out),
        _ => return false,
    }
    true
}

fn read_formatted(cx: &mut Cx, el: &Element, own: Option<Wrapper>, out: &mut Vec<Flow>) {
    let mut wrappers: Vec<Wrapper> = own.into_iter().collect();
    wrappers.extend(style_wrappers(el));
    wrap(cx, el, &wrappers, out);
}

/// `time datetime` is a date; without `datetime`, its text.
fn read_time(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    match el.attr_nonblank("datetime") {
        Some(date) => out.push(Flow::Inline(
            Inline::Date {
                date: date.to_owned(),
            },
            el.span,
        )),
        None => read_flow(cx, &el.children, out),
    }
}

/// `at:var`: a template variable, shown as its name.
fn read_template_variable(el: &Element, out: &mut Vec<Flow>) {
    if let Some(name) = el.attr_nonblank("at:name") {
        out.push(Flow::Inline(Inline::text(name), el.span));
    }
}

/// The formatting a `style` attribute (or `<font color>`) asks for.
fn style_wrappers(el: &Element) -> Vec<Wrapper> {
    let mut wrappers = Vec::new();
    let style = el.attr("style").unwrap_or("");
    if style.is_empty() && el.name != "font" {
        return wrappers;
    }
    if let Some(weight) = css::property(style, "font-weight") {
        let weight = weight.to_ascii_lowercase();
        if weight == "bold" || weight == "bolder" || weight.parse::<u32>().is_ok_and(|w| w >= 600) {
            wrappers.push(Wrapper::Strong);
        }
    }
    if css::property(style, "font-style")
        .is_some_and(|s| s.eq_ignore_ascii_case("italic") || s.eq_ignore_ascii_case("oblique"))
    {
        wrappers.push(Wrapper::Emphasis);
    }
    if let Some(decoration) =
        css::property(style, "text-decoration").or(css::property(style, "text-decoration-line"))
    {
        let decoration = decoration.to_ascii_lowercase();
        if decoration.contains("underline") {
            wrappers.push(Wrapper::Underline);
        }
        if decoration.contains("line-through") {
            wrappers.push(Wrapper::Strike);
        }
    }
    let color = css::property(style, "color").or(el.attr("color"));
    if let Some(color) = color.and_then(css::parse_color) {
        wrappers.push(Wrapper::Color(color));
    }
    let background =
        css::property(style, "background-color").or(css::property(style, "background"));
    if let Some(color) = background.and_then(css::parse_color) {
        wrappers.push(Wrapper::Highlight(color));
    }
    wrappers
}

/// Reads the children of `el` as running text wrapped in `wrappers`. A block met inside (a
/// paragraph inside a `span`, say) leaves the wrapping; a paragraph keeps the formatting.
pub(crate) fn wrap(cx: &mut Cx, el: &Element, wrappers: &[Wrapper], out: &mut Vec<Flow>) {
    let mut inner = Vec::new();
    read_flow(cx, &el.children, &mut inner);
    wrap_flow(inner, wrappers, el.span, out);
}

/// The second half of [`wrap`], apart so that the recursion's frames stay small.
fn wrap_flow(mut inner: Vec<Flow>, wrappers: &[Wrapper], span: Span, out: &mut Vec<Flow>) {
    if wrappers.is_empty() {
        out.append(&mut inner);
        return;
    }
    let mut run = Vec::new();
    let mut pushed = false;
    for item in inner {
        match item {
            Flow::Inline(inline, _) => run.push(inline),
            Flow::Image(image, _) => run.push(Inline::Image(image)),
            Flow::Block(block) => {
                if !run.is_empty() {
                    out.extend(
                        apply(wrappers, std::mem::take(&mut run))
                            .into_iter()
                            .map(|i| Flow::Inline(i, span)),
                    );
                }
                out.push(Flow::Block(rewrap(block, wrappers)));
                pushed = true;
            }
        }
    }
    if !run.is_empty() || !pushed {
        out.extend(
            apply(wrappers, run)
                .into_iter()
                .map(|i| Flow::Inline(i, span)),
        );
    }
}

fn rewrap(mut block: Block, wrappers: &[Wrapper]) -> Block {
    if let Block::Paragraph { content, .. } | Block::Heading { content, .. } = &mut block
        && !content.is_empty()
    {
        *content = apply(wrappers, std::mem::take(content));
    }
    block
}

/// Applies HTML's whitespace rules to the content of one paragraph-like block: runs of ASCII
/// whitespace become one space, spaces at the start, at the end and around line breaks go, and
/// formatting left empty is removed. Non-breaking spaces are content.
pub(crate) fn normalize(content: &mut Vec<Inline>) {
    let mut after_space = true;
    collapse(content, &mut after_space);
    trim_before_breaks(content);
    trim_end(content);
    prune(content);
    // As in HTML, a line break that ends a block adds no line.
    if content.len() > 1 && matches!(content.last(), Some(Inline::LineBreak)) {
        content.pop();
        trim_end(content);
        prune(content);
    }
}

/// Formatting only: invisible when empty.
fn is_formatting(inline: &Inline) -> bool {
    matches!(
        inline,
        Inline::Strong { .. }
            | Inline::Emphasis { .. }
            | Inline::Underline { .. }
            | Inline::Strike { .. }
            | Inline::Sub { .. }
            | Inline::Sup { .. }
            | Inline::Code { .. }
            | Inline::Color { .. }
            | Inline::Highlight { .. }
    )
}

fn collapse(list: &mut [Inline], after_space: &mut bool) {
    for inline in list {
        match inline {
            Inline::Text { text } => collapse_text(text, after_space),
            Inline::LineBreak => *after_space = true,
            Inline::Anchor { .. } => {}
            other => {
                let visible_when_empty = !is_formatting(other);
                match other.content_mut() {
                    Some(content) if !(content.is_empty() && visible_when_empty) => {
                        collapse(content, after_space)
                    }
                    _ => *after_space = false,
                }
            }
        }
    }
}

fn collapse_text(text: &mut String, after_space: &mut bool) {
    if !text.bytes().any(|b| b.is_ascii_whitespace()) {
        if !text.is_empty() {
            *after_space = false;
        }
        return;
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_whitespace() {
            if !*after_space {
                out.push(' ');
                *after_space = true;
            }
        } else {
            out.push(c);
            *after_space = false;
        }
    }
    *text = out;
}

fn trim_before_breaks(list: &mut [Inline]) {
    for index in 0..list.len() {
        if let Some(content) = list[index].content_mut() {
            trim_before_breaks(content);
        }
        if matches!(list[index], Inline::LineBreak) {
            trim_end(&mut list[..index]);
        }
    }
}

/// Trims trailing whitespace; `true` once visible content was reached.
fn trim_end(list: &mut [Inline]) -> bool {
    for inline in list.iter_mut().rev() {
        match inline {
            Inline::Text { text } => {
                let kept = text
                    .trim_end_matches(|c: char| c.is_ascii_whitespace())
                    .len();
                text.truncate(kept);
                if !text.is_empty() {
                    return true;
                }
            }
            Inline::Anchor { .. } => {}
            other => {
                let formatting = is_formatting(other);
                match other.content_mut() {
                    Some(content) => {
                        if trim_end(content) || !formatting {
                            return true;
                        }
                    }
                    None => return true,
                }
            }
        }
    }
    false
}

fn prune(list: &mut Vec<Inline>) {
    for inline in list.iter_mut() {
        if let Some(content) = inline.content_mut() {
            prune(content);
        }
    }
    list.retain_mut(|inline| match inline {
        Inline::Text { text } => !text.is_empty(),
        other if is_formatting(other) => other.content_mut().is_some_and(|c| !c.is_empty()),
        _ => true,
    });
    let mut merged: Vec<Inline> = Vec::with_capacity(list.len());
    for inline in list.drain(..) {
        match (merged.last_mut(), inline) {
            (Some(Inline::Text { text }), Inline::Text { text: next }) => text.push_str(&next),
            (_, inline) => merged.push(inline),
        }
    }
    *list = merged;
}

/// Inlines of `nodes` where only inlines may stand (task bodies, link bodies, captions):
/// paragraphs and other blocks inside are flattened into lines, separated by line breaks. The
/// whitespace is left for the enclosing block to normalise.
pub(crate) fn read_inline_only(cx: &mut Cx, nodes: &[crate::dom::Node]) -> Vec<Inline> {
    let mut flow = Vec::new();
    read_flow(cx, nodes, &mut flow);
    let mut pieces: Vec<Vec<Inline>> = Vec::new();
    let mut run = Vec::new();
    for item in flow {
        match item {
            Flow::Inline(inline, _) => run.push(inline),
            Flow::Image(image, _) => run.push(Inline::Image(image)),
            Flow::Block(block) => {
                push_piece(&mut pieces, std::mem::take(&mut run));
                push_piece(&mut pieces, flatten_block(block));
            }
        }
    }
    push_piece(&mut pieces, run);
    join_lines(pieces)
}

fn push_piece(pieces: &mut Vec<Vec<Inline>>, piece: Vec<Inline>) {
    let blank = piece
        .iter()
        .all(|i| matches!(i, Inline::Text { text } if is_blank(text)));
    if !blank {
        pieces.push(piece);
    }
}

fn join_lines(pieces: Vec<Vec<Inline>>) -> Vec<Inline> {
    let mut out = Vec::new();
    for (index, piece) in pieces.into_iter().enumerate() {
        if index > 0 {
            out.push(Inline::LineBreak);
        }
        out.extend(piece);
    }
    out
}

/// The inlines of a block, for a place that holds only inlines.
pub(crate) fn flatten_block(block: Block) -> Vec<Inline> {
    match block {
        Block::Paragraph { content, .. } | Block::Heading { content, .. } => content,
        Block::List(list) => {
            let lines = list.items.into_iter().enumerate().map(|(index, item)| {
                let marker = if list.ordered {
                    format!("{}. ", u64::from(list.start) + index as u64)
                } else {
                    "• ".to_owned()
                };
                let mut line = vec![Inline::text(marker)];
                line.extend(flatten_blocks(item.blocks));
                line
            });
            join_lines(lines.collect())
        }
        Block::Quote { blocks, .. } | Block::Div { blocks, .. } => flatten_blocks(blocks),
        Block::Part(part) => flatten_blocks(part.blocks),
        Block::Expand { title, blocks, .. } => {
            let mut lines = vec![vec![Inline::Strong {
                content: vec![Inline::text(title)],
            }]];
            lines.extend(blocks.into_iter().map(flatten_block));
            join_lines(lines)
        }
        Block::Panel(panel) => flatten_blocks(panel.blocks),
        Block::Columns(columns) => {
            flatten_blocks(columns.columns.into_iter().flat_map(|c| c.blocks).collect())
        }
        Block::Unsupported { name, blocks, .. } => {
            vec![Inline::Unsupported {
                name,
                content: flatten_blocks(blocks),
            }]
        }
        Block::Table(table) => {
            let rows = table.rows.into_iter().map(|row| {
                let mut line = Vec::new();
                for (index, cell) in row.cells.into_iter().enumerate() {
                    if index > 0 {
                        line.push(Inline::text(" "));
                    }
                    line.extend(flatten_blocks(cell.blocks));
                }
                line
            });
            vec![Inline::Unsupported {
                name: "table".to_owned(),
                content: join_lines(rows.collect()),
            }]
        }
        Block::Code(code) => {
            let lines = code
                .code
                .lines()
                .map(|line| vec![Inline::text(line)])
                .collect();
            vec![Inline::Code {
                content: join_lines(lines),
            }]
        }
        Block::TaskList { items, .. } => join_lines(flatten_tasks(items)),
        Block::Image(image) => vec![Inline::Image(Box::new(image))],
        Block::Macro(m) => vec![Inline::Macro(Box::new(m))],
        Block::Math { tex, .. } => vec![Inline::Math { tex }],
        Block::Rule { .. } | Block::Toc(_) => vec![],
    }
}

fn flatten_blocks(blocks: Vec<Block>) -> Vec<Inline> {
    join_lines(
        blocks
            .into_iter()
            .map(flatten_block)
            .filter(|l| !l.is_empty())
            .collect(),
    )
}

fn flatten_tasks(tasks: Vec<folio_ir::Task>) -> Vec<Vec<Inline>> {
    let mut lines = Vec::new();
    for task in tasks {
        let mut line = vec![Inline::text(if task.done { "☑ " } else { "☐ " })];
        line.extend(task.content);
        lines.push(line);
        lines.extend(flatten_tasks(task.children));
    }
    lines
}
