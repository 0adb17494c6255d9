//! How a device session is shown to its owner: the browser and operating
//! system named by its user agent, and roughly where it connected from.
//!
//! User agents are read with `woothee` (the Project Woothee dataset, shared
//! by its Ruby, Python, Go and Java ports) rather than our own patterns: the
//! set of browsers changes faster than an auth server's code should. Only
//! names and major versions are shown, so a device reads the same before and
//! after a minor browser update.

use std::net::IpAddr;

use woothee::parser::Parser;

/// The software a user agent names, as a person reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Software {
    /// "Firefox 133", or "Unknown browser".
    pub browser: String,
    /// "Windows 10", "iPhone", or "Unknown system".
    pub os: String,
}

/// The browser and system of `user_agent`.
pub fn software(user_agent: Option<&str>) -> Software {
    let parsed = user_agent.and_then(|ua| Parser::new().parse(ua));
    let known = |s: &str| !s.is_empty() && s != woothee::woothee::VALUE_UNKNOWN;
    let browser = match &parsed {
        Some(r) if known(r.name) => {
            let major = r.version.split('.').next().unwrap_or("");
            if known(major) {
                format!("{} {major}", r.name)
            } else {
                r.name.to_string()
            }
        }
        _ => product(user_agent.unwrap_or_default()).unwrap_or_else(|| "Unknown browser".into()),
    };
    let os = match &parsed {
        Some(r) if known(r.os) => r.os.to_string(),
        _ => system(user_agent.unwrap_or_default()).unwrap_or_else(|| "Unknown system".into()),
    };
    Software { browser, os }
}

/// A program that is no browser, by the first product token of its user
/// agent (RFC 9110 §10.1.5, `name/version`): "latchkey-cli 0.1" for
/// `latchkey-cli/0.1.0`, "curl 8" for `curl/8.5.0`. Only the name's safe
/// characters and the version's first two parts are kept.
fn product(user_agent: &str) -> Option<String> {
    let token = user_agent.split_whitespace().next()?;
    let (name, version) = token.split_once('/').unwrap_or((token, ""));
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() || name.len() > 40 || !name.chars().all(safe) || name == "Mozilla" {
        return None;
    }
    let version: Vec<&str> = version
        .split('.')
        .take(2)
        .take_while(|p| !p.is_empty() && p.len() <= 6 && p.chars().all(|c| c.is_ascii_digit()))
        .collect();
    Some(match version.is_empty() {
        true => name.to_string(),
        false => format!("{name} {}", version.join(".")),
    })
}

/// The system a program names in its user agent's comment, as in
/// `latchkey-cli/0.1.0 (Linux)`: one of a few well-known names only, so a
/// made-up comment never reaches a page.
fn system(user_agent: &str) -> Option<String> {
    let (_, comment) = user_agent.split_once('(')?;
    let first = comment.split([';', ')', ' ']).next()?;
    ["Linux", "macOS", "Windows", "FreeBSD", "Android", "iOS"]
        .into_iter()
        .find(|known| known.eq_ignore_ascii_case(first))
        .map(str::to_string)
}

/// The network an address belongs to, not the address itself: enough for a
/// person to tell home from elsewhere, less than a precise location on a
/// page someone may glance at. IPv4 to its /24, IPv6 to its /48.
pub fn approximate_address(ip: Option<&str>) -> Option<String> {
    match ip?.parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            Some(format!("{a}.{b}.{c}.x"))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => approximate_address(Some(&v4.to_string())),
            None => {
                let s = v6.segments();
                Some(format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2]))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_common_browsers_and_systems() {
        let firefox =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
        assert_eq!(
            software(Some(firefox)),
            Software {
                browser: "Firefox 133".into(),
                os: "Windows 10".into()
            }
        );
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        let s = software(Some(safari));
        assert_eq!((s.browser.as_str(), s.os.as_str()), ("Safari 17", "iPhone"));
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/131.0.0.0 Safari/537.36";
        let s = software(Some(chrome));
        assert_eq!((s.browser.as_str(), s.os.as_str()), ("Chrome 131", "Linux"));
    }

    #[test]
    fn unknown_or_missing_agents_say_so() {
        for ua in [None, Some(""), Some("curl/8.5.0"), Some("\u{0}garbage")] {
            let s = software(ua);
            assert!(
                s.os == "Unknown system" || ua == Some("curl/8.5.0"),
                "{ua:?}: {s:?}"
            );
            assert!(!s.browser.is_empty());
        }
    }

    #[test]
    fn programs_are_named_by_their_product() {
        let cli = software(Some("latchkey-cli/0.1.0"));
        assert_eq!(cli.browser, "latchkey-cli 0.1");
        assert_eq!(cli.os, "Unknown system");
        let cli = software(Some("latchkey-cli/0.1.0 (Linux)"));
        assert_eq!(
            (cli.browser.as_str(), cli.os.as_str()),
            ("latchkey-cli 0.1", "Linux")
        );
        let made_up = software(Some("tool/1 (<b>Plan9</b>)"));
        assert_eq!(made_up.os, "Unknown system");
        assert_eq!(
            software(Some("python-requests/2.32.3")).browser,
            "python-requests 2.32"
        );
        assert_eq!(software(Some("tool")).browser, "tool");
        for odd in ["<script>/1", "Mozilla/5.0", "/1.0", ""] {
            assert!(!software(Some(odd)).browser.contains('<'), "{odd}");
        }
        assert_eq!(software(Some("Mozilla/5.0")).browser, "Unknown browser");
    }

    #[test]
    fn addresses_are_shown_as_their_network() {
        assert_eq!(
            approximate_address(Some("203.0.113.7")).as_deref(),
            Some("203.0.113.x")
        );
        assert_eq!(
            approximate_address(Some("2001:db8:85a3:8d3:1319:8a2e:370:7348")).as_deref(),
            Some("2001:db8:85a3::/48")
        );
        assert_eq!(
            approximate_address(Some("::ffff:192.0.2.1")).as_deref(),
            Some("192.0.2.x")
        );
        assert_eq!(approximate_address(Some("not an address")), None);
        assert_eq!(approximate_address(None), None);
    }
}
