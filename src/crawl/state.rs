//! The crawl state: what was last fetched from every URL, in an embedded
//! store on disk, `<corpus>/crawl/state.redb` (redb: a B-tree with
//! copy-on-write commits, so a killed process leaves the last commit
//! whole), plus a journal, `state.redb.log`.
//!
//! The crawl does not hold the state in memory: a site ten times larger
//! needs no more memory. Each fetch appends one JSON line to the journal
//! (one `write`, no sync: a kill leaves it in the page cache) and waits in
//! a small in-memory batch; every [`COMMIT_EVERY`] entries, and at the end
//! of a crawl, the batch is committed to the store (synced) and the
//! journal emptied. Opening replays the journal into the store first; a
//! torn last line (a kill mid-append) is ignored, and replaying a journal
//! already committed changes nothing.
//!
//! A state from before the store (`state.json` and its journal) is
//! imported the first time, and kept renamed as `state.json.imported`.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use redb::{Database, ReadableTable, TableDefinition, TableError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct UrlState {
    /// Date of the last fetch (`YYYY-MM-DD`).
    pub last_fetch: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_digest: Option<String>,
    /// The record holding the payload: WARC file (relative to the corpus),
    /// offset, record id and date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warc_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warc_offset: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warc_date: Option<String>,
    /// Where a redirect (3xx other than 304) pointed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_to: Option<String>,
    /// The other URL the page declares canonical (`<link rel="canonical">`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical: Option<String>,
    /// An API item: the API's own date for it when it was fetched (GOV.UK's
    /// `public_timestamp`, a statement's `dateMade`, ...). An API source's
    /// entry (`source:<name>`): the `since` its last complete walk used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_timestamp: Option<String>,
}

/// URL -> [`UrlState`] as JSON.
const URLS: TableDefinition<&str, &[u8]> = TableDefinition::new("urls");

/// Entries batched before a commit: bounds the memory the batch holds.
pub const COMMIT_EVERY: usize = 1000;

/// The store's read cache; redb's default is a gigabyte.
const CACHE_BYTES: usize = 1 << 20;

/// The state of the crawl under `corpus`.
pub fn state_path(corpus: &Path) -> PathBuf {
    corpus.join("crawl").join("state.redb")
}

/// The journal beside the store at `path`.
pub fn journal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".log");
    PathBuf::from(name)
}

/// One journal line.
#[derive(Deserialize)]
struct JournalLine {
    url: String,
    entry: UrlState,
}

#[derive(Serialize)]
struct JournalLineRef<'a> {
    url: &'a str,
    entry: &'a UrlState,
}

pub struct State {
    database: Database,
    path: PathBuf,
    /// Recorded (and journalled) but not yet committed.
    batch: HashMap<String, UrlState>,
    journal: File,
}

fn store_error(error: impl Into<redb::Error>) -> std::io::Error {
    std::io::Error::other(error.into())
}

fn invalid(error: serde_json::Error) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, error)
}

/// The journal's entries, in order; a line that does not parse is the
/// torn tail of a kill.
fn read_journal(path: &Path) -> std::io::Result<Vec<(String, UrlState)>> {
    let mut entries = Vec::new();
    match File::open(path) {
        Ok(file) => {
            for line in BufReader::new(file).split(b'\n') {
                if let Ok(line) = serde_json::from_slice::<JournalLine>(&line?) {
                    entries.push((line.url, line.entry));
                }
            }
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    Ok(entries)
}

impl State {
    /// Opens (or creates) the state for a crawl: replays the journal into
    /// the store, imports a `state.json` from before the store, and opens
    /// a fresh journal.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let database = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(path)
            .map_err(store_error)?;
        let journal_file = journal_path(path);
        let mut state = State {
            database,
            path: path.to_path_buf(),
            batch: HashMap::new(),
            journal: OpenOptions::new()
                .create(true)
                .append(true)
                .open(&journal_file)?,
        };
        state.import_legacy()?;
        state.batch.extend(read_journal(&journal_file)?);
        state.commit()?;
        Ok(state)
    }

    /// Imports `state.json` and its journal (the state before the store)
    /// once.
    fn import_legacy(&mut self) -> std::io::Result<()> {
        let legacy = self.path.with_file_name("state.json");
        let text = match std::fs::read_to_string(&legacy) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(error),
        };
        #[derive(Deserialize)]
        struct Legacy {
            urls: BTreeMap<String, UrlState>,
        }
        let snapshot: Legacy = serde_json::from_str(&text).map_err(invalid)?;
        let mut imported: Vec<(String, UrlState)> = snapshot.urls.into_iter().collect();
        imported.extend(read_journal(&journal_path(&legacy))?);
        self.write(imported.iter().map(|(url, entry)| (url.as_str(), entry)))?;
        let mut kept = legacy.clone().into_os_string();
        kept.push(".imported");
        std::fs::rename(&legacy, kept)?;
        match std::fs::remove_file(journal_path(&legacy)) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }

    /// What the state holds for `url`.
    pub fn get(&self, url: &str) -> Option<UrlState> {
        if let Some(entry) = self.batch.get(url) {
            return Some(entry.clone());
        }
        let read = || -> Result<Option<UrlState>, std::io::Error> {
            let transaction = self.database.begin_read().map_err(store_error)?;
            let table = match transaction.open_table(URLS) {
                Ok(table) => table,
                Err(TableError::TableDoesNotExist(_)) => return Ok(None),
                Err(error) => return Err(store_error(error)),
            };
            match table.get(url).map_err(store_error)? {
                Some(value) => serde_json::from_slice(value.value())
                    .map(Some)
                    .map_err(invalid),
                None => Ok(None),
            }
        };
        match read() {
            Ok(entry) => entry,
            Err(error) => {
                tracing::warn!(url, %error, "crawl state unreadable for this URL");
                None
            }
        }
    }

    /// Every entry, by URL: reads the whole store, for tests and tools,
    /// not for the crawl.
    pub fn entries(&self) -> std::io::Result<BTreeMap<String, UrlState>> {
        let mut entries = BTreeMap::new();
        let transaction = self.database.begin_read().map_err(store_error)?;
        match transaction.open_table(URLS) {
            Ok(table) => {
                for row in table.iter().map_err(store_error)? {
                    let (url, entry) = row.map_err(store_error)?;
                    entries.insert(
                        url.value().to_string(),
                        serde_json::from_slice(entry.value()).map_err(invalid)?,
                    );
                }
            }
            Err(TableError::TableDoesNotExist(_)) => {}
            Err(error) => return Err(store_error(error)),
        }
        entries.extend(self.batch.clone());
        Ok(entries)
    }

    /// Records the fetch of `url`: one journal line now, the store at the
    /// next commit.
    pub fn record(&mut self, url: String, entry: UrlState) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(&JournalLineRef {
            url: &url,
            entry: &entry,
        })
        .map_err(std::io::Error::other)?;
        line.push(b'\n');
        // One write: a killed process leaves the line whole or torn, never
        // reordered before the WARC record it points at (written earlier).
        self.journal.write_all(&line)?;
        self.batch.insert(url, entry);
        if self.batch.len() >= COMMIT_EVERY {
            self.commit()?;
        }
        Ok(())
    }

    /// Commits the batch to the store (synced) and empties the journal.
    pub fn commit(&mut self) -> std::io::Result<()> {
        let batch = std::mem::take(&mut self.batch);
        if !batch.is_empty() {
            self.write(batch.iter().map(|(url, entry)| (url.as_str(), entry)))?;
        }
        // Only now is the journal redundant; a kill before this line
        // replays it over the new commit, which changes nothing.
        self.journal.set_len(0)?;
        Ok(())
    }

    /// Writes entries to the store in one durable transaction.
    fn write<'a>(
        &self,
        entries: impl Iterator<Item = (&'a str, &'a UrlState)>,
    ) -> std::io::Result<()> {
        let transaction = self.database.begin_write().map_err(store_error)?;
        {
            let mut table = transaction.open_table(URLS).map_err(store_error)?;
            for (url, entry) in entries {
                let value = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
                table.insert(url, value.as_slice()).map_err(store_error)?;
            }
        }
        transaction.commit().map_err(store_error)
    }
}

/// Every entry of the state at `path`, the journal included, without
/// changing the journal: for tests and tools.
pub fn read_all(path: &Path) -> std::io::Result<BTreeMap<String, UrlState>> {
    let database = Database::builder()
        .set_cache_size(CACHE_BYTES)
        .create(path)
        .map_err(store_error)?;
    let state = State {
        database,
        path: path.to_path_buf(),
        batch: read_journal(&journal_path(path))?.into_iter().collect(),
        journal: OpenOptions::new()
            .create(true)
            .append(true)
            .open(journal_path(path))?,
    };
    state.entries()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(status: u16) -> UrlState {
        UrlState {
            last_fetch: "2025-11-01".into(),
            status,
            ..UrlState::default()
        }
    }

    #[test]
    fn journal_replays_and_survives_a_torn_line() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("state.redb");
        let mut state = State::open(&path).unwrap();
        state
            .record("https://a.example/1".into(), entry(200))
            .unwrap();
        state
            .record("https://a.example/2".into(), entry(404))
            .unwrap();
        state
            .record("https://a.example/1".into(), entry(304))
            .unwrap();
        assert_eq!(state.get("https://a.example/1").unwrap().status, 304);
        // A kill: nothing committed, the journal alone holds the entries.
        drop(state);
        let mut journal = OpenOptions::new()
            .append(true)
            .open(journal_path(&path))
            .unwrap();
        journal.write_all(b"{\"url\":\"https://a.exa").unwrap();
        drop(journal);
        let loaded = read_all(&path).unwrap();
        assert_eq!(loaded.len(), 2);
        assert_eq!(loaded["https://a.example/1"].status, 304);
        // Reopening commits the journal and drops the torn line for good.
        let mut reopened = State::open(&path).unwrap();
        assert_eq!(std::fs::metadata(journal_path(&path)).unwrap().len(), 0);
        assert_eq!(reopened.get("https://a.example/2").unwrap().status, 404);
        reopened
            .record("https://a.example/3".into(), entry(200))
            .unwrap();
        drop(reopened);
        assert_eq!(read_all(&path).unwrap().len(), 3);
    }

    #[test]
    fn commits_in_batches_and_imports_the_old_json_state() {
        let directory = tempfile::tempdir().unwrap();
        let legacy = directory.path().join("state.json");
        std::fs::write(
            &legacy,
            r#"{"urls": {"https://a.example/old": {"last_fetch": "2025-01-01", "status": 200, "etag": "\"x\""}}}"#,
        )
        .unwrap();
        std::fs::write(
            journal_path(&legacy),
            "{\"url\":\"https://a.example/newer\",\"entry\":{\"last_fetch\":\"2025-01-02\",\"status\":404}}\n",
        )
        .unwrap();
        let path = directory.path().join("state.redb");
        let mut state = State::open(&path).unwrap();
        assert_eq!(
            state.get("https://a.example/old").unwrap().etag.as_deref(),
            Some("\"x\"")
        );
        assert_eq!(state.get("https://a.example/newer").unwrap().status, 404);
        assert!(!legacy.exists() && !journal_path(&legacy).exists());
        for index in 0..COMMIT_EVERY + 5 {
            state
                .record(format!("https://a.example/{index}"), entry(200))
                .unwrap();
        }
        // One batch committed, the rest still in the journal alone.
        assert_eq!(state.batch.len(), 5);
        let journal = std::fs::read_to_string(journal_path(&path)).unwrap();
        assert_eq!(journal.lines().count(), 5);
        assert_eq!(state.entries().unwrap().len(), COMMIT_EVERY + 7);
        assert!(state.get("https://a.example/3").is_some());
    }
}
