//! folio as a library: Confluence storage format in, PDF out, in memory.
//!
//! # Steps
//! 1. **Read**: [`read_page`] turns a storage body (or a REST API page JSON) into the IR with
//!    [`folio_storage::read_storage`].
//! 2. **Passes**: [`folio_passes::run_passes`] expands macros, normalises tables and sizes images.
//! 3. **Lower**: [`folio_pdf::lower_document`] turns the IR into Typst markup.
//! 4. **Typeset**: [`Compiler::render_pdf`] typesets it in-process into PDF bytes.
//!
//! The library writes no files, opens no connections and logs nothing: attachments come in through
//! an [`AttachmentSource`] the caller implements, and everything comes back as values.

mod bundle;
mod export;
mod input;
mod site;
mod space_bundle;

pub use bundle::{Bundle, BundleAttachments, BundleFiles, BundlePage, export_order, load_bundle};
pub use export::{
    DEFAULT_MAX_EXPORT_PAGES, ExportOptions, ExportProgress, PageDiagnostics, compile_bundle,
};
pub use folio_ir as ir;
pub use folio_ir::{AttachmentInfo, AttachmentSource, NoAttachments, Site, SitePage};
pub use folio_passes::{PassOptions, is_math_macro};
pub use folio_pdf::{
    Cover, EngineOptions, Metadata, PageSetup, Paper, ParseSetupError, PdfStandard, RenderError,
    RenderOptions, TEMPLATE_PLACEHOLDERS, check_template,
};
pub use folio_storage::ReadOptions;
pub use input::{PageInput, detect_input, is_space_export};
pub use site::load_site;

use std::collections::BTreeSet;

use folio_ir::{
    Attachments, Block, Diagnostic, Document, ImageSource, Inline, Span, walk_blocks_mut,
    walk_inlines_mut,
};

/// Everything that steers a compilation.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Title for the PDF's metadata; defaults to the REST page's title when there is one.
    pub title: Option<String>,
    pub read: ReadOptions,
    pub passes: PassOptions,
    /// Largest input folio accepts, in bytes.
    pub max_input_bytes: Option<usize>,
    /// The site, other pages and users, for cross-page macros, links and mentions.
    pub site: std::sync::Arc<Site>,
    /// Page setup, metadata, cover and theme of the PDF (the same for `compile` and `export`).
    pub render: RenderOptions,
}

/// Default for [`Options::max_input_bytes`]: 16 MiB. Typesetting takes about 6 s and 280 MB
/// per MB of page text (docs/limits.md), so this bounds a page to minutes and a few GB.
pub const DEFAULT_MAX_INPUT_BYTES: usize = 16 << 20;

/// Why a page could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The input is not UTF-8.
    #[error("input is not valid UTF-8 (at byte {offset})")]
    InvalidUtf8 { offset: usize },
    /// The input is larger than [`Options::max_input_bytes`].
    #[error("input is {size} bytes, more than the limit of {limit} bytes (`max_input_bytes`)")]
    TooLarge { size: usize, limit: usize },
    /// A REST API page JSON that does not parse or has no storage body.
    #[error("{message}")]
    Json {
        message: String,
        line: usize,
        column: usize,
    },
    /// The storage body is not well-formed XML. The span indexes [`PageInput::storage`].
    #[error("{}", .0.message)]
    Read(#[from] folio_storage::ReadError),
    /// A Confluence Server/Data Center space export (`entities.xml`) was given as a page.
    #[error(
        "this is a Confluence space export (entities.xml), not a page; export its pages with \
         `folio export` on its folder, or give one page's storage body or REST API page JSON"
    )]
    SpaceExport,
    /// An export has more pages than [`ExportOptions::max_pages`] allows.
    #[error("the export has {pages} pages, more than the limit of {limit}")]
    TooManyPages { pages: usize, limit: usize },
    /// Typesetting failed; this is a bug in folio, not in the page.
    #[error(transparent)]
    Render(#[from] folio_pdf::RenderError),
}

impl CompileError {
    /// The byte range in the storage body this error points at, if any.
    pub fn span(&self) -> Option<Span> {
        match self {
            CompileError::InvalidUtf8 { offset } => Some(Span::new(*offset, *offset)),
            CompileError::Read(error) => Some(error.span),
            _ => None,
        }
    }

    /// Hints that say what to do.
    pub fn hints(&self) -> &[String] {
        match self {
            CompileError::Read(error) => &error.hints,
            _ => &[],
        }
    }
}

/// A page after reading and passes: the resolved IR, the attachments it uses, and warnings.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub document: Document,
    pub attachments: Attachments,
    pub diagnostics: Vec<Diagnostic>,
    /// How to render it: [`Options::render`] with the title filled in.
    pub render: RenderOptions,
}

/// A rendered PDF.
#[derive(Debug, Clone)]
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
    /// Every warning, from reading to typesetting (for exports: those not tied to one page).
    pub diagnostics: Vec<Diagnostic>,
    /// For exports, each page's warnings (their spans index that page's source).
    pub page_diagnostics: Vec<PageDiagnostics>,
}

/// Checks size and encoding, and unwraps a REST API page JSON to its storage body.
pub fn read_input(bytes: &[u8], options: &Options) -> Result<PageInput, CompileError> {
    let limit = options.max_input_bytes.unwrap_or(DEFAULT_MAX_INPUT_BYTES);
    if bytes.len() > limit {
        return Err(CompileError::TooLarge {
            size: bytes.len(),
            limit,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|error| CompileError::InvalidUtf8 {
        offset: error.valid_up_to(),
    })?;
    detect_input(text)
}

/// Reads a storage body into the IR (step 1).
pub fn read_page(
    storage: &str,
    options: &Options,
) -> Result<(Document, Vec<Diagnostic>), CompileError> {
    let read = folio_storage::read_storage(storage, &options.read)?;
    Ok((read.document, read.diagnostics))
}

/// Reads a page and runs the passes (steps 1–2), loading the attachments it references.
pub fn compile_document(
    page: &PageInput,
    attachments: &dyn AttachmentSource,
    options: &Options,
) -> Result<Compiled, CompileError> {
    let (mut document, mut diagnostics) = read_page(&page.storage, options)?;
    document.title = options.title.clone().or_else(|| page.title.clone());
    let mut cx =
        folio_passes::PassContext::new(attachments, &options.passes).with_site(&options.site);
    folio_passes::run_passes(&mut document, &mut cx);
    diagnostics.append(&mut cx.diagnostics);
    // Passes report in their own order; readers want the page's.
    diagnostics.sort_by_key(|diagnostic| diagnostic.span.map(|span| span.start));
    let mut render = options.render.clone();
    render.title = render.title.or_else(|| document.title.clone());
    Ok(Compiled {
        document,
        attachments: cx.attachments,
        diagnostics,
        render,
    })
}

/// File names of the attachments a document's images use, which are all the attachment bytes
/// the passes and the writer need.
pub fn referenced_attachments(document: &mut Document) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut add = |source: &ImageSource| {
        if let ImageSource::Attachment { filename, .. } = source {
            names.insert(filename.clone());
        }
    };
    walk_blocks_mut(&mut document.blocks, &mut |blocks: &mut Vec<Block>| {
        for block in blocks.iter() {
            if let Block::Image(image) = block {
                add(&image.source);
            }
        }
    });
    walk_inlines_mut(&mut document.blocks, &mut |inlines: &mut Vec<Inline>| {
        for inline in inlines.iter() {
            if let Inline::Image(image) = inline {
                add(&image.source);
            }
        }
    });
    names
}

/// The IR's JSON form, as `folio compile --emit ir` prints it.
pub fn ir_to_json(document: &Document) -> String {
    let value = serde_json::json!({ "folio-ir": folio_ir::IR_VERSION, "document": document });
    serde_json::to_string_pretty(&value).expect("the IR always serialises")
}

/// The Typst markup a document lowers to (step 3), as `folio compile --emit typst` prints it.
pub fn lower_to_typst(compiled: &Compiled) -> String {
    folio_pdf::lower_document(&compiled.document, &compiled.render)
}

/// Compiles pages to PDF. Holds the fonts and theme, loaded once: create one per process and
/// reuse it for every page.
pub struct Compiler {
    pub(crate) engine: folio_pdf::Engine,
}

impl Compiler {
    pub fn new(options: &EngineOptions) -> Self {
        Self {
            engine: folio_pdf::Engine::new(options),
        }
    }

    /// Scans the system's fonts now rather than for the first document that needs them; a
    /// long-lived service calls it once at startup (see [`folio_pdf::Engine::scan_system_fonts`]).
    pub fn scan_system_fonts(&self) {
        self.engine.scan_system_fonts();
    }

    /// Typesets a compiled page (step 4).
    pub fn render_pdf(&self, compiled: &Compiled) -> Result<Pdf, CompileError> {
        let rendered =
            self.engine
                .render_pdf(&compiled.document, &compiled.attachments, &compiled.render)?;
        let mut diagnostics = compiled.diagnostics.clone();
        diagnostics.extend(rendered.diagnostics);
        Ok(Pdf {
            bytes: rendered.pdf,
            pages: rendered.pages,
            diagnostics,
            page_diagnostics: Vec::new(),
        })
    }

    /// All four steps: bytes of a storage body or REST page JSON in, PDF out.
    pub fn compile(
        &self,
        input: &[u8],
        attachments: &dyn AttachmentSource,
        options: &Options,
    ) -> Result<Pdf, CompileError> {
        let page = read_input(input, options)?;
        let compiled = compile_document(&page, attachments, options)?;
        self.render_pdf(&compiled)
    }
}
