//! Crawl benchmark: `cargo bench --bench crawl -- --pages 10000`.
//!
//! Generates a synthetic site (`pledgewatch::synth`), serves it from a
//! multi-threaded loopback server, and crawls it with `pledgewatch crawl`
//! (a child process, rate limit off; once with one request at a time to
//! the host, its default, once with eight) and with `wget --recursive`
//! (one connection), measuring
//! each child alone: pages per second, CPU milliseconds per page and peak
//! resident memory (`wait4` rusage). Runs at 2,000 and 10,000 pages too
//! (below `--pages`), to show whether memory stays flat as the site grows.

#[path = "../tests/integration/server.rs"]
#[allow(dead_code)]
mod server;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use server::{SiteOptions, SiteServer};

/// What one crawler run cost.
struct Measured {
    pages: usize,
    wall: Duration,
    cpu: Duration,
    peak_rss_kib: i64,
    status: i32,
}

impl Measured {
    fn pages_per_second(&self) -> f64 {
        self.pages as f64 / self.wall.as_secs_f64()
    }

    fn cpu_ms_per_page(&self) -> f64 {
        self.cpu.as_secs_f64() * 1000.0 / self.pages.max(1) as f64
    }
}

/// Waits for `child`, returning its own rusage (CPU and peak RSS).
fn wait_measured(child: Child, started: Instant) -> (i32, Duration, Duration, i64) {
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(waited, pid, "wait4 failed");
    let time = |value: libc::timeval| {
        Duration::from_secs(value.tv_sec as u64) + Duration::from_micros(value.tv_usec as u64)
    };
    let cpu = time(usage.ru_utime) + time(usage.ru_stime);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    // ru_maxrss is in KiB on Linux.
    (code, wall, cpu, usage.ru_maxrss)
}

/// Requests pledgewatch keeps in flight to the one benchmark host, in its
/// second run. wget uses one connection; the site has one host name, so
/// parallel fetching needs `concurrency_per_host` above its polite
/// default of 1, which the first run keeps.
const CONNECTIONS: usize = 8;

fn crawl_with_pledgewatch(work: &Path, server: &SiteServer, connections: usize) -> Measured {
    let work = work.join(format!("pledgewatch-{connections}"));
    std::fs::create_dir_all(&work).expect("work folder");
    let sources = work.join("sources.toml");
    std::fs::write(
        &sources,
        format!(
            "[crawl]\nuser_agent = \"pledgewatch-bench/0.1 (+https://synth.example/about)\"\nrequests_per_second = 1000000.0\nworkers = {CONNECTIONS}\nconcurrency_per_host = {connections}\n\n[crawl.resolve]\n\"synth.example\" = \"127.0.0.1:{}\"\n\n[[source]]\nname = \"synthetic\"\nkind = \"sitemap\"\nurl = \"{}sitemap.xml\"\n",
            server.port,
            pledgewatch::synth::BASE_URL
        ),
    )
    .expect("write sources");
    let output = work.join("pledgewatch-stdout.txt");
    let started = Instant::now();
    let child = Command::new(pledgewatch_binary())
        .args(["crawl", "--sources"])
        .arg(&sources)
        .arg("--corpus")
        .arg(work.join("corpus"))
        .env("RUST_LOG", "warn")
        .stdout(std::fs::File::create(&output).expect("stdout file"))
        .stderr(Stdio::null())
        .spawn()
        .expect("start pledgewatch crawl");
    let (status, wall, cpu, peak_rss_kib) = wait_measured(child, started);
    // "fetched N, unchanged N, skipped N, errors N, N bytes"
    let summary = std::fs::read_to_string(&output).unwrap_or_default();
    let pages = summary
        .split_once("fetched ")
        .and_then(|(_, rest)| rest.split(',').next())
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or(0);
    println!("  pledgewatch, {connections} per host: {}", summary.trim());
    Measured {
        pages,
        wall,
        cpu,
        peak_rss_kib,
        status,
    }
}

fn count_files(directory: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return 0;
    };
    let mut count = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            count += count_files(&path);
        } else {
            count += 1;
        }
    }
    count
}

fn crawl_with_wget(work: &Path, server: &SiteServer) -> Option<Measured> {
    let available = Command::new("wget")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !available {
        println!("  wget: SKIPPED, not installed (apt-get install -y wget)");
        return None;
    }
    let target = work.join("wget");
    let started = Instant::now();
    let child = Command::new("wget")
        .args([
            "--recursive",
            "--level=inf",
            "-e",
            "robots=on",
            "--no-verbose",
            "--directory-prefix",
        ])
        .arg(&target)
        .arg(format!("http://127.0.0.1:{}/", server.port))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start wget");
    let (status, wall, cpu, peak_rss_kib) = wait_measured(child, started);
    // Pages and PDFs, not robots.txt.
    let pages = count_files(&target).saturating_sub(1);
    Some(Measured {
        pages,
        wall,
        cpu,
        peak_rss_kib,
        status,
    })
}

fn report(name: &str, measured: &Measured) {
    println!(
        "  {name:<12} {:>6} pages  {:>8.1} pages/s  {:>7.3} CPU ms/page  {:>7.1} MiB peak RSS  (wall {:.2} s, exit {})",
        measured.pages,
        measured.pages_per_second(),
        measured.cpu_ms_per_page(),
        measured.peak_rss_kib as f64 / 1024.0,
        measured.wall.as_secs_f64(),
        measured.status
    );
}

fn run(pages: usize) {
    let work = tempfile::tempdir().expect("temp dir");
    let site = work.path().join("site");
    let started = Instant::now();
    pledgewatch::synth::generate_site(&site, pages, 42).expect("generate the site");
    println!(
        "\n{pages} pages (+{} PDFs) generated in {:.1} s under {}",
        pages / 10,
        started.elapsed().as_secs_f64(),
        site.display()
    );
    let server = SiteServer::start(SiteOptions {
        root: site,
        ..SiteOptions::default()
    });
    let polite = crawl_with_pledgewatch(work.path(), &server, 1);
    report("pw 1/host", &polite);
    let ours = crawl_with_pledgewatch(work.path(), &server, CONNECTIONS);
    report(&format!("pw {CONNECTIONS}/host"), &ours);
    if let Some(wget) = crawl_with_wget(work.path(), &server) {
        report("wget", &wget);
        let many = format!("{CONNECTIONS}/host");
        for (name, measured) in [("1/host", &polite), (many.as_str(), &ours)] {
            println!(
                "  ratio pledgewatch {name}/wget: {:.2}x pages/s, {:.2}x CPU ms/page, {:.2}x peak RSS",
                measured.pages_per_second() / wget.pages_per_second(),
                measured.cpu_ms_per_page() / wget.cpu_ms_per_page(),
                measured.peak_rss_kib as f64 / wget.peak_rss_kib as f64
            );
        }
    }
}

fn main() {
    // `cargo bench` passes --bench; under `cargo test` this is a smoke run
    let benchmarking = std::env::args().any(|argument| argument == "--bench");
    let mut pages = if benchmarking { 10_000 } else { 100 };
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        if argument == "--pages" {
            pages = arguments
                .next()
                .and_then(|value| value.parse().ok())
                .expect("--pages takes a number");
        }
    }
    println!("crawl benchmark: a synthetic site on loopback, rate limit off");
    if !benchmarking {
        println!("smoke run (no --bench): {pages} pages; `cargo bench --bench crawl` measures");
    }
    // 2,000 and 10,000 always (when --pages reaches them), to show
    // whether memory stays flat as the site grows.
    let mut sizes: Vec<usize> = [2_000, 10_000]
        .into_iter()
        .filter(|size| *size < pages)
        .collect();
    sizes.push(pages);
    for size in sizes {
        run(size);
    }
}

/// The `pledgewatch` binary: `PLEDGEWATCH_BIN` if set, else Cargo's. Set it
/// when several worktrees share one target folder, where Cargo's copy may
/// be another checkout's build.
fn pledgewatch_binary() -> std::path::PathBuf {
    std::env::var_os("PLEDGEWATCH_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_pledgewatch").into())
}
