//! A small multi-threaded HTTP/1.1 file server on loopback for the crawl
//! tests and the crawl benchmark (`benches/crawl.rs` includes this file):
//! one request per connection, strong ETags and 304s, JSON sent chunked,
//! an optional delay per response, and paths that can be replaced or hidden.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the server serves and how.
#[derive(Debug, Clone, Default)]
pub struct SiteOptions {
    /// The folder served at `/`.
    pub root: PathBuf,
    /// Path -> body served instead of the file.
    pub replace: HashMap<String, Vec<u8>>,
    /// Paths starting with one of these get a 404.
    pub hidden: Vec<String>,
    /// Slept before each response.
    pub delay: Duration,
    /// Keep a log of request targets (the benchmark does not).
    pub log_requests: bool,
}

/// A running server; it stops with the test process.
#[derive(Clone)]
pub struct SiteServer {
    pub port: u16,
    /// Request targets in arrival order (when `log_requests`).
    pub log: Arc<Mutex<Vec<String>>>,
    /// Requests answered so far.
    pub answered: Arc<AtomicUsize>,
}

impl SiteServer {
    pub fn start(options: SiteOptions) -> SiteServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("local address").port();
        let server = SiteServer {
            port,
            log: Arc::new(Mutex::new(Vec::new())),
            answered: Arc::new(AtomicUsize::new(0)),
        };
        let options = Arc::new(options);
        let shared = server.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let options = options.clone();
                let shared = shared.clone();
                std::thread::spawn(move || {
                    if respond(stream, &options, &shared).is_ok() {
                        shared.answered.fetch_add(1, Ordering::SeqCst);
                    }
                });
            }
        });
        server
    }

    pub fn requests(&self) -> Vec<String> {
        self.log.lock().expect("log lock").clone()
    }
}

pub fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, extension)| extension) {
        Some("html") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        Some("pdf") => "application/pdf",
        Some("xml") => "application/xml",
        _ => "text/plain",
    }
}

fn body_for(path: &str, options: &SiteOptions) -> Option<(String, Vec<u8>)> {
    if let Some(body) = options.replace.get(path) {
        return Some((path.to_string(), body.clone()));
    }
    if path.contains("..") || options.hidden.iter().any(|prefix| path.starts_with(prefix)) {
        return None;
    }
    let relative = path.trim_start_matches('/');
    let file: PathBuf = if relative.is_empty() || relative.ends_with('/') {
        Path::new(&options.root).join(relative).join("index.html")
    } else {
        Path::new(&options.root).join(relative)
    };
    let name = file.to_string_lossy().into_owned();
    std::fs::read(&file).ok().map(|body| (name, body))
}

fn respond(stream: TcpStream, options: &SiteOptions, server: &SiteServer) -> std::io::Result<()> {
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
    if options.log_requests {
        server.log.lock().expect("log lock").push(target.clone());
    }
    if !options.delay.is_zero() {
        std::thread::sleep(options.delay);
    }
    let path = target.split('?').next().unwrap_or("/");
    let mut stream = stream;
    let Some((name, body)) = body_for(path, options) else {
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
        content_type(&name)
    );
    if name.ends_with(".json") {
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
        let mut out = format!("{head}Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        out.extend_from_slice(&body);
        stream.write_all(&out)
    }
}
