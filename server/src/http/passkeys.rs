//! The passkey endpoints (WebAuthn), JSON in the shapes of WebAuthn Level
//! 3's `toJSON()` (base64url fields), so a page hands the browser's
//! objects over as they are and a script can do the same.
//!
//! Public:
//! - `POST /auth/passkeys/authentication/options` → `{"publicKey": …}`
//!   (no `allowCredentials`: any passkey of this site) and the ceremony
//!   cookie;
//! - `POST /auth/passkeys/authentication` (`{"credential": …, "remember":
//!   bool}`) → signed in as a password sign-in would be (the session
//!   cookie, or the access and refresh cookies) and `{"username"}`. Every
//!   refusal is the same `401 passkey_refused`; throttled: `429`.
//!
//! Signed in:
//! - `POST /auth/passkeys/registration/options` (`{"confirm_password"?}`)
//!   → `{"publicKey": …}` and the ceremony cookie. A sensitive action: a
//!   sign-in older than the re-authentication window sends the password
//!   along (a page's confirmation step), or gets `401
//!   insufficient_user_authentication` with `max_age` (RFC 9470);
//! - `POST /auth/passkeys/registration` (`{"credential": …, "name"}`) →
//!   `201 {"passkey": …}`;
//! - `GET /api/passkeys` → `{"passkeys": […]}`;
//! - `PATCH /api/passkeys/{id}` (`{"name"}`) → `204`;
//! - `DELETE /api/passkeys/{id}` → `204` (sensitive: `SignedIn<RECENTLY>`).
//!
//! A ceremony's state stays on the server; the browser holds only its id,
//! in a `__Host-`, `HttpOnly`, `SameSite=Strict` cookie that lives as long
//! as the ceremony, dropped when the answer comes.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use http::{header, HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use tower_cookies::Cookies;
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use super::account_api::failure;
use super::cookies::{self, CEREMONY_COOKIE};
use super::credentials;
use super::signed_in::{NotAllowed, SignedIn, RECENTLY};
use crate::accounts::{self, Options};
use crate::auth::{Caller, ClientMeta, Denied, Identity};
use crate::AppState;

/// A request body that is not what the endpoint takes: `400`, `415` or
/// `422`, saying what it should have been.
struct BadBody(StatusCode, String);

impl IntoResponse for BadBody {
    fn into_response(self) -> Response {
        let body = json!({ "error": "invalid_request", "message": self.1 });
        (self.0, Json(body)).into_response()
    }
}

/// The body a handler expects, or why not.
fn body<T: DeserializeOwned>(
    body: Result<Json<T>, JsonRejection>,
    expected: &str,
) -> Result<T, BadBody> {
    body.map(|Json(b)| b).map_err(|rejected| {
        let message = format!(
            "Send a JSON object with {expected} ({}).",
            rejected.body_text()
        );
        BadBody(rejected.status(), message)
    })
}

/// Options for the browser, and the ceremony cookie.
fn options(jar: &Cookies, made: Options) -> Response {
    jar.add(cookies::ceremony_cookie(made.ceremony));
    Json(made.options).into_response()
}

/// The ceremony the browser names, and the cookie dropped: one answer per
/// ceremony, right or wrong.
fn ceremony(jar: &Cookies) -> String {
    let id = jar
        .get(CEREMONY_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    jar.add(cookies::removal(CEREMONY_COOKIE));
    id
}

/// `POST /auth/passkeys/authentication/options`.
pub async fn authentication_options(State(state): State<AppState>, jar: Cookies) -> Response {
    match accounts::passkey_sign_in_options(&state).await {
        Ok(made) => options(&jar, made),
        Err(e) => failure(e),
    }
}

/// The body of `POST /auth/passkeys/authentication`.
#[derive(Debug, Deserialize)]
pub struct Assertion {
    credential: PublicKeyCredential,
    /// "Keep me signed in".
    #[serde(default)]
    remember: bool,
}

/// `POST /auth/passkeys/authentication`.
pub async fn authenticate(
    State(state): State<AppState>,
    Extension(client): Extension<ClientMeta>,
    jar: Cookies,
    sent: Result<Json<Assertion>, JsonRejection>,
) -> Response {
    let ceremony = ceremony(&jar);
    let assertion = match body(sent, "credential (the passkey's answer) and remember") {
        Ok(a) => a,
        Err(bad) => return bad.into_response(),
    };
    let presented = credentials::from_cookies(&jar);
    let signed_in = accounts::passkey_sign_in(
        &state,
        &ceremony,
        &assertion.credential,
        &client,
        &presented,
        assertion.remember,
    );
    match signed_in.await {
        Ok(issued) => {
            credentials::set_cookies(&jar, &issued);
            let username = issued.identity().username.clone();
            Json(json!({ "username": username })).into_response()
        }
        Err(e) => failure(e),
    }
}

/// The body of `POST /auth/passkeys/registration/options`.
#[derive(Debug, Default, Deserialize)]
pub struct Confirmation {
    confirm_password: Option<String>,
}

/// `POST /auth/passkeys/registration/options`.
pub async fn registration_options(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Extension(client): Extension<ClientMeta>,
    headers: HeaderMap,
    jar: Cookies,
    sent: Option<Json<Confirmation>>,
) -> Response {
    let caller = caller.map_or(Caller::Anonymous, |Extension(c)| c);
    let password = sent.and_then(|Json(c)| c.confirm_password);
    let identity = match recently_proved(&state, &caller, password, &client, &headers).await {
        Ok(identity) => identity,
        Err(bad) => return bad.into_response(),
    };
    match accounts::passkey_registration_options(&state, &identity).await {
        Ok(made) => options(&jar, made),
        Err(e) => failure(e),
    }
}

/// The caller, if they proved who they are within the re-authentication
/// window or prove it now with `password` (a page's confirmation step);
/// else the answer `SignedIn<RECENTLY>` gives.
async fn recently_proved(
    state: &AppState,
    caller: &Caller,
    password: Option<String>,
    client: &ClientMeta,
    headers: &HeaderMap,
) -> Result<Arc<Identity>, Response> {
    let refused = |denied| {
        NotAllowed {
            denied,
            token_sent: headers.contains_key(header::AUTHORIZATION),
            dpop: None,
            max_age: Some(state.reauth.secs()),
        }
        .into_response()
    };
    match caller.require(state.reauth.proof()) {
        Ok(identity) => Ok(identity.clone()),
        Err(Denied::ProveAgain { .. }) if password.is_some() => {
            let identity = caller.require(crate::auth::Proof::Any).map_err(refused)?;
            match accounts::confirm(state, identity, password, client).await {
                Ok(()) => Ok(identity.clone()),
                Err(e) => Err(failure(e)),
            }
        }
        Err(denied) => Err(refused(denied)),
    }
}

/// The body of `POST /auth/passkeys/registration`.
#[derive(Debug, Deserialize)]
pub struct Attestation {
    credential: RegisterPublicKeyCredential,
    #[serde(default)]
    name: String,
}

/// `POST /auth/passkeys/registration`.
pub async fn register(
    State(state): State<AppState>,
    SignedIn(identity): SignedIn,
    Extension(client): Extension<ClientMeta>,
    jar: Cookies,
    sent: Result<Json<Attestation>, JsonRejection>,
) -> Response {
    let ceremony = ceremony(&jar);
    let attestation = match body(sent, "credential (the new passkey) and name") {
        Ok(a) => a,
        Err(bad) => return bad.into_response(),
    };
    let added = accounts::add_passkey(
        &state,
        &identity,
        &ceremony,
        &attestation.credential,
        &attestation.name,
        &client,
    );
    match added.await {
        Ok(passkey) => (StatusCode::CREATED, Json(json!({ "passkey": passkey }))).into_response(),
        Err(e) => failure(e),
    }
}

/// `GET /api/passkeys`.
pub async fn list(State(state): State<AppState>, SignedIn(identity): SignedIn) -> Response {
    match accounts::passkeys(&state, &identity).await {
        Ok(passkeys) => Json(json!({ "passkeys": passkeys })).into_response(),
        Err(e) => failure(e),
    }
}

/// The body of `PATCH /api/passkeys/{id}`.
#[derive(Debug, Deserialize)]
pub struct Rename {
    name: String,
}

/// `PATCH /api/passkeys/{id}`.
pub async fn rename(
    State(state): State<AppState>,
    SignedIn(identity): SignedIn,
    Path(id): Path<String>,
    sent: Result<Json<Rename>, JsonRejection>,
) -> Response {
    let rename = match body(sent, "name") {
        Ok(r) => r,
        Err(bad) => return bad.into_response(),
    };
    match accounts::rename_passkey(&state, &identity, &id, &rename.name).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => failure(e),
    }
}

/// `DELETE /api/passkeys/{id}`.
pub async fn remove(
    State(state): State<AppState>,
    SignedIn(identity): SignedIn<RECENTLY>,
    Extension(client): Extension<ClientMeta>,
    Path(id): Path<String>,
) -> Response {
    match accounts::remove_passkey(&state, &identity, &id, &client).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => failure(e),
    }
}
