//! Confluence Server and Data Center space exports: `entities.xml`, the Hibernate XML in which
//! Confluence writes a whole space (every version of every page and blog post, their bodies,
//! attachments, labels and users), beside an `attachments/` folder of the files.
//!
//! Read here into plain records of what Confluence shows: the current version of each page and
//! blog post (a version that another one supersedes names it `originalVersion`; drafts and
//! trashed pages have another `contentStatus`), its storage body, its attachments with where
//! the export keeps their files (`attachments/<page id>/<attachment id>/<version>`), its global
//! labels, and the space and its users. Making a page tree of them is the caller's.
//!
//! The objects are read in one pass, as they come: Confluence writes them in no fixed order (a
//! body may come before or after its page), so they are joined at the end.

use std::collections::{BTreeMap, BTreeSet};

use folio_ir::Span;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::ReadError;
use crate::entities::resolve_reference;
use crate::reader::syntax_error;

/// A space export's pages and what the export says about them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpaceExport {
    /// The key and name of the (first) space in the export.
    pub space_key: Option<String>,
    pub space_name: Option<String>,
    /// The space's home page.
    pub home_page: Option<String>,
    /// The current pages and blog posts, in the order of the file.
    pub pages: Vec<ExportedPage>,
    /// User names by user key (mentions name users by key).
    pub users: BTreeMap<String, String>,
}

/// The current version of a page or blog post.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportedPage {
    pub id: String,
    pub title: String,
    pub blog_post: bool,
    pub space_key: Option<String>,
    pub parent: Option<String>,
    pub position: Option<i64>,
    /// `YYYY-MM-DD hh:mm:ss.sss`, as the export writes dates.
    pub created: Option<String>,
    pub modified: Option<String>,
    /// The creator's user key.
    pub creator: Option<String>,
    /// The storage body (empty if the export has none for the page).
    pub body: String,
    /// The body is wiki markup (Confluence before 4.0), not storage format.
    pub wiki_markup: bool,
    pub labels: Vec<String>,
    pub attachments: Vec<ExportedAttachment>,
}

/// The current version of an attachment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportedAttachment {
    pub id: String,
    /// The file name pages refer to it by (`ri:filename`).
    pub filename: String,
    pub version: String,
}

impl ExportedAttachment {
    /// Where the export keeps the file, relative to `entities.xml`.
    pub fn path(&self, page_id: &str) -> String {
        format!("attachments/{page_id}/{}/{}", self.id, self.version)
    }
}

/// One `<object>`: its class, id, and each `<property>` as text or as the id it refers to.
#[derive(Default)]
struct Object {
    class: String,
    id: String,
    properties: BTreeMap<String, Property>,
}

#[derive(Default)]
struct Property {
    text: String,
    reference: Option<String>,
}

impl Object {
    fn text(&self, name: &str) -> Option<&str> {
        self.properties
            .get(name)
            .map(|p| p.text.as_str())
            .filter(|t| !t.is_empty())
    }

    fn reference(&self, name: &str) -> Option<&str> {
        self.properties
            .get(name)
            .and_then(|p| p.reference.as_deref())
            .filter(|r| !r.is_empty())
    }

    /// The current version: not superseded, not a draft or in the trash.
    fn is_current(&self) -> bool {
        self.reference("originalVersion").is_none()
            && self.text("contentStatus").is_none_or(|s| s == "current")
    }
}

/// The classes read; every other object is skipped unread.
const READ_CLASSES: [&str; 8] = [
    "Page",
    "BlogPost",
    "BodyContent",
    "Attachment",
    "Space",
    "ConfluenceUserImpl",
    "Labelling",
    "Label",
];

/// Reads `entities.xml`. Err when it is not well-formed XML (with the fault's span) or holds no
/// page or blog post.
pub fn read_space_export(xml: &str) -> Result<SpaceExport, ReadError> {
    let objects = read_objects(xml)?;
    let mut export = SpaceExport::default();
    let mut space_keys = BTreeMap::new();
    let mut bodies: BTreeMap<&str, (&str, bool)> = BTreeMap::new();
    let mut attachments: BTreeMap<&str, Vec<ExportedAttachment>> = BTreeMap::new();
    let mut label_names = BTreeMap::new();
    let mut labellings: Vec<(&str, &str)> = Vec::new();
    for object in &objects {
        match object.class.as_str() {
            "Space" => {
                if let Some(key) = object.text("key") {
                    space_keys.insert(object.id.as_str(), key.to_owned());
                }
                if export.space_key.is_none() {
                    export.space_key = object.text("key").map(str::to_owned);
                    export.space_name = object.text("name").map(str::to_owned);
                    export.home_page = object.reference("homePage").map(str::to_owned);
                }
            }
            "ConfluenceUserImpl" => {
                if let Some(name) = object.text("name") {
                    export.users.insert(object.id.clone(), name.to_owned());
                }
            }
            "BodyContent" => {
                // 2: storage format; 0: wiki markup; 1: rendered HTML of old versions.
                let wiki_markup = match object.text("bodyType") {
                    Some("2") => false,
                    Some("0") => true,
                    _ => continue,
                };
                if let Some(page) = object.reference("content") {
                    bodies.insert(page, (object.text("body").unwrap_or(""), wiki_markup));
                }
            }
            "Attachment" if object.is_current() => {
                let page = object
                    .reference("containerContent")
                    .or_else(|| object.reference("content"));
                if let (Some(page), Some(filename)) = (page, object.text("title")) {
                    attachments
                        .entry(page)
                        .or_default()
                        .push(ExportedAttachment {
                            id: object.id.clone(),
                            filename: filename.to_owned(),
                            version: object.text("version").unwrap_or("1").to_owned(),
                        });
                }
            }
            // Global labels (and team labels); a user's own ("my") are not shown on the page.
            "Label" if object.text("namespace").is_none_or(|n| n != "my") => {
                if let Some(name) = object.text("name") {
                    label_names.insert(object.id.as_str(), name);
                }
            }
            "Labelling" => {
                if let (Some(label), Some(page)) =
                    (object.reference("label"), object.reference("content"))
                {
                    labellings.push((page, label));
                }
            }
            _ => {}
        }
    }
    let mut labels: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (page, label) in labellings {
        if let Some(name) = label_names.get(label) {
            labels.entry(page).or_default().insert(name);
        }
    }
    for object in &objects {
        let blog_post = match object.class.as_str() {
            "Page" => false,
            "BlogPost" => true,
            _ => continue,
        };
        if !object.is_current() {
            continue;
        }
        let id = object.id.as_str();
        let (body, wiki_markup) = bodies.get(id).copied().unwrap_or(("", false));
        export.pages.push(ExportedPage {
            id: object.id.clone(),
            title: object.text("title").unwrap_or_default().to_owned(),
            blog_post,
            space_key: object
                .reference("space")
                .and_then(|space| space_keys.get(space))
                .cloned(),
            parent: object.reference("parent").map(str::to_owned),
            position: object.text("position").and_then(|p| p.trim().parse().ok()),
            created: object.text("creationDate").map(str::to_owned),
            modified: object.text("lastModificationDate").map(str::to_owned),
            creator: object.reference("creator").map(str::to_owned),
            body: body.to_owned(),
            wiki_markup,
            labels: labels
                .remove(id)
                .map(|names| names.into_iter().map(str::to_owned).collect())
                .unwrap_or_default(),
            attachments: attachments.remove(id).unwrap_or_default(),
        });
    }
    if export.pages.is_empty() {
        return Err(ReadError::new(
            "the space export holds no current page or blog post",
            Span::new(0, 0),
        ));
    }
    Ok(export)
}

/// Where the reader is inside an object.
enum Inside {
    /// Between objects, or in an object's own element.
    Object,
    /// In the object's `<id>`.
    Id,
    /// In a `<property>` (its text), or in the `<id>` it refers to.
    Property { name: String, in_id: bool },
}

/// The objects of the classes read, with their properties.
fn read_objects(xml: &str) -> Result<Vec<Object>, ReadError> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().allow_dangling_amp = true;
    let mut objects = Vec::new();
    let mut current: Option<Object> = None;
    let mut inside = Inside::Object;
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|error| syntax_error(xml, &error, reader.error_position() as usize))?;
        let end = reader.buffer_position() as usize;
        let text = match event {
            Event::Start(tag) => {
                let name = tag.local_name().into_inner();
                match (&mut current, &mut inside, name) {
                    (None, _, "object") => {
                        let class = attribute(&tag, "class").unwrap_or_default();
                        if READ_CLASSES.contains(&class.as_str()) {
                            current = Some(Object {
                                class,
                                ..Object::default()
                            });
                        } else {
                            skip(&mut reader, &tag, xml)?;
                        }
                    }
                    (Some(_), Inside::Object, "id") => inside = Inside::Id,
                    (Some(_), Inside::Object, "property") => {
                        let name = attribute(&tag, "name").unwrap_or_default();
                        inside = Inside::Property { name, in_id: false };
                    }
                    (Some(_), Inside::Property { in_id, .. }, "id") => *in_id = true,
                    // Collections, and anything else inside an object, are not read.
                    (Some(_), _, _) => skip(&mut reader, &tag, xml)?,
                    (None, _, _) => {}
                }
                continue;
            }
            Event::Empty(tag) => {
                if let (Some(object), Inside::Object, "property") =
                    (&mut current, &inside, tag.local_name().into_inner())
                {
                    let name = attribute(&tag, "name").unwrap_or_default();
                    object.properties.entry(name).or_default();
                }
                continue;
            }
            Event::End(tag) => {
                match (tag.local_name().into_inner(), &mut inside) {
                    ("object", _) => {
                        objects.extend(current.take());
                        inside = Inside::Object;
                    }
                    ("id", Inside::Property { in_id, .. }) => *in_id = false,
                    ("id" | "property", _) => inside = Inside::Object,
                    _ => {}
                }
                continue;
            }
            Event::Text(text) => text.xml10_content().into_owned(),
            Event::CData(text) => text.xml10_content().into_owned(),
            Event::GeneralRef(reference) => match resolve_reference(&reference) {
                Some(text) => text.into_owned(),
                // Kept as written, as the storage reader keeps it.
                None => xml[start..end].to_owned(),
            },
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => continue,
        };
        let Some(object) = &mut current else {
            continue;
        };
        match &inside {
            Inside::Object => {}
            Inside::Id => object.id.push_str(text.trim()),
            Inside::Property { name, in_id } => {
                let property = object.properties.entry(name.clone()).or_default();
                if *in_id {
                    property
                        .reference
                        .get_or_insert_with(String::new)
                        .push_str(text.trim());
                } else {
                    property.text.push_str(&text);
                }
            }
        }
    }
    Ok(objects)
}

/// Skips the element `tag` has opened, with everything in it.
fn skip(reader: &mut Reader<&[u8]>, tag: &BytesStart, xml: &str) -> Result<(), ReadError> {
    reader
        .read_to_end(tag.name())
        .map(|_| ())
        .map_err(|error| syntax_error(xml, &error, reader.error_position() as usize))
}

/// An attribute's value as written: the class and property names it is used for hold no
/// references.
fn attribute(tag: &BytesStart, name: &str) -> Option<String> {
    let value = tag.try_get_attribute(name).ok()??;
    Some(value.value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export(objects: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hibernate-generic datetime=\"2025-01-01 00:00:00\">\n{objects}\n</hibernate-generic>\n"
        )
    }

    fn page(id: &str, extra: &str) -> String {
        format!(
            r#"<object class="Page" package="com.atlassian.confluence.pages"><id name="id">{id}</id><property name="title"><![CDATA[Page {id}]]></property>{extra}</object>"#
        )
    }

    fn body(page: &str, body_type: u8, cdata: &str) -> String {
        format!(
            r#"<object class="BodyContent" package="com.atlassian.confluence.core"><id name="id">9{page}</id><property name="body"><![CDATA[{cdata}]]></property><property name="content" class="Page" package="com.atlassian.confluence.pages"><id name="id">{page}</id></property><property name="bodyType">{body_type}</property></object>"#
        )
    }

    fn reference(name: &str, class: &str, id: &str) -> String {
        format!(
            r#"<property name="{name}" class="{class}" package="p"><id name="id">{id}</id>
    </property>"#
        )
    }

    #[test]
    fn current_pages_with_their_bodies_whatever_the_order_of_the_file() {
        let xml = export(&[
            // A body before its page, split where it holds `]]>` as Confluence splits it.
            body("1", 2, "<p>a]]]]><![CDATA[>b</p>"),
            page("1", r#"<property name="contentStatus"><![CDATA[current]]></property>"#),
            page("2", &reference("originalVersion", "Page", "1")),
            body("2", 2, "<p>old</p>"),
            page("3", r#"<property name="contentStatus">draft</property>"#),
            page("4", r#"<property name="contentStatus">deleted</property>"#),
            page(
                "5",
                &format!(
                    "{}<property name=\"position\">3</property>",
                    reference("parent", "Page", "1")
                ),
            ),
            body("5", 0, "h1. Old markup"),
            r#"<object class="BlogPost" package="p"><id name="id">6</id><property name="title">News &amp; notes</property><property name="creationDate">2024-03-01 08:00:00.000</property></object>"#.to_owned(),
            r#"<object class="ContentProperty" package="p"><id name="id">7</id><property name="title">not a page</property></object>"#.to_owned(),
        ]
        .concat());
        let read = read_space_export(&xml).unwrap();
        let ids: Vec<&str> = read.pages.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["1", "5", "6"]);
        assert_eq!(read.pages[0].body, "<p>a]]>b</p>");
        assert_eq!(read.pages[1].parent.as_deref(), Some("1"));
        assert_eq!(read.pages[1].position, Some(3));
        assert!(read.pages[1].wiki_markup);
        assert_eq!(read.pages[1].body, "h1. Old markup");
        assert!(read.pages[2].blog_post);
        assert_eq!(read.pages[2].title, "News & notes");
        assert_eq!(
            read.pages[2].created.as_deref(),
            Some("2024-03-01 08:00:00.000")
        );
        assert_eq!(read.pages[2].body, "");
    }

    #[test]
    fn space_users_labels_and_current_attachments() {
        let xml = export(&[
            page("1", &reference("space", "Space", "10")),
            format!(
                r#"<object class="Space" package="p"><id name="id">10</id><property name="name"><![CDATA[Ops]]></property><property name="key"><![CDATA[OPS]]></property>{}</object>"#,
                reference("homePage", "Page", "1")
            ),
            r#"<object class="ConfluenceUserImpl" package="p"><id name="key"><![CDATA[ab12]]></id><property name="name"><![CDATA[ada]]></property></object>"#.to_owned(),
            format!(
                r#"<object class="Attachment" package="p"><id name="id">20</id><property name="title">chart.png</property><property name="version">3</property>{}</object>"#,
                reference("containerContent", "Page", "1")
            ),
            format!(
                r#"<object class="Attachment" package="p"><id name="id">21</id><property name="title">chart.png</property><property name="version">2</property>{}{}</object>"#,
                reference("containerContent", "Page", "1"),
                reference("originalVersion", "Attachment", "20")
            ),
            r#"<object class="Label" package="p"><id name="id">30</id><property name="name">runbook</property><property name="namespace">global</property></object>"#.to_owned(),
            r#"<object class="Label" package="p"><id name="id">31</id><property name="name">mine</property><property name="namespace">my</property></object>"#.to_owned(),
            format!(
                r#"<object class="Labelling" package="p"><id name="id">40</id>{}{}</object>"#,
                reference("label", "Label", "30"),
                reference("content", "Page", "1")
            ),
            format!(
                r#"<object class="Labelling" package="p"><id name="id">41</id>{}{}</object>"#,
                reference("label", "Label", "31"),
                reference("content", "Page", "1")
            ),
        ]
        .concat());
        let read = read_space_export(&xml).unwrap();
        assert_eq!(read.space_key.as_deref(), Some("OPS"));
        assert_eq!(read.space_name.as_deref(), Some("Ops"));
        assert_eq!(read.home_page.as_deref(), Some("1"));
        assert_eq!(read.users.get("ab12").map(String::as_str), Some("ada"));
        let page = &read.pages[0];
        assert_eq!(page.space_key.as_deref(), Some("OPS"));
        assert_eq!(page.labels, ["runbook"]);
        assert_eq!(page.attachments.len(), 1);
        assert_eq!(page.attachments[0].filename, "chart.png");
        assert_eq!(page.attachments[0].path("1"), "attachments/1/20/3");
    }

    #[test]
    fn a_body_written_escaped_rather_than_in_cdata_reads_the_same() {
        let xml = export(&[
            page("1", ""),
            r#"<object class="BodyContent" package="p"><id name="id">9</id><property name="body">&lt;p&gt;Tom &amp;amp; Jerry&#160;&#x2014;&lt;/p&gt;</property><property name="bodyType">2</property><property name="content" class="Page" package="p"><id name="id">1</id></property></object>"#.to_owned(),
        ]
        .concat());
        let read = read_space_export(&xml).unwrap();
        assert_eq!(read.pages[0].body, "<p>Tom &amp; Jerry\u{a0}\u{2014}</p>");
    }

    #[test]
    fn a_broken_file_is_an_error_at_its_position_and_an_empty_one_says_so() {
        let xml = export(&page("1", "<property name=\"title\">unclosed"));
        let error = read_space_export(&xml).unwrap_err();
        assert!(error.span.start > 0, "{error:?}");

        let error = read_space_export(&export("")).unwrap_err();
        assert!(
            error.message.contains("no current page"),
            "{}",
            error.message
        );
    }
}
