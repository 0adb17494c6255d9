//! What checking callers costs the stores, counted by the app itself: how
//! many requests were resolved and with what outcome, and how many store
//! operations that took. Served as Prometheus text on `GET /metrics` (when
//! `LATCHKEY_METRICS` is on) and read by the benchmark, which divides the
//! store operations by the requests of a run.
//!
//! Each counted operation is one round trip to the store behind it (one
//! statement, one Redis command or pipeline, one lock of the memory map); a
//! refresh-token rotation is one transaction of several statements and is
//! counted once, under its own name.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Counters shared by the resolver middleware and the auth backend.
#[derive(Debug, Default)]
pub struct AuthCounters {
    signed_in: AtomicU64,
    anonymous: AtomicU64,
    store_unavailable: AtomicU64,
    /// Session mode: reads of a session record.
    lookups: AtomicU64,
    /// Session mode: writes of a session's last activity.
    touches: AtomicU64,
    /// JWT mode: refresh-token rotations.
    refreshes: AtomicU64,
}

/// How a request's caller turned out.
#[derive(Clone, Copy, Debug)]
pub enum Outcome {
    SignedIn,
    Anonymous,
    StoreUnavailable,
}

impl AuthCounters {
    pub fn resolved(&self, outcome: Outcome) {
        let counter = match outcome {
            Outcome::SignedIn => &self.signed_in,
            Outcome::Anonymous => &self.anonymous,
            Outcome::StoreUnavailable => &self.store_unavailable,
        };
        counter.fetch_add(1, Relaxed);
    }

    pub fn lookup(&self) {
        self.lookups.fetch_add(1, Relaxed);
    }

    pub fn touch(&self) {
        self.touches.fetch_add(1, Relaxed);
    }

    pub fn refresh(&self) {
        self.refreshes.fetch_add(1, Relaxed);
    }

    /// The counters in the Prometheus text format; `store` names where the
    /// session records or refresh tokens live.
    pub fn prometheus(&self, mode: &str, store: &str) -> String {
        let mut out = String::new();
        family(
            &mut out,
            "latchkey_auth_requests_total",
            "Requests whose caller was resolved, by outcome.",
            [
                ("signed_in", &self.signed_in),
                ("anonymous", &self.anonymous),
                // "unknown": the label the benchmark and dashboards read.
                ("unknown", &self.store_unavailable),
            ]
            .map(|(outcome, c)| (format!("mode=\"{mode}\",outcome=\"{outcome}\""), c)),
        );
        family(
            &mut out,
            "latchkey_auth_store_operations_total",
            "Store round trips made while resolving callers.",
            [
                ("session_lookup", &self.lookups),
                ("session_touch", &self.touches),
                ("refresh_rotation", &self.refreshes),
            ]
            .map(|(op, c)| (format!("mode=\"{mode}\",store=\"{store}\",op=\"{op}\""), c)),
        );
        out
    }
}

/// One counter family: its help and type lines, then a line per label set.
fn family<'a>(
    out: &mut String,
    name: &str,
    help: &str,
    rows: impl IntoIterator<Item = (String, &'a AtomicU64)>,
) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
    for (labels, counter) in rows {
        let _ = writeln!(out, "{name}{{{labels}}} {}", counter.load(Relaxed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_appear_under_their_labels() {
        let c = AuthCounters::default();
        c.resolved(Outcome::SignedIn);
        c.resolved(Outcome::SignedIn);
        c.resolved(Outcome::Anonymous);
        c.lookup();
        c.touch();
        let text = c.prometheus("session", "redis");
        for line in [
            "latchkey_auth_requests_total{mode=\"session\",outcome=\"signed_in\"} 2",
            "latchkey_auth_requests_total{mode=\"session\",outcome=\"anonymous\"} 1",
            "latchkey_auth_requests_total{mode=\"session\",outcome=\"unknown\"} 0",
            "latchkey_auth_store_operations_total{mode=\"session\",store=\"redis\",op=\"session_lookup\"} 1",
            "latchkey_auth_store_operations_total{mode=\"session\",store=\"redis\",op=\"session_touch\"} 1",
            "latchkey_auth_store_operations_total{mode=\"session\",store=\"redis\",op=\"refresh_rotation\"} 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing from:\n{text}");
        }
    }
}
