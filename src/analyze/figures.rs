//! Figures: percentages, money and counts, with what they count.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{Figure, Unit};

static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?P<pound>£\s?)?
        (?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)
        (?:\s?(?P<scale>billion|bn|million|m|thousand|k)\b)?
        (?:\s?(?P<percent>%|per\ cent\b|percent\b))?",
    )
    .expect("figure pattern")
});

/// Words that end the description of what a figure counts.
const STOP_WORDS: &[&str] = &[
    "by", "in", "from", "to", "before", "within", "over", "and", "but", "than", "which", "who",
    "that", "since", "at", "on", "for", "this", "is", "are", "was", "were", "has", "have", "had",
    "will", "would", "compared", "against", "per", "a", "an", "the", "as", "up",
];

/// Every figure in a text. Years (1900-2099 without a unit) and dates are
/// not figures.
pub fn find_figures(text: &str) -> Vec<Figure> {
    let mut figures = Vec::new();
    for captures in FIGURE.captures_iter(text) {
        let Some(number) = captures.name("number") else {
            continue;
        };
        let whole = captures.get(0).map_or(number, |m| m);
        let Ok(mut value) = number.as_str().replace(',', "").parse::<f64>() else {
            continue;
        };
        let is_pound = captures.name("pound").is_some();
        let is_percent = captures.name("percent").is_some();
        let scale = captures.name("scale").map(|m| m.as_str().to_lowercase());
        // "m" after a bare number without £ is usually metres or minutes
        if scale.as_deref() == Some("m") && !is_pound {
            continue;
        }
        match scale.as_deref() {
            Some("billion" | "bn") => value *= 1e9,
            Some("million" | "m") => value *= 1e6,
            Some("thousand" | "k") => value *= 1e3,
            _ => {}
        }
        let after = &text[whole.end()..];
        let before = &text[..number.start()];
        if !is_pound && !is_percent && scale.is_none() {
            let looks_like_year =
                (1900.0..2100.0).contains(&value) && !number.as_str().contains(',');
            let in_date = before
                .trim_end()
                .ends_with(|ch: char| ch.is_ascii_digit() || ch == '/' || ch == '-' || ch == '–')
                || starts_with_month(after)
                || is_label(before)
                // "Q3", "the M4", "COP26": a name, not a count
                || before.ends_with(|ch: char| ch.is_alphabetic())
                || after.starts_with('/')
                || after.starts_with(['-', '–'])
                    && after[1..].starts_with(|ch: char| ch.is_ascii_digit());
            if looks_like_year || in_date || value < 1.0 {
                continue;
            }
        }
        let unit = if is_percent {
            Unit::Percent
        } else if is_pound {
            Unit::Pounds
        } else {
            Unit::Count
        };
        figures.push(Figure {
            text: whole.as_str().trim().to_string(),
            value,
            unit,
            counts: what_it_counts(after),
        });
    }
    figures
}

/// "section 21", "HC 1228", "paragraph 12", "Phase 2": a number that names, not counts.
fn is_label(before: &str) -> bool {
    let word: String = before
        .trim_end()
        .chars()
        .rev()
        .take_while(|ch| ch.is_alphabetic() || *ch == '.')
        .collect::<String>()
        .chars()
        .rev()
        .collect::<String>()
        .to_lowercase();
    matches!(
        word.trim_end_matches('.'),
        "section"
            | "sections"
            | "clause"
            | "schedule"
            | "article"
            | "part"
            | "chapter"
            | "paragraph"
            | "para"
            | "paras"
            | "hc"
            | "hl"
            | "cm"
            | "cp"
            | "no"
            | "number"
            | "page"
            | "pages"
            | "figure"
            | "table"
            | "annex"
            | "appendix"
            | "phase"
            | "stage"
            | "tier"
            | "level"
            | "step"
            | "priority"
            | "recommendation"
            | "conclusion"
            | "box"
            | "volume"
            | "vol"
            | "session"
            | "covid"
            | "rule"
            | "regulation"
            | "item"
            | "question"
    )
}

fn starts_with_month(text: &str) -> bool {
    let word: String = text
        .trim_start()
        .chars()
        .take_while(|ch| ch.is_alphabetic())
        .collect();
    crate::extract::text::month_number(&word).is_some()
}

/// "75% of adults registered with the NHS App by 2024" -> "adults registered with the NHS App".
fn what_it_counts(after: &str) -> String {
    let mut words = Vec::new();
    let mut rest = after.trim_start();
    if let Some(stripped) = rest.strip_prefix("of ") {
        rest = stripped;
    }
    for raw in rest.split_whitespace() {
        let word = raw.trim_matches(|ch: char| !ch.is_alphanumeric() && ch != '&' && ch != '-');
        let lower = word.to_lowercase();
        if word.is_empty()
            || (STOP_WORDS.contains(&lower.as_str())
                && !words.is_empty()
                && !matches!(lower.as_str(), "the" | "a" | "an"))
        {
            break;
        }
        if (lower == "the" || lower == "a" || lower == "an") && words.is_empty() {
            continue;
        }
        if lower.chars().all(|ch| ch.is_ascii_digit()) {
            break;
        }
        words.push(word.to_string());
        let ends_clause = raw.ends_with([',', '.', ';', ':', ')']);
        if ends_clause || words.len() >= 7 {
            break;
        }
    }
    while words
        .last()
        .is_some_and(|word| STOP_WORDS.contains(&word.to_lowercase().as_str()))
    {
        words.pop();
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_money_and_counts() {
        let figures =
            find_figures("a target of 75% of adults registered with the NHS App by March 2024");
        assert_eq!(figures.len(), 1);
        assert_eq!(figures[0].unit, Unit::Percent);
        assert_eq!(figures[0].value, 75.0);
        assert_eq!(figures[0].counts, "adults registered with the NHS App");

        let figures = find_figures("£1.2 billion and £300m for 5,000 more health visitors");
        let values: Vec<(f64, Unit)> = figures.iter().map(|f| (f.value, f.unit)).collect();
        assert_eq!(
            values,
            [
                (1.2e9, Unit::Pounds),
                (300e6, Unit::Pounds),
                (5000.0, Unit::Count)
            ]
        );
        assert_eq!(figures[2].counts, "more health visitors");

        assert_eq!(find_figures("68 per cent")[0].unit, Unit::Percent);
    }

    #[test]
    fn years_and_dates_are_not_figures() {
        assert!(find_figures("in 2023 and by 31 March 2024, HC 1228, 2024/25").is_empty());
        assert!(find_figures("section 21 evictions, paragraph 12, Phase 2b").is_empty());
    }
}
