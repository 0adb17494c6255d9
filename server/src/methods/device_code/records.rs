//! What a device authorization request is, as the stores keep it and the
//! callers see it: the user code, the request, where it stands, and the
//! answer to a poll.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::auth::Amr;

/// How long a request may wait for the person (RFC 8628 `expires_in`).
pub const LIFETIME_SECS: i64 = 600;
/// How long after that a poll is still told `expired_token` rather than
/// that the code is unknown.
pub const KEPT_AFTER_SECS: i64 = 600;
/// What a client that polls too soon must add to its interval (§3.5).
pub const SLOW_DOWN_SECS: i64 = 5;

/// The letters of a user code: RFC 8628 §6.1's base-20 set, consonants
/// only.
pub(super) const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LEN: usize = 8;

/// A user code in its canonical form: eight capitals, shown as
/// `XXXX-XXXX`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UserCode(String);

impl UserCode {
    pub(super) fn random() -> Self {
        let mut code = String::with_capacity(USER_CODE_LEN);
        while code.len() < USER_CODE_LEN {
            let mut byte = [0u8; 1];
            getrandom::fill(&mut byte).expect("the operating system's random source failed");
            // 240 is the largest multiple of 20 a byte holds: rejecting
            // the rest keeps every letter equally likely.
            if byte[0] < 240 {
                code.push(ALPHABET[usize::from(byte[0] % 20)] as char);
            }
        }
        UserCode(code)
    }

    /// What a person typed, read forgivingly: any case, with or without
    /// the dash or spaces. `None` if it cannot be a user code.
    pub fn parse(typed: &str) -> Option<Self> {
        let code: String = typed
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}'..='\u{2015}'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        (code.len() == USER_CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b)))
            .then_some(UserCode(code))
    }

    /// The stored form, without the dash.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..4], &self.0[4..])
    }
}

/// What a client asked for, as the person deciding sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRequest {
    /// The name the client gave (`client_id`): public clients are not
    /// registered, so it is what the client says it is.
    pub client_id: String,
    /// The service the tokens are for (RFC 8707); `None`: Latchkey's API.
    pub resource: Option<String>,
    /// The DPoP key (RFC 7638 thumbprint) that asked: only a proof by it
    /// redeems the request.
    pub key: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A request just made: what the client is told.
#[derive(Clone, Debug)]
pub struct Begun {
    pub device_code: String,
    pub user_code: UserCode,
    pub expires_in: i64,
    pub interval: i64,
}

/// The person's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve { user_id: String, amr: Amr },
    Deny,
}

/// What a poll of the token endpoint finds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Poll {
    /// Not decided yet: `authorization_pending`.
    Pending,
    /// Polled sooner than the interval allows: `slow_down`; the interval is
    /// now this many seconds.
    SlowDown(i64),
    /// Approved, and this poll is the one that gets the tokens.
    Approved {
        request: DeviceRequest,
        user_id: String,
        amr: Amr,
    },
    /// The person said no: `access_denied`.
    Denied,
    /// Nobody decided in time: `expired_token`.
    Expired,
    /// No such device code, or its tokens were handed out already.
    Unknown,
    /// The request was made with a DPoP key and this poll proves another,
    /// or none: only the client that asked may redeem it.
    WrongKey,
    /// The poll names another service than the request did.
    OtherResource,
}

/// A request as the stores keep it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Record {
    pub request: DeviceRequest,
    pub interval: i64,
    pub polled_at: i64,
    pub state: State,
}

/// Where a request stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum State {
    Pending,
    Approved {
        user_id: String,
        amr: Amr,
    },
    Denied,
    /// Approved, and its tokens handed out.
    Issued,
}
