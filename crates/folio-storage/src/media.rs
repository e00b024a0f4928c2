//! Images (`ac:image`, HTML `img`) and emoticons.

use folio_ir::{Align, Diagnostic, Image, ImageSource, Inline};

use crate::blocks::{Cx, Flow};
use crate::css;
use crate::dom::Element;
use crate::inline::{normalize, read_inline_only};
use crate::links::resource_target;

/// `ac:image`: an attachment or URL image, with size, alignment, border and caption.
pub(crate) fn read_ac_image(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    // Old editors stored emoticons as images of class `emoticon emoticon-<name>`.
    if let Some(name) = emoticon_class(el.attr("ac:class")) {
        out.push(Flow::Inline(emoji(Some(name), None, None, None), el.span));
        return;
    }
    let alt = el
        .attr_nonblank("ac:alt")
        .or(el.attr_nonblank("ac:title"))
        .map(str::to_owned);
    let Some(source) = el.elements().find_map(image_source) else {
        cx.warn_once(
            "image-without-source",
            Diagnostic::warning(
                "image-without-source",
                "image without `ri:attachment` or `ri:url`",
            )
            .at(el.span)
            .with_hint("its alternative text is kept"),
        );
        let content = alt.map(Inline::text).into_iter().collect();
        let unsupported = Inline::Unsupported {
            name: "ac:image".to_owned(),
            content,
        };
        out.push(Flow::Inline(unsupported, el.span));
        return;
    };
    let layout_align = el.attr("ac:layout").and_then(|layout| match layout.trim() {
        "center" | "wide" | "full-width" => Some(Align::Center),
        "align-start" | "wrap-left" => Some(Align::Left),
        "align-end" | "wrap-right" => Some(Align::Right),
        _ => None,
    });
    let align = layout_align.or_else(|| el.attr("ac:align").and_then(css::parse_align));
    let border = el
        .attr("ac:border")
        .is_some_and(|b| b.trim().eq_ignore_ascii_case("true"))
        || el
            .elements()
            .any(|c| c.name == "ac:adf-mark" && c.attr("key") == Some("border"));
    let mut caption = match el.child("ac:caption") {
        Some(caption) => read_inline_only(cx, &caption.children),
        None => vec![],
    };
    normalize(&mut caption);
    let pixels = |name: &str| el.attr(name).and_then(css::parse_px);
    let intrinsic = match (pixels("ac:original-width"), pixels("ac:original-height")) {
        (Some(w), Some(h)) => Some((w.round() as u32, h.round() as u32)),
        _ => None,
    };
    let full_width = el
        .attr("ac:layout")
        .is_some_and(|layout| matches!(layout.trim(), "wide" | "full-width"));
    let thumbnail = el
        .attr("ac:thumbnail")
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("true"));
    let layout = if full_width {
        folio_ir::ImageLayout::FullWidth
    } else if thumbnail {
        folio_ir::ImageLayout::Thumbnail
    } else {
        folio_ir::ImageLayout::Normal
    };
    let image = Image {
        source,
        alt,
        width: pixels("ac:width"),
        height: pixels("ac:height"),
        intrinsic,
        align,
        border,
        caption,
        missing: false,
        layout,
        span: el.span,
    };
    let inline = el
        .attr("ac:inline")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    out.push(Flow::Image(Box::new(image), inline));
}

fn image_source(el: &Element) -> Option<ImageSource> {
    match el.name.as_str() {
        "ri:attachment" => match resource_target(el, None)? {
            (folio_ir::LinkTarget::Attachment { filename, page }, _) => {
                Some(ImageSource::Attachment { filename, page })
            }
            _ => None,
        },
        "ri:url" => Some(ImageSource::Url {
            url: el.attr("ri:value")?.trim().to_owned(),
        }),
        _ => None,
    }
}

/// HTML `img`: an emoticon image, or an external image.
pub(crate) fn read_html_image(el: &Element, out: &mut Vec<Flow>) {
    let emoticon = el
        .attr_nonblank("data-emoticon-name")
        .or(emoticon_class(el.attr("class")));
    if let Some(name) = emoticon {
        let emoji = emoji(
            Some(name),
            el.attr_nonblank("data-emoji-shortname"),
            el.attr_nonblank("data-emoji-fallback"),
            el.attr_nonblank("data-emoji-id"),
        );
        out.push(Flow::Inline(emoji, el.span));
        return;
    }
    let alt = el
        .attr_nonblank("alt")
        .or(el.attr_nonblank("title"))
        .map(str::to_owned);
    let Some(src) = el.attr_nonblank("src") else {
        if let Some(alt) = alt {
            out.push(Flow::Inline(Inline::text(alt), el.span));
        }
        return;
    };
    let image = Image {
        source: ImageSource::Url {
            url: src.to_owned(),
        },
        alt,
        width: el.attr("width").and_then(css::parse_px),
        height: el.attr("height").and_then(css::parse_px),
        intrinsic: None,
        align: el.attr("align").and_then(css::parse_align),
        border: el.attr("border").is_some_and(|b| b.trim() != "0"),
        caption: vec![],
        missing: false,
        layout: folio_ir::ImageLayout::Normal,
        span: el.span,
    };
    out.push(Flow::Image(Box::new(image), false));
}

/// `emoticon emoticon-tick` → `tick`.
fn emoticon_class(class: Option<&str>) -> Option<&str> {
    let class = class?;
    if !class.split_ascii_whitespace().any(|c| c == "emoticon") {
        return None;
    }
    class
        .split_ascii_whitespace()
        .find_map(|c| c.strip_prefix("emoticon-"))
}

/// `ac:emoticon` (classic `ac:name`, Cloud `ac:emoji-*` attributes).
pub(crate) fn read_emoticon(el: &Element, out: &mut Vec<Flow>) {
    let emoji = emoji(
        el.attr_nonblank("ac:name"),
        el.attr_nonblank("ac:emoji-shortname"),
        el.attr_nonblank("ac:emoji-fallback"),
        el.attr_nonblank("ac:emoji-id"),
    );
    out.push(Flow::Inline(emoji, el.span));
}

/// What to print for an emoji: the fallback when it is a glyph, else the code points its id
/// spells, else the glyph of a classic emoticon name, else its `:shortname:`.
fn emoji(
    name: Option<&str>,
    shortname: Option<&str>,
    fallback: Option<&str>,
    id: Option<&str>,
) -> Inline {
    let short = shortname
        .map(|s| s.trim_matches(':'))
        .filter(|s| !s.is_empty());
    let text = fallback
        .filter(|f| !is_shortname(f))
        .map(str::to_owned)
        .or_else(|| id.and_then(decode_emoji_id))
        .or_else(|| name.and_then(classic_glyph).map(str::to_owned))
        .or_else(|| short.map(|s| format!(":{s}:")))
        .or_else(|| fallback.map(str::to_owned))
        .or_else(|| name.map(|n| format!(":{n}:")))
        .unwrap_or_default();
    let name = name.or(short).unwrap_or_default().to_owned();
    Inline::Emoji { name, text }
}

fn is_shortname(text: &str) -> bool {
    text.len() > 1 && text.starts_with(':') && text.ends_with(':')
}

/// `1f642` → 🙂, `31-20e3` → 1⃣; ids that are not code points (`atlassian-…`, UUIDs) → `None`.
fn decode_emoji_id(id: &str) -> Option<String> {
    let mut text = String::new();
    for part in id.split('-') {
        if !(2..=6).contains(&part.len()) || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let c = char::from_u32(u32::from_str_radix(part, 16).ok()?)?;
        if c.is_control() {
            return None;
        }
        text.push(c);
    }
    (!text.is_empty()).then_some(text)
}

/// Glyphs for Confluence's classic emoticon names.
fn classic_glyph(name: &str) -> Option<&'static str> {
    Some(match name {
        "smile" => "🙂",
        "sad" => "🙁",
        "cheeky" => "😛",
        "laugh" => "😃",
        "wink" => "😉",
        "thumbs-up" => "👍",
        "thumbs-down" => "👎",
        "information" => "ℹ️",
        "tick" => "✅",
        "cross" => "❌",
        "warning" => "⚠️",
        "plus" => "➕",
        "minus" => "➖",
        "question" => "❓",
        "light-on" => "💡",
        "light-off" => "💡",
        "yellow-star" | "red-star" | "green-star" | "blue-star" => "⭐",
        "heart" => "❤️",
        "broken-heart" => "💔",
        "clipboard" => "📋",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(inline: Inline) -> String {
        match inline {
            Inline::Emoji { text, .. } => text,
            other => panic!("not an emoji: {other:?}"),
        }
    }

    #[test]
    fn prefers_glyph_fallback_then_id_then_name_then_shortname() {
        assert_eq!(
            text(emoji(
                Some("tick"),
                Some(":white_check_mark:"),
                Some("✅"),
                None
            )),
            "✅"
        );
        assert_eq!(
            text(emoji(
                Some("warning"),
                Some(":warning:"),
                Some(":warning:"),
                Some("atlassian-warning")
            )),
            "⚠️"
        );
        assert_eq!(
            text(emoji(Some("clipboard"), None, None, Some("1f4cb"))),
            "📋"
        );
        assert_eq!(text(emoji(None, None, None, Some("31-20e3"))), "1\u{20e3}");
        assert_eq!(
            text(emoji(None, Some(":face_exhaling:"), None, Some("27g52"))),
            ":face_exhaling:"
        );
        assert_eq!(
            text(emoji(
                Some("unknown"),
                Some(":unknown:"),
                Some(":unknown:"),
                Some("atlassian-unknown")
            )),
            ":unknown:"
        );
        assert_eq!(
            decode_emoji_id("8131cbc6-0d4e-4e0b-9b4a-2b6a1b7e7f1c"),
            None
        );
    }
}
