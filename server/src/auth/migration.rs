//! Switching `LATCHKEY_AUTH_MODE` without signing anyone out.
//!
//! Both modes keep one record per signed-in device with the same fields
//! ([`DeviceSession`]): a session in the session store, or a refresh family
//! in the `sessions` table. After a restart in the other mode a browser
//! still holds the old mode's cookie. With `LATCHKEY_MODE_MIGRATION` on (the
//! default) the resolver accepts that cookie once and turns its device
//! session into this mode's, with the same id and deadlines, so the device
//! keeps its place in the device list:
//!
//! - JWT mode takes a session ID, removes the session from the store it was
//!   kept in (the database or Redis: sessions kept in a process's memory
//!   ended with it) and starts a refresh family for it;
//! - session mode takes the current refresh token of a live family, deletes
//!   the family and stores a session for it.
//!
//! Removing the old record first is what makes "once" hold: of two requests
//! carrying the same cookie, one removes it and the other finds nothing.
//! The adapter clears the old mode's cookies as it sets the new ones.

use super::device::select_device;
use super::session::{stored_hash, ConfiguredStore, DatabaseStore, RedisStore, SessionStore};
use super::token::{self, TokenHash};
use super::{Auth, Credential, DeviceSession, Issued};
use crate::config::{AuthMode, Config, SessionStoreKind};
use crate::db::Db;
use crate::shared_store::SharedStore;
use crate::Result;

/// Where the other mode kept its device sessions.
#[derive(Clone, Debug)]
pub enum Former {
    /// Session-mode records, read by JWT mode.
    Sessions(ConfiguredStore),
    /// Refresh families, read by session mode.
    Families(Db),
}

impl Former {
    /// The other mode's records for `config`, if migration is on and they
    /// can outlive a restart.
    pub fn for_config(config: &Config, db: &Db, shared: &SharedStore) -> Option<Self> {
        if !config.mode_migration {
            return None;
        }
        match (config.auth_mode, config.session_store, shared) {
            (AuthMode::Session, ..) => Some(Former::Families(db.clone())),
            (AuthMode::Jwt, SessionStoreKind::Memory, _) => None,
            (AuthMode::Jwt, SessionStoreKind::Redis, SharedStore::Redis(r)) => Some(
                Former::Sessions(ConfiguredStore::Redis(RedisStore::new(r.clone()))),
            ),
            (AuthMode::Jwt, ..) => Some(Former::Sessions(ConfiguredStore::Database(
                DatabaseStore::new(db.clone()),
            ))),
        }
    }
}

/// This mode's credentials for the other mode's sign-in among
/// `credentials`, if one is live; it is consumed.
pub async fn adopt(
    auth: &Auth,
    former: &Former,
    credentials: &[Credential],
    now: i64,
) -> Result<Option<Issued>> {
    for credential in credentials {
        let adopted = match (auth, former, credential) {
            (Auth::Jwt(jwt), Former::Sessions(store), Credential::Session(id)) => {
                let Some(hash) = stored_hash(id) else {
                    continue;
                };
                match take_session(store, &hash, now).await? {
                    Some(device) => Some(Issued::Tokens(jwt.adopt(device).await?)),
                    None => None,
                }
            }
            (Auth::Session(sessions), Former::Families(db), Credential::Refresh(t)) => {
                match take_family(db, t.expose(), now).await? {
                    Some(device) => Some(sessions.adopt(device).await?),
                    None => None,
                }
            }
            _ => None,
        };
        if let Some(issued) = adopted {
            tracing::info!(
                device = %issued.identity().device_id,
                mode = auth.mode().as_str(),
                "carried a sign-in over from the other mode"
            );
            return Ok(Some(issued));
        }
    }
    Ok(None)
}

/// The live session `hash`, removed from `store`.
async fn take_session(
    store: &ConfiguredStore,
    hash: &TokenHash,
    now: i64,
) -> Result<Option<DeviceSession>> {
    let Some(device) = store.find(hash, now).await? else {
        return Ok(None);
    };
    Ok(store.remove(hash).await?.then_some(device))
}

/// The live family whose current refresh token is `raw`, deleted with its
/// tokens.
async fn take_family(db: &Db, raw: &str, now: i64) -> Result<Option<DeviceSession>> {
    if !token::is_well_formed(raw) {
        return Ok(None);
    }
    let hash = TokenHash::of(raw);
    let found = sqlx::query_as::<_, DeviceSession>(select_device!(
        "WHERE s.id = (SELECT session_id FROM refresh_tokens \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2) \
         AND s.revoked_at IS NULL AND u.disabled_at IS NULL \
         AND s.idle_expires_at > $3 AND s.absolute_expires_at > $4"
    ))
    .bind(hash.as_str())
    .bind(now)
    .bind(now)
    .bind(now)
    .fetch_optional(db)
    .await?;
    let Some(device) = found else {
        return Ok(None);
    };
    let mut tx = db.begin().await?;
    // The write first: it holds the lock, and only one request gets a row.
    let taken = sqlx::query("DELETE FROM sessions WHERE id = $1 AND revoked_at IS NULL")
        .bind(&device.id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    sqlx::query("DELETE FROM refresh_tokens WHERE session_id = $1")
        .bind(&device.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(taken.then_some(device))
}
