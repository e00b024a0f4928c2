//! A bounded load test of the render service on loopback. The service runs in a child process
//! (this program again, in server mode) on 127.0.0.1 and a real port, so that its memory is
//! measured apart from the client's; the client sends a fixed mix of requests from a fixed
//! number of threads, checks every answer, and reports latency percentiles, throughput and the
//! server's memory. It stops by itself.
//!
//! ```sh
//! cargo run --release -p folio-server --example load
//! cargo run --release -p folio-server --example load -- --requests 500 --concurrency 16 --workers 2
//! cargo run --release -p folio-server --example load -- --workers 1 --verify-text 0   # sizing
//! ```
//!
//! Flags take numbers: `--requests`, `--concurrency`, `--workers`, `--large-rows`, `--rounds`,
//! `--verify-text` (0 or 1).

#[path = "../../tests/common/client.rs"]
#[allow(dead_code)]
mod client;
mod run;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use folio::{Compiler, EngineOptions};
use folio_server::{App, AuthConfig, Config, Limits};

const SERVER_MODE: &str = "FOLIO_LOAD_SERVER_WORKERS";

struct Args {
    requests: usize,
    concurrency: usize,
    workers: usize,
    large_rows: usize,
    rounds: usize,
    verify_text: bool,
}

fn args() -> Args {
    let mut args = Args {
        requests: 500,
        concurrency: 16,
        workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
        large_rows: 300,
        rounds: 2,
        verify_text: true,
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let value: usize = given
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{flag} takes a number"));
        match flag.as_str() {
            "--requests" => args.requests = value,
            "--concurrency" => args.concurrency = value,
            "--workers" => args.workers = value,
            "--large-rows" => args.large_rows = value,
            "--rounds" => args.rounds = value,
            "--verify-text" => args.verify_text = value != 0,
            _ => panic!("unknown flag {flag}"),
        }
    }
    args
}

fn main() {
    if let Ok(workers) = std::env::var(SERVER_MODE) {
        serve(workers.parse().expect("a worker count"));
        return;
    }
    let args = args();
    let mut server = Command::new(std::env::current_exe().unwrap())
        .env(SERVER_MODE, args.workers.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server process starts");
    let pid = server.id().to_string();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let addr: std::net::SocketAddr = lines
        .next()
        .and_then(|line| line.ok())
        .and_then(|line| line.parse().ok())
        .expect("the server prints its address");
    let (rss_start, _) = run::memory_mib(&pid);
    println!(
        "folio-server load test on {addr}: {} requests × {} rounds, {} concurrent, {} workers, large pages of {} rows, text {}",
        args.requests,
        args.rounds,
        args.concurrency,
        args.workers,
        args.large_rows,
        if args.verify_text {
            "checked"
        } else {
            "not checked"
        }
    );
    // Warm up: first-use costs (font parsing, Typst's caches) are not what is measured.
    let warmup = run::run(
        addr,
        &run::Plan {
            requests: 20,
            concurrency: 2,
            large_rows: args.large_rows,
            verify_text: true,
        },
    );
    assert!(warmup.failures.is_empty(), "warm-up failed:\n{warmup}");
    let (rss_warm, _) = run::memory_mib(&pid);
    println!("server RSS: {rss_start:.0} MiB at start, {rss_warm:.0} MiB after warm-up");

    let mut failed = false;
    for round in 1..=args.rounds {
        let report = run::run(
            addr,
            &run::Plan {
                requests: args.requests,
                concurrency: args.concurrency,
                large_rows: args.large_rows,
                verify_text: args.verify_text,
            },
        );
        std::thread::sleep(Duration::from_millis(500));
        let (rss, peak) = run::memory_mib(&pid);
        println!("round {round}:\n{report}server RSS after: {rss:.0} MiB (peak {peak:.0} MiB)");
        failed |= !report.failures.is_empty();
    }
    // Closing its standard input stops the server gracefully.
    drop(server.stdin.take());
    let status = server.wait().unwrap();
    assert!(status.success(), "the server exits cleanly");
    if failed {
        eprintln!("some answers were wrong");
        std::process::exit(1);
    }
}

/// Server mode: serve on 127.0.0.1, print the address, stop when standard input closes.
fn serve(workers: usize) {
    let compiler = Arc::new(Compiler::new(&EngineOptions {
        system_fonts: false,
    }));
    let config = Config {
        workers,
        queue: 256,
        max_wait: Duration::from_secs(120),
        limits: Limits {
            max_body_bytes: run::BODY_LIMIT,
            time_budget: Duration::from_secs(120),
            ..Limits::default()
        },
        auth: AuthConfig {
            insecure_no_auth: true,
            ..AuthConfig::default()
        },
        system_fonts: false,
    };
    let app = App::with_compiler(config, compiler).expect("valid configuration");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            println!("{}", listener.local_addr()?);
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            std::thread::spawn(move || {
                let _ = std::io::stdin().read_to_end(&mut Vec::new());
                let _ = stop.send(());
            });
            let shutdown = async move {
                let _ = stopped.await;
            };
            folio_server::serve(listener, app, shutdown, Duration::from_secs(30)).await
        })
        .expect("the server runs");
}
