//! Snapshots of the IR (after the passes) for every document of `corpus/` and `fixtures/ok/`, and
//! the errors of every `fixtures/err/` input. Review changes with `cargo insta review`.

mod common;

use std::path::Path;

use folio::ir::LineIndex;
use folio::{CompileError, Options};

fn compile_to_snapshot(path: &Path, attachments_dir: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let options = common::options_for(path);
    let page = folio::read_input(&bytes, &options).unwrap();
    let attachments = common::attachments_in(attachments_dir);
    let compiled = folio::compile_document(&page, &attachments, &options)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let mut out = folio::ir_to_json(&compiled.document);
    out.push_str("\n\n--- diagnostics ---\n");
    let index = LineIndex::new(&page.storage);
    for diagnostic in &compiled.diagnostics {
        let at = diagnostic
            .span
            .map(|span| index.line_col(&page.storage, span.start));
        out.push_str(&format!(
            "{:?} {} at {:?}: {}\n",
            diagnostic.severity, diagnostic.code, at, diagnostic.message
        ));
    }
    out
}

#[test]
fn corpus_pages_ir() {
    for page in common::corpus_pages() {
        let snapshot = compile_to_snapshot(&page, page.parent().unwrap());
        insta::assert_snapshot!(format!("corpus-{}", common::case_name(&page)), snapshot);
    }
}

#[test]
fn ok_fixtures_ir() {
    let attachments = common::root().join("fixtures/ok/attachments");
    let fixtures = common::fixtures("ok", "xhtml");
    assert!(fixtures.len() >= 20);
    for fixture in fixtures {
        let snapshot = compile_to_snapshot(&fixture, &attachments);
        insta::assert_snapshot!(format!("fixture-{}", common::case_name(&fixture)), snapshot);
    }
}

/// Every malformed fixture fails with a read error at the position its `.expected` file names
/// (`LINE:COLUMN`; a leading `~` means "on that line, column approximate").
#[test]
fn err_fixtures_fail_at_the_expected_position() {
    let mut report = String::new();
    let fixtures = common::fixtures("err", "xhtml");
    assert!(fixtures.len() >= 8);
    for fixture in fixtures {
        let bytes = std::fs::read(&fixture).unwrap();
        let options = Options::default();
        let name = common::case_name(&fixture);
        let result = folio::read_input(&bytes, &options).and_then(|page| {
            folio::compile_document(&page, &folio::NoAttachments, &options).map(|_| page)
        });
        let error = match result {
            Ok(_) => panic!("{name}: malformed input compiled"),
            Err(error) => error,
        };
        let source = String::from_utf8_lossy(&bytes);
        let span = error
            .span()
            .unwrap_or_else(|| panic!("{name}: error without a position: {error}"));
        let (line, column) = LineIndex::new(&source).line_col(&source, span.start);
        let expected = std::fs::read_to_string(fixture.with_extension("expected")).unwrap();
        let expected = expected.trim();
        let (approximate, position) = match expected.strip_prefix('~') {
            Some(rest) => (true, rest),
            None => (false, expected),
        };
        let (want_line, want_column) = position.split_once(':').unwrap();
        let want_line: usize = want_line.parse().unwrap();
        assert_eq!(line, want_line, "{name}: {error}");
        if !approximate {
            assert_eq!(
                column,
                want_column.parse::<usize>().unwrap(),
                "{name}: {error}"
            );
        }
        assert!(
            matches!(
                error,
                CompileError::Read(_) | CompileError::InvalidUtf8 { .. }
            ),
            "{name}"
        );
        report.push_str(&format!("{name}: {line}:{column}: {error}\n"));
    }
    insta::assert_snapshot!("err-fixtures", report);
}
