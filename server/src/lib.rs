//! Latchkey's server side: configuration, the database, accounts and the
//! authentication core. Native only: nothing here enters the wasm bundle.
//!
//! The `app` crate's server functions are thin adapters over this crate; the
//! JSON API and health routes in [`http`] use it directly.

// jsonwebtoken picks its crypto provider from its own features and, with both
// or neither, panics on first use: fail the build instead.
#[cfg(all(feature = "rust_crypto", feature = "aws_lc_rs"))]
compile_error!("enable exactly one of the server features `rust_crypto` and `aws_lc_rs`, not both");
#[cfg(not(any(feature = "rust_crypto", feature = "aws_lc_rs")))]
compile_error!("enable one of the server features `rust_crypto` and `aws_lc_rs`");

pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod http;
pub mod redis_client;
pub mod state;
pub mod telemetry;
pub mod testing;
pub mod users;

pub use error::{Error, Result};
pub use state::AppState;
