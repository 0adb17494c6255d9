//! A Redis Cluster master killed (`kill -9`) while two instances serve
//! sign-ins, page loads and sign-outs: the master holding the revocation
//! channel's slot, and with it about a third of the sessions.
//!
//! What must hold, in both modes:
//! - every answer is 2xx, 3xx, 401, 429 or 503, and every 503 says
//!   `Retry-After`; a signed-in user's page is never answered as if signed
//!   out (a store that cannot answer is not "no session");
//! - the last 503 comes no later than the cluster's failover (measured
//!   here) plus one store timeout after the kill;
//! - nothing acknowledged is lost: every sign-out answered before or during
//!   the failover stays in force on both instances and on a third started
//!   afterwards, and every sign-in answered (and not signed out) still
//!   works.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::cluster::PrivateCluster;
use super::instance::Reply;
use super::*;

/// The store timeout the instances run with (the default).
const STORE_TIMEOUT: Duration = Duration::from_secs(2);
/// Load before the kill.
const BEFORE: Duration = Duration::from_millis(1_500);
/// Load after the cluster healed.
const AFTER: Duration = Duration::from_secs(3);
/// How long after the heal the instances have read the new layout (one
/// repair round, with room).
const SETTLE: Duration = Duration::from_secs(1);
/// Pause between one worker's requests (bounds the request count).
const PACE: Duration = Duration::from_millis(40);
/// Signed-in users whose pages are loaded throughout.
const READERS: usize = 6;
/// Workers signing in and out throughout.
const CHURNERS: usize = 2;

/// One answer, when it was asked for, and what it was for.
struct Sample {
    at: Duration,
    what: &'static str,
    status: Option<StatusCode>,
    retry_after: bool,
}

/// What the churners were told: sign-ins answered and kept, and sign-ins
/// answered and then signed out, that answered too. (A sign-out that
/// answered 503 may or may not have ended its session: neither is checked.)
#[derive(Default)]
struct Acknowledged {
    kept: Vec<Browser>,
    signed_out: Vec<Browser>,
}

/// Whether a post was done (its answer a success or the redirect that
/// follows one): the page's script sends it, so an error is its status.
fn answered(status: StatusCode) -> bool {
    status.is_success() || status.is_redirection()
}

fn sample(at: Duration, what: &'static str, reply: &Result<Reply, reqwest::Error>) -> Sample {
    let ok = reply.as_ref().ok();
    Sample {
        at,
        what,
        status: ok.map(|r| r.status),
        retry_after: ok.is_some_and(|r| r.retry_after.is_some()),
    }
}

pub async fn failover_scenario(mode: &'static str) {
    let _serial = SERIAL.lock().await;
    let mut cluster = PrivateCluster::start().await;
    let Some(stores) = Stores::start_over_cluster(cluster.urls()).await else {
        return;
    };
    let settings = stores.settings(mode);
    let mut a = Instance::start(&settings, free_port()).await;
    let mut b = Instance::start(&settings, free_port()).await;
    let bases = [a.base.clone(), b.base.clone()];
    let http = client();
    let mut readers = Vec::new();
    for i in 0..READERS {
        readers.push(sign_up(&http, &a, &format!("reader-{i}")).await);
    }
    for i in 0..CHURNERS {
        sign_up(&http, &b, &format!("churner-{i}")).await;
    }

    let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
    let acked = Arc::new(Mutex::new(Acknowledged::default()));
    let t0 = Instant::now();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (i, reader) in readers.iter().enumerate() {
        let (http, bases, samples, stop) =
            (http.clone(), bases.clone(), samples.clone(), stop.clone());
        let mut reader = reader.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = i;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let at = t0.elapsed();
                let url = format!("{}/account", bases[n % 2]);
                let reply = reader.get(&http, &url).await;
                samples.lock().unwrap().push(sample(at, "account", &reply));
                n += 1;
                tokio::time::sleep(PACE).await;
            }
        }));
    }
    for i in 0..CHURNERS {
        let (http, bases, samples, acked, stop) = (
            http.clone(),
            bases.clone(),
            samples.clone(),
            acked.clone(),
            stop.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let username = format!("churner-{i}");
            let (mut n, mut round) = (i, 0);
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let mut browser = Browser::default();
                let at = t0.elapsed();
                let url = format!("{}/api/sign_in", bases[n % 2]);
                let form = [("username", username.as_str()), ("password", PASSWORD)];
                let reply = browser.post_from_script(&http, &url, &form).await;
                samples.lock().unwrap().push(sample(at, "sign in", &reply));
                n += 1;
                if !reply.is_ok_and(|r| answered(r.status)) {
                    tokio::time::sleep(PACE).await;
                    continue;
                }
                let signed_in = browser.clone();
                round += 1;
                if round % 2 == 0 {
                    // One sign-in in two is kept.
                    acked.lock().unwrap().kept.push(signed_in);
                    tokio::time::sleep(PACE).await;
                    continue;
                }
                let at = t0.elapsed();
                let url = format!("{}/api/sign_out", bases[n % 2]);
                let reply = browser.post_from_script(&http, &url, &[]).await;
                samples.lock().unwrap().push(sample(at, "sign out", &reply));
                if reply.is_ok_and(|r| answered(r.status)) {
                    acked.lock().unwrap().signed_out.push(signed_in);
                }
                n += 1;
                tokio::time::sleep(PACE).await;
            }
        }));
    }

    tokio::time::sleep(BEFORE).await;
    let revocations = format!("{}{{revocations}}", settings.redis_prefix);
    let master = cluster.master_of(&revocations).await;
    let killed_at = t0.elapsed();
    cluster.kill(master);
    let failover = cluster.wait_healed(Duration::from_secs(20)).await;
    // Once healed, with the load still running, a sign-out on one instance
    // is in force on the other by the time it answers, as before the kill:
    // the listeners are subscribed on the promoted replica and confirm.
    tokio::time::sleep(SETTLE).await;
    let mut late = sign_up(&http, &b, "late-reader").await;
    let stale = late.clone();
    let sign_out = format!("{}/api/sign_out", b.base);
    let out = late.post_form(&http, &sign_out, &[]).await.unwrap();
    assert!(out.status.is_redirection(), "{mode}: {}", out.status);
    let mut probe = stale;
    assert_eq!(
        account(&http, &mut probe, &a).await,
        StatusCode::SEE_OTHER,
        "{mode}: after the failover, a sign-out on B was not in force on A when it answered"
    );
    tokio::time::sleep(AFTER - SETTLE).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for t in tasks {
        t.await.unwrap();
    }
    assert!(a.is_running() && b.is_running(), "an instance exited");

    let samples = std::mem::take(&mut *samples.lock().unwrap());
    let last_503 = report(mode, &samples, killed_at, failover);
    check_answers(mode, &samples);
    if let Some(last) = last_503 {
        let bound = killed_at + failover + STORE_TIMEOUT;
        assert!(
            last <= bound,
            "{mode}: a 503 at {last:?}, after the failover ({failover:?} from the kill at \
             {killed_at:?}) plus one store timeout"
        );
    }

    // Nothing acknowledged is lost, on either instance or a new one.
    let c = Instance::start(&settings, free_port()).await;
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(
        !acked.signed_out.is_empty(),
        "{mode}: no sign-out was acknowledged"
    );
    for at in [&a, &b, &c] {
        for (i, ended) in acked.signed_out.iter().enumerate() {
            let mut probe = ended.clone();
            let status = account(&http, &mut probe, at).await;
            assert_eq!(
                status,
                StatusCode::SEE_OTHER,
                "{mode}: acknowledged sign-out {i} of {} not in force at {}",
                acked.signed_out.len(),
                at.base
            );
        }
        for kept in acked.kept.iter().chain(&readers) {
            let mut probe = kept.clone();
            assert_eq!(
                account(&http, &mut probe, at).await,
                StatusCode::OK,
                "{mode}: an acknowledged sign-in was lost"
            );
        }
    }
    drop((a, b, c));
    stores.stop().await;
    drop(cluster);
}

/// Prints the tally by phase, kind and status; returns when the last 503
/// (or unanswered request) was sent.
fn report(
    mode: &str,
    samples: &[Sample],
    killed_at: Duration,
    failover: Duration,
) -> Option<Duration> {
    let healed_at = killed_at + failover;
    let mut tally = std::collections::BTreeMap::<(u8, &str, String), u32>::new();
    for s in samples {
        let phase = (s.at >= killed_at) as u8 + (s.at >= healed_at) as u8;
        let status = s
            .status
            .map_or("no answer".into(), |c| c.as_u16().to_string());
        *tally.entry((phase, s.what, status)).or_default() += 1;
    }
    eprintln!(
        "{mode} mode over a Redis Cluster, {} requests; master killed at {killed_at:?}, \
         healed {failover:?} later:",
        samples.len()
    );
    for ((phase, what, status), n) in tally {
        let phase = ["before the kill", "failing over", "after"][phase as usize];
        eprintln!("  {phase:16} {what:9} {status} × {n}");
    }
    let unavailable = samples.iter().filter(|s| s.status.is_none_or(|c| c == 503));
    let last = unavailable.map(|s| s.at).max();
    eprintln!("  last 503: {last:?}");
    last
}

fn check_answers(mode: &str, samples: &[Sample]) {
    for s in samples {
        let Some(status) = s.status else {
            panic!("{mode}: {} at {:?} got no answer", s.what, s.at);
        };
        let code = status.as_u16();
        let allowed = (200..400).contains(&code) || matches!(code, 401 | 429 | 503);
        assert!(allowed, "{mode}: {} at {:?} got {status}", s.what, s.at);
        if code == 503 {
            assert!(
                s.retry_after,
                "{mode}: a 503 without Retry-After ({})",
                s.what
            );
        }
        if s.what == "account" {
            assert!(
                matches!(code, 200 | 503),
                "{mode}: a signed-in reader's page got {status} at {:?}",
                s.at
            );
        }
    }
}
