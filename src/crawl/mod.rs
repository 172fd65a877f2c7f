//! The crawl stage: fetches the sources listed in a TOML file politely
//! (robots.txt, a per-host rate limit, backoff on 429 and 5xx) and archives
//! what it fetched as WARC files under `<corpus>/crawl/warc/`, with the
//! crawl state in `<corpus>/crawl/state.redb` (see [`state`]).
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
//!
//! Only fetching runs in parallel: a pool of threads (`[crawl] workers`)
//! takes requests from this module's one scheduling thread and hands the
//! answers back. Robots.txt, each host's queue, slot and concurrency
//! (`[crawl] concurrency_per_host`), retries, and every write (WARC
//! records, then the state line that points at them) stay on the
//! scheduling thread, so the order that crash safety relies on holds.

pub mod api;
pub mod fetch;
pub mod links;
pub mod progress;
pub mod robots;
pub mod state;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use std::sync::{Arc, Mutex, mpsc};

use jiff::civil::Date;
use serde::Deserialize;
use serde_json::Value;
use tracing::{info, warn};
use url::Url;

use crate::corpus::warc::{self, RevisitOf, WarcError, WarcWriter};
use crate::extract::CaptureMeta;
use api::{Child, CommitteeDocument, Step};
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
/// Fetching threads, unless `[crawl] workers` says otherwise.
const DEFAULT_WORKERS: usize = 8;
/// Most fetching threads `[crawl] workers` may ask for.
pub const MAX_WORKERS: usize = 64;
/// A host's next sitemap is read only when fewer of its URLs than this
/// wait in its queue, so the queue does not hold a large site at once.
const SITEMAP_REFILL_BELOW: usize = 256;
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
    /// API items not fetched: listed again with the date already stored.
    pub up_to_date: usize,
    /// HTTP requests made, robots.txt and retries included.
    pub requests: usize,
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
    #[error("fetching threads: {0}")]
    Fetchers(String),
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
    /// Fetching threads in all: different hosts are fetched in parallel.
    #[serde(default = "default_workers")]
    pub workers: usize,
    /// Requests in flight to one host at a time (1: the next request
    /// waits for the answer to the last).
    #[serde(default = "default_concurrency_per_host")]
    pub concurrency_per_host: usize,
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

fn default_workers() -> usize {
    DEFAULT_WORKERS
}

fn default_concurrency_per_host() -> usize {
    1
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
    /// GOV.UK: the search API, then each item from the content API.
    Govuk {
        #[serde(default = "govuk_base")]
        base: String,
        #[serde(default)]
        organisations: Vec<String>,
        #[serde(default)]
        document_types: Vec<String>,
        #[serde(default, deserialize_with = "date_key")]
        since: Option<Date>,
        /// Capped at GOV.UK's published limit of 10.
        requests_per_second: Option<f64>,
    },
    /// The UK Parliament committees API's publications.
    Committees {
        #[serde(default = "committees_base")]
        base: String,
        #[serde(default)]
        committee_ids: Vec<u64>,
        #[serde(default)]
        publication_types: Vec<String>,
        #[serde(default, deserialize_with = "date_key")]
        since: Option<Date>,
        requests_per_second: Option<f64>,
    },
    /// The written questions and statements API's statements.
    #[serde(rename = "written-statements")]
    WrittenStatements {
        #[serde(default = "statements_base")]
        base: String,
        #[serde(default)]
        answering_bodies: Vec<u64>,
        #[serde(default, deserialize_with = "date_key")]
        since: Option<Date>,
        requests_per_second: Option<f64>,
    },
    /// Hansard's spoken contributions.
    Hansard {
        #[serde(default = "hansard_base")]
        base: String,
        #[serde(default, deserialize_with = "date_key")]
        since: Option<Date>,
        search: Option<String>,
        requests_per_second: Option<f64>,
    },
}

impl SourceKind {
    /// An API kind's base URL, `since` and own rate.
    fn api(&self) -> Option<(&str, Option<Date>, Option<f64>)> {
        match self {
            SourceKind::Govuk {
                base,
                since,
                requests_per_second,
                ..
            }
            | SourceKind::Committees {
                base,
                since,
                requests_per_second,
                ..
            }
            | SourceKind::WrittenStatements {
                base,
                since,
                requests_per_second,
                ..
            }
            | SourceKind::Hansard {
                base,
                since,
                requests_per_second,
                ..
            } => Some((base, *since, *requests_per_second)),
            _ => None,
        }
    }
}

fn govuk_base() -> String {
    api::GOVUK_BASE.into()
}

fn committees_base() -> String {
    api::COMMITTEES_BASE.into()
}

fn statements_base() -> String {
    api::STATEMENTS_BASE.into()
}

fn hansard_base() -> String {
    api::HANSARD_BASE.into()
}

/// A date written as a TOML date (`since = 2024-07-05`) or a string.
fn date_key<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Date>, D::Error> {
    use serde::de::Error as _;
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Date(toml::value::Datetime),
    }
    let Some(raw) = Option::<Raw>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let text = match raw {
        Raw::Text(text) => text,
        Raw::Date(date) => date.to_string(),
    };
    text.trim().parse::<Date>().map(Some).map_err(|error| {
        D::Error::custom(format!(
            "since {text:?} is not a date (YYYY-MM-DD): {error}"
        ))
    })
}

fn default_depth() -> usize {
    2
}

/// The state entry of a fetch made on `date` (a WARC date): the earlier
/// entry's fields, with this fetch's day and status and no redirect.
fn refetched(previous: Option<&UrlState>, date: &str, status: u16) -> UrlState {
    UrlState {
        last_fetch: date[..10].to_string(),
        status,
        redirect_to: None,
        ..previous.cloned().unwrap_or_default()
    }
}

/// How many entries a listing page holds.
fn page_length(page: &Value, pointer: &str) -> usize {
    page.pointer(pointer)
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

/// Today, in UTC.
fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// The crawl state key of an API source's last complete walk.
fn source_key(name: &str) -> String {
    format!("source:{name}")
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
    if !(1..=MAX_WORKERS).contains(&file.crawl.workers) {
        return Err(config_error(format!(
            "crawl.workers must be between 1 and {MAX_WORKERS}"
        )));
    }
    if !(1..=file.crawl.workers).contains(&file.crawl.concurrency_per_host) {
        return Err(config_error(format!(
            "crawl.concurrency_per_host must be between 1 and crawl.workers ({})",
            file.crawl.workers
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
        if let Some((_, _, Some(rate))) = source.kind.api()
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(config_error(format!(
                "source {:?}: requests_per_second must be positive",
                source.name
            )));
        }
        let urls: Vec<&str> = match &source.kind {
            SourceKind::Sitemap { url } | SourceKind::Feed { url } => vec![url],
            SourceKind::Pages { seeds, allow, .. } => {
                seeds.iter().chain(allow).map(String::as_str).collect()
            }
            kind => kind
                .api()
                .map(|(base, _, _)| vec![base])
                .unwrap_or_default(),
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
    /// A document linked from a page: archived, not followed. `meta` is
    /// what an API said about it.
    Document {
        meta: Option<Arc<CaptureMeta>>,
    },
    /// A step of an API source's walk.
    Api {
        source: usize,
        step: Step,
    },
}

impl ItemKind {
    /// Whether the response is archived as a capture.
    fn is_archived(&self) -> bool {
        match self {
            ItemKind::Page { .. } | ItemKind::Document { .. } => true,
            ItemKind::Api { step, .. } => step.is_item(),
            ItemKind::Sitemap | ItemKind::Feed => false,
        }
    }
}

#[derive(Debug, Clone)]
struct Item {
    url: Url,
    kind: ItemKind,
    hops: usize,
    /// The URLs that redirected here, first first (`hops` of them).
    chain: Vec<String>,
    /// Retries made so far (429, 5xx, network errors).
    attempt: u32,
}

/// What is known of a host's robots.txt.
enum RobotsState {
    /// To be fetched from `target` (`hops` redirects followed so far).
    Wanted {
        target: Url,
        hops: usize,
    },
    Fetching,
    Known(Robots),
}

struct Host {
    robots: RobotsState,
    delay: Duration,
    /// The host's next slot: no request starts before it.
    next_at: Instant,
    in_flight: usize,
    /// Pages, documents, feeds and API steps, first first.
    queue: VecDeque<Item>,
    /// Sitemaps not read yet: the next is read when `queue` runs low.
    sitemaps: VecDeque<Item>,
    sitemap_in_flight: bool,
}

impl Host {
    /// The next item to fetch: a sitemap when the queue runs low (one at
    /// a time), else the queue's first.
    fn next_item(&mut self) -> Option<Item> {
        if !self.sitemaps.is_empty()
            && !self.sitemap_in_flight
            && self.queue.len() < SITEMAP_REFILL_BELOW
        {
            return self.sitemaps.pop_front();
        }
        self.queue.pop_front()
    }

    /// Whether the host has a request to make once its slot comes.
    fn has_work(&self) -> bool {
        match self.robots {
            RobotsState::Wanted { .. } => true,
            RobotsState::Fetching => false,
            RobotsState::Known(_) => {
                !self.queue.is_empty() || (!self.sitemaps.is_empty() && !self.sitemap_in_flight)
            }
        }
    }

    fn queued(&self) -> usize {
        self.queue.len() + self.sitemaps.len()
    }
}

/// The URLs met this run, as 64-bit fingerprints: 8 bytes a URL instead of
/// the URL, so a large site's seen set stays small (two of a million URLs
/// share a fingerprint with odds of about 1 in 37 million; the second
/// would then not be fetched this run).
#[derive(Default)]
struct Seen(HashSet<u64>);

impl Seen {
    /// True the first time `url` is met.
    fn insert(&mut self, url: &str) -> bool {
        use std::hash::{Hash, Hasher};
        // SipHash with fixed keys: the same URL always gives the same
        // fingerprint within a run.
        let mut hasher = std::hash::DefaultHasher::new();
        url.hash(&mut hasher);
        self.0.insert(hasher.finish())
    }
}

/// A request handed to a fetching thread.
struct Job {
    id: u64,
    url: Url,
    extra: Vec<(String, String)>,
}

/// A fetching thread's answer.
struct Done {
    id: u64,
    result: Result<Response, FetchError>,
}

/// A request in flight, as the main thread knows it.
enum Flight {
    Robots {
        host: usize,
        target: Url,
        hops: usize,
    },
    Item {
        host: usize,
        item: Item,
        previous: Option<Box<UrlState>>,
    },
}

/// Starts `count` fetching threads. They only fetch: every decision
/// (what, when, retries) and every write stays on the crawl's thread. They
/// end when the job channel closes.
fn start_fetchers(
    fetcher: Fetcher,
    count: usize,
) -> Result<(mpsc::Sender<Job>, mpsc::Receiver<Done>), CrawlError> {
    let fetcher = Arc::new(fetcher);
    let (job_sender, job_receiver) = mpsc::channel::<Job>();
    let job_receiver = Arc::new(Mutex::new(job_receiver));
    let (done_sender, done_receiver) = mpsc::channel::<Done>();
    for index in 0..count {
        let fetcher = Arc::clone(&fetcher);
        let jobs = Arc::clone(&job_receiver);
        let done = done_sender.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("crawl-fetch-{index}"))
            .spawn(move || {
                loop {
                    let job = match jobs.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else {
                        return;
                    };
                    // A panic would leave the request in flight for ever: it
                    // is answered as a failed fetch instead.
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        fetcher.get(&job.url, &job.extra)
                    }))
                    .unwrap_or_else(|_| Err(FetchError::Failed("the fetch panicked".into())));
                    if done.send(Done { id: job.id, result }).is_err() {
                        return;
                    }
                }
            });
        spawned.map_err(|error| CrawlError::Fetchers(error.to_string()))?;
    }
    Ok((job_sender, done_receiver))
}

struct Crawler<'a> {
    options: &'a CrawlOptions,
    file: SourcesFile,
    product: String,
    hosts: Vec<Host>,
    /// Host key (`scheme://host[:port]`) -> index in `hosts`.
    host_index: HashMap<String, usize>,
    /// Where the next dispatch round starts, so hosts take turns.
    round: usize,
    jobs: mpsc::Sender<Job>,
    in_flight: HashMap<u64, Flight>,
    next_job: u64,
    workers: usize,
    per_host: usize,
    /// `max_pages` reached: nothing more is dispatched.
    limit_reached: bool,
    allowed_hosts: HashSet<String>,
    seen: Seen,
    /// Canonical URL -> the page fetched this run that declared it.
    canonicals: HashMap<String, String>,
    state: State,
    state_path: PathBuf,
    writer: Option<WarcWriter>,
    run_stamp: String,
    summary: CrawlSummary,
    attempted: usize,
    /// Host key -> requests per second, where a source sets its own.
    host_rates: HashMap<String, f64>,
    /// API source -> the first day its walk asks for.
    api_from: HashMap<usize, Date>,
    /// Committees source -> publication type ids.
    committee_types: HashMap<usize, Vec<u64>>,
    /// API sources with a listing that failed: their walk is incomplete.
    failed_sources: HashSet<usize>,
    today: Date,
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
    let state_path = state::state_path(&options.corpus);
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
    let workers = file.crawl.workers;
    let (jobs, done) = start_fetchers(fetcher, workers)?;
    let mut crawler = Crawler {
        options,
        product: robots::product_token(&file.crawl.user_agent),
        hosts: Vec::new(),
        host_index: HashMap::new(),
        round: 0,
        jobs,
        in_flight: HashMap::new(),
        next_job: 0,
        workers,
        per_host: file.crawl.concurrency_per_host,
        limit_reached: false,
        allowed_hosts: HashSet::new(),
        seen: Seen::default(),
        canonicals: HashMap::new(),
        state,
        state_path,
        writer: None,
        run_stamp: jiff::Timestamp::now().strftime("%Y%m%d%H%M%S").to_string(),
        summary: CrawlSummary::default(),
        attempted: 0,
        host_rates: HashMap::new(),
        api_from: HashMap::new(),
        committee_types: HashMap::new(),
        failed_sources: HashSet::new(),
        today: today(),
        file,
    };
    crawler.seed();
    let mut progress = progress::Progress::new(options.progress_bar);
    loop {
        crawler.dispatch(max_pages);
        if crawler.in_flight.is_empty() {
            match crawler.until_next_slot() {
                Some(wait) if !crawler.limit_reached => {
                    // Every host with work waits for its next slot.
                    std::thread::sleep(wait);
                    continue;
                }
                _ => break,
            }
        }
        let wait = if crawler.limit_reached || crawler.in_flight.len() >= crawler.workers {
            None
        } else {
            crawler.until_next_slot()
        };
        let answer = match wait {
            Some(wait) => match done.recv_timeout(wait) {
                Ok(answer) => Some(answer),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(CrawlError::Fetchers("every fetching thread ended".into()));
                }
            },
            None => Some(
                done.recv()
                    .map_err(|_| CrawlError::Fetchers("every fetching thread ended".into()))?,
            ),
        };
        if let Some(answer) = answer {
            crawler.complete(answer)?;
            while let Ok(answer) = done.try_recv() {
                crawler.complete(answer)?;
            }
        }
        progress.update(&progress::Snapshot {
            pages: crawler.attempted,
            queued: crawler.hosts.iter().map(Host::queued).sum(),
            hosts: crawler.hosts.len(),
            summary: &crawler.summary,
        });
    }
    progress.finish();
    if crawler.limit_reached {
        info!(max_pages = ?max_pages, "page limit reached");
    } else {
        crawler.mark_complete_walks()?;
    }
    if let Some(writer) = crawler.writer.as_mut() {
        writer.sync()?;
    }
    crawler.state.commit().map_err(|source| CrawlError::Io {
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
        up_to_date = s.up_to_date,
        requests = s.requests,
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

/// The wait before retry `attempt + 1` when the server names none:
/// exponential (1 s, 2 s, 4 s...), capped, with "equal jitter" (a random
/// half of it), so that crawls failing together do not retry together.
fn backoff(attempt: u32) -> Duration {
    use std::hash::BuildHasher;
    let base = Duration::from_secs(1 << attempt.min(16)).min(MAX_BACKOFF);
    // RandomState is seeded from the OS: a random number without a crate.
    let random = std::collections::hash_map::RandomState::new().hash_one(Instant::now());
    let unit = (random >> 11) as f64 / (1u64 << 53) as f64;
    base / 2 + (base / 2).mul_f64(unit)
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

impl Item {
    fn api_timestamp(&self) -> Option<String> {
        match &self.kind {
            ItemKind::Api { step, .. } => step.timestamp(),
            _ => None,
        }
    }
}

impl Crawler<'_> {
    fn seed(&mut self) {
        let sources = self.file.sources.clone();
        for (index, source) in sources.iter().enumerate() {
            if source.kind.api().is_some() {
                self.seed_api(index, source);
                continue;
            }
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
                _ => continue,
            };
            for url in urls {
                self.allow_host_of(url);
                if let Ok(parsed) = Url::parse(url) {
                    self.enqueue(parsed, kind.clone(), 0);
                }
            }
        }
    }

    /// Starts an API source's walk: its host's rate, the first day asked
    /// for (`since`, or the day before its last complete walk when that
    /// used the same `since`), and the first listing.
    fn seed_api(&mut self, index: usize, source: &Source) {
        let Some((base, since, rate)) = source.kind.api() else {
            return;
        };
        self.allow_host_of(base);
        let Ok(base_url) = Url::parse(base) else {
            return;
        };
        let rate = match &source.kind {
            SourceKind::Govuk { .. } => {
                rate.unwrap_or(api::GOVUK_MAX_RATE).min(api::GOVUK_MAX_RATE)
            }
            _ => rate.unwrap_or(self.file.crawl.requests_per_second),
        };
        self.host_rates.insert(Self::host_key(&base_url), rate);
        let since = since.unwrap_or_else(|| {
            self.today
                .checked_sub(jiff::Span::new().days(api::DEFAULT_REACH_DAYS))
                .unwrap_or(self.today)
        });
        let mut from = since;
        if let Some(mark) = self.state.get(&source_key(&source.name))
            && mark.api_timestamp.as_deref() == Some(since.to_string().as_str())
            && let Ok(last) = mark.last_fetch.parse::<Date>()
            && let Ok(overlap) = last.yesterday()
        {
            from = from.max(overlap);
        }
        info!(source = %source.name, from = %from, "API walk");
        self.api_from.insert(index, from);
        match &source.kind {
            SourceKind::Govuk { .. } => self.enqueue_listing(index, Step::GovukSearch { start: 0 }),
            SourceKind::Committees {
                publication_types, ..
            } => {
                if publication_types.is_empty() {
                    self.enqueue_committee_windows(index);
                } else {
                    self.enqueue_listing(index, Step::CommitteeTypes);
                }
            }
            SourceKind::WrittenStatements { .. } => {
                self.enqueue_listing(index, Step::StatementList { skip: 0 })
            }
            SourceKind::Hansard { .. } => {
                self.enqueue_listing(index, Step::HansardSearch { skip: 0 })
            }
            _ => {}
        }
    }

    /// The URL of a listing step of an API source.
    fn listing_url(&self, source: usize, step: &Step) -> Option<Url> {
        let from = *self.api_from.get(&source)?;
        let to = self.today;
        match (&self.file.sources.get(source)?.kind, step) {
            (
                SourceKind::Govuk {
                    base,
                    organisations,
                    document_types,
                    ..
                },
                Step::GovukSearch { start },
            ) => api::govuk_search_url(base, organisations, document_types, from, *start),
            (SourceKind::Committees { base, .. }, Step::CommitteeTypes) => {
                api::committee_types_url(base)
            }
            (
                SourceKind::Committees { base, .. },
                Step::CommitteeWindow {
                    committee,
                    from,
                    to,
                    skip,
                },
            ) => {
                let types = self
                    .committee_types
                    .get(&source)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                api::committee_list_url(base, *committee, types, *from, *to, *skip)
            }
            (
                SourceKind::WrittenStatements {
                    base,
                    answering_bodies,
                    ..
                },
                Step::StatementList { skip },
            ) => api::statements_list_url(base, answering_bodies, from, to, *skip),
            (SourceKind::Hansard { base, search, .. }, Step::HansardSearch { skip }) => {
                api::hansard_search_url(base, from, to, search.as_deref(), *skip)
            }
            _ => None,
        }
    }

    fn enqueue_listing(&mut self, source: usize, step: Step) {
        match self.listing_url(source, &step) {
            Some(url) => self.enqueue(url, ItemKind::Api { source, step }, 0),
            None => {
                warn!(source, step = ?step, "no URL for this API step");
                self.failed_sources.insert(source);
            }
        }
    }

    fn enqueue_committee_windows(&mut self, source: usize) {
        let Some(SourceKind::Committees { committee_ids, .. }) =
            self.file.sources.get(source).map(|source| &source.kind)
        else {
            return;
        };
        let committees: Vec<Option<u64>> = if committee_ids.is_empty() {
            vec![None]
        } else {
            committee_ids.iter().copied().map(Some).collect()
        };
        let Some(from) = self.api_from.get(&source).copied() else {
            return;
        };
        for committee in committees {
            for (from, to) in api::date_windows(from, self.today, api::COMMITTEE_WINDOW_DAYS) {
                self.enqueue_listing(
                    source,
                    Step::CommitteeWindow {
                        committee,
                        from,
                        to,
                        skip: 0,
                    },
                );
            }
        }
    }

    /// An API item listed: enqueued, unless the state holds a capture with
    /// the same API date (then only the files it links to that were never
    /// captured are enqueued, from the stored copy: a crawl killed after the
    /// item and before its files loses nothing).
    fn enqueue_api_item(&mut self, source: usize, url: Url, step: Step) {
        let timestamp = step.timestamp();
        let stored = self.state.get(url.as_str()).filter(|entry| {
            timestamp.is_some()
                && entry.payload_digest.is_some()
                && entry.api_timestamp == timestamp
        });
        match stored {
            Some(entry) => {
                self.summary.up_to_date += 1;
                self.seen.insert(url.as_str());
                if let (Some(file), Some(offset)) = (&entry.warc_file, entry.warc_offset)
                    && matches!(step, Step::GovukContent { .. } | Step::Statement { .. })
                {
                    match warc::read_response_at(&self.options.corpus.join(file), offset) {
                        Ok(stored) => {
                            self.api_children(source, &step, &url, &stored.capture.body, true)
                        }
                        Err(error) => {
                            warn!(url = %url, error = %error, "earlier capture unreadable: its files not checked")
                        }
                    }
                }
            }
            None => self.enqueue(url, ItemKind::Api { source, step }, 0),
        }
    }

    /// Enqueues what an API item links to: `html_publication` children and
    /// attached files (on any host the item names, robots.txt permitting).
    fn api_children(
        &mut self,
        source: usize,
        step: &Step,
        api_url: &Url,
        body: &[u8],
        only_missing: bool,
    ) {
        let Ok(value) = serde_json::from_slice::<Value>(body) else {
            return;
        };
        let children = match (step, self.file.sources.get(source).map(|s| &s.kind)) {
            (Step::GovukContent { .. }, Some(SourceKind::Govuk { base, .. })) => {
                api::govuk_children(base, api_url, &value)
            }
            (Step::Statement { .. }, _) => api::statement_attachments(api_url, &value),
            _ => Vec::new(),
        };
        for child in children {
            let (url, kind) = match child {
                Child::Content(url) => (
                    url,
                    ItemKind::Api {
                        source,
                        step: Step::GovukContent { timestamp: None },
                    },
                ),
                Child::File(url, meta) => {
                    self.allow_host_of(url.as_str());
                    (
                        url,
                        ItemKind::Document {
                            meta: Some(Arc::new(*meta)),
                        },
                    )
                }
            };
            if only_missing
                && self
                    .state
                    .get(url.as_str())
                    .is_some_and(|entry| entry.payload_digest.is_some())
            {
                continue;
            }
            self.enqueue(url, kind, 0);
        }
    }

    /// Records, for every API source whose walk completed, the day it ran:
    /// the next crawl asks only for what is newer.
    fn mark_complete_walks(&mut self) -> Result<(), CrawlError> {
        for index in 0..self.file.sources.len() {
            if self.failed_sources.contains(&index) || !self.api_from.contains_key(&index) {
                continue;
            }
            let source = &self.file.sources[index];
            let since = source
                .kind
                .api()
                .and_then(|(_, since, _)| since)
                .unwrap_or_else(|| {
                    self.today
                        .checked_sub(jiff::Span::new().days(api::DEFAULT_REACH_DAYS))
                        .unwrap_or(self.today)
                });
            let key = source_key(&source.name);
            let entry = UrlState {
                last_fetch: self.today.to_string(),
                status: 200,
                api_timestamp: Some(since.to_string()),
                ..UrlState::default()
            };
            self.save_state(key, entry)?;
        }
        Ok(())
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
        if self.seen.insert(url.as_str()) {
            self.push(Item {
                url,
                kind,
                hops,
                chain: Vec::new(),
                attempt: 0,
            });
        }
    }

    /// Queues an item on its host (met for the first time: its robots.txt
    /// is wanted first). Sitemaps wait apart, to be read when needed.
    fn push(&mut self, item: Item) {
        let host = self.host_of(&item.url);
        let host = &mut self.hosts[host];
        if matches!(item.kind, ItemKind::Sitemap) {
            host.sitemaps.push_back(item);
        } else {
            host.queue.push_back(item);
        }
    }

    /// The index of the URL's host, added when new.
    fn host_of(&mut self, url: &Url) -> usize {
        let key = Self::host_key(url);
        if let Some(index) = self.host_index.get(&key) {
            return *index;
        }
        let rate = self
            .host_rates
            .get(&key)
            .copied()
            .unwrap_or(self.file.crawl.requests_per_second);
        let robots = match url.join("/robots.txt") {
            Ok(target) => RobotsState::Wanted { target, hops: 0 },
            Err(_) => RobotsState::Known(Robots::allow_all()),
        };
        self.hosts.push(Host {
            robots,
            delay: Duration::from_secs_f64(1.0 / rate),
            next_at: Instant::now(),
            in_flight: 0,
            queue: VecDeque::new(),
            sitemaps: VecDeque::new(),
            sitemap_in_flight: false,
        });
        self.host_index.insert(key, self.hosts.len() - 1);
        self.hosts.len() - 1
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

    /// Hands requests to idle fetching threads: hosts take turns, each
    /// within its concurrency and no earlier than its next slot.
    fn dispatch(&mut self, max_pages: Option<usize>) {
        let count = self.hosts.len();
        if count == 0 {
            return;
        }
        let start = self.round % count;
        self.round = self.round.wrapping_add(1);
        for offset in 0..count {
            let host = (start + offset) % count;
            while !self.limit_reached
                && self.in_flight.len() < self.workers
                && self.dispatch_one(host, max_pages)
            {}
        }
    }

    /// Starts the host's next request, or skips its next item; false when
    /// the host has nothing to start now.
    fn dispatch_one(&mut self, index: usize, max_pages: Option<usize>) -> bool {
        let now = Instant::now();
        let host = &mut self.hosts[index];
        if host.in_flight >= self.per_host || host.next_at > now {
            return false;
        }
        match &host.robots {
            RobotsState::Fetching => return false,
            RobotsState::Wanted { target, hops } => {
                let (target, hops) = (target.clone(), *hops);
                host.robots = RobotsState::Fetching;
                self.send(
                    index,
                    target.clone(),
                    Vec::new(),
                    Flight::Robots {
                        host: index,
                        target,
                        hops,
                    },
                );
                return true;
            }
            RobotsState::Known(_) => {}
        }
        let Some(item) = host.next_item() else {
            return false;
        };
        let archived = item.kind.is_archived();
        // A retry was checked and counted when first sent.
        if item.attempt == 0 {
            if matches!(item.kind, ItemKind::Page { .. })
                && let Some(page) = self.canonicals.get(item.url.as_str())
            {
                info!(url = %item.url, page = %page, "already fetched as a page declaring it canonical");
                self.summary.skipped += 1;
                return true;
            }
            if !self.robots_allow(index, &item.url) {
                info!(url = %item.url, "disallowed by robots.txt");
                self.summary.skipped += 1;
                // A listing robots.txt forbids leaves the walk incomplete; an
                // item it forbids is simply never fetched.
                if let ItemKind::Api { source, step } = &item.kind
                    && !step.is_item()
                {
                    self.failed_sources.insert(*source);
                }
                return true;
            }
            if archived {
                if max_pages.is_some_and(|max| self.attempted >= max) {
                    self.limit_reached = true;
                    return false;
                }
                self.attempted += 1;
            }
        }
        let previous = self.state.get(item.url.as_str());
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
        if matches!(item.kind, ItemKind::Sitemap) {
            self.hosts[index].sitemap_in_flight = true;
        }
        self.send(
            index,
            item.url.clone(),
            extra,
            Flight::Item {
                host: index,
                item,
                previous: previous.map(Box::new),
            },
        );
        true
    }

    /// Sends a request to the fetching threads and books the host's next
    /// slot.
    fn send(&mut self, host: usize, url: Url, extra: Vec<(String, String)>, flight: Flight) {
        let id = self.next_job;
        self.next_job += 1;
        self.summary.requests += 1;
        let host = &mut self.hosts[host];
        host.in_flight += 1;
        host.next_at = Instant::now() + host.delay;
        self.in_flight.insert(id, flight);
        // A send fails only when every fetching thread has ended; the
        // crawl loop then stops with an error.
        let _ = self.jobs.send(Job { id, url, extra });
    }

    /// How long until some host with work has a free slot; `None` when no
    /// host has work it could start.
    fn until_next_slot(&self) -> Option<Duration> {
        let now = Instant::now();
        self.hosts
            .iter()
            .filter(|host| host.in_flight < self.per_host && host.has_work())
            .map(|host| host.next_at.saturating_duration_since(now))
            .min()
    }

    /// Takes a fetching thread's answer: robots.txt, a retry put back in
    /// its host's queue (the host waits for Retry-After or the backoff), or
    /// the response processed.
    fn complete(&mut self, done: Done) -> Result<(), CrawlError> {
        let Some(flight) = self.in_flight.remove(&done.id) else {
            return Ok(());
        };
        match flight {
            Flight::Robots { host, target, hops } => {
                self.hosts[host].in_flight -= 1;
                self.robots_fetched(host, target, hops, done.result);
                Ok(())
            }
            Flight::Item {
                host,
                mut item,
                previous,
            } => {
                let is_sitemap = matches!(item.kind, ItemKind::Sitemap);
                {
                    let host = &mut self.hosts[host];
                    host.in_flight -= 1;
                    if is_sitemap {
                        host.sitemap_in_flight = false;
                    }
                }
                let backoff = backoff(item.attempt);
                let wait = match &done.result {
                    Ok(response) if response.status == 429 || response.status >= 500 => {
                        Some(retry_after(response).unwrap_or(backoff).min(MAX_BACKOFF))
                    }
                    Err(FetchError::Failed(_)) => Some(backoff),
                    _ => None,
                };
                if let Some(wait) = wait
                    && item.attempt < MAX_RETRIES
                {
                    item.attempt += 1;
                    warn!(url = %item.url, attempt = item.attempt, wait_seconds = wait.as_secs_f64(), "retrying");
                    let host = &mut self.hosts[host];
                    host.next_at = host.next_at.max(Instant::now() + wait);
                    if is_sitemap {
                        host.sitemaps.push_front(item);
                    } else {
                        host.queue.push_front(item);
                    }
                    return Ok(());
                }
                self.process(item, previous.map(|previous| *previous), done.result)
            }
        }
    }

    /// Whether robots.txt lets `url` be fetched from host `index`.
    fn robots_allow(&self, index: usize, url: &Url) -> bool {
        let mut path = url.path().to_string();
        if let Some(query) = url.query() {
            path.push('?');
            path.push_str(query);
        }
        match &self.hosts[index].robots {
            RobotsState::Known(robots) => robots.allowed(&path),
            _ => false,
        }
    }

    /// A host's robots.txt answer: rules and Crawl-delay, a redirect to
    /// follow, allow-all when there is none (4xx), or disallow-all when
    /// it cannot be read (5xx, network).
    fn robots_fetched(
        &mut self,
        index: usize,
        target: Url,
        hops: usize,
        result: Result<Response, FetchError>,
    ) {
        let robots = match result {
            Ok(response) if response.status == 200 => {
                let text =
                    String::from_utf8_lossy(&response.body[..response.body.len().min(500 << 10)]);
                Robots::parse(&text, &self.product)
            }
            Ok(response) if (300..400).contains(&response.status) => {
                match response
                    .header("Location")
                    .and_then(|location| target.join(location).ok())
                {
                    Some(next) if hops < MAX_REDIRECTS => {
                        self.hosts[index].robots = RobotsState::Wanted {
                            target: next,
                            hops: hops + 1,
                        };
                        return;
                    }
                    _ => Robots::allow_all(),
                }
            }
            Ok(response) if (400..500).contains(&response.status) && response.status != 429 => {
                Robots::allow_all()
            }
            Ok(response) => {
                warn!(url = %target, status = response.status, "robots.txt unavailable: host skipped");
                Robots::disallow_all()
            }
            Err(error) => {
                warn!(url = %target, error = %error, "robots.txt unreachable: host skipped");
                Robots::disallow_all()
            }
        };
        let host = &mut self.hosts[index];
        if let Some(delay) = robots.crawl_delay {
            host.delay = host.delay.max(Duration::from_secs_f64(delay.min(60.0)));
        }
        host.robots = RobotsState::Known(robots);
    }

    /// What a fetch brought: archived, followed, or counted as a failure.
    fn process(
        &mut self,
        item: Item,
        previous: Option<UrlState>,
        result: Result<Response, FetchError>,
    ) -> Result<(), CrawlError> {
        let archived = item.kind.is_archived();
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                warn!(url = %item.url, error = %error, "fetch failed");
                self.summary.errors += 1;
                // Tried again from the same date next time.
                if let ItemKind::Api { source, .. } = &item.kind {
                    self.failed_sources.insert(*source);
                }
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
            ItemKind::Page { .. } | ItemKind::Document { .. } => {
                self.archive(item, response, previous)
            }
            ItemKind::Api { source, ref step } => {
                let step = step.clone();
                self.process_api(item, source, step, response, previous)
            }
        }
    }

    fn process_api(
        &mut self,
        item: Item,
        source: usize,
        step: Step,
        response: Response,
        previous: Option<UrlState>,
    ) -> Result<(), CrawlError> {
        if response.status == 429 || response.status >= 500 {
            // A passing failure: the next crawl walks from the same date.
            self.failed_sources.insert(source);
        }
        match &step {
            Step::GovukContent { .. } | Step::Statement { .. } => {
                let status = response.status;
                let body = (status == 200)
                    .then(|| warc::decode_body(&response.headers, &response.body).ok())
                    .flatten();
                let url = item.url.clone();
                self.archive(item, response, previous.clone())?;
                if let Some(body) = body {
                    self.api_children(source, &step, &url, &body, false);
                } else if status == 304
                    && let Some(previous) = previous
                    && let (Some(file), Some(offset)) = (&previous.warc_file, previous.warc_offset)
                    && let Ok(stored) =
                        warc::read_response_at(&self.options.corpus.join(file), offset)
                {
                    self.api_children(source, &step, &url, &stored.capture.body, true);
                }
                return Ok(());
            }
            Step::CommitteeDocument(document) => {
                let document = document.clone();
                return self.archive_committee_document(item, &document, response, previous);
            }
            Step::HansardSearch { skip } => {
                let skip = *skip;
                return self.archive_hansard(item, source, skip, response, previous);
            }
            _ => {}
        }
        let Some(value) = self.api_json(&item, source, &response) else {
            return Ok(());
        };
        let base = self.file.sources[source]
            .kind
            .api()
            .map(|(base, _, _)| base.to_string())
            .unwrap_or_default();
        match step {
            Step::GovukSearch { start } => {
                let (results, total) = api::govuk_search_results(&base, &value);
                for (url, timestamp) in results {
                    self.enqueue_api_item(source, url, Step::GovukContent { timestamp });
                }
                // A server may send fewer than asked for: page on by what came.
                let count = page_length(&value, "/results");
                if count > 0 && start + count < total {
                    self.enqueue_listing(
                        source,
                        Step::GovukSearch {
                            start: start + count,
                        },
                    );
                }
            }
            Step::CommitteeTypes => {
                let names = match &self.file.sources[source].kind {
                    SourceKind::Committees {
                        publication_types, ..
                    } => publication_types.clone(),
                    _ => Vec::new(),
                };
                match api::committee_type_ids(&value, &names) {
                    Ok(ids) => {
                        self.committee_types.insert(source, ids);
                        self.enqueue_committee_windows(source);
                    }
                    Err(message) => {
                        warn!(source = %self.file.sources[source].name, %message, "committees source not walked");
                        self.summary.errors += 1;
                        self.failed_sources.insert(source);
                    }
                }
            }
            Step::CommitteeWindow {
                committee,
                from,
                to,
                skip,
            } => {
                let total = value
                    .get("totalResults")
                    .and_then(Value::as_u64)
                    .unwrap_or(0) as usize;
                if skip == 0
                    && total > api::COMMITTEE_MAX_RESULTS
                    && let Some((first, second)) = api::split_window(from, to)
                {
                    for (from, to) in [first, second] {
                        self.enqueue_listing(
                            source,
                            Step::CommitteeWindow {
                                committee,
                                from,
                                to,
                                skip: 0,
                            },
                        );
                    }
                    return Ok(());
                }
                let items = value
                    .get("items")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for publication in &items {
                    for document in api::committee_documents(&base, publication) {
                        let url = document.api_url.clone();
                        self.enqueue_api_item(
                            source,
                            url,
                            Step::CommitteeDocument(Arc::new(document)),
                        );
                    }
                }
                if !items.is_empty() && skip + items.len() < total {
                    self.enqueue_listing(
                        source,
                        Step::CommitteeWindow {
                            committee,
                            from,
                            to,
                            skip: skip + items.len(),
                        },
                    );
                }
            }
            Step::StatementList { skip } => {
                let (statements, total) = api::statements_in_list(&base, &value);
                for (url, timestamp) in statements {
                    self.enqueue_api_item(source, url, Step::Statement { timestamp });
                }
                let count = page_length(&value, "/results");
                if count > 0 && skip + count < total {
                    self.enqueue_listing(source, Step::StatementList { skip: skip + count });
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The JSON of an API answer; a failure marks the source's walk incomplete.
    fn api_json(&mut self, item: &Item, source: usize, response: &Response) -> Option<Value> {
        let parsed = if response.status == 200 {
            warc::decode_body(&response.headers, &response.body)
                .and_then(|body| serde_json::from_slice::<Value>(&body).map_err(|e| e.to_string()))
        } else {
            Err(format!("HTTP {}", response.status))
        };
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                warn!(url = %item.url, %error, "API answer unusable");
                self.summary.errors += 1;
                self.failed_sources.insert(source);
                None
            }
        }
    }

    /// A committee document: the API's answer (the file as base64 JSON) is
    /// archived as fetched, the file itself as a `resource` record at its
    /// public address, and the publication's details as a `metadata`
    /// record about it.
    fn archive_committee_document(
        &mut self,
        item: Item,
        document: &CommitteeDocument,
        response: Response,
        previous: Option<UrlState>,
    ) -> Result<(), CrawlError> {
        let url = item.url.to_string();
        let date = now_warc_date();
        let mut entry = refetched(previous.as_ref(), &date, response.status);
        let digest = warc::sha1_digest(&response.body);
        let same = previous
            .as_ref()
            .filter(|previous| {
                response.status == 304
                    || previous.payload_digest.as_deref() == Some(digest.as_str())
            })
            .filter(|previous| previous.payload_digest.is_some());
        if let Some(previous) = same {
            let profile = if response.status == 304 {
                warc::PROFILE_NOT_MODIFIED
            } else {
                warc::PROFILE_IDENTICAL
            };
            self.write_revisit(&url, &date, &response, previous, profile)?;
            self.summary.unchanged += 1;
            entry.api_timestamp = Some(document.timestamp.clone());
            return self.save_state(url, entry);
        }
        if response.status != 200 {
            warn!(url = %url, status = response.status, "fetch failed");
            self.summary.errors += 1;
            return Ok(());
        }
        let file = warc::decode_body(&response.headers, &response.body)
            .and_then(|body| serde_json::from_slice::<Value>(&body).map_err(|e| e.to_string()))
            .and_then(|value| api::committee_document_bytes(&value));
        let file = match file {
            Ok(file) if file.len() <= self.file.crawl.max_body_bytes => file,
            Ok(file) => {
                warn!(url = %url, bytes = file.len(), "decoded document too large");
                self.summary.errors += 1;
                return Ok(());
            }
            Err(error) => {
                warn!(url = %url, %error, "committee document unusable");
                self.summary.errors += 1;
                return Ok(());
            }
        };
        let (warc_file, offset, id) = self.write_response(&url, &date, &response)?;
        let resource_id = warc::record_id();
        let meta = serde_json::to_vec(&document.meta).unwrap_or_default();
        let writer = self.writer()?;
        writer.write_resource(
            &document.public_url,
            &date,
            &document.content_type,
            &file,
            Some(&id),
            &resource_id,
        )?;
        writer.write_metadata(&document.public_url, &date, &meta, &resource_id)?;
        entry.payload_digest = Some(digest);
        entry.warc_file = Some(warc_file);
        entry.warc_offset = Some(offset);
        entry.record_id = Some(id);
        entry.warc_date = Some(date);
        entry.api_timestamp = Some(document.timestamp.clone());
        self.summary.fetched += 1;
        self.summary.bytes += file.len() as u64;
        self.save_state(url, entry)
    }

    /// A page of Hansard contributions: archived as fetched, and each
    /// contribution not stored before written as a `resource` record (its
    /// JSON) at its public link.
    fn archive_hansard(
        &mut self,
        item: Item,
        source: usize,
        skip: usize,
        response: Response,
        previous: Option<UrlState>,
    ) -> Result<(), CrawlError> {
        let Some(value) = self.api_json(&item, source, &response) else {
            return Ok(());
        };
        let url = item.url.to_string();
        let date = now_warc_date();
        let mut entry = refetched(previous.as_ref(), &date, response.status);
        let digest = warc::sha1_digest(&response.body);
        let listing_id = match previous
            .as_ref()
            .filter(|previous| previous.payload_digest.as_deref() == Some(digest.as_str()))
        {
            Some(previous) => {
                self.write_revisit(&url, &date, &response, previous, warc::PROFILE_IDENTICAL)?;
                self.summary.unchanged += 1;
                previous.record_id.clone()
            }
            None => {
                let (file, offset, id) = self.write_response(&url, &date, &response)?;
                entry.payload_digest = Some(digest);
                entry.warc_file = Some(file);
                entry.warc_offset = Some(offset);
                entry.record_id = Some(id.clone());
                entry.warc_date = Some(date.clone());
                Some(id)
            }
        };
        let (contributions, total) = api::hansard_contributions(&item.url, &value);
        let count = page_length(&value, "/Results");
        for (link, contribution) in contributions {
            let timestamp = contribution
                .get("SittingDate")
                .and_then(Value::as_str)
                .map(str::to_string);
            let block = serde_json::to_vec(&contribution).unwrap_or_default();
            let block_digest = warc::sha1_digest(&block);
            if self.state.get(&link).is_some_and(|stored| {
                stored.payload_digest.as_deref() == Some(block_digest.as_str())
            }) {
                self.summary.up_to_date += 1;
                continue;
            }
            if !self.seen.insert(&link) {
                continue;
            }
            let id = warc::record_id();
            let writer = self.writer()?;
            let written = writer.write_resource(
                &link,
                &date,
                "application/json",
                &block,
                listing_id.as_deref(),
                &id,
            )?;
            let path = writer.path().to_path_buf();
            let stored = UrlState {
                last_fetch: date[..10].to_string(),
                status: 200,
                payload_digest: Some(block_digest),
                warc_file: Some(self.relative_path(&path)),
                warc_offset: Some(written.offset),
                record_id: Some(id),
                warc_date: Some(date.clone()),
                api_timestamp: timestamp,
                ..UrlState::default()
            };
            self.save_state(link, stored)?;
            self.summary.fetched += 1;
            self.summary.bytes += block.len() as u64;
        }
        if count > 0 && skip + count < total {
            self.enqueue_listing(source, Step::HansardSearch { skip: skip + count });
        }
        self.save_state(url, entry)
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
                } else if self.seen.insert(target.as_str()) {
                    let mut chain = item.chain.clone();
                    chain.push(item.url.to_string());
                    self.push(Item {
                        url: target.clone(),
                        kind: item.kind.clone(),
                        hops: item.hops + 1,
                        chain,
                        attempt: 0,
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
            entry.api_timestamp = item.api_timestamp().or(entry.api_timestamp);
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
                    if let ItemKind::Document { meta: Some(meta) } = &item.kind {
                        let json = serde_json::to_vec(meta.as_ref()).unwrap_or_default();
                        self.writer()?.write_metadata(&url, &date, &json, &id)?;
                    }
                    entry.payload_digest = Some(digest);
                    entry.warc_file = Some(file);
                    entry.warc_offset = Some(offset);
                    entry.record_id = Some(id);
                    entry.warc_date = Some(date.clone());
                    self.summary.fetched += 1;
                    self.summary.bytes += response.body.len() as u64;
                }
            }
            entry.api_timestamp = item.api_timestamp().or(entry.api_timestamp);
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
            self.seen.insert(canonical);
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
                    self.enqueue(link, ItemKind::Document { meta: None }, 0);
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
            .record(url, entry)
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
            if let Some(full) = self.writer.as_mut() {
                full.sync()?;
            }
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
    fn api_sources_with_dates_and_defaults() {
        let file = read_sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml"))
            .expect("the repository's production sources file");
        let kinds: Vec<&str> = file
            .sources
            .iter()
            .map(|source| match source.kind {
                SourceKind::Govuk { .. } => "govuk",
                SourceKind::Committees { .. } => "committees",
                SourceKind::WrittenStatements { .. } => "written-statements",
                SourceKind::Hansard { .. } => "hansard",
                _ => "other",
            })
            .collect();
        assert_eq!(
            kinds,
            ["govuk", "committees", "written-statements", "hansard"]
        );
        let Some((base, since, None)) = file.sources[0].kind.api() else {
            panic!("govuk source");
        };
        assert_eq!(base, api::GOVUK_BASE);
        assert_eq!(since, Some("2024-07-05".parse().unwrap()));

        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("sources.toml");
        let head = "[crawl]\nuser_agent = \"x (+https://a.example)\"\n[[source]]\nname = \"c\"\nkind = \"committees\"\n";
        std::fs::write(&path, format!("{head}since = \"2025-01-31\"\n")).unwrap();
        let file = read_sources(&path).unwrap();
        assert_eq!(
            file.sources[0]
                .kind
                .api()
                .map(|(base, since, _)| (base.to_string(), since)),
            Some((
                api::COMMITTEES_BASE.to_string(),
                Some("2025-01-31".parse().unwrap())
            ))
        );
        std::fs::write(&path, format!("{head}since = \"last tuesday\"\n")).unwrap();
        let error = read_sources(&path).unwrap_err().to_string();
        assert!(error.contains("not a date"), "{error}");
        std::fs::write(&path, format!("{head}base = \"ftp://x\"\n")).unwrap();
        let error = read_sources(&path).unwrap_err().to_string();
        assert!(error.contains("not an http(s) URL"), "{error}");
    }

    #[test]
    fn backoff_doubles_within_its_jitter_and_is_capped() {
        for attempt in 0..8 {
            let base = Duration::from_secs(1 << attempt).min(MAX_BACKOFF);
            let wait = backoff(attempt);
            assert!(wait >= base / 2 && wait <= base, "{attempt}: {wait:?}");
        }
        assert!(backoff(40) <= MAX_BACKOFF);
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
