//! Integration tests: one binary, so linking happens once.

mod answer_key;
mod crawl;
mod eval;
mod server;
mod support;
mod web;
