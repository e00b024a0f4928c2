//! Page-tree exports: the pages of a [`Bundle`] compiled one by one against the bundle's site,
//! then set as one document — each page a [`Part`] starting on a new page, its headings nested
//! beneath its title, links between exported pages made internal — and typeset once, so the
//! outline, the table of contents and every internal link are resolved by the same layout.

use std::collections::BTreeSet;
use std::sync::Arc;

use folio_ir::{
    Attachments, Block, Diagnostic, Document, ImageSource, Inline, Part, Span, walk_blocks_mut,
    walk_inlines_mut,
};

use crate::bundle::{Bundle, tree_order};
use crate::{CompileError, Compiler, Cover, Options, Pdf};

/// What to export from a bundle and how to frame it.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Export only this page and its descendants (default: every page and blog post).
    pub root: Option<String>,
    /// How many levels of the tree to export (1 = the roots only; default: all).
    pub depth: Option<usize>,
    /// Start with a cover page (title, space, date, logo).
    pub cover: bool,
    /// A table of contents after the cover.
    pub toc: bool,
    /// Refuse exports of more pages than this.
    pub max_pages: Option<usize>,
}

/// Where an export is; for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportProgress {
    /// `done` of `total` pages read and through the passes.
    Compiled { done: usize, total: usize },
    /// All pages compiled; typesetting the document.
    Typesetting { pages: usize },
    /// The PDF is written: it has `pdf_pages` pages.
    Done { pdf_pages: usize },
}

/// The warnings of one exported page; spans index `storage`.
#[derive(Debug, Clone)]
pub struct PageDiagnostics {
    pub page_id: String,
    pub title: String,
    /// Path of the page's source in the bundle.
    pub source_path: Option<String>,
    pub storage: Arc<str>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Heading levels the export's table of contents lists: pages to three levels deep, or pages
/// and their first headings.
pub const EXPORT_TOC_DEPTH: u8 = 3;

/// Default for [`ExportOptions::max_pages`] when the caller sets none.
pub const DEFAULT_MAX_EXPORT_PAGES: usize = 5000;

impl Compiler {
    /// Compiles the pages of `bundle` into one PDF.
    pub fn export(
        &self,
        bundle: &Bundle<'_>,
        export: &ExportOptions,
        options: &Options,
        progress: &mut dyn FnMut(ExportProgress),
    ) -> Result<Pdf, CompileError> {
        let (document, mut attachments, page_diagnostics) =
            compile_bundle(bundle, export, options, progress)?;
        let mut render = options.render.clone();
        render.title = render.title.or_else(|| document.title.clone());
        render.space_name = render.space_name.or_else(|| bundle.space_name.clone());
        if export.toc && render.toc.is_none() {
            render.toc = Some(EXPORT_TOC_DEPTH);
        }
        if export.cover && render.cover.is_none() {
            // The logo joins the attachments under a name no page attachment can have.
            let logo = bundle.logo.as_deref().and_then(|path| {
                let bytes = bundle.file(path)?;
                let key = format!("cover/{}", path.rsplit('/').next().unwrap_or(path));
                attachments.insert(key.clone(), bytes);
                Some(key)
            });
            render.cover = Some(Cover {
                title: document.title.clone().unwrap_or_default(),
                subtitle: None,
                date: None,
                logo,
            });
        }
        progress(ExportProgress::Typesetting {
            pages: page_diagnostics.len(),
        });
        let rendered = self.engine.render_pdf(&document, &attachments, &render)?;
        progress(ExportProgress::Done {
            pdf_pages: rendered.pages,
        });
        let mut diagnostics = bundle.diagnostics.clone();
        diagnostics.extend(rendered.diagnostics);
        Ok(Pdf {
            bytes: rendered.pdf,
            pages: rendered.pages,
            diagnostics,
            page_diagnostics,
        })
    }
}

/// The export as one IR document, with its attachments (keyed `<page id>/<file name>`) and the
/// warnings of each page.
pub fn compile_bundle(
    bundle: &Bundle<'_>,
    export: &ExportOptions,
    options: &Options,
    progress: &mut dyn FnMut(ExportProgress),
) -> Result<(Document, Attachments, Vec<PageDiagnostics>), CompileError> {
    let order = tree_order(&bundle.site, export.root.as_deref(), export.depth);
    let limit = export.max_pages.unwrap_or(DEFAULT_MAX_EXPORT_PAGES);
    if order.len() > limit {
        return Err(CompileError::TooManyPages {
            pages: order.len(),
            limit,
        });
    }
    let mut site = bundle.site.clone();
    site.exported = order
        .iter()
        .map(|&(i, _)| site.pages[i].id.clone())
        .collect::<BTreeSet<_>>();

    let total = order.len();
    let mut attachments = Attachments::new();
    let mut parts = Vec::with_capacity(total);
    let mut all_diagnostics = Vec::with_capacity(total);
    for (done, &(i, depth)) in order.iter().enumerate() {
        let site_page = &site.pages[i];
        let bundle_page = &bundle.pages[i];
        let mut document = site_page.document.as_deref().cloned().unwrap_or_default();
        let source = bundle.attachments(bundle_page);
        let mut cx = folio_passes::PassContext::new(&source, &options.passes)
            .with_site(&site)
            .with_page(site_page.id.clone());
        folio_passes::run_passes(&mut document, &mut cx);
        let mut diagnostics = cx.diagnostics;
        diagnostics.sort_by_key(|d| d.span.map(|span| span.start));
        let level = u8::try_from(depth + 1).unwrap_or(u8::MAX);
        shift_headings(&mut document.blocks, level);
        namespace_images(&mut document.blocks, &site_page.id);
        for (name, bytes) in cx.attachments.iter() {
            attachments.insert(format!("{}/{name}", site_page.id), bytes.clone());
        }
        parts.push(Block::Part(Part {
            id: site_page.id.clone(),
            title: site_page.title.clone(),
            level,
            blog_post: site_page.blog_post,
            date: site_page.date.clone(),
            author: bundle_page.author.clone(),
            blocks: document.blocks,
            span: Span::DETACHED,
        }));
        all_diagnostics.push(PageDiagnostics {
            page_id: site_page.id.clone(),
            title: site_page.title.clone(),
            source_path: bundle_page.source_path.clone(),
            storage: bundle_page.storage.clone(),
            diagnostics,
        });
        progress(ExportProgress::Compiled {
            done: done + 1,
            total,
        });
    }
    let title = bundle
        .title
        .clone()
        .or_else(|| order.first().map(|&(i, _)| site.pages[i].title.clone()));
    let document = Document {
        title,
        blocks: parts,
    };
    Ok((document, attachments, all_diagnostics))
}

/// A page's own headings go beneath its title: `h1` becomes level `part + 1`, and so on.
fn shift_headings(blocks: &mut Vec<Block>, part_level: u8) {
    walk_blocks_mut(blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            match block {
                Block::Heading { level, .. } => *level = level.saturating_add(part_level),
                Block::Toc(toc) => {
                    toc.min_level = toc.min_level.saturating_add(part_level);
                    toc.max_level = toc.max_level.saturating_add(part_level);
                }
                _ => {}
            }
        }
    });
}

/// Attachment names are per page (every page has its `image.png`): in the export they are
/// `<page id>/<file name>`.
fn namespace_images(blocks: &mut Vec<Block>, page_id: &str) {
    let rename = |source: &mut ImageSource| {
        if let ImageSource::Attachment { filename, .. } = source {
            *filename = format!("{page_id}/{filename}");
        }
    };
    walk_blocks_mut(blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            if let Block::Image(image) = block {
                rename(&mut image.source);
            }
        }
    });
    walk_inlines_mut(blocks, &mut |list: &mut Vec<Inline>| {
        for inline in list.iter_mut() {
            if let Inline::Image(image) = inline {
                rename(&mut image.source);
            }
        }
    });
}
