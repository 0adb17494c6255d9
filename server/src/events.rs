//! The append-only audit trail (`auth_events`).
//!
//! Writing an event never fails the request that caused it: a failed insert is
//! logged and the request goes on.

use crate::auth::token;
use crate::db::Db;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    SignUp,
    SignInOk,
    SignInFailed,
    SignInThrottled,
    SignOut,
    PasswordChanged,
}

impl EventKind {
    fn as_str(self) -> &'static str {
        match self {
            EventKind::SignUp => "sign_up",
            EventKind::SignInOk => "sign_in_ok",
            EventKind::SignInFailed => "sign_in_failed",
            EventKind::SignInThrottled => "sign_in_throttled",
            EventKind::SignOut => "sign_out",
            EventKind::PasswordChanged => "password_changed",
        }
    }
}

/// One audit record.
#[derive(Debug)]
pub struct Event<'a> {
    pub kind: EventKind,
    pub at: i64,
    pub user_id: Option<&'a str>,
    pub username: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// Appends `event`; failures are logged, not returned.
pub async fn record(db: &Db, event: Event<'_>) {
    let result = sqlx::query(
        "INSERT INTO auth_events (id, at, kind, user_id, username, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(token::new_id())
    .bind(event.at)
    .bind(event.kind.as_str())
    .bind(event.user_id)
    .bind(event.username)
    .bind(event.ip)
    .bind(event.user_agent)
    .execute(db)
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, kind = event.kind.as_str(), "could not record auth event");
    }
}
