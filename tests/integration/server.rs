//! A small multi-threaded HTTP/1.1 file server on loopback for the crawl
//! tests and the crawl benchmark (`benches/crawl.rs` includes this file):
//! one request per connection, strong ETags and 304s, JSON sent chunked,
//! an optional delay per response, paths that can be replaced or hidden, and
//! scripted answers per path (status, headers, body, delay) for failure modes.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One scripted answer for a path: status, extra headers, body, and a
/// delay before it is sent.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Reply {
    pub fn new(status: u16) -> Reply {
        Reply {
            status,
            ..Reply::default()
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Reply {
        self.body = body.into();
        self
    }

    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

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
    /// Path -> answers in turn, the last one repeated; checked first.
    pub script: HashMap<String, Vec<Reply>>,
}

/// A running server; it stops with the test process.
#[derive(Clone)]
pub struct SiteServer {
    pub port: u16,
    /// Request targets in arrival order (when `log_requests`).
    pub log: Arc<Mutex<Vec<String>>>,
    /// Requests answered so far.
    pub answered: Arc<AtomicUsize>,
    /// Request targets with their arrival times (when `log_requests`).
    pub timed_log: Arc<Mutex<Vec<(Instant, String)>>>,
    /// Requests seen so far per scripted path.
    script_counts: Arc<Mutex<HashMap<String, usize>>>,
}

impl SiteServer {
    pub fn start(options: SiteOptions) -> SiteServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("local address").port();
        let server = SiteServer {
            port,
            log: Arc::new(Mutex::new(Vec::new())),
            answered: Arc::new(AtomicUsize::new(0)),
            timed_log: Arc::new(Mutex::new(Vec::new())),
            script_counts: Arc::new(Mutex::new(HashMap::new())),
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

    /// Arrival times of the requests for `target`, in order.
    pub fn times_of(&self, target: &str) -> Vec<Instant> {
        self.timed_log
            .lock()
            .expect("log lock")
            .iter()
            .filter(|(_, logged)| logged == target)
            .map(|(at, _)| *at)
            .collect()
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
        server
            .timed_log
            .lock()
            .expect("log lock")
            .push((Instant::now(), target.clone()));
    }
    if !options.delay.is_zero() {
        std::thread::sleep(options.delay);
    }
    let path = target.split('?').next().unwrap_or("/");
    let mut stream = stream;
    let scripted = options.script.get(&target).or(options.script.get(path));
    if let Some(replies) = scripted.filter(|replies| !replies.is_empty()) {
        let turn = {
            let mut counts = server.script_counts.lock().expect("script lock");
            let count = counts.entry(target.clone()).or_insert(0);
            *count += 1;
            *count - 1
        };
        let reply = &replies[turn.min(replies.len() - 1)];
        std::thread::sleep(reply.delay);
        let mut out = format!("HTTP/1.1 {} Scripted\r\n", reply.status);
        for (name, value) in &reply.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            reply.body.len()
        ));
        let mut out = out.into_bytes();
        out.extend_from_slice(&reply.body);
        // The client may have given up (a timeout test).
        let _ = stream.write_all(&out);
        return Ok(());
    }
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

/// A request as a [`Handler`] sees it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The `Host` header without its port.
    pub host: String,
    pub path: String,
    /// Query pairs, decoded, in order.
    pub query: Vec<(String, String)>,
}

impl Request {
    /// Every value of a query parameter.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    pub fn one(&self, name: &str) -> Option<&str> {
        self.all(name).into_iter().next()
    }
}

pub type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// A loopback server that answers every request with a handler: the API
/// stand-ins. Several host names can be mapped to it (`[crawl] resolve`);
/// the handler tells them apart by `Host`.
#[derive(Clone)]
pub struct ApiServer {
    pub port: u16,
    /// (host, target) in arrival order.
    pub log: Arc<Mutex<Vec<(String, String)>>>,
}

impl ApiServer {
    pub fn start(handler: Handler) -> ApiServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("local address").port();
        let server = ApiServer {
            port,
            log: Arc::new(Mutex::new(Vec::new())),
        };
        let log = server.log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let handler = handler.clone();
                let log = log.clone();
                std::thread::spawn(move || {
                    let _ = answer(stream, &handler, &log);
                });
            }
        });
        server
    }

    pub fn requests(&self) -> Vec<(String, String)> {
        self.log.lock().expect("log lock").clone()
    }
}

fn answer(
    stream: TcpStream,
    handler: &Handler,
    log: &Mutex<Vec<(String, String)>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut host = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("host")
        {
            host = value
                .trim()
                .split(':')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
        }
    }
    let target = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    log.lock()
        .expect("log lock")
        .push((host.clone(), target.clone()));
    let parsed = url::Url::parse(&format!("http://{host}{target}"))
        .unwrap_or_else(|_| url::Url::parse("http://invalid/").expect("url"));
    let request = Request {
        host,
        path: parsed.path().to_string(),
        query: parsed
            .query_pairs()
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect(),
    };
    let reply = handler(&request);
    std::thread::sleep(reply.delay);
    let mut out = format!("HTTP/1.1 {} Stand-in\r\n", reply.status);
    for (name, value) in &reply.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        reply.body.len()
    ));
    let mut out = out.into_bytes();
    out.extend_from_slice(&reply.body);
    let mut stream = stream;
    stream.write_all(&out)
}
