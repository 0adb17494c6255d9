//! Cookie handling on every request: the cookie layer parsing a browser's
//! `Cookie` header and the resolver reading the auth cookie from the jar, and
//! building a `Set-Cookie` at sign-in.
//!
//! `cargo bench -p server --bench cookies`

use std::convert::Infallible;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use http::{header, Request, Response};
use server::auth::token;
use server::http::cookies::{self, SESSION_COOKIE};
use tower::{service_fn, Layer, ServiceExt};
use tower_cookies::{CookieManagerLayer, Cookies};

fn parse(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let raw = token::new_token();
    // The auth cookie among a few others, as a browser sends them.
    let header = format!("theme=dark; {SESSION_COOKIE}={raw}; _ga=GA1.1.123456789.1700000000");
    let svc = CookieManagerLayer::new().layer(service_fn(|req: Request<()>| async move {
        let jar = req
            .extensions()
            .get::<Cookies>()
            .expect("the layer adds the jar");
        let found = jar.get(SESSION_COOKIE).map(|c| c.value().len());
        Ok::<_, Infallible>(Response::new(found))
    }));
    c.bench_function("cookie_layer_get_session_cookie", |b| {
        b.iter(|| {
            let req = Request::get("/account")
                .header(header::COOKIE, &header)
                .body(())
                .unwrap();
            rt.block_on(svc.clone().oneshot(req)).unwrap()
        })
    });
    c.bench_function("build_session_set_cookie", |b| {
        b.iter(|| {
            cookies::auth_cookie(
                SESSION_COOKIE,
                raw.clone(),
                Some(Duration::from_secs(86_400)),
            )
            .to_string()
        })
    });
}

criterion_group!(benches, parse);
criterion_main!(benches);
