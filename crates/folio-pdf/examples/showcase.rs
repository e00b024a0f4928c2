//! Renders a document with every IR construct: `cargo run -p folio-pdf --example showcase -- OUT.pdf`
//! (also writes OUT.typ with the lowered markup).

#[path = "../tests/support/mod.rs"]
mod support;

use folio_pdf::{Engine, EngineOptions, RenderOptions, lower_document};

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/folio-showcase.pdf".into());
    let document = support::showcase();
    let options = RenderOptions {
        title: None,
        date: Some((2024, 7, 30)),
        ..RenderOptions::default()
    };
    std::fs::write(format!("{out}.typ"), lower_document(&document, &options)).unwrap();
    let engine = Engine::new(&EngineOptions::default());
    let start = std::time::Instant::now();
    let rendered = engine
        .render_pdf(&document, &support::showcase_attachments(), &options)
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
