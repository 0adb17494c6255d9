//! Tests of the command line, and the scratch directories the other
//! modules' tests use.

use super::*;
use clap::CommandFactory as _;
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh path under the temp dir, not yet created (so that the code under
/// test makes it), removed on drop, a failing test included.
pub struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn scratch_dir(name: &str) -> Scratch {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("latchkey-cli-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    Scratch(dir)
}

#[test]
fn the_command_line_is_well_formed() {
    Cli::command().debug_assert();
    let cli = Cli::try_parse_from(["latchkey-cli", "get", "http://h/x", "--dir", "/d"]).unwrap();
    assert_eq!(cli.dir, Some(PathBuf::from("/d")));
    assert!(matches!(cli.command, Command::Get { url } if url == "http://h/x"));
    let cli = Cli::try_parse_from(["latchkey-cli", "login", "--resource", "http://r"]).unwrap();
    assert!(matches!(cli.command, Command::Login { resource: Some(r) } if r == "http://r"));
    assert!(Cli::try_parse_from(["latchkey-cli", "fly"]).is_err());
}

#[test]
fn commands_that_need_a_sign_in_say_so() {
    let dir = scratch_dir("main-signed-out");
    for command in [Command::Me, Command::Refresh, Command::Logout] {
        let cli = Cli {
            server: None,
            dir: Some(dir.to_path_buf()),
            command,
        };
        let Err(Fail(msg)) = run(cli) else {
            panic!("ran signed out")
        };
        assert_eq!(msg, "Not signed in; run `latchkey-cli login` first.");
    }
}

#[test]
fn tokens_of_another_server_are_not_used() {
    let dir = scratch_dir("main-other-server");
    Key::load_or_create(&dir).unwrap();
    let answer = oauth::TokenResponse {
        access_token: "at".into(),
        token_type: "DPoP".into(),
        expires_in: Some(300),
        refresh_token: Some("rt".into()),
    };
    let tokens = Tokens::issued("http://localhost:3000", None, answer, now());
    store::save(&dir, &tokens).unwrap();
    let Err(Fail(msg)) = signed_in(&dir, Some("http://127.0.0.1:3000".into())) else {
        panic!("used the tokens of another server")
    };
    assert!(msg.contains("signed in to http://localhost:3000"), "{msg}");
    let (_, same) = signed_in(&dir, Some("http://localhost:3000".into())).unwrap();
    assert_eq!(same, tokens);
}
