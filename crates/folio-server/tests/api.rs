//! The HTTP API, in-process: each form of request, each error status, health and metrics.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::{Form, app, config, get, page_form, pdf_text, post, send};
use folio_server::Limits;

const PAGE: &str = "<h1>Quarterly report</h1><p>Revenue grew in <strong>every</strong> region.</p>\n\
                    <ac:structured-macro ac:name=\"no-such-macro\"/>";

#[tokio::test]
async fn multipart_page_answers_a_pdf_with_a_diagnostics_summary() {
    let app = app(config());
    let (content_type, body) = Form::new()
        .file("page", "page.xhtml", PAGE.as_bytes())
        .field("title", "Q3")
        .finish();
    let answer = send(&app, post("/v1/render", &content_type, body)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("content-type"), Some("application/pdf"));
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert_eq!(answer.header("folio-diagnostics"), Some("1 warning"));
    let detail: serde_json::Value =
        serde_json::from_str(answer.header("folio-diagnostics-json").unwrap()).unwrap();
    assert_eq!(detail[0]["code"], "unknown-macro");
    assert_eq!(detail[0]["line"], 2);
    assert!(detail[0].get("message").is_none(), "no messages in headers");
    assert_eq!(answer.header("folio-pages"), Some("1"));
    let text = pdf_text(&answer.body);
    assert!(text.contains("Quarterly report"), "{text}");
    assert!(text.contains("every region"), "{text}");
}

#[tokio::test]
async fn json_request_with_attachments_and_options() {
    let app = app(config());
    let page = "<p>Diagram:</p><ac:image><ri:attachment ri:filename=\"dot.png\"/></ac:image>";
    let request = serde_json::json!({
        "page": page,
        "attachments": [{"filename": "dot.png", "data": BASE64.encode(common::PNG)}],
        "options": {"title": "With image", "date": "2024-05-01"},
    });
    let answer = send(
        &app,
        post("/v1/render", "application/json", request.to_string()),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("folio-diagnostics"), Some("none"));
    assert!(pdf_text(&answer.body).contains("Diagram:"));
}

#[tokio::test]
async fn accept_json_answers_pdf_as_base64_with_diagnostics() {
    let app = app(config());
    let (content_type, body) = page_form(PAGE);
    let mut request = post("/v1/render", &content_type, body);
    request
        .headers_mut()
        .insert("accept", "application/json".parse().unwrap());
    let answer = send(&app, request).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let json = answer.json();
    assert_eq!(json["pages"], 1);
    let diagnostic = &json["diagnostics"][0];
    assert_eq!(diagnostic["severity"], "warning");
    assert_eq!(diagnostic["code"], "unknown-macro");
    assert_eq!(diagnostic["line"], 2);
    assert!(diagnostic["column"].as_u64().unwrap() >= 1);
    assert!(
        diagnostic["message"]
            .as_str()
            .unwrap()
            .contains("no-such-macro")
    );
    let pdf = BASE64.decode(json["pdf"].as_str().unwrap()).unwrap();
    assert!(pdf_text(&pdf).contains("Quarterly report"));
}

#[tokio::test]
async fn rest_page_json_in_the_page_part() {
    let app = app(config());
    let page = serde_json::json!({
        "title": "From REST",
        "body": {"storage": {"value": "<p>Body from the API</p>"}},
    });
    let (content_type, body) = page_form(&page.to_string());
    let answer = send(&app, post("/v1/render", &content_type, body)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert!(pdf_text(&answer.body).contains("Body from the API"));
}

#[tokio::test]
async fn malformed_xml_is_422_with_line_and_column() {
    let app = app(config());
    let (content_type, body) = page_form("<p>fine</p>\n<p>broken <em>nesting</p>");
    let answer = send(&app, post("/v1/render", &content_type, body)).await;
    assert_eq!(answer.status, 422, "{}", answer.text());
    let json = answer.json();
    assert_eq!(json["error"], "malformed-input");
    let diagnostic = &json["diagnostics"][0];
    assert_eq!(diagnostic["code"], "malformed-xml");
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(diagnostic["line"], 2);
    assert!(diagnostic["column"].as_u64().unwrap() > 1);
}

#[tokio::test]
async fn a_space_export_sent_as_a_page_is_422_space_export() {
    let app = app(config());
    let (content_type, body) = page_form(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hibernate-generic datetime=\"2024-01-01\">\n  <object class=\"Space\" package=\"com.atlassian.confluence.spaces\"/>\n</hibernate-generic>\n",
    );
    let answer = send(&app, post("/v1/render", &content_type, body)).await;
    assert_eq!(answer.status, 422, "{}", answer.text());
    let json = answer.json();
    assert_eq!(json["error"], "malformed-input");
    let diagnostic = &json["diagnostics"][0];
    assert_eq!(diagnostic["code"], "space-export");
    assert!(
        diagnostic["message"]
            .as_str()
            .is_some_and(|message| message.contains("space export")),
        "{diagnostic}"
    );
}

#[tokio::test]
async fn invalid_utf8_and_bad_page_json_are_422() {
    let app = app(config());
    let (content_type, body) = Form::new()
        .file("page", "p.xhtml", b"<p>ok</p>\n<p>\xff</p>")
        .finish();
    let answer = send(&app, post("/v1/render", &content_type, body)).await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.json()["diagnostics"][0]["line"], 2);
    let (content_type, body) = page_form("{\"title\": ");
    let answer = send(&app, post("/v1/render", &content_type, body)).await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.json()["diagnostics"][0]["code"], "malformed-json");
}

#[tokio::test]
async fn too_deep_nesting_is_422() {
    let app = app(common::config_with(|c| c.limits.max_depth = 8));
    let page = "<div>".repeat(20) + &"</div>".repeat(20);
    let (content_type, body) = page_form(&page);
    let answer = send(&app, post("/v1/render", &content_type, body)).await;
    assert_eq!(answer.status, 422, "{}", answer.text());
}

#[tokio::test]
async fn too_large_is_413_by_header_and_by_stream() {
    let app = app(common::config_with(|c| {
        c.limits = Limits {
            max_body_bytes: 1000,
            ..Limits::default()
        }
    }));
    let (content_type, body) = page_form(&format!("<p>{}</p>", "x".repeat(5000)));
    let answer = send(&app, post("/v1/render", &content_type, body.clone())).await;
    assert_eq!(answer.status, 413);
    assert_eq!(answer.json()["error"], "too-large");
    // Without a Content-Length, the limit stops the read.
    let stream = futures_util::stream::iter(
        body.chunks(100)
            .map(|chunk| Ok::<_, std::io::Error>(axum::body::Bytes::copy_from_slice(chunk)))
            .collect::<Vec<_>>(),
    );
    let answer = send(
        &app,
        post(
            "/v1/render",
            &content_type,
            axum::body::Body::from_stream(stream),
        ),
    )
    .await;
    assert_eq!(answer.status, 413);
}

#[tokio::test]
async fn wrong_media_type_is_415() {
    let app = app(config());
    let answer = send(&app, post("/v1/render", "text/plain", "<p>x</p>")).await;
    assert_eq!(answer.status, 415);
    assert_eq!(answer.json()["error"], "unsupported-media-type");
    let answer = send(&app, post("/v1/export", "text/html", "<p>x</p>")).await;
    assert_eq!(answer.status, 415);
}

#[tokio::test]
async fn unknown_route_is_404_and_wrong_method_405() {
    let app = app(config());
    let answer = send(&app, get("/v1/nothing")).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.json()["error"], "not-found");
    let answer = send(&app, get("/v1/render")).await;
    assert_eq!(answer.status, 405);
}

#[tokio::test]
async fn bad_requests_are_400() {
    let app = app(config());
    // No page part.
    let (content_type, body) = Form::new().field("title", "T").finish();
    assert_eq!(
        send(&app, post("/v1/render", &content_type, body))
            .await
            .status,
        400
    );
    // A misspelt option.
    let (content_type, body) = Form::new()
        .file("page", "p.xhtml", b"<p>x</p>")
        .field("titel", "T")
        .finish();
    let answer = send(&app, post("/v1/render", &content_type, body)).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.json()["error"], "invalid-option");
    // Request JSON that does not parse, or has unknown fields.
    for body in ["{\"page\": ", "{\"page\": \"<p/>\", \"extra\": 1}"] {
        let answer = send(&app, post("/v1/render", "application/json", body)).await;
        assert_eq!(answer.status, 400, "{body}");
    }
    // Attachment data that is not base64.
    let body =
        serde_json::json!({"page": "<p/>", "attachments": [{"filename": "a", "data": "!!"}]});
    let answer = send(
        &app,
        post("/v1/render", "application/json", body.to_string()),
    )
    .await;
    assert_eq!(answer.status, 400);
    // A multipart body that is cut off.
    let answer = send(
        &app,
        post(
            "/v1/render",
            "multipart/form-data; boundary=xyz",
            "--xyz\r\nContent-Disposition: form-data; name=\"page\"\r\n\r\n<p>",
        ),
    )
    .await;
    assert_eq!(answer.status, 400);
}

#[tokio::test]
async fn health_ready_and_metrics() {
    let app = app(config());
    let answer = send(&app, get("/healthz")).await;
    assert_eq!(answer.status, 200);
    let answer = send(&app, get("/readyz")).await;
    assert_eq!(answer.status, 200);
    let (content_type, body) = page_form(PAGE);
    assert_eq!(
        send(&app, post("/v1/render", &content_type, body))
            .await
            .status,
        200
    );
    let _ = send(&app, get("/nowhere")).await;
    let metrics = send(&app, get("/metrics")).await.text();
    for expected in [
        "folio_http_requests_total{route=\"/v1/render\",status=\"200\"} 1",
        "folio_http_requests_total{route=\"other\",status=\"404\"} 1",
        "folio_http_request_duration_seconds_count{route=\"/v1/render\"} 1",
        "folio_http_request_size_bytes_bucket{route=\"/v1/render\",le=\"1000\"} 1",
        "folio_http_response_size_bytes_count{route=\"/v1/render\"} 1",
        "folio_pages_rendered_total 1",
        "folio_documents_rendered_total 1",
        "folio_errors_total{kind=\"not-found\"} 1",
        "folio_diagnostics_total{code=\"unknown-macro\"} 1",
        "folio_http_requests_in_flight 1",
        "folio_ready 1",
    ] {
        assert!(metrics.contains(expected), "{expected} in\n{metrics}");
    }
    assert!(!metrics.contains("Quarterly"), "no content in metrics");
    app.begin_shutdown();
    assert_eq!(send(&app, get("/readyz")).await.status, 503);
    assert_eq!(send(&app, get("/healthz")).await.status, 200);
}

#[test]
fn refuses_to_start_without_auth() {
    let mut config = config();
    config.auth.insecure_no_auth = false;
    assert!(matches!(
        folio_server::App::new(config),
        Err(folio_server::ConfigError::NoAuth)
    ));
}

#[tokio::test]
async fn page_setup_options_like_the_cli() {
    let app = app(config());
    let (content_type, body) = Form::new()
        .file("page", "page.xhtml", b"<p>Body text</p>")
        .field("header", "Confidential {page}")
        .field("landscape", "true")
        .field("margins", "15")
        .field("author", "Ops")
        .field("keywords", "a,b")
        .field("lang", "en")
        .finish();
    let answer = send(&app, post("/v1/render", &content_type, body)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let text = pdf_text(&answer.body);
    assert!(text.contains("Confidential 1"), "{text}");

    let body = serde_json::json!({"page": "<p/>", "options": {"margins": "1,2,3"}});
    let answer = send(
        &app,
        post("/v1/render", "application/json", body.to_string()),
    )
    .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.json()["error"], "invalid-option");
    let body = serde_json::json!({"page": "<p/>", "options": {"lang": "not a tag!"}});
    let answer = send(
        &app,
        post("/v1/render", "application/json", body.to_string()),
    )
    .await;
    assert_eq!(answer.status, 400, "options are validated together");
}

#[tokio::test]
async fn a_body_that_never_ends_is_408() {
    let app = app(common::config_with(|c| {
        c.limits.body_timeout = std::time::Duration::from_millis(100)
    }));
    let first = futures_util::stream::iter([Ok::<_, std::io::Error>(
        axum::body::Bytes::from_static(b"{\"page\": \""),
    )]);
    let stalled = futures_util::StreamExt::chain(first, futures_util::stream::pending());
    let answer = send(
        &app,
        post(
            "/v1/render",
            "application/json",
            axum::body::Body::from_stream(stalled),
        ),
    )
    .await;
    assert_eq!(answer.status, 408);
    assert_eq!(answer.json()["error"], "body-timeout");
}
