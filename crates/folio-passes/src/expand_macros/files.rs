//! Macros that show the page's attached files: `attachments`, `view-file` and the older
//! per-type preview macros, `gallery`, and diagram apps whose picture is an attachment
//! (`drawio`, `gliffy`, `mermaid-cloud`, `plantumlcloud`).

use folio_ir::{
    Align, AttachmentInfo, Block, Cell, ColumnSpec, Image, ImageSource, Inline, LinkTarget, Macro,
    ParamValue, Row, Span, Table,
};

use super::{paragraph, placeholder, unresolved_warning};
use crate::PassContext;

/// File extensions Confluence previews as pictures.
const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "svg", "bmp"];

/// `attachments`: a table of the page's files (name, size), filtered by `patterns`.
pub(super) fn attachments(m: Macro, cx: &mut PassContext<'_>) -> Vec<Block> {
    let mut files = cx.attachment_list();
    if files.is_empty() {
        cx.report(unresolved_warning(&m, "the page's attachment list"));
        return vec![placeholder(
            "Attachments",
            vec![paragraph(vec![Inline::text(
                "Confluence lists the page's attached files here; no attachments were supplied.",
            )])],
            m.span,
        )];
    }
    if let Some(patterns) = m.param("patterns") {
        let patterns: Vec<&str> = patterns
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        files.retain(|file| patterns.iter().any(|p| wildcard_match(p, &file.filename)));
    }
    // Dates are not known; otherwise the name is the stable order.
    if m.param("sortBy")
        .is_some_and(|s| s.eq_ignore_ascii_case("size"))
    {
        files.sort_by_key(|f| f.size);
    }
    if m.param("sortOrder")
        .is_some_and(|o| o.eq_ignore_ascii_case("descending"))
    {
        files.reverse();
    }
    let header = |text: &str| Cell {
        header: true,
        blocks: vec![paragraph(vec![Inline::text(text)])],
        ..Cell::empty()
    };
    let mut rows = vec![Row {
        cells: vec![header("File"), header("Size")],
        in_head: true,
    }];
    rows.extend(files.iter().map(|file| Row {
        cells: vec![
            Cell {
                blocks: vec![paragraph(vec![attachment_link(&file.filename)])],
                ..Cell::empty()
            },
            Cell {
                align: Some(Align::Right),
                blocks: vec![paragraph(vec![Inline::text(human_size(file.size))])],
                ..Cell::empty()
            },
        ],
        in_head: false,
    }));
    vec![Block::Table(Table {
        columns: vec![ColumnSpec::default(); 2],
        rows,
        header_rows: 1,
        width: None,
        numbered: false,
        span: m.span,
    })]
}

/// `view-file` (and `viewpdf`, `viewxls`…): pictures are shown; other files as a file card
/// with their name and size.
pub(super) fn view_file(m: Macro, cx: &mut PassContext<'_>) -> Vec<Block> {
    let Some(filename) = attachment_param(&m, &["name", ""]) else {
        return vec![placeholder("File", vec![], m.span)];
    };
    if is_image_name(&filename) {
        // Confluence previews a picture at the macro's height (250 px by default), not at full
        // size.
        let mut image = attachment_image(&filename, None, m.span);
        image.height = m
            .param("height")
            .and_then(|h| h.trim_end_matches("px").trim().parse::<f32>().ok())
            .filter(|h| h.is_finite() && *h > 0.0)
            .or(Some(250.0));
        return vec![Block::Image(image)];
    }
    let size = cx
        .attachment_list()
        .into_iter()
        .find(|f| f.filename == filename)
        .map(|f| f.size);
    vec![file_card(&filename, size, m.span)]
}

/// `gallery`: the page's pictures in a grid of `columns` (default 4), each with its name.
pub(super) fn gallery(m: Macro, cx: &mut PassContext<'_>) -> Vec<Block> {
    let mut pictures: Vec<AttachmentInfo> = cx
        .attachment_list()
        .into_iter()
        .filter(|f| is_image_name(&f.filename))
        .collect();
    let wanted = |name: &str| {
        m.param(name).map(|list| {
            list.split(',')
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
                .collect::<Vec<_>>()
        })
    };
    if let Some(include) = wanted("include") {
        pictures.retain(|f| include.contains(&f.filename));
    }
    if let Some(exclude) = wanted("exclude") {
        pictures.retain(|f| !exclude.contains(&f.filename));
    }
    if m.flag("reverse", false) || m.flag("reverseSort", false) {
        pictures.reverse();
    }
    if pictures.is_empty() {
        cx.report(unresolved_warning(&m, "the page's pictures"));
        return vec![placeholder(
            m.param("title").unwrap_or("Gallery"),
            vec![paragraph(vec![Inline::text(
                "Confluence shows the page's pictures here; none were supplied.",
            )])],
            m.span,
        )];
    }
    let columns = m
        .param("columns")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(4)
        .clamp(1, 8);
    let rows = pictures
        .chunks(columns)
        .map(|chunk| Row {
            cells: (0..columns)
                .map(|i| match chunk.get(i) {
                    Some(file) => Cell {
                        align: Some(Align::Center),
                        blocks: vec![Block::Image(attachment_image(
                            &file.filename,
                            Some(file.filename.clone()),
                            Span::DETACHED,
                        ))],
                        ..Cell::empty()
                    },
                    None => Cell::empty(),
                })
                .collect(),
            in_head: false,
        })
        .collect();
    let mut blocks = Vec::new();
    if let Some(title) = m.param("title") {
        blocks.push(paragraph(vec![Inline::Strong {
            content: vec![Inline::text(title)],
        }]));
    }
    blocks.push(Block::Table(Table {
        columns: vec![ColumnSpec::default(); columns],
        rows,
        header_rows: 0,
        width: None,
        numbered: false,
        span: m.span,
    }));
    blocks
}

/// Diagram macros whose picture Confluence keeps as an attachment beside the diagram source:
/// draw.io (`diagramName` + `.png`), Gliffy (`name` + `.png`), Mermaid and PlantUML apps.
pub(super) fn diagram(m: Macro, cx: &mut PassContext<'_>) -> Vec<Block> {
    let name = ["diagramName", "name", "filename", ""]
        .iter()
        .find_map(|p| m.param(p))
        .map(str::to_owned);
    let Some(name) = name else {
        cx.report(unresolved_warning(&m, "the diagram's name"));
        return vec![placeholder(format!("Diagram ({})", m.name), vec![], m.span)];
    };
    let title = m
        .param("diagramDisplayName")
        .or(m.param("displayName"))
        .unwrap_or(&name)
        .to_owned();
    // The exported picture sits beside the source under the diagram's name plus an extension;
    // the first one supplied wins.
    let candidates = [format!("{name}.png"), format!("{name}.svg"), name.clone()];
    let width = m
        .param("width")
        .and_then(|w| w.trim_end_matches("px").trim().parse::<f32>().ok())
        .filter(|w| w.is_finite() && *w > 0.0);
    for candidate in &candidates {
        if is_image_name(candidate) && cx.attachment(candidate).is_some() {
            let mut image = attachment_image(candidate, None, m.span);
            image.alt = Some(title);
            image.width = width;
            return vec![Block::Image(image)];
        }
    }
    // Nothing supplied: the sizing pass turns the image into a placeholder naming the file and
    // reports it missing.
    let mut image = attachment_image(&candidates[0], None, m.span);
    image.alt = Some(title);
    vec![Block::Image(image)]
}

fn attachment_image(filename: &str, caption: Option<String>, span: Span) -> Image {
    Image {
        source: ImageSource::Attachment {
            filename: filename.to_owned(),
            page: None,
        },
        alt: None,
        width: None,
        height: None,
        intrinsic: None,
        align: Some(Align::Center),
        border: false,
        caption: caption.map(|c| vec![Inline::text(c)]).unwrap_or_default(),
        missing: false,
        layout: folio_ir::ImageLayout::Normal,
        span,
    }
}

fn file_card(filename: &str, size: Option<u64>, span: Span) -> Block {
    let mut line = vec![Inline::text("📎 "), attachment_link(filename)];
    if let Some(size) = size {
        line.push(Inline::text(format!(" ({})", human_size(size))));
    }
    let mut panel = folio_ir::Panel::new(folio_ir::PanelKind::Custom, vec![paragraph(line)], span);
    panel.show_icon = false;
    Block::Panel(panel)
}

fn attachment_link(filename: &str) -> Inline {
    Inline::Link {
        target: LinkTarget::Attachment {
            filename: filename.to_owned(),
            page: None,
        },
        content: vec![Inline::text(filename)],
    }
}

fn attachment_param(m: &Macro, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| match m.params.get(*name)? {
        ParamValue::Resource {
            target: LinkTarget::Attachment { filename, .. },
            ..
        } => Some(filename.clone()),
        ParamValue::Resource { .. } => None,
        ParamValue::Text { text } => Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
    })
}

fn is_image_name(filename: &str) -> bool {
    filename
        .rsplit_once('.')
        .is_some_and(|(_, ext)| IMAGE_EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e)))
}

/// Sizes as Confluence prints them: `812 B`, `14 kB`, `2.3 MB`.
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// `*` and `?` wildcards, which is what `patterns` holds in practice (Confluence documents
/// regular expressions, but users write `*.pdf`); a `.*` is read as `*`.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let pattern = pattern.replace(".*", "*");
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let n: Vec<char> = name.to_lowercase().chars().collect();
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_confluence() {
        assert_eq!(human_size(812), "812 B");
        assert_eq!(human_size(14 * 1024), "14 kB");
        assert_eq!(human_size(2_400_000), "2.3 MB");
    }

    #[test]
    fn patterns_match_wildcards() {
        assert!(wildcard_match("*.pdf", "Report.PDF"));
        assert!(wildcard_match(".*pdf", "report.pdf"));
        assert!(!wildcard_match("*.pdf", "report.docx"));
        assert!(wildcard_match("img-??.png", "img-01.png"));
    }
}
