//! Tests of what the token endpoint's answers mean: the device flow's
//! errors (RFC 8628 §3.5), refresh's `invalid_grant`, and the refusal of
//! tokens that are not DPoP-bound.

use super::*;

fn reply(status: u16, body: &str) -> Reply {
    Reply {
        status,
        www_authenticate: None,
        body: body.into(),
    }
}

fn error(code: &str) -> String {
    format!(r#"{{"error":"{code}","error_description":"About {code}."}}"#)
}

fn failure(result: Result<impl std::fmt::Debug, Fail>) -> String {
    match result {
        Err(Fail(msg)) => msg,
        Ok(x) => panic!("succeeded: {x:?}"),
    }
}

const ISSUED: &str =
    r#"{"access_token":"at","token_type":"DPoP","expires_in":300,"refresh_token":"rt"}"#;

#[test]
fn oauth_errors_parse() {
    let parsed = OAuthError::parse(r#"{"error":"slow_down","error_description":"Slower."}"#);
    assert_eq!(
        parsed,
        Some(OAuthError {
            error: "slow_down".into(),
            error_description: Some("Slower.".into()),
        })
    );
    let bare = OAuthError::parse(r#"{"error":"access_denied"}"#).unwrap();
    assert_eq!(bare.error_description, None);
    assert_eq!(
        OAuthError::parse(r#"{"error_description":"no code"}"#),
        None
    );
    assert_eq!(OAuthError::parse("<html>"), None);
}

#[test]
fn the_device_flow_polls_until_an_answer() {
    let step = |status, body: &str| poll_step(&reply(status, body));
    assert_eq!(
        step(400, &error("authorization_pending")).unwrap(),
        Step::Again
    );
    assert_eq!(step(400, &error("slow_down")).unwrap(), Step::Slower);
    assert_eq!(
        failure(step(400, &error("access_denied"))),
        "The sign-in was denied."
    );
    assert_eq!(
        failure(step(400, &error("expired_token"))),
        "The code expired before it was approved; run `latchkey-cli login` again."
    );
    assert_eq!(
        failure(step(400, &error("invalid_client"))),
        "About invalid_client."
    );
    assert_eq!(
        failure(step(400, r#"{"error":"invalid_grant"}"#)),
        "invalid_grant"
    );
    // Not a 400: not a poll refusal, whatever the body says.
    let msg = failure(step(401, &error("authorization_pending")));
    assert_eq!(msg, "The server answered 401: About authorization_pending.");
    assert_eq!(failure(step(502, "")), "The server answered 502: HTTP 502");
    let Step::Done(tokens) = step(200, ISSUED).unwrap() else {
        panic!("not done")
    };
    assert_eq!(tokens.access_token, "at");
    assert_eq!(tokens.refresh_token.as_deref(), Some("rt"));
    assert_eq!(tokens.expires_in, Some(300));
}

#[test]
fn only_dpop_bound_tokens_are_taken() {
    let bearer = ISSUED.replace(r#""DPoP""#, r#""Bearer""#);
    let msg = failure(poll_step(&reply(200, &bearer)));
    assert_eq!(
        msg,
        "The server issued a Bearer token, not a DPoP-bound one."
    );
    assert!(failure(refresh_answer(&reply(200, &bearer))).contains("Bearer"));
    let lower = ISSUED.replace(r#""DPoP""#, r#""dpop""#);
    assert!(refresh_answer(&reply(200, &lower)).is_ok());
    assert!(failure(refresh_answer(&reply(200, "{}"))).contains("not what was expected"));
}

#[test]
fn a_refused_refresh_ends_the_sign_in() {
    assert_eq!(
        failure(refresh_answer(&reply(400, &error("invalid_grant")))),
        "Your sign-in has ended; run `latchkey-cli login` again."
    );
    let msg = failure(refresh_answer(&reply(400, &error("invalid_dpop_proof"))));
    assert_eq!(msg, "The server answered 400: About invalid_dpop_proof.");
    let without_rotation = r#"{"access_token":"at2","token_type":"DPoP","expires_in":60}"#;
    let tokens = refresh_answer(&reply(200, without_rotation)).unwrap();
    assert_eq!(tokens.refresh_token, None);
}
