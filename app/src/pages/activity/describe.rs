//! What an activity event means, in a sentence a person reads: what
//! happened, on which device, caused by whom, and how alarming it is.

use std::collections::HashMap;

use views::account::EventView;

use crate::api::devices::short_id;

/// Where an event came from: the client's browser, system and network, or
/// the operator's command for what only the admin command does.
pub(super) fn origin(e: &EventView) -> String {
    let disable = "account_disabled";
    if e.kind == disable || e.cause.as_deref() == Some(disable) {
        return "by an operator (latchkey users disable)".into();
    }
    if e.kind == "account_enabled" {
        return "by an operator (latchkey users enable)".into();
    }
    match &e.address {
        Some(address) => format!("{} on {} · {}", e.browser, e.os, address),
        None => format!("{} on {}", e.browser, e.os),
    }
}

/// The devices that signed in on this page of events, by id: a sign-in
/// event's client is the device it started ("Firefox 133 on Windows 10").
pub(super) fn device_names(events: &[EventView]) -> HashMap<String, String> {
    events
        .iter()
        .filter(|e| e.kind == "sign_in_ok")
        .filter_map(|e| {
            let id = e.device_id.clone()?;
            Some((id, format!("{} on {}", e.browser, e.os)))
        })
        .collect()
}

/// What an event means, in a sentence, and how alarming it is. Devices are
/// named by their short id, and by browser and system when this page holds
/// their sign-in.
pub(super) fn describe(e: &EventView, names: &HashMap<String, String>) -> (String, &'static str) {
    let device = match e.device_id.as_deref() {
        Some(id) => match names.get(id) {
            Some(name) => format!("{name} (device {})", short_id(id)),
            None => format!("device {}", short_id(id)),
        },
        None => "a device".into(),
    };
    match (e.kind.as_str(), e.cause.as_deref()) {
        ("sign_up", _) => ("Account created".into(), "ok"),
        // The line under it names the browser: here only the device id.
        ("sign_in_ok", Some("api")) => (
            format!("Signed in from an app or script: device {}", short_of(e)),
            "ok",
        ),
        ("sign_in_ok", Some("device_grant")) => (
            format!("An app you approved signed in: device {}", short_of(e)),
            "ok",
        ),
        ("sign_in_ok", Some("passkey")) => (
            format!("Signed in with a passkey: device {}", short_of(e)),
            "ok",
        ),
        ("sign_in_ok", _) => (
            format!("Signed in from a browser: device {}", short_of(e)),
            "ok",
        ),
        ("sign_in_failed", Some("passkey")) => (
            "Failed sign-in: a passkey was refused (unknown, removed, or not verified)".into(),
            "warn",
        ),
        ("sign_in_failed", _) => ("Failed sign-in: wrong password".into(), "warn"),
        ("sign_in_throttled", _) => (
            "Sign-in refused: too many failed attempts, the account is locked for a while".into(),
            "warn",
        ),
        ("sign_in_disabled", _) => (
            "Sign-in refused: the account is disabled (the password was right)".into(),
            "alert",
        ),
        ("sign_out", _) => (format!("Signed out: {device}"), "ok"),
        ("device_revoked", Some("owner")) => (format!("You signed out {device}"), "ok"),
        ("device_revoked", Some("everywhere")) => {
            (format!("Signed out everywhere: {device} ended"), "ok")
        }
        ("device_revoked", Some("password_changed")) => {
            (format!("Your password change signed out {device}"), "ok")
        }
        ("device_revoked", Some("token_holder")) => {
            (format!("An app revoked its token: {device} ended"), "ok")
        }
        ("device_revoked", Some("account_disabled")) => {
            (format!("The account was disabled: {device} ended"), "alert")
        }
        ("device_revoked", _) => (format!("{device} was signed out"), "ok"),
        ("refresh_reuse_detected", _) => (
            format!(
                "Refresh-token reuse detected: an old token of {device} was used again; \
                 that device was signed out"
            ),
            "alert",
        ),
        ("password_changed", _) => ("Password changed".into(), "ok"),
        ("reauthenticated", _) => (
            format!("You confirmed it was you (password typed again) on {device}"),
            "ok",
        ),
        ("passkey_added", _) => (format!("Passkey added on {device}"), "ok"),
        ("device_approved", app) => (
            format!(
                "You approved the sign-in of the app “{}” on {device}",
                app.unwrap_or("?")
            ),
            "ok",
        ),
        ("device_denied", app) => (
            format!(
                "You denied the sign-in of the app “{}” on {device}",
                app.unwrap_or("?")
            ),
            "ok",
        ),
        ("passkey_removed", _) => (format!("Passkey removed on {device}"), "ok"),
        ("passkey_cloned", _) => (
            "Sign-in refused: a passkey's counter went backwards, so a copy of it may exist. \
             Remove it on the security page if this was not you."
                .into(),
            "alert",
        ),
        ("account_disabled", _) => ("Account disabled by an operator".into(), "alert"),
        ("account_enabled", _) => ("Account enabled again by an operator".into(), "ok"),
        ("device_migrated", from) => (
            format!(
                "{device} carried over from {} mode after the server switched mode",
                if from == Some("jwt") {
                    "JWT"
                } else {
                    "session"
                }
            ),
            "ok",
        ),
        (other, _) => (format!("Event: {other}"), "ok"),
    }
}

/// The short id of the event's device.
fn short_of(e: &EventView) -> &str {
    e.device_id.as_deref().map_or("?", short_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, detail: Option<&str>) -> EventView {
        EventView {
            id: "e".into(),
            at: 0,
            kind: kind.into(),
            cause: detail.map(Into::into),
            device_id: Some("AbCdEfGhIjKlMnOpQrStUv".into()),
            browser: "Firefox 133".into(),
            os: "Linux".into(),
            address: None,
            attempts: 1,
            last_at: None,
        }
    }

    #[test]
    fn reuse_names_the_device_and_alarms() {
        let (text, tone) = describe(&event("refresh_reuse_detected", None), &HashMap::new());
        assert!(text.contains("an old token of device AbCdEf"), "{text}");
        assert!(text.contains("signed out"), "{text}");
        assert_eq!(tone, "alert");
    }

    #[test]
    fn revocations_say_who_caused_them() {
        let none = HashMap::new();
        let by = |cause| describe(&event("device_revoked", Some(cause)), &none).0;
        assert!(by("owner").starts_with("You signed out"));
        assert!(by("password_changed").contains("password change"));
        assert!(by("everywhere").contains("everywhere"));
        let api = describe(&event("sign_in_ok", Some("api")), &none).0;
        assert!(api.contains("app or script"), "{api}");
    }

    #[test]
    fn a_device_grant_names_the_app() {
        let none = HashMap::new();
        let approved = describe(&event("device_approved", Some("latchkey-cli")), &none).0;
        assert_eq!(
            approved,
            "You approved the sign-in of the app “latchkey-cli” on device AbCdEf"
        );
        let denied = describe(&event("device_denied", Some("latchkey-cli")), &none).0;
        assert!(denied.starts_with("You denied the sign-in of the app “latchkey-cli”"));
        let signed_in = describe(&event("sign_in_ok", Some("device_grant")), &none).0;
        assert_eq!(signed_in, "An app you approved signed in: device AbCdEf");
    }

    #[test]
    fn a_confirmation_says_it_was_you_on_which_device() {
        let (text, tone) = describe(&event("reauthenticated", None), &HashMap::new());
        assert_eq!(
            text,
            "You confirmed it was you (password typed again) on device AbCdEf"
        );
        assert_eq!(tone, "ok");
    }

    #[test]
    fn what_an_operator_did_says_so() {
        let by_operator = "by an operator (latchkey users disable)";
        assert_eq!(origin(&event("account_disabled", None)), by_operator);
        assert_eq!(
            origin(&event("device_revoked", Some("account_disabled"))),
            by_operator
        );
        assert_eq!(
            origin(&event("sign_in_disabled", Some("browser"))),
            "Firefox 133 on Linux"
        );
    }

    #[test]
    fn devices_are_named_by_their_sign_in_on_the_page() {
        let events = [event("sign_in_ok", Some("browser"))];
        let names = device_names(&events);
        let (text, _) = describe(&event("device_revoked", Some("owner")), &names);
        assert_eq!(text, "You signed out Firefox 133 on Linux (device AbCdEf)");
    }
}
