//! HTML pages: GOV.UK pages, committee publications and any other page.
//!
//! The main content is found by landmarks (`main`, `role=main`, `#content`,
//! `article`) with page chrome (header, navigation, cookie banner,
//! breadcrumbs, related links, footer) left out. Metadata comes from, in
//! order: GOV.UK's `govuk:*` meta tags and metadata block, JSON-LD,
//! Dublin Core and Open Graph meta tags, and `<time>` elements.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use scraper::{ElementRef, Html, Node, Selector};

use super::text::{clean_whitespace, find_date, parse_date};
use super::{Capture, absolute_url, host_of};
use crate::model::{Change, Document, Grade, Paragraph, Rating, document_id};

/// Decodes a page: charset from the Content-Type header, else from a
/// `<meta charset>` in the first kilobytes, else UTF-8 when it is valid and
/// Windows-1252 (what "ISO-8859-1" means on the web) when not.
pub fn decode(body: &[u8], content_type: Option<&str>) -> String {
    let declared = content_type
        .and_then(charset_param)
        .or_else(|| sniff_meta_charset(body));
    if let Some(label) = declared
        && let Some(encoding) = encoding_rs::Encoding::for_label(label.as_bytes())
    {
        let (text, _, _) = encoding.decode(body);
        return text.into_owned();
    }
    match std::str::from_utf8(body) {
        Ok(text) => text.trim_start_matches('\u{feff}').to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(body).0.into_owned(),
    }
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').find_map(|part| {
        let (key, value) = part.split_once('=')?;
        (key.trim().eq_ignore_ascii_case("charset"))
            .then(|| value.trim().trim_matches('"').to_string())
    })
}

fn sniff_meta_charset(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(4096)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let position = head.find("charset=")?;
    let rest = &head[position + "charset=".len()..];
    let rest = rest.trim_start_matches(['"', '\'']);
    let label: String = rest
        .chars()
        .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '-' || *ch == '_')
        .collect();
    (!label.is_empty()).then_some(label)
}

/// A selector compiled once, on first use.
macro_rules! selector {
    ($css:expr) => {{
        static SELECTOR: LazyLock<Selector> =
            LazyLock::new(|| Selector::parse($css).expect("static selector"));
        &*SELECTOR
    }};
}

const SKIPPED_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "form", "button", "iframe", "nav", "header",
    "footer", "aside", "head", "select", "input", "textarea", "object", "canvas",
];

const SKIPPED_CLASSES: &[&str] = &[
    "gem-c-cookie-banner",
    "govuk-skip-link",
    "govuk-breadcrumbs",
    "gem-c-breadcrumbs",
    "gem-c-related-navigation",
    "gem-c-contextual-sidebar",
    "gem-c-contents-list",
    "gem-c-print-link",
    "gem-c-single-page-notification-button",
    "gem-c-share-links",
    "gem-c-metadata",
    "gem-c-title",
    "gem-c-lead-paragraph",
    "gem-c-notice",
    "gem-c-important-metadata",
    "gem-c-published-dates",
    "gem-c-attachment",
    "app-c-published-dates",
    "reversefootnote",
    "table-of-contents",
    "toc",
    "govuk-visually-hidden",
    "pledgewatch-illustrative",
    "report-meta",
    "cookie-banner",
    "skip-link",
    "breadcrumbs",
    "breadcrumb",
    "share-links",
];

const SKIPPED_IDS: &[&str] = &[
    "global-cookie-message",
    "history",
    "full-history",
    "cookie-banner",
];

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "section",
    "article",
    "main",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
    "figure",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "address",
    "details",
    "summary",
    "hr",
    "body",
    "center",
    "fieldset",
];

fn is_block(name: &str) -> bool {
    BLOCK_TAGS.contains(&name)
}

fn is_skipped(element: ElementRef) -> bool {
    let value = element.value();
    if SKIPPED_TAGS.contains(&value.name()) {
        return true;
    }
    if value.attr("hidden").is_some() || value.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(id) = value.id()
        && SKIPPED_IDS.contains(&id)
    {
        return true;
    }
    if value
        .classes()
        .any(|class| SKIPPED_CLASSES.contains(&class))
    {
        return true;
    }
    value.name() == "sup" && is_footnote_marker(element)
}

/// `<sup><a href="#fn1">1</a></sup>`: a footnote number would glue itself
/// to the sentence ("in 2020–21.1") and read as part of a figure.
fn is_footnote_marker(sup: ElementRef) -> bool {
    sup.children().filter_map(ElementRef::wrap).any(|child| {
        child.value().name() == "a"
            && child
                .value()
                .attr("href")
                .is_some_and(|href| href.starts_with('#'))
    })
}

/// Past this depth the walker stops recursing and reads the rest of the
/// subtree as one paragraph, so hostile nesting cannot overflow the stack.
const MAX_DEPTH: usize = 128;

/// A node's identity within its (immutable) tree: the address of its value.
/// scraper does not re-export ego-tree's `NodeId`, and the address is as
/// stable as the id while the tree is borrowed.
fn node_key(node: ego_tree_node::NodeRef<'_>) -> usize {
    std::ptr::from_ref(node.value()) as usize
}

mod ego_tree_node {
    /// `ElementRef`'s underlying node type, named without depending on ego-tree.
    pub type NodeRef<'a> = <scraper::ElementRef<'a> as std::ops::Deref>::Target;
}

/// The elements that contain a block element somewhere below them, found
/// in one pass (asking each element in turn would be quadratic in depth).
fn elements_with_block_descendants(root: ElementRef) -> HashSet<usize> {
    let mut marked = HashSet::new();
    for node in root.descendants() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        if !is_block(element.name()) {
            continue;
        }
        let mut ancestor = node.parent();
        while let Some(current) = ancestor {
            if !marked.insert(node_key(current)) {
                break;
            }
            ancestor = current.parent();
        }
    }
    marked
}

/// The text of an element up to its first block descendant: a heading's
/// own words when an unclosed tag has pulled paragraphs into it.
fn text_before_first_block(element: ElementRef) -> String {
    let mut text = String::new();
    for node in element.descendants().skip(1) {
        match node.value() {
            Node::Text(part) => {
                let inside_skipped = node
                    .ancestors()
                    .take_while(|ancestor| ancestor.id() != element.id())
                    .filter_map(ElementRef::wrap)
                    .any(is_skipped);
                if !inside_skipped {
                    text.push_str(part);
                }
            }
            Node::Element(child) if is_block(child.name()) => break,
            _ => {}
        }
    }
    text
}

/// The text of a subtree without its skipped parts, iteratively.
fn flat_text(element: ElementRef, buffer: &mut String) {
    let mut stack = vec![*element];
    while let Some(node) = stack.pop() {
        match node.value() {
            Node::Text(text) => buffer.push_str(text),
            Node::Element(child_element) => {
                let Some(child_ref) = ElementRef::wrap(node) else {
                    continue;
                };
                if is_skipped(child_ref) {
                    continue;
                }
                if child_element.name() == "br" || is_block(child_element.name()) {
                    buffer.push(' ');
                }
                // children in reverse so that they pop in document order
                let children: Vec<_> = node.children().collect();
                stack.extend(children.into_iter().rev());
            }
            _ => {}
        }
    }
}

/// Builds paragraphs from a content root.
struct Walker {
    block_holders: HashSet<usize>,
    paragraphs: Vec<Paragraph>,
    ratings: Vec<Rating>,
    headings: Vec<(usize, String)>,
    anchors: HashSet<String>,
    unnumbered: usize,
}

impl Walker {
    fn new(root: ElementRef) -> Walker {
        Walker {
            block_holders: elements_with_block_descendants(root),
            paragraphs: Vec::new(),
            ratings: Vec::new(),
            headings: Vec::new(),
            anchors: HashSet::new(),
            unnumbered: 0,
        }
    }

    fn visit(&mut self, element: ElementRef, depth: usize) {
        if is_skipped(element) {
            return;
        }
        if depth > MAX_DEPTH {
            let mut buffer = String::new();
            flat_text(element, &mut buffer);
            self.flush(&mut buffer, element);
            return;
        }
        let name = element.value().name();
        if let Some(level) = heading_level(name) {
            // the page's h1 is its title, read apart from the paragraphs
            let text = clean_whitespace(&text_before_first_block(element));
            if level > 1 && !text.is_empty() {
                self.headings.retain(|(existing, _)| *existing < level);
                self.headings.push((level, text));
            }
            // an unclosed tag in a heading can pull the rest of the page into it
            if self.block_holders.contains(&node_key(*element)) {
                for child in element.children().filter_map(ElementRef::wrap) {
                    if is_block(child.value().name())
                        || self.block_holders.contains(&node_key(*child))
                    {
                        self.visit(child, depth + 1);
                    }
                }
            }
            return;
        }
        if name == "table" {
            self.table(element);
            return;
        }
        let mut buffer = String::new();
        for child in element.children() {
            match child.value() {
                Node::Text(text) => buffer.push_str(text),
                Node::Element(child_element) => {
                    let Some(child_ref) = ElementRef::wrap(child) else {
                        continue;
                    };
                    if is_skipped(child_ref) {
                        continue;
                    }
                    let child_name = child_element.name();
                    if child_name == "br" {
                        buffer.push(' ');
                    } else if is_block(child_name) || self.block_holders.contains(&node_key(child))
                    {
                        self.flush(&mut buffer, element);
                        self.visit(child_ref, depth + 1);
                    } else {
                        flat_text(child_ref, &mut buffer);
                    }
                }
                _ => {}
            }
        }
        self.flush(&mut buffer, element);
    }

    fn flush(&mut self, buffer: &mut String, owner: ElementRef) {
        let text = clean_whitespace(buffer);
        buffer.clear();
        if !text.chars().any(char::is_alphanumeric) {
            return;
        }
        let (number, text) = split_paragraph_number(&text);
        let anchor = match number {
            Some(number) => format!("para-{number}"),
            None => match owner.value().id().and_then(numbered_id) {
                Some(number) => format!("para-{number}"),
                None => {
                    self.unnumbered += 1;
                    format!("p-{}", self.unnumbered)
                }
            },
        };
        self.push(anchor, text.to_string());
    }

    fn push(&mut self, anchor: String, text: String) {
        let mut unique = anchor.clone();
        let mut suffix = 2;
        while !self.anchors.insert(unique.clone()) {
            unique = format!("{anchor}-{suffix}");
            suffix += 1;
        }
        self.paragraphs.push(Paragraph {
            anchor: unique,
            headings: self.headings.iter().map(|(_, text)| text.clone()).collect(),
            text,
        });
    }

    /// Tables become one paragraph a row; rows that carry grades become
    /// ratings too (the expert panel's tables: commitment -> grade per domain).
    fn table(&mut self, table: ElementRef) {
        let row_selector = selector!("tr");
        let cell_selector = selector!("th, td");
        let mut header: Vec<String> = Vec::new();
        for row in table.select(row_selector) {
            let cells: Vec<String> = row
                .select(cell_selector)
                .map(|cell| {
                    let mut text = String::new();
                    flat_text(cell, &mut text);
                    clean_whitespace(&text)
                })
                .collect();
            if cells.iter().all(String::is_empty) {
                continue;
            }
            let is_header_row = row.select(cell_selector).all(|cell| {
                cell.value().name() == "th" && cell.value().attr("scope") != Some("row")
            });
            if header.is_empty() && is_header_row {
                header = cells;
                continue;
            }
            let grades: Vec<(usize, Grade)> = cells
                .iter()
                .enumerate()
                .skip(1)
                .filter_map(|(column, cell)| Grade::parse(cell).map(|grade| (column, grade)))
                .collect();
            let row_text = describe_row(&header, &cells);
            if grades.is_empty() || cells[0].is_empty() {
                self.unnumbered += 1;
                let anchor = format!("p-{}", self.unnumbered);
                self.push(anchor, row_text);
                continue;
            }
            let anchor = format!("rating-{}", self.ratings.len() + 1);
            let mut overall = None;
            let mut domains = Vec::new();
            for (column, grade) in grades {
                let name = header.get(column).cloned().unwrap_or_default();
                if name.to_lowercase().contains("overall")
                    || (header.is_empty() && overall.is_none())
                {
                    overall = Some(grade);
                } else {
                    domains.push((name, grade));
                }
            }
            self.ratings.push(Rating {
                anchor: anchor.clone(),
                commitment: cells[0].clone(),
                overall,
                domains,
            });
            self.push(anchor, row_text);
        }
    }
}

fn describe_row(header: &[String], cells: &[String]) -> String {
    // a row of one cell (a note spanning the table) is not a column of it
    if cells.len() == 1 {
        return cells[0].clone();
    }
    let mut parts = Vec::new();
    for (column, cell) in cells.iter().enumerate() {
        if cell.is_empty() {
            continue;
        }
        match header.get(column) {
            Some(name) if !name.is_empty() => parts.push(format!("{name}: {cell}")),
            _ => parts.push(cell.clone()),
        }
    }
    parts.join("; ")
}

fn heading_level(name: &str) -> Option<usize> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// "12. The panel found ..." -> (Some(12), "The panel found ...").
pub fn split_paragraph_number(text: &str) -> (Option<u32>, &str) {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() > 3 {
        return (None, text);
    }
    let rest = &text[digits.len()..];
    let Some(rest) = rest.strip_prefix('.') else {
        return (None, text);
    };
    if !rest.starts_with(' ') {
        return (None, text);
    }
    let rest = rest.trim_start();
    if rest.is_empty() {
        return (None, text);
    }
    (digits.parse().ok(), rest)
}

fn numbered_id(id: &str) -> Option<u32> {
    let lower = id.to_ascii_lowercase();
    let digits = lower
        .strip_prefix("para-")
        .or_else(|| lower.strip_prefix("para"))
        .or_else(|| lower.strip_prefix("paragraph-"))?;
    digits.parse().ok()
}

/// Paragraphs of an HTML fragment (the body of an API item).
pub fn fragment_paragraphs(html: &str) -> (Vec<Paragraph>, Vec<Rating>) {
    let fragment = Html::parse_fragment(html);
    let mut walker = Walker::new(fragment.root_element());
    walker.visit(fragment.root_element(), 0);
    (walker.paragraphs, walker.ratings)
}

/// Attachment links (PDF and other document files) in an HTML fragment or page.
pub fn attachment_links(root: ElementRef, base: &str) -> Vec<String> {
    let mut links = Vec::new();
    for link in root.select(selector!("a[href]")) {
        let href = link.value().attr("href").unwrap_or_default();
        let declared = link.value().attr("type").unwrap_or_default();
        // GOV.UK's attachment component links HTML publications too
        let is_attachment = link
            .value()
            .classes()
            .any(|class| class == "gem-c-attachment__link");
        if (is_document_file(href) || declared.contains("pdf") || is_attachment)
            && let Some(absolute) = absolute_url(base, href)
            && !links.contains(&absolute)
        {
            links.push(absolute);
        }
    }
    links
}

/// True for links to the files that hold documents: PDF, ODT, DOCX, CSV...
pub fn is_document_file(href: &str) -> bool {
    let path = href
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    [
        ".pdf", ".odt", ".ods", ".docx", ".doc", ".csv", ".xlsx", ".rtf",
    ]
    .iter()
    .any(|extension| path.ends_with(extension))
}

struct JsonLd {
    kind: Option<String>,
    name: Option<String>,
    published: Option<String>,
    modified: Option<String>,
    publisher: Option<String>,
    /// `reportNumber`: a committee paper's number ("HC 1228").
    report_number: Option<String>,
}

fn json_ld(scripts: &[ElementRef]) -> JsonLd {
    let mut found = JsonLd {
        kind: None,
        name: None,
        published: None,
        modified: None,
        publisher: None,
        report_number: None,
    };
    for script in scripts {
        let source: String = script.text().collect();
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&source) else {
            continue;
        };
        let mut items = Vec::new();
        collect_ld_items(&value, &mut items, 0);
        for item in items {
            let text = |key: &str| item.get(key).and_then(|v| v.as_str()).map(str::to_string);
            let kind = text("@type");
            if kind.as_deref().is_some_and(|kind| {
                matches!(
                    kind,
                    "BreadcrumbList" | "WebSite" | "Organization" | "SearchAction"
                )
            }) {
                continue;
            }
            found.kind = found.kind.or(kind);
            found.name = found.name.or(text("headline")).or(text("name"));
            found.published = found
                .published
                .or(text("datePublished"))
                .or(text("dateCreated"));
            found.modified = found.modified.or(text("dateModified"));
            found.report_number = found.report_number.or(text("reportNumber"));
            let publisher = item
                .get("publisher")
                .or_else(|| item.get("author"))
                .or_else(|| item.get("sourceOrganization"));
            let publisher_name = match publisher {
                Some(serde_json::Value::String(name)) => Some(name.clone()),
                Some(serde_json::Value::Object(object)) => object
                    .get("name")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                Some(serde_json::Value::Array(list)) => list
                    .first()
                    .and_then(|first| first.get("name"))
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                _ => None,
            };
            found.publisher = found.publisher.or(publisher_name);
        }
    }
    found
}

fn collect_ld_items<'a>(
    value: &'a serde_json::Value,
    items: &mut Vec<&'a serde_json::Value>,
    depth: usize,
) {
    if depth > 5 {
        return;
    }
    match value {
        serde_json::Value::Array(list) => {
            for item in list {
                collect_ld_items(item, items, depth + 1);
            }
        }
        serde_json::Value::Object(object) => {
            if let Some(graph) = object.get("@graph") {
                collect_ld_items(graph, items, depth + 1);
            } else {
                items.push(value);
            }
        }
        _ => {}
    }
}

/// The metadata block of a GOV.UK page: "From:", "Published", "Last updated"...
struct GovukMetadata {
    organisations: Vec<String>,
    people: Vec<String>,
    published: Option<String>,
    updated: Option<String>,
    delivered: Option<String>,
}

fn govuk_metadata(terms: &[ElementRef]) -> GovukMetadata {
    let link_selector = selector!("a");
    let mut metadata = GovukMetadata {
        organisations: Vec::new(),
        people: Vec::new(),
        published: None,
        updated: None,
        delivered: None,
    };
    for term in terms {
        let label = clean_whitespace(&term.text().collect::<String>()).to_lowercase();
        let Some(definition) = term
            .next_siblings()
            .filter_map(ElementRef::wrap)
            .find(|sibling| sibling.value().name() == "dd")
        else {
            continue;
        };
        let value = clean_whitespace(&definition.text().collect::<String>());
        if label.starts_with("from")
            || label.starts_with("minister")
            || label.starts_with("speaker")
        {
            for link in definition.select(link_selector) {
                let name = clean_whitespace(&link.text().collect::<String>());
                let href = link.value().attr("href").unwrap_or_default();
                if name.is_empty() {
                    continue;
                }
                if href.contains("/people/")
                    || href.contains("people/")
                    || label.starts_with("minister")
                    || label.starts_with("speaker")
                {
                    metadata.people.push(name);
                } else {
                    metadata.organisations.push(name);
                }
            }
            if definition.select(link_selector).next().is_none() && !value.is_empty() {
                metadata.organisations.push(value.clone());
            }
        } else if label.starts_with("published") || label.starts_with("first published") {
            metadata.published = parse_date(&value);
        } else if label.starts_with("last updated") || label.starts_with("updated") {
            metadata.updated = parse_date(&value);
        } else if label.starts_with("delivered on") {
            metadata.delivered = parse_date(&value);
        }
    }
    metadata
}

/// The first non-empty text of the elements, each read up to its first block.
fn first_text(elements: &[ElementRef]) -> Option<String> {
    elements
        .iter()
        .map(|element| clean_whitespace(&text_before_first_block(*element)))
        .find(|text| !text.is_empty())
}

fn meta_map(metas: &[ElementRef]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for meta in metas {
        let key = meta
            .value()
            .attr("name")
            .or_else(|| meta.value().attr("property"))
            .or_else(|| meta.value().attr("itemprop"));
        if let (Some(key), Some(content)) = (key, meta.value().attr("content")) {
            map.entry(key.to_ascii_lowercase())
                .or_insert_with(|| clean_whitespace(content));
        }
    }
    map
}

fn strip_site_suffix(title: &str) -> String {
    for separator in [" - ", " | ", " – ", " — "] {
        if let Some((head, tail)) = title.rsplit_once(separator)
            && tail.len() < 50
            && head.len() > 5
        {
            return strip_site_suffix(head);
        }
    }
    title.to_string()
}

const MAX_TITLE_BYTES: usize = 400;

/// What the page's metadata is read from, gathered in one pass over the
/// page's nodes instead of one whole-page `select` per selector.
///
/// The pass visits nodes as `Html::select` does (in the tree's order,
/// attached elements only) and each element that might match is checked
/// with the selector itself, so "the first match" and every list mean what
/// they meant with one `select` per selector.
#[derive(Default)]
struct PageParts<'a> {
    /// `meta[content]`
    metas: Vec<ElementRef<'a>>,
    /// the `href` of the first `link[rel="canonical"]` that has one
    canonical: Option<String>,
    /// `script[type="application/ld+json"]`
    json_ld: Vec<ElementRef<'a>>,
    /// `title`
    titles: Vec<ElementRef<'a>>,
    /// `h1`
    h1s: Vec<ElementRef<'a>>,
    /// `main h1, [role=main] h1, #content h1, article h1`
    main_h1s: Vec<ElementRef<'a>>,
    /// `.gem-c-metadata dt, .gem-c-important-metadata dt`
    metadata_terms: Vec<ElementRef<'a>>,
    /// `.gem-c-lead-paragraph`
    lead: Vec<ElementRef<'a>>,
    /// `.report-meta, .published-date, .date`
    date_blocks: Vec<ElementRef<'a>>,
    /// `.report-meta`
    report_meta: Vec<ElementRef<'a>>,
    /// `.gem-c-notice, .withdrawal-notice`
    notices: Vec<ElementRef<'a>>,
    /// `.pledgewatch-illustrative`
    illustrative: Vec<ElementRef<'a>>,
    /// `#history li, #full-history li, .app-c-published-dates li, .gem-c-published-dates li`
    history: Vec<ElementRef<'a>>,
    /// the first of `main, [role=main], #content, article, body`
    root: Option<ElementRef<'a>>,
}

impl<'a> PageParts<'a> {
    fn collect(page: &'a Html) -> PageParts<'a> {
        let mut parts = PageParts::default();
        for node in page.tree.nodes() {
            let Some(element) = ElementRef::wrap(node) else {
                continue;
            };
            // `Html::select` leaves out detached elements
            if element.parent().is_none() {
                continue;
            }
            let value = element.value();
            let name = value.name();
            match name {
                "meta"
                    if value.attr("content").is_some()
                        && selector!("meta[content]").matches(&element) =>
                {
                    parts.metas.push(element);
                }
                "link"
                    if parts.canonical.is_none()
                        && selector!(r#"link[rel="canonical"]"#).matches(&element) =>
                {
                    parts.canonical = value.attr("href").map(str::to_string);
                }
                "script" if selector!(r#"script[type="application/ld+json"]"#).matches(&element) => {
                    parts.json_ld.push(element);
                }
                "title" => parts.titles.push(element),
                "h1" => {
                    parts.h1s.push(element);
                    if selector!("main h1, [role=main] h1, #content h1, article h1")
                        .matches(&element)
                    {
                        parts.main_h1s.push(element);
                    }
                }
                "dt" if selector!(".gem-c-metadata dt, .gem-c-important-metadata dt")
                    .matches(&element) =>
                {
                    parts.metadata_terms.push(element);
                }
                "li" if selector!(
                    "#history li, #full-history li, .app-c-published-dates li, .gem-c-published-dates li"
                )
                .matches(&element) =>
                {
                    parts.history.push(element);
                }
                _ => {}
            }
            if parts.root.is_none()
                && (matches!(name, "main" | "article" | "body")
                    || value.attr("role").is_some()
                    || value.id().is_some())
                && selector!("main, [role=main], #content, article, body").matches(&element)
            {
                parts.root = Some(element);
            }
            if value.attr("class").is_some() {
                if selector!(".gem-c-lead-paragraph").matches(&element) {
                    parts.lead.push(element);
                }
                if selector!(".report-meta, .published-date, .date").matches(&element) {
                    parts.date_blocks.push(element);
                }
                if selector!(".report-meta").matches(&element) {
                    parts.report_meta.push(element);
                }
                if selector!(".gem-c-notice, .withdrawal-notice").matches(&element) {
                    parts.notices.push(element);
                }
                if selector!(".pledgewatch-illustrative").matches(&element) {
                    parts.illustrative.push(element);
                }
            }
        }
        parts
    }
}

/// An element's text with its text nodes kept apart ("…2023</p><p>HC 1319"
/// is not "2023HC 1319").
fn spaced_text(element: ElementRef) -> String {
    clean_whitespace(&element.text().collect::<Vec<_>>().join(" "))
}

/// "Fourth Report of Session 2022–23" -> "2022–23" (written with an en
/// dash and a two-digit second year, however the page writes it).
fn find_session(text: &str) -> Option<String> {
    static SESSION: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)\bSession (\d{4})[–-](\d{2,4})\b").expect("static regex")
    });
    let captures = SESSION.captures(text)?;
    let first = &captures[1];
    let second = &captures[2];
    let second = &second[second.len().saturating_sub(2)..];
    Some(format!("{first}–{second}"))
}

/// "… · HC 1228 · …" -> "HC 1228"; also "HL Paper 12" and "HL 12".
fn find_paper_number(text: &str) -> Option<String> {
    static PAPER: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"\b(HC|HL Paper|HL)\s?(\d+)\b").expect("static regex"));
    let captures = PAPER.captures(text)?;
    Some(format!("{} {}", &captures[1], &captures[2]))
}

/// Extracts a document from an HTML page.
pub fn extract_html(capture: &Capture) -> Document {
    let source = decode(&capture.body, capture.content_type.as_deref());
    let mut page = Html::parse_document(&source);
    if let Some(repaired) = close_unclosed_title(&page, &source) {
        page = Html::parse_document(&repaired);
    }
    let parts = PageParts::collect(&page);
    let meta = meta_map(&parts.metas);
    let ld = json_ld(&parts.json_ld);
    let govuk = govuk_metadata(&parts.metadata_terms);

    let url = parts
        .canonical
        .as_deref()
        .and_then(|href| absolute_url(&capture.url, href))
        .unwrap_or_else(|| capture.url.clone());

    // a heading that swallowed the page (an unclosed tag inside it) is no title
    let plausible = |title: &String| title.len() <= MAX_TITLE_BYTES;
    let title = first_text(&parts.main_h1s)
        .filter(plausible)
        .or_else(|| meta.get("og:title").cloned())
        .or_else(|| ld.name.clone())
        .or_else(|| first_text(&parts.h1s).filter(plausible))
        .or_else(|| first_text(&parts.titles).map(|title| strip_site_suffix(&title)))
        .unwrap_or_default();

    let description = first_text(&parts.lead)
        .or_else(|| meta.get("description").cloned())
        .or_else(|| meta.get("og:description").cloned());

    let publisher = govuk
        .organisations
        .first()
        .cloned()
        .or_else(|| ld.publisher.clone())
        .or_else(|| meta.get("govuk:primary-publishing-organisation").cloned())
        .or_else(|| meta.get("dcterms.publisher").cloned())
        .or_else(|| meta.get("dc.publisher").cloned())
        .or_else(|| meta.get("citation_publisher").cloned())
        .or_else(|| meta.get("og:site_name").cloned())
        .or_else(|| meta.get("author").cloned())
        .unwrap_or_else(|| host_of(&url));

    let root = parts.root.unwrap_or_else(|| page.root_element());

    let published = meta
        .get("govuk:first-published-at")
        .and_then(|value| parse_date(value))
        .or(govuk.published.clone())
        .or_else(|| ld.published.as_deref().and_then(parse_date))
        .or_else(|| {
            meta.get("article:published_time")
                .and_then(|value| parse_date(value))
        })
        .or_else(|| meta.get("dcterms.date").and_then(|value| parse_date(value)))
        .or_else(|| meta.get("dc.date").and_then(|value| parse_date(value)))
        .or_else(|| {
            meta.get("dcterms.issued")
                .and_then(|value| parse_date(value))
        })
        .or_else(|| {
            meta.get("citation_publication_date")
                .and_then(|value| parse_date(value))
        })
        .or_else(|| govuk.delivered.clone())
        .or_else(|| first_time(root))
        .or_else(|| first_text(&parts.date_blocks).and_then(|text| find_date(&text)));
    let updated = meta
        .get("govuk:public-updated-at")
        .and_then(|value| parse_date(value))
        .or(govuk.updated.clone())
        .or_else(|| ld.modified.as_deref().and_then(parse_date))
        .filter(|updated| Some(updated) != published.as_ref());

    // committee papers: the session and the paper number, from the report's
    // metadata line, JSON-LD, and the title and headings
    let mut labels: Vec<String> = parts
        .report_meta
        .iter()
        .map(|element| spaced_text(*element))
        .collect();
    labels.push(title.clone());
    labels.extend(
        parts
            .h1s
            .iter()
            .chain(&parts.titles)
            .map(|element| spaced_text(*element)),
    );
    let session = labels.iter().find_map(|text| find_session(text));
    let paper_number = ld
        .report_number
        .as_deref()
        .and_then(find_paper_number)
        .or_else(|| labels.iter().find_map(|text| find_paper_number(text)));

    let kind = meta
        .get("govuk:format")
        .cloned()
        .unwrap_or_else(|| classify(&title, &publisher, ld.kind.as_deref()));

    let withdrawn = withdrawal_notice(&parts.notices);

    let mut walker = Walker::new(root);
    walker.visit(root, 0);

    Document {
        id: document_id(&url),
        url: url.clone(),
        title,
        description,
        publisher,
        kind,
        published,
        updated,
        organisations: govuk.organisations.clone(),
        delivered: govuk.delivered,
        session,
        paper_number,
        captured: capture.captured.clone(),
        capture: capture.location.clone(),
        speaker: govuk.people.first().cloned(),
        withdrawn,
        government: None,
        illustrative: first_text(&parts.illustrative).is_some(),
        attachments: attachment_links(root, &url),
        change_history: change_history(&parts.history),
        versions: Vec::new(),
        paragraphs: walker.paragraphs,
        ratings: walker.ratings,
    }
}

/// A `<title>` that is never closed swallows the whole page as its text
/// (browsers do the same). When the title's text holds markup, close it
/// where its first tag starts, so that the rest is read as the page.
fn close_unclosed_title(page: &Html, source: &str) -> Option<String> {
    let title = page.select(selector!("title")).next()?;
    let text: String = title.text().collect();
    if !text.contains('<') || source.to_ascii_lowercase().contains("</title") {
        return None;
    }
    let lower = source.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let content_start = open + lower[open..].find('>')? + 1;
    let first_tag = content_start + source[content_start..].find('<')?;
    let mut repaired = String::with_capacity(source.len() + 8);
    repaired.push_str(&source[..first_tag]);
    repaired.push_str("</title>");
    repaired.push_str(&source[first_tag..]);
    Some(repaired)
}

fn first_time(root: ElementRef) -> Option<String> {
    root.select(selector!("time")).find_map(|time| {
        time.value()
            .attr("datetime")
            .and_then(parse_date)
            .or_else(|| parse_date(&time.text().collect::<String>()))
    })
}

fn change_history(items: &[ElementRef]) -> Vec<Change> {
    let time_selector = selector!("time");
    let mut changes = Vec::new();
    for item in items {
        let date = item
            .select(time_selector)
            .next()
            .and_then(|time| time.value().attr("datetime").and_then(parse_date));
        let text = clean_whitespace(&item.text().collect::<String>());
        let Some(date) = date.or_else(|| find_date(&text)) else {
            continue;
        };
        let note = item
            .select(time_selector)
            .next()
            .map(|time| {
                let time_text = clean_whitespace(&time.text().collect::<String>());
                text.replacen(&time_text, "", 1).trim().to_string()
            })
            .unwrap_or(text);
        changes.push(Change { date, note });
    }
    changes
}

/// GOV.UK's withdrawal notice ("This publication was withdrawn on 13
/// January 2015" and the explanation), worded as for content API items.
fn withdrawal_notice(notices: &[ElementRef]) -> Option<String> {
    let notice = *notices.iter().find(|notice| {
        notice
            .text()
            .any(|text| text.to_lowercase().contains("withdrawn"))
    })?;
    let title = notice
        .select(selector!(".gem-c-notice__title, h2, h3"))
        .next()
        .map(|title| clean_whitespace(&title.text().collect::<String>()));
    let mut explanation = String::new();
    match notice
        .select(selector!(".gem-c-govspeak, .govspeak, p"))
        .next()
    {
        Some(body) => flat_text(body, &mut explanation),
        None => flat_text(notice, &mut explanation),
    }
    let explanation = clean_whitespace(&explanation);
    let date = title.as_deref().and_then(find_date);
    Some(match date {
        Some(date) => format!("Withdrawn on {date}: {explanation}"),
        None => format!("Withdrawn: {explanation}"),
    })
}

/// A document kind for pages without GOV.UK's `govuk:format`, from who
/// published it and what it calls itself.
pub fn classify(title: &str, publisher: &str, schema_type: Option<&str>) -> String {
    let title = title.to_lowercase();
    let publisher = publisher.to_lowercase();
    let kind = if title.contains("government response")
        || title.contains("government’s response")
        || title.contains("government's response")
    {
        "government_response"
    } else if publisher.contains("committee")
        || publisher.contains("house of commons")
        || publisher.contains("house of lords")
    {
        "committee_report"
    } else if publisher.contains("audit office")
        || publisher.contains("audit scotland")
        || publisher.contains("audit wales")
        || publisher.contains("comptroller")
    {
        "audit_report"
    } else if publisher.contains("statistic")
        || publisher.contains("office for national statistics")
        || schema_type == Some("Dataset")
    {
        "official_statistics"
    } else if publisher.contains("office for budget responsibility") {
        "independent_report"
    } else {
        "web_page"
    };
    kind.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(body: &str) -> Capture {
        Capture {
            url: "https://example.org/page.html".into(),
            content_type: Some("text/html".into()),
            body: body.as_bytes().to_vec(),
            captured: "2025-01-01".into(),
            location: "test".into(),
            illustrative: false,
            metadata: None,
        }
    }

    #[test]
    fn drops_chrome_and_keeps_numbered_paragraphs() {
        let page = r#"<html><head><title>Report - Committees</title>
        <script type="application/ld+json">{"@type":"Report","name":"Report","datePublished":"2023-03-17","publisher":{"@type":"Organization","name":"Health and Social Care Committee"}}</script></head>
        <body><header>Site header</header><div class="gem-c-cookie-banner">cookies</div>
        <main><h1>Report</h1><h2>Chapter 1</h2>
        <p><span class="paragraph-number">12.</span> The target was met.</p>
        <p>Unnumbered text.</p>
        <table><thead><tr><th>Commitment</th><th>Overall rating</th><th>Funding</th></tr></thead>
        <tbody><tr><th scope="row">Digitise the NHS</th><td>Inadequate</td><td>Good</td></tr></tbody></table>
        </main><footer>Footer</footer></body></html>"#;
        let document = extract_html(&capture(page));
        assert_eq!(document.title, "Report");
        assert_eq!(document.publisher, "Health and Social Care Committee");
        assert_eq!(document.kind, "committee_report");
        assert_eq!(document.published.as_deref(), Some("2023-03-17"));
        let anchors: Vec<&str> = document
            .paragraphs
            .iter()
            .map(|p| p.anchor.as_str())
            .collect();
        assert_eq!(anchors, ["para-12", "p-1", "rating-1"]);
        assert_eq!(document.paragraphs[0].text, "The target was met.");
        assert_eq!(document.paragraphs[0].headings, ["Chapter 1"]);
        assert_eq!(document.ratings[0].overall, Some(Grade::Inadequate));
        assert_eq!(
            document.ratings[0].domains,
            [("Funding".to_string(), Grade::Good)]
        );
        let all_text: String = document.paragraphs.iter().map(|p| p.text.clone()).collect();
        assert!(!all_text.contains("cookies") && !all_text.contains("Footer"));
    }

    #[test]
    fn decodes_declared_and_undeclared_charsets() {
        assert_eq!(
            decode(b"caf\xe9", Some("text/html; charset=ISO-8859-1")),
            "café"
        );
        assert_eq!(
            decode(b"<meta charset=\"windows-1252\">\x93hi\x94", None),
            "<meta charset=\"windows-1252\">“hi”"
        );
        assert_eq!(decode(b"caf\xe9", None), "café");
        assert_eq!(decode("café".as_bytes(), None), "café");
    }

    #[test]
    fn sessions_and_paper_numbers() {
        assert_eq!(
            find_session("Fourth Report of Session 2022–23").as_deref(),
            Some("2022–23")
        );
        assert_eq!(
            find_session("HC 501 SESSION 2015-2016").as_deref(),
            Some("2015–16")
        );
        assert_eq!(find_session("in session today"), None);
        assert_eq!(
            find_paper_number("Report · HC 1228 · Published").as_deref(),
            Some("HC 1228")
        );
        assert_eq!(
            find_paper_number("HL Paper 12").as_deref(),
            Some("HL Paper 12")
        );
        assert_eq!(find_paper_number("HLWS45"), None);
    }

    #[test]
    fn paragraph_numbers() {
        assert_eq!(
            split_paragraph_number("12. The panel"),
            (Some(12), "The panel")
        );
        assert_eq!(split_paragraph_number("2023. was"), (None, "2023. was"));
        assert_eq!(split_paragraph_number("10 million"), (None, "10 million"));
    }
}
