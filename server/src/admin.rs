//! The admin command line, as subcommands of the server binary:
//!
//! ```text
//! latchkey users list [--disabled]
//! latchkey users disable NAME
//! latchkey users enable NAME
//! latchkey sessions purge
//! latchkey keys list
//! latchkey keys rotate [--delay 5m]
//! ```
//!
//! A command reads the same configuration as the servers (environment and
//! flags), opens the same database and stores, calls the accounts service
//! (so the audit trail and the revocations are exactly those of the web
//! requests), prints one clear answer and exits: `0` done, `1` the command
//! named something that is not there, `2` a store could not be reached.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

mod answer;
mod keys;

use crate::config::Config;
use crate::users::{self, Account};
use crate::{accounts, AppState, Error};
use answer::utc;
pub use answer::Answer;

/// The longest wait for the subscription to the servers' confirmations.
const FOLLOW_WAIT: Duration = Duration::from_secs(2);

/// The binary's command line: serve (no subcommand) or run an admin command.
#[derive(Debug, Parser)]
#[command(name = "latchkey", version, about = "Sessions and JWTs, side by side.")]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// An admin command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, disable or enable accounts.
    Users {
        #[command(subcommand)]
        action: Users,
    },
    /// Maintain the stored sign-ins.
    Sessions {
        #[command(subcommand)]
        action: Sessions,
    },
    /// List or rotate the EdDSA signing keys.
    Keys {
        #[command(subcommand)]
        action: keys::Keys,
    },
}

#[derive(Debug, Subcommand)]
pub enum Users {
    /// Every account, with when it was created and whether it is disabled.
    List {
        /// Only the disabled accounts.
        #[arg(long)]
        disabled: bool,
    },
    /// Stop an account from signing in and end every sign-in it has, on
    /// every instance, in either mode.
    Disable { name: String },
    /// Let a disabled account sign in again.
    Enable { name: String },
}

#[derive(Debug, Subcommand)]
pub enum Sessions {
    /// Delete expired device sessions, quiet sign-in counters and audit
    /// events past their retention now, rather than at the maintenance
    /// task's next round (every 10 minutes).
    Purge,
}

/// Runs `command` against the configured stores; prints its answer.
pub async fn main(config: Config, command: Command) -> ExitCode {
    let answer = match command {
        // Keys live in the data directory: no store is opened.
        Command::Keys { action } => keys::run(&config, action),
        command => with_state(config, command).await,
    };
    match answer {
        Ok(Answer::Done(text)) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Ok(Answer::NotFound(text)) => {
            eprintln!("latchkey: {text}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("latchkey: the command could not run: {e}");
            ExitCode::from(2)
        }
    }
}

async fn with_state(config: Config, command: Command) -> crate::Result<Answer> {
    match AppState::connect(config).await {
        Ok(state) => {
            follow_changes(&state).await;
            run(&state, command).await
        }
        Err(e) => Err(e),
    }
}

/// Subscribes to what the servers confirm (JWT with Redis: applied
/// revocations), as a server does, so that `users disable` returns once the
/// servers refuse the account's tokens rather than after a timeout.
async fn follow_changes(state: &AppState) {
    let auth = state.auth.clone();
    tokio::spawn(async move { auth.listen().await });
    let deadline = Instant::now() + FOLLOW_WAIT;
    while !state.auth.listening() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Runs `command` over `state`.
pub async fn run(state: &AppState, command: Command) -> crate::Result<Answer> {
    match command {
        Command::Users { action } => match action {
            Users::List { disabled } => list(state, disabled).await,
            Users::Disable { name } => disable(state, &name).await,
            Users::Enable { name } => enable(state, &name).await,
        },
        Command::Sessions {
            action: Sessions::Purge,
        } => purge(state).await,
        Command::Keys { action } => keys::run(&state.config, action),
    }
}

async fn list(state: &AppState, disabled_only: bool) -> crate::Result<Answer> {
    let accounts = users::list(&state.db, disabled_only).await?;
    if accounts.is_empty() {
        let what = if disabled_only {
            "disabled accounts"
        } else {
            "accounts"
        };
        return Ok(Answer::Done(format!("No {what}.")));
    }
    let width = accounts
        .iter()
        .map(|a| a.username.len())
        .max()
        .unwrap_or(0)
        .max(4);
    let mut out = format!("{:<width$}  {:<20}  STATE", "NAME", "CREATED (UTC)");
    for a in &accounts {
        let state = match a.disabled_at {
            Some(at) => format!("disabled {}", utc(at)),
            None => "active".to_string(),
        };
        out.push_str(&format!(
            "\n{:<width$}  {:<20}  {state}",
            a.username,
            utc(a.created_at)
        ));
    }
    Ok(Answer::Done(out))
}

async fn disable(state: &AppState, name: &str) -> crate::Result<Answer> {
    let Some(account) = find(state, name).await? else {
        return Ok(no_such_user(name));
    };
    let was_disabled = account.disabled_at.is_some();
    let Some(ended) = accounts::disable_user(state, &account.id).await? else {
        return Ok(no_such_user(name));
    };
    let who = &account.username;
    let mut text = if was_disabled {
        format!("{who} was already disabled; {ended} device session(s) still live were ended.")
    } else {
        format!("Disabled {who}: {ended} device session(s) ended; sign-ins are refused.")
    };
    if state.auth.keeps_sessions_in_process() {
        let every = crate::auth::jwt::revocation::SYNC_EVERY.as_secs();
        text.push_str(&format!(
            "\nServers keeping sessions in their own memory end {who}'s within {every} s \
             (they read disabled accounts from the database)."
        ));
    }
    Ok(Answer::Done(text))
}

async fn enable(state: &AppState, name: &str) -> crate::Result<Answer> {
    let Some(account) = find(state, name).await? else {
        return Ok(no_such_user(name));
    };
    let who = &account.username;
    Ok(match accounts::enable_user(state, &account.id).await? {
        Some(true) => Answer::Done(format!("Enabled {who}: the account can sign in again.")),
        Some(false) => Answer::Done(format!("{who} was not disabled; nothing changed.")),
        None => no_such_user(name),
    })
}

async fn purge(state: &AppState) -> crate::Result<Answer> {
    let p = state.purge_now().await?;
    let days = state.config.audit_retention.as_secs() / 86_400;
    let mut text = format!(
        "Deleted {} expired device session(s), {} quiet sign-in counter(s) and {} audit \
         event(s) older than {days} days.",
        p.sessions, p.counters, p.events
    );
    if state.auth.keeps_sessions_in_process() {
        text.push_str(
            "\nSessions kept in a server's own memory are purged by that server, every 10 minutes.",
        );
    }
    Ok(Answer::Done(text))
}

/// The account named `name` as typed (normalised as at sign-in).
async fn find(state: &AppState, name: &str) -> crate::Result<Option<Account>> {
    match users::normalize_username(name) {
        Ok(normal) => users::by_name(&state.db, &normal).await,
        // A name that could never exist names no account.
        Err(Error::Invalid(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

fn no_such_user(name: &str) -> Answer {
    Answer::NotFound(format!(
        "there is no account named {name:?}; `latchkey users list` shows them."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_utc_to_the_second() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(1_796_000_645), "2026-11-30 01:04:05");
    }
}
