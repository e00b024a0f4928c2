//! Macros are read faithfully and left unexpanded.

use folio_ir::{Block, MacroBody, ParamValue};

use crate::common::{check, read};

#[test]
fn structured_macro_with_parameters_and_bodies() {
    assert_eq!(
        check(
            "<ac:structured-macro ac:name=\"Info\" ac:schema-version=\"1\" ac:macro-id=\"x\"><ac:parameter ac:name=\"icon\">false</ac:parameter><ac:parameter ac:name=\"title\">T</ac:parameter><ac:parameter ac:name=\"indent\" /><ac:rich-text-body><p>body</p></ac:rich-text-body></ac:structured-macro>"
        ),
        "macro(info icon=\"false\" indent=\"\" title=\"T\")[p[\"body\"]]"
    );
    assert_eq!(
        check(
            "<ac:structured-macro ac:name=\"code\"><ac:parameter ac:name=\"language\">xml</ac:parameter><ac:plain-text-body><![CDATA[<b>x</b>]]></ac:plain-text-body></ac:structured-macro>"
        ),
        "macro(code language=\"xml\")\"<b>x</b>\""
    );
}

#[test]
fn legacy_macro_and_default_parameter() {
    assert_eq!(
        check(
            "<ac:macro ac:name=\"excerpt\"><ac:default-parameter>d</ac:default-parameter><ac:parameter ac:name=\"\">e</ac:parameter></ac:macro>"
        ),
        "macro(excerpt =\"e\")"
    );
    assert_eq!(
        check(
            "<ac:macro ac:name=\"code\"><ac:plain-text-body><![CDATA[text]]></ac:plain-text-body></ac:macro>"
        ),
        "macro(code)\"text\""
    );
}

#[test]
fn spans_and_names() {
    let source = "<p>x</p><ac:structured-macro ac:name=\"TOC\"/>";
    let read = read(source);
    let Block::Macro(m) = &read.document.blocks[1] else {
        panic!()
    };
    assert_eq!(m.name, "toc");
    assert_eq!(
        &source[m.span.start..m.span.end],
        "<ac:structured-macro ac:name=\"TOC\"/>"
    );
    assert!(matches!(m.body, MacroBody::None));
}

#[test]
fn resource_parameters() {
    assert_eq!(
        check(concat!(
            "<ac:structured-macro ac:name=\"m\">",
            "<ac:parameter ac:name=\"page\"><ac:link><ri:page ri:content-title=\"Home\" ri:space-key=\"DOC\"/></ac:link></ac:parameter>",
            "<ac:parameter ac:name=\"name\"><ri:attachment ri:filename=\"a b.pdf\" ri:version-at-save=\"1\"/></ac:parameter>",
            "<ac:parameter ac:name=\"spaces\"><ri:space ri:space-key=\"A\"/><ri:space ri:space-key=\"B\"/></ac:parameter>",
            "<ac:parameter ac:name=\"user\"><ri:user ri:account-id=\"557058:x\"/></ac:parameter>",
            "<ac:parameter ac:name=\"url\"><ri:url ri:value=\"http://host\"/></ac:parameter>",
            "<ac:parameter ac:name=\"link\"><a href=\"https://bing.com\">label</a></ac:parameter>",
            "<ac:parameter ac:name=\"root\"><ac:link /></ac:parameter>",
            "</ac:structured-macro>"
        )),
        "macro(m link=<url:https://bing.com|https://bing.com> name=<attachment:a b.pdf|a b.pdf> page=<page:DOC:Home|Home> root=\"\" spaces=<space:A|A,B> url=<url:http://host|http://host> user=<user:account:557058:x|557058:x>)"
    );
    let read = read(
        "<ac:structured-macro ac:name=\"include\"><ac:parameter ac:name=\"\"><ac:link><ri:page ri:content-title=\"long 1\" /></ac:link></ac:parameter></ac:structured-macro>",
    );
    let Block::Macro(m) = &read.document.blocks[0] else {
        panic!()
    };
    assert!(matches!(&m.params[""], ParamValue::Resource { text, .. } if text == "long 1"));
    assert_eq!(m.param(""), Some("long 1"));
}

#[test]
fn inline_macros_in_running_text() {
    assert_eq!(
        check(
            "<p>state: <ac:structured-macro ac:name=\"status\"><ac:parameter ac:name=\"colour\">Green</ac:parameter><ac:parameter ac:name=\"title\">OK</ac:parameter></ac:structured-macro> done</p>"
        ),
        "p[\"state: \" inline-macro(status colour=\"Green\" title=\"OK\") \" done\"]"
    );
    assert_eq!(
        check(
            "<h3>v1 <ac:structured-macro ac:name=\"anchor\"><ac:parameter ac:name=\"\">a</ac:parameter></ac:structured-macro></h3>"
        ),
        "h3[\"v1 \" inline-macro(anchor =\"a\")]"
    );
    // Next to text in a block container, a macro is inline too.
    assert_eq!(
        check(
            "<table><tr><td>see <ac:structured-macro ac:name=\"jira\"><ac:parameter ac:name=\"key\">A-1</ac:parameter></ac:structured-macro></td></tr></table>"
        ),
        "table[tr[td[p[\"see \" inline-macro(jira key=\"A-1\")]]]]"
    );
}

#[test]
fn block_macros_stand_alone() {
    // Alone in a block container: a block, whatever the macro.
    assert_eq!(
        check("<ul><li><ac:structured-macro ac:name=\"status\"/></li></ul>"),
        "ul[li[macro(status)]]"
    );
    // Side by side, still blocks.
    assert_eq!(
        check("<ac:macro ac:name=\"a\"></ac:macro><ac:macro ac:name=\"b\"/>"),
        "macro(a) macro(b)"
    );
    // In a paragraph, a macro that draws a block splits it.
    assert_eq!(
        check(
            "<p>x<ac:structured-macro ac:name=\"code\"><ac:plain-text-body>c</ac:plain-text-body></ac:structured-macro>y</p>"
        ),
        "p[\"x\"] macro(code)\"c\" p[\"y\"]"
    );
    assert_eq!(
        check(
            "<p>x<ac:structured-macro ac:name=\"unknown\"><ac:rich-text-body><p>b</p></ac:rich-text-body></ac:structured-macro></p>"
        ),
        "p[\"x\"] macro(unknown)[p[\"b\"]]"
    );
    assert_eq!(
        check(
            "<p><ac:structured-macro ac:name=\"jira\"><ac:parameter ac:name=\"jqlQuery\">q</ac:parameter></ac:structured-macro></p>"
        ),
        "macro(jira jqlQuery=\"q\")"
    );
    // An excerpt that says its output is inline stays in the line.
    assert_eq!(
        check(
            "<p>a <ac:structured-macro ac:name=\"excerpt\"><ac:parameter ac:name=\"atlassian-macro-output-type\">INLINE</ac:parameter><ac:rich-text-body><p>b</p></ac:rich-text-body></ac:structured-macro></p>"
        ),
        "p[\"a \" inline-macro(excerpt atlassian-macro-output-type=\"INLINE\")[p[\"b\"]]]"
    );
}

#[test]
fn fragment_marks_in_macros_are_ignored_and_stray_content_kept() {
    assert_eq!(
        check(
            "<ac:structured-macro ac:name=\"x\"><ac:adf-fragment-mark/><ac:parameter ac:name=\"a\">1</ac:parameter>loose <b>text</b></ac:structured-macro>"
        ),
        "macro(x a=\"1\")[p[\"loose \" strong[\"text\"]]]"
    );
}
