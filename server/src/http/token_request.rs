//! What a request to the token or device endpoint says: its parameters,
//! form-encoded or JSON, and what it asks of the tokens (the service they
//! are for, the key a DPoP proof proved).

use axum::body::Bytes;
use axum::response::Response;
use http::{header, HeaderMap, StatusCode};
use serde::Deserialize;

use super::oauth_answers::{oauth_error, server_error};
use crate::auth::ClientMeta;
use crate::AppState;

/// The fields the token, revocation and device endpoints read.
#[derive(Debug, Default, Deserialize)]
pub(super) struct TokenRequest {
    pub grant_type: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub refresh_token: Option<String>,
    pub token: Option<String>,
    /// The resource server the tokens are for (RFC 8707).
    pub resource: Option<String>,
    /// The device grant's: the app's name, and the code it polls with.
    pub client_id: Option<String>,
    pub device_code: Option<String>,
    /// Asked for by generic OAuth clients; this server has no scopes, so
    /// it is read and not acted on.
    #[allow(dead_code)]
    scope: Option<String>,
}

/// Reads what a token request asks of the tokens into `client`: the
/// service they are for (`resource`, one this server issues tokens for)
/// and the key a `DPoP` proof for `path` proved. The answer to send
/// instead when either is wrong. Session mode reads neither.
pub(super) async fn read_terms(
    state: &AppState,
    headers: &HeaderMap,
    req: &TokenRequest,
    path: &str,
    client: &mut ClientMeta,
) -> Result<(), Response> {
    let Some(jwt) = state.auth.tokens() else {
        return Ok(());
    };
    if let Some(resource) = &req.resource {
        let resource = resource.trim_end_matches('/');
        if !jwt.keys().serves(resource) {
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_target",
                &format!("{resource:?} is not a service this server issues tokens for."),
            ));
        }
        client.resource = Some(resource.to_string());
    }
    client.key = match super::dpop::proved_key(state, headers, "POST", path, None).await {
        Ok(Ok(key)) => key,
        Ok(Err(refused)) => {
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                refused.code(),
                refused.description(),
            ))
        }
        Err(e) => return Err(server_error(e)),
    };
    Ok(())
}

/// The request's parameters, or what is wrong with the request.
pub(super) fn parse(headers: &HeaderMap, body: &Bytes) -> Result<TokenRequest, String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let parsed = if content_type.starts_with("application/json") {
        serde_json::from_slice::<TokenRequest>(body).map_err(|e| e.to_string())
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        // RFC 8707 allows several `resource` parameters; a token here is
        // for one service.
        let resources = form_urlencoded::parse(body)
            .filter(|(name, _)| name == "resource")
            .count();
        if resources > 1 {
            return Err("Ask for one resource per token request.".into());
        }
        serde_urlencoded::from_bytes::<TokenRequest>(body).map_err(|e| e.to_string())
    } else {
        return Err(
            "Send the parameters as application/x-www-form-urlencoded or application/json.".into(),
        );
    };
    parsed.map_err(|e| format!("The request body could not be read: {e}."))
}
