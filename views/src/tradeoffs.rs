//! What `/tradeoffs` shows: live figures from this server (the same
//! per-request report the inspector shows, summed over this instance's
//! signed-in requests) next to the benchmark's measured ones.

use serde::{Deserialize, Serialize};

use crate::inspect::MemoryView;
use crate::Mode;

/// What this server shows of itself, now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Live {
    pub mode: Mode,
    pub store: String,
    pub instance: String,
    /// Bytes of auth cookies on this request (0 when none were sent).
    pub auth_cookie_bytes: usize,
    pub store_ops_this_request: usize,
    pub micros_this_request: u64,
    /// Signed-in requests this instance resolved, and their averages.
    pub signed_in_requests: u64,
    pub store_ops_per_request: f64,
    pub micros_per_request: f64,
    /// Requests on which the resolver renewed an expired access token.
    pub refreshes: u64,
    /// Session mode, memory store: what it holds.
    pub memory: Option<MemoryView>,
    /// Whether other instances see the sessions kept here.
    pub shared: bool,
    /// JWT mode: entries in this instance's revocation set.
    pub revocation_set: Option<usize>,
    pub revocation_bound: String,
    /// JWT mode: seconds an access token lives.
    pub access_ttl_secs: Option<i64>,
    /// JWT mode, signed in: the claim names anyone holding the token reads.
    pub readable_claims: Option<Vec<String>>,
}

/// One configuration of the benchmark run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasuredConfig {
    pub key: String,
    pub label: String,
    pub cookie_bytes: u64,
    pub auth_cpu_us: f64,
    pub store_ops: Option<f64>,
    /// JWT configurations: bytes of the access token's payload part, which
    /// anyone holding the token can decode.
    pub payload_bytes: Option<u64>,
}

/// A figure per case (a store, a setting), e.g. revocation lag with Redis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseFigure {
    pub case: String,
    pub text: String,
}

/// What the benchmark measured, from `docs/performance.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    pub date: String,
    pub machine: String,
    pub configs: Vec<MeasuredConfig>,
    pub revocation_lag: Vec<CaseFigure>,
    pub load_balancer: Vec<CaseFigure>,
    pub memory_per_session: Option<String>,
    pub refresh_rotation: Option<String>,
    /// What a first visit sends and costs, whichever the mode.
    pub first_visit: Option<String>,
}

/// The `/tradeoffs` page's data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TradeoffsView {
    pub live: Live,
    /// `None` if the bundled figures could not be read.
    pub measured: Option<Measured>,
}
