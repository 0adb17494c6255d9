//! The SQL database: one pool with timeouts, built once at startup, and the
//! embedded migrations.
//!
//! SQLite (the embedded default) and PostgreSQL (several instances) share one
//! code path: the pool is sqlx's `Any` driver, chosen by the URL scheme, and
//! every query is written in the SQL both engines accept (`$N` placeholders,
//! BIGINT Unix seconds, `ON CONFLICT`).

use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub mod testing;

/// The database pool used everywhere.
pub type Db = AnyPool;

/// The schema, embedded in the binary; also used by `#[sqlx::test]`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// The default of `LATCHKEY_STORE_TIMEOUT`, for tests.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// A pooled PostgreSQL connection idle this long is checked before use.
const CHECK_IDLE_AFTER: Duration = Duration::from_secs(1);

/// Which engine a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine for `url`, or a message naming the supported schemes.
    pub fn of(url: &str) -> Result<Self, String> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err(format!(
                "DATABASE_URL must start with sqlite:, postgres:// or postgresql:// (got {:?})",
                url.split(':').next().unwrap_or_default()
            ))
        }
    }
}

/// The file a `sqlite:` URL names; `None` for an in-memory database or
/// another engine.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" || url.contains("mode=memory") {
        return None;
    }
    Some(std::path::PathBuf::from(path))
}

/// Opens the database at `url` (creating a SQLite file if missing) and brings
/// its schema up to date. Concurrent starts are safe: sqlx takes a migration
/// lock (an advisory lock on PostgreSQL).
pub async fn connect(url: &str, timeout: Duration) -> crate::Result<Db> {
    let pool = open(url, timeout).await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Opens a pool on `url` without migrating. A request waits at most
/// `timeout` for a connection or a statement before failing with 503.
pub async fn open(url: &str, timeout: Duration) -> crate::Result<Db> {
    sqlx::any::install_default_drivers();
    let engine = Engine::of(url).map_err(crate::Error::Invalid)?;
    let url = match engine {
        // `mode=rwc` creates the file on first run.
        Engine::Sqlite if !url.contains("mode=") => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}mode=rwc")
        }
        _ => url.to_string(),
    };
    let options: AnyConnectOptions = url.parse()?;
    let (max, min) = match engine {
        Engine::Sqlite => (8, 0),
        Engine::Postgres => (16, 1),
    };
    let pool = AnyPoolOptions::new()
        .max_connections(max)
        .min_connections(min)
        .acquire_timeout(timeout)
        // A PostgreSQL connection that sat idle (through an outage, say) is
        // checked before use, so the first request after recovery does not
        // fail on a dead socket. One in steady use is not: sqlx already checks
        // every connection when it comes back to the pool, and a check before
        // each query too would add a third round trip to the database's one.
        // A SQLite file has no socket to lose.
        .test_before_acquire(false)
        .before_acquire(move |conn, meta| {
            Box::pin(async move {
                if engine == Engine::Postgres && meta.idle_for >= CHECK_IDLE_AFTER {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                match engine {
                    // WAL lets readers run beside the writer; NORMAL sync is
                    // durable across application crashes, the case that matters.
                    Engine::Sqlite => {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    }
                    // A statement stuck behind a lock fails instead of hanging
                    // the request past the timeout.
                    Engine::Postgres => {
                        let sql = format!("SET statement_timeout = {}", timeout.as_millis());
                        conn.execute(sql.as_str()).await?;
                    }
                }
                Ok(())
            })
        })
        .connect_lazy_with(options);
    // Fail at startup with a clear message rather than on the first request.
    pool.acquire().await.map_err(|e| {
        crate::Error::Internal(format!("cannot reach the {engine:?} database: {e}"))
    })?;
    Ok(pool)
}

/// Whether the database answers.
pub async fn ping(db: &Db) -> bool {
    sqlx::query("SELECT 1").execute(db).await.is_ok()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::sqlite_file;

    #[test]
    fn the_file_of_a_sqlite_url() {
        let file = |url| sqlite_file(url);
        assert_eq!(
            file("sqlite://data/latchkey.db"),
            Some(PathBuf::from("data/latchkey.db"))
        );
        assert_eq!(
            file("sqlite:/var/lib/l.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/l.db"))
        );
        assert_eq!(file("sqlite::memory:"), None);
        assert_eq!(file("sqlite://shared?mode=memory&cache=shared"), None);
        assert_eq!(file("postgres://localhost/test"), None);
    }
}
