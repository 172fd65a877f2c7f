//! Integration tests: one binary, so linking happens once.

mod answer_key;
mod crawl;
mod extract;
mod extract_fuzz;
mod support;
mod web;
