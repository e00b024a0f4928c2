//! `folio compile`: one page to PDF, IR or Typst.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use folio::{Compiler, EngineOptions, Options};

use crate::args::{CompileArgs, Emit};
use crate::attachments::AttachmentDir;
use crate::exit;
use crate::report::Reporter;

pub fn run(args: &CompileArgs) -> u8 {
    let mut reporter = Reporter::new(args.common.diagnostic_format, args.common.quiet);
    let name = args.page.display().to_string();
    let bytes = match read_page(&args.page) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("error: cannot read {name}: {error}");
            return exit::INPUT;
        }
    };
    let mut options = Options {
        title: args.title.clone(),
        ..Options::default()
    };
    if let Err(message) = args.page_setup.apply(&mut options.render) {
        eprintln!("error: {message}");
        return exit::INPUT;
    }
    if let Some(site_path) = &args.site {
        match load_site(site_path, &options) {
            Ok((site, diagnostics)) => {
                options.site = std::sync::Arc::new(site);
                reporter.diagnostics(&site_path.display().to_string(), "", &diagnostics);
            }
            Err(code) => return code,
        }
    }
    let page = match folio::read_input(&bytes, &options) {
        Ok(page) => page,
        Err(error) => {
            reporter.error(&name, Some(&String::from_utf8_lossy(&bytes)), &error);
            return exit::INPUT;
        }
    };
    // Spans index the storage body; for a JSON page that is a string inside the file.
    let shown = if page.from_json {
        format!("{name} (body.storage.value)")
    } else {
        name.clone()
    };
    let attachment_dir = args
        .attachments
        .clone()
        .unwrap_or_else(|| parent_dir(&args.page));
    let attachments = AttachmentDir::new(attachment_dir).excluding(&args.page);
    let compiled = match folio::compile_document(&page, &attachments, &options) {
        Ok(compiled) => compiled,
        Err(error) => {
            reporter.error(&shown, Some(&page.storage), &error);
            return exit::INPUT;
        }
    };

    let (output, diagnostics) = match args.emit {
        Emit::Ir => (
            folio::ir_to_json(&compiled.document).into_bytes(),
            compiled.diagnostics,
        ),
        Emit::Typst => (
            folio::lower_to_typst(&compiled).into_bytes(),
            compiled.diagnostics,
        ),
        Emit::Pdf => {
            let compiler = Compiler::new(&EngineOptions {
                system_fonts: !args.common.no_system_fonts,
            });
            match compiler.render_pdf(&compiled) {
                Ok(pdf) => (pdf.bytes, pdf.diagnostics),
                Err(error) => {
                    reporter.diagnostics(&shown, &page.storage, &compiled.diagnostics);
                    reporter.error(&shown, None, &error);
                    return exit::FAILED;
                }
            }
        }
    };
    reporter.diagnostics(&shown, &page.storage, &diagnostics);

    let target = args
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.page, args.emit));
    match write_output(&target, &output) {
        Ok(()) => exit::OK,
        Err(error) => {
            eprintln!("error: cannot write {}: {error}", target.display());
            exit::INPUT
        }
    }
}

fn read_page(path: &Path) -> std::io::Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes)?;
        return Ok(bytes);
    }
    std::fs::read(path)
}

fn parent_dir(page: &Path) -> PathBuf {
    match page.parent() {
        Some(parent) if !parent.as_os_str().is_empty() && page != Path::new("-") => {
            parent.to_owned()
        }
        _ => PathBuf::from("."),
    }
}

/// `page.xhtml` → `page.pdf` / `page.ir.json` / `page.typ`; standard input goes to standard output.
fn default_output(page: &Path, emit: Emit) -> PathBuf {
    if page == Path::new("-") {
        return PathBuf::from("-");
    }
    let extension = match emit {
        Emit::Pdf => "pdf",
        Emit::Ir => "ir.json",
        Emit::Typst => "typ",
    };
    page.with_extension(extension)
}

fn write_output(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if target == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(bytes)?;
        return stdout.flush();
    }
    std::fs::write(target, bytes)
}

/// Reads a site manifest and the page files it names (relative to the manifest's folder).
fn load_site(
    path: &Path,
    options: &Options,
) -> Result<(folio::Site, Vec<folio::ir::Diagnostic>), u8> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        eprintln!("error: cannot read {}: {error}", path.display());
        exit::INPUT
    })?;
    let dir = parent_dir(path);
    let read = |file: &str| std::fs::read_to_string(dir.join(file)).ok();
    folio::load_site(&text, &read, options).map_err(|error| {
        eprintln!("error: {}: {error}", path.display());
        exit::INPUT
    })
}
