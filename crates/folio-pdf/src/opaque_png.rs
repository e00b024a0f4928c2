//! Images with an alpha channel that is opaque everywhere, handed to Typst without it.
//!
//! Screenshots taken on macOS are RGBA PNGs whose alpha is 255 in every pixel. Typst decodes
//! such an image to four bytes a pixel, and its PDF writer then makes two more copies: the colour
//! channels as RGB (three bytes a pixel) and the alpha channel as a soft mask (one byte), which it
//! extracts pixel by pixel on the thread writing the page. For a page of 5-megapixel screenshots
//! that is 40 MB an image, most of an export's peak memory, and a soft mask the PDF does not need.
//!
//! Decoded without its alpha, the image is RGB from the start: Typst keeps three bytes a pixel,
//! the PDF writer uses them as they are and writes no mask. The pixels are re-encoded as a PNG
//! with the fastest compression (fdeflate, a few milliseconds for a 5-megapixel screenshot) only
//! to carry them to Typst, which reads images from bytes; the PDF writer deflates the pixels
//! itself. The printed image is the same: every colour value and the ICC profile are kept.
//!
//! GIFs (whose first frame Typst shows) always decode with an alpha channel, and most frames of
//! screen recordings use no transparency: they get the same treatment, as do RGBA WebPs.
//!
//! Most images now reach Typst as PDFs of their compressed pixels instead (`image_as_pdf.rs`),
//! which Typst never decodes. This is for the others: every image of a PDF/A or PDF/UA document,
//! which cannot embed PDFs, and images Typst must turn (by their EXIF orientation).

use std::io::Cursor;

use image::codecs::gif::GifDecoder;
use image::codecs::png::{CompressionType, FilterType, PngDecoder};
use image::codecs::webp::WebPDecoder;
use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, ImageDecoder, ImageFormat, RgbImage};

use crate::downsample::{decode, encode};

/// Images smaller than this keep their alpha channel: the copies the PDF writer makes of them
/// are small, and re-encoding would cost more than it saves.
const MIN_PIXELS: u64 = 256 * 256;

/// `bytes` as a PNG without its alpha channel when it is an 8-bit RGBA or grey-and-alpha PNG, a
/// GIF (whose first frame Typst shows, decoded as RGBA) or an RGBA WebP, of at least
/// [`MIN_PIXELS`] pixels whose alpha is opaque everywhere; `None` otherwise (and for anything
/// that does not decode, which the caller's own check then reports).
pub(crate) fn without_opaque_alpha(bytes: &[u8]) -> Option<Vec<u8>> {
    let (pixels, icc) = match image::guess_format(bytes).ok()? {
        ImageFormat::Png => decode_with_alpha(PngDecoder::new(Cursor::new(bytes)).ok()?)?,
        ImageFormat::Gif => decode_with_alpha(GifDecoder::new(Cursor::new(bytes)).ok()?)?,
        ImageFormat::WebP => decode_with_alpha(WebPDecoder::new(Cursor::new(bytes)).ok()?)?,
        _ => return None,
    };
    let opaque = match pixels {
        DynamicImage::ImageRgba8(rgba) => {
            let (width, height) = rgba.dimensions();
            let rgb = drop_opaque_alpha::<4>(rgba.into_raw())?;
            DynamicImage::ImageRgb8(RgbImage::from_raw(width, height, rgb)?)
        }
        DynamicImage::ImageLumaA8(luma_alpha) => {
            let (width, height) = luma_alpha.dimensions();
            let luma = drop_opaque_alpha::<2>(luma_alpha.into_raw())?;
            DynamicImage::ImageLuma8(GrayImage::from_raw(width, height, luma)?)
        }
        _ => return None,
    };
    let mut out = Vec::new();
    // "Up" filtering keeps fdeflate fast and the file within about 1.6 times the original's size
    // on screenshots (adaptive filtering comes near the original but takes 3–4 times as long
    // to read back; the file is held no longer than the decoded pixels, which are larger).
    let encoder = image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        CompressionType::Fast,
        FilterType::Up,
    );
    encode(encoder, &opaque, icc)?;
    Some(out)
}

/// The pixels and ICC profile of an 8-bit image with an alpha channel, of at least
/// [`MIN_PIXELS`] pixels; `None` for any other image, or one that does not decode.
fn decode_with_alpha(mut decoder: impl ImageDecoder) -> Option<(DynamicImage, Option<Vec<u8>>)> {
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) < MIN_PIXELS
        || !matches!(
            decoder.color_type(),
            image::ColorType::Rgba8 | image::ColorType::La8
        )
    {
        return None;
    }
    // `decode` applies an EXIF orientation to the pixels; a rotated image is rare enough to leave
    // to Typst, which applies it the same way, rather than re-encode it turned.
    if !matches!(decoder.orientation(), Ok(Orientation::NoTransforms)) {
        return None;
    }
    decode(decoder)
}

/// `samples` (pixels of `N` bytes, alpha last) with the alpha byte of every pixel removed, in
/// place; `None` if a pixel is not fully opaque.
fn drop_opaque_alpha<const N: usize>(mut samples: Vec<u8>) -> Option<Vec<u8>> {
    if !all_opaque::<N>(&samples) {
        return None;
    }
    drop_alpha::<N>(&mut samples);
    Some(samples)
}

/// Removes the alpha byte of every pixel of `samples` (pixels of `N` bytes, alpha last), moving
/// the colour bytes to the front of the same buffer: a screenshot's pixels are tens of
/// megabytes. (`N` is a constant so that the copy of each pixel's colour compiles to a few
/// moves rather than a call.)
pub(crate) fn drop_alpha<const N: usize>(samples: &mut Vec<u8>) {
    let pixels = samples.len() / N;
    let mut moved = 0;
    if N == 4 {
        // Two pixels at a time, as `copy_colour` does. Each pair's 8 bytes are read before its
        // 8 are stored, 2 bytes a pixel further forward, so no store reaches a pair not yet read.
        for i in 0..pixels / 2 {
            let word = u64::from_le_bytes(samples[8 * i..8 * i + 8].try_into().expect("8 bytes"));
            samples[6 * i..6 * i + 8].copy_from_slice(&colour_of_two_rgba(word).to_le_bytes());
        }
        moved = pixels / 2 * 2;
    }
    for i in moved..pixels {
        for c in 0..N - 1 {
            samples[i * (N - 1) + c] = samples[i * N + c];
        }
    }
    samples.truncate(pixels * (N - 1));
}

/// Two RGBA pixels read as one little-endian word, their alpha bytes shifted out: the six colour
/// bytes in its low six.
fn colour_of_two_rgba(word: u64) -> u64 {
    (word & 0xFF_FFFF) | ((word >> 8) & 0xFFFF_FF00_0000)
}

/// Whether every pixel of `samples` (pixels of `N` bytes, alpha last) is fully opaque. For two
/// and four bytes a pixel, an AND over whole pixels, which compiles to vector instructions where
/// a test of each alpha byte does not (six times faster on a screenshot's rows).
pub(crate) fn all_opaque<const N: usize>(samples: &[u8]) -> bool {
    match N {
        4 => {
            let all = samples.chunks_exact(4).fold(u32::MAX, |all, pixel| {
                all & u32::from_le_bytes([pixel[0], pixel[1], pixel[2], pixel[3]])
            });
            all >> 24 == 0xFF
        }
        2 => {
            let all = samples.chunks_exact(2).fold(u16::MAX, |all, pixel| {
                all & u16::from_le_bytes([pixel[0], pixel[1]])
            });
            all >> 8 == 0xFF
        }
        _ => samples.chunks_exact(N).all(|pixel| pixel[N - 1] == u8::MAX),
    }
}

/// The colour bytes of `pixels` (of `N` bytes, alpha last) written to `colour`, which holds
/// `N - 1` bytes for each pixel.
pub(crate) fn copy_colour<const N: usize>(pixels: &[u8], colour: &mut [u8]) {
    let mut copied = 0;
    if N == 4 {
        // Two RGBA pixels at a time, as one 8-byte word with its two alpha bytes shifted out,
        // stored as 8 bytes whose last two the next pair overwrites: four times as fast as a move
        // a byte, on every row of every screenshot. The last pair is left to the loop below, as
        // its store would pass the end of `colour`.
        let pairs = (pixels.len() / 8).saturating_sub(1);
        for i in 0..pairs {
            let word = u64::from_le_bytes(pixels[8 * i..8 * i + 8].try_into().expect("8 bytes"));
            colour[6 * i..6 * i + 8].copy_from_slice(&colour_of_two_rgba(word).to_le_bytes());
        }
        copied = 2 * pairs;
    }
    let pixels = pixels[copied * N..].chunks_exact(N);
    for (pixel, colour) in pixels.zip(colour[copied * (N - 1)..].chunks_exact_mut(N - 1)) {
        colour.copy_from_slice(&pixel[..N - 1]);
    }
}

#[cfg(test)]
mod tests {
    use image::{Rgba, RgbaImage};

    use super::*;
    use crate::downsample::png_of as png;

    fn screenshot(width: u32, height: u32) -> RgbaImage {
        RgbaImage::from_fn(width, height, |x, y| {
            Rgba([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8, 255])
        })
    }

    fn decoded(bytes: &[u8]) -> (DynamicImage, Option<Vec<u8>>) {
        decode(PngDecoder::new(Cursor::new(bytes)).unwrap()).unwrap()
    }

    #[test]
    fn an_opaque_rgba_png_becomes_rgb_with_the_same_colours_and_profile() {
        let rgba = screenshot(400, 300);
        // Any bytes do as a profile here: only that it is carried over is checked.
        let icc = b"a colour profile".to_vec();
        let original = png(&DynamicImage::ImageRgba8(rgba.clone()), Some(icc.clone()));
        let stripped = without_opaque_alpha(&original).expect("opaque RGBA is stripped");
        let (pixels, profile) = decoded(&stripped);
        let DynamicImage::ImageRgb8(rgb) = pixels else {
            panic!("expected RGB, got {:?}", pixels.color());
        };
        assert_eq!(rgb.dimensions(), (400, 300));
        assert!(
            rgb.pixels()
                .zip(rgba.pixels())
                .all(|(rgb, rgba)| rgb.0 == [rgba.0[0], rgba.0[1], rgba.0[2]])
        );
        assert_eq!(profile, Some(icc));
    }

    #[test]
    fn an_opaque_grey_and_alpha_png_becomes_grey() {
        let luma_alpha = image::GrayAlphaImage::from_fn(300, 300, |x, y| {
            image::LumaA([((x * y) % 256) as u8, 255])
        });
        let original = png(&DynamicImage::ImageLumaA8(luma_alpha.clone()), None);
        let (pixels, _) = decoded(&without_opaque_alpha(&original).unwrap());
        let DynamicImage::ImageLuma8(luma) = pixels else {
            panic!("expected grey, got {:?}", pixels.color());
        };
        assert!(
            luma.pixels()
                .zip(luma_alpha.pixels())
                .all(|(l, la)| l.0[0] == la.0[0])
        );
    }

    /// A GIF of `frame` (quantised to its palette by the encoder).
    fn gif(frame: RgbaImage) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut out);
        encoder
            .encode_frame(image::Frame::new(frame))
            .expect("encodes");
        drop(encoder);
        out
    }

    #[test]
    fn an_opaque_gif_becomes_an_rgb_png_of_its_first_frame_and_a_transparent_one_is_left() {
        let original = gif(screenshot(300, 260));
        let stripped = without_opaque_alpha(&original).expect("an opaque GIF is stripped");
        assert_eq!(image::guess_format(&stripped).ok(), Some(ImageFormat::Png));
        let (pixels, _) = decoded(&stripped);
        let shown = DynamicImage::from_decoder(GifDecoder::new(Cursor::new(&original)).unwrap())
            .unwrap()
            .to_rgb8();
        assert_eq!(pixels.as_rgb8(), Some(&shown));

        let mut transparent = screenshot(300, 260);
        transparent.put_pixel(0, 0, Rgba([0, 0, 0, 0]));
        assert_eq!(without_opaque_alpha(&gif(transparent)), None);
    }

    #[test]
    fn one_translucent_pixel_keeps_the_alpha_channel() {
        let mut rgba = screenshot(400, 300);
        rgba.put_pixel(399, 299, Rgba([0, 0, 0, 254]));
        assert_eq!(
            without_opaque_alpha(&png(&DynamicImage::ImageRgba8(rgba), None)),
            None
        );
    }

    #[test]
    fn small_rgb_and_non_png_images_are_left_alone() {
        let small = png(&DynamicImage::ImageRgba8(screenshot(100, 100)), None);
        assert_eq!(without_opaque_alpha(&small), None);
        let rgb = DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(screenshot(400, 300)).to_rgb8());
        assert_eq!(without_opaque_alpha(&png(&rgb, None)), None);
        assert_eq!(without_opaque_alpha(b"GIF89a not a png"), None);
        assert_eq!(without_opaque_alpha(b"\x89PNG\r\n\x1a\ntruncated"), None);
    }

    /// `pixels` pixels of `N` bytes, every byte different from its neighbours', alpha opaque.
    fn opaque_pixels<const N: usize>(pixels: usize) -> Vec<u8> {
        (0..pixels * N)
            .map(|i| {
                if i % N == N - 1 {
                    u8::MAX
                } else {
                    (i * 7 % 251) as u8
                }
            })
            .collect()
    }

    fn colour_of<const N: usize>(samples: &[u8]) -> Vec<u8> {
        let mut colour = vec![0; samples.len() / N * (N - 1)];
        copy_colour::<N>(samples, &mut colour);
        colour
    }

    #[test]
    fn colour_is_copied_without_alpha_for_every_row_length() {
        for pixels in 0..20 {
            let rgba = opaque_pixels::<4>(pixels);
            assert_eq!(
                colour_of::<4>(&rgba),
                colour_bytes::<4>(&rgba),
                "{pixels} RGBA"
            );
            let luma_alpha = opaque_pixels::<2>(pixels);
            let expected = colour_bytes::<2>(&luma_alpha);
            assert_eq!(colour_of::<2>(&luma_alpha), expected, "{pixels} grey");
        }
    }

    #[test]
    fn alpha_is_dropped_in_place_for_every_length() {
        for pixels in 0..20 {
            let mut rgba = opaque_pixels::<4>(pixels);
            let expected = colour_bytes::<4>(&rgba);
            drop_alpha::<4>(&mut rgba);
            assert_eq!(rgba, expected, "{pixels} RGBA");
            let mut luma_alpha = opaque_pixels::<2>(pixels);
            let expected = colour_bytes::<2>(&luma_alpha);
            drop_alpha::<2>(&mut luma_alpha);
            assert_eq!(luma_alpha, expected, "{pixels} grey");
        }
    }

    /// The colour bytes of pixels of `N` bytes, alpha last, picked out one by one.
    fn colour_bytes<const N: usize>(samples: &[u8]) -> Vec<u8> {
        samples
            .chunks_exact(N)
            .flat_map(|pixel| pixel[..N - 1].to_vec())
            .collect()
    }

    #[test]
    fn one_translucent_pixel_anywhere_in_a_row_is_found() {
        for pixels in 1..20 {
            assert!(all_opaque::<4>(&opaque_pixels::<4>(pixels)));
            assert!(all_opaque::<2>(&opaque_pixels::<2>(pixels)));
            for at in 0..pixels {
                let mut rgba = opaque_pixels::<4>(pixels);
                rgba[4 * at + 3] = 254;
                assert!(!all_opaque::<4>(&rgba), "RGBA pixel {at} of {pixels}");
                let mut luma_alpha = opaque_pixels::<2>(pixels);
                luma_alpha[2 * at + 1] = 0;
                assert!(!all_opaque::<2>(&luma_alpha), "grey pixel {at} of {pixels}");
            }
        }
    }
}
