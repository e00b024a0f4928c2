//! Attachments from a folder, by file name.

use std::path::{Path, PathBuf};

use folio::AttachmentSource;

/// A page's attachments folder. Only plain file names resolve: a name with a path separator or
/// `..` could read outside the folder, so it is treated as missing.
pub struct AttachmentDir {
    dir: PathBuf,
}

impl AttachmentDir {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    fn path_of(&self, filename: &str) -> Option<PathBuf> {
        let plain = !filename.is_empty()
            && filename != "."
            && filename != ".."
            && !filename.contains(['/', '\\', '\0']);
        plain.then(|| self.dir.join(Path::new(filename)))
    }
}

impl AttachmentSource for AttachmentDir {
    fn load(&self, filename: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path_of(filename)?).ok()
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
