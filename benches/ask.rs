//! Ask latency: `cargo bench --bench ask -- [--docs N] [--reuse-index]`.
//!
//! Measures, in one run, what `/api/ask` costs without HTTP: the question
//! answered in its conversation (`ask::ask_in_conversation`, follow-ups
//! with their parent's token) and the answer turned into the API's JSON
//! (`web::api_answer`, serialised). Next to it, as the baseline, a bare
//! tantivy BM25 top-10 query for the same question text on the same index
//! (`QueryParser` over title and body, parsed leniently, no stored fields
//! read), and the bare form of ask's own retrieval: the question's terms
//! and its synonyms as phrases (`ask::retrieval_query`) over commitment
//! records, top 20, no stored fields read (follow-ups without their
//! conversation's words).
//! The questions are the gold set's (`tests/gold/questions.toml`),
//! on two indexes:
//!
//! - the bundled corpus (`corpus/`);
//! - a synthetic corpus of `--docs` pages (default 100,000) from
//!   `pledgewatch::synth` (seed 42), written once under Cargo's target
//!   folder and indexed with the library's own `index::build` (timed;
//!   `--reuse-index` keeps an index built by an earlier run).
//!
//! Single-threaded: queries/s is one core's. Under `cargo test` (no
//! `--bench` argument) it is a smoke run: a 300-page synthetic corpus and
//! every question once.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;

use pledgewatch::index::{self, Store};
use pledgewatch::{ask, web};

#[path = "support/synthetic.rs"]
mod synthetic;
use synthetic::synthetic_index;

/// One gold question, with the id of the question it follows up.
#[derive(serde::Deserialize)]
struct GoldQuestion {
    id: String,
    text: String,
    #[serde(default)]
    follows: String,
}

#[derive(serde::Deserialize)]
struct GoldFile {
    question: Vec<GoldQuestion>,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn gold_questions() -> Vec<GoldQuestion> {
    let path = repo_root().join("tests/gold/questions.toml");
    let text = std::fs::read_to_string(&path).expect("read the gold questions");
    let file: GoldFile = toml::from_str(&text).expect("parse the gold questions");
    file.question
}

/// A question as `/api/ask` would get it: its text and, for a follow-up,
/// the conversation token its parent's answer carried.
struct Asked {
    text: String,
    token: Option<String>,
}

/// Answers every question once in order, so follow-ups get their parent's
/// token; also counts how many found a commitment.
fn prepare(store: &Store, questions: &[GoldQuestion]) -> (Vec<Asked>, usize) {
    let mut tokens: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    let mut asked = Vec::new();
    let mut answered = 0;
    for question in questions {
        let token = tokens.get(question.follows.as_str()).cloned();
        let answer = ask::ask_in_conversation(store, &question.text, token.as_deref())
            .expect("the gold questions are valid");
        if answer.status.is_some() {
            answered += 1;
        }
        if let Some(next) = &answer.conversation {
            tokens.insert(&question.id, next.clone());
        }
        asked.push(Asked {
            text: question.text.clone(),
            token,
        });
    }
    (asked, answered)
}

/// Latencies of `call` over `items`, round after round until `minimum`
/// has passed (at least one round).
fn measure<T>(
    items: &[T],
    minimum: Duration,
    mut call: impl FnMut(&T),
) -> (Vec<Duration>, Duration) {
    let mut latencies = Vec::new();
    let started = Instant::now();
    loop {
        for item in items {
            let one = Instant::now();
            call(item);
            latencies.push(one.elapsed());
        }
        if started.elapsed() >= minimum {
            return (latencies, started.elapsed());
        }
    }
}

struct Summary {
    calls: usize,
    p50: Duration,
    p99: Duration,
    mean: Duration,
    per_second: f64,
}

fn summarise(mut latencies: Vec<Duration>, wall: Duration) -> Summary {
    latencies.sort();
    let at = |share: f64| {
        let rank = ((share * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len());
        latencies[rank - 1]
    };
    let total: Duration = latencies.iter().sum();
    Summary {
        calls: latencies.len(),
        p50: at(0.50),
        p99: at(0.99),
        mean: total / latencies.len().max(1) as u32,
        per_second: latencies.len() as f64 / wall.as_secs_f64(),
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Measures ask and the bare query on one index and prints both.
fn bench_index(label: &str, index_dir: &Path, questions: &[GoldQuestion], minimum: Duration) {
    let store = Store::open(index_dir).expect("open the index");
    let (asked, answered) = prepare(&store, questions);
    // warm: the vocabulary for spelling correction, the OS page cache
    let _ = prepare(&store, questions);

    let (latencies, wall) = measure(&asked, minimum, |question| {
        let answer = ask::ask_in_conversation(&store, &question.text, question.token.as_deref())
            .expect("answer");
        let body = serde_json::to_string(&web::api_answer(&answer)).expect("JSON");
        std::hint::black_box(body);
    });
    // the slowest questions (their fastest round, so noise does not pick them)
    let mut by_question: Vec<(Duration, &str)> = asked
        .iter()
        .enumerate()
        .map(|(position, question)| {
            let fastest = latencies
                .iter()
                .skip(position)
                .step_by(asked.len())
                .min()
                .copied()
                .unwrap_or_default();
            (fastest, question.text.as_str())
        })
        .collect();
    by_question.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    let slowest: Vec<String> = by_question
        .iter()
        .take(3)
        .map(|(fastest, text)| format!("{:.2} ms “{text}”", ms(*fastest)))
        .collect();
    let ask_summary = summarise(latencies, wall);

    let bare_index = tantivy::Index::open_in_dir(index_dir).expect("open with tantivy");
    let reader = bare_index.reader().expect("reader");
    let (_, fields) = index::schema();
    let parser = QueryParser::for_index(&bare_index, vec![fields.title, fields.body]);
    let collector = TopDocs::with_limit(10).order_by_score();
    let (latencies, wall) = measure(questions, minimum, |question| {
        let searcher = reader.searcher();
        let (query, _errors) = parser.parse_query_lenient(&question.text);
        let top = searcher.search(&query, &collector).expect("search");
        std::hint::black_box(top);
    });
    let bare_summary = summarise(latencies, wall);

    // the same retrieval as ask's first step, bare: the question's
    // retrieval query over commitment records, top 20, no stored fields
    let mut retrieval_parser = QueryParser::for_index(
        &bare_index,
        vec![fields.commitment_title, fields.commitment_body],
    );
    retrieval_parser.set_field_boost(fields.commitment_title, 2.0);
    let retrieval_queries: Vec<String> = questions
        .iter()
        .map(|question| ask::retrieval_query(&question.text))
        .collect();
    let top_twenty = TopDocs::with_limit(20).order_by_score();
    let (latencies, wall) = measure(&retrieval_queries, minimum, |terms| {
        let searcher = reader.searcher();
        // only commitment records have these fields
        let (query, _errors) = retrieval_parser.parse_query_lenient(terms);
        let top = searcher.search(&query, &top_twenty).expect("search");
        std::hint::black_box(top);
    });
    let retrieval_summary = summarise(latencies, wall);

    println!(
        "\n{label}: {} documents, {} commitments; {} questions ({} answered with a commitment, {} follow-ups)",
        store.documents,
        store.commitments.len(),
        questions.len(),
        answered,
        questions.iter().filter(|q| !q.follows.is_empty()).count()
    );
    println!(
        "  {:<34} {:>8} {:>10} {:>10} {:>10} {:>10}",
        "what", "calls", "p50 ms", "p99 ms", "mean ms", "queries/s"
    );
    for (name, summary) in [
        ("ask (/api/ask without HTTP)", &ask_summary),
        ("bare tantivy: question, top 10", &bare_summary),
        ("bare tantivy: ask's query, top 20", &retrieval_summary),
    ] {
        println!(
            "  {:<34} {:>8} {:>10.3} {:>10.3} {:>10.3} {:>10.0}",
            name,
            summary.calls,
            ms(summary.p50),
            ms(summary.p99),
            ms(summary.mean),
            summary.per_second
        );
    }
    let ratio =
        |left: Duration, right: Duration| left.as_secs_f64() / right.as_secs_f64().max(1e-9);
    for (name, baseline) in [
        ("question, top 10", &bare_summary),
        ("ask's query, top 20", &retrieval_summary),
    ] {
        println!(
            "  ratio ask / bare ({name}): p50 {:.1}x, p99 {:.1}x, queries/s {:.3}x",
            ratio(ask_summary.p50, baseline.p50),
            ratio(ask_summary.p99, baseline.p99),
            ask_summary.per_second / baseline.per_second
        );
    }
    println!("  slowest questions to ask: {}", slowest.join("; "));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let benchmarking = args.iter().any(|arg| arg == "--bench");
    let reuse = args.iter().any(|arg| arg == "--reuse-index");
    let pages = args
        .iter()
        .position(|arg| arg == "--docs")
        .and_then(|at| args.get(at + 1))
        .map(|value| value.parse::<usize>().expect("--docs takes a number"))
        .unwrap_or(if benchmarking { 100_000 } else { 300 });
    let minimum = if benchmarking {
        Duration::from_secs(3)
    } else {
        Duration::ZERO
    };
    let questions = gold_questions();

    let bundled = tempfile::tempdir().expect("scratch folder");
    let bundled_index = bundled.path().join("index");
    let started = Instant::now();
    index::build(&repo_root().join("corpus"), &bundled_index, None, false)
        .expect("index the bundled corpus");
    println!(
        "indexed the bundled corpus in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    bench_index("bundled corpus", &bundled_index, &questions, minimum);

    let synthetic_index = synthetic_index(pages, reuse);
    bench_index(
        &format!("synthetic corpus ({pages} pages, seed {})", synthetic::SEED),
        &synthetic_index,
        &questions,
        minimum,
    );
}
