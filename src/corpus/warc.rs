//! WARC files (ISO 28500, WARC/1.0 and 1.1): the crawl's archive format.
//!
//! The reader accepts plain `.warc` files, `.warc.gz` files with one gzip
//! member per record (the usual layout) and files gzipped as a whole. It
//! never panics on bad input: a truncated or corrupt record is skipped,
//! reported, and reading resumes at the next record it can find.
//!
//! The writer appends each record as its own gzip member with one
//! `write(2)`, so a killed crawl loses at most the record in flight: what
//! `write` returned from is in the kernel's page cache and survives the
//! process. The file is synced when the crawl ends (`sync`); power loss is
//! not what the crawl guards against.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use sha1::{Digest, Sha1};

use crate::extract::{Capture, CaptureMeta};

#[derive(Debug, thiserror::Error)]
pub enum WarcError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The record at an offset is missing, truncated or fails its digest.
    #[error("record at {offset}: {reason}")]
    BadRecord { offset: u64, reason: String },
}

/// The head of one record, as [`scan`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordHead {
    /// `WARC-Type`, lowercased.
    pub kind: String,
    pub target_uri: Option<String>,
    pub date: Option<String>,
    /// Byte offset of the record (of its gzip member in a `.warc.gz`).
    pub offset: String,
}

/// One parsed record: named headers and the block.
struct Record {
    headers: Vec<(String, String)>,
    block: Vec<u8>,
    offset: String,
}

impl Record {
    fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

/// The value of a header (case-insensitive name), trimmed.
pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.trim())
}

/// The type and target of every record in a WARC file, and the problems met.
pub fn scan(path: &Path) -> Result<(Vec<RecordHead>, Vec<String>), WarcError> {
    let (records, problems) = read_records(path)?;
    let heads = records
        .iter()
        .map(|record| RecordHead {
            kind: record
                .header("WARC-Type")
                .unwrap_or("")
                .to_ascii_lowercase(),
            target_uri: record.header("WARC-Target-URI").map(clean_uri),
            date: record.header("WARC-Date").map(str::to_string),
            offset: record.offset.clone(),
        })
        .collect();
    Ok((heads, problems))
}

/// The current response of every URL in a WARC file, and the problems met.
/// `Capture::location` is the record's offset in the file.
///
/// Only `response` records with HTTP status 200 count, `resource` records
/// (documents the crawler decoded from an API response), and `revisit`
/// records whose earlier payload (same digest) is in this file. A revisit
/// of a payload archived in another file is left out without complaint:
/// the earlier file yields that capture. A response that a resource refers
/// to (`WARC-Refers-To`) is the API's wrapping of that document and is read
/// through the resource. A `metadata` record (JSON) that refers to a
/// capture's record becomes its [`CaptureMeta`]. When a URL has several
/// versions, the newest (by `WARC-Date`, then file order) is returned.
pub fn read_responses(path: &Path) -> Result<(Vec<Capture>, Vec<String>), WarcError> {
    let (captures, problems) = read_dated(path)?;
    // url -> (warc date, order, capture)
    let mut current: HashMap<String, (String, usize, Capture)> = HashMap::new();
    for (order, (date, capture)) in captures.into_iter().enumerate() {
        let newer = match current.get(&capture.url) {
            Some((earlier, _, _)) => date >= *earlier,
            None => true,
        };
        if newer {
            current.insert(capture.url.clone(), (date, order, capture));
        }
    }
    let mut captures: Vec<(usize, Capture)> = current
        .into_values()
        .map(|(_, order, capture)| (order, capture))
        .collect();
    captures.sort_by_key(|(order, _)| *order);
    Ok((
        captures.into_iter().map(|(_, capture)| capture).collect(),
        problems,
    ))
}

/// Every capture in a WARC file, every version of every URL, in file
/// order, read as [`read_responses`] reads them; and the problems met.
pub fn read_captures(path: &Path) -> Result<(Vec<Capture>, Vec<String>), WarcError> {
    let (dated, problems) = read_dated(path)?;
    Ok((
        dated.into_iter().map(|(_, capture)| capture).collect(),
        problems,
    ))
}

/// Captures with their `WARC-Date`, and the problems met.
type Dated = (Vec<(String, Capture)>, Vec<String>);

/// Every capture with its `WARC-Date`.
fn read_dated(path: &Path) -> Result<Dated, WarcError> {
    let (records, mut problems) = read_records(path)?;
    // payload digest -> (content type, body)
    let mut payloads: HashMap<String, (Option<String>, Vec<u8>)> = HashMap::new();
    // (url, warc date, record id, capture), in file order
    let mut candidates: Vec<(String, String, Option<String>, Capture)> = Vec::new();
    let mut wrapped: HashSet<String> = HashSet::new();
    let mut metadata: HashMap<String, CaptureMeta> = HashMap::new();
    for record in &records {
        let kind = record
            .header("WARC-Type")
            .unwrap_or("")
            .to_ascii_lowercase();
        if kind == "metadata" {
            if let Some(refers_to) = record.header("WARC-Refers-To")
                && record
                    .header("Content-Type")
                    .is_some_and(|value| value.contains("json"))
            {
                match serde_json::from_slice::<CaptureMeta>(&record.block) {
                    Ok(meta) => {
                        metadata.insert(refers_to.to_string(), meta);
                    }
                    Err(error) => {
                        problems.push(format!("metadata record at {}: {error}", record.offset))
                    }
                }
            }
            continue;
        }
        if kind != "response" && kind != "revisit" && kind != "resource" {
            continue;
        }
        let Some(url) = record.header("WARC-Target-URI").map(clean_uri) else {
            problems.push(format!("record at {}: no WARC-Target-URI", record.offset));
            continue;
        };
        let date = record.header("WARC-Date").unwrap_or("").to_string();
        let record_id = record.header("WARC-Record-ID").map(str::to_string);
        if kind == "resource" {
            if let Some(refers_to) = record.header("WARC-Refers-To") {
                wrapped.insert(refers_to.to_string());
            }
            let capture = Capture {
                url: url.clone(),
                content_type: record.header("Content-Type").map(str::to_string),
                body: record.block.clone(),
                captured: date_only(&date),
                location: record.offset.clone(),
                illustrative: false,
                metadata: None,
            };
            candidates.push((url, date, record_id, capture));
            continue;
        }
        let Some(http) = parse_http_response(&record.block) else {
            problems.push(format!(
                "record at {}: not an HTTP response ({url})",
                record.offset
            ));
            continue;
        };
        let content_type = header(&http.headers, "Content-Type").map(str::to_string);
        let capture = if kind == "response" {
            if http.status != 200 {
                continue;
            }
            let raw = &record.block[http.body_offset..];
            let body = match decode_body(&http.headers, raw) {
                Ok(body) => body,
                Err(reason) => {
                    problems.push(format!("record at {}: {reason} ({url})", record.offset));
                    continue;
                }
            };
            let digest = record
                .header("WARC-Payload-Digest")
                .map(normalise_digest)
                .unwrap_or_else(|| sha1_digest(&dechunk_if_needed(&http.headers, raw)));
            payloads.insert(digest, (content_type.clone(), body.clone()));
            Capture {
                url: url.clone(),
                content_type,
                body,
                captured: date_only(&date),
                location: record.offset.clone(),
                illustrative: false,
                metadata: None,
            }
        } else {
            if http.status != 200 && http.status != 304 {
                continue;
            }
            let Some(digest) = record.header("WARC-Payload-Digest").map(normalise_digest) else {
                problems.push(format!(
                    "revisit at {}: no WARC-Payload-Digest ({url})",
                    record.offset
                ));
                continue;
            };
            let Some((earlier_type, body)) = payloads.get(&digest) else {
                continue;
            };
            Capture {
                url: url.clone(),
                content_type: content_type
                    .filter(|_| http.status == 200)
                    .or(earlier_type.clone()),
                body: body.clone(),
                captured: date_only(&date),
                location: record.offset.clone(),
                illustrative: false,
                metadata: None,
            }
        };
        candidates.push((url, date, record_id, capture));
    }
    let mut captures = Vec::with_capacity(candidates.len());
    for (_, date, record_id, mut capture) in candidates {
        if let Some(id) = &record_id {
            if wrapped.contains(id) {
                continue;
            }
            capture.metadata = metadata.remove(id);
        }
        captures.push((date, capture));
    }
    Ok((captures, problems))
}

/// `<uri>` (WARC/1.0 draft style) and bare URIs alike.
fn clean_uri(value: &str) -> String {
    value
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

fn date_only(date: &str) -> String {
    let head = date.get(..10).unwrap_or("");
    if crate::extract::text::parse_date(head).is_some() {
        head.to_string()
    } else {
        String::new()
    }
}

fn normalise_digest(value: &str) -> String {
    match value.split_once(':') {
        Some((algorithm, rest)) => format!("{}:{}", algorithm.to_ascii_lowercase(), rest.trim()),
        None => value.to_string(),
    }
}

fn read_records(path: &Path) -> Result<(Vec<Record>, Vec<String>), WarcError> {
    let data = std::fs::read(path)?;
    let mut records = Vec::new();
    let mut problems = Vec::new();
    if data.starts_with(&[0x1f, 0x8b]) {
        read_gzip_members(&data, &mut records, &mut problems);
    } else {
        parse_records(&data, 0, None, &mut records, &mut problems);
    }
    Ok((records, problems))
}

fn read_gzip_members(data: &[u8], records: &mut Vec<Record>, problems: &mut Vec<String>) {
    let mut position = 0;
    while position < data.len() {
        let mut rest = &data[position..];
        let mut decoded = Vec::new();
        let result = {
            let mut decoder = flate2::bufread::GzDecoder::new(&mut rest);
            decoder.read_to_end(&mut decoded)
        };
        let consumed = data.len() - position - rest.len();
        match result {
            Ok(_) if consumed > 0 => {
                parse_records(&decoded, position, Some(position), records, problems);
                position += consumed;
            }
            Ok(_) => break,
            Err(error) => {
                problems.push(format!("gzip member at {position}: {error}"));
                // Resynchronise on the next gzip header.
                match find(&data[position + 1..], &[0x1f, 0x8b, 0x08]) {
                    Some(next) => position += 1 + next,
                    None => break,
                }
            }
        }
    }
}

/// Parses the records in `data`. `base` is the offset of `data` in the
/// file; `member` is set when `data` is one decompressed gzip member.
fn parse_records(
    data: &[u8],
    base: usize,
    member: Option<usize>,
    records: &mut Vec<Record>,
    problems: &mut Vec<String>,
) {
    let mut position = 0;
    loop {
        while position < data.len() && matches!(data[position], b'\r' | b'\n') {
            position += 1;
        }
        if position >= data.len() {
            return;
        }
        let offset = match member {
            Some(member) if position == 0 => member.to_string(),
            Some(member) => format!("{member}+{position}"),
            None => (base + position).to_string(),
        };
        match parse_record(&data[position..]) {
            Ok((headers, block_start, length)) => {
                let end = block_start + length;
                if position + end > data.len() {
                    problems.push(format!(
                        "record at {offset}: truncated ({} of {length} bytes)",
                        data.len() - position - block_start
                    ));
                    return;
                }
                let block = &data[position + block_start..position + end];
                position += end;
                if let Err(reason) = check_block_digest(&headers, block) {
                    problems.push(format!("record at {offset}: {reason}"));
                    continue;
                }
                records.push(Record {
                    headers,
                    block: block.to_vec(),
                    offset,
                });
            }
            Err(reason) => {
                problems.push(format!("record at {offset}: {reason}"));
                match find(&data[position + 1..], b"\nWARC/1.") {
                    Some(next) => position += next + 2,
                    None => return,
                }
            }
        }
    }
}

/// A record whose `WARC-Block-Digest` (SHA-1) does not match its block is
/// damaged and must not be read as valid. Other algorithms are not checked.
fn check_block_digest(headers: &[(String, String)], block: &[u8]) -> Result<(), String> {
    let Some(declared) = header(headers, "WARC-Block-Digest").map(normalise_digest) else {
        return Ok(());
    };
    if !declared.starts_with("sha1:") {
        return Ok(());
    }
    let actual = sha1_digest(block);
    if declared.eq_ignore_ascii_case(&actual) {
        Ok(())
    } else {
        Err(format!("block digest mismatch ({declared} != {actual})"))
    }
}

/// One response record, read back from where the crawl state says it is.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub record_id: Option<String>,
    /// `WARC-Payload-Digest` as written.
    pub payload_digest: Option<String>,
    /// The capture; `location` is the offset.
    pub capture: Capture,
}

/// Reads the `response` record at `offset` (the start of its gzip member
/// in a `.warc.gz`, of the record in a plain `.warc`), checking its block
/// and payload digests.
pub fn read_response_at(path: &Path, offset: u64) -> Result<StoredResponse, WarcError> {
    use std::io::{BufReader, Seek, SeekFrom};
    let bad = |reason: String| WarcError::BadRecord { offset, reason };
    let mut file = File::open(path)?;
    let length = file.metadata()?.len();
    if offset >= length {
        return Err(bad(format!("past the end of the file ({length} bytes)")));
    }
    file.seek(SeekFrom::Start(offset))?;
    let mut magic = [0u8; 2];
    file.read_exact(&mut magic)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut data = Vec::new();
    if magic == [0x1f, 0x8b] {
        // One member only: GzDecoder stops at the end of the first member.
        flate2::bufread::GzDecoder::new(BufReader::new(file))
            .take(MAX_RECORD_BYTES)
            .read_to_end(&mut data)
            .map_err(|error| bad(format!("gzip: {error}")))?;
    } else {
        file.take(MAX_RECORD_BYTES).read_to_end(&mut data)?;
    }
    let (headers, block_start, block_length) = parse_record(&data).map_err(bad)?;
    let block = data
        .get(block_start..block_start + block_length)
        .ok_or_else(|| bad("truncated".into()))?;
    check_block_digest(&headers, block).map_err(bad)?;
    let kind = header(&headers, "WARC-Type").unwrap_or("");
    if !kind.eq_ignore_ascii_case("response") {
        return Err(bad(format!("a {kind} record, not a response")));
    }
    let url = header(&headers, "WARC-Target-URI")
        .map(clean_uri)
        .ok_or_else(|| bad("no WARC-Target-URI".into()))?;
    let http = parse_http_response(block).ok_or_else(|| bad("not an HTTP response".into()))?;
    let raw = &block[http.body_offset..];
    let payload_digest = header(&headers, "WARC-Payload-Digest").map(normalise_digest);
    if let Some(declared) = &payload_digest
        && declared.starts_with("sha1:")
        && !declared.eq_ignore_ascii_case(&sha1_digest(&dechunk_if_needed(&http.headers, raw)))
    {
        return Err(bad("payload digest mismatch".into()));
    }
    let body = decode_body(&http.headers, raw).map_err(bad)?;
    let date = header(&headers, "WARC-Date").unwrap_or("").to_string();
    Ok(StoredResponse {
        record_id: header(&headers, "WARC-Record-ID").map(str::to_string),
        payload_digest,
        capture: Capture {
            url,
            content_type: header(&http.headers, "Content-Type").map(str::to_string),
            body,
            captured: date_only(&date),
            location: offset.to_string(),
            illustrative: false,
            metadata: None,
        },
    })
}

/// Largest decompressed record [`read_response_at`] reads.
const MAX_RECORD_BYTES: u64 = (crate::crawl::MAX_BODY as u64) + (1 << 20);

/// The headers, where the block starts and its length.
type RecordStart = (Vec<(String, String)>, usize, usize);

fn parse_record(data: &[u8]) -> Result<RecordStart, String> {
    if !data.starts_with(b"WARC/") {
        return Err("no WARC version line".into());
    }
    let (head_end, block_start) = match find(data, b"\r\n\r\n") {
        Some(at) => (at, at + 4),
        None => match find(data, b"\n\n") {
            Some(at) => (at, at + 2),
            None => return Err("truncated header".into()),
        },
    };
    let head = String::from_utf8_lossy(&data[..head_end]);
    let headers = parse_header_lines(head.lines().skip(1));
    let length = header(&headers, "Content-Length")
        .ok_or("no Content-Length")?
        .parse::<usize>()
        .map_err(|_| "bad Content-Length")?;
    Ok((headers, block_start, length))
}

fn parse_header_lines<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            // Folded continuation line.
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    headers
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// An HTTP response head: status, headers and where the body starts.
#[derive(Debug, Clone)]
pub(crate) struct HttpHead {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body_offset: usize,
}

pub(crate) fn parse_http_response(data: &[u8]) -> Option<HttpHead> {
    if !data.starts_with(b"HTTP/") {
        return None;
    }
    let (head_end, body_offset) = match find(data, b"\r\n\r\n") {
        Some(at) => (at, at + 4),
        None => match find(data, b"\n\n") {
            Some(at) => (at, at + 2),
            // Headers only, no blank line: a revisit may end like this.
            None => (data.len(), data.len()),
        },
    };
    let head = String::from_utf8_lossy(&data[..head_end]);
    let mut lines = head.lines();
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    Some(HttpHead {
        status,
        headers: parse_header_lines(lines),
        body_offset,
    })
}

fn dechunk_if_needed(headers: &[(String, String)], raw: &[u8]) -> Vec<u8> {
    if is_chunked(headers) {
        dechunk(raw).unwrap_or_else(|_| raw.to_vec())
    } else {
        raw.to_vec()
    }
}

fn is_chunked(headers: &[(String, String)]) -> bool {
    header(headers, "Transfer-Encoding")
        .is_some_and(|value| value.to_ascii_lowercase().contains("chunked"))
}

/// Removes chunked transfer coding and undoes gzip or deflate content
/// coding, as the headers say.
pub(crate) fn decode_body(headers: &[(String, String)], raw: &[u8]) -> Result<Vec<u8>, String> {
    let body = if is_chunked(headers) {
        dechunk(raw)?
    } else {
        raw.to_vec()
    };
    let encoding = header(headers, "Content-Encoding")
        .unwrap_or("")
        .to_ascii_lowercase();
    match encoding.as_str() {
        "" | "identity" => Ok(body),
        "gzip" | "x-gzip" => {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(body.as_slice())
                .read_to_end(&mut out)
                .map_err(|error| format!("gzip content: {error}"))?;
            Ok(out)
        }
        "deflate" => {
            let mut out = Vec::new();
            if flate2::read::ZlibDecoder::new(body.as_slice())
                .read_to_end(&mut out)
                .is_err()
            {
                out.clear();
                flate2::read::DeflateDecoder::new(body.as_slice())
                    .read_to_end(&mut out)
                    .map_err(|error| format!("deflate content: {error}"))?;
            }
            Ok(out)
        }
        other => Err(format!("unsupported content encoding {other}")),
    }
}

/// Decodes a chunked body. Trailers are ignored.
pub(crate) fn dechunk(raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut position = 0;
    loop {
        let line_end = find(&raw[position..], b"\n").ok_or("truncated chunk size")? + position;
        let line = String::from_utf8_lossy(&raw[position..line_end]);
        let size_text = line
            .trim()
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let size = usize::from_str_radix(&size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        position = line_end + 1;
        if size == 0 {
            return Ok(out);
        }
        let end = position.checked_add(size).ok_or("bad chunk size")?;
        if end > raw.len() {
            return Err("truncated chunk".into());
        }
        out.extend_from_slice(&raw[position..end]);
        position = end;
        while position < raw.len() && matches!(raw[position], b'\r' | b'\n') {
            position += 1;
            if raw[position - 1] == b'\n' {
                break;
            }
        }
    }
}

/// `sha1:` and the base32 of the SHA-1 of `data`, as WARC digests are written.
pub fn sha1_digest(data: &[u8]) -> String {
    format!("sha1:{}", base32(&Sha1::digest(data)))
}

/// RFC 4648 base32, upper case, with padding.
pub fn base32(data: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    for chunk in data.chunks(5) {
        let mut buffer = [0u8; 5];
        buffer[..chunk.len()].copy_from_slice(chunk);
        let bits = buffer
            .iter()
            .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte));
        let symbols = (chunk.len() * 8).div_ceil(5);
        for index in 0..8 {
            if index < symbols {
                out.push(ALPHABET[((bits >> (35 - index * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A new `urn:uuid:` record id.
pub fn record_id() -> String {
    format!("<urn:uuid:{}>", uuid::Uuid::new_v4())
}

/// Where a record went.
#[derive(Debug, Clone)]
pub struct Written {
    pub record_id: String,
    pub offset: u64,
    pub payload_digest: Option<String>,
}

/// What a revisit record points back to.
#[derive(Debug, Clone)]
pub struct RevisitOf<'a> {
    /// `WARC-Profile`: [`PROFILE_IDENTICAL`] or [`PROFILE_NOT_MODIFIED`].
    pub profile: &'a str,
    pub refers_to: Option<&'a str>,
    pub refers_to_uri: &'a str,
    pub refers_to_date: Option<&'a str>,
    pub payload_digest: &'a str,
}

pub const PROFILE_IDENTICAL: &str =
    "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";
pub const PROFILE_NOT_MODIFIED: &str =
    "http://netpreserve.org/warc/1.1/revisit/server-not-modified";

/// Appends WARC/1.1 records to a `.warc.gz` file, one gzip member each.
pub struct WarcWriter {
    file: File,
    path: PathBuf,
    offset: u64,
}

impl WarcWriter {
    /// Opens `path` for appending, creating it (and its directory) if needed.
    pub fn open(path: &Path) -> Result<Self, WarcError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let offset = file.metadata()?.len();
        Ok(Self {
            file,
            path: path.to_path_buf(),
            offset,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes written so far (the offset of the next record).
    pub fn len(&self) -> u64 {
        self.offset
    }

    pub fn is_empty(&self) -> bool {
        self.offset == 0
    }

    /// A `warcinfo` record; `fields` are `name: value` lines.
    pub fn write_warcinfo(
        &mut self,
        date: &str,
        fields: &[(&str, &str)],
    ) -> Result<Written, WarcError> {
        let mut block = String::new();
        for (name, value) in fields {
            block.push_str(&format!("{name}: {value}\r\n"));
        }
        let file_name = self
            .path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let headers = vec![
            ("WARC-Type", "warcinfo".to_string()),
            ("WARC-Date", date.to_string()),
            ("WARC-Filename", file_name),
            ("Content-Type", "application/warc-fields".to_string()),
        ];
        self.append(headers, block.as_bytes(), None)
    }

    /// A `request` record holding the raw HTTP request.
    pub fn write_request(
        &mut self,
        uri: &str,
        date: &str,
        http_request: &[u8],
        concurrent_to: Option<&str>,
    ) -> Result<Written, WarcError> {
        let mut headers = vec![
            ("WARC-Type", "request".to_string()),
            ("WARC-Target-URI", uri.to_string()),
            ("WARC-Date", date.to_string()),
            (
                "Content-Type",
                "application/http; msgtype=request".to_string(),
            ),
        ];
        if let Some(id) = concurrent_to {
            headers.push(("WARC-Concurrent-To", id.to_string()));
        }
        self.append(headers, http_request, None)
    }

    /// A `response` record: `http_response` is the status line, headers
    /// and payload; `payload` is the payload alone, for its digest.
    pub fn write_response(
        &mut self,
        uri: &str,
        date: &str,
        http_response: &[u8],
        payload: &[u8],
        record_id: &str,
    ) -> Result<Written, WarcError> {
        let digest = sha1_digest(payload);
        let headers = vec![
            ("WARC-Type", "response".to_string()),
            ("WARC-Record-ID", record_id.to_string()),
            ("WARC-Target-URI", uri.to_string()),
            ("WARC-Date", date.to_string()),
            ("WARC-Payload-Digest", digest.clone()),
            (
                "Content-Type",
                "application/http; msgtype=response".to_string(),
            ),
        ];
        self.append(headers, http_response, Some(digest))
    }

    /// A `revisit` record: `http_head` is the new response's status line
    /// and headers (no payload).
    pub fn write_revisit(
        &mut self,
        uri: &str,
        date: &str,
        http_head: &[u8],
        of: &RevisitOf<'_>,
        record_id: &str,
    ) -> Result<Written, WarcError> {
        let mut headers = vec![
            ("WARC-Type", "revisit".to_string()),
            ("WARC-Record-ID", record_id.to_string()),
            ("WARC-Target-URI", uri.to_string()),
            ("WARC-Date", date.to_string()),
            ("WARC-Profile", of.profile.to_string()),
            ("WARC-Refers-To-Target-URI", of.refers_to_uri.to_string()),
            ("WARC-Payload-Digest", of.payload_digest.to_string()),
            (
                "Content-Type",
                "application/http; msgtype=response".to_string(),
            ),
        ];
        if let Some(id) = of.refers_to {
            headers.push(("WARC-Refers-To", id.to_string()));
        }
        if let Some(date) = of.refers_to_date {
            headers.push(("WARC-Refers-To-Date", date.to_string()));
        }
        self.append(headers, http_head, Some(of.payload_digest.to_string()))
    }

    /// A `resource` record: a document the crawler decoded from an API
    /// response (`refers_to`), stored at its public address.
    pub fn write_resource(
        &mut self,
        uri: &str,
        date: &str,
        content_type: &str,
        block: &[u8],
        refers_to: Option<&str>,
        record_id: &str,
    ) -> Result<Written, WarcError> {
        let digest = sha1_digest(block);
        let mut headers = vec![
            ("WARC-Type", "resource".to_string()),
            ("WARC-Record-ID", record_id.to_string()),
            ("WARC-Target-URI", uri.to_string()),
            ("WARC-Date", date.to_string()),
            ("WARC-Payload-Digest", digest.clone()),
            ("Content-Type", content_type.to_string()),
        ];
        if let Some(id) = refers_to {
            headers.push(("WARC-Refers-To", id.to_string()));
        }
        self.append(headers, block, Some(digest))
    }

    /// A `metadata` record (JSON) about the record `refers_to`.
    pub fn write_metadata(
        &mut self,
        uri: &str,
        date: &str,
        json: &[u8],
        refers_to: &str,
    ) -> Result<Written, WarcError> {
        let headers = vec![
            ("WARC-Type", "metadata".to_string()),
            ("WARC-Target-URI", uri.to_string()),
            ("WARC-Date", date.to_string()),
            ("WARC-Refers-To", refers_to.to_string()),
            ("Content-Type", "application/json".to_string()),
        ];
        self.append(headers, json, None)
    }

    fn append(
        &mut self,
        mut headers: Vec<(&str, String)>,
        block: &[u8],
        payload_digest: Option<String>,
    ) -> Result<Written, WarcError> {
        let record_id = match headers.iter().find(|(name, _)| *name == "WARC-Record-ID") {
            Some((_, id)) => id.clone(),
            None => {
                let id = record_id();
                headers.insert(1, ("WARC-Record-ID", id.clone()));
                id
            }
        };
        headers.push(("WARC-Block-Digest", sha1_digest(block)));
        headers.push(("Content-Length", block.len().to_string()));
        let mut record = Vec::with_capacity(block.len() + 512);
        record.extend_from_slice(b"WARC/1.1\r\n");
        for (name, value) in &headers {
            record.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        record.extend_from_slice(b"\r\n");
        record.extend_from_slice(block);
        record.extend_from_slice(b"\r\n\r\n");
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(&record)?;
        let member = encoder.finish()?;
        let offset = self.offset;
        self.file.write_all(&member)?;
        self.file.flush()?;
        self.offset += member.len() as u64;
        Ok(Written {
            record_id,
            offset,
            payload_digest,
        })
    }

    /// Flushes and syncs the file.
    pub fn sync(&mut self) -> Result<(), WarcError> {
        self.file.flush()?;
        self.file.sync_all()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY======");
        assert_eq!(base32(b"fo"), "MZXQ====");
        assert_eq!(base32(b"foob"), "MZXW6YQ=");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI======");
        // 20-byte SHA-1 digests need no padding.
        assert_eq!(sha1_digest(b"").len(), "sha1:".len() + 32);
        assert_eq!(sha1_digest(b""), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
    }

    #[test]
    fn dechunks_and_gunzips() {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(b"hello world").unwrap();
        let compressed = gz.finish().unwrap();
        let mut chunked = format!("{:x};ext=1\r\n", 4).into_bytes();
        chunked.extend_from_slice(&compressed[..4]);
        chunked.extend_from_slice(format!("\r\n{:x}\r\n", compressed.len() - 4).as_bytes());
        chunked.extend_from_slice(&compressed[4..]);
        chunked.extend_from_slice(b"\r\n0\r\n\r\n");
        let headers = vec![
            ("Transfer-Encoding".to_string(), "chunked".to_string()),
            ("Content-Encoding".to_string(), "gzip".to_string()),
        ];
        assert_eq!(decode_body(&headers, &chunked).unwrap(), b"hello world");
        assert!(dechunk(b"zz\r\n").is_err());
        assert!(dechunk(b"10\r\nshort").is_err());
    }

    fn http(body: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn round_trip_with_revisits_and_versions() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("test.warc.gz");
        let mut writer = WarcWriter::open(&path).unwrap();
        writer
            .write_warcinfo("2025-11-01T00:00:00Z", &[("software", "test")])
            .unwrap();
        let id = record_id();
        let first = writer
            .write_response(
                "https://a.example/x",
                "2025-11-01T10:00:00Z",
                &http(b"one"),
                b"one",
                &id,
            )
            .unwrap();
        writer
            .write_request(
                "https://a.example/x",
                "2025-11-01T10:00:00Z",
                b"GET /x HTTP/1.1\r\n\r\n",
                Some(&id),
            )
            .unwrap();
        let other = record_id();
        writer
            .write_response(
                "https://a.example/y",
                "2025-11-01T10:00:01Z",
                &http(b"two"),
                b"two",
                &other,
            )
            .unwrap();
        // y changes; x is revisited unchanged on a later day.
        writer
            .write_response(
                "https://a.example/y",
                "2025-11-03T10:00:01Z",
                &http(b"three"),
                b"three",
                &record_id(),
            )
            .unwrap();
        writer
            .write_revisit(
                "https://a.example/x",
                "2025-11-03T10:00:00Z",
                b"HTTP/1.1 304 Not Modified\r\n\r\n",
                &RevisitOf {
                    profile: PROFILE_NOT_MODIFIED,
                    refers_to: Some(&id),
                    refers_to_uri: "https://a.example/x",
                    refers_to_date: Some("2025-11-01T10:00:00Z"),
                    payload_digest: first.payload_digest.as_deref().unwrap(),
                },
                &record_id(),
            )
            .unwrap();
        writer.sync().unwrap();

        let (captures, problems) = read_responses(&path).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(captures.len(), 2);
        let y = captures.iter().find(|c| c.url.ends_with("/y")).unwrap();
        assert_eq!(y.body, b"three");
        assert_eq!(y.captured, "2025-11-03");
        let x = captures.iter().find(|c| c.url.ends_with("/x")).unwrap();
        assert_eq!(x.body, b"one");
        assert_eq!(x.content_type.as_deref(), Some("text/html"));
        assert_eq!(x.captured, "2025-11-03");
        assert!(!x.illustrative);

        let (heads, _) = scan(&path).unwrap();
        let kinds: Vec<&str> = heads.iter().map(|head| head.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "warcinfo", "response", "request", "response", "response", "revisit"
            ]
        );
        assert_eq!(heads[1].offset, first.offset.to_string());
    }

    #[test]
    fn corrupt_and_truncated_records_are_reported_not_fatal() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("bad.warc.gz");
        let mut writer = WarcWriter::open(&path).unwrap();
        writer
            .write_response(
                "https://a.example/1",
                "2025-11-01T10:00:00Z",
                &http(b"ok"),
                b"ok",
                &record_id(),
            )
            .unwrap();
        let good_end = writer.len();
        writer
            .write_response(
                "https://a.example/2",
                "2025-11-01T10:00:00Z",
                &http(b"ok2"),
                b"ok2",
                &record_id(),
            )
            .unwrap();
        drop(writer);
        let mut bytes = std::fs::read(&path).unwrap();
        // Garbage between members, then a truncated last member.
        let tail = bytes.split_off(good_end as usize);
        bytes.extend_from_slice(b"garbage\x1f\x8b\x08rubbish");
        bytes.extend_from_slice(&tail[..tail.len() - 10]);
        std::fs::write(&path, &bytes).unwrap();
        let (captures, problems) = read_responses(&path).unwrap();
        assert_eq!(captures.len(), 1);
        assert!(!problems.is_empty());

        // An uncompressed file with a record cut short.
        let plain = directory.path().join("plain.warc");
        let block = http(b"hello");
        let mut text = format!(
            "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: <https://a.example/p>\r\nWARC-Date: 2024-01-02T00:00:00Z\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        text.extend_from_slice(&block);
        text.extend_from_slice(
            b"\r\n\r\nWARC/1.0\r\nWARC-Type: response\r\nContent-Length: 500\r\n\r\nHTTP/1.1 200",
        );
        std::fs::write(&plain, &text).unwrap();
        let (captures, problems) = read_responses(&plain).unwrap();
        assert_eq!(captures.len(), 1);
        assert_eq!(captures[0].url, "https://a.example/p");
        assert_eq!(captures[0].body, b"hello");
        assert_eq!(captures[0].location, "0");
        assert_eq!(problems.len(), 1, "{problems:?}");
    }
}
