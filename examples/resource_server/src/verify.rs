//! The two ways to check a Latchkey access token: by signature with the
//! cached public keys, or by asking the issuer (introspection).

use std::time::Duration;

use jsonwebtoken::{decode, decode_header, Algorithm, Validation};
use serde::Deserialize;

use crate::discovery::{discover, Metadata};
use crate::jwks::KeyCache;

/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds (the issuer's
/// own).
const LEEWAY: u64 = 5;

/// How tokens are checked.
pub enum Check {
    /// With the issuer's published keys; no request to the issuer.
    Signature(KeyCache),
    /// By the issuer, on every request (RFC 7662).
    Introspection {
        endpoint: String,
        client: String,
        secret: String,
    },
}

/// Who a valid token speaks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub sub: String,
    pub username: String,
    /// The thumbprint of the key the token is bound to (`cnf.jkt`).
    pub bound_to: Option<String>,
}

/// Why a request is not served.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The token is not valid (401).
    Invalid,
    /// The issuer could not be asked (503).
    IssuerUnavailable(String),
}

/// Checks tokens for one issuer and audience. A token bound to a client's
/// key (DPoP, RFC 9449: a `cnf` claim) says so in [`Caller::bound_to`]: the
/// request must then prove the key ([`crate::dpop`]).
pub struct Verifier {
    http: reqwest::Client,
    issuer: String,
    audience: String,
    pub check: Check,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    username: String,
    /// The key a DPoP-bound token is bound to (RFC 9449 §6).
    cnf: Option<Confirmation>,
}

/// A `cnf` claim: the thumbprint of the key a token is bound to.
#[derive(Deserialize)]
struct Confirmation {
    jkt: String,
}

#[derive(Deserialize)]
struct Introspected {
    active: bool,
    sub: Option<String>,
    username: Option<String>,
    aud: Option<String>,
    cnf: Option<Confirmation>,
}

impl Verifier {
    /// Reads `issuer`'s metadata and prepares the check: the key set, or,
    /// with `introspect` (a client name and secret), the introspection
    /// endpoint.
    pub async fn connect(
        issuer: &str,
        audience: &str,
        introspect: Option<(String, String)>,
        cooldown: Duration,
    ) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| e.to_string())?;
        let Metadata {
            issuer,
            jwks_uri,
            introspection_endpoint,
        } = discover(&http, issuer).await?;
        let check = match introspect {
            Some((client, secret)) => Check::Introspection {
                endpoint: introspection_endpoint
                    .ok_or("the issuer offers no introspection endpoint")?,
                client,
                secret,
            },
            None => {
                let uri =
                    jwks_uri.ok_or("the issuer publishes no keys (jwks_uri): is it EdDSA?")?;
                Check::Signature(KeyCache::new(http.clone(), uri, cooldown).await?)
            }
        };
        Ok(Verifier {
            http,
            issuer,
            audience: audience.into(),
            check,
        })
    }

    /// Who `token` speaks for, if it is valid.
    pub async fn verify(&self, token: &str) -> Result<Caller, Refusal> {
        match &self.check {
            Check::Signature(keys) => self.by_signature(keys, token).await,
            Check::Introspection {
                endpoint,
                client,
                secret,
            } => self.by_introspection(endpoint, client, secret, token).await,
        }
    }

    async fn by_signature(&self, keys: &KeyCache, token: &str) -> Result<Caller, Refusal> {
        let header = decode_header(token).map_err(|_| Refusal::Invalid)?;
        // The algorithm is ours to choose, never the token's (RFC 8725).
        if header.alg != Algorithm::EdDSA || header.typ.as_deref() != Some("at+jwt") {
            return Err(Refusal::Invalid);
        }
        let kid = header.kid.ok_or(Refusal::Invalid)?;
        let key = keys.key(&kid).await.ok_or(Refusal::Invalid)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY;
        let claims = decode::<Claims>(token, &key, &validation)
            .map_err(|_| Refusal::Invalid)?
            .claims;
        Ok(Caller {
            sub: claims.sub,
            username: claims.username,
            bound_to: claims.cnf.map(|c| c.jkt),
        })
    }

    async fn by_introspection(
        &self,
        endpoint: &str,
        client: &str,
        secret: &str,
        token: &str,
    ) -> Result<Caller, Refusal> {
        let unavailable = |e: String| Refusal::IssuerUnavailable(e);
        let res = self
            .http
            .post(endpoint)
            .basic_auth(client, Some(secret))
            .form(&[("token", token), ("token_type_hint", "access_token")])
            .send()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if !res.status().is_success() {
            return Err(unavailable(format!(
                "introspection answered {}",
                res.status()
            )));
        }
        let answer: Introspected = res.json().await.map_err(|e| unavailable(e.to_string()))?;
        match answer {
            // Active is not enough: the token must be for this service, or
            // one handed to any other service could be replayed here.
            Introspected {
                active: true,
                sub: Some(sub),
                username: Some(username),
                aud: Some(aud),
                cnf,
            } if aud == self.audience => Ok(Caller {
                sub,
                username,
                bound_to: cnf.map(|c| c.jkt),
            }),
            _ => Err(Refusal::Invalid),
        }
    }
}
