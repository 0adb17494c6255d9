//! What resolving one request cost, for the inspector: the store operations
//! it made and the time it took.
//!
//! Prometheus counters (see [`crate::metrics`]) sum over every request and
//! are off unless an operator turns them on; the inspector must show what
//! *this* request did, whatever the metrics setting. So the resolver runs
//! inside a [`tokio::task_local!`] scope and every store operation on the
//! resolving path ([`crate::metrics::StoreOp::run`]) notes its name there;
//! outside a scope (sign-ins, background syncs) noting is a no-op. The
//! result travels to the page as a [`ResolveReport`] in the request
//! extensions, and into [`Totals`], the running figures `/tradeoffs` shows.

use std::cell::RefCell;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

tokio::task_local! {
    static NOTED: RefCell<Vec<&'static str>>;
}

/// Notes one store operation named `op` made by the current request, if a
/// resolution is being watched.
pub fn note(op: &'static str) {
    let _ = NOTED.try_with(|ops| ops.borrow_mut().push(op));
}

/// The name of a refresh-token rotation on the resolving path.
pub const REFRESH_ROTATION: &str = "refresh_rotation";

/// What resolving the caller of one request did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolveReport {
    /// The store operations, in order (`session_lookup`, `session_touch`,
    /// `refresh_rotation`).
    pub store_ops: Vec<&'static str>,
    /// Wall time spent resolving, store round trips included.
    pub took: Duration,
}

/// Runs `resolve`, noting what it does.
pub async fn watch<T>(resolve: impl Future<Output = T>) -> (T, ResolveReport) {
    let started = Instant::now();
    let (out, ops) = NOTED
        .scope(RefCell::new(Vec::new()), async {
            let out = resolve.await;
            (out, NOTED.with(|ops| ops.take()))
        })
        .await;
    let report = ResolveReport {
        store_ops: ops,
        took: started.elapsed(),
    };
    (out, report)
}

/// Running figures over the signed-in requests this instance resolved.
#[derive(Debug, Default)]
pub struct Totals {
    requests: AtomicU64,
    store_ops: AtomicU64,
    micros: AtomicU64,
    /// Requests on which the resolver renewed an expired access token.
    refreshes: AtomicU64,
}

/// A reading of [`Totals`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Averages {
    pub requests: u64,
    /// Store operations per signed-in request.
    pub store_ops: f64,
    /// Microseconds spent resolving a signed-in request.
    pub micros: f64,
    /// Requests on which the resolver renewed an expired access token.
    pub refreshes: u64,
}

impl Totals {
    /// Adds one signed-in request.
    pub fn add(&self, report: &ResolveReport) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.store_ops
            .fetch_add(report.store_ops.len() as u64, Ordering::Relaxed);
        let micros = u64::try_from(report.took.as_micros()).unwrap_or(u64::MAX);
        self.micros.fetch_add(micros, Ordering::Relaxed);
        if report.store_ops.contains(&REFRESH_ROTATION) {
            self.refreshes.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The averages so far (zeros before the first request).
    pub fn averages(&self) -> Averages {
        let requests = self.requests.load(Ordering::Relaxed);
        if requests == 0 {
            return Averages::default();
        }
        let per = |total: &AtomicU64| total.load(Ordering::Relaxed) as f64 / requests as f64;
        Averages {
            requests,
            store_ops: per(&self.store_ops),
            micros: per(&self.micros),
            refreshes: self.refreshes.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn operations_inside_a_watch_are_noted_in_order() {
        let ((), report) = watch(async {
            note("session_lookup");
            tokio::task::yield_now().await;
            note("session_touch");
        })
        .await;
        assert_eq!(report.store_ops, ["session_lookup", "session_touch"]);
    }

    #[tokio::test]
    async fn operations_outside_a_watch_are_not_noted() {
        note("session_insert");
        let ((), report) = watch(async {}).await;
        assert!(report.store_ops.is_empty());
    }

    #[test]
    fn averages_divide_by_the_requests() {
        let totals = Totals::default();
        assert_eq!(totals.averages(), Averages::default());
        for ops in [1, 1, 2] {
            totals.add(&ResolveReport {
                store_ops: vec![REFRESH_ROTATION; ops],
                took: Duration::from_micros(30),
            });
        }
        let a = totals.averages();
        assert_eq!(a.requests, 3);
        assert!((a.store_ops - 4.0 / 3.0).abs() < 1e-9);
        assert!((a.micros - 30.0).abs() < 1e-9);
        assert_eq!(a.refreshes, 3);
    }
}
