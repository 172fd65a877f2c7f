//! Crawl (temporary shim until the crawler lands).
use std::path::PathBuf;
pub struct CrawlOptions {
    pub sources: PathBuf,
    pub corpus: PathBuf,
    pub max_pages: Option<usize>,
    pub dry_run: bool,
}
pub fn run(_options: &CrawlOptions) -> anyhow::Result<String> {
    anyhow::bail!("not yet")
}
