//! `POST /v1/export`: an export bundle in, one PDF out.
//!
//! A bundle arrives as multipart `file` parts (each part's file name is its path in the
//! bundle), as a multipart `bundle` part holding a zip or tar, or as a whole zip or tar (gzip
//! or not) body. Archives are unpacked into memory, within a size and file-count budget, on the
//! compile thread: decompression is CPU work too.

use std::collections::BTreeMap;
use std::io::Read;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use folio::{Compiler, ExportOptions};

use crate::App;
use crate::config::Limits;
use crate::diagnostics;
use crate::error::ApiError;
use crate::render::{Outcome, Produced, answer};
use crate::request::{self, RequestOptions, Route};

/// Files by path, as `folio::load_bundle` reads them.
type Files = BTreeMap<String, Vec<u8>>;

const ZIP_TYPES: [&str; 3] = [
    "application/zip",
    "application/x-zip-compressed",
    "application/x-zip",
];
const TAR_TYPES: [&str; 6] = [
    "application/x-tar",
    "application/tar",
    "application/gzip",
    "application/x-gzip",
    "application/x-gtar",
    "application/tar+gzip",
];

/// What the compile thread gets: loose files, archives still packed, and the options.
struct ExportRequest {
    files: Files,
    archives: Vec<Bytes>,
    options: folio::Options,
    export: ExportOptions,
}

pub async fn handle(
    State(app): State<App>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let state = &app.state;
    state.auth.check_token(&headers)?;
    let media_type = request::media_type(&headers).unwrap_or_default();
    let multipart = media_type == "multipart/form-data";
    let archive = ZIP_TYPES.contains(&media_type.as_str())
        || TAR_TYPES.contains(&media_type.as_str())
        || media_type == "application/octet-stream";
    if !multipart && !archive {
        return Err(ApiError::unsupported_media_type(
            "send multipart/form-data, or a zip or tar archive (application/zip, \
             application/x-tar, application/gzip)",
        ));
    }
    let limits = &state.config.limits;
    let body = app.signed_body(&headers, body).await?;
    let request_bytes = body.len();
    let compiler = app.compiler()?;

    let mut options = RequestOptions::new(state.config.folio_options());
    let Query(query) =
        query.map_err(|_| ApiError::bad_request("the query string does not parse"))?;
    for (name, value) in &query {
        options.set(Route::Export, name, value)?;
    }
    let mut files = Files::new();
    let mut archives = Vec::new();
    if multipart {
        for part in request::multipart_parts(&headers, body).await? {
            match part.name.as_str() {
                "file" => {
                    let path = part
                        .file_name
                        .as_deref()
                        .ok_or_else(|| ApiError::bad_request("a `file` part has no file name"))?;
                    insert(&mut files, path, part.bytes.to_vec(), limits)?;
                }
                "bundle" => archives.push(part.bytes),
                name => options.set(Route::Export, name, &request::text(&part)?)?,
            }
        }
    } else {
        archives.push(body);
    }
    options.validate()?;
    let requested = options.export.max_pages.unwrap_or(limits.max_export_pages);
    let export = ExportOptions {
        root: options.export.root.take(),
        depth: options.export.depth,
        cover: options.export.cover,
        toc: options.export.toc,
        max_pages: Some(requested.min(limits.max_export_pages)),
    };
    let request = ExportRequest {
        files,
        archives,
        options: options.folio,
        export,
    };
    let limits = limits.clone();
    let produced = state
        .pool
        .run(limits.time_budget, move || {
            compile(&compiler, request, &limits)
        })
        .await??;
    let outcome = Outcome {
        pages: produced.pages,
        codes: diagnostics::codes(&produced.diagnostics),
        request_bytes,
    };
    state.metrics.rendered(produced.pages, &outcome.codes);
    Ok(answer(produced, request::wants_json(&headers), outcome))
}

/// Unpacking, bundle loading and the export, on a compile thread.
fn compile(
    compiler: &Compiler,
    request: ExportRequest,
    limits: &Limits,
) -> Result<Produced, ApiError> {
    let ExportRequest {
        mut files,
        archives,
        options,
        export,
    } = request;
    for archive in archives {
        let mut unpacked = Files::new();
        let used = files.values().map(Vec::len).sum();
        unpack(&archive, &mut unpacked, limits, used)?;
        for (path, bytes) in strip_common_folder(unpacked) {
            insert(&mut files, &path, bytes, limits)?;
        }
    }
    if files.is_empty() {
        return Err(ApiError::bad_request("the bundle has no files"));
    }
    let bundle = folio::load_bundle(&files, &options).map_err(|error| bundle_error(&error))?;
    let pdf = compiler
        .export(&bundle, &export, &options, &mut |_| {})
        .map_err(|error| bundle_error(&error))?;
    let mut diagnostics = diagnostics::to_json(&pdf.diagnostics, None);
    for page in &pdf.page_diagnostics {
        for mut diagnostic in diagnostics::to_json(&page.diagnostics, Some(&page.storage)) {
            diagnostic.file = page.source_path.clone();
            diagnostics.push(diagnostic);
        }
    }
    Ok(Produced {
        bytes: pdf.bytes,
        pages: pdf.pages,
        diagnostics,
    })
}

/// Errors of a whole bundle: positions refer to bundle files (the manifest), not one page.
fn bundle_error(error: &folio::CompileError) -> ApiError {
    diagnostics::compile_error(error, None, &[])
}

fn insert(
    files: &mut Files,
    raw_path: &str,
    bytes: Vec<u8>,
    limits: &Limits,
) -> Result<(), ApiError> {
    let path = clean_path(raw_path).ok_or_else(|| {
        ApiError::bad_request("a bundle path is absolute, empty or leaves the bundle")
    })?;
    if files.len() >= limits.max_bundle_files {
        return Err(ApiError::too_large(format!(
            "the bundle has more than {} files",
            limits.max_bundle_files
        )));
    }
    if files.insert(path, bytes).is_some() {
        return Err(ApiError::bad_request("two bundle files have the same path"));
    }
    Ok(())
}

/// A path inside the bundle with `/` separators, or `None` if it is absolute or climbs out.
fn clean_path(raw: &str) -> Option<String> {
    let raw = raw.replace('\\', "/");
    if raw.starts_with('/') || raw.contains('\0') {
        return None;
    }
    let mut parts = Vec::new();
    for component in raw.split('/') {
        match component {
            "" | "." => {}
            ".." => return None,
            component => parts.push(component),
        }
    }
    // `C:` would be a Windows drive.
    if parts.is_empty() || parts[0].ends_with(':') {
        return None;
    }
    Some(parts.join("/"))
}

/// An archive of a folder holds `folder/…`: the bundle is the folder's content. (Multipart
/// paths are taken as the client gives them.)
fn strip_common_folder(files: Files) -> Files {
    let mut tops = files
        .keys()
        .map(|path| path.split_once('/').map(|(top, _)| top));
    let Some(Some(first)) = tops.next() else {
        return files;
    };
    let first = first.to_owned();
    if !tops.all(|top| top == Some(first.as_str())) {
        return files;
    }
    let prefix = format!("{first}/");
    files
        .into_iter()
        .map(|(path, bytes)| (path[prefix.len()..].to_owned(), bytes))
        .collect()
}

/// Adds an archive's files to `files`, within what is left of the bundle budget after `used`.
fn unpack(archive: &[u8], files: &mut Files, limits: &Limits, used: usize) -> Result<(), ApiError> {
    let mut budget = Budget {
        left: limits.max_bundle_bytes.saturating_sub(used),
        limit: limits.max_bundle_bytes,
    };
    if archive.starts_with(b"PK\x03\x04") || archive.starts_with(b"PK\x05\x06") {
        unpack_zip(archive, files, limits, &mut budget)
    } else if archive.starts_with(&[0x1f, 0x8b]) {
        let decoder = flate2::read::GzDecoder::new(archive);
        unpack_tar(decoder, files, limits, &mut budget)
    } else if archive.len() > 262 && &archive[257..262] == b"ustar" {
        unpack_tar(archive, files, limits, &mut budget)
    } else {
        Err(ApiError::unsupported_media_type(
            "the upload is not a zip, tar or gzipped tar archive",
        ))
    }
}

struct Budget {
    left: usize,
    limit: usize,
}

impl Budget {
    /// Reads one file, never more than the budget allows (archives can lie about sizes).
    fn read(&mut self, reader: impl Read) -> Result<Vec<u8>, ApiError> {
        let mut bytes = Vec::new();
        reader
            .take(self.left as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| ApiError::bad_request("the archive is corrupt"))?;
        if bytes.len() > self.left {
            return Err(ApiError::too_large(format!(
                "the bundle unpacks to more than {} bytes",
                self.limit
            )));
        }
        self.left -= bytes.len();
        Ok(bytes)
    }
}

fn unpack_zip(
    archive: &[u8],
    files: &mut Files,
    limits: &Limits,
    budget: &mut Budget,
) -> Result<(), ApiError> {
    let corrupt =
        |_| ApiError::bad_request("the zip archive is corrupt or uses an unsupported compression");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).map_err(corrupt)?;
    for index in 0..zip.len() {
        let entry = zip.by_index(index).map_err(corrupt)?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().to_owned();
        let bytes = budget.read(entry)?;
        insert(files, &name, bytes, limits)?;
    }
    Ok(())
}

fn unpack_tar(
    archive: impl Read,
    files: &mut Files,
    limits: &Limits,
    budget: &mut Budget,
) -> Result<(), ApiError> {
    let corrupt = |_| ApiError::bad_request("the tar archive is corrupt");
    let mut tar = tar::Archive::new(archive);
    for entry in tar.entries().map_err(corrupt)? {
        let entry = entry.map_err(corrupt)?;
        // Links and devices name no content of their own; only regular files are bundle files.
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .map_err(corrupt)?
            .to_string_lossy()
            .into_owned();
        let bytes = budget.read(entry)?;
        insert(files, &name, bytes, limits)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_bundle() {
        assert_eq!(clean_path("a/./b.json").as_deref(), Some("a/b.json"));
        assert_eq!(clean_path("a\\b.png").as_deref(), Some("a/b.png"));
        assert_eq!(clean_path("../etc/passwd"), None);
        assert_eq!(clean_path("a/../../b"), None);
        assert_eq!(clean_path("/abs"), None);
        assert_eq!(clean_path("C:/x"), None);
        assert_eq!(clean_path(""), None);
    }

    #[test]
    fn a_single_top_folder_is_stripped() {
        let files: Files = [("export/folio.json", vec![]), ("export/p/1.json", vec![])]
            .into_iter()
            .map(|(p, b)| (p.to_owned(), b))
            .collect();
        let stripped = strip_common_folder(files);
        assert!(stripped.contains_key("folio.json"));
        let files: Files = [("folio.json", vec![]), ("p/1.json", vec![])]
            .into_iter()
            .map(|(p, b)| (p.to_owned(), b))
            .collect();
        assert!(strip_common_folder(files).contains_key("p/1.json"));
    }

    #[test]
    fn archives_are_bounded() {
        let limits = Limits {
            max_bundle_bytes: 10,
            ..Limits::default()
        };
        let mut archive = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(20);
        header.set_mode(0o644);
        header.set_cksum();
        archive
            .append_data(&mut header, "big.txt", &[b'x'; 20][..])
            .unwrap();
        let archive = archive.into_inner().unwrap();
        let error = unpack(&archive, &mut Files::new(), &limits, 0).unwrap_err();
        assert_eq!(error.status, axum::http::StatusCode::PAYLOAD_TOO_LARGE);
    }
}
