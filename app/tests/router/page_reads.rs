//! What a signed-in page reads to render: the account page takes
//! everything from the request's own device session, with no read of
//! `users` (the account's creation time is copied into the device session
//! at sign-in).

use super::*;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_account_page_needs_no_read_of_users(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    // Sessions in memory: after sign-up, the database is not needed to
    // know who is calling.
    let app = TestApp::new(db, Backend::SessionMemory);
    let b = app.browser();
    b.sign_up("alice", "correct-horse").await;
    // Any read of `users` from here on fails.
    sqlx::query("ALTER TABLE users RENAME TO users_elsewhere")
        .execute(&app.db)
        .await
        .unwrap();
    let page = b.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("alice"), "{}", page.body);
    let member_since = page
        .body
        .split("Member since")
        .nth(1)
        .and_then(|rest| rest.split("</dd>").next())
        .expect("the page shows when the account was made");
    assert!(member_since.contains("<time datetime="), "{member_since}");
    assert!(
        !page.body.contains("not available right now"),
        "{}",
        page.body
    );
}
