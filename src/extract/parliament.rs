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
        versions: Vec::new(),
        paragraphs,
        ratings,
    }
}

/// A contribution as the Hansard API's contributions search returns one
/// (`/search/contributions/Spoken.json`): the crawler stores each as its
/// own record at the contribution's public link.
pub fn is_hansard_contribution(value: &Value) -> bool {
    value.get("ContributionExtId").is_some_and(Value::is_string)
        && value.get("SittingDate").is_some()
        && (value.get("ContributionTextFull").is_some() || value.get("ContributionText").is_some())
}

/// The contribution's public link:
/// `https://hansard.parliament.uk/{House}/{date}/debates/{section}/link#contribution-{id}`,
/// on the API host without its `-api` part.
pub fn hansard_public_url(api_url: &str, contribution: &Value) -> Option<String> {
    let house = text(contribution, "/House").unwrap_or_else(|| "Commons".into());
    let date = text(contribution, "/SittingDate").and_then(|date| parse_date(&date))?;
    let section = text(contribution, "/DebateSectionExtId")?;
    let id = text(contribution, "/ContributionExtId")?;
    let mut parsed = url::Url::parse(api_url).ok()?;
    if let Some(host) = parsed.host_str()
        && let Some(rest) = host.strip_prefix("hansard-api.")
    {
        parsed.set_host(Some(&format!("hansard.{rest}"))).ok()?;
    }
    let path = format!("/{house}/{date}/debates/{section}/link#contribution-{id}");
    absolute_url(parsed.as_str(), &path)
}

pub fn extract_hansard_contribution(capture: &Capture, value: &Value) -> Document {
    let url = hansard_public_url(&capture.url, value).unwrap_or_else(|| capture.url.clone());
    let body = text(value, "/ContributionTextFull")
        .or_else(|| text(value, "/ContributionText"))
        .unwrap_or_default();
    let (paragraphs, ratings) = fragment_paragraphs(&body);
    let house = text(value, "/House").unwrap_or_else(|| "Commons".into());
    // Contributions to one debate share its link and differ in the
    // fragment, which document ids ignore: the contribution names the id.
    let contribution = text(value, "/ContributionExtId").unwrap_or_default();
    let id = match url.split_once('#') {
        Some((page, _)) => document_id(&format!("{page}?contribution={contribution}")),
        None => document_id(&url),
    };
    Document {
        id,
        url,
        title: text(value, "/DebateSection").unwrap_or_else(|| "Hansard contribution".into()),
        description: text(value, "/HansardSection"),
        publisher: format!("House of {house}"),
        kind: "hansard_contribution".into(),
        published: text(value, "/SittingDate").and_then(|date| parse_date(&date)),
        updated: None,
        organisations: Vec::new(),
        delivered: None,
        session: None,
        paper_number: None,
        captured: capture.captured.clone(),
        capture: capture.location.clone(),
        speaker: text(value, "/AttributedTo").or_else(|| text(value, "/MemberName")),
        withdrawn: None,
        government: None,
        illustrative: false,
        attachments: Vec::new(),
        change_history: Vec::new(),
        versions: Vec::new(),
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

    #[test]
    fn hansard_contribution_becomes_a_document_at_its_public_link() {
        let contribution = serde_json::json!({
            "MemberName": "Wes Streeting",
            "AttributedTo": "The Secretary of State for Health and Social Care (Wes Streeting)",
            "ContributionExtId": "ABC-123",
            "ContributionTextFull": "<p>We will cut waiting lists by the end of this Parliament.</p>",
            "DebateSection": "NHS Waiting Lists",
            "DebateSectionExtId": "DEF-456",
            "HansardSection": "Oral Answers to Questions",
            "SittingDate": "2025-01-14T00:00:00",
            "House": "Commons"
        });
        assert!(is_hansard_contribution(&contribution));
        let capture = Capture {
            url: "https://hansard-api.parliament.uk/search/contributions/Spoken.json".into(),
            content_type: Some("application/json".into()),
            body: contribution.to_string().into_bytes(),
            captured: "2025-02-01".into(),
            location: "crawl/x.warc.gz#0".into(),
            illustrative: false,
            metadata: None,
        };
        let document = extract_hansard_contribution(&capture, &contribution);
        assert_eq!(
            document.url,
            "https://hansard.parliament.uk/Commons/2025-01-14/debates/DEF-456/link#contribution-ABC-123"
        );
        assert_eq!(document.title, "NHS Waiting Lists");
        assert_eq!(document.publisher, "House of Commons");
        assert_eq!(document.published.as_deref(), Some("2025-01-14"));
        assert_eq!(document.paragraphs.len(), 1);
        assert!(document.speaker.unwrap().contains("Secretary of State"));
    }
}
