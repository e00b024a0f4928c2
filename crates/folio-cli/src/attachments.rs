//! Attachments from a folder, by file name.

use std::path::{Path, PathBuf};

use folio::{AttachmentInfo, AttachmentSource};

/// A page's attachments folder. Only plain file names resolve: a name with a path separator or
/// `..` could read outside the folder, so it is treated as missing.
pub struct AttachmentDir {
    dir: PathBuf,
    /// Files in the folder that are not attachments: the page itself when it shares the folder.
    excluded: Vec<PathBuf>,
}

/// Files a page folder holds beside its attachments (Confluence's HTML rendering, REST answers
/// kept as YAML or JSON); never listed as attachments.
const PAGE_FOLDER_FILES: &[&str] = &["page.html", "page.xhtml", "site.json", "folio.json"];

impl AttachmentDir {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            excluded: Vec::new(),
        }
    }

    /// The same folder, never listing `page` (the page's own source) as an attachment.
    pub fn excluding(mut self, page: &Path) -> Self {
        if let Some(name) = page.file_name() {
            self.excluded.push(PathBuf::from(name));
        }
        self
    }

    fn is_listed(&self, name: &str) -> bool {
        let metadata = PAGE_FOLDER_FILES.contains(&name)
            || name.ends_with(".yaml")
            || name.ends_with(".yml")
            || name.starts_with('.');
        !metadata && !self.excluded.iter().any(|e| e.as_os_str() == name)
    }

    fn path_of(&self, filename: &str) -> Option<PathBuf> {
        folio::ir::is_plain_file_name(filename).then(|| self.dir.join(Path::new(filename)))
    }
}

impl AttachmentSource for AttachmentDir {
    fn load(&self, filename: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path_of(filename)?).ok()
    }

    fn list(&self) -> Vec<AttachmentInfo> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let metadata = entry.metadata().ok()?;
                let filename = entry.file_name().into_string().ok()?;
                let listed = metadata.is_file() && self.is_listed(&filename);
                listed.then_some(AttachmentInfo {
                    filename,
                    size: metadata.len(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_leave_the_folder_do_not_resolve() {
        let dir = AttachmentDir::new("/some/dir");
        assert!(dir.path_of("../../etc/passwd").is_none());
        assert!(dir.path_of("/etc/passwd").is_none());
        assert!(dir.path_of("..").is_none());
        assert_eq!(
            dir.path_of("a b.png"),
            Some(PathBuf::from("/some/dir/a b.png"))
        );
    }
}
