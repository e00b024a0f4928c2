//! Prometheus metrics in the text exposition format. Labels are routes, status codes, error
//! kinds and diagnostic codes: bounded sets that never carry content.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Upper bounds of the latency histogram, in seconds.
const LATENCY_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];
/// Upper bounds of the size histograms, in bytes.
const SIZE_BUCKETS: [f64; 9] = [1e3, 1e4, 1e5, 3e5, 1e6, 3e6, 1e7, 3e7, 1e8];
/// Diagnostic codes come from folio's fixed catalogue; the cap only guards against a bug
/// turning them into an unbounded label set.
const MAX_DIAGNOSTIC_CODES: usize = 256;

#[derive(Default)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, bounds: &[f64], value: f64) {
        if self.counts.is_empty() {
            self.counts = vec![0; bounds.len()];
        }
        for (bound, count) in bounds.iter().zip(&mut self.counts) {
            if value <= *bound {
                *count += 1;
            }
        }
        self.sum += value;
        self.count += 1;
    }

    fn write(&self, out: &mut String, name: &str, labels: &str, bounds: &[f64]) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (bound, count) in bounds.iter().zip(&self.counts) {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {count}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", self.count);
    }
}

#[derive(Default)]
struct PerRoute {
    requests: BTreeMap<u16, u64>,
    latency: Histogram,
    request_bytes: Histogram,
    response_bytes: Histogram,
}

#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<&'static str, PerRoute>>,
    errors: Mutex<BTreeMap<&'static str, u64>>,
    diagnostics: Mutex<BTreeMap<String, u64>>,
    pages: AtomicU64,
    documents: AtomicU64,
    in_flight: AtomicI64,
}

/// One finished request, as metrics see it.
pub struct Observation {
    pub route: &'static str,
    pub status: u16,
    pub seconds: f64,
    pub request_bytes: u64,
    pub response_bytes: u64,
    pub error: Option<&'static str>,
}

impl Metrics {
    pub fn in_flight(&self) -> i64 {
        self.in_flight.load(Ordering::Relaxed)
    }

    pub fn start(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    pub fn finish(&self, observation: &Observation) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        {
            let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
            let route = routes.entry(observation.route).or_default();
            *route.requests.entry(observation.status).or_default() += 1;
            route.latency.observe(&LATENCY_BUCKETS, observation.seconds);
            route
                .request_bytes
                .observe(&SIZE_BUCKETS, observation.request_bytes as f64);
            route
                .response_bytes
                .observe(&SIZE_BUCKETS, observation.response_bytes as f64);
        }
        if let Some(kind) = observation.error {
            *self
                .errors
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(kind)
                .or_default() += 1;
        }
    }

    pub fn rendered(&self, pages: usize, codes: &[String]) {
        self.documents.fetch_add(1, Ordering::Relaxed);
        self.pages.fetch_add(pages as u64, Ordering::Relaxed);
        let mut diagnostics = self.diagnostics.lock().unwrap_or_else(|e| e.into_inner());
        for code in codes {
            if let Some(count) = diagnostics.get_mut(code) {
                *count += 1;
            } else if diagnostics.len() < MAX_DIAGNOSTIC_CODES && is_code(code) {
                diagnostics.insert(code.clone(), 1);
            }
        }
    }

    /// The exposition text. `busy` and `waiting` are the pool's gauges, `ready` the readiness.
    pub fn render(&self, busy: usize, waiting: usize, ready: bool) -> String {
        let mut out = String::new();
        let routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        header(
            &mut out,
            "folio_http_requests_total",
            "counter",
            "Requests answered, by route and status.",
        );
        for (route, data) in routes.iter() {
            for (status, count) in &data.requests {
                let _ = writeln!(
                    out,
                    "folio_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}"
                );
            }
        }
        for (name, help, bounds, pick) in [
            (
                "folio_http_request_duration_seconds",
                "Time from request to response head, by route.",
                &LATENCY_BUCKETS[..],
                (|d: &PerRoute| &d.latency) as fn(&PerRoute) -> &Histogram,
            ),
            (
                "folio_http_request_size_bytes",
                "Request body sizes, by route.",
                &SIZE_BUCKETS[..],
                |d: &PerRoute| &d.request_bytes,
            ),
            (
                "folio_http_response_size_bytes",
                "Response body sizes, by route.",
                &SIZE_BUCKETS[..],
                |d: &PerRoute| &d.response_bytes,
            ),
        ] {
            header(&mut out, name, "histogram", help);
            for (route, data) in routes.iter() {
                pick(data).write(&mut out, name, &format!("route=\"{route}\""), bounds);
            }
        }
        drop(routes);
        header(
            &mut out,
            "folio_errors_total",
            "counter",
            "Error answers, by kind.",
        );
        for (kind, count) in self.errors.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(out, "folio_errors_total{{kind=\"{kind}\"}} {count}");
        }
        header(
            &mut out,
            "folio_diagnostics_total",
            "counter",
            "Diagnostics of rendered documents, by code.",
        );
        for (code, count) in self
            .diagnostics
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(out, "folio_diagnostics_total{{code=\"{code}\"}} {count}");
        }
        for (name, kind, help, value) in [
            (
                "folio_documents_rendered_total",
                "counter",
                "PDFs produced.",
                self.documents.load(Ordering::Relaxed) as i64,
            ),
            (
                "folio_pages_rendered_total",
                "counter",
                "PDF pages produced.",
                self.pages.load(Ordering::Relaxed) as i64,
            ),
            (
                "folio_http_requests_in_flight",
                "gauge",
                "Requests being answered now.",
                self.in_flight.load(Ordering::Relaxed),
            ),
            (
                "folio_render_workers_busy",
                "gauge",
                "Documents compiling now.",
                busy as i64,
            ),
            (
                "folio_render_queue_waiting",
                "gauge",
                "Requests waiting for a worker.",
                waiting as i64,
            ),
            (
                "folio_ready",
                "gauge",
                "1 when fonts are loaded and the service is not shutting down.",
                i64::from(ready),
            ),
        ] {
            header(&mut out, name, kind, help);
            let _ = writeln!(out, "{name} {value}");
        }
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A diagnostic code as folio writes them: kebab-case ASCII.
fn is_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_has_counters_and_histograms() {
        let metrics = Metrics::default();
        metrics.start();
        metrics.finish(&Observation {
            route: "/v1/render",
            status: 200,
            seconds: 0.2,
            request_bytes: 500,
            response_bytes: 20_000,
            error: None,
        });
        metrics.rendered(3, &["unknown-macro".into(), "Not A Code".into()]);
        let text = metrics.render(0, 0, true);
        assert!(text.contains("folio_http_requests_total{route=\"/v1/render\",status=\"200\"} 1"));
        assert!(text.contains(
            "folio_http_request_duration_seconds_bucket{route=\"/v1/render\",le=\"0.25\"} 1"
        ));
        assert!(text.contains("folio_pages_rendered_total 3"));
        assert!(text.contains("folio_diagnostics_total{code=\"unknown-macro\"} 1"));
        assert!(!text.contains("Not A Code"));
        assert!(text.contains("folio_http_requests_in_flight 0"));
    }
}
