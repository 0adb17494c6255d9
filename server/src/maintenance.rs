//! The background tasks of a running instance: deleting what expired,
//! following what other instances change (JWT: revocations; memory
//! sessions: accounts disabled by the admin command), and counting the
//! lockouts the metrics report.

use std::time::Duration;

use crate::{accounts, events, AppState, Result};

/// How often expired sessions are deleted.
const PURGE_EVERY: Duration = Duration::from_secs(600);
/// How often the lockout gauge is counted: a common scrape interval.
const LOCKOUTS_EVERY: Duration = Duration::from_secs(15);
/// How often changes made by other instances (revocations) are read.
const SYNC_EVERY: Duration = crate::auth::jwt::revocation::SYNC_EVERY;

/// What one purge deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub counters: u64,
    pub events: u64,
}

impl AppState {
    /// Starts the background tasks: deleting expired sessions, sign-in
    /// counters and audit events past their retention, and following
    /// changes other instances make (JWT: revocations).
    pub fn spawn_maintenance(&self) -> tokio::task::JoinHandle<()> {
        let auth = self.auth.clone();
        tokio::spawn(async move { auth.listen().await });
        let state = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SYNC_EVERY);
            let mut disabled_since = state.clock.now();
            loop {
                tick.tick().await;
                if let Err(e) = state.auth.sync().await {
                    tracing::warn!(error = %e, "could not read changes made by other instances");
                }
                // Sessions in this process's memory are out of reach of the
                // admin command: disabled accounts are read from the
                // database instead, like revocations.
                if state.auth.keeps_sessions_in_process() {
                    match accounts::end_disabled_since(&state, disabled_since).await {
                        Ok(next) => disabled_since = next,
                        Err(e) => tracing::warn!(error = %e, "could not read disabled accounts"),
                    }
                }
                state.metrics.upkeep();
            }
        });
        if self.metrics.is_on() {
            let state = self.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(LOCKOUTS_EVERY);
                loop {
                    tick.tick().await;
                    state.count_lockouts().await;
                }
            });
        }
        let state = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(PURGE_EVERY);
            loop {
                tick.tick().await;
                state.purge().await;
            }
        })
    }

    /// Sets the lockout gauge from the shared store. The maintenance task
    /// does it, not the scrape: reading every counter is a store scan, and
    /// whoever can reach `/metrics` must not be able to make the store do
    /// one per request. A failed read keeps the last value.
    pub async fn count_lockouts(&self) {
        match self.throttle.lockouts_active(self.clock.now()).await {
            Ok(n) => self
                .metrics
                .gauge("latchkey_throttle_lockouts_active", n as f64),
            Err(e) => tracing::warn!(error = %e, "could not count active lockouts"),
        }
    }

    /// Deletes what has expired (the maintenance task's round): failures
    /// are logged, and the next round tries again.
    pub async fn purge(&self) {
        match self.purge_now().await {
            Ok(p) if p == Purged::default() => {}
            Ok(p) => tracing::info!(
                sessions = p.sessions,
                counters = p.counters,
                events = p.events,
                "deleted expired records"
            ),
            Err(e) => tracing::warn!(error = %e, "could not purge expired records"),
        }
    }

    /// Deletes expired device sessions, quiet sign-in counters and audit
    /// events older than the retention period; says how many of each.
    pub async fn purge_now(&self) -> Result<Purged> {
        let now = self.clock.now();
        let sessions = self.auth.purge_expired().await?;
        let counters = self.throttle.purge(now).await?;
        let before = now - self.config.audit_retention.as_secs() as i64;
        let events = events::purge(&self.db, before).await?;
        // Abandoned WebAuthn ceremonies (Redis expires its own).
        self.ceremonies.purge().await?;
        // Device authorization requests past answering (Redis expires its
        // own).
        self.device_codes.purge().await?;
        // DPoP proofs too old to pass again (Redis expires its own).
        self.dpop.purge().await?;
        Ok(Purged {
            sessions,
            counters,
            events,
        })
    }
}
