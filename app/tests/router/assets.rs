//! Built assets: pages link the content-hashed names, those names are kept
//! by browsers for a year, anything else under `/pkg/` is revalidated; an
//! asset goes as the build stored it compressed, never compressed per
//! request, and a small page goes whole and uncompressed.

use std::io::Read;

use axum::body::Body;
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use tower::ServiceExt;

use super::*;

const JS: &str = "Xh1NyRtAYP7cE4qz2MCeRA";
const WASM: &str = "0kTqJ8wVv3q2Fd0p9HcVJg";
const CSS: &str = "Q2dL0u3mU4x3pY2b8pY2aw";

/// A built site in a temporary folder, as `cargo leptos build` with
/// `hash-files` leaves it, and options that serve it.
fn hashed_site(dir: &std::path::Path) -> (LeptosOptions, Vec<u8>) {
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    // Repetitive, like real code: compresses well.
    let wasm: Vec<u8> = b"\0asm\x01\0\0\0"
        .iter()
        .copied()
        .chain((0..20_000u32).map(|i| (i % 7) as u8))
        .collect();
    std::fs::write(pkg.join(format!("latchkey.{WASM}.wasm")), &wasm).unwrap();
    std::fs::write(pkg.join(format!("latchkey.{JS}.js")), "export {};\n").unwrap();
    std::fs::write(pkg.join(format!("latchkey.{CSS}.css")), "body{}\n").unwrap();
    std::fs::write(pkg.join("extra.js"), "export {};\n").unwrap();
    let hash_file = dir.join("hash.txt");
    std::fs::write(&hash_file, format!("js: {JS}\nwasm: {WASM}\ncss: {CSS}\n")).unwrap();
    let mut options = LeptosOptions::builder()
        .output_name("latchkey")
        .site_root(dir.to_str().unwrap())
        .build();
    options.hash_files = true;
    // Leptos joins this to the executable's folder: an absolute path stands alone.
    options.hash_file = hash_file.to_str().unwrap().into();
    (options, wasm)
}

/// `GET path` accepting `encoding`: the answer's headers and raw body bytes.
async fn fetch(app: &TestApp, path: &str, encoding: Option<&str>) -> (http::HeaderMap, Vec<u8>) {
    let mut req = http::Request::get(path);
    if let Some(encoding) = encoding {
        req = req.header(http::header::ACCEPT_ENCODING, encoding);
    }
    let res = app
        .router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (headers, body)
}

fn header<'h>(headers: &'h http::HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn pages_link_hashed_assets_that_are_cached_for_a_year(pool: sqlx::SqlitePool) {
    let dir = tempfile::tempdir().unwrap();
    let (options, wasm) = hashed_site(dir.path());
    let db = server::db::testing::from_sqlite(pool).await;
    let app = TestApp::new(db, Backend::SessionMemory).serving(options);

    let (headers, page) = fetch(&app, "/", None).await;
    let page = String::from_utf8(page).unwrap();
    for name in [
        format!("/pkg/latchkey.{CSS}.css"),
        format!("latchkey.{JS}.js"),
        format!("latchkey.{WASM}.wasm"),
    ] {
        assert!(page.contains(&name), "the page links {name}");
    }
    assert_eq!(header(&headers, "cache-control"), Some("no-store"));
    // The names were read once, when the router was built: a page does not
    // go back to the disk for them.
    std::fs::remove_file(dir.path().join("hash.txt")).unwrap();
    let (_, again) = fetch(&app, "/", None).await;
    assert!(String::from_utf8(again)
        .unwrap()
        .contains(&format!("latchkey.{WASM}.wasm")));

    let path = format!("/pkg/latchkey.{WASM}.wasm");
    let (headers, body) = fetch(&app, &path, None).await;
    assert_eq!(body, wasm);
    assert_eq!(header(&headers, "content-encoding"), None);
    assert_eq!(
        header(&headers, "cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let (headers, _) = fetch(&app, "/pkg/extra.js", None).await;
    assert_eq!(header(&headers, "cache-control"), Some("no-cache"));
}

/// The compressed copies the release build stores beside the bundle
/// (`--precompress`): a real gzip file, and bytes that stand for the brotli
/// one (the static file service sends a stored file as it is).
fn store_compressed(dir: &std::path::Path, wasm: &[u8]) -> (Vec<u8>, Vec<u8>) {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(wasm).unwrap();
    let gz = gz.finish().unwrap();
    let br = b"stored brotli bytes".to_vec();
    let bundle = dir.join("pkg").join(format!("latchkey.{WASM}.wasm"));
    std::fs::write(bundle.with_extension("wasm.gz"), &gz).unwrap();
    std::fs::write(bundle.with_extension("wasm.br"), &br).unwrap();
    (gz, br)
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn assets_are_sent_as_stored_compressed_and_small_pages_as_they_are(pool: sqlx::SqlitePool) {
    let dir = tempfile::tempdir().unwrap();
    let (options, wasm) = hashed_site(dir.path());
    let (gz, br) = store_compressed(dir.path(), &wasm);
    let db = server::db::testing::from_sqlite(pool).await;
    let app = TestApp::new(db, Backend::SessionMemory).serving(options);
    let path = format!("/pkg/latchkey.{WASM}.wasm");
    let varies = |headers: &http::HeaderMap| {
        header(headers, "vary").is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
    };

    let (headers, body) = fetch(&app, &path, Some("gzip, deflate, br, zstd")).await;
    assert_eq!(header(&headers, "content-encoding"), Some("br"));
    assert_eq!(body, br, "the stored brotli file, as it is");
    assert!(varies(&headers));
    assert_eq!(
        header(&headers, "cache-control"),
        Some("public, max-age=31536000, immutable")
    );

    let (headers, body) = fetch(&app, &path, Some("gzip")).await;
    assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
    assert_eq!(body, gz, "the stored gzip file, as it is");
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(plain, wasm, "gzip round-trips to the same bytes");
    assert!(varies(&headers));

    // No stored copy: the asset goes as it is, never compressed per request.
    for asset in [
        format!("/pkg/latchkey.{JS}.js"),
        format!("/pkg/latchkey.{CSS}.css"),
    ] {
        let (headers, _) = fetch(&app, &asset, Some("br, gzip")).await;
        assert_eq!(header(&headers, "content-encoding"), None, "{asset}");
    }
    let (headers, body) = fetch(&app, &path, Some("identity")).await;
    assert_eq!(header(&headers, "content-encoding"), None);
    assert_eq!(body, wasm);

    // A public file stored compressed, outside `/pkg/`.
    std::fs::write(dir.path().join("favicon.svg"), "<svg/>").unwrap();
    std::fs::write(dir.path().join("favicon.svg.br"), "stored brotli svg").unwrap();
    let (headers, body) = fetch(&app, "/favicon.svg", Some("br")).await;
    assert_eq!(header(&headers, "content-encoding"), Some("br"));
    assert_eq!(body, b"stored brotli svg");
    assert!(varies(&headers));

    // A page this small goes as it is, whole, with its length: compressing
    // it would cost more than it saves (server::http::compression).
    let (headers, body) = fetch(&app, "/", Some("gzip, deflate, br, zstd")).await;
    assert_eq!(header(&headers, "content-encoding"), None);
    assert_eq!(
        header(&headers, "content-length").map(|n| n.parse::<usize>().unwrap()),
        Some(body.len())
    );
    assert!(body.len() < server::http::compression::SMALL);
    let page = String::from_utf8(body).unwrap();
    // Whole: the shell and the resources streamed after it.
    assert!(
        page.contains("<title>") && page.contains("__RESOLVED_RESOURCES[0]"),
        "{page}"
    );

    // A larger page is compressed as it goes.
    let (headers, body) = fetch(&app, "/tradeoffs", Some("gzip")).await;
    assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
    assert!(varies(&headers));
    let mut page = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut page)
        .unwrap();
    assert!(
        page.len() >= server::http::compression::SMALL,
        "{} bytes",
        page.len()
    );
    assert!(page.contains("<title>"), "{page}");
}
