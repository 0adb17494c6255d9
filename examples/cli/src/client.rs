//! HTTP calls to Latchkey and to resource servers, each with a DPoP proof.
//!
//! Every request carries a fresh proof for its exact method and URL (query
//! and fragment left out of `htu`). When a server demands a nonce (RFC 9449
//! §8: `use_dpop_nonce`, at the token endpoint as a 400 JSON error, at a
//! resource as a 401 challenge) the request is retried once with the nonce
//! of its `DPoP-Nonce` header. The latest nonce of each origin is kept for
//! the next proofs, so a run pays that round trip once at most; nonces are
//! per origin because a resource server's are not Latchkey's.
//!
//! Redirects are not followed: a proof names one URL, and a token should go
//! nowhere the user did not name. Answers are read whole into a [`Reply`];
//! what they mean is decided by the caller ([`crate::oauth`], `main`).

use std::collections::HashMap;
use std::time::Duration;

use reqwest::blocking::RequestBuilder;
use reqwest::header::{HeaderMap, AUTHORIZATION, WWW_AUTHENTICATE};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::base::Fail;
use crate::key::Key;

const DPOP_NONCE: &str = "dpop-nonce";

/// An answer, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub www_authenticate: Option<String>,
    pub body: String,
}

impl Reply {
    /// `self` if it is a success, else what the server said instead.
    pub fn success(&self) -> Result<&Reply, Fail> {
        match self.status {
            200..=299 => Ok(self),
            status => Err(Fail(format!(
                "The server answered {status}: {}",
                self.message()
            ))),
        }
    }

    /// The body of a success as `T`.
    pub fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T, Fail> {
        serde_json::from_str(&self.success()?.body).map_err(|e| {
            Fail(format!(
                "The server's answer to {what} is not what was expected: {e}"
            ))
        })
    }

    /// The server's explanation of a refusal: a JSON body's
    /// `error_description`, `message` or `error`, else the
    /// `WWW-Authenticate` challenge's `error_description` or the challenge.
    pub fn message(&self) -> String {
        let body: Value = serde_json::from_str(&self.body).unwrap_or(Value::Null);
        let field = ["error_description", "message", "error"]
            .iter()
            .find_map(|f| body.get(f).and_then(Value::as_str));
        if let Some(text) = field {
            return text.to_owned();
        }
        if let Some(challenge) = &self.www_authenticate {
            return challenge
                .split_once("error_description=\"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map_or(challenge.clone(), |(text, _)| text.to_owned());
        }
        format!("HTTP {}", self.status)
    }

    /// Whether the server asks for a proof with a (fresh) nonce.
    fn wants_nonce(&self) -> bool {
        let body: Value = serde_json::from_str(&self.body).unwrap_or(Value::Null);
        let in_json = body["error"] == "use_dpop_nonce";
        let in_challenge = self
            .www_authenticate
            .as_ref()
            .is_some_and(|c| c.contains("use_dpop_nonce"));
        match self.status {
            400 => in_json,
            401 => in_json || in_challenge,
            _ => false,
        }
    }
}

/// The server's base URL, checked, without a trailing slash (so that paths
/// append to it, a path prefix included).
pub fn server_url(server: &str) -> Result<String, Fail> {
    let url = http_url(server)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Fail(format!(
            "The server URL {server} has a query or fragment."
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// `server` (from [`server_url`]) followed by `path`.
pub fn endpoint(server: &str, path: &str) -> Result<Url, Fail> {
    http_url(&format!("{server}{path}"))
}

/// `text` as an http URL this build can reach.
pub fn http_url(text: &str) -> Result<Url, Fail> {
    let url = Url::parse(text).map_err(|e| Fail(format!("{text} is not a valid URL: {e}.")))?;
    match url.scheme() {
        "http" if url.host().is_some() => Ok(url),
        // reqwest is built without TLS here (see Cargo.toml).
        "https" => Err(Fail(format!(
            "{text}: this build of latchkey-cli speaks plain http only; build it with \
             reqwest's `rustls` feature for https."
        ))),
        _ => Err(Fail(format!("{text} is not an http URL."))),
    }
}

/// A proof's `htu`: the URL without query and fragment (RFC 9449 §4.2).
pub fn htu(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.into()
}

/// An HTTP client that proves possession of `key` on every request.
pub struct Client<'k> {
    http: reqwest::blocking::Client,
    key: &'k Key,
    /// The latest `DPoP-Nonce` of each origin.
    nonces: HashMap<String, String>,
}

/// `latchkey-cli/<version> (<system>)`: the server names the device by it
/// in the account's device list ("latchkey-cli 0.1 on Linux").
pub fn user_agent() -> String {
    let system = match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "macOS",
        "windows" => "Windows",
        "freebsd" => "FreeBSD",
        other => other,
    };
    format!("latchkey-cli/{} ({system})", env!("CARGO_PKG_VERSION"))
}

impl<'k> Client<'k> {
    pub fn new(key: &'k Key) -> Result<Self, Fail> {
        let http = reqwest::blocking::Client::builder()
            .user_agent(user_agent())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| Fail(format!("Cannot start the HTTP client: {e}")))?;
        Ok(Client {
            http,
            key,
            nonces: HashMap::new(),
        })
    }

    /// `POST url` with `form` as `application/x-www-form-urlencoded`.
    pub fn post_form(&mut self, url: &Url, form: &[(&str, &str)]) -> Result<Reply, Fail> {
        self.send(Method::POST, url, None, |r| r.form(form))
    }

    /// `GET url` with `access_token` as a DPoP-bound token (`ath` in the
    /// proof).
    pub fn get(&mut self, url: &Url, access_token: &str) -> Result<Reply, Fail> {
        self.send(Method::GET, url, Some(access_token), |r| r)
    }

    fn send(
        &mut self,
        method: Method,
        url: &Url,
        token: Option<&str>,
        body: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<Reply, Fail> {
        let origin = url.origin().ascii_serialization();
        let mut retried = false;
        loop {
            let nonce = self.nonces.get(&origin).map(String::as_str);
            let proof = self.key.proof(method.as_str(), &htu(url), token, nonce);
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header("DPoP", proof);
            if let Some(token) = token {
                request = request.header(AUTHORIZATION, format!("DPoP {token}"));
            }
            let response = body(request).send().map_err(|e| unreachable(url, &e))?;
            let fresh_nonce = header(response.headers(), DPOP_NONCE);
            let reply = Reply {
                status: response.status().as_u16(),
                www_authenticate: header(response.headers(), WWW_AUTHENTICATE.as_str()),
                body: response.text().map_err(|e| unreachable(url, &e))?,
            };
            let Some(fresh_nonce) = fresh_nonce else {
                return Ok(reply);
            };
            self.nonces.insert(origin.clone(), fresh_nonce);
            // Once: a server that refuses its own fresh nonce would
            // otherwise keep us here.
            if retried || !reply.wants_nonce() {
                return Ok(reply);
            }
            retried = true;
        }
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// One line on why `url` could not be reached: the innermost cause (e.g.
/// "Connection refused") says more than reqwest's own summary.
fn unreachable(url: &Url, e: &reqwest::Error) -> Fail {
    let mut cause: &dyn std::error::Error = e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    let why = if e.is_timeout() {
        "it did not answer in time".to_owned()
    } else {
        cause.to_string()
    };
    Fail(format!(
        "Cannot reach {}: {why}",
        url.origin().ascii_serialization()
    ))
}

#[cfg(test)]
mod tests;
