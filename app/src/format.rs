//! Formatting for display. Server and browser must render the same text for
//! hydration, so a time is absolute (in UTC) or relative to a "now" both
//! sides were given (the server's clock, sent with the page's data).

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

/// `ts` as a person says it, seen from `now` (both Unix seconds): "in 29
/// minutes", "3 hours ago", "in 14 days", "just now" (the last five
/// seconds). Seconds under two minutes, so a countdown shows it moving.
pub fn relative(ts: i64, now: i64) -> String {
    let delta = ts.saturating_sub(now);
    let secs = delta.unsigned_abs();
    if delta <= 0 && secs < 5 {
        return "just now".into();
    }
    let (n, unit) = match secs {
        0..120 => (secs, "second"),
        120..7_200 => (secs / 60, "minute"),
        7_200..172_800 => (secs / 3_600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    let plural = if n == 1 { "" } else { "s" };
    if delta > 0 {
        format!("in {n} {unit}{plural}")
    } else {
        format!("{n} {unit}{plural} ago")
    }
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

    #[test]
    fn relative_times_read_as_spoken() {
        let now = 1_800_000_000;
        assert_eq!(relative(now, now), "just now");
        assert_eq!(relative(now - 4, now), "just now");
        assert_eq!(relative(now + 1, now), "in 1 second");
        assert_eq!(relative(now + 2, now), "in 2 seconds");
        assert_eq!(relative(now + 45, now), "in 45 seconds");
        assert_eq!(relative(now - 61, now), "61 seconds ago");
        assert_eq!(relative(now + 30 * 60 - 1, now), "in 29 minutes");
        assert_eq!(relative(now + 30 * 60, now), "in 30 minutes");
        assert_eq!(relative(now - 3 * 3600, now), "3 hours ago");
        assert_eq!(relative(now + 14 * 86_400, now), "in 14 days");
        assert_eq!(relative(now + 86_400 * 2, now), "in 2 days");
        assert_eq!(relative(now - 86_400 * 400, now), "400 days ago");
        assert_eq!(
            relative(i64::MAX, i64::MIN),
            format!("in {} days", i64::MAX / 86_400)
        );
    }
}
