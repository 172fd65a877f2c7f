//! Index build benchmark: `cargo bench --bench index -- --docs 100000`.
//!
//! Writes a synthetic corpus (`pledgewatch::synth`, seed 42: GOV.UK-style
//! pages, committee reports, audit pages with a PDF each) to a temporary
//! folder and measures, each as a child process alone (`wait4`: wall
//! clock, CPU, peak RSS), on the same documents:
//!
//! - `pledgewatch index`: the whole build (read the corpus, extract,
//!   analyse, write document, passage and commitment records);
//! - bare tantivy (the baseline): the same documents' extracted text
//!   (title and paragraphs, written once to a JSON-lines file before the
//!   clock starts) indexed into a minimal schema of two `TEXT` fields with
//!   tantivy's default tokenizer, nothing stored, no analysis;
//! - the same text into pledgewatch's own schema (`index::schema()`: English
//!   stemming, positions, the word-pair fields, stored fields), one record
//!   per document, to show
//!   how much of the gap is the schema and how much is pledgewatch's work.
//!
//! All three use one indexing thread per core (two here) and 100 MB of
//! writer budget per thread, as `pledgewatch index` does. Each prints documents/s, MB/s of extracted
//! text, total time, CPU, peak RSS and index size, and the ratio to bare
//! tantivy. Under `cargo test` (no `--bench` argument) it is a smoke run.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tantivy::schema::{Schema, TEXT};
use tantivy::{Index, TantivyDocument, doc};

/// What one child run cost.
struct Measured {
    wall: Duration,
    cpu: Duration,
    peak_rss_kib: i64,
    status: i32,
    index_bytes: u64,
}

/// Waits for `child`, returning its own rusage (CPU and peak RSS).
fn wait_measured(child: Child, started: Instant) -> (i32, Duration, Duration, i64) {
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(waited, pid, "wait4 failed");
    let time = |value: libc::timeval| {
        Duration::from_secs(value.tv_sec as u64) + Duration::from_micros(value.tv_usec as u64)
    };
    let cpu = time(usage.ru_utime) + time(usage.ru_stime);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    // ru_maxrss is in KiB on Linux.
    (code, wall, cpu, usage.ru_maxrss)
}

fn folder_bytes(folder: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    let mut total = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            total += folder_bytes(&path);
        } else if let Ok(metadata) = entry.metadata() {
            total += metadata.len();
        }
    }
    total
}

fn run_child(mut command: Command, index: &Path, log: &Path) -> Measured {
    let started = Instant::now();
    let child = command
        .env("RUST_LOG", "warn")
        .stdout(std::fs::File::create(log).expect("log file"))
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start a child");
    let (status, wall, cpu, peak_rss_kib) = wait_measured(child, started);
    Measured {
        wall,
        cpu,
        peak_rss_kib,
        status,
        index_bytes: folder_bytes(index),
    }
}

/// The baseline, run in a child: index the JSON-lines text file.
fn bare_tantivy(text_file: &Path, index_dir: &Path, pledgewatch_schema: bool) {
    std::fs::create_dir_all(index_dir).expect("index folder");
    // with pledgewatch's schema, title and body go in their word-pair
    // fields too, as a build puts them
    let (schema, title, body, pairs) = if pledgewatch_schema {
        let (schema, fields) = pledgewatch::index::schema();
        let pairs = Some((fields.title_pairs, fields.body_pairs));
        (schema, fields.title, fields.body, pairs)
    } else {
        let mut builder = Schema::builder();
        let title = builder.add_text_field("title", TEXT);
        let body = builder.add_text_field("body", TEXT);
        (builder.build(), title, body, None)
    };
    let index = Index::create_in_dir(index_dir, schema).expect("create the index");
    pledgewatch::index::pairs::register(&index);
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(
            pledgewatch::index::writer_threads(),
            pledgewatch::index::writer_threads() * pledgewatch::index::WRITER_BUDGET_PER_THREAD,
        )
        .expect("index writer");
    let reader = std::io::BufReader::new(std::fs::File::open(text_file).expect("text file"));
    let mut documents = 0usize;
    for line in reader.lines() {
        let line = line.expect("read a line");
        let (document_title, document_body): (String, String) =
            serde_json::from_str(&line).expect("a JSON line");
        let mut document = doc!(title => document_title.as_str(), body => document_body.as_str());
        if let Some((title_pairs, body_pairs)) = pairs {
            document.add_text(title_pairs, document_title);
            document.add_text(body_pairs, document_body);
        }
        writer.add_document(document).expect("add a document");
        documents += 1;
    }
    writer.commit().expect("commit");
    println!("indexed {documents} documents");
}

fn report(name: &str, measured: &Measured, documents: usize, text_megabytes: f64) {
    let seconds = measured.wall.as_secs_f64();
    println!(
        "  {name:<30} {:>9.0} docs/s {:>7.2} MB/s {:>8.1} s {:>8.1} s CPU {:>8.1} MiB peak RSS {:>8.1} MiB index  (exit {})",
        documents as f64 / seconds,
        text_megabytes / seconds,
        seconds,
        measured.cpu.as_secs_f64(),
        measured.peak_rss_kib as f64 / 1024.0,
        measured.index_bytes as f64 / (1024.0 * 1024.0),
        measured.status
    );
}

/// The `pledgewatch` binary: `PLEDGEWATCH_BIN` if set, else Cargo's. Set it
/// when several worktrees share one target folder, where Cargo's copy may
/// be another checkout's build.
fn pledgewatch_binary() -> PathBuf {
    std::env::var_os("PLEDGEWATCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_pledgewatch").into())
}

fn main() {
    let arguments: Vec<String> = std::env::args().collect();
    // child mode: `--bare-tantivy TEXT_FILE INDEX_DIR [--pledgewatch-schema]`
    if let Some(position) = arguments.iter().position(|a| a == "--bare-tantivy") {
        let text_file = PathBuf::from(&arguments[position + 1]);
        let index_dir = PathBuf::from(&arguments[position + 2]);
        let same_schema = arguments.iter().any(|a| a == "--pledgewatch-schema");
        bare_tantivy(&text_file, &index_dir, same_schema);
        return;
    }
    let benchmarking = arguments.iter().any(|argument| argument == "--bench");
    let mut pages = if benchmarking { 100_000 } else { 200 };
    let mut work_parent = std::env::temp_dir();
    let mut iter = arguments.iter().skip(1);
    while let Some(argument) = iter.next() {
        match argument.as_str() {
            "--docs" => {
                pages = iter
                    .next()
                    .and_then(|value| value.parse().ok())
                    .expect("--docs takes a number");
            }
            "--work" => work_parent = PathBuf::from(iter.next().expect("--work takes a folder")),
            _ => {}
        }
    }
    println!("index benchmark: a synthetic corpus of {pages} pages (seed 42) and their PDFs");
    if !benchmarking {
        println!("smoke run (no --bench); `cargo bench --bench index` measures");
    }
    let work = tempfile::tempdir_in(&work_parent).expect("temp dir");
    let corpus = work.path().join("corpus");
    let started = Instant::now();
    pledgewatch::synth::generate_site(&corpus.join("site"), pages, 42).expect("generate the site");
    std::fs::write(
        corpus.join("site.toml"),
        format!(
            "base_url = \"{}\"\ncaptured = \"2030-01-01\"\n",
            pledgewatch::synth::BASE_URL
        ),
    )
    .expect("write site.toml");
    let corpus_bytes = folder_bytes(&corpus.join("site"));
    println!(
        "  generated in {:.1} s: {:.1} MB of HTML and PDF under {}",
        started.elapsed().as_secs_f64(),
        corpus_bytes as f64 / 1e6,
        corpus.display()
    );

    // the baseline's input: the extracted text of the same documents, written before any clock starts
    let started = Instant::now();
    let (captures, _) = pledgewatch::corpus::captures(&corpus).expect("read the corpus");
    let text_file = work.path().join("text.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&text_file).expect("text file"));
    let mut documents = 0usize;
    let mut text_bytes = 0usize;
    for capture in &captures {
        let Ok(document) = pledgewatch::extract::extract(capture) else {
            continue;
        };
        let body: Vec<&str> = document
            .paragraphs
            .iter()
            .map(|p| p.text.as_str())
            .collect();
        let body = body.join("\n");
        text_bytes += document.title.len() + body.len();
        serde_json::to_writer(&mut out, &(&document.title, &body)).expect("write text");
        out.write_all(b"\n").expect("write text");
        documents += 1;
    }
    out.flush().expect("flush text");
    drop(out);
    drop(captures);
    let text_megabytes = text_bytes as f64 / 1e6;
    println!(
        "  {documents} documents extracted ({:.1} MB of text) in {:.1} s for the baselines",
        text_megabytes,
        started.elapsed().as_secs_f64()
    );

    let ours_index = work.path().join("index-pledgewatch");
    let mut command = Command::new(pledgewatch_binary());
    command
        .arg("index")
        .arg("--corpus")
        .arg(&corpus)
        .arg("--index")
        .arg(&ours_index);
    let ours = run_child(command, &ours_index, &work.path().join("pledgewatch.log"));
    let summary = std::fs::read_to_string(work.path().join("pledgewatch.log")).unwrap_or_default();
    println!(
        "  pledgewatch index said: {}",
        summary.trim().replace('\n', " | ")
    );

    let myself = std::env::current_exe().expect("this benchmark's path");
    let bare_index = work.path().join("index-bare");
    let mut command = Command::new(&myself);
    command
        .arg("--bare-tantivy")
        .arg(&text_file)
        .arg(&bare_index);
    let bare = run_child(command, &bare_index, &work.path().join("bare.log"));
    let same_index = work.path().join("index-same-schema");
    let mut command = Command::new(&myself);
    command
        .arg("--bare-tantivy")
        .arg(&text_file)
        .arg(&same_index)
        .arg("--pledgewatch-schema");
    let same = run_child(command, &same_index, &work.path().join("same.log"));

    println!("results ({documents} documents, {text_megabytes:.1} MB of extracted text):");
    report(
        "pledgewatch index (whole)",
        &ours,
        documents,
        text_megabytes,
    );
    report(
        "bare tantivy, minimal schema",
        &bare,
        documents,
        text_megabytes,
    );
    report(
        "tantivy, pledgewatch schema",
        &same,
        documents,
        text_megabytes,
    );
    let ratio = |a: &Measured, b: &Measured| b.wall.as_secs_f64() / a.wall.as_secs_f64();
    println!(
        "  pledgewatch / bare tantivy: {:.3}x the speed, {:.2}x the CPU, {:.2}x the peak RSS, {:.2}x the index size",
        ratio(&ours, &bare),
        ours.cpu.as_secs_f64() / bare.cpu.as_secs_f64(),
        ours.peak_rss_kib as f64 / bare.peak_rss_kib as f64,
        ours.index_bytes as f64 / bare.index_bytes as f64
    );
    println!(
        "  pledgewatch / tantivy with pledgewatch's schema: {:.3}x the speed (goal: at least 0.5x bare tantivy)",
        ratio(&ours, &same)
    );
    assert!(
        ours.status == 0 && bare.status == 0 && same.status == 0,
        "a child failed"
    );
}
