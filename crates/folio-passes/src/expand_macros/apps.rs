//! Macros of Atlassian and Marketplace apps: Jira issues, the widget connector, Roadmap Planner,
//! and the content containers of popular apps (translations, Scroll, Composition, AUI
//! messages), which show their body as Confluence does on screen.

use folio_ir::{
    Align, Attr, Block, Cell, ColumnSpec, Inline, LinkTarget, List, ListItem, Macro, MacroBody,
    Panel, PanelKind, ParamValue, Row, Table, url_component,
};

use super::{paragraph, placeholder, rich_body, unresolved_warning};
use crate::PassContext;

/// Macros that only wrap content: their body is what Confluence shows.
///
/// Language macros (Translations for Confluence and similar) show every language here, because a
/// PDF has no reader language to pick one; Scroll's export-control macros (`scroll-ignore`,
/// `scroll-only`…) steer Scroll's own exporter, and folio shows what the page shows.
pub(super) const CONTAINERS: &[&str] = &[
    "sv-translation",
    "translation",
    "multiexcerpt",
    "multiexcerpt-macro",
    "show-if",
    "hide-if",
    "show-to",
    "hide-from",
    "scroll-ignore",
    "scroll-only",
    "scroll-pdf-only",
    "scroll-pdf-ignore",
    "scroll-html-only",
    "scroll-html-ignore",
    "scroll-content-block",
    "scroll-tablelayout",
    "scroll-landscape",
    "scroll-portrait",
    "scroll-title",
    "scroll-pagetitle",
    "scroll-bookmark",
    "tableenhancer",
    "table-filter",
    "table-chart",
    "pivot-table",
    "ui-tabs",
    "ui-expand",
    "ui-text-box",
    "deck",
    "auitabs",
    "div",
    "span",
    "cloak",
    "toggle-cloak",
    "html-wrap",
    "bgcolor",
    "style",
    "ul",
    "li",
    "content-layer",
    "content-column",
    "horizontal-nav-group",
    "localtab",
    "localtabgroup",
    "page-properties-body",
    "excerpt-include-body",
    "convertedtoblock",
    "auihorizontalnav",
    "auihorizontalnavpage",
    "auibuttongroup",
    "auibutton",
    "legend",
    "clickable",
];

/// Inline counterparts of [`CONTAINERS`].
pub(super) const INLINE_CONTAINERS: &[&str] = &[
    "scroll-ignore-inline",
    "scroll-only-inline",
    "scroll-pdf-ignore-inline",
    "scroll-pdf-only-inline",
    "tooltip",
    "cfm-tooltip",
    "span",
    "highlight",
    "scroll-indexterm",
];

/// Language names that translation apps use as macro names.
pub(super) const LANGUAGES: &[&str] = &[
    "english",
    "english-us",
    "english-gb",
    "canadian-en",
    "belarusian",
    "french",
    "canadian-fr",
    "german",
    "spanish",
    "italian",
    "portuguese",
    "portuguese-br",
    "dutch",
    "danish",
    "swedish",
    "norwegian",
    "norwegian-nb",
    "finnish",
    "icelandic",
    "irish",
    "welsh",
    "polish",
    "czech",
    "slovak",
    "slovenian",
    "croatian",
    "serbian",
    "hungarian",
    "romanian",
    "bulgarian",
    "greek",
    "turkish",
    "russian",
    "ukrainian",
    "estonian",
    "latvian",
    "lithuanian",
    "maltese",
    "catalan",
    "hebrew",
    "arabic",
    "hindi",
    "thai",
    "vietnamese",
    "indonesian",
    "malay",
    "chinese",
    "chinese-tw",
    "japanese",
    "korean",
];

/// Interactive widgets with nothing to print: a search box, an export button.
pub(super) const INTERACTIVE: &[&str] = &[
    "livesearch",
    "pagetreesearch",
    "scroll-exportbutton",
    "scroll-pagebreak",
    "create-from-template",
    "create-space-button",
    "add-page",
    "viewport-url-redirect",
];

/// Macros that list data only Confluence has: a titled placeholder.
pub(super) const NEEDS_CONFLUENCE: &[(&str, &str)] = &[
    ("recently-updated", "Recently updated"),
    ("recently-updated-dashboard", "Recently updated"),
    ("tasks-report-macro", "Task report"),
    ("spaces", "Spaces list"),
    ("space-details", "Space details"),
    ("listlabels", "Labels list"),
    ("popular-labels", "Popular labels"),
    ("related-labels", "Related labels"),
    ("contributors", "Contributors"),
    ("contributors-summary", "Contributors summary"),
    ("page-index", "Page index"),
    ("favpages", "Favourite pages"),
    ("network", "Network"),
    ("questions", "Questions"),
    ("status-list", "Status list"),
    ("cite-summary", "Citations"),
    ("swagger-open-api", "OpenAPI specification"),
    ("swagger-integration", "OpenAPI specification"),
    ("open-api", "OpenAPI specification"),
    ("video", "Video"),
    ("multimedia", "Multimedia"),
];

/// `jira`: one issue as a linked key; a JQL table as a titled placeholder.
pub(super) fn jira_inline(m: &Macro, cx: &mut PassContext<'_>) -> Vec<Inline> {
    match m.param("key") {
        Some(key) => vec![jira_key(key, cx)],
        None => {
            let query = jira_query(m);
            cx.report(unresolved_warning(m, "Jira's data"));
            vec![Inline::Unsupported {
                name: "Jira issues".to_owned(),
                content: vec![Inline::text(query.unwrap_or_default())],
            }]
        }
    }
}

pub(super) fn jira_block(m: Macro, cx: &mut PassContext<'_>) -> Vec<Block> {
    if m.param("key").is_some() {
        return vec![paragraph(jira_inline(&m, cx))];
    }
    let query = jira_query(&m);
    cx.report(unresolved_warning(&m, "Jira's data"));
    let mut line = vec![Inline::text(
        "Confluence shows a table of Jira issues here; Jira's data is not part of this export.",
    )];
    let mut blocks = Vec::new();
    if let Some(query) = query {
        line.push(Inline::LineBreak);
        line.push(Inline::text("Query: "));
        let url = cx
            .site
            .jira_base()
            .map(|base| format!("{base}/issues/?jql={}", url_component(&query)))
            .or_else(|| m.param("url").map(str::to_owned));
        line.push(match url {
            Some(url) => Inline::Link {
                target: LinkTarget::Url { url },
                content: vec![Inline::Code {
                    content: vec![Inline::text(query)],
                }],
            },
            None => Inline::Code {
                content: vec![Inline::text(query)],
            },
        });
    }
    blocks.push(paragraph(line));
    let title = m
        .param("title")
        .or(m.param("server"))
        .map_or("Jira issues".to_owned(), |s| format!("Jira issues ({s})"));
    vec![placeholder(title, blocks, m.span)]
}

fn jira_query(m: &Macro) -> Option<String> {
    m.param("jqlQuery")
        .or(m.param("jql"))
        .or(m.param(""))
        .or(m.param("url"))
        .map(|q| q.trim().to_owned())
}

fn jira_key(key: &str, cx: &PassContext<'_>) -> Inline {
    let text = vec![Inline::Code {
        content: vec![Inline::text(key)],
    }];
    match cx.site.jira_base() {
        Some(base) => Inline::Link {
            target: LinkTarget::Url {
                url: format!("{base}/browse/{}", url_component(key)),
            },
            content: text,
        },
        None => Inline::Strong { content: text },
    }
}

/// `widget` (Widget Connector): a link to the embedded page or video.
pub(super) fn widget(m: Macro) -> Vec<Block> {
    let url = match m.params.get("url") {
        Some(ParamValue::Resource {
            target: LinkTarget::Url { url },
            ..
        }) => Some(url.clone()),
        _ => m.param("url").map(str::to_owned),
    };
    match url {
        Some(url) => vec![paragraph(vec![
            Inline::text("▶ "),
            Inline::Link {
                target: LinkTarget::Url { url: url.clone() },
                content: vec![Inline::text(url)],
            },
        ])],
        None => vec![],
    }
}

/// `auimessage` / `alert`: a message box in the panel colour of its `type`.
pub(super) fn message(m: Macro) -> Vec<Block> {
    let kind = match m
        .param("type")
        .or(m.param("color"))
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("warning") => PanelKind::Note,
        Some("error" | "danger") => PanelKind::Warning,
        Some("success") => PanelKind::Tip,
        Some("hint" | "generic") => PanelKind::Purple,
        _ => PanelKind::Info,
    };
    let mut panel = Panel::new(kind, vec![], m.span);
    panel.title = m.param("title").map(str::to_owned);
    panel.blocks = rich_body(m.body);
    vec![Block::Panel(panel)]
}

/// `ui-steps`: the `ui-step` bodies as a numbered list.
pub(super) fn steps(m: Macro) -> Vec<Block> {
    let span = m.span;
    let mut items = Vec::new();
    let mut loose = Vec::new();
    for block in rich_body(m.body) {
        match block {
            Block::Macro(step) if step.name == "ui-step" => {
                let mut blocks = std::mem::take(&mut loose);
                blocks.extend(rich_body(step.body));
                items.push(ListItem { blocks });
            }
            other => loose.push(other),
        }
    }
    let mut out = vec![Block::List(List {
        ordered: true,
        start: 1,
        items,
        span,
    })];
    out.extend(loose);
    out
}

/// A tab, card or step with a title: the title in bold, then the body.
pub(super) fn titled_section(m: Macro) -> Vec<Block> {
    let title = ["title", "label", "name", ""]
        .iter()
        .find_map(|p| m.param(p))
        .map(str::to_owned);
    let mut blocks = Vec::new();
    if let Some(title) = title {
        blocks.push(paragraph(vec![Inline::Strong {
            content: vec![Inline::text(title)],
        }]));
    }
    blocks.extend(rich_body(m.body));
    blocks
}

/// `center`: the body centred.
pub(super) fn centred(m: Macro) -> Vec<Block> {
    vec![Block::Div {
        attr: Attr {
            align: Some(Align::Center),
            ..Attr::default()
        },
        blocks: rich_body(m.body),
        span: m.span,
    }]
}

/// `profile`: the user, by display name when supplied.
pub(super) fn profile(m: &Macro) -> Vec<Inline> {
    match m.params.get("user") {
        Some(ParamValue::Resource {
            target: LinkTarget::User { user },
            ..
        }) => vec![Inline::Mention {
            user: user.clone(),
            name: None,
        }],
        _ => vec![],
    }
}

/// `redirect` / `viewport-redirect`: Confluence shows where the page redirects to.
pub(super) fn redirect(m: Macro) -> Vec<Block> {
    let target = m.params.get("location").or(m.params.get("")).cloned();
    let mut line = vec![Inline::text("This page redirects to ")];
    match target {
        Some(ParamValue::Resource { target, text }) => line.push(Inline::Link {
            target,
            content: vec![Inline::text(text)],
        }),
        Some(ParamValue::Text { text }) if !text.trim().is_empty() => {
            line.push(Inline::text(text.trim()))
        }
        _ => line.push(Inline::text("another page")),
    }
    line.push(Inline::text("."));
    vec![paragraph(line)]
}

/// `footnote` / `cfm-footnote`: the note in brackets where it stands (a PDF footnote would need
/// a footnote node in the IR; the text matters more than its place).
pub(super) fn footnote(m: Macro) -> Vec<Inline> {
    let blocks = rich_body(m.body);
    let mut content = vec![Inline::text(" (")];
    content.extend(super::blocks_to_inlines(&blocks));
    content.push(Inline::text(")"));
    vec![Inline::Sup { content }]
}

/// Roadmap Planner: the bars of its URL-encoded JSON `source` as a table by lane.
pub(super) fn roadmap(m: Macro, cx: &mut PassContext<'_>) -> Vec<Block> {
    let decoded = m.param("source").and_then(|source| {
        let json = percent_encoding::percent_decode_str(source)
            .decode_utf8()
            .ok()?;
        serde_json::from_str::<serde_json::Value>(&json).ok()
    });
    let Some(source) = decoded else {
        cx.report(unresolved_warning(&m, "a readable roadmap source"));
        return vec![placeholder("Roadmap", vec![], m.span)];
    };
    let text = |value: &serde_json::Value, key: &str| {
        value
            .get(key)
            .and_then(|v| match v {
                serde_json::Value::String(s) => Some(s.trim().to_owned()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .unwrap_or_default()
    };
    let date = |value: &serde_json::Value, key: &str| {
        let full = text(value, key);
        full.split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let cell = |content: Vec<Inline>| Cell {
        blocks: if content.is_empty() {
            vec![]
        } else {
            vec![paragraph(content)]
        },
        ..Cell::empty()
    };
    let header = |t: &str| Cell {
        header: true,
        ..cell(vec![Inline::text(t)])
    };
    let mut rows = vec![Row {
        cells: vec![
            header("Lane"),
            header("Bar"),
            header("Start"),
            header("Duration (months)"),
            header("Description"),
        ],
        in_head: true,
    }];
    for lane in source
        .get("lanes")
        .and_then(|l| l.as_array())
        .into_iter()
        .flatten()
    {
        let lane_title = text(lane, "title");
        for bar in lane
            .get("bars")
            .and_then(|b| b.as_array())
            .into_iter()
            .flatten()
        {
            let start = date(bar, "startDate");
            rows.push(Row {
                cells: vec![
                    cell(vec![Inline::text(&lane_title)]),
                    cell(vec![Inline::text(text(bar, "title"))]),
                    cell(if start.is_empty() {
                        vec![]
                    } else {
                        vec![Inline::Date { date: start }]
                    }),
                    cell(vec![Inline::text(text(bar, "duration"))]),
                    cell(vec![Inline::text(text(bar, "description"))]),
                ],
                in_head: false,
            });
        }
    }
    let mut blocks = Vec::new();
    let title = text(&source, "title");
    if !title.is_empty() {
        blocks.push(paragraph(vec![Inline::Strong {
            content: vec![Inline::text(title)],
        }]));
    }
    let mut markers = Vec::new();
    for marker in source
        .get("markers")
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
    {
        markers.push(ListItem {
            blocks: vec![paragraph(vec![
                Inline::text(format!("{} — ", text(marker, "title"))),
                Inline::Date {
                    date: date(marker, "markerDate"),
                },
            ])],
        });
    }
    blocks.push(Block::Table(Table {
        columns: vec![ColumnSpec::default(); 5],
        rows,
        header_rows: 1,
        width: None,
        numbered: false,
        span: m.span,
    }));
    if !markers.is_empty() {
        blocks.push(paragraph(vec![Inline::text("Milestones:")]));
        blocks.push(Block::List(List {
            ordered: false,
            start: 1,
            items: markers,
            span: m.span,
        }));
    }
    blocks
}

/// A source-only diagram (PlantUML, Mermaid with the source in the body): the source as code,
/// since drawing it needs the app's renderer.
pub(super) fn diagram_source(m: Macro, cx: &mut PassContext<'_>) -> Vec<Block> {
    let MacroBody::Plain { text } = &m.body else {
        return super::files::diagram(m, cx);
    };
    cx.report(
        folio_ir::Diagnostic::warning(
            "diagram-not-drawn",
            format!("`{}` diagram is shown as its source", m.name),
        )
        .at(m.span)
        .with_hint("folio has no renderer for this diagram language"),
    );
    vec![Block::Code(folio_ir::CodeBlock {
        language: None,
        title: Some(format!("{} diagram (source)", m.name)),
        line_numbers: false,
        first_line: 1,
        code: text.clone(),
        plain: false,
        span: m.span,
    })]
}
