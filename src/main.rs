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
    let mut options = match leptos_options() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("latchkey: cannot read the site settings: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The address and site root are Latchkey's settings too (`--site-addr`,
    // `--site-root`, or the same LEPTOS_* variables).
    options.site_addr = addr;
    options.site_root = config.site_root.as_str().into();
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

/// The site's Leptos settings as `cargo leptos` reads them: the
/// `[package.metadata.leptos]` table of `Cargo.toml` in the working
/// directory, `LEPTOS_*` variables overriding it; where there is no
/// `Cargo.toml` (a deployed binary), the variables and Leptos' defaults.
#[cfg(feature = "ssr")]
fn leptos_options(
) -> Result<leptos::prelude::LeptosOptions, leptos::config::errors::LeptosConfigError> {
    use leptos::config::errors::LeptosConfigError;
    use leptos::config::get_configuration;
    match get_configuration(Some("Cargo.toml")) {
        Err(LeptosConfigError::ConfigNotFound) => get_configuration(None),
        found => found,
    }
    .map(|conf| conf.leptos_options)
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The binary is the server; the browser side is built as the library.
}
