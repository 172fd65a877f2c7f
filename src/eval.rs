//! Evaluation against the gold sets in `tests/`: commitment detection,
//! stances and deadlines on hand-labelled sentences, commitments and
//! verdicts on the bundled corpus's answer key, and ask on the question
//! set. Dev and held-out parts are scored separately; the held-out part is
//! never used for tuning.

pub mod search;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analyze::{assessments, commitments};
use crate::extract::text::fold_for_search;
use crate::index::Store;
use crate::model::{Commitment, Stance};

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: {message}")]
    Gold { path: String, message: String },
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
}

#[derive(Debug, Deserialize)]
struct SentenceFile {
    sentence: Vec<GoldSentence>,
}

#[derive(Debug, Deserialize)]
struct GoldSentence {
    text: String,
    published: String,
    commitment: bool,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    stance: String,
    split: String,
}

#[derive(Debug, Deserialize)]
struct KeyFile {
    commitment: Vec<KeyCommitment>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct KeyCommitment {
    pub id: String,
    pub source: String,
    pub quote: String,
    pub verdict: String,
    #[serde(default)]
    pub target: String,
}

#[derive(Debug, Deserialize)]
struct QuestionFile {
    question: Vec<GoldQuestion>,
}

#[derive(Debug, Deserialize)]
struct GoldQuestion {
    id: String,
    text: String,
    #[serde(default)]
    follows: String,
    expect: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    relevant: Vec<String>,
    split: String,
}

/// A ratio with its counts, so a report can say "0.91 (41/45)".
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Ratio {
    pub hits: usize,
    pub total: usize,
}

impl Ratio {
    pub fn value(self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.hits as f64 / self.total as f64
        }
    }

    fn add(&mut self, hit: bool) {
        self.total += 1;
        if hit {
            self.hits += 1;
        }
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{:.2} ({}/{})",
            self.value(),
            self.hits,
            self.total
        )
    }
}

/// Scores for one split of the sentence gold set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SentenceScores {
    pub commitment_precision: Ratio,
    pub commitment_recall: Ratio,
    pub deadline_accuracy: Ratio,
    pub stance_accuracy: Ratio,
    /// Sentences that judge nothing (gold stance empty) given no stance:
    /// the other side of stance accuracy, which only counts judgments.
    pub stance_quiet: Ratio,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AskScores {
    pub verdict_accuracy: Ratio,
    pub citation_precision: Ratio,
    pub found_nothing: Ratio,
    pub uncited_sentences: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub sentences: BTreeMap<String, SentenceScores>,
    pub corpus_commitment_precision: Ratio,
    pub corpus_commitment_recall: Ratio,
    pub verdict_accuracy: Ratio,
    pub verdict_misses: Vec<String>,
    pub ask: BTreeMap<String, AskScores>,
    pub ask_misses: Vec<String>,
    pub sentence_dev_misses: Vec<String>,
    /// Search ranking on the judged queries, by split.
    pub search: BTreeMap<String, search::SearchScores>,
    /// Per dev query: nDCG@10 of search and of plain BM25.
    pub search_dev_lines: Vec<String>,
    /// The grid's best weights on dev, with their dev and held-out nDCG@10.
    pub search_tuning: Option<(crate::index::Tuning, f64, f64)>,
}

/// The development split of the sentence gold set as (sentence, makes a
/// commitment) pairs, in file order: what the commitment model learns
/// from. The held-out split is never read here.
pub fn dev_examples(gold_dir: &Path) -> Result<Vec<(String, bool)>, EvalError> {
    let file: SentenceFile = read_toml(&gold_dir.join("gold/sentences.toml"))?;
    Ok(file
        .sentence
        .into_iter()
        .filter(|sentence| sentence.split == "dev")
        .map(|sentence| (sentence.text, sentence.commitment))
        .collect())
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|error| EvalError::Gold {
        path: path.display().to_string(),
        message: error.to_string(),
    })?;
    toml::from_str(&text).map_err(|error| EvalError::Gold {
        path: path.display().to_string(),
        message: error.to_string(),
    })
}

fn gold_stance(label: &str) -> Option<Stance> {
    match label {
        "met" => Some(Stance::Met),
        "partly_met" => Some(Stance::PartlyMet),
        "not_met" => Some(Stance::NotMet),
        "on_track" => Some(Stance::OnTrack),
        "off_track" => Some(Stance::OffTrack),
        "delayed" => Some(Stance::Delayed),
        "abandoned" => Some(Stance::Abandoned),
        _ => None,
    }
}

/// Scores the sentence gold set.
pub fn score_sentences(gold_dir: &Path) -> Result<BTreeMap<String, SentenceScores>, EvalError> {
    score_sentences_listing(gold_dir, &mut Vec::new())
}

/// Scores the sentence gold set and lists the dev split's misses (the
/// held-out split's misses are never shown, so that nobody tunes on them).
pub fn score_sentences_listing(
    gold_dir: &Path,
    dev_misses: &mut Vec<String>,
) -> Result<BTreeMap<String, SentenceScores>, EvalError> {
    let file: SentenceFile = read_toml(&gold_dir.join("gold/sentences.toml"))?;
    let mut scores: BTreeMap<String, SentenceScores> = BTreeMap::new();
    for sentence in &file.sentence {
        let split = scores.entry(sentence.split.clone()).or_default();
        let found = commitments::commitments_in_sentence(&sentence.text, Some(&sentence.published));
        let predicted = !found.is_empty();
        if predicted {
            split.commitment_precision.add(sentence.commitment);
        }
        if sentence.commitment {
            split.commitment_recall.add(predicted);
            if predicted && !sentence.deadline.is_empty() {
                let deadline = found[0].0.as_ref().map(|deadline| deadline.date.as_str());
                let right = deadline == Some(sentence.deadline.as_str());
                split.deadline_accuracy.add(right);
                if !right && sentence.split == "dev" {
                    dev_misses.push(format!(
                        "deadline {deadline:?} (gold {:?}): {}",
                        sentence.deadline, sentence.text
                    ));
                }
            }
        }
        let predicted_stance = assessments::stance_of(&sentence.text);
        match gold_stance(&sentence.stance) {
            Some(expected) => split
                .stance_accuracy
                .add(predicted_stance == Some(expected)),
            None => split.stance_quiet.add(predicted_stance.is_none()),
        }
        if sentence.split == "dev" {
            let stance_wrong = predicted_stance != gold_stance(&sentence.stance);
            if predicted != sentence.commitment || stance_wrong {
                dev_misses.push(format!(
                    "commitment {predicted} (gold {}), stance {:?} (gold {:?}): {}",
                    sentence.commitment, predicted_stance, sentence.stance, sentence.text
                ));
            }
        }
    }
    Ok(scores)
}

pub fn load_key(gold_dir: &Path) -> Result<Vec<KeyCommitment>, EvalError> {
    let folder = gold_dir.join("answer_key");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .map_err(|error| EvalError::Gold {
            path: folder.display().to_string(),
            message: error.to_string(),
        })?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().and_then(|e| e.to_str()) == Some("toml"))
        .collect();
    files.sort();
    let mut all = Vec::new();
    for path in files {
        let file: KeyFile = read_toml(&path)?;
        all.extend(file.commitment);
    }
    Ok(all)
}

/// The commitment a key entry names: made in its source document, in a
/// sentence containing its quote; when a sentence holds two targets, the
/// one whose target the key names.
pub fn find_key_commitment<'a>(
    commitments: &'a [Commitment],
    key: &KeyCommitment,
    captures: &HashMap<String, String>,
) -> Option<&'a Commitment> {
    let quote = fold_for_search(&key.quote);
    let source = format!("site/{}", key.source);
    let matching: Vec<&Commitment> = commitments
        .iter()
        .filter(|commitment| {
            commitment.sources.iter().any(|citation| {
                captures.get(&citation.doc_id) == Some(&source)
                    && fold_for_search(&citation.quote).contains(&quote)
            })
        })
        .collect();
    if matching.len() > 1 {
        let target = fold_for_search(&key.target);
        if let Some(best) = matching.iter().find(|c| {
            c.target
                .as_ref()
                .is_some_and(|t| target.contains(&fold_for_search(&t.text)))
        }) {
            return Some(best);
        }
    }
    matching.first().copied()
}

/// Where each document that commitments cite was captured, by document id.
pub fn capture_map(store: &Store, commitments: &[Commitment]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for commitment in commitments {
        for id in commitment.cited_documents() {
            if !map.contains_key(id)
                && let Ok(Some(document)) = store.document(id)
            {
                map.insert(id.to_string(), document.capture);
            }
        }
    }
    map
}

/// Scores the answer key (commitments found, verdicts) and the question set.
pub fn score_corpus(store: &Store, gold_dir: &Path, report: &mut Report) -> Result<(), EvalError> {
    let key = load_key(gold_dir)?;
    let commitments = store.all_commitments()?;
    let mut captures = capture_map(store, &commitments);
    let mut matched_ids = std::collections::HashSet::new();
    let mut key_to_commitment: HashMap<String, String> = HashMap::new();
    for entry in &key {
        let found = find_key_commitment(&commitments, entry, &captures);
        report.corpus_commitment_recall.add(found.is_some());
        match found {
            Some(commitment) => {
                matched_ids.insert(commitment.id.clone());
                key_to_commitment.insert(entry.id.clone(), commitment.id.clone());
                // the analysis is scored, not an editor's override of it
                let computed = commitment.verdict.computed();
                let right = computed.as_str() == entry.verdict;
                report.verdict_accuracy.add(right);
                if !right {
                    report.verdict_misses.push(format!(
                        "{}: expected {}, got {} ({})",
                        entry.id,
                        entry.verdict,
                        computed.as_str(),
                        commitment.verdict.reasons.join("; ")
                    ));
                }
            }
            None => {
                report.verdict_accuracy.add(false);
                report
                    .verdict_misses
                    .push(format!("{}: not found as a commitment", entry.id));
            }
        }
    }
    for commitment in &commitments {
        report
            .corpus_commitment_precision
            .add(matched_ids.contains(&commitment.id));
    }

    let questions: QuestionFile = read_toml(&gold_dir.join("gold/questions.toml"))?;
    let mut tokens: HashMap<String, String> = HashMap::new();
    for question in &questions.question {
        let scores = report.ask.entry(question.split.clone()).or_default();
        let token = (!question.follows.is_empty())
            .then(|| tokens.get(&question.follows).cloned())
            .flatten();
        let answer = match crate::ask::ask_in_conversation(store, &question.text, token.as_deref())
        {
            Ok(answer) => answer,
            Err(error) => {
                report.ask_misses.push(format!(
                    "{} {:?}: error {error}",
                    question.id, question.text
                ));
                scores.verdict_accuracy.add(false);
                continue;
            }
        };
        if let Some(token) = &answer.conversation {
            tokens.insert(question.id.clone(), token.clone());
        }
        let expected_commitment = key_to_commitment.get(&question.expect);
        let got = answer.commitment.as_ref().map(|c| c.id.clone());
        let right = if question.expect.is_empty() {
            answer.status.is_none()
        } else {
            answer.status.map(|s| s.as_str()) == Some(question.verdict.as_str())
                && (expected_commitment.is_none() || got.as_ref() == expected_commitment)
        };
        scores.verdict_accuracy.add(right);
        if question.expect.is_empty() {
            scores.found_nothing.add(answer.status.is_none());
        }
        if !right && question.split == "dev" {
            report.ask_misses.push(format!(
                "{} {:?}: expected {} {}, got {} {}",
                question.id,
                question.text,
                question.expect,
                question.verdict,
                answer.status.map(|s| s.as_str()).unwrap_or("nothing"),
                answer
                    .commitment
                    .as_ref()
                    .map(|c| c.text.chars().take(70).collect::<String>())
                    .unwrap_or_default()
            ));
        }
        for citation in &answer.citations {
            let doc_id = citation
                .permalink
                .trim_start_matches("/documents/")
                .split('#')
                .next()
                .unwrap_or_default()
                .to_string();
            if !captures.contains_key(&doc_id)
                && let Ok(Some(document)) = store.document(&doc_id)
            {
                captures.insert(doc_id.clone(), document.capture);
            }
            let path = captures
                .get(&doc_id)
                .map(|capture| capture.trim_start_matches("site/").to_string())
                .unwrap_or_default();
            if !question.relevant.is_empty() {
                let relevant = question.relevant.contains(&path);
                scores.citation_precision.add(relevant);
                // a right answer citing an irrelevant document: the
                // wrong-answer lines above already cover the others
                if !relevant && right && question.split == "dev" {
                    report.ask_misses.push(format!(
                        "{} {:?}: cites [{}] {path} ({}), not a relevant document",
                        question.id, question.text, citation.number, citation.role
                    ));
                }
            }
        }
        scores.uncited_sentences += uncited_sentences(&answer);
    }
    Ok(())
}

/// Sentences of an answer that carry no citation and are not a plain
/// statement that something was not found.
pub fn uncited_sentences(answer: &crate::ask::Answer) -> usize {
    if answer.status.is_none() {
        return 0;
    }
    crate::analyze::sentences::split(&answer.answer)
        .into_iter()
        .filter(|sentence| {
            !sentence.contains('[')
                && !sentence.starts_with("No ")
                && !sentence.contains("other commitment")
                && !sentence.contains("as of")
        })
        .count()
}

/// Builds the index of `corpus` in a scratch folder and scores everything.
pub fn run(corpus: &Path, gold_dir: &Path) -> Result<Report, EvalError> {
    let scratch = std::env::temp_dir().join(format!("pledgewatch-eval-{}", std::process::id()));
    let index_dir = scratch.join("index");
    crate::index::build(corpus, &index_dir, None, false)?;
    let mut report = Report::default();
    report.sentences = score_sentences_listing(gold_dir, &mut report.sentence_dev_misses)?;
    {
        let store = Store::open(&index_dir)?;
        score_corpus(&store, gold_dir, &mut report)?;
        let judged = search::load(gold_dir)?;
        report.search = search::score(&store, &judged, &mut report.search_dev_lines)?;
        if !judged.is_empty() {
            report.search_tuning = Some(search::tune(&store, &judged)?);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(report)
}

impl std::fmt::Display for Report {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            out,
            "analysis: hand-labelled sentences (tests/gold/sentences.toml)"
        )?;
        for (split, scores) in &self.sentences {
            writeln!(
                out,
                "  {split:8} commitment precision {}  recall {}",
                scores.commitment_precision, scores.commitment_recall
            )?;
            writeln!(
                out,
                "  {split:8} deadline accuracy {}  stance accuracy {}  no stance where none {}",
                scores.deadline_accuracy, scores.stance_accuracy, scores.stance_quiet
            )?;
        }
        for miss in &self.sentence_dev_misses {
            writeln!(out, "    dev miss: {miss}")?;
        }
        writeln!(
            out,
            "analysis: bundled corpus against its answer key (tests/answer_key/)"
        )?;
        writeln!(
            out,
            "  commitment precision {}  recall {}",
            self.corpus_commitment_precision, self.corpus_commitment_recall
        )?;
        writeln!(out, "  verdict accuracy {}", self.verdict_accuracy)?;
        for miss in &self.verdict_misses {
            writeln!(out, "    miss: {miss}")?;
        }
        writeln!(out, "ask: question set (tests/gold/questions.toml)")?;
        for (split, scores) in &self.ask {
            writeln!(
                out,
                "  {split:8} verdict accuracy {}  citation precision {}  found-nothing {}  uncited sentences {}",
                scores.verdict_accuracy,
                scores.citation_precision,
                scores.found_nothing,
                scores.uncited_sentences
            )?;
        }
        for miss in &self.ask_misses {
            writeln!(out, "    miss: {miss}")?;
        }
        writeln!(out, "search: judged queries (tests/gold/search.toml)")?;
        for (split, scores) in &self.search {
            writeln!(
                out,
                "  {split:8} nDCG@10 {:.3}  plain BM25 {:.3}  ({} queries)",
                scores.ndcg, scores.bm25_ndcg, scores.queries
            )?;
        }
        if let Some((tuning, dev, heldout)) = &self.search_tuning {
            writeln!(
                out,
                "  grid best on dev: title boost {}, all-words boost {}, recency {} (dev {dev:.3}, heldout {heldout:.3}); in use: {:?}",
                tuning.title_boost,
                tuning.all_words_boost,
                tuning.recency,
                crate::index::TUNING
            )?;
        }
        for line in &self.search_dev_lines {
            writeln!(out, "    dev: {line}")?;
        }
        Ok(())
    }
}
