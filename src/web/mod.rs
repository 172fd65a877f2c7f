//! The server: server-rendered pages (minijinja, autoescaped) and the JSON
//! API, over one read-only index. Searches run on tokio's blocking pool.

mod error;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use minijinja::{Environment, context};
use serde_json::{Value, json};
use tower_http::set_header::SetResponseHeaderLayer;

pub use error::WebError;

use crate::ask::{self, Answer, AskError};
use crate::index::{HITS_PER_PAGE, IndexError, MAX_QUERY_CHARS, Store};
use crate::model::{Commitment, Status};

pub struct AppState {
    pub store: Store,
    templates: Environment<'static>,
}

pub type Shared = Arc<AppState>;

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
        ("error.html", include_str!("../../templates/error.html")),
    ] {
        env.add_template(name, source)
            .expect("bundled templates parse");
    }
    env
}

impl AppState {
    pub fn new(store: Store) -> Shared {
        Arc::new(AppState {
            store,
            templates: templates(),
        })
    }

    fn render(&self, name: &str, context: minijinja::Value) -> Result<Html<String>, WebError> {
        let template = self
            .templates
            .get_template(name)
            .map_err(|error| WebError::internal(error.to_string()))?;
        template
            .render(context)
            .map(Html)
            .map_err(|error| WebError::internal(format!("rendering {name}: {error:#}")))
    }
}

/// Builds the index if needed and serves until interrupted.
pub async fn serve(corpus: PathBuf, index: PathBuf, addr: String) -> anyhow::Result<()> {
    let store =
        tokio::task::spawn_blocking(move || Store::open_or_build(&corpus, &index)).await??;
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|error| anyhow::anyhow!("cannot listen on {addr}: {error}"))?;
    tracing::info!(addr = %listener.local_addr()?, documents = store.documents, commitments = store.commitments.len(), "serving");
    axum::serve(listener, router(AppState::new(store)))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/search", get(search_page))
        .route("/ask", get(ask_page))
        .route("/documents/{id}", get(document_page))
        .route("/commitments", get(commitments_page))
        .route("/commitments/{id}", get(commitment_page))
        .route("/api/search", get(api_search))
        .route("/api/ask", get(api_ask))
        .route("/api/commitments", get(api_commitments))
        .route("/api/commitments/{id}", get(api_commitment))
        .route("/healthz", get(healthz))
        .route("/static/style.css", get(stylesheet))
        .fallback(not_found)
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(
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
    let counts: Vec<Value> = state
        .store
        .counts_by_status()
        .into_iter()
        .map(|(status, count)| json!({"status": status.as_str(), "label": status.label(), "count": count}))
        .collect();
    state.render(
        "home.html",
        context! {
            counts => v(&counts),
            documents => state.store.documents,
            commitments => state.store.commitments.len(),
            as_of => state.store.as_of.clone(),
        },
    )
}

async fn search_page(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, WebError> {
    let params = Params::parse(raw, false)?;
    let page = params.page(false)?;
    let query = user_query(&params, "q", false)?;
    let results = match &query {
        Some(text) => {
            let store_state = state.clone();
            let text = text.clone();
            Some(blocking(move || Ok(store_state.store.search(&text, page)?)).await?)
        }
        None => None,
    };
    let pages = results
        .as_ref()
        .map_or(0, |r| r.total.div_ceil(HITS_PER_PAGE));
    state.render(
        "search.html",
        context! { query => query, results => v(&results), page => page, pages => pages },
    )
}

async fn api_search(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let params = Params::parse(raw, true)?;
    let page = params.page(true)?;
    let Some(query) = user_query(&params, "q", true)? else {
        return Err(WebError::bad_request("missing query: add ?q=words", true));
    };
    let results = blocking(move || Ok(state.store.search(&query, page)?))
        .await
        .map_err(WebError::into_api)?;
    Ok(axum::Json(json!({
        "total": results.total,
        "page": page,
        "hits": results.hits,
    }))
    .into_response())
}

async fn run_ask(
    state: Shared,
    question: String,
    conversation: Option<String>,
    api: bool,
) -> Result<Answer, WebError> {
    blocking(move || {
        ask::ask_in_conversation(&state.store, &question, conversation.as_deref()).map_err(
            |error| match error {
                AskError::Index(error) => WebError::internal(error.to_string()),
                other => WebError::bad_request(other.to_string(), api),
            },
        )
    })
    .await
}

async fn ask_page(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, WebError> {
    let params = Params::parse(raw, false)?;
    let question = user_query(&params, "q", false)?;
    let answer = match question {
        Some(question) => Some(
            run_ask(
                state.clone(),
                question,
                params.text("conversation").map(str::to_string),
                false,
            )
            .await?,
        ),
        None => None,
    };
    let answer_json = answer.as_ref().map(api_answer);
    // the conversation so far, read back from the token the answer carries
    let turns: Vec<Value> = answer
        .as_ref()
        .and_then(|answer| answer.conversation.as_deref())
        .and_then(|token| {
            ask::conversation::Conversation::from_token(token, state.store.conversation_key()).ok()
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
                        .and_then(|id| state.store.commitment(id));
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
        context! { answer => v(&answer_json), turns => v(&turns) },
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
    let answer = run_ask(state, question, conversation, true)
        .await
        .map_err(WebError::into_api)?;
    Ok(axum::Json(api_answer(&answer)).into_response())
}

/// The `/api/ask` body (a public contract: fields may be added, not removed).
pub fn api_answer(answer: &Answer) -> Value {
    json!({
        "question": answer.question,
        "answer": answer.answer,
        "status": answer.status.map(Status::as_str),
        "as_of": answer.as_of,
        "commitment": answer.commitment.as_ref().map(commitment_json),
        "citations": answer.citations,
        "also_matching": answer.also_matching,
        "suggestions": answer.suggestions,
        "intent": answer.intent,
        "follow_up": answer.follow_up,
        "conversation": answer.conversation,
    })
}

/// A commitment as the API gives it.
pub fn commitment_json(commitment: &Commitment) -> Value {
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
    let mut value = commitment_json(commitment);
    let with_permalink = |citation: &crate::model::Citation| {
        let mut cited = serde_json::to_value(citation).unwrap_or(Value::Null);
        cited["permalink"] = json!(format!(
            "/documents/{}#{}",
            citation.doc_id, citation.paragraph
        ));
        cited
    };
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

fn filtered(state: &AppState, status: Option<Status>) -> Vec<&Commitment> {
    state
        .store
        .commitments
        .iter()
        .filter(|commitment| status.is_none_or(|wanted| commitment.verdict.status == wanted))
        .collect()
}

async fn commitments_page(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, WebError> {
    let params = Params::parse(raw, false)?;
    let status = params.status(false)?;
    let list: Vec<Value> = filtered(&state, status)
        .into_iter()
        .map(commitment_json)
        .collect();
    let statuses: Vec<Value> = Status::ALL
        .iter()
        .map(|s| json!({"value": s.as_str(), "label": s.label()}))
        .collect();
    state.render(
        "commitments.html",
        context! { commitments => v(&list), status => status.map(Status::as_str), statuses => v(&statuses) },
    )
}

async fn api_commitments(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let params = Params::parse(raw, true)?;
    let status = params.status(true)?;
    let list: Vec<Value> = filtered(&state, status)
        .into_iter()
        .map(commitment_json)
        .collect();
    Ok(
        axum::Json(json!({"total": list.len(), "as_of": state.store.as_of, "commitments": list}))
            .into_response(),
    )
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 200
        && id
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
}

async fn commitment_page(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let commitment = valid_id(&id)
        .then(|| state.store.commitment(&id))
        .flatten()
        .ok_or_else(|| WebError::not_found(format!("no commitment with id {id:?}"), false))?;
    state.render(
        "commitment.html",
        context! { c => v(&commitment_detail_json(commitment)) },
    )
}

async fn api_commitment(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let commitment = valid_id(&id)
        .then(|| state.store.commitment(&id))
        .flatten()
        .ok_or_else(|| WebError::not_found(format!("no commitment with id {id:?}"), true))?;
    Ok(axum::Json(commitment_detail_json(commitment)).into_response())
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
    let lookup_state = state.clone();
    let lookup_id = id.clone();
    let document = blocking(move || Ok(lookup_state.store.document(&lookup_id)?))
        .await?
        .ok_or_else(|| WebError::not_found(format!("no document with id {id:?}"), false))?;
    // commitments made or assessed in this document
    let related: Vec<Value> = state
        .store
        .commitments
        .iter()
        .filter(|c| {
            c.sources.iter().any(|s| s.doc_id == document.id)
                || c.assessments
                    .iter()
                    .any(|a| a.citation.doc_id == document.id)
        })
        .map(commitment_json)
        .collect();
    state.render(
        "document.html",
        context! { d => v(&document), related => v(&related) },
    )
}

async fn healthz(State(state): State<Shared>) -> Response {
    axum::Json(json!({"status": "ok", "documents": state.store.documents, "commitments": state.store.commitments.len()})).into_response()
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
