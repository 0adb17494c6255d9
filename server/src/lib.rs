//! Latchkey's server side: configuration, the database, accounts and the
//! authentication core. Native only: nothing here enters the wasm bundle.
//!
//! The `app` crate's server functions are thin adapters over this crate; the
//! JSON API and health routes in [`http`] use it directly.

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
