//! Bad input gets a 4xx with a readable message, never a 5xx; errors do
//! not tell unknown users from wrong passwords; plain form posts redirect.

use super::*;

async fn app(db: Db) -> TestApp {
    let app = TestApp::new(db, Backend::SessionDatabase);
    app.browser().sign_up("alice", "correct-horse").await;
    app
}

fn message(body: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    v["message"].as_str().unwrap_or_default().to_string()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn wrong_password_and_unknown_user_are_byte_identical(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let wrong = app
        .browser()
        .post_form("/api/sign_in", "username=alice&password=wrong-horse")
        .await;
    let unknown = app
        .browser()
        .post_form("/api/sign_in", "username=nobody&password=wrong-horse")
        .await;
    let malformed = app
        .browser()
        .post_form(
            "/api/sign_in",
            "username=no%20such%20user!&password=wrong-horse",
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    for other in [&unknown, &malformed] {
        assert_eq!(wrong.status, other.status);
        assert_eq!(wrong.body, other.body);
        assert_eq!(wrong.comparable_headers(), other.comparable_headers());
    }
    assert_eq!(message(&wrong.body), "Incorrect username or password.");
    assert!(wrong.auth_values().is_empty());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn usernames_are_case_insensitive(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    app.browser().sign_in("ALICE", "correct-horse").await;
    let r = app
        .browser()
        .post_form("/api/sign_up", "username=Alice&password=another-horse")
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(message(&r.body).contains("already taken"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_sign_up_inputs_are_4xx_with_a_message(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let long_name = "a".repeat(33);
    let long_password = "p".repeat(129);
    let cases = [
        ("username=&password=correct-horse", 422, "username"),
        ("username=ab&password=correct-horse", 422, "3 to 32"),
        (
            &format!("username={long_name}&password=correct-horse") as &str,
            422,
            "3 to 32",
        ),
        ("username=b%C3%B8b&password=correct-horse", 422, "a–z"),
        (
            "username=x'%3B%20DROP%20TABLE%20users%3B--&password=correct-horse",
            422,
            "a–z",
        ),
        ("username=bob&password=short", 422, "at least 8"),
        // Eight spaces: long enough, but no password.
        ("username=bob&password=++++++++", 422, "only spaces"),
        // The Kelvin sign lower-cases to "k": refused, not changed.
        ("username=%E2%84%AAelvin&password=correct-horse", 422, "a–z"),
        (
            &format!("username=bob&password={long_password}"),
            422,
            "at most 128",
        ),
        ("username=bob", 400, "missing"),
        ("password=correct-horse", 400, "missing"),
        ("", 400, "missing"),
        ("%%%", 400, ""),
    ];
    for (form, status, needle) in cases {
        let r = app.browser().post_form("/api/sign_up", form).await;
        assert_eq!(r.status.as_u16(), status, "{form}: {}", r.body);
        let msg = message(&r.body);
        assert!(!msg.is_empty(), "{form}: no message");
        assert!(msg.contains(needle), "{form}: {msg}");
    }
    let users: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(users.0, 1, "no user was created by bad input");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_sign_in_inputs_are_4xx_with_a_message(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let huge = "p".repeat(10_000);
    for (form, status) in [
        ("username=&password=", 422),
        ("username=alice&password=", 422),
        ("username=alice", 400),
        (&format!("username=alice&password={huge}") as &str, 401),
        ("username=%E5%90%8D%E5%89%8D&password=correct-horse", 401),
    ] {
        let r = app.browser().post_form("/api/sign_in", form).await;
        assert_eq!(r.status.as_u16(), status, "{form}: {}", r.body);
        assert!(!message(&r.body).is_empty());
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn wrong_content_type_is_a_4xx(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let req = http::Request::post("/api/sign_in")
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::ACCEPT, "application/json")
        .body(axum::body::Body::from(
            r#"{"username":"alice","password":"correct-horse"}"#,
        ))
        .unwrap();
    let r = app.send(req).await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    assert!(r.auth_values().is_empty());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn get_is_not_a_way_to_sign_in(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let r = app
        .browser()
        .get("/api/sign_in?username=alice&password=correct-horse")
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(r.auth_values().is_empty());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_plain_form_sign_in_goes_to_next(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let ok = app
        .post_html_form(
            "/api/sign_in",
            "username=alice&password=correct-horse&next=%2Faccount%3Ftab%3D1",
            "http://127.0.0.1/login?next=%2Faccount%3Ftab%3D1",
        )
        .await;
    assert_eq!(ok.status, StatusCode::FOUND);
    assert_eq!(ok.location(), Some("/account?tab=1"));
    assert!(!ok.auth_values().is_empty());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn next_only_follows_same_site_paths(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    for (next, expected) in [
        ("", "/account"),
        ("%2Faccount", "/account"),
        ("%2F%2Fevil.example", "/"),
        ("%2F%5Cevil.example", "/"),
        ("https%3A%2F%2Fevil.example", "/"),
        ("https%3Aevil.example", "/"),
        ("javascript%3Aalert(1)", "/"),
        ("%2F%09%2Fevil.example", "/"),
        ("%2F%0D%0ASet-Cookie%3A%20x%3Dy", "/"),
    ] {
        let r = app
            .browser()
            .post_form(
                "/api/sign_in",
                &format!("username=alice&password=correct-horse&next={next}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.location(), Some(expected), "next={next}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn pages_and_probes(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    for (path, status) in [
        ("/", StatusCode::OK),
        ("/login", StatusCode::OK),
        ("/signup", StatusCode::OK),
        ("/healthz", StatusCode::OK),
        ("/readyz", StatusCode::OK),
        ("/no/such/page", StatusCode::NOT_FOUND),
    ] {
        let r = app.browser().get(path).await;
        assert_eq!(r.status, status, "{path}");
    }
    let home = app.browser().get("/").await;
    assert!(home.body.contains("Session mode"));
    assert!(home.body.contains("LATCHKEY_AUTH_MODE=session"));
    assert!(home.body.contains("You are not signed in."));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn raw_session_ids_are_never_stored(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let b = app.browser();
    b.sign_in("alice", "correct-horse").await;
    let id = b.cookies()["__Host-latchkey_session"].clone();
    let rows: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM sessions")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|(h,)| h != &id));
    let audit: Vec<(String,)> = sqlx::query_as("SELECT kind FROM auth_events ORDER BY at")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert!(audit.iter().any(|(k,)| k == "sign_in_ok"));
}
