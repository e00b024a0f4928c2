//! What the caller knows beyond the page itself: the site it lives on, the other pages it may
//! reference, the users it mentions and the files attached to it.
//!
//! All of it is optional. Passes use it to resolve cross-page macros (`include`, `children`,
//! `detailssummary`…), links to pages and attachments, and mentions; without it they fall back to
//! titled placeholders and plain names. Nothing here is fetched: the caller hands it in.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::Document;

/// The site and its pages, as far as the caller supplied them.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// Base URL of the Confluence site, without a trailing slash
    /// (`https://example.atlassian.net/wiki`, `https://confluence.example.com`).
    pub base_url: Option<String>,
    /// Base URL of the Jira site that `jira` macros point at; falls back to the host of
    /// `base_url` for Atlassian Cloud sites, where Jira and Confluence share it.
    pub jira_url: Option<String>,
    /// Key of the space the compiled page belongs to.
    pub space_key: Option<String>,
    /// Id of the page being compiled, when it is one of `pages` (for `children`).
    pub current_page: Option<String>,
    /// Display names by user id: Cloud account id, Server user key or user name.
    pub users: BTreeMap<String, String>,
    /// Other pages and blog posts the caller supplied, in tree order.
    pub pages: Vec<SitePage>,
    /// Ids of the pages that are part of the PDF being made (a multi-page export): links to
    /// them become links inside the PDF.
    pub exported: std::collections::BTreeSet<String>,
}

/// A page or blog post of the site.
#[derive(Debug, Clone, Default)]
pub struct SitePage {
    pub id: String,
    pub title: String,
    pub space_key: Option<String>,
    pub parent_id: Option<String>,
    /// Order among siblings (Confluence's `position`); lower first.
    pub position: Option<i64>,
    pub blog_post: bool,
    /// Creation or posting date, `YYYY-MM-DD`.
    pub date: Option<String>,
    pub labels: Vec<String>,
    /// The page's content, read but not yet through the passes; `None` when only its metadata
    /// is known.
    pub document: Option<Arc<Document>>,
}

impl SitePage {
    /// Confluence's order among siblings: by position (pages without one last), then title.
    pub fn sibling_order(&self, other: &SitePage) -> std::cmp::Ordering {
        (self.position.unwrap_or(i64::MAX), &self.title)
            .cmp(&(other.position.unwrap_or(i64::MAX), &other.title))
    }
}

/// An attachment the caller can supply: its name and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub filename: String,
    pub size: u64,
}

/// Whether an attachment name from a page can name a file of the page's own folder: not empty,
/// not `.` or `..`, and without a path separator or NUL. Sources treat any other name as missing,
/// so that `../other-page/secret.png` never reaches outside the folder.
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// Where attachment bytes come from: a folder for the CLI, memory for a service.
pub trait AttachmentSource {
    /// The bytes of the attachment `filename`, or `None` when the page's attachments lack it.
    fn load(&self, filename: &str) -> Option<Vec<u8>>;

    /// Every attachment of the page, for the `attachments` and `gallery` macros; by name.
    fn list(&self) -> Vec<AttachmentInfo> {
        Vec::new()
    }
}

/// A source with no attachments.
pub struct NoAttachments;

impl AttachmentSource for NoAttachments {
    fn load(&self, _: &str) -> Option<Vec<u8>> {
        None
    }
}

impl AttachmentSource for crate::Attachments {
    fn load(&self, filename: &str) -> Option<Vec<u8>> {
        self.get(filename).map(|bytes| bytes.to_vec())
    }

    fn list(&self) -> Vec<AttachmentInfo> {
        self.iter()
            .map(|(filename, bytes)| AttachmentInfo {
                filename: filename.to_owned(),
                size: bytes.len() as u64,
            })
            .collect()
    }
}

impl Site {
    /// The site with nothing known.
    pub const EMPTY: Site = Site {
        base_url: None,
        jira_url: None,
        space_key: None,
        current_page: None,
        users: BTreeMap::new(),
        pages: Vec::new(),
        exported: std::collections::BTreeSet::new(),
    };

    /// The page titled `title` in `space` (the current space when `None`).
    pub fn page_by_title(&self, title: &str, space: Option<&str>) -> Option<&SitePage> {
        let space = space.or(self.space_key.as_deref());
        self.pages.iter().find(|page| {
            page.title == title
                && match (space, page.space_key.as_deref()) {
                    (Some(wanted), Some(has)) => wanted.eq_ignore_ascii_case(has),
                    _ => true,
                }
        })
    }

    pub fn page_by_id(&self, id: &str) -> Option<&SitePage> {
        self.pages.iter().find(|page| page.id == id)
    }

    /// Children of `parent` (top-level pages for `None`) in Confluence's order: by position,
    /// then title.
    pub fn children_of(&self, parent: Option<&str>) -> Vec<&SitePage> {
        let mut children: Vec<&SitePage> = self
            .pages
            .iter()
            .filter(|page| !page.blog_post && page.parent_id.as_deref() == parent)
            .collect();
        children.sort_by(|a, b| a.sibling_order(b));
        children
    }

    /// The URL of a page on the site, when the base URL is known.
    pub fn page_url(&self, page: &SitePage) -> Option<String> {
        let base = self.base_url.as_deref()?;
        if !page.id.is_empty() {
            return Some(format!("{base}/pages/viewpage.action?pageId={}", page.id));
        }
        let space = page.space_key.as_deref().or(self.space_key.as_deref())?;
        Some(format!(
            "{base}/display/{}/{}",
            url_component(space),
            url_component(&page.title)
        ))
    }

    /// The URL of a page known only by title, when the base URL and a space key are known.
    pub fn title_url(&self, title: &str, space: Option<&str>) -> Option<String> {
        if let Some(page) = self.page_by_title(title, space) {
            return self.page_url(page);
        }
        let base = self.base_url.as_deref()?;
        let space = space.or(self.space_key.as_deref())?;
        Some(format!(
            "{base}/display/{}/{}",
            url_component(space),
            url_component(title)
        ))
    }

    /// The Jira base URL: the configured one, else the Cloud site's own host.
    pub fn jira_base(&self) -> Option<String> {
        if let Some(url) = &self.jira_url {
            return Some(url.trim_end_matches('/').to_owned());
        }
        let base = self.base_url.as_deref()?;
        let host_end = base
            .find("://")
            .map(|i| i + 3)
            .and_then(|start| base[start..].find('/').map(|i| start + i))
            .unwrap_or(base.len());
        let origin = &base[..host_end];
        origin
            .ends_with(".atlassian.net")
            .then(|| origin.to_owned())
    }

    /// A user's display name, when the caller supplied it.
    pub fn user_name(&self, id: &str) -> Option<&str> {
        self.users.get(id).map(String::as_str)
    }
}

/// Percent-encodes a path component (RFC 3986 unreserved characters pass through).
pub fn url_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_name_a_file_of_the_folder() {
        for plain in [
            "shot.png",
            "스크린샷 2025-02-03 오후 2.14.07.png",
            "a..b.txt",
            ".hidden",
        ] {
            assert!(is_plain_file_name(plain), "{plain}");
        }
        for escaping in [
            "",
            ".",
            "..",
            "../x.png",
            "a/b.png",
            "a\\b.png",
            "/etc/passwd",
            "x\0.png",
        ] {
            assert!(!is_plain_file_name(escaping), "{escaping:?}");
        }
    }

    #[test]
    fn jira_base_defaults_to_the_cloud_host() {
        let site = Site {
            base_url: Some("https://acme.atlassian.net/wiki".into()),
            ..Site::default()
        };
        assert_eq!(
            site.jira_base().as_deref(),
            Some("https://acme.atlassian.net")
        );
        let server = Site {
            base_url: Some("https://wiki.acme.com".into()),
            ..Site::default()
        };
        assert_eq!(server.jira_base(), None);
    }

    #[test]
    fn page_urls_use_ids_then_titles() {
        let site = Site {
            base_url: Some("https://wiki.acme.com".into()),
            space_key: Some("ENG".into()),
            pages: vec![SitePage {
                id: "42".into(),
                title: "Known".into(),
                ..SitePage::default()
            }],
            ..Site::default()
        };
        assert_eq!(
            site.title_url("Known", None).as_deref(),
            Some("https://wiki.acme.com/pages/viewpage.action?pageId=42")
        );
        assert_eq!(
            site.title_url("Other page & co", None).as_deref(),
            Some("https://wiki.acme.com/display/ENG/Other+page+%26+co")
        );
    }
}
