//! Escaping of page text into Typst source: page text is data, never code.
//!
//! Three ways text reaches the generated markup, and only these:
//! - [`push_markup_text`]: running text in markup (and [`push_breakable_text`], which adds
//!   `#folio-wbr()` break opportunities, markup of its own, between characters of long runs). Every ASCII punctuation character is escaped
//!   with a backslash (Typst's lexer reads `\` followed by any non-whitespace character as an
//!   escape of that character), and every character Typst reads as a line break or that is a
//!   control character becomes a space. The result is one line of plain text whatever the input.
//!   Explicit bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are
//!   dropped: they are invisible, can disguise text ("Trojan Source"), and some sequences of
//!   them trip an assertion in Typst's shaping.
//! - [`string_literal`]: code-block text, URLs, titles and names go into `"…"` string literals.
//! - [`label_name`]: anchor names become label names made of `[A-Za-z0-9_-]` only.
//!
//! Seeded from pandoc's `escapeTypst`, which escapes a subset of these characters; escaping all
//! ASCII punctuation needs no context (line start, word boundaries) to be correct.

use std::fmt::Write;

/// Appends `text` to `out` as Typst markup that typesets as exactly `text`.
///
/// Line breaks, tabs and control characters become spaces (inline text has its whitespace
/// collapsed already; a line break in markup could end a heading or start a list item).
pub fn push_markup_text(out: &mut String, text: &str) {
    for c in text.chars() {
        if is_bidi_control(c) {
            continue;
        } else if c.is_ascii_punctuation() {
            out.push('\\');
            out.push(c);
        } else if is_markup_space(c) {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
}

/// Appends `text` as markup like [`push_markup_text`], except that runs of `break_at` or more
/// characters with no break opportunity (no space; CJK text breaks anywhere anyway) get break
/// opportunities after their separators (`/`, `_`, `.`, …), inside camelCase and every
/// [`BREAK_EVERY`] characters between them, so that URLs, identifiers and hashes wrap instead of
/// overflowing the line.
///
/// A break opportunity is the theme's `#folio-wbr()`, an empty box: unlike U+200B it puts no
/// character into the PDF's text layer, so text copied from the PDF stays clean.
pub fn push_breakable_text(out: &mut String, text: &str, break_at: usize) {
    let mut rest = text;
    while !rest.is_empty() {
        let split = rest.find(|c: char| !is_run_char(c)).unwrap_or(rest.len());
        let (run, after) = rest.split_at(split);
        if run.chars().count() >= break_at {
            push_with_break_opportunities(out, run);
        } else {
            push_markup_text(out, run);
        }
        let split = after.find(is_run_char).unwrap_or(after.len());
        let (gap, after) = after.split_at(split);
        push_markup_text(out, gap);
        rest = after;
    }
}

/// Characters between two break opportunities in a long run with no separator.
pub const BREAK_EVERY: usize = 12;

/// Markup of a break opportunity. After a function call, the next character of escaped text
/// cannot continue the expression: `(`, `[` and `.` are escaped.
pub const WORD_BREAK: &str = "#folio-wbr()";

fn push_with_break_opportunities(out: &mut String, run: &str) {
    let mut since_break = 0;
    let mut chars = run.chars().peekable();
    while let Some(c) = chars.next() {
        push_markup_text(out, c.encode_utf8(&mut [0; 4]));
        since_break += 1;
        let separator = matches!(
            c,
            '/' | '\\'
                | '_'
                | '.'
                | '-'
                | ':'
                | '?'
                | '&'
                | '='
                | ','
                | ';'
                | '#'
                | '@'
                | '+'
                | '|'
        );
        // Between the words of a camelCase identifier.
        let camel = c.is_lowercase() && chars.peek().is_some_and(|next| next.is_uppercase());
        if chars.peek().is_some() && (separator || camel || since_break >= BREAK_EVERY) {
            out.push_str(WORD_BREAK);
            since_break = 0;
        }
    }
}

/// A character of a run that only breaks at its ends: not a space, control or bidi control,
/// nor CJK (which Typst breaks between any two characters).
fn is_run_char(c: char) -> bool {
    !c.is_whitespace() && !is_markup_space(c) && !is_bidi_control(c) && !is_cjk(c)
}

/// CJK ideographs, kana, Hangul and full-width forms: text that breaks between any two
/// characters (the theme's `folio-cjk` lists the same ranges).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2e80..=0xa4cf | 0xac00..=0xd7af | 0xf900..=0xfaff | 0xff00..=0xffef | 0x20000..=0x3ffff)
}

/// `text` as Typst markup; see [`push_markup_text`].
pub fn markup_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    push_markup_text(&mut out, text);
    out
}

/// Whether `c` must not appear raw in markup: Typst's newlines (`\n`, VT, FF, `\r`, NEL, LS, PS),
/// tabs and all other control characters.
fn is_markup_space(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Explicit directional embeddings, overrides and isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` as a Typst string literal, quotes included.
///
/// Escapes `\` and `"`; writes `\n`, `\r`, `\t` and every other control or line-separator
/// character as `\u{…}` so that the literal stays on one line. Drops bidi embeddings,
/// overrides and isolates, as [`push_markup_text`] does.
pub fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars().filter(|&c| !is_bidi_control(c)) {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_markup_space(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A valid Typst label name for an anchor, deterministic and injective.
///
/// ASCII letters, digits and `-` are kept; every other character becomes `_` + its code point in
/// hex + `_`. The `anchor-` prefix keeps the name non-empty.
pub fn label_name(anchor: &str) -> String {
    let mut out = String::with_capacity(anchor.len() + 7);
    out.push_str("anchor-");
    for c in anchor.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            out.push(c);
        } else {
            let _ = write!(out, "_{:x}_", c as u32);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_hash_starts_no_code() {
        assert_eq!(
            markup_text("#read(\"/etc/passwd\")"),
            r#"\#read\(\"\/etc\/passwd\"\)"#
        );
    }

    #[test]
    fn issue_brackets_stay_text() {
        assert_eq!(markup_text("a]b[c"), r"a\]b\[c");
    }

    #[test]
    fn issue_strong_and_emph_markers_stay_text() {
        assert_eq!(markup_text("*bold* _emph_"), r"\*bold\* \_emph\_");
    }

    #[test]
    fn issue_dollar_does_not_open_math() {
        assert_eq!(markup_text("$x$"), r"\$x\$");
    }

    #[test]
    fn issue_at_and_angle_do_not_reference_or_label() {
        assert_eq!(markup_text("@ref <label>"), r"\@ref \<label\>");
    }

    #[test]
    fn issue_backslash_is_escaped() {
        assert_eq!(markup_text(r"a\b\"), r"a\\b\\");
        // `\u{41}` in page text must not become a Unicode escape.
        assert_eq!(markup_text(r"\u{41}"), r"\\u\{41\}");
    }

    #[test]
    fn issue_comment_markers_stay_text() {
        assert_eq!(markup_text("a // b /* c */"), r"a \/\/ b \/\* c \*\/");
    }

    #[test]
    fn issue_line_start_markers_stay_text() {
        assert_eq!(markup_text("= h"), r"\= h");
        assert_eq!(markup_text("- item"), r"\- item");
        assert_eq!(markup_text("+ item"), r"\+ item");
        assert_eq!(markup_text("1. item"), r"1\. item");
        assert_eq!(markup_text("/ term: x"), r"\/ term\: x");
    }

    #[test]
    fn issue_shorthands_stay_text() {
        assert_eq!(
            markup_text("a~b -- c --- d ... -? -1"),
            r"a\~b \-\- c \-\-\- d \.\.\. \-\? \-1"
        );
    }

    #[test]
    fn issue_quotes_are_not_smart() {
        assert_eq!(markup_text(r#"'a' "b""#), r#"\'a\' \"b\""#);
    }

    #[test]
    fn issue_autolinks_are_not_made() {
        assert_eq!(markup_text("https://x.org"), r"https\:\/\/x\.org");
    }

    #[test]
    fn issue_raw_backticks_stay_text() {
        assert_eq!(markup_text("`code`"), r"\`code\`");
    }

    #[test]
    fn issue_newlines_and_tabs_become_spaces() {
        assert_eq!(
            markup_text("a\nb\tc\r\nd\u{2028}e\u{2029}f\u{85}g\u{b}h\u{c}i\u{0}j"),
            "a b c  d e f g h i j"
        );
    }

    #[test]
    fn issue_long_runs_may_break_anywhere() {
        let mut out = String::new();
        push_breakable_text(
            &mut out,
            "see https://x.org/aaaaaaaaaaaaaaaaaaaa\"x now",
            20,
        );
        let z = "#folio-wbr()";
        assert_eq!(
            out,
            format!(r#"see https\:{z}\/{z}\/{z}x\.{z}org\/{z}aaaaaaaaaaaa{z}aaaaaaaa\"x now"#)
        );
        // No invisible character goes into the text.
        assert!(!out.contains('\u{200B}'));
        let mut out = String::new();
        push_breakable_text(&mut out, "{{approvalExpirationDate}}", 20);
        assert_eq!(out, format!(r"\{{\{{approval{z}Expiration{z}Date\}}\}}"));
        let mut out = String::new();
        push_breakable_text(&mut out, "short words stay #text", 20);
        assert_eq!(out, r"short words stay \#text");
        // CJK breaks by itself.
        let mut out = String::new();
        push_breakable_text(&mut out, &"漢".repeat(30), 20);
        assert_eq!(out, "漢".repeat(30));
    }

    #[test]
    fn issue_bidi_overrides_are_dropped() {
        assert_eq!(
            markup_text("\u{202e}abc\u{202a}d\u{2066}e\u{2069}\u{200f}"),
            "abcde\u{200f}"
        );
        assert_eq!(string_literal("\u{202e}x"), "\"x\"");
    }

    #[test]
    fn issue_non_ascii_passes_through() {
        assert_eq!(markup_text("한국어 ✓ émoji 🎉"), "한국어 ✓ émoji 🎉");
    }

    #[test]
    fn issue_string_literal_escapes() {
        assert_eq!(string_literal(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(
            string_literal("x\ny\r\tz\u{1}\u{2028}"),
            r#""x\ny\r\tz\u{1}\u{2028}""#
        );
        assert_eq!(string_literal("#import \"x\""), r##""#import \"x\"""##);
    }

    #[test]
    fn issue_label_names_are_valid_and_injective() {
        assert_eq!(label_name(""), "anchor-");
        assert_eq!(label_name("Intro-1"), "anchor-Intro-1");
        assert_eq!(label_name("a b"), "anchor-a_20_b");
        assert_eq!(label_name("a_20_b"), "anchor-a_5f_20_5f_b");
        assert_eq!(label_name("한"), "anchor-_d55c_");
        assert!(
            label_name("<x>]#")
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
        );
    }
}
