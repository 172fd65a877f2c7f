//! Commitments: promises made by a government body, found by commitment
//! language, with their deadline and measurable target.

use std::sync::LazyLock;

use regex::Regex;

use super::dates::{Deadline, find_deadlines};
use super::figures::find_figures;
use super::learned;
use super::sentences;
use crate::extract::text::fold_for_search;
use crate::model::{Document, Figure, Stance, Unit};

/// What a sentence promises: by when, and how much.
pub type Promise = (Option<Deadline>, Option<Figure>);

/// A commitment as found in one sentence of one document.
#[derive(Debug, Clone)]
pub struct FoundCommitment {
    pub document: usize,
    pub paragraph: usize,
    /// Which commitment of the paragraph (a sentence can hold two targets).
    pub ordinal: usize,
    pub sentence: String,
    pub deadline: Option<Deadline>,
    pub target: Option<Figure>,
    /// Found by the learned model, not by the rules.
    pub learned: bool,
}

static CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(
        r"(?x)
        \b(?:(?P<named>we|i|the\ government|this\ government|the\ department|my\ government|government|ministers|the\ prime\ minister
            |(?:a|the\ next)\ (?:labour|conservative|liberal\ democrat|reform\ uk|green)\ government|labour|the\ uk|the\ united\ kingdom|britain|the\ conservatives|conservatives|the\ liberal\ democrats|liberal\ democrats|reform\ uk|the\ snp|plaid\ cymru|the\ green\ party)
            |(?P<body>my\ ministers|the\ chancellor|the\ secretary\ of\ state(?:\ for\ [a-z,'\ ]{3,60}?)?|the\ minister(?:\ for\ [a-z,'\ ]{3,40}?)?
            |(?:the\ )?department\ (?:for|of)\ [a-z,'\ ]{3,60}?|(?:the\ )?ministry\ (?:of|for)\ [a-z,'\ ]{3,40}?
            |(?:the\ )?(?:home|cabinet|foreign|northern\ ireland|scotland|wales)\ office|(?:hm\ )?treasury|hmrc|hm\ revenue\ and\ customs
            |the\ nhs|nhs\ england|the\ government\ digital\ service
            |(?:the|this)\ (?:bill|act|legislation|new\ law|regulations|plan|strategy|budget|spending\ review)|our\ plan
            |(?:hm\ )?(?:prison\ and\ probation|courts\ and\ tribunals|passport|border\ force|crown\ prosecution)\ service))
            \s+(?:will|shall|are\ going\ to|is\ going\ to|am\ going\ to)
            \s+(?:(?:also|now|then|further|quickly|urgently|immediately|always|finally|still|soon|today|shortly|swiftly|go\ on\ to)\s+)*
            (?P<verb>not\s+[a-z]+|[a-z]+)
        | \b(?:we'll|i'll|we're\ going\ to|i'm\ going\ to)\s+(?:(?:also|now|then|further|always)\s+)*(?P<verb2>[a-z]+)
        | \b(?:we\ are|we're|the\ government\ is|i\ am|we\ remain|the\ government\ remains|we\ have|we've|the\ government\ has|this\ government\ is
              |ministers\ (?:are|have|remain)|the\ prime\ minister\ (?:is|has)|the\ department\ (?:is|has))
            \s+(?:[a-z]+\s+)?(?:committed|determined|pledged|promised|vowed)\s+(?:to\s+(?P<verb3>[a-z]+)|(?P<sum>£)|(?P<pledgedthat>that)\b)
        | \b(?:our|this|the)\s+(?:[a-z]+\s+)?(?:manifesto|plan|programme|strategy|white\s+paper)(?:\s+for\s+[a-z]+)?\s+(?:committed|commits|pledged|pledges|promised|promises)\s+(?:us\s+)?to\s+(?P<verb7>[a-z]+)
        | \b(?:our|this|the)\s+(?:[a-z-]+\s+){0,3}(?:manifesto|plan|programme|strategy|white\s+paper|roadmap|framework|act|bill)\s+(?:sets|set|has\s+set|sets\s+out|set\s+out)\s+(?:a|an|the|our)\s+(?:[a-z-]+\s+){0,2}(?:goal|target|ambition|aim|objective|mission)\s+(?:of|to)\s+(?P<verb18>[a-z]+)
        | (?P<offence>\bit\s+will\s+(?:now\s+|also\s+)?(?:be|become)\s+(?:an?\s+(?:criminal\s+)?offence|illegal|unlawful|a\s+legal\s+requirement|mandatory|compulsory)\s+(?:to|for)\b)
        | \b(?:confirmed|announced|pledged|promised)\s+(?:today\s+)?(?:that\s+)?(?:it|they)\s+will\s+(?:(?:also|now|then)\s+)*(?P<verb8>not\s+[a-z]+|[a-z]+)
        | \bour\s+(?:[a-z-]+\s+)?(?:ambition|aim|goal|target|pledge|commitment|mission)\s*:
        | \b(?:we|i|the\ government|this\ government|my\ government|ministers|the\ department)\s+(?:also\s+|now\s+)?(?:aim|aims|intend|intends|plan|plans)\s+to\s+(?P<verb6>[a-z]+)
        | \bour\s+(?:[a-z-]+\s+)?(?:ambition|aim|goal|target|pledge|commitment|commitments|mission|plan|intention|objective|promise)\s+(?:is|are)\s+(?:to\s+(?P<verb4>[a-z]+)|that|for|an?\b|the\b|\d)
        | \b(?:a|an|the|our|its|new|this)\s+(?:[a-z']+\s+)?target\s+(?:of|to|for|that|is\s+(?:to|that|for|an?\b|\d))
        | \bit\s+(?:is|remains)\s+(?:our|the\ government's|this\ government's|my)\s+(?:firm\s+)?(?:intention|ambition|aim|goal|commitment|plan)\s+(?:to\s+(?P<verb10>[a-z]+)|that\b)
        | \b(?P<see>this|these|that|which|it)\s+will\s+(?:see|mean)\b
        | \b(?P<guarantee>nobody|no\ one|no\ (?:family|household|child|pupil|patient|pensioner|worker|employee|claimant|tenant|saver)s?)\b[^.;]{0,80}?\bwill\s+(?:see|lose|pay|be\ (?:worse|made|forced|left))\b
        | \b(?:we|i|the\ uk|britain|the\ government|this\ government)\s+(?:pledges?|promises?|guarantees?|commits?)\b(?:\s+(?:ourselves\s+|itself\s+)?to\s+(?P<verb9>[a-z]+))?
        | \b(?:has|have)\s+set\s+(?:itself|ourselves|themselves)\s+(?:the|a)\s+(?:[a-z-]+\s+)?(?:goal|target|ambition|aim|mission)\s+(?:of|to)\s+(?P<verb12>[a-z]+)
        | \bthe\s+(?:goal|target|ambition|aim|mission)\s+(?:we|the\ government|ministers)\s+(?:have|has)\s+set\s+(?:ourselves|itself|themselves)\s+is\s+to\s+(?P<verb13>[a-z]+)
        | \b(?:we\ are|we're|the\ government\ is)\s+on\s+a\s+mission\s+to\s+(?P<verb14>[a-z]+)
        | \b(?:we|the\ government|ministers)\s+(?:have|has)\s+set\s+out\s+(?:plans|proposals)\s+to\s+(?P<verb15>[a-z]+)
        | \b(?P<none>there\s+will\s+be\s+no\s+(?:new|more|further)?\s*[a-z]+)
        | \b(?:our\s+(?:[a-z-]+\s+){0,3}(?:pledge|promise|commitment|mission|ambition|goal)(?:\s+to\s+[a-z]+)?|(?:a\s+)?clear\s+mandate|what\s+we\s+promise\s+is\s+this)\s*:
        | \b(?P<tobe>is|are)\s+to\s+(?:be\s+)?(?P<verb11>[a-z]+)
        | \b(?:the|our)\s+(?:[a-z]+\s+)?(?:aim|ambition|goal|intention)\s+is\s+(?:to|that|for)\b
        | \bour\s+(?:[a-z-]+\s+)?(?:ambition|aim|goal|commitment|intention|pledge|mission|promise)\s+to\s+(?P<verb16>[a-z][a-z-]*)
        | \b(?P<legislative>legislation|new\ legislation|a\ bill|a\ new\ bill|bills|a\ new\ law|new\ laws)\s+will\s+be\s+(?:introduced|brought\ forward|brought\ in|laid|passed)\b
        | \b(?:i|we)\s+have\s+asked\s+[^.;:]{3,80}?\s+to\s+(?P<verb17>[a-z]+)
        | \b(?:we\ are|we're|the\ government\ is|i\ am)\s+(?:now\s+|also\s+)?(?:investing|spending|providing|committing|allocating)\s+(?:an\ extra\s+|a\ further\s+|an\ additional\s+|more\ than\s+|over\s+|up\ to\s+|almost\s+|nearly\s+|around\s+)?(?P<sum2>£)
        | \b(?:the|this)\s+(?:spending\s+review|budget|settlement|plan|programme|fund|package)\s+(?:provides|allocates|invests|commits|confirms|delivers|sets\s+aside)\s+(?:an\ average\ of\s+|an\ extra\s+|a\ further\s+|up\ to\s+|over\s+|more\ than\s+|almost\s+|nearly\s+)?(?P<sum3>£)
        | (?P<power>\bwill\s+(?:be\s+given|get|gain|receive|have)\s+(?:new\s+|the\s+|stronger\s+|tougher\s+)*(?:legal\s+)?powers?\s+to)\b
        | \b(?:is|are)\s+set\s+to\s+(?P<setto>[a-z]+)
        | \b(?P<bodyaim>aims|intends|plans)\s+to\s+(?P<verb19>[a-z]+)
        | \b(?P<impersonal>will|shall)\s+(?:(?:also|now|then|not|no\ longer|be|have\ to|continue\ to|need\ to)\s+)*(?P<verb5>[a-z]+)",
    ))
    .expect("commitment cue pattern")
});

/// Verbs after "we will" that announce process, not a deliverable.
const PROCEDURAL_VERBS: &[&str] = &[
    "consider",
    "continue",
    "look",
    "explore",
    "monitor",
    "review",
    "seek",
    "work",
    "engage",
    "consult",
    "discuss",
    "reflect",
    "respond",
    "return",
    "update",
    "listen",
    "think",
    "try",
    "want",
    "need",
    "see",
    "ask",
    "write",
    "publish",
    "set",
    "say",
    "tell",
    "hear",
    "outline",
    "report",
    "examine",
    "assess",
    "evaluate",
    "study",
    "investigate",
    "keep",
    "remain",
    "be",
    "have",
    "engage",
    "aim",
    "endeavour",
    "encourage",
    "support",
    "help",
    "welcome",
    "note",
    "share",
    "talk",
    "sought",
    "require",
];

/// Sentences that merely report or hypothesise a promise.
static NOT_A_PROMISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(
        r"(?x)
        \?
        | ^\s*(?:if|unless|whether|should|provided|providing|assuming|so\ long\ as|as\ long\ as)\b
        | \b(?:would|could|might|should)\b
        | ,\s*(?:if|provided\ that|as\ long\ as)\b
        | \bthat\ (?:if|unless)\b[^.;:]{0,120},\s*(?:the\ government|this\ government|we|i|ministers)\ will\b
        | \bif\ elected\b
        | \bwhether\b
        | \brecommend(?:s|ed|ations?)?\b
        | \bcalled\ on\ the\ government\b
        | \b(?:said|says|claimed|claims|argued|argue|argues)\ (?:that\ )?(?:the\ government|they|it|ministers)\b
        | \btold\ (?:us|the\ committee|parliament|the\ house|mps|members|the\ inquiry)\b
        | \b(?:reassured|pleased|concerned|disappointed|surprised|glad)\ to\ (?:hear|learn|see)\b|\b(?:we|the\ committee|the\ inquiry)\ heard\ that\b
        | \bachievement\ of\ the\ (?:target|goal|ambition|pledge|commitment)\b
        | \b(?:found|finds|concluded|concludes|noted|notes|estimated|estimates|forecast|forecasts|projected|projects)\ that\b
        | \b(?:the\ opposition|shadow)\b
        | \bunder\ review\b
        | \bhow\ we\ will\b
        | \bwhen\ parliamentary\ time\ allows\b
        | \b(?:once|when|as\ soon\ as)\ [a-z\ ]{0,40}?\b(?:allows?|permits?)\b
        | \bsubject\ to\ (?:the\ )?(?:(?:agreement|negotiations?|talks)\ with|(?:outcome|results?)\ of)\b
        | \bit\ is\ (?:anticipated|expected|envisaged|estimated|forecast|projected|thought|hoped|likely|possible)\b
        | \bthe\ (?:company|firm|council|operator|manufacturer|group|business|retailer|supplier)\ (?:has\ )?(?:confirmed|said|says|announced|pledged|promised)\b
        | \bon\ (?:current|present)\ trends\b|\bat\ the\ current\ rate\b
        | \bin\ due\ course\b
        | \b(?:obr|office\ for\ budget\ responsibility)\b|\bon\ the\ (?:[a-z']+\ ){0,3}(?:forecasts?|projections?)\b
        | \b(?:our|the\ government's)\ hope\b|\bwe\ (?:very\ much\ |would\ )?hope\b|\bhopefully\b
        | \bwill\ close\ (?:to|for|at|on)\b
        | ,\ (?:the\ |a\ )?[a-z'\ ]{2,60}\ (?:warns|warned|forecasts|forecast|projects|projected|predicts|predicted|estimates|estimated|calculates|calculated|expects)\s*\.?\s*$
        | \b(?:projections|forecasts|modelling|estimates)\ (?:show|shows|suggest|suggests|indicate|indicates)\b
        | ^\s*(?:the\ )?(?:european\ union|eu|european\ commission|united\ nations|un|nato|g7|g20|oecd|imf|world\ bank|world\ health\ organi[sz]ation|who|(?:irish|french|german|us|american|dutch|danish|norwegian|swedish|spanish|italian|canadian|australian|new\ zealand|japanese|chinese|indian)\ government)\b",
    ))
    .expect("negative pattern")
});

/// A sentence opening with an organisation's name and "will" (or "aims
/// to", "intends to", "plans to").
static PUBLIC_BODY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[^,]{0,120},\s+)?(?:[Tt]he\s+)?(?P<name>[A-Z][\w&'’-]*(?:\s+(?:[A-Z][\w&'’-]*|and|of|for|the|on))*)\s+(?:will|aims\s+to|intends\s+to|plans\s+to)\s")
        .expect("public body pattern")
});

/// Words in the names of public bodies (not of companies): "UK Research
/// and Innovation", "the Environment Agency", "Network Rail", "Ofwat".
static PUBLIC_BODY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(r"\b(?:UK|England|Scotland|Wales|Northern\ Ireland|British|National|Agency|Authority|Service|Council|Commission|Office|Executive|Board|Research|Innovation|Rail|Highways|Trust|Fund|Bank|Inspectorate|Ombudsman|Regulator|NHS|HM\w*|Of(?:sted|gem|wat|com|qual))\b"))
        .expect("public body word pattern")
});

/// "the UK the best place in the world", "Britain a world leader".
static ASPIRATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(r"^\s*(?:the\ uk|britain|great\ britain|england|scotland|wales|the\ country|this\ country|our\ country)\ (?:the|a)\ (?:best|greatest|safest|fairest|leading|most|world)\b"))
        .expect("aspiration pattern")
});

/// A modal in a relative clause ("families who would otherwise be placed
/// in temporary accommodation") qualifies those it describes, not the
/// promise: it is left out when looking for hedges.
static RELATIVE_MODAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(
        r"\b(?:who|which|whom|where)\ (?:would|could|might|should)\b",
    ))
    .expect("relative modal pattern")
});

/// What process produces (a review, guidance, a decision): promising one
/// is promising to deliberate, not to deliver. Checked in the words after
/// the verb and, when no promiser is named, in the subject.
static PROCESS_OBJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:review|reviews|consultation|consultations|call\ for\ evidence|evaluation|assessment|study|results|figures|statistics|guidance|details|decision|decisions|evidence|announcement|statement|update|response|proposals\ for\ consultation|discussions?|conversation|timetable|speech|keynote|lecture|remarks|interview|talks|consideration|thought|further\ thought|evidence\ to)\b",
    )
    .expect("process object pattern")
});

/// "Electric cars to pay 3p a mile from April 2028" -> "Electric cars will
/// pay 3p a mile from April 2028": a headline's infinitive read as the
/// announcement it is. Only for text without a closing full stop, whose
/// words before "to" have no verb or pronoun of their own ("we want to",
/// "how to apply" are not announcements).
fn headline_announcement(sentence: &str) -> Option<String> {
    let text = sentence.trim();
    if text.ends_with(['.', '?', '!', ':', ';']) || text.len() > 200 {
        return None;
    }
    let (subject, rest) = text.split_once(" to ")?;
    let words: Vec<String> = subject
        .split_whitespace()
        .map(|word| word.to_lowercase())
        .collect();
    const NOT_A_SUBJECT: &[&str] = &[
        "we", "i", "you", "they", "he", "she", "it", "our", "how", "what", "why", "when", "where",
        "who", "want", "wants", "need", "needs", "plan", "plans", "aim", "aims", "going", "is",
        "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "should",
        "may", "might", "must", "due", "up", "down", "back", "from", "right", "able", "ways",
        "way", "steps", "guide", "apply", "help",
    ];
    let first = rest.split_whitespace().next()?;
    // "Plans to open 350 banking hubs by the end of this Parliament": the
    // government's plans, announced
    if matches!(
        words
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["plans" | "plan"] | ["new" | "government" | "ambitious", "plans"]
    ) && first.starts_with(|ch: char| ch.is_ascii_lowercase())
    {
        return Some(format!("The government will {rest}."));
    }
    if words.is_empty()
        || words.len() > 12
        || words
            .iter()
            .any(|word| NOT_A_SUBJECT.contains(&word.as_str()))
        || !first.starts_with(|ch: char| ch.is_ascii_lowercase())
    {
        return None;
    }
    Some(format!("{subject} will {rest}."))
}

/// "Up to 250 new neighbourhood health centres by 2030, under plans
/// unveiled today", "• 40 new youth hubs, all open by the end of 2026":
/// a headline or list item with no verb of its own, naming a count (or
/// something free) and a date still to come. The date must follow the
/// document's own ("2,000 places from April 2020" in a 2024 report is
/// history).
fn verbless_outcome(sentence: &str, published: Option<&str>) -> Option<Vec<Promise>> {
    const OPENINGS: &[&str] = &[
        "up to ",
        "more than ",
        "over ",
        "an extra ",
        "an additional ",
        "free ",
        "new ",
    ];
    const FINITE: &[&str] = &[
        "is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "would", "could",
        "should", "may", "might", "must", "shall", "can", "did", "does", "do", "we", "i", "they",
        "our", "if", "whether", "since", "than",
    ];
    // the cheap test first: most sentences open otherwise
    let raw = strip_bullet(sentence.trim());
    let opening: String = raw.chars().take(16).collect::<String>().to_lowercase();
    if !raw.starts_with(|ch: char| ch.is_ascii_digit() || ch == '£')
        && !OPENINGS.iter().any(|words| opening.starts_with(words))
    {
        return None;
    }
    let item = fold_for_search(raw);
    let words: Vec<&str> = item.split_whitespace().collect();
    if words.len() > 30
        || item.contains('?')
        || words
            .iter()
            .any(|word| FINITE.contains(&word.trim_matches(|ch: char| !ch.is_alphanumeric())))
    {
        return None;
    }
    let counted_start = item.starts_with(|ch: char| ch.is_ascii_digit() || ch == '£');
    if !counted_start && !OPENINGS.iter().any(|opening| item.starts_with(opening)) {
        return None;
    }
    let deadline = find_deadlines(&item, published)
        .into_iter()
        .filter(|deadline| {
            ["by ", "from ", "before ", "until ", "no later than "]
                .iter()
                .any(|lead| deadline.text.starts_with(lead))
        })
        .find(|deadline| published.is_none_or(|published| deadline.date.as_str() > published))?;
    let figures = find_figures(&item);
    if figures.is_empty() && !item.starts_with("free ") {
        return None;
    }
    Some(promises(
        sentence,
        vec![deadline_as_written(sentence, deadline)],
        figures,
    ))
}

/// Whether words name what a process produces. A medical consultation
/// ("online consultation requests", "GP consultations") is a service, not
/// a public consultation.
fn names_process(words: &str) -> bool {
    const CLINICAL: &[&str] = &[
        "online",
        "video",
        "telephone",
        "gp",
        "face-to-face",
        "remote",
        "clinical",
        "medical",
        "outpatient",
        "hospital",
        "doctor",
    ];
    PROCESS_OBJECT.find_iter(words).any(|found| {
        let before = words[..found.start()].trim_end();
        !(found.as_str().starts_with("consultation")
            && CLINICAL.iter().any(|word| before.ends_with(word)))
    })
}

/// Kinds of documents in which a government speaks for itself.
pub fn is_government_document(document: &Document) -> bool {
    if document.kind == "hansard_contribution" {
        // In Parliament a minister speaks for the government; other members do not.
        return document.speaker.as_deref().is_some_and(is_ministerial);
    }
    if is_independent(&document.kind, &document.publisher) {
        return false;
    }
    if matches!(
        document.kind.as_str(),
        "government_response" | "web_page" | "pdf" | "official_statistics" | "national_statistics"
    ) {
        return looks_like_government(&document.publisher);
    }
    true
}

/// Independent assessors: Parliament's committees and panels, audit
/// offices, statistics bodies, fiscal watchdogs, inspectorates.
pub fn is_independent(kind: &str, publisher: &str) -> bool {
    if kind == "hansard_contribution" {
        // A member's words in a debate are neither an audit nor a ruling.
        return false;
    }
    if matches!(
        kind,
        "committee_report"
            | "audit_report"
            | "official_statistics"
            | "national_statistics"
            | "independent_report"
            | "government_response"
    ) {
        return kind != "government_response";
    }
    let publisher = publisher.to_lowercase();
    [
        "committee",
        "audit office",
        "audit scotland",
        "audit wales",
        "statistics",
        "office for budget responsibility",
        "expert panel",
        "inspectorate",
        "ombudsman",
        "institute",
        "foundation",
        "university",
        "commissioner",
        "house of commons",
        "house of lords",
        "parliament",
    ]
    .iter()
    .any(|word| publisher.contains(word))
}

/// A speaker attribution naming a government office: "The Secretary of
/// State for Health and Social Care (Wes Streeting)", "The Minister for
/// Care (Stephen Kinnock)", "The Prime Minister".
fn is_ministerial(speaker: &str) -> bool {
    let speaker = speaker.to_lowercase();
    [
        "secretary of state",
        "minister",
        "chancellor of the exchequer",
        "under-secretary",
        "paymaster general",
        "chief secretary to the treasury",
        "solicitor general",
        "attorney general",
        "leader of the house",
    ]
    .iter()
    .any(|office| speaker.contains(office))
        && !speaker.contains("shadow")
}

fn looks_like_government(publisher: &str) -> bool {
    let publisher = publisher.to_lowercase();
    [
        "department",
        "ministry",
        "home office",
        "cabinet office",
        "treasury",
        "prime minister",
        "government",
        "secretary of state",
        "foreign",
        "nhs england",
    ]
    .iter()
    .any(|word| publisher.contains(word))
}

/// The commitments a document makes.
pub fn find_in_document(document_index: usize, document: &Document) -> Vec<FoundCommitment> {
    if !is_government_document(document) {
        return Vec::new();
    }
    let published = document.published.as_deref();
    let mut found = Vec::new();
    // "We will:" followed by its items as paragraphs (list items are blocks)
    let mut list_lead: Option<(String, &[String])> = None;
    for (paragraph_index, paragraph) in document.paragraphs.iter().enumerate() {
        let mut ordinal = 0;
        let text = paragraph.text.trim();
        if let Some((lead, headings)) = &list_lead {
            if *headings == paragraph.headings.as_slice() && is_list_item(text) {
                let item = strip_bullet(text);
                let promise = format!("{lead} {}", lowercase_first(item));
                let (promises, learned) = found_in_sentence(&promise, published);
                for (deadline, target) in promises {
                    ordinal += 1;
                    found.push(FoundCommitment {
                        document: document_index,
                        paragraph: paragraph_index,
                        ordinal,
                        // the citation quotes the item as written
                        sentence: item.to_string(),
                        deadline,
                        target,
                        learned,
                    });
                }
                continue;
            }
            list_lead = None;
        }
        let sentences = sentences::split(text);
        for sentence in &sentences {
            let (promises, learned) = found_in_sentence(sentence, published);
            for (deadline, target) in promises {
                ordinal += 1;
                found.push(FoundCommitment {
                    document: document_index,
                    paragraph: paragraph_index,
                    ordinal,
                    sentence: sentence.to_string(),
                    deadline,
                    target,
                    learned,
                });
            }
        }
        if let Some(last) = sentences.last()
            && let Some(lead) = last.strip_suffix(':')
            && is_list_lead(lead)
        {
            list_lead = Some((lead.trim().to_string(), paragraph.headings.as_slice()));
        }
    }
    found
}

/// A paragraph that reads as one item of a list: short, one or two
/// sentences, not itself the lead of another list, and marked as an item
/// (a bullet, a lowercase start) or starting with a verb the lead governs
/// ("Recruit 1,000 more GPs"; not "The NHS has 1.5 million staff").
fn is_list_item(text: &str) -> bool {
    if text.is_empty()
        || text.len() > 400
        || text.ends_with(':')
        || sentences::split(text).len() > 2
    {
        return false;
    }
    let item = strip_bullet(text);
    let marked = item.len() < text.len() || item.starts_with(char::is_lowercase);
    let first = item
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_lowercase();
    marked || is_delivery_verb(&first) || is_procedural(&first)
}

/// "• build 1.5 million homes", "(a) recruit ...", "2. open ..." -> the item's words.
fn strip_bullet(text: &str) -> &str {
    let text = text.trim_start_matches(['•', '·', '-', '–', '—', '*', '▪', '◦', ' ']);
    let marker_end = text
        .char_indices()
        .take(5)
        .find(|(_, ch)| *ch == ')' || *ch == '.')
        .map(|(index, _)| index);
    if let Some(end) = marker_end {
        let marker = text[..end].trim_start_matches('(');
        let is_marker = !marker.is_empty()
            && marker.len() <= 3
            && marker
                .chars()
                .all(|ch| ch.is_ascii_digit() || ch.is_ascii_lowercase());
        if is_marker {
            return text[end + 1..].trim_start();
        }
    }
    text
}

/// The (deadline, target) pairs of a sentence that makes a commitment;
/// empty when it makes none. The rules decide first; when they find
/// nothing, the learned model may (see [`by_model`]).
pub fn commitments_in_sentence(sentence: &str, published: Option<&str>) -> Vec<Promise> {
    found_in_sentence(sentence, published).0
}

/// [`commitments_in_sentence`], and whether the learned model found them.
pub fn found_in_sentence(sentence: &str, published: Option<&str>) -> (Vec<Promise>, bool) {
    let found = by_rules(sentence, published);
    if !found.is_empty() {
        return (found, false);
    }
    (by_model(sentence, published), true)
}

/// A commitment the rules did not see but the learned model is sure of
/// ([`learned::THRESHOLD`]): "By 2020 all the trains will be brand new or
/// completely refurbished". It must name a date still to come; not a
/// question, and not a sentence whose words report a result or a failure
/// (that is an assessment).
pub fn by_model(sentence: &str, published: Option<&str>) -> Vec<Promise> {
    let trimmed = sentence.trim();
    if trimmed.len() > 600 || trimmed.ends_with('?') || !learned::is_promise(trimmed) {
        return Vec::new();
    }
    let folded = fold_for_search(trimmed);
    if super::assessments::leaning_strictly(&folded).is_some()
        || super::assessments::stance_of_folded(&folded).is_some()
    {
        return Vec::new();
    }
    // the rules' own word on undated promises stands: a learned finding
    // says by when, and a date still to come when it was written
    let deadlines: Vec<Deadline> = find_deadlines(&folded, published)
        .into_iter()
        .filter(|deadline| published.is_none_or(|published| deadline.date.as_str() > published))
        .map(|deadline| deadline_as_written(trimmed, deadline))
        .collect();
    if deadlines.is_empty() {
        return Vec::new();
    }
    promises(trimmed, deadlines, find_figures(&folded))
}

/// What a sentence promises, from its deadlines and figures: "68% by March
/// 2023 and 75% by March 2024" is one commitment per target; otherwise one
/// commitment, by its first deadline, counting its first figure that is
/// not a sum of money (else its first).
fn promises(sentence: &str, deadlines: Vec<Deadline>, figures: Vec<Figure>) -> Vec<Promise> {
    if deadlines.len() >= 2 && figures.len() == deadlines.len() {
        return deadlines
            .into_iter()
            .zip(figures)
            .map(|(deadline, figure)| (Some(deadline), Some(restore_case(sentence, figure))))
            .collect();
    }
    let target = figures
        .iter()
        .find(|figure| figure.unit != Unit::Pounds)
        .or(figures.first())
        .cloned()
        .map(|figure| restore_case(sentence, figure));
    vec![(deadlines.into_iter().next(), target)]
}

/// [`commitments_in_sentence`] by the rules alone.
pub(crate) fn by_rules(sentence: &str, published: Option<&str>) -> Vec<Promise> {
    // "4. Complete the transition to the new network by December 2026": an
    // item of a numbered plan, quoted without its lead ("We will:"); its
    // verb is the promise when the item is dated or counted
    let item = strip_bullet(sentence.trim());
    if item.len() < sentence.trim().len()
        && let Some(first) = item.split_whitespace().next()
        && first.starts_with(char::is_uppercase)
        && is_delivery_verb(&first.to_lowercase())
    {
        let found = by_rules(&format!("We will {}", lowercase_first(item)), published);
        // "• Ban the export of live animals": a change in the law is a
        // promise undated
        let lower = item.to_lowercase();
        let lawmaking = [
            "ban",
            "abolish",
            "outlaw",
            "scrap",
            "criminalise",
            "prohibit",
        ]
        .iter()
        .any(|verb| {
            lower.starts_with(&format!("{verb} "))
                || lower.contains(&format!(" and {verb} "))
                || lower.contains(&format!(", {verb} "))
        });
        return if lawmaking
            || found
                .iter()
                .any(|(deadline, target)| deadline.is_some() || target.is_some())
        {
            found
        } else {
            Vec::new()
        };
    }
    // "Single-use vapes to be banned from 1 June 2025": a headline (no
    // closing full stop) announcing a change, promised when dated
    if let Some(announced) = headline_announcement(sentence) {
        return by_rules(&announced, published)
            .into_iter()
            .filter(|(deadline, _)| deadline.is_some())
            .collect();
    }
    if let Some(outcome) = verbless_outcome(sentence, published) {
        return outcome;
    }
    let folded = fold_for_search(sentence);
    // most sentences hold no commitment language: the one cheap test first
    // (an inline list's lead is followed by a colon, not by its verb)
    if sentence.len() > 600 || !(CUE.is_match(&folded) || folded.contains(':')) {
        return Vec::new();
    }
    if let Some(hedge) = NOT_A_PROMISE.find(&RELATIVE_MODAL.replace_all(&folded, " ")) {
        // "we will cut aid to 0.5% in 2021, and return to 0.7% when the
        // fiscal situation allows": a condition on a later clause leaves
        // the first one standing
        let first = sentence
            .find(", and ")
            .filter(|_| !sentence.trim_end().ends_with('?'))
            .map(|end| &sentence[..end]);
        let standing = first.filter(|first| {
            let folded_first = fold_for_search(first);
            folded_first.len() < hedge.start() && CUE.is_match(&folded_first)
        });
        return match standing {
            Some(first) => by_rules(&format!("{first}."), published),
            None => Vec::new(),
        };
    }
    // "the target of 50,000 more nurses has been met" reports, it does not promise
    // "While the wider programme has been re-phased, the seven hospitals
    // will be rebuilt first": the concession's stance is not the sentence's
    let main_start = match folded.split_once(", ") {
        Some((lead, _))
            if ["while ", "whilst ", "although ", "though ", "despite "]
                .iter()
                .any(|word| lead.starts_with(word)) =>
        {
            lead.len() + 2
        }
        _ => 0,
    };
    let main_clause = &folded[main_start..];
    // "the 24,000 chargepoints promised by 2026 will not be reached before
    // 2031" forecasts a failure in words no phrase lists: what the words
    // lean to counts when it is a failure, a delay or a promise let go
    // (not by the bare verb "scrap", which a promise to end something uses)
    if matches!(
        super::assessments::leaning_strictly(main_clause),
        Some(Stance::NotMet | Stance::OffTrack | Stance::Delayed | Stance::Abandoned)
    ) {
        return Vec::new();
    }
    if matches!(
        super::assessments::stance_of_folded(main_clause),
        Some(
            Stance::Met
                | Stance::NotMet
                | Stance::PartlyMet
                | Stance::Abandoned
                | Stance::OffTrack
                | Stance::Delayed
        )
    ) {
        return Vec::new();
    }
    // "We will: recruit 8,500 staff; open 85 centres; and double ...": each item is a promise
    if let Some(items) = inline_list(sentence) {
        return items
            .iter()
            .flat_map(|item| by_rules(item, published))
            .collect();
    }
    let Some(captures) = CUE.captures(&folded) else {
        return Vec::new();
    };
    let mut impersonal = captures.name("impersonal").is_some();
    // "HM Passport Office aims to process 99.5% of applications within
    // three weeks": an aim counts when a public body's (below)
    let body_aim = captures.name("bodyaim").is_some();
    // "UK Research and Innovation will fund 750 studentships": a public body
    // named at the start promises as a department does
    let named_body = (impersonal || body_aim)
        && !captures.get(0).is_some_and(|m| m.as_str().contains(" be "))
        && PUBLIC_BODY
            .captures(sentence.trim_start())
            .and_then(|found| found.name("name"))
            // "A High Value Council Tax Surcharge will ...": an article, not a name
            .is_some_and(|name| {
                !name.as_str().starts_with("A ")
                    && !name.as_str().starts_with("An ")
                    && PUBLIC_BODY_WORD.is_match(name.as_str())
            });
    if named_body {
        impersonal = false;
    } else if body_aim {
        // "the scheme aims to help families": a purpose, not a promise
        return Vec::new();
    }
    // "will need to be built", "will have to submit": a necessity or a duty, not a promise
    if impersonal
        && captures
            .get(0)
            .is_some_and(|m| m.as_str().contains("need to") || m.as_str().contains("have to"))
    {
        return Vec::new();
    }
    // "judges will be given the power to ...": a new power is a change in the law
    // "it will be an offence to sell ...": a new rule
    let legislative = captures.name("legislative").is_some()
        || captures.name("power").is_some()
        || captures.name("offence").is_some();
    let cue_start = captures.get(0).map_or(0, |m| m.start());
    let cue_end = captures.get(0).map_or(0, |m| m.end());
    let mut passive = captures.get(0).is_some_and(|m| m.as_str().contains(" be "));
    let verb_match = [
        "verb", "verb2", "verb3", "verb4", "verb5", "verb6", "verb7", "verb8", "verb9", "verb10",
        "verb11", "verb12", "verb13", "verb14", "verb15", "verb16", "verb17", "verb18", "verb19",
        "setto",
    ]
    .iter()
    .find_map(|name| captures.name(name));
    let mut verb = verb_match.map(|m| m.as_str().to_string());
    let after_verb = verb_match.map_or("", |m| &folded[m.end()..]);
    let mut next_words = after_verb
        .split_whitespace()
        .map(|word| word.trim_matches(|ch: char| !ch.is_alphanumeric()));
    let next_word = next_words.next().unwrap_or_default();
    // "nobody receiving it will see their payment fall": a guarantee
    let mut delivery = legislative
        || captures.name("sum").is_some()
        || captures.name("sum2").is_some()
        || captures.name("sum3").is_some()
        || captures.name("guarantee").is_some()
        || captures.name("none").is_some();
    // "Ofwat is to be abolished by 2027", "every prison is to have ... by
    // 2028": an outcome without a promiser, judged as one
    if captures.name("tobe").is_some() {
        impersonal = true;
    }
    let mut reached = false;
    // "this will see 18,000 homes delivered by 2029": an outcome of the
    // plan just described, promised when dated (checked below)
    if captures.name("see").is_some() {
        impersonal = true;
        verb = Some("deliver".into());
    }
    // "we will not be introducing a tourist tax": judge the verb, keep the "not"
    let negated = verb.as_deref().is_some_and(|v| v.starts_with("not "));
    if let Some(found) = &verb
        && let Some(rest) = found.strip_prefix("not ")
    {
        verb = Some(rest.to_string());
    }
    match verb.as_deref() {
        // "700,000 more appointments will be made available": available
        Some("made") if passive && next_word == "available" => verb = Some("available".into()),
        // "we will be investing £3.4 billion": the verb is the participle
        Some("be") if next_word.ends_with("ing") => verb = Some(next_word.to_string()),
        // "the NHS will be given ...": a passive outcome, judged as one
        Some("be") if !next_word.is_empty() => {
            verb = Some(next_word.to_string());
            impersonal = true;
            passive = true;
        }
        // "every pupil will have access to ... by 2029", "every trust will have an electronic record by"
        Some("have") if matches!(next_word, "access" | "a" | "an") => {
            verb = Some("available".into());
            impersonal = true;
        }
        // "by 2030 we will have planted 30 million trees"
        Some("have") if is_participle(next_word) => verb = Some(next_word.to_string()),
        Some("have") if next_word == "been" => {
            verb = next_words.next().map(str::to_string);
            impersonal = true;
            passive = true;
        }
        // "our aim is to have 10,000 more apprentices", "by 2030 we will
        // have 5G coverage in all populated areas": a state to be reached,
        // promised when it is counted or dated (checked below), not "we
        // will have to" or "we will have more to say"
        Some("have")
            if !matches!(
                next_word,
                "to" | "more" | "further" | "until" | "till" | "time" | "a" | "an" | "the" | ""
            ) && (!impersonal
                || matches!(next_word, "its" | "their")
                || next_word.starts_with(|ch: char| ch.is_ascii_digit())) =>
        {
            reached = true;
            // "every household will have its food waste collected weekly from ..."
            if impersonal {
                verb = Some("available".into());
            }
        }
        // "keep the triple lock": to maintain it (not "keep under review")
        Some("keep")
            if !matches!(
                next_word,
                "under"
                    | "in"
                    | "up"
                    | "track"
                    | "abreast"
                    | "looking"
                    | "working"
                    | "talking"
                    | ""
            ) =>
        {
            verb = Some("maintain".into());
        }
        // "bring forward legislation", "set up a new body", "return 10,000 people"
        // "bring forward proposals" promises a document, not a change
        Some("bring")
            if next_word == "forward"
                && matches!(next_words.next(), Some("proposals" | "plans" | "options")) =>
        {
            return Vec::new();
        }
        // "we will require all new homes to ...": a rule (not "require further information")
        Some("require") if !matches!(next_word, "further" | "more" | "additional" | "") => {
            delivery = true
        }
        // "the regulations will come into force on 1 October 2026"
        Some("come") if after_verb.trim_start().starts_with("into force") => delivery = true,
        // "bring the average wait for a hearing down to 24 weeks": a level to reach
        Some("bring")
            if matches!(next_word, "forward" | "in" | "down")
                || after_verb.split([',', ';']).next().is_some_and(|clause| {
                    // "bring 36 new tram-trains into passenger service"
                    clause.contains(" down to ")
                        || clause.contains(" into service")
                        || clause.contains(" into passenger service")
                        || clause.contains(" into use")
                }) =>
        {
            delivery = true
        }
        Some("set") if next_word == "up" => delivery = true,
        Some("return") if next_word != "to" => delivery = true,
        _ => {}
    }
    // "our aim is to make the UK the best place in the world to grow old":
    // an aspiration, with nothing to deliver (but "legislate to make the UK
    // the safest place ..." promises the law)
    if verb.as_deref() == Some("make") && ASPIRATION.is_match(after_verb) {
        return Vec::new();
    }
    // the object's head comes before its first preposition: "our review of the
    // framework" is a review, "the backlog of asylum decisions" is a backlog
    let object: Vec<&str> = after_verb
        .split_whitespace()
        .take(6)
        .take_while(|word| {
            !matches!(
                *word,
                "of" | "on" | "for" | "to" | "in" | "into" | "with" | "by" | "from" | "about"
            )
        })
        .collect();
    let subject = &folded[..cue_start];
    // "abolish the Work Capability Assessment", "scrap the review": ending
    // or replacing a process is a change, not deliberation
    let ends_it = verb.as_deref().is_some_and(|v| {
        ["abolish", "scrap", "end", "replace", "ban", "close"]
            .contains(&v.trim_start_matches("not "))
    });
    // the subject's head is its last word before any preposition: "an
    // additional 400 speech and language therapists" are therapists, "a
    // speech on the economy" a speech
    let subject_head = subject
        .split_whitespace()
        .take_while(|word| {
            !matches!(
                *word,
                "of" | "on" | "for" | "to" | "in" | "into" | "with" | "by" | "from" | "about"
            )
        })
        .last()
        .unwrap_or_default();
    if !legislative
        && !ends_it
        && (names_process(&object.join(" ")) || (impersonal && names_process(subject_head)))
    {
        return Vec::new();
    }
    // "the Minister will visit the hospital in June": a diary, not a promise
    if verb
        .as_deref()
        .is_some_and(|v| is_diary_verb(v.trim_start_matches("not "), &object))
    {
        return Vec::new();
    }
    // a bill or act changes the law: "the Bill will place a duty on every
    // local authority to ...", "the Act will require ..."
    if captures.name("body").is_some_and(|body| {
        ["bill", "act", "legislation", "new law", "regulations"]
            .iter()
            .any(|word| body.as_str().ends_with(word))
    }) && verb.as_deref().is_some_and(|v| {
        [
            "place",
            "require",
            "give",
            "create",
            "allow",
            "enable",
            "put",
            "strengthen",
            "stop",
        ]
        .contains(&v)
    }) {
        delivery = true;
    }
    if let Some(found) = &verb
        && !delivery
    {
        let word = found.split_whitespace().last().unwrap_or_default();
        // "we will support 2 million more people into work": a count makes it a deliverable
        let counted = matches!(word, "support" | "help" | "share" | "receive" | "benefit")
            && find_figures(after_verb)
                .iter()
                .any(|figure| !is_duration(&figure.counts));
        if is_procedural(word) && !counted && !reached {
            // "we will work with the devolved administrations to increase ...",
            // "we will continue to fund ..."
            let purpose = match word {
                "work" => purpose_verb(&folded[cue_end..]),
                "continue" => continued_verb(after_verb),
                _ => None,
            };
            match purpose {
                Some(purpose) => verb = Some(purpose),
                None => return Vec::new(),
            }
        }
        if counted {
            delivery = true;
        }
    }
    if negated && let Some(found) = &verb {
        verb = Some(format!("not {found}"));
    }
    // what is promised comes after the cue; without a named promiser the
    // subject ("the first 6,000 officers") is part of the promise
    // (not in a concession before it: "although the programme closes in
    // March 2026, its successor will ...")
    let promise = if impersonal {
        &folded[main_start..]
    } else {
        &folded[cue_start..]
    };
    let mut deadlines: Vec<Deadline> = find_deadlines(promise, published);
    // "By 2030, we will have planted ...": a deadline set before the promiser
    if deadlines.is_empty() && !impersonal {
        deadlines = find_deadlines(&folded[..cue_start], published)
            .into_iter()
            .filter(|deadline| {
                // "Over the course of this Parliament we will ...": a Parliament is a period
                // "In 2026-27 we will provide ...", "From 1 April 2026, the government will ..."
                ["by ", "before ", "within ", "no later than ", "from "]
                    .iter()
                    .any(|lead| deadline.text.starts_with(lead))
                    || deadline.text.ends_with("parliament")
                    || (["in ", "during "]
                        .iter()
                        .any(|lead| deadline.text.starts_with(lead))
                        && published.is_none_or(|published| deadline.date.as_str() > published))
            })
            .collect();
    }
    let deadlines: Vec<Deadline> = deadlines
        .into_iter()
        .map(|deadline| deadline_as_written(sentence, deadline))
        .collect();
    let figures: Vec<Figure> = find_figures(promise);
    // a promise without a named promiser must at least say what and by when
    let concrete = if impersonal {
        // "will be available to every service by March 2026": an outcome by a date
        let acts = verb.as_deref().is_some_and(|v| {
            is_delivery_verb(v)
                || is_participle(v)
                || [
                    "available",
                    "in",
                    "operational",
                    "live",
                    "ready",
                    "complete",
                    "open",
                    "fully",
                    "free",
                    "able",
                    "receive",
                    "get",
                ]
                .contains(&v)
        });
        // "an extra 700,000 dental appointments will be made available
        // every year": a count promised, dated or not
        let counted_outcome = passive
            && acts
            && ["extra ", "more ", "additional ", "new "]
                .iter()
                .any(|word| subject.contains(word))
            && find_figures(subject)
                .iter()
                .any(|figure| figure.unit != Unit::Pounds && !is_duration(&figure.counts));
        // "every penny of the £19.8 billion will be reinvested": a sum promised for a purpose
        let passive_sum = passive
            && verb.as_deref().is_some_and(|v| v.ends_with("ed"))
            && figures
                .iter()
                .any(|f| f.unit == Unit::Pounds && f.value >= 1e6);
        // "councils will be able to draw on up to £120 million", "pupils
        // will get ... through the £24 million programme": a sum to receive
        // (not "twelve high streets are to share £9.8 million", an award made)
        let funded = verb
            .as_deref()
            .is_some_and(|v| ["able", "receive", "get", "benefit", "access"].contains(&v))
            && figures
                .iter()
                .any(|f| f.unit == Unit::Pounds && f.value >= 1e6);
        // "all new cars are to be zero emission from 2035": an official
        // "is to be" states the outcome to come, whatever the word after it
        let stated = captures.name("tobe").is_some() && passive;
        (!deadlines.is_empty() && (acts || delivery || stated || !figures.is_empty()))
            || passive_sum
            || counted_outcome
            || funded
    } else if captures.name("setto").is_some() {
        // "GBE-Nuclear is set to build the first small modular reactors"
        // (not "inflation is set to fall"): only a deliverable
        verb.as_deref().is_some_and(is_delivery_verb)
    } else if named_body {
        // a public body's promise is counted or dated ("will fund 750 new
        // studentships"), not "will continue to provide advice"
        // (an aim: a deliverable, or a level of service to reach)
        (delivery
            || verb.as_deref().is_some_and(is_delivery_verb)
            || ((body_aim || !deadlines.is_empty())
                && figures.iter().any(|figure| !is_duration(&figure.counts))))
            && !(figures.is_empty() && deadlines.is_empty())
    } else if captures.name("body").is_some() {
        // a named body other than the speaker ("the Department for Education
        // will cost £110 billion in 2025-26"): a deliverable, or a count or a
        // share by a date ("will move 50 more services onto One Login in 2025/26")
        delivery
            || verb.as_deref().is_some_and(is_delivery_verb)
            || (!deadlines.is_empty() && figures.iter().any(|f| f.unit != Unit::Pounds))
    } else {
        delivery
            || !deadlines.is_empty()
            || !figures.is_empty()
            || verb.as_deref().is_some_and(is_delivery_verb)
    };
    if !concrete {
        return Vec::new();
    }
    promises(sentence, deadlines, figures)
}

/// Deadlines were found in folded text; show them as written.
fn deadline_as_written(sentence: &str, mut deadline: Deadline) -> Deadline {
    if let Some(original) = find_ignoring_case(sentence, &deadline.text) {
        deadline.text = original.to_string();
    }
    deadline
}

/// The first part of `haystack` that reads as `needle` when both are
/// lowercased (no pattern compiled per call: this runs for every deadline).
fn find_ignoring_case<'a>(haystack: &'a str, needle: &str) -> Option<&'a str> {
    let needle: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    if needle.is_empty() {
        return None;
    }
    for (start, _) in haystack.char_indices() {
        let mut wanted = needle.iter();
        let mut end = start;
        let mut matched = true;
        'chars: for (offset, ch) in haystack[start..].char_indices() {
            for lower in ch.to_lowercase() {
                match wanted.next() {
                    Some(expected) if *expected == lower => {}
                    Some(_) => {
                        matched = false;
                        break 'chars;
                    }
                    None => break 'chars,
                }
            }
            end = start + offset + ch.len_utf8();
            if wanted.len() == 0 {
                break;
            }
        }
        if matched && wanted.len() == 0 {
            return haystack.get(start..end);
        }
    }
    None
}

/// Figures were found in folded text; show what they count as written.
fn restore_case(sentence: &str, mut figure: Figure) -> Figure {
    if let Some(position) = fold_for_search(sentence).find(&figure.counts)
        && let Some(original) = sentence.get(position..position + figure.counts.len())
    {
        figure.counts = original.to_string();
    }
    figure
}

fn is_procedural(word: &str) -> bool {
    PROCEDURAL_VERBS.contains(&word)
        || PROCEDURAL_VERBS.iter().any(|verb| {
            word.strip_suffix("ed")
                .or_else(|| word.strip_suffix('d'))
                .is_some_and(|stem| stem == *verb || stem.strip_suffix('e') == Some(verb))
        })
}

/// "... with the devolved administrations to increase ..." -> "increase".
fn purpose_verb(rest: &str) -> Option<String> {
    let words: Vec<&str> = rest.split_whitespace().take(12).collect();
    words.windows(2).find_map(|pair| {
        let verb = pair[1].trim_matches(|ch: char| !ch.is_alphabetic());
        (pair[0] == "to" && is_delivery_verb(verb)).then(|| verb.to_string())
    })
}

/// "planted", "given", "built": a past participle (regular or common irregular).
fn is_participle(word: &str) -> bool {
    const IRREGULAR: &[&str] = &[
        // not "made", "held", "set", "met": "a decision will be made", "the election will be held"
        "built", "given", "paid", "spent", "cut", "grown", "sold", "bought", "taught", "frozen",
        "won",
    ];
    // "rebuilt", "overpaid": the irregular ending counts
    word.len() > 3 && word.ends_with("ed")
        || IRREGULAR.iter().any(|irregular| word.ends_with(irregular))
}

/// "continue to fund free school meals" -> "fund"; "continue to monitor",
/// "continue to make the case", "continue to ensure" -> none.
fn continued_verb(rest: &str) -> Option<String> {
    let mut words = rest.split_whitespace();
    if words.next() != Some("to") {
        return None;
    }
    let verb = words
        .next()?
        .trim_matches(|ch: char| !ch.is_alphabetic())
        .to_string();
    let vague = ["ensure", "make", "help", "support", "work", "secure"].contains(&verb.as_str());
    (is_delivery_verb(&verb) && !vague).then_some(verb)
}

/// Verbs of a minister's diary: visiting, attending, travelling, meeting
/// people (meeting a target or a standard is a deliverable).
fn is_diary_verb(verb: &str, object: &[&str]) -> bool {
    const DIARY: &[&str] = &[
        "visit", "visits", "attend", "attends", "travel", "travels", "speak", "speaks", "address",
        "host", "hosts", "chair", "chairs", "appear", "appears", "tour", "join",
    ];
    if DIARY.contains(&verb) {
        return true;
    }
    let deliverable = [
        "target",
        "targets",
        "standard",
        "standards",
        "commitment",
        "commitments",
        "pledge",
        "goal",
        "goals",
        "ambition",
        "requirement",
        "requirements",
        "deadline",
        "demand",
        "need",
        "needs",
        "obligation",
        "obligations",
        "cost",
        "costs",
    ];
    matches!(verb, "meet" | "meets")
        && !object
            .iter()
            .any(|word| deliverable.contains(&word.trim_matches(|ch: char| !ch.is_alphanumeric())))
}

/// "12 months", "three years": how long, not how many.
fn is_duration(counts: &str) -> bool {
    let first = counts.split_whitespace().next().unwrap_or_default();
    matches!(
        first,
        "day" | "days" | "week" | "weeks" | "month" | "months" | "year" | "years" | "hours"
    )
}

/// The promises of an inline list, each with its lead: "We will: recruit
/// 8,500 staff; open 85 centres; and double the scanners." gives "We will
/// recruit 8,500 staff" and so on. `None` when the sentence is no such list.
fn inline_list(sentence: &str) -> Option<Vec<String>> {
    let (lead, rest) = sentence.split_once(':')?;
    if !is_list_lead(lead) {
        return None;
    }
    let items: Vec<String> = rest
        .split(';')
        .map(|item| {
            let item = item.trim();
            let item = item
                .strip_prefix("and ")
                .or_else(|| item.strip_prefix("or "))
                .unwrap_or(item);
            format!("{} {}", lead.trim(), lowercase_first(item))
        })
        .filter(|item| item.len() > lead.len() + 3)
        .collect();
    (!items.is_empty()).then_some(items)
}

/// A lead that the items of a list complete: "We will", "The Government
/// will also", "We are committed to", "We pledge to".
pub fn is_list_lead(lead: &str) -> bool {
    let folded = fold_for_search(lead.trim());
    let last = folded.split_whitespace().last().unwrap_or_default();
    let words = folded.split_whitespace().count();
    words <= 12
        && matches!(last, "will" | "shall" | "also" | "to")
        && CUE.is_match(&format!("{folded} deliver"))
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        // "NHS" stays as written; "Recruit" becomes "recruit"
        Some(first) if chars.clone().next().is_some_and(char::is_lowercase) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text.to_string(),
    }
}

fn is_delivery_verb(verb: &str) -> bool {
    let verb = verb.trim_start_matches("not ");
    // "halving", "reducing": the gerund of a verb that ends in -e
    // (not "ensuring", "making", "securing": alone they promise nothing measurable)
    if let Some(stem) = verb.strip_suffix("ing")
        && stem.len() >= 3
        && !["ensur", "mak", "secur"].contains(&stem)
        && is_delivery_verb(&format!("{stem}e"))
    {
        return true;
    }
    const DELIVERY: &[&str] = &[
        "build",
        "give",
        "recruit",
        "deliver",
        "abolish",
        "end",
        "ban",
        "legislate",
        "introduce",
        "halve",
        "cut",
        "reduce",
        "increase",
        "raise",
        "create",
        "invest",
        "plant",
        "provide",
        "fund",
        "stop",
        "double",
        "extend",
        "hire",
        "train",
        "open",
        "expand",
        "eliminate",
        "scrap",
        "pass",
        "guarantee",
        "register",
        "digitise",
        "roll",
        "lower",
        "freeze",
        "protect",
        "maintain",
        "grow",
        "achieve",
        "hit",
        "meet",
        "employ",
        "establish",
        "launch",
        "reach",
        "treble",
        "triple",
        "lift",
        "close",
        "clear",
        "slash",
        "tackle",
        "fix",
        "restore",
        "replace",
        "upgrade",
        "connect",
        "ensure",
        "make",
        "outlaw",
        "legislation",
        "pay",
        "spend",
        "transform",
        "renew",
        "secure",
        "buy",
        "procure",
        "purchase",
        "deploy",
        "install",
        "recover",
        "complete",
        "modernise",
        "electrify",
        "resurface",
        "retrofit",
        "insulate",
        "cap",
        "offer",
        "distribute",
        "allocate",
        "award",
        "reopen",
        "rebuild",
        "refurbish",
        "repair",
        "remove",
    ];
    DELIVERY.iter().any(|delivery| verb.starts_with(delivery))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_commitment(sentence: &str) -> bool {
        !commitments_in_sentence(sentence, Some("2023-01-04")).is_empty()
    }

    #[test]
    fn forecasts_and_others_targets_are_not_promises() {
        for sentence in [
            "I have told them that if they do not do so, the government will bring forward legislation to make this a statutory requirement.",
            "Without intervention, demand for water in the south east will exceed supply by the mid-2030s, the Environment Agency warns.",
            "Electricity demand will rise by up to 50% by 2035 as heating is electrified, National Grid ESO projects.",
            "By 2040, the number of people aged 85 and over will have almost doubled, population projections show.",
            "The European Union has set a goal of reducing net emissions by at least 55% by 2030.",
            "The Irish Government has set a target of 80% of electricity from renewable sources by 2030.",
        ] {
            assert!(!is_commitment(sentence), "{sentence}");
        }
        assert!(is_commitment(
            "The government has set a target of 80% of electricity from renewable sources by 2030."
        ));
    }

    #[test]
    fn the_model_finds_a_dated_promise_in_words_no_rule_lists() {
        // a dev sentence of the gold set: "will be set up" is process to the
        // rules, a promise to the model (retraining may move it: pick another)
        let sentence = "A new Local Audit Office will be set up in shadow form by autumn 2026 to take charge of a local audit system that has all but collapsed.";
        assert!(by_rules(sentence, Some("2024-12-18")).is_empty());
        let found = commitments_in_sentence(sentence, Some("2024-12-18"));
        assert_eq!(found.len(), 1);
        let deadline = found[0].0.as_ref().expect("a deadline");
        assert_eq!(deadline.text, "by autumn 2026");
        // a date already past when it was written is no promise of the model's
        assert!(commitments_in_sentence(sentence, Some("2027-01-01")).is_empty());
    }

    #[test]
    fn official_forms_of_promise_beyond_we_will() {
        let found = |sentence: &str| commitments_in_sentence(sentence, Some("2025-03-01"));
        let deadline = |sentence: &str| {
            found(sentence)
                .first()
                .and_then(|(deadline, _)| deadline.as_ref().map(|d| d.date.clone()))
        };
        // "is to be" states an outcome, whatever the word after "be"
        assert_eq!(
            deadline("Every new boiler is to be hydrogen-ready from 2027.").as_deref(),
            Some("2027-12-31")
        );
        // a new offence is a change in the law
        assert!(
            !found("From 1 October 2025 it will be illegal to sell energy drinks to under-16s.")
                .is_empty()
        );
        assert!(found("It will be interesting to see the results.").is_empty());
        // "we have pledged that ..."
        assert_eq!(
            deadline("We have pledged that every secondary school will have a mental health team by 2027.")
                .as_deref(),
            Some("2027-12-31")
        );
        // a strategy that sets a goal
        assert_eq!(
            found("The Clean Air Strategy sets a target of halving exposure to fine particulates by 2030.")
                .len(),
            1
        );
        // a public body's aim with a level of service, not a scheme's purpose
        assert!(
            !found("The Environment Agency aims to inspect 95% of high-risk sites in 2025-26.")
                .is_empty()
        );
        assert!(
            found("The scheme aims to help families with the cost of childcare by 2026.")
                .is_empty()
        );
        // a condition on a later clause leaves the first standing
        assert!(
            !found("We will freeze fuel duty in 2025, and review it again when finances allow.")
                .is_empty()
        );
        assert!(
            found("We will freeze fuel duty when finances allow, and review it in 2026.")
                .is_empty()
        );
        // ending a named process is a change; publishing a review is not
        assert!(
            !found("We will abolish the Habitats Regulations Assessment for small sites in 2026.")
                .is_empty()
        );
        assert!(found("We will publish the review of the assessment by 2026.").is_empty());
        // a headline's plans; a list item changing the law
        assert!(!found("Plans to build 12 new towns by the end of this Parliament").is_empty());
        assert!(
            !found("• Ban conversion practices, and protect the right to free speech").is_empty()
        );
        assert!(found("• Check whether you are eligible").is_empty());
        // a subject is named by its head; a public body's measurable level
        assert!(
            !found("An additional 300 speech therapists will be recruited by 2027.").is_empty()
        );
        assert!(found("A speech on the economy will be given in March 2026.").is_empty());
        assert!(
            !found("The Insolvency Service will process 90% of claims within 20 days by 2026-27.")
                .is_empty()
        );
        assert!(!found("It is the Government's intention that every council will have a local plan by 2027.").is_empty());
        // a condition at the start, a committee's report of what it heard
        assert!(
            found(
                "Provided funding is agreed, the scheme will be extended to every region from 2027."
            )
            .is_empty()
        );
        assert!(
            found("The committee was pleased to hear that the new prison will open by 2027.")
                .is_empty()
        );
        // a forecast of failure is not a promise
        assert!(found("At the current rate the 10,000 homes promised by 2026 will not be reached before 2030.").is_empty());
        // a concession's date is not the promise's
        assert_eq!(
            deadline("Although the current scheme closes in March 2026, a successor scheme will open to 20,000 households by 2028.")
                .as_deref(),
            Some("2028-12-31")
        );
    }

    #[test]
    fn restated_commitments_counted_outcomes_and_conditions() {
        let found = |sentence: &str| commitments_in_sentence(sentence, Some("2025-06-01"));
        // "our commitment to ...", "our ambition to ..." restate a promise
        let restated =
            found("Our ambition to plant 30,000 hectares of woodland a year by 2028 is unchanged.");
        assert_eq!(restated.len(), 1);
        assert_eq!(
            restated[0].0.as_ref().map(|d| d.date.as_str()),
            Some("2028-12-31")
        );
        assert!(!found("The strategy sets out our commitment to net zero by 2050.").is_empty());
        // a count of something more made available, with no date
        assert!(
            !found("An additional 2,000 hospital beds will be made available this winter.")
                .is_empty()
        );
        // a level to bring something down to
        assert!(
            !found(
                "The Department for Transport will bring the driving test wait down to seven weeks."
            )
            .is_empty()
        );
        // a medical consultation is a service, not a public consultation
        assert!(
            !found("Every pharmacy will offer video consultation appointments by March 2026.")
                .is_empty()
        );
        assert!(found("We will publish a consultation on the scheme by March 2026.").is_empty());
        // promises on conditions
        assert!(
            found(
                "We will raise the personal allowance to £15,000 when the public finances allow."
            )
            .is_empty()
        );
        assert!(
            found("Subject to the outcome of talks with the devolved governments, we will abolish the levy by 2027.")
                .is_empty()
        );
        // "Q3" is a quarter, not a count
        let quarter = found("We will open the new service to all patients in Q2 2026.");
        assert_eq!(quarter[0].1, None);
    }

    #[test]
    fn headlines_funding_new_powers_and_requests() {
        let found = |sentence: &str| commitments_in_sentence(sentence, Some("2025-06-01"));
        // a headline's infinitive, when dated; not "how to" or a bare aim
        let headline = found("Plastic straws to be banned in England from April 2026");
        assert_eq!(headline.len(), 1);
        assert_eq!(
            headline[0].0.as_ref().map(|d| d.date.as_str()),
            Some("2026-04-30")
        );
        assert!(found("Hauliers to pay a new road user levy from 2027").len() == 1);
        assert!(found("How to apply for the grant by March 2026").is_empty());
        assert!(found("Pupils to learn more about money").is_empty());
        // funding in the present tense, or by a spending review
        assert!(!found("We are investing £2 billion to build 300 new bridges.").is_empty());
        assert!(
            !found("The Budget provides £600 million to fix potholes across the country.")
                .is_empty()
        );
        // a new power, a duty placed by a bill, a minister's instruction
        assert!(!found("Inspectors will be given new powers to close unsafe premises.").is_empty());
        assert!(
            !found("The Bill will require every water company to publish real-time spill data.")
                .is_empty()
        );
        assert!(
            !found("I have asked the Environment Agency to double its inspections.").is_empty()
        );
        // outcomes with no promiser named
        assert!(!found("From 1 January 2027, employers will no longer be allowed to use zero-hours contracts.").is_empty());
        assert!(!found("Every care leaver will receive a £2,000 grant this winter.").is_empty());
        assert!(!found("The company is set to build a new factory in Sunderland.").is_empty());
        assert!(found("Inflation is set to fall to 2% by the end of 2026.").is_empty());
    }

    #[test]
    fn verbless_items_public_bodies_and_hopes() {
        let found = |sentence: &str| commitments_in_sentence(sentence, Some("2025-06-01"));
        // a list item or headline with no verb: a count and a date to come
        let item = found("• Up to 120 new community diagnostic centres by 2028");
        assert_eq!(item.len(), 1);
        assert_eq!(item[0].1.as_ref().map(|t| t.text.as_str()), Some("120"));
        assert!(!found("Free bus travel for every apprentice from September 2026.").is_empty());
        // history, not a promise: the date has passed
        assert!(found("• 2,000 new places from April 2020").is_empty());
        // a public body named at the start, with a count or a date
        assert!(
            !found("Natural England will plant 5,000 hectares of new woodland by 2030.").is_empty()
        );
        assert!(
            found("The Environment Agency will continue to provide advice to farmers.").is_empty()
        );
        // a hope is not a promise
        assert!(found("We hope that every station will be step-free by 2030.").is_empty());
    }

    #[test]
    fn promises_inside_long_documents() {
        let found = |sentence: &str| commitments_in_sentence(sentence, Some("2025-06-01"));
        // a strategy commits us; a rule required; regulations in force
        assert!(
            !found("This white paper commits us to halving rough sleeping by 2029.").is_empty()
        );
        assert!(
            !found("We will require all new rented homes to meet the standard by 2030.").is_empty()
        );
        assert!(found("We will require further information from applicants.").is_empty());
        assert!(!found("The regulations will come into force on 1 April 2027.").is_empty());
        // a date before the promiser: a financial year, a start date
        let year = found("In 2026-27 we will provide £90 million to repair swimming pools.");
        assert_eq!(
            year[0].0.as_ref().map(|d| d.date.as_str()),
            Some("2027-03-31")
        );
        assert!(
            !found("From 1 April 2027, the government will remove VAT from school uniforms.")
                .is_empty()
        );
        // a concession's stance is not the promise's
        assert!(
            !found("While the wider programme has been re-phased, the first five schools will be rebuilt by 2028.")
                .is_empty()
        );
        // a public body after a leading clause; an OBR forecast is no promise
        assert!(
            !found(
                "As part of the plan, Network Rail will bring 40 new trains into service by 2027."
            )
            .is_empty()
        );
        assert!(
            found("On the OBR's forecast, receipts will reach £2 billion by 2029-30.").is_empty()
        );
    }

    #[test]
    fn set_goals_missions_and_what_is_not_a_promise() {
        let found = |sentence: &str| commitments_in_sentence(sentence, Some("2025-06-01"));
        // set goals, missions, "is to be"
        assert!(
            !found("The Government has set itself the goal of halving knife crime by 2035.")
                .is_empty()
        );
        assert!(
            !found("We are on a mission to lift 550,000 children out of poverty by 2029.")
                .is_empty()
        );
        assert!(!found("Ofwat is to be abolished by the end of 2027.").is_empty());
        assert!(
            !found("There will be no new licences to explore new oil and gas fields.").is_empty()
        );
        // not promises: a company's plan, proposals, an aspiration
        assert!(
            found("Nissan will build three new models from 2027, the company confirmed today.")
                .is_empty()
        );
        assert!(
            found("We will bring forward proposals to reform leasehold in the coming months.")
                .is_empty()
        );
        assert!(
            found("Our aim is to make the UK the best place in the world to grow old.").is_empty()
        );
    }

    #[test]
    fn plan_items_states_to_reach_and_party_pledges() {
        // a numbered plan item, dated or counted; not an undated one
        assert!(is_commitment(
            "3. Open 300 new school-based nurseries by September 2025;"
        ));
        assert!(!is_commitment("2. Open a conversation with the sector."));
        // a state to reach, counted or dated; not "have to" or "have more to say"
        assert!(is_commitment(
            "Our aim is to have 10,000 more apprentices in 2026-27."
        ));
        assert!(is_commitment(
            "By 2030, we will have gigabit coverage in every town."
        ));
        assert!(!is_commitment(
            "We will have to make difficult decisions by 2025."
        ));
        assert!(!is_commitment(
            "We will have more to say about this in 2025."
        ));
        // "keep" a policy is to maintain it; "keep under review" is process
        assert!(is_commitment(
            "We promise to keep the triple lock throughout this Parliament."
        ));
        assert!(!is_commitment("We will keep the threshold under review."));
        // parties promise in manifestos
        assert!(is_commitment("Labour will recruit 6,500 new teachers."));
    }

    #[test]
    fn promises_are_found() {
        assert!(is_commitment(
            "We will recruit 20,000 additional police officers by March 2023."
        ));
        assert!(is_commitment(
            "The government will abolish section 21 ‘no fault’ evictions."
        ));
        assert!(is_commitment(
            "We are committed to building 40 new hospitals by 2030."
        ));
        assert!(is_commitment(
            "Our ambition is for 75% of adults to be registered by March 2024."
        ));
        assert!(is_commitment("We’ll halve inflation this year."));
        assert!(is_commitment("We will not raise income tax."));
        assert!(is_commitment(
            "The first 6,000 officers will be in place by the end of March 2021."
        ));
        assert!(is_commitment(
            "We will work with the devolved administrations to increase tree planting to 30,000 hectares per year."
        ));
        assert!(is_commitment(
            "For adult social care, the aim is that 80% of registered providers use a digital social care record by March 2024."
        ));
    }

    #[test]
    fn process_and_reports_are_not_promises() {
        assert!(!is_commitment(
            "We will consider the Committee’s recommendations carefully."
        ));
        assert!(!is_commitment("We will continue to monitor progress."));
        assert!(!is_commitment("We will set out more detail in due course."));
        assert!(!is_commitment(
            "If elected, we would build more homes by 2030."
        ));
        assert!(!is_commitment(
            "Will the government meet its target by 2024?"
        ));
        assert!(!is_commitment("The NHS App has 30 million users."));
        assert!(!is_commitment("We have delivered 20,000 officers."));
        assert!(!is_commitment(
            "Each force will receive an allocation based on its share of the grant."
        ));
        assert!(!is_commitment("The report will be published in 2024."));
    }

    #[test]
    fn more_ways_of_promising() {
        for promise in [
            "The Department for Education will recruit 6,500 new teachers.",
            "My Ministers will bring forward legislation to strengthen the rights of renters.",
            "Legislation will be introduced to raise the age of sale for tobacco.",
            "We will continue to fund free school meals for every infant pupil.",
            "We will be investing £3.4 billion in the Warm Homes Plan.",
            "We're going to build 150 major infrastructure projects in this Parliament.",
            "Ministers have committed to ending the use of asylum hotels by the end of this Parliament.",
            "We intend to legislate to ensure that all rented homes meet the Decent Homes Standard by 2035.",
            "The Government is committed to halving knife crime within a decade.",
            "By 2030, we will have planted 30 million trees.",
            "By March 2027, the Government will have recruited 3,000 more neighbourhood officers.",
            "Every NHS trust will have an electronic patient record by March 2026.",
            "We have pledged £1 billion to tackle homelessness.",
            "Our target: 1.5 million homes by the end of this Parliament.",
        ] {
            assert!(is_commitment(promise), "{promise}");
        }
    }

    #[test]
    fn more_ways_of_not_promising() {
        for lookalike in [
            "We will extend the scheme to Scotland, if the Scottish Government agrees.",
            "The Committee recommends that the Department should set a target of 90% by 2030.",
            "The Government told the Committee that it will recruit 1,000 officers by March 2026.",
            "The scheme will close to new applicants on 31 March 2026.",
            "We will continue to make the case for free trade.",
            "We will complete our review of the planning framework by the summer.",
            "The results will be announced in spring 2026.",
            "The next general election will be held no later than January 2030.",
            "The Secretary of State shall lay a copy of the report before Parliament.",
            "Around twice as many miles of network will need to be built by 2030.",
            "The Minister will visit the new hospital in June 2025.",
            "The Department for Education will cost £110 billion in 2025-26.",
            "The National Audit Office concluded that the government will spend £4 billion by 2028.",
            "We are committed to ensuring that the NHS is there for everyone.",
        ] {
            assert!(!is_commitment(lookalike), "{lookalike}");
        }
    }

    #[test]
    fn an_inline_list_makes_one_commitment_per_item() {
        let found = commitments_in_sentence(
            "We will: recruit 8,500 additional mental health staff; open 85 community diagnostic centres; and double the number of scanners.",
            Some("2024-06-13"),
        );
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].1.as_ref().unwrap().value, 8500.0);
    }

    #[test]
    fn list_items_after_a_lead_paragraph_are_promises() {
        let paragraph = |anchor: &str, text: &str| crate::model::Paragraph {
            anchor: anchor.into(),
            headings: vec!["Our plan".into()],
            text: text.into(),
        };
        let document = Document {
            kind: "policy_paper".into(),
            publisher: "Department of Health and Social Care".into(),
            published: Some("2025-01-06".into()),
            paragraphs: vec![
                paragraph("p-1", "Over the next two years, we will:"),
                paragraph("p-2", "• deliver 4 million more appointments by March 2026"),
                paragraph("p-3", "• recruit 1,000 more GPs"),
                paragraph("p-4", "• consider the case for further reform"),
                paragraph("p-5", "The NHS has 1.5 million staff."),
            ],
            ..Document::default()
        };
        let found = find_in_document(0, &document);
        let quotes: Vec<&str> = found.iter().map(|f| f.sentence.as_str()).collect();
        assert_eq!(
            quotes,
            [
                "deliver 4 million more appointments by March 2026",
                "recruit 1,000 more GPs"
            ]
        );
        assert_eq!(found[0].deadline.as_ref().unwrap().date, "2026-03-31");
    }

    #[test]
    fn two_targets_make_two_commitments() {
        let found = commitments_in_sentence(
            "We have set a target of 68% of adults registered with the NHS App by March 2023 and 75% by March 2024.",
            Some("2019-01-07"),
        );
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0.as_ref().unwrap().date, "2023-03-31");
        assert_eq!(found[1].1.as_ref().unwrap().value, 75.0);
    }
}
