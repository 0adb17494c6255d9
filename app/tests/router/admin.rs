//! The admin commands over the app's own state (`server::admin::run`, what
//! `latchkey users …` runs): a disabled account is out on every device and
//! its right password is answered like a wrong one; enabled again, its owner
//! reads both on the activity page. (`tests/operations.rs` runs the same
//! commands as a separate process against a running server.)

use server::admin::{run, Answer, Command, Users};

use super::*;

const PW: &str = "correct-horse";

async fn users(app: &TestApp, action: Users) -> Answer {
    run(&app.state, Command::Users { action }).await.unwrap()
}

async fn disable_then_enable_is_told_to_the_owner(app: TestApp) {
    let b = app.browser();
    b.sign_up("alice", PW).await;
    let phone = app.browser();
    phone.sign_in("alice", PW).await;
    let name = || "Alice".to_string();

    let Answer::Done(said) = users(&app, Users::Disable { name: name() }).await else {
        panic!("alice exists");
    };
    assert!(
        said.starts_with("Disabled alice: 2 device session(s) ended"),
        "{said}"
    );
    assert_eq!(b.me().await, StatusCode::UNAUTHORIZED);
    assert_eq!(phone.me().await, StatusCode::UNAUTHORIZED);
    let attempt = |pw: &str| format!("username=alice&password={pw}");
    let wrong = app
        .browser()
        .post_form("/api/sign_in", &attempt("not-the-password"))
        .await;
    let right = app.browser().post_form("/api/sign_in", &attempt(PW)).await;
    assert_eq!(right.status, wrong.status);
    assert_eq!(
        right.body, wrong.body,
        "the same answer as a wrong password"
    );
    let Answer::Done(said) = users(&app, Users::Disable { name: name() }).await else {
        panic!("alice exists");
    };
    assert!(said.starts_with("alice was already disabled"), "{said}");
    let listed = users(&app, Users::List { disabled: true }).await;
    assert!(
        matches!(&listed, Answer::Done(t) if t.contains("alice") && t.contains("disabled 20")),
        "{listed:?}"
    );
    assert_eq!(
        users(
            &app,
            Users::Disable {
                name: "nobody".into()
            }
        )
        .await,
        Answer::NotFound(
            "there is no account named \"nobody\"; `latchkey users list` shows them.".into()
        )
    );

    let Answer::Done(said) = users(&app, Users::Enable { name: name() }).await else {
        panic!("alice exists");
    };
    assert_eq!(said, "Enabled alice: the account can sign in again.");
    assert_eq!(
        b.me().await,
        StatusCode::UNAUTHORIZED,
        "old sign-ins stay ended"
    );
    b.sign_in("alice", PW).await;
    let page = b.get("/account/activity").await;
    assert_eq!(page.status, StatusCode::OK);
    for line in [
        "Account disabled by an operator",
        "The account was disabled: ",
        "Sign-in refused: the account is disabled (the password was right)",
        "Account enabled again by an operator",
    ] {
        assert!(
            page.body.contains(line),
            "{line} missing from the activity page"
        );
    }
}

both_modes!(disable_then_enable_is_told_to_the_owner);

/// A server keeping sessions in its own memory reads accounts by the time
/// they were disabled: a `users enable` run right after `users disable`,
/// before the server's next read, spares no session begun before the
/// disable, and ends none begun after it.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_quick_enable_does_not_spare_sessions_kept_in_memory(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = TestApp::new(db.clone(), Backend::SessionMemory);
    let b = app.browser();
    b.sign_up("alice", PW).await;
    let since = app.clock.now();
    app.clock.advance(1);
    // The admin command: another process over the same database.
    let admin = TestApp::new(db, Backend::SessionMemory);
    admin.clock.advance(1);
    let name = || "alice".to_string();
    users(&admin, Users::Disable { name: name() }).await;
    users(&admin, Users::Enable { name: name() }).await;
    assert_eq!(b.me().await, StatusCode::OK, "not read by this server yet");
    app.clock.advance(1);
    let later = app.browser();
    later.sign_in("alice", PW).await;

    server::accounts::end_disabled_since(&app.state, since)
        .await
        .unwrap();
    assert_eq!(b.me().await, StatusCode::UNAUTHORIZED, "begun before");
    assert_eq!(later.me().await, StatusCode::OK, "begun after the enable");
    let page = later.get("/account/activity").await;
    assert!(
        page.body.contains("The account was disabled: "),
        "the ended session is on the activity page"
    );
}
