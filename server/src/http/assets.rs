//! How the built assets under `/pkg/` travel and how long browsers keep them.
//!
//! The WebAssembly bundle is most of what a first visit downloads, and every
//! page of the site asks for it (`scripts/bench.sh --only browser` reports
//! its size and what a first visit costs). Three things make that cheap:
//!
//! - **Content-addressed names.** `cargo leptos build` with `hash-files`
//!   renames the script, the bundle and the stylesheet to
//!   `latchkey.<hash>.<ext>` and lists the hashes in a file beside the
//!   executable ([`Fingerprints::read`]). A file named by its own content
//!   never changes, so it is sent with `Cache-Control: public,
//!   max-age=31536000, immutable`: a returning visitor asks for nothing.
//!   Any other file under `/pkg/` is `no-cache` (revalidated each time), so
//!   a stale copy can never outlive a deploy.
//! - **Compressed once.** The release build stores each asset compressed
//!   beside it (`*.br`, `*.gz`); the file that matches the request's
//!   `Accept-Encoding` is sent as it is, marked `Vary: Accept-Encoding` so
//!   a shared cache keeps one copy per encoding ([`super::compression`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue, StatusCode};

/// Where built assets are served from.
pub const PKG: &str = "/pkg/";

/// `Cache-Control` of a content-addressed asset: a year, never revalidated.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `Cache-Control` of any other asset: kept, but checked before each use.
pub const REVALIDATE: &str = "no-cache";

/// The content hashes of this build's assets, as `cargo leptos` wrote them
/// (`js: <hash>`, `wasm: <hash>`, `css: <hash>`, one a line), by kind.
#[derive(Clone, Debug, Default)]
pub struct Fingerprints(Arc<HashMap<String, String>>);

impl Fingerprints {
    /// Reads the hash file at `path`; none when the build did not hash its
    /// files (the file is absent).
    pub fn read(path: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(path).ok()?;
        Some(Self::parse(&text))
    }

    /// The hashes listed in a hash file's text.
    pub fn parse(text: &str) -> Self {
        let hashes = text
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(kind, hash)| (kind.trim(), hash.trim()))
            .filter(|(_, hash)| !hash.is_empty())
            .map(|(kind, hash)| (kind.to_owned(), hash.to_owned()))
            .collect();
        Self(Arc::new(hashes))
    }

    /// The path of the asset `<name>.<kind>` (`latchkey`, `css`): hashed
    /// when this build hashed it.
    pub fn path(&self, name: &str, kind: &str) -> String {
        match self.0.get(kind) {
            Some(hash) => format!("{PKG}{name}.{hash}.{kind}"),
            None => format!("{PKG}{name}.{kind}"),
        }
    }

    /// Whether the asset at `path` is named by one of this build's hashes
    /// (`/pkg/latchkey.<hash>.wasm`).
    pub fn names(&self, path: &str) -> bool {
        let Some(file) = path.strip_prefix(PKG) else {
            return false;
        };
        file.split('.')
            .any(|part| self.0.values().any(|hash| hash == part))
    }
}

/// Sets the cache policy of every successful answer under `/pkg/`, and
/// `Vary: Accept-Encoding` there and on any other file sent as stored
/// compressed.
pub async fn cache_policy(
    State(fingerprints): State<Fingerprints>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    if !path.starts_with(PKG) {
        let mut res = next.run(req).await;
        // A public file the build stored compressed (`favicon.svg.br`) is
        // sent in the encoding asked for. Pages are not encoded yet here.
        if res.headers().contains_key(header::CONTENT_ENCODING) {
            res.headers_mut()
                .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        return res;
    }
    let immutable = fingerprints.names(path);
    let mut res = next.run(req).await;
    if matches!(res.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
        let policy = if immutable { IMMUTABLE } else { REVALIDATE };
        let headers = res.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        // The stored file sent depends on `Accept-Encoding`.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH_FILE: &str =
        "js: Xh1NyRtAYP7cE4qz2MCeRA\nwasm: 0kTqJ8wVv3q2Fd0p9HcVJg\ncss: Q2dL0u3mU4x3pY2b8pY2aw\n";

    #[test]
    fn hashed_names_are_recognised_and_others_are_not() {
        let f = Fingerprints::parse(HASH_FILE);
        assert!(f.names("/pkg/latchkey.0kTqJ8wVv3q2Fd0p9HcVJg.wasm"));
        assert!(f.names("/pkg/latchkey.Q2dL0u3mU4x3pY2b8pY2aw.css"));
        assert!(!f.names("/pkg/latchkey.wasm"));
        assert!(!f.names("/pkg/latchkey.AAAAAAAAAAAAAAAAAAAAAA.wasm"));
        // Only assets: a page path holding a hash is not one.
        assert!(!f.names("/0kTqJ8wVv3q2Fd0p9HcVJg.wasm"));
        assert_eq!(
            f.path("latchkey", "css"),
            "/pkg/latchkey.Q2dL0u3mU4x3pY2b8pY2aw.css"
        );
        assert_eq!(
            Fingerprints::default().path("latchkey", "css"),
            "/pkg/latchkey.css"
        );
    }

    #[test]
    fn an_empty_hash_file_names_nothing() {
        let f = Fingerprints::parse("js: \n\n");
        assert!(!f.names("/pkg/latchkey.js"));
        assert!(!f.names("/pkg/."));
    }
}
