//! `POST /v1/export`: bundles as multipart files, as zip and tar uploads, with their limits.

mod common;

use std::io::Write;

use common::{Form, app, config, config_with, pdf_text, post, send};

/// Two REST page JSON files, the second a child of the first with an unknown macro on line 2.
fn bundle() -> Vec<(&'static str, Vec<u8>)> {
    let home = serde_json::json!({
        "id": "100", "type": "page", "title": "Handbook",
        "body": {"storage": {"value": "<p>Welcome to the handbook.</p>"}},
    });
    let child = serde_json::json!({
        "id": "200", "type": "page", "title": "Onboarding",
        "ancestors": [{"id": "100"}],
        "body": {"storage": {"value": "<p>First day checklist.</p>\n<ac:structured-macro ac:name=\"mystery\"/>"}},
    });
    vec![
        ("pages/100.json", home.to_string().into_bytes()),
        ("pages/200.json", child.to_string().into_bytes()),
        ("pages/logo.png", common::PNG.to_vec()),
    ]
}

fn zip_of(files: &[(&str, Vec<u8>)], prefix: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, bytes) in files {
        zip.start_file(
            format!("{prefix}{path}"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn tar_gz_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(encoder);
    for (path, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, path, &bytes[..]).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

fn assert_both_pages(answer: &common::Answer) {
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("content-type"), Some("application/pdf"));
    let text = pdf_text(&answer.body);
    assert!(text.contains("Welcome to the handbook."), "{text}");
    assert!(text.contains("First day checklist."), "{text}");
}

#[tokio::test]
async fn multipart_files_with_options() {
    let app = app(config());
    let mut form = Form::new();
    for (path, bytes) in bundle() {
        form = form.file("file", path, &bytes);
    }
    let (content_type, body) = form
        .field("title", "Team handbook")
        .field("toc", "true")
        .finish();
    let mut request = post("/v1/export", &content_type, body);
    request
        .headers_mut()
        .insert("accept", "application/json".parse().unwrap());
    let answer = send(&app, request).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let json = answer.json();
    assert!(json["pages"].as_u64().unwrap() >= 2);
    let mystery = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "unknown-macro")
        .expect("the child page's warning");
    assert_eq!(mystery["file"], "pages/200.json");
    assert_eq!(mystery["line"], 2);
}

#[tokio::test]
async fn zip_upload_of_a_folder() {
    let app = app(config());
    let zip = zip_of(&bundle(), "handbook-export/");
    let answer = send(&app, post("/v1/export", "application/zip", zip)).await;
    assert_both_pages(&answer);
    let detail = answer.header("folio-diagnostics-json").unwrap();
    assert!(detail.contains("\"code\":\"unknown-macro\""), "{detail}");
    assert!(
        !detail.contains("pages/"),
        "no file names in headers: {detail}"
    );
}

/// Confluence's own space export zip (entities.xml and attachments/) is a bundle as it is.
#[tokio::test]
async fn zip_of_a_confluence_space_export() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/space-export");
    let mut files = Vec::new();
    let mut folders = vec![root.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let name = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let app = app(config());
    let answer = send(
        &app,
        post("/v1/export", "application/zip", zip_of(&files, "")),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let text = pdf_text(&answer.body);
    assert!(text.contains("Fail over only after paging"), "{text}");
    assert!(!text.contains("OLD HOME TEXT"), "{text}");
}

#[tokio::test]
async fn tar_gz_upload_with_query_options() {
    let app = app(config());
    let answer = send(
        &app,
        post(
            "/v1/export?root=200&cover=false",
            "application/gzip",
            tar_gz_of(&bundle()),
        ),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let text = pdf_text(&answer.body);
    assert!(text.contains("First day checklist."), "{text}");
    assert!(
        !text.contains("Welcome to the handbook."),
        "only the subtree of 200"
    );
}

#[tokio::test]
async fn archive_in_a_multipart_bundle_part() {
    let app = app(config());
    let (content_type, body) = Form::new()
        .file("bundle", "export.zip", &zip_of(&bundle(), ""))
        .field("depth", "1")
        .finish();
    let answer = send(&app, post("/v1/export", &content_type, body)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let text = pdf_text(&answer.body);
    assert!(text.contains("Welcome to the handbook."));
    assert!(
        !text.contains("First day checklist."),
        "depth 1: the root only"
    );
}

#[tokio::test]
async fn pages_per_export_is_limited() {
    let app = app(config_with(|c| c.limits.max_export_pages = 1));
    let answer = send(
        &app,
        post("/v1/export", "application/zip", zip_of(&bundle(), "")),
    )
    .await;
    assert_eq!(answer.status, 413, "{}", answer.text());
    assert_eq!(answer.json()["error"], "too-many-pages");
    // Asking for more than the server allows does not raise the limit.
    let answer = send(
        &app,
        post(
            "/v1/export?max-pages=100",
            "application/zip",
            zip_of(&bundle(), ""),
        ),
    )
    .await;
    assert_eq!(answer.status, 413);
}

#[tokio::test]
async fn unpacked_size_and_file_count_are_limited() {
    let big = vec![(
        "pages/zeros.bin",
        vec![0u8; 200_000], // compresses to almost nothing
    )];
    let small = app(config_with(|c| c.limits.max_bundle_bytes = 100_000));
    let answer = send(
        &small,
        post("/v1/export", "application/zip", zip_of(&big, "")),
    )
    .await;
    assert_eq!(answer.status, 413, "{}", answer.text());
    let few = app(config_with(|c| c.limits.max_bundle_files = 2));
    let answer = send(
        &few,
        post("/v1/export", "application/zip", zip_of(&bundle(), "")),
    )
    .await;
    assert_eq!(answer.status, 413);
}

#[tokio::test]
async fn bad_bundles() {
    let app = app(config());
    // A path that climbs out of the bundle.
    let (content_type, body) = Form::new().file("file", "../etc/passwd", b"x").finish();
    assert_eq!(
        send(&app, post("/v1/export", &content_type, body))
            .await
            .status,
        400
    );
    // No files at all.
    let (content_type, body) = Form::new().field("title", "t").finish();
    assert_eq!(
        send(&app, post("/v1/export", &content_type, body))
            .await
            .status,
        400
    );
    // Files, but no pages.
    let (content_type, body) = Form::new().file("file", "notes.txt", b"x").finish();
    let answer = send(&app, post("/v1/export", &content_type, body)).await;
    assert_eq!(answer.status, 422, "{}", answer.text());
    // Not an archive.
    let answer = send(&app, post("/v1/export", "application/zip", "not a zip")).await;
    assert_eq!(answer.status, 415);
    // A corrupt zip.
    let mut zip = zip_of(&bundle(), "");
    zip.truncate(zip.len() / 2);
    let answer = send(&app, post("/v1/export", "application/zip", zip)).await;
    assert_eq!(answer.status, 400, "{}", answer.text());
    // An option only renders take is fine; an unknown one is not.
    let answer = send(
        &app,
        post(
            "/v1/export?colour=red",
            "application/zip",
            zip_of(&bundle(), ""),
        ),
    )
    .await;
    assert_eq!(answer.status, 400);
}

/// Files of a folder, by path relative to it.
fn folder(root: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }
    files
}

#[tokio::test]
async fn the_corpus_handbook_bundle_as_a_zip() {
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/bundle-handbook");
    let files = folder(&root);
    let borrowed: Vec<(&str, Vec<u8>)> =
        files.iter().map(|(p, b)| (p.as_str(), b.clone())).collect();
    let app = app(config());
    let mut request = post(
        "/v1/export",
        "application/zip",
        zip_of(&borrowed, "bundle-handbook/"),
    );
    request
        .headers_mut()
        .insert("accept", "application/json".parse().unwrap());
    let answer = send(&app, request).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let json = answer.json();
    assert!(json["pages"].as_u64().unwrap() > 20, "{}", json["pages"]);
    let pdf = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        json["pdf"].as_str().unwrap(),
    )
    .unwrap();
    assert!(pdf_text(&pdf).contains("Platform handbook"));
}
