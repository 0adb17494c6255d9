//! Sign-in methods: the ways a person proves who they are, a password
//! ([`password`], argon2id) or a passkey ([`passkey`], WebAuthn), kept apart
//! from the backends that remember that they did ([`crate::auth`]: sessions
//! or JWTs). The accounts service ([`crate::accounts`]) checks a proof here,
//! then asks the configured backend to start a sign-in; the backends never
//! learn how the proof was made.
//!
//! A method that takes more than one request (a WebAuthn challenge, later a
//! second factor or a device code) keeps its state on the server between
//! them, in the shared store, for one use ([`ceremony`]).

pub mod ceremony;
pub mod passkey;
pub mod password;
