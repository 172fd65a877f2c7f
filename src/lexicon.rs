//! Words: stop words, a light stemmer for matching, and the synonym list
//! shared by search and ask (everyday words -> the words documents use).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::extract::text::fold_for_search;

const STOP_WORDS: &str = "a about above after again against all also am an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours yourself yourselves been being did does done get got gets getting make made let us may might must shall one two per via upon within without across among around whether yet still ever every many much said says say told tell there's it's we're they're i'm what's who's did didn't don't doesn't isn't wasn't aren't weren't hasn't haven't hadn't won't wouldn't can't couldn't shouldn't";

/// Words that carry no topic in a question or a commitment.
const GENERIC_WORDS: &str = "going happened happening happen hit how's what's where's who's when's thing things stuff anything something update news status actually ok okay today yesterday tomorrow last next first second third fourth fifth ago currently recently latest government governments department minister ministers secretary state people year years new use promise promised promises pledge pledged pledges commitment commitments committed target targets deliver delivered delivery met meet meeting kept keep happen happened happening plan plans policy policies uk england britain british national ensure able will would week weeks month months time number numbers per cent percent end deadline really actually";

static STOP: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| STOP_WORDS.split_whitespace().collect());
static GENERIC: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| GENERIC_WORDS.split_whitespace().collect());

pub fn is_stop_word(word: &str) -> bool {
    STOP.contains(word)
}

/// A light English stemmer for matching: plurals and common endings.
pub fn stem(word: &str) -> String {
    let word = word.trim_end_matches("'s").trim_end_matches('\'');
    let length = word.chars().count();
    if length <= 3 {
        return word.to_string();
    }
    let stemmed = strip_suffix(word, length);
    // "halve", "halving" and "halved" meet at "halv"
    match stemmed.strip_suffix('e') {
        Some(shorter) if shorter.chars().count() >= 4 => shorter.to_string(),
        _ => stemmed,
    }
}

fn strip_suffix(word: &str, length: usize) -> String {
    for (suffix, replacement, min) in [
        ("ies", "y", 5),
        ("sses", "ss", 5),
        ("ations", "ate", 7),
        ("ation", "ate", 6),
        ("ings", "", 6),
        ("ing", "", 5),
        ("edly", "", 7),
        ("ied", "y", 5),
        ("ed", "", 6),
        ("sses", "ss", 5),
        ("xes", "x", 5),
        ("ches", "ch", 6),
        ("shes", "sh", 6),
        ("s", "", 4),
    ] {
        if length >= min && word.ends_with(suffix) && !word.ends_with("ss") {
            let stem = &word[..word.len() - suffix.len()];
            return format!("{stem}{replacement}");
        }
    }
    word.to_string()
}

/// Lowercased, folded words of a text (letters, digits, `&` and `%` kept).
pub fn words(text: &str) -> Vec<String> {
    fold_for_search(text)
        .split(|ch: char| !(ch.is_alphanumeric() || ch == '&' || ch == '%' || ch == '\''))
        .map(|word| word.trim_matches('\''))
        .filter(|word| !word.is_empty())
        .map(str::to_string)
        .collect()
}

/// Stemmed content words: no stop words, no generic policy words, no bare numbers.
pub fn content_terms(text: &str) -> Vec<String> {
    words(text)
        .into_iter()
        .filter(|word| !STOP.contains(word.as_str()) && !GENERIC.contains(word.as_str()))
        // numbers are matched as figures, not as topic words
        .filter(|word| word.chars().all(|ch| !ch.is_ascii_digit()))
        .map(|word| stem(&word))
        .collect()
}

/// One entry of the synonym list: phrases that mean the same thing in
/// questions and in documents, as lowercase words joined by spaces.
#[derive(Debug)]
pub struct SynonymSet {
    pub area: String,
    pub phrases: Vec<String>,
}

#[derive(serde::Deserialize)]
struct SynonymFile {
    synonym: Vec<SynonymEntry>,
}

#[derive(serde::Deserialize)]
struct SynonymEntry {
    #[serde(default)]
    area: String,
    terms: Vec<String>,
}

/// The synonym list (`data/synonyms.toml`, compiled in), shared by search
/// and ask. A broken list is a build-time bug, caught by the tests.
pub static SYNONYMS: LazyLock<Vec<SynonymSet>> = LazyLock::new(|| {
    let file: SynonymFile =
        toml::from_str(include_str!("../data/synonyms.toml")).unwrap_or(SynonymFile {
            synonym: Vec::new(),
        });
    file.synonym
        .into_iter()
        .map(|entry| SynonymSet {
            area: entry.area,
            phrases: entry
                .terms
                .iter()
                .map(|phrase| words(phrase).join(" "))
                .filter(|phrase| !phrase.is_empty())
                .collect(),
        })
        .collect()
});

/// A phrase of the synonym list as its words, with the position of its
/// set in [`SYNONYMS`].
type Phrase = (Vec<&'static str>, usize);

/// Every phrase of the synonym list by its first word.
static PHRASES_BY_FIRST_WORD: LazyLock<HashMap<&'static str, Vec<Phrase>>> = LazyLock::new(|| {
    let mut by_first: HashMap<&'static str, Vec<Phrase>> = HashMap::new();
    for (position, set) in SYNONYMS.iter().enumerate() {
        for phrase in &set.phrases {
            let phrase_words: Vec<&'static str> = phrase.split(' ').collect();
            by_first
                .entry(phrase_words[0])
                .or_default()
                .push((phrase_words, position));
        }
    }
    by_first
});

/// The synonym sets a text mentions (a phrase's words in a row, as whole
/// words), in the list's order. One pass over the text's words: asked for
/// every commitment a question retrieves, so it must not scan the text
/// once per phrase.
pub fn mentioned_synonyms(text: &str) -> Vec<&'static SynonymSet> {
    let text_words = words(text);
    let mut mentioned = vec![false; SYNONYMS.len()];
    for (start, word) in text_words.iter().enumerate() {
        let Some(candidates) = PHRASES_BY_FIRST_WORD.get(word.as_str()) else {
            continue;
        };
        let rest = &text_words[start..];
        for (phrase_words, position) in candidates {
            if rest.len() >= phrase_words.len()
                && phrase_words
                    .iter()
                    .zip(rest)
                    .all(|(phrase_word, text_word)| *phrase_word == text_word.as_str())
            {
                mentioned[*position] = true;
            }
        }
    }
    SYNONYMS
        .iter()
        .zip(mentioned)
        .filter_map(|(set, found)| found.then_some(set))
        .collect()
}

/// A text's topic terms widened by the synonym list: its stemmed content
/// words, then those of every synonym of a phrase it mentions, each once.
pub fn expanded_terms(text: &str) -> Vec<String> {
    let mut terms: Vec<String> = content_terms(text);
    for set in mentioned_synonyms(text) {
        for phrase in &set.phrases {
            terms.extend(content_terms(phrase));
        }
    }
    let mut seen = HashSet::new();
    terms.retain(|term| seen.insert(term.clone()));
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_synonym_list_loads_and_covers_the_policy_areas() {
        assert!(SYNONYMS.len() >= 200, "{} entries", SYNONYMS.len());
        let areas: HashSet<&str> = SYNONYMS.iter().map(|set| set.area.as_str()).collect();
        for area in [
            "health",
            "education",
            "justice",
            "policing",
            "defence",
            "housing",
            "transport",
            "immigration",
            "welfare",
            "digital",
        ] {
            assert!(areas.contains(area), "no {area} entries");
        }
        let found: Vec<&str> = mentioned_synonyms("what happened with A&E waits?")
            .iter()
            .map(|set| set.area.as_str())
            .collect();
        assert!(found.contains(&"health"), "{found:?}");
    }

    #[test]
    fn phrases_match_whole_words_in_a_row() {
        let areas = |text: &str| -> Vec<&str> {
            mentioned_synonyms(text)
                .iter()
                .flat_map(|set| set.phrases.iter().map(String::as_str))
                .collect()
        };
        // the same answer as looking for " phrase " in the folded words
        for text in [
            "what happened with A&E waits?",
            "did they scrap HS2 and the northern leg",
            "accident and emergency departments, the triple lock",
            "",
            "nhs",
        ] {
            let folded = format!(" {} ", words(text).join(" "));
            let expected: Vec<&str> = SYNONYMS
                .iter()
                .filter(|set| {
                    set.phrases
                        .iter()
                        .any(|phrase| folded.contains(&format!(" {phrase} ")))
                })
                .flat_map(|set| set.phrases.iter().map(String::as_str))
                .collect();
            assert_eq!(areas(text), expected, "{text}");
        }
        assert!(!areas("the triple lock").is_empty());
        assert!(
            areas("the triplelock")
                .iter()
                .all(|p| !p.contains("triple"))
        );
    }

    #[test]
    fn stems_meet() {
        assert_eq!(stem("halving"), stem("halve"));
        assert_eq!(stem("halved"), stem("halve"));
        assert_eq!(stem("homes"), "home");
        assert_eq!(stem("speed"), "speed");
    }
}
