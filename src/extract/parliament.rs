//! UK Parliament written statements, as the written questions and
//! statements API returns one (`/api/writtenstatements/statements/{id}`).

use serde_json::Value;

use super::html::fragment_paragraphs;
use super::text::{clean_whitespace, parse_date};
use super::{Capture, absolute_url};
use crate::model::{Document, document_id};

fn statement(value: &Value) -> &Value {
    value.get("value").unwrap_or(value)
}

pub fn is_written_statement(value: &Value) -> bool {
    let inner = statement(value);
    inner.get("uin").is_some_and(Value::is_string)
        && inner.get("dateMade").is_some()
        && inner.get("text").is_some()
}

fn text(value: &Value, key: &str) -> Option<String> {
    value
        .pointer(key)
        .and_then(Value::as_str)
        .map(clean_whitespace)
        .filter(|text| !text.is_empty())
}

/// The statement's page on the public site: the API host without its
/// `-api` part, at `/written-statements/detail/{date}/{uin}`.
pub fn public_url(api_url: &str, date: &str, uin: &str) -> String {
    let path = format!("/written-statements/detail/{date}/{uin}");
    let Ok(mut parsed) = url::Url::parse(api_url) else {
        return path;
    };
    if let Some(host) = parsed.host_str()
        && let Some(public_host) = host.strip_prefix("questions-statements-api.")
    {
        let public_host = format!("questions-statements.{public_host}");
        if parsed.set_host(Some(&public_host)).is_err() {
            return path;
        }
    }
    absolute_url(parsed.as_str(), &path).unwrap_or(path)
}

pub fn extract_written_statement(capture: &Capture, value: &Value) -> Document {
    let inner = statement(value);
    let date = text(inner, "/dateMade").and_then(|made| parse_date(&made));
    let uin = text(inner, "/uin").unwrap_or_default();
    let url = public_url(&capture.url, date.as_deref().unwrap_or("unknown"), &uin);
    let (paragraphs, ratings) = fragment_paragraphs(&text(inner, "/text").unwrap_or_default());
    let member = text(inner, "/member/name").or_else(|| text(inner, "/member/listAs"));
    let role = text(inner, "/memberRole");
    let speaker = match (member, role) {
        (Some(member), Some(role)) => Some(format!("{member} ({role})")),
        (member, role) => member.or(role),
    };
    Document {
        id: document_id(&url),
        url,
        title: text(inner, "/title").unwrap_or_else(|| format!("Written statement {uin}")),
        description: None,
        publisher: text(inner, "/answeringBodyName").unwrap_or_else(|| "UK Parliament".into()),
        kind: "written_statement".into(),
        published: date,
        updated: None,
        organisations: Vec::new(),
        delivered: None,
        session: None,
        paper_number: None,
        captured: capture.captured.clone(),
        capture: capture.location.clone(),
        speaker,
        withdrawn: None,
        government: None,
        illustrative: value
            .get("pledgewatch_illustrative")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        attachments: inner
            .get("attachments")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|a| a.get("url").and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        change_history: Vec::new(),
        paragraphs,
        ratings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_address_of_a_statement() {
        assert_eq!(
            public_url(
                "https://questions-statements-api.parliament.uk/api/writtenstatements/statements/1",
                "2023-03-20",
                "HCWS612"
            ),
            "https://questions-statements.parliament.uk/written-statements/detail/2023-03-20/HCWS612"
        );
        assert_eq!(
            public_url(
                "https://pledgewatch.example/written-statements/api/1.json",
                "2023-03-20",
                "HCWS1"
            ),
            "https://pledgewatch.example/written-statements/detail/2023-03-20/HCWS1"
        );
    }
}
