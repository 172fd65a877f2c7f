//! The crawl stage against a real HTTP server on loopback serving the demo
//! site, reached through `[crawl.resolve]`.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use pledgewatch::corpus::warc;
use pledgewatch::crawl::{self, CrawlOptions};

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

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, extension)| extension) {
        Some("html") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        Some("pdf") => "application/pdf",
        Some("xml") => "application/xml",
        _ => "text/plain",
    }
}

/// A tiny HTTP/1.1 server: one request per connection, ETags, chunked JSON.
fn serve(log: Arc<Mutex<Vec<String>>>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = respond(stream, &log);
        }
    });
    port
}

fn respond(stream: TcpStream, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut if_none_match = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("if-none-match")
        {
            if_none_match = Some(value.trim().to_string());
        }
    }
    let target = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    log.lock().unwrap().push(target.clone());
    let path = target.split('?').next().unwrap_or("/");
    let body = if path == "/sitemap.xml" {
        Some(test_sitemap().into_bytes())
    } else if path.contains("..") || path.starts_with("/search") {
        None
    } else {
        std::fs::read(site().join(path.trim_start_matches('/'))).ok()
    };
    let mut stream = stream;
    let Some(body) = body else {
        return stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    };
    let mut hasher = DefaultHasher::new();
    body.hash(&mut hasher);
    let etag = format!("\"{:x}\"", hasher.finish());
    if if_none_match.as_deref() == Some(etag.as_str()) {
        return stream.write_all(
            format!("HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
    }
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nETag: {etag}\r\nConnection: close\r\n",
        content_type(path)
    );
    if path.ends_with(".json") {
        // Chunked, in two chunks, to exercise de-chunking.
        let (first, second) = body.split_at(body.len() / 2);
        let mut out = format!("{head}Transfer-Encoding: chunked\r\n\r\n").into_bytes();
        for chunk in [first, second] {
            if !chunk.is_empty() {
                out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                out.extend_from_slice(chunk);
                out.extend_from_slice(b"\r\n");
            }
        }
        out.extend_from_slice(b"0\r\n\r\n");
        stream.write_all(&out)
    } else {
        stream.write_all(format!("{head}Content-Length: {}\r\n\r\n", body.len()).as_bytes())?;
        stream.write_all(&body)
    }
}

fn warc_files(corpus: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus.join("crawl").join("warc"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn crawls_the_demo_site_through_its_sitemap() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let port = serve(log.clone());
    let work = tempfile::tempdir().unwrap();
    let sources = work.path().join("sources.toml");
    std::fs::write(
        &sources,
        format!(
            "[crawl]\nuser_agent = \"pledgewatch-test/0.1 (+https://pledgewatch.example/about)\"\nrequests_per_second = 1000.0\n\n[crawl.resolve]\n\"pledgewatch.example\" = \"127.0.0.1:{port}\"\n\n[[source]]\nname = \"demo\"\nkind = \"sitemap\"\nurl = \"https://pledgewatch.example/sitemap.xml\"\n"
        ),
    )
    .unwrap();
    let corpus = work.path().join("corpus");
    let options = CrawlOptions {
        sources,
        corpus: corpus.clone(),
        max_pages: None,
        dry_run: false,
    };

    let sitemap = std::fs::read_to_string(site().join("sitemap.xml")).unwrap();
    let expected: Vec<String> = sitemap
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
        .collect();
    assert!(expected.len() > 10);

    let first = crawl::run(&options).unwrap();
    assert_eq!(first.fetched, expected.len(), "{first:?}");
    assert_eq!(first.errors, 0, "{first:?}");
    assert_eq!(first.skipped, 1, "the disallowed /search URL: {first:?}");
    assert!(
        !log.lock()
            .unwrap()
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
        let path = url.trim_start_matches("https://pledgewatch.example/");
        assert_eq!(
            capture.body,
            std::fs::read(site().join(path)).unwrap(),
            "{url}"
        );
        assert!(!capture.illustrative);
        assert_eq!(capture.captured.len(), 10);
    }
    let state = std::fs::read_to_string(corpus.join("crawl").join("state.json")).unwrap();
    assert!(state.contains("\"etag\""));

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
    assert!(
        !log.lock()
            .unwrap()
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
    };
    assert_eq!(
        crawl::run(&options).unwrap(),
        crawl::CrawlSummary::default()
    );
    assert!(!work.path().join("corpus").exists());
    std::fs::write(&sources, "[crawl]\nuser_agent = \"pledgewatch\"\n").unwrap();
    assert!(crawl::run(&options).is_err());
}
