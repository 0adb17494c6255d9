//! The resource server against a real Latchkey (JWT mode, EdDSA) served on a
//! loopback port: tokens are accepted with no database and no shared
//! secret, bad ones are refused, a key rotation costs one key-set fetch,
//! an issuer that stops answering holds up no request with a known key and
//! gets at most one fetch attempt per cooldown (`key_set`), and
//! introspection makes a revocation count at once.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use resource_server::verify::Check;
use resource_server::Verifier;
use server::auth::jwt::claims::{self, AccessClaims};
use server::auth::jwt::keys::Keyring;
use server::config::{AuthMode, Config, JwtAlg, Secret};
use server::http::resolve::Protection;
use server::AppState;
use tokio::task::JoinHandle;

const SECRET: &str = "resource-server-test-secret";
/// The resource server Latchkey issues tokens for, beside its own API.
const NOTES: &str = "http://notes.example";

/// A Latchkey served on a free loopback port, its data in a new directory.
struct Latchkey {
    state: AppState,
    url: String,
    dir: PathBuf,
    task: JoinHandle<()>,
    /// Set: every request is accepted and never answered, what a client
    /// sees of a server stopped with `kill -STOP`.
    stopped: Arc<AtomicBool>,
}

impl Latchkey {
    async fn start() -> Self {
        Self::start_with(Config::defaults().jwks_max_age).await
    }

    /// A Latchkey whose key set may be cached for `jwks_max_age`.
    async fn start_with(jwks_max_age: Duration) -> Self {
        let dir =
            std::env::temp_dir().join(format!("latchkey-rs-{}", server::auth::token::new_id()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let config = Config {
            auth_mode: AuthMode::Jwt,
            jwt_alg: JwtAlg::EdDsa,
            data_dir: dir.clone(),
            site_addr: addr,
            introspection_secret: Some(Secret::new(SECRET).unwrap()),
            resources: vec![NOTES.into()],
            jwks_max_age,
            ..Config::defaults()
        };
        let state = AppState::connect(config).await.unwrap();
        let protection = Protection {
            is_file: |_| false,
            requires_user: |_| false,
            login_url: |path| path.to_string(),
        };
        let routes = server::http::routes().with_state(state.clone());
        let stopped = Arc::new(AtomicBool::new(false));
        let stop = stopped.clone();
        let app = server::http::with_auth_layers(routes, state.clone(), protection).layer(
            axum::middleware::from_fn(move |req, next: axum::middleware::Next| {
                let stop = stop.clone();
                async move {
                    if stop.load(Ordering::SeqCst) {
                        std::future::pending::<()>().await;
                    }
                    next.run(req).await
                }
            }),
        );
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap()
        });
        let client = server::auth::ClientMeta::default();
        server::accounts::sign_up(&state, "alice", "correct-horse".into(), &client, &[], true)
            .await
            .unwrap();
        Latchkey {
            url: format!("http://{addr}"),
            state,
            dir,
            task,
            stopped,
        }
    }

    /// A password grant's JSON answer.
    async fn grant(&self) -> serde_json::Value {
        self.grant_with(&[]).await
    }

    /// A password grant's JSON answer, with `extra` parameters.
    async fn grant_with(&self, extra: &[(&str, &str)]) -> serde_json::Value {
        let mut form = vec![
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "correct-horse"),
        ];
        form.extend_from_slice(extra);
        let res = reqwest::Client::new()
            .post(format!("{}/auth/token", self.url))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    async fn token(&self) -> String {
        self.grant().await["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A token for alice with `edit` applied, signed with `keys`.
    fn forge(&self, keys: &Keyring, edit: impl FnOnce(&mut AccessClaims)) -> String {
        let now = server::clock::Clock::System.now();
        let mut c = AccessClaims {
            iss: self.url.clone(),
            aud: claims::AUDIENCE.into(),
            sub: "someone".into(),
            exp: now + 600,
            nbf: now,
            iat: now,
            jti: "j".into(),
            sid: "s".into(),
            username: "alice".into(),
            auth_time: now,
            amr: vec![server::auth::Amr::Pwd],
            cnf: None,
        };
        edit(&mut c);
        claims::issue(keys, &c).unwrap()
    }

    fn stop(self) {
        self.task.abort();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The resource server on a free loopback port, checking tokens of `issuer`.
async fn notes(verifier: Verifier) -> (String, Arc<Verifier>) {
    let verifier = Arc::new(verifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = resource_server::router_shared(verifier.clone(), &url);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, verifier)
}

/// Two resource servers for `audience`: one checking signatures, one asking
/// Latchkey (introspection); their URLs.
async fn both_checks(latchkey: &Latchkey, audience: &str) -> [String; 2] {
    let keys = Verifier::connect(&latchkey.url, audience, None, Duration::ZERO)
        .await
        .unwrap();
    let credentials = Some(("notes".to_string(), SECRET.to_string()));
    let asking = Verifier::connect(&latchkey.url, audience, credentials, Duration::ZERO)
        .await
        .unwrap();
    [notes(keys).await.0, notes(asking).await.0]
}

async fn get_notes(url: &str, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{url}/notes"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// The resource server checking signatures of `latchkey`'s tokens, fetching
/// the key set again at most once per `cooldown`.
async fn by_signature(latchkey: &Latchkey, cooldown: Duration) -> (String, Arc<Verifier>) {
    let verifier = Verifier::connect(&latchkey.url, "latchkey", None, cooldown)
        .await
        .unwrap();
    notes(verifier).await
}

fn fetches(v: &Verifier) -> usize {
    match &v.check {
        Check::Signature(keys) => keys.fetches(),
        Check::Introspection { .. } => 0,
    }
}

#[tokio::test]
async fn a_latchkey_token_is_accepted_with_no_database_and_no_secret() {
    let latchkey = Latchkey::start().await;
    let (url, _) = by_signature(&latchkey, Duration::ZERO).await;
    let token = latchkey.token().await;
    let res = get_notes(&url, &token).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["username"], "alice");
    assert_eq!(body["checked_by"], "signature");
    // With Latchkey gone, the token still checks: the key is all it takes.
    let Latchkey { task, dir, .. } = latchkey;
    task.abort();
    let _ = task.await;
    assert_eq!(get_notes(&url, &token).await.status(), 200);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn tampered_expired_and_foreign_tokens_are_refused() {
    let latchkey = Latchkey::start().await;
    let (url, _) = by_signature(&latchkey, Duration::ZERO).await;
    let token = latchkey.token().await;
    // One payload character changed: the signature no longer matches.
    let (head, rest) = token.split_once('.').unwrap();
    let (payload, sig) = rest.split_once('.').unwrap();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["username"] = "mallory".into();
    let tampered = format!(
        "{head}.{}.{sig}",
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    // Latchkey's own key, but expired; its key, but another issuer.
    let own = Keyring::load_or_create(&latchkey.dir, JwtAlg::EdDsa).unwrap();
    let expired = latchkey.forge(&own, |c| {
        c.iat -= 3600;
        c.nbf -= 3600;
        c.exp -= 3600;
    });
    let other_issuer = latchkey.forge(&own, |c| c.iss = "http://elsewhere.example".into());
    // A key Latchkey never had, with and without Latchkey's kid.
    let foreign = Keyring::random(JwtAlg::EdDsa).unwrap();
    let stranger = latchkey.forge(&foreign, |_| {});
    let own_kid = jsonwebtoken::decode_header(&token).unwrap().kid.unwrap();
    let (_, s_rest) = stranger.split_once('.').unwrap();
    let header = serde_json::json!({"alg": "EdDSA", "typ": "at+jwt", "kid": own_kid});
    let impostor = format!("{}.{s_rest}", URL_SAFE_NO_PAD.encode(header.to_string()));
    assert_eq!(
        get_notes(&url, &latchkey.forge(&own, |_| {}))
            .await
            .status(),
        200
    );
    for (what, bad) in [
        ("tampered", tampered),
        ("expired", expired),
        ("another issuer", other_issuer),
        ("foreign key", stranger),
        ("foreign key under our kid", impostor),
        ("not a token", "abc".to_string()),
    ] {
        let res = get_notes(&url, &bad).await;
        assert_eq!(res.status(), 401, "{what}");
        let challenge = res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(challenge.contains("invalid_token"), "{what}: {challenge}");
    }
    latchkey.stop();
}

#[tokio::test]
async fn introspection_makes_a_revocation_count_at_once() {
    let latchkey = Latchkey::start().await;
    let [signature_url, issuer_url] = both_checks(&latchkey, "latchkey").await;
    let grant = latchkey.grant().await;
    let token = grant["access_token"].as_str().unwrap();
    let res = get_notes(&issuer_url, token).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["checked_by"], "introspection");
    // The device signs out (RFC 7009).
    let res = reqwest::Client::new()
        .post(format!("{}/auth/revoke", latchkey.url))
        .form(&[("token", grant["refresh_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Introspection refuses the token now; the signature alone cannot know
    // until the token expires: the trade-off in one assertion each.
    assert_eq!(get_notes(&issuer_url, token).await.status(), 401);
    assert_eq!(get_notes(&signature_url, token).await.status(), 200);
    // A wrong secret fails every request loudly (503), never passes one.
    let wrong = Some(("notes".to_string(), "not-the-secret-at-all".to_string()));
    let bad = Verifier::connect(&latchkey.url, "latchkey", wrong, Duration::ZERO)
        .await
        .unwrap();
    let (bad_url, _) = notes(bad).await;
    assert_eq!(get_notes(&bad_url, token).await.status(), 503);
    latchkey.stop();
}

/// A token asked for this service (RFC 8707 `resource`) is accepted by a
/// service configured with that audience, by signature and by
/// introspection, and refused by Latchkey's own API; a token for
/// Latchkey's API is refused by the service (no replay across audiences).
#[tokio::test]
async fn a_token_for_this_service_is_accepted_here_and_refused_by_latchkey() {
    let latchkey = Latchkey::start().await;
    let notes_token = latchkey.grant_with(&[("resource", NOTES)]).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let latchkey_token = latchkey.token().await;
    for url in both_checks(&latchkey, NOTES).await {
        assert_eq!(get_notes(&url, &notes_token).await.status(), 200, "{url}");
        assert_eq!(
            get_notes(&url, &latchkey_token).await.status(),
            401,
            "{url}"
        );
    }
    // A service left at Latchkey's audience refuses the notes token.
    let (default_url, _) = by_signature(&latchkey, Duration::ZERO).await;
    assert_eq!(get_notes(&default_url, &notes_token).await.status(), 401);
    let me = |token: &str| {
        reqwest::Client::new()
            .get(format!("{}/api/me", latchkey.url))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(me(&notes_token).await.unwrap().status(), 401);
    assert_eq!(me(&latchkey_token).await.unwrap().status(), 200);
    latchkey.stop();
}

/// A token bound to a client's key (DPoP `cnf`), by either check: refused as
/// `Bearer`, accepted as `DPoP` with a fresh proof by that key for this
/// request, refused with the same proof again, with another key's proof,
/// with a proof for another URL; an unbound token is refused as `DPoP`.
#[tokio::test]
async fn a_token_bound_to_a_key_needs_a_fresh_proof_by_that_key() {
    let latchkey = Latchkey::start().await;
    let [signature_url, issuer_url] = both_checks(&latchkey, "latchkey").await;
    let own = Keyring::load_or_create(&latchkey.dir, JwtAlg::EdDsa).unwrap();
    let key = DpopKey::new();
    let bearer = latchkey.forge(&own, |_| {});
    let bound = latchkey.forge(&own, |c| {
        c.cnf = Some(claims::Confirmation {
            jkt: key.thumbprint(),
        })
    });
    let now = server::clock::Clock::System.now();
    let with_proof = |url: &str, token: &str, proof: &str| {
        reqwest::Client::new()
            .get(format!("{url}/notes"))
            .header("Authorization", format!("DPoP {token}"))
            .header("DPoP", proof)
            .send()
    };
    for url in [&signature_url, &issuer_url] {
        let here = format!("{url}/notes");
        assert_eq!(get_notes(url, &bearer).await.status(), 200, "{url}");
        let res = get_notes(url, &bound).await;
        assert_eq!(res.status(), 401, "{url}: bound token as Bearer");
        let challenge = res.headers()["www-authenticate"].to_str().unwrap();
        assert!(challenge.starts_with("DPoP algs="), "{challenge}");
        let proof = key.proof("GET", &here, now, Some(&bound));
        let res = with_proof(url, &bound, &proof).await.unwrap();
        assert_eq!(res.status(), 200, "{url}: {}", res.text().await.unwrap());
        for (case, proof) in [
            ("the same proof again", proof),
            (
                "another key's",
                DpopKey::new().proof("GET", &here, now, Some(&bound)),
            ),
            (
                "another URL's",
                key.proof("GET", &format!("{url}/other"), now, Some(&bound)),
            ),
            ("a POST's", key.proof("POST", &here, now, Some(&bound))),
        ] {
            let res = with_proof(url, &bound, &proof).await.unwrap();
            assert_eq!(res.status(), 401, "{url}: {case}");
        }
        let proof = key.proof("GET", &here, now, Some(&bearer));
        let res = with_proof(url, &bearer, &proof).await.unwrap();
        assert_eq!(res.status(), 401, "{url}: an unbound token as DPoP");
    }
    latchkey.stop();
}

#[path = "against_latchkey/key_set.rs"]
mod key_set;

#[allow(dead_code)] // the forging helpers serve Latchkey's router tests
#[path = "../../../app/tests/support/dpop_key.rs"]
mod dpop_key;
use dpop_key::DpopKey;
