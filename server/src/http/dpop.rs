//! DPoP over HTTP (RFC 9449): the `DPoP` header a request carries, the
//! binding between an access token and the key that proves it, and the
//! `WWW-Authenticate: DPoP` challenge of a refusal.
//!
//! The token endpoint and the resolver both come here: the one asks for the
//! key a request proved (to bind what it issues), the other also for
//! whether the token it carries is bound to that key.

use http::{HeaderMap, HeaderName, HeaderValue};

use super::credentials::Carrier;
use crate::auth::dpop::{Jkt, ProofError, ALGS};
use crate::auth::Identity;
use crate::{AppState, Result};

/// The request header that carries a proof.
pub static DPOP: HeaderName = HeaderName::from_static("dpop");
/// The response header that hands out a nonce (RFC 9449 §8).
pub static DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

/// Hands the current nonce to a client that sent DPoP, when nonces are on
/// (on every answer to it, refusals included, so it always holds a fresh
/// one).
pub fn hand_out_nonce(state: &AppState, response: &mut axum::response::Response) {
    if let Some(value) = state
        .dpop
        .nonce()
        .and_then(|n| HeaderValue::from_str(&n).ok())
    {
        response.headers_mut().insert(&DPOP_NONCE, value);
    }
}

/// Why the resolver refused a request's DPoP proof or the token's binding,
/// kept in the request extensions for the `401` ([`challenge`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DpopRefusal {
    /// `invalid_dpop_proof` or `invalid_token`.
    pub error: &'static str,
    pub description: String,
}

impl From<ProofError> for DpopRefusal {
    fn from(e: ProofError) -> Self {
        DpopRefusal {
            error: e.code(),
            description: e.description().into(),
        }
    }
}

/// The key the request's `DPoP` proof names, checked against the request
/// (`method`, `path`) and the access token it carries; `Ok(Ok(None))`: no
/// proof was sent. `Err`: the store that remembers proofs did not answer.
pub async fn proved_key(
    state: &AppState,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    access_token: Option<&str>,
) -> Result<std::result::Result<Option<Jkt>, ProofError>> {
    let mut proofs = headers.get_all(&DPOP).iter();
    let Some(proof) = proofs.next() else {
        return Ok(Ok(None));
    };
    if proofs.next().is_some() {
        return Ok(Err(ProofError::NotOne));
    }
    let Ok(proof) = proof.to_str() else {
        return Ok(Err(ProofError::Malformed));
    };
    let checked = state.dpop.verify(proof, method, path, access_token).await?;
    Ok(checked.map(Some))
}

/// Whether the token of `identity`, carried by `carrier` with a proof of
/// `proved` (if any), may stand for the request: a bound token only as
/// `DPoP` with a proof by its key, an unbound one never as `DPoP` (its
/// client would believe it protected).
pub fn binding(
    identity: &Identity,
    carrier: Carrier,
    proved: Option<&Jkt>,
) -> std::result::Result<(), DpopRefusal> {
    let refuse = |description: &str| {
        Err(DpopRefusal {
            error: "invalid_token",
            description: description.into(),
        })
    };
    match (&identity.bound_to, carrier) {
        (Some(bound), Carrier::Dpop) if proved == Some(bound) => Ok(()),
        (Some(_), Carrier::Dpop) => {
            refuse("The access token is bound to another key than the DPoP proof's.")
        }
        (Some(_), _) => refuse(
            "The access token is bound to a key: send it as Authorization: DPoP with a DPoP \
             proof signed by that key.",
        ),
        (None, Carrier::Dpop) => {
            refuse("The access token is not bound to a key: send it as Authorization: Bearer.")
        }
        (None, _) => Ok(()),
    }
}

/// The `WWW-Authenticate` value of a DPoP refusal (RFC 9449 §7.1): the
/// algorithms a proof may use, and the error.
pub fn challenge(refusal: &DpopRefusal) -> HeaderValue {
    let value = format!(
        r#"DPoP algs="{}", error="{}", error_description="{}""#,
        ALGS.join(" "),
        refusal.error,
        refusal.description.replace('"', "'"),
    );
    HeaderValue::from_str(&value)
        .unwrap_or_else(|_| HeaderValue::from_static(r#"DPoP error="invalid_token""#))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Caller;

    fn identity(bound_to: Option<&str>) -> Identity {
        let Caller::User(i) = Caller::signed_in_at(0) else {
            unreachable!()
        };
        let mut identity = (*i).clone();
        identity.bound_to = bound_to.map(|k| Jkt::from_stored(k.into()));
        identity
    }

    #[test]
    fn a_bound_token_stands_only_as_dpop_with_a_proof_by_its_key() {
        let key = Jkt::from_stored("k1".into());
        let other = Jkt::from_stored("k2".into());
        let bound = identity(Some("k1"));
        assert_eq!(binding(&bound, Carrier::Dpop, Some(&key)), Ok(()));
        for (carrier, proved) in [
            (Carrier::Dpop, Some(&other)),
            (Carrier::Dpop, None),
            (Carrier::Bearer, Some(&key)),
            (Carrier::Bearer, None),
            (Carrier::Cookies, None),
        ] {
            let refused = binding(&bound, carrier, proved).unwrap_err();
            assert_eq!(refused.error, "invalid_token", "{carrier:?} {proved:?}");
        }
    }

    #[test]
    fn an_unbound_token_stands_as_bearer_or_cookie_never_as_dpop() {
        let plain = identity(None);
        let key = Jkt::from_stored("k1".into());
        assert_eq!(binding(&plain, Carrier::Bearer, None), Ok(()));
        assert_eq!(binding(&plain, Carrier::Cookies, None), Ok(()));
        assert!(binding(&plain, Carrier::Dpop, Some(&key)).is_err());
    }

    #[test]
    fn the_challenge_names_the_algorithms_and_the_error() {
        let c = challenge(&DpopRefusal {
            error: "invalid_dpop_proof",
            description: "The \"htu\" is wrong.".into(),
        });
        let c = c.to_str().unwrap();
        assert!(
            c.starts_with(r#"DPoP algs="ES256 EdDSA Ed25519", error="invalid_dpop_proof""#),
            "{c}"
        );
        assert!(c.contains("The 'htu' is wrong."), "{c}");
    }
}
