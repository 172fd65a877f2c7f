//! PDF documents: text per page, split into paragraphs, with a title and a
//! date where the document gives them.
//!
//! PDF parsers panic and loop on real files, so the parse runs on its own
//! thread behind `catch_unwind`, a size cap and a time limit. A failure is
//! an `ExtractError` that the caller records; it never stops a build.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::Duration;

use super::html::split_paragraph_number;
use super::text::{clean_whitespace, find_date};
use super::{Capture, ExtractError, host_of};
use crate::model::{Document, Paragraph, document_id};

/// Larger files are not parsed.
pub const MAX_PDF_BYTES: usize = 50 * 1024 * 1024;
/// A parse that takes longer is abandoned.
pub const PDF_TIME_LIMIT: Duration = Duration::from_secs(20);

/// The text of each page, contained: never panics, never hangs past the limit.
pub fn pages(bytes: &[u8]) -> Result<Vec<String>, ExtractError> {
    if bytes.len() > MAX_PDF_BYTES {
        return Err(ExtractError::Pdf(format!(
            "file of {} bytes is over the {} byte limit",
            bytes.len(),
            MAX_PDF_BYTES
        )));
    }
    let owned = bytes.to_vec();
    let (sender, receiver) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("pdf-extract".into())
        .spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(|| {
                pdf_extract::extract_text_from_mem_by_pages(&owned)
            }));
            // the receiver may have given up: nothing to do then
            let _ = sender.send(result);
        });
    if let Err(error) = spawned {
        return Err(ExtractError::Pdf(format!(
            "cannot start parser thread: {error}"
        )));
    }
    match receiver.recv_timeout(PDF_TIME_LIMIT) {
        Ok(Ok(Ok(pages))) => Ok(pages),
        Ok(Ok(Err(error))) if is_truncated(bytes) => Err(ExtractError::Pdf(format!(
            "unreadable pdf, truncated (no %%EOF marker at the end): {error}"
        ))),
        Ok(Ok(Err(error))) => Err(ExtractError::Pdf(format!("unreadable pdf: {error}"))),
        Ok(Err(_)) => Err(ExtractError::Pdf(
            "the pdf parser panicked on this file".into(),
        )),
        Err(_) => Err(ExtractError::Pdf(format!(
            "parsing took longer than {} s",
            PDF_TIME_LIMIT.as_secs()
        ))),
    }
}

/// A complete PDF ends with `%%EOF` (give or take trailing bytes); a cut
/// download does not.
fn is_truncated(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    !tail.windows(5).any(|window| window == b"%%EOF")
}

/// Splits page texts into paragraphs: blank lines separate paragraphs,
/// a numbered paragraph ("12 The Department...") starts a new one, and
/// lines repeated on most pages (running headers, footers) are dropped.
pub fn paragraphs_of_pages(pages: &[String]) -> Vec<Paragraph> {
    let repeated = repeated_lines(pages);
    let mut paragraphs = Vec::new();
    let mut unnumbered = 0;
    let mut last_number = 0u32;
    let mut seen = std::collections::HashSet::new();
    for (page_index, page) in pages.iter().enumerate() {
        let mut blocks: Vec<String> = Vec::new();
        let mut current = String::new();
        for line in page.lines() {
            let line = clean_whitespace(line);
            if line.is_empty() || repeated.contains(&line) || is_page_number(&line) {
                if !current.is_empty() {
                    blocks.push(std::mem::take(&mut current));
                }
                continue;
            }
            if starts_numbered(&line, last_number) && !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(&line);
            if let Some(number) = leading_number(&line)
                && starts_numbered(&line, last_number)
            {
                last_number = number;
            }
        }
        if !current.is_empty() {
            blocks.push(current);
        }
        for block in blocks {
            let text = clean_whitespace(&block);
            if !text.chars().any(char::is_alphanumeric) {
                continue;
            }
            let (number, rest) = match leading_number(&text) {
                Some(number) => {
                    let (_, rest) = split_leading_number(&text);
                    (Some(number), rest.to_string())
                }
                None => (None, text.clone()),
            };
            let mut anchor = match number {
                Some(number) => format!("para-{number}"),
                None => {
                    unnumbered += 1;
                    format!("p-{unnumbered}")
                }
            };
            if !seen.insert(anchor.clone()) {
                unnumbered += 1;
                anchor = format!("p-{unnumbered}");
                seen.insert(anchor.clone());
            }
            paragraphs.push(Paragraph {
                anchor,
                headings: vec![format!("Page {}", page_index + 1)],
                text: rest,
            });
        }
    }
    paragraphs
}

fn leading_number(text: &str) -> Option<u32> {
    let (number, rest) = split_leading_number(text);
    let number = number?;
    rest.chars().next().filter(|ch| ch.is_uppercase())?;
    Some(number)
}

fn split_leading_number(text: &str) -> (Option<u32>, &str) {
    if let (Some(number), rest) = split_paragraph_number(text) {
        return (Some(number), rest);
    }
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() > 3 {
        return (None, text);
    }
    let rest = &text[digits.len()..];
    if !rest.starts_with(' ') {
        return (None, text);
    }
    (digits.parse().ok(), rest.trim_start())
}

/// A line starts a numbered paragraph when its number follows the last one.
fn starts_numbered(line: &str, last_number: u32) -> bool {
    leading_number(line).is_some_and(|number| number == last_number + 1 || number == 1)
}

fn is_page_number(line: &str) -> bool {
    line.chars().all(|ch| ch.is_ascii_digit())
        || line.to_lowercase().starts_with("page ") && line.len() < 16
}

fn repeated_lines(pages: &[String]) -> std::collections::HashSet<String> {
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    if pages.len() < 3 {
        return Default::default();
    }
    for page in pages {
        let mut on_page = std::collections::HashSet::new();
        for line in page.lines() {
            let line = clean_whitespace(line);
            if !line.is_empty() && line.len() < 120 {
                on_page.insert(line);
            }
        }
        for line in on_page {
            *counts.entry(line).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter(|(_, count)| *count * 2 > pages.len())
        .map(|(line, _)| line)
        .collect()
}

pub fn extract_pdf(capture: &Capture) -> Result<Document, ExtractError> {
    let pages = pages(&capture.body)?;
    let paragraphs = paragraphs_of_pages(&pages);
    if paragraphs.is_empty() {
        return Err(ExtractError::Pdf(
            "no text layer (a scanned or image-only pdf?)".into(),
        ));
    }
    let first_page: Vec<&Paragraph> = paragraphs
        .iter()
        .filter(|p| p.headings.first().map(String::as_str) == Some("Page 1"))
        .collect();
    let title = first_page
        .iter()
        .map(|paragraph| paragraph.text.as_str())
        .find(|text| {
            text.split_whitespace().count() >= 3 && text.len() < 200 && find_date(text).is_none()
        })
        .unwrap_or("")
        .to_string();
    let published = first_page
        .iter()
        .find_map(|paragraph| find_date(&paragraph.text));
    let url = capture.url.clone();
    Ok(Document {
        id: document_id(&url),
        title,
        description: None,
        publisher: host_of(&url),
        kind: "pdf".into(),
        published,
        updated: None,
        organisations: Vec::new(),
        delivered: None,
        session: None,
        paper_number: None,
        captured: capture.captured.clone(),
        capture: capture.location.clone(),
        speaker: None,
        withdrawn: None,
        government: None,
        illustrative: false,
        attachments: Vec::new(),
        change_history: Vec::new(),
        versions: Vec::new(),
        paragraphs,
        ratings: Vec::new(),
        url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_truncated_files_fail_cleanly() {
        assert!(pages(b"%PDF-1.4\n garbage").is_err());
        assert!(pages(b"").is_err());
    }

    #[test]
    fn numbered_paragraphs_and_running_footers() {
        let pages = vec![
            "Report title here\n\n1 The Department met its target.\nIt did so early.\n2 Costs rose.\nFooter line".to_string(),
            "3 Something else happened.\nFooter line".to_string(),
            "Closing remarks.\nFooter line".to_string(),
        ];
        let paragraphs = paragraphs_of_pages(&pages);
        let anchors: Vec<&str> = paragraphs.iter().map(|p| p.anchor.as_str()).collect();
        assert_eq!(anchors, ["p-1", "para-1", "para-2", "para-3", "p-2"]);
        assert_eq!(
            paragraphs[1].text,
            "The Department met its target. It did so early."
        );
        assert!(paragraphs.iter().all(|p| !p.text.contains("Footer")));
    }
}
