//! The resolution cap ([`RenderOptions::image_dpi`]): raster attachments with more pixels than
//! their printed size needs at that resolution are scaled down before Typst sees them.
//!
//! Screenshots dominate real pages: a 2560 px wide capture printed 16 cm wide is 400 dpi, and
//! embedding it whole makes PDFs of tens of megabytes. At 150 dpi the same image prints from a
//! quarter of the pixels. Only images above the cap by a margin are touched; the printed size
//! never changes (the lowering sizes images from the IR's intrinsic size, not from the bytes).
//! The scaling is done where the images are decoded, in the background while the document is
//! laid out (`image_decoding.rs`): a large screenshot takes tens of milliseconds to scale.

use std::collections::BTreeMap;
use std::io::Cursor;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use folio_ir::{
    Block, Document, Image, ImageLayout, ImageSource, Inline, walk_blocks_mut, walk_inlines_mut,
};
use image::codecs::jpeg::{JpegDecoder, JpegEncoder};
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngDecoder, PngEncoder};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder, Limits};

use crate::RenderOptions;

/// Points per CSS pixel (Confluence's sizes are in pixels at 96 per inch).
const PT_PER_PX: f32 = 0.75;

/// Images within this factor of the cap keep their pixels: resampling them would cost quality
/// and time for little gain.
const SLACK: f32 = 1.15;

/// JPEG quality of downsampled JPEGs: visually lossless for photos and screenshots at print
/// size, a fraction of quality 100's bytes.
const JPEG_QUALITY: u8 = 85;

/// The widest each image may be, in pixels, to print at `dpi` at its largest printed width
/// (`widths`, from [`printed_widths`]). The images are scaled to it as they are decoded, in
/// the background while the document is laid out (`image_decoding.rs`).
pub(crate) fn pixel_caps(widths: &BTreeMap<String, f32>, dpi: u32) -> BTreeMap<String, u32> {
    widths
        .iter()
        .map(|(name, width_pt)| {
            let max_pixels = (width_pt / 72.0 * dpi as f32).ceil().max(1.0) as u32;
            (name.clone(), max_pixels)
        })
        .collect()
}

/// The width of the text column in points: the widest an image prints.
pub(crate) fn text_width_pt(options: &RenderOptions) -> f32 {
    options.page.text_width_mm() / 25.4 * 72.0
}

/// The widest each attachment image prints, in points: its requested or intrinsic width, at
/// most the text column (images are fitted to it). Its keys are the images the document shows.
pub(crate) fn printed_widths(document: &Document, text_width: f32) -> BTreeMap<String, f32> {
    let mut widths = BTreeMap::new();
    let mut record = |image: &Image| {
        // Images the passes found missing, unreadable or too large are drawn as placeholders.
        let ImageSource::Attachment { filename, .. } = &image.source else {
            return;
        };
        if image.missing {
            return;
        }
        let width = match (image.layout, image.width, image.height, image.intrinsic) {
            (ImageLayout::FullWidth, ..) => text_width,
            (_, Some(width), ..) => width * PT_PER_PX,
            // Scaled by height: the width follows the aspect ratio.
            (_, None, Some(height), Some((w, h))) if h > 0 => {
                height * w as f32 / h as f32 * PT_PER_PX
            }
            (_, None, None, Some((w, _))) => w as f32 * PT_PER_PX,
            _ => text_width,
        };
        let width = width.clamp(1.0, text_width);
        let entry = widths.entry(filename.clone()).or_insert(0.0f32);
        *entry = entry.max(width);
    };
    // The walkers visit mutably; a copy keeps the caller's document untouched and costs little
    // next to typesetting it.
    let mut blocks = document.blocks.clone();
    walk_blocks_mut(&mut blocks, &mut |blocks: &mut Vec<Block>| {
        for block in blocks.iter() {
            if let Block::Image(image) = block {
                record(image);
            }
        }
    });
    walk_inlines_mut(&mut blocks, &mut |inlines: &mut Vec<Inline>| {
        for inline in inlines.iter() {
            if let Inline::Image(image) = inline {
                record(image);
            }
        }
    });
    widths
}

/// `bytes` scaled to `max_width` pixels wide, in the same format, keeping the EXIF orientation
/// (applied to the pixels) and the ICC profile; `None` when it is narrow enough already, is
/// not a PNG or JPEG (GIFs may be animated; WebP is rare), does not decode, or its scaled file
/// would not be smaller.
pub(crate) fn downsample(bytes: &[u8], max_width: u32) -> Option<Vec<u8>> {
    // The header alone tells whether work is needed: the width as shown, after the EXIF
    // orientation (a portrait photo is often stored sideways).
    let mut header = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?
        .into_decoder()
        .ok()?;
    let (stored_width, stored_height) = header.dimensions();
    let width = match header.orientation() {
        Ok(
            Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH,
        ) => stored_height,
        _ => stored_width,
    };
    if (width as f32) <= max_width as f32 * SLACK {
        return None;
    }
    match image::guess_format(bytes).ok()? {
        image::ImageFormat::Jpeg => {
            let (pixels, icc) = decode(JpegDecoder::new(Cursor::new(bytes)).ok()?)?;
            let pixels = shrink(pixels, max_width);
            // JPEG has no alpha; convert in case the decoder gave one.
            let pixels = match pixels {
                DynamicImage::ImageLuma8(_) => pixels,
                other => DynamicImage::ImageRgb8(other.to_rgb8()),
            };
            let mut out = Vec::new();
            encode(
                JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY),
                &pixels,
                icc,
            )?;
            smaller(out, bytes)
        }
        image::ImageFormat::Png => {
            let (pixels, icc) = decode(PngDecoder::new(Cursor::new(bytes)).ok()?)?;
            let pixels = shrink(pixels, max_width);
            let mut out = Vec::new();
            // Default compression: the size decides below whether the smaller image is kept.
            let encoder = PngEncoder::new_with_quality(
                &mut out,
                CompressionType::Default,
                PngFilter::Adaptive,
            );
            encode(encoder, &pixels, icc)?;
            smaller(out, bytes)
        }
        _ => None,
    }
}

/// Writes `pixels` with `encoder`, carrying the ICC profile over when the format takes one.
pub(crate) fn encode(
    mut encoder: impl ImageEncoder,
    pixels: &DynamicImage,
    icc: Option<Vec<u8>>,
) -> Option<()> {
    if let Some(icc) = icc {
        let _ = encoder.set_icc_profile(icc);
    }
    encoder
        .write_image(
            pixels.as_bytes(),
            pixels.width(),
            pixels.height(),
            pixels.color().into(),
        )
        .ok()
}

/// A PNG of `pixels`, with `icc` as its ICC profile if given: test images.
#[cfg(test)]
pub(crate) fn png_of(pixels: &DynamicImage, icc: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    encode(PngEncoder::new(&mut out), pixels, icc).expect("encodes");
    out
}

/// `scaled` when its file is smaller than the original's. Scaling smooths edges into new
/// colours, and a flat-coloured screenshot scaled by little can compress worse than it did at
/// full size. This compares files only: the PDF writer deflates the decoded pixels itself, so a
/// PDF can still grow a little (docs/performance.md measures it at 300 dpi).
fn smaller(scaled: Vec<u8>, original: &[u8]) -> Option<Vec<u8>> {
    (scaled.len() < original.len()).then_some(scaled)
}

/// Decodes with the default memory limits, applying the EXIF orientation to the pixels (the
/// re-encoded file carries no EXIF, and Typst would otherwise have applied it).
pub(crate) fn decode(mut decoder: impl ImageDecoder) -> Option<(DynamicImage, Option<Vec<u8>>)> {
    let icc = decoder
        .icc_profile()
        .ok()
        .flatten()
        .filter(|p| !p.is_empty());
    let orientation = decoder.orientation().ok();
    decoder.set_limits(Limits::default()).ok()?;
    let mut pixels = DynamicImage::from_decoder(decoder).ok()?;
    if let Some(orientation) = orientation {
        pixels.apply_orientation(orientation);
    }
    Some((pixels, icc))
}

/// Scales to `max_width` pixels wide, keeping the aspect ratio. Catmull-Rom keeps text in
/// screenshots sharp at a fraction of Lanczos' cost.
fn shrink(pixels: DynamicImage, max_width: u32) -> DynamicImage {
    if pixels.width() <= max_width {
        return pixels;
    }
    let height = (pixels.height() as u64 * max_width as u64 / pixels.width() as u64).max(1) as u32;
    // fast_image_resize rather than `DynamicImage::resize_exact`: the same Catmull-Rom filter,
    // about a tenth of the time (the image crate's resize was a third of a page's render with
    // `--image-dpi`). It weighs colours by their alpha, so transparent pixels do not darken
    // the edges of what they surround.
    let mut scaled = DynamicImage::new(max_width, height, pixels.color());
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
    match Resizer::new().resize(&pixels, &mut scaled, &options) {
        Ok(()) => scaled,
        // A pixel type it does not take (none in image 0.25): the image crate's own.
        Err(_) => pixels.resize_exact(max_width, height, image::imageops::FilterType::CatmullRom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let pixels = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(pixels)
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        jpeg_with_exif(width, height, None)
    }

    /// A JPEG of `width` × `height` pixels, with `exif` as its EXIF chunk if given.
    fn jpeg_with_exif(width: u32, height: u32, exif: Option<Vec<u8>>) -> Vec<u8> {
        let pixels = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 64])
        });
        let mut out = Vec::new();
        let mut encoder = JpegEncoder::new_with_quality(&mut out, 95);
        if let Some(exif) = exif {
            encoder.set_exif_metadata(exif).unwrap();
        }
        encoder
            .write_image(
                pixels.as_raw(),
                width,
                height,
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        out
    }

    fn size(bytes: &[u8]) -> (u32, u32) {
        image::ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .unwrap()
            .into_dimensions()
            .unwrap()
    }

    #[test]
    fn oversized_images_shrink_to_the_cap_in_their_own_format() {
        let smaller = downsample(&png(2000, 1000), 500).unwrap();
        assert_eq!(
            image::guess_format(&smaller).unwrap(),
            image::ImageFormat::Png
        );
        assert_eq!(size(&smaller), (500, 250));
        let original = jpeg(2000, 1000);
        let smaller = downsample(&original, 500).unwrap();
        assert_eq!(
            image::guess_format(&smaller).unwrap(),
            image::ImageFormat::Jpeg
        );
        assert_eq!(size(&smaller), (500, 250));
        assert!(smaller.len() < original.len() / 4);
    }

    #[test]
    fn scaling_weighs_colours_by_their_alpha() {
        // White on the right, transparent black on the left: a scaled edge pixel is partly
        // transparent and still white, not the grey of averaging the invisible black in.
        let pixels = image::RgbaImage::from_fn(64, 8, |x, _| {
            if x < 32 {
                image::Rgba([0, 0, 0, 0])
            } else {
                image::Rgba([255, 255, 255, 255])
            }
        });
        let scaled = shrink(DynamicImage::ImageRgba8(pixels), 16).to_rgba8();
        assert_eq!(scaled.dimensions(), (16, 2));
        let edges: Vec<_> = scaled.pixels().filter(|p| p[3] > 8 && p[3] < 247).collect();
        assert!(!edges.is_empty(), "no partly transparent pixel at the edge");
        for pixel in edges {
            assert!(pixel[0] > 240, "edge darkened: {pixel:?}");
        }
    }

    /// A JPEG stored `width` × `height` whose EXIF says to show it turned 90° clockwise.
    fn sideways_jpeg(width: u32, height: u32) -> Vec<u8> {
        // A little-endian TIFF header and one IFD entry: Orientation (0x0112), SHORT, 6.
        let exif = [
            b"II*\0".as_slice(),
            &8u32.to_le_bytes(),
            &1u16.to_le_bytes(),
            &0x0112u16.to_le_bytes(),
            &3u16.to_le_bytes(),
            &1u32.to_le_bytes(),
            &6u16.to_le_bytes(),
            &[0, 0],
            &0u32.to_le_bytes(),
        ]
        .concat();
        jpeg_with_exif(width, height, Some(exif))
    }

    #[test]
    fn the_cap_applies_to_the_width_as_shown_after_exif_rotation() {
        // Stored 400 wide, shown 2000 wide: it is scaled to 500 wide as shown.
        let smaller = downsample(&sideways_jpeg(400, 2000), 500).unwrap();
        assert_eq!(size(&smaller), (500, 100));
        // Stored 2000 wide, shown 400 wide: within the cap, left as it is.
        assert!(downsample(&sideways_jpeg(2000, 400), 500).is_none());
    }

    #[test]
    fn images_near_or_below_the_cap_and_undecodable_ones_are_kept() {
        assert!(downsample(&png(550, 100), 500).is_none());
        assert!(downsample(&png(300, 100), 500).is_none());
        let mut truncated = png(2000, 1000);
        truncated.truncate(200);
        assert!(downsample(&truncated, 500).is_none());
        assert!(downsample(b"<svg xmlns='http://www.w3.org/2000/svg'/>", 10).is_none());
    }

    #[test]
    fn printed_width_is_the_requested_width_within_the_column() {
        let document = folio_storage_like(&[
            (
                "a.png",
                Some(200.0),
                None,
                Some((4000, 1000)),
                ImageLayout::Normal,
            ),
            (
                "a.png",
                Some(400.0),
                None,
                Some((4000, 1000)),
                ImageLayout::Normal,
            ),
            ("b.png", None, None, Some((4000, 1000)), ImageLayout::Normal),
            (
                "c.png",
                None,
                Some(100.0),
                Some((400, 200)),
                ImageLayout::Normal,
            ),
            (
                "d.png",
                Some(50.0),
                None,
                Some((4000, 1000)),
                ImageLayout::FullWidth,
            ),
        ]);
        let widths = printed_widths(&document, 450.0);
        assert_eq!(widths["a.png"], 300.0);
        assert_eq!(widths["b.png"], 450.0);
        assert_eq!(widths["c.png"], 150.0);
        assert_eq!(widths["d.png"], 450.0);
    }

    type ImageSpec<'a> = (
        &'a str,
        Option<f32>,
        Option<f32>,
        Option<(u32, u32)>,
        ImageLayout,
    );

    fn folio_storage_like(images: &[ImageSpec<'_>]) -> Document {
        let blocks = images
            .iter()
            .map(|(name, width, height, intrinsic, layout)| {
                Block::Image(Image {
                    source: ImageSource::Attachment {
                        filename: (*name).to_owned(),
                        page: None,
                    },
                    alt: None,
                    width: *width,
                    height: *height,
                    intrinsic: *intrinsic,
                    align: None,
                    border: false,
                    caption: Vec::new(),
                    missing: false,
                    layout: *layout,
                    span: Default::default(),
                })
            })
            .collect();
        Document {
            blocks,
            ..Document::default()
        }
    }

    #[test]
    fn the_cap_is_the_printed_width_at_the_resolution_and_only_oversized_images_shrink() {
        let document = folio_storage_like(&[
            (
                "big.png",
                None,
                None,
                Some((3000, 1000)),
                ImageLayout::Normal,
            ),
            (
                "small.png",
                None,
                None,
                Some((200, 100)),
                ImageLayout::Normal,
            ),
        ]);
        let options = RenderOptions::default();
        let widths = printed_widths(&document, text_width_pt(&options));
        let caps = pixel_caps(&widths, 150);
        let column_in = options.page.text_width_mm() / 25.4;
        assert_eq!(caps["big.png"], (column_in * 150.0).ceil() as u32);
        // 200 CSS pixels print 150 points wide, 2.08 inches: 313 pixels at 150 dpi.
        assert_eq!(caps["small.png"], 313);
        let (width, _) = size(&downsample(&png(3000, 1000), caps["big.png"]).unwrap());
        assert_eq!(width, caps["big.png"]);
        assert!(downsample(&png(200, 100), caps["small.png"]).is_none());
    }
}
