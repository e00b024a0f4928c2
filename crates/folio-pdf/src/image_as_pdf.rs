//! Raster images handed to Typst as one-page PDFs of their compressed pixels.
//!
//! Typst decodes a raster image when it loads it and keeps the pixels until the PDF is written,
//! where its writer deflates them (or, for a JPEG, embeds the file): a 6-megapixel screenshot is
//! held as 18 MB (RGB) or 24 MB (RGBA) for the whole layout, and a long export of screenshots
//! held about 95 MB of pixels at its peak. The layout needs only the image's size.
//!
//! Here the image is decoded once, in the background (`image_decoding.rs`), and its pixels are
//! compressed as Typst's PDF writer would compress them (the colour channels and, if any pixel
//! is not opaque, the alpha channel as a soft mask; zlib with no predictor, as krilla's
//! `deflate_encode`, at level 5 where krilla uses 6: see [`ZLIB_LEVEL`]). A PNG is decoded a
//! row at a time into the compressor, so its decoded pixels are never held whole. A PNG without
//! transparency (grey, RGB or a palette) needs no compressing at all: its own compressed rows
//! are a PDF image stream as they are, read with PDF's PNG predictors, and its rows are decoded
//! only to check them. A JPEG's pixels are only decoded to check them: its file is what the PDF
//! shows, as Typst's writer embeds it. That goes into a PDF of one page whose only
//! content is the image, at the size Typst gives the raster (its pixels at 72 dpi, or at the
//! density the file states, read as Typst reads it: EXIF data first, where macOS screenshots
//! state 144 dpi, then a JPEG's JFIF header or a PNG's). Typst reads that as a PDF image, which
//! it never decodes: the layout holds the compressed bytes, and the PDF writer copies the
//! image's streams into the document as they are (`hayro-write`). The printed image is the
//! same pixels, colour profile included; the PDF places it inside a form XObject, which viewers
//! draw as they draw an image.
//!
//! Images this does not cover stay Typst's: images whose EXIF data turns them (Typst turns the
//! pixels, or a JPEG as it places it), CMYK JPEGs (whose colours krilla inverts), 16-bit and
//! floating-point pixels (which Typst converts), and every image of a PDF/A or PDF/UA document,
//! where krilla forbids embedded PDFs.

use std::io::{Cursor, Read, Write};

use flate2::Compression;
use flate2::write::ZlibEncoder;
use image::codecs::gif::GifDecoder;
use image::codecs::jpeg::JpegDecoder;
use image::codecs::png::PngDecoder;
use image::codecs::webp::WebPDecoder;
use image::{DynamicImage, ImageFormat, Limits};
use pdf_writer::types::Predictor;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref};
use zune_jpeg::zune_core::colorspace::ColorSpace;

use crate::downsample::decode;
use crate::opaque_png::{all_opaque, copy_colour, drop_alpha};

/// The compression of image streams: one level below what Typst's PDF writer uses (krilla's
/// `deflate_encode`, level 6). On the corpus's screenshots zlib-rs compresses a fifth faster at
/// level 5, into streams 1–4% larger (the 35-page export's PDF 0.7% larger); deflating is
/// about a third of the time of a page of large screenshots (docs/performance.md).
const ZLIB_LEVEL: u32 = 5;

/// How many samples of a channel [`png_row_by_row`] gathers before it hands them to the
/// compressor.
const SAMPLES_PER_WRITE: usize = 1 << 20;

/// `bytes` (a PNG, GIF or WebP) as a one-page PDF showing its pixels at the size Typst gives
/// the raster; `None` for any image Typst is to handle itself (see the module's documentation),
/// or one that does not decode.
pub(crate) fn image_as_pdf(bytes: &[u8]) -> Option<Vec<u8>> {
    let format = image::guess_format(bytes).ok()?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Gif | ImageFormat::WebP | ImageFormat::Jpeg
    ) {
        return None;
    }
    // Typst reads a raster's EXIF data from its container whatever the format, and so does
    // this. An orientation other than "as stored" is left to Typst, which turns the pixels (or,
    // for a JPEG, the image as it places it).
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok();
    if exif
        .as_ref()
        .and_then(exif_orientation)
        .is_some_and(|orientation| orientation != 1)
    {
        return None;
    }
    let image = match format {
        ImageFormat::Jpeg => jpeg(bytes)?,
        ImageFormat::Png => match png_as_is(bytes).or_else(|| png_row_by_row(bytes)) {
            Some(image) => image,
            None => sampled(decode(PngDecoder::new(Cursor::new(bytes)).ok()?)?)?,
        },
        ImageFormat::Gif => sampled(decode(GifDecoder::new(Cursor::new(bytes)).ok()?)?)?,
        _ => sampled(decode(WebPDecoder::new(Cursor::new(bytes)).ok()?)?)?,
    };
    let dpi = exif
        .as_ref()
        .and_then(exif_dpi)
        .or_else(|| jfif_dpi(bytes))
        .or_else(|| png_dpi(bytes))
        .filter(|&dpi| dpi > 0.0);
    // Typst's natural size of a raster: its pixels at 72 dpi unless the file states a density.
    let scale = 72.0 / dpi.unwrap_or(72.0);
    let size = (
        (f64::from(image.width) * scale) as f32,
        (f64::from(image.height) * scale) as f32,
    );
    Some(one_page_pdf(&image, size))
}

/// Decoded pixels (and their ICC profile), compressed as Typst's PDF writer compresses them;
/// `None` for pixels that are not 8-bit.
fn sampled((pixels, icc): (DynamicImage, Option<Vec<u8>>)) -> Option<Compressed> {
    let (width, height) = (pixels.width(), pixels.height());
    let (colour, alpha, components) = split_channels(pixels)?;
    let icc = icc.filter(|profile| icc_matches(profile, components));
    let (colour, alpha) = rayon::join(|| deflate(&colour), || alpha.map(|a| deflate(&a)));
    Some(Compressed {
        width,
        height,
        components,
        filter: Filter::FlateDecode,
        colour,
        alpha,
        icc: icc.map(|profile| deflate(&profile)),
        ..Compressed::default()
    })
}

/// A PNG's own compressed rows, which a PDF shows as they are: PDF's Flate filter with the PNG
/// predictors reads the file's `IDAT` data (zlib, each row led by its PNG filter) as it is. So
/// the pixels are neither expanded nor compressed again: a screenshot saved with a palette
/// (a byte a pixel, or less) stays that size instead of three bytes a pixel deflated anew, and
/// costs only the check that every row decodes (an image that does not is the placeholder's,
/// as elsewhere). A palette whose colours are each opaque or fully transparent (`tRNS`), the
/// transparent ones a run of indices, is shown so too, the run masked by its indices (PDF's
/// colour key mask). `None` for PNGs this cannot show as they are: interlaced ones (PDF has no
/// Adam7), 16-bit samples (Typst's), a palette with translucent colours or transparent ones
/// apart, grey or RGB images with a transparent colour (which need a mask of decoded pixels),
/// images with an alpha channel, and palettes with a colour profile (pdf-writer writes an
/// `Indexed` space over a device space only).
fn png_as_is(bytes: &[u8]) -> Option<Compressed> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::IDENTITY);
    let mut reader = decoder.read_info().ok()?;
    let info = reader.info();
    let bits = info.bit_depth as u8;
    // Beyond the image crate's decoding limits, the image is Typst's to refuse, as any other.
    let samples = u64::from(info.width) * u64::from(info.height) * 3;
    if info.interlaced || bits > 8 || !within_decoding_limits(samples) {
        return None;
    }
    let icc = icc_profile(info);
    let (components, palette, colour_key) = match info.color_type {
        png::ColorType::Grayscale if info.trns.is_none() => (1, None, None),
        png::ColorType::Rgb if info.trns.is_none() => (3, None, None),
        png::ColorType::Indexed if icc.is_none() => {
            let lookup = info.palette.as_deref()?.to_vec();
            let colour_key = match info.trns.as_deref() {
                None => None,
                // As the png crate: transparency for more colours than the palette has is
                // ignored.
                Some(alpha) if alpha.len() > lookup.len() / 3 => None,
                Some(alpha) => Some(transparent_indices(alpha)?),
            };
            (3, Some(lookup), colour_key.flatten())
        }
        _ => return None,
    };
    let (width, height) = (info.width, info.height);
    let mut rows = 0;
    // The highest palette index the rows use: the PDF's palette needs no more colours (many
    // files carry 256).
    let mut highest = 0;
    while let Some(row) = reader.next_row().ok()? {
        rows += 1;
        if palette.is_some() {
            highest = highest.max(highest_sample(row.data(), bits));
        }
    }
    if rows != height {
        return None;
    }
    let palette = palette.map(|mut lookup| {
        // Indices past the palette's end are black, as the png crate expands them.
        lookup.resize(3 * (usize::from(highest) + 1), 0);
        lookup
    });
    let icc = icc.filter(|profile| icc_matches(profile, components));
    Some(Compressed {
        width,
        height,
        components,
        bits,
        palette,
        png_rows: true,
        filter: Filter::FlateDecode,
        colour: idat_data(bytes)?,
        alpha: None,
        colour_key,
        icc: icc.map(|profile| deflate(&profile)),
    })
}

/// The highest sample of a row of `bits`-bit samples, packed as PNG packs them.
fn highest_sample(row: &[u8], bits: u8) -> u8 {
    if bits == 8 {
        return row.iter().copied().max().unwrap_or(0);
    }
    let mask = (1u8 << bits) - 1;
    row.iter()
        .flat_map(|&byte| (0..8 / bits).map(move |k| (byte >> (k * bits)) & mask))
        .max()
        .unwrap_or(0)
}

/// The first and last index of a palette's fully transparent colours, given each colour's
/// alpha (`tRNS`; colours past its end are opaque): `Some(None)` when none is transparent, and
/// `None` when a colour is translucent or the transparent ones are not a run of indices, which
/// a colour key mask cannot express.
fn transparent_indices(alpha: &[u8]) -> Option<Option<(u8, u8)>> {
    if alpha.iter().any(|&a| a != 0 && a != u8::MAX) {
        return None;
    }
    let first = alpha.iter().position(|&a| a == 0);
    let last = alpha.iter().rposition(|&a| a == 0);
    match (first, last) {
        (Some(first), Some(last)) if alpha[first..=last].iter().all(|&a| a == 0) => {
            Some(Some((first as u8, last as u8)))
        }
        (None, None) => Some(None),
        _ => None,
    }
}

/// Whether `bytes` of decoded samples are within the image crate's decoding limits (Typst's).
fn within_decoding_limits(bytes: u64) -> bool {
    Limits::default()
        .max_alloc
        .is_none_or(|limit| bytes <= limit)
}

/// A PNG's ICC profile, if it has one.
fn icc_profile(info: &png::Info) -> Option<Vec<u8>> {
    info.icc_profile
        .as_ref()
        .filter(|profile| !profile.is_empty())
        .map(|profile| profile.to_vec())
}

/// The data of a PNG's `IDAT` chunks, joined: the zlib stream of its filtered rows.
fn idat_data(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut rest = bytes.get(8..)?;
    while let Some(header) = rest.get(..8) {
        let length = u32::from_be_bytes(header[..4].try_into().ok()?) as usize;
        let body = rest.get(8..8usize.checked_add(length)?)?;
        match &header[4..] {
            b"IDAT" => data.extend_from_slice(body),
            b"IEND" => break,
            _ => {}
        }
        rest = rest.get(length.checked_add(12)?..)?;
    }
    (!data.is_empty()).then_some(data)
}

/// A PNG's pixels, compressed as [`sampled`] compresses them, read a row at a time: the decoded
/// image is never held whole (a 6-megapixel screenshot is 24 MB of RGBA), and no pass is made
/// over it to split off the alpha channel. Only the compressed streams are kept, and up to
/// [`SAMPLES_PER_WRITE`] samples of each channel waiting for the compressor (zlib-rs compresses
/// a little worse in row-sized writes). The alpha channel is compressed from the first pixel
/// that is not opaque on, after as many opaque values as came before it. `None` where the image
/// crate's decoding is to be used: interlaced rows (which come a pass at a time), 16-bit
/// samples, images beyond its decoding limits, and images that do not decode.
fn png_row_by_row(bytes: &[u8]) -> Option<Compressed> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    // As the image crate decodes a PNG: palettes, transparency chunks and samples below 8 bits
    // expanded, 16-bit samples kept (and left to it here).
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().ok()?;
    let (colour_type, depth) = reader.output_color_type();
    let (components, has_alpha) = match colour_type {
        png::ColorType::Grayscale => (1, false),
        png::ColorType::GrayscaleAlpha => (1, true),
        png::ColorType::Rgb => (3, false),
        png::ColorType::Rgba => (3, true),
        png::ColorType::Indexed => return None,
    };
    let info = reader.info();
    let (width, height) = (info.width, info.height);
    let decoded_size = u64::from(width) * u64::from(height) * (components + u64::from(has_alpha));
    if info.interlaced || depth != png::BitDepth::Eight || !within_decoding_limits(decoded_size) {
        return None;
    }
    let icc = icc_profile(info);

    let mut colour = ZlibEncoder::new(Vec::new(), Compression::new(ZLIB_LEVEL));
    let mut alpha: Option<ZlibEncoder<Vec<u8>>> = None;
    let mut opaque_before = 0u64;
    let row_pixels = width as usize;
    let mut colour_rows = Vec::with_capacity(SAMPLES_PER_WRITE + row_pixels * components as usize);
    let mut alpha_row = vec![0; row_pixels];
    let mut alpha_rows = Vec::new();
    let mut rows = 0;
    while let Some(row) = reader.next_row().ok()? {
        rows += 1;
        if colour_rows.len() >= SAMPLES_PER_WRITE {
            colour.write_all(&colour_rows).ok()?;
            colour_rows.clear();
        }
        if let Some(encoder) = &mut alpha
            && alpha_rows.len() >= SAMPLES_PER_WRITE
        {
            encoder.write_all(&alpha_rows).ok()?;
            alpha_rows.clear();
        }
        if !has_alpha {
            colour_rows.extend_from_slice(row.data());
            continue;
        }
        let start = colour_rows.len();
        colour_rows.resize(start + row_pixels * components as usize, 0);
        let colour_row = &mut colour_rows[start..];
        // Until a pixel is not opaque, only the colour is kept, and the opaque pixels counted.
        let opaque_so_far = alpha.is_none();
        let colour_only = if components == 3 {
            split_row_unless_opaque::<4>(row.data(), colour_row, &mut alpha_row, opaque_so_far)
        } else {
            split_row_unless_opaque::<2>(row.data(), colour_row, &mut alpha_row, opaque_so_far)
        };
        if colour_only {
            opaque_before += row_pixels as u64;
            continue;
        }
        match &mut alpha {
            Some(_) => alpha_rows.extend_from_slice(&alpha_row),
            None => {
                let mut encoder = ZlibEncoder::new(Vec::new(), Compression::new(ZLIB_LEVEL));
                std::io::copy(
                    &mut std::io::repeat(u8::MAX).take(opaque_before),
                    &mut encoder,
                )
                .ok()?;
                alpha_rows.extend_from_slice(&alpha_row);
                alpha = Some(encoder);
            }
        }
    }
    if rows != height {
        return None;
    }
    colour.write_all(&colour_rows).ok()?;
    let colour = colour.finish().ok()?;
    let alpha = match alpha {
        Some(mut encoder) => {
            encoder.write_all(&alpha_rows).ok()?;
            Some(encoder.finish().ok()?)
        }
        None => None,
    };
    let icc = icc.filter(|profile| icc_matches(profile, components as u8));
    Some(Compressed {
        width,
        height,
        components: components as u8,
        filter: Filter::FlateDecode,
        colour,
        alpha,
        icc: icc.map(|profile| deflate(&profile)),
        ..Compressed::default()
    })
}

/// A row of pixels of `N` bytes, alpha last, split into `colour` and `alpha` ([`split_row`]);
/// but while `opaque_so_far`, a row whose every pixel is opaque has only its colour copied,
/// which is several times cheaper, and `true` is returned.
fn split_row_unless_opaque<const N: usize>(
    row: &[u8],
    colour: &mut [u8],
    alpha: &mut [u8],
    opaque_so_far: bool,
) -> bool {
    if opaque_so_far && all_opaque::<N>(row) {
        copy_colour::<N>(row, colour);
        return true;
    }
    split_row::<N>(row, colour, alpha);
    false
}

/// A row of pixels of `N` bytes, alpha last, split into its colour bytes and its alpha bytes.
/// (Written as a zip over fixed-size pixels, so that it compiles to moves without bounds checks:
/// it runs over every pixel of every screenshot.)
fn split_row<const N: usize>(row: &[u8], colour: &mut [u8], alpha: &mut [u8]) {
    let pixels = row.chunks_exact(N);
    for ((pixel, colour), alpha) in pixels.zip(colour.chunks_exact_mut(N - 1)).zip(alpha) {
        colour.copy_from_slice(&pixel[..N - 1]);
        *alpha = pixel[N - 1];
    }
}

/// A JPEG's own bytes, which a PDF shows as they are (as Typst's PDF writer embeds them), once
/// its pixels are known to decode as Typst decodes them; `None` for a CMYK JPEG, whose colours
/// krilla inverts (Typst's to handle), or one that does not decode.
fn jpeg(bytes: &[u8]) -> Option<Compressed> {
    // The colour space as krilla reads it when it embeds a JPEG.
    let mut header = zune_jpeg::JpegDecoder::new(Cursor::new(bytes));
    header.decode_headers().ok()?;
    let components = match header.input_colorspace()? {
        ColorSpace::Luma => 1,
        ColorSpace::YCbCr | ColorSpace::RGB => 3,
        _ => return None,
    };
    let (pixels, icc) = decode(JpegDecoder::new(Cursor::new(bytes)).ok()?)?;
    if !matches!(
        pixels,
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_)
    ) {
        return None;
    }
    Some(Compressed {
        width: pixels.width(),
        height: pixels.height(),
        components,
        filter: Filter::DctDecode,
        colour: bytes.to_vec(),
        alpha: None,
        icc: icc
            .filter(|profile| icc_matches(profile, components))
            .map(|profile| deflate(&profile)),
        ..Compressed::default()
    })
}

/// The EXIF orientation, as Typst reads it (`exif_rotation` in `typst-library`).
fn exif_orientation(exif: &exif::Exif) -> Option<u32> {
    exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?
        .value
        .get_uint(0)
}

/// The pixel density EXIF data states, as Typst reads it (`exif_dpi` in `typst-library`): the
/// larger of the two resolutions, whatever their unit.
fn exif_dpi(exif: &exif::Exif) -> Option<f64> {
    let axis = |tag| {
        let field = exif.get_field(tag, exif::In::PRIMARY)?;
        let exif::Value::Rational(rational) = &field.value else {
            return None;
        };
        Some(rational.first()?.to_f64())
    };
    [axis(exif::Tag::XResolution), axis(exif::Tag::YResolution)]
        .into_iter()
        .flatten()
        .max_by(f64::total_cmp)
}

/// The pixel density a PNG's header states, as Typst reads it (`png_dpi` in `typst-library`):
/// the larger of its two axes, in dots per inch, if given per metre.
fn png_dpi(bytes: &[u8]) -> Option<f64> {
    let reader = png::Decoder::new(Cursor::new(bytes)).read_info().ok()?;
    let dims = reader.info().pixel_dims?;
    (dims.unit == png::Unit::Meter).then(|| f64::from(dims.xppu.max(dims.yppu)) * 0.0254)
}

/// The pixel density a JPEG's JFIF header states, as Typst reads it (`jpeg_dpi` in
/// `typst-library`): the larger of its two axes, per inch or per centimetre.
fn jfif_dpi(bytes: &[u8]) -> Option<f64> {
    let u16_at = |index: usize| -> Option<u16> {
        Some(u16::from_be_bytes(
            bytes.get(index..index + 2)?.try_into().ok()?,
        ))
    };
    if !bytes.starts_with(b"\xFF\xD8\xFF\xE0\0")
        || bytes.get(6..11) != Some(b"JFIF\0")
        || bytes.get(11) != Some(&1)
        || u16_at(4)? < 16
    {
        return None;
    }
    let per_unit = f64::from(u16_at(14)?.max(u16_at(16)?));
    match bytes.get(13)? {
        1 => Some(per_unit),
        2 => Some(per_unit * 2.54),
        _ => None,
    }
}

/// The colour samples (grey or RGB), the alpha samples if any pixel is not opaque, and the
/// number of colour components; `None` for pixels that are not 8-bit.
fn split_channels(pixels: DynamicImage) -> Option<(Vec<u8>, Option<Vec<u8>>, u8)> {
    Some(match pixels {
        DynamicImage::ImageLuma8(luma) => (luma.into_raw(), None, 1),
        DynamicImage::ImageRgb8(rgb) => (rgb.into_raw(), None, 3),
        DynamicImage::ImageLumaA8(luma_alpha) => {
            let (luma, alpha) = split_alpha::<2>(luma_alpha.into_raw());
            (luma, alpha, 1)
        }
        DynamicImage::ImageRgba8(rgba) => {
            let (rgb, alpha) = split_alpha::<4>(rgba.into_raw());
            (rgb, alpha, 3)
        }
        _ => return None,
    })
}

/// Pixels of `N` bytes, alpha last, as their colour bytes (in the same buffer) and their alpha
/// bytes unless every pixel is opaque.
fn split_alpha<const N: usize>(mut samples: Vec<u8>) -> (Vec<u8>, Option<Vec<u8>>) {
    let alpha = (!all_opaque::<N>(&samples))
        .then(|| samples.chunks_exact(N).map(|pixel| pixel[N - 1]).collect());
    drop_alpha::<N>(&mut samples);
    (samples, alpha)
}

/// Whether `profile` is an ICC profile for `components` colour components, as krilla requires
/// of an image's profile (it drops any other, and so does this).
fn icc_matches(profile: &[u8], components: u8) -> bool {
    let expected: &[u8] = if components == 1 { b"GRAY" } else { b"RGB " };
    profile.get(16..20) == Some(expected)
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::new(ZLIB_LEVEL));
    // Writing to a vector cannot fail.
    encoder.write_all(data).expect("writes to memory");
    encoder.finish().expect("writes to memory")
}

/// An image's streams, compressed.
struct Compressed {
    width: u32,
    height: u32,
    /// Colour components of a pixel (of the palette's colours, for a palette image).
    components: u8,
    /// Bits of a sample (of a palette index, for a palette image).
    bits: u8,
    /// The RGB colours of a palette image, whose samples index them.
    palette: Option<Vec<u8>>,
    /// How `colour` is compressed.
    filter: Filter,
    /// Whether `colour`'s rows are led by PNG filters (a PNG's own `IDAT` data).
    png_rows: bool,
    colour: Vec<u8>,
    alpha: Option<Vec<u8>>,
    /// The first and last palette index that are transparent (a colour key mask).
    colour_key: Option<(u8, u8)>,
    icc: Option<Vec<u8>>,
}

impl Default for Compressed {
    fn default() -> Self {
        Self {
            width: 0,
            height: 0,
            components: 3,
            bits: 8,
            palette: None,
            filter: Filter::FlateDecode,
            png_rows: false,
            colour: Vec::new(),
            alpha: None,
            colour_key: None,
            icc: None,
        }
    }
}

/// A PDF of one page of `size` (points) that the image fills.
fn one_page_pdf(image: &Compressed, size: (f32, f32)) -> Vec<u8> {
    let catalog = Ref::new(1);
    let pages = Ref::new(2);
    let page = Ref::new(3);
    let contents = Ref::new(4);
    let colour = Ref::new(5);
    let alpha = Ref::new(6);
    let icc = Ref::new(7);
    let name = Name(b"Im");

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    let mut page_dict = pdf.page(page);
    page_dict
        .media_box(Rect::new(0.0, 0.0, size.0, size.1))
        .parent(pages)
        .contents(contents);
    page_dict.resources().x_objects().pair(name, colour);
    page_dict.finish();

    let mut content = Content::new();
    content
        .save_state()
        .transform([size.0, 0.0, 0.0, size.1, 0.0, 0.0])
        .x_object(name)
        .restore_state();
    pdf.stream(contents, &content.finish());

    let (width, height) = (image.width as i32, image.height as i32);
    let mut xobject = pdf.image_xobject(colour, &image.colour);
    xobject
        .width(width)
        .height(height)
        .bits_per_component(i32::from(image.bits));
    xobject.filter(image.filter);
    if image.png_rows {
        // Predictor 15: each row names its own PNG filter.
        let samples_per_pixel = if image.palette.is_some() {
            1
        } else {
            image.components
        };
        xobject
            .decode_parms()
            .predictor(Predictor::PngOptimum)
            .colors(i32::from(samples_per_pixel))
            .bits_per_component(i32::from(image.bits))
            .columns(width);
    }
    match (&image.palette, &image.icc, image.components) {
        (Some(lookup), _, _) => {
            let hival = lookup.len() as i32 / 3 - 1;
            xobject
                .color_space()
                .indexed(Name(b"DeviceRGB"), hival, lookup)
        }
        (None, Some(_), _) => xobject.color_space().icc_based(icc),
        (None, None, 1) => xobject.color_space().device_gray(),
        (None, None, _) => xobject.color_space().device_rgb(),
    }
    if image.alpha.is_some() {
        xobject.s_mask(alpha);
    }
    if let Some((first, last)) = image.colour_key {
        xobject.color_mask([i32::from(first), i32::from(last)]);
    }
    xobject.finish();

    if let Some(samples) = &image.alpha {
        let mut mask = pdf.image_xobject(alpha, samples);
        mask.width(width).height(height).bits_per_component(8);
        mask.filter(Filter::FlateDecode);
        mask.color_space().device_gray();
        mask.finish();
    }
    if let Some(profile) = &image.icc {
        let mut stream = pdf.icc_profile(icc, profile);
        stream.n(i32::from(image.components));
        stream.filter(Filter::FlateDecode);
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use image::{GrayAlphaImage, LumaA, Rgb, RgbImage, Rgba, RgbaImage};
    use lopdf::{Document, Object, Stream};

    use super::*;
    use crate::downsample::png_of as png;

    /// The image XObject of a PDF of one image without a soft mask.
    fn only_image(document: &Document) -> &Stream {
        document
            .objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .find(|s| s.dict.get(b"Width").is_ok())
            .expect("an image")
    }

    /// A PNG chunk of `kind` and `data`: its length, kind, data and CRC.
    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        let mut crc = flate2::Crc::new();
        crc.update(&body);
        let length = u32::try_from(data.len()).unwrap().to_be_bytes();
        [&length[..], &body, &crc.sum().to_be_bytes()].concat()
    }

    /// `png` with a chunk of `kind` and `data` after its header chunk, where encoders write
    /// the chunks that describe the pixels.
    fn with_chunk(png: &[u8], kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let header_end = 8 + 8 + 13 + 4;
        [&png[..header_end], &chunk(kind, data), &png[header_end..]].concat()
    }

    /// `png` stating a density of `ppm` pixels per metre on both axes.
    fn with_density(png: &[u8], ppm: u32) -> Vec<u8> {
        let data = [ppm.to_be_bytes(), ppm.to_be_bytes()].concat();
        with_chunk(png, b"pHYs", &[&data[..], &[1]].concat())
    }

    /// The page's size, and each image XObject's size, colour space and decoded samples, and
    /// the same of its soft mask.
    struct Read {
        page: (f32, f32),
        image: ((i64, i64), Object, Vec<u8>),
        mask: Option<((i64, i64), Vec<u8>)>,
    }

    fn read(pdf: &[u8]) -> Read {
        let document = Document::load_mem(pdf).expect("a PDF lopdf reads");
        let pages = document.get_pages();
        assert_eq!(pages.len(), 1);
        let page = document.get_dictionary(pages[&1]).unwrap();
        let media_box = page.get(b"MediaBox").unwrap().as_array().unwrap();
        let number = |o: &Object| o.as_float().unwrap();
        let page = (number(&media_box[2]), number(&media_box[3]));
        let resources = page_resources(&document, pages[&1]);
        let xobject = resources
            .get(b"XObject")
            .unwrap()
            .as_dict()
            .unwrap()
            .get(b"Im")
            .unwrap()
            .as_reference()
            .unwrap();
        let stream = document.get_object(xobject).unwrap().as_stream().unwrap();
        let size = |dict: &lopdf::Dictionary| {
            (
                dict.get(b"Width").unwrap().as_i64().unwrap(),
                dict.get(b"Height").unwrap().as_i64().unwrap(),
            )
        };
        let image = (
            size(&stream.dict),
            stream.dict.get(b"ColorSpace").unwrap().clone(),
            // lopdf does not decode JPEGs (DCT): their samples are read as written.
            stream
                .decompressed_content()
                .unwrap_or_else(|_| stream.content.clone()),
        );
        let mask = stream.dict.get(b"SMask").ok().map(|mask| {
            let mask = document
                .get_object(mask.as_reference().unwrap())
                .unwrap()
                .as_stream()
                .unwrap();
            (size(&mask.dict), mask.decompressed_content().unwrap())
        });
        Read { page, image, mask }
    }

    fn page_resources(document: &Document, page: lopdf::ObjectId) -> lopdf::Dictionary {
        let page = document.get_dictionary(page).unwrap();
        page.get(b"Resources").unwrap().as_dict().unwrap().clone()
    }

    fn colourful(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y) % 256) as u8])
        })
    }

    #[test]
    fn an_rgb_png_becomes_a_page_of_its_pixels_at_72_dpi() {
        let rgb = colourful(300, 200);
        let pdf = image_as_pdf(&png(&DynamicImage::ImageRgb8(rgb.clone()), None)).unwrap();
        let read = read(&pdf);
        assert_eq!(read.page, (300.0, 200.0));
        assert_eq!(read.image.0, (300, 200));
        assert_eq!(read.image.1, Object::Name(b"DeviceRGB".to_vec()));
        assert!(read.image.2 == rgb.into_raw(), "the pixels changed");
        assert!(read.mask.is_none());
    }

    #[test]
    fn pixels_decoded_for_the_pdf_are_one_zlib_stream_at_folios_level() {
        // An opaque RGBA screenshot: its alpha channel goes, its colours are deflated anew.
        let rgb = colourful(64, 48);
        let rgba = DynamicImage::ImageRgb8(rgb.clone()).to_rgba8();
        let pdf = image_as_pdf(&png(&DynamicImage::ImageRgba8(rgba), None)).unwrap();
        let document = Document::load_mem(&pdf).unwrap();
        let written = only_image(&document);
        let mut expected = ZlibEncoder::new(Vec::new(), Compression::new(ZLIB_LEVEL));
        expected.write_all(rgb.as_raw()).unwrap();
        assert_eq!(written.content, expected.finish().unwrap());
    }

    /// A PNG of `width` × `height` pixels of `colour` type and `depth`, its samples (packed
    /// rows, as PNG stores them) made by `sample(x, y)`, with `palette` if given.
    fn encoded_png(
        (width, height): (u32, u32),
        colour: ::png::ColorType,
        depth: ::png::BitDepth,
        palette: Option<Vec<u8>>,
        sample: impl Fn(u32, u32) -> u8,
    ) -> Vec<u8> {
        let bits = depth as u32;
        let per_pixel = match colour {
            ::png::ColorType::Rgb => 3,
            _ => 1,
        };
        let row_bytes = (width * per_pixel * bits).div_ceil(8) as usize;
        let mut data = vec![0u8; row_bytes * height as usize];
        for y in 0..height {
            for i in 0..width * per_pixel {
                let value = u32::from(sample(i, y)) & ((1 << bits) - 1);
                let bit = i * bits;
                let byte = y as usize * row_bytes + (bit / 8) as usize;
                data[byte] |= (value << (8 - bits - bit % 8)) as u8;
            }
        }
        let mut out = Vec::new();
        let mut encoder = ::png::Encoder::new(&mut out, width, height);
        encoder.set_color(colour);
        encoder.set_depth(depth);
        // Paeth and the other filters, chosen row by row: the PDF must undo each.
        encoder.set_filter(::png::Filter::Adaptive);
        if let Some(palette) = palette {
            encoder.set_palette(palette);
        }
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&data).unwrap();
        writer.finish().unwrap();
        out
    }

    /// The RGB pixels a PDF viewer shows for the image `Im` of a one-page PDF: its samples as
    /// hayro (Typst's PDF reader, which viewers' decoding matches) decodes the stream, unpacked
    /// by their bits and looked up in the palette of an `Indexed` colour space.
    fn shown_rgb(pdf: &[u8]) -> Vec<u8> {
        let document = Document::load_mem(pdf).unwrap();
        let stream = only_image(&document);
        let number = |key: &[u8]| stream.dict.get(key).unwrap().as_i64().unwrap() as usize;
        let (width, bits) = (number(b"Width"), number(b"BitsPerComponent"));
        let space = stream.dict.get(b"ColorSpace").unwrap();
        let (per_pixel, lookup) = match space {
            Object::Name(name) if name == b"DeviceGray" => (1, None),
            Object::Name(name) if name == b"DeviceRGB" => (3, None),
            Object::Array(indexed) => {
                assert_eq!(indexed[0], Object::Name(b"Indexed".to_vec()));
                assert_eq!(indexed[1], Object::Name(b"DeviceRGB".to_vec()));
                let lookup = indexed[3].as_str().unwrap().to_vec();
                assert_eq!(lookup.len() as i64, (indexed[2].as_i64().unwrap() + 1) * 3);
                (1, Some(lookup))
            }
            other => panic!("colour space {other:?}"),
        };

        let hayro = hayro_syntax::Pdf::new(pdf.to_vec()).unwrap();
        let name = hayro_syntax::object::Name::new(b"Im").unwrap();
        let image = hayro.pages()[0].resources().get_x_object(&name).unwrap();
        let samples = image.decoded().unwrap();
        let row_bytes = (width * per_pixel * bits).div_ceil(8);
        let mut rgb = Vec::new();
        for row in samples.chunks_exact(row_bytes) {
            for i in 0..width * per_pixel {
                let bit = i * bits;
                let value = (row[bit / 8] >> (8 - bits - bit % 8)) & ((1u16 << bits) - 1) as u8;
                match (&lookup, per_pixel) {
                    (Some(lookup), _) => {
                        rgb.extend_from_slice(&lookup[usize::from(value) * 3..][..3])
                    }
                    (None, 1) => {
                        let grey = (u32::from(value) * 255 / ((1 << bits) - 1)) as u8;
                        rgb.extend_from_slice(&[grey; 3]);
                    }
                    (None, _) => rgb.push(value),
                }
            }
        }
        rgb
    }

    #[test]
    fn a_png_without_transparency_keeps_its_own_compressed_rows() {
        use ::png::{BitDepth, ColorType};
        let palette = |entries: usize| -> Vec<u8> {
            (0..entries * 3).map(|i| (i * 37 % 256) as u8).collect()
        };
        let pattern = |x: u32, y: u32| (x * 7 + y * 13 + (x * y) % 5) as u8;
        let cases = [
            (ColorType::Rgb, BitDepth::Eight, None),
            (ColorType::Grayscale, BitDepth::Eight, None),
            (ColorType::Grayscale, BitDepth::One, None),
            (ColorType::Grayscale, BitDepth::Four, None),
            (ColorType::Indexed, BitDepth::Eight, Some(palette(256))),
            // A palette shorter than its indices reach: those past its end are black.
            (ColorType::Indexed, BitDepth::Eight, Some(palette(100))),
            (ColorType::Indexed, BitDepth::Four, Some(palette(16))),
            (ColorType::Indexed, BitDepth::Two, Some(palette(3))),
        ];
        for (colour, depth, palette) in cases {
            // Widths whose rows end inside a byte at the small depths.
            let file = encoded_png((37, 23), colour, depth, palette, pattern);
            let pdf = image_as_pdf(&file).unwrap();
            let document = Document::load_mem(&pdf).unwrap();
            let stream = only_image(&document);
            assert!(
                stream.content == idat_data(&file).unwrap(),
                "{colour:?} {depth:?}: not the file's own rows"
            );
            let parms = stream.dict.get(b"DecodeParms").unwrap().as_dict().unwrap();
            assert_eq!(parms.get(b"Predictor").unwrap().as_i64().unwrap(), 15);
            // What a viewer shows is what Typst's decoder (the image crate's) makes of the file.
            let expected = image::load_from_memory(&file).unwrap().to_rgb8().into_raw();
            assert!(
                shown_rgb(&pdf) == expected,
                "{colour:?} {depth:?}: the pixels changed"
            );
            assert_eq!(read(&pdf).page, (37.0, 23.0));
        }
    }

    #[test]
    fn a_png_whose_rows_do_not_all_decode_is_not_shown_as_it_is() {
        let file = encoded_png(
            (64, 64),
            ::png::ColorType::Indexed,
            ::png::BitDepth::Eight,
            Some(vec![0, 0, 0, 255, 255, 255]),
            |x, y| ((x + y) % 2) as u8,
        );
        // The compressed rows cut short inside the one IDAT chunk, its length and CRC mended:
        // the chunks are well formed, the rows are not all there.
        let at = file.windows(4).position(|w| w == b"IDAT").unwrap() - 4;
        let length = u32::from_be_bytes(file[at..at + 4].try_into().unwrap()) as usize;
        let data = &file[at + 8..at + 8 + length / 2];
        let cut = [
            &file[..at],
            &chunk(b"IDAT", data),
            &file[at + 12 + length..],
        ]
        .concat();
        assert!(png_as_is(&cut).is_none());
        assert!(image_as_pdf(&cut).is_none());
    }

    #[test]
    fn a_stated_density_sizes_the_page_as_typst_sizes_the_raster() {
        let original = png(&DynamicImage::ImageRgb8(colourful(288, 144)), None);
        // 5669 pixels per metre: the 144 dpi of a high-density screenshot.
        let pdf = image_as_pdf(&with_density(&original, 5669)).unwrap();
        let dpi = 5669.0 * 0.0254;
        let (width, height) = read(&pdf).page;
        assert!(
            (f64::from(width) - 288.0 * 72.0 / dpi).abs() < 1e-3,
            "{width}"
        );
        assert!(
            (f64::from(height) - 144.0 * 72.0 / dpi).abs() < 1e-3,
            "{height}"
        );
    }

    #[test]
    fn a_density_in_exif_data_comes_first_as_in_typst() {
        // A macOS screenshot: 144 dpi in its EXIF data (X resolution 144, Y resolution 72, as
        // rationals after the directory), and 5669 pixels per metre in its PNG header.
        let exif = [
            &b"MM\0\x2a\0\0\0\x08\0\x02"[..],
            &[0x01, 0x1a, 0, 5, 0, 0, 0, 1, 0, 0, 0, 38],
            &[0x01, 0x1b, 0, 5, 0, 0, 0, 1, 0, 0, 0, 46],
            &[0, 0, 0, 0],
            &[0, 0, 0, 144, 0, 0, 0, 1],
            &[0, 0, 0, 72, 0, 0, 0, 1],
        ]
        .concat();
        let original = png(&DynamicImage::ImageRgb8(colourful(288, 144)), None);
        let screenshot = with_chunk(&with_density(&original, 5669), b"eXIf", &exif);
        assert_eq!(
            read(&image_as_pdf(&screenshot).unwrap()).page,
            (144.0, 72.0)
        );
    }

    /// Typst lays the PDF out at the size it gives the raster: its natural size, whatever
    /// density the file states, and so the size of an image given only a height, or too wide
    /// for its column.
    #[test]
    fn typst_gives_the_pdf_the_size_it_gives_the_raster() {
        let plain = png(&DynamicImage::ImageRgb8(colourful(300, 200)), None);
        let dense = with_density(&plain, 5669);
        let exif = [
            &b"MM\0\x2a\0\0\0\x08\0\x01"[..],
            &[0x01, 0x1a, 0, 5, 0, 0, 0, 1, 0, 0, 0, 26],
            &[0, 0, 0, 0],
            &[0, 0, 0, 150, 0, 0, 0, 1],
        ]
        .concat();
        let screenshot = with_chunk(&dense, b"eXIf", &exif);
        let photo = jpeg_at(jpeg(&DynamicImage::ImageRgb8(colourful(300, 200))), 300);
        for raster in [plain, dense, screenshot, photo] {
            let pdf = image_as_pdf(&raster).unwrap();
            let images = vec![
                typst::foundations::Bytes::new(raster),
                typst::foundations::Bytes::new(pdf),
            ];
            let markup = r#"#context {
                for args in ((:), (height: 2cm), (width: 100%)) {
                    let (raster, pdf) = ("/attachments/0", "/attachments/1")
                        .map(path => measure(image(path, ..args)))
                    assert(
                        calc.abs((raster.width - pdf.width).pt()) < 1e-3
                            and calc.abs((raster.height - pdf.height).pt()) < 1e-3,
                        message: repr((raster, pdf)),
                    )
                }
            }"#;
            crate::tests::compile_markup_with_images(&crate::tests::ENGINE, markup, images)
                .unwrap();
        }
    }

    #[test]
    fn translucent_pixels_make_a_soft_mask_and_opaque_ones_none() {
        let mut rgba = RgbaImage::from_fn(120, 80, |x, y| Rgba([x as u8, y as u8, 7, 255]));
        let opaque = image_as_pdf(&png(&DynamicImage::ImageRgba8(rgba.clone()), None)).unwrap();
        let read_opaque = read(&opaque);
        assert!(read_opaque.mask.is_none());
        assert_eq!(read_opaque.image.2.len(), 120 * 80 * 3);

        rgba.put_pixel(5, 6, Rgba([1, 2, 3, 40]));
        let translucent = read(&image_as_pdf(&png(&DynamicImage::ImageRgba8(rgba), None)).unwrap());
        let (size, alpha) = translucent.mask.expect("a soft mask");
        assert_eq!(size, (120, 80));
        assert_eq!(alpha[6 * 120 + 5], 40);
        assert_eq!(alpha.iter().filter(|&&a| a != 255).count(), 1);
        assert_eq!(&translucent.image.2[(6 * 120 + 5) * 3..][..3], &[1, 2, 3]);
    }

    #[test]
    fn a_large_image_read_row_by_row_keeps_every_pixel_and_its_transparency() {
        // More samples of each channel than one write to the compressor, the first translucent
        // pixel some rows down (the soft mask must start with the opaque pixels above it) and
        // more than a write's worth of rows after it.
        let (width, height) = (1300, 1000);
        let mut rgba = RgbaImage::from_fn(width, height, |x, y| {
            Rgba([(x % 251) as u8, (y % 241) as u8, ((x ^ y) % 256) as u8, 255])
        });
        assert!(((height - 100) * width) as usize > SAMPLES_PER_WRITE);
        rgba.put_pixel(3, 100, Rgba([9, 8, 7, 0]));
        rgba.put_pixel(5, 850, Rgba([6, 5, 4, 128]));
        let read =
            read(&image_as_pdf(&png(&DynamicImage::ImageRgba8(rgba.clone()), None)).unwrap());
        let rgb: Vec<u8> = rgba.pixels().flat_map(|p| [p[0], p[1], p[2]]).collect();
        assert!(read.image.2 == rgb, "the colours changed");
        let (size, alpha) = read.mask.expect("a soft mask");
        assert_eq!(size, (1300, 1000));
        let expected: Vec<u8> = rgba.pixels().map(|p| p[3]).collect();
        assert!(alpha == expected, "the alpha channel changed");
    }

    /// A 40 × 30 palette PNG of the colours red, blue and (10, 20, 30) in turn, with `alpha`
    /// for them (`tRNS`).
    fn palette_png(alpha: Vec<u8>) -> Vec<u8> {
        let (width, height) = (40, 30);
        let mut out = Vec::new();
        let mut encoder = ::png::Encoder::new(&mut out, width, height);
        encoder.set_color(::png::ColorType::Indexed);
        encoder.set_depth(::png::BitDepth::Eight);
        encoder.set_palette(vec![255, 0, 0, 0, 0, 255, 10, 20, 30]);
        encoder.set_trns(alpha);
        let indices: Vec<u8> = (0..width * height).map(|i| (i % 3) as u8).collect();
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&indices).unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn a_palette_png_with_a_transparent_colour_keeps_its_rows_and_masks_that_colour() {
        let file = palette_png(vec![255, 255, 0]);
        let pdf = image_as_pdf(&file).unwrap();
        let document = Document::load_mem(&pdf).unwrap();
        let stream = only_image(&document);
        assert!(
            stream.content == idat_data(&file).unwrap(),
            "not the file's own rows"
        );
        let mask: Vec<i64> = stream
            .dict
            .get(b"Mask")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_i64().unwrap())
            .collect();
        assert_eq!(mask, vec![2, 2]);
        let read = read(&pdf);
        assert!(read.mask.is_none());
        assert_eq!(&shown_rgb(&pdf)[..9], &[255, 0, 0, 0, 0, 255, 10, 20, 30]);
    }

    #[test]
    fn a_palette_png_with_translucent_or_scattered_transparent_colours_gets_a_soft_mask() {
        // A translucent colour, and two transparent colours with an opaque one between them:
        // neither is a run of indices a colour key mask can name.
        for alpha in [vec![255, 128, 255], vec![0, 255, 0]] {
            let read = read(&image_as_pdf(&palette_png(alpha.clone())).unwrap());
            assert_eq!(read.image.1, Object::Name(b"DeviceRGB".to_vec()));
            assert_eq!(&read.image.2[..9], &[255, 0, 0, 0, 0, 255, 10, 20, 30]);
            let (_, mask) = read.mask.expect("a soft mask");
            assert_eq!(&mask[..3], &alpha[..]);
        }
    }

    #[test]
    fn the_pdf_palette_has_as_many_colours_as_the_rows_use() {
        assert_eq!(highest_sample(&[3, 200, 17], 8), 200);
        assert_eq!(highest_sample(&[0b0001_0010], 4), 2);
        assert_eq!(highest_sample(&[0b0100_1000, 0b0000_0001], 2), 2);
        assert_eq!(highest_sample(&[0b0000_0000], 1), 0);
        // A palette of 256 colours of which the rows use three: three in the PDF.
        let out = encoded_png(
            (30, 20),
            ::png::ColorType::Indexed,
            ::png::BitDepth::Eight,
            Some((0..768).map(|i| (i % 256) as u8).collect()),
            |x, y| ((x + y) % 3) as u8,
        );
        let pdf = image_as_pdf(&out).unwrap();
        let read = read(&pdf);
        let space = read.image.1.as_array().unwrap();
        assert_eq!(space[2].as_i64().unwrap(), 2);
        let expected = image::load_from_memory(&out).unwrap().to_rgb8().into_raw();
        assert!(shown_rgb(&pdf) == expected);
    }

    #[test]
    fn transparent_palette_colours_are_masked_only_as_a_run() {
        assert_eq!(transparent_indices(&[255, 255]), Some(None));
        assert_eq!(transparent_indices(&[255, 0, 0, 255]), Some(Some((1, 2))));
        assert_eq!(transparent_indices(&[0]), Some(Some((0, 0))));
        assert_eq!(transparent_indices(&[0, 255, 0]), None);
        assert_eq!(transparent_indices(&[255, 254]), None);
    }

    #[test]
    fn grey_and_alpha_stays_grey() {
        let luma_alpha = GrayAlphaImage::from_fn(50, 40, |x, _| LumaA([x as u8, (x * 5) as u8]));
        let read = read(&image_as_pdf(&png(&DynamicImage::ImageLumaA8(luma_alpha), None)).unwrap());
        assert_eq!(read.image.1, Object::Name(b"DeviceGray".to_vec()));
        assert_eq!(read.image.2.len(), 50 * 40);
        assert_eq!(read.mask.map(|(_, alpha)| alpha[3]), Some(15));
    }

    #[test]
    fn a_colour_profile_is_kept_when_it_fits_the_pixels() {
        // Only the profile's header is read: its colour space at bytes 16..20.
        let mut rgb_profile = vec![0u8; 128];
        rgb_profile[16..20].copy_from_slice(b"RGB ");
        let pixels = DynamicImage::ImageRgb8(colourful(30, 20));
        let pdf = image_as_pdf(&png(&pixels, Some(rgb_profile.clone()))).unwrap();
        let document = Document::load_mem(&pdf).unwrap();
        let kept = read(&pdf);
        let space = kept.image.1.as_array().unwrap();
        assert_eq!(space[0], Object::Name(b"ICCBased".to_vec()));
        let profile = document
            .get_object(space[1].as_reference().unwrap())
            .unwrap()
            .as_stream()
            .unwrap();
        assert_eq!(profile.dict.get(b"N").unwrap().as_i64().unwrap(), 3);
        assert_eq!(profile.decompressed_content().unwrap(), rgb_profile);

        let mut grey_profile = rgb_profile;
        grey_profile[16..20].copy_from_slice(b"GRAY");
        let mismatched = read(&image_as_pdf(&png(&pixels, Some(grey_profile))).unwrap());
        assert_eq!(mismatched.image.1, Object::Name(b"DeviceRGB".to_vec()));
    }

    #[test]
    fn images_typst_handles_itself_are_left_to_it() {
        let pixels = DynamicImage::ImageRgb8(colourful(20, 10));
        let sixteen_bit = DynamicImage::ImageRgb16(pixels.to_rgb16());
        assert!(image_as_pdf(&png(&sixteen_bit, None)).is_none());

        // EXIF data in a PNG (`eXIf`): turned a quarter (orientation 6).
        let turned = [
            &b"MM\0\x2a\0\0\0\x08\0\x01"[..],
            &[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0],
            &[0, 0, 0, 0],
        ]
        .concat();
        assert!(image_as_pdf(&with_chunk(&png(&pixels, None), b"eXIf", &turned)).is_none());

        let mut truncated = png(&pixels, None);
        truncated.truncate(truncated.len() - 20);
        assert!(image_as_pdf(&truncated).is_none());
        assert!(image_as_pdf(b"not an image").is_none());

        let mut cut_jpeg = jpeg(&pixels);
        cut_jpeg.truncate(cut_jpeg.len() / 2);
        assert!(image_as_pdf(&cut_jpeg).is_none());
    }

    fn jpeg(pixels: &DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        pixels
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
            .unwrap();
        out
    }

    /// `jpeg` (which starts with a JFIF header) stating `dpi` dots per inch.
    fn jpeg_at(mut jpeg: Vec<u8>, dpi: u16) -> Vec<u8> {
        assert_eq!(&jpeg[6..11], b"JFIF\0");
        jpeg[13] = 1;
        jpeg[14..16].copy_from_slice(&dpi.to_be_bytes());
        jpeg[16..18].copy_from_slice(&dpi.to_be_bytes());
        jpeg
    }

    #[test]
    fn a_jpeg_is_shown_as_its_own_file() {
        for (pixels, space) in [
            (
                DynamicImage::ImageRgb8(colourful(64, 32)),
                &b"DeviceRGB"[..],
            ),
            (
                DynamicImage::ImageLuma8(DynamicImage::ImageRgb8(colourful(64, 32)).to_luma8()),
                b"DeviceGray",
            ),
        ] {
            let file = jpeg_at(jpeg(&pixels), 144);
            let pdf = image_as_pdf(&file).unwrap();
            let document = Document::load_mem(&pdf).unwrap();
            let stream = only_image(&document);
            assert_eq!(stream.content, file);
            assert_eq!(
                stream.dict.get(b"Filter").unwrap(),
                &Object::Name(b"DCTDecode".to_vec())
            );
            assert_eq!(
                stream.dict.get(b"ColorSpace").unwrap(),
                &Object::Name(space.to_vec())
            );
            // 64 × 32 pixels at the 144 dpi the JFIF header states.
            assert_eq!(read(&pdf).page, (32.0, 16.0));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Whatever the pixels, the PDF shows them: the colour samples in order, a soft mask
        /// exactly when a pixel is not opaque, holding every pixel's alpha.
        #[test]
        fn every_pixel_is_kept(
            width in 1u32..40,
            height in 1u32..30,
            channels in proptest::sample::select(vec![1usize, 2, 3, 4]),
            seed in proptest::prelude::any::<u64>(),
            translucent in proptest::prelude::any::<bool>(),
        ) {
            let mut state = seed;
            let mut next = || {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (state >> 56) as u8
            };
            let count = (width * height) as usize;
            let mut samples: Vec<u8> = (0..count * channels).map(|_| next()).collect();
            let has_alpha = channels % 2 == 0;
            if has_alpha {
                for (i, pixel) in samples.chunks_exact_mut(channels).enumerate() {
                    pixel[channels - 1] = if translucent && i % 7 == 3 { next() / 2 } else { 255 };
                }
            }
            let pixels = match channels {
                1 => DynamicImage::ImageLuma8(image::GrayImage::from_raw(width, height, samples.clone()).unwrap()),
                2 => DynamicImage::ImageLumaA8(GrayAlphaImage::from_raw(width, height, samples.clone()).unwrap()),
                3 => DynamicImage::ImageRgb8(RgbImage::from_raw(width, height, samples.clone()).unwrap()),
                _ => DynamicImage::ImageRgba8(RgbaImage::from_raw(width, height, samples.clone()).unwrap()),
            };
            let read = read(&image_as_pdf(&png(&pixels, None)).unwrap());
            let colour_channels = if has_alpha { channels - 1 } else { channels };
            let colour: Vec<u8> = samples
                .chunks_exact(channels)
                .flat_map(|pixel| pixel[..colour_channels].to_vec())
                .collect();
            proptest::prop_assert_eq!(read.image.0, (i64::from(width), i64::from(height)));
            proptest::prop_assert_eq!(&read.image.2, &colour);
            let alpha: Option<Vec<u8>> = (has_alpha && translucent && count > 3)
                .then(|| samples.chunks_exact(channels).map(|pixel| pixel[channels - 1]).collect());
            proptest::prop_assert_eq!(read.mask.map(|(_, alpha)| alpha), alpha);
        }
    }
}
