#!/usr/bin/env python3
"""A plain converter from Confluence storage format to HTML, for the side-by-side benchmark.

The HTML-to-PDF engines the benchmark compares folio with (Chromium, wkhtmltopdf, WeasyPrint) cannot
read storage format, so for a page without Confluence's own rendering (`page.html`) this makes an HTML
body that carries the same text and the same images as the storage body:

- headings, paragraphs, lists, tables, links, inline formatting and line breaks are kept as they are;
- `code`, `noformat` (and other macros with a plain-text body) become `<pre>`;
- `info`, `note`, `tip`, `warning` and `panel` become bordered `<div>`s; other macros with a rich-text
  body become `<div>`s with that body; the `title` parameter of panels, expands and code blocks is kept
  as a bold line, the `title` of a `status` lozenge as a `<span>`, other macro parameters are dropped;
- `ac:image` of an `ri:attachment` becomes `<img src="file:///.../attachment">` (absolute, so the HTML
  file can live anywhere); images from URLs (`ri:url`) are NOT fetched (folio fetches nothing either):
  they become a short text placeholder, so no engine waits on the network;
- `drawio`/`gliffy` diagrams become their `<name>.png` attachment when it exists, `gallery` its images,
  `view-file` of an image the image;
- `ac:link` becomes a link with its body, or the linked page's title / file name;
- emoticons become the corresponding Unicode character, tasks a list with ☐/☑;
- `toc` becomes a list of the page's headings (within its minLevel/maxLevel), as Confluence shows it.

It is deliberately simple (Python standard library only: `html.parser`, which knows HTML entities such
as `&nbsp;` that an XML parser would reject) and not a faithful Confluence renderer.

Usage: storage_to_html.py PAGE.xhtml [--attachments DIR] [-o OUT.html]
writes a complete HTML document (see `wrap_document`) with the page's folder as attachments folder.
"""

import argparse
import html
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

# A stylesheet approximating Confluence's look, shared by every HTML document of the benchmark.
# The page is A4 with folio's default margins (20 mm, 22 mm at the bottom), so that page counts
# are comparable (Chromium and WeasyPrint honour @page; wkhtmltopdf gets the same as flags).
STYLESHEET = """
@page { size: A4; margin: 20mm 20mm 22mm 20mm; }
body { font-family: sans-serif; font-size: 14px; line-height: 1.42; color: #172b4d; margin: 0; }
h1 { font-size: 24px; } h2 { font-size: 20px; } h3 { font-size: 16px; }
h4, h5, h6 { font-size: 14px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #c1c7d0; padding: 7px 10px; vertical-align: top; text-align: left; }
th { background: #f4f5f7; font-weight: bold; }
img { max-width: 100%; height: auto; }
pre { background: #f4f5f7; border: 1px solid #dfe1e6; padding: 8px; font-size: 12px;
      white-space: pre-wrap; word-wrap: break-word; }
code { font-family: monospace; background: #f4f5f7; }
pre code { background: none; }
blockquote { border-left: 2px solid #c1c7d0; margin-left: 0; padding-left: 16px; color: #5e6c84; }
a { color: #0052cc; text-decoration: none; }
.panel { border: 1px solid #c1c7d0; border-radius: 3px; padding: 8px 12px; margin: 10px 0; }
.panel-info { background: #deebff; } .panel-note { background: #eae6ff; }
.panel-tip { background: #e3fcef; } .panel-warning { background: #ffebe6; }
.macro-title { font-weight: bold; margin: 0 0 4px 0; }
.status { display: inline-block; border: 1px solid #97a0af; border-radius: 3px; padding: 0 4px;
          font-size: 11px; font-weight: bold; text-transform: uppercase; }
.caption { display: block; font-size: 12px; color: #5e6c84; text-align: center; }
ul.tasks, ul.toc { list-style: none; padding-left: 16px; }
.layout-section { display: table; width: 100%; table-layout: fixed; margin: 8px 0; }
.layout-cell { display: table-cell; vertical-align: top; padding-right: 12px; }
"""

# Void HTML elements: never have an end tag, even when written without "/>".
VOID = {"br", "hr", "img", "col", "input", "meta", "link", "wbr", "area", "source"}

# HTML elements copied through, with the attributes kept for each (others are dropped).
PASS_THROUGH = {
    **{t: () for t in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "thead",
                       "tbody", "tfoot", "tr", "colgroup", "strong", "b", "em", "i", "u", "s", "del",
                       "ins", "strike", "sub", "sup", "code", "pre", "blockquote", "br", "hr", "span",
                       "div", "small", "big", "tt", "cite", "q", "dl", "dt", "dd", "caption",
                       "figure", "figcaption", "kbd", "var", "abbr", "mark", "center", "font")},
    "a": ("href",),
    "td": ("colspan", "rowspan"),
    "th": ("colspan", "rowspan"),
    "col": ("span",),
}
ALIGN_STYLE = re.compile(r"text-align:\s*(left|right|center|justify)")

EMOTICONS = {
    "smile": "🙂", "sad": "🙁", "cheeky": "😛", "laugh": "😀", "wink": "😉", "thumbs-up": "👍",
    "thumbs-down": "👎", "information": "ℹ️", "tick": "✅", "cross": "❌", "warning": "⚠️",
    "plus": "➕", "minus": "➖", "question": "❓", "light-on": "💡", "light-off": "💡",
    "yellow-star": "⭐", "red-star": "⭐", "green-star": "⭐", "blue-star": "⭐", "heart": "❤️",
    "broken-heart": "💔",
}

PANEL_MACROS = {"info", "note", "tip", "warning", "panel"}
PRE_MACROS = {"code", "noformat"}
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp")
# Macros that show nothing here: navigation generated from the site, anchors, search boxes.
SILENT_MACROS = {"toc", "anchor", "children", "pagetree", "contentbylabel", "blog-posts",
                 "livesearch", "recently-updated", "pagetreesearch", "detailssummary",
                 "attachments", "roadmap", "profile", "widget", "excerpt-include", "include"}


class Node:
    """An element of the storage body: tag, attributes (a dict), children (Nodes and strings)."""

    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag, attrs):
        self.tag, self.attrs, self.children = tag, attrs, []

    def find(self, tag):
        """The first direct child element with this tag, or None."""
        return next((c for c in self.children if isinstance(c, Node) and c.tag == tag), None)

    def find_all(self, tag):
        return [c for c in self.children if isinstance(c, Node) and c.tag == tag]

    def text(self):
        """The concatenated text of the subtree."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class TreeBuilder(HTMLParser):
    """Builds a Node tree from the storage body. Tag and attribute names keep their `ac:`/`ri:`
    prefixes (html.parser lowercases them, which is harmless here)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v or "") for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: (v or "") for k, v in attrs}))

    def handle_endtag(self, tag):
        # Close up to the matching open element; an unmatched end tag is ignored.
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(storage):
    # CDATA sections (code bodies) become escaped text first: html.parser's handling of
    # `<![CDATA[` differs between Python versions.
    storage = re.sub(r"<!\[CDATA\[(.*?)\]\]>", lambda m: html.escape(m.group(1), quote=False),
                     storage, flags=re.S)
    builder = TreeBuilder()
    builder.feed(storage)
    builder.close()
    return builder.root


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def headings(node):
    """(level, text) of every heading of the tree, in document order."""
    found = []
    for child in node.children:
        if isinstance(child, Node):
            if child.tag in HEADINGS:
                found.append((int(child.tag[1]), " ".join(child.text().split())))
            else:
                found.extend(headings(child))
    return found


def toc_html(entries, min_level=1, max_level=7):
    """A table of contents: one list item per heading, indented by level."""
    items = "".join(f'<li style="margin-left:{(level - min_level) * 16}px">{html.escape(text)}</li>'
                    for level, text in entries if min_level <= level <= max_level and text)
    return f'<ul class="toc">{items}</ul>' if items else ""


class Converter:
    """Renders a Node tree to an HTML fragment. `attachments` is the folder of the page's files;
    `toc` is the list of the page's headings for the `toc` macro (None: `toc` shows nothing)."""

    def __init__(self, attachments, toc=None):
        self.attachments = Path(attachments).resolve()
        self.toc = toc

    # -- helpers ---------------------------------------------------------------------------
    def attachment_uri(self, filename):
        """The file:// URI of an attachment, or None when the folder has no such file."""
        if not filename:
            return None
        path = self.attachments / filename
        return path.as_uri() if path.is_file() else None

    def img(self, filename, width=None, alt=None):
        uri = self.attachment_uri(filename)
        if uri is None:
            return f'<span class="missing-image">[{html.escape(filename or "image")}]</span>'
        w = f' width="{html.escape(width)}"' if width and width.isdigit() else ""
        return f'<img src="{html.escape(uri)}" alt="{html.escape(alt or filename)}"{w}>'

    @staticmethod
    def params(macro):
        """The macro's parameters: name -> text (the default parameter's name is "")."""
        return {p.attrs.get("ac:name", ""): p.text().strip() for p in macro.find_all("ac:parameter")}

    def children(self, node):
        return "".join(self.render(c) for c in node.children)

    # -- rendering -------------------------------------------------------------------------
    def render(self, node):
        if isinstance(node, str):
            return html.escape(node, quote=False)
        tag = node.tag
        if tag in PASS_THROUGH:
            keep = PASS_THROUGH[tag]
            attrs = "".join(f' {k}="{html.escape(v)}"' for k, v in node.attrs.items() if k in keep)
            align = ALIGN_STYLE.search(node.attrs.get("style", ""))
            if align:
                attrs += f' style="text-align:{align.group(1)}"'
            if tag in VOID:
                return f"<{tag}{attrs}>"
            return f"<{tag}{attrs}>{self.children(node)}</{tag}>"
        if tag == "time":
            return html.escape(node.attrs.get("datetime", "")) + self.children(node)
        if tag in ("ac:structured-macro", "ac:macro"):
            return self.macro(node)
        if tag == "ac:image":
            return self.image(node)
        if tag == "ac:link":
            return self.link(node)
        if tag == "ac:emoticon":
            fallback = node.attrs.get("ac:emoji-fallback", "")
            name = node.attrs.get("ac:name", "")
            return html.escape(EMOTICONS.get(name) or fallback or f":{name}:")
        if tag == "ac:task-list":
            return f'<ul class="tasks">{"".join(self.render(t) for t in node.find_all("ac:task"))}</ul>'
        if tag == "ac:task":
            status = node.find("ac:task-status")
            done = status is not None and status.text().strip() == "complete"
            body = node.find("ac:task-body")
            return f'<li>{"☑" if done else "☐"} {self.children(body) if body else ""}</li>'
        if tag == "ac:layout":
            return f'<div class="layout">{self.children(node)}</div>'
        if tag == "ac:layout-section":
            return f'<div class="layout-section">{self.children(node)}</div>'
        if tag == "ac:layout-cell":
            return f'<div class="layout-cell">{self.children(node)}</div>'
        if tag == "ac:adf-extension":
            # The ADF node and its HTML fallback say the same thing: render the node only.
            adf = node.find("ac:adf-node")
            return self.render(adf) if adf is not None else self.children(node.find("ac:adf-fallback") or node)
        if tag == "ac:adf-node":
            kind = node.attrs.get("type", "")
            inner = "".join(self.render(c) for c in node.children
                            if isinstance(c, Node) and c.tag in ("ac:adf-content", "ac:adf-node"))
            if kind == "panel":
                return f'<div class="panel">{inner}</div>'
            if kind == "decision-list":
                return f'<ul class="tasks">{inner}</ul>'
            if kind == "decision-item":
                return f"<li>◆ {inner}</li>"
            return f"<div>{inner}</div>"
        if tag in ("ac:adf-content", "ac:rich-text-body", "ac:inline-comment-marker", "ac:link-body",
                   "#root"):
            return self.children(node)
        if tag in ("ac:plain-text-body", "ac:plain-text-link-body"):
            return html.escape(node.text(), quote=False)
        # Parameters, placeholders, ADF attributes/marks, resource identifiers out of context,
        # task ids: nothing on the page.
        if tag.startswith(("ac:", "ri:")):
            return ""
        # Unknown HTML-ish element: keep its content.
        return self.children(node)

    def macro(self, node):
        name = node.attrs.get("ac:name", "").lower()
        params = self.params(node)
        rich = node.find("ac:rich-text-body")
        plain = node.find("ac:plain-text-body")
        title = params.get("title", "")
        title_html = f'<p class="macro-title">{html.escape(title)}</p>' if title else ""
        if name in PRE_MACROS:
            return f"{title_html}<pre><code>{html.escape(plain.text() if plain else '', quote=False)}</code></pre>"
        if name in PANEL_MACROS:
            return f'<div class="panel panel-{name}">{title_html}{self.children(rich) if rich else ""}</div>'
        if name == "expand":
            return f'<div class="expand">{title_html or "<p class=macro-title>Expand</p>"}{self.children(rich) if rich else ""}</div>'
        if name == "toc":
            if not self.toc:
                return ""

            def level(key, default):
                value = params.get(key, "")
                return int(value) if value.isdigit() else default

            return toc_html(self.toc, level("minLevel", 1), level("maxLevel", 7))
        if name == "status":
            return f'<span class="status">{html.escape(title)}</span>'
        if name == "jira":
            return f'<span class="status">{html.escape(params.get("key", ""))}</span>'
        if name in ("drawio", "gliffy"):
            diagram = params.get("diagramName") or params.get("name") or ""
            return f"<div>{self.img(diagram + '.png', params.get('width'))}</div>"
        if name == "gallery":
            names = [n.strip() for n in params.get("include", "").split(",") if n.strip()]
            if not names:
                names = sorted(p.name for p in self.attachments.iterdir()
                               if p.suffix.lower() in IMAGE_EXTENSIONS)
            return title_html + "<div>" + " ".join(self.img(n, "200") for n in names) + "</div>"
        if name == "view-file":
            att = next((p.find("ri:attachment") for p in node.find_all("ac:parameter")
                        if p.find("ri:attachment") is not None), None)
            filename = att.attrs.get("ri:filename", "") if att is not None else ""
            if filename.lower().endswith(IMAGE_EXTENSIONS):
                return f"<div>{self.img(filename)}</div>"
            return f'<p><a>{html.escape(filename)}</a></p>'
        if name in SILENT_MACROS and rich is None:
            return ""
        if rich is not None:
            return f'<div class="macro macro-{html.escape(name)}">{title_html}{self.children(rich)}</div>'
        if plain is not None:
            return f"<pre>{html.escape(plain.text(), quote=False)}</pre>"
        return ""

    def image(self, node):
        width = node.attrs.get("ac:width")
        att = node.find("ri:attachment")
        caption = node.find("ac:caption")
        if att is not None:
            out = self.img(att.attrs.get("ri:filename", ""), width, node.attrs.get("ac:alt"))
        else:
            url = node.find("ri:url")
            value = url.attrs.get("ri:value", "") if url is not None else ""
            # Not fetched: a placeholder with the image's file name.
            out = f'<span class="remote-image">[image {html.escape(unquote(value.rsplit("/", 1)[-1]))}]</span>'
        if caption is not None:
            out += f'<span class="caption">{self.children(caption)}</span>'
        return out

    def link(self, node):
        body = node.find("ac:link-body") or node.find("ac:plain-text-link-body")
        if body is not None:
            text = self.render(body)
        else:
            target = next((c for c in node.children if isinstance(c, Node) and c.tag.startswith("ri:")), None)
            a = target.attrs if target is not None else {}
            text = html.escape(a.get("ri:content-title") or a.get("ri:filename") or a.get("ri:space-key")
                               or ("@user" if target is not None and target.tag == "ri:user" else "")
                               or node.attrs.get("ac:anchor", "link"))
        return f"<a>{text}</a>"


def storage_to_html(storage, attachments, toc=True):
    """Converts a storage body (str) to an HTML body fragment; images refer to files in `attachments`.
    With `toc=False`, `toc` macros show nothing."""
    root = parse(storage)
    return Converter(attachments, headings(root) if toc else None).render(root)


def wrap_document(body, title="page"):
    """A minimal complete HTML document around a body fragment: UTF-8, the Confluence-like stylesheet."""
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>\n'
            f"<style>{STYLESHEET}</style></head>\n<body>\n{body}\n</body></html>\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("page", help="a storage body (.xhtml)")
    ap.add_argument("--attachments", help="the folder of the attachments (default: the page's folder)")
    ap.add_argument("-o", "--out", help="output HTML file (default: standard output)")
    args = ap.parse_args()
    storage = Path(args.page).read_text(encoding="utf-8")
    doc = wrap_document(storage_to_html(storage, args.attachments or os.path.dirname(os.path.abspath(args.page))),
                        Path(args.page).parent.name)
    if args.out:
        Path(args.out).write_text(doc, encoding="utf-8")
    else:
        sys.stdout.write(doc)


if __name__ == "__main__":
    main()
