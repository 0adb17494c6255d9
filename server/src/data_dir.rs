//! The data directory: the SQLite database and every generated secret (the
//! signing keys, the refresh-token derivation key, the key typed names are
//! hashed under), and the helpers that read and write those secrets.
//!
//! Whoever can read it can mint tokens and read the audit trail, so it is
//! the server's alone, whatever the umask of the shell that started it:
//! - created mode 0700 (and its parents, when it creates them);
//! - the SQLite database file created 0600 before SQLite opens it (SQLite
//!   gives its `-wal` and `-shm` files the database file's mode);
//! - at start, a directory or key file (`*.key`, `*-keys.json`) that group
//!   or others may read or write stops the server with the `chmod` that
//!   fixes it: one left open by an older release, a copy or a restore is
//!   found, not used.

use std::fs::{DirBuilder, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use crate::{Error, Result};

/// Permission bits no one but the owner may have.
const OTHERS: u32 = 0o077;

/// Creates `dir` (mode 0700) if it is missing, then checks that neither it
/// nor a key file in it is open to other users.
pub fn prepare(dir: &Path) -> Result<()> {
    create(dir)?;
    check(dir)
}

/// Creates `dir` and any missing parent, mode 0700; one that exists is
/// left as it is.
pub fn create(dir: &Path) -> Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::Invalid(format!("cannot create {}: {e}", dir.display())))
}

/// Fails, naming the fix, if `dir` or a key file in it can be read or
/// written by group or others.
pub fn check(dir: &Path) -> Result<()> {
    let open = |path: &Path, fix: &str| -> Result<()> {
        let meta = std::fs::metadata(path)
            .map_err(|e| Error::Invalid(format!("cannot read {}: {e}", path.display())))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & OTHERS == 0 {
            return Ok(());
        }
        Err(Error::Invalid(format!(
            "{} is open to other users (mode {mode:o}) and holds Latchkey's keys: \
             run `chmod {fix} {}` and start again",
            path.display(),
            path.display()
        )))
    };
    open(dir, "700")?;
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Invalid(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".key") || name.ends_with("-keys.json") {
            open(&entry.path(), "600")?;
        }
    }
    Ok(())
}

/// Creates the SQLite file at `path` empty with mode 0600 if it does not
/// exist yet (SQLite takes an empty file as a new database).
pub fn create_private_file(path: &Path) -> Result<()> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::Invalid(format!(
            "cannot create {}: {e}",
            path.display()
        ))),
    }
}

/// Bytes of every generated secret.
pub const SECRET_BYTES: usize = 32;

/// Reads a 32-byte secret from `path`, creating it (mode 0600) if missing.
pub fn secret_file(path: &Path) -> Result<[u8; SECRET_BYTES]> {
    match std::fs::read(path) {
        Ok(bytes) => bytes.try_into().map_err(|b: Vec<u8>| {
            Error::Invalid(format!(
                "{} holds {} bytes; a key file must hold exactly {SECRET_BYTES}",
                path.display(),
                b.len()
            ))
        }),
        Err(e) if e.kind() == ErrorKind::NotFound => {
            let key = random_key();
            write_private(path, &key)?;
            tracing::info!(path = %path.display(), "generated a new key");
            Ok(key)
        }
        Err(e) => Err(io_error(path, e)),
    }
}

/// 32 bytes from the OS CSPRNG.
pub fn random_key() -> [u8; SECRET_BYTES] {
    let mut key = [0u8; SECRET_BYTES];
    getrandom::fill(&mut key).expect("the operating system's random source failed");
    key
}

/// Writes `bytes` to a new file at `path`, mode 0600, and syncs it.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| io_error(path, e))?;
    file.write_all(bytes).map_err(|e| io_error(path, e))?;
    file.sync_all().map_err(|e| io_error(path, e))
}

/// What an I/O failure on `path` tells the operator.
pub fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Invalid(format!("cannot use {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use std::fs::Permissions;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_directory_and_database_file_are_the_owners_alone() {
        let tmp = tempfile::tempdir().unwrap();
        // What a shell's umask would leave open is not used.
        std::fs::set_permissions(tmp.path(), Permissions::from_mode(0o755)).unwrap();
        let dir = tmp.path().join("parent").join("data");
        prepare(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&tmp.path().join("parent")), 0o700);
        let db = dir.join("latchkey.db");
        create_private_file(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
        // An existing file is neither truncated nor changed.
        std::fs::write(&db, b"kept").unwrap();
        create_private_file(&db).unwrap();
        assert_eq!(std::fs::read(&db).unwrap(), b"kept");
    }

    #[test]
    fn an_open_directory_or_key_file_stops_the_start_with_the_fix() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        prepare(&dir).unwrap();
        std::fs::set_permissions(&dir, Permissions::from_mode(0o755)).unwrap();
        let e = prepare(&dir).unwrap_err().to_string();
        assert!(e.contains(&format!("chmod 700 {}", dir.display())), "{e}");

        std::fs::set_permissions(&dir, Permissions::from_mode(0o700)).unwrap();
        let key = dir.join("jwt-hs256.key");
        std::fs::write(&key, [0u8; 32]).unwrap();
        std::fs::set_permissions(&key, Permissions::from_mode(0o640)).unwrap();
        let e = check(&dir).unwrap_err().to_string();
        assert!(e.contains(&format!("chmod 600 {}", key.display())), "{e}");
        std::fs::set_permissions(&key, Permissions::from_mode(0o600)).unwrap();
        check(&dir).unwrap();
        // Other files are not key files.
        let other = dir.join("notes.txt");
        std::fs::write(&other, b"").unwrap();
        std::fs::set_permissions(&other, Permissions::from_mode(0o644)).unwrap();
        check(&dir).unwrap();
    }
}
