//! Warm, in-process compile times, as a render service sees them: one `Compiler` (fonts and
//! theme loaded once), each page compiled once to warm up, then `--runs` more times. Typst's
//! memoisation is cleared before each timed run: a service renders a different document each
//! time, and a page must not be timed against the cached layout of its previous run.
//!
//! ```text
//! cargo run --release -p folio --example warm -- [--runs N] [--json] [--image-dpi DPI] PAGE|BUNDLE...
//! ```
//!
//! A page's attachments are the other files in its folder. A folder is an export bundle (as for
//! `folio export`): read into memory once, then loaded and exported on every run, as a service
//! handed an upload would. Prints one line per page or bundle (or a JSON array with `file`,
//! `median_ms`, `min_ms`, `pages`, `pdf_bytes`), then the process's peak resident memory.
//! `bench/compare.sh` uses it for folio's warm column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use folio::ir::Attachments;
use folio::{Compiler, EngineOptions, ExportOptions, Options, Pdf, load_bundle};

const USAGE: &str = "usage: warm [--runs N] [--json] [--image-dpi DPI] PAGE|BUNDLE...";

struct Args {
    runs: usize,
    json: bool,
    image_dpi: Option<u32>,
    pages: Vec<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        runs: 5,
        json: false,
        image_dpi: None,
        pages: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => {
                let value = it.next().ok_or("--runs needs a number")?;
                args.runs = value.parse().map_err(|_| "--runs needs a number")?;
            }
            "--image-dpi" => {
                let value = it.next().ok_or("--image-dpi needs a number")?;
                args.image_dpi = Some(value.parse().map_err(|_| "--image-dpi needs a number")?);
            }
            "--json" => args.json = true,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            _ => args.pages.push(PathBuf::from(arg)),
        }
    }
    if args.pages.is_empty() || args.runs == 0 {
        return Err(USAGE.to_owned());
    }
    Ok(args)
}

/// Every other file of the page's folder, by name.
fn attachments_beside(page: &Path) -> std::io::Result<Attachments> {
    let mut attachments = Attachments::new();
    let Some(dir) = page.parent() else {
        return Ok(attachments);
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path != page {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            attachments.insert(name, std::fs::read(&path)?);
        }
    }
    Ok(attachments)
}

/// Every file under `dir`, by `/`-separated path relative to it.
fn bundle_files(dir: &Path) -> std::io::Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                let key = relative.to_string_lossy().replace('\\', "/");
                files.insert(key, std::fs::read(&path)?);
            }
        }
    }
    Ok(files)
}

/// What one timed run compiles: a page with its attachments, or a bundle to export.
enum Input {
    Page(Vec<u8>, Attachments),
    Bundle(BTreeMap<String, Vec<u8>>),
}

impl Input {
    fn read(path: &Path) -> std::io::Result<Input> {
        if path.is_dir() {
            Ok(Input::Bundle(bundle_files(path)?))
        } else {
            Ok(Input::Page(std::fs::read(path)?, attachments_beside(path)?))
        }
    }

    fn compile(&self, compiler: &Compiler, options: &Options) -> Result<Pdf, String> {
        match self {
            Input::Page(storage, attachments) => compiler
                .compile(storage, attachments, options)
                .map_err(|e| e.to_string()),
            Input::Bundle(files) => {
                let bundle = load_bundle(files, options).map_err(|e| e.to_string())?;
                compiler
                    .export(&bundle, &ExportOptions::default(), options, &mut |_| {})
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// Peak resident memory of this process, from /proc (Linux), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let compiler = Compiler::new(&EngineOptions::default());
    let mut options = Options::default();
    options.render.image_dpi = args.image_dpi;
    let mut results = Vec::new();
    for page in &args.pages {
        let run = || -> Result<serde_json::Value, String> {
            let input = Input::read(page).map_err(|e| e.to_string())?;
            let first = input.compile(&compiler, &options)?;
            let mut times = Vec::with_capacity(args.runs);
            for _ in 0..args.runs {
                comemo::evict(0);
                let start = Instant::now();
                let pdf = input.compile(&compiler, &options)?;
                times.push(start.elapsed().as_secs_f64() * 1000.0);
                std::hint::black_box(pdf);
            }
            times.sort_by(f64::total_cmp);
            Ok(serde_json::json!({
                "file": page.display().to_string(),
                "median_ms": times[times.len() / 2],
                "min_ms": times[0],
                "pages": first.pages,
                "pdf_bytes": first.bytes.len(),
            }))
        };
        match run() {
            Ok(result) => {
                if !args.json {
                    println!(
                        "{:>9.1} ms median {:>9.1} ms min {:>4} pages {:>10} bytes  {}",
                        result["median_ms"].as_f64().unwrap_or_default(),
                        result["min_ms"].as_f64().unwrap_or_default(),
                        result["pages"],
                        result["pdf_bytes"],
                        page.display()
                    );
                }
                results.push(result);
            }
            Err(error) => {
                eprintln!("{}: {error}", page.display());
                std::process::exit(1);
            }
        }
    }
    if args.json {
        println!("{}", serde_json::Value::Array(results));
    }
    if let Some(peak) = peak_rss_kib() {
        eprintln!("peak resident memory: {} MB", peak / 1024);
    }
}
