//! Analysis throughput: `cargo bench --bench analyze -- --docs 20000`.
//!
//! Generates a synthetic site in memory (`pledgewatch::synth`, seed 42),
//! extracts it once, and then measures, in one run, on the same documents:
//!
//! - extraction alone (`extract::extract` over every page and PDF), the
//!   step analysis follows in an index build;
//! - the sentence splitter alone over every paragraph (the baseline:
//!   analysis cannot be faster than reading its sentences once);
//! - sentence-level detection: every sentence through the commitment and
//!   stance rules (`commitments_in_sentence`, `stance_of`);
//! - the whole `analyze::analyze` (detection, grouping repeated promises,
//!   linking assessments, verdicts).
//!
//! Each line gives sentences/s, MB/s of paragraph text and documents/s, and
//! the ratio to the splitter. Under `cargo test` (no `--bench` argument)
//! it is a smoke run on a few hundred documents.

use std::time::{Duration, Instant};

use pledgewatch::analyze::{self, assessments, commitments, sentences};
use pledgewatch::extract::{self, Capture};
use pledgewatch::model::Document;

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

fn content_type(path: &str) -> &'static str {
    if path.ends_with(".pdf") {
        "application/pdf"
    } else {
        "text/html"
    }
}

fn synthetic_captures(documents: usize) -> Vec<Capture> {
    let mut captures = Vec::new();
    pledgewatch::synth::for_each_file(documents, 42, |path, body| {
        if !(path.ends_with(".html") || path.ends_with(".pdf")) || path == "index.html" {
            return;
        }
        captures.push(Capture {
            url: format!("{}{path}", pledgewatch::synth::BASE_URL),
            content_type: Some(content_type(path).to_string()),
            body,
            captured: "2030-01-01".into(),
            location: format!("site/{path}"),
            illustrative: true,
            metadata: None,
        });
    });
    captures
}

struct Line {
    name: &'static str,
    rounds: u32,
    elapsed: Duration,
}

fn main() {
    let benchmarking = std::env::args().any(|argument| argument == "--bench");
    let mut documents = if benchmarking { 20_000 } else { 300 };
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        if argument == "--docs" {
            documents = arguments
                .next()
                .and_then(|value| value.parse().ok())
                .expect("--docs takes a number");
        }
    }
    let minimum = if benchmarking {
        Duration::from_secs(3)
    } else {
        Duration::ZERO
    };
    println!("analysis benchmark: a synthetic site of {documents} pages (seed 42), in memory");
    if !benchmarking {
        println!("smoke run (no --bench); `cargo bench --bench analyze` measures");
    }
    let captures = synthetic_captures(documents);
    let input_bytes: usize = captures.iter().map(|capture| capture.body.len()).sum();

    let mut lines = Vec::new();
    let mut extracted: Vec<Document> = Vec::new();
    let started = Instant::now();
    for capture in &captures {
        if let Ok(document) = extract::extract(capture) {
            extracted.push(document);
        }
    }
    let extraction = started.elapsed();
    let paragraphs: Vec<&str> = extracted
        .iter()
        .flat_map(|document| document.paragraphs.iter().map(|p| p.text.as_str()))
        .collect();
    let text_bytes: usize = paragraphs.iter().map(|text| text.len()).sum();
    let sentence_count: usize = paragraphs
        .iter()
        .map(|text| sentences::split(text).len())
        .sum();
    println!(
        "  {} captures ({} pages and PDFs, {:.1} MB), {} documents, {} paragraphs, {} sentences, {:.1} MB of paragraph text",
        captures.len(),
        captures.len(),
        input_bytes as f64 / 1e6,
        extracted.len(),
        paragraphs.len(),
        sentence_count,
        text_bytes as f64 / 1e6
    );

    let mut split_count = 0usize;
    let (rounds, elapsed) = measure(minimum, || {
        for text in &paragraphs {
            split_count += sentences::split(text).len();
        }
    });
    lines.push(Line {
        name: "sentence splitter alone (baseline)",
        rounds,
        elapsed,
    });

    let mut found = 0usize;
    let (rounds, elapsed) = measure(minimum, || {
        for document in &extracted {
            for paragraph in &document.paragraphs {
                for sentence in sentences::split(&paragraph.text) {
                    found += commitments::commitments_in_sentence(
                        sentence,
                        document.published.as_deref(),
                    )
                    .len();
                    found += usize::from(assessments::stance_of(sentence).is_some());
                }
            }
        }
    });
    lines.push(Line {
        name: "sentence rules (commitment + stance)",
        rounds,
        elapsed,
    });

    let mut commitment_count = 0usize;
    let (rounds, elapsed) = measure(minimum, || {
        commitment_count = analyze::analyze(&extracted, None, &[]).len();
    });
    lines.push(Line {
        name: "analyze::analyze (whole analysis)",
        rounds,
        elapsed,
    });

    let baseline = lines[0].elapsed.as_secs_f64() / f64::from(lines[0].rounds);
    let extraction_seconds = extraction.as_secs_f64();
    println!(
        "  {:<38} {:>12} {:>9} {:>11} {:>9}",
        "what", "sentences/s", "MB/s", "documents/s", "vs split"
    );
    println!(
        "  {:<38} {:>12.0} {:>9.1} {:>11.0} {:>8.3}x  (MB/s of captured bytes: {:.1})",
        "extract::extract alone (one round)",
        sentence_count as f64 / extraction_seconds,
        text_bytes as f64 / 1e6 / extraction_seconds,
        extracted.len() as f64 / extraction_seconds,
        baseline / extraction_seconds,
        input_bytes as f64 / 1e6 / extraction_seconds
    );
    for line in &lines {
        let seconds = line.elapsed.as_secs_f64() / f64::from(line.rounds);
        println!(
            "  {:<38} {:>12.0} {:>9.1} {:>11.0} {:>8.3}x  ({} rounds, {:.2} s)",
            line.name,
            sentence_count as f64 / seconds,
            text_bytes as f64 / 1e6 / seconds,
            extracted.len() as f64 / seconds,
            baseline / seconds,
            line.rounds,
            line.elapsed.as_secs_f64()
        );
    }
    println!(
        "  {commitment_count} commitments after grouping; {} sentence findings a round",
        found / lines[1].rounds as usize
    );
    assert!(
        split_count > 0 && commitment_count > 0,
        "nothing was analysed"
    );
}
