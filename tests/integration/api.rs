//! The API source kinds against stand-ins of GOV.UK's search and content
//! APIs, the committees API, the written statements API and Hansard,
//! served on loopback under their real host names (`[crawl] resolve`) and
//! written from the real shapes: paging (the stand-ins send fewer results
//! than asked for), the 422 on unknown parameters, base64 documents, the
//! 500 for an unlisted format and for deep `Skip`, truncated statement
//! text, a withdrawn item, `html_publication` children and attachments on
//! a second host.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use pledgewatch::corpus::warc;
use pledgewatch::crawl::{self, CrawlOptions, CrawlSummary};
use pledgewatch::model::document_id;
use serde_json::{Value, json};

use crate::server::{ApiServer, Reply, Request};

const SINCE: &str = "2024-07-05";
const DHSC: &str = "Department of Health and Social Care";
const DHSC_SLUG: &str = "department-of-health-and-social-care";
const HOSTS: &[&str] = &[
    "www.gov.uk",
    "assets.publishing.service.gov.uk",
    "committees-api.parliament.uk",
    "questions-statements-api.parliament.uk",
    "hansard-api.parliament.uk",
];

fn pdf() -> Vec<u8> {
    std::fs::read(crate::support::corpus_dir().join(
        "site/nao/reports/progress-with-digitising-nhs-trusts/progress-with-digitising-nhs-trusts.pdf",
    ))
    .expect("a bundled PDF")
}

fn json_reply(value: &Value) -> Reply {
    Reply::new(200)
        .header("Content-Type", "application/json; charset=utf-8")
        .body(value.to_string())
}

fn not_found() -> Reply {
    Reply::new(404).body("not found")
}

/// A GOV.UK item and what the search API knows of it.
struct GovukItem {
    organisation: &'static str,
    document_type: &'static str,
    public_timestamp: &'static str,
    item: Value,
}

fn organisation(title: &str, slug: &str) -> Value {
    json!([{"title": title, "base_path": format!("/government/organisations/{slug}"), "document_type": "organisation"}])
}

fn govuk_items() -> Vec<GovukItem> {
    let dhsc = organisation(DHSC, DHSC_SLUG);
    let html_path = "/government/publications/digital-health-plan/a-plan-for-digital-health";
    vec![
        GovukItem {
            organisation: DHSC_SLUG,
            document_type: "policy_paper",
            public_timestamp: "2025-01-10T09:30:00.000+00:00",
            item: json!({
                "base_path": "/government/publications/digital-health-plan",
                "content_id": "5d1e8f4a-0001-4c3e-9d7e-000000000001",
                "title": "A plan for digital health and social care",
                "description": "How the NHS App becomes the front door to the NHS.",
                "document_type": "policy_paper",
                "schema_name": "publication",
                "locale": "en",
                "first_published_at": "2025-01-10T09:30:00.000+00:00",
                "public_updated_at": "2025-01-10T09:30:00.000+00:00",
                "details": {
                    "body": "<p>We will make the NHS App the front door to the NHS by March 2026.</p>",
                    "government": {"title": "2024 Labour government", "slug": "2024-labour-government", "current": true},
                    "political": true,
                    "attachments": [
                        {"attachment_type": "file", "id": "a1", "title": "A plan for digital health and social care (PDF)",
                         "url": "https://assets.publishing.service.gov.uk/media/abc123/digital-health-plan.pdf",
                         "content_type": "application/pdf", "filename": "digital-health-plan.pdf"},
                        {"attachment_type": "file", "id": "a2", "title": "Draft not for publication",
                         "url": "https://assets.publishing.service.gov.uk/media/private/draft.pdf",
                         "content_type": "application/pdf"},
                        {"attachment_type": "html", "id": "a3", "title": "A plan for digital health (HTML)",
                         "url": format!("https://www.gov.uk{html_path}")},
                        {"attachment_type": "external", "id": "a4", "title": "Elsewhere",
                         "url": "https://example.org/elsewhere"}
                    ]
                },
                "links": {
                    "organisations": dhsc,
                    "primary_publishing_organisation": dhsc,
                    "children": [{"base_path": html_path, "document_type": "html_publication", "title": "A plan for digital health"}]
                }
            }),
        },
        GovukItem {
            organisation: DHSC_SLUG,
            document_type: "policy_paper",
            public_timestamp: "2025-02-01T10:00:00.000+00:00",
            item: json!({
                "base_path": "/government/publications/waiting-times-guidance-2025",
                "title": "Waiting times guidance 2025",
                "document_type": "policy_paper",
                "schema_name": "publication",
                "first_published_at": "2025-02-01T10:00:00.000+00:00",
                "public_updated_at": "2025-05-01T12:00:00.000+00:00",
                "withdrawn_notice": {"explanation": "<p>Replaced by the elective reform plan.</p>", "withdrawn_at": "2025-05-01T12:00:00Z"},
                "details": {"body": "<p>We will end waits of over 65 weeks by September 2025.</p>", "attachments": []},
                "links": {"organisations": dhsc}
            }),
        },
        GovukItem {
            organisation: DHSC_SLUG,
            document_type: "speech",
            public_timestamp: "2025-03-01T11:00:00.000+00:00",
            item: json!({
                "base_path": "/government/speeches/health-secretary-on-nhs-reform",
                "title": "Health Secretary on NHS reform",
                "document_type": "speech",
                "schema_name": "speech",
                "first_published_at": "2025-03-01T11:00:00.000+00:00",
                "public_updated_at": "2025-03-01T11:00:00.000+00:00",
                "details": {
                    "body": "<p>We will deliver 40,000 more appointments a week.</p>",
                    "delivered_on": "2025-02-28T09:00:00.000+00:00",
                    "speech_type_explanation": "Transcript of the speech, exactly as it was delivered"
                },
                "links": {"organisations": dhsc, "speaker": [{"title": "The Rt Hon Wes Streeting MP", "base_path": "/government/people/wes-streeting"}]}
            }),
        },
        // Disallowed by www.gov.uk's robots.txt (the stand-in's rule): never requested.
        GovukItem {
            organisation: DHSC_SLUG,
            document_type: "policy_paper",
            public_timestamp: "2025-04-10T09:00:00.000+00:00",
            item: json!({
                "base_path": "/government/private/embargoed-paper",
                "title": "Embargoed", "document_type": "policy_paper",
                "details": {"body": "<p>Secret.</p>"}, "links": {"organisations": dhsc}
            }),
        },
        // Before `since`.
        GovukItem {
            organisation: DHSC_SLUG,
            document_type: "press_release",
            public_timestamp: "2023-05-01T09:00:00.000+00:00",
            item: json!({"base_path": "/government/news/old-news", "title": "Old", "document_type": "press_release",
                          "details": {"body": "<p>Old.</p>"}, "links": {"organisations": dhsc}}),
        },
        // Another department.
        GovukItem {
            organisation: "department-for-transport",
            document_type: "policy_paper",
            public_timestamp: "2025-01-01T09:00:00.000+00:00",
            item: json!({"base_path": "/government/publications/roads", "title": "Roads", "document_type": "policy_paper",
                          "details": {"body": "<p>Roads.</p>"}, "links": {"organisations": organisation("Department for Transport", "department-for-transport")}}),
        },
        // A document type the source does not ask for.
        GovukItem {
            organisation: DHSC_SLUG,
            document_type: "news_story",
            public_timestamp: "2025-04-01T09:00:00.000+00:00",
            item: json!({"base_path": "/government/news/a-story", "title": "A story", "document_type": "news_story",
                          "details": {"body": "<p>Story.</p>"}, "links": {"organisations": dhsc}}),
        },
    ]
}

/// Reached only as a child of the policy paper.
fn html_publication() -> Value {
    json!({
        "base_path": "/government/publications/digital-health-plan/a-plan-for-digital-health",
        "title": "A plan for digital health",
        "document_type": "html_publication",
        "schema_name": "html_publication",
        "first_published_at": "2025-01-10T09:30:00.000+00:00",
        "public_updated_at": "2025-01-10T09:30:00.000+00:00",
        "details": {"body": "<h2>1. The front door</h2><p>1.1 We will make the NHS App the front door to the NHS by March 2026.</p>"},
        "links": {"organisations": organisation(DHSC, DHSC_SLUG), "parent": [{"base_path": "/government/publications/digital-health-plan"}]}
    })
}

const SEARCH_PARAMETERS: &[&str] = &[
    "q",
    "count",
    "start",
    "order",
    "fields",
    "filter_organisations",
    "filter_content_store_document_type",
    "filter_public_timestamp",
];

fn govuk(request: &Request) -> Reply {
    match request.path.as_str() {
        "/robots.txt" => Reply::new(200).body(
            "User-agent: *\nDisallow: /*/print$\nDisallow: /api/content/government/private\n",
        ),
        "/api/search.json" => {
            if let Some((name, _)) = request
                .query
                .iter()
                .find(|(name, _)| !SEARCH_PARAMETERS.contains(&name.as_str()))
            {
                return Reply::new(422)
                    .header("Content-Type", "application/json")
                    .body(
                        json!({"error": format!("\"{name}\" is not a valid parameter")})
                            .to_string(),
                    );
            }
            let organisations = request.all("filter_organisations");
            let types = request.all("filter_content_store_document_type");
            let from = request
                .one("filter_public_timestamp")
                .and_then(|value| value.strip_prefix("from:"))
                .unwrap_or("0000");
            let mut found: Vec<GovukItem> = govuk_items()
                .into_iter()
                .filter(|item| {
                    organisations.is_empty() || organisations.contains(&item.organisation)
                })
                .filter(|item| types.is_empty() || types.contains(&item.document_type))
                .filter(|item| &item.public_timestamp[..10] >= from)
                .collect();
            found.sort_by_key(|item| item.public_timestamp);
            if request.one("order") == Some("-public_timestamp") {
                found.reverse();
            }
            let start: usize = request
                .one("start")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let count: usize = request
                .one("count")
                .and_then(|s| s.parse().ok())
                .unwrap_or(20);
            // fewer than asked for: the crawler must page by what came
            let results: Vec<Value> = found
                .iter()
                .skip(start)
                .take(count.min(2))
                .map(|item| {
                    json!({
                        "link": item.item["base_path"],
                        "title": item.item["title"],
                        "public_timestamp": item.public_timestamp,
                        "content_store_document_type": item.document_type,
                        "organisations": [{"slug": item.organisation}],
                        "format": item.document_type,
                    })
                })
                .collect();
            json_reply(
                &json!({"results": results, "total": found.len(), "start": start, "aggregates": {}, "suggested_queries": []}),
            )
        }
        path => match path.strip_prefix("/api/content") {
            Some(base_path) => {
                if base_path == html_publication()["base_path"] {
                    return json_reply(&html_publication());
                }
                govuk_items()
                    .into_iter()
                    .find(|item| item.item["base_path"] == base_path)
                    .map_or_else(not_found, |item| json_reply(&item.item))
            }
            None => not_found(),
        },
    }
}

fn assets(request: &Request) -> Reply {
    match request.path.as_str() {
        "/robots.txt" => Reply::new(200).body("User-agent: *\nDisallow: /media/private/\n"),
        "/media/abc123/digital-health-plan.pdf" | "/media/ws/nhs-app-figures.pdf" => {
            Reply::new(200)
                .header("Content-Type", "application/pdf")
                .body(pdf())
        }
        _ => not_found(),
    }
}

struct Publication {
    id: u64,
    committee: (u64, &'static str),
    kind: (u64, &'static str),
    date: &'static str,
    description: &'static str,
    /// (document id, [(file name, format)])
    documents: Vec<(u64, Vec<(&'static str, &'static str)>)>,
    extra: Value,
}

const HSC: (u64, &str) = (81, "Health and Social Care Committee");
const REPORT: (u64, &str) = (1, "Report");
const RESPONSE: (u64, &str) = (12, "Government Response");
const SPECIAL: (u64, &str) = (2, "Special Report");
const CORRESPONDENCE: (u64, &str) = (3, "Correspondence");

fn publications() -> Vec<Publication> {
    vec![
        Publication {
            id: 5001,
            committee: HSC,
            kind: REPORT,
            date: "2025-03-12T00:00:00",
            description: "Digital transformation in the NHS",
            documents: vec![(9001, vec![("digital.pdf", "Pdf"), ("digital.html", "Html")])],
            extra: json!({"hcNumber": {"number": "318", "sessionDescription": "2024-25"}}),
        },
        Publication {
            id: 5007,
            committee: HSC,
            kind: REPORT,
            date: "2025-03-20T00:00:00",
            description: "Community pharmacy",
            documents: vec![(9007, vec![("pharmacy.html", "Html")])],
            extra: json!({"hcNumber": {"number": "402", "sessionDescription": "2024-25"}}),
        },
        Publication {
            id: 5002,
            committee: HSC,
            kind: RESPONSE,
            date: "2025-06-02T00:00:00",
            description: "Digital transformation in the NHS: Government Response to the Committee's First Report",
            documents: vec![(9002, vec![("response.pdf", "Pdf")])],
            extra: json!({"respondingDepartment": DHSC, "responseToPublicationId": 5001}),
        },
        // Only a Word original: nothing the crawler can read, so nothing asked for.
        Publication {
            id: 5006,
            committee: HSC,
            kind: SPECIAL,
            date: "2025-09-09T00:00:00",
            description: "Special report",
            documents: vec![(9006, vec![("special.docx", "OriginalFormat")])],
            extra: json!({}),
        },
        // Before `since`.
        Publication {
            id: 5003,
            committee: HSC,
            kind: REPORT,
            date: "2023-01-10T00:00:00",
            description: "An old report",
            documents: vec![(9003, vec![("old.html", "Html")])],
            extra: json!({}),
        },
        // A type the source does not ask for.
        Publication {
            id: 5004,
            committee: HSC,
            kind: CORRESPONDENCE,
            date: "2025-04-01T00:00:00",
            description: "Letter",
            documents: vec![(9004, vec![("letter.html", "Html")])],
            extra: json!({}),
        },
        // Another committee.
        Publication {
            id: 5005,
            committee: (83, "Home Affairs Committee"),
            kind: REPORT,
            date: "2025-05-01T00:00:00",
            description: "Policing",
            documents: vec![(9005, vec![("policing.html", "Html")])],
            extra: json!({}),
        },
    ]
}

fn publication_json(publication: &Publication) -> Value {
    let mut value = json!({
        "id": publication.id,
        "description": publication.description,
        "publicationStartDate": publication.date,
        "publicationEndDate": null,
        "type": {"id": publication.kind.0, "name": publication.kind.1, "description": ""},
        "committee": {"id": publication.committee.0, "name": publication.committee.1, "house": "Commons",
                      "category": {"id": 1, "name": "Select"}},
        "businesses": [],
        "documents": publication.documents.iter().map(|(id, files)| json!({
            "documentId": id,
            "files": files.iter().map(|(name, format)| json!({"fileName": name, "fileSize": 1000, "fileDataFormat": format})).collect::<Vec<_>>()
        })).collect::<Vec<_>>(),
        "hcNumber": null,
        "hlPaper": null,
        "additionalContentUrl": null,
        "governmentResponses": null,
    });
    if let (Some(object), Some(extra)) = (value.as_object_mut(), publication.extra.as_object()) {
        for (key, extra) in extra {
            object.insert(key.clone(), extra.clone());
        }
    }
    value
}

fn committee_html(title: &str) -> String {
    format!(
        "<html><head><title>{title}</title></head><body><h1>{title}</h1>\
         <h2>Conclusions and recommendations</h2>\
         <p>1. The Government has not met its target that 75% of adults would be registered with the NHS App by March 2024.</p>\
         <p>2. We recommend that the Department publishes a plan.</p></body></html>"
    )
}

fn committees(request: &Request) -> Reply {
    let path = request.path.as_str();
    if path == "/robots.txt" {
        return Reply::new(200).body("User-agent: *\nDisallow: /api/Internal\n");
    }
    if path == "/api/PublicationType" {
        return json_reply(&json!([
            {"id": 1, "name": "Report", "pluralVersion": "Reports", "description": "", "governmentCanRespond": true, "canBeResponse": false, "iconKey": "report"},
            {"id": 2, "name": "Special Report", "pluralVersion": "Special Reports", "description": "", "governmentCanRespond": true, "canBeResponse": true, "iconKey": "report"},
            {"id": 3, "name": "Correspondence", "pluralVersion": "Correspondence", "description": "", "governmentCanRespond": false, "canBeResponse": false, "iconKey": "letter"},
            {"id": 12, "name": "Government Response", "pluralVersion": "Government Responses", "description": "", "governmentCanRespond": false, "canBeResponse": true, "iconKey": "response"}
        ]));
    }
    if path == "/api/Publications" {
        let take: usize = request
            .one("Take")
            .and_then(|s| s.parse().ok())
            .unwrap_or(30);
        let skip: usize = request
            .one("Skip")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if take > 100 {
            return Reply::new(400).body("Take must be at most 100");
        }
        if skip > 100 {
            return Reply::new(500).body("An error has occurred.");
        }
        let committee: Option<u64> = request.one("CommitteeId").and_then(|s| s.parse().ok());
        let types: Vec<u64> = request
            .all("PublicationTypeIds")
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        let start = request.one("StartDate").unwrap_or("0000-00-00");
        let end = request.one("EndDate").unwrap_or("9999-99-99");
        let mut found: Vec<Publication> = publications()
            .into_iter()
            .filter(|p| committee.is_none_or(|id| p.committee.0 == id))
            .filter(|p| types.is_empty() || types.contains(&p.kind.0))
            .filter(|p| &p.date[..10] >= start && &p.date[..10] <= end)
            .collect();
        found.sort_by_key(|p| std::cmp::Reverse(p.date));
        let items: Vec<Value> = found
            .iter()
            .skip(skip)
            .take(take.min(1))
            .map(publication_json)
            .collect();
        return json_reply(
            &json!({"items": items, "totalResults": found.len(), "itemsPerPage": take}),
        );
    }
    // /api/Publications/{id}/Document/{documentId}/{format}
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    if let ["api", "Publications", id, "Document", document, format] = parts.as_slice() {
        let publication = publications().into_iter().find(|p| p.id.to_string() == *id);
        let file = publication.as_ref().and_then(|p| {
            p.documents
                .iter()
                .find(|(d, _)| d.to_string() == *document)
                .and_then(|(_, files)| files.iter().find(|(_, f)| f == format))
                .map(|(name, _)| (p.description, *name))
        });
        return match file {
            // the real API answers an unlisted conversion with a 500
            None if publication.is_some() => Reply::new(500).body("An error has occurred."),
            None => not_found(),
            Some((title, name)) => {
                let bytes = if *format == "Html" {
                    committee_html(title).into_bytes()
                } else {
                    pdf()
                };
                json_reply(&json!({
                    "fileName": name,
                    "fileSize": bytes.len(),
                    "data": base64::engine::general_purpose::STANDARD.encode(&bytes)
                }))
            }
        };
    }
    not_found()
}

struct Statement {
    id: u64,
    uin: &'static str,
    date: &'static str,
    body: (u64, &'static str),
    title: &'static str,
    house: &'static str,
    attachments: Value,
}

fn statements() -> Vec<Statement> {
    let dhsc = (17, DHSC);
    vec![
        Statement {
            id: 1801,
            uin: "HCWS101",
            date: "2025-01-20T00:00:00",
            body: dhsc,
            title: "NHS App: update",
            house: "Commons",
            attachments: json!([{"url": "https://assets.publishing.service.gov.uk/media/ws/nhs-app-figures.pdf", "title": "NHS App figures", "fileType": "pdf", "fileSizeBytes": 1000}]),
        },
        Statement {
            id: 1802,
            uin: "HCWS202",
            date: "2025-05-05T00:00:00",
            body: dhsc,
            title: "Elective recovery",
            house: "Commons",
            attachments: json!([]),
        },
        Statement {
            id: 1803,
            uin: "HLWS33",
            date: "2025-07-07T00:00:00",
            body: dhsc,
            title: "Adult social care",
            house: "Lords",
            attachments: json!([]),
        },
        Statement {
            id: 1700,
            uin: "HCWS9",
            date: "2024-01-10T00:00:00",
            body: dhsc,
            title: "Before since",
            house: "Commons",
            attachments: json!([]),
        },
        Statement {
            id: 1804,
            uin: "HCWS303",
            date: "2025-02-02T00:00:00",
            body: (60, "Department for Education"),
            title: "Schools",
            house: "Commons",
            attachments: json!([]),
        },
    ]
}

fn statement_text(statement: &Statement) -> String {
    format!(
        "<p>{}: the NHS App now has 34 million registered users, 75% of adults in England.</p>\
         <p>We will publish quarterly figures on the use of the NHS App from April 2025 onwards.</p>",
        statement.title
    )
}

fn statement_json(statement: &Statement, full: bool) -> Value {
    let text = statement_text(statement);
    let text = if full {
        text
    } else {
        text.chars().take(60).collect()
    };
    json!({
        "value": {
            "id": statement.id, "memberId": 4000, "memberRole": "Secretary of State for Health and Social Care",
            "member": {"id": 4000, "listAs": "Streeting, Wes", "name": "Wes Streeting", "party": "Labour"},
            "uin": statement.uin, "dateMade": statement.date, "answeringBodyId": statement.body.0,
            "answeringBodyName": statement.body.1, "title": statement.title, "text": text,
            "house": statement.house, "noticeNumber": 1, "hasAttachments": statement.attachments.as_array().is_some_and(|a| !a.is_empty()),
            "hasLinkedStatements": false, "linkedStatements": [], "attachments": statement.attachments
        },
        "links": [{"rel": "self", "href": format!("/writtenstatements/statements/{}", statement.id), "method": "GET"}]
    })
}

fn written_statements(request: &Request) -> Reply {
    let path = request.path.as_str();
    if path == "/robots.txt" {
        return Reply::new(404);
    }
    if path == "/api/writtenstatements/statements" {
        let bodies: Vec<u64> = request
            .all("answeringBodies")
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        let from = request.one("madeWhenFrom").unwrap_or("0000");
        let to = request.one("madeWhenTo").unwrap_or("9999");
        let skip: usize = request
            .one("skip")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let take: usize = request
            .one("take")
            .and_then(|s| s.parse().ok())
            .unwrap_or(20);
        let found: Vec<Statement> = statements()
            .into_iter()
            .filter(|s| bodies.is_empty() || bodies.contains(&s.body.0))
            .filter(|s| &s.date[..10] >= from && &s.date[..10] <= to)
            .collect();
        let results: Vec<Value> = found
            .iter()
            .skip(skip)
            .take(take.min(2))
            .map(|s| statement_json(s, false))
            .collect();
        return json_reply(&json!({"totalResults": found.len(), "results": results}));
    }
    if let Some(id) = path.strip_prefix("/api/writtenstatements/statements/") {
        return statements()
            .iter()
            .find(|s| s.id.to_string() == id)
            .map_or_else(not_found, |s| json_reply(&statement_json(s, true)));
    }
    not_found()
}

struct Contribution {
    id: &'static str,
    section: (&'static str, &'static str),
    date: &'static str,
    house: &'static str,
    member: &'static str,
    attributed: &'static str,
    text: &'static str,
}

fn contributions() -> Vec<Contribution> {
    vec![
        Contribution {
            id: "C-1",
            section: ("D-1", "NHS Waiting Lists"),
            date: "2025-01-14T00:00:00",
            house: "Commons",
            member: "Wes Streeting",
            attributed: "The Secretary of State for Health and Social Care (Wes Streeting)",
            text: "<p>We will cut NHS waiting lists so that 92% of patients wait less than 18 weeks by the end of this Parliament.</p>",
        },
        Contribution {
            id: "C-2",
            section: ("D-1", "NHS Waiting Lists"),
            date: "2025-01-14T00:00:00",
            house: "Commons",
            member: "Jane Doe",
            attributed: "Jane Doe (Anytown) (Lab)",
            text: "<p>Will the Secretary of State say when the NHS will meet the 18-week standard?</p>",
        },
        Contribution {
            id: "C-3",
            section: ("D-3", "Dentistry"),
            date: "2025-06-10T00:00:00",
            house: "Lords",
            member: "Baroness Merron",
            attributed: "The Parliamentary Under-Secretary of State for Health and Social Care (Baroness Merron)",
            text: "<p>The NHS dental recovery plan has not delivered the appointments promised.</p>",
        },
        Contribution {
            id: "C-4",
            section: ("D-4", "Old debate"),
            date: "2024-03-01T00:00:00",
            house: "Commons",
            member: "Someone",
            attributed: "Someone",
            text: "<p>The NHS long ago.</p>",
        },
        Contribution {
            id: "C-5",
            section: ("D-5", "Roads"),
            date: "2025-02-02T00:00:00",
            house: "Commons",
            member: "Someone",
            attributed: "Someone",
            text: "<p>Potholes.</p>",
        },
    ]
}

fn contribution_json(contribution: &Contribution) -> Value {
    json!({
        "MemberName": contribution.member, "MemberId": 1, "AttributedTo": contribution.attributed,
        "ItemId": 1, "ContributionExtId": contribution.id,
        "ContributionText": contribution.text.replace("<p>", "").replace("</p>", ""),
        "ContributionTextFull": contribution.text, "HRSTag": "hs_Para", "HansardSection": "Oral Answers to Questions",
        "DebateSection": contribution.section.1, "DebateSectionId": 1, "DebateSectionExtId": contribution.section.0,
        "SittingDate": contribution.date, "Section": "Debate", "House": contribution.house,
        "OrderInDebateSection": 1, "DebateSectionOrder": 1, "Rank": 1, "Timecode": null
    })
}

fn hansard(request: &Request) -> Reply {
    match request.path.as_str() {
        "/robots.txt" => {
            Reply::new(200).body("User-agent: *\nDisallow: /search/contributions/Written\n")
        }
        "/search/contributions/Spoken.json" => {
            let from = request.one("startDate").unwrap_or("0000");
            let to = request.one("endDate").unwrap_or("9999");
            let term = request.one("searchTerm").unwrap_or("").to_lowercase();
            let skip: usize = request
                .one("skip")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let take: usize = request
                .one("take")
                .and_then(|s| s.parse().ok())
                .unwrap_or(20);
            let found: Vec<Contribution> = contributions()
                .into_iter()
                .filter(|c| &c.date[..10] >= from && &c.date[..10] <= to)
                .filter(|c| c.text.to_lowercase().contains(&term))
                .collect();
            let results: Vec<Value> = found
                .iter()
                .skip(skip)
                .take(take.min(2))
                .map(contribution_json)
                .collect();
            json_reply(&json!({"Results": results, "TotalResultCount": found.len()}))
        }
        _ => not_found(),
    }
}

fn stand_ins() -> ApiServer {
    ApiServer::start(Arc::new(|request: &Request| match request.host.as_str() {
        "www.gov.uk" => govuk(request),
        "assets.publishing.service.gov.uk" => assets(request),
        "committees-api.parliament.uk" => committees(request),
        "questions-statements-api.parliament.uk" => written_statements(request),
        "hansard-api.parliament.uk" => hansard(request),
        _ => not_found(),
    }))
}

fn write_sources(path: &Path, port: u16) {
    let resolve: String = HOSTS
        .iter()
        .map(|host| format!("\"{host}\" = \"127.0.0.1:{port}\"\n"))
        .collect();
    std::fs::write(
        path,
        format!(
            r#"[crawl]
user_agent = "pledgewatch-test/0.1 (+https://pledgewatch.example/about)"
requests_per_second = 1000

[crawl.resolve]
{resolve}
[[source]]
name = "dhsc-govuk"
kind = "govuk"
base = "https://www.gov.uk"
organisations = ["{DHSC_SLUG}"]
document_types = ["policy_paper", "speech", "press_release"]
since = {SINCE}

[[source]]
name = "hsc-committee"
kind = "committees"
base = "https://committees-api.parliament.uk"
committee_ids = [81]
publication_types = ["Report", "Government Response", "Special Report"]
since = {SINCE}
requests_per_second = 1000

[[source]]
name = "dhsc-statements"
kind = "written-statements"
base = "https://questions-statements-api.parliament.uk"
answering_bodies = [17]
since = "{SINCE}"

[[source]]
name = "hansard-nhs"
kind = "hansard"
base = "https://hansard-api.parliament.uk"
search = "NHS"
since = {SINCE}
"#
        ),
    )
    .unwrap();
}

fn crawl(sources: &Path, corpus: &Path) -> CrawlSummary {
    crawl::run(&CrawlOptions {
        sources: sources.to_path_buf(),
        corpus: corpus.to_path_buf(),
        max_pages: None,
        dry_run: false,
        progress_bar: false,
    })
    .expect("crawl")
}

/// What a document indexed from the stand-ins must say: title, publisher,
/// kind, date.
struct Expected {
    url: String,
    /// The URL of the record holding it: the API address where the API
    /// serves the document itself.
    capture: String,
    title: String,
    publisher: String,
    kind: String,
    published: String,
}

fn expected_documents() -> Vec<Expected> {
    let mut expected = Vec::new();
    let mut add = |url: String, title: &str, publisher: &str, kind: &str, published: &str| {
        let capture = match url.strip_prefix("https://www.gov.uk") {
            Some(path) => format!("https://www.gov.uk/api/content{path}"),
            None => url.clone(),
        };
        expected.push(Expected {
            capture,
            url,
            title: title.into(),
            publisher: publisher.into(),
            kind: kind.into(),
            published: published[..10].into(),
        });
    };
    let listed = govuk_items();
    for item in listed.iter().take(3) {
        add(
            format!(
                "https://www.gov.uk{}",
                item.item["base_path"].as_str().unwrap()
            ),
            item.item["title"].as_str().unwrap(),
            DHSC,
            item.document_type,
            item.item["first_published_at"].as_str().unwrap(),
        );
    }
    let child = html_publication();
    add(
        format!("https://www.gov.uk{}", child["base_path"].as_str().unwrap()),
        child["title"].as_str().unwrap(),
        DHSC,
        "html_publication",
        child["first_published_at"].as_str().unwrap(),
    );
    add(
        "https://assets.publishing.service.gov.uk/media/abc123/digital-health-plan.pdf".into(),
        "A plan for digital health and social care (PDF)",
        DHSC,
        "policy_paper",
        "2025-01-10",
    );
    for publication in publications().iter().take(3) {
        let (id, _) = &publication.documents[0];
        let response = publication.kind == RESPONSE;
        add(
            format!(
                "https://committees.parliament.uk/publications/{}/documents/{id}/default/",
                publication.id
            ),
            publication.description,
            if response { DHSC } else { HSC.1 },
            if response {
                "government_response"
            } else {
                "committee_report"
            },
            publication.date,
        );
    }
    for statement in statements().iter().take(3) {
        add(
            format!(
                "https://questions-statements.parliament.uk/written-statements/detail/{}/{}",
                &statement.date[..10],
                statement.uin
            ),
            statement.title,
            DHSC,
            "written_statement",
            statement.date,
        );
    }
    add(
        "https://assets.publishing.service.gov.uk/media/ws/nhs-app-figures.pdf".into(),
        "NHS App figures",
        DHSC,
        "written_statement",
        "2025-01-20",
    );
    for contribution in contributions().iter().take(3) {
        add(
            format!(
                "https://hansard.parliament.uk/{}/{}/debates/{}/link#contribution-{}",
                contribution.house,
                &contribution.date[..10],
                contribution.section.0,
                contribution.id
            ),
            contribution.section.1,
            &format!("House of {}", contribution.house),
            "hansard_contribution",
            contribution.date,
        );
    }
    for statement in statements() {
        let page = format!("/detail/{}/{}", &statement.date[..10], statement.uin);
        for document in expected.iter_mut().filter(|d| d.url.ends_with(&page)) {
            document.capture = format!(
                "https://questions-statements-api.parliament.uk/api/writtenstatements/statements/{}?expandMember=true",
                statement.id
            );
        }
    }
    expected
}

/// Request targets that must never be made: outside `since` or the
/// filters, unlisted formats, and paths robots.txt disallows.
fn forbidden(host: &str, target: &str) -> bool {
    let path = target.split('?').next().unwrap_or(target);
    match host {
        "www.gov.uk" => {
            path.starts_with("/api/content/government/private")
                || path.ends_with("/print")
                || [
                    "/government/news/old-news",
                    "/government/publications/roads",
                    "/government/news/a-story",
                ]
                .iter()
                .any(|excluded| path.ends_with(excluded))
        }
        "assets.publishing.service.gov.uk" => path.starts_with("/media/private/"),
        "committees-api.parliament.uk" => {
            path.starts_with("/api/Internal")
                || ["/5003/", "/5004/", "/5005/", "/5006/"]
                    .iter()
                    .any(|excluded| path.contains(excluded))
                || path.ends_with("/9001/Pdf")
        }
        "questions-statements-api.parliament.uk" => {
            path.ends_with("/1700") || path.ends_with("/1804")
        }
        "hansard-api.parliament.uk" => path.starts_with("/search/contributions/Written"),
        _ => true,
    }
}

fn requests_per_host(requests: &[(String, String)]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (host, _) in requests {
        *counts.entry(host.clone()).or_insert(0) += 1;
    }
    counts
}

#[test]
fn api_sources_capture_every_document_once_within_their_filters() {
    let server = stand_ins();
    let work = tempfile::tempdir().unwrap();
    let sources = work.path().join("sources.toml");
    write_sources(&sources, server.port);
    let corpus: PathBuf = work.path().join("corpus");

    let first = crawl(&sources, &corpus);
    let requests = server.requests();
    for (host, target) in &requests {
        assert!(!forbidden(host, target), "requested {host}{target}");
        assert!(HOSTS.contains(&host.as_str()), "unexpected host {host}");
    }
    assert_eq!(first.errors, 0, "{first:?}");
    // Every API host's robots.txt was read before anything else from it.
    for host in HOSTS {
        let first_request = requests.iter().find(|(h, _)| h == host);
        assert_eq!(
            first_request.map(|(_, target)| target.as_str()),
            Some("/robots.txt"),
            "{host}"
        );
    }
    // Paging followed what the stand-ins sent (two results a page, one for
    // committees), through every page.
    let searches = requests
        .iter()
        .filter(|(_, target)| target.starts_with("/api/search.json"))
        .count();
    assert_eq!(searches, 2, "GOV.UK search pages");

    // Every reachable document captured exactly once.
    let mut captured: HashMap<String, usize> = HashMap::new();
    for file in crate::crawl::warc_files(&corpus) {
        crate::crawl::warcio_accepts(&file);
        let (heads, problems) = warc::scan(&file).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        for head in heads {
            if head.kind == "response" || head.kind == "resource" {
                *captured.entry(head.target_uri.unwrap()).or_insert(0) += 1;
            }
        }
    }
    let expected = expected_documents();
    for document in &expected {
        assert_eq!(
            captured.get(&document.capture),
            Some(&1),
            "{} captured once; captured: {captured:#?}",
            document.capture
        );
    }

    // Indexing gives exactly the stand-ins' metadata, for every document.
    let index_dir = work.path().join("index");
    let report = pledgewatch::index::build(&corpus, &index_dir, None, false).unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let store = pledgewatch::index::Store::open(&index_dir).unwrap();
    for document in &expected {
        let id = if document.url.contains("#contribution-") {
            let (page, contribution) = document.url.split_once("#contribution-").unwrap();
            document_id(&format!("{page}?contribution={contribution}"))
        } else {
            document_id(&document.url)
        };
        let indexed = store
            .document(&id)
            .unwrap()
            .unwrap_or_else(|| panic!("{} not indexed", document.url));
        assert_eq!(indexed.url, document.url);
        assert_eq!(indexed.title, document.title, "{}", document.url);
        assert_eq!(indexed.publisher, document.publisher, "{}", document.url);
        assert_eq!(indexed.kind, document.kind, "{}", document.url);
        assert_eq!(
            indexed.published.as_deref(),
            Some(document.published.as_str()),
            "{}",
            document.url
        );
    }
    assert_eq!(store.documents, expected.len(), "nothing else indexed");
    let withdrawn = store
        .document(&document_id(
            "https://www.gov.uk/government/publications/waiting-times-guidance-2025",
        ))
        .unwrap()
        .unwrap();
    assert!(
        withdrawn
            .withdrawn
            .unwrap()
            .contains("Replaced by the elective reform plan")
    );
    let report = store
        .document(&document_id(
            "https://committees.parliament.uk/publications/5001/documents/9001/default/",
        ))
        .unwrap()
        .unwrap();
    assert_eq!(report.paper_number.as_deref(), Some("HC 318"));
    let minister = store
        .commitments
        .iter()
        .any(|commitment| commitment.text.contains("92% of patients"));
    assert!(minister, "a minister's promise in Hansard is a commitment");
    let backbencher = store
        .commitments
        .iter()
        .any(|commitment| commitment.text.contains("18-week standard"));
    assert!(!backbencher);

    // A recrawl of unchanged stand-ins asks for almost nothing.
    let before = server.requests().len();
    let second = crawl(&sources, &corpus);
    let recrawl = server.requests()[before..].to_vec();
    let counts = requests_per_host(&recrawl);
    eprintln!("recrawl requests per host: {counts:?} ({second:?})");
    for (host, count) in &counts {
        assert!(
            *count <= 4,
            "{host}: {count} requests on a recrawl: {recrawl:#?}"
        );
    }
    assert_eq!(second.fetched, 0, "{second:?}");
    assert_eq!(second.errors, 0, "{second:?}");
    assert_eq!(second.requests, recrawl.len());

    // With another `since` the walk starts over, but items the state holds
    // with the same API date are not fetched again: only listings are.
    let text = std::fs::read_to_string(&sources).unwrap();
    std::fs::write(&sources, text.replace(SINCE, "2024-07-01")).unwrap();
    let before = server.requests().len();
    let third = crawl(&sources, &corpus);
    let rewalk = server.requests()[before..].to_vec();
    assert_eq!(third.fetched, 0, "{third:?}");
    assert!(third.up_to_date >= 9, "{third:?}");
    for (host, target) in &rewalk {
        let listing = target == "/robots.txt"
            || target.starts_with("/api/search.json")
            || target.starts_with("/api/PublicationType")
            || target.starts_with("/api/Publications?")
            || target.starts_with("/api/writtenstatements/statements?")
            || target.starts_with("/search/contributions/Spoken.json");
        assert!(listing, "fetched again: {host}{target}");
    }
}

#[test]
fn an_api_answering_422_leaves_the_source_for_the_next_crawl() {
    let server = ApiServer::start(Arc::new(|request: &Request| match request.path.as_str() {
        "/robots.txt" => Reply::new(404),
        _ => Reply::new(422)
            .header("Content-Type", "application/json")
            .body(r#"{"error":"\"filter_bogus\" is not a valid parameter"}"#),
    }));
    let work = tempfile::tempdir().unwrap();
    let sources = work.path().join("sources.toml");
    std::fs::write(
        &sources,
        format!(
            "[crawl]\nuser_agent = \"t (+https://pledgewatch.example/)\"\n[crawl.resolve]\n\"www.gov.uk\" = \"127.0.0.1:{}\"\n[[source]]\nname = \"g\"\nkind = \"govuk\"\nsince = 2025-01-01\n",
            server.port
        ),
    )
    .unwrap();
    let corpus = work.path().join("corpus");
    let summary = crawl(&sources, &corpus);
    assert_eq!(summary.errors, 1, "{summary:?}");
    let state =
        pledgewatch::crawl::state::read_all(&pledgewatch::crawl::state::state_path(&corpus))
            .unwrap();
    assert!(
        !state.contains_key("source:g"),
        "a failed walk is not marked complete"
    );
}
