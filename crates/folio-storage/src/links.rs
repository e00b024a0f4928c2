//! Links and resource identifiers: `a href`, `ac:link` with its `ri:*` target and body, mentions,
//! and bare `ri:*` elements in text.

use folio_ir::{Inline, LinkTarget, PageRef, UserRef};

use crate::blocks::{Cx, Flow, plain_text, read_flow};
use crate::dom::Element;
use crate::inline::{Wrapper, read_inline_only, wrap};

/// `<a href>` (a link), `<a name|id>` (an anchor), or both.
pub(crate) fn read_html_link(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    if let Some(id) = el.attr_nonblank("id").or(el.attr_nonblank("name")) {
        out.push(Flow::Inline(Inline::Anchor { id: id.to_owned() }, el.span));
    }
    match el.attr("href") {
        Some(href) => wrap(cx, el, &[Wrapper::Link(url_target(href.trim()))], out),
        None => read_flow(cx, &el.children, out),
    }
}

/// `#name` is an anchor on this page; anything else is a URL.
fn url_target(href: &str) -> LinkTarget {
    match href.strip_prefix('#') {
        Some(anchor) if !anchor.is_empty() => LinkTarget::Anchor {
            page: None,
            anchor: anchor.to_owned(),
        },
        _ => LinkTarget::Url {
            url: href.to_owned(),
        },
    }
}

/// `ac:link`: a link to what its `ri:*` child names (or to `ac:anchor`), or a mention.
pub(crate) fn read_ac_link(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    let anchor = el.attr_nonblank("ac:anchor");
    let resource = el.elements().find(|c| c.name.starts_with("ri:"));
    let content = match el
        .elements()
        .find(|c| c.name == "ac:link-body" || c.name == "ac:plain-text-link-body")
    {
        Some(body) if body.name == "ac:link-body" => read_inline_only(cx, &body.children),
        Some(body) => {
            let text = plain_text(body);
            if text.is_empty() {
                vec![]
            } else {
                vec![Inline::text(text)]
            }
        }
        None => vec![],
    };
    if let Some(user) = resource.filter(|r| r.name == "ri:user").and_then(user_ref) {
        let name = folio_ir::plain_text(&content).trim().to_owned();
        let name = (!name.is_empty()).then_some(name);
        out.push(Flow::Inline(Inline::Mention { user, name }, el.span));
        return;
    }
    let target = match resource {
        Some(resource) => resource_target(resource, anchor).map(|(target, _)| target),
        None => anchor.map(|anchor| LinkTarget::Anchor {
            page: None,
            anchor: anchor.to_owned(),
        }),
    };
    match target {
        Some(target) => out.push(Flow::Inline(Inline::Link { target, content }, el.span)),
        None => {
            if let Some(resource) = resource {
                cx.unsupported(&resource.name, resource.span);
            }
            // A link to nowhere: its text is kept, unlinked.
            out.extend(
                content
                    .into_iter()
                    .map(|inline| Flow::Inline(inline, el.span)),
            );
        }
    }
}

/// What a resource identifier (`ri:page`, `ri:attachment`, …) points at, and its display name
/// (page title, file name, space key, user id, URL). `None` for unknown identifiers.
pub(crate) fn resource_target(el: &Element, anchor: Option<&str>) -> Option<(LinkTarget, String)> {
    let attr = |name: &str| el.attr(name).map(str::trim).unwrap_or("").to_owned();
    Some(match el.name.as_str() {
        "ri:page" => {
            let page = page_ref(el);
            let title = page.title.clone();
            let target = match anchor {
                Some(anchor) => LinkTarget::Anchor {
                    page: Some(page),
                    anchor: anchor.to_owned(),
                },
                None => LinkTarget::Page { page },
            };
            (target, title)
        }
        "ri:blog-post" => {
            let page = page_ref(el);
            let title = page.title.clone();
            let posting_day = el.attr_nonblank("ri:posting-day").map(str::to_owned);
            (LinkTarget::BlogPost { page, posting_day }, title)
        }
        "ri:attachment" => {
            // Names are identifiers: kept as written, spaces included.
            let filename = el.attr("ri:filename").unwrap_or("").to_owned();
            let page = el
                .elements()
                .find(|c| c.name == "ri:page" || c.name == "ri:blog-post")
                .map(page_ref);
            (
                LinkTarget::Attachment {
                    filename: filename.clone(),
                    page,
                },
                filename,
            )
        }
        "ri:url" => {
            let url = attr("ri:value");
            (LinkTarget::Url { url: url.clone() }, url)
        }
        "ri:space" => {
            let key = attr("ri:space-key");
            (LinkTarget::Space { key: key.clone() }, key)
        }
        "ri:user" => {
            let user = user_ref(el)?;
            let id = user.id().to_owned();
            (LinkTarget::User { user }, id)
        }
        "ri:content-entity" => {
            let id = attr("ri:content-id");
            (LinkTarget::ContentId { id: id.clone() }, id)
        }
        "ri:shortcut" => {
            let parameter = attr("ri:parameter");
            (
                LinkTarget::Shortcut {
                    key: attr("ri:key"),
                    parameter: parameter.clone(),
                },
                parameter,
            )
        }
        _ => return None,
    })
}

fn page_ref(el: &Element) -> PageRef {
    PageRef {
        title: el.attr("ri:content-title").unwrap_or("").trim().to_owned(),
        space: el.attr_nonblank("ri:space-key").map(str::to_owned),
    }
}

/// A user as `ri:user` names them: Cloud account id, Server user key, or legacy user name.
pub(crate) fn user_ref(el: &Element) -> Option<UserRef> {
    if let Some(id) = el.attr_nonblank("ri:account-id") {
        Some(UserRef::AccountId(id.to_owned()))
    } else if let Some(key) = el.attr_nonblank("ri:userkey") {
        Some(UserRef::UserKey(key.to_owned()))
    } else {
        el.attr_nonblank("ri:username")
            .map(|name| UserRef::Username(name.to_owned()))
    }
}

/// A resource identifier standing in text (as in templates): its display name, or a mention.
pub(crate) fn read_bare_resource(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    if el.name == "ri:user"
        && let Some(user) = user_ref(el)
    {
        out.push(Flow::Inline(Inline::Mention { user, name: None }, el.span));
        return;
    }
    match resource_target(el, None) {
        Some((_, name)) if !name.is_empty() => out.push(Flow::Inline(Inline::text(name), el.span)),
        Some(_) => {}
        None => {
            cx.unsupported(&el.name, el.span);
            read_flow(cx, &el.children, out);
        }
    }
}
