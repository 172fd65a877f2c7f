//! Integration tests: one binary, so linking happens once.

mod answer_key;
mod api;
mod ask_llm;
mod crawl;
mod eval;
mod extract;
mod extract_fuzz;
mod server;
mod support;
mod web;
mod web_browser;
mod web_features;
