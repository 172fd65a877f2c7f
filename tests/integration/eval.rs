//! The gold-set figures must not fall below what was recorded. Raise the
//! floors when the analysis improves; never lower them to make a change pass.

use pledgewatch::eval;

use crate::support::{corpus_dir, repo_root};

/// (split, commitment precision, commitment recall, stance accuracy)
/// Dev: 0.99 / 0.99 / 0.97 on 1,412 sentences (1,209 of them added in
/// thirteen rounds, each before the rules that now score it; the learned
/// commitment model is trained on this split, so its dev figures are not a
/// test of it). Held-out: 701 sentences, a third of the set, written by
/// writers who never read the rules and never read by anyone changing
/// them: 0.94 / 0.86 / 0.65 (192 commitments, 243 stances). Floors only go
/// down when sentences are added, never for a rule change. Round 18 added
/// 326 ordinary sentences (background, procedure, rhetoric, others'
/// targets: 108 held out), the kind that fills real documents, which took
/// held-out precision from 0.95 to 0.93 with the model, and the model took
/// held-out recall from 0.81 to 0.86 (the rules alone: 156 of 192). Round 19
/// added 179 findings in new words (59 held out): the rules read 26 of the
/// 55 new held-out stances right (47%), and the dev stance floor went from
/// 0.98 to 0.96 and the held-out one from 0.68 to 0.64 with them. Held-out
/// sentences that restated a dev one were taken out, and dev ones that
/// restated a held-out one (see the test below).
const SENTENCE_FLOORS: &[(&str, f64, f64, f64)] =
    &[("dev", 0.99, 0.98, 0.96), ("heldout", 0.93, 0.85, 0.64)];
/// (split, share of sentences that judge nothing given no stance): the
/// guard against stance rules that fire on any delivery word. Dev 0.99
/// (870 of 877), held-out 0.98 (445 of 453) after round 18; round 19's
/// lookalikes ("flights were cancelled", "trains were delayed by an
/// average of four minutes") took dev to 887 of 898 (0.988).
const QUIET_FLOORS: &[(&str, f64)] = &[("dev", 0.98), ("heldout", 0.98)];
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
    for (split, floor) in QUIET_FLOORS {
        let scores = &report.sentences[*split];
        assert!(
            scores.stance_quiet.value() >= *floor,
            "{split} no stance where none {}",
            scores.stance_quiet
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

/// A held-out sentence that restates a dev one (by its words: shared over
/// all at 0.6 or more) was in effect tuned on, and would flatter the
/// held-out figures: none may stay.
#[test]
fn held_out_sentences_do_not_restate_dev_ones() {
    #[derive(serde::Deserialize)]
    struct Gold {
        sentence: Vec<Sentence>,
    }
    #[derive(serde::Deserialize)]
    struct Sentence {
        text: String,
        split: String,
    }
    let path = repo_root().join("tests/gold/sentences.toml");
    let text = std::fs::read_to_string(&path).expect("the gold sentences");
    let gold: Gold = toml::from_str(&text).expect("gold sentences parse");
    let words = |text: &str| -> std::collections::HashSet<String> {
        text.split(|ch: char| !ch.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (held_out, dev): (Vec<&Sentence>, Vec<&Sentence>) =
        gold.sentence.iter().partition(|s| s.split == "heldout");
    let dev_words: Vec<_> = dev.iter().map(|s| (s, words(&s.text))).collect();
    let mut restated = Vec::new();
    for sentence in held_out {
        let own = words(&sentence.text);
        for (other, theirs) in &dev_words {
            let shared = own.intersection(theirs).count() as f64;
            let all = own.union(theirs).count() as f64;
            if all > 0.0 && shared / all >= 0.6 {
                restated.push(format!("{:?} ~ dev {:?}", sentence.text, other.text));
            }
        }
    }
    assert!(restated.is_empty(), "{}", restated.join("\n"));
}

/// The compiled-in commitment model is what training on the development
/// split gives: it cannot have seen the held-out split, nor fallen behind
/// the gold set (run `pledgewatch train` after changing it).
#[test]
fn commitment_model_is_trained_on_the_dev_split_alone() {
    use pledgewatch::analyze::learned::Model;
    let examples = eval::dev_examples(&repo_root().join("tests")).expect("the gold sentences");
    let trained = Model::train(&examples);
    let shipped = std::fs::read_to_string(repo_root().join("data/commitment_model.tsv"))
        .expect("the model file");
    assert!(
        trained.to_tsv() == shipped,
        "data/commitment_model.tsv is not what `pledgewatch train` gives on the dev split: run it"
    );
    assert_eq!(
        &Model::from_tsv(&shipped),
        pledgewatch::analyze::learned::model()
    );
}
