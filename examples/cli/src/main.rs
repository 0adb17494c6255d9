//! `latchkey-cli`: signs in to a Latchkey server from a terminal and calls
//! APIs with the tokens it gets.
//!
//! The sign-in is the OAuth 2.0 device authorization grant (RFC 8628): the
//! CLI shows a URL and a short code, the user approves in any browser (with
//! a passkey, a password, whatever the server asks), and the CLI, polling,
//! receives the tokens. It never sees a password. The tokens are bound to a
//! DPoP key (RFC 9449) that never leaves the CLI directory, so a copied
//! access or refresh token is useless on its own.
//!
//! ```text
//! $ latchkey-cli --server http://localhost:3000 login
//! To sign in, open http://localhost:3000/device and enter the code WDJB-MJHT
//! Or open http://localhost:3000/device?user_code=WDJB-MJHT
//! Signed in.
//! $ latchkey-cli me
//! { "id": "…", "username": "ada", "signed_in_at": …, "amr": ["swk"] }
//! $ latchkey-cli get http://127.0.0.1:4000/notes
//! $ latchkey-cli status
//! $ latchkey-cli refresh
//! Refreshed.
//! $ latchkey-cli logout
//! Signed out.
//! ```
//!
//! Everything a person can get wrong ends in one line on stderr and exit
//! code 1. Files: `dpop-key.json` ([`key`]) and `tokens.json` ([`store`]) in
//! `--dir`; requests with their proofs are [`client`]'s, the OAuth
//! exchanges and what their errors mean [`oauth`]'s.

mod base;
mod client;
mod key;
mod oauth;
mod store;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use base::{now, Fail};
use client::Client;
use key::Key;
use store::Tokens;

const DEFAULT_SERVER: &str = "http://localhost:3000";

/// Signs in to Latchkey (device authorization, RFC 8628) and calls APIs
/// with DPoP-bound tokens (RFC 9449).
#[derive(Debug, Parser)]
#[command(name = "latchkey-cli", version)]
struct Cli {
    /// Latchkey's base URL [default: http://localhost:3000]. After login
    /// the server signed in to is used.
    #[arg(long, global = true, env = "LATCHKEY_SERVER", value_name = "URL")]
    server: Option<String>,
    /// Where the DPoP key and the tokens are kept [default:
    /// $XDG_CONFIG_HOME/latchkey-cli or $HOME/.config/latchkey-cli].
    #[arg(long, global = true, env = "LATCHKEY_CLI_DIR", value_name = "PATH")]
    dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign in: approve a code in a browser.
    Login {
        /// The API the tokens are for (RFC 8707), e.g. http://127.0.0.1:4000.
        #[arg(long, value_name = "URI")]
        resource: Option<String>,
    },
    /// Show who you are signed in as (GET /api/me).
    Me,
    /// GET any URL with the access token, e.g. a resource server's.
    Get { url: String },
    /// Trade the refresh token for new tokens now.
    Refresh,
    /// Revoke the tokens and forget them (the key stays).
    Logout,
    /// Show the sign-in, the key's thumbprint and the token's expiry.
    Status,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are not errors; usage errors exit 1 like
            // every other error, not clap's 2.
            return if e.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(message)) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), Fail> {
    let dir = match cli.dir {
        Some(dir) => dir,
        None => store::default_dir(
            std::env::var_os("XDG_CONFIG_HOME"),
            std::env::var_os("HOME"),
        )?,
    };
    let server = cli.server.as_deref().map(client::server_url).transpose()?;
    match cli.command {
        Command::Login { resource } => {
            login(&dir, server.as_deref().unwrap_or(DEFAULT_SERVER), resource)
        }
        Command::Me => call(&dir, server, None),
        Command::Get { url } => call(&dir, server, Some(url)),
        Command::Refresh => {
            let (key, mut tokens) = signed_in(&dir, server)?;
            refresh(&dir, &mut Client::new(&key)?, &mut tokens)?;
            say("Refreshed.")
        }
        Command::Logout => {
            let (key, tokens) = signed_in(&dir, server)?;
            let (token, hint) = match &tokens.refresh_token {
                Some(refresh) => (refresh, "refresh_token"),
                None => (&tokens.access_token, "access_token"),
            };
            oauth::revoke(&mut Client::new(&key)?, &tokens.server, token, hint)?;
            store::delete(&dir)?;
            say("Signed out.")
        }
        Command::Status => status(&dir, server),
    }
}

fn login(dir: &Path, server: &str, resource: Option<String>) -> Result<(), Fail> {
    let key = Key::load_or_create(dir)?;
    let mut client = Client::new(&key)?;
    let device = oauth::start_device(&mut client, server, resource.as_deref())?;
    say(&format!(
        "To sign in, open {} and enter the code {}",
        device.verification_uri, device.user_code
    ))?;
    if let Some(complete) = &device.verification_uri_complete {
        say(&format!("Or open {complete}"))?;
    }
    let answer = oauth::await_approval(&mut client, server, &device)?;
    store::save(dir, &Tokens::issued(server, resource, answer, now()))?;
    say("Signed in.")
}

/// `GET /api/me`, or `GET url`, with the access token, refreshed first if
/// it has expired.
fn call(dir: &Path, server: Option<String>, url: Option<String>) -> Result<(), Fail> {
    let (key, mut tokens) = signed_in(dir, server)?;
    let url = match url {
        Some(url) => client::http_url(&url)?,
        None => client::endpoint(&tokens.server, "/api/me")?,
    };
    let mut client = Client::new(&key)?;
    if tokens.expired(now()) {
        refresh(dir, &mut client, &mut tokens)?;
    }
    let reply = client.get(&url, &tokens.access_token)?;
    match reply.status {
        200..=299 => match serde_json::from_str::<serde_json::Value>(&reply.body) {
            Ok(json) => say(&serde_json::to_string_pretty(&json).unwrap_or(reply.body)),
            Err(_) => say(reply.body.trim_end()),
        },
        401 => Err(Fail(reply.message())),
        status => Err(Fail(format!(
            "The server answered {status}: {}",
            reply.message()
        ))),
    }
}

fn refresh(dir: &Path, client: &mut Client, tokens: &mut Tokens) -> Result<(), Fail> {
    let refresh_token = tokens.refresh_token.as_deref().ok_or_else(|| {
        Fail("The server gave no refresh token; run `latchkey-cli login` again.".into())
    })?;
    let answer = oauth::refresh(
        client,
        &tokens.server,
        refresh_token,
        tokens.resource.as_deref(),
    )?;
    tokens.refreshed(answer, now());
    store::save(dir, tokens)
}

/// The key and the tokens, for a command that needs a sign-in. `server`,
/// when given, must be the one signed in to: the tokens are good there only.
fn signed_in(dir: &Path, server: Option<String>) -> Result<(Key, Tokens), Fail> {
    let tokens = store::require(dir)?;
    if let Some(server) = server.filter(|s| *s != tokens.server) {
        return Err(Fail(format!(
            "You are signed in to {}, not {server}; run `latchkey-cli --server {server} login` \
             to sign in there.",
            tokens.server
        )));
    }
    let key = Key::load(dir)?.ok_or_else(|| {
        Fail(format!(
            "The DPoP key {} is missing, and the tokens are bound to it; run `latchkey-cli \
             login` again.",
            dir.join(key::KEY_FILE).display()
        ))
    })?;
    Ok((key, tokens))
}

fn status(dir: &Path, server: Option<String>) -> Result<(), Fail> {
    match store::load(dir)? {
        Some(tokens) => {
            say(&format!("Signed in to {}.", tokens.server))?;
            if let Some(resource) = &tokens.resource {
                say(&format!("Resource: {resource}"))?;
            }
            say(&tokens.expiry(now()))?;
        }
        None => say(&format!(
            "Not signed in (server: {}).",
            server.as_deref().unwrap_or(DEFAULT_SERVER)
        ))?,
    }
    match Key::load(dir)? {
        Some(key) => say(&format!("DPoP key thumbprint: {}", key.thumbprint())),
        None => say("No DPoP key yet; login makes one."),
    }
}

/// One line on stdout, flushed now: the login lines are read by whoever
/// runs the CLI while it waits. A closed stdout is an error, not a panic.
fn say(line: &str) -> Result<(), Fail> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| Fail(format!("Cannot write to stdout: {e}")))
}

#[cfg(test)]
mod tests;
