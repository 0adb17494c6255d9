//! Sign-in methods: the ways a person proves who they are, a password
//! ([`password`], argon2id) or a passkey ([`passkey`], WebAuthn), kept apart
//! from the backends that remember that they did ([`crate::auth`]: sessions
//! or JWTs). The accounts service ([`crate::accounts`]) checks a proof here,
//! then asks the configured backend to start a sign-in; the backends never
//! learn how the proof was made.
//!
//! A method that takes more than one request keeps its state on the server
//! between them, in the shared store: a WebAuthn challenge for one use
//! ([`ceremony`]), a device authorization request until it is decided and
//! its tokens handed out ([`device_code`]).

pub mod ceremony;
pub mod device_code;
pub mod passkey;
pub mod password;
