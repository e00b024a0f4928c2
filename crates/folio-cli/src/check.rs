//! `folio check`: compile many documents, one line each, and a summary.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use folio::{Compiler, EngineOptions, Options};

use crate::args::CheckArgs;
use crate::attachments::AttachmentDir;
use crate::exit;
use crate::report::{Reporter, error_location};

/// What became of one document.
enum Outcome {
    Ok { warnings: usize },
    Failed,
    Skipped,
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
        eprintln!("error: no storage documents (.xml, .xhtml) found");
        return exit::INPUT;
    }

    let mut reporter = Reporter::new(args.common.diagnostic_format, args.common.quiet);
    let compiler = (!args.no_typeset).then(|| {
        Compiler::new(&EngineOptions {
            system_fonts: !args.common.no_system_fonts,
        })
    });
    let (mut ok, mut failed, mut skipped, mut warnings) = (0, 0, 0, 0);
    for document in &documents {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            check_document(document, compiler.as_ref(), args.verbose, &mut reporter)
        }))
        .unwrap_or_else(|_| {
            println!(
                "error    {}: folio panicked; please report this as a bug",
                document.display()
            );
            Outcome::Failed
        });
        match outcome {
            Outcome::Ok { warnings: n } => {
                ok += 1;
                warnings += n;
            }
            Outcome::Failed => failed += 1,
            Outcome::Skipped => skipped += 1,
        }
    }
    println!(
        "checked {} documents: {ok} ok, {failed} failed, {skipped} skipped; {warnings} warnings",
        documents.len()
    );
    if failed == 0 { exit::OK } else { exit::FAILED }
}

fn check_document(
    path: &Path,
    compiler: Option<&Compiler>,
    verbose: bool,
    reporter: &mut Reporter,
) -> Outcome {
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            println!("error    {name}: cannot read: {error}");
            return Outcome::Failed;
        }
    };
    if is_space_export(&bytes) {
        println!("skipped  {name}: a Confluence space export, not a storage body");
        return Outcome::Skipped;
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
            return Outcome::Failed;
        }
    };
    let dir = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_owned);
    let result =
        folio::compile_document(&page, &AttachmentDir::new(dir), &options).and_then(|compiled| {
            match compiler {
                Some(compiler) => compiler.render_pdf(&compiled).map(|pdf| pdf.diagnostics),
                None => Ok(compiled.diagnostics),
            }
        });
    match result {
        Ok(diagnostics) => {
            let count = diagnostics.len();
            match count {
                0 => println!("ok       {name}"),
                1 => println!("ok       {name} (1 warning)"),
                n => println!("ok       {name} ({n} warnings)"),
            }
            if verbose {
                reporter.diagnostics(&name, &page.storage, &diagnostics);
            }
            Outcome::Ok { warnings: count }
        }
        Err(error) => {
            println!(
                "error    {}: {error}",
                error_location(&name, Some(&page.storage), &error)
            );
            if verbose {
                reporter.error(&name, Some(&page.storage), &error);
            }
            Outcome::Failed
        }
    }
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
        } else if path
            .extension()
            .is_some_and(|ext| ext == "xml" || ext == "xhtml")
        {
            out.push(path);
        }
    }
}

/// Space exports (`entities.xml`) are Hibernate XML holding many bodies, not a body.
fn is_space_export(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(18)
        .any(|window| window == b"<hibernate-generic")
}
