//! Page layouts (`ac:layout`, `ac:layout-section`, `ac:layout-cell`).

use folio_ir::{Column, Columns, Length};

use crate::blocks::{Cx, Flow, Place, read_blocks, read_children};
use crate::dom::Element;

/// One `Columns` block per section; a single-cell section gives its blocks directly.
pub(crate) fn read_layout(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    if el.name == "ac:layout" {
        for child in el.elements() {
            match child.name.as_str() {
                "ac:layout-section" => read_section(cx, child, out),
                _ => read_children(cx, child, Place::Block, out),
            }
        }
    } else {
        read_section(cx, el, out);
    }
}

fn read_section(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    let cells: Vec<&Element> = el
        .elements()
        .filter(|c| c.name == "ac:layout-cell")
        .collect();
    if cells.len() <= 1 {
        read_children(cx, el, Place::Block, out);
        return;
    }
    let widths = section_widths(el.attr("ac:type").unwrap_or("").trim(), cells.len());
    let columns = cells
        .into_iter()
        .zip(widths)
        .map(|(cell, width)| Column {
            width: Some(Length::Percent(width)),
            blocks: read_blocks(cx, &cell.children),
        })
        .collect();
    out.push(Flow::Block(folio_ir::Block::Columns(Columns {
        columns,
        border: false,
        span: el.span,
    })));
}

/// Column widths in percent for a section type; equal shares when the type is unknown or does
/// not match the number of cells.
fn section_widths(kind: &str, cells: usize) -> Vec<f32> {
    let third = 100.0 / 3.0;
    let widths: &[f32] = match kind {
        "single" | "fixed-width" => &[100.0],
        "two_equal" => &[50.0, 50.0],
        "two_left_sidebar" => &[30.0, 70.0],
        "two_right_sidebar" => &[70.0, 30.0],
        "three_equal" => &[third, third, third],
        "three_with_sidebars" => &[20.0, 60.0, 20.0],
        "three_left_sidebars" => &[25.0, 25.0, 50.0],
        "three_right_sidebars" => &[50.0, 25.0, 25.0],
        "four_equal" => &[25.0; 4],
        "five_equal" => &[20.0; 5],
        _ => &[],
    };
    if widths.len() == cells {
        widths.to_vec()
    } else {
        vec![100.0 / cells as f32; cells]
    }
}

#[cfg(test)]
mod tests {
    use super::section_widths;

    #[test]
    fn widths_follow_the_section_type() {
        assert_eq!(section_widths("two_left_sidebar", 2), vec![30.0, 70.0]);
        assert_eq!(
            section_widths("three_with_sidebars", 3),
            vec![20.0, 60.0, 20.0]
        );
        assert_eq!(section_widths("two_equal", 3).len(), 3);
        assert_eq!(section_widths("mystery", 4), vec![25.0; 4]);
    }
}
