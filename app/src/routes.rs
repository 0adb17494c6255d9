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
}

/// The site's pages.
pub const PAGES: &[Page] = &[
    Page {
        path: "/",
        access: Access::Public,
    },
    Page {
        path: "/signup",
        access: Access::Public,
    },
    Page {
        path: "/login",
        access: Access::Public,
    },
    Page {
        path: "/inspect",
        access: Access::Public,
    },
    Page {
        path: "/tradeoffs",
        access: Access::Public,
    },
    Page {
        path: "/account",
        access: Access::SignedIn,
    },
    Page {
        path: "/account/devices",
        access: Access::SignedIn,
    },
    Page {
        path: "/account/activity",
        access: Access::SignedIn,
    },
];

/// Whether `path` (no query) is a signed-in page or lies below one.
pub fn requires_user(path: &str) -> bool {
    PAGES
        .iter()
        .filter(|p| p.access == Access::SignedIn)
        .any(|p| match path.strip_prefix(p.path) {
            Some(rest) => rest.is_empty() || rest.starts_with('/'),
            None => false,
        })
}

/// The sign-in URL that comes back to `path_and_query` afterwards.
pub fn login_url(path_and_query: &str) -> String {
    let encoded: String = form_urlencoded::byte_serialize(path_and_query.as_bytes()).collect();
    format!("/login?next={encoded}")
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
    fn login_url_encodes_the_path() {
        assert_eq!(login_url("/account"), "/login?next=%2Faccount");
        assert_eq!(login_url("/a?b=c&d"), "/login?next=%2Fa%3Fb%3Dc%26d");
    }
}
