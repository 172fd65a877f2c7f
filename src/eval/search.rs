//! Search ranking against judged queries (`tests/gold/search.toml`):
//! nDCG@10 of pledgewatch's search beside plain BM25 on the same index.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{EvalError, read_toml};
use crate::index::query::SearchRequest;
use crate::index::{Store, Tuning};

/// Results scored per query.
pub const DEPTH: usize = 10;

#[derive(Debug, Deserialize)]
struct JudgedFile {
    query: Vec<Judged>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Judged {
    pub split: String,
    pub q: String,
    /// Path under the corpus's base URL -> grade (0-3).
    pub relevant: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchScores {
    pub queries: usize,
    /// Mean nDCG@10 of pledgewatch's search.
    pub ndcg: f64,
    /// Mean nDCG@10 of plain BM25 (title and body, any word, no boosts,
    /// no synonyms) on the same index.
    pub bm25_ndcg: f64,
}

pub fn load(gold_dir: &Path) -> Result<Vec<Judged>, EvalError> {
    let path = gold_dir.join("gold").join("search.toml");
    if !path.exists() {
        return Ok(Vec::new());
    }
    Ok(read_toml::<JudgedFile>(&path)?.query)
}

/// nDCG at [`DEPTH`] of a ranking (document URLs) against graded
/// judgments keyed by the end of the URL; gain `2^grade - 1`.
pub fn ndcg(ranking: &[String], relevant: &BTreeMap<String, u32>) -> f64 {
    let grade = |url: &str| {
        relevant
            .iter()
            .find(|(path, _)| url.ends_with(path.as_str()))
            .map_or(0, |(_, grade)| *grade)
    };
    let gain = |grade: u32| f64::from((1u32 << grade.min(10)) - 1);
    let discount = |rank: usize| (rank as f64 + 2.0).log2();
    let dcg: f64 = ranking
        .iter()
        .take(DEPTH)
        .enumerate()
        .map(|(rank, url)| gain(grade(url)) / discount(rank))
        .sum();
    let mut ideal: Vec<u32> = relevant.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(DEPTH)
        .enumerate()
        .map(|(rank, grade)| gain(*grade) / discount(rank))
        .sum();
    if idcg == 0.0 { 0.0 } else { dcg / idcg }
}

/// Scores both rankers on every split; the per-query figures go to `lines`.
pub fn score(
    store: &Store,
    judged: &[Judged],
    lines: &mut Vec<String>,
) -> Result<BTreeMap<String, SearchScores>, EvalError> {
    let mut scores: BTreeMap<String, SearchScores> = BTreeMap::new();
    for query in judged {
        let request = SearchRequest::parse(&query.q).unwrap_or_else(|_| SearchRequest {
            text: query.q.clone(),
            ..SearchRequest::default()
        });
        let ours: Vec<String> = store
            .search_request(&request, 1, DEPTH)?
            .hits
            .into_iter()
            .map(|hit| hit.url)
            .collect();
        let plain = store.search_plain(&query.q, DEPTH)?;
        let (ours, plain) = (ndcg(&ours, &query.relevant), ndcg(&plain, &query.relevant));
        if query.split == "dev" {
            lines.push(format!("{:.2} (bm25 {:.2})  {}", ours, plain, query.q));
        }
        let entry = scores.entry(query.split.clone()).or_default();
        entry.queries += 1;
        entry.ndcg += ours;
        entry.bm25_ndcg += plain;
    }
    for entry in scores.values_mut() {
        let count = entry.queries.max(1) as f64;
        entry.ndcg /= count;
        entry.bm25_ndcg /= count;
    }
    Ok(scores)
}

/// Mean nDCG@10 on one split with the given weights.
pub fn mean_ndcg(
    store: &Store,
    judged: &[Judged],
    split: &str,
    tuning: &Tuning,
) -> Result<f64, EvalError> {
    let mut total = 0.0;
    let mut count = 0usize;
    for query in judged.iter().filter(|query| query.split == split) {
        let request = SearchRequest::parse(&query.q).unwrap_or_else(|_| SearchRequest {
            text: query.q.clone(),
            ..SearchRequest::default()
        });
        let ranking: Vec<String> = store
            .search_tuned(&request, 1, DEPTH, tuning)?
            .hits
            .into_iter()
            .map(|hit| hit.url)
            .collect();
        total += ndcg(&ranking, &query.relevant);
        count += 1;
    }
    Ok(total / count.max(1) as f64)
}

/// The weights that score best on `dev`, over a small grid, with their
/// dev and held-out nDCG@10: how [`crate::index::TUNING`] was chosen.
pub fn tune(store: &Store, judged: &[Judged]) -> Result<(Tuning, f64, f64), EvalError> {
    let mut best: Option<(Tuning, f64)> = None;
    for title_boost in [1.0, 1.5, 2.0, 3.0, 4.0, 6.0] {
        for all_words_boost in [1.0, 2.0, 3.0, 5.0] {
            for recency in [0.0, 0.25, 0.5, 1.0, 2.0] {
                let tuning = Tuning {
                    title_boost,
                    all_words_boost,
                    recency,
                };
                let dev = mean_ndcg(store, judged, "dev", &tuning)?;
                // ties keep the earlier, simpler weights
                if best.is_none_or(|(_, score)| dev > score + 1e-9) {
                    best = Some((tuning, dev));
                }
            }
        }
    }
    let (tuning, dev) = best.unwrap_or((crate::index::TUNING, 0.0));
    let heldout = mean_ndcg(store, judged, "heldout", &tuning)?;
    Ok((tuning, dev, heldout))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndcg_rewards_the_best_first() {
        let relevant: BTreeMap<String, u32> = [("a".to_string(), 3), ("b".to_string(), 1)]
            .into_iter()
            .collect();
        let url = |name: &str| format!("https://x.example/{name}");
        assert!((ndcg(&[url("a"), url("b")], &relevant) - 1.0).abs() < 1e-9);
        let swapped = ndcg(&[url("b"), url("a")], &relevant);
        assert!(swapped < 1.0 && swapped > 0.5, "{swapped}");
        assert_eq!(ndcg(&[url("c")], &relevant), 0.0);
        assert_eq!(ndcg(&[], &BTreeMap::new()), 0.0);
    }
}
