//! Formatting for display. Server and browser must render the same text for
//! hydration, so times are absolute, in UTC, never relative to "now".

use time::macros::format_description;
use time::OffsetDateTime;

/// A Unix timestamp as `2026-11-26 16:20 UTC`.
pub fn utc(ts: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| "—".into())
}

/// A Unix timestamp as an ISO 8601 string for `<time datetime>`.
pub fn iso(ts: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_795_710_000), "2026-11-26 16:20 UTC");
        assert_eq!(iso(1_795_710_000), "2026-11-26T16:20:00Z");
        assert_eq!(utc(i64::MAX), "—");
    }
}
