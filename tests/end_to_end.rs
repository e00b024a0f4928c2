//! End to end through the library: pages in, PDFs out, read back as a reader's PDF viewer would.

mod common;
mod pdf;

use std::sync::OnceLock;

use folio::ir::{Block, Document, Inline, LinkTarget, walk_blocks_mut, walk_inlines_mut};
use folio::{Compiled, Compiler, EngineOptions, Options};

fn compiler() -> &'static Compiler {
    static COMPILER: OnceLock<Compiler> = OnceLock::new();
    COMPILER.get_or_init(|| Compiler::new(&EngineOptions::default()))
}

fn compile(bytes: &[u8], attachments: &folio::ir::Attachments) -> (Compiled, folio::Pdf) {
    compile_with(bytes, attachments, &Options::default())
}

fn compile_with(
    bytes: &[u8],
    attachments: &folio::ir::Attachments,
    options: &Options,
) -> (Compiled, folio::Pdf) {
    let page = folio::read_input(bytes, options).unwrap();
    let compiled = folio::compile_document(&page, attachments, options).unwrap();
    let pdf = compiler().render_pdf(&compiled).unwrap();
    (compiled, pdf)
}

/// Heading texts and URL link targets of a document.
fn headings_and_urls(document: &Document) -> (Vec<String>, Vec<String>) {
    let mut document = document.clone();
    let mut headings = Vec::new();
    walk_blocks_mut(&mut document.blocks, &mut |blocks: &mut Vec<Block>| {
        for block in blocks.iter() {
            if let Block::Heading { content, .. } = block {
                headings.push(folio::ir::plain_text(content));
            }
        }
    });
    let mut urls = Vec::new();
    walk_inlines_mut(&mut document.blocks, &mut |inlines: &mut Vec<Inline>| {
        for inline in inlines.iter() {
            if let Inline::Link {
                target: LinkTarget::Url { url },
                ..
            } = inline
                && (url.starts_with("http://") || url.starts_with("https://"))
            {
                urls.push(url.clone());
            }
        }
    });
    (headings, urls)
}

/// Words of the document's running text (Latin letters and digits, three or more), which must all
/// reach the PDF's text layer.
fn words(document: &Document) -> Vec<String> {
    let mut document = document.clone();
    let mut text = String::new();
    walk_inlines_mut(&mut document.blocks, &mut |inlines: &mut Vec<Inline>| {
        for inline in inlines.iter() {
            if let Inline::Text { text: t } = inline {
                text.push_str(t);
                text.push(' ');
            }
        }
    });
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| word.len() >= 3)
        .map(str::to_owned)
        .collect()
}

#[test]
fn corpus_pages_render_with_their_text_links_and_bookmarks() {
    for page in common::corpus_pages() {
        let name = common::case_name(&page);
        let attachments = common::attachments_in(page.parent().unwrap());
        let options = common::options_for(&page);
        let (compiled, pdf) = compile_with(&std::fs::read(&page).unwrap(), &attachments, &options);
        let report = pdf::read_pdf(&pdf.bytes);
        assert!(report.pages >= 1, "{name}");
        assert!(
            pdf.bytes.len() < 3_000_000,
            "{name}: {} bytes",
            pdf.bytes.len()
        );

        // Long identifiers may wrap across lines, so words are looked up with white space removed.
        let text: String = pdf::squash(&report.text).split(' ').collect();
        let words = words(&compiled.document);
        let missing: Vec<_> = words
            .iter()
            .filter(|word| !text.contains(word.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "{name}: words missing from the PDF text: {missing:?}"
        );

        let (headings, urls) = headings_and_urls(&compiled.document);
        for heading in headings.iter().filter(|h| !h.trim().is_empty()) {
            let heading = pdf::squash(heading);
            assert!(
                report.bookmarks.iter().any(|b| pdf::squash(b) == heading),
                "{name}: no bookmark for heading {heading:?} in {:?}",
                report.bookmarks
            );
        }
        for url in &urls {
            assert!(
                report.uris.contains(url),
                "{name}: link to {url} is not clickable"
            );
        }
    }
}

#[test]
fn a_one_page_document_is_tens_of_kilobytes() {
    let (_, pdf) = compile(
        b"<h1>Hello</h1><p>A <strong>short</strong> page.</p>",
        &Default::default(),
    );
    assert_eq!(pdf.pages, 1);
    assert!(pdf.bytes.len() < 100_000, "{} bytes", pdf.bytes.len());
    assert!(pdf::squash(&pdf::read_pdf(&pdf.bytes).text).contains("A short page."));
}

#[test]
fn typst_syntax_in_text_is_printed_literally() {
    let source = r##"<p>#read("/etc/passwd") #import "x.typ" #sys.inputs $x$ *b* _i_ @ref &lt;lbl&gt; // c \ = h</p>"##;
    let (_, pdf) = compile(source.as_bytes(), &Default::default());
    let text = pdf::squash(&pdf::read_pdf(&pdf.bytes).text);
    for literal in [
        r#"#read("/etc/passwd")"#,
        r#"#import "x.typ""#,
        "#sys.inputs",
        "$x$",
        "*b*",
        "_i_",
        "@ref",
        "<lbl>",
        "// c",
        "\\",
        "= h",
    ] {
        assert!(
            text.contains(literal),
            "{literal:?} not printed literally in {text:?}"
        );
    }
}

#[test]
fn only_safe_url_schemes_become_clickable() {
    let source = r#"<p><a href="javascript:alert(1)">js</a> <a href="file:///etc/passwd">file</a> <a href="https://example.com/ok">ok</a></p>"#;
    let (_, pdf) = compile(source.as_bytes(), &Default::default());
    let report = pdf::read_pdf(&pdf.bytes);
    assert_eq!(report.uris, vec!["https://example.com/ok".to_owned()]);
    let text = pdf::squash(&report.text);
    assert!(
        text.contains("js") && text.contains("file"),
        "link texts are kept: {text:?}"
    );
}

#[test]
fn a_rest_page_json_compiles_with_its_title() {
    let json = r#"{"id":"42","type":"page","title":"Runbook","body":{"storage":{"value":"<h2>Steps</h2><p>Restart it.</p>","representation":"storage"}}}"#;
    let (compiled, pdf) = compile(json.as_bytes(), &Default::default());
    assert_eq!(compiled.document.title.as_deref(), Some("Runbook"));
    let report = pdf::read_pdf(&pdf.bytes);
    assert!(pdf::squash(&report.text).contains("Restart it."));
    assert!(report.bookmarks.iter().any(|b| b == "Steps"));
}

#[test]
fn a_same_page_anchor_link_jumps_inside_the_document() {
    let source = r#"<p><ac:link ac:anchor="details"><ac:plain-text-link-body><![CDATA[see details]]></ac:plain-text-link-body></ac:link></p><h2>Other</h2><p><ac:structured-macro ac:name="anchor"><ac:parameter ac:name="">details</ac:parameter></ac:structured-macro>Details here</p>"#;
    let (_, pdf) = compile(source.as_bytes(), &Default::default());
    let report = pdf::read_pdf(&pdf.bytes);
    assert_eq!(report.internal_links, 1, "the anchor link is clickable");
    assert!(report.uris.is_empty());
}

#[test]
fn a_missing_attachment_is_a_visible_placeholder_with_a_warning() {
    let source =
        r#"<p>Before</p><ac:image><ri:attachment ri:filename="gone.png" /></ac:image><p>After</p>"#;
    let (_, pdf) = compile(source.as_bytes(), &Default::default());
    let text = pdf::squash(&pdf::read_pdf(&pdf.bytes).text);
    assert!(
        text.contains("gone.png"),
        "the placeholder names the file: {text:?}"
    );
    assert!(text.contains("Before") && text.contains("After"));
    assert!(
        pdf.diagnostics
            .iter()
            .any(|d| d.code == "missing-attachment" && d.span.is_some())
    );
}

/// The cross-page and app macros of the handbook page resolve against its site data: what a
/// reader checks is that the other pages' content is there and the links go to the site.
#[test]
fn site_data_resolves_cross_page_macros_links_and_mentions() {
    let page = common::root().join("corpus/site-handbook-cloud/page.xhtml");
    let options = common::options_for(&page);
    let attachments = common::attachments_in(page.parent().unwrap());
    let (compiled, pdf) = compile_with(&std::fs::read(&page).unwrap(), &attachments, &options);
    let report = pdf::read_pdf(&pdf.bytes);
    let text = pdf::squash(&report.text);
    for expected in [
        // mention with a display name from the site data
        "Priya Raman",
        // include
        "Error budget",
        // excerpt-include
        "Tier-1 services page the on-call engineer",
        // detailssummary, values from the labelled pages' details tables
        "Payments team",
        "Discovery team",
        "TIER 2",
        // contentbylabel, children, pagetree
        "Cache warm-up runbook",
        // blog-posts
        "Welcome to the new handbook",
        // jira, roadmap, attachments, markdown, app macros
        "PLAT-1423",
        "Move to Postgres 16",
        "service-inventory.csv",
        "Release checklist",
        "Pair with an on-call engineer",
        "Dieses Handbuch gilt",
        "kickoff in September",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from the PDF text"
        );
    }
    for uri in [
        "https://acme-eng.atlassian.net/browse/PLAT-1423",
        "https://acme-eng.atlassian.net/wiki/pages/viewpage.action?pageId=1002",
        "https://acme-eng.atlassian.net/wiki/pages/viewpage.action?pageId=1005",
        "https://acme-eng.atlassian.net/wiki/download/attachments/1000/on-call-handbook.pdf",
    ] {
        assert!(
            report.uris.iter().any(|u| u == uri),
            "no link to {uri}: {:?}",
            report.uris
        );
    }
    let codes: Vec<&str> = compiled
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert!(
        !codes.contains(&"unknown-macro") && !codes.contains(&"missing-attachment"),
        "{codes:?}"
    );
    assert!(codes.contains(&"include-cycle"), "{codes:?}");
}
