//! Finding URLs: sitemaps and sitemap indexes, Atom and RSS feeds, and the
//! links of HTML pages. Pure functions of the text.

use std::io::Read;

use regex::Regex;
use url::Url;

/// What a sitemap lists: more sitemaps (an index) or pages.
#[derive(Debug, Default, PartialEq)]
pub struct Sitemap {
    pub sitemaps: Vec<String>,
    pub pages: Vec<String>,
}

/// Gunzips `body` if it is gzip (a `.xml.gz` sitemap).
pub fn maybe_gunzip(body: &[u8]) -> Vec<u8> {
    if body.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        if flate2::read::MultiGzDecoder::new(body)
            .take(200 << 20)
            .read_to_end(&mut out)
            .is_ok()
        {
            return out;
        }
    }
    body.to_vec()
}

pub fn parse_sitemap(text: &str) -> Sitemap {
    let loc = Regex::new(r"(?is)<(?:\w+:)?loc>\s*(.*?)\s*</(?:\w+:)?loc>").expect("valid regex");
    let urls: Vec<String> = loc
        .captures_iter(text)
        .map(|captures| unescape(strip_cdata(&captures[1])))
        .collect();
    if text.contains("<sitemapindex") || text.contains(":sitemapindex") {
        Sitemap {
            sitemaps: urls,
            pages: Vec::new(),
        }
    } else {
        Sitemap {
            sitemaps: Vec::new(),
            pages: urls,
        }
    }
}

/// Entry links of an Atom or RSS feed.
pub fn parse_feed(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let entry = Regex::new(r"(?is)<(entry|item)\b.*?</(?:entry|item)>").expect("valid regex");
    let atom_link = Regex::new(r#"(?is)<link\b([^>]*)/?>"#).expect("valid regex");
    let href = Regex::new(r#"(?is)href\s*=\s*["']([^"']+)["']"#).expect("valid regex");
    let rel = Regex::new(r#"(?is)rel\s*=\s*["']([^"']+)["']"#).expect("valid regex");
    let rss_link = Regex::new(r"(?is)<link>\s*(.*?)\s*</link>").expect("valid regex");
    for block in entry.find_iter(text) {
        let block = block.as_str();
        let mut found = None;
        for link in atom_link.captures_iter(block) {
            let attributes = &link[1];
            let relation = rel.captures(attributes).map(|c| c[1].to_ascii_lowercase());
            if let Some(target) = href.captures(attributes)
                && relation.as_deref().is_none_or(|r| r == "alternate")
            {
                found = Some(unescape(&target[1]));
                break;
            }
        }
        if found.is_none() {
            found = rss_link
                .captures(block)
                .map(|c| unescape(strip_cdata(&c[1])));
        }
        out.extend(found.filter(|link| !link.is_empty()));
    }
    out
}

/// Absolute targets of `<a href>` (and `<link>`/`<area>`) in an HTML page.
pub fn html_links(html: &str, base: &Url) -> Vec<Url> {
    page_links(html, base).0
}

/// The links of an HTML page (as [`html_links`]) and the URL its
/// `<link rel="canonical">` declares, if any.
pub fn page_links(html: &str, base: &Url) -> (Vec<Url>, Option<Url>) {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse("a[href], area[href]").expect("valid selector");
    let base = document
        .select(&scraper::Selector::parse("base[href]").expect("valid selector"))
        .next()
        .and_then(|element| element.value().attr("href"))
        .and_then(|href| base.join(href).ok())
        .unwrap_or_else(|| base.clone());
    let links = document
        .select(&selector)
        .filter_map(|element| element.value().attr("href"))
        .filter_map(|href| base.join(href.trim()).ok())
        .collect();
    let canonical = document
        .select(&scraper::Selector::parse("link[rel][href]").expect("valid selector"))
        .find(|element| {
            element.value().attr("rel").is_some_and(|rel| {
                rel.split_ascii_whitespace()
                    .any(|word| word.eq_ignore_ascii_case("canonical"))
            })
        })
        .and_then(|element| element.value().attr("href"))
        .and_then(|href| base.join(href.trim()).ok());
    (links, canonical)
}

fn strip_cdata(text: &str) -> &str {
    text.trim()
        .strip_prefix("<![CDATA[")
        .and_then(|rest| rest.strip_suffix("]]>"))
        .unwrap_or(text.trim())
}

fn unescape(text: &str) -> String {
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#38;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemaps_and_indexes() {
        let urlset = r#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://a.example/x?a=1&amp;b=2</loc><lastmod>2025-11-01</lastmod></url>
<url><loc> https://a.example/y </loc></url></urlset>"#;
        assert_eq!(
            parse_sitemap(urlset).pages,
            ["https://a.example/x?a=1&b=2", "https://a.example/y"]
        );
        let index = "<sitemapindex><sitemap><loc>https://a.example/s1.xml.gz</loc></sitemap></sitemapindex>";
        assert_eq!(
            parse_sitemap(index).sitemaps,
            ["https://a.example/s1.xml.gz"]
        );
    }

    #[test]
    fn feeds() {
        let atom = r#"<feed><link href="https://a.example/"/><entry><title>t</title>
<link rel="alternate" type="text/html" href="https://a.example/news/1"/></entry>
<entry><link href="https://a.example/news/2"/></entry></feed>"#;
        assert_eq!(
            parse_feed(atom),
            ["https://a.example/news/1", "https://a.example/news/2"]
        );
        let rss = "<rss><channel><link>https://a.example/</link><item><title>x</title><link>https://a.example/p/1</link></item></channel></rss>";
        assert_eq!(parse_feed(rss), ["https://a.example/p/1"]);
    }

    #[test]
    fn html_links_resolve_against_base() {
        let base = Url::parse("https://a.example/dir/page.html").unwrap();
        let links = html_links(r#"<a href="doc.pdf">d</a><a href="/top#frag">t</a>"#, &base);
        assert_eq!(links[0].as_str(), "https://a.example/dir/doc.pdf");
        assert_eq!(links[1].as_str(), "https://a.example/top#frag");
        let (_, canonical) = page_links(
            r#"<head><link rel="Canonical" href="/dir/page"></head><a href="x">x</a>"#,
            &base,
        );
        assert_eq!(canonical.unwrap().as_str(), "https://a.example/dir/page");
        assert!(page_links("<a href=\"x\">x</a>", &base).1.is_none());
    }
}
