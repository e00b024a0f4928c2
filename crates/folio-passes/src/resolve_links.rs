//! Link resolution: links to pages, blog posts, attachments and spaces become URLs on the site,
//! and mentions get display names, from the [`Site`](folio_ir::Site) the caller supplied.
//!
//! A link folio cannot resolve keeps its target and text; the writer prints it as link-styled
//! text. A link without a body of its own gets the target's name as its text first, so
//! resolving it to a URL never changes what the reader sees.

use folio_ir::{
    Block, Document, Inline, LinkTarget, Part, Site, url_component, walk_blocks_mut,
    walk_inlines_mut,
};

use crate::PassContext;

/// Resolves every link and mention in the document against `cx.site`.
pub fn resolve_links(document: &mut Document, cx: &mut PassContext<'_>) {
    let site = cx.site;
    // In a multi-page export every page's anchors share one PDF: they are scoped by page id.
    let scope = cx
        .current_page()
        .filter(|id| site.exported.contains(*id))
        .map(str::to_owned);
    if let Some(page) = &scope {
        scope_anchor_targets(&mut document.blocks, page);
    }
    let current = cx.current_page().map(str::to_owned);
    let current = current.as_deref();
    walk_inlines_mut(&mut document.blocks, &mut |inlines: &mut Vec<Inline>| {
        for inline in inlines.iter_mut() {
            match inline {
                Inline::Link { target, content } => {
                    let resolved = match target {
                        LinkTarget::Anchor { page: None, anchor } => {
                            scope.as_deref().map(|page| LinkTarget::Anchor {
                                page: None,
                                anchor: Part::scoped_anchor(page, anchor),
                            })
                        }
                        _ => internal_target(site, target).or_else(|| {
                            site_url(site, current, target).map(|url| LinkTarget::Url { url })
                        }),
                    };
                    if let Some(resolved) = resolved {
                        if content.is_empty() {
                            content.push(Inline::text(target.display_name()));
                        }
                        *target = resolved;
                    }
                }
                Inline::Anchor { id } => {
                    if let Some(page) = &scope {
                        *id = Part::scoped_anchor(page, id);
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

fn scope_anchor_targets(blocks: &mut Vec<Block>, page: &str) {
    walk_blocks_mut(blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter_mut() {
            if let Block::Heading { attr, .. }
            | Block::Paragraph { attr, .. }
            | Block::Div { attr, .. } = block
                && let Some(id) = &mut attr.id
            {
                *id = Part::scoped_anchor(page, id);
            }
        }
    });
}

/// A link to a page (or an anchor on a page) that is part of this export: a link inside the PDF.
fn internal_target(site: &Site, target: &LinkTarget) -> Option<LinkTarget> {
    if site.exported.is_empty() {
        return None;
    }
    let exported = |id: &str| site.exported.contains(id).then(|| id.to_owned());
    let by_title = |page: &folio_ir::PageRef| {
        site.page_by_title(&page.title, page.space.as_deref())
            .and_then(|p| exported(&p.id))
    };
    let anchor = match target {
        LinkTarget::Page { page } | LinkTarget::BlogPost { page, .. } => {
            Part::anchor(&by_title(page)?)
        }
        LinkTarget::ContentId { id } => Part::anchor(&exported(id)?),
        LinkTarget::Anchor {
            page: Some(page),
            anchor,
        } => Part::scoped_anchor(&by_title(page)?, anchor),
        _ => return None,
    };
    Some(LinkTarget::Anchor { page: None, anchor })
}

/// The URL of a Confluence target on the site, when the site data says where it is.
fn site_url(site: &Site, current_page: Option<&str>, target: &LinkTarget) -> Option<String> {
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
                None => current_page?.to_owned(),
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
