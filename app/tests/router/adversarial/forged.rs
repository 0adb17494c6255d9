//! Forged and malformed access tokens (RFC 8725 §2–3), refused over both
//! transports in both modes; key confusion against an EdDSA deployment.

use jsonwebtoken::{crypto, Algorithm, EncodingKey};
use serde_json::json;
use server::auth::jwt::keys::Keyring;
use server::config::{AuthMode, Config};

use super::*;
use support::TEST_SECRET;

/// A real access token of a signed-in user, and its refresh token, issued
/// by a JWT-mode app over the same database (session-mode apps get tokens
/// from a JWT twin, so the same forgeries are tried against them).
async fn real_tokens(app: &TestApp) -> (String, String) {
    let jwt = TestApp::new(app.db.clone(), Backend::Jwt);
    jwt.browser().sign_up("alice", "correct-horse").await;
    let t = support::password_grant(&jwt).await;
    (
        t["access_token"].as_str().unwrap().to_string(),
        t["refresh_token"].as_str().unwrap().to_string(),
    )
}

/// `header.payload.signature` signed with `key` under `alg`.
fn sign(alg: Algorithm, key: &EncodingKey, header: &Value, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.to_string()), b64(payload));
    let sig = crypto::sign(input.as_bytes(), key, alg).unwrap();
    format!("{input}.{sig}")
}

/// Signed with the deployment's own key: only the claims are wrong.
fn ours(header: &Value, payload: &Value) -> String {
    sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(&TEST_SECRET),
        header,
        &payload.to_string(),
    )
}

fn with(base: &Value, changes: &[(&str, Value)]) -> Value {
    let mut v = base.clone();
    for (k, val) in changes {
        v[*k] = val.clone();
    }
    v
}

/// Every forgery of `access`, by name.
fn forgeries(access: &str, refresh: &str) -> Vec<(String, String)> {
    let h = segment(access, 0);
    let p = segment(access, 1);
    let now = support::T0;
    let (hp, sig) = access.rsplit_once('.').unwrap();
    let attacker = EncodingKey::from_secret(&[7u8; 32]);
    let mut cases: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, token: String| cases.push((name.to_string(), token));

    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = b64(with(&h, &[("alg", json!(alg))]).to_string());
        let payload = b64(p.to_string());
        add(
            &format!("alg {alg}, empty signature"),
            format!("{header}.{payload}."),
        );
        add(
            &format!("alg {alg}, no signature"),
            format!("{header}.{payload}"),
        );
        add(
            &format!("alg {alg}, old signature"),
            format!("{header}.{payload}.{sig}"),
        );
    }
    add("stripped signature", format!("{hp}."));
    add("signature segment missing", hp.to_string());
    let mut flipped = sig.as_bytes().to_vec();
    flipped[3] = if flipped[3] == b'A' { b'B' } else { b'A' };
    add(
        "tampered signature",
        format!("{hp}.{}", String::from_utf8(flipped).unwrap()),
    );
    let other_sub = b64(with(&p, &[("sub", json!("someone-else"))]).to_string());
    add(
        "tampered payload, original signature",
        format!("{}.{other_sub}.{sig}", hp.split('.').next().unwrap()),
    );
    add(
        "another deployment's key",
        sign(Algorithm::HS256, &attacker, &h, &p.to_string()),
    );
    add(
        "kid path traversal, empty key",
        sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(b""),
            &with(&h, &[("kid", json!("../../../../../../dev/null"))]),
            &p.to_string(),
        ),
    );
    add(
        "kid injection",
        sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(b"k"),
            &with(&h, &[("kid", json!("x' UNION SELECT 'k' --"))]),
            &p.to_string(),
        ),
    );
    add(
        "kid missing",
        ours(&json!({"alg": "HS256", "typ": "at+jwt"}), &p),
    );
    for (name, extra) in [
        ("jku", json!("https://evil.example/jwks.json")),
        ("x5u", json!("https://evil.example/cert.pem")),
        ("jwk", json!({"kty": "oct", "k": b64([7u8; 32])})),
    ] {
        add(
            &format!("{name} header naming the attacker's key"),
            sign(
                Algorithm::HS256,
                &attacker,
                &with(&h, &[(name, extra)]),
                &p.to_string(),
            ),
        );
    }
    add(
        "expired",
        ours(
            &h,
            &with(
                &p,
                &[
                    ("exp", json!(now - 60)),
                    ("iat", json!(now - 1860)),
                    ("nbf", json!(now - 1860)),
                ],
            ),
        ),
    );
    add(
        "not yet valid (nbf in the future)",
        ours(&h, &with(&p, &[("nbf", json!(now + 3600))])),
    );
    add(
        "issued in the future",
        ours(
            &h,
            &with(&p, &[("iat", json!(now + 3600)), ("nbf", json!(now))]),
        ),
    );
    add(
        "exp as a string",
        ours(&h, &with(&p, &[("exp", json!(p["exp"].to_string()))])),
    );
    add(
        "nbf as a string",
        ours(&h, &with(&p, &[("nbf", json!(p["nbf"].to_string()))])),
    );
    add(
        "exp as a float",
        ours(&h, &with(&p, &[("exp", json!(1e300))])),
    );
    add(
        "huge exp (year 9999)",
        ours(&h, &with(&p, &[("exp", json!(253_402_300_799_i64))])),
    );
    add(
        "huge exp (i64::MAX)",
        ours(&h, &with(&p, &[("exp", json!(i64::MAX))])),
    );
    add(
        "huge exp (u64::MAX)",
        ours(&h, &with(&p, &[("exp", json!(u64::MAX))])),
    );
    add(
        "negative exp",
        ours(&h, &with(&p, &[("exp", json!(i64::MIN))])),
    );
    add(
        "wrong iss",
        ours(&h, &with(&p, &[("iss", json!("https://evil.example"))])),
    );
    add(
        "wrong aud",
        ours(&h, &with(&p, &[("aud", json!("another-api"))])),
    );
    add(
        "aud list without ours",
        ours(&h, &with(&p, &[("aud", json!(["a", "b"]))])),
    );
    add(
        "typ JWT (not an access token)",
        ours(&with(&h, &[("typ", json!("JWT"))]), &p),
    );
    add(
        "typ missing",
        ours(&json!({"alg": "HS256", "kid": h["kid"]}), &p),
    );
    for claim in ["exp", "nbf", "iat", "iss", "aud", "sub", "sid"] {
        let mut q = p.clone();
        q.as_object_mut().unwrap().remove(claim);
        add(&format!("{claim} missing"), ours(&h, &q));
    }
    add(
        "sub not a string",
        ours(&h, &with(&p, &[("sub", json!(1))])),
    );
    let mut dup = p.to_string();
    dup.insert_str(1, r#""sub":"someone-else","#);
    add(
        "duplicate sub claim",
        sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(&TEST_SECRET),
            &h,
            &dup,
        ),
    );
    let padded: Vec<String> = access.split('.').map(|s| format!("{s}==")).collect();
    add("padded segments", padded.join("."));
    add(
        "standard base64 characters",
        access.replace('-', "+").replace('_', "/") + "+/",
    );
    add("stray characters", format!("{hp}.*{sig}"));
    add("four segments", format!("{access}.e30"));
    add("five segments", format!("{access}.e30.e30"));
    add("empty", String::new());
    add("dots only", "..".into());
    let big = with(&p, &[("pad", json!("A".repeat(64 * 1024)))]);
    add("64 KiB token", ours(&h, &big));
    add("64 KiB of junk", "A".repeat(64 * 1024));
    add("refresh token as access token", refresh.to_string());
    cases
}

/// Forged tokens are refused over both transports; the same harness's
/// unmodified control tokens are accepted in JWT mode.
async fn forged_access_tokens_are_refused(app: TestApp) {
    let (access, refresh) = real_tokens(&app).await;
    if app.is_jwt() {
        assert_accepted(&app, "real token", &access).await;
        let control = ours(&segment(&access, 0), &segment(&access, 1));
        assert_accepted(&app, "re-signed token", &control).await;
    } else {
        // A session-mode server takes no JWT, however valid.
        assert_refused(&app, "a valid JWT in session mode", &access).await;
    }
    for (case, token) in forgeries(&access, &refresh) {
        assert_refused(&app, &case, &token).await;
    }
}

/// An access token is not a refresh token, in the body or in the cookie.
async fn access_token_is_no_refresh_token(app: TestApp) {
    let (access, _) = real_tokens(&app).await;
    let r = app
        .post_api(
            "/auth/token",
            "application/x-www-form-urlencoded",
            &format!("grant_type=refresh_token&refresh_token={access}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let b = app.browser();
    b.set_cookies(BTreeMap::from([(REFRESH.to_string(), access.clone())]));
    assert_eq!(
        b.post_form("/api/refresh", "").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(b.me().await, StatusCode::UNAUTHORIZED);
}

/// Credentials in the query string are never read, whatever the name.
async fn credentials_in_the_url_are_ignored(app: TestApp) {
    let b = app.browser();
    b.sign_up("bob", "correct-horse").await;
    let (access, _) = real_tokens(&app).await;
    let mut values: Vec<String> = b.cookies().into_values().collect();
    values.push(access);
    for value in values {
        for name in ["access_token", "token", "session", ACCESS, SESSION] {
            for path in ["/api/me", "/account"] {
                let r = app.browser().get(&format!("{path}?{name}={value}")).await;
                assert!(
                    matches!(r.status.as_u16(), 401 | 303),
                    "{path}?{name}=…: {}",
                    r.status
                );
            }
        }
    }
}

both_modes!(
    forged_access_tokens_are_refused,
    access_token_is_no_refresh_token,
    credentials_in_the_url_are_ignored,
);

/// Against an EdDSA deployment: HS256 tokens keyed with its public key (the
/// classic algorithm confusion), and tokens signed by another Ed25519 key.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn eddsa_key_confusion_is_refused(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let seed = [9u8; 32];
    let public = ed25519_dalek::SigningKey::from_bytes(&seed)
        .verifying_key()
        .to_bytes();
    let config = Config {
        auth_mode: AuthMode::Jwt,
        ..Config::defaults()
    };
    let keys = Keyring::ed25519(seed, [7; 32]).unwrap();
    let app = TestApp::with_keys(db, config, Backend::Jwt, Some(keys));
    app.browser().sign_up("alice", "correct-horse").await;
    let access = support::password_grant(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_accepted(&app, "real EdDSA token", &access).await;
    let h = segment(&access, 0);
    let p = segment(&access, 1).to_string();
    assert_eq!(h["alg"], "EdDSA");
    let hs = with(&h, &[("alg", json!("HS256"))]);
    for (name, secret) in [
        ("raw public key", public.to_vec()),
        ("base64url public key", b64(public).into_bytes()),
        (
            "JWK x value",
            format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, b64(public)).into_bytes(),
        ),
    ] {
        let token = sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(&secret),
            &hs,
            &p,
        );
        assert_refused(&app, &format!("HS256 keyed with the {name}"), &token).await;
    }
    let other = Keyring::ed25519([10u8; 32], [7; 32]).unwrap();
    let token = sign(Algorithm::EdDSA, &other.encoding, &h, &p);
    assert_refused(&app, "another Ed25519 key", &token).await;
}
