//! The outage scenario: steady load on two instances while PostgreSQL, then
//! Redis, disappears for a few seconds; every response is tallied.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::*;

const BEFORE: Duration = Duration::from_millis(1_500);
const OUTAGE: Duration = Duration::from_secs(3);
const AFTER: Duration = Duration::from_secs(7);
/// Service must be back this soon after the store returns.
const RECOVERY: Duration = Duration::from_secs(5);
const WORKERS: usize = 4;
/// Pause between one worker's requests (bounds the request count).
const PACE: Duration = Duration::from_millis(25);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// `GET /`, anonymous: needs no store.
    PublicPage,
    /// `GET /account` with the browser's cookies.
    AccountPage,
    /// `GET /api/me`: cookie (session mode) or Bearer token (JWT mode).
    Me,
    /// A password sign-in: needs the database.
    SignIn,
}

struct Sample {
    at: Duration,
    kind: Kind,
    /// `None`: no HTTP answer at all (refused, reset, or timed out).
    status: Option<u16>,
}

struct Worker {
    http: reqwest::Client,
    bases: [String; 2],
    browser: Browser,
    bearer: Option<String>,
    mode: &'static str,
}

impl Worker {
    async fn send(&self, kind: Kind, base: &str) -> Option<u16> {
        let cookies = self
            .browser
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = match kind {
            Kind::PublicPage => self.http.get(format!("{base}/")),
            Kind::AccountPage => self
                .http
                .get(format!("{base}/account"))
                .header("cookie", cookies),
            Kind::Me => match &self.bearer {
                Some(token) => self.http.get(format!("{base}/api/me")).bearer_auth(token),
                None => self
                    .http
                    .get(format!("{base}/api/me"))
                    .header("cookie", cookies),
            },
            Kind::SignIn if self.mode == "jwt" => {
                self.http.post(format!("{base}/auth/token")).form(&[
                    ("grant_type", "password"),
                    ("username", "carol"),
                    ("password", PASSWORD),
                ])
            }
            Kind::SignIn => self
                .http
                .post(format!("{base}/api/sign_in"))
                .header("accept", "application/json")
                .form(&[("username", "carol"), ("password", PASSWORD)]),
        };
        req.send().await.ok().map(|r| r.status().as_u16())
    }
}

pub async fn outage_scenario(mode: &'static str) {
    let _serial = SERIAL.lock().await;
    let Some(stores) = Stores::start().await else {
        return;
    };
    let settings = stores.settings(mode);
    let mut a = Instance::start(&settings, free_port()).await;
    let mut b = Instance::start(&settings, free_port()).await;
    let http = client();
    let browser = sign_up(&http, &a, "carol").await;
    let bearer = if mode == "jwt" {
        let t = password_grant(&http, &a, "carol").await;
        Some(t["access_token"].as_str().unwrap().to_string())
    } else {
        None
    };

    let worker = Arc::new(Worker {
        http: http.clone(),
        bases: [a.base.clone(), b.base.clone()],
        browser,
        bearer,
        mode,
    });
    let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let (worker, samples, stop) = (worker.clone(), samples.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let kinds = [Kind::PublicPage, Kind::AccountPage, Kind::Me, Kind::SignIn];
            let mut i = w;
            while !stop.load(Ordering::SeqCst) {
                // Sign-ins hash a password: one worker in four sends them.
                let kind = if w == 0 { kinds[i % 4] } else { kinds[i % 3] };
                let base = &worker.bases[i % 2];
                let at = t0.elapsed();
                let status = worker.send(kind, base).await;
                samples.lock().unwrap().push(Sample { at, kind, status });
                i += 1;
                tokio::time::sleep(PACE).await;
            }
        }));
    }

    let mut outages = Vec::new();
    for (store, relay) in [
        ("PostgreSQL", &stores.pg_proxy),
        (
            "Redis",
            stores.redis_proxy.as_ref().expect("a relayed Redis"),
        ),
    ] {
        tokio::time::sleep(BEFORE).await;
        let down = t0.elapsed();
        relay.cut();
        tokio::time::sleep(OUTAGE).await;
        relay.restore();
        let up = t0.elapsed();
        outages.push((store, down, up));
        tokio::time::sleep(AFTER).await;
    }
    stop.store(true, Ordering::SeqCst);
    for t in tasks {
        t.await.unwrap();
    }
    assert!(a.is_running() && b.is_running(), "an instance exited");

    let samples = std::mem::take(&mut *samples.lock().unwrap());
    report(mode, &samples, &outages);
    check(mode, &samples, &outages);

    // After the outages every path is whole again, the revocation channel
    // included: a sign-out on B is refused by A on the next request.
    let mut dana = sign_up(&http, &a, "dana").await;
    assert_eq!(account(&http, &mut dana, &b).await, StatusCode::OK);
    let mut stale = dana.clone();
    let r = dana
        .post_form(&http, &format!("{}/api/sign_out", b.base), &[])
        .await
        .unwrap();
    assert!(r.status.is_redirection(), "{}", r.status);
    assert_eq!(account(&http, &mut stale, &a).await, StatusCode::SEE_OTHER);
    drop((a, b));
    stores.stop().await;
}

/// Prints the tally by phase, kind and status.
fn report(mode: &str, samples: &[Sample], outages: &[(&str, Duration, Duration)]) {
    let mut tally: BTreeMap<(String, Kind, String), u32> = BTreeMap::new();
    for s in samples {
        let phase = outages
            .iter()
            .find(|(_, down, up)| s.at >= *down && s.at < *up)
            .map_or("stores up".to_string(), |(store, ..)| {
                format!("{store} down")
            });
        let status = s.status.map_or("no answer".into(), |c| c.to_string());
        *tally.entry((phase, s.kind, status)).or_default() += 1;
    }
    eprintln!("{mode} mode, {} requests:", samples.len());
    for ((phase, kind, status), n) in tally {
        eprintln!("  {phase:16} {kind:?}: {status} × {n}");
    }
}

fn check(mode: &str, samples: &[Sample], outages: &[(&str, Duration, Duration)]) {
    for s in samples {
        let ok = s
            .status
            .is_some_and(|c| (200..400).contains(&c) || c == 401 || c == 503);
        assert!(ok, "{mode}: {:?} at {:?} got {:?}", s.kind, s.at, s.status);
        if s.kind == Kind::PublicPage {
            assert_eq!(
                s.status,
                Some(200),
                "{mode}: the public page needs no store ({:?})",
                s.at
            );
        }
        if mode == "jwt" && matches!(s.kind, Kind::Me | Kind::AccountPage) {
            assert_eq!(
                s.status,
                Some(200),
                "{mode}: a valid access token needs no store ({:?} at {:?})",
                s.kind,
                s.at
            );
        }
    }
    for (store, down, up) in outages {
        let during: Vec<&Sample> = samples
            .iter()
            .filter(|s| s.at >= *down && s.at < *up)
            .collect();
        assert!(
            during
                .iter()
                .any(|s| s.kind == Kind::SignIn && s.status == Some(503))
                || *store == "Redis" && mode == "jwt",
            "{mode}: no 503 while {store} was down; the outage was not felt"
        );
        let late_503 = samples
            .iter()
            .filter(|s| s.at >= *up + RECOVERY && s.at < *up + AFTER && s.status == Some(503))
            .count();
        assert_eq!(
            late_503, 0,
            "{mode}: still 503 more than 5 s after {store} returned"
        );
        let last_503 = samples
            .iter()
            .filter(|s| s.at >= *up && s.at < *up + AFTER && s.status == Some(503))
            .map(|s| s.at - *up)
            .max();
        eprintln!(
            "{mode}: {store} down {:?}; last 503 {:?} after it returned",
            *up - *down,
            last_503
        );
    }
}
