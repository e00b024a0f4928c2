//! Images and emoticons.

use crate::common::check;

#[test]
fn images_alone_are_blocks() {
    assert_eq!(
        check("<ac:image><ri:attachment ri:filename=\"a.png\"/></ac:image>"),
        "image(attachment:a.png)"
    );
    assert_eq!(
        check(
            "<p style=\"text-align: center\"> <ac:image><ri:url ri:value=\"http://x/i.png\"/></ac:image> </p>"
        ),
        "image(url:http://x/i.png center)"
    );
    // Several images side by side between blocks: each a block.
    assert_eq!(
        check(
            "<ac:image><ri:attachment ri:filename=\"a\"/></ac:image>\n<ac:image><ri:attachment ri:filename=\"b\"/></ac:image>"
        ),
        "image(attachment:a) image(attachment:b)"
    );
}

#[test]
fn images_in_text_are_inline() {
    assert_eq!(
        check("<p>an <ac:image><ri:attachment ri:filename=\"a.png\"/></ac:image> icon</p>"),
        "p[\"an \" img(attachment:a.png) \" icon\"]"
    );
    assert_eq!(
        check(
            "<p><ac:image ac:inline=\"true\"><ri:attachment ri:filename=\"a.png\"/></ac:image></p>"
        ),
        "p[img(attachment:a.png)]"
    );
}

#[test]
fn image_fields() {
    assert_eq!(
        check(concat!(
            "<ac:image ac:align=\"center\" ac:layout=\"center\" ac:original-height=\"555\" ac:original-width=\"785\" ac:custom-width=\"true\" ac:alt=\"shot.png\" ac:width=\"760\" ac:height=\"300px\">",
            "<ri:attachment ri:filename=\"shot.png\" ri:version-at-save=\"1\" />",
            "<ac:caption><p>Web &gt; <em>menu</em> </p></ac:caption>",
            "<ac:adf-mark key=\"border\" size=\"1\" color=\"#091e4224\" /></ac:image>"
        )),
        "image(attachment:shot.png alt=\"shot.png\" w=760 h=300 intrinsic=785x555 center border)[\"Web > \" em[\"menu\"]]"
    );
    assert_eq!(
        check(
            "<ac:image ac:layout=\"align-end\" ac:border=\"true\" ac:title=\"t\"><ri:url ri:value=\"u\"/></ac:image>"
        ),
        "image(url:u alt=\"t\" right border)"
    );
    assert_eq!(
        check("<ac:image ac:layout=\"wrap-left\"><ri:url ri:value=\"u\"/></ac:image>"),
        "image(url:u left)"
    );
    assert_eq!(
        check("<ac:image ac:width=\"wide\"><ri:url ri:value=\"u\"/></ac:image>"),
        "image(url:u)"
    );
}

#[test]
fn images_without_source_keep_their_alt_text() {
    assert_eq!(
        check("<p><ac:image ac:alt=\"diagram\"></ac:image></p>"),
        "p[unsupported(ac:image)[\"diagram\"]]"
    );
}

#[test]
fn emoticons() {
    assert_eq!(
        check(
            "<p><ac:emoticon ac:name=\"tick\" ac:emoji-shortname=\":white_check_mark:\" ac:emoji-id=\"2705\" ac:emoji-fallback=\"✅\" /></p>"
        ),
        "p[emoji(tick \"✅\")]"
    );
    assert_eq!(
        check(
            "<p><ac:emoticon ac:name=\"warning\" ac:emoji-shortname=\":warning:\" ac:emoji-id=\"atlassian-warning\" ac:emoji-fallback=\":warning:\" /></p>"
        ),
        "p[emoji(warning \"⚠\\u{fe0f}\")]"
    );
    assert_eq!(
        check(
            "<p><ac:emoticon ac:name=\"blue-star\" ac:emoji-shortname=\":copy:\" ac:emoji-id=\"8131cbc6-aaaa-bbbb\" ac:emoji-fallback=\":copy:\" /></p>"
        ),
        "p[emoji(blue-star \"⭐\")]"
    );
    assert_eq!(
        check("<p><ac:emoticon ac:emoji-shortname=\":face_exhaling:\" /></p>"),
        "p[emoji(face_exhaling \":face_exhaling:\")]"
    );
    let names = [
        "smile",
        "sad",
        "cheeky",
        "laugh",
        "wink",
        "thumbs-up",
        "thumbs-down",
        "information",
        "tick",
        "cross",
        "warning",
        "plus",
        "minus",
        "question",
        "light-on",
        "light-off",
        "yellow-star",
        "red-star",
        "green-star",
        "blue-star",
        "heart",
    ];
    for name in names {
        let out = check(&format!("<p><ac:emoticon ac:name=\"{name}\"/></p>"));
        assert!(
            !out.contains(&format!("\":{name}:\"")),
            "no glyph for {name}: {out}"
        );
    }
    // Old editors' emoticon images.
    assert_eq!(
        check("<p><img class=\"emoticon emoticon-warning\" src=\"x.svg\" alt=\"(warning)\"/></p>"),
        "p[emoji(warning \"⚠\\u{fe0f}\")]"
    );
    assert_eq!(
        check(
            "<p><ac:image ac:class=\"emoticon emoticon-smile\"><ri:url ri:value=\"smile.svg\"/></ac:image></p>"
        ),
        "p[emoji(smile \"🙂\")]"
    );
}
