//! Every page of the site and who may see it: the one table the server's
//! guard (a `303` to sign-in before anything renders) and the pages' own
//! redirect (after a session ends in an open tab) both read.
//!
//! Protection goes by prefix and fails closed: a signed-in page protects
//! every path below it, so `/account/anything` needs a user even before a
//! page exists there. `routing.rs` checks that every route the app declares
//! is in this table.

/// Who may see a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Public,
    /// Anonymous callers are sent to sign in; the page and everything below
    /// it.
    SignedIn,
}

/// One page of the site.
#[derive(Clone, Copy, Debug)]
pub struct Page {
    pub path: &'static str,
    pub access: Access,
    /// What the page shows, as the sign-in page names it ("Please sign in
    /// to see …").
    pub shows: &'static str,
}

/// The site's pages.
pub const PAGES: &[Page] = &[
    Page {
        path: "/",
        access: Access::Public,
        shows: "the front page",
    },
    Page {
        path: "/signup",
        access: Access::Public,
        shows: "the sign-up form",
    },
    Page {
        path: "/login",
        access: Access::Public,
        shows: "the sign-in form",
    },
    Page {
        path: "/inspect",
        access: Access::Public,
        shows: "the inspector",
    },
    Page {
        path: "/tradeoffs",
        access: Access::Public,
        shows: "the trade-offs",
    },
    Page {
        path: "/account",
        access: Access::SignedIn,
        shows: "your account",
    },
    Page {
        path: "/account/devices",
        access: Access::SignedIn,
        shows: "your devices",
    },
    Page {
        path: "/account/activity",
        access: Access::SignedIn,
        shows: "your account's activity",
    },
    Page {
        path: "/account/security",
        access: Access::SignedIn,
        shows: "your passkeys",
    },
    Page {
        path: "/device",
        access: Access::SignedIn,
        shows: "the request of an app that asks to sign in",
    },
];

/// The files of `public/`, which the build copies to the site root and the
/// server sends as they are, beside the built assets.
pub const PUBLIC_FILES: &[&str] = &["/favicon.ico", "/favicon.svg", "/passkeys.js"];

/// Whether `path` (no query) is a signed-in page or lies below one.
pub fn requires_user(path: &str) -> bool {
    guarding(path).is_some()
}

/// The signed-in page nearest above `path` (no query), or `path` itself.
fn guarding(path: &str) -> Option<&'static Page> {
    PAGES
        .iter()
        .filter(|p| p.access == Access::SignedIn)
        .filter(|p| match path.strip_prefix(p.path) {
            Some(rest) => rest.is_empty() || rest.starts_with('/'),
            None => false,
        })
        .max_by_key(|p| p.path.len())
}

/// What the signed-in page at `path_and_query` (or the one it lies below)
/// shows; `None` for public pages and anything else.
pub fn protected_page_shows(path_and_query: &str) -> Option<&'static str> {
    let path = path_and_query.split(['?', '#']).next().unwrap_or_default();
    guarding(path).map(|p| p.shows)
}

/// The sign-in URL that comes back to `path_and_query` afterwards.
///
/// A form refused because the sign-in had ended comes back (without
/// JavaScript) with its error in the query (`__err`, `__path`); that error
/// belongs to the old sign-in, so the way back drops it rather than show
/// it again once the person has signed in.
pub fn login_url(path_and_query: &str) -> String {
    let back = without_form_error(path_and_query);
    let encoded: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
    format!("/login?next={encoded}")
}

/// `path_and_query` without the refused-form parameters Leptos adds.
pub fn without_form_error(path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else {
        return path_and_query.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            !matches!(name, "__err" | "__path") && !pair.is_empty()
        })
        .collect();
    if kept.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_in_pages_protect_everything_below_them() {
        for path in ["/account", "/account/", "/account/devices", "/account/x/y"] {
            assert!(requires_user(path), "{path}");
        }
        for path in [
            "/",
            "/login",
            "/signup",
            "/accounts",
            "/accountx",
            "/nowhere",
        ] {
            assert!(!requires_user(path), "{path}");
        }
    }

    #[test]
    fn public_files_are_what_public_holds() {
        let public = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public");
        let mut held: Vec<String> = std::fs::read_dir(&public)
            .unwrap()
            .map(|e| format!("/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
        held.sort();
        assert_eq!(
            held,
            PUBLIC_FILES,
            "PUBLIC_FILES lists {}",
            public.display()
        );
    }

    #[test]
    fn the_sign_in_page_can_name_what_a_protected_page_shows() {
        assert_eq!(protected_page_shows("/account"), Some("your account"));
        assert_eq!(
            protected_page_shows("/account/devices?ended=1"),
            Some("your devices")
        );
        assert_eq!(protected_page_shows("/account/x"), Some("your account"));
        for path in [
            "/",
            "/inspect",
            "https://evil.example/account",
            "",
            "//account",
        ] {
            assert_eq!(protected_page_shows(path), None, "{path}");
        }
    }

    #[test]
    fn login_url_encodes_the_path() {
        assert_eq!(login_url("/account"), "/login?next=%2Faccount");
        assert_eq!(login_url("/a?b=c&d"), "/login?next=%2Fa%3Fb%3Dc%26d");
        // A stale form error does not come back after signing in again.
        assert_eq!(
            login_url("/account?__path=%2Fapi%2Fchange_password&__err=eyJ4Ijox"),
            "/login?next=%2Faccount"
        );
        assert_eq!(
            login_url("/account/devices?ended=1&__err=eyJ4Ijox"),
            "/login?next=%2Faccount%2Fdevices%3Fended%3D1"
        );
    }
}
