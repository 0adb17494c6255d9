//! Tests of the request side: URLs, what a refusal says, and, against a
//! throwaway in-process HTTP stub (not a Latchkey server), the proofs,
//! headers and the nonce retry actually sent.

use super::*;
use crate::tests::scratch_dir;
use dpop_proof::{check, Expected, Window};
use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::thread::JoinHandle;

fn reply(status: u16, challenge: Option<&str>, body: &str) -> Reply {
    Reply {
        status,
        www_authenticate: challenge.map(Into::into),
        body: body.into(),
    }
}

#[test]
fn a_refusal_says_what_the_server_said() {
    let json = r#"{"error":"invalid_token","error_description":"Token expired.","message":"m"}"#;
    assert_eq!(reply(401, None, json).message(), "Token expired.");
    assert_eq!(
        reply(401, None, r#"{"message":"Nope.","error":"e"}"#).message(),
        "Nope."
    );
    assert_eq!(
        reply(401, None, r#"{"error":"invalid_token"}"#).message(),
        "invalid_token"
    );
    let challenge = r#"DPoP algs="ES256", error="invalid_token", error_description="Expired.""#;
    assert_eq!(reply(401, Some(challenge), "").message(), "Expired.");
    assert_eq!(
        reply(401, Some("DPoP algs=\"ES256\""), "").message(),
        "DPoP algs=\"ES256\""
    );
    assert_eq!(reply(503, None, "<html>").message(), "HTTP 503");
    let Err(Fail(msg)) = reply(500, None, r#"{"error":"boom"}"#).success() else {
        panic!("a 500 is no success")
    };
    assert_eq!(msg, "The server answered 500: boom");
}

#[test]
fn a_nonce_is_wanted_only_when_asked_for() {
    let json = r#"{"error":"use_dpop_nonce","error_description":"Use the nonce."}"#;
    let challenge = r#"DPoP error="use_dpop_nonce", error_description="Use it.""#;
    assert!(reply(400, None, json).wants_nonce());
    assert!(reply(401, Some(challenge), "").wants_nonce());
    assert!(reply(401, None, json).wants_nonce());
    assert!(!reply(400, None, r#"{"error":"invalid_dpop_proof"}"#).wants_nonce());
    assert!(!reply(400, Some(challenge), "").wants_nonce());
    assert!(!reply(200, None, json).wants_nonce());
}

#[test]
fn urls_are_checked_and_htu_drops_query_and_fragment() {
    assert_eq!(
        server_url("http://LOCALHOST:3000/").unwrap(),
        "http://localhost:3000"
    );
    assert_eq!(
        server_url("http://h/latchkey/").unwrap(),
        "http://h/latchkey"
    );
    let me = endpoint("http://h/latchkey", "/api/me").unwrap();
    assert_eq!(me.as_str(), "http://h/latchkey/api/me");
    for bad in [
        "http://h/?x=1",
        "localhost:3000",
        "not a url",
        "ftp://h/",
        "https://h/",
    ] {
        let Err(Fail(msg)) = server_url(bad) else {
            panic!("{bad} accepted")
        };
        assert!(msg.contains(bad), "{msg}");
    }
    let url = Url::parse("http://127.0.0.1:4000/notes?page=2#top").unwrap();
    assert_eq!(htu(&url), "http://127.0.0.1:4000/notes");
}

#[test]
fn an_unreachable_server_is_one_clear_line() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = scratch_dir("client-unreachable");
    let key = Key::load_or_create(&dir).unwrap();
    let url = Url::parse(&format!("http://127.0.0.1:{port}/auth/token")).unwrap();
    let Err(Fail(msg)) = Client::new(&key).unwrap().post_form(&url, &[]) else {
        panic!("reached a closed port")
    };
    assert!(
        msg.starts_with(&format!("Cannot reach http://127.0.0.1:{port}: ")),
        "{msg}"
    );
    assert!(!msg.contains('\n'), "{msg}");
}

/// A request as the stub saw it: method, path, lowercase headers, body.
struct Seen {
    method: String,
    headers: HashMap<String, String>,
    body: String,
}

/// Serves `answers` (status line and headers, body) one per connection, in
/// order, and returns what it was sent.
fn stub(answers: Vec<(&'static str, &'static str)>) -> (String, JoinHandle<Vec<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for (head, body) in answers {
            let (mut stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let method = line.split(' ').next().unwrap().to_owned();
            let mut headers = HashMap::new();
            loop {
                line.clear();
                reader.read_line(&mut line).unwrap();
                let Some((name, value)) = line.trim_end().split_once(": ") else {
                    break;
                };
                headers.insert(name.to_ascii_lowercase(), value.to_owned());
            }
            let length = headers
                .get("content-length")
                .map_or(0, |l| l.parse().unwrap());
            let mut bytes = vec![0; length];
            reader.read_exact(&mut bytes).unwrap();
            let answer = format!(
                "HTTP/1.1 {head}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(answer.as_bytes()).unwrap();
            let body = String::from_utf8(bytes).unwrap();
            seen.push(Seen {
                method,
                headers,
                body,
            });
        }
        seen
    });
    (base, handle)
}

/// The proof `seen` carried, checked as Latchkey checks it.
fn verify(seen: &Seen, url: &str, token: Option<&str>, nonce: Option<&str>) {
    let expected = Expected {
        method: &seen.method,
        url,
        access_token: token,
        nonce,
    };
    let window = Window {
        max_age: 60,
        leeway: 5,
    };
    check(&seen.headers["dpop"], &expected, window, crate::base::now()).unwrap();
}

#[test]
fn the_nonce_is_retried_once_and_kept() {
    const NONCE: &str = r#"{"error":"use_dpop_nonce","error_description":"Use the nonce."}"#;
    const CHALLENGE: &str =
        "401 Unauthorized\r\nWWW-Authenticate: DPoP error=\"use_dpop_nonce\"\r\nDPoP-Nonce: n4";
    let (base, server) = stub(vec![
        ("400 Bad Request\r\nDPoP-Nonce: n1", NONCE),
        ("200 OK\r\nDPoP-Nonce: n2", "{}"),
        ("200 OK", r#"{"sub":"ada"}"#),
        ("400 Bad Request", NONCE),
        (
            "401 Unauthorized\r\nDPoP-Nonce: n3",
            r#"{"error":"use_dpop_nonce"}"#,
        ),
        (CHALLENGE, ""),
    ]);
    let dir = scratch_dir("client-nonce");
    let key = Key::load_or_create(&dir).unwrap();
    let mut client = Client::new(&key).unwrap();
    let token_url = endpoint(&base, "/auth/token").unwrap();
    let me_url = endpoint(&base, "/api/me?x=1").unwrap();
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", "latchkey-cli"),
    ];

    assert_eq!(client.post_form(&token_url, &form).unwrap().status, 200);
    assert_eq!(
        client.get(&me_url, "at-1").unwrap().body,
        r#"{"sub":"ada"}"#
    );
    // No DPoP-Nonce header: nothing to retry with.
    assert_eq!(client.post_form(&token_url, &form).unwrap().status, 400);
    // Refused again with a fresh nonce: handed back, not retried forever.
    assert_eq!(client.get(&me_url, "at-1").unwrap().status, 401);

    let origin = me_url.origin().ascii_serialization();
    assert_eq!(client.nonces.get(&origin).map(String::as_str), Some("n4"));
    assert_eq!(client.nonces.len(), 1);

    let seen = server.join().unwrap();
    assert_eq!(seen.len(), 6);
    let token = format!("{base}/auth/token");
    let me = format!("{base}/api/me");
    verify(&seen[0], &token, None, None);
    verify(&seen[1], &token, None, Some("n1"));
    verify(&seen[2], &me, Some("at-1"), Some("n2"));
    verify(&seen[3], &token, None, Some("n2"));
    verify(&seen[4], &me, Some("at-1"), Some("n2"));
    verify(&seen[5], &me, Some("at-1"), Some("n3"));
    assert_eq!(
        seen[1].body,
        "grant_type=refresh_token&client_id=latchkey-cli"
    );
    assert_eq!(seen[2].headers["authorization"], "DPoP at-1");
    assert!(!seen[1].headers.contains_key("authorization"));
    for s in &seen {
        assert_eq!(s.headers["user-agent"], super::user_agent());
        let expected = concat!("latchkey-cli/", env!("CARGO_PKG_VERSION"), " (");
        assert!(s.headers["user-agent"].starts_with(expected));
    }
}
