//! Site data from a JSON manifest: the site's URLs, users and other pages, so that cross-page
//! macros (`include`, `children`, `detailssummary`…), page links and mentions resolve.
//!
//! ```json
//! {
//!   "base_url": "https://example.atlassian.net/wiki",
//!   "space_key": "OPS",
//!   "current_page": "1001",
//!   "users": { "557058:0f1e": "Ada Lovelace" },
//!   "pages": [
//!     { "id": "1001", "title": "Runbooks", "parent": null, "position": 0,
//!       "labels": ["runbook"], "file": "pages/1001.xhtml" },
//!     { "id": "1002", "title": "Release notes", "type": "blogpost", "date": "2024-03-01" }
//!   ]
//! }
//! ```
//!
//! The library reads no files: the caller passes a function that returns a page file's text.

use std::collections::BTreeMap;
use std::sync::Arc;

use folio_ir::{Diagnostic, Site, SitePage};
use serde::Deserialize;

use crate::{CompileError, Options, read_page};

/// The manifest of a site or an export bundle (`folio.json`, `folio.toml`, `site.json`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Manifest {
    /// Title of an export (the cover's title); default: the root page's title.
    #[serde(default)]
    pub title: Option<String>,
    /// An image file for the cover, relative to the manifest.
    #[serde(default)]
    pub logo: Option<String>,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub jira_url: Option<String>,
    #[serde(default)]
    pub space_key: Option<String>,
    #[serde(default)]
    pub space_name: Option<String>,
    #[serde(default)]
    pub current_page: Option<String>,
    #[serde(default)]
    pub users: BTreeMap<String, String>,
    #[serde(default)]
    pub pages: Vec<PageEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageEntry {
    pub id: String,
    pub title: String,
    /// `page` (default) or `blogpost`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub space_key: Option<String>,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub position: Option<i64>,
    /// Creation or posting date, `YYYY-MM-DD` (a longer ISO timestamp is cut to the date).
    #[serde(default)]
    pub date: Option<String>,
    /// Last-modified date.
    #[serde(default)]
    pub modified: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    /// The page's storage body or REST page JSON, relative to the manifest.
    #[serde(default)]
    pub file: Option<String>,
    /// The page's attachments folder, relative to the manifest; default: the folder of `file`.
    #[serde(default)]
    pub attachments: Option<String>,
}

impl PageEntry {
    pub fn is_blog_post(&self) -> bool {
        self.kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("blogpost") || k == "blog-post")
    }

    /// The page's date as `YYYY-MM-DD`: posting date, else last modified.
    pub fn day(&self) -> Option<String> {
        self.date
            .as_deref()
            .or(self.modified.as_deref())
            .map(|d| d.get(..10).unwrap_or(d).to_owned())
    }

    pub fn site_page(
        &self,
        space_key: Option<&String>,
        document: Option<Arc<folio_ir::Document>>,
    ) -> SitePage {
        SitePage {
            id: self.id.clone(),
            title: self.title.clone(),
            space_key: self.space_key.clone().or_else(|| space_key.cloned()),
            parent_id: self.parent.clone(),
            position: self.position,
            blog_post: self.is_blog_post(),
            date: self.day(),
            labels: self.labels.clone(),
            document,
        }
    }
}

impl Manifest {
    pub fn parse_json(text: &str) -> Result<Manifest, CompileError> {
        serde_json::from_str(text).map_err(|error| CompileError::Json {
            message: format!("manifest: {error}"),
            line: error.line(),
            column: error.column(),
        })
    }

    /// The site of the manifest, with the given page documents.
    pub fn site(&self, pages: Vec<SitePage>) -> Site {
        Site {
            base_url: self
                .base_url
                .as_ref()
                .map(|url| url.trim_end_matches('/').to_owned()),
            jira_url: self.jira_url.clone(),
            space_key: self.space_key.clone(),
            current_page: self.current_page.clone(),
            users: self.users.clone(),
            pages,
            exported: Default::default(),
        }
    }
}

/// Reads a site manifest. `read_file` returns the text of a page's `file`; pages whose file is
/// missing or malformed keep their metadata and get a warning (by page id: titles are content).
pub fn load_site(
    manifest: &str,
    read_file: &dyn Fn(&str) -> Option<String>,
    options: &Options,
) -> Result<(Site, Vec<Diagnostic>), CompileError> {
    let manifest = Manifest::parse_json(manifest)?;
    let mut diagnostics = Vec::new();
    let pages = manifest
        .pages
        .iter()
        .map(|entry| {
            let document = entry.file.as_deref().and_then(|file| {
                let read = read_file(file)
                    .ok_or_else(|| "the file could not be read".to_owned())
                    // The same size limit as the page itself: an included page is page content too.
                    .and_then(|text| {
                        crate::read_input(text.as_bytes(), options).map_err(|e| e.to_string())
                    })
                    .and_then(|page| {
                        read_page(&page.storage, options)
                            .map(|(document, _)| document)
                            .map_err(|e| e.to_string())
                    });
                match read {
                    Ok(document) => Some(Arc::new(document)),
                    Err(error) => {
                        diagnostics.push(Diagnostic::warning(
                            "site-page-unreadable",
                            format!("page {} of the site manifest: {error}", entry.id),
                        ));
                        None
                    }
                }
            });
            entry.site_page(manifest.space_key.as_ref(), document)
        })
        .collect();
    Ok((manifest.site(pages), diagnostics))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_pages_over_the_input_limit_are_not_read() {
        let manifest = r#"{"pages": [{"id": "1", "title": "Big", "file": "big.xhtml"}]}"#;
        let read = |_: &str| Some(format!("<p>{}</p>", "a".repeat(100)));
        let options = Options {
            max_input_bytes: Some(50),
            ..Options::default()
        };
        let (site, diagnostics) = load_site(manifest, &read, &options).unwrap();
        assert!(site.pages[0].document.is_none());
        assert!(diagnostics[0].message.contains("max_input_bytes"));
    }

    #[test]
    fn manifest_pages_are_read_and_bad_files_warn() {
        let manifest = r#"{
            "base_url": "https://wiki.example.com/",
            "space_key": "OPS",
            "pages": [
                {"id": "1", "title": "Home", "file": "home.xhtml", "labels": ["a"]},
                {"id": "2", "title": "Broken", "parent": "1", "file": "broken.xhtml"},
                {"id": "3", "title": "News", "type": "blogpost", "date": "2024-01-02"}
            ]
        }"#;
        let read = |name: &str| match name {
            "home.xhtml" => Some("<p>Hello</p>".to_owned()),
            "broken.xhtml" => Some("<p>unclosed".to_owned()),
            _ => None,
        };
        let (site, diagnostics) = load_site(manifest, &read, &Options::default()).unwrap();
        assert_eq!(site.base_url.as_deref(), Some("https://wiki.example.com"));
        assert_eq!(site.pages.len(), 3);
        assert!(site.pages[0].document.is_some());
        assert!(site.pages[1].document.is_none());
        assert!(site.pages[2].blog_post);
        assert_eq!(site.pages[1].space_key.as_deref(), Some("OPS"));
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].message.contains("page 2"));
    }

    #[test]
    fn a_malformed_manifest_is_an_error_with_a_position() {
        let error = load_site("{\n  \"pages\": 3\n}", &|_| None, &Options::default()).unwrap_err();
        assert!(matches!(error, CompileError::Json { line: 2, .. }));
    }
}
