//! Character references (`&nbsp;`, `&#8594;`, …) and the characters strict XML forbids.
//!
//! Storage bodies use the HTML named entities without declaring them, so every reference is
//! resolved against the HTML5 table; an unknown one is kept literally.

use std::borrow::Cow;

use quick_xml::escape::resolve_html5_entity;
use unicode_normalization::char::is_combining_mark;

/// What the reference `&name;` stands for, or `None` when it is unknown or invalid.
pub(crate) fn resolve_reference(name: &str) -> Option<Cow<'static, str>> {
    let Some(number) = name.strip_prefix('#') else {
        return resolve_html5_entity(name).map(Cow::Borrowed);
    };
    let code = match number.strip_prefix(['x', 'X']) {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            u32::from_str_radix(hex, 16).ok()?
        }
        Some(_) => return None,
        None if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
            number.parse::<u32>().ok()?
        }
        None => return None,
    };
    let ch = windows_1252(code)
        .or_else(|| char::from_u32(code))
        .filter(|&c| c != '\0')?;
    Some(Cow::Owned(ch.to_string()))
}

/// HTML reads `&#128;`–`&#159;` as Windows-1252, as old editors meant them.
fn windows_1252(code: u32) -> Option<char> {
    Some(match code {
        0x80 => '€',
        0x82 => '‚',
        0x83 => 'ƒ',
        0x84 => '„',
        0x85 => '…',
        0x86 => '†',
        0x87 => '‡',
        0x88 => 'ˆ',
        0x89 => '‰',
        0x8A => 'Š',
        0x8B => '‹',
        0x8C => 'Œ',
        0x8E => 'Ž',
        0x91 => '\u{2018}',
        0x92 => '\u{2019}',
        0x93 => '\u{201C}',
        0x94 => '\u{201D}',
        0x95 => '•',
        0x96 => '–',
        0x97 => '—',
        0x98 => '˜',
        0x99 => '™',
        0x9A => 'š',
        0x9B => '›',
        0x9C => 'œ',
        0x9E => 'ž',
        0x9F => 'Ÿ',
        _ => return None,
    })
}

/// An attribute value with references resolved and tab/line breaks turned into spaces, as XML
/// normalises attributes. Unknown references stay as written.
pub(crate) fn unescape_attribute(raw: &str) -> Cow<'_, str> {
    if !raw.contains(['&', '\t', '\n', '\r']) {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        push_normalized(&mut out, &rest[..amp]);
        let after = &rest[amp + 1..];
        let resolved = after
            .find(';')
            .filter(|&semi| semi <= 40)
            .and_then(|semi| Some((semi, resolve_reference(&after[..semi])?)));
        match resolved {
            Some((semi, text)) => {
                out.push_str(&text);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    push_normalized(&mut out, rest);
    Cow::Owned(out)
}

fn push_normalized(out: &mut String, text: &str) {
    out.extend(text.chars().map(|c| {
        if matches!(c, '\t' | '\n' | '\r') {
            ' '
        } else {
            c
        }
    }));
}

/// C0 controls other than tab, line feed and carriage return: XML 1.0 forbids them, and they
/// have no glyph.
pub(crate) fn is_forbidden_control(c: char) -> bool {
    (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')
}

/// `text` without forbidden control characters, or `None` when it has none.
pub(crate) fn strip_controls(text: &str) -> Option<String> {
    text.contains(is_forbidden_control)
        .then(|| text.chars().filter(|&c| !is_forbidden_control(c)).collect())
}

/// Most combining marks kept on one character: the limit of Unicode's stream-safe text format
/// (UAX #15), which no script needs more than. Typst gives each mark it stacks a text item
/// holding the whole cluster's text, so one letter with 20,000 marks took 3 GB in a table cell,
/// and 40,000 would not fit in memory.
pub(crate) const MAX_COMBINING_MARKS: usize = 30;

/// How many combining marks end `text` (at most one more than [`MAX_COMBINING_MARKS`]).
pub(crate) fn trailing_combining_marks(text: &str) -> usize {
    text.chars()
        .rev()
        .take(MAX_COMBINING_MARKS + 1)
        .take_while(|&c| is_combining_mark(c))
        .count()
}

/// `text` with at most [`MAX_COMBINING_MARKS`] combining marks in a row, where `marks_before`
/// marks end the text it continues; `None` when none are removed.
pub(crate) fn cap_combining_marks(text: &str, marks_before: usize) -> Option<String> {
    let keep = |c: char, run: &mut usize| {
        *run = if is_combining_mark(c) { *run + 1 } else { 0 };
        *run <= MAX_COMBINING_MARKS
    };
    // Nearly all text has nothing to remove, and is not copied.
    let mut run = marks_before;
    if text.chars().all(|c| keep(c, &mut run)) {
        return None;
    }
    let mut run = marks_before;
    Some(text.chars().filter(|&c| keep(c, &mut run)).collect())
}

/// The line separators that text may contain (U+2028, U+2029); they become line breaks.
pub(crate) fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combining_marks_past_the_stream_safe_limit_are_removed() {
        let accents = |n: usize| "\u{301}".repeat(n);
        let text = format!("a{}b{}c", accents(40), accents(30));
        let capped = cap_combining_marks(&text, 0).unwrap();
        assert_eq!(capped, format!("a{}b{}c", accents(30), accents(30)));
        // A run continued from the text before.
        assert_eq!(cap_combining_marks(&accents(10), 25).unwrap(), accents(5));
        assert_eq!(cap_combining_marks(&format!("a{}", accents(30)), 0), None);
        assert_eq!(trailing_combining_marks(&format!("a{}", accents(50))), 31);
    }

    #[test]
    fn resolves_named_and_numeric_references() {
        assert_eq!(resolve_reference("nbsp").as_deref(), Some("\u{a0}"));
        assert_eq!(resolve_reference("rarr").as_deref(), Some("→"));
        assert_eq!(resolve_reference("amp").as_deref(), Some("&"));
        assert_eq!(resolve_reference("#160").as_deref(), Some("\u{a0}"));
        assert_eq!(resolve_reference("#x21A9").as_deref(), Some("↩"));
        assert_eq!(resolve_reference("#150").as_deref(), Some("–"));
        assert_eq!(resolve_reference("bogus"), None);
        assert_eq!(resolve_reference("#0"), None);
        assert_eq!(resolve_reference("#xD800"), None);
        assert_eq!(resolve_reference("#+5"), None);
        assert_eq!(resolve_reference("#x"), None);
        assert_eq!(resolve_reference("#99999999999"), None);
    }

    #[test]
    fn unescapes_attributes_leniently() {
        assert_eq!(unescape_attribute("a&amp;b"), "a&b");
        assert_eq!(unescape_attribute("L&auml;cheln"), "Lächeln");
        assert_eq!(unescape_attribute("x?a=1&b=2"), "x?a=1&b=2");
        assert_eq!(unescape_attribute("&bogus; &"), "&bogus; &");
        assert_eq!(unescape_attribute("a\nb\tc"), "a b c");
    }

    #[test]
    fn strips_c0_controls_only() {
        assert_eq!(strip_controls("a\u{2}b\tc\n").as_deref(), Some("ab\tc\n"));
        assert_eq!(strip_controls("plain\u{2028}"), None);
    }
}
