//! What an admin command prints: its answer, and times as an operator
//! reads them.

use std::time::{Duration, UNIX_EPOCH};

/// What a command ended in: the text to print and the exit code.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    Done(String),
    /// The command named something that is not there (exit 1).
    NotFound(String),
}

/// A Unix time as `2026-11-30 15:04:05`.
pub(super) fn utc(secs: i64) -> String {
    let at = UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0));
    humantime::format_rfc3339_seconds(at)
        .to_string()
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_string()
}
