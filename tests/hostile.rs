//! Hostile input: every case ends in a clear error (with line:column where it has one) or a
//! bounded, correct PDF, and nothing reads outside what the caller supplied. The fixtures live in
//! `fixtures/hostile/` (a `.expected` beside a page holds the `LINE:COLUMN` of its error, as in
//! `fixtures/err/`); the large cases are generated here. Work is bounded by folio's limits
//! (docs/limits.md), never by timing assertions.

mod common;
mod pdf;

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

use folio::ir::{Block, Diagnostic, LineIndex, walk_blocks_mut};
use folio::{CompileError, Compiled, Compiler, EngineOptions, Options, PassOptions};

fn compiler() -> &'static Compiler {
    static COMPILER: OnceLock<Compiler> = OnceLock::new();
    COMPILER.get_or_init(|| {
        Compiler::new(&EngineOptions {
            system_fonts: false,
        })
    })
}

fn hostile(name: &str) -> PathBuf {
    common::root().join("fixtures/hostile").join(name)
}

fn hostile_attachments() -> folio::ir::Attachments {
    common::attachments_in(&hostile("attachments"))
}

/// Reads and runs the passes, or the error with its line and column.
fn compile_document(source: &[u8], options: &Options) -> Result<Compiled, (CompileError, String)> {
    let attachments = hostile_attachments();
    let located = |error: CompileError, text: &str| {
        let at = match error.span() {
            Some(span) => {
                let (line, column) = LineIndex::new(text).line_col(text, span.start);
                format!("{line}:{column}")
            }
            None => String::new(),
        };
        (error, at)
    };
    let page = folio::read_input(source, options)
        .map_err(|e| located(e, &String::from_utf8_lossy(source)))?;
    folio::compile_document(&page, &attachments, options).map_err(|e| located(e, &page.storage))
}

/// The whole compile, which must succeed; returns the diagnostics and the PDF read back.
fn compile_pdf(source: &[u8], options: &Options) -> (Vec<Diagnostic>, pdf::PdfReport) {
    let compiled = compile_document(source, options).unwrap_or_else(|(e, at)| panic!("{at}: {e}"));
    let rendered = compiler()
        .render_pdf(&compiled)
        .unwrap_or_else(|e| panic!("{e}"));
    (rendered.diagnostics, pdf::read_pdf(&rendered.bytes))
}

/// Asserts that each of `words` is in `text` (a PDF's text).
fn assert_all_in(text: &str, words: &[&str]) {
    for words in words {
        assert!(text.contains(words), "{words:?} is not in the PDF: {text}");
    }
}

/// The PDF's text without the footers' page numbers ("3 / 87"), which come between the
/// text of one page and the next.
fn without_page_numbers(report: &pdf::PdfReport) -> String {
    // From the last: "1 / 87" is the end of "11 / 87".
    (1..=report.pages)
        .rev()
        .fold(report.text.clone(), |text, page| {
            text.replace(&format!("{page} / {}", report.pages), "")
        })
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&str> {
    diagnostics.iter().map(|d| d.code.as_str()).collect()
}

fn folio(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(args)
        .arg("--no-system-fonts")
        .current_dir(common::root())
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A file named `name` holding `bytes`, in a scratch folder removed when the first of the pair
/// is dropped (so the name, which errors quote, stays the test's own).
fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("folio-hostile-")
        .tempdir()
        .unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

/// No passwd-like content ever reaches a PDF.
fn assert_no_file_contents(report: &pdf::PdfReport) {
    assert!(!report.text.contains("root:x:0"), "{}", report.text);
}

#[test]
fn malformed_fixtures_fail_at_their_position() {
    let mut checked = 0;
    for page in common::fixtures("hostile", "xhtml") {
        let Ok(expected) = std::fs::read_to_string(page.with_extension("expected")) else {
            continue;
        };
        let source = std::fs::read(&page).unwrap();
        let Err((error, at)) = compile_document(&source, &Options::default()) else {
            panic!("{} compiled", page.display());
        };
        assert_eq!(at, expected.trim(), "{}: {error}", page.display());
        assert!(matches!(error, CompileError::Read(_)), "{error:?}");
        checked += 1;
    }
    assert!(checked >= 6, "{checked}");
}

#[test]
fn well_formed_fixtures_compile_within_the_sandbox() {
    let mut checked = 0;
    for page in common::fixtures("hostile", "xhtml") {
        if page.with_extension("expected").exists() {
            continue;
        }
        let source = std::fs::read(&page).unwrap();
        let (_, report) = compile_pdf(&source, &Options::default());
        assert!(report.pages >= 1, "{}", page.display());
        assert_no_file_contents(&report);
        checked += 1;
    }
    assert!(checked >= 8, "{checked}");
}

#[test]
fn billion_laughs_is_refused_by_the_cli_with_a_position() {
    let output = folio(&[
        "compile",
        "fixtures/hostile/billion-laughs.xhtml",
        "-o",
        "-",
        "--diagnostic-format",
        "short",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("billion-laughs.xhtml:1:1"), "{message}");
    assert!(message.contains("document type declarations are not allowed"));
    assert!(output.stdout.is_empty());
}

#[test]
fn undeclared_entities_stay_text_and_are_never_resolved() {
    let source = std::fs::read(hostile("undeclared-entities.xhtml")).unwrap();
    let (diagnostics, report) = compile_pdf(&source, &Options::default());
    assert!(codes(&diagnostics).contains(&"unknown-entity"));
    let text = pdf::squash(&report.text);
    assert!(text.contains("&xxe;") && text.contains("&lol9;"), "{text}");
}

/// A column fixed wider than the page (`width` 717px beside a column without one) used to leave
/// the other column no width at all, and Typst's flow laid an indented block followed by a
/// wrapping lozenge out in it page after page until memory ran out. The columns now share the
/// row, and the narrow one is wide enough for its words; columns nested in a column too narrow
/// for them follow one another.
#[test]
fn a_column_wider_than_the_page_leaves_the_others_room() {
    let source = std::fs::read(hostile("column-wider-than-page.xhtml")).unwrap();
    let (_, report) = compile_pdf(&source, &Options::default());
    assert_eq!(report.pages, 1);
    let text = pdf::squash(&report.text);
    assert_all_in(
        &text,
        &[
            "left column text",
            "right column text",
            "nested one",
            "nested two",
            "nested three",
            "wide column text",
            "After the section.",
        ],
    );
}

/// A table with a header row in a column too narrow for its words (a `column` 60 pixels wide)
/// has a header taller than a page. Typst, repeating it on every page before a row that barely
/// fit, added pages until memory ran out (the CLI died). Such a table's header rows are now rows
/// like the others, which break across pages: all its text is in the PDF.
#[test]
fn a_table_header_in_a_column_too_narrow_for_it_breaks_across_pages() {
    let source = std::fs::read(hostile("narrow-table-header.xhtml")).unwrap();
    let (_, report) = compile_pdf(&source, &Options::default());
    // Words in so narrow a column break anywhere, across pages too: compare the text without
    // its line breaks and page numbers.
    let mut text: String = report.text.chars().filter(|c| !c.is_whitespace()).collect();
    for page in (1..=report.pages).rev() {
        text = text.replace(&format!("{page}/{}", report.pages), "");
    }
    assert_all_in(
        &text,
        &[
            "header0",
            "header59",
            "secondheader",
            "thirdheader",
            "firstcell",
            "secondcell",
            "anunbreakableidentifierthatgoesonwithoutspaces",
            "widecolumntext",
            "Afterthesection.",
        ],
    );
}

/// Typst fails the whole document when one run of text gives a regex show rule more than 512
/// matches ("maximum grouping depth exceeded"), and the theme's rules for table cells and
/// columns match every space, CJK character or long word. A few hundred words in one
/// paragraph of a cell, lines of a cell, a column, a code line in a narrow cell or a title, or a
/// code block of a few hundred lines in a cell (Typst sees a raw block's lines as one run),
/// stopped the page from typesetting at all.
#[test]
fn hundreds_of_words_in_a_cell_column_code_line_or_title_typeset() {
    let words = |prefix: &str, count: usize, separator: &str| {
        (0..count)
            .map(|i| format!("{prefix}{i}"))
            .collect::<Vec<_>>()
            .join(separator)
    };
    let narrow_cells = "<td><p>c</p></td>".repeat(11);
    let source = format!(
        "<table><tbody>\
           <tr><th><p>Paragraph</p></th><td><p>{paragraph}</p></td></tr>\
           <tr><th><p>Lines</p></th><td><p>{lines}</p></td></tr>\
           <tr><th><p>Chinese</p></th><td><p>{chinese}</p></td></tr>\
           <tr><th><p>Code</p></th><td><ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[{code_lines}]]></ac:plain-text-body></ac:structured-macro></td></tr>\
         </tbody></table>\
         <ac:layout><ac:layout-section ac:type=\"three_equal\">\
           <ac:layout-cell><p>{column}</p></ac:layout-cell>\
           <ac:layout-cell><p>b</p></ac:layout-cell><ac:layout-cell><p>c</p></ac:layout-cell>\
         </ac:layout-section></ac:layout>\
         <table><tbody><tr><td>\
           <ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[{code}]]></ac:plain-text-body></ac:structured-macro>\
           <ac:structured-macro ac:name=\"expand\"><ac:parameter ac:name=\"title\">{title}</ac:parameter>\
             <ac:rich-text-body><p>expanded</p></ac:rich-text-body></ac:structured-macro>\
         </td>{narrow_cells}</tr></tbody></table>",
        paragraph = words("word", 1500, " "),
        lines = words("line", 700, "<br/>"),
        chinese = "的一是不了人我在有他这中大来上".repeat(80),
        column = words("columnword", 700, " "),
        code = words("codeword", 700, " "),
        title = words("titleword", 600, " "),
        code_lines = (0..300)
            .map(|i| format!("int a = b + c; // codeline{i}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let (_, report) = compile_pdf(source.as_bytes(), &Options::default());
    let text = pdf::squash(&report.text);
    assert_all_in(
        &text,
        &[
            "word0 word1",
            "word1498 word1499",
            "line0",
            "line699",
            "columnword0 columnword1",
            "columnword699",
            "codeword0",
            "codeword699",
            "codeline0",
            "codeline299",
            "titleword0",
            "expanded",
        ],
    );
}

/// Typst laid out a code line without spaces (minified JSON) in time growing with the square of
/// its length: a 300 KB line took 21 s, 1.2 MB more than five minutes. Such a line is laid out in
/// blocks of about 2,000 characters (a line that is mostly a base64 string cut by its text),
/// numbered or not.
#[test]
fn a_code_line_of_300_kb_of_minified_json_typesets_with_its_text() {
    let json = format!(
        "[{}]",
        (0..4_000)
            .map(|i| format!(r#"{{"id":{i},"name":"item-{i}","tags":["a","b"],"value":0.{i}}}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    let blob: String = (0..60_000u32)
        .map(|i| {
            char::from(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                    [(i * 7 % 64) as usize],
            )
        })
        .collect();
    let numbered = format!("{{\n\"data\":\"{blob}\",\"last\":true\n}}");
    let code = |numbers: bool, body: &str| {
        format!(
            r#"<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">json</ac:parameter><ac:parameter ac:name="linenumbers">{numbers}</ac:parameter><ac:plain-text-body><![CDATA[{body}]]></ac:plain-text-body></ac:structured-macro>"#
        )
    };
    let source = format!(
        "{}{}<p>after the code</p>",
        code(false, &json),
        code(true, &numbered)
    );
    let (_, report) = compile_pdf(source.as_bytes(), &Options::default());
    let text: String = without_page_numbers(&report).split_whitespace().collect();
    assert!(
        text.contains(&json),
        "the JSON line is not whole in the PDF"
    );
    assert!(text.contains(&format!(r#""data":"{blob}","last":true"#)));
    assert!(text.contains("afterthecode"));
}

/// Words joined by no-break spaces are one run with a break opportunity after each space, one
/// piece of the paragraph each, which the lowering did not count (it took the no-break spaces
/// for spaces) and so did not cut the paragraph: 50,000 of them took 7.7 s, 200,000 no-break
/// spaces alone more than two minutes.
#[test]
fn a_paragraph_of_words_joined_by_no_break_spaces_typesets_with_its_text() {
    let words: Vec<String> = (0..50_000).map(|i| format!("w{i}")).collect();
    let source = format!("<p>{}</p><p>after it</p>", words.join("&nbsp;"));
    let (_, report) = compile_pdf(source.as_bytes(), &Options::default());
    let text = pdf::squash(&without_page_numbers(&report));
    assert!(
        text.contains(&words.join(" ")),
        "the words are not all in the PDF"
    );
    assert!(text.contains("after it"));
}

#[test]
fn twenty_thousand_emoji_draw_a_thousand_pictures_and_keep_the_rest_as_characters() {
    // Each picture costs Typst far more than a character: 20,000 took 3 s and 375 MB.
    let source = format!("<p>{}</p><p>after them</p>", "🎉 ".repeat(20_000));
    let (diagnostics, report) = compile_pdf(source.as_bytes(), &Options::default());
    let missing: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.code == "missing-glyphs")
        .collect();
    assert_eq!(missing.len(), 1, "{diagnostics:?}");
    assert!(
        missing[0].message.starts_with("19000 characters"),
        "{}",
        missing[0].message
    );
    let tail: String = report
        .text
        .chars()
        .rev()
        .take(60)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(report.text.contains("after them"), "{tail}");
}

#[test]
fn nesting_100000_deep_is_an_error_naming_the_limit() {
    for (open, close) in [
        ("<div>", "</div>"),
        ("<ul><li>", "</li></ul>"),
        (
            "<ac:structured-macro ac:name=\"info\"><ac:rich-text-body>",
            "</ac:rich-text-body></ac:structured-macro>",
        ),
    ] {
        let source = format!("{}x{}", open.repeat(100_000), close.repeat(100_000));
        let Err((CompileError::Read(error), at)) =
            compile_document(source.as_bytes(), &Options::default())
        else {
            panic!("{open} 100,000 deep was accepted");
        };
        assert!(error.message.contains("max_depth"), "{}", error.message);
        assert!(at.starts_with("1:"), "{at}");
    }
}

/// `rows` rows of `columns` cells, all different text.
fn table(rows: usize, columns: usize) -> String {
    let mut out = String::from("<table><tbody>");
    for r in 0..rows {
        out.push_str("<tr>");
        for c in 0..columns {
            out.push_str(&format!("<td>{r}.{c}</td>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

fn table_cells(document: &mut folio::ir::Document) -> usize {
    let mut cells = 0;
    walk_blocks_mut(&mut document.blocks, &mut |blocks: &mut Vec<Block>| {
        for block in blocks.iter() {
            if let Block::Table(table) = block {
                cells += table.rows.len() * table.columns.len();
            }
        }
    });
    cells
}

#[test]
fn a_million_cell_table_is_cut_to_the_cell_limit() {
    let source = table(1000, 1000);
    let mut compiled = compile_document(source.as_bytes(), &Options::default()).unwrap();
    let warning = compiled
        .diagnostics
        .iter()
        .find(|d| d.code == "table-too-large")
        .expect("a table-too-large warning");
    assert!(
        warning.message.contains("max_table_cells"),
        "{}",
        warning.message
    );
    let limit = PassOptions::default().max_table_cells;
    assert!(table_cells(&mut compiled.document) <= limit + 1000);
}

#[test]
fn a_table_over_the_cell_limit_says_so_in_the_pdf() {
    let options = Options {
        passes: PassOptions {
            max_table_cells: 40,
            ..PassOptions::default()
        },
        ..Options::default()
    };
    let (diagnostics, report) = compile_pdf(table(30, 4).as_bytes(), &options);
    assert!(codes(&diagnostics).contains(&"table-too-large"));
    let text = pdf::squash(&report.text);
    assert!(text.contains("0.0") && text.contains("8.3"), "{text}");
    assert!(!text.contains("9.0"), "row 9 is past 40 cells");
    assert!(
        text.contains("21 more rows of this table are not shown"),
        "{text}"
    );
}

#[test]
fn huge_and_garbage_spans_make_rectangular_tables() {
    let source = std::fs::read(hostile("colspan-max.xhtml")).unwrap();
    let (diagnostics, report) = compile_pdf(&source, &Options::default());
    assert!(codes(&diagnostics).contains(&"table-span-clamped"));
    let text = pdf::squash(&report.text);
    assert!(
        ["wide", "wider", "tall", "d"]
            .iter()
            .all(|t| text.contains(t)),
        "{text}"
    );

    let source = std::fs::read(hostile("garbage-spans.xhtml")).unwrap();
    let (_, report) = compile_pdf(&source, &Options::default());
    let text = pdf::squash(&report.text);
    for n in 0..12 {
        assert!(text.contains(&format!("span {n}")), "span {n} in {text}");
    }
}

#[test]
fn image_bombs_and_corrupt_images_become_placeholders() {
    let source = std::fs::read(hostile("hostile-images.xhtml")).unwrap();
    let (diagnostics, report) = compile_pdf(&source, &Options::default());
    let image_warnings = diagnostics
        .iter()
        .filter(|d| {
            matches!(
                d.code.as_str(),
                "image-too-large" | "unreadable-image" | "image-unavailable"
            )
        })
        .count();
    // Every attachment but tiny.png, script.svg (whose script Typst ignores), the three SVGs
    // shown without the images they link (`svg-linked-image`) and rle-overrun.bmp (whose runs
    // past the end of its rows the decoder drops).
    assert_eq!(image_warnings, 15, "{:#?}", codes(&diagnostics));
    let unlinked = diagnostics
        .iter()
        .filter(|d| d.code == "svg-linked-image")
        .count();
    assert_eq!(unlinked, 3, "{:#?}", codes(&diagnostics));
    let bomb = diagnostics
        .iter()
        .find(|d| d.code == "image-too-large")
        .unwrap();
    assert!(bomb.message.contains("100000×100000"), "{}", bomb.message);
    assert_no_file_contents(&report);
}

/// An SVG that links images outside itself is shown without them, as a browser shows an SVG
/// image, with a warning; one that inlines an image bomb is a placeholder.
#[test]
fn svgs_that_reach_outside_are_shown_without_what_they_link() {
    let page = |svg: &str| {
        format!(
            "<p>before</p><ac:image><ri:attachment ri:filename=\"{svg}\" /></ac:image><p>after</p>"
        )
    };
    for svg in ["external-href.svg", "xlink-http.svg", "relative-href.svg"] {
        let (diagnostics, report) = compile_pdf(page(svg).as_bytes(), &Options::default());
        assert_eq!(codes(&diagnostics), ["svg-linked-image"], "{svg}");
        assert!(
            diagnostics[0].message.contains(svg),
            "{}",
            diagnostics[0].message
        );
        // Shown: no placeholder naming the file.
        assert!(!report.text.contains(svg), "{svg}: {}", report.text);
        assert!(pdf::squash(&report.text).contains("after"), "{svg}");
        assert_no_file_contents(&report);
    }
    let (diagnostics, report) = compile_pdf(page("data-bomb.svg").as_bytes(), &Options::default());
    assert!(codes(&diagnostics).contains(&"image-unavailable"));
    assert!(pdf::squash(&report.text).contains("after"));
}

#[test]
fn a_50_mb_page_is_too_large() {
    let mut page = b"<p>".to_vec();
    page.resize(50 << 20, b'a');
    let (_dir, path) = temp_file("50mb.xhtml", &page);
    let output = folio(&["compile", path.to_str().unwrap(), "-o", "-"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("max_input_bytes"),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn invalid_utf8_is_an_error_with_line_and_column() {
    let (_dir, path) = temp_file("latin1.xhtml", b"<p>ok</p>\n<p>caf\xe9 au lait</p>\n");
    let output = folio(&[
        "compile",
        path.to_str().unwrap(),
        "-o",
        "-",
        "--diagnostic-format",
        "short",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("latin1.xhtml:2:7"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn nul_and_control_characters_are_dropped_with_a_warning() {
    let source = std::fs::read(hostile("control-chars.xhtml")).unwrap();
    let (diagnostics, report) = compile_pdf(&source, &Options::default());
    assert!(codes(&diagnostics).contains(&"control-character"));
    let text = pdf::squash(&report.text);
    assert!(text.contains("nul[]") && text.contains("one[]"), "{text}");
    assert!(!text.contains('\0'));
}

/// Typst gives each combining mark it stacks on a letter a text item holding the whole
/// cluster's text: a letter with 20,000 marks in a table cell took 3 GB, 40,000 more memory
/// than the machine had. Marks past the 30 of Unicode's stream-safe format are removed.
#[test]
fn a_letter_with_forty_thousand_combining_marks_in_a_cell_typesets() {
    let source = format!(
        "<table><tbody><tr><td><p>zalgo{}</p></td><td><p>beside it</p></td></tr></tbody></table>\
         <p>after it</p>",
        "\u{301}\u{316}".repeat(20_000)
    );
    let mut compiled = compile_document(source.as_bytes(), &Options::default()).unwrap();
    assert!(codes(&compiled.diagnostics).contains(&"combining-marks"));
    let mut marks = 0;
    walk_blocks_mut(&mut compiled.document.blocks, &mut |blocks: &mut Vec<
        Block,
    >| {
        for block in blocks.iter() {
            if let Block::Paragraph { content, .. } = block {
                marks += folio::ir::plain_text(content)
                    .chars()
                    .filter(|&c| c == '\u{301}' || c == '\u{316}')
                    .count();
            }
        }
    });
    assert_eq!(marks, 30);
    let rendered = compiler().render_pdf(&compiled).unwrap();
    let text = pdf::squash(&pdf::read_pdf(&rendered.bytes).text);
    assert_all_in(&text, &["zalg", "beside it", "after it"]);
}

#[test]
fn cdata_and_end_markers_in_text_stay_text() {
    let source = std::fs::read(hostile("cdata-tricks.xhtml")).unwrap();
    let (_, report) = compile_pdf(&source, &Options::default());
    let text = pdf::squash(&report.text);
    for expected in [
        "<strong>not bold</strong> &amp; not an entity",
        "text with ]]> in it",
        "a ]]> b <![CDATA[ c",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
}

#[test]
fn ten_thousand_macros_expand_and_typeset() {
    let status = "<ac:structured-macro ac:name=\"status\"><ac:parameter ac:name=\"title\">ok</ac:parameter></ac:structured-macro>";
    let page = format!("<p>{}</p>", status.repeat(10_000));
    let (diagnostics, report) = compile_pdf(page.as_bytes(), &Options::default());
    assert!(diagnostics.is_empty(), "{:?}", codes(&diagnostics));
    assert_eq!(report.text.matches("OK").count(), 10_000);

    let unknown = "<ac:structured-macro ac:name=\"no-such-macro\"><ac:rich-text-body><p>kept</p></ac:rich-text-body></ac:structured-macro>";
    let compiled =
        compile_document(unknown.repeat(10_000).as_bytes(), &Options::default()).unwrap();
    assert_eq!(compiled.document.blocks.len(), 10_000);
}

#[test]
fn include_cycles_and_fan_out_are_cut() {
    let output = folio(&[
        "compile",
        "fixtures/hostile/include-cycles.xhtml",
        "--site",
        "fixtures/hostile/site/site.json",
        "-o",
        "-",
        "--diagnostic-format",
        "short",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let message = stderr(&output);
    for code in ["include-cycle", "too-many-includes"] {
        assert!(message.contains(code), "{code}");
    }
    assert!(output.stdout.starts_with(b"%PDF-"));
}

#[test]
fn lists_and_tables_deeper_than_typst_allows_are_flattened() {
    let lists = format!("{}deep{}", "<ul><li>".repeat(120), "</li></ul>".repeat(120));
    let tables = format!(
        "{}deep{}",
        "<table><tbody><tr><td>".repeat(60),
        "</td></tr></tbody></table>".repeat(60)
    );
    let task =
        "<ac:task-list><ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>task";
    let tasks = format!(
        "{}deep{}",
        task.repeat(30),
        "</ac:task-body></ac:task></ac:task-list>".repeat(30)
    );
    for page in [lists, tables, tasks] {
        let (diagnostics, report) = compile_pdf(page.as_bytes(), &Options::default());
        assert!(codes(&diagnostics).contains(&"nesting-too-deep"));
        assert!(pdf::squash(&report.text).contains("deep"));
    }
}

/// Each table a cell's table is nested in lays it out several times over to measure it: this
/// chain of two-cell tables eight deep ran for minutes, and one of one-word cells nine deep took
/// 33 s and 6.7 GB. Past three tables deep they are flattened, every word kept.
#[test]
fn tables_nested_in_tables_are_flattened_past_three_deep() {
    let prose: Vec<String> = (0..200).map(|i| format!("word{i}")).collect();
    let mut page = format!("<p>{}</p>", prose.join(" "));
    for level in 0..8 {
        page = format!(
            "<table><tbody><tr><td>{page}</td><td><p>level {level} beside it</p></td></tr></tbody></table>"
        );
    }
    let (diagnostics, report) = compile_pdf(page.as_bytes(), &Options::default());
    assert!(codes(&diagnostics).contains(&"nesting-too-deep"));
    let text = pdf::squash(&report.text);
    for word in prose
        .iter()
        .map(String::as_str)
        .chain(["level 0 beside", "level 7 beside"])
    {
        assert!(text.contains(word), "{word}");
    }
}

/// Measuring a table cell lays out what it holds at its natural width, where a panel's icon
/// and body, a task's check box and body, and side-by-side columns, were grids of auto columns,
/// which Typst lays out twice (measured, then placed): twice again at each level. Panels twelve
/// deep in a cell took 35 s and 12 GB, thirteen deep 24 GB. Measured at their widest, panels
/// and tasks still doubled: this test took 30 s and 12.5 GB (a task list ten deep, 1.9 s and
/// 1.3 GB a cell), now under a second.
#[test]
fn panels_columns_and_tasks_nested_in_table_cells_typeset_with_their_text() {
    let panel = |inner: String, level: usize| {
        format!(
            r#"<ac:structured-macro ac:name="info"><ac:rich-text-body>{inner}<p>panel {level} words</p></ac:rich-text-body></ac:structured-macro>"#
        )
    };
    let columns = |inner: String, level: usize| {
        format!(
            r#"<ac:structured-macro ac:name="section"><ac:rich-text-body><ac:structured-macro ac:name="column"><ac:rich-text-body>{inner}</ac:rich-text-body></ac:structured-macro><ac:structured-macro ac:name="column"><ac:rich-text-body><p>column {level} words</p></ac:rich-text-body></ac:structured-macro></ac:rich-text-body></ac:structured-macro>"#
        )
    };
    let task = |inner: String, level: usize| {
        format!(
            "<ac:task-list><ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>task {level} words{inner}</ac:task-body></ac:task></ac:task-list>"
        )
    };
    for (nest, name, levels) in [
        (&panel as &dyn Fn(String, usize) -> String, "panel", 12),
        (&columns, "column", 12),
        (&task, "task", 10),
    ] {
        // Each row its own, so that no row's layout is memoised for the next.
        let rows: String = (0..8)
            .map(|row| {
                let mut content = format!("<p>innermost {row}</p>");
                for level in 0..levels {
                    content = nest(content, level);
                }
                format!("<tr><td>{content}</td><td><p>beside {row}</p></td></tr>")
            })
            .collect();
        let page = format!("<table><tbody>{rows}</tbody></table>");
        let (_, report) = compile_pdf(page.as_bytes(), &Options::default());
        // The innermost columns are so narrow that words break between any two letters.
        let text: String = report.text.split_whitespace().collect();
        for level in 0..levels {
            assert_eq!(
                text.matches(&format!("{name}{level}words")).count(),
                8,
                "{name} {level}"
            );
        }
        for row in 0..8 {
            assert!(
                text.contains(&format!("innermost{row}")) && text.contains(&format!("beside{row}")),
                "{name} row {row}: {text}"
            );
        }
    }
}

/// Each table of contents lists every heading: 200 `toc` macros over 100 headings (10 KB) took
/// 21 s and 1.9 GB. Past `max_tocs` they are left out, once reported; the headings stay.
#[test]
fn tables_of_contents_past_max_tocs_are_left_out() {
    let headings: String = (0..40)
        .map(|i| format!("<h2>Heading {i}</h2><p>text {i}</p>"))
        .collect();
    let page = format!(
        "{}{headings}",
        r#"<ac:structured-macro ac:name="toc"/>"#.repeat(60)
    );
    let (diagnostics, report) = compile_pdf(page.as_bytes(), &Options::default());
    let codes = codes(&diagnostics);
    assert_eq!(
        codes.iter().filter(|&&c| c == "too-many-tocs").count(),
        1,
        "{codes:?}"
    );
    let text = pdf::squash(&report.text);
    assert!(text.contains("Heading 0") && text.contains("Heading 39"));
    // Twenty tables of contents, then the headings themselves.
    assert_eq!(text.matches("Heading 39").count(), 21);
}

#[test]
fn huge_code_blocks_keep_every_line_and_their_numbers() {
    let code: String = (1..=3000).map(|n| format!("let v{n} = {n};\n")).collect();
    let page = format!(
        "<ac:structured-macro ac:name=\"code\"><ac:parameter ac:name=\"language\">js</ac:parameter><ac:parameter ac:name=\"linenumbers\">true</ac:parameter><ac:plain-text-body><![CDATA[{code}]]></ac:plain-text-body></ac:structured-macro>"
    );
    let (_, report) = compile_pdf(page.as_bytes(), &Options::default());
    let text = pdf::squash(&report.text);
    let tokens: Vec<&str> = text.split(' ').collect();
    // Lines on both sides of where the theme once cut code into blocks of 250 lines. Each number
    // appears twice, as the line number and as the value; numbering restarted at each cut would
    // repeat the small ones.
    for n in [250, 251, 500, 501, 2999] {
        assert!(text.contains(&format!("let v{n} = {n}")), "line {n}");
        let number = n.to_string();
        assert_eq!(
            tokens.iter().filter(|t| **t == number).count(),
            2,
            "number {n}"
        );
    }
}

/// A base64 string pasted into a table cell is a run with a break opportunity every few
/// characters, each a piece of the cell's paragraph, which the lowering did not cut as it cuts
/// the page's paragraphs, and each break box was located one by one while the table was
/// measured: 100,000 characters took a minute, 200,000 more than two. So did a long `code`
/// span in a paragraph (260 KB, 14 s), which the cutting went around.
#[test]
fn a_100_kb_base64_string_in_a_cell_and_a_long_code_span_keep_their_text() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let blob: String = (0..100_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                    [(state % 64) as usize],
            )
        })
        .collect();
    let json: String = (0..2_500)
        .map(|i| format!(r#"{{"id":{i},"name":"item-{i}","v":0.{i}}},"#))
        .collect();
    // Two documents: each has its own budget of break boxes (past it, break opportunities are
    // U+200Bs, which a PDF's text keeps).
    let text_of = |source: String| {
        let (_, report) = compile_pdf(source.as_bytes(), &Options::default());
        without_page_numbers(&report)
            .split_whitespace()
            .collect::<String>()
    };
    let text = text_of(format!(
        "<table><tbody><tr><td>{blob}</td></tr></tbody></table>"
    ));
    assert!(
        text.contains(&blob),
        "the base64 string is not whole in the PDF"
    );
    let text = text_of(format!("<p>inline <code>{json}</code> end</p>"));
    assert!(
        text.contains(&format!("inline{json}end")),
        "the code span is not whole in the PDF"
    );
}

#[test]
fn a_word_of_100_kb_keeps_every_character() {
    let page = format!(
        "<p>{}</p><p>{}</p>",
        "a".repeat(100_000),
        "b/".repeat(5_000)
    );
    let (_, report) = compile_pdf(page.as_bytes(), &Options::default());
    assert_eq!(report.text.matches('a').count(), 100_000);
    assert_eq!(report.text.matches("b/").count(), 5_000);
}

#[test]
fn typst_syntax_in_text_is_printed_not_run() {
    let source = std::fs::read(hostile("typst-syntax.xhtml")).unwrap();
    let (_, report) = compile_pdf(&source, &Options::default());
    let text = pdf::squash(&report.text);
    for literal in [
        "#read(\"/etc/passwd\")",
        "#import \"/theme.typ\": *",
        "#sys.inputs",
        "#{ panic(\"x\") }",
        "$ x^2 $",
        "#plugin(\"x.wasm\")",
    ] {
        assert!(text.contains(literal), "{literal} in {text}");
    }
    assert_no_file_contents(&report);
}

#[test]
fn javascript_file_and_data_links_are_not_clickable() {
    let source = std::fs::read(hostile("dangerous-links.xhtml")).unwrap();
    let (_, report) = compile_pdf(&source, &Options::default());
    for uri in &report.uris {
        let scheme = uri.trim().split(':').next().unwrap().to_ascii_lowercase();
        assert!(
            matches!(scheme.as_str(), "http" | "https" | "mailto" | "ftp"),
            "{uri} is clickable"
        );
    }
    assert!(report.uris.iter().any(|u| u == "https://example.com/safe"));
    let text = pdf::squash(&report.text);
    assert!(
        text.contains("mixed case") && text.contains("ri url"),
        "{text}"
    );
}

#[test]
fn the_cli_runs_every_well_formed_fixture_with_exit_0() {
    let attachments = hostile("attachments");
    for page in common::fixtures("hostile", "xhtml") {
        if page.with_extension("expected").exists() {
            continue;
        }
        let output = folio(&[
            "compile",
            page.to_str().unwrap(),
            "--attachments",
            attachments.to_str().unwrap(),
            "-o",
            "-",
            "-q",
        ]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}: {}",
            page.display(),
            stderr(&output)
        );
        assert!(output.stdout.starts_with(b"%PDF-"));
    }
}

mod properties {
    //! Generated pages: well-formed storage with every construct the reader maps, and
    //! near-storage noise. What the reader accepts must compile; text must reach the PDF.

    use super::*;
    use proptest::prelude::*;

    /// A word the PDF's text layer keeps as it is: lowercase letters, no hyphenation points that
    /// matter at these lengths.
    fn word() -> impl Strategy<Value = String> {
        "[a-z]{3,8}"
    }

    /// Text with words and the characters Typst and XML treat specially.
    fn text() -> impl Strategy<Value = (String, Vec<String>)> {
        let piece = prop_oneof![
            3 => word().prop_map(|w| (w.clone(), vec![w])),
            1 => prop::sample::select(vec![
                "#", "$", "*", "_", "`", "@", "&lt;", "&gt;", "&amp;", "\\", "[", "]", "{", "}",
                "//", "/*", "=", "-", "+", "~", "&quot;", "'", "&nbsp;", "é", "한", "🙂",
            ])
            .prop_map(|s| (s.to_owned(), vec![])),
        ];
        prop::collection::vec(piece, 1..6).prop_map(|pieces| {
            let text = pieces
                .iter()
                .map(|(t, _)| t.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let words = pieces.into_iter().flat_map(|(_, w)| w).collect();
            (text, words)
        })
    }

    fn inline() -> impl Strategy<Value = (String, Vec<String>)> {
        let leaf = text();
        leaf.prop_recursive(3, 12, 3, |inner| {
            (
                prop::sample::select(vec!["strong", "em", "u", "s", "sub", "sup", "code", "span"]),
                prop::collection::vec(inner, 1..3),
            )
                .prop_map(|(tag, children)| {
                    let (inner, words): (Vec<String>, Vec<Vec<String>>) =
                        children.into_iter().unzip();
                    (
                        format!("<{tag}>{}</{tag}>", inner.join(" ")),
                        words.concat(),
                    )
                })
        })
    }

    fn block() -> impl Strategy<Value = (String, Vec<String>)> {
        let paragraph = inline().prop_map(|(t, w)| (format!("<p>{t}</p>"), w));
        paragraph.prop_recursive(3, 24, 4, |inner| {
            let blocks = prop::collection::vec(inner.clone(), 1..3).prop_map(|children| {
                let (markup, words): (Vec<String>, Vec<Vec<String>>) = children.into_iter().unzip();
                (markup.concat(), words.concat())
            });
            let span = prop_oneof![Just("1"), Just("2"), Just("0"), Just("-3"), Just("2147483647"), Just("x")];
            prop_oneof![
                (1u8..=6, inline()).prop_map(|(level, (t, w))| (format!("<h{level}>{t}</h{level}>"), w)),
                blocks.clone().prop_map(|(m, w)| (format!("<ul><li>{m}</li></ul>"), w)),
                blocks.clone().prop_map(|(m, w)| (format!("<ol><li>{m}</li><li>x</li></ol>"), w)),
                blocks.clone().prop_map(|(m, w)| (format!("<blockquote>{m}</blockquote>"), w)),
                (blocks.clone(), span.clone(), span).prop_map(|((m, w), c, r)| (
                    format!("<table><tbody><tr><th>h</th><td colspan=\"{c}\" rowspan=\"{r}\">{m}</td></tr><tr><td>a</td></tr></tbody></table>"),
                    w
                )),
                (prop::sample::select(vec!["info", "note", "warning", "expand", "panel", "no-such-macro"]), blocks.clone())
                    .prop_map(|(name, (m, w))| (
                        format!("<ac:structured-macro ac:name=\"{name}\"><ac:parameter ac:name=\"title\">t</ac:parameter><ac:rich-text-body>{m}</ac:rich-text-body></ac:structured-macro>"),
                        w
                    )),
                word().prop_map(|w| (
                    format!("<ac:structured-macro ac:name=\"code\"><ac:parameter ac:name=\"language\">python</ac:parameter><ac:plain-text-body><![CDATA[{w} = \"]]]]><![CDATA[>\"]]></ac:plain-text-body></ac:structured-macro>"),
                    vec![w]
                )),
                Just((
                    "<ac:image ac:width=\"-3\"><ri:attachment ri:filename=\"tiny.png\" /></ac:image><ac:image><ri:attachment ri:filename=\"bomb.png\" /></ac:image>".to_owned(),
                    vec![]
                )),
            ]
        })
    }

    fn page() -> impl Strategy<Value = (String, Vec<String>)> {
        prop::collection::vec(block(), 1..5).prop_map(|blocks| {
            let (markup, words): (Vec<String>, Vec<Vec<String>>) = blocks.into_iter().unzip();
            (markup.concat(), words.concat())
        })
    }

    /// Storage-like noise: tags, macros, entities and CDATA in any order, mostly malformed.
    fn noise() -> impl Strategy<Value = String> {
        let token = prop::sample::select(vec![
            "<p>",
            "</p>",
            "<table>",
            "<tr>",
            "<td colspan=\"9\">",
            "</td>",
            "</tr>",
            "</table>",
            "<ul>",
            "<li>",
            "</li>",
            "</ul>",
            "<ac:structured-macro ac:name=\"code\">",
            "<ac:structured-macro ac:name=\"include\">",
            "</ac:structured-macro>",
            "<ac:rich-text-body>",
            "</ac:rich-text-body>",
            "<ac:plain-text-body><![CDATA[",
            "]]>",
            "</ac:plain-text-body>",
            "<ac:parameter ac:name=\"\">Home</ac:parameter>",
            "&amp;",
            "&nbsp;",
            "&#0;",
            "&x;",
            "<br/>",
            "text",
            "#read(\"/etc/passwd\")",
            "$",
            "\u{0}",
            "\u{202e}",
            "<!-- c -->",
            "<![CDATA[x]]>",
            "<ac:image><ri:attachment ri:filename=\"tiny.png\"/></ac:image>",
        ]);
        prop::collection::vec(token, 0..40).prop_map(|tokens| tokens.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Every word of a well-formed generated page reaches the PDF's text layer.
        #[test]
        fn every_text_word_reaches_the_pdf((page, words) in page()) {
            let (_, report) = compile_pdf(page.as_bytes(), &Options::default());
            let text = pdf::squash(&report.text);
            for word in &words {
                prop_assert!(text.contains(word.as_str()), "{word} missing from {text}\n{page}");
            }
        }

        /// Whatever the reader accepts compiles, through typesetting, without a panic or an
        /// error; what it refuses is refused with a position inside the input.
        #[test]
        fn what_the_reader_accepts_compiles(source in noise()) {
            match compile_document(source.as_bytes(), &Options::default()) {
                Ok(compiled) => {
                    let pdf = compiler().render_pdf(&compiled);
                    prop_assert!(pdf.is_ok(), "{source}: {:?}", pdf.err());
                }
                Err((error, at)) => {
                    prop_assert!(!at.is_empty() || !matches!(error, CompileError::Read(_)), "{error}");
                }
            }
        }
    }
}
