//! Escaping of page text into Typst source: page text is data, never code.
//!
//! Three ways text reaches the generated markup, and only these:
//! - [`push_markup_text`]: running text in markup (and [`push_breakable_text`], which adds
//!   `#folio-wbr()` break opportunities, markup of its own, between characters of long runs).
//!   Text with any ASCII punctuation (every character markup gives meaning to is one) becomes a
//!   string literal expression `#"…"`; text without is written as it is. Every character Typst
//!   reads as a line break or that is a control character becomes a space. The result is one
//!   line of plain text whatever the input. Explicit bidi embeddings, overrides and isolates
//!   (U+202A–U+202E, U+2066–U+2069) are dropped: they are invisible, can disguise text ("Trojan
//!   Source"), and some sequences of them trip an assertion in Typst's shaping.
//! - [`string_literal`]: code-block text, URLs, titles and names go into `"…"` string literals.
//! - [`label_name`]: anchor names become label names made of `[A-Za-z0-9_-]` only.
//!
//! Pandoc's `escapeTypst` backslash-escapes a subset of these characters, and folio did so for
//! all of them at first; literals need no context (line start, word boundaries) either, and
//! cost Typst far less (see [`push_markup_text`]). Whatever follows a literal or a function
//! call cannot continue its expression: text that starts with `.`, `(` or `[` is a literal
//! itself, so it starts with `#`.

use std::fmt::Write;

use unicode_script::{Script, UnicodeScript};
use unicode_segmentation::UnicodeSegmentation;

/// Appends `text` to `out` as Typst markup that typesets as exactly `text`.
///
/// Line breaks, tabs and control characters become spaces (inline text has its whitespace
/// collapsed already; a line break in markup could end a heading or start a list item). Text
/// with ASCII punctuation becomes a string literal expression, `#"…"`: Typst evaluates each
/// backslash escape to a symbol element of its own, and a paragraph of many of them lays out in
/// quadratic time (80,000 escaped full stops took a minute), while a literal is one text element.
/// So does text of more than [`MARKUP_WORDS`] words: markup makes each word and each space an
/// element, and a paragraph's layout costs its glyphs times its elements (see
/// `lower::MAX_PARAGRAPH_COST`): one of 120,000 words took 3.5 s, four times one of 60,000.
/// Other text has no markup meaning and is written as it is.
///
/// Each emoji Twemoji draws becomes the theme's `folio-emoji` with the picture's path and the
/// emoji's code points (numbers, so that the markup holds no character the fonts lack and
/// the system's fonts are not scanned for it); see `crate::emoji`.
pub fn push_markup_text(out: &mut String, text: &str) {
    let mut from = 0;
    for (range, path) in crate::emoji::pictures(text) {
        push_text_piece(out, &text[from..range.start]);
        push_emoji(out, &text[range.clone()], &path);
        from = range.end;
    }
    push_text_piece(out, &text[from..]);
}

/// `emoji` drawn as the picture at `path`, its characters in the text layer.
fn push_emoji(out: &mut String, emoji: &str, path: &str) {
    let _ = write!(
        out,
        "#folio-emoji({}, {})",
        string_literal(path),
        code_points(emoji)
    );
}

/// The code points of `text` as a Typst array of integers.
fn code_points(text: &str) -> String {
    let mut out = String::from("(");
    for c in text.chars() {
        let _ = write!(out, "{},", c as u32);
    }
    out.push(')');
    out
}

/// Most emoji a code block draws as pictures; with more, they stay text (boxes, without an
/// emoji font). Each is a match of a regex show rule in its line's run of text, where Typst
/// allows 512 (see [`MATCHES_PER_RUN`]), and code rarely holds more than a few.
pub const CODE_EMOJI: usize = 32;

/// The theme's `emoji` argument of `folio-code` for `code`, if it holds from one to
/// [`CODE_EMOJI`] emoji that Twemoji draws: a regex matching each (the longest first, so that a
/// sequence wins over the emoji it starts with), and each one's picture and code points. Code
/// is verbatim text in a `raw` element, which holds no markup: the theme draws the pictures
/// with that show rule.
pub fn code_emoji(code: &str) -> Option<String> {
    let pictures = crate::emoji::all_pictures(code);
    if pictures.is_empty()
        || pictures.len() > CODE_EMOJI
        || !crate::emoji::take_budget(pictures.len())
    {
        return None;
    }
    let distinct: std::collections::BTreeMap<&str, &str> = pictures
        .iter()
        .map(|(range, path)| (&code[range.clone()], path.as_str()))
        .collect();
    let mut longest_first: Vec<&str> = distinct.keys().copied().collect();
    longest_first.sort_by_key(|emoji| std::cmp::Reverse(emoji.len()));
    let pattern: Vec<String> = longest_first
        .iter()
        .map(|emoji| {
            // A keycap starts with `#`, `*` or a digit.
            emoji
                .chars()
                .flat_map(|c| {
                    (c == '#' || c == '*')
                        .then_some('\\')
                        .into_iter()
                        .chain([c])
                })
                .collect()
        })
        .collect();
    let entries: Vec<String> = distinct
        .iter()
        .map(|(emoji, path)| {
            format!(
                "{}: ({}, {})",
                string_literal(emoji),
                string_literal(path),
                code_points(emoji)
            )
        })
        .collect();
    Some(format!(
        "(pattern: {}, pictures: ({},))",
        string_literal(&pattern.join("|")),
        entries.join(", ")
    ))
}

/// Text without emoji as markup; see [`push_markup_text`].
fn push_text_piece(out: &mut String, text: &str) {
    if text.chars().any(|c| c.is_ascii_punctuation())
        || text
            .chars()
            .filter(|&c| c == ' ')
            .nth(MARKUP_WORDS - 1)
            .is_some()
    {
        let plain: String = text
            .chars()
            .filter(|&c| !is_bidi_control(c))
            .map(|c| if is_markup_space(c) { ' ' } else { c })
            .collect();
        out.push('#');
        out.push_str(&string_literal(&plain));
        return;
    }
    for c in text.chars() {
        if is_bidi_control(c) {
            continue;
        } else if is_markup_space(c) {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
}

/// Most words [`push_markup_text`] writes as markup; longer text becomes a string literal.
/// Below the words between two [`TEXT_CUT`]s, so that the pieces of a long paragraph are
/// literals.
pub const MARKUP_WORDS: usize = 16;

/// Appends `text` as markup like [`push_markup_text`], except that runs of `break_at` or more
/// characters with no break opportunity (no space; CJK text breaks anywhere anyway) get break
/// opportunities after their separators (`/`, `_`, `.`, …), inside camelCase and every
/// [`BREAK_EVERY`] characters between them, so that URLs, identifiers and hashes wrap instead of
/// overflowing the line.
///
/// A break opportunity is the theme's `#folio-wbr()`, an empty box: unlike U+200B it puts no
/// character into the PDF's text layer, so text copied from the PDF stays clean.
///
/// Each box costs Typst a few kilobytes of layout state, so a document gets at most
/// `boxes_left` of them; past that budget (only text made almost entirely of separators, such
/// as `a/a/a/…` over megabytes, gets there) a break opportunity is a U+200B, which is cheap to
/// lay out but shows up in copied text.
///
/// `cuts` (from [`TextualRun::cuts`]) are the byte offsets of the characters a [`TEXT_CUT`]
/// goes before.
pub fn push_breakable_text(
    out: &mut String,
    text: &str,
    break_at: usize,
    boxes_left: &mut usize,
    cuts: &[usize],
) {
    // Text between long runs goes out in one piece: Typst's cost for a paragraph grows with
    // its pieces (see `lower::MAX_PARAGRAPH_COST`).
    let mut plain_from = 0;
    for (start, end) in long_runs(text, break_at) {
        push_cut_text(out, text, plain_from..start, cuts);
        let inside: Vec<usize> = cuts
            .iter()
            .filter(|&&cut| cut >= start && cut < end)
            .map(|cut| cut - start)
            .collect();
        push_with_break_opportunities(out, &text[start..end], boxes_left, &inside);
        plain_from = end;
    }
    push_cut_text(out, text, plain_from..text.len(), cuts);
}

/// `text[range]` as markup, with a [`TEXT_CUT`] before each of the `cuts` in it.
pub fn push_cut_text(out: &mut String, text: &str, range: std::ops::Range<usize>, cuts: &[usize]) {
    let mut from = range.start;
    for &cut in cuts.iter().filter(|&&cut| range.contains(&cut)) {
        push_markup_text(out, &text[from..cut]);
        out.push_str(TEXT_CUT);
        from = cut;
    }
    push_markup_text(out, &text[from..range.end]);
}

/// Markup that ends a run of text for Typst's regex show rules, and changes nothing else.
///
/// Typst applies a regex show rule to a run of text (text, spaces and line breaks in one style,
/// which no other element interrupts) one match at a time, and fails the whole document with
/// "maximum grouping depth exceeded" after 512 matches (typst-realize's
/// `finish_grouping_while`). The theme's rules match every space and CJK character
/// (`folio-min-width`) or every long word (`folio-fit-words`), so a table cell or narrow
/// column holding a paragraph of a few hundred words would stop the page from typesetting.
///
/// Zero spacing is an element of its own, so it ends the run; space collapsing ignores it
/// (typst-realize's `collapse_state`) and inline layout skips it (typst-layout's `collect`),
/// so the text on either side is shaped, broken into lines and measured as if it were not
/// there. (A `folio-wbr` box would add a break opportunity.)
pub const TEXT_CUT: &str = "#h(0pt)";

/// Regex matches [`TextualRun`] lets a run hold before it cuts it: well below Typst's 512, for
/// each table a cell is nested in measures it with rules of its own. Each of `d` such tables
/// matches a space or line break once (48 × 10 tables = 480), and a CJK character once, and the
/// line break each puts after it once more for each (12 characters × (5 + 5²) = 360 for tables
/// five deep).
pub const MATCHES_PER_RUN: usize = 48;

/// The regex matches the current run of text may give (see [`TEXT_CUT`]), counted over its
/// text and line breaks in the order the lowering writes them; a new one for each paragraph.
/// A space or a line break counts one match, a CJK character four (its own, and the line break
/// `folio-min-width` puts after it, which the space rules match; see [`MATCHES_PER_RUN`]), and
/// every long word follows a space.
#[derive(Debug, Default, Clone)]
pub struct TextualRun {
    matches: usize,
}

impl TextualRun {
    /// Where `text`, which continues the run, is cut: the byte offsets of the characters a
    /// [`TEXT_CUT`] goes before.
    pub fn cuts(&mut self, text: &str) -> Vec<usize> {
        self.cuts_around(text, &[])
    }

    /// Like [`cuts`](Self::cuts), for `text` as [`push_breakable_text`] writes it: each of its
    /// break opportunities counts one match more, for the theme's min-content measuring
    /// (`folio-min-width`) shows each `folio-wbr` as a line break, which its rule for spaces
    /// matches. (A table cell holding a 6,000-character word, a `folio-wbr` every 12, failed.)
    pub fn breakable_cuts(&mut self, text: &str, break_at: usize) -> Vec<usize> {
        self.cuts_around(text, &break_offsets(text, break_at))
    }

    /// The cuts in `text`, whose break opportunities (sorted byte offsets) are `breaks`.
    fn cuts_around(&mut self, text: &str, breaks: &[usize]) -> Vec<usize> {
        let mut breaks = breaks.iter().copied().peekable();
        text.char_indices()
            .filter(|&(index, c)| {
                let cost = if c.is_whitespace() || is_markup_space(c) {
                    1
                } else if is_cjk(c) {
                    4
                } else {
                    0
                };
                let cost = cost + usize::from(breaks.next_if_eq(&index).is_some());
                cost > 0 && self.take(cost)
            })
            .map(|(index, _)| index)
            .collect()
    }

    /// Whether a line break, which continues the run, is cut (has a [`TEXT_CUT`] before it).
    pub fn line_break(&mut self) -> bool {
        self.take(1)
    }

    /// Counts `cost` more matches; whether the run is cut before them.
    fn take(&mut self, cost: usize) -> bool {
        let cut = self.matches + cost > MATCHES_PER_RUN;
        self.matches = if cut { cost } else { self.matches + cost };
        cut
    }
}

/// Where [`push_breakable_text`] puts break opportunities into `text` (budget permitting): the
/// byte offsets of the characters they go before.
pub fn break_offsets(text: &str, break_at: usize) -> Vec<usize> {
    long_runs(text, break_at)
        .into_iter()
        .flat_map(|(start, end)| {
            run_breaks(&text[start..end])
                .into_iter()
                .map(move |offset| start + offset)
        })
        .collect()
}

/// The runs of at least `break_at` characters with no separator in `text`, as byte ranges.
fn long_runs(text: &str, break_at: usize) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut run: Option<(usize, usize)> = None; // (byte start, chars)
    for (index, c) in text.char_indices() {
        if is_run_char(c) {
            match &mut run {
                Some((_, chars)) => *chars += 1,
                None => run = Some((index, 1)),
            }
        } else if let Some((start, chars)) = run.take()
            && chars >= break_at
        {
            runs.push((start, index));
        }
    }
    if let Some((start, chars)) = run
        && chars >= break_at
    {
        runs.push((start, text.len()));
    }
    runs
}

/// Characters between two break opportunities in a long run with no separator.
pub const BREAK_EVERY: usize = 12;

/// Markup of a break opportunity. After a function call, the next text cannot continue the
/// expression: text with `(`, `[` or `.` is a string literal.
pub const WORD_BREAK: &str = "#folio-wbr()";

/// Break boxes one document may hold (see [`push_breakable_text`]): about 150 MB of Typst
/// memory, far more than the long identifiers and URLs of real pages need.
pub const BREAK_BOX_BUDGET: usize = 20_000;

/// `run` as markup with break opportunities, and a [`TEXT_CUT`] before each of `cuts` (byte
/// offsets in `run`; a run joined by no-break spaces may have them).
fn push_with_break_opportunities(
    out: &mut String,
    run: &str,
    boxes_left: &mut usize,
    cuts: &[usize],
) {
    let mut segment = String::new();
    let mut from = 0;
    let mut cuts = cuts.iter().copied().peekable();
    for offset in run_breaks(run).into_iter().chain([run.len()]) {
        while let Some(cut) = cuts.next_if(|&cut| cut <= offset) {
            segment.push_str(&run[from..cut]);
            from = cut;
            push_markup_text(out, &segment);
            out.push_str(TEXT_CUT);
            segment.clear();
        }
        segment.push_str(&run[from..offset]);
        from = offset;
        if offset == run.len() {
            break;
        }
        if *boxes_left > 0 {
            *boxes_left -= 1;
            push_markup_text(out, &segment);
            out.push_str(WORD_BREAK);
            segment.clear();
        } else {
            segment.push('\u{200B}');
        }
    }
    push_markup_text(out, &segment);
}

/// The break opportunities inside a long `run`, as byte offsets of the characters they go
/// before: after separators and no-break spaces, between the words of a camelCase identifier,
/// and every [`BREAK_EVERY`] characters without one; never at its ends.
fn run_breaks(run: &str) -> Vec<usize> {
    // Never inside a grapheme cluster: a combining mark would be drawn apart from its letter.
    let clusters: std::collections::HashSet<usize> =
        run.grapheme_indices(true).map(|(index, _)| index).collect();
    let mut breaks = Vec::new();
    let mut since_break = 0;
    let mut chars = run.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
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
        ) || is_no_break_space(c);
        let Some(&(next_index, next)) = chars.peek() else {
            break;
        };
        // Between the words of a camelCase identifier.
        let camel = c.is_lowercase() && next.is_uppercase();
        if (separator || camel || since_break >= BREAK_EVERY) && clusters.contains(&next_index) {
            breaks.push(next_index);
            since_break = 0;
        }
    }
    breaks
}

/// A character of a run that only breaks at its ends: not a space, control or bidi control,
/// nor CJK (which Typst breaks between any two characters) nor Thai, Lao, Khmer or Myanmar
/// (written without spaces between words, which Typst finds with a dictionary), nor a letter
/// of a script whose letters join (Arabic and the like: a break box between two letters would
/// cut their join, and each would take the form it has alone). A no-break
/// space joins a run: words joined by them (as text pasted from some editors has) would
/// otherwise make one line running off the page, where Confluence's `overflow-wrap:
/// break-word` wraps it on screen.
fn is_run_char(c: char) -> bool {
    // Most text is ASCII, where the rest comes to this, without the two script look-ups.
    if c.is_ascii() {
        return c.is_ascii_graphic();
    }
    is_run_char_by_its_properties(c)
}

/// [`is_run_char`] for any character.
fn is_run_char_by_its_properties(c: char) -> bool {
    (!c.is_whitespace() || is_no_break_space(c))
        && !is_markup_space(c)
        && !is_bidi_control(c)
        && !is_cjk(c)
        && !is_segmented_by_dictionary(c)
        && !is_joining_script(c)
}

/// Scripts whose letters join their neighbours: Typst shapes a run of them as one, and an empty
/// box between two letters makes each take its unjoined form.
fn is_joining_script(c: char) -> bool {
    matches!(
        c.script(),
        Script::Arabic
            | Script::Syriac
            | Script::Nko
            | Script::Mongolian
            | Script::Adlam
            | Script::Mandaic
            | Script::Hanifi_Rohingya
    )
}

/// Thai, Lao, Khmer and Myanmar: Typst breaks their lines between words it finds with a
/// dictionary, so forced break opportunities would only split words.
fn is_segmented_by_dictionary(c: char) -> bool {
    matches!(
        c.script(),
        Script::Thai | Script::Lao | Script::Khmer | Script::Myanmar
    )
}

/// No-break, figure and narrow no-break spaces: Typst breaks no line at them.
fn is_no_break_space(c: char) -> bool {
    matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}')
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

/// `text` as a Typst value the theme shows as text (a title, a panel's icon): a string
/// literal, which the theme cuts where it must (`folio-cut`), or, when `text` has an emoji that
/// Twemoji draws, markup in brackets, cut as running text is, so that the emoji is drawn as its
/// picture (see [`push_markup_text`]).
pub fn shown_text(text: &str) -> String {
    if !crate::emoji::has_pictures(text) {
        return string_literal(text);
    }
    let mut out = String::with_capacity(text.len() + 64);
    out.push('[');
    let cuts = TextualRun::default().cuts(text);
    push_cut_text(&mut out, text, 0..text.len(), &cuts);
    out.push(']');
    out
}

/// A paragraph's `markup` without the spaces at its ends, or empty if it shows nothing but
/// spaces (Confluence's `<p>&nbsp;</p>`, which folio leaves out). Only the spaces Typst's markup
/// collapses are trimmed, not `str::trim`'s every Unicode space: a paragraph indented with no-break
/// or ideographic spaces shows them in Confluence, and the widths measured for a table cell
/// (`cell_widths.rs`) count them.
pub fn trim_paragraph(markup: &str) -> &str {
    if markup.trim().is_empty() {
        ""
    } else {
        markup.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
    }
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

    /// What Typst's parser makes of `markup`: the text it typesets, with `|` for a break
    /// opportunity. Panics on anything with markup meaning (strong, math, a call other than
    /// `folio-wbr`, a smart quote, a shorthand, a reference, …).
    fn parsed_text(markup: &str) -> String {
        use typst::syntax::ast::{self, AstNode, Expr};
        let root = typst::syntax::parse(markup);
        assert!(
            root.errors_and_warnings().0.is_empty(),
            "{markup:?} does not parse"
        );
        let mut text = String::new();
        for expr in root.cast::<ast::Markup>().unwrap().exprs() {
            match expr {
                Expr::Text(t) => text.push_str(t.get()),
                Expr::Space(_) => text.push(' '),
                Expr::Escape(e) => text.push(e.get()),
                Expr::Str(s) => text.push_str(&s.get()),
                Expr::FuncCall(call) if call.callee().to_untyped().full_text() == "folio-wbr" => {
                    text.push('|')
                }
                other => panic!("{markup:?} has markup meaning: {other:?}"),
            }
        }
        text
    }

    /// Asserts that `text` in markup typesets as itself.
    fn assert_literal(text: &str) {
        assert_eq!(parsed_text(&markup_text(text)), text, "{text:?}");
    }

    #[test]
    fn text_of_many_words_is_one_literal() {
        // Markup would make each word and space an element of the paragraph.
        let few = vec!["word"; MARKUP_WORDS].join(" ");
        assert_eq!(markup_text(&few), few);
        let many = vec!["word"; MARKUP_WORDS + 1].join(" ");
        let markup = markup_text(&many);
        assert_eq!(markup, format!("#\"{many}\""));
        assert_eq!(parsed_text(&markup), many);
    }

    #[test]
    fn issue_hash_starts_no_code() {
        assert_literal("#read(\"/etc/passwd\")");
        assert_literal("#import \"x\": *");
        assert_literal("#sys.inputs");
    }

    #[test]
    fn issue_brackets_stay_text() {
        assert_literal("a]b[c");
    }

    #[test]
    fn issue_strong_and_emph_markers_stay_text() {
        assert_literal("*bold* _emph_");
    }

    #[test]
    fn issue_dollar_does_not_open_math() {
        assert_literal("$x$");
    }

    #[test]
    fn issue_at_and_angle_do_not_reference_or_label() {
        assert_literal("@ref <label>");
    }

    #[test]
    fn issue_backslash_is_escaped() {
        assert_literal(r"a\b\");
        // `\u{41}` in page text must not become a Unicode escape.
        assert_literal(r"\u{41}");
    }

    #[test]
    fn issue_comment_markers_stay_text() {
        assert_literal("a // b /* c */");
    }

    #[test]
    fn issue_line_start_markers_stay_text() {
        for text in ["= h", "- item", "+ item", "1. item", "/ term: x"] {
            assert_literal(text);
        }
    }

    #[test]
    fn issue_shorthands_stay_text() {
        assert_literal("a~b -- c --- d ... -? -1");
    }

    #[test]
    fn issue_quotes_are_not_smart() {
        assert_literal(r#"'a' "b""#);
    }

    #[test]
    fn issue_autolinks_are_not_made() {
        assert_literal("https://x.org");
    }

    #[test]
    fn issue_raw_backticks_stay_text() {
        assert_literal("`code`");
    }

    #[test]
    fn issue_text_after_a_call_or_literal_does_not_continue_it() {
        // Each piece is pushed on its own, as the writer does between inline elements.
        let mut out = String::new();
        push_markup_text(&mut out, "a.");
        push_markup_text(&mut out, ".b");
        out.push_str(WORD_BREAK);
        push_markup_text(&mut out, "(c)");
        out.push_str(WORD_BREAK);
        push_markup_text(&mut out, "[d]");
        push_markup_text(&mut out, "e");
        assert_eq!(parsed_text(&out), "a..b|(c)|[d]e");
    }

    #[test]
    fn issue_newlines_and_tabs_become_spaces() {
        assert_eq!(
            markup_text("a\nb\tc\r\nd\u{2028}e\u{2029}f\u{85}g\u{b}h\u{c}i\u{0}j"),
            "a b c  d e f g h i j"
        );
    }

    fn breakable(text: &str, boxes: usize) -> (String, usize) {
        let mut left = boxes;
        let mut out = String::new();
        push_breakable_text(&mut out, text, 20, &mut left, &[]);
        (out, boxes - left)
    }

    #[test]
    fn issue_long_runs_may_break_anywhere() {
        let (out, _) = breakable(
            "see https://x.org/aaaaaaaaaaaaaaaaaaaa\"x now",
            BREAK_BOX_BUDGET,
        );
        assert_eq!(
            parsed_text(&out),
            "see https:|/|/|x.|org/|aaaaaaaaaaaa|aaaaaaaa\"x now"
        );
        // No invisible character goes into the text.
        assert!(!out.contains('\u{200B}'));
        let (out, _) = breakable("{{approvalExpirationDate}}", BREAK_BOX_BUDGET);
        assert_eq!(parsed_text(&out), "{{approval|Expiration|Date}}");
        let (out, used) = breakable("short words stay #text", BREAK_BOX_BUDGET);
        assert_eq!(parsed_text(&out), "short words stay #text");
        assert_eq!(used, 0);
        // CJK breaks by itself.
        let (out, _) = breakable(&"漢".repeat(30), BREAK_BOX_BUDGET);
        assert_eq!(out, "漢".repeat(30));
    }

    #[test]
    fn issue_break_boxes_past_the_budget_become_zero_width_spaces() {
        let (out, used) = breakable("a/b/c/d/e/f/g/h/i/j/k/l/m/n", 2);
        assert_eq!(used, 2);
        assert_eq!(
            parsed_text(&out),
            "a/|b/|c/\u{200B}d/\u{200B}e/\u{200B}f/\u{200B}g/\u{200B}h/\u{200B}i/\u{200B}j/\u{200B}k/\u{200B}l/\u{200B}m/\u{200B}n"
        );
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
        assert_eq!(markup_text("한국어 ✓ émoji ❤"), "한국어 ✓ émoji ❤");
    }

    #[test]
    fn emoji_become_pictures_with_their_code_points_and_the_text_around_stays_as_it_was() {
        assert_eq!(
            markup_text("Done 🎉 (finally)"),
            "Done #folio-emoji(\"/emoji/1f389.svg\", (127881,))#\" (finally)\""
        );
        assert_eq!(
            markup_text("❤️🇰🇷"),
            "#folio-emoji(\"/emoji/2764.svg\", (10084,65039,))\
             #folio-emoji(\"/emoji/1f1f0-1f1f7.svg\", (127472,127479,))"
        );
        // Code: a show rule's pattern, the longest emoji first, and each one's picture.
        assert_eq!(code_emoji("fn main() {}"), None);
        assert_eq!(
            code_emoji("👍 #️⃣ 👍🏽 👍"),
            Some(
                "(pattern: \"👍🏽|\\\\#️⃣|👍\", pictures: (\
                 \"#️⃣\": (\"/emoji/23-20e3.svg\", (35,65039,8419,)), \
                 \"👍\": (\"/emoji/1f44d.svg\", (128077,)), \
                 \"👍🏽\": (\"/emoji/1f44d-1f3fd.svg\", (128077,127997,)),))"
                    .to_owned()
            )
        );
        assert_eq!(code_emoji(&"🎉".repeat(CODE_EMOJI + 1)), None);
        // Titles: a string unless there is an emoji, then markup.
        assert_eq!(shown_text("Plan (v2)"), "\"Plan (v2)\"");
        assert_eq!(
            shown_text("🚀 Plan"),
            "[#folio-emoji(\"/emoji/1f680.svg\", (128640,)) Plan]"
        );
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

    /// The matches between consecutive cuts of `text` (from its start, and to its end), as
    /// [`TextualRun`] counts them.
    fn matches_between_cuts(text: &str, cuts: &[usize]) -> Vec<usize> {
        let cost = |c: char| match c {
            c if c.is_whitespace() || is_markup_space(c) => 1,
            c if is_cjk(c) => 4,
            _ => 0,
        };
        let mut bounds = vec![0];
        bounds.extend(cuts);
        bounds.push(text.len());
        bounds
            .windows(2)
            .map(|pair| text[pair[0]..pair[1]].chars().map(cost).sum())
            .collect()
    }

    #[test]
    fn a_long_run_of_text_is_cut_every_few_dozen_matches() {
        let words: Vec<String> = (0..1000).map(|i| format!("w{i}")).collect();
        let prose = words.join(" ");
        let ideographs = "的一是不了人我在有他这中大来上".repeat(70);
        let no_break = "nb\u{a0}".repeat(1000);
        for text in [&prose, &ideographs, &no_break] {
            let cuts = TextualRun::default().cuts(text);
            assert!(cuts.len() >= 4, "{} cuts", cuts.len());
            let between = matches_between_cuts(text, &cuts);
            assert!(between.iter().all(|&m| m <= MATCHES_PER_RUN), "{between:?}");
        }
        // Typst reads the text as it was, with zero spacing in it.
        let mut out = String::new();
        let cuts = TextualRun::default().cuts(&prose);
        push_breakable_text(&mut out, &prose, 20, &mut 100, &cuts);
        assert_eq!(out.matches(TEXT_CUT).count(), cuts.len());
        assert_eq!(parsed_text(&out.replace(TEXT_CUT, "")), prose);
    }

    #[test]
    fn a_long_word_is_cut_every_few_dozen_break_opportunities() {
        let word = "Supercalifragilistic".repeat(300);
        let cuts = TextualRun::default().breakable_cuts(&word, 20);
        let mut out = String::new();
        push_breakable_text(&mut out, &word, 20, &mut 10_000, &cuts);
        let boxes = out.matches(WORD_BREAK).count();
        assert!(boxes > 500, "{boxes} break boxes");
        // Between two cuts, at most `MATCHES_PER_RUN` break boxes.
        for run in out.split(TEXT_CUT) {
            assert!(run.matches(WORD_BREAK).count() <= MATCHES_PER_RUN, "{run}");
        }
        assert_eq!(out.replace(TEXT_CUT, "").replace(WORD_BREAK, ""), word);
        // Text without break opportunities is cut as before.
        let prose = "a few words ".repeat(100);
        assert_eq!(
            TextualRun::default().breakable_cuts(&prose, 20),
            TextualRun::default().cuts(&prose)
        );
    }

    #[test]
    fn ascii_run_characters_are_its_printable_characters() {
        for c in (0..=0x7f_u8).map(char::from) {
            assert_eq!(is_run_char(c), is_run_char_by_its_properties(c), "{c:?}");
        }
    }

    #[test]
    fn long_runs_never_break_inside_a_letter_or_a_thai_word() {
        // "é" written as "e" and a combining acute accent: the accent stays on its letter.
        let accented = format!("x{}", "e\u{301}".repeat(30));
        let (out, _) = breakable(&accented, BREAK_BOX_BUDGET);
        let parsed = parsed_text(&out);
        assert!(parsed.contains('|'), "{parsed}");
        assert!(!parsed.contains("|\u{301}"), "{parsed}");
        // Thai has no spaces between words; Typst finds them with a dictionary.
        let thai = "ภาษาไทยเป็นภาษาที่ไม่มีการเว้นวรรคระหว่างคำในประโยคเดียวกัน";
        assert_eq!(breakable(thai, BREAK_BOX_BUDGET), (thai.to_owned(), 0));
    }

    #[test]
    fn arabic_letters_keep_their_joins() {
        // A long word of joined letters ("and with their documentation", run together): a box
        // between two of them would show each in its unjoined form.
        let arabic = "وبتوثيقاتهمالمستفيضةوالمكتملة";
        assert!(arabic.chars().count() > 2 * BREAK_EVERY);
        assert_eq!(breakable(arabic, BREAK_BOX_BUDGET), (arabic.to_owned(), 0));
        assert!(break_offsets(arabic, BREAK_EVERY).is_empty());
        // Latin text around it still breaks as before.
        let mixed = format!("{}_{arabic}", "identifier_".repeat(4));
        assert!(breakable(&mixed, BREAK_BOX_BUDGET).1 > 0);
    }

    #[test]
    fn words_joined_by_no_break_spaces_may_break_after_them_once_they_run_long() {
        // A short run keeps its no-break spaces whole: "10 km" stays on one line.
        let text = |source: &str| parsed_text(&breakable(source, BREAK_BOX_BUDGET).0);
        assert_eq!(text("10\u{a0}km"), "10\u{a0}km");
        let joined = ["alpha", "beta", "gamma", "delta", "epsilon"].join("\u{a0}");
        assert_eq!(
            text(&joined),
            "alpha\u{a0}|beta\u{a0}|gamma\u{a0}|delta\u{a0}|epsilon"
        );
        // Cut for Typst's regex show rules, a long run keeps its text and its break boxes.
        let long = vec!["nb"; 600].join("\u{a0}");
        let cuts = TextualRun::default().cuts(&long);
        assert!(cuts.len() >= 2);
        let mut out = String::new();
        push_breakable_text(&mut out, &long, 20, &mut 10_000, &cuts);
        assert_eq!(out.matches(TEXT_CUT).count(), cuts.len());
        assert_eq!(out.matches(WORD_BREAK).count(), 599);
        assert_eq!(
            out.replace(TEXT_CUT, "").replace(WORD_BREAK, ""),
            markup_text(&long)
        );
    }

    #[test]
    fn a_run_of_text_continues_across_texts_and_line_breaks() {
        let mut run = TextualRun::default();
        let mut cuts = 0;
        for _ in 0..300 {
            cuts += run.cuts("a b").len();
            cuts += usize::from(run.line_break());
        }
        // 600 matches, never more than `MATCHES_PER_RUN` between cuts.
        assert!(cuts >= 600 / MATCHES_PER_RUN, "{cuts} cuts");
        // A sentence is not cut.
        assert!(TextualRun::default().cuts(&"word ".repeat(40)).is_empty());
    }
}
