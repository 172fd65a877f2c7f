//! The API source kinds: GOV.UK's search and content APIs, the UK
//! Parliament committees API, the written statements API and Hansard.
//!
//! Pure helpers only: the URL to ask for each step of a walk, what a
//! listing answer holds, the public address of each document, and the
//! metadata the API gives about it. The crawler (`super`) does the fetching,
//! politeness and storage, the same way for every kind.

use std::sync::Arc;

use jiff::civil::Date;
use serde_json::Value;
use url::Url;

use crate::extract::{self, Capture, CaptureMeta};

pub const GOVUK_BASE: &str = "https://www.gov.uk";
pub const COMMITTEES_BASE: &str = "https://committees-api.parliament.uk";
pub const STATEMENTS_BASE: &str = "https://questions-statements-api.parliament.uk";
pub const HANSARD_BASE: &str = "https://hansard-api.parliament.uk";
/// GOV.UK asks API clients to stay at or below 10 requests a second.
pub const GOVUK_MAX_RATE: f64 = 10.0;
pub const GOVUK_PAGE: usize = 100;
/// The committees API's largest `Take`.
pub const COMMITTEES_PAGE: usize = 100;
pub const STATEMENTS_PAGE: usize = 50;
pub const HANSARD_PAGE: usize = 50;
/// Committee publications are listed in date windows of this many days:
/// deep `Skip` values fail, so a walk never pages far into one listing.
pub const COMMITTEE_WINDOW_DAYS: i64 = 90;
/// A window with more results than this is split in two.
pub const COMMITTEE_MAX_RESULTS: usize = 400;
/// With no `since`, an API source reaches this many days back.
pub const DEFAULT_REACH_DAYS: i64 = 365;

/// One step of an API walk. Listing steps are not archived (like
/// sitemaps); item steps are.
#[derive(Debug, Clone)]
pub enum Step {
    /// A page of `/api/search.json`.
    GovukSearch { start: usize },
    /// `/api/content/<base_path>`; `timestamp` is the search result's
    /// `public_timestamp`, when listed there.
    GovukContent { timestamp: Option<String> },
    /// `/api/PublicationType`, to turn type names into ids.
    CommitteeTypes,
    /// A page of `/api/Publications` for one committee and date window.
    CommitteeWindow {
        committee: Option<u64>,
        from: Date,
        to: Date,
        skip: usize,
    },
    /// `/api/Publications/{id}/Document/{documentId}/{format}`.
    CommitteeDocument(Arc<CommitteeDocument>),
    /// A page of `/api/writtenstatements/statements`.
    StatementList { skip: usize },
    /// One statement in full.
    Statement { timestamp: Option<String> },
    /// A page of Hansard's contributions search, archived: each
    /// contribution is stored as its own record at its public link.
    HansardSearch { skip: usize },
}

impl Step {
    /// Steps whose responses are archived as captures.
    pub fn is_item(&self) -> bool {
        matches!(
            self,
            Step::GovukContent { .. }
                | Step::CommitteeDocument(_)
                | Step::Statement { .. }
                | Step::HansardSearch { .. }
        )
    }

    /// The API's own date for the item, kept in the crawl state: an item
    /// listed again with the same date is not fetched again.
    pub fn timestamp(&self) -> Option<String> {
        match self {
            Step::GovukContent { timestamp } | Step::Statement { timestamp } => timestamp.clone(),
            Step::CommitteeDocument(document) => Some(document.timestamp.clone()),
            _ => None,
        }
    }
}

/// A document of a committee publication, as the listing describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitteeDocument {
    pub api_url: Url,
    /// `https://committees.parliament.uk/publications/{id}/documents/{documentId}/default/`.
    pub public_url: String,
    pub content_type: String,
    pub timestamp: String,
    pub meta: CaptureMeta,
}

/// A file or page an API item links to.
#[derive(Debug, Clone, PartialEq)]
pub enum Child {
    /// Another content item (an `html_publication`), by its API URL.
    Content(Url),
    /// A file (PDF, ODT, ...), with what the item says about it.
    File(Url, Box<CaptureMeta>),
}

/// `base` joined with `path`, with `params` as the query (repeated names
/// for lists, as the APIs expect).
pub fn endpoint(base: &str, path: &str, params: &[(&str, String)]) -> Option<Url> {
    let base = Url::parse(base).ok()?;
    let mut url = base.join(path).ok()?;
    if !params.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in params {
            pairs.append_pair(name, value);
        }
    }
    Some(url)
}

/// The same host without its `-api` part: `committees-api.parliament.uk`
/// -> `committees.parliament.uk`. A host without one (a stand-in) is kept.
pub fn public_origin(api: &Url, api_prefix: &str, public_prefix: &str) -> String {
    let mut public = api.clone();
    if let Some(host) = api.host_str()
        && let Some(rest) = host.strip_prefix(api_prefix)
    {
        let _ = public.set_host(Some(&format!("{public_prefix}{rest}")));
    }
    public.origin().ascii_serialization()
}

fn text(value: &Value, pointer: &str) -> Option<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_string)
}

fn number(value: &Value, pointer: &str) -> Option<u64> {
    let found = value.pointer(pointer)?;
    found
        .as_u64()
        .or_else(|| found.as_str().and_then(|text| text.trim().parse().ok()))
}

fn list<'a>(value: &'a Value, pointer: &str) -> &'a [Value] {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

// ---- GOV.UK ----

pub fn govuk_search_url(
    base: &str,
    organisations: &[String],
    document_types: &[String],
    from: Date,
    start: usize,
) -> Option<Url> {
    let mut params: Vec<(&str, String)> = Vec::new();
    for organisation in organisations {
        params.push(("filter_organisations", organisation.clone()));
    }
    for document_type in document_types {
        params.push(("filter_content_store_document_type", document_type.clone()));
    }
    params.push(("filter_public_timestamp", format!("from:{from}")));
    // Oldest first: items published during a walk join its end.
    params.push(("order", "public_timestamp".into()));
    params.push(("start", start.to_string()));
    params.push(("count", GOVUK_PAGE.to_string()));
    endpoint(base, "/api/search.json", &params)
}

/// One result of a search page: the content API URL of a GOV.UK page and
/// its `public_timestamp`. Links off GOV.UK are left out.
pub fn govuk_search_results(base: &str, page: &Value) -> (Vec<(Url, Option<String>)>, usize) {
    let results = list(page, "/results")
        .iter()
        .filter_map(|result| {
            let link = text(result, "/link")?;
            let path = link.strip_prefix('/').map(|_| link.as_str())?;
            let url = govuk_content_url(base, path)?;
            Some((url, text(result, "/public_timestamp")))
        })
        .collect();
    let total = number(page, "/total").unwrap_or(0) as usize;
    (results, total)
}

/// `/api/content<base_path>`.
pub fn govuk_content_url(base: &str, base_path: &str) -> Option<Url> {
    if !base_path.starts_with('/') || base_path.starts_with("//") {
        return None;
    }
    endpoint(base, &format!("/api/content{base_path}"), &[])
}

/// The `html_publication` children and attached files of a content item.
/// A file's metadata comes from the item: its title, the item's
/// publishers, kind and date, and the item's page.
pub fn govuk_children(base: &str, api_url: &Url, item: &Value) -> Vec<Child> {
    let mut children = Vec::new();
    let base_host = Url::parse(base)
        .ok()
        .and_then(|url| url.host_str().map(str::to_string));
    for child in list(item, "/links/children") {
        if let Some(path) = text(child, "/base_path")
            && let Some(url) = govuk_content_url(base, &path)
        {
            children.push(Child::Content(url));
        }
    }
    let capture = Capture {
        url: api_url.to_string(),
        content_type: Some("application/json".into()),
        body: Vec::new(),
        captured: String::new(),
        location: String::new(),
        illustrative: false,
        metadata: None,
    };
    let parent = extract::govuk::extract_content_item(&capture, item);
    for attachment in list(item, "/details/attachments") {
        let Some(href) = text(attachment, "/url") else {
            continue;
        };
        let Some(url) = extract::absolute_url(&parent.url, &href).and_then(|u| Url::parse(&u).ok())
        else {
            continue;
        };
        let kind = text(attachment, "/attachment_type").unwrap_or_default();
        if kind == "external" {
            continue;
        }
        let on_govuk = url.host_str().map(str::to_string) == base_host
            || url.host_str()
                == Url::parse(&parent.url)
                    .ok()
                    .as_ref()
                    .and_then(Url::host_str);
        if kind == "html" {
            if on_govuk && let Some(content) = govuk_content_url(base, url.path()) {
                children.push(Child::Content(content));
            }
            continue;
        }
        children.push(Child::File(
            url,
            Box::new(CaptureMeta {
                title: text(attachment, "/title"),
                publisher: Some(parent.publisher.clone()).filter(|p| !p.is_empty()),
                organisations: parent.organisations.clone(),
                kind: Some(parent.kind.clone()),
                published: parent.published.clone(),
                page: Some(parent.url.clone()),
                ..CaptureMeta::default()
            }),
        ));
    }
    children
}

// ---- committees ----

pub fn committee_types_url(base: &str) -> Option<Url> {
    endpoint(base, "/api/PublicationType", &[])
}

/// The ids of the publication types named, or the names not found.
pub fn committee_type_ids(types: &Value, names: &[String]) -> Result<Vec<u64>, String> {
    let known: Vec<(String, u64)> = types
        .as_array()
        .or_else(|| types.get("items").and_then(Value::as_array))
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .filter_map(|kind| Some((text(kind, "/name")?, number(kind, "/id")?)))
        .collect();
    let mut ids = Vec::new();
    let mut missing = Vec::new();
    for name in names {
        match known
            .iter()
            .find(|(known_name, _)| known_name.eq_ignore_ascii_case(name.trim()))
        {
            Some((_, id)) => ids.push(*id),
            None => missing.push(name.clone()),
        }
    }
    if missing.is_empty() {
        Ok(ids)
    } else {
        let names: Vec<&str> = known.iter().map(|(name, _)| name.as_str()).collect();
        Err(format!(
            "unknown publication types {missing:?}; the API knows {names:?}"
        ))
    }
}

pub fn committee_list_url(
    base: &str,
    committee: Option<u64>,
    types: &[u64],
    from: Date,
    to: Date,
    skip: usize,
) -> Option<Url> {
    let mut params: Vec<(&str, String)> = Vec::new();
    if let Some(committee) = committee {
        params.push(("CommitteeId", committee.to_string()));
    }
    for id in types {
        params.push(("PublicationTypeIds", id.to_string()));
    }
    params.push(("StartDate", from.to_string()));
    params.push(("EndDate", to.to_string()));
    params.push(("SortOrder", "PublicationDateDescending".into()));
    params.push(("ShowOnWebsiteOnly", "true".into()));
    params.push(("Skip", skip.to_string()));
    params.push(("Take", COMMITTEES_PAGE.to_string()));
    endpoint(base, "/api/Publications", &params)
}

/// The windows from `from` to `to` (both inclusive).
pub fn date_windows(from: Date, to: Date, days: i64) -> Vec<(Date, Date)> {
    let mut windows = Vec::new();
    let mut start = from;
    while start <= to {
        let end = start
            .checked_add(jiff::Span::new().days(days - 1))
            .unwrap_or(to)
            .min(to);
        windows.push((start, end));
        match end.tomorrow() {
            Ok(next) => start = next,
            Err(_) => break,
        }
    }
    windows
}

/// The halves of a window holding too many results for shallow paging;
/// `None` for a one-day window.
pub fn split_window(from: Date, to: Date) -> Option<((Date, Date), (Date, Date))> {
    let days = from.until(to).ok()?.get_days();
    if days < 1 {
        return None;
    }
    let middle = from.checked_add(jiff::Span::new().days(days / 2)).ok()?;
    Some(((from, middle), (middle.tomorrow().ok()?, to)))
}

fn kind_of_committee_paper(type_name: &str) -> String {
    let lower = type_name.trim().to_lowercase();
    match lower.as_str() {
        "report" | "special report" | "committee report" => "committee_report".into(),
        "government response" | "government responses" => "government_response".into(),
        _ => {
            let snake: String = lower
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            let snake = snake.trim_matches('_').to_string();
            if snake.is_empty() {
                "committee_publication".into()
            } else {
                snake
            }
        }
    }
}

/// The documents of one publication (from a `/api/Publications` listing)
/// to fetch: for each, the HTML conversion where listed, else the PDF,
/// else the original file when it is a PDF or HTML. Only listed formats
/// are asked for: an unlisted one gets a 500.
pub fn committee_documents(base: &str, publication: &Value) -> Vec<CommitteeDocument> {
    let Some(id) = number(publication, "/id") else {
        return Vec::new();
    };
    let Ok(base_url) = Url::parse(base) else {
        return Vec::new();
    };
    let public = public_origin(&base_url, "committees-api.", "committees.");
    let type_name = text(publication, "/type/name").unwrap_or_default();
    let kind = kind_of_committee_paper(&type_name);
    let committee = text(publication, "/committee/name");
    let publisher = if kind == "government_response" {
        text(publication, "/respondingDepartment")
            .or_else(|| text(publication, "/respondingDepartment/name"))
            .or_else(|| Some("HM Government".into()))
    } else {
        committee.clone()
    };
    let (session, paper_number) = if let Some(number) = number(publication, "/hcNumber/number") {
        (
            text(publication, "/hcNumber/sessionDescription"),
            Some(format!("HC {number}")),
        )
    } else if let Some(number) = number(publication, "/hlPaper/number") {
        (
            text(publication, "/hlPaper/sessionDescription"),
            Some(format!("HL Paper {number}")),
        )
    } else {
        (None, None)
    };
    let timestamp = text(publication, "/publicationStartDate").unwrap_or_default();
    let documents = list(publication, "/documents");
    let mut found = Vec::new();
    for document in documents {
        let Some(document_id) = number(document, "/documentId") else {
            continue;
        };
        let files = list(document, "/files");
        let listed = |format: &str| {
            files.iter().find(|file| {
                text(file, "/fileDataFormat").is_some_and(|f| f.eq_ignore_ascii_case(format))
            })
        };
        let original_type = |file: &Value| {
            let name = text(file, "/fileName").unwrap_or_default().to_lowercase();
            if name.ends_with(".pdf") {
                Some("application/pdf")
            } else if name.ends_with(".html") || name.ends_with(".htm") {
                Some("text/html; charset=utf-8")
            } else {
                None
            }
        };
        let choice = if listed("Html").is_some() {
            Some(("Html", "text/html; charset=utf-8"))
        } else if listed("Pdf").is_some() {
            Some(("Pdf", "application/pdf"))
        } else {
            listed("OriginalFormat")
                .and_then(original_type)
                .map(|content_type| ("OriginalFormat", content_type))
        };
        let Some((format, content_type)) = choice else {
            continue;
        };
        let Some(api_url) = endpoint(
            base,
            &format!("/api/Publications/{id}/Document/{document_id}/{format}"),
            &[],
        ) else {
            continue;
        };
        let title = match (text(publication, "/description"), documents.len()) {
            (Some(title), _) => Some(title),
            (None, _) => text(document, "/files/0/fileName"),
        };
        found.push(CommitteeDocument {
            api_url,
            public_url: format!("{public}/publications/{id}/documents/{document_id}/default/"),
            content_type: content_type.to_string(),
            timestamp: timestamp.clone(),
            meta: CaptureMeta {
                title,
                publisher: publisher.clone(),
                organisations: committee.iter().cloned().collect(),
                kind: Some(kind.clone()),
                published: Some(timestamp.clone()).filter(|t| !t.is_empty()),
                session: session.clone(),
                paper_number: paper_number.clone(),
                page: Some(format!("{public}/publications/{id}/")),
                api: Some(publication.clone()),
            },
        });
    }
    found
}

/// The file a committee document response wraps (`data`, base64).
pub fn committee_document_bytes(response: &Value) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    let data = response
        .get("data")
        .and_then(Value::as_str)
        .ok_or("no \"data\" in the document response")?;
    let cleaned: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(cleaned.as_bytes())
        .map_err(|error| format!("\"data\" is not base64: {error}"))
}

// ---- written statements ----

pub fn statements_list_url(
    base: &str,
    answering_bodies: &[u64],
    from: Date,
    to: Date,
    skip: usize,
) -> Option<Url> {
    let mut params: Vec<(&str, String)> = vec![
        ("madeWhenFrom", from.to_string()),
        ("madeWhenTo", to.to_string()),
    ];
    for body in answering_bodies {
        params.push(("answeringBodies", body.to_string()));
    }
    params.push(("skip", skip.to_string()));
    params.push(("take", STATEMENTS_PAGE.to_string()));
    endpoint(base, "/api/writtenstatements/statements", &params)
}

/// The statements of a list page, each by its full-text URL (the list
/// truncates `text`), with `dateMade`; and the total.
pub fn statements_in_list(base: &str, page: &Value) -> (Vec<(Url, Option<String>)>, usize) {
    let statements = list(page, "/results")
        .iter()
        .filter_map(|result| {
            let value = result.get("value").unwrap_or(result);
            let id = number(value, "/id")?;
            let url = endpoint(
                base,
                &format!("/api/writtenstatements/statements/{id}"),
                &[("expandMember", "true".into())],
            )?;
            Some((url, text(value, "/dateMade")))
        })
        .collect();
    let total = number(page, "/totalResults").unwrap_or(0) as usize;
    (statements, total)
}

/// The files attached to a statement.
pub fn statement_attachments(api_url: &Url, statement: &Value) -> Vec<Child> {
    let value = statement.get("value").unwrap_or(statement);
    let date = text(value, "/dateMade").and_then(|date| extract::text::parse_date(&date));
    let uin = text(value, "/uin").unwrap_or_default();
    let page = extract::parliament::public_url(
        api_url.as_str(),
        date.as_deref().unwrap_or("unknown"),
        &uin,
    );
    list(value, "/attachments")
        .iter()
        .filter_map(|attachment| {
            let href = text(attachment, "/url")?;
            let url = Url::parse(&extract::absolute_url(&page, &href)?).ok()?;
            Some(Child::File(
                url,
                Box::new(CaptureMeta {
                    title: text(attachment, "/title"),
                    publisher: text(value, "/answeringBodyName"),
                    kind: Some("written_statement".into()),
                    published: date.clone(),
                    page: Some(page.clone()),
                    ..CaptureMeta::default()
                }),
            ))
        })
        .collect()
}

// ---- Hansard ----

pub fn hansard_search_url(
    base: &str,
    from: Date,
    to: Date,
    search: Option<&str>,
    skip: usize,
) -> Option<Url> {
    let mut params: Vec<(&str, String)> =
        vec![("startDate", from.to_string()), ("endDate", to.to_string())];
    if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
        params.push(("searchTerm", search.to_string()));
    }
    params.push(("orderBy", "SittingDateAsc".into()));
    params.push(("skip", skip.to_string()));
    params.push(("take", HANSARD_PAGE.to_string()));
    endpoint(base, "/search/contributions/Spoken.json", &params)
}

/// The contributions of a search page, with their public links, and the total.
pub fn hansard_contributions(api_url: &Url, page: &Value) -> (Vec<(String, Value)>, usize) {
    let contributions = list(page, "/Results")
        .iter()
        .filter_map(|contribution| {
            let link = extract::parliament::hansard_public_url(api_url.as_str(), contribution)?;
            Some((link, contribution.clone()))
        })
        .collect();
    let total = number(page, "/TotalResultCount").unwrap_or(0) as usize;
    (contributions, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn date(text: &str) -> Date {
        text.parse().expect("date")
    }

    #[test]
    fn govuk_search_asks_with_the_filters_and_pages() {
        let url = govuk_search_url(
            GOVUK_BASE,
            &["department-of-health-and-social-care".into()],
            &["policy_paper".into(), "press_release".into()],
            date("2024-07-05"),
            100,
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "https://www.gov.uk/api/search.json?filter_organisations=department-of-health-and-social-care\
             &filter_content_store_document_type=policy_paper&filter_content_store_document_type=press_release\
             &filter_public_timestamp=from%3A2024-07-05&order=public_timestamp&start=100&count=100"
        );
        let page = json!({"results": [
            {"link": "/government/publications/x", "public_timestamp": "2024-08-01T10:00:00Z"},
            {"link": "https://example.org/off-site"}
        ], "total": 2});
        let (results, total) = govuk_search_results(GOVUK_BASE, &page);
        assert_eq!(total, 2);
        assert_eq!(results.len(), 1);
        assert_eq!(
            results[0].0.as_str(),
            "https://www.gov.uk/api/content/government/publications/x"
        );
    }

    #[test]
    fn govuk_children_are_html_publications_and_files() {
        let item = json!({
            "base_path": "/government/publications/plan",
            "title": "The plan",
            "document_type": "policy_paper",
            "first_published_at": "2024-03-01T09:00:00Z",
            "details": {"body": "<p>Text.</p>", "attachments": [
                {"url": "https://assets.publishing.service.gov.uk/media/1/plan.pdf", "title": "The plan (PDF)", "attachment_type": "file"},
                {"url": "https://www.gov.uk/government/publications/plan/plan-html", "title": "HTML", "attachment_type": "html"},
                {"url": "https://example.org/elsewhere", "attachment_type": "external"}
            ]},
            "links": {
                "organisations": [{"title": "Department of Health and Social Care"}],
                "children": [{"base_path": "/government/publications/plan/annex"}]
            }
        });
        let api =
            Url::parse("https://www.gov.uk/api/content/government/publications/plan").unwrap();
        let children = govuk_children(GOVUK_BASE, &api, &item);
        assert_eq!(children.len(), 3, "{children:?}");
        assert_eq!(
            children[0],
            Child::Content(
                Url::parse("https://www.gov.uk/api/content/government/publications/plan/annex")
                    .unwrap()
            )
        );
        let Child::File(url, meta) = &children[1] else {
            panic!("a file: {children:?}");
        };
        assert_eq!(url.host_str(), Some("assets.publishing.service.gov.uk"));
        assert_eq!(meta.title.as_deref(), Some("The plan (PDF)"));
        assert_eq!(
            meta.publisher.as_deref(),
            Some("Department of Health and Social Care")
        );
        assert_eq!(meta.kind.as_deref(), Some("policy_paper"));
        assert_eq!(
            meta.page.as_deref(),
            Some("https://www.gov.uk/government/publications/plan")
        );
        assert!(matches!(&children[2], Child::Content(url) if url.path().ends_with("/plan-html")));
    }

    #[test]
    fn committee_documents_ask_only_for_listed_formats() {
        let publication = json!({
            "id": 4321,
            "description": "Digital transformation in the NHS",
            "publicationStartDate": "2025-02-10T00:00:00",
            "type": {"id": 1, "name": "Report"},
            "committee": {"id": 81, "name": "Health and Social Care Committee"},
            "hcNumber": {"number": "123", "sessionDescription": "2024-25"},
            "documents": [
                {"documentId": 1, "files": [{"fileName": "a.pdf", "fileDataFormat": "Pdf"}, {"fileName": "a.html", "fileDataFormat": "Html"}]},
                {"documentId": 2, "files": [{"fileName": "b.pdf", "fileDataFormat": "Pdf"}]},
                {"documentId": 3, "files": [{"fileName": "c.docx", "fileDataFormat": "OriginalFormat"}]}
            ]
        });
        let documents = committee_documents(COMMITTEES_BASE, &publication);
        assert_eq!(documents.len(), 2);
        assert!(
            documents[0]
                .api_url
                .path()
                .ends_with("/4321/Document/1/Html")
        );
        assert!(
            documents[1]
                .api_url
                .path()
                .ends_with("/4321/Document/2/Pdf")
        );
        assert_eq!(
            documents[0].public_url,
            "https://committees.parliament.uk/publications/4321/documents/1/default/"
        );
        let meta = &documents[0].meta;
        assert_eq!(meta.kind.as_deref(), Some("committee_report"));
        assert_eq!(
            meta.publisher.as_deref(),
            Some("Health and Social Care Committee")
        );
        assert_eq!(meta.paper_number.as_deref(), Some("HC 123"));
        assert_eq!(meta.session.as_deref(), Some("2024-25"));
    }

    #[test]
    fn publication_type_names_become_ids() {
        let types = json!([{"id": 1, "name": "Report"}, {"id": 12, "name": "Government Response"}]);
        assert_eq!(
            committee_type_ids(&types, &["report".into(), "Government Response".into()]),
            Ok(vec![1, 12])
        );
        assert!(
            committee_type_ids(&types, &["Reports".into()])
                .unwrap_err()
                .contains("Reports")
        );
    }

    #[test]
    fn windows_cover_the_range_and_split() {
        let windows = date_windows(date("2024-01-01"), date("2024-06-30"), 90);
        assert_eq!(windows.first().unwrap().0, date("2024-01-01"));
        assert_eq!(windows.last().unwrap().1, date("2024-06-30"));
        for pair in windows.windows(2) {
            assert_eq!(pair[0].1.tomorrow().unwrap(), pair[1].0);
        }
        let (first, second) = split_window(date("2024-01-01"), date("2024-01-10")).unwrap();
        assert_eq!(first.1.tomorrow().unwrap(), second.0);
        assert!(split_window(date("2024-01-01"), date("2024-01-01")).is_none());
    }

    #[test]
    fn base64_documents_decode() {
        let response = json!({"fileName": "a.html", "data": "PHA+SGk8L3A+"});
        assert_eq!(committee_document_bytes(&response).unwrap(), b"<p>Hi</p>");
        assert!(committee_document_bytes(&json!({"data": "!!"})).is_err());
    }
}
