//! BMP and ICO attachments, which Typst does not read, handed to it as PNGs.
//!
//! Browsers show Windows bitmaps and icons, so a Confluence page shows such an attachment
//! where a PNG would be. Here the file is decoded (the image crate's decoders, with its default
//! memory limits; the image pass has already refused files whose header states more pixels
//! than `max_image_pixels`) and written again as a PNG without loss. From there it takes the
//! path of any PNG: the resolution cap (`downsample.rs`), then a PDF of its compressed rows
//! (`image_as_pdf.rs`) or Typst's own PNG loading in a PDF/A document.

use std::io::Cursor;

use image::ImageFormat;
use image::codecs::bmp::BmpDecoder;
use image::codecs::ico::IcoDecoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};

use crate::downsample::{decode, encode};

/// Whether `bytes` is a BMP or an ICO file (by its first bytes).
pub(crate) fn is_bitmap(bytes: &[u8]) -> bool {
    matches!(
        image::guess_format(bytes),
        Ok(ImageFormat::Bmp | ImageFormat::Ico)
    )
}

/// `bytes` as a PNG of the same pixels if it is a BMP or an ICO file (an icon's largest,
/// deepest picture, as the browser picks it); `None` for any other file, or one that does not
/// decode.
pub(crate) fn bitmap_as_png(bytes: &[u8]) -> Option<Vec<u8>> {
    let (pixels, icc) = match image::guess_format(bytes).ok()? {
        ImageFormat::Bmp => decode(BmpDecoder::new(Cursor::new(bytes)).ok()?)?,
        ImageFormat::Ico => match IcoDecoder::new(Cursor::new(bytes)).ok().and_then(decode) {
            Some(decoded) => decoded,
            None => return largest_png_picture(bytes).map(<[u8]>::to_vec),
        },
        _ => return None,
    };
    let mut png = Vec::new();
    // Adaptive filters: the PNG's compressed rows are what the PDF embeds (`png_as_is`).
    let encoder =
        PngEncoder::new_with_quality(&mut png, CompressionType::Default, FilterType::Adaptive);
    encode(encoder, &pixels, icc)?;
    Some(png)
}

/// The largest picture of an ICO file that is stored as a PNG file. The image crate decodes
/// only the RGBA PNGs the format asks for; browsers show the others too (grey, RGB, a palette),
/// and such a picture is a PNG as it stands.
fn largest_png_picture(ico: &[u8]) -> Option<&[u8]> {
    let u16_at = |at: usize| Some(u16::from_le_bytes(ico.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(ico.get(at..at + 4)?.try_into().ok()?));
    let count = usize::from(u16_at(4)?);
    (0..count)
        .filter_map(|i| {
            // ICONDIRENTRY: 16 bytes after the 6 of the ICONDIR; its data's length and offset
            // end it.
            let entry = 6 + 16 * i;
            let length = usize::try_from(u32_at(entry + 8)?).ok()?;
            let offset = usize::try_from(u32_at(entry + 12)?).ok()?;
            let data = ico.get(offset..offset.checked_add(length)?)?;
            let size = imagesize::blob_size(data).ok()?;
            (image::guess_format(data).ok()? == ImageFormat::Png)
                .then_some((size.width.saturating_mul(size.height), data))
        })
        .max_by_key(|&(pixels, _)| pixels)
        .map(|(_, data)| data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::bmp::BmpEncoder;
    use image::codecs::ico::{IcoEncoder, IcoFrame};
    use image::{ExtendedColorType, ImageEncoder, RgbImage, RgbaImage};

    fn pixels() -> RgbImage {
        RgbImage::from_fn(7, 5, |x, y| image::Rgb([x as u8 * 30, y as u8 * 50, 200]))
    }

    fn decoded_png(png: &[u8]) -> RgbaImage {
        assert_eq!(image::guess_format(png).ok(), Some(ImageFormat::Png));
        image::load_from_memory(png).expect("decodes").to_rgba8()
    }

    #[test]
    fn a_bmp_becomes_a_png_of_the_same_pixels() {
        let mut bmp = Vec::new();
        BmpEncoder::new(&mut bmp)
            .write_image(pixels().as_raw(), 7, 5, ExtendedColorType::Rgb8)
            .unwrap();
        assert!(is_bitmap(&bmp));
        let png = bitmap_as_png(&bmp).expect("a BMP converts");
        let expected = image::DynamicImage::ImageRgb8(pixels()).to_rgba8();
        assert_eq!(decoded_png(&png), expected);
    }

    #[test]
    fn an_icon_becomes_a_png_of_its_largest_picture() {
        let small = RgbaImage::from_pixel(16, 16, image::Rgba([255, 0, 0, 255]));
        let large = RgbaImage::from_pixel(48, 48, image::Rgba([0, 0, 255, 128]));
        let frames = [
            IcoFrame::as_png(small.as_raw(), 16, 16, ExtendedColorType::Rgba8).unwrap(),
            IcoFrame::as_png(large.as_raw(), 48, 48, ExtendedColorType::Rgba8).unwrap(),
        ];
        let mut ico = Vec::new();
        IcoEncoder::new(&mut ico).encode_images(&frames).unwrap();
        assert!(is_bitmap(&ico));
        let png = bitmap_as_png(&ico).expect("an icon converts");
        assert_eq!(decoded_png(&png), large);
    }

    #[test]
    fn an_icon_of_an_rgb_png_is_shown_too() {
        // The image crate writes an RGB picture into an icon as an RGB PNG, and reads back
        // only RGBA ones.
        let mut ico = Vec::new();
        image::DynamicImage::ImageRgb8(pixels())
            .write_to(&mut Cursor::new(&mut ico), ImageFormat::Ico)
            .unwrap();
        let png = bitmap_as_png(&ico).expect("the icon's PNG");
        let expected = image::DynamicImage::ImageRgb8(pixels()).to_rgba8();
        assert_eq!(decoded_png(&png), expected);
    }

    #[test]
    fn other_files_and_broken_bitmaps_are_left_alone() {
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(pixels().as_raw(), 7, 5, ExtendedColorType::Rgb8)
            .unwrap();
        assert!(!is_bitmap(&png));
        assert_eq!(bitmap_as_png(&png), None);
        let mut cut = b"BM".to_vec();
        cut.extend([0; 40]);
        assert!(is_bitmap(&cut));
        assert_eq!(bitmap_as_png(&cut), None);
        // An icon whose one entry points past the end of the file.
        let mut ico = vec![0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0];
        ico.extend(1000u32.to_le_bytes());
        ico.extend(22u32.to_le_bytes());
        assert!(is_bitmap(&ico));
        assert_eq!(bitmap_as_png(&ico), None);
    }
}
