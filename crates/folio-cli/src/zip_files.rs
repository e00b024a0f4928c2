//! A bundle in a zip archive, as Confluence writes a space export: `folio export export.zip`.
//!
//! Entries are read one at a time as the export asks for them (the page bodies, then each
//! image a page shows), so an export of large attachments is never unpacked whole. A zip of
//! one folder is read as that folder's content, as the service reads uploads.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;

use folio::BundleFiles;

/// The most one entry may unpack to. Zip entries state their size, and an archive can lie:
/// reading stops here whatever it states. A space export's `entities.xml` is the largest file
/// of a bundle; one of a space several times the size of the largest public ones is far below.
const MAX_ENTRY_BYTES: u64 = 2 << 30;

/// Whether `path` is a zip archive (by its first bytes).
pub fn is_zip(path: &Path) -> bool {
    let mut magic = [0; 4];
    File::open(path)
        .and_then(|mut file| file.read_exact(&mut magic))
        .is_ok_and(|()| magic == *b"PK\x03\x04" || magic == *b"PK\x05\x06")
}

/// The files of a zip archive, by their path in the bundle.
pub struct ZipFiles {
    archive: Mutex<zip::ZipArchive<File>>,
    /// Index of each file's entry and its stated size, by bundle path.
    entries: BTreeMap<String, (usize, u64)>,
}

impl ZipFiles {
    pub fn open(path: &Path) -> Result<Self, String> {
        let file = File::open(path).map_err(|error| format!("cannot read: {error}"))?;
        let mut archive = zip::ZipArchive::new(file)
            .map_err(|error| format!("not a zip archive folio can read: {error}"))?;
        let mut entries = BTreeMap::new();
        for index in 0..archive.len() {
            let entry = archive
                .by_index_raw(index)
                .map_err(|error| format!("the zip archive is corrupt: {error}"))?;
            if entry.is_file() {
                entries.insert(entry.name().to_owned(), (index, entry.size()));
            }
        }
        Ok(Self {
            archive: Mutex::new(archive),
            entries: without_common_folder(entries),
        })
    }
}

/// `entries` with the folder they all share, if any, taken off their paths.
fn without_common_folder<T>(entries: BTreeMap<String, T>) -> BTreeMap<String, T> {
    let folder = |path: &str| path.split_once('/').map(|(folder, _)| folder.to_owned());
    let mut folders = entries.keys().map(|path| folder(path));
    let Some(Some(first)) = folders.next() else {
        return entries;
    };
    if !folders.all(|other| other.as_deref() == Some(first.as_str())) {
        return entries;
    }
    entries
        .into_iter()
        .map(|(path, value)| (path[first.len() + 1..].to_owned(), value))
        .collect()
}

impl BundleFiles for ZipFiles {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        let &(index, size) = self.entries.get(path)?;
        let mut archive = self
            .archive
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = archive.by_index(index).ok()?;
        // The stated size is a hint only: no more than 64 MiB reserved on its word.
        let mut bytes = Vec::with_capacity(size.min(64 << 20) as usize);
        entry
            .take(size.min(MAX_ENTRY_BYTES))
            .read_to_end(&mut bytes)
            .ok()?;
        Some(bytes)
    }

    fn size(&self, path: &str) -> Option<u64> {
        self.entries.get(path).map(|&(_, size)| size)
    }

    fn list(&self) -> Vec<String> {
        self.entries.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(files: &[(&str, &[u8])]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        let mut zip = zip::ZipWriter::new(file.as_file_mut());
        for (path, bytes) in files {
            zip.start_file(*path, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
        file
    }

    #[test]
    fn entries_are_read_by_path_and_a_shared_folder_is_taken_off() {
        let zip = zip_of(&[
            ("export/entities.xml", b"<hibernate-generic/>"),
            ("export/attachments/1/2/1", b"png"),
        ]);
        assert!(is_zip(zip.path()));
        let files = ZipFiles::open(zip.path()).unwrap();
        assert_eq!(files.list(), ["attachments/1/2/1", "entities.xml"]);
        assert_eq!(
            files.read("entities.xml").as_deref(),
            Some(&b"<hibernate-generic/>"[..])
        );
        assert_eq!(files.size("attachments/1/2/1"), Some(3));
        assert_eq!(files.read("export/entities.xml"), None);
    }

    #[test]
    fn files_at_the_top_keep_their_paths_and_other_files_are_not_zips() {
        let zip = zip_of(&[("entities.xml", b"x"), ("attachments/1/2/1", b"y")]);
        let files = ZipFiles::open(zip.path()).unwrap();
        assert_eq!(files.list(), ["attachments/1/2/1", "entities.xml"]);
        let text = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(text.path(), "not a zip").unwrap();
        assert!(!is_zip(text.path()));
        assert!(ZipFiles::open(text.path()).is_err());
    }
}
