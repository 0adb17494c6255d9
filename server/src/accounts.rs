//! The accounts service: every use case of signing in and out, over the
//! application state, for every transport.
//!
//! Server functions, the token endpoints and the resolver middleware all call
//! these functions, so throttling, the audit trail and the metrics happen in
//! one place whether a request came from a browser form, a hydrated page or
//! an API client. Functions take typed credentials and return what was
//! [`Issued`]; turning those into cookies or JSON is the adapters' job
//! ([`crate::http`]). None of this knows which mode is configured.

mod activity;
mod audit;
mod changes;
mod device_grant;
mod devices;
mod grants;
mod overview;
mod passkey_sign_in;
mod passkeys;
mod reauth;
mod renewal;
mod resolve;
mod sign_in;

pub use activity::{activity, PAGE_SIZE};
pub use changes::{change_password, disable_user, enable_user, end_disabled_since};
pub use device_grant::{
    decide_device, device_request, device_token, request_device_code, DeviceTokens,
};
pub use devices::{
    device_list, device_views, devices, end_all_devices, end_device, end_other_devices,
    revoke_this_device, Device,
};
pub use overview::overview;
pub use passkey_sign_in::{passkey_sign_in, passkey_sign_in_options};
pub use passkeys::{
    add_passkey, passkey_registration_options, passkeys, remove_passkey, rename_passkey, security,
    Options,
};
pub use reauth::{confirm, CONFIRM_FIELD};
pub use renewal::{renew, revoke_token, sign_out, token_refresh};
pub use resolve::{resolve, Resolution};
pub use sign_in::{authenticate, sign_in, sign_up, token_sign_in};
