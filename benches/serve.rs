//! Search serving: `cargo bench --bench serve -- [--docs N] [--reuse-index] [--seconds S]`.
//!
//! For each index (the bundled corpus, and a synthetic corpus of `--docs`
//! pages, default 100,000, shared with the ask benchmark), in one run:
//!
//! - the baseline: bare tantivy, in this process, one thread: the same
//!   queries parsed by `QueryParser` over title and body (fields only
//!   document records have) and a top-10 by score, no stored fields
//!   read; p50 and p99;
//! - `pledgewatch serve` (release, `--rate-limit 0`) under `wrk` on
//!   loopback (`-t1 -c8`, and `-c1` for `/api/search` alone: the time of
//!   one search with the server to itself; `--seconds` each, default 10), rotating over the
//!   same queries, for `/api/search` and for the `/search` page (after an
//!   unmeasured warm-up of up to 3 s): p50, p99 and requests/s as wrk
//!   reports them, and the server's anonymous memory (`RssAnon`, not the
//!   memory-mapped index) after the load.
//!
//! The queries mix single terms, AND, OR, phrases and a filter. `wrk` comes
//! from Debian's packages; without it the server part is skipped, saying
//! so. Under `cargo test` (no `--bench` argument) it is a smoke run on a
//! 300-page corpus with one-second loads.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tantivy::Index;
use tantivy::collector::TopDocs;
use tantivy::query::{Query, QueryParser};

#[path = "support/synthetic.rs"]
mod synthetic;

/// Mixed query shapes, in words the bundled and the synthetic corpora use.
const QUERIES: &[&str] = &[
    "nurses",
    "hospitals",
    "recruit nurses",
    "health AND hospitals",
    "nurses OR midwives",
    "\"new hospitals\"",
    "police officers",
    "schools OR teachers",
    "housing",
    "rail",
    "\"net zero\"",
    "waiting lists",
    "committee report recruitment",
    "nhs app",
    "publisher:\"Department of Health and Social Care\" hospitals",
    "target by 2025",
];

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let at = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[at]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Bare tantivy on the same index: (p50, p99, queries run).
fn bare_tantivy(index_dir: &Path, minimum: Duration) -> (Duration, Duration, usize) {
    let index = Index::open_in_dir(index_dir).expect("open the index");
    let schema = index.schema();
    let field = |name: &str| schema.get_field(name).expect("a field of the schema");
    let (title, body) = (field("title"), field("body"));
    let parser = QueryParser::for_index(&index, vec![title, body]);
    let searcher = index.reader().expect("reader").searcher();
    // only document records have title and body
    let queries: Vec<Box<dyn Query>> = QUERIES
        .iter()
        .map(|text| parser.parse_query_lenient(text).0)
        .collect();
    let collector = TopDocs::with_limit(10).order_by_score();
    let mut latencies = Vec::new();
    let started = Instant::now();
    while latencies.len() < QUERIES.len() || started.elapsed() < minimum {
        for query in &queries {
            let at = Instant::now();
            let top = searcher.search(query, &collector).expect("search");
            latencies.push(at.elapsed());
            std::hint::black_box(top);
        }
    }
    latencies.sort();
    (
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.len(),
    )
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(index_dir: &Path) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_pledgewatch"))
        .args(["serve", "--rate-limit", "0", "--addr"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--index")
        .arg(index_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start pledgewatch serve");
    let server = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if get(port, "/healthz").is_some_and(|response| response.starts_with("HTTP/1.1 200")) {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("pledgewatch serve did not answer /healthz");
}

/// `RssAnon` of a process, in MiB.
fn anonymous_memory(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("RssAnon:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// What wrk reported: (p50 ms, p99 ms, requests/s, non-2xx responses).
fn wrk(
    port: u16,
    path: &str,
    connections: u32,
    seconds: u64,
    scratch: &Path,
) -> Option<(f64, f64, f64, u64)> {
    let encoded: Vec<String> = QUERIES
        .iter()
        .map(|query| {
            let text: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
            format!("\"{path}?q={text}\"")
        })
        .collect();
    let script = scratch.join(format!("queries{}.lua", path.replace('/', "-")));
    std::fs::write(
        &script,
        format!(
            "local paths = {{{}}}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n",
            encoded.join(", ")
        ),
    )
    .expect("write the wrk script");
    let output = Command::new("wrk")
        .args(["-t1", &format!("-c{connections}"), "--latency", "-d"])
        .arg(format!("{seconds}s"))
        .arg("-s")
        .arg(&script)
        .arg(format!("http://127.0.0.1:{port}"))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let value = |prefix: &str| -> Option<String> {
        text.lines()
            .map(str::trim)
            .find(|line| line.starts_with(prefix))
            .and_then(|line| line.split_whitespace().nth(1).map(str::to_string))
    };
    let duration_ms = |text: String| -> Option<f64> {
        let (number, unit) = text.split_at(text.find(|c: char| c.is_alphabetic())?);
        let number: f64 = number.parse().ok()?;
        Some(match unit {
            "us" => number / 1000.0,
            "ms" => number,
            "s" => number * 1000.0,
            _ => return None,
        })
    };
    let failures = text
        .lines()
        .find(|line| line.contains("Non-2xx or 3xx responses:"))
        .and_then(|line| line.rsplit(':').next()?.trim().parse().ok())
        .unwrap_or(0);
    Some((
        duration_ms(value("50%")?)?,
        duration_ms(value("99%")?)?,
        value("Requests/sec:")?.parse().ok()?,
        failures,
    ))
}

fn bench_index(label: &str, index_dir: &Path, seconds: u64, minimum: Duration) {
    let documents = pledgewatch::index::Store::open(index_dir)
        .expect("open the index")
        .documents;
    println!("\n{label}: {documents} documents");
    let (bare_p50, bare_p99, runs) = bare_tantivy(index_dir, minimum);
    println!(
        "  bare tantivy (one thread, top 10)   p50 {:7.3} ms   p99 {:7.3} ms   ({runs} queries)",
        ms(bare_p50),
        ms(bare_p99)
    );
    let has_wrk = Command::new("wrk")
        .arg("--version")
        .output()
        .is_ok_and(|output| !output.stdout.is_empty() || !output.stderr.is_empty());
    if !has_wrk {
        println!("  SKIPPED the server under load: wrk is not installed (apt-get install wrk)");
        return;
    }
    let server = start_server(index_dir);
    let scratch = tempfile::tempdir().expect("scratch folder");
    // warm-up, not measured: the first searches fault the index's pages in
    // and wait for the spelling vocabulary the server builds at start
    let _ = wrk(
        server.port,
        "/api/search",
        8,
        seconds.min(3),
        scratch.path(),
    );
    // eight connections load both cores (throughput; latency then includes
    // queueing behind the other seven); one connection is the time a
    // search takes when it has the server to itself
    for (path, connections) in [("/api/search", 8), ("/search", 8), ("/api/search", 1)] {
        match wrk(server.port, path, connections, seconds, scratch.path()) {
            Some((p50, p99, rate, failures)) => {
                println!(
                    "  {path:12} under wrk -t1 -c{connections}       p50 {p50:7.3} ms   p99 {p99:7.3} ms   {rate:9.0} requests/s   (p50 {:.1}x bare tantivy){}",
                    p50 / ms(bare_p50).max(1e-6),
                    if failures > 0 {
                        format!("   {failures} non-2xx responses!")
                    } else {
                        String::new()
                    }
                );
                assert_eq!(failures, 0, "{path}: non-2xx responses under load");
            }
            None => println!("  {path}: wrk's report could not be read"),
        }
    }
    match anonymous_memory(server.child.id()) {
        Some(mib) => println!("  server anonymous memory (RssAnon) after the load: {mib:.1} MiB"),
        None => println!("  server memory: /proc not readable"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let benchmarking = args.iter().any(|arg| arg == "--bench");
    let reuse = args.iter().any(|arg| arg == "--reuse-index");
    let number = |name: &str| {
        args.iter()
            .position(|arg| arg == name)
            .and_then(|at| args.get(at + 1))
            .map(|value| value.parse::<u64>().expect("a number"))
    };
    let pages = number("--docs").unwrap_or(if benchmarking { 100_000 } else { 300 }) as usize;
    let seconds = number("--seconds").unwrap_or(if benchmarking { 10 } else { 1 });
    let minimum = Duration::from_secs(if benchmarking { 3 } else { 0 });
    println!(
        "search serving benchmark: {} queries (terms, AND, OR, phrases, a filter), {seconds} s of wrk per endpoint",
        QUERIES.len()
    );

    let bundled = tempfile::tempdir().expect("scratch folder");
    let bundled_index = bundled.path().join("index");
    pledgewatch::index::build(&repo_root().join("corpus"), &bundled_index, None, false)
        .expect("index the bundled corpus");
    bench_index("bundled corpus", &bundled_index, seconds, minimum);

    let synthetic = synthetic::synthetic_index(pages, reuse);
    bench_index(
        &format!("synthetic corpus ({pages} pages, seed {})", synthetic::SEED),
        &synthetic,
        seconds,
        minimum,
    );
}
