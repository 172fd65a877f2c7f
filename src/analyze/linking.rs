//! Linking assessments to the commitments they assess: by shared topic
//! words weighted by rarity, by shared targets and figures, and by dates.
//! A link never rests on one common word.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::lexicon::content_terms;
use crate::model::{Figure, Unit};

/// What a commitment is about, for matching.
pub struct CommitmentProfile {
    pub terms: BTreeSet<String>,
    pub target: Option<Figure>,
    pub made: Option<String>,
}

/// What an assessment talks about, with weights: its own sentence counts
/// most, then its paragraph, then the headings and title above it.
pub struct AssessmentProfile {
    pub terms: BTreeMap<String, f64>,
    pub figures: Vec<Figure>,
    pub date: Option<String>,
}

impl AssessmentProfile {
    pub fn new(
        layers: &[(&str, f64)],
        figures: Vec<Figure>,
        date: Option<String>,
    ) -> AssessmentProfile {
        let mut terms: BTreeMap<String, f64> = BTreeMap::new();
        for (text, weight) in layers {
            for term in content_terms(text) {
                let entry = terms.entry(term).or_insert(0.0);
                if *weight > *entry {
                    *entry = *weight;
                }
            }
        }
        AssessmentProfile {
            terms,
            figures,
            date,
        }
    }
}

/// Inverse document frequency of terms over the commitments, and the
/// weight of a word no commitment uses (as rare as the rarest).
pub struct Idf {
    weights: HashMap<String, f64>,
    unknown: f64,
}

impl Idf {
    fn get(&self, term: &str) -> Option<f64> {
        self.weights.get(term).copied()
    }
}

/// Inverse document frequency of terms over the commitments.
pub fn idf(commitments: &[CommitmentProfile]) -> Idf {
    let mut frequency: HashMap<&str, usize> = HashMap::new();
    for commitment in commitments {
        for term in &commitment.terms {
            *frequency.entry(term.as_str()).or_default() += 1;
        }
    }
    let total = commitments.len().max(1) as f64;
    let weights: HashMap<String, f64> = frequency
        .into_iter()
        .map(|(term, count)| (term.to_string(), (1.0 + total / count as f64).ln()))
        .collect();
    let unknown = weights.values().copied().fold(1.0, f64::max);
    Idf { weights, unknown }
}

/// How well an assessment fits a commitment, from 0 up; 0 when they
/// cannot be linked.
pub fn score(commitment: &CommitmentProfile, assessment: &AssessmentProfile, idf: &Idf) -> f64 {
    if let (Some(made), Some(date)) = (&commitment.made, &assessment.date)
        && date < made
    {
        return 0.0;
    }
    let mut shared = 0;
    let mut shared_in_text = 0;
    let mut matched = 0.0;
    let possible: f64 = commitment
        .terms
        .iter()
        .map(|term| idf.get(term).unwrap_or(1.0))
        .sum();
    for term in &commitment.terms {
        let weight = idf.get(term).unwrap_or(1.0);
        if let Some(layer) = assessment.terms.get(term) {
            matched += weight * layer;
            shared += 1;
            if *layer >= 0.99 {
                shared_in_text += 1;
            }
        }
    }
    if possible == 0.0 {
        return 0.0;
    }
    // coverage of the commitment, or, for a short finding made mostly of
    // the commitment's own rare words, how much of the finding it explains
    let coverage = matched / possible;
    let mut in_text = 0.0;
    let mut in_text_shared = 0.0;
    for (term, layer) in &assessment.terms {
        if *layer >= 0.99 {
            let weight = idf.get(term).unwrap_or(idf.unknown);
            in_text += weight;
            if commitment.terms.contains(term) {
                in_text_shared += weight;
            }
        }
    }
    let precision = if in_text > 0.0 && shared_in_text >= 2 {
        in_text_shared / in_text
    } else {
        0.0
    };
    let mut score = coverage.max(0.8 * precision);
    let figure_match = commitment.target.as_ref().is_some_and(|target| {
        assessment
            .figures
            .iter()
            .any(|figure| same_figure(figure, target))
    });
    let other_figures = commitment.target.as_ref().is_some_and(|target| {
        assessment.figures.iter().any(|figure| {
            figure.unit == target.unit
                && figure.unit == Unit::Percent
                && !same_figure(figure, target)
        })
    });
    if figure_match {
        score += 0.4;
    } else if other_figures {
        score *= 0.6;
    }
    // never on one common word
    let enough =
        shared >= 3 || (shared >= 2 && shared_in_text >= 1) || (figure_match && shared >= 1);
    if !enough {
        return 0.0;
    }
    score
}

fn same_figure(left: &Figure, right: &Figure) -> bool {
    left.unit == right.unit && (left.value - right.value).abs() <= right.value.abs() * 1e-6
}
