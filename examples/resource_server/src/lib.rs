//! A service that accepts Latchkey's access tokens knowing nothing but
//! Latchkey's issuer URL: no database, no shared secret.
//!
//! At startup it reads the issuer's metadata (RFC 8414) to find the key set
//! and the introspection endpoint. Then, per request, one of two checks:
//!
//! - **signature** (default): the token is verified with the issuer's
//!   public key from the JWKS ([`jwks`]), fetched once and cached. No call
//!   to Latchkey per request, but a revoked device's token is accepted
//!   until it expires (at most the access lifetime, 30 minutes by default).
//! - **introspection**: every request asks Latchkey (RFC 7662), which also
//!   checks its revocation set, so a sign-out counts at once; the price is
//!   a round trip per request and a dependency on Latchkey being up.
//!
//! A token bound to a client's key (DPoP, RFC 9449) is accepted only with a
//! fresh proof by that key ([`dpop`]); a token for another audience never.
//!
//! It serves `GET /notes` and `POST /notes`, each user's notes kept in
//! memory, to show a protected resource.

pub mod discovery;
pub mod dpop;
pub mod jwks;
mod notes;
pub mod verify;

use std::sync::Arc;

use axum::routing::get;
use axum::Router;

pub use discovery::Metadata;
pub use verify::{Caller, Check, Verifier};

/// Builds the service's routes over `verifier`, for requests to
/// `public_url` (the scheme, host and port clients reach it at, which DPoP
/// proofs name).
pub fn router(verifier: Verifier, public_url: &str) -> Router {
    router_shared(Arc::new(verifier), public_url)
}

/// [`router`] over a verifier the caller keeps a handle on (tests read its
/// key-set fetches).
pub fn router_shared(verifier: Arc<Verifier>, public_url: &str) -> Router {
    Router::new()
        .route("/notes", get(notes::list).post(notes::add))
        .with_state(notes::State {
            verifier,
            proofs: Arc::new(dpop::Proofs::new(public_url)),
            notes: Arc::default(),
        })
}
