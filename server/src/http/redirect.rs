//! Where to send a user after sign-in: the `next` parameter.
//!
//! Only same-site relative paths are followed. Anything a browser could read
//! as another origin (`//evil`, `/\evil`, `https:evil`, paths with control
//! characters that browsers strip) falls back to `/`: no open redirects.

/// Longest `next` value followed.
const MAX_NEXT: usize = 2048;

/// Returns `next` if it is a safe same-site path, else `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_safe(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

fn is_safe(n: &str) -> bool {
    n.len() <= MAX_NEXT
        && n.starts_with('/')
        && !n.starts_with("//")
        && !n.contains('\\')
        && !n.chars().any(|c| c.is_control() || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_site_paths_are_kept() {
        for ok in ["/", "/account", "/account?tab=1", "/a/b#c", "/%2F%2Fevil"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
    }

    #[test]
    fn open_redirect_payloads_fall_back_to_root() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "https:evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/\tevil",
            "/\r\nLocation: https://evil.example",
            "//\tevil",
            "/ /evil",
            "",
            &format!("/{}", "a".repeat(MAX_NEXT)),
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
