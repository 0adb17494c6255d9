//! `resource_server --issuer http://127.0.0.1:3000`: serves `/notes` to
//! holders of Latchkey access tokens.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

/// A service that accepts Latchkey's access tokens.
#[derive(Debug, Parser)]
#[command(name = "resource_server", version)]
struct Args {
    /// Latchkey's issuer URL (its LATCHKEY_ISSUER).
    #[arg(long, env = "NOTES_ISSUER")]
    issuer: String,
    /// Address to listen on.
    #[arg(long, env = "NOTES_ADDR", default_value = "127.0.0.1:4000")]
    addr: SocketAddr,
    /// The URL clients reach this service at (scheme, host and port), which
    /// their DPoP proofs name; default `http://<addr>`.
    #[arg(long, env = "NOTES_PUBLIC_URL")]
    public_url: Option<String>,
    /// The `aud` tokens must carry.
    #[arg(long, env = "NOTES_AUDIENCE", default_value = "latchkey")]
    audience: String,
    /// Ask Latchkey about every token (revocation counts at once) instead
    /// of checking signatures locally; needs --client-secret.
    #[arg(long, requires = "client_secret")]
    introspect: bool,
    /// Latchkey's LATCHKEY_INTROSPECTION_SECRET.
    #[arg(long, env = "NOTES_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// Shortest time between two fetches of the key set for an unknown key.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    refetch_cooldown: Duration,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let introspect = args.introspect.then(|| {
        (
            "resource-server".to_string(),
            args.client_secret.clone().unwrap_or_default(),
        )
    });
    let verifier = match resource_server::Verifier::connect(
        &args.issuer,
        &args.audience,
        introspect,
        args.refetch_cooldown,
    )
    .await
    {
        Ok(v) => v,
        Err(e) => {
            eprintln!("resource_server: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(args.addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("resource_server: cannot listen on {}: {e}", args.addr);
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(addr = %args.addr, issuer = %args.issuer, "serving /notes");
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.addr));
    match axum::serve(listener, resource_server::router(verifier, &public_url)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("resource_server: {e}");
            ExitCode::FAILURE
        }
    }
}
