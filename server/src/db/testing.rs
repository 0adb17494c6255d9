//! Databases for tests: the embedded SQLite one that `#[sqlx::test]` makes,
//! and a throwaway PostgreSQL database when `LATCHKEY_TEST_POSTGRES_URL` names
//! a server (its user must be allowed to create databases).
//!
//! `#[sqlx::test]` has no support for the `Any` driver, so SQLite tests take
//! the typed pool it makes (a fresh, migrated file per test, deleted when the
//! test passes) and reopen the same file through [`from_sqlite`].

use sqlx::{Connection, Executor};

use super::Db;

/// The variable naming the PostgreSQL server for service tests.
pub const POSTGRES_ENV: &str = "LATCHKEY_TEST_POSTGRES_URL";

/// The same database as `pool`, opened through the application's driver.
pub async fn from_sqlite(pool: sqlx::SqlitePool) -> Db {
    let file = pool.connect_options().get_filename().to_owned();
    super::open(
        &format!("sqlite://{}", file.display()),
        super::DEFAULT_TIMEOUT,
    )
    .await
    .expect("reopen the test database")
}

/// The PostgreSQL admin URL, when service tests are enabled.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty())
}

/// A migrated PostgreSQL database of its own, dropped by [`PgTestDb::drop`].
pub struct PgTestDb {
    pub db: Db,
    pub url: String,
    name: String,
    admin: String,
}

impl PgTestDb {
    /// Creates a fresh database on the server named by
    /// [`POSTGRES_ENV`], or `None` when the variable is unset.
    pub async fn create() -> Option<Self> {
        let admin = postgres_url()?;
        sqlx::any::install_default_drivers();
        let name = format!("latchkey_t_{}", crate::random::new_id().to_lowercase());
        let name: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let mut conn = sqlx::AnyConnection::connect(&admin)
            .await
            .expect("connect to the test PostgreSQL server");
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create a test database");
        conn.close().await.ok();
        let url = with_database(&admin, &name);
        let db = super::connect(&url, super::DEFAULT_TIMEOUT)
            .await
            .expect("migrate the test database");
        Some(PgTestDb {
            db,
            url,
            name,
            admin,
        })
    }

    /// Closes the pool and drops the database.
    pub async fn drop(self) {
        self.db.close().await;
        if let Ok(mut conn) = sqlx::AnyConnection::connect(&self.admin).await {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            conn.execute(sql.as_str()).await.ok();
            conn.close().await.ok();
        }
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://root@127.0.0.1:5432/test", "x"),
            "postgres://root@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://127.0.0.1/test?sslmode=disable", "x"),
            "postgres://127.0.0.1/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://127.0.0.1:5432", "x"),
            "postgres://127.0.0.1:5432/x"
        );
    }
}
