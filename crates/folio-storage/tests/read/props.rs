//! Properties: reading never panics, on any string and on generated well-formed trees, and
//! never loses the text of a well-formed tree.

use proptest::prelude::*;

use folio_storage::{ReadOptions, read_storage};

/// XML-ish fragments, so that random input reaches past the first tag.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "<p>",
            "</p>",
            "<strong>",
            "</strong>",
            "<table>",
            "</table>",
            "<tr>",
            "</tr>",
            "<td colspan=\"0\">",
            "</td>",
            "<ul>",
            "</ul>",
            "<li>",
            "</li>",
            "<br/>",
            "<ac:structured-macro ac:name=\"x\">",
            "</ac:structured-macro>",
            "<ac:rich-text-body>",
            "</ac:rich-text-body>",
            "<ac:parameter ac:name=\"\">",
            "</ac:parameter>",
            "<ac:plain-text-body>",
            "</ac:plain-text-body>",
            "<![CDATA[",
            "]]>",
            "<!--",
            "-->",
            "&nbsp;",
            "&bogus;",
            "&#2;",
            "&",
            "<",
            ">",
            "\u{2028}",
            "\u{2}",
            "<ac:link>",
            "</ac:link>",
            "<ri:page ri:content-title=\"t\"/>",
            "<ac:image>",
            "</ac:image>",
            "<ac:task-list>",
            "<ac:task>",
            "<ac:task-body>",
            "<ac:layout-section ac:type=\"two_equal\">",
            "<ac:layout-cell>",
            "<pre>",
            "</pre>",
            "<!DOCTYPE x>",
            "<?xml?>",
            "<h1>",
            "</h1>",
            "<a href=\"#x\">",
            "</a>",
        ])
        .prop_map(str::to_owned),
        "[ a-z]{0,4}",
        any::<String>(),
    ]
}

/// A well-formed tree of the elements storage nests most, with entities and CDATA in the text.
/// Every text leaf holds a unique word `wN`.
fn tree() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => (0u32..100_000).prop_map(|n| format!(" w{n} ")),
        1 => prop::sample::select(vec![
            "&amp;", "&nbsp;", "&rarr;", "&#x41;", "<br/>", "<![CDATA[ c<d ]]>", "&lt;",
        ])
        .prop_map(str::to_owned),
    ];
    leaf.prop_recursive(6, 64, 4, |inner| {
        prop_oneof![
            (
                prop::sample::select(vec![
                    "p",
                    "strong",
                    "table",
                    "tbody",
                    "tr",
                    "td",
                    "th",
                    "ul",
                    "ol",
                    "li",
                    "ac:rich-text-body",
                    "span",
                    "blockquote",
                    "h2",
                    "em",
                    "div",
                    "ac:layout-cell",
                    "ac:task-body",
                    "ac:link-body",
                    "foo",
                ]),
                prop::collection::vec(inner.clone(), 0..4),
            )
                .prop_map(|(name, children)| format!("<{name}>{}</{name}>", children.concat())),
            prop::collection::vec(inner, 0..4).prop_map(|children| format!(
                "<ac:structured-macro ac:name=\"m\"><ac:parameter ac:name=\"p\">v</ac:parameter>\
                 <ac:rich-text-body>{}</ac:rich-text-body></ac:structured-macro>",
                children.concat()
            )),
        ]
    })
}

fn check_spans(source: &str) {
    match read_storage(source, &ReadOptions::default()) {
        Ok(read) => {
            for block in &read.document.blocks {
                assert!(block.span().end <= source.len());
            }
            for diagnostic in &read.diagnostics {
                if let Some(span) = diagnostic.span {
                    assert!(span.start <= span.end && span.end <= source.len());
                }
            }
        }
        Err(error) => {
            assert!(error.span.start <= error.span.end && error.span.end <= source.len());
            assert!(source.is_char_boundary(error.span.start));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_any_string(source in any::<String>()) {
        check_spans(&source);
    }

    #[test]
    fn never_panics_on_markup_soup(tokens in prop::collection::vec(token(), 0..40)) {
        check_spans(&tokens.concat());
    }

    #[test]
    fn reads_well_formed_trees_without_losing_text(trees in prop::collection::vec(tree(), 1..4)) {
        let source = trees.concat();
        let read = read_storage(&source, &ReadOptions::default());
        prop_assert!(read.is_ok(), "{:?}", read.err());
        let json = serde_json::to_string(&read.unwrap().document).unwrap();
        for word in source.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| w.starts_with('w')) {
            prop_assert!(json.contains(word), "{} lost", word);
        }
    }
}
