//! The corpus: the archive of record. Reads the bundled demo site (files
//! dated by its manifest) and the crawl output (WARC files), and yields
//! captures for extraction.

pub mod warc;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::analyze::Override;
use crate::extract::Capture;

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Overrides { path: PathBuf, message: String },
}

/// `corpus/site.toml`: where the demo site lives on the web and when it was captured.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub base_url: String,
    pub captured: String,
}

/// A capture that could not be read, with the reason, for the build report.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub location: String,
    pub reason: String,
}

pub fn read_manifest(corpus: &Path) -> Result<Option<Manifest>, CorpusError> {
    let path = corpus.join("site.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(CorpusError::Io { path, source }),
    };
    let manifest: Manifest = toml::from_str(&text).map_err(|error| CorpusError::Manifest {
        path: path.clone(),
        message: error.to_string(),
    })?;
    if url::Url::parse(&manifest.base_url).is_err() {
        return Err(CorpusError::Manifest {
            path,
            message: format!("base_url {:?} is not an absolute URL", manifest.base_url),
        });
    }
    if crate::extract::text::parse_date(&manifest.captured).is_none() {
        return Err(CorpusError::Manifest {
            path,
            message: format!(
                "captured {:?} is not a date (YYYY-MM-DD)",
                manifest.captured
            ),
        });
    }
    Ok(Some(manifest))
}

/// Reviewed editorial overrides (`corpus/overrides.toml`).
pub fn read_overrides(corpus: &Path) -> Result<Vec<Override>, CorpusError> {
    #[derive(Deserialize)]
    struct File {
        #[serde(default, rename = "override")]
        overrides: Vec<Override>,
    }
    let path = corpus.join("overrides.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(CorpusError::Io { path, source }),
    };
    let file: File = toml::from_str(&text).map_err(|error| CorpusError::Overrides {
        path,
        message: error.to_string(),
    })?;
    Ok(file.overrides)
}

pub fn content_type_for(path: &Path) -> Option<&'static str> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "html" | "htm" => Some("text/html"),
        "json" => Some("application/json"),
        "pdf" => Some("application/pdf"),
        _ => None,
    }
}

fn walk(directory: &Path, files: &mut Vec<PathBuf>) -> Result<(), CorpusError> {
    let entries = std::fs::read_dir(directory).map_err(|source| CorpusError::Io {
        path: directory.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| CorpusError::Io {
            path: directory.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// Every capture in the corpus: the demo site's documents, then every
/// capture in every WARC file under `crawl/` (every version of a URL:
/// older ones are the document's history). Unreadable items are reported,
/// not fatal.
pub fn captures(corpus: &Path) -> Result<(Vec<Capture>, Vec<Skipped>), CorpusError> {
    let mut captures = Vec::new();
    let mut skipped = Vec::new();
    if let Some(manifest) = read_manifest(corpus)? {
        let site = corpus.join("site");
        let mut files = Vec::new();
        if site.is_dir() {
            walk(&site, &mut files)?;
        }
        files.sort();
        let base = url::Url::parse(&manifest.base_url).map_err(|error| CorpusError::Manifest {
            path: corpus.join("site.toml"),
            message: error.to_string(),
        })?;
        // read on every core: a big site is many small files
        let read = crate::parallel::map(&files, |_, file| {
            let content_type = content_type_for(file)?;
            let relative = file.strip_prefix(&site).unwrap_or(file);
            let relative_text: Vec<String> = relative
                .components()
                .map(|component| component.as_os_str().to_string_lossy().into_owned())
                .collect();
            let relative_text = relative_text.join("/");
            if relative_text == "index.html" {
                return None;
            }
            let Ok(url) = base.join(&relative_text) else {
                return Some(Err(Skipped {
                    location: relative_text,
                    reason: "not a valid URL path".into(),
                }));
            };
            Some(match std::fs::read(file) {
                Ok(body) => Ok(Capture {
                    url: url.to_string(),
                    content_type: Some(content_type.into()),
                    body,
                    captured: manifest.captured.clone(),
                    location: format!("site/{relative_text}"),
                    illustrative: true,
                    metadata: None,
                }),
                Err(error) => Err(Skipped {
                    location: relative_text,
                    reason: error.to_string(),
                }),
            })
        });
        for outcome in read.into_iter().flatten() {
            match outcome {
                Ok(capture) => captures.push(capture),
                Err(skip) => skipped.push(skip),
            }
        }
    }
    let crawl = corpus.join("crawl");
    if crawl.is_dir() {
        let mut files = Vec::new();
        walk(&crawl, &mut files)?;
        files.sort();
        let warcs: Vec<PathBuf> = files
            .into_iter()
            .filter(|file| {
                let name = file.to_string_lossy();
                name.ends_with(".warc") || name.ends_with(".warc.gz")
            })
            .collect();
        // each file decompressed on a core of its own
        let read = crate::parallel::map(&warcs, |_, file| warc::read_captures(file));
        for (file, outcome) in warcs.iter().zip(read) {
            let location = file
                .strip_prefix(corpus)
                .unwrap_or(file)
                .to_string_lossy()
                .into_owned();
            match outcome {
                Ok((mut found, problems)) => {
                    for capture in &mut found {
                        capture.location = format!("{location}#{}", capture.location);
                    }
                    captures.extend(found);
                    skipped.extend(problems.into_iter().map(|reason| Skipped {
                        location: location.clone(),
                        reason,
                    }));
                }
                Err(error) => skipped.push(Skipped {
                    location,
                    reason: error.to_string(),
                }),
            }
        }
    }
    Ok((captures, skipped))
}
