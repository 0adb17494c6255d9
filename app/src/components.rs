//! Pieces shared by several pages.

pub mod already_signed_in;
pub mod awaited;
pub mod form_error;
pub mod header;
pub mod keep_signed_in;
pub mod local_time;
pub mod passkey_script;
pub mod refused_form;
pub mod relative_time;
pub mod sign_out;
pub mod signed_in;
