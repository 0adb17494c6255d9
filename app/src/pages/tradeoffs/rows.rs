//! The eight claims, each put beside its live and measured figure.

use views::tradeoffs::{CaseFigure, Measured, MeasuredConfig, TradeoffsView};
use views::Mode;

/// One row of the table.
pub struct Row {
    pub claim: &'static str,
    pub why: &'static str,
    pub live: String,
    /// One line per configuration or case.
    pub measured: Vec<String>,
}

const MISSING: &str = "Not in the bundled run.";

/// Every measured configuration's figure, picked by `pick` (skipped where
/// it gives none).
fn per_config(
    m: Option<&Measured>,
    pick: &dyn Fn(&MeasuredConfig) -> Option<String>,
) -> Vec<String> {
    let figures: Vec<String> = m
        .map(|m| {
            m.configs
                .iter()
                .filter_map(|c| Some(format!("{}: {}", c.label, pick(c)?)))
                .collect()
        })
        .unwrap_or_default();
    or_missing(figures)
}

fn or_missing(figures: Vec<String>) -> Vec<String> {
    if figures.is_empty() {
        vec![MISSING.into()]
    } else {
        figures
    }
}

/// A section's cases in words.
fn per_case(cases: Option<&Vec<CaseFigure>>) -> Vec<String> {
    let figures = cases
        .map(|c| {
            c.iter()
                .map(|c| format!("{}: {}", c.case, c.text))
                .collect()
        })
        .unwrap_or_default();
    or_missing(figures)
}

/// The rows, in the order of the claims.
pub fn rows(t: &TradeoffsView) -> Vec<Row> {
    let l = &t.live;
    let m = t.measured.as_ref();
    let jwt = l.mode == Mode::Jwt;
    let cookie_bytes = |c: &MeasuredConfig| Some(format!("{} bytes", c.cookie_bytes));
    vec![
        Row {
            claim: "HTTP keeps no state: the identity arrives with every request.",
            why: "In a cookie for browsers, an Authorization header for API clients.",
            live: if l.auth_cookie_bytes == 0 {
                "Your browser sent no auth cookie with this request: to this server you are nobody."
                    .into()
            } else {
                format!(
                    "Your browser sent {} bytes of auth cookies with this request, as with every one.",
                    l.auth_cookie_bytes
                )
            },
            measured: per_config(m, &cookie_bytes),
        },
        Row {
            claim: "Server sessions cost server memory that grows with the signed-in users.",
            why: "One record per signed-in device, for as long as it lasts.",
            live: match &l.memory {
                Some(mem) => format!(
                    "This instance holds {} session(s) in memory, about {} bytes each.",
                    mem.sessions, mem.bytes_per_session
                ),
                None if jwt => "JWT mode keeps no session in memory: only the revocation set.".into(),
                None => format!("Sessions live in the {} store, not in this process.", l.store),
            },
            measured: or_missing(m.and_then(|m| m.memory_per_session.clone()).into_iter().collect()),
        },
        Row {
            claim: "A database-backed store pays a round trip and (de)serialization on every request.",
            why: "The lookup sits on the path of every page and API call.",
            live: format!(
                "This request: {} store operation(s), {} µs to recognise you. This instance so far: \
                 {:.0} µs per signed-in request over {} request(s).",
                l.store_ops_this_request,
                l.micros_this_request,
                l.micros_per_request,
                l.signed_in_requests
            ),
            measured: per_config(m, &|c| Some(format!("{:.1} µs of auth CPU per request", c.auth_cpu_us))),
        },
        Row {
            claim: "With several instances, in-process sessions break; a shared store (Redis) fixes it.",
            why: "Behind a load balancer the next request may reach an instance that never saw the sign-in.",
            live: format!(
                "Answered by {}. {}",
                l.instance,
                if l.shared {
                    "What signs you in is shared: any instance recognises you."
                } else {
                    "Sessions live in this process: another instance would not know you."
                }
            ),
            measured: per_case(m.map(|m| &m.load_balancer)),
        },
        Row {
            claim: "JWT needs no store lookup per request: the signature is enough.",
            why: "Except once per access lifetime, when the refresh token is rotated in the database.",
            live: format!(
                "{:.2} store operations per signed-in request on this instance; {} refresh(es) \
                 made while recognising callers.",
                l.store_ops_per_request, l.refreshes
            ),
            measured: {
                let mut lines =
                    per_config(m, &|c| c.store_ops.map(|o| format!("{o:.2} store operations per request")));
                let refresh = m.and_then(|m| m.refresh_rotation.clone());
                lines.push(format!("A refresh: {}", refresh.as_deref().unwrap_or(MISSING)));
                lines
            },
        },
        Row {
            claim: "Tokens are much bigger than a session ID, and they travel with every request.",
            why: "A session ID is 43 random characters; a token carries its claims and a signature.",
            live: format!(
                "{} bytes of auth cookies on this request ({}).",
                l.auth_cookie_bytes,
                l.mode.name()
            ),
            measured: per_config(m, &cookie_bytes),
        },
        Row {
            claim: "A JWT cannot be taken back before it expires, unless the server keeps a revocation list.",
            why: "Latchkey keeps one: a signed-out device's tokens are refused at once here, soon elsewhere.",
            live: match l.revocation_set {
                Some(n) => format!(
                    "{n} revoked device session(s) in this instance's set. {}",
                    l.revocation_bound
                ),
                None => format!("Session mode: signing out deletes the record. {}", l.revocation_bound),
            },
            measured: per_case(m.map(|m| &m.revocation_lag)),
        },
        Row {
            claim: "A JWT's payload is only encoded, not encrypted: anyone holding it can read it.",
            why: "Base64url is a spelling, not a lock; only the signature needs the key.",
            live: match &l.readable_claims {
                Some(claims) => format!(
                    "Your access token's payload reads, with no key: {}.",
                    claims.join(", ")
                ),
                None if jwt => "Sign in, then open your own token in the inspector.".into(),
                None => "A session ID carries nothing to read: it is random, and only the server \
                         knows what it stands for."
                    .into(),
            },
            measured: per_config(m, &|c| {
                c.payload_bytes
                    .map(|p| format!("{p} of the {} cookie bytes are readable claims", c.cookie_bytes))
            }),
        },
    ]
}
