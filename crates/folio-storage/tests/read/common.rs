//! Test support: reading helpers and a compact, one-line rendering of the IR for assertions.

use std::fmt::Write;

use folio_ir::{
    Block, Diagnostic, Document, Image, ImageSource, Inline, Length, LinkTarget, Macro, MacroBody,
    PageRef, ParamValue, Task, UserRef,
};
use folio_storage::{Read, ReadError, ReadOptions, read_storage};

/// Reads `source`, panicking on an error.
pub fn read(source: &str) -> Read {
    match read_storage(source, &ReadOptions::default()) {
        Ok(read) => read,
        Err(error) => panic!("read failed: {error:?}"),
    }
}

/// Reads `source`, panicking unless it fails.
pub fn read_err(source: &str) -> ReadError {
    match read_storage(source, &ReadOptions::default()) {
        Ok(read) => panic!("expected an error, got {}", render(&read.document)),
        Err(error) => error,
    }
}

/// The compact rendering of what `source` reads as.
pub fn check(source: &str) -> String {
    render(&read(source).document)
}

/// Codes of the diagnostics of reading `source`.
pub fn codes(source: &str) -> Vec<String> {
    read(source)
        .diagnostics
        .iter()
        .map(|d: &Diagnostic| d.code.clone())
        .collect()
}

pub fn render(document: &Document) -> String {
    let mut out = String::new();
    blocks(&mut out, &document.blocks);
    out
}

fn list<T>(out: &mut String, items: &[T], mut f: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        f(out, item);
    }
    out.push(']');
}

pub fn blocks(out: &mut String, blocks: &[Block]) {
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        block(out, b);
    }
}

fn nested(out: &mut String, items: &[Block]) {
    out.push('[');
    blocks(out, items);
    out.push(']');
}

fn attr(out: &mut String, attr: &folio_ir::Attr) {
    if attr.is_empty() {
        return;
    }
    out.push('(');
    let mut parts = vec![];
    if let Some(id) = &attr.id {
        parts.push(format!("#{id}"));
    }
    if let Some(align) = attr.align {
        parts.push(format!("{align:?}").to_lowercase());
    }
    if attr.indent > 0 {
        parts.push(format!("indent={}", attr.indent));
    }
    out.push_str(&parts.join(" "));
    out.push(')');
}

fn length(l: &Length) -> String {
    match l {
        Length::Px(px) => format!("{px}px"),
        Length::Percent(p) => format!("{p}%"),
    }
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Heading {
            level,
            attr: a,
            content,
            ..
        } => {
            write!(out, "h{level}").unwrap();
            attr(out, a);
            inlines(out, content);
        }
        Block::Paragraph {
            attr: a, content, ..
        } => {
            out.push('p');
            attr(out, a);
            inlines(out, content);
        }
        Block::List(l) => {
            out.push_str(if l.ordered { "ol" } else { "ul" });
            if l.start != 1 {
                write!(out, "(start={})", l.start).unwrap();
            }
            list(out, &l.items, |out, item| {
                out.push_str("li");
                nested(out, &item.blocks);
            });
        }
        Block::Quote { blocks: b, .. } => {
            out.push_str("quote");
            nested(out, b);
        }
        Block::Rule { .. } => out.push_str("hr"),
        Block::Code(c) => {
            write!(out, "code(").unwrap();
            if c.plain {
                out.push_str("plain");
            }
            if let Some(l) = &c.language {
                write!(out, " lang={l}").unwrap();
            }
            write!(out, "){:?}", c.code).unwrap();
        }
        Block::Table(t) => {
            out.push_str("table");
            let mut parts = vec![];
            if let Some(w) = &t.width {
                parts.push(format!("w={}", length(w)));
            }
            if t.numbered {
                parts.push("numbered".into());
            }
            if !t.columns.is_empty() {
                let cols: Vec<_> = t
                    .columns
                    .iter()
                    .map(|c| c.width.as_ref().map_or("auto".into(), length))
                    .collect();
                parts.push(format!("cols={}", cols.join(",")));
            }
            if !parts.is_empty() {
                write!(out, "({})", parts.join(" ")).unwrap();
            }
            list(out, &t.rows, |out, row| {
                out.push_str(if row.in_head { "thead-tr" } else { "tr" });
                list(out, &row.cells, |out, cell| {
                    out.push_str(if cell.header { "th" } else { "td" });
                    let mut parts = vec![];
                    if cell.colspan != 1 {
                        parts.push(format!("cs={}", cell.colspan));
                    }
                    if cell.rowspan != 1 {
                        parts.push(format!("rs={}", cell.rowspan));
                    }
                    if let Some(a) = cell.align {
                        parts.push(format!("{a:?}").to_lowercase());
                    }
                    if let Some(c) = cell.background {
                        parts.push(c.to_hex());
                    }
                    if !parts.is_empty() {
                        write!(out, "({})", parts.join(" ")).unwrap();
                    }
                    nested(out, &cell.blocks);
                });
            });
        }
        Block::Panel(p) => {
            write!(out, "panel({:?}", p.kind).unwrap();
            if let Some(t) = &p.icon_text {
                write!(out, " icon={t}").unwrap();
            }
            if let Some(c) = p.background {
                write!(out, " bg={}", c.to_hex()).unwrap();
            }
            out.push(')');
            nested(out, &p.blocks);
        }
        Block::Expand {
            title, blocks: b, ..
        } => {
            write!(out, "expand({title:?})").unwrap();
            nested(out, b);
        }
        Block::Image(i) => {
            out.push_str("image");
            image(out, i);
        }
        Block::Columns(c) => {
            out.push_str("columns");
            list(out, &c.columns, |out, col| {
                write!(
                    out,
                    "col({})",
                    col.width.as_ref().map_or("auto".into(), length)
                )
                .unwrap();
                nested(out, &col.blocks);
            });
        }
        Block::TaskList { items, .. } => {
            out.push_str("tasks");
            tasks(out, items);
        }
        Block::Toc(_) => out.push_str("toc"),
        Block::Math { tex, .. } => write!(out, "math({tex:?})").unwrap(),
        Block::Part(p) => {
            write!(out, "part({} {:?} h{})", p.id, p.title, p.level).unwrap();
            nested(out, &p.blocks);
        }
        Block::Div {
            attr: a, blocks: b, ..
        } => {
            out.push_str("div");
            attr(out, a);
            nested(out, b);
        }
        Block::Macro(m) => macro_(out, m),
        Block::Unsupported {
            name, blocks: b, ..
        } => {
            write!(out, "unsupported({name})").unwrap();
            nested(out, b);
        }
    }
}

fn tasks(out: &mut String, items: &[Task]) {
    list(out, items, |out, t| {
        out.push_str(if t.done { "done" } else { "todo" });
        inlines(out, &t.content);
        if !t.children.is_empty() {
            tasks(out, &t.children);
        }
    });
}

fn page(p: &PageRef) -> String {
    match &p.space {
        Some(s) => format!("{s}:{}", p.title),
        None => p.title.clone(),
    }
}

fn user(u: &UserRef) -> String {
    match u {
        UserRef::AccountId(id) => format!("account:{id}"),
        UserRef::UserKey(id) => format!("key:{id}"),
        UserRef::Username(id) => format!("name:{id}"),
    }
}

pub fn target(t: &LinkTarget) -> String {
    match t {
        LinkTarget::Url { url } => format!("url:{url}"),
        LinkTarget::Anchor { page: p, anchor } => match p {
            Some(p) => format!("anchor:{}#{anchor}", page(p)),
            None => format!("anchor:#{anchor}"),
        },
        LinkTarget::Page { page: p } => format!("page:{}", page(p)),
        LinkTarget::BlogPost {
            page: p,
            posting_day,
        } => {
            format!("blog:{}@{}", page(p), posting_day.as_deref().unwrap_or("-"))
        }
        LinkTarget::ContentId { id } => format!("content:{id}"),
        LinkTarget::Attachment { filename, page: p } => match p {
            Some(p) => format!("attachment:{}/{filename}", page(p)),
            None => format!("attachment:{filename}"),
        },
        LinkTarget::Space { key } => format!("space:{key}"),
        LinkTarget::User { user: u } => format!("user:{}", user(u)),
        LinkTarget::Shortcut { key, parameter } => format!("shortcut:{key}:{parameter}"),
    }
}

fn image(out: &mut String, i: &Image) {
    let mut parts = vec![match &i.source {
        ImageSource::Attachment {
            filename,
            page: None,
        } => format!("attachment:{filename}"),
        ImageSource::Attachment {
            filename,
            page: Some(p),
        } => {
            format!("attachment:{}/{filename}", page(p))
        }
        ImageSource::Url { url } => format!("url:{url}"),
    }];
    if let Some(alt) = &i.alt {
        parts.push(format!("alt={alt:?}"));
    }
    if let Some(w) = i.width {
        parts.push(format!("w={w}"));
    }
    if let Some(h) = i.height {
        parts.push(format!("h={h}"));
    }
    if let Some((w, h)) = i.intrinsic {
        parts.push(format!("intrinsic={w}x{h}"));
    }
    if let Some(a) = i.align {
        parts.push(format!("{a:?}").to_lowercase());
    }
    if i.border {
        parts.push("border".into());
    }
    write!(out, "({})", parts.join(" ")).unwrap();
    if !i.caption.is_empty() {
        inlines(out, &i.caption);
    }
}

fn macro_(out: &mut String, m: &Macro) {
    write!(out, "macro({}", m.name).unwrap();
    for (k, v) in &m.params {
        match v {
            ParamValue::Text { text } => write!(out, " {k}={text:?}").unwrap(),
            ParamValue::Resource { target: t, text } => {
                write!(out, " {k}=<{}|{text}>", target(t)).unwrap()
            }
        }
    }
    out.push(')');
    match &m.body {
        MacroBody::None => {}
        MacroBody::Plain { text } => write!(out, "{text:?}").unwrap(),
        MacroBody::Rich { blocks: b } => nested(out, b),
    }
}

pub fn inlines(out: &mut String, items: &[Inline]) {
    list(out, items, inline);
}

fn inline(out: &mut String, i: &Inline) {
    let wrap = |out: &mut String, name: &str, content: &[Inline]| {
        out.push_str(name);
        inlines(out, content);
    };
    match i {
        Inline::Text { text } => write!(out, "{text:?}").unwrap(),
        Inline::Strong { content } => wrap(out, "strong", content),
        Inline::Emphasis { content } => wrap(out, "em", content),
        Inline::Underline { content } => wrap(out, "u", content),
        Inline::Strike { content } => wrap(out, "s", content),
        Inline::Sub { content } => wrap(out, "sub", content),
        Inline::Sup { content } => wrap(out, "sup", content),
        Inline::Code { content } => wrap(out, "code", content),
        Inline::Color { color, content } => {
            wrap(out, &format!("color({})", color.to_hex()), content)
        }
        Inline::Highlight { color, content } => {
            wrap(out, &format!("highlight({})", color.to_hex()), content)
        }
        Inline::Link { target: t, content } => wrap(out, &format!("link({})", target(t)), content),
        Inline::LineBreak => out.push_str("br"),
        Inline::Anchor { id } => write!(out, "anchor({id})").unwrap(),
        Inline::Image(img) => {
            out.push_str("img");
            image(out, img);
        }
        Inline::Status {
            title,
            colour,
            subtle,
        } => write!(out, "status({title:?} {colour:?} {subtle})").unwrap(),
        Inline::Emoji { name, text } => write!(out, "emoji({name} {text:?})").unwrap(),
        Inline::Mention { user: u, name } => match name {
            Some(n) => write!(out, "mention({} {n:?})", user(u)).unwrap(),
            None => write!(out, "mention({})", user(u)).unwrap(),
        },
        Inline::Date { date } => write!(out, "date({date})").unwrap(),
        Inline::Math { tex } => write!(out, "math({tex:?})").unwrap(),
        Inline::Macro(m) => {
            out.push_str("inline-");
            macro_(out, m);
        }
        Inline::Unsupported { name, content } => {
            wrap(out, &format!("unsupported({name})"), content)
        }
    }
}
