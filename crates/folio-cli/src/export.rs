//! `folio export`: a bundle folder or zip (manifest, space export or REST page JSON files) to one
//! navigable PDF.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Component, Path, PathBuf};

use folio::{BundleFiles, Compiler, EngineOptions, ExportOptions, ExportProgress, Options};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::ExportArgs;
use crate::exit;
use crate::report::Reporter;
use crate::zip_files::{self, ZipFiles};

/// A bundle folder on disk, read lazily. Only paths inside the folder resolve.
pub struct DirFiles {
    root: PathBuf,
}

impl DirFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path_of(&self, path: &str) -> Option<PathBuf> {
        let relative = Path::new(path);
        let inside = relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        (inside && !path.is_empty()).then(|| self.root.join(relative))
    }
}

impl BundleFiles for DirFiles {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path_of(path)?).ok()
    }

    fn size(&self, path: &str) -> Option<u64> {
        Some(std::fs::metadata(self.path_of(path)?).ok()?.len())
    }

    fn list(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![(self.root.clone(), String::new())];
        // Symlinked folders could loop or leave the bundle: only real folders are entered.
        while let Some((dir, prefix)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}/{name}")
                };
                if kind.is_dir() {
                    stack.push((entry.path(), path));
                } else if kind.is_file() {
                    out.push(path);
                }
            }
        }
        out.sort();
        out
    }
}

pub fn run(args: &ExportArgs) -> u8 {
    let mut reporter = Reporter::new(
        args.common.diagnostic_format,
        args.common.quiet || args.json,
    );
    // A zip (a space export as Confluence writes it) is read in place; a file in a folder
    // (its manifest or entities.xml) names the folder.
    let zipped = args.bundle.is_file() && zip_files::is_zip(&args.bundle);
    let root = if zipped {
        args.bundle.clone()
    } else if args.bundle.is_file() {
        args.bundle
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    } else {
        args.bundle.clone()
    };
    if !zipped && !root.is_dir() {
        eprintln!(
            "error: {} is not a bundle folder (a folder with folio.json, folio.toml, a space export's entities.xml or REST page JSON files)",
            args.bundle.display()
        );
        return exit::INPUT;
    }
    let mut options = Options::default();
    if let Err(message) = args.page_setup.apply(&mut options.render) {
        eprintln!("error: {message}");
        return exit::INPUT;
    }
    if options.render.date.is_none() {
        options.render.date = Some(today());
    }
    let (dir_files, zip_files);
    let files: &dyn BundleFiles = if zipped {
        zip_files = match ZipFiles::open(&root) {
            Ok(files) => files,
            Err(message) => {
                eprintln!("error: {}: {message}", root.display());
                return exit::INPUT;
            }
        };
        &zip_files
    } else {
        dir_files = DirFiles::new(&root);
        &dir_files
    };
    let bundle = match folio::load_bundle(files, &options) {
        Ok(bundle) => bundle,
        Err(error) => {
            eprintln!("error: {}: {error}", root.display());
            return exit::INPUT;
        }
    };
    let export = ExportOptions {
        root: args.root.clone(),
        depth: args.depth.map(usize::from),
        cover: !args.no_cover,
        toc: !args.no_toc,
        max_pages: Some(args.max_pages),
    };
    if let Some(root_id) = &export.root
        && bundle.site.page_by_id(root_id).is_none()
    {
        eprintln!("error: page {root_id} is not in the bundle");
        return exit::INPUT;
    }

    let bar = progress_bar(args.common.quiet || args.json);
    let compiler = Compiler::new(&EngineOptions {
        system_fonts: !args.common.no_system_fonts,
    });
    let mut on_progress = |step: ExportProgress| match step {
        ExportProgress::Compiled { done, total } => {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.set_message("pages compiled");
        }
        ExportProgress::Typesetting { .. } => bar.set_message("typesetting"),
        ExportProgress::Done { .. } => bar.set_message("writing"),
    };
    let result = compiler.export(&bundle, &export, &options, &mut on_progress);
    bar.finish_and_clear();
    let pdf = match result {
        Ok(pdf) => pdf,
        Err(error) => {
            eprintln!("error: {error}");
            return match error {
                folio::CompileError::Render(_) => exit::FAILED,
                _ => exit::INPUT,
            };
        }
    };

    let bundle_name = root.display().to_string();
    reporter.diagnostics(&bundle_name, "", &pdf.diagnostics);
    for page in &pdf.page_diagnostics {
        let name = page
            .source_path
            .as_ref()
            .map(|p| root.join(p).display().to_string())
            .unwrap_or_else(|| format!("page {}", page.page_id));
        reporter.diagnostics(&name, &page.storage, &page.diagnostics);
    }

    let output = args.output.clone().unwrap_or_else(|| {
        let stem = root
            .canonicalize()
            .ok()
            .and_then(|p| {
                let name = if zipped { p.file_stem() } else { p.file_name() };
                name.map(|n| n.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| "export".to_owned());
        PathBuf::from(format!("{stem}.pdf"))
    });
    let written = if output.as_os_str() == "-" {
        std::io::stdout().write_all(&pdf.bytes)
    } else {
        std::fs::write(&output, &pdf.bytes)
    };
    if let Err(error) = written {
        eprintln!("error: cannot write {}: {error}", output.display());
        return exit::INPUT;
    }
    if args.json {
        // A closed pipe (`| head`) is the reader's choice, not an error worth a panic.
        let _ = writeln!(std::io::stdout(), "{}", summary_json(&root, &output, &pdf));
    } else if !args.common.quiet && output.as_os_str() != "-" {
        let warnings: usize = pdf.diagnostics.len()
            + pdf
                .page_diagnostics
                .iter()
                .map(|p| p.diagnostics.len())
                .sum::<usize>();
        eprintln!(
            "wrote {} ({} pages of PDF from {} Confluence pages; {} warnings)",
            output.display(),
            pdf.pages,
            pdf.page_diagnostics.len(),
            warnings
        );
    }
    exit::OK
}

/// A bar on a terminal; nothing on a pipe or with `--quiet`/`--json`.
fn progress_bar(hidden: bool) -> ProgressBar {
    if hidden || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {bar:30} {pos}/{len} {msg} [{elapsed}]")
            .expect("the template is valid"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// The machine-readable summary of `--json`. Diagnostics carry page ids, file names, codes and
/// positions; messages quote no page text.
fn summary_json(root: &Path, output: &Path, pdf: &folio::Pdf) -> String {
    let diagnostic = |d: &folio::ir::Diagnostic, source: &str| {
        let (line, column) = d
            .span
            .map(|span| folio::ir::LineIndex::new(source).line_col(source, span.start))
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        serde_json::json!({
            "severity": format!("{:?}", d.severity).to_lowercase(),
            "code": d.code,
            "message": d.message,
            "line": line,
            "column": column,
        })
    };
    let mut pages = Vec::new();
    let mut codes = BTreeSet::new();
    for page in &pdf.page_diagnostics {
        codes.extend(page.diagnostics.iter().map(|d| d.code.clone()));
        pages.push(serde_json::json!({
            "id": page.page_id,
            "file": page.source_path.as_ref().map(|p| root.join(p).display().to_string()),
            "diagnostics": page.diagnostics.iter().map(|d| diagnostic(d, &page.storage)).collect::<Vec<_>>(),
        }));
    }
    serde_json::json!({
        "output": output.display().to_string(),
        "pdf_pages": pdf.pages,
        "bytes": pdf.bytes.len(),
        "pages": pages,
        "diagnostics": pdf.diagnostics.iter().map(|d| diagnostic(d, "")).collect::<Vec<_>>(),
        "codes": codes,
    })
    .to_string()
}

/// Today's date (UTC) for the cover and `{date}`; `SOURCE_DATE_EPOCH` makes it reproducible.
fn today() -> (i32, u8, u8) {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    civil_from_days(seconds.div_euclid(86_400))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm; a date
/// crate for one conversion would be more than this needs).
fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_become_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn bundle_paths_stay_inside_the_folder() {
        let files = DirFiles::new("/bundle");
        assert!(files.path_of("../etc/passwd").is_none());
        assert!(files.path_of("/etc/passwd").is_none());
        assert_eq!(
            files.path_of("pages/1/page.xhtml"),
            Some(PathBuf::from("/bundle/pages/1/page.xhtml"))
        );
    }

    #[test]
    fn a_file_size_comes_from_its_metadata_and_stays_inside_the_folder() {
        let dir = std::env::temp_dir().join(format!("folio-dirfiles-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("pages")).unwrap();
        std::fs::write(dir.join("pages/shot.png"), [0u8; 1234]).unwrap();
        let files = DirFiles::new(&dir);
        assert_eq!(files.size("pages/shot.png"), Some(1234));
        assert_eq!(files.size("pages/missing.png"), None);
        assert_eq!(files.size("../pages/shot.png"), None);
        std::fs::remove_dir_all(&dir).ok();
    }
}
