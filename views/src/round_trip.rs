//! Every shape comes back from JSON as it went in, and the JSON API's items
//! keep their field names (clients read them).

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::account::{AccountView, ActivityView, DeviceView, DevicesView, EventView};
use crate::inspect::{
    ChainView, CookieView, Inspection, LinkView, MemoryView, RecordView, RefusalView, RevokedView,
    TamperView, TokenView,
};
use crate::tradeoffs::{CaseFigure, Live, Measured, MeasuredConfig, TradeoffsView};
use crate::Mode;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) -> Value {
    let json = serde_json::to_value(value).expect("serializes");
    let back: T = serde_json::from_value(json.clone()).expect("deserializes");
    assert_eq!(&back, value);
    json
}

fn keys(json: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = json
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn device() -> DeviceView {
    DeviceView {
        id: "dev1".into(),
        current: true,
        browser: "Firefox 133".into(),
        os: "Linux".into(),
        address: Some("203.0.113.x".into()),
        created_at: 1,
        last_seen_at: 2,
        idle_expires_at: 3,
        absolute_expires_at: 4,
        persistent: false,
        other_mode: true,
        bound: true,
        audience: Some("http://notes.example".into()),
    }
}

fn event() -> EventView {
    EventView {
        id: "ev1".into(),
        at: 5,
        kind: "sign_in_throttled".into(),
        cause: Some("api".into()),
        device_id: None,
        browser: "curl".into(),
        os: "—".into(),
        address: None,
        attempts: 3,
        last_at: Some(9),
    }
}

#[test]
fn the_api_items_keep_their_field_names() {
    assert_eq!(
        keys(&round_trip(&device())),
        [
            "absolute_expires_at",
            "address",
            "audience",
            "bound",
            "browser",
            "created_at",
            "current",
            "id",
            "idle_expires_at",
            "last_seen_at",
            "os",
            "other_mode",
            "persistent"
        ]
    );
    assert_eq!(
        keys(&round_trip(&event())),
        [
            "address",
            "at",
            "attempts",
            "browser",
            "cause",
            "device_id",
            "id",
            "kind",
            "last_at",
            "os"
        ]
    );
    let page = ActivityView {
        events: vec![event()],
        older: Some("5.ev1".into()),
    };
    assert_eq!(keys(&round_trip(&page)), ["events", "older"]);
}

#[test]
fn the_account_pages_shapes_round_trip() {
    round_trip(&AccountView {
        username: "ada".into(),
        mode: Mode::Jwt,
        member_since: None,
        signed_in_at: 1,
        proved_until: 601,
        idle_expires_at: Some(2),
        absolute_expires_at: None,
        access_expires_at: Some(3),
        degraded: true,
        now: 4,
    });
    let devices = round_trip(&DevicesView {
        mode: Mode::Session,
        devices: vec![device()],
        revocation_sync_secs: 5,
        confirm_needed: true,
        reauth_window_secs: 600,
    });
    assert_eq!(devices["mode"], "session");
}

#[test]
fn the_inspection_round_trips() {
    let memory = MemoryView {
        sessions: 2,
        bytes_per_session: 180,
    };
    round_trip(&Inspection {
        now: 1,
        mode: Mode::Jwt,
        store: "database".into(),
        instance: "a".into(),
        username: Some("ada".into()),
        cookies: vec![CookieView {
            name: "latchkey_access".into(),
            bytes: 300,
            value_chars: 280,
            hash_prefix: "abcdef0123".into(),
            kept: "Nothing".into(),
            lifetime: "No Max-Age".into(),
        }],
        cookie_header_bytes: 320,
        bearer: false,
        policy: vec!["HttpOnly".into()],
        store_ops: vec!["get".into()],
        resolve_micros: 12,
        record: Some(RecordView {
            key_prefix: None,
            device_id: "dev1".into(),
            username: "ada".into(),
            user_id: "u1".into(),
            created_at: 1,
            last_seen_at: 2,
            idle_expires_at: 3,
            absolute_expires_at: 4,
            persistent: true,
            amr: "hwk".into(),
        }),
        chain: Some(ChainView {
            links: vec![LinkView {
                hash_prefix: "0123456789".into(),
                parent_prefix: None,
                issued_at: 1,
                used_at: Some(2),
                expires_at: 3,
            }],
            grace_secs: 10,
            reuse_detected: false,
        }),
        memory: Some(memory),
        token: Some(TokenView {
            header: "{}".into(),
            payload: "{}".into(),
            part_chars: [1, 2, 3],
            signature_bytes: 64,
            valid: true,
            status: "Valid".into(),
            exp: Some(9),
        }),
        tamper: Some(TamperView {
            position: 3,
            was: 'a',
            now: 'b',
            payload: "{}".into(),
            accepted: false,
            verdict: "Refused".into(),
        }),
        refusal: Some(RefusalView {
            reason: "expired".into(),
            revoked_sid: Some("dev1".into()),
            revoked_at: Some(7),
        }),
        revocation_bound: "at once".into(),
    });
    round_trip(&RevokedView {
        refused: true,
        detail: "refused".into(),
    });
}

#[test]
fn the_tradeoffs_round_trip() {
    round_trip(&TradeoffsView {
        live: Live {
            mode: Mode::Session,
            store: "memory".into(),
            instance: "a".into(),
            auth_cookie_bytes: 60,
            store_ops_this_request: 1,
            micros_this_request: 8,
            signed_in_requests: 3,
            store_ops_per_request: 1.0,
            micros_per_request: 7.5,
            refreshes: 0,
            memory: Some(MemoryView {
                sessions: 1,
                bytes_per_session: 200,
            }),
            shared: false,
            revocation_set: None,
            revocation_bound: "at once".into(),
            access_ttl_secs: None,
            readable_claims: Some(vec!["sub".into()]),
        },
        measured: Some(Measured {
            date: "2026-12-06".into(),
            machine: "2 cores".into(),
            configs: vec![MeasuredConfig {
                key: "jwt-hs256".into(),
                label: "JWT HS256".into(),
                cookie_bytes: 400,
                auth_cpu_us: 1.5,
                store_ops: None,
                payload_bytes: Some(200),
            }],
            revocation_lag: vec![CaseFigure {
                case: "redis".into(),
                text: "p50 1 ms".into(),
            }],
            load_balancer: Vec::new(),
            memory_per_session: None,
            refresh_rotation: Some("90 µs".into()),
            first_visit: None,
        }),
    });
}
