//! A synthetic site for benchmarks, in the bundled corpus's formats:
//! GOV.UK-style pages, committee reports and audit landing pages with a
//! small PDF each, all linked to one another, with `robots.txt` and a
//! sitemap index over several sitemaps. Pages carry commitments ("We will
//! recruit 4,200 more nurses by March 2027") and assessments ("The target
//! of 4,200 more nurses has been met") over varied topics and figures.
//!
//! Deterministic: the same page count and seed give the same bytes. Links
//! are root-relative, so the site works under [`BASE_URL`] (through
//! `[crawl.resolve]`) and under a plain `http://127.0.0.1:PORT/` alike.
//! PDFs are listed in no sitemap: a crawler finds them through links.

use std::path::Path;

/// Where the site claims to live (canonical links and sitemaps).
pub const BASE_URL: &str = "https://synth.example/";
/// URLs per sitemap file.
pub const SITEMAP_SIZE: usize = 1000;

/// A tiny xorshift64* generator: enough for varied text, no dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Spreads the seed's bits (splitmix64) so nearby seeds differ at once.
    pub fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform-ish in `0..bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            return 0;
        }
        (self.next_u64() % bound as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A topic: the verb of the promise, what is counted, the department.
struct Topic {
    verb: &'static str,
    noun: &'static str,
    department: &'static str,
    area: &'static str,
}

const TOPICS: &[Topic] = &[
    Topic {
        verb: "recruit",
        noun: "nurses",
        department: "Department of Health and Social Care",
        area: "health",
    },
    Topic {
        verb: "recruit",
        noun: "GPs",
        department: "Department of Health and Social Care",
        area: "primary care",
    },
    Topic {
        verb: "build",
        noun: "hospitals",
        department: "Department of Health and Social Care",
        area: "the hospital estate",
    },
    Topic {
        verb: "recruit",
        noun: "teachers",
        department: "Department for Education",
        area: "schools",
    },
    Topic {
        verb: "create",
        noun: "childcare places",
        department: "Department for Education",
        area: "early years",
    },
    Topic {
        verb: "recruit",
        noun: "police officers",
        department: "Home Office",
        area: "policing",
    },
    Topic {
        verb: "build",
        noun: "homes",
        department: "Ministry of Housing, Communities and Local Government",
        area: "housing",
    },
    Topic {
        verb: "install",
        noun: "public chargepoints",
        department: "Department for Transport",
        area: "electric vehicles",
    },
    Topic {
        verb: "resurface",
        noun: "miles of road",
        department: "Department for Transport",
        area: "local roads",
    },
    Topic {
        verb: "plant",
        noun: "hectares of woodland",
        department: "Department for Environment, Food and Rural Affairs",
        area: "nature recovery",
    },
    Topic {
        verb: "connect",
        noun: "premises to gigabit broadband",
        department: "Department for Science, Innovation and Technology",
        area: "digital infrastructure",
    },
    Topic {
        verb: "train",
        noun: "apprentices",
        department: "Department for Work and Pensions",
        area: "skills",
    },
    Topic {
        verb: "retrofit",
        noun: "social homes",
        department: "Department for Energy Security and Net Zero",
        area: "home energy",
    },
    Topic {
        verb: "open",
        noun: "family hubs",
        department: "Department for Education",
        area: "family support",
    },
    Topic {
        verb: "deliver",
        noun: "additional GP appointments",
        department: "Department of Health and Social Care",
        area: "access to care",
    },
    Topic {
        verb: "fund",
        noun: "mental health support teams",
        department: "Department of Health and Social Care",
        area: "mental health",
    },
];

const COMMITTEES: &[&str] = &[
    "Health and Social Care Committee",
    "Education Committee",
    "Home Affairs Committee",
    "Transport Committee",
    "Public Accounts Committee",
    "Environmental Audit Committee",
    "Levelling Up, Housing and Communities Committee",
    "Science, Innovation and Technology Committee",
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const OPENERS: &[&str] = &[
    "Today the government set out",
    "Ministers have confirmed",
    "The department has published",
    "A new plan announced this week describes",
    "Following consultation, the government has agreed",
];

const FILLERS: &[&str] = &[
    "Local partners will be asked to share progress data every quarter.",
    "Funding will be allocated on a needs-based formula agreed with councils.",
    "Officials will work with providers to remove barriers to delivery.",
    "The programme builds on lessons from earlier pilots in the North East and the Midlands.",
    "Independent evaluation will report on value for money and outcomes.",
    "Regional boards will oversee delivery and publish minutes.",
    "Stakeholders welcomed the announcement but asked for a clearer timetable.",
    "The spending review settlement covers capital and resource budgets.",
    "Guidance for applicants will follow in the coming weeks.",
    "Data will be published as official statistics where possible.",
];

const STANCES: &[&str] = &[
    "has been met",
    "has been met",
    "has not been met",
    "is on track to be met",
    "is off track",
    "has been partly met",
];

/// One page's promise: what, how many, by when.
struct Promise {
    topic: usize,
    figure: u64,
    month: usize,
    year: u32,
}

fn promise(seed: u64, page: usize) -> Promise {
    // Each page's promise is a function of the seed and the page alone, so
    // a report can assess the promise of another page.
    let mut rng = Rng::new(seed ^ (page as u64).wrapping_mul(0x9e37_79b9));
    let topic = rng.below(TOPICS.len());
    let magnitude = [100u64, 1_000, 10_000, 50_000][rng.below(4)];
    let figure = (1 + rng.below(40) as u64) * magnitude / 4;
    Promise {
        topic,
        figure: figure.max(25),
        month: rng.below(12),
        year: 2024 + rng.below(7) as u32,
    }
}

/// `12,500`
fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for character in text.chars() {
        if character.is_ascii_alphanumeric() {
            out.push(character.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What kind of page `index` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    News,
    Publication,
    Committee,
    Audit,
}

fn kind_of(index: usize) -> Kind {
    match index % 10 {
        0..=4 => Kind::News,
        5 | 6 => Kind::Publication,
        7 | 8 => Kind::Committee,
        _ => Kind::Audit,
    }
}

fn title_of(seed: u64, index: usize) -> String {
    let promise = promise(seed, index);
    let topic = &TOPICS[promise.topic];
    match kind_of(index) {
        Kind::News => format!(
            "Government to {} {} more {} ({index})",
            topic.verb,
            thousands(promise.figure),
            topic.noun
        ),
        Kind::Publication => format!("Delivery plan for {} {index}", topic.area),
        Kind::Committee => format!("Progress on {} {index}", topic.area),
        Kind::Audit => format!("Investigation into {} {index}", topic.area),
    }
}

/// The root-relative path of page `index`.
fn path_of(seed: u64, index: usize) -> String {
    let title = slug(&title_of(seed, index));
    match kind_of(index) {
        Kind::News => format!("government/news/{title}.html"),
        Kind::Publication => format!("government/publications/{title}.html"),
        Kind::Committee => format!("committees/publications/{}/{title}.html", 30_000 + index),
        Kind::Audit => format!("nao/reports/{title}/index.html"),
    }
}

fn published_of(seed: u64, index: usize) -> (u32, usize, usize) {
    let mut rng = Rng::new(seed.rotate_left(17) ^ index as u64);
    let promise = promise(seed, index);
    let year = match kind_of(index) {
        Kind::News | Kind::Publication => promise.year.saturating_sub(2 + rng.below(2) as u32),
        Kind::Committee | Kind::Audit => promise.year.saturating_sub(rng.below(2) as u32),
    };
    (year.max(2019), rng.below(12), 1 + rng.below(28))
}

/// Every file of a site of `pages` pages, in a fixed order, handed to `emit`
/// with its root-relative path.
pub fn for_each_file(pages: usize, seed: u64, mut emit: impl FnMut(&str, Vec<u8>)) {
    emit(
        "robots.txt",
        format!(
            "# A synthetic site for pledgewatch benchmarks.\nUser-agent: *\nAllow: /\nDisallow: /search\n\nSitemap: {BASE_URL}sitemap.xml\n"
        )
        .into_bytes(),
    );
    let mut home = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Synthetic site - GOV.UK</title></head><body><main><h1>Synthetic site</h1><ul>\n",
    );
    for index in (0..pages).step_by((pages / 50).max(1)) {
        home.push_str(&format!(
            "<li><a href=\"/{}\">{}</a></li>\n",
            path_of(seed, index),
            escape(&title_of(seed, index))
        ));
    }
    home.push_str("</ul></main></body></html>\n");
    emit("index.html", home.into_bytes());

    let mut sitemap_count = 0;
    let mut sitemap = String::new();
    for index in 0..pages {
        let mut rng = Rng::new(seed ^ 0x5151 ^ (index as u64) << 20);
        let path = path_of(seed, index);
        let (html, pdf) = page(seed, index, pages, &mut rng);
        emit(&path, html.into_bytes());
        if let Some((pdf_path, pdf)) = pdf {
            emit(&pdf_path, pdf);
        }
        if sitemap.is_empty() {
            sitemap.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        }
        let (year, month, day) = published_of(seed, index);
        sitemap.push_str(&format!(
            "  <url><loc>{BASE_URL}{path}</loc><lastmod>{year}-{:02}-{day:02}</lastmod></url>\n",
            month + 1
        ));
        if (index + 1) % SITEMAP_SIZE == 0 || index + 1 == pages {
            sitemap.push_str("</urlset>\n");
            emit(
                &format!("sitemaps/sitemap-{sitemap_count}.xml"),
                std::mem::take(&mut sitemap).into_bytes(),
            );
            sitemap_count += 1;
        }
    }
    let mut index_file = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for number in 0..sitemap_count {
        index_file.push_str(&format!(
            "  <sitemap><loc>{BASE_URL}sitemaps/sitemap-{number}.xml</loc></sitemap>\n"
        ));
    }
    index_file.push_str("</sitemapindex>\n");
    emit("sitemap.xml", index_file.into_bytes());
}

/// Writes a site of `pages` HTML pages (and a PDF for every tenth) into `dir`.
pub fn generate_site(dir: &Path, pages: usize, seed: u64) -> std::io::Result<()> {
    let mut result = Ok(());
    for_each_file(pages, seed, |path, bytes| {
        if result.is_err() {
            return;
        }
        let file = dir.join(path);
        result = file
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&file, bytes));
    });
    result
}

fn commitment_sentence(promise: &Promise) -> String {
    let topic = &TOPICS[promise.topic];
    format!(
        "We will {} {} more {} by {} {}.",
        topic.verb,
        thousands(promise.figure),
        topic.noun,
        MONTHS[promise.month],
        promise.year
    )
}

fn assessment_sentence(promise: &Promise, stance: &str) -> String {
    let topic = &TOPICS[promise.topic];
    format!(
        "The target of {} more {} {stance}.",
        thousands(promise.figure),
        topic.noun
    )
}

fn filler(rng: &mut Rng, count: usize) -> String {
    let mut out = Vec::new();
    for _ in 0..count {
        out.push(*rng.pick(FILLERS));
    }
    out.join(" ")
}

/// A page and, for an audit landing page, its PDF.
fn page(
    seed: u64,
    index: usize,
    pages: usize,
    rng: &mut Rng,
) -> (String, Option<(String, Vec<u8>)>) {
    let own = promise(seed, index);
    let topic = &TOPICS[own.topic];
    let title = title_of(seed, index);
    let path = path_of(seed, index);
    let (year, month, day) = published_of(seed, index);
    let date_iso = format!("{year}-{:02}-{day:02}", month + 1);
    let date_text = format!("{day} {} {year}", MONTHS[month]);
    // Links: the next page (so a recursive crawl from the home page reaches
    // all), and a few others.
    let mut links = vec![(index + 1) % pages.max(1)];
    for _ in 0..3 {
        links.push(rng.below(pages.max(1)));
    }
    let related: String = links
        .iter()
        .map(|other| {
            format!(
                "<li><a href=\"/{}\">{}</a></li>",
                path_of(seed, *other),
                escape(&title_of(seed, *other))
            )
        })
        .collect();
    // An earlier page whose promise this one assesses.
    let assessed_index = index.saturating_sub(1 + rng.below(20));
    let assessed = promise(seed, assessed_index);
    let stance = *rng.pick(STANCES);
    match kind_of(index) {
        Kind::News | Kind::Publication => {
            let format = if kind_of(index) == Kind::News {
                "press_release"
            } else {
                "policy_paper"
            };
            let body = format!(
                "<h2 id=\"plan\">The plan</h2>\n<p>{} a plan for {}. {}</p>\n<p>{}</p>\n<h2 id=\"figures\">Figures</h2>\n<p>Spending on {} rose to £{} million in {}, up {}% on the year before. {}</p>\n",
                rng.pick(OPENERS),
                topic.area,
                commitment_sentence(&own),
                filler(rng, 3),
                topic.area,
                thousands(10 + rng.below(5000) as u64),
                year.saturating_sub(1),
                1 + rng.below(30),
                filler(rng, 2),
            );
            let html = format!(
                "<!DOCTYPE html>\n<html lang=\"en\" class=\"govuk-template\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>{title_html} - GOV.UK</title>\n  <meta name=\"description\" content=\"{description}\">\n  <link rel=\"canonical\" href=\"{BASE_URL}{path}\">\n  <meta name=\"govuk:format\" content=\"{format}\">\n  <meta name=\"govuk:first-published-at\" content=\"{date_iso}T09:30:00+00:00\">\n  <meta name=\"govuk:public-updated-at\" content=\"{date_iso}T09:30:00+00:00\">\n</head>\n<body class=\"govuk-template__body\">\n  <header class=\"govuk-header\"><a href=\"/index.html\" class=\"govuk-header__link\">GOV.UK</a></header>\n  <div class=\"govuk-width-container\">\n  <main class=\"govuk-main-wrapper\" id=\"content\" role=\"main\" lang=\"en\">\n    <div class=\"gem-c-title\"><h1 class=\"gem-c-title__text\">{title_html}</h1></div>\n    <p class=\"gem-c-lead-paragraph\">{description}</p>\n    <div class=\"gem-c-metadata\"><dl>\n      <dt class=\"gem-c-metadata__term\">From:</dt><dd class=\"gem-c-metadata__definition\">{department}</dd>\n      <dt class=\"gem-c-metadata__term\">Published</dt><dd class=\"gem-c-metadata__definition\">{date_text}</dd>\n    </dl></div>\n    <div class=\"govspeak\">\n{body}    </div>\n  </main>\n  <div class=\"gem-c-related-navigation\"><h2>Related content</h2><ul>{related}</ul></div>\n  </div>\n  <footer class=\"govuk-footer\" role=\"contentinfo\"><p>© Crown copyright</p></footer>\n</body></html>\n",
                title_html = escape(&title),
                description = escape(&format!("How the government will improve {}.", topic.area)),
                department = escape(topic.department),
            );
            (html, None)
        }
        Kind::Committee => {
            let committee = *rng.pick(COMMITTEES);
            let mut paragraphs = String::new();
            let sentences = [
                format!(
                    "In {} the Government promised: “{}”",
                    assessed.year.saturating_sub(3),
                    commitment_sentence(&assessed)
                ),
                format!(
                    "{} Witnesses told us that progress varied between regions.",
                    assessment_sentence(&assessed, stance)
                ),
                filler(rng, 3),
                format!(
                    "We recommend that the Government publishes {} data on {} every six months.",
                    rng.pick(&["quarterly", "regional", "audited"]),
                    topic.area
                ),
            ];
            for (number, sentence) in sentences.iter().enumerate() {
                paragraphs.push_str(&format!(
                    "<p id=\"para-{n}\"><span class=\"paragraph-number\">{n}.</span> {text}</p>\n",
                    n = number + 1,
                    text = escape(sentence)
                ));
            }
            let html = format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title_html} - Committees - UK Parliament</title>\n<link rel=\"canonical\" href=\"{BASE_URL}{path}\">\n<script type=\"application/ld+json\">{{\"@context\": \"https://schema.org\", \"@type\": \"Report\", \"name\": \"{title_html}\", \"datePublished\": \"{date_iso}\", \"publisher\": {{\"@type\": \"Organization\", \"name\": \"House of Commons {committee}\"}}}}</script>\n</head><body>\n<header class=\"site-header\"><a href=\"/index.html\">UK Parliament</a></header>\n<main id=\"main-content\">\n<h1>{title_html}</h1>\n<p class=\"report-meta\">Report of Session {session} · Published <time datetime=\"{date_iso}\">{date_text}</time> by the House of Commons {committee}</p>\n<h2 id=\"chapter-1\">1 Progress</h2>\n{paragraphs}<h2>Related</h2><ul>{related}</ul>\n</main>\n<footer>© UK Parliament {year}</footer></body></html>\n",
                title_html = escape(&title),
                session = format_args!("{}–{:02}", year, (year + 1) % 100),
            );
            (html, None)
        }
        Kind::Audit => {
            let directory = path.trim_end_matches("index.html");
            let pdf_name = format!("{}.pdf", slug(&title));
            let lines = vec![
                title.clone(),
                format!("Report by the Comptroller and Auditor General, {date_text}"),
                format!("1. {}", commitment_sentence(&assessed)),
                format!("2. {}", assessment_sentence(&assessed, stance)),
                format!(
                    "3. The department spent £{} million on {} in {}.",
                    thousands(5 + rng.below(900) as u64),
                    topic.area,
                    year.saturating_sub(1)
                ),
                format!("4. {}", filler(rng, 1)),
            ];
            let pdf = minimal_pdf(&lines);
            let html = format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title_html} - National Audit Office (NAO)</title>\n<link rel=\"canonical\" href=\"{BASE_URL}{path}\">\n<meta name=\"citation_publication_date\" content=\"{date_iso}\">\n</head><body>\n<main>\n<h1>{title_html}</h1>\n<p>Published {date_text} by the National Audit Office.</p>\n<p>{summary}</p>\n<p><a href=\"{pdf_name}\">Download the full report (PDF)</a></p>\n<ul>{related}</ul>\n</main></body></html>\n",
                title_html = escape(&title),
                summary = escape(&assessment_sentence(&assessed, stance)),
            );
            (html, Some((format!("{directory}{pdf_name}"), pdf)))
        }
    }
}

/// A one-page PDF 1.4 with a Helvetica text layer: one line per entry.
pub fn minimal_pdf(lines: &[String]) -> Vec<u8> {
    let mut content = String::from("BT\n/F1 11 Tf\n14 TL\n50 800 Td\n");
    for line in lines {
        let ascii: String = line
            .chars()
            .map(|character| match character {
                '£' => "GBP ".to_string(),
                '“' | '”' => "\"".to_string(),
                '–' => "-".to_string(),
                '(' | ')' | '\\' => format!("\\{character}"),
                other if other.is_ascii() && !other.is_ascii_control() => other.to_string(),
                _ => "?".to_string(),
            })
            .collect();
        content.push_str(&format!("({ascii}) Tj T*\n"));
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (number, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", number + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn files(pages: usize, seed: u64) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        for_each_file(pages, seed, |path, bytes| {
            out.insert(path.to_string(), bytes);
        });
        out
    }

    #[test]
    fn deterministic_and_seeded() {
        assert_eq!(files(40, 7), files(40, 7));
        assert_ne!(files(40, 7), files(40, 8));
        let site = files(2500, 1);
        // 2,500 pages, 250 PDFs, 3 sitemaps, the index, robots.txt, home.
        assert_eq!(site.len(), 2500 + 250 + 3 + 3);
        let index = String::from_utf8(site["sitemap.xml"].clone()).unwrap();
        assert_eq!(index.matches("<sitemap>").count(), 3);
        let listed: usize = (0..3)
            .map(|n| {
                String::from_utf8_lossy(&site[&format!("sitemaps/sitemap-{n}.xml")])
                    .matches("<loc>")
                    .count()
            })
            .sum();
        assert_eq!(listed, 2500);
    }

    #[test]
    fn pages_extract_with_commitments_and_assessments() {
        let site = files(30, 3);
        let mut commitments = 0;
        let mut assessments = 0;
        let mut pdfs = 0;
        for (path, body) in &site {
            let content_type = if path.ends_with(".pdf") {
                "application/pdf"
            } else if path.ends_with(".html") {
                "text/html"
            } else {
                continue;
            };
            let capture = crate::extract::Capture {
                url: format!("{BASE_URL}{path}"),
                content_type: Some(content_type.into()),
                body: body.clone(),
                captured: "2030-01-01".into(),
                location: path.clone(),
                illustrative: false,
                metadata: None,
            };
            let document =
                crate::extract::extract(&capture).unwrap_or_else(|error| panic!("{path}: {error}"));
            assert!(!document.title.is_empty(), "{path}");
            let text: String = document
                .paragraphs
                .iter()
                .map(|paragraph| paragraph.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            commitments += usize::from(text.contains("We will "));
            assessments += usize::from(text.contains("The target of "));
            if content_type == "application/pdf" {
                pdfs += 1;
                assert!(text.contains("The target of"), "{path}: {text}");
            }
        }
        assert_eq!(pdfs, 3);
        assert!(commitments >= 20, "{commitments}");
        assert!(assessments >= 8, "{assessments}");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(5), "5");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
