//! What an operator on call asks of an auth server, as Prometheus series:
//! are sign-ins failing right now, is somebody guessing passwords, was a
//! refresh token replayed, how long do the stores take, which routes are slow.
//!
//! Recorded through the `metrics` facade into a Prometheus recorder from
//! `metrics-exporter-prometheus`, served on `GET /metrics` when
//! `LATCHKEY_METRICS=true`. The recorder belongs to the application state
//! rather than being installed process-wide: tests build many states in one
//! process, and each must count only its own requests, so every record goes
//! through [`metrics::with_local_recorder`]. With metrics off nothing is
//! recorded at all, and a record costs one branch.
//!
//! What every request records (its caller resolved, the store operations
//! that took) is registered once, as handles the resolver and the backends
//! keep: a record is then an atomic add, not a registry lookup.
//!
//! Every label value is one of a fixed set (a mode, a store, an outcome, a
//! route template, a status code): never a username, an id or a raw path, so
//! the number of series stays bounded whatever clients send.

use std::sync::Arc;
use std::time::Duration;

use metrics::{counter, gauge, histogram, Counter, Histogram, Label};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

/// Latency buckets, in seconds: from a lookup in process memory (µs) to a
/// store at its timeout (s).
const LATENCY: &[f64] = &[
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0, 2.5, 5.0,
];
/// How long a revocation took to reach this instance, in seconds (revocation
/// times are kept to the second; the database sync runs every 2 s).
const PROPAGATION: &[f64] = &[0.0, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0];

/// The series that are histograms, by name.
pub const REQUEST_SECONDS: &str = "latchkey_http_request_duration_seconds";
pub const STORE_SECONDS: &str = "latchkey_store_operation_duration_seconds";
pub const PROPAGATION_SECONDS: &str = "latchkey_revocation_propagation_seconds";

/// The app's metrics; cheap to clone. `Default` is off.
#[derive(Clone, Default)]
pub struct Metrics(Option<Arc<Exporter>>);

struct Exporter {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_on() {
            "Metrics(on)"
        } else {
            "Metrics(off)"
        })
    }
}

impl Metrics {
    /// Metrics that record when `on`, else a no-op.
    pub fn new(on: bool) -> Self {
        if !on {
            return Metrics(None);
        }
        let buckets = |b: PrometheusBuilder, name: &str, values: &[f64]| {
            b.set_buckets_for_metric(Matcher::Full(name.into()), values)
                .expect("bucket lists are not empty")
        };
        let builder = PrometheusBuilder::new();
        let builder = buckets(builder, REQUEST_SECONDS, LATENCY);
        let builder = buckets(builder, STORE_SECONDS, LATENCY);
        let recorder = buckets(builder, PROPAGATION_SECONDS, PROPAGATION).build_recorder();
        let handle = recorder.handle();
        Metrics(Some(Arc::new(Exporter { recorder, handle })))
    }

    /// Whether anything is recorded.
    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }

    fn record(&self, f: impl FnOnce()) {
        if let Some(e) = &self.0 {
            metrics::with_local_recorder(&e.recorder, f);
        }
    }

    /// Adds one to the counter `name` with `labels`.
    pub fn count(&self, name: &'static str, labels: &[(&'static str, &'static str)]) {
        self.record(|| counter!(name, labels).increment(1));
    }

    /// The counter `name` with `labels`, registered now (a no-op when off).
    fn counter(&self, name: &'static str, labels: &[(&'static str, &'static str)]) -> Counter {
        match &self.0 {
            Some(e) => metrics::with_local_recorder(&e.recorder, || counter!(name, labels)),
            None => Counter::noop(),
        }
    }

    /// The counters of resolved callers in `mode`, registered now.
    pub fn resolved(&self, mode: &'static str) -> Resolved {
        let c = |outcome| {
            self.counter(
                "latchkey_auth_requests_total",
                &[("mode", mode), ("outcome", outcome)],
            )
        };
        Resolved {
            signed_in: c("signed_in"),
            anonymous: c("anonymous"),
            // "unknown": the label the benchmark and dashboards read.
            unknown: c("unknown"),
        }
    }

    /// A store operation made while resolving callers, registered now: its
    /// count (what the benchmark divides by the requests of a run) and its
    /// latency.
    pub fn resolving_op(
        &self,
        mode: &'static str,
        store: &'static str,
        op: &'static str,
    ) -> StoreOp {
        let labels = [("mode", mode), ("store", store), ("op", op)];
        StoreOp {
            count: self.counter("latchkey_auth_store_operations_total", &labels),
            resolving: Some(op),
            ..self.store_op(store, op)
        }
    }

    /// A store operation off the resolving path (a sign-in's insert, a
    /// revocation sync), registered now: its latency only.
    pub fn store_op(&self, store: &'static str, op: &'static str) -> StoreOp {
        let labels = [("store", store), ("op", op)];
        StoreOp {
            count: Counter::noop(),
            resolving: None,
            time: self.0.as_ref().map(|e| {
                metrics::with_local_recorder(&e.recorder, || histogram!(STORE_SECONDS, &labels))
            }),
        }
    }

    /// One answered request: `route` is the matched route template (or a
    /// fixed word for requests no route matched).
    pub fn request(&self, route: &str, method: &'static str, status: u16, took: Duration) {
        self.record(|| {
            let labels = vec![
                Label::new("route", route.to_string()),
                Label::new("method", method),
                Label::new("status", status.to_string()),
            ];
            histogram!(REQUEST_SECONDS, labels).record(took.as_secs_f64());
        });
    }

    /// A revocation made elsewhere reached this instance `wait` after it
    /// was made.
    pub fn revocation_learned(&self, wait: Duration) {
        self.record(|| histogram!(PROPAGATION_SECONDS).record(wait.as_secs_f64()));
    }

    /// Sets the gauge `name` (read at scrape time).
    pub fn gauge(&self, name: &'static str, value: f64) {
        self.record(|| gauge!(name).set(value));
    }

    /// Everything recorded, in the Prometheus text format; `None` when off.
    pub fn render(&self) -> Option<String> {
        self.0.as_ref().map(|e| e.handle.render())
    }

    /// Folds recorded histogram samples into their buckets, so memory stays
    /// flat between scrapes (the maintenance task calls it).
    pub fn upkeep(&self) {
        if let Some(e) = &self.0 {
            e.handle.run_upkeep();
        }
    }
}

/// How a request's caller turned out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    SignedIn,
    Anonymous,
    /// A store could not be reached.
    Unknown,
}

/// The counters of resolved callers, by outcome.
#[derive(Clone, Debug)]
pub struct Resolved {
    signed_in: Counter,
    anonymous: Counter,
    unknown: Counter,
}

impl Resolved {
    /// Counts one caller resolved with `outcome`.
    pub fn count(&self, outcome: Outcome) {
        match outcome {
            Outcome::SignedIn => &self.signed_in,
            Outcome::Anonymous => &self.anonymous,
            Outcome::Unknown => &self.unknown,
        }
        .increment(1);
    }
}

/// One kind of store operation: counted and timed (metrics on); named in
/// `resolving` on the resolving path, noted for the [`crate::probe`] report.
#[derive(Clone, Debug)]
pub struct StoreOp {
    count: Counter,
    resolving: Option<&'static str>,
    /// `None` when metrics are off: nothing is timed then.
    time: Option<Histogram>,
}

impl Default for StoreOp {
    fn default() -> Self {
        StoreOp {
            count: Counter::noop(),
            resolving: None,
            time: None,
        }
    }
}

impl StoreOp {
    /// Runs `work`, counting and timing it.
    pub async fn run<T>(&self, work: impl std::future::Future<Output = T>) -> T {
        self.count.increment(1);
        if let Some(op) = self.resolving {
            crate::probe::note(op);
        }
        let Some(time) = &self.time else {
            return work.await;
        };
        let started = std::time::Instant::now();
        let out = work.await;
        time.record(started.elapsed().as_secs_f64());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_records_and_renders_nothing() {
        let m = Metrics::default();
        m.count("latchkey_sign_ups_total", &[]);
        assert!(m.render().is_none());
    }

    #[tokio::test]
    async fn counters_and_histograms_render_under_their_labels() {
        let m = Metrics::new(true);
        let resolved = m.resolved("session");
        resolved.count(Outcome::SignedIn);
        resolved.count(Outcome::SignedIn);
        let lookup = m.resolving_op("session", "redis", "session_lookup");
        lookup.run(async {}).await;
        m.store_op("redis", "session_insert").run(async {}).await;
        m.request("/api/me", "GET", 200, Duration::from_millis(3));
        let text = m.render().unwrap();
        assert!(
            text.lines()
                .any(|l| l
                    == r#"latchkey_auth_requests_total{mode="session",outcome="signed_in"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(
                r#"latchkey_store_operation_duration_seconds_count{store="redis",op="session_lookup"} 1"#
            ) && text.contains(
                r#"latchkey_auth_store_operations_total{mode="session",store="redis",op="session_lookup"} 1"#
            ) && text.contains(
                r#"latchkey_store_operation_duration_seconds_count{store="redis",op="session_insert"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"latchkey_http_request_duration_seconds_count{route="/api/me",method="GET",status="200"} 1"#
            ),
            "{text}"
        );
    }
}
