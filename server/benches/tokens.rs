//! JWT mode's hot path: signing and checking access tokens per algorithm
//! (in full, and for a token already verified once), the revocation-set
//! check, and a refresh-token rotation in SQLite.
//!
//! `cargo bench -p server --bench tokens`

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use server::auth::jwt::claims::{self, AccessClaims};
use server::auth::jwt::keys::Keyring;
use server::auth::jwt::refresh::{self, Lifetimes};
use server::auth::jwt::revocation::Revocations;
use server::auth::jwt::verified::VerifiedTokens;
use server::auth::token;
use server::auth::{Amr, ClientMeta};
use server::config::JwtAlg;
use tokio::runtime::Runtime;

const NOW: i64 = 1_800_000_000;

fn claims() -> AccessClaims {
    AccessClaims {
        iss: server::auth::jwt::keys::DEFAULT_ISSUER.into(),
        aud: claims::AUDIENCE.into(),
        sub: token::new_id(),
        exp: NOW + 1800,
        nbf: NOW,
        iat: NOW,
        jti: token::new_id(),
        sid: token::new_id(),
        username: "bench".into(),
        auth_time: NOW,
        amr: vec![Amr::Pwd],
        cnf: None,
    }
}

fn access_tokens(c: &mut Criterion) {
    let mut g = c.benchmark_group("access_token");
    for (name, alg) in [("HS256", JwtAlg::Hs256), ("EdDSA", JwtAlg::EdDsa)] {
        let keys = Keyring::random(alg).unwrap();
        let claims = claims();
        g.bench_function(format!("{name}_issue"), |b| {
            b.iter(|| claims::issue(&keys, black_box(&claims)).unwrap())
        });
        let jwt = claims::issue(&keys, &claims).unwrap();
        g.bench_function(format!("{name}_verify"), |b| {
            b.iter(|| claims::verify(&keys, black_box(&jwt), NOW).unwrap())
        });
        // What JWT mode pays per request for a token it has seen before.
        let cache = VerifiedTokens::new(Arc::new(keys));
        g.bench_function(format!("{name}_verify_remembered"), |b| {
            b.iter(|| cache.verify(black_box(&jwt), NOW).unwrap())
        });
    }
    g.finish();
}

fn revocation_check(c: &mut Criterion) {
    let set = Revocations::new(1800, None);
    for _ in 0..100 {
        set.insert(&token::new_id(), NOW);
    }
    let sid = token::new_id();
    c.bench_function("revocation_set_miss_in_100", |b| {
        b.iter(|| set.contains(black_box(&sid)))
    });
}

fn refresh_rotation(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("latchkey-bench-{}", token::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let life = Lifetimes {
        idle: 14 * 86_400,
        short_idle: 12 * 3_600,
        absolute: 14 * 86_400,
        grace: 10,
    };
    let secret = [7u8; 32];
    let (db, mut raw) = rt.block_on(async {
        let db = server::db::connect(&url, Duration::from_secs(2))
            .await
            .unwrap();
        let user = server::users::create(&db, "bench", "x", NOW).await.unwrap();
        let (_, raw) = refresh::start(
            &db,
            &user,
            &ClientMeta::default(),
            life,
            NOW,
            (true, Amr::Pwd),
        )
        .await
        .unwrap();
        (db, raw)
    });
    // Each rotation uses the previous successor: the chain a client walks.
    c.bench_function("refresh_rotate_sqlite", |b| {
        b.iter(|| {
            let (_, next, _) = rt
                .block_on(refresh::rotate(&db, &secret, &raw, (None, None), life, NOW))
                .unwrap()
                .unwrap();
            raw = next;
        })
    });
    rt.block_on(db.close());
    let _ = std::fs::remove_dir_all(dir);
}

criterion_group!(benches, access_tokens, revocation_check, refresh_rotation);
criterion_main!(benches);
