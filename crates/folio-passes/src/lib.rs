//! IR → IR passes, run in one ordered pipeline.
//!
//! Each pass is one module with one public function over `&mut Document` and a [`PassContext`].
//! The order lives in [`run_passes`] and nowhere else. Passes never read files or the network:
//! everything they may look at (attachments, options) is in the context.

mod expand_macros;
mod normalize_tables;
mod size_images;

pub use expand_macros::expand_macros;
pub use normalize_tables::{normalize_table, normalize_tables};
pub use size_images::{ImageFormat, size_images};

use folio_ir::{Attachments, Diagnostic, Document};

/// Limits and switches the passes obey.
#[derive(Debug, Clone)]
pub struct PassOptions {
    /// Largest colspan/rowspan honoured; larger ones are clamped with a warning.
    pub max_span: u32,
    /// Largest number of grid columns a table may have.
    pub max_table_columns: u32,
    /// Largest image (width × height) folio embeds; larger ones become placeholders.
    pub max_image_pixels: u64,
}

impl Default for PassOptions {
    fn default() -> Self {
        Self {
            max_span: 1000,
            max_table_columns: 1000,
            max_image_pixels: 100_000_000,
        }
    }
}

/// What a pass may read, and where it reports.
pub struct PassContext<'a> {
    pub attachments: &'a Attachments,
    pub options: &'a PassOptions,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> PassContext<'a> {
    pub fn new(attachments: &'a Attachments, options: &'a PassOptions) -> Self {
        Self {
            attachments,
            options,
            diagnostics: Vec::new(),
        }
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }
}

/// Runs every pass in order:
/// 1. [`expand_macros`]: the macro catalogue to typed IR;
/// 2. [`normalize_tables`]: rectangular grids, header rows, column widths;
/// 3. [`size_images`]: intrinsic sizes from file headers, placeholders for missing files.
pub fn run_passes(document: &mut Document, context: &mut PassContext<'_>) {
    expand_macros(document, context);
    normalize_tables(document, context);
    size_images(document, context);
}
