//! Ask: answers a question with a verdict and its sources, or says plainly
//! that nothing was found. Extractive: every sentence of an answer quotes
//! or restates a cited paragraph; nothing is generated.

use serde::Serialize;

use crate::analyze::figures::find_figures;
use crate::index::{IndexError, MAX_QUERY_CHARS, Store};
use crate::lexicon::{SYNONYMS, content_terms, words};
use crate::model::{Assessment, Citation, Commitment, Status};

#[derive(Debug, thiserror::Error)]
pub enum AskError {
    #[error("the question is empty: type a few words, e.g. “was the NHS App target met?”")]
    Empty,
    #[error("the question is too long ({0} characters; at most {MAX_QUERY_CHARS})")]
    TooLong(usize),
    #[error(transparent)]
    Index(#[from] IndexError),
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
    let folded = format!(" {} ", words(question).join(" "));
    let mut terms: Vec<String> = content_terms(question);
    for group in SYNONYMS {
        let mentioned = group.iter().any(|phrase| {
            let phrase_words = words(phrase).join(" ");
            !phrase_words.is_empty() && folded.contains(&format!(" {phrase_words} "))
        });
        if mentioned {
            for phrase in group.iter() {
                terms.extend(content_terms(phrase));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    terms.retain(|term| seen.insert(term.clone()));
    terms
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
    }
}

/// How much of the question a commitment covers: the share of the
/// question's topic terms found in the commitment and its evidence.
fn coverage(question_terms: &[String], commitment: &Commitment) -> f64 {
    if question_terms.is_empty() {
        return 0.0;
    }
    let mut text = commitment.text.clone();
    for source in &commitment.sources {
        text.push(' ');
        text.push_str(&source.title);
    }
    for assessment in &commitment.assessments {
        text.push(' ');
        text.push_str(&assessment.citation.title);
    }
    if let Some(target) = &commitment.target {
        text.push(' ');
        text.push_str(&target.counts);
    }
    let known: std::collections::HashSet<String> = expand(&text).into_iter().collect();
    let found = question_terms
        .iter()
        .filter(|term| known.contains(*term))
        .count();
    found as f64 / question_terms.len() as f64
}

/// Answers a question from the index.
pub fn ask(store: &Store, question: &str) -> Result<Answer, AskError> {
    let question = clean_question(question)?;
    let question_terms = content_terms(&question);
    let expanded = expand(&question);
    let mut answer = Answer {
        question: question.clone(),
        answer: String::new(),
        status: None,
        commitment: None,
        citations: Vec::new(),
        also_matching: Vec::new(),
        suggestions: Vec::new(),
        as_of: None,
    };
    if expanded.is_empty() {
        answer.answer = "The question has no topic words to look for. Name the policy or promise, e.g. “was the NHS App target met?”".into();
        return Ok(answer);
    }
    let query_text = expanded.join(" ");
    let figures = find_figures(&question);
    let mut candidates: Vec<(f64, &Commitment)> = store
        .search_commitments(&query_text, 20)?
        .into_iter()
        .map(|(score, commitment)| {
            let mut score = f64::from(score) * (0.5 + coverage(&question_terms, commitment));
            // a figure in the question that is this commitment's target
            if let Some(target) = &commitment.target
                && figures.iter().any(|figure| {
                    figure.unit == target.unit && (figure.value - target.value).abs() < 1e-6
                })
            {
                score *= 2.0;
            }
            (score, commitment)
        })
        .filter(|(_, commitment)| {
            coverage(&question_terms, commitment) >= 0.5 || question_terms.is_empty()
        })
        .collect();
    candidates.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));

    let Some(&(best_score, best)) = candidates.first() else {
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
    sentences.push(status_line);
    sentences.push(format!(
        "{} committed on {made}{deadline}: “{}” [{promise}].",
        commitment.maker, commitment.text
    ));
    if let Some(claim) = government {
        let number = citations
            .iter()
            .find(|c| c.quote == claim.citation.quote)
            .map_or(0, |c| c.number);
        sentences.push(format!(
            "The government’s claim ({}, {}): “{}” [{number}].",
            claim.assessor,
            claim.date.as_deref().unwrap_or("undated"),
            claim.citation.quote
        ));
    }
    if let Some(view) = independent {
        let number = citations
            .iter()
            .find(|c| c.quote == view.citation.quote)
            .map_or(0, |c| c.number);
        sentences.push(format!(
            "The independent assessment ({}, {}): “{}” [{number}].",
            view.assessor,
            view.date.as_deref().unwrap_or("undated"),
            view.citation.quote
        ));
    }
    if government.is_none() && independent.is_some() {
        sentences.push("No statement by the government on delivery was found.".into());
    }
    if independent.is_none() && government.is_some() {
        sentences.push("No independent assessment was found.".into());
    }
    // further evidence, newest first, up to five citations in all
    for assessment in &commitment.assessments {
        if citations.len() >= 5 {
            break;
        }
        let role = if assessment.independent {
            "independent"
        } else {
            "government"
        };
        push(&assessment.citation, role, &mut citations);
    }
    if !answer.also_matching.is_empty() {
        sentences.push(format!(
            "{} other commitments match this question too; they are listed below.",
            answer.also_matching.len()
        ));
    }
    answer.answer = sentences.join(" ");
    answer.status = Some(verdict.status);
    answer.as_of = Some(verdict.as_of.clone());
    answer.commitment = Some(commitment.clone());
    answer.citations = citations;
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn synonyms_expand_everyday_words() {
        let terms = expand("what happened with A&E waits?");
        assert!(terms.contains(&"emergency".to_string()), "{terms:?}");
        let terms = expand("did they scrap HS2?");
        assert!(terms.contains(&"speed".to_string()), "{terms:?}");
        assert_eq!(crate::lexicon::stem("homes"), "home");
        assert_eq!(crate::lexicon::stem("delivered"), "deliver");
    }
}
