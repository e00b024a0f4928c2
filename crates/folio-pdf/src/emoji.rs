//! Emoji as pictures: Twemoji's SVGs, bundled with folio.
//!
//! Confluence shows emoji as pictures of its own, and most machines folio runs on (servers,
//! containers, CI) have no emoji font, where Typst would draw a box for each. So the lowering
//! writes each emoji of the page's text (a grapheme cluster shown as an emoji, see
//! [`is_shown_as_emoji`]) as the theme's `folio-emoji`: the Twemoji picture at the size of the
//! text, followed by the emoji's characters, invisible, so that copying, search and the
//! bookmarks still have them (`lib.rs` keeps them in the text layer). Every machine prints the
//! same pictures, with or without an emoji font, and no page needs the system fonts scanned for
//! its emoji. An emoji Twemoji has no picture for stays text.
//!
//! The pictures are served to Typst at `/emoji/<code points>.svg` (Twemoji's own file names,
//! code points in hex joined by `-`): a bounded set of paths, as Typst interns every path for
//! the life of the process.

use std::cell::Cell;
use std::ops::Range;

use twemoji_assets::svg::SvgTwemojiAsset;
use unicode_properties::{EmojiStatus, UnicodeEmoji};
use unicode_segmentation::UnicodeSegmentation;

/// Where the world serves the pictures.
pub const EMOJI_DIR: &str = "/emoji/";

/// Variation selector 16: "show the character before as an emoji".
const EMOJI_PRESENTATION: char = '\u{fe0f}';
/// Variation selector 15: "show the character before as text".
const TEXT_PRESENTATION: char = '\u{fe0e}';
/// Combining enclosing keycap, after `0`–`9`, `#` or `*`.
const KEYCAP: char = '\u{20e3}';
const ZERO_WIDTH_JOINER: char = '\u{200d}';

/// Most emoji one document draws as pictures; the rest stay characters (boxes without an emoji
/// font, with the `missing-glyphs` warning). Typst lays a picture out in about 100 µs and 15 KB,
/// a character in next to nothing: 20,000 emoji in a paragraph took 3 s and 375 MB as pictures,
/// 0.3 s and 52 MB as characters.
pub const MAX_PICTURES: usize = 1_000;

thread_local! {
    /// The pictures the document being lowered may still draw. A thread's own, not an argument:
    /// emoji are found wherever page text is escaped (a dozen helpers, called from titles,
    /// templates and code too), and a document is lowered on one thread, which
    /// [`reset_budget`] readies for it.
    static PICTURES_LEFT: Cell<usize> = const { Cell::new(MAX_PICTURES) };
}

/// Gives the document about to be lowered on this thread its [`MAX_PICTURES`].
pub fn reset_budget() {
    PICTURES_LEFT.set(MAX_PICTURES);
}

/// The emoji of `text` that are drawn as pictures, while the document's budget lasts: each
/// one's byte range and the picture's path. Each one returned counts against the budget.
pub fn pictures(text: &str) -> Vec<(Range<usize>, String)> {
    if PICTURES_LEFT.get() == 0 {
        return Vec::new();
    }
    let mut found = all_pictures(text);
    found.truncate(PICTURES_LEFT.get());
    PICTURES_LEFT.set(PICTURES_LEFT.get() - found.len());
    found
}

/// All the emoji of `text` that have a picture, budget or not.
pub fn all_pictures(text: &str) -> Vec<(Range<usize>, String)> {
    if !text.chars().any(may_start_emoji) {
        return Vec::new();
    }
    text.grapheme_indices(true)
        .filter(|(_, cluster)| cluster.chars().any(may_start_emoji))
        .filter_map(|(start, cluster)| Some((start..start + cluster.len(), picture_path(cluster)?)))
        .collect()
}

/// Counts `count` pictures against the document's budget, if it has that many left.
pub fn take_budget(count: usize) -> bool {
    let left = PICTURES_LEFT.get();
    if count > left {
        return false;
    }
    PICTURES_LEFT.set(left - count);
    true
}

/// Whether `text` has an emoji [`pictures`] would draw, without counting it.
pub fn has_pictures(text: &str) -> bool {
    PICTURES_LEFT.get() > 0 && !all_pictures(text).is_empty()
}

/// The path of the picture for `cluster` (one grapheme cluster), if it is shown as an emoji and
/// Twemoji draws it.
fn picture_path(cluster: &str) -> Option<String> {
    if !is_shown_as_emoji(cluster) {
        return None;
    }
    let asset = SvgTwemojiAsset::from_emoji(cluster).map(|_| cluster.to_owned());
    // Twemoji names most emoji without the selector (`2764.svg` for ❤️), but keeps it inside
    // some sequences (`2764-fe0f-200d-1f525.svg`).
    let key = asset.or_else(|| {
        let bare: String = cluster
            .chars()
            .filter(|&c| c != EMOJI_PRESENTATION)
            .collect();
        SvgTwemojiAsset::from_emoji(&bare).map(|_| bare)
    })?;
    let codes: Vec<String> = key.chars().map(|c| format!("{:x}", c as u32)).collect();
    Some(format!("{EMOJI_DIR}{}.svg", codes.join("-")))
}

/// The SVG of the picture at `path` (a path [`pictures`] gave).
pub fn picture(path: &str) -> Option<&'static str> {
    let codes = path.strip_prefix(EMOJI_DIR)?.strip_suffix(".svg")?;
    let emoji = codes
        .split('-')
        .map(|code| char::from_u32(u32::from_str_radix(code, 16).ok()?))
        .collect::<Option<String>>()?;
    SvgTwemojiAsset::from_emoji(&emoji).map(|asset| &***asset)
}

/// Whether `cluster` is shown as an emoji, as browsers show it: a character whose default
/// presentation is the emoji (🎉), one asked to be (❤️, 1️⃣), a sequence with a skin tone or
/// joined by U+200D, and an emoji character folio's own fonts have no glyph for (🗓). A
/// character with a text glyph of its own and no selector (❤, ©, ™, ✔, a digit) stays text, as
/// does one asked to be text (U+FE0E).
fn is_shown_as_emoji(cluster: &str) -> bool {
    let Some(first) = cluster.chars().next() else {
        return false;
    };
    if cluster.contains(TEXT_PRESENTATION) {
        return false;
    }
    if cluster.contains(EMOJI_PRESENTATION) || cluster.contains(KEYCAP) {
        return true;
    }
    match first.emoji_status() {
        EmojiStatus::EmojiPresentation
        | EmojiStatus::EmojiPresentationAndModifierBase
        | EmojiStatus::EmojiPresentationAndEmojiComponent
        | EmojiStatus::EmojiPresentationAndModifierAndEmojiComponent => true,
        EmojiStatus::EmojiModifierBase
        | EmojiStatus::EmojiOther
        | EmojiStatus::EmojiOtherAndEmojiComponent => {
            cluster.contains(ZERO_WIDTH_JOINER)
                || cluster.chars().any(is_skin_tone)
                || !has_embedded_glyph(first)
        }
        _ => false,
    }
}

/// Whether `c` may start an emoji (or be the keycap or selector that makes one): a cheap test
/// that rules out ASCII, CJK and Hangul text before the grapheme clusters are found.
fn may_start_emoji(c: char) -> bool {
    match c {
        '\0'..='\u{a8}' | '\u{3400}'..='\u{a4cf}' | '\u{ac00}'..='\u{d7af}' => false,
        KEYCAP | EMOJI_PRESENTATION => true,
        c => c.is_emoji_char(),
    }
}

/// The Fitzpatrick skin-tone modifiers.
fn is_skin_tone(c: char) -> bool {
    matches!(c, '\u{1f3fb}'..='\u{1f3ff}')
}

/// Whether folio's embedded body font draws `c` itself (on every machine alike, so that the
/// lowering does not depend on the fonts installed).
fn has_embedded_glyph(c: char) -> bool {
    crate::fonts::body_faces()
        .iter()
        .any(|face| face.info().coverage.contains(c as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(text: &str) -> Vec<(&str, String)> {
        pictures(text)
            .into_iter()
            .map(|(range, path)| (&text[range], path))
            .collect()
    }

    #[test]
    fn emoji_shown_as_emoji_have_pictures() {
        assert_eq!(
            paths("Atlas 4.2 🎉 and 👍🏽, 👨‍👩‍👧 🇰🇷"),
            [
                ("🎉", "/emoji/1f389.svg".to_owned()),
                ("👍🏽", "/emoji/1f44d-1f3fd.svg".to_owned()),
                ("👨‍👩‍👧", "/emoji/1f468-200d-1f469-200d-1f467.svg".to_owned()),
                ("🇰🇷", "/emoji/1f1f0-1f1f7.svg".to_owned()),
            ]
        );
    }

    #[test]
    fn a_selector_asks_for_the_emoji_or_the_text() {
        // ❤ and ⚠ have glyphs in DejaVu Sans: text unless asked to be emoji.
        assert_eq!(paths("❤ ⚠ © ™ ✔ 1 #"), []);
        assert_eq!(
            paths("❤️ ⚠️ 1️⃣"),
            [
                ("❤️", "/emoji/2764.svg".to_owned()),
                ("⚠️", "/emoji/26a0.svg".to_owned()),
                ("1️⃣", "/emoji/31-20e3.svg".to_owned()),
            ]
        );
        assert_eq!(paths("🎉\u{fe0e}"), []);
    }

    #[test]
    fn emoji_characters_the_embedded_font_lacks_are_pictures_without_a_selector() {
        // U+1F5D3 SPIRAL CALENDAR PAD defaults to text, but no embedded font has it.
        assert_eq!(paths("🗓 Agenda"), [("🗓", "/emoji/1f5d3.svg".to_owned())]);
    }

    #[test]
    fn text_without_emoji_has_no_pictures() {
        assert_eq!(paths("plain ASCII text, (c) 2025"), []);
        assert_eq!(paths("한국어 텍스트 中文 日本語 — “quotes” → ∑"), []);
    }

    #[test]
    fn characters_table_cells_measure_as_text_are_never_pictures() {
        // `cell_widths` measures cells of such characters from the fonts' glyphs: a picture
        // there would be wider than measured.
        let plain: Vec<char> = ('\0'..='\u{2fff}')
            .filter(|&c| crate::cell_widths::is_plain(c))
            .collect();
        assert!(plain.len() > 1000);
        for c in plain {
            assert_eq!(pictures(&c.to_string()), [], "{c:?}");
        }
    }

    #[test]
    fn a_document_draws_at_most_its_budget_of_pictures() {
        reset_budget();
        let many = "🎉".repeat(MAX_PICTURES + 10);
        assert_eq!(pictures(&many).len(), MAX_PICTURES);
        assert!(!has_pictures("🎉"));
        assert_eq!(pictures("🎉"), []);
        reset_budget();
        assert!(has_pictures("🎉"));
        assert_eq!(pictures("🎉").len(), 1);
    }

    #[test]
    fn the_world_finds_each_picture_by_its_path() {
        for (_, path) in paths("🎉 👍🏽 👨‍👩‍👧 🇰🇷 ❤️ 1️⃣ 🗓 ❤️‍🔥")
        {
            let svg = picture(&path).unwrap_or_else(|| panic!("{path}"));
            assert!(svg.starts_with("<svg"), "{path}");
        }
        assert_eq!(picture("/emoji/zz.svg"), None);
        assert_eq!(picture("/emoji/41.svg"), None);
        assert_eq!(picture("/attachments/0"), None);
    }
}
