//! The Latchkey under test, served on a loopback port from a new data
//! directory, and the resource servers that check its tokens.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use resource_server::verify::Check;
use resource_server::Verifier;
use server::auth::jwt::claims::{self, AccessClaims};
use server::auth::jwt::keys::Keyring;
use server::config::{AuthMode, Config, JwtAlg, Secret};
use server::http::resolve::Protection;
use server::AppState;
use tokio::task::JoinHandle;

pub const SECRET: &str = "resource-server-test-secret";
/// The resource server Latchkey issues tokens for, beside its own API.
pub const NOTES: &str = "http://notes.example";

/// A Latchkey served on a free loopback port, its data in a new directory.
pub struct Latchkey {
    pub state: AppState,
    pub url: String,
    pub dir: PathBuf,
    pub task: JoinHandle<()>,
    /// Set: every request is accepted and never answered, what a client
    /// sees of a server stopped with `kill -STOP`.
    pub stopped: Arc<AtomicBool>,
}

impl Latchkey {
    pub async fn start() -> Self {
        Self::start_with(Config::defaults().jwks_max_age).await
    }

    /// A Latchkey whose key set may be cached for `jwks_max_age`.
    pub async fn start_with(jwks_max_age: Duration) -> Self {
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
            // The tests' clients sign in by the password grant.
            password_grant: true,
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
    pub async fn grant(&self) -> serde_json::Value {
        self.grant_with(&[]).await
    }

    /// A password grant's JSON answer, with `extra` parameters.
    pub async fn grant_with(&self, extra: &[(&str, &str)]) -> serde_json::Value {
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

    pub async fn token(&self) -> String {
        self.grant().await["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A token for alice with `edit` applied, signed with `keys`.
    pub fn forge(&self, keys: &Keyring, edit: impl FnOnce(&mut AccessClaims)) -> String {
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

    pub fn stop(self) {
        self.task.abort();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The resource server on a free loopback port, checking tokens of `issuer`.
pub async fn notes(verifier: Verifier) -> (String, Arc<Verifier>) {
    let verifier = Arc::new(verifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = resource_server::router_shared(verifier.clone(), &url);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, verifier)
}

/// Two resource servers for `audience`: one checking signatures, one asking
/// Latchkey (introspection); their URLs.
pub async fn both_checks(latchkey: &Latchkey, audience: &str) -> [String; 2] {
    let keys = Verifier::connect(&latchkey.url, audience, None, Duration::ZERO)
        .await
        .unwrap();
    let credentials = Some(("notes".to_string(), SECRET.to_string()));
    let asking = Verifier::connect(&latchkey.url, audience, credentials, Duration::ZERO)
        .await
        .unwrap();
    [notes(keys).await.0, notes(asking).await.0]
}

pub async fn get_notes(url: &str, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{url}/notes"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// The resource server checking signatures of `latchkey`'s tokens, fetching
/// the key set again at most once per `cooldown`.
pub async fn by_signature(latchkey: &Latchkey, cooldown: Duration) -> (String, Arc<Verifier>) {
    let verifier = Verifier::connect(&latchkey.url, "latchkey", None, cooldown)
        .await
        .unwrap();
    notes(verifier).await
}

pub fn fetches(v: &Verifier) -> usize {
    match &v.check {
        Check::Signature(keys) => keys.fetches(),
        Check::Introspection { .. } => 0,
    }
}
