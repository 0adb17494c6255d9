//! Server bootstrap: configuration → database → state → router → serve; or,
//! given a subcommand (`latchkey users disable NAME`, …), one admin command
//! against the same configuration.

// Every request allocates (headers, cookies, the identity, the page): with
// glibc's allocator, malloc and free were a fifth of the server's CPU on a
// signed-in request (docs/PERFORMANCE.md); mimalloc does the same work for
// about half.
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use std::net::SocketAddr;
    use std::process::ExitCode;

    use clap::Parser;
    use leptos::prelude::LeptosOptions;
    use server::admin::Cli;
    use server::AppState;

    let Cli { config, command } = Cli::parse();
    if let Some(command) = command {
        // An admin command prints its own answer; only warnings are logged.
        server::telemetry::init(config.log_format, "warn");
        return server::admin::main(config, command).await;
    }
    server::telemetry::init(config.log_format, "info");
    let addr = config.site_addr;
    let mut options = LeptosOptions::builder()
        .output_name("latchkey")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .reload_port(
            std::env::var("LEPTOS_RELOAD_PORT")
                .ok()
                .and_then(|p| p.parse().ok())
                .unwrap_or(3001),
        )
        .build();
    // `cargo leptos build` names the assets by their content and lists the
    // hashes beside the executable; pages then link those names.
    options.hash_files = app::routing::hash_file(&options).exists();
    let state = match AppState::connect(config).await {
        Ok(state) => state,
        Err(e) => {
            eprintln!("latchkey: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    state.spawn_maintenance();
    tracing::info!(mode = state.auth.mode().as_str(), %addr, "Latchkey listening on http://{addr}");
    let app = app::routing::router(state, options);
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("latchkey: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(server::telemetry::shutdown_signal())
    .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("latchkey: server error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The binary is the server; the browser side is built as the library.
}
