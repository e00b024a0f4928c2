//! A Confluence Server or Data Center space export as a bundle: its folder (`entities.xml` and
//! `attachments/`, as the export's zip unpacks) is read as the pages of a manifest would be.
//!
//! The pages and their bodies come from `entities.xml` (`folio_storage::read_space_export`);
//! each page's attachments are the export's files under the names pages give them. The space's
//! home page comes first among the top-level pages, as in Confluence's page tree.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use folio_ir::{Diagnostic, LineIndex};
use folio_storage::{ExportedPage, SpaceExport};

use crate::CompileError;
use crate::bundle::BundleFiles;
use crate::site::{Manifest, PageEntry};

/// The file that makes a bundle folder a space export.
pub(crate) const ENTITIES_FILE: &str = "entities.xml";

/// A space export read as a bundle: the manifest of its pages, and what the manifest's files
/// would hold.
pub(crate) struct SpaceBundle {
    pub manifest: Manifest,
    /// Each page's storage body, by page id.
    pub bodies: BTreeMap<String, String>,
    /// Each page's attachments: file name to path in the bundle, by page id.
    pub attachments: BTreeMap<String, Arc<BTreeMap<String, String>>>,
    /// Pages in wiki markup.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the space export `entities` (the text of `entities.xml`) of the bundle `files`.
pub(crate) fn read_space_bundle(
    entities: &str,
    files: &dyn BundleFiles,
) -> Result<SpaceBundle, CompileError> {
    let entities = entities.strip_prefix('\u{feff}').unwrap_or(entities);
    let export = folio_storage::read_space_export(entities).map_err(|error| {
        let (line, column) =
            LineIndex::new(entities).line_col(entities, error.span.start.min(entities.len()));
        // The position in the message too: the CLI prints a bundle's errors as messages.
        CompileError::Json {
            message: format!("{ENTITIES_FILE}:{line}:{column}: {error}"),
            line,
            column,
        }
    })?;
    let SpaceExport {
        space_key,
        space_name,
        home_page,
        pages,
        users,
    } = export;
    let mut diagnostics = Vec::new();
    let mut bodies = BTreeMap::new();
    let mut attachments = BTreeMap::new();
    let mut entries = Vec::with_capacity(pages.len());
    let mut listed: Option<BTreeSet<String>> = None;
    for page in pages {
        let ExportedPage {
            id,
            title,
            blog_post,
            space_key: page_space,
            parent,
            position,
            created,
            modified,
            creator,
            body,
            wiki_markup,
            labels,
            attachments: files_of_page,
        } = page;
        let body = if wiki_markup && !body.trim().is_empty() {
            diagnostics.push(
                Diagnostic::warning(
                    "bundle-wiki-markup",
                    format!(
                        "page {id} is in wiki markup (Confluence before 4.0): shown as plain text"
                    ),
                )
                .with_hint("open and save the page in Confluence 4 or later to convert it"),
            );
            as_plain_text(&body)
        } else {
            body
        };
        bodies.insert(id.clone(), body);
        let mut names = BTreeMap::new();
        for attachment in files_of_page {
            let mut path = attachment.path(&id);
            if files.size(&path).is_none() {
                let listed = listed.get_or_insert_with(|| files.list().into_iter().collect());
                // Not there (an export made without attachments): a page that shows it says so
                // (`missing-attachment`), as for any bundle.
                match latest_version(listed, &format!("attachments/{id}/{}/", attachment.id)) {
                    Some(found) => path = found,
                    None => continue,
                }
            }
            names.insert(attachment.filename, path);
        }
        attachments.insert(id.clone(), Arc::new(names));
        let is_home = home_page.as_deref() == Some(id.as_str()) && parent.is_none();
        entries.push(PageEntry {
            title,
            kind: blog_post.then(|| "blogpost".to_owned()),
            space_key: page_space,
            parent,
            position: if is_home { Some(i64::MIN) } else { position },
            date: created,
            modified,
            author: creator.and_then(|key| users.get(&key).cloned()),
            labels,
            file: None,
            attachments: None,
            id,
        });
    }
    // The cover's title is the space's name, as in Confluence's own PDF export of a space (not
    // repeated beneath it as the space).
    let manifest = Manifest {
        title: space_name,
        space_key,
        users,
        pages: entries,
        ..Manifest::default()
    };
    Ok(SpaceBundle {
        manifest,
        bodies,
        attachments,
        diagnostics,
    })
}

/// The file of the highest version under `folder` (`attachments/<page>/<attachment>/`), where
/// the export names a version's file by its number.
fn latest_version(listed: &BTreeSet<String>, folder: &str) -> Option<String> {
    listed
        .range(folder.to_owned()..)
        .take_while(|path| path.starts_with(folder))
        .filter(|path| !path[folder.len()..].contains('/'))
        .max_by_key(|path| path[folder.len()..].parse::<u64>().unwrap_or(0))
        .cloned()
}

/// Wiki markup as a storage body that shows it as it is: a `noformat` block.
fn as_plain_text(markup: &str) -> String {
    format!(
        "<ac:structured-macro ac:name=\"noformat\"><ac:plain-text-body><![CDATA[{}]]></ac:plain-text-body></ac:structured-macro>",
        markup.replace("]]>", "]]]]><![CDATA[>")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_version_of_an_attachment_is_its_highest_number() {
        let listed: BTreeSet<String> = [
            "attachments/1/7/1",
            "attachments/1/7/10",
            "attachments/1/7/2",
            "attachments/1/70/5",
            "attachments/1/7/old/3",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        assert_eq!(
            latest_version(&listed, "attachments/1/7/").as_deref(),
            Some("attachments/1/7/10")
        );
        assert_eq!(latest_version(&listed, "attachments/1/8/"), None);
    }

    #[test]
    fn wiki_markup_is_kept_whole_in_a_noformat_block() {
        let body = as_plain_text("h1. Title\n{code}x ]]> y{code}");
        let read = folio_storage::read_storage(&body, &Default::default()).unwrap();
        let text = format!("{:?}", read.document);
        assert!(text.contains("h1. Title"), "{text}");
        assert!(text.contains("x ]]> y"), "{text}");
    }
}
