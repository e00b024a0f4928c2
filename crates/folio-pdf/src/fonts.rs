//! Fonts: the embedded faces every PDF uses, then system fonts as fallback.
//!
//! Embedded, so that the default output is identical on every machine:
//! - DejaVu Sans (regular, bold, oblique, bold oblique) for text, from the `dejavu` crate;
//! - DejaVu Sans Mono (four styles) for code and New Computer Modern Math for math, from
//!   `typst-assets` through `typst_kit::fonts::embedded()`.
//!
//! System fonts, when enabled, come after them in the font book; their files are read lazily, the
//! first time Typst needs one (for example for a Korean or emoji character DejaVu lacks). System
//! faces of the embedded families are skipped, so that they never replace the embedded ones.

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst_kit::fonts::FontStore;

/// Family of the body text.
pub const SANS: &str = "DejaVu Sans";
/// Family of code.
pub const MONO: &str = "DejaVu Sans Mono";
/// Family of math.
pub const MATH: &str = "New Computer Modern Math";

/// The fonts of an engine: loaded once, shared by every render.
pub struct Fonts {
    store: FontStore,
}

impl Fonts {
    /// The embedded fonts, plus the system's fonts as fallback when `system` is true.
    pub fn load(system: bool) -> Self {
        let mut store = FontStore::new();
        let sans = [
            dejavu::sans::regular(),
            dejavu::sans::bold(),
            dejavu::sans::oblique(),
            dejavu::sans::bold_oblique(),
        ];
        for data in sans {
            for font in Font::iter(Bytes::new(data)) {
                let info = font.info().clone();
                store.push((font, info));
            }
        }
        store.extend(
            typst_kit::fonts::embedded()
                .filter(|(_, info)| info.family == MONO || info.family == MATH),
        );
        if system {
            let embedded = [SANS, MONO, MATH].map(str::to_lowercase);
            store.extend(
                typst_kit::fonts::system()
                    .filter(|(_, info)| !embedded.contains(&info.family.to_lowercase())),
            );
        }
        Self { store }
    }

    pub fn book(&self) -> &LazyHash<FontBook> {
        self.store.book()
    }

    pub fn font(&self, index: usize) -> Option<Font> {
        self.store.font(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_families_are_in_the_book() {
        let fonts = Fonts::load(false);
        let families: Vec<&str> = fonts.book().families().map(|(name, _)| name).collect();
        assert!(families.contains(&SANS), "{families:?}");
        assert!(families.contains(&MONO), "{families:?}");
        assert!(families.contains(&MATH), "{families:?}");
        assert_eq!(fonts.book().select_family(&SANS.to_lowercase()).count(), 4);
        assert!(fonts.font(0).is_some());
    }
}
