//! Characters: entities, CDATA, control characters, whitespace.

use crate::common::{check, codes, read};

#[test]
fn html_named_and_numeric_entities() {
    assert_eq!(
        check("<p>a&nbsp;b &rarr; &ldquo;c&rdquo; &#160;&#x2192;&amp;&lt;&gt;&quot;&apos;</p>"),
        "p[\"a\\u{a0}b → “c” \\u{a0}→&<>\\\"'\"]"
    );
    assert_eq!(
        check("<h1>Release&nbsp;process</h1>"),
        "h1[\"Release\\u{a0}process\"]"
    );
}

#[test]
fn unknown_entity_is_kept_with_a_warning() {
    let source = "<p>a &bogus; b &bogus; c</p>";
    assert_eq!(check(source), "p[\"a &bogus; b &bogus; c\"]");
    let read = read(source);
    assert_eq!(read.diagnostics.len(), 1);
    assert_eq!(read.diagnostics[0].code, "unknown-entity");
    let span = read.diagnostics[0].span.unwrap();
    assert_eq!(&source[span.start..span.end], "&bogus;");
}

#[test]
fn bare_ampersand_is_text() {
    assert_eq!(check("<p>AT&T & co</p>"), "p[\"AT&T & co\"]");
    assert_eq!(codes("<p>AT&T & co</p>"), ["bare-ampersand"]);
}

#[test]
fn entities_in_attributes() {
    assert_eq!(
        check("<p><a href=\"http://x/?a=1&amp;b=2&c=3\">L&auml;cheln</a></p>"),
        "p[link(url:http://x/?a=1&b=2&c=3)[\"Lächeln\"]]"
    );
}

#[test]
fn cdata_joins_neighbouring_text() {
    assert_eq!(check("<p>a<![CDATA[ <b> ]]>c</p>"), "p[\"a <b> c\"]");
}

#[test]
fn split_cdata_terminator() {
    let source = "<ac:structured-macro ac:name=\"noformat\"><ac:plain-text-body><![CDATA[keep *this*\n\n   as ]]]]><![CDATA[> it is]]></ac:plain-text-body></ac:structured-macro>";
    assert_eq!(
        check(source),
        "macro(noformat)\"keep *this*\\n\\n   as ]]> it is\""
    );
}

#[test]
fn plain_text_body_without_cdata() {
    let source = "<ac:structured-macro ac:name=\"code\"><ac:plain-text-body>if a &lt; b &amp;&amp; c\n  go</ac:plain-text-body></ac:structured-macro>";
    assert_eq!(check(source), "macro(code)\"if a < b && c\\n  go\"");
}

#[test]
fn control_characters_are_dropped_once_with_a_warning() {
    let source = "<h2><strong>Hello \u{2} world</strong>\u{1c}.</h2><p>\u{2}x</p>";
    assert_eq!(check(source), "h2[strong[\"Hello world\"] \".\"] p[\"x\"]");
    assert_eq!(codes(source), ["control-character"]);
    // Also from character references.
    assert_eq!(check("<p>a&#2;b</p>"), "p[\"ab\"]");
}

#[test]
fn line_separators_are_line_breaks() {
    assert_eq!(
        check("<p>one\u{2028}two\u{2029}three</p>"),
        "p[\"one\" br \"two\" br \"three\"]"
    );
    // In verbatim text they are line feeds; in parameters, spaces.
    assert_eq!(check("<pre>a\u{2028}b</pre>"), "code(plain)\"a\\nb\"");
    assert_eq!(
        check(
            "<ac:structured-macro ac:name=\"x\"><ac:parameter ac:name=\"t\">a\u{2028}b</ac:parameter></ac:structured-macro>"
        ),
        "macro(x t=\"a b\")"
    );
}

#[test]
fn whitespace_collapses_as_in_html() {
    assert_eq!(check("<p>  a \n\t b  </p>"), "p[\"a b\"]");
    assert_eq!(
        check("<p>a <strong> b </strong> c</p>"),
        "p[\"a \" strong[\"b \"] \"c\"]"
    );
    assert_eq!(
        check("<p><strong>a </strong> b</p>"),
        "p[strong[\"a \"] \"b\"]"
    );
    assert_eq!(
        check("<p>a<strong> </strong>b</p>"),
        "p[\"a\" strong[\" \"] \"b\"]"
    );
    assert_eq!(check("<p> <em> </em> </p>"), "p[]");
}

#[test]
fn whitespace_around_line_breaks_goes() {
    assert_eq!(check("<p>a <br/> b</p>"), "p[\"a\" br \"b\"]");
    assert_eq!(
        check("<p><strong>a <br/></strong> b</p>"),
        "p[strong[\"a\" br] \"b\"]"
    );
    // A break that ends a block adds no line; one that is all there is stays.
    assert_eq!(check("<p>a<br/></p>"), "p[\"a\"]");
    assert_eq!(check("<p><br/></p>"), "p[br]");
}

#[test]
fn whitespace_between_blocks_is_dropped() {
    assert_eq!(check("\n  <p>a</p>\n\n  <p>b</p>\n"), "p[\"a\"] p[\"b\"]");
    assert_eq!(
        check("<ul>\n  <li>a</li>\n  <li> b </li>\n</ul>"),
        "ul[li[p[\"a\"]] li[p[\"b\"]]]"
    );
}

#[test]
fn non_breaking_spaces_are_content() {
    assert_eq!(check("<p>&nbsp;</p>"), "p[\"\\u{a0}\"]");
    assert_eq!(check("<p>a &nbsp; b</p>"), "p[\"a \\u{a0} b\"]");
}

#[test]
fn whitespace_is_verbatim_in_pre_and_plain_bodies() {
    assert_eq!(
        check("<pre>\n  a  b\n\n c </pre>"),
        "code(plain)\"  a  b\\n\\n c \""
    );
    assert_eq!(
        check(
            "<ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[\n  x  ]]></ac:plain-text-body></ac:structured-macro>"
        ),
        "macro(code)\"\\n  x  \""
    );
}

#[test]
fn line_endings_are_normalised() {
    assert_eq!(check("<pre>a\r\nb\rc</pre>"), "code(plain)\"a\\nb\\nc\"");
}

#[test]
fn byte_order_mark_and_declaration_are_skipped() {
    assert_eq!(
        check("\u{feff}<?xml version=\"1.0\"?><p>a</p><!-- c -->"),
        "p[\"a\"]"
    );
}

#[test]
fn control_characters_in_attributes_are_kept() {
    // Attribute values name things (attachments): they must still match the names as stored.
    assert_eq!(
        check("<p><ac:link><ri:attachment ri:filename=\"report\u{1c}2024.pdf\"/></ac:link></p>"),
        "p[link(attachment:report\u{1c}2024.pdf)[]]"
    );
}
