//! The element tree the reader builds from XML events before it maps anything to the IR.
//!
//! Names are lowercased and attribute values unescaped; adjacent text, CDATA and references are
//! already joined into one text node. The tree is never deeper than `ReadOptions::max_depth`.

use folio_ir::Span;

/// A node of the tree.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Element(Element),
    Text(Text),
}

/// Character data (text, CDATA and resolved references, joined).
#[derive(Debug, Clone)]
pub(crate) struct Text {
    pub text: String,
    pub span: Span,
}

/// An element with its lowercased name, attributes and children.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    /// Lowercased qualified name, such as `p` or `ac:structured-macro`.
    pub name: String,
    /// Attributes in source order: lowercased name, unescaped value.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    /// From the start of the start tag to the end of the end tag.
    pub span: Span,
}

impl Node {
    /// Text that is empty or only ASCII whitespace (what HTML collapses away between blocks).
    pub fn is_blank_text(&self) -> bool {
        matches!(self, Node::Text(t) if is_blank(&t.text))
    }
}

/// Empty or only ASCII whitespace.
pub(crate) fn is_blank(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_whitespace())
}

impl Element {
    /// The value of attribute `name` (lowercase); the first one when it is repeated.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of attribute `name` when it is present and not blank.
    pub fn attr_nonblank(&self, name: &str) -> Option<&str> {
        self.attr(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// Child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(el) => Some(el),
            Node::Text(_) => None,
        })
    }

    /// The first child element called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|el| el.name == name)
    }

    /// Whether the `class` attribute lists `class`.
    pub fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_ascii_whitespace().any(|c| c == class))
    }

    /// All text below this element, verbatim; `br` counts as a line feed.
    pub fn text_content(&self) -> String {
        let mut out = String::new();
        push_text_content(&self.children, &mut out);
        out
    }
}

/// Appends the text below `nodes` to `out`; recursion is bounded by the tree's depth limit.
pub(crate) fn push_text_content(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(&t.text),
            Node::Element(el) if el.name == "br" => out.push('\n'),
            Node::Element(el) => push_text_content(&el.children, out),
        }
    }
}
