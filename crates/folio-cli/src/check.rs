//! `folio check`: compile many documents, one line each, and a summary.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use folio::{BundleFiles, Compiler, EngineOptions, Options};

use crate::args::CheckArgs;
use crate::attachments::AttachmentDir;
use crate::coverage::{self, Coverage, format_percent};
use crate::exit;
use crate::export::DirFiles;
use crate::report::{Reporter, error_location};
use crate::zip_files::{self, ZipFiles};

/// What became of one document.
enum Outcome {
    Ok {
        warnings: usize,
        /// With `--coverage`: the page's words found in the PDF.
        coverage: Option<Coverage>,
    },
    Failed,
}

pub fn run(args: &CheckArgs) -> u8 {
    let mut documents = Vec::new();
    for path in &args.paths {
        if path.is_dir() {
            collect_documents(path, &mut documents);
        } else if path.exists() {
            documents.push(path.clone());
        } else {
            eprintln!("error: {} does not exist", path.display());
            return exit::INPUT;
        }
    }
    if documents.is_empty() {
        eprintln!("error: no storage documents (.xml, .xhtml, .json) found");
        return exit::INPUT;
    }

    let mut reporter = Reporter::new(args.common.diagnostic_format, args.common.quiet);
    let compiler = (!args.no_typeset).then(|| {
        Compiler::new(&EngineOptions {
            system_fonts: !args.common.no_system_fonts,
        })
    });
    let settings = Settings {
        verbose: args.verbose,
        coverage: args.coverage || args.min_coverage.is_some(),
    };
    let (mut ok, mut failed, mut warnings) = (0, 0, 0);
    let mut total = Coverage::default();
    let outcomes = documents.iter().flat_map(|document| {
        catch_unwind(AssertUnwindSafe(|| {
            check_document(document, compiler.as_ref(), settings, &mut reporter)
        }))
        .unwrap_or_else(|_| {
            println!(
                "error    {}: folio panicked; please report this as a bug",
                document.display()
            );
            vec![Outcome::Failed]
        })
    });
    let mut checked = 0;
    for outcome in outcomes.collect::<Vec<_>>() {
        checked += 1;
        match outcome {
            Outcome::Ok {
                warnings: n,
                coverage,
            } => {
                ok += 1;
                warnings += n;
                if let Some(coverage) = coverage {
                    total.add(&coverage);
                }
            }
            Outcome::Failed => failed += 1,
        }
    }
    let coverage_summary = if settings.coverage {
        format!(
            "; coverage {} ({}/{} words)",
            format_percent(total.percent()),
            total.found,
            total.words
        )
    } else {
        String::new()
    };
    println!(
        "checked {checked} documents: {ok} ok, {failed} failed; {warnings} warnings\
         {coverage_summary}"
    );
    if let Some(min) = args.min_coverage
        && total.percent() < min
    {
        eprintln!(
            "error: coverage {} is below --min-coverage {min}%",
            format_percent(total.percent())
        );
        return exit::FAILED;
    }
    if failed == 0 { exit::OK } else { exit::FAILED }
}

#[derive(Clone, Copy)]
struct Settings {
    verbose: bool,
    coverage: bool,
}

/// Checks a storage body or page JSON, or each page of a space export.
fn check_document(
    path: &Path,
    compiler: Option<&Compiler>,
    settings: Settings,
    reporter: &mut Reporter,
) -> Vec<Outcome> {
    let verbose = settings.verbose;
    let name = path.display().to_string();
    // A zip is read entry by entry, never whole.
    if zip_files::is_zip(path) {
        return match ZipFiles::open(path) {
            Ok(files) => check_bundle(&name, &files, compiler, settings, reporter),
            Err(message) => {
                println!("error    {name}: {message}");
                vec![Outcome::Failed]
            }
        };
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            println!("error    {name}: cannot read: {error}");
            return vec![Outcome::Failed];
        }
    };
    let dir = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_owned);
    if folio::is_space_export(&bytes) {
        return check_bundle(&name, &DirFiles::new(dir), compiler, settings, reporter);
    }
    let options = Options::default();
    let page = match folio::read_input(&bytes, &options) {
        Ok(page) => page,
        Err(error) => {
            let source = String::from_utf8_lossy(&bytes);
            println!(
                "error    {}: {error}",
                error_location(&name, Some(&source), &error)
            );
            if verbose {
                reporter.error(&name, Some(&source), &error);
            }
            return vec![Outcome::Failed];
        }
    };
    let attachments = AttachmentDir::new(dir);
    vec![check_page(
        &name,
        &page,
        &attachments,
        &options,
        compiler,
        settings,
        reporter,
    )]
}

/// Each page of a space export (its folder or zip, `files`; or of any bundle zipped), as
/// `<file>#<page id>`, against the other pages (links, `children`, `include`) and with its own
/// attachments.
fn check_bundle(
    name: &str,
    files: &dyn BundleFiles,
    compiler: Option<&Compiler>,
    settings: Settings,
    reporter: &mut Reporter,
) -> Vec<Outcome> {
    let options = Options::default();
    let bundle = match folio::load_bundle(files, &options) {
        Ok(bundle) => bundle,
        Err(error) => {
            println!("error    {name}: {error}");
            return vec![Outcome::Failed];
        }
    };
    let mut outcomes = Vec::with_capacity(bundle.pages.len());
    for page in &bundle.pages {
        let page_name = format!("{name}#{}", page.id);
        if let Some(error) = &page.error {
            println!("error    {page_name}: {error}");
            outcomes.push(Outcome::Failed);
            continue;
        }
        let mut site = bundle.site.clone();
        site.current_page = Some(page.id.clone());
        let options = Options {
            site: std::sync::Arc::new(site),
            ..Options::default()
        };
        let input = folio::PageInput {
            storage: page.storage.to_string(),
            title: bundle.site.page_by_id(&page.id).map(|p| p.title.clone()),
            from_json: false,
        };
        let attachments = bundle.attachments(page);
        outcomes.push(check_page(
            &page_name,
            &input,
            &attachments,
            &options,
            compiler,
            settings,
            reporter,
        ));
    }
    outcomes
}

/// Compiles one page (and, with a compiler, typesets it) and prints its line.
fn check_page(
    name: &str,
    page: &folio::PageInput,
    attachments: &dyn folio::AttachmentSource,
    options: &Options,
    compiler: Option<&Compiler>,
    settings: Settings,
    reporter: &mut Reporter,
) -> Outcome {
    let verbose = settings.verbose;
    let result =
        folio::compile_document(page, attachments, options).and_then(|compiled| match compiler {
            Some(compiler) => compiler
                .render_pdf(&compiled)
                .map(|pdf| (pdf.diagnostics, Some(pdf.bytes))),
            None => Ok((compiled.diagnostics, None)),
        });
    match result {
        Ok((diagnostics, pdf)) => {
            let coverage = match pdf.filter(|_| settings.coverage) {
                Some(pdf) => match measure(&page.storage, &pdf) {
                    Ok(coverage) => Some(coverage),
                    Err(message) => {
                        println!("error    {name}: coverage: {message}");
                        return Outcome::Failed;
                    }
                },
                None => None,
            };
            let count = diagnostics.len();
            let mut notes = Vec::new();
            match count {
                0 => {}
                1 => notes.push("1 warning".to_owned()),
                n => notes.push(format!("{n} warnings")),
            }
            if let Some(coverage) = &coverage {
                notes.push(format!("coverage {}", format_percent(coverage.percent())));
            }
            if notes.is_empty() {
                println!("ok       {name}");
            } else {
                println!("ok       {name} ({})", notes.join(", "));
            }
            if verbose {
                if let Some(coverage) = coverage.as_ref().filter(|c| !c.missing.is_empty()) {
                    print_missing(coverage);
                }
                reporter.diagnostics(name, &page.storage, &diagnostics);
            }
            Outcome::Ok {
                warnings: count,
                coverage,
            }
        }
        Err(error) => {
            println!(
                "error    {}: {error}",
                error_location(name, Some(&page.storage), &error)
            );
            if verbose {
                reporter.error(name, Some(&page.storage), &error);
            }
            Outcome::Failed
        }
    }
}

fn measure(storage: &str, pdf: &[u8]) -> Result<Coverage, String> {
    let source = coverage::source_words(storage)?;
    let printed = coverage::pdf_words(&coverage::pdf_text(pdf)?);
    Ok(Coverage::measure(&source, &printed))
}

/// The words the PDF lacks, on the document's own terminal only: they are page content.
fn print_missing(coverage: &Coverage) {
    let words: Vec<String> = coverage
        .missing
        .iter()
        .map(|(word, n)| match n {
            1 => word.clone(),
            n => format!("{word} ×{n}"),
        })
        .collect();
    println!(
        "         missing {} of {} words: {}",
        coverage.words - coverage.found,
        coverage.words,
        words.join(", ")
    );
}

/// Storage documents below `dir`, in a stable order.
fn collect_documents(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_documents(&path, out);
            continue;
        }
        let wanted = match path.extension().and_then(|ext| ext.to_str()) {
            Some("xml" | "xhtml") => true,
            // A space export as Confluence writes it; other zips are not pages.
            Some("zip") => {
                ZipFiles::open(&path).is_ok_and(|files| files.size("entities.xml").is_some())
            }
            Some("json") => is_page_json(&path),
            _ => false,
        };
        if wanted {
            out.push(path);
        }
    }
}

/// Folders hold other JSON besides REST API pages (site descriptions, exports' metadata); a page
/// has a `body.storage`, and JSON that names no `storage` cannot be one.
fn is_page_json(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|bytes| bytes.windows(9).any(|window| window == b"\"storage\""))
}
