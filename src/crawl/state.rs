//! The crawl state: what was last fetched from every URL, in
//! `<corpus>/crawl/state.json` plus a journal, `state.json.log`.
//!
//! Each fetch appends one JSON line to the journal: rewriting
//! the whole state after every fetch costs O(pages) per page. The snapshot
//! is rewritten atomically (temporary file, fsync, rename) when the journal
//! has grown as long as the state, and at the end of a crawl; the journal
//! is then emptied. Loading reads the snapshot and replays the journal; a
//! torn last line (a crash mid-append) is ignored, and replaying a journal
//! already folded into the snapshot changes nothing.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

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

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub urls: BTreeMap<String, UrlState>,
    /// Open journal and its length in entries (crawler only).
    #[serde(skip)]
    journal: Option<(File, usize)>,
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

/// The journal beside the snapshot at `path`.
pub fn journal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".log");
    PathBuf::from(name)
}

/// Smallest journal worth folding into the snapshot.
const MIN_COMPACT_ENTRIES: usize = 1000;

impl State {
    /// The snapshot with the journal replayed over it.
    pub fn load(path: &Path) -> std::io::Result<Self> {
        let mut state = match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error))?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Self::default(),
            Err(error) => return Err(error),
        };
        match File::open(journal_path(path)) {
            Ok(file) => {
                for line in BufReader::new(file).split(b'\n') {
                    // A line that does not parse is the torn tail of a crash.
                    if let Ok(line) = serde_json::from_slice::<JournalLine>(&line?) {
                        state.urls.insert(line.url, line.entry);
                    }
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
        Ok(state)
    }

    /// Loads the state for a crawl: folds any journal into a fresh
    /// snapshot (dropping a torn line for good) and opens a new journal.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let mut state = Self::load(path)?;
        state.save(path)?;
        state.journal = Some((
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(journal_path(path))?,
            0,
        ));
        Ok(state)
    }

    /// Records the fetch of `url`: appends it to the journal, or,
    /// for a state not [`open`](Self::open)ed, rewrites the snapshot.
    pub fn record(&mut self, path: &Path, url: String, entry: UrlState) -> std::io::Result<()> {
        let Some((file, entries)) = self.journal.as_mut() else {
            self.urls.insert(url, entry);
            return self.save(path);
        };
        let mut line = serde_json::to_vec(&JournalLineRef {
            url: &url,
            entry: &entry,
        })
        .map_err(std::io::Error::other)?;
        line.push(b'\n');
        // One write: a killed process leaves the line whole or torn, never
        // reordered before the WARC record it points at (written earlier).
        file.write_all(&line)?;
        *entries += 1;
        let entries = *entries;
        self.urls.insert(url, entry);
        if entries >= MIN_COMPACT_ENTRIES.max(self.urls.len()) {
            self.save(path)?;
        }
        Ok(())
    }

    /// Writes the snapshot atomically and empties the journal.
    pub fn save(&mut self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let mut temporary = PathBuf::from(path);
        temporary.set_extension("json.tmp");
        {
            let mut file = File::create(&temporary)?;
            file.write_all(&text)?;
            file.sync_all()?;
        }
        std::fs::rename(&temporary, path)?;
        if let Some(parent) = path.parent()
            && let Ok(directory) = File::open(parent)
        {
            let _ = directory.sync_all();
        }
        // Only now is the journal redundant; a crash before this line
        // replays it over the new snapshot, which changes nothing.
        match self.journal.as_mut() {
            Some((file, entries)) => {
                file.set_len(0)?;
                file.sync_all()?;
                *entries = 0;
            }
            None => match std::fs::remove_file(journal_path(path)) {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => return Err(error),
            },
        }
        Ok(())
    }
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
        let path = directory.path().join("state.json");
        let mut state = State::open(&path).unwrap();
        state
            .record(&path, "https://a.example/1".into(), entry(200))
            .unwrap();
        state
            .record(&path, "https://a.example/2".into(), entry(404))
            .unwrap();
        state
            .record(&path, "https://a.example/1".into(), entry(304))
            .unwrap();
        drop(state);
        // A crash mid-append leaves half a line.
        let mut journal = OpenOptions::new()
            .append(true)
            .open(journal_path(&path))
            .unwrap();
        journal.write_all(b"{\"url\":\"https://a.exa").unwrap();
        drop(journal);
        let loaded = State::load(&path).unwrap();
        assert_eq!(loaded.urls.len(), 2);
        assert_eq!(loaded.urls["https://a.example/1"].status, 304);
        // Reopening folds the journal in and drops the torn line for good.
        let mut reopened = State::open(&path).unwrap();
        assert_eq!(std::fs::metadata(journal_path(&path)).unwrap().len(), 0);
        reopened
            .record(&path, "https://a.example/3".into(), entry(200))
            .unwrap();
        drop(reopened);
        assert_eq!(State::load(&path).unwrap().urls.len(), 3);
    }
}
