//! Text helpers shared by extraction and analysis: whitespace, search
//! normalisation and calendar dates as people write them.

use jiff::civil::Date;

/// Collapses runs of white space (non-breaking spaces included) to one
/// space and trims. Quotes and dashes are kept as written.
pub fn clean_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.chars() {
        if ch.is_whitespace() || ch == '\u{a0}' || ch == '\u{200b}' || ch == '\u{feff}' {
            pending_space = !out.is_empty();
            continue;
        }
        if ch.is_control() {
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(ch);
    }
    out
}

/// Text for matching: curly quotes and dashes folded to ASCII, lowercased.
/// Shown text keeps the original.
pub fn fold_for_search(text: &str) -> String {
    text.chars()
        .map(|ch| match ch {
            '\u{2018}' | '\u{2019}' | '\u{201b}' | '\u{2032}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{2033}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{a0}' => ' ',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

pub const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Month number (1-12) from a month name or its three-letter abbreviation.
pub fn month_number(word: &str) -> Option<i8> {
    let lower = word.trim_end_matches('.').to_lowercase();
    let index = MONTHS
        .iter()
        .position(|month| *month == lower)
        .or_else(|| {
            if lower.len() == 3 || lower == "sept" {
                MONTHS
                    .iter()
                    .position(|month| month.starts_with(lower.as_str()))
            } else {
                None
            }
        })?;
    Some(index as i8 + 1)
}

pub fn iso(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// The last day of a month.
pub fn month_end(year: i16, month: i8) -> Option<Date> {
    let first = Date::new(year, month, 1).ok()?;
    Some(first.last_of_month())
}

/// A calendar date from the forms found in metadata and text:
/// `2023-01-04`, `2023-01-04T09:30:00+00:00`, `4 January 2023`,
/// `January 4, 2023`, `4 Jan 2023`, `04/01/2023` (day first, as in the UK).
pub fn parse_date(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if trimmed.len() >= 10 {
        let head = &trimmed.get(..10)?;
        if let Ok(date) = head.parse::<Date>() {
            return Some(iso(date));
        }
    }
    let words: Vec<&str> = trimmed
        .split(|ch: char| ch.is_whitespace() || ch == ',')
        .filter(|word| !word.is_empty())
        .collect();
    for window in words.windows(3) {
        let day = strip_ordinal(window[0]);
        if let (Ok(day), Some(month), Ok(year)) = (
            day.parse::<i8>(),
            month_number(window[1]),
            window[2].trim_end_matches('.').parse::<i16>(),
        ) && let Ok(date) = Date::new(year, month, day)
        {
            return Some(iso(date));
        }
        let day = strip_ordinal(window[1]);
        if let (Some(month), Ok(day), Ok(year)) = (
            month_number(window[0]),
            day.parse::<i8>(),
            window[2].trim_end_matches('.').parse::<i16>(),
        ) && let Ok(date) = Date::new(year, month, day)
        {
            return Some(iso(date));
        }
    }
    let parts: Vec<&str> = trimmed.split('/').collect();
    if parts.len() == 3
        && let (Ok(day), Ok(month), Ok(year)) = (
            parts[0].parse::<i8>(),
            parts[1].parse::<i8>(),
            parts[2].get(..4).unwrap_or(parts[2]).parse::<i16>(),
        )
        && let Ok(date) = Date::new(year, month, day)
    {
        return Some(iso(date));
    }
    None
}

fn strip_ordinal(word: &str) -> &str {
    for suffix in ["st", "nd", "rd", "th"] {
        if let Some(stripped) = word.strip_suffix(suffix)
            && stripped.chars().all(|ch| ch.is_ascii_digit())
            && !stripped.is_empty()
        {
            return stripped;
        }
    }
    word
}

/// Finds the first full date anywhere in a text.
pub fn find_date(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    for start in 0..words.len() {
        let end = (start + 3).min(words.len());
        let candidate = words[start..end].join(" ");
        if let Some(date) = parse_date(&candidate) {
            return Some(date);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_date_forms_of_metadata_and_prose() {
        assert_eq!(
            parse_date("2023-01-04T09:30:00+00:00").as_deref(),
            Some("2023-01-04")
        );
        assert_eq!(parse_date("4 January 2023").as_deref(), Some("2023-01-04"));
        assert_eq!(
            parse_date("Published 17 March 2023").as_deref(),
            Some("2023-03-17")
        );
        assert_eq!(parse_date("January 4, 2023").as_deref(), Some("2023-01-04"));
        assert_eq!(parse_date("1st Sept 2023").as_deref(), Some("2023-09-01"));
        assert_eq!(parse_date("04/01/2023").as_deref(), Some("2023-01-04"));
        assert_eq!(parse_date("31 February 2023"), None);
        assert_eq!(parse_date("no date here"), None);
    }

    #[test]
    fn month_names_and_abbreviations() {
        assert_eq!(month_number("March"), Some(3));
        assert_eq!(month_number("Mar"), Some(3));
        assert_eq!(month_number("Sept"), Some(9));
        assert_eq!(month_number("may"), Some(5));
        assert_eq!(month_number("ma"), None);
        assert_eq!(month_number("marching"), None);
    }

    #[test]
    fn whitespace_and_folding() {
        assert_eq!(clean_whitespace("  a\u{a0}\u{a0}b \n c "), "a b c");
        assert_eq!(fold_for_search("The ‘NHS’ — App"), "the 'nhs' - app");
    }
}
