//! One blocking HTTP GET. Hosts listed in `[crawl.resolve]` are fetched
//! over plain HTTP/1.1 from the given loopback address, keeping the URL and
//! `Host` header (test and demo servers speak no TLS); every other host
//! goes through `ureq` (rustls). Neither follows redirects nor decodes
//! content coding: the crawler sees and archives what the server sent.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use url::Url;

use crate::corpus::warc::{self, header};

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("body larger than {0} bytes")]
    TooLarge(usize),
    /// Not retried: a server this slow is not asked again at once.
    #[error("timed out after {0:?}")]
    TimedOut(Duration),
    #[error("{0}")]
    Failed(String),
}

/// A response: status, headers as sent, and the body with any chunked
/// transfer coding removed (content coding kept).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The request as sent, for the WARC request record.
    pub raw_request: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// Status line and headers (without `Transfer-Encoding`, as the body
    /// is stored de-chunked), ending in the blank line.
    pub fn head_bytes(&self) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 {} {}\r\n", self.status, self.reason).into_bytes();
        for (name, value) in &self.headers {
            if name.eq_ignore_ascii_case("Transfer-Encoding") {
                continue;
            }
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

pub struct Fetcher {
    agent: ureq::Agent,
    resolve: HashMap<String, SocketAddr>,
    user_agent: String,
    max_body: usize,
    timeout: Duration,
}

impl Fetcher {
    pub fn new(
        user_agent: &str,
        resolve: HashMap<String, SocketAddr>,
        max_body: usize,
        timeout: Duration,
    ) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(user_agent)
            .timeout_global(Some(timeout))
            .build()
            .into();
        Self {
            agent,
            resolve,
            user_agent: user_agent.to_string(),
            max_body,
            timeout,
        }
    }

    pub fn get(&self, url: &Url, extra: &[(String, String)]) -> Result<Response, FetchError> {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let raw_request = self.request_bytes(url, extra);
        match self.resolve.get(&host) {
            Some(address) => self.get_direct(*address, raw_request),
            None => self.get_ureq(url, extra, raw_request),
        }
    }

    fn request_bytes(&self, url: &Url, extra: &[(String, String)]) -> Vec<u8> {
        let mut target = url.path().to_string();
        if let Some(query) = url.query() {
            target.push('?');
            target.push_str(query);
        }
        let mut host = url.host_str().unwrap_or("").to_string();
        if let Some(port) = url.port() {
            host.push_str(&format!(":{port}"));
        }
        let mut out = format!(
            "GET {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {}\r\nAccept: */*\r\n",
            self.user_agent
        );
        for (name, value) in extra {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("Connection: close\r\n\r\n");
        out.into_bytes()
    }

    fn get_direct(
        &self,
        address: SocketAddr,
        raw_request: Vec<u8>,
    ) -> Result<Response, FetchError> {
        let timeout = self.timeout;
        let failed = |error: std::io::Error| match error.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                FetchError::TimedOut(timeout)
            }
            _ => FetchError::Failed(error.to_string()),
        };
        let deadline = Instant::now() + self.timeout;
        let mut stream =
            TcpStream::connect_timeout(&address, self.timeout.min(Duration::from_secs(10)))
                .map_err(failed)?;
        stream
            .set_read_timeout(Some(self.timeout))
            .map_err(failed)?;
        stream
            .set_write_timeout(Some(self.timeout))
            .map_err(failed)?;
        stream.write_all(&raw_request).map_err(failed)?;
        let cap = self.max_body + 256 * 1024;
        let mut data = Vec::new();
        let mut buffer = [0u8; 64 * 1024];
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err(FetchError::TimedOut(timeout));
            }
            // The whole response must arrive by the deadline.
            stream
                .set_read_timeout(Some(deadline - now))
                .map_err(failed)?;
            let read = stream.read(&mut buffer).map_err(failed)?;
            if read == 0 {
                break;
            }
            data.extend_from_slice(&buffer[..read]);
            if data.len() > cap {
                return Err(FetchError::TooLarge(self.max_body));
            }
        }
        let head = warc::parse_http_response(&data)
            .ok_or_else(|| FetchError::Failed("not an HTTP response".into()))?;
        let raw = &data[head.body_offset..];
        let chunked = header(&head.headers, "Transfer-Encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        let body = if chunked {
            warc::dechunk(raw).map_err(FetchError::Failed)?
        } else if let Some(length) =
            header(&head.headers, "Content-Length").and_then(|v| v.parse::<usize>().ok())
        {
            if raw.len() < length {
                return Err(FetchError::Failed(format!(
                    "body truncated ({} of {length} bytes)",
                    raw.len()
                )));
            }
            raw[..length].to_vec()
        } else {
            raw.to_vec()
        };
        if body.len() > self.max_body {
            return Err(FetchError::TooLarge(self.max_body));
        }
        let status_line = String::from_utf8_lossy(&data[..data.len().min(200)])
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        let reason = status_line.splitn(3, ' ').nth(2).unwrap_or("").to_string();
        Ok(Response {
            status: head.status,
            reason,
            headers: head.headers,
            body,
            raw_request,
        })
    }

    fn get_ureq(
        &self,
        url: &Url,
        extra: &[(String, String)],
        raw_request: Vec<u8>,
    ) -> Result<Response, FetchError> {
        let mut request = self.agent.get(url.as_str()).header("Accept", "*/*");
        for (name, value) in extra {
            request = request.header(name.as_str(), value.as_str());
        }
        let mut response = request.call().map_err(|error| match error {
            ureq::Error::Timeout(_) => FetchError::TimedOut(self.timeout),
            other => FetchError::Failed(other.to_string()),
        })?;
        let status = response.status();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_body as u64)
            .read_to_vec()
            .map_err(|error| match error {
                ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge(self.max_body),
                ureq::Error::Timeout(_) => FetchError::TimedOut(self.timeout),
                other => FetchError::Failed(other.to_string()),
            })?;
        Ok(Response {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_string(),
            headers,
            body,
            raw_request,
        })
    }
}
