//! Latchkey's user interface: pages, components and server functions.
//!
//! Compiles for the browser (feature `hydrate`) and the server (feature
//! `ssr`). Only the `ssr` build depends on the `server` crate, so database,
//! hashing and token code never enter the wasm bundle.

pub mod api;
pub mod assets;
pub mod components;
pub mod error;
pub mod pages;
pub mod renewal;
#[cfg(all(test, feature = "ssr"))]
mod route_list_lock;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod routing;
mod shell;
pub mod viewer;

pub use error::AppError;
pub use shell::{shell, App};
pub use viewer::{use_viewer, AuthEpoch, ViewerResource};
