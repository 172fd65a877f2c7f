//! Ask: answers a question with a verdict and its sources, or says plainly
//! that nothing was found. Extractive: every sentence of an answer quotes
//! or restates a cited paragraph. With a language model configured
//! (`--llm-url`), [`rephrase`] may reword the answer from its cited
//! passages; the wording is shown only when every sentence passes
//! `phrasing::check`, and the verdict is never the model's.

pub mod conversation;
pub mod llm;
pub mod phrasing;

use serde::Serialize;

use crate::analyze::figures::find_figures;
use crate::index::{IndexError, MAX_QUERY_CHARS, Store};
use crate::lexicon::content_terms;
use crate::model::{Assessment, Citation, Commitment, Status};
use conversation::{Conversation, ConversationError};

#[derive(Debug, thiserror::Error)]
pub enum AskError {
    #[error("the question is empty: type a few words, e.g. “was the NHS App target met?”")]
    Empty,
    #[error("the question is too long ({0} characters; at most {MAX_QUERY_CHARS})")]
    TooLong(usize),
    #[error(transparent)]
    Conversation(#[from] ConversationError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// What the question wants to know.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Was it met? (the default)
    Verdict,
    /// Who promised it, who assessed it.
    Who,
    /// When was it promised, by when.
    When,
    /// What was promised.
    What,
}

pub fn intent_of(question: &str) -> Intent {
    let lower = crate::extract::text::fold_for_search(question);
    let starts = |prefixes: &[&str]| {
        prefixes
            .iter()
            .any(|prefix| lower.trim_start().starts_with(prefix))
    };
    if starts(&[
        "who ",
        "according to whom",
        "whose ",
        "which body",
        "which department",
        "which committee",
    ]) || lower.contains("who said")
        || lower.contains("who says")
    {
        Intent::Who
    } else if starts(&["when ", "by when", "what date", "what year", "how long"])
        || lower.contains("deadline")
    {
        Intent::When
    } else if starts(&[
        "what was promised",
        "what did they promise",
        "what did the government promise",
        "what is the promise",
        "what's the promise",
    ]) {
        Intent::What
    } else {
        Intent::Verdict
    }
}

/// A citation as the API gives it.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerCitation {
    pub number: usize,
    pub url: String,
    pub title: String,
    pub publisher: String,
    pub published: Option<String>,
    pub paragraph: String,
    pub quote: String,
    /// pledgewatch's own page for the document, at the paragraph.
    pub permalink: String,
    pub captured: String,
    /// `commitment`, `government` or `independent`.
    pub role: String,
    pub illustrative: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct OtherMatch {
    pub id: String,
    pub text: String,
    pub status: Status,
}

#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub question: String,
    pub answer: String,
    pub status: Option<Status>,
    pub commitment: Option<Commitment>,
    pub citations: Vec<AnswerCitation>,
    /// Other commitments that match the question about as well.
    pub also_matching: Vec<OtherMatch>,
    /// Searches to try when nothing was found.
    pub suggestions: Vec<String>,
    pub as_of: Option<String>,
    pub intent: Intent,
    /// True when the question was read as a follow-up of the conversation.
    pub follow_up: bool,
    /// The token to send with the next question of this conversation.
    pub conversation: Option<String>,
    /// True when `answer` is a language model's wording, checked against
    /// the cited passages.
    pub generated: bool,
    /// Why a model's wording is not shown (it failed the check, or the
    /// model could not be reached); `None` when none was asked for.
    pub generation_note: Option<String>,
    /// The verdict sentence of the extractive answer: kept first when the
    /// rest is reworded, so the verdict is never the model's.
    #[serde(skip)]
    pub verdict_line: Option<String>,
}

/// Validates a question: not empty, not too long, no control characters.
pub fn clean_question(question: &str) -> Result<String, AskError> {
    let count = question.chars().count();
    if count > MAX_QUERY_CHARS {
        return Err(AskError::TooLong(count));
    }
    let cleaned: String = question
        .chars()
        .map(|ch| if ch.is_control() { ' ' } else { ch })
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if !cleaned.chars().any(char::is_alphanumeric) {
        return Err(AskError::Empty);
    }
    Ok(cleaned)
}

/// The words to look for: the question's topic words and their synonyms.
pub fn expand(question: &str) -> Vec<String> {
    crate::lexicon::expanded_terms(question)
}

fn citation_of(citation: &Citation, number: usize, role: &str) -> AnswerCitation {
    AnswerCitation {
        number,
        url: citation.url.clone(),
        title: citation.title.clone(),
        publisher: citation.publisher.clone(),
        published: citation.published.clone(),
        paragraph: citation.paragraph.clone(),
        quote: citation.quote.clone(),
        permalink: format!("/documents/{}#{}", citation.doc_id, citation.paragraph),
        captured: citation.captured.clone(),
        role: role.to_string(),
        illustrative: citation.illustrative,
    }
}

/// The retrieval query for a question: its topic words, and every synonym
/// of a phrase it mentions, a phrase of several words in quotes. Quoted,
/// "registered nurses" finds nurses; as loose words, its "registered"
/// finds every registration target.
pub fn retrieval_query(question: &str) -> String {
    let mut parts: Vec<String> = content_terms(question);
    for set in crate::lexicon::mentioned_synonyms(question) {
        for phrase in &set.phrases {
            if phrase.contains(' ') {
                parts.push(format!("\"{}\"", phrase.replace('"', "")));
            } else {
                parts.push(phrase.clone());
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    parts.retain(|part| seen.insert(part.clone()));
    parts.join(" ")
}

/// How much of the question a commitment covers: the share of the
/// question's topic terms found in the commitment and its evidence
/// (`Store::topic_terms`, worked out once per commitment).
fn coverage(question_terms: &[String], known: &std::collections::HashSet<String>) -> f64 {
    if question_terms.is_empty() {
        return 0.0;
    }
    let found = question_terms
        .iter()
        .filter(|term| known.contains(*term))
        .count();
    found as f64 / question_terms.len() as f64
}

/// Words of a question about what the sources think rather than about a
/// topic ("do they agree?", "what was the verdict?"), stemmed as
/// `content_terms` stems them.
const OPINION_WORDS: &[&str] = &[
    "agree",
    "agreed",
    "disagree",
    "disagreed",
    "think",
    "thinks",
    "view",
    "views",
    "verdict",
    "opinion",
    "conclude",
    "concluded",
    "conclusion",
    "find",
    "found",
    "finding",
    "findings",
    "govt",
    "assess",
    "assessment",
    "assessed",
];

fn is_opinion_word(term: &str) -> bool {
    OPINION_WORDS
        .iter()
        .any(|word| crate::lexicon::stem(word) == term)
}

/// Words that point back at the conversation ("and the 75% one?", "who said that?").
fn looks_like_follow_up(question: &str, topic_terms: usize) -> bool {
    let lower = crate::extract::text::fold_for_search(question);
    let trimmed = lower.trim_start();
    let opens = [
        "and ",
        "what about",
        "how about",
        "and what",
        "also ",
        "same for",
        "then ",
        "so ",
    ];
    let refers = [
        " that", " it", " this", " they", " them", " those", " these", " one",
    ];
    opens.iter().any(|prefix| trimmed.starts_with(prefix))
        || topic_terms == 0
        || (topic_terms <= 2
            && refers.iter().any(|word| {
                lower.contains(&format!("{word}?"))
                    || lower.contains(&format!("{word} "))
                    || lower.ends_with(word)
            }))
}

/// Answers a question, reading it against the conversation so far when a
/// token is given, and returns the token for the next question.
pub fn ask_in_conversation(
    store: &Store,
    question: &str,
    token: Option<&str>,
) -> Result<Answer, AskError> {
    let conversation = match token.map(str::trim).filter(|token| !token.is_empty()) {
        Some(token) => Conversation::from_token(token, store.conversation_key())?,
        None => Conversation::default(),
    };
    let mut answer = answer_question(store, question, &conversation)?;
    let next = conversation.with_turn(
        &answer.question,
        answer.commitment.as_ref().map(|c| c.id.clone()),
    );
    answer.conversation = Some(next.to_token(store.conversation_key()));
    Ok(answer)
}

/// Answers a question on its own.
pub fn ask(store: &Store, question: &str) -> Result<Answer, AskError> {
    answer_question(store, question, &Conversation::default())
}

fn answer_question(
    store: &Store,
    question: &str,
    conversation: &Conversation,
) -> Result<Answer, AskError> {
    let question = clean_question(question)?;
    let intent = intent_of(&question);
    // "hs2 northen leg": read misspelt words as the words the index knows
    let searched = correct_spelling(store, &question);
    let own_terms = content_terms(&searched);
    let previous = conversation.turns.last();
    let follow_up = previous.is_some() && looks_like_follow_up(&question, own_terms.len());
    // "what did the NAO say?", "do the govt and the committee agree?": no
    // topic of its own, only who said it, so it asks about the same promise
    let names_only_sources = previous.is_some()
        && !own_terms.is_empty()
        && own_terms
            .iter()
            .all(|term| is_opinion_word(term) || store.source_terms().contains(term));
    // "who said that?", "when was that promised?": the same commitment again
    if ((follow_up && own_terms.is_empty()) || names_only_sources)
        && find_figures(&question).is_empty()
        && let Some(commitment) = previous
            .and_then(|turn| turn.commitment.as_deref())
            .map(|id| store.commitment(id))
            .transpose()?
            .flatten()
    {
        let mut answer = empty_answer(&question, intent);
        answer.follow_up = true;
        compose(&mut answer, &commitment);
        return Ok(answer);
    }
    // "and the 75% one?": this question's words with the earlier topic
    let context = if follow_up {
        previous
            .map(|turn| turn.question.clone())
            .unwrap_or_default()
    } else {
        String::new()
    };
    let question_terms = if follow_up {
        content_terms(&format!("{context} {searched}"))
    } else {
        own_terms
    };
    let expanded = expand(&format!("{context} {searched}"));
    let mut answer = empty_answer(&question, intent);
    answer.follow_up = follow_up;
    if expanded.is_empty() {
        answer.answer = "The question has no topic words to look for. Name the policy or promise, e.g. “was the NHS App target met?”".into();
        return Ok(answer);
    }
    let figures = find_figures(&question);
    let periods = periods_in(&question);
    let wanted = Wanted {
        figures: &figures,
        periods: &periods,
    };
    let mut query_text = retrieval_query(&format!("{context} {searched}"));
    let mut candidates = retrieve(store, &query_text, &question_terms, &wanted)?;
    // "what did the NAO say?": nothing on its own, so read it in the
    // conversation's context
    if candidates.is_empty()
        && !follow_up
        && let Some(turn) = previous
    {
        let combined = format!("{} {searched}", turn.question);
        query_text = retrieval_query(&combined);
        candidates = retrieve(store, &query_text, &content_terms(&combined), &wanted)?;
        answer.follow_up = !candidates.is_empty();
    }

    let Some((best_score, best)) = candidates.first() else {
        return nothing_found(store, answer, &query_text);
    };

    answer.also_matching = candidates
        .iter()
        .skip(1)
        .filter(|(score, _)| *score >= best_score * 0.8)
        .take(4)
        .map(|(_, commitment)| OtherMatch {
            id: commitment.id.clone(),
            text: commitment.text.clone(),
            status: commitment.verdict.status,
        })
        .collect();
    compose(&mut answer, best);
    Ok(answer)
}

/// What a question pins down: figures ("75%") and periods ("March 2021",
/// "2025") that pick one commitment out of several on the same topic.
struct Wanted<'a> {
    figures: &'a [crate::model::Figure],
    periods: &'a [(i16, Option<i8>)],
}

static PERIOD: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?i)\b(?:(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?\s+)?((?:19|20)\d\d)\b")
        .expect("period pattern")
});

/// The years, with their month when one is named, a question mentions.
fn periods_in(question: &str) -> Vec<(i16, Option<i8>)> {
    PERIOD
        .captures_iter(question)
        .filter_map(|captures| {
            let year = captures.get(2)?.as_str().parse().ok()?;
            let month = captures
                .get(1)
                .and_then(|month| crate::extract::text::month_number(month.as_str()));
            Some((year, month))
        })
        .collect()
}

/// The commitment's deadline falls in a period the question names.
fn deadline_named(commitment: &Commitment, periods: &[(i16, Option<i8>)]) -> bool {
    let Some(deadline) = &commitment.deadline else {
        return false;
    };
    let year: Option<i16> = deadline.get(..4).and_then(|year| year.parse().ok());
    let month: Option<i8> = deadline.get(5..7).and_then(|month| month.parse().ok());
    periods.iter().any(|(wanted_year, wanted_month)| {
        year == Some(*wanted_year) && (wanted_month.is_none() || *wanted_month == month)
    })
}

/// A commitment pinned by the question (its target or its deadline named)
/// comes first if its topic score is at least this share of the best: on
/// the topic, though worded less like the question than another promise.
const PINNED_SHARE: f64 = 0.3;

/// Commitments for a question, best first: BM25 over the commitment
/// records, weighted by how much of the question each covers, doubled when
/// a figure in the question is the commitment's target and doubled when
/// the question names the period of its deadline. A commitment so pinned
/// comes before those that are not when it is on the topic: "how many
/// extra cops by March 2021" asks for the March 2021 milestone even if the
/// 20,000-officer promise shares more of its words.
fn retrieve(
    store: &Store,
    query_text: &str,
    question_terms: &[String],
    wanted: &Wanted,
) -> Result<Vec<(f64, Commitment)>, AskError> {
    // (score, topic score, pinned, commitment)
    let mut scored: Vec<(f64, f64, bool, Commitment)> = Vec::new();
    for (score, commitment) in store.search_commitments(query_text, 20)? {
        let covered = coverage(question_terms, &store.topic_terms(&commitment));
        if covered < 0.5 && !question_terms.is_empty() {
            continue;
        }
        let topic_score = f64::from(score) * (0.5 + covered);
        let mut score = topic_score;
        let mut pinned = false;
        if let Some(target) = &commitment.target
            && wanted
                .figures
                .iter()
                .any(|figure| same_amount(figure, target))
        {
            score *= 2.0;
            pinned = true;
        }
        if deadline_named(&commitment, wanted.periods) {
            score *= 2.0;
            pinned = true;
        }
        scored.push((score, topic_score, pinned, commitment));
    }
    let best_topic_score = scored.iter().map(|entry| entry.1).fold(0.0, f64::max);
    let first = |entry: &(f64, f64, bool, Commitment)| {
        entry.2 && entry.1 >= best_topic_score * PINNED_SHARE
    };
    scored.sort_by(|a, b| {
        first(b)
            .cmp(&first(a))
            .then(b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal))
    });
    Ok(scored
        .into_iter()
        .map(|(score, _, _, commitment)| (score, commitment))
        .collect())
}

/// Whether a question's figure is a target's: the same value in the same
/// unit, or a sum of millions or billions asked without its "£" ("was
/// the 19.8bn reinvested").
fn same_amount(asked: &crate::model::Figure, target: &crate::model::Figure) -> bool {
    use crate::model::Unit;
    let units_agree = asked.unit == target.unit
        || (asked.unit == Unit::Count && target.unit == Unit::Pounds && asked.value >= 1e6);
    units_agree && (asked.value - target.value).abs() < 1e-6 * target.value.abs().max(1.0)
}

/// Replaces words the index does not know with a known word one or two
/// edits away ("northen" -> "northern").
pub fn correct_spelling(store: &Store, question: &str) -> String {
    let vocabulary = store.vocabulary();
    let mut out = Vec::new();
    for word in question.split_whitespace() {
        let bare: String = word
            .chars()
            .filter(|ch| ch.is_alphabetic())
            .collect::<String>()
            .to_lowercase();
        let length = bare.chars().count();
        // short words are left alone: "leeds" is one edit from "needs", and
        // a place name read as another word answers the wrong question
        if length < 6 || vocabulary.contains(&bare) || crate::lexicon::is_stop_word(&bare) {
            out.push(word.to_string());
            continue;
        }
        let allowed = if length >= 8 { 2 } else { 1 };
        let letters: Vec<char> = bare.chars().collect();
        let mut rows = (Vec::new(), Vec::new());
        let best = vocabulary
            .iter()
            .filter(|known| known.len().abs_diff(bare.len()) <= allowed)
            .filter_map(|known| Some((within_edits(&letters, known, allowed, &mut rows)?, known)))
            .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
        match best {
            Some((_, known)) => out.push(known.clone()),
            None => out.push(word.to_string()),
        }
    }
    out.join(" ")
}

/// Levenshtein distance.
pub fn edit_distance(left: &str, right: &str) -> usize {
    let letters: Vec<char> = left.chars().collect();
    within_edits(&letters, right, usize::MAX, &mut (Vec::new(), Vec::new())).unwrap_or(usize::MAX)
}

/// [`edit_distance`] when it is at most `limit`, else `None`, giving up
/// as soon as every way through is over the limit (the search box
/// compares a misspelt word with the whole vocabulary). `rows` are the
/// two working rows, kept between calls.
fn within_edits(
    left: &[char],
    right: &str,
    limit: usize,
    rows: &mut (Vec<usize>, Vec<usize>),
) -> Option<usize> {
    let (previous, current) = rows;
    previous.clear();
    previous.extend(0..=left.len());
    for (i, right_char) in right.chars().enumerate() {
        current.clear();
        current.push(i + 1);
        for (j, left_char) in left.iter().enumerate() {
            let cost = usize::from(left_char != &right_char);
            let best = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
            current.push(best);
        }
        if current.iter().min().is_some_and(|least| *least > limit) {
            return None;
        }
        std::mem::swap(previous, current);
    }
    let distance = previous[left.len()];
    (distance <= limit).then_some(distance)
}

fn empty_answer(question: &str, intent: Intent) -> Answer {
    Answer {
        question: question.to_string(),
        answer: String::new(),
        status: None,
        commitment: None,
        citations: Vec::new(),
        also_matching: Vec::new(),
        suggestions: Vec::new(),
        as_of: None,
        intent,
        follow_up: false,
        conversation: None,
        generated: false,
        generation_note: None,
        verdict_line: None,
    }
}

fn nothing_found(store: &Store, mut answer: Answer, query_text: &str) -> Result<Answer, AskError> {
    let passages = store.search_passages(query_text, 3)?;
    answer.answer =
        "No commitment in the corpus matches this question, so there is no verdict to give.".into();
    if passages.is_empty() {
        answer
            .answer
            .push_str(" No document mentions these words either.");
    } else {
        answer
            .answer
            .push_str(" Some documents mention these words; see the search results.");
    }
    answer.suggestions = vec![format!(
        "/search?q={}",
        url::form_urlencoded::byte_serialize(answer.question.as_bytes()).collect::<String>()
    )];
    Ok(answer)
}

fn newest(assessments: &[Assessment], independent: bool) -> Option<&Assessment> {
    assessments
        .iter()
        .filter(|assessment| {
            assessment.independent == independent
                && (assessment.stance.is_some() || assessment.grade.is_some())
        })
        .max_by(|a, b| {
            a.date.cmp(&b.date).then(
                a.link_score
                    .partial_cmp(&b.link_score)
                    .unwrap_or(std::cmp::Ordering::Equal),
            )
        })
}

/// Writes the answer: verdict, the promise, the claim and the independent
/// view side by side, and further evidence; each sentence cites its source.
fn compose(answer: &mut Answer, commitment: &Commitment) {
    let verdict = &commitment.verdict;
    let mut citations: Vec<AnswerCitation> = Vec::new();
    let push = |citation: &Citation, role: &str, citations: &mut Vec<AnswerCitation>| -> usize {
        if let Some(existing) = citations.iter().find(|c| {
            c.url == citation.url && c.paragraph == citation.paragraph && c.quote == citation.quote
        }) {
            return existing.number;
        }
        let number = citations.len() + 1;
        citations.push(citation_of(citation, number, role));
        number
    };
    let mut sentences = Vec::new();
    let source = &commitment.sources[0];
    let promise = push(source, "commitment", &mut citations);
    let made = commitment.made.as_deref().unwrap_or("an undated document");
    let deadline = match (&commitment.deadline, &commitment.deadline_text) {
        (Some(date), Some(text)) => format!(", deadline {date} (“{text}”)"),
        (Some(date), None) => format!(", deadline {date}"),
        _ => String::new(),
    };
    let government = newest(&commitment.assessments, false);
    let independent = newest(&commitment.assessments, true);
    let mut evidence_numbers = Vec::new();
    if let Some(claim) = government {
        evidence_numbers.push(push(&claim.citation, "government", &mut citations));
    }
    if let Some(view) = independent {
        evidence_numbers.push(push(&view.citation, "independent", &mut citations));
    }
    let marks = |numbers: &[usize]| numbers.iter().map(|n| format!("[{n}]")).collect::<String>();
    let status_line = match verdict.status {
        Status::Unassessed => format!(
            "{} as of {}: {}.",
            verdict.status.label(),
            verdict.as_of,
            verdict.reasons.join("; ")
        ),
        _ => format!(
            "{} as of {}: {} {}.",
            verdict.status.label(),
            verdict.as_of,
            verdict.reasons.join("; "),
            marks(&evidence_numbers)
        ),
    };
    let status_line_copy = status_line.clone();
    let promise_line = format!(
        "{} committed on {made}{deadline}: “{}” [{promise}].",
        commitment.maker, commitment.text
    );
    match answer.intent {
        Intent::Who | Intent::When | Intent::What => {
            sentences.push(promise_line);
            if commitment.sources.len() > 1 {
                let others: Vec<String> = commitment
                    .sources
                    .iter()
                    .skip(1)
                    .map(|source| {
                        let number = push(source, "commitment", &mut citations);
                        format!(
                            "{} ({}) [{number}]",
                            source.publisher,
                            source.published.as_deref().unwrap_or("undated")
                        )
                    })
                    .collect();
                sentences.push(format!(
                    "The same commitment was repeated by {}.",
                    others.join(", ")
                ));
            }
            sentences.push(status_line);
        }
        Intent::Verdict => {
            sentences.push(status_line);
            sentences.push(promise_line);
        }
    }
    // the claim and the independent view side by side, each with its citation
    let side_by_side = [
        ("The government’s claim", government),
        ("The independent assessment", independent),
    ];
    for (label, assessment) in side_by_side {
        let Some(assessment) = assessment else {
            continue;
        };
        let number = citations
            .iter()
            .find(|c| c.quote == assessment.citation.quote && c.url == assessment.citation.url)
            .map_or(0, |c| c.number);
        sentences.push(format!(
            "{label} ({}, {}): “{}” [{number}].",
            assessment.assessor,
            assessment.date.as_deref().unwrap_or("undated"),
            assessment.citation.quote
        ));
    }
    if government.is_none() && independent.is_some() {
        sentences.push("No statement by the government on delivery was found.".into());
    }
    if independent.is_none() && government.is_some() {
        sentences.push("No independent assessment was found.".into());
    }
    // further evidence, newest first, up to five citations in all; only
    // findings that say something about delivery and are firmly linked
    let strongest = commitment
        .assessments
        .iter()
        .map(|a| a.link_score)
        .fold(0.0, f64::max);
    for assessment in &commitment.assessments {
        if citations.len() >= 5 {
            break;
        }
        if assessment.link_score < strongest * 0.6
            || (assessment.stance.is_none() && assessment.grade.is_none())
        {
            continue;
        }
        // one quote per publication: another paragraph of a report already
        // cited, or its landing page restating it, adds a citation and no
        // new source
        let cited = &assessment.citation;
        if citations.iter().any(|existing| {
            existing.publisher == cited.publisher
                && existing.title == cited.title
                && existing.published == cited.published
        }) {
            continue;
        }
        let role = if assessment.independent {
            "independent"
        } else {
            "government"
        };
        push(&assessment.citation, role, &mut citations);
    }
    if let Some(line) = also_matching_line(answer.also_matching.len()) {
        sentences.push(line);
    }
    answer.answer = sentences.join(" ");
    answer.verdict_line = Some(status_line_copy);
    answer.status = Some(verdict.status);
    answer.as_of = Some(verdict.as_of.clone());
    answer.commitment = Some(commitment.clone());
    answer.citations = citations;
}

fn also_matching_line(others: usize) -> Option<String> {
    match others {
        0 => None,
        1 => Some("1 other commitment matches this question too; it is listed below.".into()),
        _ => Some(format!(
            "{others} other commitments match this question too; they are listed below."
        )),
    }
}

/// Rewords an answer with a language model, from its cited passages only.
/// The wording replaces the extractive text only when every sentence
/// passes [`phrasing::check`]; the verdict line stays first and is never
/// the model's. Otherwise the extractive answer stays, and the reason is
/// logged and given in `generation_note`. Blocking (one HTTP request).
pub fn rephrase(answer: &mut Answer, client: &llm::LlmClient) {
    let Some(verdict_line) = answer.verdict_line.clone() else {
        answer.generation_note =
            Some("no commitment matched, so there is nothing to reword".into());
        return;
    };
    let messages = phrasing::messages(
        &answer.question,
        &verdict_line,
        &answer.answer,
        &answer.citations,
    );
    let outcome = client
        .complete(&messages)
        .map_err(|error| error.to_string())
        .and_then(|text| {
            phrasing::check(&text, &answer.citations)
                .map_err(|error| format!("the model's wording failed the check: {error}"))
        });
    match outcome {
        Ok(sentences) => {
            let mut parts = vec![verdict_line];
            parts.extend(sentences);
            parts.extend(also_matching_line(answer.also_matching.len()));
            answer.answer = parts.join(" ");
            answer.generated = true;
            answer.generation_note = None;
        }
        Err(reason) => {
            tracing::warn!(
                endpoint = client.endpoint(),
                question = %answer.question,
                %reason,
                "generated wording not shown: the extractive answer stays"
            );
            answer.generation_note =
                Some(format!("{reason}; the extractive answer is shown instead"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sum_asked_without_its_pound_sign_is_the_target() {
        let figure = |text: &str| find_figures(text).remove(0);
        let target = figure("£19.8 billion");
        assert!(same_amount(&figure("19.8bn"), &target));
        assert!(same_amount(&figure("£19.8bn"), &target));
        assert!(!same_amount(&figure("19.8%"), &target));
        // a small bare count is not a sum of money
        assert!(!same_amount(&figure("300"), &figure("£300")));
    }

    #[test]
    fn questions_are_validated() {
        assert!(matches!(clean_question(""), Err(AskError::Empty)));
        assert!(matches!(clean_question("((( \""), Err(AskError::Empty)));
        assert!(matches!(
            clean_question(&"a".repeat(10_000)),
            Err(AskError::TooLong(10_000))
        ));
        assert_eq!(clean_question("nhs\u{0}app\tnow").unwrap(), "nhs app now");
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("northen", "northern"), 1);
        assert_eq!(edit_distance("leeds", "needs"), 1);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        let mut rows = (Vec::new(), Vec::new());
        let letters: Vec<char> = "northen".chars().collect();
        assert_eq!(within_edits(&letters, "northern", 1, &mut rows), Some(1));
        assert_eq!(within_edits(&letters, "southern", 1, &mut rows), None);
        for (word, limit) in [
            ("southern", 3),
            ("northerner", 3),
            ("north", 2),
            ("nothing", 4),
        ] {
            let full = edit_distance("northen", word);
            let bounded = within_edits(&letters, word, limit, &mut rows);
            assert_eq!(bounded, (full <= limit).then_some(full), "{word}");
        }
        assert_eq!(within_edits(&[], "ab", 2, &mut rows), Some(2));
    }

    #[test]
    fn synonym_phrases_are_searched_as_phrases() {
        let query = retrieval_query("nurses");
        assert!(query.contains("\"registered nurses\""), "{query}");
        assert!(
            !query.split(' ').any(|part| part == "registered"),
            "{query}"
        );
    }

    #[test]
    fn periods_are_read_with_their_month() {
        assert_eq!(
            periods_in("how many extra cops by march 2021, and in 2025?"),
            [(2021, Some(3)), (2025, None)]
        );
        assert!(periods_in("50,000 nurses").is_empty());
    }

    #[test]
    fn synonyms_expand_everyday_words() {
        let terms = expand("what happened with A&E waits?");
        assert!(terms.contains(&"emergency".to_string()), "{terms:?}");
        let terms = expand("did they scrap HS2?");
        assert!(terms.contains(&"speed".to_string()), "{terms:?}");
        assert_eq!(crate::lexicon::stem("homes"), "home");
        assert_eq!(crate::lexicon::stem("delivered"), "deliver");
    }
}
