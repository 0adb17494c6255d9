//! Formatting for display. Server and browser must render the same text for
//! hydration, so a time is absolute (in UTC) or relative to a "now" both
//! sides were given (the server's clock, sent with the page's data).

use time::OffsetDateTime;

/// A Unix timestamp as `2026-11-26 16:20 UTC`.
pub fn utc(ts: i64) -> String {
    calendar(ts, false).unwrap_or_else(|| "—".into())
}

/// A Unix timestamp as an ISO 8601 string for `<time datetime>`.
pub fn iso(ts: i64) -> String {
    calendar(ts, true).unwrap_or_default()
}

/// The date and time of `ts` in UTC, to the second (ISO 8601) or to the
/// minute (for people); `None` outside the years `time` can represent.
///
/// Written digit by digit: `time`'s format descriptions and `write!` with
/// zero padding both cost about 4 000 instructions a call, this about 850;
/// the account page makes ten, which were a quarter of what it cost over
/// the public page.
fn calendar(ts: i64, seconds: bool) -> Option<String> {
    let t = OffsetDateTime::from_unix_timestamp(ts).ok()?;
    let (year, month, day) = t.to_calendar_date();
    let (hour, minute, second) = t.to_hms();
    let mut out = String::with_capacity(24);
    if year < 0 {
        out.push('-');
    }
    // `time` keeps years within ±9999: four digits always suffice.
    let year = year.unsigned_abs();
    push_digits(&mut out, year / 100);
    push_digits(&mut out, year % 100);
    out.push('-');
    push_digits(&mut out, u8::from(month).into());
    out.push('-');
    push_digits(&mut out, day.into());
    out.push(if seconds { 'T' } else { ' ' });
    push_digits(&mut out, hour.into());
    out.push(':');
    push_digits(&mut out, minute.into());
    if seconds {
        out.push(':');
        push_digits(&mut out, second.into());
        out.push('Z');
    } else {
        out.push_str(" UTC");
    }
    Some(out)
}

/// Appends `n` (below 100) as two digits.
fn push_digits(out: &mut String, n: u32) {
    debug_assert!(n < 100);
    out.push(char::from(b'0' + (n / 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
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
    // Pieced together rather than `format!`ed: five of these on a page,
    // at less than half the cost.
    let mut digits = itoa::Buffer::new();
    let n = digits.format(n);
    let (before, after) = if delta > 0 { ("in ", "") } else { ("", " ago") };
    let plural = if n == "1" { "" } else { "s" };
    [before, n, " ", unit, plural, after].concat()
}

/// A length of time as a person says it: "1 second", "30 seconds" (up to
/// 90), then whole minutes rounded up ("2 minutes" for 91 seconds), and
/// whole hours from two hours on when the minutes come out even. A wait
/// is never said shorter than it is.
pub fn duration(secs: i64) -> String {
    match secs {
        ..=1 => "1 second".into(),
        2..=90 => format!("{secs} seconds"),
        _ if secs >= 7_200 && secs % 3_600 == 0 => format!("{} hours", secs / 3_600),
        _ => format!("{} minutes", (secs + 59) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_a_person_says_them_never_shorter() {
        assert_eq!(duration(1), "1 second");
        assert_eq!(duration(30), "30 seconds");
        assert_eq!(duration(91), "2 minutes");
        assert_eq!(duration(600), "10 minutes");
        assert_eq!(duration(3_600), "60 minutes");
        assert_eq!(duration(7_200), "2 hours");
        assert_eq!(duration(86_400), "24 hours");
    }

    #[test]
    fn formats_in_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_795_710_000), "2026-11-26 16:20 UTC");
        assert_eq!(iso(1_795_710_000), "2026-11-26T16:20:00Z");
        assert_eq!(utc(i64::MAX), "—");
        assert_eq!(iso(i64::MIN), "");
        assert_eq!(iso(-1), "1969-12-31T23:59:59Z");
    }

    proptest::proptest! {
        /// The hand-written formatting says what `time`'s own formatter
        /// says, over every year `time` represents.
        #[test]
        fn formats_as_time_does(ts in -377_705_116_800i64..=253_402_300_799) {
            use time::macros::format_description;
            let t = OffsetDateTime::from_unix_timestamp(ts).unwrap();
            let long = format_description!(
                "[year repr:full sign:automatic]-[month]-[day]T[hour]:[minute]:[second]Z"
            );
            let short = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
            proptest::prop_assert_eq!(iso(ts), t.format(&long).unwrap());
            proptest::prop_assert_eq!(utc(ts), t.format(&short).unwrap());
        }
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
