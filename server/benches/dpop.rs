//! What checking a DPoP proof costs, against what the target allows (one
//! ES256 verification): the whole [`check`] of an ES256 proof (parsing,
//! the key's checks and thumbprint, the signature, the claims, `htu` and
//! `ath`), and that proof's signature verification alone. The replay
//! cache's write is measured with the server (`scripts/bench.sh --only
//! dpop`). The proof is one of panva's `dpop` (the differential test's).
//!
//! `cargo bench -p server --bench dpop`

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{crypto, Algorithm, DecodingKey};
use serde_json::Value;
use server::auth::dpop::{check, Expected, Window};

fn proofs(c: &mut Criterion) {
    let fixtures: Value =
        serde_json::from_str(include_str!("../../dpop/src/testdata/panva_dpop.json")).unwrap();
    let f = fixtures["proofs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["alg"] == "ES256" && f["access_token"].is_string())
        .expect("an ES256 proof with a token");
    let proof = f["proof"].as_str().unwrap();
    let token = f["access_token"].as_str().unwrap();
    let (url, method, iat) = (
        f["url"].as_str().unwrap(),
        f["method"].as_str().unwrap(),
        f["iat"].as_i64().unwrap(),
    );
    let expected = Expected {
        method,
        url,
        access_token: Some(token),
        nonce: None,
    };
    let window = Window {
        max_age: 60,
        leeway: 5,
    };
    check(proof, &expected, window, iat).expect("the fixture passes");
    c.bench_function("dpop_check_es256_proof", |b| {
        b.iter(|| check(proof, &expected, window, iat).unwrap())
    });
    let jwk: Jwk = serde_json::from_value(f["jwk"].clone()).unwrap();
    let key = DecodingKey::from_jwk(&jwk).unwrap();
    let (input, signature) = proof.rsplit_once('.').unwrap();
    c.bench_function("es256_verify_only", |b| {
        b.iter(|| crypto::verify(signature, input.as_bytes(), &key, Algorithm::ES256).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3));
    targets = proofs
}
criterion_main!(benches);
