//! The adversarial suite: what an attacker sends, in both modes and over both
//! transports (`Authorization: Bearer` and the cookie).
//!
//! Every forged token is built from a real one and re-signed where the attack
//! needs a valid signature; a control token built the same way, unmodified,
//! must be accepted, so a refusal here means the defence held and not that
//! the forging was broken. The cross-site matrix, `next=` payloads and
//! session fixation live in `cross_site`, `inputs` and the conformance suite.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

use super::*;

const ACCESS: &str = "__Host-latchkey_access";
const REFRESH: &str = "__Host-latchkey_refresh";
const SESSION: &str = "__Host-latchkey_session";

/// The JSON of a token segment.
fn segment(token: &str, i: usize) -> Value {
    let part = token.split('.').nth(i).expect("a JWT segment");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The status of `/api/me` with `token` as a Bearer header and, separately,
/// as the credential cookie of the app's mode.
async fn present(app: &TestApp, token: &str) -> [(&'static str, StatusCode); 2] {
    let bearer = app
        .get_with_auth("/api/me", &format!("Bearer {token}"))
        .await
        .status;
    let b = app.browser();
    let name = if app.is_jwt() { ACCESS } else { SESSION };
    b.set_cookies(BTreeMap::from([(name.to_string(), token.to_string())]));
    let cookie = b.get("/api/me").await.status;
    [("bearer", bearer), ("cookie", cookie)]
}

/// Asserts `token` is refused over both transports, and never with a 5xx.
async fn assert_refused(app: &TestApp, case: &str, token: &str) {
    for (transport, status) in present(app, token).await {
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{case} over {transport} was not refused"
        );
    }
}

/// Asserts `token` is accepted over both transports (controls).
async fn assert_accepted(app: &TestApp, case: &str, token: &str) {
    for (transport, status) in present(app, token).await {
        assert_eq!(status, StatusCode::OK, "control {case} over {transport}");
    }
}

#[path = "adversarial/accounts.rs"]
mod accounts;
#[path = "adversarial/forged.rs"]
mod forged;
#[path = "adversarial/forgery.rs"]
mod forgery;
