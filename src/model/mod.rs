//! The data that flows between the stages: documents with citable
//! paragraphs, commitments, assessments and verdicts.
//!
//! Dates are ISO 8601 strings (`YYYY-MM-DD`) so that they compare in order
//! as text and serialise as the API promises.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A publication as extracted from one capture.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Document {
    /// Stable id derived from the canonical URL.
    pub id: String,
    /// The address a person would open.
    pub url: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub publisher: String,
    /// Every organisation the publication names as its publishers, the
    /// primary one (`publisher`) first; empty when the page names none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organisations: Vec<String>,
    /// GOV.UK `document_type` where it applies, else `committee_report`,
    /// `government_response`, `audit_report`, `official_statistics`, `web_page`, `pdf`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// When a speech was delivered (GOV.UK's "Delivered on").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered: Option<String>,
    /// The parliamentary session of a committee paper: `2022–23`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The paper's number in its House's series: `HC 1228`, `HL Paper 12`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper_number: Option<String>,
    /// When the capture this document was extracted from was made.
    pub captured: String,
    /// Where the capture lives in the corpus (a file path or a WARC record).
    pub capture: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub government: Option<String>,
    #[serde(default)]
    pub illustrative: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub change_history: Vec<Change>,
    /// The versions pledgewatch captured, oldest first, the last being this
    /// one; empty when only one was ever captured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<Version>,
    pub paragraphs: Vec<Paragraph>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ratings: Vec<Rating>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Change {
    pub date: String,
    pub note: String,
}

/// One captured version of a document: what it said from `first_captured`
/// to `captured` (the same text seen again in later captures).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Version {
    pub first_captured: String,
    pub captured: String,
    /// The capture of this version (the latest one with this text).
    pub capture: String,
    /// The title, when it differs from the version before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What changed from the version before; empty for the first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ParagraphChange>,
}

/// A paragraph added, removed or reworded between two versions.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ParagraphChange {
    /// Its anchor in the newer version (in the older one when removed).
    pub anchor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// A citable unit of a document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Paragraph {
    /// The fragment a citation points at: `para-12` for numbered
    /// paragraphs, `p-3` for the third unnumbered one.
    pub anchor: String,
    /// The headings above the paragraph, outermost first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headings: Vec<String>,
    /// Text as written (curly quotes and dashes kept).
    pub text: String,
}

/// One row of an expert panel's rating table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rating {
    pub anchor: String,
    pub commitment: String,
    pub overall: Option<Grade>,
    pub domains: Vec<(String, Grade)>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Outstanding,
    Good,
    RequiresImprovement,
    Inadequate,
}

impl Grade {
    pub fn parse(text: &str) -> Option<Grade> {
        let lower = text.trim().trim_end_matches('.').to_lowercase();
        match lower.as_str() {
            "outstanding" => Some(Grade::Outstanding),
            "good" => Some(Grade::Good),
            "requires improvement" => Some(Grade::RequiresImprovement),
            "inadequate" => Some(Grade::Inadequate),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Grade::Outstanding => "Outstanding",
            Grade::Good => "Good",
            Grade::RequiresImprovement => "Requires improvement",
            Grade::Inadequate => "Inadequate",
        }
    }
}

/// A verdict on a commitment.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    PartlyMet,
    NotMet,
    InProgress,
    Disputed,
    Unassessed,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Met,
        Status::PartlyMet,
        Status::NotMet,
        Status::InProgress,
        Status::Disputed,
        Status::Unassessed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::PartlyMet => "partly_met",
            Status::NotMet => "not_met",
            Status::InProgress => "in_progress",
            Status::Disputed => "disputed",
            Status::Unassessed => "unassessed",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
    }

    /// Plain words for people.
    pub fn label(self) -> &'static str {
        match self {
            Status::Met => "Met",
            Status::PartlyMet => "Partly met",
            Status::NotMet => "Not met",
            Status::InProgress => "In progress",
            Status::Disputed => "Disputed",
            Status::Unassessed => "Unassessed",
        }
    }

    /// PolitiFact's Promise Meter name for the same state.
    pub fn politifact(self) -> &'static str {
        match self {
            Status::Met => "Promise Kept",
            Status::PartlyMet => "Compromise",
            Status::NotMet => "Promise Broken",
            Status::InProgress => "In the Works",
            Status::Disputed => "Stalled",
            Status::Unassessed => "Not Yet Rated",
        }
    }
}

/// What an assessment says about delivery.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    Met,
    PartlyMet,
    NotMet,
    OnTrack,
    OffTrack,
    Delayed,
    Abandoned,
}

impl Stance {
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Met => "met",
            Stance::PartlyMet => "partly met",
            Stance::NotMet => "not met",
            Stance::OnTrack => "on track",
            Stance::OffTrack => "off track",
            Stance::Delayed => "delayed",
            Stance::Abandoned => "abandoned",
        }
    }

    /// Positive stances say delivery happened or is happening.
    pub fn is_positive(self) -> bool {
        matches!(self, Stance::Met | Stance::OnTrack)
    }

    pub fn is_negative(self) -> bool {
        matches!(
            self,
            Stance::NotMet | Stance::OffTrack | Stance::Delayed | Stance::Abandoned
        )
    }
}

/// A figure as written, with its value normalised.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Figure {
    pub text: String,
    pub value: f64,
    pub unit: Unit,
    /// What it counts, when the text says ("adults registered with the NHS App").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub counts: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Percent,
    Pounds,
    Count,
}

/// Where a statement is written: enough to cite it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Citation {
    pub doc_id: String,
    pub url: String,
    pub title: String,
    pub publisher: String,
    pub kind: String,
    pub published: Option<String>,
    pub captured: String,
    pub paragraph: String,
    pub quote: String,
    /// True for the bundled demo corpus's documents.
    #[serde(default)]
    pub illustrative: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Commitment {
    pub id: String,
    pub text: String,
    pub maker: String,
    pub made: Option<String>,
    pub deadline: Option<String>,
    /// The deadline as written ("by March 2023").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Figure>,
    /// How it was found when no rule matched it: the learned model's
    /// certainty and the words that weighed most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_by: Option<String>,
    /// Every document that makes this commitment, earliest first.
    pub sources: Vec<Citation>,
    pub assessments: Vec<Assessment>,
    pub verdict: Verdict,
}

impl Commitment {
    /// The newest date on which the verdict could have changed: its newest
    /// counted assessment, else the day it was made.
    /// The ids of the documents that make or assess it (repeats possible).
    pub fn cited_documents(&self) -> impl Iterator<Item = &str> {
        let sources = self.sources.iter().map(|source| source.doc_id.as_str());
        let evidence = self
            .assessments
            .iter()
            .map(|assessment| assessment.citation.doc_id.as_str());
        sources.chain(evidence)
    }

    pub fn verdict_changed(&self) -> String {
        verdict_changed(
            self.assessments.iter().map(|a| a.date.as_deref()),
            self.made.as_deref(),
            &self.verdict.as_of,
        )
    }
}

/// [`Commitment::verdict_changed`] from the assessments' dates alone.
pub fn verdict_changed<'a>(
    assessment_dates: impl Iterator<Item = Option<&'a str>>,
    made: Option<&str>,
    as_of: &str,
) -> String {
    assessment_dates
        .flatten()
        .filter(|date| *date <= as_of)
        .max()
        .or(made)
        .unwrap_or(as_of)
        .to_string()
}

/// A commitment as lists, filters, charts and feeds show it: all but its
/// sources and evidence, which stay in the index until a page or an
/// answer asks for them. What the server keeps in memory per commitment.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CommitmentSummary {
    pub id: String,
    pub text: String,
    pub maker: String,
    pub made: Option<String>,
    pub deadline: Option<String>,
    pub deadline_text: Option<String>,
    pub target: Option<Figure>,
    pub verdict: Verdict,
    /// [`Commitment::verdict_changed`].
    pub changed: String,
}

impl From<&Commitment> for CommitmentSummary {
    fn from(commitment: &Commitment) -> CommitmentSummary {
        CommitmentSummary {
            id: commitment.id.clone(),
            text: commitment.text.clone(),
            maker: commitment.maker.clone(),
            made: commitment.made.clone(),
            deadline: commitment.deadline.clone(),
            deadline_text: commitment.deadline_text.clone(),
            target: commitment.target.clone(),
            verdict: commitment.verdict.clone(),
            changed: commitment.verdict_changed(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Assessment {
    pub assessor: String,
    pub independent: bool,
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stance: Option<Stance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<Grade>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domain_grades: Vec<(String, Grade)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<Figure>,
    pub citation: Citation,
    /// How strongly it was linked to the commitment, for ordering.
    pub link_score: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Verdict {
    pub status: Status,
    pub as_of: String,
    pub reasons: Vec<String>,
    /// Set when a reviewed editorial decision overrides the computed verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<Review>,
}

impl Verdict {
    /// The verdict the analysis reached, under any reviewed override.
    pub fn computed(&self) -> Status {
        self.reviewed
            .as_ref()
            .map_or(self.status, |review| review.computed)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Review {
    pub reviewer: String,
    pub note: String,
    pub computed: Status,
}

/// A stable short id: the first 16 hex digits of SHA-256.
pub fn stable_id(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(16);
    for byte in digest.iter().take(8) {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// A document id from its canonical URL: scheme and host lowercased,
/// fragment dropped, so the same page always gets the same id.
pub fn document_id(url: &str) -> String {
    let canonical = match url::Url::parse(url) {
        Ok(mut parsed) => {
            parsed.set_fragment(None);
            parsed.to_string()
        }
        Err(_) => url.to_string(),
    };
    stable_id(&canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_ids_ignore_fragments_and_host_case() {
        assert_eq!(
            document_id("https://Example.org/a#x"),
            document_id("https://example.org/a")
        );
        assert_ne!(
            document_id("https://example.org/a"),
            document_id("https://example.org/b")
        );
        assert_eq!(document_id("https://example.org/a").len(), 16);
    }

    #[test]
    fn statuses_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        assert_eq!(Status::parse("kept"), None);
    }
}
