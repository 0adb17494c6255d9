//! What the pages say after a change of who is signed in: why the sign-in
//! page was shown, that signing out worked, and, to someone signed in
//! already, who they are instead of a second sign-in or sign-up form.

use super::*;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_sign_in_page_names_the_page_that_sent_you(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = TestApp::new(db, Backend::SessionDatabase);
    let b = app.browser();
    let sent = b.get("/account/devices").await;
    let login = sent.location().expect("a trip to sign in").to_string();
    assert_eq!(login, "/login?next=%2Faccount%2Fdevices");
    let page = b.get(&login).await;
    assert!(
        page.body.contains("Please sign in to see your devices."),
        "{}",
        page.body
    );
    for plain in [
        "/login",
        "/login?next=%2Finspect",
        "/login?next=https%3A%2F%2Fevil.example%2Faccount",
    ] {
        let page = b.get(plain).await;
        assert!(!page.body.contains("Please sign in to see"), "{plain}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn signing_out_lands_on_a_page_that_says_so(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = TestApp::new(db, Backend::Jwt);
    let b = app.browser();
    b.sign_up("alice", "correct-horse").await;
    let out = b.post_form("/api/sign_out", "").await;
    assert_eq!(out.location(), Some("/?signed_out=1"));
    let home = b.get("/?signed_out=1").await;
    assert!(home.body.contains("You are signed out on this device."));
    assert!(home.body.contains("You are not signed in."));
    assert!(!b
        .get("/")
        .await
        .body
        .contains("You are signed out on this device."));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn signed_in_visitors_see_who_they_are_instead_of_the_forms(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = TestApp::new(db, Backend::SessionMemory);
    let b = app.browser();
    b.sign_up("alice", "correct-horse").await;
    for (path, instead, next) in [
        ("/login", "sign in as someone else", "/account"),
        (
            "/login?next=%2Faccount%2Fdevices",
            "sign in as someone else",
            "/account/devices",
        ),
        (
            "/login?next=%2F%2Fevil.example",
            "sign in as someone else",
            "/account",
        ),
        ("/signup", "create another account", "/account"),
    ] {
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains("You are already signed in"), "{path}");
        assert!(
            page.body
                .contains("You are signed in as <strong>alice</strong>"),
            "{path}: {}",
            page.body
        );
        assert!(page.body.contains(instead), "{path}");
        assert!(page.body.contains(&format!(r#"href="{next}""#)), "{path}");
        assert!(
            !page.body.contains(r#"name="password""#),
            "{path}: no second form"
        );
        assert!(
            page.body.contains(r#"action="/api/sign_out""#),
            "{path}: a way out"
        );
    }
    // Anonymous visitors still get the forms.
    let anonymous = app.browser();
    for path in ["/login", "/signup"] {
        assert!(
            anonymous
                .get(path)
                .await
                .body
                .contains(r#"name="password""#),
            "{path}"
        );
    }
}
