//! A test harness around the whole application router: builds the app over a
//! test database in either auth mode, and drives it with `oneshot` through a
//! [`Browser`] that keeps cookies the way a browser does.

#![allow(dead_code, unused_imports)] // each test binary uses a different part of the harness

use std::collections::BTreeMap;

use axum::body::Body;
use axum::Router;
use http::{header, Request, Response, StatusCode};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use server::auth::jwt::keys::Keyring;
use server::clock::Clock;
use server::config::{AuthMode, Config};
use server::db::Db;
use server::methods::password::Hasher;
use server::redis_client::RedisClient;
use server::AppState;
use tower::ServiceExt;

mod authenticator;
mod backend;
mod browser;
#[allow(dead_code)] // the router tests use it; not every test binary does
pub mod dpop_key;
mod tokens;
#[allow(unused_imports)] // the router tests use it; not every test binary does
pub use authenticator::SoftAuthenticator;
pub use backend::{cookie_names, redis_available, redis_cluster_available, Backend};
pub use browser::Browser;
#[allow(unused_imports)] // not every test binary asks for tokens
pub use tokens::{password_grant, password_grant_as, token_pair};

/// A fixed start time for the manual clock.
pub const T0: i64 = 1_800_000_000;
/// The HS256 secret of JWT-mode test apps, so tests can forge tokens.
pub const TEST_SECRET: [u8; 32] = [42; 32];

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub clock: Clock,
    pub db: Db,
    pub backend: Backend,
    /// The app's Redis connection, for cleanup.
    pub redis: Option<RedisClient>,
}

/// A reply with its body read.
pub struct Reply {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    /// The `Set-Cookie` headers for Latchkey's auth cookies.
    pub fn auth_set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter(|v| v.starts_with("__Host-latchkey_"))
            .map(str::to_string)
            .collect()
    }

    /// Whether this reply tells the browser to drop the auth cookie `name`.
    pub fn clears(&self, name: &str) -> bool {
        self.auth_set_cookies()
            .iter()
            .any(|c| c.starts_with(name) && c.contains("Max-Age=0"))
    }

    /// Auth cookies this reply sets to a non-empty value, by name.
    pub fn auth_values(&self) -> BTreeMap<String, String> {
        self.auth_set_cookies()
            .iter()
            .filter_map(|c| {
                let (name, value) = c.split(';').next()?.split_once('=')?;
                (!value.is_empty()).then(|| (name.to_string(), value.to_string()))
            })
            .collect()
    }

    /// The headers two answers must share to look the same to a client:
    /// all but those that differ on every response (`Date`, the request id).
    pub fn comparable_headers(&self) -> http::HeaderMap {
        let mut h = self.headers.clone();
        h.remove(header::DATE);
        h.remove(server::http::observe::REQUEST_ID);
        h
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
}

impl TestApp {
    pub fn new(db: Db, backend: Backend) -> Self {
        // The suite's API clients sign in by the password grant, which a
        // deployment turns on with LATCHKEY_PASSWORD_GRANT (off by
        // default: tests of the default build their own config).
        let config = Config {
            password_grant: true,
            ..backend.config()
        };
        Self::with_config(db, config, backend)
    }

    pub fn with_config(db: Db, config: Config, backend: Backend) -> Self {
        let keys =
            matches!(config.auth_mode, AuthMode::Jwt).then(|| Keyring::hs256(TEST_SECRET, [7; 32]));
        Self::with_keys(db, config, backend, keys)
    }

    /// An app signing with `keys` (JWT mode).
    pub fn with_keys(db: Db, config: Config, backend: Backend, keys: Option<Keyring>) -> Self {
        let clock = Clock::manual(T0);
        // One key for every app of a test: instances sharing a database
        // share it.
        let names = server::names::NameKey::from_bytes([9; 32]);
        let state = AppState::new(
            config,
            db.clone(),
            Hasher::new(),
            clock.clone(),
            keys,
            names,
        )
        .unwrap();
        let redis = state.redis.clone();
        let options = LeptosOptions::builder()
            .output_name("latchkey")
            .site_root("target/site")
            .build();
        TestApp {
            router: app::routing::router(state.clone(), options),
            state,
            clock,
            db,
            backend,
            redis,
        }
    }

    /// The same app serving the site `options` describe (its assets and
    /// whether their names are hashed).
    pub fn serving(self, options: LeptosOptions) -> Self {
        TestApp {
            router: app::routing::router(self.state.clone(), options),
            ..self
        }
    }

    /// Deletes what the app kept in Redis.
    pub async fn cleanup(&self) {
        if let Some(redis) = &self.redis {
            redis.delete_all().await.unwrap();
        }
    }

    pub fn is_jwt(&self) -> bool {
        self.backend.is_jwt()
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let what = format!("{} {}", req.method(), req.uri());
        let res: Response<Body> = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        // Nothing a client sends to a healthy app is a server fault: no router
        // test expects a 5xx, so every one fails the test that caused it.
        assert!(
            !status.is_server_error(),
            "{what} answered {status}: a server fault"
        );
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A new browser with no cookies.
    pub fn browser(&self) -> Browser<'_> {
        Browser::new(self)
    }

    /// A plain HTML form post, as a browser without JavaScript sends it.
    pub async fn post_html_form(&self, path: &str, form: &str, referer: &str) -> Reply {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, referer);
        self.send(req.body(Body::from(form.to_string())).unwrap())
            .await
    }

    /// `GET` with no cookies and no credentials.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// `GET` with an `Authorization` header and no cookies.
    pub async fn get_with_auth(&self, path: &str, authorization: &str) -> Reply {
        let req = Request::get(path).header(header::AUTHORIZATION, authorization);
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// `POST` of a form body with no cookies (API clients).
    pub async fn post_api(&self, path: &str, content_type: &str, body: &str) -> Reply {
        let req = Request::post(path).header(header::CONTENT_TYPE, content_type);
        self.send(req.body(Body::from(body.to_string())).unwrap())
            .await
    }
}
