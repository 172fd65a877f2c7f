//! Analysis: commitments, assessments and verdicts that explain themselves.
//! Pure: documents in, commitments with their evidence and verdicts out.

pub mod assessments;
pub mod commitments;
pub mod dates;
pub mod figures;
pub mod learned;
pub mod linking;
pub mod sentences;
pub mod verdicts;

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use crate::lexicon::content_terms;
use crate::model::{Assessment, Citation, Commitment, Document, Review, Status, Verdict};
use assessments::FoundAssessment;
use commitments::FoundCommitment;
use linking::{AssessmentProfile, CommitmentProfile};

/// A reviewed editorial decision that overrides a computed verdict.
#[derive(Debug, Clone, Deserialize)]
pub struct Override {
    pub commitment: String,
    pub status: String,
    pub reviewer: String,
    pub note: String,
}

/// The newest publication date among documents: the default "as of".
pub fn newest_date(documents: &[Document]) -> String {
    documents
        .iter()
        .filter_map(|document| document.published.clone())
        .max()
        .unwrap_or_else(|| "1970-01-01".into())
}

pub fn citation(document: &Document, paragraph: usize, quote: &str) -> Citation {
    Citation {
        doc_id: document.id.clone(),
        url: document.url.clone(),
        title: document.title.clone(),
        publisher: document.publisher.clone(),
        kind: document.kind.clone(),
        published: document.published.clone(),
        captured: document.captured.clone(),
        paragraph: document
            .paragraphs
            .get(paragraph)
            .map(|p| p.anchor.clone())
            .unwrap_or_default(),
        quote: quote.to_string(),
        illustrative: document.illustrative,
    }
}

/// A pattern with word boundaries that look at ASCII only. With Unicode
/// ones the regex engine's fast automaton gives up on any text holding
/// "£", "–" or "’" (most of ours) and a slow one takes its place: the
/// sentence rules ran at a third of their speed. The words the patterns
/// name are ASCII, and the text is folded to lowercase first.
pub(crate) fn ascii_boundaries(pattern: &str) -> String {
    pattern.replace(r"\b", r"(?-u:\b)")
}

/// Two findings are the same commitment when they share most topic words
/// and do not contradict on target or deadline. `left_terms` and
/// `right_terms` are the findings' content terms.
fn same_commitment(
    left: &FoundCommitment,
    left_terms: &HashSet<String>,
    right: &FoundCommitment,
    right_terms: &HashSet<String>,
) -> bool {
    if let (Some(a), Some(b)) = (&left.target, &right.target)
        && (a.unit != b.unit || (a.value - b.value).abs() > 1e-9)
    {
        return false;
    }
    if let (Some(a), Some(b)) = (&left.deadline, &right.deadline)
        && a.date.get(..4) != b.date.get(..4)
    {
        return false;
    }
    let (a, b) = (left_terms, right_terms);
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let shared = a.intersection(b).count() as f64;
    let jaccard = shared / a.union(b).count() as f64;
    let same_target = left.target.is_some() && right.target.is_some();
    // "40 new hospitals to be built by 2030" (a headline, no full stop) and
    // "the government will build 40 new hospitals by 2030": the same figure
    // by the same day, on the same topic. Only for a headline, which names
    // its topic in a word or two: between two sentences it would join
    // "5,000 more police officers" and "5,000 more prison officers".
    let same_day = (is_headline(left) || is_headline(right))
        && matches!((&left.deadline, &right.deadline), (Some(a), Some(b)) if a.date == b.date);
    // "we will deliver clean power by 2030" restates the longer promise it is part of
    let containment = shared / a.len().min(b.len()) as f64;
    jaccard >= 0.5
        || (same_target && jaccard >= 0.25 && shared >= 3.0)
        || (same_target && same_day && shared >= 1.0)
        || shared >= 4.0
        || (containment >= 0.8 && shared >= 2.0)
}

/// A headline or list item: no closing full stop.
fn is_headline(finding: &FoundCommitment) -> bool {
    !finding.sentence.trim_end().ends_with('.')
}

/// Where `group_findings` looks for a finding's candidate groups: every
/// group by its words; groups without a target by their words; groups
/// with a target by the target (a different target never matches).
#[derive(Default)]
struct GroupIndex {
    by_term: HashMap<String, Vec<usize>>,
    untargeted_by_term: HashMap<String, Vec<usize>>,
    by_target: HashMap<(u8, i64), Vec<usize>>,
}

impl GroupIndex {
    /// Files `group` under the words and target of the finding that leads it.
    fn file(
        &mut self,
        group: usize,
        terms: &HashSet<String>,
        untargeted: bool,
        target: Option<&crate::model::Figure>,
    ) {
        for term in terms {
            self.by_term.entry(term.clone()).or_default().push(group);
            if untargeted {
                self.untargeted_by_term
                    .entry(term.clone())
                    .or_default()
                    .push(group);
            }
        }
        if let Some(key) = target.map(target_key) {
            self.by_target.entry(key).or_default().push(group);
        }
    }
}

/// Groups findings of the same promise, in order: each finding joins the
/// first group whose first finding it restates (one source per document),
/// else starts a group. Only groups sharing a topic word can match, so
/// candidates come from a term -> groups index rather than from every
/// group (a corpus of 100,000 documents has tens of thousands of them).
fn group_findings(found: Vec<FoundCommitment>) -> Vec<Vec<FoundCommitment>> {
    let mut groups: Vec<Vec<FoundCommitment>> = Vec::new();
    let mut group_terms: Vec<HashSet<String>> = Vec::new();
    let mut index = GroupIndex::default();
    let mut candidates: Vec<usize> = Vec::new();
    for finding in found {
        let terms: HashSet<String> = content_terms(&finding.sentence).into_iter().collect();
        candidates.clear();
        let postings = if finding.target.is_some() {
            &index.untargeted_by_term
        } else {
            &index.by_term
        };
        for term in &terms {
            if let Some(posting) = postings.get(term) {
                candidates.extend_from_slice(posting);
            }
        }
        if let Some(key) = finding.target.as_ref().map(target_key) {
            // targets equal within 1e-9 fall in the same or a neighbouring bucket
            for bucket in [key.1 - 1, key.1, key.1 + 1] {
                if let Some(posting) = index.by_target.get(&(key.0, bucket)) {
                    candidates.extend_from_slice(posting);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let matching = candidates.iter().copied().find(|&group| {
            same_commitment(&groups[group][0], &group_terms[group], &finding, &terms)
        });
        match matching {
            Some(group) => {
                match groups[group]
                    .iter()
                    .position(|existing| existing.document == finding.document)
                {
                    // one source per document: its full sentence rather than
                    // its headline ("40 new hospitals to be built by 2030")
                    Some(at) => {
                        if is_headline(&groups[group][at]) && !is_headline(&finding) {
                            // later findings are matched against the sentence
                            // (its words, and its target, in the indexes the
                            // headline was filed under)
                            if at == 0 {
                                let untargeted = groups[group][0].target.is_none();
                                index.file(group, &terms, untargeted, finding.target.as_ref());
                                group_terms[group] = terms;
                            }
                            groups[group][at] = finding;
                        }
                    }
                    None => groups[group].push(finding),
                }
            }
            None => {
                let untargeted = finding.target.is_none();
                index.file(groups.len(), &terms, untargeted, finding.target.as_ref());
                groups.push(vec![finding]);
                group_terms.push(terms);
            }
        }
    }
    groups
}

/// A target's unit and value in thousandths, for looking up equal targets.
fn target_key(target: &crate::model::Figure) -> (u8, i64) {
    let unit = match target.unit {
        crate::model::Unit::Percent => 0,
        crate::model::Unit::Pounds => 1,
        crate::model::Unit::Count => 2,
    };
    (unit, (target.value * 1000.0).round() as i64)
}

/// Finds commitments and assessments, links them and decides verdicts.
pub fn analyze(
    documents: &[Document],
    as_of: Option<&str>,
    overrides: &[Override],
) -> Vec<Commitment> {
    let as_of = as_of
        .map(str::to_string)
        .unwrap_or_else(|| newest_date(documents));

    // 1. commitments, grouped across documents, earliest source first
    let mut found: Vec<FoundCommitment> =
        crate::parallel::map(documents, commitments::find_in_document)
            .into_iter()
            .flatten()
            .collect();
    found.sort_by(|a, b| {
        // borrowed, not cloned: this comparison runs n log n times
        let date = |f: &FoundCommitment| documents[f.document].published.as_deref().unwrap_or("");
        date(a)
            .cmp(date(b))
            .then_with(|| documents[a.document].id.cmp(&documents[b.document].id))
            .then(a.paragraph.cmp(&b.paragraph))
            .then(a.ordinal.cmp(&b.ordinal))
    });
    let groups = group_findings(found);

    let mut commitments: Vec<Commitment> = groups
        .into_iter()
        .map(|group| {
            let first = &group[0];
            let document = &documents[first.document];
            let anchor = &document.paragraphs[first.paragraph].anchor;
            Commitment {
                id: format!("{}-{}-{}", document.id, anchor, first.ordinal),
                text: first.sentence.clone(),
                maker: document.publisher.clone(),
                made: document.published.clone(),
                deadline: first
                    .deadline
                    .as_ref()
                    .map(|deadline| deadline.date.clone()),
                deadline_text: first
                    .deadline
                    .as_ref()
                    .map(|deadline| deadline.text.clone()),
                target: first.target.clone(),
                found_by: first
                    .learned
                    .then(|| self::learned::explanation(&first.sentence)),
                sources: group
                    .iter()
                    .map(|finding| {
                        citation(
                            &documents[finding.document],
                            finding.paragraph,
                            &finding.sentence,
                        )
                    })
                    .collect(),
                assessments: Vec::new(),
                verdict: Verdict {
                    status: Status::Unassessed,
                    as_of: as_of.clone(),
                    reasons: Vec::new(),
                    reviewed: None,
                },
            }
        })
        .collect();

    // 2. assessments, linked to the commitments they fit best
    let profiles: Vec<CommitmentProfile> = commitments
        .iter()
        .map(|commitment| {
            let mut text = commitment.text.clone();
            if let Some(target) = &commitment.target {
                text.push(' ');
                text.push_str(&target.counts);
            }
            CommitmentProfile {
                terms: content_terms(&text).into_iter().collect(),
                target: commitment.target.clone(),
                made: commitment.made.clone(),
            }
        })
        .collect();
    let idf = linking::idf(&profiles);
    let linker = linking::Linker::new(&profiles, &idf);
    let found_assessments: Vec<FoundAssessment> =
        crate::parallel::map(documents, assessments::find_in_document)
            .into_iter()
            .flatten()
            .collect();
    // which commitments each finding assesses (on every core), then the links
    let links: Vec<Vec<(usize, f64)>> = crate::parallel::map(&found_assessments, |_, finding| {
        let document = &documents[finding.document];
        let paragraph = &document.paragraphs[finding.paragraph];
        let headings = paragraph.headings.join(" ");
        let subject = finding
            .subject
            .clone()
            .unwrap_or_else(|| finding.quote.clone());
        let profile = AssessmentProfile::new(
            &[
                (&subject, 1.0),
                (&paragraph.text, 0.7),
                (&headings, 0.5),
                (&document.title, 0.5),
            ],
            finding.figures.clone(),
            document.published.clone(),
        );
        let scores = linker.scores(&profile);
        let best = scores.iter().map(|(_, score)| *score).fold(0.0, f64::max);
        if best < 0.3 {
            return Vec::new();
        }
        scores
            .into_iter()
            .filter(|&(index, score)| {
                // the commitment's own sentence is not evidence about it
                score >= 0.3
                    && score >= best * 0.85
                    && !commitments[index]
                        .sources
                        .iter()
                        .any(|source| source.quote == finding.quote)
            })
            .collect()
    });
    for (finding, links) in found_assessments.iter().zip(links) {
        let document = &documents[finding.document];
        for (index, score) in links {
            commitments[index].assessments.push(Assessment {
                assessor: finding.assessor.clone(),
                independent: finding.independent,
                date: document.published.clone(),
                stance: finding.stance,
                grade: finding.grade,
                domain_grades: finding.domain_grades.clone(),
                figures: finding.figures.clone(),
                citation: citation(document, finding.paragraph, &finding.quote),
                link_score: score,
            });
        }
    }

    // 3. verdicts, then reviewed overrides
    for commitment in &mut commitments {
        commitment.assessments.sort_by(|a, b| {
            b.date.cmp(&a.date).then(
                b.link_score
                    .partial_cmp(&a.link_score)
                    .unwrap_or(std::cmp::Ordering::Equal),
            )
        });
        commitment.verdict = verdicts::decide(commitment, &as_of);
        if let Some(review) = overrides
            .iter()
            .find(|review| review.commitment == commitment.id)
            && let Some(status) = Status::parse(&review.status)
        {
            apply_review(
                &mut commitment.verdict,
                status,
                &review.reviewer,
                &review.note,
            );
        }
    }
    commitments
}

/// A commitment as it was known on `date`: evidence published later is
/// dropped and the verdict decided again; a reviewed override still
/// stands, shown as such. `None` when the promise was made after `date`.
pub fn known_on(commitment: &Commitment, date: &str) -> Option<Commitment> {
    if commitment.made.as_deref().is_some_and(|made| made > date) {
        return None;
    }
    let mut known = commitment.clone();
    known.assessments.retain(|assessment| {
        assessment
            .date
            .as_deref()
            .is_none_or(|published| published <= date)
    });
    known.verdict = verdicts::decide(&known, date);
    if let Some(review) = &commitment.verdict.reviewed {
        apply_review(
            &mut known.verdict,
            commitment.verdict.status,
            &review.reviewer,
            &review.note,
        );
    }
    Some(known)
}

/// Puts a reviewed status over the computed `verdict`. The reviewer's
/// note comes first; what the rules found stays, said to be theirs when
/// the review overturns it (so a claim the review set aside does not
/// read as the reason for the reviewed status).
fn apply_review(verdict: &mut Verdict, status: Status, reviewer: &str, note: &str) {
    let computed = verdict.status;
    let found = std::mem::take(&mut verdict.reasons);
    verdict.reasons.push(format!(
        "reviewed by {reviewer}: {}",
        note.trim().trim_end_matches('.')
    ));
    if computed == status {
        verdict.reasons.extend(found);
    } else if !found.is_empty() {
        verdict.reasons.push(format!(
            "without the review the rules would say {}: {}",
            computed.label().to_lowercase(),
            found.join("; ")
        ));
    }
    verdict.status = status;
    verdict.reviewed = Some(Review {
        reviewer: reviewer.to_string(),
        note: note.to_string(),
        computed,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn computed(status: Status, reasons: &[&str]) -> Verdict {
        Verdict {
            status,
            as_of: "2025-01-01".into(),
            reasons: reasons.iter().map(|reason| reason.to_string()).collect(),
            reviewed: None,
        }
    }

    #[test]
    fn a_promise_only_the_model_found_says_so() {
        let paragraph = |anchor: &str, text: &str| crate::model::Paragraph {
            anchor: anchor.into(),
            headings: Vec::new(),
            text: text.into(),
        };
        let document = Document {
            id: "d1".into(),
            url: "https://www.gov.uk/government/news/audit".into(),
            title: "Local audit".into(),
            publisher: "Ministry of Housing, Communities and Local Government".into(),
            kind: "press_release".into(),
            published: Some("2024-12-18".into()),
            captured: "2025-01-01".into(),
            paragraphs: vec![
                paragraph(
                    "p-1",
                    "A new Local Audit Office will be set up in shadow form by autumn 2026 to take charge of a local audit system that has all but collapsed.",
                ),
                paragraph("p-2", "We will recruit 500 new auditors by March 2027."),
            ],
            ..Document::default()
        };
        let commitments = analyze(&[document], None, &[]);
        assert_eq!(commitments.len(), 2, "{commitments:?}");
        let learned = commitments
            .iter()
            .find(|c| c.text.starts_with("A new Local Audit Office"))
            .expect("the model's find");
        let how = learned.found_by.as_deref().expect("says how it was found");
        assert!(how.starts_with("No rule matched this sentence"), "{how}");
        assert!(how.contains('“'), "names the words: {how}");
        let ruled = commitments
            .iter()
            .find(|c| c.text.starts_with("We will recruit"))
            .expect("the rules' find");
        assert_eq!(ruled.found_by, None);
    }

    #[test]
    fn a_review_that_overturns_the_rules_keeps_their_reasons_apart() {
        let mut verdict = computed(Status::NotMet, &["the NAO says it is not met (2024-03-01)"]);
        apply_review(
            &mut verdict,
            Status::Unassessed,
            "editors",
            "The report judges another promise.",
        );
        assert_eq!(verdict.status, Status::Unassessed);
        assert_eq!(
            verdict.reasons,
            [
                "reviewed by editors: The report judges another promise",
                "without the review the rules would say not met: the NAO says it is not met (2024-03-01)",
            ]
        );
        let review = verdict.reviewed.expect("reviewed");
        assert_eq!(review.computed, Status::NotMet);
        assert_eq!(review.note, "The report judges another promise.");

        // a review that agrees adds its note before the rules' own reasons
        let mut verdict = computed(Status::Met, &["the ONS reports 75% (2024-05-01)"]);
        apply_review(
            &mut verdict,
            Status::Met,
            "editors",
            "Checked against the ONS table.",
        );
        assert_eq!(
            verdict.reasons,
            [
                "reviewed by editors: Checked against the ONS table",
                "the ONS reports 75% (2024-05-01)",
            ]
        );
    }
}
