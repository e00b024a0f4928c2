//! Input that is not well-formed: a `ReadError` whose span points at the fault.

use folio_ir::LineIndex;

use crate::common::read_err;

/// The error of `source`, with the source text its span covers.
fn fault(source: &str) -> (folio_storage::ReadError, String) {
    let error = read_err(source);
    assert!(
        error.span.start <= error.span.end && error.span.end <= source.len(),
        "{error:?}"
    );
    let text = source[error.span.start..error.span.end].to_owned();
    // typst style: lowercase, no final full stop.
    let first = error.message.chars().next().unwrap();
    assert!(!first.is_uppercase(), "{}", error.message);
    assert!(!error.message.ends_with('.'), "{}", error.message);
    (error, text)
}

#[test]
fn mismatched_end_tag_points_at_it_and_at_the_opener() {
    let source = "<p>one</p>\n<p><strong>two</em></p>";
    let (error, text) = fault(source);
    assert_eq!(text, "</em>");
    assert!(error.message.contains("`</strong>`") && error.message.contains("`</em>`"));
    assert!(
        error.hints.iter().any(|h| h.contains("line 2, column 4")),
        "{:?}",
        error.hints
    );
    assert_eq!(error.to_string(), error.message);
}

#[test]
fn unclosed_element_at_eof_names_it_where_it_was_opened() {
    let (error, text) = fault("<div class=\"x\"><p>abc</p>");
    assert_eq!(text, "<div class=\"x\">");
    assert!(error.message.contains("`<div>`"), "{}", error.message);
}

#[test]
fn truncated_document_points_at_its_end() {
    let (error, text) = fault("<p>abc</p");
    assert_eq!(error.span.start, 9);
    assert_eq!(text, "");
    assert!(
        error.message.contains("ends inside a tag"),
        "{}",
        error.message
    );
    assert!(
        error.hints.iter().any(|h| h.contains("line 1, column 7")),
        "{:?}",
        error.hints
    );
    let (error, _) = fault("<p>x</p><ac:image ac:width=\"3");
    assert_eq!(error.span.start, 29);
}

#[test]
fn unterminated_cdata_and_comment() {
    let (error, text) = fault("<p>a</p><ac:plain-text-body><![CDATA[x]] ></ac:plain-text-body>");
    assert!(text.starts_with("<![CDATA["), "{text}");
    assert!(error.message.contains("CDATA"));
    let (error, text) = fault("<p>a</p><!-- note <p>b</p>");
    assert!(text.starts_with("<!--"));
    assert!(error.message.contains("comment"));
}

#[test]
fn doctype_is_refused() {
    let source =
        "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><p>&lol2;</p>";
    let (error, text) = fault(source);
    assert_eq!(error.span.start, 0);
    assert!(text.starts_with("<!DOCTYPE"));
    assert!(error.message.contains("document type"));
    let (error, _) = fault("<p>a</p><!DOCTYPE html>");
    assert_eq!(error.span.start, 8);
}

#[test]
fn stray_end_tag() {
    let (error, text) = fault("<p>a</p></td><p>b</p>");
    assert_eq!(text, "</td>");
    assert!(error.message.contains("`</td>`"));
}

#[test]
fn spliced_end_tags_as_in_old_exports() {
    // The shape of XW confluence80tags 720904: closers of a table that was cut away.
    let source = "<ac:layout><ac:layout-section ac:type=\"single\"><ac:layout-cell><p>x</p></td></tr></tbody></table></ac:layout-cell></ac:layout-section></ac:layout>";
    let (error, text) = fault(source);
    assert_eq!(text, "</td>");
    assert!(error.message.contains("`</ac:layout-cell>`"));
}

#[test]
fn unescaped_less_than_in_text() {
    let (_, text) = fault("<p>a < b</p>");
    assert!(text.starts_with("< b"));
}

#[test]
fn unterminated_attribute_value_points_at_its_quote() {
    let (error, text) = fault("<p class=\"x>text</p>\n<p>more</p>");
    assert_eq!(error.span.start, 9);
    assert!(text.starts_with("\"x>"));
}

#[test]
fn attributes_must_be_quoted_and_unique() {
    let (error, _) = fault("<table><tr><td colspan=2>x</td></tr></table>");
    assert_eq!(error.span.start, "<table><tr><td colspan=".len());
    assert!(error.message.contains("`<td>`"));
    let (error, _) = fault("<p style=\"a\" style=\"b\">x</p>");
    assert_eq!(error.span.start, "<p style=\"a\" ".len());
    assert!(
        error.hints.iter().any(|h| h.contains("line 1, column 4")),
        "{:?}",
        error.hints
    );
    let (_, _) = fault("<p hidden>x</p>");
}

#[test]
fn spans_give_line_and_column() {
    let source = "<p>one</p>\n<ul>\n  <li>two</lu>\n</ul>";
    let (error, _) = fault(source);
    let index = LineIndex::new(source);
    assert_eq!(index.line_col(source, error.span.start), (3, 10));
}

#[test]
fn spans_count_bytes_after_a_byte_order_mark() {
    let source = "\u{feff}<p>a</p></x>";
    let (_, text) = fault(source);
    assert_eq!(text, "</x>");
}
