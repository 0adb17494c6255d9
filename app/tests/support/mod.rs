//! A test harness around the whole application router: builds a session-mode
//! app over a test database and sends it requests with `oneshot`.

#![allow(dead_code)] // each test binary uses a different part of the harness

use axum::body::Body;
use axum::Router;
use http::{header, Request, Response, StatusCode};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use server::auth::cookies::SESSION_COOKIE;
use server::auth::password::Hasher;
use server::clock::Clock;
use server::config::{Config, SessionStoreKind};
use server::db::Db;
use server::AppState;
use tower::ServiceExt;

/// A fixed start time for the manual clock.
pub const T0: i64 = 1_800_000_000;

pub struct TestApp {
    pub router: Router,
    pub clock: Clock,
    pub db: Db,
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

    /// All `Set-Cookie` headers for the session cookie.
    pub fn session_set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter(|v| v.starts_with(&format!("{SESSION_COOKIE}=")))
            .map(str::to_string)
            .collect()
    }

    /// The session ID this reply sets, if it sets a non-empty one.
    pub fn session_id(&self) -> Option<String> {
        self.session_set_cookies().iter().find_map(|c| {
            let value = c.split(';').next()?.split_once('=')?.1;
            (!value.is_empty()).then(|| value.to_string())
        })
    }
}

impl TestApp {
    pub fn new(db: Db, store: SessionStoreKind) -> Self {
        Self::with_config(
            db,
            Config {
                session_store: store,
                ..Config::defaults()
            },
        )
    }

    pub fn with_config(db: Db, config: Config) -> Self {
        let clock = Clock::manual(T0);
        let state = AppState::new(config, db.clone(), Hasher::new(), clock.clone()).unwrap();
        let options = LeptosOptions::builder()
            .output_name("latchkey")
            .site_root("target/site")
            .build();
        TestApp {
            router: app::routing::router(state, options),
            clock,
            db,
        }
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res: Response<Body> = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, session: Option<&str>) -> Reply {
        let mut req = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(id) = session {
            req = req.header(header::COOKIE, format!("{SESSION_COOKIE}={id}"));
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// A server function call as the hydrated app makes it (url-encoded form,
    /// no `Accept: text/html`).
    pub async fn post_form(&self, path: &str, form: &str, session: Option<&str>) -> Reply {
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(id) = session {
            req = req.header(header::COOKIE, format!("{SESSION_COOKIE}={id}"));
        }
        self.send(req.body(Body::from(form.to_string())).unwrap())
            .await
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

    /// Signs up `username` and returns the session ID.
    pub async fn sign_up(&self, username: &str, password: &str) -> String {
        let r = self
            .post_form(
                "/api/sign_up",
                &format!("username={username}&password={password}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "sign-up failed: {}", r.body);
        r.session_id().expect("sign-up sets a session cookie")
    }

    /// Signs in and returns the session ID.
    pub async fn sign_in(&self, username: &str, password: &str) -> String {
        let r = self
            .post_form(
                "/api/sign_in",
                &format!("username={username}&password={password}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "sign-in failed: {}", r.body);
        r.session_id().expect("sign-in sets a session cookie")
    }
}
