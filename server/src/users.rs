//! Accounts: the rules for usernames and passwords ([`rules`]), and the
//! `users` table.
//!
//! Usernames are case-insensitive: they are checked, then lower-cased and
//! stored that way, so the unique index alone keeps them unique.

mod roster;
pub mod rules;

pub use roster::{by_id, by_name, disabled_since, enable, list, Account};

use crate::db::Db;
use crate::random::new_id;
use crate::{Error, Result};

pub use rules::{check_new_password, normalize_username, PASSWORD_LEN, USERNAME_LEN};

/// A user as the rest of the app sees it: no password hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub username: String,
    pub created_at: i64,
}

/// A user with the hash, for the sign-in check only.
#[derive(sqlx::FromRow)]
pub struct UserForLogin {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

impl std::fmt::Debug for UserForLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserForLogin")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("password_hash", &"[redacted]")
            .finish()
    }
}

impl From<UserForLogin> for User {
    fn from(u: UserForLogin) -> Self {
        User {
            id: u.id,
            username: u.username,
            created_at: u.created_at,
        }
    }
}

/// Inserts a user; [`Error::UsernameTaken`] if the name is in use.
pub async fn create(db: &Db, username: &str, password_hash: &str, now: i64) -> Result<User> {
    let id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO users (id, username, password_hash, created_at, password_changed_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(username)
    .bind(password_hash)
    .bind(now)
    .bind(now)
    .execute(db)
    .await;
    match inserted {
        Ok(_) => Ok(User {
            id,
            username: username.to_string(),
            created_at: now,
        }),
        // The only unique key a fresh random id can meet is the username's.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(Error::UsernameTaken),
        Err(e) => Err(e.into()),
    }
}

/// Looks up a user by normalised username, with the password hash.
pub async fn find_for_login(db: &Db, username: &str) -> Result<Option<UserForLogin>> {
    Ok(sqlx::query_as::<_, UserForLogin>(
        "SELECT id, username, password_hash, created_at, disabled_at FROM users WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(db)
    .await?)
}

/// Replaces a user's password hash.
pub async fn set_password(db: &Db, id: &str, password_hash: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks a user disabled: it can no longer sign in. `false` if no such
/// active user.
pub async fn disable(db: &Db, id: &str, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE users SET disabled_at = $1, last_disabled_at = $1 \
             WHERE id = $2 AND disabled_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Looks up an active user by id.
pub async fn find(db: &Db, id: &str) -> Result<Option<User>> {
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT id, username, created_at FROM users WHERE id = $1 AND disabled_at IS NULL",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id, username, created_at)| User {
        id,
        username,
        created_at,
    }))
}

#[cfg(test)]
mod db_tests {
    use super::*;

    const HASH: &str = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA";

    #[sqlx::test(migrator = "crate::db::MIGRATOR")]
    async fn create_then_find(pool: sqlx::SqlitePool) {
        let db = crate::db::testing::from_sqlite(pool).await;
        let u = create(&db, "alice", HASH, 42).await.unwrap();
        assert_eq!(u.username, "alice");
        assert_eq!(u.created_at, 42);
        let found = find_for_login(&db, "alice").await.unwrap().unwrap();
        assert_eq!(found.id, u.id);
        assert_eq!(found.password_hash, HASH);
        assert!(
            !format!("{found:?}").contains("argon2id"),
            "hash leaks into Debug"
        );
        assert_eq!(find(&db, &u.id).await.unwrap(), Some(u));
        assert!(find_for_login(&db, "bob").await.unwrap().is_none());
    }

    #[sqlx::test(migrator = "crate::db::MIGRATOR")]
    async fn usernames_are_unique(pool: sqlx::SqlitePool) {
        let db = crate::db::testing::from_sqlite(pool).await;
        create(&db, "alice", HASH, 1).await.unwrap();
        let again = create(&db, "alice", HASH, 2).await;
        assert!(matches!(again, Err(Error::UsernameTaken)), "{again:?}");
        let count: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(count.0, 1, "no half-written rows");
    }

    #[sqlx::test(migrator = "crate::db::MIGRATOR")]
    async fn case_variants_collide_after_normalising(pool: sqlx::SqlitePool) {
        let db = crate::db::testing::from_sqlite(pool).await;
        let name = normalize_username("Alice").unwrap();
        create(&db, &name, HASH, 1).await.unwrap();
        let other = normalize_username("ALICE").unwrap();
        assert!(matches!(
            create(&db, &other, HASH, 2).await,
            Err(Error::UsernameTaken)
        ));
    }

    #[sqlx::test(migrator = "crate::db::MIGRATOR")]
    async fn sql_metacharacters_are_just_data(pool: sqlx::SqlitePool) {
        let db = crate::db::testing::from_sqlite(pool).await; // Parameters are bound, never spliced: this finds nothing and breaks nothing.
        let found = find_for_login(&db, "x' OR '1'='1").await.unwrap();
        assert!(found.is_none());
        create(&db, "o.brien", HASH, 1).await.unwrap();
        assert!(find_for_login(&db, "o.brien").await.unwrap().is_some());
    }

    #[sqlx::test(migrator = "crate::db::MIGRATOR")]
    async fn disabled_users_are_not_found_by_id(pool: sqlx::SqlitePool) {
        let db = crate::db::testing::from_sqlite(pool).await;
        let u = create(&db, "carol", HASH, 1).await.unwrap();
        sqlx::query("UPDATE users SET disabled_at = 5 WHERE id = $1")
            .bind(&u.id)
            .execute(&db)
            .await
            .unwrap();
        assert_eq!(find(&db, &u.id).await.unwrap(), None);
    }
}
