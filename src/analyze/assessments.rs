//! Assessments: statements about the delivery of a commitment, with their
//! stance, grade, figures and who makes them.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::commitments::is_independent;
use super::figures::find_figures;
use super::sentences;
use crate::extract::text::fold_for_search;
use crate::model::{Document, Figure, Grade, Stance};

#[derive(Debug, Clone)]
pub struct FoundAssessment {
    pub document: usize,
    /// Index of the paragraph in the document.
    pub paragraph: usize,
    /// The sentence (or rating row) that says it.
    pub quote: String,
    pub stance: Option<Stance>,
    pub grade: Option<Grade>,
    pub domain_grades: Vec<(String, Grade)>,
    pub figures: Vec<Figure>,
    pub independent: bool,
    /// The body that says it.
    pub assessor: String,
    /// The text that names what is assessed (a rating row's commitment).
    pub subject: Option<String>,
}

/// Stance patterns, tried in order: negated and hedged forms come before
/// the plain forms they contain.
static STANCES: LazyLock<Vec<(Stance, Regex)>> = LazyLock::new(|| {
    let table: &[(Stance, &str)] = &[
        // "has only partly honoured its commitment": the part, before the
        // "honoured its commitment" read next
        (
            Stance::PartlyMet,
            r"\b(?:only\ )?(?:partly|partially|in\ part)\ (?:kept|honoured|honored|fulfilled|met|delivered|implemented|achieved)\b|\bwatered[-\ ]down\b|\bas\ (?:promised|planned|pledged),?\ but\b|\b(?:delivered|introduced|included|brought\ in)\b[^.;]*\bbut\b[^.;]*\b(?:left\ out|omitted|not\ included)\b|\bmost\ [a-z\ ]{0,20}?,?\ but\ not\ all\b|\b(?:delivered|built|completed|met|achieved|opened)\ (?:only\ )?(?:the\ bulk|most|the\ majority|much)\ of\b|\b(?:introduced|delivered|opened|built|completed|implemented|launched)\b[^.;]*\bbut\b[^.;]*\b(?:still\ (?:has\ |have\ )?not|not\ yet|(?:has|have)\ (?:[a-z]+\ ){0,3}?not|yet\ to)\b",
        ),
        // "the pledge ... was kept when the rate was scrapped": kept is met,
        // whatever else the sentence says was scrapped
        (
            Stance::Met,
            r"\b(?:pledge|promise|commitment|target|manifesto\ commitment)\b[^.;]{0,60}\b(?:was|were|has\ been|have\ been|had\ been)\ (?:now\ )?(?:kept|honoured|honored|fulfilled|met\ in\ full)\b|\bfulfill?(?:ing|ed|s)?\ (?:the|its|our|their|this|that|a)\ (?:[a-z-]+\ ){0,2}(?:commitment|pledge|promise|manifesto)\b|\bmade\ good\ on\b|\bclear(?:ing|ed|s)?\ (?:the|its|their)\ (?:[a-z0-9%.-]+\ ){0,2}(?:bar|threshold)\b|\bhonou?ring\ (?:the|its|their|our)\ (?:[a-z-]+\ ){0,2}(?:commitment|pledge|promise)\b|\bcame\ good\b|\b(?:has|have)\ not\ been\ missed\b|\bstuck\ to\ (?:the\ letter\ of\ )?(?:the|its|their|our)\ (?:[a-z-]+\ ){0,2}(?:promise|pledge|commitment)\b|\bdone\ what\ (?:it|they|we|the\ government|ministers)\ (?:undertook|promised|pledged|committed)\b|\b(?:status|rating|delivery\ confidence|assessment)\s*:\s*(?:blue|complete)\b|\b(?:was|were)\ (?:all\ |finally\ |eventually\ )?(?:operating|operational|open|opened|completed|delivered|built|in\ place|in\ service)\b[^.;]*\b(?:behind\ schedule|late\b|later\ than)|\b(?:was|were|had\ been|has\ been|began|started|opened|launched|came|took)\b[^.;]*\b(?:exactly|precisely)\ as\ (?:planned|promised|scheduled|intended)\b|\b(?:was|were|had\ been|has\ been)\ (?:[a-z-]+\ ){0,2}?(?:available|in\ place|live|connected|finished)\b[^.;]*,\ as\ (?:[a-z'-]+\ ){0,5}?(?:had\ )?(?:promised|pledged|planned|scheduled)\b|\b(?:began|started|opened|launched|came\ into\ force|took\ effect|was\ introduced|were\ introduced|was\ delivered|were\ delivered|was\ completed)\b[^.;]*,\ as\ (?:[a-z'-]+\ ){0,5}?(?:had\ )?(?:promised|pledged|planned)\b|\b(?:was|were|has\ been|have\ been)\ (?:comfortably\ |easily\ )?(?:beaten|smashed)\b|\b(?:delivered|completed|opened|built|finished)\b[^.;]*\bon\ time\b|\bahead\ of\ (?:the\ )?(?:[a-z-]+\ )?deadline\b|\btick(?:ed|s)?\ off\b|\b(?:kept|honoured|honored)\ (?:our|its|their|the|this|his|her)\ (?:[a-z-]+\ ){0,2}(?:promise|pledge|commitment|word)\b|\b(?:was|were|has\ been|have\ been|had\ been)\ (?:now\ |fully\ |finally\ )?(?:fulfilled|honoured|honored)\b|\b(?:rates|rated|rate)\ [^.;]{0,80}?\bas\ ['‘’]?(?:achieved|met|kept|delivered|completed)\b|\b(?:opened|completed|delivered|introduced|launched|finished|came\ into\ force)\b[^.;]*\bagainst\ (?:a|an|the|its)\ (?:planned|original|scheduled|target)\ (?:opening|completion|date|start|launch|deadline)\b",
        ),
        // "delivered in full for two-year-olds but only patchily", "just shy
        // of", "three-quarters of the homes promised", "only half fulfilled"
        (
            Stance::PartlyMet,
            r"\b(?:met|achieved|delivered|implemented|completed)\b[^.;]*\bbut\ only\b|\bjust\ shy\ of\b|\bin\ all\ but\ (?:one|two|three|four|five|\d+)\b|\bon\ a\ smaller\ scale\ than\b|\bsmaller\ than\ (?:promised|planned|announced)\b|\b(?:narrowly|slightly|just)\ (?:undershot|missed|under-delivered)\b|\b(?:slightly|narrowly|just)\ (?:below|under)\ (?:the|its|our|their)\ (?:[a-z0-9,.%-]+\ ){0,3}(?:target|ambition|goal|standard)\b|\b(?:only\ )?half[-\ ](?:fulfilled|met|delivered|achieved|built|completed|kept)\b|\b(?:reached|achieved|hit|met|delivered|recruited)\ (?:only\ |just\ )?\d{1,2}(?:\.\d+)?%\ of\ (?:its|the|their|our)\ (?:[a-z0-9-]+\ ){0,2}(?:target|goal|ambition)\b|\b(?:largely|mostly|substantially|partly|partially)\ (?:but\ not\ (?:completely|fully|entirely|wholly)\ )?(?:kept|honoured|honored|fulfilled|implemented)\b|\bnot\ (?:completely|fully|entirely|wholly)\ kept\b|\b(?:met|hit|achieved|reached|exceeded|delivered)\ (?:its|the|their|our|this)\b[^.;]*\bbut\b[^.;]*\b(?:fell|falls|fallen|missed|failed)\b",
        ),
        // a promise dropped, whatever else the sentence says of it ("has
        // scrapped its target after accepting advice that it was out of reach")
        (
            Stance::Abandoned,
            r"\b(?:has|have|had)\ (?:now\ |formally\ |quietly\ |since\ )?(?:scrapped|abandoned|dropped|ditched|shelved|axed|withdrawn)\ (?:its|the|their|our|this|that)\ (?:[a-z-]+\ ){0,3}(?:pledges?|plans?|commitments?|targets?|promises?|policy|proposals?|scheme|programme|project)\b|\bpulled\ the\ plug\ on\b|\bended\ (?:its|their|the\ government's)\ (?:involvement|support|funding|participation)\ (?:in|for)\b|\bclosed\ (?:the|its|their)\ (?:[a-z.-]+\ ){0,3}(?:programme|scheme|project|fund)\b|\b(?:and\ then|then|later|subsequently)\ (?:replaced|scrapped|dropped|abandoned|withdrawn)\b|\b(?:the\ government|ministers|the\ department)\ (?:quietly\ |later\ |subsequently\ |then\ )?(?:dropped|scrapped|ditched|shelved|abandoned)\b|\b(?:bill|scheme|programme|plans?|proposals?)\ (?:was\ |were\ )?withdrawn\b|\b(?:was|were|has\ been)\ rejected\ (?:in|on|by|after)\b|\bbringing\ (?:the|its|their)\ [^.;]{0,40}?\ to\ an\ end\b|\b(?:announced|confirmed|decided|said|concluded)\ (?:that\ )?[^.;]{0,80}\bwould\ not\ (?:now\ )?(?:go\ ahead|proceed|be\ built)\b|\baxed\b",
        ),
        // a shortfall at the end: "had fallen a long way short of the 180,000"
        (
            Stance::NotMet,
            r"\b(?:had|has|have)\ fallen\ (?:a\ long\ way|well|far|a\ great\ deal|significantly)\ short\b|\bfell\ (?:a\ long\ way|a\ great\ deal)\ short\b|\bfell\ (?:well|far|a\ long\ way)\ below\b|\b(?:did\ not|didn't|failed\ to)\ materiali[sz]e\b|\bremains?\ stubbornly\ (?:above|below|high)\b|\b(?:was|were|has\ been|have\ been)\ (?:[a-z]+ly\ )?not\ (?:met|honoured|honored|kept|delivered|achieved|fulfilled)\b|\b(?:was|were|has\ been|have\ been)\ never\ (?:met|achieved|delivered|reached|hit)\b|\b(?:did\ not|didn't|has\ not|have\ not|never)\ come\ to\ pass\b|\bremains?\ (?:undelivered|unfulfilled|unimplemented|unbuilt)\b",
        ),
        // "we have now recruited the 3,000 extra officers we promised"
        (
            Stance::Met,
            r"^\s*(?:outcome|status|rating|progress)\s*:\s*(?:achieved|met|delivered|completed?)\b|\):\s*(?:achieved|met|exceeded)\b|\b(?:was|were|had\ been|has\ been)\ (?:[a-z]+\ ){0,2}?(?:in\ force|in\ place|introduced|delivered|completed|opened|launched|implemented),?\ as\ (?:planned|promised|scheduled|intended)\b|\b(?:exactly|fully|precisely)\ in\ line\ with\ (?:the\ |its\ |their\ |our\ )?(?:government's\ |department's\ )?(?:[a-z-]+\ )?(?:commitment|pledge|promise|target)\b|\b(?:(?:have|has)\ (?:now\ )?)?(?:recruited|built|delivered|opened|created|hired|trained|planted|completed|introduced)\ (?:the|all|every|our)\b[^.;]*\b(?:we|they|it|the\ government|ministers)\ (?:had\ )?(?:promised|pledged|committed)\b",
        ),
        // projections: "on current trends ... will miss", "if deployment
        // continues ... will comfortably exceed"
        (
            Stance::OffTrack,
            r"\b(?:will|would)\ (?:likely\ |probably\ |almost\ certainly\ )?miss\b|\bno\ longer\ expected\ to\ be\ (?:met|achieved|delivered|reached|hit)\b|\b(?:may|might|could)\ not\ be\ (?:[a-z]+\ ){0,3}?(?:met|achieved|delivered|reached|hit|ready|open|opened|complete|completed|finished|built|operational|running|in\ place)\b|\bfewer\ than\ (?:half|a\ third|a\ quarter)\ (?:of\ (?:them|these|those)\ )?(?:were|are|was|is)\ on\ (?:course|track|schedule)\b|\btracking\ (?:well\ |significantly\ |slightly\ )?below\b|\bbelow\ the\ (?:path|trajectory|pace|rate)\ (?:needed|required)\b|\bmoving\ (?:ever\ )?further\ away\b|\b(?:well\ |far\ |significantly\ )?below\ (?:the\ )?(?:plan|trajectory|profile)\b|\bcast(?:ing|s)?\ (?:serious\ )?doubt\ on\b|\b(?:considers?|thinks?|judges?|finds?|found|believes?)\ it\ (?:highly\ |very\ )?unlikely\ that\b|\bit\ is\ (?:highly\ |very\ )?unlikely\ that\b|\b(?:rag\ )?(?:status|rating|delivery\ confidence(?:\ assessment)?)\s*:\s*(?:red|amber/red|amber-red)\b|\brated\ (?:[a-z0-9'-]+\ ){0,5}?(?:as\ )?red\b|\bnowhere\ near\ (?:the\ )?(?:pace|rate|speed)\ (?:needed|required)\b|\bwill\ not\ be\ able\ to\ (?:keep\ to|meet|deliver|achieve|hit|reach)\b|\b(?:will\ not|won't)\ (?:get\ )?anywhere\ near\b|\bat\ (?:this|that|the\ current)\ rate\b[^.;]*\b(?:will\ not|won't|never)\b|\bcredible\ plans\ for\ only\b|\b(?:likely|expected|set|going)\ to\ be\ missed\b|\b(?:no|little)\ (?:realistic\ |real\ )?prospect\ of\b|\b(?:little|no|limited)\ confidence\ that\b|\bnot\ (?:convinced|persuaded|confident|satisfied|assured)\ (?:that\ )?[^.;]*\b(?:can|will|could|is\ able\ to|are\ able\ to)\b|\bout\ of\ reach\b|\b(?:painfully|too|very|so|far\ too|frustratingly)\ slow\b|\brisks?\ (?:missing|failing|falling\ short)\b|\bbehind\ where\b|\bon\ (?:course|track)\ to\ (?:miss|fall\ short|fail)\b|\brunning\ behind\b|\b(?:at\ the\ current\ rate|at\ current\ rates|on\ (?:current|present)\ trends)\b[^.;]*\b(?:would|will)\ take\ until\b|\b(?:numbers|sums|figures)\ (?:simply\ )?(?:do\ not|don't)\ add\ up\b|\b(?:fallen|fell)\ behind\b|\b(?:hard|difficult)\ to\ see\ how\b|\bnot\ (?:yet\ )?in\ sight\b|\bnowhere\ in\ sight\b|\breal\ risk\ that\b|\bunlikely\ to\ (?:be\ )?(?:complete|completed|finish|finished|open|opened|build|built|recruit|recruited|arrive|ready)\b",
        ),
        // "will now take place by October 2026 rather than 2023",
        // "rescheduled", "moved back by two years"
        (
            Stance::Delayed,
            r"\bnow\b[^.;]*\b(?:rather\ than|instead\ of)\ (?:in\ |by\ )?(?:[a-z]+\ )?(?:19|20)\d\d\b|\blater\ than\ the\ (?:(?:19|20)\d\d\ )?(?:date|deadline|timetable|target\ date)\b|\b(?:rescheduled|re-scheduled|rephased|re-phased|re-baselined|rebaselined|deferred)\b|\b(?:revised|moved|pushed\ back|put\ back)\ the\ (?:date\ (?:of|for)\ (?:the\ )?)?(?:handover|completion|delivery|opening|start|launch)\b|\blater\ than\ (?:we|the\ government|ministers|it|they|the\ department)\ (?:had\ )?(?:originally\ |first\ |previously\ )?(?:planned|promised|announced|said|intended)\b|\b(?:moved|set)\ back\b|\bkicked\ (?:into\ the\ long\ grass|the\ can)\b|\b(?:put|placed|kept)\ on\ hold\b|\bon\ hold\ pending\b|\bno\ earlier\ than\b|\bafter\ the\ date\ (?:first\ )?(?:given|promised|set)\b|\bextended\ from\b[^.;]*\bto\b|\brevised\ (?:completion\ |start\ |delivery\ |opening\ |target\ |launch\ )?dates?\b|\b(?:move|moved|moving|push|pushed|shift|shifted)\ (?:the\ )?(?:start|launch|date|deadline|introduction|opening|roll-?out)\b[^.;]*\bfrom\b[^.;]*\bto\b|\b(?:promised|planned|due|scheduled|meant)\ (?:for|in|by)\ (?:[a-z]+\ )?(?:19|20)\d\d\b[^.;]*\bnow\ (?:expected|due|forecast|scheduled|planned|set)\b",
        ),
        (
            Stance::Abandoned,
            r"\b(?:has|have|had)\ stopped\ work\b|\b(?:allowed\ to\ lapse|fallen\ by\ the\ wayside|(?:left|allowed)\ to\ wither)\b|\bnot\ (?:be\ )?tak(?:e|en|ing)\ forward\b|\bno\ longer\ (?:needed|required|necessary)\b|\b(?:concluded|decided|agreed)\ that\ [^.;]{0,80}?\bshould\ not\ (?:proceed|go\ ahead)\b|\b(?:board|body|unit|office|programme|scheme|fund|agency|taskforce)\ (?:had\ been\ |has\ been\ |was\ |were\ )?wound\ up\b|\b(?:halt|halted|stop|stopped)\ work\ on\b|\b(?:are|is)\ (?:scrapping|dropping|abandoning|ditching|shelving)\b|\bwill\ be\ (?:removed|dropped|withdrawn)\ from\b|\b(?:ended|terminated)\ the\ [^.;]{0,60}?\b(?:programme|project|contract|scheme)\b|\bmothballed\b|\bquietly\ shelved\b|\bpaused\ indefinitely\b|\bbinned\b|\b(?:deleted|removed|dropped|struck\ out)\ (?:it\ |them\ )?from\ (?:the|its|their|our)\ (?:[a-z-]+\ ){0,3}(?:plans?|programmes?|list|manifesto|strategy|bill|agenda|document|pipeline|register|priorities)\b|\b(?:was|were|has\ been|have\ been)\ reversed\b|\breversed\ (?:the|its|their)\ (?:[a-z-]+\ ){0,2}(?:pledge|decision|policy|commitment|plan)\b|\bwill\ not\ now\ be\ (?:implemented|introduced|built|delivered|taken\ forward|going\ ahead)\b|\bwill\ never\ be\ (?:built|delivered|implemented|introduced|completed)\b",
        ),
        (
            Stance::PartlyMet,
            r"\bonly\ [\d,.]+\ (?:of\ the|out\ of)\b|\bnot\ (?:yet\ )?(?:been\ )?(?:fully|entirely|wholly|completely)\ (?:met|achieved|delivered|implemented)\b|\b(?:largely|mostly|substantially)\ (?:met|achieved|delivered)\b|\bonly\ (?:partly|partially)\b|\bmost\ but\ not\ all\b|\bsome\ progress\b|\blimited\ progress\b",
        ),
        (
            Stance::OffTrack,
            r"\bat\ risk\ of\ (?:missing|not|failing)\b|\bwill\ (?:be\ missed|not\ be\ achieved|fall\ short)\b|\bfalling\ short\b|\b(?:significantly|well|far)\ behind\b|\bbehind\ (?:the\ |its\ |their\ |our\ )?(?:planned\ |agreed\ |expected\ |original\ )?(?:plan|target|trajectory|profile)\b|\b(?:a\ long|some|a\ considerable|a\ great)\ way\ (?:off|from|short)\b|\bslower\ than\ (?:planned|expected|needed|required)\b|\bnot\ on\ (?:target|schedule)\b|\bin\ (?:serious\ )?doubt\b|\bhighly\ unlikely\b|\bcannot\ be\ met\b|\bdoubtful\b|\bserious\ doubts?\b",
        ),
        (
            Stance::Delayed,
            r"\b(?:put|pushed)\ back\b|\bdelayed\ (?:until|to|by\ (?:a|one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen|several|some|many|at\ least|more\ than|over|almost|nearly|around|about|up\ to|\d))\b|\b(?:has\ been|was)\ paused\b|\bwill\ not\ (?:now\ )?(?:start|begin|open|run|operate|be\ (?:completed|complete|ready|operational|delivered|in\ place))\ (?:before|until)\b|\bnot\ (?:now\ )?(?:expected|due)\ (?:to\ (?:start|begin|open|be\ (?:completed|ready|delivered))\ )?(?:before|until)\b",
        ),
        (
            Stance::Abandoned,
            r"\b(?:dropped|ditched|scrapped|abandoned|shelved)\ (?:its|the|their|our|this|that|a)\ (?:[a-z-]+\ ){0,2}(?:pledges?|plans?|commitments?|targets?|promises?|policy|proposals?)\b|\bditched\b|\bu-turn\b|\bpaused\ indefinitely\b|\bwill\ not\ (?:now\ )?go\ ahead\b|\bno\ longer\ (?:be\ |being\ )?(?:pursued|going\ ahead|proceeding|planned|taken\ forward)\b",
        ),
        (
            Stance::NotMet,
            r"\bremains?\ unmet\b|\b(?:did|has)\ not\ happen\b|\bnot\ a\ single\b|\bnot\ (?:one|a\ single\ one)\ of\b|\binstead\ of\ the\ (?:promised|pledged|planned|targeted)\b|\b(?:was|were|has\ been|have\ been)\ (?:repeatedly\ |consistently\ )?breached\b|\bbreached\ (?:the|its|their)\ (?:[a-z-]+\ ){0,2}(?:cap|limit|target|standard|rule|pledge|commitment)\b|\bstill\ (?:has|have)\ not\b|\bwas\ not\ (?:achieved|delivered|reached|hit)\b|\bmissed\b",
        ),
        (
            Stance::OnTrack,
            r"\bon\ (?:target|schedule|programme)\b|\bahead\ of\ (?:the\ |its\ |our\ |their\ )?(?:planned\ |agreed\ |expected\ |delivery\ )?(?:plan|trajectory|profile)\b|\bkeeping\ pace\ with\ (?:the\ |its\ |their\ |our\ )?(?:plan|trajectory|timetable|schedule|target|pledge|promise|commitment|ambition)\b|\bprogressing\ as\ planned\b|\bin\ line\ with\ (?:the\ |its\ |their\ |our\ )?(?:baseline\ |agreed\ |published\ |planned\ )?(?:plan|trajectory|profile|schedule|timetable)\b|\b(?:meeting|keeping\ to)\ (?:our|the|its|their)\ (?:published\ |agreed\ |planned\ )?(?:trajectory|milestones|delivery\ plan)\b|\baccording\ to\ plan\b|\bwell\ placed\ to\b",
        ),
        (
            Stance::Met,
            r"\b(?:came|has\ come|comes)\ into\ force\b|\b(?:is|are)\ now\ in\ (?:force|effect|operation)\b|\bentered\ into\ force\b|\bwent\ live\b|\bis\ now\ in\ place\b|\b(?:met|delivered|achieved)\ in\ full\b|\b(?:has\ been|was|were|have\ been)\ reached\b|\btarget\ was\ hit\b",
        ),
        (
            Stance::Delayed,
            r"\blater\ than\ (?:originally\ |previously\ )?(?:planned|promised|scheduled|expected|intended|announced)\b|\bre-?planned\ for\b|\bbumped\ (?:to|into|back)\b|\b(?:days|weeks|months|years?)\ late\b|\bwill\ slip\b|\bslip(?:s|ped)?\ (?:to|into|back)\b|\b(?:pushed|moved)\ (?:back\ )?into\ (?:[a-z]+\ )?(?:19|20)\d\d\b|\bdeadline\ (?:has\ been|was|will\ be|is\ being)\ (?:moved|extended|pushed)\b",
        ),
        (
            Stance::Abandoned,
            r"\bdecided\ not\ to\ (?:proceed|go\ ahead|pursue|take\ forward)\b|\bnot\ (?:to\ )?(?:proceed|go\ ahead)\ with\b|\b(?:has\ been|have\ been|was|were)\ withdrawn\b",
        ),
        (
            Stance::NotMet,
            r"\b(?:unable|failed)\ to\ (?:meet|deliver|achieve|hit|reach|fulfil|bring|get|cut|reduce|halve|recruit|build|complete|open|introduce|implement|keep|honour|end|eliminate|clear)\b|\bfailed\ to\ provide\b|\b(?:the\ (?:department|government|ministry|programme|council|trust|agency|service|home\ office|treasury|nhs)|it|ministers)\ (?:has|have|had)\ (?:so\ far\ )?failed\ to\ [a-z]+|\b(?:rates|rated|rate)\ [^.;]{0,80}?\bas\ ['‘’]?(?:broken|not\ met|failed)\b|\b(?:well|far|substantially|significantly)\ (?:below|short\ of)\ (?:the|its|their|our|a)\b[^.;]{0,60}\b(?:target|goal|ambition|aim)\b|\bnone\ of\ the\b[^.;]*\b(?:has|have)\ (?:yet\ )?been\ (?:built|delivered|completed|opened|met|achieved|introduced)\b",
        ),
        (
            Stance::OffTrack,
            r"\bdoubts?\ (?:whether|that|if)\b|\bunachievable\b|\bunattainable\b|\bunrealistic\b|\bno\ closer\b|\brated\ red\b|\bno\ (?:realistic|credible|clear|workable)\ plan\b|\bnot\ (?:realistically\ )?achievable\b",
        ),
        (
            Stance::PartlyMet,
            r"\b(?:met|achieved|delivered)\b[^.;]*\bbut\ not\b",
        ),
        (
            Stance::OffTrack,
            r"\bnot\ (?:yet\ )?on\ (?:track|course)\b|\boff[\s-](?:track|course)\b|\bunlikely\ to\ (?:be\ )?(?:met|meet|achieve|achieved|deliver|delivered|hit|reach)|\bwill\ not\ be\ (?:met|achieved|delivered)|\bwon't\ be\ (?:met|achieved)|\bnot\ expected\ to\ (?:be\ )?(?:met|meet|achieve)|\b(?:does|do|did)\ not\ expect\ (?:[a-z]+\ ){0,3}to\ (?:be\ )?(?:met|meet|achieved?|hit|reached|delivered)\b|\b(?:is|are|remains?)\ (?:now\ )?at\ (?:serious\ |significant\ |high\ )?risk\b|\bbehind\ schedule\b|\bfalling\ behind\b|\b(?:has|have|had)\ stalled\b|\bprogress\ (?:has\ )?stalled\b|\bstalling\b|\bfar\ from\ (?:certain|clear)\b|\bis\ not\ clear\ (?:that|whether|how)\b",
        ),
        (
            Stance::PartlyMet,
            r"\bpartially\ (?:met|achieved|delivered|fulfilled)|\bpartly\ (?:met|achieved|delivered|fulfilled)|\bin\ part\b|\b(?:fell|falls|fallen|was|is|remains?)\ (?:just|slightly|narrowly)\ short\b|\bjust\ short\ of\b|\bmixed\ progress\b|\bsome\ but\ not\ all\b",
        ),
        (
            Stance::NotMet,
            r"\b(?:has|have|had|was|were|is|are)\ not\ (?:yet\ )?(?:been\ )?(?:met|achieved|delivered|fulfilled|kept|honoured|abolished|implemented|halved|exceeded|surpassed)\b|\bnot\ been\ (?:met|achieved|delivered)\b|\bwas\ missed\b|\bwere\ missed\b|\bmissed\ (?:the|its|their|this|our)\b|\bfailed\ to\ (?:meet|deliver|achieve|hit|reach|pass)\b|\bdid\ not\ (?:meet|achieve|deliver|hit|reach|become)\b|\bfell\ (?:well\ |far\ |significantly\ )?short\b|\bfell\ at\ (?:the\ )?dissolution\b|\bnot\ delivered\b|\bnever\ (?:materiali[sz]ed|appeared|happened|arrived|came\ about|emerged|got\ off\ the\ ground)\b|\b(?:never|did\ not|didn't)\ (?:come|came)\ close\b|\bat\ no\ point\b[^.;]*\bclose\ to\b|\bnowhere\ near\b|\bbreaking\ (?:a|the|its|our|their)\ (?:[a-z0-9-]+\ ){0,2}(?:pledge|promise|commitment)\b|\bbroke\ (?:a|the|its|our|their)\ (?:[a-z0-9-]+\ ){0,2}(?:pledge|promise|commitment)\b|\b(?:fallen|fell|falls)\ a\ long\ way\ short\b|\bnone\ of\ the\b[^.;]*\b(?:met|achieved|answered|reached|hit|delivered|completed|built|opened)\b|\bnot\ (?:yet\ )?(?:achieved|met|reached|hit)\b|\b(?:has|have)\ (?:still\ )?yet\ to\ (?:be\ )?[a-z]+|\bno\ longer\ (?:be\ )?(?:met|achievable)\b|\bbroken\b",
        ),
        (
            Stance::Abandoned,
            r"\b(?:was|were|has\ been|have\ been|had\ been|is\ being)\ (?:formally\ |quietly\ |effectively\ |now\ )?(?:abandoned|cancelled|canceled|scrapped|dropped|shelved)\b|\b(?:cancellation\ of|scrapping\ of)\b|\b(?:cancelled|canceled|scrapped|abandoned)\ (?:the|its|their|our|his|her|this|that|these|those|a|an|any|all|plans?|in|after|when|last|earlier|altogether|outright|entirely)\b|\b(?:cancelled|canceled|scrapped|abandoned)\s*[.;,]|\bwill\ (?:now\ )?no\ longer\ (?:go\ ahead|proceed|be\ built)\b|\b(?:will|shall)\ not\ now\ (?:be\ )?[a-z]+\b",
        ),
        (
            Stance::Delayed,
            r"\b(?:has\ been|have\ been|was|were|is|are)\ (?:further\ )?(?:delayed|postponed|pushed\ back|deferred)\b|\bslipped\b",
        ),
        (
            Stance::Met,
            r"\b(?:has|have|had|was|were)\ (?:now\ |therefore\ |thus\ |duly\ |already\ |comfortably\ |easily\ )?(?:been\ )?(?:more\ than\ )?(?:met|achieved|delivered|fulfilled|kept|honoured|completed|finished|abolished|implemented|halved|exceeded|surpassed|hit)\b|\b(?:met|achieved|exceeded|hit|surpassed|reached)\ (?:the|its|our|their|this|that)\ (?:[a-z]+\ ){0,3}(?:target|commitment|pledge|ambition|goal|promise|manifesto)\b|\bdelivered\ (?:on\ )?(?:the|its|our|their|this|that)\ (?:[a-z]+\ ){0,3}(?:commitment|pledge|promise|target|manifesto)\b|\breceived\ royal\ assent\b|\bbecame\ law\b|\bis\ now\ law\b|\b(?:target|commitment|pledge)\ (?:was|has\ been|had\ been)\ (?:met|achieved|delivered)\b|\bahead\ of\ (?:schedule|target)\b|\bearly\b.*\b(?:met|achieved)\b|\b(?:exceed|exceeded|exceeding|surpassed|surpassing|beating|beat)\ (?:the\ |its\ |our\ |their\ )?(?:[a-z-]+\ )?(?:£?\d|target|ambition|goal|commitment|pledge)|\b(?:achieved|met|delivered|fulfilled)\ (?:all|every|each)\b",
        ),
        (
            Stance::OnTrack,
            r"\bon\ (?:track|course)\b|\bgood\ progress\b|\bprogressing\ well\b|\bremains?\ achievable\b|\bachievable\b",
        ),
    ];
    compile_table(table)
});

/// A table of stances and their (verbose, ASCII-bounded) patterns, compiled.
fn compile_table(table: &[(Stance, &str)]) -> Vec<(Stance, Regex)> {
    table
        .iter()
        .map(|(stance, pattern)| {
            (
                *stance,
                Regex::new(&format!("(?x){}", super::ascii_boundaries(pattern)))
                    .expect("stance pattern"),
            )
        })
        .collect()
}

/// The stance patterns as one set: one pass says which patterns hold, and
/// only those are searched again for their position.
static STANCE_SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(STANCES.iter().map(|(_, pattern)| pattern.as_str())).expect("stance set")
});

/// Words that turn a "met" into a hope, a plan or a condition.
static HEDGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(r"\b(?:will|would|could|should|may|might|must|if|whether|unless|aims?\ to|expects?\ to|intends?\ to|in\ order\ to|to\ be\ met|can\ be)\b"))
        .expect("hedge pattern")
});

/// "May 2022", "5 May": the month, not the hedge.
static MONTH_MAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(
        r"\b(?:\d{1,2}\ )?may\ (?:\d{1,2}\ )?(?:19|20)\d\d\b|\b\d{1,2}\ may\b",
    ))
    .expect("month May pattern")
});

fn hedged(text: &str) -> bool {
    HEDGE.is_match(&MONTH_MAY.replace_all(text, " "))
}

/// Reported speech: an independent report quoting the government's own claim.
static REPORTED_GOVERNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(r"\b(?:the\ government|the\ department|ministers?|dhsc|the\ secretary\ of\ state)\ (?:told\ us|has\ told\ us|says|said|claims|claimed|states|stated|maintains|maintained|argues|argued|asserts|asserted|reports|reported|insists|insisted)\b|\baccording\ to\ the\ (?:government|department)\b"))
        .expect("reported speech pattern")
});

/// Splits a sentence at clause boundaries so that "the 68% target was met
/// and we are on track for 75%" gives two stances.
fn clauses(sentence: &str) -> Vec<&str> {
    let mut parts = vec![sentence];
    for separator in [
        "; ",
        ", but ",
        " but ",
        ", while ",
        " while ",
        ", and ",
        " whereas ",
        ", although ",
        " although ",
    ] {
        parts = parts
            .into_iter()
            .flat_map(|part| {
                let pieces: Vec<&str> = part.split(separator).collect();
                // keep the sentence whole unless each piece says something
                if pieces.len() > 1
                    && pieces
                        .iter()
                        .all(|piece| piece.split_whitespace().count() >= 4)
                {
                    pieces
                } else {
                    vec![part]
                }
            })
            .collect();
    }
    parts
}

/// The stance a clause takes, if any.
/// Rejections turn a finding round: "we do not accept the Committee's
/// conclusion that the programme is off track", "there is no evidence that
/// the milestone is at risk".
static INVERSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(r"\b(?:do|does|did)\ not\ accept\b|\breject(?:s|ed)?\b|\bdisagree(?:s|d)?\ with\b|\b(?:do|does|did)\ not\ agree\b|\bno\ evidence\ that\b|\bnot\ the\ case\ that\b|\bwrong\ to\ (?:suggest|say|claim)\b|\bnot\ true\ that\b|\b(?:do|does|did)\ not\ recognise\b|\bnothing\ to\ suggest\ that\b"))
        .expect("inversion pattern")
});

static PAST_NEGATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(
        r"\b(?:was|were|has\ been|have\ been|had\ been)\ not\b|\b(?:was|were)n't\b",
    ))
    .expect("past negation pattern")
});

static NEGATED_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(
        r"\b(?:not|never)\ (?:yet\ )?(?:been\ )?(?:formally\ |officially\ )?$",
    ))
    .expect("negation pattern")
});

fn invert(stance: Stance) -> Stance {
    match stance {
        Stance::Met => Stance::NotMet,
        Stance::OnTrack => Stance::OffTrack,
        Stance::PartlyMet => Stance::NotMet,
        Stance::NotMet | Stance::OffTrack | Stance::Delayed | Stance::Abandoned => Stance::OnTrack,
    }
}

/// How a clause says a promise fared: by its phrases ([`stance_of_phrases`]),
/// or else by the words it leans on ([`leaning`]).
pub fn stance_of(clause: &str) -> Option<Stance> {
    // "has the government delivered its pledge ...?" asks
    if clause.trim_end().ends_with('?') {
        return None;
    }
    let folded = fold_for_search(clause);
    stance_of_folded(&folded).or_else(|| {
        // (not in a sentence whose words make a promise: its "will
        // complete every one of" promises; the rules' word, since the
        // learned model defers to these leanings)
        leaning(&folded).filter(|_| super::commitments::by_rules(clause, None).is_empty())
    })
}

/// The words that lean one way when no phrase says how a promise fared,
/// in order of precedence. New reports word their findings in ways no
/// phrase list foresees ("came to fruition", "was given up in May",
/// "long after the 2030 date once promised"); these are the single words
/// and short turns such findings are built from.
static LEANINGS: LazyLock<Vec<(Stance, Regex)>> = LazyLock::new(|| {
    let table: &[(Stance, &str)] = &[
        (
            Stance::Abandoned,
            r"\b(?:gave|given|giving)\ up\b|\blet\ go\ of\b|\bwalked\ away\ from\b|\b(?:tear|tore|torn|tearing)\ up\b|\bis\ dead\b|\blapsed\b|\b(?:has\ been|have\ been|was|were)\ (?:pulled|closed|wound\ up|dropped|shelved|axed|ditched)\b|\bended\ (?:its|their|our|the)\ (?:involvement|support|funding|backing)\b|\bno\ plans?\ to\b",
        ),
        (
            Stance::NotMet,
            r"\bun(?:met|fulfilled|realised|realized|delivered|achieved)\b|\bnever\ (?:realised|realized|delivered|achieved|materialised|materialized|reached|came)\b|\bcame\ and\ went\b|\bstill\ (?:awaited|outstanding|missing)\b|\bfailed\ in\b|\bfinal\ (?:count|figure|total|tally)\ (?:was|came\ to|stood\ at)\b|\bbarely\ (?:more\ than\ )?half\b|\bagainst\ a\ (?:promise|pledge|target|goal)\ of\b",
        ),
        (
            Stance::Delayed,
            r"\blater\ than\b|\b(?:after|beyond)\ the\ (?:original|promised|planned|agreed|target|committed)?\ ?(?:date|deadline)\b|\blong\ after\b|\bnow\ (?:expected|due|scheduled|planned|forecast|set|likely)\b|\bnow\ (?:follow|come|arrive|open|start)\b|\boverrun\b|\bnot\ (?:be\ )?(?:handed\ over|completed|finished|ready|open|opened|delivered|built)\ until\b|\bmoved\ the\ [^.;]{0,60}?\bto\ (?:(?:early|late|spring|summer|autumn|winter)\ )?(?:19|20)\d\d\b|\b(?:months|years?|weeks)\ (?:after|beyond)\b",
        ),
        (
            Stance::OffTrack,
            r"\bdrift(?:ing|ed|s)?\b|\bwrong\ direction\b|\bimprobable\b|\bcannot\ be\ (?:achieved|met|reached|delivered|hit)\b|\bwill\ not\ be\ (?:reached|achieved|met|delivered|hit)\b|\bslippage\b|\bhalf\ the\ size\b|\bno\ (?:credible\ |clear\ )?route\b|\b(?:too|very)\ slow(?:ly)?\b|\blag(?:s|ging|ged)\b",
        ),
        (
            Stance::PartlyMet,
            r"\bthe\ bulk\ of\b|\bmost\ of\ (?:the|its|their)\b|\blargely\ on\ paper\b|\bcarrying\ the\ rest\b|\bshortfall\ of\b|\bthe\ rest\ (?:is|are|remain)\b",
        ),
        (
            Stance::OnTrack,
            r"\bwithin\ (?:sight|reach)\b|\bwithin\ (?:the|its|their)\ (?:[a-z-]+\ ){0,2}(?:timetable|schedule|budget|deadline)\b|\binside\ (?:its|the|their)\ (?:[a-z0-9-]+\ ){0,3}deadline\b|\bwell\ before\ the\b|\bconsistent\ with\b|\bon\ course\b|\bon\ pace\b",
        ),
        (
            Stance::Met,
            r"\bcame\ to\ fruition\b|\bduly\b|\boutstrip(?:ped|ping|s)?\b|\bin\ full\b|\bevery\ one\ of\b|\bachievement\ of\ the\b|\bexactly\ as\b|\bswitched\ on\b|\b(?:repaired|built|opened|delivered|recruited|completed|installed|answered|processed)\ (?:every|all)\b|\b(?:reached|exceeded|surpassed)\b",
        ),
        // last, and not when judging whether a sentence promises: "we
        // will scrap the two-child limit" promises
        (
            Stance::Abandoned,
            r"\b(?:abandon|scrap|shelve|ditch)(?:s|ped|ed|ping|ing)?\b",
        ),
    ];
    compile_table(table)
});

/// The leanings as one set: most sentences hold none, and one pass says so.
static LEANING_SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(LEANINGS.iter().map(|(_, pattern)| pattern.as_str())).expect("leaning set")
});

/// Words that show a sentence is about a promise and what became of it.
static PROMISE_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(
        r"\b(?:promis\w*|pledg\w*|targets?|goals?|ambitions?|commitments?|committed|deadlines?|milestones?|programmes?|plans?|standard|aims?|we\ told|manifesto|timetable|trajectory|dates?|originally|due\ (?:to\ (?:finish|open|complete|be)|by|in))\b",
    ))
    .expect("promise context pattern")
});

/// The stance a clause's (folded) words lean to when no phrase decided:
/// only in a sentence about a promise, and not for a word negated just
/// before it.
pub fn leaning(folded: &str) -> Option<Stance> {
    leaning_among(folded, LEANINGS.len())
}

/// [`leaning`] without the bare verbs of dropping ("scrap", "abandon"),
/// which a promise to end something uses too.
pub fn leaning_strictly(folded: &str) -> Option<Stance> {
    leaning_among(folded, LEANINGS.len() - 1)
}

fn leaning_among(folded: &str, entries: usize) -> Option<Stance> {
    // a question, a condition or a promise of a failure is no finding
    if !PROMISE_CONTEXT.is_match(folded)
        || folded.contains('?')
        || [" if ", " unless ", " whether "]
            .iter()
            .any(|word| folded.contains(word) || folded.starts_with(word.trim_start()))
    {
        return None;
    }
    let held = LEANING_SET.matches(folded);
    if !held.matched_any() {
        return None;
    }
    let mut found = held
        .iter()
        .filter(|index| *index < entries)
        .filter_map(|index| {
            let (stance, pattern) = &LEANINGS[index];
            let at = pattern.find(folded)?;
            // "not", "never" negate the word; "to be reached", "will be
            // reached by" are still to come (but "voted to tear up" is done)
            let before: Vec<&str> = folded[..at.start()]
                .split_whitespace()
                .rev()
                .take(3)
                .collect();
            (!before.iter().any(|word| {
                matches!(
                    *word,
                    "not"
                        | "never"
                        | "no"
                        | "nothing"
                        | "without"
                        | "be"
                        | "would"
                        | "could"
                        | "might"
                )
            }))
            .then_some(*stance)
        });
    let stance = found.next()?;
    // "eighteen months after the promised date, the last one opened,
    // completing the programme in full": late but done is met
    Some(
        if stance == Stance::Delayed && found.any(|other| other == Stance::Met) {
            Stance::Met
        } else {
            stance
        },
    )
}

/// How a clause says a promise fared, by the phrases reports use.
pub fn stance_of_phrases(clause: &str) -> Option<Stance> {
    stance_of_folded(&fold_for_search(clause))
}

/// [`stance_of_phrases`] on text already folded.
pub fn stance_of_folded(folded: &str) -> Option<Stance> {
    // what is rejected runs to the end of its clause: "we do not accept that
    // it is off track; recruitment is ahead of the profile" rejects "off track"
    if let Some(trigger) = INVERSION.find(folded) {
        // (or to a colon: "we do not accept that the pledge was broken: 92
        // of the 100 masts were switched on" says what holds instead)
        let rejected_clause = folded[trigger.end()..]
            .split([';', ':'])
            .next()
            .unwrap_or_default();
        let Some(rejected) = plain_stance(rejected_clause) else {
            return plain_stance(folded);
        };
        // what the rejection says instead, when it says it: "we do not accept
        // that it has been abandoned; it has been re-phased ..." is delayed
        // (but milestones "reached" so far answer "fallen behind" with on track)
        let instead = &folded[trigger.end() + rejected_clause.len()..];
        match plain_stance(instead) {
            Some(Stance::Met) if rejected == Stance::NotMet => return Some(Stance::Met),
            Some(stance) if stance != Stance::Met => return Some(stance),
            _ => {}
        }
        // "wrong to suggest that the commitment was not honoured": a finding
        // about the past turned round is met, not merely on track
        let rejected_past = rejected == Stance::NotMet && PAST_NEGATION.is_match(rejected_clause);
        return Some(if rejected_past {
            Stance::Met
        } else {
            invert(rejected)
        });
    }
    plain_stance(folded)
}

/// "is expected to be met", "is set to be achieved": a forecast that it
/// will be met, which is on track (and not a hedged "met").
static EXPECTED_TO_BE_MET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(r"\b(?:is|are|remains?|was|were)\ (?:still\ |now\ |widely\ )?(?:expected|forecast|projected|set)\ to\ be\ (?:met|achieved|delivered|reached|hit|exceeded)\b|\bexpects?\ (?:the\ |its\ |their\ |our\ )(?:[a-z0-9'-]+\ ){0,4}?to\ be\ (?:met|achieved|delivered|reached|hit|exceeded)\b"))
        .expect("forecast pattern")
});

/// Progress said to be on its way, in words that would otherwise read as
/// a hope ("if deployment continues at its 2025 pace, ... will comfortably
/// exceed its 2030 ambition") or as a partial result ("well on the way").
static PROJECTED_ON_TRACK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!("(?x){}", super::ascii_boundaries(r"\b(?:on\ (?:current|present)\ trends|at\ (?:its|the|this|their)\ (?:current\ |present\ |\d{4}\ )?(?:pace|rate)|if\ [a-z\ ]{0,40}continues?)\b[^.;]*\bwill\ (?:comfortably\ |easily\ |still\ )?(?:exceed|beat|surpass|meet|hit|achieve|reach|be\ (?:met|achieved|exceeded|reached|hit))\b|\bwell\ on\ the\ way\ to\b|\bon\ the\ way\ to\ (?:delivering|meeting|achieving|reaching)\b|\b(?:is|are|appears?|seems?|looks?)\ (?:to\ be\ )?(?:set|poised|well\ placed)\ to\ (?:deliver|meet|achieve|hit|reach|exceed)\b|\b(?:progressing|running|proceeding)\ (?:exactly\ |broadly\ |fully\ )?(?:to|on|according\ to)\ (?:schedule|plan|time|timetable|programme)\b|\b(?:status|rating|delivery\ confidence|assessment)\s*:\s*green\b|\b(?:hit|met|achieved|delivered)\ (?:every|all|each)\ (?:of\ its\ )?(?:interim|intermediate)\ (?:milestones?|targets?)\b|\b(?:rating|rated)\ (?:[a-z0-9-]+\ ){0,5}?(?:as\ )?green\b|\bno\ reason\ (?:why|to\ think|to\ believe)\b[^.;]*\bnot\ be\ (?:met|achieved|delivered|reached)\b|\bahead\ of\ where\b|\b(?:remain|remains|are|is)\ confident\ (?:of|that)\b|\bwithin\ touching\ distance\b|\bremains?\ (?:achievable|attainable|within\ reach)\b|\b(?:running|is|are|remains?)\ (?:comfortably\ |well\ |slightly\ )?ahead\ of\ (?:the\ )?(?:pace|rate|trajectory)\ (?:needed|required)\b|\bheading\ in\ the\ right\ direction\b|\bgoing\ (?:to|according\ to)\ plan\b|\b(?:looks?|appears?|seems?)\ set\ to\ (?:pass|beat|surpass|exceed|meet|hit|reach)\b")))
        .expect("projection pattern")
});

/// "23 of the 38 measures", "two of their three objectives",
/// "three-quarters of the 300,000 homes promised".
static SHARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?x)
        (?:\b|£)(?P<part>\d[\d,.]*(?:\ (?:million|billion|thousand))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)
        \ (?:out\ )?of\ (?:the\ |its\ |their\ |our\ |all\ |(?:[a-z]+\ ){0,2}[a-z]+'s\ )?£?(?P<whole>\d[\d,.]*(?:\ (?:million|billion|thousand))?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b
        | ^\s*of\ the\ (?P<whole2>\d[\d,.]*(?:\ (?:million|billion|thousand))?)\b[^.;]*?,\ (?:[a-z]+\ ){0,4}?(?:around\ |about\ |some\ |only\ |just\ |roughly\ |nearly\ |almost\ )?(?P<part2>\d[\d,.]*(?:\ (?:million|billion|thousand))?)\b
        | \b(?P<pct>\d+(?:\.\d+)?)%\ of\ the\ way\ (?:to|towards)\b
        | \b(?P<inpart>one|two|three|four|five|six|seven|eight|nine)\ in\ (?P<inwhole>two|three|four|five|six|seven|eight|nine|ten)\ of\ (?:the|its|their|our)\b
        | \b(?P<fraction>half|a\ third|one\ third|two[-\ ]thirds|three[-\ ]quarters|a\ quarter|one\ quarter|four[-\ ]fifths)\ of\ (?:the|what|its|their|our)\b")
        .expect("share pattern")
});

/// Words saying the share counts delivery, not something else.
static DELIVERY_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(r"\b(?:delivered|implemented|completed|built|opened|open|recruited|achieved|met|adopted|introduced|in\ post|in\ place|promised|deadline|planned|pledged|targets?|objectives|milestones?|commitments|(?:designed|intended|meant|supposed)\ to)\b"))
        .expect("delivery words pattern")
});

/// A count as written: "3,200", "1.2 million", "two", "71%".
fn amount(text: &str) -> Option<f64> {
    let words = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    if let Some(value) = words.iter().position(|word| *word == text) {
        return Some(value as f64);
    }
    let text = text.trim().trim_end_matches('%');
    let (number, scale) = if let Some((number, word)) = text.split_once(' ') {
        match word {
            "million" => (number, 1e6),
            "billion" => (number, 1e9),
            "thousand" => (number, 1e3),
            _ => return None,
        }
    } else if let Some(number) = text.strip_suffix("bn") {
        (number, 1e9)
    } else if let Some(number) = text.strip_suffix('m') {
        (number, 1e6)
    } else {
        (text, 1.0)
    };
    let value: f64 = number.replace(',', "").trim_end_matches('.').parse().ok()?;
    Some(value * scale)
}

/// "3,200 places had been created, against the 2,500 committed",
/// "at 338,000 against the 350,000 Ministers had set": the result over the
/// target, the nearest figure before "against" over the first after it.
static AGAINST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?x)
        (?P<result>\d[\d,.]*(?:\ (?:million|billion|thousand)|bn|m|%)?)[^.;\d]{0,100}?
        \b(?:against|short\ of)\ (?:the\ |a\ |an\ |its\ |their\ |our\ )?(?:target\ of\ |goal\ of\ |ambition\ of\ |planned\ |promised\ |pledged\ |expected\ )?
        (?P<target>\d[\d,.]*(?:\ (?:million|billion|thousand)|bn|m|%)?)")
        .expect("against pattern")
});

fn result_against_target(folded: &str) -> Option<f64> {
    // years between the result and the target ("62% by 2025, still short
    // of the 65%") are dates, not the figures compared
    let without_years = YEAR.replace_all(folded, " ");
    let found = AGAINST.captures(&without_years)?;
    let (result, target) = (
        found.name("result")?.as_str(),
        found.name("target")?.as_str(),
    );
    // a share against a count, or a year, compares nothing
    if result.ends_with('%') != target.ends_with('%')
        || [result, target]
            .iter()
            .any(|n| n.len() == 4 && (n.starts_with("19") || n.starts_with("20")))
    {
        return None;
    }
    let (result, target) = (amount(result)?, amount(target)?);
    (target > 0.0).then_some(result / target)
}

static YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(
        r"\b(?:19|20)\d\d(?:[-/](?:19|20)?\d\d)?\b",
    ))
    .expect("year pattern")
});

/// Words saying a count is progress part-way, not the final result.
static PART_WAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(r"\b(?:so\ far|to\ date|already|halfway|half-way|(?:months|years|weeks)\ in\b|(?:months|years)\ into|\ gone\b|elapsed)"))
        .expect("part-way pattern")
});

/// What share of a promise a clause says was delivered, when it says so.
fn share_delivered(folded: &str) -> Option<f64> {
    if !DELIVERY_WORDS.is_match(folded) {
        return None;
    }
    let found = SHARE.captures(folded)?;
    // "the target for a quarter of the fleet to be ...": what was promised
    let before = folded[..found.get(0)?.start()].trim_end();
    // "every one of the 160 centres": all of them; "not one of": none
    if before.ends_with("every") || before.ends_with("not") {
        return None;
    }
    if [
        "target for",
        "target of",
        "ambition for",
        "aim for",
        "goal of",
        "pledge for",
    ]
    .iter()
    .any(|words| before.ends_with(words))
    {
        return None;
    }
    if let Some(percent) = found.name("pct") {
        return percent.as_str().parse::<f64>().ok().map(|p| p / 100.0);
    }
    if let Some(fraction) = found.name("fraction") {
        let text = fraction.as_str().replace('-', " ");
        return Some(match text.as_str() {
            "half" => 0.5,
            "a third" | "one third" => 1.0 / 3.0,
            "two thirds" => 2.0 / 3.0,
            "three quarters" => 0.75,
            "four fifths" => 0.8,
            _ => 0.25,
        });
    }
    let part = amount(
        found
            .name("part")
            .or(found.name("part2"))
            .or(found.name("inpart"))?
            .as_str(),
    )?;
    let whole = amount(
        found
            .name("whole")
            .or(found.name("whole2"))
            .or(found.name("inwhole"))?
            .as_str(),
    )?;
    (whole > 0.0 && part <= whole).then_some(part / whole)
}

/// A date moved: "the target date has been reset from March 2024 to March 2026".
static DATE_MOVED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(r"\b(?:reset|moved|pushed\ back|put\ back|changed|revised|shifted)\ from\ (?:[a-z0-9]+\ ){0,2}?(?P<from>(?:19|20)\d\d)\b[^.;]{0,12}?\bto\ (?:[a-z0-9]+\ ){0,2}?(?P<to>(?:19|20)\d\d)\b|\b(?:previously|originally)\ (?:planned|due|scheduled|expected|promised)\ (?:for|in|by)\ (?:[a-z0-9]+\ ){0,2}?(?P<from2>(?:19|20)\d\d)\b[^.;]*?\b(?:moved|pushed\ back|put\ back|postponed|delayed|rescheduled|shifted)\ (?:back\ )?(?:to|until|into)\ (?:[a-z0-9]+\ ){0,2}?(?P<to2>(?:19|20)\d\d)\b|\b(?:in|by|from|until)\ (?:[a-z]+\ ){0,2}?(?P<to3>(?:19|20)\d\d)\ (?:rather\ than|instead\ of)\ (?:in\ |by\ |from\ )?(?:[a-z]+\ ){0,2}?(?P<from3>(?:19|20)\d\d)\b"))
        .expect("date moved pattern")
});

/// Whether a clause moves a date to a later year (not "brought forward").
fn moved_later(folded: &str) -> bool {
    DATE_MOVED.captures(folded).is_some_and(|found| {
        let year = |names: [&str; 3]| {
            names
                .iter()
                .find_map(|name| found.name(name))
                .and_then(|m| m.as_str().parse::<u16>().ok())
        };
        matches!(
            (year(["from", "from2", "from3"]), year(["to", "to2", "to3"])),
            (Some(from), Some(to)) if to > from
        )
    })
}

fn plain_stance(folded: &str) -> Option<Stance> {
    if EXPECTED_TO_BE_MET.is_match(folded) || PROJECTED_ON_TRACK.is_match(folded) {
        return Some(Stance::OnTrack);
    }
    let found = first_stance(folded, None);
    if found.is_none() && moved_later(folded) {
        return Some(Stance::Delayed);
    }
    // a share of the promise delivered: "ahead of schedule, with 640 of the
    // 1,000 already in post" is on track; "23 of the 38 measures had been
    // implemented" is partly met. Words for being on or off track, delayed
    // or dropped say more than the count does.
    if matches!(found, None | Some(Stance::Met | Stance::NotMet))
        && let Some(share) = share_delivered(folded)
        && share > 0.0
        && share < 1.0
    {
        let so_far = folded.contains("ahead of schedule") || PART_WAY.is_match(folded);
        return Some(if !so_far {
            Stance::PartlyMet
        } else if share >= 0.5 {
            Stance::OnTrack
        } else {
            Stance::OffTrack
        });
    }
    // the numbers decide: a result against its target
    if matches!(found, None | Some(Stance::Met))
        && let Some(ratio) = result_against_target(folded)
    {
        return Some(if ratio >= 1.0 {
            Stance::Met
        } else if PART_WAY.is_match(folded) {
            if ratio < 0.5 {
                Stance::OffTrack
            } else {
                Stance::OnTrack
            }
        } else if ratio >= 0.25 {
            Stance::PartlyMet
        } else {
            Stance::NotMet
        });
    }
    let stance = found?;
    // "fell short of the 5,000 target, with 4,120 in post": short by a
    // small margin (the clause's own figures say how small) is partly met;
    // "fell well short" stays not met
    if stance == Stance::NotMet && FELL_SHORT.is_match(folded) && narrowly_short(folded) {
        return Some(Stance::PartlyMet);
    }
    // "met its commitment, although six months later than planned": met late is met
    if stance == Stance::Delayed && first_stance(folded, Some(Stance::Met)).is_some() {
        return Some(Stance::Met);
    }
    Some(stance)
}

/// Falling short with no word for how far ("well", "far").
static FELL_SHORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(
        r"\b(?:fell|falls|fallen|falling)\ short\ of\b",
    ))
    .expect("fell short pattern")
});

/// Whether the first two figures of a kind in a clause (the target and
/// the result, in either order) are within a quarter of each other, or
/// within five points for percentages.
fn narrowly_short(folded: &str) -> bool {
    let figures = find_figures(folded);
    let Some(first) = figures.first() else {
        return false;
    };
    let Some(second) = figures.iter().skip(1).find(|f| f.unit == first.unit) else {
        return false;
    };
    let (low, high) = if first.value < second.value {
        (first.value, second.value)
    } else {
        (second.value, first.value)
    };
    match first.unit {
        crate::model::Unit::Percent => high - low <= 5.0,
        _ => high > 0.0 && low / high >= 0.75,
    }
}

/// The first stance pattern that holds, of any stance or only of `only`.
fn first_stance(folded: &str, only: Option<Stance>) -> Option<Stance> {
    for index in STANCE_SET.matches(folded).iter() {
        let (stance, pattern) = &STANCES[index];
        if only.is_some_and(|wanted| wanted != *stance) {
            continue;
        }
        let Some(found) = pattern.find(folded) else {
            continue;
        };
        if *stance == Stance::Met || *stance == Stance::OnTrack {
            // "will be met", "if the target is achieved": a hope, not a finding
            let before = &folded[..found.start()];
            if hedged(before) || hedged(found.as_str()) {
                continue;
            }
            // "traffic can exceed 30,000 vehicles a day": what may happen
            // (but "can tick off its pledge" is done)
            let may_exceed = found.as_str().starts_with("exceed")
                && ["can ", "cannot "]
                    .iter()
                    .any(|word| before.ends_with(word));
            if before.ends_with("not ") || before.ends_with("never ") || may_exceed {
                continue;
            }
        }
        // "has not been formally abandoned"
        if *stance == Stance::Abandoned && NEGATED_BEFORE.is_match(&folded[..found.start()]) {
            continue;
        }
        // a word of everyday use ("missed") and a boast in the
        // active voice ("we have delivered more than 2.5 million homes")
        // judge a promise only in a sentence about one: "appointments were
        // missed by patients" and "this Government has delivered the
        // biggest cash increase" report no promise's fate
        let lone_word = ["missed", "was missed", "were missed"].contains(&found.as_str().trim());
        let boast = *stance == Stance::Met
            && ["has ", "have ", "had "]
                .iter()
                .any(|word| found.as_str().starts_with(word))
            && !found.as_str().contains(" been ");
        if (lone_word || boast) && !PROMISE_CONTEXT.is_match(folded) {
            continue;
        }
        // "if the target is missed, ...", "may be pushed back to May 2027":
        // a condition or a possibility, not a finding
        let clause_start = folded[..found.start()]
            .rfind([',', ';', ':'])
            .map_or(0, |at| at + 1);
        let clause = folded[clause_start..found.start()].trim_start();
        if ["if ", "unless ", "should ", "in case ", "in the event "]
            .iter()
            .any(|word| clause.starts_with(word))
            || (*stance == Stance::Delayed
                && ["may ", "might ", "could "]
                    .iter()
                    .any(|word| clause.ends_with(word) || clause.ends_with(&format!("{word}be "))))
        {
            continue;
        }
        return Some(*stance);
    }
    None
}

pub fn grade_stance(grade: Grade) -> Stance {
    match grade {
        Grade::Outstanding => Stance::Met,
        Grade::Good => Stance::OnTrack,
        Grade::RequiresImprovement => Stance::PartlyMet,
        Grade::Inadequate => Stance::NotMet,
    }
}

/// Assessments in one document.
pub fn find_in_document(document_index: usize, document: &Document) -> Vec<FoundAssessment> {
    let independent = is_independent(&document.kind, &document.publisher);
    let mut found = Vec::new();
    for rating in &document.ratings {
        let Some(paragraph) = document
            .paragraphs
            .iter()
            .position(|p| p.anchor == rating.anchor)
        else {
            continue;
        };
        let grade = rating
            .overall
            .or_else(|| rating.domains.first().map(|(_, grade)| *grade));
        found.push(FoundAssessment {
            document: document_index,
            paragraph,
            quote: document.paragraphs[paragraph].text.clone(),
            stance: grade.map(grade_stance),
            grade,
            domain_grades: rating.domains.clone(),
            figures: Vec::new(),
            independent,
            assessor: document.publisher.clone(),
            subject: Some(rating.commitment.clone()),
        });
    }
    for (paragraph_index, paragraph) in document.paragraphs.iter().enumerate() {
        if paragraph.anchor.starts_with("rating-") {
            continue;
        }
        for sentence in sentences::split(&paragraph.text) {
            if sentence.len() > 800 || sentence.ends_with('?') {
                continue;
            }
            let folded = fold_for_search(sentence);
            let reported = independent && REPORTED_GOVERNMENT.is_match(&folded);
            for clause in clauses(sentence) {
                let Some(stance) = stance_of(clause) else {
                    continue;
                };
                let grade = find_grade_word(clause);
                found.push(FoundAssessment {
                    document: document_index,
                    paragraph: paragraph_index,
                    quote: sentence.to_string(),
                    stance: Some(stance),
                    grade,
                    domain_grades: Vec::new(),
                    figures: find_figures(clause),
                    independent: independent && !reported,
                    assessor: if reported {
                        format!("the government, as reported by {}", document.publisher)
                    } else {
                        document.publisher.clone()
                    },
                    subject: None,
                });
            }
        }
    }
    found
}

fn find_grade_word(text: &str) -> Option<Grade> {
    let folded = fold_for_search(text);
    if !folded.contains("rat") && !folded.contains("grade") {
        return None;
    }
    ["requires improvement", "inadequate", "outstanding", "good"]
        .iter()
        .find(|word| folded.contains(*word))
        .and_then(|word| Grade::parse(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyday_words_judge_no_promise_without_one() {
        for sentence in [
            "Around 7.8 million hospital outpatient appointments were missed by patients in England in 2023-24.",
            "Traffic on the A303 can exceed 30,000 vehicles a day in summer.",
            "The ambulance had been delayed by heavy snow before it reached the patient.",
            "The Department was unable to provide an estimate of the total cost.",
            "Since 2010, we have delivered more than 2.5 million additional homes.",
        ] {
            assert_eq!(stance_of(sentence), None, "{sentence}");
        }
        for (sentence, stance) in [
            ("The 2023 target was missed.", Stance::NotMet),
            (
                "The opening has been delayed by two years.",
                Stance::Delayed,
            ),
            (
                "We have delivered the 40,000 homes we promised.",
                Stance::Met,
            ),
            ("Recruitment has exceeded the 20,000 target.", Stance::Met),
        ] {
            assert_eq!(stance_of(sentence), Some(stance), "{sentence}");
        }
    }

    #[test]
    fn kept_in_part_dropped_and_moved_dates() {
        let cases = [
            // ratings, tables and the words of reports
            ("Project status: Blue (complete).", Stance::Met),
            ("Delivery confidence: Green.", Stance::OnTrack),
            (
                "The IPA has again rated the new hospital programme Red.",
                Stance::OffTrack,
            ),
            (
                "The target has not been missed in any quarter since 2023.",
                Stance::Met,
            ),
            (
                "The new courts were all open by 2025, a year behind schedule.",
                Stance::Met,
            ),
            ("The cap was therefore met with room to spare.", Stance::Met),
            (
                "The scheme opened in March 2024, exactly as planned.",
                Stance::Met,
            ),
            (
                "Free school meals began in September 2024, as the manifesto had promised.",
                Stance::Met,
            ),
            (
                "The budget stuck to its pledge not to raise VAT.",
                Stance::Met,
            ),
            (
                "The ban took effect in 2025, but in a watered-down form.",
                Stance::PartlyMet,
            ),
            (
                "The trust opened the new ward in May, but the second theatre has still not opened.",
                Stance::PartlyMet,
            ),
            (
                "About three in four of the promised posts had been filled.",
                Stance::PartlyMet,
            ),
            (
                "The four-hour standard was never met in any year.",
                Stance::NotMet,
            ),
            ("The promised register remains undelivered.", Stance::NotMet),
            (
                "The 2026 milestone is no longer expected to be achieved.",
                Stance::OffTrack,
            ),
            (
                "The deadline may not be met unless funding rises.",
                Stance::OffTrack,
            ),
            (
                "The roll-out is keeping pace with the plan.",
                Stance::OnTrack,
            ),
            (
                "The crossing remains on budget and on programme.",
                Stance::OnTrack,
            ),
            (
                "Go-live has been re-planned for 2027-28, a year later than previously announced.",
                Stance::Delayed,
            ),
            (
                "The bill has been bumped to the next session.",
                Stance::Delayed,
            ),
            (
                "The marine protection plan will not be taken forward.",
                Stance::Abandoned,
            ),
            (
                "Its advisory board was wound up in 2024.",
                Stance::Abandoned,
            ),
            (
                "The department has partially honoured its pledge to fund 40 new centres.",
                Stance::PartlyMet,
            ),
            (
                "The sugar levy was introduced, as planned, in April 2018.",
                Stance::Met,
            ),
            (
                "Spending reached 2.3% of GDP, fully in line with the government's revised target.",
                Stance::Met,
            ),
            (
                "Measure 4 (answer 80% of calls within a minute): achieved, at 83%.",
                Stance::Met,
            ),
            (
                "The scheme insulated about half of the 200,000 homes it was intended to reach.",
                Stance::PartlyMet,
            ),
            (
                "The first milestone was met and the 2030 goal remains within reach.",
                Stance::OnTrack,
            ),
            (
                "Recruitment is running well ahead of the rate needed to reach 6,500.",
                Stance::OnTrack,
            ),
            (
                "There is little prospect of the backlog being cleared by 2026.",
                Stance::OffTrack,
            ),
            (
                "The government will not now introduce the levy on takeaway food.",
                Stance::Abandoned,
            ),
            (
                "The pledge on school funding was fulfilled in April 2024.",
                Stance::Met,
            ),
            (
                "The manifesto promise was only partly honoured.",
                Stance::PartlyMet,
            ),
            (
                "Police recruitment reached 87% of its target by March.",
                Stance::PartlyMet,
            ),
            (
                "The Navy met its target for engineers but fell short on submarine crews.",
                Stance::PartlyMet,
            ),
            (
                "The trust failed to cut waiting times to 18 weeks.",
                Stance::NotMet,
            ),
            (
                "Installations are running ahead of the trajectory set in 2023.",
                Stance::OnTrack,
            ),
            (
                "The committee regards the 2030 date as unrealistic.",
                Stance::OffTrack,
            ),
            (
                "The go-live date was moved from June 2025 to April 2027.",
                Stance::Delayed,
            ),
            (
                "The Department has shelved its plan for a new airport after costs doubled and it fell behind schedule.",
                Stance::Abandoned,
            ),
            (
                "Ministers pulled the plug on the road scheme last year.",
                Stance::Abandoned,
            ),
            (
                "By the deadline, two of the Chancellor's six fiscal tests had been met.",
                Stance::PartlyMet,
            ),
            (
                "The 2030 goal looks no closer than it did in 2022.",
                Stance::OffTrack,
            ),
            (
                "The tracker rates the pledge to abolish the levy as 'achieved'.",
                Stance::Met,
            ),
            (
                "Nine of the 14 trusts had adopted the new system by the deadline.",
                Stance::PartlyMet,
            ),
            (
                "The Department has failed to replace the ageing radios on time.",
                Stance::NotMet,
            ),
            (
                "Exports grew by 1% a year, far below the 5% goal the strategy had set.",
                Stance::NotMet,
            ),
            (
                "The review rated the programme Green for delivery confidence.",
                Stance::OnTrack,
            ),
            (
                "The 2027 target for new lifeboats is likely to be missed.",
                Stance::OffTrack,
            ),
            (
                "There is no realistic prospect of meeting the 2028 deadline.",
                Stance::OffTrack,
            ),
            (
                "Opening of the new terminal was pushed into 2027 by supplier failures.",
                Stance::Delayed,
            ),
            (
                "The council has withdrawn its pledge to build a new pool.",
                Stance::Abandoned,
            ),
            (
                "Status: achieved. All 40 hubs were open by the deadline.",
                Stance::Met,
            ),
            (
                "The Department built the 500 homes it had committed to.",
                Stance::Met,
            ),
            (
                "Of the 20 actions in the plan, the review found that 14 had been completed.",
                Stance::PartlyMet,
            ),
            (
                "Spending is in line with the profile needed to meet the commitment.",
                Stance::OnTrack,
            ),
            (
                "The Committee doubts whether the 2030 target can be met.",
                Stance::OffTrack,
            ),
            (
                "The service, originally due in 2025, has been postponed to 2027.",
                Stance::Delayed,
            ),
            (
                "We reject the claim that the scheme has been dropped; it has been rescheduled to 2028.",
                Stance::Delayed,
            ),
            (
                "The council confirmed that the bypass would not go ahead.",
                Stance::Abandoned,
            ),
        ];
        for (sentence, expected) in cases {
            assert_eq!(stance_of(sentence), Some(expected), "{sentence}");
        }
        // a complaint about governments in general judges no promise
        assert_eq!(
            stance_of("It is a problem that successive governments have failed to fix."),
            None
        );
        // brought forward is not a delay
        assert_ne!(
            stance_of("The opening was moved from 2027 to 2026."),
            Some(Stance::Delayed)
        );
    }

    #[test]
    fn numbers_and_idioms_decide_stances() {
        let cases = [
            // a result against its target
            (
                "By 2024, 3,200 places had been created, against the 2,500 promised.",
                Stance::Met,
            ),
            (
                "Starts were 338,000 against the 350,000 Ministers had set.",
                Stance::PartlyMet,
            ),
            (
                "Eighteen months in, 190,000 people have been helped, against the 2 million promised.",
                Stance::OffTrack,
            ),
            // shares delivered, finished or part-way
            (
                "23 of the 38 measures promised had been implemented.",
                Stance::PartlyMet,
            ),
            (
                "1.2 million of the 2 million appointments planned had already been delivered.",
                Stance::OnTrack,
            ),
            // idioms of delivery, delay and dropping
            (
                "We have made good on our promise to abolish the regime.",
                Stance::Met,
            ),
            (
                "The line opened in May 2022, against a planned opening of December 2018.",
                Stance::Met,
            ),
            (
                "Reform has been kicked into the long grass until 2028.",
                Stance::Delayed,
            ),
            (
                "The trial has been mothballed and its budget handed back.",
                Stance::Abandoned,
            ),
            (
                "It is hard to see how the 14,000 places can be created.",
                Stance::OffTrack,
            ),
            // turned round
            (
                "It would be wrong to suggest that the commitment was not honoured.",
                Stance::Met,
            ),
            (
                "It is simply not the case that the programme has fallen behind.",
                Stance::OnTrack,
            ),
        ];
        let more = [
            (
                "The goal of 50,000 chargepoints was comfortably beaten.",
                Stance::Met,
            ),
            (
                "The target has been achieved in all but two regions.",
                Stance::PartlyMet,
            ),
            (
                "Completions fell well below the goal, at 9,000 against 35,000.",
                Stance::NotMet,
            ),
            (
                "The NHS is on course to miss its 65% target.",
                Stance::OffTrack,
            ),
            (
                "Work has been put on hold pending the Spending Review.",
                Stance::Delayed,
            ),
            (
                "The programme has been paused indefinitely.",
                Stance::Abandoned,
            ),
            (
                "Attainment rose from 59% to 62% by 2025, still short of the 65% aimed for.",
                Stance::PartlyMet,
            ),
            (
                "With three of six years gone, we are 61% of the way to the 2028 milestone.",
                Stance::OnTrack,
            ),
        ];
        for (sentence, expected) in cases.into_iter().chain(more) {
            assert_eq!(stance_of(sentence), Some(expected), "{sentence}");
        }
        // the target's own share is not a result
        assert_eq!(
            stance_of("The target for a quarter of the fleet to be electric by 2022 was missed."),
            Some(Stance::NotMet)
        );
    }

    #[test]
    fn words_lean_when_no_phrase_decides() {
        let cases = [
            (
                "The pledge to build a new museum was given up in 2024.",
                Some(Stance::Abandoned),
            ),
            (
                "The promised station is now expected to open in 2029.",
                Some(Stance::Delayed),
            ),
            (
                "Against a target of 5,000 new places, the final count was 1,200.",
                Some(Stance::NotMet),
            ),
            (
                "The 2030 goal is drifting further out of view.",
                Some(Stance::OffTrack),
            ),
            (
                "The council has delivered the bulk of its promised road repairs.",
                Some(Stance::PartlyMet),
            ),
            (
                "Coverage reached 80%, leaving the 2030 ambition within sight.",
                Some(Stance::OnTrack),
            ),
            (
                "The pledge of free bus passes for veterans came to fruition last May.",
                Some(Stance::Met),
            ),
            (
                "Two years after the promised date, the last of the 40 clinics opened, completing the programme in full.",
                Some(Stance::Met),
            ),
            // no promise in view, a negation, a question, a condition, a goal to come
            ("The meeting finished in full agreement.", None),
            ("The programme has not lapsed.", None),
            ("Has the pledge been given up?", None),
            (
                "If the target is given up, the funding will be returned.",
                None,
            ),
            ("The goal is to be reached by 2030.", None),
            // a promise that uses the words is not judged by them
            (
                "We will scrap the target and replace it with a better one by 2026.",
                None,
            ),
        ];
        for (sentence, expected) in cases {
            assert_eq!(stance_of(sentence), expected, "{sentence}");
        }
    }

    #[test]
    fn stances_with_negation_and_hedging() {
        // a condition or a possibility is not a finding; nor is an adjective
        assert_eq!(
            stance_of("If the target is missed, the minister must explain why."),
            None
        );
        assert_eq!(
            stance_of("The election may be pushed back to May 2027."),
            None
        );
        assert_eq!(
            stance_of("Some 3,000 abandoned cars were towed away last year."),
            None
        );
        assert_eq!(
            stance_of("The government abandoned the target in 2023."),
            Some(Stance::Abandoned)
        );
        // a rejection up to a colon, and what holds instead
        assert_eq!(
            stance_of("We do not accept that the strategy was delayed: it is no longer needed."),
            Some(Stance::Abandoned)
        );
        assert_eq!(
            stance_of("The target of 68% was met in March 2023."),
            Some(Stance::Met)
        );
        assert_eq!(
            stance_of("We have delivered on our manifesto commitment."),
            Some(Stance::Met)
        );
        assert_eq!(
            stance_of("The target has not been met."),
            Some(Stance::NotMet)
        );
        assert_eq!(
            stance_of("The target is unlikely to be met."),
            Some(Stance::OffTrack)
        );
        assert_eq!(
            stance_of("The programme is not on track."),
            Some(Stance::OffTrack)
        );
        assert_eq!(
            stance_of("We are on track to deliver 75% by 2024."),
            Some(Stance::OnTrack)
        );
        assert_eq!(
            stance_of("The northern leg was cancelled in October 2023."),
            Some(Stance::Abandoned)
        );
        assert_eq!(
            stance_of("The target was partially met."),
            Some(Stance::PartlyMet)
        );
        assert_eq!(
            stance_of("Inflation has been more than halved."),
            Some(Stance::Met)
        );
        assert_eq!(
            stance_of("Section 21 has not been abolished."),
            Some(Stance::NotMet)
        );
        assert_eq!(stance_of("The target will be met next year."), None);
        assert_eq!(stance_of("If the target is achieved, costs fall."), None);
        assert_eq!(
            stance_of("The Online Safety Act received Royal Assent on 26 October 2023."),
            Some(Stance::Met)
        );
    }

    #[test]
    fn clauses_split_two_findings() {
        let sentence =
            "The 68% target was met in March 2023, while we remain on track for 75% by 2024.";
        let stances: Vec<Option<Stance>> = clauses(sentence).into_iter().map(stance_of).collect();
        assert_eq!(stances, [Some(Stance::Met), Some(Stance::OnTrack)]);
    }
}
