//! Macros that show other pages: `include`, `excerpt-include`, `children`, `pagetree`,
//! `contentbylabel`, `detailssummary`, `blog-posts`.
//!
//! They resolve against the pages the caller supplied ([`folio_ir::Site`]). Without those pages,
//! each becomes a titled placeholder that says what Confluence would show there, plus an
//! `unresolved-macro` warning.

use folio_ir::{
    Block, Cell, ColumnSpec, Document, Inline, LinkTarget, List, ListItem, Macro, MacroBody,
    PageRef, ParamValue, Row, SitePage, Span, Table, plain_text, walk_blocks_mut,
};

use super::{expand_in_blocks, paragraph, placeholder, unresolved_warning};
use crate::PassContext;

/// `include`: the other page's whole body in place.
pub(super) fn include(m: Macro, cx: &mut PassContext<'_>) -> Vec<Block> {
    let Some(target) = page_param(&m, &["", "page"]) else {
        return vec![placeholder("Included page", vec![], m.span)];
    };
    let site = cx.site;
    let Some(page) = site.page_by_title(&target.title, target.space.as_deref()) else {
        cx.report(unresolved_warning(&m, "the included page"));
        return vec![placeholder(
            format!("Included page: {}", target.title),
            vec![paragraph(vec![Inline::text(
                "The content of this page is included here in Confluence; it was not part of this export.",
            )])],
            m.span,
        )];
    };
    let Some(document) = page.document.as_deref() else {
        cx.report(unresolved_warning(&m, "the included page's content"));
        return vec![placeholder(
            format!("Included page: {}", page.title),
            vec![],
            m.span,
        )];
    };
    match spliced(document.blocks.clone(), &page.title, &m, cx) {
        Some(blocks) => blocks,
        None => vec![placeholder(
            format!("Included page: {}", page.title),
            vec![],
            m.span,
        )],
    }
}

/// `excerpt-include`: the other page's `excerpt` body, in a panel titled with the page's name
/// unless `nopanel` is set.
pub(super) fn excerpt_include(m: Macro, cx: &mut PassContext<'_>) -> Vec<Block> {
    let Some(target) = page_param(&m, &["", "page"]) else {
        return vec![placeholder("Excerpt", vec![], m.span)];
    };
    let site = cx.site;
    let excerpt = site
        .page_by_title(&target.title, target.space.as_deref())
        .and_then(|page| Some((page, page.document.as_deref()?)))
        .and_then(|(page, document)| Some((page, find_excerpt(document, m.param("name"))?)));
    let Some((page, blocks)) = excerpt else {
        cx.report(unresolved_warning(&m, "the page holding the excerpt"));
        return vec![placeholder(
            format!("Excerpt from: {}", target.title),
            vec![paragraph(vec![Inline::text(
                "An excerpt of this page is shown here in Confluence; it was not part of this export.",
            )])],
            m.span,
        )];
    };
    let Some(blocks) = spliced(blocks, &page.title, &m, cx) else {
        return vec![placeholder(
            format!("Excerpt from: {}", page.title),
            vec![],
            m.span,
        )];
    };
    if m.flag("nopanel", false) {
        return blocks;
    }
    let mut panel = folio_ir::Panel::new(folio_ir::PanelKind::Custom, blocks, m.span);
    panel.title = Some(page.title.clone());
    panel.show_icon = false;
    vec![Block::Panel(panel)]
}

/// Content from another page, made ready to stand in this one: spans detached (they index the
/// other page's source) and its own macros expanded, with include cycles cut.
fn spliced(
    mut blocks: Vec<Block>,
    title: &str,
    m: &Macro,
    cx: &mut PassContext<'_>,
) -> Option<Vec<Block>> {
    let current_title = cx
        .current_page()
        .and_then(|id| cx.site.page_by_id(id))
        .map(|page| page.title.as_str());
    if current_title == Some(title) || cx.include_stack.iter().any(|t| t == title) {
        cx.report(
            folio_ir::Diagnostic::warning(
                "include-cycle",
                format!("`{}` would include a page that includes it", m.name),
            )
            .at(m.span)
            .with_hint("the page is included once; the repeated include is a placeholder"),
        );
        return None;
    }
    // Confluence itself stops nested includes at a similar depth.
    let limit = cx.options.max_include_depth;
    if cx.include_stack.len() >= limit {
        cx.report(
            folio_ir::Diagnostic::warning(
                "include-too-deep",
                format!("pages include each other more than {limit} levels deep (limit `max_include_depth`)"),
            )
            .at(m.span)
            .with_hint("the deeper include is a placeholder"),
        );
        return None;
    }
    let limit = cx.options.max_includes;
    if cx.includes >= limit {
        // Once per document: every later include hits the same limit.
        if cx.includes == limit {
            cx.report(
                folio_ir::Diagnostic::warning(
                    "too-many-includes",
                    format!("the document includes more than {limit} pages (limit `max_includes`)"),
                )
                .at(m.span)
                .with_hint("this and every later include is a placeholder"),
            );
        }
        cx.includes = limit + 1;
        return None;
    }
    let limit = cx.options.max_included_bytes;
    let size = text_bytes(&mut blocks);
    if cx.included_bytes + size > limit {
        // Once per document, like `max_includes`.
        if !std::mem::replace(&mut cx.included_bytes_over_limit, true) {
            cx.report(
                folio_ir::Diagnostic::warning(
                    "too-much-included",
                    format!(
                        "the document includes more than {limit} bytes of other pages' text (limit `max_included_bytes`)"
                    ),
                )
                .at(m.span)
                .with_hint("this include is a placeholder"),
            );
        }
        return None;
    }
    cx.included_bytes += size;
    cx.includes += 1;
    walk_blocks_mut(&mut blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            *block.span_mut() = Span::DETACHED;
        }
    });
    cx.include_stack.push(title.to_owned());
    let reported = cx.diagnostics.len();
    expand_in_blocks(&mut blocks, cx);
    cx.include_stack.pop();
    // Positions inside the other page mean nothing to this page's reader: point at the macro
    // that brought the content in.
    for diagnostic in &mut cx.diagnostics[reported..] {
        diagnostic.span = Some(m.span);
    }
    Some(blocks)
}

/// The bytes of text in `blocks` (runs of text, code, and the plain bodies of macros not yet
/// expanded, such as `code`; nested ones included): what an include brings into the document,
/// for `max_included_bytes`.
fn text_bytes(blocks: &mut Vec<Block>) -> usize {
    let plain = |m: &Macro| match &m.body {
        MacroBody::Plain { text } => text.len(),
        _ => 0,
    };
    let mut bytes = 0;
    folio_ir::walk_inlines_mut(blocks, &mut |list: &mut Vec<Inline>| {
        for inline in list.iter() {
            match inline {
                Inline::Text { text } => bytes += text.len(),
                Inline::Macro(m) => bytes += plain(m),
                _ => {}
            }
        }
    });
    walk_blocks_mut(blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter() {
            match block {
                Block::Code(code) => bytes += code.code.len(),
                Block::Macro(m) => bytes += plain(m),
                _ => {}
            }
        }
    });
    bytes
}

/// The body of the page's `excerpt` macro (the one named `name`, when given).
fn find_excerpt(document: &Document, name: Option<&str>) -> Option<Vec<Block>> {
    let wanted = |m: &Macro| -> Option<Vec<Block>> {
        if m.name != "excerpt" || name.is_some_and(|wanted| m.param("name") != Some(wanted)) {
            return None;
        }
        match &m.body {
            MacroBody::Rich { blocks } => Some(blocks.clone()),
            _ => None,
        }
    };
    let mut blocks = document.blocks.clone();
    let mut found = None;
    walk_blocks_mut(&mut blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter() {
            if let Block::Macro(m) = block
                && found.is_none()
            {
                found = wanted(m);
            }
        }
    });
    if found.is_none() {
        folio_ir::walk_inlines_mut(&mut blocks, &mut |list: &mut Vec<Inline>| {
            for inline in list.iter() {
                if let Inline::Macro(m) = inline
                    && found.is_none()
                {
                    found = wanted(m);
                }
            }
        });
    }
    found
}

/// `children`: links to the child pages, nested to `depth` (all levels with `all=true`).
pub(super) fn children(m: Macro, cx: &mut PassContext<'_>) -> Vec<Block> {
    let site = cx.site;
    let parent = match page_param(&m, &["page"]) {
        Some(page) if page.title != "/" => site
            .page_by_title(&page.title, page.space.as_deref())
            .map(|p| p.id.clone()),
        _ => cx.current_page().map(str::to_owned),
    };
    let Some(parent) = parent.filter(|_| !site.pages.is_empty()) else {
        cx.report(unresolved_warning(&m, "the page tree"));
        return vec![placeholder(
            "Child pages",
            vec![paragraph(vec![Inline::text(
                "Confluence lists this page's child pages here; the page tree was not part of this export.",
            )])],
            m.span,
        )];
    };
    let all = m.flag("all", false) || m.flag("allChildren", false);
    let depth = if all {
        usize::MAX
    } else {
        m.param("depth")
            .and_then(|d| d.parse().ok())
            .filter(|d| *d > 0)
            .unwrap_or(1)
    };
    let order = PageOrder::of(&m);
    let first = m.param("first").and_then(|n| n.parse::<usize>().ok());
    let mut list = page_list(cx, Some(&parent), depth, &order, m.span);
    if let Some(first) = first.filter(|n| *n > 0) {
        list.items.truncate(first);
    }
    if list.items.is_empty() {
        return vec![];
    }
    vec![Block::List(list)]
}

/// `pagetree`: the space's page tree from `root` (the space home by default).
pub(super) fn pagetree(m: Macro, cx: &mut PassContext<'_>) -> Vec<Block> {
    let site = cx.site;
    if site.pages.is_empty() {
        cx.report(unresolved_warning(&m, "the page tree"));
        return vec![placeholder(
            "Page tree",
            vec![paragraph(vec![Inline::text(
                "Confluence shows the space's page tree here; it was not part of this export.",
            )])],
            m.span,
        )];
    }
    let root = match page_param(&m, &["root"]) {
        Some(page) if page.title == "@self" => cx.current_page().map(str::to_owned),
        Some(page) if page.title == "@parent" => cx
            .current_page()
            .and_then(|id| site.page_by_id(id))
            .and_then(|p| p.parent_id.clone()),
        Some(page) if page.title != "@home" => site
            .page_by_title(&page.title, page.space.as_deref())
            .map(|p| p.id.clone()),
        // `@home` is the space's home page: the tree below it. A space with one top-level page
        // has that page as its home; otherwise the top level stands in for it.
        _ => match site.children_of(None).as_slice() {
            [home] => Some(home.id.clone()),
            _ => None,
        },
    };
    let list = page_list(cx, root.as_deref(), usize::MAX, &PageOrder::of(&m), m.span);
    if list.items.is_empty() {
        return vec![];
    }
    vec![Block::List(list)]
}

/// `contentbylabel`: links to the supplied pages that carry the labels.
pub(super) fn content_by_label(m: Macro, cx: &mut PassContext<'_>) -> Vec<Block> {
    let labels = macro_labels(&m);
    let site = cx.site;
    if site.pages.is_empty() || labels.is_empty() {
        cx.report(unresolved_warning(&m, "the labelled pages"));
        return vec![placeholder("Content by label", label_note(&labels), m.span)];
    }
    let max = m
        .param("max")
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    let items: Vec<ListItem> = labelled_pages(site.pages.iter(), &labels)
        .take(max)
        .map(|page| ListItem {
            blocks: vec![paragraph(vec![page_link(page)])],
        })
        .collect();
    if items.is_empty() {
        return vec![paragraph(vec![Inline::text("No content found.")])];
    }
    vec![Block::List(List {
        ordered: false,
        start: 1,
        items,
        span: m.span,
    })]
}

/// `detailssummary`: one row per labelled page, one column per key of its `details` table.
pub(super) fn details_summary(m: Macro, cx: &mut PassContext<'_>) -> Vec<Block> {
    let labels = macro_labels(&m);
    let site = cx.site;
    if site.pages.is_empty() {
        cx.report(unresolved_warning(&m, "the pages it summarises"));
        return vec![placeholder(
            "Page properties report",
            label_note(&labels),
            m.span,
        )];
    }
    let mut keys: Vec<String> = m
        .param("headings")
        .map(|h| {
            h.split(',')
                .map(|k| k.trim().to_owned())
                .filter(|k| !k.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let fixed_keys = !keys.is_empty();
    let mut rows: Vec<(&SitePage, Properties)> = Vec::new();
    for page in labelled_pages(site.pages.iter(), &labels) {
        let Some(properties) = page.document.as_deref().and_then(page_properties) else {
            continue;
        };
        for (key, _) in &properties {
            if !fixed_keys && !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        rows.push((page, properties));
    }
    if rows.is_empty() {
        return vec![paragraph(vec![Inline::text("No content found.")])];
    }
    let header_cell = |text: &str| Cell {
        header: true,
        blocks: vec![paragraph(vec![Inline::text(text)])],
        ..Cell::empty()
    };
    let first_column = m.param("firstcolumn").unwrap_or("Title");
    let mut table_rows = vec![Row {
        cells: std::iter::once(header_cell(first_column))
            .chain(keys.iter().map(|k| header_cell(k)))
            .collect(),
        in_head: true,
    }];
    for (page, mut properties) in rows {
        let mut cells = vec![Cell {
            blocks: vec![paragraph(vec![page_link(page)])],
            ..Cell::empty()
        }];
        for key in &keys {
            let blocks = properties
                .iter_mut()
                .find(|(k, _)| k == key)
                .map(|(_, blocks)| std::mem::take(blocks))
                .unwrap_or_default();
            cells.push(Cell {
                blocks,
                ..Cell::empty()
            });
        }
        table_rows.push(Row {
            cells,
            in_head: false,
        });
    }
    let mut blocks = vec![Block::Table(Table {
        columns: vec![ColumnSpec::default(); keys.len() + 1],
        rows: table_rows,
        header_rows: 1,
        width: None,
        numbered: false,
        span: m.span,
    })];
    // The values are storage content of other pages: their macros (status lozenges…) expand too.
    let mut detached = std::mem::take(&mut blocks);
    walk_blocks_mut(&mut detached, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            if !matches!(block, Block::Table(_)) {
                *block.span_mut() = Span::DETACHED;
            }
        }
    });
    expand_in_blocks(&mut detached, cx);
    detached
}

/// A page's properties: key text and value content, in table order.
type Properties = Vec<(String, Vec<Block>)>;

/// Key/value pairs of a page's first `details` macro: first cell of each row is the key.
fn page_properties(document: &Document) -> Option<Properties> {
    let mut blocks = document.blocks.clone();
    let mut body = None;
    walk_blocks_mut(&mut blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter() {
            if let Block::Macro(m) = block
                && m.name == "details"
                && body.is_none()
                && let MacroBody::Rich { blocks } = &m.body
            {
                body = Some(blocks.clone());
            }
        }
    });
    let mut body = body?;
    let mut table = None;
    walk_blocks_mut(&mut body, &mut |list: &mut Vec<Block>| {
        for block in list.iter() {
            if let Block::Table(t) = block
                && table.is_none()
            {
                table = Some(t.clone());
            }
        }
    });
    let table = table?;
    let mut properties = Vec::new();
    for row in table.rows {
        let mut cells = row.cells.into_iter();
        let (Some(key), Some(value)) = (cells.next(), cells.next()) else {
            continue;
        };
        let key = blocks_text(&key.blocks);
        if !key.is_empty() {
            properties.push((key, value.blocks));
        }
    }
    Some(properties)
}

fn blocks_text(blocks: &[Block]) -> String {
    let mut text = String::new();
    for block in blocks {
        if let Block::Paragraph { content, .. } | Block::Heading { content, .. } = block {
            text.push_str(&plain_text(content));
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `blog-posts`: the supplied blog posts, newest first.
pub(super) fn blog_posts(m: Macro, cx: &mut PassContext<'_>) -> Vec<Block> {
    let site = cx.site;
    let mut posts: Vec<&SitePage> = site.pages.iter().filter(|p| p.blog_post).collect();
    if posts.is_empty() {
        cx.report(unresolved_warning(&m, "the space's blog posts"));
        return vec![placeholder(
            "Blog posts",
            vec![paragraph(vec![Inline::text(
                "Confluence lists the space's latest blog posts here; they were not part of this export.",
            )])],
            m.span,
        )];
    }
    posts.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title)));
    let max = m.param("max").and_then(|n| n.parse().ok()).unwrap_or(15);
    let items = posts
        .into_iter()
        .take(max)
        .map(|post| {
            let mut line = vec![page_link(post)];
            if let Some(date) = &post.date {
                line.push(Inline::text(" — "));
                line.push(Inline::Date { date: date.clone() });
            }
            ListItem {
                blocks: vec![paragraph(line)],
            }
        })
        .collect();
    vec![Block::List(List {
        ordered: false,
        start: 1,
        items,
        span: m.span,
    })]
}

/// How `children` and `pagetree` order pages.
struct PageOrder {
    by_title: bool,
    reverse: bool,
}

impl PageOrder {
    fn of(m: &Macro) -> Self {
        PageOrder {
            by_title: m
                .param("sort")
                .is_some_and(|s| s.eq_ignore_ascii_case("title")),
            reverse: m.flag("reverse", false),
        }
    }
}

/// Deepest page tree `children` and `pagetree` list: the listing recurses once per level, and
/// site data could chain any number of pages. Real trees are far shallower.
const MAX_TREE_DEPTH: usize = 64;

/// A nested list of links to the pages below `parent`, `depth` levels deep.
fn page_list(
    cx: &PassContext<'_>,
    parent: Option<&str>,
    depth: usize,
    order: &PageOrder,
    span: Span,
) -> List {
    page_list_below(cx, parent, depth, order, span, &mut Vec::new())
}

/// [`page_list`] with the ids of the pages above `parent`: site data in which pages are each
/// other's ancestors must not recurse forever.
fn page_list_below<'s>(
    cx: &PassContext<'s>,
    parent: Option<&'s str>,
    depth: usize,
    order: &PageOrder,
    span: Span,
    ancestors: &mut Vec<&'s str>,
) -> List {
    let site = cx.site;
    let mut children = site.children_of(parent);
    if order.by_title {
        children.sort_by(|a, b| a.title.cmp(&b.title));
    }
    if order.reverse {
        children.reverse();
    }
    let items = children
        .into_iter()
        .map(|page| {
            let mut blocks = vec![paragraph(vec![page_link(page)])];
            if depth > 1
                && ancestors.len() < MAX_TREE_DEPTH
                && Some(page.id.as_str()) != parent
                && !ancestors.contains(&&*page.id)
            {
                ancestors.extend(parent);
                let nested = page_list_below(cx, Some(&page.id), depth - 1, order, span, ancestors);
                if parent.is_some() {
                    ancestors.pop();
                }
                if !nested.items.is_empty() {
                    blocks.push(Block::List(nested));
                }
            }
            ListItem { blocks }
        })
        .collect();
    List {
        ordered: false,
        start: 1,
        items,
        span,
    }
}

fn page_link(page: &SitePage) -> Inline {
    let page_ref = PageRef {
        title: page.title.clone(),
        space: page.space_key.clone(),
    };
    let target = if page.blog_post {
        LinkTarget::BlogPost {
            page: page_ref,
            posting_day: page.date.clone(),
        }
    } else {
        LinkTarget::Page { page: page_ref }
    };
    Inline::Link {
        target,
        content: vec![Inline::text(&page.title)],
    }
}

/// The page a macro parameter names: a resource (`ri:page`, possibly in `ac:link`) or the
/// `SPACE:Title` text form.
fn page_param(m: &Macro, names: &[&str]) -> Option<PageRef> {
    names.iter().find_map(|name| match m.params.get(*name)? {
        ParamValue::Resource {
            target: LinkTarget::Page { page } | LinkTarget::BlogPost { page, .. },
            ..
        } => Some(page.clone()),
        ParamValue::Resource { .. } => None,
        ParamValue::Text { text } => {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            Some(match text.split_once(':') {
                Some((space, title))
                    if !space.is_empty() && space.chars().all(|c| c.is_alphanumeric()) =>
                {
                    PageRef {
                        title: title.to_owned(),
                        space: Some(space.to_owned()),
                    }
                }
                _ => PageRef {
                    title: text.to_owned(),
                    space: None,
                },
            })
        }
    })
}

/// Labels a macro selects by: `labels` / `label` parameters, or `label = "x"` and
/// `label in ("x", "y")` clauses of its CQL.
fn macro_labels(m: &Macro) -> Vec<String> {
    let mut labels: Vec<String> = ["labels", "label"]
        .iter()
        .filter_map(|name| m.param(name))
        .flat_map(|value| value.split([',', ' ']))
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty())
        .collect();
    if let Some(cql) = m.param("cql") {
        labels.extend(cql_labels(cql));
    }
    labels.sort();
    labels.dedup();
    labels
}

fn cql_labels(cql: &str) -> Vec<String> {
    let lower = cql.to_lowercase();
    let mut labels = Vec::new();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("label") {
        rest = &rest[at + "label".len()..];
        let trimmed = rest.trim_start();
        let values = if let Some(after) = trimmed.strip_prefix('=') {
            after.trim_start()
        } else if let Some(after) = trimmed.strip_prefix("in") {
            after.trim_start()
        } else {
            continue;
        };
        let end = if values.starts_with('(') {
            values.find(')').unwrap_or(values.len())
        } else {
            values
                .char_indices()
                .skip(1)
                .find(|(_, c)| *c == '"' || *c == '\'')
                .map_or(values.len(), |(i, _)| i + 1)
        };
        labels.extend(
            values[..end]
                .split(',')
                .map(|l| {
                    l.trim_matches(|c: char| {
                        c == '(' || c == ')' || c == '"' || c == '\'' || c.is_whitespace()
                    })
                })
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
    }
    labels
}

fn labelled_pages<'s>(
    pages: impl Iterator<Item = &'s SitePage>,
    labels: &'s [String],
) -> impl Iterator<Item = &'s SitePage> {
    pages.filter(move |page| {
        page.labels
            .iter()
            .any(|label| labels.iter().any(|l| l.eq_ignore_ascii_case(label)))
    })
}

fn label_note(labels: &[String]) -> Vec<Block> {
    let mut line = vec![Inline::text(
        "Confluence lists matching pages here; they were not part of this export.",
    )];
    if !labels.is_empty() {
        line.push(Inline::text(format!(" Labels: {}.", labels.join(", "))));
    }
    vec![paragraph(line)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PassOptions;
    use folio_ir::{Attachments, Diagnostic, Site};
    use std::sync::Arc;

    fn include_of(title: &str) -> Block {
        Block::Macro(Macro {
            name: "include".into(),
            params: [(String::new(), ParamValue::Text { text: title.into() })].into(),
            body: MacroBody::None,
            span: Span::new(0, 1),
        })
    }

    fn page(id: &str, parent: Option<&str>, blocks: Vec<Block>) -> SitePage {
        SitePage {
            id: id.into(),
            title: id.into(),
            parent_id: parent.map(Into::into),
            document: Some(Arc::new(Document {
                title: None,
                blocks,
            })),
            ..SitePage::default()
        }
    }

    fn expand(
        blocks: Vec<Block>,
        site: &Site,
        options: &PassOptions,
    ) -> (Document, Vec<Diagnostic>) {
        let attachments = Attachments::new();
        let mut cx = PassContext::new(&attachments, options).with_site(site);
        let mut document = Document {
            title: None,
            blocks,
        };
        crate::expand_macros(&mut document, &mut cx);
        (document, cx.diagnostics)
    }

    #[test]
    fn include_fan_out_stops_at_max_includes() {
        // p0 includes p1 ten times, p1 includes p2 ten times…: 10^6 pages without a limit.
        let pages = (0..7)
            .map(|n| {
                page(
                    &format!("p{n}"),
                    None,
                    vec![include_of(&format!("p{}", n + 1)); 10],
                )
            })
            .collect();
        let site = Site {
            pages,
            ..Site::default()
        };
        let options = PassOptions::default();
        let (document, diagnostics) = expand(vec![include_of("p0")], &site, &options);
        let codes: Vec<_> = diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            codes.iter().filter(|c| **c == "too-many-includes").count(),
            1
        );
        assert!(format!("{document:?}").len() < 5_000_000);
    }

    #[test]
    fn page_lists_past_max_listed_pages_are_placeholders() {
        // A home page with 30 children, listed by `children` macros on it.
        let mut pages = vec![page("home", None, vec![])];
        pages.extend((0..30).map(|n| page(&format!("c{n}"), Some("home"), vec![])));
        let site = Site {
            pages,
            current_page: Some("home".into()),
            ..Site::default()
        };
        let options = PassOptions {
            max_listed_pages: 50,
            ..PassOptions::default()
        };
        let children = || {
            Block::Macro(Macro {
                name: "children".into(),
                params: Default::default(),
                body: MacroBody::None,
                span: Span::new(0, 1),
            })
        };
        let (document, diagnostics) = expand(vec![children(); 4], &site, &options);
        // 30 listed, 60 listed, then past the limit.
        let lists = document
            .blocks
            .iter()
            .filter(|b| matches!(b, Block::List(l) if l.items.len() == 30))
            .count();
        assert_eq!(lists, 2, "{:?}", document.blocks);
        assert!(
            document.blocks[2..]
                .iter()
                .all(|b| matches!(b, Block::Panel(p) if p.title.as_deref() == Some("Child pages")))
        );
        let codes: Vec<_> = diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["too-many-listed-pages"]);
    }

    #[test]
    fn includes_past_max_included_bytes_are_placeholders() {
        let text = "x".repeat(1_000);
        let big = page(
            "big",
            None,
            vec![Block::Paragraph {
                attr: Default::default(),
                content: vec![Inline::text(text.clone())],
                span: Span::new(0, 1),
            }],
        );
        // The same size as a `code` macro, whose body is expanded only once it is included.
        let code = page(
            "code",
            None,
            vec![Block::Macro(Macro {
                name: "code".into(),
                params: Default::default(),
                body: MacroBody::Plain { text: text.clone() },
                span: Span::new(0, 1),
            })],
        );
        let site = Site {
            pages: vec![big, code],
            ..Site::default()
        };
        let options = PassOptions {
            max_included_bytes: 2_500,
            ..PassOptions::default()
        };
        for title in ["big", "code"] {
            let (document, diagnostics) = expand(vec![include_of(title); 5], &site, &options);
            let included = format!("{:?}", document.blocks).matches(&text).count();
            assert_eq!(included, 2, "{title}");
            let codes: Vec<_> = diagnostics.iter().map(|d| d.code.as_str()).collect();
            assert_eq!(codes, ["too-much-included"], "{title}");
        }
    }

    #[test]
    fn include_depth_is_an_option() {
        let pages = (0..5)
            .map(|n| {
                page(
                    &format!("p{n}"),
                    None,
                    vec![include_of(&format!("p{}", n + 1))],
                )
            })
            .collect();
        let site = Site {
            pages,
            ..Site::default()
        };
        let options = PassOptions {
            max_include_depth: 2,
            ..PassOptions::default()
        };
        let (_, diagnostics) = expand(vec![include_of("p0")], &site, &options);
        assert_eq!(diagnostics[0].code, "include-too-deep");
        assert!(diagnostics[0].message.contains("max_include_depth"));
    }

    #[test]
    fn page_trees_with_parent_cycles_end() {
        let site = Site {
            pages: vec![page("a", Some("b"), vec![]), page("b", Some("a"), vec![])],
            current_page: Some("a".into()),
            ..Site::default()
        };
        let pagetree = Block::Macro(Macro {
            name: "pagetree".into(),
            params: [(
                "root".to_owned(),
                ParamValue::Text {
                    text: "@self".into(),
                },
            )]
            .into(),
            body: MacroBody::None,
            span: Span::new(0, 1),
        });
        let (document, _) = expand(vec![pagetree], &site, &PassOptions::default());
        let Block::List(list) = &document.blocks[0] else {
            panic!("{document:?}")
        };
        assert_eq!(list.items.len(), 1, "b, then a stops the cycle");
    }

    #[test]
    fn cql_labels_are_found_in_equals_and_in_clauses() {
        assert_eq!(
            cql_labels(r#"label = "runbook" and space = "OPS""#),
            ["runbook"]
        );
        assert_eq!(
            cql_labels(r#"label in ("a","b") and type = page"#),
            ["a", "b"]
        );
        assert!(cql_labels("space = OPS").is_empty());
    }
}
