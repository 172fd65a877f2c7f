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
    Err(ExtractError::Json(
        "expected a GOV.UK content item or a written statement".into(),
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
