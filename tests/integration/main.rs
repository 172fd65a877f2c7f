//! Integration tests: one binary, so linking happens once.

mod answer_key;
mod support;
mod web;
