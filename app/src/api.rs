//! Server functions: the public endpoints behind the forms, also usable as
//! plain HTML form posts. Each is a thin adapter: read the request context,
//! call one `server::` function, hand back its [`views`] shape.

pub mod account;
#[cfg(feature = "ssr")]
pub mod context;
pub mod credentials;
pub mod device;
pub mod devices;
pub mod inspect;
pub mod security;
pub mod tradeoffs;
pub mod viewer;

pub use account::account;
pub use credentials::{
    change_password, kept, refresh, sign_in, sign_out, sign_up, ChangePassword, Refresh, SignIn,
    SignOut, SignUp,
};
pub use viewer::{get_viewer, UserView, Viewer};
pub use views::account::AccountView;
pub use views::Mode;
