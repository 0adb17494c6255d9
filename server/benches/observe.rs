//! What watching a request costs on its way through: a request id, the
//! request span, and the metrics an answered request records (when
//! `LATCHKEY_METRICS` is on).
//!
//! `cargo bench -p server --bench observe`

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use server::http::observe::observed;
use server::metrics::{Metrics, Outcome};
use tower_http::request_id::{MakeRequestId, MakeRequestUuid};

fn record(c: &mut Criterion) {
    let on = Metrics::new(true);
    let off = Metrics::default();
    let (resolved_on, resolved_off) = (on.resolved("session"), off.resolved("session"));
    c.bench_function("metrics_resolved_on", |b| {
        b.iter(|| resolved_on.count(Outcome::SignedIn))
    });
    c.bench_function("metrics_resolved_off", |b| {
        b.iter(|| resolved_off.count(Outcome::SignedIn))
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let lookup = on.resolving_op("session", "memory", "session_lookup");
    c.bench_function("metrics_store_op_on", |b| {
        b.iter(|| rt.block_on(lookup.run(async { 1 })))
    });
    let noop = server::metrics::StoreOp::default();
    c.bench_function("metrics_store_op_off", |b| {
        b.iter(|| rt.block_on(noop.run(async { 1 })))
    });
    c.bench_function("metrics_request_on", |b| {
        b.iter(|| on.request("/account", "GET", 200, Duration::from_micros(180)))
    });
    let req = http::Request::new(());
    let mut make = MakeRequestUuid;
    c.bench_function("request_id_uuid", |b| b.iter(|| make.make_request_id(&req)));
}

/// One `GET` through a router answering `ok`, bare and with the
/// observation layers (metrics off, then on).
fn layers(c: &mut Criterion) {
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let bare = Router::new().route("/healthz", get(|| async { "ok" }));
    let cases = [
        ("router_bare", bare.clone()),
        (
            "router_observed_metrics_off",
            observed(bare.clone(), "session", Metrics::default()),
        ),
        (
            "router_observed_metrics_on",
            observed(bare, "session", Metrics::new(true)),
        ),
    ];
    for (name, router) in cases {
        c.bench_function(name, |b| {
            b.iter(|| {
                let req = http::Request::get("/healthz")
                    .body(axum::body::Body::empty())
                    .unwrap();
                rt.block_on(router.clone().oneshot(req)).unwrap()
            })
        });
    }
}

criterion_group!(benches, record, layers);
criterion_main!(benches);
