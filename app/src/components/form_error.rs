//! The error line under a form.

use leptos::prelude::*;

use crate::AppError;

/// Shows the error of the last submission, announced to screen readers.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <Show when=move || error.get().is_some()>
            <p class="form-error" role="alert">
                {move || error.get().map(|e| e.message)}
            </p>
        </Show>
    }
}

/// The error of an action's last run, if it failed.
pub fn action_error<I, O>(
    action: leptos::prelude::Action<I, Result<O, AppError>>,
) -> Signal<Option<AppError>>
where
    I: Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}
