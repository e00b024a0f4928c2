//! The command line, as clap reads it. Doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// folio compiles Confluence storage format (the XHTML Confluence keeps pages in) to PDF.
#[derive(Debug, Parser)]
#[command(
    name = "folio",
    version,
    max_term_width = 100,
    after_help = "Exit codes: 0 success; 1 a document failed to compile (check) or to typeset; \
                  2 malformed input, unreadable files or bad arguments."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile one page (a storage body, or a REST API page JSON) to PDF.
    Compile(CompileArgs),
    /// Export a page tree or a space (a bundle folder) to one navigable PDF.
    Export(ExportArgs),
    /// Compile every storage document among the paths and report one line for each.
    Check(CheckArgs),
    /// Run the stateless, zero-retention HTTP render service (docs/service.md).
    Serve(crate::serve::ServeArgs),
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  folio compile page.xhtml -o page.pdf\n  \
                        folio compile page.json --attachments attachments/ -o page.pdf\n  \
                        folio compile page.xhtml --emit ir")]
pub struct CompileArgs {
    /// The page: a storage body (.xhtml, .xml, .html) or a REST API page JSON with
    /// `body.storage.value`. `-` reads standard input.
    pub page: PathBuf,

    /// Where to write the output; `-` writes to standard output. Default: the page's path with
    /// the output's extension (.pdf, .ir.json, .typ).
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,

    /// Folder holding the page's attachments, by file name. Default: the page's own folder.
    #[arg(short, long, value_name = "DIR", env = "FOLIO_ATTACHMENTS")]
    pub attachments: Option<PathBuf>,

    /// Title for the PDF's metadata (default: the REST page's title, if any).
    #[arg(long, value_name = "T")]
    pub title: Option<String>,

    /// Site manifest (JSON): base URL, users and other pages, so that `include`, `children`,
    /// `detailssummary`, page links and mentions resolve. See docs/macros.md.
    #[arg(long, value_name = "FILE", env = "FOLIO_SITE")]
    pub site: Option<PathBuf>,

    /// What to produce: the PDF, the IR as JSON, or the Typst markup folio typesets.
    #[arg(long, value_enum, default_value_t = Emit::Pdf)]
    pub emit: Emit,

    #[command(flatten)]
    pub page_setup: crate::page_setup::PageSetupArgs,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Folders are searched recursively for .xml and .xhtml files and for .json REST API \
                  pages; each is compiled with its own folder as its attachments folder. \
                  Each page of a Confluence space export (entities.xml, or the zip Confluence \
                  writes) is checked as entities.xml#<page id>.\n\n\
                  Examples:\n  folio check corpus/\n  \
                  folio check --coverage --min-coverage 99.5 -v pages/"
)]
pub struct CheckArgs {
    /// Files and folders to check.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Read and run the passes only; do not typeset (much faster, catches reader errors).
    #[arg(long)]
    pub no_typeset: bool,

    /// Measure how many words of each page's text reach the PDF's text layer (text outside macro
    /// parameters, placeholders and editor metadata), per document and overall. With
    /// `--verbose`, list the words that did not.
    #[arg(long, conflicts_with = "no_typeset")]
    pub coverage: bool,

    /// Exit 1 when the overall coverage is below PCT percent (0–100). Implies `--coverage`.
    #[arg(long, value_name = "PCT", value_parser = parse_percent, conflicts_with = "no_typeset")]
    pub min_coverage: Option<f64>,

    /// Print each document's warnings too, not only its summary line.
    #[arg(short, long)]
    pub verbose: bool,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = "A bundle is a folder with a manifest (folio.json or folio.toml: pages with \
                        id, title, type, parent, position, file, attachments folder, author, dates, \
                        labels, plus site data), a Confluence Server or Data Center space export \
                        (its zip, or entities.xml and its attachments folder) or Confluence REST API \
                        page JSON files (v1 or v2), each with its attachments in its folder. See \
                        docs/export.md.\n\n\
                        Examples:\n  folio export corpus/bundle-handbook -o handbook.pdf\n  \
                        folio export space/ --root 1001 --depth 2 -o part.pdf\n  \
                        folio export space/ --json -o space.pdf > summary.json"
)]
pub struct ExportArgs {
    /// The bundle folder (or its manifest file), or a zip of it (a space export as Confluence
    /// writes it).
    #[arg(value_name = "BUNDLE")]
    pub bundle: PathBuf,

    /// Where to write the PDF; `-` writes to standard output. Default: `<bundle name>.pdf`.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,

    /// Export only this page (by content id) and its descendants.
    #[arg(long, value_name = "PAGE_ID")]
    pub root: Option<String>,

    /// Levels of the tree to export (1 = the root pages only).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub depth: Option<u16>,

    /// No cover page.
    #[arg(long)]
    pub no_cover: bool,

    /// No table of contents.
    #[arg(long)]
    pub no_toc: bool,

    /// Refuse bundles with more pages than this.
    #[arg(long, value_name = "N", default_value_t = folio::DEFAULT_MAX_EXPORT_PAGES)]
    pub max_pages: usize,

    /// Print a machine-readable summary (JSON) on standard output; no progress bar, no
    /// human-readable warnings.
    #[arg(long, conflicts_with = "quiet")]
    pub json: bool,

    #[command(flatten)]
    pub page_setup: crate::page_setup::PageSetupArgs,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct CommonArgs {
    /// How to print diagnostics: with the source line (human) or one line each (short).
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human, env = "FOLIO_DIAGNOSTIC_FORMAT")]
    pub diagnostic_format: DiagnosticFormat,

    /// Do not look for system fonts; use only the embedded ones (identical output everywhere, but
    /// scripts the embedded fonts lack, such as CJK, show as empty boxes).
    #[arg(long, env = "FOLIO_NO_SYSTEM_FONTS")]
    pub no_system_fonts: bool,

    /// Print no warnings, only errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    Pdf,
    Ir,
    Typst,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticFormat {
    Human,
    Short,
}

fn parse_percent(value: &str) -> Result<f64, String> {
    let percent: f64 = value
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("`{value}` is not a number"))?;
    if (0.0..=100.0).contains(&percent) {
        Ok(percent)
    } else {
        Err(format!("{percent} is not between 0 and 100"))
    }
}
