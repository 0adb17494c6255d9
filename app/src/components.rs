//! Pieces shared by several pages.

pub mod form_error;
pub mod header;
pub mod keep_signed_in;
pub mod local_time;
pub mod signed_in;
