//! The live half of `/tradeoffs`: what this server shows of itself, the
//! same per-request report the inspector shows, summed over this instance's
//! signed-in requests.

use views::tradeoffs::Live;

use super::inspection::{memory, ThisRequest};
use super::refusal::revocation_bound;
use super::token;
use crate::auth::Credential;
use crate::AppState;

/// What this server shows of itself, on this request.
pub fn live(state: &AppState, req: &ThisRequest<'_>) -> Live {
    let sent = req.sent();
    let report = &req.report;
    let averages = state.resolving.averages();
    let jwt = state.auth.tokens();
    let readable_claims = match (jwt, req.caller.identity()) {
        (Some(_), Some(_)) => req.held.iter().find_map(|c| match c {
            Credential::Access(t) => token::open(t.expose())
                .and_then(|o| o.payload)
                .and_then(|p| p.as_object().map(|m| m.keys().cloned().collect())),
            _ => None,
        }),
        _ => None,
    };
    Live {
        mode: state.auth.mode().into(),
        store: state.auth.store_name().into(),
        instance: state.config.instance_name(),
        auth_cookie_bytes: sent.cookies.iter().map(|c| c.bytes).sum(),
        store_ops_this_request: report.store_ops.len(),
        micros_this_request: u64::try_from(report.took.as_micros()).unwrap_or(u64::MAX),
        signed_in_requests: averages.requests,
        store_ops_per_request: averages.store_ops,
        micros_per_request: averages.micros,
        refreshes: averages.refreshes,
        memory: memory(&state.auth),
        shared: !state.auth.keeps_sessions_in_process(),
        revocation_set: jwt.map(|b| b.revocation_set_size()),
        revocation_bound: revocation_bound(&state.auth),
        access_ttl_secs: jwt.map(|b| b.access_ttl()),
        readable_claims,
    }
}
