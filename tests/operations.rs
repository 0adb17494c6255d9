//! The operator's tools against real server processes on loopback ports:
//!
//! - `latchkey users disable NAME`, run as its own process over the same
//!   stores, ends a signed-in user's browser and Bearer sign-ins: at once
//!   with Redis, within one sync (2 s) where the sessions or the revocation
//!   set live in a server's memory; in both modes. Then `users list`,
//!   `users enable`, `sessions purge`, and a wrong name (exit 1)
//!   (`disable`).
//! - `LATCHKEY_LOG_FORMAT=json`: one JSON line per answered request,
//!   carrying its `x-request-id`.
//! - `latchkey keys rotate`: a running server publishes the new key and
//!   signs with it without a restart; tokens of the old key still pass.
//! - A switch of `LATCHKEY_AUTH_MODE` between two runs: a sign-in carried
//!   over is recorded once, and what ended sign-ins ends the ones still
//!   waiting in the other mode's records (`mode_switch`).
//!
//! - `scripts/passkey_client.py`, a passkey client of its own, through the
//!   public endpoints in both modes (`passkey_script`).
//!
//! The database is a SQLite file both processes open; the Redis cases need
//! `LATCHKEY_TEST_REDIS_URL` and say they were skipped without it.

#![cfg(feature = "ssr")]

// Shared with the scale-out tests; not every helper is used here.
#[allow(dead_code)]
#[path = "scale_out/instance.rs"]
mod instance;

use std::process::Output;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use server::redis_client::{self, RedisClient};

use instance::{client, command, free_port, Browser, Instance, Settings, TempDir};

const PASSWORD: &str = "correct-horse";

/// Settings over a SQLite file in `dir`, sessions in `store`.
fn settings(
    dir: &TempDir,
    mode: &'static str,
    store: &'static str,
    redis: Option<&RedisClient>,
) -> Settings {
    Settings {
        mode,
        database_url: format!("sqlite://{}", dir.path().join("latchkey.db").display()),
        redis_url: std::env::var(redis_client::TEST_ENV)
            .ok()
            .filter(|_| redis.is_some())
            // Never dialled: the memory store opens no Redis connection.
            .unwrap_or_else(|| "redis://127.0.0.1:1".into()),
        redis_prefix: redis.map_or_else(String::new, |r| r.key("")),
        redis_cluster: false,
        session_store: store,
        data_dir: dir.path().to_path_buf(),
        jwt_alg: "HS256",
        json_log: None,
    }
}

/// Runs `scripts/<script> --base <base>` with python3 and returns what it
/// printed; fails the test, showing its output, if it did not succeed.
async fn run_client_script(script: &str, base: &str) -> String {
    let path = format!("{}/scripts/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = tokio::process::Command::new("python3")
        .args([path.as_str(), "--base", base])
        .output()
        .await
        .expect("run python3");
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{script}: {said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    said
}

/// Runs `latchkey <args>` with the servers' environment.
async fn admin(settings: &Settings, args: &[&str]) -> Output {
    command(settings)
        .args(args)
        .output()
        .await
        .expect("run the admin command")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `GET /api/me`'s status with `authorization`, or with `browser`'s cookies.
async fn me(
    http: &reqwest::Client,
    base: &str,
    browser: &Browser,
    bearer: Option<&str>,
) -> StatusCode {
    let mut req = http.get(format!("{base}/api/me"));
    req = match bearer {
        Some(token) => req.bearer_auth(token),
        None => {
            let cookie: Vec<String> = browser
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req.header(reqwest::header::COOKIE, cookie.join("; "))
        }
    };
    req.send().await.unwrap().status()
}

#[tokio::test]
async fn json_logs_carry_each_request_id() {
    let dir = TempDir::new("logs");
    let log = dir.path().join("server.log");
    let settings = Settings {
        jwt_alg: "HS256",
        json_log: Some(log.clone()),
        ..settings(&dir, "session", "memory", None)
    };
    let server = Instance::start(&settings, free_port()).await;
    let http = client();
    let mut ids = Vec::new();
    for (path, sent) in [
        ("/healthz", Some("ops-1")),
        ("/api/me", Some("ops-2")),
        ("/nope", None),
    ] {
        let mut req = http.get(format!("{}{path}", server.base));
        if let Some(id) = sent {
            req = req.header("x-request-id", id);
        }
        let r = req.send().await.unwrap();
        let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
        if let Some(sent) = sent {
            assert_eq!(id, sent, "the client's id is echoed");
        }
        ids.push((id, path, r.status().as_u16()));
    }
    server.kill().await;
    let logs = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    for (id, path, status) in ids {
        let answered: Vec<_> = lines
            .iter()
            .filter(|l| {
                l["span"]["request_id"] == id.as_str()
                    && l["fields"]["message"] == "request answered"
            })
            .collect();
        assert_eq!(answered.len(), 1, "{id}: {logs}");
        let line = answered[0];
        assert_eq!(line["fields"]["status"], status);
        assert_eq!(line["span"]["mode"], "session");
        let route = if path == "/nope" { "fallback" } else { path };
        assert_eq!(line["span"]["route"], route);
    }
}

#[path = "operations/disable.rs"]
mod disable;
#[path = "operations/dpop_script.rs"]
mod dpop_script;
#[path = "operations/keys.rs"]
mod keys;
#[path = "operations/mode_switch.rs"]
mod mode_switch;
#[path = "operations/passkey_script.rs"]
mod passkey_script;

/// The data directory holds the keys and the database: a first start under
/// `umask 022` creates both for the server's user alone, and a start on a
/// directory that others can read stops with the `chmod` that fixes it.
#[tokio::test]
async fn the_data_directory_is_the_servers_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("files");
    let data = dir.path().join("data");
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let start = || {
        let mut cmd = tokio::process::Command::new("sh");
        cmd.arg("-c")
            .arg("umask 022 && exec \"$0\" users list")
            .arg(env!("CARGO_BIN_EXE_latchkey"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LATCHKEY_AUTH_MODE", "jwt")
            .env("LATCHKEY_DATA_DIR", &data)
            .stdin(std::process::Stdio::null());
        cmd.output()
    };
    let out = start().await.expect("run latchkey");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(mode(&data), 0o700);
    for file in ["latchkey.db", "jwt-hs256.key", "refresh-derivation.key"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }

    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = start().await.expect("run latchkey");
    let said = text(&out.stderr);
    assert!(
        !out.status.success(),
        "started on an open directory: {said}"
    );
    assert!(
        said.contains(&format!("chmod 700 {}", data.display())),
        "{said}"
    );
}
