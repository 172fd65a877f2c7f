//! A sentence splitter for UK government text: titles and abbreviations
//! (Rt. Hon., Mr., para., No., e.g., i.e.), decimals ("£1.2 bn."),
//! numbered lists and footnote markers do not end a sentence.

/// Words that end with a full stop without ending the sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "rt", "hon", "sir", "st", "no", "nos", "para", "paras", "e.g",
    "i.e", "eg", "ie", "etc", "cf", "vs", "v", "viz", "approx", "est", "fig", "figs", "vol", "p",
    "pp", "sec", "ch", "art", "cl", "col", "cols", "ref", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "govt", "dept", "inc", "ltd", "plc", "co", "bn",
    "mn", "c", "ca", "op", "cit", "ibid", "al", "gen", "lt", "col", "capt", "hc", "hl", "cm",
    "reg", "regs", "sch", "s", "ss",
];

/// Splits text into sentences, returned trimmed and in order.
pub fn split(text: &str) -> Vec<&str> {
    let mut sentences = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut start = 0;
    let mut index = 0;
    while index < chars.len() {
        let (position, ch) = chars[index];
        if matches!(ch, '.' | '!' | '?') {
            let mut end_index = index + 1;
            // closing quotes and brackets belong to the sentence
            while end_index < chars.len()
                && matches!(chars[end_index].1, '"' | '\'' | '”' | '’' | ')' | ']')
            {
                end_index += 1;
            }
            // a footnote marker glued to the full stop: "met.12 Next"
            let mut marker_end = end_index;
            while marker_end < chars.len()
                && chars[marker_end].1.is_ascii_digit()
                && marker_end - end_index < 3
            {
                marker_end += 1;
            }
            let followed_by_space = chars
                .get(marker_end)
                .is_none_or(|(_, next)| next.is_whitespace());
            if marker_end > end_index && followed_by_space {
                end_index = marker_end;
            }
            let at_end = end_index >= chars.len();
            let next_starts = next_word_start(&chars, end_index);
            let boundary = at_end
                || (chars[end_index].1.is_whitespace()
                    && next_starts.is_some_and(|next| {
                        next.is_uppercase()
                            || next.is_ascii_digit()
                            || matches!(next, '“' | '"' | '‘' | '(' | '£')
                    }));
            if boundary
                && (ch != '.' || !is_abbreviation(text, start, position))
                && !is_list_number(text, start, position)
            {
                let end_byte = chars.get(end_index).map_or(text.len(), |(byte, _)| *byte);
                let sentence = text[start..end_byte].trim();
                if !sentence.is_empty() {
                    sentences.push(sentence);
                }
                start = end_byte;
                index = end_index;
                continue;
            }
        }
        index += 1;
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        sentences.push(rest);
    }
    sentences
}

fn next_word_start(chars: &[(usize, char)], from: usize) -> Option<char> {
    chars[from.min(chars.len())..]
        .iter()
        .map(|(_, ch)| *ch)
        .find(|ch| !ch.is_whitespace())
}

/// The word before the full stop is an abbreviation or an initial.
fn is_abbreviation(text: &str, sentence_start: usize, stop: usize) -> bool {
    let before = &text[sentence_start..stop];
    let word = before
        .rsplit(|ch: char| ch.is_whitespace() || ch == '(' || ch == '“' || ch == '"')
        .next()
        .unwrap_or_default();
    if word.is_empty() {
        return false;
    }
    let lower = word.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return true;
    }
    // a single capital initial: "J. Smith"
    let mut letters = word.chars();
    matches!((letters.next(), letters.next()), (Some(first), None) if first.is_uppercase())
}

/// "1." or "(a)." at the start of a sentence is a list number.
fn is_list_number(text: &str, sentence_start: usize, stop: usize) -> bool {
    let before = text[sentence_start..stop].trim();
    !before.is_empty()
        && before.len() <= 3
        && before
            .chars()
            .all(|ch| ch.is_ascii_digit() || ch.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn keeps_titles_abbreviations_and_decimals_together() {
        let text = "The Rt. Hon. Mr. Smith spoke. Spending was £1.2 bn. in total, e.g. on nurses. See para. 12 and No. 10. It rose 3.5% in 2023.";
        assert_eq!(
            split(text),
            [
                "The Rt. Hon. Mr. Smith spoke.",
                "Spending was £1.2 bn. in total, e.g. on nurses.",
                "See para. 12 and No. 10.",
                "It rose 3.5% in 2023.",
            ]
        );
    }

    #[test]
    fn footnotes_lists_and_quotes() {
        assert_eq!(
            split("The target was met.12 Next it fell."),
            ["The target was met.12", "Next it fell."]
        );
        assert_eq!(
            split("1. We will act. 2. We will report."),
            ["1. We will act.", "2. We will report."]
        );
        assert_eq!(
            split("He said “we will.” Then left."),
            ["He said “we will.”", "Then left."]
        );
        assert_eq!(split("Is it met? Yes!"), ["Is it met?", "Yes!"]);
        assert_eq!(split("no end"), ["no end"]);
        assert!(split("").is_empty());
    }
}
