//! Image sizing: intrinsic sizes from file headers (never a full decode), and placeholders for
//! attachments that are missing, unreadable, of a format the PDF cannot embed, or too large.

use folio_ir::{
    Block, Diagnostic, Document, Image, ImageLayout, ImageSource, Inline, walk_blocks_mut,
    walk_inlines_mut,
};

use crate::PassContext;

/// Image formats folio can embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
    Gif,
    Webp,
    /// Windows bitmaps: browsers show them, so Confluence does; the PDF gets them as PNGs.
    Bmp,
    /// Windows icons (the largest picture of the file), shown as browsers show them.
    Ico,
    Svg,
}

impl ImageFormat {
    /// Sniffs the format and intrinsic size from the first bytes of a file.
    pub fn sniff(bytes: &[u8]) -> Option<(ImageFormat, Option<(u32, u32)>)> {
        use imagesize::ImageType;
        if let Ok(kind) = imagesize::image_type(bytes) {
            let format = match kind {
                ImageType::Png => ImageFormat::Png,
                ImageType::Jpeg => ImageFormat::Jpeg,
                ImageType::Gif => ImageFormat::Gif,
                ImageType::Webp => ImageFormat::Webp,
                ImageType::Bmp => return Some((ImageFormat::Bmp, Some(bmp_size(bytes)?))),
                ImageType::Ico => ImageFormat::Ico,
                _ => return None,
            };
            let size = imagesize::blob_size(bytes).ok()?;
            return Some((format, Some((size.width as u32, size.height as u32))));
        }
        svg_size(bytes).map(|size| (ImageFormat::Svg, size))
    }
}

/// Largest width, in px, of an `ac:thumbnail` image (Confluence's thumbnail size).
const THUMBNAIL_WIDTH: f32 = 300.0;

/// Fills `intrinsic` for attachment images and marks the ones that cannot be drawn as `missing`.
pub fn size_images(document: &mut Document, cx: &mut PassContext<'_>) {
    let mut over_limit = false;
    walk_blocks_mut(&mut document.blocks, &mut |blocks: &mut Vec<Block>| {
        for block in blocks.iter_mut() {
            if let Block::Image(image) = block {
                size_image(image, cx, &mut over_limit);
            }
        }
    });
    walk_inlines_mut(&mut document.blocks, &mut |inlines: &mut Vec<Inline>| {
        for inline in inlines.iter_mut() {
            if let Inline::Image(image) = inline {
                size_image(image, cx, &mut over_limit);
            }
        }
    });
}

/// `over_limit` is set once an image was left out for `max_images`, which is reported once.
fn size_image(image: &mut Image, cx: &mut PassContext<'_>, over_limit: &mut bool) {
    let filename = match &image.source {
        ImageSource::Attachment { filename, .. } => filename.clone(),
        ImageSource::Url { .. } => {
            cx.report(
                Diagnostic::warning("external-image", "external image is not fetched")
                    .at(image.span)
                    .with_hint("folio never opens connections; the image is shown as a link"),
            );
            return;
        }
    };
    let Some(bytes) = cx.attachment(&filename) else {
        image.missing = true;
        cx.report(
            Diagnostic::warning(
                "missing-attachment",
                format!("attachment `{filename}` was not supplied"),
            )
            .at(image.span)
            .with_hint("pass the page's attachments folder with --attachments"),
        );
        return;
    };
    match ImageFormat::sniff(&bytes) {
        None => {
            image.missing = true;
            cx.report(
                Diagnostic::warning(
                    "unreadable-image",
                    format!("attachment `{filename}` is not a PNG, JPEG, GIF, WebP, BMP, ICO or SVG image"),
                )
                .at(image.span),
            );
        }
        Some((_, Some((w, h)))) if u64::from(w) * u64::from(h) > cx.options.max_image_pixels => {
            image.missing = true;
            cx.report(
                Diagnostic::warning(
                    "image-too-large",
                    format!(
                        "image `{filename}` has {w}×{h} pixels, more than the limit of {}",
                        cx.options.max_image_pixels
                    ),
                )
                .at(image.span),
            );
        }
        Some(_) if !cx.images.contains(&filename) && cx.images.len() >= cx.options.max_images => {
            image.missing = true;
            let limit = cx.options.max_images;
            if !std::mem::replace(over_limit, true) {
                cx.report(
                    Diagnostic::warning(
                        "too-many-images",
                        format!("the document has more than {limit} images (limit `max_images`)"),
                    )
                    .at(image.span)
                    .with_hint("this and every further image is a placeholder"),
                );
            }
        }
        Some((_, size)) => {
            cx.images.insert(filename);
            if size.is_some() {
                image.intrinsic = size;
            }
            // A thumbnail without a size of its own is drawn at Confluence's thumbnail width.
            if image.layout == ImageLayout::Thumbnail
                && image.width.is_none()
                && image.height.is_none()
                && let Some((w, _)) = image.intrinsic
            {
                image.width = Some((w as f32).min(THUMBNAIL_WIDTH));
            }
        }
    }
}

/// Width and height of a BMP from its info header. `imagesize` reads the height as unsigned,
/// but a BMP stored top to bottom, as many programs write it, gives it as a negative number.
fn bmp_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let field = |at: usize, len: usize| bytes.get(at..at + len);
    let header_size = u32::from_le_bytes(field(14, 4)?.try_into().ok()?);
    if header_size == 12 {
        // OS/2's BITMAPCOREHEADER: unsigned 16-bit sizes.
        let width = u16::from_le_bytes(field(18, 2)?.try_into().ok()?);
        let height = u16::from_le_bytes(field(20, 2)?.try_into().ok()?);
        return Some((width.into(), height.into()));
    }
    let width = i32::from_le_bytes(field(18, 4)?.try_into().ok()?);
    let height = i32::from_le_bytes(field(22, 4)?.try_into().ok()?);
    Some((width.unsigned_abs(), height.unsigned_abs()))
}

/// Width and height of an SVG from its root element's `width`/`height` (absolute units) or
/// `viewBox`. `imagesize` does not read SVG, and a full SVG parser would be far more than this
/// needs; `None` inside means "an SVG of unknown size".
fn svg_size(bytes: &[u8]) -> Option<Option<(u32, u32)>> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let start = head.find("<svg")?;
    let tag_end = head[start..].find('>').map_or(head.len(), |i| start + i);
    let tag = &head[start..tag_end];
    let attr = |name: &str| -> Option<&str> {
        let pattern = format!(" {name}=");
        let at = tag.find(&pattern)? + pattern.len();
        let quote = tag[at..].chars().next()?;
        let rest = &tag[at + 1..];
        Some(&rest[..rest.find(quote)?])
    };
    let px = |value: &str| -> Option<f64> {
        let value = value.trim();
        let (number, factor) = [
            ("px", 1.0),
            ("pt", 96.0 / 72.0),
            ("mm", 96.0 / 25.4),
            ("cm", 96.0 / 2.54),
            ("in", 96.0),
        ]
        .iter()
        .find_map(|(unit, factor)| value.strip_suffix(unit).map(|n| (n, *factor)))
        .unwrap_or((value, 1.0));
        number
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n > 0.0)
            .map(|n| n * factor)
    };
    let size = match (attr("width").and_then(px), attr("height").and_then(px)) {
        (Some(w), Some(h)) => Some((w, h)),
        _ => attr("viewBox").and_then(|vb| {
            let numbers: Vec<f64> = vb
                .split([' ', ','])
                .filter_map(|n| n.parse().ok())
                .collect();
            match numbers.as_slice() {
                [_, _, w, h] if *w > 0.0 && *h > 0.0 => Some((*w, *h)),
                _ => None,
            }
        }),
    };
    Some(size.map(|(w, h)| (w.round().min(1e6) as u32, h.round().min(1e6) as u32)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PassOptions;
    use folio_ir::{Attachments, Span};

    /// A valid 3×2 PNG header (signature + IHDR); enough for sizing.
    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        bytes.extend(w.to_be_bytes());
        bytes.extend(h.to_be_bytes());
        bytes.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
        bytes
    }

    fn image(filename: &str) -> Image {
        Image {
            source: ImageSource::Attachment {
                filename: filename.into(),
                page: None,
            },
            alt: None,
            width: None,
            height: None,
            intrinsic: None,
            align: None,
            border: false,
            caption: vec![],
            missing: false,
            layout: folio_ir::ImageLayout::Normal,
            span: Span::new(1, 2),
        }
    }

    fn run(images: Vec<Image>, attachments: &Attachments) -> (Vec<Image>, Vec<Diagnostic>) {
        let options = PassOptions::default();
        let mut cx = PassContext::new(attachments, &options);
        let mut document = Document {
            title: None,
            blocks: images.into_iter().map(Block::Image).collect(),
        };
        size_images(&mut document, &mut cx);
        let images = document.blocks.into_iter().map(|b| match b {
            Block::Image(i) => i,
            _ => unreachable!(),
        });
        (images.collect(), cx.diagnostics)
    }

    #[test]
    fn reads_png_size_from_the_header() {
        let mut attachments = Attachments::new();
        attachments.insert("a.png", png_header(3, 2));
        let (images, diagnostics) = run(vec![image("a.png")], &attachments);
        assert_eq!(images[0].intrinsic, Some((3, 2)));
        assert!(!images[0].missing);
        assert!(diagnostics.is_empty());
    }

    /// The first 26 bytes of a BMP (file header and the start of a BITMAPINFOHEADER).
    fn bmp_header(w: i32, h: i32) -> Vec<u8> {
        let mut bytes = b"BM".to_vec();
        bytes.extend([0; 12]);
        bytes.extend(40u32.to_le_bytes());
        bytes.extend(w.to_le_bytes());
        bytes.extend(h.to_le_bytes());
        bytes
    }

    #[test]
    fn reads_bmp_and_ico_sizes_from_the_header_a_top_down_bmp_too() {
        let mut attachments = Attachments::new();
        attachments.insert("up.bmp", bmp_header(640, 480));
        attachments.insert("down.bmp", bmp_header(640, -480));
        // ICONDIR and two ICONDIRENTRYs: 16×16 and 0×0, which means 256×256.
        let mut ico = vec![0, 0, 1, 0, 2, 0];
        ico.extend([16, 16].iter().chain(&[0; 14]));
        ico.extend([0, 0].iter().chain(&[0; 14]));
        attachments.insert("app.ico", ico);
        let (images, diagnostics) = run(
            vec![image("up.bmp"), image("down.bmp"), image("app.ico")],
            &attachments,
        );
        let sizes: Vec<_> = images.iter().map(|i| i.intrinsic).collect();
        assert_eq!(
            sizes,
            [Some((640, 480)), Some((640, 480)), Some((256, 256))]
        );
        assert!(images.iter().all(|i| !i.missing));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
    }

    #[test]
    fn thumbnails_without_a_size_are_drawn_at_thumbnail_width() {
        let mut attachments = Attachments::new();
        attachments.insert("big.png", png_header(1600, 900));
        attachments.insert("small.png", png_header(120, 80));
        let thumbnail = |name: &str| Image {
            layout: ImageLayout::Thumbnail,
            ..image(name)
        };
        let sized = Image {
            width: Some(500.0),
            ..thumbnail("big.png")
        };
        let (images, _) = run(
            vec![thumbnail("big.png"), thumbnail("small.png"), sized],
            &attachments,
        );
        assert_eq!(images[0].width, Some(300.0));
        assert_eq!(images[1].width, Some(120.0));
        assert_eq!(images[2].width, Some(500.0));
    }

    #[test]
    fn missing_unreadable_and_huge_images_become_placeholders() {
        let mut attachments = Attachments::new();
        attachments.insert("junk.png", b"not an image".to_vec());
        attachments.insert("bomb.png", png_header(100_000, 100_000));
        let (images, diagnostics) = run(
            vec![image("gone.png"), image("junk.png"), image("bomb.png")],
            &attachments,
        );
        assert!(images.iter().all(|i| i.missing));
        let codes: Vec<_> = diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            codes,
            ["missing-attachment", "unreadable-image", "image-too-large"]
        );
        assert!(diagnostics[0].message.contains("gone.png"));
    }

    #[test]
    fn images_past_max_images_become_placeholders_reported_once() {
        let mut attachments = Attachments::new();
        for n in 0..4 {
            attachments.insert(format!("{n}.png"), png_header(1, 1));
        }
        let options = PassOptions {
            max_images: 2,
            ..PassOptions::default()
        };
        let mut cx = PassContext::new(&attachments, &options);
        let names = ["0.png", "1.png", "0.png", "2.png", "3.png"];
        let mut document = Document {
            title: None,
            blocks: names.iter().map(|n| Block::Image(image(n))).collect(),
        };
        size_images(&mut document, &mut cx);
        let missing: Vec<bool> = document
            .blocks
            .iter()
            .map(|b| matches!(b, Block::Image(i) if i.missing))
            .collect();
        assert_eq!(missing, [false, false, false, true, true]);
        assert_eq!(cx.diagnostics.len(), 1);
        assert!(cx.diagnostics[0].message.contains("max_images"));
    }

    #[test]
    fn svg_size_from_attributes_or_viewbox() {
        assert_eq!(
            svg_size(br#"<?xml version="1.0"?><svg xmlns="x" width="120" height="40px">"#),
            Some(Some((120, 40)))
        );
        assert_eq!(
            svg_size(br#"<svg viewBox="0 0 300 150">"#),
            Some(Some((300, 150)))
        );
        assert_eq!(svg_size(br#"<svg width="100%">"#), Some(None));
        assert_eq!(svg_size(b"plain text"), None);
    }
}
