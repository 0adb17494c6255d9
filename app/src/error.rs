//! The error type that crosses the wire: small, serialisable, safe to show.
//!
//! Server functions return `Result<T, AppError>`. The error carries its HTTP
//! status; the server applies it where the response is made (the server
//! function wrapper in `api::context`, and the router for errors raised
//! before a body runs). A plain HTML form post is answered with a redirect
//! back to the form and the error in the URL instead, for the page to show.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// An error a person can read, with its HTTP status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub status: u16,
    pub message: String,
    /// Seconds to wait before trying again (`429`, `503`); sent as
    /// `Retry-After` too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<i64>,
    /// The form fields that break a rule, each with its own message (the
    /// form marks them); `message` then holds all of them in one line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// One form field's broken rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl AppError {
    /// An error with `status` and `message`.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        AppError {
            status,
            message: message.into(),
            retry_after: None,
            fields: Vec::new(),
        }
    }

    /// The message for the form field `name`, when it breaks a rule.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.field == name)
            .map(|f| f.message.as_str())
    }

    /// `401`: the caller must sign in.
    pub fn unauthorized() -> Self {
        Self::new(401, "You need to sign in to see this.")
    }

    /// `500` without details.
    pub fn internal() -> Self {
        Self::new(500, "Something went wrong on our side. Please try again.")
    }

    /// The HTTP status.
    pub fn status(&self) -> http::StatusCode {
        http::StatusCode::from_u16(self.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// Gives the page being rendered on the server this error's status
    /// (pages render completely before their headers are sent). In the
    /// browser there is no response to change.
    pub fn set_page_status(&self) {
        #[cfg(feature = "ssr")]
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(self.status());
        }
    }

    /// Whether this means "not signed in".
    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::Deserialization(detail) => {
                AppError::new(
                    400,
                    format!("The request is missing a field or is malformed ({detail})."),
                )
            }
            ServerFnErrorErr::UnsupportedRequestMethod(m) => {
                AppError::new(405, format!("Method {m} is not allowed here."))
            }
            ServerFnErrorErr::Request(_) => AppError::new(
                503,
                "Could not reach the server. Check your connection and try again.",
            ),
            _ => AppError::internal(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<server::Error> for AppError {
    fn from(e: server::Error) -> Self {
        let status = e.status();
        if status.is_server_error() {
            tracing::error!(error = %e, "request failed");
        }
        let fields = match &e {
            server::Error::Fields(problems) => problems
                .iter()
                .map(|p| FieldError {
                    field: p.field.to_string(),
                    message: p.message.clone(),
                })
                .collect(),
            // The sign-up form marks the name that is taken.
            server::Error::UsernameTaken => vec![FieldError {
                field: "username".into(),
                message: e.to_string(),
            }],
            _ => Vec::new(),
        };
        AppError {
            retry_after: e.retry_after(),
            fields,
            ..AppError::new(status.as_u16(), e.public_message())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_roundtrip_as_json() {
        let e = AppError::new(409, "That username is already taken.");
        let bytes = e.ser();
        assert_eq!(AppError::de(bytes), e);
    }

    #[test]
    fn field_errors_roundtrip_and_are_found_by_name() {
        let e = AppError {
            fields: vec![FieldError {
                field: "username".into(),
                message: "A username has 3 to 32 characters.".into(),
            }],
            ..AppError::new(422, "A username has 3 to 32 characters.")
        };
        let back = AppError::de(e.ser());
        assert_eq!(back, e);
        assert_eq!(
            back.field("username"),
            Some("A username has 3 to 32 characters.")
        );
        assert_eq!(back.field("password"), None);
    }

    #[test]
    fn malformed_arguments_are_a_400() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Args(
            "missing field `password`".into(),
        ));
        assert_eq!(e.status, 400);
        assert!(e.message.contains("password"));
    }
}
