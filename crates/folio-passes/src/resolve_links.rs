//! Link resolution: links to pages, blog posts, attachments and spaces become URLs on the site,
//! and mentions get display names, from the [`Site`](folio_ir::Site) the caller supplied.
//!
//! A link folio cannot resolve keeps its target and text; the writer prints it as link-styled
//! text. A link without a body of its own gets the target's name as its text first, so
//! resolving it to a URL never changes what the reader sees.

use folio_ir::{Document, Inline, LinkTarget, Site, url_component, walk_inlines_mut};

use crate::PassContext;

/// Resolves every link and mention in the document against `cx.site`.
pub fn resolve_links(document: &mut Document, cx: &mut PassContext<'_>) {
    let site = cx.site;
    walk_inlines_mut(&mut document.blocks, &mut |inlines: &mut Vec<Inline>| {
        for inline in inlines.iter_mut() {
            match inline {
                Inline::Link { target, content } => {
                    if let Some(url) = site_url(site, target) {
                        if content.is_empty() {
                            content.push(Inline::text(target.display_name()));
                        }
                        *target = LinkTarget::Url { url };
                    }
                }
                Inline::Mention { user, name } if name.is_none() => {
                    *name = site.user_name(user.id()).map(str::to_owned);
                }
                _ => {}
            }
        }
    });
}

/// The URL of a Confluence target on the site, when the site data says where it is.
fn site_url(site: &Site, target: &LinkTarget) -> Option<String> {
    let base = site.base_url.as_deref()?;
    match target {
        LinkTarget::Page { page } | LinkTarget::BlogPost { page, .. } => {
            site.title_url(&page.title, page.space.as_deref())
        }
        LinkTarget::Anchor {
            page: Some(page),
            anchor,
        } => {
            let url = site.title_url(&page.title, page.space.as_deref())?;
            Some(format!("{url}#{}", url_component(anchor)))
        }
        LinkTarget::ContentId { id } => Some(format!(
            "{base}/pages/viewpage.action?pageId={}",
            url_component(id)
        )),
        LinkTarget::Attachment { filename, page } => {
            let page_id = match page {
                Some(page) => site
                    .page_by_title(&page.title, page.space.as_deref())?
                    .id
                    .clone(),
                None => site.current_page.clone()?,
            };
            Some(format!(
                "{base}/download/attachments/{}/{}",
                url_component(&page_id),
                url_component(filename).replace('+', "%20")
            ))
        }
        LinkTarget::Space { key } => Some(format!("{base}/display/{}", url_component(key))),
        LinkTarget::Url { .. }
        | LinkTarget::Anchor { page: None, .. }
        | LinkTarget::User { .. }
        | LinkTarget::Shortcut { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PassOptions;
    use folio_ir::{Attr, Block, NoAttachments, PageRef, SitePage, Span, UserRef};

    fn run(inlines: Vec<Inline>, site: &Site) -> Vec<Inline> {
        let mut document = Document {
            title: None,
            blocks: vec![Block::Paragraph {
                attr: Attr::default(),
                content: inlines,
                span: Span::DETACHED,
            }],
        };
        let options = PassOptions::default();
        let mut cx = PassContext::new(&NoAttachments, &options).with_site(site);
        resolve_links(&mut document, &mut cx);
        match document.blocks.remove(0) {
            Block::Paragraph { content, .. } => content,
            _ => unreachable!(),
        }
    }

    #[test]
    fn page_links_become_site_urls_and_keep_their_text() {
        let site = Site {
            base_url: Some("https://wiki.example.com".into()),
            space_key: Some("OPS".into()),
            current_page: Some("7".into()),
            pages: vec![SitePage {
                id: "12".into(),
                title: "Runbook".into(),
                ..SitePage::default()
            }],
            users: [("u1".to_owned(), "Ada Lovelace".to_owned())].into(),
            ..Site::default()
        };
        let page = |title: &str| LinkTarget::Page {
            page: PageRef {
                title: title.into(),
                space: None,
            },
        };
        let out = run(
            vec![
                Inline::Link {
                    target: page("Runbook"),
                    content: vec![],
                },
                Inline::Link {
                    target: LinkTarget::Attachment {
                        filename: "a b.pdf".into(),
                        page: None,
                    },
                    content: vec![Inline::text("file")],
                },
                Inline::Mention {
                    user: UserRef::AccountId("u1".into()),
                    name: None,
                },
            ],
            &site,
        );
        assert_eq!(
            out[0],
            Inline::Link {
                target: LinkTarget::Url {
                    url: "https://wiki.example.com/pages/viewpage.action?pageId=12".into()
                },
                content: vec![Inline::text("Runbook")],
            }
        );
        assert!(
            matches!(&out[1], Inline::Link { target: LinkTarget::Url { url }, .. }
            if url == "https://wiki.example.com/download/attachments/7/a%20b.pdf")
        );
        assert!(matches!(&out[2], Inline::Mention { name: Some(n), .. } if n == "Ada Lovelace"));
    }

    #[test]
    fn without_a_site_links_are_left_alone() {
        let link = Inline::Link {
            target: LinkTarget::Page {
                page: PageRef {
                    title: "Elsewhere".into(),
                    space: None,
                },
            },
            content: vec![],
        };
        assert_eq!(run(vec![link.clone()], &Site::default()), vec![link]);
    }
}
