//! End-to-end: IR → PDF bytes, checked by reading the PDF back with lopdf.

mod support;

use std::sync::LazyLock;

use folio_ir::{Attachments, Block, Document};
use folio_pdf::{Engine, EngineOptions, RenderOptions, Rendered};
use lopdf::{Dictionary, Object};
use support::*;

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    Engine::new(&EngineOptions {
        system_fonts: false,
    })
});

fn render(document: &Document, attachments: &Attachments) -> (Rendered, lopdf::Document) {
    let options = RenderOptions {
        title: None,
        date: Some((2024, 7, 30)),
    };
    let rendered = ENGINE
        .render_pdf(document, attachments, &options)
        .unwrap_or_else(|e| panic!("{e}"));
    let pdf = lopdf::Document::load_mem(&rendered.pdf).expect("the PDF parses");
    (rendered, pdf)
}

fn resolve<'a>(pdf: &'a lopdf::Document, object: &'a Object) -> &'a Object {
    pdf.dereference(object).map(|(_, o)| o).unwrap_or(object)
}

fn dict<'a>(pdf: &'a lopdf::Document, object: &'a Object) -> Option<&'a Dictionary> {
    resolve(pdf, object).as_dict().ok()
}

/// Every annotation dictionary of every page.
fn annotations(pdf: &lopdf::Document) -> Vec<&Dictionary> {
    let mut out = Vec::new();
    for (_, page) in pdf.get_pages() {
        let page = pdf.get_dictionary(page).unwrap();
        if let Ok(annots) = page.get(b"Annots") {
            for annot in resolve(pdf, annots).as_array().unwrap() {
                out.extend(dict(pdf, annot));
            }
        }
    }
    out
}

/// The URIs of the link annotations.
fn uris(pdf: &lopdf::Document) -> Vec<String> {
    annotations(pdf)
        .into_iter()
        .filter_map(|annot| {
            let action = dict(pdf, annot.get(b"A").ok()?)?;
            let uri = resolve(pdf, action.get(b"URI").ok()?).as_str().ok()?;
            Some(String::from_utf8_lossy(uri).into_owned())
        })
        .collect()
}

/// Link annotations that jump inside the document.
fn internal_links(pdf: &lopdf::Document) -> usize {
    annotations(pdf)
        .into_iter()
        .filter(|annot| {
            annot.get(b"Dest").is_ok()
                || annot
                    .get(b"A")
                    .ok()
                    .and_then(|a| dict(pdf, a))
                    .and_then(|a| a.get(b"S").ok())
                    .and_then(|s| s.as_name().ok())
                    == Some(b"GoTo".as_slice())
        })
        .count()
}

/// Titles of the outline (bookmark) entries, depth first.
fn outline_titles(pdf: &lopdf::Document) -> Vec<String> {
    fn walk(pdf: &lopdf::Document, item: Option<&Object>, out: &mut Vec<String>) {
        let mut next = item;
        while let Some(entry) = next.and_then(|o| dict(pdf, o)) {
            if let Ok(title) = entry.get(b"Title") {
                out.push(decode_pdf_string(
                    resolve(pdf, title).as_str().unwrap_or_default(),
                ));
            }
            walk(pdf, entry.get(b"First").ok(), out);
            next = entry.get(b"Next").ok();
        }
    }
    let mut out = Vec::new();
    let catalog = pdf.catalog().unwrap();
    if let Some(outlines) = catalog.get(b"Outlines").ok().and_then(|o| dict(pdf, o)) {
        walk(pdf, outlines.get(b"First").ok(), &mut out);
    }
    out
}

/// PDF text strings are PDFDocEncoding (ASCII here) or UTF-16BE with a BOM.
fn decode_pdf_string(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = utf16
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

fn image_xobjects(pdf: &lopdf::Document) -> Vec<(i64, i64)> {
    pdf.objects
        .values()
        .filter_map(|object| {
            let stream = object.as_stream().ok()?;
            let dict = &stream.dict;
            (dict.get(b"Subtype").ok()?.as_name().ok()? == b"Image").then(|| {
                let w = dict.get(b"Width").and_then(Object::as_i64).unwrap_or(0);
                let h = dict.get(b"Height").and_then(Object::as_i64).unwrap_or(0);
                (w, h)
            })
        })
        .collect()
}

/// The text layer of all pages, decoded through the fonts' ToUnicode maps (Typst writes Type0
/// fonts with Identity-H encoding; lopdf's own `extract_text` cannot parse their CMaps), with
/// all whitespace removed.
fn all_text(pdf: &lopdf::Document) -> String {
    let mut out = String::new();
    for (_, page) in pdf.get_pages() {
        let fonts: std::collections::BTreeMap<Vec<u8>, std::collections::BTreeMap<u16, String>> =
            pdf.get_page_fonts(page)
                .unwrap()
                .into_iter()
                .map(|(name, font)| (name, to_unicode(pdf, font)))
                .collect();
        let content =
            lopdf::content::Content::decode(&pdf.get_page_content(page).unwrap()).unwrap();
        let mut font = None;
        for op in &content.operations {
            match op.operator.as_str() {
                "Tf" => {
                    font = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|n| fonts.get(n))
                }
                "Tj" | "TJ" => {
                    let Some(map) = font else { continue };
                    let strings = op.operands.iter().flat_map(|o| match o {
                        Object::Array(items) => items.clone(),
                        other => vec![other.clone()],
                    });
                    for string in strings {
                        if let Object::String(bytes, _) = string {
                            for code in bytes.chunks(2).filter(|c| c.len() == 2) {
                                let code = u16::from_be_bytes([code[0], code[1]]);
                                out.push_str(map.get(&code).map_or("\u{fffd}", String::as_str));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out.retain(|c| !c.is_whitespace());
    out
}

/// A font's ToUnicode map: `bfchar` and `bfrange` entries.
fn to_unicode(pdf: &lopdf::Document, font: &Dictionary) -> std::collections::BTreeMap<u16, String> {
    let mut map = std::collections::BTreeMap::new();
    let Some(stream) = font
        .get(b"ToUnicode")
        .ok()
        .and_then(|o| resolve(pdf, o).as_stream().ok())
    else {
        return map;
    };
    let cmap =
        String::from_utf8_lossy(&stream.decompressed_content().unwrap_or_default()).into_owned();
    let hex = |s: &str| -> Vec<u16> {
        let s = s.trim().trim_start_matches('<').trim_end_matches('>');
        (0..s.len() / 4)
            .map(|i| u16::from_str_radix(&s[i * 4..i * 4 + 4], 16).unwrap())
            .collect()
    };
    let utf16 = |units: Vec<u16>| String::from_utf16_lossy(&units);
    let mut section = "";
    for line in cmap.lines() {
        let line = line.trim();
        if line.ends_with("beginbfchar") || line.ends_with("beginbfrange") {
            section = if line.ends_with("beginbfchar") {
                "char"
            } else {
                "range"
            };
            continue;
        }
        if line.starts_with("endbf") {
            section = "";
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        match (section, parts.as_slice()) {
            ("char", [code, dst]) => {
                map.insert(hex(code)[0], utf16(hex(dst)));
            }
            ("range", [lo, hi, dst]) if dst.starts_with('<') => {
                let (lo, hi, dst) = (hex(lo)[0], hex(hi)[0], hex(dst));
                for (i, code) in (lo..=hi).enumerate() {
                    let mut units = dst.clone();
                    *units.last_mut().unwrap() += i as u16;
                    map.insert(code, utf16(units));
                }
            }
            _ => {}
        }
    }
    map
}

/// `needle` without whitespace, to compare with [`all_text`].
fn squeeze(needle: &str) -> String {
    needle.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn showcase_renders_with_links_outlines_images_and_text() {
    let document = showcase();
    let (rendered, pdf) = render(&document, &showcase_attachments());

    assert_eq!(rendered.pages, pdf.get_pages().len());
    assert!(
        (2..=5).contains(&rendered.pages),
        "{} pages",
        rendered.pages
    );

    // URL links are clickable; `javascript:` is not.
    let uris = uris(&pdf);
    assert!(
        uris.contains(&"https://www.atlassian.com/software/confluence".to_owned()),
        "{uris:?}"
    );
    assert!(
        uris.contains(&"mailto:someone@example.com".to_owned()),
        "{uris:?}"
    );
    assert!(
        uris.contains(&"https://example.com/logo.png".to_owned()),
        "{uris:?}"
    );
    assert!(
        !uris.iter().any(|u| u.starts_with("javascript")),
        "{uris:?}"
    );
    // The anchor link and the table of contents jump inside the document.
    assert!(internal_links(&pdf) >= 2, "{}", internal_links(&pdf));

    // One bookmark per heading.
    let headings: Vec<String> = document
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { content, .. } => Some(folio_ir::plain_text(content)),
            _ => None,
        })
        .collect();
    assert_eq!(outline_titles(&pdf), headings);

    // The attachment image is embedded once, at its pixel size.
    assert_eq!(image_xobjects(&pdf), vec![(40, 40)]);

    // Two images could not be shown: both named in warnings, none lost.
    let unavailable: Vec<_> = rendered
        .diagnostics
        .iter()
        .filter(|d| d.code == "image-unavailable")
        .collect();
    assert_eq!(unavailable.len(), 2, "{:?}", rendered.diagnostics);

    // Text is in the text layer.
    let text = all_text(&pdf);
    for needle in [
        "Introduction",
        "Plain text with",
        "Spans two",
        "Image: missing.png",
        "jira-chart",
    ] {
        assert!(
            text.contains(&squeeze(needle)),
            "{needle:?} not in {text:?}"
        );
    }
}

#[test]
fn one_page_is_tens_of_kilobytes() {
    let document = Document {
        title: Some("Small".into()),
        blocks: (0..12)
            .map(|i| p(&format!("Paragraph {i} of prose, long enough to wrap onto a second line of the page when set in ten points.")))
            .collect(),
    };
    let (rendered, pdf) = render(&document, &Attachments::new());
    assert_eq!(rendered.pages, 1);
    assert_eq!(pdf.get_pages().len(), 1);
    assert!(rendered.pdf.len() < 100_000, "{} bytes", rendered.pdf.len());
    assert!(
        rendered.diagnostics.is_empty(),
        "{:?}",
        rendered.diagnostics
    );
}

#[test]
fn long_documents_break_into_pages() {
    let document = Document {
        title: None,
        blocks: (0..400)
            .map(|i| p(&format!("Paragraph number {i}.")))
            .collect(),
    };
    let (rendered, pdf) = render(&document, &Attachments::new());
    assert!(rendered.pages >= 5, "{} pages", rendered.pages);
    assert_eq!(rendered.pages, pdf.get_pages().len());
    assert!(all_text(&pdf).contains(&squeeze("Paragraph number 399.")));
}

#[test]
fn attachment_image_is_embedded() {
    let mut attachments = Attachments::new();
    attachments.insert("pixel.png", tiny_png(3, 2, [0, 0x52, 0xcc]));
    let document = Document {
        title: None,
        blocks: vec![Block::Image(image("pixel.png", Some(30.0)))],
    };
    let (rendered, pdf) = render(&document, &attachments);
    assert_eq!(image_xobjects(&pdf), vec![(3, 2)]);
    assert!(
        rendered.diagnostics.is_empty(),
        "{:?}",
        rendered.diagnostics
    );
}

#[test]
fn missing_attachment_renders_a_placeholder() {
    let document = Document {
        title: None,
        blocks: vec![Block::Image(image("nowhere.png", Some(30.0)))],
    };
    let (rendered, pdf) = render(&document, &Attachments::new());
    assert!(image_xobjects(&pdf).is_empty());
    assert!(
        all_text(&pdf).contains(&squeeze("Image: nowhere.png")),
        "{}",
        all_text(&pdf)
    );
    assert_eq!(rendered.diagnostics.len(), 1, "{:?}", rendered.diagnostics);
    assert_eq!(rendered.diagnostics[0].code, "image-unavailable");

    // Marked missing by the image pass: a placeholder, and no second warning.
    let mut missing = image("nowhere.png", None);
    missing.missing = true;
    let document = Document {
        title: None,
        blocks: vec![Block::Image(missing)],
    };
    let (rendered, _) = render(&document, &Attachments::new());
    assert!(
        rendered.diagnostics.is_empty(),
        "{:?}",
        rendered.diagnostics
    );
}

#[test]
fn output_is_reproducible() {
    let document = showcase();
    let (a, _) = render(&document, &showcase_attachments());
    let (b, _) = render(&document, &showcase_attachments());
    assert!(a.pdf == b.pdf, "two renders of the same document differ");
}

#[test]
fn title_is_in_the_metadata() {
    let document = Document {
        title: Some("Quarterly plan".into()),
        blocks: vec![p("Body.")],
    };
    let (rendered, _) = render(&document, &Attachments::new());
    let raw = String::from_utf8_lossy(&rendered.pdf);
    // In the XMP metadata (uncompressed) as dc:title.
    assert!(raw.contains("Quarterly plan"), "title not found in the PDF");
}

#[test]
fn engine_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Engine>();
}

/// Width and height of every page, in points, from its (possibly inherited) MediaBox.
fn page_sizes(pdf: &lopdf::Document) -> Vec<(f32, f32)> {
    pdf.get_pages()
        .values()
        .map(|&id| {
            let mut page = pdf.get_dictionary(id).unwrap();
            loop {
                if let Ok(media_box) = page.get(b"MediaBox") {
                    let numbers: Vec<f32> = resolve(pdf, media_box)
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|n| n.as_float().unwrap())
                        .collect();
                    return (numbers[2] - numbers[0], numbers[3] - numbers[1]);
                }
                page = dict(pdf, page.get(b"Parent").expect("a MediaBox")).unwrap();
            }
        })
        .collect()
}

/// A table with a header row of `header` and the given body rows, each cell one paragraph.
fn simple_table(header: &[String], rows: &[Vec<String>], widths: Option<f32>) -> Block {
    let row = |texts: &[String], header: bool| folio_ir::Row {
        cells: texts.iter().map(|t| cell(header, vec![p(t)])).collect(),
        in_head: header,
    };
    Block::Table(folio_ir::Table {
        columns: header
            .iter()
            .map(|_| folio_ir::ColumnSpec {
                width: widths.map(folio_ir::Length::Px),
            })
            .collect(),
        rows: std::iter::once(row(header, true))
            .chain(rows.iter().map(|r| row(r, false)))
            .collect(),
        header_rows: 1,
        width: None,
        numbered: false,
        span: folio_ir::Span::DETACHED,
    })
}

#[test]
fn a_very_wide_table_goes_on_landscape_pages_with_its_header_repeated() {
    let columns = 20;
    let header: Vec<String> = (0..columns).map(|c| format!("Head{c:02}")).collect();
    let rows: Vec<Vec<String>> = (0..90)
        .map(|r| (0..columns).map(|c| format!("r{r:02}c{c:02}")).collect())
        .collect();
    let document = Document {
        title: None,
        blocks: vec![
            p("Before the table."),
            heading(2, "Wide table"),
            simple_table(&header, &rows, None),
            p("After the table."),
        ],
    };
    let (rendered, pdf) = render(&document, &Attachments::new());
    let sizes = page_sizes(&pdf);
    let landscape = sizes.iter().filter(|(w, h)| w > h).count();
    assert!(landscape >= 2, "{sizes:?}");
    // Portrait before and after; the landscape pages in one run.
    let (first, last) = (sizes[0], sizes[sizes.len() - 1]);
    assert!(first.0 < first.1 && last.0 < last.1, "{sizes:?}");
    assert_eq!(sizes.len(), landscape + 2, "{sizes:?}");
    assert_eq!(rendered.pages, sizes.len());

    let text = all_text(&pdf);
    // Every cell, whole (nothing clipped, no word broken), and the header on every page.
    for row in &rows {
        for token in row {
            assert!(text.contains(token.as_str()), "{token} not in the text");
        }
    }
    for head in &header {
        assert_eq!(text.matches(head.as_str()).count(), landscape, "{head}");
    }
    // The heading went with the table.
    let before = text.find("Beforethetable.").unwrap();
    let heading = text.find("Widetable").unwrap();
    assert!(before < heading);
    assert!(text.contains("Afterthetable."));
}

#[test]
fn a_moderately_wide_table_stays_portrait() {
    let header: Vec<String> = (0..7).map(|c| format!("Column {c}")).collect();
    let rows: Vec<Vec<String>> = (0..5)
        .map(|r| {
            (0..7)
                .map(|c| format!("value {r}.{c} with a few words"))
                .collect()
        })
        .collect();
    let document = Document {
        title: None,
        blocks: vec![simple_table(&header, &rows, Some(120.0))],
    };
    let (_, pdf) = render(&document, &Attachments::new());
    let sizes = page_sizes(&pdf);
    assert!(sizes.iter().all(|(w, h)| w < h), "{sizes:?}");
    let text = all_text(&pdf);
    for row in &rows {
        for value in row {
            assert!(text.contains(&squeeze(value)), "{value} not in the text");
        }
    }
}

#[test]
fn long_strings_in_narrow_cells_keep_all_their_text_and_no_invisible_characters() {
    let url = format!(
        "https://grafana.example.com/d/aBcD1234EfGh/payments-overview?orgId=1&var-cluster=prod-eu-west-1&{}",
        "segment".repeat(20)
    );
    let identifier = "fraudScoringModelInferenceLatencyMillisecondsP99";
    let rows = vec![vec![
        url.clone(),
        identifier.to_owned(),
        "fct_order_line_sk".to_owned(),
        "BIGINT".to_owned(),
    ]];
    let header: Vec<String> = ["Source", "Metric", "Key", "Type"]
        .map(str::to_owned)
        .to_vec();
    let mut link = simple_table(&header, &[], Some(50.0));
    if let Block::Table(table) = &mut link {
        table.rows.push(folio_ir::Row {
            cells: vec![
                cell(false, vec![para(vec![url_link(&url, &url)])]),
                cell(false, vec![p(identifier)]),
                cell(false, vec![p("fct_order_line_sk")]),
                cell(false, vec![p("BIGINT")]),
            ],
            in_head: false,
        });
    }
    let document = Document {
        title: None,
        blocks: vec![simple_table(&header, &rows, Some(50.0)), link],
    };
    let (_, pdf) = render(&document, &Attachments::new());
    let text = all_text(&pdf);
    for needle in [url.as_str(), identifier, "fct_order_line_sk", "BIGINT"] {
        assert_eq!(
            text.matches(needle).count(),
            2,
            "{needle} not twice in {text}"
        );
    }
    // Break opportunities are not characters: copied text has no zero-width spaces.
    assert!(!text.contains('\u{200b}'), "{text:?}");
    assert!(uris(&pdf).contains(&url));
}
