//! Real storage documents from the shared corpus (read in place, never copied): every
//! well-formed one reads, every malformed one fails with a span at its fault.

use std::path::{Path, PathBuf};

use folio_ir::walk_blocks_mut;
use folio_storage::{ReadOptions, read_storage};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// The corpus, or `None` (with a note) when this checkout has none.
fn corpus() -> Option<PathBuf> {
    let path = PathBuf::from(CORPUS);
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!("note: {CORPUS} does not exist; corpus tests skipped");
        None
    }
}

/// Files below `dir` whose names end with one of `extensions`, sorted.
fn files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if extensions
                .iter()
                .any(|ext| path.extension().is_some_and(|e| e == *ext))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn well_formed_documents_read() {
    let Some(corpus) = corpus() else { return };
    let mut documents = Vec::new();
    documents.extend(files(&corpus.join("querypie"), &["xhtml"]));
    documents.extend(files(&corpus.join("md2conf"), &["xml"]));
    documents.extend(files(&corpus.join("mark/testdata"), &["html", "xml"]));
    documents.extend(files(&corpus.join("xwiki/extracted-bodies"), &["xml"]));
    documents.extend(files(&corpus.join("xwiki/syntax-tests"), &["xml"]));
    assert!(
        documents.len() > 100,
        "only {} documents found",
        documents.len()
    );
    for path in &documents {
        let source = std::fs::read_to_string(path).unwrap();
        let read = match read_storage(&source, &ReadOptions::default()) {
            Ok(read) => read,
            Err(error) => panic!("{}: {error:?}", path.display()),
        };
        assert!(
            read.diagnostics.iter().all(|d| !d.is_error()),
            "{}",
            path.display()
        );
        if source.trim().is_empty() {
            continue;
        }
        assert!(
            !read.document.blocks.is_empty(),
            "{}: nothing read",
            path.display()
        );
        let mut blocks = read.document.blocks.clone();
        walk_blocks_mut(&mut blocks, &mut |list: &mut Vec<folio_ir::Block>| {
            for block in list.iter() {
                let span = block.span();
                assert!(
                    span.start < span.end && span.end <= source.len(),
                    "{}: bad span {span:?}",
                    path.display()
                );
            }
        });
    }
}

#[test]
fn malformed_documents_fail_at_their_fault() {
    let Some(corpus) = corpus() else { return };
    let documents = files(&corpus.join("xwiki/extracted-bodies-malformed"), &["xml"]);
    let mut failed = 0;
    for path in &documents {
        let source = std::fs::read_to_string(path).unwrap();
        let result = read_storage(&source, &ReadOptions::default());
        let name = path.file_name().unwrap().to_string_lossy();
        if name.starts_with("cdatazerowidthspace") {
            // Not XML 1.0 (U+0002, U+2028), but readable: its text is kept.
            let read = result.expect("control characters are tolerated");
            let text = crate::common::render(&read.document);
            assert!(
                text.contains("Hello world") && text.contains("Character"),
                "{text}"
            );
            assert!(
                read.diagnostics
                    .iter()
                    .any(|d| d.code == "control-character")
            );
            continue;
        }
        let error = match result {
            Ok(_) => panic!("{name}: read without error"),
            Err(error) => error,
        };
        failed += 1;
        let at = &source[error.span.start..];
        if source.contains("]] >") {
            // A CDATA section whose terminator was written `]] >`.
            assert!(at.starts_with("<![CDATA["), "{name}: {error:?}");
            assert!(at.contains("]] >"), "{name}");
        } else {
            // The spliced body: closers of a table that is not there.
            assert!(at.starts_with("</td>"), "{name}: {error:?}");
        }
    }
    assert_eq!(failed, 6);
}
