//! The options of a render: page setup, metadata, cover and contents, PDF standard, theme; and
//! the parsing of header and footer templates and language tags. See docs/page-setup.md.

/// Options of one render: page setup, metadata, navigation and theme. The same options serve a
/// single page and a multi-page export. See docs/page-setup.md.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The PDF's title metadata (and `{title}` in header and footer templates); defaults to the
    /// document's title.
    pub title: Option<String>,
    /// The date Typst sees as "today", `{date}` in templates and the PDF's creation date:
    /// (year, month, day). `None` means 1970-01-01, so that output is reproducible.
    pub date: Option<(i32, u8, u8)>,
    /// Paper, orientation, margins, header, footer and watermark.
    pub page: PageSetup,
    /// Author, subject, keywords and language of the PDF.
    pub metadata: Metadata,
    /// Name of the Confluence space: `{space}` in templates, and on the cover.
    pub space_name: Option<String>,
    /// A cover page before everything else, not counted in the page numbers.
    pub cover: Option<Cover>,
    /// A table of contents after the cover, of the headings up to this level (1 = top level).
    pub toc: Option<u8>,
    /// A PDF standard to conform to; output that cannot conform is an error.
    pub pdf_standard: PdfStandard,
    /// Write a tagged (accessible) PDF: structure, reading order, alternative texts. Default:
    /// true (PDF/UA-1 requires it).
    pub tagged: bool,
    /// Typst source of a user theme, served to the document as `/user-theme.typ`: the values
    /// and functions it defines replace the bundled theme's (docs/page-setup.md).
    pub theme: Option<String>,
    /// Resolution cap for raster images, in dots per inch at their printed size: PNGs and JPEGs
    /// with more pixels are scaled down before embedding (docs/performance.md says what it
    /// costs). `None` keeps the originals' pixels.
    pub image_dpi: Option<u32>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            title: None,
            date: None,
            page: PageSetup::default(),
            metadata: Metadata::default(),
            space_name: None,
            cover: None,
            toc: None,
            pdf_standard: PdfStandard::None,
            tagged: true,
            theme: None,
            image_dpi: None,
        }
    }
}

/// Paper size of the PDF's pages (in portrait; see [`PageSetup::landscape`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum Paper {
    /// 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
    /// US Legal, 8.5 × 14 in.
    Legal,
    /// Any size from 50 to 2000 mm a side.
    Custom { width_mm: f32, height_mm: f32 },
}

/// How pages are set up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageSetup {
    pub paper: Paper,
    /// Turn the paper sideways.
    pub landscape: bool,
    /// Margins in millimetres: top, right, bottom, left. `None`: the theme's (20 mm, 22 mm at
    /// the bottom).
    pub margins_mm: Option<[f32; 4]>,
    /// Running header template (none by default): text with the placeholders `{title}`,
    /// `{space}`, `{page-title}`, `{date}`, `{page}` and `{pages}`; the rest prints as written.
    pub header: Option<String>,
    /// Running footer template, like `header`. `None`: "{page} / {pages}".
    pub footer: Option<String>,
    /// Text printed large and light, diagonally, behind every page's content.
    pub watermark: Option<String>,
}

impl PageSetup {
    /// Margins the theme uses when the setup names none: top, right, bottom, left, in mm
    /// (`folio-page-margin` in theme.typ).
    pub const DEFAULT_MARGINS_MM: [f32; 4] = [20.0, 20.0, 22.0, 20.0];

    /// Width of the text column, in millimetres.
    pub fn text_width_mm(&self) -> f32 {
        let (width, height) = self.paper.size_mm();
        let width = if self.landscape { height } else { width };
        let [_, right, _, left] = self.margins_mm.unwrap_or(Self::DEFAULT_MARGINS_MM);
        (width - left - right).max(MIN_TEXT_MM)
    }

    /// Margins as people type them (`--margins`, the service's `margins`): one for all sides
    /// or four, top, right, bottom, left, comma-separated, in millimetres (`mm` optional).
    pub fn parse_margins(value: &str) -> Result<[f32; 4], ParseSetupError> {
        let sides: Vec<f32> = value
            .split(',')
            .map(|side| {
                let side = side.trim();
                let number = side.strip_suffix("mm").unwrap_or(side).trim();
                number
                    .parse::<f32>()
                    .ok()
                    .filter(|n| n.is_finite() && *n >= 0.0)
                    .ok_or_else(|| {
                        ParseSetupError(format!("`{side}` is not a margin in millimetres"))
                    })
            })
            .collect::<Result<_, _>>()?;
        match sides.as_slice() {
            [all] => Ok([*all; 4]),
            [top, right, bottom, left] => Ok([*top, *right, *bottom, *left]),
            _ => Err(ParseSetupError(format!(
                "give one margin or four (top,right,bottom,left), not {}",
                sides.len()
            ))),
        }
    }
}

/// A paper size or margins that do not parse; the message says what was expected.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
#[error("{0}")]
pub struct ParseSetupError(String);

/// Allowed range of [`RenderOptions::image_dpi`].
pub const IMAGE_DPI: std::ops::RangeInclusive<u32> = 36..=2400;

/// Document metadata, written to the PDF's information dictionary and XMP metadata.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    pub author: Option<String>,
    pub subject: Option<String>,
    pub keywords: Vec<String>,
    /// The document's language as a BCP 47 tag ("en", "ko", "pt-BR"): the PDF's `/Lang`, and
    /// the language of hyphenation, quotes and generated words ("Contents"). Default: "en".
    pub language: Option<String>,
}

/// A cover page: the title large, the subtitle and space name, the date and a logo.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cover {
    pub title: String,
    pub subtitle: Option<String>,
    /// Printed as written; `None`: the render's date, when [`RenderOptions::date`] is set.
    pub date: Option<String>,
    /// File name of an image among the attachments passed to the render.
    pub logo: Option<String>,
}

/// A PDF standard to conform to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PdfStandard {
    #[default]
    None,
    /// PDF/A-2b, for archiving.
    A2b,
    /// PDF/UA-1, for accessibility (needs a title and alternative texts for images).
    Ua1,
}

impl RenderOptions {
    /// Checks the options a caller gives (sizes, templates, language), with a message that
    /// says what is wrong. [`Engine::render_pdf`](crate::Engine::render_pdf) checks them too.
    pub fn validate(&self) -> Result<(), String> {
        if self.pdf_standard == PdfStandard::Ua1 && !self.tagged {
            return Err("PDF/UA-1 needs a tagged PDF".into());
        }
        let (width, height) = self.page.paper.size_mm();
        if let Paper::Custom { .. } = self.page.paper
            && !(PAPER_MM.contains(&width) && PAPER_MM.contains(&height))
        {
            return Err(format!(
                "paper size {width}×{height} mm is out of range: each side must be {} to {} mm",
                PAPER_MM.start(),
                PAPER_MM.end()
            ));
        }
        if let Some(margins) = self.page.margins_mm {
            if margins.iter().any(|m| !m.is_finite() || *m < 0.0) {
                return Err("margins must be zero or more millimetres".into());
            }
            let [top, right, bottom, left] = margins;
            let (width, height) = if self.page.landscape {
                (height, width)
            } else {
                (width, height)
            };
            if width - left - right < MIN_TEXT_MM || height - top - bottom < MIN_TEXT_MM {
                return Err(format!(
                    "margins leave less than {MIN_TEXT_MM} mm of the page for text"
                ));
            }
        }
        if let Some(dpi) = self.image_dpi
            && !IMAGE_DPI.contains(&dpi)
        {
            return Err(format!(
                "image resolution {dpi} dpi is out of range: it must be {} to {} dpi",
                IMAGE_DPI.start(),
                IMAGE_DPI.end()
            ));
        }
        for (name, template) in [("header", &self.page.header), ("footer", &self.page.footer)] {
            if let Some(template) = template {
                check_template(template).map_err(|e| format!("{name} template: {e}"))?;
            }
        }
        if let Some(language) = &self.metadata.language
            && language_tag(language).is_none()
        {
            return Err(format!(
                "`{language}` is not a language tag: give a BCP 47 tag such as en, ko or pt-BR"
            ));
        }
        if self.toc == Some(0) {
            return Err("table of contents depth must be 1 or more".into());
        }
        Ok(())
    }
}

/// Sides of a custom paper size, in mm.
const PAPER_MM: std::ops::RangeInclusive<f32> = 50.0..=2000.0;
/// Margins leave at least this much of a page for text, in mm each way.
const MIN_TEXT_MM: f32 = 20.0;

impl PdfStandard {
    /// The standard's name, as Typst writes it ("PDF/A-2b").
    pub fn name(self) -> Option<&'static str> {
        match self {
            PdfStandard::None => None,
            PdfStandard::A2b => Some("PDF/A-2b"),
            PdfStandard::Ua1 => Some("PDF/UA-1"),
        }
    }
}

impl Paper {
    /// Width and height in millimetres, in portrait.
    pub fn size_mm(self) -> (f32, f32) {
        match self {
            Paper::A4 => (210.0, 297.0),
            Paper::Letter => (215.9, 279.4),
            Paper::Legal => (215.9, 355.6),
            Paper::Custom {
                width_mm,
                height_mm,
            } => (width_mm, height_mm),
        }
    }
}

/// A paper size as people type it (`--paper`, the service's `paper`): `a4`, `letter`, `legal`,
/// or WIDTHxHEIGHT in millimetres (`148x210`, `148x210mm`, `148 × 210`). The range of a custom
/// size is checked with the other options ([`RenderOptions::validate`]).
impl std::str::FromStr for Paper {
    type Err = ParseSetupError;

    fn from_str(value: &str) -> Result<Paper, ParseSetupError> {
        let lower = value.trim().to_ascii_lowercase();
        match lower.as_str() {
            "a4" => return Ok(Paper::A4),
            "letter" | "us-letter" => return Ok(Paper::Letter),
            "legal" | "us-legal" => return Ok(Paper::Legal),
            _ => {}
        }
        let size = lower.strip_suffix("mm").unwrap_or(&lower);
        let (width, height) = size.split_once(['x', '×']).ok_or_else(|| {
            ParseSetupError(format!(
                "`{value}` is not a4, letter, legal or WIDTHxHEIGHT in mm"
            ))
        })?;
        let number = |text: &str| {
            let text = text.trim();
            let text = text.strip_suffix("mm").unwrap_or(text).trim();
            text.parse::<f32>()
                .ok()
                .filter(|n| n.is_finite() && *n > 0.0)
                .ok_or_else(|| ParseSetupError(format!("`{text}` is not a size in millimetres")))
        };
        Ok(Paper::Custom {
            width_mm: number(width)?,
            height_mm: number(height)?,
        })
    }
}

/// The placeholders of header and footer templates.
pub const TEMPLATE_PLACEHOLDERS: [&str; 6] =
    ["title", "space", "page-title", "date", "page", "pages"];

/// A piece of a header or footer template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemplatePart<'a> {
    Text(&'a str),
    Field(&'static str),
}

/// Splits a template into literal text and placeholders. A `{…}` that is not a placeholder is
/// text ([`check_template`] rejects those that look like one).
pub(crate) fn parse_template(template: &str) -> Vec<TemplatePart<'_>> {
    let mut parts = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while let Some(offset) = template[i..].find('{') {
        let open = i + offset;
        let field = template[open + 1..].find('}').and_then(|close| {
            let name = &template[open + 1..open + 1 + close];
            TEMPLATE_PLACEHOLDERS
                .iter()
                .find(|p| **p == name)
                .map(|p| (*p, open + close + 2))
        });
        match field {
            Some((name, end)) => {
                if text_start < open {
                    parts.push(TemplatePart::Text(&template[text_start..open]));
                }
                parts.push(TemplatePart::Field(name));
                text_start = end;
                i = end;
            }
            None => i = open + 1,
        }
    }
    if text_start < template.len() {
        parts.push(TemplatePart::Text(&template[text_start..]));
    }
    parts
}

/// Rejects `{name}`s in a header or footer template that are not placeholders (a typo would
/// print as written).
pub fn check_template(template: &str) -> Result<(), String> {
    for part in parse_template(template) {
        let TemplatePart::Text(text) = part else {
            continue;
        };
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let name_end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(after.len());
            if name_end > 0 && after[name_end..].starts_with('}') {
                return Err(format!(
                    "unknown placeholder `{{{}}}`; the placeholders are {}",
                    &after[..name_end],
                    TEMPLATE_PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                ));
            }
            rest = after;
        }
    }
    Ok(())
}

/// A BCP 47 tag as Typst's language and region: the primary subtag (2 or 3 letters,
/// lowercase) and a 2-letter region subtag, if any (uppercase). Script and other subtags are
/// left out: Typst has no use for them.
pub(crate) fn language_tag(tag: &str) -> Option<(String, Option<String>)> {
    let mut subtags = tag.trim().split(['-', '_']);
    let primary = subtags.next()?;
    if !(2..=3).contains(&primary.len()) || !primary.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut region = None;
    for subtag in subtags {
        if subtag.is_empty() || !subtag.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        if region.is_none() && subtag.len() == 2 && subtag.chars().all(|c| c.is_ascii_alphabetic())
        {
            region = Some(subtag.to_ascii_uppercase());
        }
    }
    Some((primary.to_ascii_lowercase(), region))
}
