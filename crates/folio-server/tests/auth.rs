//! Authentication: bearer token, HMAC signatures (stale, future, tampered, replayed), and the
//! refusal to start without either.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{app, config_with, page_form, send};
use folio_server::{AuthConfig, ConfigError, sign, unix_now};

const SECRET: &[u8] = b"an hmac secret of enough bytes";

fn render_request(headers: &[(&str, String)], body: Vec<u8>, content_type: &str) -> Request<Body> {
    let mut request = Request::post("/v1/render").header("content-type", content_type);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request.body(Body::from(body)).unwrap()
}

fn token_app() -> folio_server::App {
    app(config_with(|c| {
        c.auth = AuthConfig {
            token: Some("s3cret-token".into()),
            ..AuthConfig::default()
        }
    }))
}

fn hmac_app() -> folio_server::App {
    app(config_with(|c| {
        c.auth = AuthConfig {
            hmac_secret: Some(SECRET.to_vec()),
            ..AuthConfig::default()
        }
    }))
}

#[tokio::test]
async fn bearer_token() {
    let app = token_app();
    let (content_type, body) = page_form("<p>hello</p>");
    let cases = [
        (vec![], 401),
        (vec![("authorization", "Bearer wrong".to_owned())], 401),
        (
            vec![("authorization", "Basic czNjcmV0LXRva2Vu".to_owned())],
            401,
        ),
        (
            vec![("authorization", "Bearer s3cret-token-and-more".to_owned())],
            401,
        ),
        (
            vec![("authorization", "Bearer s3cret-token".to_owned())],
            200,
        ),
        (
            vec![("authorization", "bearer  s3cret-token".to_owned())],
            200,
        ),
    ];
    for (headers, status) in cases {
        let answer = send(&app, render_request(&headers, body.clone(), &content_type)).await;
        assert_eq!(answer.status, status, "{headers:?}: {}", answer.text());
        if status == 401 {
            assert_eq!(answer.json()["error"], "unauthorized");
            assert!(answer.header("www-authenticate").is_some());
        }
    }
}

#[tokio::test]
async fn the_token_is_checked_before_the_body_is_read() {
    let app = app(config_with(|c| {
        c.auth.token = Some("t".into());
        c.auth.insecure_no_auth = false;
        c.limits.max_body_bytes = 100;
    }));
    let (content_type, body) = page_form(&"x".repeat(1000));
    let answer = send(&app, render_request(&[], body, &content_type)).await;
    assert_eq!(answer.status, 401, "not 413: nothing was read");
}

#[tokio::test]
async fn health_and_metrics_need_no_token() {
    let app = token_app();
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(send(&app, common::get(path)).await.status, 200, "{path}");
    }
    let answer = send(&app, common::post("/v1/export", "application/zip", "PK")).await;
    assert_eq!(answer.status, 401, "export needs the token too");
}

#[tokio::test]
async fn hmac_signature_and_replay() {
    let app = hmac_app();
    let (content_type, body) = page_form("<p>signed</p>");
    let now = unix_now();
    let signed = vec![
        ("x-folio-timestamp", now.to_string()),
        ("x-folio-signature", sign(SECRET, now, &body)),
    ];
    let answer = send(&app, render_request(&signed, body.clone(), &content_type)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let replay = send(&app, render_request(&signed, body.clone(), &content_type)).await;
    assert_eq!(replay.status, 401, "a signature is good once");
    assert!(
        replay.json()["message"]
            .as_str()
            .unwrap()
            .contains("replayed")
    );
}

#[tokio::test]
async fn hmac_rejects_stale_future_tampered_and_unsigned() {
    let app = hmac_app();
    let (content_type, body) = page_form("<p>signed</p>");
    let now = unix_now();
    let signed_at = |at: i64, body: &[u8]| {
        vec![
            ("x-folio-timestamp", at.to_string()),
            ("x-folio-signature", sign(SECRET, at, body)),
        ]
    };
    let (_, other_body) = page_form("<p>other</p>");
    let cases = [
        ("stale", signed_at(now - 301, &body)),
        ("future", signed_at(now + 301, &body)),
        ("tampered", signed_at(now, &other_body)),
        ("unsigned", vec![]),
        (
            "timestamp only",
            vec![("x-folio-timestamp", now.to_string())],
        ),
        (
            "not hex",
            vec![
                ("x-folio-timestamp", now.to_string()),
                ("x-folio-signature", "zz".repeat(32)),
            ],
        ),
        (
            "other secret",
            vec![
                ("x-folio-timestamp", now.to_string()),
                (
                    "x-folio-signature",
                    sign(b"another secret, long enough", now, &body),
                ),
            ],
        ),
    ];
    for (case, headers) in cases {
        let answer = send(&app, render_request(&headers, body.clone(), &content_type)).await;
        assert_eq!(answer.status, 401, "{case}");
    }
    // Within the window, either way, is fine.
    let answer = send(
        &app,
        render_request(&signed_at(now - 250, &body), body.clone(), &content_type),
    )
    .await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn token_and_signature_together_need_both() {
    let app = app(config_with(|c| {
        c.auth = AuthConfig {
            token: Some("tok".into()),
            hmac_secret: Some(SECRET.to_vec()),
            ..AuthConfig::default()
        }
    }));
    let (content_type, body) = page_form("<p>both</p>");
    let now = unix_now();
    let token = ("authorization", "Bearer tok".to_owned());
    let signature = [
        ("x-folio-timestamp", now.to_string()),
        ("x-folio-signature", sign(SECRET, now, &body)),
    ];
    let answer = send(
        &app,
        render_request(std::slice::from_ref(&token), body.clone(), &content_type),
    )
    .await;
    assert_eq!(answer.status, 401, "token without signature");
    let answer = send(
        &app,
        render_request(&signature, body.clone(), &content_type),
    )
    .await;
    assert_eq!(answer.status, 401, "signature without token");
    let mut both = signature.to_vec();
    both.push(token);
    let answer = send(&app, render_request(&both, body, &content_type)).await;
    assert_eq!(answer.status, 200);
}

#[test]
fn configurations_that_cannot_serve_safely() {
    let base = || {
        let mut config = common::config();
        config.auth = AuthConfig::default();
        config
    };
    assert_eq!(
        folio_server::App::new(base()).err(),
        Some(ConfigError::NoAuth)
    );
    let mut config = base();
    config.auth.token = Some("  ".into());
    assert_eq!(
        folio_server::App::new(config).err(),
        Some(ConfigError::EmptyToken)
    );
    let mut config = base();
    config.auth.hmac_secret = Some(b"short".to_vec());
    assert_eq!(
        folio_server::App::new(config).err(),
        Some(ConfigError::ShortSecret)
    );
    let mut config = base();
    config.auth.insecure_no_auth = true;
    assert!(folio_server::App::new(config).is_ok());
}
