//! The optional language-model client: one request to an OpenAI-compatible
//! chat-completions endpoint (llama.cpp's server, Ollama, vLLM, a hosted
//! API), with a time limit and a cap on the response size. The only
//! network access outside `crawl`, and only when `--llm-url` is given.

use std::time::Duration;

use serde_json::{Value, json};

use crate::ask::phrasing::Message;

/// How long one request may take, connection to last byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
/// The largest response body read; a longer one is an error.
pub const MAX_RESPONSE_BYTES: u64 = 256 * 1024;
/// Read from the environment, never from the command line (which other
/// users of the machine can see): sent as `Authorization: Bearer`.
pub const API_KEY_VARIABLE: &str = "PLEDGEWATCH_LLM_API_KEY";

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("--llm-url {0:?} is not an http(s) URL")]
    InvalidUrl(String),
    #[error("the language model did not answer within {0:?}")]
    TimedOut(Duration),
    #[error("the language model answered more than {0} bytes")]
    TooLarge(u64),
    #[error("the language model answered status {status}: {body}")]
    Status { status: u16, body: String },
    #[error("the language model's answer is not a chat completion: {0}")]
    BadResponse(String),
    #[error("the language model could not be reached: {0}")]
    Failed(String),
}

/// A client for one chat-completions endpoint and model.
#[derive(Debug, Clone)]
pub struct LlmClient {
    endpoint: String,
    model: String,
    timeout: Duration,
    api_key: Option<String>,
    agent: ureq::Agent,
}

/// `http://host:port` -> `http://host:port/v1/chat/completions`; a URL that
/// already ends in `/chat/completions` is used as given, and one ending in
/// `/v1` gets `/chat/completions`.
pub fn endpoint_of(url: &str) -> Result<String, LlmError> {
    let parsed = url::Url::parse(url.trim()).map_err(|_| LlmError::InvalidUrl(url.into()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(LlmError::InvalidUrl(url.into()));
    }
    let base = url.trim().trim_end_matches('/');
    Ok(if base.ends_with("/chat/completions") {
        base.to_string()
    } else if base.ends_with("/v1") {
        format!("{base}/chat/completions")
    } else {
        format!("{base}/v1/chat/completions")
    })
}

fn is_loopback(endpoint: &str) -> bool {
    url::Url::parse(endpoint).is_ok_and(|parsed| match parsed.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    })
}

impl LlmClient {
    /// A client for `url` (see [`endpoint_of`]) and `model`, with the
    /// default time limit and the API key from `PLEDGEWATCH_LLM_API_KEY`.
    pub fn new(url: &str, model: &str) -> Result<LlmClient, LlmError> {
        let api_key = std::env::var(API_KEY_VARIABLE)
            .ok()
            .filter(|key| !key.trim().is_empty());
        LlmClient::with_options(url, model, DEFAULT_TIMEOUT, api_key)
    }

    pub fn with_options(
        url: &str,
        model: &str,
        timeout: Duration,
        api_key: Option<String>,
    ) -> Result<LlmClient, LlmError> {
        let endpoint = endpoint_of(url)?;
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("pledgewatch/", env!("CARGO_PKG_VERSION")))
            .timeout_global(Some(timeout));
        // a model on this machine is never reached through a proxy
        if is_loopback(&endpoint) {
            config = config.proxy(None);
        }
        Ok(LlmClient {
            endpoint,
            model: model.to_string(),
            timeout,
            api_key,
            agent: config.build().into(),
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    /// Sends the messages and returns `choices[0].message.content`.
    /// Blocking: call it off the async workers.
    pub fn complete(&self, messages: &[Message]) -> Result<String, LlmError> {
        let body = json!({
            "model": self.model,
            "messages": messages,
            "temperature": 0,
        })
        .to_string();
        let mut request = self
            .agent
            .post(&self.endpoint)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json");
        if let Some(key) = &self.api_key {
            request = request.header("Authorization", format!("Bearer {key}"));
        }
        let failed = |error: ureq::Error| match error {
            ureq::Error::Timeout(_) => LlmError::TimedOut(self.timeout),
            ureq::Error::BodyExceedsLimit(_) => LlmError::TooLarge(MAX_RESPONSE_BYTES),
            other => LlmError::Failed(other.to_string()),
        };
        let mut response = request.send(body).map_err(failed)?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_string()
            .map_err(failed)?;
        if status != 200 {
            return Err(LlmError::Status {
                status,
                body: text.chars().take(200).collect(),
            });
        }
        content_of(&text)
    }
}

/// `choices[0].message.content` of a chat-completions response.
pub fn content_of(body: &str) -> Result<String, LlmError> {
    let value: Value = serde_json::from_str(body).map_err(|error| {
        LlmError::BadResponse(format!("not JSON ({error}): {}", first_chars(body)))
    })?;
    value
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| {
            LlmError::BadResponse(format!(
                "no choices[0].message.content: {}",
                first_chars(body)
            ))
        })
}

fn first_chars(text: &str) -> String {
    text.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_completed() {
        assert_eq!(
            endpoint_of("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080/v1/chat/completions"
        );
        assert_eq!(
            endpoint_of("http://127.0.0.1:11434/v1/").unwrap(),
            "http://127.0.0.1:11434/v1/chat/completions"
        );
        assert_eq!(
            endpoint_of("https://llm.example/api/chat/completions").unwrap(),
            "https://llm.example/api/chat/completions"
        );
        assert!(endpoint_of("ftp://llm.example").is_err());
        assert!(endpoint_of("not a url").is_err());
        assert!(is_loopback("http://localhost:1/v1/chat/completions"));
        assert!(is_loopback("http://[::1]:1/v1/chat/completions"));
        assert!(!is_loopback("https://llm.example/v1/chat/completions"));
    }

    #[test]
    fn content_is_read_from_the_first_choice() {
        let body = r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"It was met [1]."}}]}"#;
        assert_eq!(content_of(body).unwrap(), "It was met [1].");
        assert!(matches!(
            content_of("<html>oops</html>"),
            Err(LlmError::BadResponse(_))
        ));
        assert!(matches!(
            content_of(r#"{"choices":[]}"#),
            Err(LlmError::BadResponse(_))
        ));
    }
}
