//! The server's error type and its HTTP meaning.
//!
//! `Display` is written for people; internals (SQL errors, hashing failures)
//! are logged where they are turned into a response, never sent to clients.

use http::StatusCode;

/// Result with the server's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input breaks a rule; the message says which.
    #[error("{0}")]
    Invalid(String),
    /// Named inputs of a form break rules, each told apart so the form can
    /// mark the field (every field that is wrong, not the first).
    #[error("{}", .0.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join(" "))]
    Fields(Vec<FieldProblem>),
    /// Unknown user, wrong password or disabled account: deliberately one case.
    #[error("Incorrect username or password.")]
    InvalidCredentials,
    /// A passkey sign-in was refused; deliberately one case, whatever the
    /// reason (unknown key, bad signature, another site, a disabled account).
    #[error("That passkey could not sign you in. Try again, or sign in with your password.")]
    PasskeyRefused,
    /// The username is in use (told by the unique index, not by a read first).
    #[error("That username is already taken. Please choose another.")]
    UsernameTaken,
    /// Too many failed sign-ins for this account or client: wait this many
    /// seconds. Said the same way whether or not the account exists.
    #[error("Too many failed sign-in attempts. Please wait {} and try again.", describe_wait(*.0))]
    Throttled(i64),
    /// A page or action needs a signed-in user, and nobody is.
    #[error("You need to sign in to see this.")]
    NotSignedIn,
    /// Signed in, but the action needs a more recent proof of who the user
    /// is than this sign-in.
    #[error("For this, please confirm it is you: sign in again.")]
    ProveAgain,
    /// There is no such thing for this caller (e.g. a device session that is
    /// not one of theirs): the message says what.
    #[error("{0}")]
    NotFound(String),
    /// The server cannot do this in its configuration (e.g. the token
    /// endpoint's password grant in session mode); the message says why.
    #[error("{0}")]
    Unsupported(String),
    /// A store did not answer in time.
    #[error("The service is temporarily unavailable. Please try again in a moment.")]
    Unavailable,
    /// A database fault.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A Redis fault; every one means the store is out of reach or refused.
    #[error("redis error: {0}")]
    Redis(#[from] redis::RedisError),
    /// Any other internal fault.
    #[error("internal error: {0}")]
    Internal(String),
}

/// One form field's broken rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field's name in the form (`username`, `new_password`).
    pub field: &'static str,
    pub message: String,
}

impl Error {
    /// `field` breaks the rule `message` says.
    pub fn field(field: &'static str, message: impl Into<String>) -> Self {
        Error::Fields(vec![FieldProblem {
            field,
            message: message.into(),
        }])
    }

    /// Fails with the rules the named fields break (`Some(message)`), all
    /// of them in one error; passes when every field is fine (`None`).
    pub fn check_fields(
        checks: impl IntoIterator<Item = (&'static str, Option<String>)>,
    ) -> Result<()> {
        let problems: Vec<FieldProblem> = checks
            .into_iter()
            .filter_map(|(field, message)| message.map(|message| FieldProblem { field, message }))
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Fields(problems))
        }
    }

    /// The HTTP status this error stands for.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Invalid(_) | Error::Fields(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Unsupported(_) => StatusCode::BAD_REQUEST,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::InvalidCredentials
            | Error::PasskeyRefused
            | Error::NotSignedIn
            | Error::ProveAgain => StatusCode::UNAUTHORIZED,
            Error::UsernameTaken => StatusCode::CONFLICT,
            Error::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable | Error::Redis(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Database(e) if is_unavailable(e) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Database(_) | Error::Migrate(_) | Error::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// Seconds a client should wait before trying again, when known.
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            Error::Throttled(secs) => Some(*secs),
            _ if self.status() == StatusCode::SERVICE_UNAVAILABLE => Some(5),
            _ => None,
        }
    }

    /// A message safe to show to anybody: internals are replaced by a generic
    /// sentence (and should be logged by the caller).
    pub fn public_message(&self) -> String {
        match self.status() {
            StatusCode::SERVICE_UNAVAILABLE => Error::Unavailable.to_string(),
            StatusCode::INTERNAL_SERVER_ERROR => {
                "Something went wrong on our side. Please try again.".to_string()
            }
            _ => self.to_string(),
        }
    }
}

/// A wait as a person reads it: "12 seconds", "3 minutes".
pub fn describe_wait(secs: i64) -> String {
    views::format::duration(secs)
}

/// Errors that mean "the database is out of reach", not "the query is wrong".
fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        // PostgreSQL: class 08 connection exception, 57 operator intervention
        // (shutdown, statement timeout), 53 insufficient resources.
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57") || c.starts_with("53")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_never_reach_the_public_message() {
        let e = Error::Database(sqlx::Error::Protocol("secret table xyz".into()));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.public_message().contains("xyz"));
        let e = Error::Database(sqlx::Error::PoolTimedOut);
        assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn user_errors_keep_their_message() {
        let e = Error::Invalid("Username is too short.".into());
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.public_message(), "Username is too short.");
        assert_eq!(Error::UsernameTaken.status(), StatusCode::CONFLICT);
        assert_eq!(Error::InvalidCredentials.status(), StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn field_problems_name_every_broken_field() {
        let e = Error::check_fields([
            ("username", Some("Too short.".to_string())),
            ("password", None),
            ("email", Some("Not an address.".to_string())),
        ])
        .expect_err("two fields are wrong");
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.public_message(), "Too short. Not an address.");
        let Error::Fields(problems) = e else { panic!() };
        let names: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(names, ["username", "email"]);
        assert!(Error::check_fields([("username", None)]).is_ok());
    }
}
