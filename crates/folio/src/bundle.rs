//! Export bundles: the pages of a tree or a space, with their attachments and the site's data.
//!
//! A bundle is a set of files by path. It holds either a manifest (`folio.json` or `folio.toml`,
//! the format of [`crate::load_site`] plus `title`, `logo`, `space_name` and per-page
//! `attachments` folders), a Confluence Server or Data Center space export (`entities.xml` and
//! its `attachments/` folder; `space_bundle.rs`) or, without either, Confluence REST API page
//! JSON files (v1 or v2 shapes), one per page, each with its attachments in the same folder. The
//! library reads bundle files only through [`BundleFiles`], so a service can hand in an
//! unpacked upload and never touch disk.

use std::collections::BTreeMap;
use std::sync::Arc;

use folio_ir::{AttachmentInfo, AttachmentSource, Diagnostic, Site, SitePage};

use crate::site::{Manifest, PageEntry};
use crate::space_bundle::{ENTITIES_FILE, read_space_bundle};
use crate::{CompileError, Options, read_page};

/// Files of an export bundle, by path relative to its root (`/` separators).
pub trait BundleFiles {
    fn read(&self, path: &str) -> Option<Vec<u8>>;
    /// Every file's path.
    fn list(&self) -> Vec<String>;
    /// A file's size in bytes (the `attachments` macro lists sizes). The default reads the
    /// file; sources that know sizes without reading should say so.
    fn size(&self, path: &str) -> Option<u64> {
        self.read(path).map(|bytes| bytes.len() as u64)
    }
}

impl BundleFiles for BTreeMap<String, Vec<u8>> {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        self.get(path).cloned()
    }

    fn size(&self, path: &str) -> Option<u64> {
        self.get(path).map(|bytes| bytes.len() as u64)
    }

    fn list(&self) -> Vec<String> {
        self.keys().cloned().collect()
    }
}

/// A loaded bundle: the site (every page read into the IR, unexpanded) and, per page, where its
/// storage and attachments are.
pub struct Bundle<'a> {
    files: &'a dyn BundleFiles,
    /// Title for the cover; default: the root page's title.
    pub title: Option<String>,
    pub space_name: Option<String>,
    /// Path of the cover logo in the bundle.
    pub logo: Option<String>,
    pub site: Site,
    /// Per page, in manifest order (the same order as `site.pages`).
    pub pages: Vec<BundlePage>,
    /// Warnings about the bundle itself (unreadable or malformed page files).
    pub diagnostics: Vec<Diagnostic>,
}

/// Where one page of a bundle comes from.
#[derive(Debug, Clone)]
pub struct BundlePage {
    pub id: String,
    /// Path of the page's source in the bundle, for diagnostics.
    pub source_path: Option<String>,
    /// The storage body (diagnostic spans of this page index it).
    pub storage: Arc<str>,
    /// Why the page's source could not be read, with its position (the page is then empty).
    pub error: Option<String>,
    /// Folder of the page's attachments in the bundle (`""` = the root).
    pub attachments_dir: String,
    /// Where the bundle keeps the page's attachments under names of its own (a space export
    /// does): file name to path. When set, it is the page's attachments, not the folder.
    pub attachment_files: Option<Arc<BTreeMap<String, String>>>,
    pub author: Option<String>,
}

impl<'a> Bundle<'a> {
    /// The attachments of a page, read from the bundle on demand.
    pub fn attachments(&self, page: &BundlePage) -> BundleAttachments<'a> {
        BundleAttachments {
            files: self.files,
            dir: page.attachments_dir.clone(),
            exclude: page.source_path.clone(),
            by_name: page.attachment_files.clone(),
        }
    }

    /// Raw bytes of a bundle file (the logo).
    pub fn file(&self, path: &str) -> Option<Vec<u8>> {
        self.files.read(path)
    }
}

/// One page's attachments folder inside a bundle.
pub struct BundleAttachments<'a> {
    files: &'a dyn BundleFiles,
    dir: String,
    exclude: Option<String>,
    by_name: Option<Arc<BTreeMap<String, String>>>,
}

impl BundleAttachments<'_> {
    fn path(&self, filename: &str) -> Option<String> {
        if let Some(by_name) = &self.by_name {
            return by_name.get(filename).cloned();
        }
        // Only plain names: a `..` or `/` in an attachment name must not reach other pages' files.
        folio_ir::is_plain_file_name(filename).then(|| join(&self.dir, filename))
    }
}

impl AttachmentSource for BundleAttachments<'_> {
    fn load(&self, filename: &str) -> Option<Vec<u8>> {
        self.files.read(&self.path(filename)?)
    }

    fn list(&self) -> Vec<AttachmentInfo> {
        if let Some(by_name) = &self.by_name {
            return by_name
                .iter()
                .map(|(filename, path)| AttachmentInfo {
                    filename: filename.clone(),
                    size: self.files.size(path).unwrap_or(0),
                })
                .collect();
        }
        let prefix = if self.dir.is_empty() {
            String::new()
        } else {
            format!("{}/", self.dir)
        };
        self.files
            .list()
            .into_iter()
            .filter(|path| Some(path) != self.exclude.as_ref())
            .filter_map(|path| {
                let name = path.strip_prefix(&prefix)?;
                let metadata = name.contains('/')
                    || name.ends_with(".json")
                    || name.ends_with(".xhtml")
                    || name.ends_with(".yaml")
                    || name.ends_with(".toml")
                    || name == "page.html"
                    || name.starts_with('.');
                (!metadata).then(|| AttachmentInfo {
                    filename: name.to_owned(),
                    size: self.files.size(&path).unwrap_or(0),
                })
            })
            .collect()
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

fn parent(path: &str) -> String {
    path.rsplit_once('/')
        .map_or(String::new(), |(dir, _)| dir.to_owned())
}

/// Reads a bundle: its manifest when it has one, else the space export it is, else its REST
/// API page JSON files.
pub fn load_bundle<'a>(
    files: &'a dyn BundleFiles,
    options: &Options,
) -> Result<Bundle<'a>, CompileError> {
    let manifest = if let Some(json) = files.read("folio.json") {
        Some(Manifest::parse_json(&utf8(json, "folio.json")?)?)
    } else if let Some(toml) = files.read("folio.toml") {
        let text = utf8(toml, "folio.toml")?;
        Some(toml::from_str::<Manifest>(&text).map_err(|error| {
            let (line, column) = error
                .span()
                .map(|span| line_col(&text, span.start))
                .unwrap_or((1, 1));
            CompileError::Json {
                message: format!("folio.toml: {}", error.message()),
                line,
                column,
            }
        })?)
    } else {
        None
    };
    let mut space = None;
    let manifest = match manifest {
        Some(manifest) => manifest,
        None => match files.read(ENTITIES_FILE) {
            Some(entities) => {
                let read = read_space_bundle(&utf8(entities, ENTITIES_FILE)?, files)?;
                std::mem::take(&mut space.insert(read).manifest)
            }
            None => rest_manifest(files)?,
        },
    };

    let mut diagnostics = space
        .as_mut()
        .map(|space| std::mem::take(&mut space.diagnostics))
        .unwrap_or_default();
    let mut site_pages = Vec::with_capacity(manifest.pages.len());
    let mut pages = Vec::with_capacity(manifest.pages.len());
    for entry in &manifest.pages {
        let body = space
            .as_mut()
            .and_then(|space| space.bodies.remove(&entry.id));
        let read = match body {
            // Positions in a body count from its start, not the file's.
            Some(body) => read_body(
                body.into_bytes(),
                "the page's body in entities.xml",
                options,
            ),
            None => read_entry(files, entry, options),
        };
        let (storage, document, error) = match read {
            Ok((storage, document)) => (storage, Some(Arc::new(document)), None),
            Err(error) => {
                diagnostics.push(Diagnostic::warning(
                    "bundle-page-unreadable",
                    format!("page {}: {error}", entry.id),
                ));
                (Arc::from(""), None, Some(error))
            }
        };
        let attachments_dir = entry
            .attachments
            .clone()
            .map(|dir| dir.trim_end_matches('/').to_owned())
            .or_else(|| entry.file.as_deref().map(parent))
            .unwrap_or_default();
        pages.push(BundlePage {
            id: entry.id.clone(),
            source_path: entry.file.clone(),
            storage,
            error,
            attachments_dir,
            attachment_files: space
                .as_ref()
                .and_then(|space| space.attachments.get(&entry.id).cloned()),
            author: entry.author.clone(),
        });
        site_pages.push(entry.site_page(manifest.space_key.as_ref(), document));
    }
    Ok(Bundle {
        files,
        title: manifest.title.clone(),
        space_name: manifest.space_name.clone(),
        logo: manifest.logo.clone(),
        site: manifest.site(site_pages),
        pages,
        diagnostics,
    })
}

fn read_entry(
    files: &dyn BundleFiles,
    entry: &PageEntry,
    options: &Options,
) -> Result<(Arc<str>, folio_ir::Document), String> {
    let file = entry.file.as_deref().ok_or("no `file` for the page")?;
    let bytes = files
        .read(file)
        .ok_or_else(|| format!("`{file}` is not in the bundle"))?;
    read_body(bytes, file, options)
}

/// Reads a page's source (`bytes`, from `file`, which errors name).
fn read_body(
    bytes: Vec<u8>,
    file: &str,
    options: &Options,
) -> Result<(Arc<str>, folio_ir::Document), String> {
    // The checks of a single page: size limit first (a bundle's page is page content, and one
    // huge page costs as much memory in an export as on its own), then UTF-8.
    let page = crate::read_input(&bytes, options).map_err(|e| format!("{file}: {e}"))?;
    let (document, _) = read_page(&page.storage, options).map_err(|e| {
        let at = e.span().map(|span| {
            let (line, column) = line_col(&page.storage, span.start);
            format!(":{line}:{column}")
        });
        format!("{file}{}: {e}", at.unwrap_or_default())
    })?;
    Ok((Arc::from(page.storage), document))
}

fn utf8(bytes: Vec<u8>, name: &str) -> Result<String, CompileError> {
    String::from_utf8(bytes).map_err(|error| CompileError::Json {
        message: format!("{name} is not UTF-8"),
        line: 1,
        column: error.utf8_error().valid_up_to() + 1,
    })
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let index = folio_ir::LineIndex::new(text);
    index.line_col(text, offset.min(text.len()))
}

/// A manifest built from REST API page JSON files (v1: `ancestors`, `extensions.position`,
/// `history`, `metadata.labels`; v2: `parentId`, `position`, `createdAt`).
fn rest_manifest(files: &dyn BundleFiles) -> Result<Manifest, CompileError> {
    let mut manifest = Manifest::default();
    for path in files.list() {
        if !path.ends_with(".json") {
            continue;
        }
        let Some(bytes) = files.read(&path) else {
            continue;
        };
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            continue;
        };
        if value.pointer("/body/storage/value").is_none() {
            continue;
        }
        let text = |pointer: &str| {
            value.pointer(pointer).and_then(|v| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        let Some(id) = text("/id") else { continue };
        let parent = value
            .get("ancestors")
            .and_then(|a| a.as_array())
            .and_then(|a| a.last())
            .and_then(|a| a.get("id"))
            .and_then(|id| id.as_str().map(str::to_owned))
            .or_else(|| text("/parentId"));
        let position = text("/extensions/position")
            .or_else(|| text("/position"))
            .and_then(|p| p.parse().ok());
        let labels = value
            .pointer("/metadata/labels/results")
            .and_then(|l| l.as_array())
            .map(|labels| {
                labels
                    .iter()
                    .filter_map(|l| l.get("name").and_then(|n| n.as_str()).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if manifest.base_url.is_none() {
            manifest.base_url = text("/_links/base");
        }
        if manifest.space_key.is_none() {
            manifest.space_key = text("/space/key");
            manifest.space_name = text("/space/name");
        }
        manifest.pages.push(PageEntry {
            id,
            title: text("/title").unwrap_or_default(),
            kind: text("/type"),
            space_key: text("/space/key"),
            parent,
            position,
            date: text("/history/createdDate").or_else(|| text("/createdAt")),
            modified: text("/version/when").or_else(|| text("/version/createdAt")),
            author: text("/history/createdBy/displayName"),
            labels,
            attachments: None,
            file: Some(path),
        });
    }
    if manifest.pages.is_empty() {
        return Err(CompileError::Json {
            message: "the bundle has no folio.json, no folio.toml, no entities.xml (a space \
                      export) and no REST page JSON files"
                .into(),
            line: 1,
            column: 1,
        });
    }
    // Files list in path order; REST answers carry no tree order of their own beyond position.
    manifest.pages.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(manifest)
}

/// For each page of `site`, whether its parents lead round in a loop rather than to a root.
fn in_parent_loops(site: &Site, index: &BTreeMap<&str, usize>) -> Vec<bool> {
    const UNKNOWN: u8 = 0;
    const ON_PATH: u8 = 1;
    const ROOTED: u8 = 2;
    const LOOPING: u8 = 3;
    let parent_of = |i: usize| {
        let page = &site.pages[i];
        let parent = page.parent_id.as_deref().filter(|p| *p != page.id)?;
        index.get(parent).copied()
    };
    let mut state = vec![UNKNOWN; site.pages.len()];
    for i in 0..site.pages.len() {
        let mut path = Vec::new();
        let mut at = i;
        let verdict = loop {
            match state[at] {
                ROOTED => break ROOTED,
                LOOPING | ON_PATH => break LOOPING,
                _ => {}
            }
            state[at] = ON_PATH;
            path.push(at);
            match parent_of(at) {
                Some(parent) => at = parent,
                None => break ROOTED,
            }
        };
        for page in path {
            state[page] = verdict;
        }
    }
    state.into_iter().map(|s| s == LOOPING).collect()
}

/// Pages of `site` in export order: depth first from the roots, siblings by position then title;
/// blog posts after the pages, newest first. Each with its depth (0 for a root).
pub(crate) fn tree_order(
    site: &Site,
    root: Option<&str>,
    max_depth: Option<usize>,
) -> Vec<(usize, usize)> {
    let index: BTreeMap<&str, usize> = site
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut children: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for (i, page) in site.pages.iter().enumerate() {
        if page.blog_post {
            continue;
        }
        // A parent outside the bundle makes the page a root.
        let parent = page
            .parent_id
            .as_deref()
            .filter(|p| index.contains_key(p) && *p != page.id);
        children.entry(parent).or_default().push(i);
    }
    for list in children.values_mut() {
        list.sort_by(|&a, &b| site.pages[a].sibling_order(&site.pages[b]));
    }
    let mut order = Vec::new();
    let mut seen = vec![false; site.pages.len()];
    let starts: Vec<usize> = match root.and_then(|r| index.get(r)) {
        Some(&i) => vec![i],
        None => children.get(&None).cloned().unwrap_or_default(),
    };
    // Depth first, with a stack of its own: a chain of pages can be deeper than the call stack.
    let mut visit = |starts: &[usize], order: &mut Vec<(usize, usize)>| {
        let mut stack: Vec<(usize, usize)> = starts.iter().rev().map(|&i| (i, 0)).collect();
        while let Some((i, depth)) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            order.push((i, depth));
            if max_depth.is_some_and(|max| depth + 1 >= max) {
                continue;
            }
            if let Some(kids) = children.get(&Some(site.pages[i].id.as_str())) {
                stack.extend(kids.iter().rev().map(|&kid| (kid, depth + 1)));
            }
        }
    };
    visit(&starts, &mut order);
    if root.is_none() {
        // Pages whose parents lead round in a loop, which no root leads to, are exported too,
        // each loop from its first page in the bundle.
        let looping = in_parent_loops(site, &index);
        // A loop starts once, whatever the depth limit leaves out below its first page.
        let mut covered = vec![false; site.pages.len()];
        for i in (0..site.pages.len()).filter(|&i| looping[i] && !site.pages[i].blog_post) {
            if covered[i] {
                continue;
            }
            let mut below = vec![i];
            while let Some(page) = below.pop() {
                if !std::mem::replace(&mut covered[page], true)
                    && let Some(kids) = children.get(&Some(site.pages[page].id.as_str()))
                {
                    below.extend(kids);
                }
            }
            visit(&[i], &mut order);
        }
        let mut posts: Vec<usize> = (0..site.pages.len())
            .filter(|&i| site.pages[i].blog_post)
            .collect();
        posts.sort_by(|&a, &b| site.pages[b].date.cmp(&site.pages[a].date));
        order.extend(posts.into_iter().map(|i| (i, 0)));
    }
    order
}

/// Pages of `site` that `tree_order` reaches, as site entries (for tests and callers).
pub fn export_order<'s>(
    site: &'s Site,
    root: Option<&str>,
    depth: Option<usize>,
) -> Vec<(&'s SitePage, usize)> {
    tree_order(site, root, depth)
        .into_iter()
        .map(|(i, d)| (&site.pages[i], d))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn a_json_manifest_loads_pages_in_tree_order() {
        let files = files(&[
            (
                "folio.json",
                r#"{"title": "Book", "space_key": "ENG", "pages": [
                    {"id": "3", "title": "Child B", "parent": "1", "position": 2, "file": "b.xhtml"},
                    {"id": "1", "title": "Root", "file": "root.xhtml"},
                    {"id": "2", "title": "Child A", "parent": "1", "position": 1, "file": "a.xhtml"},
                    {"id": "9", "title": "News", "type": "blogpost", "date": "2025-01-02T10:00:00Z", "file": "n.xhtml"}
                ]}"#,
            ),
            ("root.xhtml", "<p>root</p>"),
            ("a.xhtml", "<p>a</p>"),
            ("b.xhtml", "<p>b</p>"),
            ("n.xhtml", "<p>news</p>"),
        ]);
        let bundle = load_bundle(&files, &Options::default()).unwrap();
        assert!(bundle.diagnostics.is_empty());
        let order: Vec<_> = export_order(&bundle.site, None, None)
            .into_iter()
            .map(|(p, d)| (p.title.as_str(), d))
            .collect();
        assert_eq!(
            order,
            [("Root", 0), ("Child A", 1), ("Child B", 1), ("News", 0)]
        );
        assert_eq!(bundle.site.pages[3].date.as_deref(), Some("2025-01-02"));
        let only_root: Vec<_> = export_order(&bundle.site, Some("1"), Some(1))
            .into_iter()
            .map(|(p, _)| p.title.as_str())
            .collect();
        assert_eq!(only_root, ["Root"]);
    }

    #[test]
    fn pages_in_a_parent_loop_and_a_chain_deeper_than_the_stack_are_exported() {
        let mut pages = vec![
            r#"{"id": "a", "title": "A", "parent": "b"}"#.to_owned(),
            r#"{"id": "b", "title": "B", "parent": "a"}"#.to_owned(),
            r#"{"id": "c", "title": "C", "parent": "b"}"#.to_owned(),
        ];
        // A chain 100,000 pages deep: more levels than a call per level would survive.
        pages.extend((0..100_000).map(|i| {
            let parent = if i == 0 {
                String::new()
            } else {
                format!(r#", "parent": "d{}""#, i - 1)
            };
            format!(r#"{{"id": "d{i}", "title": "D{i}"{parent}}}"#)
        }));
        let manifest = format!(r#"{{"pages": [{}]}}"#, pages.join(","));
        let files = files(&[("folio.json", &manifest)]);
        let bundle = load_bundle(&files, &Options::default()).unwrap();
        let order: Vec<_> = export_order(&bundle.site, None, None)
            .into_iter()
            .map(|(p, d)| (p.title.as_str(), d))
            .collect();
        assert_eq!(order.len(), 100_003);
        assert_eq!(order[0], ("D0", 0));
        assert_eq!(order[99_999], ("D99999", 99_999));
        assert_eq!(&order[100_000..], [("A", 0), ("B", 1), ("C", 2)]);
        // A depth limit still holds: pages it cuts off are not loops.
        let shallow: Vec<_> = export_order(&bundle.site, None, Some(1))
            .into_iter()
            .map(|(p, _)| p.title.as_str())
            .collect();
        assert_eq!(shallow, ["D0", "A"]);
    }

    #[test]
    fn a_toml_manifest_and_a_broken_page_warn() {
        let files = files(&[
            (
                "folio.toml",
                "title = \"Book\"\n[[pages]]\nid = \"1\"\ntitle = \"Root\"\nfile = \"root.xhtml\"\n",
            ),
            ("root.xhtml", "<p>unclosed"),
        ]);
        let bundle = load_bundle(&files, &Options::default()).unwrap();
        assert_eq!(bundle.title.as_deref(), Some("Book"));
        assert_eq!(bundle.diagnostics.len(), 1);
        assert!(bundle.diagnostics[0].message.contains("root.xhtml:1:"));
    }

    #[test]
    fn a_page_over_the_input_limit_or_not_utf8_is_not_read_and_the_others_are() {
        let mut files = files(&[
            (
                "folio.json",
                r#"{"pages": [
                    {"id": "1", "title": "Small", "file": "small.xhtml"},
                    {"id": "2", "title": "Huge", "file": "huge.xhtml"},
                    {"id": "3", "title": "Latin-1", "file": "latin1.xhtml"}
                ]}"#,
            ),
            ("small.xhtml", "<p>small</p>"),
        ]);
        files.insert(
            "huge.xhtml".into(),
            format!("<p>{}</p>", "a".repeat(100)).into_bytes(),
        );
        files.insert("latin1.xhtml".into(), b"<p>caf\xe9</p>".to_vec());
        let options = Options {
            max_input_bytes: Some(50),
            ..Options::default()
        };
        let bundle = load_bundle(&files, &options).unwrap();
        let messages: Vec<&str> = bundle
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains("huge.xhtml") && messages[0].contains("max_input_bytes"),
            "{messages:?}"
        );
        assert!(
            messages[1].contains("latin1.xhtml") && messages[1].contains("UTF-8"),
            "{messages:?}"
        );
        let read: Vec<bool> = bundle
            .site
            .pages
            .iter()
            .map(|p| p.document.is_some())
            .collect();
        assert_eq!(read, [true, false, false]);
    }

    #[test]
    fn rest_json_files_make_a_tree() {
        let files = files(&[
            (
                "10/page.json",
                r#"{"id": "10", "type": "page", "title": "Manual", "space": {"key": "QM", "name": "QueryPie"},
                    "ancestors": [], "body": {"storage": {"value": "<p>top</p>"}}, "_links": {"base": "https://x.atlassian.net/wiki"}}"#,
            ),
            (
                "11/page.json",
                r#"{"id": "11", "type": "page", "title": "Install", "ancestors": [{"id": "99"}, {"id": "10"}],
                    "extensions": {"position": 5}, "body": {"storage": {"value": "<p>child</p>"}}}"#,
            ),
            ("11/shot.png", "png"),
        ]);
        let bundle = load_bundle(&files, &Options::default()).unwrap();
        assert_eq!(
            bundle.site.base_url.as_deref(),
            Some("https://x.atlassian.net/wiki")
        );
        assert_eq!(bundle.space_name.as_deref(), Some("QueryPie"));
        let order: Vec<_> = export_order(&bundle.site, None, None)
            .into_iter()
            .map(|(p, d)| (p.id.as_str(), d))
            .collect();
        assert_eq!(order, [("10", 0), ("11", 1)]);
        let attachments = bundle.attachments(&bundle.pages[1]);
        assert_eq!(attachments.load("shot.png").as_deref(), Some(&b"png"[..]));
        assert!(attachments.load("../10/page.json").is_none());
        let listed: Vec<_> = attachments
            .list()
            .into_iter()
            .map(|a| (a.filename, a.size))
            .collect();
        assert_eq!(listed, [("shot.png".to_owned(), 3)]);
    }
}
