//! The search box's syntax: field filters (`publisher:"..."`,
//! `type:policy_paper`, `from:2023-01-01`, `to:2024`, `sort:date`) are taken
//! out of the text; what remains goes to tantivy's query parser (phrases,
//! AND/OR/NOT), with words from the synonym list widened to OR groups.
//! Pure: text in, a request out.

use serde::Serialize;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    /// Newest publication first.
    Date,
}

impl Sort {
    pub fn parse(text: &str) -> Option<Sort> {
        match text {
            "relevance" | "" => Some(Sort::Relevance),
            "date" | "newest" => Some(Sort::Date),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Date => "date",
        }
    }
}

/// A search: free text plus filters that restrict without scoring.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SearchRequest {
    /// The words for the query parser, filters removed.
    pub text: String,
    pub publisher: Option<String>,
    /// A document kind (`type:` in the box).
    pub kind: Option<String>,
    /// Earliest publication date, `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// Latest publication date, `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    /// Documents making or assessing a commitment with this verdict
    /// (`met`, `partly_met`, ...).
    pub verdict: Option<String>,
    pub sort: Sort,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("{field}: {value:?} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")]
    BadDate { field: &'static str, value: String },
    #[error("sort: {0:?} is not an order; use relevance or date")]
    BadSort(String),
    #[error(
        "verdict: {0:?} is not a verdict; use met, partly_met, not_met, in_progress, disputed or unassessed"
    )]
    BadVerdict(String),
    #[error("from: {from} is after to: {to}")]
    EmptyRange { from: String, to: String },
}

impl SearchRequest {
    /// Splits filters out of the search box text.
    pub fn parse(text: &str) -> Result<SearchRequest, QueryError> {
        let mut request = SearchRequest::default();
        let mut rest: Vec<String> = Vec::new();
        for token in tokens(text) {
            let Some((name, value)) = token.split_once(':') else {
                rest.push(token);
                continue;
            };
            let value = unquote(value);
            match name.to_ascii_lowercase().as_str() {
                "publisher" if !value.is_empty() => request.publisher = Some(value),
                "type" | "kind" if !value.is_empty() => request.kind = Some(value),
                "from" => request.set_from(&value)?,
                "to" => request.set_to(&value)?,
                "sort" => request.set_sort(&value)?,
                "verdict" => request.set_verdict(&value)?,
                // other field syntax (title:...) is the query parser's business
                _ => rest.push(token),
            }
        }
        request.text = rest.join(" ");
        Ok(request)
    }

    pub fn set_from(&mut self, value: &str) -> Result<(), QueryError> {
        if !value.is_empty() {
            self.from = Some(
                complete_date(value, false).ok_or_else(|| QueryError::BadDate {
                    field: "from",
                    value: value.to_string(),
                })?,
            );
        }
        Ok(())
    }

    pub fn set_to(&mut self, value: &str) -> Result<(), QueryError> {
        if !value.is_empty() {
            self.to = Some(
                complete_date(value, true).ok_or_else(|| QueryError::BadDate {
                    field: "to",
                    value: value.to_string(),
                })?,
            );
        }
        Ok(())
    }

    pub fn set_verdict(&mut self, value: &str) -> Result<(), QueryError> {
        if !value.is_empty() {
            let status = crate::model::Status::parse(value)
                .ok_or_else(|| QueryError::BadVerdict(value.to_string()))?;
            self.verdict = Some(status.as_str().to_string());
        }
        Ok(())
    }

    pub fn set_sort(&mut self, value: &str) -> Result<(), QueryError> {
        self.sort = Sort::parse(value).ok_or_else(|| QueryError::BadSort(value.to_string()))?;
        Ok(())
    }

    /// An error when `from` is after `to`: such a search finds nothing,
    /// which is worth saying.
    pub fn check_range(&self) -> Result<(), QueryError> {
        if let (Some(from), Some(to)) = (&self.from, &self.to)
            && from > to
        {
            return Err(QueryError::EmptyRange {
                from: from.clone(),
                to: to.clone(),
            });
        }
        Ok(())
    }

    /// True when there is something to search for: words or a filter.
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
            && self.publisher.is_none()
            && self.kind.is_none()
            && self.from.is_none()
            && self.to.is_none()
            && self.verdict.is_none()
    }
}

/// Whitespace-separated tokens, where a double-quoted stretch (possibly
/// after `name:`) stays in one token with its quotes.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for ch in text.chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                current.push(ch);
            }
            ch if ch.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            ch => current.push(ch),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn unquote(value: &str) -> String {
    value.trim_matches('"').trim().to_string()
}

/// `2023` -> `2023-01-01` (or `2023-12-31` as an end), `2023-02` ->
/// `2023-02-01` (or `2023-02-28`); a full date must be a real one.
pub fn complete_date(value: &str, end: bool) -> Option<String> {
    let parts: Vec<&str> = value.split('-').collect();
    let number = |text: &str, digits: usize| -> Option<i16> {
        (text.len() == digits && text.chars().all(|ch| ch.is_ascii_digit()))
            .then(|| text.parse().ok())
            .flatten()
    };
    let (year, month, day) = match parts.as_slice() {
        [year] => {
            let year = number(year, 4)?;
            (year, if end { 12 } else { 1 }, None)
        }
        [year, month] => (number(year, 4)?, number(month, 2)?, None),
        [year, month, day] => (number(year, 4)?, number(month, 2)?, Some(number(day, 2)?)),
        _ => return None,
    };
    let first = jiff::civil::Date::new(year, i8::try_from(month).ok()?, 1).ok()?;
    let date = match day {
        Some(day) => jiff::civil::Date::new(year, first.month(), i8::try_from(day).ok()?).ok()?,
        None if end => first.last_of_month(),
        None => first,
    };
    Some(date.to_string())
}

/// Whether the words use the query syntax: quotes, grouping, fields,
/// boosts, wildcards, required or excluded words, AND, OR, NOT.
pub fn has_syntax(text: &str) -> bool {
    text.chars().any(|ch| "\"()[]{}:^~*+-".contains(ch))
        || text
            .split_whitespace()
            .any(|word| matches!(word, "AND" | "OR" | "NOT"))
}

/// The text with each synonym-list phrase it mentions widened to an OR
/// group of quoted phrases: `a&e waits` -> `("a&e" OR "accident and
/// emergency" ...) waits`. Text that already uses query syntax (quotes,
/// brackets, field names, operators) is left as the user wrote it.
///
/// An alternative that contains another one the group keeps (by the
/// index's stems: `registered nurses` holds `nurses`, `nursing staff`
/// holds `nurse`) is left out: every document it matches is matched
/// already, and phrases are the dearest part of a search. The words as
/// typed always stay.
pub fn expand_synonyms(text: &str) -> String {
    if has_syntax(text) || text.trim().is_empty() {
        return text.to_string();
    }
    let words = crate::lexicon::words(text);
    if words.is_empty() {
        return text.to_string();
    }
    let sets = crate::lexicon::mentioned_synonyms(text);
    if sets.is_empty() {
        return text.to_string();
    }
    let mut out: Vec<String> = Vec::new();
    let mut position = 0;
    while position < words.len() {
        // the longest listed phrase starting here
        let mut best: Option<(usize, &crate::lexicon::SynonymSet)> = None;
        for set in &sets {
            for phrase in &set.phrases {
                let length = phrase.split(' ').count();
                if length > best.map_or(0, |(found, _)| found)
                    && words.get(position..position + length).map(|w| w.join(" "))
                        == Some(phrase.clone())
                {
                    best = Some((length, set));
                }
            }
        }
        match best {
            Some((length, set)) => {
                let typed = words[position..position + length].join(" ");
                let mut kept: Vec<Vec<String>> = vec![index_stems(&typed)];
                let mut alternatives: Vec<String> = vec![typed];
                // shortest first, so that what holds them is left out
                let mut others: Vec<(Vec<String>, &String)> = set
                    .phrases
                    .iter()
                    .map(|phrase| (index_stems(phrase), phrase))
                    .collect();
                others.sort_by_key(|(stems, _)| stems.len());
                for (stems, phrase) in others {
                    let held = kept.iter().any(|shorter| {
                        !shorter.is_empty()
                            && stems
                                .windows(shorter.len())
                                .any(|window| window == shorter.as_slice())
                    });
                    if !held && !stems.is_empty() && alternatives.len() < 8 {
                        kept.push(stems);
                        alternatives.push(phrase.clone());
                    }
                }
                let group: Vec<String> = alternatives
                    .iter()
                    .map(|phrase| format!("\"{}\"", phrase.replace('"', "")))
                    .collect();
                out.push(format!("({})", group.join(" OR ")));
                position += length;
            }
            None => {
                out.push(words[position].clone());
                position += 1;
            }
        }
    }
    out.join(" ")
}

/// Words nearly every English document holds: in a search of plain words
/// they narrow nothing (every word is required), cost a pass over almost
/// every document, and keep out documents that put it another way
/// ("target for 2025"). Lower case only: `AND`, `OR` and `NOT` are
/// operators, and negations ("no", "not") are kept.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "by", "for", "from", "has", "have", "in",
    "into", "is", "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was",
    "were", "with",
];

/// A search's words after [`expand_synonyms`], without [`FUNCTION_WORDS`]
/// outside its synonym groups, when the text as `typed` is plain words (a
/// quoted phrase or other query syntax keeps every word) and something is
/// left. Capitals do not matter, except a word all in capitals ("IT").
pub fn without_function_words<'a>(typed: &str, expanded: &'a str) -> std::borrow::Cow<'a, str> {
    if has_syntax(typed) {
        return expanded.into();
    }
    let tokens = top_level_tokens(expanded);
    let kept: Vec<&str> = tokens
        .iter()
        .copied()
        .filter(|token| {
            let capitals = token.len() > 1 && token.chars().all(|ch| ch.is_ascii_uppercase());
            capitals || !FUNCTION_WORDS.contains(&token.to_lowercase().as_str())
        })
        .collect();
    if kept.is_empty() || kept.len() == tokens.len() {
        expanded.into()
    } else {
        kept.join(" ").into()
    }
}

/// Whitespace-separated parts of a query, a bracketed group or a quoted
/// phrase counting as one.
fn top_level_tokens(text: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let (mut depth, mut quoted, mut start) = (0usize, false, None);
    for (at, ch) in text.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
        if ch.is_whitespace() && depth == 0 && !quoted {
            if let Some(from) = start.take() {
                tokens.push(&text[from..at]);
            }
        } else if start.is_none() {
            start = Some(at);
        }
    }
    if let Some(from) = start {
        tokens.push(&text[from..]);
    }
    tokens
}

/// The terms the index holds for `text`: tantivy's `en_stem` analyzer
/// (simple tokens, long ones dropped, lower case, English stems).
fn index_stems(text: &str) -> Vec<String> {
    let mut analyzer = super::pairs::stems();
    let mut stream = analyzer.token_stream(text);
    let mut stems = Vec::new();
    while let Some(token) = stream.next() {
        stems.push(token.text.clone());
    }
    stems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_words_leave_plain_searches_but_not_phrases() {
        let plain = |typed: &str| without_function_words(typed, typed).into_owned();
        assert_eq!(plain("target by 2025"), "target 2025");
        assert_eq!(plain("The cost of the new hospitals"), "cost new hospitals");
        // nothing else left, syntax, words in capitals and negations: kept
        assert_eq!(plain("to be or not"), "not");
        assert_eq!(plain("the"), "the");
        assert_eq!(plain("\"state of the art\""), "\"state of the art\"");
        assert_eq!(plain("rail AND the north"), "rail AND the north");
        assert_eq!(plain("IT in schools"), "IT schools");
        // a synonym group keeps its phrases whole
        let typed = "accident and emergency in the north";
        let expanded = expand_synonyms(typed);
        let searched = without_function_words(typed, &expanded);
        assert!(
            searched.contains("\"accident and emergency\""),
            "{searched}"
        );
        assert!(
            !searched.contains(" in ") && searched.ends_with(") north"),
            "{searched}"
        );
        assert_eq!(
            top_level_tokens("(\"a b\" OR c) \"d e\" f"),
            ["(\"a b\" OR c)", "\"d e\"", "f"]
        );
    }

    #[test]
    fn filters_come_out_of_the_text() {
        let request = SearchRequest::parse(
            r#"nhs app publisher:"NHS England" type:policy_paper from:2023-01-01 to:2024 sort:date"#,
        )
        .expect("parses");
        assert_eq!(request.text, "nhs app");
        assert_eq!(request.publisher.as_deref(), Some("NHS England"));
        assert_eq!(request.kind.as_deref(), Some("policy_paper"));
        assert_eq!(request.from.as_deref(), Some("2023-01-01"));
        assert_eq!(request.to.as_deref(), Some("2024-12-31"));
        assert_eq!(request.sort, Sort::Date);
    }

    #[test]
    fn phrases_and_other_fields_stay_for_the_parser() {
        let request = SearchRequest::parse(r#""waiting list" AND NOT title:hs2"#).expect("parses");
        assert_eq!(request.text, r#""waiting list" AND NOT title:hs2"#);
        assert!(request.publisher.is_none());
    }

    #[test]
    fn bad_dates_and_ranges_are_refused() {
        assert!(SearchRequest::parse("from:yesterday").is_err());
        assert!(SearchRequest::parse("to:2023-02-30").is_err());
        let backwards = SearchRequest::parse("from:2024 to:2023").expect("parses");
        assert!(backwards.check_range().is_err());
        assert!(SearchRequest::parse("sort:random").is_err());
        assert_eq!(
            SearchRequest::parse("to:2024-02")
                .expect("parses")
                .to
                .as_deref(),
            Some("2024-02-29")
        );
    }

    #[test]
    fn synonyms_widen_plain_words_only() {
        let widened = expand_synonyms("casualty figures");
        assert!(
            widened.starts_with("(\"casualty\" OR \"a&e\" OR "),
            "{widened}"
        );
        assert!(widened.ends_with(") figures"), "{widened}");
        assert_eq!(expand_synonyms("\"a&e\" waits"), "\"a&e\" waits");
        assert_eq!(expand_synonyms("zebra crossing"), "zebra crossing");
    }

    #[test]
    fn alternatives_holding_a_kept_one_are_left_out() {
        // "nurse", "nursing staff", "registered nurses" ... all hold the stem of "nurses"
        assert_eq!(expand_synonyms("nurses"), "(\"nurses\")");
        // "emergency departments" holds "emergency department"; "a and e" is kept
        let widened = expand_synonyms("a&e");
        assert!(widened.contains("\"emergency department\""), "{widened}");
        assert!(!widened.contains("\"emergency departments\""), "{widened}");
        assert!(widened.contains("\"accident and emergency\""), "{widened}");
        // the words as typed stay even when a shorter alternative holds them
        let typed = expand_synonyms("registered nurses");
        assert!(
            typed.starts_with("(\"registered nurses\" OR \"nurses\""),
            "{typed}"
        );
    }
}
