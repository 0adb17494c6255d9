//! The inspector's conformance cases (run by `router.rs` against every
//! backend): the store operations it reports for the request, the cookie
//! sizes against the real `Set-Cookie` values, the token opened against its
//! claims, the live revocation, and no raw credential anywhere in the page.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::*;

/// The text of the first element carrying `data-testid="{id}"`: its inner
/// HTML up to its closing tag (none of these elements nests its own kind),
/// tags and comments removed, unescaped.
fn testid(html: &str, id: &str) -> Option<String> {
    let marker = format!("data-testid=\"{id}\"");
    let at = html.find(&marker)?;
    let tag_start = html[..at].rfind('<')? + 1;
    let name: String = html[tag_start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let open_end = at + html[at..].find('>')? + 1;
    let close = open_end + html[open_end..].find(&format!("</{name}>"))?;
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[open_end..close].chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(unescape(&text))
}

/// The value of `attr` on the element carrying `data-testid="{id}"`.
fn testid_attr(html: &str, id: &str, attr: &str) -> Option<String> {
    let marker = format!("data-testid=\"{id}\"");
    let at = html.find(&marker)?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..at + html[at..].find('>')?];
    let key = format!("{attr}=\"");
    let from = tag.find(&key)? + key.len();
    Some(tag[from..from + tag[from..].find('"')?].to_string())
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The size the inspector shows for the cookie `name`.
fn shown_bytes(html: &str, name: &str) -> Option<usize> {
    let block = &html[html.find(&format!("data-name=\"{name}\""))?..];
    let text = testid(block, "cookie-bytes")?;
    text.strip_suffix(" bytes")?.parse().ok()
}

/// Every credential the browser holds, and every part of each that is not
/// just encoded claims (a JWT's signature).
fn secrets(b: &support::Browser<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for value in b.cookies().into_values() {
        if let Some(signature) = value.split('.').nth(2) {
            out.push(signature.to_string());
        }
        out.push(value);
    }
    out
}

pub async fn inspect_reports_the_requests_store_operations(app: TestApp) {
    let b = app.browser();
    let r = b.get("/inspect").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(testid(&r.body, "viewer").as_deref(), Some("Not signed in"));
    assert!(r.body.contains("data-testid=\"no-cookies\""), "{}", r.body);
    assert_eq!(
        testid_attr(&r.body, "store-ops", "data-count").as_deref(),
        Some("0")
    );
    b.sign_up("alice", "correct-horse").await;
    let r = b.get("/inspect").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        testid(&r.body, "viewer").as_deref(),
        Some("Signed in as alice")
    );
    let (count, op) = if app.is_jwt() {
        ("0", None)
    } else {
        ("1", Some("session_lookup"))
    };
    assert_eq!(
        testid_attr(&r.body, "store-ops", "data-count").as_deref(),
        Some(count)
    );
    let ops = testid(&r.body, "store-ops").unwrap();
    match op {
        Some(op) => assert_eq!(ops, format!("1 ({op})")),
        None => assert_eq!(ops, "0 (none)"),
    }
    assert!(testid(&r.body, "instance").is_some_and(|i| !i.is_empty()));
    assert!(
        r.body.contains("data-testid=\"record\""),
        "the record is shown"
    );
}

pub async fn inspect_cookie_sizes_are_the_set_cookie_sizes(app: TestApp) {
    let b = app.browser();
    let issued = b.sign_up("bob", "correct-horse").await.auth_values();
    assert_eq!(issued.len(), cookie_names(app.backend).len());
    let r = b.get("/inspect").await;
    for (name, value) in &issued {
        let real = name.len() + 1 + value.len();
        assert_eq!(shown_bytes(&r.body, name), Some(real), "{name}");
    }
    let total: usize = issued.iter().map(|(n, v)| n.len() + 1 + v.len()).sum();
    let line = testid(&r.body, "cookie-total").unwrap();
    assert!(
        line.starts_with(&format!("Auth cookies: {total} bytes.")),
        "{line}"
    );
    for secret in secrets(&b) {
        assert!(
            !r.body.contains(&secret),
            "a credential appears in the inspector"
        );
    }
}

pub async fn inspect_opens_the_token_into_its_claims(app: TestApp) {
    let b = app.browser();
    b.sign_up("carol", "correct-horse").await;
    let r = b.get("/inspect").await;
    let Some(access) = b.cookies().get("__Host-latchkey_access").cloned() else {
        assert!(!app.is_jwt());
        assert!(!r.body.contains("data-testid=\"token-payload\""));
        return;
    };
    let part = |i: usize| {
        let bytes = URL_SAFE_NO_PAD
            .decode(access.split('.').nth(i).unwrap())
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()
    };
    let shown =
        |id| serde_json::from_str::<serde_json::Value>(&testid(&r.body, id).unwrap()).unwrap();
    assert_eq!(shown("token-payload"), part(1));
    assert_eq!(shown("token-header"), part(0));
    assert_eq!(
        testid_attr(&r.body, "token-status", "data-valid").as_deref(),
        Some("true")
    );
    let r = b.get("/inspect?tamper=1").await;
    assert_eq!(
        testid_attr(&r.body, "tamper-result", "data-accepted").as_deref(),
        Some("false")
    );
    assert!(r.body.contains("Refused (401 invalid_token)"), "{}", r.body);
    // Still signed in: only the copy was changed.
    assert_eq!(b.me().await, StatusCode::OK);
    for secret in secrets(&b) {
        assert!(
            !r.body.contains(&secret),
            "a credential appears in the inspector"
        );
    }
}

pub async fn inspect_revocation_refuses_the_same_credentials(app: TestApp) {
    let b = app.browser();
    b.sign_up("dave", "correct-horse").await;
    let held = b.cookies();
    let r = b.post_form("/api/revoke_here", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let json = r.json();
    assert_eq!(json["refused"], true, "{json}");
    // The browser kept its cookies and sends them again: refused.
    b.set_cookies(held.clone());
    let r = b.get("/inspect?revoked=1").await;
    assert_eq!(testid(&r.body, "viewer").as_deref(), Some("Not signed in"));
    assert!(
        r.body.contains("data-testid=\"revoked-notice\""),
        "{}",
        r.body
    );
    let refusal = testid(&r.body, "refusal").unwrap();
    if app.is_jwt() {
        assert!(refusal.contains("revocation set"), "{refusal}");
        assert!(
            json["detail"].as_str().unwrap().contains("revocation set"),
            "{json}"
        );
    } else {
        assert!(refusal.contains("No session record"), "{refusal}");
    }
    let notice = testid(&r.body, "revoked-notice").unwrap();
    assert!(notice.contains("sent them with this request"), "{notice}");
    if app.is_jwt() {
        // The same claims under a signature that does not verify: their
        // `sid` is anyone's to write, so the revocation set is not asked.
        let mut forged = held.clone();
        let access = forged.get_mut("__Host-latchkey_access").unwrap();
        let at = access.len() - 5;
        let was = &access[at..at + 1];
        let now = if was == "A" { "B" } else { "A" };
        access.replace_range(at..at + 1, now);
        let f = app.browser();
        f.set_cookies(forged);
        let r = f.get("/inspect").await;
        let refusal = testid(&r.body, "refusal").unwrap();
        assert!(!refusal.contains("revocation set"), "{refusal}");
        assert!(refusal.contains("signature does not match"), "{refusal}");
    }
    // That answer cleared the cookies: the next load sends none, and the
    // notice says what became of them instead.
    assert!(b.cookies().is_empty(), "{:?}", b.cookies());
    let r = b.get("/inspect?revoked=1").await;
    assert_eq!(testid(&r.body, "refusal"), None);
    let notice = testid(&r.body, "revoked-notice").unwrap();
    assert!(notice.contains("no longer holds"), "{notice}");
    b.set_cookies(held);
    assert_eq!(b.me().await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.browser().post_form("/api/revoke_here", "").await.status,
        StatusCode::UNAUTHORIZED
    );
}
