//! The links from every page to the built stylesheet, script and bundle.
//!
//! With `hash-files`, their names carry content hashes that `cargo leptos`
//! lists in a file beside the executable. Leptos's own `HashedStylesheet` and
//! `HydrationScripts` read that file from disk on every render, twice a
//! page; the names cannot change while the server runs, so the router reads
//! them once at start ([`AssetLinks::new`]) and every page takes them from
//! its context.

use std::sync::Arc;

use leptos::prelude::*;

/// The paths of this build's stylesheet, script and WebAssembly bundle, and
/// the script that loads them. Shared text: a page's copy costs no
/// allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetLinks {
    pub css: Arc<str>,
    pub js: Arc<str>,
    pub wasm: Arc<str>,
    /// The same steps as Leptos's hydration script: import the generated
    /// module, initialise it with the bundle, then hydrate the body.
    loader: Arc<str>,
}

impl AssetLinks {
    /// The paths, given how to name the asset of each kind (`css`, `js`,
    /// `wasm`).
    pub fn new(path_of: impl Fn(&str) -> String) -> Self {
        let (js, wasm) = (path_of("js"), path_of("wasm"));
        let loader = format!(
            "import({js:?}).then(m => m.default({{module_or_path: {wasm:?}}}).then(() => m.hydrate()));"
        );
        AssetLinks {
            css: path_of("css").into(),
            js: js.into(),
            wasm: wasm.into(),
            loader: loader.into(),
        }
    }
}

/// The stylesheet link, and the script that loads the bundle and hydrates
/// the page: what Leptos's `HashedStylesheet` and `HydrationScripts` write,
/// from names held in memory.
#[component]
pub fn AssetTags() -> impl IntoView {
    let Some(links) = use_context::<AssetLinks>() else {
        leptos::logging::error!("no asset links in the page context");
        return None;
    };
    let nonce = leptos::nonce::use_nonce();
    let script = links.loader.clone();
    Some(view! {
        <link rel="stylesheet" id="leptos" href=links.css />
        <link rel="modulepreload" href=links.js crossorigin="anonymous" />
        <link rel="preload" href=links.wasm r#as="fetch" r#type="application/wasm" crossorigin="anonymous" />
        <script type="module" nonce=nonce>{script}</script>
    })
}
