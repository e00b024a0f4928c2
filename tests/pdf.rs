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

/// A bookmark with its nesting depth and the 0-based index of the page it opens.
#[derive(Debug, Clone)]
pub struct Bookmark {
    pub title: String,
    pub depth: usize,
    pub page: Option<usize>,
}

/// An internal link: the page it sits on and the page it jumps to (0-based).
#[derive(Debug, Clone, Copy)]
pub struct InternalLink {
    pub from: usize,
    pub to: Option<usize>,
}

/// Where bookmarks and internal links lead, as a viewer resolves them.
pub struct Navigation {
    pub bookmarks: Vec<Bookmark>,
    pub links: Vec<InternalLink>,
    /// Text of each page.
    pub page_texts: Vec<String>,
}

pub fn read_navigation(bytes: &[u8]) -> Navigation {
    let document = Document::load_mem(bytes).expect("the PDF parses");
    let pages = document.get_pages();
    let index_of: std::collections::BTreeMap<lopdf::ObjectId, usize> =
        pages.values().enumerate().map(|(i, id)| (*id, i)).collect();
    // Typst writes named destinations: a name tree under /Names /Dests maps them to arrays.
    let mut named = std::collections::BTreeMap::new();
    if let Ok(catalog) = document.catalog()
        && let Ok(names) = catalog.get(b"Names")
        && let Ok(names) = resolve(&document, names).as_dict()
        && let Ok(dests) = names.get(b"Dests")
    {
        let mut stack = vec![dests.clone()];
        while let Some(node) = stack.pop() {
            let Ok(node) = resolve(&document, &node).as_dict() else {
                continue;
            };
            if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
                stack.extend(kids.iter().cloned());
            }
            if let Ok(pairs) = node.get(b"Names").and_then(Object::as_array) {
                for pair in pairs.chunks(2) {
                    if let [key, value] = pair
                        && let Ok(key) = key.as_str()
                    {
                        named.insert(key.to_vec(), value.clone());
                    }
                }
            }
        }
    }
    let dest_page = |dest: &Object| -> Option<usize> {
        let dest = resolve(&document, dest);
        let array = match dest {
            Object::String(name, _) | Object::Name(name) => {
                let target = named.get(name)?;
                let target = resolve(&document, target);
                match target.as_dict() {
                    Ok(dict) => resolve(&document, dict.get(b"D").ok()?).as_array().ok()?,
                    Err(_) => target.as_array().ok()?,
                }
            }
            other => other.as_array().ok()?,
        };
        let page = array.first()?.as_reference().ok()?;
        index_of.get(&page).copied()
    };
    let mut links = Vec::new();
    for (from, page_id) in pages.values().enumerate() {
        let Ok(page) = document.get_dictionary(*page_id) else {
            continue;
        };
        let Ok(annots) = page.get(b"Annots") else {
            continue;
        };
        for annot in resolve(&document, annots)
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let Ok(annot) = resolve(&document, &annot).as_dict() else {
                continue;
            };
            let dest = match annot.get(b"A") {
                Ok(action) => match resolve(&document, action).as_dict() {
                    Ok(action) if action.get(b"URI").is_err() => action.get(b"D").ok(),
                    _ => None,
                },
                Err(_) => annot.get(b"Dest").ok(),
            };
            if let Some(dest) = dest {
                links.push(InternalLink {
                    from,
                    to: dest_page(dest),
                });
            }
        }
    }
    let mut bookmarks = Vec::new();
    if let Ok(catalog) = document.catalog()
        && let Ok(outlines) = catalog.get(b"Outlines")
        && let Ok(outlines) = resolve(&document, outlines).as_dict()
        && let Ok(first) = outlines.get(b"First")
    {
        let mut stack = vec![(first.clone(), 0usize)];
        let mut guard = 0;
        while let Some((object, depth)) = stack.pop() {
            guard += 1;
            if guard > 100_000 {
                break;
            }
            let Ok(dict) = resolve(&document, &object).as_dict() else {
                continue;
            };
            let title = dict
                .get(b"Title")
                .ok()
                .and_then(|t| resolve(&document, t).as_str().ok())
                .map(decode_pdf_string)
                .unwrap_or_default();
            let page = match dict.get(b"Dest") {
                Ok(dest) => dest_page(dest),
                Err(_) => dict
                    .get(b"A")
                    .ok()
                    .and_then(|a| resolve(&document, a).as_dict().ok())
                    .and_then(|a| a.get(b"D").ok())
                    .and_then(dest_page),
            };
            bookmarks.push(Bookmark { title, depth, page });
            // Depth first: the next sibling waits until the children are done.
            if let Ok(next) = dict.get(b"Next") {
                stack.push((next.clone(), depth));
            }
            if let Ok(first) = dict.get(b"First") {
                stack.push((first.clone(), depth + 1));
            }
        }
    }
    let page_texts = pdf_extract::extract_text_from_mem_by_pages(bytes).unwrap_or_default();
    Navigation {
        bookmarks,
        links,
        page_texts,
    }
}
