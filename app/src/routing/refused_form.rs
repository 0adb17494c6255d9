//! Plain form posts that a server function refuses: the errors leave the
//! URL, the username stays in its field.
//!
//! Without JavaScript, Leptos answers a refused form post with a redirect
//! back to the form carrying the error in the query (`__path`, `__err`). A
//! URL is a poor place for it: it is bookmarked, shared, logged and kept in
//! history, and it comes back whenever the page is reloaded. Here the
//! redirect is rewritten: the query loses those two parameters, and a
//! cookie living a minute carries them, with the username the form held
//! (never a password), to the next page the browser renders, which reads
//! it ([`provide`]) and drops it. The cookie follows the auth cookies'
//! policy (`__Host-`, `HttpOnly`, `Secure`), with `SameSite=Strict`: only a
//! page of this site ever gets it back.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, Method, StatusCode};
use leptos::prelude::*;
use leptos::server::ServerActionError;
use server::http::headers::MAX_BODY;
use tower_cookies::cookie::{time, Cookie, SameSite};
use tower_cookies::Cookies;

use crate::components::refused_form::RefusedForm;
use crate::routes::without_form_error;

/// The cookie carrying a refused form to its page.
pub const FORM_COOKIE: &str = "__Host-latchkey_form";

/// What the cookie holds, as a query string: `path`, `err`, `username`.
fn encode(path: &str, err: &str, username: Option<&str>) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    out.append_pair("path", path).append_pair("err", err);
    if let Some(name) = username {
        out.append_pair("username", name);
    }
    // A cookie value may not hold `=` or `&` unencoded: encode the whole.
    form_urlencoded::byte_serialize(out.finish().as_bytes()).collect()
}

/// The refused form in the cookie's value as the jar gives it back (decoded
/// once: the query string [`encode`] began with), and its error for the
/// action.
fn decode(value: &str) -> Option<(RefusedForm, ServerActionError)> {
    let (mut path, mut err, mut username) = (None, None, None);
    for (k, v) in form_urlencoded::parse(value.as_bytes()) {
        match k.as_ref() {
            "path" => path = Some(v.into_owned()),
            "err" => err = Some(v.into_owned()),
            "username" => username = Some(v.into_owned()),
            _ => {}
        }
    }
    let (path, err) = (path?, err?);
    let error = ServerActionError::new(&path, &err);
    Some((RefusedForm { path, username }, error))
}

fn cookie(value: String, max_age: i64) -> Cookie<'static> {
    Cookie::build((FORM_COOKIE, value))
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(time::Duration::seconds(max_age))
        .build()
}

/// The request's cookie jar (the auth layers' cookie manager parsed it).
fn jar(extensions: &http::Extensions) -> Option<&Cookies> {
    extensions.get::<Cookies>()
}

/// The value of the form cookie, if the browser sent one.
fn carried(jar: &Cookies) -> Option<String> {
    jar.get(FORM_COOKIE).map(|c| c.value().to_owned())
}

/// Puts the refused form the request carries where its page finds it:
/// the action's error and the kept username. Called while rendering.
pub fn provide() {
    let found =
        with_context::<http::request::Parts, _>(|parts| jar(&parts.extensions).and_then(carried))
            .flatten();
    if let Some((form, error)) = found.and_then(|v| decode(&v)) {
        provide_context(error);
        provide_context(form);
    }
}

/// Whether `req` is a plain (no JavaScript) form post to a server function.
fn is_plain_form_post(req: &Request) -> bool {
    let header_has = |name, needle| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains(needle))
    };
    req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && header_has(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        && header_has(header::ACCEPT, "text/html")
}

/// Moves a refused plain form post's error from the redirect into the
/// cookie, and drops the cookie once a page has been rendered with it.
pub async fn keep(req: Request, next: Next) -> Response {
    let Some(jar) = jar(req.extensions()).cloned() else {
        return next.run(req).await;
    };
    if !is_plain_form_post(&req) {
        let had_cookie = req.method() == Method::GET && carried(&jar).is_some();
        let res = next.run(req).await;
        let rendered = res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
        if had_cookie && rendered {
            jar.add(cookie(String::new(), 0));
        }
        return res;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let username = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "username")
        .map(|(_, v)| v.into_owned());
    let mut res = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let Some(location) = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return res;
    };
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let find = |name: &str| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let (Some(path), Some(err)) = (find("__path"), find("__err")) else {
        return res;
    };
    let stripped = without_form_error(&location);
    if let Ok(value) = HeaderValue::from_str(&stripped) {
        res.headers_mut().insert(header::LOCATION, value);
        jar.add(cookie(encode(&path, &err, username.as_deref()), 60));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_form_survives_the_cookie() {
        let value = encode("/api/sign_up", "eyJzdGF0dXMiOjQyMn0=", Some("Al ice&x=1"));
        assert!(!value.contains(['=', '&', ';', ' ', ',']), "{value}");
        // As the cookie manager reads it back from the browser's header.
        let sent = Cookie::parse_encoded(format!("{FORM_COOKIE}={value}")).unwrap();
        let (form, error) = decode(sent.value()).expect("decodes");
        assert_eq!(form.path, "/api/sign_up");
        assert_eq!(form.username.as_deref(), Some("Al ice&x=1"));
        assert_eq!(error.err(), "eyJzdGF0dXMiOjQyMn0=");
        assert_eq!(error.path(), "/api/sign_up");
        assert!(decode("garbage").is_none());
    }
}
