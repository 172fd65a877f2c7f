//! Extraction snapshots: every file in `tests/fixtures/extract/` goes
//! through `extract::extract` and its document (or error) is compared with
//! the reviewed snapshot in `snapshots/`.
//!
//! Review a change with `cargo insta review` (or `INSTA_UPDATE=always`
//! and read the diff); CI runs with `CI=true`, where a missing or changed
//! snapshot fails.

use std::path::{Path, PathBuf};

use pledgewatch::extract::{self, Capture, ExtractError};
use pledgewatch::model::Document;

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extract")
}

/// The fixture files, in name order.
pub fn fixture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("read the fixtures folder")
        .map(|entry| entry.expect("read a fixture entry").path())
        .filter(|path| {
            matches!(
                path.extension().and_then(|ext| ext.to_str()),
                Some("html" | "json" | "pdf")
            )
        })
        .collect();
    files.sort();
    files
}

/// A capture of a fixture as a crawl would record it: the content type
/// follows the extension and never names a charset, so that pages have to
/// declare (or fail to declare) their own.
pub fn capture_of(name: &str, body: Vec<u8>) -> Capture {
    let content_type = match Path::new(name).extension().and_then(|ext| ext.to_str()) {
        Some("pdf") => "application/pdf",
        Some("json") => "application/json",
        _ => "text/html",
    };
    Capture {
        url: format!("https://pledgewatch.example/fixtures/{name}"),
        content_type: Some(content_type.to_string()),
        body,
        captured: "2025-01-31".to_string(),
        location: format!("tests/fixtures/extract/{name}"),
        illustrative: false,
        metadata: None,
    }
}

fn outcome(result: Result<Document, ExtractError>) -> serde_json::Value {
    match result {
        Ok(document) => serde_json::to_value(document).expect("a document serialises"),
        Err(error) => serde_json::json!({ "error": error.to_string() }),
    }
}

#[test]
fn snapshots_of_every_fixture() {
    assert!(
        fixture_files().len() >= 30,
        "expected at least 30 extraction fixtures"
    );
    insta::glob!("../fixtures/extract", "*.{html,json,pdf}", |path| {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let body = std::fs::read(path).expect("read the fixture");
        let result = extract::extract(&capture_of(&name, body));
        insta::assert_json_snapshot!(outcome(result));
    });
}

fn all_text(document: &Document) -> String {
    let mut text = document.title.clone();
    for paragraph in &document.paragraphs {
        text.push('\n');
        text.push_str(&paragraph.text);
        for heading in &paragraph.headings {
            text.push('\n');
            text.push_str(heading);
        }
    }
    text
}

fn extract_fixture(name: &str) -> Result<Document, ExtractError> {
    let body = std::fs::read(fixtures_dir().join(name)).expect("read the fixture");
    extract::extract(&capture_of(name, body))
}

#[test]
fn a_pdf_without_a_text_layer_says_so() {
    let error = extract_fixture("pdf-no-text-layer.pdf").expect_err("no text to extract");
    assert!(
        error.to_string().contains("no text layer"),
        "unexpected message: {error}"
    );
}

#[test]
fn broken_pdfs_are_errors_not_panics() {
    for name in ["pdf-truncated.pdf", "pdf-garbage.pdf"] {
        let error = extract_fixture(name).expect_err("a broken pdf is an error");
        assert!(error.to_string().starts_with("pdf: "), "{name}: {error}");
    }
}

#[test]
fn hostile_markup_leaves_no_script_in_the_text() {
    let document = extract_fixture("hostile-script-attrs.html").expect("the page has text");
    let text = all_text(&document).to_lowercase();
    for forbidden in [
        "alert",
        "onclick",
        "onload",
        "onerror",
        "javascript",
        "steal",
        "evil",
        "iframe text",
        "inline script",
    ] {
        assert!(
            !text.contains(forbidden),
            "{forbidden:?} leaked into {text}"
        );
    }
    assert!(
        text.contains("visible text with a harmless-looking link"),
        "{text}"
    );
    assert!(
        document
            .attachments
            .iter()
            .all(|link| link.starts_with("https://")),
        "{:?}",
        document.attachments
    );
}

#[test]
fn script_and_style_only_page_has_no_text() {
    let error = extract_fixture("script-style-only.html").expect_err("nothing to read");
    assert!(matches!(error, ExtractError::NoText), "{error}");
}

/// A page of about 5 MB, made here so that the repository stays small.
#[test]
fn a_five_megabyte_page_is_extracted_whole() {
    let mut page = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Long report - Example</title></head><body><main><h1>Long report</h1>",
    );
    let mut number = 0;
    while page.len() < 5 * 1024 * 1024 {
        number += 1;
        if number % 100 == 1 {
            page.push_str(&format!("<h2>Chapter {}</h2>", number / 100 + 1));
        }
        page.push_str(&format!(
            "<p id=\"para-{number}\"><span class=\"paragraph-number\">{number}.</span> The Department committed to \
             deliver programme {number} by March 2025 and reported progress against it every quarter, \
             with figures published alongside the annual report and accounts.</p>\n"
        ));
    }
    page.push_str("</main></body></html>");
    let capture = capture_of("five-megabytes.html", page.into_bytes());
    let document = extract::extract(&capture).expect("a long page is a document");
    assert_eq!(document.title, "Long report");
    assert_eq!(document.paragraphs.len(), number);
    let last = document.paragraphs.last().unwrap();
    assert_eq!(last.anchor, format!("para-{number}"));
    assert_eq!(
        last.headings,
        [format!("Chapter {}", (number - 1) / 100 + 1)]
    );
}
