//! Outputs for other tools: CSV of search results and of commitments,
//! Atom feeds of a search and of verdicts, and the OpenAPI description.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::WebError;
use crate::index::SearchHit;
use crate::model::CommitmentSummary;

/// Rows a CSV or feed of search results holds at most.
pub const EXPORT_LIMIT: usize = 1000;

/// A spreadsheet must not take a cell for a formula.
fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

fn csv_response(filename: &str, rows: Vec<Vec<String>>) -> Result<Response, WebError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(row.iter().map(|field| cell(field)))
            .map_err(|error| WebError::internal(format!("writing csv: {error}")))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| WebError::internal(format!("writing csv: {error}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A snippet's plain text: the `<mark>` tags dropped, entities decoded.
pub fn snippet_text(snippet: &str) -> String {
    snippet
        .replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

pub fn search_csv(hits: &[SearchHit]) -> Result<Response, WebError> {
    let mut rows = vec![
        [
            "id",
            "title",
            "publisher",
            "type",
            "published",
            "url",
            "permalink",
            "snippet",
        ]
        .map(str::to_string)
        .to_vec(),
    ];
    for hit in hits {
        rows.push(vec![
            hit.id.clone(),
            hit.title.clone(),
            hit.publisher.clone(),
            hit.kind.clone(),
            hit.published.clone().unwrap_or_default(),
            hit.url.clone(),
            hit_permalink(hit),
            snippet_text(&hit.snippet),
        ]);
    }
    csv_response("search.csv", rows)
}

pub fn hit_permalink(hit: &SearchHit) -> String {
    match &hit.anchor {
        Some(anchor) => format!("/documents/{}#{anchor}", hit.id),
        None => format!("/documents/{}", hit.id),
    }
}

pub fn commitments_csv(commitments: &[&CommitmentSummary]) -> Result<Response, WebError> {
    let mut rows = vec![
        [
            "id",
            "text",
            "maker",
            "made",
            "deadline",
            "status",
            "status_label",
            "politifact",
            "as_of",
            "reasons",
            "permalink",
        ]
        .map(str::to_string)
        .to_vec(),
    ];
    for commitment in commitments {
        rows.push(vec![
            commitment.id.clone(),
            commitment.text.clone(),
            commitment.maker.clone(),
            commitment.made.clone().unwrap_or_default(),
            commitment.deadline.clone().unwrap_or_default(),
            commitment.verdict.status.as_str().to_string(),
            commitment.verdict.status.label().to_string(),
            commitment.verdict.status.politifact().to_string(),
            commitment.verdict.as_of.clone(),
            commitment.verdict.reasons.join(" "),
            format!("/commitments/{}", commitment.id),
        ]);
    }
    csv_response("commitments.csv", rows)
}

/// An Atom date from a `YYYY-MM-DD` one.
pub fn atom_date(date: &str) -> String {
    format!("{date}T00:00:00Z")
}

pub fn atom_response(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Entries of the search feed, as template data.
pub fn search_entries(hits: &[SearchHit], captured_fallback: &str) -> Vec<Value> {
    hits.iter()
        .map(|hit| {
            let date = hit
                .published
                .clone()
                .unwrap_or_else(|| captured_fallback.to_string());
            json!({
                "id": format!("urn:pledgewatch:document:{}", hit.id),
                "title": hit.title,
                "link": hit_permalink(hit),
                "updated": atom_date(&date),
                "author": hit.publisher,
                "summary": snippet_text(&hit.snippet),
            })
        })
        .collect()
}

/// Entries of the verdicts feed, newest change first.
pub fn verdict_entries(commitments: &[CommitmentSummary]) -> Vec<Value> {
    let mut dated: Vec<(String, &CommitmentSummary)> = commitments
        .iter()
        .map(|commitment| (commitment.changed.clone(), commitment))
        .collect();
    dated.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    dated
        .into_iter()
        .map(|(changed, commitment)| {
            json!({
                "id": format!("urn:pledgewatch:commitment:{}:{}:{}", commitment.id, commitment.verdict.status.as_str(), commitment.verdict.as_of),
                "title": format!("{}: {}", commitment.verdict.status.label(), commitment.text),
                "link": format!("/commitments/{}", commitment.id),
                "updated": atom_date(&changed),
                "author": commitment.maker,
                "summary": format!(
                    "Verdict as of {}: {} ({}). {}",
                    commitment.verdict.as_of,
                    commitment.verdict.status.label(),
                    commitment.verdict.status.politifact(),
                    commitment.verdict.reasons.join(" ")
                ),
                "status": commitment.verdict.status.as_str(),
                "as_of": commitment.verdict.as_of,
            })
        })
        .collect()
}

pub const OPENAPI: &str = include_str!("../../templates/openapi.json");

pub async fn openapi() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        OPENAPI,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("NHS App"), "NHS App");
    }

    #[test]
    fn snippets_lose_their_marks() {
        assert_eq!(
            snippet_text("the <mark>NHS</mark> &amp; &lt;b&gt;"),
            "the NHS & <b>"
        );
    }

    #[test]
    fn the_openapi_description_is_json() {
        let value: Value = serde_json::from_str(OPENAPI).expect("openapi.json parses");
        assert_eq!(value["openapi"], "3.1.0");
    }
}
