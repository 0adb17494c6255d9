//! One module per page.

pub mod account;
pub mod activity;
pub mod device;
pub mod devices;
pub mod home;
pub mod inspect;
pub mod login;
pub mod not_found;
pub mod security;
pub mod signup;
pub mod tradeoffs;
