//! IR → IR passes, run in one ordered pipeline.
//!
//! Each pass is one module with one public function over `&mut Document` and a [`PassContext`].
//! The order lives in [`run_passes`] and nowhere else. Passes never read files or the network:
//! everything they may look at (attachments, options) is in the context.

mod expand_macros;
mod markdown;
mod normalize_tables;
mod resolve_links;
mod size_images;

pub use expand_macros::{expand_macros, is_math_macro};
pub use normalize_tables::{normalize_table, normalize_tables};
pub use resolve_links::resolve_links;
pub use size_images::{ImageFormat, size_images};

use folio_ir::{AttachmentInfo, AttachmentSource, Attachments, Diagnostic, Document, Site};

/// Limits and switches the passes obey.
#[derive(Debug, Clone)]
pub struct PassOptions {
    /// Largest colspan/rowspan honoured; larger ones are clamped with a warning.
    pub max_span: u32,
    /// Largest number of grid columns a table may have.
    pub max_table_columns: u32,
    /// Largest image (width × height) folio embeds; larger ones become placeholders.
    pub max_image_pixels: u64,
    /// Most distinct attachment images one document embeds; further ones become placeholders.
    /// (Typst names each image file for the life of the process, and has 65,536 names.)
    pub max_images: usize,
    /// Most table cells (grid slots, padding included) of all tables of a document together;
    /// rows past it are left out with a warning. Typesetting time grows with the cells.
    pub max_table_cells: usize,
    /// Deepest chain of pages including each other; past it the include is a placeholder.
    pub max_include_depth: usize,
    /// Most pages `include` and `excerpt-include` bring into one document, all levels counted;
    /// past it an include is a placeholder. Without it, a few pages that each include the next
    /// several times multiply into an exponential document.
    pub max_includes: usize,
    /// Most text (bytes of text runs and code) `include` and `excerpt-include` bring into one
    /// document, all levels counted; an include past it is a placeholder. `max_includes` bounds
    /// the pages, this their size: 200 includes of one large page multiplied it 200 times.
    pub max_included_bytes: usize,
    /// Most tables of contents (`toc`, and each one `toc-zone` places) one page lays out;
    /// further ones are left out with a warning. Each lists every heading of the page.
    pub max_tocs: usize,
    /// Most pages the page-listing macros of one page list together (`children`, `pagetree`,
    /// `contentbylabel`, `detailssummary`, `blog-posts`; each entry or row counts); the macros
    /// after it are placeholders, with a warning. Each lists up to the whole site.
    pub max_listed_pages: usize,
}

impl Default for PassOptions {
    fn default() -> Self {
        Self {
            max_span: 1000,
            max_table_columns: 1000,
            max_image_pixels: 100_000_000,
            max_images: 5_000,
            max_table_cells: 100_000,
            max_include_depth: 8,
            max_includes: 200,
            max_included_bytes: 16 * 1024 * 1024,
            max_tocs: 20,
            max_listed_pages: 10_000,
        }
    }
}

static NO_SITE: Site = Site::EMPTY;

/// What a pass may read, and where it reports.
pub struct PassContext<'a> {
    /// Attachment bytes loaded so far; what the writer will be able to embed.
    pub attachments: Attachments,
    source: &'a dyn AttachmentSource,
    pub options: &'a PassOptions,
    /// The site, other pages and users, as far as the caller supplied them.
    pub site: &'a Site,
    pub diagnostics: Vec<Diagnostic>,
    /// Titles of the pages being included, outermost first, to cut include cycles.
    pub(crate) include_stack: Vec<String>,
    /// Pages included so far, for `max_includes`.
    pub(crate) includes: usize,
    /// Text included so far, for `max_included_bytes`, and whether an include was left out for it.
    pub(crate) included_bytes: usize,
    pub(crate) included_bytes_over_limit: bool,
    /// Table cells placed so far, for `max_table_cells`.
    pub(crate) table_cells: usize,
    /// Attachment images that will be embedded, for `max_images`.
    pub(crate) images: std::collections::BTreeSet<String>,
    /// Tables of contents placed so far, for `max_tocs`.
    pub(crate) tocs: usize,
    /// Pages listed so far, for `max_listed_pages`, and whether a list was left out for it.
    pub(crate) listed_pages: usize,
    pub(crate) listed_pages_over_limit: bool,
    /// Id of the page being compiled, when it differs from `site.current_page` (exports compile
    /// many pages against one site).
    page_id: Option<String>,
}

impl<'a> PassContext<'a> {
    /// A context that loads attachments from `source` on demand and knows no site.
    pub fn new(source: &'a dyn AttachmentSource, options: &'a PassOptions) -> Self {
        Self {
            attachments: Attachments::new(),
            source,
            options,
            site: &NO_SITE,
            diagnostics: Vec::new(),
            include_stack: Vec::new(),
            includes: 0,
            included_bytes: 0,
            included_bytes_over_limit: false,
            table_cells: 0,
            images: Default::default(),
            tocs: 0,
            listed_pages: 0,
            listed_pages_over_limit: false,
            page_id: None,
        }
    }

    /// The same context compiling the site's page `id`.
    pub fn with_page(mut self, id: impl Into<String>) -> Self {
        self.page_id = Some(id.into());
        self
    }

    /// Id of the page being compiled, if known.
    pub fn current_page(&self) -> Option<&str> {
        self.page_id
            .as_deref()
            .or(self.site.current_page.as_deref())
    }

    /// The same context with site data for cross-page macros, links and mentions.
    pub fn with_site(mut self, site: &'a Site) -> Self {
        self.site = site;
        self
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The bytes of an attachment, loaded from the source once and kept for the writer.
    pub fn attachment(&mut self, filename: &str) -> Option<std::sync::Arc<[u8]>> {
        if let Some(bytes) = self.attachments.get(filename) {
            return Some(bytes.clone());
        }
        let bytes = self.source.load(filename)?;
        self.attachments.insert(filename, bytes);
        self.attachments.get(filename).cloned()
    }

    /// Every attachment the source can supply, sorted by name.
    pub fn attachment_list(&self) -> Vec<AttachmentInfo> {
        let mut list = self.source.list();
        list.sort_by(|a, b| a.filename.cmp(&b.filename));
        list
    }
}

/// Runs every pass in order:
/// 1. [`expand_macros`]: the macro catalogue to typed IR;
/// 2. [`resolve_links`]: links to pages and files become site URLs, mentions get names;
/// 3. [`normalize_tables`]: rectangular grids, header rows, column widths;
/// 4. [`size_images`]: intrinsic sizes from file headers, placeholders for missing files.
pub fn run_passes(document: &mut Document, context: &mut PassContext<'_>) {
    expand_macros(document, context);
    resolve_links(document, context);
    normalize_tables(document, context);
    size_images(document, context);
}
