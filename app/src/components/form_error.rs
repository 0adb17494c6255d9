//! The error line under a form.

use leptos::prelude::*;

use crate::{use_viewer, AppError, AuthEpoch};

/// Shows the error of the last submission, announced to screen readers.
///
/// A form refused because the sign-in had ended (in another tab, on
/// another device, or by expiry) makes the tab ask again who is signed in:
/// the header stops naming the old user, and a signed-in page sends the
/// person to sign in (its data is refused too), so the screen never says
/// "signed in" and "you need to sign in" at once.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let viewer = use_viewer();
    Effect::new(move |_| {
        let refused = error.get().is_some_and(|e| e.is_unauthorized());
        // Only a tab that believes it is signed in is out of date (a wrong
        // password on the sign-in form is refused with 401 too).
        let believed_signed_in = viewer
            .get_untracked()
            .and_then(|v| v.ok())
            .is_some_and(|v| v.user.is_some());
        if refused && believed_signed_in {
            epoch.bump();
        }
    });
    // With fields marked, the line under each says what is wrong there;
    // this one says where to look (and is what a screen reader announces).
    let text = move || {
        error.get().map(|e| match e.fields.len() {
            0 => e.message,
            1 => "Please correct the field marked below.".to_string(),
            _ => "Please correct the fields marked below.".to_string(),
        })
    };
    view! {
        <Show when=move || error.get().is_some()>
            <p class="form-error" role="alert">{text}</p>
        </Show>
    }
}

/// The message for the form field `name` in the last submission's error.
pub fn field_error(error: Signal<Option<AppError>>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.field(name).map(str::to_owned)))
}

/// The line under the input `name` saying which rule it breaks, with the id
/// (`{name}-error`) the input's `aria-describedby` names; empty otherwise.
#[component]
pub fn FieldMessage(error: Signal<Option<String>>, name: &'static str) -> impl IntoView {
    view! {
        <p id=format!("{name}-error") class="field-error" hidden=move || error.get().is_none()>
            {move || error.get()}
        </p>
    }
}

/// `aria-invalid` for an input whose field `error` holds a message.
pub fn invalid(error: Signal<Option<String>>) -> impl Fn() -> Option<&'static str> + Copy {
    move || error.get().map(|_| "true")
}

/// The error of an action's last run, if it failed, from the action's
/// `value`.
///
/// `Action::value` and `Action::pending` make a new signal at each call:
/// pages call them once and pass or read that signal, not the action.
pub fn action_error<O>(value: MappedSignal<Option<Result<O, AppError>>>) -> Signal<Option<AppError>>
where
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(|r| r.err()))
}
