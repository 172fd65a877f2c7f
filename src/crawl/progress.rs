//! Crawl progress: a bar on a terminal (pages, bytes, errors, rate,
//! hosts), a plain log line every few seconds otherwise.

use std::time::{Duration, Instant};

use indicatif::{HumanBytes, ProgressBar, ProgressStyle};
use tracing::info;

use super::CrawlSummary;

/// How often the plain log line is written.
const LOG_EVERY: Duration = Duration::from_secs(5);

pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    last_log: Instant,
}

/// What the crawl has done so far.
pub struct Snapshot<'a> {
    pub pages: usize,
    pub queued: usize,
    pub hosts: usize,
    pub summary: &'a CrawlSummary,
}

impl Progress {
    /// A bar when `terminal`, log lines otherwise.
    pub fn new(terminal: bool) -> Progress {
        let bar = terminal.then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {pos}/{len} pages {wide_bar} {per_sec} {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            started: now,
            last_log: now,
        }
    }

    pub fn update(&mut self, snapshot: &Snapshot<'_>) {
        let summary = snapshot.summary;
        if let Some(bar) = &self.bar {
            bar.set_length((snapshot.pages + snapshot.queued) as u64);
            bar.set_position(snapshot.pages as u64);
            bar.set_message(format!(
                "{} · {} errors · {} hosts",
                HumanBytes(summary.bytes),
                summary.errors,
                snapshot.hosts
            ));
            return;
        }
        if self.last_log.elapsed() < LOG_EVERY {
            return;
        }
        self.last_log = Instant::now();
        let seconds = self.started.elapsed().as_secs_f64().max(0.001);
        info!(
            pages = snapshot.pages,
            queued = snapshot.queued,
            fetched = summary.fetched,
            unchanged = summary.unchanged,
            errors = summary.errors,
            bytes = summary.bytes,
            hosts = snapshot.hosts,
            pages_per_second = format_args!("{:.1}", snapshot.pages as f64 / seconds),
            "crawling"
        );
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
