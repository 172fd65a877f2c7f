//! Deadlines as governments write them, resolved against the date of the
//! document: "by March 2023", "by the end of 2024", "in 2024/25",
//! "by Q3 2025", "by spring 2026", "by the end of this Parliament",
//! "by the mid-2020s".

use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;

use crate::extract::text::{iso, month_end, month_number};

/// UK Parliaments: (first day, last day). The current one ends at its
/// automatic dissolution, five years after it first met.
pub const PARLIAMENTS: &[(&str, &str)] = &[
    ("2005-05-05", "2010-04-12"),
    ("2010-05-06", "2015-03-30"),
    ("2015-05-07", "2017-05-03"),
    ("2017-06-08", "2019-11-06"),
    ("2019-12-12", "2024-05-30"),
    ("2024-07-04", "2029-07-09"),
];

/// The end of the Parliament in which (or, between Parliaments, after
/// which) a document was published.
pub fn parliament_end(published: &str) -> Option<String> {
    PARLIAMENTS
        .iter()
        .find(|(_, end)| published <= *end)
        .map(|(_, end)| end.to_string())
}

#[derive(Debug, Clone, PartialEq)]
pub struct Deadline {
    /// The last day of the period.
    pub date: String,
    /// The words that gave it.
    pub text: String,
}

static DEADLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&super::ascii_boundaries(
        r"(?ix)
        (?:\b(?P<lead>by|before|in\ time\ for|between\ now\ and|in|within|over|during|throughout|until|no\ later\ than|from|on\ or\ after|on|between|for\ the\ period|for|up\ to|to)\s+)?
        (?:the\ )?(?:(?:end|close|course|lifetime|life)\ of\ (?:the\ )?)?
        (?:
            (?P<parl>(?:(?:this|the|next)\ )?parliament)
          | (?P<election>next\ (?:general\ )?election)
          | (?P<fyspan>(?:19|20)\d\d\s?[/\-–]\s?(?:19|20)?\d\d)\s+(?:to|and|until|-|–)\s+(?P<lastfy1>(?:19|20)\d\d)\s?[/\-–]\s?(?P<lastfy2>(?:19|20)?\d\d)\b
          | (?P<span1>(?:19|20)\d\d)\s+(?:to|and|until|-|–)\s+(?P<span2>(?:19|20)\d\d)\b
          | (?P<this>this|next)\ (?P<unit>year|decade|financial\ year)
          | (?P<thisseason>this|next)\ (?P<season2>spring|summer|autumn|winter)\b
          | next\ (?P<nextmonth>january|february|march|april|may|june|july|august|september|october|november|december)\b
          | (?P<bare_decade>decade)\b
          | (?P<part>early|mid|late)[-\s]?(?P<decade>(?:19|20)\d0)s
          | (?P<fy1>(?:19|20)\d\d)\s?[/\-–]\s?(?P<fy2>(?:19|20)?\d\d)\b
          | (?:q(?P<q>[1-4])|(?P<qword>first|second|third|fourth)\ quarter\ of)\s+(?P<qyear>(?:19|20)\d\d)
          | (?P<season>spring|summer|autumn|winter)\s+(?P<syear>(?:19|20)\d\d)
          | (?P<half>first|second)\ (?:half|six\ months)\ of\s+(?P<hyear>(?:19|20)\d\d)
          | (?:(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+)?(?P<month>january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?\s+(?P<myear>(?:19|20)\d\d)
          | (?P<year>(?:19|20)\d\d)\b
        )",
    ))
    .expect("deadline pattern")
});

/// The first deadline a sentence states, resolved against `published`.
pub fn find_deadline(sentence: &str, published: Option<&str>) -> Option<Deadline> {
    find_deadlines(sentence, published).into_iter().next()
}

/// Every deadline a sentence states, in order.
pub fn find_deadlines(sentence: &str, published: Option<&str>) -> Vec<Deadline> {
    let mut found = Vec::new();
    for captures in DEADLINE.captures_iter(sentence) {
        let lead = captures
            .name("lead")
            .map_or("", |m| m.as_str())
            .to_lowercase();
        // "from October 2023 the cap will apply", "from 1 April 2024", "from
        // 2026-27": in force by then; "from 2023" is too vague, and "from
        // 2017-18 levels" is a baseline
        // "on 1 June 2025", "on or after 1 January 2025": a day, not "on 2024's figures"
        if lead.starts_with("on") && captures.name("day").is_none() {
            continue;
        }
        // "between 2026 and 2028", "for the period 2026 to 2030", "for 2026
        // to 2028": a span
        if matches!(lead.as_str(), "between" | "for the period" | "for")
            && captures.name("span1").is_none()
            && captures.name("fyspan").is_none()
        {
            continue;
        }
        let start = captures.get(0).map_or(0, |m| m.start());
        let before = sentence[..start].trim_end().to_lowercase();
        // "£725 more than in 2025-26", "compared with 2019": a baseline
        if ["than", "compared with", "compared to", "since"]
            .iter()
            .any(|words| before.ends_with(words))
        {
            continue;
        }
        // "in every year to 2029-30", "in the three years up to 2028": the
        // end of a run of years; otherwise "to" leads nowhere ("rise to 2027
        // levels") and the period stands alone
        let lead = if matches!(lead.as_str(), "to" | "up to")
            && !(before.ends_with("year") || before.ends_with("years"))
        {
            if captures.name("this").is_none()
                && captures.name("thisseason").is_none()
                && captures.name("parl").is_none()
            {
                continue;
            }
            String::new()
        } else {
            lead
        };
        // "before the next general election": within this Parliament
        if captures.name("election").is_some()
            && !matches!(lead.as_str(), "by" | "before" | "in time for")
        {
            continue;
        }
        if lead == "from" {
            // a year still to come is when a change starts ("will rise to 2.6%
            // of GDP from 2027"); a past one is history or a baseline
            let coming_year = captures.name("year").is_some_and(|year| {
                published.is_some_and(|published| published.get(..4) <= Some(year.as_str()))
            });
            let dated = coming_year
                || [
                    "month",
                    "fy1",
                    "lastfy1",
                    "qyear",
                    "season",
                    "thisseason",
                    "nextmonth",
                    "span1",
                ]
                .iter()
                .any(|name| captures.name(name).is_some());
            let rest = captures
                .get(0)
                .map_or("", |m| &sentence[m.end()..])
                .trim_start()
                .to_lowercase();
            let baseline = [
                "level", "baseline", "base", "figure", "value", "price", "rate",
            ]
            .iter()
            .any(|word| rest.starts_with(word))
                // "from 2023 to 2025" is a span read on its own
                || (captures.name("year").is_some() && rest.starts_with("to "));
            if !dated || baseline {
                continue;
            }
        }
        let whole = captures.get(0).map_or("", |m| m.as_str()).to_string();
        // without "by", "in"...: only "this year", "this Parliament" and the like name a period
        if captures.name("lead").is_none()
            && captures.name("this").is_none()
            && captures.name("thisseason").is_none()
            && captures.name("parl").is_none()
        {
            continue;
        }
        // "lay a report before Parliament" names the institution, not a period
        if captures.name("parl").is_some() {
            let whole_lower = whole.to_lowercase();
            let period = ["end of", "close of", "this parliament", "next parliament"]
                .iter()
                .any(|words| whole_lower.contains(words));
            let over_the = whole_lower.contains("the parliament")
                && matches!(lead.as_str(), "in" | "over" | "during" | "within");
            if !period && !over_the {
                continue;
            }
        }
        let date = resolve(&captures, published);
        // a bare year after "in" is a date of an event ("set in 2019"), not
        // a deadline, unless it names a whole period ("in 2024/25", "in this
        // Parliament") or a year not yet over ("launch ... in 2022",
        // written in 2019)
        if lead == "in"
            && let Some(year) = captures.name("year")
            && published.is_none_or(|published| published.get(..4) > Some(year.as_str()))
        {
            continue;
        }
        if let Some(date) = date {
            found.push(Deadline { date, text: whole });
        }
    }
    found
}

fn resolve(captures: &regex::Captures, published: Option<&str>) -> Option<String> {
    let published_year: Option<i16> = published.and_then(|date| date.get(..4)?.parse().ok());
    if captures.name("election").is_some() {
        return parliament_end(published?);
    }
    if captures.name("parl").is_some() {
        let reference = published?;
        let text = captures.name("parl")?.as_str().to_lowercase();
        let end = parliament_end(reference)?;
        if text.starts_with("next") {
            let position = PARLIAMENTS.iter().position(|(_, last)| *last == end)?;
            // between Parliaments (a manifesto), the next one is the one to come
            let sitting = PARLIAMENTS[position].0 <= reference;
            if !sitting {
                return Some(end);
            }
            return PARLIAMENTS
                .get(position + 1)
                .map(|(_, last)| last.to_string());
        }
        return Some(end);
    }
    if let Some(last) = captures.name("span2") {
        let first: i16 = captures.name("span1")?.as_str().parse().ok()?;
        let last: i16 = last.as_str().parse().ok()?;
        return (last > first).then(|| format!("{last:04}-12-31"));
    }
    if let Some(month) = captures.name("nextmonth") {
        // "next April": the first April after the document
        let month = month_number(month.as_str())?;
        let year = published_year?;
        let published_month: i8 = published?.get(5..7)?.parse().ok()?;
        let year = if month > published_month {
            year
        } else {
            year + 1
        };
        return month_end(year, month).map(iso);
    }
    if let Some(season) = captures.name("season2") {
        // "this winter" runs into the next year (December to February)
        let year = published_year?;
        let month: i8 = published?.get(5..7)?.parse().ok()?;
        let next = i16::from(
            captures
                .name("thisseason")?
                .as_str()
                .eq_ignore_ascii_case("next"),
        );
        let (end_year, end_month) = match season.as_str().to_lowercase().as_str() {
            "spring" => (year, 5),
            "summer" => (year, 8),
            "autumn" => (year, 11),
            _ if month <= 2 => (year, 2),
            _ => (year + 1, 2),
        };
        return month_end(end_year + next, end_month).map(iso);
    }
    if let Some(which) = captures.name("this") {
        let year = published_year?
            + if which.as_str().eq_ignore_ascii_case("next") {
                1
            } else {
                0
            };
        let unit = captures.name("unit")?.as_str().to_lowercase();
        return match unit.as_str() {
            "year" => Some(format!("{year:04}-12-31")),
            "decade" => Some(format!("{:04}-12-31", year - year % 10 + 9)),
            _ => {
                let month: i16 = published?.get(5..7)?.parse().ok()?;
                let end_year = if month >= 4 { year + 1 } else { year };
                Some(format!("{end_year:04}-03-31"))
            }
        };
    }
    if captures.name("bare_decade").is_some() {
        let year = published_year?;
        return Some(format!("{:04}-12-31", year - year % 10 + 9));
    }
    if let Some(part) = captures.name("part") {
        let decade: i16 = captures.name("decade")?.as_str().parse().ok()?;
        let year = match part.as_str().to_lowercase().as_str() {
            "early" => decade + 3,
            "mid" => decade + 5,
            _ => decade + 9,
        };
        return Some(format!("{year:04}-12-31"));
    }
    // "between 2026-27 and 2028-29": the end of the last financial year
    let financial_year = captures
        .name("fy1")
        .zip(captures.name("fy2"))
        .or(captures.name("lastfy1").zip(captures.name("lastfy2")));
    if let Some((first, second)) = financial_year {
        let first: i16 = first.as_str().parse().ok()?;
        let second_text = second.as_str();
        let second: i16 = if second_text.len() == 2 {
            first - first % 100 + second_text.parse::<i16>().ok()?
        } else {
            second_text.parse().ok()?
        };
        // "2024/25" is a financial year; "2020-2030" is a span: both end in the second year
        if second == first + 1 {
            return Some(format!("{second:04}-03-31"));
        }
        if second > first {
            return Some(format!("{second:04}-12-31"));
        }
        return None;
    }
    if let Some(year) = captures.name("qyear") {
        let year: i16 = year.as_str().parse().ok()?;
        let quarter: i8 = match captures.name("q") {
            Some(q) => q.as_str().parse().ok()?,
            None => match captures.name("qword")?.as_str().to_lowercase().as_str() {
                "first" => 1,
                "second" => 2,
                "third" => 3,
                _ => 4,
            },
        };
        return month_end(year, quarter * 3).map(iso);
    }
    if let Some(half) = captures.name("half") {
        let year: i16 = captures.name("hyear")?.as_str().parse().ok()?;
        let month = if half.as_str().eq_ignore_ascii_case("first") {
            6
        } else {
            12
        };
        return month_end(year, month).map(iso);
    }
    if let Some(season) = captures.name("season") {
        let year: i16 = captures.name("syear")?.as_str().parse().ok()?;
        let (end_year, month) = match season.as_str().to_lowercase().as_str() {
            "spring" => (year, 5),
            "summer" => (year, 8),
            "autumn" => (year, 11),
            _ => (year + 1, 2),
        };
        return month_end(end_year, month).map(iso);
    }
    if let Some(month) = captures.name("month") {
        let year: i16 = captures.name("myear")?.as_str().parse().ok()?;
        let month = month_number(month.as_str())?;
        // "1 April 2024": that day
        if let Some(day) = captures.name("day") {
            let day: i8 = day.as_str().parse().ok()?;
            return Date::new(year, month, day).ok().map(iso);
        }
        return month_end(year, month).map(iso);
    }
    let year: i16 = captures.name("year")?.as_str().parse().ok()?;
    Date::new(year, 12, 31).ok().map(iso)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deadline(text: &str, published: &str) -> Option<String> {
        find_deadline(text, Some(published)).map(|deadline| deadline.date)
    }

    #[test]
    fn elections_runs_of_years_spans_and_baselines() {
        // the next election ends this Parliament
        assert_eq!(
            deadline("before the next general election", "2025-03-01").as_deref(),
            Some("2029-07-09")
        );
        assert_eq!(
            deadline("over the lifetime of this Parliament", "2020-03-01").as_deref(),
            Some("2024-05-30")
        );
        // the end of a run of years; a span after "for"
        assert_eq!(
            deadline("in each of the years up to 2027-28", "2025-03-01").as_deref(),
            Some("2028-03-31")
        );
        assert_eq!(
            deadline("£300 million for 2025 to 2027", "2025-03-01").as_deref(),
            Some("2027-12-31")
        );
        // a season now or next; "between now and"; "in time for" an election
        assert_eq!(
            deadline("this winter", "2025-06-01").as_deref(),
            Some("2026-02-28")
        );
        assert_eq!(
            deadline("next spring", "2025-06-01").as_deref(),
            Some("2026-05-31")
        );
        assert_eq!(
            deadline("between now and 2028", "2025-06-01").as_deref(),
            Some("2028-12-31")
        );
        assert_eq!(
            deadline("in time for the next election", "2025-06-01").as_deref(),
            Some("2029-07-09")
        );
        // a baseline is not a deadline; "to" alone leads nowhere
        assert_eq!(deadline("10% higher than in 2024-25", "2025-03-01"), None);
        assert_eq!(deadline("rising to 2027 levels", "2025-03-01"), None);
    }

    #[test]
    fn start_dates_days_and_years_to_come() {
        // a day is that day; "from" a dated period is when it is in force
        assert_eq!(
            deadline("from 1 April 2024", "2023-11-22").as_deref(),
            Some("2024-04-01")
        );
        assert_eq!(
            deadline("by 31st March 2026", "2024-01-01").as_deref(),
            Some("2026-03-31")
        );
        assert_eq!(
            deadline("settlements from 2026-27", "2025-06-01").as_deref(),
            Some("2027-03-31")
        );
        // a baseline is not a deadline, nor a year gone by; a year to come
        // is when a change starts
        assert_eq!(
            deadline("a 50% cut from 2017-18 levels", "2020-01-01"),
            None
        );
        assert_eq!(deadline("from 2015 onwards", "2020-01-01"), None);
        assert_eq!(
            deadline("rise to 2.6% of GDP from 2027", "2025-02-25").as_deref(),
            Some("2027-12-31")
        );
        assert_eq!(
            deadline("between 2026 and 2028", "2024-01-01").as_deref(),
            Some("2028-12-31")
        );
        // a run of financial years ends with the last one
        assert_eq!(
            deadline("between 2026-27 and 2028-29", "2025-06-11").as_deref(),
            Some("2029-03-31")
        );
        assert_eq!(
            deadline("from 2025/26 to 2027/28", "2025-01-01").as_deref(),
            Some("2028-03-31")
        );
        assert_eq!(
            deadline("from next April", "2025-06-01").as_deref(),
            Some("2026-04-30")
        );
        // "in 2022" written in 2019 is when; written in 2024 it is history
        assert_eq!(
            deadline("launch a satellite in 2022", "2019-05-01").as_deref(),
            Some("2022-12-31")
        );
        assert_eq!(deadline("the target set in 2019", "2024-05-01"), None);
        // between Parliaments a manifesto's "next Parliament" is the one to come
        assert_eq!(
            deadline("over the next Parliament", "2024-06-13").as_deref(),
            Some("2029-07-09")
        );
        assert_eq!(
            deadline("by the end of the next Parliament", "2021-06-13").as_deref(),
            Some("2029-07-09")
        );
        assert_eq!(
            deadline("throughout this Parliament", "2024-09-01").as_deref(),
            Some("2029-07-09")
        );
    }

    #[test]
    fn resolves_the_forms_governments_use() {
        assert_eq!(
            deadline("68% of adults by March 2023", "2019-01-07").as_deref(),
            Some("2023-03-31")
        );
        assert_eq!(
            deadline("by the end of 2024", "2019-01-07").as_deref(),
            Some("2024-12-31")
        );
        assert_eq!(
            deadline("by 2030", "2020-01-01").as_deref(),
            Some("2030-12-31")
        );
        assert_eq!(
            deadline("in 2024/25", "2022-01-01").as_deref(),
            Some("2025-03-31")
        );
        assert_eq!(
            deadline("by 2024-25", "2022-01-01").as_deref(),
            Some("2025-03-31")
        );
        assert_eq!(
            deadline("by Q3 2025", "2024-01-01").as_deref(),
            Some("2025-09-30")
        );
        assert_eq!(
            deadline("by the third quarter of 2025", "2024-01-01").as_deref(),
            Some("2025-09-30")
        );
        assert_eq!(
            deadline("by spring 2026", "2024-01-01").as_deref(),
            Some("2026-05-31")
        );
        assert_eq!(
            deadline("by the mid-2020s", "2019-01-01").as_deref(),
            Some("2025-12-31")
        );
        assert_eq!(
            deadline("by the end of the decade", "2021-06-01").as_deref(),
            Some("2029-12-31")
        );
        assert_eq!(
            deadline("by the end of this decade", "2021-06-01").as_deref(),
            Some("2029-12-31")
        );
        assert_eq!(
            deadline("by the end of this year", "2023-01-04").as_deref(),
            Some("2023-12-31")
        );
        assert_eq!(
            deadline("we will halve inflation this year", "2023-01-04").as_deref(),
            Some("2023-12-31")
        );
        assert_eq!(
            deadline("the cap applies from October 2023", "2021-09-07").as_deref(),
            Some("2023-10-31")
        );
    }

    #[test]
    fn parliaments_resolve_by_publication_date() {
        assert_eq!(
            deadline("by the end of this Parliament", "2021-03-01").as_deref(),
            Some("2024-05-30")
        );
        assert_eq!(
            deadline("within this Parliament", "2024-09-01").as_deref(),
            Some("2029-07-09")
        );
        // a manifesto published during the election campaign means the next Parliament
        assert_eq!(
            deadline("by the end of the Parliament", "2019-11-24").as_deref(),
            Some("2024-05-30")
        );
    }

    #[test]
    fn events_are_not_deadlines() {
        assert_eq!(deadline("The Act was passed in 2023.", "2024-01-01"), None);
        assert_eq!(deadline("from 2023 onwards", "2024-01-01"), None);
        // the institution, not a period
        assert_eq!(
            deadline("shall lay the report before Parliament", "2024-01-01"),
            None
        );
        assert_eq!(
            deadline("over the Parliament", "2024-09-01").as_deref(),
            Some("2029-07-09")
        );
    }
}
