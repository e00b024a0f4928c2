//! Macro expansion: every macro of the catalogue becomes typed IR.
//!
//! A macro nobody handles yet becomes an `Unsupported` node that keeps its body, plus a warning
//! naming the macro: content is never dropped.

use folio_ir::{
    Attr, Block, CodeBlock, Color, Column, Columns, Diagnostic, Document, Inline, Length, Macro,
    MacroBody, Panel, PanelKind, Span, StatusColour, Toc, for_each_child_list, walk_blocks_mut,
    walk_inlines_mut,
};

use crate::PassContext;

mod apps;
mod cross_page;
mod files;

/// Names of maths macros whose body (or `body` parameter) is TeX, shown as a display equation.
const MATH_BLOCK: &[&str] = &[
    "mathblock",
    "math",
    "latex",
    "easy-math-block",
    "mathjax-block",
    "latex-math",
    "latex-formatting",
];

/// Inline maths macros.
const MATH_INLINE: &[&str] = &[
    "mathinline",
    "eazy-math-inline",
    "easy-math-inline",
    "mathjax-inline",
    "latex-inline",
];

/// Whether a macro's body (or `body` parameter) is TeX typeset as maths rather than text.
pub fn is_math_macro(name: &str) -> bool {
    MATH_BLOCK.contains(&name) || MATH_INLINE.contains(&name)
}

/// Expands block and inline macros everywhere in the document.
pub fn expand_macros(document: &mut Document, cx: &mut PassContext<'_>) {
    expand_in_blocks(&mut document.blocks, cx);
}

fn expand_in_blocks(blocks: &mut Vec<Block>, cx: &mut PassContext<'_>) {
    walk_blocks_mut(blocks, &mut |list: &mut Vec<Block>| {
        expand_block_list(list, cx)
    });
    walk_inlines_mut(blocks, &mut |list: &mut Vec<Inline>| {
        expand_inline_list(list, cx)
    });
}

fn expand_block_list(blocks: &mut Vec<Block>, cx: &mut PassContext<'_>) {
    if !blocks.iter().any(|block| matches!(block, Block::Macro(_))) {
        return;
    }
    let mut expanded = Vec::with_capacity(blocks.len());
    for block in blocks.drain(..) {
        match block {
            Block::Macro(m) => expanded.extend(expand_block_macro(m, cx)),
            other => expanded.push(other),
        }
    }
    *blocks = expanded;
}

fn expand_inline_list(inlines: &mut Vec<Inline>, cx: &mut PassContext<'_>) {
    if !inlines
        .iter()
        .any(|inline| matches!(inline, Inline::Macro(_)))
    {
        return;
    }
    let mut expanded = Vec::with_capacity(inlines.len());
    for inline in inlines.drain(..) {
        match inline {
            Inline::Macro(m) => expanded.extend(expand_inline_macro(*m, cx)),
            other => expanded.push(other),
        }
    }
    *inlines = expanded;
}

/// The expansion of one block-level macro: zero or more blocks.
fn expand_block_macro(m: Macro, cx: &mut PassContext<'_>) -> Vec<Block> {
    let span = m.span;
    match m.name.as_str() {
        "code" => vec![Block::Code(code_block(&m, false))],
        "noformat" => vec![Block::Code(code_block(&m, true))],
        "info" => vec![Block::Panel(admonition(PanelKind::Info, m))],
        "note" => vec![Block::Panel(admonition(PanelKind::Note, m))],
        "tip" => vec![Block::Panel(admonition(PanelKind::Tip, m))],
        "warning" => vec![Block::Panel(admonition(PanelKind::Warning, m))],
        "panel" => vec![Block::Panel(custom_panel(m))],
        "expand" => {
            let title = m
                .param("title")
                .unwrap_or("Click here to expand...")
                .to_owned();
            vec![Block::Expand {
                title,
                blocks: rich_body(m.body),
                span,
            }]
        }
        "toc" if !m.flag("printable", true) => vec![],
        "toc" => limited_toc(&m, cx).into_iter().collect(),
        "anchor" => match anchor_name(&m) {
            Some(id) => vec![Block::Div {
                attr: Attr {
                    id: Some(id),
                    ..Attr::default()
                },
                blocks: vec![],
                span,
            }],
            None => vec![],
        },
        "status" => match expand_inline_macro(m, cx).as_slice() {
            [] => vec![],
            inlines => vec![Block::Paragraph {
                attr: Attr::default(),
                content: inlines.to_vec(),
                span,
            }],
        },
        // The page-properties table and excerpts are shown where they stand, as Confluence does,
        // unless the author hid them.
        "excerpt" | "details" | "column" if !m.flag("hidden", false) => {
            vec![Block::Div {
                attr: Attr::default(),
                blocks: rich_body(m.body),
                span,
            }]
        }
        "excerpt" | "details" => vec![],
        "section" => vec![section(m)],
        "include" => cross_page::include(m, cx),
        "excerpt-include" => cross_page::excerpt_include(m, cx),
        "children" => page_listing(m, cx, "Child pages", cross_page::children),
        "pagetree" => page_listing(m, cx, "Page tree", cross_page::pagetree),
        "contentbylabel" | "contentbylabel-macro" => {
            page_listing(m, cx, "Content by label", cross_page::content_by_label)
        }
        "detailssummary" => {
            page_listing(m, cx, "Page properties report", cross_page::details_summary)
        }
        "blog-posts" => page_listing(m, cx, "Blog posts", cross_page::blog_posts),
        "attachments" => files::attachments(m, cx),
        "view-file" | "viewfile" | "viewpdf" | "viewxls" | "viewdoc" | "viewppt"
        | "office-excel" | "office-word" | "office-powerpoint" | "multimedia" => {
            files::view_file(m, cx)
        }
        "gallery" => files::gallery(m, cx),
        "drawio" | "drawio-sketch" | "inc-drawio" | "gliffy" | "mermaid-cloud"
        | "plantumlcloud" => files::diagram(m, cx),
        "plantuml" | "mermaid" | "mermaid-macro" => apps::diagram_source(m, cx),
        "markdown" | "markdown-macro" | "markdown-from-text" => match &m.body {
            MacroBody::Plain { text } => crate::markdown::markdown_to_blocks(text, span),
            _ => rich_body(m.body),
        },
        "jira" | "jiraissues" => apps::jira_block(m, cx),
        "widget" => apps::widget(m),
        "roadmap" => apps::roadmap(m, cx),
        "auimessage" | "alert" | "aui-message" => apps::message(m),
        "ui-steps" => apps::steps(m),
        "ui-step" | "ui-tab" | "card" | "tab" => apps::titled_section(m),
        "center" => apps::centred(m),
        "redirect" | "viewport-redirect" => apps::redirect(m),
        "profile" => vec![paragraph(apps::profile(&m))],
        "footnote" | "cfm-footnote" => vec![paragraph(apps::footnote(m))],
        "toc-zone" => {
            let location = m.param("location").unwrap_or("both").to_ascii_lowercase();
            let mut blocks = Vec::new();
            if location != "bottom" {
                blocks.extend(limited_toc(&m, cx));
            }
            let after = if location != "top" {
                limited_toc(&m, cx)
            } else {
                None
            };
            blocks.extend(rich_body(m.body));
            blocks.extend(after);
            blocks
        }
        name if MATH_BLOCK.contains(&name) => vec![Block::Math {
            tex: math_source(&m),
            span,
        }],
        name if MATH_INLINE.contains(&name) => vec![paragraph(vec![Inline::Math {
            tex: math_source(&m),
        }])],
        name if apps::CONTAINERS.contains(&name)
            || apps::LANGUAGES.contains(&name)
            || apps::INLINE_CONTAINERS.contains(&name) =>
        {
            rich_body(m.body)
        }
        name if apps::INTERACTIVE.contains(&name) => vec![],
        name if apps::NEEDS_CONFLUENCE.iter().any(|(n, _)| *n == name) => {
            let title = apps::NEEDS_CONFLUENCE
                .iter()
                .find(|(n, _)| *n == name)
                .map_or("", |(_, title)| *title);
            cx.report(unresolved_warning(&m, "data only Confluence has"));
            let mut blocks = vec![paragraph(vec![Inline::text(
                "Confluence shows live content here; it is not part of this export.",
            )])];
            blocks.extend(rich_body(m.body));
            vec![placeholder(title, blocks, span)]
        }
        _ => vec![unsupported_block(m, cx)],
    }
}

/// The expansion of one inline macro: zero or more inlines.
fn expand_inline_macro(m: Macro, cx: &mut PassContext<'_>) -> Vec<Inline> {
    match m.name.as_str() {
        "status" => {
            let colour = status_colour(m.param("colour").or(m.param("color")));
            let title = m.param("title").map(str::to_owned).unwrap_or_else(|| {
                // Confluence shows the colour's name when the lozenge has no title.
                format!("{colour:?}").to_uppercase()
            });
            vec![Inline::Status {
                title,
                colour,
                subtle: m.flag("subtle", false),
            }]
        }
        "anchor" => anchor_name(&m)
            .map(|id| Inline::Anchor { id })
            .into_iter()
            .collect(),
        "code" | "noformat" => {
            vec![Inline::Code {
                content: vec![Inline::text(code_block(&m, true).code)],
            }]
        }
        "excerpt" if m.flag("hidden", false) => vec![],
        "excerpt" => {
            let mut blocks = rich_body(m.body);
            expand_in_blocks(&mut blocks, cx);
            blocks_to_inlines(&blocks)
        }
        "jira" | "jiraissues" => apps::jira_inline(&m, cx),
        "profile" => apps::profile(&m),
        "footnote" | "cfm-footnote" => {
            let mut inlines = apps::footnote(m);
            expand_inline_list(&mut inlines, cx);
            inlines
        }
        name if MATH_INLINE.contains(&name) || MATH_BLOCK.contains(&name) => {
            vec![Inline::Math {
                tex: math_source(&m),
            }]
        }
        name if apps::INLINE_CONTAINERS.contains(&name)
            || apps::CONTAINERS.contains(&name)
            || apps::LANGUAGES.contains(&name) =>
        {
            let mut blocks = rich_body(m.body);
            expand_in_blocks(&mut blocks, cx);
            blocks_to_inlines(&blocks)
        }
        name if apps::INTERACTIVE.contains(&name) => vec![],
        // Block-only macros that stand in a line (Cloud puts many inside `<p>`): expand them as
        // blocks and keep their text in the line.
        name if is_block_macro(name) => {
            let mut blocks = expand_block_macro(m, cx);
            expand_in_blocks(&mut blocks, cx);
            blocks_to_inlines(&blocks)
        }
        _ => {
            cx.report(unsupported_warning(&m));
            let name = m.name.clone();
            let mut blocks = match m.body {
                MacroBody::None => vec![],
                MacroBody::Plain { text } => {
                    return vec![unsupported_inline(name, vec![Inline::text(text)])];
                }
                MacroBody::Rich { blocks } => blocks,
            };
            expand_in_blocks(&mut blocks, cx);
            vec![unsupported_inline(name, blocks_to_inlines(&blocks))]
        }
    }
}

/// Macros that expand to blocks but may be written inside a paragraph.
fn is_block_macro(name: &str) -> bool {
    matches!(
        name,
        "include"
            | "excerpt-include"
            | "children"
            | "pagetree"
            | "contentbylabel"
            | "detailssummary"
            | "blog-posts"
            | "attachments"
            | "view-file"
            | "viewfile"
            | "viewpdf"
            | "viewxls"
            | "viewdoc"
            | "viewppt"
            | "gallery"
            | "drawio"
            | "gliffy"
            | "mermaid-cloud"
            | "plantumlcloud"
            | "widget"
            | "roadmap"
            | "auimessage"
            | "alert"
            | "ui-steps"
            | "ui-step"
            | "center"
            | "redirect"
            | "viewport-redirect"
            | "markdown"
    ) || apps::NEEDS_CONFLUENCE.iter().any(|(n, _)| *n == name)
}

/// TeX of a maths macro: its plain body, else its `body` (Easy Math) or unnamed parameter.
fn math_source(m: &Macro) -> String {
    match &m.body {
        MacroBody::Plain { text } if !text.trim().is_empty() => text.trim().to_owned(),
        MacroBody::Rich { blocks } if !blocks.is_empty() => {
            folio_ir::plain_text(&blocks_to_inlines(blocks))
        }
        _ => m
            .param("body")
            .or(m.param("equation"))
            .or(m.param(""))
            .unwrap_or_default()
            .to_owned(),
    }
}

/// A paragraph of generated content (no source position of its own).
fn paragraph(content: Vec<Inline>) -> Block {
    Block::Paragraph {
        attr: Attr::default(),
        content,
        span: Span::DETACHED,
    }
}

/// A titled, dashed box that stands where Confluence would show data folio does not have.
fn placeholder(title: impl Into<String>, blocks: Vec<Block>, span: Span) -> Block {
    let mut panel = Panel::new(PanelKind::Custom, blocks, span);
    panel.title = Some(title.into());
    panel.show_icon = false;
    panel.dashed = true;
    panel.background = Some(Color {
        r: 0xf4,
        g: 0xf5,
        b: 0xf7,
    });
    panel.border_color = Some(Color {
        r: 0x97,
        g: 0xa0,
        b: 0xaf,
    });
    Block::Panel(panel)
}

/// The warning for a macro that needs data the caller did not supply.
fn unresolved_warning(m: &Macro, needs: &str) -> Diagnostic {
    Diagnostic::warning(
        "unresolved-macro",
        format!("`{}` needs {needs}, which was not supplied", m.name),
    )
    .at(m.span)
    .with_hint("a titled placeholder is shown in its place")
}

fn unsupported_inline(name: String, content: Vec<Inline>) -> Inline {
    Inline::Unsupported { name, content }
}

fn unsupported_block(m: Macro, cx: &mut PassContext<'_>) -> Block {
    cx.report(unsupported_warning(&m));
    let blocks = match m.body {
        MacroBody::None => vec![],
        MacroBody::Plain { text } => vec![Block::Code(CodeBlock {
            language: None,
            title: None,
            line_numbers: false,
            first_line: 1,
            code: text,
            plain: true,
            span: m.span,
        })],
        MacroBody::Rich { blocks } => blocks,
    };
    Block::Unsupported {
        name: m.name,
        blocks,
        span: m.span,
    }
}

fn unsupported_warning(m: &Macro) -> Diagnostic {
    Diagnostic::warning(
        "unknown-macro",
        format!("macro `{}` is not supported yet", m.name),
    )
    .at(m.span)
    .with_hint("its body is shown in a labelled box")
}

fn code_block(m: &Macro, plain: bool) -> CodeBlock {
    let code = match &m.body {
        MacroBody::Plain { text } => text.clone(),
        MacroBody::Rich { blocks } => folio_ir::plain_text(&blocks_to_inlines(blocks)),
        MacroBody::None => String::new(),
    };
    let language = m
        .param("language")
        .map(str::to_ascii_lowercase)
        .filter(|lang| !matches!(lang.as_str(), "none" | "text" | "plain" | "plaintext"));
    CodeBlock {
        language: if plain { None } else { language },
        title: m.param("title").map(str::to_owned),
        line_numbers: m.flag("linenumbers", false),
        first_line: m
            .param("firstline")
            .and_then(|n| n.parse().ok())
            .unwrap_or(1),
        code,
        plain,
        span: m.span,
    }
}

fn admonition(kind: PanelKind, m: Macro) -> Panel {
    let mut panel = Panel::new(kind, vec![], m.span);
    panel.title = m.param("title").map(str::to_owned);
    panel.show_icon = m.flag("icon", true);
    panel.blocks = rich_body(m.body);
    panel
}

fn custom_panel(m: Macro) -> Panel {
    let color = |name: &str| m.param(name).and_then(Color::parse_css);
    let mut panel = Panel::new(PanelKind::Custom, vec![], m.span);
    panel.title = m.param("title").map(str::to_owned);
    // Cloud custom panels carry their icon as a glyph; Server panels have none.
    panel.icon_text = m.param("panelIconText").map(str::to_owned);
    panel.show_icon = panel.icon_text.is_some();
    panel.background = color("bgColor");
    panel.border_color = color("borderColor");
    panel.title_background = color("titleBGColor");
    panel.title_color = color("titleColor");
    panel.dashed = m
        .param("borderStyle")
        .is_some_and(|s| s.eq_ignore_ascii_case("dashed"));
    panel.blocks = rich_body(m.body);
    panel
}

/// A macro that lists the site's pages, expanded by `expand`, unless the page has listed
/// `max_listed_pages` already: then a placeholder titled `title`, and one warning. Each such
/// macro lists up to the whole site, so a page repeating one multiplied it (100 `children`
/// macros over 2,000 child pages: 3,600 PDF pages, 45 s and 5.4 GB).
fn page_listing(
    m: Macro,
    cx: &mut PassContext<'_>,
    title: &str,
    expand: fn(Macro, &mut PassContext<'_>) -> Vec<Block>,
) -> Vec<Block> {
    let limit = cx.options.max_listed_pages;
    if cx.listed_pages >= limit {
        if !std::mem::replace(&mut cx.listed_pages_over_limit, true) {
            cx.report(
                Diagnostic::warning(
                    "too-many-listed-pages",
                    format!("the page lists more than {limit} pages (limit `max_listed_pages`)"),
                )
                .at(m.span)
                .with_hint("this and every further list of pages is a placeholder"),
            );
        }
        let note = format!(
            "Confluence lists pages here; this page lists more than {limit} already, so this list is left out."
        );
        return vec![placeholder(
            title,
            vec![paragraph(vec![Inline::text(note)])],
            m.span,
        )];
    }
    let blocks = expand(m, cx);
    cx.listed_pages += blocks.iter().map(listed_entries).sum::<usize>();
    blocks
}

/// The list items and table rows of `block`, nested ones included: the pages a listing macro
/// listed.
fn listed_entries(block: &Block) -> usize {
    match block {
        Block::List(list) => list
            .items
            .iter()
            .map(|item| 1 + item.blocks.iter().map(listed_entries).sum::<usize>())
            .sum(),
        Block::Table(table) => table.rows.len(),
        _ => 0,
    }
}

/// The table of contents `m` asks for, unless the page has `max_tocs` already: each lists every
/// heading of the page, so a page of little but `toc` macros multiplied its cost (200 of them over
/// 100 headings, 10 KB of storage: 21 s and 1.9 GB). The first one left out is reported.
fn limited_toc(m: &Macro, cx: &mut PassContext<'_>) -> Option<Block> {
    cx.tocs += 1;
    let limit = cx.options.max_tocs;
    if cx.tocs == limit + 1 {
        cx.report(
            Diagnostic::warning(
                "too-many-tocs",
                format!("the page has more than {limit} tables of contents (limit `max_tocs`)"),
            )
            .at(m.span)
            .with_hint("this and every further one is left out; the headings they list are not"),
        );
    }
    (cx.tocs <= limit).then(|| Block::Toc(toc(m)))
}

fn toc(m: &Macro) -> Toc {
    let level = |name: &str, default: u8| {
        m.param(name)
            .and_then(|n| n.parse::<u8>().ok())
            .unwrap_or(default)
            .clamp(1, 6)
    };
    let min_level = level("minLevel", 1);
    Toc {
        min_level,
        max_level: level("maxLevel", 6).max(min_level),
        numbered: m.flag("outline", false),
        flat: m
            .param("type")
            .is_some_and(|t| t.eq_ignore_ascii_case("flat")),
        separator: m.param("separator").map(str::to_owned),
        span: m.span,
    }
}

fn section(m: Macro) -> Block {
    let border = m.flag("border", false);
    let span = m.span;
    let mut columns = Vec::new();
    let mut loose = Vec::new();
    for block in rich_body(m.body) {
        match block {
            Block::Macro(column) if column.name == "column" => {
                let width = column.param("width").and_then(parse_length);
                columns.push(Column {
                    width,
                    blocks: rich_body(column.body),
                });
            }
            // Content outside any column still belongs to the section: keep it in a column.
            other => loose.push(other),
        }
    }
    if !loose.is_empty() {
        columns.insert(
            0,
            Column {
                width: None,
                blocks: loose,
            },
        );
    }
    Block::Columns(Columns {
        columns,
        border,
        span,
    })
}

fn parse_length(value: &str) -> Option<Length> {
    let value = value.trim();
    if let Some(percent) = value.strip_suffix('%') {
        return percent
            .trim()
            .parse()
            .ok()
            .filter(|n: &f32| n.is_finite() && *n > 0.0)
            .map(Length::Percent);
    }
    let px = value.strip_suffix("px").unwrap_or(value).trim();
    px.parse()
        .ok()
        .filter(|n: &f32| n.is_finite() && *n > 0.0)
        .map(Length::Px)
}

fn anchor_name(m: &Macro) -> Option<String> {
    m.param("").or(m.param("name")).map(str::to_owned)
}

fn status_colour(name: Option<&str>) -> StatusColour {
    match name.map(str::to_ascii_lowercase).as_deref() {
        Some("red") => StatusColour::Red,
        Some("yellow") => StatusColour::Yellow,
        Some("green") => StatusColour::Green,
        Some("blue") => StatusColour::Blue,
        Some("purple") => StatusColour::Purple,
        _ => StatusColour::Grey,
    }
}

fn rich_body(body: MacroBody) -> Vec<Block> {
    match body {
        MacroBody::Rich { blocks } => blocks,
        MacroBody::Plain { text } if !text.trim().is_empty() => vec![Block::Paragraph {
            attr: Attr::default(),
            content: vec![Inline::text(text)],
            span: Span::DETACHED,
        }],
        MacroBody::Plain { .. } | MacroBody::None => vec![],
    }
}

/// Flattens blocks into a line of inlines for inline contexts, keeping every text; block
/// boundaries become line breaks.
fn blocks_to_inlines(blocks: &[Block]) -> Vec<Inline> {
    let mut out = Vec::new();
    push_block_inlines(blocks, &mut out);
    out
}

fn push_block_inlines(blocks: &[Block], out: &mut Vec<Inline>) {
    for block in blocks {
        let before = out.len();
        match block {
            Block::Paragraph { content, .. } | Block::Heading { content, .. } => {
                out.extend(content.iter().cloned())
            }
            Block::Code(code) => out.push(Inline::Code {
                content: vec![Inline::text(&code.code)],
            }),
            Block::Image(image) => out.push(Inline::Image(Box::new(image.clone()))),
            Block::TaskList { items, .. } => {
                for task in items {
                    out.extend(task.content.iter().cloned());
                }
            }
            Block::Macro(m) => out.push(Inline::Macro(Box::new(m.clone()))),
            other => {
                let mut other = other.clone();
                for_each_child_list(&mut other, &mut |list| push_block_inlines(list, out));
            }
        }
        if out.len() > before && !matches!(out.last(), Some(Inline::LineBreak)) {
            out.push(Inline::LineBreak);
        }
    }
    if matches!(out.last(), Some(Inline::LineBreak)) {
        out.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PassOptions;
    use folio_ir::{Attachments, ParamValue};
    use std::collections::BTreeMap;

    fn mac(name: &str, params: &[(&str, &str)], body: MacroBody) -> Macro {
        let params = params
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    ParamValue::Text {
                        text: v.to_string(),
                    },
                )
            })
            .collect::<BTreeMap<_, _>>();
        Macro {
            name: name.into(),
            params,
            body,
            span: Span::new(5, 50),
        }
    }

    fn para(text: &str) -> Block {
        Block::Paragraph {
            attr: Attr::default(),
            content: vec![Inline::text(text)],
            span: Span::DETACHED,
        }
    }

    fn expand(blocks: Vec<Block>) -> (Vec<Block>, Vec<Diagnostic>) {
        let attachments = Attachments::new();
        let options = PassOptions::default();
        let mut cx = PassContext::new(&attachments, &options);
        let mut document = Document {
            title: None,
            blocks,
        };
        expand_macros(&mut document, &mut cx);
        (document.blocks, cx.diagnostics)
    }

    #[test]
    fn tables_of_contents_past_max_tocs_are_left_out_with_one_warning() {
        let limit = PassOptions::default().max_tocs;
        let toc = || Block::Macro(mac("toc", &[], MacroBody::None));
        // A `toc-zone` places two, around its body.
        let zone = Block::Macro(mac(
            "toc-zone",
            &[],
            MacroBody::Rich {
                blocks: vec![para("zoned")],
            },
        ));
        let mut blocks: Vec<Block> = (0..limit - 1).map(|_| toc()).collect();
        blocks.push(zone);
        blocks.extend((0..5).map(|_| toc()));
        blocks.push(para("after"));
        let (blocks, diagnostics) = expand(blocks);
        let tocs = blocks.iter().filter(|b| matches!(b, Block::Toc(_))).count();
        assert_eq!(tocs, limit);
        // The zone's body and the page's text stay.
        assert!(
            matches!(&blocks[limit], Block::Paragraph { .. }),
            "{blocks:?}"
        );
        assert!(matches!(blocks.last(), Some(Block::Paragraph { .. })));
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["too-many-tocs"]);
    }

    #[test]
    fn code_macro_keeps_language_title_and_numbering() {
        let m = mac(
            "code",
            &[
                ("language", "Python"),
                ("title", "t.py"),
                ("linenumbers", "true"),
                ("firstline", "10"),
            ],
            MacroBody::Plain {
                text: "print('<x>')\n".into(),
            },
        );
        let (blocks, diagnostics) = expand(vec![Block::Macro(m)]);
        let Block::Code(code) = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert_eq!(code.language.as_deref(), Some("python"));
        assert_eq!(code.title.as_deref(), Some("t.py"));
        assert!(code.line_numbers && !code.plain);
        assert_eq!(code.first_line, 10);
        assert_eq!(code.code, "print('<x>')\n");
        assert!(diagnostics.is_empty());
    }

    #[test]
    fn admonitions_become_panels_with_their_body() {
        let m = mac(
            "warning",
            &[("title", "Careful"), ("icon", "false")],
            MacroBody::Rich {
                blocks: vec![para("x")],
            },
        );
        let (blocks, _) = expand(vec![Block::Macro(m)]);
        let Block::Panel(panel) = &blocks[0] else {
            panic!()
        };
        assert_eq!(panel.kind, PanelKind::Warning);
        assert_eq!(panel.title.as_deref(), Some("Careful"));
        assert!(!panel.show_icon);
        assert_eq!(panel.blocks, vec![para("x")]);
    }

    #[test]
    fn custom_panel_reads_colours_and_cloud_icon() {
        let m = mac(
            "panel",
            &[
                ("bgColor", "#E6FCFF"),
                ("borderStyle", "dashed"),
                ("panelIconText", "🌈"),
            ],
            MacroBody::Rich { blocks: vec![] },
        );
        let (blocks, _) = expand(vec![Block::Macro(m)]);
        let Block::Panel(panel) = &blocks[0] else {
            panic!()
        };
        assert_eq!(panel.background, Some(Color::rgb(0xe6, 0xfc, 0xff)));
        assert!(panel.dashed);
        assert_eq!(panel.icon_text.as_deref(), Some("🌈"));
    }

    #[test]
    fn nested_macros_in_rich_bodies_are_expanded() {
        let inner = mac(
            "info",
            &[],
            MacroBody::Rich {
                blocks: vec![para("deep")],
            },
        );
        let outer = mac(
            "expand",
            &[("title", "More")],
            MacroBody::Rich {
                blocks: vec![Block::Macro(inner)],
            },
        );
        let (blocks, _) = expand(vec![Block::Macro(outer)]);
        let Block::Expand { title, blocks, .. } = &blocks[0] else {
            panic!()
        };
        assert_eq!(title, "More");
        assert!(matches!(&blocks[0], Block::Panel(p) if p.kind == PanelKind::Info));
    }

    #[test]
    fn inline_status_defaults_title_to_colour() {
        let status = mac("status", &[("colour", "Green")], MacroBody::None);
        let p = Block::Paragraph {
            attr: Attr::default(),
            content: vec![Inline::text("state: "), Inline::Macro(Box::new(status))],
            span: Span::DETACHED,
        };
        let (blocks, _) = expand(vec![p]);
        let Block::Paragraph { content, .. } = &blocks[0] else {
            panic!()
        };
        assert_eq!(
            content[1],
            Inline::Status {
                title: "GREEN".into(),
                colour: StatusColour::Green,
                subtle: false
            }
        );
    }

    #[test]
    fn unknown_macro_keeps_body_and_warns_with_span() {
        let m = mac(
            "frobnicator",
            &[],
            MacroBody::Plain {
                text: "A -> B".into(),
            },
        );
        let (blocks, diagnostics) = expand(vec![Block::Macro(m)]);
        let Block::Unsupported { name, blocks, .. } = &blocks[0] else {
            panic!()
        };
        assert_eq!(name, "frobnicator");
        assert!(matches!(&blocks[0], Block::Code(c) if c.code == "A -> B"));
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, "unknown-macro");
        assert_eq!(diagnostics[0].span, Some(Span::new(5, 50)));
    }

    #[test]
    fn section_columns_keep_widths() {
        let col = |w: &str, text: &str| {
            Block::Macro(mac(
                "column",
                &[("width", w)],
                MacroBody::Rich {
                    blocks: vec![para(text)],
                },
            ))
        };
        let section = mac(
            "section",
            &[("border", "true")],
            MacroBody::Rich {
                blocks: vec![col("30%", "a"), col("100px", "b")],
            },
        );
        let (blocks, _) = expand(vec![Block::Macro(section)]);
        let Block::Columns(columns) = &blocks[0] else {
            panic!()
        };
        assert!(columns.border);
        assert_eq!(columns.columns[0].width, Some(Length::Percent(30.0)));
        assert_eq!(columns.columns[1].width, Some(Length::Px(100.0)));
    }
}
