//! `folio-table`'s `text-widths` argument: the widths of a table's plain-text cells that folio
//! measured (`cell_widths`), for the theme to use instead of measuring those cells itself.
//!
//! Besides each cell's widths it carries their `summary`: per column, the widest of its
//! single-column cells. Sizing the columns takes only those maxima (a cell's need is its width
//! scaled to the text size plus padding, which keeps the widest cell the widest), so with them
//! the theme visits one by one only the cells folio did not measure and the cells that span
//! columns. Without the summary it went through every cell's widths, in Typst code, several
//! times per table; in a table in the page's flow that runs on one core before the pages are laid
//! out in parallel, and on table-heavy exports it was the longest serial stretch.

use std::fmt::Write;

use crate::cell_widths::{CellWidths, PlainCellMeasure};
use crate::escape::string_literal;
use crate::lower::tuple;

/// A cell as the theme sees it: where it stands, and its widths if folio measured them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TableCell {
    /// The column it starts in.
    pub x: usize,
    /// The columns it spans, within the table.
    pub span: usize,
    pub widths: Option<CellWidths>,
}

/// The argument (a line of it) for a table of `columns` columns whose cells are `cells`, in the
/// order the theme sees them (header rows first).
pub(crate) fn text_widths_argument(
    measure: &PlainCellMeasure<'_>,
    columns: usize,
    cells: &[TableCell],
) -> String {
    let (family, lang, region) = measure.assumptions();
    let region = region.map_or_else(|| "none".to_owned(), string_literal);
    let mut out = format!(
        "  text-widths: (font: {}, lang: {}, region: {region}, cells: (",
        string_literal(family),
        string_literal(lang),
    );
    for cell in cells {
        match cell.widths.map(as_written) {
            Some([low, whole, high]) if whole > low => {
                let _ = write!(out, "({low}, {whole}, {high}), ");
            }
            Some([low, _, high]) => {
                let _ = write!(out, "({low}, {high}), ");
            }
            None => out.push_str("none, "),
        }
    }
    out.push_str("), summary: ");
    out.push_str(&summary(columns, cells));
    out.push_str("),\n");
    out
}

/// A cell's narrowest, whole-runs and widest widths in em as the theme reads them: rounded up
/// (so that a column is never narrower than its text by a rounding), the middle one written
/// only where it differs from the narrowest. To a millionth of an em: a column shrunk to fit
/// the page takes its share of the width by these numbers, and a coarser rounding (a ten
/// thousandth, up to a thousandth of a point at 10 pt) moved it enough to break a line that
/// fits to within Typst's tolerance (`Abs::fits`, 0.0001 pt) elsewhere than the theme would.
fn as_written(widths: CellWidths) -> [f64; 3] {
    let em = |width: f64| (width * 1_000_000.0).ceil() / 1_000_000.0;
    let (low, high) = (em(widths.narrowest), em(widths.widest));
    let whole = if widths.whole > widths.narrowest {
        em(widths.whole)
    } else {
        low
    };
    [low, whole, high]
}

/// The `summary` dictionary (see `folio-table` in the theme). The maxima are of the widths as
/// written, so that the theme's arithmetic on them is the arithmetic on the cells.
fn summary(columns: usize, cells: &[TableCell]) -> String {
    let mut maxima = vec![[0.0f64; 3]; columns];
    let (mut spans, mut unknown) = (Vec::new(), Vec::new());
    for (i, cell) in cells.iter().enumerate() {
        if cell.span > 1 {
            spans.push(i);
        }
        let Some(widths) = cell.widths.map(as_written) else {
            unknown.push(i);
            continue;
        };
        if cell.span == 1
            && let Some(column) = maxima.get_mut(cell.x)
        {
            for (max, width) in column.iter_mut().zip(widths) {
                *max = max.max(width);
            }
        }
    }
    let column = |k: usize| tuple(&maxima.iter().map(|m| m[k].to_string()).collect::<Vec<_>>());
    let indices = |of: &[usize]| tuple(&of.iter().map(usize::to_string).collect::<Vec<_>>());
    format!(
        "(low: {}, whole: {}, high: {}, spans: {}, unknown: {})",
        column(0),
        column(1),
        column(2),
        indices(&spans),
        indices(&unknown),
    )
}
