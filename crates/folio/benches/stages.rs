//! Time of each stage — read, passes, lower, layout (typeset), PDF write — and of the whole
//! compile, on corpus pages and on generated documents of 1, 10, 100 and 1,000 pages.
//!
//! ```text
//! cargo bench -p folio --bench stages                 # everything (the 1,000-page run takes minutes)
//! cargo bench -p folio --bench stages -- stages/      # per stage, corpus pages
//! cargo bench -p folio --bench stages -- document/10  # one generated size
//! ```
//!
//! One `Compiler` serves every iteration, as in a service: fonts and theme are loaded once. Typst's
//! memoisation is cleared before each timed layout (untimed): a service renders a different
//! document each time, and replaying the cached layout of the same page would time nothing.
//! docs/performance.md has the results and what they mean.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use folio::ir::{Attachments, Document};
use folio::{Compiler, EngineOptions, Options, PassOptions};
use folio_passes::{PassContext, run_passes};
use folio_pdf::{Engine, RenderOptions};

/// Corpus pages timed stage by stage: short prose, a wide data table, code and diagrams,
/// screenshots.
const PAGES: &[&str] = &[
    "meeting-notes-cloud",
    "release-notes-cloud",
    "data-dictionary-cloud",
    "api-reference-cloud",
    "troubleshooting-faq-server",
];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus")
}

/// A page's storage body and the other files of its folder as attachments.
fn corpus_page(name: &str) -> (String, Attachments) {
    let dir = corpus().join(name);
    let storage = std::fs::read_to_string(dir.join("page.xhtml")).expect("corpus page");
    let mut attachments = Attachments::new();
    for entry in std::fs::read_dir(&dir).expect("corpus folder") {
        let path = entry.expect("corpus entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_file() && name != "page.xhtml" && name != "README.md" {
            attachments.insert(name, std::fs::read(&path).expect("attachment"));
        }
    }
    (storage, attachments)
}

/// One A4 page of typical Confluence content (a heading, prose, a list, a table, a code block
/// and an info panel); `n` of them make a document of about `n` pages.
fn generated_document(n: usize) -> String {
    let mut out = String::new();
    for i in 1..=n {
        out.push_str(&format!(
            "<h2>Section {i}: service rollout</h2>\
             <p>This section describes step {i} of the rollout. The <strong>order service</strong> \
             moves to the new cluster after the <em>payments</em> migration; see \
             <a href=\"https://example.com/runbooks/{i}\">runbook {i}</a> for the checklist. \
             Owners confirm the change window with the on-call engineer before starting, and \
             record the outcome on the status page when the work is done.</p>\
             <p>Traffic is shifted in steps of ten percent while error rates and latency are \
             watched on the dashboard. A rollback restores the previous deployment within five \
             minutes; it needs no data migration because the schema change is additive.</p>\
             <ul><li>Freeze deployments of dependent services</li><li>Drain the old nodes one \
             by one</li><li>Verify the health checks and the synthetic probes</li><li>Announce \
             completion in the release channel</li></ul>\
             <table><tbody><tr><th>Step</th><th>Owner</th><th>Duration</th><th>Status</th></tr>\
             <tr><td>Prepare</td><td>Platform team</td><td>30 min</td><td>Done</td></tr>\
             <tr><td>Shift traffic</td><td>Service owner</td><td>2 h</td><td>In progress</td></tr>\
             <tr><td>Verify</td><td>QA</td><td>1 h</td><td>Planned</td></tr></tbody></table>\
             <ac:structured-macro ac:name=\"code\"><ac:parameter ac:name=\"language\">bash\
             </ac:parameter><ac:plain-text-body><![CDATA[kubectl rollout status deploy/orders-{i}\n\
             kubectl get pods -l app=orders -o wide\n./verify.sh --step {i} --timeout 300]]>\
             </ac:plain-text-body></ac:structured-macro>\
             <ac:structured-macro ac:name=\"info\"><ac:rich-text-body><p>Step {i} is reversible \
             until the old nodes are deleted.</p></ac:rich-text-body></ac:structured-macro>"
        ));
    }
    out
}

fn read(storage: &str) -> Document {
    folio::read_page(storage, &Options::default())
        .expect("benchmark pages are well-formed")
        .0
}

fn passes(mut document: Document, attachments: &Attachments) -> (Document, Attachments) {
    let options = PassOptions::default();
    let mut cx = PassContext::new(attachments, &options);
    run_passes(&mut document, &mut cx);
    (document, cx.attachments)
}

/// Clears Typst's memoised results, so that the next layout is computed, not replayed.
fn forget_memoized() {
    comemo::evict(0);
}

fn bench_stages(c: &mut Criterion) {
    let engine = Engine::new(&EngineOptions::default());
    let render = RenderOptions::default();
    let compiler = Compiler::new(&EngineOptions::default());
    for name in PAGES {
        let (storage, attachments) = corpus_page(name);
        let (document, loaded) = passes(read(&storage), &attachments);
        let mut group = c.benchmark_group(format!("stages/{name}"));
        group.throughput(Throughput::Bytes(storage.len() as u64));
        group.bench_function("read", |b| b.iter(|| read(black_box(&storage))));
        group.bench_function("passes", |b| {
            b.iter_batched(
                || read(&storage),
                |document| passes(document, &attachments),
                BatchSize::SmallInput,
            )
        });
        group.bench_function("lower", |b| {
            b.iter(|| folio_pdf::lower_document(black_box(&document), &render))
        });
        group.bench_function("layout", |b| {
            b.iter_batched(
                forget_memoized,
                |()| {
                    engine
                        .layout(&document, &loaded, &render)
                        .expect("lays out")
                },
                BatchSize::PerIteration,
            )
        });
        group.bench_function("write-pdf", |b| {
            b.iter_batched(
                || {
                    engine
                        .layout(&document, &loaded, &render)
                        .expect("lays out")
                },
                |laid_out| engine.write_pdf(laid_out, &render).expect("writes"),
                BatchSize::PerIteration,
            )
        });
        group.bench_function("end-to-end", |b| {
            b.iter_batched(
                forget_memoized,
                |()| {
                    compiler
                        .compile(storage.as_bytes(), &attachments, &Options::default())
                        .expect("compiles")
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }
}

fn bench_document_sizes(c: &mut Criterion) {
    let compiler = Compiler::new(&EngineOptions::default());
    let mut group = c.benchmark_group("document");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    for pages in [1, 10, 100, 1000] {
        let storage = generated_document(pages);
        let pdf = compiler
            .compile(storage.as_bytes(), &Attachments::new(), &Options::default())
            .expect("compiles");
        eprintln!("document/{pages}: {} PDF pages", pdf.pages);
        group.throughput(Throughput::Elements(pdf.pages as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(pages),
            &storage,
            |b, storage| {
                b.iter_batched(
                    forget_memoized,
                    |()| {
                        compiler
                            .compile(storage.as_bytes(), &Attachments::new(), &Options::default())
                            .expect("compiles")
                    },
                    BatchSize::PerIteration,
                )
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_stages, bench_document_sizes);
criterion_main!(benches);
