//! Cross-site requests that carry the user's cookies are refused with `403`
//! before they change anything; same-origin ones and cookie-less Bearer API
//! calls pass. Run in both modes.

use super::*;

const HOST: (&str, &str) = ("host", "latchkey.test");

/// What another site's page makes the browser send.
const HOSTILE: &[&[(&str, &str)]] = &[
    &[HOST, ("origin", "https://evil.example")],
    &[HOST, ("origin", "null")],
    &[HOST, ("sec-fetch-site", "cross-site")],
    &[
        HOST,
        ("sec-fetch-site", "same-site"),
        ("origin", "https://sub.latchkey.test"),
    ],
    &[
        HOST,
        ("sec-fetch-site", "cross-site"),
        ("origin", "http://latchkey.test"),
    ],
];

/// Every endpoint that changes state, with a body it would accept.
const MUTATIONS: &[(&str, &str)] = &[
    ("/api/sign_out", ""),
    ("/api/sign_in", "username=mallory&password=mallory-password"),
    (
        "/api/sign_up",
        "username=mallory2&password=mallory-password",
    ),
    ("/api/refresh", ""),
    (
        "/auth/token",
        "grant_type=password&username=mallory&password=mallory-password",
    ),
    ("/auth/revoke", "token=x"),
    (
        "/api/change_password",
        "current_password=correct-horse&new_password=mallory-password",
    ),
    ("/api/end_device", "id=x"),
    ("/api/end_other_devices", ""),
    ("/api/end_all_devices", ""),
    (
        "/api/password",
        "current_password=correct-horse&new_password=mallory-password",
    ),
    ("/api/revoke_here", ""),
];

async fn cross_site_posts_are_refused(app: TestApp) {
    let victim = app.browser();
    victim.sign_up("alice", "correct-horse").await;
    let cookies = victim.cookies();
    for headers in HOSTILE {
        for (path, form) in MUTATIONS {
            let r = victim.post_form_with(path, form, headers).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{path} {headers:?}: {}",
                r.body
            );
            assert!(r.body.contains("another site"), "{}", r.body);
            assert!(r.auth_set_cookies().is_empty(), "{path}: cookies changed");
        }
    }
    assert_eq!(victim.cookies(), cookies);
    assert_eq!(victim.me().await, StatusCode::OK, "still signed in");
    let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n.0, 1, "no account was created cross-site");
}

async fn same_origin_posts_pass(app: TestApp) {
    let b = app.browser();
    b.sign_up("bob", "correct-horse").await;
    for headers in [
        &[HOST, ("sec-fetch-site", "same-origin")][..],
        &[HOST, ("origin", "http://latchkey.test")],
        &[HOST, ("sec-fetch-site", "none")],
    ] {
        let r = b
            .post_form_with(
                "/api/sign_in",
                "username=bob&password=correct-horse",
                headers,
            )
            .await;
        assert!(
            r.status.is_redirection(),
            "{headers:?}: {} {}",
            r.status,
            r.body
        );
    }
    let r = b
        .post_form_with(
            "/api/sign_out",
            "",
            &[HOST, ("sec-fetch-site", "same-origin")],
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    assert_eq!(b.me().await, StatusCode::UNAUTHORIZED);
}

/// `DELETE /api/devices/{id}` with the owner's cookies, from another site.
async fn cross_site_device_deletes_are_refused(app: TestApp) {
    let owner = app.browser();
    owner.sign_up("cat", "correct-horse").await;
    let other = app.browser();
    other.sign_in("cat", "correct-horse").await;
    let id = super::device_cases::own_id(&other).await;
    let cookie = owner
        .cookies()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    for headers in HOSTILE {
        let mut req = http::Request::delete(format!("/api/devices/{id}"))
            .header(http::header::COOKIE, &cookie);
        for (name, value) in *headers {
            req = req.header(*name, *value);
        }
        let r = app.send(req.body(axum::body::Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{headers:?}: {}", r.body);
    }
    assert_eq!(other.me().await, StatusCode::OK, "the device was not ended");
}

both_modes!(
    cross_site_posts_are_refused,
    same_origin_posts_pass,
    cross_site_device_deletes_are_refused
);

/// A Bearer token is never attached by the browser on its own, so a request
/// with one and no cookies is not cross-site forgery.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bearer_calls_without_cookies_are_exempt(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = TestApp::new(db, Backend::Jwt);
    app.browser().sign_up("alice", "correct-horse").await;
    let tokens = support::password_grant(&app).await;
    let access = tokens["access_token"].as_str().unwrap();
    let req = http::Request::post("/auth/revoke")
        .header("host", "latchkey.test")
        .header("origin", "https://elsewhere.example")
        .header("authorization", format!("Bearer {access}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!("token={access}")))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::OK);
    // The same call with a cookie is a browser's, and refused.
    let req = http::Request::post("/auth/revoke")
        .header("host", "latchkey.test")
        .header("origin", "https://elsewhere.example")
        .header("authorization", format!("Bearer {access}"))
        .header("cookie", "__Host-latchkey_access=x")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!("token={access}")))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
}
