//! What an SVG attachment refers to beyond itself, checked before Typst sees it.
//!
//! Typst resolves an SVG's `<image href>` against the world: absolute paths and URLs are
//! refused, relative paths are looked up among the served files, and any failure fails the
//! whole document. Images inlined as `data:` URLs are decoded when the PDF is written, where
//! the pass's pixel limit never saw them. Both are checked here with usvg, the parser Typst
//! itself uses, so that such an SVG becomes a placeholder instead.

use std::sync::atomic::{AtomicBool, Ordering};

/// Largest raster image (width × height) inlined in an SVG that folio embeds; the same bound
/// as the passes' default `max_image_pixels` for attachments.
pub const MAX_INLINE_PIXELS: u64 = 100_000_000;

/// Whether an SVG is safe to hand to Typst: it parses, links no image by path or URL, and
/// inlines no raster image larger than [`MAX_INLINE_PIXELS`] (or one whose size cannot be read).
pub fn is_self_contained(bytes: &[u8]) -> bool {
    let refused = AtomicBool::new(false);
    let options = usvg::Options {
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|mime, data, options| {
                let small = imagesize::blob_size(&data).is_ok_and(|size| {
                    (size.width as u64).saturating_mul(size.height as u64) <= MAX_INLINE_PIXELS
                });
                if !small {
                    refused.store(true, Ordering::Relaxed);
                    return None;
                }
                (usvg::ImageHrefResolver::default_data_resolver())(mime, data, options)
            }),
            resolve_string: Box::new(|_, _| {
                refused.store(true, Ordering::Relaxed);
                None
            }),
        },
        ..usvg::Options::default()
    };
    usvg::Tree::from_data(bytes, &options).is_ok() && !refused.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg(body: &str) -> Vec<u8> {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">{body}</svg>"#
        )
        .into_bytes()
    }

    #[test]
    fn plain_svgs_are_self_contained() {
        assert!(is_self_contained(&svg(r#"<rect width="5" height="5"/>"#)));
    }

    #[test]
    fn linked_images_are_refused() {
        for href in [
            "file:///etc/passwd",
            "/etc/passwd",
            "http://example.invalid/x.png",
            "0",
            "../theme.typ",
        ] {
            let bytes = svg(&format!(r#"<image href="{href}" width="5" height="5"/>"#));
            assert!(!is_self_contained(&bytes), "{href}");
            let bytes = svg(&format!(
                r#"<image xlink:href="{href}" width="5" height="5"/>"#
            ));
            assert!(!is_self_contained(&bytes), "xlink {href}");
        }
    }

    #[test]
    fn inlined_images_are_checked_for_size() {
        // A PNG header claiming 100,000 × 100,000 pixels, as a data URL.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(100_000u32.to_be_bytes());
        png.extend(100_000u32.to_be_bytes());
        png.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
        let encoded = base64(&png);
        let bytes = svg(&format!(
            r#"<image href="data:image/png;base64,{encoded}" width="5" height="5"/>"#
        ));
        assert!(!is_self_contained(&bytes));
    }

    fn base64(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        while !out.len().is_multiple_of(4) {
            out.push('=');
        }
        out
    }
}
