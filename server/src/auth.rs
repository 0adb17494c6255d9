//! Authentication: who is calling, and the ways to become somebody.
//!
//! Three layers, each knowing less than the one above:
//! - the transport adapters ([`crate::http`]) turn a request into typed
//!   [`Credential`]s and write what was [`Issued`] back as cookies or JSON;
//! - the accounts service ([`crate::accounts`]) runs the use cases (sign-in,
//!   renewal, sign-out, …) with throttling and the audit trail, for every
//!   transport alike;
//! - the backends here, behind the transport-free [`AuthBackend`] trait:
//!   credentials in, an [`Identity`] or issued credentials out.
//!
//! Only this module and the composition root ([`crate::state`]) know which
//! mode is configured; everything else asks [`Auth`].

mod amr;
mod backend;
mod client;
mod configured;
mod credentials;
pub mod device;
pub mod dpop;
#[cfg(test)]
mod fuzz;
mod identity;
pub mod jwt;
pub mod migration;
mod require;
pub mod session;
pub mod throttle;
pub mod token;

pub use amr::Amr;
pub use backend::{AuthBackend, Ended, Refusal};
pub use client::ClientMeta;
pub use configured::Auth;
pub use credentials::{AccessToken, Credential, Issued, RefreshToken, SessionId, TokenPair};
pub use device::DeviceSession;
pub use identity::{Caller, Identity};
pub use jwt::JwtBackend;
pub use require::{Denied, Proof, ReauthWindow};
pub use session::SessionBackend;
