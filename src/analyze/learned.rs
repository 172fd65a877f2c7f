//! A learned second opinion on commitments: a logistic regression over a
//! sentence's words and word pairs, trained on the development split of
//! the sentence gold set (`pledgewatch train`), never on the held-out one.
//!
//! The rules in [`super::commitments`] decide first. They are precise but
//! miss the ways of promising no pattern lists ("By 2020 all the trains
//! will be brand new or completely refurbished", "A new Local Audit Office
//! will be set up in shadow form by autumn 2026"). When they find nothing,
//! a sentence the model is at least [`THRESHOLD`] sure of is a commitment
//! too, and [`Model::explain`] names the words that weighed most, so that
//! the finding can be checked like any other.
//!
//! The weights live in `data/commitment_model.tsv` (compiled in): one
//! `feature<TAB>weight` line each, written by [`Model::to_tsv`]. A test
//! retrains from the gold set and checks the file is what training gives.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

/// How sure the model must be, on its own, that a sentence promises.
/// Chosen on 5-fold cross-validation over the development split (where
/// the model alone keeps a precision above 0.9), not on the held-out one.
pub const THRESHOLD: f64 = 0.9;

/// Training passes over the examples.
const EPOCHS: usize = 30;
/// Step size of stochastic gradient descent.
const LEARNING_RATE: f64 = 0.2;
/// Weight decay on the features a step touches.
const L2: f64 = 1e-3;
/// Weights smaller than this are left out of the file (they move a
/// probability by less than a thousandth).
const KEPT_WEIGHT: f64 = 0.0005;

/// The feature every sentence has (the intercept).
const BIAS: &str = "bias";

static MODEL: LazyLock<Model> =
    LazyLock::new(|| Model::from_tsv(include_str!("../../data/commitment_model.tsv")));

/// Weights by feature name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    weights: HashMap<String, f64>,
    /// The same weights by the hash of their feature's name, for scoring.
    hashed: HashMap<u64, f64>,
}

impl Model {
    fn new(weights: HashMap<String, f64>) -> Model {
        let hashed = weights
            .iter()
            .map(|(feature, weight)| (hash_of(&[feature]), *weight))
            .collect();
        Model { weights, hashed }
    }
}

/// A token as the model sees it: years and other figures by their shape.
fn normalise(word: &str) -> &str {
    let bytes = word.as_bytes();
    let year = bytes.len() == 4
        && bytes.iter().all(u8::is_ascii_digit)
        && (word.starts_with("19") || word.starts_with("20"));
    if year {
        return "<year>";
    }
    let digits = word
        .trim_start_matches(['£', '$'])
        .trim_end_matches("bn")
        .trim_end_matches(['m', 'k', '%']);
    if !digits.is_empty()
        && digits.starts_with(|ch: char| ch.is_ascii_digit())
        && digits
            .chars()
            .all(|ch| ch.is_ascii_digit() || ch == ',' || ch == '.')
    {
        return "<num>";
    }
    word
}

/// The lower-case words of a sentence: a word starts with a letter, digit,
/// `£`, `$` or `%` and runs on through letters, digits and `, . % ' ’ -`
/// (so "1,000", "£1.2bn" and "government's" stay whole); trailing commas
/// and full stops are not part of it. `lower` is the sentence in lower case.
fn words(lower: &str) -> Vec<&str> {
    let starts = |ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit() || "£$%".contains(ch);
    let continues =
        |ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ",.%'’-".contains(ch);
    let mut out = Vec::new();
    let mut chars = lower.char_indices().peekable();
    while let Some((start, ch)) = chars.next() {
        if !starts(ch) {
            continue;
        }
        let mut end = start + ch.len_utf8();
        while let Some(&(at, next)) = chars.peek() {
            if !continues(next) {
                break;
            }
            end = at + next.len_utf8();
            chars.next();
        }
        let word = lower[start..end].trim_end_matches(['.', ',']);
        if !word.is_empty() {
            out.push(normalise(word));
        }
    }
    out
}

/// A sentence's features: its words, its pairs of neighbouring words and
/// the intercept, each once.
pub fn features(sentence: &str) -> Vec<String> {
    let lower = sentence.to_lowercase();
    let words = words(&lower);
    let mut out: Vec<String> = Vec::with_capacity(words.len() * 2 + 1);
    out.extend(words.iter().map(|word| format!("w:{word}")));
    out.extend(
        words
            .windows(2)
            .map(|pair| format!("p:{}_{}", pair[0], pair[1])),
    );
    out.push(BIAS.to_string());
    out.sort_unstable();
    out.dedup();
    out
}

/// FNV-1a over the pieces of a feature's name, as if joined: the hash of
/// "p:we_will" from "p:", "we", "_", "will" without building the string.
fn hash_of(pieces: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for piece in pieces {
        for byte in piece.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// [`features`] as hashes of their names, sorted and each once: what
/// scoring a sentence needs, without a string per feature.
fn hashed_features(sentence: &str) -> Vec<u64> {
    let lower = sentence.to_lowercase();
    let words = words(&lower);
    let mut out: Vec<u64> = Vec::with_capacity(words.len() * 2 + 1);
    out.extend(words.iter().map(|word| hash_of(&["w:", word])));
    out.extend(
        words
            .windows(2)
            .map(|pair| hash_of(&["p:", pair[0], "_", pair[1]])),
    );
    out.push(hash_of(&[BIAS]));
    out.sort_unstable();
    out.dedup();
    out
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z.clamp(-30.0, 30.0)).exp())
}

/// A small deterministic generator for the order of training examples.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

impl Model {
    /// Trains on sentences marked as commitments or not. The same
    /// examples in the same order give the same weights.
    pub fn train<S: AsRef<str>>(examples: &[(S, bool)]) -> Model {
        let featured: Vec<(Vec<String>, f64)> = examples
            .iter()
            .map(|(sentence, promise)| {
                let label = if *promise { 1.0 } else { 0.0 };
                (features(sentence.as_ref()), label)
            })
            .collect();
        let mut weights: HashMap<String, f64> = HashMap::new();
        let mut order: Vec<usize> = (0..featured.len()).collect();
        let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..EPOCHS {
            random.shuffle(&mut order);
            for &at in &order {
                let (features, label) = &featured[at];
                let z: f64 = features
                    .iter()
                    .map(|f| weights.get(f).copied().unwrap_or(0.0))
                    .sum();
                let gradient = sigmoid(z) - label;
                for feature in features {
                    let weight = weights.entry(feature.clone()).or_insert(0.0);
                    *weight -= LEARNING_RATE * (gradient + L2 * *weight);
                }
            }
        }
        weights.retain(|_, weight| weight.abs() >= KEPT_WEIGHT);
        // as the file keeps them, so that a trained model equals its file
        for weight in weights.values_mut() {
            *weight = (*weight * 10_000.0).round() / 10_000.0;
        }
        Model::new(weights)
    }

    /// The weights file: a comment, then `feature<TAB>weight` lines in
    /// feature order.
    pub fn to_tsv(&self) -> String {
        let mut features: Vec<(&String, &f64)> = self.weights.iter().collect();
        features.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = String::from(
            "# pledgewatch commitment model: logistic regression weights, written by `pledgewatch train`\n",
        );
        for (feature, weight) in features {
            let _ = writeln!(out, "{feature}\t{weight:.4}");
        }
        out
    }

    /// Reads a weights file; lines that do not parse are skipped.
    pub fn from_tsv(text: &str) -> Model {
        let weights = text
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| {
                let (feature, weight) = line.split_once('\t')?;
                Some((feature.to_string(), weight.trim().parse().ok()?))
            })
            .collect();
        Model::new(weights)
    }

    /// How sure the model is that a sentence makes a commitment (0 to 1).
    pub fn probability(&self, sentence: &str) -> f64 {
        let z: f64 = hashed_features(sentence)
            .iter()
            .filter_map(|feature| self.hashed.get(feature))
            .sum();
        sigmoid(z)
    }

    /// The features that pushed a sentence most towards a promise, heaviest
    /// first, as the words they stand for.
    pub fn explain(&self, sentence: &str, at_most: usize) -> Vec<(String, f64)> {
        let mut weighed: Vec<(String, f64)> = features(sentence)
            .into_iter()
            .filter(|feature| feature != BIAS)
            .filter_map(|feature| {
                let weight = *self.weights.get(&feature)?;
                (weight > 0.0).then(|| (readable(&feature), weight))
            })
            .collect();
        weighed.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        weighed.truncate(at_most);
        weighed
    }

    pub fn len(&self) -> usize {
        self.weights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
}

/// "p:we_will" -> "we will"; "w:<year>" -> "a year".
fn readable(feature: &str) -> String {
    let words = feature
        .strip_prefix("w:")
        .or_else(|| feature.strip_prefix("p:"))
        .unwrap_or(feature);
    words
        .split('_')
        .map(|word| match word {
            "<year>" => "a year",
            "<num>" => "a figure",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The compiled-in model.
pub fn model() -> &'static Model {
    &MODEL
}

/// Why the compiled-in model took a sentence for a promise, for a reader:
/// how sure it is and the words that weighed most.
pub fn explanation(sentence: &str) -> String {
    let words: Vec<String> = MODEL
        .explain(sentence, 4)
        .into_iter()
        .map(|(words, _)| format!("“{words}”"))
        .collect();
    let sure = MODEL.probability(sentence) * 100.0;
    let sure = if sure >= 99.5 {
        "more than 99%".to_string()
    } else {
        format!("{sure:.0}%")
    };
    format!(
        "No rule matched this sentence; the learned commitment model (trained on hand-labelled sentences) is {sure} sure it is a promise, most of all for the words {}.",
        words.join(", ")
    )
}

/// Whether the compiled-in model is at least [`THRESHOLD`] sure that a
/// sentence makes a commitment.
pub fn is_promise(sentence: &str) -> bool {
    MODEL.probability(sentence) >= THRESHOLD
}

/// Precision and recall of the model alone at [`THRESHOLD`] over `folds`
/// folds of the examples (each scored by a model trained on the others):
/// (true positives, predicted positives, actual positives).
pub fn cross_validate<S: AsRef<str>>(
    examples: &[(S, bool)],
    folds: usize,
) -> (usize, usize, usize) {
    let folds = folds.max(2);
    let (mut hits, mut predicted, mut actual) = (0, 0, 0);
    for fold in 0..folds {
        let training: Vec<(&str, bool)> = examples
            .iter()
            .enumerate()
            .filter(|(at, _)| at % folds != fold)
            .map(|(_, (sentence, promise))| (sentence.as_ref(), *promise))
            .collect();
        let model = Model::train(&training);
        for (_, (sentence, promise)) in examples
            .iter()
            .enumerate()
            .filter(|(at, _)| at % folds == fold)
        {
            let said = model.probability(sentence.as_ref()) >= THRESHOLD;
            hits += usize::from(said && *promise);
            predicted += usize::from(said);
            actual += usize::from(*promise);
        }
    }
    (hits, predicted, actual)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_figures_whole_and_shape_them() {
        assert_eq!(
            words("we will recruit 6,500 teachers by 2029, at £1.2bn."),
            [
                "we", "will", "recruit", "<num>", "teachers", "by", "<year>", "at", "<num>"
            ]
        );
        assert_eq!(
            words("the government’s 75% target"),
            ["the", "government’s", "<num>", "target"]
        );
    }

    #[test]
    fn features_are_words_pairs_and_the_intercept_once() {
        let found = features("we will, we will");
        assert_eq!(found, ["bias", "p:we_will", "p:will_we", "w:we", "w:will"]);
    }

    #[test]
    fn training_learns_a_separable_cue_and_the_file_round_trips() {
        let examples = [
            ("We will build homes.", true),
            ("We will recruit nurses.", true),
            ("The committee found delays.", false),
            ("Costs rose last year.", false),
        ];
        let model = Model::train(&examples);
        assert!(model.probability("We will open clinics.") > 0.5);
        assert!(model.probability("The committee found costs rose.") < 0.5);
        assert_eq!(Model::from_tsv(&model.to_tsv()), model);
        let sentence = "We will open clinics.";
        let by_name: f64 = features(sentence)
            .iter()
            .filter_map(|feature| model.weights.get(feature))
            .sum();
        assert!((model.probability(sentence) - sigmoid(by_name)).abs() < 1e-12);
        let why = model.explain("We will open clinics.", 2);
        assert!(
            why.iter().any(|(words, _)| words.contains("will")),
            "{why:?}"
        );
    }

    #[test]
    fn a_damaged_file_gives_a_model_without_the_bad_lines() {
        let model = Model::from_tsv("# header\nw:will\t1.5\nbroken line\nw:x\tnot-a-number\n");
        assert_eq!(model.len(), 1);
    }
}
