//! JWT mode: the access token opened into its parts, why the server
//! refuses a token, and the tamper control's verdict.

use views::format::utc;
use views::inspect::{TamperView, TokenView};

use super::token;
use crate::auth::jwt::claims::TokenError;
use crate::auth::{AccessToken, Auth, AuthBackend, Credential, JwtBackend};

fn pretty(value: Option<serde_json::Value>) -> String {
    value
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| "(does not decode to JSON)".into())
}

pub(super) fn opened(jwt: &JwtBackend, token: &str) -> Option<TokenView> {
    let opened = token::open(token)?;
    let header = opened.header.clone();
    let exp = opened
        .payload
        .as_ref()
        .and_then(|p| p.get("exp"))
        .and_then(|e| e.as_i64());
    let (valid, status) = match jwt.valid_claims(token) {
        Ok(_) => {
            let field = |name: &str| {
                header
                    .as_ref()
                    .and_then(|h| h.get(name))
                    .and_then(|v| v.as_str())
                    .unwrap_or("?")
                    .to_string()
            };
            let status = format!(
                "Valid: signed with key {} ({}), checked against this server's keys alone; \
                 no store was asked.",
                field("kid"),
                field("alg")
            );
            (true, status)
        }
        Err(e) => (false, refused_because(jwt, e, token)),
    };
    Some(TokenView {
        header: pretty(opened.header),
        payload: pretty(opened.payload),
        part_chars: opened.part_chars,
        signature_bytes: opened.signature_bytes,
        valid,
        status,
        exp,
    })
}

/// Why the server refuses `token`. The revocation set is asked only about
/// a token whose signature verified ([`JwtBackend::signed_sid`]).
pub(super) fn refused_because(jwt: &JwtBackend, e: TokenError, token: &str) -> String {
    let sid = jwt.signed_sid(token);
    match (e, sid.and_then(|s| jwt.revocations().revoked_at(&s))) {
        (TokenError::Expired, _) => "Refused: it expired.".into(),
        (_, Some(at)) => format!(
            "Refused: its device session was revoked at {} and is in the revocation set.",
            utc(at)
        ),
        (TokenError::Invalid, None) => {
            "Refused: the signature does not match the header and payload, or a claim is wrong."
                .into()
        }
    }
}

pub(super) async fn tampered(auth: &Auth, jwt: &JwtBackend, token: &str) -> Option<TamperView> {
    let t = token::tamper(token)?;
    let accepted = matches!(
        auth.authenticate(&Credential::Access(AccessToken::new(&t.token)))
            .await,
        Ok(Some(_))
    );
    let verdict = match jwt.valid_claims(&t.token) {
        Ok(_) => "Accepted.".to_string(),
        Err(TokenError::Expired) => "Refused (401): it expired.".to_string(),
        Err(TokenError::Invalid) => {
            "Refused (401 invalid_token): the signature was made over the original payload, \
             so it no longer matches. Reading a token needs no key; changing one does."
                .to_string()
        }
    };
    Some(TamperView {
        position: t.position,
        was: t.was,
        now: t.now,
        payload: t.payload,
        accepted,
        verdict,
    })
}
