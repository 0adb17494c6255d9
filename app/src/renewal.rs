//! JWT mode in the browser: the access token is renewed shortly before it
//! expires, so an open tab stays signed in without a page load. (Without
//! JavaScript the server renews it on the next request instead.)
//!
//! A renewal never overlaps a request of this tab that changes who is
//! signed in. Such a request (a new password, signing out, ending every
//! device) ends the old credentials on the server and answers with new
//! cookies, or with none. A renewal sent meanwhile still carries the old
//! refresh token: it is refused, and its answer clears the auth cookies.
//! Arriving after the change's answer, that would throw away what the change
//! just handed out, and a password change would sign out the very tab that
//! made it. So those requests are counted in [`AuthChanges`] while they are
//! in flight, and the renewal waits until none is left. A renewal already in
//! flight when a change starts is not held back: after a sign-out either
//! answer leaves the tab signed out, and a password change checks the
//! current password (a deliberately slow hash) before it ends anything, so
//! the renewal is answered first.
//!
//! Other tabs of the same browser share the cookies but not this count:
//! holding them too would take the Web Locks API, which `web-sys` still
//! marks unstable.

use std::time::Duration;

use leptos::prelude::*;

use crate::api::Viewer;
use crate::{AppError, AuthEpoch};

/// How many requests of this tab that change who is signed in are in
/// flight; renewals wait while it is above zero.
///
/// Only the browser counts: the server renders a page once and renews
/// nothing, so there the type is empty and a page pays for no signal and no
/// context lookup.
#[derive(Clone, Copy)]
pub struct AuthChanges {
    #[cfg(feature = "hydrate")]
    in_flight: RwSignal<u32>,
}

#[cfg(feature = "hydrate")]
impl AuthChanges {
    /// The tab's count, none in flight (provided by the app).
    pub fn provide() {
        provide_context(Self {
            in_flight: RwSignal::new(0),
        });
    }

    fn add(self, started: bool) {
        self.in_flight.try_update(|n| {
            *n = if started {
                n.saturating_add(1)
            } else {
                n.saturating_sub(1)
            }
        });
    }
}

impl AuthChanges {
    /// Counts an action's request while `pending` says it is in flight (and
    /// stops counting it if the form goes away first).
    pub fn track(self, pending: Memo<bool>) {
        #[cfg(feature = "hydrate")]
        {
            use std::sync::atomic::{AtomicBool, Ordering};
            use std::sync::Arc;

            let counted = Arc::new(AtomicBool::new(false));
            let mine = counted.clone();
            Effect::new(move |_| {
                let now = pending.get();
                if mine.swap(now, Ordering::Relaxed) != now {
                    self.add(now);
                }
            });
            on_cleanup(move || {
                if counted.swap(false, Ordering::Relaxed) {
                    self.add(false);
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = pending;
    }

    /// Runs `change`, counted until it is answered.
    pub async fn during<T>(self, change: impl std::future::Future<Output = T>) -> T {
        #[cfg(feature = "hydrate")]
        self.add(true);
        let out = change.await;
        #[cfg(feature = "hydrate")]
        self.add(false);
        out
    }
}

/// The tab's [`AuthChanges`].
pub fn use_auth_changes() -> AuthChanges {
    #[cfg(feature = "hydrate")]
    return expect_context::<AuthChanges>();
    #[cfg(not(feature = "hydrate"))]
    AuthChanges {}
}

/// Renews the access token `viewer` says is about to expire, when no change
/// of who is signed in is in flight; then asks again who is signed in.
pub fn keep_access_token_fresh(
    viewer: Resource<Result<Viewer, AppError>>,
    epoch: AuthEpoch,
    changes: AuthChanges,
) {
    #[cfg(feature = "hydrate")]
    {
        // When to renew, fixed when the viewer arrives (milliseconds since
        // the epoch): a timer armed again after a change keeps the time.
        let due = Memo::new(move |_| {
            let v = viewer.get()?.ok()?;
            let secs = v.access_expires_in.filter(|_| v.user.is_some())?;
            Some(js_sys::Date::now() + refresh_delay(secs).as_millis() as f64)
        });
        Effect::new(move |_| {
            let Some(due) = due.get() else { return };
            if changes.in_flight.get() > 0 {
                // The change's answer sets the credentials (and bumps the
                // epoch); this runs again when it is in.
                return;
            }
            let wait = (due - js_sys::Date::now()).max(0.0) as u64;
            let handle = set_timeout_with_handle(
                move || {
                    leptos::task::spawn_local(async move {
                        // Success or not, who is signed in may have changed.
                        let _ = crate::api::refresh().await;
                        epoch.bump();
                    })
                },
                Duration::from_millis(wait),
            );
            if let Ok(handle) = handle {
                on_cleanup(move || handle.clear());
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (viewer, epoch, changes);
}

/// When to renew a token that expires in `secs`: a minute early, or after
/// three quarters of a short lifetime.
// Only the browser build renews; the server build runs the test.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn refresh_delay(secs: i64) -> Duration {
    let ms = if secs > 120 {
        (secs - 60) * 1000
    } else {
        secs * 750
    };
    Duration::from_millis(ms.max(500) as u64)
}

#[cfg(test)]
mod tests {
    use super::refresh_delay;
    use std::time::Duration;

    #[test]
    fn renews_before_expiry() {
        assert_eq!(refresh_delay(1800), Duration::from_secs(1740));
        assert_eq!(refresh_delay(2), Duration::from_millis(1500));
        assert_eq!(refresh_delay(0), Duration::from_millis(500));
    }
}
