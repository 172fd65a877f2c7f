//! The synthetic corpus the search and ask benchmarks share: `pages`
//! pages from `pledgewatch::synth` (seed 42), written once under Cargo's
//! target folder, and its index built with the library's own
//! `index::build` (timed). `reuse` keeps an index an earlier run built, if
//! it still opens (an index of an older schema is rebuilt).

use std::path::PathBuf;
use std::time::Instant;

use pledgewatch::index::{self, Store};
use pledgewatch::synth;

pub const SEED: u64 = 42;

pub fn synthetic_index(pages: usize, reuse: bool) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("bench-corpora")
        .join(format!("synth-{pages}-seed{SEED}"));
    let corpus = root.join("corpus");
    let site = corpus.join("site");
    let marker = corpus.join(".complete");
    if !marker.exists() {
        let _ = std::fs::remove_dir_all(&corpus);
        std::fs::create_dir_all(&site).expect("create the synthetic corpus folder");
        let started = Instant::now();
        synth::generate_site(&site, pages, SEED).expect("write the synthetic site");
        std::fs::write(
            corpus.join("site.toml"),
            format!(
                "base_url = \"{}\"\ncaptured = \"2025-11-01\"\n",
                synth::BASE_URL
            ),
        )
        .expect("write site.toml");
        std::fs::write(&marker, "").expect("write the marker");
        println!(
            "wrote a synthetic site of {pages} pages in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let index_dir = root.join("index");
    if reuse && Store::open(&index_dir).is_ok() {
        println!("reusing the synthetic index built by an earlier run");
        return index_dir;
    }
    let started = Instant::now();
    let report = index::build(&corpus, &index_dir, None, false).expect("index the synthetic site");
    println!(
        "indexed the synthetic site: {} captures, {} documents, {} paragraphs, {} commitments in {:.1} s",
        report.captures,
        report.documents,
        report.paragraphs,
        report.commitments,
        started.elapsed().as_secs_f64()
    );
    index_dir
}
