//! Block structure and inline formatting of plain XHTML elements.

use folio_ir::Block;

use crate::common::{check, codes, read};

#[test]
fn fragment_with_many_roots_and_undeclared_prefixes() {
    assert_eq!(
        check("<p>a</p><ac:structured-macro ac:name=\"toc\"/><at:var at:name=\"x\"/>"),
        "p[\"a\"] macro(toc) p[\"x\"]"
    );
    assert_eq!(check(""), "");
    assert_eq!(check("   "), "");
    assert_eq!(check("just text"), "p[\"just text\"]");
}

#[test]
fn paragraph_alignment_and_indent() {
    assert_eq!(
        check("<p style=\"text-align: center;\">a</p>"),
        "p(center)[\"a\"]"
    );
    assert_eq!(
        check("<p style=\"margin-left: 60.0px;\">a</p>"),
        "p(indent=2)[\"a\"]"
    );
    assert_eq!(
        check("<p style=\"text-align: right;margin-left: 30px\">a</p>"),
        "p(right indent=1)[\"a\"]"
    );
    assert_eq!(check("<p />"), "p[]");
}

#[test]
fn headings() {
    assert_eq!(
        check("<h1>a</h1><h3 style=\"text-align: center\" id=\"x\">b</h3><h6>c</h6>"),
        "h1[\"a\"] h3(#x center)[\"b\"] h6[\"c\"]"
    );
}

#[test]
fn inline_formatting() {
    assert_eq!(
        check(
            "<p><strong>a</strong><b>b</b><em>c</em><i>d</i><u>e</u><sub>f</sub><sup>g</sup><code>h</code><tt>i</tt></p>"
        ),
        "p[strong[\"a\"] strong[\"b\"] em[\"c\"] em[\"d\"] u[\"e\"] sub[\"f\"] sup[\"g\"] code[\"h\"] code[\"i\"]]"
    );
}

#[test]
fn strikethrough_in_all_its_forms() {
    assert_eq!(
        check(
            "<p><s>a</s><del>b</del><strike>c</strike><span style=\"text-decoration: line-through;\">d</span></p>"
        ),
        "p[s[\"a\"] s[\"b\"] s[\"c\"] s[\"d\"]]"
    );
}

#[test]
fn span_colours() {
    assert_eq!(
        check(
            "<p><span style=\"color: rgb(255,86,48);\">red</span> <span style=\"background-color: rgb(248,230,160);\">hl</span> <span style=\"color: var(--ds-text, #172B4D)\">t</span></p>"
        ),
        "p[color(#ff5630)[\"red\"] \" \" highlight(#f8e6a0)[\"hl\"] \" \" color(#172b4d)[\"t\"]]"
    );
    assert_eq!(
        check("<p><span style=\"color: nonsense\">x</span></p>"),
        "p[\"x\"]"
    );
}

#[test]
fn plain_wrappers_keep_their_content() {
    assert_eq!(
        check("<p><span>a</span><small>b</small><big>c</big></p>"),
        "p[\"abc\"]"
    );
}

#[test]
fn line_breaks_and_rules() {
    assert_eq!(
        check("<p>a<br/>b</p><hr/><p>c</p>"),
        "p[\"a\" br \"b\"] hr p[\"c\"]"
    );
}

#[test]
fn html_links_and_anchors() {
    assert_eq!(
        check(
            "<p><a href=\"https://x.org\">x</a> <a name=\"top\"></a><a id=\"i\">t</a> <a href=\"#sec\">s</a></p>"
        ),
        "p[link(url:https://x.org)[\"x\"] \" \" anchor(top) anchor(i) \"t \" link(anchor:#sec)[\"s\"]]"
    );
}

#[test]
fn dates() {
    assert_eq!(
        check("<p>on <time datetime=\"2024-03-05\" /></p>"),
        "p[\"on \" date(2024-03-05)]"
    );
}

#[test]
fn blockquote() {
    assert_eq!(
        check("<blockquote><p>a</p>b</blockquote>"),
        "quote[p[\"a\"] p[\"b\"]]"
    );
}

#[test]
fn pre_flattens_markup() {
    assert_eq!(
        check("<pre>Some <code>x</code>\nand <a href=\"u\">link</a><br/>end</pre>"),
        "code(plain)\"Some x\\nand link\\nend\""
    );
}

#[test]
fn lists() {
    assert_eq!(
        check("<ol start=\"3\"><li>a</li><li><p>b</p><ul><li>c</li></ul></li></ol>"),
        "ol(start=3)[li[p[\"a\"]] li[p[\"b\"] ul[li[p[\"c\"]]]]]"
    );
    // Inline content around a nested list: paragraphs on both sides.
    assert_eq!(
        check("<ul><li>a <strong>b</strong><ul><li>c</li></ul>d</li></ul>"),
        "ul[li[p[\"a \" strong[\"b\"]] ul[li[p[\"c\"]]] p[\"d\"]]]"
    );
    // A list directly inside a list joins the item before it.
    assert_eq!(
        check("<ul><li>a</li><ul><li>b</li></ul></ul>"),
        "ul[li[p[\"a\"] ul[li[p[\"b\"]]]]]"
    );
    assert_eq!(check("<ol start=\"x\"><li>a</li></ol>"), "ol[li[p[\"a\"]]]");
    assert_eq!(check("<ul><li/></ul>"), "ul[li[]]");
}

#[test]
fn divs_flatten_unless_they_carry_attributes() {
    assert_eq!(
        check("<div class=\"content-wrapper\"><p>a</p></div>"),
        "p[\"a\"]"
    );
    assert_eq!(check("<div id=\"x\"><p>a</p></div>"), "div(#x)[p[\"a\"]]");
    assert_eq!(check("<section><p>a</p>b</section>"), "p[\"a\"] p[\"b\"]");
}

#[test]
fn inline_content_in_block_containers_becomes_paragraphs() {
    assert_eq!(
        check(
            "<ac:layout><ac:layout-section ac:type=\"single\"><ac:layout-cell>a <em>b</em></ac:layout-cell></ac:layout-section></ac:layout>"
        ),
        "p[\"a \" em[\"b\"]]"
    );
    assert_eq!(check("<blockquote>q</blockquote>"), "quote[p[\"q\"]]");
}

#[test]
fn blocks_inside_paragraphs_split_them() {
    assert_eq!(
        check("<p style=\"text-align: center\">before<table><tr><td>x</td></tr></table>after</p>"),
        "p(center)[\"before\"] table[tr[td[p[\"x\"]]]] p(center)[\"after\"]"
    );
    assert_eq!(
        check("<p>Use <ac:rich-text-body>aaa</ac:rich-text-body></p>"),
        "p[\"Use\"] p[\"aaa\"]"
    );
    // A paragraph inside formatting keeps the formatting.
    assert_eq!(
        check("<p><strong>a<p>b</p>c</strong></p>"),
        "p[strong[\"a\"]] p[strong[\"b\"]] p[strong[\"c\"]]"
    );
    // A heading that holds a block.
    assert_eq!(
        check("<h2 id=\"h\">t<ul><li>x</li></ul>u</h2>"),
        "h2(#h)[\"t\"] ul[li[p[\"x\"]]] p[\"u\"]"
    );
}

#[test]
fn unknown_elements_keep_their_content_with_a_warning() {
    assert_eq!(check("<foo>bar</foo>"), "unsupported(foo)[p[\"bar\"]]");
    assert_eq!(
        check("<p>a <foo>bar</foo> b</p>"),
        "p[\"a \" unsupported(foo)[\"bar\"] \" b\"]"
    );
    assert_eq!(
        check("<ac:mystery>x</ac:mystery>"),
        "unsupported(ac:mystery)[p[\"x\"]]"
    );
    let read = read("<foo>a</foo><foo>b</foo><bar/>");
    let warnings: Vec<_> = read
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(
        warnings,
        [
            ("unsupported-element", "unsupported element `foo`"),
            ("unsupported-element", "unsupported element `bar`")
        ]
    );
    assert!(read.diagnostics[0].span.is_some());
}

#[test]
fn misplaced_table_parts_keep_their_content() {
    assert_eq!(check("<td>a</td>"), "p[\"a\"]");
    assert_eq!(codes("<li>a</li>"), ["misplaced-element"]);
}

#[test]
fn editor_artifacts_are_dropped() {
    assert_eq!(
        check(
            "<p>a<ac:placeholder>Type here</ac:placeholder></p><at:declarations><at:string at:name=\"x\"/></at:declarations>"
        ),
        "p[\"a\"]"
    );
    assert_eq!(
        check(
            "<p>before<ac:inline-comment-marker ac:ref=\"1\">note</ac:inline-comment-marker>after</p>"
        ),
        "p[\"beforenoteafter\"]"
    );
    assert_eq!(
        check("<p>Hi <at:var at:name=\"Name\" /></p>"),
        "p[\"Hi Name\"]"
    );
    assert_eq!(
        check("<p>An attachment: <ri:attachment ri:filename=\"myfile.txt\" /></p>"),
        "p[\"An attachment: myfile.txt\"]"
    );
}

#[test]
fn every_block_spans_its_element() {
    let source =
        "<h1>t</h1>\n<p>a <b>b</b></p>\n<ul><li>x</li></ul><table><tr><td>c</td></tr></table><hr/>";
    let read = read(source);
    let texts: Vec<&str> = read
        .document
        .blocks
        .iter()
        .map(|b| &source[b.span().start..b.span().end])
        .collect();
    assert_eq!(
        texts,
        [
            "<h1>t</h1>",
            "<p>a <b>b</b></p>",
            "<ul><li>x</li></ul>",
            "<table><tr><td>c</td></tr></table>",
            "<hr/>"
        ]
    );
    // An implicit paragraph spans its content.
    let source = "<td>  x <b>y</b> </td>";
    let read = crate::common::read(&format!("<table><tr>{source}</tr></table>"));
    let Block::Table(table) = &read.document.blocks[0] else {
        panic!()
    };
    let span = table.rows[0].cells[0].blocks[0].span();
    let full = format!("<table><tr>{source}</tr></table>");
    assert_eq!(&full[span.start..span.end], "  x <b>y</b> ");
}

#[test]
fn layouts_become_columns() {
    let source = "<ac:layout><ac:layout-section ac:type=\"two_right_sidebar\"><ac:layout-cell><p>a</p></ac:layout-cell><ac:layout-cell><p>b</p></ac:layout-cell></ac:layout-section><ac:layout-section ac:type=\"single\"><ac:layout-cell><p>c</p></ac:layout-cell></ac:layout-section><ac:layout-section ac:type=\"three_with_sidebars\"><ac:layout-cell/><ac:layout-cell/><ac:layout-cell/></ac:layout-section></ac:layout>";
    assert_eq!(
        check(source),
        "columns[col(70%)[p[\"a\"]] col(30%)[p[\"b\"]]] p[\"c\"] columns[col(20%)[] col(60%)[] col(20%)[]]"
    );
    let source = "<ac:layout><ac:layout-section ac:type=\"three_equal\"><ac:layout-cell>x</ac:layout-cell><ac:layout-cell/><ac:layout-cell/></ac:layout-section></ac:layout>";
    assert!(
        check(source).starts_with("columns[col(33.33"),
        "{}",
        check(source)
    );
}

#[test]
fn task_lists() {
    let source = "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status><ac:task-body><p>done <strong>it</strong></p><p>twice</p></ac:task-body></ac:task><ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>todo <time datetime=\"2020-01-01\"/></ac:task-body><ac:task-list><ac:task><ac:task-status>complete</ac:task-status><ac:task-body>nested</ac:task-body></ac:task></ac:task-list></ac:task></ac:task-list>";
    assert_eq!(
        check(source),
        "tasks[done[\"done \" strong[\"it\"] br \"twice\"] todo[\"todo \" date(2020-01-01)][done[\"nested\"]]]"
    );
}

#[test]
fn adf_panels_map_to_panel_kinds() {
    let panel = |kind: &str| {
        check(&format!(
            "<ac:adf-extension><ac:adf-node type=\"panel\"><ac:adf-attribute key=\"panel-type\">{kind}</ac:adf-attribute><ac:adf-content><p>x</p></ac:adf-content></ac:adf-node><ac:adf-fallback><div>fallback</div></ac:adf-fallback></ac:adf-extension>"
        ))
    };
    assert_eq!(panel("note"), "panel(Purple)[p[\"x\"]]");
    assert_eq!(panel("error"), "panel(Warning)[p[\"x\"]]");
    assert_eq!(panel("success"), "panel(Tip)[p[\"x\"]]");
    assert_eq!(panel("warning"), "panel(Note)[p[\"x\"]]");
    assert_eq!(panel("info"), "panel(Info)[p[\"x\"]]");
}

#[test]
fn adf_decisions_are_marked_paragraphs() {
    let source = "<ac:adf-extension><ac:adf-node type=\"decision-list\"><ac:adf-attribute key=\"local-id\">1</ac:adf-attribute><ac:adf-node type=\"decision-item\"><ac:adf-attribute key=\"state\">DECIDED</ac:adf-attribute><ac:adf-content>First decision.</ac:adf-content></ac:adf-node><ac:adf-node type=\"decision-item\"><ac:adf-attribute key=\"state\">UNDECIDED</ac:adf-attribute><ac:adf-content><p>Second</p></ac:adf-content></ac:adf-node></ac:adf-node></ac:adf-extension>";
    assert_eq!(
        check(source),
        "div[p[\"✔ First decision.\"] p[\"◇ Second\"]]"
    );
}

#[test]
fn unknown_adf_nodes_show_their_fallback_then_content() {
    let fallback = "<ac:adf-extension><ac:adf-node type=\"extension\"><ac:adf-content><p>content</p></ac:adf-content></ac:adf-node><ac:adf-fallback><p>fallback</p></ac:adf-fallback></ac:adf-extension>";
    assert_eq!(check(fallback), "p[\"fallback\"]");
    // Showing the app's own fallback is the supported rendering: no warning.
    assert!(codes(fallback).is_empty());
    let content = "<ac:adf-extension><ac:adf-node type=\"extension\"><ac:adf-content><p>content</p></ac:adf-content></ac:adf-node></ac:adf-extension>";
    assert_eq!(check(content), "p[\"content\"]");
    let nothing = "<ac:adf-extension><ac:adf-node type=\"extension\"/></ac:adf-extension>";
    assert_eq!(check(nothing), "unsupported(adf:extension)[]");
    assert_eq!(codes(nothing), ["unsupported-element"]);
    assert_eq!(
        check(
            "<ac:adf-extension><ac:adf-node type=\"expand\"><ac:adf-attribute key=\"title\">T</ac:adf-attribute><ac:adf-content><p>x</p></ac:adf-content></ac:adf-node></ac:adf-extension>"
        ),
        "expand(\"T\")[p[\"x\"]]"
    );
}

#[test]
fn fragment_marks_are_ignored_anywhere() {
    assert_eq!(
        check(
            "<table><ac:adf-fragment-mark><ac:adf-fragment-mark-detail name=\"x\"/></ac:adf-fragment-mark><tr><td>a</td></tr></table>"
        ),
        "table[tr[td[p[\"a\"]]]]"
    );
}
