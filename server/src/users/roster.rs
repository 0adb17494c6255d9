//! The accounts as an operator sees them: listed with their state, found by
//! name, turned back on, and the ones disabled lately (which instances
//! keeping sessions in their own memory read to end those sessions).

use crate::db::Db;
use crate::Result;

/// One account, for the admin command.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

const COLUMNS: &str = "SELECT id, username, created_at, disabled_at FROM users";

/// Every account by name, or only the disabled ones.
pub async fn list(db: &Db, disabled_only: bool) -> Result<Vec<Account>> {
    let filter = if disabled_only {
        " WHERE disabled_at IS NOT NULL"
    } else {
        ""
    };
    Ok(
        sqlx::query_as::<_, Account>(&format!("{COLUMNS}{filter} ORDER BY username"))
            .fetch_all(db)
            .await?,
    )
}

/// The account named `username` (normalised), disabled or not.
pub async fn by_name(db: &Db, username: &str) -> Result<Option<Account>> {
    one(db, "username", username).await
}

/// The account with id `id`, disabled or not.
pub async fn by_id(db: &Db, id: &str) -> Result<Option<Account>> {
    one(db, "id", id).await
}

/// The account whose unique `column` (a name from this file) is `value`.
async fn one(db: &Db, column: &'static str, value: &str) -> Result<Option<Account>> {
    let query = format!("{COLUMNS} WHERE {column} = $1");
    Ok(sqlx::query_as::<_, Account>(&query)
        .bind(value)
        .fetch_optional(db)
        .await?)
}

/// Lets a disabled account sign in again. `false` if it was not disabled.
pub async fn enable(db: &Db, id: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE users SET disabled_at = NULL WHERE id = $1 AND disabled_at IS NOT NULL",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The accounts disabled at or after `since`, each with the time it was
/// last disabled, whether or not it has been enabled again since.
pub async fn disabled_since(db: &Db, since: i64) -> Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT id, last_disabled_at FROM users \
         WHERE last_disabled_at IS NOT NULL AND last_disabled_at >= $1",
    )
    .bind(since)
    .fetch_all(db)
    .await?)
}
