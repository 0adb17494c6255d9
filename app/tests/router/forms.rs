//! Forms as people send them: every broken field marked with its rule, and
//! a form refused without JavaScript coming back filled in, its error kept
//! out of the URL.

use super::*;

async fn app(db: Db) -> TestApp {
    let app = TestApp::new(db, Backend::SessionDatabase);
    app.browser().sign_up("alice", "correct-horse").await;
    app
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn plain_form_posts_come_back_with_the_error_and_the_username_not_in_the_url(
    pool: sqlx::SqlitePool,
) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let b = app.browser();
    let r = b
        .post_plain_form(
            "/api/sign_in",
            "username=alice&password=nope-nope&next=%2Faccount",
            "/login?next=%2Faccount",
        )
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    let location = r.location().unwrap().to_string();
    assert_eq!(
        location, "http://127.0.0.1/login?next=%2Faccount",
        "no error in the URL"
    );
    let kept = r.auth_set_cookies();
    assert!(
        kept.iter().any(|c| c.starts_with("__Host-latchkey_form=")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Strict")
            && c.contains("Max-Age=60")),
        "{kept:?}"
    );
    assert!(
        !kept.iter().any(|c| c.contains("nope-nope")),
        "never the password"
    );

    // The login page shows the error with the username put back, once.
    let page = b.get("/login?next=%2Faccount").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Incorrect username or password."));
    assert!(page.body.contains(r#"value="alice""#), "{}", page.body);
    assert!(page.clears("__Host-latchkey_form"));
    let again = b.get("/login?next=%2Faccount").await;
    assert!(!again.body.contains("Incorrect username or password."));
    assert!(!again.body.contains(r#"value="alice""#));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_broken_field_is_marked_with_its_rule(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    // With JavaScript: the error names each field.
    let r = app
        .browser()
        .post_form("/api/sign_up", "username=a%21&password=short")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &r.json()["fields"];
    assert_eq!(fields[0]["field"], "username");
    assert!(fields[0]["message"].as_str().unwrap().contains("a–z"));
    assert_eq!(fields[1]["field"], "password");
    assert!(fields[1]["message"]
        .as_str()
        .unwrap()
        .contains("at least 8"));

    // Without: the page marks both inputs and keeps the username.
    let b = app.browser();
    b.post_plain_form("/api/sign_up", "username=a%21&password=short", "/signup")
        .await;
    let page = b.get("/signup").await.body;
    for (field, rule) in [("username", "a–z"), ("password", "at least 8")] {
        let input = page
            .split("<input")
            .find(|i| i.contains(&format!(r#"name="{field}""#)))
            .expect("the input");
        assert!(input.contains(r#"aria-invalid="true""#), "{input}");
        assert!(
            input.contains(&format!(r#"aria-describedby="{field}-error"#)),
            "{input}"
        );
        let message = page
            .split(&format!(r#"id="{field}-error""#))
            .nth(1)
            .expect("the field's message");
        let message = &message[..message.find("</p>").unwrap()];
        assert!(message.contains(rule), "{field}: {message}");
    }
    assert!(page.contains(r#"value="a!""#), "the username is kept");
    assert!(page.contains("Please correct the fields marked below."));
    let users: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(users.0, 1, "nothing was created");
}
