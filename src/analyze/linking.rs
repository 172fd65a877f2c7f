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
    finish_score(
        commitment,
        assessment,
        coverage.max(0.8 * precision),
        shared,
        shared_in_text,
    )
}

/// Figures raise or lower a score; too few shared words make it 0.
fn finish_score(
    commitment: &CommitmentProfile,
    assessment: &AssessmentProfile,
    mut score: f64,
    shared: usize,
    shared_in_text: usize,
) -> f64 {
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

/// Scores assessments against every commitment they could fit, as
/// [`score`] does, but with terms interned as numbers and each
/// commitment's weights computed once: linking is the costliest part of
/// analysis on a large corpus (every assessment meets every commitment
/// sharing one of its words).
pub struct Linker<'a> {
    profiles: &'a [CommitmentProfile],
    idf: &'a Idf,
    ids: HashMap<&'a str, u32>,
    /// Per commitment: (term id, idf) sorted by id, and their sum.
    weighted: Vec<(Vec<(u32, f64)>, f64)>,
    /// Per term id: the commitments using it.
    by_term: Vec<Vec<usize>>,
}

impl<'a> Linker<'a> {
    pub fn new(profiles: &'a [CommitmentProfile], idf: &'a Idf) -> Linker<'a> {
        // ids in alphabetical order, so that sums run in the order `score`
        // adds them (its sets are sorted) and give the same floating-point results
        let vocabulary: BTreeSet<&'a str> = profiles
            .iter()
            .flat_map(|profile| profile.terms.iter().map(String::as_str))
            .collect();
        let ids: HashMap<&'a str, u32> = vocabulary
            .into_iter()
            .enumerate()
            .map(|(id, term)| (term, id as u32))
            .collect();
        let mut by_term: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
        let mut weighted = Vec::with_capacity(profiles.len());
        for (index, profile) in profiles.iter().enumerate() {
            let mut terms: Vec<(u32, f64)> = Vec::with_capacity(profile.terms.len());
            let mut possible = 0.0;
            for term in &profile.terms {
                let id = ids[term.as_str()];
                by_term[id as usize].push(index);
                let weight = idf.get(term).unwrap_or(1.0);
                possible += weight;
                terms.push((id, weight));
            }
            weighted.push((terms, possible));
        }
        Linker {
            profiles,
            idf,
            ids,
            weighted,
            by_term,
        }
    }

    /// (commitment index, score) for every commitment sharing a word with
    /// the assessment, in index order; a commitment sharing none scores 0.
    pub fn scores(&self, assessment: &AssessmentProfile) -> Vec<(usize, f64)> {
        let mut known: Vec<(u32, f64)> = Vec::new();
        let mut in_text = 0.0;
        for (term, layer) in &assessment.terms {
            if *layer >= 0.99 {
                in_text += self.idf.get(term).unwrap_or(self.idf.unknown);
            }
            if let Some(id) = self.ids.get(term.as_str()) {
                known.push((*id, *layer));
            }
        }
        known.sort_by_key(|(id, _)| *id);
        let mut postings: Vec<usize> = known
            .iter()
            .flat_map(|(id, _)| self.by_term[*id as usize].iter().copied())
            .collect();
        postings.sort_unstable();
        // a commitment appears once per shared word; one shared word is
        // enough only with the target's figure (see `finish_score`)
        let mut scores = Vec::new();
        let mut start = 0;
        while start < postings.len() {
            let index = postings[start];
            let mut end = start + 1;
            while end < postings.len() && postings[end] == index {
                end += 1;
            }
            let figure_match = self.profiles[index].target.as_ref().is_some_and(|target| {
                assessment
                    .figures
                    .iter()
                    .any(|figure| same_figure(figure, target))
            });
            if end - start >= 2 || figure_match {
                scores.push((index, self.score(index, &known, in_text, assessment)));
            }
            start = end;
        }
        scores
    }

    fn score(
        &self,
        index: usize,
        known: &[(u32, f64)],
        in_text: f64,
        assessment: &AssessmentProfile,
    ) -> f64 {
        let commitment = &self.profiles[index];
        if let (Some(made), Some(date)) = (&commitment.made, &assessment.date)
            && date < made
        {
            return 0.0;
        }
        let (terms, possible) = &self.weighted[index];
        if *possible == 0.0 {
            return 0.0;
        }
        let mut shared = 0;
        let mut shared_in_text = 0;
        let mut matched = 0.0;
        let mut in_text_shared = 0.0;
        // both sorted by term id: walk them together
        let (mut left, mut right) = (0, 0);
        while left < terms.len() && right < known.len() {
            let (term, weight) = terms[left];
            let (other, layer) = known[right];
            match term.cmp(&other) {
                std::cmp::Ordering::Less => left += 1,
                std::cmp::Ordering::Greater => right += 1,
                std::cmp::Ordering::Equal => {
                    matched += weight * layer;
                    shared += 1;
                    if layer >= 0.99 {
                        shared_in_text += 1;
                        in_text_shared += weight;
                    }
                    left += 1;
                    right += 1;
                }
            }
        }
        let coverage = matched / possible;
        let precision = if in_text > 0.0 && shared_in_text >= 2 {
            in_text_shared / in_text
        } else {
            0.0
        };
        finish_score(
            commitment,
            assessment,
            coverage.max(0.8 * precision),
            shared,
            shared_in_text,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commitment(text: &str, target: Option<Figure>, made: &str) -> CommitmentProfile {
        CommitmentProfile {
            terms: content_terms(text).into_iter().collect(),
            target,
            made: Some(made.into()),
        }
    }

    #[test]
    fn the_linker_scores_as_score_does() {
        let nurses = crate::analyze::figures::find_figures("50,000 more nurses")
            .into_iter()
            .next();
        let profiles = vec![
            commitment(
                "We will recruit 50,000 more nurses by the end of this Parliament.",
                nurses,
                "2019-12-19",
            ),
            commitment(
                "We will build 40 new hospitals by 2030.",
                None,
                "2020-10-02",
            ),
            commitment(
                "We will recruit 20,000 additional police officers by March 2023.",
                None,
                "2019-10-01",
            ),
            commitment("We will abolish section 21 evictions.", None, "2019-12-19"),
        ];
        let idf = idf(&profiles);
        let linker = Linker::new(&profiles, &idf);
        let assessments = [
            AssessmentProfile::new(
                &[
                    ("The target of 50,000 more nurses has been met.", 1.0),
                    ("Nurse recruitment in the NHS.", 0.5),
                ],
                crate::analyze::figures::find_figures("50,000 more nurses"),
                Some("2024-02-01".into()),
            ),
            AssessmentProfile::new(
                &[
                    ("None of the new hospitals has been built.", 1.0),
                    ("Hospital building programme", 0.7),
                ],
                Vec::new(),
                Some("2023-05-01".into()),
            ),
            AssessmentProfile::new(
                &[("Police officer recruitment was met in full.", 1.0)],
                Vec::new(),
                Some("2018-01-01".into()),
            ),
        ];
        for assessment in &assessments {
            let fast = linker.scores(assessment);
            for (index, profile) in profiles.iter().enumerate() {
                let reference = score(profile, assessment, &idf);
                let found = fast
                    .iter()
                    .find(|(candidate, _)| *candidate == index)
                    .map_or(0.0, |(_, value)| *value);
                assert_eq!(found.to_bits(), reference.to_bits(), "commitment {index}");
            }
        }
        assert!(
            linker.scores(&assessments[0]).iter().any(|(_, s)| *s > 0.3),
            "a test that can fail: the nurses finding links"
        );
    }
}
