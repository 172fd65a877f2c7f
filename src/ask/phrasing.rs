//! Generated phrasing, checked: the messages sent to a language model that
//! rewrites an extractive answer from its numbered passages, and the check
//! that every sentence it writes is supported by a passage it cites.
//!
//! Pure: text in, text out. The request itself is made by `ask::llm`.
//!
//! A generated sentence is supported when
//! - it cites at least one passage (`[2]`, `[1][3]` or `[1, 3]`) and every
//!   number it cites is a passage that was sent;
//! - at least [`SUPPORT_THRESHOLD`] of its content words (stemmed, stop
//!   words and generic policy words dropped, as ask reads questions) are
//!   found in the cited passages (their text, publisher, title and date,
//!   widened by the synonym list so "A&E" in a sentence can stand for
//!   "accident and emergency" in a passage);
//! - every number in it (figures, years, days of dates) is written in a
//!   cited passage;
//! - when it takes a stance on delivery ("the target was met", "it is off
//!   track"), a cited passage takes the same stance, so a sentence cannot
//!   turn a finding round.
//!
//! The verdict is never the model's: the answer keeps its own verdict line
//! and the model's text follows it.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::analyze::assessments::stance_of_phrases as stance_of;
use crate::analyze::sentences;
use crate::ask::AnswerCitation;
use crate::lexicon::content_terms;

/// The share of a sentence's content words that its cited passages must
/// hold. A rewording needs some words of its own to join and introduce
/// what the passages say ("the committee found", "however", a noun for a
/// passage's verb), so 1.0 would refuse most honest
/// paraphrase; below about a half, a sentence could carry a claim whose
/// topic is not in its passage. 0.6 keeps the passage's words the
/// majority: in a typical ten-word sentence, at most four may be new.
pub const SUPPORT_THRESHOLD: f64 = 0.6;

/// Generated text longer than this is refused rather than checked.
pub const MAX_GENERATED_CHARS: usize = 4_000;

/// One chat message, as OpenAI-compatible endpoints take it.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct Message {
    pub role: &'static str,
    pub content: String,
}

/// Why a generated answer was not shown.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Unsupported {
    #[error("the model wrote nothing")]
    Empty,
    #[error("the model wrote {0} characters, more than {MAX_GENERATED_CHARS}")]
    TooLong(usize),
    #[error("sentence {number} cites no passage: “{sentence}”")]
    Uncited { number: usize, sentence: String },
    #[error("sentence {number} cites passage [{cited}], which was not sent: “{sentence}”")]
    UnknownPassage {
        number: usize,
        cited: usize,
        sentence: String,
    },
    #[error(
        "sentence {number} has {share:.2} of its words in the passages it cites (at least {SUPPORT_THRESHOLD} needed): “{sentence}”"
    )]
    WordsNotInPassages {
        number: usize,
        share: f64,
        sentence: String,
    },
    #[error(
        "sentence {number} has the figure {figure}, which no passage it cites has: “{sentence}”"
    )]
    FigureNotInPassages {
        number: usize,
        figure: String,
        sentence: String,
    },
    #[error("sentence {number} says it was {stance}, which no passage it cites says: “{sentence}”")]
    StanceNotInPassages {
        number: usize,
        stance: &'static str,
        sentence: String,
    },
}

static CITATION_MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[\s*(\d{1,3}(?:\s*,\s*\d{1,3})*)\s*\]").expect("citation mark pattern")
});

/// A citation mark written after the full stop ("met. [2]"): moved before
/// it so the splitter keeps it with its sentence.
static MARK_AFTER_STOP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([.!?])((?:\s*\[\s*\d{1,3}(?:\s*,\s*\d{1,3})*\s*\])+)")
        .expect("mark after stop pattern")
});

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:[.,]\d+)*").expect("number pattern"));

/// The passage a citation stands for, as sent to the model and as checked:
/// who published it, its title and date, and the quoted paragraph text.
pub fn passage_text(citation: &AnswerCitation) -> String {
    let date = citation
        .published
        .as_deref()
        .map(long_date)
        .unwrap_or_else(|| "undated".to_string());
    format!(
        "{} — “{}”, {date}: “{}”",
        citation.publisher, citation.title, citation.quote
    )
}

/// "2024-03-01" -> "1 March 2024 (2024-03-01)", so a sentence may write the
/// date either way.
fn long_date(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [year, month, day] => match (month.parse::<usize>(), day.parse::<u32>()) {
            (Ok(month @ 1..=12), Ok(day)) => {
                format!("{day} {} {year} ({iso})", MONTHS[month - 1])
            }
            _ => iso.to_string(),
        },
        _ => iso.to_string(),
    }
}

/// The messages asking a model to rewrite `draft` from the numbered
/// passages alone. The verdict is stated as settled: the model phrases,
/// it does not judge.
pub fn messages(
    question: &str,
    verdict_line: &str,
    draft: &str,
    citations: &[AnswerCitation],
) -> Vec<Message> {
    let system = "You rewrite a draft answer about whether a government kept a promise into plain, \
        readable English for a journalist. Use ONLY the numbered passages: no outside knowledge. \
        End every sentence with the number of the passage that supports it, in square brackets, \
        like [2]; cite only passages that say what the sentence says. Copy figures and dates \
        exactly as the passages write them, and add none. Do not give a verdict of your own: the \
        verdict is shown above your text and is not yours to change. At most five sentences, \
        plain text, no lists, no headings, no markdown.";
    let mut user = format!(
        "Question: {question}\n\nVerdict (shown above your text; do not restate or change it): {verdict_line}\n\nDraft answer:\n{draft}\n\nPassages:\n"
    );
    for citation in citations {
        user.push_str(&format!(
            "[{}] {}\n",
            citation.number,
            passage_text(citation)
        ));
    }
    user.push_str("\nRewrite the draft answer from these passages, citing each sentence.");
    vec![
        Message {
            role: "system",
            content: system.to_string(),
        },
        Message {
            role: "user",
            content: user,
        },
    ]
}

/// Numbers as written, normalised: "4,200" -> "4200", "03" -> "3".
fn numbers_in(text: &str) -> Vec<String> {
    NUMBER
        .find_iter(text)
        .map(|found| {
            let plain = found.as_str().replace(',', "");
            let trimmed = plain.trim_start_matches('0');
            match trimmed {
                "" => "0".to_string(),
                rest if rest.starts_with('.') => format!("0{rest}"),
                rest => rest.to_string(),
            }
        })
        .collect()
}

/// Checks generated text against the passages it was given. Returns its
/// sentences (as written) when every one is supported.
pub fn check(generated: &str, citations: &[AnswerCitation]) -> Result<Vec<String>, Unsupported> {
    let text = generated.trim();
    if text.is_empty() {
        return Err(Unsupported::Empty);
    }
    let length = text.chars().count();
    if length > MAX_GENERATED_CHARS {
        return Err(Unsupported::TooLong(length));
    }
    let text = MARK_AFTER_STOP.replace_all(text, "$2$1");
    let passages: Vec<(usize, String)> = citations
        .iter()
        .map(|citation| (citation.number, passage_text(citation)))
        .collect();
    let mut checked = Vec::new();
    for (position, sentence) in sentences::split(&text).into_iter().enumerate() {
        let number = position + 1;
        let cited: Vec<usize> = CITATION_MARK
            .captures_iter(sentence)
            .flat_map(|captures| {
                captures[1]
                    .split(',')
                    .filter_map(|n| n.trim().parse::<usize>().ok())
                    .collect::<Vec<_>>()
            })
            .collect();
        if cited.is_empty() {
            return Err(Unsupported::Uncited {
                number,
                sentence: sentence.to_string(),
            });
        }
        let mut cited_texts = Vec::new();
        for passage_number in &cited {
            match passages.iter().find(|(n, _)| n == passage_number) {
                Some((_, passage)) => cited_texts.push(passage.as_str()),
                None => {
                    return Err(Unsupported::UnknownPassage {
                        number,
                        cited: *passage_number,
                        sentence: sentence.to_string(),
                    });
                }
            }
        }
        let bare = CITATION_MARK.replace_all(sentence, " ");
        check_sentence(number, sentence, &bare, &cited_texts)?;
        checked.push(sentence.to_string());
    }
    if checked.is_empty() {
        return Err(Unsupported::Empty);
    }
    Ok(checked)
}

fn check_sentence(
    number: usize,
    sentence: &str,
    bare: &str,
    cited_texts: &[&str],
) -> Result<(), Unsupported> {
    let joined = cited_texts.join("\n");
    // words
    let terms = content_terms(bare);
    if !terms.is_empty() {
        let known: HashSet<String> = crate::ask::expand(&joined).into_iter().collect();
        let found = terms.iter().filter(|term| known.contains(*term)).count();
        let share = found as f64 / terms.len() as f64;
        if share < SUPPORT_THRESHOLD {
            return Err(Unsupported::WordsNotInPassages {
                number,
                share,
                sentence: sentence.to_string(),
            });
        }
    }
    // figures, years and days
    let known_numbers: HashSet<String> = numbers_in(&joined).into_iter().collect();
    if let Some(figure) = numbers_in(bare)
        .into_iter()
        .find(|figure| !known_numbers.contains(figure))
    {
        return Err(Unsupported::FigureNotInPassages {
            number,
            figure,
            sentence: sentence.to_string(),
        });
    }
    // a stance on delivery must be one a cited passage takes
    if let Some(stance) = stance_of(bare) {
        let held = cited_texts.iter().any(|passage| {
            sentences::split(passage)
                .iter()
                .any(|part| stance_of(part) == Some(stance))
        });
        if !held {
            return Err(Unsupported::StanceNotInPassages {
                number,
                stance: stance.as_str(),
                sentence: sentence.to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn citation(number: usize, publisher: &str, published: &str, quote: &str) -> AnswerCitation {
        AnswerCitation {
            number,
            url: format!("https://example.test/{number}"),
            title: "Progress with the NHS App".into(),
            publisher: publisher.into(),
            published: Some(published.into()),
            paragraph: "para-1".into(),
            quote: quote.into(),
            permalink: format!("/documents/x#para-{number}"),
            captured: "2025-01-01".into(),
            role: "independent".into(),
            illustrative: true,
        }
    }

    fn passages() -> Vec<AnswerCitation> {
        vec![
            citation(
                1,
                "Department of Health and Social Care",
                "2021-07-01",
                "We will get 75% of adults registered on the NHS App by March 2024.",
            ),
            citation(
                2,
                "National Audit Office",
                "2024-05-10",
                "By March 2024, 34 million adults had registered for the NHS App, short of the 75% target. The target was not met.",
            ),
        ]
    }

    #[test]
    fn cited_paraphrase_passes() {
        let text = "The Department of Health and Social Care promised to get 75% of adults registered on the NHS App by March 2024 [1]. The National Audit Office found that 34 million adults had registered by then, short of that target [2].";
        let sentences = check(text, &passages()).expect("supported");
        assert_eq!(sentences.len(), 2);
    }

    #[test]
    fn marks_after_the_full_stop_count() {
        let text = "The National Audit Office said 34 million adults had registered for the NHS App. [2] The target was not met.[2]";
        assert_eq!(check(text, &passages()).expect("supported").len(), 2);
        let text = "Adults registered for the NHS App [1, 2].";
        assert!(check(text, &passages()).is_ok());
    }

    #[test]
    fn an_uncited_sentence_fails() {
        let text = "Adults registered for the NHS App [2]. Ministers were pleased.";
        assert!(matches!(
            check(text, &passages()),
            Err(Unsupported::Uncited { number: 2, .. })
        ));
    }

    #[test]
    fn a_passage_that_was_not_sent_fails() {
        let text = "Adults registered for the NHS App [7].";
        assert!(matches!(
            check(text, &passages()),
            Err(Unsupported::UnknownPassage { cited: 7, .. })
        ));
    }

    #[test]
    fn an_invented_figure_fails() {
        let text = "By March 2024, 41 million adults had registered for the NHS App [2].";
        match check(text, &passages()) {
            Err(Unsupported::FigureNotInPassages { figure, .. }) => assert_eq!(figure, "41"),
            other => panic!("{other:?}"),
        }
        // the figure is in passage 1, but the sentence cites only passage 2
        let text = "The National Audit Office set 75% of adults on the NHS App by 2025 [2].";
        assert!(matches!(
            check(text, &passages()),
            Err(Unsupported::FigureNotInPassages { .. })
        ));
    }

    #[test]
    fn words_the_passages_do_not_have_fail() {
        let text = "Hospital waiting lists for cancer treatment grew sharply in rural Wales [2].";
        assert!(matches!(
            check(text, &passages()),
            Err(Unsupported::WordsNotInPassages { .. })
        ));
    }

    #[test]
    fn a_stance_turned_round_fails() {
        let text = "The National Audit Office found the NHS App target was met [2].";
        assert!(matches!(
            check(text, &passages()),
            Err(Unsupported::StanceNotInPassages { .. })
        ));
        let text = "The National Audit Office found the NHS App target was not met [2].";
        assert!(check(text, &passages()).is_ok());
    }

    #[test]
    fn empty_and_oversized_text_fail() {
        assert_eq!(check("  ", &passages()), Err(Unsupported::Empty));
        let long = "Adults registered for the NHS App [2]. ".repeat(200);
        assert!(matches!(
            check(&long, &passages()),
            Err(Unsupported::TooLong(_))
        ));
    }

    #[test]
    fn dates_may_be_written_out() {
        let text = "The National Audit Office reported on 10 May 2024 that 34 million adults had registered for the NHS App [2].";
        assert!(check(text, &passages()).is_ok());
        assert_eq!(long_date("2024-05-10"), "10 May 2024 (2024-05-10)");
    }

    #[test]
    fn numbers_are_normalised() {
        assert_eq!(
            numbers_in("4,200 nurses on 03 March, 1.5%"),
            ["4200", "3", "1.5"]
        );
    }

    #[test]
    fn messages_number_the_passages() {
        let sent = messages(
            "was it met?",
            "Not met as of 2025-01-01.",
            "draft",
            &passages(),
        );
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0].role, "system");
        assert!(
            sent[1]
                .content
                .contains("[1] Department of Health and Social Care")
        );
        assert!(sent[1].content.contains("[2] National Audit Office"));
    }
}
