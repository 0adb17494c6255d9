//! Tokens from the token endpoint, as API clients get them.

use http::StatusCode;

use super::TestApp;

/// `POST /auth/token` with the password grant for `alice`; the JSON reply.
pub async fn password_grant(app: &TestApp) -> serde_json::Value {
    password_grant_as(app, "alice", "correct-horse").await
}

/// `POST /auth/token` with the password grant; the JSON reply, which must be
/// a `200` that is not cached.
pub async fn password_grant_as(app: &TestApp, username: &str, password: &str) -> serde_json::Value {
    let r = app
        .post_api(
            "/auth/token",
            "application/x-www-form-urlencoded",
            &format!("grant_type=password&username={username}&password={password}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers["cache-control"], "no-store");
    r.json()
}

/// The access and refresh token of a token response.
pub fn token_pair(t: &serde_json::Value) -> (String, String) {
    let field = |name: &str| t[name].as_str().expect(name).to_string();
    (field("access_token"), field("refresh_token"))
}
