//! What the server compresses as it answers, and how hard.
//!
//! Two kinds of answer leave this server, and they are compressed apart:
//!
//! - **Built assets** (`/pkg/`: the WebAssembly bundle, its script, the
//!   stylesheet) are the same bytes for every visitor. The release build
//!   compresses them once (`cargo leptos build --precompress`: brotli at its
//!   best level, and gzip, stored beside each file as `*.br` and `*.gz`),
//!   and the static file service sends the stored file that matches the
//!   request's `Accept-Encoding` ([`super::assets`] adds `Vary`). This layer
//!   never compresses them: done per request, brotli cost 25–63 ms of CPU
//!   per fetch of the 1.5 MB bundle. A build without the stored files
//!   (`cargo leptos watch`) sends them as they are.
//! - **Pages and JSON** are made per request, so compressing them is paid
//!   per request. Measured on the release build (one pinned core, `/`
//!   anonymous, 3.4 KB of HTML, docs/PERFORMANCE.md "What a browser's
//!   request costs"), compressing the page cost 35–90 µs on top of the
//!   100 µs that rendering it costs, whatever the encoder: brotli 4
//!   (tower-http's default) 1.65×, brotli 1 1.37×, gzip 1 1.29×; each sent
//!   about 1.5 KB instead of 3.4 KB. A page that small reaches the browser
//!   in the first round trip of a new connection either way (ten segments,
//!   about 14 KB, go before the first acknowledgement), so compressing it
//!   buys no time. An answer under [`SMALL`] therefore goes as it is, with
//!   its `Content-Length`; a larger one is compressed at [`QUALITY`], where
//!   the fixed cost of an encoder spreads over more bytes and fewer bytes
//!   can save a round trip.
//!
//! Pages are streamed, so their size is not known when their headers are
//! made: [`size_small_answers`] holds the first [`SMALL`] bytes of a page or
//! JSON answer; one that ends within them goes out whole, with its length,
//! and one that does not goes on streaming, compressed.
//!
//! Compressing pages is safe from BREACH-style guessing here because no page
//! carries a secret that is the same from one response to the next: there is
//! no CSRF token (the cross-site guard checks `Origin`), credentials never
//! enter HTML (the token-leak test), and the CSP nonce is new every time.

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use futures_util::{stream, StreamExt};
use http::header;
use http_body_util::BodyExt;
use tower_http::compression::predicate::{
    DefaultPredicate, NotForContentType, Predicate, SizeAbove,
};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// Answers smaller than this many bytes are sent uncompressed: with their
/// headers they fit the first flight of a new connection with room to spare.
pub const SMALL: usize = 8 * 1024;

/// The level larger pages and JSON are compressed at, whichever of brotli
/// and gzip the client prefers (tower-http reads it as brotli quality 1,
/// gzip level 1): the cheapest that still halves an HTML page.
pub const QUALITY: CompressionLevel = CompressionLevel::Precise(1);

/// The content types the static file service answers with for built
/// assets: stored compressed, never compressed per request.
const ASSET_TYPES: [&str; 3] = ["application/wasm", "text/javascript", "text/css"];

/// The compression layer every route shares: brotli and gzip at [`QUALITY`]
/// for what is made per request and is not small, nothing for built assets.
/// [`size_small_answers`] must run inside it.
pub fn layer() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .quality(QUALITY)
        .compress_when(per_request())
}

/// Which answers are compressed as they are sent: tower-http's defaults (not
/// images, gRPC or event streams), nothing of known size under [`SMALL`], and
/// no built asset.
fn per_request() -> impl Predicate {
    let [wasm, js, css] = ASSET_TYPES;
    DefaultPredicate::new()
        .and(SizeAbove::new(SMALL as u64))
        .and(NotForContentType::const_new(wasm))
        .and(NotForContentType::const_new(js))
        .and(NotForContentType::const_new(css))
}

/// Whether an answer is a page or JSON streamed with no length: the answers
/// [`size_small_answers`] measures.
fn streamed_page_or_json(res: &Response) -> bool {
    let headers = res.headers();
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    (kind.starts_with("text/html") || kind.starts_with("application/json"))
        && !headers.contains_key(header::CONTENT_LENGTH)
        && !headers.contains_key(header::CONTENT_ENCODING)
        && res.body().size_hint().exact().is_none()
}

/// Gives a streamed page or JSON answer that ends within [`SMALL`] bytes its
/// length, so that [`layer`] sends it as it is; a longer one streams on.
/// Holding at most [`SMALL`] bytes delays a page's first byte only until
/// that much of it is ready.
pub async fn size_small_answers(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if !streamed_page_or_json(&res) {
        return res;
    }
    let (parts, mut body) = res.into_parts();
    let mut held: Vec<u8> = Vec::new();
    loop {
        match body.frame().await {
            None => {
                let body = Body::from(held);
                return Response::from_parts(parts, body);
            }
            Some(Ok(frame)) => {
                // A page has data frames only; trailers would be dropped.
                if let Ok(data) = frame.into_data() {
                    held.extend_from_slice(&data);
                }
                if held.len() >= SMALL {
                    let head = stream::once(async move { Ok(Bytes::from(held)) });
                    let rest = head.chain(body.into_data_stream());
                    return Response::from_parts(parts, Body::from_stream(rest));
                }
            }
            Some(Err(e)) => {
                // What was made, then the error, as the stream would have
                // gone.
                let head = stream::once(async move { Ok(Bytes::from(held)) });
                let failed = head.chain(stream::once(async move { Err(e) }));
                return Response::from_parts(parts, Body::from_stream(failed));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(content_type: &str, bytes: usize) -> http::Response<String> {
        http::Response::builder()
            .header(http::header::CONTENT_TYPE, content_type)
            .body("x".repeat(bytes))
            .unwrap()
    }

    #[test]
    fn larger_pages_and_json_are_compressed_small_ones_and_built_assets_never() {
        let p = per_request();
        assert!(p.should_compress(&answer("text/html; charset=utf-8", SMALL)));
        assert!(p.should_compress(&answer("application/json", SMALL)));
        assert!(!p.should_compress(&answer("text/html; charset=utf-8", SMALL - 1)));
        for asset in ASSET_TYPES {
            assert!(!p.should_compress(&answer(asset, 100 * SMALL)), "{asset}");
        }
        // As the static file service names them.
        assert!(!p.should_compress(&answer("text/javascript; charset=utf-8", 100 * SMALL)));
    }

    /// A page streamed in `chunks` of `size` bytes each, through the middleware.
    async fn through(chunks: usize, size: usize) -> Response {
        let app = axum::Router::new()
            .route(
                "/",
                axum::routing::get(move || async move {
                    let parts = (0..chunks).map(move |i| {
                        Ok::<_, std::io::Error>(Bytes::from(vec![b'a' + i as u8; size]))
                    });
                    (
                        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                        Body::from_stream(stream::iter(parts)),
                    )
                }),
            )
            .layer(axum::middleware::from_fn(size_small_answers));
        tower::ServiceExt::oneshot(app, Request::new(Body::empty()))
            .await
            .unwrap()
    }

    async fn bytes(res: Response) -> Vec<u8> {
        res.into_body().collect().await.unwrap().to_bytes().to_vec()
    }

    #[tokio::test]
    async fn a_small_streamed_page_goes_whole_with_its_length() {
        let res = through(3, 1000).await;
        assert_eq!(res.body().size_hint().exact(), Some(3000));
        let body = bytes(res).await;
        assert_eq!(body.len(), 3000);
        assert_eq!(&body[..1000], &[b'a'; 1000][..]);
        assert_eq!(&body[2000..], &[b'c'; 1000][..]);
    }

    #[tokio::test]
    async fn a_large_streamed_page_streams_on_with_every_byte_in_order() {
        let res = through(12, 1000).await;
        assert_eq!(res.body().size_hint().exact(), None, "still streamed");
        let body = bytes(res).await;
        let expected: Vec<u8> = (0..12u8).flat_map(|i| vec![b'a' + i; 1000]).collect();
        assert_eq!(body, expected);
    }
}
