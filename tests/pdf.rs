//! Reading produced PDFs back, as a user's PDF viewer would: text, links, bookmarks.

#![allow(dead_code)]

use lopdf::{Document, Object};

pub struct PdfReport {
    pub pages: usize,
    pub text: String,
    /// URIs of link annotations.
    pub uris: Vec<String>,
    /// Link annotations that jump inside the document.
    pub internal_links: usize,
    /// Bookmark titles, depth-first.
    pub bookmarks: Vec<String>,
}

pub fn read_pdf(bytes: &[u8]) -> PdfReport {
    let document = Document::load_mem(bytes).expect("the PDF parses");
    let pages = document.get_pages();
    // lopdf's own text extraction does not read Typst's CID fonts; pdf-extract maps glyphs back
    // through the ToUnicode tables as a viewer's copy and paste does.
    let text = pdf_extract::extract_text_from_mem(bytes).expect("the PDF's text extracts");
    let mut uris = Vec::new();
    let mut internal_links = 0;
    for page_id in pages.values() {
        let Ok(page) = document.get_dictionary(*page_id) else {
            continue;
        };
        let Ok(annots) = page.get(b"Annots") else {
            continue;
        };
        let annots = resolve(&document, annots)
            .as_array()
            .cloned()
            .unwrap_or_default();
        for annot in annots {
            let Ok(annot) = resolve(&document, &annot).as_dict() else {
                continue;
            };
            if let Ok(action) = annot.get(b"A") {
                let Ok(action) = resolve(&document, action).as_dict() else {
                    continue;
                };
                if let Ok(uri) = action.get(b"URI") {
                    if let Ok(uri) = resolve(&document, uri).as_str() {
                        uris.push(String::from_utf8_lossy(uri).into_owned());
                    }
                } else if action.get(b"D").is_ok() {
                    internal_links += 1;
                }
            } else if annot.get(b"Dest").is_ok() {
                internal_links += 1;
            }
        }
    }
    let mut bookmarks = Vec::new();
    if let Ok(catalog) = document.catalog()
        && let Ok(outlines) = catalog.get(b"Outlines")
        && let Ok(outlines) = resolve(&document, outlines).as_dict()
        && let Ok(first) = outlines.get(b"First")
    {
        collect_bookmarks(&document, first, &mut bookmarks, 0);
    }
    PdfReport {
        pages: pages.len(),
        text,
        uris,
        internal_links,
        bookmarks,
    }
}

fn resolve<'a>(document: &'a Document, object: &'a Object) -> &'a Object {
    match object {
        Object::Reference(id) => document.get_object(*id).unwrap_or(object),
        other => other,
    }
}

fn collect_bookmarks(document: &Document, item: &Object, out: &mut Vec<String>, depth: usize) {
    let mut current = Some(item.clone());
    let mut guard = 0;
    while let Some(object) = current.take() {
        guard += 1;
        if guard > 100_000 || depth > 64 {
            return;
        }
        let Ok(dict) = resolve(document, &object).as_dict() else {
            return;
        };
        if let Ok(title) = dict.get(b"Title")
            && let Ok(bytes) = resolve(document, title).as_str()
        {
            out.push(decode_pdf_string(bytes));
        }
        if let Ok(first) = dict.get(b"First") {
            collect_bookmarks(document, first, out, depth + 1);
        }
        current = dict.get(b"Next").ok().cloned();
    }
}

/// PDF text strings are UTF-16BE with a byte-order mark, or PDFDocEncoding (ASCII-compatible).
fn decode_pdf_string(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = utf16
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    bytes.iter().map(|&b| b as char).collect()
}

/// Collapses all white space and drops the zero-width spaces folio puts into long unbreakable
/// runs, so that line breaks the typesetter chose do not matter.
pub fn squash(text: &str) -> String {
    text.replace('\u{200B}', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
