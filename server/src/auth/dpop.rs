//! DPoP (RFC 9449): tokens bound to a key the client holds, so a stolen
//! token is worth nothing without the private key.
//!
//! A client that sends a `DPoP` proof (a JWT it signs with its own key,
//! naming the request's method and URL) to the token endpoint gets an access
//! token whose `cnf.jkt` names that key (its RFC 7638 thumbprint, [`Jkt`]),
//! and a refresh family bound to it. From then on every request with the
//! token carries a fresh proof by the same key, and the refresh token is
//! refused without one. A bearer token is whoever holds it; a bound one is
//! only its client.
//!
//! [`Dpop::verify`] is the one interface: a proof against a request (and the
//! access token it comes with). It runs [`check`] (the `dpop-proof` crate:
//! the checks of RFC 9449 §4.3, pure, listed in its doc; the example
//! resource server uses it too), on this server's configured public origin
//! (never the request's `Host`) with [`MAX_AGE`] and the clock leeway, then
//! the one check that needs state: the proof's `jti` was not seen before
//! while the proof is fresh ([`replay::SeenProofs`], in the shared store, so
//! a proof replayed at another instance is refused too). The store not
//! answering refuses the request (`503`): a proof is never accepted
//! unchecked. Left to the transport: exactly one `DPoP` header, and
//! comparing the thumbprint with the token's `cnf.jkt`
//! ([`crate::http::dpop`]).
//!
//! With `LATCHKEY_DPOP_NONCES` on, a proof must also carry a nonce this
//! server handed out lately ([`nonce`], RFC 9449 §8).
//!
//! Why our own code: no established Rust crate verifies DPoP proofs
//! (`jsonwebtoken` leaves it to its users), and the check is mostly claim
//! bookkeeping. The cryptography is not ours: the signature is verified by
//! `jsonwebtoken`. A differential test checks proofs made by an independent
//! implementation (panva's `dpop` and `jose`, `tools/dpop-fixtures`).

pub mod nonce;
mod replay;

pub use dpop_proof::{
    check, Claim, Expected, Jkt, ProofError, VerifiedProof, Window, ALGS, MAX_PROOF_LEN,
};

use crate::clock::{Clock, LEEWAY};
use crate::shared_store::SharedStore;
use crate::Result;

/// How long a proof stays acceptable after its `iat`, in seconds. A proof is
/// made for one request and sent at once; a minute allows for a slow network
/// and is how long its `jti` is remembered.
pub const MAX_AGE: i64 = 60;

/// The proof checker of this server: its public origin (the URL a proof's
/// `htu` must name, never taken from a request's `Host`), its time window,
/// the proofs seen lately, and the nonces proofs must carry, if on.
#[derive(Clone, Debug)]
pub struct Dpop {
    origin: String,
    window: Window,
    seen: replay::SeenProofs,
    nonces: Option<nonce::Nonces>,
    clock: Clock,
}

impl Dpop {
    /// A checker for requests to `origin` (scheme, host and port, no
    /// trailing slash), remembering proofs in `store`.
    pub fn new(origin: &str, store: &SharedStore, clock: Clock) -> Self {
        Dpop {
            origin: origin.trim_end_matches('/').to_string(),
            window: Window {
                max_age: MAX_AGE,
                leeway: LEEWAY,
            },
            seen: replay::SeenProofs::new(store),
            nonces: None,
            clock,
        }
    }

    /// The same checker, demanding server nonces from `nonces`.
    pub fn with_nonces(self, nonces: nonce::Nonces) -> Self {
        Dpop {
            nonces: Some(nonces),
            ..self
        }
    }

    /// The nonce to hand out now (the `DPoP-Nonce` header), if nonces are
    /// on.
    pub fn nonce(&self) -> Option<String> {
        let now = self.clock.now();
        self.nonces.as_ref().map(|n| n.current(now))
    }

    /// The origin a proof's `htu` must start with.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Checks `proof` for a request with `method` to `path` (the URL's path,
    /// no query), carrying `access_token` if it presents one; the thumbprint
    /// of the key that signed it, or why it is refused. `Err`: the store
    /// that remembers proofs did not answer.
    pub async fn verify(
        &self,
        proof: &str,
        method: &str,
        path: &str,
        access_token: Option<&str>,
    ) -> Result<std::result::Result<Jkt, ProofError>> {
        let url = format!("{}{}", self.origin, path);
        let now = self.clock.now();
        let current = self.nonces.as_ref().map(|n| n.current(now));
        let expected = Expected {
            method,
            url: &url,
            access_token,
            nonce: current.as_deref(),
        };
        let checked = match (check(proof, &expected, self.window, now), &self.nonces) {
            // The nonce of the window before is still good: check again
            // with it (the one case that costs a second verification).
            (Err(ProofError::NonceWrong), Some(nonces)) => {
                let previous = nonces.previous(now);
                let expected = Expected {
                    nonce: Some(&previous),
                    ..expected
                };
                check(proof, &expected, self.window, now)
            }
            (checked, _) => checked,
        };
        let verified = match checked {
            Ok(v) => v,
            Err(e) => return Ok(Err(e)),
        };
        // Remembered until the proof could no longer pass the time check.
        let until = verified
            .iat
            .saturating_add(self.window.max_age + self.window.leeway + 1);
        if !self
            .seen
            .first_use(&verified.jkt, &verified.jti, now, until)
            .await?
        {
            return Ok(Err(ProofError::Replayed));
        }
        Ok(Ok(verified.jkt))
    }

    /// Deletes the remembered proofs that can no longer pass (the database;
    /// Redis expires its own); how many.
    pub async fn purge(&self) -> Result<u64> {
        self.seen.purge(self.clock.now()).await
    }
}
