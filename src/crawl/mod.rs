//! The crawl stage: fetches the sources listed in a TOML file politely
//! (robots.txt, a per-host rate limit, backoff on 429 and 5xx) and archives
//! what it fetched as WARC files under `<corpus>/crawl/warc/`, with the
//! crawl state in `<corpus>/crawl/state.json`.
//!
//! Discovery documents (robots.txt, sitemaps, feeds) are fetched but not
//! archived: the corpus holds the pages and documents they point to.
//! Redirects are followed (at most [`MAX_REDIRECTS`] hops, each target
//! checked against robots.txt and the source's scope; loops are errors) but
//! not archived; the state records where each redirect pointed. A page
//! declaring another canonical URL on an allowed host has it recorded, and
//! that URL is not fetched as a separate page in the same run. Timeouts
//! (`[crawl] timeout_seconds`) and bodies over `[crawl] max_body_bytes` are
//! errors and are not retried.

pub mod fetch;
pub mod links;
pub mod progress;
pub mod robots;
pub mod state;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Deserialize;
use tracing::{info, warn};
use url::Url;

use crate::corpus::warc::{self, RevisitOf, WarcError, WarcWriter};
use fetch::{FetchError, Fetcher, Response};
use robots::Robots;
use state::{State, UrlState};

/// Largest body fetched, unless `[crawl] max_body_bytes` says otherwise.
pub const MAX_BODY: usize = 50 << 20;
pub const MAX_REDIRECTS: usize = 5;
const MAX_RETRIES: u32 = 3;
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Per fetch, unless `[crawl] timeout_seconds` says otherwise.
const TIMEOUT: Duration = Duration::from_secs(30);
/// A WARC file is closed and a new one started past this size.
const MAX_WARC_BYTES: u64 = 1 << 30;
const DOCUMENT_EXTENSIONS: &[&str] = &[
    "pdf", "odt", "ods", "docx", "doc", "xlsx", "csv", "json", "txt",
];
const ALLOWED_TYPES: &[&str] = &[
    "text/html",
    "application/xhtml+xml",
    "application/xml",
    "text/xml",
    "application/json",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
];

#[derive(Debug, Clone)]
pub struct CrawlOptions {
    pub sources: PathBuf,
    pub corpus: PathBuf,
    pub max_pages: Option<usize>,
    pub dry_run: bool,
    /// Draw a progress bar (on a terminal) instead of periodic log lines.
    pub progress_bar: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrawlSummary {
    /// New or changed responses archived.
    pub fetched: usize,
    /// Revisits: 304 or the same payload as last time.
    pub unchanged: usize,
    /// Failed fetches (network, HTTP errors, too large).
    pub errors: usize,
    /// URLs not fetched or not archived: robots.txt, content type, scope.
    pub skipped: usize,
    /// Payload bytes archived.
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("warc: {0}")]
    Warc(#[from] WarcError),
}

/// The sources file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesFile {
    pub crawl: CrawlConfig,
    #[serde(default, rename = "source")]
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrawlConfig {
    /// Must contain a contact URL.
    pub user_agent: String,
    /// Per host.
    #[serde(default = "default_rate")]
    pub requests_per_second: f64,
    pub max_pages: Option<usize>,
    /// Host name -> `IP:PORT` to connect to instead (plain HTTP).
    #[serde(default)]
    pub resolve: BTreeMap<String, String>,
    /// A fetch taking longer than this is given up (not retried).
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
    /// Larger bodies are not archived and count as errors.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
}

fn default_rate() -> f64 {
    1.0
}

fn default_timeout() -> f64 {
    TIMEOUT.as_secs_f64()
}

fn default_max_body() -> usize {
    MAX_BODY
}

#[derive(Debug, Clone, Deserialize)]
pub struct Source {
    pub name: String,
    #[serde(flatten)]
    pub kind: SourceKind,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SourceKind {
    Sitemap {
        url: String,
    },
    Pages {
        seeds: Vec<String>,
        #[serde(default)]
        allow: Vec<String>,
        #[serde(default = "default_depth")]
        max_depth: usize,
    },
    Feed {
        url: String,
    },
}

fn default_depth() -> usize {
    2
}

/// Reads and checks a sources file.
pub fn read_sources(path: &Path) -> Result<SourcesFile, CrawlError> {
    let config_error = |message: String| CrawlError::Config {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|source| CrawlError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let file: SourcesFile =
        toml::from_str(&text).map_err(|error| config_error(error.to_string()))?;
    let agent = &file.crawl.user_agent;
    if !(agent.contains("http://") || agent.contains("https://")) {
        return Err(config_error(format!(
            "crawl.user_agent {agent:?} must contain a contact URL, e.g. \"pledgewatch/0.1 (+https://example.org/about)\""
        )));
    }
    if !(file.crawl.requests_per_second.is_finite() && file.crawl.requests_per_second > 0.0) {
        return Err(config_error(
            "crawl.requests_per_second must be positive".into(),
        ));
    }
    if !(file.crawl.timeout_seconds.is_finite() && file.crawl.timeout_seconds > 0.0) {
        return Err(config_error(
            "crawl.timeout_seconds must be positive".into(),
        ));
    }
    if !(1..=MAX_BODY).contains(&file.crawl.max_body_bytes) {
        return Err(config_error(format!(
            "crawl.max_body_bytes must be between 1 and {MAX_BODY}"
        )));
    }
    for (host, address) in &file.crawl.resolve {
        if address.parse::<SocketAddr>().is_err() {
            return Err(config_error(format!(
                "crawl.resolve.{host} {address:?} is not IP:PORT"
            )));
        }
    }
    for source in &file.sources {
        let urls: Vec<&String> = match &source.kind {
            SourceKind::Sitemap { url } | SourceKind::Feed { url } => vec![url],
            SourceKind::Pages { seeds, allow, .. } => seeds.iter().chain(allow).collect(),
        };
        for url in urls {
            match Url::parse(url) {
                Ok(parsed)
                    if matches!(parsed.scheme(), "http" | "https")
                        && parsed.host_str().is_some() => {}
                _ => {
                    return Err(config_error(format!(
                        "source {:?}: {url:?} is not an http(s) URL",
                        source.name
                    )));
                }
            }
        }
    }
    Ok(file)
}

#[derive(Debug, Clone)]
enum ItemKind {
    Sitemap,
    Feed,
    /// A page of a source; `source` indexes the sources, `depth` counts links from a seed.
    Page {
        source: usize,
        depth: usize,
    },
    /// A document linked from a page: archived, not followed.
    Document,
}

#[derive(Debug, Clone)]
struct Item {
    url: Url,
    kind: ItemKind,
    hops: usize,
    /// The URLs that redirected here, first first (`hops` of them).
    chain: Vec<String>,
}

struct Host {
    robots: Robots,
    delay: Duration,
    next_at: Instant,
}

struct Crawler<'a> {
    options: &'a CrawlOptions,
    file: SourcesFile,
    fetcher: Fetcher,
    product: String,
    hosts: HashMap<String, Host>,
    allowed_hosts: HashSet<String>,
    queue: VecDeque<Item>,
    seen: HashSet<String>,
    /// Canonical URL -> the page fetched this run that declared it.
    canonicals: HashMap<String, String>,
    state: State,
    state_path: PathBuf,
    writer: Option<WarcWriter>,
    run_stamp: String,
    summary: CrawlSummary,
    attempted: usize,
}

/// Runs the crawl the sources file describes.
pub fn run(options: &CrawlOptions) -> Result<CrawlSummary, CrawlError> {
    let file = read_sources(&options.sources)?;
    let max_pages = options.max_pages.or(file.crawl.max_pages);
    if options.dry_run {
        for source in &file.sources {
            info!(source = %source.name, kind = ?source.kind, "would crawl");
        }
        info!(sources = file.sources.len(), max_pages = ?max_pages, "dry run: sources file is valid, nothing fetched");
        return Ok(CrawlSummary::default());
    }
    let crawl_directory = options.corpus.join("crawl");
    std::fs::create_dir_all(&crawl_directory).map_err(|source| CrawlError::Io {
        path: crawl_directory.clone(),
        source,
    })?;
    let state_path = crawl_directory.join("state.json");
    let state = State::open(&state_path).map_err(|source| CrawlError::Io {
        path: state_path.clone(),
        source,
    })?;
    let resolve = file
        .crawl
        .resolve
        .iter()
        .filter_map(|(host, address)| Some((host.to_ascii_lowercase(), address.parse().ok()?)))
        .collect();
    let fetcher = Fetcher::new(
        &file.crawl.user_agent,
        resolve,
        file.crawl.max_body_bytes,
        Duration::from_secs_f64(file.crawl.timeout_seconds),
    );
    let mut crawler = Crawler {
        options,
        product: robots::product_token(&file.crawl.user_agent),
        fetcher,
        hosts: HashMap::new(),
        allowed_hosts: HashSet::new(),
        queue: VecDeque::new(),
        seen: HashSet::new(),
        canonicals: HashMap::new(),
        state,
        state_path,
        writer: None,
        run_stamp: jiff::Timestamp::now().strftime("%Y%m%d%H%M%S").to_string(),
        summary: CrawlSummary::default(),
        attempted: 0,
        file,
    };
    crawler.seed();
    let mut progress = progress::Progress::new(options.progress_bar);
    while let Some(item) = crawler.queue.pop_front() {
        let is_page = matches!(item.kind, ItemKind::Page { .. } | ItemKind::Document);
        if is_page && max_pages.is_some_and(|max| crawler.attempted >= max) {
            info!(max_pages = ?max_pages, "page limit reached");
            break;
        }
        crawler.process(item)?;
        progress.update(&progress::Snapshot {
            pages: crawler.attempted,
            queued: crawler.queue.len(),
            hosts: crawler.hosts.len(),
            summary: &crawler.summary,
        });
    }
    progress.finish();
    if let Some(writer) = crawler.writer.as_mut() {
        writer.sync()?;
    }
    crawler
        .state
        .save(&crawler.state_path)
        .map_err(|source| CrawlError::Io {
            path: crawler.state_path.clone(),
            source,
        })?;
    let s = &crawler.summary;
    info!(
        fetched = s.fetched,
        unchanged = s.unchanged,
        errors = s.errors,
        skipped = s.skipped,
        bytes = s.bytes,
        "crawl finished"
    );
    Ok(crawler.summary)
}

/// Drops the fragment; the `url` crate already lowercases the scheme and
/// host and removes default ports.
fn normalise(mut url: Url) -> Option<Url> {
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    url.set_fragment(None);
    if url.query() == Some("") {
        url.set_query(None);
    }
    Some(url)
}

fn is_document(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    path.rsplit_once('.')
        .is_some_and(|(_, extension)| DOCUMENT_EXTENSIONS.contains(&extension))
}

fn content_type_allowed(content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return true;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    ALLOWED_TYPES.contains(&essence.as_str())
        || essence.ends_with("+xml")
        || essence.ends_with("+json")
}

fn is_html(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|value| value.to_ascii_lowercase().contains("html"))
}

/// Seconds or an HTTP date.
fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.header("Retry-After")?;
    if let Ok(seconds) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let now = jiff::Timestamp::now();
    let seconds = when.as_second() - now.as_second();
    Some(Duration::from_secs(seconds.max(0) as u64))
}

fn now_warc_date() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

impl Crawler<'_> {
    fn seed(&mut self) {
        let sources = self.file.sources.clone();
        for (index, source) in sources.iter().enumerate() {
            let (urls, kind): (Vec<&String>, ItemKind) = match &source.kind {
                SourceKind::Sitemap { url } => (vec![url], ItemKind::Sitemap),
                SourceKind::Feed { url } => (vec![url], ItemKind::Feed),
                SourceKind::Pages { seeds, allow, .. } => {
                    for prefix in allow {
                        self.allow_host_of(prefix);
                    }
                    (
                        seeds.iter().collect(),
                        ItemKind::Page {
                            source: index,
                            depth: 0,
                        },
                    )
                }
            };
            for url in urls {
                self.allow_host_of(url);
                if let Ok(parsed) = Url::parse(url) {
                    self.enqueue(parsed, kind.clone(), 0);
                }
            }
        }
    }

    fn allow_host_of(&mut self, url: &str) {
        if let Some(host) = Url::parse(url)
            .ok()
            .and_then(|url| url.host_str().map(str::to_string))
        {
            self.allowed_hosts.insert(host);
        }
    }

    fn enqueue(&mut self, url: Url, kind: ItemKind, hops: usize) {
        let Some(url) = normalise(url) else {
            return;
        };
        if self.seen.insert(url.to_string()) {
            self.queue.push_back(Item {
                url,
                kind,
                hops,
                chain: Vec::new(),
            });
        }
    }

    /// Whether a page link stays inside its source.
    fn in_scope(&self, url: &Url, source: usize) -> bool {
        match self.file.sources.get(source).map(|source| &source.kind) {
            Some(SourceKind::Pages { seeds, allow, .. }) => {
                let prefixes: Vec<String> = if allow.is_empty() {
                    seeds
                        .iter()
                        .filter_map(|seed| Url::parse(seed).ok())
                        .map(|seed| seed.origin().ascii_serialization() + "/")
                        .collect()
                } else {
                    allow.clone()
                };
                prefixes
                    .iter()
                    .any(|prefix| url.as_str().starts_with(prefix.as_str()))
            }
            _ => self.host_allowed(url),
        }
    }

    fn host_allowed(&self, url: &Url) -> bool {
        url.host_str()
            .is_some_and(|host| self.allowed_hosts.contains(host))
    }

    fn host_key(url: &Url) -> String {
        format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""))
            + &url.port().map(|p| format!(":{p}")).unwrap_or_default()
    }

    /// Waits for the host's next slot and books the one after.
    fn wait_turn(&mut self, key: &str) {
        if let Some(host) = self.hosts.get_mut(key) {
            let now = Instant::now();
            if host.next_at > now {
                std::thread::sleep(host.next_at - now);
            }
            host.next_at = Instant::now() + host.delay;
        }
    }

    /// Fetches robots.txt for the host of `url` once; true if `url` may be fetched.
    fn robots_allow(&mut self, url: &Url) -> bool {
        let key = Self::host_key(url);
        if !self.hosts.contains_key(&key) {
            let base_delay = Duration::from_secs_f64(1.0 / self.file.crawl.requests_per_second);
            self.hosts.insert(
                key.clone(),
                Host {
                    robots: Robots::allow_all(),
                    delay: base_delay,
                    next_at: Instant::now(),
                },
            );
            let robots = self.fetch_robots(url, &key);
            if let Some(host) = self.hosts.get_mut(&key) {
                if let Some(delay) = robots.crawl_delay {
                    host.delay = host.delay.max(Duration::from_secs_f64(delay.min(60.0)));
                }
                host.robots = robots;
            }
        }
        let mut path = url.path().to_string();
        if let Some(query) = url.query() {
            path.push('?');
            path.push_str(query);
        }
        self.hosts
            .get(&key)
            .is_some_and(|host| host.robots.allowed(&path))
    }

    fn fetch_robots(&mut self, url: &Url, key: &str) -> Robots {
        let Ok(mut target) = url.join("/robots.txt") else {
            return Robots::allow_all();
        };
        for _ in 0..=MAX_REDIRECTS {
            self.wait_turn(key);
            match self.fetcher.get(&target, &[]) {
                Ok(response) if response.status == 200 => {
                    let text = String::from_utf8_lossy(
                        &response.body[..response.body.len().min(500 << 10)],
                    );
                    return Robots::parse(&text, &self.product);
                }
                Ok(response) if (300..400).contains(&response.status) => {
                    match response
                        .header("Location")
                        .and_then(|location| target.join(location).ok())
                    {
                        Some(next) => target = next,
                        None => return Robots::allow_all(),
                    }
                }
                Ok(response) if (400..500).contains(&response.status) && response.status != 429 => {
                    return Robots::allow_all();
                }
                Ok(response) => {
                    warn!(url = %target, status = response.status, "robots.txt unavailable: host skipped");
                    return Robots::disallow_all();
                }
                Err(error) => {
                    warn!(url = %target, error = %error, "robots.txt unreachable: host skipped");
                    return Robots::disallow_all();
                }
            }
        }
        Robots::allow_all()
    }

    /// GET with retries: Retry-After or bounded exponential backoff on 429,
    /// 5xx and network errors (not timeouts, not oversized bodies).
    fn fetch(&mut self, url: &Url, extra: &[(String, String)]) -> Result<Response, FetchError> {
        let key = Self::host_key(url);
        let mut attempt = 0;
        loop {
            self.wait_turn(&key);
            let result = self.fetcher.get(url, extra);
            let backoff = Duration::from_secs(1 << attempt).min(MAX_BACKOFF);
            let wait = match &result {
                Ok(response) if response.status == 429 || response.status >= 500 => {
                    retry_after(response).unwrap_or(backoff).min(MAX_BACKOFF)
                }
                Err(FetchError::Failed(_)) => backoff,
                _ => return result,
            };
            if attempt >= MAX_RETRIES {
                return result;
            }
            attempt += 1;
            warn!(url = %url, attempt, wait_seconds = wait.as_secs_f64(), "retrying");
            if let Some(host) = self.hosts.get_mut(&key) {
                host.next_at = host.next_at.max(Instant::now() + wait);
            }
        }
    }

    fn process(&mut self, item: Item) -> Result<(), CrawlError> {
        if matches!(item.kind, ItemKind::Page { .. })
            && let Some(page) = self.canonicals.get(item.url.as_str())
        {
            info!(url = %item.url, page = %page, "already fetched as a page declaring it canonical");
            self.summary.skipped += 1;
            return Ok(());
        }
        if !self.robots_allow(&item.url) {
            info!(url = %item.url, "disallowed by robots.txt");
            self.summary.skipped += 1;
            return Ok(());
        }
        let archived = matches!(item.kind, ItemKind::Page { .. } | ItemKind::Document);
        if archived {
            self.attempted += 1;
        }
        let previous = self.state.urls.get(item.url.as_str()).cloned();
        let mut extra = Vec::new();
        if archived
            && let Some(previous) = &previous
            && previous.payload_digest.is_some()
        {
            if let Some(etag) = &previous.etag {
                extra.push(("If-None-Match".to_string(), etag.clone()));
            }
            if let Some(modified) = &previous.last_modified {
                extra.push(("If-Modified-Since".to_string(), modified.clone()));
            }
        }
        let response = match self.fetch(&item.url, &extra) {
            Ok(response) => response,
            Err(error) => {
                warn!(url = %item.url, error = %error, "fetch failed");
                self.summary.errors += 1;
                return Ok(());
            }
        };
        if (300..400).contains(&response.status) && response.status != 304 {
            return self.redirect(item, &response, archived);
        }
        match item.kind {
            ItemKind::Sitemap | ItemKind::Feed => {
                if response.status != 200 {
                    warn!(url = %item.url, status = response.status, "fetch failed");
                    self.summary.errors += 1;
                    return Ok(());
                }
                let body = warc::decode_body(&response.headers, &response.body).unwrap_or_default();
                let text = String::from_utf8_lossy(&links::maybe_gunzip(&body)).into_owned();
                if matches!(item.kind, ItemKind::Feed) {
                    for link in links::parse_feed(&text) {
                        if let Ok(url) = item.url.join(&link) {
                            self.enqueue(
                                url,
                                ItemKind::Page {
                                    source: usize::MAX,
                                    depth: 0,
                                },
                                0,
                            );
                        }
                    }
                } else {
                    let sitemap = links::parse_sitemap(&text);
                    for link in sitemap.sitemaps {
                        if let Ok(url) = item.url.join(&link) {
                            self.enqueue(url, ItemKind::Sitemap, 0);
                        }
                    }
                    for link in sitemap.pages {
                        if let Ok(url) = item.url.join(&link)
                            && self.host_allowed(&url)
                        {
                            self.enqueue(
                                url,
                                ItemKind::Page {
                                    source: usize::MAX,
                                    depth: 0,
                                },
                                0,
                            );
                        }
                    }
                }
                Ok(())
            }
            ItemKind::Page { .. } | ItemKind::Document => self.archive(item, response, previous),
        }
    }

    /// Follows a redirect: enqueues the target (in scope, within
    /// [`MAX_REDIRECTS`] hops, not a loop) and records where an archived
    /// item's URL pointed.
    fn redirect(
        &mut self,
        item: Item,
        response: &Response,
        archived: bool,
    ) -> Result<(), CrawlError> {
        let target = response
            .header("Location")
            .and_then(|location| item.url.join(location).ok())
            .and_then(normalise);
        let looped = target.as_ref().is_some_and(|target| {
            target == &item.url || item.chain.iter().any(|url| url == target.as_str())
        });
        match &target {
            Some(_) if looped => {
                warn!(url = %item.url, status = response.status, "redirect loop");
                self.summary.errors += 1;
            }
            Some(target) if item.hops < MAX_REDIRECTS => {
                let allowed = match item.kind {
                    ItemKind::Page { source, .. } => self.in_scope(target, source),
                    _ => self.host_allowed(target),
                };
                if !allowed {
                    info!(url = %item.url, target = %target, "redirect out of scope");
                    self.summary.skipped += 1;
                } else if self.seen.insert(target.to_string()) {
                    let mut chain = item.chain.clone();
                    chain.push(item.url.to_string());
                    self.queue.push_back(Item {
                        url: target.clone(),
                        kind: item.kind.clone(),
                        hops: item.hops + 1,
                        chain,
                    });
                }
            }
            _ => {
                warn!(url = %item.url, status = response.status, hops = item.hops, "redirect not followed");
                self.summary.errors += 1;
            }
        }
        if !archived {
            return Ok(());
        }
        let entry = UrlState {
            last_fetch: now_warc_date()[..10].to_string(),
            status: response.status,
            redirect_to: target.map(String::from),
            ..UrlState::default()
        };
        self.save_state(item.url.to_string(), entry)
    }

    fn archive(
        &mut self,
        item: Item,
        response: Response,
        previous: Option<UrlState>,
    ) -> Result<(), CrawlError> {
        let url = item.url.as_str().to_string();
        let date = now_warc_date();
        let mut entry = UrlState {
            last_fetch: date[..10].to_string(),
            status: response.status,
            etag: response.header("ETag").map(str::to_string),
            last_modified: response.header("Last-Modified").map(str::to_string),
            ..previous.clone().unwrap_or_default()
        };
        entry.last_fetch = date[..10].to_string();
        entry.status = response.status;
        entry.redirect_to = None;
        let content_type = response.header("Content-Type").map(str::to_string);
        if response.status == 304 {
            let Some(previous) = previous.filter(|previous| previous.payload_digest.is_some())
            else {
                warn!(url = %url, "304 without an earlier capture");
                self.summary.errors += 1;
                return Ok(());
            };
            entry.etag = entry.etag.or(previous.etag.clone());
            entry.last_modified = entry.last_modified.or(previous.last_modified.clone());
            self.write_revisit(
                &url,
                &date,
                &response,
                &previous,
                warc::PROFILE_NOT_MODIFIED,
            )?;
            self.summary.unchanged += 1;
            // The queue is not saved: links first found on this page may
            // not have been fetched before an earlier crawl stopped, so
            // they are found again from the archived copy.
            entry.canonical = self.follow_links_of_earlier_capture(&item, &previous);
        } else if response.status == 200 {
            if !content_type_allowed(content_type.as_deref()) {
                info!(url = %url, content_type = ?content_type, "content type not archived");
                self.summary.skipped += 1;
                return self.save_state(url, entry);
            }
            let digest = warc::sha1_digest(&response.body);
            match previous
                .filter(|previous| previous.payload_digest.as_deref() == Some(digest.as_str()))
            {
                Some(previous) => {
                    self.write_revisit(&url, &date, &response, &previous, warc::PROFILE_IDENTICAL)?;
                    self.summary.unchanged += 1;
                }
                None => {
                    let (file, offset, id) = self.write_response(&url, &date, &response)?;
                    entry.payload_digest = Some(digest);
                    entry.warc_file = Some(file);
                    entry.warc_offset = Some(offset);
                    entry.record_id = Some(id);
                    entry.warc_date = Some(date.clone());
                    self.summary.fetched += 1;
                    self.summary.bytes += response.body.len() as u64;
                }
            }
            entry.canonical = None;
            if is_html(content_type.as_deref())
                && let Ok(body) = warc::decode_body(&response.headers, &response.body)
            {
                entry.canonical = self.follow_links(&item, &String::from_utf8_lossy(&body));
            }
        } else {
            warn!(url = %url, status = response.status, "fetch failed");
            self.summary.errors += 1;
        }
        self.save_state(url, entry)
    }

    /// Follows the links of the archived copy; its other canonical URL.
    fn follow_links_of_earlier_capture(
        &mut self,
        item: &Item,
        previous: &UrlState,
    ) -> Option<String> {
        let (Some(file), Some(offset)) = (&previous.warc_file, previous.warc_offset) else {
            return previous.canonical.clone();
        };
        match warc::read_response_at(&self.options.corpus.join(file), offset) {
            Ok(stored) if is_html(stored.capture.content_type.as_deref()) => {
                self.follow_links(item, &String::from_utf8_lossy(&stored.capture.body))
            }
            Ok(_) => None,
            Err(error) => {
                warn!(url = %item.url, file = %file, error = %error, "earlier capture unreadable: links not followed");
                previous.canonical.clone()
            }
        }
    }

    /// Enqueues the page's links. A canonical URL on an allowed host other
    /// than the page's own is returned and marked seen: the page already
    /// holds its content.
    fn follow_links(&mut self, item: &Item, html: &str) -> Option<String> {
        let (links, canonical) = links::page_links(html, &item.url);
        let canonical = canonical
            .and_then(normalise)
            .filter(|canonical| canonical != &item.url && self.host_allowed(canonical))
            .map(String::from);
        if let Some(canonical) = &canonical {
            self.seen.insert(canonical.clone());
            self.canonicals
                .entry(canonical.clone())
                .or_insert_with(|| item.url.to_string());
        }
        for link in links {
            let Some(link) = normalise(link) else {
                continue;
            };
            if is_document(&link) {
                if self.host_allowed(&link) || link.host_str() == item.url.host_str() {
                    self.enqueue(link, ItemKind::Document, 0);
                }
                continue;
            }
            if let ItemKind::Page { source, depth } = item.kind
                && let Some(SourceKind::Pages { max_depth, .. }) =
                    self.file.sources.get(source).map(|s| &s.kind)
                && depth < *max_depth
                && self.in_scope(&link, source)
            {
                self.enqueue(
                    link,
                    ItemKind::Page {
                        source,
                        depth: depth + 1,
                    },
                    0,
                );
            }
        }
        canonical
    }

    fn save_state(&mut self, url: String, entry: UrlState) -> Result<(), CrawlError> {
        self.state
            .record(&self.state_path, url, entry)
            .map_err(|source| CrawlError::Io {
                path: self.state_path.clone(),
                source,
            })
    }

    /// The open WARC file, starting a new one when none is open or the
    /// current one is full.
    fn writer(&mut self) -> Result<&mut WarcWriter, CrawlError> {
        if self
            .writer
            .as_ref()
            .is_none_or(|writer| writer.len() > MAX_WARC_BYTES)
        {
            let directory = self.options.corpus.join("crawl").join("warc");
            let mut serial = 0;
            let path = loop {
                let path =
                    directory.join(format!("pledgewatch-{}-{serial}.warc.gz", self.run_stamp));
                if !path.exists() {
                    break path;
                }
                serial += 1;
            };
            let mut writer = WarcWriter::open(&path)?;
            writer.write_warcinfo(
                &now_warc_date(),
                &[
                    (
                        "software",
                        concat!("pledgewatch/", env!("CARGO_PKG_VERSION")),
                    ),
                    ("format", "WARC File Format 1.1"),
                    ("http-header-user-agent", &self.file.crawl.user_agent),
                    ("robots", "obey"),
                ],
            )?;
            self.writer = Some(writer);
        }
        Ok(self.writer.as_mut().expect("writer just opened"))
    }

    fn relative_path(&self, path: &Path) -> String {
        path.strip_prefix(&self.options.corpus)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned()
    }

    fn write_response(
        &mut self,
        url: &str,
        date: &str,
        response: &Response,
    ) -> Result<(String, u64, String), CrawlError> {
        let mut block = response.head_bytes();
        block.extend_from_slice(&response.body);
        let id = warc::record_id();
        let writer = self.writer()?;
        writer.write_request(url, date, &response.raw_request, Some(&id))?;
        let written = writer.write_response(url, date, &block, &response.body, &id)?;
        let path = writer.path().to_path_buf();
        Ok((self.relative_path(&path), written.offset, id))
    }

    fn write_revisit(
        &mut self,
        url: &str,
        date: &str,
        response: &Response,
        previous: &UrlState,
        profile: &str,
    ) -> Result<(), CrawlError> {
        let id = warc::record_id();
        let head = response.head_bytes();
        let digest = previous.payload_digest.clone().unwrap_or_default();
        let writer = self.writer()?;
        writer.write_request(url, date, &response.raw_request, Some(&id))?;
        writer.write_revisit(
            url,
            date,
            &head,
            &RevisitOf {
                profile,
                refers_to: previous.record_id.as_deref(),
                refers_to_uri: url,
                refers_to_date: previous.warc_date.as_deref(),
                payload_digest: &digest,
            },
            &id,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_file_minimal_and_checked() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("sources.toml");
        std::fs::write(
            &path,
            "[crawl]\nuser_agent = \"pledgewatch/0.1 (+https://pledgewatch.example/about)\"\n\n[[source]]\nname = \"demo\"\nkind = \"sitemap\"\nurl = \"https://pledgewatch.example/sitemap.xml\"\n",
        )
        .unwrap();
        let file = read_sources(&path).unwrap();
        assert_eq!(file.crawl.requests_per_second, 1.0);
        assert!(matches!(file.sources[0].kind, SourceKind::Sitemap { .. }));

        std::fs::write(&path, "[crawl]\nuser_agent = \"pledgewatch\"\n").unwrap();
        let error = read_sources(&path).unwrap_err().to_string();
        assert!(error.contains("contact URL"), "{error}");

        std::fs::write(
            &path,
            "[crawl]\nuser_agent = \"x (+https://a.example)\"\n[[source]]\nname = \"p\"\nkind = \"pages\"\nseeds = [\"https://a.example/\"]\nallow = [\"https://a.example/news/\"]\nmax_depth = 1\n[[source]]\nname = \"f\"\nkind = \"feed\"\nurl = \"https://a.example/feed.atom\"\n",
        )
        .unwrap();
        let file = read_sources(&path).unwrap();
        assert!(matches!(
            file.sources[0].kind,
            SourceKind::Pages { max_depth: 1, .. }
        ));
        assert!(matches!(file.sources[1].kind, SourceKind::Feed { .. }));
    }

    #[test]
    fn normalisation_and_filters() {
        let url = normalise(Url::parse("HTTPS://A.Example:443/x?#frag").unwrap()).unwrap();
        assert_eq!(url.as_str(), "https://a.example/x");
        assert!(normalise(Url::parse("mailto:a@b.example").unwrap()).is_none());
        assert!(is_document(
            &Url::parse("https://a.example/r/report.PDF").unwrap()
        ));
        assert!(!is_document(
            &Url::parse("https://a.example/r/page.html").unwrap()
        ));
        assert!(content_type_allowed(Some("text/html; charset=utf-8")));
        assert!(content_type_allowed(Some("application/atom+xml")));
        assert!(!content_type_allowed(Some("image/png")));
        assert!(!content_type_allowed(Some("video/mp4")));
    }
}
