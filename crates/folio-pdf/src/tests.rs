//! Tests that need the crate's insides: the sandbox, and text read back from laid-out frames.

use std::sync::LazyLock;

use folio_ir::{Attr, Block, Inline, Span};
use proptest::prelude::*;
use typst::layout::{Frame, FrameItem};

use super::*;

/// One engine for all tests, without system fonts (output is the same on every machine).
static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    Engine::new(&EngineOptions {
        system_fonts: false,
    })
});

fn paragraph(text: &str) -> Document {
    Document {
        title: None,
        blocks: vec![Block::Paragraph {
            attr: Attr::default(),
            content: vec![Inline::text(text)],
            span: Span::DETACHED,
        }],
    }
}

/// Compiles raw Typst markup as the main file of the sandbox.
fn compile_markup(markup: &str) -> Result<PagedDocument, String> {
    let world = SandboxWorld::new(
        &ENGINE.library,
        &ENGINE.fonts,
        &ENGINE.theme,
        markup.to_owned(),
        Vec::new(),
        today(&RenderOptions::default()),
    );
    typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| {
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        })
}

/// The text of all pages, in frame order (visual order within a line).
///
/// Zero-width text items are skipped: Typst may split a grapheme cluster so that an item of
/// just its combining marks repeats the cluster's text.
fn frame_text(document: &PagedDocument) -> String {
    fn walk(frame: &Frame, out: &mut String) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Group(group) => walk(&group.frame, out),
                FrameItem::Text(text) if !text.width().approx_empty() => out.push_str(&text.text),
                FrameItem::Text(_)
                | FrameItem::Shape(..)
                | FrameItem::Image(..)
                | FrameItem::Link(..)
                | FrameItem::Tag(_) => {}
            }
        }
    }
    let mut out = String::new();
    for page in document.pages() {
        walk(&page.frame, &mut out);
    }
    out
}

/// Text as a reader sees it: what the lowering turns into spaces is a space, then all
/// whitespace removed (line breaking and collapsing move it around), and so are invisible
/// formatting characters and combining marks (Typst drops a paragraph made only of the former
/// and may lay the latter out apart from their base).
/// Characters no font of the engine has are left out too: Typst may drop them.
fn comparable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .filter(|&c| !c.is_whitespace() && !is_invisible(c) && !is_combining(c) && has_glyph(c))
        .collect()
}

/// Whether a font of the test engine has a glyph for `c`.
fn has_glyph(c: char) -> bool {
    let book = ENGINE.fonts.book();
    (0..)
        .map_while(|i| book.info(i))
        .any(|info| info.coverage.contains(c as u32))
}

/// Default-ignorable code points (zero-width spaces and joiners, soft hyphen, bidi controls,
/// variation selectors, tags…).
/// (The lowering drops bidi embeddings, overrides and isolates.)
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}'
        | '\u{ffa0}' | '\u{fff0}'..='\u{fff8}' | '\u{1bca0}'..='\u{1bca3}'
        | '\u{1d173}'..='\u{1d17a}' | '\u{e0000}'..='\u{e0fff}')
}

/// The combining-mark blocks.
fn is_combining(c: char) -> bool {
    matches!(c,
        '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}'
        | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

/// Whether `text` holds characters of right-to-left or complex scripts, whose runs Typst lays
/// out in visual order or reshapes.
fn has_complex_script(text: &str) -> bool {
    text.chars().any(|c| (c as u32) >= 0x590)
}

/// Typesets `text` as a paragraph and returns the page text, without the page number.
fn typeset_text(text: &str) -> String {
    let (paged, _, markup) = ENGINE
        .typeset(
            &paragraph(text),
            &Attachments::new(),
            &RenderOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(paged.pages().len(), 1, "{markup}");
    let all = frame_text(&paged);
    // The footer "1 / 1" comes last.
    all.strip_suffix("1 / 1").map(str::to_owned).unwrap_or(all)
}

/// Asserts that `text`, typeset as a paragraph, shows as exactly `text`: the same characters,
/// and the same ASCII characters in the same order (all of them, when no right-to-left or
/// complex script can reorder runs). Page text turned into code would lose or add characters.
fn assert_renders_literally(text: &str) {
    let shown = typeset_text(text);
    let (expected, shown) = (comparable(text), comparable(&shown));
    let sorted = |s: &str| {
        let mut v: Vec<char> = s.chars().collect();
        v.sort_unstable();
        v
    };
    assert_eq!(
        sorted(&shown),
        sorted(&expected),
        "{shown:?} vs {expected:?}"
    );
    if !has_complex_script(text) {
        assert_eq!(shown, expected);
    }
}

#[test]
fn issue_read_import_and_inputs_render_literally() {
    for text in [
        "#read(\"/etc/passwd\")",
        "#import \"@preview/cetz:0.3.0\": *",
        "#sys.inputs",
        "#include \"/theme.typ\"",
        "#image(\"/etc/passwd\")",
        "] #panic(\"x\") [",
        "*not bold* _not emph_ $x^2$ @ref <label> // comment /* block */ `raw`",
        "= not a heading\n- not a list\n+ not an enum\n1. not numbered\n/ not: a term",
        "https://example.com/autolink -- --- ... ~ -? -1 'single' \"double\"",
        "\\ \\u{41} \\#",
        "#let x = 1; #x",
    ] {
        assert_renders_literally(text);
    }
}

#[test]
fn issue_text_in_every_inline_wrapper_renders_literally() {
    let nasty = "#read(\"/etc/passwd\") ]* [_ $ @x <y> //";
    let t = || vec![Inline::text(nasty)];
    let document = Document {
        title: Some(nasty.into()),
        blocks: vec![Block::Paragraph {
            attr: Attr::default(),
            content: vec![
                Inline::Strong { content: t() },
                Inline::Code { content: t() },
                Inline::Link {
                    target: folio_ir::LinkTarget::Url {
                        url: format!("https://x.org/{nasty}"),
                    },
                    content: t(),
                },
                Inline::Status {
                    title: nasty.into(),
                    colour: folio_ir::StatusColour::Red,
                    subtle: false,
                },
                Inline::Mention {
                    user: folio_ir::UserRef::Username(nasty.into()),
                    name: None,
                },
            ],
            span: Span::DETACHED,
        }],
    };
    let (paged, _, _) = ENGINE
        .typeset(&document, &Attachments::new(), &RenderOptions::default())
        .unwrap();
    let text = comparable(&frame_text(&paged));
    let n = comparable(nasty);
    // Title, strong, code, link, mention (after its "@"); the status is upper-cased.
    assert_eq!(text.matches(&n).count(), 5, "{text}");
    assert!(text.contains(&n.to_uppercase()), "{text}");
    assert!(text.contains(&format!("@{n}")), "{text}");
}

#[test]
fn issue_sys_inputs_are_empty() {
    let paged = compile_markup("#sys.inputs.len()").unwrap();
    assert_eq!(frame_text(&paged), "0");
}

#[test]
fn issue_packages_are_not_available() {
    let error = compile_markup("#import \"@preview/cetz:0.3.0\": *").unwrap_err();
    assert!(error.contains("packages are not available"), "{error}");
}

#[test]
fn issue_files_outside_the_sandbox_are_not_found() {
    for markup in [
        "#read(\"/etc/passwd\")",
        "#read(\"../../../../etc/passwd\")",
        "#image(\"/etc/hostname\")",
    ] {
        let error = compile_markup(markup).unwrap_err();
        assert!(
            error.contains("not found") || error.contains("escape"),
            "{markup}: {error}"
        );
    }
    // The theme itself is readable, as Typst source.
    assert!(compile_markup("#read(\"/theme.typ\").len()").is_ok());
}

#[test]
fn issue_today_is_fixed_by_options() {
    let paged = compile_markup("#datetime.today().display()").unwrap();
    assert_eq!(frame_text(&paged), "1970-01-01");
}

#[test]
fn issue_heading_anchors_do_not_duplicate_labels_in_the_toc() {
    use folio_ir::{LinkTarget, Toc};
    let document = Document {
        title: None,
        blocks: vec![
            Block::Toc(Toc {
                min_level: 1,
                max_level: 6,
                numbered: true,
                flat: false,
                separator: None,
                span: Span::DETACHED,
            }),
            Block::Toc(Toc {
                min_level: 1,
                max_level: 6,
                numbered: false,
                flat: true,
                separator: Some("pipe".into()),
                span: Span::DETACHED,
            }),
            Block::Toc(Toc {
                min_level: 2,
                max_level: 3,
                numbered: false,
                flat: false,
                separator: None,
                span: Span::DETACHED,
            }),
            Block::Heading {
                level: 1,
                attr: Attr {
                    id: Some("h".into()),
                    ..Attr::default()
                },
                content: vec![
                    Inline::Anchor {
                        id: "in-heading".into(),
                    },
                    Inline::Strong {
                        content: vec![
                            Inline::Anchor {
                                id: "deeper".into(),
                            },
                            Inline::text("Title"),
                        ],
                    },
                    Inline::Link {
                        target: LinkTarget::Url {
                            url: "https://x.org".into(),
                        },
                        content: vec![Inline::text("link")],
                    },
                ],
                span: Span::DETACHED,
            },
            Block::Paragraph {
                attr: Attr::default(),
                content: vec![
                    Inline::Link {
                        target: LinkTarget::Anchor {
                            page: None,
                            anchor: "in-heading".into(),
                        },
                        content: vec![],
                    },
                    Inline::Link {
                        target: LinkTarget::Anchor {
                            page: None,
                            anchor: "deeper".into(),
                        },
                        content: vec![],
                    },
                    Inline::Link {
                        target: LinkTarget::Anchor {
                            page: None,
                            anchor: "h".into(),
                        },
                        content: vec![],
                    },
                    // Duplicate anchors: only the first becomes a label.
                    Inline::Anchor { id: "h".into() },
                    Inline::Anchor {
                        id: "deeper".into(),
                    },
                ],
                span: Span::DETACHED,
            },
        ],
    };
    ENGINE
        .typeset(&document, &Attachments::new(), &RenderOptions::default())
        .unwrap();
}

#[test]
fn issue_odd_lists_compile() {
    use folio_ir::{List, ListItem};
    let list = |ordered, start, items: Vec<Vec<Block>>| {
        Block::List(List {
            ordered,
            start,
            items: items
                .into_iter()
                .map(|blocks| ListItem { blocks })
                .collect(),
            span: Span::DETACHED,
        })
    };
    let p = |s: &str| Block::Paragraph {
        attr: Attr::default(),
        content: vec![Inline::text(s)],
        span: Span::DETACHED,
    };
    let document = Document {
        title: None,
        blocks: vec![
            list(true, 0, vec![vec![p("zero")], vec![]]),
            list(
                false,
                1,
                vec![vec![list(
                    false,
                    1,
                    vec![vec![p("nested first")], vec![p("second")]],
                )]],
            ),
            list(
                false,
                1,
                vec![vec![
                    Block::Rule {
                        span: Span::DETACHED,
                    },
                    p("after rule"),
                ]],
            ),
            list(false, 1, vec![vec![p("  leading spaces"), p("   more")]]),
            p("   paragraph after a list, with leading spaces"),
        ],
    };
    let (paged, _, markup) = ENGINE
        .typeset(&document, &Attachments::new(), &RenderOptions::default())
        .unwrap();
    let text = frame_text(&paged);
    assert!(
        text.contains("paragraphafteralist") || comparable(&text).contains("paragraphafteralist"),
        "{markup}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever the text, a paragraph holding it typesets, and shows exactly that text.
    #[test]
    fn issue_arbitrary_text_is_never_code(text in text_strategy()) {
        assert_renders_literally(&text);
    }
}

/// Strings biased toward what Typst markup gives meaning to.
fn text_strategy() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        "#",
        "[",
        "]",
        "*",
        "_",
        "$",
        "@",
        "<",
        ">",
        "\\",
        "/",
        "//",
        "/*",
        "*/",
        "\"",
        "'",
        "=",
        "-",
        "+",
        "1.",
        "~",
        "--",
        "...",
        "https://",
        "http://x",
        "`",
        "```",
        ":",
        "(",
        ")",
        "{",
        "}",
        ";",
        ",",
        "\n",
        "\n\n",
        "\t",
        "\r",
        " ",
        "\u{2028}",
        "\u{85}",
        "\\u{41}",
        "#read(",
        "#import",
        "#sys.inputs",
        "<label>",
        "@ref",
        "= ",
        "- ",
        "+ ",
        "/ t: ",
        "a",
        "Z",
        "0",
        "한",
        "é",
        "\u{301}",
        "\u{200b}",
        "\u{a0}",
        "🎉",
    ]);
    let piece = prop_oneof![
        3 => special.prop_map(str::to_owned),
        1 => any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

#[test]
fn issue_bidi_overrides_around_marks_do_not_panic() {
    // Tripped a debug assertion in Typst's shaping ("glyphs fell out of range").
    assert_renders_literally("\u{202e}https://\u{86b}\u{301}\u{202a}");
}

/// Typesets `/tmp/folio-exp.typ` (main markup) to `/tmp/folio-exp.pdf`, for experiments.
#[test]
#[ignore]
fn debug_markup() {
    let markup = std::fs::read_to_string("/tmp/folio-exp.typ").unwrap();
    let paged = compile_markup(&markup).unwrap_or_else(|e| panic!("{e}"));
    let pdf = typst_pdf::pdf(&paged, &PdfOptions::default()).unwrap();
    std::fs::write("/tmp/folio-exp.pdf", pdf).unwrap();
}

#[test]
#[ignore]
fn debug_depth() {
    let depth: usize = std::env::var("FOLIO_DEPTH").unwrap().parse().unwrap();
    let kind = std::env::var("FOLIO_KIND").unwrap();
    let mut block = Block::Paragraph {
        attr: Attr::default(),
        content: vec![Inline::text("deep")],
        span: Span::DETACHED,
    };
    for _ in 0..depth {
        block = match kind.as_str() {
            "quote" => Block::Quote {
                blocks: vec![block],
                span: Span::DETACHED,
            },
            "list" => Block::List(folio_ir::List {
                ordered: false,
                start: 1,
                items: vec![folio_ir::ListItem {
                    blocks: vec![block],
                }],
                span: Span::DETACHED,
            }),
            "panel" => Block::Panel(folio_ir::Panel::new(
                folio_ir::PanelKind::Info,
                vec![block],
                Span::DETACHED,
            )),
            "table" => Block::Table(folio_ir::Table {
                columns: vec![],
                rows: vec![folio_ir::Row {
                    cells: vec![folio_ir::Cell {
                        blocks: vec![block],
                        ..folio_ir::Cell::empty()
                    }],
                    in_head: false,
                }],
                header_rows: 0,
                width: None,
                numbered: false,
                span: Span::DETACHED,
            }),
            _ => panic!(),
        };
    }
    let t = std::time::Instant::now();
    let r = ENGINE.typeset(
        &Document {
            title: None,
            blocks: vec![block],
        },
        &Attachments::new(),
        &RenderOptions::default(),
    );
    eprintln!("{:?} {:?}", r.map(|r| r.0.pages().len()), t.elapsed());
}
