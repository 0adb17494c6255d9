//! [`SignedIn`]: the extractor a JSON handler takes when it needs a user.
//! It asks the request's [`Caller`] ([`Caller::require`], the check the
//! page guard and the server functions use too) and answers a refusal the
//! way an API client expects (RFC 6750):
//!
//! - nobody signed in: `401` with `WWW-Authenticate: Bearer`, and
//!   `error="invalid_token"` when a bearer token was sent and refused;
//! - the store that could tell did not answer: `503` with `Retry-After`;
//! - signed in, but not recently enough for `SignedIn<N>` (proved within
//!   `N` minutes): `401` with `error="insufficient_user_authentication"`
//!   and `max_age` (RFC 9470), so the client asks for the password again
//!   instead of treating the person as signed out.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::request::Parts;
use http::{header, HeaderValue, StatusCode};
use serde_json::json;

use super::resolve::unavailable;
use crate::auth::{Caller, Denied, Identity, Proof};
use crate::clock::Clock;
use crate::AppState;

/// `SignedIn`'s parameter when any sign-in will do, however long ago.
pub const ANY_TIME: u32 = u32::MAX;

/// The signed-in caller; with a parameter, one who proved who they are
/// within that many minutes (`SignedIn<10>`).
#[derive(Clone, Debug)]
pub struct SignedIn<const PROVED_WITHIN_MINUTES: u32 = ANY_TIME>(pub Arc<Identity>);

impl<const MINUTES: u32> SignedIn<MINUTES> {
    /// The [`Proof`] this extractor asks for at `now`.
    pub fn proof(now: i64) -> Proof {
        match MINUTES {
            ANY_TIME => Proof::Any,
            m => Proof::within(i64::from(m) * 60, now),
        }
    }
}

impl<S, const MINUTES: u32> FromRequestParts<S> for SignedIn<MINUTES>
where
    S: Send + Sync,
    Clock: FromRef<S>,
{
    type Rejection = NotAllowed;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // No caller means the resolver did not run on this route: nobody.
        let caller = parts
            .extensions
            .get::<Caller>()
            .unwrap_or(&Caller::Anonymous);
        let proof = Self::proof(Clock::from_ref(state).now());
        match caller.require(proof) {
            Ok(identity) => Ok(SignedIn(identity.clone())),
            Err(denied) => Err(NotAllowed {
                denied,
                token_sent: parts.headers.contains_key(header::AUTHORIZATION),
                max_age: (MINUTES != ANY_TIME).then(|| i64::from(MINUTES) * 60),
            }),
        }
    }
}

impl FromRef<AppState> for Clock {
    fn from_ref(state: &AppState) -> Clock {
        state.clock.clone()
    }
}

/// Why [`SignedIn`] refused a request, as its answer.
#[derive(Debug)]
pub struct NotAllowed {
    pub denied: Denied,
    /// An `Authorization` header was sent.
    pub token_sent: bool,
    /// Seconds within which the user must have proved who they are.
    pub max_age: Option<i64>,
}

impl IntoResponse for NotAllowed {
    fn into_response(self) -> Response {
        match self.denied {
            Denied::NotSignedIn => not_signed_in(self.token_sent),
            Denied::Unavailable => unavailable(),
            Denied::ProveAgain { .. } => prove_again(self.max_age.unwrap_or(0)),
        }
    }
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

/// `401` asking for a recent proof of who the user is (RFC 9470).
fn prove_again(max_age: i64) -> Response {
    let challenge = format!(
        r#"Bearer realm="latchkey", error="insufficient_user_authentication", error_description="Sign in again to do this", max_age={max_age}"#
    );
    let mut res = (
        StatusCode::UNAUTHORIZED,
        Json(json!({
            "error": "insufficient_user_authentication",
            "message": "For this, please confirm it is you: sign in again.",
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
    use super::*;

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

    async fn extract<const M: u32>(mut parts: Parts) -> Result<SignedIn<M>, Response> {
        let clock = Clock::manual(NOW);
        SignedIn::<M>::from_request_parts(&mut parts, &clock)
            .await
            .map_err(IntoResponse::into_response)
    }

    fn challenge(res: &Response) -> &str {
        res.headers()[header::WWW_AUTHENTICATE].to_str().unwrap()
    }

    #[tokio::test]
    async fn a_signed_in_caller_passes_and_nobody_gets_a_bearer_challenge() {
        let SignedIn(identity) = extract::<ANY_TIME>(parts(Some(Caller::signed_in_at(0)), false))
            .await
            .unwrap();
        assert_eq!(identity.username, "ada");

        let res = extract::<ANY_TIME>(parts(Some(Caller::Anonymous), false))
            .await
            .unwrap_err();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(challenge(&res), r#"Bearer realm="latchkey""#);

        // A refused bearer token is told apart; no resolver means nobody.
        let res = extract::<ANY_TIME>(parts(None, true)).await.unwrap_err();
        assert!(challenge(&res).contains(r#"error="invalid_token""#));
    }

    #[tokio::test]
    async fn an_unknown_caller_is_asked_to_retry() {
        let res = extract::<ANY_TIME>(parts(Some(Caller::StoreUnavailable), false))
            .await
            .unwrap_err();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(res.headers().contains_key(header::RETRY_AFTER));
    }

    #[tokio::test]
    async fn a_recent_proof_is_the_same_guard_with_a_parameter() {
        // Signed in nine minutes ago: within ten, not within five.
        let caller = Caller::signed_in_at(NOW - 9 * 60);
        assert!(extract::<10>(parts(Some(caller.clone()), true))
            .await
            .is_ok());
        let res = extract::<5>(parts(Some(caller), true)).await.unwrap_err();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let c = challenge(&res);
        assert!(
            c.contains(r#"error="insufficient_user_authentication""#),
            "{c}"
        );
        assert!(c.ends_with("max_age=300"), "{c}");
        // Anonymous stays "not signed in", whatever the parameter.
        let res = extract::<5>(parts(Some(Caller::Anonymous), false))
            .await
            .unwrap_err();
        assert_eq!(challenge(&res), r#"Bearer realm="latchkey""#);
    }
}
