//! Page setup, metadata, PDF standard and theme options, shared by `compile` and `export`
//! (flattened into both), and how they fill in the library's render options. See
//! docs/page-setup.md.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use folio::{PageSetup, Paper, ParseSetupError, PdfStandard, RenderOptions};

// The page setup flags. Each one given replaces the corresponding render option; those not
// given leave it as it is. (A doc comment here would become the help's description of every
// command that flattens these flags.)
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Page setup")]
pub struct PageSetupArgs {
    /// Paper size: a4 (the default), letter, legal, or WIDTHxHEIGHT in millimetres (e.g.
    /// 148x210 or 148x210mm).
    #[arg(long, value_name = "SIZE", value_parser = parse_paper)]
    pub paper: Option<Paper>,

    /// Turn the pages sideways.
    #[arg(long)]
    pub landscape: bool,

    /// Margins in millimetres: one value for all four sides (20 or 20mm), or
    /// TOP,RIGHT,BOTTOM,LEFT (20,15,20,15). Default: 20 mm, 22 mm at the bottom.
    #[arg(long, value_name = "MM", value_parser = parse_margins, allow_hyphen_values = true)]
    pub margins: Option<[f32; 4]>,

    /// Running header on every page (none by default). Placeholders: {title}, {space},
    /// {page-title} (the exported page the PDF page belongs to), {date}, {page}, {pages}; other
    /// text prints as written.
    #[arg(long, value_name = "TEMPLATE")]
    pub header: Option<String>,

    /// Running footer, with the same placeholders. Default: "{page} / {pages}"; an empty
    /// template prints none.
    #[arg(long, value_name = "TEMPLATE")]
    pub footer: Option<String>,

    /// Text printed large and light, diagonally, behind every page (e.g. DRAFT).
    #[arg(long, value_name = "TEXT")]
    pub watermark: Option<String>,

    /// Author for the PDF's metadata.
    #[arg(long, value_name = "NAME")]
    pub author: Option<String>,

    /// Subject for the PDF's metadata.
    #[arg(long, value_name = "TEXT")]
    pub subject: Option<String>,

    /// Keywords for the PDF's metadata, separated by commas.
    #[arg(long, value_name = "A,B,…", value_delimiter = ',')]
    pub keywords: Vec<String>,

    /// The document's language, a BCP 47 tag (en, ko, pt-BR): the PDF's language, hyphenation
    /// and generated words such as "Contents". Default: en.
    #[arg(long, value_name = "TAG")]
    pub lang: Option<String>,

    /// Make the PDF conform to a standard: PDF/A-2b (archiving) or PDF/UA-1 (accessibility;
    /// needs a title and alternative texts for images). Content that cannot conform is an
    /// error.
    #[arg(long, value_enum, value_name = "STANDARD")]
    pub pdf_standard: Option<PdfStandardArg>,

    /// Write an untagged PDF (smaller, but not accessible). PDFs are tagged by default.
    #[arg(long)]
    pub untagged: bool,

    /// A Typst theme file whose values (colours, fonts, heading sizes…) and functions (cover,
    /// header, footer, panels…) replace the bundled theme's. See docs/page-setup.md.
    #[arg(long, value_name = "FILE")]
    pub theme: Option<PathBuf>,

    /// Scale raster images (PNG, JPEG) down to this resolution at their printed size, e.g. 150
    /// (screen and office printing) or 300 (print shops). Smaller, faster PDFs; images already
    /// at or below it keep their pixels. Default: originals kept.
    #[arg(long, value_name = "DPI", value_parser = clap::value_parser!(u32).range(36..=2400))]
    pub image_dpi: Option<u32>,

    /// A TOML file with any of these options (keys as the flags without `--`: paper, landscape,
    /// margins, header, footer, watermark, author, subject, keywords, lang, pdf-standard,
    /// untagged, theme, image-dpi). Flags given on the command line win.
    #[arg(long, value_name = "FILE", env = "FOLIO_CONFIG")]
    pub config: Option<PathBuf>,
}

/// The options a `--config` file may set; the same names and forms as the flags.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    paper: Option<String>,
    landscape: Option<bool>,
    margins: Option<String>,
    header: Option<String>,
    footer: Option<String>,
    watermark: Option<String>,
    author: Option<String>,
    subject: Option<String>,
    keywords: Option<Vec<String>>,
    lang: Option<String>,
    pdf_standard: Option<String>,
    untagged: Option<bool>,
    /// Relative to the config file.
    theme: Option<PathBuf>,
    image_dpi: Option<u32>,
}

/// `--pdf-standard` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PdfStandardArg {
    /// No standard.
    None,
    /// PDF/A-2b.
    #[value(name = "a-2b")]
    A2b,
    /// PDF/UA-1.
    #[value(name = "ua-1")]
    Ua1,
}

impl PageSetupArgs {
    /// Sets the render options the flags give, reading the theme file, then checks them all.
    /// The error is a message for the user (an unreadable theme, a bad template or size).
    pub fn apply(&self, options: &mut RenderOptions) -> Result<(), String> {
        match &self.config {
            Some(path) => self.with_config(path)?.apply_flags(options),
            None => self.apply_flags(options),
        }
    }

    /// These flags completed by a config file: what the command line gave stays.
    fn with_config(&self, path: &std::path::Path) -> Result<PageSetupArgs, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read the config {}: {error}", path.display()))?;
        let file: ConfigFile =
            toml::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))?;
        let bad = |key: &str, error: String| format!("{}: `{key}`: {error}", path.display());
        let mut merged = self.clone();
        merged.config = None;
        if merged.paper.is_none()
            && let Some(paper) = &file.paper
        {
            merged.paper = Some(parse_paper(paper).map_err(|e| bad("paper", e))?);
        }
        merged.landscape |= file.landscape.unwrap_or(false);
        if merged.margins.is_none()
            && let Some(margins) = &file.margins
        {
            merged.margins = Some(parse_margins(margins).map_err(|e| bad("margins", e))?);
        }
        merged.header = merged.header.or(file.header);
        merged.footer = merged.footer.or(file.footer);
        merged.watermark = merged.watermark.or(file.watermark);
        merged.author = merged.author.or(file.author);
        merged.subject = merged.subject.or(file.subject);
        if merged.keywords.is_empty() {
            merged.keywords = file.keywords.unwrap_or_default();
        }
        merged.lang = merged.lang.or(file.lang);
        if merged.pdf_standard.is_none()
            && let Some(standard) = &file.pdf_standard
        {
            merged.pdf_standard =
                Some(PdfStandardArg::from_str(standard, true).map_err(|e| bad("pdf-standard", e))?);
        }
        merged.untagged |= file.untagged.unwrap_or(false);
        merged.image_dpi = merged.image_dpi.or(file.image_dpi);
        if merged.theme.is_none() {
            let dir = path.parent().unwrap_or(std::path::Path::new(""));
            merged.theme = file.theme.map(|theme| dir.join(theme));
        }
        Ok(merged)
    }

    fn apply_flags(&self, options: &mut RenderOptions) -> Result<(), String> {
        let page = &mut options.page;
        if let Some(paper) = self.paper {
            page.paper = paper;
        }
        if self.landscape {
            page.landscape = true;
        }
        if let Some(margins) = self.margins {
            page.margins_mm = Some(margins);
        }
        if let Some(header) = &self.header {
            page.header = Some(header.clone());
        }
        if let Some(footer) = &self.footer {
            page.footer = Some(footer.clone());
        }
        if let Some(watermark) = &self.watermark {
            page.watermark = Some(watermark.clone());
        }
        let metadata = &mut options.metadata;
        if let Some(author) = &self.author {
            metadata.author = Some(author.clone());
        }
        if let Some(subject) = &self.subject {
            metadata.subject = Some(subject.clone());
        }
        let keywords: Vec<String> = self
            .keywords
            .iter()
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .collect();
        if !keywords.is_empty() {
            metadata.keywords = keywords;
        }
        if let Some(lang) = &self.lang {
            metadata.language = Some(lang.clone());
        }
        if let Some(standard) = self.pdf_standard {
            options.pdf_standard = match standard {
                PdfStandardArg::None => PdfStandard::None,
                PdfStandardArg::A2b => PdfStandard::A2b,
                PdfStandardArg::Ua1 => PdfStandard::Ua1,
            };
        }
        if self.untagged {
            if options.pdf_standard == PdfStandard::Ua1 {
                return Err("PDF/UA-1 needs a tagged PDF: drop --untagged".into());
            }
            options.tagged = false;
        }
        if let Some(dpi) = self.image_dpi {
            options.image_dpi = Some(dpi);
        }
        if let Some(path) = &self.theme {
            let theme = std::fs::read_to_string(path)
                .map_err(|error| format!("cannot read the theme {}: {error}", path.display()))?;
            options.theme = Some(theme);
        }
        options.validate()
    }
}

/// `--paper`: see `Paper`'s `FromStr`.
fn parse_paper(value: &str) -> Result<Paper, String> {
    value.parse().map_err(|e: ParseSetupError| e.to_string())
}

/// `--margins`: see [`PageSetup::parse_margins`].
fn parse_margins(value: &str) -> Result<[f32; 4], String> {
    PageSetup::parse_margins(value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        page: PageSetupArgs,
    }

    #[test]
    fn a_config_file_fills_what_the_flags_leave_out() {
        let dir = std::env::temp_dir().join(format!("folio-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("folio.toml");
        std::fs::write(
            &config,
            "paper = \"letter\"\nlandscape = true\nfooter = \"{page}\"\nauthor = \"Docs team\"\npdf-standard = \"a-2b\"\n",
        )
        .unwrap();
        let config = config.to_str().unwrap();
        let options = apply(&["--config", config, "--author", "Ada"]).unwrap();
        assert_eq!(options.page.paper, Paper::Letter);
        assert!(options.page.landscape);
        assert_eq!(options.page.footer.as_deref(), Some("{page}"));
        assert_eq!(options.metadata.author.as_deref(), Some("Ada"));
        assert_eq!(options.pdf_standard, PdfStandard::A2b);
        std::fs::write(dir.join("bad.toml"), "papr = \"a4\"\n").unwrap();
        let error = apply(&["--config", dir.join("bad.toml").to_str().unwrap()]).unwrap_err();
        assert!(error.contains("papr"), "{error}");
        std::fs::remove_dir_all(&dir).ok();
    }

    fn apply(args: &[&str]) -> Result<RenderOptions, String> {
        let cli = Cli::try_parse_from(std::iter::once("folio").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        let mut options = RenderOptions::default();
        cli.page.apply(&mut options)?;
        Ok(options)
    }

    #[test]
    fn flags_fill_in_the_render_options() {
        let options = apply(&[
            "--paper",
            "letter",
            "--landscape",
            "--margins",
            "10,12,14,16",
            "--header",
            "{title} — {page-title}",
            "--footer",
            "Page {page} of {pages}",
            "--watermark",
            "DRAFT",
            "--author",
            "Ann",
            "--subject",
            "Plans",
            "--keywords",
            "a, b,,c",
            "--lang",
            "ko",
            "--pdf-standard",
            "a-2b",
        ])
        .unwrap();
        assert_eq!(options.page.paper, Paper::Letter);
        assert!(options.page.landscape);
        assert_eq!(options.page.margins_mm, Some([10.0, 12.0, 14.0, 16.0]));
        assert_eq!(
            options.page.header.as_deref(),
            Some("{title} — {page-title}")
        );
        assert_eq!(
            options.page.footer.as_deref(),
            Some("Page {page} of {pages}")
        );
        assert_eq!(options.page.watermark.as_deref(), Some("DRAFT"));
        assert_eq!(options.metadata.author.as_deref(), Some("Ann"));
        assert_eq!(options.metadata.subject.as_deref(), Some("Plans"));
        assert_eq!(options.metadata.keywords, ["a", "b", "c"]);
        assert_eq!(options.metadata.language.as_deref(), Some("ko"));
        assert_eq!(options.pdf_standard, PdfStandard::A2b);
        assert!(options.tagged);

        let options = apply(&["--pdf-standard", "ua-1"]).unwrap();
        assert_eq!(options.pdf_standard, PdfStandard::Ua1);
        assert!(!apply(&["--untagged"]).unwrap().tagged);
        assert!(apply(&["--untagged", "--pdf-standard", "ua-1"]).is_err());
        assert_eq!(apply(&["--image-dpi", "150"]).unwrap().image_dpi, Some(150));
        assert_eq!(apply(&[]).unwrap().image_dpi, None);
    }

    #[test]
    fn no_flags_change_nothing() {
        let options = apply(&[]).unwrap();
        assert_eq!(options.page, folio::PageSetup::default());
        assert_eq!(options.metadata, folio::Metadata::default());
        assert_eq!(options.pdf_standard, PdfStandard::None);
        assert!(options.tagged && options.theme.is_none());
    }

    #[test]
    fn bad_values_are_errors_that_say_why() {
        let error = apply(&["--footer", "Page {pag}"]).unwrap_err();
        assert!(error.contains("{pag}"), "{error}");
        let error = apply(&["--lang", "english"]).unwrap_err();
        assert!(error.contains("language tag"), "{error}");
        let error = apply(&["--margins", "140"]).unwrap_err();
        assert!(error.contains("margins"), "{error}");
        assert!(apply(&["--pdf-standard", "a-1b"]).is_err());
        let error = apply(&["--theme", "/nonexistent/theme.typ"]).unwrap_err();
        assert!(error.contains("cannot read the theme"), "{error}");
    }

    #[test]
    fn the_theme_file_is_read() {
        let path = std::env::temp_dir().join(format!("folio-theme-{}.typ", std::process::id()));
        std::fs::write(&path, "#let folio-palette = (link: red)\n").unwrap();
        let options = apply(&["--theme", path.to_str().unwrap()]).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            options.theme.as_deref(),
            Some("#let folio-palette = (link: red)\n")
        );
    }
}
