//! Parts of pages: the about page, captures as they were captured, the
//! verdict chart, a commitment's timeline and its ClaimReview data.

use std::path::{Component, Path as FsPath, PathBuf};

use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;
use serde_json::{Value, json};

use super::{Shared, WebError, blocking, v, valid_id};
use crate::model::{Commitment, CommitmentSummary, Grade, Status};

pub async fn about(State(state): State<Shared>) -> Result<Html<String>, WebError> {
    let verdicts: Vec<Value> = Status::ALL
        .iter()
        .map(|status| {
            json!({
                "value": status.as_str(),
                "label": status.label(),
                "politifact": status.politifact(),
                "full_fact": full_fact_wording(*status),
                "meaning": meaning(*status),
            })
        })
        .collect();
    let grades: Vec<&str> = [
        Grade::Outstanding,
        Grade::Good,
        Grade::RequiresImprovement,
        Grade::Inadequate,
    ]
    .into_iter()
    .map(Grade::label)
    .collect();
    state.render(
        "about.html",
        context! { verdicts => v(&verdicts), grades => v(&grades), as_of => state.store().as_of.clone() },
    )
}

fn meaning(status: Status) -> &'static str {
    match status {
        Status::Met => {
            "The newest independent assessment (or, without one, the government) says the commitment was delivered."
        }
        Status::PartlyMet => {
            "Delivered in part: some of the target, or late, or in a smaller form."
        }
        Status::NotMet => "Not delivered, abandoned, or still off track after its deadline.",
        Status::InProgress => {
            "Work is under way and the deadline has not passed, or assessors say it is on track."
        }
        Status::Disputed => {
            "The government and an independent assessor disagree, within about a year of each other."
        }
        Status::Unassessed => "No assessment of delivery was found in the documents.",
    }
}

/// The nearest rating of Full Fact's Government Tracker (launched November
/// 2024), whose published ratings include "achieved", "appears on track",
/// signs of progress and "appears off track", and which leaves pledges it
/// cannot measure unrated. The mapping is ours, not Full Fact's.
fn full_fact_wording(status: Status) -> &'static str {
    match status {
        Status::Met => "Achieved",
        Status::PartlyMet => "Some progress",
        Status::NotMet => "Appears off track (or missed once the deadline has passed)",
        Status::InProgress => "Appears on track",
        Status::Disputed => "No direct equivalent: the evidence conflicts",
        Status::Unassessed => "Not rated: too little information to rate",
    }
}

/// Serves a document's capture byte for byte, sandboxed: the captured page
/// runs no script and cannot act as pledgewatch.
pub async fn capture(
    State(state): State<Shared>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let missing = || WebError::not_found(format!("no capture for document {id:?}"), false);
    if !valid_id(&id) {
        return Err(missing());
    }
    // `?version=N`: the Nth captured version (1 is the oldest)
    let requested = query.as_deref().and_then(|query| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "version")
            .map(|(_, value)| value.into_owned())
    });
    let version =
        match requested {
            None => None,
            Some(text) => Some(text.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(
                || {
                    WebError::bad_request(
                        format!("version {text:?} is not a version number (1, 2, ...)"),
                        false,
                    )
                },
            )?),
        };
    let Some(corpus) = state.settings.corpus.clone() else {
        return Err(missing());
    };
    let store = state.store();
    let lookup_id = id.clone();
    let document = blocking(move || Ok(store.document(&lookup_id)?))
        .await?
        .ok_or_else(missing)?;
    let location = match version {
        None => document.capture.clone(),
        Some(number) if document.versions.is_empty() && number == 1 => document.capture.clone(),
        Some(number) => document
            .versions
            .get(number - 1)
            .map(|version| version.capture.clone())
            .ok_or_else(|| {
                WebError::not_found(format!("document {id:?} has no version {number}"), false)
            })?,
    };
    let (content_type, body) = blocking(move || read_capture(&corpus, &location))
        .await?
        .ok_or_else(missing)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:".to_string(),
            ),
            (header::CONTENT_DISPOSITION, "inline".to_string()),
            (header::CACHE_CONTROL, "public, max-age=86400".to_string()),
        ],
        body,
    )
        .into_response())
}

/// A relative path with only plain names in it (no `..`, no root).
fn plain_relative(text: &str) -> Option<PathBuf> {
    let path = PathBuf::from(text);
    path.components()
        .all(|component| matches!(component, Component::Normal(_)))
        .then_some(path)
        .filter(|path| !path.as_os_str().is_empty())
}

/// The bytes and content type of a capture at `location` (`site/<path>`
/// or `crawl/<file>#<offset>`) under the corpus; `None` when it is gone.
fn read_capture(corpus: &FsPath, location: &str) -> Result<Option<(String, Vec<u8>)>, WebError> {
    if let Some(relative) = location.strip_prefix("site/") {
        let Some(relative) = plain_relative(relative) else {
            return Ok(None);
        };
        let path = corpus.join("site").join(relative);
        let Ok(body) = std::fs::read(&path) else {
            return Ok(None);
        };
        let content_type = crate::corpus::content_type_for(&path)
            .unwrap_or("application/octet-stream")
            .to_string();
        return Ok(Some((content_type, body)));
    }
    let Some((file, offset)) = location.split_once('#') else {
        return Ok(None);
    };
    if !file.starts_with("crawl/") {
        return Ok(None);
    }
    let Some(relative) = plain_relative(file) else {
        return Ok(None);
    };
    let path = corpus.join(relative);
    let (captures, _problems) = match crate::corpus::warc::read_captures(&path) {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "capture unreadable");
            return Ok(None);
        }
    };
    Ok(captures
        .into_iter()
        .find(|capture| capture.location == offset)
        .map(|capture| {
            (
                capture
                    .content_type
                    .unwrap_or_else(|| "application/octet-stream".to_string()),
                capture.body,
            )
        }))
}

/// Bar colours by verdict, readable on white and told apart by more than hue
/// in the table below the chart.
fn colour(status: Status) -> &'static str {
    match status {
        Status::Met => "#00703c",
        Status::PartlyMet => "#85994b",
        Status::NotMet => "#d4351c",
        Status::InProgress => "#1d70b8",
        Status::Disputed => "#912b88",
        Status::Unassessed => "#6f777b",
    }
}

const CHART_WIDTH: usize = 720;
const LABEL_WIDTH: usize = 260;
const ROW_HEIGHT: usize = 26;
const LEGEND_HEIGHT: usize = 30;

/// Verdicts by department as data for an inline SVG stacked bar chart and
/// its table.
pub fn verdict_chart(commitments: &[&CommitmentSummary]) -> Value {
    let mut makers: Vec<(String, [usize; 6])> = Vec::new();
    for commitment in commitments {
        let slot = Status::ALL
            .iter()
            .position(|status| *status == commitment.verdict.status)
            .unwrap_or(5);
        match makers
            .iter_mut()
            .find(|(maker, _)| *maker == commitment.maker)
        {
            Some((_, counts)) => counts[slot] += 1,
            None => {
                let mut counts = [0; 6];
                counts[slot] = 1;
                makers.push((commitment.maker.clone(), counts));
            }
        }
    }
    makers.sort_by(|a, b| {
        b.1.iter()
            .sum::<usize>()
            .cmp(&a.1.iter().sum::<usize>())
            .then(a.0.cmp(&b.0))
    });
    let most = makers
        .iter()
        .map(|(_, counts)| counts.iter().sum::<usize>())
        .max()
        .unwrap_or(1)
        .max(1);
    let bar_space = CHART_WIDTH - LABEL_WIDTH - 40;
    let rows: Vec<Value> = makers
        .iter()
        .enumerate()
        .map(|(index, (maker, counts))| {
            let y = LEGEND_HEIGHT + index * ROW_HEIGHT;
            let mut x = LABEL_WIDTH;
            let mut segments = Vec::new();
            for (status, count) in Status::ALL.iter().zip(counts) {
                if *count == 0 {
                    continue;
                }
                let width = (count * bar_space / most).max(2);
                segments.push(json!({
                    "x": x, "width": width, "count": count,
                    "label": status.label(), "colour": colour(*status),
                }));
                x += width;
            }
            let total: usize = counts.iter().sum();
            let label = if maker.chars().count() > 34 {
                format!("{}…", maker.chars().take(33).collect::<String>())
            } else {
                maker.clone()
            };
            json!({
                "maker": maker, "label": label, "y": y, "text_y": y + 17, "bar_y": y + 5,
                "segments": segments, "total": total, "total_x": x + 6,
                "counts": counts,
            })
        })
        .collect();
    let legend: Vec<Value> = Status::ALL
        .iter()
        .enumerate()
        .map(|(index, status)| {
            json!({"x": index * 115, "text_x": index * 115 + 16, "label": status.label(), "colour": colour(*status)})
        })
        .collect();
    let description = makers
        .iter()
        .map(|(maker, counts)| {
            let parts: Vec<String> = Status::ALL
                .iter()
                .zip(counts)
                .filter(|(_, count)| **count > 0)
                .map(|(status, count)| format!("{count} {}", status.label().to_lowercase()))
                .collect();
            format!("{maker}: {}", parts.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    json!({
        "width": CHART_WIDTH,
        "height": LEGEND_HEIGHT + makers.len() * ROW_HEIGHT + 4,
        "rows": rows,
        "legend": legend,
        "statuses": Status::ALL.iter().map(|s| s.label()).collect::<Vec<_>>(),
        "description": description,
    })
}

/// The dated story of a commitment: where it was made, each assessment,
/// and the verdict, oldest first (undated items last).
pub fn timeline(commitment: &Commitment) -> Vec<Value> {
    let mut items: Vec<(Option<String>, Value)> = Vec::new();
    for source in &commitment.sources {
        items.push((
            source.published.clone(),
            json!({
                "date": source.published, "event": "Promised", "who": source.publisher,
                "title": source.title, "permalink": format!("/documents/{}#{}", source.doc_id, source.paragraph),
            }),
        ));
    }
    for assessment in &commitment.assessments {
        let mut event = if assessment.independent {
            "Independent assessment".to_string()
        } else {
            "Government statement".to_string()
        };
        if let Some(stance) = assessment.stance {
            event.push_str(&format!(": {}", stance.as_str().replace('_', " ")));
        }
        if let Some(grade) = assessment.grade {
            event.push_str(&format!(" (rated {})", grade.label()));
        }
        items.push((
            assessment.date.clone(),
            json!({
                "date": assessment.date, "event": event, "who": assessment.assessor,
                "title": assessment.citation.title,
                "permalink": format!("/documents/{}#{}", assessment.citation.doc_id, assessment.citation.paragraph),
            }),
        ));
    }
    if let Some(deadline) = &commitment.deadline {
        items.push((
            Some(deadline.clone()),
            json!({"date": deadline, "event": "Deadline", "who": commitment.maker}),
        ));
    }
    items.push((
        Some(commitment.verdict.as_of.clone()),
        json!({
            "date": commitment.verdict.as_of,
            "event": format!("Verdict: {}", commitment.verdict.status.label()),
            "who": "pledgewatch",
        }),
    ));
    items.sort_by(|a, b| match (&a.0, &b.0) {
        (Some(left), Some(right)) => left.cmp(right),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    items.into_iter().map(|(_, item)| item).collect()
}

/// A 1-5 rating for ClaimReview; none for a commitment nobody assessed.
fn rating_value(status: Status) -> Option<u8> {
    match status {
        Status::Met => Some(5),
        Status::PartlyMet => Some(3),
        Status::InProgress => Some(3),
        Status::Disputed => Some(2),
        Status::NotMet => Some(1),
        Status::Unassessed => None,
    }
}

/// schema.org ClaimReview for a commitment, as JSON safe to put inside a
/// `<script type="application/ld+json">` element: `<`, `>` and `&` are
/// written as JSON escapes, so no text can close the element.
pub fn claim_review_json_ld(commitment: &Commitment) -> String {
    let first_source = commitment.sources.first();
    let mut rating = json!({
        "@type": "Rating",
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": format!("{} ({})", commitment.verdict.status.label(), commitment.verdict.status.politifact()),
    });
    if let Some(value) = rating_value(commitment.verdict.status) {
        rating["ratingValue"] = json!(value);
    }
    let value = json!({
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": format!("/commitments/{}", commitment.id),
        "claimReviewed": commitment.text,
        "datePublished": commitment.verdict.as_of,
        "author": {"@type": "Organization", "name": "pledgewatch"},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Organization", "name": commitment.maker},
            "datePublished": commitment.made,
            "appearance": first_source.map(|source| json!({
                "@type": "CreativeWork",
                "url": source.url,
                "headline": source.title,
                "datePublished": source.published,
                "publisher": {"@type": "Organization", "name": source.publisher},
            })),
        },
        "reviewRating": rating,
    });
    escape_json_for_script(&value.to_string())
}

pub fn escape_json_for_script(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_in_a_script_element_cannot_close_it() {
        let escaped = escape_json_for_script(r#"{"a":"</script><script>alert(1)</script>&"}"#);
        assert!(!escaped.contains("</"), "{escaped}");
        let back: Value = serde_json::from_str(&escaped).expect("still JSON");
        assert_eq!(back["a"], "</script><script>alert(1)</script>&");
    }

    #[test]
    fn capture_paths_stay_inside_the_corpus() {
        assert!(plain_relative("govuk/page.html").is_some());
        assert!(plain_relative("../secrets").is_none());
        assert!(plain_relative("/etc/passwd").is_none());
        assert!(plain_relative("a/../../b").is_none());
    }
}
