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

use crate::{CompileError, Options, detect_input, read_page};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default)]
    jira_url: Option<String>,
    #[serde(default)]
    space_key: Option<String>,
    #[serde(default)]
    current_page: Option<String>,
    #[serde(default)]
    users: BTreeMap<String, String>,
    #[serde(default)]
    pages: Vec<PageEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageEntry {
    id: String,
    title: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    space_key: Option<String>,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    position: Option<i64>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    labels: Vec<String>,
    /// The page's storage body or REST page JSON, relative to the manifest.
    #[serde(default)]
    file: Option<String>,
}

/// Reads a site manifest. `read_file` returns the text of a page's `file`; pages whose file is
/// missing or malformed keep their metadata and get a warning (by page id: titles are content).
pub fn load_site(
    manifest: &str,
    read_file: &dyn Fn(&str) -> Option<String>,
    options: &Options,
) -> Result<(Site, Vec<Diagnostic>), CompileError> {
    let manifest: Manifest =
        serde_json::from_str(manifest).map_err(|error| CompileError::Json {
            message: format!("site manifest: {error}"),
            line: error.line(),
            column: error.column(),
        })?;
    let mut diagnostics = Vec::new();
    let pages = manifest
        .pages
        .into_iter()
        .map(|entry| {
            let document = entry.file.as_deref().and_then(|file| {
                let read = read_file(file)
                    .ok_or_else(|| "the file could not be read".to_owned())
                    .and_then(|text| detect_input(&text).map_err(|e| e.to_string()))
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
            SitePage {
                id: entry.id,
                title: entry.title,
                space_key: entry.space_key.or_else(|| manifest.space_key.clone()),
                parent_id: entry.parent,
                position: entry.position,
                blog_post: entry
                    .kind
                    .as_deref()
                    .is_some_and(|k| k.eq_ignore_ascii_case("blogpost") || k == "blog-post"),
                date: entry.date,
                labels: entry.labels,
                document,
            }
        })
        .collect();
    let site = Site {
        base_url: manifest
            .base_url
            .map(|url| url.trim_end_matches('/').to_owned()),
        jira_url: manifest.jira_url,
        space_key: manifest.space_key,
        current_page: manifest.current_page,
        users: manifest.users,
        pages,
    };
    Ok((site, diagnostics))
}

#[cfg(test)]
mod tests {
    use super::*;

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
