//! Tables: rows as the source states them (ragged rows and spans are left for the table
//! normalisation pass), column widths, cell alignment and highlight colours.

use folio_ir::{Block, Cell, ColumnSpec, Length, Row, Table};

use crate::blocks::{Cx, Flow, Place, read_blocks, read_element};
use crate::css;
use crate::dom::{Element, Node};

/// More columns than any page shows: `<col span>` is capped here (as HTML caps it at 1000).
const MAX_COL_SPAN: u32 = 1000;

struct TableBuilder {
    table: Table,
    footer: Vec<Row>,
    /// Content that does not belong in a table; as HTML does, it is put before the table.
    fostered: Vec<Flow>,
}

/// `table` → a table block, preceded by any stray content found inside it.
pub(crate) fn read_table(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    let style = el.attr("style").unwrap_or("");
    let width = css::property(style, "width")
        .or(el.attr("width"))
        .and_then(css::parse_length)
        .or_else(|| {
            el.attr("data-table-width")
                .and_then(css::parse_px)
                .map(Length::Px)
        });
    let mut builder = TableBuilder {
        table: Table {
            columns: vec![],
            rows: vec![],
            header_rows: 0,
            width,
            numbered: false,
            span: el.span,
        },
        footer: vec![],
        fostered: vec![],
    };
    for node in &el.children {
        match node {
            Node::Element(child) => match child.name.as_str() {
                "colgroup" => builder.read_colgroup(child),
                "col" => builder.read_col(child),
                "thead" => builder.read_section(cx, child, true, false),
                "tbody" => builder.read_section(cx, child, false, false),
                "tfoot" => builder.read_section(cx, child, false, true),
                "tr" => {
                    let row = builder.read_row(cx, child, false);
                    builder.table.rows.push(row);
                }
                "ac:adf-fragment-mark" | "ac:adf-fragment-mark-detail" => {}
                _ => read_element(cx, child, Place::Block, &mut builder.fostered),
            },
            node if node.is_blank_text() => {}
            other => builder.foster(cx, other),
        }
    }
    let TableBuilder {
        mut table,
        footer,
        fostered,
    } = builder;
    table.rows.extend(footer);
    out.extend(fostered);
    out.push(Flow::Block(Block::Table(table)));
}

impl TableBuilder {
    fn foster(&mut self, cx: &mut Cx, node: &Node) {
        self.fostered.extend(
            read_blocks(cx, std::slice::from_ref(node))
                .into_iter()
                .map(Flow::Block),
        );
    }

    fn read_colgroup(&mut self, el: &Element) {
        let cols: Vec<&Element> = el.elements().filter(|c| c.name == "col").collect();
        if cols.is_empty() {
            let span = el
                .attr("span")
                .and_then(css::parse_count)
                .unwrap_or(1)
                .min(MAX_COL_SPAN);
            let width = column_width(el);
            self.table
                .columns
                .extend((0..span).map(|_| ColumnSpec { width }));
        }
        for col in cols {
            self.read_col(col);
        }
    }

    fn read_col(&mut self, el: &Element) {
        if el.has_class("numberingColumn") {
            self.table.numbered = true;
        }
        let span = el
            .attr("span")
            .and_then(css::parse_count)
            .unwrap_or(1)
            .min(MAX_COL_SPAN);
        let width = column_width(el);
        self.table
            .columns
            .extend((0..span).map(|_| ColumnSpec { width }));
    }

    fn read_section(&mut self, cx: &mut Cx, el: &Element, in_head: bool, footer: bool) {
        for node in &el.children {
            match node {
                Node::Element(tr) if tr.name == "tr" => {
                    let row = self.read_row(cx, tr, in_head);
                    if footer {
                        self.footer.push(row)
                    } else {
                        self.table.rows.push(row)
                    }
                }
                Node::Element(mark) if mark.name.starts_with("ac:adf-fragment-mark") => {}
                node if node.is_blank_text() => {}
                other => self.foster(cx, other),
            }
        }
    }

    fn read_row(&mut self, cx: &mut Cx, el: &Element, in_head: bool) -> Row {
        let mut cells = Vec::new();
        for node in &el.children {
            match node {
                Node::Element(cell) if cell.name == "td" || cell.name == "th" => {
                    cells.push(self.read_cell(cx, cell))
                }
                node if node.is_blank_text() => {}
                other => self.foster(cx, other),
            }
        }
        Row { cells, in_head }
    }

    fn read_cell(&mut self, cx: &mut Cx, el: &Element) -> Cell {
        if el.has_class("numberingColumn") {
            self.table.numbered = true;
        }
        let style = el.attr("style").unwrap_or("");
        let background = el
            .attr("data-highlight-colour")
            .and_then(css::parse_highlight)
            .or_else(|| {
                let class = el.attr("class")?;
                class
                    .split_ascii_whitespace()
                    .find_map(|c| css::parse_highlight(c.strip_prefix("highlight-")?))
            })
            .or_else(|| css::property(style, "background-color").and_then(css::parse_color));
        let mut blocks = read_blocks(cx, &el.children);
        if let Some(id) = el.attr_nonblank("id") {
            crate::blocks::prepend_anchor(&mut blocks, id, el.span);
        }
        Cell {
            header: el.name == "th",
            colspan: el.attr("colspan").and_then(css::parse_count).unwrap_or(1),
            rowspan: el.attr("rowspan").and_then(css::parse_count).unwrap_or(1),
            align: css::property(style, "text-align")
                .or(el.attr("align"))
                .and_then(css::parse_align),
            background,
            blocks,
        }
    }
}

fn column_width(el: &Element) -> Option<Length> {
    let style = el.attr("style").unwrap_or("");
    css::property(style, "width")
        .or(el.attr("width"))
        .and_then(css::parse_length)
}
