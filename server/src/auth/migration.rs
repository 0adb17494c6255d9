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
//!
//! A record is carried over only if nothing has ended it since: not for a
//! disabled account, not if it began before the account's last password
//! change, never once removed or revoked. And what ends sign-ins in this
//! mode ends the other mode's records too while they wait: where they live
//! in a store this mode does not read (sessions in Redis read by JWT mode,
//! refresh families read by session mode over memory or Redis), the
//! accounts service lists and ends them through [`Former::devices`],
//! [`Former::end_user`] and [`Former::end_device`]. Where both modes keep
//! them in the `sessions` table, this mode's own list and revocations
//! already take them in.

use super::device::{live_of_user, select_device};
use super::jwt::families;
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
    /// Session-mode records, read by JWT mode; `db` holds their accounts.
    /// (Boxed: a store is much larger than the other variant.)
    Sessions { store: Box<ConfiguredStore>, db: Db },
    /// Refresh families, read by session mode; `apart`: this mode keeps
    /// its sessions elsewhere than the `sessions` table (memory, Redis).
    Families { db: Db, apart: bool },
}

impl Former {
    /// The other mode's records for `config`, if migration is on and they
    /// can outlive a restart.
    pub fn for_config(config: &Config, db: &Db, shared: &SharedStore) -> Option<Self> {
        if !config.mode_migration {
            return None;
        }
        match (config.auth_mode, config.session_store, shared) {
            (AuthMode::Session, store, _) => Some(Former::Families {
                db: db.clone(),
                apart: store != SessionStoreKind::Database,
            }),
            (AuthMode::Jwt, SessionStoreKind::Memory, _) => None,
            (AuthMode::Jwt, SessionStoreKind::Redis, SharedStore::Redis(r)) => {
                Some(Former::Sessions {
                    store: Box::new(ConfiguredStore::Redis(RedisStore::new(r.clone()))),
                    db: db.clone(),
                })
            }
            (AuthMode::Jwt, ..) => Some(Former::Sessions {
                store: Box::new(ConfiguredStore::Database(DatabaseStore::new(db.clone()))),
                db: db.clone(),
            }),
        }
    }
}

impl Former {
    /// Session-mode records in Redis, which JWT mode does not read.
    fn sessions_apart(&self) -> Option<&RedisStore> {
        match self {
            Former::Sessions { store, .. } => match store.as_ref() {
                ConfiguredStore::Redis(redis) => Some(redis),
                _ => None,
            },
            Former::Families { .. } => None,
        }
    }

    /// Refresh families, where session mode keeps its sessions elsewhere.
    fn families_apart(&self) -> Option<&Db> {
        match self {
            Former::Families { db, apart: true } => Some(db),
            _ => None,
        }
    }

    /// The ids of `user_id`'s device sessions that this mode lists itself
    /// but the other mode made: where both keep them in the `sessions`
    /// table, a refresh family has refresh tokens and a session record has
    /// none.
    pub async fn waiting_here(&self, user_id: &str) -> Result<Vec<String>> {
        let (db, sql) = match self {
            Former::Families { db, apart: false } => (
                db,
                "SELECT s.id FROM sessions s WHERE s.user_id = $1 \
                 AND EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.session_id = s.id)",
            ),
            Former::Sessions { store, db } if matches!(**store, ConfiguredStore::Database(_)) => (
                db,
                "SELECT s.id FROM sessions s WHERE s.user_id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.session_id = s.id)",
            ),
            _ => return Ok(Vec::new()),
        };
        Ok(sqlx::query_scalar(sql).bind(user_id).fetch_all(db).await?)
    }

    /// The other mode's live device sessions of `user_id` that this mode
    /// does not list itself.
    pub async fn devices(&self, user_id: &str, now: i64) -> Result<Vec<DeviceSession>> {
        if let Some(store) = self.sessions_apart() {
            return store.list_user(user_id, now).await;
        }
        if let Some(db) = self.families_apart() {
            return live_of_user(db, user_id, now).await;
        }
        Ok(Vec::new())
    }

    /// Ends every device session `user_id` has in the other mode's records
    /// that this mode does not end itself; their ids.
    pub async fn end_user(&self, user_id: &str, now: i64, reason: &str) -> Result<Vec<String>> {
        if let Some(store) = self.sessions_apart() {
            let live = store.list_user(user_id, now).await?;
            store.remove_user(user_id).await?;
            return Ok(live.into_iter().map(|d| d.id).collect());
        }
        if let Some(db) = self.families_apart() {
            return families::revoke_user(db, user_id, now, reason).await;
        }
        Ok(Vec::new())
    }

    /// Ends the other mode's device session `device_id` of `user_id`, if it
    /// is one this mode does not end itself; whether it did.
    pub async fn end_device(
        &self,
        user_id: &str,
        device_id: &str,
        now: i64,
        reason: &str,
    ) -> Result<bool> {
        if let Some(store) = self.sessions_apart() {
            return store.remove_device(user_id, device_id).await;
        }
        if let Some(db) = self.families_apart() {
            return families::revoke_of_user(db, user_id, device_id, now, reason).await;
        }
        Ok(false)
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
            (Auth::Jwt(jwt), Former::Sessions { store, db }, Credential::Session(id)) => {
                let Some(hash) = stored_hash(id) else {
                    continue;
                };
                match take_session(store, db, &hash, now).await? {
                    Some(device) => Some(Issued::Tokens(jwt.adopt(device).await?)),
                    None => None,
                }
            }
            (Auth::Session(sessions), Former::Families { db, .. }, Credential::Refresh(t)) => {
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

/// The live session `hash`, removed from `store`; `None` (and removed all
/// the same) if its account was disabled or its password changed since the
/// session began: a store other than the database does not know.
async fn take_session(
    store: &ConfiguredStore,
    db: &Db,
    hash: &TokenHash,
    now: i64,
) -> Result<Option<DeviceSession>> {
    let Some(device) = store.find(hash, now).await? else {
        return Ok(None);
    };
    if !store.remove(hash).await? {
        return Ok(None);
    }
    let account: Option<(Option<i64>, i64)> =
        sqlx::query_as("SELECT disabled_at, password_changed_at FROM users WHERE id = $1")
            .bind(&device.user_id)
            .fetch_optional(db)
            .await?;
    Ok(match account {
        Some((None, changed_at)) if device.created_at >= changed_at => Some(device),
        _ => None,
    })
}

/// The live family whose current refresh token is `raw`, deleted with its
/// tokens. A family bound to a DPoP key is never carried over: a cookie
/// comes with no proof, and whoever copied a bound client's refresh token
/// into one would get a session without holding the key. Nor is one whose
/// tokens are for a resource server: a session is for Latchkey's own site
/// and API, more than that token was ever worth.
async fn take_family(db: &Db, raw: &str, now: i64) -> Result<Option<DeviceSession>> {
    if !token::is_well_formed(raw) {
        return Ok(None);
    }
    let hash = TokenHash::of(raw);
    let found = sqlx::query_as::<_, DeviceSession>(select_device!(
        "WHERE s.id = (SELECT session_id FROM refresh_tokens \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2) \
         AND s.revoked_at IS NULL AND u.disabled_at IS NULL AND s.dpop_jkt IS NULL AND s.audience IS NULL \
         AND s.created_at >= u.password_changed_at \
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
