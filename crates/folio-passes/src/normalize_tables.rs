//! Table normalisation: colspan/rowspan to a rectangular grid.
//!
//! Invariant after this pass (pandoc's words): no empty spaces or overlapping cells, and no cell
//! protrudes beyond the grid. Cells are placed as HTML places them (each row's cells fill the
//! first free slots left to right, skipping slots that rowspans from above occupy), so a writer
//! that auto-places cells in order (Typst's `table`) reproduces the same grid.

use folio_ir::{Block, Cell, Diagnostic, Document, Row, Span, Table, walk_blocks_mut};

use crate::PassContext;

/// Normalises every table in the document, nested ones included.
pub fn normalize_tables(document: &mut Document, cx: &mut PassContext<'_>) {
    walk_blocks_mut(&mut document.blocks, &mut |blocks: &mut Vec<Block>| {
        for block in blocks.iter_mut() {
            if let Block::Table(table) = block {
                normalize_table(table, cx);
            }
        }
    });
}

/// Normalises one table: clamps spans, removes columns no cell starts in, pads ragged rows,
/// finds header rows and fits column specs to the grid.
pub fn normalize_table(table: &mut Table, cx: &mut PassContext<'_>) {
    let max_span = cx.options.max_span.max(1);
    let max_columns = cx.options.max_table_columns.max(1) as usize;
    let row_count = table.rows.len();
    let mut clamped = false;

    // Pass 1: place cells, clamping spans that run off the table, past the limits, or into slots
    // that a rowspan from above already holds.
    // `carry[c]` = rows (after the current one) that slot column c stays occupied.
    let mut carry: Vec<u32> = Vec::new();
    let mut starts: Vec<Vec<usize>> = Vec::with_capacity(row_count);
    let mut column_has_start: Vec<bool> = Vec::new();
    // Content of cells that found no slot, by the row whose last cell takes it.
    let mut orphans: Vec<(usize, Vec<Block>)> = Vec::new();
    let mut last_row_with_cells = 0;
    for (r, row) in table.rows.iter_mut().enumerate() {
        let rows_left = (row_count - r) as u32;
        let mut row_starts = Vec::with_capacity(row.cells.len());
        let mut col = 0usize;
        let mut kept = 0usize;
        for cell in row.cells.iter_mut() {
            while carry.get(col).is_some_and(|&n| n > 0) {
                col += 1;
            }
            if col >= max_columns {
                // No room left in this row: the cell's content moves into the last slot's cell
                // below, so nothing is lost.
                clamped = true;
                break;
            }
            let want_cols = cell.colspan.clamp(1, max_span) as usize;
            let mut cols = 0;
            while cols < want_cols
                && col + cols < max_columns
                && carry.get(col + cols).is_none_or(|&n| n == 0)
            {
                cols += 1;
            }
            let rows = cell.rowspan.clamp(1, max_span.min(rows_left));
            clamped |= cols as u32 != cell.colspan.max(1) || rows != cell.rowspan.max(1);
            cell.colspan = cols as u32;
            cell.rowspan = rows;
            if carry.len() < col + cols {
                carry.resize(col + cols, 0);
                column_has_start.resize(col + cols, false);
            }
            for slot in &mut carry[col..col + cols] {
                *slot = rows; // decremented below, after the row is placed
            }
            column_has_start[col] = true;
            row_starts.push(col);
            col += cols;
            kept += 1;
        }
        if kept > 0 {
            last_row_with_cells = r;
        }
        if kept < row.cells.len() {
            let overflow = row
                .cells
                .drain(kept..)
                .flat_map(|cell| cell.blocks)
                .collect();
            orphans.push((last_row_with_cells, overflow));
        }
        starts.push(row_starts);
        for slot in carry.iter_mut() {
            *slot = slot.saturating_sub(1);
        }
    }
    for (r, blocks) in orphans {
        // Row 0 always places a cell, so some row at or above `r` has one.
        if let Some(last) = table.rows[r].cells.last_mut() {
            last.blocks.extend(blocks);
        }
    }
    if clamped {
        cx.report(
            Diagnostic::warning(
                "table-span-clamped",
                "table cell spans overlap or run past the table",
            )
            .at(table.span)
            .with_hint("the spans were shortened to fit the grid"),
        );
    }

    // Past the document's cell budget, rows are cut before padding could make them: a row of
    // 1,000 cells over 100,000 one-cell rows would otherwise pad to 100 million cells.
    let columns = column_has_start.iter().filter(|&&kept| kept).count();
    let kept_rows = cut_rows(table, &mut starts, columns, cx);

    // Pass 2: drop grid columns in which no cell starts (made only by oversized colspans), and
    // pad each row's free slots with empty cells.
    let width = column_has_start.len();
    let new_index: Vec<usize> = column_has_start
        .iter()
        .scan(0usize, |next, &kept| {
            let index = *next;
            *next += usize::from(kept);
            Some(index)
        })
        .collect();
    let mut occupied_below: Vec<u32> = vec![0; columns];
    for (row, row_starts) in table.rows.iter_mut().zip(&starts) {
        let mut occupied: Vec<bool> = occupied_below.iter().map(|&n| n > 0).collect();
        let mut placed: Vec<(usize, Cell)> = Vec::with_capacity(columns);
        for (cell, &start) in row.cells.drain(..).zip(row_starts) {
            let end = start + cell.colspan as usize;
            let new_start = new_index[start];
            let new_end = if end >= width {
                columns
            } else {
                new_index[end]
            };
            let mut cell = cell;
            cell.colspan = (new_end - new_start).max(1) as u32;
            for c in new_start..new_start + cell.colspan as usize {
                occupied[c] = true;
                occupied_below[c] = cell.rowspan;
            }
            placed.push((new_start, cell));
        }
        for (c, taken) in occupied.iter().enumerate() {
            if !taken {
                placed.push((c, Cell::empty()));
                occupied_below[c] = 1;
            }
        }
        placed.sort_by_key(|(c, _)| *c);
        row.cells = placed.into_iter().map(|(_, cell)| cell).collect();
        for slot in occupied_below.iter_mut() {
            *slot = slot.saturating_sub(1);
        }
    }

    table.columns.resize_with(columns, Default::default);
    table.header_rows = header_rows(table);
    if let Some(cut) = kept_rows {
        if columns == 0 {
            // The rows kept have no cells (no row of the table has one): beside the note's cell
            // they would make the table ragged.
            table.rows.clear();
        }
        let note = format!(
            "{cut} more rows of this table are not shown: the document's tables exceed folio's limit of {} cells.",
            cx.options.max_table_cells
        );
        table.rows.push(Row {
            cells: vec![Cell {
                blocks: vec![Block::Paragraph {
                    attr: Default::default(),
                    content: vec![folio_ir::Inline::text(note)],
                    span: Span::DETACHED,
                }],
                colspan: columns.max(1) as u32,
                ..Cell::empty()
            }],
            in_head: false,
        });
        if columns == 0 {
            table.columns.push(Default::default());
        }
    }
}

/// Keeps the rows that fit in what is left of `max_table_cells` (one row of it goes to the note
/// that says how many rows were cut) and charges the table's cells to the budget. Returns how
/// many rows were cut, if any.
fn cut_rows(
    table: &mut Table,
    starts: &mut Vec<Vec<usize>>,
    columns: usize,
    cx: &mut PassContext<'_>,
) -> Option<usize> {
    let limit = cx.options.max_table_cells;
    let left = limit.saturating_sub(cx.table_cells);
    let width = columns.max(1);
    let rows = table.rows.len();
    if rows.saturating_mul(width) <= left {
        cx.table_cells += rows * width;
        return None;
    }
    let keep = (left / width).saturating_sub(1).min(rows);
    table.rows.truncate(keep);
    starts.truncate(keep);
    for (r, row) in table.rows.iter_mut().enumerate() {
        for cell in &mut row.cells {
            cell.rowspan = cell.rowspan.min((keep - r) as u32);
        }
    }
    // The rest of the document gets no more table cells than the limit.
    cx.table_cells = limit;
    cx.report(
        Diagnostic::warning(
            "table-too-large",
            format!(
                "{} of a table's {rows} rows are left out: the document's tables have more than {limit} cells (limit `max_table_cells`)",
                rows - keep
            ),
        )
        .at(table.span)
        .with_hint("split the table, or raise the limit"),
    );
    Some(rows - keep)
}

/// Rows from a `thead`, else the leading rows made only of `th` cells; extended so that no
/// rowspan crosses from the header into the body. A table that is all header has no header rows
/// to repeat.
fn header_rows(table: &Table) -> usize {
    let mut count = table.rows.iter().take_while(|row| row.in_head).count();
    if count == 0 {
        count = table
            .rows
            .iter()
            .take_while(|row| !row.cells.is_empty() && row.cells.iter().all(|cell| cell.header))
            .count();
    }
    let mut r = 0;
    while r < count {
        for cell in &table.rows[r].cells {
            count = count.max(r + cell.rowspan as usize);
        }
        r += 1;
    }
    if count >= table.rows.len() { 0 } else { count }
}

/// True when the table satisfies the grid invariant.
#[cfg(test)]
fn is_rectangular(table: &Table) -> bool {
    let columns = table.columns.len();
    let mut below: Vec<u32> = vec![0; columns];
    for (r, row) in table.rows.iter().enumerate() {
        let mut col = 0;
        for cell in &row.cells {
            while col < columns && below[col] > 0 {
                col += 1;
            }
            let end = col + cell.colspan as usize;
            if cell.colspan == 0 || cell.rowspan == 0 || end > columns {
                return false;
            }
            if below[col..end].iter().any(|&n| n > 0)
                || r + cell.rowspan as usize > table.rows.len()
            {
                return false;
            }
            below[col..end].iter_mut().for_each(|n| *n = cell.rowspan);
            col = end;
        }
        if below.contains(&0) {
            return false;
        }
        below.iter_mut().for_each(|n| *n -= 1);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PassOptions;
    use folio_ir::{Attachments, Row, Span};
    use proptest::prelude::*;

    fn cell(text: &str, colspan: u32, rowspan: u32) -> Cell {
        Cell {
            blocks: vec![Block::Paragraph {
                attr: Default::default(),
                content: vec![folio_ir::Inline::text(text)],
                span: Span::DETACHED,
            }],
            colspan,
            rowspan,
            ..Cell::empty()
        }
    }

    fn th(text: &str) -> Cell {
        Cell {
            header: true,
            ..cell(text, 1, 1)
        }
    }

    fn table(rows: Vec<Vec<Cell>>) -> Table {
        Table {
            columns: vec![],
            rows: rows
                .into_iter()
                .map(|cells| Row {
                    cells,
                    in_head: false,
                })
                .collect(),
            header_rows: 0,
            width: None,
            numbered: false,
            span: Span::new(0, 10),
        }
    }

    fn normalize(table: &mut Table) -> Vec<Diagnostic> {
        let attachments = Attachments::new();
        let options = PassOptions::default();
        let mut cx = PassContext::new(&attachments, &options);
        normalize_table(table, &mut cx);
        cx.diagnostics
    }

    fn shape(table: &Table) -> Vec<Vec<(u32, u32)>> {
        table
            .rows
            .iter()
            .map(|r| r.cells.iter().map(|c| (c.colspan, c.rowspan)).collect())
            .collect()
    }

    #[test]
    fn ragged_rows_are_padded() {
        let mut t = table(vec![
            vec![cell("a", 1, 1), cell("b", 1, 1), cell("c", 1, 1)],
            vec![cell("d", 1, 1)],
        ]);
        assert!(normalize(&mut t).is_empty());
        assert_eq!(t.columns.len(), 3);
        assert_eq!(shape(&t), vec![vec![(1, 1); 3], vec![(1, 1); 3]]);
        assert!(is_rectangular(&t));
    }

    #[test]
    fn rowspans_and_colspans_keep_their_grid() {
        let mut t = table(vec![
            vec![cell("a", 1, 2), cell("b", 2, 1)],
            vec![cell("c", 1, 1), cell("d", 1, 1)],
        ]);
        assert!(normalize(&mut t).is_empty());
        assert_eq!(t.columns.len(), 3);
        assert_eq!(shape(&t), vec![vec![(1, 2), (2, 1)], vec![(1, 1), (1, 1)]]);
        assert!(is_rectangular(&t));
    }

    #[test]
    fn huge_colspan_is_clamped_to_the_real_columns() {
        let mut t = table(vec![
            vec![cell("a", 1, 1), cell("b", 1, 1)],
            vec![cell("wide", 2_147_483_647, 1)],
        ]);
        let diagnostics = normalize(&mut t);
        assert_eq!(diagnostics[0].code, "table-span-clamped");
        assert_eq!(t.columns.len(), 2);
        assert_eq!(shape(&t), vec![vec![(1, 1), (1, 1)], vec![(2, 1)]]);
    }

    #[test]
    fn rowspan_past_the_end_is_clamped() {
        let mut t = table(vec![
            vec![cell("a", 1, 9), cell("b", 1, 1)],
            vec![cell("c", 1, 1)],
        ]);
        normalize(&mut t);
        assert_eq!(shape(&t), vec![vec![(1, 2), (1, 1)], vec![(1, 1)]]);
        assert!(is_rectangular(&t));
    }

    #[test]
    fn leading_th_rows_are_header_rows() {
        let mut t = table(vec![
            vec![th("h1"), th("h2")],
            vec![cell("a", 1, 1), cell("b", 1, 1)],
        ]);
        normalize(&mut t);
        assert_eq!(t.header_rows, 1);
        let mut all_head = table(vec![vec![th("h1")], vec![th("h2")]]);
        normalize(&mut all_head);
        assert_eq!(all_head.header_rows, 0);
    }

    #[test]
    fn header_column_is_not_a_header_row() {
        let mut t = table(vec![
            vec![th("k"), cell("v", 1, 1)],
            vec![th("k2"), cell("v2", 1, 1)],
        ]);
        normalize(&mut t);
        assert_eq!(t.header_rows, 0);
    }

    fn normalize_with(table: &mut Table, options: &PassOptions) -> Vec<Diagnostic> {
        let attachments = Attachments::new();
        let mut cx = PassContext::new(&attachments, options);
        normalize_table(table, &mut cx);
        cx.diagnostics
    }

    #[test]
    fn rows_past_the_cell_budget_are_cut_before_padding() {
        // One wide row over many one-cell rows would pad to 100 million cells.
        let mut rows = vec![vec![cell("w", 1, 1); 1000]];
        rows.extend((0..100_000).map(|_| vec![cell("x", 1, 3)]));
        let mut t = table(rows);
        let diagnostics = normalize(&mut t);
        let too_large = diagnostics
            .iter()
            .find(|d| d.code == "table-too-large")
            .unwrap();
        assert!(too_large.message.contains("max_table_cells"));
        let cells: usize = t.rows.iter().map(|r| r.cells.len()).sum();
        assert!(
            t.rows.len() * t.columns.len() <= 100_000 + 1000,
            "{}",
            t.rows.len()
        );
        assert!(cells <= 100_000);
        assert!(is_rectangular(&t));
        let last = &t.rows.last().unwrap().cells[0];
        assert_eq!(last.colspan, 1000, "the note spans the table");
    }

    #[test]
    fn the_cell_budget_is_shared_by_the_tables_of_a_document() {
        let options = PassOptions {
            max_table_cells: 10,
            ..PassOptions::default()
        };
        let attachments = Attachments::new();
        let mut cx = PassContext::new(&attachments, &options);
        let mut first = table(vec![vec![cell("a", 1, 1), cell("b", 1, 1)]; 3]);
        let mut second = table(vec![vec![cell("c", 1, 1), cell("d", 1, 1)]; 3]);
        normalize_table(&mut first, &mut cx);
        normalize_table(&mut second, &mut cx);
        assert_eq!(first.rows.len(), 3, "6 cells fit");
        assert_eq!(second.rows.len(), 2, "one row of 2 cells, then the note");
        assert_eq!(cx.diagnostics.len(), 1);
        assert!(is_rectangular(&second));
    }

    #[test]
    fn a_table_of_rows_without_cells_cut_by_the_budget_is_its_note() {
        let options = PassOptions {
            max_table_cells: 2,
            ..PassOptions::default()
        };
        let mut t = table(vec![vec![]; 3]);
        normalize_with(&mut t, &options);
        assert!(is_rectangular(&t), "{:?}", shape(&t));
        assert_eq!(shape(&t), vec![vec![(1, 1)]]);
    }

    fn arbitrary_table() -> impl Strategy<Value = Table> {
        let span = prop_oneof![Just(0u32), 1u32..4, Just(u32::MAX), 5u32..5000];
        let cell = (span.clone(), span).prop_map(|(c, r)| cell("x", c, r));
        prop::collection::vec(prop::collection::vec(cell, 0..6), 0..8).prop_map(table)
    }

    proptest! {
        #[test]
        fn normalised_tables_are_always_rectangular(mut t in arbitrary_table()) {
            let texts_before: usize = t.rows.iter().map(|r| r.cells.len()).sum();
            normalize(&mut t);
            prop_assert!(is_rectangular(&t), "{:?}", shape(&t));
            let texts_after = t.rows.iter().flat_map(|r| &r.cells).map(|c| c.blocks.len()).sum::<usize>();
            prop_assert_eq!(texts_before, texts_after, "no cell content is lost");
        }

        #[test]
        fn tables_cut_by_the_cell_budget_stay_rectangular(mut t in arbitrary_table(), budget in 0usize..40) {
            let options = PassOptions { max_table_cells: budget, ..PassOptions::default() };
            normalize_with(&mut t, &options);
            prop_assert!(is_rectangular(&t), "{:?}", shape(&t));
        }
    }
}
