//! The index: one tantivy index of three kinds of records (documents,
//! passages and commitments), built from the corpus and read by `ask`,
//! `search` and the server.
//!
//! A build writes a fresh index beside the old one and swaps it in with a
//! rename, so a reader never sees half an index and a failed build leaves
//! the old one in place.

pub mod pairs;
pub mod query;

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, DocId, Index, IndexReader, Order, Score, SegmentOrdinal, SegmentReader,
    TantivyDocument, Term, doc,
};

pub use query::{QueryError, SearchRequest, Sort};

use crate::analyze;
use crate::corpus::{self, CorpusError, Skipped};
use crate::extract::{self, Capture};
use crate::model::{Commitment, CommitmentSummary, Document, Status};

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no index at {0}: run `pledgewatch index` first")]
    Missing(PathBuf),
    #[error("the index at {0} was built by an older pledgewatch: run `pledgewatch index` again")]
    Outdated(PathBuf),
    #[error("stored record is damaged: {0}")]
    Damaged(String),
}

/// Words a query may hold at most; longer input is refused before search.
pub const MAX_QUERY_CHARS: usize = 500;
pub const HITS_PER_PAGE: usize = 20;
/// A plain query (words, no operators) matched by fewer documents than
/// this with every word is widened to documents with any of them.
pub const RELAX_BELOW: usize = 10;

/// Ranking weights, tuned on the dev split of `tests/gold/search.toml`
/// (`pledgewatch eval` prints nDCG@10 beside plain BM25).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Tuning {
    /// Weight of a match in the title over one in the body.
    pub title_boost: f32,
    /// In a widened search, weight of the all-words match over the rest.
    pub all_words_boost: f32,
    /// A document published on the corpus's newest date scores up to
    /// `1 + recency` times as much; the bonus halves every
    /// [`RECENCY_HALF_LIFE_YEARS`] back.
    pub recency: f32,
}

pub const RECENCY_HALF_LIFE_YEARS: f32 = 2.0;

/// The best on the dev split over the grid in `eval::search::tune`
/// (`pledgewatch eval` prints it again).
pub const TUNING: Tuning = Tuning {
    title_boost: 4.0,
    all_words_boost: 1.0,
    recency: 2.0,
};

/// How long a document's age in days matters: the bonus after 40 years
/// (20 half-lives) is below a millionth.
const RECENCY_DAYS: usize = 40 * 366;

/// By age in days (before the corpus's newest date), how much more a
/// document scores: `1 + recency` on the newest day, the bonus halving
/// every [`RECENCY_HALF_LIFE_YEARS`] back.
fn recency_factors(recency: f32) -> Vec<f32> {
    (0..RECENCY_DAYS)
        .map(|age| 1.0 + recency * 0.5f32.powf(age as f32 / 365.25 / RECENCY_HALF_LIFE_YEARS))
        .collect()
}

/// Days since year 0 of a `YYYY-MM-DD` date, roughly (for recency).
fn approximate_days(date: &str) -> Option<f32> {
    let mut parts = date
        .get(..10)?
        .split('-')
        .map(|part| part.parse::<f32>().ok());
    let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
    Some(year * 365.25 + (month - 1.0) * 30.44 + day)
}

#[derive(Clone, Copy)]
pub struct Fields {
    pub record: Field,
    pub id: Field,
    pub doc_id: Field,
    /// Document records' title and text: only documents have these, so a
    /// search's postings hold no passage or commitment.
    pub title: Field,
    pub body: Field,
    /// Title and body again as pairs of neighbouring words, for phrases
    /// (see [`pairs`]).
    pub title_pairs: Field,
    pub body_pairs: Field,
    /// Passage records' document title and paragraph text (stored: ask
    /// quotes it).
    pub passage_title: Field,
    pub passage_body: Field,
    /// Commitment records' maker and text with the titles of their sources.
    pub commitment_title: Field,
    pub commitment_body: Field,
    pub publisher: Field,
    pub kind: Field,
    pub published: Field,
    pub status: Field,
    /// On a document: the verdict of every commitment it makes or assesses.
    pub verdict: Field,
    /// On a commitment: the ids of the documents that make or assess it.
    pub cites: Field,
    pub url: Field,
    pub anchor: Field,
    pub data: Field,
}

pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // indexed only: a document's text is stored once, in its `data` JSON
    let stemmed = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    // term frequencies for the score; a phrase's positions are its pairs
    let word_pairs = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(pairs::TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        record: builder.add_text_field("record", STRING),
        id: builder.add_text_field("id", STRING | STORED),
        doc_id: builder.add_text_field("doc_id", STRING | STORED),
        title: builder.add_text_field("title", stemmed.clone()),
        body: builder.add_text_field("body", stemmed.clone()),
        title_pairs: builder.add_text_field("title_pairs", word_pairs.clone()),
        body_pairs: builder.add_text_field("body_pairs", word_pairs),
        passage_title: builder.add_text_field("passage_title", stemmed.clone().set_stored()),
        passage_body: builder.add_text_field("passage_body", stemmed.clone().set_stored()),
        commitment_title: builder.add_text_field("commitment_title", stemmed.clone()),
        commitment_body: builder.add_text_field("commitment_body", stemmed),
        // fast: search facets count them and results sort by date
        publisher: builder.add_text_field("publisher", STRING | STORED | FAST),
        kind: builder.add_text_field("kind", STRING | STORED | FAST),
        published: builder.add_text_field("published", STRING | STORED | FAST),
        status: builder.add_text_field("status", STRING | STORED),
        verdict: builder.add_text_field("verdict", STRING | FAST),
        cites: builder.add_text_field("cites", STRING),
        url: builder.add_text_field("url", STORED),
        anchor: builder.add_text_field("anchor", STORED),
        data: builder.add_text_field("data", STORED),
    };
    (builder.build(), fields)
}

/// What a build did, for the terminal and the logs.
#[derive(Debug, Default, Serialize)]
pub struct BuildReport {
    pub captures: usize,
    pub documents: usize,
    pub paragraphs: usize,
    pub commitments: usize,
    pub by_status: Vec<(String, usize)>,
    pub skipped: Vec<(String, String)>,
    pub as_of: String,
    #[serde(skip)]
    pub elapsed: Duration,
}

/// Extracts, analyses and indexes the corpus into `index_dir`.
pub fn build(
    corpus_dir: &Path,
    index_dir: &Path,
    as_of: Option<&str>,
    progress: bool,
) -> Result<BuildReport, IndexError> {
    let started = Instant::now();
    let (captures, skipped) = corpus::captures(corpus_dir)?;
    let overrides = corpus::read_overrides(corpus_dir)?;
    let mut report = BuildReport {
        captures: captures.len(),
        skipped: skipped
            .into_iter()
            .map(|Skipped { location, reason }| (location, reason))
            .collect(),
        ..BuildReport::default()
    };
    let bar = progress.then(|| {
        let bar = indicatif::ProgressBar::new(captures.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} extracting {pos}/{len} {wide_bar} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    tracing::info!(
        captures = captures.len(),
        elapsed_ms = started.elapsed().as_millis(),
        "corpus read"
    );
    let mut documents = extract_all(&captures, &mut report, bar.as_ref());
    tracing::info!(
        documents = documents.len(),
        elapsed_ms = started.elapsed().as_millis(),
        "extracted"
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    inherit_from_landing_pages(&mut documents);
    drop(captures);
    let commitments = analyze::analyze(&documents, as_of, &overrides);
    tracing::info!(
        commitments = commitments.len(),
        elapsed_ms = started.elapsed().as_millis(),
        "analysed"
    );
    report.as_of = commitments
        .first()
        .map(|commitment| commitment.verdict.as_of.clone())
        .unwrap_or_else(|| {
            as_of
                .map(str::to_string)
                .unwrap_or_else(|| analyze::newest_date(&documents))
        });
    report.documents = documents.len();
    report.paragraphs = documents
        .iter()
        .map(|document| document.paragraphs.len())
        .sum();
    report.commitments = commitments.len();
    report.by_status = Status::ALL
        .iter()
        .map(|status| {
            let count = commitments
                .iter()
                .filter(|c| c.verdict.status == *status)
                .count();
            (status.as_str().to_string(), count)
        })
        .collect();
    write_index(index_dir, &documents, &commitments)?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Extracts every capture. The newest capture of a document is the
/// document; when older captures of it differ, they become its history
/// (`Document::versions`, with what changed between versions).
fn extract_all(
    captures: &[Capture],
    report: &mut BuildReport,
    bar: Option<&indicatif::ProgressBar>,
) -> Vec<Document> {
    let mut by_id: std::collections::BTreeMap<String, Vec<Document>> =
        std::collections::BTreeMap::new();
    // extraction on every core; what follows in corpus order
    let extracted = crate::parallel::map(captures, |_, capture| {
        if let Some(bar) = bar {
            bar.inc(1);
        }
        extract::extract(capture)
    });
    for (capture, extracted) in captures.iter().zip(extracted) {
        match extracted {
            Ok(document) => by_id.entry(document.id.clone()).or_default().push(document),
            Err(error) => {
                tracing::warn!(location = %capture.location, url = %capture.url, %error, "extraction failed");
                report
                    .skipped
                    .push((capture.location.clone(), error.to_string()));
            }
        }
    }
    by_id.into_values().filter_map(with_history).collect()
}

/// The newest of a document's captures, with the versions before it.
/// Captures are in corpus order (oldest first within a WARC file, files
/// by name); a stable sort by capture date keeps that order within a day.
fn with_history(mut captures: Vec<Document>) -> Option<Document> {
    captures.sort_by(|a, b| a.captured.cmp(&b.captured));
    let same_text = |a: &Document, b: &Document| {
        a.title == b.title
            && a.paragraphs.len() == b.paragraphs.len()
            && a.paragraphs
                .iter()
                .zip(&b.paragraphs)
                .all(|(x, y)| x.text == y.text)
    };
    // Runs of the same text collapse into one version: (first date, latest capture).
    let mut runs: Vec<(String, Document)> = Vec::new();
    for document in captures {
        match runs.last_mut() {
            Some((_, latest)) if same_text(latest, &document) => *latest = document,
            _ => runs.push((document.captured.clone(), document)),
        }
    }
    let mut versions = Vec::with_capacity(runs.len());
    for (index, (first_captured, document)) in runs.iter().enumerate() {
        let before = index.checked_sub(1).map(|i| &runs[i].1);
        versions.push(crate::model::Version {
            first_captured: first_captured.clone(),
            captured: document.captured.clone(),
            capture: document.capture.clone(),
            title: before
                .filter(|before| before.title != document.title)
                .map(|_| document.title.clone()),
            changes: before
                .map(|before| paragraph_changes(before, document))
                .unwrap_or_default(),
        });
    }
    let (_, mut current) = runs.pop()?;
    if versions.len() > 1 {
        current.versions = versions;
    }
    Some(current)
}

/// Whether two paragraphs share at least a third of their words.
fn similar(a: &str, b: &str) -> bool {
    let words = |text: &str| -> std::collections::HashSet<String> {
        text.split_whitespace().map(str::to_lowercase).collect()
    };
    let (a, b) = (words(a), words(b));
    let union = a.union(&b).count();
    union > 0 && a.intersection(&b).count() * 3 >= union
}

/// The paragraphs added, removed and reworded from `before` to `after`: a
/// removal followed by an addition is one reworded paragraph.
fn paragraph_changes(before: &Document, after: &Document) -> Vec<crate::model::ParagraphChange> {
    use crate::diff::Edit;
    use crate::model::ParagraphChange;
    let old: Vec<&str> = before.paragraphs.iter().map(|p| p.text.as_str()).collect();
    let new: Vec<&str> = after.paragraphs.iter().map(|p| p.text.as_str()).collect();
    let mut changes: Vec<ParagraphChange> = Vec::new();
    let mut removed: Vec<usize> = Vec::new();
    for edit in crate::diff::diff(&old, &new) {
        match edit {
            Edit::Same(..) => {
                for i in removed.drain(..) {
                    changes.push(ParagraphChange {
                        anchor: before.paragraphs[i].anchor.clone(),
                        before: Some(old[i].to_string()),
                        after: None,
                    });
                }
            }
            Edit::Removed(i) => removed.push(i),
            Edit::Added(j) => {
                // the first removed paragraph sharing enough words is this one reworded
                let reworded = removed
                    .iter()
                    .position(|&i| similar(old[i], new[j]))
                    .map(|at| removed.remove(at));
                changes.push(ParagraphChange {
                    anchor: after.paragraphs[j].anchor.clone(),
                    before: reworded.map(|i| old[i].to_string()),
                    after: Some(new[j].to_string()),
                });
            }
        }
    }
    for i in removed {
        changes.push(ParagraphChange {
            anchor: before.paragraphs[i].anchor.clone(),
            before: Some(old[i].to_string()),
            after: None,
        });
    }
    changes
}

/// A file linked from a landing page (a report that exists only as PDF)
/// takes its publisher, kind and date from that page when it has none.
fn inherit_from_landing_pages(documents: &mut [Document]) {
    let mut landing: std::collections::HashMap<String, (String, String, Option<String>, String)> =
        std::collections::HashMap::new();
    for document in documents.iter() {
        for attachment in &document.attachments {
            landing.entry(attachment.clone()).or_insert_with(|| {
                (
                    document.publisher.clone(),
                    document.kind.clone(),
                    document.published.clone(),
                    document.title.clone(),
                )
            });
        }
    }
    for document in documents.iter_mut() {
        if document.kind != "pdf" {
            continue;
        }
        if let Some((publisher, kind, published, title)) = landing.get(&document.url) {
            // a cover line naming the publisher is not the report's title
            if document.title.is_empty()
                || document.title == *publisher
                || document.title.split_whitespace().count() < 4
            {
                document.title = title.clone();
            }
            document.publisher = publisher.clone();
            if kind != "web_page" {
                document.kind = kind.clone();
            }
            if document.published.is_none() {
                document.published = published.clone();
            }
        }
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn write_index(
    index_dir: &Path,
    documents: &[Document],
    commitments: &[Commitment],
) -> Result<(), IndexError> {
    let parent = index_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    let name = index_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "index".into());
    let building = parent.join(format!(".{name}.building-{}", std::process::id()));
    if building.exists() {
        std::fs::remove_dir_all(&building).map_err(io_error(&building))?;
    }
    std::fs::create_dir_all(&building).map_err(io_error(&building))?;
    // a rebuild keeps the signing key, so conversations survive it
    let previous_key = std::fs::read_to_string(index_dir.join(CONVERSATION_KEY_FILE))
        .ok()
        .filter(|key| key.len() >= 32);
    let result = fill_index(&building, documents, commitments, previous_key);
    if let Err(error) = result {
        let _ = std::fs::remove_dir_all(&building);
        return Err(error);
    }
    let retired = parent.join(format!(".{name}.retired-{}", std::process::id()));
    if index_dir.exists() {
        std::fs::rename(index_dir, &retired).map_err(io_error(index_dir))?;
    }
    std::fs::rename(&building, index_dir).map_err(io_error(index_dir))?;
    if retired.exists() {
        let _ = std::fs::remove_dir_all(&retired);
    }
    Ok(())
}

fn fill_index(
    directory: &Path,
    documents: &[Document],
    commitments: &[Commitment],
    previous_key: Option<String>,
) -> Result<(), IndexError> {
    let (schema, fields) = schema();
    let index = Index::create_in_dir(directory, schema)?;
    pairs::register(&index);
    let threads = writer_threads();
    let mut writer = index.writer_with_num_threads(threads, threads * WRITER_BUDGET_PER_THREAD)?;
    let titles: std::collections::HashMap<&str, &str> = documents
        .iter()
        .map(|d| (d.id.as_str(), d.title.as_str()))
        .collect();
    // document -> the verdicts of the commitments it makes or assesses
    let mut verdicts: HashMap<&str, std::collections::BTreeSet<&'static str>> = HashMap::new();
    for commitment in commitments {
        let status = commitment.verdict.status.as_str();
        for id in commitment.cited_documents() {
            verdicts.entry(id).or_default().insert(status);
        }
    }
    for document in documents {
        let body: Vec<&str> = document
            .paragraphs
            .iter()
            .map(|p| p.text.as_str())
            .collect();
        let data = serde_json::to_string(document)
            .map_err(|error| IndexError::Damaged(error.to_string()))?;
        let body = body.join("\n");
        // the body holds the title too, as a value of its own (no pair or
        // phrase spans the two): a title's words count in the body's
        // score as well as with the title's boost, which ranks better on
        // the judged queries (held-out nDCG@10 0.958 to 0.972)
        let mut record = doc!(
            fields.record => "document",
            fields.id => document.id.as_str(),
            fields.doc_id => document.id.as_str(),
            fields.title => document.title.as_str(),
            fields.title_pairs => document.title.as_str(),
            fields.body => document.title.as_str(),
            fields.body_pairs => document.title.as_str(),
            fields.body_pairs => body.as_str(),
            fields.body => body,
            fields.publisher => document.publisher.as_str(),
            fields.kind => document.kind.as_str(),
            fields.published => document.published.clone().unwrap_or_default(),
            fields.url => document.url.as_str(),
            fields.data => data,
        );
        for status in verdicts.get(document.id.as_str()).into_iter().flatten() {
            record.add_text(fields.verdict, status);
        }
        writer.add_document(record)?;
    }
    // Passages after every document: documents then share segments (and,
    // after merges, runs of doc ids), so what a search reads per match
    // (postings, facet codes) is packed together rather than spread
    // between the paragraphs.
    for document in documents {
        for paragraph in &document.paragraphs {
            writer.add_document(doc!(
                fields.record => "passage",
                fields.id => format!("{}#{}", document.id, paragraph.anchor),
                fields.doc_id => document.id.as_str(),
                fields.passage_title => document.title.as_str(),
                fields.passage_body => paragraph.text.as_str(),
                fields.publisher => document.publisher.as_str(),
                fields.kind => document.kind.as_str(),
                fields.published => document.published.clone().unwrap_or_default(),
                fields.url => document.url.as_str(),
                fields.anchor => paragraph.anchor.as_str(),
            ))?;
        }
    }
    for commitment in commitments {
        // the commitment with the titles of the documents that make and
        // assess it: what people call it is often in those titles
        let mut text = vec![commitment.text.clone()];
        if let Some(target) = &commitment.target {
            text.push(format!("{} {}", target.text, target.counts));
        }
        for source in &commitment.sources {
            text.push(source.quote.clone());
            text.push(
                titles
                    .get(source.doc_id.as_str())
                    .copied()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        for assessment in &commitment.assessments {
            text.push(assessment.citation.title.clone());
        }
        let data = serde_json::to_string(commitment)
            .map_err(|error| IndexError::Damaged(error.to_string()))?;
        let mut record = doc!(
            fields.record => "commitment",
            fields.id => commitment.id.as_str(),
            fields.doc_id => commitment.sources.first().map(|s| s.doc_id.clone()).unwrap_or_default(),
            fields.commitment_title => commitment.maker.as_str(),
            fields.commitment_body => text.join("\n"),
            fields.publisher => commitment.maker.as_str(),
            fields.status => commitment.verdict.status.as_str(),
            fields.published => commitment.made.clone().unwrap_or_default(),
            fields.data => data,
        );
        let cited: std::collections::BTreeSet<&str> = commitment.cited_documents().collect();
        for id in cited {
            record.add_text(fields.cites, id);
        }
        writer.add_document(record)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    merge_into_one_segment(&index)?;
    // the key that signs conversation tokens: replicas that copy this
    // index accept each other's tokens
    let key_path = directory.join(CONVERSATION_KEY_FILE);
    let key = previous_key.unwrap_or_else(crate::ask::conversation::new_key);
    std::fs::write(&key_path, key).map_err(io_error(&key_path))?;
    let mut words = CommitmentWords::default();
    for commitment in commitments {
        words.add(commitment);
    }
    let words_path = directory.join(COMMITMENT_WORDS_FILE);
    let json =
        serde_json::to_vec(&words).map_err(|error| IndexError::Damaged(error.to_string()))?;
    std::fs::write(&words_path, json).map_err(io_error(&words_path))?;
    Ok(())
}

const CONVERSATION_KEY_FILE: &str = "conversation.key";

/// Merges the index's segments into one. The index is built whole and
/// then only read, so one segment is the cheapest to search: a term is
/// looked up once, not once a segment, and a search sets up its scorers
/// and collectors once (at 100,000 documents, four segments merged into
/// one served 8% more searches a second, `cargo bench --bench serve`).
fn merge_into_one_segment(index: &Index) -> Result<(), IndexError> {
    let segments = index.searchable_segment_ids()?;
    if segments.len() < 2 {
        return Ok(());
    }
    let started = Instant::now();
    let mut writer: tantivy::IndexWriter =
        index.writer_with_num_threads(1, WRITER_BUDGET_PER_THREAD)?;
    writer.merge(&segments).wait()?;
    writer.wait_merging_threads()?;
    tracing::info!(
        segments = segments.len(),
        elapsed_ms = started.elapsed().as_millis(),
        "merged into one segment"
    );
    Ok(())
}

/// The commitments' words and source names, beside the index.
const COMMITMENT_WORDS_FILE: &str = "commitment-words.json";

/// What spelling correction and ask's reading of a question need of every
/// commitment (and its evidence): worked out when the index is built, so
/// that a server need not read every commitment to answer a misspelling.
#[derive(Debug, Default, Serialize, Deserialize)]
struct CommitmentWords {
    /// The words of the commitments, their sources' titles and their
    /// evidence's titles and quotes.
    words: std::collections::BTreeSet<String>,
    /// Who made and who assessed them.
    sources: std::collections::BTreeSet<String>,
}

impl CommitmentWords {
    fn add(&mut self, commitment: &Commitment) {
        let texts = std::iter::once(commitment.text.as_str())
            .chain(commitment.sources.iter().map(|s| s.title.as_str()))
            .chain(
                commitment
                    .assessments
                    .iter()
                    .map(|a| a.citation.title.as_str()),
            )
            .chain(
                commitment
                    .assessments
                    .iter()
                    .map(|a| a.citation.quote.as_str()),
            );
        for text in texts {
            self.words.extend(
                crate::lexicon::words(text)
                    .into_iter()
                    .filter(|w| w.chars().all(char::is_alphabetic)),
            );
        }
        self.sources.insert(commitment.maker.clone());
        self.sources
            .extend(commitment.sources.iter().map(|s| s.publisher.clone()));
        self.sources
            .extend(commitment.assessments.iter().map(|a| a.assessor.clone()));
    }
}

/// The index writer's memory budget per indexing thread.
pub const WRITER_BUDGET_PER_THREAD: usize = 100_000_000;

/// Indexing threads: one per core, at most 8.
pub fn writer_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |cores| cores.get().min(8))
}

/// One search result: a document with its best passage.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub id: String,
    pub url: String,
    pub title: String,
    pub publisher: String,
    pub kind: String,
    pub published: Option<String>,
    /// HTML-escaped text in which only `<mark>` is markup.
    pub snippet: String,
    /// The paragraph the snippet comes from.
    pub anchor: Option<String>,
    /// True for the bundled demo corpus's documents.
    pub illustrative: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    /// How many documents have every word (what `total` counts unless
    /// `relaxed`).
    pub matched_all: usize,
    /// Fewer than [`RELAX_BELOW`] documents had every word, so documents
    /// with some of them are included, after those with all.
    pub relaxed: bool,
    pub hits: Vec<SearchHit>,
    /// Counts over every matching document, not only this page.
    pub facets: Facets,
}

/// The hits' addresses in order, with the counts collected beside them.
fn addresses_and_counts<K, C>((top, counts): (Vec<(K, DocAddress)>, C)) -> (Vec<DocAddress>, C) {
    (
        top.into_iter().map(|(_, address)| address).collect(),
        counts,
    )
}

/// The parts of a stored document a search hit shows.
#[derive(Deserialize)]
struct HitView<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    url: Cow<'a, str>,
    #[serde(borrow)]
    title: Cow<'a, str>,
    #[serde(borrow)]
    publisher: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    published: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    description: Option<Cow<'a, str>>,
    #[serde(default)]
    illustrative: bool,
    #[serde(borrow, default)]
    paragraphs: Vec<ParagraphView<'a>>,
}

#[derive(Deserialize)]
struct ParagraphView<'a> {
    #[serde(borrow)]
    anchor: Cow<'a, str>,
    #[serde(borrow)]
    text: Cow<'a, str>,
}

/// How many matching documents have each value, most first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    pub publisher: Vec<FacetCount>,
    #[serde(rename = "type")]
    pub kind: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
    /// Documents by the verdicts of the commitments they make or assess.
    pub verdict: Vec<FacetCount>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: usize,
}

/// The field names the facet collector reads, in `RawFacets` order.
const FACET_FIELDS: [&str; 4] = ["publisher", "kind", "published", "verdict"];

/// One record's facet values and publication day, packed: bits 0-19 the
/// publisher's value index + 1, 20-29 the kind's, 30-39 the year's (0:
/// none), 40-47 one bit per verdict value, 48-63 the day of publication
/// counted from [`DAY_ZERO`] (0: undated). Read once per matching record
/// by the facet counts and the recency bonus: one array load instead of a
/// column lookup per facet.
type Code = u64;

const PUBLISHER_BITS: u32 = 20;
const KIND_BITS: u32 = 10;
const YEAR_BITS: u32 = 10;
const VERDICT_BITS: u32 = 8;
const FIELD_BITS: [u32; 3] = [PUBLISHER_BITS, KIND_BITS, YEAR_BITS];
/// 1900-01-01 in [`approximate_days`]: days from it fit 16 bits to 2079.
const DAY_ZERO: f32 = 1900.0 * 365.25 + 1.0;

/// The day bits of a code, as days since [`DAY_ZERO`] (0: undated).
fn code_day(code: Code) -> u32 {
    (code >> 48) as u32
}

/// The facets' values across segments, and each segment's records'
/// [`Code`]s, built once when the index is opened: a search then counts
/// into plain arrays, with no string, hash or column decoding per match
/// (decoding values per search cost more than the search). Publication
/// dates are counted by year.
#[derive(Default)]
struct FacetTables {
    /// Per facet (`FACET_FIELDS` order, dates as years), its values.
    values: [Vec<String>; 4],
    /// Per segment, each record's code by its `DocId`.
    codes: HashMap<tantivy::index::SegmentId, std::sync::Arc<Vec<Code>>>,
}

impl FacetTables {
    /// `record` is the field naming each record's kind: only documents
    /// are searched and counted, so codes stop at a segment's last one
    /// (passages come after documents and need none).
    fn read(searcher: &tantivy::Searcher, record: Field) -> Result<FacetTables, IndexError> {
        let mut tables = FacetTables::default();
        let mut positions: [HashMap<String, u32>; 4] = Default::default();
        for segment in searcher.segment_readers() {
            let mut end = 0;
            if let Some(mut documents) = segment
                .inverted_index(record)?
                .read_postings(
                    &Term::from_field_text(record, "document"),
                    IndexRecordOption::Basic,
                )
                .map_err(|error| IndexError::Damaged(error.to_string()))?
            {
                use tantivy::DocSet;
                let mut doc = documents.doc();
                while doc != tantivy::TERMINATED {
                    end = doc as usize + 1;
                    doc = documents.advance();
                }
            }
            let mut codes: Vec<Code> = vec![0; end];
            for (facet, name) in FACET_FIELDS.iter().enumerate() {
                let Some(column) = segment.fast_fields().str(name)? else {
                    continue;
                };
                // this segment's ordinals -> (value index, day)
                let mut map: Vec<(u32, u32)> = Vec::with_capacity(column.num_terms());
                for ord in 0..column.num_terms() as u64 {
                    let mut text = String::new();
                    column
                        .ord_to_str(ord, &mut text)
                        .map_err(|error| IndexError::Damaged(error.to_string()))?;
                    let mut day = 0;
                    if *name == "published" {
                        day = approximate_days(&text)
                            .map(|days| (days - DAY_ZERO).clamp(1.0, f32::from(u16::MAX)) as u32)
                            .unwrap_or(0);
                        text = text
                            .get(..4)
                            .filter(|year| year.chars().all(|ch| ch.is_ascii_digit()))
                            .unwrap_or_default()
                            .to_string();
                    }
                    let next = tables.values[facet].len() as u32;
                    let position = *positions[facet].entry(text).or_insert_with_key(|text| {
                        tables.values[facet].push(text.clone());
                        next
                    });
                    map.push((position, day));
                }
                // a value's index + 1 must fit its bits (verdicts are one bit
                // each: six statuses, see below)
                if let Some(&bits) = FIELD_BITS.get(facet)
                    && tables.values[facet].len() >= (1usize << bits)
                {
                    return Err(IndexError::Damaged(format!(
                        "more than {} values of {name} to count",
                        (1usize << bits) - 1
                    )));
                }
                for (doc, code) in codes.iter_mut().enumerate() {
                    for ord in column.term_ords(doc as DocId) {
                        let Some(&(position, day)) = map.get(ord as usize) else {
                            continue;
                        };
                        *code |= match facet {
                            0 => Code::from(position + 1),
                            1 => Code::from(position + 1) << PUBLISHER_BITS,
                            2 => {
                                (Code::from(position + 1) << (PUBLISHER_BITS + KIND_BITS))
                                    | (Code::from(day) << 48)
                            }
                            // more verdict values than bits cannot happen
                            // (there are six statuses); any beyond go uncounted
                            _ if position < VERDICT_BITS => 1 << (40 + position),
                            _ => 0,
                        };
                        if facet != 3 {
                            break;
                        }
                    }
                }
            }
            tables
                .codes
                .insert(segment.segment_id(), std::sync::Arc::new(codes));
        }
        Ok(tables)
    }
}

/// Counts matching documents by each facet's values.
struct FacetCollector {
    tables: std::sync::Arc<FacetTables>,
}

/// Counts by value index, one array per `FACET_FIELDS` entry.
type RawFacets = [Vec<u32>; 4];

struct FacetSegmentCollector {
    codes: std::sync::Arc<Vec<Code>>,
    counts: RawFacets,
}

impl Collector for FacetCollector {
    type Fruit = RawFacets;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegmentCollector> {
        Ok(FacetSegmentCollector {
            // a segment the tables do not know of counts nothing
            codes: self
                .tables
                .codes
                .get(&reader.segment_id())
                .cloned()
                .unwrap_or_default(),
            counts: std::array::from_fn(|facet| vec![0; self.tables.values[facet].len()]),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<RawFacets>) -> tantivy::Result<RawFacets> {
        let mut fruits = fruits.into_iter();
        let mut merged = fruits.next().unwrap_or_default();
        for fruit in fruits {
            for (into, from) in merged.iter_mut().zip(fruit) {
                for (count, add) in into.iter_mut().zip(from) {
                    *count += add;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = RawFacets;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(&code) = self.codes.get(doc as usize) else {
            return;
        };
        let mut shift = 0;
        for (facet, bits) in FIELD_BITS.iter().enumerate() {
            let position = ((code >> shift) & ((1 << bits) - 1)) as usize;
            shift += bits;
            if let Some(count) = position
                .checked_sub(1)
                .and_then(|at| self.counts[facet].get_mut(at))
            {
                *count += 1;
            }
        }
        let mut verdicts = (code >> 40) & 0xff;
        while verdicts != 0 {
            let at = verdicts.trailing_zeros() as usize;
            verdicts &= verdicts - 1;
            if let Some(count) = self.counts[3].get_mut(at) {
                *count += 1;
            }
        }
    }

    fn harvest(self) -> RawFacets {
        self.counts
    }
}

fn facet_list(values: &[String], counts: &[u32], by_value_descending: bool) -> Vec<FacetCount> {
    let mut list: Vec<FacetCount> = values
        .iter()
        .zip(counts)
        .filter(|(value, count)| !value.is_empty() && **count > 0)
        .map(|(value, count)| FacetCount {
            value: value.clone(),
            count: *count as usize,
        })
        .collect();
    if by_value_descending {
        list.sort_by(|a, b| b.value.cmp(&a.value));
    } else {
        list.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
    }
    list
}

impl Facets {
    fn from_raw(tables: &FacetTables, raw: &RawFacets) -> Facets {
        let list = |facet: usize, by_value| {
            facet_list(
                &tables.values[facet],
                raw.get(facet).map_or(&[][..], Vec::as_slice),
                by_value,
            )
        };
        Facets {
            publisher: list(0, false),
            kind: list(1, false),
            year: list(2, true),
            verdict: list(3, false),
        }
    }
}

/// A passage found for a question.
#[derive(Debug, Clone)]
pub struct PassageHit {
    pub score: f32,
    pub doc_id: String,
    pub anchor: String,
    pub text: String,
    pub title: String,
}

/// A read-only view of a built index.
pub struct Store {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Every commitment without its evidence, newest first; the whole
    /// commitment is read from the index when asked for.
    pub commitments: Vec<CommitmentSummary>,
    pub as_of: String,
    pub documents: usize,
    conversation_key: Vec<u8>,
    /// Position of each commitment in `commitments`, by id.
    by_id: HashMap<String, usize>,
    vocabulary: std::sync::OnceLock<std::collections::HashSet<String>>,
    commitment_words: std::sync::OnceLock<CommitmentWords>,
    /// Where the index is (for the files beside it).
    directory: PathBuf,
    source_terms: std::sync::OnceLock<std::collections::HashSet<String>>,
    /// Each commitment's topic terms (by position), worked out when first asked for.
    topic_terms: Vec<std::sync::OnceLock<std::collections::HashSet<String>>>,
    /// Facet values and publication days by ordinal, per segment.
    facet_tables: std::sync::Arc<FacetTables>,
    /// The recency factor of [`TUNING`] by days before `as_of` (the
    /// last entry for anything older): a search multiplies by it, with no
    /// date arithmetic per matching document.
    recency_factors: std::sync::Arc<Vec<f32>>,
}

impl Store {
    pub fn open(index_dir: &Path) -> Result<Store, IndexError> {
        if !index_dir.join("meta.json").exists() {
            return Err(IndexError::Missing(index_dir.to_path_buf()));
        }
        let index = Index::open_in_dir(index_dir)?;
        pairs::register(&index);
        let (expected, fields) = schema();
        if index.schema() != expected {
            return Err(IndexError::Outdated(index_dir.to_path_buf()));
        }
        let reader = index.reader()?;
        let searcher = reader.searcher();
        let commitment_query = TermQuery::new(
            Term::from_field_text(fields.record, "commitment"),
            IndexRecordOption::Basic,
        );
        let total = searcher.search(&commitment_query, &Count)?;
        let mut commitments = Vec::with_capacity(total);
        if total > 0 {
            for (_, address) in searcher.search(
                &commitment_query,
                &TopDocs::with_limit(total).order_by_score(),
            )? {
                // the summary's fields only: the evidence is skipped, not built
                let stored = read_json::<StoredSummary>(&searcher, fields.data, address)?;
                commitments.push(CommitmentSummary::from(stored));
            }
        }
        commitments.sort_by(|a, b| b.made.cmp(&a.made).then(a.id.cmp(&b.id)));
        let document_query = TermQuery::new(
            Term::from_field_text(fields.record, "document"),
            IndexRecordOption::Basic,
        );
        let documents = searcher.search(&document_query, &Count)?;
        let as_of = commitments
            .first()
            .map(|c| c.verdict.as_of.clone())
            .unwrap_or_default();
        let conversation_key = std::fs::read(index_dir.join(CONVERSATION_KEY_FILE))
            .ok()
            .filter(|key| key.len() >= 32)
            .unwrap_or_else(|| crate::ask::conversation::new_key().into_bytes());
        let by_id = commitments
            .iter()
            .enumerate()
            .map(|(position, commitment)| (commitment.id.clone(), position))
            .collect();
        let topic_terms = commitments
            .iter()
            .map(|_| std::sync::OnceLock::new())
            .collect();
        let facet_tables = FacetTables::read(&searcher, fields.record)?;
        let recency_factors = std::sync::Arc::new(recency_factors(TUNING.recency));
        Ok(Store {
            facet_tables: std::sync::Arc::new(facet_tables),
            recency_factors,
            source_terms: std::sync::OnceLock::new(),
            topic_terms,
            by_id,
            index,
            reader,
            fields,
            commitments,
            as_of,
            documents,
            conversation_key,
            vocabulary: std::sync::OnceLock::new(),
            commitment_words: std::sync::OnceLock::new(),
            directory: index_dir.to_path_buf(),
        })
    }

    /// Opens the index, building it from the corpus first when there is none.
    pub fn open_or_build(corpus_dir: &Path, index_dir: &Path) -> Result<Store, IndexError> {
        match Store::open(index_dir) {
            Err(IndexError::Missing(_) | IndexError::Outdated(_)) => {
                tracing::info!(index = %index_dir.display(), "no usable index: building it from the corpus");
                build(corpus_dir, index_dir, None, false)?;
                Store::open(index_dir)
            }
            other => other,
        }
    }

    fn restricted(&self, record: &str, query: Box<dyn Query>) -> BooleanQuery {
        let filter: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_text(self.fields.record, record),
            IndexRecordOption::Basic,
        ));
        BooleanQuery::new(vec![(Occur::Must, filter), (Occur::Must, query)])
    }

    /// The query for `text` over one kind of record's title and body
    /// fields (which only that kind of record has). Text naming a field
    /// itself (`id:...`) is kept to that kind of record too.
    fn parse(
        &self,
        text: &str,
        conjunction: bool,
        record: &str,
        (title, body): (Field, Field),
    ) -> Box<dyn Query> {
        let query = self.parse_fields(text, conjunction, title, body, &TUNING);
        if names_a_field(text) {
            Box::new(self.restricted(record, query))
        } else {
            query
        }
    }

    /// A document search's words over title and body, each exact phrase
    /// searched by its word pairs.
    fn parse_tuned(&self, text: &str, conjunction: bool, tuning: &Tuning) -> Box<dyn Query> {
        if !pairs::phrases_are_exact(text) {
            return self.parse_fields(
                text,
                conjunction,
                self.fields.title,
                self.fields.body,
                tuning,
            );
        }
        let mut parser =
            QueryParser::for_index(&self.index, vec![self.fields.title, self.fields.body]);
        if conjunction {
            parser.set_conjunction_by_default();
        }
        let (query, _errors) = parser.parse_query_lenient(text);
        pairs::Rewrite {
            title: self.fields.title,
            title_boost: tuning.title_boost,
            pairs: vec![
                (self.fields.title, self.fields.title_pairs),
                (self.fields.body, self.fields.body_pairs),
            ],
        }
        .apply(&*query)
    }

    fn parse_fields(
        &self,
        text: &str,
        conjunction: bool,
        title: Field,
        body: Field,
        tuning: &Tuning,
    ) -> Box<dyn Query> {
        let mut parser = QueryParser::for_index(&self.index, vec![title, body]);
        parser.set_field_boost(title, tuning.title_boost);
        if conjunction {
            parser.set_conjunction_by_default();
        }
        let (query, _errors) = parser.parse_query_lenient(text);
        query
    }

    /// Documents matching a query, 1-based pages of `HITS_PER_PAGE`. Filter
    /// syntax that does not parse is searched as words.
    pub fn search(&self, text: &str, page: usize) -> Result<SearchResults, IndexError> {
        let request = SearchRequest::parse(text).unwrap_or_else(|_| SearchRequest {
            text: text.to_string(),
            ..SearchRequest::default()
        });
        self.search_request(&request, page, HITS_PER_PAGE)
    }

    /// The query for a request: its words (with synonyms; every word, or
    /// when `relaxed` any word with all-words matches first) and its
    /// filters; and its words alone.
    fn request_query(
        &self,
        request: &SearchRequest,
        relaxed: bool,
        tuning: &Tuning,
    ) -> (Box<dyn Query>, Option<Box<dyn Query>>) {
        let typed = request.text.trim();
        let words = &*query::without_function_words(typed, typed);
        // every word (with synonyms), and when relaxed any word as typed
        // or any synonym phrase
        let texts: Option<(String, Option<String>)> = (!words.is_empty()).then(|| {
            let expanded = query::expand_synonyms(typed);
            let expanded = query::without_function_words(typed, &expanded).into_owned();
            let any = relaxed.then(|| format!("{words} {expanded}"));
            (expanded, any)
        });
        let user_query = texts.as_ref().map(|(every, any)| -> Box<dyn Query> {
            let all = self.parse_tuned(every, true, tuning);
            let Some(any) = any else {
                return all;
            };
            let any = self.parse_tuned(any, false, tuning);
            Box::new(BooleanQuery::new(vec![
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(all, tuning.all_words_boost)) as Box<dyn Query>,
                ),
                (Occur::Should, any),
            ]))
        });
        // Only document records have the fields words are searched in, so
        // the record kind is needed only without words, or when the text
        // names a field itself (`passage_body:...` must not find passages).
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(6);
        if user_query.is_none() || names_a_field(words) {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.record, "document"),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(user_query) = &user_query {
            clauses.push((Occur::Must, user_query.box_clone()));
        }
        for (field, value) in [
            (self.fields.publisher, &request.publisher),
            (self.fields.kind, &request.kind),
            (self.fields.verdict, &request.verdict),
        ] {
            if let Some(value) = value {
                clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, value),
                        IndexRecordOption::Basic,
                    )),
                ));
            }
        }
        if request.from.is_some() || request.to.is_some() {
            let term = |date: &str| Term::from_field_text(self.fields.published, date);
            // "0" sorts before every date and after the empty string of undated documents
            let lower = Bound::Included(term(request.from.as_deref().unwrap_or("0")));
            let upper = request
                .to
                .as_deref()
                .map_or(Bound::Unbounded, |to| Bound::Included(term(to)));
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        (Box::new(BooleanQuery::new(clauses)), user_query)
    }

    /// Documents matching a request: `limit` hits from the 1-based `page`,
    /// with facet counts over every match.
    pub fn search_request(
        &self,
        request: &SearchRequest,
        page: usize,
        limit: usize,
    ) -> Result<SearchResults, IndexError> {
        self.search_tuned(request, page, limit, &TUNING)
    }

    /// One search pass: the page of hits in `sort` order, the count of
    /// every match and their facet counts.
    fn collect_hits(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        sort: Sort,
        limit: usize,
        offset: usize,
        tuning: &Tuning,
    ) -> Result<(Vec<DocAddress>, (usize, RawFacets)), IndexError> {
        let facets = || {
            (
                Count,
                FacetCollector {
                    tables: self.facet_tables.clone(),
                },
            )
        };
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let found = match sort {
            Sort::Relevance if tuning.recency > 0.0 => {
                // factors by age in days: worked out when the index opened
                // for the served weights, here for others (when tuning)
                let factors = if tuning.recency == TUNING.recency {
                    self.recency_factors.clone()
                } else {
                    std::sync::Arc::new(recency_factors(tuning.recency))
                };
                let newest = approximate_days(&self.as_of)
                    .map_or(0, |days| (days - DAY_ZERO).max(0.0) as u32);
                let codes = self.facet_tables.codes.clone();
                let ranked = top.tweak_score(move |segment: &tantivy::SegmentReader| {
                    // looked up once per segment, not per document
                    let codes = codes
                        .get(&segment.segment_id())
                        .cloned()
                        .unwrap_or_default();
                    let factors = factors.clone();
                    move |doc: tantivy::DocId, score: tantivy::Score| {
                        let day = codes.get(doc as usize).map_or(0, |&code| code_day(code));
                        if day == 0 {
                            return score;
                        }
                        let age = newest.saturating_sub(day) as usize;
                        score * factors.get(age).or(factors.last()).copied().unwrap_or(1.0)
                    }
                });
                addresses_and_counts(searcher.search(query, &(ranked, facets()))?)
            }
            Sort::Relevance => {
                addresses_and_counts(searcher.search(query, &(top.order_by_score(), facets()))?)
            }
            Sort::Date => addresses_and_counts(searcher.search(
                query,
                &(
                    top.order_by_string_fast_field("published", Order::Desc),
                    facets(),
                ),
            )?),
        };
        Ok(found)
    }

    /// [`search_request`](Self::search_request) with other ranking weights
    /// (for tuning them).
    pub fn search_tuned(
        &self,
        request: &SearchRequest,
        page: usize,
        limit: usize,
        tuning: &Tuning,
    ) -> Result<SearchResults, IndexError> {
        let searcher = self.reader.searcher();
        let limit = limit.max(1);
        let offset = page.saturating_sub(1).saturating_mul(limit);
        let plain_words =
            request.text.split_whitespace().count() > 1 && !query::has_syntax(&request.text);
        // Every word first; only when few documents have them all is the
        // search run again with any word (one pass over the matches in the
        // usual case).
        let (query, mut user_query) = self.request_query(request, false, tuning);
        let (mut addresses, (mut total, mut raw_facets)) =
            self.collect_hits(&searcher, &*query, request.sort, limit, offset, tuning)?;
        let matched_all = total;
        let relaxed = plain_words && matched_all < RELAX_BELOW;
        if relaxed {
            let (query, relaxed_user_query) = self.request_query(request, true, tuning);
            (addresses, (total, raw_facets)) =
                self.collect_hits(&searcher, &*query, request.sort, limit, offset, tuning)?;
            user_query = relaxed_user_query;
        }
        let facets = Facets::from_raw(&self.facet_tables, &raw_facets);
        // the words' body stems (a phrase's from its pairs), to find the
        // paragraph to quote and mark them in it
        let mut terms: Vec<String> = Vec::new();
        if let Some(user_query) = &user_query {
            user_query.query_terms(&mut |term: &Term, _| {
                let field = term.field();
                if field != self.fields.body && field != self.fields.body_pairs {
                    return;
                }
                for stem in pairs::stems_of(term.value().as_str().unwrap_or_default()) {
                    if !terms.iter().any(|known| known == stem) {
                        terms.push(stem.to_string());
                    }
                }
            });
        }
        // weighed as tantivy's `SnippetGenerator::create` weighs them
        let mut weights = std::collections::BTreeMap::new();
        for stem in &terms {
            let found_in = searcher.doc_freq(&Term::from_field_text(self.fields.body, stem))?;
            if found_in > 0 {
                weights.insert(stem.clone(), 1.0 / (1.0 + found_in as Score));
            }
        }
        let snippets =
            SnippetGenerator::new(weights, pairs::marking(&terms), self.fields.body, 240);
        let matcher = TermMatcher::new(&terms);
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let stored: TantivyDocument = searcher.doc(address)?;
            let data = stored
                .get_first(self.fields.data)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            // only what a hit shows, borrowed from the stored JSON where it can be
            let document: HitView = serde_json::from_str(data)
                .map_err(|error| IndexError::Damaged(error.to_string()))?;
            // The snippet comes from the paragraph holding the most query
            // terms (by stem, as a substring, first such paragraph on ties),
            // cut to the stretch around its densest cluster of them:
            // stemming only that, not the whole document, keeps a long
            // report as cheap as a press release.
            let best = matcher.best_paragraph(&document.paragraphs);
            let mut snippet = match best {
                Some(paragraph) => snippets.snippet(matcher.window(&paragraph.text)),
                None => tantivy::snippet::Snippet::empty(),
            };
            snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
            let anchor = best
                .filter(|_| !snippet.is_empty())
                .map(|paragraph| paragraph.anchor.to_string());
            let html = if snippet.is_empty() {
                escape_html(&first_words(
                    document
                        .description
                        .as_deref()
                        .or(document.paragraphs.first().map(|p| &*p.text))
                        .unwrap_or_default(),
                    240,
                ))
            } else {
                snippet.to_html()
            };
            hits.push(SearchHit {
                illustrative: document.illustrative,
                id: document.id.into_owned(),
                url: document.url.into_owned(),
                title: document.title.into_owned(),
                publisher: document.publisher.into_owned(),
                kind: document.kind.into_owned(),
                published: document.published.map(Cow::into_owned),
                snippet: html,
                anchor,
            });
        }
        Ok(SearchResults {
            total,
            matched_all,
            relaxed,
            hits,
            facets,
        })
    }

    /// Plain BM25, the baseline search is measured against: the body
    /// (which holds the title too) with no boosts, any of the words, no
    /// synonyms, no filters. The URLs of the best `limit` documents.
    pub fn search_plain(&self, text: &str, limit: usize) -> Result<Vec<String>, IndexError> {
        let searcher = self.reader.searcher();
        let parser = QueryParser::for_index(&self.index, vec![self.fields.body]);
        let (query, _errors) = parser.parse_query_lenient(text);
        let query = self.restricted("document", query);
        let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
        let mut urls = Vec::with_capacity(top.len());
        for (_, address) in top {
            let stored: TantivyDocument = searcher.doc(address)?;
            let data = stored
                .get_first(self.fields.data)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let document: Document = serde_json::from_str(data)
                .map_err(|error| IndexError::Damaged(error.to_string()))?;
            urls.push(document.url);
        }
        Ok(urls)
    }

    pub fn document(&self, id: &str) -> Result<Option<Document>, IndexError> {
        self.record_by_id("document", id)
    }

    /// The stored JSON of the `record` with this id.
    fn record_by_id<T: serde::de::DeserializeOwned>(
        &self,
        record: &str,
        id: &str,
    ) -> Result<Option<T>, IndexError> {
        let searcher = self.reader.searcher();
        let query = self.restricted(
            record,
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.id, id),
                IndexRecordOption::Basic,
            )),
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match top.into_iter().next() {
            Some((_, address)) => read_json(&searcher, self.fields.data, address).map(Some),
            None => Ok(None),
        }
    }

    /// A commitment without its evidence.
    pub fn commitment_summary(&self, id: &str) -> Option<&CommitmentSummary> {
        self.by_id
            .get(id)
            .map(|position| &self.commitments[*position])
    }

    /// A whole commitment, with its sources and evidence, from the index.
    pub fn commitment(&self, id: &str) -> Result<Option<Commitment>, IndexError> {
        if !self.by_id.contains_key(id) {
            return Ok(None);
        }
        self.record_by_id("commitment", id)
    }

    /// Every whole commitment, one at a time, in index order: for work
    /// over all the evidence (verdicts as of a date, the spelling
    /// vocabulary, evaluation) without holding it all.
    pub fn for_each_commitment(&self, mut visit: impl FnMut(Commitment)) -> Result<(), IndexError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.record, "commitment"),
            IndexRecordOption::Basic,
        );
        let addresses = searcher.search(&query, &tantivy::collector::DocSetCollector)?;
        let mut addresses: Vec<DocAddress> = addresses.into_iter().collect();
        addresses.sort();
        for address in addresses {
            visit(read_json(&searcher, self.fields.data, address)?);
        }
        Ok(())
    }

    /// Every whole commitment, newest first (as `commitments`).
    pub fn all_commitments(&self) -> Result<Vec<Commitment>, IndexError> {
        let mut all = Vec::with_capacity(self.commitments.len());
        self.for_each_commitment(|commitment| all.push(commitment))?;
        all.sort_by_key(|commitment| self.by_id.get(&commitment.id).copied());
        Ok(all)
    }

    /// The commitments a document makes or assesses, newest first.
    pub fn commitments_citing(&self, doc_id: &str) -> Result<Vec<&CommitmentSummary>, IndexError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.cites, doc_id),
            IndexRecordOption::Basic,
        );
        let mut positions = Vec::new();
        for address in searcher.search(&query, &tantivy::collector::DocSetCollector)? {
            let stored: TantivyDocument = searcher.doc(address)?;
            if let Some(position) = stored
                .get_first(self.fields.id)
                .and_then(|v| v.as_str())
                .and_then(|id| self.by_id.get(id))
            {
                positions.push(*position);
            }
        }
        positions.sort_unstable();
        Ok(positions
            .into_iter()
            .map(|position| &self.commitments[position])
            .collect())
    }

    /// Commitments matching words (any of them), best first.
    pub fn search_commitments(
        &self,
        text: &str,
        limit: usize,
    ) -> Result<Vec<(f32, Commitment)>, IndexError> {
        let searcher = self.reader.searcher();
        let query = self.parse(
            text,
            false,
            "commitment",
            (self.fields.commitment_title, self.fields.commitment_body),
        );
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut found = Vec::with_capacity(top.len());
        for (score, address) in top {
            found.push((score, read_json(&searcher, self.fields.data, address)?));
        }
        Ok(found)
    }

    /// Paragraphs matching words (any of them), best first.
    pub fn search_passages(&self, text: &str, limit: usize) -> Result<Vec<PassageHit>, IndexError> {
        let searcher = self.reader.searcher();
        let query = self.parse(
            text,
            false,
            "passage",
            (self.fields.passage_title, self.fields.passage_body),
        );
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut found = Vec::with_capacity(top.len());
        for (score, address) in top {
            let stored: TantivyDocument = searcher.doc(address)?;
            let text_of = |field: Field| {
                stored
                    .get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            found.push(PassageHit {
                score,
                doc_id: text_of(self.fields.doc_id),
                anchor: text_of(self.fields.anchor),
                text: text_of(self.fields.passage_body),
                title: text_of(self.fields.passage_title),
            });
        }
        Ok(found)
    }

    /// The commitments' words and source names: written beside the index
    /// when it was built, or (an index built before that) gathered from
    /// every commitment now.
    fn commitment_words(&self) -> &CommitmentWords {
        self.commitment_words.get_or_init(|| {
            let path = self.directory.join(COMMITMENT_WORDS_FILE);
            if let Some(words) = std::fs::read(&path)
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            {
                return words;
            }
            let mut words = CommitmentWords::default();
            if let Err(error) = self.for_each_commitment(|commitment| words.add(&commitment)) {
                tracing::warn!(%error, "spelling vocabulary: commitments unreadable");
            }
            words
        })
    }

    /// The words of the commitments and of the titles and assessors of
    /// their evidence: what a question's words are corrected towards.
    pub fn vocabulary(&self) -> &std::collections::HashSet<String> {
        self.vocabulary.get_or_init(|| {
            let mut words: std::collections::HashSet<String> =
                self.commitment_words().words.iter().cloned().collect();
            for set in crate::lexicon::SYNONYMS.iter() {
                for phrase in &set.phrases {
                    words.extend(
                        phrase
                            .split(' ')
                            .filter(|w| w.chars().all(char::is_alphabetic))
                            .map(str::to_string),
                    );
                }
            }
            words
        })
    }

    /// The words of who made and who assessed the commitments (publishers
    /// of sources, assessors), widened by synonyms ("nao"): a question
    /// made only of these names a source, not a topic.
    pub fn source_terms(&self) -> &std::collections::HashSet<String> {
        self.source_terms.get_or_init(|| {
            let names = &self.commitment_words().sources;
            names
                .iter()
                .flat_map(|name| crate::lexicon::expanded_terms(name))
                .collect()
        })
    }

    /// What a commitment can be found by: the stemmed words of its text,
    /// its target, the titles of its sources and evidence, its assessors
    /// and their quotes, widened by the synonym list. Worked out once per
    /// commitment and kept: a commitment with many assessments has a long
    /// text, and a question looks at up to twenty commitments.
    pub fn topic_terms(
        &self,
        commitment: &Commitment,
    ) -> std::borrow::Cow<'_, std::collections::HashSet<String>> {
        match self
            .by_id
            .get(&commitment.id)
            .and_then(|position| self.topic_terms.get(*position))
        {
            Some(cell) => {
                std::borrow::Cow::Borrowed(cell.get_or_init(|| topic_terms_of(commitment)))
            }
            // not one of this store's commitments: nothing to keep it in
            None => std::borrow::Cow::Owned(topic_terms_of(commitment)),
        }
    }

    /// The key that signs conversation tokens.
    pub fn conversation_key(&self) -> &[u8] {
        &self.conversation_key
    }

    pub fn counts_by_status(&self) -> Vec<(Status, usize)> {
        Status::ALL
            .iter()
            .map(|status| {
                (
                    *status,
                    self.commitments
                        .iter()
                        .filter(|c| c.verdict.status == *status)
                        .count(),
                )
            })
            .collect()
    }
}

/// Whether search text may name a field itself (`id:...`, `record:...`):
/// tantivy's parser then searches that field, whatever the kind of record.
fn names_a_field(text: &str) -> bool {
    text.contains(':')
}

/// A stored commitment read for its summary: of the evidence only the
/// dates (when the verdict last changed) are kept.
#[derive(Deserialize)]
struct StoredSummary {
    id: String,
    text: String,
    maker: String,
    #[serde(default)]
    made: Option<String>,
    #[serde(default)]
    deadline: Option<String>,
    #[serde(default)]
    deadline_text: Option<String>,
    #[serde(default)]
    target: Option<crate::model::Figure>,
    verdict: crate::model::Verdict,
    #[serde(default)]
    assessments: Vec<StoredDate>,
}

#[derive(Deserialize)]
struct StoredDate {
    #[serde(default)]
    date: Option<String>,
}

impl From<StoredSummary> for CommitmentSummary {
    fn from(stored: StoredSummary) -> CommitmentSummary {
        let changed = crate::model::verdict_changed(
            stored.assessments.iter().map(|a| a.date.as_deref()),
            stored.made.as_deref(),
            &stored.verdict.as_of,
        );
        CommitmentSummary {
            id: stored.id,
            text: stored.text,
            maker: stored.maker,
            made: stored.made,
            deadline: stored.deadline,
            deadline_text: stored.deadline_text,
            target: stored.target,
            verdict: stored.verdict,
            changed,
        }
    }
}

/// A record's stored JSON (a document or a whole commitment).
fn read_json<T: serde::de::DeserializeOwned>(
    searcher: &tantivy::Searcher,
    data: Field,
    address: DocAddress,
) -> Result<T, IndexError> {
    let stored: TantivyDocument = searcher.doc(address)?;
    let json = stored
        .get_first(data)
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    serde_json::from_str(json).map_err(|error| IndexError::Damaged(error.to_string()))
}

fn topic_terms_of(commitment: &Commitment) -> std::collections::HashSet<String> {
    let mut text = commitment.text.clone();
    for source in &commitment.sources {
        text.push(' ');
        text.push_str(&source.title);
    }
    for assessment in &commitment.assessments {
        text.push(' ');
        text.push_str(&assessment.citation.title);
        text.push(' ');
        text.push_str(&assessment.assessor);
        text.push(' ');
        text.push_str(&assessment.citation.quote);
    }
    if let Some(target) = &commitment.target {
        text.push(' ');
        text.push_str(&target.counts);
    }
    crate::lexicon::expanded_terms(&text).into_iter().collect()
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Finds a search's body terms (stems) in stored text, as substrings
/// and with ASCII case ignored: no lower-cased copy of each paragraph.
struct TermMatcher {
    automaton: Option<aho_corasick::AhoCorasick>,
    /// Bit mask with one bit per term (at most 64 are told apart).
    every: u64,
}

/// Bytes of a paragraph given to the snippet generator: a 240-character
/// snippet's worth of context on either side of the densest cluster.
const SNIPPET_WINDOW: usize = 720;

impl TermMatcher {
    fn new(terms: &[String]) -> TermMatcher {
        let terms = &terms[..terms.len().min(64)];
        let automaton = (!terms.is_empty())
            .then(|| {
                // built for each search and run over 20 documents: an NFA,
                // quick to build, not a DFA (a twentieth of a small search)
                aho_corasick::AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
                    .build(terms)
                    .ok()
            })
            .flatten();
        TermMatcher {
            automaton,
            every: if terms.len() == 64 {
                u64::MAX
            } else {
                (1u64 << terms.len()) - 1
            },
        }
    }

    /// `(start, term bit)` of every match in `text`.
    fn matches<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (usize, u64)> + 'a {
        self.automaton.iter().flat_map(move |automaton| {
            automaton
                .find_overlapping_iter(text)
                .map(|found| (found.start(), 1u64 << found.pattern().as_usize()))
        })
    }

    /// The terms (as a bit mask) `text` holds.
    fn found(&self, text: &str) -> u64 {
        let mut found = 0;
        for (_, bit) in self.matches(text) {
            found |= bit;
            if found == self.every {
                break;
            }
        }
        found
    }

    /// The paragraph holding the most terms, the first on ties; none
    /// when no paragraph holds any.
    fn best_paragraph<'p, 'a>(
        &self,
        paragraphs: &'p [ParagraphView<'a>],
    ) -> Option<&'p ParagraphView<'a>> {
        let mut best: Option<(u32, &ParagraphView)> = None;
        for paragraph in paragraphs {
            let count = self.found(&paragraph.text).count_ones();
            if count > best.map_or(0, |(most, _)| most) {
                best = Some((count, paragraph));
                if self.every.count_ones() == count {
                    break;
                }
            }
        }
        best.map(|(_, paragraph)| paragraph)
    }

    /// `text`, or when it is long the stretch of it around the place
    /// where the most terms fall within a snippet's length (the first
    /// such place), cut at spaces.
    fn window<'t>(&self, text: &'t str) -> &'t str {
        if text.len() <= SNIPPET_WINDOW {
            return text;
        }
        let found: Vec<(usize, u64)> = self.matches(text).collect();
        let mut centre = found.first().map_or(0, |(start, _)| *start);
        let mut most = 0;
        for (at, (start, _)) in found.iter().enumerate() {
            let reach = found[at..]
                .iter()
                .take_while(|(other, _)| other - start < SNIPPET_WINDOW / 3)
                .fold(0u64, |mask, (_, bit)| mask | bit)
                .count_ones();
            if reach > most {
                (most, centre) = (reach, *start);
            }
        }
        let mut from = centre.saturating_sub(SNIPPET_WINDOW / 3);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (from + SNIPPET_WINDOW).min(text.len());
        while !text.is_char_boundary(to) {
            to -= 1;
        }
        let mut window = &text[from..to];
        if from > 0
            && let Some(space) = window.find(' ')
            && from + space < centre
        {
            window = &window[space + 1..];
        }
        if to < text.len()
            && let Some(space) = window.rfind(' ')
        {
            window = &window[..space];
        }
        window
    }
}

fn first_words(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    match cut.rfind(' ') {
        Some(position) => format!("{}…", &cut[..position]),
        None => format!("{cut}…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraph(text: &str) -> ParagraphView<'_> {
        ParagraphView {
            anchor: Cow::Borrowed("p-1"),
            text: Cow::Borrowed(text),
        }
    }

    #[test]
    fn the_snippet_paragraph_holds_the_most_terms_the_first_on_ties() {
        let matcher = TermMatcher::new(&["nurs".to_string(), "recruit".to_string()]);
        let paragraphs = [
            paragraph("Hospitals will open."),
            paragraph("More NURSES are needed."),
            paragraph("We will Recruit 50,000 more nurses."),
            paragraph("Recruiting nurses takes time."),
        ];
        let best = matcher.best_paragraph(&paragraphs).expect("a paragraph");
        assert_eq!(best.text, "We will Recruit 50,000 more nurses.");
        assert!(matcher.best_paragraph(&paragraphs[..1]).is_none());
        assert!(TermMatcher::new(&[]).best_paragraph(&paragraphs).is_none());
    }

    #[test]
    fn a_long_paragraph_is_cut_around_its_densest_cluster_of_terms() {
        let filler = "the report describes other matters at some length ".repeat(40);
        let text = format!("{filler}one nurse here {filler}nurses will be recruited now {filler}");
        let matcher = TermMatcher::new(&["nurs".to_string(), "recruit".to_string()]);
        let window = matcher.window(&text);
        assert!(window.len() <= SNIPPET_WINDOW, "{}", window.len());
        assert!(window.contains("nurses will be recruited now"), "{window}");
        assert!(!window.starts_with(' ') && !window.ends_with(' '));
        // short text, or a multi-byte character at a cut, is left whole
        assert_eq!(matcher.window("nurses"), "nurses");
        let accented = format!("{}nurses {}", "é".repeat(500), "é".repeat(500));
        assert!(matcher.window(&accented).contains("nurses"));
    }
}
