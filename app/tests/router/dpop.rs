//! DPoP (RFC 9449) over HTTP, JWT mode: tokens bound at the token endpoint,
//! every check of §4.3 at the API each with a control that passes, and what
//! the metadata and introspection say. (What a bound token and family are
//! refused as, across instances and a mode switch: `dpop_binding.rs`.)

use axum::body::Body;
use http::{header, Request};
use serde_json::{json, Value};

use super::*;
use support::dpop_key::{self, DpopKey};
use support::{Reply, TestApp, T0};

const FORM: &str = "application/x-www-form-urlencoded";
const PASSWORD_GRANT: &str = "grant_type=password&username=alice&password=correct-horse";

pub(super) async fn app(db: Db) -> TestApp {
    let app = TestApp::new(db, Backend::Jwt);
    app.browser().sign_up("alice", "correct-horse").await;
    app
}

pub(super) fn url(app: &TestApp, path: &str) -> String {
    format!("{}{path}", app.state.config.origin())
}

/// `POST /auth/token` with `form`, and a `DPoP` header for each of `proofs`.
pub(super) async fn token_request(app: &TestApp, form: &str, proofs: &[&str]) -> Reply {
    let mut req = Request::post("/auth/token").header(header::CONTENT_TYPE, FORM);
    for proof in proofs {
        req = req.header("dpop", *proof);
    }
    app.send(req.body(Body::from(form.to_string())).unwrap())
        .await
}

/// Tokens for alice bound to `key`.
pub(super) async fn bound_tokens(app: &TestApp, key: &DpopKey) -> Value {
    let proof = key.proof("POST", &url(app, "/auth/token"), app.clock.now(), None);
    let r = token_request(app, PASSWORD_GRANT, &[&proof]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

/// `GET path` with `Authorization: <scheme> <token>` and `proofs`.
pub(super) async fn get(app: &TestApp, path: &str, authorization: &str, proofs: &[&str]) -> Reply {
    let mut req = Request::get(path).header(header::AUTHORIZATION, authorization);
    for proof in proofs {
        req = req.header("dpop", *proof);
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

pub(super) fn payload_of(jwt: &str) -> Value {
    use base64::Engine as _;
    let part = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// A `401` with a DPoP challenge naming `error`.
pub(super) fn assert_dpop_refused(r: &Reply, error: &str, case: &str) {
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{case}: {}", r.body);
    let challenge = r.headers["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.starts_with(r#"DPoP algs="ES256 EdDSA Ed25519""#),
        "{case}: {challenge}"
    );
    assert!(
        challenge.contains(&format!(r#"error="{error}""#)),
        "{case}: {challenge}"
    );
    assert_eq!(r.json()["error"], error, "{case}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_proof_at_the_token_endpoint_binds_the_tokens_to_its_key(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let key = DpopKey::new();
    let t = bound_tokens(&app, &key).await;
    assert_eq!(t["token_type"], "DPoP");
    let access = t["access_token"].as_str().unwrap();
    assert_eq!(
        payload_of(access)["cnf"],
        json!({ "jkt": key.thumbprint() })
    );
    // Used with a proof by that key: the caller is alice.
    let proof = key.proof("GET", &url(&app, "/api/me"), T0, Some(access));
    let r = get(&app, "/api/me", &format!("DPoP {access}"), &[&proof]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["username"], "alice");
    // Without a proof, the grant still hands out a bearer token.
    let plain = support::password_grant(&app).await;
    assert_eq!(plain["token_type"], "Bearer");
    assert!(payload_of(plain["access_token"].as_str().unwrap())["cnf"].is_null());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn each_check_of_a_proof_refuses_what_breaks_it(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let key = DpopKey::new();
    let t = bound_tokens(&app, &key).await;
    let access = t["access_token"].as_str().unwrap().to_string();
    let auth = format!("DPoP {access}");
    let me = url(&app, "/api/me");
    let parts = || key.parts("GET", &me, T0, Some(&access));
    let edited = |edit: &dyn Fn(&mut Value, &mut Value)| {
        let (mut h, mut p) = parts();
        edit(&mut h, &mut p);
        key.sign(&h, &p)
    };
    let other = DpopKey::new();
    let replayed = key.proof("GET", &me, T0, Some(&access));
    let r = get(&app, "/api/me", &auth, &[&replayed]).await;
    assert_eq!(r.status, StatusCode::OK, "control: {}", r.body);
    let cases: Vec<(&str, String)> = vec![
        ("another method", edited(&|_, p| p["htm"] = json!("POST"))),
        (
            "another path",
            edited(&|_, p| p["htu"] = json!(url(&app, "/api/devices"))),
        ),
        (
            "another origin",
            edited(&|_, p| p["htu"] = json!("https://evil.example/api/me")),
        ),
        ("replayed jti", replayed.clone()),
        ("old iat", edited(&|_, p| p["iat"] = json!(T0 - 600))),
        (
            "iat in the future",
            edited(&|_, p| p["iat"] = json!(T0 + 600)),
        ),
        (
            "ath of another token",
            edited(&|_, p| p["ath"] = json!(dpop_key::ath("other"))),
        ),
        (
            "no ath",
            edited(&|_, p| {
                p.as_object_mut()
                    .unwrap()
                    .remove("ath")
                    .map(drop)
                    .unwrap_or(())
            }),
        ),
        (
            "no jti",
            edited(&|_, p| {
                p.as_object_mut()
                    .unwrap()
                    .remove("jti")
                    .map(drop)
                    .unwrap_or(())
            }),
        ),
        ("typ JWT", edited(&|h, _| h["typ"] = json!("JWT"))),
        (
            "private key in jwk",
            edited(&|h, _| h["jwk"]["d"] = json!(key.private_d())),
        ),
        ("signed by another key", {
            let (h, p) = parts();
            other.sign(&h, &p)
        }),
        ("alg none", {
            let (mut h, p) = parts();
            h["alg"] = json!("none");
            dpop_key::unsigned(&h, &p)
        }),
        ("HMAC", {
            let (mut h, p) = parts();
            h["alg"] = json!("HS256");
            dpop_key::hmac_signed(&h, &p, b"a shared secret anyone could pick")
        }),
        ("not a JWT", "proof".into()),
    ];
    for (case, proof) in &cases {
        let r = get(&app, "/api/me", &auth, &[proof]).await;
        assert_dpop_refused(&r, "invalid_dpop_proof", case);
    }
    // Two proofs, or none, with a DPoP token.
    let a = key.proof("GET", &me, T0, Some(&access));
    let b = key.proof("GET", &me, T0, Some(&access));
    assert_dpop_refused(
        &get(&app, "/api/me", &auth, &[&a, &b]).await,
        "invalid_dpop_proof",
        "two",
    );
    assert_dpop_refused(
        &get(&app, "/api/me", &auth, &[]).await,
        "invalid_dpop_proof",
        "none",
    );
    // A valid proof by another key: the token is not bound to it.
    let theirs = other.proof("GET", &me, T0, Some(&access));
    assert_dpop_refused(
        &get(&app, "/api/me", &auth, &[&theirs]).await,
        "invalid_token",
        "other key",
    );
    // The control again with a fresh proof: nothing above used the token up.
    let fresh = key.proof("GET", &me, T0, Some(&access));
    assert_eq!(
        get(&app, "/api/me", &auth, &[&fresh]).await.status,
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_bad_proof_at_the_token_endpoint_issues_nothing(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db.clone()).await;
    let key = DpopKey::new();
    let devices = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
            .fetch_one(&db)
            .await
            .unwrap();
        n
    };
    let before = devices().await;
    let token_url = url(&app, "/auth/token");
    for (case, proof) in [
        ("GET proof", key.proof("GET", &token_url, T0, None)),
        (
            "other URL",
            key.proof("POST", &url(&app, "/api/me"), T0, None),
        ),
        ("stale", key.proof("POST", &token_url, T0 - 3600, None)),
        ("garbage", "x.y.z".into()),
    ] {
        let r = token_request(&app, PASSWORD_GRANT, &[&proof]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{case}: {}", r.body);
        assert_eq!(r.json()["error"], "invalid_dpop_proof", "{case}");
        assert!(r.json()["error_description"].as_str().unwrap().len() > 10);
    }
    let proof = key.proof("POST", &token_url, T0, None);
    assert_eq!(
        token_request(&app, PASSWORD_GRANT, &[&proof]).await.status,
        StatusCode::OK
    );
    let r = token_request(&app, PASSWORD_GRANT, &[&proof]).await;
    assert_eq!(r.json()["error"], "invalid_dpop_proof", "a replayed proof");
    assert_eq!(
        devices().await,
        before + 1,
        "only the good request signed in"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn metadata_and_introspection_speak_of_dpop(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let (app, dir) = super::discovery::eddsa_app(db).await;
    let meta = app
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    assert_eq!(
        meta["dpop_signing_alg_values_supported"],
        json!(["ES256", "EdDSA", "Ed25519"])
    );
    let key = DpopKey::new();
    let t = bound_tokens(&app, &key).await;
    let secret = format!("rs:{}", super::discovery::SECRET);
    let body = format!("token={}", t["access_token"].as_str().unwrap());
    let r = super::introspection::introspect(&app, Some(&secret), &body)
        .await
        .json();
    assert_eq!(r["active"], true, "{r}");
    assert_eq!(r["token_type"], "DPoP");
    assert_eq!(r["cnf"]["jkt"], key.thumbprint());
    // A bearer token's answer has no `cnf` at all.
    let plain = support::password_grant(&app).await;
    let body = format!("token={}", plain["access_token"].as_str().unwrap());
    let r = super::introspection::introspect(&app, Some(&secret), &body)
        .await
        .json();
    assert_eq!(r["token_type"], "Bearer");
    assert!(r.get("cnf").is_none(), "{r}");
    std::fs::remove_dir_all(dir).unwrap();
}
