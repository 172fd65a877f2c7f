//! The gold-set figures must not fall below what was recorded. Raise the
//! floors when the analysis improves; never lower them to make a change pass.

use pledgewatch::eval;

use crate::support::{corpus_dir, repo_root};

/// (split, commitment precision, commitment recall, stance accuracy)
/// Dev: 1.00 / 0.96 / 0.99 on 542 sentences (339 of them added in four
/// rounds, each before the rules that now score it). Held-out: 273
/// sentences, a third of the set, 236 of them written this session by
/// writers who never read the rules and never read by anyone changing them:
/// 0.92 / 0.79 / 0.63 (99 commitments, 92 stances). The last 90, added
/// after the final rule change, score 0.96 / 0.79 / 0.69 on their own; the
/// 80 before them scored 0.84 / 0.70 / 0.39 when added. The old floors
/// were for a held-out set of 37.
const SENTENCE_FLOORS: &[(&str, f64, f64, f64)] =
    &[("dev", 0.97, 0.95, 0.95), ("heldout", 0.88, 0.78, 0.58)];
/// (split, ask verdict accuracy, citation precision, found-nothing share)
const ASK_FLOORS: &[(&str, f64, f64, f64)] =
    &[("dev", 0.96, 0.98, 0.90), ("heldout", 0.93, 0.96, 0.83)];
const VERDICT_FLOOR: f64 = 0.96;
/// (split, search nDCG@10 on the judged queries)
const SEARCH_FLOORS: &[(&str, f64)] = &[("dev", 0.94), ("heldout", 0.94)];

#[test]
fn gold_set_figures_hold() {
    let report = eval::run(&corpus_dir(), &repo_root().join("tests")).expect("evaluation runs");
    println!("{report}");
    for (split, precision, recall, stance) in SENTENCE_FLOORS {
        let scores = &report.sentences[*split];
        assert!(
            scores.commitment_precision.value() >= *precision,
            "{split} commitment precision {}",
            scores.commitment_precision
        );
        assert!(
            scores.commitment_recall.value() >= *recall,
            "{split} commitment recall {}",
            scores.commitment_recall
        );
        assert!(
            scores.stance_accuracy.value() >= *stance,
            "{split} stance accuracy {}",
            scores.stance_accuracy
        );
    }
    assert!(
        report.verdict_accuracy.value() >= VERDICT_FLOOR,
        "verdict accuracy {}",
        report.verdict_accuracy
    );
    for (split, floor) in SEARCH_FLOORS {
        let scores = &report.search[*split];
        assert!(
            scores.ndcg >= *floor,
            "{split} search nDCG@10 {:.3}",
            scores.ndcg
        );
        assert!(
            scores.ndcg + 1e-9 >= scores.bm25_ndcg,
            "{split}: search ({:.3}) ranks worse than plain BM25 ({:.3})",
            scores.ndcg,
            scores.bm25_ndcg
        );
    }
    for (split, verdicts, citations, nothing) in ASK_FLOORS {
        let scores = &report.ask[*split];
        assert!(
            scores.verdict_accuracy.value() >= *verdicts,
            "{split} ask verdict accuracy {}",
            scores.verdict_accuracy
        );
        assert!(
            scores.citation_precision.value() >= *citations,
            "{split} citation precision {}",
            scores.citation_precision
        );
        assert!(
            scores.found_nothing.value() >= *nothing,
            "{split} found-nothing {}",
            scores.found_nothing
        );
        assert_eq!(
            scores.uncited_sentences, 0,
            "{split}: answers with uncited sentences"
        );
    }
}
