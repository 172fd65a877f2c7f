//! The server: server-rendered pages (minijinja, autoescaped) and the JSON
//! API, over one read-only index. Searches run on tokio's blocking pool.
//! A rebuilt index is picked up without a restart (`ops::watch_index`).

mod error;
mod exports;
mod ops;
mod pages;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use minijinja::{Environment, context};
use serde_json::{Value, json};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};

pub use error::WebError;
pub use ops::{Metrics, RateLimiter};

use crate::ask::{self, Answer, AskError};
use crate::index::{
    HITS_PER_PAGE, IndexError, MAX_QUERY_CHARS, SearchRequest, SearchResults, Sort, Store,
};
use crate::model::{Commitment, CommitmentSummary, Status};

/// The `/api` routes, for the OpenAPI description and its test.
pub const API_PATHS: [&str; 5] = [
    "/api/search",
    "/api/ask",
    "/api/commitments",
    "/api/commitments/{id}",
    "/api/openapi.json",
];

/// What a server needs beyond its index.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The corpus the index was built from: captures are served from it.
    pub corpus: Option<PathBuf>,
    /// The index folder, watched for rebuilds.
    pub index: Option<PathBuf>,
    /// Requests a second per client address; 0 turns the limit off.
    pub rate_limit: u32,
    /// A language model that may reword ask's answers (`--llm-url`).
    pub llm: Option<ask::llm::LlmClient>,
}

pub struct AppState {
    store: RwLock<Arc<Store>>,
    /// When the served index was written, to notice a rebuild.
    index_stamp: RwLock<Option<SystemTime>>,
    settings: Settings,
    pub metrics: Metrics,
    limiter: Option<RateLimiter>,
    /// Permits for work that keeps a core busy (a search, an answer, a
    /// list as of a date): [`SEARCHES_PER_CORE`] per core.
    computing: Arc<tokio::sync::Semaphore>,
}

/// How many searches (and other work that keeps a core busy) run at once
/// per core; the rest wait their turn. Without a bound every waiting
/// connection got a thread of its own from tokio's blocking pool (25
/// threads under eight connections on two cores) and the threads took the
/// cores from each other. Measured at 100,000 documents under eight
/// connections, three runs each, interleaved: two per core kept the
/// requests/s of no bound (within the runs' spread), cut p99 from 11-14 ms
/// to 8-11 ms and the server's memory from 76 to 59 MiB; one per core
/// cost a fifth of the requests/s.
pub const SEARCHES_PER_CORE: usize = 2;

pub type Shared = Arc<AppState>;

/// The bundled templates, parsed once, shared by pages and error pages.
pub(crate) static TEMPLATES: std::sync::LazyLock<Environment<'static>> =
    std::sync::LazyLock::new(templates);

fn templates() -> Environment<'static> {
    let mut env = Environment::new();
    // names end in .html, so minijinja escapes every value by default
    for (name, source) in [
        ("base.html", include_str!("../../templates/base.html")),
        ("home.html", include_str!("../../templates/home.html")),
        ("search.html", include_str!("../../templates/search.html")),
        (
            "document.html",
            include_str!("../../templates/document.html"),
        ),
        (
            "commitments.html",
            include_str!("../../templates/commitments.html"),
        ),
        (
            "commitment.html",
            include_str!("../../templates/commitment.html"),
        ),
        ("ask.html", include_str!("../../templates/ask.html")),
        ("about.html", include_str!("../../templates/about.html")),
        ("feed.xml", include_str!("../../templates/feed.xml")),
        ("error.html", include_str!("../../templates/error.html")),
    ] {
        env.add_template(name, source)
            .expect("bundled templates parse");
    }
    env
}

impl AppState {
    /// A server over `store` alone: no captures, no reloading, no rate limit.
    pub fn new(store: Store) -> Shared {
        AppState::with_settings(store, Settings::default())
    }

    pub fn with_settings(store: Store, settings: Settings) -> Shared {
        let stamp = settings.index.as_deref().and_then(ops::index_stamp);
        Arc::new(AppState {
            store: RwLock::new(Arc::new(store)),
            index_stamp: RwLock::new(stamp),
            limiter: RateLimiter::new(settings.rate_limit),
            settings,
            metrics: Metrics::default(),
            computing: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(1, usize::from) * SEARCHES_PER_CORE,
            )),
        })
    }

    /// Runs work that keeps a core busy on the blocking pool once a permit
    /// is free (see [`SEARCHES_PER_CORE`]). The permit goes with the work,
    /// so a request given up on still counts until its work ends.
    async fn compute<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, WebError> + Send + 'static,
    ) -> Result<T, WebError> {
        let permit = self
            .computing
            .clone()
            .acquire_owned()
            .await
            .map_err(|error| WebError::internal(format!("no worker: {error}")))?;
        blocking(move || {
            let _permit = permit;
            work()
        })
        .await
    }

    /// The index being served; a request keeps the one it started with.
    pub fn store(&self) -> Arc<Store> {
        self.store
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Opens the index again when it was rebuilt since it was opened.
    /// Blocking: call it off the async workers.
    pub fn reload_if_changed(&self) -> Result<bool, IndexError> {
        let Some(index_dir) = &self.settings.index else {
            return Ok(false);
        };
        let stamp = ops::index_stamp(index_dir);
        let known = *self
            .index_stamp
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if stamp.is_none() || stamp == known {
            return Ok(false);
        }
        let store = Store::open(index_dir)?;
        *self
            .store
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(store);
        *self
            .index_stamp
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = stamp;
        Ok(true)
    }

    fn render(&self, name: &str, context: minijinja::Value) -> Result<Html<String>, WebError> {
        let template = TEMPLATES
            .get_template(name)
            .map_err(|error| WebError::internal(error.to_string()))?;
        template
            .render(context)
            .map(Html)
            .map_err(|error| WebError::internal(format!("rendering {name}: {error:#}")))
    }
}

/// Builds the index if needed and serves until interrupted.
pub async fn serve(
    corpus: PathBuf,
    index: PathBuf,
    addr: String,
    rate_limit: u32,
    llm: Option<ask::llm::LlmClient>,
) -> anyhow::Result<()> {
    if let Some(client) = &llm {
        tracing::info!(
            endpoint = client.endpoint(),
            model = client.model(),
            "answers may be reworded by a language model, checked against their citations"
        );
    }
    let settings = Settings {
        corpus: Some(corpus.clone()),
        index: Some(index.clone()),
        rate_limit,
        llm,
    };
    let store =
        tokio::task::spawn_blocking(move || Store::open_or_build(&corpus, &index)).await??;
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|error| anyhow::anyhow!("cannot listen on {addr}: {error}"))?;
    tracing::info!(addr = %listener.local_addr()?, documents = store.documents, commitments = store.commitments.len(), rate_limit, "serving");
    let state = AppState::with_settings(store, settings);
    // the spelling vocabulary takes seconds on a large corpus: build it now,
    // in the background, not in the first search that finds little
    let warm = state.store();
    tokio::task::spawn_blocking(move || warm.vocabulary().len());
    tokio::spawn(ops::watch_index(state.clone(), Duration::from_secs(3)));
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

/// How long a request may take before it is answered 503.
const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(30);
/// The API only reads: request bodies are refused beyond this.
const REQUEST_BODY_LIMIT: usize = 16 * 1024;

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/about", get(pages::about))
        .route("/search", get(search_page))
        .route("/search.csv", get(search_csv))
        .route("/search.atom", get(search_atom))
        .route("/ask", get(ask_page))
        .route("/documents/{id}", get(document_page))
        .route("/documents/{id}/capture", get(pages::capture))
        .route("/commitments", get(commitments_page))
        .route("/commitments.csv", get(commitments_csv))
        .route("/commitments.atom", get(commitments_atom))
        .route("/commitments/{id}", get(commitment_page))
        .route("/api/search", get(api_search))
        .route("/api/ask", get(api_ask))
        .route("/api/commitments", get(api_commitments))
        .route("/api/commitments/{id}", get(api_commitment))
        .route("/api/openapi.json", get(exports::openapi))
        .route("/healthz", get(healthz))
        .route("/metrics", get(ops::metrics))
        .route("/static/style.css", get(stylesheet))
        .fallback(not_found)
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(REQUEST_BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIME_LIMIT,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::rate_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::record_metrics,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(state)
        // a page may set its own policy (captures are sandboxed)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
}

/// Query-string parameters, decoded. Invalid UTF-8 and control characters
/// are refused with a message rather than guessed at.
struct Params(HashMap<String, String>);

impl Params {
    fn parse(raw: Option<String>, api: bool) -> Result<Params, WebError> {
        let mut map = HashMap::new();
        let raw = raw.unwrap_or_default();
        if raw.len() > 16 * 1024 {
            return Err(WebError::bad_request("the query string is too long", api));
        }
        for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
            if key.contains('\u{fffd}') || value.contains('\u{fffd}') {
                return Err(WebError::bad_request(
                    format!("parameter {key:?} is not valid UTF-8"),
                    api,
                ));
            }
            map.entry(key.into_owned())
                .or_insert_with(|| value.into_owned());
        }
        Ok(Params(map))
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    fn page(&self, api: bool) -> Result<usize, WebError> {
        match self.text("page") {
            None | Some("") => Ok(1),
            Some(text) => match text.parse::<usize>() {
                Ok(page) if (1..=500).contains(&page) => Ok(page),
                _ => Err(WebError::bad_request(
                    format!("page must be a whole number from 1 to 500, not {text:?}"),
                    api,
                )),
            },
        }
    }

    fn status(&self, api: bool) -> Result<Option<Status>, WebError> {
        match self.text("status") {
            None | Some("") => Ok(None),
            Some(text) => Status::parse(text).map(Some).ok_or_else(|| {
                let known: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
                WebError::bad_request(
                    format!("unknown status {text:?}; use one of {}", known.join(", ")),
                    api,
                )
            }),
        }
    }
}

/// A query from the user: trimmed, bounded, without control characters.
fn user_query(params: &Params, key: &str, api: bool) -> Result<Option<String>, WebError> {
    let Some(text) = params.text(key) else {
        return Ok(None);
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    match ask::clean_question(text) {
        Ok(cleaned) => Ok(Some(cleaned)),
        Err(AskError::TooLong(count)) => Err(WebError::bad_request(
            format!("the query is too long ({count} characters; at most {MAX_QUERY_CHARS})"),
            api,
        )),
        Err(AskError::Empty) => Err(WebError::bad_request(
            "the query has no words to search for: use letters or digits",
            api,
        )),
        Err(error) => Err(WebError::internal(error.to_string())),
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, WebError> + Send + 'static,
) -> Result<T, WebError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| WebError::internal(format!("worker failed: {error}")))?
}

impl From<IndexError> for WebError {
    fn from(error: IndexError) -> WebError {
        WebError::internal(error.to_string())
    }
}

/// Serde data for a template.
fn v<T: serde::Serialize>(value: &T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(value))
}

async fn home(State(state): State<Shared>) -> Result<Html<String>, WebError> {
    let store = state.store();
    let counts: Vec<Value> = store
        .counts_by_status()
        .into_iter()
        .map(|(status, count)| json!({"status": status.as_str(), "label": status.label(), "count": count}))
        .collect();
    state.render(
        "home.html",
        context! {
            counts => v(&counts),
            documents => store.documents,
            commitments => store.commitments.len(),
            as_of => store.as_of.clone(),
        },
    )
}

/// A filter value from its own parameter: bounded, printable.
fn filter_param(params: &Params, key: &str, api: bool) -> Result<Option<String>, WebError> {
    let Some(value) = params.text(key).map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > 200 || value.chars().any(char::is_control) {
        return Err(WebError::bad_request(
            format!("{key} must be at most 200 printable characters"),
            api,
        ));
    }
    Ok(Some(value.to_string()))
}

/// The search a request asks for: `q` with its filter syntax, then the
/// filter parameters, which win. `None` when there is nothing to search.
fn search_request(params: &Params, api: bool) -> Result<Option<SearchRequest>, WebError> {
    let bad = |error: crate::index::QueryError| WebError::bad_request(error.to_string(), api);
    let mut request = match user_query(params, "q", api)? {
        Some(text) => SearchRequest::parse(&text).map_err(bad)?,
        None => SearchRequest::default(),
    };
    if let Some(publisher) = filter_param(params, "publisher", api)? {
        request.publisher = Some(publisher);
    }
    if let Some(kind) = filter_param(params, "type", api)? {
        request.kind = Some(kind);
    }
    if let Some(from) = filter_param(params, "from", api)? {
        request.set_from(&from).map_err(bad)?;
    }
    if let Some(to) = filter_param(params, "to", api)? {
        request.set_to(&to).map_err(bad)?;
    }
    if let Some(sort) = filter_param(params, "sort", api)? {
        request.set_sort(&sort).map_err(bad)?;
    }
    if let Some(verdict) = filter_param(params, "verdict", api)? {
        request.set_verdict(&verdict).map_err(bad)?;
    }
    Ok((!request.is_empty()).then_some(request))
}

/// The query string that asks for `request` again (filters as parameters).
fn search_query_string(request: &SearchRequest, page: Option<usize>) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    if !request.text.is_empty() {
        out.append_pair("q", &request.text);
    }
    for (key, value) in [
        ("publisher", &request.publisher),
        ("type", &request.kind),
        ("from", &request.from),
        ("to", &request.to),
        ("verdict", &request.verdict),
    ] {
        if let Some(value) = value {
            out.append_pair(key, value);
        }
    }
    if request.sort == Sort::Date {
        out.append_pair("sort", "date");
    }
    if let Some(page) = page.filter(|page| *page > 1) {
        out.append_pair("page", &page.to_string());
    }
    out.finish()
}

fn search_url(path: &str, request: &SearchRequest, page: Option<usize>) -> String {
    format!("{path}?{}", search_query_string(request, page))
}

/// Fewer results than this and a corrected spelling is tried.
const FEW_RESULTS: usize = 3;

struct SearchOutcome {
    results: SearchResults,
    /// A respelt query that finds more, and how many it finds.
    did_you_mean: Option<(SearchRequest, usize)>,
}

async fn run_search(
    state: &Shared,
    request: SearchRequest,
    page: usize,
    limit: usize,
    api: bool,
) -> Result<SearchOutcome, WebError> {
    let store = state.store();
    let outcome = state
        .compute(move || {
            let results = store.search_request(&request, page, limit)?;
            let mut did_you_mean = None;
            // judged on the documents with every word: a widened search finds
            // something for a misspelling through its other words
            if results.matched_all < FEW_RESULTS && !request.text.trim().is_empty() {
                let corrected = ask::correct_spelling(&store, &request.text);
                if corrected.to_lowercase() != request.text.to_lowercase() {
                    let respelt = SearchRequest {
                        text: corrected,
                        ..request.clone()
                    };
                    let found = store.search_request(&respelt, 1, 1)?.matched_all;
                    if found > results.matched_all {
                        did_you_mean = Some((respelt, found));
                    }
                }
            }
            Ok(SearchOutcome {
                results,
                did_you_mean,
            })
        })
        .await;
    if api {
        outcome.map_err(WebError::into_api)
    } else {
        outcome
    }
}

/// The facets as the page shows them: each value a link that keeps the
/// words and the other filters.
fn facet_links(request: &SearchRequest, results: &SearchResults) -> Vec<Value> {
    // every link keeps the words, the order and the other filters
    let base = request.clone();
    let mut groups = Vec::new();
    let publisher_values: Vec<Value> = results
        .facets
        .publisher
        .iter()
        .map(|facet| {
            let chosen = SearchRequest {
                publisher: Some(facet.value.clone()),
                ..base.clone()
            };
            json!({"label": facet.value, "count": facet.count, "url": search_url("/search", &chosen, None), "selected": request.publisher.as_deref() == Some(facet.value.as_str())})
        })
        .collect();
    groups.push(json!({
        "name": "Publisher",
        "active": request.publisher,
        "remove": search_url("/search", &SearchRequest { publisher: None, ..base.clone() }, None),
        "values": publisher_values,
    }));
    let kind_values: Vec<Value> = results
        .facets
        .kind
        .iter()
        .map(|facet| {
            let chosen = SearchRequest {
                kind: Some(facet.value.clone()),
                ..base.clone()
            };
            json!({"label": facet.value.replace('_', " "), "count": facet.count, "url": search_url("/search", &chosen, None), "selected": request.kind.as_deref() == Some(facet.value.as_str())})
        })
        .collect();
    groups.push(json!({
        "name": "Type",
        "active": request.kind.as_ref().map(|kind| kind.replace('_', " ")),
        "remove": search_url("/search", &SearchRequest { kind: None, ..base.clone() }, None),
        "values": kind_values,
    }));
    let year_values: Vec<Value> = results
        .facets
        .year
        .iter()
        .map(|facet| {
            let from = format!("{}-01-01", facet.value);
            let to = format!("{}-12-31", facet.value);
            let selected = request.from.as_deref() == Some(from.as_str())
                && request.to.as_deref() == Some(to.as_str());
            let chosen = SearchRequest {
                from: Some(from),
                to: Some(to),
                ..base.clone()
            };
            json!({"label": facet.value, "count": facet.count, "url": search_url("/search", &chosen, None), "selected": selected})
        })
        .collect();
    let dates = match (&request.from, &request.to) {
        (Some(from), Some(to)) => Some(format!("{from} to {to}")),
        (Some(from), None) => Some(format!("from {from}")),
        (None, Some(to)) => Some(format!("up to {to}")),
        (None, None) => None,
    };
    groups.push(json!({
        "name": "Year",
        "active": dates,
        "remove": search_url("/search", &SearchRequest { from: None, to: None, ..base.clone() }, None),
        "values": year_values,
    }));
    let label =
        |value: &str| Status::parse(value).map_or(value.to_string(), |s| s.label().to_string());
    let verdict_values: Vec<Value> = results
        .facets
        .verdict
        .iter()
        .map(|facet| {
            let chosen = SearchRequest {
                verdict: Some(facet.value.clone()),
                ..base.clone()
            };
            json!({"label": label(&facet.value), "count": facet.count, "url": search_url("/search", &chosen, None), "selected": request.verdict.as_deref() == Some(facet.value.as_str())})
        })
        .collect();
    groups.push(json!({
        "name": "Verdict of a commitment in it",
        "active": request.verdict.as_deref().map(label),
        "remove": search_url("/search", &SearchRequest { verdict: None, ..base.clone() }, None),
        "values": verdict_values,
    }));
    groups
}

async fn search_page(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, WebError> {
    let params = Params::parse(raw, false)?;
    let page = params.page(false)?;
    let Some(request) = search_request(&params, false)? else {
        return state.render("search.html", context! { query => "" });
    };
    let outcome = run_search(&state, request.clone(), page, HITS_PER_PAGE, false).await?;
    let results = &outcome.results;
    let pages = results.total.div_ceil(HITS_PER_PAGE);
    let hits: Vec<Value> = results
        .hits
        .iter()
        .map(|hit| {
            let mut value = serde_json::to_value(hit).unwrap_or(Value::Null);
            value["permalink"] = json!(exports::hit_permalink(hit));
            value
        })
        .collect();
    let did_you_mean = outcome.did_you_mean.as_ref().map(|(respelt, total)| {
        json!({"q": respelt.text, "total": total, "url": search_url("/search", respelt, None)})
    });
    let sorts: Vec<Value> = [Sort::Relevance, Sort::Date]
        .into_iter()
        .map(|sort| {
            let sorted = SearchRequest {
                sort,
                ..request.clone()
            };
            json!({"label": sort.as_str(), "url": search_url("/search", &sorted, None), "selected": sort == request.sort})
        })
        .collect();
    state.render(
        "search.html",
        context! {
            query => request.text.clone(),
            request => v(&request),
            total => results.total,
            hits => v(&hits),
            facets => v(&facet_links(&request, results)),
            did_you_mean => v(&did_you_mean),
            relaxed => results.relaxed,
            matched_all => results.matched_all,
            notice => request.check_range().err().map(|error| error.to_string()),
            sorts => v(&sorts),
            page => page,
            pages => pages,
            previous => (page > 1).then(|| search_url("/search", &request, Some(page - 1))),
            next => (page < pages).then(|| search_url("/search", &request, Some(page + 1))),
            csv => search_url("/search.csv", &request, None),
            atom => search_url("/search.atom", &request, None),
        },
    )
}

async fn api_search(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let params = Params::parse(raw, true)?;
    let page = params.page(true)?;
    if params.text("q").is_some_and(|q| q.trim().is_empty()) {
        return Err(WebError::bad_request(
            "the query is empty: add words to ?q= or leave it out to list every document",
            true,
        ));
    }
    // no words and no filters: every document, newest first
    let request = search_request(&params, true)?.unwrap_or(SearchRequest {
        sort: Sort::Date,
        ..SearchRequest::default()
    });
    let outcome = run_search(&state, request.clone(), page, HITS_PER_PAGE, true).await?;
    let hits: Vec<Value> = outcome
        .results
        .hits
        .iter()
        .map(|hit| {
            let mut value = serde_json::to_value(hit).unwrap_or(Value::Null);
            value["permalink"] = json!(exports::hit_permalink(hit));
            value
        })
        .collect();
    Ok(axum::Json(json!({
        "total": outcome.results.total,
        "matched_all": outcome.results.matched_all,
        "relaxed": outcome.results.relaxed,
        "page": page,
        "hits": hits,
        "facets": outcome.results.facets,
        "sort": request.sort.as_str(),
        "filters": {
            "text": request.text,
            "publisher": request.publisher,
            "type": request.kind,
            "from": request.from,
            "to": request.to,
            "verdict": request.verdict,
        },
        "notice": request.check_range().err().map(|error| error.to_string()),
        "did_you_mean": outcome.did_you_mean.map(|(respelt, total)| json!({
            "q": respelt.text,
            "total": total,
            "url": search_url("/api/search", &respelt, None),
        })),
    }))
    .into_response())
}

async fn search_csv(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let params = Params::parse(raw, false)?;
    let Some(request) = search_request(&params, false)? else {
        return Err(WebError::bad_request("missing query: add ?q=words", false));
    };
    let outcome = run_search(&state, request, 1, exports::EXPORT_LIMIT, false).await?;
    exports::search_csv(&outcome.results.hits)
}

/// Entries a feed holds.
const FEED_ENTRIES: usize = 50;

async fn search_atom(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let params = Params::parse(raw, false)?;
    let Some(request) = search_request(&params, false)? else {
        return Err(WebError::bad_request("missing query: add ?q=words", false));
    };
    // a feed is read for what is new
    let newest_first = SearchRequest {
        sort: Sort::Date,
        ..request.clone()
    };
    let outcome = run_search(&state, newest_first.clone(), 1, FEED_ENTRIES, false).await?;
    let store = state.store();
    let entries = exports::search_entries(&outcome.results.hits, &store.as_of);
    let updated = entries
        .iter()
        .filter_map(|entry| entry["updated"].as_str())
        .max()
        .map_or_else(|| exports::atom_date(&store.as_of), str::to_string);
    let title = if request.text.is_empty() {
        "pledgewatch search".to_string()
    } else {
        format!("pledgewatch search: {}", request.text)
    };
    let feed = state.render(
        "feed.xml",
        context! {
            feed_id => format!("urn:pledgewatch:search:{}", search_query_string(&newest_first, None)),
            title => title,
            updated => updated,
            self_link => search_url("/search.atom", &newest_first, None),
            alternate => search_url("/search", &newest_first, None),
            entries => v(&entries),
        },
    )?;
    Ok(exports::atom_response(xml_text(&feed.0)))
}

/// Drops characters XML 1.0 does not allow.
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|ch| !ch.is_control() || matches!(ch, '\n' | '\r' | '\t'))
        .collect()
}

/// Answers a question. A conversation token that no longer verifies (it
/// expired, or the index was rebuilt with a new key) starts a new
/// conversation, with a notice saying so, rather than failing.
async fn run_ask(
    state: Shared,
    question: String,
    conversation: Option<String>,
    api: bool,
) -> Result<(Answer, Option<String>), WebError> {
    let store = state.store();
    let llm = state.settings.llm.clone();
    let (answer, notice) = state
        .compute(move || {
            let to_web = |error: AskError| match error {
                AskError::Index(error) => WebError::internal(error.to_string()),
                other => WebError::bad_request(other.to_string(), api),
            };
            let (answer, notice) =
                match ask::ask_in_conversation(&store, &question, conversation.as_deref()) {
                    Ok(answer) => (answer, None),
                    Err(AskError::Conversation(error)) => {
                        let answer =
                            ask::ask_in_conversation(&store, &question, None).map_err(to_web)?;
                        (answer, Some(error.to_string()))
                    }
                    Err(error) => return Err(to_web(error)),
                };
            Ok((answer, notice))
        })
        .await?;
    let Some(client) = llm else {
        return Ok((answer, notice));
    };
    // the model's request (up to its time limit) waits on the network, not
    // a core: on the blocking pool, without a permit
    blocking(move || {
        let mut answer = answer;
        ask::rephrase(&mut answer, &client);
        Ok((answer, notice))
    })
    .await
}

async fn ask_page(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, WebError> {
    let params = Params::parse(raw, false)?;
    let question = user_query(&params, "q", false)?;
    let (answer, notice) = match question {
        Some(question) => {
            let (answer, notice) = run_ask(
                state.clone(),
                question,
                params.text("conversation").map(str::to_string),
                false,
            )
            .await?;
            (Some(answer), notice)
        }
        None => (None, None),
    };
    let store = state.store();
    let answer_json = answer.as_ref().map(api_answer);
    // the conversation so far, read back from the token the answer carries
    let turns: Vec<Value> = answer
        .as_ref()
        .and_then(|answer| answer.conversation.as_deref())
        .and_then(|token| {
            ask::conversation::Conversation::from_token(token, store.conversation_key()).ok()
        })
        .map(|conversation| {
            let count = conversation.turns.len();
            conversation
                .turns
                .iter()
                .take(count.saturating_sub(1))
                .map(|turn| {
                    let commitment = turn
                        .commitment
                        .as_deref()
                        .and_then(|id| store.commitment_summary(id));
                    json!({
                        "question": turn.question,
                        "commitment": commitment.map(commitment_json),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    state.render(
        "ask.html",
        context! { answer => v(&answer_json), turns => v(&turns), notice => notice },
    )
}

async fn api_ask(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let params = Params::parse(raw, true)?;
    let Some(question) = user_query(&params, "q", true)? else {
        return Err(WebError::bad_request(
            "missing question: add ?q=your+question",
            true,
        ));
    };
    let conversation = params.text("conversation").map(str::to_string);
    let (answer, notice) = run_ask(state, question, conversation, true)
        .await
        .map_err(WebError::into_api)?;
    let mut body = api_answer(&answer);
    body["notice"] = json!(notice);
    Ok(axum::Json(body).into_response())
}

/// The `/api/ask` body (a public contract: fields may be added, not removed).
pub fn api_answer(answer: &Answer) -> Value {
    json!({
        "question": answer.question,
        "answer": answer.answer,
        "status": answer.status.map(Status::as_str),
        "as_of": answer.as_of,
        "commitment": answer.commitment.as_ref().map(|c| commitment_json(&CommitmentSummary::from(c))),
        "citations": answer.citations,
        "also_matching": answer.also_matching,
        "suggestions": answer.suggestions,
        "intent": answer.intent,
        "follow_up": answer.follow_up,
        "conversation": answer.conversation,
        "generated": answer.generated,
        "generation_note": answer.generation_note,
    })
}

/// A commitment as the API gives it.
pub fn commitment_json(commitment: &CommitmentSummary) -> Value {
    json!({
        "id": commitment.id,
        "text": commitment.text,
        "maker": commitment.maker,
        "made": commitment.made,
        "deadline": commitment.deadline,
        "deadline_text": commitment.deadline_text,
        "target": commitment.target,
        "status": commitment.verdict.status.as_str(),
        "status_label": commitment.verdict.status.label(),
        "politifact": commitment.verdict.status.politifact(),
        "reasons": commitment.verdict.reasons,
        "as_of": commitment.verdict.as_of,
        "reviewed": commitment.verdict.reviewed,
        "permalink": format!("/commitments/{}", commitment.id),
    })
}

fn commitment_detail_json(commitment: &Commitment) -> Value {
    let mut value = commitment_json(&CommitmentSummary::from(commitment));
    let with_permalink = |citation: &crate::model::Citation| {
        let mut cited = serde_json::to_value(citation).unwrap_or(Value::Null);
        cited["permalink"] = json!(format!(
            "/documents/{}#{}",
            citation.doc_id, citation.paragraph
        ));
        cited
    };
    value["found_by"] = json!(commitment.found_by);
    value["sources"] = commitment.sources.iter().map(with_permalink).collect();
    value["evidence"] = commitment
        .assessments
        .iter()
        .map(|assessment| {
            json!({
                "assessor": assessment.assessor,
                "independent": assessment.independent,
                "date": assessment.date,
                "stance": assessment.stance.map(|s| s.as_str()),
                "grade": assessment.grade.map(|g| g.label()),
                "domain_grades": assessment.domain_grades.iter().map(|(domain, grade)| json!({"domain": domain, "grade": grade.label()})).collect::<Vec<_>>(),
                "figures": assessment.figures,
                "citation": with_permalink(&assessment.citation),
            })
        })
        .collect();
    value
}

/// Which commitments a list shows.
#[derive(Debug, Default, Clone, serde::Serialize)]
struct CommitmentFilter {
    status: Option<Status>,
    maker: Option<String>,
    deadline_after: Option<String>,
    deadline_before: Option<String>,
}

impl CommitmentFilter {
    fn from_params(params: &Params, api: bool) -> Result<CommitmentFilter, WebError> {
        let date = |key: &'static str, end: bool| -> Result<Option<String>, WebError> {
            match filter_param(params, key, api)? {
                None => Ok(None),
                Some(text) => crate::index::query::complete_date(&text, end)
                    .map(Some)
                    .ok_or_else(|| {
                        WebError::bad_request(
                            format!(
                                "{key}: {text:?} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD"
                            ),
                            api,
                        )
                    }),
            }
        };
        Ok(CommitmentFilter {
            status: params.status(api)?,
            maker: filter_param(params, "maker", api)?,
            deadline_after: date("deadline_after", false)?,
            deadline_before: date("deadline_before", true)?,
        })
    }

    fn keeps(&self, commitment: &CommitmentSummary) -> bool {
        let deadline = commitment.deadline.as_deref();
        self.status
            .is_none_or(|wanted| commitment.verdict.status == wanted)
            && self
                .maker
                .as_deref()
                .is_none_or(|maker| commitment.maker == maker)
            && self
                .deadline_after
                .as_deref()
                .is_none_or(|after| deadline.is_some_and(|d| d >= after))
            && self
                .deadline_before
                .as_deref()
                .is_none_or(|before| deadline.is_some_and(|d| d <= before))
    }

    fn query_string(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        if let Some(status) = self.status {
            out.append_pair("status", status.as_str());
        }
        for (key, value) in [
            ("maker", &self.maker),
            ("deadline_after", &self.deadline_after),
            ("deadline_before", &self.deadline_before),
        ] {
            if let Some(value) = value {
                out.append_pair(key, value);
            }
        }
        out.finish()
    }
}

fn filtered<'a>(store: &'a Store, filter: &CommitmentFilter) -> Vec<&'a CommitmentSummary> {
    store
        .commitments
        .iter()
        .filter(|commitment| filter.keeps(commitment))
        .collect()
}

async fn commitments_page(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, WebError> {
    let params = Params::parse(raw, false)?;
    let filter = CommitmentFilter::from_params(&params, false)?;
    let store = state.store();
    let chosen = filtered(&store, &filter);
    let list: Vec<Value> = chosen.iter().map(|c| commitment_json(c)).collect();
    let statuses: Vec<Value> = Status::ALL
        .iter()
        .map(|s| json!({"value": s.as_str(), "label": s.label()}))
        .collect();
    let mut makers: Vec<&str> = store.commitments.iter().map(|c| c.maker.as_str()).collect();
    makers.sort_unstable();
    makers.dedup();
    let query = filter.query_string();
    let suffix = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    state.render(
        "commitments.html",
        context! {
            commitments => v(&list),
            status => filter.status.map(Status::as_str),
            filter => v(&filter),
            statuses => v(&statuses),
            makers => v(&makers),
            chart => v(&pages::verdict_chart(&chosen)),
            csv => format!("/commitments.csv{suffix}"),
        },
    )
}

async fn api_commitments(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let params = Params::parse(raw, true)?;
    let filter = CommitmentFilter::from_params(&params, true)?;
    let store = state.store();
    let (list, as_of): (Vec<Value>, String) = match as_of_param(&params)? {
        // what was known on that date: later evidence dropped, verdicts
        // decided again (each commitment read from the index in turn)
        // (every commitment is read: off the async workers)
        Some(date) => {
            let store = store.clone();
            state
                .compute(move || {
                    let mut known: Vec<CommitmentSummary> = Vec::new();
                    store.for_each_commitment(|commitment| {
                        if let Some(then) = crate::analyze::known_on(&commitment, &date) {
                            let summary = CommitmentSummary::from(&then);
                            if filter.keeps(&summary) {
                                known.push(summary);
                            }
                        }
                    })?;
                    // newest first, as the list without a date
                    known.sort_by(|a, b| b.made.cmp(&a.made).then(a.id.cmp(&b.id)));
                    Ok((known.iter().map(commitment_json).collect(), date))
                })
                .await
                .map_err(WebError::into_api)?
        }
        None => (
            filtered(&store, &filter)
                .into_iter()
                .map(commitment_json)
                .collect(),
            store.as_of.clone(),
        ),
    };
    Ok(
        axum::Json(json!({"total": list.len(), "as_of": as_of, "commitments": list}))
            .into_response(),
    )
}

async fn commitments_csv(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let params = Params::parse(raw, false)?;
    let filter = CommitmentFilter::from_params(&params, false)?;
    let store = state.store();
    exports::commitments_csv(&filtered(&store, &filter))
}

async fn commitments_atom(State(state): State<Shared>) -> Result<Response, WebError> {
    let store = state.store();
    let entries: Vec<Value> = exports::verdict_entries(&store.commitments)
        .into_iter()
        .take(FEED_ENTRIES)
        .collect();
    let updated = entries
        .iter()
        .filter_map(|entry| entry["updated"].as_str())
        .max()
        .map_or_else(|| exports::atom_date(&store.as_of), str::to_string);
    let feed = state.render(
        "feed.xml",
        context! {
            feed_id => "urn:pledgewatch:verdicts",
            title => "pledgewatch: verdicts on government commitments",
            updated => updated,
            self_link => "/commitments.atom",
            alternate => "/commitments",
            entries => v(&entries),
        },
    )?;
    Ok(exports::atom_response(xml_text(&feed.0)))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 200
        && id
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
}

/// A whole commitment by id, read from the index off the async workers;
/// a malformed or unknown id is a 404.
async fn find_commitment(state: &Shared, id: String, api: bool) -> Result<Commitment, WebError> {
    if !valid_id(&id) {
        return Err(WebError::not_found(
            format!("no commitment with id {id:?}"),
            api,
        ));
    }
    let store = state.store();
    let lookup_id = id.clone();
    let found = blocking(move || Ok(store.commitment(&lookup_id)?)).await;
    let found = if api {
        found.map_err(WebError::into_api)?
    } else {
        found?
    };
    found.ok_or_else(|| WebError::not_found(format!("no commitment with id {id:?}"), api))
}

async fn commitment_page(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let commitment = find_commitment(&state, id, false).await?;
    state.render(
        "commitment.html",
        context! {
            c => v(&commitment_detail_json(&commitment)),
            timeline => v(&pages::timeline(&commitment)),
            json_ld => pages::claim_review_json_ld(&commitment),
        },
    )
}

async fn api_commitment(
    State(state): State<Shared>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let params = Params::parse(raw, true)?;
    let commitment = find_commitment(&state, id.clone(), true).await?;
    match as_of_param(&params)? {
        Some(date) => match crate::analyze::known_on(&commitment, &date) {
            Some(known) => Ok(axum::Json(commitment_detail_json(&known)).into_response()),
            None => Err(WebError::not_found(
                format!("commitment {id:?} had not been made by {date}"),
                true,
            )),
        },
        None => Ok(axum::Json(commitment_detail_json(&commitment)).into_response()),
    }
}

/// `as_of=YYYY-MM-DD`: reproduce what was known on that date.
fn as_of_param(params: &Params) -> Result<Option<String>, WebError> {
    match params.text("as_of").map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => match crate::extract::text::parse_date(text) {
            Some(date) if text.len() == 10 => Ok(Some(date)),
            _ => Err(WebError::bad_request(
                format!("as_of must be a date, YYYY-MM-DD, not {text:?}"),
                true,
            )),
        },
    }
}

async fn document_page(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    if !valid_id(&id) {
        return Err(WebError::not_found(
            format!("no document with id {id:?}"),
            false,
        ));
    }
    let store = state.store();
    let lookup_id = id.clone();
    // the document and the commitments made or assessed in it
    let (document, related) = blocking(move || {
        let Some(document) = store.document(&lookup_id)? else {
            return Ok((None, Vec::new()));
        };
        let related: Vec<Value> = store
            .commitments_citing(&document.id)?
            .into_iter()
            .map(commitment_json)
            .collect();
        Ok((Some(document), related))
    })
    .await?;
    let document = document
        .ok_or_else(|| WebError::not_found(format!("no document with id {id:?}"), false))?;
    let has_captures = state.settings.corpus.is_some();
    state.render(
        "document.html",
        context! {
            d => v(&document),
            related => v(&related),
            capture_link => has_captures.then(|| format!("/documents/{}/capture", document.id)),
            history => v(&history_view(&document, has_captures)),
        },
    )
}

/// The document's versions for the page, newest first, each with a link to
/// its capture and what changed from the one before (reworded paragraphs
/// word by word).
fn history_view(document: &crate::model::Document, has_captures: bool) -> Vec<Value> {
    let last = document.versions.len().saturating_sub(1);
    document
        .versions
        .iter()
        .enumerate()
        .rev()
        .map(|(number, version)| {
            let changes: Vec<Value> = version
                .changes
                .iter()
                .map(|change| {
                    let kind = match (&change.before, &change.after) {
                        (Some(_), Some(_)) => "reworded",
                        (None, Some(_)) => "added",
                        _ => "removed",
                    };
                    let pieces = match (&change.before, &change.after) {
                        (Some(before), Some(after)) => crate::diff::word_diff(before, after),
                        _ => Vec::new(),
                    };
                    json!({
                        "anchor": change.anchor,
                        "kind": kind,
                        "before": change.before,
                        "after": change.after,
                        "pieces": pieces,
                    })
                })
                .collect();
            json!({
                "number": number + 1,
                "current": number == last,
                "first_captured": version.first_captured,
                "captured": version.captured,
                "title": version.title,
                "capture_link": has_captures.then(|| format!("/documents/{}/capture?version={}", document.id, number + 1)),
                "changes": changes,
            })
        })
        .collect()
}

async fn healthz(State(state): State<Shared>) -> Response {
    let store = state.store();
    axum::Json(json!({"status": "ok", "documents": store.documents, "commitments": store.commitments.len(), "as_of": store.as_of})).into_response()
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../templates/style.css"),
    )
        .into_response()
}

async fn not_found(uri: axum::http::Uri) -> WebError {
    WebError::not_found(
        format!("nothing at {}", uri.path()),
        uri.path().starts_with("/api/"),
    )
}
