//! Assembles an [`Inspection`] from the request: its headers and the
//! resolver's report, the caller, and what the backend keeps.

use http::request::Parts;
use http::HeaderMap;
use views::format::utc;
use views::inspect::{CookieView, Inspection, MemoryView, RecordView};

use super::chain::chain;
use super::cookies::{self, Kept, SeenCookie, SeenCookies};
use super::opened::{opened, tampered};
use super::refusal::{refusal, revocation_bound};
use crate::auth::{Auth, AuthBackend, Caller, Credential, DeviceSession};
use crate::http::cookies::{ACCESS_COOKIE, SESSION_COOKIE};
use crate::http::credentials;
use crate::probe::ResolveReport;
use crate::{AppState, Result};

/// The request the inspector describes, as the transport adapter read it.
pub struct ThisRequest<'a> {
    pub caller: &'a Caller,
    pub headers: &'a HeaderMap,
    /// What resolving the caller cost.
    pub report: ResolveReport,
    /// The credentials the browser holds now: as the resolver may have
    /// renewed them on this request, else as it sent them.
    pub held: Vec<Credential>,
}

impl<'a> ThisRequest<'a> {
    /// The request whose head is `parts`, as the resolver left it.
    pub fn of(caller: &'a Caller, parts: &'a Parts, held: Vec<Credential>) -> Self {
        ThisRequest {
            caller,
            headers: &parts.headers,
            report: parts
                .extensions
                .get::<ResolveReport>()
                .cloned()
                .unwrap_or_default(),
            held,
        }
    }

    /// The auth cookies it carried.
    pub(super) fn sent(&self) -> SeenCookies {
        cookies::seen(self.headers)
    }
}

/// What this request carried and what the server did with it. With
/// `tamper`, also the access token with one payload character changed, as
/// the server judges it.
pub async fn inspection(
    state: &AppState,
    req: &ThisRequest<'_>,
    tamper: bool,
) -> Result<Inspection> {
    let sent = req.sent();
    let now = state.clock.now();
    let identity = req.caller.identity();
    let device = match identity {
        Some(i) if i.device.is_some() => i.device.clone(),
        Some(i) => state.auth.device(i).await.ok().flatten(),
        None => None,
    };
    let jwt = state.auth.tokens();
    let chain = match (jwt, &device) {
        (Some(b), Some(d)) => Some(chain(&state.db, b, &d.id).await?),
        _ => None,
    };
    let key_prefix = match &chain {
        Some(c) => c
            .links
            .iter()
            .find(|l| l.used_at.is_none())
            .map(|l| l.hash_prefix.clone()),
        None => sent.get(SESSION_COOKIE).map(|c| c.hash_prefix.clone()),
    };
    let access = access_token(req, &sent);
    Ok(Inspection {
        now,
        mode: state.auth.mode().into(),
        store: state.auth.store_name().into(),
        instance: state.config.instance_name(),
        username: identity.map(|i| i.username.clone()),
        cookies: cookie_views(
            &sent,
            device.as_ref(),
            identity.and_then(|i| i.access_expires_at),
        ),
        cookie_header_bytes: sent.header_bytes,
        bearer: req.headers.contains_key(http::header::AUTHORIZATION),
        policy: cookies::policy_attributes(),
        store_ops: req.report.store_ops.iter().map(|s| s.to_string()).collect(),
        resolve_micros: u64::try_from(req.report.took.as_micros()).unwrap_or(u64::MAX),
        record: device.map(|d| RecordView {
            key_prefix,
            device_id: d.id,
            username: d.username,
            user_id: d.user_id,
            created_at: d.created_at,
            last_seen_at: d.last_seen_at,
            idle_expires_at: d.idle_expires_at,
            absolute_expires_at: d.absolute_expires_at,
            persistent: d.persistent,
            amr: d.amr.as_str().into(),
        }),
        chain,
        memory: memory(&state.auth),
        token: match (jwt, &access) {
            (Some(b), Some(t)) => opened(b, t),
            _ => None,
        },
        tamper: match (jwt, &access, tamper) {
            (Some(b), Some(t), true) => tampered(&state.auth, b, t).await,
            _ => None,
        },
        refusal: refusal(req.caller, jwt, &sent, access.as_deref()),
        revocation_bound: revocation_bound(&state.auth),
    })
}

/// What the memory store holds (session mode, memory store).
pub(super) fn memory(auth: &Auth) -> Option<MemoryView> {
    auth.memory_footprint().map(|f| MemoryView {
        sessions: f.sessions,
        bytes_per_session: f.bytes.checked_div(f.sessions).unwrap_or(0),
    })
}

/// The access token of this request: a bearer token, else the cookie as
/// the resolver left it (renewed on this request), else as the browser sent
/// it (refused, and cleared in the reply).
fn access_token(req: &ThisRequest<'_>, sent: &SeenCookies) -> Option<String> {
    if let Some((_, token)) = credentials::authorization(req.headers) {
        return Some(token.to_string());
    }
    let held = req.held.iter().find_map(|c| match c {
        Credential::Access(t) => Some(t.expose().to_string()),
        _ => None,
    });
    held.or_else(|| sent.get(ACCESS_COOKIE).map(|c| c.value().to_string()))
}

fn cookie_views(
    sent: &SeenCookies,
    device: Option<&DeviceSession>,
    access_exp: Option<i64>,
) -> Vec<CookieView> {
    sent.cookies
        .iter()
        .map(|c| CookieView {
            name: c.name.to_string(),
            bytes: c.bytes,
            value_chars: c.value_chars,
            hash_prefix: c.hash_prefix.clone(),
            kept: kept(c),
            lifetime: lifetime(c.kept, device, access_exp),
        })
        .collect()
}

fn kept(c: &SeenCookie) -> String {
    let p = &c.hash_prefix;
    match c.kept {
        Kept::SessionKey => format!(
            "The session store's key: the SHA-256 of this ID ({p}…). The ID itself is stored nowhere."
        ),
        Kept::Nothing => format!(
            "Nothing: the token proves itself by its signature. This instance only remembers \
             that it already checked it, under its SHA-256 ({p}…)."
        ),
        Kept::RefreshChain => format!(
            "The SHA-256 of this token ({p}…), one link of this device's refresh chain."
        ),
    }
}

/// How long the browser keeps a cookie, from the lifetimes it was set with.
fn lifetime(kept: Kept, device: Option<&DeviceSession>, access_exp: Option<i64>) -> String {
    let Some(d) = device else {
        return "Set with the sign-in it belongs to; that sign-in is over.".into();
    };
    if !d.persistent {
        return "No Max-Age: a browser session, gone when the browser closes.".into();
    }
    let until = match kept {
        Kept::Nothing => access_exp.unwrap_or(d.idle_expires_at),
        Kept::SessionKey | Kept::RefreshChain => d.idle_expires_at,
    };
    format!(
        "Max-Age: kept until {} (renewed as the sign-in is used).",
        utc(until)
    )
}
