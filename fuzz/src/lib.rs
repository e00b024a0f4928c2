//! The bodies of folio's fuzz targets, shared by the libFuzzer binaries in `fuzz_targets/`.
//!
//! Each function takes arbitrary bytes and panics only on a bug: a reader panic, a pass panic, a
//! non-rectangular table, or (for `compile`) a typesetting failure, which folio promises never
//! happens for a page the reader accepted.

use std::sync::{Arc, LazyLock};

use folio_ir::{Attachments, Block, Document, Site, SitePage, walk_blocks_mut};
use folio_passes::{PassContext, PassOptions};
use folio_storage::ReadOptions;

/// Inputs longer than this are not typeset by the `compile` target: Typst's time grows with the
/// document, and libFuzzer needs thousands of runs to learn anything.
pub const TYPESET_MAX_BYTES: usize = 4096;

/// Reads bytes as a storage body; the reader must return a document or an error, never panic.
pub fn read_storage(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(read) = folio_storage::read_storage(text, &ReadOptions::default()) {
        // Spans index the source: every one must lie inside it.
        for diagnostic in &read.diagnostics {
            if let Some(span) = diagnostic.span {
                assert!(span.start <= span.end && span.end <= text.len(), "{span:?}");
            }
        }
    }
}

/// Reads bytes as a storage body and runs every pass, with attachments (good, truncated and
/// bomb-sized images) and a site whose pages include each other and form a parent cycle.
pub fn passes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(read) = folio_storage::read_storage(text, &ReadOptions::default()) else {
        return;
    };
    let options = PassOptions::default();
    let site = site_with(read.document.clone());
    let attachments = attachments();
    let mut document = read.document;
    let mut cx = PassContext::new(&*attachments, &options).with_site(&site);
    folio_passes::run_passes(&mut document, &mut cx);
    assert_tables_rectangular(&mut document);
}

/// The whole compile: input detection, reading, passes and lowering for any input, and
/// typesetting for small ones. A render error is a bug: the lowering must produce valid Typst
/// for any IR.
#[cfg(feature = "compile")]
pub fn compile(data: &[u8]) {
    use folio::{Compiler, EngineOptions, Options};

    static COMPILER: LazyLock<Compiler> = LazyLock::new(|| {
        Compiler::new(&EngineOptions {
            system_fonts: false,
        })
    });
    let mut options = Options::default();
    let Ok(page) = folio::read_input(data, &options) else {
        return;
    };
    if let Ok(read) = folio_storage::read_storage(&page.storage, &options.read) {
        options.site = Arc::new(site_with(read.document));
    }
    let attachments = attachments();
    let Ok(compiled) = folio::compile_document(&page, &*attachments, &options) else {
        return;
    };
    let markup = folio::lower_to_typst(&compiled);
    assert!(markup.contains("#show: folio-document"));
    if data.len() > TYPESET_MAX_BYTES {
        return;
    }
    match COMPILER.render_pdf(&compiled) {
        Ok(pdf) => assert!(pdf.bytes.starts_with(b"%PDF-")),
        Err(error) => panic!("a page the reader accepted failed to render: {error}"),
    }
}

/// The attachments every target sees: the fixtures' images under their own names, plus broken
/// and hostile ones under names a fuzzer can find in the seeds.
fn attachments() -> Arc<Attachments> {
    static ATTACHMENTS: LazyLock<Arc<Attachments>> = LazyLock::new(|| {
        let png: &[u8] = include_bytes!("../../fixtures/ok/attachments/tiny-diagram.png");
        let jpg: &[u8] = include_bytes!("../../fixtures/ok/attachments/tiny-photo.jpg");
        let svg: &[u8] = include_bytes!("../../fixtures/ok/attachments/tiny-logo.svg");
        let mut attachments = Attachments::new();
        attachments.insert("tiny-diagram.png", png);
        attachments.insert("tiny-photo.jpg", jpg);
        attachments.insert("tiny-logo.svg", svg);
        attachments.insert("truncated.png", &png[..png.len() / 2]);
        attachments.insert("truncated.jpg", &jpg[..jpg.len() / 2]);
        attachments.insert("bomb.png", png_header(100_000, 100_000));
        attachments.insert("zero.png", png_header(0, 0));
        attachments.insert(
            "external.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image href="file:///etc/passwd" width="10" height="10"/><image xlink:href="http://example.invalid/x.png"/><script>alert(1)</script></svg>"#.to_vec(),
        );
        attachments.insert("not-an-image.png", b"plain text".to_vec());
        Arc::new(attachments)
    });
    ATTACHMENTS.clone()
}

/// A PNG signature and header claiming `w`×`h` pixels, with no image data.
pub fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend(w.to_be_bytes());
    bytes.extend(h.to_be_bytes());
    bytes.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

/// A site in which the page being compiled ("Home") is one of the pages, so that it can include
/// itself, and two pages are each other's parent.
fn site_with(home: Document) -> Site {
    let page = |id: &str, title: &str, parent: Option<&str>, document: Option<Document>| SitePage {
        id: id.to_owned(),
        title: title.to_owned(),
        parent_id: parent.map(str::to_owned),
        labels: vec!["runbook".to_owned()],
        document: document.map(Arc::new),
        ..SitePage::default()
    };
    Site {
        base_url: Some("https://wiki.example.com".to_owned()),
        space_key: Some("OPS".to_owned()),
        current_page: Some("1".to_owned()),
        pages: vec![
            page("1", "Home", None, Some(home.clone())),
            page("2", "Copy", Some("1"), Some(home)),
            page("3", "Loop A", Some("4"), None),
            page("4", "Loop B", Some("3"), None),
        ],
        ..Site::default()
    }
}

/// Every table after the passes is a grid: each row's cells, with the rowspans from above,
/// cover every column exactly once.
fn assert_tables_rectangular(document: &mut Document) {
    walk_blocks_mut(&mut document.blocks, &mut |blocks: &mut Vec<Block>| {
        for block in blocks.iter() {
            let Block::Table(table) = block else { continue };
            let columns = table.columns.len();
            let mut below = vec![0u32; columns];
            for (r, row) in table.rows.iter().enumerate() {
                let mut col = 0;
                for cell in &row.cells {
                    while col < columns && below[col] > 0 {
                        col += 1;
                    }
                    let end = col + cell.colspan as usize;
                    assert!(cell.colspan > 0 && cell.rowspan > 0 && end <= columns);
                    assert!(r + cell.rowspan as usize <= table.rows.len());
                    assert!(below[col..end].iter().all(|&n| n == 0));
                    below[col..end].fill(cell.rowspan);
                    col = end;
                }
                assert!(!below.contains(&0), "row {r} leaves a hole");
                below.iter_mut().for_each(|n| *n -= 1);
            }
        }
    });
}
