//! A longest-common-subsequence diff, used for a document's history:
//! paragraphs between two captures, and words within a changed paragraph.

/// One step of turning `before` into `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// `before[i]` is `after[j]`.
    Same(usize, usize),
    Removed(usize),
    Added(usize),
}

/// Largest table (cells) the exact diff fills; past it the differing
/// middle is reported as removed then added.
const MAX_CELLS: usize = 4_000_000;

/// The edits from `before` to `after`, in order. Exact (a longest common
/// subsequence) unless both differ in a middle larger than [`MAX_CELLS`].
pub fn diff<T: PartialEq>(before: &[T], after: &[T]) -> Vec<Edit> {
    let prefix = before.iter().zip(after).take_while(|(a, b)| a == b).count();
    let suffix = before[prefix..]
        .iter()
        .rev()
        .zip(after[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let a = &before[prefix..before.len() - suffix];
    let b = &after[prefix..after.len() - suffix];
    let mut edits: Vec<Edit> = (0..prefix).map(|i| Edit::Same(i, i)).collect();
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        edits.extend((0..a.len()).map(|i| Edit::Removed(prefix + i)));
        edits.extend((0..b.len()).map(|j| Edit::Added(prefix + j)));
    } else {
        // lengths[i][j]: the LCS of a[i..] and b[j..]
        let width = b.len() + 1;
        let mut lengths = vec![0u32; (a.len() + 1) * width];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                lengths[i * width + j] = if a[i] == b[j] {
                    lengths[(i + 1) * width + j + 1] + 1
                } else {
                    lengths[(i + 1) * width + j].max(lengths[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            if i < a.len() && j < b.len() && a[i] == b[j] {
                edits.push(Edit::Same(prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if i < a.len()
                && (j == b.len() || lengths[(i + 1) * width + j] >= lengths[i * width + j + 1])
            {
                // removals first, so a replaced word reads "old, new"
                edits.push(Edit::Removed(prefix + i));
                i += 1;
            } else {
                edits.push(Edit::Added(prefix + j));
                j += 1;
            }
        }
    }
    let (tail_before, tail_after) = (before.len() - suffix, after.len() - suffix);
    edits.extend((0..suffix).map(|k| Edit::Same(tail_before + k, tail_after + k)));
    edits
}

/// A piece of a word-level diff of two texts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Piece {
    /// `same`, `removed` or `added`.
    pub kind: &'static str,
    pub text: String,
}

/// Word by word, with runs of the same kind joined.
pub fn word_diff(before: &str, after: &str) -> Vec<Piece> {
    let a: Vec<&str> = before.split_whitespace().collect();
    let b: Vec<&str> = after.split_whitespace().collect();
    let mut pieces: Vec<Piece> = Vec::new();
    for edit in diff(&a, &b) {
        let (kind, word) = match edit {
            Edit::Same(_, j) => ("same", b[j]),
            Edit::Removed(i) => ("removed", a[i]),
            Edit::Added(j) => ("added", b[j]),
        };
        match pieces.last_mut() {
            Some(last) if last.kind == kind => {
                last.text.push(' ');
                last.text.push_str(word);
            }
            _ => pieces.push(Piece {
                kind,
                text: word.to_string(),
            }),
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply<T: Clone>(before: &[T], after: &[T], edits: &[Edit]) -> Vec<T> {
        let _ = before;
        edits
            .iter()
            .filter_map(|edit| match edit {
                Edit::Same(_, j) | Edit::Added(j) => Some(after[*j].clone()),
                Edit::Removed(_) => None,
            })
            .collect()
    }

    #[test]
    fn edits_rebuild_the_new_text_and_keep_the_common_part() {
        let before = ["a", "b", "c", "d", "e"];
        let after = ["a", "c", "x", "d", "e", "f"];
        let edits = diff(&before, &after);
        assert_eq!(apply(&before, &after, &edits), after);
        let same = edits.iter().filter(|e| matches!(e, Edit::Same(..))).count();
        assert_eq!(same, 4, "a c d e are common: {edits:?}");
        let removed: Vec<usize> = edits
            .iter()
            .filter_map(|e| match e {
                Edit::Removed(i) => Some(*i),
                _ => None,
            })
            .collect();
        assert_eq!(removed, [1]);
        assert!(diff::<u8>(&[], &[]).is_empty());
        assert_eq!(diff(&[1], &[]), [Edit::Removed(0)]);
        assert_eq!(diff(&[], &[1]), [Edit::Added(0)]);
    }

    #[test]
    fn words_of_a_changed_sentence() {
        let pieces = word_diff(
            "We will recruit 5,000 health visitors by 2015.",
            "We will recruit 4,200 health visitors by 2016.",
        );
        let kinds: Vec<(&str, &str)> = pieces
            .iter()
            .map(|piece| (piece.kind, piece.text.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("same", "We will recruit"),
                ("removed", "5,000"),
                ("added", "4,200"),
                ("same", "health visitors by"),
                ("removed", "2015."),
                ("added", "2016."),
            ]
        );
    }
}
