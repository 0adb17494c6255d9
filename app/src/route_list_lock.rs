//! One lock for the tests of this crate that render on the server and the
//! one that generates the route list.
//!
//! While Leptos generates a route list it suppresses resource loads in the
//! whole process (leptos-rs/leptos#4773, see `routing::page_routes`), so a
//! render in another test thread at that moment waits forever for a
//! resource that never starts. A server generates the list once, before it
//! renders anything; the tests take this lock to keep the same order.

/// Held while generating the route list, and while rendering in a test.
pub static ROUTE_LIST: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
