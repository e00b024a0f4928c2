//! Test documents and helpers shared by the integration tests and the `showcase` example.

#![allow(dead_code)]

use folio_ir::*;

pub fn text(s: &str) -> Inline {
    Inline::text(s)
}

pub fn para(content: Vec<Inline>) -> Block {
    Block::Paragraph {
        attr: Attr::default(),
        content,
        span: Span::new(1, 2),
    }
}

pub fn p(s: &str) -> Block {
    para(vec![text(s)])
}

pub fn heading(level: u8, s: &str) -> Block {
    Block::Heading {
        level,
        attr: Attr::default(),
        content: vec![text(s)],
        span: Span::DETACHED,
    }
}

pub fn url_link(url: &str, label: &str) -> Inline {
    Inline::Link {
        target: LinkTarget::Url { url: url.into() },
        content: vec![text(label)],
    }
}

pub fn cell(header: bool, blocks: Vec<Block>) -> Cell {
    Cell {
        header,
        colspan: 1,
        rowspan: 1,
        align: None,
        background: None,
        blocks,
    }
}

pub fn image(filename: &str, width: Option<f32>) -> Image {
    Image {
        source: ImageSource::Attachment {
            filename: filename.into(),
            page: None,
        },
        alt: Some("a tiny test image".into()),
        width,
        height: None,
        intrinsic: None,
        align: Some(Align::Center),
        border: true,
        caption: vec![text("Figure 1: a red square")],
        missing: false,
        layout: folio_ir::ImageLayout::Normal,
        span: Span::DETACHED,
    }
}

/// A PNG of `w`×`h` pixels of one colour, encoded by hand (stored deflate blocks).
pub fn tiny_png(w: u32, h: u32, rgb: [u8; 3]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    // Each row: filter type 0 (none), then the pixels.
    let row: Vec<u8> = std::iter::once(0)
        .chain(rgb.iter().copied().cycle().take(3 * w as usize))
        .collect();
    let raw: Vec<u8> = row
        .iter()
        .copied()
        .cycle()
        .take(row.len() * h as usize)
        .collect();
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + byte as u32) % 65521;
        b = (b + a) % 65521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The attachments of [`showcase`].
pub fn showcase_attachments() -> Attachments {
    let mut attachments = Attachments::new();
    attachments.insert("red square.png", tiny_png(40, 40, [0xde, 0x35, 0x0b]));
    attachments.insert("not-an-image.png", b"this is text, not a PNG".to_vec());
    attachments
}

/// A document with every construct of the IR.
pub fn showcase() -> Document {
    let mut blocks = vec![Block::Toc(Toc {
        min_level: 1,
        max_level: 3,
        numbered: false,
        flat: false,
        separator: None,
        span: Span::DETACHED,
    })];
    blocks.push(Block::Heading {
        level: 1,
        attr: Attr {
            id: Some("intro".into()),
            ..Attr::default()
        },
        content: vec![text("Introduction")],
        span: Span::DETACHED,
    });
    blocks.push(para(vec![
        text("Plain text with "),
        Inline::Strong {
            content: vec![text("bold")],
        },
        text(", "),
        Inline::Emphasis {
            content: vec![text("italic")],
        },
        text(", "),
        Inline::Underline {
            content: vec![text("underlined")],
        },
        text(", "),
        Inline::Strike {
            content: vec![text("struck")],
        },
        text(", H"),
        Inline::Sub {
            content: vec![text("2")],
        },
        text("O, E=mc"),
        Inline::Sup {
            content: vec![text("2")],
        },
        text(", "),
        Inline::Code {
            content: vec![text("inline_code()")],
        },
        text(", "),
        Inline::Color {
            color: Color::rgb(0xde, 0x35, 0x0b),
            content: vec![text("red text")],
        },
        text(" and "),
        Inline::Highlight {
            color: Color::rgb(0xff, 0xf0, 0xb3),
            content: vec![text("highlighted")],
        },
        text("."),
        Inline::LineBreak,
        text("After a line break: a link to "),
        url_link(
            "https://www.atlassian.com/software/confluence",
            "Confluence",
        ),
        text(", a bare "),
        Inline::Link {
            target: LinkTarget::Url {
                url: "mailto:someone@example.com".into(),
            },
            content: vec![],
        },
        text(", a "),
        Inline::Link {
            target: LinkTarget::Url {
                url: "javascript:alert(1)".into(),
            },
            content: vec![text("javascript: link (not clickable)")],
        },
        text(", a page link to "),
        Inline::Link {
            target: LinkTarget::Page {
                page: PageRef {
                    title: "Other page".into(),
                    space: None,
                },
            },
            content: vec![],
        },
        text(" and a link to "),
        Inline::Link {
            target: LinkTarget::Anchor {
                page: None,
                anchor: "details".into(),
            },
            content: vec![text("the details anchor")],
        },
        text(", "),
        Inline::Link {
            target: LinkTarget::Anchor {
                page: None,
                anchor: "nowhere".into(),
            },
            content: vec![text("a missing anchor")],
        },
        text("."),
    ]));
    blocks.push(para(vec![
        text("Status: "),
        Inline::Status {
            title: "Done".into(),
            colour: StatusColour::Green,
            subtle: false,
        },
        text(" "),
        Inline::Status {
            title: "In progress".into(),
            colour: StatusColour::Blue,
            subtle: false,
        },
        text(" "),
        Inline::Status {
            title: "Blocked".into(),
            colour: StatusColour::Red,
            subtle: false,
        },
        text(" "),
        Inline::Status {
            title: "Review".into(),
            colour: StatusColour::Yellow,
            subtle: false,
        },
        text(" "),
        Inline::Status {
            title: "Idea".into(),
            colour: StatusColour::Purple,
            subtle: false,
        },
        text(" "),
        Inline::Status {
            title: "Todo".into(),
            colour: StatusColour::Grey,
            subtle: false,
        },
        text(" "),
        Inline::Status {
            title: "Subtle".into(),
            colour: StatusColour::Green,
            subtle: true,
        },
        text(". Mention: "),
        Inline::Mention {
            user: UserRef::AccountId("557058:abc".into()),
            name: Some("Jane Doe".into()),
        },
        text(", "),
        Inline::Mention {
            user: UserRef::Username("jdoe".into()),
            name: None,
        },
        text(". Date: "),
        Inline::Date {
            date: "2024-07-30".into(),
        },
        text(". Emoji: "),
        Inline::Emoji {
            name: ":smile:".into(),
            text: "🙂".into(),
        },
        text(" Inline image: "),
        Inline::Image(Box::new(Image {
            align: None,
            caption: vec![],
            ..image("red square.png", Some(16.0))
        })),
        text(" and an unexpanded "),
        Inline::Macro(Box::new(Macro {
            name: "jira".into(),
            params: Default::default(),
            body: MacroBody::Plain {
                text: "ABC-123".into(),
            },
            span: Span::DETACHED,
        })),
        text(" and "),
        Inline::Unsupported {
            name: "inline-comment".into(),
            content: vec![text("commented text")],
        },
        text("."),
    ]));
    blocks.push(Block::Heading {
        level: 2,
        attr: Attr::default(),
        content: vec![text("Lists")],
        span: Span::DETACHED,
    });
    blocks.push(Block::List(List {
        ordered: false,
        start: 1,
        items: vec![
            ListItem {
                blocks: vec![p("First bullet")],
            },
            ListItem {
                blocks: vec![
                    p("Second bullet with a nested numbered list"),
                    Block::List(List {
                        ordered: true,
                        start: 1,
                        items: vec![
                            ListItem {
                                blocks: vec![p("One")],
                            },
                            ListItem {
                                blocks: vec![
                                    p("Two"),
                                    Block::List(List {
                                        ordered: true,
                                        start: 1,
                                        items: vec![ListItem {
                                            blocks: vec![p("Two a")],
                                        }],
                                        span: Span::DETACHED,
                                    }),
                                ],
                            },
                        ],
                        span: Span::DETACHED,
                    }),
                ],
            },
            ListItem {
                blocks: vec![p("Third bullet"), p("with a second paragraph")],
            },
        ],
        span: Span::DETACHED,
    }));
    blocks.push(Block::List(List {
        ordered: true,
        start: 4,
        items: vec![
            ListItem {
                blocks: vec![p("Starts at four")],
            },
            ListItem {
                blocks: vec![p("Five")],
            },
        ],
        span: Span::DETACHED,
    }));
    blocks.push(Block::TaskList {
        items: vec![
            Task {
                done: true,
                content: vec![text("Write the writer")],
                children: vec![],
            },
            Task {
                done: false,
                content: vec![text("Review it")],
                children: vec![Task {
                    done: false,
                    content: vec![text("Nested task")],
                    children: vec![],
                }],
            },
        ],
        span: Span::DETACHED,
    });
    blocks.push(Block::Heading {
        level: 2,
        attr: Attr::default(),
        content: vec![text("Panels")],
        span: Span::DETACHED,
    });
    for (kind, title) in [
        (PanelKind::Info, Some("Info panel")),
        (PanelKind::Note, None),
        (PanelKind::Tip, Some("Tip")),
        (PanelKind::Warning, Some("Warning")),
        (PanelKind::Purple, None),
    ] {
        let mut panel = Panel::new(
            kind,
            vec![p(&format!("This is a {kind:?} panel."))],
            Span::DETACHED,
        );
        panel.title = title.map(Into::into);
        blocks.push(Block::Panel(panel));
    }
    let mut custom = Panel::new(
        PanelKind::Custom,
        vec![p("A custom panel from the panel macro.")],
        Span::DETACHED,
    );
    custom.title = Some("Custom panel".into());
    custom.background = Some(Color::rgb(0xf4, 0xf5, 0xf7));
    custom.border_color = Some(Color::rgb(0x6b, 0x77, 0x8c));
    custom.title_background = Some(Color::rgb(0x00, 0x52, 0xcc));
    custom.title_color = Some(Color::rgb(0xff, 0xff, 0xff));
    custom.dashed = true;
    blocks.push(Block::Panel(custom));
    blocks.push(Block::Heading {
        level: 2,
        attr: Attr::default(),
        content: vec![text("Code")],
        span: Span::DETACHED,
    });
    blocks.push(Block::Code(CodeBlock {
        language: Some("python".into()),
        title: Some("example.py".into()),
        line_numbers: true,
        first_line: 9,
        code: "def greet(name):\n    # a comment\n    return f\"Hello, {name}!\"  # a long line that must wrap because it is much longer than the width of the page allows for\n\nprint(greet(\"world\"))".into(),
        plain: false,
        span: Span::DETACHED,
    }));
    blocks.push(Block::Code(CodeBlock {
        language: None,
        title: None,
        line_numbers: false,
        first_line: 1,
        code: "noformat text\n  keeps   its spacing\nand a very long line without any spaces: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
        plain: true,
        span: Span::DETACHED,
    }));
    blocks.push(Block::Heading {
        level: 2,
        attr: Attr::default(),
        content: vec![text("Tables")],
        span: Span::DETACHED,
    });
    let mut rows = vec![Row {
        cells: vec![
            cell(true, vec![p("Category")]),
            cell(true, vec![p("Property")]),
            cell(true, vec![p("Description")]),
        ],
        in_head: true,
    }];
    rows.push(Row {
        cells: vec![
            Cell {
                rowspan: 2,
                ..cell(false, vec![p("Spans two rows")])
            },
            cell(
                false,
                vec![para(vec![Inline::Code {
                    content: vec![text("apiVersion")],
                }])],
            ),
            cell(
                false,
                vec![
                    p("The version."),
                    Block::List(List {
                        ordered: false,
                        start: 1,
                        items: vec![ListItem {
                            blocks: vec![p("a list in a cell")],
                        }],
                        span: Span::DETACHED,
                    }),
                ],
            ),
        ],
        in_head: false,
    });
    rows.push(Row {
        cells: vec![
            Cell {
                background: Some(Color::rgb(0xe3, 0xfc, 0xef)),
                ..cell(false, vec![p("green cell")])
            },
            Cell {
                align: Some(Align::Center),
                ..cell(false, vec![p("centred")])
            },
        ],
        in_head: false,
    });
    rows.push(Row {
        cells: vec![Cell {
            colspan: 3,
            ..cell(false, vec![p("A cell spanning three columns")])
        }],
        in_head: false,
    });
    rows.push(Row {
        cells: vec![cell(false, vec![p("ragged row")])],
        in_head: false,
    });
    blocks.push(Block::Table(Table {
        columns: vec![
            ColumnSpec {
                width: Some(Length::Px(111.0)),
            },
            ColumnSpec {
                width: Some(Length::Px(110.0)),
            },
            ColumnSpec {
                width: Some(Length::Px(255.0)),
            },
        ],
        rows,
        header_rows: 1,
        width: None,
        numbered: false,
        span: Span::DETACHED,
    }));
    blocks.push(Block::Heading {
        level: 2,
        attr: Attr::default(),
        content: vec![text("Images")],
        span: Span::DETACHED,
    });
    blocks.push(Block::Image(image("red square.png", Some(120.0))));
    blocks.push(Block::Image(Image {
        caption: vec![],
        ..image("missing.png", Some(120.0))
    }));
    blocks.push(Block::Image(Image {
        caption: vec![],
        ..image("not-an-image.png", None)
    }));
    blocks.push(Block::Image(Image {
        source: ImageSource::Url {
            url: "https://example.com/logo.png".into(),
        },
        caption: vec![],
        ..image("", None)
    }));
    blocks.push(Block::Heading {
        level: 2,
        attr: Attr::default(),
        content: vec![text("Layout")],
        span: Span::DETACHED,
    });
    blocks.push(Block::Columns(Columns {
        columns: vec![
            Column {
                width: Some(Length::Percent(33.0)),
                blocks: vec![p("Left column, one third.")],
            },
            Column {
                width: Some(Length::Percent(67.0)),
                blocks: vec![p(
                    "Right column, two thirds of the width, with more text to wrap.",
                )],
            },
        ],
        border: false,
        span: Span::DETACHED,
    }));
    blocks.push(Block::Quote {
        blocks: vec![p("A quotation, with a grey bar on its left.")],
        span: Span::DETACHED,
    });
    blocks.push(Block::Rule {
        span: Span::DETACHED,
    });
    blocks.push(Block::Expand {
        title: "Click to expand".into(),
        blocks: vec![p("The expanded body.")],
        span: Span::DETACHED,
    });
    blocks.push(Block::Div {
        attr: Attr {
            id: Some("details".into()),
            align: None,
            indent: 0,
        },
        blocks: vec![Block::Paragraph {
            attr: Attr {
                id: None,
                align: Some(Align::Center),
                indent: 0,
            },
            content: vec![text(
                "A centred paragraph in a div with the anchor \"details\".",
            )],
            span: Span::DETACHED,
        }],
        span: Span::DETACHED,
    });
    blocks.push(Block::Paragraph {
        attr: Attr {
            id: None,
            align: None,
            indent: 2,
        },
        content: vec![
            Inline::Anchor {
                id: "indented".into(),
            },
            text("An indented paragraph."),
        ],
        span: Span::DETACHED,
    });
    blocks.push(Block::Macro(Macro {
        name: "jira-chart".into(),
        params: Default::default(),
        body: MacroBody::Rich {
            blocks: vec![p("Body of an unexpanded macro.")],
        },
        span: Span::DETACHED,
    }));
    blocks.push(Block::Unsupported {
        name: "roadmap".into(),
        blocks: vec![p("Text inside an unsupported block is kept.")],
        span: Span::DETACHED,
    });
    blocks.push(Block::Heading {
        level: 3,
        attr: Attr::default(),
        content: vec![text("Level three")],
        span: Span::DETACHED,
    });
    blocks.push(Block::Heading {
        level: 4,
        attr: Attr::default(),
        content: vec![text("Level four")],
        span: Span::DETACHED,
    });
    blocks.push(Block::Heading {
        level: 5,
        attr: Attr::default(),
        content: vec![text("Level five")],
        span: Span::DETACHED,
    });
    blocks.push(Block::Heading {
        level: 6,
        attr: Attr::default(),
        content: vec![text("Level six")],
        span: Span::DETACHED,
    });
    blocks.push(p(
        "한국어 텍스트와 emoji 🎉 fall back to system fonts when present.",
    ));
    Document {
        title: Some("Showcase of every construct".into()),
        blocks,
    }
}

/// One page of a multi-page export.
pub fn part(id: &str, title: &str, level: u8, blocks: Vec<Block>) -> Block {
    Block::Part(Part {
        id: id.into(),
        title: title.into(),
        level,
        blog_post: false,
        date: None,
        author: None,
        blocks,
        span: Span::DETACHED,
    })
}

/// A link to the part with content id `id`.
pub fn part_link(id: &str, label: &str) -> Inline {
    Inline::Link {
        target: LinkTarget::Anchor {
            page: None,
            anchor: Part::anchor(id),
        },
        content: vec![text(label)],
    }
}

/// An export of five pages in three levels and a blog post, with links between the pages and
/// headings inside them (one eight levels deep), long enough that parts span pages.
pub fn export_document() -> Document {
    let prose = |n: usize, what: &str| -> Vec<Block> {
        (0..n)
            .map(|i| p(&format!("{what}, paragraph {i}: some prose that fills the page, long enough to wrap onto a second line when set in ten points.")))
            .collect()
    };
    let mut blog = match part("900", "Release notes for June", 1, prose(3, "Blog")) {
        Block::Part(part) => part,
        _ => unreachable!(),
    };
    blog.blog_post = true;
    blog.date = Some("2024-06-28".into());
    blog.author = Some("Alice Example".into());
    Document {
        title: None,
        blocks: vec![
            part(
                "100",
                "Handbook",
                1,
                [
                    vec![para(vec![
                        text("Start with "),
                        part_link("300", "Onboarding"),
                        text("."),
                    ])],
                    prose(30, "Handbook"),
                    vec![
                        heading(2, "Handbook section"),
                        p("Inside the handbook."),
                        part(
                            "200",
                            "Engineering",
                            2,
                            [
                                vec![heading(3, "Principles")],
                                prose(8, "Engineering"),
                                vec![part(
                                    "300",
                                    "Onboarding",
                                    3,
                                    [
                                        vec![heading(4, "First week")],
                                        prose(5, "Onboarding"),
                                        vec![
                                            heading(8, "A very deep heading"),
                                            para(vec![
                                                text("Back to "),
                                                part_link("100", "the handbook"),
                                                text("."),
                                            ]),
                                        ],
                                    ]
                                    .concat(),
                                )],
                            ]
                            .concat(),
                        ),
                        part("400", "Design", 2, prose(4, "Design")),
                    ],
                ]
                .concat(),
            ),
            Block::Part(blog),
        ],
    }
}
