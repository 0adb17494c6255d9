//! Who is looking: the viewer resource every page shares, and the epoch
//! that makes it ask again when this tab signs in or out, or comes back
//! into view.

use leptos::prelude::*;

use crate::api::{self, Viewer};
use crate::AppError;

/// Bumped whenever this tab signs in or out, so views that show the
/// signed-in user fetch it again.
#[derive(Clone, Copy)]
pub struct AuthEpoch(pub RwSignal<u32>);

impl AuthEpoch {
    /// Marks that who is signed in has changed.
    pub fn bump(self) {
        self.0.update(|n| *n = n.wrapping_add(1));
    }
}

/// Who is looking and in which mode: one resource per page load, shared by
/// the header and the page, so a render asks the server once. Refetched
/// when this tab signs in or out ([`AuthEpoch`]).
#[derive(Clone, Copy)]
pub struct ViewerResource(pub Resource<Result<Viewer, AppError>>);

/// The page's [`ViewerResource`].
pub fn use_viewer() -> Resource<Result<Viewer, AppError>> {
    expect_context::<ViewerResource>().0
}

/// A tab coming back into view asks again who is signed in, so a sign-out
/// in another tab or on another device shows here (a signed-in page then
/// goes to sign in) without a reload.
pub(crate) fn recheck_when_shown(epoch: AuthEpoch) {
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener_untyped("visibilitychange", move |_| {
            if !document().hidden() {
                epoch.bump();
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = epoch;
}

/// Provides the [`AuthEpoch`] and the [`ViewerResource`] of a page load.
pub(crate) fn provide() -> AuthEpoch {
    let epoch = AuthEpoch(RwSignal::new(0));
    provide_context(epoch);
    provide_context(ViewerResource(Resource::new(
        move || epoch.0.get(),
        |_| api::get_viewer(),
    )));
    epoch
}
