//! The request side of authentication: the resolver that never fails, and
//! the guard for protected pages.
//!
//! The resolver runs before Leptos starts rendering or streaming, so any
//! cookie it changes reaches this very response, and pages can read the
//! [`Caller`] from the request extensions synchronously.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, Method, StatusCode};
use tower_cookies::Cookies;

use super::credentials::{self, Carrier};
use super::dpop::{self, DpopRefusal};
use crate::accounts;
use crate::auth::dpop::ProofError;
use crate::auth::{Caller, ClientMeta, Credential, Denied, Proof};
use crate::metrics::Outcome;
use crate::probe;
use crate::AppState;

/// Longest user agent kept.
const MAX_USER_AGENT: usize = 256;

/// In the request extensions when the resolver renewed the caller's
/// credentials on this request: nothing else may renew them again.
#[derive(Clone, Copy, Debug)]
pub struct RenewedThisRequest;

/// Which pages need a signed-in user, where anonymous callers go instead,
/// and which paths are files that need nobody. The site's route table
/// provides the rules, so the server's redirect and the pages' own redirect
/// cannot disagree.
#[derive(Clone, Copy, Debug)]
pub struct Protection {
    /// Whether a path (without query) names a file served as it is: built
    /// assets, the icon. Its request is not resolved at all: no store
    /// lookup, no renewal, no cookie set or cleared. A browser asks for such
    /// files beside the page, at moments it chooses; were they resolved, an
    /// icon request racing a sign-out elsewhere would clear the cookies the
    /// page's own next request was about to show refused, and one racing an
    /// expired access token would renew it alongside the page.
    pub is_file: fn(&str) -> bool,
    /// Whether a path (without query) needs a signed-in user.
    pub requires_user: fn(&str) -> bool,
    /// The sign-in URL that comes back to a path and query afterwards.
    pub login_url: fn(&str) -> String,
}

/// Puts the [`Caller`], [`ClientMeta`] and what resolving cost
/// ([`probe::ResolveReport`]) into the request extensions. Never
/// fails: a store fault becomes [`Caller::StoreUnavailable`] and is logged.
pub async fn resolve_caller(
    State((state, protection)): State<(AppState, Protection)>,
    jar: Cookies,
    mut req: Request,
    next: Next,
) -> Response {
    if !(protection.is_file)(req.uri().path()) {
        let mut client = client_meta(&req, &state.config.trusted_proxies);
        let mut presented = credentials::presented(req.headers(), &jar);
        // A DPoP proof is checked before the token it comes with; a refused
        // one leaves the request with no credentials at all.
        let mut refusal = None;
        let mut store_down = false;
        if presented.carrier == Carrier::Dpop {
            let token = presented.credentials.first().and_then(|c| match c {
                Credential::Access(t) => Some(t.expose()),
                _ => None,
            });
            let (method, path) = (req.method().as_str(), req.uri().path());
            match dpop::proved_key(&state, req.headers(), method, path, token).await {
                Ok(Ok(Some(key))) => client.key = Some(key),
                Ok(Ok(None)) => refusal = Some(ProofError::Missing.into()),
                Ok(Err(e)) => refusal = Some(e.into()),
                Err(e) => {
                    tracing::error!(error = %e, "could not check a DPoP proof");
                    store_down = true;
                }
            }
            if refusal.is_some() || store_down {
                presented.credentials.clear();
            }
        }
        let (resolved, report) =
            probe::watch(accounts::resolve(&state, &presented.credentials, &client)).await;
        let (caller, outcome) = match resolved {
            _ if store_down => (Caller::StoreUnavailable, Outcome::Unknown),
            Ok(r) => {
                if let Some(issued) = &r.issued {
                    credentials::set_cookies(&jar, issued);
                    req.extensions_mut().insert(RenewedThisRequest);
                }
                if r.forget && presented.in_cookies() {
                    credentials::clear_cookies(&jar);
                }
                let bound = r.identity.map(|identity| {
                    dpop::binding(&identity, presented.carrier, client.key.as_ref())
                        .map(|()| identity)
                });
                match bound {
                    Some(Ok(identity)) => {
                        super::observe::record_user(&identity.user_id);
                        state.resolving.add(&report);
                        (Caller::User(Arc::new(identity)), Outcome::SignedIn)
                    }
                    Some(Err(refused)) => {
                        refusal = Some(refused);
                        (Caller::Anonymous, Outcome::Anonymous)
                    }
                    None => (Caller::Anonymous, Outcome::Anonymous),
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "could not resolve the caller");
                (Caller::StoreUnavailable, Outcome::Unknown)
            }
        };
        state.resolved.count(outcome);
        if let Some(refusal) = refusal {
            req.extensions_mut().insert::<DpopRefusal>(refusal);
        }
        req.extensions_mut().insert(caller);
        req.extensions_mut().insert(client);
        req.extensions_mut().insert(report);
        if presented.carrier == Carrier::Dpop {
            let mut res = next.run(req).await;
            dpop::hand_out_nonce(&state, &mut res);
            return res;
        }
    }
    next.run(req).await
}

fn client_meta(req: &Request, trusted: &[ipnet::IpNet]) -> ClientMeta {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let ip = super::client_ip::client_ip(peer, req.headers(), trusted).map(|ip| ip.to_string());
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(MAX_USER_AGENT).collect());
    ClientMeta {
        ip,
        user_agent,
        key: None,
        resource: None,
    }
}

/// Answers page reads of protected paths from anonymous callers with
/// `303 See Other` to the sign-in page, which comes back here afterwards.
pub async fn require_user(protection: Protection, req: Request, next: Next) -> Response {
    let is_page_read = matches!(*req.method(), Method::GET | Method::HEAD);
    if !is_page_read || !(protection.requires_user)(req.uri().path()) {
        return next.run(req).await;
    }
    let caller = req
        .extensions()
        .get::<Caller>()
        .unwrap_or(&Caller::Anonymous);
    let verdict = caller.require(Proof::Any).map(|_| ());
    match verdict {
        Ok(_) => next.run(req).await,
        Err(Denied::Unavailable) => unavailable(),
        Err(Denied::NotSignedIn | Denied::ProveAgain { .. }) => {
            let here = req.uri().path_and_query().map_or("/", |p| p.as_str());
            let location = (protection.login_url)(here);
            let mut res = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                res.headers_mut().insert(header::LOCATION, v);
            }
            res
        }
    }
}

/// `503` with a short message and `Retry-After`.
pub fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "5")],
        "The service is temporarily unavailable. Please try again in a moment.",
    )
        .into_response()
}
