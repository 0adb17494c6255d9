//! What the server keeps of a credential, as the inspector shows it: a
//! prefix of its hash, and the refresh chain behind a JWT device session.

use views::inspect::{ChainView, LinkView};

use crate::auth::token::TokenHash;
use crate::auth::JwtBackend;
use crate::db::Db;
use crate::Result;

/// How many characters of a stored hash the inspector shows: enough to tell
/// records apart on screen, far too few to stand for the hash.
pub const HASH_PREFIX: usize = 10;

/// The first characters of the hash the server keeps of `raw`.
pub fn hash_prefix(raw: &str) -> String {
    TokenHash::of(raw).as_str()[..HASH_PREFIX].to_string()
}

/// The most links of a refresh chain shown.
const CHAIN_LIMIT: i64 = 20;

/// One refresh token of a family, as the database keeps it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ChainLink {
    pub token_hash: String,
    pub parent_hash: Option<String>,
    pub issued_at: i64,
    pub used_at: Option<i64>,
    pub expires_at: i64,
}

/// The newest refresh tokens of the family `family_id`, newest first.
pub async fn refresh_chain(db: &Db, family_id: &str) -> Result<Vec<ChainLink>> {
    Ok(sqlx::query_as::<_, ChainLink>(
        "SELECT token_hash, parent_hash, issued_at, used_at, expires_at FROM refresh_tokens \
         WHERE session_id = $1 ORDER BY issued_at DESC, used_at IS NULL DESC LIMIT $2",
    )
    .bind(family_id)
    .bind(CHAIN_LIMIT)
    .fetch_all(db)
    .await?)
}

/// Why the family `family_id` ended (`refresh token reuse`, `signed out`,
/// …), or `None` while it is live or when there is no such family.
pub async fn family_end(db: &Db, family_id: &str) -> Result<Option<String>> {
    let reason: Option<Option<String>> =
        sqlx::query_scalar("SELECT revoke_reason FROM sessions WHERE id = $1")
            .bind(family_id)
            .fetch_optional(db)
            .await?;
    Ok(reason.flatten())
}

/// The refresh family `family` as the inspector shows it: its newest
/// links, the grace window of a rotation, and whether reuse ended it.
pub(super) async fn chain(db: &Db, jwt: &JwtBackend, family: &str) -> Result<ChainView> {
    let links = refresh_chain(db, family).await?;
    let ended = family_end(db, family).await?;
    let short = |h: &str| h.chars().take(HASH_PREFIX).collect::<String>();
    Ok(ChainView {
        links: links
            .iter()
            .map(|l| LinkView {
                hash_prefix: short(&l.token_hash),
                parent_prefix: l.parent_hash.as_deref().map(short),
                issued_at: l.issued_at,
                used_at: l.used_at,
                expires_at: l.expires_at,
            })
            .collect(),
        grace_secs: jwt.refresh_grace(),
        reuse_detected: ended.is_some_and(|r| r.contains("reuse")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_the_start_of_the_stored_hash() {
        let raw = crate::auth::token::new_token();
        let prefix = hash_prefix(&raw);
        assert_eq!(prefix.len(), HASH_PREFIX);
        assert!(TokenHash::of(&raw).as_str().starts_with(&prefix));
        assert!(!raw.starts_with(&prefix));
    }
}
