//! A bounded load run against a service on a real port: a fixed number of requests from a
//! fixed number of client threads, a mix of small, large, malformed and oversized pages, each
//! answer checked. Shared by `examples/load` and the small load test in `tests/concurrency.rs`.

#![allow(dead_code)]

use std::fmt;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// The HTTP client of `tests/common/client.rs`, which the including crate has at its root.
use super::client::{self, Client};

pub struct Plan {
    pub requests: usize,
    pub concurrency: usize,
    /// Table rows of a large page.
    pub large_rows: usize,
    /// Extract every PDF's text and look for its page's marker. Costs client CPU on the same
    /// machine, so sizing runs turn it off (status, `%PDF` and page count are still checked).
    pub verify_text: bool,
}

/// The oversized requests are built to exceed this body limit; the server under test must be
/// configured with it.
pub const BODY_LIMIT: usize = 1 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Small,
    Large,
    Json,
    Malformed,
    Oversized,
}

impl Kind {
    fn of(index: usize) -> Kind {
        match index % 20 {
            0 | 10 => Kind::Malformed,
            5 => Kind::Oversized,
            3 | 8 | 13 | 18 => Kind::Large,
            7 | 17 => Kind::Json,
            _ => Kind::Small,
        }
    }

    fn expected_status(self) -> u16 {
        match self {
            Kind::Small | Kind::Large | Kind::Json => 200,
            Kind::Malformed => 422,
            Kind::Oversized => 413,
        }
    }
}

pub struct Report {
    pub ok: usize,
    /// Turned away with 503 (queue full): allowed, and counted.
    pub rejected: usize,
    /// Error answers that were the expected ones.
    pub expected_errors: usize,
    /// Answers that were wrong, described.
    pub failures: Vec<String>,
    pub pages: usize,
    pub elapsed: Duration,
    /// Latencies by kind, sorted.
    pub latencies: Vec<(Kind, Vec<Duration>)>,
}

impl Report {
    pub fn percentile(latencies: &[Duration], p: f64) -> Duration {
        if latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * latencies.len() as f64).ceil() as usize;
        latencies[rank.clamp(1, latencies.len()) - 1]
    }

    fn all(&self) -> Vec<Duration> {
        let mut all: Vec<Duration> = self
            .latencies
            .iter()
            .flat_map(|(_, l)| l.iter().copied())
            .collect();
        all.sort();
        all
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all = self.all();
        let seconds = self.elapsed.as_secs_f64();
        writeln!(
            f,
            "{} requests in {:.1} s ({:.1} req/s): {} PDFs ({} pages, {:.1} pages/s), {} expected errors, {} rejected (503), {} failures",
            all.len(),
            seconds,
            all.len() as f64 / seconds,
            self.ok,
            self.pages,
            self.pages as f64 / seconds,
            self.expected_errors,
            self.rejected,
            self.failures.len()
        )?;
        writeln!(
            f,
            "latency all: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
            ms(Report::percentile(&all, 50.0)),
            ms(Report::percentile(&all, 99.0)),
            ms(all.last().copied().unwrap_or_default())
        )?;
        for (kind, latencies) in &self.latencies {
            writeln!(
                f,
                "  {kind:?}: n {}, p50 {:.0} ms, p99 {:.0} ms",
                latencies.len(),
                ms(Report::percentile(latencies, 50.0)),
                ms(Report::percentile(latencies, 99.0))
            )?;
        }
        for failure in self.failures.iter().take(10) {
            writeln!(f, "  FAILURE {failure}")?;
        }
        Ok(())
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The request of number `index`, and what its answer must contain.
fn request(index: usize, plan: &Plan) -> (Kind, String, Vec<u8>, String) {
    let kind = Kind::of(index);
    let marker = format!("load-{index}-marker");
    let (content_type, body) = match kind {
        Kind::Small => multipart(&format!(
            "<h1>Page {index}</h1><p>Some <em>text</em> with {marker}.</p><ul><li>one</li><li>two</li></ul>"
        )),
        Kind::Large => {
            let mut page = format!("<h1>Large {index}</h1><p>{marker}</p><table><tbody>");
            for row in 0..plan.large_rows {
                page.push_str(&format!(
                    "<tr><td>row {row}</td><td>words of page {index} that wrap in a narrow cell</td><td><code>x = {row}</code></td></tr>"
                ));
            }
            page.push_str("</tbody></table>");
            multipart(&page)
        }
        Kind::Json => (
            "application/json".to_owned(),
            serde_json::json!({ "page": format!("<h2>Form {index}</h2><p>JSON {marker}</p>"), "options": {"title": "t"} })
                .to_string()
                .into_bytes(),
        ),
        Kind::Malformed => multipart(&format!("<p>{marker}\n<p>unclosed <em>tags</p>")),
        Kind::Oversized => multipart(&format!("<p>{}</p>", "x".repeat(BODY_LIMIT + 10))),
    };
    (kind, content_type, body, marker)
}

fn multipart(page: &str) -> (String, Vec<u8>) {
    let boundary = "load-boundary-5d1a8f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"page\"; filename=\"page.xhtml\"\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(page.as_bytes());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Checks one answer; `Err` describes what is wrong.
fn check(
    kind: Kind,
    marker: &str,
    answer: &client::WireAnswer,
    verify_text: bool,
) -> Result<usize, String> {
    if answer.status != kind.expected_status() {
        return Err(format!(
            "{kind:?}: status {} instead of {}",
            answer.status,
            kind.expected_status()
        ));
    }
    if answer.status != 200 {
        let json: serde_json::Value = serde_json::from_slice(&answer.body)
            .map_err(|_| format!("{kind:?}: error answer is not JSON"))?;
        if kind == Kind::Malformed && json["diagnostics"][0]["line"] != 2 {
            return Err(format!("{kind:?}: no line 2 in {json}"));
        }
        return Ok(0);
    }
    if !answer.body.starts_with(b"%PDF") {
        return Err(format!("{kind:?}: not a PDF"));
    }
    if verify_text {
        let text = pdf_extract::extract_text_from_mem(&answer.body)
            .map_err(|e| format!("{kind:?}: text does not extract: {e}"))?;
        if !text.contains(marker) {
            return Err(format!("{kind:?}: the PDF lacks its page's text"));
        }
    }
    answer
        .header("folio-pages")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("{kind:?}: no Folio-Pages"))
}

/// Sends `plan.requests` requests from `plan.concurrency` threads and checks every answer.
pub fn run(addr: SocketAddr, plan: &Plan) -> Report {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(plan.requests));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..plan.concurrency {
            scope.spawn(|| {
                let client = Client::new(addr);
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= plan.requests {
                        break;
                    }
                    let (kind, content_type, body, marker) = request(index, plan);
                    let sent = Instant::now();
                    let answer =
                        client.post("/v1/render", &[("Content-Type", &content_type)], &body);
                    let latency = sent.elapsed();
                    let outcome = match answer {
                        Ok(answer) if answer.status == 503 => Ok(None),
                        Ok(answer) => check(kind, &marker, &answer, plan.verify_text).map(Some),
                        Err(error) => Err(format!("{kind:?}: {error}")),
                    };
                    results.lock().unwrap().push((kind, latency, outcome));
                }
            });
        }
    });
    let elapsed = started.elapsed();
    let mut report = Report {
        ok: 0,
        rejected: 0,
        expected_errors: 0,
        failures: Vec::new(),
        pages: 0,
        elapsed,
        latencies: Vec::new(),
    };
    let mut by_kind: std::collections::BTreeMap<Kind, Vec<Duration>> = Default::default();
    for (kind, latency, outcome) in results.into_inner().unwrap() {
        by_kind.entry(kind).or_default().push(latency);
        match outcome {
            Ok(None) => report.rejected += 1,
            Ok(Some(0)) if kind.expected_status() != 200 => report.expected_errors += 1,
            Ok(Some(pages)) => {
                report.ok += 1;
                report.pages += pages;
            }
            Err(failure) => report.failures.push(failure),
        }
    }
    report.latencies = by_kind
        .into_iter()
        .map(|(kind, mut latencies)| {
            latencies.sort();
            (kind, latencies)
        })
        .collect();
    report
}

/// Resident and peak resident memory of a process (`self` or a pid), in MiB (Linux; zero
/// elsewhere).
pub fn memory_mib(pid: &str) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
