//! Macros (`ac:structured-macro`, legacy `ac:macro`), read faithfully and left unexpanded, and
//! Cloud's ADF extensions (`ac:adf-extension`).

use std::collections::BTreeMap;

use folio_ir::{
    Attr, Block, Diagnostic, Inline, LinkTarget, Macro, MacroBody, Panel, PanelKind, ParamValue,
    Span,
};

use crate::blocks::{Cx, Flow, Place, plain_text, read_blocks, read_children};
use crate::dom::{Element, Node};
use crate::inline::{normalize, read_inline_only};
use crate::links::resource_target;

/// Macros that draw a block of their own even when written inside a paragraph.
#[rustfmt::skip]
const BLOCK_MACROS: &[&str] = &[
    "attachments", "blog-posts", "children", "code", "column", "contentbylabel", "content-by-user",
    "details", "detailssummary", "drawio", "excerpt-include", "expand", "gallery", "gliffy",
    "html", "include", "info", "livesearch", "mermaid", "multimedia", "noformat", "note",
    "pagetree", "pagetreesearch", "panel", "plantuml", "profile", "recently-updated", "roadmap",
    "section", "tasks-report-macro", "tip", "toc", "toc-zone", "view-file", "viewdoc", "viewpdf",
    "viewppt", "viewxls", "warning", "widget",
];

fn macro_name(el: &Element) -> String {
    el.attr("ac:name")
        .or(el.attr("name"))
        .unwrap_or("")
        .trim()
        .to_lowercase()
}

fn parameter_name(el: &Element) -> &str {
    el.attr("ac:name").or(el.attr("name")).unwrap_or("")
}

fn parameter<'a>(el: &'a Element, name: &str) -> Option<&'a Element> {
    el.elements()
        .find(|c| c.name == "ac:parameter" && parameter_name(c) == name)
}

/// Whether a macro draws a block even in running text: it has a rich body, or it is one of
/// [`BLOCK_MACROS`], or a Jira macro listing issues rather than naming one.
fn is_blockish(el: &Element) -> bool {
    let inline_output = parameter(el, "atlassian-macro-output-type")
        .is_some_and(|p| p.text_content().trim().eq_ignore_ascii_case("inline"));
    if inline_output {
        return false;
    }
    let name = macro_name(el);
    el.child("ac:rich-text-body").is_some()
        || BLOCK_MACROS.contains(&name.as_str())
        || (matches!(name.as_str(), "jira" | "jiraissues") && parameter(el, "key").is_none())
}

/// A macro element: a block macro when it stands alone or draws a block, else an inline one.
pub(crate) fn read_macro_element(cx: &mut Cx, el: &Element, place: Place, out: &mut Vec<Flow>) {
    let block = place == Place::Block || is_blockish(el);
    let m = read_macro(cx, el);
    out.push(if block {
        Flow::Block(Block::Macro(m))
    } else {
        Flow::Inline(Inline::Macro(Box::new(m)), el.span)
    });
}

fn read_macro(cx: &mut Cx, el: &Element) -> Macro {
    let mut params = BTreeMap::new();
    let mut body = MacroBody::None;
    let mut loose: Vec<&Node> = Vec::new();
    for node in &el.children {
        let Node::Element(child) = node else {
            if !node.is_blank_text() {
                loose.push(node);
            }
            continue;
        };
        match child.name.as_str() {
            "ac:parameter" => {
                params.insert(parameter_name(child).to_owned(), read_parameter(child));
            }
            "ac:default-parameter" => {
                params.insert(String::new(), read_parameter(child));
            }
            "ac:rich-text-body" => {
                body = MacroBody::Rich {
                    blocks: read_blocks(cx, &child.children),
                }
            }
            "ac:plain-text-body" => {
                body = MacroBody::Plain {
                    text: plain_text(child),
                }
            }
            "ac:adf-fragment-mark" | "ac:adf-fragment-mark-detail" => {}
            _ => loose.push(node),
        }
    }
    if !loose.is_empty() {
        // Content outside any body (hand-written storage): keep it as body content.
        let nodes: Vec<Node> = loose.into_iter().cloned().collect();
        match &mut body {
            MacroBody::Plain { text } => {
                let mut extra = String::new();
                crate::dom::push_text_content(&nodes, &mut extra);
                text.push_str(&extra);
            }
            MacroBody::Rich { blocks } => blocks.extend(read_blocks(cx, &nodes)),
            MacroBody::None => {
                body = MacroBody::Rich {
                    blocks: read_blocks(cx, &nodes),
                }
            }
        }
    }
    Macro {
        name: macro_name(el),
        params,
        body,
        span: el.span,
    }
}

/// A parameter's value: resource identifiers (possibly inside `ac:link`, or an `a href`) give a
/// resource, whose text is their display names joined by commas; anything else is its text.
fn read_parameter(el: &Element) -> ParamValue {
    let mut resources = Vec::new();
    collect_resources(el, &mut resources);
    let mut resources = resources.into_iter();
    match resources.next() {
        Some((target, first)) => {
            let text = std::iter::once(first)
                .chain(resources.map(|(_, text)| text))
                .collect::<Vec<_>>()
                .join(",");
            ParamValue::Resource { target, text }
        }
        None => {
            let text = el
                .text_content()
                .replace(crate::entities::is_line_separator, " ");
            ParamValue::Text { text }
        }
    }
}

fn collect_resources(el: &Element, out: &mut Vec<(LinkTarget, String)>) {
    for child in el.elements() {
        match child.name.as_str() {
            "ac:link" => {
                let anchor = child.attr_nonblank("ac:anchor");
                match child.elements().find(|c| c.name.starts_with("ri:")) {
                    Some(resource) => out.extend(resource_target(resource, anchor)),
                    None => out.extend(anchor.map(|anchor| {
                        let target = LinkTarget::Anchor {
                            page: None,
                            anchor: anchor.to_owned(),
                        };
                        (target, anchor.to_owned())
                    })),
                }
            }
            "a" => {
                if let Some(href) = child.attr_nonblank("href") {
                    out.push((
                        LinkTarget::Url {
                            url: href.to_owned(),
                        },
                        href.to_owned(),
                    ));
                }
            }
            name if name.starts_with("ri:") => out.extend(resource_target(child, None)),
            _ => collect_resources(child, out),
        }
    }
}

/// `ac:adf-extension`: known ADF nodes (panels, decisions, expands) become typed blocks; others
/// are shown from their `ac:adf-fallback`, else their `ac:adf-content`.
pub(crate) fn read_adf_extension(cx: &mut Cx, el: &Element, place: Place, out: &mut Vec<Flow>) {
    let node = el.child("ac:adf-node");
    if let Some(block) = node.and_then(|node| read_adf_node(cx, node, el.span)) {
        out.push(Flow::Block(block));
        return;
    }
    let kind = node
        .and_then(|n| n.attr_nonblank("type"))
        .unwrap_or("unknown");
    let shown = el
        .child("ac:adf-fallback")
        .or(node.and_then(|n| n.child("ac:adf-content")));
    // The fallback is the app's own static rendering, which is what Confluence's exports show
    // too: rendering it is support, not a loss. Only a node with nothing to show is reported.
    if shown.is_none() {
        cx.warn_once(
            &format!("adf:{kind}"),
            Diagnostic::warning(
                "unsupported-element",
                format!("unsupported ADF node `{kind}`"),
            )
            .at(el.span)
            .with_hint("it has no fallback content to show"),
        );
    }
    match shown {
        Some(shown) => read_children(cx, shown, place, out),
        None => out.push(match place {
            Place::Block => Flow::Block(Block::Unsupported {
                name: format!("adf:{kind}"),
                blocks: vec![],
                span: el.span,
            }),
            Place::Inline => Flow::Inline(
                Inline::Unsupported {
                    name: format!("adf:{kind}"),
                    content: vec![],
                },
                el.span,
            ),
        }),
    }
}

fn adf_attribute(node: &Element, key: &str) -> Option<String> {
    node.elements()
        .find(|c| c.name == "ac:adf-attribute" && c.attr("key") == Some(key))
        .map(|c| c.text_content().trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn adf_content(cx: &mut Cx, node: &Element) -> Vec<Block> {
    node.child("ac:adf-content")
        .map(|c| read_blocks(cx, &c.children))
        .unwrap_or_default()
}

fn read_adf_node(cx: &mut Cx, node: &Element, span: Span) -> Option<Block> {
    match node.attr("type")?.trim() {
        "panel" => {
            let kind = match adf_attribute(node, "panel-type").as_deref() {
                Some("note") => PanelKind::Purple,
                Some("error") => PanelKind::Warning,
                Some("success") => PanelKind::Tip,
                Some("warning") => PanelKind::Note,
                Some("custom") => PanelKind::Custom,
                _ => PanelKind::Info,
            };
            let mut panel = Panel::new(kind, adf_content(cx, node), span);
            panel.icon_text = adf_attribute(node, "panel-icon-text");
            panel.background =
                adf_attribute(node, "panel-color").and_then(|c| crate::css::parse_color(&c));
            Some(Block::Panel(panel))
        }
        "expand" | "nested-expand" => Some(Block::Expand {
            title: adf_attribute(node, "title").unwrap_or_default(),
            blocks: adf_content(cx, node),
            span,
        }),
        // Decisions have no IR node: each is a paragraph led by a marker, ✔ when decided.
        "decision-list" => {
            let blocks = node
                .elements()
                .filter(|c| c.name == "ac:adf-node" && c.attr("type") == Some("decision-item"))
                .map(|item| read_decision(cx, item, span))
                .collect();
            Some(Block::Div {
                attr: Attr::default(),
                blocks,
                span,
            })
        }
        "decision-item" => Some(read_decision(cx, node, span)),
        _ => None,
    }
}

fn read_decision(cx: &mut Cx, item: &Element, span: Span) -> Block {
    let decided = adf_attribute(item, "state").is_some_and(|s| s.eq_ignore_ascii_case("decided"));
    let mut content = vec![Inline::text(if decided { "✔ " } else { "◇ " })];
    if let Some(body) = item.child("ac:adf-content") {
        content.extend(read_inline_only(cx, &body.children));
    }
    normalize(&mut content);
    Block::Paragraph {
        attr: Attr::default(),
        content,
        span,
    }
}
