//! Session mode's hot path: minting a session ID, hashing it, and finding the
//! record in the in-process map and in SQLite.
//!
//! `cargo bench -p server --bench sessions`

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use server::auth::session::{DatabaseStore, DeviceSession, MemoryStore, SessionStore};
use server::auth::token::{self, TokenHash};
use tokio::runtime::Runtime;

const NOW: i64 = 1_800_000_000;

fn record(user_id: &str) -> DeviceSession {
    DeviceSession {
        id: token::new_id(),
        user_id: user_id.into(),
        username: "bench".into(),
        created_at: NOW,
        last_seen_at: NOW,
        idle_expires_at: NOW + 86_400,
        absolute_expires_at: NOW + 14 * 86_400,
        user_agent: Some("wrk".into()),
        ip: Some("127.0.0.1".into()),
        persistent: true,
        member_since: Some(NOW - 86_400),
        amr: server::auth::Amr::Pwd,
    }
}

fn ids(c: &mut Criterion) {
    let mut g = c.benchmark_group("session_id");
    g.bench_function("new_token", |b| b.iter(token::new_token));
    let raw = token::new_token();
    g.bench_function("is_well_formed", |b| {
        b.iter(|| token::is_well_formed(black_box(&raw)))
    });
    g.bench_function("sha256_hash", |b| b.iter(|| TokenHash::of(black_box(&raw))));
    g.bench_function("new_token_and_hash", |b| {
        b.iter(|| TokenHash::of(&token::new_token()))
    });
    g.finish();
}

/// A memory store holding `n` sessions, and the raw ID of one of them.
fn memory_store(rt: &Runtime, n: usize) -> (MemoryStore, String) {
    let store = MemoryStore::new();
    let mut raw = String::new();
    rt.block_on(async {
        for _ in 0..n {
            raw = token::new_token();
            store
                .insert(&TokenHash::of(&raw), &record("user"))
                .await
                .unwrap();
        }
    });
    (store, raw)
}

fn memory_lookup(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let mut g = c.benchmark_group("memory_store");
    for n in [1_000, 100_000] {
        let (store, raw) = memory_store(&rt, n);
        // What a request pays: check the cookie's shape, hash it, look it up.
        g.bench_function(format!("resolve_in_{n}"), |b| {
            b.iter(|| {
                rt.block_on(async {
                    assert!(token::is_well_formed(&raw));
                    store.find(&TokenHash::of(&raw), NOW).await.unwrap()
                })
            })
        });
    }
    g.bench_function("insert", |b| {
        let store = MemoryStore::new();
        b.iter_batched(
            || (TokenHash::of(&token::new_token()), record("user")),
            |(hash, r)| rt.block_on(store.insert(&hash, &r)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn sqlite_lookup(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("latchkey-bench-{}", token::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let (store, raw) = rt.block_on(async {
        let db = server::db::connect(&url, Duration::from_secs(2))
            .await
            .unwrap();
        let user = server::users::create(&db, "bench", "x", NOW).await.unwrap();
        let store = DatabaseStore::new(db);
        let mut raw = String::new();
        for _ in 0..1_000 {
            raw = token::new_token();
            store
                .insert(&TokenHash::of(&raw), &record(&user.id))
                .await
                .unwrap();
        }
        (store, raw)
    });
    let mut g = c.benchmark_group("sqlite_store");
    g.bench_function("resolve_in_1000", |b| {
        b.iter(|| rt.block_on(store.find(&TokenHash::of(&raw), NOW)).unwrap())
    });
    g.finish();
    drop(store);
    let _ = std::fs::remove_dir_all(dir);
}

criterion_group!(benches, ids, memory_lookup, sqlite_lookup);
criterion_main!(benches);
