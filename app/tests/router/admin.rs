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
    ] {
        assert!(
            page.body.contains(line),
            "{line} missing from the activity page"
        );
    }
}

both_modes!(disable_then_enable_is_told_to_the_owner);
