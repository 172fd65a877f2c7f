//! Operations: per-IP rate limiting, Prometheus metrics and picking up a
//! rebuilt index without a restart.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{Shared, WebError};

/// A token bucket per client address: `rate` requests a second, with
/// bursts of up to `rate` more.
pub struct RateLimiter {
    rate: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

/// Addresses remembered at most; full buckets are forgotten beyond this.
const MAX_TRACKED_CLIENTS: usize = 10_000;

impl RateLimiter {
    /// `None` when `per_second` is 0: no limit.
    pub fn new(per_second: u32) -> Option<RateLimiter> {
        (per_second > 0).then(|| RateLimiter {
            rate: f64::from(per_second),
            buckets: Mutex::new(HashMap::new()),
        })
    }

    fn capacity(&self) -> f64 {
        self.rate * 2.0
    }

    /// Takes a token for `client`; false when it has none left.
    pub fn allow(&self, client: IpAddr, now: Instant) -> bool {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() >= MAX_TRACKED_CLIENTS && !buckets.contains_key(&client) {
            let capacity = self.capacity();
            let rate = self.rate;
            buckets.retain(|_, (tokens, last)| {
                *tokens + now.duration_since(*last).as_secs_f64() * rate < capacity
            });
        }
        let capacity = self.capacity();
        let (tokens, last) = buckets.entry(client).or_insert((capacity, now));
        let refilled =
            (*tokens + now.duration_since(*last).as_secs_f64() * self.rate).min(capacity);
        *last = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            true
        } else {
            *tokens = refilled;
            false
        }
    }
}

/// Answers 429 to a client over its rate. Health checks are not limited.
pub async fn rate_limit(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let Some(limiter) = &state.limiter else {
        return next.run(request).await;
    };
    if request.uri().path() == "/healthz" {
        return next.run(request).await;
    }
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    if limiter.allow(client, Instant::now()) {
        return next.run(request).await;
    }
    let api = request.uri().path().starts_with("/api/");
    let mut response = WebError {
        status: StatusCode::TOO_MANY_REQUESTS,
        message: "too many requests: slow down and try again in a second".into(),
        api,
    }
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Request counts by route and status, and a latency histogram.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<HashMap<(String, u16), u64>>,
    /// Cumulative counts per bucket in `BUCKETS`, then the total count.
    latency: [AtomicU64; BUCKETS.len() + 1],
    latency_sum_micros: AtomicU64,
}

impl Metrics {
    pub fn record(&self, route: &str, status: u16, seconds: f64) {
        *self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry((route.to_string(), status))
            .or_default() += 1;
        for (bound, count) in BUCKETS.iter().zip(&self.latency) {
            if seconds <= *bound {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency[BUCKETS.len()].fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition format.
    pub fn render(&self, documents: usize, commitments: usize) -> String {
        let mut out = String::new();
        out.push_str("# HELP pledgewatch_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE pledgewatch_requests_total counter\n");
        let mut rows: Vec<((String, u16), u64)> = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .map(|(key, count)| (key.clone(), *count))
            .collect();
        rows.sort();
        for ((route, status), count) in rows {
            let route = route.replace('\\', "\\\\").replace('"', "\\\"");
            let _ = writeln!(
                out,
                "pledgewatch_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        out.push_str("# HELP pledgewatch_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE pledgewatch_request_duration_seconds histogram\n");
        for (bound, count) in BUCKETS.iter().zip(&self.latency) {
            let _ = writeln!(
                out,
                "pledgewatch_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                count.load(Ordering::Relaxed)
            );
        }
        let total = self.latency[BUCKETS.len()].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "pledgewatch_request_duration_seconds_bucket{{le=\"+Inf\"}} {total}"
        );
        let _ = writeln!(
            out,
            "pledgewatch_request_duration_seconds_sum {}",
            self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "pledgewatch_request_duration_seconds_count {total}");
        out.push_str("# HELP pledgewatch_index_documents Documents in the index being served.\n");
        out.push_str("# TYPE pledgewatch_index_documents gauge\n");
        let _ = writeln!(out, "pledgewatch_index_documents {documents}");
        out.push_str(
            "# HELP pledgewatch_index_commitments Commitments in the index being served.\n",
        );
        out.push_str("# TYPE pledgewatch_index_commitments gauge\n");
        let _ = writeln!(out, "pledgewatch_index_commitments {commitments}");
        out
    }
}

/// Counts every request by its route pattern (not its path, so ids do not
/// make new series) and status.
pub async fn record_metrics(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |path| path.as_str().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics.record(
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

pub async fn metrics(State(state): State<Shared>) -> Response {
    let store = state.store();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state
            .metrics
            .render(store.documents, store.commitments.len()),
    )
        .into_response()
}

/// When the index's `meta.json` was last written, if it can be read.
pub fn index_stamp(index_dir: &std::path::Path) -> Option<SystemTime> {
    std::fs::metadata(index_dir.join("meta.json"))
        .and_then(|metadata| metadata.modified())
        .ok()
}

/// Watches the index folder and swaps in a rebuilt index. A rebuild
/// renames a new folder into place, so a changed `meta.json` time means a
/// new index; one that fails to open is logged and the old one kept.
pub async fn watch_index(state: Shared, every: std::time::Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let checking = state.clone();
        match tokio::task::spawn_blocking(move || checking.reload_if_changed()).await {
            Ok(Ok(true)) => tracing::info!("index reloaded"),
            Ok(Ok(false)) => {}
            Ok(Err(error)) => tracing::warn!(%error, "rebuilt index could not be opened"),
            Err(error) => tracing::warn!(%error, "index watcher failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_refuses_beyond_the_burst_and_refills() {
        let limiter = RateLimiter::new(2).expect("a limit");
        let client = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let other = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let start = Instant::now();
        let allowed = (0..10).filter(|_| limiter.allow(client, start)).count();
        assert_eq!(allowed, 4);
        assert!(
            limiter.allow(other, start),
            "clients have their own buckets"
        );
        assert!(limiter.allow(client, start + std::time::Duration::from_secs(1)));
        assert!(RateLimiter::new(0).is_none());
    }

    #[test]
    fn metrics_render_in_prometheus_format() {
        let metrics = Metrics::default();
        metrics.record("/search", 200, 0.003);
        metrics.record("/search", 200, 0.2);
        let text = metrics.render(7, 3);
        assert!(text.contains("pledgewatch_requests_total{route=\"/search\",status=\"200\"} 2"));
        assert!(text.contains("pledgewatch_request_duration_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("pledgewatch_request_duration_seconds_bucket{le=\"+Inf\"} 2"));
        assert!(text.contains("pledgewatch_index_documents 7"));
    }
}
