//! Time of each stage — read, passes, lower, layout (typeset), PDF write — and of the whole
//! compile, on corpus pages and on generated documents of 1, 10, 100 and 1,000 pages.
//!
//! ```text
//! cargo bench -p folio --bench stages                 # everything (the 1,000-page run takes minutes)
//! cargo bench -p folio --bench stages -- stages/      # per stage, corpus pages
//! cargo bench -p folio --bench stages -- document/10  # one generated size
//! cargo bench -p folio --bench stages -- space-export # loading a space export's entities.xml
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

/// A space export's `entities.xml` of `pages` pages in a tree, each with two older versions (as
/// Confluence keeps them), a body per version, an attachment and a label.
fn generated_space_export(pages: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hibernate-generic datetime=\"2025-01-01 00:00:00\">\n\
         <object class=\"Space\" package=\"p\"><id name=\"id\">1</id><property name=\"key\"><![CDATA[GEN]]></property><property name=\"name\"><![CDATA[Generated]]></property></object>\n",
    );
    let reference = |name: &str, class: &str, id: String| {
        format!(
            "<property name=\"{name}\" class=\"{class}\" package=\"p\"><id name=\"id\">{id}</id></property>"
        )
    };
    for page in 0..pages {
        let id = 1000 + page;
        let parent =
            (page > 0).then(|| reference("parent", "Page", (1000 + (page - 1) / 4).to_string()));
        for version in 0..3 {
            let (object_id, original) = match version {
                0 => (id.to_string(), String::new()),
                v => (
                    format!("{id}0{v}"),
                    reference("originalVersion", "Page", id.to_string()),
                ),
            };
            xml.push_str(&format!(
                "<object class=\"Page\" package=\"p\"><id name=\"id\">{object_id}</id><property name=\"title\"><![CDATA[Page {page}]]></property><property name=\"contentStatus\"><![CDATA[current]]></property><property name=\"creationDate\">2024-01-01 10:00:00.000</property>{original}{}{}</object>\n",
                parent.clone().unwrap_or_default(),
                reference("space", "Space", "1".into()),
            ));
            xml.push_str(&format!(
                "<object class=\"BodyContent\" package=\"p\"><id name=\"id\">{object_id}9</id><property name=\"body\"><![CDATA[<h1>Page {page}</h1><p>Version {version} of a page with <strong>some</strong> text, a <ac:link><ri:page ri:content-title=\"Page 0\" /></ac:link> and an image.</p><ac:image><ri:attachment ri:filename=\"a.png\" /></ac:image><table><tbody><tr><th>Key</th><th>Value</th></tr><tr><td>a</td><td>b</td></tr></tbody></table>]]></property><property name=\"bodyType\">2</property>{}</object>\n",
                reference("content", "Page", object_id.clone()),
            ));
        }
        xml.push_str(&format!(
            "<object class=\"Attachment\" package=\"p\"><id name=\"id\">{id}7</id><property name=\"title\"><![CDATA[a.png]]></property><property name=\"version\">1</property>{}</object>\n\
             <object class=\"Labelling\" package=\"p\"><id name=\"id\">{id}8</id>{}{}</object>\n",
            reference("containerContent", "Page", id.to_string()),
            reference("label", "Label", "5".into()),
            reference("content", "Page", id.to_string()),
        ));
    }
    xml.push_str("<object class=\"Label\" package=\"p\"><id name=\"id\">5</id><property name=\"name\">generated</property></object>\n</hibernate-generic>\n");
    xml
}

/// Loading a space export as a bundle: `entities.xml` read, its current pages read into the IR.
fn bench_space_export(c: &mut Criterion) {
    let mut group = c.benchmark_group("space-export/load");
    group.sample_size(10);
    for pages in [100, 1000] {
        let mut files = std::collections::BTreeMap::new();
        files.insert(
            "entities.xml".to_owned(),
            generated_space_export(pages).into_bytes(),
        );
        group.throughput(Throughput::Bytes(files["entities.xml"].len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(pages), &files, |b, files| {
            b.iter(|| {
                let bundle = folio::load_bundle(files, &Options::default()).expect("loads");
                assert_eq!(bundle.pages.len(), pages);
                bundle.pages.len()
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_stages,
    bench_document_sizes,
    bench_space_export
);
criterion_main!(benches);
