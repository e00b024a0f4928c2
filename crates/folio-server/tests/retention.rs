//! Zero retention: content never reaches the logs, and the service writes no files.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use common::{Form, Running, app, config};

/// Every event of every level, from every thread, as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn captured_logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let writer = logs.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
            .with_writer(move || writer.clone())
            .init();
        logs
    })
}

const MARKER: &str = "ZqX7marker4Kp";

#[test]
fn content_never_reaches_the_logs() {
    let logs = captured_logs();
    folio_server::install_quiet_panic_hook();
    let server = Running::start(app(config()), Duration::from_secs(5));
    let client = server.client();

    let page = format!(
        "<h1>Title {MARKER}</h1><p>Body {MARKER}</p><ac:image><ri:attachment ri:filename=\"{MARKER}.png\"/></ac:image>"
    );
    let (content_type, body) = Form::new()
        .file("page", "page.xhtml", page.as_bytes())
        .file("attachment", &format!("{MARKER}-unused.png"), common::PNG)
        .field("title", MARKER)
        .finish();
    let answer = client
        .post(
            "/v1/render",
            &[
                ("Content-Type", &content_type),
                ("X-Custom", MARKER),
                ("Accept", "application/pdf"),
            ],
            &body,
        )
        .unwrap();
    assert_eq!(answer.status, 200);
    assert!(
        common::pdf_text(&answer.body).contains(&format!("Body {MARKER}")),
        "the marker was rendered"
    );
    for (name, value) in &answer.headers {
        assert!(!value.contains(MARKER), "header {name} carries content");
    }

    let json =
        serde_json::json!({"page": format!("<p>{MARKER}</p>"), "options": {"title": MARKER}});
    let answer = client
        .post(
            &format!("/v1/render?{MARKER}=1"),
            &[("Content-Type", "application/json")],
            json.to_string().as_bytes(),
        )
        .unwrap();
    assert_eq!(answer.status, 200);

    // Errors: malformed page, bad option, unknown route.
    let (content_type, body) = common::page_form(&format!("<p>{MARKER}\n<em></p>"));
    let answer = client
        .post("/v1/render", &[("Content-Type", &content_type)], &body)
        .unwrap();
    assert_eq!(answer.status, 422);
    let (content_type, body) = Form::new()
        .file("page", "p.xhtml", b"<p/>")
        .field(MARKER, MARKER)
        .finish();
    let answer = client
        .post("/v1/render", &[("Content-Type", &content_type)], &body)
        .unwrap();
    assert_eq!(answer.status, 400);
    assert_eq!(client.get(&format!("/{MARKER}")).unwrap().status, 404);
    let answer = client
        .post(
            &format!("/v1/export?title={MARKER}"),
            &[("Content-Type", "application/zip")],
            MARKER.as_bytes(),
        )
        .unwrap();
    assert_eq!(answer.status, 415);

    server.shutdown().unwrap();
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        text.contains("route=\"/v1/render\"") || text.contains("route=/v1/render"),
        "the access log was captured:\n{text}"
    );
    assert!(text.contains("status=422"), "{text}");
    assert!(text.contains("diagnostics=malformed-xml"), "{text}");
    assert!(text.contains("diagnostics="), "{text}");
    for line in text.lines() {
        assert!(!line.contains(MARKER), "content in a log line: {line}");
    }
}

/// The child half of `writes_no_files`: serves real requests in a process whose working
/// directory, TMPDIR, HOME and XDG_CACHE_HOME are one read-only, empty directory.
#[test]
#[ignore = "run by writes_no_files in a child process"]
fn child_serves_without_writing() {
    if std::env::var_os("FOLIO_RETENTION_CHILD").is_none() {
        return;
    }
    let server = Running::start(
        folio_server::App::new(config()).expect("valid configuration"),
        Duration::from_secs(5),
    );
    let client = server.client();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while client.get("/readyz").map_or(true, |a| a.status != 200) {
        assert!(std::time::Instant::now() < deadline, "never ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    let page = "<p>With an image</p><ac:image><ri:attachment ri:filename=\"dot.png\"/></ac:image>";
    let (content_type, body) = Form::new()
        .file("page", "page.xhtml", page.as_bytes())
        .file("attachment", "dot.png", common::PNG)
        .finish();
    let answer = client
        .post("/v1/render", &[("Content-Type", &content_type)], &body)
        .unwrap();
    assert_eq!(answer.status, 200);
    let page = serde_json::json!({
        "id": "1", "type": "page", "title": "Only",
        "body": {"storage": {"value": "<p>Exported</p>"}},
    });
    let (content_type, body) = Form::new()
        .file("file", "pages/1.json", page.to_string().as_bytes())
        .finish();
    let answer = client
        .post("/v1/export", &[("Content-Type", &content_type)], &body)
        .unwrap();
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    server.shutdown().unwrap();
    println!("child done");
}

#[test]
#[cfg(unix)]
fn writes_no_files() {
    use std::os::unix::fs::PermissionsExt;

    let dir = std::env::temp_dir().join(format!(
        "folio-server-retention-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child_serves_without_writing",
            "--nocapture",
        ])
        .current_dir(&dir)
        .env("FOLIO_RETENTION_CHILD", "1")
        .env("TMPDIR", &dir)
        .env("HOME", &dir)
        .env("XDG_CACHE_HOME", &dir)
        .output()
        .unwrap();
    // Root ignores the read-only bit, so emptiness is the real check.
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("child done"),
        "the child served its requests:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(left.is_empty(), "files were written: {left:?}");
}
