//! What a signed-in page reads to render: the account page takes
//! everything from the request's own device session, with no read of
//! `users` (the account's creation time is copied into the device session
//! at sign-in). In JWT mode the device session an access token was issued
//! with is kept for as long as the token lives, so its pages read nothing.

use super::*;
use crate::support::Reply;

/// Signs up, makes every read of `tables` fail, then loads `/account`.
async fn account_page_without(app: &TestApp, tables: &[&str]) -> Reply {
    let b = app.browser();
    b.sign_up("alice", "correct-horse").await;
    for table in tables {
        sqlx::query(&format!("ALTER TABLE {table} RENAME TO {table}_elsewhere"))
            .execute(&app.db)
            .await
            .unwrap();
    }
    b.get("/account").await
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_account_page_needs_no_read_of_users(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    // Sessions in memory: after sign-up, the database is not needed to
    // know who is calling.
    let app = TestApp::new(db, Backend::SessionMemory);
    shows_the_whole_account(account_page_without(&app, &["users"]).await);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_jwt_account_page_reads_nothing_for_a_token_this_instance_issued(
    pool: sqlx::SqlitePool,
) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = TestApp::new(db, Backend::Jwt);
    shows_the_whole_account(account_page_without(&app, &["sessions", "users"]).await);
}

fn shows_the_whole_account(page: Reply) {
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
