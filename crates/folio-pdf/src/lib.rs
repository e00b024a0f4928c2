//! The PDF writer, and the only crate that knows Typst: folio IR → Typst markup → PDF.
//!
//! [`lower_document`] turns a [`Document`] into Typst markup that calls the bundled theme
//! (`theme.typ`); [`Engine::render_pdf`] typesets that markup in-process with the `typst` and
//! `typst-pdf` crates, in a sandboxed world that serves only the theme (and the caller's, if
//! any), the engine's fonts and the caller's attachments.
//!
//! [`RenderOptions`] set up the pages (paper, margins, header and footer templates, watermark),
//! the metadata and language, a cover and a table of contents, a PDF standard, and a user theme
//! (Typst source that overrides the bundled theme's values and functions); docs/page-setup.md.
//! [`Block::Part`](folio_ir::Block::Part)s (the pages of a multi-page export) each start a new
//! page under a bookmarked title.
//!
//! Deliberately absent: file system, network, packages and environment access while rendering.
//! Page text is always data: it reaches the markup escaped or inside string literals, never as
//! code.

mod bitmap;
mod cell_widths;
mod downsample;
mod emoji;
mod escape;
mod font_info;
mod fonts;
mod highlight_warmup;
mod image_as_pdf;
mod image_decoding;
mod layout_passes;
mod link_pieces;
mod lower;
mod math;
mod opaque_png;
mod options;
mod svg;
mod text_widths;
mod world;

#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use folio_ir::{Attachments, Diagnostic, Document};
use rayon::prelude::*;
use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::layout::{Em, Frame, FrameItem};
use typst::syntax::Source;
use typst::text::TextItem;
use typst::utils::LazyHash;
use typst::visualize::{ImageFormat, Paint, RasterFormat, RasterImage, SvgImage, VectorFormat};
use typst::{Library, LibraryExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

pub use crate::options::{
    Cover, IMAGE_DPI, Metadata, PageSetup, Paper, ParseSetupError, PdfStandard, RenderOptions,
    TEMPLATE_PLACEHOLDERS, check_template,
};
pub(crate) use crate::options::{TemplatePart, language_tag, parse_template};

use crate::cell_widths::PlainCellMeasure;
use crate::fonts::{Fonts, ShownText};
use crate::image_decoding::ImageDecoding;
use crate::world::SandboxWorld;

/// Fonts and theme loaded once per process and reused for every document (a service renders
/// many). Cheap to share between threads.
pub struct Engine {
    library: LazyHash<Library>,
    fonts: Fonts,
    theme: Source,
    /// `/user-theme.typ` when the render has no theme.
    no_user_theme: Source,
}

/// How to build an [`Engine`].
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Scan the system's fonts and use them as fallback for characters the embedded fonts lack
    /// (CJK, emoji). Font files are read lazily, the first time one is needed. Default: true.
    pub system_fonts: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self { system_fonts: true }
    }
}

/// A rendered PDF.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub pdf: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// Warnings from lowering and typesetting; messages quote no page text.
    pub diagnostics: Vec<Diagnostic>,
}

/// A document laid out into pages, not yet written as PDF (see [`Engine::layout`]).
pub struct LaidOut {
    paged: PagedDocument,
    diagnostics: Vec<Diagnostic>,
    title: Option<String>,
}

impl LaidOut {
    /// Number of pages.
    pub fn pages(&self) -> usize {
        self.paged.pages().len()
    }
}

/// Rendering failed. The lowering produces valid Typst for any IR, so `Typeset`, `Export` and
/// `Panic` are bugs in folio-pdf; the others come from the options.
#[derive(thiserror::Error, Debug)]
pub enum RenderError {
    /// The options are invalid (see [`RenderOptions::validate`]).
    #[error("invalid render options: {0}")]
    Options(String),
    /// The user theme does not compile, or breaks the document.
    #[error("the theme failed: {0}")]
    Theme(String),
    /// The document cannot conform to the requested PDF standard.
    #[error("the PDF cannot conform to {standard}: {message}")]
    Standard {
        standard: &'static str,
        message: String,
    },
    #[error("typesetting failed, which is a bug in folio-pdf (please report it): {0}")]
    Typeset(String),
    #[error("PDF export failed, which is a bug in folio-pdf (please report it): {0}")]
    Export(String),
    #[error("typesetting panicked, which is a bug in folio-pdf (please report it)")]
    Panic,
}

/// Lowers the IR to Typst markup (the main file). Pure function; used by `--emit typst` and
/// snapshots. Attachment images are assumed present unless the IR marks them `missing`.
///
/// Korean table cells are left for the theme to measure here: measuring them takes the
/// engine's fallback fonts (see `cell_widths`).
pub fn lower_document(document: &Document, options: &RenderOptions) -> String {
    let plain_cells = plain_cell_measure(options);
    lower::lower(
        document,
        options,
        &|_| true,
        plain_cells.as_ref(),
        lower::MAX_DEPTH,
    )
    .markup
}

/// What measures plain-text table cells for the theme, in the document's language; none under
/// a user theme, which may set cells' text otherwise.
fn plain_cell_measure(options: &RenderOptions) -> Option<PlainCellMeasure<'static>> {
    if options.theme.is_some() {
        return None;
    }
    let (lang, region) = lower::language(options).unwrap_or_else(|| ("en".to_owned(), None));
    PlainCellMeasure::new(&lang, region.as_deref())
}

impl Engine {
    /// Loads the fonts (embedded, then system fonts if enabled) and the standard library.
    pub fn new(options: &EngineOptions) -> Engine {
        Engine {
            library: LazyHash::new(Library::default()),
            fonts: Fonts::load(options.system_fonts),
            theme: world::theme_source(),
            no_user_theme: world::user_theme_source(""),
        }
    }

    /// Scans the system's fonts now rather than for the first document that needs them (one
    /// with Korean text or emoji, say); a long-lived service calls it once at startup.
    pub fn scan_system_fonts(&self) {
        self.fonts.scan_system_now();
    }

    /// Typesets a document with the bundled theme and the given attachments into PDF bytes:
    /// [`Engine::layout`], then [`Engine::write_pdf`].
    pub fn render_pdf(
        &self,
        document: &Document,
        attachments: &Attachments,
        options: &RenderOptions,
    ) -> Result<Rendered, RenderError> {
        let laid_out = self.layout(document, attachments, options)?;
        self.write_pdf(laid_out, options)
    }

    /// Lowers and typesets a document into pages (the first half of [`Engine::render_pdf`];
    /// public so that benchmarks can time layout and PDF writing apart).
    pub fn layout(
        &self,
        document: &Document,
        attachments: &Attachments,
        options: &RenderOptions,
    ) -> Result<LaidOut, RenderError> {
        options.validate().map_err(RenderError::Options)?;
        let (paged, mut diagnostics, _) = self.typeset(document, attachments, options)?;
        let missing: usize = paged
            .pages()
            .iter()
            .map(|page| missing_glyphs(&page.frame))
            .sum();
        if missing > 0 {
            diagnostics.push(
                Diagnostic::warning(
                    "missing-glyphs",
                    format!("{missing} characters have no glyph in the available fonts and print as boxes"),
                )
                .with_hint("install a font that covers them (e.g. Noto Sans CJK) and keep system fonts on"),
            );
        }
        Ok(LaidOut {
            paged,
            diagnostics,
            title: lower::document_title(document, options).map(str::to_owned),
        })
    }

    /// Writes laid-out pages as a PDF (the second half of [`Engine::render_pdf`]).
    pub fn write_pdf(
        &self,
        laid_out: LaidOut,
        options: &RenderOptions,
    ) -> Result<Rendered, RenderError> {
        let LaidOut {
            paged,
            mut diagnostics,
            title,
        } = laid_out;
        // PDF/A and PDF/UA forbid `.notdef`, which a character no font has is drawn with (the
        // `missing-glyphs` warning): an emoji would stop the whole document. And the invisible
        // characters of an emoji picture (the theme's `folio-emoji`) are notdef glyphs, which
        // the PDF writer would put into the text layer as U+FFFD.
        let replace_glyphs = paged.pages().iter().any(|page| {
            has_invisible_text(&page.frame)
                || options.pdf_standard != PdfStandard::None && missing_glyphs(&page.frame) > 0
        });
        // And a link's pieces on a line are one link area, not one each (`link_pieces.rs`).
        let join_links = paged
            .pages()
            .iter()
            .any(|page| link_pieces::has_link_pieces(&page.frame));
        // Both at once: the document's index of its elements is built again after.
        let paged = if replace_glyphs || join_links {
            with_frames_rewritten(&paged, |frame| {
                if replace_glyphs {
                    replace_missing_glyphs(frame);
                }
                if join_links && link_pieces::has_link_pieces(frame) {
                    link_pieces::join_link_pieces(frame);
                }
            })
        } else {
            paged
        };
        let standards = match options.pdf_standard {
            PdfStandard::None => &[][..],
            PdfStandard::A2b => &[typst_pdf::PdfStandard::A_2b],
            PdfStandard::Ua1 => &[typst_pdf::PdfStandard::Ua_1],
        };
        let pdf_options = PdfOptions {
            ident: match title {
                Some(title) => Smart::Custom(format!("folio/{title}")),
                None => Smart::Auto,
            },
            creator: Smart::Custom(Some(format!("folio {}", env!("CARGO_PKG_VERSION")))),
            timestamp: Some(Timestamp::new_utc(midnight(options))),
            standards: typst_pdf::PdfStandards::new(standards)
                .map_err(|error| RenderError::Export(sanitize(error.message())))?,
            tagged: options.tagged || options.pdf_standard == PdfStandard::Ua1,
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(&paged, &pdf_options).map_err(|errors| {
            match options.pdf_standard.name() {
                Some(standard) if errors.iter().any(|e| e.message.starts_with("PDF/")) => {
                    RenderError::Standard {
                        standard,
                        message: describe_with_hints(&errors),
                    }
                }
                _ => RenderError::Export(describe(&errors)),
            }
        })?;
        diagnostics.shrink_to_fit();
        Ok(Rendered {
            pdf,
            pages: paged.pages().len(),
            diagnostics,
        })
    }

    /// Lowers and lays out `document`; also returns the markup (for tests).
    pub(crate) fn typeset(
        &self,
        document: &Document,
        attachments: &Attachments,
        options: &RenderOptions,
    ) -> Result<(PagedDocument, Vec<Diagnostic>, String), RenderError> {
        // Highlighting rules compile on a thread of their own from the start: the lowering may
        // wait for the system fonts (to measure Korean table cells), and the layout for the
        // rules.
        let warmup = highlight_warmup::start(&lower::code_samples(document));
        let result = self.lower_and_typeset(document, attachments, options);
        if let Some(warmup) = warmup {
            // A panic there is syntect's; the layout highlighted (or failed) on its own.
            let _ = warmup.join();
        }
        result
    }

    /// [`Engine::typeset`] without the highlighting warm-up: lowers and lays out `document`,
    /// again with images that do not decode as placeholders, with formulas as source if they
    /// fail, and with its deepest containers flattened if it nests too deep for Typst.
    fn lower_and_typeset(
        &self,
        document: &Document,
        attachments: &Attachments,
        options: &RenderOptions,
    ) -> Result<(PagedDocument, Vec<Diagnostic>, String), RenderError> {
        let widths = downsample::printed_widths(document, downsample::text_width_pt(options));
        let caps = (options.image_dpi)
            .map(|dpi| downsample::pixel_caps(&widths, dpi))
            .unwrap_or_default();
        // The raster images the document shows are decoded (and scaled to the resolution cap)
        // in the background while it is lowered and typeset (`image_decoding.rs`). Until then
        // the lowering takes a raster image in a format Typst reads as loadable; one that turns
        // out not to decode is shown as a placeholder by typesetting again, which is rare, as
        // the image pass has already read its header. SVGs (and anything else) are checked now,
        // on every core: the lowering must know which SVGs link files.
        // BMP and ICO files are rasters too: they reach Typst as PNGs (`bitmap.rs`).
        let (rasters, others): (Vec<String>, Vec<String>) = widths.into_keys().partition(|name| {
            attachments.get(name).is_some_and(|bytes| {
                matches!(
                    image_format(bytes),
                    Some(ImageFormat::Raster(RasterFormat::Exchange(_)))
                ) || bitmap::is_bitmap(bytes)
            })
        });
        // An SVG that links images outside itself is shown without them, as a browser shows it
        // (`svg::without_linked_images`); Typst gets that SVG in place of the attachment.
        let others: Vec<(String, bool, Option<UnlinkedSvg>)> = others
            .into_par_iter()
            .map(|name| {
                let Some(bytes) = attachments.get(&name) else {
                    return (name, false, None);
                };
                if is_loadable_image(bytes) {
                    return (name, true, None);
                }
                let unlinked = svg::without_linked_images(bytes)
                    .map(|(svg, links)| (Bytes::new(svg), links.len()))
                    .filter(|(svg, _)| is_loadable(svg.clone()));
                (name, unlinked.is_some(), unlinked)
            })
            .collect();
        let mut checked = BTreeMap::new();
        let mut unlinked_svgs = BTreeMap::new();
        let mut diagnostics_of_images = Vec::new();
        for (name, loadable, unlinked) in others {
            if let Some((svg, links)) = unlinked {
                diagnostics_of_images.push(linked_images_left_out(&name, links));
                unlinked_svgs.insert(name.clone(), svg);
            }
            checked.insert(name, loadable);
        }
        checked.extend(rasters.iter().map(|name| (name.clone(), true)));
        let decoding = ImageDecoding::new(
            rasters,
            attachments,
            options.pdf_standard == PdfStandard::None,
            caps,
        );
        let checked = RefCell::new(checked);
        let available = |filename: &str| {
            *checked
                .borrow_mut()
                .entry(filename.to_owned())
                .or_insert_with(|| attachments.get(filename).is_some_and(is_loadable_image))
        };
        let plain_cells =
            plain_cell_measure(options).map(|measure| measure.with_fallback(&self.fonts));
        // Typst limits how deeply layout nests; a document that exceeds it is lowered again
        // with its deepest containers flattened.
        let typeset = |document: &Document| {
            let mut result = Err(RenderError::Panic);
            for max_depth in [lower::MAX_DEPTH, 6, 2] {
                let lowered = lower::lower(
                    document,
                    options,
                    &available,
                    plain_cells.as_ref(),
                    max_depth,
                );
                result = self.compile(lowered, attachments, &unlinked_svgs, &decoding, options);
                match &result {
                    Err(RenderError::Typeset(message)) if message.contains("depth exceeded") => {}
                    _ => break,
                }
            }
            if let Ok((_, diagnostics, _)) = &mut result {
                diagnostics.extend(diagnostics_of_images.iter().cloned());
            }
            result
        };
        let result = std::thread::scope(|scope| {
            if !decoding.is_empty() {
                scope.spawn(|| decoding.decode_all());
            }
            typeset(document)
        });
        let failed = decoding.failed();
        let result = if failed.is_empty() {
            result
        } else {
            checked
                .borrow_mut()
                .extend(failed.into_iter().map(|name| (name, false)));
            typeset(document)
        };
        // Translated TeX is tested to be valid Typst, but it comes from pages: should a formula
        // still fail, the page is rendered with its formulas as source rather than not at all.
        if let Err(RenderError::Typeset(_)) = &result
            && let Some(plain) = math::as_source(document)
        {
            let mut retried = typeset(&plain);
            if let Ok((_, diagnostics, _)) = &mut retried {
                diagnostics.push(
                    Diagnostic::warning(
                        "math-not-typeset",
                        "the formulas could not be typeset and are shown as TeX source, which is a bug in folio-pdf (please report it)",
                    ),
                );
                return retried;
            }
        }
        // The bundled theme and the lowering are tested without a user theme: with one, it is
        // the likely cause.
        match result {
            Err(RenderError::Typeset(message)) if options.theme.is_some() => {
                Err(RenderError::Theme(message))
            }
            result => result,
        }
    }

    /// Typesets `lowered`. `unlinked_svgs`: what Typst reads in place of SVG attachments that
    /// link images outside themselves.
    fn compile(
        &self,
        lowered: lower::Lowered,
        attachments: &Attachments,
        unlinked_svgs: &BTreeMap<String, Bytes>,
        decoding: &ImageDecoding,
        options: &RenderOptions,
    ) -> Result<(PagedDocument, Vec<Diagnostic>, String), RenderError> {
        let images: Vec<Bytes> = lowered
            .images
            .iter()
            .map(|name| match unlinked_svgs.get(name) {
                Some(svg) => svg.clone(),
                None => attachments
                    .get(name)
                    .map_or_else(|| Bytes::new([]), |b| Bytes::new(b.clone())),
            })
            .collect();
        let user_theme = options.theme.as_deref().map(world::user_theme_source);
        // An SVG's text is the document's too, set in the families it names or else the
        // document's. One that names a family the system has before the embedded ones in its
        // lists, or cannot be read, may need the system's.
        let mut svg_text = String::new();
        let mut svg_names_other_families = false;
        for image in &images {
            if matches!(
                ImageFormat::detect(image),
                Some(ImageFormat::Vector(VectorFormat::Svg))
            ) {
                match svg::text_and_families(image, &fonts::is_embedded_family_name) {
                    Some(found) => {
                        svg_names_other_families = svg_names_other_families
                            || self
                                .fonts
                                .system_has_family(&found.families_before_embedded);
                        svg_text.push_str(&found.text);
                    }
                    None => svg_names_other_families = true,
                }
            }
        }
        // Only these may draw characters, or choose fonts, that the document's text does not
        // show: a user theme names families, Typst's words for a language other than English
        // (the table of contents' title, quotation marks) are its own, and an SVG's text may
        // name other families. (Formulas' characters are checked against the math face.)
        let may_need_system_fonts = options.theme.is_some()
            || options
                .metadata
                .language
                .as_deref()
                .is_some_and(|lang| !lang.trim().to_ascii_lowercase().starts_with("en"))
            || svg_names_other_families;
        let shown = ShownText {
            all: &lowered.markup,
            mono: &lowered.mono_text,
            math: &lowered.math_text,
        };
        let fonts = if svg_text.is_empty() {
            self.fonts.for_document(&shown, may_need_system_fonts)
        } else {
            // An SVG may set its text in any embedded face: it is checked against all of them.
            let all = format!("{}{svg_text}", lowered.markup);
            let mono = format!("{}{svg_text}", lowered.mono_text);
            let shown = ShownText {
                all: &all,
                mono: &mono,
                ..shown
            };
            self.fonts.for_document(&shown, may_need_system_fonts)
        };
        let world = SandboxWorld::new(
            &self.library,
            fonts,
            &self.theme,
            user_theme.as_ref().unwrap_or(&self.no_user_theme),
            lowered.markup.clone(),
            images,
            today(options),
        )
        .with_decoding(&lowered.images, decoding);
        let warned = catch_unwind(AssertUnwindSafe(|| layout_passes::compile(&world)));
        let warned = warned.map_err(|_| RenderError::Panic)?;
        // Bound the memory Typst's caches keep between renders.
        typst::comemo::evict(10);
        let paged = warned.output.map_err(|errors| {
            if errors
                .iter()
                .any(|e| e.span.id().is_some_and(world::is_user_theme))
            {
                RenderError::Theme(describe_in_theme(&world, &errors))
            } else {
                RenderError::Typeset(describe(&errors))
            }
        })?;
        let mut diagnostics = lowered.diagnostics;
        diagnostics.extend(warned.warnings.iter().map(map_warning));
        Ok((paged, diagnostics, lowered.markup))
    }
}

/// Glyphs drawn with a font's "missing glyph" (id 0): characters no available font covers.
fn missing_glyphs(frame: &Frame) -> usize {
    frame
        .items()
        .map(|(_, item)| match item {
            FrameItem::Text(text) if !is_invisible(text) => {
                text.glyphs.iter().filter(|glyph| glyph.id == 0).count()
            }
            FrameItem::Group(group) => missing_glyphs(&group.frame),
            _ => 0,
        })
        .sum()
}

/// Whether `frame` has invisible text (see [`is_invisible`]).
fn has_invisible_text(frame: &Frame) -> bool {
    frame.items().any(|(_, item)| match item {
        FrameItem::Text(text) => is_invisible(text),
        FrameItem::Group(group) => has_invisible_text(&group.frame),
        _ => false,
    })
}

/// Whether `text` is there only for the text layer: the characters of an emoji picture, which
/// the theme's `folio-emoji` sets in [`EMOJI_TEXT_FILL`]. Their missing glyphs are not missing
/// to the reader.
fn is_invisible(text: &TextItem) -> bool {
    matches!(&text.fill, Paint::Solid(colour) if colour.to_vec4_u8() == EMOJI_TEXT_FILL)
}

/// The colour of an emoji's characters in the theme's `folio-emoji`: fully transparent, and a
/// colour of its own, so that text a theme makes transparent is left as it is.
const EMOJI_TEXT_FILL: [u8; 4] = [1, 2, 3, 0];

/// The size of an emoji's characters in the theme's `folio-emoji` (right after its picture, one
/// em of the text wide), as a share of the text's: small enough to take no room worth seeing.
const EMOJI_TEXT_SCALE: f64 = 0.05;

/// The characters of an emoji picture (see [`EMOJI_TEXT_SCALE`]) moved under the picture, at the
/// text's size, and drawn as a glyph that draws nothing (see [`blank_glyph`]): text extraction
/// and selection find them where the picture is, in a line of their size, and the PDF holds no
/// `.notdef` (which the PDF writer would also put into the text layer as U+FFFD). They end at
/// the picture's right edge, one against the next, each no wider than its glyph: text
/// extraction reads a gap between glyphs as a space, and an emoji is often followed by
/// punctuation.
fn put_under_emoji_picture(text: &mut TextItem) {
    let Some(blank) = blank_glyph(text) else {
        return;
    };
    let width = text.font.x_advance(blank).unwrap_or(Em::new(0.3));
    text.size /= EMOJI_TEXT_SCALE;
    let count = text.glyphs.len().max(1) as f64;
    let advance = width.min(Em::new(1.0 / count));
    for glyph in &mut text.glyphs {
        glyph.id = blank;
        glyph.x_advance = advance;
        glyph.x_offset = -advance * count;
    }
}

/// A glyph of `text`'s font that draws nothing, has a width, and that page text hardly ever
/// uses, to stand for characters the font has no glyph for: U+2008 PUNCTUATION SPACE (DejaVu
/// Sans has it), else the space. The PDF writer maps a glyph to the first text it stands for
/// (its `ToUnicode` entry) and marks each other use with an `ActualText`, which some text
/// extractors ignore: drawn as the space, an emoji made every space of the document copy as
/// that emoji there.
fn blank_glyph(text: &TextItem) -> Option<u16> {
    let face = text.font.ttf();
    face.glyph_index('\u{2008}')
        .or_else(|| face.glyph_index(' '))
        .map(|id| id.0)
}

/// `paged` with `rewrite` applied to the frame of each page.
fn with_frames_rewritten(paged: &PagedDocument, rewrite: impl Fn(&mut Frame)) -> PagedDocument {
    use typst::model::Document as _;
    let pages = paged
        .pages()
        .iter()
        .map(|page| {
            let mut page = page.clone();
            rewrite(&mut page.frame);
            page
        })
        .collect();
    PagedDocument::new(pages, paged.info().clone())
}

/// Draws each glyph no font has (`.notdef`, glyph 0) in `frame` as its font's white rectangle
/// (▯, else □, else `?`), as the notdef glyph of most fonts looks, its character kept in the
/// text layer for copying and search; a missing glyph of no width (a joiner or a variation
/// selector) as a glyph that draws nothing ([`blank_glyph`]). And puts the characters of each
/// emoji picture under it ([`put_under_emoji_picture`]).
fn replace_missing_glyphs(frame: &mut Frame) {
    // `retain` is the frame's one way to change its items in place.
    frame.retain(|item| {
        match item {
            FrameItem::Text(text) if is_invisible(text) => put_under_emoji_picture(text),
            FrameItem::Text(text) if text.glyphs.iter().any(|glyph| glyph.id == 0) => {
                let face = text.font.ttf();
                let glyph_of = |c: char| face.glyph_index(c).map(|id| id.0);
                let rectangle = glyph_of('\u{25AF}')
                    .or_else(|| glyph_of('\u{25A1}'))
                    .or_else(|| glyph_of('?'));
                let blank = blank_glyph(text);
                for glyph in text.glyphs.iter_mut().filter(|glyph| glyph.id == 0) {
                    let substitute = if glyph.x_advance.get() == 0.0 {
                        blank
                    } else {
                        rectangle
                    };
                    let Some(id) = substitute else { continue };
                    // Centred in the room laid out for the notdef glyph.
                    if let Some(advance) = text.font.x_advance(id) {
                        glyph.x_offset += (glyph.x_advance - advance) / 2.0;
                    }
                    glyph.id = id;
                }
            }
            FrameItem::Group(group) => replace_missing_glyphs(&mut group.frame),
            _ => {}
        }
        true
    });
}

/// An SVG without the images it linked, and how many it linked.
type UnlinkedSvg = (Bytes, usize);

/// The warning for an SVG shown without the `count` images it links. The links are not
/// quoted: they come from the file, and a URL may carry what a log should not.
fn linked_images_left_out(filename: &str, count: usize) -> Diagnostic {
    let images = if count == 1 {
        "an image".to_owned()
    } else {
        format!("{count} images")
    };
    Diagnostic::warning(
        "svg-linked-image",
        format!("the SVG `{filename}` is shown without {images} it links from outside itself"),
    )
    .with_hint(
        "a browser does not load them either; to show them, inline them in the SVG as data: URLs",
    )
}

/// The format of an image as Typst detects it (from its first bytes).
fn image_format(bytes: &std::sync::Arc<[u8]>) -> Option<ImageFormat> {
    ImageFormat::detect(&Bytes::new(bytes.clone()))
}

/// Whether Typst can show `bytes` as an image: a decodable PNG, JPEG, GIF or WebP, or a
/// parsable SVG. (Decoding is memoized by Typst, so the real use does not decode again.)
fn is_loadable_image(bytes: &std::sync::Arc<[u8]>) -> bool {
    is_loadable(Bytes::new(bytes.clone()))
}

/// Whether Typst loads `data` as an image (see [`is_loadable_image`]).
fn is_loadable(data: Bytes) -> bool {
    match ImageFormat::detect(&data) {
        Some(ImageFormat::Raster(RasterFormat::Exchange(format))) => {
            RasterImage::new(data, format, Smart::Auto).is_ok()
        }
        Some(ImageFormat::Vector(VectorFormat::Svg)) => {
            svg::is_self_contained(&data) && SvgImage::new(data).is_ok()
        }
        Some(
            ImageFormat::Raster(RasterFormat::Pixel(_)) | ImageFormat::Vector(VectorFormat::Pdf),
        )
        | None => false,
    }
}

/// The fixed "today" of a render (1970-01-01 unless set, or if invalid).
fn date(options: &RenderOptions) -> (i32, u8, u8) {
    options
        .date
        .filter(|&(year, month, day)| Datetime::from_ymd(year, month, day).is_some())
        .unwrap_or((1970, 1, 1))
}

/// `today()` in Typst: a date.
fn today(options: &RenderOptions) -> Datetime {
    let (year, month, day) = date(options);
    Datetime::from_ymd(year, month, day).expect("the date was validated")
}

/// The PDF's creation date: midnight UTC of the render's date.
fn midnight(options: &RenderOptions) -> Datetime {
    let (year, month, day) = date(options);
    Datetime::from_ymd_hms(year, month, day, 0, 0, 0).expect("the date was validated")
}

/// Typst's messages, with anything it quotes in backticks (which may come from the page)
/// replaced by `…`.
fn sanitize(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for (i, part) in message.split('`').enumerate() {
        if i % 2 == 0 {
            out.push_str(part);
        } else {
            out.push_str("`…`");
        }
    }
    out
}

/// Errors of a render that fails in the user theme, with lines and columns there.
fn describe_in_theme(world: &SandboxWorld<'_>, errors: &[SourceDiagnostic]) -> String {
    use typst::{World, WorldExt};
    errors
        .iter()
        .map(|e| {
            let mut message = sanitize(&e.message);
            if let Some(id) = e.span.id()
                && world::is_user_theme(id)
                && let (Some(range), Ok(source)) = (world.range(e.span), world.source(id))
                && let Some((line, column)) = source.lines().byte_to_line_column(range.start)
            {
                message = format!("{message} (theme line {}, column {})", line + 1, column + 1);
            }
            message
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Typst's errors with their hints (for errors that are not bugs, where the hints help), each
/// different message once, with how many times it occurred.
fn describe_with_hints(errors: &[SourceDiagnostic]) -> String {
    let mut messages: Vec<(String, usize)> = Vec::new();
    for error in errors {
        let mut message = sanitize(&error.message);
        for hint in &error.hints {
            message.push_str(" (hint: ");
            message.push_str(&sanitize(&hint.v));
            message.push(')');
        }
        match messages.iter_mut().find(|(m, _)| *m == message) {
            Some((_, count)) => *count += 1,
            None => messages.push((message, 1)),
        }
    }
    messages
        .into_iter()
        .map(|(message, count)| match count {
            1 => message,
            n => format!("{message} ({n} times)"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn describe(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| sanitize(&e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

fn map_warning(warning: &SourceDiagnostic) -> Diagnostic {
    let mut diagnostic = match warning.severity {
        Severity::Warning => Diagnostic::warning("typeset-warning", sanitize(&warning.message)),
        Severity::Error => Diagnostic::error("typeset-error", sanitize(&warning.message)),
    };
    for hint in &warning.hints {
        diagnostic = diagnostic.with_hint(sanitize(&hint.v));
    }
    diagnostic
}
