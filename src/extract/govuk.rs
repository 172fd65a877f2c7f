//! GOV.UK content API items (`/api/content/<base_path>`).

use serde_json::Value;

use super::html::fragment_paragraphs;
use super::text::{clean_whitespace, parse_date};
use super::{Capture, absolute_url};
use crate::model::{Change, Document, document_id};

/// True when the JSON has the shape of a content item.
pub fn is_content_item(value: &Value) -> bool {
    value.get("base_path").is_some_and(Value::is_string)
        && value.get("document_type").is_some_and(Value::is_string)
}

fn text(value: &Value, pointer: &str) -> Option<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(clean_whitespace)
        .filter(|text| !text.is_empty())
}

fn titles(value: &Value, pointer: &str) -> Vec<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| text(item, "/title"))
                .collect()
        })
        .unwrap_or_default()
}

/// The public page of an API item: the API host's page at `base_path`
/// (`www.gov.uk/api/content/x` is read at `www.gov.uk/x`).
pub fn public_url(api_url: &str, base_path: &str) -> String {
    absolute_url(api_url, base_path).unwrap_or_else(|| base_path.to_string())
}

/// The primary publishing organisation first, then the others.
fn all_organisations(item: &Value) -> Vec<String> {
    let mut all = titles(item, "/links/primary_publishing_organisation");
    for name in titles(item, "/links/organisations") {
        if !all.contains(&name) {
            all.push(name);
        }
    }
    all
}

pub fn extract_content_item(capture: &Capture, item: &Value) -> Document {
    let base_path = text(item, "/base_path").unwrap_or_default();
    let url = public_url(&capture.url, &base_path);
    let body = item
        .pointer("/details/body")
        .and_then(|body| match body {
            Value::String(html) => Some(html.clone()),
            // multi-type bodies: [{"content_type": "text/html", "content": ...}]
            Value::Array(parts) => parts
                .iter()
                .find(|part| part.get("content_type").and_then(Value::as_str) == Some("text/html"))
                .and_then(|part| part.get("content").and_then(Value::as_str))
                .map(str::to_string),
            _ => None,
        })
        .unwrap_or_default();
    let (paragraphs, ratings) = fragment_paragraphs(&body);
    let organisations = {
        let primary = titles(item, "/links/primary_publishing_organisation");
        if primary.is_empty() {
            titles(item, "/links/organisations")
        } else {
            primary
        }
    };
    let speaker = titles(item, "/links/speaker")
        .into_iter()
        .next()
        .or_else(|| text(item, "/details/speaker_without_profile"));
    let withdrawn = item
        .pointer("/withdrawn_notice/explanation")
        .and_then(Value::as_str)
        .map(|html| {
            let (notice, _) = fragment_paragraphs(html);
            let explanation: Vec<String> =
                notice.into_iter().map(|paragraph| paragraph.text).collect();
            let date = text(item, "/withdrawn_notice/withdrawn_at").and_then(|at| parse_date(&at));
            match date {
                Some(date) => format!("Withdrawn on {date}: {}", explanation.join(" ")),
                None => format!("Withdrawn: {}", explanation.join(" ")),
            }
        });
    let mut attachments = Vec::new();
    for pointer in ["/details/attachments", "/details/documents"] {
        if let Some(list) = item.pointer(pointer).and_then(Value::as_array) {
            for attachment in list {
                if let Some(href) = attachment.get("url").and_then(Value::as_str)
                    && let Some(absolute) = absolute_url(&url, href)
                    && !attachments.contains(&absolute)
                {
                    attachments.push(absolute);
                }
            }
        }
    }
    let change_history: Vec<Change> = item
        .pointer("/details/change_history")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|entry| {
                    Some(Change {
                        date: text(entry, "/public_timestamp").and_then(|at| parse_date(&at))?,
                        note: text(entry, "/note").unwrap_or_default(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    // withdrawn and older items lack `first_published_at`; their first
    // public date is in `details` or, failing that, the oldest change note
    let first_change = change_history
        .iter()
        .map(|change: &Change| change.date.clone())
        .min();
    let published = text(item, "/first_published_at")
        .and_then(|at| parse_date(&at))
        .or_else(|| text(item, "/details/first_public_at").and_then(|at| parse_date(&at)))
        .or_else(|| text(item, "/details/public_timestamp").and_then(|at| parse_date(&at)))
        .or_else(|| text(item, "/details/delivered_on").and_then(|at| parse_date(&at)))
        .or(first_change)
        .or_else(|| text(item, "/public_updated_at").and_then(|at| parse_date(&at)));
    let updated = text(item, "/public_updated_at")
        .and_then(|at| parse_date(&at))
        .filter(|updated| Some(updated) != published.as_ref());
    Document {
        id: document_id(&url),
        url,
        title: text(item, "/title").unwrap_or_default(),
        description: text(item, "/description"),
        organisations: all_organisations(item),
        publisher: organisations
            .into_iter()
            .next()
            .unwrap_or_else(|| "GOV.UK".into()),
        kind: text(item, "/document_type").unwrap_or_else(|| "web_page".into()),
        published,
        updated,
        delivered: text(item, "/details/delivered_on").and_then(|at| parse_date(&at)),
        session: None,
        paper_number: None,
        captured: capture.captured.clone(),
        capture: capture.location.clone(),
        speaker,
        withdrawn,
        government: text(item, "/details/government/title"),
        illustrative: item
            .get("pledgewatch_illustrative")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        attachments,
        change_history,
        versions: Vec::new(),
        paragraphs,
        ratings,
    }
}
