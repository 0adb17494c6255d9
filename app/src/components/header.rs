//! The site header: brand, the active mode, and who is signed in.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::sign_out::SignOutForm;
use crate::{use_viewer, AuthEpoch};

/// The header, with a sign-out button when signed in.
#[component]
pub fn Header() -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let viewer = use_viewer();
    keep_access_token_fresh(viewer, epoch);
    view! {
        <header class="site-header">
            <div class="container header-row">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"⚿"</span>
                    "Latchkey"
                </A>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let viewer = viewer.await.ok()?;
                        let mode = viewer.mode;
                        Some(view! {
                            <span class="pill mode-badge" title=format!("Chosen by {}", mode.setting())>
                                {mode.name()}
                            </span>
                            <nav class="nav" aria-label="Account">
                                <A href="/inspect" attr:class="nav-link">"Inspector"</A>
                                {match viewer.user {
                                    Some(user) => view! {
                                        <A href="/account" attr:class="nav-link" exact=true>"Account"</A>
                                        <A href="/account/devices" attr:class="nav-link">"Devices"</A>
                                        <A href="/account/activity" attr:class="nav-link">"Activity"</A>
                                        // Kept together: on a phone they share
                                        // a row, the button at its edge.
                                        <span class="session">
                                            <span class="who">
                                                "Signed in as " <strong>{user.username}</strong>
                                            </span>
                                            <SignOutForm class="button button-quiet" />
                                        </span>
                                    }
                                    .into_any(),
                                    None => view! {
                                        <span class="session">
                                            <A href="/login" attr:class="nav-link">"Sign in"</A>
                                            <A href="/signup" attr:class="button">"Create account"</A>
                                        </span>
                                    }
                                    .into_any(),
                                }}
                            </nav>
                        })
                    })}
                </Transition>
            </div>
        </header>
    }
}

/// JWT mode, in the browser: renews the access token shortly before it
/// expires, so an open tab stays signed in without a page load. (Without
/// JavaScript, the server renews it on the next request instead.)
fn keep_access_token_fresh(
    viewer: Resource<Result<crate::api::Viewer, crate::AppError>>,
    epoch: AuthEpoch,
) {
    Effect::new(move |_| {
        let Some(Ok(v)) = viewer.get() else { return };
        let (Some(secs), Some(_)) = (v.access_expires_in, v.user) else {
            return;
        };
        let handle = set_timeout_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    // Success or not, who is signed in may have changed.
                    let _ = crate::api::refresh().await;
                    epoch.bump();
                })
            },
            refresh_delay(secs),
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    });
}

/// When to renew a token that expires in `secs`: a minute early, or after
/// three quarters of a short lifetime.
fn refresh_delay(secs: i64) -> std::time::Duration {
    let ms = if secs > 120 {
        (secs - 60) * 1000
    } else {
        secs * 750
    };
    std::time::Duration::from_millis(ms.max(500) as u64)
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
