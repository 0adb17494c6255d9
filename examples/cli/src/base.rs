//! What every part of the app shares: the one-line failure it reports,
//! the time, and its directory. Kept apart from `main` so the parts depend
//! on this, never on each other's callers.

use std::fs::{self, DirBuilder};
use std::io::ErrorKind;
use std::os::unix::fs::DirBuilderExt as _;
use std::path::Path;

/// A failure to report to the user: one line, exit code 1.
#[derive(Debug)]
pub struct Fail(pub String);

/// Now, in Unix seconds.
pub fn now() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Makes `dir` if it does not exist, 0700 (its parents as usual). An
/// existing directory is left as it is: its mode is its owner's choice.
pub fn ensure_dir(dir: &Path) -> Result<(), Fail> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)
            .map_err(|e| Fail(format!("Cannot create {}: {e}", parent.display())))?;
    }
    match DirBuilder::new().mode(0o700).create(dir) {
        Err(e) if e.kind() != ErrorKind::AlreadyExists => {
            Err(Fail(format!("Cannot create {}: {e}", dir.display())))
        }
        _ => Ok(()),
    }
}
