//! The crawl stage against a real HTTP server on loopback serving the demo
//! site, reached through `[crawl.resolve]`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pledgewatch::corpus::warc;
use pledgewatch::crawl::state::{self, UrlState};
use pledgewatch::crawl::{self, CrawlOptions};

use crate::server::{Reply, SiteOptions, SiteServer};

fn site() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join("site")
}

/// The sitemap the test crawls: the demo site's, plus a URL robots.txt disallows.
fn test_sitemap() -> String {
    let sitemap = std::fs::read_to_string(site().join("sitemap.xml")).unwrap();
    sitemap.replace(
        "</urlset>",
        "  <url><loc>https://pledgewatch.example/search?q=nhs</loc></url>\n</urlset>",
    )
}

/// The demo site with the test sitemap; `/search` is not there.
fn serve_site(sitemap: String, delay: Duration) -> SiteServer {
    SiteServer::start(SiteOptions {
        root: site(),
        replace: HashMap::from([("/sitemap.xml".to_string(), sitemap.into_bytes())]),
        hidden: vec!["/search".into()],
        delay,
        log_requests: true,
        ..SiteOptions::default()
    })
}

fn sitemap_urls(sitemap: &str) -> Vec<String> {
    sitemap
        .lines()
        .filter_map(|line| {
            Some(
                line.split_once("<loc>")?
                    .1
                    .split_once("</loc>")?
                    .0
                    .to_string(),
            )
        })
        .collect()
}

fn site_file(url: &str) -> Vec<u8> {
    let path = url.trim_start_matches("https://pledgewatch.example/");
    std::fs::read(site().join(path)).unwrap_or_else(|error| panic!("{url}: {error}"))
}

fn write_sources(path: &Path, port: u16, requests_per_second: f64) {
    write_sources_with(path, port, requests_per_second, "");
}

/// The demo site's sources file with `extra` lines in `[crawl]`.
fn write_sources_with(path: &Path, port: u16, requests_per_second: f64, extra: &str) {
    std::fs::write(
        path,
        format!(
            "[crawl]\nuser_agent = \"pledgewatch-test/0.1 (+https://pledgewatch.example/about)\"\nrequests_per_second = {requests_per_second:?}\n{extra}\n\n[crawl.resolve]\n\"pledgewatch.example\" = \"127.0.0.1:{port}\"\n\n[[source]]\nname = \"demo\"\nkind = \"sitemap\"\nurl = \"https://pledgewatch.example/sitemap.xml\"\n"
        ),
    )
    .unwrap();
}

pub(crate) fn warc_files(corpus: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus.join("crawl").join("warc"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn crawls_the_demo_site_through_its_sitemap() {
    let server = serve_site(test_sitemap(), Duration::ZERO);
    let work = tempfile::tempdir().unwrap();
    let sources = work.path().join("sources.toml");
    write_sources(&sources, server.port, 1000.0);
    let corpus = work.path().join("corpus");
    let options = CrawlOptions {
        sources,
        corpus: corpus.clone(),
        max_pages: None,
        dry_run: false,
        progress_bar: false,
    };

    let sitemap = std::fs::read_to_string(site().join("sitemap.xml")).unwrap();
    let expected = sitemap_urls(&sitemap);
    assert!(expected.len() > 10);

    let first = crawl::run(&options).unwrap();
    assert_eq!(first.fetched, expected.len(), "{first:?}");
    assert_eq!(first.errors, 0, "{first:?}");
    assert_eq!(first.skipped, 1, "the disallowed /search URL: {first:?}");
    assert!(
        !server
            .requests()
            .iter()
            .any(|target| target.starts_with("/search")),
        "a disallowed URL was requested"
    );

    let files = warc_files(&corpus);
    assert_eq!(files.len(), 1);
    let (captures, problems) = warc::read_responses(&files[0]).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(captures.len(), expected.len());
    for url in &expected {
        let capture = captures
            .iter()
            .find(|capture| &capture.url == url)
            .unwrap_or_else(|| panic!("{url} not captured"));
        assert_eq!(capture.body, site_file(url), "{url}");
        assert!(!capture.illustrative);
        assert_eq!(capture.captured.len(), 10);
    }
    let state = state::read_all(&state::state_path(&corpus)).unwrap();
    assert!(state.values().any(|entry| entry.etag.is_some()));

    // A recrawl sends If-None-Match, gets 304s and writes revisits only.
    let second = crawl::run(&options).unwrap();
    assert_eq!(second.fetched, 0, "{second:?}");
    assert_eq!(second.unchanged, expected.len(), "{second:?}");
    let files = warc_files(&corpus);
    assert_eq!(files.len(), 2);
    let (heads, problems) = warc::scan(&files[1]).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        heads.iter().filter(|head| head.kind == "response").count(),
        0
    );
    assert_eq!(
        heads.iter().filter(|head| head.kind == "revisit").count(),
        expected.len()
    );
    // The first file still holds the captures; the revisits add none.
    let (captures, problems) = warc::read_responses(&files[1]).unwrap();
    assert!(captures.is_empty() && problems.is_empty());
    // The corpus reads them through the crawl directory.
    let (all, skipped) = pledgewatch::corpus::captures(&corpus).unwrap();
    assert_eq!(all.len(), expected.len(), "{skipped:?}");
    // Standard tools read both files: responses, requests and revisits.
    for file in &files {
        warcio_accepts(file);
    }
    assert!(
        !server
            .requests()
            .iter()
            .any(|target| target.starts_with("/search"))
    );
}

#[test]
fn dry_run_and_bad_user_agent() {
    let work = tempfile::tempdir().unwrap();
    let sources = work.path().join("sources.toml");
    std::fs::write(
        &sources,
        "[crawl]\nuser_agent = \"pledgewatch/0.1 (+https://pledgewatch.example/about)\"\n\n[[source]]\nname = \"demo\"\nkind = \"sitemap\"\nurl = \"https://pledgewatch.example/sitemap.xml\"\n",
    )
    .unwrap();
    let options = CrawlOptions {
        sources: sources.clone(),
        corpus: work.path().join("corpus"),
        max_pages: Some(3),
        dry_run: true,
        progress_bar: false,
    };
    assert_eq!(
        crawl::run(&options).unwrap(),
        crawl::CrawlSummary::default()
    );
    assert!(!work.path().join("corpus").exists());
    std::fs::write(&sources, "[crawl]\nuser_agent = \"pledgewatch\"\n").unwrap();
    assert!(crawl::run(&options).is_err());
}

/// The `warcio` command line (through python3, which has no `-m warcio`) with these arguments, or `None` when warcio is not
/// installed (the test is then skipped with a message).
fn warcio(arguments: &[&str]) -> Option<std::process::Output> {
    let available = Command::new("python3")
        .args(["-c", "import warcio"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !available {
        return None;
    }
    Some(
        Command::new("python3")
            .args([
                "-c",
                "import sys; from warcio.cli import main; main(sys.argv[1:])",
            ])
            .args(arguments)
            .output()
            .expect("run the warcio command line"),
    )
}

/// `warcio check` (digests) and `warcio index` (every record parses) succeed.
pub(crate) fn warcio_accepts(file: &Path) {
    let path = file.to_str().unwrap();
    let Some(check) = warcio(&["check", "-v", path]) else {
        eprintln!(
            "SKIPPED warcio checks: python3 module warcio not installed (pip install warcio; ./scripts/test does)"
        );
        return;
    };
    let check_output = String::from_utf8_lossy(&check.stdout).into_owned()
        + &String::from_utf8_lossy(&check.stderr);
    assert!(
        check.status.success(),
        "warcio check {path} failed:\n{check_output}"
    );
    assert!(
        !check_output.contains("digest failed"),
        "warcio check {path}:\n{check_output}"
    );
    let index = warcio(&[
        "index",
        "-f",
        "warc-type,warc-target-uri,length,offset",
        path,
    ])
    .expect("warcio is installed");
    let index_output = String::from_utf8_lossy(&index.stdout);
    assert!(
        index.status.success(),
        "warcio index {path} failed:\n{index_output}{}",
        String::from_utf8_lossy(&index.stderr)
    );
    let (heads, _) = warc::scan(file).unwrap();
    assert_eq!(
        index_output.lines().count(),
        heads.len(),
        "warcio index lists every record:\n{index_output}"
    );
}

/// xorshift64*: the crash test's kill points, repeatable from the seed it prints.
struct Xorshift(u64);

impl Xorshift {
    /// Spreads the seed's bits (splitmix64) so nearby seeds differ at once.
    fn new(seed: u64) -> Xorshift {
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Xorshift((z ^ (z >> 31)) | 1)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % bound.max(1)
    }
}

/// Runs the real binary, SIGKILLs it part-way at random points again and
/// again, then lets one run finish, and checks the archive and the state.
#[test]
fn crawl_survives_sigkill_at_random_points() {
    let seed = std::env::var("PLEDGEWATCH_CRASH_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("crash test seed {seed} (PLEDGEWATCH_CRASH_SEED={seed} repeats it)");
    let mut random = Xorshift::new(seed);

    // Without the PDFs in the sitemap, they are found only through the
    // links of the NAO pages, and fetched last: a kill loses the queue.
    let sitemap: String = test_sitemap()
        .lines()
        .filter(|line| !line.contains(".pdf<"))
        .map(|line| format!("{line}\n"))
        .collect();
    let pages = sitemap_urls(&sitemap);
    let attachments: Vec<String> = sitemap_urls(&test_sitemap())
        .into_iter()
        .filter(|url| url.ends_with(".pdf"))
        .collect();
    assert!(!attachments.is_empty());
    let server = serve_site(sitemap, Duration::from_millis(4));
    let work = tempfile::tempdir().unwrap();
    let sources = work.path().join("sources.toml");
    write_sources(&sources, server.port, 500.0);
    let corpus = work.path().join("corpus");
    let crawl_command = || {
        let mut command = Command::new(pledgewatch_binary());
        command
            .args(["crawl", "--sources"])
            .arg(&sources)
            .arg("--corpus")
            .arg(&corpus)
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    };
    // robots.txt, the sitemap, the pages but the disallowed one, the PDFs.
    let requests_per_run = 2 + (pages.len() - 1) + attachments.len();

    let mut kills = 0;
    let mut attempts = 0;
    while kills < 6 {
        attempts += 1;
        assert!(attempts < 40, "could not kill the crawl part-way");
        // The first kill falls among the PDFs, found on pages archived
        // in this run; the others anywhere part-way.
        let kill_after = if kills == 0 {
            requests_per_run - attachments.len()
                + random.below(attachments.len() as u64 - 1) as usize
        } else {
            3 + random.below(requests_per_run as u64 - 5) as usize
        };
        // Every other run keeps four requests in flight: a kill then
        // lands with several answers pending.
        if attempts % 2 == 0 {
            write_sources_with(&sources, server.port, 500.0, "concurrency_per_host = 4");
        } else {
            write_sources(&sources, server.port, 500.0);
        }
        let requests_before = server.requests().len();
        let mut child = crawl_command().spawn().expect("start pledgewatch crawl");
        let deadline = Instant::now() + Duration::from_secs(60);
        while server.requests().len() - requests_before < kill_after {
            if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        // Somewhere while the response is awaited, archived or recorded.
        std::thread::sleep(Duration::from_micros(random.below(8000)));
        if child.try_wait().unwrap().is_some() {
            continue; // finished before the kill point: not part-way
        }
        child.kill().expect("SIGKILL the crawl");
        child.wait().unwrap();
        kills += 1;
        let served = server.requests().len() - requests_before;
        eprintln!("kill {kills}: after request {served} of {requests_per_run}");
        assert!(served < requests_per_run, "the crawl was not part-way");
        // What a kill leaves must load.
        state::read_all(&state::state_path(&corpus)).expect("state loads after a kill");
    }
    // bounded: a crawl that never ends fails the test instead of hanging it
    let mut final_run = crawl_command().spawn().expect("start the final crawl");
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(status) = final_run.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            final_run.kill().ok();
            panic!("the final crawl did not finish within 300 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "the final crawl failed: {status}");

    // Every page and attachment is captured, and every capture read back
    // is exactly what the server sent: nothing torn is taken as valid.
    let (captures, skipped) = pledgewatch::corpus::captures(&corpus).unwrap();
    eprintln!(
        "{} captures, {} problems reported: {skipped:?}",
        captures.len(),
        skipped.len()
    );
    let mut captured: BTreeMap<&str, usize> = BTreeMap::new();
    for capture in &captures {
        assert_eq!(capture.body, site_file(&capture.url), "{}", capture.url);
        *captured.entry(capture.url.as_str()).or_default() += 1;
    }
    for url in pages.iter().chain(&attachments) {
        if url.contains("/search") {
            assert!(!captured.contains_key(url.as_str()));
            continue;
        }
        assert!(captured.contains_key(url.as_str()), "{url} not captured");
    }
    // The last, uninterrupted run's file is whole.
    let files = warc_files(&corpus);
    let (_, problems) = warc::read_responses(files.last().unwrap()).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    warcio_accepts(files.last().unwrap());

    // A kill rarely lands inside a write, so also cut a copy of the
    // biggest file at random points: what precedes the cut reads back,
    // the torn record is reported and never returned.
    let biggest = files
        .iter()
        .max_by_key(|file| std::fs::metadata(file).unwrap().len())
        .unwrap();
    let whole = std::fs::read(biggest).unwrap();
    let (all_captures, _) = warc::read_responses(biggest).unwrap();
    for _ in 0..5 {
        let cut = 1 + random.below(whole.len() as u64 - 1) as usize;
        let torn = work.path().join("torn.warc.gz");
        std::fs::write(&torn, &whole[..cut]).unwrap();
        let (kept, problems) = warc::read_responses(&torn).unwrap();
        for capture in &kept {
            assert_eq!(capture.body, site_file(&capture.url), "cut at {cut}");
        }
        let whole_records = all_captures
            .iter()
            .filter(|capture| capture.location.parse::<usize>().is_ok_and(|at| at < cut))
            .count();
        assert!(kept.len() + 1 >= whole_records, "cut at {cut}");
        assert!(kept.len() <= whole_records, "cut at {cut}");
        let (heads, _) = warc::scan(&torn).unwrap();
        let (whole_heads, _) = warc::scan(biggest).unwrap();
        let on_boundary = whole_heads
            .iter()
            .any(|head| head.offset == cut.to_string());
        if heads.len() < whole_heads.len() && !on_boundary {
            assert!(!problems.is_empty(), "cut at {cut}: torn tail not reported");
        }
    }

    // Every state entry points at a good capture of its own URL.
    let state_path = state::state_path(&corpus);
    let state = state::read_all(&state_path).unwrap();
    assert_eq!(
        std::fs::metadata(state::journal_path(&state_path))
            .map(|metadata| metadata.len())
            .unwrap_or(0),
        0,
        "a finished crawl commits its journal to the store"
    );
    for url in pages.iter().chain(&attachments) {
        if url.contains("/search") {
            continue;
        }
        let entry = state
            .get(url)
            .unwrap_or_else(|| panic!("no state for {url}"));
        assert!(entry.payload_digest.is_some(), "{url}: {entry:?}");
    }
    for (url, entry) in &state {
        let (Some(file), Some(offset)) = (&entry.warc_file, entry.warc_offset) else {
            assert!(entry.payload_digest.is_none(), "{url}: {entry:?}");
            continue;
        };
        let stored = warc::read_response_at(&corpus.join(file), offset)
            .unwrap_or_else(|error| panic!("{url}: state points at {file}#{offset}: {error}"));
        assert_eq!(&stored.capture.url, url);
        assert_eq!(stored.record_id, entry.record_id, "{url}");
        assert_eq!(stored.payload_digest, entry.payload_digest, "{url}");
        assert_eq!(stored.capture.body, site_file(url), "{url}");
    }
}

/// Crawling the demo site and indexing the crawl alone gives the same
/// documents and commitments as indexing the bundled files.
#[test]
fn indexing_a_crawl_matches_indexing_the_bundled_site() {
    let server = serve_site(test_sitemap(), Duration::ZERO);
    let work = tempfile::tempdir().unwrap();
    let sources = work.path().join("sources.toml");
    write_sources(&sources, server.port, 1000.0);
    let crawled = work.path().join("crawled");
    crawl::run(&CrawlOptions {
        sources,
        corpus: crawled.clone(),
        max_pages: None,
        dry_run: false,
        progress_bar: false,
    })
    .unwrap();
    assert!(!crawled.join("site.toml").exists());
    let crawled_index = work.path().join("crawled-index");
    // editorial overrides are corpus data, not crawled: the same file applies
    std::fs::copy(
        crate::support::corpus_dir().join("overrides.toml"),
        crawled.join("overrides.toml"),
    )
    .unwrap();
    let report = pledgewatch::index::build(&crawled, &crawled_index, None, false).unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let crawled_store = pledgewatch::index::Store::open(&crawled_index).unwrap();
    let bundled_store = crate::support::demo_store();

    let (bundled_captures, _) =
        pledgewatch::corpus::captures(&crate::support::corpus_dir()).unwrap();
    let mut documents = 0;
    for capture in &bundled_captures {
        let Ok(document) = pledgewatch::extract::extract(capture) else {
            continue;
        };
        let bundled = bundled_store.document(&document.id).unwrap().unwrap();
        let crawled = crawled_store
            .document(&document.id)
            .unwrap()
            .unwrap_or_else(|| panic!("{} not in the crawled index", document.url));
        assert_eq!(crawled.url, bundled.url);
        assert_eq!(crawled.title, bundled.title, "{}", bundled.url);
        documents += 1;
    }
    assert!(documents > 10);
    assert_eq!(crawled_store.documents, bundled_store.documents);

    let verdicts = |store: &pledgewatch::index::Store| -> BTreeMap<String, String> {
        store
            .commitments
            .iter()
            .map(|commitment| {
                (
                    commitment.id.clone(),
                    commitment.verdict.status.as_str().to_string(),
                )
            })
            .collect()
    };
    let bundled_verdicts = verdicts(&bundled_store);
    assert!(!bundled_verdicts.is_empty());
    assert_eq!(verdicts(&crawled_store), bundled_verdicts);
    assert_eq!(crawled_store.as_of, bundled_store.as_of);
}

/// The `pledgewatch` binary: `PLEDGEWATCH_BIN` if set, else Cargo's. Set it
/// when several worktrees share one target folder, where Cargo's copy may
/// be another checkout's build.
fn pledgewatch_binary() -> std::path::PathBuf {
    std::env::var_os("PLEDGEWATCH_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_pledgewatch").into())
}

// Failure modes, against scripted answers on loopback.

const HOST: &str = "https://pledgewatch.example";

fn html(title: &str) -> Vec<u8> {
    format!(
        "<!doctype html><html><head><title>{title}</title></head><body><p>{title}</p></body></html>"
    )
    .into_bytes()
}

fn urlset(paths: &[&str]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in paths {
        out.push_str(&format!("  <url><loc>{HOST}{path}</loc></url>\n"));
    }
    out.push_str("</urlset>\n");
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// A server answering `replace` and `script` only (everything else 404s).
fn serve(replace: Vec<(&str, Vec<u8>)>, script: Vec<(&str, Vec<Reply>)>) -> SiteServer {
    SiteServer::start(SiteOptions {
        root: PathBuf::from("/nonexistent-pledgewatch-test-root"),
        replace: replace
            .into_iter()
            .map(|(path, body)| (path.to_string(), body))
            .collect(),
        script: script
            .into_iter()
            .map(|(path, replies)| (path.to_string(), replies))
            .collect(),
        log_requests: true,
        ..SiteOptions::default()
    })
}

/// A finished crawl of `sitemap` (a path on the test host) with extra
/// `[crawl]` lines.
struct Crawled {
    _work: tempfile::TempDir,
    corpus: PathBuf,
    summary: crawl::CrawlSummary,
}

impl Crawled {
    fn captured_urls(&self) -> Vec<String> {
        let directory = self.corpus.join("crawl").join("warc");
        if !directory.exists() {
            return Vec::new();
        }
        let mut urls = Vec::new();
        for file in warc_files(&self.corpus) {
            let (captures, problems) = warc::read_responses(&file).unwrap();
            assert!(problems.is_empty(), "{problems:?}");
            urls.extend(captures.into_iter().map(|capture| capture.url));
        }
        urls.sort();
        urls
    }

    fn state(&self) -> BTreeMap<String, UrlState> {
        state::read_all(&state::state_path(&self.corpus)).unwrap()
    }
}

fn crawl_sitemap(server: &SiteServer, sitemap: &str, extra: &str) -> Crawled {
    let work = tempfile::tempdir().unwrap();
    let sources = work.path().join("sources.toml");
    std::fs::write(
        &sources,
        format!(
            "[crawl]\nuser_agent = \"pledgewatch-test/0.1 (+https://pledgewatch.example/about)\"\nrequests_per_second = 1000.0\n{extra}\n\n[crawl.resolve]\n\"pledgewatch.example\" = \"127.0.0.1:{}\"\n\n[[source]]\nname = \"test\"\nkind = \"sitemap\"\nurl = \"{HOST}{sitemap}\"\n",
            server.port
        ),
    )
    .unwrap();
    let corpus = work.path().join("corpus");
    let summary = crawl::run(&CrawlOptions {
        sources,
        corpus: corpus.clone(),
        max_pages: None,
        dry_run: false,
        progress_bar: false,
    })
    .unwrap();
    Crawled {
        _work: work,
        corpus,
        summary,
    }
}

fn url(path: &str) -> String {
    format!("{HOST}{path}")
}

#[test]
fn crawl_retries_a_429_after_its_retry_after() {
    let server = serve(
        vec![
            (
                "/sitemap.xml",
                urlset(&["/busy.html", "/ok.html"]).into_bytes(),
            ),
            ("/ok.html", html("ok")),
        ],
        vec![(
            "/busy.html",
            vec![
                Reply::new(429).header("Retry-After", "1"),
                Reply::new(200)
                    .header("Content-Type", "text/html")
                    .body(html("busy")),
            ],
        )],
    );
    let crawled = crawl_sitemap(&server, "/sitemap.xml", "");
    let times = server.times_of("/busy.html");
    assert_eq!(times.len(), 2, "{:?}", server.requests());
    let gap = times[1] - times[0];
    assert!(gap >= Duration::from_millis(900), "retried after {gap:?}");
    assert!(gap < Duration::from_secs(3), "retried after {gap:?}");
    assert_eq!(crawled.summary.fetched, 2, "{:?}", crawled.summary);
    assert_eq!(crawled.summary.errors, 0, "{:?}", crawled.summary);
    assert_eq!(
        crawled.captured_urls(),
        vec![url("/busy.html"), url("/ok.html")]
    );
}

#[test]
fn crawl_retries_5xx_a_bounded_number_of_times() {
    let failure = || Reply::new(500).header("Retry-After", "0");
    let server = serve(
        vec![
            (
                "/sitemap.xml",
                urlset(&["/down.html", "/flaky.html", "/ok.html"]).into_bytes(),
            ),
            ("/ok.html", html("ok")),
        ],
        vec![
            ("/down.html", vec![failure()]),
            (
                "/flaky.html",
                vec![
                    failure(),
                    failure(),
                    Reply::new(200)
                        .header("Content-Type", "text/html")
                        .body(html("flaky")),
                ],
            ),
        ],
    );
    let crawled = crawl_sitemap(&server, "/sitemap.xml", "");
    // One attempt and three retries.
    assert_eq!(server.times_of("/down.html").len(), 4);
    assert_eq!(server.times_of("/flaky.html").len(), 3);
    assert_eq!(crawled.summary.fetched, 2, "{:?}", crawled.summary);
    assert_eq!(crawled.summary.errors, 1, "{:?}", crawled.summary);
    assert_eq!(
        crawled.captured_urls(),
        vec![url("/flaky.html"), url("/ok.html")]
    );
    assert_eq!(crawled.state()[&url("/down.html")].status, 500);
}

#[test]
fn crawl_follows_redirect_chains_up_to_the_bound() {
    let moved = |to: &str| vec![Reply::new(301).header("Location", to)];
    let mut script = vec![
        ("/old.html", moved("/older.html")),
        ("/older.html", moved(&url("/new.html"))),
        ("/loop-a.html", moved("/loop-b.html")),
        ("/loop-b.html", moved("/loop-a.html")),
    ];
    let hops: Vec<String> = (0..=crawl::MAX_REDIRECTS + 1)
        .map(|hop| format!("/hop{hop}.html"))
        .collect();
    for pair in hops.windows(2) {
        script.push((pair[0].as_str(), moved(&pair[1])));
    }
    let server = serve(
        vec![
            (
                "/sitemap.xml",
                urlset(&["/old.html", "/loop-a.html", "/hop0.html", "/ok.html"]).into_bytes(),
            ),
            ("/new.html", html("new")),
            ("/ok.html", html("ok")),
        ],
        script,
    );
    let crawled = crawl_sitemap(&server, "/sitemap.xml", "");
    assert_eq!(
        crawled.captured_urls(),
        vec![url("/new.html"), url("/ok.html")]
    );
    let state = crawled.state();
    assert_eq!(state[&url("/old.html")].status, 301);
    assert_eq!(
        state[&url("/old.html")].redirect_to.as_deref(),
        Some(url("/older.html").as_str())
    );
    assert_eq!(
        state[&url("/older.html")].redirect_to.as_deref(),
        Some(url("/new.html").as_str())
    );
    // The loop is fetched once each way and stops.
    assert_eq!(server.times_of("/loop-a.html").len(), 1);
    assert_eq!(server.times_of("/loop-b.html").len(), 1);
    // MAX_REDIRECTS hops are followed, the next is not.
    for hop in &hops[..=crawl::MAX_REDIRECTS] {
        assert_eq!(server.times_of(hop).len(), 1, "{hop}");
    }
    assert!(server.times_of(&hops[crawl::MAX_REDIRECTS + 1]).is_empty());
    assert_eq!(crawled.summary.fetched, 2, "{:?}", crawled.summary);
    assert_eq!(
        crawled.summary.errors, 2,
        "the bound and the loop: {:?}",
        crawled.summary
    );
}

#[test]
fn crawl_delay_spaces_requests_to_a_host() {
    let server = serve(
        vec![
            ("/robots.txt", b"User-agent: *\nCrawl-delay: 1\n".to_vec()),
            ("/sitemap.xml", urlset(&["/a.html", "/b.html"]).into_bytes()),
            ("/a.html", html("a")),
            ("/b.html", html("b")),
        ],
        vec![],
    );
    let crawled = crawl_sitemap(&server, "/sitemap.xml", "");
    assert_eq!(crawled.summary.fetched, 2, "{:?}", crawled.summary);
    let log = server.timed_log.lock().unwrap().clone();
    let times: Vec<Instant> = log
        .iter()
        .filter(|(_, target)| target != "/robots.txt")
        .map(|(at, _)| *at)
        .collect();
    assert_eq!(times.len(), 3, "{log:?}");
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= Duration::from_millis(900), "requests {gap:?} apart");
    }
}

#[test]
fn crawl_gives_up_a_page_slower_than_the_timeout() {
    let server = serve(
        vec![
            (
                "/sitemap.xml",
                urlset(&["/slow.html", "/ok.html"]).into_bytes(),
            ),
            ("/ok.html", html("ok")),
        ],
        vec![(
            "/slow.html",
            vec![
                Reply::new(200)
                    .header("Content-Type", "text/html")
                    .body(html("slow"))
                    .delay(Duration::from_secs(3)),
            ],
        )],
    );
    let started = Instant::now();
    let crawled = crawl_sitemap(&server, "/sitemap.xml", "timeout_seconds = 1");
    assert!(
        started.elapsed() < Duration::from_millis(2800),
        "{:?}",
        started.elapsed()
    );
    // Not retried: a timeout already cost a whole timeout.
    assert_eq!(server.times_of("/slow.html").len(), 1);
    assert_eq!(crawled.summary.errors, 1, "{:?}", crawled.summary);
    assert_eq!(crawled.captured_urls(), vec![url("/ok.html")]);
}

#[test]
fn crawl_does_not_store_an_oversized_body() {
    let big = format!("<html><body>{}</body></html>", "x".repeat(5000)).into_bytes();
    let server = serve(
        vec![
            (
                "/sitemap.xml",
                urlset(&["/big.html", "/ok.html"]).into_bytes(),
            ),
            ("/big.html", big),
            ("/ok.html", html("ok")),
        ],
        vec![],
    );
    let crawled = crawl_sitemap(&server, "/sitemap.xml", "max_body_bytes = 2000");
    assert_eq!(server.times_of("/big.html").len(), 1, "not retried");
    assert_eq!(crawled.summary.errors, 1, "{:?}", crawled.summary);
    assert_eq!(crawled.summary.fetched, 1, "{:?}", crawled.summary);
    assert_eq!(crawled.captured_urls(), vec![url("/ok.html")]);
}

#[test]
fn crawl_follows_a_gzipped_sitemap_index() {
    let index = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n  <sitemap><loc>{HOST}/one.xml.gz</loc></sitemap>\n  <sitemap><loc>{HOST}/two.xml.gz</loc></sitemap>\n</sitemapindex>\n"
    );
    let server = serve(
        vec![
            ("/sitemap.xml.gz", gzip(index.as_bytes())),
            ("/one.xml.gz", gzip(urlset(&["/a.html"]).as_bytes())),
            ("/a.html", html("a")),
            ("/b.html", html("b")),
        ],
        // Some servers label a gzipped file as content coding.
        vec![(
            "/two.xml.gz",
            vec![
                Reply::new(200)
                    .header("Content-Type", "application/xml")
                    .header("Content-Encoding", "gzip")
                    .body(gzip(urlset(&["/b.html"]).as_bytes())),
            ],
        )],
    );
    let crawled = crawl_sitemap(&server, "/sitemap.xml.gz", "");
    assert_eq!(crawled.summary.errors, 0, "{:?}", crawled.summary);
    assert_eq!(
        crawled.captured_urls(),
        vec![url("/a.html"), url("/b.html")]
    );
}

#[test]
fn crawl_settings_are_checked() {
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("sources.toml");
    let agent = "user_agent = \"pledgewatch-test/0.1 (+https://pledgewatch.example/about)\"";
    for (line, message) in [
        ("timeout_seconds = 0", "timeout_seconds"),
        ("max_body_bytes = 0", "max_body_bytes"),
        ("max_body_bytes = 999999999999", "max_body_bytes"),
        ("workers = 0", "crawl.workers must be between 1 and"),
        ("workers = 1000", "crawl.workers must be between 1 and"),
        ("concurrency_per_host = 0", "crawl.concurrency_per_host"),
        (
            "workers = 2\nconcurrency_per_host = 3",
            "crawl.concurrency_per_host must be between 1 and crawl.workers (2)",
        ),
    ] {
        std::fs::write(&path, format!("[crawl]\n{agent}\n{line}\n")).unwrap();
        let error = crawl::read_sources(&path).unwrap_err().to_string();
        assert!(error.contains(message), "{line}: {error}");
    }
    std::fs::write(&path, format!("[crawl]\n{agent}\ntimeout_seconds = 2\n")).unwrap();
    let file = crawl::read_sources(&path).unwrap();
    assert_eq!(file.crawl.timeout_seconds, 2.0);
    assert_eq!(file.crawl.max_body_bytes, crawl::MAX_BODY);
}

#[test]
fn crawl_records_a_canonical_url_and_does_not_fetch_it_again() {
    let with_canonical = |href: &str| {
        format!("<!doctype html><html><head><title>p</title><link rel=\"canonical\" href=\"{href}\"></head><body><p>p</p></body></html>")
            .into_bytes()
    };
    let server = serve(
        vec![
            (
                "/sitemap.xml",
                urlset(&[
                    "/page.html?ref=feed",
                    "/page.html",
                    "/self.html",
                    "/away.html",
                ])
                .into_bytes(),
            ),
            ("/page.html", with_canonical("/page.html")),
            ("/self.html", with_canonical(&url("/self.html"))),
            (
                "/away.html",
                with_canonical("https://elsewhere.example/away.html"),
            ),
        ],
        vec![],
    );
    let crawled = crawl_sitemap(&server, "/sitemap.xml", "");
    assert_eq!(
        server.requests(),
        [
            "/robots.txt",
            "/sitemap.xml",
            "/page.html?ref=feed",
            "/self.html",
            "/away.html"
        ],
        "the canonical /page.html is not fetched again"
    );
    assert_eq!(crawled.summary.fetched, 3, "{:?}", crawled.summary);
    assert_eq!(crawled.summary.skipped, 1, "{:?}", crawled.summary);
    let state = crawled.state();
    assert_eq!(
        state[&url("/page.html?ref=feed")].canonical.as_deref(),
        Some(url("/page.html").as_str())
    );
    assert!(!state.contains_key(&url("/page.html")));
    // Its own URL, or a host outside the crawl, is not recorded.
    assert_eq!(state[&url("/self.html")].canonical, None);
    assert_eq!(state[&url("/away.html")].canonical, None);
}

/// One slow page a server answers after a second.
fn slow_page(path: &str) -> (&str, Vec<Reply>) {
    (
        path,
        vec![
            Reply::new(200)
                .header("Content-Type", "text/html")
                .body(html(path))
                .delay(Duration::from_secs(1)),
        ],
    )
}

#[test]
fn crawl_fetches_different_hosts_in_parallel() {
    let first = serve(
        vec![("/sitemap.xml", urlset(&["/slow.html"]).into_bytes())],
        vec![slow_page("/slow.html")],
    );
    let other_sitemap = "<?xml version=\"1.0\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n  <url><loc>https://other.example/slow.html</loc></url>\n</urlset>\n";
    let second = serve(
        vec![("/sitemap.xml", other_sitemap.as_bytes().to_vec())],
        vec![slow_page("/slow.html")],
    );
    let work = tempfile::tempdir().unwrap();
    let sources = work.path().join("sources.toml");
    std::fs::write(
        &sources,
        format!(
            "[crawl]\nuser_agent = \"pledgewatch-test/0.1 (+https://pledgewatch.example/about)\"\n\n[crawl.resolve]\n\"pledgewatch.example\" = \"127.0.0.1:{}\"\n\"other.example\" = \"127.0.0.1:{}\"\n\n[[source]]\nname = \"a\"\nkind = \"sitemap\"\nurl = \"{HOST}/sitemap.xml\"\n\n[[source]]\nname = \"b\"\nkind = \"sitemap\"\nurl = \"https://other.example/sitemap.xml\"\n",
            first.port, second.port
        ),
    )
    .unwrap();
    let summary = crawl::run(&CrawlOptions {
        sources,
        corpus: work.path().join("corpus"),
        max_pages: None,
        dry_run: false,
        progress_bar: false,
    })
    .unwrap();
    assert_eq!(summary.fetched, 2, "{summary:?}");
    let (a, b) = (first.times_of("/slow.html"), second.times_of("/slow.html"));
    assert_eq!((a.len(), b.len()), (1, 1));
    // Each answer takes a second: one host's request arriving before the
    // other's answer was sent means both were in flight together.
    let apart = if a[0] > b[0] {
        a[0] - b[0]
    } else {
        b[0] - a[0]
    };
    assert!(
        apart < Duration::from_millis(900),
        "requests {apart:?} apart"
    );
}

#[test]
fn crawl_keeps_one_request_per_host_unless_told_otherwise() {
    let gap_between_slow_pages = |extra: &str| {
        let server = serve(
            vec![(
                "/sitemap.xml",
                urlset(&["/slow-1.html", "/slow-2.html"]).into_bytes(),
            )],
            vec![slow_page("/slow-1.html"), slow_page("/slow-2.html")],
        );
        let crawled = crawl_sitemap(&server, "/sitemap.xml", extra);
        assert_eq!(crawled.summary.fetched, 2, "{:?}", crawled.summary);
        let (first, second) = (
            server.times_of("/slow-1.html"),
            server.times_of("/slow-2.html"),
        );
        second[0] - first[0]
    };
    let gap = gap_between_slow_pages("");
    assert!(gap >= Duration::from_millis(900), "default: {gap:?} apart");
    let gap = gap_between_slow_pages("concurrency_per_host = 2");
    assert!(
        gap < Duration::from_millis(900),
        "two at a time: {gap:?} apart"
    );
}
