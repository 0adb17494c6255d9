//! A form refused without JavaScript comes back filled in.
//!
//! A plain form post that breaks a rule is answered with a redirect back to
//! the form. The server keeps what the person typed (the username, never a
//! password) and the error in a short-lived cookie instead of the URL
//! (`routing::refused_form`), and hands them to the page it renders next as
//! [`RefusedForm`]. With JavaScript the form never leaves the page, so there
//! is nothing to keep.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// What a refused plain form post left for its page: which server
/// function refused it and the username it carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusedForm {
    pub path: String,
    pub username: Option<String>,
}

/// The username the form of server function `S` was refused with, to put
/// back in its field.
pub fn kept_username<S: ServerFn>() -> Option<String> {
    use_context::<RefusedForm>()
        .filter(|r| r.path == S::PATH)
        .and_then(|r| r.username)
}
