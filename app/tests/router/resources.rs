//! Resource indicators (RFC 8707), JWT mode: a token asked for a resource
//! server carries that server's URI as `aud`; Latchkey's own API refuses it,
//! introspection vouches for it to that server, and its refresh family
//! stays for that server.

use super::*;
use support::password_grant;

const FORM: &str = "application/x-www-form-urlencoded";
const NOTES: &str = "http://notes.example";

async fn app(db: Db) -> TestApp {
    let config = server::config::Config {
        auth_mode: server::config::AuthMode::Jwt,
        resources: vec![NOTES.into(), "https://calendar.example.com".into()],
        introspection_secret: Some(server::config::Secret::new(super::discovery::SECRET).unwrap()),
        // API clients here sign in by the password grant.
        password_grant: true,
        ..server::config::Config::defaults()
    };
    let app = TestApp::with_config(db, config, Backend::Jwt);
    app.browser().sign_up("alice", "correct-horse").await;
    app
}

fn grant(resource: &str) -> String {
    format!("grant_type=password&username=alice&password=correct-horse&resource={resource}")
}

fn aud_of(token: &str) -> serde_json::Value {
    use base64::Engine as _;
    let part = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()["aud"].clone()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_token_for_a_resource_server_is_refused_by_latchkeys_own_api(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let r = app.post_api("/auth/token", FORM, &grant(NOTES)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let notes = r.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(aud_of(&notes), NOTES);
    let r = app
        .get_with_auth("/api/me", &format!("Bearer {notes}"))
        .await;
    super::jwt_api::assert_invalid_token(&r);
    // Introspection vouches for it, naming its audience, to the service.
    let secret = format!("notes:{}", super::discovery::SECRET);
    let body = format!("token={notes}");
    let said = super::introspection::introspect(&app, Some(&secret), &body)
        .await
        .json();
    assert_eq!(said["active"], true, "{said}");
    assert_eq!(said["aud"], NOTES);
    // The control: a token asked for nothing in particular is Latchkey's.
    let own = password_grant(&app).await;
    let own = own["access_token"].as_str().unwrap();
    assert_eq!(aud_of(own), "latchkey");
    // The owner's device list says which service each device's tokens are for.
    let devices = app
        .get_with_auth("/api/devices", &format!("Bearer {own}"))
        .await
        .json();
    let audiences: Vec<_> = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["audience"].clone())
        .collect();
    assert!(audiences.contains(&serde_json::json!(NOTES)), "{devices}");
    assert!(audiences.contains(&serde_json::Value::Null), "{devices}");
    assert_eq!(
        app.get_with_auth("/api/me", &format!("Bearer {own}"))
            .await
            .status,
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn only_configured_resources_one_at_a_time(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    for (case, form, error) in [
        ("unknown", grant("http://evil.example"), "invalid_target"),
        ("Latchkey's own name", grant("latchkey"), "invalid_target"),
        (
            "two",
            format!("{}&resource=https://calendar.example.com", grant(NOTES)),
            "invalid_request",
        ),
    ] {
        let r = app.post_api("/auth/token", FORM, &form).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{case}: {}", r.body);
        assert_eq!(r.json()["error"], error, "{case}");
        assert!(
            r.json()["error_description"].as_str().unwrap().len() > 10,
            "{case}"
        );
    }
    // A trailing slash names the same service.
    let r = app
        .post_api("/auth/token", FORM, &grant("http://notes.example/"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(aud_of(r.json()["access_token"].as_str().unwrap()), NOTES);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_resource_family_refreshes_for_its_resource_only(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let first = app
        .post_api("/auth/token", FORM, &grant(NOTES))
        .await
        .json();
    let refresh = first["refresh_token"].as_str().unwrap();
    let form = format!("grant_type=refresh_token&refresh_token={refresh}");
    let other = format!("{form}&resource=https://calendar.example.com");
    let r = app.post_api("/auth/token", FORM, &other).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["error"], "invalid_target");
    // Not used up by the refusal; without `resource`, the family's own.
    let r = app.post_api("/auth/token", FORM, &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let renewed = r.json();
    assert_eq!(aud_of(renewed["access_token"].as_str().unwrap()), NOTES);
    let again = format!(
        "grant_type=refresh_token&refresh_token={}&resource={NOTES}",
        renewed["refresh_token"].as_str().unwrap()
    );
    let r = app.post_api("/auth/token", FORM, &again).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Revoking the resource server's access token ends its device session.
    let notes = r.json()["access_token"].as_str().unwrap().to_string();
    let r = app
        .post_api("/auth/revoke", FORM, &format!("token={notes}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let secret = format!("notes:{}", super::discovery::SECRET);
    let said = super::introspection::introspect(&app, Some(&secret), &format!("token={notes}"))
        .await
        .json();
    assert_eq!(said["active"], false, "{said}");
}
