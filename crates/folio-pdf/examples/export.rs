//! Renders a multi-page export with a cover, a table of contents, header, footer and watermark:
//! `cargo run -p folio-pdf --example export -- OUT.pdf` (also writes OUT.typ).

#[path = "../tests/support/mod.rs"]
mod support;

use folio_pdf::{Cover, Engine, EngineOptions, Metadata, PageSetup, RenderOptions, lower_document};

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/folio-export.pdf".into());
    let document = support::export_document();
    let mut attachments = folio_ir::Attachments::new();
    attachments.insert("logo.png", support::tiny_png(8, 8, [0, 0x52, 0xcc]));
    let options = RenderOptions {
        title: Some("Team handbook".into()),
        date: Some((2024, 7, 30)),
        page: PageSetup {
            header: Some("{title} — {page-title}".into()),
            footer: Some("{space} · Page {page} of {pages}".into()),
            watermark: Some("DRAFT".into()),
            ..PageSetup::default()
        },
        metadata: Metadata {
            author: Some("Docs team".into()),
            keywords: vec!["handbook".into(), "export".into()],
            ..Metadata::default()
        },
        space_name: Some("Engineering space".into()),
        cover: Some(Cover {
            title: "Team handbook".into(),
            subtitle: Some("Everything about how we work".into()),
            logo: Some("logo.png".into()),
            ..Cover::default()
        }),
        toc: Some(3),
        theme: std::env::args()
            .nth(2)
            .map(|path| std::fs::read_to_string(path).unwrap()),
        ..RenderOptions::default()
    };
    std::fs::write(format!("{out}.typ"), lower_document(&document, &options)).unwrap();
    let engine = Engine::new(&EngineOptions::default());
    let start = std::time::Instant::now();
    let rendered = engine
        .render_pdf(&document, &attachments, &options)
        .unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "{} pages, {} bytes in {:?}; diagnostics: {:#?}",
        rendered.pages,
        rendered.pdf.len(),
        start.elapsed(),
        rendered.diagnostics
    );
    std::fs::write(&out, rendered.pdf).unwrap();
}
