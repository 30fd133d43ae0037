//! `GET /metrics` in the Prometheus text format. Two kinds of figures:
//!
//! - from the database, the same whichever instance answers: tasks by engine, channel and state;
//!   credits charged and refunded, and refunds, as running totals;
//! - counted by this process since it started (Prometheus scrapes each instance and adds them
//!   up): upstream requests by channel and outcome with their latency, and submits by engine.

use crate::db;
use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{Arc, Mutex},
    time::Duration,
};

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 10] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
struct Latency {
    /// Per bucket of [`BUCKETS`], the requests that took at most its bound (not cumulative).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Counts {
    /// (channel, outcome) → requests.
    requests: BTreeMap<(String, &'static str), u64>,
    /// channel → latency of its requests.
    latency: BTreeMap<String, Latency>,
    /// engine → tasks submitted.
    submits: BTreeMap<&'static str, u64>,
}

/// What this process counts.
#[derive(Default)]
pub struct Metrics {
    counts: Mutex<Counts>,
}

/// How one upstream request went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An answer (any status below 500).
    Answered,
    /// HTTP 5xx.
    ServerError,
    /// No connection.
    Unreachable,
    /// Anything else on the way (a timeout, a broken answer).
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::ServerError => "server_error",
            Self::Unreachable => "unreachable",
            Self::Failed => "failed",
        }
    }
}

impl Metrics {
    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn upstream(&self, channel: &str, outcome: Outcome, took: Duration) {
        let mut c = self.counts();
        *c.requests
            .entry((channel.to_owned(), outcome.as_str()))
            .or_default() += 1;
        let l = c.latency.entry(channel.to_owned()).or_default();
        let secs = took.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            l.buckets[i] += 1;
        }
        l.count += 1;
        l.sum += secs;
    }

    pub fn submitted(&self, engine: crate::types::EngineKind) {
        *self.counts().submits.entry(engine.as_str()).or_default() += 1;
    }
}

/// Where an upstream client reports its requests: the process's metrics and its channel.
#[derive(Clone)]
pub struct Observer {
    pub metrics: Arc<Metrics>,
    pub channel: String,
}

impl Observer {
    pub fn record(&self, outcome: Outcome, took: Duration) {
        self.metrics.upstream(&self.channel, outcome, took);
    }
}

/// A label value, escaped as the text format wants.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The whole page.
pub async fn render(pool: &db::Pool, metrics: &Metrics) -> Result<String, sqlx::Error> {
    let tasks = db::admin::task_counts(pool).await?;
    let ledger = db::admin::ledger_totals(pool).await?;
    let mut out = String::new();
    out.push_str("# HELP atelier_tasks Tasks by engine, channel and state.\n");
    out.push_str("# TYPE atelier_tasks gauge\n");
    for (engine, channel, state, n) in &tasks {
        let _ = writeln!(
            out,
            "atelier_tasks{{engine=\"{}\",channel=\"{}\",state=\"{}\"}} {n}",
            label(engine.as_str()),
            label(channel.as_deref().unwrap_or("")),
            label(state.as_str())
        );
    }
    let total = |reason: &str, what: fn(&(String, i64, i64)) -> i64| {
        ledger.iter().find(|row| row.0 == reason).map_or(0, what)
    };
    out.push_str("# HELP atelier_credits_spent_total Credits charged for tasks, less refunds.\n");
    out.push_str("# TYPE atelier_credits_spent_total counter\n");
    let charged = -total("charge", |r| r.2);
    let refunded = total("refund", |r| r.2);
    let _ = writeln!(out, "atelier_credits_spent_total {}", charged - refunded);
    out.push_str(
        "# HELP atelier_credits_refunded_total Credits given back for failed or cancelled tasks.\n",
    );
    out.push_str("# TYPE atelier_credits_refunded_total counter\n");
    let _ = writeln!(out, "atelier_credits_refunded_total {refunded}");
    out.push_str("# HELP atelier_refunds_total Refunds written.\n");
    out.push_str("# TYPE atelier_refunds_total counter\n");
    let _ = writeln!(out, "atelier_refunds_total {}", total("refund", |r| r.1));

    let c = metrics.counts();
    out.push_str("# HELP atelier_submits_total Tasks submitted to this instance.\n");
    out.push_str("# TYPE atelier_submits_total counter\n");
    for (engine, n) in &c.submits {
        let _ = writeln!(
            out,
            "atelier_submits_total{{engine=\"{}\"}} {n}",
            label(engine)
        );
    }
    out.push_str(
        "# HELP atelier_upstream_requests_total Requests this instance made to each channel.\n",
    );
    out.push_str("# TYPE atelier_upstream_requests_total counter\n");
    for ((channel, outcome), n) in &c.requests {
        let _ = writeln!(
            out,
            "atelier_upstream_requests_total{{channel=\"{}\",outcome=\"{outcome}\"}} {n}",
            label(channel)
        );
    }
    out.push_str("# HELP atelier_upstream_errors_total Requests to each channel that failed.\n");
    out.push_str("# TYPE atelier_upstream_errors_total counter\n");
    let mut errors: BTreeMap<&str, u64> = BTreeMap::new();
    for ((channel, outcome), n) in &c.requests {
        let e = errors.entry(channel).or_default();
        if *outcome != Outcome::Answered.as_str() {
            *e += n;
        }
    }
    for (channel, n) in errors {
        let _ = writeln!(
            out,
            "atelier_upstream_errors_total{{channel=\"{}\"}} {n}",
            label(channel)
        );
    }
    out.push_str("# HELP atelier_upstream_latency_seconds Time each request to a channel took.\n");
    out.push_str("# TYPE atelier_upstream_latency_seconds histogram\n");
    for (channel, l) in &c.latency {
        let ch = label(channel);
        let mut cumulative = 0;
        for (bound, n) in BUCKETS.iter().zip(l.buckets) {
            cumulative += n;
            let _ = writeln!(
                out,
                "atelier_upstream_latency_seconds_bucket{{channel=\"{ch}\",le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "atelier_upstream_latency_seconds_bucket{{channel=\"{ch}\",le=\"+Inf\"}} {}",
            l.count
        );
        let _ = writeln!(
            out,
            "atelier_upstream_latency_seconds_sum{{channel=\"{ch}\"}} {}",
            l.sum
        );
        let _ = writeln!(
            out,
            "atelier_upstream_latency_seconds_count{{channel=\"{ch}\"}} {}",
            l.count
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn latency_lands_in_its_bucket() {
        let m = Metrics::default();
        m.upstream("c1", Outcome::Answered, Duration::from_millis(30));
        m.upstream("c1", Outcome::ServerError, Duration::from_secs(60));
        let c = m.counts();
        let l = &c.latency["c1"];
        assert_eq!(l.count, 2);
        assert_eq!(l.buckets[2], 1, "30 ms is under 50 ms");
        assert_eq!(
            l.buckets.iter().sum::<u64>(),
            1,
            "a minute is past every bound"
        );
        assert_eq!(c.requests[&("c1".to_owned(), "server_error")], 1);
    }
}
