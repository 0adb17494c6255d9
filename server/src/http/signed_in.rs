//! [`SignedIn`]: the extractor a JSON handler takes when it needs a user.
//! It asks the request's [`Caller`] ([`Caller::require`], the check the
//! page guard and the server functions use too) and answers a refusal the
//! way an API client expects (RFC 6750):
//!
//! - nobody signed in: `401` with `WWW-Authenticate: Bearer`, and
//!   `error="invalid_token"` when a bearer token was sent and refused;
//!   `WWW-Authenticate: DPoP` (RFC 9449 §7.1) with the error when the
//!   request came with DPoP, or with a token bound to a key as `Bearer`;
//! - the store that could tell did not answer: `503` with `Retry-After`;
//! - signed in, but not recently enough for `SignedIn<RECENTLY>` (a proof
//!   within `LATCHKEY_REAUTH_WINDOW`, [`ReauthWindow`]): `401` with
//!   `error="insufficient_user_authentication"` and `max_age` (RFC 9470),
//!   so the client signs in again (a fresh token carries a fresh
//!   `auth_time`) instead of treating the person as signed out.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::request::Parts;
use http::{header, HeaderValue, StatusCode};
use serde_json::json;

use super::credentials::{self, Carrier};
use super::dpop::{self, DpopRefusal};
use super::resolve::unavailable;
use crate::auth::{Caller, Denied, Identity, Proof, ReauthWindow};
use crate::AppState;

/// `SignedIn`'s parameter for a sensitive action: the user proved who they
/// are within the re-authentication window.
pub const RECENTLY: bool = true;

/// The signed-in caller; `SignedIn<RECENTLY>`: one who proved who they are
/// within the re-authentication window.
#[derive(Clone, Debug)]
pub struct SignedIn<const PROVED_RECENTLY: bool = false>(pub Arc<Identity>);

impl<S, const RECENT: bool> FromRequestParts<S> for SignedIn<RECENT>
where
    S: Send + Sync,
    ReauthWindow: FromRef<S>,
{
    type Rejection = NotAllowed;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // No caller means the resolver did not run on this route: nobody.
        let caller = parts
            .extensions
            .get::<Caller>()
            .unwrap_or(&Caller::Anonymous);
        // Only a sensitive action reads the window (and the clock): `/api/me`
        // and the other plain handlers pay for neither.
        let (proof, max_age) = if RECENT {
            let window = ReauthWindow::from_ref(state);
            (window.proof(), Some(window.secs()))
        } else {
            (Proof::Any, None)
        };
        match caller.require(proof) {
            Ok(identity) => Ok(SignedIn(identity.clone())),
            Err(denied) => Err(NotAllowed {
                denied,
                token_sent: parts.headers.contains_key(header::AUTHORIZATION),
                dpop: dpop_refusal(parts),
                max_age,
            }),
        }
    }
}

impl FromRef<AppState> for ReauthWindow {
    fn from_ref(state: &AppState) -> ReauthWindow {
        state.reauth.clone()
    }
}

/// Why [`SignedIn`] refused a request, as its answer.
#[derive(Debug)]
pub struct NotAllowed {
    pub denied: Denied,
    /// An `Authorization` header was sent.
    pub token_sent: bool,
    /// What a DPoP request (or a bound token sent as `Bearer`) was refused
    /// for, answered with a DPoP challenge.
    pub dpop: Option<DpopRefusal>,
    /// Seconds within which the user must have proved who they are.
    pub max_age: Option<i64>,
}

impl IntoResponse for NotAllowed {
    fn into_response(self) -> Response {
        let max_age = self.max_age.unwrap_or(0);
        match (self.denied, self.dpop) {
            (Denied::NotSignedIn, Some(refusal)) => dpop_refused(&refusal),
            (Denied::NotSignedIn, None) => not_signed_in(self.token_sent),
            (Denied::Unavailable, _) => unavailable(),
            // A DPoP client is asked in its own scheme.
            (Denied::ProveAgain { .. }, dpop) => prove_again(max_age, dpop.is_some()),
        }
    }
}

/// Why the resolver refused the request's DPoP proof or binding; for any
/// other refusal of a request sent with DPoP, `invalid_token`.
fn dpop_refusal(parts: &Parts) -> Option<DpopRefusal> {
    if let Some(refusal) = parts.extensions.get::<DpopRefusal>() {
        return Some(refusal.clone());
    }
    match credentials::authorization(&parts.headers) {
        Some((Carrier::Dpop, _)) => Some(DpopRefusal {
            error: "invalid_token",
            description: "The access token is invalid, expired or revoked.".into(),
        }),
        _ => None,
    }
}

/// `401` with a DPoP challenge (RFC 9449 §7.1).
fn dpop_refused(refusal: &DpopRefusal) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, dpop::challenge(refusal))],
        Json(json!({
            "error": refusal.error,
            "message": refusal.description,
        })),
    )
        .into_response()
}

/// `401` for a JSON endpoint, with a `WWW-Authenticate` challenge (RFC 6750:
/// `invalid_token` when a bearer token was sent and refused).
pub fn not_signed_in(token_refused: bool) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(
            header::WWW_AUTHENTICATE,
            if token_refused {
                r#"Bearer realm="latchkey", error="invalid_token", error_description="The access token is invalid, expired or revoked""#
            } else {
                r#"Bearer realm="latchkey""#
            },
        )],
        Json(json!({
            "error": "unauthorized",
            "message": "You are not signed in.",
        })),
    )
        .into_response()
}

/// `401` asking for a recent proof of who the user is (RFC 9470), in the
/// DPoP scheme when the request came with DPoP.
fn prove_again(max_age: i64, dpop: bool) -> Response {
    let scheme = if dpop {
        format!(r#"DPoP algs="{}""#, crate::auth::dpop::ALGS.join(" "))
    } else {
        r#"Bearer realm="latchkey""#.to_string()
    };
    let challenge = format!(
        r#"{scheme}, error="insufficient_user_authentication", error_description="Sign in again to do this", max_age={max_age}"#
    );
    let mut res = (
        StatusCode::UNAUTHORIZED,
        Json(json!({
            "error": "insufficient_user_authentication",
            "message": format!(
                "For this, please confirm it is you: sign in again (a sign-in in the last {} will do).",
                crate::error::describe_wait(max_age)
            ),
            "max_age": max_age,
        })),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::clock::Clock;

    const NOW: i64 = 1_800_000_000;

    fn parts(caller: Option<Caller>, bearer: bool) -> Parts {
        let mut req = http::Request::builder().uri("/api/x");
        if bearer {
            req = req.header(header::AUTHORIZATION, "Bearer abc");
        }
        let (mut parts, ()) = req.body(()).unwrap().into_parts();
        if let Some(caller) = caller {
            parts.extensions.insert(caller);
        }
        parts
    }

    /// Extracts with a ten-minute window at `NOW`.
    async fn extract<const RECENT: bool>(mut parts: Parts) -> Result<SignedIn<RECENT>, Response> {
        let window = ReauthWindow::new(Clock::manual(NOW), Duration::from_secs(600));
        SignedIn::<RECENT>::from_request_parts(&mut parts, &window)
            .await
            .map_err(IntoResponse::into_response)
    }

    fn challenge(res: &Response) -> &str {
        res.headers()[header::WWW_AUTHENTICATE].to_str().unwrap()
    }

    #[tokio::test]
    async fn a_signed_in_caller_passes_and_nobody_gets_a_bearer_challenge() {
        let SignedIn(identity) = extract::<false>(parts(Some(Caller::signed_in_at(0)), false))
            .await
            .unwrap();
        assert_eq!(identity.username, "ada");

        let res = extract::<false>(parts(Some(Caller::Anonymous), false))
            .await
            .unwrap_err();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(challenge(&res), r#"Bearer realm="latchkey""#);

        // A refused bearer token is told apart; no resolver means nobody.
        let res = extract::<false>(parts(None, true)).await.unwrap_err();
        assert!(challenge(&res).contains(r#"error="invalid_token""#));
    }

    #[tokio::test]
    async fn an_unknown_caller_is_asked_to_retry() {
        let res = extract::<false>(parts(Some(Caller::StoreUnavailable), false))
            .await
            .unwrap_err();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(res.headers().contains_key(header::RETRY_AFTER));
    }

    #[tokio::test]
    async fn a_recent_proof_is_the_same_guard_with_a_parameter() {
        // Signed in nine minutes ago: within the ten-minute window.
        let recent = Caller::signed_in_at(NOW - 9 * 60);
        assert!(extract::<RECENTLY>(parts(Some(recent), true)).await.is_ok());
        // Eleven minutes ago: any time will do, but not "recently".
        let old = Caller::signed_in_at(NOW - 11 * 60);
        assert!(extract::<false>(parts(Some(old.clone()), true))
            .await
            .is_ok());
        let res = extract::<RECENTLY>(parts(Some(old), true))
            .await
            .unwrap_err();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let c = challenge(&res);
        assert!(
            c.contains(r#"error="insufficient_user_authentication""#),
            "{c}"
        );
        assert!(c.ends_with("max_age=600"), "{c}");
        // Anonymous stays "not signed in", whatever the parameter.
        let res = extract::<RECENTLY>(parts(Some(Caller::Anonymous), false))
            .await
            .unwrap_err();
        assert_eq!(challenge(&res), r#"Bearer realm="latchkey""#);
    }
}
