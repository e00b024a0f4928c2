//! What an SVG attachment refers to beyond itself, checked before Typst sees it.
//!
//! Typst resolves an SVG's `<image href>` against the world: absolute paths and URLs are
//! refused, relative paths are looked up among the served files, and any failure fails the
//! whole document. Images inlined as `data:` URLs are decoded when the PDF is written, where
//! the pass's pixel limit never saw them. Both are checked here with usvg, the parser Typst
//! itself uses. Linked images are cut from the SVG, which is then shown as a browser shows an
//! SVG image, without them (`without_linked_images`); an SVG still refused (an inlined image
//! too large, a link this cannot cut) becomes a placeholder.
//!
//! An SVG's text is set in the fonts it names. What it names, and the text itself, tell
//! whether a document with that SVG needs the system's fonts (`text_and_families`).

use std::sync::atomic::{AtomicBool, Ordering};

/// Largest raster image (width × height) inlined in an SVG that folio embeds; the same bound
/// as the passes' default `max_image_pixels` for attachments.
pub const MAX_INLINE_PIXELS: u64 = 100_000_000;

/// Whether an SVG is safe to hand to Typst: it parses, links no image by path or URL, and
/// inlines no raster image larger than [`MAX_INLINE_PIXELS`] (or one whose size cannot be read).
pub fn is_self_contained(bytes: &[u8]) -> bool {
    let refused = AtomicBool::new(false);
    let options = usvg::Options {
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|mime, data, options| {
                let small = imagesize::blob_size(&data).is_ok_and(|size| {
                    (size.width as u64).saturating_mul(size.height as u64) <= MAX_INLINE_PIXELS
                });
                if !small {
                    refused.store(true, Ordering::Relaxed);
                    return None;
                }
                (usvg::ImageHrefResolver::default_data_resolver())(mime, data, options)
            }),
            resolve_string: Box::new(|_, _| {
                refused.store(true, Ordering::Relaxed);
                None
            }),
        },
        ..usvg::Options::default()
    };
    usvg::Tree::from_data(bytes, &options).is_ok() && !refused.load(Ordering::Relaxed)
}

/// The SVG `bytes` without the images it links by path or URL, and those links. A browser
/// shows an SVG in an `<img>`, as Confluence shows an SVG attachment, without loading anything
/// outside the file, so such an image is left out where it would be. `None` when the SVG links
/// no image, or is not plain XML (a compressed SVG stays as it is). The result is checked like
/// any SVG ([`is_self_contained`]): a link this does not see (one an entity writes) still
/// makes it a placeholder.
pub fn without_linked_images(bytes: &[u8]) -> Option<(Vec<u8>, Vec<String>)> {
    let xml = std::str::from_utf8(bytes).ok()?;
    let document = parse_xml(xml)?;
    let mut cuts: Vec<std::ops::Range<usize>> = Vec::new();
    let mut links = Vec::new();
    // Parents come before their children: an element inside one already cut goes with it.
    for node in document.descendants() {
        if !matches!(node.tag_name().name(), "image" | "feImage") {
            continue;
        }
        // `href` or `xlink:href`: usvg reads either.
        let Some(href) = node.attributes().find(|a| a.name() == "href") else {
            continue;
        };
        let range = node.range();
        if href.value().trim_start().starts_with("data:")
            || cuts.last().is_some_and(|cut| range.start < cut.end)
            || !xml
                .get(range.clone())
                .is_some_and(|text| text.starts_with('<'))
        {
            continue;
        }
        links.push(href.value().to_owned());
        cuts.push(range);
    }
    if cuts.is_empty() {
        return None;
    }
    let mut kept = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for cut in cuts {
        kept.extend_from_slice(&bytes[at..cut.start]);
        at = cut.end;
    }
    kept.extend_from_slice(&bytes[at..]);
    Some((kept, links))
}

/// An SVG's XML as usvg reads it (roxmltree, with a DTD allowed).
fn parse_xml(xml: &str) -> Option<usvg::roxmltree::Document<'_>> {
    usvg::roxmltree::Document::parse_with_options(
        xml,
        usvg::roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .ok()
}

/// What an SVG's text asks of the fonts, as Typst would set it.
#[derive(Debug, Default, PartialEq)]
pub struct SvgText {
    /// The text of its `<text>` elements (without the markup around it).
    pub text: String,
    /// Families its text names (`font-family`, inherited or from a style sheet) ahead of any
    /// `is_embedded` one: Typst takes the first of a text's families it has, and would find
    /// these only among the system's fonts. Generic families (`sans-serif`) do not count:
    /// Typst passes them over for the document's own.
    pub families_before_embedded: Vec<String>,
}

/// The text of the SVG `bytes` and the families it names (see [`SvgText`]); `None` where that
/// cannot be told (the SVG does not parse). usvg, the parser Typst uses, resolves the families
/// of each run of text (attributes, inheritance, CSS); the text itself is read from the XML.
pub fn text_and_families(
    bytes: &[u8],
    is_embedded: &(dyn Fn(&str) -> bool + Sync),
) -> Option<SvgText> {
    let families = std::sync::Mutex::new(Vec::new());
    let options = usvg::Options {
        font_resolver: usvg::FontResolver {
            select_font: Box::new(|font, _| {
                let mut families = families.lock().unwrap_or_else(|e| e.into_inner());
                for family in font.families() {
                    // A text with no family names the empty one (`font_family` below).
                    if let usvg::FontFamily::Named(name) = family
                        && !name.is_empty()
                    {
                        if is_embedded(name) {
                            break;
                        }
                        families.push(name.clone());
                    }
                }
                // No font: usvg leaves the text out, having asked for every run's.
                None
            }),
            select_fallback: Box::new(|_, _, _| None),
        },
        // Linked images are not loaded (see `is_self_contained` for what they may be).
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        // Typst's: no default family of usvg's own (Typst sets the document's).
        font_family: String::new(),
        ..usvg::Options::default()
    };
    let parsed = usvg::Tree::from_data(bytes, &options);
    drop(options);
    parsed.ok()?;
    let mut families_before_embedded = families.into_inner().unwrap_or_else(|e| e.into_inner());
    families_before_embedded.sort();
    families_before_embedded.dedup();

    let xml = if bytes.starts_with(&[0x1f, 0x8b]) {
        usvg::decompress_svgz(bytes).ok()?
    } else {
        bytes.to_vec()
    };
    let xml = std::str::from_utf8(&xml).ok()?;
    let document = parse_xml(xml)?;
    let text = document
        .descendants()
        .filter(|node| node.is_text() && node.ancestors().any(|a| a.tag_name().name() == "text"))
        .filter_map(|node| node.text())
        .collect();
    Some(SvgText {
        text,
        families_before_embedded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg(body: &str) -> Vec<u8> {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">{body}</svg>"#
        )
        .into_bytes()
    }

    #[test]
    fn plain_svgs_are_self_contained() {
        assert!(is_self_contained(&svg(r#"<rect width="5" height="5"/>"#)));
    }

    #[test]
    fn linked_images_are_refused() {
        for href in [
            "file:///etc/passwd",
            "/etc/passwd",
            "http://example.invalid/x.png",
            "0",
            "../theme.typ",
        ] {
            let bytes = svg(&format!(r#"<image href="{href}" width="5" height="5"/>"#));
            assert!(!is_self_contained(&bytes), "{href}");
            let bytes = svg(&format!(
                r#"<image xlink:href="{href}" width="5" height="5"/>"#
            ));
            assert!(!is_self_contained(&bytes), "xlink {href}");
        }
    }

    #[test]
    fn linked_images_are_left_out_and_named_and_the_rest_kept() {
        let linked = svg(concat!(
            r#"<rect width="5" height="5"/>"#,
            r#"<image href="logo.png" width="5" height="5"/>"#,
            r#"<g><image xlink:href=" https://example.invalid/a.png "><title>a</title></image></g>"#,
            r#"<filter id="f"><feImage href="/etc/passwd"/></filter>"#,
            r#"<image href="data:image/png;base64,"#,
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
            r#"" width="1" height="1"/>"#,
        ));
        assert!(!is_self_contained(&linked));
        let (kept, links) = without_linked_images(&linked).expect("links found");
        assert_eq!(
            links,
            ["logo.png", " https://example.invalid/a.png ", "/etc/passwd"]
        );
        let kept = String::from_utf8(kept).unwrap();
        assert!(is_self_contained(kept.as_bytes()), "{kept}");
        assert!(kept.contains(r#"<rect width="5" height="5"/>"#), "{kept}");
        assert!(kept.contains(r#"<g></g>"#), "{kept}");
        assert!(kept.contains(r#"<filter id="f"></filter>"#), "{kept}");
        assert!(kept.contains("data:image/png"), "{kept}");

        assert_eq!(
            without_linked_images(&svg(r#"<rect width="5" height="5"/>"#)),
            None
        );
        assert_eq!(without_linked_images(b"<svg"), None);
    }

    #[test]
    fn a_link_an_entity_writes_never_gets_through() {
        let bytes = br#"<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY img '<image xmlns="http://www.w3.org/2000/svg" href="/etc/passwd" width="5" height="5"/>'>]>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">&img;</svg>"#;
        assert!(!is_self_contained(bytes));
        // Cut from the entity's text or left for the check to refuse: either way no link is
        // followed.
        if let Some((kept, _)) = without_linked_images(bytes) {
            let text = String::from_utf8_lossy(&kept);
            assert!(
                !is_self_contained(&kept) || !text.contains("passwd"),
                "{text}"
            );
        }
    }

    #[test]
    fn inlined_images_are_checked_for_size() {
        // A PNG header claiming 100,000 × 100,000 pixels, as a data URL.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(100_000u32.to_be_bytes());
        png.extend(100_000u32.to_be_bytes());
        png.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
        let encoded = base64(&png);
        let bytes = svg(&format!(
            r#"<image href="data:image/png;base64,{encoded}" width="5" height="5"/>"#
        ));
        assert!(!is_self_contained(&bytes));
    }

    fn base64(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        while !out.len().is_multiple_of(4) {
            out.push('=');
        }
        out
    }

    fn dejavu(family: &str) -> bool {
        family.eq_ignore_ascii_case("DejaVu Sans")
            || family.eq_ignore_ascii_case("DejaVu Sans Mono")
    }

    #[test]
    fn the_text_and_the_families_named_before_an_embedded_one_are_found() {
        // Attributes, inherited ones, a style attribute and a style sheet.
        let bytes = svg(concat!(
            r#"<style>.label { font-family: 'Fira Sans', DejaVu Sans }</style>"#,
            r#"<text x="1" y="5" font-family="DejaVu Sans, Arial, sans-serif">a ✔ <tspan>b</tspan></text>"#,
            r#"<g font-family="Helvetica"><text x="1" y="5">c</text></g>"#,
            r#"<text x="1" y="5" style="font-family: monospace, Courier New">d</text>"#,
            r#"<text x="1" y="5" class="label">é</text>"#,
            r#"<text x="1" y="5">f</text>"#,
            r#"<desc>not drawn: 한</desc>"#,
        ));
        let found = text_and_families(&bytes, &dejavu).unwrap();
        assert_eq!(found.text, "a ✔ bcdéf");
        assert_eq!(
            found.families_before_embedded,
            ["Courier New", "Fira Sans", "Helvetica"]
        );
    }

    #[test]
    fn text_in_dejavu_or_the_documents_family_names_nothing_else() {
        let bytes = svg(concat!(
            r#"<text x="1" y="5" font-family="DejaVu Sans, Arial, sans-serif">a</text>"#,
            r#"<text x="1" y="5" font-family="sans-serif">b</text>"#,
            r#"<text x="1" y="5">c</text>"#,
        ));
        let found = text_and_families(&bytes, &dejavu).unwrap();
        assert_eq!(found.text, "abc");
        assert!(found.families_before_embedded.is_empty());
        assert_eq!(
            text_and_families(&svg(r#"<rect width="5" height="5"/>"#), &dejavu),
            Some(SvgText::default())
        );
        assert_eq!(text_and_families(b"<svg", &dejavu), None);
    }
}
