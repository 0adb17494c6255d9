//! The CLI directory and the tokens kept in it (`tokens.json`).
//!
//! The directory is made 0700; `tokens.json` holds a DPoP-bound access
//! token and refresh token, useless without the key beside them but still
//! private, so it is always written 0600: to a temporary file created with
//! that mode in the same directory, then renamed over the old one. The
//! rename is atomic, so a crash or a concurrent run leaves the old tokens or
//! the new ones, never half a file.
//!
//! Format (JSON, one object):
//! `{"server", "resource" (or null), "token_type", "access_token",
//! "refresh_token" (or null), "expires_at"}`, `expires_at` being the access
//! token's expiry in Unix seconds (or null when the server gave none).

use std::ffi::OsString;
use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::base::{ensure_dir, Fail};
use crate::oauth::TokenResponse;

/// The tokens file's name in the CLI directory.
pub const TOKENS_FILE: &str = "tokens.json";

/// A sign-in: the tokens and where they are good.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    /// The Latchkey server that issued them (its base URL).
    pub server: String,
    /// The `resource` (RFC 8707) asked for at login, sent again on refresh.
    pub resource: Option<String>,
    pub token_type: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// When the access token expires, Unix seconds.
    pub expires_at: Option<i64>,
}

impl Tokens {
    /// A new sign-in at `server`, from the token endpoint's answer at `now`.
    pub fn issued(server: &str, resource: Option<String>, answer: TokenResponse, now: i64) -> Self {
        let mut tokens = Tokens {
            server: server.to_owned(),
            resource,
            token_type: String::new(),
            access_token: String::new(),
            refresh_token: None,
            expires_at: None,
        };
        tokens.refreshed(answer, now);
        tokens
    }

    /// Takes a refresh answer. One without a refresh token means the old
    /// one stays good (the server does not rotate them).
    pub fn refreshed(&mut self, answer: TokenResponse, now: i64) {
        self.token_type = answer.token_type;
        self.access_token = answer.access_token;
        self.expires_at = answer.expires_in.map(|s| now.saturating_add(s));
        self.refresh_token = answer.refresh_token.or(self.refresh_token.take());
    }

    /// The access token's expiry, in words, for `status`.
    pub fn expiry(&self, now: i64) -> String {
        match self.expires_at {
            Some(at) if self.expired(now) => format!(
                "The access token expired at {}; the next call refreshes it.",
                utc(at)
            ),
            Some(at) => format!(
                "The access token expires at {} (in {} min).",
                utc(at),
                (at - now) / 60
            ),
            None => "The access token's expiry is unknown.".into(),
        }
    }

    /// Whether the access token is expired, or about to be: a token that
    /// expires while a request is on its way is refused all the same.
    pub fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|at| now >= at - 10)
    }
}

/// The default CLI directory: `$XDG_CONFIG_HOME/latchkey-cli`, else
/// `$HOME/.config/latchkey-cli`. A relative XDG_CONFIG_HOME is invalid by
/// the XDG spec, and ignored.
pub fn default_dir(xdg: Option<OsString>, home: Option<OsString>) -> Result<PathBuf, Fail> {
    let xdg = xdg.map(PathBuf::from).filter(|p| p.is_absolute());
    let home = home
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".config"));
    xdg.or(home)
        .map(|base| base.join("latchkey-cli"))
        .ok_or_else(|| {
            Fail("Cannot find your home directory; pass --dir or set LATCHKEY_CLI_DIR.".into())
        })
}

/// The tokens saved in `dir`, if any.
pub fn load(dir: &Path) -> Result<Option<Tokens>, Fail> {
    let path = dir.join(TOKENS_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Fail(format!("Cannot read {}: {e}", path.display()))),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        Fail(format!(
            "{} is not a valid tokens file ({e}); run `latchkey-cli login` again.",
            path.display()
        ))
    })
}

/// The tokens saved in `dir`, or the error of not being signed in.
pub fn require(dir: &Path) -> Result<Tokens, Fail> {
    load(dir)?.ok_or_else(|| Fail("Not signed in; run `latchkey-cli login` first.".into()))
}

/// Saves `tokens` in `dir`, replacing what was there.
pub fn save(dir: &Path, tokens: &Tokens) -> Result<(), Fail> {
    ensure_dir(dir)?;
    let path = dir.join(TOKENS_FILE);
    let tmp = dir.join(format!(".{TOKENS_FILE}.{}.tmp", std::process::id()));
    let fail = |e: std::io::Error| Fail(format!("Cannot write {}: {e}", path.display()));
    // A leftover from a crashed run with this pid: create_new would refuse
    // it, and its mode is unknown.
    let _ = fs::remove_file(&tmp);
    let json = serde_json::to_string_pretty(tokens).map_err(|e| fail(e.into()))?;
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut file| {
            file.write_all(json.as_bytes())?;
            file.write_all(b"\n")?;
            file.sync_all()
        })
        .and_then(|()| fs::rename(&tmp, &path));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}

/// Forgets the tokens in `dir` (the key stays: it is not a secret of this
/// sign-in only, and keeping it keeps its thumbprint).
pub fn delete(dir: &Path) -> Result<(), Fail> {
    let path = dir.join(TOKENS_FILE);
    match fs::remove_file(&path) {
        Err(e) if e.kind() != ErrorKind::NotFound => {
            Err(Fail(format!("Cannot delete {}: {e}", path.display())))
        }
        _ => Ok(()),
    }
}

/// Unix seconds as `YYYY-MM-DD hh:mm:ss UTC` (Howard Hinnant's
/// `civil_from_days`), to avoid a date crate for one line of `status`.
fn utc(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    format!("{year:04}-{month:02}-{day:02} {h:02}:{m:02}:{s:02} UTC")
}

#[cfg(test)]
mod tests;
