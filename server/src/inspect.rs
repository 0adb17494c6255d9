//! What the server shows of itself: the inspector (`/inspect`: what a
//! request carried, what the server did with it, what it keeps) and the
//! live half of `/tradeoffs`, assembled here into the [`views`] the pages
//! show, so the app only maps a request to one call.
//!
//! Read without ever handing out a credential: cookies by name, size and
//! the hash the server keeps; an access token opened into its decoded
//! parts; the refresh chain behind a JWT device session.

mod chain;
pub mod cookies;
mod inspection;
mod measured;
mod opened;
mod refusal;
pub mod token;
mod tradeoffs;

pub use chain::{family_end, hash_prefix, refresh_chain, ChainLink, HASH_PREFIX};
pub use inspection::{inspection, ThisRequest};
pub use measured::bundled;
pub use refusal::recheck;
pub use tradeoffs::live;
