//! The small CSS subset storage writes in `style` attributes: alignment, widths, indents and
//! colours.

use folio_ir::{Align, Color, Length};

/// The value of `property` in a `style` attribute (the last declaration wins, as in CSS).
pub(crate) fn property<'a>(style: &'a str, property: &str) -> Option<&'a str> {
    style
        .split(';')
        .filter_map(|declaration| declaration.split_once(':'))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case(property))
        .map(|(_, value)| strip_important(value.trim()))
        .rfind(|value| !value.is_empty())
}

fn strip_important(value: &str) -> &str {
    match value.rfind('!') {
        Some(bang) if value[bang + 1..].trim().eq_ignore_ascii_case("important") => {
            value[..bang].trim()
        }
        _ => value,
    }
}

/// `text-align` values (and the `align` attribute).
pub(crate) fn parse_align(value: &str) -> Option<Align> {
    match value.trim().to_ascii_lowercase().as_str() {
        "left" | "start" => Some(Align::Left),
        "center" | "middle" => Some(Align::Center),
        "right" | "end" => Some(Align::Right),
        "justify" => Some(Align::Justify),
        _ => None,
    }
}

/// `226.67px`, `11.91%`, or a bare number (pixels). Negative and unknown units give `None`.
pub(crate) fn parse_length(value: &str) -> Option<Length> {
    let value = value.trim().to_ascii_lowercase();
    if let Some(percent) = value.strip_suffix('%') {
        return parse_number(percent).map(Length::Percent);
    }
    let px = value.strip_suffix("px").unwrap_or(&value);
    parse_number(px).map(Length::Px)
}

/// A non-negative, finite number of pixels (`760`, `50px`).
pub(crate) fn parse_px(value: &str) -> Option<f32> {
    match parse_length(value)? {
        Length::Px(px) => Some(px),
        Length::Percent(_) => None,
    }
}

fn parse_number(text: &str) -> Option<f32> {
    let number: f32 = text.trim().parse().ok()?;
    (number.is_finite() && number >= 0.0).then_some(number)
}

/// The indent level of a `margin-left` (Confluence indents by 30px per level).
pub(crate) fn indent_level(margin_left: &str) -> u8 {
    match parse_length(margin_left) {
        Some(Length::Px(px)) => (px / 30.0).round().clamp(0.0, f32::from(u8::MAX)) as u8,
        _ => 0,
    }
}

/// A CSS colour: names, hex, `rgb()`/`rgba()`, and design tokens `var(--x, fallback)` nested to
/// any depth (the innermost fallback is the colour). Transparent or unknown values give `None`.
pub(crate) fn parse_color(value: &str) -> Option<Color> {
    Color::parse_css(strip_important(value.trim()))
}

/// A table cell highlight (`data-highlight-colour`, `class="highlight-…"`). Confluence's named
/// highlights are its own pale palette, not the CSS colours of the same name.
pub(crate) fn parse_highlight(value: &str) -> Option<Color> {
    let hex = match value.trim().to_ascii_lowercase().as_str() {
        "grey" | "gray" => 0xf4f5f7,
        "red" => 0xffebe6,
        "green" => 0xe3fcef,
        "blue" => 0xdeebff,
        "yellow" => 0xfffae6,
        "purple" => 0xeae6ff,
        "teal" => 0xe6fcff,
        _ => return parse_color(value),
    };
    Some(Color::rgb((hex >> 16) as u8, (hex >> 8) as u8, hex as u8))
}

/// An HTML-style non-negative integer attribute (`colspan`, `rowspan`, `span`, `start`): leading
/// digits after an optional `+`; garbage, zero and negative values give `None`; values too large
/// for `u32` saturate.
pub(crate) fn parse_count(value: &str) -> Option<u32> {
    let value = value.trim();
    let value = value.strip_prefix('+').unwrap_or(value);
    let digits = value.len() - value.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    let digits = value[..digits].trim_start_matches('0');
    if digits.is_empty() {
        return None;
    }
    Some(digits.parse::<u32>().unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_properties() {
        let style = "text-align: center; COLOR : rgb(1,2,3) ;width:10px;width: 20px !important";
        assert_eq!(property(style, "text-align"), Some("center"));
        assert_eq!(property(style, "color"), Some("rgb(1,2,3)"));
        assert_eq!(property(style, "width"), Some("20px"));
        assert_eq!(property(style, "margin"), None);
        assert_eq!(property("", "x"), None);
    }

    #[test]
    fn parses_lengths() {
        assert_eq!(parse_length("226.67px"), Some(Length::Px(226.67)));
        assert_eq!(parse_length(" 11.91% "), Some(Length::Percent(11.91)));
        assert_eq!(parse_length("01%"), Some(Length::Percent(1.0)));
        assert_eq!(parse_length("760"), Some(Length::Px(760.0)));
        assert_eq!(parse_length("-3px"), None);
        assert_eq!(parse_length("2em"), None);
        assert_eq!(parse_length("NaN"), None);
        assert_eq!(parse_px("50%"), None);
    }

    #[test]
    fn indents_by_thirty_pixels() {
        assert_eq!(indent_level("30px"), 1);
        assert_eq!(indent_level("60.0px"), 2);
        assert_eq!(indent_level("0"), 0);
        assert_eq!(indent_level("99999999px"), 255);
    }

    #[test]
    fn parses_colours_and_highlights() {
        assert_eq!(parse_color("rgb(7,71,166)"), Some(Color::rgb(7, 71, 166)));
        assert_eq!(
            parse_color("#FF0000 !important"),
            Some(Color::rgb(255, 0, 0))
        );
        assert_eq!(
            parse_highlight("var(--ds-a, var(--ds-b, #F1F2F4))"),
            Some(Color::rgb(0xf1, 0xf2, 0xf4))
        );
        assert_eq!(parse_highlight("grey"), Some(Color::rgb(0xf4, 0xf5, 0xf7)));
        assert_eq!(
            parse_highlight("#79f2c0"),
            Some(Color::rgb(0x79, 0xf2, 0xc0))
        );
        assert_eq!(parse_highlight("nonsense"), None);
    }

    #[test]
    fn parses_counts_leniently() {
        assert_eq!(parse_count("3"), Some(3));
        assert_eq!(parse_count(" +2 "), Some(2));
        assert_eq!(parse_count("2.5"), Some(2));
        assert_eq!(parse_count("0"), None);
        assert_eq!(parse_count("-1"), None);
        assert_eq!(parse_count("abc"), None);
        assert_eq!(parse_count("99999999999999"), Some(u32::MAX));
    }
}
