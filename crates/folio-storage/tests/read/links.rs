//! `ac:link` and its resource identifiers.

use crate::common::check;

fn link(inner: &str) -> String {
    check(&format!("<p><ac:link>{inner}</ac:link></p>"))
}

#[test]
fn link_targets() {
    assert_eq!(
        link("<ri:page ri:content-title=\"T\" ri:space-key=\"S\"/>"),
        "p[link(page:S:T)[]]"
    );
    assert_eq!(
        link("<ri:blog-post ri:content-title=\"B\" ri:posting-day=\"2023/09/27\"/>"),
        "p[link(blog:B@2023/09/27)[]]"
    );
    assert_eq!(
        link("<ri:attachment ri:filename=\"f.png\"/>"),
        "p[link(attachment:f.png)[]]"
    );
    assert_eq!(
        link(
            "<ri:attachment ri:filename=\"f.png\"><ri:page ri:content-title=\"P\" ri:space-key=\"S\"/></ri:attachment>"
        ),
        "p[link(attachment:S:P/f.png)[]]"
    );
    assert_eq!(
        link("<ri:space ri:space-key=\"DOC\"/>"),
        "p[link(space:DOC)[]]"
    );
    assert_eq!(
        link("<ri:content-entity ri:content-id=\"123\"/>"),
        "p[link(content:123)[]]"
    );
    assert_eq!(
        link("<ri:shortcut ri:key=\"jira\" ri:parameter=\"ABC-1\"/>"),
        "p[link(shortcut:jira:ABC-1)[]]"
    );
    assert_eq!(
        link("<ri:url ri:value=\"https://x\"/>"),
        "p[link(url:https://x)[]]"
    );
}

#[test]
fn anchors() {
    assert_eq!(
        check("<p><ac:link ac:anchor=\"here\"><ri:page ri:content-title=\"P\"/></ac:link></p>"),
        "p[link(anchor:P#here)[]]"
    );
    assert_eq!(
        check("<p><ac:link ac:anchor=\"here\"/></p>"),
        "p[link(anchor:#here)[]]"
    );
}

#[test]
fn link_bodies() {
    assert_eq!(
        link(
            "<ri:page ri:content-title=\"P\"/><ac:plain-text-link-body><![CDATA[a <b> c]]></ac:plain-text-link-body>"
        ),
        "p[link(page:P)[\"a <b> c\"]]"
    );
    assert_eq!(
        link(
            "<ri:page ri:content-title=\"P\"/><ac:link-body>see <strong>this</strong><ac:image><ri:url ri:value=\"i.png\"/></ac:image></ac:link-body>"
        ),
        "p[link(page:P)[\"see \" strong[\"this\"] img(url:i.png)]]"
    );
    assert_eq!(
        link("<ri:page ri:content-title=\"P\"/><ac:link-body><p>para</p></ac:link-body>"),
        "p[link(page:P)[\"para\"]]"
    );
    // Text around the link keeps its spaces.
    assert_eq!(
        check(
            "<p>go <ac:link><ri:page ri:content-title=\"P\"/><ac:link-body> here </ac:link-body></ac:link> now</p>"
        ),
        "p[\"go \" link(page:P)[\"here \"] \"now\"]"
    );
}

#[test]
fn links_without_target_keep_their_text() {
    assert_eq!(
        check(
            "<p><ac:link ac:tooltip=\"x\"><ac:plain-text-link-body><![CDATA[this page]]></ac:plain-text-link-body></ac:link></p>"
        ),
        "p[\"this page\"]"
    );
}

#[test]
fn mentions() {
    assert_eq!(
        link("<ri:user ri:account-id=\"557058:e1\"/>"),
        "p[mention(account:557058:e1)]"
    );
    assert_eq!(
        link("<ri:user ri:userkey=\"2c96\"/>"),
        "p[mention(key:2c96)]"
    );
    assert_eq!(
        link(
            "<ri:user ri:username=\"user\"/><ac:plain-text-link-body><![CDATA[label]]></ac:plain-text-link-body>"
        ),
        "p[mention(name:user \"label\")]"
    );
}
