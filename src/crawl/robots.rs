//! robots.txt (RFC 9309): groups by user agent, the longest matching rule
//! wins, `allow` wins a tie, `*` matches any run of characters and a final
//! `$` anchors the end. `Crawl-delay` and `Sitemap` lines are kept too.

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Robots {
    rules: Vec<Rule>,
    pub crawl_delay: Option<f64>,
    pub sitemaps: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    allow: bool,
    pattern: String,
}

impl Robots {
    /// Rules that allow everything (robots.txt missing: 4xx).
    pub fn allow_all() -> Self {
        Self::default()
    }

    /// Rules that allow nothing (robots.txt unreachable: 5xx or network error).
    pub fn disallow_all() -> Self {
        Self {
            rules: vec![Rule {
                allow: false,
                pattern: "/".into(),
            }],
            ..Self::default()
        }
    }

    /// The rules of `text` that apply to the crawler called `product`
    /// (the user agent's product token, e.g. `pledgewatch`).
    pub fn parse(text: &str, product: &str) -> Self {
        let product = product.to_ascii_lowercase();
        // Each group: its user agents, rules and crawl delay.
        let mut groups: Vec<(Vec<String>, Vec<Rule>, Option<f64>)> = Vec::new();
        let mut sitemaps = Vec::new();
        let mut in_agents = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if !in_agents {
                        groups.push((Vec::new(), Vec::new(), None));
                        in_agents = true;
                    }
                    if let Some(group) = groups.last_mut() {
                        group.0.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    if let Some(group) = groups.last_mut()
                        && !value.is_empty()
                    {
                        group.1.push(Rule {
                            allow: key == "allow",
                            pattern: value.to_string(),
                        });
                    }
                }
                "crawl-delay" => {
                    in_agents = false;
                    if let Some(group) = groups.last_mut() {
                        group.2 = value
                            .parse::<f64>()
                            .ok()
                            .filter(|delay| delay.is_finite() && *delay >= 0.0);
                    }
                }
                "sitemap" => sitemaps.push(value.to_string()),
                _ => {}
            }
        }
        let matches_product = |agents: &Vec<String>| agents.contains(&product);
        let chosen: Vec<_> = if groups.iter().any(|group| matches_product(&group.0)) {
            groups
                .into_iter()
                .filter(|group| matches_product(&group.0))
                .collect()
        } else {
            groups
                .into_iter()
                .filter(|group| group.0.iter().any(|agent| agent == "*"))
                .collect()
        };
        let mut robots = Robots {
            sitemaps,
            ..Self::default()
        };
        for (_, rules, delay) in chosen {
            robots.rules.extend(rules);
            robots.crawl_delay = robots.crawl_delay.or(delay);
        }
        robots
    }

    /// Whether the path and query `path` (starting with `/`) may be fetched.
    pub fn allowed(&self, path: &str) -> bool {
        if path == "/robots.txt" {
            return true;
        }
        let mut best: Option<(usize, bool)> = None;
        for rule in &self.rules {
            if pattern_matches(&rule.pattern, path) {
                let length = rule.pattern.len();
                best = match best {
                    Some((best_length, best_allow))
                        if best_length > length || (best_length == length && best_allow) =>
                    {
                        Some((best_length, best_allow))
                    }
                    _ => Some((length, rule.allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Whether a robots.txt path pattern matches a path from its start.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(stripped) => (stripped, true),
        None => (pattern, false),
    };
    let pattern = normalise_escapes(pattern);
    let path = normalise_escapes(path);
    glob(pattern.as_bytes(), path.as_bytes(), anchored)
}

/// Upper-cases percent escapes so `%2f` and `%2F` compare equal.
fn normalise_escapes(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' && index + 2 < bytes.len() {
            out.push('%');
            out.push(bytes[index + 1].to_ascii_uppercase() as char);
            out.push(bytes[index + 2].to_ascii_uppercase() as char);
            index += 3;
        } else {
            out.push(bytes[index] as char);
            index += 1;
        }
    }
    out
}

fn glob(pattern: &[u8], text: &[u8], anchored: bool) -> bool {
    match pattern.split_first() {
        None => !anchored || text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|skip| glob(rest, &text[skip..], anchored)),
        Some((byte, rest)) => text.first() == Some(byte) && glob(rest, &text[1..], anchored),
    }
}

/// The product token of a user agent string: `pledgewatch` in
/// `pledgewatch/0.1 (+https://example.org/bot)`.
pub fn product_token(user_agent: &str) -> String {
    user_agent
        .split(|c: char| c == '/' || c.is_whitespace())
        .next()
        .unwrap_or("")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
# comment
User-agent: *
Allow: /
Disallow: /search
Disallow: /private/
Allow: /private/public$
Disallow: /*.json$
Crawl-delay: 2

User-agent: otherbot
Disallow: /

Sitemap: https://pledgewatch.example/sitemap.xml
";

    #[test]
    fn longest_match_wins() {
        let robots = Robots::parse(TEXT, "pledgewatch");
        assert!(robots.allowed("/"));
        assert!(robots.allowed("/statistics/page.html"));
        assert!(!robots.allowed("/search"));
        assert!(!robots.allowed("/search?q=nhs"));
        assert!(!robots.allowed("/searching"));
        assert!(!robots.allowed("/private/x"));
        assert!(robots.allowed("/private/public"));
        assert!(!robots.allowed("/private/public/more"));
        assert!(robots.allowed("/robots.txt"));
        assert_eq!(robots.crawl_delay, Some(2.0));
        assert_eq!(robots.sitemaps, ["https://pledgewatch.example/sitemap.xml"]);
    }

    #[test]
    fn wildcards_and_anchors() {
        let robots = Robots::parse(TEXT, "pledgewatch");
        assert!(!robots.allowed("/api/a.json"));
        assert!(robots.allowed("/api/a.json?x=1"));
        assert!(robots.allowed("/api/a.jsonl"));
        assert!(pattern_matches("/a*b*c", "/aXXbYYc/d"));
        assert!(!pattern_matches("/a*b*c$", "/aXXbYYc/d"));
        assert!(pattern_matches("/%2fx", "/%2Fx"));
    }

    #[test]
    fn specific_group_replaces_star_and_ties_favour_allow() {
        let robots = Robots::parse(TEXT, "OtherBot");
        assert!(!robots.allowed("/statistics"));
        let tie = Robots::parse("User-agent: *\nDisallow: /page\nAllow: /page\n", "x");
        assert!(tie.allowed("/page"));
        let empty = Robots::parse("User-agent: *\nDisallow:\n", "x");
        assert!(empty.allowed("/anything"));
        assert!(!Robots::disallow_all().allowed("/x"));
        assert!(Robots::allow_all().allowed("/x"));
        // Several user-agent lines share one group.
        let shared = Robots::parse(
            "User-agent: a\nUser-agent: pledgewatch\nDisallow: /x\n",
            "pledgewatch",
        );
        assert!(!shared.allowed("/x"));
    }

    #[test]
    fn product_tokens() {
        assert_eq!(
            product_token("pledgewatch/0.1 (+https://x.example)"),
            "pledgewatch"
        );
        assert_eq!(product_token("bot"), "bot");
    }
}
