//! What the server sends the browser, defined once.
//!
//! The app is built twice: for the server, where it calls the `server`
//! crate, and for the browser, as WebAssembly, where it must not. The shapes
//! its pages show cross between the two builds as JSON (server functions)
//! and some are the JSON API's too (`/api/devices`, `/api/activity`, `/api/passkeys`), so
//! they live here, in a crate both sides depend on: the server fills them,
//! the pages read them, and a field cannot be added on one side only. Serde
//! and the calendar are all it needs, so it adds nothing of the server to
//! the bundle.
//!
//! [`format`] is here for the same reason: the text of a time must read the
//! same in the server's render and the browser's, and in the sentences the
//! server writes into these shapes.

pub mod account;
pub mod device;
pub mod format;
pub mod inspect;
pub mod mode;
pub mod security;
pub mod tradeoffs;

pub use mode::Mode;

#[cfg(test)]
mod round_trip;
