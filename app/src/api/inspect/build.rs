//! Assembles an [`Inspection`] from the request: its headers and the
//! resolver's report, the caller, and what the backend keeps.

use http::request::Parts;
use leptos::prelude::*;
use server::auth::{Auth, AuthBackend, Credential, JwtBackend};
use server::http::cookies::{ACCESS_COOKIE, SESSION_COOKIE};
use server::inspect::cookies::{self, Kept, SeenCookie, SeenCookies};
use server::inspect::{self as seen, HASH_PREFIX};
use server::probe::ResolveReport;

use super::opened::{opened, tampered};
use super::revocation::{refusal, revocation_bound};
use super::{ChainView, CookieView, Inspection, LinkView, MemoryView, RecordView};
use crate::api::context::Request;
use crate::error::AppError;
use crate::format::utc;

/// What this request carried and what the server did with it.
pub async fn inspection(cx: &Request, tamper: bool) -> Result<Inspection, AppError> {
    let (parts, sent, report) = this_request()?;
    let state = &cx.state;
    let now = state.clock.now();
    let identity = cx.caller.identity();
    let device = match identity {
        Some(i) if i.device.is_some() => i.device.clone(),
        Some(i) => state.auth.device(i).await.ok().flatten(),
        None => None,
    };
    let jwt = jwt_backend(&state.auth);
    let chain = match (jwt, &device) {
        (Some(b), Some(d)) => Some(chain(state, b, &d.id).await?),
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
    let access = access_token(cx, &parts, &sent);
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
        bearer: parts.headers.contains_key(http::header::AUTHORIZATION),
        policy: cookies::policy_attributes(),
        store_ops: report.store_ops.iter().map(|s| s.to_string()).collect(),
        resolve_micros: u64::try_from(report.took.as_micros()).unwrap_or(u64::MAX),
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
        refusal: refusal(cx, jwt, &sent, access.as_deref()),
        revocation_bound: revocation_bound(&state.auth),
    })
}

/// The request as the inspector reads it: its headers and extensions, the
/// auth cookies it carried, and what resolving its caller cost.
pub(crate) fn this_request() -> Result<(Parts, SeenCookies, ResolveReport), AppError> {
    let parts = use_context::<Parts>().ok_or_else(AppError::internal)?;
    let sent = cookies::seen(&parts.headers);
    let report = parts
        .extensions
        .get::<ResolveReport>()
        .cloned()
        .unwrap_or_default();
    Ok((parts, sent, report))
}

/// The JWT backend, in JWT mode.
pub(crate) fn jwt_backend(auth: &Auth) -> Option<&JwtBackend> {
    match auth {
        Auth::Jwt(b) => Some(b),
        Auth::Session(_) => None,
    }
}

/// What the memory store holds (session mode, memory store).
pub(crate) fn memory(auth: &Auth) -> Option<MemoryView> {
    auth.memory_footprint().map(|f| MemoryView {
        sessions: f.sessions,
        bytes_per_session: f.bytes.checked_div(f.sessions).unwrap_or(0),
    })
}

/// The access token of this request: a bearer token, else the cookie as
/// the resolver left it (renewed on this request), else as the browser sent
/// it (refused, and cleared in the reply).
fn access_token(cx: &Request, parts: &Parts, sent: &SeenCookies) -> Option<String> {
    if let Some(bearer) = server::http::credentials::bearer(&parts.headers) {
        return Some(bearer.to_string());
    }
    let held = cx.presented().into_iter().find_map(|c| match c {
        Credential::Access(t) => Some(t.expose().to_string()),
        _ => None,
    });
    held.or_else(|| sent.get(ACCESS_COOKIE).map(|c| c.value().to_string()))
}

fn cookie_views(
    sent: &SeenCookies,
    device: Option<&server::auth::DeviceSession>,
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
fn lifetime(
    kept: Kept,
    device: Option<&server::auth::DeviceSession>,
    access_exp: Option<i64>,
) -> String {
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

async fn chain(
    state: &server::AppState,
    jwt: &JwtBackend,
    family: &str,
) -> Result<ChainView, AppError> {
    let links = seen::refresh_chain(&state.db, family).await?;
    let ended = seen::family_end(&state.db, family).await?;
    let short = |h: &str| h.chars().take(HASH_PREFIX).collect::<String>();
    Ok(ChainView {
        links: links
            .iter()
            .map(|l| LinkView {
                hash_prefix: short(&l.token_hash),
                parent_prefix: l.parent_hash.as_deref().map(short),
                issued_at: l.issued_at,
                used_at: l.used_at,
                expires_at: l.expires_at,
            })
            .collect(),
        grace_secs: jwt.refresh_grace(),
        reuse_detected: ended.is_some_and(|r| r.contains("reuse")),
    })
}
