//! Page-tree exports read back as a reader navigates them: an outline entry per page and per
//! heading in tree order, internal links that land on the page they name, and a bundle that loads
//! from memory as a service would hand it in.

mod common;
mod pdf;

use std::collections::{BTreeMap, BTreeSet};

use folio::ir::{Block, Inline, LinkTarget, Part, walk_blocks_mut, walk_inlines_mut};
use folio::{Compiler, EngineOptions, ExportOptions, Options};

fn bundle_files(dir: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Heading texts of a part, in order (the part's own title first).
fn part_headings(part: &Part) -> Vec<String> {
    let mut blocks = part.blocks.clone();
    let mut out = vec![part.title.clone()];
    walk_blocks_mut(&mut blocks, &mut |list: &mut Vec<Block>| {
        for block in list.iter() {
            if let Block::Heading { content, .. } = block {
                let text = folio::ir::plain_text(content);
                if !text.trim().is_empty() {
                    out.push(text);
                }
            }
        }
    });
    out
}

/// Ids of the pages a part links to inside the export, and whether each link is to the page's
/// start (`None`) or to an anchor on it.
fn part_link_targets(part: &Part, ids: &BTreeSet<String>) -> Vec<String> {
    let mut blocks = part.blocks.clone();
    let mut out = Vec::new();
    walk_inlines_mut(&mut blocks, &mut |list: &mut Vec<Inline>| {
        for inline in list.iter() {
            if let Inline::Link {
                target: LinkTarget::Anchor { page: None, anchor },
                ..
            } = inline
            {
                let page = ids
                    .iter()
                    .find(|id| {
                        *anchor == Part::anchor(id) || anchor.starts_with(&format!("p{id}-"))
                    })
                    .cloned();
                out.push(page.unwrap_or_default());
            }
        }
    });
    out
}

/// No page of an export has a macro left unknown or unresolved, or an attachment missing.
fn assert_every_macro_and_attachment_resolves(pages: &[folio::PageDiagnostics]) {
    for page in pages {
        let codes: Vec<_> = page.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert!(
            !codes.iter().any(|c| matches!(
                *c,
                "unknown-macro" | "unresolved-macro" | "missing-attachment"
            )),
            "page {}: {codes:?}",
            page.page_id
        );
    }
}

#[test]
fn the_handbook_bundle_exports_as_one_navigable_pdf() {
    let dir = common::root().join("corpus/bundle-handbook");
    let files = bundle_files(&dir);
    let options = Options::default();
    let bundle = folio::load_bundle(&files, &options).unwrap();
    assert!(bundle.diagnostics.is_empty(), "{:?}", bundle.diagnostics);
    assert!(bundle.site.pages.len() >= 30);

    let export = ExportOptions::default();
    let (document, _, page_diagnostics) =
        folio::compile_bundle(&bundle, &export, &options, &mut |_| {}).unwrap();
    let parts: Vec<&Part> = document
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Part(p) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(parts.len(), bundle.site.pages.len());
    assert!(parts.iter().any(|p| p.level >= 4), "at least 4 levels deep");
    assert_every_macro_and_attachment_resolves(&page_diagnostics);

    let compiler = Compiler::new(&EngineOptions::default());
    let pdf = compiler
        .export(&bundle, &export, &options, &mut |_| {})
        .unwrap();
    let navigation = pdf::read_navigation(&pdf.bytes);
    let bookmarks = &navigation.bookmarks;

    // An outline entry per page and per heading, in tree order.
    let squash = |s: &str| pdf::squash(s);
    let mut at = 0;
    let mut part_pages = BTreeMap::new();
    for part in &parts {
        for (k, heading) in part_headings(part).iter().enumerate() {
            let found = bookmarks[at..]
                .iter()
                .position(|b| squash(&b.title) == squash(heading))
                .unwrap_or_else(|| {
                    panic!(
                        "no bookmark {heading:?} after entry {at} (page {})",
                        part.id
                    )
                });
            at += found;
            if k == 0 {
                // A page starts on a PDF page of its own, at its title.
                part_pages.insert(
                    part.id.clone(),
                    bookmarks[at].page.expect("bookmark has a page"),
                );
            }
            at += 1;
        }
    }
    // Page titles nest by tree depth.
    let depth_of = |title: &str| bookmarks.iter().find(|b| b.title == title).map(|b| b.depth);
    assert!(depth_of("Payments runbook") > depth_of("Payments service"));
    assert!(depth_of("Payments service") > depth_of("Service catalogue"));

    // Every link between exported pages is internal and lands on its target page.
    let ids: BTreeSet<String> = parts.iter().map(|p| p.id.clone()).collect();
    let starts: Vec<(usize, &str)> = {
        let mut v: Vec<_> = part_pages.iter().map(|(id, p)| (*p, id.as_str())).collect();
        v.sort();
        v
    };
    let owner = |page: usize| {
        starts
            .iter()
            .rev()
            .find(|(p, _)| *p <= page)
            .map(|(_, id)| *id)
    };
    let range = |id: &str| {
        let start = part_pages[id];
        let end = starts
            .iter()
            .find(|(p, _)| *p > start)
            .map_or(usize::MAX, |(p, _)| *p);
        start..end.max(start + 1)
    };
    let mut checked = 0;
    for link in &navigation.links {
        let Some(from) = owner(link.from) else {
            continue;
        };
        let part = parts.iter().find(|p| p.id == from).unwrap();
        let targets = part_link_targets(part, &ids);
        let to = link.to.expect("internal link has a destination page");
        // Besides links to other pages, a page's own `toc` links to its own headings.
        assert!(
            range(from).contains(&to)
                || targets
                    .iter()
                    .any(|t| !t.is_empty() && range(t).contains(&to)),
            "a link on page {from} lands on PDF page {to}, which is none of its targets {targets:?}"
        );
        checked += 1;
    }
    let expected: usize = parts.iter().map(|p| part_link_targets(p, &ids).len()).sum();
    assert!(
        expected >= 40,
        "the bundle has many cross-page links ({expected})"
    );
    assert!(
        checked >= expected,
        "{checked} internal links in the PDF, {expected} in the pages"
    );
    assert!(
        !navigation.links.is_empty()
            && pdf::read_pdf(&pdf.bytes)
                .uris
                .iter()
                .all(|u| !u.contains("/pages/viewpage.action")),
        "links to exported pages must not go to the site"
    );
    // Includes resolved: the shared support hours appear on the pages that include them.
    let text = squash(&navigation.page_texts.join(" "));
    assert!(
        text.matches("Tier-1 services are supported around the clock")
            .count()
            >= 9
    );
}

/// A Confluence Server space export, unzipped: the current version of each page in the space's
/// tree (home first), blog posts after, attachments by the names pages use, users by name.
#[test]
fn a_server_space_export_exports_its_current_pages_as_a_tree() {
    let files = bundle_files(&common::root().join("fixtures/space-export"));
    let options = Options::default();
    let bundle = folio::load_bundle(&files, &options).unwrap();
    let codes: Vec<&str> = bundle.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["bundle-wiki-markup"], "{:?}", bundle.diagnostics);
    assert_eq!(bundle.title.as_deref(), Some("Operations & Reliability"));
    let runbook = bundle.site.page_by_id("2002").unwrap();
    assert_eq!(runbook.labels, ["runbook"]);

    let export = ExportOptions::default();
    let (_, _, pages) = folio::compile_bundle(&bundle, &export, &options, &mut |_| {}).unwrap();
    assert_every_macro_and_attachment_resolves(&pages);

    let compiler = Compiler::new(&EngineOptions::default());
    let pdf = compiler
        .export(&bundle, &export, &options, &mut |_| {})
        .unwrap();
    let navigation = pdf::read_navigation(&pdf.bytes);
    let titles: Vec<&str> = navigation
        .bookmarks
        .iter()
        .filter(|b| b.depth <= 1)
        .map(|b| b.title.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Operations home",
            "Welcome",
            "On-call rota",
            "Runbook: database failover",
            "Legacy notes",
            "Quarterly reliability review"
        ],
        "{:?}",
        navigation.bookmarks
    );
    let text = pdf::squash(&navigation.page_texts.join(" "));
    for shown in [
        // The code block's `>` was split across two CDATA sections in entities.xml.
        "WHERE lag_ms > 500",
        "@sam.okafor",
        "@priya.raman",
        "Fail over only after paging the database owner",
        "h1. Legacy notes",
        "Availability last quarter",
    ] {
        assert!(text.contains(shown), "{shown:?} not in {text}");
    }
    for hidden in ["OLD HOME TEXT", "Draft ideas", "Retired checklist"] {
        assert!(!text.contains(hidden), "{hidden:?} is in the PDF");
    }
    // The link to the runbook by title lands in the export.
    assert!(!navigation.links.is_empty());
    // Both images, the current version of failover.png among them (green, not the first
    // version's red).
    let document = lopdf::Document::load_mem(&pdf.bytes).unwrap();
    let colours: Vec<Vec<u8>> = document
        .objects
        .values()
        .filter_map(|object| {
            let stream = object.as_stream().ok()?;
            let subtype = stream.dict.get(b"Subtype").ok()?.as_name().ok()?;
            (subtype == b"Image").then(|| stream.decompressed_content().ok())?
        })
        .collect();
    assert_eq!(colours.len(), 2, "two images");
    assert!(
        colours
            .iter()
            .any(|samples| samples.starts_with(&[30, 160, 60])),
        "the current failover.png"
    );
    assert!(
        !colours
            .iter()
            .any(|samples| samples.starts_with(&[200, 30, 30]))
    );
}

#[test]
fn root_and_depth_select_a_subtree() {
    let dir = common::root().join("corpus/bundle-handbook");
    let files = bundle_files(&dir);
    let options = Options::default();
    let bundle = folio::load_bundle(&files, &options).unwrap();
    let export = ExportOptions {
        root: Some("120".into()),
        depth: Some(2),
        ..ExportOptions::default()
    };
    let (document, _, _) = folio::compile_bundle(&bundle, &export, &options, &mut |_| {}).unwrap();
    let titles: Vec<String> = document
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Part(p) => Some(p.title.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(titles[0], "Service catalogue");
    assert_eq!(titles.len(), 9, "{titles:?}");
    assert!(titles.iter().all(|t| !t.ends_with("runbook")));
    let too_many = ExportOptions {
        max_pages: Some(3),
        ..ExportOptions::default()
    };
    assert!(matches!(
        folio::compile_bundle(&bundle, &too_many, &options, &mut |_| {}),
        Err(folio::CompileError::TooManyPages {
            pages: 34,
            limit: 3
        })
    ));
}

/// YAML as the shared corpus keeps REST answers (`!!int "5"` and friends) → the JSON they render.
fn yaml_to_json(value: serde_yaml::Value) -> serde_json::Value {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => serde_json::Value::Null,
        Y::Bool(b) => b.into(),
        Y::Number(n) => serde_json::to_value(n).unwrap_or_default(),
        Y::String(s) => s.into(),
        Y::Sequence(items) => items.into_iter().map(yaml_to_json).collect(),
        Y::Mapping(map) => map
            .into_iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), yaml_to_json(v))))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let inner = yaml_to_json(tagged.value);
            match (tag.trim_start_matches('!'), inner.as_str()) {
                ("int", Some(s)) => s.parse::<i64>().map_or(inner.clone(), Into::into),
                ("bool", Some(s)) => (s == "true").into(),
                ("null", _) => serde_json::Value::Null,
                _ => inner,
            }
        }
    }
}

/// The querypie testcases of the shared corpus (real Cloud pages with their REST answers) become
/// a REST-shaped bundle that exports as one PDF. Skipped when `../shared` is absent.
#[test]
fn querypie_testcases_export_as_a_rest_bundle() {
    let cases = common::root().join("../shared/corpus/querypie/testcases");
    let Ok(entries) = std::fs::read_dir(&cases) else {
        eprintln!("skipped: {} not present", cases.display());
        return;
    };
    let mut files = BTreeMap::new();
    let mut titles = Vec::new();
    for entry in entries.flatten() {
        let dir = entry.path();
        let Ok(yaml) = std::fs::read_to_string(dir.join("page.v1.yaml")) else {
            continue;
        };
        let mut page = yaml_to_json(serde_yaml::from_str(&yaml).unwrap());
        let storage = std::fs::read_to_string(dir.join("page.xhtml")).unwrap();
        page["body"] =
            serde_json::json!({ "storage": { "value": storage, "representation": "storage" } });
        let id = page["id"].as_str().unwrap().to_owned();
        titles.push(page["title"].as_str().unwrap().to_owned());
        files.insert(
            format!("{id}/page.json"),
            serde_json::to_vec(&page).unwrap(),
        );
        for file in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            if !name.starts_with("page.") && !name.ends_with(".yaml") {
                files.insert(format!("{id}/{name}"), std::fs::read(file.path()).unwrap());
            }
        }
    }
    assert!(titles.len() >= 5, "{titles:?}");
    let options = Options::default();
    let bundle = folio::load_bundle(&files, &options).unwrap();
    assert!(bundle.diagnostics.is_empty(), "{:?}", bundle.diagnostics);
    assert_eq!(
        bundle.site.base_url.as_deref(),
        Some("https://querypie.atlassian.net/wiki")
    );
    let compiler = Compiler::new(&EngineOptions::default());
    let pdf = compiler
        .export(&bundle, &ExportOptions::default(), &options, &mut |_| {})
        .unwrap();
    let navigation = pdf::read_navigation(&pdf.bytes);
    for title in &titles {
        assert!(
            navigation
                .bookmarks
                .iter()
                .any(|b| pdf::squash(&b.title) == pdf::squash(title)),
            "no bookmark for page {title:?}"
        );
    }
    let missing: Vec<_> = pdf
        .page_diagnostics
        .iter()
        .flat_map(|p| &p.diagnostics)
        .filter(|d| d.code == "missing-attachment")
        .collect();
    assert!(missing.is_empty(), "{missing:?}");
}
