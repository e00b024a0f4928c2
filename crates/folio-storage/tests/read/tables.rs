//! Tables, read as the source states them.

use folio_ir::Block;

use crate::common::{check, read};

#[test]
fn widths_columns_and_numbering() {
    assert_eq!(
        check(
            "<table class=\"relative-table wrapped\" style=\"width: 94.19%;\"><colgroup><col class=\"numberingColumn\" /><col style=\"width: 226.67px;\" /><col style=\"width: 11.91%;\"/><col span=\"2\"/></colgroup><tbody><tr><td class=\"numberingColumn\">1</td><td>a</td></tr></tbody></table>"
        ),
        "table(w=94.19% numbered cols=auto,226.67px,11.91%,auto,auto)[tr[td[p[\"1\"]] td[p[\"a\"]]]]"
    );
    assert_eq!(
        check("<table style=\"width: 1037.0px;\"><tr><td/></tr></table>"),
        "table(w=1037px)[tr[td[]]]"
    );
    assert_eq!(
        check(
            "<table data-table-width=\"760\" data-layout=\"default\"><tbody><tr><td><p>a</p></td></tr></tbody></table>"
        ),
        "table(w=760px)[tr[td[p[\"a\"]]]]"
    );
    assert_eq!(
        check("<table><tr><td class=\"numberingColumn\">1</td></tr></table>"),
        "table(numbered)[tr[td[p[\"1\"]]]]"
    );
}

#[test]
fn sections_in_source_order_with_the_footer_last() {
    assert_eq!(
        check(
            "<table><tfoot><tr><td>f</td></tr></tfoot><thead><tr><th>h</th></tr></thead><tbody><tr><td>b</td></tr></tbody><tr><td>loose</td></tr></table>"
        ),
        "table[thead-tr[th[p[\"h\"]]] tr[td[p[\"b\"]]] tr[td[p[\"loose\"]]] tr[td[p[\"f\"]]]]"
    );
    let read = read("<table><thead><tr><th>h</th></tr></thead></table>");
    let Block::Table(table) = &read.document.blocks[0] else {
        panic!()
    };
    assert_eq!(table.header_rows, 0, "the table pass finds header rows");
}

#[test]
fn spans_are_parsed_leniently() {
    assert_eq!(
        check(
            "<table><tr><td colspan=\"2\" rowspan=\"3\">a</td><td colspan=\"0\">b</td><td colspan=\"-1\" rowspan=\"x\">c</td><td colspan=\" 2.5 \">d</td><td rowspan=\"99999999999\">e</td></tr></table>"
        ),
        "table[tr[td(cs=2 rs=3)[p[\"a\"]] td[p[\"b\"]] td[p[\"c\"]] td(cs=2)[p[\"d\"]] td(rs=4294967295)[p[\"e\"]]]]"
    );
}

#[test]
fn ragged_rows_are_kept() {
    assert_eq!(
        check("<table><tr><td>a</td></tr><tr><td>b</td><td>c</td><td>d</td></tr><tr></tr></table>"),
        "table[tr[td[p[\"a\"]]] tr[td[p[\"b\"]] td[p[\"c\"]] td[p[\"d\"]]] tr[]]"
    );
}

#[test]
fn cell_alignment_and_highlights() {
    assert_eq!(
        check(concat!(
            "<table><tr>",
            "<td style=\"text-align: center;\">a</td>",
            "<td data-highlight-colour=\"#79f2c0\" class=\"highlight-#79f2c0\">b</td>",
            "<td data-highlight-colour=\"grey\">c</td>",
            "<td data-highlight-colour=\"var(--ds-background-accent-gray-subtlest, #F4F5F7)\">d</td>",
            "<td data-highlight-colour=\"var(--ds-a, var(--ds-b, #F1F2F4))\">e</td>",
            "<td class=\"highlight-blue confluenceTd\">f</td>",
            "<td class=\"highlight-#8777d9\">g</td>",
            "<th data-highlight-colour=\"nonsense\">h</th>",
            "</tr></table>"
        )),
        "table[tr[td(center)[p[\"a\"]] td(#79f2c0)[p[\"b\"]] td(#f4f5f7)[p[\"c\"]] td(#f4f5f7)[p[\"d\"]] td(#f1f2f4)[p[\"e\"]] td(#deebff)[p[\"f\"]] td(#8777d9)[p[\"g\"]] th[p[\"h\"]]]]"
    );
}

#[test]
fn cells_hold_any_blocks() {
    assert_eq!(
        check(
            "<table><tr><td><div class=\"content-wrapper\"><p>a</p><ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[x]]></ac:plain-text-body></ac:structured-macro></div></td><td>text <strong>directly</strong></td></tr></table>"
        ),
        "table[tr[td[p[\"a\"] macro(code)\"x\"] td[p[\"text \" strong[\"directly\"]]]]]"
    );
}

#[test]
fn stray_content_goes_before_the_table() {
    assert_eq!(
        check("<table><caption>cap</caption>lost?<tr><td>a</td>odd</tr></table>"),
        "p[\"cap\"] p[\"lost?\"] p[\"odd\"] table[tr[td[p[\"a\"]]]]"
    );
}
