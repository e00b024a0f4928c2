//! End-to-end: IR → PDF bytes, checked by reading the PDF back with lopdf.

mod support;

use std::sync::LazyLock;

use folio_ir::{Attachments, Block, Document};
use folio_pdf::{
    Cover, Engine, EngineOptions, Metadata, PageSetup, Paper, PdfStandard, RenderOptions, Rendered,
};
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
        ..RenderOptions::default()
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
    page_texts(pdf).concat()
}

/// The text layer of each page, as [`all_text`] reads it.
fn page_texts(pdf: &lopdf::Document) -> Vec<String> {
    pdf.get_pages()
        .into_values()
        .map(|page| page_text(pdf, page))
        .collect()
}

fn page_text(pdf: &lopdf::Document, page: lopdf::ObjectId) -> String {
    let mut out = String::new();
    let fonts: std::collections::BTreeMap<Vec<u8>, std::collections::BTreeMap<u16, String>> = pdf
        .get_page_fonts(page)
        .unwrap()
        .into_iter()
        .map(|(name, font)| (name, to_unicode(pdf, font)))
        .collect();
    let content = lopdf::content::Content::decode(&pdf.get_page_content(page).unwrap()).unwrap();
    let mut font = None;
    // Marked content open, and whether each replaces its text with an `ActualText` (as the PDF
    // writer does for a glyph drawn for other text than its own, an emoji's characters say).
    let mut marked: Vec<bool> = Vec::new();
    for op in &content.operations {
        match op.operator.as_str() {
            "BMC" => marked.push(false),
            "BDC" => {
                let actual = op
                    .operands
                    .get(1)
                    .and_then(|o| o.as_dict().ok())
                    .and_then(|d| d.get(b"ActualText").ok())
                    .and_then(|o| o.as_str().ok());
                if let Some(actual) = actual.filter(|_| !marked.contains(&true)) {
                    out.push_str(&decode_pdf_string(actual));
                }
                marked.push(actual.is_some());
            }
            "EMC" => {
                marked.pop();
            }
            _ if marked.contains(&true) => {}
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
fn image_dpi_embeds_a_screenshot_at_its_printed_size_in_a_smaller_pdf() {
    // A capture far wider than the column, with detail in every pixel (noise does not
    // compress away, as a screenshot's text does not).
    let mut seed = 0x2545_f491_u32;
    let pixels = image::RgbImage::from_fn(1800, 1000, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let v = (seed >> 24) as u8;
        image::Rgb([v, v, v])
    });
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let mut attachments = Attachments::new();
    attachments.insert("capture.png", png);
    let mut shown = image("capture.png", None);
    shown.intrinsic = Some((1800, 1000));
    let document = Document {
        title: None,
        blocks: vec![Block::Image(shown)],
    };

    let (original, pdf) = render_with(&document, &attachments, &dated());
    assert_eq!(image_xobjects(&pdf), vec![(1800, 1000)]);

    let options = RenderOptions {
        image_dpi: Some(150),
        ..dated()
    };
    let (capped, pdf) = render_with(&document, &attachments, &options);
    // Printed across the text column: the column's width in inches at 150 pixels per inch.
    let column_px = (options.page.text_width_mm() / 25.4 * 150.0).ceil() as i64;
    assert_eq!(
        image_xobjects(&pdf),
        vec![(column_px, column_px * 1000 / 1800)]
    );
    assert!(
        capped.pdf.len() * 2 < original.pdf.len(),
        "{} bytes capped, {} bytes original",
        capped.pdf.len(),
        original.pdf.len()
    );
    assert_eq!(capped.pages, original.pages);

    // A PDF/A document embeds no PDFs: the scaled image reaches Typst as a PNG of its own.
    let archived = RenderOptions {
        pdf_standard: PdfStandard::A2b,
        ..options
    };
    let (_, pdf) = render_with(&document, &attachments, &archived);
    assert_eq!(
        image_xobjects(&pdf),
        vec![(column_px, column_px * 1000 / 1800)]
    );
}

/// The colour image XObjects' sizes, whether each has a soft mask (transparency), and their
/// colour samples as written.
fn image_samples(pdf: &lopdf::Document) -> Vec<((i64, i64), bool, Vec<u8>)> {
    let is_image = |dict: &Dictionary| {
        dict.get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|name| name == b"Image")
    };
    // Soft masks are images too: the grey alpha of another.
    let masks: Vec<lopdf::ObjectId> = pdf
        .objects
        .values()
        .filter_map(|object| {
            let dict = &object.as_stream().ok()?.dict;
            is_image(dict).then(|| dict.get(b"SMask").and_then(Object::as_reference).ok())?
        })
        .collect();
    pdf.objects
        .iter()
        .filter(|(id, _)| !masks.contains(id))
        .filter_map(|(_, object)| {
            let stream = object.as_stream().ok()?;
            let dict = &stream.dict;
            if !is_image(dict) {
                return None;
            }
            let w = dict.get(b"Width").and_then(Object::as_i64).ok()?;
            let h = dict.get(b"Height").and_then(Object::as_i64).ok()?;
            let samples = stream.decompressed_content().ok()?;
            Some(((w, h), dict.get(b"SMask").is_ok(), samples))
        })
        .collect()
}

#[test]
fn an_opaque_rgba_screenshot_is_embedded_without_a_soft_mask_and_a_translucent_one_with_it() {
    // A macOS screenshot is RGBA with every pixel opaque.
    let screenshot = |alpha_at_origin: u8| {
        let pixels = image::RgbaImage::from_fn(600, 400, |x, y| {
            let alpha = if (x, y) == (0, 0) {
                alpha_at_origin
            } else {
                255
            };
            image::Rgba([(x % 256) as u8, (y % 256) as u8, 200, alpha])
        });
        let mut png = Vec::new();
        image::DynamicImage::ImageRgba8(pixels)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        png
    };
    let mut attachments = Attachments::new();
    attachments.insert("opaque.png", screenshot(255));
    attachments.insert("translucent.png", screenshot(128));
    let shown = |name: &str| {
        let mut shown = image(name, Some(300.0));
        shown.intrinsic = Some((600, 400));
        Block::Image(shown)
    };
    let document = Document {
        title: None,
        blocks: vec![shown("opaque.png"), shown("translucent.png")],
    };
    let (rendered, pdf) = render(&document, &attachments);
    assert!(
        rendered.diagnostics.is_empty(),
        "{:?}",
        rendered.diagnostics
    );
    let images = image_samples(&pdf);
    let masked: Vec<bool> = images.iter().map(|(_, masked, _)| *masked).collect();
    assert_eq!(images.len(), 2, "{masked:?}");
    assert!(
        masked.contains(&true) && masked.contains(&false),
        "{masked:?}"
    );
    // Both keep every colour value, as RGB.
    let expected: Vec<u8> = (0..400u32)
        .flat_map(|y| (0..600u32).flat_map(move |x| [(x % 256) as u8, (y % 256) as u8, 200]))
        .collect();
    for (size, masked, samples) in &images {
        assert_eq!(*size, (600, 400));
        assert!(
            *samples == expected,
            "the colours of the image (soft mask: {masked}) changed"
        );
    }
}

/// Browsers show Windows bitmaps and icons, so Confluence does: folio shows them with their
/// pixels, in a PDF/A too (where Typst reads them as PNGs rather than folio's own PDFs).
#[test]
fn bmp_and_ico_attachments_are_shown_with_their_pixels() {
    // Two pictures apart (one PDF image would serve two of the same pixels).
    let colours = |x: u32, y: u32, blue: u8| [(x * 40) as u8, (y * 60) as u8, blue];
    let file = |blue: u8, format: image::ImageFormat| {
        let pixels = image::RgbImage::from_fn(6, 4, |x, y| image::Rgb(colours(x, y, blue)));
        let mut file = Vec::new();
        image::DynamicImage::ImageRgb8(pixels)
            .write_to(&mut std::io::Cursor::new(&mut file), format)
            .unwrap();
        file
    };
    let mut attachments = Attachments::new();
    attachments.insert("scan.bmp", file(180, image::ImageFormat::Bmp));
    attachments.insert("app.ico", file(90, image::ImageFormat::Ico));
    let shown = |name: &str| {
        let mut shown = image(name, Some(60.0));
        shown.intrinsic = Some((6, 4));
        Block::Image(shown)
    };
    let document = Document {
        title: None,
        blocks: vec![shown("scan.bmp"), shown("app.ico")],
    };
    let expected = |blue: u8| -> Vec<u8> {
        (0..4)
            .flat_map(|y| (0..6).flat_map(move |x| colours(x, y, blue)))
            .collect()
    };
    for standard in [PdfStandard::None, PdfStandard::A2b] {
        let options = RenderOptions {
            pdf_standard: standard,
            ..dated()
        };
        let (rendered, pdf) = render_with(&document, &attachments, &options);
        assert!(
            rendered.diagnostics.is_empty(),
            "{standard:?}: {:?}",
            rendered.diagnostics
        );
        let mut samples: Vec<Vec<u8>> = image_samples(&pdf)
            .into_iter()
            .map(|(size, _, samples)| {
                assert_eq!(size, (6, 4), "{standard:?}");
                samples
            })
            .collect();
        samples.sort();
        assert!(
            samples == [expected(90), expected(180)],
            "{standard:?}: the images' colours changed: {samples:?}"
        );
    }
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

/// Images are decoded while the page is typeset; one whose header reads as a PNG but whose
/// pixels do not decode still ends as a placeholder, and the other images are shown.
#[test]
fn an_image_that_does_not_decode_renders_a_placeholder_beside_the_others() {
    let mut broken = tiny_png(4, 4, [0xcc, 0, 0]);
    // Cut inside the pixel data: the signature and the header chunk are intact.
    broken.truncate(broken.len() - 20);
    let mut attachments = Attachments::new();
    attachments.insert("pixel.png", tiny_png(3, 2, [0, 0x52, 0xcc]));
    attachments.insert("broken.png", broken);
    let document = Document {
        title: None,
        blocks: vec![
            Block::Image(image("broken.png", Some(30.0))),
            Block::Image(image("pixel.png", Some(30.0))),
        ],
    };
    let (rendered, pdf) = render(&document, &attachments);
    assert_eq!(image_xobjects(&pdf), vec![(3, 2)]);
    assert!(
        all_text(&pdf).contains(&squeeze("Image: broken.png")),
        "{}",
        all_text(&pdf)
    );
    assert_eq!(rendered.diagnostics.len(), 1, "{:?}", rendered.diagnostics);
    assert_eq!(rendered.diagnostics[0].code, "image-unavailable");
    assert!(rendered.diagnostics[0].message.contains("broken.png"));
    // The hint says why an image in a known format may not load.
    let hints = rendered.diagnostics[0].hints.join(" ");
    assert!(hints.contains("damaged or cut short"), "{hints}");
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

// ---- Page setup, navigation and themes ---------------------------------------------------

fn render_with(
    document: &Document,
    attachments: &Attachments,
    options: &RenderOptions,
) -> (Rendered, lopdf::Document) {
    let rendered = ENGINE
        .render_pdf(document, attachments, options)
        .unwrap_or_else(|e| panic!("{e}"));
    let pdf = lopdf::Document::load_mem(&rendered.pdf).expect("the PDF parses");
    (rendered, pdf)
}

fn dated() -> RenderOptions {
    RenderOptions {
        date: Some((2024, 7, 30)),
        ..RenderOptions::default()
    }
}

/// The options of a bookish export: a cover, a table of contents of three levels, a header with
/// the page title and a "Page X of Y" footer.
fn book_options() -> RenderOptions {
    RenderOptions {
        title: Some("Team handbook".into()),
        space_name: Some("Engineering".into()),
        page: PageSetup {
            header: Some("{title} | {page-title}".into()),
            footer: Some("{space}: Page {page} of {pages}".into()),
            ..PageSetup::default()
        },
        cover: Some(Cover {
            title: "Team handbook".into(),
            subtitle: Some("How we work".into()),
            ..Cover::default()
        }),
        toc: Some(3),
        ..dated()
    }
}

/// The 0-based index of the page a destination points to: an explicit destination array, or a
/// name looked up in the catalog's `/Dests` or `/Names /Dests` tree.
fn dest_page(pdf: &lopdf::Document, dest: &Object) -> Option<usize> {
    let pages: Vec<lopdf::ObjectId> = pdf.get_pages().into_values().collect();
    let dest = resolve(pdf, dest);
    match dest {
        Object::Array(items) => {
            let page = items.first()?.as_reference().ok()?;
            pages.iter().position(|&p| p == page)
        }
        Object::Dictionary(d) => dest_page(pdf, d.get(b"D").ok()?),
        Object::Name(name) | Object::String(name, _) => {
            let catalog = pdf.catalog().ok()?;
            if let Some(dests) = catalog.get(b"Dests").ok().and_then(|d| dict(pdf, d))
                && let Ok(found) = dests.get(name)
            {
                return dest_page(pdf, found);
            }
            let names = dict(pdf, catalog.get(b"Names").ok()?)?;
            let tree = dict(pdf, names.get(b"Dests").ok()?)?;
            fn lookup<'a>(
                pdf: &'a lopdf::Document,
                node: &'a Dictionary,
                name: &[u8],
            ) -> Option<&'a Object> {
                if let Ok(names) = node.get(b"Names").and_then(Object::as_array) {
                    for pair in names.chunks(2) {
                        if resolve(pdf, &pair[0]).as_str().ok()? == name {
                            return pair.get(1);
                        }
                    }
                }
                if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
                    for kid in kids {
                        if let Some(found) = dict(pdf, kid).and_then(|k| lookup(pdf, k, name)) {
                            return Some(found);
                        }
                    }
                }
                None
            }
            dest_page(pdf, lookup(pdf, tree, name)?)
        }
        _ => None,
    }
}

/// The outline (bookmarks), depth first: title, depth (0 = top) and the 0-based page index it
/// jumps to.
fn outline_entries(pdf: &lopdf::Document) -> Vec<(String, usize, Option<usize>)> {
    fn walk(
        pdf: &lopdf::Document,
        item: Option<&Object>,
        depth: usize,
        out: &mut Vec<(String, usize, Option<usize>)>,
    ) {
        let mut next = item;
        while let Some(entry) = next.and_then(|o| dict(pdf, o)) {
            let title = entry
                .get(b"Title")
                .map(|t| decode_pdf_string(resolve(pdf, t).as_str().unwrap_or_default()))
                .unwrap_or_default();
            let page = entry
                .get(b"Dest")
                .ok()
                .or_else(|| entry.get(b"A").ok())
                .and_then(|d| dest_page(pdf, d));
            out.push((title, depth, page));
            walk(pdf, entry.get(b"First").ok(), depth + 1, out);
            next = entry.get(b"Next").ok();
        }
    }
    let mut out = Vec::new();
    let catalog = pdf.catalog().unwrap();
    if let Some(outlines) = catalog.get(b"Outlines").ok().and_then(|o| dict(pdf, o)) {
        walk(pdf, outlines.get(b"First").ok(), 0, &mut out);
    }
    out
}

/// The 0-based page index of every internal link annotation's destination, with the index of
/// the page the link is on.
fn internal_link_pages(pdf: &lopdf::Document) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (index, (_, page)) in pdf.get_pages().into_iter().enumerate() {
        let page = pdf.get_dictionary(page).unwrap();
        let Ok(annots) = page.get(b"Annots") else {
            continue;
        };
        for annot in resolve(pdf, annots).as_array().unwrap() {
            let Some(annot) = dict(pdf, annot) else {
                continue;
            };
            let dest = annot.get(b"Dest").ok().or_else(|| annot.get(b"A").ok());
            if let Some(target) = dest.and_then(|d| dest_page(pdf, d)) {
                out.push((index, target));
            }
        }
    }
    out
}

/// The XMP metadata stream, as text.
fn xmp(pdf: &lopdf::Document) -> String {
    let catalog = pdf.catalog().unwrap();
    let stream = resolve(pdf, catalog.get(b"Metadata").expect("XMP metadata"))
        .as_stream()
        .unwrap();
    let bytes = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A value of the document information dictionary.
fn info(pdf: &lopdf::Document, key: &[u8]) -> Option<String> {
    let info = dict(pdf, pdf.trailer.get(b"Info").ok()?)?;
    Some(decode_pdf_string(
        resolve(pdf, info.get(key).ok()?).as_str().ok()?,
    ))
}

#[test]
fn paper_sizes_and_landscape_set_the_media_box() {
    let document = Document {
        title: None,
        blocks: vec![p("Body.")],
    };
    let cases = [
        (Paper::A4, false, (595.28, 841.89)),
        (Paper::Letter, false, (612.0, 792.0)),
        (Paper::Letter, true, (792.0, 612.0)),
        (Paper::Legal, false, (612.0, 1008.0)),
        (
            Paper::Custom {
                width_mm: 100.0,
                height_mm: 150.0,
            },
            true,
            (425.2, 283.46),
        ),
    ];
    for (paper, landscape, (width, height)) in cases {
        let options = RenderOptions {
            page: PageSetup {
                paper,
                landscape,
                ..PageSetup::default()
            },
            ..dated()
        };
        let (_, pdf) = render_with(&document, &Attachments::new(), &options);
        let (w, h) = page_sizes(&pdf)[0];
        assert!(
            (w - width).abs() < 0.5 && (h - height).abs() < 0.5,
            "{paper:?} landscape {landscape}: {w}×{h}"
        );
    }
}

#[test]
fn a_wide_table_on_landscape_paper_shrinks_on_its_page_instead_of_turning() {
    let header: Vec<String> = (0..20).map(|c| format!("Head{c:02}")).collect();
    let rows: Vec<Vec<String>> = (0..5)
        .map(|r| (0..20).map(|c| format!("r{r:02}c{c:02}")).collect())
        .collect();
    let document = Document {
        title: None,
        blocks: vec![simple_table(&header, &rows, None)],
    };
    let options = RenderOptions {
        page: PageSetup {
            landscape: true,
            margins_mm: Some([10.0, 10.0, 10.0, 10.0]),
            ..PageSetup::default()
        },
        ..dated()
    };
    let (_, pdf) = render_with(&document, &Attachments::new(), &options);
    assert!(page_sizes(&pdf).iter().all(|(w, h)| w > h));
    let text = all_text(&pdf);
    for token in rows.iter().flatten() {
        assert!(text.contains(token.as_str()), "{token} not in the text");
    }
}

#[test]
fn header_and_footer_templates_print_on_every_page_with_page_numbers_and_part_titles() {
    let document = export_document();
    let (rendered, pdf) = render_with(&document, &Attachments::new(), &book_options());
    let texts = page_texts(&pdf);
    // The cover is not counted: the next page is page 1.
    let total = rendered.pages - 1;
    assert!(total >= 6, "{total} pages after the cover");
    assert!(!texts[0].contains("Page"), "cover: {}", texts[0]);
    for (number, text) in texts.iter().enumerate().skip(1) {
        let footer = format!("Engineering:Page{number}of{total}");
        assert!(text.ends_with(&footer), "page {number}: {text}");
        assert!(text.starts_with("Teamhandbook|"), "page {number}: {text}");
    }
    // The page title is the part the page belongs to, also on its continuation pages.
    let part_of = |index: usize| texts[index].strip_prefix("Teamhandbook|").unwrap();
    let outline = outline_entries(&pdf);
    let start = |title: &str| {
        outline
            .iter()
            .find(|(t, _, _)| t == title)
            .and_then(|(_, _, page)| *page)
            .unwrap_or_else(|| panic!("{title} not in the outline: {outline:?}"))
    };
    let handbook = start("Handbook");
    let engineering = start("Engineering");
    assert!(engineering > handbook + 1, "the handbook spans pages");
    for index in handbook..engineering {
        assert!(part_of(index).starts_with("Handbook"), "page {index}");
    }
    assert!(part_of(engineering).starts_with("Engineering"));
    assert!(part_of(start("Onboarding")).starts_with("Onboarding"));
    assert!(part_of(start("Release notes for June")).starts_with("ReleasenotesforJune"));
    // Before any part (the table of contents): the document's title.
    assert!(part_of(1).starts_with("Teamhandbook"), "{}", texts[1]);
}

#[test]
fn cover_comes_first_and_the_contents_print_the_pages_parts_start_on() {
    let document = export_document();
    let (_, pdf) = render_with(&document, &Attachments::new(), &book_options());
    let texts = page_texts(&pdf);
    assert!(texts[0].starts_with("Teamhandbook"), "{}", texts[0]);
    assert!(texts[0].contains("Howwework"));
    assert!(texts[0].contains("Engineering"));
    assert!(texts[0].contains("2024-07-30"));
    let contents = &texts[1];
    assert!(contents.contains("Contents"), "{contents}");

    let outline = outline_entries(&pdf);
    let mut checked = 0;
    for title in [
        "Handbook",
        "Engineering",
        "Onboarding",
        "Design",
        "Release notes for June",
    ] {
        let (_, _, page) = outline.iter().find(|(t, _, _)| t == title).unwrap();
        let page = page.expect("the bookmark has a destination");
        // The number after the title's dotted leader in the contents…
        let squeezed = squeeze(title);
        let at = contents
            .find(&format!("{squeezed}."))
            .unwrap_or_else(|| panic!("{title} not in {contents}"));
        // (The PDF writer spells the word joiner before the number out as an `ActualText`.)
        let printed: String = contents[at + squeezed.len()..]
            .trim_start_matches(['.', '\u{2060}'])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        // …is the number in the footer of the page the bookmark (the heading) is on.
        assert!(
            texts[page].contains(&format!("Page{printed}of")),
            "{title}: contents say {printed}, its page says {}",
            texts[page]
        );
        checked += 1;
    }
    assert_eq!(checked, 5);
    // Each contents entry is a link to the page it names; so are the links between pages.
    let links = internal_link_pages(&pdf);
    let from_contents: Vec<usize> = links
        .iter()
        .filter(|(on, _)| *on == 1)
        .map(|(_, to)| *to)
        .collect();
    assert!(from_contents.len() >= 5, "{links:?}");
    let onboarding = outline
        .iter()
        .find(|(t, _, _)| t == "Onboarding")
        .unwrap()
        .2
        .unwrap();
    let handbook = outline
        .iter()
        .find(|(t, _, _)| t == "Handbook")
        .unwrap()
        .2
        .unwrap();
    assert!(links.contains(&(handbook, onboarding)), "{links:?}");
    assert!(links.contains(&(onboarding, handbook)), "{links:?}");
}

#[test]
fn parts_nest_in_the_bookmarks_below_six_levels() {
    let document = export_document();
    let (_, pdf) = render_with(&document, &Attachments::new(), &dated());
    let outline: Vec<(String, usize)> = outline_entries(&pdf)
        .into_iter()
        .map(|(t, d, _)| (t, d))
        .collect();
    let expected = [
        ("Handbook", 0),
        ("Handbook section", 1),
        ("Engineering", 1),
        ("Principles", 2),
        ("Onboarding", 2),
        ("First week", 3),
        ("A very deep heading", 4),
        ("Design", 1),
        ("Release notes for June", 0),
    ];
    let expected: Vec<(String, usize)> =
        expected.iter().map(|(t, d)| (t.to_string(), *d)).collect();
    assert_eq!(outline, expected);
    // Every part starts a page; the blog post has its byline.
    let texts = page_texts(&pdf);
    for title in ["Handbook", "Engineering", "Onboarding", "Design"] {
        assert!(
            texts.iter().any(|t| t.starts_with(&squeeze(title))),
            "{title} does not start a page"
        );
    }
    let blog = texts.last().unwrap();
    assert!(
        blog.starts_with("ReleasenotesforJuneAliceExample·2024-06-28"),
        "{blog}"
    );
}

#[test]
fn watermark_is_on_every_page() {
    let options = RenderOptions {
        page: PageSetup {
            watermark: Some("CONFIDENTIAL".into()),
            ..PageSetup::default()
        },
        ..dated()
    };
    let (rendered, pdf) = render_with(&export_document(), &Attachments::new(), &options);
    let texts = page_texts(&pdf);
    assert_eq!(texts.len(), rendered.pages);
    for text in &texts {
        assert!(text.contains("CONFIDENTIAL"), "{text}");
    }
}

#[test]
fn metadata_reaches_the_info_dictionary_and_xmp() {
    let document = Document {
        title: Some("Quarterly plan".into()),
        blocks: vec![p("본문과 body.")],
    };
    let options = RenderOptions {
        metadata: Metadata {
            author: Some("Kim Minji".into()),
            subject: Some("Plans for the quarter".into()),
            keywords: vec!["planning".into(), "q3".into()],
            language: Some("ko-KR".into()),
        },
        ..dated()
    };
    let (_, pdf) = render_with(&document, &Attachments::new(), &options);
    assert_eq!(info(&pdf, b"Title").as_deref(), Some("Quarterly plan"));
    assert_eq!(info(&pdf, b"Author").as_deref(), Some("Kim Minji"));
    assert_eq!(
        info(&pdf, b"Subject").as_deref(),
        Some("Plans for the quarter")
    );
    let keywords = info(&pdf, b"Keywords").unwrap_or_default();
    assert!(
        keywords.contains("planning") && keywords.contains("q3"),
        "{keywords}"
    );
    let lang = pdf
        .catalog()
        .unwrap()
        .get(b"Lang")
        .map(|l| decode_pdf_string(resolve(&pdf, l).as_str().unwrap()))
        .unwrap();
    assert_eq!(lang, "ko-KR");
    let xmp = xmp(&pdf);
    for needle in ["Kim Minji", "planning", "Plans for the quarter", "ko-KR"] {
        assert!(xmp.contains(needle), "{needle} not in the XMP: {xmp}");
    }
}

#[test]
fn the_default_language_is_english() {
    let (_, pdf) = render(
        &Document {
            title: None,
            blocks: vec![p("Body.")],
        },
        &Attachments::new(),
    );
    let lang = pdf.catalog().unwrap().get(b"Lang").unwrap();
    assert_eq!(
        decode_pdf_string(resolve(&pdf, lang).as_str().unwrap()),
        "en"
    );
}

/// Images reach Typst as PDFs of their pixels, which PDF/A and PDF/UA may not embed: under
/// those standards Typst gets the images themselves. Either way every image is in the PDF at its
/// full size, and the text around it is there.
#[test]
fn images_are_embedded_whatever_the_standard() {
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(40, 30, |x, y| {
        image::Rgb([x as u8 * 6, y as u8 * 8, 90])
    }))
    .write_to(
        &mut std::io::Cursor::new(&mut jpeg),
        image::ImageFormat::Jpeg,
    )
    .unwrap();
    let mut attachments = Attachments::new();
    attachments.insert("square.png", tiny_png(24, 16, [0xcc, 0, 0]));
    attachments.insert("photo.jpg", jpeg);
    let document = Document {
        title: Some("Images".into()),
        blocks: vec![
            heading(1, "Images"),
            Block::Image(image("square.png", Some(60.0))),
            Block::Image(image("photo.jpg", None)),
        ],
    };
    for (pdf_standard, tagged) in [
        (PdfStandard::None, false),
        (PdfStandard::None, true),
        (PdfStandard::A2b, false),
        (PdfStandard::Ua1, true),
    ] {
        let options = RenderOptions {
            pdf_standard,
            tagged,
            ..book_options()
        };
        let (rendered, pdf) = render_with(&document, &attachments, &options);
        assert!(
            rendered.diagnostics.is_empty(),
            "{pdf_standard:?}: {:?}",
            rendered.diagnostics
        );
        let mut images = image_xobjects(&pdf);
        images.sort();
        assert_eq!(images, vec![(24, 16), (40, 30)], "{pdf_standard:?}");
        assert!(
            all_text(&pdf).contains(&squeeze("Figure 1: a red square")),
            "{pdf_standard:?}"
        );
    }
}

#[test]
fn pdf_a_2b_output_declares_the_standard() {
    let options = RenderOptions {
        pdf_standard: PdfStandard::A2b,
        ..book_options()
    };
    let (_, pdf) = render_with(&export_document(), &Attachments::new(), &options);
    let xmp = xmp(&pdf);
    assert!(
        xmp.contains("<pdfaid:part>2</pdfaid:part>") || xmp.contains("pdfaid:part=\"2\""),
        "{xmp}"
    );
    assert!(
        xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>")
            || xmp.contains("pdfaid:conformance=\"B\""),
        "{xmp}"
    );
}

/// A character no font has is drawn with the font's `.notdef` glyph, which PDF/A and PDF/UA
/// forbid: folio draws a rectangle from the font in its place (as `.notdef` looks), keeps the
/// character in the text layer and warns, so that one emoji does not stop an archival export.
#[test]
fn pdf_a_and_ua_keep_characters_no_font_has_as_rectangles_with_a_warning() {
    let document = Document {
        title: Some("Glyphs".into()),
        // Linear B: no embedded font has it, and system fonts are off.
        blocks: vec![
            heading(1, "Section"),
            p("\u{10000} and \u{10000}\u{10000} ok"),
        ],
    };
    for pdf_standard in [PdfStandard::A2b, PdfStandard::Ua1] {
        let options = RenderOptions {
            pdf_standard,
            ..dated()
        };
        let (rendered, pdf) = render_with(&document, &Attachments::new(), &options);
        let warnings: Vec<&str> = rendered
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(warnings, ["missing-glyphs"], "{pdf_standard:?}");
        assert!(rendered.diagnostics[0].message.starts_with("3 characters"));
        assert_eq!(
            all_text(&pdf),
            squeeze("Glyphs Section \u{10000} and \u{10000}\u{10000} ok 1 / 1"),
            "{pdf_standard:?}"
        );
        // The pages are put together again: the bookmarks stay.
        assert_eq!(outline_titles(&pdf), ["Section"], "{pdf_standard:?}");
    }
}

#[test]
fn pdf_ua_1_needs_a_title_and_declares_the_standard() {
    let document = Document {
        title: None,
        blocks: vec![heading(1, "Heading"), p("Body.")],
    };
    let options = RenderOptions {
        pdf_standard: PdfStandard::Ua1,
        ..dated()
    };
    match ENGINE.render_pdf(&document, &Attachments::new(), &options) {
        Err(folio_pdf::RenderError::Standard { standard, message }) => {
            assert_eq!(standard, "PDF/UA-1");
            assert!(message.contains("title"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let options = RenderOptions {
        title: Some("Accessible".into()),
        ..options
    };
    let (_, pdf) = render_with(&document, &Attachments::new(), &options);
    assert!(xmp(&pdf).contains("pdfuaid"), "{}", xmp(&pdf));
}

#[test]
fn a_user_theme_replaces_functions_and_values() {
    let theme = r##"
#let folio-palette = (heading: rgb("#7a1f1f"))
#let folio-footer(body) = align(right, [Custom footer #body])
#let folio-title(body) = block(text(size: 30pt, [Title: ] + body))
"##;
    let document = Document {
        title: Some("Themed".into()),
        blocks: vec![heading(1, "Heading"), p("Body.")],
    };
    let options = RenderOptions {
        theme: Some(theme.into()),
        ..dated()
    };
    let markup = folio_pdf::lower_document(&document, &options);
    assert!(
        markup.contains("#import \"/user-theme.typ\": *"),
        "{markup}"
    );
    let (_, pdf) = render_with(&document, &Attachments::new(), &options);
    let text = all_text(&pdf);
    assert!(text.contains("Customfooter1/1"), "{text}");
    assert!(text.starts_with("Title:Themed"), "{text}");
    // The heading's colour, #7a1f1f, is a fill colour in the page's content.
    let page = *pdf.get_pages().values().next().unwrap();
    let content = String::from_utf8_lossy(&pdf.get_page_content(page).unwrap()).into_owned();
    assert!(
        content.contains("0.47843137 0.12156863 0.12156863 scn"),
        "no heading colour in {content}"
    );
}

#[test]
fn a_broken_user_theme_is_a_theme_error_with_its_line() {
    let document = Document {
        title: None,
        blocks: vec![p("Body.")],
    };
    let options = RenderOptions {
        theme: Some("// fine\n#let folio-palette = (text: rgb(\"nope\"))\n".into()),
        ..dated()
    };
    match ENGINE.render_pdf(&document, &Attachments::new(), &options) {
        Err(error @ folio_pdf::RenderError::Theme(_)) => {
            let message = error.to_string();
            assert!(message.contains("theme line 2"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // A theme cannot import the bundled theme (which imports it), files or packages.
    for import in [
        "#import \"/theme.typ\": folio-palette",
        "#import \"/etc/passwd\": x",
        "#import \"@preview/example:0.1.0\": *",
    ] {
        let options = RenderOptions {
            theme: Some(import.into()),
            ..dated()
        };
        match ENGINE.render_pdf(&document, &Attachments::new(), &options) {
            Err(folio_pdf::RenderError::Theme(message)) => {
                assert!(message.contains("theme line 1"), "{message}")
            }
            other => panic!("{import}: {other:?}"),
        }
    }
}

#[test]
fn template_text_is_printed_literally() {
    let header = r#"#read("/etc/passwd") $x$ <l> @ref *bold* {nope {page}"#;
    let options = RenderOptions {
        page: PageSetup {
            header: Some(header.into()),
            footer: Some("\\{pages}] [".into()),
            ..PageSetup::default()
        },
        ..dated()
    };
    let document = Document {
        title: None,
        blocks: vec![p("Body.")],
    };
    let (_, pdf) = render_with(&document, &Attachments::new(), &options);
    let text = all_text(&pdf);
    assert!(
        text.starts_with(r#"#read("/etc/passwd")$x$<l>@ref*bold*{nope1"#),
        "{text}"
    );
    assert!(text.ends_with("\\1]["), "{text}");
}

#[test]
fn invalid_options_are_reported_not_rendered() {
    let document = Document {
        title: None,
        blocks: vec![p("Body.")],
    };
    let cases = [
        RenderOptions {
            page: PageSetup {
                footer: Some("Page {pge}".into()),
                ..PageSetup::default()
            },
            ..dated()
        },
        RenderOptions {
            page: PageSetup {
                paper: Paper::Custom {
                    width_mm: 10.0,
                    height_mm: f32::NAN,
                },
                ..PageSetup::default()
            },
            ..dated()
        },
        RenderOptions {
            page: PageSetup {
                margins_mm: Some([150.0, 10.0, 150.0, 10.0]),
                ..PageSetup::default()
            },
            ..dated()
        },
        RenderOptions {
            metadata: Metadata {
                language: Some("english!".into()),
                ..Metadata::default()
            },
            ..dated()
        },
        RenderOptions {
            toc: Some(0),
            ..dated()
        },
    ];
    for options in cases {
        match ENGINE.render_pdf(&document, &Attachments::new(), &options) {
            Err(folio_pdf::RenderError::Options(_)) => {}
            other => panic!("{options:?}: {other:?}"),
        }
    }
}

#[test]
fn a_cover_logo_is_embedded_and_a_missing_one_is_a_warning() {
    let mut attachments = Attachments::new();
    attachments.insert("logo.png", tiny_png(5, 4, [0xcc, 0, 0]));
    let document = Document {
        title: None,
        blocks: vec![p("Body.")],
    };
    let mut options = RenderOptions {
        cover: Some(Cover {
            title: "With a logo".into(),
            logo: Some("logo.png".into()),
            ..Cover::default()
        }),
        ..dated()
    };
    let (rendered, pdf) = render_with(&document, &attachments, &options);
    assert_eq!(image_xobjects(&pdf), vec![(5, 4)]);
    assert!(
        rendered.diagnostics.is_empty(),
        "{:?}",
        rendered.diagnostics
    );
    assert_eq!(rendered.pages, 2);

    options.cover.as_mut().unwrap().logo = Some("nowhere.png".into());
    let (rendered, pdf) = render_with(&document, &attachments, &options);
    assert!(image_xobjects(&pdf).is_empty());
    assert_eq!(rendered.diagnostics.len(), 1, "{:?}", rendered.diagnostics);
    assert_eq!(rendered.diagnostics[0].code, "image-unavailable");
}

#[test]
fn a_part_inside_a_container_renders_without_a_page_break() {
    let document = Document {
        title: None,
        blocks: vec![Block::Quote {
            blocks: vec![part("7", "Quoted page", 1, vec![p("Inside.")])],
            span: folio_ir::Span::DETACHED,
        }],
    };
    let (rendered, pdf) = render_with(&document, &Attachments::new(), &dated());
    assert_eq!(rendered.pages, 1);
    assert!(all_text(&pdf).contains("QuotedpageInside."));
}

#[test]
fn page_labels_show_the_printed_numbers_in_viewers() {
    let (rendered, pdf) = render_with(&export_document(), &Attachments::new(), &book_options());
    let catalog = pdf.catalog().unwrap();
    let labels = dict(&pdf, catalog.get(b"PageLabels").unwrap()).unwrap();
    let nums = labels.get(b"Nums").unwrap().as_array().unwrap();
    let labels: Vec<(i64, Option<i64>)> = nums
        .chunks(2)
        .map(|pair| {
            let label = dict(&pdf, &pair[1]).unwrap();
            let start = label.get(b"St").ok().and_then(|s| s.as_i64().ok());
            (pair[0].as_i64().unwrap(), start)
        })
        .collect();
    // The cover has no number; the pages after it count from 1.
    assert_eq!(labels[0], (0, None));
    for (index, start) in labels.iter().skip(1) {
        assert_eq!(*start, Some(*index), "{labels:?}");
    }
    assert!(labels.len() <= rendered.pages);
}

#[test]
fn headings_below_level_five_are_grey_and_keep_the_smallest_size() {
    let document = Document {
        title: None,
        blocks: vec![heading(5, "Five"), heading(6, "Six"), heading(9, "Nine")],
    };
    let (_, pdf) = render(&document, &Attachments::new());
    let page = *pdf.get_pages().values().next().unwrap();
    let content = String::from_utf8_lossy(&pdf.get_page_content(page).unwrap()).into_owned();
    // Text runs: size, then colour (#172b4d for five, #6b778c for six and nine).
    let runs: Vec<(String, String)> = content
        .split("BT")
        .skip(1)
        .zip(content.split("BT"))
        .map(|(bt, before)| {
            let colour = before
                .rsplit("cs ")
                .next()
                .unwrap()
                .split(" scn")
                .next()
                .unwrap()
                .to_owned();
            let size = bt
                .split(" Tf")
                .next()
                .unwrap()
                .rsplit(' ')
                .next()
                .unwrap()
                .to_owned();
            (size, colour)
        })
        .collect();
    assert_eq!(runs.len(), 4, "{content}"); // and the footer
    let dark = "0.09019608 0.16862746 0.3019608";
    let grey = "0.41960785 0.46666667 0.54901963";
    assert_eq!(runs[0].1, dark, "{runs:?}");
    assert_eq!(runs[1].1, grey, "{runs:?}");
    assert_eq!(runs[2], runs[1], "{runs:?}");
}

#[test]
fn a_pdf_ua_1_export_conforms_with_its_heading_levels_made_consecutive() {
    let mut options = RenderOptions {
        pdf_standard: PdfStandard::Ua1,
        ..book_options()
    };
    options.page.watermark = Some("DRAFT".into());
    options.cover.as_mut().unwrap().logo = Some("logo.png".into());
    let mut attachments = Attachments::new();
    attachments.insert("logo.png", tiny_png(5, 4, [0xcc, 0, 0]));
    // The export skips from level 4 to 8, which PDF/UA-1 forbids: the level-8 heading is set at 5.
    let markup = folio_pdf::lower_document(&export_document(), &options);
    assert!(markup.contains("\n===== A very deep heading\n"), "{markup}");
    let (_, pdf) = render_with(&export_document(), &attachments, &options);
    assert!(xmp(&pdf).contains("pdfuaid"));
    let depths: Vec<usize> = outline_entries(&pdf).iter().map(|(_, d, _)| *d).collect();
    assert!(depths.windows(2).all(|w| w[1] <= w[0] + 1), "{depths:?}");
}

/// A content stream operand as a number, if it is one.
fn number(operand: &Object) -> Option<f32> {
    match operand {
        Object::Real(r) => Some(*r),
        Object::Integer(i) => Some(*i as f32),
        _ => None,
    }
}

/// The RGB fill colours the pages' content sets (`rg`, `sc`, `scn` with three operands), in
/// 8-bit components.
fn fill_colours(pdf: &lopdf::Document) -> std::collections::BTreeSet<[u8; 3]> {
    let mut colours = std::collections::BTreeSet::new();
    for page in pdf.get_pages().into_values() {
        let content =
            lopdf::content::Content::decode(&pdf.get_page_content(page).unwrap()).unwrap();
        for op in content.operations {
            let components: Vec<f32> = op.operands.iter().filter_map(number).collect();
            if matches!(op.operator.as_str(), "rg" | "sc" | "scn") && components.len() == 3 {
                colours.insert([0, 1, 2].map(|i| (components[i] * 255.0).round() as u8));
            }
        }
    }
    colours
}

/// Emoji print as Twemoji's pictures on every machine (here without system fonts, so without
/// an emoji font), in text and in code: no box and no warning. Their characters stay in the text layer, in reading
/// order, and in the bookmarks; a PDF/A-2b file with them conforms.
#[test]
fn emoji_print_as_pictures_with_their_characters_in_the_text_layer() {
    let document = Document {
        title: Some("Emoji".into()),
        blocks: vec![
            heading(1, "Release 🎉"),
            p("Done ✅, thumbs 👍🏽, a flag 🇰🇷 and a keycap 1️⃣."),
            p("Text glyphs stay text: ❤ © ™ ✔."),
            code_block("bash", "echo \"🚀 started\"".into()),
        ],
    };
    let plain = RenderOptions {
        title: Some("Emoji".into()),
        ..RenderOptions::default()
    };
    let markup = folio_pdf::lower_document(&document, &plain);
    assert_eq!(markup.matches("#folio-emoji(").count(), 5, "{markup}");
    assert!(markup.contains("❤ © ™ ✔"), "{markup}");
    for pdf_standard in [PdfStandard::None, PdfStandard::A2b] {
        let options = RenderOptions {
            pdf_standard,
            ..dated()
        };
        let (rendered, pdf) = render_with(&document, &Attachments::new(), &options);
        assert!(
            rendered.diagnostics.is_empty(),
            "{pdf_standard:?}: {:?}",
            rendered.diagnostics
        );
        assert_eq!(
            all_text(&pdf),
            squeeze(
                "Emoji Release 🎉 Done ✅, thumbs 👍🏽, a flag 🇰🇷 and a keycap 1️⃣. \
                 Text glyphs stay text: ❤ © ™ ✔. echo \"🚀 started\" 1 / 1"
            ),
            "{pdf_standard:?}"
        );
        assert_eq!(outline_titles(&pdf), ["Release 🎉"], "{pdf_standard:?}");
        // The pictures are drawn: the red of 🎉's cone, the green of ✅'s square and the blue
        // of 🚀's window (in the code), as Twemoji paints them.
        let colours = fill_colours(&pdf);
        for colour in [[0xdd, 0x2e, 0x44], [0x77, 0xb2, 0x55], [0x55, 0xac, 0xee]] {
            assert!(colours.contains(&colour), "{pdf_standard:?}: {colours:?}");
        }
    }
}

#[test]
fn characters_no_font_has_print_as_boxes_in_a_korean_document() {
    // On any machine a character no font has prints as a box (a missing glyph, U+FFFD in the
    // text layer), in a document with Korean text, which names a Korean face after the
    // embedded ones, as anywhere else: after Korean text and after Latin text. (Restricting
    // that face to Hangul with Typst's `covers` lost all but one.) Linear B: no font on the
    // machines folio is tested on has it, and it is no emoji (which print as pictures).
    let engine = Engine::new(&EngineOptions { system_fonts: true });
    let missing = [
        "\u{10000}",
        "\u{10001}",
        "\u{10002}",
        "\u{10003}",
        "\u{10005}",
        "\u{10006}",
        "\u{10007}",
        "\u{10008}",
        "\u{10009}",
    ];
    let texts = [
        "한국어 \u{10000} 그리고 \u{10001} 및 \u{10003} 끝 \u{10005}.",
        "Named: \u{10000} \u{10001} \u{10002} \u{10003} \u{10005} \u{10006} \u{10007} \u{10008} \u{10009} and more.",
    ];
    let document = Document {
        title: None,
        blocks: texts.iter().map(|text| p(text)).collect(),
    };
    let rendered = engine
        .render_pdf(&document, &Attachments::new(), &RenderOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let pdf = lopdf::Document::load_mem(&rendered.pdf).expect("the PDF parses");
    let shown = all_text(&pdf);
    if !shown.contains("한국어") {
        eprintln!("no installed font has Korean syllables: boxes after Korean text not checked");
        return;
    }
    let as_boxes = |text: &str| {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        missing
            .iter()
            .fold(text, |text, c| text.replace(c, "\u{fffd}"))
    };
    assert_eq!(
        as_boxes(&shown),
        as_boxes(&format!("{}{}1/1", texts[0], texts[1]))
    );
}

fn code_block(language: &str, code: String) -> Block {
    Block::Code(folio_ir::CodeBlock {
        language: Some(language.into()),
        title: None,
        line_numbers: false,
        first_line: 1,
        code,
        plain: false,
        span: folio_ir::Span::DETACHED,
    })
}

/// The PDF of a document of one code block, which renders without diagnostics.
fn render_code(language: &str, code: String) -> lopdf::Document {
    let document = Document {
        title: None,
        blocks: vec![code_block(language, code)],
    };
    let (rendered, pdf) = render(&document, &Attachments::new());
    assert!(
        rendered.diagnostics.is_empty(),
        "{:?}",
        rendered.diagnostics
    );
    pdf
}

/// A long code block is highlighted as one: a comment that opens before line 250 and closes
/// after it is a comment throughout (Typst once laid out long blocks in pieces of 250 lines,
/// each highlighted from its start, so the comment's second half came out as code). Every line
/// is printed, in order.
#[test]
fn a_long_code_block_is_highlighted_as_one_with_every_line_in_order() {
    let colours_of = |code: String| {
        let pdf = render_code("java", code);
        (fill_colours(&pdf), all_text(&pdf))
    };
    let comments: String = (0..240).map(|i| format!("// note {i}\n")).collect();
    let commented: String = (0..60)
        .map(|i| format!("public static void commented{i}() {{}}\n"))
        .collect();
    // Comments and a statement without keywords: the colours of comments and of plain code.
    let (plain, _) = colours_of(format!("{comments}end();"));
    let (keywords, _) = colours_of(commented.clone());
    let keyword_colours: Vec<_> = keywords.difference(&plain).collect();
    assert!(!keyword_colours.is_empty(), "{keywords:?} {plain:?}");

    let (colours, text) = colours_of(format!("{comments}/*\n{commented}*/\nend();"));
    for colour in &keyword_colours {
        assert!(!colours.contains(*colour), "{colour:?} in {colours:?}");
    }
    // In order, with the running footer's page numbers between pages.
    let lines = (0..240)
        .map(|i| format!("// note {i}"))
        .chain(["/*".to_owned()])
        .chain((0..60).map(|i| format!("public static void commented{i}() {{}}")))
        .chain(["*/".to_owned(), "end();".to_owned()]);
    let mut rest = text.as_str();
    for line in lines {
        let found = rest.find(&squeeze(&line));
        let Some(at) = found else {
            panic!("{line:?} is missing after the lines before it: {text}")
        };
        rest = &rest[at + squeeze(&line).len()..];
    }
}

/// The heights at which each page's text runs are drawn, top first, each once: the `cm` that
/// places a run (Typst's writer positions every run with one of its own).
fn text_rows(pdf: &lopdf::Document) -> Vec<Vec<f32>> {
    pdf.get_pages()
        .into_values()
        .map(|page| {
            let content =
                lopdf::content::Content::decode(&pdf.get_page_content(page).unwrap()).unwrap();
            let mut y = f32::NAN;
            let mut rows: Vec<f32> = Vec::new();
            for op in content.operations {
                match op.operator.as_str() {
                    "cm" => y = op.operands.get(5).and_then(number).unwrap_or(f32::NAN),
                    "Tj" | "TJ" if !rows.iter().any(|r| (r - y).abs() < 0.01) => rows.push(y),
                    _ => {}
                }
            }
            rows.sort_by(|a, b| b.total_cmp(a));
            rows
        })
        .collect()
}

/// A code line of more than 2,000 characters without a space is laid out in pieces, each a
/// block; the code's next line follows it at the line spacing, as every other line does (in a
/// paragraph, the line break after the pieces made an empty line that is not in the code).
#[test]
fn a_code_line_cut_into_pieces_is_followed_by_the_next_line_without_a_gap() {
    let code = format!("before\n{}\nafter\nlast", "x".repeat(2_100));
    let pdf = render_code("text", code);
    let mut rows = text_rows(&pdf).remove(0);
    // The running footer's page number, at the foot of the page.
    rows.pop();
    assert!(rows.len() > 10, "{rows:?}");
    let steps: Vec<f32> = rows.windows(2).map(|w| w[0] - w[1]).collect();
    let pitch = steps[0];
    assert!(
        steps.iter().all(|step| (step - pitch).abs() < 0.05),
        "{steps:?}"
    );
}

/// The link annotations to URLs: each URI with its rectangle's bottom edge and width, to the
/// point.
fn uri_lines(pdf: &lopdf::Document) -> Vec<(String, i64, i64)> {
    annotations(pdf)
        .into_iter()
        .filter_map(|annot| {
            let action = dict(pdf, annot.get(b"A").ok()?)?;
            let uri = resolve(pdf, action.get(b"URI").ok()?).as_str().ok()?;
            let rect = resolve(pdf, annot.get(b"Rect").ok()?).as_array().ok()?;
            let edge = |i: usize| resolve(pdf, &rect[i]).as_float().ok();
            Some((
                String::from_utf8_lossy(uri).into_owned(),
                edge(1)?.round() as i64,
                (edge(2)? - edge(0)?).round() as i64,
            ))
        })
        .collect()
}

/// The lowering lets a long run of text (a URL printed as itself) break after its separators,
/// which splits it into pieces Typst gives a link area each: one URL made tens of annotations
/// side by side. A link is one annotation per line it is on.
#[test]
fn a_long_link_is_one_annotation_per_line() {
    let long = "https://api.example.com/v2/organisations/acme-corporation/projects/\
                platform-infrastructure/deployments/2024-07-30/logs?status=active&region=eu-west-1";
    let short = "https://example.com/a/b/c";
    let document = Document {
        title: None,
        blocks: vec![para(vec![
            text("See "),
            url_link(short, short),
            text(" and "),
            url_link(long, long),
            text(" for the logs."),
        ])],
    };
    let (_, pdf) = render(&document, &Attachments::new());
    let lines = uri_lines(&pdf);
    let of = |uri: &str| -> Vec<i64> {
        lines
            .iter()
            .filter(|(u, _, _)| u == uri)
            .map(|&(_, y, _)| y)
            .collect()
    };
    assert_eq!(of(short).len(), 1, "{lines:?}");
    let mut long_lines = of(long);
    assert!(long_lines.len() >= 2, "the long link wraps: {lines:?}");
    long_lines.sort();
    long_lines.dedup();
    assert_eq!(
        long_lines.len(),
        of(long).len(),
        "two areas on a line: {lines:?}"
    );
}

/// A link of text and inline code, on one line, is one annotation, though the code's face
/// sets its pieces at another height.
#[test]
fn a_link_of_text_and_code_is_one_annotation() {
    let url = "https://example.com/docs/configuration";
    let document = Document {
        title: None,
        blocks: vec![para(vec![
            text("Read "),
            folio_ir::Inline::Link {
                target: folio_ir::LinkTarget::Url { url: url.into() },
                content: vec![
                    text("the "),
                    folio_ir::Inline::Code {
                        content: vec![text("config.yaml")],
                    },
                    text(" reference"),
                ],
            },
            text(" first."),
        ])],
    };
    let (_, pdf) = render(&document, &Attachments::new());
    let lines = uri_lines(&pdf);
    assert_eq!(lines.len(), 1, "{lines:?}");
    // It spans the whole link, "the config.yaml reference": about 130 pt at 10 pt, where
    // "config.yaml" alone is about 60.
    let (_, _, width) = lines[0];
    assert!(width > 110, "{lines:?}");
}
