//! Colours as pages write them: CSS names, hex, `rgb()`, and Confluence Cloud's design tokens.

use crate::Color;

impl Color {
    /// Parses a CSS colour as Confluence stores it (`#79f2c0`, `grey`, `rgb(7,71,166)`, or a
    /// design token `var(--ds-background-accent-gray-subtlest, #F4F5F7)`, nested or not, whose
    /// innermost fallback is the colour). Transparent and unparsable values give `None`.
    pub fn parse_css(value: &str) -> Option<Color> {
        let value = innermost_var_fallback(value.trim())?;
        let color = csscolorparser::parse(value).ok()?;
        if color.a == 0.0 {
            return None;
        }
        let [r, g, b, _] = color.to_rgba8();
        Some(Color::rgb(r, g, b))
    }
}

/// `var(--a, var(--b, #fff))` → `#fff`; `var(--a)` (no fallback) → `None`; other values unchanged.
fn innermost_var_fallback(mut value: &str) -> Option<&str> {
    // Bounded by the input's length: each round strips at least `var(`.
    while let Some(inner) = value.strip_prefix("var(") {
        let inner = inner.strip_suffix(')').unwrap_or(inner);
        let (_, fallback) = inner.split_once(',')?;
        value = fallback.trim();
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_confluence_writes() {
        assert_eq!(
            Color::parse_css("#79f2c0"),
            Some(Color::rgb(0x79, 0xf2, 0xc0))
        );
        assert_eq!(
            Color::parse_css("rgb(7,71,166)"),
            Some(Color::rgb(7, 71, 166))
        );
        assert_eq!(Color::parse_css("grey"), Some(Color::rgb(128, 128, 128)));
        assert_eq!(
            Color::parse_css("var(--ds-background-accent-gray-subtlest, var(--ds-x, #F1F2F4))"),
            Some(Color::rgb(0xf1, 0xf2, 0xf4))
        );
        assert_eq!(Color::parse_css("var(--ds-no-fallback)"), None);
        assert_eq!(Color::parse_css("transparent"), None);
        assert_eq!(Color::parse_css("not a colour"), None);
    }
}
