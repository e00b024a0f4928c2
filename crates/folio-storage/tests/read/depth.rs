//! Nesting limits: deep input is an error, never a stack overflow.

use folio_storage::{ReadOptions, read_storage};

use crate::common::read_err;

fn nested(open: &str, close: &str, depth: usize, inner: &str) -> String {
    let mut s = String::new();
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..depth {
        s.push_str(close);
    }
    s
}

#[test]
fn nesting_at_the_limit_reads_in_a_test_thread() {
    // Every kind of container, as deep as the default limit allows, on a test thread's stack.
    let cases = [
        nested("<div>", "</div>", 255, "x"),
        nested("<strong>", "</strong>", 255, "x"),
        nested("<span style=\"color: red\">", "</span>", 255, "x"),
        nested("<blockquote>", "</blockquote>", 255, "x"),
        nested("<ul><li>", "</li></ul>", 127, "x"),
        nested("<table><tr><td>", "</td></tr></table>", 85, "x"),
        nested(
            "<table><tbody><tr><td>",
            "</td></tr></tbody></table>",
            64,
            "x",
        ),
        nested(
            "<ac:structured-macro ac:name=\"info\"><ac:rich-text-body>",
            "</ac:rich-text-body></ac:structured-macro>",
            127,
            "x",
        ),
        nested("<p><span>", "</span></p>", 127, "x"),
        nested(
            "<ac:layout><ac:layout-section ac:type=\"two_equal\"><ac:layout-cell>",
            "</ac:layout-cell><ac:layout-cell/></ac:layout-section></ac:layout>",
            85,
            "x",
        ),
        nested(
            "<ac:task-list><ac:task><ac:task-body>",
            "</ac:task-body></ac:task></ac:task-list>",
            85,
            "x",
        ),
        nested("<a href=\"x\">", "</a>", 255, "x"),
        nested("<foo>", "</foo>", 255, "x"),
        nested(
            "<ac:link><ac:link-body>",
            "</ac:link-body></ac:link>",
            127,
            "x",
        ),
        nested(
            "<ac:structured-macro ac:name=\"x\"><ac:parameter ac:name=\"p\">",
            "</ac:parameter></ac:structured-macro>",
            127,
            "x",
        ),
    ];
    for case in &cases {
        let read = read_storage(case, &ReadOptions::default());
        assert!(read.is_ok(), "{:?}", read.err());
    }
}

#[test]
fn nesting_beyond_the_limit_is_an_error() {
    let source = nested("<div>", "</div>", 100_000, "x");
    let error = read_err(&source);
    assert!(error.message.contains("256"), "{}", error.message);
    // The span is the first start tag past the limit.
    assert_eq!(error.span.start, 256 * "<div>".len());
    assert_eq!(&source[error.span.start..error.span.end], "<div>");
}

#[test]
fn the_limit_is_an_option() {
    let source = nested("<div>", "</div>", 10, "x");
    let options = ReadOptions { max_depth: 5 };
    let error = read_storage(&source, &options).unwrap_err();
    assert!(error.message.contains('5'));
    assert!(read_storage(&source, &ReadOptions { max_depth: 10 }).is_ok());
    // Empty elements count too.
    let error = read_storage("<div><br/></div>", &ReadOptions { max_depth: 1 }).unwrap_err();
    assert_eq!(error.span.start, 5);
}
