//! Latchkey's server side: configuration, the database, accounts and the
//! authentication core. Native only: nothing here enters the wasm bundle.
//!
//! Three layers, each knowing less than the one above: the transport
//! adapters ([`http`], and the `app` crate's server functions), the accounts
//! service ([`accounts`]), and the authentication backends and stores
//! ([`auth`]). Base modules (config, data_dir, db, users, events, random, errors)
//! import nothing from them.

// jsonwebtoken picks its crypto provider from its own features and, with both
// or neither, panics on first use: fail the build instead.
#[cfg(all(feature = "rust_crypto", feature = "aws_lc_rs"))]
compile_error!("enable exactly one of the server features `rust_crypto` and `aws_lc_rs`, not both");
#[cfg(not(any(feature = "rust_crypto", feature = "aws_lc_rs")))]
compile_error!("enable one of the server features `rust_crypto` and `aws_lc_rs`");

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod clock;
pub mod config;
pub mod data_dir;
pub mod db;
pub mod describe;
pub mod error;
pub mod events;
pub mod http;
pub mod inspect;
pub mod maintenance;
pub mod methods;
pub mod metrics;
pub mod names;
pub mod probe;
pub mod random;
pub mod redis_client;
pub mod shared_store;
pub mod state;
pub mod telemetry;
pub mod testing;
pub mod users;

pub use error::{Error, Result};
pub use state::AppState;
