//! pledgewatch: holds governments to their word.
//!
//! The pipeline, one module per stage:
//! `crawl` -> `corpus` (captures) -> `extract` (documents with paragraphs)
//! -> `analyze` (commitments, assessments, verdicts) -> `index` (tantivy)
//! -> `ask` and `web` (answers, pages and the JSON API).
//!
//! `extract` and `analyze` are pure functions of their input; network and
//! disk live in `crawl`, `corpus`, `index` and `web`.

pub mod analyze;
pub mod ask;
pub mod corpus;
pub mod crawl;
pub mod diff;
pub mod eval;
pub mod extract;
pub mod index;
pub mod lexicon;
pub mod model;
pub mod parallel;
pub mod synth;
pub mod web;
