//! A fuzz target on stable Rust: proptest mutates the extraction fixtures
//! (byte flips, truncations, insertions of markup and PDF tokens, deleted
//! ranges, splices of two fixtures) and `extract::extract` must return,
//! an error or a document, without panicking and within a time bound.
//!
//! The normal test run tries 64 cases. A long run:
//! `PROPTEST_CASES=200000 cargo test --release --test integration extract_fuzz -- --nocapture`
//! (`EXTRACT_FUZZ_TIME_LIMIT_SECS` changes the bound, 60 s by default: above
//! the PDF parser's own 20 s limit, so only a real hang trips it).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once, mpsc};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::extract::{capture_of, fixture_files};
use pledgewatch::extract;

#[derive(Debug, Clone)]
enum Mutation {
    FlipBit(Index, u8),
    SetByte(Index, u8),
    Truncate(Index),
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    /// Replaces the tail from a point with the tail of another fixture.
    Splice(Index, Index, Index),
}

/// Tokens that reach deeper into the parsers than random bytes do.
const TOKENS: &[&[u8]] = &[
    b"<div>",
    b"</div>",
    b"<table><tr><td>",
    b"<p id=\"para-9\"><span class=\"paragraph-number\">9.</span> ",
    b"<h2>",
    b"<!--",
    b"<script>",
    b"<meta charset=\"utf-16\">",
    b"<meta charset=\"iso-2022-jp\">",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00",
    b"&#x10FFFF;",
    b"{\"base_path\":\"/x\",\"document_type\":\"news_story\",\"details\":{\"body\":[1]}}",
    b"[[[[[[[[[[",
    b"\"",
    b"obj",
    b"endobj",
    b"stream\n",
    b"endstream",
    b"<< /Length 99999999 >>",
    b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
    b"/Filter /FlateDecode",
    b"xref\n0 1\n",
    b"trailer",
    b"startxref\n0\n",
    b"%%EOF",
    b"9999999999 0 R",
    b"-1",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit(at, bit)),
        (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::SetByte(at, byte)),
        any::<Index>().prop_map(Mutation::Truncate),
        (
            any::<Index>(),
            prop_oneof![
                prop::sample::select(TOKENS).prop_map(<[u8]>::to_vec),
                prop::collection::vec(any::<u8>(), 1..16),
            ]
        )
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<Index>(), 1usize..512).prop_map(|(at, length)| Mutation::Delete(at, length)),
        (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(at, other, from)| Mutation::Splice(at, other, from)),
    ]
}

fn position(at: &Index, length: usize) -> usize {
    if length == 0 { 0 } else { at.index(length) }
}

fn apply(body: &mut Vec<u8>, mutation: &Mutation, fixtures: &[(String, Vec<u8>)]) {
    match mutation {
        Mutation::FlipBit(at, bit) => {
            if !body.is_empty() {
                let index = position(at, body.len());
                body[index] ^= 1 << bit;
            }
        }
        Mutation::SetByte(at, byte) => {
            if !body.is_empty() {
                let index = position(at, body.len());
                body[index] = *byte;
            }
        }
        Mutation::Truncate(at) => {
            let length = position(at, body.len());
            body.truncate(length);
        }
        Mutation::Insert(at, bytes) => {
            let index = position(at, body.len() + 1);
            body.splice(index..index, bytes.iter().copied());
        }
        Mutation::Delete(at, length) => {
            let start = position(at, body.len());
            let end = (start + length).min(body.len());
            body.drain(start..end);
        }
        Mutation::Splice(at, other, from) => {
            let (_, other_body) = &fixtures[other.index(fixtures.len())];
            let cut = position(at, body.len());
            let from = position(from, other_body.len());
            body.truncate(cut);
            body.extend_from_slice(&other_body[from..]);
        }
    }
}

static PDF_PANICS: AtomicUsize = AtomicUsize::new(0);

/// The PDF parser's panics are caught inside `extract`; counting them here
/// instead of printing each keeps a long run's output readable. Panics on
/// any other thread are reported as usual.
fn quiet_contained_pdf_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some("pdf-extract") {
                PDF_PANICS.fetch_add(1, Ordering::Relaxed);
            } else {
                default_hook(info);
            }
        }));
    });
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

#[test]
fn extract_fuzz_never_panics_or_hangs() {
    quiet_contained_pdf_panics();
    let fixtures: Arc<Vec<(String, Vec<u8>)>> = Arc::new(
        fixture_files()
            .into_iter()
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                let body = std::fs::read(&path).expect("read a fixture");
                (name, body)
            })
            .collect(),
    );
    let cases = env_number("PROPTEST_CASES", 64) as u32;
    let time_limit = Duration::from_secs(env_number("EXTRACT_FUZZ_TIME_LIMIT_SECS", 60));
    let config = Config {
        cases,
        // shrinking reruns slow cases many times; a failure prints its input
        max_shrink_iters: 2_000,
        // a failing case is printed in full; proptest cannot locate this
        // file's folder from inside the integration binary to save it
        failure_persistence: None,
        ..Config::default()
    };
    let documents = AtomicUsize::new(0);
    let errors = AtomicUsize::new(0);
    let slowest = std::sync::Mutex::new((Duration::ZERO, String::new()));
    let started = Instant::now();
    let strategy = (any::<Index>(), prop::collection::vec(mutation(), 1..6));
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |(fixture, mutations)| {
        let (name, original) = &fixtures[fixture.index(fixtures.len())];
        let mut body = original.clone();
        for mutation in &mutations {
            apply(&mut body, mutation, &fixtures);
        }
        let capture = capture_of(name, body);
        let (sender, receiver) = mpsc::channel();
        let case_started = Instant::now();
        std::thread::Builder::new()
            .name("extract-fuzz-case".into())
            .spawn(move || {
                let outcome = extract::extract(&capture);
                let _ = sender.send(outcome.is_ok());
            })
            .map_err(|error| TestCaseError::fail(format!("cannot spawn: {error}")))?;
        match receiver.recv_timeout(time_limit) {
            Ok(true) => documents.fetch_add(1, Ordering::Relaxed),
            Ok(false) => errors.fetch_add(1, Ordering::Relaxed),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(TestCaseError::fail(format!(
                    "extract panicked on a mutation of {name}"
                )));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(TestCaseError::fail(format!(
                    "extract took over {} s on a mutation of {name}",
                    time_limit.as_secs()
                )));
            }
        };
        let done = documents.load(Ordering::Relaxed) + errors.load(Ordering::Relaxed);
        if done.is_multiple_of(10_000) {
            eprintln!(
                "extract_fuzz: {done} cases after {:.0} s, {} contained pdf parser panics",
                started.elapsed().as_secs_f64(),
                PDF_PANICS.load(Ordering::Relaxed)
            );
        }
        let elapsed = case_started.elapsed();
        let mut slowest = slowest.lock().unwrap();
        if elapsed > slowest.0 {
            *slowest = (elapsed, name.clone());
        }
        Ok(())
    });
    let (slowest_time, slowest_name) = slowest.into_inner().unwrap();
    eprintln!(
        "extract_fuzz: {cases} cases in {:.1} s: {} documents, {} errors, {} contained pdf parser panics, slowest case {:.3} s (a mutation of {slowest_name})",
        started.elapsed().as_secs_f64(),
        documents.into_inner(),
        errors.into_inner(),
        PDF_PANICS.load(Ordering::Relaxed),
        slowest_time.as_secs_f64(),
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
