//! Helpers shared by the service's tests: one compiler per test binary, in-process requests,
//! a plain HTTP/1.1 client for real sockets, multipart bodies and PDF text.

#![allow(dead_code)]

pub mod client;

use std::sync::{Arc, LazyLock};

use axum::body::Body;
use axum::http::{Request, Response};
use folio::{Compiler, EngineOptions};
use folio_server::{App, AuthConfig, Config};
use tower::ServiceExt;

/// Loading fonts once per binary keeps the tests fast; embedded fonts only, so output is the
/// same on every machine.
pub static COMPILER: LazyLock<Arc<Compiler>> = LazyLock::new(|| {
    Arc::new(Compiler::new(&EngineOptions {
        system_fonts: false,
    }))
});

/// A configuration with no authentication and small limits.
pub fn config() -> Config {
    Config {
        workers: 2,
        queue: 16,
        auth: AuthConfig {
            insecure_no_auth: true,
            ..AuthConfig::default()
        },
        system_fonts: false,
        ..Config::default()
    }
}

pub fn config_with(change: impl FnOnce(&mut Config)) -> Config {
    let mut config = config();
    change(&mut config);
    config
}

pub fn app(config: Config) -> App {
    App::with_compiler(config, COMPILER.clone()).expect("the configuration is valid")
}

/// An answer, read whole.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!(
                "the answer ({}) is JSON: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request to the router in-process.
pub async fn send(app: &App, request: Request<Body>) -> Answer {
    let response: Response<Body> = app.router().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

pub fn post(path: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header("content-type", content_type)
        .body(body.into())
        .unwrap()
}

pub fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

/// A multipart/form-data body builder.
pub struct Form {
    pub boundary: String,
    body: Vec<u8>,
}

impl Form {
    pub fn new() -> Self {
        Self {
            boundary: "folio-test-boundary-7MA4YWxkTrZu0gW".into(),
            body: Vec::new(),
        }
    }

    pub fn field(mut self, name: &str, value: &str) -> Self {
        self.body.extend_from_slice(
            format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n",
                self.boundary
            )
            .as_bytes(),
        );
        self
    }

    pub fn file(mut self, name: &str, filename: &str, bytes: &[u8]) -> Self {
        self.body.extend_from_slice(
            format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n",
                self.boundary
            )
            .as_bytes(),
        );
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    pub fn finish(mut self) -> (String, Vec<u8>) {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        (self.content_type(), self.body)
    }
}

/// The multipart request of one page.
pub fn page_form(page: &str) -> (String, Vec<u8>) {
    Form::new()
        .file("page", "page.xhtml", page.as_bytes())
        .finish()
}

/// The text of a PDF, as a viewer's copy and paste gives it, white space collapsed.
pub fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF"), "the answer is a PDF");
    let text = pdf_extract::extract_text_from_mem(bytes).expect("the PDF's text extracts");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A 1×1 PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A page that takes a while to typeset: a long table. Every call's text is new, because
/// Typst memoises layout across compilations and would typeset a repeated page in no time. Its
/// cells hold numbered lists, which the theme lays out to learn their widths: cells of text and
/// of bulleted lists are measured far faster, in Rust, so a table of them would not stay slow
/// as the writer gets faster.
pub fn slow_page(rows: usize) -> String {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut page = format!("<h1>Slow {call}</h1><table><tbody>");
    for row in 0..rows {
        page.push_str(&format!(
            "<tr><td>row {row}</td><td><ol><li>call {call} words in a cell that wrap</li></ol></td>\
             <td><ol><li>more <strong>text {row}</strong> here</li></ol></td></tr>"
        ));
    }
    page.push_str("</tbody></table>");
    page
}

/// Runs a service on 127.0.0.1 (a real port) on a runtime of its own; stops it on drop.
pub struct Running {
    pub addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Running {
    pub fn start(app: App, grace: std::time::Duration) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let shutdown = async move {
                    let _ = stopped.await;
                };
                folio_server::serve(listener, app, shutdown, grace).await
            })
        });
        Self {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Sends the shutdown signal and waits for `serve` to return.
    pub fn shutdown(mut self) -> std::io::Result<()> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take() {
            Some(thread) => thread.join().expect("the server thread does not panic"),
            None => Ok(()),
        }
    }

    pub fn client(&self) -> client::Client {
        client::Client::new(self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.stop_and_join();
    }
}
