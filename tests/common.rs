//! Helpers shared by the top-level test suites.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use folio::ir::Attachments;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Every page of the project's corpus: `corpus/<shape>/page.xhtml` or `page.json`.
pub fn corpus_pages() -> Vec<PathBuf> {
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(root().join("corpus")).unwrap() {
        let dir = entry.unwrap().path();
        for name in ["page.xhtml", "page.json"] {
            if dir.join(name).is_file() {
                pages.push(dir.join(name));
            }
        }
    }
    pages.sort();
    assert!(pages.len() >= 8, "the corpus holds at least 8 pages");
    pages
}

/// Files of a fixtures folder with the given extension, sorted.
pub fn fixtures(folder: &str, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures").join(folder))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == extension))
        .collect();
    files.sort();
    files
}

/// Every file of a folder as attachments, keyed by file name.
pub fn attachments_in(dir: &Path) -> Attachments {
    let mut attachments = Attachments::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            // A corpus folder holds the page, its notes and site data beside the attachments.
            let not_attachment =
                name.starts_with("page.") || matches!(name.as_str(), "README.md" | "site.json");
            if path.is_file() && !not_attachment {
                attachments.insert(name.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    attachments
}

/// A short name for a test file: `corpus/x/page.xhtml` → `x`, `fixtures/ok/y.xhtml` → `y`.
pub fn case_name(path: &Path) -> String {
    let stem = path.file_stem().unwrap().to_string_lossy();
    if stem == "page" {
        path.parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    } else {
        stem.into_owned()
    }
}

/// Compile options for a corpus page: with its folder's `site.json`, when it has one.
pub fn options_for(page: &Path) -> folio::Options {
    let mut options = folio::Options::default();
    let dir = page.parent().unwrap();
    if let Ok(manifest) = std::fs::read_to_string(dir.join("site.json")) {
        let read = |file: &str| std::fs::read_to_string(dir.join(file)).ok();
        let (site, diagnostics) = folio::load_site(&manifest, &read, &options).unwrap();
        assert!(
            diagnostics.is_empty(),
            "{}: {diagnostics:?}",
            page.display()
        );
        options.site = std::sync::Arc::new(site);
    }
    options
}
