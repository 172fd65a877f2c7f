//! Verdicts: a status with its reasons, from the assessments of a
//! commitment as known on an "as of" date.

use crate::model::{Assessment, Commitment, Stance, Status, Unit, Verdict};

/// How long before an independent finding a government claim still counts
/// as answering it, for `disputed`.
const DISPUTE_WINDOW_DAYS: i64 = 400;

/// The stance an assessment takes, from its words, its grade, or a figure
/// it reports against the target.
pub fn effective_stance(commitment: &Commitment, assessment: &Assessment) -> Option<Stance> {
    if assessment.stance.is_some() {
        return assessment.stance;
    }
    let target = commitment.target.as_ref()?;
    let reported = assessment
        .figures
        .iter()
        .filter(|figure| figure.unit == target.unit && target.unit != Unit::Pounds)
        .find(|figure| figure.value >= target.value * 0.3 && figure.value <= target.value * 3.0)?;
    Some(if reported.value >= target.value {
        Stance::Met
    } else if reported.value >= target.value * 0.5 {
        Stance::PartlyMet
    } else {
        Stance::NotMet
    })
}

fn days_between(earlier: &str, later: &str) -> Option<i64> {
    let earlier: jiff::civil::Date = earlier.parse().ok()?;
    let later: jiff::civil::Date = later.parse().ok()?;
    Some(i64::from((later - earlier).get_days()))
}

fn describe(assessment: &Assessment, stance: Stance) -> String {
    let date = assessment.date.as_deref().unwrap_or("undated");
    match assessment.grade {
        Some(grade) => format!(
            "{} rated it “{}” ({date})",
            assessment.assessor,
            grade.label()
        ),
        None => format!(
            "{} says it is {} ({date})",
            assessment.assessor,
            stance.as_str()
        ),
    }
}

/// Computes the verdict of a commitment as of a date. Assessments after
/// `as_of` are not known yet and are ignored.
pub fn decide(commitment: &Commitment, as_of: &str) -> Verdict {
    let mut known: Vec<&Assessment> = commitment
        .assessments
        .iter()
        .filter(|assessment| assessment.date.as_deref().is_none_or(|date| date <= as_of))
        .collect();
    // newest first; among the same date, the stronger link first
    known.sort_by(|a, b| {
        b.date.cmp(&a.date).then(
            b.link_score
                .partial_cmp(&a.link_score)
                .unwrap_or(std::cmp::Ordering::Equal),
        )
    });
    let deadline_passed = commitment
        .deadline
        .as_deref()
        .is_some_and(|deadline| deadline < as_of);
    let with_stance: Vec<(&Assessment, Stance)> = known
        .iter()
        .filter_map(|assessment| {
            effective_stance(commitment, assessment).map(|stance| (*assessment, stance))
        })
        .collect();
    let verdict = |status: Status, reasons: Vec<String>| Verdict {
        status,
        as_of: as_of.to_string(),
        reasons,
        reviewed: None,
    };
    if with_stance.is_empty() {
        let reason = match (&commitment.deadline, deadline_passed) {
            (Some(deadline), true) => format!("deadline {deadline} passed, no evidence found"),
            (Some(deadline), false) => {
                format!("no assessment found yet; the deadline is {deadline}")
            }
            (None, _) => "no assessment of delivery found".to_string(),
        };
        return verdict(Status::Unassessed, vec![reason]);
    }
    let independent = with_stance
        .iter()
        .find(|(assessment, _)| assessment.independent);
    let government = with_stance
        .iter()
        .find(|(assessment, _)| !assessment.independent);
    let mut reasons = Vec::new();
    if let (
        Some((independent_view, independent_stance)),
        Some((government_view, government_stance)),
    ) = (independent, government)
    {
        let conflict = (independent_stance.is_negative() && government_stance.is_positive())
            || (independent_stance.is_positive() && government_stance.is_negative());
        let close_in_time = match (&government_view.date, &independent_view.date) {
            (Some(government_date), Some(independent_date)) => {
                government_date >= independent_date
                    || days_between(government_date, independent_date)
                        .is_some_and(|days| days <= DISPUTE_WINDOW_DAYS)
            }
            _ => true,
        };
        let settled_by_result = *independent_stance == Stance::Met && deadline_passed;
        if conflict && close_in_time && !settled_by_result {
            reasons.push(format!(
                "the government and an independent assessor disagree: {}; {}",
                describe(government_view, *government_stance),
                describe(independent_view, *independent_stance)
            ));
            return verdict(Status::Disputed, reasons);
        }
    }
    let (primary, stance) = independent
        .or(government)
        .copied()
        .expect("at least one assessment");
    reasons.push(describe(primary, stance));
    if let Some((other, other_stance)) = if primary.independent {
        government
    } else {
        independent
    } && other.citation.doc_id != primary.citation.doc_id
    {
        reasons.push(describe(other, *other_stance));
    }
    let status = match stance {
        Stance::Met => Status::Met,
        Stance::PartlyMet => Status::PartlyMet,
        Stance::NotMet | Stance::Abandoned => {
            if deadline_passed || commitment.deadline.is_none() || stance == Stance::Abandoned {
                Status::NotMet
            } else {
                reasons.push("the deadline has not passed yet".into());
                Status::InProgress
            }
        }
        Stance::OffTrack | Stance::Delayed => {
            if deadline_passed {
                reasons.push("the deadline passed without delivery".into());
                Status::NotMet
            } else {
                Status::InProgress
            }
        }
        Stance::OnTrack => {
            if deadline_passed {
                reasons.push("the deadline has passed and no final result was found".into());
            }
            Status::InProgress
        }
    };
    verdict(status, reasons)
}
