//! The [`FontInfo`] Typst computes for a font face, computed in a fifth of the time.
//!
//! Scanning the system's fonts (for a document with a Korean character or an emoji, say) was
//! most of the time of a small page in a fresh process: with the Noto CJK collections installed,
//! `FontInfo::new` takes about 0.5 ms per face, 34 ms for this machine's 68 faces. Nearly all
//! of it is the character coverage: Typst collects every code point of the character map (about
//! 130,000 in a CJK face, each subtable listing the Basic Multilingual Plane again) and sorts
//! them, where the subtables list them as ranges already. This takes 7 ms for the same faces.
//!
//! The rest of the info (family, style, weight, stretch, flags, axes) stays Typst's own: it is
//! computed by `FontInfo::new` on a copy of the face's few naming and style tables, without its
//! character map, so Typst's rules for family names and styles apply unchanged. The coverage is
//! built from the ranges of code points the character map lists (read straight from its
//! segments and groups, for the two formats that list nearly all of them), in `Coverage`'s
//! serialised form (lengths of gaps and ranges, alternately). A test checks the whole result
//! against `FontInfo::new` for every face the machine has.

use rustybuzz::ttf_parser;
use rustybuzz::ttf_parser::cmap::Format;
use serde::Deserialize;
use serde::de::value::SeqDeserializer;
use typst::text::{Coverage, FontInfo};

/// The tables `FontInfo::new` reads besides the character map, in the order of their tags (a
/// font's table directory is sorted by tag): the MATH table's presence, OS/2's style, weight
/// and width, the variation axes, the three tables every face must have, the names, and the
/// `post` table's monospace flag.
const INFO_TABLES: [&[u8; 4]; 8] = [
    b"MATH", b"OS/2", b"fvar", b"head", b"hhea", b"maxp", b"name", b"post",
];

/// What `FontInfo::new(data, index)` returns, computed faster.
pub fn font_info(data: &[u8], index: u32) -> Option<FontInfo> {
    let face = ttf_parser::Face::parse(data, index).ok()?;
    let fast = tables_without_cmap(&face)
        .and_then(|font| FontInfo::new(&font, 0))
        .filter(|info| info.coverage.iter().next().is_none())
        .and_then(|info| {
            Some(FontInfo {
                coverage: coverage(&face)?,
                ..info
            })
        });
    // A face the shortened copy does not parse as, or whose character map is no set of code
    // points (never seen in a real font): Typst's own, slower way.
    fast.or_else(|| FontInfo::new(data, index))
}

/// The face's [`INFO_TABLES`] as a font file of their own (an OpenType table directory and the
/// tables, each starting on a four-byte boundary).
fn tables_without_cmap(face: &ttf_parser::Face) -> Option<Vec<u8>> {
    let tables: Vec<(&[u8; 4], &[u8])> = INFO_TABLES
        .iter()
        .filter_map(|&tag| {
            Some((
                tag,
                face.raw_face().table(ttf_parser::Tag::from_bytes(tag))?,
            ))
        })
        .collect();
    let count = u16::try_from(tables.len()).ok()?;
    let directory = 12 + 16 * tables.len();
    let mut font =
        Vec::with_capacity(directory + tables.iter().map(|(_, t)| t.len() + 3).sum::<usize>());
    // sfnt version (TrueType outlines or not, the info does not depend on it), the table count
    // and the binary-search fields derived from it.
    let power = 1u16 << (15 - count.leading_zeros().min(15));
    font.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    font.extend_from_slice(&count.to_be_bytes());
    font.extend_from_slice(&(power * 16).to_be_bytes());
    font.extend_from_slice(&(power.trailing_zeros() as u16).to_be_bytes());
    font.extend_from_slice(&(count.saturating_sub(power) * 16).to_be_bytes());
    let mut offset = directory;
    for (tag, table) in &tables {
        font.extend_from_slice(*tag);
        font.extend_from_slice(&0u32.to_be_bytes()); // checksum: not checked by the parser
        font.extend_from_slice(&u32::try_from(offset).ok()?.to_be_bytes());
        font.extend_from_slice(&u32::try_from(table.len()).ok()?.to_be_bytes());
        offset += table.len().next_multiple_of(4);
    }
    for (_, table) in &tables {
        font.extend_from_slice(table);
        font.resize(font.len().next_multiple_of(4), 0);
    }
    Some(font)
}

/// The code points of the face's Unicode character maps, the set Typst's `FontInfo::new`
/// collects, built from ranges rather than from a sorted list of every code point.
fn coverage(face: &ttf_parser::Face) -> Option<Coverage> {
    let mut ranges: Vec<(u64, u64)> = Vec::new();
    let raw = face.raw_face().table(ttf_parser::Tag::from_bytes(b"cmap"));
    // As Typst goes through them: ttf-parser's subtables, which end at the first it cannot parse.
    let subtables = face
        .tables()
        .cmap
        .into_iter()
        .flat_map(|cmap| cmap.subtables);
    for (record, subtable) in subtables.enumerate() {
        if !subtable.is_unicode() {
            continue;
        }
        // The two formats that list most code points, read as the ranges they are made of;
        // any other, one code point at a time.
        let listed = match subtable.format {
            Format::SegmentMappingToDeltaValues(_) => {
                raw.and_then(|raw| format4_ranges(raw, record))
            }
            Format::SegmentedCoverage(_) => raw.and_then(|raw| format12_ranges(raw, record)),
            _ => None,
        };
        match listed {
            Some(listed) => {
                for (start, end) in listed {
                    add_range(&mut ranges, start, end);
                }
            }
            None => subtable.codepoints(|c| add_range(&mut ranges, c.into(), u64::from(c) + 1)),
        }
    }
    ranges.sort_unstable();
    Coverage::deserialize(SeqDeserializer::<_, serde::de::value::Error>::new(
        runs(&ranges)?.into_iter(),
    ))
    .ok()
}

/// Adds the half-open range `start..end` to `ranges`, joined to the last one where it follows
/// on (a CJK face's tens of thousands of groups and code points come down to a few thousand
/// ranges, which are sorted next).
fn add_range(ranges: &mut Vec<(u64, u64)>, start: u64, end: u64) {
    match ranges.last_mut() {
        Some((_, last_end)) if *last_end == start => *last_end = end,
        _ => ranges.push((start, end)),
    }
}

/// The bytes of the `record`th subtable of a raw `cmap` table, from its start.
fn subtable_bytes(cmap: &[u8], record: usize) -> Option<&[u8]> {
    let at = 4 + 8 * record;
    let offset = u32::from_be_bytes(cmap.get(at + 4..at + 8)?.try_into().ok()?);
    cmap.get(usize::try_from(offset).ok()?..)
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// The half-open ranges of a format 4 subtable's segments: the code points ttf-parser's
/// `Subtable4::codepoints` lists (each segment's start to end, up to the 0xFFFF segment that
/// ends the list).
fn format4_ranges(cmap: &[u8], record: usize) -> Option<Vec<(u64, u64)>> {
    let data = subtable_bytes(cmap, record)?;
    let segments = usize::from(u16_at(data, 6)? / 2);
    let ends = 14;
    let starts = ends + 2 * segments + 2;
    let mut ranges = Vec::with_capacity(segments);
    for i in 0..segments {
        let (start, end) = (u16_at(data, starts + 2 * i)?, u16_at(data, ends + 2 * i)?);
        if start == 0xFFFF && end == 0xFFFF {
            break;
        }
        if start <= end {
            ranges.push((u64::from(start), u64::from(end) + 1));
        }
    }
    Some(ranges)
}

/// The half-open ranges of a format 12 subtable's groups: the code points ttf-parser's
/// `Subtable12::codepoints` lists.
fn format12_ranges(cmap: &[u8], record: usize) -> Option<Vec<(u64, u64)>> {
    let data = subtable_bytes(cmap, record)?;
    let groups = usize::try_from(u32_at(data, 12)?).ok()?;
    let mut ranges = Vec::with_capacity(groups.min(data.len() / 12));
    for i in 0..groups {
        let at = 16 + 12 * i;
        let (start, end) = (u32_at(data, at)?, u32_at(data, at + 4)?);
        if start <= end {
            ranges.push((u64::from(start), u64::from(end) + 1));
        }
    }
    Some(ranges)
}

/// `Coverage`'s encoding of the union of sorted `ranges`: the lengths of the gaps and the
/// ranges between them, alternately, starting with a gap (its serialised form, as its
/// documentation describes it; `None` past `u32`).
fn runs(ranges: &[(u64, u64)]) -> Option<Vec<u32>> {
    let mut runs: Vec<u32> = Vec::new();
    // The end of the last range written.
    let mut covered = 0;
    for &(start, end) in ranges {
        if end <= covered {
            continue;
        }
        match runs.last_mut() {
            // Overlapping or adjacent to the last range: extend it.
            Some(last) if start <= covered => *last += u32::try_from(end - covered).ok()?,
            _ => {
                runs.push(u32::try_from(start - covered).ok()?);
                runs.push(u32::try_from(end - start).ok()?);
            }
        }
        covered = end;
    }
    Some(runs)
}

#[cfg(test)]
mod tests {

    use super::*;

    /// The same info as Typst's, or the face and both infos.
    fn compare(name: &str, data: &[u8], index: u32) -> Result<(), String> {
        let (ours, typst) = (font_info(data, index), FontInfo::new(data, index));
        if ours == typst {
            Ok(())
        } else {
            Err(format!("{name} #{index}: {ours:?} != {typst:?}"))
        }
    }

    #[test]
    fn the_info_is_typsts_own() {
        // The embedded faces, then the system's when it has any (each read in place: a CJK
        // collection is 20 MB a face).
        let embedded = typst_kit::fonts::embedded().map(|(font, _)| font);
        let body = crate::fonts::body_faces()
            .iter()
            .filter_map(|face| face.font().cloned());
        let mut faces = 0;
        for font in embedded.chain(body) {
            compare(&font.info().family, font.data(), font.index()).unwrap();
            faces += 1;
        }
        assert!(faces >= 8, "{faces}");
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        for face in db.faces() {
            let name = format!("{:?}", face.source);
            if let Some(result) =
                db.with_face_data(face.id, |data, index| compare(&name, data, index))
            {
                result.unwrap();
            }
        }
    }

    #[test]
    fn a_face_typst_cannot_read_has_no_info() {
        assert_eq!(font_info(b"not a font", 0), None);
        // A face index past the collection's end.
        let (data, _) = crate::fonts::body_faces()[0].file();
        assert_eq!(font_info(data, 3), None);
    }

    #[test]
    fn ranges_are_encoded_as_typst_encodes_their_code_points() {
        let cases: [&[(u64, u64)]; 5] = [
            &[],
            &[(0, 2)],
            &[(2, 5), (9, 12), (15, 16), (18, 20)],
            // Overlapping, nested and adjacent ranges, as two subtables list them.
            &[(2, 5), (3, 4), (4, 8), (8, 9), (12, 13), (12, 20)],
            &[(0, 1), (1, 2), (5, 6)],
        ];
        for ranges in cases {
            let points: Vec<u32> = ranges
                .iter()
                .flat_map(|&(start, end)| start as u32..end as u32)
                .collect();
            let ours = Coverage::deserialize(SeqDeserializer::<_, serde::de::value::Error>::new(
                runs(ranges).unwrap().into_iter(),
            ))
            .unwrap();
            assert_eq!(ours, Coverage::from_vec(points), "{ranges:?}");
        }
        assert_eq!(
            runs(&[(2, 5), (9, 12), (15, 16), (18, 20)]).unwrap(),
            [2, 3, 4, 3, 3, 1, 2, 2]
        );
        assert_eq!(runs(&[(0, 1 << 33)]), None);
    }
}
