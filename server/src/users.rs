//! Accounts: the rules for usernames and passwords, and the `users` table.
//!
//! Usernames are case-insensitive: they are lower-cased before validation and
//! stored that way, so the unique index alone keeps them unique.

mod roster;

pub use roster::{by_id, by_name, disabled_since, enable, list, Account};

use crate::db::Db;
use crate::random::new_id;
use crate::{Error, Result};

/// Shortest and longest username, in characters.
pub const USERNAME_LEN: (usize, usize) = (3, 32);
/// Shortest and longest password, in characters. The cap bounds hashing work.
pub const PASSWORD_LEN: (usize, usize) = (8, 128);

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

/// Normalises and checks a username: trimmed, 3–32 characters of
/// `a-z A-Z 0-9 _ . -`, stored lower-cased (names are case-insensitive).
///
/// The characters are checked before any case mapping, so nothing outside
/// the rule is quietly turned into something inside it: Unicode lower-casing
/// maps the Kelvin sign (U+212A) to `k` and would let "\u{212A}elvin"
/// become "kelvin". Such a name is refused with the rule instead.
pub fn normalize_username(raw: &str) -> Result<String> {
    let name = raw.trim();
    let (min, max) = USERNAME_LEN;
    if name.is_empty() {
        return Err(Error::Invalid("Please enter a username.".into()));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Err(Error::Invalid(
            "A username may contain only letters a–z, digits 0–9, and _ . -".into(),
        ));
    }
    // ASCII from here on: characters and bytes agree.
    if name.len() < min || name.len() > max {
        return Err(Error::Invalid(format!(
            "A username has {min} to {max} characters."
        )));
    }
    Ok(name.to_ascii_lowercase())
}

/// Checks a new password: its length (any characters are allowed), and that
/// it is not only spaces or other blank characters, which a person would
/// not mean as a password and an onlooker could guess from its length.
pub fn check_new_password(password: &str) -> Result<()> {
    let (min, max) = PASSWORD_LEN;
    let len = password.chars().count();
    if len < min {
        return Err(Error::Invalid(format!(
            "A password needs at least {min} characters."
        )));
    }
    if len > max {
        return Err(Error::Invalid(format!(
            "A password can have at most {max} characters."
        )));
    }
    if password.chars().all(char::is_whitespace) {
        return Err(Error::Invalid(
            "A password cannot be only spaces: use letters, digits or symbols too.".into(),
        ));
    }
    Ok(())
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
    let done =
        sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL")
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
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercased_and_trimmed() {
        assert_eq!(normalize_username("  Alice_01 ").unwrap(), "alice_01");
        assert_eq!(normalize_username("a.b-c").unwrap(), "a.b-c");
    }

    #[test]
    fn username_rules() {
        for bad in [
            "",
            "ab",
            &"x".repeat(33),
            "bob smith",
            "bøb",
            "robert'); DROP TABLE users;--",
            "a/b",
            "名前名前",
            "eve\u{0}",
            // Lower-cased by Unicode into the rule, so refused before it.
            "\u{212A}elvin",
            "\u{0130}stanbul",
        ] {
            assert!(
                matches!(normalize_username(bad), Err(Error::Invalid(_))),
                "{bad:?} was accepted"
            );
        }
        assert!(normalize_username(&"x".repeat(32)).is_ok());
        assert!(normalize_username("abc").is_ok());
    }

    #[test]
    fn password_rules() {
        assert!(check_new_password("1234567").is_err());
        assert!(check_new_password("12345678").is_ok());
        assert!(check_new_password(&"p".repeat(128)).is_ok());
        assert!(check_new_password(&"p".repeat(129)).is_err());
        // characters, not bytes
        assert!(check_new_password("ééééééé").is_err());
        assert!(check_new_password("éééééééé").is_ok());
        for blank in [
            "        ",
            "\t\t\t\t\t\t\t\t",
            "\u{3000}".repeat(8).as_str(),
        ] {
            assert!(
                matches!(check_new_password(blank), Err(Error::Invalid(_))),
                "{blank:?} was accepted"
            );
        }
        assert!(check_new_password(" pass word ").is_ok());
    }
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
