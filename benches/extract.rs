//! Extraction speed on the bundled corpus, next to the bare parsers it
//! builds on, in one run:
//!
//! - HTML: `extract::extract` MB/s over every `corpus/site/**/*.html`
//!   (repeated until each measurement covers enough bytes) next to
//!   scraper's bare `Html::parse_document` on the same bytes;
//! - PDF: documents/s of `extract::extract` over `corpus/site/nao/**/*.pdf`
//!   next to `pdf_extract::extract_text_from_mem` alone and lopdf's own
//!   `Document::extract_text`, with how much of pdf-extract's text lopdf
//!   finds (its words, in order-free comparison).
//!
//! `cargo bench --bench extract` measures; under `cargo test` (no
//! `--bench` argument) every step runs once as a smoke test.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pledgewatch::extract::{self, Capture};

fn files_under(folder: &Path, extension: &str, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, extension, found);
        } else if path.extension().and_then(|ext| ext.to_str()) == Some(extension) {
            found.push(path);
        }
    }
}

fn load(folder: &Path, extension: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut paths = Vec::new();
    files_under(folder, extension, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let body = std::fs::read(&path).expect("read a corpus file");
            (path, body)
        })
        .collect()
}

fn capture(path: &Path, body: &[u8], content_type: &str) -> Capture {
    Capture {
        url: format!("https://pledgewatch.example/{}", path.display()),
        content_type: Some(content_type.to_string()),
        body: body.to_vec(),
        captured: "2025-01-31".into(),
        location: path.display().to_string(),
        illustrative: true,
        metadata: None,
    }
}

/// Runs `round` until `minimum` has passed (at least once); returns the
/// number of rounds and the time they took.
fn measure(minimum: Duration, mut round: impl FnMut()) -> (u32, Duration) {
    let started = Instant::now();
    let mut rounds = 0;
    loop {
        round();
        rounds += 1;
        if started.elapsed() >= minimum {
            return (rounds, started.elapsed());
        }
    }
}

fn words(text: &str) -> HashSet<String> {
    text.split(|ch: char| !ch.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn lopdf_text(bytes: &[u8]) -> Result<String, String> {
    let document = lopdf::Document::load_mem(bytes).map_err(|error| error.to_string())?;
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    document
        .extract_text(&pages)
        .map_err(|error| error.to_string())
}

fn main() {
    let benchmarking = std::env::args().any(|arg| arg == "--bench");
    let minimum = if benchmarking {
        Duration::from_secs(3)
    } else {
        Duration::ZERO
    };
    let site = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/site");

    let pages = load(&site, "html");
    let captures: Vec<Capture> = pages
        .iter()
        .map(|(path, body)| capture(path, body, "text/html"))
        .collect();
    let html_bytes: usize = pages.iter().map(|(_, body)| body.len()).sum();
    let megabytes = html_bytes as f64 / 1_000_000.0;
    println!(
        "HTML: {} pages of corpus/site, {:.2} MB a round, each measurement at least {} s",
        pages.len(),
        megabytes,
        minimum.as_secs()
    );
    let mut paragraphs = 0usize;
    let (rounds, elapsed) = measure(minimum, || {
        for capture in &captures {
            if let Ok(document) = extract::extract(capture) {
                paragraphs += document.paragraphs.len();
            }
        }
    });
    let extract_speed = megabytes * f64::from(rounds) / elapsed.as_secs_f64();
    println!(
        "  extract::extract             {extract_speed:8.1} MB/s  ({rounds} rounds, {:.2} s, {} paragraphs a round)",
        elapsed.as_secs_f64(),
        paragraphs / rounds as usize
    );
    let texts: Vec<String> = pages
        .iter()
        .map(|(_, body)| String::from_utf8_lossy(body).into_owned())
        .collect();
    let mut nodes = 0usize;
    let (rounds, elapsed) = measure(minimum, || {
        for text in &texts {
            nodes += scraper::Html::parse_document(text).tree.nodes().count();
        }
    });
    let parse_speed = megabytes * f64::from(rounds) / elapsed.as_secs_f64();
    println!(
        "  scraper Html::parse_document {parse_speed:8.1} MB/s  ({rounds} rounds, {:.2} s, {} nodes a round)",
        elapsed.as_secs_f64(),
        nodes / rounds as usize
    );
    println!(
        "  extraction runs at {:.2}x the speed of the bare parse (goal: 40 MB/s a core)",
        extract_speed / parse_speed
    );

    let pdfs = load(&site.join("nao"), "pdf");
    let pdf_captures: Vec<Capture> = pdfs
        .iter()
        .map(|(path, body)| capture(path, body, "application/pdf"))
        .collect();
    println!(
        "PDF: {} files of corpus/site/nao, {} bytes in all",
        pdfs.len(),
        pdfs.iter().map(|(_, body)| body.len()).sum::<usize>()
    );
    let (rounds, elapsed) = measure(minimum, || {
        for capture in &pdf_captures {
            let _ = extract::extract(capture);
        }
    });
    let extract_rate = (pdfs.len() as f64) * f64::from(rounds) / elapsed.as_secs_f64();
    println!("  extract::extract                    {extract_rate:8.1} documents/s");
    let (rounds, elapsed) = measure(minimum, || {
        for (_, body) in &pdfs {
            let _ = pdf_extract::extract_text_from_mem(body);
        }
    });
    let bare_rate = (pdfs.len() as f64) * f64::from(rounds) / elapsed.as_secs_f64();
    println!("  pdf_extract::extract_text_from_mem  {bare_rate:8.1} documents/s");
    let (rounds, elapsed) = measure(minimum, || {
        for (_, body) in &pdfs {
            let _ = lopdf_text(body);
        }
    });
    let lopdf_rate = (pdfs.len() as f64) * f64::from(rounds) / elapsed.as_secs_f64();
    println!("  lopdf Document::extract_text        {lopdf_rate:8.1} documents/s");
    println!(
        "  extraction runs at {:.2}x pdf-extract alone; lopdf at {:.2}x pdf-extract",
        extract_rate / bare_rate,
        lopdf_rate / bare_rate
    );
    println!(
        "  text found (words of pdf-extract's text that lopdf also finds, and lopdf's extra words):"
    );
    for (path, body) in &pdfs {
        let name = path.file_name().unwrap().to_string_lossy();
        let reference = match pdf_extract::extract_text_from_mem(body) {
            Ok(text) => text,
            Err(error) => {
                println!("    {name}: pdf-extract failed: {error}");
                continue;
            }
        };
        match lopdf_text(body) {
            Ok(text) => {
                let expected = words(&reference);
                let found = words(&text);
                let shared = expected.intersection(&found).count();
                println!(
                    "    {name}: pdf-extract {} words, lopdf {} words, {shared} shared ({:.0}%), {} only in lopdf",
                    expected.len(),
                    found.len(),
                    100.0 * shared as f64 / expected.len().max(1) as f64,
                    found.difference(&expected).count()
                );
            }
            Err(error) => println!("    {name}: lopdf failed: {error}"),
        }
    }
}
