//! The project's own fixtures (`fixtures/{ok,err,recover}`) and corpus pages (`corpus/*/page.xhtml`).
//! `err/` and `recover/` files come with a `LINE:COLUMN` the error or warning must point at; a
//! leading `~` accepts any column on that line.

use std::path::{Path, PathBuf};

use folio_ir::LineIndex;
use folio_storage::{ReadOptions, read_storage};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn dir(name: &str) -> Option<PathBuf> {
    let path = Path::new(ROOT).join(name);
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!("note: {} does not exist; skipped", path.display());
        None
    }
}

fn xhtml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "xhtml"))
        .collect();
    files.sort();
    files
}

/// Checks that byte `offset` of `source` is at the position `expected` (`L:C` or `~L:C`).
fn assert_position(path: &Path, source: &str, offset: usize, expected: &str) {
    let expected = expected.trim();
    let (loose, expected) = match expected.strip_prefix('~') {
        Some(rest) => (true, rest),
        None => (false, expected),
    };
    let (line, column) = expected.split_once(':').unwrap();
    let (line, column): (usize, usize) = (line.parse().unwrap(), column.parse().unwrap());
    let actual = LineIndex::new(source).line_col(source, offset);
    if loose {
        assert_eq!(
            actual.0,
            line,
            "{}: at {actual:?}, expected line {line}",
            path.display()
        );
    } else {
        assert_eq!(actual, (line, column), "{}", path.display());
    }
}

#[test]
fn ok_fixtures_read() {
    let Some(dir) = dir("fixtures/ok") else {
        return;
    };
    let files = xhtml_files(&dir);
    assert!(!files.is_empty());
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        if let Err(error) = read_storage(&source, &ReadOptions::default()) {
            panic!("{}: {error:?}", path.display());
        }
    }
}

#[test]
fn err_fixtures_fail_where_expected() {
    let Some(dir) = dir("fixtures/err") else {
        return;
    };
    for path in xhtml_files(&dir) {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(source) = String::from_utf8(bytes) else {
            // Not text at all: the caller's decoding reports it, before the reader.
            continue;
        };
        let expected = std::fs::read_to_string(path.with_extension("expected")).unwrap();
        match read_storage(&source, &ReadOptions::default()) {
            Ok(_) => panic!("{}: read without error", path.display()),
            Err(error) => assert_position(&path, &source, error.span.start, &expected),
        }
    }
}

#[test]
fn recover_fixtures_warn_where_expected() {
    let Some(dir) = dir("fixtures/recover") else {
        return;
    };
    for path in xhtml_files(&dir) {
        let source = std::fs::read_to_string(&path).unwrap();
        let expected = std::fs::read_to_string(path.with_extension("expected")).unwrap();
        let read = match read_storage(&source, &ReadOptions::default()) {
            Ok(read) => read,
            Err(error) => panic!("{}: {error:?}", path.display()),
        };
        let span = read
            .diagnostics
            .first()
            .and_then(|d| d.span)
            .expect("a warning with a span");
        assert_position(&path, &source, span.start, &expected);
    }
}

#[test]
fn corpus_pages_read_without_unsupported_elements() {
    let Some(dir) = dir("corpus") else { return };
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path().join("page.xhtml"))
        .filter(|p| p.is_file())
        .collect();
    pages.sort();
    assert!(!pages.is_empty());
    for path in pages {
        let source = std::fs::read_to_string(&path).unwrap();
        let read = match read_storage(&source, &ReadOptions::default()) {
            Ok(read) => read,
            Err(error) => panic!("{}: {error:?}", path.display()),
        };
        let unsupported: Vec<_> = read
            .diagnostics
            .iter()
            .filter(|d| d.code == "unsupported-element")
            .collect();
        assert!(
            unsupported.is_empty(),
            "{}: {unsupported:?}",
            path.display()
        );
    }
}
