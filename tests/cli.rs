//! The `folio` binary as a user runs it: help, exit codes, messages, files written.

mod common;

use std::process::{Command, Output};

fn folio(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(args)
        .current_dir(common::root())
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A scratch folder, removed with what is in it when the test ends (passed or failed).
fn temp_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("folio-cli-test-{name}-"))
        .tempdir()
        .unwrap()
}

#[test]
fn help_describes_every_command_and_option() {
    let help = stdout(&folio(&["--help"]));
    for word in ["compile", "check", "Exit codes"] {
        assert!(help.contains(word), "{word} missing from --help:\n{help}");
    }
    let help = stdout(&folio(&["compile", "--help"]));
    for word in [
        "--output",
        "--attachments",
        "--title",
        "--emit",
        "REST API page JSON",
        "--diagnostic-format",
    ] {
        assert!(
            help.contains(word),
            "{word} missing from compile --help:\n{help}"
        );
    }
    let help = stdout(&folio(&["check", "--help"]));
    for word in [
        "PATH",
        ".xhtml",
        "--no-typeset",
        "--coverage",
        "--min-coverage",
    ] {
        assert!(
            help.contains(word),
            "{word} missing from check --help:\n{help}"
        );
    }
}

#[test]
fn compile_writes_a_pdf() {
    let page = &common::corpus_pages()[0];
    let dir = temp_dir("compile");
    let out = dir.path().join("out.pdf");
    let output = folio(&[
        "compile",
        page.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF-"));
}

#[test]
fn emit_ir_and_typst_go_to_stdout() {
    let output = folio(&[
        "compile",
        "fixtures/ok/heading-levels.xhtml",
        "--emit",
        "ir",
        "-o",
        "-",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("\"folio-ir\""));
    let output = folio(&[
        "compile",
        "fixtures/ok/heading-levels.xhtml",
        "--emit",
        "typst",
        "-o",
        "-",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("heading"));
}

#[test]
fn malformed_input_exits_2_naming_file_line_and_column() {
    let dir = temp_dir("malformed");
    let page = dir.path().join("bad.xhtml");
    std::fs::write(&page, "<p>one</p>\n<p>two <strong>three</p>\n").unwrap();
    let output = folio(&[
        "compile",
        page.to_str().unwrap(),
        "--diagnostic-format",
        "short",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("bad.xhtml:2:"), "{message}");
    assert!(message.contains("error"), "{message}");
    assert!(
        !dir.path().join("bad.pdf").exists(),
        "no PDF for a malformed page"
    );

    // The human format shows the source line.
    let output = folio(&["compile", page.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("<p>two <strong>three</p>"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_space_export_is_refused_with_a_clear_error() {
    let dir = temp_dir("space-export");
    let export = dir.path().join("entities.xml");
    std::fs::write(
        &export,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hibernate-generic datetime=\"2024-01-01\">\n  <object class=\"Page\" package=\"com.atlassian.confluence.pages\">\n    <property name=\"title\"><![CDATA[Home]]></property>\n  </object>\n</hibernate-generic>\n",
    )
    .unwrap();
    let output = folio(&["compile", export.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("entities.xml"), "{message}");
    assert!(message.contains("space export"), "{message}");
    assert!(message.contains("folio export"), "{message}");
    assert!(
        !dir.path().join("entities.pdf").exists(),
        "no PDF for a space export"
    );
}

#[test]
fn missing_page_file_exits_2() {
    let output = folio(&["compile", "does/not/exist.xhtml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("does/not/exist.xhtml"));
}

#[test]
fn check_reports_each_document_and_fails_on_errors() {
    let output = folio(&["check", "--no-typeset", "fixtures/err"]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    let errors = out.lines().filter(|line| line.starts_with("error")).count();
    assert_eq!(errors, common::fixtures("err", "xhtml").len(), "{out}");
    for line in out.lines().filter(|line| line.starts_with("error")) {
        let location = line.split_whitespace().nth(1).unwrap();
        let parts: Vec<_> = location.trim_end_matches(':').rsplitn(3, ':').collect();
        assert!(
            parts.len() == 3 && parts[0].parse::<u32>().is_ok() && parts[1].parse::<u32>().is_ok(),
            "{line}"
        );
    }
    assert!(out.lines().last().unwrap().starts_with("checked"), "{out}");
}

#[test]
fn check_passes_on_the_corpus() {
    let output = folio(&["check", "corpus"]);
    let out = stdout(&output);
    assert!(output.status.success(), "{out}{}", stderr(&output));
    let ok = out.lines().filter(|line| line.starts_with("ok")).count();
    assert!(ok >= 8, "{out}");
    assert!(
        out.contains(&format!("checked {ok} documents: {ok} ok, 0 failed")),
        "{out}"
    );
}

#[test]
fn a_long_one_line_body_shows_a_window_of_its_line() {
    let dir = temp_dir("long-line");
    let page = dir.path().join("cloud.xhtml");
    let filler = "<p>Cloud bodies are one long line.</p>".repeat(200);
    std::fs::write(&page, format!("{filler}<p>broken <em>here</p>{filler}")).unwrap();
    let output = folio(&["compile", page.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains(&format!("cloud.xhtml:1:{}", filler.len() + 19)),
        "{message}"
    );
    assert!(message.contains("broken <em>here"), "{message}");
    assert!(
        message.len() < 1000,
        "the whole 15 KB line was printed: {} bytes",
        message.len()
    );
}

/// Runs `folio check` with embedded fonts only, so that what reaches the PDF is the same on every
/// machine.
fn check_coverage(page: &std::path::Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", "--no-system-fonts", "--coverage"];
    args.extend_from_slice(extra);
    args.push(page.to_str().unwrap());
    folio(&args)
}

#[test]
fn check_coverage_counts_every_word_of_the_page_text() {
    let dir = temp_dir("coverage-full");
    let page = dir.path().join("page.xhtml");
    std::fs::write(
        &page,
        "<h1>Release plan</h1><p>Ship <strong>bold</strong>ly, then r&eacute;st.</p>\
         <ac:structured-macro ac:name=\"code\"><ac:parameter ac:name=\"language\">python\
         </ac:parameter><ac:plain-text-body><![CDATA[print(\"hello\")]]></ac:plain-text-body>\
         </ac:structured-macro><p><ac:placeholder>Type a note</ac:placeholder></p>",
    )
    .unwrap();
    let output = check_coverage(&page, &["--min-coverage", "100"]);
    let out = stdout(&output);
    assert!(output.status.success(), "{out}{}", stderr(&output));
    // release plan ship boldly then rést print hello: not the parameter, not the placeholder.
    assert!(out.contains("page.xhtml (coverage 100.0%)"), "{out}");
    assert!(out.contains("; coverage 100.0% (8/8 words)"), "{out}");
}

#[test]
fn check_min_coverage_fails_when_words_are_lost() {
    let dir = temp_dir("coverage-lost");
    let page = dir.path().join("page.xhtml");
    // The embedded fonts have no Hangul: those words print as boxes, which is content lost.
    std::fs::write(&page, "<p>English words here.</p><p>설치 가이드</p>").unwrap();
    let output = check_coverage(&page, &["--min-coverage", "90", "--verbose"]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("coverage 60.0%"), "{out}");
    assert!(out.contains("(3/5 words)"), "{out}");
    assert!(out.contains("missing 2 of 5 words: 설치, 가이드"), "{out}");
    assert!(
        stderr(&output).contains("coverage 60.0% is below --min-coverage 90%"),
        "{}",
        stderr(&output)
    );

    let output = check_coverage(&page, &["--min-coverage", "60"]);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(
        !stdout(&output).contains("missing"),
        "words are listed only with --verbose"
    );
}

#[test]
fn check_coverage_needs_typesetting() {
    let output = folio(&["check", "--coverage", "--no-typeset", "corpus"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("'--coverage' cannot be used with '--no-typeset'"),
        "{}",
        stderr(&output)
    );
    let output = folio(&["check", "--min-coverage", "101", "corpus"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("between 0 and 100"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_finds_rest_page_json_in_folders() {
    let output = folio(&["check", "--no-typeset", "corpus/page-json-v1"]);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(stdout(&output).contains("page.json"), "{}", stdout(&output));
}

/// A space export is exported by naming its folder or its entities.xml; its warnings (a page in
/// wiki markup) go to stderr, and the summary lists the current pages.
#[test]
fn export_reads_a_server_space_export() {
    let dir = temp_dir("space");
    let out = dir.path().join("ops.pdf");
    let output = folio(&[
        "export",
        "fixtures/space-export/entities.xml",
        "-o",
        out.to_str().unwrap(),
        "--json",
        "--no-system-fonts",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(summary["pages"].as_array().unwrap().len(), 5, "{summary}");
    assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF"));

    let output = folio(&[
        "export",
        "fixtures/space-export",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("bundle-wiki-markup"),
        "{}",
        stderr(&output)
    );

    // The zip Confluence writes, as it is: one folder inside, read in place.
    let zip_path = dir.path().join("Confluence-space-export-OPS.xml.zip");
    {
        use std::io::Write;
        let root = common::root().join("fixtures/space-export");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        for path in [
            "entities.xml",
            "attachments/2002/4001/2",
            "attachments/2002/4003/3",
        ] {
            zip.start_file(
                format!("OPS/{path}"),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            zip.write_all(&std::fs::read(root.join(path)).unwrap())
                .unwrap();
        }
        zip.finish().unwrap();
    }
    let output = folio(&[
        "export",
        zip_path.to_str().unwrap(),
        "--json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(summary["pages"].as_array().unwrap().len(), 5, "{summary}");
    let missing = summary.to_string().contains("missing-attachment");
    assert!(!missing, "the zip's attachments are found: {summary}");

    let output = folio(&["check", "--no-typeset", zip_path.to_str().unwrap()]);
    assert!(
        stdout(&output).contains("checked 5 documents: 5 ok"),
        "{}",
        stdout(&output)
    );

    // `check` checks each page of the export.
    let output = folio(&["check", "--no-typeset", "fixtures/space-export"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let lines = stdout(&output);
    assert!(
        lines.contains("ok       fixtures/space-export/entities.xml#2002"),
        "{lines}"
    );
    assert!(
        lines.contains("checked 5 documents: 5 ok, 0 failed"),
        "{lines}"
    );

    // A space export cut short: an error naming the line and column, no PDF.
    let entities =
        std::fs::read_to_string(common::root().join("fixtures/space-export/entities.xml")).unwrap();
    let cut = dir.path().join("cut");
    std::fs::create_dir(&cut).unwrap();
    std::fs::write(cut.join("entities.xml"), &entities[..entities.len() / 2]).unwrap();
    let broken = dir.path().join("broken.pdf");
    let output = folio(&[
        "export",
        cut.to_str().unwrap(),
        "-o",
        broken.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(has_line_and_column(&message, "entities.xml:"), "{message}");
    assert!(!broken.exists());
}

/// Whether `text` has `prefix` followed by `LINE:COLUMN:`.
fn has_line_and_column(text: &str, prefix: &str) -> bool {
    text.match_indices(prefix).any(|(at, _)| {
        let mut parts = text[at + prefix.len()..].splitn(3, ':');
        let number = |part: Option<&str>| {
            part.is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        };
        number(parts.next()) && number(parts.next())
    })
}

#[test]
fn export_writes_one_pdf_and_a_json_summary() {
    let dir = temp_dir("export");
    let out = dir.path().join("handbook.pdf");
    let output = folio(&[
        "export",
        "corpus/bundle-handbook",
        "-o",
        out.to_str().unwrap(),
        "--json",
        "--no-system-fonts",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(summary["pages"].as_array().unwrap().len(), 34);
    assert!(summary["pdf_pages"].as_u64().unwrap() >= 34);
    assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF"));
    // No progress bar or warnings on stderr when the output is a pipe.
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));

    let help = stdout(&folio(&["export", "--help"]));
    for word in ["--root", "--depth", "--json", "--quiet", "folio.json"] {
        assert!(help.contains(word), "{word} missing from export --help");
    }
    let missing = folio(&["export", "no/such/bundle"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("not a bundle folder"));
    let bad_root = folio(&[
        "export",
        "corpus/bundle-handbook",
        "--root",
        "999",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(bad_root.status.code(), Some(2));
    assert!(stderr(&bad_root).contains("page 999"));
}
