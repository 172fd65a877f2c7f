//! Extraction: every capture becomes a clean document with citable
//! paragraphs. Pure functions: bytes and metadata in, a `Document` out.
//!
//! Dispatch is by content, not by URL: a PDF by its magic bytes, JSON by
//! the shape of the GOV.UK content API or the Parliament written
//! statements API, anything else as HTML.

pub mod govuk;
pub mod html;
pub mod parliament;
pub mod pdf;
pub mod text;

use crate::model::Document;

/// One fetched response, as the corpus holds it.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The URL that was fetched.
    pub url: String,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// The capture date (`YYYY-MM-DD`).
    pub captured: String,
    /// Where the capture is stored, for citing it.
    pub location: String,
    /// True for the bundled demo corpus.
    pub illustrative: bool,
    /// What an API said about the document (a WARC `metadata` record
    /// beside the capture); it takes precedence over what the file says.
    pub metadata: Option<CaptureMeta>,
}

/// What an API says about a document it wraps or links to: a committee
/// publication about its report, a GOV.UK content item about an attachment.
/// Written by the crawler as a WARC `metadata` record (JSON) that refers to
/// the capture, and applied over the extracted document.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CaptureMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organisations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper_number: Option<String>,
    /// The page that lists the document (a publication page, the content
    /// item an attachment belongs to), for the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// The API's own item, as fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<serde_json::Value>,
}

impl CaptureMeta {
    /// Lays what the API says over the extracted document.
    pub fn apply(&self, document: &mut Document) {
        let present = |value: &Option<String>| value.clone().filter(|text| !text.trim().is_empty());
        if let Some(title) = present(&self.title) {
            document.title = title;
        }
        if let Some(publisher) = present(&self.publisher) {
            document.publisher = publisher;
        }
        if !self.organisations.is_empty() {
            document.organisations = self.organisations.clone();
        }
        if let Some(kind) = present(&self.kind) {
            document.kind = kind;
        }
        if let Some(published) = present(&self.published).and_then(|date| text::parse_date(&date)) {
            document.published = Some(published);
        }
        if let Some(session) = present(&self.session) {
            document.session = Some(session);
        }
        if let Some(paper_number) = present(&self.paper_number) {
            document.paper_number = Some(paper_number);
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("empty body")]
    Empty,
    #[error("pdf: {0}")]
    Pdf(String),
    #[error("json is not a known document shape: {0}")]
    Json(String),
    #[error("unsupported content type {0}")]
    Unsupported(String),
    #[error("no text found")]
    NoText,
}

/// Extracts the document a capture holds.
pub fn extract(capture: &Capture) -> Result<Document, ExtractError> {
    let body = capture.body.as_slice();
    let trimmed = trim_start_whitespace(body);
    if trimmed.is_empty() {
        return Err(ExtractError::Empty);
    }
    let content_type = capture
        .content_type
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut document =
        if trimmed.starts_with(b"%PDF") || content_type.starts_with("application/pdf") {
            pdf::extract_pdf(capture)?
        } else if trimmed.starts_with(b"{") || content_type.contains("json") {
            extract_json(capture)?
        } else if content_type.is_empty()
            || content_type.contains("html")
            || content_type.contains("xml")
            || content_type.starts_with("text/")
        {
            html::extract_html(capture)
        } else {
            return Err(ExtractError::Unsupported(content_type));
        };
    document.illustrative |= capture.illustrative;
    if let Some(metadata) = &capture.metadata {
        metadata.apply(&mut document);
    }
    if document.paragraphs.is_empty() && document.title.is_empty() {
        return Err(ExtractError::NoText);
    }
    Ok(document)
}

fn extract_json(capture: &Capture) -> Result<Document, ExtractError> {
    let value: serde_json::Value = serde_json::from_slice(&capture.body)
        .map_err(|error| ExtractError::Json(error.to_string()))?;
    if govuk::is_content_item(&value) {
        return Ok(govuk::extract_content_item(capture, &value));
    }
    if parliament::is_written_statement(&value) {
        return Ok(parliament::extract_written_statement(capture, &value));
    }
    if parliament::is_hansard_contribution(&value) {
        return Ok(parliament::extract_hansard_contribution(capture, &value));
    }
    Err(ExtractError::Json(
        "expected a GOV.UK content item, a written statement or a Hansard contribution".into(),
    ))
}

fn trim_start_whitespace(bytes: &[u8]) -> &[u8] {
    let mut start = 0;
    // a UTF-8 byte order mark counts as white space here
    if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
        start = 3;
    }
    while start < bytes.len() && bytes[start].is_ascii_whitespace() {
        start += 1;
    }
    &bytes[start..]
}

/// Resolves `href` against `base`, keeping only http(s) results.
pub fn absolute_url(base: &str, href: &str) -> Option<String> {
    let base = url::Url::parse(base).ok()?;
    let joined = base.join(href.trim()).ok()?;
    matches!(joined.scheme(), "http" | "https").then(|| joined.to_string())
}

/// The publisher a host stands for when the page names none.
pub fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|parsed| parsed.host_str().map(str::to_string))
        .unwrap_or_default()
}
