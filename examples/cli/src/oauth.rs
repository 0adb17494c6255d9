//! The OAuth exchanges with Latchkey and what their errors mean to a user.
//!
//! Sign-in is the device authorization grant (RFC 8628): start at
//! `/auth/device`, then poll `/auth/token` at the pace the server sets
//! until the user approves or refuses in a browser. Refresh (RFC 6749 §6)
//! and revocation (RFC 7009) go to `/auth/token` and `/auth/revoke`. Each
//! request carries a DPoP proof ([`Client`]), so what is issued is bound to
//! the CLI's key.
//!
//! The decisions (keep polling? what to tell the user?) are functions of one
//! [`Reply`], apart from the requests, so they are tested without a server.

use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::base::Fail;
use crate::client::{endpoint, Client, Reply};

/// The client id Latchkey knows this CLI by.
pub const CLIENT_ID: &str = "latchkey-cli";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The answer of the device authorization endpoint (RFC 8628 §3.2).
#[derive(Debug, Deserialize)]
pub struct DeviceAuthorization {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: u64,
    /// Seconds between polls; RFC 8628 §3.2 says 5 when absent.
    pub interval: Option<u64>,
}

/// A successful token endpoint answer (RFC 6749 §5.1).
#[derive(Debug, PartialEq, Eq, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: Option<i64>,
    pub refresh_token: Option<String>,
}

/// An OAuth error body (RFC 6749 §5.2, RFC 8628 §3.5).
#[derive(Debug, PartialEq, Eq, Deserialize)]
pub struct OAuthError {
    pub error: String,
    pub error_description: Option<String>,
}

impl OAuthError {
    pub fn parse(body: &str) -> Option<OAuthError> {
        serde_json::from_str(body).ok()
    }
}

/// Where a device-flow poll leaves the sign-in (RFC 8628 §3.5).
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// `authorization_pending`: the user has not answered yet.
    Again,
    /// `slow_down`: poll 5 seconds less often from now on.
    Slower,
    Done(TokenResponse),
}

/// What one poll's answer means; an `Err` ends the sign-in.
pub fn poll_step(reply: &Reply) -> Result<Step, Fail> {
    let Some(e) = OAuthError::parse(&reply.body).filter(|_| reply.status == 400) else {
        return token_response(reply, "the token request").map(Step::Done);
    };
    match e.error.as_str() {
        "authorization_pending" => Ok(Step::Again),
        "slow_down" => Ok(Step::Slower),
        "access_denied" => Err(Fail("The sign-in was denied.".into())),
        "expired_token" => Err(expired()),
        _ => Err(Fail(e.error_description.unwrap_or(e.error))),
    }
}

fn expired() -> Fail {
    Fail("The code expired before it was approved; run `latchkey-cli login` again.".into())
}

/// What a refresh answer means: `invalid_grant` is a sign-in that ended
/// (revoked, expired, or the refresh token was used twice).
pub fn refresh_answer(reply: &Reply) -> Result<TokenResponse, Fail> {
    match OAuthError::parse(&reply.body) {
        Some(e) if e.error == "invalid_grant" => Err(Fail(
            "Your sign-in has ended; run `latchkey-cli login` again.".into(),
        )),
        _ => token_response(reply, "the refresh request"),
    }
}

/// A token answer, refused unless DPoP-bound: this client would send any
/// other kind as `DPoP`, and be refused at every call.
fn token_response(reply: &Reply, what: &str) -> Result<TokenResponse, Fail> {
    let tokens: TokenResponse = reply.json(what)?;
    if !tokens.token_type.eq_ignore_ascii_case("DPoP") {
        return Err(Fail(format!(
            "The server issued a {} token, not a DPoP-bound one.",
            tokens.token_type
        )));
    }
    Ok(tokens)
}

/// Starts a device authorization (RFC 8628 §3.1).
pub fn start_device(
    client: &mut Client,
    server: &str,
    resource: Option<&str>,
) -> Result<DeviceAuthorization, Fail> {
    let mut form = vec![("client_id", CLIENT_ID)];
    form.extend(resource.map(|r| ("resource", r)));
    let reply = client.post_form(&endpoint(server, "/auth/device")?, &form)?;
    reply.json("the device authorization request")
}

/// Polls the token endpoint until the user approves or refuses (§3.4), or
/// the code expires.
pub fn await_approval(
    client: &mut Client,
    server: &str,
    device: &DeviceAuthorization,
) -> Result<TokenResponse, Fail> {
    let url = endpoint(server, "/auth/token")?;
    let deadline = Instant::now() + Duration::from_secs(device.expires_in);
    // At least a second: an interval of 0 would hammer the server.
    let mut interval = device.interval.unwrap_or(5).max(1);
    let form = [
        ("grant_type", DEVICE_GRANT),
        ("device_code", device.device_code.as_str()),
        ("client_id", CLIENT_ID),
    ];
    loop {
        std::thread::sleep(Duration::from_secs(interval));
        // The server says `expired_token` too; this covers one that does not.
        if Instant::now() >= deadline {
            return Err(expired());
        }
        match poll_step(&client.post_form(&url, &form)?)? {
            Step::Again => {}
            Step::Slower => interval += 5,
            Step::Done(tokens) => return Ok(tokens),
        }
    }
}

/// Trades the refresh token for a new pair (RFC 6749 §6), for the same
/// `resource` (RFC 8707) as at login.
pub fn refresh(
    client: &mut Client,
    server: &str,
    refresh_token: &str,
    resource: Option<&str>,
) -> Result<TokenResponse, Fail> {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", CLIENT_ID),
    ];
    form.extend(resource.map(|r| ("resource", r)));
    refresh_answer(&client.post_form(&endpoint(server, "/auth/token")?, &form)?)
}

/// Revokes `token` (RFC 7009); `hint` is its kind. The server answers 200
/// whether or not it knew the token, so anything else is an error.
pub fn revoke(client: &mut Client, server: &str, token: &str, hint: &str) -> Result<(), Fail> {
    let form = [
        ("token", token),
        ("token_type_hint", hint),
        ("client_id", CLIENT_ID),
    ];
    let reply = client.post_form(&endpoint(server, "/auth/revoke")?, &form)?;
    reply.success().map(drop)
}

#[cfg(test)]
mod tests;
