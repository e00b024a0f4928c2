//! Behaviour under concurrency, on a real port: the queue and its 503, health checks while
//! documents compile, the time budget, graceful shutdown, and a small load run.
//!
//! The tests here compete for the machine's cores, so each takes a lock: timings stay
//! meaningful and a slow document in one test cannot starve another's.

mod common;
#[path = "../examples/load/run.rs"]
mod load;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::client::{self, Client};
use common::{Running, app, config_with, page_form, pdf_text, slow_page};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Rows that take a quarter of a second or so to typeset (dependencies optimised, without debug
/// assertions). A test that races a wait or a budget against one such page uses three times as
/// many, so that the page is still compiling when the wait ends.
const SLOW_ROWS: usize = 500;

fn render(client: &Client, page: &str) -> common::client::WireAnswer {
    let (content_type, body) = page_form(page);
    client
        .post("/v1/render", &[("Content-Type", &content_type)], &body)
        .expect("the server answers")
}

/// Waits until the metrics say `busy` documents are compiling.
fn wait_busy(client: &Client, busy: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let line = format!("folio_render_workers_busy {busy}\n");
    while Instant::now() < deadline {
        let metrics = client.get("/metrics").unwrap();
        if String::from_utf8_lossy(&metrics.body).contains(&line) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("never reached {busy} busy workers");
}

#[test]
fn full_queue_is_503_with_retry_after_and_health_still_answers() {
    let _serial = serial();
    let server = Running::start(
        app(config_with(|c| {
            c.workers = 1;
            c.queue = 0;
            c.max_wait = Duration::from_secs(3);
        })),
        Duration::from_secs(30),
    );
    let slow = {
        let client = server.client();
        std::thread::spawn(move || render(&client, &slow_page(SLOW_ROWS * 3)))
    };
    let client = server.client();
    wait_busy(&client, 1);

    // Health checks do not wait behind the compilation: they answer while it still runs.
    for path in ["/healthz", "/readyz", "/metrics"] {
        let answer = client.get(path).unwrap();
        assert_eq!(answer.status, 200, "{path}");
    }
    let metrics = String::from_utf8(client.get("/metrics").unwrap().body).unwrap();
    assert!(
        metrics.contains("folio_render_workers_busy 1\n"),
        "the compilation was still running"
    );

    let answer = render(&client, "<p>small</p>");
    assert_eq!(answer.status, 503);
    assert_eq!(answer.header("retry-after"), Some("3"));
    let json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(json["error"], "busy");

    let slow = slow.join().unwrap();
    assert_eq!(slow.status, 200);
    assert!(pdf_text(&slow.body).contains("row 1499"));
    // Once the worker is free, the service takes work again.
    assert_eq!(render(&client, "<p>small</p>").status, 200);
}

#[test]
fn a_queued_request_waits_at_most_max_wait() {
    let _serial = serial();
    let server = Running::start(
        app(config_with(|c| {
            c.workers = 1;
            c.queue = 4;
            c.max_wait = Duration::from_millis(200);
        })),
        Duration::from_secs(30),
    );
    let slow = {
        let client = server.client();
        std::thread::spawn(move || render(&client, &slow_page(SLOW_ROWS * 3)))
    };
    let client = server.client();
    wait_busy(&client, 1);
    let started = Instant::now();
    let answer = render(&client, "<p>small</p>");
    assert_eq!(answer.status, 503);
    assert_eq!(answer.header("retry-after"), Some("1"));
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(slow.join().unwrap().status, 200);
}

#[test]
fn a_document_over_the_time_budget_is_504() {
    let _serial = serial();
    let server = Running::start(
        app(config_with(|c| {
            c.limits.time_budget = Duration::from_millis(100);
        })),
        Duration::from_secs(30),
    );
    let client = server.client();
    let answer = render(&client, &slow_page(SLOW_ROWS * 3));
    assert_eq!(answer.status, 504);
    let json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(json["error"], "timeout");
    // The abandoned compilation still holds its worker until it ends; health is unaffected.
    assert_eq!(client.get("/healthz").unwrap().status, 200);
}

#[test]
fn shutdown_finishes_the_request_in_flight() {
    let _serial = serial();
    let server = Running::start(app(common::config()), Duration::from_secs(60));
    let addr = server.addr;
    let slow = {
        let client = server.client();
        std::thread::spawn(move || render(&client, &slow_page(SLOW_ROWS)))
    };
    wait_busy(&server.client(), 1);
    assert!(server.shutdown().is_ok(), "serve returns cleanly");
    let slow = slow.join().unwrap();
    assert_eq!(slow.status, 200, "the request in flight was finished");
    assert!(pdf_text(&slow.body).contains("row 0"));
    assert!(
        Client::new(addr).get("/healthz").is_err(),
        "no new connections after shutdown"
    );
}

#[test]
fn shutdown_gives_up_after_the_grace_period() {
    let _serial = serial();
    let server = Running::start(app(common::config()), Duration::from_millis(100));
    let slow = {
        let client = server.client();
        std::thread::spawn(move || {
            let (content_type, body) = page_form(&slow_page(SLOW_ROWS * 3));
            client.post("/v1/render", &[("Content-Type", &content_type)], &body)
        })
    };
    wait_busy(&server.client(), 1);
    let started = Instant::now();
    assert!(server.shutdown().is_ok());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "shutdown waited {:?}",
        started.elapsed()
    );
    // The abandoned request gets no PDF.
    assert!(
        slow.join()
            .unwrap()
            .map_or(true, |answer| answer.status != 200)
    );
}

#[test]
fn small_load_run() {
    let _serial = serial();
    let server = Running::start(
        app(config_with(|c| {
            c.workers = 2;
            c.queue = 64;
            c.max_wait = Duration::from_secs(60);
            c.limits.max_body_bytes = load::BODY_LIMIT;
        })),
        Duration::from_secs(30),
    );
    let (rss_before, _) = load::memory_mib("self");
    let report = load::run(
        server.addr,
        &load::Plan {
            requests: 60,
            concurrency: 8,
            large_rows: 60,
            verify_text: true,
        },
    );
    let (rss_after, peak) = load::memory_mib("self");
    eprintln!(
        "{report}RSS {rss_before:.0} MiB before, {rss_after:.0} MiB after (peak {peak:.0} MiB)"
    );
    assert_eq!(report.failures, Vec::<String>::new());
    assert_eq!(report.rejected, 0, "the queue is long enough: {report}");
    assert_eq!(report.ok + report.expected_errors, 60, "{report}");
}

/// The child half of `sigterm_finishes_in_flight_and_exits_0`: `folio_server::run`, as
/// `folio serve` calls it, until a signal.
#[test]
#[ignore = "run by sigterm_finishes_in_flight_and_exits_0 in a child process"]
fn child_runs_until_a_signal() {
    let Some(addr) = std::env::var_os("FOLIO_SIGNAL_CHILD_ADDR") else {
        return;
    };
    let config = config_with(|c| c.workers = 1);
    folio_server::run(config, addr.to_str().unwrap(), Duration::from_secs(60))
        .expect("run returns cleanly after SIGTERM");
    println!("child stopped cleanly");
}

#[test]
#[cfg(unix)]
fn sigterm_finishes_in_flight_and_exits_0() {
    let _serial = serial();
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child_runs_until_a_signal",
            "--nocapture",
        ])
        .env("FOLIO_SIGNAL_CHILD_ADDR", addr.to_string())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let client = Client::new(addr);
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get("/readyz").map_or(true, |a| a.status != 200) {
        assert!(Instant::now() < deadline, "the child never got ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    let slow = std::thread::spawn(move || render(&Client::new(addr), &slow_page(SLOW_ROWS)));
    wait_busy(&client, 1);
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let slow = slow.join().unwrap();
    assert_eq!(slow.status, 200, "the request in flight finished");
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "exit status {:?}", output.status);
    assert!(String::from_utf8_lossy(&output.stdout).contains("child stopped cleanly"));
}
