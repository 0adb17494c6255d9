//! [`Browser`]: a client that keeps cookies the way a browser does.

use std::collections::BTreeMap;
use std::sync::Mutex;

use axum::body::Body;
use http::{header, Request, StatusCode};

use super::{Reply, TestApp};

/// A client that stores the cookies it is given and sends them back.
pub struct Browser<'a> {
    app: &'a TestApp,
    jar: Mutex<BTreeMap<String, String>>,
    user_agent: Option<String>,
}

impl<'a> Browser<'a> {
    pub(super) fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            jar: Mutex::default(),
            user_agent: None,
        }
    }

    /// The same browser, naming itself `user_agent` on every request.
    pub fn with_agent(mut self, user_agent: &str) -> Self {
        self.user_agent = Some(user_agent.to_string());
        self
    }

    fn cookie_header(&self) -> Option<String> {
        let jar = self.jar.lock().unwrap();
        (!jar.is_empty()).then(|| {
            jar.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    async fn send(&self, mut req: http::request::Builder, body: Body) -> Reply {
        if let Some(cookies) = self.cookie_header() {
            req = req.header(header::COOKIE, cookies);
        }
        if let Some(agent) = &self.user_agent {
            req = req.header(header::USER_AGENT, agent);
        }
        let reply = self.app.send(req.body(body).unwrap()).await;
        let mut jar = self.jar.lock().unwrap();
        for c in reply.auth_set_cookies() {
            let Some((name, value)) = c.split(';').next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            if value.is_empty() || c.contains("Max-Age=0") {
                jar.remove(name);
            } else {
                jar.insert(name.to_string(), value.to_string());
            }
        }
        reply
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(
            Request::get(path).header(header::ACCEPT, "text/html"),
            Body::empty(),
        )
        .await
    }

    /// A server function call as the hydrated app makes it.
    pub async fn post_form(&self, path: &str, form: &str) -> Reply {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        self.send(req, Body::from(form.to_string())).await
    }

    /// A plain form post, as a browser without JavaScript sends it from the
    /// page at `referer` (a path on the app's origin).
    pub async fn post_plain_form(&self, path: &str, form: &str, referer: &str) -> Reply {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, format!("http://127.0.0.1{referer}"));
        self.send(req, Body::from(form.to_string())).await
    }

    /// A form post with extra request headers (`Origin`, `Sec-Fetch-Site`,
    /// `Host`), as another site's page would make the browser send it.
    pub async fn post_form_with(&self, path: &str, form: &str, headers: &[(&str, &str)]) -> Reply {
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.send(req, Body::from(form.to_string())).await
    }

    /// The auth cookies held now.
    pub fn cookies(&self) -> BTreeMap<String, String> {
        self.jar.lock().unwrap().clone()
    }

    /// Replaces the held cookies (replaying old ones, planting forged ones).
    pub fn set_cookies(&self, cookies: BTreeMap<String, String>) {
        *self.jar.lock().unwrap() = cookies;
    }

    /// Signs up through `/api/sign_up`; the reply must be a success.
    pub async fn sign_up(&self, username: &str, password: &str) -> Reply {
        self.post_credentials("/api/sign_up", username, password)
            .await
    }

    /// Signs in through `/api/sign_in`; the reply must be a success.
    pub async fn sign_in(&self, username: &str, password: &str) -> Reply {
        self.post_credentials("/api/sign_in", username, password)
            .await
    }

    /// Changes the password through `/api/change_password` as a plain form
    /// does; the reply must be a success.
    pub async fn change_password(&self, current: &str, new: &str) -> Reply {
        let form = format!("current_password={current}&new_password={new}");
        let r = self.post_form("/api/change_password", &form).await;
        assert!(
            r.status.is_success() || r.status.is_redirection(),
            "/api/change_password failed: {}",
            r.body
        );
        r
    }

    async fn post_credentials(&self, path: &str, username: &str, password: &str) -> Reply {
        // "Keep me signed in", as the suite expected before the choice existed;
        // the cases about the choice post their own forms.
        let form = format!("username={username}&password={password}&remember=on");
        let r = self.post_form(path, &form).await;
        assert_eq!(r.status, StatusCode::OK, "{path} failed: {}", r.body);
        r
    }

    /// A request with any method and no body, as a script in the page
    /// sends it (`fetch` with the cookies).
    pub async fn request(&self, method: http::Method, path: &str) -> Reply {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::ACCEPT, "application/json");
        self.send(req, Body::empty()).await
    }

    /// A JSON `POST`, as a script in the page sends it.
    pub async fn post_json(&self, path: &str, json: &str) -> Reply {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json");
        self.send(req, Body::from(json.to_string())).await
    }

    /// A JSON request with any method, as a script in the page sends it.
    pub async fn send_json(&self, method: http::Method, path: &str, json: &str) -> Reply {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json");
        self.send(req, Body::from(json.to_string())).await
    }

    /// The kind and cause of each event `GET /api/activity` lists, newest
    /// first.
    pub async fn activity(&self) -> Vec<(String, Option<String>)> {
        let r = self.request(http::Method::GET, "/api/activity").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.json()["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let cause = e["cause"].as_str().map(str::to_string);
                (e["kind"].as_str().unwrap().to_string(), cause)
            })
            .collect()
    }

    /// `GET /api/me`'s status.
    pub async fn me(&self) -> StatusCode {
        self.get("/api/me").await.status
    }
}
