//! Joins the pieces of a link on one line into one clickable area.
//!
//! Typst marks each run of text it lays out in a link with a link area of its own, and each box
//! in a link with one of the box's size; the PDF writer makes each area an annotation. A long
//! run of text breaks at the lowering's `folio-wbr` boxes (of no width), so a long URL is a run
//! of text per piece with an empty box between two: one 200-character URL made 55 annotations
//! side by side, a page of API endpoints 120 for 2 URLs. Viewers show a link that flickers piece
//! by piece under the pointer, and screen readers are handed every piece. Here the pieces of a
//! link that touch on the same line (in any face) are one area, and the empty boxes' areas are
//! dropped; a link that wraps keeps an area per line, as Typst means it to (one box around both
//! lines would cover text that is not the link).

use typst::introspection::Tag;
use typst::layout::{Frame, FrameItem, Point, Size};
use typst::model::{Destination, LinkElem};

/// Pieces closer than this many points, side by side, touch (the `folio-wbr` boxes between them
/// are of no width, so their gap is rounding).
const TOUCHING_PT: f64 = 0.5;

/// Whether `frame` or a frame inside it has link pieces to join (see [`join_link_pieces`]).
pub(crate) fn has_link_pieces(frame: &Frame) -> bool {
    let areas = link_areas(frame);
    let mut open: Option<(Point, Size, &Destination)> = None;
    for (pos, item) in frame.items() {
        match item {
            FrameItem::Link(dest, size) if !is_empty(*size) => {
                if open.is_some_and(|(at, extent, last)| {
                    continues(at, extent, last, *pos, *size, dest)
                }) {
                    return true;
                }
                open = Some((*pos, *size, dest));
            }
            FrameItem::Tag(Tag::Start(element, _)) if element.is::<LinkElem>() => open = None,
            FrameItem::Group(group)
                if has_empty_area(&group.frame, &areas) || has_link_pieces(&group.frame) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Joins the pieces of each link in `frame` and the frames inside it that touch on the same
/// line into one link area, where the first piece is, and drops the empty areas of boxes in a
/// link that has text on the line.
pub(crate) fn join_link_pieces(frame: &mut Frame) {
    let areas = link_areas(frame);
    let items: Vec<(Point, FrameItem)> = frame.items().cloned().collect();
    let mut joined = Vec::with_capacity(items.len());
    // The index in `joined` of the link area pieces may still join.
    let mut open: Option<usize> = None;
    for (pos, mut item) in items {
        match &mut item {
            FrameItem::Link(dest, size) if !is_empty(*size) => {
                if let Some(i) = open
                    && let (at, FrameItem::Link(last, extent)) = &mut joined[i]
                    && continues(*at, *extent, last, pos, *size, dest)
                {
                    // The union of the two: pieces in another face sit higher or lower.
                    let top = at.y.min(pos.y);
                    let bottom = (at.y + extent.y).max(pos.y + size.y);
                    extent.x = pos.x + size.x - at.x;
                    extent.y = bottom - top;
                    at.y = top;
                    continue;
                }
                open = Some(joined.len());
            }
            FrameItem::Tag(Tag::Start(element, _)) if element.is::<LinkElem>() => open = None,
            FrameItem::Group(group) => {
                if has_empty_area(&group.frame, &areas) {
                    group.frame.retain(|inner| {
                        !matches!(inner, FrameItem::Link(dest, size)
                            if is_empty(*size) && areas.contains(dest))
                    });
                }
                if has_link_pieces(&group.frame) {
                    join_link_pieces(&mut group.frame);
                }
            }
            _ => {}
        }
        joined.push((pos, item));
    }
    frame.clear();
    frame.push_multiple(joined);
}

/// The destinations of the link areas in `frame` itself that are not empty.
fn link_areas(frame: &Frame) -> Vec<Destination> {
    frame
        .items()
        .filter_map(|(_, item)| match item {
            FrameItem::Link(dest, size) if !is_empty(*size) => Some(dest.clone()),
            _ => None,
        })
        .collect()
}

/// Whether `frame` (a box) has an empty link area to one of `areas`.
fn has_empty_area(frame: &Frame, areas: &[Destination]) -> bool {
    !areas.is_empty()
        && frame.items().any(|(_, item)| {
            matches!(item, FrameItem::Link(dest, size) if is_empty(*size) && areas.contains(dest))
        })
}

/// Whether a link area of `size` has no room to click.
fn is_empty(size: Size) -> bool {
    size.x.to_pt() <= 0.0 || size.y.to_pt() <= 0.0
}

/// Whether a piece of a link to `dest` at `pos`, `size` large, continues the area of a link to
/// `last` at `at`, `extent` large: the same destination, touching its right edge, on the same
/// line (overlapping it by at least half the lower one's height: a piece in another face sits a
/// little higher or lower; the next line's overlaps by its leading at most).
fn continues(
    at: Point,
    extent: Size,
    last: &Destination,
    pos: Point,
    size: Size,
    dest: &Destination,
) -> bool {
    let overlap = (at.y + extent.y).min(pos.y + size.y) - at.y.max(pos.y);
    last == dest
        && (pos.x - (at.x + extent.x)).abs().to_pt() < TOUCHING_PT
        && overlap.to_pt() >= 0.5 * extent.y.min(size.y).to_pt()
}
